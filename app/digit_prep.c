/*
 * digit_prep.c — a drawing or photo into a 28x28 picture as MNIST or
 * Fashion-MNIST were made, and the canvas's pen (digit_prep.h).
 */
#include "digit_prep.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

DigitPrepStyle digit_prep_style(const char *data, int C) {
    if (C != 1 || !data) return DIGIT_PREP_NONE;
    if (!strcmp(data, "digits")) return DIGIT_PREP_MNIST;
    if (!strcmp(data, "fashion")) return DIGIT_PREP_FASHION;
    return DIGIT_PREP_NONE;
}

const char *digit_invert_name(DigitInvert m) {
    return m == DIGIT_INVERT_ON ? "on" : m == DIGIT_INVERT_OFF ? "off" : "auto";
}

void digit_canvas_size(int H, int W, int *ch, int *cw) {
    const int lo = H < W ? H : W, hi = H < W ? W : H;
    int k = lo > 0 ? (112 + lo - 1) / lo : 1;
    if (hi > 0 && (long)hi * k > 1024) k = 1024 / hi;
    if (k < 1) k = 1;
    *ch = H * k, *cw = W * k;
}

float digit_brush_width(int level, int side) {
    static const float units[DIGIT_BRUSH_LEVELS] = {1.3f, 1.9f, 2.6f, 3.4f, 4.3f, 5.3f};
    if (level < 1) level = 1;
    if (level > DIGIT_BRUSH_LEVELS) level = DIGIT_BRUSH_LEVELS;
    return units[level - 1] * (float)side / DIGIT_SIDE;
}

void digit_brush(float *img, int h, int w, float y0, float x0, float y1, float x1, float width) {
    if (!img || h < 1 || w < 1 || !(width > 0)) return;
    const float k = (float)(h < w ? h : w) / DIGIT_SIDE; /* one field pixel */
    const float r_in = fmaxf(0.0f, width / 2 - k / 2), r_out = width / 2 + k / 2;
    const float ya = floorf(fminf(y0, y1) - r_out), yb = ceilf(fmaxf(y0, y1) + r_out);
    const float xa = floorf(fminf(x0, x1) - r_out), xb = ceilf(fmaxf(x0, x1) + r_out);
    if (!(yb >= 0 && ya < h && xb >= 0 && xa < w)) return; /* also NaN */
    const float dy = y1 - y0, dx = x1 - x0, len2 = dy * dy + dx * dx;
    for (int py = ya < 0 ? 0 : (int)ya; py <= yb && py < h; py++)
        for (int px = xa < 0 ? 0 : (int)xa; px <= xb && px < w; px++) {
            float cy = py + 0.5f, cx = px + 0.5f, t = 0;
            if (len2 > 0) t = fmaxf(0, fminf(1, ((cy - y0) * dy + (cx - x0) * dx) / len2));
            float ey = cy - (y0 + t * dy), ex = cx - (x0 + t * dx), d = sqrtf(ey * ey + ex * ex);
            float v = fmaxf(0, fminf(1, (r_out - d) / (r_out - r_in)));
            float *c = &img[(size_t)py * w + px];
            if (v > *c) *c = v;
        }
}

/* Mean of the ring `r` pixels wide along the border of img. */
static float border_mean(const float *img, int h, int w, int r) {
    double s = 0;
    size_t n = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            if (y < r || y >= h - r || x < r || x >= w - r) s += img[(size_t)y * w + x], n++;
    return n ? (float)(s / n) : 0.0f;
}

int digit_dark_on_light(const float *img, int h, int w) {
    if (!img || h < 1 || w < 1) return 0;
    const int side = h < w ? h : w, r = side / 16 > 1 ? side / 16 : 1;
    const float border = border_mean(img, h, w, r);
    double s = 0;
    size_t n = 0;
    for (int y = h / 4; y < h - h / 4; y++)
        for (int x = w / 4; x < w - w / 4; x++) s += img[(size_t)y * w + x], n++;
    const float middle = n ? (float)(s / n) : border;
    return border > 0.5f && border >= middle;
}

