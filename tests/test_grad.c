/*
 * test_grad.c — every backward kernel against finite differences.
 *
 * For each op a tiny graph input -> op is built with random parameters; the
 * loss is L = sum(r * y) for a fixed random r (|r| in [1, 3]), so dL/dy = r.
 * The analytic gradients (input and every learnable parameter) from
 * eng_graph_backward are compared with a five-point central difference
 *   L'(v) ~ (8 (L(v+h) - L(v-h)) - (L(v+2h) - L(v-2h))) / 12h
 * at every position of the input and of each parameter (up to 400 each).
 *
 * Accuracy: the forward runs in float, L is summed in double from the float
 * outputs. The stencil's truncation error is h^4/30 times the fifth
 * derivative (h = 2^-6: about 2e-9 times it), and the float rounding of the
 * outputs a step moves (a few 6e-8 relative each) is divided by about 1.5h,
 * a few 1e-5 for these small graphs. h is a power of two, so v +- h is exact or off by one
 * float ulp of v. That leaves room for a tolerance of 1e-3 + 5e-3 |numeric|,
 * tight enough that a derivative off by 1% (where |g| > 0.2) or a cross term
 * off by 5% fails (the mutants of tests/mutants.sh). Piecewise-linear ops
 * (ReLU, max pool, clip...; hard swish is piecewise quadratic) are exact
 * between kinks: their cases use a step of 2^-10, so that 2h stays below half
 * the distance from any input value to a kink or to another value of its
 * pooling window (the inputs are a shuffled ramp, all values 2/size apart and
 * off zero).
 * Then a whole small network with the cross-entropy loss.
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
/* after the parameters are randomised: set those that must hold exact values */
typedef void (*FixFn)(EngGraph *g);

#define FD_STEP (1.0 / 64)      /* smooth ops */
#define FD_STEP_KINK (1.0 / 1024) /* piecewise-linear ops: stays between kinks */
#define FD_ATOL 1e-3
#define FD_RTOL 5e-3

typedef struct {
    const char *name;
    int N, C, H, W;
    BuildFn build;
    int training;
    double h;        /* finite-difference step, 0: FD_STEP */
    float in_scale;  /* the input ramp spans [-in_scale, in_scale], 0: 1 */
    FixFn fix;       /* may be NULL */
} GradCase;

/* the op types the cases have built, checked against the enum at the end */
static int op_seen[ENG_OP_COUNT];

/* the worst error / tolerance of every comparison, printed at the end */
static double worst_ratio = 0.0;
static char worst_what[160];

static double loss_of(EngGraph *g, const float *r, size_t n, uint64_t seed) {
    eng_graph_seed(g, seed);
    eng_graph_forward(g);
    const EngNode *o = eng_graph_node(g, eng_graph_output(g));
    double L = 0.0;
    for (size_t i = 0; i < n; i++) L += (double)r[i] * o->act[i];
    return L;
}

/* dL/dv by the five-point stencil; v is restored. */
static double fd_derivative(EngGraph *g, float *v, const float *r, size_t nr, double h) {
    const float keep = *v;
    double f[4];
    const int k[4] = {2, 1, -1, -2};
    for (int j = 0; j < 4; j++) {
        *v = (float)(keep + k[j] * h);
        f[j] = loss_of(g, r, nr, 5);
    }
    *v = keep;
    return (8.0 * (f[1] - f[2]) - (f[0] - f[3])) / (12.0 * h);
}

static int fd_close(double ana, double num, const char *what, size_t i, int *bad) {
    const double err = fabs(num - ana), tol = FD_ATOL + FD_RTOL * fabs(num);
    if (err / tol > worst_ratio || err != err) {
        worst_ratio = err == err ? err / tol : INFINITY;
        snprintf(worst_what, sizeof worst_what, "%s[%zu]", what, i);
    }
    if (err <= tol) return 1;
    if (*bad < 3) fprintf(stderr, "  %s[%zu]: analytic %.7g, numeric %.7g\n", what, i, ana, num);
    (*bad)++;
    return 0;
}

/* Compare d/dv analytic (ana) with finite differences at up to 400 positions of v. */
static int fd_check(EngGraph *g, float *v, const float *ana, size_t nv, const float *r, size_t nr,
                    const char *what, double h) {
    int bad = 0;
    const size_t step = (nv + 399) / 400;
    for (size_t i = 0; i < nv; i += step)
        fd_close(ana[i], fd_derivative(g, v + i, r, nr, h), what, i, &bad);
    if (bad) fprintf(stderr, "  %s: %d of %zu positions differ\n", what, bad, (nv + step - 1) / step);
    return bad == 0;
}

/* parameters: random, away from zero; BN statistics plausible */
static void randomise_params(EngGraph *g) {
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
}

/* input: a shuffled ramp over [-scale, scale], all values 2 scale/nx apart and off zero */
static void ramp_input(float *in, size_t nx, float scale) {
    for (size_t i = 0; i < nx; i++) in[i] = scale * (-1.0f + 2.0f * ((float)i + 0.5f) / (float)nx);
    for (size_t i = nx - 1; i > 0; i--) {
        size_t j = (size_t)(urand() * (double)(i + 1));
        float t = in[i];
        in[i] = in[j];
        in[j] = t;
    }
}

/* every learnable parameter's analytic gradient against finite differences */
static void check_params(EngGraph *g, const char *name, const float *r, size_t nr, double h) {
    char what[160];
    for (int i = 0; i < eng_graph_node_count(g); i++) {
        EngNode *n = eng_graph_node_mut(g, i);
        for (int k = 0; k < n->n_params; k++) {
            EngParam *p = &n->params[k];
            if (!p->learnable) continue;
            float *ga = malloc(p->n * sizeof *ga);
            memcpy(ga, p->grad, p->n * sizeof *ga);
            snprintf(what, sizeof what, "%s d/d%s.%s", name, n->name, p->suffix);
            CHECK(fd_check(g, p->data, ga, p->n, r, nr, what, h));
            free(ga);
        }
    }
}

