/*
 * test_graph.c — the graph: shape inference and its errors, receptive fields,
 * accounting, buffers, and whole forward passes (fast kernels against the
 * naive twins, activations readable by name, max-pool switches recorded),
 * the op table every pass goes through, and the scratch the plan sizes.
 */
#include "check.h"
#include "eng.h"
#include "eng_graph_internal.h"
#include "models.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void quiet(EngLogLevel level, const char *msg, void *user) {
    (void)level, (void)msg, (void)user;
}

/* The error of a graph whose last add failed contains `want`. */
static int error_has(EngGraph *g, const char *want) {
    const char *e = eng_graph_error(g);
    int ok = !eng_graph_ok(g) && e && strstr(e, want);
    if (!ok) fprintf(stderr, "  error was: %s (wanted '%s')\n", e ? e : "(none)", want);
    return ok;
}

static void test_errors(void) {
    EngGraph *g = eng_graph_create();
    int x = eng_input(g, "data", 3, 8, 8);
    CHECK(x == 0 && eng_graph_ok(g));
    int c = eng_conv_k(g, "conv1", x, 4, 11, 1, 0, 1, 1);
    CHECK(c == -1);
    CHECK(error_has(g, "node 'conv1' (conv): kernel 11x11"));
    CHECK(error_has(g, "larger than padded input 8x8"));
    /* a failed graph refuses later adds and keeps the first message */
    CHECK(eng_relu(g, "relu1", x) == -1);
    CHECK(error_has(g, "conv1"));
    CHECK(eng_graph_plan(g, 1) != 0);
    eng_graph_destroy(g);

    /* a shape whose element count passes 2^63 (2^22 cubed = 2^66 wraps to 0) is refused */
    g = eng_graph_create();
    CHECK(eng_input(g, "huge", 1 << 22, 1 << 22, 1 << 22) == -1);
    CHECK(error_has(g, "empty or too large"));
    eng_graph_destroy(g);
    g = eng_graph_create();
    x = eng_input(g, "data", 1 << 16, 1, 1);
    CHECK(x == 0 && eng_maxunpool(g, "unpool", x, 1 << 24, 1 << 24) == -1);
    eng_graph_destroy(g);

    g = eng_graph_create();
    x = eng_input(g, "data", 6, 8, 8);
    CHECK(eng_conv_k(g, "conv", x, 4, 3, 1, 1, 4, 1) == -1);
    CHECK(error_has(g, "4 groups must divide input channels 6"));
    eng_graph_destroy(g);

    g = eng_graph_create();
    x = eng_input(g, "data", 3, 8, 8);
    int a = eng_conv_k(g, "a", x, 4, 3, 1, 1, 1, 1);
    int b = eng_conv_k(g, "b", x, 4, 3, 2, 1, 1, 1);
    CHECK(eng_add2(g, "sum", a, b) == -1);
    CHECK(error_has(g, "node 'sum' (add): input 1 is 4x4x4 but input 0 is 4x8x8"));
    eng_graph_destroy(g);

    g = eng_graph_create();
    x = eng_input(g, "data", 3, 8, 8);
    a = eng_conv_k(g, "a", x, 4, 3, 1, 1, 1, 1);
    b = eng_conv_k(g, "b", x, 4, 3, 2, 1, 1, 1);
    int cc[2] = {a, b};
    CHECK(eng_concat(g, "cat", cc, 2) == -1);
    CHECK(error_has(g, "node 'cat' (concat): input 1 is 4x4"));
    eng_graph_destroy(g);

    g = eng_graph_create();
    x = eng_input(g, "data", 3, 8, 8);
    CHECK(eng_relu(g, "data", x) == -1);
    CHECK(error_has(g, "already exists"));
    eng_graph_destroy(g);

    g = eng_graph_create();
    x = eng_input(g, "data", 3, 8, 8);
    CHECK(eng_relu(g, "r", 7) == -1);
    CHECK(error_has(g, "not a node of this graph"));
    eng_graph_destroy(g);

    /* sizes from user input: absurd or overflowing shapes are refused */
    g = eng_graph_create();
    CHECK(eng_input(g, "data", 3, 1 << 20, 1 << 20) == -1);
    CHECK(error_has(g, "too large"));
    eng_graph_destroy(g);
    g = eng_graph_create();
    CHECK(eng_input(g, "data", 0, 8, 8) == -1);
    CHECK(error_has(g, "empty"));
    eng_graph_destroy(g);
    g = eng_graph_create();
    x = eng_input(g, "data", 4096, 64, 64);
    CHECK(eng_fc(g, "fc", x, 1 << 20, 1) == -1);
    CHECK(error_has(g, "too many"));
    eng_graph_destroy(g);
    g = eng_graph_create();
    x = eng_input(g, "data", 3, 8, 8);
    CHECK(eng_maxpool_k(g, "pool", x, 2, 2, 2) == -1);
    CHECK(error_has(g, "padding must be smaller"));
    eng_graph_destroy(g);
    g = eng_graph_create();
    x = eng_input(g, "data", 3, 8, 8);
    CHECK(eng_conv_k(g, "c", x, 4, 3, 0, 1, 1, 1) == -1);
    CHECK(error_has(g, "invalid settings"));
    eng_graph_destroy(g);
    g = eng_graph_create();
    x = eng_input(g, "data", 3, 8, 8);
    CHECK(eng_clip(g, "clip", x, 6.0f, 0.0f) == -1);
    CHECK(eng_graph_ok(g) == 0);
    eng_graph_destroy(g);
    /* batch sizes are checked when planning */
    g = eng_graph_create();
    x = eng_input(g, "data", 3, 8, 8);
    CHECK(eng_graph_plan(g, 0) != 0);
    CHECK(eng_graph_plan(g, 1 << 30) != 0);
    /* forward before parameters exist is an error, not a crash */
    CHECK(eng_graph_plan(g, 1) == 0);
    CHECK(eng_graph_forward(g) != 0);
    eng_graph_destroy(g);
}

/* Two stacked 3x3 convolutions see what one 5x5 sees (Simonyan & Zisserman 2014),
 * three see what a 7x7 sees; and the Distill recurrence by hand. */