/* For destination cells [0, dn) over source coordinates [a0, a1): cell i's
 * source span, at least one source cell wide, as first cell, count and
 * weights (the overlaps, divided by the span). Returns the weights' count. */
static int span_weights(float a0, float a1, int dn, int i, int sn, int *first, float *wt, int cap) {
    float a = a0 + (a1 - a0) * (float)i / dn, b = a0 + (a1 - a0) * (float)(i + 1) / dn;
    if (b - a < 1.0f) {
        const float c = (a + b) / 2;
        a = c - 0.5f, b = c + 0.5f;
    }
    const float len = b - a;
    int j0 = (int)floorf(a), n = 0;
    *first = j0;
    for (int j = j0; (float)j < b && n < cap; j++, n++) {
        float o = fminf(b, (float)j + 1) - fmaxf(a, (float)j);
        wt[n] = j >= 0 && j < sn && o > 0 ? o / len : 0.0f; /* outside the picture: black */
    }
    return n;
}

void digit_resample(const float *src, int sh, int sw, float y0, float x0, float y1, float x1, float *dst,
                    int dh, int dw) {
    if (!dst || dh < 1 || dw < 1) return;
    memset(dst, 0, (size_t)dh * dw * sizeof *dst);
    if (!src || sh < 1 || sw < 1 || !(y1 > y0) || !(x1 > x0)) return;
    enum { CAP = 1 << 14 }; /* a destination cell spans at most this many source cells */
    float *tmp = calloc((size_t)sh * dw, sizeof *tmp), *wt = malloc(CAP * sizeof *wt);
    if (!tmp || !wt) {
        free(tmp), free(wt);
        return;
    }
    for (int i = 0; i < dw; i++) { /* along the rows */
        int j0, n = span_weights(x0, x1, dw, i, sw, &j0, wt, CAP);
        for (int y = 0; y < sh; y++) {
            const float *row = src + (size_t)y * sw;
            float s = 0;
            for (int k = 0; k < n; k++)
                if (wt[k] > 0) s += wt[k] * row[j0 + k];
            tmp[(size_t)y * dw + i] = s;
        }
    }
    for (int i = 0; i < dh; i++) { /* then down the columns */
        int j0, n = span_weights(y0, y1, dh, i, sh, &j0, wt, CAP);
        for (int k = 0; k < n; k++) {
            if (wt[k] <= 0) continue;
            const float *row = tmp + (size_t)(j0 + k) * dw;
            for (int x = 0; x < dw; x++) dst[(size_t)i * dw + x] += wt[k] * row[x];
        }
    }
    free(tmp);
    free(wt);
}

/* Centre of mass of a 28 x 28 picture (pixel centres at i + 0.5). */
static void centre_of_mass(const float *p, float *cy, float *cx) {
    double s = 0, sy = 0, sx = 0;
    for (int y = 0; y < DIGIT_SIDE; y++)
        for (int x = 0; x < DIGIT_SIDE; x++) {
            const double v = p[y * DIGIT_SIDE + x];
            s += v, sy += v * (y + 0.5), sx += v * (x + 0.5);
        }
    *cy = s > 0 ? (float)(sy / s) : DIGIT_SIDE / 2.0f;
    *cx = s > 0 ? (float)(sx / s) : DIGIT_SIDE / 2.0f;
}

/* The ink of v (h, w) negated if asked, its background (the border's level)
 * taken to 0 and its brightest to 1; its bounding box into info. 0, or -1
 * when there is no ink. */
