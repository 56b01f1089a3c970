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
    if (conv_is_pointwise(p) || conv_is_depthwise(C, p)) return 0;
    return (size_t)(C / p->groups) * p->kh * p->kw * (size_t)OH * OW;
}

/* in: (C, H, W) one image -> col: (C*KH*KW, OH*OW).
 * Row (c, kh, kw) holds, for every output position, the input pixel that tap
 * (kh, kw) of channel c multiplies; zero where the tap falls in the padding. */
static void im2col(float *col, const float *in, int C, int H, int W, int KH, int KW, int SH,
                   int SW, int PT, int PL, int DH, int DW, int OH, int OW) {
    for (int c = 0; c < C; c++) {
        const float *src = in + (size_t)c * H * W;
        for (int kh = 0; kh < KH; kh++) {
            for (int kw = 0; kw < KW; kw++) {
                float *dst = col + (((size_t)c * KH + kh) * KW + kw) * (size_t)OH * OW;
                /* output columns whose tap lands inside the input: ow in [ow0, ow1) */
                int off_w = kw * DW - PL;
                int ow0 = off_w >= 0 ? 0 : (-off_w + SW - 1) / SW;
                int ow1 = (W - off_w + SW - 1) / SW;
                if (ow1 > OW) ow1 = OW;
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

void eng_conv2d_forward(float *out, const float *in, const float *w, const float *b,
                        int N, int C, int H, int W, const EngConvParams *p, int OH, int OW,
                        float *scratch) {
    const int G = p->groups;
    const int Cg = C / G, OCg = p->oc / G;
    const int K = Cg * p->kh * p->kw;          /* length of one filter */
    const size_t HW = (size_t)H * W, OHW = (size_t)OH * OW;
    if (conv_is_depthwise(C, p)) {
        for (int n = 0; n < N; n++)
            for (int c = 0; c < C; c++)
                depthwise_plane(out + ((size_t)n * C + c) * OHW, in + ((size_t)n * C + c) * HW,
                                w + (size_t)c * p->kh * p->kw, b ? b[c] : 0.0f, H, W, p, OH, OW);
        return;
    }
    const int pointwise = conv_is_pointwise(p);
    for (int n = 0; n < N; n++) {
        for (int g = 0; g < G; g++) {
            const float *x = in + ((size_t)n * C + (size_t)g * Cg) * HW;   /* (Cg, H, W) */
            float *y = out + ((size_t)n * p->oc + (size_t)g * OCg) * OHW;   /* (OCg, OH, OW) */
            const float *wg = w + (size_t)g * OCg * K;                     /* (OCg, K) */
            const float *cols = x;                                         /* (K, OH*OW) */
            if (!pointwise) {
                im2col(scratch, x, Cg, H, W, p->kh, p->kw, p->sh, p->sw, p->pt, p->pl, p->dh,
                       p->dw, OH, OW);
                cols = scratch;
            }
            /* (OCg, K) x (K, OH*OW) -> (OCg, OH*OW) */
            eng_gemm(0, 0, OCg, (int)OHW, K, 1.0f, wg, K, cols, (int)OHW, 0.0f, y, (int)OHW);
            if (b) {
                for (int oc = 0; oc < OCg; oc++) {
                    const float bv = b[g * OCg + oc];
                    float *row = y + (size_t)oc * OHW;
                    for (size_t i = 0; i < OHW; i++) row[i] += bv;
                }
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

/* ---- pooling ---------------------------------------------------------------------- */

void eng_maxpool_forward(float *out, int32_t *argmax, const float *in,
                         int N, int C, int H, int W, const EngPoolParams *p, int OH, int OW) {
    const size_t HW = (size_t)H * W, OHW = (size_t)OH * OW;
    for (size_t nc = 0; nc < (size_t)N * C; nc++) {
        const float *x = in + nc * HW;
        float *y = out + nc * OHW;
        int32_t *a = argmax ? argmax + nc * OHW : NULL;
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

void eng_avgpool_forward(float *out, const float *in,
                         int N, int C, int H, int W, const EngPoolParams *p, int OH, int OW) {
    const size_t HW = (size_t)H * W, OHW = (size_t)OH * OW;
    for (size_t nc = 0; nc < (size_t)N * C; nc++) {
        const float *x = in + nc * HW;
        float *y = out + nc * OHW;
        for (int oh = 0; oh < OH; oh++) {
            int h0 = oh * p->sh - p->pt, h1 = h0 + p->kh;
            /* with padding counted, the divisor is the window clipped to the
             * padded input (a ceil-mode window may hang past even that) */
            int ph1 = h1 < H + p->pb ? h1 : H + p->pb;
            int hh0 = h0 < 0 ? 0 : h0, hh1 = h1 > H ? H : h1;
            for (int ow = 0; ow < OW; ow++) {
                int w0 = ow * p->sw - p->pl, w1 = w0 + p->kw;
                int pw1 = w1 < W + p->pr ? w1 : W + p->pr;
                int ww0 = w0 < 0 ? 0 : w0, ww1 = w1 > W ? W : w1;
                float s = 0.0f;
                for (int h = hh0; h < hh1; h++)
                    for (int w = ww0; w < ww1; w++) s += x[h * W + w];
                int cnt = p->count_include_pad ? (ph1 - h0) * (pw1 - w0)
                                               : (hh1 - hh0) * (ww1 - ww0);
                y[oh * OW + ow] = cnt > 0 ? s / (float)cnt : 0.0f;
            }
        }
    }
}

void eng_gavgpool_forward(float *out, const float *in, int N, int C, int H, int W) {
    const size_t HW = (size_t)H * W;
    for (size_t nc = 0; nc < (size_t)N * C; nc++) {
        const float *x = in + nc * HW;
        float s = 0.0f;
        for (size_t i = 0; i < HW; i++) s += x[i];
        out[nc] = s / (float)HW;
    }
}

void eng_gmaxpool_forward(float *out, const float *in, int N, int C, int H, int W) {
    const size_t HW = (size_t)H * W;
    for (size_t nc = 0; nc < (size_t)N * C; nc++) {
        const float *x = in + nc * HW;
        float m = -INFINITY;
        for (size_t i = 0; i < HW; i++) m = x[i] > m ? x[i] : m;
        out[nc] = m;
    }
}

/* ---- normalisation ---------------------------------------------------------------- */

/* LRN (Krizhevsky et al. 2012, sec. 3.3), ONNX form:
 *   y = x / (bias + alpha / size * sum of x^2 over the `size` neighbouring channels)^beta
 * The window over channels is c - (size-1)/2 .. c + size/2 (floor/ceil of (size-1)/2). */
void eng_lrn_forward(float *out, const float *in, int N, int C, int H, int W, const EngLrnParams *p) {
    const size_t HW = (size_t)H * W;
    const int lo = (p->size - 1) / 2, hi = p->size / 2;
    const float a = p->alpha / (float)p->size;
    for (int n = 0; n < N; n++) {
        const float *x = in + (size_t)n * C * HW;
        float *y = out + (size_t)n * C * HW;
        /* y temporarily holds the running sum of squares of channels in the window */
        for (int c = 0; c < C; c++) {
            float *yc = y + (size_t)c * HW;
            if (c == 0) {
                memset(yc, 0, HW * sizeof *yc);
                for (int k = 0; k <= hi && k < C; k++) {
                    const float *xk = x + (size_t)k * HW;
                    for (size_t i = 0; i < HW; i++) yc[i] += xk[i] * xk[i];
                }
            } else {
                const float *prev = y + (size_t)(c - 1) * HW;
                const float *add = (c + hi < C) ? x + (size_t)(c + hi) * HW : NULL;
                const float *sub = (c - lo - 1 >= 0) ? x + (size_t)(c - lo - 1) * HW : NULL;
                for (size_t i = 0; i < HW; i++) {
                    float s = prev[i];
                    if (add) s += add[i] * add[i];
                    if (sub) s -= sub[i] * sub[i];
                    yc[i] = s;
                }
            }
        }
        /* the running sums are finished for channel c once c+1 is computed, so
         * convert from the top down; the sums of channel c are still intact */
        for (int c = C - 1; c >= 0; c--) {
            float *yc = y + (size_t)c * HW;
            const float *xc = x + (size_t)c * HW;
            for (size_t i = 0; i < HW; i++) {
                float s = yc[i] > 0.0f ? yc[i] : 0.0f; /* rounding can leave -1e-9 */
                yc[i] = xc[i] / powf(p->bias + a * s, p->beta);
            }
        }
    }
}

/* Batch norm at inference (Ioffe & Szegedy 2015) is one affine map per channel:
 * y = gamma * (x - mean) / sqrt(var + eps) + beta = x * scale + shift. */
void eng_bn_forward(float *out, const float *in, const float *gamma, const float *beta,
                    const float *mean, const float *var, int N, int C, int H, int W, float eps) {
    const size_t HW = (size_t)H * W;
    for (int n = 0; n < N; n++)
        for (int c = 0; c < C; c++) {
            const float scale = gamma[c] / sqrtf(var[c] + eps);
            const float shift = beta[c] - mean[c] * scale;
            const float *x = in + ((size_t)n * C + c) * HW;
            float *y = out + ((size_t)n * C + c) * HW;
            for (size_t i = 0; i < HW; i++) y[i] = x[i] * scale + shift;
        }
}

/* ---- elementwise ----------------------------------------------------------------- */

void eng_relu_forward(float *out, const float *in, size_t n) {
    for (size_t i = 0; i < n; i++) out[i] = in[i] > 0.0f ? in[i] : 0.0f;
}
void eng_leakyrelu_forward(float *out, const float *in, size_t n, float alpha) {
    for (size_t i = 0; i < n; i++) out[i] = in[i] >= 0.0f ? in[i] : alpha * in[i];
}
void eng_clip_forward(float *out, const float *in, size_t n, float lo, float hi) {
    for (size_t i = 0; i < n; i++) {
        float v = in[i] < lo ? lo : in[i];
        out[i] = v > hi ? hi : v;
    }
}
void eng_sigmoid_forward(float *out, const float *in, size_t n) {
    for (size_t i = 0; i < n; i++) out[i] = 1.0f / (1.0f + expf(-in[i]));
}
void eng_tanh_forward(float *out, const float *in, size_t n) {
    for (size_t i = 0; i < n; i++) out[i] = tanhf(in[i]);
}
void eng_hardsigmoid_forward(float *out, const float *in, size_t n, float alpha, float beta) {
    for (size_t i = 0; i < n; i++) {
        float v = alpha * in[i] + beta;
        out[i] = v < 0.0f ? 0.0f : (v > 1.0f ? 1.0f : v);
    }
}
/* Hard swish (Howard et al., MobileNetV3): x * relu6(x + 3) / 6. */
void eng_hardswish_forward(float *out, const float *in, size_t n) {
    for (size_t i = 0; i < n; i++) {
        float v = in[i] + 3.0f;
        v = v < 0.0f ? 0.0f : (v > 6.0f ? 6.0f : v);
        out[i] = in[i] * v * (1.0f / 6.0f);
    }
}
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

/* Softmax over channels at each position. Subtracting the maximum first
 * changes nothing mathematically (it cancels in the ratio) but keeps expf
 * from overflowing for large logits. */
void eng_softmax_forward(float *out, const float *in, int N, int C, int H, int W) {
    const size_t HW = (size_t)H * W;
    for (int n = 0; n < N; n++) {
        const float *x = in + (size_t)n * C * HW;
        float *y = out + (size_t)n * C * HW;
        for (size_t i = 0; i < HW; i++) {
            float m = -INFINITY;
            for (int c = 0; c < C; c++) m = x[c * HW + i] > m ? x[c * HW + i] : m;
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

/* out (N, OUT) = in (N, K) x w^T (K, OUT) + b */
void eng_fc_forward(float *out, const float *in, const float *w, const float *b,
                    int N, int K, int OUT) {
    eng_gemm(0, 1, N, OUT, K, 1.0f, in, K, w, K, 0.0f, out, OUT);
    if (b)
        for (int n = 0; n < N; n++)
            for (int o = 0; o < OUT; o++) out[(size_t)n * OUT + o] += b[o];
}

void eng_add_forward(float *out, const float *const *ins, int n_ins, size_t n) {
    if (n_ins == 1) {
        memcpy(out, ins[0], n * sizeof *out);
        return;
    }
    for (size_t i = 0; i < n; i++) out[i] = ins[0][i] + ins[1][i];
    for (int k = 2; k < n_ins; k++)
        for (size_t i = 0; i < n; i++) out[i] += ins[k][i];
}

void eng_mul_channel_forward(float *out, const float *in, const float *s, int N, int C, int HW) {
    for (size_t nc = 0; nc < (size_t)N * C; nc++) {
        const float v = s[nc];
        const float *x = in + nc * HW;
        float *y = out + nc * HW;
        for (int i = 0; i < HW; i++) y[i] = x[i] * v;
    }
}

void eng_mul_forward(float *out, const float *a, const float *b, size_t n) {
    for (size_t i = 0; i < n; i++) out[i] = a[i] * b[i];
}

void eng_concat_forward(float *out, const float *const *ins, const int *Cs, int n_ins,
                        int N, int HW) {
    size_t Ctot = 0;
    for (int k = 0; k < n_ins; k++) Ctot += (size_t)Cs[k];
    for (int n = 0; n < N; n++) {
        float *y = out + (size_t)n * Ctot * HW;
        for (int k = 0; k < n_ins; k++) {
            size_t len = (size_t)Cs[k] * HW;
            memcpy(y, ins[k] + (size_t)n * len, len * sizeof *y);
            y += len;
        }
    }
}

void eng_pad_forward(float *out, const float *in, int N, int C, int H, int W,
                     const EngPadParams *p) {
    const int OH = H + p->pt + p->pb, OW = W + p->pl + p->pr;
    for (size_t nc = 0; nc < (size_t)N * C; nc++) {
        const float *x = in + nc * H * W;
        float *y = out + nc * OH * OW;
        for (int i = 0; i < OH * OW; i++) y[i] = p->value;
        for (int h = 0; h < H; h++)
            memcpy(y + (size_t)(h + p->pt) * OW + p->pl, x + (size_t)h * W, (size_t)W * sizeof *y);
    }
}