static void test_receptive_fields(void) {
    EngGraph *g = eng_graph_create();
    int x = eng_input(g, "data", 8, 32, 32);
    int a = eng_conv_k(g, "a1", x, 8, 3, 1, 1, 1, 1);
    a = eng_conv_k(g, "a2", a, 8, 3, 1, 1, 1, 1);
    int b = eng_conv_k(g, "b", x, 8, 5, 1, 2, 1, 1);
    int a3 = eng_conv_k(g, "a3", a, 8, 3, 1, 1, 1, 1);
    int c = eng_conv_k(g, "c", x, 8, 7, 1, 3, 1, 1);
    const EngNode *na = eng_graph_node(g, a), *nb = eng_graph_node(g, b);
    CHECK(na->rf.finite && nb->rf.finite);
    CHECK_EQ_I64(na->rf.size, 5);
    CHECK_EQ_I64(na->rf.size, nb->rf.size);
    CHECK_EQ_I64(na->rf.stride, nb->rf.stride);
    CHECK_EQ_I64(na->rf.pad, nb->rf.pad);
    CHECK_EQ_I64(eng_graph_node(g, a3)->rf.size, eng_graph_node(g, c)->rf.size);
    CHECK_EQ_I64(eng_graph_node(g, a3)->rf.size, 7);
    /* parameters: 2 * 9 * C^2 vs 25 * C^2 (plus biases) */
    CHECK_EQ_I64(eng_node_weights(eng_graph_node(g, eng_graph_find(g, "a1"))) +
                     eng_node_weights(na),
                 2 * 9 * 8 * 8);
    CHECK_EQ_I64(eng_node_weights(nb), 25 * 8 * 8);
    /* the add of aligned branches is aligned; its field is the larger one */
    int s = eng_add2(g, "sum", a3, c);
    CHECK(!eng_graph_node(g, s)->rf.misaligned && eng_graph_node(g, s)->rf.size == 7);
    eng_graph_destroy(g);

    /* by hand: conv 7x7/2 pad 3 -> pool 3x3/2 pad 1 -> conv 3x3/1 pad 1 (ResNet stem):
     * r: 1 -> 7 -> 7 + 2*2 = 11 -> 11 + 2*4 = 19; j: 2, 4, 4; p: 3, 3 + 1*2 = 5, 5 + 4 = 9 */
    g = eng_graph_create();
    x = eng_input(g, "data", 3, 64, 64);
    int c1 = eng_conv_k(g, "conv1", x, 8, 7, 2, 3, 1, 0);
    int p1 = eng_maxpool_k(g, "pool", c1, 3, 2, 1);
    int c2 = eng_conv_k(g, "conv2", p1, 8, 3, 1, 1, 1, 0);
    EngRf r = eng_graph_node(g, c2)->rf;
    CHECK(r.finite && r.size == 19 && r.stride == 4 && r.pad == 9);
    r = eng_graph_node(g, p1)->rf;
    CHECK(r.size == 11 && r.stride == 4 && r.pad == 5);
    /* dilation: a 3x3 with dilation 2 spans 5 */
    EngConvParams dp = {.oc = 8, .kh = 3, .kw = 3, .sh = 1, .sw = 1, .pt = 2, .pl = 2, .pb = 2,
                        .pr = 2, .dh = 2, .dw = 2, .groups = 1};
    int d = eng_conv(g, "dil", c2, &dp);
    CHECK_EQ_I64(eng_graph_node(g, d)->rf.size, 19 + 4 * 4);
    /* a 1x1/2 shortcut that skips the pool stays centred (aligned, ResNet's
     * projection); a 2x2/2 one shifts its field's centre by one pixel */
    int sk = eng_conv_k(g, "skip", c1, 8, 1, 2, 0, 1, 0);
    int m0 = eng_add2(g, "merge_aligned", sk, c2);
    CHECK(!eng_graph_node(g, m0)->rf.misaligned);
    int sk2 = eng_conv_k(g, "skip2", c1, 8, 2, 2, 0, 1, 0);
    int m = eng_add2(g, "merge", sk2, c2);
    CHECK(eng_graph_node(g, m)->rf.misaligned);
    /* global pooling and FC: no finite field */
    int gp = eng_gavgpool(g, "gap", m);
    int fc = eng_fc(g, "fc", gp, 10, 1);
    CHECK(!eng_graph_node(g, gp)->rf.finite && !eng_graph_node(g, fc)->rf.finite);
    CHECK(eng_graph_ok(g));
    eng_graph_destroy(g);
}

static void test_accounting(void) {
    EngGraph *g = eng_graph_create();
    int x = eng_input(g, "data", 3, 32, 32);
    int c = eng_conv_k(g, "conv", x, 16, 3, 1, 1, 1, 1);        /* 16*3*9 + 16 */
    int bn = eng_bn(g, "bn", c, 1e-5f);                          /* 16 + 16 learnable */
    int r = eng_relu(g, "relu", bn);
    int dw = eng_conv_k(g, "dw", r, 16, 3, 2, 1, 16, 0);         /* 16*9, output 16x16 */
    int pw = eng_conv_k(g, "pw", dw, 32, 1, 1, 0, 1, 0);         /* 32*16 */
    int gp = eng_gavgpool(g, "gap", pw);
    int fc = eng_fc(g, "fc", gp, 10, 1);                         /* 320 + 10 */
    int aux = eng_fc(g, "aux", gp, 7, 1);                        /* 32*7 + 7, training only */
    eng_graph_set_flags(g, aux, ENG_NODE_TRAIN_ONLY);
    int aux2 = eng_relu(g, "aux_relu", aux);
    eng_graph_set_output(g, fc);
    CHECK(eng_graph_ok(g));
    CHECK(eng_graph_node(g, aux2)->flags & ENG_NODE_TRAIN_ONLY); /* inherited */
    EngTotals t = eng_graph_totals(g);
    CHECK_EQ_I64(t.params, 16 * 27 + 16 + 32 + 16 * 9 + 32 * 16 + 330);
    CHECK_EQ_I64(t.weights, 16 * 27 + 16 + 16 * 9 + 32 * 16 + 320);
    CHECK_EQ_I64(t.train_only_params, 32 * 7 + 7);
    CHECK_EQ_I64(t.macs, 16LL * 32 * 32 * 27 + 16LL * 16 * 16 * 9 + 32LL * 16 * 16 * 16 + 320);
    int64_t act = 4LL * (3 * 32 * 32 + 3 * 16 * 32 * 32 + 16 * 16 * 16 + 32 * 16 * 16 + 32 + 10);
    CHECK_EQ_I64(t.act_bytes, act);
    CHECK_EQ_I64(eng_graph_depth(g), 4);
    CHECK_EQ_I64(eng_graph_output(g), fc);
    const EngNode *nb = eng_graph_node(g, bn);
    CHECK(nb->n_params == 4 && strcmp(nb->params[2].suffix, "running_mean") == 0 &&
          !nb->params[2].learnable);
    CHECK_EQ_I64(eng_graph_node(g, dw)->params[0].dims[1], 1);
    eng_graph_destroy(g);
}

