/*
 * viz_rf.c — the receptive-field growth chart: for several networks at
 * once, the field of one unit (pixels) against the weighted layers from the
 * input (Araujo et al., Distill 2019), with a chip per network to show or
 * hide it and a legend of each one's depth and final field. The curves
 * arrive as numbers (VizRfCurve); the window (app/gui_compare.c) makes them
 * from the engine's graphs and keeps which are shown.
 */
#include <stdio.h>

#include "viz.h"

#define INK (viz_ink())
#define DIM (viz_dim())

static void right(SDL_Renderer *r, TTF_Font *font, int xr, int y, SDL_Color c, const char *s) {
    int tw = 0, th = 0;
    if (viz_text_size(font, s, &tw, &th) != 0) tw = 0;
    viz_text(r, font, xr - tw, y, c, s);
}

/* Chip k, drawn when r is given. */
static SDL_Rect rf_chip(SDL_Renderer *r, const VizFonts *f, const VizRfCurve *c, int k) {
    int tw = 0, th = 0;
    if (viz_text_size(f->small, "networks:", &tw, &th) != 0) tw = 0;
    int x = 24 + tw + 10, y = 8 + 2 * f->line + 12;
    for (int i = 0; i < k; i++) x += viz_chip(NULL, f, x, y, c[i].name, 0).w + 8;
    return viz_chip(r, f, x, y, c[k].name, c[k].on);
}

SDL_Rect viz_rf_chip(const VizFonts *f, const VizRfCurve *c, int k) { return rf_chip(NULL, f, c, k); }

/* The axes: the largest depth and field drawn (the input's side at least),
 * gridded in round steps. */
typedef struct {
    SDL_Rect plot;
    int64_t ystep, ytop;
    int xstep, xmax;
} RfAxes;

static RfAxes rf_axes(const VizRfCurve *c, int n, SDL_Rect plot) {
    int64_t ymax = 1;
    int xmax = 1;
    for (int k = 0; k < n; k++) {
        if (!c[k].on || !c[k].n_pts) continue;
        if (c[k].size[c[k].n_pts - 1] > ymax) ymax = c[k].size[c[k].n_pts - 1];
        if (c[k].size_w && c[k].size_w[c[k].n_pts - 1] > ymax) ymax = c[k].size_w[c[k].n_pts - 1];
        if (c[k].depth[c[k].n_pts - 1] > xmax) xmax = c[k].depth[c[k].n_pts - 1];
        if (c[k].input > ymax) ymax = c[k].input;
    }
    RfAxes a = {plot, 0, 0, 0, xmax};
    a.ystep = ymax > 1500 ? 500 : ymax > 600 ? 200 : ymax > 250 ? 100 : ymax > 100 ? 50 : 10;
    a.ytop = (ymax / a.ystep + 1) * a.ystep;
    a.xstep = xmax > 100 ? 20 : xmax > 40 ? 10 : xmax > 15 ? 5 : 1;
    return a;
}

/* The plot's frame, grid and labels, and the input's side as a dashed line. */
static void rf_draw_axes(SDL_Renderer *r, const VizFonts *f, const RfAxes *a) {
    const SDL_Rect plot = a->plot;
    SDL_SetRenderDrawColor(r, 30, 33, 40, 255);
    SDL_RenderFillRect(r, &plot);
    SDL_SetRenderDrawColor(r, 80, 86, 100, 255);
    SDL_RenderDrawRect(r, &plot);
    char t[64];
    for (int64_t yv = 0; yv <= a->ytop; yv += a->ystep) {
        int py = plot.y + plot.h - (int)(plot.h * yv / a->ytop);
        SDL_SetRenderDrawColor(r, 48, 52, 62, 255);
        SDL_RenderDrawLine(r, plot.x, py, plot.x + plot.w, py);
        snprintf(t, sizeof t, "%lld", (long long)yv);
        right(r, f->small, plot.x - 8, py - f->small_line / 2, DIM, t);
    }
    for (int xv = 0; xv <= a->xmax; xv += a->xstep) {
        int px = plot.x + plot.w * xv / a->xmax;
        SDL_SetRenderDrawColor(r, 48, 52, 62, 255);
        SDL_RenderDrawLine(r, px, plot.y, px, plot.y + plot.h);
        snprintf(t, sizeof t, "%d", xv);
        viz_text(r, f->small, px - 4, plot.y + plot.h + 4, DIM, t);
    }
    viz_text_fit(r, f->small, plot.x, plot.y + plot.h + f->small_line + 8, plot.w, DIM,
             "weighted layers (conv, FC) from the input  ·  y: receptive field of one unit, pixels: "
             "its height (its width thin, where it differs; Araujo et al., Distill 2019)");
    /* the input's side: beyond it a unit sees the whole image and more */
    int iy = plot.y + plot.h - (int)(plot.h * 224 / a->ytop);
    SDL_SetRenderDrawColor(r, 120, 120, 120, 255);
    for (int x = plot.x; x < plot.x + plot.w; x += 12) SDL_RenderDrawLine(r, x, iy, x + 6, iy);
    viz_text(r, f->small, plot.x + 6, iy - f->small_line - 2, DIM, "224 px: the whole ImageNet input");
}

