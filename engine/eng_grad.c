/*
 * eng_grad.c — backward kernels: the gradient of a scalar loss with respect
 * to each op's input and parameters, given the gradient of its output.
 *
 * Every kernel adds into its outputs (dx, dw, db...) instead of overwriting
 * them, because a node's output can feed several consumers (a residual add,
 * an inception block) whose contributions sum (llm.c's convention); the
 * caller zeroes the gradients before each backward pass. tests/test_grad.c
 * checks every kernel against finite differences.
 * Must not depend on: SDL or anything that draws.
 */
#include "eng.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- convolution --------------------------------------------------------------------
 * Forward, per image and group: y (OCg, OHW) = w (OCg, K) x cols (K, OHW), with
 * cols = im2col(x). So dw += dy x cols^T, and d cols = w^T x dy, which col2im
 * scatters back onto the input pixels each column was copied from. */

static int grad_conv_pointwise(const EngConvParams *p) {
    return p->kh == 1 && p->kw == 1 && p->sh == 1 && p->sw == 1 && p->pt == 0 && p->pl == 0 &&
           p->pb == 0 && p->pr == 0;
}

size_t eng_conv2d_backward_scratch(int C, int H, int W, const EngConvParams *p, int OH, int OW) {
    (void)H, (void)W;
    if (p->groups == C && p->oc == C) return 0; /* depthwise: direct loops */
    return 2 * (size_t)(C / p->groups) * p->kh * p->kw * (size_t)OH * OW;
}

/* dcols (C*KH*KW, OH*OW) added back onto dx (C, H, W): the transpose of im2col. */
static void col2im_add(float *dx, const float *dcols, int C, int H, int W, const EngConvParams *p,
                       int OH, int OW) {
    for (int c = 0; c < C; c++)
        for (int kh = 0; kh < p->kh; kh++)
            for (int kw = 0; kw < p->kw; kw++) {
                const float *col = dcols + (((size_t)c * p->kh + kh) * p->kw + kw) * OH * OW;
                float *d = dx + (size_t)c * H * W;
                for (int oh = 0; oh < OH; oh++) {
                    int ih = oh * p->sh - p->pt + kh * p->dh;
                    if (ih < 0 || ih >= H) continue;
                    for (int ow = 0; ow < OW; ow++) {
                        int iw = ow * p->sw - p->pl + kw * p->dw;
                        if (iw >= 0 && iw < W) d[ih * W + iw] += col[oh * OW + ow];
                    }
                }
            }
}

static void depthwise_backward(float *dx, float *dw, float *db, const float *dy, const float *x,
                               const float *w, int N, int C, int H, int W,
                               const EngConvParams *p, int OH, int OW) {
    const int KK = p->kh * p->kw;
    for (int n = 0; n < N; n++)
        for (int c = 0; c < C; c++) {
            const float *xc = x + ((size_t)n * C + c) * H * W;
            const float *dyc = dy + ((size_t)n * C + c) * OH * OW;
            float *dxc = dx ? dx + ((size_t)n * C + c) * H * W : NULL;
            const float *wc = w + (size_t)c * KK;
            float *dwc = dw ? dw + (size_t)c * KK : NULL;
            for (int oh = 0; oh < OH; oh++)
                for (int ow = 0; ow < OW; ow++) {
                    const float gy = dyc[oh * OW + ow];
                    if (db) db[c] += gy;
                    for (int kh = 0; kh < p->kh; kh++) {
                        int ih = oh * p->sh - p->pt + kh * p->dh;
                        if (ih < 0 || ih >= H) continue;
                        for (int kw = 0; kw < p->kw; kw++) {
                            int iw = ow * p->sw - p->pl + kw * p->dw;
                            if (iw < 0 || iw >= W) continue;
                            if (dwc) dwc[kh * p->kw + kw] += gy * xc[ih * W + iw];
                            if (dxc) dxc[ih * W + iw] += gy * wc[kh * p->kw + kw];
                        }
                    }
                }
        }
}

