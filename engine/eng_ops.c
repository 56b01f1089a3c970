/*
 * eng_ops.c — fast forward kernels, float32, NCHW.
 *
 * Convolution is lowered to one matrix product per image and group (im2col +
 * sgemm, as in Caffe and darknet): the input patches become the columns of a
 * (C/G*KH*KW, OH*OW) matrix, the filters the rows of a (OC/G, C/G*KH*KW)
 * matrix, and their product is the output map. A 1x1 stride-1 unpadded
 * convolution needs no lowering: the input already is that matrix. Depthwise
 * convolutions (one input channel per group) are too thin for a matrix product
 * and run as direct loops instead.
 *
 * Each kernel has a naive twin in eng_ref.c; tests/test_ops.c compares them.
 * Must not depend on: SDL or anything that draws.
 */
#include "eng.h"

#include <float.h>
#include <math.h>
#include <string.h>

/* ---- convolution ------------------------------------------------------------- */

/* Below this many output pixels, OpenBLAS runs the product faster transposed:
 * (OH*OW, K) x (K, OC) fills its register tiles better than (OC, K) x (K, 49)
 * (measured on ResNet's 7x7 stage: ~105 vs ~150 GFLOP/s). The transposed
 * result is turned back into (OC, OH*OW) while the bias is added. */
#define CONV_SMALL_MAP 128

static int conv_is_pointwise(const EngConvParams *p) {
    return p->kh == 1 && p->kw == 1 && p->sh == 1 && p->sw == 1 && p->pt == 0 && p->pl == 0 &&
           p->pb == 0 && p->pr == 0;
}

static int conv_is_depthwise(int C, const EngConvParams *p) {
    return p->groups == C && p->oc == C;
}

size_t eng_conv2d_scratch(int C, int H, int W, const EngConvParams *p, int OH, int OW) {
    (void)H;
    (void)W;
    if (conv_is_depthwise(C, p)) return 0;
    size_t ohw = (size_t)OH * OW;
    size_t cols = conv_is_pointwise(p) ? 0 : (size_t)(C / p->groups) * p->kh * p->kw * ohw;
    size_t trans = ohw < CONV_SMALL_MAP ? (size_t)(p->oc / p->groups) * ohw : 0;
    return cols + trans;
}

/* in: (C, H, W) one image -> col: (C*KH*KW, OH*OW), channels [c0, c1) only.
 * Row (c, kh, kw) holds, for every output position, the input pixel that tap
 * (kh, kw) of channel c multiplies; zero where the tap falls in the padding. */
static void im2col(float *col, const float *in, int c0, int c1, int H, int W, int KH, int KW,
                   int SH, int SW, int PT, int PL, int DH, int DW, int OH, int OW) {
    for (int c = c0; c < c1; c++) {
        const float *src = in + (size_t)c * H * W;
        for (int kh = 0; kh < KH; kh++) {
            for (int kw = 0; kw < KW; kw++) {
                float *dst = col + (((size_t)c * KH + kh) * KW + kw) * (size_t)OH * OW;
                /* output columns whose tap lands inside the input: ow in [ow0, ow1) */
                int off_w = kw * DW - PL;
                int ow0 = off_w >= 0 ? 0 : (-off_w + SW - 1) / SW;
                int ow1 = (W - off_w + SW - 1) / SW;
                if (ow1 > OW) ow1 = OW;
                if (ow1 < 0) ow1 = 0; /* a tap right of the input for every column (dilation, right pad) */
                if (ow0 > ow1) ow0 = ow1;
                for (int oh = 0; oh < OH; oh++) {
                    int ih = oh * SH - PT + kh * DH;
                    float *d = dst + (size_t)oh * OW;
                    if (ih < 0 || ih >= H) {
                        memset(d, 0, (size_t)OW * sizeof *d);
                        continue;
                    }
                    const float *s = src + (size_t)ih * W + off_w;
                    for (int ow = 0; ow < ow0; ow++) d[ow] = 0.0f;
                    if (SW == 1) {
                        memcpy(d + ow0, s + ow0, (size_t)(ow1 - ow0) * sizeof *d);
                    } else {
                        for (int ow = ow0; ow < ow1; ow++) d[ow] = s[ow * SW];
                    }
                    for (int ow = ow1; ow < OW; ow++) d[ow] = 0.0f;
                }
            }
        }
    }
}

void eng_im2col(float *col, const float *in, int C, int H, int W, const EngConvParams *p, int OH,
                int OW) {
    im2col(col, in, 0, C, H, W, p->kh, p->kw, p->sh, p->sw, p->pt, p->pl, p->dh, p->dw, OH, OW);
}

/* One channel of a depthwise convolution, by direct loops.
 * out: (OH, OW) = sum over taps of w[kh, kw] * in[oh*SH - PT + kh*DH, ow*SW - PL + kw*DW] */
static void depthwise_plane(float *out, const float *in, const float *w, float bias, int H, int W,
                            const EngConvParams *p, int OH, int OW) {
    for (int i = 0; i < OH * OW; i++) out[i] = bias;
    for (int kh = 0; kh < p->kh; kh++) {
        for (int kw = 0; kw < p->kw; kw++) {
            const float wk = w[kh * p->kw + kw];
            int off_w = kw * p->dw - p->pl;
            int ow0 = off_w >= 0 ? 0 : (-off_w + p->sw - 1) / p->sw;
            int ow1 = (W - off_w + p->sw - 1) / p->sw;
            if (ow1 > OW) ow1 = OW;
            for (int oh = 0; oh < OH; oh++) {
                int ih = oh * p->sh - p->pt + kh * p->dh;
                if (ih < 0 || ih >= H) continue;
                const float *s = in + (size_t)ih * W + off_w;
                float *d = out + (size_t)oh * OW;
                if (p->sw == 1) {
                    for (int ow = ow0; ow < ow1; ow++) d[ow] += wk * s[ow];
                } else {
                    for (int ow = ow0; ow < ow1; ow++) d[ow] += wk * s[ow * p->sw];
                }
            }
        }
    }
}

typedef struct {
    float *out, *col;
    const float *in, *w, *b;
    int C, H, W, OH, OW;
    const EngConvParams *p;
} ConvJob;

static void im2col_range(void *ctx, size_t c0, size_t c1) {
    const ConvJob *j = ctx;
    const EngConvParams *p = j->p;
    im2col(j->col, j->in, (int)c0, (int)c1, j->H, j->W, p->kh, p->kw, p->sh, p->sw, p->pt, p->pl,
           p->dh, p->dw, j->OH, j->OW);
}

