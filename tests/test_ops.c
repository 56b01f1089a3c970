/*
 * test_ops.c — every fast kernel against its naive twin on many random
 * configurations, and every op against small cases computed by hand.
 */
#include "check.h"
#include "eng.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng = 12345;
static float frand(void) { /* uniform in [-1, 1) */
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    return (float)((rng >> 40) / (double)(1ull << 24)) * 2.0f - 1.0f;
}
static int irand(int lo, int hi) { /* inclusive */
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    return lo + (int)((rng >> 33) % (uint64_t)(hi - lo + 1));
}
static float *rand_buf(size_t n) {
    float *p = malloc((n ? n : 1) * sizeof *p);
    for (size_t i = 0; i < n; i++) p[i] = frand();
    return p;
}
static float *zero_buf(size_t n) { return calloc(n ? n : 1, sizeof(float)); }

/* ---- shape rules ---------------------------------------------------------------- */

static void test_shape_rules(void) {
    CHECK_EQ_I64(eng_conv_out_size(224, 11, 4, 2, 2, 1), 55);  /* AlexNet (torchvision) conv1 */
    CHECK_EQ_I64(eng_conv_out_size(227, 11, 4, 0, 0, 1), 55);  /* AlexNet (paper) conv1 */
    CHECK_EQ_I64(eng_conv_out_size(7, 3, 1, 0, 0, 2), 3);      /* dilation 2: span 5 */
    CHECK_EQ_I64(eng_conv_out_size(5, 3, 2, 0, 1, 1), 2);      /* asymmetric padding */
    CHECK_EQ_I64(eng_conv_out_size(2, 5, 1, 0, 0, 1), -1);     /* kernel larger than input */
    CHECK_EQ_I64(eng_conv_out_size(8, 3, 0, 0, 0, 1), -1);     /* stride 0 */
    CHECK_EQ_I64(eng_pool_out_size(6, 3, 2, 0, 0, 0), 2);
    CHECK_EQ_I64(eng_pool_out_size(6, 3, 2, 0, 0, 1), 3);      /* ceil mode adds a window */
    CHECK_EQ_I64(eng_pool_out_size(112, 3, 2, 0, 0, 1), 56);   /* GoogLeNet pool1 (torchvision) */
    /* ceil mode never starts a window in the right padding: (5 + 2 - 2)/2 rounds up
     * to 3 windows + 1, but the 4th would start at 6 >= 5 + 1 */
    CHECK_EQ_I64(eng_pool_out_size(5, 2, 2, 1, 1, 1), 3);
    CHECK_EQ_I64(eng_convt_out_size(4, 3, 2, 1, 1, 1, 1), 8);  /* 2*(4-1) + 1 + 2 + 1 - 2 */
    CHECK_EQ_I64(eng_convt_out_size(3, 2, 2, 0, 0, 1, 0), 6);
}

/* ---- gemm ------------------------------------------------------------------------- */

static void test_gemm(void) {
    for (int t = 0; t < 8; t++) {
        int ta = t & 1, tb = (t >> 1) & 1;
        int M = irand(1, 40), N = irand(1, 70), K = irand(1, 50);
        float beta = (t & 4) ? 0.5f : 0.0f;
        float *A = rand_buf((size_t)M * K), *B = rand_buf((size_t)K * N);
        float *C1 = rand_buf((size_t)M * N), *C2 = malloc((size_t)M * N * sizeof(float));
        memcpy(C2, C1, (size_t)M * N * sizeof(float));
        int lda = ta ? M : K, ldb = tb ? K : N;
        eng_gemm(ta, tb, M, N, K, 1.5f, A, lda, B, ldb, beta, C1, N);
        eng_gemm_naive(ta, tb, M, N, K, 1.5f, A, lda, B, ldb, beta, C2, N);
        check_close("gemm", C1, C2, (size_t)M * N, 1e-4f, 1e-4f);
        free(A), free(B), free(C1), free(C2);
    }
    /* by hand: [1 2; 3 4] x [5 6; 7 8] = [19 22; 43 50] */
    float A[4] = {1, 2, 3, 4}, B[4] = {5, 6, 7, 8}, C[4], want[4] = {19, 22, 43, 50};
    eng_gemm(0, 0, 2, 2, 2, 1.0f, A, 2, B, 2, 0.0f, C, 2);
    check_close("gemm by hand", C, want, 4, 0, 0);
    eng_gemm_naive(0, 0, 2, 2, 2, 1.0f, A, 2, B, 2, 0.0f, C, 2);
    check_close("gemm_naive by hand", C, want, 4, 0, 0);
}

/* ---- convolution ---------------------------------------------------------------- */

static void conv_case(int N, int C, int H, int W, EngConvParams p) {
    int OH = eng_conv_out_size(H, p.kh, p.sh, p.pt, p.pb, p.dh);
    int OW = eng_conv_out_size(W, p.kw, p.sw, p.pl, p.pr, p.dw);
    if (OH <= 0 || OW <= 0) return;
    size_t nin = (size_t)N * C * H * W, nout = (size_t)N * p.oc * OH * OW;
    size_t nw = (size_t)p.oc * (C / p.groups) * p.kh * p.kw;
    float *in = rand_buf(nin), *w = rand_buf(nw), *b = p.has_bias ? rand_buf((size_t)p.oc) : NULL;
    float *o1 = zero_buf(nout), *o2 = zero_buf(nout);
    float *scratch = zero_buf(eng_conv2d_scratch(C, H, W, &p, OH, OW));
    eng_conv2d_forward(o1, in, w, b, N, C, H, W, &p, OH, OW, scratch);
    eng_conv2d_forward_naive(o2, in, w, b, N, C, H, W, &p, OH, OW);
    char what[160];
    snprintf(what, sizeof what, "conv N%d C%d %dx%d oc%d k%dx%d s%d,%d p%d,%d,%d,%d d%d,%d g%d",
             N, C, H, W, p.oc, p.kh, p.kw, p.sh, p.sw, p.pt, p.pl, p.pb, p.pr, p.dh, p.dw,
             p.groups);
    check_close(what, o1, o2, nout, 1e-4f, 1e-4f);
    free(in), free(w), free(b), free(o1), free(o2), free(scratch);
}

static void test_conv(void) {
    /* the fast paths each get a fixed case: pointwise, depthwise, grouped, dense */
    conv_case(2, 8, 5, 6, (EngConvParams){.oc = 4, .kh = 1, .kw = 1, .sh = 1, .sw = 1, .dh = 1,
                                          .dw = 1, .groups = 1, .has_bias = 1});
    conv_case(2, 6, 7, 7, (EngConvParams){.oc = 6, .kh = 3, .kw = 3, .sh = 2, .sw = 2, .pt = 1,
                                          .pl = 1, .pb = 1, .pr = 1, .dh = 1, .dw = 1,
                                          .groups = 6, .has_bias = 1});
    conv_case(1, 8, 9, 9, (EngConvParams){.oc = 12, .kh = 3, .kw = 3, .sh = 1, .sw = 1, .pt = 1,
                                          .pl = 1, .pb = 1, .pr = 1, .dh = 1, .dw = 1,
                                          .groups = 4, .has_bias = 0});
    conv_case(1, 3, 11, 13, (EngConvParams){.oc = 5, .kh = 5, .kw = 3, .sh = 2, .sw = 3, .pt = 0,
                                            .pl = 2, .pb = 1, .pr = 0, .dh = 2, .dw = 1,
                                            .groups = 1, .has_bias = 1});
    /* maps of 128 output pixels or more take the untransposed product */
    conv_case(1, 16, 20, 20, (EngConvParams){.oc = 24, .kh = 3, .kw = 3, .sh = 1, .sw = 1, .pt = 1,
                                             .pl = 1, .pb = 1, .pr = 1, .dh = 1, .dw = 1,
                                             .groups = 1, .has_bias = 1});
    conv_case(2, 8, 17, 23, (EngConvParams){.oc = 8, .kh = 3, .kw = 5, .sh = 1, .sw = 1, .pt = 2,
                                            .pl = 1, .pb = 0, .pr = 2, .dh = 1, .dw = 2,
                                            .groups = 2, .has_bias = 1});
    conv_case(1, 12, 16, 16, (EngConvParams){.oc = 20, .kh = 1, .kw = 1, .sh = 1, .sw = 1, .dh = 1,
                                             .dw = 1, .groups = 1, .has_bias = 0});
    /* 1x1 with stride or padding must not take the pointwise shortcut */
    conv_case(1, 4, 6, 6, (EngConvParams){.oc = 3, .kh = 1, .kw = 1, .sh = 2, .sw = 2, .dh = 1,
                                          .dw = 1, .groups = 1, .has_bias = 1});
    conv_case(1, 4, 6, 6, (EngConvParams){.oc = 3, .kh = 1, .kw = 1, .sh = 1, .sw = 1, .pt = 1,
                                          .pl = 0, .pb = 0, .pr = 2, .dh = 1, .dw = 1,
                                          .groups = 1, .has_bias = 0});
    /* depthwise with a channel multiplier (oc = 2C) is grouped, not depthwise */
    conv_case(1, 3, 6, 6, (EngConvParams){.oc = 6, .kh = 3, .kw = 3, .sh = 1, .sw = 1, .dh = 1,
                                          .dw = 1, .groups = 3, .has_bias = 1});
    for (int t = 0; t < 60; t++) {
        EngConvParams p = {0};
        int g = irand(1, 3), C = g * irand(1, 4);
        p.groups = (t % 5 == 0) ? C : g;
        p.oc = p.groups * irand(1, 3);
        if (t % 5 == 0) p.oc = C;
        p.kh = irand(1, 5), p.kw = irand(1, 5), p.sh = irand(1, 3), p.sw = irand(1, 3);
        p.pt = irand(0, 2), p.pl = irand(0, 2), p.pb = irand(0, 2), p.pr = irand(0, 2);
        p.dh = irand(1, 2), p.dw = irand(1, 2), p.has_bias = t & 1;
        conv_case(irand(1, 2), C, irand(1, 12), irand(1, 12), p);
    }
    /* by hand: 3x3 input 1..9, 2x2 kernel of ones, bias 0.5, stride 1:
     * each output is the sum of a 2x2 block plus 0.5 */
    float in[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9}, w[4] = {1, 1, 1, 1}, b[1] = {0.5f}, out[4];
    EngConvParams p = {.oc = 1, .kh = 2, .kw = 2, .sh = 1, .sw = 1, .dh = 1, .dw = 1, .groups = 1,
                       .has_bias = 1};
    float scratch[16];
    float want[4] = {12.5f, 16.5f, 24.5f, 28.5f};
    eng_conv2d_forward(out, in, w, b, 1, 1, 3, 3, &p, 2, 2, scratch);
    check_close("conv by hand", out, want, 4, 1e-6f, 0);
    /* padding 1 on top/left only, 3x3 kernel with a single 1 at the centre shifted:
     * w[0][0] = 1 reads input (oh-1, ow-1): a shift down-right with zeros entering */
    float w3[9] = {1, 0, 0, 0, 0, 0, 0, 0, 0}, out3[9];
    EngConvParams p3 = {.oc = 1, .kh = 3, .kw = 3, .sh = 1, .sw = 1, .pt = 1, .pl = 1, .pb = 1,
                        .pr = 1, .dh = 1, .dw = 1, .groups = 1};
    float scratch3[81];
    float want3[9] = {0, 0, 0, 0, 1, 2, 0, 4, 5};
    eng_conv2d_forward(out3, in, w3, NULL, 1, 1, 3, 3, &p3, 3, 3, scratch3);
    check_close("conv padding by hand", out3, want3, 9, 0, 0);
    /* dilation 2 on a 5x5 ramp: taps at (0,0), (0,2), (2,0), (2,2) of each window */
    float in5[25], out5[9], w5[4] = {1, 1, 1, 1}, scratch5[36];
    for (int i = 0; i < 25; i++) in5[i] = (float)i;
    EngConvParams p5 = {.oc = 1, .kh = 2, .kw = 2, .sh = 1, .sw = 1, .dh = 2, .dw = 2, .groups = 1};
    eng_conv2d_forward(out5, in5, w5, NULL, 1, 1, 5, 5, &p5, 3, 3, scratch5);
    /* window at (0,0): 0 + 2 + 10 + 12 = 24; each step right adds 4, down adds 20 */
    float want5[9] = {24, 28, 32, 44, 48, 52, 64, 68, 72};
    check_close("conv dilation by hand", out5, want5, 9, 0, 0);
    /* groups 2: each output channel sees only its half of the input */
    float ing[2] = {3, 5}, wg[2] = {2, 10}, outg[2], scratchg[2];
    EngConvParams pg = {.oc = 2, .kh = 1, .kw = 1, .sh = 1, .sw = 1, .dh = 1, .dw = 1, .groups = 2};
    float wantg[2] = {6, 50};
    eng_conv2d_forward(outg, ing, wg, NULL, 1, 2, 1, 1, &pg, 1, 1, scratchg);
    check_close("conv groups by hand", outg, wantg, 2, 0, 0);
}