/* A small DAG that uses every op: the fast forward against the reference. */
static EngGraph *every_op_graph(int *out_id) {
    EngGraph *g = eng_graph_create();
    int x = eng_input(g, "data", 4, 13, 11);
    int c1 = eng_conv_k(g, "conv1", x, 8, 3, 1, 1, 1, 1);
    int lrn = eng_lrn(g, "norm1", c1, 5, 1e-2f, 0.75f, 2.0f);
    int bn = eng_bn(g, "bn1", lrn, 1e-5f);
    int r = eng_relu(g, "relu1", bn);
    EngPoolParams mp = {.kh = 3, .kw = 3, .sh = 2, .sw = 2, .ceil_mode = 1};
    int p1 = eng_maxpool(g, "pool1", r, &mp);                       /* 8x6x5 */
    /* inception-like branches */
    int b1 = eng_conv_k(g, "b1", p1, 4, 1, 1, 0, 1, 1);
    EngConvParams dil = {.oc = 4, .kh = 3, .kw = 3, .sh = 1, .sw = 1, .pt = 2, .pl = 2, .pb = 2,
                         .pr = 2, .dh = 2, .dw = 2, .groups = 2, .has_bias = 1};
    int b2 = eng_conv(g, "b2", p1, &dil);
    int b3 = eng_conv_k(g, "b3_dw", p1, 8, 3, 1, 1, 8, 0);
    b3 = eng_clip(g, "b3_relu6", b3, 0.0f, 6.0f);
    EngPoolParams ap = {.kh = 3, .kw = 3, .sh = 1, .sw = 1, .pt = 1, .pl = 1, .pb = 1, .pr = 1,
                        .count_include_pad = 1};
    int b4 = eng_avgpool(g, "b4_pool", p1, &ap);
    int ins[4] = {b1, b2, b3, b4};
    int cat = eng_concat(g, "cat", ins, 4);                          /* 24x6x5 */
    int lk = eng_leakyrelu(g, "leaky", cat, 0.1f);
    int pr = eng_prelu(g, "prelu", lk, 24);
    int c2 = eng_conv_k(g, "conv2", pr, 24, 3, 1, 1, 3, 0);
    int hs = eng_hardswish(g, "hswish", c2);
    int ad = eng_add2(g, "res", hs, pr);
    /* squeeze-and-excitation: channel multiply by a sigmoid of the pooled map */
    int se = eng_gavgpool(g, "se_pool", ad);
    se = eng_fc(g, "se_fc", se, 24, 1);
    se = eng_hardsigmoid(g, "se_gate", se, 0.2f, 0.5f);
    int mul = eng_mul(g, "se_scale", ad, se);
    int pd = eng_pad(g, "pad", mul, 1, 0, 2, 1, 0.5f);
    int ct = eng_convt(g, "up",
                       pd, &(EngConvTParams){.oc = 6, .kh = 3, .kw = 3, .sh = 2, .sw = 2, .pt = 1,
                                             .pl = 1, .pb = 1, .pr = 1, .dh = 1, .dw = 1,
                                             .groups = 2, .oph = 1, .opw = 1, .has_bias = 1});
    int th = eng_tanh(g, "tanh", ct);
    int sg = eng_sigmoid(g, "sig", th);
    int gm = eng_gmaxpool(g, "gmax", sg);
    int ap2 = eng_avgpool_k(g, "avg", th, 2, 2, 0);
    int fl = eng_flatten(g, "flat", ap2);
    int dr = eng_dropout(g, "drop", fl, 0.5f);
    int fc = eng_fc(g, "fc", dr, 10, 1);
    int gf = eng_flatten(g, "gflat", gm);
    int fc2 = eng_fc(g, "fc_g", gf, 10, 0);
    int sum = eng_add2(g, "logits", fc, fc2);
    int sm = eng_softmax(g, "prob", sum);
    *out_id = sm;
    return g;
}

static void test_forward(void) {
    int out = -1;
    EngGraph *g = every_op_graph(&out);
    CHECK(eng_graph_ok(g));
    if (!eng_graph_ok(g)) {
        fprintf(stderr, "  %s\n", eng_graph_error(g));
        eng_graph_destroy(g);
        return;
    }
    CHECK(eng_graph_init_params(g, 7) == 0);
    /* non-trivial batch-norm statistics so the op does something */
    EngNode *bn = eng_graph_node_mut(g, eng_graph_find(g, "bn1"));
    for (int c = 0; c < 8; c++) {
        bn->params[0].data[c] = 1.0f + 0.1f * c;
        bn->params[1].data[c] = 0.05f * c - 0.2f;
        bn->params[2].data[c] = 0.01f * c;
        bn->params[3].data[c] = 0.5f + 0.2f * c;
    }
    const int N = 3;
    CHECK(eng_graph_plan(g, N) == 0);
    int in_id = eng_graph_find(g, "data");
    float *in = eng_graph_input_buffer(g, in_id);
    CHECK(in != NULL);
    uint64_t s = 99;
    for (int i = 0; i < N * 4 * 13 * 11; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        in[i] = (float)((s >> 40) / (double)(1ull << 24)) * 4.0f - 2.0f;
    }
    CHECK(eng_graph_forward(g) == 0);
    /* keep every activation of the fast pass */
    int nn = eng_graph_node_count(g);
    float **fast = calloc((size_t)nn, sizeof *fast);
    for (int i = 0; i < nn; i++) {
        const EngNode *n = eng_graph_node(g, i);
        size_t cnt = (size_t)N * n->out.C * n->out.H * n->out.W;
        fast[i] = malloc(cnt * sizeof(float));
        memcpy(fast[i], n->act, cnt * sizeof(float));
    }
    eng_graph_set_reference(g, 1);
    CHECK(eng_graph_forward(g) == 0);
    for (int i = 0; i < nn; i++) {
        const EngNode *n = eng_graph_node(g, i);
        size_t cnt = (size_t)N * n->out.C * n->out.H * n->out.W;
        char what[128];
        snprintf(what, sizeof what, "forward '%s'", n->name);
        check_close(what, fast[i], n->act, cnt, 1e-4f, 1e-3f);
        free(fast[i]);
    }
    free(fast);
    /* the output is a probability distribution per sample */
    const EngNode *o = eng_graph_node(g, out);
    CHECK(o->out.C == 10 && o->out.H == 1 && o->out.W == 1);
    for (int n = 0; n < N; n++) {
        double sum = 0;
        for (int k = 0; k < 10; k++) sum += o->act[n * 10 + k];
        CHECK(fabs(sum - 1.0) < 1e-5);
    }
    /* switches: each points at the value the pool output holds */
    const EngNode *p = eng_graph_node(g, eng_graph_find(g, "pool1"));
    const EngNode *pin = eng_graph_node(g, p->inputs[0]);
    CHECK(p->argmax != NULL);
    int ok = 1;
    for (int i = 0; i < N * p->out.C * p->out.H * p->out.W; i++) {
        int plane = i / (p->out.H * p->out.W);
        const float *src = pin->act + (size_t)plane * pin->out.H * pin->out.W;
        if (p->argmax[i] < 0 || p->argmax[i] >= pin->out.H * pin->out.W ||
            src[p->argmax[i]] != p->act[i])
            ok = 0;
    }
    CHECK(ok);
    /* the plan is reused: same batch keeps the same buffers */
    const float *before = eng_graph_node(g, out)->act;
    CHECK(eng_graph_plan(g, N) == 0);
    CHECK(eng_graph_node(g, out)->act == before);
    CHECK(eng_graph_plan(g, 1) == 0 && eng_graph_batch(g) == 1);
    CHECK(eng_graph_input_buffer(g, eng_graph_find(g, "conv1")) == NULL);
    /* a planned graph cannot grow */
    CHECK(eng_relu(g, "late", out) == -1);
    eng_graph_destroy(g);
}