/* planes [b, e) of (N*C): one depthwise channel each */
static void depthwise_range(void *ctx, size_t b, size_t e) {
    const ConvJob *j = ctx;
    const size_t HW = (size_t)j->H * j->W, OHW = (size_t)j->OH * j->OW;
    const int KK = j->p->kh * j->p->kw;
    for (size_t nc = b; nc < e; nc++) {
        int c = (int)(nc % (size_t)j->C);
        depthwise_plane(j->out + nc * OHW, j->in + nc * HW, j->w + (size_t)c * KK,
                        j->b ? j->b[c] : 0.0f, j->H, j->W, j->p, j->OH, j->OW);
    }
}

/* rows [b, e) of out (OC, OH*OW) get their bias added */
static void bias_range(void *ctx, size_t b, size_t e) {
    const ConvJob *j = ctx;
    const size_t OHW = (size_t)j->OH * j->OW;
    for (size_t oc = b; oc < e; oc++) {
        const float bv = j->b[oc];
        float *row = j->out + oc * OHW;
        for (size_t i = 0; i < OHW; i++) row[i] += bv;
    }
}

void eng_conv2d_forward(float *out, const float *in, const float *w, const float *b,
                        int N, int C, int H, int W, const EngConvParams *p, int OH, int OW,
                        float *scratch) {
    const int G = p->groups;
    const int Cg = C / G, OCg = p->oc / G;
    const int K = Cg * p->kh * p->kw;          /* length of one filter */
    const size_t HW = (size_t)H * W, OHW = (size_t)OH * OW;
    if (conv_is_depthwise(C, p)) {
        ConvJob j = {.out = out, .in = in, .w = w, .b = b, .C = C, .H = H, .W = W, .OH = OH,
                     .OW = OW, .p = p};
        eng_parallel_for((size_t)N * C, OHW * p->kh * p->kw, depthwise_range, &j);
        return;
    }
    const int pointwise = conv_is_pointwise(p);
    const int small = OHW < CONV_SMALL_MAP;
    /* scratch: im2col columns, then (small maps) the transposed product */
    /* a lone 1x1 convolution on a large map needs no scratch (NULL): no offset then */
    float *yt = (pointwise || !scratch) ? scratch : scratch + (size_t)K * OHW;
    for (int n = 0; n < N; n++) {
        for (int g = 0; g < G; g++) {
            const float *x = in + ((size_t)n * C + (size_t)g * Cg) * HW;   /* (Cg, H, W) */
            float *y = out + ((size_t)n * p->oc + (size_t)g * OCg) * OHW;   /* (OCg, OH, OW) */
            const float *wg = w + (size_t)g * OCg * K;                     /* (OCg, K) */
            const float *cols = x;                                         /* (K, OH*OW) */
            if (!pointwise) {
                ConvJob j = {.col = scratch, .in = x, .H = H, .W = W, .OH = OH, .OW = OW, .p = p};
                eng_parallel_for((size_t)Cg, (size_t)p->kh * p->kw * OHW, im2col_range, &j);
                cols = scratch;
            }
            if (small) {
                /* (K, OH*OW)^T x (OCg, K)^T -> yt (OH*OW, OCg), then y = yt^T + b */
                eng_gemm(1, 1, (int)OHW, OCg, K, 1.0f, cols, (int)OHW, wg, K, 0.0f, yt, OCg);
                for (int oc = 0; oc < OCg; oc++) {
                    const float bv = b ? b[g * OCg + oc] : 0.0f;
                    float *row = y + (size_t)oc * OHW;
                    for (size_t i = 0; i < OHW; i++) row[i] = yt[i * OCg + oc] + bv;
                }
                continue;
            }
            /* (OCg, K) x (K, OH*OW) -> (OCg, OH*OW) */
            eng_gemm(0, 0, OCg, (int)OHW, K, 1.0f, wg, K, cols, (int)OHW, 0.0f, y, (int)OHW);
            if (b) {
                ConvJob j = {.out = y, .b = b + (size_t)g * OCg, .OH = OH, .OW = OW};
                eng_parallel_for((size_t)OCg, OHW, bias_range, &j);
            }
        }
    }
}

/* ---- transposed convolution ------------------------------------------------------
 * The gradient of a convolution with respect to its input: every input pixel
 * scatters its value times the kernel into the output. As a matrix product:
 * cols (OCg*KH*KW, H*W) = W_g^T (OCg*KH*KW, Cg) x in_g (Cg, H*W), then col2im
 * adds each column back at the positions its taps reach. */

size_t eng_convt2d_scratch(int C, int H, int W, const EngConvTParams *p, int OH, int OW) {
    (void)C;
    (void)OH;
    (void)OW;
    return (size_t)(p->oc / p->groups) * p->kh * p->kw * (size_t)H * W;
}

void eng_convt2d_forward(float *out, const float *in, const float *w, const float *b,
                         int N, int C, int H, int W, const EngConvTParams *p, int OH, int OW,
                         float *scratch) {
    const int G = p->groups, Cg = C / G, OCg = p->oc / G;
    const int KK = p->kh * p->kw;
    const size_t HW = (size_t)H * W, OHW = (size_t)OH * OW;
    for (int n = 0; n < N; n++) {
        for (int g = 0; g < G; g++) {
            const float *x = in + ((size_t)n * C + (size_t)g * Cg) * HW;
            float *y = out + ((size_t)n * p->oc + (size_t)g * OCg) * OHW;
            const float *wg = w + (size_t)g * Cg * OCg * KK; /* (Cg, OCg*KH*KW) */
            /* (Cg, OCg*KK)^T x (Cg, HW) -> (OCg*KK, HW) */
            eng_gemm(1, 0, OCg * KK, (int)HW, Cg, 1.0f, wg, OCg * KK, x, (int)HW, 0.0f, scratch,
                     (int)HW);
            for (int oc = 0; oc < OCg; oc++) {
                float *yo = y + (size_t)oc * OHW;
                const float bv = b ? b[g * OCg + oc] : 0.0f;
                for (size_t i = 0; i < OHW; i++) yo[i] = bv;
                for (int kh = 0; kh < p->kh; kh++)
                    for (int kw = 0; kw < p->kw; kw++) {
                        const float *col = scratch + ((size_t)oc * KK + kh * p->kw + kw) * HW;
                        for (int ih = 0; ih < H; ih++) {
                            int oh = ih * p->sh - p->pt + kh * p->dh;
                            if (oh < 0 || oh >= OH) continue;
                            for (int iw = 0; iw < W; iw++) {
                                int ow = iw * p->sw - p->pl + kw * p->dw;
                                if (ow >= 0 && ow < OW) yo[(size_t)oh * OW + ow] += col[(size_t)ih * W + iw];
                            }
                        }
                    }
            }
        }
    }
}

