/*
 * eng_featvis.c — feature visualization by optimization: the input that a
 * channel, a unit or a class score likes most, found by gradient ascent on
 * the pixels (Erhan, Bengio, Courville, Vincent 2009; Simonyan, Vedaldi,
 * Zisserman 2014), on the engine's own backward pass.
 *
 * Plain ascent finds high-frequency patterns that excite the unit but look
 * like noise. The regularisers that make the picture readable:
 * - Yosinski, Clune, Nguyen, Fuchs, Lipson 2015 ("Understanding Neural
 *   Networks Through Deep Visualization"): L2 decay pulls every pixel towards
 *   zero, a Gaussian blur every few steps removes the high frequencies, and
 *   the pixels of smallest norm are set to zero (only what matters stays);
 * - Olah, Mordvintsev, Schubert 2017 ("Feature Visualization", Distill):
 *   transformation robustness: each step looks at a randomly jittered,
 *   scaled and rotated copy of the input, so that the result must work
 *   wherever it sits, and its gradient is sent back through that transform.
 * Everything random comes from one seeded generator: the same seed gives the
 * same input, bit for bit.
 * Must not depend on: SDL or anything that draws.
 */
#include "eng_graph_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void eng_featvis_defaults(EngFeatvis *p, const float lo[3], const float hi[3]) {
    memset(p, 0, sizeof *p);
    p->y = p->x = -1;
    p->steps = 200;
    p->seed = 1;
    p->lr = 0.02f;
    p->decay = 0.002f;
    p->blur_every = 4;
    p->blur_sigma = 0.5f;
    p->clip = 0.0f;
    p->jitter = 1;
    p->scale = 0.05f;
    p->rotate = 5.0f;
    for (int k = 0; k < 3; k++) p->lo[k] = lo[k], p->hi[k] = hi[k];
}

/* ---- the generator: splitmix64 (Steele, Lea, Flood 2014) ---------------------------- */