/* A forward pass by hand: conv 1x1 (w=2, b=1) -> relu -> fc (sum). */
static void test_forward_by_hand(void) {
    EngGraph *g = eng_graph_create();
    int x = eng_input(g, "x", 1, 2, 2);
    int c = eng_conv_k(g, "c", x, 1, 1, 1, 0, 1, 1);
    int r = eng_relu(g, "r", c);
    int f = eng_fc(g, "f", r, 1, 0);
    CHECK(eng_graph_alloc_params(g) == 0);
    EngNode *nc = eng_graph_node_mut(g, c), *nf = eng_graph_node_mut(g, f);
    nc->params[0].data[0] = 2.0f;
    nc->params[1].data[0] = 1.0f;
    for (int i = 0; i < 4; i++) nf->params[0].data[i] = 1.0f;
    CHECK(eng_graph_plan(g, 1) == 0);
    float *in = eng_graph_input_buffer(g, x);
    in[0] = 1, in[1] = -3, in[2] = 0.5f, in[3] = 2;
    CHECK(eng_graph_forward(g) == 0);
    /* 2x+1 = 3, -5, 2, 5 -> relu 3, 0, 2, 5 -> sum 10 */
    CHECK(fabsf(eng_graph_node(g, f)->act[0] - 10.0f) < 1e-6f);
    CHECK(eng_graph_node(g, r)->act[1] == 0.0f);
    eng_graph_destroy(g);
}

/* The ops ONNX import uses for tensors that are not (C, H, W) maps: softmax
 * over a span, one PReLU slope per unit, a reshape, a matmul inside a sample. */
static void test_general_tensors(void) {
    EngGraph *g = eng_graph_create();
    int x = eng_input(g, "x", 2, 3, 1);             /* a sample (2, 3): two rows of three */
    int rows = eng_softmax_span(g, "rows", x, 3, 1);  /* over each row */
    int cols = eng_softmax_span(g, "cols", x, 2, 3);  /* over each column = over channels */
    int chan = eng_softmax(g, "chan", x);
    int pr = eng_prelu(g, "pr", x, 6);                /* a slope per unit */
    int rs = eng_reshape(g, "rs", pr, 3, 2, 1);
    int mm = eng_matmul(g, "mm", rs, 2, 3, 1, 1, 1);  /* (3, 2) read transposed: (2, 3) x (3, 1) */
    CHECK(eng_graph_ok(g));
    if (!eng_graph_ok(g)) fprintf(stderr, "  %s\n", eng_graph_error(g));
    CHECK(eng_graph_node(g, rs)->out.C == 3 && eng_graph_node(g, rs)->out.H == 2);
    CHECK(eng_graph_node(g, mm)->out.C == 2 && eng_graph_node(g, mm)->out.H == 1);
    CHECK_EQ_I64(eng_graph_node(g, mm)->macs, 6);
    CHECK(eng_graph_alloc_params(g) == 0);
    EngNode *np = eng_graph_node_mut(g, pr), *nm = eng_graph_node_mut(g, mm);
    for (int i = 0; i < 6; i++) np->params[0].data[i] = 0.1f * (float)(i + 1);
    for (int i = 0; i < 3; i++) nm->params[0].data[i] = 1.0f; /* w (1, 3): a row sum */
    nm->params[1].data[0] = 10.0f, nm->params[1].data[1] = 20.0f;
    CHECK(eng_graph_plan(g, 2) == 0);
    float *in = eng_graph_input_buffer(g, x);
    const float v[12] = {-1, 2, 0.5f, 3, -2, 1, 0, 0, 0, -4, 1, -1};
    memcpy(in, v, sizeof v);
    CHECK(eng_graph_forward(g) == 0);
    for (int n = 0; n < 2; n++) {
        const float *r = eng_graph_node(g, rows)->act + n * 6;
        for (int i = 0; i < 2; i++) {
            const float *z = v + n * 6 + i * 3;
            double den = exp(z[0]) + exp(z[1]) + exp(z[2]);
            for (int j = 0; j < 3; j++) CHECK(fabs(r[i * 3 + j] - exp(z[j]) / den) < 1e-6);
        }
    }
    check_close("softmax span = over channels", eng_graph_node(g, cols)->act,
                eng_graph_node(g, chan)->act, 12, 1e-7f, 0);
    /* prelu: v >= 0 kept, else times 0.1 (unit + 1); the sample's units, each batch alike */
    const float *p = eng_graph_node(g, pr)->act;
    for (int i = 0; i < 12; i++)
        CHECK(fabsf(p[i] - (v[i] >= 0 ? v[i] : 0.1f * (float)(i % 6 + 1) * v[i])) < 1e-6f);
    /* reshape keeps the data; matmul of the transposed (3, 2) sums the 2 rows of 3 of
     * the original, plus 10 and 20 */
    check_close("reshape", eng_graph_node(g, rs)->act, p, 12, 0, 0);
    for (int n = 0; n < 2; n++)
        for (int i = 0; i < 2; i++) {
            float want = (i ? 20.0f : 10.0f);
            for (int j = 0; j < 3; j++) want += p[n * 6 + j * 2 + i];
            CHECK(fabsf(eng_graph_node(g, mm)->act[n * 2 + i] - want) < 1e-5f);
        }
    eng_graph_destroy(g);
    /* concat at axis 2 of (N, 2, 2, 1) with a constant (2, 1, 1), batch of 2: blocks of one
     * value in each of 2 channels */
    g = eng_graph_create();
    x = eng_input(g, "x", 2, 2, 1);
    int k = eng_const(g, "k", 2, 1, 1);
    int xs[2] = {x, k};
    int cat = eng_concat_span(g, "cat", xs, 2, 2, 1, (EngShape){2, 3, 1});
    CHECK(cat >= 0 && eng_graph_alloc_params(g) == 0);
    if (cat >= 0) {
        EngNode *nk = eng_graph_node_mut(g, k);
        nk->params[0].data[0] = 7, nk->params[0].data[1] = 8;
        CHECK(!nk->params[0].learnable && eng_graph_plan(g, 2) == 0);
        float *xin = eng_graph_input_buffer(g, x);
        for (int i = 0; i < 8; i++) xin[i] = (float)(i + 1);
        CHECK(eng_graph_forward(g) == 0);
        const float want[12] = {1, 2, 7, 3, 4, 8, 5, 6, 7, 7, 8, 8};
        check_close("concat span", eng_graph_node(g, cat)->act, want, 12, 0, 0);
    }
    eng_graph_destroy(g);
    g = eng_graph_create();
    x = eng_input(g, "x", 2, 3, 1);
    int xs2[2] = {x, x};
    CHECK(eng_concat_span(g, "bad", xs2, 2, 4, 1, (EngShape){12, 1, 1}) == -1 && !eng_graph_ok(g));
    eng_graph_destroy(g);
    /* what does not fit is refused at the node */
    g = eng_graph_create();
    x = eng_input(g, "x", 2, 3, 1);
    CHECK(eng_softmax_span(g, "bad", x, 4, 1) == -1 && !eng_graph_ok(g));
    eng_graph_destroy(g);
    g = eng_graph_create();
    x = eng_input(g, "x", 2, 3, 1);
    CHECK(eng_reshape(g, "bad", x, 7, 1, 1) == -1 && !eng_graph_ok(g));
    eng_graph_destroy(g);
    g = eng_graph_create();
    x = eng_input(g, "x", 2, 3, 1);
    CHECK(eng_matmul(g, "bad", x, 2, 2, 1, 0, 0) == -1 && !eng_graph_ok(g));
    eng_graph_destroy(g);
    g = eng_graph_create();
    x = eng_input(g, "x", 2, 3, 1);
    CHECK(eng_prelu(g, "bad", x, 3) == -1 && !eng_graph_ok(g));
    eng_graph_destroy(g);
}

