/*
 * viz_zoo.c — the zoo drawn: every network as a row of a table (year,
 * parameters, operations, single-model single-crop ImageNet val top-1 and
 * top-5 accuracy, latency measured here) and as a bubble (top-1 against
 * operations or latency, area = parameters; a network without such a figure
 * stays off the chart, and a note says how many);
 * and the history as a timeline of chips, one column per year, with the
 * chosen network's card under it. Numbers arrive computed (VizZoo,
 * VizTimeline); the window (app/gui_compare.c) keeps the state and events.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "viz.h"

#define INK (viz_ink())
#define DIM (viz_dim())
static const SDL_Color ACCENT = {255, 196, 84, 255};

static void right(SDL_Renderer *r, TTF_Font *font, int xr, int y, SDL_Color c, const char *s) {
    int tw = 0, th = 0;
    if (viz_text_size(font, s, &tw, &th) != 0) tw = 0;
    viz_text(r, font, xr - tw, y, c, s);
}

/* ---- the zoo ----------------------------------------------------------------------------- */

void viz_card_accuracy(const ModelCard *c, char *s, size_t n) {
    int k = 0;
    if (c->val_top1 > 0 && c->val_top5 > 0)
        k = snprintf(s, n, "ImageNet val, one model, one crop: top-1 %.1f%%, top-5 %.1f%% (%s).", c->val_top1,
                     c->val_top5, c->val_source ? c->val_source : "");
    else if (c->val_top1 > 0)
        k = snprintf(s, n, "ImageNet val, one model, one crop: top-1 %.1f%% (%s).", c->val_top1,
                     c->val_source ? c->val_source : "");
    else
        k = snprintf(s, n, "No single-model, single-crop ImageNet val figure%s%s.", c->val_source ? ": " : "",
                     c->val_source ? c->val_source : "");
    if (k < 0 || (size_t)k >= n) return;
    if (c->ilsvrc || c->top5_error >= 0)
        snprintf(s + k, n - (size_t)k, "  History, as reported (not comparable): %s%s%s", c->ilsvrc ? c->ilsvrc : "",
                 c->ilsvrc && c->top5_source ? "; " : "", c->top5_source ? c->top5_source : "");
}

VizZooLayout viz_zoo_layout(const VizFonts *f, int w, int h) {
    VizZooLayout L;
    const int m = 24;
    L.chips_y = 8 + 2 * f->line + f->small_line + 16;
    L.axis_y = L.chips_y;
    int top = L.chips_y + f->small_line + 8 + 16, bottom = h - m - f->small_line;
    int tw = (w - 2 * m) * 52 / 100;
    L.table = (SDL_Rect){m, top, tw, bottom - top};
    L.chart = (SDL_Rect){m + tw + 16, top + f->small_line + 12, w - 2 * m - tw - 16,
                         bottom - top - f->small_line - 12};
    int x = L.chart.x;
    L.axis[0] = viz_chip(NULL, f, x + 60, top - 4, "x: operations", 0);
    L.axis[1] = viz_chip(NULL, f, L.axis[0].x + L.axis[0].w + 8, top - 4, "x: latency here", 0);
    return L;
}

int viz_zoo_rows(const VizFonts *f, const VizZooLayout *L, int n) {
    const int rh = f->small_line + 3;
    int rows = (L->table.h - f->small_line - 6) / rh;
    if (rows < n) rows = (L->table.h - 2 * f->small_line - 10) / rh; /* room for the scroll note */
    return rows;
}

/* The title and the line on the measurement (or on a network that failed). */
static void zoo_heading(SDL_Renderer *r, const VizFonts *f, const VizZoo *z, const VizZooLayout *L) {
    char line[512];
    viz_text(r, f->sans_big, 24, 8, INK, "The zoo in numbers");
    if (z->note && z->note[0])
        snprintf(line, sizeof line, "%s", z->note);
    else if (z->running)
        snprintf(line, sizeof line, "latency at batch 1 on this machine: measuring %d of %d …  (Enter restarts)",
                 z->measured + 1, z->n);
    else if (z->runs > 0)
        snprintf(line, sizeof line, "latency at batch 1 on this machine: median of %d forward passes, "
                 "measured now (Enter measures again)", z->runs);
    else
        snprintf(line, sizeof line, "latency not measured");
    const SDL_Color c = z->note && z->note[0] ? (SDL_Color){255, 120, 100, 255} : z->running ? ACCENT : DIM;
    viz_text(r, f->small, 24, L->chips_y - f->small_line - 8, c, line);
    viz_count_chips(r, f, 24, L->chips_y, z->count, -1, -1);
}

