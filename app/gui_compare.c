/*
 * gui_compare.c — two screens of the window. Compare: a pair of designs
 * (two 3x3 against one 5x5, inception with and without 1x1 reductions...)
 * built as engine graphs, drawn as diagrams, counted under a chosen
 * convention and timed on this machine, with sliders for the channels and
 * the size. Zoo: every network of the zoo, parameters against operations
 * against ILSVRC top-5 error against latency measured here, as a table and
 * as a bubble chart.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef CONVSCOPE_HAVE_GUI
#include "gui.h"
#include "measure.h"

#define INK (viz_ink())
#define DIM (viz_dim())
static const SDL_Color ACCENT = {255, 196, 84, 255};

/* ---- the counting convention ------------------------------------------------------------ */

static const char *const chip_text[CMP_CHIPS] = {"MACs", "FLOPs", "bias", "batch norm", "activations",
                                                 "pooling, adds, LRN"};

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

int gui_count_chips(SDL_Renderer *r, const VizFonts *f, int x, int y, EngCount c, int px, int py) {
    int hit = -1, tw = 0, th = 0;
    TTF_SizeUTF8(f->small, "count:", &tw, &th);
    if (r) viz_text(r, f->small, x, y + 4, DIM, "count:");
    x += tw + 10;
    for (int k = 0; k < CMP_CHIPS; k++) {
        SDL_Rect a = viz_chip(r, f, x, y, chip_text[k], chip_on(c, k));
        SDL_Point p = {px, py};
        if (SDL_PointInRect(&p, &a)) hit = k;
        x += a.w + (k == 1 ? 24 : 8); /* the unit, then what is added */
    }
    return hit;
}

void gui_count_toggle(EngCount *c, int k) {
    switch (k) {
    case 0: c->flops = 0; break;
    case 1: c->flops = 1; break;
    case 2: c->bias = !c->bias; break;
    case 3: c->bn = !c->bn; break;
    case 4: c->act = !c->act; break;
    case 5: c->other = !c->other; break;
    default: break;
    }
}

/* M/F, B, N, A, O: the same switches from the keyboard; -1 if not one. */
static int count_key(SDL_Keycode k) {
    switch (k) {
    case SDLK_m: return 0;
    case SDLK_f: return 1;
    case SDLK_b: return 2;
    case SDLK_n: return 3;
    case SDLK_a: return 4;
    case SDLK_o: return 5;
    default: return -1;
    }
}

/* ---- compare: state ---------------------------------------------------------------------- */

/* Slider stops: every value a slider can take (sizes the history used). */
static const int ch_stops[] = {1, 3, 8, 16, 24, 32, 48, 64, 96, 128, 160, 192, 256, 384, 512, 768, 1024};
static const int hw_stops[] = {7, 14, 28, 32, 56, 112, 224};
static const int g_stops[] = {1, 2, 4, 8, 16, 32, 64};
#define NSTOPS(a) ((int)(sizeof a / sizeof a[0]))

static const int *stops_of(int k, int *n) {
    if (k < 2) return *n = NSTOPS(ch_stops), ch_stops;
    if (k == 2) return *n = NSTOPS(hw_stops), hw_stops;
    return *n = NSTOPS(g_stops), g_stops;
}

static int *cfg_field(BlockCfg *c, int k) {
    return k == 0 ? &c->cin : k == 1 ? &c->cout : k == 2 ? &c->hw : &c->groups;
}

/* Where value v sits on slider k, 0..1 (between stops when it is not one). */
static double slider_pos(int k, int v) {
    int n;
    const int *s = stops_of(k, &n);
    if (v <= s[0]) return 0.0;
    for (int i = 1; i < n; i++)
        if (v <= s[i]) return (i - 1 + (double)(v - s[i - 1]) / (s[i] - s[i - 1])) / (n - 1);
    return 1.0;
}

static int slider_enabled(const CompareView *c, int k) {
    return k < 3 || !strcmp(model_block_at(c->block)->name, "plain-vs-grouped");
}

/* Both designs of `block` at cfg, built aside, then installed with the
 * block and its sizes in one step under mu (the worker reads block, cfg, g
 * and scratch_gb under it; mu NULL when nothing runs concurrently), gen
 * bumped when the times must be measured again. */
static void rebuild(CompareView *c, pthread_mutex_t *mu, int block, const BlockCfg *cfg_in, int bump) {
    const ModelBlock *b = model_block_at(block);
    const BlockCfg cfg = *cfg_in;
    EngGraph *g[2], *old[2] = {c->g[0], c->g[1]};
    double scratch = 0;
    char why[256];
    c->error[0] = 0;
    for (int s = 0; s < 2; s++) {
        g[s] = app_block_build(b, s, &cfg, why, sizeof why);
        if (!g[s] && !c->error[0])
            snprintf(c->error, sizeof c->error, "%s cannot be built with these sizes: %s",
                     s ? b->b_name : b->a_name, why);
        if (!g[s]) continue;
        const AppBlockSide side = app_block_count(g[s], c->count);
        c->t[s] = side.t;
        c->ops[s] = side.ops;
        c->act[s] = side.act;
        if (side.work_gb > scratch) scratch = side.work_gb;
    }
    if (mu) pthread_mutex_lock(mu);
    c->block = block;
    c->cfg = cfg;
    c->g[0] = g[0], c->g[1] = g[1];
    c->scratch_gb = scratch;
    if (bump) c->gen++;
    if (mu) pthread_mutex_unlock(mu);
    for (int s = 0; s < 2; s++) eng_graph_destroy(old[s]);
}

void compare_rebuild(CompareView *c) { rebuild(c, NULL, c->block, &c->cfg, 0); }

void compare_init(CompareView *c, int block, const BlockCfg *cfg, EngCount count) {
    memset(c, 0, sizeof *c);
    c->block = block >= 0 && block < model_block_count() ? block : 0;
    c->cfg = cfg ? *cfg : model_block_at(c->block)->defaults;
    c->count = count;
    c->drag = -1;
    c->want_runs = 5;
    c->gen = 1;
    compare_rebuild(c);
}

void compare_free(CompareView *c) {
    for (int s = 0; s < 2; s++) eng_graph_destroy(c->g[s]);
    memset(c, 0, sizeof *c);
}

/* ---- compare: layout --------------------------------------------------------------------- */

typedef struct {
    SDL_Rect blocks[16];
    int n_blocks;
    int explain_y, sliders_y, chips_y;
    SDL_Rect slider[CMP_SLIDERS];
    SDL_Rect diag[2], table;
    int val_w, ratio_w;       /* the table's A and B columns, its B / A column */
} CmpLayout;