/* ---- pooling ----------------------------------------------------------------------
 * Every (image, channel) plane is independent: the threads split the planes. */

typedef struct {
    float *out;
    int32_t *argmax;
    const float *in;
    int C, H, W, OH, OW;
    const EngPoolParams *p;
} PoolJob;

static void maxpool_range(void *ctx, size_t b, size_t e) {
    const PoolJob *j = ctx;
    const EngPoolParams *p = j->p;
    const int H = j->H, W = j->W, OH = j->OH, OW = j->OW;
    const size_t HW = (size_t)H * W, OHW = (size_t)OH * OW;
    const int dh = p->dh > 1 ? p->dh : 1, dw = p->dw > 1 ? p->dw : 1;
    for (size_t nc = b; nc < e; nc++) {
        const float *x = j->in + nc * HW;
        float *y = j->out + nc * OHW;
        int32_t *a = j->argmax ? j->argmax + nc * OHW : NULL;
        if (dh > 1 || dw > 1) { /* dilated: visit the taps one by one */
            for (int oh = 0; oh < OH; oh++)
                for (int ow = 0; ow < OW; ow++) {
                    float best = -INFINITY;
                    int bi = -1;
                    for (int kh = 0; kh < p->kh; kh++) {
                        int h = oh * p->sh - p->pt + kh * dh;
                        if (h < 0 || h >= H) continue;
                        for (int kw = 0; kw < p->kw; kw++) {
                            int w = ow * p->sw - p->pl + kw * dw;
                            if (w < 0 || w >= W) continue;
                            if (bi < 0 || x[h * W + w] > best) best = x[h * W + w], bi = h * W + w;
                        }
                    }
                    y[oh * OW + ow] = best;
                    if (a) a[oh * OW + ow] = bi < 0 ? 0 : bi;
                }
            continue;
        }
        for (int oh = 0; oh < OH; oh++) {
            int h0 = oh * p->sh - p->pt, h1 = h0 + p->kh;
            if (h0 < 0) h0 = 0;
            if (h1 > H) h1 = H;
            for (int ow = 0; ow < OW; ow++) {
                int w0 = ow * p->sw - p->pl, w1 = w0 + p->kw;
                if (w0 < 0) w0 = 0;
                if (w1 > W) w1 = W;
                float best = -INFINITY;
                int bi = h0 * W + w0;
                for (int h = h0; h < h1; h++)
                    for (int w = w0; w < w1; w++) {
                        float v = x[h * W + w];
                        if (v > best) {
                            best = v;
                            bi = h * W + w;
                        }
                    }
                y[oh * OW + ow] = best;
                if (a) a[oh * OW + ow] = bi;
            }
        }
    }
}

void eng_maxpool_forward(float *out, int32_t *argmax, const float *in,
                         int N, int C, int H, int W, const EngPoolParams *p, int OH, int OW) {
    PoolJob j = {out, argmax, in, C, H, W, OH, OW, p};
    eng_parallel_for((size_t)N * C, (size_t)OH * OW * p->kh * p->kw, maxpool_range, &j);
}

static void avgpool_range(void *ctx, size_t b, size_t e) {
    const PoolJob *j = ctx;
    const EngPoolParams *p = j->p;
    const int H = j->H, W = j->W, OH = j->OH, OW = j->OW;
    const size_t HW = (size_t)H * W, OHW = (size_t)OH * OW;
    for (size_t nc = b; nc < e; nc++) {
        const float *x = j->in + nc * HW;
        float *y = j->out + nc * OHW;
        for (int oh = 0; oh < OH; oh++) {
            int hh0, hh1, ww0, ww1;
            const int ch = eng_pool_span(oh, p->sh, p->kh, p->pt, p->pb, H, p->count_include_pad,
                                         &hh0, &hh1);
            for (int ow = 0; ow < OW; ow++) {
                const int cw = eng_pool_span(ow, p->sw, p->kw, p->pl, p->pr, W,
                                             p->count_include_pad, &ww0, &ww1);
                float s = 0.0f;
                for (int h = hh0; h < hh1; h++)
                    for (int w = ww0; w < ww1; w++) s += x[h * W + w];
                int cnt = ch * cw;
                y[oh * OW + ow] = cnt > 0 ? s / (float)cnt : 0.0f;
            }
        }
    }
}

void eng_avgpool_forward(float *out, const float *in,
                         int N, int C, int H, int W, const EngPoolParams *p, int OH, int OW) {
    PoolJob j = {out, NULL, in, C, H, W, OH, OW, p};
    eng_parallel_for((size_t)N * C, (size_t)OH * OW * p->kh * p->kw, avgpool_range, &j);
}

static void gavgpool_range(void *ctx, size_t b, size_t e) {
    const PoolJob *j = ctx;
    const size_t HW = (size_t)j->H * j->W;
    for (size_t nc = b; nc < e; nc++) {
        const float *x = j->in + nc * HW;
        float s = 0.0f;
        for (size_t i = 0; i < HW; i++) s += x[i];
        j->out[nc] = s / (float)HW;
    }
}

static void gmaxpool_range(void *ctx, size_t b, size_t e) {
    const PoolJob *j = ctx;
    const size_t HW = (size_t)j->H * j->W;
    for (size_t nc = b; nc < e; nc++) {
        const float *x = j->in + nc * HW;
        float m = -INFINITY;
        for (size_t i = 0; i < HW; i++) m = x[i] > m ? x[i] : m;
        j->out[nc] = m;
    }
}

void eng_gavgpool_forward(float *out, const float *in, int N, int C, int H, int W) {
    PoolJob j = {.out = out, .in = in, .C = C, .H = H, .W = W};
    eng_parallel_for((size_t)N * C, (size_t)H * W, gavgpool_range, &j);
}

void eng_gmaxpool_forward(float *out, const float *in, int N, int C, int H, int W) {
    PoolJob j = {.out = out, .in = in, .C = C, .H = H, .W = W};
    eng_parallel_for((size_t)N * C, (size_t)H * W, gmaxpool_range, &j);
}

/* ---- normalisation ---------------------------------------------------------------- */