void eng_conv2d_backward(float *dx, float *dw, float *db, const float *dy, const float *x,
                         const float *w, int N, int C, int H, int W, const EngConvParams *p,
                         int OH, int OW, float *scratch) {
    if (p->groups == C && p->oc == C) {
        depthwise_backward(dx, dw, db, dy, x, w, N, C, H, W, p, OH, OW);
        return;
    }
    const int G = p->groups, Cg = C / G, OCg = p->oc / G;
    const int K = Cg * p->kh * p->kw;
    const size_t HW = (size_t)H * W, OHW = (size_t)OH * OW;
    const int pointwise = grad_conv_pointwise(p);
    float *cols = scratch, *dcols = scratch + (size_t)K * OHW;
    for (int n = 0; n < N; n++)
        for (int g = 0; g < G; g++) {
            const float *xg = x + ((size_t)n * C + (size_t)g * Cg) * HW;      /* (Cg, H, W) */
            const float *dyg = dy + ((size_t)n * p->oc + (size_t)g * OCg) * OHW; /* (OCg, OHW) */
            const float *wg = w + (size_t)g * OCg * K;                          /* (OCg, K) */
            const float *cg = xg;
            if (!pointwise && dw) { /* the columns are needed only for dw */
                eng_im2col(cols, xg, Cg, H, W, p, OH, OW);
                cg = cols;
            }
            if (dw) /* (OCg, OHW) x (OHW, K) */
                eng_gemm(0, 1, OCg, K, (int)OHW, 1.0f, dyg, (int)OHW, cg, (int)OHW, 1.0f,
                         dw + (size_t)g * OCg * K, K);
            if (db)
                for (int oc = 0; oc < OCg; oc++) {
                    const float *row = dyg + (size_t)oc * OHW;
                    float s = 0.0f;
                    for (size_t i = 0; i < OHW; i++) s += row[i];
                    db[g * OCg + oc] += s;
                }
            if (!dx) continue;
            float *dxg = dx + ((size_t)n * C + (size_t)g * Cg) * HW;
            if (pointwise) { /* (OCg, K)^T x (OCg, OHW) added straight into dx */
                eng_gemm(1, 0, K, (int)OHW, OCg, 1.0f, wg, K, dyg, (int)OHW, 1.0f, dxg, (int)OHW);
            } else {
                eng_gemm(1, 0, K, (int)OHW, OCg, 1.0f, wg, K, dyg, (int)OHW, 0.0f, dcols, (int)OHW);
                col2im_add(dxg, dcols, Cg, H, W, p, OH, OW);
            }
        }
}

/* ---- pooling ------------------------------------------------------------------------- */

/* Only the maximum of each window received the value, so only it gets the
 * gradient: the recorded switch says where (the deconvnet unpools the same way). */
void eng_maxpool_backward(float *dx, const float *dy, const int32_t *argmax, int N, int C, int H,
                          int W, int OH, int OW) {
    const size_t HW = (size_t)H * W, OHW = (size_t)OH * OW;
    for (size_t nc = 0; nc < (size_t)N * C; nc++)
        for (size_t i = 0; i < OHW; i++) dx[nc * HW + argmax[nc * OHW + i]] += dy[nc * OHW + i];
}

void eng_avgpool_backward(float *dx, const float *dy, int N, int C, int H, int W,
                          const EngPoolParams *p, int OH, int OW) {
    const size_t HW = (size_t)H * W, OHW = (size_t)OH * OW;
    for (size_t nc = 0; nc < (size_t)N * C; nc++) {
        float *d = dx + nc * HW;
        const float *g = dy + nc * OHW;
        for (int oh = 0; oh < OH; oh++) {
            int hh0, hh1, ww0, ww1;
            const int ch = eng_pool_span(oh, p->sh, p->kh, p->pt, p->pb, H, p->count_include_pad,
                                         &hh0, &hh1);
            for (int ow = 0; ow < OW; ow++) {
                const int cw = eng_pool_span(ow, p->sw, p->kw, p->pl, p->pr, W,
                                             p->count_include_pad, &ww0, &ww1);
                int cnt = ch * cw;
                if (cnt <= 0) continue;
                const float v = g[oh * OW + ow] / (float)cnt;
                for (int h = hh0; h < hh1; h++)
                    for (int w = ww0; w < ww1; w++) d[h * W + w] += v;
            }
        }
    }
}

