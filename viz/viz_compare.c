/*
 * viz_compare.c — the compare screen drawn: the block chips, the idea and
 * its claim with the measured answer, the sliders, the counting chips, the
 * two designs as diagrams and the table of their numbers with paired bars.
 * Everything arrives in a VizCompare (counts, times, texts); this file only
 * lays it out. The window (app/gui_compare.c) keeps the state and events.
 */
#include <stdio.h>
#include <string.h>

#include "viz.h"

#define INK (viz_ink())
#define DIM (viz_dim())
static const SDL_Color ACCENT = {255, 196, 84, 255};

/* ---- the counting convention ------------------------------------------------------------ */

static const char *const chip_text[VIZ_COUNT_CHIPS] = {"MACs", "FLOPs", "bias", "batch norm",
                                                       "activations", "pooling, adds, LRN"};

static int chip_on(EngCount c, int k) {
    switch (k) {
    case 0: return !c.flops;
    case 1: return c.flops;
    case 2: return c.bias;
    case 3: return c.bn;
    case 4: return c.act;
    default: return c.other;
    }
}

int viz_count_chips(SDL_Renderer *r, const VizFonts *f, int x, int y, EngCount c, int px, int py) {
    int hit = -1, tw = 0, th = 0;
    if (viz_text_size(f->small, "count (keys 1-6):", &tw, &th) != 0) tw = 0;
    if (r) viz_text(r, f->small, x, y + 4, DIM, "count (keys 1-6):");
    x += tw + 10;
    for (int k = 0; k < VIZ_COUNT_CHIPS; k++) {
        SDL_Rect a = viz_chip(r, f, x, y, chip_text[k], chip_on(c, k));
        SDL_Point p = {px, py};
        if (SDL_PointInRect(&p, &a)) hit = k;
        x += a.w + (k == 1 ? 24 : 8); /* the unit, then what is added */
    }
    return hit;
}

/* ---- layout ------------------------------------------------------------------------------ */

enum { CMP_COL_GAP = 16 };

static int text_px(TTF_Font *font, const char *s) {
    int tw = 0, th = 0;
    if (s && *s && viz_text_size(font, s, &tw, &th) != 0) tw = 0;
    return tw;
}

static void right(SDL_Renderer *r, TTF_Font *font, int xr, int y, SDL_Color c, const char *s) {
    int tw = 0, th = 0;
    if (viz_text_size(font, s, &tw, &th) != 0) tw = 0;
    viz_text(r, font, xr - tw, y, c, s);
}

static EngShape output_of(const EngGraph *g) { return eng_graph_node(g, eng_graph_output(g))->out; }

/* What the table's columns must hold: its longest row label, the widest
 * number it can show for these designs, a ratio. Returns the table's width. */
static int table_need(const VizCompare *c, const VizFonts *f, int *val_w, int *ratio_w) {
    char buf[64];
    const char *const fixed[] = {"whole input", "measuring", "not timed", "run 16 of 16", "999.999 ms"};
    int v = 0;
    for (int k = 0; k < 5; k++)
        if (text_px(f->sans, fixed[k]) > v) v = text_px(f->sans, fixed[k]);
    for (int s = 0; s < 2; s++) {
        if (!c->g[s]) continue;
        const int64_t nums[] = {c->t[s].params, c->t[s].weights, c->ops[s]};
        for (int k = 0; k < 3; k++) {
            eng_fmt_grouped(nums[k], buf, sizeof buf);
            if (text_px(f->sans, buf) > v) v = text_px(f->sans, buf);
        }
        const EngShape o = output_of(c->g[s]);
        snprintf(buf, sizeof buf, "%dx%dx%d", o.C, o.H, o.W);
        if (text_px(f->sans, buf) > v) v = text_px(f->sans, buf);
    }
    *val_w = v;
    *ratio_w = text_px(f->sans, "00.000");
    return text_px(f->small, "activation memory") + CMP_COL_GAP + 2 * (v + CMP_COL_GAP) + *ratio_w;
}

