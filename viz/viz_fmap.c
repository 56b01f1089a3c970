/*
 * viz_fmap.c — the forward stepper's panels: the layer strip, a layer's
 * feature maps (every channel of sample 0 in a grid, one shared colour scale
 * with its legend), the input as the network sees it, and the top-5 classes.
 * Everything is read from the engine's activations; nothing is computed here
 * but colours and layout.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "viz.h"

static const SDL_Color INK = {230, 232, 236, 255};
static const SDL_Color DIM = {150, 156, 168, 255};
static const SDL_Color ACCENT = {255, 196, 84, 255};

/* Viridis (van der Walt & Smith, matplotlib 2015) by 9 stops: perceptually
 * uniform and readable by colour-blind viewers and on projectors. */
static const unsigned char viridis[9][3] = {
    {68, 1, 84},    {71, 44, 122},  {59, 81, 139},  {44, 113, 142}, {33, 144, 141},
    {39, 173, 129}, {92, 200, 99},  {170, 220, 50}, {253, 231, 37},
};

SDL_Color viz_colormap(float t) {
    if (!(t >= 0.0f)) t = 0.0f; /* also NaN */
    if (t > 1.0f) t = 1.0f;
    float p = t * 8.0f;
    int i = (int)p;
    if (i > 7) i = 7;
    float f = p - (float)i;
    SDL_Color c;
    c.r = (Uint8)(viridis[i][0] + f * (viridis[i + 1][0] - viridis[i][0]));
    c.g = (Uint8)(viridis[i][1] + f * (viridis[i + 1][1] - viridis[i][1]));
    c.b = (Uint8)(viridis[i][2] + f * (viridis[i + 1][2] - viridis[i][2]));
    c.a = 255;
    return c;
}

/* A (h, w) plane as a texture, values mapped from [lo, hi] through viridis
 * (grey for single-channel inputs when grey is set). */
static SDL_Texture *plane_texture(SDL_Renderer *r, const float *plane, int h, int w, float lo,
                                  float hi, int grey) {
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_RGBA32);
    if (!s) return NULL;
    const float scale = hi > lo ? 1.0f / (hi - lo) : 0.0f;
    for (int y = 0; y < h; y++) {
        Uint8 *row = (Uint8 *)s->pixels + (size_t)y * s->pitch;
        for (int x = 0; x < w; x++) {
            float t = (plane[(size_t)y * w + x] - lo) * scale;
            SDL_Color c;
            if (grey) {
                Uint8 v = (Uint8)(255.0f * (t < 0 ? 0 : t > 1 ? 1 : t));
                c = (SDL_Color){v, v, v, 255};
            } else {
                c = viz_colormap(t);
            }
            row[4 * x] = c.r, row[4 * x + 1] = c.g, row[4 * x + 2] = c.b, row[4 * x + 3] = 255;
        }
    }
    SDL_Texture *t = SDL_CreateTextureFromSurface(r, s);
    SDL_FreeSurface(s);
    return t;
}

static void range_of(const float *v, size_t n, float *lo, float *hi) {
    float a = INFINITY, b = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        if (v[i] < a) a = v[i];
        if (v[i] > b) b = v[i];
    }
    if (!(a <= b)) a = b = 0.0f;
    *lo = a, *hi = b;
}

/* ---- layer strip ------------------------------------------------------------------------ */

/* Boxes for the nodes around `current`, as many as fit; *first gets the first
 * node shown so clicks can be mapped back (viz_layer_strip_hit). */
static int strip_layout(const VizFonts *f, const EngGraph *g, int current, SDL_Rect area,
                        int *first, int *box_w) {
    (void)f;
    int n = eng_graph_node_count(g);
    int bw = 132, gap = 6;
    int fit = (area.w + gap) / (bw + gap);
    if (fit < 1) fit = 1;
    int start = current - fit / 2;
    if (start > n - fit) start = n - fit;
    if (start < 0) start = 0;
    *first = start;
    *box_w = bw;
    return fit;
}

void viz_draw_layer_strip(SDL_Renderer *r, const VizFonts *f, const EngGraph *g, int current,
                          SDL_Rect area) {
    int first, bw, gap = 6;
    int fit = strip_layout(f, g, current, area, &first, &bw);
    int n = eng_graph_node_count(g);
    for (int k = 0; k < fit && first + k < n; k++) {
        int id = first + k;
        const EngNode *nd = eng_graph_node(g, id);
        SDL_Rect box = {area.x + k * (bw + gap), area.y, bw, area.h};
        int cur = id == current;
        SDL_SetRenderDrawColor(r, cur ? 90 : 40, cur ? 72 : 44, cur ? 30 : 52, 255);
        SDL_RenderFillRect(r, &box);
        SDL_SetRenderDrawColor(r, cur ? 255 : 70, cur ? 196 : 76, cur ? 84 : 88, 255);
        SDL_RenderDrawRect(r, &box);
        char name[100], shape[160];
        /* the end of a long name is where blocks differ */
        const char *nm = nd->name;
        size_t len = strlen(nm);
        snprintf(name, sizeof name, "%s", len > 14 ? nm + len - 14 : nm);
        snprintf(shape, sizeof shape, "%dx%dx%d", nd->out.C, nd->out.H, nd->out.W);
        viz_text(r, f->small, box.x + 6, box.y + 4, cur ? ACCENT : INK, name);
        viz_text(r, f->small, box.x + 6, box.y + 4 + f->small_line, DIM, shape);
    }
    if (first > 0) viz_text(r, f->small, area.x - 14, area.y + 4, DIM, "<");
}

