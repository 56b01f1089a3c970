/*
 * test_grad.c — every backward kernel against finite differences.
 *
 * For each op a tiny graph input -> op is built with random parameters; the
 * loss is L = sum(r * y) for a fixed random r, so dL/dy = r. The analytic
 * gradients (input and every learnable parameter) from eng_graph_backward are
 * compared with central differences (L(v + e) - L(v - e)) / 2e. Inputs are
 * spread out so that no perturbation crosses a kink (ReLU at 0, a max-pool
 * tie). Then a whole small network with the cross-entropy loss.
 */
#include "check.h"
#include "eng.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng = 777;
static double urand(void) { /* [0, 1) */
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    return (double)(rng >> 11) * (1.0 / 9007199254740992.0);
}

static void quiet(EngLogLevel level, const char *msg, void *user) {
    (void)level, (void)msg, (void)user;
}

typedef int (*BuildFn)(EngGraph *g, int x);

static double loss_of(EngGraph *g, const float *r, size_t n, uint64_t seed) {
    eng_graph_seed(g, seed);
    eng_graph_forward(g);
    const EngNode *o = eng_graph_node(g, eng_graph_output(g));
    double L = 0.0;
    for (size_t i = 0; i < n; i++) L += (double)r[i] * o->act[i];
    return L;
}

/* Compare d/dv analytic (ana) with central differences at up to `samples`
 * positions of v. */
static int fd_check(EngGraph *g, float *v, const float *ana, size_t nv, const float *r, size_t nr,
                    const char *what, int samples, float eps) {
    int bad = 0;
    size_t step = nv > (size_t)samples ? nv / samples : 1;
    for (size_t i = 0; i < nv; i += step) {
        float keep = v[i];
        v[i] = keep + eps;
        double lp = loss_of(g, r, nr, 5);
        v[i] = keep - eps;
        double lm = loss_of(g, r, nr, 5);
        v[i] = keep;
        double num = (lp - lm) / (2.0 * eps);
        double err = fabs(num - ana[i]);
        double tol = 2e-2 * fmax(1.0, fmax(fabs(num), fabs(ana[i])));
        if (!(err <= tol)) {
            if (bad < 3)
                fprintf(stderr, "  %s[%zu]: analytic %.6g, numeric %.6g\n", what, i, ana[i], num);
            bad++;
        }
    }
    return bad == 0;
}

static void grad_case(const char *name, int N, int C, int H, int W, BuildFn build, int training) {
    EngGraph *g = eng_graph_create();
    int x = eng_input(g, "x", C, H, W);
    int y = build(g, x);
    CHECK(y >= 0 && eng_graph_ok(g));
    if (y < 0 || !eng_graph_ok(g)) {
        fprintf(stderr, "  %s: %s\n", name, eng_graph_error(g));
        eng_graph_destroy(g);
        return;
    }
    eng_graph_set_output(g, y);
    eng_graph_enable_grads(g);
    CHECK(eng_graph_init_params(g, 3) == 0 && eng_graph_plan(g, N) == 0);
    eng_graph_set_training(g, training);
    /* parameters: random, away from zero; BN statistics plausible */
    for (int i = 0; i < eng_graph_node_count(g); i++) {
        EngNode *n = eng_graph_node_mut(g, i);
        for (int k = 0; k < n->n_params; k++) {
            EngParam *p = &n->params[k];
            for (size_t j = 0; j < p->n; j++) {
                float v = (float)(urand() * 1.6 - 0.8);
                if (p->kind == ENG_PARAM_RUNNING_VAR) v = 0.5f + fabsf(v);
                else if (n->op == ENG_OP_BN && p->kind == ENG_PARAM_WEIGHT) v = 0.5f + fabsf(v);
                p->data[j] = v;
            }
        }
    }
    /* input: a shuffled ramp, all values at least 2/size apart and off zero */
    size_t nx = (size_t)N * C * H * W;
    float *in = eng_graph_input_buffer(g, x);
    for (size_t i = 0; i < nx; i++) in[i] = -1.0f + 2.0f * ((float)i + 0.5f) / (float)nx;
    for (size_t i = nx - 1; i > 0; i--) {
        size_t j = (size_t)(urand() * (double)(i + 1));
        float t = in[i];
        in[i] = in[j];
        in[j] = t;
    }
    const EngNode *o = eng_graph_node(g, y);
    size_t nr = (size_t)N * o->out.C * o->out.H * o->out.W;
    float *r = malloc(nr * sizeof *r);
    for (size_t i = 0; i < nr; i++) r[i] = (float)(urand() * 2.0 - 1.0);
    /* analytic */
    loss_of(g, r, nr, 5);
    eng_graph_zero_grads(g);
    memcpy(eng_graph_node_mut(g, y)->grad, r, nr * sizeof *r);
    CHECK(eng_graph_backward(g) == 0);
    float *gx = malloc(nx * sizeof *gx);
    memcpy(gx, eng_graph_node(g, x)->grad, nx * sizeof *gx);
    char what[128];
    snprintf(what, sizeof what, "%s d/dx", name);
    float eps = 1e-3f * 2.0f / (float)(nx > 100 ? 100 : nx) * 10.0f;
    if (eps > 2e-3f) eps = 2e-3f;
    CHECK(fd_check(g, in, gx, nx, r, nr, what, 40, eps));
    for (int i = 0; i < eng_graph_node_count(g); i++) {
        EngNode *n = eng_graph_node_mut(g, i);
        for (int k = 0; k < n->n_params; k++) {
            EngParam *p = &n->params[k];
            if (!p->learnable) continue;
            float *ga = malloc(p->n * sizeof *ga);
            memcpy(ga, p->grad, p->n * sizeof *ga);
            snprintf(what, sizeof what, "%s d/d%s.%s", name, n->name, p->suffix);
            CHECK(fd_check(g, p->data, ga, p->n, r, nr, what, 30, 1e-3f));
            free(ga);
        }
    }
    free(gx);
    free(r);
    eng_graph_destroy(g);
}

