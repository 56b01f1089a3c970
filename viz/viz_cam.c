/*
 * viz_cam.c — Grad-CAM's picture: the map upsampled over the input it
 * explains, the map at the layer's own size, guided Grad-CAM if there is
 * one, and a colour bar that says what the colours are worth. The window
 * and the gradcam command draw it with the same code.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "viz.h"

#define DIM (viz_dim())

/* The input as 0..255 grey or RGB at (y, x): each channel stretched over its range. */
static void input_rgb(const float *img, int C, int H, int W, const float *lo, const float *hi, int y,
                      int x, float rgb[3]) {
    for (int k = 0; k < 3; k++) {
        const int c = C >= 3 ? k : 0;
        const float v = img[((size_t)c * H + y) * W + x];
        rgb[k] = hi[c] > lo[c] ? 255.0f * (v - lo[c]) / (hi[c] - lo[c]) : 128.0f;
    }
}

/* The upsampled map (H, W) over the input, half and half, into a texture (destroy it). */
static SDL_Texture *overlay_texture(SDL_Renderer *r, const float *img, int C, int H, int W,
                                    const float *up, float top) {
    float lo[3] = {0}, hi[3] = {0};
    const int CC = C >= 3 ? 3 : 1;
    for (int c = 0; c < CC; c++) {
        const float *p = img + (size_t)c * H * W;
        lo[c] = hi[c] = p[0];
        for (size_t i = 1; i < (size_t)H * W; i++) lo[c] = fminf(lo[c], p[i]), hi[c] = fmaxf(hi[c], p[i]);
    }
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, W, H, 32, SDL_PIXELFORMAT_RGBA32);
    if (!s) return NULL;
    SDL_LockSurface(s);
    for (int y = 0; y < H; y++) {
        Uint8 *row = (Uint8 *)s->pixels + (size_t)y * s->pitch;
        for (int x = 0; x < W; x++) {
            float rgb[3];
            input_rgb(img, C, H, W, lo, hi, y, x, rgb);
            const float t = top > 0 ? up[(size_t)y * W + x] / top : 0.0f;
            const SDL_Color h = viz_colormap(t < 0 ? 0 : t > 1 ? 1 : t);
            const float heat[3] = {h.r, h.g, h.b};
            for (int k = 0; k < 3; k++) row[4 * x + k] = (Uint8)(0.45f * rgb[k] + 0.55f * heat[k]);
            row[4 * x + 3] = 255;
        }
    }
    SDL_UnlockSurface(s);
    SDL_Texture *t = SDL_CreateTextureFromSurface(r, s);
    SDL_FreeSurface(s);
    return t;
}

/* A w x h picture fitted in the square `box`, centred at its top. */
static SDL_Rect fit(SDL_Rect box, int w, int h) {
    SDL_Rect d = box;
    if (w >= h) d.h = box.w * h / (w > 0 ? w : 1);
    else d.w = box.h * w / (h > 0 ? h : 1), d.x = box.x + (box.w - d.w) / 2;
    return d;
}

/* The map at its own size, one rectangle a unit, 0..top. */
static void raw_map(SDL_Renderer *r, SDL_Rect box, const float *map, int h, int w, float top) {
    const SDL_Rect d = fit(box, w, h);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            const float t = top > 0 ? map[(size_t)y * w + x] / top : 0.0f;
            const SDL_Color c = viz_colormap(t < 0 ? 0 : t > 1 ? 1 : t);
            SDL_SetRenderDrawColor(r, c.r, c.g, c.b, 255);
            SDL_Rect px = {d.x + x * d.w / w, d.y + y * d.h / h, (x + 1) * d.w / w - x * d.w / w,
                           (y + 1) * d.h / h - y * d.h / h};
            SDL_RenderFillRect(r, &px);
        }
}

void viz_draw_gradcam(SDL_Renderer *r, const VizFonts *f, SDL_Rect area, const VizGradcam *g) {
    const int gap = 20, panels = g->guided ? 4 : 3;
    int panel = (area.w - (panels - 1) * gap) / panels;
    int cap = f->small_line;
    for (int m = 0; m < panels; m++) {
        const int hm = g->captions[m] ? viz_text_wrap(NULL, f->small, 0, 0, panel + gap - 6, DIM, g->captions[m]) : 0;
        if (hm > cap) cap = hm;
    }
    cap += 4;
    const int bar_h = 12, legend = bar_h + 12 + 3 * f->small_line;
    if (panel > area.h - cap - legend) panel = area.h - cap - legend;
    if (panel < 32) panel = 32;
    float top = 0.0f;
    for (size_t i = 0; i < (size_t)g->h * g->w; i++) top = fmaxf(top, g->map[i]);
    for (int m = 0; m < panels; m++) {
        const int x = area.x + m * (panel + gap);
        if (g->captions[m]) viz_text_wrap(r, f->small, x, area.y, panel + gap - 6, DIM, g->captions[m]);
        SDL_Rect box = {x, area.y + cap, panel, panel};
        if (m == 0) {
            viz_draw_planes(r, f, g->img, g->C, g->H, g->W, box, 0, NULL);
        } else if (m == 1) {
            float *up = malloc((size_t)g->H * g->W * sizeof *up);
            SDL_Texture *t = NULL;
            if (up) {
                eng_cam_upsample(g->map, g->h, g->w, up, g->H, g->W);
                t = overlay_texture(r, g->img, g->C, g->H, g->W, up, top);
            }
            const SDL_Rect d = fit(box, g->W, g->H);
            if (t) SDL_RenderCopy(r, t, NULL, &d);
            if (t) SDL_DestroyTexture(t);
            free(up);
            viz_colour_bar(r, f, (SDL_Rect){x, d.y + d.h + 10, panel, bar_h}, 0.0f, top, VIZ_BAR_VIRIDIS, g->units);
        } else if (m == 2) {
            raw_map(r, box, g->map, g->h, g->w, top);
        } else {
            viz_draw_planes(r, f, g->guided, g->C, g->H, g->W, box, 1, NULL);
        }
    }
}