/* Winograd F(4x4, 3x3) against the naive convolution: the largest error
 * relative to the largest output, |fast - naive| / max |naive|; 1 when the
 * shape does not fit (the caller checks). */
static double winograd_case(int N, int C, int H, int W, EngConvParams p) {
    const int OH = eng_conv_out_size(H, 3, 1, p.pt, p.pb, 1), OW = eng_conv_out_size(W, 3, 1, p.pl, p.pr, 1);
    if (OH <= 0 || OW <= 0 || !eng_winograd_fits(C, &p)) return 1.0;
    const size_t nin = (size_t)N * C * H * W, nout = (size_t)N * p.oc * OH * OW;
    float *in = rand_buf(nin), *w = rand_buf((size_t)p.oc * C * 9);
    float *b = p.has_bias ? rand_buf((size_t)p.oc) : NULL;
    float *u = zero_buf(eng_winograd_weight_floats(C, p.oc));
    float *o1 = rand_buf(nout), *o2 = zero_buf(nout); /* o1 garbage: every output is written */
    float *scratch = rand_buf(eng_winograd_scratch(C, p.oc, OH, OW));
    eng_winograd_weights(u, w, C, p.oc);
    eng_winograd_forward(o1, in, u, b, N, C, H, W, &p, OH, OW, scratch);
    eng_conv2d_forward_naive(o2, in, w, b, N, C, H, W, &p, OH, OW);
    double top = 0.0, err = 0.0;
    for (size_t i = 0; i < nout; i++) {
        if (fabs(o2[i]) > top) top = fabs(o2[i]);
        const double d = fabs((double)o1[i] - o2[i]);
        if (!(d <= err)) err = d; /* NaN sticks */
    }
    free(in), free(w), free(b), free(u), free(o1), free(o2), free(scratch);
    return top > 0 ? err / top : err;
}

/* Worst error relative to the output's scale Winograd may make: float
 * rounding of the transforms grows it from ~1e-7 (direct) to a few 1e-6
 * for F(4x4, 3x3) at these sizes. */
#define WINOGRAD_MAX_REL 2e-5

static void test_winograd(void) {
    double worst = 0.0;
    /* by hand: partial tiles at every edge, asymmetric padding, batch 3 */
    const int fixed[][8] = {/* N, C, H, W, oc, pt/pb, pl/pr, bias */
                            {1, 1, 3, 3, 1, 0, 0, 0},   {3, 5, 7, 9, 7, 1, 1, 1},
                            {2, 17, 13, 11, 19, 2, 0, 1}, {1, 67, 23, 19, 45, 1, 1, 1},
                            {2, 3, 4, 4, 2, 0, 2, 0},   {1, 33, 30, 29, 31, 1, 2, 1}};
    for (size_t k = 0; k < sizeof fixed / sizeof fixed[0]; k++) {
        const int *f = fixed[k];
        EngConvParams p = {.oc = f[4], .kh = 3, .kw = 3, .sh = 1, .sw = 1, .pt = f[5], .pb = f[5],
                           .pl = f[6], .pr = f[6], .dh = 1, .dw = 1, .groups = 1, .has_bias = f[7]};
        const double e = winograd_case(f[0], f[1], f[2], f[3], p);
        if (e > worst) worst = e;
        CHECK(e <= WINOGRAD_MAX_REL);
    }
    for (int t = 0; t < 40; t++) {
        EngConvParams p = {.kh = 3, .kw = 3, .sh = 1, .sw = 1, .dh = 1, .dw = 1, .groups = 1};
        p.oc = irand(1, 40), p.has_bias = t & 1;
        p.pt = irand(0, 2), p.pl = irand(0, 2), p.pb = irand(0, 2), p.pr = irand(0, 2);
        const int N = irand(1, 3), C = irand(1, 40), H = irand(1, 27), W = irand(1, 27);
        const int OH = H + p.pt + p.pb - 2, OW = W + p.pl + p.pr - 2;
        if (OH <= 0 || OW <= 0) continue;
        const double e = winograd_case(N, C, H, W, p);
        if (e > worst) worst = e;
        if (!(e <= WINOGRAD_MAX_REL))
            fprintf(stderr, "winograd N%d C%d %dx%d oc%d p%d,%d,%d,%d: error %.3g\n", N, C, H, W,
                    p.oc, p.pt, p.pl, p.pb, p.pr, e);
        CHECK(e <= WINOGRAD_MAX_REL);
    }
    /* a stride, a dilation or groups do not fit */
    EngConvParams s2 = {.oc = 4, .kh = 3, .kw = 3, .sh = 2, .sw = 1, .dh = 1, .dw = 1, .groups = 1};
    EngConvParams d2 = {.oc = 4, .kh = 3, .kw = 3, .sh = 1, .sw = 1, .dh = 2, .dw = 1, .groups = 1};
    EngConvParams g2 = {.oc = 4, .kh = 3, .kw = 3, .sh = 1, .sw = 1, .dh = 1, .dw = 1, .groups = 2};
    EngConvParams k5 = {.oc = 4, .kh = 5, .kw = 3, .sh = 1, .sw = 1, .dh = 1, .dw = 1, .groups = 1};
    CHECK(!eng_winograd_fits(4, &s2) && !eng_winograd_fits(4, &d2) && !eng_winograd_fits(4, &g2) &&
          !eng_winograd_fits(4, &k5));
    printf("winograd F(4x4, 3x3): worst error %.3g of the output's scale (bound %.0e)\n", worst,
           WINOGRAD_MAX_REL);
}

static void convt_case(int N, int C, int H, int W, EngConvTParams p) {
    int OH = eng_convt_out_size(H, p.kh, p.sh, p.pt, p.pb, p.dh, p.oph);
    int OW = eng_convt_out_size(W, p.kw, p.sw, p.pl, p.pr, p.dw, p.opw);
    if (OH <= 0 || OW <= 0) return;
    size_t nin = (size_t)N * C * H * W, nout = (size_t)N * p.oc * OH * OW;
    size_t nw = (size_t)C * (p.oc / p.groups) * p.kh * p.kw;
    float *in = rand_buf(nin), *w = rand_buf(nw), *b = p.has_bias ? rand_buf((size_t)p.oc) : NULL;
    float *o1 = zero_buf(nout), *o2 = zero_buf(nout);
    float *scratch = zero_buf(eng_convt2d_scratch(C, H, W, &p, OH, OW));
    eng_convt2d_forward(o1, in, w, b, N, C, H, W, &p, OH, OW, scratch);
    eng_convt2d_forward_naive(o2, in, w, b, N, C, H, W, &p, OH, OW);
    check_close("convt", o1, o2, nout, 1e-4f, 1e-4f);
    free(in), free(w), free(b), free(o1), free(o2), free(scratch);
}