static void grad_case(const GradCase *tc) {
    const int N = tc->N;
    const double h = tc->h > 0 ? tc->h : FD_STEP;
    EngGraph *g = eng_graph_create();
    int x = eng_input(g, "x", tc->C, tc->H, tc->W);
    int y = tc->build(g, x);
    CHECK(y >= 0 && eng_graph_ok(g));
    if (y < 0 || !eng_graph_ok(g)) {
        fprintf(stderr, "  %s: %s\n", tc->name, eng_graph_error(g));
        eng_graph_destroy(g);
        return;
    }
    eng_graph_set_output(g, y);
    for (int i = 0; i < eng_graph_node_count(g); i++) op_seen[eng_graph_node(g, i)->op] = 1;
    eng_graph_enable_grads(g);
    CHECK(eng_graph_init_params(g, 3) == 0 && eng_graph_plan(g, N) == 0);
    eng_graph_set_training(g, tc->training);
    randomise_params(g);
    if (tc->fix) tc->fix(g);
    size_t nx = (size_t)N * tc->C * tc->H * tc->W;
    float *in = eng_graph_input_buffer(g, x);
    ramp_input(in, nx, tc->in_scale > 0 ? tc->in_scale : 1.0f);
    const EngNode *o = eng_graph_node(g, y);
    size_t nr = (size_t)N * o->out.C * o->out.H * o->out.W;
    float *r = malloc(nr * sizeof *r);
    for (size_t i = 0; i < nr; i++) r[i] = (float)((urand() < 0.5 ? -1 : 1) * (1.0 + 2.0 * urand()));
    /* analytic */
    loss_of(g, r, nr, 5);
    eng_graph_zero_grads(g);
    memcpy(eng_graph_node_mut(g, y)->grad, r, nr * sizeof *r);
    CHECK(eng_graph_backward(g) == 0);
    float *gx = malloc(nx * sizeof *gx);
    memcpy(gx, eng_graph_node(g, x)->grad, nx * sizeof *gx);
    char what[160];
    snprintf(what, sizeof what, "%s d/dx", tc->name);
    CHECK(fd_check(g, in, gx, nx, r, nr, what, h));
    check_params(g, tc->name, r, nr, h);
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
/* non-square kernel, a stride per axis, uneven padding on every side */
static int b_conv_nonsquare(EngGraph *g, int x) {
    EngConvParams p = {.oc = 3, .kh = 2, .kw = 3, .sh = 1, .sw = 2, .pt = 0, .pl = 2, .pb = 1,
                       .pr = 0, .dh = 1, .dw = 1, .groups = 1, .has_bias = 1};
    return eng_conv(g, "conv", x, &p);
}
/* groups == C but two outputs per group: the grouped GEMM path, not the depthwise loops */
static int b_conv_grouped_mult(EngGraph *g, int x) {
    EngConvParams p = {.oc = 4, .kh = 3, .kw = 3, .sh = 2, .sw = 2, .pt = 1, .pl = 1, .pb = 1,
                       .pr = 1, .dh = 1, .dw = 1, .groups = 2, .has_bias = 1};
    return eng_conv(g, "conv", x, &p);
}
/* depthwise: non-square kernel, strided, dilated, padded unevenly */
static int b_conv_depthwise_nonsquare(EngGraph *g, int x) {
    EngConvParams p = {.oc = 3, .kh = 3, .kw = 2, .sh = 2, .sw = 1, .pt = 2, .pl = 0, .pb = 1,
                       .pr = 1, .dh = 2, .dw = 1, .groups = 3, .has_bias = 1};
    return eng_conv(g, "dw", x, &p);
}
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
/* non-square window, a stride per axis, uneven padding */
static int b_maxpool_pad(EngGraph *g, int x) {
    EngPoolParams p = {.kh = 3, .kw = 2, .sh = 2, .sw = 1, .pt = 1, .pl = 0, .pb = 1, .pr = 1};
    return eng_maxpool(g, "pool", x, &p);
}
static int b_maxpool_dilated(EngGraph *g, int x) {
    EngPoolParams p = {.kh = 2, .kw = 3, .sh = 1, .sw = 2, .pt = 1, .pl = 1, .pb = 0, .pr = 1,
                       .dh = 2, .dw = 1};
    return eng_maxpool(g, "pool", x, &p);
}
static int b_gavg(EngGraph *g, int x) { return eng_gavgpool(g, "gap", x); }
static int b_gmax(EngGraph *g, int x) { return eng_gmaxpool(g, "gmp", x); }
/* LRN with alpha = size (alpha/size = 1) on inputs up to 1.5: the cross term
 * (through the neighbours' denominators) is as large as the direct one.
 * Even sizes make the window lopsided (c - 1 .. c + 2 for size 4), so a
 * mirrored window shows. */
static int lrn_of(EngGraph *g, int x, int size) {
    return eng_lrn(g, "lrn", x, size, (float)size, 0.75f, 1.0f);
}
static int b_lrn2(EngGraph *g, int x) { return lrn_of(g, x, 2); }
static int b_lrn3(EngGraph *g, int x) { return lrn_of(g, x, 3); }
static int b_lrn4(EngGraph *g, int x) { return lrn_of(g, x, 4); }
static int b_lrn5(EngGraph *g, int x) { return lrn_of(g, x, 5); }
/* beta other than 0.75 takes the forward's powf path */
static int b_lrn_beta(EngGraph *g, int x) { return eng_lrn(g, "lrn", x, 3, 2.0f, 0.6f, 2.0f); }
static int b_bn(EngGraph *g, int x) { return eng_bn(g, "bn", x, 1e-5f); }
/* eps comparable to the variances (0.5 .. 1.3): leaving it out shows */
static int b_bn_eps(EngGraph *g, int x) { return eng_bn(g, "bn", x, 0.25f); }
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
static int b_silu(EngGraph *g, int x) { return eng_silu(g, "a", x); }
static int b_gelu(EngGraph *g, int x) { return eng_gelu(g, "a", x); }
static int b_layernorm(EngGraph *g, int x) { return eng_layernorm(g, "ln", x, 1e-6f); }
/* eps comparable to the variances: leaving it out shows */
static int b_layernorm_eps(EngGraph *g, int x) { return eng_layernorm(g, "ln", x, 0.3f); }
/* ConvNeXt's branch end: a layer scale after a conv that mixes the channels */
static int b_layerscale(EngGraph *g, int x) {
    x = eng_conv_k(g, "pw", x, 3, 1, 1, 0, 1, 1);
    return eng_layer_scale(g, "blk", x);
}
/* Mish over [-3, 3] and, after a scale, out past both tails */
static int b_mish(EngGraph *g, int x) { return eng_mish(g, "a", x); }
static int b_mish_wide(EngGraph *g, int x) {
    x = eng_conv_k(g, "scale", x, 2, 1, 1, 0, 1, 1);
    return eng_mish(g, "a", x);
}
/* stochastic depth on a branch added to its input: at inference (scaled by
 * keep) and in training (the seed fixes each sample's mask; 6 samples at keep
 * 0.5 draw both kinds) */
static int b_drop_path(EngGraph *g, int x) {
    int f = eng_conv_k(g, "conv", x, 2, 3, 1, 1, 1, 1);
    f = eng_tanh(g, "t", f);
    f = eng_drop_path(g, "dp", f, 0.5f);
    return eng_add2(g, "sum", f, x);
}
/* a fractal join of three branches: the mean at inference, the kept ones'
 * mean in training (a mask fixed by the seed, high drop so some go) */
static int b_join(EngGraph *g, int x) {
    int a = eng_conv_k(g, "conv", x, 2, 3, 1, 1, 1, 1);
    int t = eng_tanh(g, "t", x), s = eng_sigmoid(g, "s", a);
    const int xs[3] = {a, t, s};
    return eng_join(g, "join", xs, 3, 0.5f);
}
static int b_prelu(EngGraph *g, int x) { return eng_prelu(g, "a", x, 2); }
static int b_prelu_shared(EngGraph *g, int x) { return eng_prelu(g, "a", x, 1); }
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
/* three inputs added; two maps of equal shape multiplied */
static int b_add3(EngGraph *g, int x) {
    int a = eng_tanh(g, "t", x), b = eng_sigmoid(g, "s", x);
    int xs[3] = {a, x, b};
    return eng_add(g, "sum", xs, 3);
}
static int b_mul_same(EngGraph *g, int x) {
    int t = eng_conv_k(g, "c", x, 2, 3, 1, 1, 1, 1);
    return eng_mul(g, "prod", x, t);
}
/* MaxUnpool into a larger plane: each unit to a distinct place (set by fix_unpool) */
static int b_maxunpool(EngGraph *g, int x) {
    const EngShape s = eng_graph_node(g, x)->out;
    x = eng_tanh(g, "t", x);
    x = eng_maxunpool(g, "unpool", x, s.H + 1, s.W + 2);
    return eng_fc(g, "fc", x, 3, 1);
}
static void fix_unpool(EngGraph *g) {
    EngNode *n = eng_graph_node_mut(g, eng_graph_find(g, "unpool"));
    const size_t osz = (size_t)n->out.C * n->out.H * n->out.W;
    size_t *perm = malloc(osz * sizeof *perm);
    for (size_t i = 0; i < osz; i++) perm[i] = i;
    for (size_t i = osz - 1; i > 0; i--) {
        size_t j = (size_t)(urand() * (double)(i + 1)), t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    for (size_t i = 0; i < n->params[0].n; i++) n->params[0].data[i] = (float)perm[i];
    free(perm);
}
/* batch-norm statistics alone: the running mean and variance a batch moves */
static int b_bn_stats(EngGraph *g, int x) {
    const EngShape s = eng_graph_node(g, x)->out;
    const int c = s.C / 2, hw = s.H * s.W;
    int m = eng_bn_stat(g, "mean", x, 2, c, hw, 0, 0.4f), v = eng_bn_stat(g, "var", x, 2, c, hw, 1, 0.3f);
    int parts[2] = {m, v};
    return eng_concat(g, "cat", parts, 2);
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
/* ONNX MatMul by a stack of 2 matrices: a (4, 3, 2) sample as 4 blocks of 3
 * rows of 2, blocks 0 and 2 by matrix 0, 1 and 3 by matrix 1 */
static int b_matmul_stack(EngGraph *g, int x) {
    const EngShape s = eng_graph_node(g, x)->out;
    return eng_matmul_stack(g, "mm", x, s.C * s.H, s.H, s.W, 3, 2);
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

/* ResNet's option-A shortcut: subsample by 2, zero channels before and after
 * (a nonzero value too, so the new channels' fill is seen), added to a
 * strided convolution of the same shape */
static int b_pad_channels(EngGraph *g, int x) {
    const int C = eng_graph_node(g, x)->out.C;
    int f = eng_conv_k(g, "conv", x, C + 3, 3, 2, 1, 1, 1);
    int sc = eng_avgpool_k(g, "sub", x, 1, 2, 0);
    const EngPadParams p = {.pt = 0, .pl = 1, .pb = 1, .pr = 0, .value = 0.5f, .cb = 1, .ca = 2};
    sc = eng_pad_chw(g, "pad", sc, &p);
    f = eng_pad(g, "pad_hw", f, 0, 1, 1, 0, 0.0f);
    int s = eng_add2(g, "add", f, sc);
    return eng_tanh(g, "t", s);
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

/* The general elementwise ops (ONNX's Abs, Exp, Elu...): one kind each,
 * alpha and gamma as the case names them; the functions defined for
 * positive inputs only (log, sqrt, reciprocal, a fractional power) read
 * exp(x) first. */
static int unary_of(EngGraph *g, int x, int kind, float alpha, float gamma, int positive) {
    if (positive) x = eng_unary(g, "exp", x, ENG_UNARY_EXP, 0.0f, 0.0f);
    return eng_unary(g, "f", x, kind, alpha, gamma);
}
static int b_abs(EngGraph *g, int x) { return unary_of(g, x, ENG_UNARY_ABS, 0, 0, 0); }
static int b_neg(EngGraph *g, int x) { return unary_of(g, x, ENG_UNARY_NEG, 0, 0, 0); }
static int b_exp(EngGraph *g, int x) { return unary_of(g, x, ENG_UNARY_EXP, 0, 0, 0); }
static int b_log(EngGraph *g, int x) { return unary_of(g, x, ENG_UNARY_LOG, 0, 0, 1); }
static int b_recip(EngGraph *g, int x) { return unary_of(g, x, ENG_UNARY_RECIPROCAL, 0, 0, 1); }
static int b_sqrt(EngGraph *g, int x) { return unary_of(g, x, ENG_UNARY_SQRT, 0, 0, 1); }
static int b_erf(EngGraph *g, int x) { return unary_of(g, x, ENG_UNARY_ERF, 0, 0, 0); }
static int b_elu(EngGraph *g, int x) { return unary_of(g, x, ENG_UNARY_ELU, 0.7f, 0, 0); }
static int b_selu(EngGraph *g, int x) { return unary_of(g, x, ENG_UNARY_SELU, 1.6733f, 1.0507f, 0); }
static int b_celu(EngGraph *g, int x) { return unary_of(g, x, ENG_UNARY_CELU, 0.6f, 0, 0); }
static int b_softplus(EngGraph *g, int x) { return unary_of(g, x, ENG_UNARY_SOFTPLUS, 0, 0, 0); }
static int b_softsign(EngGraph *g, int x) { return unary_of(g, x, ENG_UNARY_SOFTSIGN, 0, 0, 0); }
/* the threshold between ramp values (odd multiples of 1/64) */
static int b_thrrelu(EngGraph *g, int x) { return unary_of(g, x, ENG_UNARY_THRESHOLDED_RELU, 0.25f, 0, 0); }
static int b_pow_frac(EngGraph *g, int x) { return unary_of(g, x, ENG_UNARY_POW, 1.5f, 0, 1); }
static int b_pow_int(EngGraph *g, int x) { return unary_of(g, x, ENG_UNARY_POW, 3.0f, 0, 0); }
static int b_linear(EngGraph *g, int x) { return unary_of(g, x, ENG_UNARY_LINEAR, -0.7f, 0.3f, 0); }

/* x op m, m x's mean over W (4 axes (1, C, H, W) against (1, C, H, 1)),
 * through a conv first so that both operands carry parameters' gradients */
static int binary_of(EngGraph *g, int x, int kind, int red, int positive) {
    const EngShape s = eng_graph_node(g, x)->out;
    x = eng_conv_k(g, "conv", x, s.C, 1, 1, 0, 1, 1);
    if (positive) x = eng_unary(g, "exp", x, ENG_UNARY_EXP, 0.0f, 0.0f);
    const int d[4] = {1, s.C, s.H, s.W}, md[4] = {1, s.C, s.H, 1};
    const int m = eng_reduce(g, "mean", x, red, d, 8, (EngShape){s.C, s.H, 1});
    return eng_binary(g, "op", x, m, kind, d, md, s);
}
static int b_bin_sub_mean(EngGraph *g, int x) { return binary_of(g, x, ENG_BINARY_SUB, ENG_REDUCE_MEAN, 0); }
static int b_bin_add_sum(EngGraph *g, int x) { return binary_of(g, x, ENG_BINARY_ADD, ENG_REDUCE_SUM, 0); }
static int b_bin_mul_sq(EngGraph *g, int x) {
    return binary_of(g, x, ENG_BINARY_MUL, ENG_REDUCE_SUM_SQUARE, 0);
}
static int b_bin_div(EngGraph *g, int x) { return binary_of(g, x, ENG_BINARY_DIV, ENG_REDUCE_SUM, 1); }
static int b_bin_pow(EngGraph *g, int x) { return binary_of(g, x, ENG_BINARY_POW, ENG_REDUCE_MEAN, 1); }
/* max over C and H of each column: the gradient to the one maximum */
static int b_reduce_max(EngGraph *g, int x) {
    const EngShape s = eng_graph_node(g, x)->out;
    const int d[4] = {1, s.C, s.H, s.W};
    return eng_reduce(g, "max", x, ENG_REDUCE_MAX, d, 2 | 4, (EngShape){s.W, 1, 1});
}
/* a channel (C, 1, 1) against the map, the broadcast on the other side: m - x */
static int b_bin_bcast_first(EngGraph *g, int x) {
    const EngShape s = eng_graph_node(g, x)->out;
    const int d[4] = {1, s.C, s.H, s.W}, cd[4] = {1, s.C, 1, 1};
    const int m = eng_reduce(g, "mean", x, ENG_REDUCE_MEAN, d, 4 | 8, (EngShape){s.C, 1, 1});
    const int y = eng_binary(g, "op", m, x, ENG_BINARY_SUB, cd, d, s);
    return eng_tanh(g, "t", y);
}
/* the same node on both sides: x * x */
static int b_bin_square(EngGraph *g, int x) {
    const EngShape s = eng_graph_node(g, x)->out;
    const int d[4] = {1, s.C, s.H, s.W};
    return eng_binary(g, "sq", x, x, ENG_BINARY_MUL, d, d, s);
}
/* MatMul of two computed tensors: a conv of x (C, H, W) times x transposed,
 * (1, C, H, W) @ (1, C, W, H), a matrix per channel; both sides carry
 * gradients (the conv's parameters and x through the transpose) */
static int b_bmm(EngGraph *g, int x) {
    const EngShape s = eng_graph_node(g, x)->out;
    const int d[4] = {1, s.C, s.H, s.W}, perm[4] = {0, 1, 3, 2}, td[4] = {1, s.C, s.W, s.H};
    const int a = eng_conv_k(g, "conv", x, s.C, 1, 1, 0, 1, 1);
    const int t = eng_transpose(g, "tr", x, d, perm, s.C, s.W, s.H);
    return eng_bmm(g, "mm", a, t, d, td, (EngShape){s.C, s.H, s.H});
}
/* broadcast along both leading axes: x (2, 3, 4) read as (2, 1, 3, 4), a conv
 * of it (3, 3, 4) read as (1, 3, 4, 3): out (2, 3, 3, 3), each matrix of
 * either side read by several products */
static int b_bmm_bcast(EngGraph *g, int x) {
    const EngShape s = eng_graph_node(g, x)->out;
    const int b = eng_conv_k(g, "conv", x, 3, 1, 1, 0, 1, 1);
    const int ad[4] = {s.C, 1, s.H, s.W}, bd[4] = {1, 3, s.W, s.H};
    return eng_bmm(g, "mm", x, b, ad, bd, (EngShape){s.C * 3, s.H, s.H});
}
/* the same node on both sides: x @ x, a square matrix per channel */
static int b_bmm_square(EngGraph *g, int x) {
    const EngShape s = eng_graph_node(g, x)->out;
    const int d[4] = {1, s.C, s.H, s.W};
    return eng_bmm(g, "mm", x, x, d, d, s);
}
static int b_d2s_dcr(EngGraph *g, int x) { return eng_fc(g, "fc", eng_depth_space(g, "d2s", x, 2, 0, 1), 3, 1); }
static int b_d2s_crd(EngGraph *g, int x) { return eng_fc(g, "fc", eng_depth_space(g, "d2s", x, 2, 1, 1), 3, 1); }
static int b_s2d(EngGraph *g, int x) { return eng_fc(g, "fc", eng_depth_space(g, "s2d", x, 2, 0, 0), 3, 1); }
static int pad_mode_of(EngGraph *g, int x, int mode) {
    const EngPadParams p = {.pt = 2, .pl = 1, .pb = 1, .pr = 3, .value = 0.0f, .mode = mode};
    return eng_fc(g, "fc", eng_pad_chw(g, "pad", x, &p), 3, 1);
}
static int b_pad_reflect(EngGraph *g, int x) { return pad_mode_of(g, x, ENG_PAD_REFLECT); }
static int b_pad_edge(EngGraph *g, int x) { return pad_mode_of(g, x, ENG_PAD_EDGE); }
/* ONNX LayerNormalization over the last axis (a channels-last map's C) */
static int b_layernorm_last(EngGraph *g, int x) {
    const EngShape s = eng_graph_node(g, x)->out;
    return eng_layernorm_span(g, "ln", x, s.W, 1, 1e-5f);
}

/* resizes: linear in x, so the differences are exact but for rounding */
static int resize_of(EngGraph *g, int x, int mode, int coord, int round, int oh, int ow, double sh,
                     double sw) {
    const EngResizeParams p = {mode, coord, round, oh, ow, sh, sw};
    return eng_resize(g, "resize", x, &p);
}
static int b_resize_nearest(EngGraph *g, int x) { /* PyTorch's nearest, 2x */
    return resize_of(g, x, ENG_RESIZE_NEAREST, ENG_RESIZE_ASYMMETRIC, ENG_RESIZE_FLOOR, 0, 0, 2, 2);
}
static int b_resize_nearest_down(EngGraph *g, int x) { /* some units read twice, some never */
    return resize_of(g, x, ENG_RESIZE_NEAREST, ENG_RESIZE_HALF_PIXEL, ENG_RESIZE_ROUND_PREFER_FLOOR,
                     4, 2, 0, 0);
}
static int b_resize_bilinear(EngGraph *g, int x) { /* PyTorch's align_corners=False, 2x */
    return resize_of(g, x, ENG_RESIZE_LINEAR, ENG_RESIZE_HALF_PIXEL, 0, 0, 0, 2, 2);
}
static int b_resize_bilinear_corners(EngGraph *g, int x) {
    return resize_of(g, x, ENG_RESIZE_LINEAR, ENG_RESIZE_ALIGN_CORNERS, 0, 7, 5, 0, 0);
}
static int b_resize_bilinear_down(EngGraph *g, int x) { /* then a conv reads it */
    x = resize_of(g, x, ENG_RESIZE_LINEAR, ENG_RESIZE_PYTORCH_HALF_PIXEL, 0, 0, 0, 0.6, 0.75);
    return eng_conv_k(g, "conv", x, 2, 3, 1, 1, 1, 1);
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

/* A resize is linear too: <dy, resize(x)> = <resize_backward(dy), x>, for every
 * mode, transformation and rounding, on planes large enough to run in parallel */
static void test_resize_adjoint(void) {
    float *scratch = malloc(4 * (64 + 64) * sizeof *scratch);
    for (int t = 0; t < 60; t++) {
        const int N = 2, C = 3, H = 2 + t % 13, W = 3 + t % 11;
        EngResizeParams p = {t % 2, t / 2 % ENG_RESIZE_COORD_COUNT, t / 3 % ENG_RESIZE_ROUND_COUNT,
                             1 + (t * 7) % 60, 1 + (t * 11) % 60, 0, 0};
        p.sh = (double)p.oh / H, p.sw = (double)p.ow / W;
        ENG_ASSERT(eng_resize_scratch(&p) <= 4 * (64 + 64));
        const size_t nx = (size_t)N * C * H * W, ny = (size_t)N * C * p.oh * p.ow;
        float *x = malloc(nx * sizeof *x), *dx = calloc(nx, sizeof *dx);
        float *y = malloc(ny * sizeof *y), *dy = malloc(ny * sizeof *dy);
        for (size_t i = 0; i < nx; i++) x[i] = (float)(urand() * 2 - 1);
        for (size_t i = 0; i < ny; i++) dy[i] = (float)(urand() * 2 - 1);
        eng_resize_forward(y, x, N, C, H, W, &p, scratch);
        eng_resize_backward(dx, dy, N, C, H, W, &p, scratch);
        double a = 0, b = 0, mag = 0;
        for (size_t i = 0; i < ny; i++) a += (double)dy[i] * y[i], mag += fabs((double)dy[i] * y[i]);
        for (size_t i = 0; i < nx; i++) b += (double)dx[i] * x[i];
        CHECK(fabs(a - b) <= 1e-5 * (1 + mag));
        if (fabs(a - b) > 1e-5 * (1 + mag))
            fprintf(stderr, "  resize adjoint (mode %d coord %d round %d %dx%d -> %dx%d): %.9g vs %.9g\n",
                    p.mode, p.coord, p.round, H, W, p.oh, p.ow, a, b);
        free(x), free(dx), free(y), free(dy);
    }
    free(scratch);
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
    /* d CE / d input against finite differences, training mode, fixed mask;
     * compared for the loss summed over the batch (N times the mean), so that
     * the tolerance means what it means for the single ops */
    eng_graph_seed(g, 1);
    eng_graph_forward(g);
    eng_graph_loss_ce(g, labels, NULL);
    CHECK(eng_graph_backward(g) == 0);
    float *ana = malloc((size_t)N * 64 * sizeof *ana);
    memcpy(ana, eng_graph_node(g, 0)->grad, (size_t)N * 64 * sizeof *ana);
    int bad = 0;
    for (int i = 0; i < N * 64; i += 7) {
        const float keep = in[i];
        const int k[4] = {2, 1, -1, -2};
        double f[4];
        for (int j = 0; j < 4; j++) {
            in[i] = (float)(keep + k[j] * FD_STEP_KINK);
            eng_graph_seed(g, 1);
            eng_graph_forward(g);
            f[j] = N * eng_graph_loss_ce(g, labels, NULL);
        }
        in[i] = keep;
        const double num = (8.0 * (f[1] - f[2]) - (f[0] - f[3])) / (12.0 * FD_STEP_KINK);
        fd_close(N * (double)ana[i], num, "network d/dx", (size_t)i, &bad);
    }
    free(ana);
    CHECK(bad == 0);
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

/* the softmax cross-entropy's gradient (the training loss) against finite
 * differences of the loss itself, in double from float logits */
static void test_softmax_ce_grad(void) {
    const int K = 6;
    for (int t = 0; t < 4; t++) {
        float z[6], grad[6];
        for (int k = 0; k < K; k++) z[k] = (float)(urand() * 6.0 - 3.0);
        const int y = t % K;
        const float scale = 0.5f;
        int best;
        eng_softmax_ce(z, K, y, scale, grad, &best);
        int bad = 0;
        for (int k = 0; k < K; k++) {
            const float keep = z[k];
            double f[4];
            const int s[4] = {2, 1, -1, -2};
            for (int j = 0; j < 4; j++) {
                z[k] = (float)(keep + s[j] * FD_STEP);
                f[j] = scale * eng_softmax_ce(z, K, y, scale, NULL, NULL);
            }
            z[k] = keep;
            const double num = (8.0 * (f[1] - f[2]) - (f[0] - f[3])) / (12.0 * FD_STEP);
            fd_close(grad[k], num, "softmax cross-entropy d/dz", (size_t)k, &bad);
        }
        CHECK(bad == 0);
    }
}

/* A label the scores do not have (a 2-output model on 10-class data) reads
 * nothing past the K scores: NAN, no argmax, a zero gradient. The scores sit
 * at the end of a guard of NANs that a read past them would bring in. */
static void test_softmax_ce_label_range(void) {
    float buf[8] = {0.5f, -1.0f, NAN, NAN, NAN, NAN, NAN, NAN}, grad[2] = {1.0f, 1.0f};
    const int labels[3] = {2, 9, -1};
    for (int i = 0; i < 3; i++) {
        int best = 7;
        grad[0] = grad[1] = 1.0f;
        CHECK(isnan(eng_softmax_ce(buf, 2, labels[i], 1.0f, grad, &best)));
        CHECK(best == -1 && grad[0] == 0.0f && grad[1] == 0.0f);
    }
    int best = -1;
    CHECK(isfinite(eng_softmax_ce(buf, 2, 1, 1.0f, grad, &best)) && best == 0);
}

/* A transposed convolution has no backward: refused with a message, not wrong numbers. */
static void test_convt_refused(void) {
    EngGraph *g = eng_graph_create();
    int x = eng_input(g, "x", 2, 3, 3);
    EngConvTParams p = {.oc = 2, .kh = 2, .kw = 2, .sh = 2, .sw = 2, .dh = 1, .dw = 1, .groups = 1};
    eng_convt(g, "up", x, &p);
    eng_graph_enable_grads(g);
    CHECK(eng_graph_init_params(g, 1) == 0 && eng_graph_plan(g, 1) == 0);
    CHECK(eng_graph_forward(g) == 0);
    CHECK(eng_graph_backward(g) != 0);
    eng_graph_destroy(g);
}

static const GradCase cases[] = {
    {"conv", 2, 3, 5, 6, b_conv, 0, 0, 0.0f, NULL},
    {"conv strided dilated grouped", 2, 4, 7, 6, b_conv_strided, 0, 0, 0.0f, NULL},
    {"conv non-square kernel, uneven padding", 2, 2, 5, 7, b_conv_nonsquare, 0, 0, 0.0f, NULL},
    {"conv grouped, two outputs per group", 2, 2, 6, 5, b_conv_grouped_mult, 0, 0, 0.0f, NULL},
    {"conv pointwise", 2, 4, 3, 3, b_conv_pointwise, 0, 0, 0.0f, NULL},
    {"conv depthwise", 2, 4, 5, 5, b_conv_depthwise, 0, 0, 0.0f, NULL},
    {"conv depthwise non-square strided dilated", 2, 3, 7, 5, b_conv_depthwise_nonsquare, 0, 0, 0.0f, NULL},
    {"maxpool", 2, 2, 6, 7, b_maxpool, 0, FD_STEP_KINK, 0.0f, NULL},
    {"maxpool non-square padded", 2, 2, 7, 5, b_maxpool_pad, 0, FD_STEP_KINK, 0.0f, NULL},
    {"maxpool dilated", 2, 2, 6, 7, b_maxpool_dilated, 0, FD_STEP_KINK, 0.0f, NULL},
    {"avgpool", 2, 2, 6, 7, b_avgpool, 0, 0, 0.0f, NULL},
    {"avgpool pad counted", 1, 2, 5, 5, b_avgpool_pad, 0, 0, 0.0f, NULL},
    {"global avgpool", 2, 3, 4, 4, b_gavg, 0, 0, 0.0f, NULL},
    {"global maxpool", 2, 3, 4, 4, b_gmax, 0, FD_STEP_KINK, 0.0f, NULL},
    {"lrn size 3, C 5", 2, 5, 3, 3, b_lrn3, 0, 0, 1.5f, NULL},
    {"lrn size 3, C 4", 2, 4, 3, 2, b_lrn3, 0, 0, 1.5f, NULL},
    {"lrn size 5, C 7", 2, 7, 2, 3, b_lrn5, 0, 0, 1.5f, NULL},
    {"lrn size 5, C 6", 2, 6, 3, 2, b_lrn5, 0, 0, 1.5f, NULL},
    {"lrn size 4, C 5", 2, 5, 2, 3, b_lrn4, 0, 0, 1.5f, NULL},
    {"lrn size 4, C 6", 2, 6, 2, 2, b_lrn4, 0, 0, 1.5f, NULL},
    {"lrn size 2, C 3", 2, 3, 3, 3, b_lrn2, 0, 0, 1.5f, NULL},
    {"lrn beta 0.6", 2, 5, 2, 2, b_lrn_beta, 0, 0, 1.5f, NULL},
    {"batchnorm (training)", 4, 3, 3, 3, b_bn, 1, 0, 0.0f, NULL},
    {"batchnorm (inference)", 2, 3, 3, 3, b_bn, 0, 0, 0.0f, NULL},
    {"batchnorm (inference) eps 0.25", 2, 3, 3, 3, b_bn_eps, 0, 0, 0.0f, NULL},
    {"relu", 2, 2, 4, 4, b_relu, 0, FD_STEP_KINK, 0.0f, NULL},
    {"leakyrelu", 2, 2, 4, 4, b_leaky, 0, FD_STEP_KINK, 0.0f, NULL},
    {"clip", 2, 2, 4, 4, b_relu6, 0, FD_STEP_KINK, 0.0f, NULL},
    {"sigmoid", 2, 2, 4, 4, b_sigmoid, 0, 0, 2.0f, NULL},
    {"tanh", 2, 2, 4, 4, b_tanh, 0, 0, 2.0f, NULL},
    {"hardsigmoid", 2, 2, 4, 4, b_hsig, 0, FD_STEP_KINK, 0.0f, NULL},
    {"hardswish", 2, 2, 4, 4, b_hswish, 0, FD_STEP_KINK, 0.0f, NULL},
    {"silu", 2, 2, 4, 4, b_silu, 0, 0, 3.0f, NULL},
    {"gelu", 2, 2, 4, 4, b_gelu, 0, 0, 3.0f, NULL},
    {"layernorm", 2, 5, 3, 2, b_layernorm, 0, 0, 2.0f, NULL},
    {"layernorm eps 0.3", 2, 4, 2, 3, b_layernorm_eps, 0, 0, 0.0f, NULL},
    {"layer scale", 2, 2, 3, 3, b_layerscale, 0, 0, 0.0f, NULL},
    {"prelu per channel", 2, 2, 4, 4, b_prelu, 0, FD_STEP_KINK, 0.0f, NULL},
    {"prelu shared", 2, 3, 3, 4, b_prelu_shared, 0, FD_STEP_KINK, 0.0f, NULL},
    {"softmax", 2, 4, 2, 3, b_softmax, 0, 0, 2.0f, NULL},
    {"fc", 3, 2, 3, 3, b_fc, 0, 0, 0.0f, NULL},
    {"matmul", 2, 3, 2, 2, b_matmul, 0, 0, 0.0f, NULL},
    {"affine", 2, 2, 3, 2, b_affine, 0, 0, 0.0f, NULL},
    {"concat span with a constant", 2, 2, 3, 2, b_concat_span, 0, 0, 0.0f, NULL},
    {"matmul transposed", 2, 3, 2, 2, b_matmul_t, 0, 0, 0.0f, NULL},
    {"matmul by a stack of matrices", 2, 4, 3, 2, b_matmul_stack, 0, 0, 0.0f, NULL},
    {"softmax span", 2, 2, 3, 4, b_softmax_span, 0, 0, 2.0f, NULL},
    {"prelu per unit, reshape", 2, 2, 3, 2, b_prelu_units_reshape, 0, FD_STEP_KINK, 0.0f, NULL},
    {"add and concat", 2, 2, 4, 4, b_merge, 0, 0, 0.0f, NULL},
    {"add of three", 2, 2, 3, 4, b_add3, 0, 0, 0.0f, NULL},
    {"channel multiply", 2, 2, 4, 4, b_mul, 0, 0, 0.0f, NULL},
    {"elementwise multiply", 2, 2, 3, 4, b_mul_same, 0, 0, 0.0f, NULL},
    {"pad flatten dropout", 3, 2, 3, 4, b_pad_flatten, 1, 0, 0.0f, NULL},
    {"pad channels (option-A shortcut)", 2, 2, 5, 4, b_pad_channels, 0, 0, 0.0f, NULL},
    {"transpose", 2, 2, 3, 4, b_transpose, 0, 0, 0.0f, NULL},
    {"log softmax", 2, 4, 2, 3, b_logsoftmax, 0, 0, 2.0f, NULL},
    {"slice", 2, 4, 3, 3, b_slice, 0, 0, 0.0f, NULL},
    {"maxunpool", 2, 2, 3, 2, b_maxunpool, 0, 0, 1.0f, fix_unpool},
    {"batch norm by batch statistics", 2, 4, 3, 2, b_bn_batch, 0, 0, 0.0f, NULL},
    {"batch norm statistics", 2, 4, 2, 3, b_bn_stats, 0, 0, 0.0f, NULL},
    {"mish", 2, 2, 4, 4, b_mish, 0, 0, 3.0f, NULL},
    {"mish after a scale", 2, 2, 4, 4, b_mish_wide, 0, 0, 0.0f, NULL},
    {"drop path (inference)", 2, 2, 4, 4, b_drop_path, 0, 0, 0.0f, NULL},
    {"drop path (training, fixed mask)", 6, 2, 4, 4, b_drop_path, 1, 0, 0.0f, NULL},
    {"fractal join (inference)", 2, 2, 3, 3, b_join, 0, 0, 0.0f, NULL},
    {"fractal join (training, fixed mask)", 6, 2, 3, 3, b_join, 1, 0, 0.0f, NULL},
    {"resize nearest 2x", 2, 2, 3, 4, b_resize_nearest, 0, 0, 0.0f, NULL},
    {"resize nearest down", 2, 2, 5, 5, b_resize_nearest_down, 0, 0, 0.0f, NULL},
    {"resize bilinear 2x", 2, 2, 3, 4, b_resize_bilinear, 0, 0, 0.0f, NULL},
    {"resize bilinear align_corners", 2, 2, 4, 3, b_resize_bilinear_corners, 0, 0, 0.0f, NULL},
    {"resize bilinear down, conv", 2, 2, 5, 8, b_resize_bilinear_down, 0, 0, 0.0f, NULL},
    {"abs", 2, 2, 4, 4, b_abs, 0, FD_STEP_KINK, 0.0f, NULL},
    {"neg", 2, 2, 4, 4, b_neg, 0, 0, 0.0f, NULL},
    {"exp", 2, 2, 4, 4, b_exp, 0, 0, 2.0f, NULL},
    {"log of exp", 2, 2, 4, 4, b_log, 0, 0, 2.0f, NULL},
    {"reciprocal of exp", 2, 2, 4, 4, b_recip, 0, 0, 1.0f, NULL},
    {"sqrt of exp", 2, 2, 4, 4, b_sqrt, 0, 0, 2.0f, NULL},
    {"erf", 2, 2, 4, 4, b_erf, 0, 0, 2.0f, NULL},
    {"elu alpha 0.7", 2, 2, 4, 4, b_elu, 0, FD_STEP_KINK, 2.0f, NULL},
    {"selu", 2, 2, 4, 4, b_selu, 0, FD_STEP_KINK, 2.0f, NULL},
    {"celu alpha 0.6", 2, 2, 4, 4, b_celu, 0, FD_STEP_KINK, 2.0f, NULL},
    {"softplus", 2, 2, 4, 4, b_softplus, 0, 0, 3.0f, NULL},
    {"softsign", 2, 2, 4, 4, b_softsign, 0, FD_STEP_KINK, 2.0f, NULL},
    {"thresholded relu 0.25", 2, 2, 4, 4, b_thrrelu, 0, FD_STEP_KINK, 0.0f, NULL},
    {"pow 1.5 of exp", 2, 2, 4, 4, b_pow_frac, 0, 0, 1.0f, NULL},
    {"pow 3", 2, 2, 4, 4, b_pow_int, 0, 0, 1.0f, NULL},
    {"linear -0.7 x + 0.3", 2, 2, 4, 4, b_linear, 0, 0, 0.0f, NULL},
    {"x - mean over W (broadcast)", 2, 2, 3, 4, b_bin_sub_mean, 0, 0, 0.0f, NULL},
    {"x + sum over W", 2, 2, 3, 4, b_bin_add_sum, 0, 0, 0.0f, NULL},
    {"x * sum of squares over W", 2, 2, 3, 4, b_bin_mul_sq, 0, 0, 0.5f, NULL},
    {"exp(x) / sum over W", 2, 2, 3, 4, b_bin_div, 0, 0, 0.0f, NULL},
    {"exp(x) ^ mean over W", 2, 2, 3, 4, b_bin_pow, 0, 0, 0.5f, NULL},
    {"channel mean - x (broadcast first)", 2, 3, 3, 2, b_bin_bcast_first, 0, 0, 0.0f, NULL},
    {"x * x (one node twice)", 2, 2, 3, 4, b_bin_square, 0, 0, 0.0f, NULL},
    {"bmm: conv(x) @ x^T", 2, 2, 3, 4, b_bmm, 0, 0, 0.0f, NULL},
    {"bmm broadcast on both sides", 2, 2, 3, 4, b_bmm_bcast, 0, 0, 0.0f, NULL},
    {"bmm x @ x (one node twice)", 2, 2, 3, 3, b_bmm_square, 0, 0, 0.0f, NULL},
    {"reduce max over C and H", 2, 3, 4, 3, b_reduce_max, 0, FD_STEP_KINK, 0.0f, NULL},
    {"depth to space DCR", 2, 8, 2, 3, b_d2s_dcr, 0, 0, 0.0f, NULL},
    {"depth to space CRD", 2, 8, 2, 3, b_d2s_crd, 0, 0, 0.0f, NULL},
    {"space to depth", 2, 2, 4, 6, b_s2d, 0, 0, 0.0f, NULL},
    {"pad reflect", 2, 2, 4, 5, b_pad_reflect, 0, 0, 0.0f, NULL},
    {"pad edge", 2, 2, 4, 5, b_pad_edge, 0, 0, 0.0f, NULL},
    {"layernorm over the last axis", 2, 3, 2, 5, b_layernorm_last, 0, 0, 2.0f, NULL},
};

/* Every op type with a backward has a case: a new op needs one here. Those
 * without: the input, a constant, the max pool's indices (no gradient) and
 * the transposed convolution (test_convt_refused). */
static void test_every_op_covered(void) {
    for (int op = 0; op < ENG_OP_COUNT; op++) {
        if (op == ENG_OP_INPUT || op == ENG_OP_CONST || op == ENG_OP_MAXPOOL_INDEX ||
            op == ENG_OP_CONVT)
            continue;
        if (!op_seen[op]) fprintf(stderr, "  no gradient case builds a %s\n", eng_op_name(op));
        CHECK(op_seen[op]);
    }
}

int main(void) {
    eng_log_set(quiet, NULL);
    eng_set_threads(2);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) grad_case(&cases[i]);
    test_every_op_covered();
    test_softmax_ce_grad();
    test_softmax_ce_label_range();
    test_convt_refused();
    test_maxunpool_adjoint();
    test_resize_adjoint();
    test_network();
    test_erf_inside_rf();
    printf("grad: largest error / tolerance %.3f (%s)\n", worst_ratio, worst_what);
    return check_finish("grad");
}
