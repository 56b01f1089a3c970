/*
 * viz_chart.c — the pieces of the compare and zoo screens: a block diagram
 * of an engine graph with the tensor shape on every edge, paired bars,
 * sliders, toggle chips, wrapped text and a bubble chart with log axes.
 * Numbers arrive computed; this file only lays them out.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "viz.h"

#define INK (viz_ink())
#define DIM (viz_dim())
static const SDL_Color ACCENT = {255, 196, 84, 255};

static int text_w(TTF_Font *f, const char *s) {
    int w = 0, h = 0;
    if (s && *s && viz_text_size(f, s, &w, &h) != 0) w = 0;
    return w;
}

static void fill(SDL_Renderer *r, SDL_Rect a, SDL_Color c) {
    SDL_SetRenderDrawColor(r, c.r, c.g, c.b, c.a);
    SDL_RenderFillRect(r, &a);
}

static void frame(SDL_Renderer *r, SDL_Rect a, SDL_Color c) {
    SDL_SetRenderDrawColor(r, c.r, c.g, c.b, c.a);
    SDL_RenderDrawRect(r, &a);
}

SDL_Color viz_palette(int i) {
    /* Okabe & Ito's colour-blind safe set, lightened for a dark background */
    static const SDL_Color p[10] = {
        {86, 180, 233, 255},  {230, 159, 0, 255},  {0, 158, 115, 255},   {240, 228, 66, 255},
        {204, 121, 167, 255}, {255, 99, 99, 255},  {120, 160, 255, 255}, {200, 200, 200, 255},
        {170, 130, 255, 255}, {130, 225, 205, 255},
    };
    return p[((i % 10) + 10) % 10];
}

int viz_text_wrap(SDL_Renderer *r, TTF_Font *font, int x, int y, int w, SDL_Color c, const char *s) {
    const int line = TTF_FontLineSkip(font);
    char buf[512];
    int lines = 0;
    while (s && *s) {
        /* the longest run of whole words that fits in w */
        size_t best = 0, i = 0, len = strlen(s);
        while (i <= len) {
            size_t j = i;
            while (j < len && s[j] != ' ') j++;
            if (j >= sizeof buf) break;
            memcpy(buf, s, j);
            buf[j] = 0;
            if (best && text_w(font, buf) > w) break;
            best = j;
            i = j + 1;
        }
        if (!best) best = len < sizeof buf - 1 ? len : sizeof buf - 1;
        memcpy(buf, s, best);
        buf[best] = 0;
        if (r) viz_text(r, font, x, y + lines * line, c, buf);
        lines++;
        s += best;
        while (*s == ' ') s++;
    }
    return lines * line;
}

SDL_Rect viz_chip(SDL_Renderer *r, const VizFonts *f, int x, int y, const char *text, int on) {
    SDL_Rect a = {x, y, text_w(f->small, text) + 20, f->small_line + 8};
    if (!r) return a;
    fill(r, a, on ? (SDL_Color){255, 196, 84, 255} : (SDL_Color){44, 48, 58, 255});
    frame(r, a, on ? ACCENT : (SDL_Color){80, 86, 100, 255});
    viz_text(r, f->small, x + 10, y + 4, on ? (SDL_Color){20, 22, 28, 255} : INK, text);
    return a;
}

void viz_draw_slider(SDL_Renderer *r, const VizFonts *f, SDL_Rect track, const char *label,
                     const char *value, double t, int enabled) {
    if (!(t >= 0.0)) t = 0.0;
    if (t > 1.0) t = 1.0;
    SDL_Color ink = enabled ? INK : DIM;
    /* label and value on one line when they fit; else the value in the small
     * type, then the label without its parenthesised part */
    char shortl[128];
    snprintf(shortl, sizeof shortl, "%s", label);
    TTF_Font *vf = f->sans;
    if (text_w(f->small, shortl) + 10 + text_w(vf, value) > track.w) vf = f->small;
    char *paren = strstr(shortl, " (");
    if (paren && text_w(f->small, shortl) + 10 + text_w(vf, value) > track.w) *paren = 0;
    viz_text(r, f->small, track.x, track.y - f->small_line - 4, DIM, shortl);
    viz_text(r, vf, track.x + track.w - text_w(vf, value), track.y - (vf == f->sans ? f->line : f->small_line) - 2 -
             (vf == f->sans ? 0 : 2), ink, value);
    SDL_Rect bar = {track.x, track.y + track.h / 2 - 2, track.w, 4};
    fill(r, bar, (SDL_Color){70, 76, 90, 255});
    int kx = track.x + (int)lround(t * track.w);
    SDL_Rect done = {track.x, bar.y, kx - track.x, 4};
    if (enabled) fill(r, done, ACCENT);
    SDL_Rect knob = {kx - 7, track.y + track.h / 2 - 9, 14, 18};
    fill(r, knob, enabled ? ACCENT : DIM);
}