typedef struct {
    float *out;
    const float *in;
    int N, C, HW;
    size_t chunk;              /* pixels per work item */
    size_t chunks;             /* work items per image */
    const EngLrnParams *p;
    const float *gamma, *beta, *mean, *var;
    float eps;
} NormJob;

/* x^-beta: the common AlexNet/GoogLeNet beta 0.75 by two square roots
 * (t^-0.75 = t^-0.5 * t^-0.25), much cheaper than powf. */
static inline float pow_neg(float t, float beta) {
    if (beta == 0.75f) {
        float r = 1.0f / sqrtf(t);
        return r * sqrtf(r);
    }
    return expf(-beta * logf(t));
}

/* LRN (Krizhevsky et al. 2012, sec. 3.3), ONNX form:
 *   y = x / (bias + alpha / size * sum of x^2 over the `size` neighbouring channels)^beta
 * The window over channels is c - floor((size-1)/2) .. c + ceil((size-1)/2).
 * A running sum slides along the channels; work items are blocks of pixels. */
static void lrn_range(void *ctx, size_t b, size_t e) {
    const NormJob *j = ctx;
    const int C = j->C;
    const size_t HW = (size_t)j->HW;
    const int lo = (j->p->size - 1) / 2, hi = j->p->size / 2;
    const float a = j->p->alpha / (float)j->p->size, bias = j->p->bias, beta = j->p->beta;
    for (size_t item = b; item < e; item++) {
        const size_t n = item / j->chunks, i0 = (item % j->chunks) * j->chunk;
        const size_t i1 = i0 + j->chunk < HW ? i0 + j->chunk : HW;
        const float *x = j->in + n * C * HW;
        float *y = j->out + n * C * HW;
        /* y temporarily holds the running sum of squares of channels in the window */
        for (int c = 0; c < C; c++) {
            float *yc = y + (size_t)c * HW;
            if (c == 0) {
                for (size_t i = i0; i < i1; i++) yc[i] = 0.0f;
                for (int k = 0; k <= hi && k < C; k++) {
                    const float *xk = x + (size_t)k * HW;
                    for (size_t i = i0; i < i1; i++) yc[i] += xk[i] * xk[i];
                }
            } else {
                const float *prev = y + (size_t)(c - 1) * HW;
                const float *add = (c + hi < C) ? x + (size_t)(c + hi) * HW : NULL;
                const float *sub = (c - lo - 1 >= 0) ? x + (size_t)(c - lo - 1) * HW : NULL;
                for (size_t i = i0; i < i1; i++) {
                    float s = prev[i];
                    if (add) s += add[i] * add[i];
                    if (sub) s -= sub[i] * sub[i];
                    yc[i] = s;
                }
            }
        }
        /* the sums are needed only by the next channel, so convert from the top
         * down: channel c's sum is still intact when c is converted */
        for (int c = C - 1; c >= 0; c--) {
            float *yc = y + (size_t)c * HW;
            const float *xc = x + (size_t)c * HW;
            for (size_t i = i0; i < i1; i++) {
                float s = yc[i] > 0.0f ? yc[i] : 0.0f; /* rounding can leave -1e-9 */
                yc[i] = xc[i] * pow_neg(bias + a * s, beta);
            }
        }
    }
}

void eng_lrn_forward(float *out, const float *in, int N, int C, int H, int W, const EngLrnParams *p) {
    NormJob j = {.out = out, .in = in, .N = N, .C = C, .HW = H * W, .p = p};
    j.chunk = 1024;
    j.chunks = ((size_t)H * W + j.chunk - 1) / j.chunk;
    eng_parallel_for((size_t)N * j.chunks, j.chunk * (size_t)C * 4, lrn_range, &j);
}

/* Batch norm at inference (Ioffe & Szegedy 2015) is one affine map per channel:
 * y = gamma * (x - mean) / sqrt(var + eps) + beta = x * scale + shift. */
static void bn_range(void *ctx, size_t b, size_t e) {
    const NormJob *j = ctx;
    for (size_t nc = b; nc < e; nc++) {
        const int c = (int)(nc % (size_t)j->C);
        const float scale = j->gamma[c] / sqrtf(j->var[c] + j->eps);
        const float shift = j->beta[c] - j->mean[c] * scale;
        const float *x = j->in + nc * j->HW;
        float *y = j->out + nc * j->HW;
        for (int i = 0; i < j->HW; i++) y[i] = x[i] * scale + shift;
    }
}

void eng_bn_forward(float *out, const float *in, const float *gamma, const float *beta,
                    const float *mean, const float *var, int N, int C, int H, int W, float eps) {
    NormJob j = {.out = out, .in = in, .N = N, .C = C, .HW = H * W, .gamma = gamma,
                 .beta = beta, .mean = mean, .var = var, .eps = eps};
    eng_parallel_for((size_t)N * C, (size_t)H * W, bn_range, &j);
}

/* ---- elementwise -----------------------------------------------------------------
 * One job type for every unary op; the threads split the elements. */

typedef enum {
    UN_RELU, UN_LEAKY, UN_CLIP, UN_SIGMOID, UN_TANH, UN_HSIG, UN_HSWISH, UN_SILU, UN_GELU, UN_MISH
} UnaryOp;

typedef struct {
    float *out;
    const float *in;
    UnaryOp op;
    float a, b;
} UnaryJob;

/* tanh without a call into libm, so that the loop vectorises (libm's tanhf
 * was a third of LeNet-5's training time). Below |x| = 0.55 the odd Taylor
 * series of tanh (11 terms); above, (1 - t) / (1 + t) with t = exp(-2|x|) =
 * 2^n e^r, |r| <= ln2 / 2, e^r by its Taylor series to r^7. Relative error
 * <= 1.6e-7 over all floats, as libm's tanhf; NaN stays NaN. */
