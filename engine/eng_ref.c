/*
 * eng_ref.c — naive reference twins of the fast kernels.
 *
 * Each function is the definition of its op written as plain nested loops,
 * one output element at a time, with no lowering, no sliding sums and no
 * shortcuts. They are slow on purpose: tests/test_ops.c checks every fast
 * kernel in eng_ops.c against them, and eng_graph_set_reference() runs a whole
 * graph on them.
 * Must not depend on: SDL, OpenBLAS (these loops are the independent check).
 */
#include "eng.h"

#include <math.h>

void eng_gemm_naive(int trans_a, int trans_b, int M, int N, int K, float alpha,
                    const float *A, int lda, const float *B, int ldb, float beta,
                    float *C, int ldc) {
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            double s = 0.0;
            for (int k = 0; k < K; k++) {
                float a = trans_a ? A[(size_t)k * lda + i] : A[(size_t)i * lda + k];
                float b = trans_b ? B[(size_t)j * ldb + k] : B[(size_t)k * ldb + j];
                s += (double)a * b;
            }
            float *c = &C[(size_t)i * ldc + j];
            *c = (float)(alpha * s + (beta == 0.0f ? 0.0 : (double)beta * *c));
        }
}

/* y[n, o, oh, ow] = b[o] + sum_{c in group(o), kh, kw}
 *     w[o, c - group start, kh, kw] * x[n, c, oh*SH - PT + kh*DH, ow*SW - PL + kw*DW]
 * (taps outside the input read zero) */
void eng_conv2d_forward_naive(float *out, const float *in, const float *w, const float *b,
                              int N, int C, int H, int W, const EngConvParams *p, int OH, int OW) {
    const int Cg = C / p->groups, OCg = p->oc / p->groups;
    for (int n = 0; n < N; n++)
        for (int o = 0; o < p->oc; o++) {
            const int c0 = (o / OCg) * Cg;
            for (int oh = 0; oh < OH; oh++)
                for (int ow = 0; ow < OW; ow++) {
                    double s = b ? b[o] : 0.0;
                    for (int c = 0; c < Cg; c++)
                        for (int kh = 0; kh < p->kh; kh++)
                            for (int kw = 0; kw < p->kw; kw++) {
                                int ih = oh * p->sh - p->pt + kh * p->dh;
                                int iw = ow * p->sw - p->pl + kw * p->dw;
                                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                                float xv = in[(((size_t)n * C + c0 + c) * H + ih) * W + iw];
                                float wv = w[(((size_t)o * Cg + c) * p->kh + kh) * p->kw + kw];
                                s += (double)xv * wv;
                            }
                    out[(((size_t)n * p->oc + o) * OH + oh) * OW + ow] = (float)s;
                }
        }
}

/* Transposed convolution by scattering: every input pixel x[n, c, ih, iw] adds
 * x * w[c, o - group start, kh, kw] to y[n, o, ih*SH - PT + kh*DH, iw*SW - PL + kw*DW].
 * Weight layout (C, OC/G, KH, KW) as in ONNX ConvTranspose. */
void eng_convt2d_forward_naive(float *out, const float *in, const float *w, const float *b,
                               int N, int C, int H, int W, const EngConvTParams *p, int OH, int OW) {
    const int Cg = C / p->groups, OCg = p->oc / p->groups;
    for (int n = 0; n < N; n++)
        for (int o = 0; o < p->oc; o++)
            for (int i = 0; i < OH * OW; i++)
                out[((size_t)n * p->oc + o) * OH * OW + i] = b ? b[o] : 0.0f;
    for (int n = 0; n < N; n++)
        for (int c = 0; c < C; c++) {
            const int g = c / Cg;
            for (int ih = 0; ih < H; ih++)
                for (int iw = 0; iw < W; iw++) {
                    float xv = in[(((size_t)n * C + c) * H + ih) * W + iw];
                    for (int oo = 0; oo < OCg; oo++)
                        for (int kh = 0; kh < p->kh; kh++)
                            for (int kw = 0; kw < p->kw; kw++) {
                                int oh = ih * p->sh - p->pt + kh * p->dh;
                                int ow = iw * p->sw - p->pl + kw * p->dw;
                                if (oh < 0 || oh >= OH || ow < 0 || ow >= OW) continue;
                                int o = g * OCg + oo;
                                float wv = w[(((size_t)c * OCg + oo) * p->kh + kh) * p->kw + kw];
                                out[(((size_t)n * p->oc + o) * OH + oh) * OW + ow] += xv * wv;
                            }
                }
        }
}

