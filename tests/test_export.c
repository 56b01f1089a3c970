/*
 * test_export.c — ONNX export against the importer. Every zoo model and a
 * graph using every op are written with eng_onnx_save, read back with
 * eng_onnx_load and compared node by node: the same names, ops, shapes and
 * parameters (to the bit), training-only nodes gone, and, for the models
 * small enough to run here, the same activation at every node for the same
 * input (to the bit: the same kernels run on the same numbers). The graph of
 * every op also goes through the ONNX checker with full shape inference when
 * Debian's python3-onnx is there (its sizes must agree with the shapes the
 * file states, which are the engine's). Then the failures: an unwritable
 * path, a graph that cannot be written, and a user's file that must survive
 * a failed export.
 */
#include "check.h"
#include "eng.h"
#include "models.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[64];

/* A model that runs in under about a second on two cores is run and compared. */
#define FORWARD_MACS 2000000000LL

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static float urand(void) { /* [-1, 1) */
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    return (float)((rng >> 40) / (double)(1 << 24)) * 2.0f - 1.0f;
}

/* He-initialised weights, then biases and batch-norm statistics away from
 * their defaults, so a parameter written in the wrong place shows. */
static int fill_params(EngGraph *g) {
    if (eng_graph_init_params(g, 7) != 0) return -1;
    for (int i = 0; i < eng_graph_node_count(g); i++) {
        EngNode *n = eng_graph_node_mut(g, i);
        for (int k = 0; k < n->n_params; k++) {
            EngParam *p = &n->params[k];
            if (p->kind == ENG_PARAM_WEIGHT && n->op != ENG_OP_BN && n->op != ENG_OP_PRELU) continue;
            for (size_t j = 0; j < p->n; j++)
                p->data[j] = p->kind == ENG_PARAM_RUNNING_VAR ? 0.5f + urand() * urand()
                             : p->kind == ENG_PARAM_WEIGHT    ? 1.0f + 0.3f * urand()
                                                              : 0.2f * urand();
        }
    }
    return 0;
}

/* The ONNX project's checker, strict shape inference included, on a file:
 * 1 pass, 0 fail, -1 when /usr/bin/python3 has no onnx module. */
static int onnx_checker(const char *path) {
    static int have = -1;
    if (have < 0) have = system("/usr/bin/python3 -c 'import onnx' >/dev/null 2>&1") == 0;
    if (!have) return -1;
    char cmd[512];
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c 'import sys, onnx; "
             "onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)' '%s'", path);
    return system(cmd) == 0;
}

/* the Flatten a Gemm needs, the Reshape of a vector, a SiLU's Sigmoid, a
 * Mish's Softplus and Tanh */
static int helper_name(const char *name) {
    static const char *const tails[] = {"/flatten", "/reshape", "/sigmoid", "/softplus", "/tanh"};
    const size_t l = strlen(name);
    for (size_t k = 0; k < sizeof tails / sizeof *tails; k++) {
        const size_t t = strlen(tails[k]);
        if (l > t && !strcmp(name + l - t, tails[k])) return 1;
    }
    return 0;
}

/* An op the export writes as other ONNX operators comes back as what the
 * importer makes of them: a SiLU as its Mul (after the Sigmoid), a layer
 * scale as an affine scale (one factor per unit). Then the activations
 * after it differ in their rounding, not more. */
static int same_op(const EngNode *a, const EngNode *b) {
    if (a->op == ENG_OP_SILU || a->op == ENG_OP_MISH) return b->op == ENG_OP_MUL;
    if (a->op == ENG_OP_LAYERSCALE) return b->op == ENG_OP_AFFINE;
    return a->op == b->op;
}
static int has_op(const EngGraph *g, EngOpType op) {
    for (int i = 0; i < eng_graph_node_count(g); i++)
        if (eng_graph_node(g, i)->op == op) return 1;
    return 0;
}

/* Export g, read it back, compare. forward: run both on one input; check:
 * run the ONNX checker too. The file is removed afterwards. Returns the
 * imported graph's node count, or -1. */