/* One network's row at y; cols: the columns' edges. */
static void zoo_row(SDL_Renderer *r, const VizFonts *f, const VizZoo *z, const VizZooRow *n,
                    const int *cols, int y, int rh) {
    char x1[48], x2[48];
    SDL_Rect dot = {cols[0], y + rh / 2 - 4, 8, 8};
    SDL_Color pc = viz_palette(n->group);
    SDL_SetRenderDrawColor(r, pc.r, pc.g, pc.b, 255);
    SDL_RenderFillRect(r, &dot);
    viz_text(r, f->small, cols[0] + 14, y, INK, n->name);
    snprintf(x1, sizeof x1, "%d", n->year);
    right(r, f->small, cols[2] - 4, y, DIM, x1);
    right(r, f->small, cols[3] - 4, y, INK, eng_fmt_si(n->params, x1, sizeof x1));
    right(r, f->small, cols[4] - 4, y, INK, eng_fmt_si(n->ops, x1, sizeof x1));
    for (int k = 0; k < 2; k++) {
        const double v = k ? n->top5 : n->top1;
        if (v > 0) snprintf(x2, sizeof x2, "%.1f%%", v);
        else snprintf(x2, sizeof x2, "-");
        if (cols[5 + k] != INT_MAX) right(r, f->small, cols[5 + k] - 4, y, INK, x2);
    }
    if (n->ms > 0) snprintf(x2, sizeof x2, n->ms < 10 ? "%.2f" : "%.0f", n->ms);
    else snprintf(x2, sizeof x2, z->running ? "…" : "-");
    if (cols[7] != INT_MAX) right(r, f->small, cols[7] - 4, y, INK, x2);
}

static int width_of(const VizFonts *f, const char *s) {
    int tw, th;
    return viz_text_size(f->small, s, &tw, &th) == 0 ? tw : 0;
}

/* The columns' edges in table t: the names as wide as the widest, every
 * other column as wide as its widest entry or heading (right-aligned at
 * its edge less 4), the room left shared between the gaps. Returns how
 * many columns show (an edge of INT_MAX: the column left out). */
static int zoo_cols(const VizFonts *f, const VizZoo *z, const char *const *head, SDL_Rect t, int cols[8]) {
    int need[7] = {0};
    for (int k = 0; k < 7; k++) need[k] = width_of(f, head[k]);
    need[4] = need[5] = SDL_max(need[4], width_of(f, "100.0%"));
    need[6] = SDL_max(need[6], width_of(f, "99.99"));
    for (int i = 0; i < z->n; i++) {
        char s[48];
        const VizZooRow *n = &z->rows[i];
        need[0] = SDL_max(need[0], 14 + width_of(f, n->name));
        snprintf(s, sizeof s, "%d", n->year);
        need[1] = SDL_max(need[1], width_of(f, s));
        need[2] = SDL_max(need[2], width_of(f, eng_fmt_si(n->params, s, sizeof s)));
        need[3] = SDL_max(need[3], width_of(f, eng_fmt_si(n->ops, s, sizeof s)));
    }
    /* a table too narrow for every column leaves out ms, then top-5 */
    int n = 7, sum = 0;
    for (int k = 0; k < n; k++) sum += need[k] + 4;
    while (n > 5 && sum > t.w) sum -= need[--n] + 4;
    const int gap = sum < t.w ? (t.w - sum) / (n - 1) : 0;
    cols[0] = t.x;
    cols[1] = t.x + need[0];
    for (int k = 1; k < 7; k++) cols[k + 1] = k < n ? cols[k] + gap + need[k] + 4 : INT_MAX;
    return n;
}