/* The block chips, in rows as wide as the window; returns the last row's y. */
static int layout_blocks(VizCompareLayout *L, const VizCompare *c, const VizFonts *f, int w, int m) {
    int x = m, y = 16;
    L->n_blocks = c->n_blocks < VIZ_CMP_BLOCKS ? c->n_blocks : VIZ_CMP_BLOCKS;
    for (int i = 0; i < L->n_blocks; i++) {
        L->blocks[i] = viz_chip(NULL, f, x, y, c->blocks[i], 0);
        if (x + L->blocks[i].w > w - m && x > m) { /* next row */
            x = m;
            y += L->blocks[i].h + 6;
            L->blocks[i] = viz_chip(NULL, f, x, y, c->blocks[i], 0);
        }
        x += L->blocks[i].w + 8;
    }
    return y;
}

/* The table's numbers come first: its columns hold the widest of them.
 * Each diagram gets a quarter of the width, more when its widest row of
 * boxes needs it to write every name in one line; at most a third, and at
 * most what the table leaves (but a fifth at least). A diagram given less
 * than its names need writes them in two lines. */
static void layout_columns(VizCompareLayout *L, const VizCompare *c, const VizFonts *f, int w, int top,
                           int bottom, int m) {
    const int avail = w - 2 * m - 48, tneed = table_need(c, f, &L->val_w, &L->ratio_w);
    const int fifth = (w - 2 * m) / 5, third = (w - 2 * m) / 3;
    int dw = (w - 2 * m) * 26 / 100, cap = (avail - tneed) / 2;
    cap = cap < fifth ? fifth : cap > third ? third : cap;
    for (int s = 0; s < 2; s++) {
        int need = c->g[s] ? viz_diagram_width(f, c->g[s]) : 0;
        if (need > dw) dw = need;
    }
    if (dw > cap) dw = cap;
    L->diag[0] = (SDL_Rect){m, top + f->line + 6, dw, bottom - top - f->line - 6};
    L->diag[1] = (SDL_Rect){w - m - dw, top + f->line + 6, dw, bottom - top - f->line - 6};
    L->table = (SDL_Rect){m + dw + 24, top, w - 2 * m - 2 * dw - 48, bottom - top};
}

VizCompareLayout viz_compare_layout(const VizCompare *c, const VizFonts *f, int w, int h) {
    VizCompareLayout L;
    const int m = 24;
    int y = layout_blocks(&L, c, f, w, m);
    L.explain_y = y + f->small_line + 8 + 14;
    int eh = viz_text_wrap(NULL, f->sans, m, 0, w - 2 * m, INK, c->explain);
    if (c->claim) eh += viz_text_wrap(NULL, f->small, m, 0, w - 2 * m, INK, c->claim) + 4;
    eh += f->small_line + 4; /* the measured answer to the claim */
    if (c->branch && c->branch[0]) eh += viz_text_wrap(NULL, f->small, m, 0, w - 2 * m, INK, c->branch) + 4;
    L.sliders_y = L.explain_y + eh + 12 + f->line;
    int sw = (w - 2 * m - 3 * 48) / VIZ_CMP_SLIDERS;
    for (int k = 0; k < VIZ_CMP_SLIDERS; k++)
        L.slider[k] = (SDL_Rect){m + k * (sw + 48), L.sliders_y, sw, 20};
    L.chips_y = L.sliders_y + 20 + 14;
    int top = L.chips_y + f->small_line + 8 + 16, bottom = h - m - f->small_line;
    layout_columns(&L, c, f, w, top, bottom, m);
    return L;
}

/* ---- drawing ----------------------------------------------------------------------------- */

static double ratio(double b, double a) { return a > 0 ? b / a : 0.0; }