int viz_layer_strip_hit(const VizFonts *f, const EngGraph *g, int current, SDL_Rect area, int x,
                        int y) {
    if (y < area.y || y >= area.y + area.h || x < area.x) return -1;
    int first, bw, gap = 6;
    int fit = strip_layout(f, g, current, area, &first, &bw);
    int k = (x - area.x) / (bw + gap);
    if (k >= fit || (x - area.x) % (bw + gap) >= bw) return -1;
    int id = first + k;
    return id < eng_graph_node_count(g) ? id : -1;
}

/* ---- feature maps ----------------------------------------------------------------------- */

/* Grid of tiles for C maps of h x w in area: the largest square tile that
 * fits all of them, but never smaller than min_tile (then pages). */
static void grid_for(int C, int h, int w, SDL_Rect area, int *cols, int *tile, int *per_page) {
    const int gap = 4, min_tile = 28;
    int best_t = 0, best_c = 1;
    for (int c = 1; c <= C; c++) {
        int rows = (C + c - 1) / c;
        int tw = (area.w - (c - 1) * gap) / c, th = (area.h - (rows - 1) * gap) / rows;
        int t = tw < th ? tw : th;
        if (t > best_t) best_t = t, best_c = c;
    }
    (void)h, (void)w;
    if (best_t < min_tile) { /* page: fixed tile size */
        best_t = min_tile * 2;
        best_c = (area.w + gap) / (best_t + gap);
        if (best_c < 1) best_c = 1;
        int rows = (area.h + gap) / (best_t + gap);
        if (rows < 1) rows = 1;
        *per_page = best_c * rows;
    } else {
        *per_page = C;
    }
    *cols = best_c;
    *tile = best_t;
}

int viz_fmap_pages(const EngGraph *g, int id, SDL_Rect area) {
    const EngNode *nd = eng_graph_node(g, id);
    if (!nd) return 1;
    int cols, tile, per;
    grid_for(nd->out.C, nd->out.H, nd->out.W, area, &cols, &tile, &per);
    return (nd->out.C + per - 1) / per;
}

void viz_draw_fmaps(SDL_Renderer *r, const VizFonts *f, const EngGraph *g, int id, SDL_Rect area,
                    int page) {
    const EngNode *nd = eng_graph_node(g, id);
    if (!nd || !nd->act) return;
    const int C = nd->out.C, H = nd->out.H, W = nd->out.W;
    const size_t plane = (size_t)H * W;
    float lo, hi;
    range_of(nd->act, (size_t)C * plane, &lo, &hi);
    char buf[256], a[32], b[32], c[48], d[32];
    /* header: what the layer is, every number from the engine */
    snprintf(buf, sizeof buf, "%s  ·  %s  ·  %dx%dx%d", nd->name, eng_op_name(nd->op), C, H, W);
    viz_text(r, f->sans, area.x, area.y, ACCENT, buf);
    int y = area.y + f->line;
    if (nd->rf.finite)
        snprintf(c, sizeof c, "RF %lld px, stride %lld", (long long)nd->rf.size,
                 (long long)nd->rf.stride);
    else
        snprintf(c, sizeof c, "RF: whole input");
    snprintf(buf, sizeof buf, "%s params  ·  %s MACs  ·  %s  ·  %s",
             eng_fmt_grouped(eng_node_params(nd), a, sizeof a), eng_fmt_si((double)nd->macs, b, sizeof b),
             eng_fmt_bytes((double)eng_node_act_bytes(nd), d, sizeof d), c);
    viz_text(r, f->small, area.x, y, DIM, buf);
    y += f->small_line + 6;
    /* legend: the colour scale shared by every tile */
    SDL_Rect legend = {area.x, y, 240, 12};
    for (int i = 0; i < legend.w; i++) {
        SDL_Color col = viz_colormap((float)i / (float)(legend.w - 1));
        SDL_SetRenderDrawColor(r, col.r, col.g, col.b, 255);
        SDL_RenderDrawLine(r, legend.x + i, legend.y, legend.x + i, legend.y + legend.h);
    }
    int pages = 1;
    SDL_Rect grid = {area.x, y + 22, area.w, area.y + area.h - (y + 22)};
    int cols, tile, per;
    grid_for(C, H, W, grid, &cols, &tile, &per);
    pages = (C + per - 1) / per;
    if (page >= pages) page = pages - 1;
    if (page < 0) page = 0;
    snprintf(buf, sizeof buf, "%.3g … %.3g  ·  channels %d-%d of %d%s", lo, hi, page * per + 1,
             (page + 1) * per < C ? (page + 1) * per : C, C,
             pages > 1 ? "  (PgUp/PgDn)" : "");
    viz_text(r, f->small, legend.x + legend.w + 10, y - 3, DIM, buf);
    const int gap = 4;
    for (int k = 0; k < per && page * per + k < C; k++) {
        int ch = page * per + k;
        SDL_Texture *t = plane_texture(r, nd->act + (size_t)ch * plane, H, W, lo, hi, 0);
        if (!t) continue;
        /* keep the map's aspect inside the square tile */
        int tw = tile, th = tile;
        if (W > H) th = tile * H / W;
        else if (H > W) tw = tile * W / H;
        SDL_Rect dst = {grid.x + (k % cols) * (tile + gap), grid.y + (k / cols) * (tile + gap), tw, th};
        SDL_RenderCopy(r, t, NULL, &dst);
        SDL_DestroyTexture(t);
    }
}