static void zoo_table(SDL_Renderer *r, const VizFonts *f, const VizZoo *z, const VizZooLayout *L) {
    const SDL_Rect t = L->table;
    const char *head[] = {"network", "year", "params", z->count.flops ? "FLOPs" : "MACs", "top-1", "top-5",
                          "ms"};
    int cols[8];
    const int n_cols = zoo_cols(f, z, head, t, cols);
    viz_text(r, f->small, cols[0], t.y, DIM, head[0]);
    for (int k = 1; k < n_cols; k++) right(r, f->small, cols[k + 1] - 4, t.y, DIM, head[k]);
    const int rh = f->small_line + 3, rows = viz_zoo_rows(f, L, z->n);
    int y = t.y + f->small_line + 6;
    for (int k = z->scroll; k < z->n && k < z->scroll + rows; k++, y += rh)
        zoo_row(r, f, z, &z->rows[k], cols, y, rh);
    if (z->n > rows) {
        char line[128];
        snprintf(line, sizeof line, "rows %d-%d of %d (wheel or Up/Down)", z->scroll + 1,
                 z->scroll + rows < z->n ? z->scroll + rows : z->n, z->n);
        viz_text(r, f->small, t.x, t.y + t.h - f->small_line + 2, DIM, line);
    }
}

/* The chart: top-1 accuracy against operations or latency, bubble = parameters;
 * under it, how many networks have no such figure and stay off it. */
static void zoo_chart(SDL_Renderer *r, const VizFonts *f, const VizZoo *z, const VizZooLayout *L) {
    viz_chip(r, f, L->axis[0].x, L->axis[0].y, "x: operations", !z->x_latency);
    viz_chip(r, f, L->axis[1].x, L->axis[1].y, "x: latency here", z->x_latency);
    VizBubble b[VIZ_ZOO_MAX];
    int nb = 0, off = 0;
    for (int k = 0; k < z->n && nb < VIZ_ZOO_MAX; k++) {
        const VizZooRow *n = &z->rows[k];
        if (n->top1 <= 0) {
            off++;
            continue;
        }
        b[nb++] = (VizBubble){n->name, z->x_latency ? n->ms : n->ops, n->top1, n->params, n->group};
    }
    char xl[200], note[200];
    if (z->x_latency) snprintf(xl, sizeof xl, "forward time at batch 1 here, ms (log)");
    else snprintf(xl, sizeof xl, "%s per image (log)", z->count.flops ? "FLOPs" : "MACs");
    viz_draw_bubbles(r, f, L->chart, b, nb, xl, "ImageNet val top-1 %, one model, one crop",
                     "area = parameters");
    snprintf(note, sizeof note, "%d off the chart: no single-model, single-crop ImageNet val figure", off);
    if (off) {
        viz_text_fit(r, f->small, L->chart.x, L->chart.y + L->chart.h + 4, L->chart.w, DIM, note);
    }
}

void viz_draw_zoo(SDL_Renderer *r, const VizFonts *f, const VizZoo *z, int w, int h) {
    viz_clear(r);
    const VizZooLayout L = viz_zoo_layout(f, w, h);
    zoo_heading(r, f, z, &L);
    zoo_table(r, f, z, &L);
    zoo_chart(r, f, z, &L);
}

/* ---- the timeline ------------------------------------------------------------------------ */

/* The distinct years of the cards, ascending. */
static int timeline_years(const VizTimeline *t, int *years) {
    int n = 0;
    for (int i = 0; i < t->n; i++) {
        int y = t->card[i]->year, k = 0;
        while (k < n && years[k] != y) k++;
        if (k == n && n < 32) years[n++] = y;
    }
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && years[j] < years[j - 1]; j--) {
            int s = years[j];
            years[j] = years[j - 1];
            years[j - 1] = s;
        }
    return n;
}

/* Years packed into columns: each year is a header and its chips, one under
 * the other; neighbouring years share a column while they fit in the height
 * of the busiest year. Few, wide columns leave room for whole names. */
typedef struct {
    int ny, years[32], col[32], y[32]; /* each year's column and header top */
    int cw, m, head_h, chip_h;
} TimelineLayout;

static TimelineLayout timeline_layout(const VizFonts *f, const VizTimeline *t, int w) {
    TimelineLayout L = {.m = 24, .head_h = f->line + 8, .chip_h = f->small_line + 10};
    L.ny = timeline_years(t, L.years);
    int count[32] = {0}, cap = 0, col = 0, used = 0;
    for (int i = 0; i < t->n; i++)
        for (int k = 0; k < L.ny; k++) count[k] += t->card[i]->year == L.years[k];
    for (int k = 0; k < L.ny; k++)
        if (L.head_h + count[k] * L.chip_h > cap) cap = L.head_h + count[k] * L.chip_h;
    const int top = 8 + 2 * f->line + 16;
    for (int k = 0; k < L.ny; k++) {
        const int need = L.head_h + count[k] * L.chip_h;
        if (used && used + need > cap) col++, used = 0;
        L.col[k] = col;
        L.y[k] = top + used;
        used += need;
    }
    L.cw = (w - 2 * L.m) / (col + 1);
    return L;
}