/* Every op has its row: a name of its own, a forward step (the input
 * aside), flags that agree with the functions named. */
static void test_op_table(void) {
    for (int op = 0; op < ENG_OP_COUNT; op++) {
        const EngOpInfo *r = &eng_op_table[op];
        const char *name = eng_op_name((EngOpType)op);
        CHECK(r->name != NULL && strcmp(name, "?") != 0 && name == r->name);
        if (!r->name) fprintf(stderr, "  op %d has no row in eng_op_table\n", op);
        CHECK((r->forward == NULL) == (op == ENG_OP_INPUT));
        for (int k = 0; k < op; k++)
            CHECK(!r->name || !eng_op_table[k].name || strcmp(r->name, eng_op_table[k].name) != 0);
        /* a weighted layer (depth, He init) is one whose operations are its
         * multiply-adds */
        CHECK(r->weighted == (r->ops == eng_ops_weighted));
        /* no gradient flows only out of a node without input or into indices */
        CHECK((r->backward == NULL) ==
              (op == ENG_OP_INPUT || op == ENG_OP_CONST || op == ENG_OP_MAXPOOL_INDEX));
    }
    CHECK(strcmp(eng_op_name(ENG_OP_COUNT), "?") == 0);
    CHECK(strcmp(eng_op_name((EngOpType)-1), "?") == 0);
    CHECK(eng_op_table[ENG_OP_CONV].weighted && eng_op_table[ENG_OP_FC].weighted &&
          !eng_op_table[ENG_OP_BN].weighted);
}

/* LRN's backward takes its sums from the plan's scratch: a graph whose only
 * scratch is LRN's gets exactly that much, and the gradient it gives the
 * input matches central differences of sum(r * lrn(x)). */
static void test_lrn_backward_scratch(void) {
    enum { N = 2, C = 9, H = 3, W = 2, size = N * C * H * W };
    EngGraph *g = eng_graph_create();
    int x = eng_input(g, "x", C, H, W);
    int l = eng_lrn(g, "lrn", x, 5, 0.8f, 0.75f, 1.5f);
    CHECK(eng_graph_alloc_params(g) == 0);
    CHECK(eng_graph_plan(g, N) == 0);
    CHECK_EQ_I64(g->scratch_floats, 0); /* the forward needs none */
    CHECK(eng_graph_enable_grads(g) == 0);
    CHECK(eng_graph_plan(g, N) == 0);
    CHECK_EQ_I64(g->scratch_floats, eng_lrn_backward_scratch(C));
    CHECK_EQ_I64(eng_lrn_backward_scratch(C), 2 * C);
    float *in = eng_graph_input_buffer(g, x);
    float r[size], x0[size];
    uint64_t s = 12345;
    for (int i = 0; i < size; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        x0[i] = (float)((s >> 40) % 2001) / 1000.0f - 1.0f;
        r[i] = (float)((s >> 20) % 2001) / 1000.0f - 1.0f;
    }
    memcpy(in, x0, sizeof x0);
    CHECK(eng_graph_forward(g) == 0);
    eng_graph_zero_grads(g);
    memcpy(eng_graph_node_mut(g, l)->grad, r, sizeof r);
    CHECK(eng_graph_backward(g) == 0);
    float got[size], want[size];
    memcpy(got, eng_graph_node(g, x)->grad, sizeof got);
    const float h = 1e-2f;
    for (int i = 0; i < size; i++) {
        double f[2];
        for (int k = 0; k < 2; k++) {
            memcpy(in, x0, sizeof x0);
            in[i] += k ? -h : h;
            CHECK(eng_graph_forward(g) == 0);
            const float *y = eng_graph_node(g, l)->act;
            f[k] = 0.0;
            for (int j = 0; j < size; j++) f[k] += (double)r[j] * y[j];
        }
        want[i] = (float)((f[0] - f[1]) / (2.0 * h));
    }
    check_close("lrn dx", got, want, (size_t)size, 2e-3f, 1e-2f);
    eng_graph_destroy(g);
}

