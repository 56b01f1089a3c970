/*
 * test_fuse.c — the fast inference layout (engine/eng_graph_fuse.c): the
 * fused passes of networks with batch norm, ReLU and ReLU6 give the scores of
 * the keep-everything pass within the ONNX tests' tolerance (rtol 1e-3,
 * atol 1e-4); folding leaves the parameters as they were; a weight changed
 * or a training step taken after a fast pass is seen by the next one; the
 * fast layout needs less activation memory (VGG-16 at its full size); and
 * training or reference kernels in the fast layout fail cleanly.
 */
#include "check.h"
#include "models.h"

#include <stdlib.h>
#include <string.h>

static void quiet(EngLogLevel level, const char *msg, void *user) {
    (void)level, (void)msg, (void)user;
}

/* splitmix64, in [0, 1) */
static double draw(uint64_t *s) {
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return (double)((z ^ (z >> 31)) >> 11) / 9007199254740992.0;
}
static uint64_t seed_state = 12345;
static float uniform(float lo, float hi) { return lo + (hi - lo) * (float)draw(&seed_state); }

/* BN statistics away from the initial (identity) ones, so the fold matters. */
static void shake_bn(EngGraph *g) {
    for (int i = 0; i < eng_graph_node_count(g); i++) {
        EngNode *n = eng_graph_node_mut(g, i);
        if (n->op != ENG_OP_BN) continue;
        for (int c = 0; c < n->out.C; c++) {
            n->params[0].data[c] = uniform(0.5f, 1.5f);
            n->params[1].data[c] = uniform(-0.2f, 0.2f);
            n->params[2].data[c] = uniform(-0.2f, 0.2f);
            n->params[3].data[c] = uniform(0.5f, 2.0f);
        }
    }
}

static void fill_input(EngGraph *g, uint64_t seed) {
    const EngNode *in = eng_graph_node(g, 0);
    float *x = eng_graph_input_buffer(g, 0);
    const size_t n = (size_t)eng_graph_batch(g) * in->out.C * in->out.H * in->out.W;
    uint64_t s = seed;
    for (size_t i = 0; i < n; i++) x[i] = 2.0f * (float)draw(&s) - 1.0f;
}

/* Every parameter float, in node order (a copy to compare against). */
static float *params_copy(const EngGraph *g, size_t *count) {
    size_t total = 0;
    for (int i = 0; i < eng_graph_node_count(g); i++)
        for (int k = 0; k < eng_graph_node(g, i)->n_params; k++) total += eng_graph_node(g, i)->params[k].n;
    float *p = malloc((total ? total : 1) * sizeof *p), *q = p;
    for (int i = 0; p && i < eng_graph_node_count(g); i++)
        for (int k = 0; k < eng_graph_node(g, i)->n_params; k++) {
            const EngParam *e = &eng_graph_node(g, i)->params[k];
            memcpy(q, e->data, e->n * sizeof *q);
            q += e->n;
        }
    *count = total;
    return p;
}

/* The output of one forward pass (batch N), copied; NULL on failure. */
static float *run(EngGraph *g, int N, uint64_t seed, size_t *n) {
    if (eng_graph_plan(g, N) != 0) return NULL;
    fill_input(g, seed);
    if (eng_graph_forward(g) != 0) return NULL;
    const EngNode *o = eng_graph_node(g, eng_graph_output(g));
    *n = (size_t)N * o->out.C * o->out.H * o->out.W;
    float *y = malloc(*n * sizeof *y);
    if (y) memcpy(y, o->act, *n * sizeof *y);
    return y;
}

/* Nodes of op `op` computed by another node's step; head_op >= 0: by a
 * head of that op only. */
static int count_fused_by(const EngGraph *g, EngOpType op, int head_op) {
    int k = 0;
    for (int i = 0; i < eng_graph_node_count(g); i++) {
        const int with = eng_graph_fused_with(g, i);
        if (eng_graph_node(g, i)->op == op && with >= 0 && with != i &&
            (head_op < 0 || eng_graph_node(g, with)->op == (EngOpType)head_op))
            k++;
    }
    return k;
}
static int count_fused(const EngGraph *g, EngOpType op) { return count_fused_by(g, op, -1); }