void viz_draw_pair_bar(SDL_Renderer *r, SDL_Rect area, double a, double b, SDL_Color ca,
                       SDL_Color cb) {
    double m = a > b ? a : b;
    int h = (area.h - 2) / 2;
    SDL_Rect back = area;
    fill(r, back, (SDL_Color){34, 37, 45, 255});
    if (!(m > 0)) return;
    SDL_Rect ra = {area.x, area.y, (int)lround(area.w * (a / m)), h};
    SDL_Rect rb = {area.x, area.y + h + 2, (int)lround(area.w * (b / m)), h};
    if (a > 0 && ra.w < 1) ra.w = 1;
    if (b > 0 && rb.w < 1) rb.w = 1;
    fill(r, ra, ca);
    fill(r, rb, cb);
}

/* ---- block diagram ---------------------------------------------------------------------- */

static int is_activation(EngOpType op) {
    return op == ENG_OP_RELU || op == ENG_OP_LEAKYRELU || op == ENG_OP_PRELU || op == ENG_OP_CLIP ||
           op == ENG_OP_SIGMOID || op == ENG_OP_TANH || op == ENG_OP_HARDSIGMOID ||
           op == ENG_OP_HARDSWISH || op == ENG_OP_SILU || op == ENG_OP_GELU || op == ENG_OP_MISH;
}

/* What a box says under the node's name; compact when the box is narrow. */
static void node_caption(const EngNode *n, int act, int compact, char *buf, size_t len) {
    const char *a = act && !compact ? " + ReLU" : "";
    switch (n->op) {
    case ENG_OP_INPUT: snprintf(buf, len, compact ? "input" : "the block's input"); break;
    case ENG_OP_CONV: {
        const EngConvParams *c = &n->p.conv;
        char grp[32] = "", st[16] = "";
        if (c->groups > 1) snprintf(grp, sizeof grp, compact ? " g%d" : ", %d groups", c->groups);
        if (c->sh > 1) snprintf(st, sizeof st, "/%d", c->sh);
        snprintf(buf, len, compact ? "%dx%d%s, %d%s" : "%dx%d%s conv, %d%s%s", c->kh, c->kw, st, c->oc, grp, a);
        break;
    }
    case ENG_OP_MAXPOOL:
    case ENG_OP_AVGPOOL:
        snprintf(buf, len, compact ? "%s %dx%d/%d" : "%s pool %dx%d/%d",
                 n->op == ENG_OP_MAXPOOL ? "max" : "avg", n->p.pool.kh, n->p.pool.kw, n->p.pool.sh);
        break;
    case ENG_OP_ADD: snprintf(buf, len, compact ? "sum of %d" : "elementwise sum of %d", n->n_inputs); break;
    case ENG_OP_CONCAT: snprintf(buf, len, compact ? "concat %d" : "%d inputs stacked", n->n_inputs); break;
    default: snprintf(buf, len, "%s%s", eng_op_name(n->op), a); break;
    }
}

/* A caption in two lines: cut after ", " or at the last space (l2 empty
 * when it has neither). */
static void caption_lines(const char *cap, char *l1, char *l2, size_t len) {
    const char *cut = strstr(cap, ", "), *sp = strrchr(cap, ' ');
    size_t k = cut ? (size_t)(cut - cap) + 1 : sp ? (size_t)(sp - cap) : 0;
    if (!k) {
        snprintf(l1, len, "%s", cap);
        l2[0] = 0;
        return;
    }
    snprintf(l1, len, "%.*s", (int)k, cap);
    snprintf(l2, len, "%s", cap + k + 1);
}

/* Text inside a box: clipped to it. */
static void text_in(SDL_Renderer *r, TTF_Font *font, SDL_Rect box, int x, int y, SDL_Color c,
                    const char *s) {
    SDL_Rect old;
    SDL_bool had = SDL_RenderIsClipEnabled(r);
    SDL_RenderGetClipRect(r, &old);
    SDL_RenderSetClipRect(r, &box);
    viz_text(r, font, x, y, c, s);
    SDL_RenderSetClipRect(r, had ? &old : NULL);
}