/* Height and width apart: a 1x7 then a 7x1 with a stride of 2 down only,
 * then a 3x3 with a stride of 2 across only and uneven pads. By hand, as
 * (size, stride, pad) for rows | columns:
 *   1x7 pad 0,3:            (1, 1, 0)  | (7, 1, 3)
 *   7x1/(2,1) pad 3,0:      (7, 2, 3)  | (7, 1, 3)
 *   3x3/(1,2) pad t0 b2 l1 r1: (7 + 2*2 = 11, 2, 3 + 0) | (7 + 2*1 = 9, 2, 3 + 1*1 = 4) */
static void test_rf_axes(void) {
    EngGraph *g = eng_graph_create();
    int x = eng_input(g, "data", 3, 32, 32);
    EngConvParams p17 = {.oc = 4, .kh = 1, .kw = 7, .sh = 1, .sw = 1, .pl = 3, .pr = 3, .dh = 1, .dw = 1,
                         .groups = 1};
    EngConvParams p71 = {.oc = 4, .kh = 7, .kw = 1, .sh = 2, .sw = 1, .pt = 3, .pb = 3, .dh = 1, .dw = 1,
                         .groups = 1};
    EngConvParams p33 = {.oc = 4, .kh = 3, .kw = 3, .sh = 1, .sw = 2, .pt = 0, .pb = 2, .pl = 1, .pr = 1,
                         .dh = 1, .dw = 1, .groups = 1};
    int a = eng_conv(g, "conv1x7", x, &p17);
    int b = eng_conv(g, "conv7x1", a, &p71);
    int c = eng_conv(g, "conv3x3_s1x2", b, &p33);
    CHECK(eng_graph_ok(g));
    EngRf r = eng_graph_node(g, a)->rf;
    CHECK(r.finite && r.size == 1 && r.stride == 1 && r.pad == 0 && r.size_w == 7 && r.stride_w == 1 &&
          r.pad_w == 3);
    r = eng_graph_node(g, b)->rf;
    CHECK(r.size == 7 && r.stride == 2 && r.pad == 3 && r.size_w == 7 && r.stride_w == 1 && r.pad_w == 3);
    r = eng_graph_node(g, c)->rf;
    CHECK(r.size == 11 && r.stride == 2 && r.pad == 3 && r.size_w == 9 && r.stride_w == 2 && r.pad_w == 4);
    /* a ReLU keeps both; 7x1 then 1x7 against 1x7 then 7x1: both 7x7, aligned */
    int rl = eng_relu(g, "relu", a);
    CHECK(eng_graph_node(g, rl)->rf.size_w == 7 && eng_graph_node(g, rl)->rf.size == 1);
    EngConvParams q71 = p71;
    q71.sh = 1;
    int b1 = eng_conv(g, "b1_7x1", a, &q71);
    int b2 = eng_conv(g, "b2_7x1", x, &q71);
    b2 = eng_conv(g, "b2_1x7", b2, &p17);
    int m = eng_add2(g, "merge", b1, b2);
    r = eng_graph_node(g, m)->rf;
    CHECK(eng_graph_ok(g) && !r.misaligned && r.size == 7 && r.size_w == 7 && r.pad == 3 && r.pad_w == 3);
    /* a square stack: both axes the same, as before */
    int s = eng_conv_k(g, "square", x, 4, 5, 2, 2, 1, 0);
    r = eng_graph_node(g, s)->rf;
    CHECK(r.size == 5 && r.size_w == 5 && r.stride == 2 && r.stride_w == 2 && r.pad == 2 && r.pad_w == 2);
    char buf[32];
    CHECK(!strcmp(eng_fmt_hw(11, 9, buf, sizeof buf), "11x9") && !strcmp(eng_fmt_hw(5, 5, buf, sizeof buf), "5"));
    eng_graph_destroy(g);
}

/* What the layer tables show of a conv's or pool's window, read back as given:
 * each axis apart, pads in the order top, left, bottom, right. */
static void test_windows(void) {
    EngGraph *g = eng_graph_create();
    int x = eng_input(g, "data", 4, 16, 16);
    EngConvParams cp = {.oc = 6, .kh = 3, .kw = 2, .sh = 2, .sw = 1, .pt = 0, .pl = 1, .pb = 2,
                        .pr = 1, .dh = 2, .dw = 1, .groups = 2};
    int c = eng_conv(g, "conv", x, &cp);
    EngPoolParams mp = {.kh = 2, .kw = 2, .sh = 1, .sw = 1, .dh = 2, .dw = 2};
    int m = eng_maxpool(g, "mpool", c, &mp);
    int a = eng_avgpool_k(g, "apool", m, 3, 2, 1);
    int r = eng_relu(g, "relu", a);
    int gp = eng_gavgpool(g, "gpool", r);
    CHECK(eng_graph_ok(g));
    EngWindow w;
    CHECK(eng_node_window(eng_graph_node(g, c), &w) == 1);
    CHECK(w.kh == 3 && w.kw == 2 && w.sh == 2 && w.sw == 1);
    CHECK(w.pt == 0 && w.pl == 1 && w.pb == 2 && w.pr == 1);
    CHECK(w.dh == 2 && w.dw == 1 && w.groups == 2 && w.has_dil && w.has_groups);
    char cells[ENG_WIN_CELLS][48];
    eng_fmt_window(eng_graph_node(g, c), cells);
    CHECK(!strcmp(cells[ENG_WIN_KERNEL], "3x2") && !strcmp(cells[ENG_WIN_STRIDE], "2x1"));
    CHECK(!strcmp(cells[ENG_WIN_PADS], "0,1,2,1") && !strcmp(cells[ENG_WIN_DIL], "2x1"));
    CHECK(!strcmp(cells[ENG_WIN_GROUPS], "2"));
    CHECK(eng_node_window(eng_graph_node(g, m), &w) == 1);
    CHECK(w.kh == 2 && w.sh == 1 && w.dh == 2 && w.dw == 2 && w.has_dil && !w.has_groups);
    eng_fmt_window(eng_graph_node(g, m), cells);
    CHECK(!strcmp(cells[ENG_WIN_PADS], "0") && !strcmp(cells[ENG_WIN_DIL], "2"));
    CHECK(!strcmp(cells[ENG_WIN_GROUPS], "-"));
    /* an average pool cannot be dilated: no dilation to show */
    CHECK(eng_node_window(eng_graph_node(g, a), &w) == 1);
    CHECK(w.kh == 3 && w.kw == 3 && w.sh == 2 && w.sw == 2 && w.pt == 1 && w.pr == 1);
    CHECK(!w.has_dil && !w.has_groups);
    eng_fmt_window(eng_graph_node(g, a), cells);
    CHECK(!strcmp(cells[ENG_WIN_KERNEL], "3x3") && !strcmp(cells[ENG_WIN_STRIDE], "2"));
    CHECK(!strcmp(cells[ENG_WIN_PADS], "1") && !strcmp(cells[ENG_WIN_DIL], "-"));
    /* a 1x7 conv padded 0x3: rows x columns */
    int s = eng_conv_k(g, "sq", r, 6, 1, 1, 0, 1, 1);
    EngConvParams ap = {.oc = 6, .kh = 1, .kw = 7, .sh = 1, .sw = 1, .pl = 3, .pr = 3, .dh = 1,
                        .dw = 1, .groups = 3};
    int o = eng_conv(g, "c1x7", s, &ap);
    eng_fmt_window(eng_graph_node(g, o), cells);
    CHECK(!strcmp(cells[ENG_WIN_KERNEL], "1x7") && !strcmp(cells[ENG_WIN_PADS], "0x3"));
    CHECK(!strcmp(cells[ENG_WIN_GROUPS], "3") && !strcmp(cells[ENG_WIN_STRIDE], "1"));
    /* other ops, a global pool among them, have no window */
    CHECK(eng_node_window(eng_graph_node(g, r), &w) == 0);
    CHECK(eng_node_window(eng_graph_node(g, gp), &w) == 0);
    CHECK(eng_node_window(eng_graph_node(g, x), &w) == 0);
    eng_fmt_window(eng_graph_node(g, r), cells);
    for (int k = 0; k < ENG_WIN_CELLS; k++) CHECK(!strcmp(cells[k], "-"));
    CHECK(eng_graph_ok(g));
    eng_graph_destroy(g);
}

