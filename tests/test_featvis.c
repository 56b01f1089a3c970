/*
 * test_featvis.c — feature visualization by optimization (eng_featvis.c).
 *
 * The objective's gradient with respect to the input is checked against
 * central finite differences for a channel's mean and for one unit (the
 * backward pass seeded at an arbitrary node, eng_graph_backward_seed); a
 * small step along it raises the objective; a run is bit-identical for the
 * same seed and differs for another, stays inside the input's range, raises
 * its objective, stops when progress asks; bad settings are refused.
 */
#include "check.h"
#include "eng.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng = 777;
static float urand(void) { /* [0, 1) */
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    return (float)((double)(rng >> 11) * (1.0 / 9007199254740992.0));
}

static void quiet(EngLogLevel level, const char *msg, void *user) {
    (void)level, (void)msg, (void)user;
}

/* input 2x12x12 -> c1 (4, 3x3) -> tanh -> avgpool 2 -> c2 (3, 3x3) -> tanh (3x3x3)
 * -> fc 5: smooth everywhere, so that finite differences hold */
enum { CI = 2, H = 12 };
static int id_c2, id_fc;

static EngGraph *small_net(void) {
    EngGraph *g = eng_graph_create();
    int x = eng_input(g, "data", CI, H, H);
    x = eng_conv_k(g, "c1", x, 4, 3, 1, 0, 1, 1);
    x = eng_tanh(g, "t1", x);
    x = eng_avgpool_k(g, "p1", x, 2, 2, 0);
    id_c2 = x = eng_conv_k(g, "c2", x, 3, 3, 1, 0, 1, 1);
    x = eng_tanh(g, "t2", x);
    x = eng_flatten(g, "flat", x);
    id_fc = eng_fc(g, "fc", x, 5, 1);
    eng_graph_enable_grads(g);
    CHECK(eng_graph_init_params(g, 3) == 0 && eng_graph_plan(g, 1) == 0);
    for (int i = 0; i < eng_graph_node_count(g); i++) {
        EngNode *n = eng_graph_node_mut(g, i);
        for (int k = 0; k < n->n_params; k++)
            for (size_t j = 0; j < n->params[k].n; j++) n->params[k].data[j] = 0.8f * (2.0f * urand() - 1.0f);
    }
    return g;
}

static EngFeatvis params(int layer, int channel, int y, int x) {
    const float lo[3] = {-1, -1, -1}, hi[3] = {1, 1, 1};
    EngFeatvis p;
    eng_featvis_defaults(&p, lo, hi);
    p.layer = layer, p.channel = channel, p.y = y, p.x = x;
    return p;
}

/* d objective / d input against central differences, and a step along it */
static void test_gradient(EngGraph *g, EngFeatvis p) {
    enum { N = CI * H * H };
    float x[N], grad[N], xp[N];
    for (int i = 0; i < N; i++) x[i] = 2.0f * urand() - 1.0f;
    double f0, fp, fm;
    char err[256];
    CHECK(eng_featvis_objective(g, &p, x, &f0, grad, err, sizeof err) == 0);
    double worst = 0, top = 0;
    for (int i = 0; i < N; i += 7) {
        const float eps = 1e-2f, keep = x[i];
        x[i] = keep + eps;
        CHECK(eng_featvis_objective(g, &p, x, &fp, NULL, err, sizeof err) == 0);
        x[i] = keep - eps;
        CHECK(eng_featvis_objective(g, &p, x, &fm, NULL, err, sizeof err) == 0);
        x[i] = keep;
        const double fd = (fp - fm) / (2.0 * eps);
        if (fabs(fd - grad[i]) > worst) worst = fabs(fd - grad[i]);
        if (fabs(fd) > top) top = fabs(fd);
    }
    if (!(top > 1e-4 && worst <= 2e-3 + 2e-2 * top))
        fprintf(stderr, "featvis gradient: largest error %g, largest gradient %g\n", worst, top);
    CHECK(top > 1e-4 && worst <= 2e-3 + 2e-2 * top);
    /* a small step along the gradient raises the objective, one against it lowers it */
    double ss = 0;
    for (int i = 0; i < N; i++) ss += (double)grad[i] * grad[i];
    const double eta = 1e-2 / sqrt(ss);
    for (int i = 0; i < N; i++) xp[i] = x[i] + (float)(eta * grad[i]);
    CHECK(eng_featvis_objective(g, &p, xp, &fp, NULL, err, sizeof err) == 0);
    for (int i = 0; i < N; i++) xp[i] = x[i] - (float)(eta * grad[i]);
    CHECK(eng_featvis_objective(g, &p, xp, &fm, NULL, err, sizeof err) == 0);
    CHECK(fp > f0 && fm < f0);
}

