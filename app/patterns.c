/*
 * patterns.c — synthetic inputs that make early filters light up: oriented
 * gratings, an edge, a checkerboard, a centre spot and colour blobs, made in
 * pixel values (0..255) and preprocessed as the model's card says, like a
 * photo would be.
 */
#include <math.h>
#include <string.h>

#include "app.h"

static const char *const names[] = {"vertical grating", "horizontal grating", "diagonal grating",
                                    "vertical edge",    "checkerboard",       "centre spot",
                                    "colour blobs"};

int app_pattern_count(void) { return (int)(sizeof names / sizeof names[0]); }

const char *app_pattern_name(int k) {
    return k >= 0 && k < app_pattern_count() ? names[k] : "?";
}

/* Pattern k at (y, x) of an h x w picture, channel c of RGB, in 0..1. */
static float pixel(int k, int c, int y, int x, int h, int w) {
    const float period = (float)(h < w ? h : w) / 4.0f; /* four cycles across the picture */
    const float two_pi = 6.2831853f;
    switch (k) {
    case 0: return 0.5f + 0.5f * sinf(two_pi * (float)x / period);
    case 1: return 0.5f + 0.5f * sinf(two_pi * (float)y / period);
    case 2: return 0.5f + 0.5f * sinf(two_pi * (float)(x + y) / (period * 1.41421356f));
    case 3: return x < w / 2 ? 0.0f : 1.0f;
    case 4: return (((int)(x / (period / 2)) + (int)(y / (period / 2))) & 1) ? 1.0f : 0.0f;
    case 5: {
        float dy = (float)y - (h - 1) / 2.0f, dx = (float)x - (w - 1) / 2.0f, r = (h < w ? h : w) / 6.0f;
        return expf(-(dx * dx + dy * dy) / (2 * r * r));
    }
    default: { /* red, green and blue blobs on black */
        static const float cy[3] = {0.3f, 0.35f, 0.72f}, cx[3] = {0.3f, 0.7f, 0.5f};
        float dy = (float)y / h - cy[c < 3 ? c : 0], dx = (float)x / w - cx[c < 3 ? c : 0];
        return expf(-(dx * dx + dy * dy) / (2 * 0.12f * 0.12f));
    }
    }
}

void app_pattern(int k, const ModelCard *card, float *x, int C, int H, int W) {
    const ModelPreproc *p = &card->pre;
    for (int c = 0; c < C; c++) {
        /* network channel c reads RGB channel src (BGR cards reverse them) */
        int src = C == 1 ? -1 : p->bgr ? 2 - (c < 3 ? c : 2) : (c < 3 ? c : 2);
        float mean = p->mean[c < 3 ? c : 0], sd = p->std[c < 3 ? c : 0];
        for (int y = 0; y < H; y++)
            for (int xx = 0; xx < W; xx++) {
                float v;
                if (src < 0) /* grey: the luminance of the RGB pattern */
                    v = 0.299f * pixel(k, 0, y, xx, H, W) + 0.587f * pixel(k, 1, y, xx, H, W) +
                        0.114f * pixel(k, 2, y, xx, H, W);
                else
                    v = pixel(k, src, y, xx, H, W);
                if (k < 6 && src >= 0) v = pixel(k, 0, y, xx, H, W); /* grey patterns on every channel */
                x[((size_t)c * H + y) * W + xx] = (255.0f * v * p->scale - mean) / (sd != 0 ? sd : 1);
            }
    }
}