enum { CMP_COL_GAP = 16 };

static int text_px(TTF_Font *font, const char *s) {
    int tw = 0, th = 0;
    if (s && *s) TTF_SizeUTF8(font, s, &tw, &th);
    return tw;
}

/* What the table's columns must hold: its longest row label, the widest
 * number it can show for these designs, a ratio. Returns the table's width. */
static int table_need(const CompareView *c, const VizFonts *f, int *val_w, int *ratio_w) {
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
        const EngShape o = eng_graph_node(c->g[s], eng_graph_output(c->g[s]))->out;
        snprintf(buf, sizeof buf, "%dx%dx%d", o.C, o.H, o.W);
        if (text_px(f->sans, buf) > v) v = text_px(f->sans, buf);
    }
    *val_w = v;
    *ratio_w = text_px(f->sans, "00.000");
    return text_px(f->small, "activation memory") + CMP_COL_GAP + 2 * (v + CMP_COL_GAP) + *ratio_w;
}

static CmpLayout cmp_layout(const CompareView *c, const VizFonts *f, int w, int h) {
    CmpLayout L;
    const int m = 24;
    int x = m, y = 16;
    L.n_blocks = model_block_count() < 16 ? model_block_count() : 16;
    for (int i = 0; i < L.n_blocks; i++) {
        L.blocks[i] = viz_chip(NULL, f, x, y, model_block_at(i)->name, 0);
        if (x + L.blocks[i].w > w - m && x > m) { /* next row */
            x = m;
            y += L.blocks[i].h + 6;
            L.blocks[i] = viz_chip(NULL, f, x, y, model_block_at(i)->name, 0);
        }
        x += L.blocks[i].w + 8;
    }
    L.explain_y = y + f->small_line + 8 + 14;
    const ModelBlock *b = model_block_at(c->block);
    int eh = viz_text_wrap(NULL, f->sans, m, 0, w - 2 * m, INK, b->explain);
    if (b->claim) eh += viz_text_wrap(NULL, f->small, m, 0, w - 2 * m, INK, b->claim) + 4;
    eh += f->small_line + 4; /* the measured answer to the claim */
    L.sliders_y = L.explain_y + eh + 12 + f->line;
    int sw = (w - 2 * m - 3 * 48) / CMP_SLIDERS;
    for (int k = 0; k < CMP_SLIDERS; k++) L.slider[k] = (SDL_Rect){m + k * (sw + 48), L.sliders_y, sw, 20};
    L.chips_y = L.sliders_y + 20 + 14;
    int top = L.chips_y + f->small_line + 8 + 16, bottom = h - m - f->small_line;
    /* The table's numbers come first: its columns hold the widest of them.
     * Each diagram gets a quarter of the width, more when its widest row of
     * boxes needs it to write every name in one line; at most a third, and
     * at most what the table leaves (but a fifth at least). A diagram given
     * less than its names need writes them in two lines. */
    const int avail = w - 2 * m - 48, tneed = table_need(c, f, &L.val_w, &L.ratio_w);
    const int fifth = (w - 2 * m) / 5, third = (w - 2 * m) / 3;
    int dw = (w - 2 * m) * 26 / 100, cap = (avail - tneed) / 2;
    cap = cap < fifth ? fifth : cap > third ? third : cap;
    for (int s = 0; s < 2; s++) {
        int need = c->g[s] ? viz_diagram_width(f, c->g[s]) : 0;
        if (need > dw) dw = need;
    }
    if (dw > cap) dw = cap;
    L.diag[0] = (SDL_Rect){m, top + f->line + 6, dw, bottom - top - f->line - 6};
    L.diag[1] = (SDL_Rect){w - m - dw, top + f->line + 6, dw, bottom - top - f->line - 6};
    L.table = (SDL_Rect){m + dw + 24, top, w - 2 * m - 2 * dw - 48, bottom - top};
    return L;
}

/* ---- compare: drawing -------------------------------------------------------------------- */

static double ratio(double b, double a) { return a > 0 ? b / a : 0.0; }

static void right(SDL_Renderer *r, TTF_Font *font, int xr, int y, SDL_Color c, const char *s) {
    int tw = 0, th = 0;
    TTF_SizeUTF8(font, s, &tw, &th);
    viz_text(r, font, xr - tw, y, c, s);
}