static inline float fast_tanh(float x0) {
    const float x = x0 != x0 ? 0.0f : x0; /* NaN: computed as 0, returned as NaN */
    const float a = fabsf(x), z = x * x;
    float p = -443861162.0f / 1856156927625.0f + z * (18888466084.0f / 194896477400625.0f);
    p = 6404582.0f / 10854718875.0f + z * p;
    p = -929569.0f / 638512875.0f + z * p;
    p = 21844.0f / 6081075.0f + z * p;
    p = -1382.0f / 155925.0f + z * p;
    p = 62.0f / 2835.0f + z * p;
    p = -17.0f / 315.0f + z * p;
    p = 2.0f / 15.0f + z * p;
    p = -1.0f / 3.0f + z * p;
    const float small = x + x * z * p;
    const float u = -2.0f * a < -87.0f ? -87.0f : -2.0f * a; /* NaN passes: handled below */
    const float n = (u * 1.44269504088896341f + 12582912.0f) - 12582912.0f; /* round to nearest */
    const float r = u - n * 0.693145751953125f - n * 1.428606765330187045e-06f;
    const float e = 1.0f + r * (1.0f + r * (0.5f + r * (1.0f / 6 + r * (1.0f / 24 + r * (1.0f / 120 +
                    r * (1.0f / 720 + r * (1.0f / 5040)))))));
    const uint32_t bits = (uint32_t)(int32_t)(n + 127.0f) << 23; /* n + 127 in [1, 127] */
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    const float t = e * scale;
    const float big = copysignf((1.0f - t) / (1.0f + t), x);
    const float y = a < 0.55f ? small : big;
    return x0 != x0 ? x0 : y;
}

static void unary_range(void *ctx, size_t b, size_t e) {
    const UnaryJob *j = ctx;
    float *y = j->out;
    const float *x = j->in;
    const float A = j->a, B = j->b;
    switch (j->op) {
    case UN_RELU:
        for (size_t i = b; i < e; i++) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
        break;
    case UN_LEAKY:
        for (size_t i = b; i < e; i++) y[i] = x[i] >= 0.0f ? x[i] : A * x[i];
        break;
    case UN_CLIP:
        for (size_t i = b; i < e; i++) {
            float v = x[i] < A ? A : x[i];
            y[i] = v > B ? B : v;
        }
        break;
    case UN_SIGMOID:
        for (size_t i = b; i < e; i++) y[i] = 1.0f / (1.0f + expf(-x[i]));
        break;
    case UN_TANH:
        for (size_t i = b; i < e; i++) y[i] = fast_tanh(x[i]);
        break;
    case UN_HSIG:
        for (size_t i = b; i < e; i++) {
            float v = A * x[i] + B;
            y[i] = v < 0.0f ? 0.0f : (v > 1.0f ? 1.0f : v);
        }
        break;
    case UN_HSWISH: /* Howard et al., MobileNetV3: x * relu6(x + 3) / 6 */
        for (size_t i = b; i < e; i++) {
            float v = x[i] + 3.0f;
            v = v < 0.0f ? 0.0f : (v > 6.0f ? 6.0f : v);
            y[i] = x[i] * v * (1.0f / 6.0f);
        }
        break;
    case UN_SILU: /* Ramachandran et al. 2017 (swish), Elfwing et al. 2018 (SiLU) */
        for (size_t i = b; i < e; i++) y[i] = x[i] / (1.0f + expf(-x[i]));
        break;
    case UN_GELU: /* Hendrycks and Gimpel 2016, the erf form (PyTorch's default):
                   * 1 + erf(z) as erfc(-z), which keeps its digits for x << 0 */
        for (size_t i = b; i < e; i++) y[i] = 0.5f * x[i] * erfcf(x[i] * -0.70710678118654752f);
        break;
    case UN_MISH: /* tanh(log(1 + e)) = ((1 + e)^2 - 1) / ((1 + e)^2 + 1): no log, no overflow */
        for (size_t i = b; i < e; i++) {
            if (x[i] > 20.0f) {
                y[i] = x[i];
                continue;
            }
            const float ex = expf(x[i]), m = ex * (ex + 2.0f);
            y[i] = x[i] * m / (m + 2.0f);
        }
        break;
    }
}

static void unary(float *out, const float *in, size_t n, UnaryOp op, float a, float b) {
    UnaryJob j = {out, in, op, a, b};
    eng_parallel_for(n, 1, unary_range, &j);
}

void eng_relu_forward(float *out, const float *in, size_t n) { unary(out, in, n, UN_RELU, 0, 0); }
void eng_leakyrelu_forward(float *out, const float *in, size_t n, float alpha) {
    unary(out, in, n, UN_LEAKY, alpha, 0);
}
void eng_clip_forward(float *out, const float *in, size_t n, float lo, float hi) {
    unary(out, in, n, UN_CLIP, lo, hi);
}
void eng_sigmoid_forward(float *out, const float *in, size_t n) {
    unary(out, in, n, UN_SIGMOID, 0, 0);
}
void eng_tanh_forward(float *out, const float *in, size_t n) { unary(out, in, n, UN_TANH, 0, 0); }
void eng_hardsigmoid_forward(float *out, const float *in, size_t n, float alpha, float beta) {
    unary(out, in, n, UN_HSIG, alpha, beta);
}
void eng_hardswish_forward(float *out, const float *in, size_t n) {
    unary(out, in, n, UN_HSWISH, 0, 0);
}
void eng_silu_forward(float *out, const float *in, size_t n) { unary(out, in, n, UN_SILU, 0, 0); }
void eng_gelu_forward(float *out, const float *in, size_t n) { unary(out, in, n, UN_GELU, 0, 0); }

/* ---- layer norm over channels ------------------------------------------------------
 * The C values of one position lie H*W apart: each job takes a tile of up to
 * LN_TILE neighbouring positions of one sample and walks the channels row by
 * row (contiguous reads), keeping the tile's sums in double. */

#define LN_TILE 64

typedef struct {
    float *out;
    const float *in, *gamma, *beta;
    int C;
    size_t HW, tiles; /* tiles per sample */
    float eps;
} LnJob;

static void ln_range(void *ctx, size_t b, size_t e) {
    const LnJob *j = ctx;
    for (size_t t = b; t < e; t++) {
        const size_t n = t / j->tiles, p0 = (t % j->tiles) * LN_TILE;
        const size_t len = j->HW - p0 < LN_TILE ? j->HW - p0 : LN_TILE;
        const float *x = j->in + n * (size_t)j->C * j->HW + p0;
        float *y = j->out + n * (size_t)j->C * j->HW + p0;
        double mean[LN_TILE] = {0}, var[LN_TILE] = {0};
        for (int c = 0; c < j->C; c++)
            for (size_t i = 0; i < len; i++) mean[i] += x[(size_t)c * j->HW + i];
        for (size_t i = 0; i < len; i++) mean[i] /= j->C;
        for (int c = 0; c < j->C; c++)
            for (size_t i = 0; i < len; i++) {
                const double d = x[(size_t)c * j->HW + i] - mean[i];
                var[i] += d * d;
            }
        float inv[LN_TILE], m[LN_TILE];
        for (size_t i = 0; i < len; i++) {
            inv[i] = (float)(1.0 / sqrt(var[i] / j->C + j->eps));
            m[i] = (float)mean[i];
        }
        for (int c = 0; c < j->C; c++) {
            const float g = j->gamma[c], bt = j->beta[c];
            const float *xc = x + (size_t)c * j->HW;
            float *yc = y + (size_t)c * j->HW;
            for (size_t i = 0; i < len; i++) yc[i] = g * ((xc[i] - m[i]) * inv[i]) + bt;
        }
    }
}