/* The measured answer to the claim, in the direction the claim is made. */
static void draw_answer(SDL_Renderer *r, const VizCompare *c, const VizFonts *f, int y) {
    char line[512];
    double rw = ratio((double)c->t[0].weights, (double)c->t[1].weights),
           rm = ratio((double)c->t[0].macs, (double)c->t[1].macs);
    if (rw >= 1 && rm >= 1)
        snprintf(line, sizeof line, "Measured here: %s has %.2fx the weights and %.2fx the multiply-adds of %s.",
                 c->name[0], rw, rm, c->name[1]);
    else if (rw <= 1 && rm <= 1)
        snprintf(line, sizeof line, "Measured here: %s has %.2fx the weights and %.2fx the multiply-adds of %s.",
                 c->name[1], 1.0 / rw, 1.0 / rm, c->name[0]);
    else
        snprintf(line, sizeof line, "Measured here: B has %.2fx the weights and %.2fx the multiply-adds of A.",
                 1.0 / rw, 1.0 / rm);
    viz_text(r, f->small, 24, y + 4, ACCENT, line);
}

/* The chips, the idea, the claim and its answer, the sliders, the convention. */
static void draw_controls(SDL_Renderer *r, const VizCompare *c, const VizCompareLayout *L,
                          const VizFonts *f, int w) {
    for (int i = 0; i < L->n_blocks; i++)
        viz_chip(r, f, L->blocks[i].x, L->blocks[i].y, c->blocks[i], i == c->block);
    int y = L->explain_y;
    y += viz_text_wrap(r, f->sans, 24, y, w - 48, INK, c->explain);
    if (c->claim) y += viz_text_wrap(r, f->small, 24, y + 4, w - 48, DIM, c->claim) + 4;
    if (c->g[0] && c->g[1]) draw_answer(r, c, f, y);
    if (c->g[0] && c->g[1] && c->branch && c->branch[0])
        viz_text_wrap(r, f->small, 24, y + f->small_line + 8, w - 48, ACCENT, c->branch);
    const char *const names[VIZ_CMP_SLIDERS] = {c->cin_label ? c->cin_label : "input channels (cin)",
                                                c->cout_label ? c->cout_label : "output channels (cout)",
                                                "input size (hw x hw)", "groups"};
    char x1[48];
    for (int k = 0; k < VIZ_CMP_SLIDERS; k++) {
        snprintf(x1, sizeof x1, "%d", c->slider_value[k]);
        viz_draw_slider(r, f, L->slider[k], names[k], c->slider_on[k] ? x1 : "-", c->slider_pos[k],
                        c->slider_on[k]);
    }
    viz_count_chips(r, f, 24, L->chips_y, c->count, -1, -1);
}

/* Each design's name, cut to its column, and its diagram. */
static void draw_designs(SDL_Renderer *r, const VizCompare *c, const VizCompareLayout *L,
                         const VizFonts *f) {
    for (int s = 0; s < 2; s++) {
        SDL_Rect d = L->diag[s];
        SDL_Color col = viz_palette(s);
        SDL_Rect title = {d.x, d.y - f->line - 6, d.w, f->line}, old_clip;
        SDL_bool clipped = SDL_RenderIsClipEnabled(r);
        SDL_RenderGetClipRect(r, &old_clip);
        SDL_RenderSetClipRect(r, &title);
        /* a name wider than its diagram: in the small type, in the middle of the line */
        TTF_Font *tf = text_px(f->sans, c->name[s]) <= d.w ? f->sans : f->small;
        viz_text_fit(r, tf, d.x, tf == f->sans ? title.y : title.y + (title.h - f->small_line) / 2, d.w, col,
                     c->name[s]);
        SDL_RenderSetClipRect(r, clipped ? &old_clip : NULL);
        if (c->g[s]) viz_draw_diagram(r, f, c->g[s], d, col);
    }
}

enum { ROW_COUNT, ROW_BYTES, ROW_RF, ROW_OUTPUT, ROW_TIME };

typedef struct {
    const char *label;
    double a, b;
    int kind;
} CmpRow;

