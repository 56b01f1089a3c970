/*
 * viz_lines.c — a line chart from numbers: curves of (x, y) points, solid or
 * dashed, axes gridded in round steps with their labels and units, a title
 * and a legend beside the plot (never over the curves). The experiments'
 * plots (app/exp_plot.c) are made of these; a window screen can draw the
 * same struct live.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "viz.h"

static int text_w(TTF_Font *f, const char *s) {
    int w = 0, h = 0;
    if (s && *s && viz_text_size(f, s, &w, &h) != 0) w = 0;
    return w;
}

/* A round step (1, 2 or 5 times a power of ten) giving about `want` intervals over span. */
static double nice_step(double span, int want) {
    if (!(span > 0)) return 1;
    double raw = span / want, p = pow(10, floor(log10(raw))), m = raw / p;
    return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}

typedef struct {
    SDL_Rect plot;
    double x0, x1, y0, y1, xs, ys;
} Axes;

static int px_x(const Axes *a, double x) { return a->plot.x + (int)lround((x - a->x0) / (a->x1 - a->x0) * a->plot.w); }
static int px_y(const Axes *a, double y) {
    return a->plot.y + a->plot.h - (int)lround((y - a->y0) / (a->y1 - a->y0) * a->plot.h);
}

/* The data's range, widened to round steps; a fixed y range when given. */
static Axes chart_axes(const VizLineChart *c, SDL_Rect plot, int want_x) {
    Axes a = {plot, 1e300, -1e300, 1e300, -1e300, 1, 1};
    for (int k = 0; k < c->n; k++)
        for (int i = 0; i < c->lines[k].n; i++) {
            double x = c->lines[k].x[i], y = c->lines[k].y[i];
            if (!isfinite(x) || !isfinite(y)) continue;
            a.x0 = fmin(a.x0, x), a.x1 = fmax(a.x1, x), a.y0 = fmin(a.y0, y), a.y1 = fmax(a.y1, y);
        }
    if (a.x0 > a.x1) a.x0 = 0, a.x1 = 1, a.y0 = 0, a.y1 = 1;
    if (c->y_max > c->y_min) a.y0 = c->y_min, a.y1 = c->y_max;
    else if (a.y0 >= 0 && a.y0 < 0.5 * a.y1) a.y0 = 0; /* errors and distances: from zero */
    if (a.x0 > 0 && a.x0 < 0.1 * a.x1) a.x0 = 0; /* epochs: from the start of training */
    if (c->x_max > c->x_min) a.x0 = c->x_min, a.x1 = c->x_max;
    if (a.x1 - a.x0 < 1e-12) a.x0 -= 0.5, a.x1 += 0.5;
    if (a.y1 - a.y0 < 1e-12) a.y0 -= 0.5, a.y1 += 0.5;
    a.xs = nice_step(a.x1 - a.x0, want_x), a.ys = nice_step(a.y1 - a.y0, 5);
    /* x spans the data exactly (epochs from 0.25 to 4, degrees from 0 to 360); y is widened to round steps */
    if (!(c->y_max > c->y_min)) a.y0 = floor(a.y0 / a.ys + 1e-9) * a.ys, a.y1 = ceil(a.y1 / a.ys - 1e-9) * a.ys;
    return a;
}

static void fmt_tick(char *buf, size_t n, double v, double step) {
    if (fabs(v) < step * 1e-6) v = 0;
    int dec = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);
    snprintf(buf, n, "%.*f", dec, v);
}

static void draw_grid(SDL_Renderer *r, const VizFonts *f, const Axes *a) {
    SDL_SetRenderDrawColor(r, 30, 33, 40, 255);
    SDL_RenderFillRect(r, &a->plot);
    char t[32];
    for (double y = a->y0; y <= a->y1 + a->ys * 1e-6; y += a->ys) {
        int py = px_y(a, y);
        SDL_SetRenderDrawColor(r, 52, 56, 66, 255);
        SDL_RenderDrawLine(r, a->plot.x, py, a->plot.x + a->plot.w, py);
        fmt_tick(t, sizeof t, y, a->ys);
        viz_text(r, f->small, a->plot.x - 6 - text_w(f->small, t), py - f->small_line / 2, viz_dim(), t);
    }
    for (double x = ceil(a->x0 / a->xs - 1e-9) * a->xs; x <= a->x1 + a->xs * 1e-6; x += a->xs) {
        int px = px_x(a, x);
        SDL_SetRenderDrawColor(r, 52, 56, 66, 255);
        SDL_RenderDrawLine(r, px, a->plot.y, px, a->plot.y + a->plot.h);
        fmt_tick(t, sizeof t, x, a->xs);
        viz_text(r, f->small, px - text_w(f->small, t) / 2, a->plot.y + a->plot.h + 4, viz_dim(), t);
    }
    SDL_SetRenderDrawColor(r, 96, 102, 118, 255);
    SDL_RenderDrawRect(r, &a->plot);
}

/* A line `thick` (1 or 2) pixels thick from (x0, y0) to (x1, y1); dashed:
 * 8 on, 5 off, `phase` carried from segment to segment so the dashes run on. */