static int roundtrip(const char *what, EngGraph *g, int forward, int check) {
    char path[128], err[2048];
    snprintf(path, sizeof path, "%s/%s.onnx", dir, what);
    EngOnnxExport info = {.name = what};
    int rc = eng_onnx_save(g, path, &info, err, sizeof err);
    CHECK(rc == 0);
    if (rc != 0) {
        fprintf(stderr, "  %s: %s\n", what, err);
        return -1;
    }
    if (check) {
        const int ok = onnx_checker(path);
        CHECK(ok != 0);
        if (ok < 0) printf("  (no ONNX checker: /usr/bin/python3 cannot import onnx)\n");
    }
    EngGraph *h = eng_onnx_load(path, 0, 0, 0, NULL, 0, err, sizeof err);
    CHECK(h != NULL);
    remove(path);
    if (!h) {
        fprintf(stderr, "  %s: reading the export back: %s\n", what, err);
        return -1;
    }
    const int fails0 = check_failures;
    const EngNode *in_g = eng_graph_node(g, 0), *in_h = eng_graph_node(h, 0);
    CHECK(!strcmp(in_g->name, in_h->name));
    CHECK(in_g->out.C == in_h->out.C && in_g->out.H == in_h->out.H && in_g->out.W == in_h->out.W);
    /* every inference node but dropout (identity, folded by the importer) is there */
    for (int i = 0; i < eng_graph_node_count(g); i++) {
        const EngNode *a = eng_graph_node(g, i);
        const int j = eng_graph_find(h, a->name);
        if ((a->flags & ENG_NODE_TRAIN_ONLY) || a->op == ENG_OP_DROPOUT) {
            CHECK(j < 0);
            continue;
        }
        CHECK(j >= 0);
        if (j < 0) {
            fprintf(stderr, "  %s: node '%s' is missing after the round trip\n", what, a->name);
            continue;
        }
        const EngNode *b = eng_graph_node(h, j);
        CHECK(same_op(a, b));
        CHECK(a->out.C == b->out.C && a->out.H == b->out.H && a->out.W == b->out.W);
        if (a->op == ENG_OP_LAYERSCALE) { /* gamma[c] at every unit of channel c */
            const size_t hw = (size_t)a->out.H * a->out.W;
            CHECK(b->n_params == 1 && b->params[0].n == a->params[0].n * hw);
            for (size_t u = 0; b->n_params == 1 && u < b->params[0].n; u++)
                CHECK(b->params[0].data[u] == a->params[0].data[u / hw]);
            continue;
        }
        CHECK(a->n_params == b->n_params);
        for (int k = 0; k < a->n_params && k < b->n_params; k++) {
            CHECK(!strcmp(a->params[k].suffix, b->params[k].suffix));
            CHECK(a->params[k].n == b->params[k].n);
            CHECK(a->params[k].n == b->params[k].n &&
                  !memcmp(a->params[k].data, b->params[k].data, a->params[k].n * sizeof(float)));
        }
        if (a->op == ENG_OP_MAXPOOL || a->op == ENG_OP_AVGPOOL)
            CHECK(a->p.pool.count_include_pad == b->p.pool.count_include_pad);
    }
    /* and nothing else but the flatten a Gemm needs */
    for (int j = 0; j < eng_graph_node_count(h); j++) {
        const EngNode *b = eng_graph_node(h, j);
        const int i = eng_graph_find(g, b->name);
        CHECK(i >= 0 || helper_name(b->name));
        if (i < 0 && !helper_name(b->name)) fprintf(stderr, "  %s: extra node '%s'\n", what, b->name);
    }
    const EngNode *og = eng_graph_node(g, eng_graph_output(g)), *oh = eng_graph_node(h, eng_graph_output(h));
    if (og->op != ENG_OP_DROPOUT) CHECK(!strcmp(og->name, oh->name));
    CHECK(og->out.C == oh->out.C && og->out.H == oh->out.H && og->out.W == oh->out.W);

    if (forward) {
        const int rounding = has_op(g, ENG_OP_SILU) || has_op(g, ENG_OP_MISH);
        CHECK(eng_graph_plan(g, 1) == 0 && eng_graph_plan(h, 1) == 0);
        const size_t n_in = (size_t)in_g->out.C * in_g->out.H * in_g->out.W;
        float *xg = eng_graph_input_buffer(g, 0), *xh = eng_graph_input_buffer(h, 0);
        for (size_t k = 0; k < n_in; k++) xg[k] = xh[k] = urand();
        CHECK(eng_graph_forward(g) == 0 && eng_graph_forward(h) == 0);
        for (int i = 0; i < eng_graph_node_count(g); i++) {
            const EngNode *a = eng_graph_node(g, i);
            const int j = eng_graph_find(h, a->name);
            if (j < 0 || !a->act) continue;
            const EngNode *b = eng_graph_node(h, j);
            const size_t n = (size_t)a->out.C * a->out.H * a->out.W;
            if (memcmp(a->act, b->act, n * sizeof(float)) != 0) {
                char label[160];
                snprintf(label, sizeof label, "%s/%s", what, a->name);
                if (rounding) { /* to rounding; a NaN (a negative variance drawn) on both sides */
                    size_t bad = 0;
                    for (size_t k = 0; k < n; k++)
                        bad += !(isnan(a->act[k]) && isnan(b->act[k])) &&
                               !(fabsf(a->act[k] - b->act[k]) <= 1e-5f + 1e-4f * fabsf(a->act[k]));
                    if (bad) fprintf(stderr, "  %s: %zu of %zu values differ\n", label, bad, n);
                    CHECK(bad == 0);
                } else {
                    check_close(label, b->act, a->act, n, 0.0f, 0.0f);
                }
            }
        }
        if (!rounding)
            CHECK(!memcmp(og->act, oh->act, sizeof(float) * og->out.C * og->out.H * og->out.W));
    }
    if (check_failures != fails0) fprintf(stderr, "  %s: the round trip differs\n", what);
    const int count = eng_graph_node_count(h);
    eng_graph_destroy(h);
    return count;
}

/* GELU and LayerNorm are written out with Erf, Sqrt and ReduceMean over
 * channels (opset 14 has no single op for either): such a graph is exported,
 * the ONNX checker (when there) passes it, the file holds those operators,
 * and read back (the importer's general elementwise and reduce nodes) it
 * computes the same output to float rounding. */
static int export_decomposed(const char *what, EngGraph *g) {
    char path[128], err[2048];
    snprintf(path, sizeof path, "%s/%s.onnx", dir, what);
    EngOnnxExport info = {.name = what};
    if (eng_onnx_save(g, path, &info, err, sizeof err) != 0) {
        fprintf(stderr, "  %s: %s\n", what, err);
        return -1;
    }
    const int ok = onnx_checker(path);
    CHECK(ok != 0);
    uint8_t *buf = NULL;
    size_t len = 0;
    CHECK(eng_read_file(path, (size_t)1 << 30, &buf, &len, err, sizeof err) == 0);
    int erf = 0, sqrt_op = 0;
    for (size_t i = 0; buf && i + 4 <= len; i++) {
        erf |= !memcmp(buf + i, "Erf", 3);
        sqrt_op |= !memcmp(buf + i, "Sqrt", 4);
    }
    free(buf);
    CHECK(erf == has_op(g, ENG_OP_GELU) && sqrt_op == has_op(g, ENG_OP_LAYERNORM));
    err[0] = 0;
    EngGraph *h = eng_onnx_load(path, 0, 0, 0, NULL, 0, err, sizeof err);
    remove(path);
    CHECK(h != NULL);
    if (!h) {
        fprintf(stderr, "  %s: %s\n", what, err);
        return -1;
    }
    const EngNode *in_g = eng_graph_node(g, 0);
    CHECK(eng_graph_plan(g, 2) == 0 && eng_graph_plan(h, 2) == 0);
    const size_t n_in = 2 * (size_t)in_g->out.C * in_g->out.H * in_g->out.W;
    float *xg = eng_graph_input_buffer(g, 0), *xh = eng_graph_input_buffer(h, 0);
    for (size_t k = 0; xg && xh && k < n_in; k++) xg[k] = xh[k] = urand();
    CHECK(eng_graph_forward(g) == 0 && eng_graph_forward(h) == 0);
    const EngNode *og = eng_graph_node(g, eng_graph_output(g)), *oh = eng_graph_node(h, eng_graph_output(h));
    const size_t n = 2 * (size_t)og->out.C * og->out.H * og->out.W;
    CHECK(n == 2 * (size_t)oh->out.C * oh->out.H * oh->out.W);
    double worst = 0.0, scale = 0.0;
    for (size_t k = 0; k < n; k++) scale = fmax(scale, fabs(og->act[k]));
    for (size_t k = 0; k < n; k++) worst = fmax(worst, fabs((double)og->act[k] - oh->act[k]));
    CHECK(worst <= 1e-4 * (1.0 + scale));
    if (!(worst <= 1e-4 * (1.0 + scale)))
        fprintf(stderr, "  %s: outputs differ by %g (largest %g)\n", what, worst, scale);
    eng_graph_destroy(h);
    printf("  %-18s graph and weights written (GELU, LayerNorm decomposed; checker %s), read back: "
           "outputs within %.2g\n", what, ok > 0 ? "passes" : "absent", worst);
    return 0;
}

/* Every zoo model at its default input, or, when that holds over MAX_PARAMS
 * parameters (the FC layers of AlexNet and VGG), at the smallest square
 * input that brings it under; the deepest ResNets stay over at any size and
 * are left to resnet50, whose blocks they repeat. */