static void test_convt(void) {
    for (int t = 0; t < 40; t++) {
        EngConvTParams p = {0};
        p.groups = irand(1, 2);
        int C = p.groups * irand(1, 3);
        p.oc = p.groups * irand(1, 3);
        p.kh = irand(1, 4), p.kw = irand(1, 4), p.sh = irand(1, 3), p.sw = irand(1, 3);
        p.pt = irand(0, 1), p.pl = irand(0, 1), p.pb = irand(0, 1), p.pr = irand(0, 1);
        p.dh = irand(1, 2), p.dw = irand(1, 2);
        p.oph = irand(0, p.sh - 1), p.opw = irand(0, p.sw - 1);
        p.has_bias = t & 1;
        convt_case(irand(1, 2), C, irand(1, 6), irand(1, 6), p);
    }
    /* by hand: 2x2 input, 2x2 kernel, stride 2 tiles the kernel scaled by each pixel */
    float in[4] = {1, 2, 3, 4}, w[4] = {1, 10, 100, 1000}, out[16], scratch[16];
    EngConvTParams p = {.oc = 1, .kh = 2, .kw = 2, .sh = 2, .sw = 2, .dh = 1, .dw = 1, .groups = 1};
    float want[16] = {1, 10, 2, 20, 100, 1000, 200, 2000, 3, 30, 4, 40, 300, 3000, 400, 4000};
    eng_convt2d_forward(out, in, w, NULL, 1, 1, 2, 2, &p, 4, 4, scratch);
    check_close("convt by hand", out, want, 16, 0, 0);
    /* stride 1, overlapping taps add up: [1 2] * [1 1] -> [1 3 2] */
    float in1[2] = {1, 2}, w1[2] = {1, 1}, out1[3], scratch1[4];
    EngConvTParams p1 = {.oc = 1, .kh = 1, .kw = 2, .sh = 1, .sw = 1, .dh = 1, .dw = 1, .groups = 1};
    float want1[3] = {1, 3, 2};
    eng_convt2d_forward(out1, in1, w1, NULL, 1, 1, 1, 2, &p1, 1, 3, scratch1);
    check_close("convt overlap by hand", out1, want1, 3, 0, 0);
}

/* ---- pooling ---------------------------------------------------------------------- */

static void pool_case(int N, int C, int H, int W, EngPoolParams p) {
    int OH = eng_pool_out_size(H, p.kh, p.sh, p.pt, p.pb, p.ceil_mode);
    int OW = eng_pool_out_size(W, p.kw, p.sw, p.pl, p.pr, p.ceil_mode);
    if (OH <= 0 || OW <= 0 || p.pt >= p.kh || p.pb >= p.kh || p.pl >= p.kw || p.pr >= p.kw) return;
    size_t nin = (size_t)N * C * H * W, nout = (size_t)N * C * OH * OW;
    float *in = rand_buf(nin), *o1 = zero_buf(nout), *o2 = zero_buf(nout);
    int32_t *a1 = calloc(nout, sizeof *a1), *a2 = calloc(nout, sizeof *a2);
    eng_maxpool_forward(o1, a1, in, N, C, H, W, &p, OH, OW);
    eng_maxpool_forward_naive(o2, a2, in, N, C, H, W, &p, OH, OW);
    check_close("maxpool", o1, o2, nout, 0, 0);
    int same = memcmp(a1, a2, nout * sizeof *a1) == 0;
    CHECK(same);
    /* every switch points into the input plane at the maximum's value */
    int valid = 1;
    for (size_t i = 0; i < nout; i++) {
        size_t plane = i / ((size_t)OH * OW);
        if (a1[i] < 0 || a1[i] >= H * W || in[plane * H * W + a1[i]] != o1[i]) valid = 0;
    }
    CHECK(valid);
    eng_avgpool_forward(o1, in, N, C, H, W, &p, OH, OW);
    eng_avgpool_forward_naive(o2, in, N, C, H, W, &p, OH, OW);
    check_close(p.count_include_pad ? "avgpool (pad counted)" : "avgpool", o1, o2, nout, 1e-5f,
                1e-5f);
    free(in), free(o1), free(o2), free(a1), free(a2);
}

static void test_pool(void) {
    for (int t = 0; t < 120; t++) {
        EngPoolParams p = {0};
        p.kh = irand(1, 4), p.kw = irand(1, 4), p.sh = irand(1, 3), p.sw = irand(1, 3);
        p.pt = irand(0, p.kh - 1), p.pl = irand(0, p.kw - 1);
        p.pb = irand(0, p.kh - 1), p.pr = irand(0, p.kw - 1);
        if (p.pt > 1) p.pt = 1;
        if (p.pb > 1) p.pb = 1;
        p.ceil_mode = t & 1;
        p.count_include_pad = (t >> 1) & 1;
        pool_case(irand(1, 2), irand(1, 3), irand(1, 9), irand(1, 9), p);
    }
    /* dilated max pooling (ONNX MaxPool dilations): fast against naive */
    for (int t = 0; t < 40; t++) {
        EngPoolParams p = {.kh = irand(1, 3), .kw = irand(1, 3), .sh = irand(1, 2), .sw = irand(1, 2),
                           .dh = irand(1, 3), .dw = irand(1, 3), .ceil_mode = t & 1};
        p.pt = irand(0, 1), p.pl = irand(0, 1), p.pb = p.pt, p.pr = p.pl;
        int H = irand(4, 9), W = irand(4, 9);
        int OH = eng_pool_out_size(H, p.dh * (p.kh - 1) + 1, p.sh, p.pt, p.pb, p.ceil_mode);
        int OW = eng_pool_out_size(W, p.dw * (p.kw - 1) + 1, p.sw, p.pl, p.pr, p.ceil_mode);
        if (OH <= 0 || OW <= 0 || p.pt >= p.dh * (p.kh - 1) + 1 || p.pl >= p.dw * (p.kw - 1) + 1)
            continue; /* the builder refuses padding as wide as the window */
        size_t nin = 2 * (size_t)H * W, nout = 2 * (size_t)OH * OW;
        float *in = rand_buf(nin), *o1 = zero_buf(nout), *o2 = zero_buf(nout);
        int32_t *a1 = calloc(nout, sizeof *a1), *a2 = calloc(nout, sizeof *a2);
        eng_maxpool_forward(o1, a1, in, 1, 2, H, W, &p, OH, OW);
        eng_maxpool_forward_naive(o2, a2, in, 1, 2, H, W, &p, OH, OW);
        check_close("dilated maxpool", o1, o2, nout, 0, 0);
        CHECK(memcmp(a1, a2, nout * sizeof *a1) == 0);
        free(in), free(o1), free(o2), free(a1), free(a2);
    }
    {   /* by hand: 1x5 row 0..4, window 2 with dilation 2: max of (x, x+2) */
        float row[5] = {0, 4, 1, 3, 2}, out[3];
        EngPoolParams p = {.kh = 1, .kw = 2, .sh = 1, .sw = 1, .dh = 1, .dw = 2};
        float want[3] = {1, 4, 2};
        eng_maxpool_forward(out, NULL, row, 1, 1, 1, 5, &p, 1, 3);
        check_close("dilated maxpool by hand", out, want, 3, 0, 0);
    }
    /* by hand: 4x4 ramp, 2x2/2 max: maxima at the bottom-right of each block */
    float in[16], out[4];
    int32_t am[4];
    for (int i = 0; i < 16; i++) in[i] = (float)i;
    EngPoolParams p = {.kh = 2, .kw = 2, .sh = 2, .sw = 2};
    eng_maxpool_forward(out, am, in, 1, 1, 4, 4, &p, 2, 2);
    float want[4] = {5, 7, 13, 15};
    check_close("maxpool by hand", out, want, 4, 0, 0);
    CHECK(am[0] == 5 && am[1] == 7 && am[2] == 13 && am[3] == 15);
    /* ceil mode on a 5x5 input, 2x2/2: the third window per axis sees one row/column */
    float in5[25], out5[9];
    for (int i = 0; i < 25; i++) in5[i] = (float)i;
    EngPoolParams pc = {.kh = 2, .kw = 2, .sh = 2, .sw = 2, .ceil_mode = 1};
    CHECK_EQ_I64(eng_pool_out_size(5, 2, 2, 0, 0, 1), 3);
    eng_maxpool_forward(out5, NULL, in5, 1, 1, 5, 5, &pc, 3, 3);
    float want5[9] = {6, 8, 9, 16, 18, 19, 21, 23, 24};
    check_close("maxpool ceil mode by hand", out5, want5, 9, 0, 0);
    eng_avgpool_forward(out5, in5, 1, 1, 5, 5, &pc, 3, 3);
    float wavg[9] = {3, 5, 6.5f, 13, 15, 16.5f, 20.5f, 22.5f, 24};
    check_close("avgpool ceil mode by hand", out5, wavg, 9, 1e-6f, 0);
    /* 3x3 of ones, 3x3/1 pad 1: the corner window holds 4 real pixels of 9 */
    float ones[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1}, oa[9];
    EngPoolParams pa = {.kh = 3, .kw = 3, .sh = 1, .sw = 1, .pt = 1, .pl = 1, .pb = 1, .pr = 1};
    eng_avgpool_forward(oa, ones, 1, 1, 3, 3, &pa, 3, 3);
    CHECK(fabsf(oa[0] - 1.0f) < 1e-6f && fabsf(oa[4] - 1.0f) < 1e-6f);
    pa.count_include_pad = 1;
    eng_avgpool_forward(oa, ones, 1, 1, 3, 3, &pa, 3, 3);
    CHECK(fabsf(oa[0] - 4.0f / 9) < 1e-6f && fabsf(oa[1] - 6.0f / 9) < 1e-6f &&
          fabsf(oa[4] - 1.0f) < 1e-6f);
    /* global pools */
    float g[8] = {1, 2, 3, 6, -1, -2, -3, -4}, go1[2];
    eng_gavgpool_forward(go1, g, 1, 2, 2, 2);
    CHECK(fabsf(go1[0] - 3.0f) < 1e-6f && fabsf(go1[1] + 2.5f) < 1e-6f);
    eng_gmaxpool_forward(go1, g, 1, 2, 2, 2);
    CHECK(go1[0] == 6.0f && go1[1] == -1.0f);
    float *r = rand_buf(3 * 5 * 7 * 6), r1[15], r2[15];
    eng_gavgpool_forward(r1, r, 3, 5, 7, 6);
    eng_gavgpool_forward_naive(r2, r, 3, 5, 7, 6);
    check_close("gavgpool", r1, r2, 15, 1e-6f, 1e-5f);
    eng_gmaxpool_forward(r1, r, 3, 5, 7, 6);
    eng_gmaxpool_forward_naive(r2, r, 3, 5, 7, 6);
    check_close("gmaxpool", r1, r2, 15, 0, 0);
    free(r);
}