/* Fused and unfused passes of one zoo model agree; the parameters stay. */
static void test_model(const char *name, int H, int N) {
    EngGraph *g = model_build(model_find(name), 3, H, H);
    CHECK(g != NULL);
    if (!g) return;
    CHECK(eng_graph_init_params(g, 7) == 0);
    shake_bn(g);
    size_t n_ref = 0, n_fast = 0, np = 0;
    float *ref = run(g, N, 99, &n_ref);
    float *before = params_copy(g, &np);
    eng_graph_set_fast(g, 1);
    float *fast = run(g, N, 99, &n_fast);
    CHECK(ref && fast && n_ref == n_fast && eng_graph_fast(g));
    if (ref && fast && n_ref == n_fast) {
        char what[64];
        snprintf(what, sizeof what, "%s fused", name);
        check_close(what, fast, ref, n_ref, 1e-4f, 1e-3f);
    }
    /* something was fused: BN into its convolution (every model here has BN)
     * and ReLU or ReLU6 (a clip) after it */
    CHECK(count_fused(g, ENG_OP_BN) > 0);
    CHECK(count_fused(g, ENG_OP_RELU) + count_fused(g, ENG_OP_CLIP) > 0);
    if (!strcmp(name, "resnet18")) /* every block's sum and its ReLU */
        CHECK(count_fused_by(g, ENG_OP_RELU, ENG_OP_ADD) == 8);
    if (!strcmp(name, "densenet121")) /* each dense layer's first BN and ReLU, each transition's */
        CHECK(count_fused_by(g, ENG_OP_RELU, ENG_OP_BN) == 58 + 3 + 1);
    if (!strcmp(name, "mobilenet_v2")) /* ReLU6 after the expansions and depthwise convolutions */
        CHECK(count_fused_by(g, ENG_OP_CLIP, ENG_OP_CONV) == 35);
    size_t np2 = 0;
    float *after = params_copy(g, &np2);
    CHECK(before && after && np == np2 && memcmp(before, after, np * sizeof(float)) == 0);
    int64_t all, peak = eng_graph_act_peak_bytes(g, &all);
    CHECK(peak > 0 && peak < all);
    /* and back: the keep-everything layout gives the first pass's values again */
    eng_graph_set_fast(g, 0);
    size_t n_again = 0;
    float *again = run(g, N, 99, &n_again);
    CHECK(again && n_again == n_ref && !eng_graph_fast(g));
    if (again && ref && n_again == n_ref) check_close("unfused again", again, ref, n_ref, 0.0f, 0.0f);
    free(ref), free(fast), free(before), free(after), free(again);
    eng_graph_destroy(g);
}