#define DIAG_MAX 64

/* Where the boxes go: a node's level (row) is one more than its deepest
 * input's, its column its rank on that level; an activation right after a
 * conv, FC or batch norm is folded into that box (rep). */
typedef struct {
    int n, levels, skips; /* skips: edges that pass over a level (shortcuts) */
    int rep[DIAG_MAX], folded[DIAG_MAX], level[DIAG_MAX], col[DIAG_MAX], per_level[DIAG_MAX];
} DiagPlan;

/* An edge from s to i that passes over a level from the rightmost box of
 * its level (a shortcut) runs in the lane right of the boxes. */
static int diag_lane_edge(const DiagPlan *p, int s, int i) {
    return p->level[i] - p->level[s] > 1 && p->col[s] == p->per_level[p->level[s]] - 1;
}

static int diag_plan(const EngGraph *g, DiagPlan *p) {
    memset(p, 0, sizeof *p);
    p->n = eng_graph_node_count(g);
    if (p->n <= 0 || p->n > DIAG_MAX) return 0;
    for (int i = 0; i < p->n; i++) {
        const EngNode *nd = eng_graph_node(g, i);
        p->rep[i] = i;
        if (is_activation(nd->op) && nd->n_inputs == 1) {
            const EngNode *src = eng_graph_node(g, nd->inputs[0]);
            if (src->op == ENG_OP_CONV || src->op == ENG_OP_FC || src->op == ENG_OP_BN) {
                p->rep[i] = p->rep[nd->inputs[0]];
                p->folded[p->rep[i]] = 1;
            }
        }
    }
    for (int i = 0; i < p->n; i++) {
        if (p->rep[i] != i) continue;
        const EngNode *nd = eng_graph_node(g, i);
        int lv = 0;
        for (int k = 0; k < nd->n_inputs; k++)
            if (p->level[p->rep[nd->inputs[k]]] + 1 > lv) lv = p->level[p->rep[nd->inputs[k]]] + 1;
        p->level[i] = lv;
        p->col[i] = p->per_level[lv]++;
        if (lv + 1 > p->levels) p->levels = lv + 1;
    }
    for (int i = 0; i < p->n; i++) {
        if (p->rep[i] != i) continue;
        const EngNode *nd = eng_graph_node(g, i);
        for (int k = 0; k < nd->n_inputs; k++)
            if (diag_lane_edge(p, p->rep[nd->inputs[k]], i)) p->skips++;
    }
    return p->levels;
}

/* DIAG_LANE: the room right of the boxes where shortcuts run down. */
enum { DIAG_GAP = 8, DIAG_PAD = 4, DIAG_LANE = 22 };

/* A name in two lines when its box is narrow: cut after the '_' or '.'
 * nearest its middle ("3x3_" / "reduce"); a name without one stays whole
 * (the second line is then empty). */
static void name_lines(const char *name, char *l1, char *l2, size_t len) {
    size_t n = strlen(name), cut = 0;
    for (size_t k = 1; k + 1 < n; k++)
        if ((name[k] == '_' || name[k] == '.') &&
            (!cut || (k > n / 2 ? k - n / 2 : n / 2 - k) < (cut > n / 2 ? cut - n / 2 : n / 2 - cut)))
            cut = k;
    if (!cut) {
        snprintf(l1, len, "%s", name);
        l2[0] = 0;
        return;
    }
    snprintf(l1, len, "%.*s", (int)(cut + 1), name);
    snprintf(l2, len, "%s", name + cut + 1);
}

/* The width a box needs for its name (in two lines: split), its compact
 * caption and the shape written under it, all in the small font. */
static int box_need(const VizFonts *f, const EngNode *nd, int folded, int split) {
    char cap[96], shape[64], l1[128], l2[128];
    node_caption(nd, folded, 1, cap, sizeof cap);
    snprintf(shape, sizeof shape, "%dx%dx%d", nd->out.C, nd->out.H, nd->out.W);
    int w = text_w(f->small, nd->name), c = text_w(f->small, cap), sh = text_w(f->small, shape);
    if (split) {
        name_lines(nd->name, l1, l2, sizeof l1);
        w = text_w(f->small, l1);
        if (text_w(f->small, l2) > w) w = text_w(f->small, l2);
    }
    w = c > w ? c : w;
    w = sh > w ? sh : w;
    return w + 2 * DIAG_PAD + 2;
}