/* ---- one builder per case ---------------------------------------------------------- */

static int b_conv(EngGraph *g, int x) { return eng_conv_k(g, "conv", x, 4, 3, 1, 1, 1, 1); }
static int b_conv_strided(EngGraph *g, int x) {
    EngConvParams p = {.oc = 4, .kh = 3, .kw = 2, .sh = 2, .sw = 1, .pt = 1, .pl = 0, .pb = 0,
                       .pr = 1, .dh = 2, .dw = 1, .groups = 2, .has_bias = 1};
    return eng_conv(g, "conv", x, &p);
}
static int b_conv_pointwise(EngGraph *g, int x) { return eng_conv_k(g, "pw", x, 3, 1, 1, 0, 1, 0); }
static int b_conv_depthwise(EngGraph *g, int x) { return eng_conv_k(g, "dw", x, 4, 3, 2, 1, 4, 1); }
static int b_maxpool(EngGraph *g, int x) {
    EngPoolParams p = {.kh = 3, .kw = 3, .sh = 2, .sw = 2, .ceil_mode = 1};
    return eng_maxpool(g, "pool", x, &p);
}
static int b_avgpool(EngGraph *g, int x) {
    EngPoolParams p = {.kh = 3, .kw = 3, .sh = 2, .sw = 2, .pt = 1, .pl = 1, .pb = 1, .pr = 1};
    return eng_avgpool(g, "pool", x, &p);
}
static int b_avgpool_pad(EngGraph *g, int x) {
    EngPoolParams p = {.kh = 2, .kw = 3, .sh = 2, .sw = 1, .pt = 1, .pl = 1, .pb = 0, .pr = 1,
                       .ceil_mode = 1, .count_include_pad = 1};
    return eng_avgpool(g, "pool", x, &p);
}
static int b_gavg(EngGraph *g, int x) { return eng_gavgpool(g, "gap", x); }
static int b_gmax(EngGraph *g, int x) { return eng_gmaxpool(g, "gmp", x); }
static int b_lrn(EngGraph *g, int x) { return eng_lrn(g, "lrn", x, 3, 0.5f, 0.75f, 1.0f); }
static int b_bn(EngGraph *g, int x) { return eng_bn(g, "bn", x, 1e-5f); }
static int b_relu(EngGraph *g, int x) { return eng_relu(g, "a", x); }
static int b_leaky(EngGraph *g, int x) { return eng_leakyrelu(g, "a", x, 0.1f); }
static int b_relu6(EngGraph *g, int x) {
    x = eng_conv_k(g, "scale", x, 2, 1, 1, 0, 1, 1); /* spreads values past 0 and 6 */
    return eng_clip(g, "a", x, -0.5f, 0.5f);
}
static int b_sigmoid(EngGraph *g, int x) { return eng_sigmoid(g, "a", x); }
static int b_tanh(EngGraph *g, int x) { return eng_tanh(g, "a", x); }
static int b_hsig(EngGraph *g, int x) { return eng_hardsigmoid(g, "a", x, 0.9f, 0.5f); }
static int b_hswish(EngGraph *g, int x) {
    x = eng_conv_k(g, "scale", x, 2, 1, 1, 0, 1, 1);
    return eng_hardswish(g, "a", x);
}
static int b_prelu(EngGraph *g, int x) { return eng_prelu(g, "a", x, 2); }
static int b_softmax(EngGraph *g, int x) { return eng_softmax(g, "sm", x); }
/* ONNX Slice: channels 1 and 3 of 4, then columns 1.. of what is left */
static int b_slice(EngGraph *g, int x) {
    const EngShape s = eng_graph_node(g, x)->out;
    EngSliceParams c = {1, s.C, s.H * s.W, 1, 2, 2};
    x = eng_slice(g, "ch", x, &c, (EngShape){2, s.H, s.W});
    EngSliceParams w = {2 * s.H, s.W, 1, 1, 1, s.W - 1};
    x = eng_slice(g, "cols", x, &w, (EngShape){2, s.H, s.W - 1});
    x = eng_tanh(g, "t", x);
    return eng_fc(g, "fc", x, 3, 1);
}
/* ONNX batch norm in training mode, run as one sample: 2 groups of C/2
 * channels normalised by their own statistics; the running mean and variance
 * those statistics move, joined and read by an FC */