void eng_gavgpool_backward(float *dx, const float *dy, int N, int C, int H, int W) {
    const size_t HW = (size_t)H * W;
    for (size_t nc = 0; nc < (size_t)N * C; nc++) {
        const float v = dy[nc] / (float)HW;
        for (size_t i = 0; i < HW; i++) dx[nc * HW + i] += v;
    }
}

void eng_gmaxpool_backward(float *dx, const float *dy, const float *x, int N, int C, int H, int W) {
    const size_t HW = (size_t)H * W;
    for (size_t nc = 0; nc < (size_t)N * C; nc++) {
        const float *xc = x + nc * HW;
        size_t best = 0;
        for (size_t i = 1; i < HW; i++)
            if (xc[i] > xc[best]) best = i;
        dx[nc * HW + best] += dy[nc];
    }
}

/* ---- normalisation --------------------------------------------------------------------- */

/* y_c = x_c * s_c^-beta, s_c = bias + (alpha/size) * sum_{j in win(c)} x_j^2, so
 * dx_i = dy_i s_i^-beta - 2 (alpha/size) beta x_i sum_{c: i in win(c)} dy_c x_c s_c^(-beta-1). */
void eng_lrn_backward(float *dx, const float *dy, const float *x, int N, int C, int H, int W,
                      const EngLrnParams *p, float *scratch) {
    const size_t HW = (size_t)H * W;
    const int lo = (p->size - 1) / 2, hi = p->size / 2;
    const float a = p->alpha / (float)p->size;
    ENG_ASSERT(scratch != NULL);
    float *s = scratch;  /* s_c, (C) */
    float *t = s + C;    /* dy_c x_c s_c^(-beta-1), (C) */
    for (int n = 0; n < N; n++)
        for (size_t i = 0; i < HW; i++) {
            const float *xp = x + (size_t)n * C * HW + i;
            const float *gp = dy + (size_t)n * C * HW + i;
            float *dp = dx + (size_t)n * C * HW + i;
            for (int c = 0; c < C; c++) {
                float sum = 0.0f;
                for (int j = c - lo; j <= c + hi; j++)
                    if (j >= 0 && j < C) sum += xp[j * HW] * xp[j * HW];
                s[c] = p->bias + a * sum;
                t[c] = gp[c * HW] * xp[c * HW] * powf(s[c], -p->beta - 1.0f);
            }
            for (int c = 0; c < C; c++) {
                float acc = 0.0f; /* channels whose window holds c: c - hi .. c + lo */
                for (int k = c - hi; k <= c + lo; k++)
                    if (k >= 0 && k < C) acc += t[k];
                dp[c * HW] += gp[c * HW] * powf(s[c], -p->beta) - 2.0f * a * p->beta * xp[c * HW] * acc;
            }
        }
}

/* s and t above: two floats per channel */
size_t eng_lrn_backward_scratch(int C) { return 2 * (size_t)C; }

void eng_bn_forward_train(float *out, float *stats, const float *in, const float *gamma,
                          const float *beta, float *running_mean, float *running_var, int N,
                          int C, int H, int W, float eps, float momentum) {
    const size_t HW = (size_t)H * W, M = (size_t)N * HW;
    for (int c = 0; c < C; c++) {
        double sum = 0.0, sq = 0.0;
        for (int n = 0; n < N; n++) {
            const float *xc = in + ((size_t)n * C + c) * HW;
            for (size_t i = 0; i < HW; i++) sum += xc[i];
        }
        const double mean = sum / (double)M;
        for (int n = 0; n < N; n++) {
            const float *xc = in + ((size_t)n * C + c) * HW;
            for (size_t i = 0; i < HW; i++) sq += (xc[i] - mean) * (xc[i] - mean);
        }
        const double var = sq / (double)M; /* biased: what normalises the batch */
        const float inv = (float)(1.0 / sqrt(var + eps));
        stats[c] = (float)mean;
        stats[C + c] = inv;
        for (int n = 0; n < N; n++) {
            const float *xc = in + ((size_t)n * C + c) * HW;
            float *yc = out + ((size_t)n * C + c) * HW;
            for (size_t i = 0; i < HW; i++) yc[i] = gamma[c] * ((xc[i] - (float)mean) * inv) + beta[c];
        }
        /* the running variance is unbiased, as in PyTorch */
        const double unbiased = M > 1 ? sq / (double)(M - 1) : var;
        running_mean[c] = (1.0f - momentum) * running_mean[c] + momentum * (float)mean;
        running_var[c] = (1.0f - momentum) * running_var[c] + momentum * (float)unbiased;
    }
}