static int diagram_width(const VizFonts *f, const EngGraph *g, int split) {
    DiagPlan p;
    if (!diag_plan(g, &p)) return 0;
    int need[DIAG_MAX] = {0}, widest = 0;
    for (int i = 0; i < p.n; i++) {
        if (p.rep[i] != i) continue;
        int b = box_need(f, eng_graph_node(g, i), p.folded[i], split);
        if (b > need[p.level[i]]) need[p.level[i]] = b;
    }
    for (int lv = 0; lv < p.levels; lv++) {
        int k = p.per_level[lv], w = k * need[lv] + DIAG_GAP * (k - 1);
        if (w > widest) widest = w;
    }
    return widest + (p.skips ? DIAG_LANE : 0);
}

int viz_diagram_width(const VizFonts *f, const EngGraph *g) { return diagram_width(f, g, 0); }
int viz_diagram_min_width(const VizFonts *f, const EngGraph *g) { return diagram_width(f, g, 1); }

/* The boxes placed in area: each level a row, `step` apart; a level's
 * boxes share its width (at most 260 pixels each), centred. */
static void diag_boxes(const DiagPlan *p, SDL_Rect area, int box_h, int step, SDL_Rect *box) {
    for (int i = 0; i < p->n; i++) {
        if (p->rep[i] != i) continue;
        int k = p->per_level[p->level[i]], gap = DIAG_GAP;
        int w = (area.w - gap * (k - 1)) / k;
        if (w > 260) w = 260;
        int total = k * w + gap * (k - 1);
        box[i] = (SDL_Rect){area.x + (area.w - total) / 2 + p->col[i] * (w + gap),
                            area.y + p->level[i] * step, w, box_h};
    }
}

/* Every edge: down from its source past the shape label, across, down into
 * the box with an arrow head. A shortcut (diag_lane_edge) runs in the lane
 * right of the boxes it passes, into its box's right side. */
static void diag_edges(SDL_Renderer *r, const EngGraph *g, const DiagPlan *p, const SDL_Rect *box,
                       int label_h, SDL_Rect area, SDL_Color accent) {
    for (int i = 0; i < p->n; i++) {
        if (p->rep[i] != i) continue;
        const EngNode *nd = eng_graph_node(g, i);
        for (int k = 0; k < nd->n_inputs; k++) {
            int s = p->rep[nd->inputs[k]];
            if (diag_lane_edge(p, s, i)) {
                int lane = box[s].x + box[s].w;
                for (int j = 0; j < p->n; j++)
                    if (p->rep[j] == j && p->level[j] >= p->level[s] && p->level[j] <= p->level[i] &&
                        box[j].x + box[j].w > lane)
                        lane = box[j].x + box[j].w;
                lane += 12 + 4 * (k % 2);
                if (lane > area.x + area.w - 2) lane = area.x + area.w - 2;
                int sy = box[s].y + box[s].h / 2, dy = box[i].y + box[i].h / 2, dx = box[i].x + box[i].w;
                SDL_SetRenderDrawColor(r, accent.r, accent.g, accent.b, 255);
                for (int t = 0; t < 2; t++) { /* two pixels wide: the shortcut stands out */
                    SDL_RenderDrawLine(r, box[s].x + box[s].w, sy + t, lane + t, sy + t);
                    SDL_RenderDrawLine(r, lane + t, sy, lane + t, dy + t);
                    SDL_RenderDrawLine(r, lane + t, dy + t, dx + 1, dy + t);
                }
                for (int a = 0; a < 6; a++) /* arrow head, pointing left */
                    SDL_RenderDrawLine(r, dx + 1 + a, dy - (6 - a), dx + 1 + a, dy + (6 - a));
                continue;
            }
            SDL_SetRenderDrawColor(r, 110, 116, 130, 255);
            int sx = box[s].x + box[s].w / 2, sy = box[s].y + box[s].h + label_h;
            int dx = box[i].x + box[i].w / 2, dy = box[i].y;
            SDL_RenderDrawLine(r, box[s].x + box[s].w / 2, box[s].y + box[s].h, sx, sy);
            SDL_RenderDrawLine(r, sx, sy, dx, dy - 8);
            SDL_RenderDrawLine(r, dx, dy - 8, dx, dy);
            for (int a = 0; a < 6; a++) /* arrow head */
                SDL_RenderDrawLine(r, dx - (6 - a), dy - 7 + a, dx + (6 - a), dy - 7 + a);
        }
    }
}