/* Maximum over the window clipped to the input; the first maximum in row-major
 * order wins; argmax is its index h*W + w in the input plane. */
void eng_maxpool_forward_naive(float *out, int32_t *argmax, const float *in,
                               int N, int C, int H, int W, const EngPoolParams *p, int OH, int OW) {
    for (int n = 0; n < N; n++)
        for (int c = 0; c < C; c++) {
            const float *x = in + ((size_t)n * C + c) * H * W;
            for (int oh = 0; oh < OH; oh++)
                for (int ow = 0; ow < OW; ow++) {
                    float best = -INFINITY;
                    int bi = -1;
                    for (int kh = 0; kh < p->kh; kh++)
                        for (int kw = 0; kw < p->kw; kw++) {
                            int ih = oh * p->sh - p->pt + kh * (p->dh > 1 ? p->dh : 1);
                            int iw = ow * p->sw - p->pl + kw * (p->dw > 1 ? p->dw : 1);
                            if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                            if (bi < 0 || x[ih * W + iw] > best) {
                                best = x[ih * W + iw];
                                bi = ih * W + iw;
                            }
                        }
                    size_t o = (((size_t)n * C + c) * OH + oh) * OW + ow;
                    out[o] = best;
                    if (argmax) argmax[o] = bi < 0 ? 0 : bi;
                }
        }
}

/* Mean over the window. With count_include_pad the divisor counts every
 * window position inside the padded input [-PT, H+PB) x [-PL, W+PR);
 * without it, only positions inside the input. */
void eng_avgpool_forward_naive(float *out, const float *in,
                               int N, int C, int H, int W, const EngPoolParams *p, int OH, int OW) {
    for (int n = 0; n < N; n++)
        for (int c = 0; c < C; c++) {
            const float *x = in + ((size_t)n * C + c) * H * W;
            for (int oh = 0; oh < OH; oh++)
                for (int ow = 0; ow < OW; ow++) {
                    double s = 0.0;
                    int inside = 0, padded = 0;
                    for (int kh = 0; kh < p->kh; kh++)
                        for (int kw = 0; kw < p->kw; kw++) {
                            int ih = oh * p->sh - p->pt + kh, iw = ow * p->sw - p->pl + kw;
                            if (ih >= -p->pt && ih < H + p->pb && iw >= -p->pl && iw < W + p->pr)
                                padded++;
                            if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                            s += x[ih * W + iw];
                            inside++;
                        }
                    int cnt = p->count_include_pad ? padded : inside;
                    out[(((size_t)n * C + c) * OH + oh) * OW + ow] = cnt ? (float)(s / cnt) : 0.0f;
                }
        }
}

void eng_gavgpool_forward_naive(float *out, const float *in, int N, int C, int H, int W) {
    for (int n = 0; n < N; n++)
        for (int c = 0; c < C; c++) {
            double s = 0.0;
            for (int h = 0; h < H; h++)
                for (int w = 0; w < W; w++) s += in[(((size_t)n * C + c) * H + h) * W + w];
            out[(size_t)n * C + c] = (float)(s / ((double)H * W));
        }
}

void eng_gmaxpool_forward_naive(float *out, const float *in, int N, int C, int H, int W) {
    for (int n = 0; n < N; n++)
        for (int c = 0; c < C; c++) {
            float m = -INFINITY;
            for (int h = 0; h < H; h++)
                for (int w = 0; w < W; w++) {
                    float v = in[(((size_t)n * C + c) * H + h) * W + w];
                    if (v > m) m = v;
                }
            out[(size_t)n * C + c] = m;
        }
}

/* ONNX LRN: square_sum[c] = sum of x[i]^2 for i in
 * [max(0, c - floor((size-1)/2)), min(C-1, c + ceil((size-1)/2))];
 * y = x / (bias + alpha / size * square_sum)^beta */