void eng_layernorm_forward(float *out, const float *in, const float *gamma, const float *beta,
                           int N, int C, int H, int W, float eps) {
    const size_t HW = (size_t)H * W, tiles = (HW + LN_TILE - 1) / LN_TILE;
    LnJob j = {out, in, gamma, beta, C, HW, tiles, eps};
    eng_parallel_for((size_t)N * tiles, (size_t)C * LN_TILE * 3, ln_range, &j);
}
void eng_mish_forward(float *out, const float *in, size_t n) { unary(out, in, n, UN_MISH, 0, 0); }

void eng_prelu_forward(float *out, const float *in, const float *slope, int slopes,
                       int N, int C, int H, int W) {
    const size_t HW = (size_t)H * W;
    for (int n = 0; n < N; n++)
        for (int c = 0; c < C; c++) {
            const float a = slope[slopes == 1 ? 0 : c];
            const float *x = in + ((size_t)n * C + c) * HW;
            float *y = out + ((size_t)n * C + c) * HW;
            for (size_t i = 0; i < HW; i++) y[i] = x[i] >= 0.0f ? x[i] : a * x[i];
        }
}

/* Softmax (or, log: its log) over channels at each position. Subtracting the
 * maximum first changes nothing mathematically (it cancels in the ratio) but
 * keeps expf from overflowing for large logits; the log softmax is (x - m) -
 * log(sum), so large x do not cancel. */
static void softmax_channels(float *out, const float *in, int N, int C, int H, int W, int log_out) {
    const size_t HW = (size_t)H * W;
    for (int n = 0; n < N; n++) {
        const float *x = in + (size_t)n * C * HW;
        float *y = out + (size_t)n * C * HW;
        for (size_t i = 0; i < HW; i++) {
            float m = -INFINITY;
            for (int c = 0; c < C; c++) m = x[c * HW + i] > m ? x[c * HW + i] : m;
            if (log_out) {
                double s = 0.0;
                for (int c = 0; c < C; c++) s += exp((double)x[c * HW + i] - m);
                const float ls = (float)log(s);
                for (int c = 0; c < C; c++) y[c * HW + i] = (x[c * HW + i] - m) - ls;
                continue;
            }
            float s = 0.0f;
            for (int c = 0; c < C; c++) {
                float e = expf(x[c * HW + i] - m);
                y[c * HW + i] = e;
                s += e;
            }
            for (int c = 0; c < C; c++) y[c * HW + i] /= s;
        }
    }
}
void eng_softmax_forward(float *out, const float *in, int N, int C, int H, int W) {
    softmax_channels(out, in, N, C, H, W, 0);
}
void eng_logsoftmax_forward(float *out, const float *in, int N, int C, int H, int W) {
    softmax_channels(out, in, N, C, H, W, 1);
}

/* Cross-entropy through the softmax: -log(e^{z_y} / sum_k e^{z_k}) =
 * log(sum_k e^{z_k - m}) - (z_y - m), with m the largest logit so no exp
 * overflows. Its gradient is softmax(z) - onehot(y), which is why the two are
 * fused (the softmax's own Jacobian is never formed). */
double eng_softmax_ce(const float *z, int K, int y, float scale, float *grad, int *argmax) {
    if (K < 1 || y < 0 || y >= K) { /* a label the scores do not have: no loss, no gradient */
        if (grad)
            for (int k = 0; k < K; k++) grad[k] = 0.0f;
        if (argmax) *argmax = -1;
        return NAN;
    }
    int best = 0;
    for (int k = 1; k < K; k++)
        if (z[k] > z[best]) best = k;
    const double m = z[best];
    double sum = 0.0;
    for (int k = 0; k < K; k++) sum += exp((double)z[k] - m);
    if (grad)
        for (int k = 0; k < K; k++)
            grad[k] = (float)((exp((double)z[k] - m) / sum - (k == y ? 1.0 : 0.0)) * scale);
    if (argmax) *argmax = best;
    return log(sum) - ((double)z[y] - m);
}

/* out (N, OUT) = in (N, K) x w^T (K, OUT) + b */
void eng_fc_forward(float *out, const float *in, const float *w, const float *b,
                    int N, int K, int OUT) {
    eng_gemm(0, 1, N, OUT, K, 1.0f, in, K, w, K, 0.0f, out, OUT);
    if (b)
        for (int n = 0; n < N; n++)
            for (int o = 0; o < OUT; o++) out[(size_t)n * OUT + o] += b[o];
}

/* MaxUnpool: the places are the argmax switches a max pool recorded (here a
 * constant from the file), so each value goes back where it was found and the
 * rest is zero (Zeiler and Fergus's unpooling; ONNX MaxUnpool). */
void eng_maxunpool_forward(float *out, const float *in, const float *places, int N, size_t isz,
                           size_t osz) {
    memset(out, 0, (size_t)N * osz * sizeof *out);
    for (int n = 0; n < N; n++) {
        float *y = out + (size_t)n * osz;
        const float *x = in + (size_t)n * isz;
        for (size_t i = 0; i < isz; i++) {
            const float p = places[i];
            if (p >= 0.0f && p < (float)osz) y[(size_t)p] = x[i];
        }
    }
}

/* out[n][i] = in[n][i] * scale[i] + shift[i]: a constant operand of ONNX Add or
 * Mul, broadcast to the sample's shape by the importer */
void eng_affine_forward(float *out, const float *in, const float *scale, const float *shift, int N,
                        size_t size) {
    for (int n = 0; n < N; n++) {
        const float *x = in + (size_t)n * size;
        float *y = out + (size_t)n * size;
        for (size_t i = 0; i < size; i++)
            y[i] = (scale ? x[i] * scale[i] : x[i]) + (shift ? shift[i] : 0.0f);
    }
}

/* ONNX Gemm inside each sample: out (M, OUT) = op(x) (M, K) x w^T (K, OUT) + b (M, OUT),
 * op(x) = x (M, K), or x^T for a stored (K, M) when trans_a. A stack: each
 * block of R rows by its own matrix, w (S, OUT, K). */