static void thick_line_w(SDL_Renderer *r, int x0, int y0, int x1, int y1, int dashed, double *phase, int thick) {
    double len = hypot(x1 - x0, y1 - y0);
    if (!dashed || len < 1) {
        for (int o = 0; o < thick; o++) {
            SDL_RenderDrawLine(r, x0, y0 + o, x1, y1 + o);
            SDL_RenderDrawLine(r, x0 + o, y0, x1 + o, y1);
        }
        return;
    }
    for (double s = 0; s < len; s += 1) {
        if (fmod(*phase + s, 13) < 8) {
            int x = x0 + (int)lround((x1 - x0) * s / len), y = y0 + (int)lround((y1 - y0) * s / len);
            SDL_Rect dot = {x, y, thick, thick};
            SDL_RenderFillRect(r, &dot);
        }
    }
    *phase += len;
}

/* A line's colour: its palette's, paler for a faint one (half way to white). */
static SDL_Color line_color(const VizLine *l) {
    SDL_Color c = viz_palette(l->color);
    if (l->faint) c.r = (Uint8)((c.r + 255) / 2), c.g = (Uint8)((c.g + 255) / 2), c.b = (Uint8)((c.b + 255) / 2);
    return c;
}

static void draw_curves(SDL_Renderer *r, const VizLineChart *c, const Axes *a) {
    SDL_RenderSetClipRect(r, &a->plot);
    for (int k = 0; k < c->n; k++) {
        const VizLine *l = &c->lines[k];
        SDL_Color col = line_color(l);
        SDL_SetRenderDrawColor(r, col.r, col.g, col.b, 255);
        double phase = 0;
        int have = 0, lx = 0, ly = 0;
        for (int i = 0; i < l->n; i++) {
            if (!isfinite(l->x[i]) || !isfinite(l->y[i])) {
                have = 0;
                continue;
            }
            int x = px_x(a, l->x[i]), y = px_y(a, l->y[i]);
            if (have) thick_line_w(r, lx, ly, x, y, l->dashed, &phase, l->faint ? 1 : 2);
            if (l->n <= 40 && l->faint) { /* a small cross: the mark of the run under it shows */
                SDL_RenderDrawLine(r, x - 2, y, x + 2, y);
                SDL_RenderDrawLine(r, x, y - 2, x, y + 2);
            } else if (l->n <= 40) { /* few points: mark each */
                SDL_Rect m = {x - 3, y - 3, 7, 7};
                if (l->dashed) SDL_RenderDrawRect(r, &m);
                else SDL_RenderFillRect(r, &m);
            }
            lx = x, ly = y, have = 1;
        }
    }
    SDL_RenderSetClipRect(r, NULL);
}

int viz_line_legend_width(const VizFonts *f, const VizLineChart *c) {
    int w = 0, named = 0;
    for (int k = 0; k < c->n; k++) {
        if (!c->lines[k].name) continue;
        int tw = text_w(f->small, c->lines[k].name);
        if (tw > w) w = tw;
        named++;
    }
    return named ? w + 44 : 0;
}

static void draw_legend(SDL_Renderer *r, const VizFonts *f, const VizLineChart *c, int x, int y) {
    for (int k = 0, row = 0; k < c->n; k++) {
        const VizLine *l = &c->lines[k];
        if (!l->name) continue;
        SDL_Color col = line_color(l);
        SDL_SetRenderDrawColor(r, col.r, col.g, col.b, 255);
        int cy = y + row++ * (f->small_line + 2) + f->small_line / 2;
        double phase = 0;
        thick_line_w(r, x, cy, x + 30, cy, l->dashed, &phase, l->faint ? 1 : 2);
        viz_text(r, f->small, x + 36, cy - f->small_line / 2, viz_ink(), l->name);
    }
}

void viz_draw_line_chart(SDL_Renderer *r, const VizFonts *f, const VizLineChart *c, SDL_Rect area) {
    const int legend = viz_line_legend_width(f, c);
    int ylab = 0;
    for (int k = 0; k < 2; k++) { /* the widest tick label on the left */
        char t[32];
        fmt_tick(t, sizeof t, k ? -1000 : 1000, 1);
        if (text_w(f->small, t) > ylab) ylab = text_w(f->small, t);
    }
    SDL_Rect plot = {area.x + ylab + 12, area.y + f->line + f->small_line + 10, 0, 0};
    plot.w = area.x + area.w - plot.x - (legend ? legend + 12 : 8);
    plot.h = area.y + area.h - plot.y - 2 * f->small_line - 12;
    if (plot.w < 40 || plot.h < 40) return;
    viz_text(r, f->sans, area.x, area.y, viz_ink(), c->title);
    viz_text(r, f->small, area.x, area.y + f->line + 2, viz_dim(), c->y_label); /* the y axis, above it */
    /* as many x ticks as labels of four digits fit side by side, 2 to 8 */
    int want_x = plot.w / (text_w(f->small, "0000") + 24);
    Axes a = chart_axes(c, plot, want_x < 2 ? 2 : want_x > 8 ? 8 : want_x);
    draw_grid(r, f, &a);
    draw_curves(r, c, &a);
    viz_text(r, f->small, plot.x + (plot.w - text_w(f->small, c->x_label)) / 2,
             plot.y + plot.h + f->small_line + 8, viz_dim(), c->x_label);
    if (legend) draw_legend(r, f, c, plot.x + plot.w + 12, plot.y + 4);
}