SDL_Rect viz_timeline_chip(const VizFonts *f, const VizTimeline *t, int w, int i) {
    const TimelineLayout L = timeline_layout(f, t, w);
    int k = 0, row = 0;
    while (k < L.ny && L.years[k] != t->card[i]->year) k++;
    if (k == L.ny) return (SDL_Rect){0, 0, 0, 0};
    for (int j = 0; j < i; j++) row += t->card[j]->year == t->card[i]->year;
    return (SDL_Rect){L.m + L.col[k] * L.cw, L.y[k] + L.head_h + row * L.chip_h, L.cw - 10,
                      f->small_line + 6};
}

/* The name runs from a.x + 9 to 2 px short of the chip's edge. */
const char *viz_timeline_label(const VizFonts *f, const char *display, SDL_Rect a, char *buf, size_t n) {
    int tw = 0, th = 0;
    if (!display || viz_text_size(f->small, display, &tw, &th) != 0 || tw <= a.w - 11) return display;
    const char *open = strrchr(display, '(');
    if (!open || open == display || (size_t)(open - display) >= n) return display;
    size_t len = (size_t)(open - display);
    while (len && display[len - 1] == ' ') len--;
    memcpy(buf, display, len);
    buf[len] = 0;
    return buf;
}

/* The years and every network's chip; returns the bottom of the lowest chip. */
static int timeline_chips(SDL_Renderer *r, const VizFonts *f, const VizTimeline *t, int w) {
    const TimelineLayout L = timeline_layout(f, t, w);
    char s[16];
    for (int k = 0; k < L.ny; k++) {
        const int x = L.m + L.col[k] * L.cw;
        snprintf(s, sizeof s, "%d", L.years[k]);
        viz_text(r, f->sans, x, L.y[k], ACCENT, s);
        SDL_SetRenderDrawColor(r, 80, 86, 100, 255);
        SDL_RenderDrawLine(r, x, L.y[k] + f->line + 2, x + L.cw - 10, L.y[k] + f->line + 2);
    }
    int bottom = 0;
    for (int i = 0; i < t->n; i++) {
        SDL_Rect a = viz_timeline_chip(f, t, w, i);
        int on = i == t->sel;
        SDL_SetRenderDrawColor(r, on ? 255 : 40, on ? 196 : 44, on ? 84 : 54, 255);
        SDL_RenderFillRect(r, &a);
        SDL_Color c = viz_palette(t->group[i]);
        SDL_Rect bar = {a.x, a.y, 4, a.h};
        SDL_SetRenderDrawColor(r, c.r, c.g, c.b, 255);
        SDL_RenderFillRect(r, &bar);
        SDL_Rect inner = {a.x + 4, a.y, a.w - 6, a.h}; /* the name from a.x + 9 to 2 px short of the edge */
        char label[64];
        viz_text_in(r, f->small, inner, a.x + 9, a.y + 3, on ? (SDL_Color){20, 22, 28, 255} : INK,
                    viz_timeline_label(f, t->card[i]->display, a, label, sizeof label));
        if (a.y + a.h > bottom) bottom = a.y + a.h;
    }
    return bottom;
}

/* s wrapped into width w at (x, *y) if it ends above limit: *y moved past it
 * (and gap), 1; else nothing drawn, 0. */
static int card_text(SDL_Renderer *r, TTF_Font *font, int x, int *y, int w, SDL_Color c, const char *s,
                     int limit, int gap) {
    const int h = viz_text_wrap(NULL, font, x, *y, w, c, s);
    if (*y + h > limit) return 0;
    viz_text_wrap(r, font, x, *y, w, c, s);
    *y += h + gap;
    return 1;
}

/* The chosen network's card in box: name and year, paper, counts, result,
 * ideas, notes, and the line that says how to open it (or the note). What
 * does not fit the box is left out, the least needed first (a slide's
 * view can be short): the notes, the ideas, the result, the paths, the
 * line that says how to open it, the paper; the name and the counts stay. */