#define MAX_PARAMS 35000000LL
/* A node whose op has no ONNX equivalent at opset 14 (drop path's and a
 * fractal join's training behaviour have none): -1 when the graph has none.
 * Such a model's export must stop at that node, naming it. */
static int first_unexportable(const EngGraph *g) {
    for (int i = 0; i < eng_graph_node_count(g); i++) {
        const EngOpType op = eng_graph_node(g, i)->op;
        if (op == ENG_OP_DROP_PATH || op == ENG_OP_JOIN) return i;
    }
    return -1;
}
static int export_refused(const char *what, EngGraph *g, int id) {
    char path[128], err[2048] = "";
    snprintf(path, sizeof path, "%s/%s.onnx", dir, what);
    EngOnnxExport info = {.name = what};
    const int rc = eng_onnx_save(g, path, &info, err, sizeof err);
    FILE *f = fopen(path, "rb");
    CHECK(rc != 0 && f == NULL && strstr(err, eng_graph_node(g, id)->name) != NULL);
    if (f) fclose(f);
    return rc != 0;
}
static void test_zoo(void) {
    static const int sides[] = {0, 32, 64, 96, 128};
    for (int i = 0; i < model_count(); i++) {
        const ModelCard *c = model_at(i);
        EngGraph *g = NULL;
        int side = 0;
        for (int k = 0; k < 5 && !g; k++) {
            side = sides[k];
            g = model_build(c, side ? c->in_c : 0, side, side);
            if (g && eng_graph_totals(g).params > MAX_PARAMS) {
                eng_graph_destroy(g);
                g = NULL;
            }
        }
        if (!g) {
            printf("  %-18s left out: over %lld parameters at any input size\n", c->name, MAX_PARAMS);
            continue;
        }
        CHECK(fill_params(g) == 0);
        if (has_op(g, ENG_OP_GELU) || has_op(g, ENG_OP_LAYERNORM)) {
            CHECK(export_decomposed(c->name, g) == 0);
            eng_graph_destroy(g);
            continue;
        }
        const int bad = first_unexportable(g);
        if (bad >= 0) {
            if (export_refused(c->name, g, bad))
                printf("  %-18s refused at '%s' (%s): no ONNX equivalent at opset 14\n", c->name,
                       eng_graph_node(g, bad)->name, eng_op_name(eng_graph_node(g, bad)->op));
            eng_graph_destroy(g);
            continue;
        }
        const int forward = eng_graph_totals(g).macs <= FORWARD_MACS;
        char input[32] = "";
        if (side) snprintf(input, sizeof input, " (input %dx%dx%d)", c->in_c, side, side);
        if (roundtrip(c->name, g, forward, 0) > 0)
            printf("  %-18s graph, weights%s%s\n", c->name, forward ? " and activations" : "", input);
        eng_graph_destroy(g);
    }
}

/* Every op the engine has, with the awkward settings: asymmetric pads,
 * dilation, groups, ceil-mode pools with and without a dropped window,
 * padding counted, channel softmax on a map, ops on [N, K] vectors. */
static EngGraph *all_ops(void) {
    EngGraph *g = eng_graph_create();
    int x = eng_input(g, "data", 3, 12, 12);
    x = eng_pad(g, "pad", x, 1, 2, 0, 1, 0.5f);                              /* 3x13x15 */
    EngConvParams cp = {.oc = 8, .kh = 3, .kw = 2, .sh = 2, .sw = 1, .pt = 1, .pl = 0, .pb = 2,
                        .pr = 1, .dh = 1, .dw = 2, .groups = 1, .has_bias = 1};
    x = eng_conv(g, "conv_asym", x, &cp);                                    /* 8x7x14 */
    x = eng_bn(g, "bn", x, 1e-3f);
    x = eng_leakyrelu(g, "leaky", x, 0.1f);
    x = eng_prelu(g, "prelu_c", x, 8);
    EngConvParams gp = {.oc = 8, .kh = 3, .kw = 3, .sh = 1, .sw = 1, .pt = 2, .pl = 2, .pb = 2,
                        .pr = 2, .dh = 2, .dw = 2, .groups = 4, .has_bias = 1};
    x = eng_conv(g, "conv_group", x, &gp);
    x = eng_conv_k(g, "conv_dw", x, 8, 3, 1, 1, 8, 0);
    x = eng_clip(g, "relu6", x, 0.0f, 6.0f);
    x = eng_lrn(g, "lrn", x, 3, 1e-3f, 0.75f, 2.0f);
    EngPoolParams drop = {.kh = 3, .kw = 3, .sh = 2, .sw = 2, .pt = 0, .pl = 0, .pb = 2, .pr = 2,
                          .ceil_mode = 1};
    /* W drops a window starting in the padding: written in floor mode */
    int a = eng_maxpool(g, "pool_drop", x, &drop);                          /* 8x4x7 */
    /* W has one more window in ceil mode, none dropped: written in ceil mode */
    EngPoolParams keep = {.kh = 3, .kw = 3, .sh = 2, .sw = 2, .ceil_mode = 1,
                          .count_include_pad = 1};
    int b = eng_avgpool(g, "pool_ceil", x, &keep);                          /* 8x3x7 */
    EngPoolParams dil = {.kh = 2, .kw = 2, .sh = 1, .sw = 1, .dh = 2, .dw = 2};
    b = eng_maxpool(g, "pool_dilated", b, &dil);                            /* 8x1x5 */
    EngConvTParams tp = {.oc = 4, .kh = 3, .kw = 3, .sh = 2, .sw = 2, .pt = 1, .pl = 0, .pb = 1,
                         .pr = 1, .dh = 1, .dw = 1, .groups = 2, .oph = 1, .opw = 0, .has_bias = 1};
    b = eng_convt(g, "convt", b, &tp);                                      /* 4x2x10 */
    EngPoolParams avg = {.kh = 3, .kw = 4, .sh = 1, .sw = 1, .pt = 1, .pl = 1, .pb = 1, .pr = 2,
                         .count_include_pad = 1};
    b = eng_avgpool(g, "pool_pad", b, &avg);                                /* 4x2x10 */
    b = eng_avgpool_k(g, "pool_excl", b, 3, 2, 1);                          /* 4x1x5 */
    b = eng_conv_k(g, "up", b, 8, 1, 1, 0, 1, 1);                           /* 8x1x5 */
    EngConvParams fit = {.oc = 8, .kh = 1, .kw = 3, .sh = 1, .sw = 1, .pt = 1, .pl = 1, .pb = 0,
                         .pr = 0, .dh = 1, .dw = 1, .groups = 1, .has_bias = 0};
    b = eng_conv(g, "fit", b, &fit);                                        /* 8x2x4 */
    a = eng_conv_k(g, "squeeze_a", a, 8, 2, 1, 0, 1, 1);                    /* 8x3x6 */
    a = eng_avgpool_k(g, "shrink", a, 1, 2, 0);                             /* 8x2x3 */
    EngPoolParams half = {.kh = 1, .kw = 2, .sh = 1, .sw = 2};
    b = eng_maxpool(g, "shrink_b", b, &half);                               /* 8x2x2 */
    b = eng_pad(g, "pad_b", b, 0, 1, 0, 0, -1.0f);                          /* 8x2x3 */
    int se = eng_gavgpool(g, "se_pool", a);
    se = eng_conv_k(g, "se_fc", se, 8, 1, 1, 0, 1, 1);
    se = eng_hardsigmoid(g, "se_gate", se, 0.2f, 0.5f);
    a = eng_mul(g, "se_scale", a, se);
    int m = eng_mul(g, "mul_same", a, b);
    m = eng_hardswish(g, "hswish", m);
    int three[3] = {a, b, m};
    int s = eng_add(g, "sum3", three, 3);
    s = eng_sigmoid(g, "sigmoid", s);
    s = eng_logsoftmax_span(g, "logsoftmax", s, 8, 6);                      /* over channels */
    int t = eng_tanh(g, "tanh", eng_add2(g, "add2", a, b));
    int cat[2] = {s, t};
    x = eng_concat(g, "concat", cat, 2);                                    /* 16x2x3 */
    x = eng_softmax(g, "softmax_map", x);
    x = eng_relu(g, "relu", x);
    x = eng_clip(g, "clip_max", x, -INFINITY, 0.9f); /* written without a min */
    int gm = eng_gmaxpool(g, "gmax", x);
    x = eng_flatten(g, "flatten", x);                                       /* 96 */
    x = eng_fc(g, "fc1", x, 16, 0);
    x = eng_bn(g, "bn_vec", x, 1e-5f);
    x = eng_prelu(g, "prelu_shared", x, 1);
    x = eng_dropout(g, "drop", x, 0.25f);
    int gv = eng_flatten(g, "gmax_flat", gm);
    int vec[2] = {x, gv};
    x = eng_concat(g, "concat_vec", vec, 2);                                /* 32 */
    x = eng_fc(g, "fc2", x, 10, 1);
    x = eng_softmax(g, "prob", x);
    return g;
}