/* Node i's box: name (in two lines when split), caption, and the shape
 * leaving it, within its column; the output's marked. below: the shape
 * goes a line lower (a crowded level). */
static void diag_box(SDL_Renderer *r, const VizFonts *f, const EngNode *nd, SDL_Rect box, int folded,
                     int split, int is_out, int below, int label_h, SDL_Color accent) {
    char shape[64], cap[96], l1[128], l2[128], c1[96], c2[96];
    SDL_Color c = nd->op == ENG_OP_INPUT ? (SDL_Color){52, 56, 66, 255} : (SDL_Color){40, 44, 54, 255};
    fill(r, box, c);
    frame(r, box, nd->op == ENG_OP_CONV ? accent : (SDL_Color){90, 96, 110, 255});
    TTF_Font *ft = f->small;
    int tw = box.w - 2 * DIAG_PAD, tx = box.x + DIAG_PAD;
    node_caption(nd, folded, 0, cap, sizeof cap);
    if (text_w(ft, cap) > tw) node_caption(nd, folded, 1, cap, sizeof cap);
    SDL_Rect inner = {box.x + 1, box.y + 1, box.w - 2, box.h - 2};
    if (split) name_lines(nd->name, l1, l2, sizeof l1);
    else snprintf(l1, sizeof l1, "%s", nd->name), l2[0] = 0;
    text_in(r, ft, inner, tx, box.y + 4, INK, l1);
    if (l2[0]) text_in(r, ft, inner, tx, box.y + 4 + f->small_line, INK, l2);
    const int cy = box.y + 4 + (l2[0] ? 2 : 1) * f->small_line;
    if (text_w(ft, cap) > tw && cy + 2 * f->small_line <= box.y + box.h) { /* the box has a line to spare */
        caption_lines(cap, c1, c2, sizeof c1);
        text_in(r, ft, inner, tx, cy, DIM, c1);
        text_in(r, ft, inner, tx, cy + f->small_line, DIM, c2);
    } else {
        text_in(r, ft, inner, tx, cy, DIM, cap);
    }
    snprintf(shape, sizeof shape, "%dx%dx%d", nd->out.C, nd->out.H, nd->out.W);
    int lx = box.x + box.w / 2 + 4;
    if (lx + text_w(ft, shape) > box.x + box.w + 8) lx = box.x + 2;
    if (is_out) {
        int sy = box.y + box.h;
        SDL_SetRenderDrawColor(r, 110, 116, 130, 255);
        SDL_RenderDrawLine(r, box.x + box.w / 2, sy, box.x + box.w / 2, sy + label_h);
        snprintf(cap, sizeof cap, "%s  (output)", shape);
        /* within the box's width when it would run past it: right-aligned, then the shape alone */
        if (lx + text_w(ft, cap) > box.x + box.w) lx = box.x + box.w - text_w(ft, cap);
        if (lx < box.x) snprintf(cap, sizeof cap, "%s", shape), lx = box.x + 2;
        viz_text(r, f->small, lx, sy + 2, ACCENT, cap);
    } else {
        viz_text(r, f->small, lx, box.y + box.h + 2 + (below ? f->small_line : 0), DIM, shape);
    }
}