/* The ensemble view: distinct input-to-output paths through the DAG. */
static void test_paths(void) {
    /* a plain chain: one path of 3 weighted layers */
    EngGraph *g = eng_graph_create();
    int x = eng_input(g, "data", 4, 8, 8);
    int a = eng_conv_k(g, "c1", x, 4, 3, 1, 1, 1, 1);
    a = eng_relu(g, "r1", a);
    a = eng_conv_k(g, "c2", a, 4, 3, 1, 1, 1, 1);
    int f = eng_fc(g, "fc", a, 10, 1);
    CHECK(eng_graph_ok(g) && f >= 0);
    EngPaths p = eng_graph_paths(g);
    CHECK(p.paths == 1 && p.log2_paths == 0 && p.adds == 0 && p.pure_residual);
    CHECK(fabs(p.mean_depth - 3) < 1e-12);
    eng_graph_destroy(g);

    /* 3 residual blocks of two convs: identity, projection (a 1x1 conv on the
     * shortcut, still one of two ways through the block), identity: 2^3 paths.
     * A 1x1 conv after block 1 brings the widths back. Weighted layers per
     * path: stem, "back" and fc on every one (3), then per block 2 or the
     * shortcut's 0, 1, 0, each way taken by half the paths: 3 + 1 + 1.5 + 1. */
    g = eng_graph_create();
    x = eng_input(g, "data", 4, 8, 8);
    int h = eng_conv_k(g, "stem", x, 4, 3, 1, 1, 1, 1);
    for (int b = 0; b < 3; b++) {
        char n1[16], n2[16], ns[16], na[16];
        snprintf(n1, sizeof n1, "b%d_c1", b);
        snprintf(n2, sizeof n2, "b%d_c2", b);
        snprintf(ns, sizeof ns, "b%d_proj", b);
        snprintf(na, sizeof na, "b%d_add", b);
        int y = eng_conv_k(g, n1, h, 8, 3, 1, 1, 1, 1);
        y = eng_conv_k(g, n2, y, b == 1 ? 8 : 4, 3, 1, 1, 1, 1);
        int sc = b == 1 ? eng_conv_k(g, ns, h, 8, 1, 1, 0, 1, 1) : h;
        h = eng_add2(g, na, y, sc);
        if (b == 1) h = eng_conv_k(g, "back", h, 4, 1, 1, 0, 1, 1);
    }
    eng_fc(g, "fc", h, 10, 1);
    CHECK(eng_graph_ok(g));
    p = eng_graph_paths(g);
    CHECK(p.paths == 8 && p.log2_paths == 3 && p.adds == 3 && p.pure_residual);
    CHECK(fabs(p.mean_depth - 6.5) < 1e-12);
    eng_graph_destroy(g);

    /* the zoo: ResNet-18 has 8 blocks, ResNet-110 54 (2^54 is exact in a double) */
    const struct { const char *name; int blocks; } nets[] = {{"resnet18", 8}, {"resnet110", 54}};
    for (size_t i = 0; i < sizeof nets / sizeof nets[0]; i++) {
        const ModelCard *card = model_find(nets[i].name);
        CHECK(card != NULL);
        if (!card) continue;
        g = model_build(card, 0, 0, 0);
        CHECK(g != NULL);
        if (!g) continue;
        p = eng_graph_paths(g);
        CHECK(p.paths == ldexp(1.0, nets[i].blocks) && p.adds == nets[i].blocks && p.pure_residual);
        CHECK(fabs(p.log2_paths - nets[i].blocks) < 1e-12);
        CHECK(p.mean_depth < eng_graph_depth(g));
        eng_graph_destroy(g);
    }
}

/* AlexNet's two GPUs as the graph's groups: conv2, conv4, conv5 split in 2;
 * conv3 and fc6 read both halves; the one-group variant has no roles. */