static void test_all_ops(void) {
    EngGraph *g = all_ops();
    CHECK(eng_graph_ok(g));
    if (!eng_graph_ok(g)) {
        fprintf(stderr, "  %s\n", eng_graph_error(g));
        eng_graph_destroy(g);
        return;
    }
    CHECK(fill_params(g) == 0);
    CHECK(roundtrip("all_ops", g, 1, 1) > 0);
    /* a symbolic and a fixed batch both load */
    char path[128], err[1024];
    snprintf(path, sizeof path, "%s/fixed.onnx", dir);
    EngOnnxExport info = {.batch = 4};
    CHECK(eng_onnx_save(g, path, &info, err, sizeof err) == 0);
    CHECK(info.n_nodes > 0 && info.n_initializers > 0 && info.bytes > 0 && info.out_rank == 2);
    EngGraph *h = eng_onnx_load(path, 0, 0, 0, NULL, 0, err, sizeof err);
    CHECK(h != NULL);
    eng_graph_destroy(h);
    remove(path);
    eng_graph_destroy(g);
}

/* SiLU and layer scale come back (as Sigmoid and Mul, and an affine scale)
 * and compute the same to rounding; GELU and LayerNorm, also on a vector
 * after a pool, are written for the checker. */
static void test_modern_ops(void) {
    EngGraph *g = eng_graph_create();
    int x = eng_input(g, "data", 4, 6, 5);
    x = eng_conv_k(g, "conv", x, 6, 3, 1, 1, 1, 1);
    x = eng_silu(g, "silu", x);
    x = eng_layer_scale(g, "ls", x);
    x = eng_conv_k(g, "conv2", x, 3, 1, 1, 0, 1, 1);
    CHECK(fill_params(g) == 0);
    EngNode *ls = eng_graph_node_mut(g, eng_graph_find(g, "ls"));
    for (int c = 0; c < 6; c++) ls->params[0].data[c] = 0.25f * (float)(c + 1);
    CHECK(roundtrip("silu_layerscale", g, 1, 1) > 0);
    eng_graph_destroy(g);

    /* Mish as Softplus, Tanh, Mul, over inputs past both of softplus's tails */
    g = eng_graph_create();
    x = eng_input(g, "data", 3, 5, 4);
    x = eng_conv_k(g, "conv", x, 4, 3, 1, 1, 1, 1);
    x = eng_mish(g, "mish", x);
    x = eng_conv_k(g, "conv2", x, 2, 1, 1, 0, 1, 1);
    CHECK(fill_params(g) == 0);
    EngNode *cv = eng_graph_node_mut(g, eng_graph_find(g, "conv"));
    for (size_t k = 0; k < cv->params[0].n; k++) cv->params[0].data[k] *= 12.0f;
    CHECK(roundtrip("mish", g, 1, 1) > 0);
    eng_graph_destroy(g);

    /* the zoo's Mish network, on an input small enough to run: the same
     * activations at every layer after the round trip */
    const ModelCard *csp = model_find("cspdarknet53");
    CHECK(csp != NULL);
    g = csp ? model_build(csp, 3, 64, 64) : NULL;
    CHECK(g != NULL && fill_params(g) == 0);
    if (g && roundtrip("cspdarknet53_64", g, 1, 0) > 0)
        printf("  %-18s Mish as Softplus, Tanh, Mul: read back, the same activations (input 3x64x64)\n",
               "cspdarknet53");
    eng_graph_destroy(g);

    g = eng_graph_create();
    x = eng_input(g, "data", 4, 6, 5);
    x = eng_layernorm(g, "ln", x, 1e-6f);
    x = eng_conv_k(g, "pw", x, 8, 1, 1, 0, 1, 1);
    x = eng_gelu(g, "gelu", x);
    x = eng_gavgpool(g, "pool", x);
    x = eng_layernorm(g, "head_ln", x, 1e-6f);
    x = eng_flatten(g, "flat", x);
    x = eng_fc(g, "fc", x, 3, 1);
    CHECK(fill_params(g) == 0);
    CHECK(export_decomposed("gelu_layernorm", g) == 0);
    eng_graph_destroy(g);
}