void viz_draw_diagram(SDL_Renderer *r, const VizFonts *f, const EngGraph *g, SDL_Rect area,
                      SDL_Color accent) {
    DiagPlan p;
    if (!diag_plan(g, &p)) {
        viz_text(r, f->small, area.x, area.y, DIM, p.n > DIAG_MAX ? "too many layers to draw" : "");
        return;
    }
    const int out = p.rep[eng_graph_output(g)];
    /* too narrow for the names in one line: in two, the boxes a line taller */
    const int split = viz_diagram_width(f, g) > area.w;
    /* a compact caption wider than its box still: captions in two lines, a line more */
    const int wrap = split && viz_diagram_min_width(f, g) > area.w;
    const int box_h = f->small_line * (2 + split + wrap) + 10, label_h = f->small_line + 6;
    /* too short for its levels (a slide's view, a small window): said, rather
     * than boxes drawn over each other and past the area */
    if (p.levels * (box_h + label_h) > area.h + label_h) {
        char why[160];
        snprintf(why, sizeof why, "%d levels of boxes do not fit this height: a taller window (or slide) draws them",
                 p.levels);
        viz_text_wrap(r, f->small, area.x, area.y, area.w, DIM, why);
        return;
    }
    /* vertical room: each level's box, then its shape label and the edge */
    int step = (area.h - box_h - label_h) / (p.levels > 1 ? p.levels - 1 : 1);
    if (step > box_h + 3 * label_h) step = box_h + 3 * label_h;
    if (step < box_h + label_h) step = box_h + label_h;
    SDL_Rect box[DIAG_MAX], boxes = area;
    if (p.skips) boxes.w -= DIAG_LANE; /* the shortcuts' lane */
    diag_boxes(&p, boxes, box_h, step, box);
    /* a level whose shapes are wider than their columns writes every other
     * one a line lower */
    char shape[64];
    int crowded[DIAG_MAX] = {0};
    for (int i = 0; i < p.n; i++) {
        if (p.rep[i] != i) continue;
        const EngNode *nd = eng_graph_node(g, i);
        snprintf(shape, sizeof shape, "%dx%dx%d", nd->out.C, nd->out.H, nd->out.W);
        if (text_w(f->small, shape) > box[i].w + DIAG_GAP - 2) crowded[p.level[i]] = 1;
    }
    /* edges first, each with the shape it carries written once beside its source */
    diag_edges(r, g, &p, box, label_h, area, accent);
    for (int i = 0; i < p.n; i++) {
        if (p.rep[i] != i) continue;
        diag_box(r, f, eng_graph_node(g, i), box[i], p.folded[i], split, i == out,
                 crowded[p.level[i]] && p.col[i] % 2, label_h, accent);
    }
}

/* ---- bubble chart ----------------------------------------------------------------------- */

/* 10^d as 1, 10, 100, 1K, 10K ... 1G, and 0.1, 0.01 below 1. */
static void decade(double d, char *buf, size_t n) {
    static const char *const unit[] = {"", "K", "M", "G", "T", "P"};
    int e = (int)lround(d);
    if (e < 0) {
        snprintf(buf, n, "%g", pow(10.0, e));
        return;
    }
    int u = e / 3 < 5 ? e / 3 : 5;
    snprintf(buf, n, "%.0f%s", pow(10.0, e - 3 * u), unit[u]);
}

/* The plot's box and its scales: x whole decades (log), y percent. */
typedef struct {
    SDL_Rect plot;
    double lx0, lx1, y0, y1;
} BubbleAxes;

/* Where bubble p's centre is. */
static SDL_Point bubble_at(const BubbleAxes *a, const VizBubble *p) {
    const SDL_Rect plot = a->plot;
    return (SDL_Point){plot.x + (int)lround((log10(p->x) - a->lx0) / (a->lx1 - a->lx0) * plot.w),
                       plot.y + plot.h - (int)lround((p->y - a->y0) / (a->y1 - a->y0) * plot.h)};
}

static int bubble_shown(const VizBubble *b) { return b->x > 0 && isfinite(b->y); }

/* Whole decades around the data on x, a margin around it on y; the grid
 * and its labels drawn. */
static BubbleAxes bubble_axes(SDL_Renderer *r, const VizFonts *f, SDL_Rect plot, double xmin,
                              double xmax, double ymin, double ymax) {
    /* a bubble within a tenth of a decade (or of the y span) of an edge gets room: its disc
     * would be cut by the frame */
    const double ym = (ymax - ymin) * 0.1 > 1.0 ? (ymax - ymin) * 0.1 : 1.0;
    BubbleAxes a = {plot, floor(log10(xmin) - 0.1), ceil(log10(xmax) + 0.1), floor(ymin - ym), ceil(ymax + ym)};
    if (a.lx1 - a.lx0 < 1) a.lx1 = a.lx0 + 1;
    if (a.y0 < 0) a.y0 = 0;
    /* the top bubble under the captions at the plot's top (the axis's, the size's)
     * and its label's line: not drawn over them */
    const int top_px = 3 * f->small_line + 12;
    if (plot.h > 3 * top_px) {
        const double need = a.y0 + (ymax + ym / 2 - a.y0) * plot.h / (plot.h - top_px);
        if (need > a.y1) a.y1 = ceil(need);
    }
    char t[64];
    SDL_SetRenderDrawColor(r, 52, 56, 66, 255);
    for (double d = a.lx0; d <= a.lx1 + 1e-9; d += 1.0) {
        int px = plot.x + (int)lround((d - a.lx0) / (a.lx1 - a.lx0) * plot.w);
        SDL_RenderDrawLine(r, px, plot.y, px, plot.y + plot.h);
        decade(d, t, sizeof t);
        viz_text(r, f->small, px - text_w(f->small, t) / 2, plot.y + plot.h + 4, DIM, t);
    }
    double ystep = (a.y1 - a.y0) > 12 ? 5.0 : (a.y1 - a.y0) > 5 ? 2.0 : 1.0;
    for (double v = ceil(a.y0 / ystep) * ystep; v <= a.y1 + 1e-9; v += ystep) {
        int py = plot.y + plot.h - (int)lround((v - a.y0) / (a.y1 - a.y0) * plot.h);
        SDL_SetRenderDrawColor(r, 52, 56, 66, 255);
        SDL_RenderDrawLine(r, plot.x, py, plot.x + plot.w, py);
        snprintf(t, sizeof t, "%g%%", v);
        viz_text(r, f->small, plot.x - 8 - text_w(f->small, t), py - f->small_line / 2, DIM, t);
    }
    return a;
}