void eng_lrn_forward_naive(float *out, const float *in, int N, int C, int H, int W,
                           const EngLrnParams *p) {
    const int lo = (p->size - 1) / 2, hi = p->size - 1 - lo;
    for (int n = 0; n < N; n++)
        for (int c = 0; c < C; c++)
            for (int h = 0; h < H; h++)
                for (int w = 0; w < W; w++) {
                    double s = 0.0;
                    for (int i = c - lo; i <= c + hi; i++) {
                        if (i < 0 || i >= C) continue;
                        double v = in[(((size_t)n * C + i) * H + h) * W + w];
                        s += v * v;
                    }
                    size_t o = (((size_t)n * C + c) * H + h) * W + w;
                    out[o] = (float)(in[o] / pow(p->bias + p->alpha / p->size * s, p->beta));
                }
}

void eng_bn_forward_naive(float *out, const float *in, const float *gamma, const float *beta,
                          const float *mean, const float *var, int N, int C, int H, int W, float eps) {
    for (int n = 0; n < N; n++)
        for (int c = 0; c < C; c++)
            for (int i = 0; i < H * W; i++) {
                size_t o = ((size_t)n * C + c) * H * W + i;
                out[o] = (float)(gamma[c] * (in[o] - mean[c]) / sqrt((double)var[c] + eps) + beta[c]);
            }
}

void eng_softmax_forward_naive(float *out, const float *in, int N, int C, int H, int W) {
    const size_t HW = (size_t)H * W;
    for (int n = 0; n < N; n++)
        for (size_t i = 0; i < HW; i++) {
            double m = -INFINITY, s = 0.0;
            for (int c = 0; c < C; c++) {
                double v = in[((size_t)n * C + c) * HW + i];
                if (v > m) m = v;
            }
            for (int c = 0; c < C; c++) s += exp(in[((size_t)n * C + c) * HW + i] - m);
            for (int c = 0; c < C; c++) {
                size_t o = ((size_t)n * C + c) * HW + i;
                out[o] = (float)(exp(in[o] - m) / s);
            }
        }
}

void eng_fc_forward_naive(float *out, const float *in, const float *w, const float *b,
                          int N, int K, int OUT) {
    for (int n = 0; n < N; n++)
        for (int o = 0; o < OUT; o++) {
            double s = b ? b[o] : 0.0;
            for (int k = 0; k < K; k++) s += (double)in[(size_t)n * K + k] * w[(size_t)o * K + k];
            out[(size_t)n * OUT + o] = (float)s;
        }
}

void eng_matmul_forward_naive(float *out, const float *in, const float *w, const float *b, int N,
                              const EngMatmulParams *p) {
    const int M = p->m, K = p->k, OUT = p->out, S = p->stack > 1 ? p->stack : 1;
    const int R = S > 1 ? p->rows : M;
    for (int n = 0; n < N; n++) {
        const float *x = in + (size_t)n * M * K;
        for (int i = 0; i < M; i++)
            for (int o = 0; o < OUT; o++) {
                /* row i is in block i / R, which matrix (i / R) % S multiplies */
                const float *wm = w + (size_t)((i / R) % S) * OUT * K;
                double s = b ? b[(size_t)i * OUT + o] : 0.0;
                for (int k = 0; k < K; k++) {
                    /* x[i][k], or x^T[i][k] = x[k][i] of a stored (K, M) */
                    float xv = p->trans_a ? x[(size_t)k * M + i] : x[(size_t)i * K + k];
                    s += (double)xv * wm[(size_t)o * K + k];
                }
                out[((size_t)n * M + i) * OUT + o] = (float)s;
            }
    }
}

/* written from the definition: output unit j of a sample is the input unit
 * whose place is j, or zero */
void eng_maxunpool_forward_naive(float *out, const float *in, const float *places, int N,
                                 size_t isz, size_t osz) {
    for (int n = 0; n < N; n++)
        for (size_t j = 0; j < osz; j++) {
            float v = 0.0f;
            for (size_t i = 0; i < isz; i++)
                if (places[i] == (float)j) v = in[(size_t)n * isz + i];
            out[(size_t)n * osz + j] = v;
        }
}