void compare_draw(CompareView *c, pthread_mutex_t *mu, SDL_Renderer *r, const VizFonts *f, int w,
                  int h) {
    viz_clear(r);
    const ModelBlock *b = model_block_at(c->block);
    CmpLayout L = cmp_layout(c, f, w, h);
    const SDL_Color ca = viz_palette(0), cb = viz_palette(1);
    for (int i = 0; i < L.n_blocks; i++)
        viz_chip(r, f, L.blocks[i].x, L.blocks[i].y, model_block_at(i)->name, i == c->block);
    int y = L.explain_y;
    y += viz_text_wrap(r, f->sans, 24, y, w - 48, INK, b->explain);
    if (b->claim) y += viz_text_wrap(r, f->small, 24, y + 4, w - 48, DIM, b->claim) + 4;
    char line[512], x1[48], x2[48], x3[48];
    if (c->g[0] && c->g[1]) {
        /* the measured answer to the claim, in the direction the claim is made */
        double rw = ratio((double)c->t[0].weights, (double)c->t[1].weights),
               rm = ratio((double)c->t[0].macs, (double)c->t[1].macs);
        if (rw >= 1 && rm >= 1)
            snprintf(line, sizeof line, "Measured here: %s has %.2fx the weights and %.2fx the multiply-adds of %s.",
                     b->a_name, rw, rm, b->b_name);
        else if (rw <= 1 && rm <= 1)
            snprintf(line, sizeof line, "Measured here: %s has %.2fx the weights and %.2fx the multiply-adds of %s.",
                     b->b_name, 1.0 / rw, 1.0 / rm, b->a_name);
        else
            snprintf(line, sizeof line, "Measured here: B has %.2fx the weights and %.2fx the multiply-adds of A.",
                     1.0 / rw, 1.0 / rm);
        viz_text(r, f->small, 24, y + 4, ACCENT, line);
    }
    static const char *const names[CMP_SLIDERS] = {"input channels (cin)", "output channels (cout)",
                                                   "input size (hw x hw)", "groups"};
    for (int k = 0; k < CMP_SLIDERS; k++) {
        int v = *cfg_field(&c->cfg, k);
        snprintf(x1, sizeof x1, "%d", v);
        viz_draw_slider(r, f, L.slider[k], names[k], slider_enabled(c, k) ? x1 : "-",
                        slider_pos(k, v), slider_enabled(c, k));
    }
    gui_count_chips(r, f, 24, L.chips_y, c->count, -1, -1);

    /* the two designs */
    for (int s = 0; s < 2; s++) {
        SDL_Rect d = L.diag[s];
        /* the design's name, cut to its column */
        SDL_Rect title = {d.x, d.y - f->line - 6, d.w, f->line}, old_clip;
        SDL_bool clipped = SDL_RenderIsClipEnabled(r);
        SDL_RenderGetClipRect(r, &old_clip);
        SDL_RenderSetClipRect(r, &title);
        viz_text(r, f->sans, d.x, d.y - f->line - 6, s ? cb : ca, s ? b->b_name : b->a_name);
        SDL_RenderSetClipRect(r, clipped ? &old_clip : NULL);
        if (c->g[s]) viz_draw_diagram(r, f, c->g[s], d, s ? cb : ca);
    }
    SDL_Rect t = L.table;
    if (c->error[0]) {
        viz_text_wrap(r, f->sans, t.x, t.y, t.w, (SDL_Color){255, 120, 100, 255}, c->error);
        return;
    }
    double ms[2];
    int runs_done, runs, fresh;
    char note[160];
    if (mu) pthread_mutex_lock(mu);
    ms[0] = c->ms[0], ms[1] = c->ms[1];
    runs_done = c->runs_done, runs = c->runs;
    fresh = c->done_gen == c->gen;
    snprintf(note, sizeof note, "%s", c->time_note);
    if (mu) pthread_mutex_unlock(mu);

    /* the table: A, B, B/A, and bars */
    /* right edges of the columns, from the right: the ratio, B, A */
    const int cR = t.x + t.w, cB = cR - L.ratio_w - CMP_COL_GAP, cA = cB - L.val_w - CMP_COL_GAP;
    right(r, f->small, cA, t.y, ca, "A");
    right(r, f->small, cB, t.y, cb, "B");
    right(r, f->small, cR, t.y, DIM, "B / A");
    char cnt[160];
    eng_count_describe(c->count, cnt, sizeof cnt);
    const EngShape oa = eng_graph_node(c->g[0], eng_graph_output(c->g[0]))->out,
                   ob = eng_graph_node(c->g[1], eng_graph_output(c->g[1]))->out;
    const EngRf ra = eng_graph_node(c->g[0], eng_graph_output(c->g[0]))->rf,
                rb = eng_graph_node(c->g[1], eng_graph_output(c->g[1]))->rf;
    struct {
        const char *label;
        double a, b;
        int kind; /* 0 grouped count, 1 bytes, 2 text, 3 ms */
    } rows[] = {
        {"parameters", (double)c->t[0].params, (double)c->t[1].params, 0},
        {"  weights", (double)c->t[0].weights, (double)c->t[1].weights, 0},
        {"  biases", (double)(c->t[0].params - c->t[0].weights), (double)(c->t[1].params - c->t[1].weights), 0},
        {c->count.flops ? "FLOPs" : "MACs", (double)c->ops[0], (double)c->ops[1], 0},
        {"activation memory", (double)c->act[0], (double)c->act[1], 1},
        {"receptive field", (double)ra.size, (double)rb.size, 2},
        {"output", 0, 0, 2},
        {"forward time", ms[0], ms[1], 3},
    };
    const int n_rows = (int)(sizeof rows / sizeof rows[0]);
    int row_h = (t.h - f->small_line * 4) / n_rows;
    if (row_h > f->line + 26) row_h = f->line + 26;
    y = t.y + f->small_line + 8;
    for (int i = 0; i < n_rows; i++, y += row_h) {
        viz_text(r, f->small, t.x, y + 2, DIM, rows[i].label);
        if (rows[i].kind == 0) {
            eng_fmt_grouped((int64_t)rows[i].a, x1, sizeof x1);
            eng_fmt_grouped((int64_t)rows[i].b, x2, sizeof x2);
        } else if (rows[i].kind == 1) {
            eng_fmt_bytes(rows[i].a, x1, sizeof x1);
            eng_fmt_bytes(rows[i].b, x2, sizeof x2);
        } else if (i == n_rows - 2) {
            snprintf(x1, sizeof x1, "%dx%dx%d", oa.C, oa.H, oa.W);
            snprintf(x2, sizeof x2, "%dx%dx%d", ob.C, ob.H, ob.W);
        } else if (rows[i].kind == 2) {
            snprintf(x1, sizeof x1, ra.finite ? "%lld / %lld" : "whole input", (long long)ra.size,
                     (long long)ra.stride);
            snprintf(x2, sizeof x2, rb.finite ? "%lld / %lld" : "whole input", (long long)rb.size,
                     (long long)rb.stride);
        } else if (fresh && ms[0] > 0 && ms[1] > 0) {
            snprintf(x1, sizeof x1, "%.3f ms", ms[0]);
            snprintf(x2, sizeof x2, "%.3f ms", ms[1]);
        } else {
            snprintf(x1, sizeof x1, "%s", note[0] && fresh ? "not timed" : "measuring");
            snprintf(x2, sizeof x2, "%s", runs ? "…" : "");
            if (!fresh && runs) snprintf(x2, sizeof x2, "run %d of %d", runs_done, runs);
        }
        right(r, f->sans, cA, y, INK, x1);
        right(r, f->sans, cB, y, INK, x2);
        int has_ratio = rows[i].kind != 2 && (rows[i].kind != 3 || (fresh && ms[0] > 0 && ms[1] > 0));
        if (has_ratio && rows[i].a > 0) {
            snprintf(x3, sizeof x3, "%.3f", rows[i].b / rows[i].a);
            right(r, f->sans, cR, y, rows[i].b < rows[i].a ? (SDL_Color){120, 220, 140, 255} : INK, x3);
        }
        /* what the two numbers are, under the label (B's column ends too near the ratio's) */
        if (rows[i].kind == 2 && i != n_rows - 2 && ra.finite && rb.finite)
            viz_text(r, f->small, t.x, y + 2 + f->small_line, DIM, "  size / stride");
        if (has_ratio && (rows[i].a > 0 || rows[i].b > 0)) {
            SDL_Rect bar = {t.x + t.w * 45 / 100 + 12, y + f->line + 2, t.w * 55 / 100 - 12, 12};
            bar.x = t.x;
            bar.w = t.w;
            viz_draw_pair_bar(r, bar, rows[i].a, rows[i].b, ca, cb);
        }
    }
    y += 4;
    snprintf(line, sizeof line, "counted as %s", cnt);
    viz_text_wrap(r, f->small, t.x, y, t.w, DIM, line);
    y += f->small_line + 2;
    if (fresh && note[0]) viz_text_wrap(r, f->small, t.x, y, t.w, DIM, note);
    else if (fresh && ms[0] > 0)
        viz_text_wrap(r, f->small, t.x, y, t.w, DIM,
                      "time: median of forward passes at batch 1 on one random input, measured now");
    (void)x3;
}