static void test_group_roles(void) {
    const char *split[] = {"conv2", "conv4", "conv5"}, *mix[] = {"conv3", "fc6", "fc7"};
    const char *none[] = {"conv1", "fc8", "relu1", "pool5"};
    const ModelCard *card = model_find("alexnet");
    EngGraph *g = card ? model_build(card, 0, 0, 0) : NULL;
    CHECK(g != NULL);
    if (!g) return;
    int *role = calloc((size_t)eng_graph_node_count(g), sizeof *role);
    eng_graph_group_roles(g, role);
    for (int k = 0; k < 3; k++) CHECK(eng_graph_find(g, split[k]) >= 0 && role[eng_graph_find(g, split[k])] == 2);
    for (int k = 0; k < 3; k++) CHECK(eng_graph_find(g, mix[k]) >= 0 && role[eng_graph_find(g, mix[k])] == -2);
    for (int k = 0; k < 4; k++) {
        int id = eng_graph_find(g, none[k]);
        CHECK(id < 0 || role[id] == 0);
    }
    free(role);
    /* conv1's 96 filters: 2 groups of 48 (conv2 reads them so); conv3's: conv4 reads in 2 */
    CHECK(eng_graph_filter_groups(g, eng_graph_find(g, "conv1")) == 2);
    CHECK(eng_graph_filter_groups(g, eng_graph_find(g, "conv2")) == 2);
    CHECK(eng_graph_filter_groups(g, eng_graph_find(g, "conv3")) == 2);
    CHECK(eng_graph_filter_groups(g, eng_graph_find(g, "fc6")) == 1);
    /* the builder says two GPUs; where each node runs follows from the groups */
    CHECK(eng_graph_devices(g) == 2);
    static const struct { const char *name; int dev; } where[] = {
        {"data", ENG_DEV_NONE},      {"conv1", ENG_DEV_WHOLE},    {"norm1", ENG_DEV_OWN},
        {"pool1", ENG_DEV_OWN},      {"conv2", ENG_DEV_OWN},      {"conv3", ENG_DEV_EXCHANGE},
        {"conv4", ENG_DEV_OWN},      {"conv5", ENG_DEV_OWN},      {"pool5", ENG_DEV_OWN},
        {"fc6", ENG_DEV_EXCHANGE},   {"fc7", ENG_DEV_EXCHANGE},   {"fc8", ENG_DEV_JOIN}};
    int *dev = calloc((size_t)eng_graph_node_count(g), sizeof *dev);
    CHECK(eng_graph_device_roles(g, dev) > 0);
    for (size_t k = 0; k < sizeof where / sizeof *where; k++) {
        int id = eng_graph_find(g, where[k].name);
        CHECK(id >= 0 && dev[id] == where[k].dev);
    }
    char buf[160];
    CHECK(strstr(eng_fmt_device_role(2, ENG_DEV_EXCHANGE, buf, sizeof buf), "GPU 1 | GPU 2") != NULL);
    CHECK(!strcmp(eng_device_role_name(ENG_DEV_OWN), "own"));
    free(dev);
    eng_graph_destroy(g);
    card = model_find("alexnet_1gpu");
    g = card ? model_build(card, 0, 0, 0) : NULL;
    CHECK(g != NULL);
    if (!g) return;
    role = calloc((size_t)eng_graph_node_count(g), sizeof *role);
    eng_graph_group_roles(g, role);
    for (int i = 0; i < eng_graph_node_count(g); i++) CHECK(role[i] == 0);
    CHECK(eng_graph_filter_groups(g, eng_graph_find(g, "conv1")) == 1);
    CHECK(eng_graph_devices(g) == 1); /* the same layers on one GPU: no device roles */
    CHECK(eng_graph_device_roles(g, role) == 0);
    for (int i = 0; i < eng_graph_node_count(g); i++) CHECK(role[i] == ENG_DEV_NONE);
    free(role);
    eng_graph_destroy(g);
}

/* The largest |a - b| over n floats, relative to the largest |b|. */
static double rel_err(const float *a, const float *b, size_t n) {
    double top = 0, err = 0;
    for (size_t i = 0; i < n; i++) {
        top = fmax(top, fabs(b[i]));
        const double d = fabs((double)a[i] - b[i]);
        if (!(d <= err)) err = d;
    }
    return top > 0 ? err / top : err;
}

/* Winograd's transformed filters follow the parameters: written through a
 * fresh eng_graph_node_mut, through a kept pointer and
 * eng_graph_params_changed, by eng_graph_init_params; and the training
 * forward pass takes the direct path. Each forward is checked against the
 * naive kernels on the same weights. */
static void test_winograd_cache(void) {
    EngGraph *g = eng_graph_create();
    int x = eng_input(g, "in", 32, 15, 17);
    int c = eng_conv_k(g, "conv", x, 40, 3, 1, 1, 1, 1);
    eng_relu(g, "relu", c);
    CHECK(eng_graph_ok(g) && eng_graph_init_params(g, 3) == 0 && eng_graph_plan(g, 2) == 0);
    float *in = eng_graph_input_buffer(g, x);
    for (int i = 0; i < 2 * 32 * 15 * 17; i++) in[i] = sinf(0.11f * (float)i);
    const EngNode *out = eng_graph_node(g, 2);
    const size_t n = (size_t)2 * 40 * 15 * 17;
    float *fast = malloc(n * sizeof *fast);
    for (int step = 0; step < 4; step++) {
        float *w = eng_graph_node_mut(g, c)->params[0].data;
        if (step == 1) w[5] += 1.0f; /* through a fresh mutable node */
        if (step == 2) { /* through the pointer kept from step 1 */
            for (int i = 0; i < 32 * 9; i++) w[i] = -w[i];
            eng_graph_params_changed(g);
        }
        if (step == 3) CHECK(eng_graph_init_params(g, 4) == 0);
        eng_graph_set_reference(g, 0);
        CHECK(eng_graph_forward(g) == 0);
        const char *a = eng_graph_conv_algo(g, c);
        CHECK(a && !strcmp(a, "winograd"));
        memcpy(fast, out->act, n * sizeof *fast);
        eng_graph_set_reference(g, 1);
        CHECK(eng_graph_forward(g) == 0);
        const double e = rel_err(fast, out->act, n);
        if (!(e < 2e-5)) fprintf(stderr, "winograd cache, step %d: error %.3g\n", step, e);
        CHECK(e < 2e-5);
    }
    eng_graph_set_reference(g, 0);
    eng_graph_set_training(g, 1);
    CHECK(eng_graph_forward(g) == 0);
    CHECK(eng_graph_conv_algo(g, c) && !strcmp(eng_graph_conv_algo(g, c), "gemm"));
    CHECK(eng_graph_conv_algo(g, 2) == NULL); /* not a convolution */
    free(fast);
    eng_graph_destroy(g);
}

int main(void) {
    eng_log_set(quiet, NULL);
    eng_set_threads(2);
    test_errors();
    test_general_tensors();
    test_receptive_fields();
    test_rf_axes();
    test_accounting();
    test_forward();
    test_forward_by_hand();
    test_winograd_cache();
    test_op_table();
    test_lrn_backward_scratch();
    test_windows();
    test_paths();
    test_group_roles();
    return check_finish("graph");
}