/* The discs, order[0..m) (largest first), area proportional to size. */
static void bubble_discs(SDL_Renderer *r, const BubbleAxes *a, const VizBubble *b, const int *order,
                         int m, double smax) {
    const double rmax = a->plot.h / 11.0;
    SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_BLEND);
    for (int k = 0; k < m; k++) {
        const VizBubble *p = &b[order[k]];
        const SDL_Point c0 = bubble_at(a, p);
        const int cx = c0.x, cy = c0.y;
        double rad = smax > 0 ? rmax * sqrt(p->size / smax) : 4;
        if (rad < 4) rad = 4;
        SDL_Color c = viz_palette(p->group);
        int ri = (int)rad;
        for (int dy = -ri; dy <= ri; dy++) {
            int dx = (int)sqrt(rad * rad - (double)dy * dy);
            SDL_SetRenderDrawColor(r, c.r, c.g, c.b, 110);
            SDL_RenderDrawLine(r, cx - dx, cy + dy, cx + dx, cy + dy);
        }
        SDL_SetRenderDrawColor(r, c.r, c.g, c.b, 255);
        for (int s = 0; s < 64; s++) {
            double t0 = s * 6.283185307179586 / 64, t1 = (s + 1) * 6.283185307179586 / 64;
            SDL_RenderDrawLine(r, cx + (int)(rad * cos(t0)), cy + (int)(rad * sin(t0)),
                               cx + (int)(rad * cos(t1)), cy + (int)(rad * sin(t1)));
        }
        SDL_Rect dot = {cx - 2, cy - 2, 5, 5};
        fill(r, dot, c);
    }
    SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_NONE);
}

/* Labels after every bubble, so none is hidden under a larger one; each
 * takes the first place beside its dot that no earlier label, no other
 * bubble's dot (a label over a dot reads as that bubble's) nor one of the
 * nres reserved rectangles (the axis captions) holds, the small bubbles
 * first (they are the crowded ones). A label set off from its dot gets a
 * line to it; every label sits on a dark plate so that it reads over the
 * discs. A label with no free place is left out rather than written over
 * another: the table beside names every network. */