/* ---- compare: events --------------------------------------------------------------------- */

static int set_slider(BlockCfg *cfg, int k, int px, const SDL_Rect *track) {
    int n;
    const int *s = stops_of(k, &n);
    double t = (double)(px - track->x) / (track->w > 0 ? track->w : 1);
    int i = (int)lround(t * (n - 1));
    if (i < 0) i = 0;
    if (i >= n) i = n - 1;
    int *v = cfg_field(cfg, k);
    if (*v == s[i]) return 0;
    *v = s[i];
    return 1;
}

int compare_event(CompareView *c, pthread_mutex_t *mu, const SDL_Event *e, const VizFonts *f, int w,
                  int h) {
    CmpLayout L = cmp_layout(c, f, w, h);
    /* the change is made on copies, installed under mu by rebuild() */
    BlockCfg cfg = c->cfg;
    int block = c->block;
    if (e->type == SDL_MOUSEBUTTONDOWN && e->button.button == SDL_BUTTON_LEFT) {
        SDL_Point p = {e->button.x, e->button.y};
        for (int i = 0; i < L.n_blocks; i++)
            if (SDL_PointInRect(&p, &L.blocks[i])) block = i;
        for (int k = 0; k < CMP_SLIDERS; k++) {
            SDL_Rect grab = {L.slider[k].x - 10, L.slider[k].y - 12, L.slider[k].w + 20, L.slider[k].h + 24};
            if (slider_enabled(c, k) && SDL_PointInRect(&p, &grab)) c->drag = k;
        }
        int chip = gui_count_chips(NULL, f, 24, L.chips_y, c->count, p.x, p.y);
        if (chip >= 0) {
            gui_count_toggle(&c->count, chip);
            rebuild(c, mu, c->block, &c->cfg, 0);
        }
    } else if (e->type == SDL_MOUSEBUTTONUP) {
        c->drag = -1;
    } else if (e->type == SDL_KEYDOWN) {
        SDL_Keycode k = e->key.keysym.sym;
        int ck = count_key(k);
        if (ck >= 0) {
            if (ck == 0 && !c->count.flops) ck = 1; /* M toggles the unit */
            gui_count_toggle(&c->count, ck);
            rebuild(c, mu, c->block, &c->cfg, 0);
        } else if (k == SDLK_DOWN || k == SDLK_PAGEDOWN) {
            block = (c->block + 1) % model_block_count();
        } else if (k == SDLK_UP || k == SDLK_PAGEUP) {
            block = (c->block + model_block_count() - 1) % model_block_count();
        } else if (k == SDLK_d) {
            cfg = model_block_at(c->block)->defaults;
        } else if (k == SDLK_t) {
            rebuild(c, mu, c->block, &c->cfg, 1);
            return 1;
        }
    }
    if (c->drag >= 0 && (e->type == SDL_MOUSEBUTTONDOWN || e->type == SDL_MOUSEMOTION))
        set_slider(&cfg, c->drag, e->type == SDL_MOUSEMOTION ? e->motion.x : e->button.x, &L.slider[c->drag]);
    if (block != c->block) cfg = model_block_at(block)->defaults;
    if (block != c->block || memcmp(&cfg, &c->cfg, sizeof cfg) != 0) {
        rebuild(c, mu, block, &cfg, 1);
        return 1;
    }
    return 0;
}

/* ---- compare: timing (worker thread) ---------------------------------------------------- */

/* The measurement's generation: it publishes its progress and stops once
 * the window has moved on (a change of block or size, T, leaving). */
typedef struct {
    CompareView *c;
    pthread_mutex_t *mu;
    unsigned long gen;
} CmpRun;

static int compare_progress(void *ctx, int done, int total) {
    CmpRun *k = ctx;
    pthread_mutex_lock(k->mu);
    const int stale = k->c->gen != k->gen;
    k->c->runs_done = done;
    k->c->runs = total;
    pthread_mutex_unlock(k->mu);
    return stale;
}

void compare_measure(CompareView *c, pthread_mutex_t *mu) {
    pthread_mutex_lock(mu);
    CmpRun run = {c, mu, c->gen};
    const ModelBlock *b = model_block_at(c->block);
    const BlockCfg cfg = c->cfg;
    const int buildable = c->g[0] && c->g[1];
    c->runs_done = c->runs = 0;
    pthread_mutex_unlock(mu);
    double ms[2] = {0, 0};
    char note[160] = "", why[300];
    if (!buildable) {
        snprintf(note, sizeof note, "not timed: the designs cannot be built");
    } else {
        /* past 2 GB a side would page or fail: the guard says so instead */
        const AppTiming tm = {c->want_runs, 1, 2.0};
        const int rc = app_block_time(b, &cfg, &tm, compare_progress, &run, ms, why, sizeof why);
        if (rc == 1) return; /* superseded: the newer measurement publishes */
        if (rc < 0) snprintf(note, sizeof note, "not timed: %.148s", why);
    }
    pthread_mutex_lock(mu);
    if (c->gen == run.gen) {
        c->ms[0] = ms[0], c->ms[1] = ms[1];
        snprintf(c->time_note, sizeof c->time_note, "%s", note);
        c->done_gen = run.gen;
        c->runs = 0;
    }
    pthread_mutex_unlock(mu);
}

/* ---- zoo --------------------------------------------------------------------------------- */

void zoo_recount(ZooView *z, pthread_mutex_t *mu) {
    char why[sizeof z->note], first[sizeof z->note] = "";
    for (int i = 0; i < z->n; i++) {
        AppNetCount nc;
        if (app_net_count(z->card[i], z->count, &nc, why, sizeof why) != 0) {
            if (!first[0]) memcpy(first, why, sizeof first);
            continue;
        }
        if (mu) pthread_mutex_lock(mu); /* zoo_measure orders the models by t[] */
        z->t[i] = nc.t;
        if (mu) pthread_mutex_unlock(mu);
        z->ops[i] = nc.ops;
        z->depth[i] = nc.depth;
    }
    if (mu) pthread_mutex_lock(mu);
    memcpy(z->note, first, sizeof z->note);
    if (mu) pthread_mutex_unlock(mu);
}