static int ink_levels(float *v, int h, int w, DigitPrepInfo *info) {
    const size_t n = (size_t)h * w;
    const int side = h < w ? h : w, r = side / 16 > 1 ? side / 16 : 1;
    const float bg = border_mean(v, h, w, r);
    float peak = 0;
    for (size_t i = 0; i < n; i++) peak = v[i] > peak ? v[i] : peak;
    if (!(peak - bg > 0.1f)) return -1;
    int y0 = h, y1 = -1, x0 = w, x1 = -1;
    for (size_t i = 0; i < n; i++) {
        float t = (v[i] - bg) / (peak - bg);
        v[i] = t < 0.05f ? 0.0f : t > 1 ? 1.0f : t; /* paper grain is no ink */
        if (v[i] > 0.2f) {
            const int y = (int)(i / (size_t)w), x = (int)(i % (size_t)w);
            y0 = y < y0 ? y : y0, y1 = y > y1 ? y : y1, x0 = x < x0 ? x : x0, x1 = x > x1 ? x : x1;
        }
    }
    if (y1 < 0) return -1;
    info->box_y = y0, info->box_x = x0, info->box_h = y1 - y0 + 1, info->box_w = x1 - x0 + 1;
    return 0;
}

/* The mean width of the strokes of v (h, w; background 0): twice the ink
 * over the length of its edges (a stroke w wide and L long has ink w L and
 * edges 2 L long), the edges' length as the sum of the gradient's norm. */
static float stroke_width(const float *v, int h, int w) {
    double ink = 0, edge = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            const float a = v[(size_t)y * w + x];
            const float gx = (x + 1 < w ? v[(size_t)y * w + x + 1] : 0) - a;
            const float gy = (y + 1 < h ? v[(size_t)(y + 1) * w + x] : 0) - a;
            ink += a, edge += sqrtf(gx * gx + gy * gy);
        }
    return edge > 0 ? (float)(2 * ink / edge) : 0.0f;
}

/* Strokes of v (h, w) made r pixels narrower on each side: the ink's
 * distance to the background (chamfer 1 / sqrt 2, two passes), less r, as
 * the new ink (soft over one pixel). 0, or -1 (v untouched) when nothing
 * would be left or there is no memory. */
static int thin_strokes(float *v, int h, int w, float r) {
    const size_t n = (size_t)h * w;
    float *d = malloc(n * sizeof *d);
    if (!d) return -1;
    const float big = (float)(h + w), diag = 1.41421356f;
    for (size_t i = 0; i < n; i++) d[i] = v[i] >= 0.5f ? big : 0.0f;
#define D(y, x) ((y) >= 0 && (y) < h && (x) >= 0 && (x) < w ? d[(size_t)(y) * w + (x)] : 0.0f)
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            float *c = &d[(size_t)y * w + x];
            if (*c == 0) continue;
            *c = fminf(*c, fminf(D(y, x - 1) + 1, D(y - 1, x) + 1));
            *c = fminf(*c, fminf(D(y - 1, x - 1) + diag, D(y - 1, x + 1) + diag));
        }
    for (int y = h - 1; y >= 0; y--)
        for (int x = w - 1; x >= 0; x--) {
            float *c = &d[(size_t)y * w + x];
            if (*c == 0) continue;
            *c = fminf(*c, fminf(D(y, x + 1) + 1, D(y + 1, x) + 1));
            *c = fminf(*c, fminf(D(y + 1, x + 1) + diag, D(y + 1, x - 1) + diag));
        }
#undef D
    int left = 0;
    for (size_t i = 0; i < n; i++) {
        d[i] = fmaxf(0.0f, fminf(1.0f, d[i] - r));
        left |= d[i] > 0.5f;
    }
    if (left) memcpy(v, d, n * sizeof *v);
    free(d);
    return left ? 0 : -1;
}

/* The widest stroke MNIST's digits have, in field pixels: the 90th
 * percentile of stroke_width over 505 of the digits (median 2.34, 90th
 * 3.31, 97th 3.74). A drawing with a wider pen, or written small with the
 * same pen, is thinned to it: scaled up to 20 pixels, its strokes would
 * otherwise run together into blobs no digit of the data set looks like. */
#define MNIST_STROKE_MAX 3.3f