/* A vector read by a map op needs a Reshape to [N, K, 1, 1]. */
static void test_vector_to_map(void) {
    EngGraph *g = eng_graph_create();
    int x = eng_input(g, "data", 2, 4, 4);
    x = eng_fc(g, "fc", x, 6, 1);
    x = eng_conv_k(g, "conv", x, 3, 1, 1, 0, 1, 1);
    x = eng_pad(g, "pad", x, 1, 1, 1, 1, 0.0f);
    CHECK(eng_graph_ok(g) && fill_params(g) == 0);
    char path[128], err[1024];
    snprintf(path, sizeof path, "%s/vec.onnx", dir);
    EngOnnxExport info = {0};
    CHECK(eng_onnx_save(g, path, &info, err, sizeof err) == 0);
    CHECK(info.out_rank == 4);
    CHECK(info.n_nodes == 5); /* the flatten before fc, fc, its reshape, conv, pad */
    CHECK(onnx_checker(path) != 0);
    remove(path);
    eng_graph_destroy(g);
}

static int file_is(const char *path, const char *want) {
    char buf[64] = "";
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    return !strcmp(buf, want);
}

static void test_errors(void) {
    char path[128], tmp[160], err[1024];
    EngGraph *g = eng_graph_create();
    int x = eng_input(g, "data", 1, 8, 8);
    int c = eng_conv_k(g, "conv", x, 2, 3, 1, 1, 1, 1);
    int aux = eng_fc(g, "aux", c, 3, 1);
    eng_graph_set_flags(g, aux, ENG_NODE_TRAIN_ONLY);
    eng_relu(g, "relu", c);
    snprintf(path, sizeof path, "%s/keep.onnx", dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(path, "wb");
    fputs("user data", f);
    fclose(f);

    /* parameters never filled: refused, the user's file untouched */
    CHECK(eng_onnx_save(g, path, NULL, err, sizeof err) == -1);
    CHECK(strstr(err, "'conv'") && strstr(err, "no parameter values"));
    CHECK(file_is(path, "user data"));
    CHECK(access(tmp, F_OK) != 0);

    /* the output is a training-only node */
    CHECK(eng_graph_init_params(g, 1) == 0);
    eng_graph_set_output(g, aux);
    CHECK(eng_onnx_save(g, path, NULL, err, sizeof err) == -1);
    CHECK(strstr(err, "'aux'") && strstr(err, "training-only"));
    CHECK(file_is(path, "user data"));

    /* an unwritable place */
    eng_graph_set_output(g, eng_graph_find(g, "relu"));
    CHECK(eng_onnx_save(g, "/nonexistent-dir/m.onnx", NULL, err, sizeof err) == -1);
    CHECK(strstr(err, "cannot write /nonexistent-dir/m.onnx: No such file or directory") != NULL);

    /* two tensors with one name */
    EngGraph *d = eng_graph_create();
    x = eng_input(d, "data", 1, 4, 4);
    x = eng_conv_k(d, "c", x, 1, 1, 1, 0, 1, 1);
    eng_relu(d, "c.weight", x);
    CHECK(eng_graph_init_params(d, 1) == 0);
    CHECK(eng_onnx_save(d, path, NULL, err, sizeof err) == -1);
    CHECK(strstr(err, "'c.weight'") != NULL);
    CHECK(file_is(path, "user data"));
    eng_graph_destroy(d);

    /* and a good export replaces the file; the training-only branch is left out */
    CHECK(eng_onnx_save(g, path, NULL, err, sizeof err) == 0);
    CHECK(!file_is(path, "user data") && access(tmp, F_OK) != 0);
    EngGraph *h = eng_onnx_load(path, 0, 0, 0, NULL, 0, err, sizeof err);
    CHECK(h && eng_graph_node_count(h) == 3 && eng_graph_find(h, "aux") < 0);
    eng_graph_destroy(h);
    remove(path);
    eng_graph_destroy(g);
}

/* Ops of imported one-sample graphs (along the first of a sample's 4 axes,
 * spans other than channels) and a constant read by anything but an
 * elementwise op have no ONNX form here: the export stops at the layer and
 * names it, leaving no file behind. */
static void test_not_exported(void) {
    char path[600], err[512];
    snprintf(path, sizeof path, "%s/ne.onnx", dir);
    for (int k = 0; k < 8; k++) {
        EngGraph *g = eng_graph_create();
        int x = eng_input(g, "x", 2, 3, 1), y = -1;
        const int ax0[4] = {2, 3, 1, 1};
        if (k == 0) y = eng_binary(g, "bin_axis0", x, x, ENG_BINARY_MUL, ax0, ax0, (EngShape){2, 3, 1});
        if (k == 1) y = eng_add2(g, "add_k", x, eng_const(g, "kc", 2, 3, 1));
        if (k == 2) y = eng_softmax_span(g, "sm_rows", x, 3, 1);
        if (k == 3) y = eng_prelu(g, "pr_units", x, 6);
        if (k == 4) y = eng_reduce(g, "red_axis0", x, ENG_REDUCE_SUM, ax0, 1, (EngShape){3, 1, 1});
        if (k == 6) y = eng_maxunpool(g, "unpool", x, 4, 2);
        if (k == 7) y = eng_matmul_stack(g, "mm_stack", x, 2, 1, 3, 4, 2);
        if (k == 5) {
            int xs[2] = {x, x};
            y = eng_concat_span(g, "cat_h", xs, 2, 2, 1, (EngShape){2, 6, 1});
        }
        CHECK(y >= 0 && eng_graph_init_params(g, 1) == 0);
        err[0] = 0;
        CHECK(eng_onnx_save(g, path, NULL, err, sizeof err) == -1);
        const char *names[8] = {"bin_axis0", "add_k", "sm_rows", "pr_units", "red_axis0", "cat_h",
                                "unpool", "mm_stack"};
        CHECK(strstr(err, names[k]) != NULL && !strncmp(err, "ONNX export: ", 13));
        CHECK(access(path, F_OK) != 0);
        eng_graph_destroy(g);
    }
}

/* Resizes go out as Resize with scales [1, 1, sh, sw] and come back the same
 * (settings and activations, bit for bit); one whose size is not floor(input
 * x a float32 scale) is refused by name. */
static void test_resize(void) {
    EngGraph *g = eng_graph_create();
    int x = eng_input(g, "data", 3, 5, 6);
    x = eng_conv_k(g, "conv", x, 4, 3, 1, 1, 1, 1);
    const EngResizeParams ps[5] = {
        {ENG_RESIZE_NEAREST, ENG_RESIZE_ASYMMETRIC, ENG_RESIZE_FLOOR, 0, 0, 2.0, 2.0},
        {ENG_RESIZE_LINEAR, ENG_RESIZE_HALF_PIXEL, 0, 0, 0, 2.0, 1.5},
        {ENG_RESIZE_LINEAR, ENG_RESIZE_ALIGN_CORNERS, 0, 0, 0, 0.5, 0.5},
        {ENG_RESIZE_LINEAR, ENG_RESIZE_PYTORCH_HALF_PIXEL, 0, 0, 0, 1.25, 0.75},
        {ENG_RESIZE_NEAREST, ENG_RESIZE_HALF_PIXEL, ENG_RESIZE_ROUND_PREFER_CEIL, 0, 0, 1.5, 3.0},
    };
    const char *names[5] = {"near2", "bilinear", "corners", "pytorch", "near_ceil"};
    for (int k = 0; k < 5; k++) x = eng_resize(g, names[k], x, &ps[k]);
    x = eng_conv_k(g, "head", x, 2, 1, 1, 0, 1, 1);
    CHECK(eng_graph_ok(g) && fill_params(g) == 0);
    CHECK(roundtrip("resize", g, 1, 1) > 0);
    char path[128], err[1024];
    snprintf(path, sizeof path, "%s/resize_back.onnx", dir);
    CHECK(eng_onnx_save(g, path, NULL, err, sizeof err) == 0);
    EngGraph *h = eng_onnx_load(path, 0, 0, 0, NULL, 0, err, sizeof err);
    CHECK(h != NULL);
    for (int k = 0; h && k < 5; k++) {
        const EngResizeParams *a = &eng_graph_node(g, eng_graph_find(g, names[k]))->p.resize;
        const int j = eng_graph_find(h, names[k]);
        CHECK(j >= 0);
        if (j < 0) continue;
        const EngResizeParams *b = &eng_graph_node(h, j)->p.resize;
        CHECK(a->mode == b->mode && a->coord == b->coord && a->oh == b->oh && a->ow == b->ow &&
              a->sh == b->sh && a->sw == b->sw);
        CHECK(a->mode != ENG_RESIZE_NEAREST || a->round == b->round);
    }
    eng_graph_destroy(h);
    remove(path);
    eng_graph_destroy(g);
    /* 5 rows to 7: a scale of 7/5 is no float32 number */
    g = eng_graph_create();
    x = eng_input(g, "data", 1, 5, 4);
    const EngResizeParams sized = {ENG_RESIZE_LINEAR, ENG_RESIZE_HALF_PIXEL, 0, 7, 8, 0.0, 0.0};
    const int r = eng_resize(g, "to7", x, &sized);
    CHECK(r >= 0 && eng_graph_init_params(g, 1) == 0);
    CHECK(export_refused("resize_sized", g, r));
    eng_graph_destroy(g);
}

/* The ONNX op types of a file, space-separated with one at each end, read by
 * python3-onnx into buf; 0 when there is no onnx module. */
static int onnx_op_types(const char *path, char *buf, size_t n) {
    char cmd[512];
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c 'import sys, onnx; "
             "print(\" \" + \" \".join(n.op_type for n in onnx.load(sys.argv[1]).graph.node) + \" \")' "
             "'%s' 2>/dev/null", path);
    FILE *f = popen(cmd, "r");
    if (!f) return 0;
    size_t got = fread(buf, 1, n - 1, f);
    buf[got] = 0;
    return pclose(f) == 0 && got > 0;
}