static int b_bn_batch(EngGraph *g, int x) {
    const EngShape s = eng_graph_node(g, x)->out;
    const int c = s.C / 2, hw = s.H * s.W;
    int y = eng_bn_batch(g, "bnb", x, 2, c, hw, 1e-3f);
    y = eng_tanh(g, "t", y);
    int m = eng_bn_stat(g, "mean", x, 2, c, hw, 0, 0.9f), v = eng_bn_stat(g, "var", x, 2, c, hw, 1, 0.7f);
    int fy = eng_fc(g, "fy", y, 3, 1), parts[3] = {fy, m, v};
    return eng_fc(g, "fc", eng_concat(g, "cat", parts, 3), 3, 1);
}
static int b_logsoftmax(EngGraph *g, int x) {
    const EngShape s = eng_graph_node(g, x)->out;
    return eng_logsoftmax_span(g, "lsm", x, s.C, s.H * s.W);
}
static int b_fc(EngGraph *g, int x) { return eng_fc(g, "fc", x, 5, 1); }
static int b_merge(EngGraph *g, int x) {
    int a = eng_conv_k(g, "a", x, 2, 3, 1, 1, 1, 1);
    int b = eng_conv_k(g, "b", x, 2, 1, 1, 0, 1, 0);
    int s = eng_add2(g, "sum", a, b);
    int cat[3] = {s, a, x};
    return eng_concat(g, "cat", cat, 3);
}
static int b_mul(EngGraph *g, int x) {
    int se = eng_gavgpool(g, "pool", x);
    se = eng_fc(g, "fc", se, 2, 1);
    se = eng_sigmoid(g, "gate", se);
    return eng_mul(g, "scale", x, se);
}
/* a sample (C, H, W) read as a (C, H*W) matrix, and as (H*W, C) transposed */
static int b_matmul(EngGraph *g, int x) {
    const EngShape s = eng_graph_node(g, x)->out;
    return eng_matmul(g, "mm", x, s.C, s.H * s.W, 3, 0, 1);
}
static int b_matmul_t(EngGraph *g, int x) {
    const EngShape s = eng_graph_node(g, x)->out;
    return eng_matmul(g, "mm", x, s.H * s.W, s.C, 3, 1, 1);
}
/* ONNX softmax at axis 2 of (N, C, H, W), a slope per unit, a reshape */
static int b_softmax_span(EngGraph *g, int x) {
    const EngShape s = eng_graph_node(g, x)->out;
    return eng_softmax_span(g, "sm", x, s.H, s.W);
}
static int b_prelu_units_reshape(EngGraph *g, int x) {
    const EngShape s = eng_graph_node(g, x)->out;
    x = eng_prelu(g, "a", x, s.C * s.H * s.W);
    x = eng_reshape(g, "rs", x, s.H, s.C * s.W, 1);
    return eng_softmax_span(g, "sm", x, s.C * s.W, 1);
}
/* ONNX Add and Mul by constants: a scale and a shift per unit */
static int b_affine(EngGraph *g, int x) {
    x = eng_affine(g, "mul", x, 1, 0);
    x = eng_tanh(g, "t", x);
    x = eng_affine(g, "add", x, 0, 1);
    return eng_affine(g, "both", x, 1, 1);
}
/* ONNX Concat at axis 2 of (N, C, H, W) with a constant: blocks of W inside C */
static int b_concat_span(EngGraph *g, int x) {
    const EngShape s = eng_graph_node(g, x)->out;
    int k = eng_const(g, "k", s.C, 2, s.W);
    int t = eng_tanh(g, "t", x);
    int xs[3] = {t, k, x};
    int c = eng_concat_span(g, "cat", xs, 3, s.C, s.W, (EngShape){s.C, 2 * s.H + 2, s.W});
    return eng_sigmoid(g, "s", c);
}
static int b_pad_flatten(EngGraph *g, int x) {
    x = eng_pad(g, "pad", x, 1, 0, 2, 1, 0.25f);
    x = eng_conv_k(g, "conv", x, 2, 2, 1, 0, 1, 1);
    x = eng_flatten(g, "flat", x);
    x = eng_dropout(g, "drop", x, 0.3f);
    return eng_fc(g, "fc", x, 3, 1);
}