static void timeline_card(SDL_Renderer *r, const VizFonts *f, const VizTimeline *t, SDL_Rect box) {
    const ModelCard *c = t->card[t->sel];
    char s[600], counts[300], p1[48], p2[48];
    SDL_SetRenderDrawColor(r, 32, 35, 43, 255);
    SDL_RenderFillRect(r, &box);
    SDL_SetRenderDrawColor(r, 80, 86, 100, 255);
    SDL_RenderDrawRect(r, &box);
    const int x = box.x + 16, w = box.w - 32, bottom = box.y + box.h - 6;
    int y = box.y + 10;
    snprintf(s, sizeof s, "%s  (%d)", c->display, c->year);
    TTF_Font *tf = box.h >= 3 * TTF_FontLineSkip(f->sans_big) ? f->sans_big : f->sans; /* a short box: smaller */
    viz_text(r, tf, x, y, INK, s);
    y += TTF_FontLineSkip(tf) + 4;
    snprintf(counts, sizeof counts, "depth %d  ·  %s parameters  ·  %s MACs at %dx%dx%d", t->depth,
             eng_fmt_grouped(t->params, p1, sizeof p1), eng_fmt_si((double)t->macs, p2, sizeof p2), c->in_c,
             c->in_h, c->in_w);
    const int counts_h = viz_text_wrap(NULL, f->sans, x, y, w, INK, counts) + 6;
    /* the line that says how to open it, when the counts leave room for it */
    const int foot_y = box.y + box.h - f->small_line - 8;
    const int has_foot = y + counts_h <= foot_y - 4;
    const int limit = has_foot ? foot_y - 4 : bottom;
    snprintf(s, sizeof s, "%s, \"%s\", %s", c->authors ? c->authors : "", c->paper ? c->paper : "",
             c->venue ? c->venue : "");
    if (y + viz_text_wrap(NULL, f->small, x, y, w, DIM, s) + 6 + counts_h <= limit) card_text(r, f->small, x, &y, w, DIM, s, limit, 6);
    if (!card_text(r, f->sans, x, &y, w, INK, counts, limit, 6)) /* a short box: the small type */
        card_text(r, f->small, x, &y, w, INK, counts, limit, 6);
    if (t->paths.paths > 1) { /* Veit et al.'s ensemble view, for every network that branches */
        eng_fmt_paths(t->paths, s, sizeof s);
        if (card_text(r, f->small, x, &y, w, INK, s, limit, 4) && t->paths.pure_residual) {
            eng_fmt_paths_binomial(t->paths, s, sizeof s);
            card_text(r, f->small, x, &y, w, DIM, s, limit, 4);
        }
        y += 4;
    }
    viz_card_accuracy(c, s, sizeof s);
    card_text(r, f->small, x, &y, w, DIM, s, limit, 8);
    const char *ideas = t->key_ideas ? t->key_ideas : c->key_ideas;
    if (ideas && !card_text(r, f->sans, x, &y, w, INK, ideas, limit, 8)) /* the small type if the base one does not fit */
        card_text(r, f->small, x, &y, w, INK, ideas, limit, 8);
    if (c->notes) card_text(r, f->small, x, &y, w, DIM, c->notes, limit, 0);
    if (!has_foot) return;
    if (c->weights)
        snprintf(s, sizeof s, "trained weights ship for it (%s)  ·  Enter or a second click opens it",
                 c->weights_data ? c->weights_data : "");
    else
        snprintf(s, sizeof s, "no trained weights ship: it opens with random (He) weights  ·  Enter or a second "
                 "click opens it");
    viz_text(r, f->small, x, foot_y, ACCENT, t->note && *t->note ? t->note : s);
}

void viz_draw_timeline(SDL_Renderer *r, const VizFonts *f, const VizTimeline *t, int w, int h) {
    viz_clear(r);
    viz_text(r, f->sans_big, 24, 8, INK, "The history, network by network");
    const int bottom = timeline_chips(r, f, t, w);
    if (t->sel < 0 || t->sel >= t->n) return;
    const int m = 24, y = bottom + 24;
    timeline_card(r, f, t, (SDL_Rect){m, y, w - 2 * m, h - y - 24 - f->small_line - 8});
}