/* The ops the importer makes of ONNX's elementwise ops, reductions and
 * reshapes go out as those ops: export g, check the file (the ONNX checker
 * with full shape inference, and the ONNX ops in want, each a " Name "),
 * read it back, and run both on a batch of 2: every node of g but its
 * constants is there by name with its shape, computes the same values
 * within tol (0: to the bit) and any node the import adds is a step the
 * export wrote ("<node>/<step>"). The general nodes keep their settings. */
static void roundtrip_general(const char *what, EngGraph *g, const char *want, float tol) {
    char path[128], err[2048], ops[4096] = "";
    snprintf(path, sizeof path, "%s/%s.onnx", dir, what);
    CHECK(eng_graph_ok(g) && fill_params(g) == 0);
    if (!eng_graph_ok(g)) {
        fprintf(stderr, "  %s: %s\n", what, eng_graph_error(g));
        return;
    }
    EngOnnxExport info = {.name = what};
    const int rc = eng_onnx_save(g, path, &info, err, sizeof err);
    CHECK(rc == 0);
    if (rc != 0) {
        fprintf(stderr, "  %s: %s\n", what, err);
        return;
    }
    const int ok = onnx_checker(path);
    CHECK(ok != 0);
    if (onnx_op_types(path, ops, sizeof ops))
        for (const char *w = want; *w;) {
            char one[64];
            int len = 0;
            while (w[len] && w[len] != ' ') len++;
            snprintf(one, sizeof one, " %.*s ", len, w);
            CHECK(strstr(ops, one) != NULL);
            if (!strstr(ops, one)) fprintf(stderr, "  %s: no %s in the file:%s\n", what, one, ops);
            w += len;
            while (*w == ' ') w++;
        }
    EngGraph *h = eng_onnx_load(path, 0, 0, 0, NULL, 0, err, sizeof err);
    remove(path);
    CHECK(h != NULL);
    if (!h) {
        fprintf(stderr, "  %s: reading the export back: %s\n", what, err);
        return;
    }
    const int fails0 = check_failures;
    for (int i = 0; i < eng_graph_node_count(g); i++) {
        const EngNode *a = eng_graph_node(g, i);
        if (a->op == ENG_OP_CONST) continue;
        const int j = eng_graph_find(h, a->name);
        CHECK(j >= 0);
        if (j < 0) {
            fprintf(stderr, "  %s: node '%s' is missing after the round trip\n", what, a->name);
            continue;
        }
        const EngNode *b = eng_graph_node(h, j);
        CHECK(a->out.C == b->out.C && a->out.H == b->out.H && a->out.W == b->out.W);
        if (a->op == ENG_OP_UNARY && a->p.unary.kind != ENG_UNARY_LINEAR) {
            CHECK(b->op == ENG_OP_UNARY && b->p.unary.kind == a->p.unary.kind &&
                  b->p.unary.alpha == a->p.unary.alpha && b->p.unary.gamma == a->p.unary.gamma);
        }
        if (a->op == ENG_OP_DEPTH_SPACE)
            CHECK(b->op == a->op && !memcmp(&a->p.ds, &b->p.ds, sizeof a->p.ds));
        if (a->op == ENG_OP_PAD) CHECK(b->op == a->op && b->p.pad.mode == a->p.pad.mode);
        if (a->op == ENG_OP_BMM) { /* itself, or its MatMul "<node>/matmul" before a Reshape */
            char mm[160];
            snprintf(mm, sizeof mm, "%s/matmul", a->name);
            const int jm = eng_graph_find(h, mm);
            const EngNode *c = b->op == ENG_OP_BMM ? b : jm >= 0 ? eng_graph_node(h, jm) : NULL;
            CHECK(c != NULL && c->op == ENG_OP_BMM && c->macs == a->macs);
        }
    }
    for (int j = 0; j < eng_graph_node_count(h); j++) {
        const char *nm = eng_graph_node(h, j)->name;
        const int mine = eng_graph_find(g, nm) >= 0;
        CHECK(mine || strchr(nm, '/') != NULL || eng_graph_node(h, j)->op == ENG_OP_CONST);
        if (!mine && !strchr(nm, '/') && eng_graph_node(h, j)->op != ENG_OP_CONST)
            fprintf(stderr, "  %s: extra node '%s'\n", what, nm);
    }
    const int in_g = 0;
    const EngShape is = eng_graph_node(g, in_g)->out;
    CHECK(eng_graph_plan(g, 2) == 0 && eng_graph_plan(h, 2) == 0);
    const size_t n_in = 2 * (size_t)is.C * is.H * is.W;
    float *xg = eng_graph_input_buffer(g, 0), *xh = eng_graph_input_buffer(h, 0);
    for (size_t k = 0; xg && xh && k < n_in; k++) xg[k] = xh[k] = urand();
    CHECK(eng_graph_forward(g) == 0 && eng_graph_forward(h) == 0);
    double worst = 0.0;
    size_t compared = 0;
    for (int i = 0; i < eng_graph_node_count(g); i++) {
        const EngNode *a = eng_graph_node(g, i);
        const int j = eng_graph_find(h, a->name);
        if (j < 0 || !a->act || a->op == ENG_OP_CONST) continue;
        const EngNode *b = eng_graph_node(h, j);
        const size_t n = 2 * (size_t)a->out.C * a->out.H * a->out.W;
        size_t bad = 0;
        for (size_t k = 0; b->act && k < n; k++) {
            const float u = a->act[k], v = b->act[k];
            if (isnan(u) && isnan(v)) continue;
            const double e = fabs((double)u - v);
            if (e > worst) worst = e;
            bad += !(e <= tol * (1.0 + fabs(u)));
        }
        compared++;
        if (bad) fprintf(stderr, "  %s/%s: %zu of %zu values differ\n", what, a->name, bad, n);
        CHECK(bad == 0);
    }
    if (check_failures != fails0) fprintf(stderr, "  %s: the round trip differs\n", what);
    else
        printf("  %-18s %s: checker %s, read back, %zu nodes within %.2g (largest difference "
               "%.2g)\n", what, want, ok > 0 ? "passes" : "absent", compared, (double)tol, worst);
    eng_graph_destroy(h);
}

