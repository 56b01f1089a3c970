/*
 * viz_summary.c — a model's card and its layer table, every number read from
 * the engine's graph (output shape, parameters, MACs, memory, a conv's or
 * pool's kernel, stride, pads, dilation and groups, receptive field).
 * Columns are laid out in pixels from the widest entry, numbers right-aligned,
 * so the table stays legible on a projector at any window size.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "viz.h"

#define INK (viz_ink())
#define DIM (viz_dim())
static const SDL_Color ACCENT = {255, 196, 84, 255};
static const SDL_Color TRAIN = {120, 160, 220, 255};

static int text_w(TTF_Font *f, const char *s) {
    int w = 0, h = 0;
    if (s && *s) viz_text_size(f, s, &w, &h);
    return w;
}

/* Text whose right edge is at x_right. */
static void text_right(SDL_Renderer *r, TTF_Font *f, int x_right, int y, SDL_Color c,
                       const char *s) {
    viz_text(r, f, x_right - text_w(f, s), y, c, s);
}

enum { COL_NAME, COL_OP, COL_OUT, COL_PARAMS, COL_MACS, COL_MEM, COL_KERNEL, COL_STRIDE,
       COL_PADS, COL_DIL, COL_GROUPS, COL_RF, N_COLS };

/* The cells of one node's row; role: eng_graph_group_roles' (split in
 * groups, or reading them all, as AlexNet's layers on two GPUs). */
static void row_cells(const EngNode *nd, int role, char cells[N_COLS][112]) {
    snprintf(cells[COL_NAME], 112, "%s", nd->name);
    if (role > 0) snprintf(cells[COL_OP], 112, "%s · split in %d", eng_op_name(nd->op), role);
    else if (role == -2) snprintf(cells[COL_OP], 112, "%s · reads both groups", eng_op_name(nd->op));
    else if (role < 0) snprintf(cells[COL_OP], 112, "%s · reads all %d groups", eng_op_name(nd->op), -role);
    else snprintf(cells[COL_OP], 112, "%s", eng_op_name(nd->op));
    snprintf(cells[COL_OUT], 112, "%dx%dx%d", nd->out.C, nd->out.H, nd->out.W);
    int64_t p = eng_node_params(nd);
    if (p) eng_fmt_grouped(p, cells[COL_PARAMS], 112);
    else snprintf(cells[COL_PARAMS], 112, "-");
    if (nd->macs) eng_fmt_si((double)nd->macs, cells[COL_MACS], 112);
    else snprintf(cells[COL_MACS], 112, "-");
    eng_fmt_bytes((double)eng_node_act_bytes(nd), cells[COL_MEM], 112);
    char win[ENG_WIN_CELLS][48]; /* a conv's or pool's window, "-" for other ops */
    eng_fmt_window(nd, win);
    for (int k = 0; k < ENG_WIN_CELLS; k++) memcpy(cells[COL_KERNEL + k], win[k], sizeof win[k]);
    char h1[48], h2[48];
    if (nd->rf.finite)
        snprintf(cells[COL_RF], 112, "%s / %s%s", eng_fmt_hw(nd->rf.size, nd->rf.size_w, h1, sizeof h1),
                 eng_fmt_hw(nd->rf.stride, nd->rf.stride_w, h2, sizeof h2), nd->rf.misaligned ? " *" : "");
    else snprintf(cells[COL_RF], 112, "-");
}

/* Column widths from the header and every row, and the gap between columns: the
 * full headers three spaces apart when they fit the width, else the short ones
 * (k, s, p, d, g: kernel, stride, pads, dilation, groups) and narrower gaps, and
 * last a name column that keeps only the end of long names. Returns the headers. */
static const char *const *layout_columns(const VizFonts *f, const EngGraph *g, const int *role,
                                         int width, int w[N_COLS], int *gap) {
    static const char *const full[N_COLS] = {"layer", "op", "output", "params", "MACs",
                                             "memory", "kernel", "stride", "pad", "dil",
                                             "groups", "RF size / stride"};
    static const char *const brief[N_COLS] = {"layer", "op", "output", "params", "MACs",
                                              "memory", "k", "s", "p", "d", "g", "RF"};
    /* from the most spacious to the most compact */
    static const struct { const char *const *head; const char *gap; } tries[] = {
        {full, "   "}, {full, "  "}, {brief, "  "}, {brief, " "}};
    const int n_tries = (int)(sizeof tries / sizeof tries[0]);
    int cw[N_COLS] = {0};
    char cells[N_COLS][112];
    for (int i = 0; i < eng_graph_node_count(g); i++) {
        row_cells(eng_graph_node(g, i), role ? role[i] : 0, cells);
        for (int k = 0; k < N_COLS; k++) {
            int t = text_w(f->mono, cells[k]);
            if (t > cw[k]) cw[k] = t;
        }
    }
    if (cw[COL_NAME] > width * 2 / 5) cw[COL_NAME] = width * 2 / 5;
    const char *const *head = full;
    int total = 0;
    for (int t = 0; t < n_tries; t++) {
        head = tries[t].head;
        *gap = text_w(f->mono, tries[t].gap);
        total = *gap * (N_COLS - 1);
        for (int k = 0; k < N_COLS; k++) {
            int hw = text_w(f->mono, head[k]);
            w[k] = cw[k] > hw ? cw[k] : hw;
            total += w[k];
        }
        if (total <= width) return head;
    }
    int min_name = text_w(f->mono, "layer");
    int name_w = w[COL_NAME] - (total - width);
    w[COL_NAME] = name_w > min_name ? name_w : min_name;
    return head;
}