/* A weight written after a fast pass, and a training step, reach the next fast pass. */
static void test_refold(void) {
    EngGraph *g = model_build(model_find("resnet_mini"), 0, 0, 0);
    CHECK(g && eng_graph_init_params(g, 3) == 0);
    if (!g) return;
    shake_bn(g);
    eng_graph_set_fast(g, 1);
    size_t n1 = 0, n2 = 0, n3 = 0;
    float *y1 = run(g, 2, 5, &n1);
    CHECK(y1 != NULL && count_fused(g, ENG_OP_BN) > 0);
    /* a BN's scale halved in place, as a loader does (through eng_graph_node_mut) */
    int bn = -1;
    for (int i = 0; i < eng_graph_node_count(g) && bn < 0; i++)
        if (eng_graph_node(g, i)->op == ENG_OP_BN && eng_graph_fused_with(g, i) >= 0) bn = i;
    CHECK(bn >= 0);
    if (bn >= 0)
        for (int c = 0; c < eng_graph_node(g, bn)->out.C; c++) eng_graph_node_mut(g, bn)->params[0].data[c] *= 0.5f;
    float *y2 = run(g, 2, 5, &n2);
    eng_graph_set_fast(g, 0);
    float *r2 = run(g, 2, 5, &n3);
    CHECK(y1 && y2 && r2 && n1 == n2 && n2 == n3);
    if (y1 && y2 && r2 && n1 == n2 && n2 == n3) {
        CHECK(memcmp(y1, y2, n1 * sizeof(float)) != 0);
        check_close("refolded", y2, r2, n2, 1e-4f, 1e-3f);
    }
    /* one SGD step (the keep-everything layout with gradients), then a fast pass */
    EngOptimizer opt;
    uint8_t labels[2] = {1, 3};
    CHECK(eng_graph_enable_grads(g) == 0 && eng_graph_plan(g, 2) == 0);
    CHECK(eng_opt_init(&opt, g, ENG_OPT_SGD, 0.5f) == 0);
    fill_input(g, 5);
    eng_graph_set_training(g, 1);
    CHECK(eng_graph_forward(g) == 0);
    CHECK(eng_graph_loss_ce(g, labels, NULL) == eng_graph_loss_ce(g, labels, NULL));
    CHECK(eng_graph_backward(g) == 0 && eng_opt_step(&opt, g) == 0);
    eng_graph_set_training(g, 0);
    size_t n4 = 0, n5 = 0;
    float *r3 = run(g, 2, 5, &n4); /* keep-everything, after the step */
    eng_graph_set_fast(g, 1);
    /* the fast layout refuses a training pass instead of running it wrong */
    CHECK(eng_graph_plan(g, 2) == 0);
    eng_graph_set_training(g, 1);
    CHECK(eng_graph_forward(g) != 0);
    eng_graph_set_training(g, 0);
    float *y3 = run(g, 2, 5, &n5);
    CHECK(r3 && y3 && n4 == n5 && n4 == n1);
    if (r3 && y3 && n4 == n5 && n4 == n1) {
        CHECK(memcmp(y3, y2, n1 * sizeof(float)) != 0);
        check_close("after a training step", y3, r3, n4, 1e-4f, 1e-3f);
    }
    CHECK(eng_graph_backward(g) != 0); /* no gradients in the fast layout */
    eng_opt_free(&opt);
    free(y1), free(y2), free(r2), free(r3), free(y3);
    eng_graph_destroy(g);
}

/* VGG-16 at 224x224: shared buffers take a fraction of one buffer per node. */
static void test_vgg16_memory(void) {
    EngGraph *g = model_build(model_find("vgg16"), 0, 0, 0);
    CHECK(g && eng_graph_alloc_params(g) == 0);
    if (!g) return;
    CHECK(eng_graph_plan(g, 1) == 0);
    int64_t all0, keep = eng_graph_act_peak_bytes(g, &all0);
    CHECK(keep == all0 && !eng_graph_fast(g));
    eng_graph_set_fast(g, 1);
    CHECK(eng_graph_plan(g, 1) == 0 && eng_graph_fast(g));
    int64_t all, peak = eng_graph_act_peak_bytes(g, &all);
    CHECK(all == keep);
    /* the largest two maps live at once: 2 x 64 x 224 x 224 floats, no more than 3 */
    const int64_t map = 64LL * 224 * 224 * 4;
    CHECK(peak >= 2 * map && peak <= 3 * map);
    CHECK(peak * 4 < keep);
    printf("vgg16: peak activations %lld bytes fast, %lld kept\n", (long long)peak, (long long)keep);
    CHECK(count_fused(g, ENG_OP_RELU) == 13); /* every conv's ReLU; the FCs' stay apart */
    eng_graph_destroy(g);
}

int main(void) {
    eng_log_set(quiet, NULL);
    eng_set_threads(2);
    test_model("resnet18", 64, 2);
    test_model("vgg16_bn", 64, 1);
    test_model("mobilenet_v2", 64, 1);
    test_model("densenet121", 64, 1);
    test_refold();
    test_vgg16_memory();
    return check_finish("test_fuse");
}