/* Curve k (drawn in the colour already set): a thick line through dots, the
 * field's height; its width as a thin line with small dots where a kernel,
 * stride or pad that is not square makes it differ. */
static void rf_draw_curve(SDL_Renderer *r, const RfAxes *a, const VizRfCurve *c) {
    const SDL_Rect plot = a->plot;
    int differs = 0;
    for (int p = 0; c->size_w && p < c->n_pts; p++) differs |= c->size_w[p] != c->size[p];
    for (int p = 0, qx = -1, qy = -1; differs && p < c->n_pts; p++) {
        int px = plot.x + plot.w * c->depth[p] / a->xmax;
        int py = plot.y + plot.h - (int)(plot.h * c->size_w[p] / a->ytop);
        if (qx >= 0) SDL_RenderDrawLine(r, qx, qy, px, py);
        SDL_Rect dot = {px - 1, py - 1, 3, 3};
        SDL_RenderDrawRect(r, &dot);
        qx = px, qy = py;
    }
    int px0 = -1, py0 = -1;
    for (int p = 0; p < c->n_pts; p++) {
        int px = plot.x + plot.w * c->depth[p] / a->xmax;
        int py = plot.y + plot.h - (int)(plot.h * c->size[p] / a->ytop);
        if (px0 >= 0) {
            SDL_RenderDrawLine(r, px0, py0, px, py);
            SDL_RenderDrawLine(r, px0, py0 + 1, px, py + 1);
        }
        SDL_Rect dot = {px - 2, py - 2, 5, 5};
        SDL_RenderFillRect(r, &dot);
        px0 = px, py0 = py;
    }
}

void viz_draw_rf_chart(SDL_Renderer *r, const VizFonts *f, const VizRfCurve *c, int n, const char *note,
                       int w, int h) {
    viz_clear(r);
    viz_text(r, f->sans_big, 24, 8, INK, "Receptive field, layer by layer");
    int cy = 8 + 2 * f->line + 12;
    viz_text(r, f->small, 24, cy + 4, DIM, "networks:");
    for (int k = 0; k < n; k++) rf_chip(r, f, c, k);
    const int top = cy + f->small_line + 8 + 24, bottom = h - 24 - 2 * f->small_line - 8;
    const RfAxes a = rf_axes(c, n, (SDL_Rect){24 + 64, top, w - 2 * 24 - 64 - 220,
                                              bottom - top - f->small_line - 8});
    rf_draw_axes(r, f, &a);
    char t[64];
    int ly = a.plot.y;
    for (int k = 0; k < n; k++) {
        if (!c[k].on || !c[k].n_pts) continue;
        SDL_Color col = viz_palette(k);
        SDL_SetRenderDrawColor(r, col.r, col.g, col.b, 255);
        rf_draw_curve(r, &a, &c[k]);
        /* legend: name, depth and final field */
        SDL_Rect sw = {a.plot.x + a.plot.w + 20, ly + 4, 14, 14};
        SDL_RenderFillRect(r, &sw);
        /* a file's name may be longer than the legend: cut at the window's edge */
        const SDL_Rect name_box = {sw.x + 20, ly, w - 8 - (sw.x + 20), TTF_FontHeight(f->small) + 2};
        viz_text_in(r, f->small, name_box, name_box.x, ly, INK, c[k].name);
        char hw[48];
        snprintf(t, sizeof t, "%d layers · %s px", c[k].depth[c[k].n_pts - 1],
                 eng_fmt_hw(c[k].final, c[k].final_w > 0 ? c[k].final_w : c[k].final, hw, sizeof hw));
        viz_text(r, f->small, sw.x + 20, ly + f->small_line, DIM, t);
        ly += 2 * f->small_line + 10;
    }
    if (note && note[0]) viz_text(r, f->small, 24, h - 8 - f->small_line, (SDL_Color){255, 120, 100, 255}, note);
}