int zoo_init(ZooView *z, const char *only, EngCount count, int runs) {
    memset(z, 0, sizeof *z);
    z->count = count;
    z->runs = runs;
    z->gen = 1;
    if (only) {
        char buf[1024];
        snprintf(buf, sizeof buf, "%s", only);
        for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
            const ModelCard *card = model_find(tok);
            if (!card || card->imported) {
                fprintf(stderr, "convscope render: unknown model '%s' in --models (see 'convscope models')\n", tok);
                return -1;
            }
            if (z->n < ZOO_MAX) z->card[z->n++] = card;
        }
    } else {
        for (int i = 0; i < model_count() && z->n < ZOO_MAX; i++)
            if (!model_at(i)->imported) z->card[z->n++] = model_at(i);
    }
    zoo_recount(z, NULL);
    return 0;
}

/* The zoo measurement's generation, and how many models it has timed. */
typedef struct {
    ZooView *z;
    pthread_mutex_t *mu;
    unsigned long gen;
    int measured;
} ZooRun;

static int zoo_progress(void *ctx, int done, int total) {
    ZooRun *k = ctx;
    (void)done, (void)total;
    pthread_mutex_lock(k->mu);
    const int stale = k->z->gen != k->gen;
    pthread_mutex_unlock(k->mu);
    return stale;
}

/* One model timed: published, unless the window has moved on. */
static int zoo_done(void *ctx, int i, double ms) {
    ZooRun *k = ctx;
    pthread_mutex_lock(k->mu);
    const int stale = k->z->gen != k->gen;
    if (!stale) {
        k->z->ms[i] = ms;
        k->z->measured = ++k->measured;
    }
    pthread_mutex_unlock(k->mu);
    return stale;
}

void zoo_measure(ZooView *z, pthread_mutex_t *mu) {
    pthread_mutex_lock(mu);
    ZooRun run = {z, mu, z->gen, 0};
    const int n = z->n, runs = z->runs;
    int64_t macs[ZOO_MAX]; /* the window may recount t[] meanwhile */
    for (int i = 0; i < n; i++) {
        macs[i] = z->t[i].macs;
        z->ms[i] = 0;
    }
    z->measured = 0;
    z->running = runs > 0;
    pthread_mutex_unlock(mu);
    char why[sizeof z->note] = "";
    const AppTiming tm = {runs, 1, 0};
    const int rc = runs > 0 ? app_zoo_time(z->card, macs, n, &tm, zoo_progress, zoo_done, &run, why,
                                           sizeof why)
                            : 0;
    if (rc == 1) return;
    pthread_mutex_lock(mu);
    if (z->gen == run.gen) {
        z->running = 0;
        if (rc < 0) memcpy(z->note, why, sizeof z->note);
    }
    pthread_mutex_unlock(mu);
}

/* The colour of model k: its family's rank among the zoo's families. */
static int family_group(const ZooView *z, int k) {
    int g = 0;
    for (int i = 0; i < z->n; i++) {
        int first = 1;
        for (int j = 0; j < i && first; j++)
            if (!strcmp(z->card[j]->family, z->card[i]->family)) first = 0;
        if (!first) continue;
        if (!strcmp(z->card[i]->family, z->card[k]->family)) return g;
        g++;
    }
    return g;
}

typedef struct {
    SDL_Rect table, chart;
    int chips_y, axis_y;
    SDL_Rect axis[2];
} ZooLayout;