void viz_draw_summary(SDL_Renderer *r, const VizFonts *f, const ModelCard *card,
                      const EngGraph *g, SDL_Rect area, int scroll, int current) {
    char buf[512], a[32], b[32], c[32];
    int x = area.x, y = area.y;
    snprintf(buf, sizeof buf, "%s  (%d)", card->display, card->year);
    viz_text(r, f->sans_big, x, y, ACCENT, buf);
    y += TTF_FontLineSkip(f->sans_big);
    snprintf(buf, sizeof buf, "%s — %s, %s", card->authors, card->paper, card->venue);
    if (text_w(f->sans, buf) > area.w) { /* long author lists: first author et al. */
        const char *comma = strchr(card->authors, ',');
        int len = comma ? (int)(comma - card->authors) : (int)strlen(card->authors);
        snprintf(buf, sizeof buf, "%.*s et al. — %s, %s", len, card->authors, card->paper,
                 card->venue);
    }
    viz_text_fit(r, f->sans, x, y, area.w, DIM, buf);
    y += f->line;
    EngTotals t = eng_graph_totals(g);
    char d[32];
    snprintf(buf, sizeof buf, "%s parameters  ·  %s MACs  ·  depth %d  ·  activations per image, forward: "
             "%s (every node) or %s (input, conv, pool, FC)",
             eng_fmt_grouped(t.params, a, sizeof a), eng_fmt_si((double)t.macs, b, sizeof b),
             eng_graph_depth(g), eng_fmt_bytes((double)t.act_bytes, c, sizeof c),
             eng_fmt_bytes((double)eng_graph_layer_act_bytes(g), d, sizeof d));
    if (t.train_only_params)
        snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "  ·  +%s in training-only heads",
                 eng_fmt_grouped(t.train_only_params, a, sizeof a));
    EngPaths pa = eng_graph_paths(g);
    if (pa.paths > 1) { /* Veit et al.'s ensemble view */
        snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "  ·  ");
        eng_fmt_paths(pa, buf + strlen(buf), sizeof buf - strlen(buf));
    }
    y += viz_text_wrap(r, f->sans, x, y, area.w, INK, buf);
    if (card->top5_error >= 0 || card->val_top1 > 0)
        viz_card_accuracy(card, buf, sizeof buf);
    else
        snprintf(buf, sizeof buf, "%s", card->key_ideas);
    y += viz_text_wrap(r, f->sans, x, y, area.w, DIM, buf) + f->line / 2;

    int n = eng_graph_node_count(g), w[N_COLS], gap;
    char cells[N_COLS][112];
    int *role = calloc((size_t)(n > 0 ? n : 1), sizeof *role); /* NULL: rows without group tags */
    if (role) eng_graph_group_roles(g, role);
    const char *const *head = layout_columns(f, g, role, area.w, w, &gap);
    int left[N_COLS], right[N_COLS], cx = x;
    for (int k = 0; k < N_COLS; k++) {
        left[k] = cx;
        right[k] = cx + w[k];
        cx += w[k] + gap;
    }
    /* numbers right-aligned, text left-aligned */
    const int numeric[N_COLS] = {0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 1, 0};
    for (int k = 0; k < N_COLS; k++) {
        if (numeric[k]) text_right(r, f->mono, right[k], y, DIM, head[k]);
        else viz_text(r, f->mono, left[k], y, DIM, head[k]);
    }
    y += f->mono_line;
    SDL_SetRenderDrawColor(r, 70, 74, 84, 255);
    SDL_RenderDrawLine(r, x, y, cx - gap, y);
    y += 2;
    int row = 0, first = scroll < 0 ? 0 : scroll, bottom = area.y + area.h - f->small_line - 4;
    int i = first;
    for (; i < n && y + f->mono_line <= bottom; i++, row++) {
        const EngNode *nd = eng_graph_node(g, i);
        row_cells(nd, role ? role[i] : 0, cells);
        SDL_Rect band = {x - 4, y, cx - gap - x + 8, f->mono_line};
        if (i == current) { /* the layer selected: a band of its own, framed, and a bar at its left */
            SDL_SetRenderDrawColor(r, 74, 60, 26, 255);
            SDL_RenderFillRect(r, &band);
            SDL_SetRenderDrawColor(r, ACCENT.r, ACCENT.g, ACCENT.b, 255);
            SDL_RenderDrawRect(r, &band);
            SDL_RenderFillRect(r, &(SDL_Rect){band.x, band.y, 3, band.h});
        } else if (row % 2) {
            SDL_SetRenderDrawColor(r, 32, 35, 42, 255);
            SDL_RenderFillRect(r, &band);
        }
        /* a name too long for its column keeps its end, where blocks differ */
        const char *name = cells[COL_NAME];
        while (*name && text_w(f->mono, name) > w[COL_NAME]) name++;
        SDL_Color ink = (nd->flags & ENG_NODE_TRAIN_ONLY) ? TRAIN : INK;
        viz_text(r, f->mono, left[COL_NAME], y, i == current ? ACCENT : ink, name);
        for (int k = 1; k < N_COLS; k++) {
            if (numeric[k]) text_right(r, f->mono, right[k], y, ink, cells[k]);
            else viz_text(r, f->mono, left[k], y, k == COL_OP ? DIM : ink, cells[k]);
        }
        y += f->mono_line;
    }
    if (first > 0 || i < n) { /* the rest is a scroll away */
        snprintf(buf, sizeof buf, "layers %d-%d of %d  (wheel or Up/Down)", first + 1, i, n);
        viz_text(r, f->small, x, bottom + 4, DIM, buf);
    }
    free(role);
}
