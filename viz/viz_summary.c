/*
 * viz_summary.c — a model's card and its layer table, every number read from
 * the engine's graph (output shape, parameters, MACs, receptive field).
 */
#include <stdio.h>

#include "viz.h"

static const SDL_Color INK = {230, 232, 236, 255};
static const SDL_Color DIM = {150, 156, 168, 255};
static const SDL_Color ACCENT = {255, 196, 84, 255};

void viz_draw_summary(SDL_Renderer *r, const VizFonts *f, const ModelCard *card,
                      const EngGraph *g, SDL_Rect area, int scroll) {
    char buf[512];
    int x = area.x, y = area.y;
    snprintf(buf, sizeof buf, "%s  (%d)", card->display, card->year);
    viz_text(r, f->sans_big, x, y, ACCENT, buf);
    y += TTF_FontLineSkip(f->sans_big);
    snprintf(buf, sizeof buf, "%s — %s", card->authors, card->paper);
    viz_text(r, f->sans, x, y, DIM, buf);
    y += f->line;
    EngTotals t = eng_graph_totals(g);
    snprintf(buf, sizeof buf, "%lld parameters · %.3g G MACs · depth %d · %.1f MiB activations",
             (long long)t.params, t.macs / 1e9, eng_graph_depth(g), t.act_bytes / 1048576.0);
    viz_text(r, f->sans, x, y, INK, buf);
    y += f->line * 3 / 2;
    snprintf(buf, sizeof buf, "%-28s %-13s %-14s %12s %10s  %s", "layer", "op", "output",
             "params", "MACs", "RF");
    viz_text(r, f->mono, x, y, DIM, buf);
    y += f->mono_line;
    int n = eng_graph_node_count(g);
    for (int i = scroll < 0 ? 0 : scroll; i < n && y + f->mono_line <= area.y + area.h; i++) {
        const EngNode *nd = eng_graph_node(g, i);
        char shape[40], rf[40];
        snprintf(shape, sizeof shape, "%dx%dx%d", nd->out.C, nd->out.H, nd->out.W);
        if (nd->rf.finite) snprintf(rf, sizeof rf, "%lld", (long long)nd->rf.size);
        else snprintf(rf, sizeof rf, "-");
        snprintf(buf, sizeof buf, "%-28.28s %-13s %-14s %12lld %10.3g  %s", nd->name,
                 eng_op_name(nd->op), shape, (long long)eng_node_params(nd), (double)nd->macs, rf);
        viz_text(r, f->mono, x, y, INK, buf);
        y += f->mono_line;
    }
}