static void bubble_labels(SDL_Renderer *r, const VizFonts *f, const BubbleAxes *a, const VizBubble *b,
                          const int *order, int m, const SDL_Rect *reserved, int nres) {
    const SDL_Rect plot = a->plot;
    enum { MAXP = 2 * 256 + 4 };
    SDL_Rect placed[MAXP];
    SDL_Point dot[256];
    int np = 0;
    for (int q = 0; q < nres && q < 4; q++) placed[np++] = reserved[q];
    const int ndots = np;
    for (int k = 0; k < m && k < 256; k++) {
        dot[k] = bubble_at(a, &b[order[k]]);
        placed[np++] = (SDL_Rect){dot[k].x - 3, dot[k].y - 3, 7, 7};
    }
    for (int k = m - 1; k >= 0; k--) {
        const VizBubble *p = &b[order[k]];
        const int cx = dot[k].x, cy = dot[k].y;
        int tw = text_w(f->small, p->label), th = f->small_line;
        const SDL_Point tries[] = {{cx + 6, cy - th / 2},      {cx - 6 - tw, cy - th / 2},
                                   {cx + 6, cy - th - 2},      {cx + 6, cy + 2},
                                   {cx - 6 - tw, cy - th - 2}, {cx - 6 - tw, cy + 2},
                                   {cx - tw / 2, cy - 2 * th}, {cx - tw / 2, cy + th},
                                   {cx + 6, cy - 2 * th},      {cx + 6, cy + th},
                                   {cx - 6 - tw, cy - 2 * th}, {cx - 6 - tw, cy + th},
                                   {cx + 16, cy - 3 * th},     {cx + 16, cy + 2 * th},
                                   {cx - 16 - tw, cy - 3 * th}, {cx - 16 - tw, cy + 2 * th}};
        SDL_Rect at = {0, 0, 0, 0};
        size_t used = 0;
        for (size_t t = 0; t < sizeof tries / sizeof tries[0]; t++) {
            SDL_Rect c = {tries[t].x, tries[t].y, tw, th};
            int free_spot = c.x >= plot.x && c.x + tw <= plot.x + plot.w && c.y >= plot.y &&
                            c.y + th <= plot.y + plot.h;
            /* a few pixels apart, or two labels read as one word */
            SDL_Rect room = {c.x - 4, c.y - 1, c.w + 8, c.h + 2};
            for (int q = 0; q < np && free_spot; q++) {
                if (q == ndots + k) continue; /* its own dot */
                if (SDL_HasIntersection(&room, &placed[q])) free_spot = 0;
            }
            if (free_spot) {
                at = c, used = t;
                break;
            }
        }
        if (!at.w) continue;
        if (np < MAXP) placed[np++] = at;
        SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_BLEND);
        if (used >= 6) { /* set off: a line from the dot to the label's nearer edge */
            const int lx = at.x > cx ? at.x : at.x + at.w, ly = at.y + at.h / 2;
            SDL_SetRenderDrawColor(r, INK.r, INK.g, INK.b, 150);
            SDL_RenderDrawLine(r, cx, cy, lx, ly);
        }
        SDL_SetRenderDrawColor(r, 20, 22, 28, 190);
        SDL_RenderFillRect(r, &(SDL_Rect){at.x - 2, at.y, at.w + 4, at.h});
        SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_NONE);
        viz_text(r, f->small, at.x, at.y, INK, p->label);
    }
}

void viz_draw_bubbles(SDL_Renderer *r, const VizFonts *f, SDL_Rect area, const VizBubble *b, int n,
                      const char *xlabel, const char *ylabel, const char *size_label) {
    double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY, smax = 0;
    int order[256], m = 0; /* the bubbles shown, largest first */
    for (int i = 0; i < n; i++) {
        if (!bubble_shown(&b[i])) continue;
        if (m < 256) order[m++] = i;
        if (b[i].x < xmin) xmin = b[i].x;
        if (b[i].x > xmax) xmax = b[i].x;
        if (b[i].y < ymin) ymin = b[i].y;
        if (b[i].y > ymax) ymax = b[i].y;
        if (b[i].size > smax) smax = b[i].size;
    }
    SDL_Rect plot = {area.x + 56, area.y + 8, area.w - 72, area.h - 2 * f->small_line - 24};
    fill(r, plot, (SDL_Color){30, 33, 40, 255});
    frame(r, plot, (SDL_Color){80, 86, 100, 255});
    viz_text(r, f->small, plot.x, area.y + area.h - f->small_line, DIM, xlabel);
    viz_text(r, f->small, plot.x + 4, plot.y + 4, DIM, ylabel);
    if (!m) {
        viz_text(r, f->sans, plot.x + 20, plot.y + plot.h / 2, DIM, "nothing measured yet");
        return;
    }
    const BubbleAxes a = bubble_axes(r, f, plot, xmin, xmax, ymin, ymax);
    for (int i = 1; i < m; i++)
        for (int j = i; j > 0 && b[order[j]].size > b[order[j - 1]].size; j--) {
            int s = order[j];
            order[j] = order[j - 1];
            order[j - 1] = s;
        }
    bubble_discs(r, &a, b, order, m, smax);
    SDL_Rect captions[2] = {{plot.x + 4, plot.y + 4, text_w(f->small, ylabel), f->small_line}, {0, 0, 0, 0}};
    if (size_label) {
        int tw = text_w(f->small, size_label);
        /* beside the axis's caption when both fit on its line, else under it */
        const int below = captions[0].x + captions[0].w + 12 > plot.x + plot.w - tw - 6;
        captions[1] = (SDL_Rect){plot.x + plot.w - tw - 6, plot.y + 4 + (below ? f->small_line : 0), tw,
                                 f->small_line};
        viz_text(r, f->small, captions[1].x, captions[1].y, DIM, size_label);
    }
    bubble_labels(r, f, &a, b, order, m, captions, size_label ? 2 : 1);
}