void eng_matmul_forward(float *out, const float *in, const float *w, const float *b, int N,
                        const EngMatmulParams *p) {
    const int M = p->m, K = p->k, OUT = p->out, S = p->stack > 1 ? p->stack : 1;
    const int R = S > 1 ? p->rows : M, blocks = M / R;
    const size_t xs = (size_t)M * K, ys = (size_t)M * OUT;
    for (int n = 0; n < N; n++) {
        float *y = out + (size_t)n * ys;
        for (int bl = 0; bl < blocks; bl++)
            eng_gemm(p->trans_a, 1, R, OUT, K, 1.0f, in + (size_t)n * xs + (size_t)bl * R * K,
                     p->trans_a ? M : K, w + (size_t)(bl % S) * OUT * K, K, 0.0f,
                     y + (size_t)bl * R * OUT, OUT);
        if (b)
            for (size_t i = 0; i < ys; i++) y[i] += b[i];
    }
}

/* ---- merges and copies -------------------------------------------------------------- */

typedef struct {
    float *out;
    const float *const *ins;
    const int *Cs;
    int n_ins;
    size_t HW, Ctot;
    const float *a, *s;
} MergeJob;

static void add_range(void *ctx, size_t b, size_t e) {
    const MergeJob *j = ctx;
    float *y = j->out;
    const float *x0 = j->ins[0];
    if (j->n_ins == 1) {
        memcpy(y + b, x0 + b, (e - b) * sizeof *y);
        return;
    }
    const float *x1 = j->ins[1];
    for (size_t i = b; i < e; i++) y[i] = x0[i] + x1[i];
    for (int k = 2; k < j->n_ins; k++) {
        const float *xk = j->ins[k];
        for (size_t i = b; i < e; i++) y[i] += xk[i];
    }
}

void eng_add_forward(float *out, const float *const *ins, int n_ins, size_t n) {
    MergeJob j = {.out = out, .ins = ins, .n_ins = n_ins};
    eng_parallel_for(n, (size_t)n_ins, add_range, &j);
}

/* planes [b, e) of (N*C), each scaled by its own s[nc] */
static void mul_channel_range(void *ctx, size_t b, size_t e) {
    const MergeJob *j = ctx;
    for (size_t nc = b; nc < e; nc++) {
        const float v = j->s[nc];
        const float *x = j->a + nc * j->HW;
        float *y = j->out + nc * j->HW;
        for (size_t i = 0; i < j->HW; i++) y[i] = x[i] * v;
    }
}

void eng_mul_channel_forward(float *out, const float *in, const float *s, int N, int C, int HW) {
    MergeJob j = {.out = out, .a = in, .s = s, .HW = (size_t)HW};
    eng_parallel_for((size_t)N * C, (size_t)HW, mul_channel_range, &j);
}

static void mul_range(void *ctx, size_t b, size_t e) {
    const MergeJob *j = ctx;
    for (size_t i = b; i < e; i++) j->out[i] = j->a[i] * j->s[i];
}

void eng_mul_forward(float *out, const float *a, const float *b, size_t n) {
    MergeJob j = {.out = out, .a = a, .s = b};
    eng_parallel_for(n, 1, mul_range, &j);
}

/* items [b, e) of (N * n_ins): one input's block of one image */
static void concat_range(void *ctx, size_t b, size_t e) {
    const MergeJob *j = ctx;
    for (size_t item = b; item < e; item++) {
        size_t n = item / (size_t)j->n_ins, k = item % (size_t)j->n_ins;
        size_t before = 0;
        for (size_t q = 0; q < k; q++) before += (size_t)j->Cs[q];
        size_t len = (size_t)j->Cs[k] * j->HW;
        memcpy(j->out + (n * j->Ctot + before) * j->HW, j->ins[k] + n * len, len * sizeof(float));
    }
}

void eng_concat_forward(float *out, const float *const *ins, const int *Cs, int n_ins,
                        int N, int HW) {
    size_t Ctot = 0;
    for (int k = 0; k < n_ins; k++) Ctot += (size_t)Cs[k];
    MergeJob j = {.out = out, .ins = ins, .Cs = Cs, .n_ins = n_ins, .HW = (size_t)HW, .Ctot = Ctot};
    eng_parallel_for((size_t)N * n_ins, Ctot * HW / (size_t)n_ins, concat_range, &j);
}

/* The input unit output unit o of an axis (pad lo before n units) reads
 * under reflect or edge padding (ONNX's and PyTorch's rules). */
int eng_pad_source(int o, int lo, int n, int mode) {
    int i = o - lo;
    if (mode == ENG_PAD_EDGE) return i < 0 ? 0 : i >= n ? n - 1 : i;
    if (n == 1) return 0;
    if (i < 0) i = -i;                 /* mirrored about unit 0, which is not repeated */
    if (i >= n) i = 2 * (n - 1) - i;   /* and about unit n - 1 (pads below n keep i >= 0) */
    return i;
}

void eng_pad_forward(float *out, const float *in, int N, int C, int H, int W,
                     const EngPadParams *p) {
    const int OC = C + p->cb + p->ca, OH = H + p->pt + p->pb, OW = W + p->pl + p->pr;
    if (p->mode != ENG_PAD_CONSTANT) { /* the builder refused channel pads */
        for (size_t nc = 0; nc < (size_t)N * C; nc++) {
            const float *x = in + nc * H * W;
            float *y = out + nc * OH * OW;
            for (int h = 0; h < OH; h++) {
                const float *xr = x + (size_t)eng_pad_source(h, p->pt, H, p->mode) * W;
                for (int w = 0; w < OW; w++) y[(size_t)h * OW + w] = xr[eng_pad_source(w, p->pl, W, p->mode)];
            }
        }
        return;
    }
    for (size_t noc = 0; noc < (size_t)N * OC; noc++) {
        float *y = out + noc * OH * OW;
        for (int i = 0; i < OH * OW; i++) y[i] = p->value;
        const int c = (int)(noc % OC) - p->cb; /* input channel, or a new one */
        if (c < 0 || c >= C) continue;
        const float *x = in + (noc / OC * C + c) * H * W;
        for (int h = 0; h < H; h++)
            memcpy(y + (size_t)(h + p->pt) * OW + p->pl, x + (size_t)h * W, (size_t)W * sizeof *y);
    }
}

/* ---- resize ------------------------------------------------------------------------------- */

/* The input coordinate of output unit o (see EngResizeParams), in double: a
 * scale of 2^-24 puts it near 2^48, still exact enough, and it is clamped
 * before it becomes an index. */