/* ONNX Transpose: a sample (C, H, W) read as (C, H, W, 1), axes (2, 0, 3, 1),
 * stored as (W, C, H); an FC after it sees every place */
static int b_transpose(EngGraph *g, int x) {
    const EngShape s = eng_graph_node(g, x)->out;
    const int dims[4] = {s.C, s.H, s.W, 1}, perm[4] = {2, 0, 3, 1};
    x = eng_transpose(g, "tr", x, dims, perm, s.W, s.C, s.H);
    x = eng_tanh(g, "t", x);
    return eng_fc(g, "fc", x, 4, 1);
}

/* MaxUnpool is linear, so its backward must be its forward's adjoint:
 * <dy, unpool(x)> = <unpool_backward(dy), x> for any x, dy. */
static void test_maxunpool_adjoint(void) {
    const int N = 2;
    const size_t isz = 6, osz = 15;
    const float places[6] = {14, 0, 7, 3, 9, 12};
    float x[12], dy[30], y[30], dx[12] = {0};
    for (int i = 0; i < 12; i++) x[i] = (float)(urand() * 2 - 1);
    for (int i = 0; i < 30; i++) dy[i] = (float)(urand() * 2 - 1);
    eng_maxunpool_forward(y, x, places, N, isz, osz);
    eng_maxunpool_backward(dx, dy, places, N, isz, osz);
    double a = 0, b = 0;
    for (int i = 0; i < 30; i++) a += (double)dy[i] * y[i];
    for (int i = 0; i < 12; i++) b += (double)dx[i] * x[i];
    CHECK(fabs(a - b) < 1e-6);
    if (fabs(a - b) >= 1e-6) fprintf(stderr, "  maxunpool adjoint: %.9g vs %.9g\n", a, b);
}

/* A whole small network trained for a few steps by plain SGD: the
 * cross-entropy must fall, and its gradient must match finite differences. */