/* With xhat = (x - mean) * inv_std over M = N*H*W values per channel:
 * dx = gamma * inv_std / M * (M dy - sum(dy) - xhat * sum(dy * xhat)). */
void eng_bn_backward_train(float *dx, float *dgamma, float *dbeta, const float *dy,
                           const float *x, const float *gamma, const float *stats, int N, int C,
                           int H, int W) {
    const size_t HW = (size_t)H * W, M = (size_t)N * HW;
    for (int c = 0; c < C; c++) {
        const float mean = stats[c], inv = stats[C + c];
        double sdy = 0.0, sdyx = 0.0;
        for (int n = 0; n < N; n++) {
            const float *xc = x + ((size_t)n * C + c) * HW, *gc = dy + ((size_t)n * C + c) * HW;
            for (size_t i = 0; i < HW; i++) {
                sdy += gc[i];
                sdyx += gc[i] * (xc[i] - mean) * inv;
            }
        }
        if (dgamma) dgamma[c] += (float)sdyx;
        if (dbeta) dbeta[c] += (float)sdy;
        if (!dx) continue;
        const float k = gamma[c] * inv / (float)M;
        for (int n = 0; n < N; n++) {
            const float *xc = x + ((size_t)n * C + c) * HW, *gc = dy + ((size_t)n * C + c) * HW;
            float *dc = dx + ((size_t)n * C + c) * HW;
            for (size_t i = 0; i < HW; i++) {
                const float xhat = (xc[i] - mean) * inv;
                dc[i] += k * ((float)M * gc[i] - (float)sdy - xhat * (float)sdyx);
            }
        }
    }
}

void eng_bn_backward_eval(float *dx, float *dgamma, float *dbeta, const float *dy, const float *x,
                          const float *gamma, const float *mean, const float *var, int N, int C,
                          int H, int W, float eps) {
    const size_t HW = (size_t)H * W;
    for (int c = 0; c < C; c++) {
        const float inv = 1.0f / sqrtf(var[c] + eps);
        double sdy = 0.0, sdyx = 0.0;
        for (int n = 0; n < N; n++) {
            const float *xc = x + ((size_t)n * C + c) * HW, *gc = dy + ((size_t)n * C + c) * HW;
            float *dc = dx ? dx + ((size_t)n * C + c) * HW : NULL;
            for (size_t i = 0; i < HW; i++) {
                sdy += gc[i];
                sdyx += gc[i] * (xc[i] - mean[c]) * inv;
                if (dc) dc[i] += gc[i] * gamma[c] * inv;
            }
        }
        if (dgamma) dgamma[c] += (float)sdyx;
        if (dbeta) dbeta[c] += (float)sdy;
    }
}

/* ---- activations ------------------------------------------------------------------------ */