/* ---- normalisation ---------------------------------------------------------------- */

static void test_norm(void) {
    for (int size = 1; size <= 6; size++) {
        int N = 2, C = 7, H = 3, W = 4;
        size_t n = (size_t)N * C * H * W;
        float *in = rand_buf(n), *o1 = zero_buf(n), *o2 = zero_buf(n);
        for (size_t i = 0; i < n; i++) in[i] *= 5.0f;
        EngLrnParams p = {.size = size, .alpha = 1e-2f, .beta = 0.75f, .bias = 2.0f};
        eng_lrn_forward(o1, in, N, C, H, W, &p);
        eng_lrn_forward_naive(o2, in, N, C, H, W, &p);
        check_close("lrn", o1, o2, n, 1e-6f, 1e-5f);
        free(in), free(o1), free(o2);
    }
    /* by hand, ONNX LRN, size 3 over 3 channels of one pixel (x = 1, 2, 3):
     * channel 0 sums 1 + 4, channel 1 sums 1 + 4 + 9, channel 2 sums 4 + 9 */
    float x[3] = {1, 2, 3}, y[3];
    EngLrnParams p = {.size = 3, .alpha = 0.3f, .beta = 0.5f, .bias = 1.0f};
    eng_lrn_forward(y, x, 1, 3, 1, 1, &p);
    float want[3] = {1.0f / sqrtf(1.0f + 0.1f * 5), 2.0f / sqrtf(1.0f + 0.1f * 14),
                     3.0f / sqrtf(1.0f + 0.1f * 13)};
    check_close("lrn by hand", y, want, 3, 1e-6f, 1e-6f);

    int N = 2, C = 3, H = 4, W = 5;
    size_t n = (size_t)N * C * H * W;
    float *in = rand_buf(n), *o1 = zero_buf(n), *o2 = zero_buf(n);
    float gamma[3] = {1.5f, -0.5f, 2}, beta[3] = {0.1f, 0.2f, -0.3f}, mean[3] = {0.5f, -1, 0},
          var[3] = {2, 0.25f, 1};
    eng_bn_forward(o1, in, gamma, beta, mean, var, N, C, H, W, 1e-5f);
    eng_bn_forward_naive(o2, in, gamma, beta, mean, var, N, C, H, W, 1e-5f);
    check_close("bn", o1, o2, n, 1e-5f, 1e-5f);
    /* by hand: x = 3, mean 1, var 4, gamma 2, beta 1 -> 2 * (3 - 1) / 2 + 1 = 3 */
    float bx[1] = {3}, by[1], bg[1] = {2}, bb[1] = {1}, bm[1] = {1}, bv[1] = {4};
    eng_bn_forward(by, bx, bg, bb, bm, bv, 1, 1, 1, 1, 0.0f);
    CHECK(fabsf(by[0] - 3.0f) < 1e-6f);
    free(in), free(o1), free(o2);
}

/* ---- elementwise, softmax, fc, merges ----------------------------------------------- */

static void test_elementwise(void) {
    float x[7] = {-4, -3, -1, 0, 1, 3, 8}, y[7];
    float relu[7] = {0, 0, 0, 0, 1, 3, 8};
    eng_relu_forward(y, x, 7);
    check_close("relu", y, relu, 7, 0, 0);
    float leaky[7] = {-0.4f, -0.3f, -0.1f, 0, 1, 3, 8};
    eng_leakyrelu_forward(y, x, 7, 0.1f);
    check_close("leakyrelu", y, leaky, 7, 1e-7f, 0);
    float relu6[7] = {0, 0, 0, 0, 1, 3, 6};
    eng_clip_forward(y, x, 7, 0.0f, 6.0f);
    check_close("relu6", y, relu6, 7, 0, 0);
    eng_sigmoid_forward(y, x, 7);
    CHECK(fabsf(y[3] - 0.5f) < 1e-7f && fabsf(y[4] - 1.0f / (1.0f + expf(-1.0f))) < 1e-7f);
    eng_tanh_forward(y, x, 7);
    CHECK(y[3] == 0.0f && fabsf(y[4] - tanhf(1.0f)) < 1e-7f && fabsf(y[2] + tanhf(1.0f)) < 1e-7f);
    {
        /* the engine's own tanh: as accurate as libm's over the whole range, odd, and
         * NaN, infinities and tiny values handled */
        enum { NT = 400001 };
        float *tx = malloc(NT * sizeof *tx), *ty = malloc(NT * sizeof *ty);
        for (int i = 0; i < NT; i++) tx[i] = (float)((double)(i - NT / 2) * 1e-4);
        eng_tanh_forward(ty, tx, NT);
        double worst = 0;
        int odd = 1;
        for (int i = 0; i < NT; i++) {
            double ref = tanh((double)tx[i]);
            worst = fmax(worst, fabs(ty[i] - ref) / fmax(fabs(ref), 1e-30));
            odd &= ty[i] == -ty[NT - 1 - i];
        }
        CHECK(worst < 2e-7 && odd);
        float sp[6] = {NAN, INFINITY, -INFINITY, 1e-30f, -3e-8f, 0.549999f}, so[6];
        eng_tanh_forward(so, sp, 6);
        CHECK(isnan(so[0]) && so[1] == 1.0f && so[2] == -1.0f && so[3] == 1e-30f && so[4] == -3e-8f &&
              fabs(so[5] - tanh((double)sp[5])) < 1e-7);
        free(tx);
        free(ty);
    }
    /* ONNX HardSigmoid defaults alpha 0.2, beta 0.5 */
    float hs[7] = {0, 0, 0.3f, 0.5f, 0.7f, 1, 1};
    eng_hardsigmoid_forward(y, x, 7, 0.2f, 0.5f);
    check_close("hardsigmoid", y, hs, 7, 1e-6f, 0);
    /* hard-swish: x * relu6(x + 3) / 6 */
    float hw[7] = {0, 0, -1.0f / 3, 0, 4.0f / 6, 3, 8};
    eng_hardswish_forward(y, x, 7);
    check_close("hardswish", y, hw, 7, 1e-6f, 0);
    /* Mish against its definition in double, x * tanh(log(1 + exp(x))), over a
     * range that reaches both tails (x past 20 is x itself) */
    {
        enum { NM = 2001 };
        float mx[NM], my[NM];
        for (int i = 0; i < NM; i++) mx[i] = (float)((i - NM / 2) * 0.03);
        eng_mish_forward(my, mx, NM);
        double worst = 0;
        for (int i = 0; i < NM; i++) {
            double ref = (double)mx[i] * tanh(log1p(exp((double)mx[i])));
            worst = fmax(worst, fabs(my[i] - ref) / (1e-30 + fabs(ref)));
        }
        if (worst >= 1e-6) fprintf(stderr, "  mish: relative error %.3g\n", worst);
        CHECK(worst < 1e-6);
        /* by hand: mish(0) = 0, mish(1) = tanh(log(1 + e)) = 0.8650984, large x */
        float hx[4] = {0, 1, 30, -100}, hy[4];
        const float hw4[4] = {0, 0.86509839f, 30, 0};
        eng_mish_forward(hy, hx, 4);
        check_close("mish by hand", hy, hw4, 4, 1e-7f, 1e-6f);
    }
    /* PReLU: one slope per channel */
    float px[4] = {-2, 3, -2, 3}, slope[2] = {0.5f, 0.25f}, py[4], pw[4] = {-1, 3, -0.5f, 3};
    eng_prelu_forward(py, px, slope, 2, 1, 2, 1, 2);
    check_close("prelu", py, pw, 4, 0, 0);
    float pw1[4] = {-1, 3, -1, 3};
    eng_prelu_forward(py, px, slope, 1, 1, 2, 1, 2);
    check_close("prelu shared", py, pw1, 4, 0, 0);

    /* softmax over channels: sums to 1 at every pixel, survives huge logits */
    int N = 2, C = 5, H = 3, W = 2;
    size_t n = (size_t)N * C * H * W;
    float *in = rand_buf(n), *o1 = zero_buf(n), *o2 = zero_buf(n);
    for (size_t i = 0; i < n; i++) in[i] *= 10.0f;
    in[0] = 1000.0f;
    eng_softmax_forward(o1, in, N, C, H, W);
    eng_softmax_forward_naive(o2, in, N, C, H, W);
    check_close("softmax", o1, o2, n, 1e-6f, 1e-5f);
    int sums = 1;
    for (int b = 0; b < N; b++)
        for (int i = 0; i < H * W; i++) {
            double s = 0;
            for (int c = 0; c < C; c++) s += o1[((size_t)b * C + c) * H * W + i];
            if (fabs(s - 1.0) > 1e-5 || s != s) sums = 0;
        }
    CHECK(sums);
    float sx[2] = {0, logf(3.0f)}, sy[2], sw[2] = {0.25f, 0.75f};
    eng_softmax_forward(sy, sx, 1, 2, 1, 1);
    check_close("softmax by hand", sy, sw, 2, 1e-6f, 0);
    free(in), free(o1), free(o2);

    /* fully connected */
    int K = 37, OUT = 11;
    float *fin = rand_buf(3 * K), *fw = rand_buf((size_t)OUT * K), *fb = rand_buf(OUT);
    float f1[33], f2[33];
    eng_fc_forward(f1, fin, fw, fb, 3, K, OUT);
    eng_fc_forward_naive(f2, fin, fw, fb, 3, K, OUT);
    check_close("fc", f1, f2, 33, 1e-5f, 1e-5f);
    eng_fc_forward(f1, fin, fw, NULL, 3, K, OUT);
    eng_fc_forward_naive(f2, fin, fw, NULL, 3, K, OUT);
    check_close("fc without bias", f1, f2, 33, 1e-5f, 1e-5f);
    float hx[2] = {1, 2}, hwt[4] = {1, 1, 3, -1}, hb[2] = {0.5f, 0}, hy[2], hwant[2] = {3.5f, 1};
    eng_fc_forward(hy, hx, hwt, hb, 1, 2, 2);
    check_close("fc by hand", hy, hwant, 2, 1e-6f, 0);
    free(fin), free(fw), free(fb);

    /* add of three inputs, channel multiply, concat, pad */
    float a[4] = {1, 2, 3, 4}, b[4] = {10, 20, 30, 40}, c[4] = {100, 200, 300, 400}, s3[4];
    const float *ins[3] = {a, b, c};
    float wadd[4] = {111, 222, 333, 444};
    eng_add_forward(s3, ins, 3, 4);
    check_close("add3", s3, wadd, 4, 0, 0);
    float sc[2] = {2, -1}, wmul[4] = {2, 4, -3, -4};
    eng_mul_channel_forward(s3, a, sc, 1, 2, 2);
    check_close("mul channel", s3, wmul, 4, 0, 0);
    float wm2[4] = {10, 40, 90, 160};
    eng_mul_forward(s3, a, b, 4);
    check_close("mul", s3, wm2, 4, 0, 0);
    /* concat along channels of a batch of 2: (2,1,2) + (2,1,2) -> (2,2,2) per image */
    float cat[8], wcat[8] = {1, 2, 10, 20, 3, 4, 30, 40};
    const float *cins[2] = {a, b};
    int Cs[2] = {1, 1};
    eng_concat_forward(cat, cins, Cs, 2, 2, 2);
    check_close("concat", cat, wcat, 8, 0, 0);
    float pd[12];
    EngPadParams pp = {.pt = 1, .pl = 0, .pb = 0, .pr = 1, .value = -1};
    float wpad[9] = {-1, -1, -1, 1, 2, -1, 3, 4, -1};
    eng_pad_forward(pd, a, 1, 1, 2, 2, &pp);
    check_close("pad", pd, wpad, 9, 0, 0);
    /* channels too: one before, two after, batch of 2 images of (1, 2, 2) */
    float ab[8] = {1, 2, 3, 4, 10, 20, 30, 40}, pc[2 * 4 * 2 * 3], wpc[2 * 4 * 2 * 3];
    EngPadParams pq = {.pr = 1, .value = 7, .cb = 1, .ca = 2};
    for (int i = 0; i < 48; i++) wpc[i] = 7;
    for (int n = 0; n < 2; n++)
        for (int h = 0; h < 2; h++)
            for (int w = 0; w < 2; w++) wpc[((n * 4 + 1) * 2 + h) * 3 + w] = ab[(n * 2 + h) * 2 + w];
    eng_pad_forward(pc, ab, 2, 1, 2, 2, &pq);
    check_close("pad channels", pc, wpc, 48, 0, 0);
}