static ZooLayout zoo_layout(const VizFonts *f, int w, int h) {
    ZooLayout L;
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

void zoo_draw(ZooView *z, pthread_mutex_t *mu, SDL_Renderer *r, const VizFonts *f, int w, int h) {
    viz_clear(r);
    ZooLayout L = zoo_layout(f, w, h);
    double ms[ZOO_MAX];
    int measured, running;
    if (mu) pthread_mutex_lock(mu);
    memcpy(ms, z->ms, sizeof ms);
    measured = z->measured, running = z->running;
    if (mu) pthread_mutex_unlock(mu);
    viz_text(r, f->sans_big, 24, 8, INK, "The zoo in numbers");
    char line[512], x1[48], x2[48];
    eng_count_describe(z->count, x1, sizeof x1);
    if (running)
        snprintf(line, sizeof line, "latency at batch 1 on this machine: measuring %d of %d …  (T restarts)",
                 measured + 1, z->n);
    else if (z->runs > 0)
        snprintf(line, sizeof line, "latency at batch 1 on this machine: median of %d forward passes, "
                 "measured now (T measures again)", z->runs);
    else
        snprintf(line, sizeof line, "latency not measured");
    viz_text(r, f->small, 24, L.chips_y - f->small_line - 8, running ? ACCENT : DIM, line);
    gui_count_chips(r, f, 24, L.chips_y, z->count, -1, -1);

    /* the table */
    SDL_Rect t = L.table;
    const int cols[] = {t.x, t.x + t.w * 30 / 100, t.x + t.w * 38 / 100, t.x + t.w * 58 / 100,
                        t.x + t.w * 77 / 100, t.x + t.w * 88 / 100, t.x + t.w};
    const char *head[] = {"network", "year", "params", z->count.flops ? "FLOPs" : "MACs", "top-5", "ms"};
    viz_text(r, f->small, cols[0], t.y, DIM, head[0]);
    for (int k = 1; k < 6; k++) right(r, f->small, cols[k + 1] - (k == 1 ? 40 : 0) - 4, t.y, DIM, head[k]);
    int rh = f->small_line + 3, y = t.y + f->small_line + 6;
    int rows = (t.h - f->small_line - 6) / rh;
    if (rows < z->n) rows = (t.h - 2 * f->small_line - 10) / rh; /* room for the scroll note */
    if (z->scroll > z->n - rows) z->scroll = z->n - rows > 0 ? z->n - rows : 0;
    for (int k = z->scroll; k < z->n && k < z->scroll + rows; k++, y += rh) {
        const ModelCard *c = z->card[k];
        SDL_Rect dot = {cols[0], y + rh / 2 - 4, 8, 8};
        SDL_Color pc = viz_palette(family_group(z, k));
        SDL_SetRenderDrawColor(r, pc.r, pc.g, pc.b, 255);
        SDL_RenderFillRect(r, &dot);
        viz_text(r, f->small, cols[0] + 14, y, INK, c->display);
        snprintf(x1, sizeof x1, "%d", c->year);
        right(r, f->small, cols[2] - 40 - 4, y, DIM, x1);
        right(r, f->small, cols[3] - 4, y, INK, eng_fmt_si((double)z->t[k].params, x1, sizeof x1));
        right(r, f->small, cols[4] - 4, y, INK, eng_fmt_si((double)z->ops[k], x1, sizeof x1));
        if (c->top5_error >= 0) snprintf(x2, sizeof x2, "%.2f%%", c->top5_error);
        else snprintf(x2, sizeof x2, "-");
        right(r, f->small, cols[5] - 4, y, INK, x2);
        if (ms[k] > 0) snprintf(x2, sizeof x2, ms[k] < 10 ? "%.2f" : "%.0f", ms[k]);
        else snprintf(x2, sizeof x2, running ? "…" : "-");
        right(r, f->small, cols[6] - 4, y, INK, x2);
    }
    if (z->n > rows) {
        snprintf(line, sizeof line, "rows %d-%d of %d (wheel or Up/Down)", z->scroll + 1,
                 z->scroll + rows < z->n ? z->scroll + rows : z->n, z->n);
        viz_text(r, f->small, t.x, t.y + t.h - f->small_line + 2, DIM, line);
    }

    /* the chart: top-5 error against operations or latency, bubble = parameters */
    viz_chip(r, f, L.axis[0].x, L.axis[0].y, "x: operations", !z->x_latency);
    viz_chip(r, f, L.axis[1].x, L.axis[1].y, "x: latency here", z->x_latency);
    VizBubble b[ZOO_MAX];
    int nb = 0;
    for (int k = 0; k < z->n; k++) {
        const ModelCard *c = z->card[k];
        if (c->top5_error < 0) continue;
        b[nb++] = (VizBubble){c->display, z->x_latency ? ms[k] : (double)z->ops[k], c->top5_error,
                              (double)z->t[k].params, family_group(z, k)};
    }
    char xl[200];
    eng_count_describe(z->count, x1, sizeof x1);
    snprintf(xl, sizeof xl, "%s", z->x_latency ? "forward time at batch 1 here, ms (log)" : x1);
    if (!z->x_latency) snprintf(xl, sizeof xl, "%s per image (log)", z->count.flops ? "FLOPs" : "MACs");
    viz_draw_bubbles(r, f, L.chart, b, nb, xl, "ILSVRC top-5 error (from each card's source)",
                     "bubble area = parameters");
    (void)x2;
}

int zoo_event(ZooView *z, pthread_mutex_t *mu, const SDL_Event *e, const VizFonts *f, int w, int h) {
    ZooLayout L = zoo_layout(f, w, h);
    if (e->type == SDL_MOUSEBUTTONDOWN && e->button.button == SDL_BUTTON_LEFT) {
        SDL_Point p = {e->button.x, e->button.y};
        int chip = gui_count_chips(NULL, f, 24, L.chips_y, z->count, p.x, p.y);
        if (chip >= 0) {
            gui_count_toggle(&z->count, chip);
            zoo_recount(z, mu);
        }
        if (SDL_PointInRect(&p, &L.axis[0])) z->x_latency = 0;
        if (SDL_PointInRect(&p, &L.axis[1])) z->x_latency = 1;
    } else if (e->type == SDL_MOUSEWHEEL) {
        z->scroll -= e->wheel.y * 3;
        if (z->scroll < 0) z->scroll = 0;
    } else if (e->type == SDL_KEYDOWN) {
        SDL_Keycode k = e->key.keysym.sym;
        int ck = count_key(k);
        if (ck >= 0) {
            if (ck == 0 && !z->count.flops) ck = 1;
            gui_count_toggle(&z->count, ck);
            zoo_recount(z, mu);
        } else if (k == SDLK_l) {
            z->x_latency = !z->x_latency;
        } else if (k == SDLK_DOWN) {
            z->scroll++;
        } else if (k == SDLK_UP) {
            z->scroll = z->scroll > 0 ? z->scroll - 1 : 0;
        } else if (k == SDLK_t) {
            return 1;
        }
    }
    return 0;
}

/* ---- receptive fields ------------------------------------------------------------------- */

static const char *const rf_names[RF_NETS] = {"lenet5",    "alexnet",     "zfnet",
                                              "vgg16",     "googlenet",   "resnet50",
                                              "densenet121", "mobilenet_v1", "squeezenet1_0"};
static const int rf_default_on[RF_NETS] = {0, 1, 0, 1, 1, 1, 0, 0, 0};

/* One network's curve: weighted layers on the longest path up to each node,
 * and the field there; one point per depth, the largest field reached at it. */
static void rf_add(RfView *v, const ModelCard *card, const EngGraph *g, int on) {
    int k = v->n++;
    v->card[k] = card;
    v->on[k] = on;
    v->input[k] = eng_graph_node(g, 0)->out.H;
    int nn = eng_graph_node_count(g);
    int *d = malloc((size_t)nn * sizeof *d);
    if (d) eng_graph_node_depths(g, d);
    for (int j = 0; d && j < nn; j++) {
        const EngNode *nd = eng_graph_node(g, j);
        if ((nd->flags & ENG_NODE_TRAIN_ONLY) || !nd->rf.finite || nd->op == ENG_OP_INPUT) continue;
        v->final[k] = nd->rf.size > v->final[k] ? nd->rf.size : v->final[k];
        int p = v->n_pts[k];
        if (p > 0 && v->depth[k][p - 1] == d[j]) {
            if (nd->rf.size > v->size[k][p - 1]) v->size[k][p - 1] = nd->rf.size;
        } else if (p < RF_POINTS && (p == 0 || d[j] > v->depth[k][p - 1])) {
            v->depth[k][p] = d[j];
            v->size[k][p] = nd->rf.size > (p ? v->size[k][p - 1] : 0) ? nd->rf.size : v->size[k][p - 1];
            v->n_pts[k]++;
        }
    }
    free(d);
}

void rf_init(RfView *v, const ModelCard *extra, const EngGraph *eg) {
    memset(v, 0, sizeof *v);
    app_log_capture(1);
    int have_extra = 0;
    for (int i = 0; i < RF_NETS; i++) {
        const ModelCard *card = model_find(rf_names[i]);
        EngGraph *g = card ? model_build(card, 0, 0, 0) : NULL;
        if (!g) continue;
        int mine = extra && card == extra;
        rf_add(v, card, g, rf_default_on[i] || mine);
        have_extra |= mine;
        eng_graph_destroy(g);
    }
    if (extra && eg && !have_extra) rf_add(v, extra, eg, 1);
    app_log_capture(0);
}

static SDL_Rect rf_chip(const RfView *v, const VizFonts *f, int k, SDL_Renderer *r) {
    int tw = 0, th = 0;
    TTF_SizeUTF8(f->small, "networks:", &tw, &th);
    int x = 24 + tw + 10, y = 8 + 2 * f->line + 12;
    for (int i = 0; i < k; i++) x += viz_chip(NULL, f, x, y, v->card[i]->display, 0).w + 8;
    return viz_chip(r, f, x, y, v->card[k]->display, v->on[k]);
}

void rf_draw(const RfView *v, SDL_Renderer *r, const VizFonts *f, int w, int h) {
    viz_clear(r);
    viz_text(r, f->sans_big, 24, 8, INK, "Receptive field, layer by layer");
    int cy = 8 + 2 * f->line + 12;
    viz_text(r, f->small, 24, cy + 4, DIM, "networks:");
    for (int k = 0; k < v->n; k++) rf_chip(v, f, k, r);
    const int top = cy + f->small_line + 8 + 24, bottom = h - 24 - 2 * f->small_line - 8;
    SDL_Rect plot = {24 + 64, top, w - 2 * 24 - 64 - 220, bottom - top - f->small_line - 8};
    SDL_SetRenderDrawColor(r, 30, 33, 40, 255);
    SDL_RenderFillRect(r, &plot);
    SDL_SetRenderDrawColor(r, 80, 86, 100, 255);
    SDL_RenderDrawRect(r, &plot);
    int64_t ymax = 1;
    int xmax = 1;
    for (int k = 0; k < v->n; k++) {
        if (!v->on[k] || !v->n_pts[k]) continue;
        if (v->size[k][v->n_pts[k] - 1] > ymax) ymax = v->size[k][v->n_pts[k] - 1];
        if (v->depth[k][v->n_pts[k] - 1] > xmax) xmax = v->depth[k][v->n_pts[k] - 1];
        if (v->input[k] > ymax) ymax = v->input[k];
    }
    /* axes: round steps */
    int64_t ystep = ymax > 1500 ? 500 : ymax > 600 ? 200 : ymax > 250 ? 100 : ymax > 100 ? 50 : 10;
    int64_t ytop = (ymax / ystep + 1) * ystep;
    int xstep = xmax > 100 ? 20 : xmax > 40 ? 10 : xmax > 15 ? 5 : 1;
    char t[64];
    for (int64_t yv = 0; yv <= ytop; yv += ystep) {
        int py = plot.y + plot.h - (int)(plot.h * yv / ytop);
        SDL_SetRenderDrawColor(r, 48, 52, 62, 255);
        SDL_RenderDrawLine(r, plot.x, py, plot.x + plot.w, py);
        snprintf(t, sizeof t, "%lld", (long long)yv);
        right(r, f->small, plot.x - 8, py - f->small_line / 2, DIM, t);
    }
    for (int xv = 0; xv <= xmax; xv += xstep) {
        int px = plot.x + plot.w * xv / xmax;
        SDL_SetRenderDrawColor(r, 48, 52, 62, 255);
        SDL_RenderDrawLine(r, px, plot.y, px, plot.y + plot.h);
        snprintf(t, sizeof t, "%d", xv);
        viz_text(r, f->small, px - 4, plot.y + plot.h + 4, DIM, t);
    }
    viz_text(r, f->small, plot.x, plot.y + plot.h + f->small_line + 8, DIM,
             "weighted layers (conv, FC) from the input  ·  y: receptive field of one unit, pixels "
             "(Araujo et al., Distill 2019)");
    /* the input's side: beyond it a unit sees the whole image and more */
    int iy = plot.y + plot.h - (int)(plot.h * 224 / ytop);
    SDL_SetRenderDrawColor(r, 120, 120, 120, 255);
    for (int x = plot.x; x < plot.x + plot.w; x += 12) SDL_RenderDrawLine(r, x, iy, x + 6, iy);
    viz_text(r, f->small, plot.x + 6, iy - f->small_line - 2, DIM, "224 px: the whole ImageNet input");
    int ly = plot.y;
    for (int k = 0; k < v->n; k++) {
        if (!v->on[k] || !v->n_pts[k]) continue;
        SDL_Color c = viz_palette(k);
        SDL_SetRenderDrawColor(r, c.r, c.g, c.b, 255);
        int px0 = -1, py0 = -1;
        for (int p = 0; p < v->n_pts[k]; p++) {
            int px = plot.x + plot.w * v->depth[k][p] / xmax;
            int py = plot.y + plot.h - (int)(plot.h * v->size[k][p] / ytop);
            if (px0 >= 0) {
                SDL_RenderDrawLine(r, px0, py0, px, py);
                SDL_RenderDrawLine(r, px0, py0 + 1, px, py + 1);
            }
            SDL_Rect dot = {px - 2, py - 2, 5, 5};
            SDL_RenderFillRect(r, &dot);
            px0 = px, py0 = py;
        }
        /* legend: name, depth and final field */
        SDL_Rect sw = {plot.x + plot.w + 20, ly + 4, 14, 14};
        SDL_RenderFillRect(r, &sw);
        /* a file's name may be longer than the legend: cut at the window's edge */
        const SDL_Rect name_box = {sw.x + 20, ly, w - 8 - (sw.x + 20), f->small_line};
        viz_text_in(r, f->small, name_box, name_box.x, ly, INK, v->card[k]->display);
        snprintf(t, sizeof t, "%d layers · %lld px", v->depth[k][v->n_pts[k] - 1], (long long)v->final[k]);
        viz_text(r, f->small, sw.x + 20, ly + f->small_line, DIM, t);
        ly += 2 * f->small_line + 10;
    }
}

void rf_event(RfView *v, const SDL_Event *e, const VizFonts *f, int w, int h) {
    (void)w, (void)h;
    if (e->type == SDL_MOUSEBUTTONDOWN && e->button.button == SDL_BUTTON_LEFT) {
        SDL_Point p = {e->button.x, e->button.y};
        for (int k = 0; k < v->n; k++) {
            SDL_Rect a = rf_chip(v, f, k, NULL);
            if (SDL_PointInRect(&p, &a)) v->on[k] = !v->on[k];
        }
    } else if (e->type == SDL_KEYDOWN) {
        SDL_Keycode k = e->key.keysym.sym;
        if (k >= SDLK_1 && k <= SDLK_9 && k - SDLK_1 < v->n) v->on[k - SDLK_1] = !v->on[k - SDLK_1];
    }
}

/* ---- the model picker ------------------------------------------------------------------- */

/* The distinct years of the zoo, ascending. */
static int pick_years(const ZooView *z, int *years) {
    int n = 0;
    for (int i = 0; i < z->n; i++) {
        int y = z->card[i]->year, k = 0;
        while (k < n && years[k] != y) k++;
        if (k == n && n < 32) years[n++] = y;
    }
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && years[j] < years[j - 1]; j--) {
            int t = years[j];
            years[j] = years[j - 1];
            years[j - 1] = t;
        }
    return n;
}