/* Every elementwise function of ENG_OP_UNARY, each with its attributes away
 * from ONNX's defaults, on a map and on a vector. */
static void test_unary_export(void) {
    EngGraph *g = eng_graph_create();
    int x = eng_input(g, "data", 3, 5, 6);
    x = eng_conv_k(g, "conv", x, 4, 3, 1, 1, 1, 1);
    x = eng_unary(g, "abs", x, ENG_UNARY_ABS, 0, 0);
    x = eng_unary(g, "sqrt", x, ENG_UNARY_SQRT, 0, 0);
    x = eng_unary(g, "log", x, ENG_UNARY_LOG, 0, 0);
    x = eng_unary(g, "neg", x, ENG_UNARY_NEG, 0, 0);
    x = eng_unary(g, "exp", x, ENG_UNARY_EXP, 0, 0);
    x = eng_unary(g, "recip", x, ENG_UNARY_RECIPROCAL, 0, 0);
    x = eng_unary(g, "sub_half", x, ENG_UNARY_LINEAR, 1.0f, -0.5f);
    x = eng_unary(g, "erf", x, ENG_UNARY_ERF, 0, 0);
    x = eng_unary(g, "elu", x, ENG_UNARY_ELU, 0.7f, 0);
    x = eng_unary(g, "selu", x, ENG_UNARY_SELU, 1.5f, 1.1f);
    x = eng_unary(g, "celu", x, ENG_UNARY_CELU, 1.3f, 0);
    x = eng_unary(g, "affine_scalar", x, ENG_UNARY_LINEAR, -2.0f, 0.25f);
    x = eng_unary(g, "softplus", x, ENG_UNARY_SOFTPLUS, 0, 0);
    x = eng_unary(g, "softsign", x, ENG_UNARY_SOFTSIGN, 0, 0);
    x = eng_unary(g, "threshold", x, ENG_UNARY_THRESHOLDED_RELU, 0.2f, 0);
    x = eng_unary(g, "pow3", x, ENG_UNARY_POW, 3.0f, 0);
    x = eng_unary(g, "times3", x, ENG_UNARY_LINEAR, 3.0f, 0.0f);
    x = eng_fc(g, "fc", x, 5, 1);
    x = eng_unary(g, "vec_elu", x, ENG_UNARY_ELU, 0.5f, 0);
    roundtrip_general("unary", g,
                      "Abs Sqrt Log Neg Exp Reciprocal Add Erf Elu Selu Celu Mul Softplus "
                      "Softsign ThresholdedRelu Pow",
                      0.0f);
    eng_graph_destroy(g);
}

/* Add, Sub, Mul, Div, Pow with broadcasting (a row, a column, a vector read
 * as a row, a constant in front), and the four reductions over several axes,
 * with views that are not the nodes' own shapes. */
static void test_binary_reduce_export(void) {
    EngGraph *g = eng_graph_create();
    int x = eng_input(g, "data", 3, 4, 5);
    int a = eng_conv_k(g, "conv", x, 4, 3, 1, 1, 1, 1);                       /* 4x4x5 */
    const int full[4] = {1, 4, 4, 5}, col[4] = {1, 4, 4, 1}, chan[4] = {1, 4, 1, 1},
              row[4] = {1, 1, 1, 5}, cube[4] = {1, 2, 8, 5};
    int m = eng_reduce(g, "mean_w", a, ENG_REDUCE_MEAN, full, 1 << 3, (EngShape){4, 4, 1});
    int d = eng_binary(g, "centre", a, m, ENG_BINARY_SUB, full, col, (EngShape){4, 4, 5});
    int mx = eng_reduce(g, "max_hw", d, ENG_REDUCE_MAX, full, 4 | 8, (EngShape){4, 1, 1});
    int q = eng_binary(g, "ratio", d, mx, ENG_BINARY_DIV, full, chan, (EngShape){4, 4, 5});
    int v = eng_fc(g, "fc", x, 5, 1);                                          /* [N, 5] */
    int s = eng_binary(g, "plus_row", q, v, ENG_BINARY_ADD, full, row, (EngShape){16, 5, 1});
    int k = eng_const(g, "k", 1, 1, 5);
    int t = eng_binary(g, "k_minus", k, s, ENG_BINARY_SUB, row, full, (EngShape){4, 4, 5});
    int ab = eng_unary(g, "abs", t, ENG_UNARY_ABS, 0, 0);
    int e = eng_const(g, "e", 1, 1, 5);
    int p = eng_binary(g, "pow", ab, e, ENG_BINARY_POW, full, row, (EngShape){4, 4, 5});
    int mu = eng_binary(g, "prod", p, q, ENG_BINARY_MUL, cube, cube, (EngShape){2, 8, 5});
    int sum = eng_reduce(g, "sum_ch", mu, ENG_REDUCE_SUM, cube, 2 | 4, (EngShape){5, 1, 1});
    int sq = eng_reduce(g, "sumsq_w", mu, ENG_REDUCE_SUM_SQUARE, cube, 8, (EngShape){2, 8, 1});
    int f = eng_fc(g, "head", sq, 5, 0);
    eng_binary(g, "out", sum, f, ENG_BINARY_ADD, (const int[4]){1, 1, 1, 5},
               (const int[4]){1, 1, 1, 5}, (EngShape){5, 1, 1});
    CHECK(eng_graph_ok(g));
    if (eng_graph_ok(g)) { /* exponents 1, 2, 3 and 0.5 (of a non-negative base), a constant */
        CHECK(eng_graph_init_params(g, 3) == 0);
        const float ev[5] = {1.0f, 2.0f, 3.0f, 0.5f, 2.0f};
        memcpy(eng_graph_node_mut(g, e)->params[0].data, ev, sizeof ev);
    }
    (void)k;
    roundtrip_general("binary_reduce", g,
                      "Sub Div Add Pow Mul ReduceMean ReduceMax ReduceSum ReduceSumSquare Reshape",
                      1e-6f);
    eng_graph_destroy(g);
}