void eng_act_backward(EngOpType op, float *dx, const float *dy, const float *x, const float *y,
                      size_t n, float a, float b) {
    switch (op) {
    case ENG_OP_RELU:
        for (size_t i = 0; i < n; i++) dx[i] += x[i] > 0.0f ? dy[i] : 0.0f;
        break;
    case ENG_OP_LEAKYRELU:
        for (size_t i = 0; i < n; i++) dx[i] += x[i] >= 0.0f ? dy[i] : a * dy[i];
        break;
    case ENG_OP_CLIP: /* flat (zero slope) outside [lo, hi] */
        for (size_t i = 0; i < n; i++) dx[i] += (x[i] > a && x[i] < b) ? dy[i] : 0.0f;
        break;
    case ENG_OP_SIGMOID:
        for (size_t i = 0; i < n; i++) dx[i] += dy[i] * y[i] * (1.0f - y[i]);
        break;
    case ENG_OP_TANH: /* tanh' = 1 - tanh^2: why deep tanh nets saturate */
        for (size_t i = 0; i < n; i++) dx[i] += dy[i] * (1.0f - y[i] * y[i]);
        break;
    case ENG_OP_HARDSIGMOID:
        for (size_t i = 0; i < n; i++) {
            float v = a * x[i] + b;
            dx[i] += (v > 0.0f && v < 1.0f) ? a * dy[i] : 0.0f;
        }
        break;
    case ENG_OP_HARDSWISH:
        for (size_t i = 0; i < n; i++) {
            float d = x[i] <= -3.0f ? 0.0f : (x[i] >= 3.0f ? 1.0f : (2.0f * x[i] + 3.0f) / 6.0f);
            dx[i] += d * dy[i];
        }
        break;
    case ENG_OP_SILU: /* s (1 + x (1 - s)), s = sigmoid(x) */
        for (size_t i = 0; i < n; i++) {
            const float s = 1.0f / (1.0f + expf(-x[i]));
            dx[i] += dy[i] * s * (1.0f + x[i] * (1.0f - s));
        }
        break;
    case ENG_OP_GELU: /* Phi(x) + x phi(x) */
        for (size_t i = 0; i < n; i++) {
            const float cdf = 0.5f * erfcf(x[i] * -0.70710678118654752f);
            const float pdf = 0.39894228040143268f * expf(-0.5f * x[i] * x[i]);
            dx[i] += dy[i] * (cdf + x[i] * pdf);
        }
        break;
    case ENG_OP_MISH: /* tanh(sp) + x * (1 - tanh(sp)^2) * sigmoid(x), sp = softplus(x) */
        for (size_t i = 0; i < n; i++) {
            if (x[i] > 20.0f) { /* the forward's identity there */
                dx[i] += dy[i];
                continue;
            }
            const float ex = expf(x[i]), m = ex * (ex + 2.0f), t = m / (m + 2.0f);
            dx[i] += dy[i] * (t + x[i] * (1.0f - t * t) * ex / (1.0f + ex));
        }
        break;
    default: ENG_ASSERT(0 && "not an elementwise activation");
    }
}

/* Per position, over its C values, xhat = (x - mean) * inv, g = dy * gamma:
 * dx = inv / C * (C g - sum(g) - xhat * sum(g * xhat)) (batch norm's formula
 * with the roles of the axes swapped); dgamma += dy * xhat, dbeta += dy. */
void eng_layernorm_backward(float *dx, float *dgamma, float *dbeta, const float *dy,
                            const float *x, const float *gamma, int N, int C, int H, int W,
                            float eps) {
    const size_t HW = (size_t)H * W;
    for (int n = 0; n < N; n++)
        for (size_t i = 0; i < HW; i++) {
            const size_t o = (size_t)n * C * HW + i;
            double mean = 0.0, var = 0.0, sg = 0.0, sgx = 0.0;
            for (int c = 0; c < C; c++) mean += x[o + c * HW];
            mean /= C;
            for (int c = 0; c < C; c++) var += (x[o + c * HW] - mean) * (x[o + c * HW] - mean);
            const double inv = 1.0 / sqrt(var / C + eps);
            for (int c = 0; c < C; c++) {
                const double xhat = (x[o + c * HW] - mean) * inv, g = dy[o + c * HW] * gamma[c];
                sg += g;
                sgx += g * xhat;
                if (dgamma) dgamma[c] += (float)(dy[o + c * HW] * xhat);
                if (dbeta) dbeta[c] += dy[o + c * HW];
            }
            if (!dx) continue;
            for (int c = 0; c < C; c++) {
                const double xhat = (x[o + c * HW] - mean) * inv, g = dy[o + c * HW] * gamma[c];
                dx[o + c * HW] += (float)(inv / C * (C * g - sg - xhat * sgx));
            }
        }
}