static void test_network(void) {
    EngGraph *g = eng_graph_create();
    int x = eng_input(g, "x", 1, 8, 8);
    x = eng_conv_k(g, "conv1", x, 4, 3, 1, 1, 1, 1);
    x = eng_bn(g, "bn1", x, 1e-5f);
    x = eng_relu(g, "relu1", x);
    x = eng_maxpool_k(g, "pool1", x, 2, 2, 0);
    x = eng_conv_k(g, "conv2", x, 6, 3, 1, 1, 1, 0);
    x = eng_tanh(g, "tanh2", x);
    x = eng_dropout(g, "drop", x, 0.2f);
    x = eng_fc(g, "fc", x, 3, 1);
    eng_graph_enable_grads(g);
    const int N = 6;
    CHECK(eng_graph_init_params(g, 9) == 0 && eng_graph_plan(g, N) == 0);
    eng_graph_set_training(g, 1);
    float *in = eng_graph_input_buffer(g, 0);
    uint8_t labels[6];
    for (int n = 0; n < N; n++) {
        labels[n] = (uint8_t)(n % 3);
        for (int i = 0; i < 64; i++) /* each class a different bright quadrant */
            in[n * 64 + i] = 0.1f * (float)urand() + ((i / 8 < 4) == (labels[n] == 0) &&
                                                       ((i % 8) < 4) == (labels[n] != 2) ? 1.0f : 0.0f);
    }
    double first = 0, last = 0;
    for (int step = 0; step < 60; step++) {
        eng_graph_seed(g, 100 + (uint64_t)step);
        eng_graph_forward(g);
        double L = eng_graph_loss_ce(g, labels, NULL);
        if (step == 0) first = L;
        last = L;
        CHECK(eng_graph_backward(g) == 0);
        for (int i = 0; i < eng_graph_node_count(g); i++) {
            EngNode *n = eng_graph_node_mut(g, i);
            for (int k = 0; k < n->n_params; k++)
                if (n->params[k].learnable)
                    for (size_t j = 0; j < n->params[k].n; j++)
                        n->params[k].data[j] -= 0.1f * n->params[k].grad[j];
        }
    }
    if (!(last < 0.5 * first)) fprintf(stderr, "  loss %.4f -> %.4f\n", first, last);
    CHECK(last < 0.5 * first);
    /* d CE / d input against finite differences, training mode, fixed mask */
    eng_graph_seed(g, 1);
    eng_graph_forward(g);
    eng_graph_loss_ce(g, labels, NULL);
    CHECK(eng_graph_backward(g) == 0);
    int ok = 1;
    for (int i = 0; i < N * 64; i += 17) {
        float keep = in[i], e = 1e-2f;
        in[i] = keep + e;
        eng_graph_seed(g, 1);
        eng_graph_forward(g);
        double lp = eng_graph_loss_ce(g, labels, NULL);
        in[i] = keep - e;
        eng_graph_seed(g, 1);
        eng_graph_forward(g);
        double lm = eng_graph_loss_ce(g, labels, NULL);
        in[i] = keep;
        eng_graph_seed(g, 1);
        eng_graph_forward(g);
        eng_graph_loss_ce(g, labels, NULL);
        eng_graph_backward(g);
        double num = (lp - lm) / (2 * e), ana = eng_graph_node(g, 0)->grad[i];
        if (fabs(num - ana) > 2e-2 * fmax(1e-2, fabs(num)) + 1e-4) {
            fprintf(stderr, "  network d/dx[%d]: analytic %.6g numeric %.6g\n", i, ana, num);
            ok = 0;
        }
    }
    CHECK(ok);
    /* without gradients enabled, backward is refused cleanly */
    EngGraph *h = eng_graph_create();
    int hx = eng_input(h, "x", 1, 4, 4);
    eng_relu(h, "r", hx);
    CHECK(eng_graph_init_params(h, 1) == 0 && eng_graph_plan(h, 1) == 0);
    CHECK(eng_graph_backward(h) != 0);
    eng_graph_destroy(h);
    eng_graph_destroy(g);
}

/* The effective receptive field lives inside the theoretical one: the
 * gradient of one unit is zero outside rows/cols [y*j - p, y*j - p + r - 1],
 * and reaches its edges (every tap of a dense conv chain is used). */
static void test_erf_inside_rf(void) {
    EngGraph *g = eng_graph_create();
    int x = eng_input(g, "x", 2, 23, 21);
    x = eng_conv_k(g, "c1", x, 3, 3, 1, 1, 1, 1);
    x = eng_tanh(g, "t1", x);
    x = eng_avgpool_k(g, "p1", x, 2, 2, 0);
    EngConvParams p = {.oc = 4, .kh = 3, .kw = 5, .sh = 2, .sw = 1, .pt = 1, .pl = 2, .pb = 1,
                       .pr = 2, .dh = 2, .dw = 1, .groups = 1, .has_bias = 1};
    x = eng_conv(g, "c2", x, &p);
    eng_graph_enable_grads(g);
    CHECK(eng_graph_init_params(g, 4) == 0 && eng_graph_plan(g, 1) == 0);
    float *in = eng_graph_input_buffer(g, 0);
    for (int i = 0; i < 2 * 23 * 21; i++) in[i] = (float)(urand() - 0.5);
    eng_graph_forward(g);
    EngNode *o = eng_graph_node_mut(g, x);
    const EngRf rf = o->rf;
    CHECK(rf.finite);
    int ok = 1, touched_edges = 0;
    for (int uy = 0; uy < o->out.H; uy++)
        for (int ux = 0; ux < o->out.W; ux++) {
            float erf[23 * 21]; /* sum over both channels of |d unit / d input| */
            CHECK(eng_graph_unit_grad(g, x, 1, uy, ux, erf) == 0);
            /* the engine's field follows the vertical axis (kernels 3 and 5 differ
             * across): check rows */
            long y0 = uy * rf.stride - rf.pad;
            int top = 0, bottom = 0;
            for (int yy = 0; yy < 23; yy++)
                for (int xx = 0; xx < 21; xx++) {
                    float v = erf[yy * 21 + xx];
                    if (v == 0.0f) continue;
                    if (yy < y0 || yy > y0 + rf.size - 1) ok = 0;
                    if (yy == y0) top = 1;
                    if (yy == y0 + rf.size - 1) bottom = 1;
                }
            if (y0 >= 0 && y0 + rf.size - 1 < 23) touched_edges += top && bottom;
        }
    CHECK(ok);
    CHECK(touched_edges > 0);
    eng_graph_destroy(g);
}