static uint64_t next_u64(uint64_t *s) {
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
/* uniform in [0, 1) with 53 bits */
static double uniform(uint64_t *s) { return (double)(next_u64(s) >> 11) * (1.0 / 9007199254740992.0); }
static double gaussian(uint64_t *s) { /* Box-Muller */
    const double u = 1.0 - uniform(s), v = uniform(s);
    return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

/* ---- checks ---------------------------------------------------------------------- */

static int fv_check(const EngGraph *g, const EngFeatvis *p, char *err, size_t errlen) {
    if (!g || !g->act_block || !g->grad_block || g->batch < 1 || g->training) {
        eng_set_err(err, errlen, "feature visualization needs a graph planned with gradients, in "
                                 "inference mode");
        return -1;
    }
    if (p->layer <= 0 || p->layer >= g->n_nodes || !eng_runs_at_inference(&g->nodes[p->layer])) {
        eng_set_err(err, errlen, "no layer %d after the input at inference", p->layer);
        return -1;
    }
    const EngNode *L = &g->nodes[p->layer];
    if (p->channel < 0 || p->channel >= L->out.C) {
        eng_set_err(err, errlen, "no channel %d in '%s': it has %d (0..%d)", p->channel, L->name,
                    L->out.C, L->out.C - 1);
        return -1;
    }
    if ((p->y < 0) != (p->x < 0) || p->y >= L->out.H || p->x >= L->out.W || p->y < -1 || p->x < -1) {
        eng_set_err(err, errlen, "no unit (%d, %d) in '%s': its plane is %dx%d (Y 0..%d, X 0..%d)",
                    p->y, p->x, L->name, L->out.H, L->out.W, L->out.H - 1, L->out.W - 1);
        return -1;
    }
    if (p->steps < 1 || !(p->lr > 0) || !(p->decay >= 0 && p->decay < 1) || p->blur_every < 0 ||
        !(p->blur_sigma >= 0 && p->blur_sigma <= 64) || !(p->clip >= 0 && p->clip < 1) ||
        p->jitter < 0 || p->jitter > 4096 || !(p->scale >= 0 && p->scale < 0.5f) ||
        !(p->rotate >= 0 && p->rotate <= 180)) {
        eng_set_err(err, errlen, "feature visualization: a setting out of its range (steps %d, lr %g, "
                                 "decay %g, blur every %d sigma %g, clip %g, jitter %d, scale %g, "
                                 "rotate %g)", p->steps, p->lr, p->decay, p->blur_every,
                    p->blur_sigma, p->clip, p->jitter, p->scale, p->rotate);
        return -1;
    }
    for (int k = 0; k < 3; k++)
        if (!(p->lo[k] < p->hi[k]) || !isfinite(p->lo[k]) || !isfinite(p->hi[k])) {
            eng_set_err(err, errlen, "feature visualization: input range [%g, %g] of channel %d is empty",
                        p->lo[k], p->hi[k], k);
            return -1;
        }
    return 0;
}

/* ---- the objective ------------------------------------------------------------------ */

int eng_featvis_objective(EngGraph *g, const EngFeatvis *p, const float *x, double *obj, float *grad,
                          char *err, size_t errlen) {
    if (fv_check(g, p, err, errlen) != 0) return -1;
    EngNode *in = &g->nodes[0], *L = &g->nodes[p->layer];
    const size_t n_in = (size_t)in->out.C * in->out.H * in->out.W;
    const size_t hw = (size_t)L->out.H * L->out.W, n_l = (size_t)L->out.C * hw;
    memcpy(eng_graph_input_buffer(g, 0), x, n_in * sizeof *x);
    if (eng_graph_forward(g) != 0) {
        eng_set_err(err, errlen, "the forward pass failed");
        return -1;
    }
    const float *a = L->act + (size_t)p->channel * hw; /* first image, (H, W) of the channel */
    double v = 0.0;
    if (p->y >= 0) v = a[(size_t)p->y * L->out.W + p->x];
    else {
        for (size_t i = 0; i < hw; i++) v += a[i];
        v /= (double)hw;
    }
    if (!isfinite(v)) {
        eng_set_err(err, errlen, "the objective at '%s' is not a finite number", L->name);
        return -1;
    }
    *obj = v;
    if (!grad) return 0;
    /* d objective / d layer output: 1 at the unit, or 1/(H W) over the plane */
    float *seed = calloc(n_l, sizeof *seed);
    if (!seed) {
        eng_set_err(err, errlen, "no memory for a %zu-value gradient", n_l);
        return -1;
    }
    float *s = seed + (size_t)p->channel * hw;
    if (p->y >= 0) s[(size_t)p->y * L->out.W + p->x] = 1.0f;
    else
        for (size_t i = 0; i < hw; i++) s[i] = (float)(1.0 / (double)hw);
    const int rc = eng_graph_backward_seed(g, p->layer, seed, ENG_RULE_BACKPROP);
    free(seed);
    if (rc != 0) {
        eng_set_err(err, errlen, "the gradient of '%s' cannot go back to the input", L->name);
        return -1;
    }
    memcpy(grad, in->grad, n_in * sizeof *grad);
    return 0;
}

/* ---- transformation robustness -------------------------------------------------------- */

/* A similarity about the image's centre: out(p) = in(c + R(-theta) (p - c - t) / s). */
typedef struct {
    double a, b, c, d; /* the inverse map's matrix: [a b; c d] */
    double ty, tx;     /* shift */
} Warp;

static Warp draw_warp(const EngFeatvis *p, uint64_t *rng) {
    const double dy = p->jitter ? (double)(int)(uniform(rng) * (2 * p->jitter + 1)) - p->jitter : 0;
    const double dx = p->jitter ? (double)(int)(uniform(rng) * (2 * p->jitter + 1)) - p->jitter : 0;
    const double s = 1.0 + p->scale * (2.0 * uniform(rng) - 1.0);
    const double th = p->rotate * (2.0 * uniform(rng) - 1.0) * 3.141592653589793 / 180.0;
    const double cs = cos(th) / s, sn = sin(th) / s;
    return (Warp){cs, sn, -sn, cs, dy, dx};
}

/* Bilinear sampling of x (C, H, W) through w, into out (forward), or the
 * transpose: out's gradient gathered back onto x's pixels (adjoint = 1).
 * Outside the image the value is z[c] (so its gradient goes nowhere). */
static void warp_apply(const Warp *w, int C, int H, int W, const float *z, const float *src, float *dst,
                       int adjoint) {
    const double cy = 0.5 * (H - 1), cx = 0.5 * (W - 1);
    const size_t hw = (size_t)H * W;
    if (adjoint) memset(dst, 0, (size_t)C * hw * sizeof *dst);
    for (int oy = 0; oy < H; oy++)
        for (int ox = 0; ox < W; ox++) {
            const double py = oy - cy - w->ty, px = ox - cx - w->tx;
            const double sy = cy + w->a * py + w->b * px, sx = cx + w->c * py + w->d * px;
            const double fy0 = floor(sy), fx0 = floor(sx);
            const int y0 = (int)fy0, x0 = (int)fx0;
            const double fy = sy - fy0, fx = sx - fx0;
            const double wt[4] = {(1 - fy) * (1 - fx), (1 - fy) * fx, fy * (1 - fx), fy * fx};
            const int ty[4] = {y0, y0, y0 + 1, y0 + 1}, tx[4] = {x0, x0 + 1, x0, x0 + 1};
            const size_t o = (size_t)oy * W + ox;
            for (int c = 0; c < C; c++) {
                const float zc = z[c < 3 ? c : 2];
                if (!adjoint) {
                    double v = zc;
                    for (int k = 0; k < 4; k++)
                        if (wt[k] != 0 && ty[k] >= 0 && ty[k] < H && tx[k] >= 0 && tx[k] < W)
                            v += wt[k] * (src[c * hw + (size_t)ty[k] * W + tx[k]] - zc);
                    dst[c * hw + o] = (float)v;
                } else {
                    const double gv = src[c * hw + o];
                    for (int k = 0; k < 4; k++)
                        if (wt[k] != 0 && ty[k] >= 0 && ty[k] < H && tx[k] >= 0 && tx[k] < W)
                            dst[c * hw + (size_t)ty[k] * W + tx[k]] += (float)(wt[k] * gv);
                }
            }
        }
}

/* ---- the regularisers of Yosinski et al. 2015 ------------------------------------------ */

/* One line of n values, stride apart, convolved with the 2r+1 taps k, edges clamped. */
static void blur_line(const float *src, float *dst, int n, size_t stride, const double *k, int r) {
    for (int j = 0; j < n; j++) {
        double v = 0;
        for (int i = -r; i <= r; i++) {
            int q = j + i;
            q = q < 0 ? 0 : q >= n ? n - 1 : q;
            v += k[i + r] * src[(size_t)q * stride];
        }
        dst[(size_t)j * stride] = (float)v;
    }
}

/* Separable Gaussian blur of each channel, edges clamped; tmp holds H*W floats. */
static void blur(float *x, int C, int H, int W, float sigma, float *tmp) {
    if (sigma <= 0) return;
    int r = (int)ceil(3.0 * sigma);
    if (r > 32) r = 32;
    double k[65], sum = 0;
    for (int i = -r; i <= r; i++) sum += k[i + r] = exp(-0.5 * i * i / ((double)sigma * sigma));
    for (int i = 0; i <= 2 * r; i++) k[i] /= sum;
    for (int c = 0; c < C; c++) {
        float *p = x + (size_t)c * H * W;
        for (int y = 0; y < H; y++) /* rows into tmp */
            blur_line(p + (size_t)y * W, tmp + (size_t)y * W, W, 1, k, r);
        for (int xx = 0; xx < W; xx++) /* columns back */
            blur_line(tmp + xx, p + xx, H, (size_t)W, k, r);
    }
}

static int cmp_float(const void *a, const void *b) {
    const float u = *(const float *)a, v = *(const float *)b;
    return (u > v) - (u < v);
}

/* The fraction `frac` of pixels whose norm over the channels (from z) is
 * smallest set to z; tmp holds 2 H*W floats. */
static void clip_small(float *x, int C, int H, int W, const float *z, float frac, float *tmp) {
    const size_t hw = (size_t)H * W, n = (size_t)(frac * (double)hw);
    if (n == 0) return;
    for (size_t i = 0; i < hw; i++) {
        double s = 0;
        for (int c = 0; c < C; c++) {
            const double d = x[c * hw + i] - z[c < 3 ? c : 2];
            s += d * d;
        }
        tmp[i] = tmp[hw + i] = (float)s;
    }
    qsort(tmp + hw, hw, sizeof *tmp, cmp_float);
    const float thr = tmp[hw + n - 1];
    size_t cut = 0;
    for (size_t i = 0; i < hw && cut < n; i++) /* ties: the first in scan order, n at most */
        if (tmp[i] <= thr) {
            for (int c = 0; c < C; c++) x[c * hw + i] = z[c < 3 ? c : 2];
            cut++;
        }
}

/* ---- the run -------------------------------------------------------------------- */

int eng_featvis_run(EngGraph *g, const EngFeatvis *p, float *x, float *hist, EngFeatvisProgress progress,
                    void *ctx, char *err, size_t errlen) {
    if (fv_check(g, p, err, errlen) != 0) return -1;
    const EngNode *in = &g->nodes[0];
    const int C = in->out.C, H = in->out.H, W = in->out.W;
    const size_t hw = (size_t)H * W, n = (size_t)C * hw;
    float *xt = malloc(n * sizeof *xt), *gt = malloc(n * sizeof *gt), *gx = malloc(n * sizeof *gx);
    float *tmp = malloc(2 * hw * sizeof *tmp);
    if (!xt || !gt || !gx || !tmp) {
        free(xt), free(gt), free(gx), free(tmp);
        eng_set_err(err, errlen, "no memory for a %dx%dx%d input", C, H, W);
        return -1;
    }
    float z[3], lo[3], hi[3], range[3]; /* per channel: the rest value (0 in range), the bounds */
    for (int k = 0; k < 3; k++) {
        lo[k] = p->lo[k], hi[k] = p->hi[k], range[k] = hi[k] - lo[k];
        z[k] = 0.0f < lo[k] ? lo[k] : 0.0f > hi[k] ? hi[k] : 0.0f;
    }
    uint64_t rng = p->seed;
    /* the start: faint noise about the rest value (Olah et al. start near grey) */
    for (int c = 0; c < C; c++)
        for (size_t i = 0; i < hw; i++) {
            const int k = c < 3 ? c : 2;
            const float v = z[k] + (float)(0.05 * range[k] * gaussian(&rng));
            x[c * hw + i] = v < lo[k] ? lo[k] : v > hi[k] ? hi[k] : v;
        }
    int rc = 0;
    for (int s = 0; s < p->steps && rc == 0; s++) {
        const Warp w = draw_warp(p, &rng);
        warp_apply(&w, C, H, W, z, x, xt, 0);
        double obj;
        if (eng_featvis_objective(g, p, xt, &obj, gt, err, errlen) != 0) {
            rc = -1;
            break;
        }
        if (hist) hist[s] = (float)obj;
        warp_apply(&w, C, H, W, z, gt, gx, 1);
        double ss = 0;
        for (size_t i = 0; i < n; i++) ss += (double)gx[i] * gx[i];
        const double rms = sqrt(ss / (double)n);
        /* a normalised step: the ascent moves at the same pace whatever the gradient's scale */
        if (rms > 0 && isfinite(rms))
            for (int c = 0; c < C; c++) {
                const double step = p->lr * range[c < 3 ? c : 2] / rms;
                for (size_t i = 0; i < hw; i++) x[c * hw + i] += (float)(step * gx[c * hw + i]);
            }
        for (int c = 0; c < C; c++) { /* L2 decay towards the rest value */
            const float zc = z[c < 3 ? c : 2];
            for (size_t i = 0; i < hw; i++) x[c * hw + i] = zc + (1.0f - p->decay) * (x[c * hw + i] - zc);
        }
        if (p->blur_every && (s + 1) % p->blur_every == 0) blur(x, C, H, W, p->blur_sigma, tmp);
        if (p->clip > 0) clip_small(x, C, H, W, z, p->clip, tmp);
        for (int c = 0; c < C; c++) { /* a picture the preprocessing could have made */
            const int k = c < 3 ? c : 2;
            for (size_t i = 0; i < hw; i++) {
                float *v = &x[c * hw + i];
                *v = *v < lo[k] ? lo[k] : *v > hi[k] ? hi[k] : *v;
            }
        }
        if (progress && progress(ctx, s + 1, p->steps)) rc = 1;
    }
    free(xt), free(gt), free(gx), free(tmp);
    return rc;
}
