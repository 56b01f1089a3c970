/*
 * viz_probe.c — the pictures of what a unit responds to: the top-9 grid
 * (projections beside receptive-field patches) and the occlusion maps. The
 * window and the top9 / occlude commands draw them with the same code.
 */
#include <math.h>
#include <stdio.h>

#include "viz.h"

#define DIM (viz_dim())

void viz_draw_top9(SDL_Renderer *r, const VizFonts *f, SDL_Rect area, int C,
                   const float *const *proj, const float *const *patch, const int *ph, const int *pw,
                   const char *const *captions, int n, const char *left_title, const char *right_title) {
    const int gap = 12, title = f->small_line + 8;
    /* two 3x3 grids side by side, square tiles as large as fit; the captions
     * under the patches take two lines when one is wider than its column */
    int cap = f->small_line + 4, tile = 16;
    for (int pass = 0; pass < 2; pass++) {
        int tile_w = (area.w - 5 * gap - 2 * gap) / 6;
        int tile_h = (area.h - title - 3 * (cap + gap)) / 3;
        tile = tile_w < tile_h ? tile_w : tile_h;
        if (tile < 16) tile = 16;
        int lines = 1;
        for (int k = 0; captions && k < n && k < 9; k++) {
            int hk = captions[k] ? viz_text_wrap(NULL, f->small, 0, 0, tile + gap - 4, DIM, captions[k]) : 0;
            if (hk / f->small_line > lines) lines = hk / f->small_line;
        }
        if (lines * f->small_line + 4 == cap) break;
        cap = lines * f->small_line + 4;
    }
    const int grid_w = 3 * tile + 2 * gap;
    const int left = area.x, right = area.x + grid_w + 3 * gap;
    viz_text_fit(r, f->small, left, area.y, right - left - 3 * gap, DIM, left_title);
    viz_text_fit(r, f->small, right, area.y, area.x + area.w - right, DIM, right_title);
    for (int k = 0; k < n && k < 9; k++) {
        int gx = (k % 3) * (tile + gap), gy = area.y + title + (k / 3) * (tile + cap + gap);
        SDL_Rect a = {left + gx, gy, tile, tile}, b = {right + gx, gy, tile, tile};
        if (proj[k]) viz_draw_planes(r, f, proj[k], C, ph[k], pw[k], a, 1, NULL);
        if (patch[k]) viz_draw_planes(r, f, patch[k], C, ph[k], pw[k], b, 0, NULL);
        int shown_h = pw[k] >= ph[k] ? tile * ph[k] / (pw[k] > 0 ? pw[k] : 1) : tile;
        if (captions && captions[k])
            viz_text_wrap(r, f->small, b.x, gy + shown_h + 2, tile + gap - 4, DIM, captions[k]);
    }
}

void viz_draw_occlusion(SDL_Renderer *r, const VizFonts *f, SDL_Rect area, const float *img, int C,
                        int H, int W, const float *maps, int OH, int OW, const char *const *captions,
                        const char *const *labels, int n_labels) {
    const int gap = 20;
    int panel = (area.w - 3 * gap) / 4;
    /* captions above the panels, in as many lines as the longest needs */
    int cap = f->small_line;
    for (int m = 0; m < 4; m++) {
        int hm = viz_text_wrap(NULL, f->small, 0, 0, panel + gap - 6, DIM, captions[m]);
        if (hm > cap) cap = hm;
    }
    cap += 4;
    int legend = 2 * (f->small_line + 8) + 8;
    const char *const units[2] = {"the channel's total, the square at that place",
                                  "the class's probability, the square at that place"};
    for (int m = 0; m < 2; m++) {
        int bh = 10 + viz_colour_bar(NULL, f, (SDL_Rect){0, 0, panel, 10}, 0.0f, 1.0f, VIZ_BAR_VIRIDIS, units[m]);
        if (bh > legend) legend = bh;
    }
    if (panel > area.h - cap - legend) panel = area.h - cap - legend;
    if (panel < 32) panel = 32;
    viz_text_wrap(r, f->small, area.x, area.y, panel + gap - 6, DIM, captions[0]);
    SDL_Rect p0 = {area.x, area.y + cap, panel, panel};
    viz_draw_planes(r, f, img, C, H, W, p0, 0, NULL);
    /* activation and probability: viridis; the class map: one colour per class */
    for (int m = 0; m < 3; m++) {
        SDL_Rect a = {area.x + (m + 1) * (panel + gap), area.y, panel, panel + cap};
        const float *v = maps + (size_t)m * OH * OW;
        viz_text_wrap(r, f->small, a.x, a.y, panel + gap - 6, DIM, captions[m + 1]);
        int cw = panel / OW > 0 ? panel / OW : 1, chh = panel / OH > 0 ? panel / OH : 1;
        float lo = v[0], hi = v[0];
        for (int i = 1; i < OH * OW; i++) lo = fminf(lo, v[i]), hi = fmaxf(hi, v[i]);
        if (m == 1) lo = 0.0f, hi = 1.0f;
        for (int i = 0; i < OH * OW; i++) {
            SDL_Color col = m == 2 ? viz_palette((int)v[i])
                                   : viz_colormap(hi > lo ? (v[i] - lo) / (hi - lo) : 0.5f);
            SDL_SetRenderDrawColor(r, col.r, col.g, col.b, 255);
            SDL_Rect px = {a.x + (i % OW) * cw, a.y + cap + (i / OW) * chh, cw, chh};
            SDL_RenderFillRect(r, &px);
        }
        if (m < 2) /* the scale: the map's own range, probability 0..1 */
            viz_colour_bar(r, f, (SDL_Rect){a.x, a.y + cap + OH * chh + 10, panel, 10}, lo, hi, VIZ_BAR_VIRIDIS,
                           units[m]);
    }
    /* the classes the class map uses, with their colours */
    int lx = area.x + 3 * (panel + gap), ly = area.y + cap + panel + 10;
    int seen[1000] = {0}, row = 0;
    for (int i = 0; i < OH * OW; i++) {
        int k = (int)maps[(size_t)2 * OH * OW + i];
        if (k >= 0 && k < 1000) seen[k] = 1;
    }
    for (int k = 0; k < 1000 && row < 8; k++) {
        if (!seen[k]) continue;
        SDL_Color c = viz_palette(k);
        SDL_SetRenderDrawColor(r, c.r, c.g, c.b, 255);
        SDL_Rect sw = {lx + (row % 2) * (panel / 2), ly + (row / 2) * (f->small_line + 6) + 3, 14, 14};
        SDL_RenderFillRect(r, &sw);
        char num[16];
        snprintf(num, sizeof num, "%d", k);
        viz_text(r, f->small, sw.x + 20, sw.y - 3, DIM, labels && k < n_labels ? labels[k] : num);
        row++;
    }
}