/* Where card i's chip is on the timeline. */
static SDL_Rect pick_chip(const ZooView *z, const VizFonts *f, int w, int i) {
    int years[32], ny = pick_years(z, years), col = 0, row = 0;
    while (col < ny && years[col] != z->card[i]->year) col++;
    for (int j = 0; j < i; j++) row += z->card[j]->year == z->card[i]->year;
    const int m = 24, cw = (w - 2 * m) / (ny > 0 ? ny : 1), top = 8 + 2 * f->line + 16 + f->line + 8;
    return (SDL_Rect){m + col * cw, top + row * (f->small_line + 10), cw - 10, f->small_line + 6};
}

void pick_draw(const PickView *p, const ZooView *z, SDL_Renderer *r, const VizFonts *f, int w, int h,
               const char *note) {
    viz_clear(r);
    viz_text(r, f->sans_big, 24, 8, INK, "The history, network by network");
    int years[32], ny = pick_years(z, years);
    const int m = 24, cw = (w - 2 * m) / (ny > 0 ? ny : 1), ty = 8 + 2 * f->line + 16;
    SDL_SetRenderDrawColor(r, 80, 86, 100, 255);
    SDL_RenderDrawLine(r, m, ty + f->line + 2, w - m, ty + f->line + 2);
    char t[600];
    for (int k = 0; k < ny; k++) {
        snprintf(t, sizeof t, "%d", years[k]);
        viz_text(r, f->sans, m + k * cw, ty, ACCENT, t);
    }
    int bottom = 0;
    for (int i = 0; i < z->n; i++) {
        SDL_Rect a = pick_chip(z, f, w, i);
        int on = i == p->sel;
        SDL_SetRenderDrawColor(r, on ? 255 : 40, on ? 196 : 44, on ? 84 : 54, 255);
        SDL_RenderFillRect(r, &a);
        SDL_Color c = viz_palette(family_group(z, i));
        SDL_Rect bar = {a.x, a.y, 4, a.h};
        SDL_SetRenderDrawColor(r, c.r, c.g, c.b, 255);
        SDL_RenderFillRect(r, &bar);
        SDL_Rect inner = {a.x + 4, a.y, a.w - 8, a.h};
        viz_text_in(r, f->small, inner, a.x + 10, a.y + 3, on ? (SDL_Color){20, 22, 28, 255} : INK, z->card[i]->display);
        if (a.y + a.h > bottom) bottom = a.y + a.h;
    }
    if (p->sel < 0 || p->sel >= z->n) return;
    /* the card */
    const ModelCard *c = z->card[p->sel];
    int y = bottom + 24;
    SDL_Rect box = {m, y, w - 2 * m, h - y - 24 - f->small_line - 8};
    SDL_SetRenderDrawColor(r, 32, 35, 43, 255);
    SDL_RenderFillRect(r, &box);
    SDL_SetRenderDrawColor(r, 80, 86, 100, 255);
    SDL_RenderDrawRect(r, &box);
    int x = box.x + 16;
    y = box.y + 10;
    snprintf(t, sizeof t, "%s  (%d)", c->display, c->year);
    viz_text(r, f->sans_big, x, y, INK, t);
    y += f->line * 2 + 4;
    snprintf(t, sizeof t, "%s, \"%s\", %s", c->authors ? c->authors : "", c->paper ? c->paper : "",
             c->venue ? c->venue : "");
    y += viz_text_wrap(r, f->small, x, y, box.w - 32, DIM, t) + 6;
    char p1[48], p2[48];
    snprintf(t, sizeof t, "depth %d  ·  %s parameters  ·  %s MACs at %dx%dx%d", z->depth[p->sel],
             eng_fmt_grouped(z->t[p->sel].params, p1, sizeof p1),
             eng_fmt_si((double)z->t[p->sel].macs, p2, sizeof p2), c->in_c, c->in_h, c->in_w);
    viz_text(r, f->sans, x, y, INK, t);
    y += f->line + 6;
    if (c->top5_error >= 0)
        snprintf(t, sizeof t, "ILSVRC top-5 error %.2f%%: %s (%s)", c->top5_error, c->ilsvrc ? c->ilsvrc : "",
                 c->top5_source ? c->top5_source : "");
    else
        snprintf(t, sizeof t, "%s", c->ilsvrc ? c->ilsvrc : "no ILSVRC result of its own");
    y += viz_text_wrap(r, f->small, x, y, box.w - 32, DIM, t) + 8;
    if (c->key_ideas) y += viz_text_wrap(r, f->sans, x, y, box.w - 32, INK, c->key_ideas) + 8;
    if (c->notes && y + 3 * f->small_line < box.y + box.h - f->small_line - 12)
        viz_text_wrap(r, f->small, x, y, box.w - 32, DIM, c->notes);
    if (c->weights)
        snprintf(t, sizeof t, "trained weights ship for it (%s)  ·  Enter or a second click opens it",
                 c->weights_data ? c->weights_data : "");
    else
        snprintf(t, sizeof t, "no trained weights ship: it opens with random (He) weights  ·  Enter or a second "
                 "click opens it");
    viz_text(r, f->small, x, box.y + box.h - f->small_line - 8, ACCENT, note && *note ? note : t);
}