/* ONNX Gemm inside a sample: fast (sgemm) vs naive, both layouts of A, by hand */
static void test_matmul(void) {
    for (int ta = 0; ta < 2; ta++)
        for (int bias = 0; bias < 2; bias++) {
            const EngMatmulParams p = {.m = 3, .k = 7, .out = 5, .trans_a = ta, .has_bias = bias};
            const int N = 2;
            float *in = rand_buf((size_t)N * p.m * p.k), *w = rand_buf((size_t)p.out * p.k);
            float *b = bias ? rand_buf((size_t)p.m * p.out) : NULL;
            float *o1 = zero_buf((size_t)N * p.m * p.out), *o2 = zero_buf((size_t)N * p.m * p.out);
            eng_matmul_forward(o1, in, w, b, N, &p);
            eng_matmul_forward_naive(o2, in, w, b, N, &p);
            char what[64];
            snprintf(what, sizeof what, "matmul trans_a %d bias %d", ta, bias);
            check_close(what, o1, o2, (size_t)N * p.m * p.out, 1e-5f, 1e-5f);
            free(in), free(w), free(b), free(o1), free(o2);
        }
    /* A stored (K=2, M=2) = [[1, 2], [3, 4]], so op(A) = [[1, 3], [2, 4]];
     * w (OUT=1, K=2) = [1, -1]; bias (2, 1) = [0.5, 0] -> [1 - 3 + 0.5, 2 - 4] */
    const EngMatmulParams p = {.m = 2, .k = 2, .out = 1, .trans_a = 1, .has_bias = 1};
    float x[4] = {1, 2, 3, 4}, w[2] = {1, -1}, b[2] = {0.5f, 0}, y[2], want[2] = {-1.5f, -2};
    eng_matmul_forward(y, x, w, b, 1, &p);
    check_close("matmul by hand", y, want, 2, 1e-6f, 0);
    eng_matmul_forward_naive(y, x, w, b, 1, &p);
    check_close("matmul naive by hand", y, want, 2, 1e-6f, 0);
    /* a stack of 2 matrices (OUT=1, K=2): [1, -1] and [2, 0.5]; 4 blocks of one row,
     * blocks 0 and 2 by the first, 1 and 3 by the second */
    const EngMatmulParams ps = {.m = 4, .k = 2, .out = 1, .rows = 1, .stack = 2};
    float xs[8] = {1, 2, 3, 4, 5, 6, 7, 8}, ws[4] = {1, -1, 2, 0.5f}, ys[4],
          wants[4] = {-1, 8, -1, 18};
    eng_matmul_forward(ys, xs, ws, NULL, 1, &ps);
    check_close("matmul stack by hand", ys, wants, 4, 1e-6f, 0);
    eng_matmul_forward_naive(ys, xs, ws, NULL, 1, &ps);
    check_close("matmul stack naive by hand", ys, wants, 4, 1e-6f, 0);
    const EngMatmulParams pr = {.m = 12, .k = 5, .out = 4, .rows = 3, .stack = 2};
    float *in = rand_buf(2 * 12 * 5), *wr = rand_buf(2 * 4 * 5);
    float *o1 = zero_buf(2 * 12 * 4), *o2 = zero_buf(2 * 12 * 4);
    eng_matmul_forward(o1, in, wr, NULL, 2, &pr);
    eng_matmul_forward_naive(o2, in, wr, NULL, 2, &pr);
    check_close("matmul stack fast vs naive", o1, o2, 2 * 12 * 4, 1e-5f, 1e-5f);
    free(in), free(wr), free(o1), free(o2);
}

/* x * scale + shift per unit, by hand: a batch of 2 samples of 3 units */
static void test_affine(void) {
    float x[6] = {1, 2, 3, -1, 0, 4}, sc[3] = {2, -1, 0.5f}, sh[3] = {0.25f, 1, -2}, y[6];
    float both[6] = {2.25f, -1, -0.5f, -1.75f, 1, 0}, only_sc[6] = {2, -2, 1.5f, -2, 0, 2},
          only_sh[6] = {1.25f, 3, 1, -0.75f, 1, 2};
    eng_affine_forward(y, x, sc, sh, 2, 3);
    check_close("affine", y, both, 6, 1e-6f, 0);
    eng_affine_forward(y, x, sc, NULL, 2, 3);
    check_close("affine scale", y, only_sc, 6, 1e-6f, 0);
    eng_affine_forward(y, x, NULL, sh, 2, 3);
    check_close("affine shift", y, only_sh, 6, 1e-6f, 0);
}

/* MaxUnpool: fast vs naive with distinct random places, and by hand */
static void test_maxunpool(void) {
    const int N = 3;
    const size_t isz = 12, osz = 40;
    float places[12], *in = rand_buf(N * isz), o1[120], o2[120];
    size_t perm[40];
    for (size_t j = 0; j < osz; j++) perm[j] = j;
    for (size_t j = osz - 1; j > 0; j--) {
        size_t r = (size_t)irand(0, (int)j), t = perm[j];
        perm[j] = perm[r], perm[r] = t;
    }
    for (size_t i = 0; i < isz; i++) places[i] = (float)perm[i];
    eng_maxunpool_forward(o1, in, places, N, isz, osz);
    eng_maxunpool_forward_naive(o2, in, places, N, isz, osz);
    check_close("maxunpool", o1, o2, N * osz, 0, 0);
    free(in);
    /* a 2x2 max pool of a 4x4 plane kept its maxima at (0,1), (1,2), (3,0), (2,3) */
    float x[4] = {5, 6, 7, 8}, pl[4] = {1, 6, 12, 11}, y[16];
    const float want[16] = {0, 5, 0, 0, 0, 0, 6, 0, 0, 0, 0, 8, 7, 0, 0, 0};
    eng_maxunpool_forward(y, x, pl, 1, 4, 16);
    check_close("maxunpool by hand", y, want, 16, 0, 0);
}

/* SiLU and GELU against their definitions in double, over [-12, 12] and at
 * the ends of float; layer norm over channels against a plain loop. */
