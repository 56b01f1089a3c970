/*
 * exp_plot.c — an experiment's figure as a PNG: its title, one line chart per
 * panel (viz_draw_line_chart), a mosaic when the result has one, and the
 * finding in words underneath. 1280x720: the projector's size.
 */
#include <math.h>
#include <string.h>

#include "experiments.h"

#ifdef CONVSCOPE_HAVE_GUI
#include "canvas.h"

/* Tile (row, col) of the mosaic as grey squares, each tile stretched min..max. */
static void draw_tile(SDL_Renderer *r, const ExpResult *res, int row, int col, SDL_Rect box) {
    const int h = res->mosaic_h, w = res->mosaic_w;
    const float *t = res->mosaic + ((size_t)row * res->mosaic_cols + col) * h * w;
    float lo = t[0], hi = t[0];
    for (int i = 1; i < h * w; i++) lo = fminf(lo, t[i]), hi = fmaxf(hi, t[i]);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            int v = hi > lo ? (int)lroundf(255 * (t[y * w + x] - lo) / (hi - lo)) : 128;
            SDL_SetRenderDrawColor(r, (Uint8)v, (Uint8)v, (Uint8)v, 255);
            SDL_Rect p = {box.x + x * box.w / w, box.y + y * box.h / h, (x + 1) * box.w / w - x * box.w / w,
                          (y + 1) * box.h / h - y * box.h / h};
            SDL_RenderFillRect(r, &p);
        }
}

static void draw_mosaic(SDL_Renderer *r, const VizFonts *f, const ExpResult *res, SDL_Rect area) {
    const int rows = res->mosaic_rows, cols = res->mosaic_cols, label = 90;
    viz_text(r, f->sans, area.x, area.y, viz_ink(), "conv1 filters (each stretched to its range)");
    int top = area.y + f->line + 6, cell = (area.w - label) / cols;
    int cell_h = (area.h - (top - area.y)) / (rows ? rows : 1);
    if (cell_h < cell) cell = cell_h;
    for (int i = 0; i < rows; i++) {
        viz_text(r, f->small, area.x, top + i * cell + cell / 2 - f->small_line / 2, viz_dim(),
                 res->mosaic_labels[i]);
        for (int j = 0; j < cols; j++)
            draw_tile(r, res, i, j, (SDL_Rect){area.x + label + j * cell, top + i * cell, cell - 2, cell - 2});
    }
}

/* Panel k's chart from the series drawn in it; over (may be NULL): another
 * run's curves of that panel drawn faint over them, with one row in the
 * legend (over_label). */
static void draw_panel(SDL_Renderer *r, const VizFonts *f, const ExpResult *res, const ExpResult *over,
                       const char *over_label, int k, SDL_Rect box) {
    VizLine lines[2 * EXP_MAX_SERIES + 1];
    int n = 0, n_over = 0;
    for (int i = 0; i < res->n_series; i++) {
        const ExpSeries *s = &res->s[i];
        if (s->panel != k) continue;
        lines[n++] = (VizLine){s->name, s->n, s->x, s->y, s->color, s->dashed, 0};
    }
    for (int i = 0; over && i < over->n_series; i++) {
        const ExpSeries *s = &over->s[i];
        if (s->panel != k || s->n < 1) continue;
        lines[n++] = (VizLine){NULL, s->n, s->x, s->y, s->color, s->dashed, 1};
        n_over++;
    }
    if (n_over) lines[n++] = (VizLine){over_label, 0, NULL, NULL, 7, 0, 1};
    const ExpPanel *p = &res->panel[k];
    VizLineChart c = {p->title, p->x_label, p->y_label, lines, n, p->y_min, p->y_max, 0, 0};
    viz_draw_line_chart(r, f, &c, box);
}

void exp_draw_figure_over(SDL_Renderer *r, const VizFonts *f, const ExpResult *res, const ExpResult *over,
                          const char *over_label, int panel, SDL_Rect area, const char *foot) {
    int tw = 0, th = 0; /* the big type when the title fits the width */
    TTF_Font *tf = viz_text_size(f->sans_big, res->title, &tw, &th) == 0 && tw <= area.w - 48 ? f->sans_big : f->sans;
    const int top = area.y + 12 + viz_text_wrap(r, tf, area.x + 24, area.y + 12, area.w - 48, viz_ink(), res->title) + 10;
    int foot_h = foot && foot[0] ? 2 * f->small_line + 16 : 12;
    SDL_Rect body = {area.x + 24, top, area.w - 48, area.y + area.h - top - foot_h};
    if (res->mosaic && panel < 0) body.w = body.w * 55 / 100;
    if (panel >= 0 && panel < res->n_panels) {
        draw_panel(r, f, res, over, over_label, panel, (SDL_Rect){body.x, body.y, body.w - 16, body.h - 12});
    } else {
        int n = res->n_panels, cols = n <= 3 ? n : (n + 1) / 2;
        while (cols > 1 && body.w / cols < 330) cols--; /* a chart keeps room for its plot beside its legend */
        const int rows = (n + cols - 1) / cols;
        for (int k = 0; k < n; k++) {
            SDL_Rect box = {body.x + (k % cols) * body.w / cols, body.y + (k / cols) * body.h / rows,
                            body.w / cols - 16, body.h / rows - 12};
            draw_panel(r, f, res, over, over_label, k, box);
        }
        if (res->mosaic)
            draw_mosaic(r, f, res, (SDL_Rect){body.x + body.w + 24, top, area.w - body.w - 72, body.h});
    }
    if (foot && foot[0])
        viz_text_wrap(r, f->small, area.x + 24, area.y + area.h - foot_h + 4, area.w - 48, viz_dim(), foot);
}

void exp_draw_figure(SDL_Renderer *r, const VizFonts *f, const ExpResult *res, int panel, SDL_Rect area,
                     const char *foot) {
    exp_draw_figure_over(r, f, res, NULL, NULL, panel, area, foot);
}

int exp_write_png(const ExpResult *res, const char *path) {
    AppCanvas cv;
    int rc = -1;
    if (app_canvas_open(&cv, 1280, 720, "experiment") == 0) {
        exp_draw_figure(cv.r, &cv.fonts, res, -1, (SDL_Rect){0, 0, 1280, 720}, res->finding);
        rc = app_canvas_save(&cv, path, "experiment");
    }
    app_canvas_close(&cv);
    return rc;
}

#else

int exp_write_png(const ExpResult *res, const char *path) {
    (void)res;
    fprintf(stderr, "convscope experiment: built without the GUI: no plot %s (the CSV files and JSON "
                    "hold the numbers)\n", path);
    return 0;
}

#endif