/* The two cells of a row of the table, A's and B's. */
static void row_cells(const VizCompare *c, const CmpRow *row, char *x1, char *x2, size_t n) {
    const EngShape oa = output_of(c->g[0]), ob = output_of(c->g[1]);
    const EngRf ra = eng_graph_node(c->g[0], eng_graph_output(c->g[0]))->rf,
                rb = eng_graph_node(c->g[1], eng_graph_output(c->g[1]))->rf;
    switch (row->kind) {
    case ROW_COUNT:
        eng_fmt_grouped((int64_t)row->a, x1, n);
        eng_fmt_grouped((int64_t)row->b, x2, n);
        break;
    case ROW_BYTES:
        eng_fmt_bytes(row->a, x1, n);
        eng_fmt_bytes(row->b, x2, n);
        break;
    case ROW_OUTPUT:
        snprintf(x1, n, "%dx%dx%d", oa.C, oa.H, oa.W);
        snprintf(x2, n, "%dx%dx%d", ob.C, ob.H, ob.W);
        break;
    case ROW_RF: {
        char h1[24], h2[24];
        if (ra.finite) snprintf(x1, n, "%s / %s", eng_fmt_hw(ra.size, ra.size_w, h1, sizeof h1),
                                eng_fmt_hw(ra.stride, ra.stride_w, h2, sizeof h2));
        else snprintf(x1, n, "whole input");
        if (rb.finite) snprintf(x2, n, "%s / %s", eng_fmt_hw(rb.size, rb.size_w, h1, sizeof h1),
                                eng_fmt_hw(rb.stride, rb.stride_w, h2, sizeof h2));
        else snprintf(x2, n, "whole input");
        break;
    }
    default:
        if (c->fresh && c->ms[0] > 0 && c->ms[1] > 0) {
            snprintf(x1, n, "%.3f ms", c->ms[0]);
            snprintf(x2, n, "%.3f ms", c->ms[1]);
        } else {
            snprintf(x1, n, "%s", c->note[0] && c->fresh ? "not timed" : "measuring");
            snprintf(x2, n, "%s", c->runs ? "…" : "");
            if (!c->fresh && c->runs) snprintf(x2, n, "run %d of %d", c->runs_done, c->runs);
        }
    }
}

/* Row `row` at y: label, A, B, B / A and the paired bars. cA, cB, cR: the
 * right edges of the A, B and ratio columns. */
static void draw_row(SDL_Renderer *r, const VizCompare *c, const VizFonts *f, SDL_Rect t, int y,
                     const CmpRow *row, int cA, int cB, int cR, int compact) {
    char x1[48], x2[48], x3[48];
    viz_text(r, f->small, t.x, y + 2, DIM, row->label);
    row_cells(c, row, x1, x2, sizeof x1);
    right(r, f->sans, cA, y, INK, x1);
    right(r, f->sans, cB, y, INK, x2);
    const int timed = c->fresh && c->ms[0] > 0 && c->ms[1] > 0;
    const int has_ratio = row->kind != ROW_RF && row->kind != ROW_OUTPUT && (row->kind != ROW_TIME || timed);
    if (has_ratio && row->a > 0) {
        snprintf(x3, sizeof x3, "%.3f", row->b / row->a);
        right(r, f->sans, cR, y, row->b < row->a ? (SDL_Color){120, 220, 140, 255} : INK, x3);
    }
    /* what the two numbers are, under the label (B's column ends too near the ratio's) */
    const EngRf ra = eng_graph_node(c->g[0], eng_graph_output(c->g[0]))->rf,
                rb = eng_graph_node(c->g[1], eng_graph_output(c->g[1]))->rf;
    if (compact) return; /* a short table: the numbers alone, one line each */
    if (row->kind == ROW_RF && ra.finite && rb.finite)
        viz_text(r, f->small, t.x, y + 2 + f->small_line, DIM, "  size / stride");
    if (has_ratio && (row->a > 0 || row->b > 0)) {
        SDL_Rect bar = {t.x, y + f->line + 2, t.w, 12};
        viz_draw_pair_bar(r, bar, row->a, row->b, viz_palette(0), viz_palette(1));
    }
}