static int calls;
static int stop_at_3(void *ctx, int done, int total) {
    (void)ctx, (void)total;
    calls++;
    return done >= 3;
}

static void test_run(EngGraph *g) {
    enum { N = CI * H * H, STEPS = 40 };
    float a[N], b[N], c[N], hist[STEPS];
    char err[256];
    EngFeatvis p = params(id_fc, 2, -1, -1);
    p.steps = STEPS;
    p.clip = 0.1f; /* every regulariser on */
    CHECK(eng_featvis_run(g, &p, a, hist, NULL, NULL, err, sizeof err) == 0);
    CHECK(eng_featvis_run(g, &p, b, NULL, NULL, NULL, err, sizeof err) == 0);
    CHECK(memcmp(a, b, sizeof a) == 0);
    p.seed = 2;
    CHECK(eng_featvis_run(g, &p, c, NULL, NULL, NULL, err, sizeof err) == 0);
    CHECK(memcmp(a, c, sizeof a) != 0);
    int inside = 1;
    for (int i = 0; i < N; i++) inside &= a[i] >= -1.0f && a[i] <= 1.0f;
    CHECK(inside);
    double end;
    p.seed = 1;
    CHECK(eng_featvis_objective(g, &p, a, &end, NULL, err, sizeof err) == 0);
    if (!(end > hist[0] + 0.5)) fprintf(stderr, "featvis run: objective %g -> %g\n", hist[0], end);
    CHECK(end > hist[0] + 0.5);
    /* cancelled after the third step */
    calls = 0;
    CHECK(eng_featvis_run(g, &p, c, NULL, stop_at_3, NULL, err, sizeof err) == 1);
    CHECK_EQ_I64(calls, 3);
}

static void test_refused(EngGraph *g) {
    float x[CI * H * H];
    char err[256];
    EngFeatvis p = params(id_c2, 3, -1, -1); /* c2 has 3 channels */
    err[0] = 0;
    CHECK(eng_featvis_run(g, &p, x, NULL, NULL, NULL, err, sizeof err) == -1 && strstr(err, "channel 3"));
    p = params(id_c2, 0, 3, 0); /* c2's plane is 3x3 */
    CHECK(eng_featvis_run(g, &p, x, NULL, NULL, NULL, err, sizeof err) == -1 && strstr(err, "unit"));
    p = params(id_c2, 0, 1, -1);
    CHECK(eng_featvis_run(g, &p, x, NULL, NULL, NULL, err, sizeof err) == -1);
    p = params(id_c2, 0, -1, -1);
    p.steps = 0;
    CHECK(eng_featvis_run(g, &p, x, NULL, NULL, NULL, err, sizeof err) == -1);
    p = params(0, 0, -1, -1); /* the input itself */
    CHECK(eng_featvis_run(g, &p, x, NULL, NULL, NULL, err, sizeof err) == -1);
    p = params(99, 0, -1, -1);
    CHECK(eng_featvis_run(g, &p, x, NULL, NULL, NULL, err, sizeof err) == -1);
    p = params(id_c2, 0, -1, -1);
    p.lo[0] = p.hi[0] = 0;
    CHECK(eng_featvis_run(g, &p, x, NULL, NULL, NULL, err, sizeof err) == -1);
}

int main(void) {
    eng_set_threads(1);
    eng_log_set(quiet, NULL);
    EngGraph *g = small_net();
    test_gradient(g, params(id_c2, 1, -1, -1)); /* a channel's mean */
    test_gradient(g, params(id_c2, 2, 1, 2));   /* one unit */
    test_gradient(g, params(id_fc, 4, -1, -1)); /* a class score */
    test_run(g);
    test_refused(g);
    eng_graph_destroy(g);
    return check_finish("featvis");
}