static void test_modern_acts(void) {
    enum { NT = 24001 };
    float *x = malloc(NT * sizeof *x), *y = malloc(NT * sizeof *y);
    for (int i = 0; i < NT; i++) x[i] = (float)((i - NT / 2) * 1e-3);
    double worst_s = 0, worst_g = 0;
    eng_silu_forward(y, x, NT);
    for (int i = 0; i < NT; i++) {
        const double v = x[i], ref = v / (1.0 + exp(-v));
        worst_s = fmax(worst_s, fabs(y[i] - ref) / fmax(fabs(ref), 1e-30));
    }
    eng_gelu_forward(y, x, NT);
    for (int i = 0; i < NT; i++) {
        /* 1 + erf(z) as erfc(-z): in double too, 1 + erf loses every digit below x = -8 */
        const double v = x[i], ref = 0.5 * v * erfc(-v / sqrt(2.0));
        worst_g = fmax(worst_g, fabs(y[i] - ref) / fmax(fabs(ref), 1e-20));
    }
    /* libm's erfcf is a few float ulps off in its far tail (x < -9, 5e-6) */
    CHECK(worst_s < 1e-6 && worst_g < 2e-5);
    if (worst_s >= 1e-6 || worst_g >= 2e-5)
        fprintf(stderr, "  silu %.3g, gelu %.3g relative error\n", worst_s, worst_g);
    /* by hand: silu(1) = 1 / (1 + e^-1), gelu(1) = Phi(1) = 0.841344746, gelu(-1) = -0.158655254 */
    float hx[3] = {1, -1, 0}, hy[3];
    eng_silu_forward(hy, hx, 3);
    const float ws[3] = {0.731058579f, -0.268941421f, 0};
    check_close("silu by hand", hy, ws, 3, 1e-6f, 0);
    eng_gelu_forward(hy, hx, 3);
    const float wg[3] = {0.841344746f, -0.158655254f, 0};
    check_close("gelu by hand", hy, wg, 3, 1e-6f, 0);
    /* far ends: no NaN, the right limits */
    float ex[2] = {-1e30f, 1e30f}, ey[2];
    eng_silu_forward(ey, ex, 2);
    CHECK(ey[0] == 0.0f && ey[1] == 1e30f);
    eng_gelu_forward(ey, ex, 2);
    CHECK(ey[0] == 0.0f && ey[1] == 1e30f);
    free(x), free(y);
}

static void layernorm_plain(float *out, const float *in, const float *gamma, const float *beta,
                            int N, int C, int HW, float eps) {
    for (int n = 0; n < N; n++)
        for (int i = 0; i < HW; i++) {
            double mean = 0, var = 0;
            for (int c = 0; c < C; c++) mean += in[((size_t)n * C + c) * HW + i];
            mean /= C;
            for (int c = 0; c < C; c++) {
                const double d = in[((size_t)n * C + c) * HW + i] - mean;
                var += d * d;
            }
            var /= C;
            for (int c = 0; c < C; c++) {
                const size_t k = ((size_t)n * C + c) * HW + i;
                out[k] = (float)(gamma[c] * (in[k] - mean) / sqrt(var + eps) + beta[c]);
            }
        }
}

static void test_layernorm(void) {
    /* 9x8 = 72 positions: one full tile of 64 and a part tile */
    const int shapes[3][4] = {{2, 5, 9, 8}, {3, 96, 1, 1}, {1, 3, 7, 7}};
    for (int t = 0; t < 3; t++) {
        const int N = shapes[t][0], C = shapes[t][1], HW = shapes[t][2] * shapes[t][3];
        const size_t n = (size_t)N * C * HW;
        float *in = rand_buf(n), *o1 = zero_buf(n), *o2 = zero_buf(n);
        float *gamma = rand_buf((size_t)C), *beta = rand_buf((size_t)C);
        for (size_t i = 0; i < n; i++) in[i] = in[i] * 4.0f + 10.0f; /* an offset far from 0 */
        eng_layernorm_forward(o1, in, gamma, beta, N, C, shapes[t][2], shapes[t][3], 1e-6f);
        layernorm_plain(o2, in, gamma, beta, N, C, HW, 1e-6f);
        check_close("layernorm", o1, o2, n, 1e-5f, 1e-5f);
        free(in), free(o1), free(o2), free(gamma), free(beta);
    }
    /* by hand, one position of 2 channels (1, 3): mean 2, variance 1 (+ eps 3 -> std 2) */
    float x[2] = {1, 3}, y[2], g[2] = {1, 2}, b[2] = {0, 1};
    eng_layernorm_forward(y, x, g, b, 1, 2, 1, 1, 3.0f);
    const float want[2] = {-0.5f, 2.0f};
    check_close("layernorm by hand", y, want, 2, 1e-6f, 0);
}

/* Stochastic depth through a graph: input -> drop path (keep p). */
static EngGraph *drop_path_graph(int N, int C, int H, int W, float keep, int *out) {
    EngGraph *g = eng_graph_create();
    int x = eng_input(g, "x", C, H, W);
    *out = eng_drop_path(g, "dp", x, keep);
    eng_graph_enable_grads(g); /* the mask lives with the training state */
    CHECK(*out >= 0 && eng_graph_init_params(g, 1) == 0 && eng_graph_plan(g, N) == 0);
    float *in = eng_graph_input_buffer(g, x);
    const size_t size = (size_t)C * H * W; /* every sample the same */
    for (size_t i = 0; i < (size_t)N * size; i++) in[i] = 0.5f + (float)(i % size);
    return g;
}

static void test_drop_path(void) {
    const int N = 4000, C = 2, H = 2, W = 3, size = C * H * W;
    const float keep = 0.7f;
    int dp;
    EngGraph *g = drop_path_graph(N, C, H, W, keep, &dp);
    const float *in = eng_graph_node(g, 0)->act;
    /* inference: the branch times keep */
    CHECK(eng_graph_forward(g) == 0);
    const EngNode *o = eng_graph_node(g, dp);
    int ok = 1;
    for (int i = 0; i < N * size; i++) ok &= o->act[i] == in[i] * keep;
    CHECK(ok);
    /* training: each sample's branch whole or zero, as its mask says */
    eng_graph_set_training(g, 1);
    eng_graph_seed(g, 42);
    CHECK(eng_graph_forward(g) == 0);
    int kept = 0, exact = 1;
    double mean[12] = {0};
    for (int b = 0; b < N; b++) {
        const float m = o->aux[b];
        exact &= m == 0.0f || m == 1.0f;
        kept += m == 1.0f;
        for (int i = 0; i < size; i++) {
            exact &= o->act[b * size + i] == (m == 1.0f ? in[b * size + i] : 0.0f);
            mean[i] += o->act[b * size + i] / N;
        }
    }
    CHECK(exact);
    /* the expected training output is the inference output: kept ~ keep N
     * (binomial, sd sqrt(N keep (1 - keep)) = 29; within 5 sd) */
    if (fabs(kept - keep * N) >= 145) fprintf(stderr, "  drop path: %d of %d kept\n", kept, N);
    CHECK(fabs(kept - keep * N) < 145);
    for (int i = 0; i < size; i++) CHECK(fabs(mean[i] - in[i] * keep) < 0.05 * in[i]);
    /* the same seed draws the same masks; another seed others */
    float *first = malloc((size_t)N * sizeof *first);
    memcpy(first, o->aux, (size_t)N * sizeof *first);
    eng_graph_seed(g, 42);
    CHECK(eng_graph_forward(g) == 0);
    CHECK(memcmp(first, o->aux, (size_t)N * sizeof *first) == 0);
    eng_graph_seed(g, 43);
    CHECK(eng_graph_forward(g) == 0);
    CHECK(memcmp(first, o->aux, (size_t)N * sizeof *first) != 0);
    free(first);
    eng_graph_destroy(g);
    /* keep outside (0, 1] is refused */
    g = eng_graph_create();
    int x = eng_input(g, "x", 1, 2, 2);
    CHECK(eng_drop_path(g, "dp", x, 0.0f) < 0 && !eng_graph_ok(g));
    eng_graph_destroy(g);
}

/* FractalNet's join of three inputs: the mean at inference; in training
 * each sample averages the inputs its mask keeps, never none. */
static void test_join(void) {
    const int N = 3000, C = 1, H = 2, W = 2, size = C * H * W;
    EngGraph *g = eng_graph_create();
    int x = eng_input(g, "x", C, H, W);
    int a = eng_relu(g, "a", x), b = eng_tanh(g, "b", x);
    const int xs[3] = {x, a, b};
    int j = eng_join(g, "join", xs, 3, 0.4f);
    eng_graph_enable_grads(g);
    CHECK(j >= 0 && eng_graph_init_params(g, 1) == 0 && eng_graph_plan(g, N) == 0);
    float *in = eng_graph_input_buffer(g, x);
    for (int i = 0; i < N * size; i++) in[i] = (float)(i % 5) - 1.5f;
    CHECK(eng_graph_forward(g) == 0);
    const EngNode *o = eng_graph_node(g, j), *na = eng_graph_node(g, a), *nb = eng_graph_node(g, b);
    int ok = 1;
    for (int i = 0; i < N * size; i++)
        ok &= fabsf(o->act[i] - (in[i] + na->act[i] + nb->act[i]) / 3.0f) <= 1e-6f;
    CHECK(ok);
    eng_graph_set_training(g, 1);
    eng_graph_seed(g, 7);
    CHECK(eng_graph_forward(g) == 0);
    int exact = 1, none = 0, dropped = 0, singles = 0;
    for (int s = 0; s < N; s++) {
        const float *m = o->aux + (size_t)s * 3;
        const int kept = (m[0] != 0) + (m[1] != 0) + (m[2] != 0);
        none += kept == 0;
        singles += kept == 1;
        dropped += 3 - kept;
        for (int i = 0; i < size; i++) {
            const size_t k = (size_t)s * size + i;
            const float want = (m[0] * in[k] + m[1] * na->act[k] + m[2] * nb->act[k]) /
                               (float)(kept ? kept : 1);
            exact &= fabsf(o->act[k] - want) <= 1e-6f;
        }
    }
    CHECK(exact && none == 0);
    /* each input goes with probability 0.4, except that the all-dropped case
     * (0.064) keeps one: 3 * 0.4 - 0.064 = 1.136 dropped per sample; one kept
     * in 3 * 0.4^2 * 0.6 + 0.064 = 0.352 of the samples (sd ~ 0.009) */
    CHECK(fabs(dropped / (double)N - 1.136) < 0.05);
    CHECK(fabs(singles / (double)N - 0.352) < 0.045);
    eng_graph_destroy(g);
    g = eng_graph_create();
    x = eng_input(g, "x", 1, 2, 2);
    CHECK(eng_join(g, "j", &x, 1, 0.1f) < 0 && !eng_graph_ok(g));
    eng_graph_destroy(g);
}