static double resize_coord(int coord, int o, int in, int out, double scale) {
    /* the resized length before it is floored; out itself when the scale is out / in
     * (in * scale may then be an ulp off) */
    double len = in * scale;
    if (fabs(len - out) <= 1e-9 * out) len = out;
    switch (coord) {
    case ENG_RESIZE_PYTORCH_HALF_PIXEL:
        return len > 1.0 ? (o + 0.5) / scale - 0.5 : 0.0;
    case ENG_RESIZE_ALIGN_CORNERS:
        return len > 1.0 ? (double)o * (in - 1) / (len - 1.0) : 0.0;
    case ENG_RESIZE_ASYMMETRIC:
        return o / scale;
    case ENG_RESIZE_TF_HALF_PIXEL_FOR_NN:
        return (o + 0.5) / scale;
    default: /* ENG_RESIZE_HALF_PIXEL */
        return (o + 0.5) / scale - 0.5;
    }
}

EngResizeTap eng_resize_tap(const EngResizeParams *p, int o, int in, int out, double scale) {
    const double x = resize_coord(p->coord, o, in, out, scale), last = in - 1;
    EngResizeTap t = {0, 0, 1.0f, 0.0f};
    if (p->mode == ENG_RESIZE_NEAREST) {
        double r;
        switch (p->round) {
        case ENG_RESIZE_ROUND_PREFER_CEIL: r = floor(x + 0.5); break;
        case ENG_RESIZE_FLOOR: r = floor(x); break;
        case ENG_RESIZE_CEIL: r = ceil(x); break;
        default: r = ceil(x - 0.5); break; /* a half goes down */
        }
        t.i0 = t.i1 = (int)(r < 0.0 ? 0.0 : r > last ? last : r);
        return t;
    }
    const double c = x < 0.0 ? 0.0 : x > last ? last : x;
    t.i0 = (int)c;
    t.i1 = t.i0 + 1 < in ? t.i0 + 1 : t.i0;
    t.w1 = (float)(c - t.i0);
    t.w0 = 1.0f - t.w1;
    return t;
}

/* the taps of every output row, then of every output column */
size_t eng_resize_scratch(const EngResizeParams *p) {
    return ((size_t)p->oh + (size_t)p->ow) * (sizeof(EngResizeTap) / sizeof(float));
}

typedef struct {
    float *out;
    const float *in;
    int H, W, OH, OW;
    int nearest; /* one tap per axis: copied, never multiplied (an infinity times 0 is NaN) */
    const EngResizeTap *ty, *tx;
} ResizeJob;

static void resize_taps(EngResizeTap *ty, EngResizeTap *tx, int H, int W, const EngResizeParams *p) {
    for (int o = 0; o < p->oh; o++) ty[o] = eng_resize_tap(p, o, H, p->oh, p->sh);
    for (int o = 0; o < p->ow; o++) tx[o] = eng_resize_tap(p, o, W, p->ow, p->sw);
}

static void resize_range(void *ctx, size_t b, size_t e) {
    const ResizeJob *j = ctx;
    const int W = j->W, OW = j->OW;
    for (size_t nc = b; nc < e; nc++) {
        const float *x = j->in + nc * j->H * W;
        float *y = j->out + nc * j->OH * OW;
        for (int oh = 0; oh < j->OH; oh++) {
            const EngResizeTap ty = j->ty[oh];
            const float *r0 = x + (size_t)ty.i0 * W, *r1 = x + (size_t)ty.i1 * W;
            float *yr = y + (size_t)oh * OW;
            if (j->nearest) {
                for (int ow = 0; ow < OW; ow++) yr[ow] = r0[j->tx[ow].i0];
                continue;
            }
            for (int ow = 0; ow < OW; ow++) {
                const EngResizeTap tx = j->tx[ow];
                const float top = r0[tx.i0] * tx.w0 + r0[tx.i1] * tx.w1;
                const float bot = r1[tx.i0] * tx.w0 + r1[tx.i1] * tx.w1;
                yr[ow] = top * ty.w0 + bot * ty.w1;
            }
        }
    }
}

void eng_resize_forward(float *out, const float *in, int N, int C, int H, int W,
                        const EngResizeParams *p, float *scratch) {
    EngResizeTap *ty = (EngResizeTap *)scratch, *tx = ty + p->oh;
    resize_taps(ty, tx, H, W, p);
    ResizeJob j = {out, in, H, W, p->oh, p->ow, p->mode == ENG_RESIZE_NEAREST, ty, tx};
    eng_parallel_for((size_t)N * C, (size_t)p->oh * p->ow * 4, resize_range, &j);
}

/* the backward, here beside the taps: each output's gradient back into the
 * (up to four) units it read, with the weights it read them by; planes are
 * independent, so they run in parallel */
static void resize_back_range(void *ctx, size_t b, size_t e) {
    const ResizeJob *j = ctx;
    const int W = j->W, OW = j->OW;
    for (size_t nc = b; nc < e; nc++) {
        float *dx = j->out + nc * j->H * W;
        const float *dy = j->in + nc * j->OH * OW;
        for (int oh = 0; oh < j->OH; oh++) {
            const EngResizeTap ty = j->ty[oh];
            float *r0 = dx + (size_t)ty.i0 * W, *r1 = dx + (size_t)ty.i1 * W;
            const float *g = dy + (size_t)oh * OW;
            if (j->nearest) {
                for (int ow = 0; ow < OW; ow++) r0[j->tx[ow].i0] += g[ow];
                continue;
            }
            for (int ow = 0; ow < OW; ow++) {
                const EngResizeTap tx = j->tx[ow];
                const float g0 = g[ow] * ty.w0, g1 = g[ow] * ty.w1;
                r0[tx.i0] += g0 * tx.w0;
                r0[tx.i1] += g0 * tx.w1;
                r1[tx.i0] += g1 * tx.w0;
                r1[tx.i1] += g1 * tx.w1;
            }
        }
    }
}

void eng_resize_backward(float *dx, const float *dy, int N, int C, int H, int W,
                         const EngResizeParams *p, float *scratch) {
    EngResizeTap *ty = (EngResizeTap *)scratch, *tx = ty + p->oh;
    resize_taps(ty, tx, H, W, p);
    ResizeJob j = {dx, dy, H, W, p->oh, p->ow, p->mode == ENG_RESIZE_NEAREST, ty, tx};
    eng_parallel_for((size_t)N * C, (size_t)p->oh * p->ow * 4, resize_back_range, &j);
}