int digit_prep(const float *img, int h, int w, DigitPrepStyle style, DigitInvert inv,
               float out[DIGIT_SIDE * DIGIT_SIDE], DigitPrepInfo *info) {
    DigitPrepInfo in = {0};
    memset(out, 0, DIGIT_SIDE * DIGIT_SIDE * sizeof *out);
    if (info) *info = in;
    if (!img || h < 1 || w < 1) return 0;
    const size_t n = (size_t)h * w;
    float *v = malloc(n * sizeof *v);
    if (!v) return -1;
    in.inverted = inv == DIGIT_INVERT_ON || (inv == DIGIT_INVERT_AUTO && digit_dark_on_light(img, h, w));
    for (size_t i = 0; i < n; i++) v[i] = in.inverted ? 1.0f - img[i] : img[i];
    if (style == DIGIT_PREP_NONE) {
        digit_resample(v, h, w, 0, 0, (float)h, (float)w, out, DIGIT_SIDE, DIGIT_SIDE);
    } else if (ink_levels(v, h, w, &in) != 0) {
        in.empty = 1;
    } else {
        const float s0 = 20.0f / (float)(in.box_h > in.box_w ? in.box_h : in.box_w);
        const float sw = stroke_width(v, h, w);
        if (style == DIGIT_PREP_MNIST && sw * s0 > MNIST_STROKE_MAX &&
            thin_strokes(v, h, w, (sw - MNIST_STROKE_MAX / s0) / 2) == 0)
            ink_levels(v, h, w, &in); /* the box shrank with the strokes */
        /* the box's longest side to 20 (MNIST) or 28 (Fashion-MNIST), its
         * aspect kept: the field's 28 pixels then cover 28 / s source pixels,
         * the box starting at (oy, ox) in the field */
        const float fit = style == DIGIT_PREP_MNIST ? 20.0f : (float)DIGIT_SIDE;
        const float s = fit / (float)(in.box_h > in.box_w ? in.box_h : in.box_w);
        float oy = (DIGIT_SIDE - in.box_h * s) / 2, ox = (DIGIT_SIDE - in.box_w * s) / 2;
        const float span = DIGIT_SIDE / s;
        digit_resample(v, h, w, in.box_y - oy / s, in.box_x - ox / s, in.box_y - oy / s + span,
                       in.box_x - ox / s + span, out, DIGIT_SIDE, DIGIT_SIDE);
        if (style == DIGIT_PREP_MNIST) { /* again, the centre of mass at the field's centre */
            float cy, cx;
            centre_of_mass(out, &cy, &cx);
            oy += DIGIT_SIDE / 2.0f - cy, ox += DIGIT_SIDE / 2.0f - cx;
            digit_resample(v, h, w, in.box_y - oy / s, in.box_x - ox / s, in.box_y - oy / s + span,
                           in.box_x - ox / s + span, out, DIGIT_SIDE, DIGIT_SIDE);
        }
    }
    free(v);
    if (info) *info = in;
    return 0;
}

static float normalised(float v, const ModelPreproc *pre, int c) {
    const float mean = pre->mean[c < 3 ? c : 0], sd = pre->std[c < 3 ? c : 0];
    return (255.0f * v * pre->scale - mean) / (sd != 0 ? sd : 1);
}

void digit_to_input(const float *d28, const ModelPreproc *pre, float *x, int C, int H, int W) {
    const int oy = (H - DIGIT_SIDE) / 2, ox = (W - DIGIT_SIDE) / 2; /* as app_fill_batch places them */
    for (int c = 0; c < C; c++)
        for (int y = 0; y < H; y++)
            for (int xx = 0; xx < W; xx++) {
                const int sy = y - oy, sx = xx - ox;
                const float v = sy >= 0 && sy < DIGIT_SIDE && sx >= 0 && sx < DIGIT_SIDE
                                    ? d28[sy * DIGIT_SIDE + sx] : 0.0f;
                x[((size_t)c * H + y) * W + xx] = normalised(v, pre, c);
            }
}

void digit_plain_input(const float *img, int h, int w, const ModelPreproc *pre, float *x, int C, int H,
                       int W) {
    const size_t plane = (size_t)H * W;
    digit_resample(img, h, w, 0, 0, (float)h, (float)w, x, H, W); /* the first plane */
    for (int c = C - 1; c >= 0; c--)
        for (size_t i = 0; i < plane; i++) x[(size_t)c * plane + i] = normalised(x[i], pre, c);
}