/* FractalNet's global drop-path: two joins naming columns {1, 2} and {0, 1, 2},
 * global with probability 0.5. Each training pass is global about half the
 * time, each column a third of those; a global pass keeps in every sample the
 * chosen column's input alone (a join without that column keeps all); the
 * same seed gives the same passes; inference and a join without columns
 * draw nothing. */
static void test_join_global(void) {
    const int N = 4, C = 1, H = 2, W = 2, size = C * H * W;
    EngGraph *g = eng_graph_create();
    int x = eng_input(g, "x", C, H, W);
    int a = eng_relu(g, "a", x), b = eng_tanh(g, "b", x), c = eng_sigmoid(g, "c", x);
    const int in1[2] = {b, c}, cols1[2] = {1, 2};
    int j1 = eng_join_columns(g, eng_join(g, "join1", in1, 2, 0.15f), cols1, 0.5f);
    const int in3[3] = {a, b, j1}, cols3[3] = {0, 1, 2};
    int j3 = eng_join_columns(g, eng_join(g, "join3", in3, 3, 0.15f), cols3, 0.5f);
    eng_graph_enable_grads(g);
    CHECK(j1 >= 0 && j3 >= 0 && eng_graph_init_params(g, 1) == 0 && eng_graph_plan(g, N) == 0);
    float *in = eng_graph_input_buffer(g, x);
    for (int i = 0; i < N * size; i++) in[i] = 0.3f * (float)(i % 7) - 1.0f;
    eng_graph_set_training(g, 1);
    eng_graph_seed(g, 11);
    const int passes = 3000;
    int picks[4] = {0}, exact = 1, local_masks = 0;
    int *seq = malloc(passes * sizeof *seq);
    const EngNode *o1 = eng_graph_node(g, j1), *o3 = eng_graph_node(g, j3);
    for (int t = 0; t < passes; t++) {
        CHECK(eng_graph_forward(g) == 0);
        const int col = eng_graph_join_column(g);
        seq[t] = col;
        picks[col + 1]++;
        for (int s = 0; s < N && col >= 0; s++) {
            const float *m1 = o1->aux + (size_t)s * 2, *m3 = o3->aux + (size_t)s * 3;
            for (int i = 0; i < 3; i++) exact &= m3[i] == (i == col ? 1.0f : 0.0f);
            for (int i = 0; i < 2; i++) exact &= m1[i] == (col == 0 || cols1[i] == col ? 1.0f : 0.0f);
            /* the output is the kept input itself */
            const float *keep = eng_graph_node(g, in3[col])->act + (size_t)s * size;
            for (int u = 0; u < size; u++) exact &= o3->act[(size_t)s * size + u] == keep[u];
        }
        if (col < 0)
            for (int s = 0; s < N; s++) local_masks += o3->aux[s * 3] + o3->aux[s * 3 + 1] + o3->aux[s * 3 + 2] < 3;
    }
    CHECK(exact);
    /* global 0.5 (sd 0.009), each column 1/6 (sd 0.007) */
    CHECK(fabs(picks[0] / (double)passes - 0.5) < 0.04);
    for (int k = 1; k < 4; k++) CHECK(fabs(picks[k] / (double)passes - 1.0 / 6.0) < 0.035);
    CHECK(local_masks > 0);
    /* the same seed, the same passes */
    eng_graph_seed(g, 11);
    int same = 1;
    for (int t = 0; t < 200; t++) {
        CHECK(eng_graph_forward(g) == 0);
        same &= eng_graph_join_column(g) == seq[t];
    }
    CHECK(same);
    free(seq);
    /* inference: no pick, the mean of all, the RNG untouched */
    eng_graph_set_training(g, 0);
    const uint64_t st = eng_graph_rng_state(g);
    CHECK(eng_graph_forward(g) == 0 && eng_graph_join_column(g) == -1 && eng_graph_rng_state(g) == st);
    eng_graph_destroy(g);

    /* refused: a column twice, a probability outside [0, 1], a node that is no join */
    for (int k = 0; k < 3; k++) {
        g = eng_graph_create();
        x = eng_input(g, "x", 1, 2, 2);
        a = eng_relu(g, "a", x);
        const int two[2] = {x, a}, dup[2] = {1, 1}, ok[2] = {0, 1};
        int j = eng_join(g, "j", two, 2, 0.1f);
        const int r = k == 0 ? eng_join_columns(g, j, dup, 0.5f)
                      : k == 1 ? eng_join_columns(g, j, ok, 1.5f)
                               : eng_join_columns(g, a, ok, 0.5f);
        CHECK(r < 0 && !eng_graph_ok(g));
        eng_graph_destroy(g);
    }
}

/* ---- resize ------------------------------------------------------------------------------
 * The reference is written from ONNX's definition (onnx/reference, Resize): the
 * input coordinate of each output unit in double, nearest by its rounding rule,
 * linear as the two neighbours of floor(x) read from an edge-padded input. */

static double ref_coord(int coord, int o, int in, int out, double scale) {
    /* ONNX's reference takes the length in * scale before flooring (out, given sizes) */
    const double len = fabs(in * scale - out) < 1e-9 * out ? out : in * scale;
    if (coord == ENG_RESIZE_ALIGN_CORNERS) return len <= 1 ? 0.0 : o * (in - 1.0) / (len - 1.0);
    if (coord == ENG_RESIZE_ASYMMETRIC) return o / scale;
    if (coord == ENG_RESIZE_TF_HALF_PIXEL_FOR_NN) return (o + 0.5) / scale;
    if (coord == ENG_RESIZE_PYTORCH_HALF_PIXEL && len <= 1) return 0.0;
    return (o + 0.5) / scale - 0.5;
}

static int ref_edge(long long i, int in) { return i < 0 ? 0 : i >= in ? in - 1 : (int)i; }

/* the units of one axis output o reads, and their weights (2 with linear, else 1) */
static int ref_taps(const EngResizeParams *p, int o, int in, int out, double scale, int *at,
                    double *wt) {
    const double x = ref_coord(p->coord, o, in, out, scale), f = floor(x), frac = x - f;
    if (p->mode == ENG_RESIZE_LINEAR) {
        at[0] = ref_edge((long long)f, in), at[1] = ref_edge((long long)f + 1, in);
        wt[0] = 1.0 - frac, wt[1] = frac;
        return 2;
    }
    double r = f; /* ENG_RESIZE_FLOOR */
    if (p->round == ENG_RESIZE_CEIL) r = ceil(x);
    if (p->round == ENG_RESIZE_ROUND_PREFER_FLOOR) r = frac > 0.5 ? f + 1 : f;
    if (p->round == ENG_RESIZE_ROUND_PREFER_CEIL) r = frac >= 0.5 ? f + 1 : f;
    at[0] = ref_edge((long long)r, in), wt[0] = 1.0;
    return 1;
}

static void ref_resize(float *out, const float *in, int NC, int H, int W, const EngResizeParams *p) {
    for (int nc = 0; nc < NC; nc++)
        for (int oh = 0; oh < p->oh; oh++)
            for (int ow = 0; ow < p->ow; ow++) {
                int ah[2], aw[2];
                double wh[2], ww[2], v = 0.0;
                const int nh = ref_taps(p, oh, H, p->oh, p->sh, ah, wh);
                const int nw = ref_taps(p, ow, W, p->ow, p->sw, aw, ww);
                for (int a = 0; a < nh; a++)
                    for (int b = 0; b < nw; b++)
                        v += wh[a] * ww[b] * in[((size_t)nc * H + ah[a]) * W + aw[b]];
                out[((size_t)nc * p->oh + oh) * p->ow + ow] = (float)v;
            }
}

/* x (N, C, H, W) through a resize node; *q gets the node's settings (sizes and scales filled) */
static int resize_run(int N, int C, int H, int W, const EngResizeParams *p, const float *x,
                      float *y, EngResizeParams *q) {
    EngGraph *g = eng_graph_create();
    const int in = eng_input(g, "x", C, H, W), r = eng_resize(g, "r", in, p);
    int ok = r >= 0 && eng_graph_init_params(g, 1) == 0 && eng_graph_plan(g, N) == 0;
    if (ok) {
        memcpy(eng_graph_input_buffer(g, in), x, (size_t)N * C * H * W * sizeof *x);
        ok = eng_graph_forward(g) == 0;
        const EngNode *n = eng_graph_node(g, r);
        *q = n->p.resize;
        memcpy(y, n->act, (size_t)N * C * q->oh * q->ow * sizeof *y);
    }
    eng_graph_destroy(g);
    return ok;
}

static void resize_hand(const char *what, int H, int W, EngResizeParams p, const float *want) {
    float x[16], y[64];
    EngResizeParams q;
    for (int i = 0; i < H * W; i++) x[i] = (float)(i + 1);
    CHECK(resize_run(1, 1, H, W, &p, x, y, &q));
    check_close(what, y, want, (size_t)q.oh * q.ow, 1e-6f, 1e-6f);
}