/* MatMul of two computed tensors (a conv of x times x transposed, a matrix
 * per channel), a constant matrix on the left broadcast over the channels,
 * and a product whose output view is not the engine's shape (a Reshape
 * after it): each comes back a bmm node computing the same to rounding. */
static void test_bmm_export(void) {
    EngGraph *g = eng_graph_create();
    int x = eng_input(g, "data", 2, 3, 4);
    int a = eng_conv_k(g, "conv", x, 2, 1, 1, 0, 1, 1);                       /* 2x3x4 */
    const int xd[4] = {1, 2, 3, 4}, td[4] = {1, 2, 4, 3}, perm[4] = {0, 1, 3, 2};
    int t = eng_transpose(g, "tr", x, xd, perm, 2, 4, 3);
    int s = eng_bmm(g, "scores", a, t, xd, td, (EngShape){2, 3, 3});           /* 2x3x3 */
    int k = eng_const(g, "k", 5, 3, 1);
    const int kd[4] = {1, 1, 5, 3}, sd[4] = {1, 2, 3, 3};
    int ks = eng_bmm(g, "k_times", k, s, kd, sd, (EngShape){2, 5, 3});         /* 2x5x3 */
    const int ksd[4] = {1, 2, 5, 3}, ad[4] = {1, 2, 3, 4};
    int f = eng_bmm(g, "flat_out", ks, a, ksd, ad, (EngShape){40, 1, 1});      /* 2x5x4 as 40 */
    eng_fc(g, "fc", f, 3, 1);
    roundtrip_general("bmm", g, "MatMul Transpose Reshape", 1e-5f);
    int found = 0;
    for (int i = 0; i < eng_graph_node_count(g); i++) found += eng_graph_node(g, i)->op == ENG_OP_BMM;
    CHECK(found == 3);
    eng_graph_destroy(g);
}

/* DepthToSpace in both orders and SpaceToDepth, reflect and edge padding,
 * and the reshapes: Reshape, Transpose, Slice, an affine node, MatMul (with
 * a transposed input and a bias), a layer norm over the last axis. */
static void test_shape_ops_export(void) {
    EngGraph *g = eng_graph_create();
    int x = eng_input(g, "data", 8, 4, 6);
    x = eng_depth_space(g, "d2s_dcr", x, 2, 0, 1);                            /* 2x8x12 */
    x = eng_conv_k(g, "conv", x, 8, 3, 1, 1, 1, 1);
    x = eng_depth_space(g, "d2s_crd", x, 2, 1, 1);                            /* 2x16x24 */
    x = eng_depth_space(g, "s2d", x, 4, 0, 0);                                /* 32x4x6 */
    const EngPadParams refl = {1, 2, 2, 1, 0.0f, 0, 0, ENG_PAD_REFLECT};
    x = eng_pad_chw(g, "reflect", x, &refl);                                  /* 32x7x9 */
    const EngPadParams edge = {0, 3, 1, 0, 0.0f, 0, 0, ENG_PAD_EDGE};
    x = eng_pad_chw(g, "edge", x, &edge);                                     /* 32x8x12 */
    x = eng_conv_k(g, "conv2", x, 6, 3, 2, 1, 1, 1);                          /* 6x4x6 */
    const int sd[4] = {2, 3, 4, 6}, sp2[4] = {1, 0, 2, 3};
    x = eng_transpose(g, "shuffle", x, sd, sp2, 6, 4, 6);                    /* channel shuffle */
    const int td[4] = {1, 6, 4, 6}, tp[4] = {0, 2, 3, 1};
    x = eng_transpose(g, "to_nhwc", x, td, tp, 4, 6, 6);                      /* 4x6x6 */
    x = eng_layernorm_span(g, "ln_last", x, 6, 1, 1e-5f);
    x = eng_matmul(g, "linear", x, 24, 6, 10, 0, 1);                          /* 24x10x1 */
    x = eng_matmul(g, "linear_t", x, 10, 24, 3, 1, 0);                        /* 10x3x1 */
    const EngSliceParams sp = {1, 10, 3, 1, 3, 3};
    x = eng_slice(g, "rows", x, &sp, (EngShape){3, 3, 1});                    /* 3x3x1 */
    x = eng_reshape(g, "flat", x, 9, 1, 1);
    x = eng_affine(g, "shift", x, 1, 1);
    int y = eng_fc(g, "fc", x, 6, 1);
    y = eng_affine(g, "scale_vec", y, 1, 0);
    roundtrip_general("shape_ops", g,
                      "DepthToSpace SpaceToDepth Pad Transpose ReduceMean MatMul Slice Reshape", 1e-6f);
    eng_graph_destroy(g);
}

static void quiet(EngLogLevel level, const char *msg, void *user) {
    (void)level, (void)msg, (void)user;
}

int main(void) {
    eng_log_set(quiet, NULL);
    snprintf(dir, sizeof dir, "/tmp/convscope_export_XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_errors();
    test_not_exported();
    test_vector_to_map();
    test_all_ops();
    test_modern_ops();
    test_resize();
    test_unary_export();
    test_binary_reduce_export();
    test_bmm_export();
    test_shape_ops_export();
    test_zoo();
    rmdir(dir);
    return check_finish("export");
}