int main(void) {
    eng_log_set(quiet, NULL);
    eng_set_threads(2);
    grad_case("conv", 2, 3, 5, 6, b_conv, 0);
    grad_case("conv strided dilated grouped", 2, 4, 7, 6, b_conv_strided, 0);
    grad_case("conv pointwise", 2, 4, 3, 3, b_conv_pointwise, 0);
    grad_case("conv depthwise", 2, 4, 5, 5, b_conv_depthwise, 0);
    grad_case("maxpool", 2, 2, 6, 7, b_maxpool, 0);
    grad_case("avgpool", 2, 2, 6, 7, b_avgpool, 0);
    grad_case("avgpool pad counted", 1, 2, 5, 5, b_avgpool_pad, 0);
    grad_case("global avgpool", 2, 3, 4, 4, b_gavg, 0);
    grad_case("global maxpool", 2, 3, 4, 4, b_gmax, 0);
    grad_case("lrn", 2, 5, 3, 3, b_lrn, 0);
    grad_case("batchnorm (training)", 4, 3, 3, 3, b_bn, 1);
    grad_case("batchnorm (inference)", 2, 3, 3, 3, b_bn, 0);
    grad_case("relu", 2, 2, 4, 4, b_relu, 0);
    grad_case("leakyrelu", 2, 2, 4, 4, b_leaky, 0);
    grad_case("clip", 2, 2, 4, 4, b_relu6, 0);
    grad_case("sigmoid", 2, 2, 4, 4, b_sigmoid, 0);
    grad_case("tanh", 2, 2, 4, 4, b_tanh, 0);
    grad_case("hardsigmoid", 2, 2, 4, 4, b_hsig, 0);
    grad_case("hardswish", 2, 2, 4, 4, b_hswish, 0);
    grad_case("prelu", 2, 2, 4, 4, b_prelu, 0);
    grad_case("softmax", 2, 4, 2, 3, b_softmax, 0);
    grad_case("fc", 3, 2, 3, 3, b_fc, 0);
    grad_case("matmul", 2, 3, 2, 2, b_matmul, 0);
    grad_case("affine", 2, 2, 3, 2, b_affine, 0);
    grad_case("concat span with a constant", 2, 2, 3, 2, b_concat_span, 0);
    grad_case("matmul transposed", 2, 3, 2, 2, b_matmul_t, 0);
    grad_case("softmax span", 2, 2, 3, 4, b_softmax_span, 0);
    grad_case("prelu per unit, reshape", 2, 2, 3, 2, b_prelu_units_reshape, 0);
    grad_case("add and concat", 2, 2, 4, 4, b_merge, 0);
    grad_case("channel multiply", 2, 2, 4, 4, b_mul, 0);
    grad_case("pad flatten dropout", 3, 2, 3, 4, b_pad_flatten, 1);
    grad_case("transpose", 2, 2, 3, 4, b_transpose, 0);
    grad_case("log softmax", 2, 4, 2, 3, b_logsoftmax, 0);
    grad_case("slice", 2, 4, 3, 3, b_slice, 0);
    grad_case("batch norm by batch statistics", 2, 4, 3, 2, b_bn_batch, 0);
    test_maxunpool_adjoint();
    test_network();
    test_erf_inside_rf();
    return check_finish("grad");
}