int pick_event(PickView *p, const ZooView *z, const SDL_Event *e, const VizFonts *f, int w, int h) {
    (void)h;
    if (e->type == SDL_MOUSEBUTTONDOWN && e->button.button == SDL_BUTTON_LEFT) {
        SDL_Point pt = {e->button.x, e->button.y};
        for (int i = 0; i < z->n; i++) {
            SDL_Rect a = pick_chip(z, f, w, i);
            if (!SDL_PointInRect(&pt, &a)) continue;
            if (i == p->sel) return 1;
            p->sel = i;
        }
    } else if (e->type == SDL_KEYDOWN) {
        SDL_Keycode k = e->key.keysym.sym;
        if (k == SDLK_RETURN || k == SDLK_KP_ENTER) return 1;
        if (k == SDLK_DOWN && p->sel + 1 < z->n) p->sel++;
        if (k == SDLK_UP && p->sel > 0) p->sel--;
        if (k == SDLK_RIGHT || k == SDLK_LEFT) { /* the first network of the next or previous year */
            int y = z->card[p->sel]->year, best = -1;
            for (int i = 0; i < z->n; i++) {
                int yi = z->card[i]->year;
                if (k == SDLK_RIGHT ? yi > y : yi < y) {
                    if (best < 0 || (k == SDLK_RIGHT ? yi < z->card[best]->year : yi > z->card[best]->year))
                        best = i;
                }
            }
            if (best >= 0) p->sel = best;
        }
    }
    return 0;
}

#endif