/* The table: A, B, B / A and bars, then the convention and the timing note. */
static void draw_table(SDL_Renderer *r, const VizCompare *c, const VizCompareLayout *L,
                       const VizFonts *f) {
    const SDL_Rect t = L->table;
    /* right edges of the columns, from the right: the ratio, B, A */
    const int cR = t.x + t.w, cB = cR - L->ratio_w - CMP_COL_GAP, cA = cB - L->val_w - CMP_COL_GAP;
    right(r, f->small, cA, t.y, viz_palette(0), "A");
    right(r, f->small, cB, t.y, viz_palette(1), "B");
    right(r, f->small, cR, t.y, DIM, "B / A");
    const EngRf ra = eng_graph_node(c->g[0], eng_graph_output(c->g[0]))->rf,
                rb = eng_graph_node(c->g[1], eng_graph_output(c->g[1]))->rf;
    const CmpRow rows[] = {
        {"parameters", (double)c->t[0].params, (double)c->t[1].params, ROW_COUNT},
        {"  weights", (double)c->t[0].weights, (double)c->t[1].weights, ROW_COUNT},
        {"  biases", (double)(c->t[0].params - c->t[0].weights), (double)(c->t[1].params - c->t[1].weights),
         ROW_COUNT},
        {c->count.flops ? "FLOPs" : "MACs", (double)c->ops[0], (double)c->ops[1], ROW_COUNT},
        {"activation memory", (double)c->act[0], (double)c->act[1], ROW_BYTES},
        {"receptive field", (double)ra.size, (double)rb.size, ROW_RF},
        {"output", 0, 0, ROW_OUTPUT},
        {"forward time", c->ms[0], c->ms[1], ROW_TIME},
    };
    const int n_rows = (int)(sizeof rows / sizeof rows[0]);
    /* each row its numbers and, under them, its bars; where the table is too
     * short for the bars (a slide's view), the numbers alone, and where it is
     * shorter still, without the weights and biases the parameters sum */
    const int avail = t.h - f->small_line * 4, full = f->line + 16, one = f->line + 2;
    const int compact = avail / n_rows < full, shown = avail / n_rows >= one ? n_rows : n_rows - 2;
    int row_h = avail / shown;
    if (row_h > f->line + 26) row_h = f->line + 26;
    if (compact && row_h > one + 4) row_h = one + 4;
    int y = t.y + f->small_line + 8;
    for (int i = 0; i < n_rows; i++) {
        if (shown < n_rows && (i == 1 || i == 2)) continue;
        draw_row(r, c, f, t, y, &rows[i], cA, cB, cR, compact);
        y += row_h;
    }
    y += 4;
    char cnt[160], line[512];
    eng_count_describe(c->count, cnt, sizeof cnt);
    snprintf(line, sizeof line, "counted as %s", cnt);
    y += viz_text_wrap(r, f->small, t.x, y, t.w, DIM, line) + 2;
    if (c->fresh && c->note[0]) viz_text_wrap(r, f->small, t.x, y, t.w, DIM, c->note);
    else if (c->fresh && c->ms[0] > 0)
        viz_text_wrap(r, f->small, t.x, y, t.w, DIM,
                      "time: median of forward passes at batch 1 on one random input, measured now");
}

void viz_draw_compare(SDL_Renderer *r, const VizFonts *f, const VizCompare *c, int w, int h) {
    viz_clear(r);
    const VizCompareLayout L = viz_compare_layout(c, f, w, h);
    draw_controls(r, c, &L, f, w);
    draw_designs(r, c, &L, f);
    if (c->error && c->error[0]) {
        viz_text_wrap(r, f->sans, L.table.x, L.table.y, L.table.w, (SDL_Color){255, 120, 100, 255},
                      c->error);
        return;
    }
    draw_table(r, c, &L, f);
}
