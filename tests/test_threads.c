/*
 * test_threads.c — the engine's worker pool (eng_parallel_for) and the
 * kernels that use it, with several threads: every item is run exactly once,
 * in contiguous ranges, for any pool size; two threads calling at once both
 * get their loops done (the second runs serially); a forward pass big enough
 * to wake the workers gives the naive reference's results. Labelled
 * `threads`: the ThreadSanitizer build (./setup.sh --tsan) runs it.
 */
#include "check.h"
#include "eng.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    int *hits;    /* (n) times each item was run */
    int *owner;   /* (n) the range that ran it: its begin */
} Visit;

static void visit(void *ctx, size_t b, size_t e) {
    Visit *v = ctx;
    for (size_t i = b; i < e; i++) {
        v->hits[i]++;
        v->owner[i] = (int)b;
    }
}

/* every item once; the ranges are contiguous and increase */
static int loop_covers(size_t n, size_t work) {
    Visit v = {calloc(n, sizeof(int)), calloc(n, sizeof(int))};
    eng_parallel_for(n, work, visit, &v);
    int ok = 1;
    for (size_t i = 0; i < n; i++) {
        if (v.hits[i] != 1) ok = 0;
        if (i > 0 && v.owner[i] != v.owner[i - 1] && v.owner[i] != (int)i) ok = 0;
    }
    free(v.hits);
    free(v.owner);
    return ok;
}

static void test_pool_sizes(void) {
    for (int t = 1; t <= 4; t++) {
        eng_set_threads(t);
        CHECK(eng_get_threads() == t);
        CHECK(loop_covers(1000, ENG_PAR_MIN_WORK));  /* split across the workers */
        CHECK(loop_covers(3, ENG_PAR_MIN_WORK * 8)); /* fewer items than threads */
        CHECK(loop_covers(1000, 1));                 /* too little work: the caller alone */
        CHECK(loop_covers(0, ENG_PAR_MIN_WORK));
    }
}

typedef struct {
    size_t n;
    int wrong; /* rounds whose sum of 0 .. n-1 came out wrong */
} SumJob;

/* the sum of i over one range, written into that range's first slot */
static void sum_range(void *ctx, size_t b, size_t e) {
    double *parts = ctx;
    double s = 0.0;
    for (size_t i = b; i < e; i++) s += (double)i;
    parts[b] = s;
}

static void *caller(void *arg) {
    SumJob *j = arg;
    double *parts = malloc(j->n * sizeof *parts);
    for (int round = 0; round < 200; round++) {
        memset(parts, 0, j->n * sizeof *parts);
        eng_parallel_for(j->n, ENG_PAR_MIN_WORK, sum_range, parts);
        double s = 0.0;
        for (size_t i = 0; i < j->n; i++) s += parts[i];
        j->wrong += s != (double)j->n * (double)(j->n - 1) / 2.0;
    }
    free(parts);
    return NULL;
}

/* two threads running parallel loops at the same time: both complete, right */
static void test_concurrent_callers(void) {
    eng_set_threads(3);
    SumJob a = {.n = 4096}, b = {.n = 777};
    pthread_t ta, tb;
    CHECK(pthread_create(&ta, NULL, caller, &a) == 0);
    CHECK(pthread_create(&tb, NULL, caller, &b) == 0);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    CHECK(a.wrong == 0);
    CHECK(b.wrong == 0);
}

/* a network whose kernels wake the workers (im2col, depthwise, pooling,
 * LRN, batch norm, activations) against the naive reference */
static void test_forward_threaded(void) {
    eng_set_threads(3);
    EngGraph *g = eng_graph_create();
    int x = eng_input(g, "x", 8, 40, 36);
    x = eng_conv_k(g, "conv", x, 16, 3, 1, 1, 1, 1);
    x = eng_bn(g, "bn", x, 1e-5f);
    x = eng_relu(g, "relu", x);
    x = eng_lrn(g, "lrn", x, 5, 1e-3f, 0.75f, 2.0f);
    x = eng_conv_k(g, "dw", x, 16, 3, 1, 1, 16, 1);
    x = eng_maxpool_k(g, "pool", x, 2, 2, 0);
    x = eng_sigmoid(g, "sig", x);
    CHECK(eng_graph_ok(g));
    CHECK(eng_graph_init_params(g, 11) == 0 && eng_graph_plan(g, 2) == 0);
    float *in = eng_graph_input_buffer(g, 0);
    uint64_t s = 99;
    for (size_t i = 0; i < (size_t)2 * 8 * 40 * 36; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        in[i] = (float)((double)(s >> 11) / 9007199254740992.0 - 0.5);
    }
    const EngNode *o = eng_graph_node(g, x);
    const size_t n = (size_t)2 * o->out.C * o->out.H * o->out.W;
    CHECK(eng_graph_forward(g) == 0);
    float *fast = malloc(n * sizeof *fast);
    memcpy(fast, o->act, n * sizeof *fast);
    eng_graph_set_reference(g, 1);
    CHECK(eng_graph_forward(g) == 0);
    check_close("threaded forward vs reference", fast, o->act, n, 1e-5f, 1e-4f);
    free(fast);
    eng_graph_destroy(g);
}

int main(void) {
    test_pool_sizes();
    test_concurrent_callers();
    test_forward_threaded();
    eng_set_threads(1);
    return check_finish("threads");
}