void viz_draw_input(SDL_Renderer *r, const VizFonts *f, const EngGraph *g, SDL_Rect area) {
    const EngNode *nd = eng_graph_node(g, 0);
    if (!nd || !nd->act) return;
    const int C = nd->out.C, H = nd->out.H, W = nd->out.W;
    viz_text(r, f->small, area.x, area.y, DIM, "input (as the network sees it)");
    int side = area.w < area.h - f->small_line - 4 ? area.w : area.h - f->small_line - 4;
    SDL_Rect dst = {area.x, area.y + f->small_line + 4, side, side * H / (W ? W : 1)};
    float lo, hi;
    range_of(nd->act, (size_t)C * H * W, &lo, &hi);
    if (C == 3) { /* colour: one texture from the three planes */
        SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, W, H, 32, SDL_PIXELFORMAT_RGBA32);
        if (!s) return;
        float sc = hi > lo ? 255.0f / (hi - lo) : 0.0f;
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++) {
                Uint8 *p = (Uint8 *)s->pixels + (size_t)y * s->pitch + 4 * x;
                for (int c = 0; c < 3; c++) p[c] = (Uint8)((nd->act[((size_t)c * H + y) * W + x] - lo) * sc);
                p[3] = 255;
            }
        SDL_Texture *t = SDL_CreateTextureFromSurface(r, s);
        SDL_FreeSurface(s);
        if (t) SDL_RenderCopy(r, t, NULL, &dst), SDL_DestroyTexture(t);
        return;
    }
    SDL_Texture *t = plane_texture(r, nd->act, H, W, lo, hi, 1);
    if (t) SDL_RenderCopy(r, t, NULL, &dst), SDL_DestroyTexture(t);
}

void viz_draw_top5(SDL_Renderer *r, const VizFonts *f, const EngGraph *g,
                   const char *const *labels, int n_labels, SDL_Rect area) {
    const EngNode *o = eng_graph_node(g, eng_graph_output(g));
    if (!o || !o->act) return;
    const int K = o->out.C * o->out.H * o->out.W;
    /* softmax of the logits (the network's output is the logits) */
    float m = o->act[0];
    for (int k = 1; k < K; k++) m = o->act[k] > m ? o->act[k] : m;
    double s = 0.0;
    for (int k = 0; k < K; k++) s += exp((double)o->act[k] - m);
    int top[5], nt = K < 5 ? K : 5;
    for (int i = 0; i < nt; i++) {
        int best = -1;
        for (int k = 0; k < K; k++) {
            int used = 0;
            for (int j = 0; j < i; j++) used |= top[j] == k;
            if (!used && (best < 0 || o->act[k] > o->act[best])) best = k;
        }
        top[i] = best;
    }
    viz_text(r, f->small, area.x, area.y, DIM, "top-5");
    int y = area.y + f->small_line + 4;
    for (int i = 0; i < nt; i++) {
        double p = exp((double)o->act[top[i]] - m) / s;
        char name[64], pct[16];
        if (labels && top[i] < n_labels) snprintf(name, sizeof name, "%s", labels[top[i]]);
        else snprintf(name, sizeof name, "class %d", top[i]);
        snprintf(pct, sizeof pct, "%.1f%%", 100.0 * p);
        viz_text(r, f->sans, area.x, y, i == 0 ? ACCENT : INK, name);
        SDL_Rect bar = {area.x, y + f->line, (int)((area.w - 70) * p), 8};
        SDL_Rect back = {area.x, y + f->line, area.w - 70, 8};
        SDL_SetRenderDrawColor(r, 50, 54, 64, 255);
        SDL_RenderFillRect(r, &back);
        SDL_SetRenderDrawColor(r, i == 0 ? 255 : 120, i == 0 ? 196 : 160, i == 0 ? 84 : 220, 255);
        SDL_RenderFillRect(r, &bar);
        viz_text(r, f->small, area.x + area.w - 60, y + f->line - 4, INK, pct);
        y += f->line + 16;
    }
}