static void test_resize_hand(void) {
    const float third = 1.0f / 3.0f;
    /* 1 2 / 3 4 to 4x4: PyTorch 1.13's F.interpolate(x, scale_factor=2, ...) printed
     * these; each is a hand-checkable fraction (half_pixel: coordinates -0.25, 0.25,
     * 0.75, 1.25, clamped to [0, 1]) */
    const float half_pixel[16] = {1, 1.25f, 1.75f, 2, 1.5f, 1.75f, 2.25f, 2.5f,
                                  2.5f, 2.75f, 3.25f, 3.5f, 3, 3.25f, 3.75f, 4};
    const float corners[16] = {1, 1 + third, 2 - third, 2, 2 - third, 2, 2 + third, 3 - third,
                               2 + third, 3 - third, 3, 3 + third, 3, 3 + third, 4 - third, 4};
    const float nearest[16] = {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4};
    EngResizeParams p = {ENG_RESIZE_LINEAR, ENG_RESIZE_HALF_PIXEL, 0, 0, 0, 2.0, 2.0};
    resize_hand("bilinear half_pixel 2x", 2, 2, p, half_pixel);
    p.coord = ENG_RESIZE_PYTORCH_HALF_PIXEL;
    resize_hand("bilinear pytorch_half_pixel 2x", 2, 2, p, half_pixel);
    p.coord = ENG_RESIZE_ALIGN_CORNERS;
    resize_hand("bilinear align_corners 2x", 2, 2, p, corners);
    p = (EngResizeParams){ENG_RESIZE_NEAREST, ENG_RESIZE_ASYMMETRIC, ENG_RESIZE_FLOOR, 0, 0, 2, 2};
    resize_hand("nearest asymmetric floor 2x", 2, 2, p, nearest);
    /* 1..15 as 3x5 to 5x3 by sizes, PyTorch's nearest (floor(o * in / out)): rows 0 0 1 1 2,
     * columns 0 1 3 */
    const float sized[15] = {1, 2, 4, 1, 2, 4, 6, 7, 9, 6, 7, 9, 11, 12, 14};
    p.oh = 5, p.ow = 3, p.sh = p.sw = 0.0;
    resize_hand("nearest by sizes 3x5 to 5x3", 3, 5, p, sized);
    /* 1 2 3 4 to 8 by half_pixel: coordinates (o + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75,
     * ...; round_prefer_floor and ceil differ only at halves, which 4 -> 8 never gives,
     * so take 4 -> 2 (coordinates 0.5, 2.5): a half goes down, or up */
    const float down_floor[2] = {1, 3}, down_ceil[2] = {2, 4};
    p = (EngResizeParams){ENG_RESIZE_NEAREST, ENG_RESIZE_HALF_PIXEL,
                          ENG_RESIZE_ROUND_PREFER_FLOOR, 1, 2, 1.0, 0.5};
    resize_hand("nearest round_prefer_floor 4 to 2", 1, 4, p, down_floor);
    p.round = ENG_RESIZE_ROUND_PREFER_CEIL;
    resize_hand("nearest round_prefer_ceil 4 to 2", 1, 4, p, down_ceil);
    /* tf_half_pixel_for_nn, 4 -> 2: coordinates 1, 3 */
    p.coord = ENG_RESIZE_TF_HALF_PIXEL_FOR_NN;
    resize_hand("nearest tf_half_pixel_for_nn 4 to 2", 1, 4, p, down_ceil);
    /* 1..8 as 2x4 scaled by 0.6, align_corners: the resized width 2.4 (not the 2 units
     * it floors to) spaces the corners, o * 3 / 1.4; ONNX's test data
     * (resize_downsample_scales_linear_align_corners) expects 1 and 3.142857 */
    const float corners_down[2] = {1, 1 + 3 / 1.4f};
    p = (EngResizeParams){ENG_RESIZE_LINEAR, ENG_RESIZE_ALIGN_CORNERS, 0, 0, 0, 0.6f, 0.6f};
    resize_hand("bilinear align_corners by 0.6", 2, 4, p, corners_down);
}

static void test_resize(void) {
    test_resize_hand();
    static const double scales[] = {0.5, 0.6, 0.75, 1.0, 1.5, 2.0, 2.5, 3.0, 1.0 / 3.0};
    const int n_scales = (int)(sizeof scales / sizeof scales[0]);
    for (int t = 0; t < 400; t++) {
        const int big = t % 50 == 0; /* large enough to run on both threads */
        const int N = irand(1, 2), C = big ? 8 : irand(1, 3), H = irand(1, big ? 40 : 9),
                  W = irand(1, big ? 40 : 9);
        EngResizeParams p = {irand(0, 1), irand(0, ENG_RESIZE_COORD_COUNT - 1),
                             irand(0, ENG_RESIZE_ROUND_COUNT - 1), 0, 0, 0.0, 0.0};
        if (irand(0, 1)) {
            p.oh = irand(1, 2 * H + 3), p.ow = irand(1, 2 * W + 3);
        } else {
            p.sh = scales[irand(0, n_scales - 1)], p.sw = scales[irand(0, n_scales - 1)];
            if (floor(H * p.sh) < 1 || floor(W * p.sw) < 1) p.sh = p.sw = 2.0;
        }
        const size_t n_in = (size_t)N * C * H * W;
        float *x = rand_buf(n_in), *y = zero_buf((size_t)N * C * (4 * H + 6) * (4 * W + 6));
        float *want = zero_buf((size_t)N * C * (4 * H + 6) * (4 * W + 6));
        EngResizeParams q;
        CHECK(resize_run(N, C, H, W, &p, x, y, &q));
        ref_resize(want, x, N * C, H, W, &q);
        char what[160];
        snprintf(what, sizeof what, "resize mode %d coord %d round %d %dx%d -> %dx%d", q.mode,
                 q.coord, q.round, H, W, q.oh, q.ow);
        check_close(what, y, want, (size_t)N * C * q.oh * q.ow, 1e-5f, 1e-5f);
        free(x), free(y), free(want);
    }
}

/* what the builder refuses, the field it gives and the operations it counts */
static void test_resize_rules(void) {
    EngGraph *g = eng_graph_create();
    int x = eng_input(g, "x", 3, 8, 6);
    const EngResizeParams bad[] = {
        {ENG_RESIZE_NEAREST, 0, 0, 0, 0, 0.0, 2.0},        /* neither size nor scale */
        {ENG_RESIZE_NEAREST, 0, 0, 0, 0, -2.0, 2.0},       /* negative scale */
        {ENG_RESIZE_NEAREST, 0, 0, 0, 0, NAN, 2.0},        /* NaN */
        {ENG_RESIZE_NEAREST, 0, 0, 0, 0, 2.0, INFINITY},   /* infinite */
        {ENG_RESIZE_NEAREST, 0, 0, 0, 0, 0.1, 2.0},        /* floor(8 * 0.1) = 0 rows */
        {ENG_RESIZE_NEAREST, 0, 0, 0, 0, 1e9, 2.0},        /* past 2^24 */
        {ENG_RESIZE_NEAREST, 0, 0, -4, 4, 0.0, 0.0},       /* negative size */
        {ENG_RESIZE_NEAREST, 0, 0, (1 << 24) + 1, 4, 0.0, 0.0},
        {ENG_RESIZE_NEAREST, 0, 0, 1 << 20, 1 << 20, 0.0, 0.0}, /* 3 * 2^40 units */
        {2, 0, 0, 4, 4, 0.0, 0.0},                         /* cubic and the rest */
        {ENG_RESIZE_LINEAR, ENG_RESIZE_COORD_COUNT, 0, 4, 4, 0.0, 0.0},
        {ENG_RESIZE_NEAREST, 0, -1, 4, 4, 0.0, 0.0},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        EngGraph *h = eng_graph_create();
        int xi = eng_input(h, "x", 3, 8, 6);
        CHECK(eng_resize(h, "r", xi, &bad[k]) < 0 && !eng_graph_ok(h));
        if (eng_graph_ok(h)) fprintf(stderr, "  resize case %zu was accepted\n", k);
        CHECK(strstr(eng_graph_error(h), "node 'r' (resize)") != NULL);
        eng_graph_destroy(h);
    }
    /* sizes and scales filled in: 8 x 2.5 = 20 rows; 6 -> 9 columns, scale 1.5 */
    const EngResizeParams up = {ENG_RESIZE_LINEAR, ENG_RESIZE_HALF_PIXEL, 0, 0, 9, 2.5, 0.0};
    const int r = eng_resize(g, "up", x, &up);
    CHECK(r >= 0);
    const EngNode *n = eng_graph_node(g, r);
    CHECK(n->out.C == 3 && n->out.H == 20 && n->out.W == 9 && n->p.resize.sw == 1.5);
    CHECK(!n->rf.finite); /* a fractional stride */
    /* bilinear: 4 multiply-adds per output under "other"; nearest none */
    const EngCount other = {0, 0, 0, 0, 1}, flops = {1, 0, 0, 0, 1}, none = {0, 0, 0, 0, 0};
    CHECK_EQ_I64(eng_node_ops(n, g, other), 4 * 3 * 20 * 9);
    CHECK_EQ_I64(eng_node_ops(n, g, flops), 8 * 3 * 20 * 9);
    CHECK_EQ_I64(eng_node_ops(n, g, none), 0);
    const EngResizeParams near = {ENG_RESIZE_NEAREST, ENG_RESIZE_ASYMMETRIC, ENG_RESIZE_FLOOR, 0,
                                  0, 2.0, 2.0};
    const int r2 = eng_resize(g, "near", x, &near);
    CHECK(r2 >= 0 && eng_node_ops(eng_graph_node(g, r2), g, other) == 0);
    /* every unit read in its own place: the field goes through */
    const int c = eng_conv_k(g, "c", x, 4, 3, 1, 1, 1, 0);
    const EngResizeParams same = {ENG_RESIZE_LINEAR, ENG_RESIZE_ALIGN_CORNERS, 0, 8, 6, 0.0, 0.0};
    const int r3 = eng_resize(g, "same", c, &same);
    CHECK(r3 >= 0 && eng_graph_node(g, r3)->rf.finite && eng_graph_node(g, r3)->rf.size == 3);
    CHECK(eng_graph_ok(g));
    eng_graph_destroy(g);
}

int main(void) {
    eng_set_threads(2);
    test_modern_acts();
    test_layernorm();
    test_shape_rules();
    test_gemm();
    test_conv();
    test_winograd();
    test_convt();
    test_pool();
    test_norm();
    test_elementwise();
    test_matmul();
    test_affine();
    test_maxunpool();
    test_drop_path();
    test_join();
    test_join_global();
    test_resize();
    test_resize_rules();
    return check_finish("ops");
}