void eng_prelu_backward(float *dx, float *dslope, const float *dy, const float *x,
                        const float *slope, int slopes, int N, int C, int H, int W) {
    const size_t HW = (size_t)H * W;
    for (int n = 0; n < N; n++)
        for (int c = 0; c < C; c++) {
            const int k = slopes == 1 ? 0 : c;
            const size_t o = ((size_t)n * C + c) * HW;
            for (size_t i = 0; i < HW; i++) {
                const float xv = x[o + i], g = dy[o + i];
                if (dx) dx[o + i] += xv >= 0.0f ? g : slope[k] * g;
                if (dslope && xv < 0.0f) dslope[k] += g * xv;
            }
        }
}

/* y = softmax(x) over channels: dx_c = y_c (dy_c - sum_k dy_k y_k). */
/* y = softmax(x): dx += y * (dy - <dy, y>); y = log softmax(x): dx += dy -
 * softmax(x) * sum(dy), softmax(x) = exp(y). */
static void softmax_channels_backward(float *dx, const float *dy, const float *y, int N, int C, int H,
                                      int W, int log_in) {
    const size_t HW = (size_t)H * W;
    for (int n = 0; n < N; n++)
        for (size_t i = 0; i < HW; i++) {
            const size_t o = (size_t)n * C * HW + i;
            float dot = 0.0f;
            for (int c = 0; c < C; c++) dot += dy[o + c * HW] * (log_in ? 1.0f : y[o + c * HW]);
            for (int c = 0; c < C; c++)
                dx[o + c * HW] += log_in ? dy[o + c * HW] - expf(y[o + c * HW]) * dot
                                         : y[o + c * HW] * (dy[o + c * HW] - dot);
        }
}
void eng_softmax_backward(float *dx, const float *dy, const float *y, int N, int C, int H, int W) {
    softmax_channels_backward(dx, dy, y, N, C, H, W, 0);
}
void eng_logsoftmax_backward(float *dx, const float *dy, const float *y, int N, int C, int H, int W) {
    softmax_channels_backward(dx, dy, y, N, C, H, W, 1);
}

/* y (N, OUT) = x (N, K) w^T + b: dw += dy^T x, db += column sums of dy, dx += dy w. */
void eng_fc_backward(float *dx, float *dw, float *db, const float *dy, const float *x,
                     const float *w, int N, int K, int OUT) {
    if (dw) eng_gemm(1, 0, OUT, K, N, 1.0f, dy, OUT, x, K, 1.0f, dw, K);
    if (db)
        for (int n = 0; n < N; n++)
            for (int o = 0; o < OUT; o++) db[o] += dy[(size_t)n * OUT + o];
    if (dx) eng_gemm(0, 0, N, K, OUT, 1.0f, dy, OUT, w, K, 1.0f, dx, K);
}

/* y = op(x) w^T + b per sample, op(x) (M, K): dw (OUT, K) += dy^T op(x), db += dy,
 * d op(x) = dy w (M, K), which for trans_a lands transposed in dx (K, M). */
void eng_matmul_backward(float *dx, float *dw, float *db, const float *dy, const float *x,
                         const float *w, int N, const EngMatmulParams *p) {
    const int M = p->m, K = p->k, OUT = p->out, S = p->stack > 1 ? p->stack : 1;
    const size_t xs = (size_t)M * K, ys = (size_t)M * OUT;
    if (S > 1) { /* each block of R rows and its matrix: the same, block by block */
        const int R = p->rows;
        for (int n = 0; n < N; n++)
            for (int bl = 0; bl < M / R; bl++) {
                const size_t xo = (size_t)n * xs + (size_t)bl * R * K, wo = (size_t)(bl % S) * OUT * K;
                const float *yb = dy + (size_t)n * ys + (size_t)bl * R * OUT;
                if (dw) eng_gemm(1, 0, OUT, K, R, 1.0f, yb, OUT, x + xo, K, 1.0f, dw + wo, K);
                if (dx) eng_gemm(0, 0, R, K, OUT, 1.0f, yb, OUT, w + wo, K, 1.0f, dx + xo, K);
            }
        return;
    }
    for (int n = 0; n < N; n++) {
        const float *yb = dy + (size_t)n * ys, *xb = x + (size_t)n * xs;
        if (dw) {
            if (p->trans_a) /* dw = dy^T (OUT, M) x^T^T: (OUT, M) x (M, K) with x stored (K, M) */
                eng_gemm(1, 1, OUT, K, M, 1.0f, yb, OUT, xb, M, 1.0f, dw, K);
            else
                eng_gemm(1, 0, OUT, K, M, 1.0f, yb, OUT, xb, K, 1.0f, dw, K);
        }
        if (db)
            for (size_t i = 0; i < ys; i++) db[i] += yb[i];
        if (dx) {
            if (p->trans_a) /* dx (K, M) = w^T (K, OUT) x dy^T (OUT, M) */
                eng_gemm(1, 1, K, M, OUT, 1.0f, w, K, yb, OUT, 1.0f, dx + (size_t)n * xs, M);
            else
                eng_gemm(0, 0, M, K, OUT, 1.0f, yb, OUT, w, K, 1.0f, dx + (size_t)n * xs, K);
        }
    }
}

void eng_affine_backward(float *dx, float *dscale, float *dshift, const float *dy, const float *x,
                         const float *scale, int N, size_t size) {
    for (int n = 0; n < N; n++) {
        const float *yb = dy + (size_t)n * size, *xb = x + (size_t)n * size;
        for (size_t i = 0; i < size; i++) {
            if (dx) dx[(size_t)n * size + i] += scale ? yb[i] * scale[i] : yb[i];
            if (dscale) dscale[i] += yb[i] * xb[i];
            if (dshift) dshift[i] += yb[i];
        }
    }
}

/* each input unit receives the gradient of the place it went to (places are
 * distinct, so no place has two sources) */
void eng_maxunpool_backward(float *dx, const float *dy, const float *places, int N, size_t isz,
                            size_t osz) {
    for (int n = 0; n < N; n++)
        for (size_t i = 0; i < isz; i++) {
            const float p = places[i];
            if (p >= 0.0f && p < (float)osz) dx[(size_t)n * isz + i] += dy[(size_t)n * osz + (size_t)p];
        }
}

/* ---- the effective receptive field of one unit ----------------------------------------
 * Luo, Li, Urtasun and Zemel, "Understanding the Effective Receptive Field in
 * Deep Convolutional Neural Networks" (NIPS 2016): how much each input pixel
 * moves one unit, the gradient of that single activation with respect to the
 * input. A backward pass started from a one-hot gradient at the unit gives
 * it; the pixels of the input's channels are summed in absolute value, so
 * that the map reads as "where the unit looks" whatever the sign. It lies
 * inside the theoretical field (EngRf) and is usually much smaller. */
int eng_graph_unit_grad(EngGraph *g, int node, int c, int y, int x, float *out_hw) {
    EngNode *n = eng_graph_node_mut(g, node);
    if (!n->grad) {
        eng_log(ENG_LOG_ERROR, "engine: node '%s' has no gradient (eng_graph_enable_grads, then plan)",
                n->name);
        return -1;
    }
    if (c < 0 || c >= n->out.C || y < 0 || y >= n->out.H || x < 0 || x >= n->out.W) {
        eng_log(ENG_LOG_ERROR, "engine: unit (%d, %d, %d) is outside node '%s' (%dx%dx%d)", c, y, x,
                n->name, n->out.C, n->out.H, n->out.W);
        return -1;
    }
    eng_graph_zero_grads(g);
    n->grad[((size_t)c * n->out.H + y) * n->out.W + x] = 1.0f; /* d unit / d unit, first image */
    if (eng_graph_backward(g) != 0) return -1;
    const EngNode *in = eng_graph_node(g, 0);
    const size_t hw = (size_t)in->out.H * in->out.W;
    memset(out_hw, 0, hw * sizeof *out_hw);
    for (int k = 0; k < in->out.C; k++) /* in->grad: (C, H, W) -> out_hw: (H, W) */
        for (size_t i = 0; i < hw; i++) out_hw[i] += fabsf(in->grad[(size_t)k * hw + i]);
    return 0;
}
