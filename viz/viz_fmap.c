/*
 * viz_fmap.c — the forward stepper's panels: the layer strip, a layer's
 * feature maps (every channel of sample 0 in a grid, one shared colour scale
 * with its legend), the input as the network sees it, and the top-5 classes.
 * Everything is read from the engine's activations; nothing is computed here
 * but colours and layout.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "viz.h"

#define INK (viz_ink())
#define DIM (viz_dim())
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

void viz_progress_box(SDL_Renderer *r, const VizFonts *f, SDL_Rect area, const char *what, int done, int total,
                      double seconds, const char *cancel) {
    char line[160];
    if (total > 0) snprintf(line, sizeof line, "%d of %d  ·  %.1f s  ·  %s", done, total, seconds, cancel);
    else snprintf(line, sizeof line, "%.1f s  ·  %s", seconds, cancel);
    int bw = area.w * 2 / 3 < 560 ? area.w * 2 / 3 : 560;
    int lw = 0, lh = 0;
    if (viz_text_size(f->small, line, &lw, &lh) == 0 && lw + 32 > bw) bw = lw + 32;
    if (bw > area.w - 8) bw = area.w - 8;
    const int th = viz_text_wrap(NULL, f->sans, 0, 0, bw - 32, INK, what);
    const int bh = 16 + th + 10 + 14 + 10 + f->small_line + 16;
    SDL_Rect box = {area.x + (area.w - bw) / 2, area.y + (area.h - bh) / 2, bw, bh};
    SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_NONE);
    SDL_SetRenderDrawColor(r, 30, 33, 40, 255);
    SDL_RenderFillRect(r, &box);
    SDL_SetRenderDrawColor(r, 255, 196, 84, 255);
    SDL_RenderDrawRect(r, &box);
    int y = box.y + 16;
    y += viz_text_wrap(r, f->sans, box.x + 16, y, bw - 32, INK, what) + 10;
    SDL_Rect track = {box.x + 16, y, bw - 32, 14};
    SDL_SetRenderDrawColor(r, 60, 64, 76, 255);
    SDL_RenderFillRect(r, &track);
    SDL_Rect fill = track;
    if (total > 0) {
        fill.w = (int)((int64_t)track.w * (done < 0 ? 0 : done > total ? total : done) / total);
    } else { /* no count: a quarter-width stripe gliding across */
        fill.w = track.w / 4;
        fill.x = track.x + (int)(fmod(seconds / 1.5, 1.0) * (track.w - fill.w));
    }
    SDL_SetRenderDrawColor(r, 255, 196, 84, 255);
    if (fill.w > 0) SDL_RenderFillRect(r, &fill);
    viz_text(r, f->small, box.x + 16, y + 14 + 10, DIM, line);
}

/* Colour of the bar of kind at t in [0, 1]. */
static SDL_Color bar_colour(int kind, float t) {
    if (kind == VIZ_BAR_SIGNED) {
        const Uint8 g = (Uint8)(t * 255.0f + 0.5f);
        return (SDL_Color){g, g, g, 255};
    }
    if (kind == VIZ_BAR_HEAT) { /* input_surface's heat, alpha 200 * t, over black */
        const float a = 200.0f * t / 255.0f;
        return (SDL_Color){(Uint8)(255 * a), (Uint8)((80 + 150 * t) * a), (Uint8)(40 * a), 255};
    }
    return viz_colormap(t);
}

int viz_colour_bar(SDL_Renderer *r, const VizFonts *f, SDL_Rect bar, float lo, float hi, int kind,
                   const char *units) {
    const int uh = units && units[0] ? viz_text_wrap(NULL, f->small, 0, 0, bar.w, DIM, units) : 0;
    const int used = bar.h + 5 + f->small_line + (uh ? uh + 1 : 0);
    if (!r) return used;
    for (int x = 0; x < bar.w; x++) {
        const SDL_Color c = bar_colour(kind, bar.w > 1 ? (float)x / (float)(bar.w - 1) : 0.0f);
        SDL_SetRenderDrawColor(r, c.r, c.g, c.b, 255);
        SDL_RenderDrawLine(r, bar.x + x, bar.y, bar.x + x, bar.y + bar.h - 1);
    }
    SDL_SetRenderDrawColor(r, DIM.r, DIM.g, DIM.b, 255);
    SDL_Rect frame = {bar.x - 1, bar.y - 1, bar.w + 2, bar.h + 2};
    SDL_RenderDrawRect(r, &frame);
    char t[32], e[32];
    int right_end = bar.x; /* the middle number stays clear of the ends' */
    for (int k = 0; k <= 2; k++) {
        const int x = bar.x + k * (bar.w - 1) / 2;
        const float frac = k == 1 ? (kind == VIZ_BAR_HEAT ? 0.25f : 0.5f) : (float)k / 2.0f;
        SDL_SetRenderDrawColor(r, DIM.r, DIM.g, DIM.b, 255);
        SDL_RenderDrawLine(r, x, bar.y + bar.h, x, bar.y + bar.h + 4);
        snprintf(t, sizeof t, "%.3g", lo + (hi - lo) * frac);
        int tw = 0, th = 0;
        if (viz_text_size(f->small, t, &tw, &th) != 0) tw = 0;
        const int tx = k == 0 ? x : k == 2 ? x - tw : x - tw / 2;
        int wk = 0, rk = 0;
        if (k == 1) { /* room between the two ends' numbers? */
            snprintf(e, sizeof e, "%.3g", hi);
            if (viz_text_size(f->small, e, &wk, &rk) != 0) wk = 0;
            if (tx < right_end + 8 || tx + tw > bar.x + bar.w - wk - 8) continue;
        }
        viz_text(r, f->small, tx, bar.y + bar.h + 5, DIM, t);
        if (k == 0) right_end = x + tw;
    }
    if (uh) viz_text_wrap(r, f->small, bar.x, bar.y + bar.h + 6 + f->small_line, bar.w, DIM, units);
    return used;
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

SDL_Texture *viz_plane_texture(SDL_Renderer *r, const float *plane, int h, int w, float lo, float hi) {
    return plane_texture(r, plane, h, w, lo, hi, 0);
}

/* ---- plane textures, kept from frame to frame ------------------------------------------
 * Drawing a layer converts each of its planes through the colormap and
 * uploads it: for VGG-16's conv1_1, 64 planes of 224x224 every frame, most of
 * a frame's time. Most frames show what the frame before showed, so a
 * texture is kept under a hash of what it shows (the values, their range, the
 * colouring) and made again only when that changes. At most TEX_MAX_BYTES of
 * textures are kept, the least recently used leaving first. The UI thread
 * (or render) is the only one that draws, so no lock is needed. */
#define TEX_SLOTS 1024
#define TEX_MAX_BYTES ((size_t)96 << 20)
typedef struct {
    SDL_Renderer *r; /* NULL: a free slot */
    uint64_t key;
    SDL_Texture *t;
    size_t bytes;
    uint64_t used; /* tex_clock when last drawn */
} TexSlot;
static TexSlot tex_slots[TEX_SLOTS];
static size_t tex_bytes;
static uint64_t tex_clock;

/* 64-bit hash of a plane and how it is coloured: four interleaved FNV-1a
 * lanes over the values' bits (about a cycle per value), then mixed. */
static uint64_t plane_key(const float *p, size_t n, int h, int w, float lo, float hi, int grey) {
    const uint64_t prime = 1099511628211ull;
    uint64_t l[4] = {14695981039346656037ull, 0x9e3779b97f4a7c15ull, 0xbf58476d1ce4e5b9ull,
                     0x94d049bb133111ebull};
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        for (int k = 0; k < 4; k++) {
            uint32_t b;
            memcpy(&b, p + i + k, sizeof b);
            l[k] = (l[k] ^ b) * prime;
        }
    for (; i < n; i++) {
        uint32_t b;
        memcpy(&b, p + i, sizeof b);
        l[0] = (l[0] ^ b) * prime;
    }
    uint32_t blo, bhi;
    memcpy(&blo, &lo, sizeof blo), memcpy(&bhi, &hi, sizeof bhi);
    uint64_t k = (((uint64_t)blo << 32) | bhi) ^ ((uint64_t)(uint32_t)h << 40) ^ ((uint64_t)(uint32_t)w << 20) ^
                 (uint64_t)grey;
    for (int j = 0; j < 4; j++) k = (k ^ l[j]) * prime, k ^= k >> 29;
    return k;
}

static void tex_free_slot(TexSlot *e) {
    SDL_DestroyTexture(e->t);
    tex_bytes -= e->bytes;
    memset(e, 0, sizeof *e);
}

/* plane_texture, from the cache when it holds the same picture: the texture
 * stays the cache's (never destroyed by the caller). NULL if it cannot be made. */
static SDL_Texture *plane_texture_kept(SDL_Renderer *r, const float *plane, int h, int w, float lo,
                                       float hi, int grey) {
    const uint64_t key = plane_key(plane, (size_t)h * w, h, w, lo, hi, grey);
    tex_clock++;
    TexSlot *free_slot = NULL, *oldest = NULL;
    for (int i = 0; i < TEX_SLOTS; i++) {
        TexSlot *e = &tex_slots[i];
        if (!e->r) {
            if (!free_slot) free_slot = e;
            continue;
        }
        if (e->r == r && e->key == key) {
            e->used = tex_clock;
            return e->t;
        }
        if (!oldest || e->used < oldest->used) oldest = e;
    }
    SDL_Texture *t = plane_texture(r, plane, h, w, lo, hi, grey);
    if (!t) return NULL;
    const size_t bytes = (size_t)h * w * 4;
    /* room: the least recently used leave (never one drawn in this call) */
    while (oldest && (!free_slot || tex_bytes + bytes > TEX_MAX_BYTES)) {
        tex_free_slot(oldest);
        if (!free_slot) free_slot = oldest;
        oldest = NULL;
        for (int i = 0; i < TEX_SLOTS && tex_bytes + bytes > TEX_MAX_BYTES; i++)
            if (tex_slots[i].r && (!oldest || tex_slots[i].used < oldest->used)) oldest = &tex_slots[i];
    }
    if (!free_slot) { /* no slot (cannot happen: a slot is free or one was emptied) */
        SDL_DestroyTexture(t);
        return NULL;
    }
    *free_slot = (TexSlot){r, key, t, bytes, tex_clock};
    tex_bytes += bytes;
    return t;
}

void viz_forget_renderer(SDL_Renderer *r) {
    for (int i = 0; i < TEX_SLOTS; i++)
        if (tex_slots[i].r == r) tex_free_slot(&tex_slots[i]);
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

/* ---- what the network is made of --------------------------------------------------------- */

int viz_network_tag(const EngGraph *g, int id, char *buf, size_t n) {
    buf[0] = 0;
    const int D = eng_graph_devices(g), nn = eng_graph_node_count(g);
    if (D > 1 && id >= 0 && id < nn) { /* where this layer runs (AlexNet's two GPUs) */
        int *dev = calloc((size_t)nn, sizeof *dev);
        if (dev) {
            eng_graph_device_roles(g, dev);
            if (dev[id] != ENG_DEV_NONE) eng_fmt_device_role(D, dev[id], buf, n);
            free(dev);
        }
        return buf[0] != 0;
    }
    EngPaths p = eng_graph_paths(g);
    if (p.paths <= 1) return 0;
    char paths[160], num[48];
    if (p.paths < 4611686018427387904.0) eng_fmt_grouped((int64_t)p.paths, num, sizeof num); /* 2^62 */
    else snprintf(num, sizeof num, "%.3g", p.paths);
    if (p.pure_residual) /* Veit et al.: each residual block doubles the paths */
        snprintf(buf, n, "%d residual blocks → 2^%d = %s paths, input to output", p.adds, p.adds, num);
    else if (p.adds > 0) /* other branches too (SE gates, concatenations): they multiply the paths further */
        snprintf(buf, n, "%d residual blocks → 2^%d through their shortcuts · %s paths in all", p.adds, p.adds,
                 num);
    else
        snprintf(buf, n, "%s", eng_fmt_paths(p, paths, sizeof paths));
    return 1;
}

/* ---- layer strip ------------------------------------------------------------------------ */

/* The strip in columns: a node's column is its level (the longest path from
 * the input), so parallel branches (inception, a residual block's shortcut,
 * dense connections) stand in one column, one row each. */
#define STRIP_ROWS 4
typedef struct {
    int n, *level, *row;
    int first, fit, rows; /* first column shown, how many, rows used by them */
    int bw, bh, gap;
} Strip;

static void strip_free(Strip *st) {
    free(st->level);
    st->level = NULL;
}

static int strip_make(const VizFonts *f, const EngGraph *g, int current, SDL_Rect area, Strip *st) {
    memset(st, 0, sizeof *st);
    st->n = eng_graph_node_count(g);
    st->level = calloc((size_t)(st->n > 0 ? st->n : 1) * 2, sizeof(int));
    if (!st->level) return -1;
    st->row = st->level + st->n;
    int levels = 0, *count = calloc((size_t)(st->n > 0 ? st->n : 1), sizeof(int));
    if (!count) {
        strip_free(st);
        return -1;
    }
    for (int i = 0; i < st->n; i++) {
        const EngNode *nd = eng_graph_node(g, i);
        if (nd->flags & ENG_NODE_TRAIN_ONLY) { /* never run at inference: not in the strip */
            st->level[i] = 0;
            st->row[i] = STRIP_ROWS;
            continue;
        }
        int lv = 0;
        for (int k = 0; k < nd->n_inputs; k++)
            if (st->level[nd->inputs[k]] + 1 > lv) lv = st->level[nd->inputs[k]] + 1;
        st->level[i] = lv;
        st->row[i] = count[lv]++;
        if (lv + 1 > levels) levels = lv + 1;
    }
    /* boxes as wide as 14 characters of the small type (132 px at 1280x800),
     * so that they grow with it in large windows and presentation mode */
    st->bw = f->small_line * 33 / 4, st->gap = eng_graph_devices(g) > 1 ? 12 : 6; /* room for the GPU streams */
    st->fit = (area.w + st->gap) / (st->bw + st->gap);
    if (st->fit < 1) st->fit = 1;
    int cur = current >= 0 && current < st->n ? st->level[current] : 0;
    st->first = cur - st->fit / 2;
    if (st->first > levels - st->fit) st->first = levels - st->fit;
    if (st->first < 0) st->first = 0;
    st->rows = 1;
    for (int lv = st->first; lv < st->first + st->fit && lv < levels; lv++)
        if (count[lv] > st->rows) st->rows = count[lv] > STRIP_ROWS ? STRIP_ROWS : count[lv];
    free(count);
    st->bh = (area.h - (st->rows - 1) * 3) / st->rows;
    return 0;
}

/* Node i's box, or an empty rectangle when it is not shown. */
static SDL_Rect strip_box(const Strip *st, SDL_Rect area, int i) {
    int col = st->level[i] - st->first;
    if (col < 0 || col >= st->fit || st->row[i] >= STRIP_ROWS) return (SDL_Rect){0, 0, 0, 0};
    return (SDL_Rect){area.x + col * (st->bw + st->gap), area.y + st->row[i] * (st->bh + 3), st->bw, st->bh};
}

int viz_layer_strip_rows(const VizFonts *f, const EngGraph *g, int current, int width) {
    Strip st;
    SDL_Rect area = {0, 0, width, 100};
    if (strip_make(f, g, current, area, &st) != 0) return 1;
    int rows = st.rows;
    strip_free(&st);
    return rows;
}

/* The "<" (k 0) or ">" (k 1) just outside that end of the strip when layers
 * lie beyond it: where it is (*at, the strip's height) and the first layer
 * past the boxes shown, which a click on it steps to; -1 when there is none. */
static int strip_arrow(const Strip *st, SDL_Rect area, int k, SDL_Rect *at) {
    const int level = k ? st->first + st->fit : st->first - 1;
    *at = k ? (SDL_Rect){area.x + area.w, area.y, 16, area.h} : (SDL_Rect){area.x - 16, area.y, 16, area.h};
    if (level < 0) return -1;
    for (int id = 0; id < st->n; id++)
        if (st->level[id] == level && st->row[id] < STRIP_ROWS) return id;
    return -1;
}

/* The devices a layer's box runs on (eng_graph_device_roles), drawn as the
 * paper's figure draws its two GPUs: one stream per device, one above the
 * other (GPU 1 blue on top, GPU 2 green below), as bands at the box's left
 * edge; in the gap before the box the streams run straight on where each
 * part reads its own device's part, cross where every part reads every
 * other's (the devices exchange data) and meet where one output joins them. */
static void strip_devices(SDL_Renderer *r, SDL_Rect box, int role, int D, int gap) {
    static const SDL_Color band[] = {{86, 148, 230, 255}, {110, 196, 120, 255}, {200, 120, 200, 255},
                                     {220, 170, 80, 255}};
    const int x = box.x + 1, top = box.y + 2, h = box.h - 4;
    for (int d = 0; d < D; d++) { /* device d's row of the box, and its level in the gap */
        SDL_Color c = band[d % 4];
        SDL_SetRenderDrawColor(r, c.r, c.g, c.b, 255);
        const int y_d = top + h * (2 * d + 1) / (2 * D);
        if (role != ENG_DEV_JOIN) SDL_RenderFillRect(r, &(SDL_Rect){x, top + h * d / D + 1, 3, h / D - 2});
        if (gap == 0) continue; /* the first column: nothing drawn before it */
        if (role == ENG_DEV_OWN)
            SDL_RenderDrawLine(r, box.x - gap, y_d, box.x - 1, y_d);
        else if (role == ENG_DEV_EXCHANGE)
            for (int e = 0; e < D; e++) /* from every device's level to this one's */
                SDL_RenderDrawLine(r, box.x - gap, top + h * (2 * e + 1) / (2 * D), box.x - 1, y_d);
        else if (role == ENG_DEV_JOIN)
            SDL_RenderDrawLine(r, box.x - gap, y_d, box.x - 1, top + h / 2);
    }
}

void viz_draw_layer_strip(SDL_Renderer *r, const VizFonts *f, const EngGraph *g, int current,
                          SDL_Rect area) {
    Strip st;
    if (strip_make(f, g, current, area, &st) != 0) return;
    const int two_lines = st.bh >= 2 * f->small_line + 4;
    /* a network trained split over GPUs: where each layer runs */
    int *dev = eng_graph_devices(g) > 1 ? calloc((size_t)st.n, sizeof *dev) : NULL;
    if (dev) eng_graph_device_roles(g, dev);
    for (int id = 0; id < st.n; id++) {
        SDL_Rect box = strip_box(&st, area, id);
        if (box.w == 0) continue;
        const EngNode *nd = eng_graph_node(g, id);
        int cur = id == current;
        SDL_SetRenderDrawColor(r, cur ? 90 : 40, cur ? 72 : 44, cur ? 30 : 52, 255);
        SDL_RenderFillRect(r, &box);
        SDL_SetRenderDrawColor(r, cur ? 255 : 70, cur ? 196 : 76, cur ? 84 : 88, 255);
        SDL_RenderDrawRect(r, &box);
        if (dev && dev[id] != ENG_DEV_NONE) strip_devices(r, box, dev[id], eng_graph_devices(g), box.x > area.x ? st.gap : 0);
        char name[160], shape[160];
        snprintf(name, sizeof name, "%s", nd->name);
        snprintf(shape, sizeof shape, "%dx%dx%d", nd->out.C, nd->out.H, nd->out.W);
        if (st.row[id] == STRIP_ROWS - 1) { /* the last row: say what does not fit */
            int more = 0;
            for (int j = 0; j < st.n; j++)
                more += st.level[j] == st.level[id] && st.row[j] >= STRIP_ROWS &&
                        !(eng_graph_node(g, j)->flags & ENG_NODE_TRAIN_ONLY);
            if (more) snprintf(name, sizeof name, "+%d more branches", more + 1);
        }
        /* a name wider than the box keeps its end, where blocks differ */
        const int room = box.w - 10;
        const char *nm = name;
        char cut[170];
        int tw = 0, th = 0;
        if (viz_text_size(f->small, nm, &tw, &th) == 0 && tw > room) {
            /* whole parts first ("…denselayer21.norm2"), else characters */
            const char *part = NULL;
            for (const char *q = nm; *q && !part; q++) {
                if (*q != '.' && *q != '_') continue;
                snprintf(cut, sizeof cut, "…%s", q + 1);
                if (q[1] && viz_text_size(f->small, cut, &tw, &th) == 0 && tw <= room) part = q + 1;
            }
            if (part) {
                nm = part;
            } else {
                do {
                    nm++;
                    while ((*nm & 0xC0) == 0x80) nm++; /* whole UTF-8 characters */
                    snprintf(cut, sizeof cut, "…%s", nm);
                } while (*nm && viz_text_size(f->small, cut, &tw, &th) == 0 && tw > room);
            }
            snprintf(cut, sizeof cut, "…%s", nm);
            nm = cut;
        }
        viz_text(r, f->small, box.x + 6, box.y + (two_lines ? 4 : (box.h - f->small_line) / 2),
                 cur ? ACCENT : INK, nm);
        if (two_lines) viz_text(r, f->small, box.x + 6, box.y + 4 + f->small_line, DIM, shape);
    }
    SDL_Rect arrow[2];
    for (int k = 0; k < 2; k++) {
        int tw = 0, th = 0;
        if (strip_arrow(&st, area, k, &arrow[k]) < 0 || viz_text_size(f->small, k ? ">" : "<", &tw, &th) != 0) continue;
        viz_text(r, f->small, arrow[k].x + (arrow[k].w - tw) / 2, area.y + 4, DIM, k ? ">" : "<"); /* inside the margin */
    }
    free(dev);
    strip_free(&st);
}

int viz_layer_strip_hit(const VizFonts *f, const EngGraph *g, int current, SDL_Rect area, int x,
                        int y) {
    Strip st;
    if (strip_make(f, g, current, area, &st) != 0) return -1;
    int hit = -1;
    SDL_Point p = {x, y};
    for (int id = 0; id < st.n && hit < 0; id++) {
        SDL_Rect box = strip_box(&st, area, id);
        if (box.w && SDL_PointInRect(&p, &box)) hit = id;
    }
    for (int k = 0; k < 2 && hit < 0; k++) { /* "<" and ">": the layers beyond that end */
        SDL_Rect at;
        const int id = strip_arrow(&st, area, k, &at);
        if (id >= 0 && SDL_PointInRect(&p, &at)) hit = id;
    }
    strip_free(&st);
    return hit;
}

/* ---- feature maps ----------------------------------------------------------------------- */

int viz_fmap_min_tile(const VizFonts *f) { return 2 * f->line; }

/* Grid of tiles for C maps in area: the largest square tile that fits all
 * of them, but never smaller than min_tile; below that, pages of tiles of
 * min_tile, as many as fit. */
static void grid_for(int C, SDL_Rect area, int min_tile, int *cols, int *tile, int *per_page) {
    const int gap = VIZ_FMAP_GAP;
    int best_t = 0, best_c = 1;
    for (int c = 1; c <= C; c++) {
        int rows = (C + c - 1) / c;
        int tw = (area.w - (c - 1) * gap) / c, th = (area.h - (rows - 1) * gap) / rows;
        int t = tw < th ? tw : th;
        if (t > best_t) best_t = t, best_c = c;
    }
    if (best_t < min_tile) { /* page: fixed tile size */
        best_t = min_tile;
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

/* Where the tiles go: below a header of two text lines and the legend. */
VizFmapGeom viz_fmap_geom(const VizFonts *f, const EngGraph *g, int id, SDL_Rect area) {
    VizFmapGeom m = {0};
    const EngNode *nd = eng_graph_node(g, id);
    int top = area.y + f->line + f->small_line + 6 + 22;
    m.grid = (SDL_Rect){area.x, top, area.w, area.y + area.h - top};
    if (!nd) return m;
    grid_for(nd->out.C, m.grid, viz_fmap_min_tile(f), &m.cols, &m.tile, &m.per);
    m.pages = (nd->out.C + m.per - 1) / m.per;
    return m;
}

int viz_fmap_pages(const VizFonts *f, const EngGraph *g, int id, SDL_Rect area) {
    return viz_fmap_geom(f, g, id, area).pages;
}

/* The zoomed channel fills the grid area, square pixels. */
static SDL_Rect zoom_rect(const VizFmapGeom *m, int H, int W) {
    int side = m->grid.w < m->grid.h ? m->grid.w : m->grid.h;
    int cell = side / (H > W ? H : W);
    if (cell < 1) cell = 1;
    return (SDL_Rect){m->grid.x, m->grid.y, cell * W, cell * H};
}

int viz_fmap_hit(const VizFonts *f, const EngGraph *g, int id, SDL_Rect area, int page, int zoom,
                 int x, int y, int *ch, int *uy, int *ux) {
    const EngNode *nd = eng_graph_node(g, id);
    if (!nd) return 0;
    VizFmapGeom m = viz_fmap_geom(f, g, id, area);
    const int H = nd->out.H, W = nd->out.W, gap = VIZ_FMAP_GAP;
    if (zoom >= 0) {
        SDL_Rect z = zoom_rect(&m, H, W);
        if (x < z.x || y < z.y || x >= z.x + z.w || y >= z.y + z.h) return 0;
        *ch = zoom;
        *uy = (y - z.y) * H / z.h;
        *ux = (x - z.x) * W / z.w;
        return 1;
    }
    if (x < m.grid.x || y < m.grid.y) return 0;
    int col = (x - m.grid.x) / (m.tile + gap), row = (y - m.grid.y) / (m.tile + gap);
    /* the map as viz_draw_fmaps draws it: its aspect kept inside the square tile */
    int tw = m.tile, th = m.tile;
    if (W > H) th = m.tile * H / W;
    else if (H > W) tw = m.tile * W / H;
    const int dx = (x - m.grid.x) % (m.tile + gap), dy = (y - m.grid.y) % (m.tile + gap);
    if (col >= m.cols || dx >= tw || dy >= th) return 0; /* a gap, or past the map */
    int k = row * m.cols + col, c = page * m.per + k;
    if (k >= m.per || c >= nd->out.C) return 0;
    *ch = c;
    /* the unit under the pixel's centre (a pixel may span several units) */
    *uy = (int)(((2 * (int64_t)dy + 1) * H) / (2 * th));
    *ux = (int)(((2 * (int64_t)dx + 1) * W) / (2 * tw));
    return 1;
}

void viz_draw_fmaps(SDL_Renderer *r, const VizFonts *f, const EngGraph *g, int id, SDL_Rect area,
                    int page, int zoom, int sel_y, int sel_x) {
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
    int head_w = 0, th = 0;
    viz_text_size(f->sans, buf, &head_w, &th);
    char tag[200];
    if (viz_network_tag(g, id, tag, sizeof tag)) { /* the network's shape: GPUs, or paths */
        int tw = 0;
        viz_text_size(f->small, tag, &tw, &th);
        if (area.x + head_w + 24 + tw <= area.x + area.w)
            viz_text(r, f->small, area.x + area.w - tw, area.y + (f->line - f->small_line) / 2, DIM, tag);
    }
    int y = area.y + f->line;
    if (nd->rf.finite) {
        char s1[48], s2[48];
        snprintf(c, sizeof c, "RF %s px, stride %s", eng_fmt_hw(nd->rf.size, nd->rf.size_w, s1, sizeof s1),
                 eng_fmt_hw(nd->rf.stride, nd->rf.stride_w, s2, sizeof s2));
    }
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
    VizFmapGeom m = viz_fmap_geom(f, g, id, area);
    if (page >= m.pages) page = m.pages - 1;
    if (page < 0) page = 0;
    if (zoom >= 0 && zoom < C) {
        SDL_Rect z = zoom_rect(&m, H, W);
        const float *p = nd->act + (size_t)zoom * plane;
        if (sel_y >= 0 && sel_y < H && sel_x >= 0 && sel_x < W)
            snprintf(buf, sizeof buf, "%.3g … %.3g  ·  channel %d  ·  unit (%d, %d) = %.4g  ·  "
                     "Esc back", lo, hi, zoom, sel_y, sel_x, p[(size_t)sel_y * W + sel_x]);
        else
            snprintf(buf, sizeof buf, "%.3g … %.3g  ·  channel %d  ·  click a unit  ·  Esc back",
                     lo, hi, zoom);
        viz_text(r, f->small, legend.x + legend.w + 10, y - 3, DIM, buf);
        SDL_Texture *t = plane_texture_kept(r, p, H, W, lo, hi, 0);
        if (t) SDL_RenderCopy(r, t, NULL, &z);
        if (sel_y >= 0 && sel_x >= 0) {
            SDL_Rect u = {z.x + sel_x * z.w / W, z.y + sel_y * z.h / H, z.w / W, z.h / H};
            SDL_SetRenderDrawColor(r, 255, 80, 80, 255);
            SDL_RenderDrawRect(r, &u);
        }
        return;
    }
    snprintf(buf, sizeof buf, "%.3g … %.3g  ·  channels %d-%d of %d%s  ·  click one to zoom", lo,
             hi, page * m.per + 1, (page + 1) * m.per < C ? (page + 1) * m.per : C, C,
             m.pages > 1 ? "  (PgUp/PgDn)" : "");
    viz_text(r, f->small, legend.x + legend.w + 10, y - 3, DIM, buf);
    const int gap = VIZ_FMAP_GAP;
    for (int k = 0; k < m.per && page * m.per + k < C; k++) {
        int ch = page * m.per + k;
        SDL_Texture *t = plane_texture_kept(r, nd->act + (size_t)ch * plane, H, W, lo, hi, 0);
        if (!t) continue;
        /* keep the map's aspect inside the square tile */
        int tw = m.tile, th = m.tile;
        if (W > H) th = m.tile * H / W;
        else if (H > W) tw = m.tile * W / H;
        SDL_Rect dst = {m.grid.x + (k % m.cols) * (m.tile + gap),
                        m.grid.y + (k / m.cols) * (m.tile + gap), tw, th};
        SDL_RenderCopy(r, t, NULL, &dst);
        if (H == 1 && W == 1 && m.tile >= 2 * f->small_line + 8) { /* a vector (an FC's units): say which, and its value */
            const float v = nd->act[ch];
            const float u = hi > lo ? (v - lo) / (hi - lo) : 0.5f;
            const SDL_Color tc = u > 0.6f ? (SDL_Color){16, 18, 24, 255} : (SDL_Color){235, 235, 240, 255};
            char l1[32], l2[32];
            snprintf(l1, sizeof l1, "unit %d", ch);
            snprintf(l2, sizeof l2, "%.3g", v);
            int w1 = 0, w2 = 0, hh = 0;
            if (viz_text_size(f->small, l1, &w1, &hh) == 0 && viz_text_size(f->small, l2, &w2, &hh) == 0 &&
                w1 + 8 <= dst.w && w2 + 8 <= dst.w) {
                viz_text(r, f->small, dst.x + 4, dst.y + 4, tc, l1);
                viz_text(r, f->small, dst.x + 4, dst.y + 4 + f->small_line, tc, l2);
            }
        }
    }
}

int viz_filter_group_rects(SDL_Rect grid, int groups, int label_h, SDL_Rect out[VIZ_FILTER_GROUPS_MAX]) {
    if (groups < 2 || groups > VIZ_FILTER_GROUPS_MAX || grid.h < groups * (label_h + 2)) {
        out[0] = grid;
        return 1;
    }
    int bh = grid.h / groups;
    for (int b = 0; b < groups; b++)
        out[b] = (SDL_Rect){grid.x, grid.y + b * bh + label_h, grid.w, bh - label_h - 2};
    return groups;
}

/* The largest tile (and filters per row) that fits n filter strips of
 * cols_in tiles each in a w x h block. */
static int filter_tile(int n, int cols_in, int w, int h, int gap, int *per_row) {
    *per_row = 1;
    /* few filters in a large area (LeNet's six) are drawn as large as the area allows */
    for (int t = h < 480 ? h : 480; t >= 4; t--) {
        int block = cols_in * (t + gap) + 2 * gap; /* one filter's strip */
        int fits_x = (w + gap) / block;
        if (fits_x < 1) continue;
        int rows = (n + fits_x - 1) / fits_x;
        if (rows * (t + gap) <= h) {
            *per_row = fits_x;
            return t;
        }
    }
    return 2;
}

/* Filter o's kernels, cols_in tiles from (bx, by). */
static void draw_filter(SDL_Renderer *r, SDL_Surface *s, const float *data, int o, int IC, int KH, int KW,
                        int cols_in, int rgb, float m, int bx, int by, int tile, int gap, int per_filter) {
    if (per_filter) { /* this filter's own largest |weight| */
        const size_t per = (size_t)IC * KH * KW;
        m = 0.0f;
        for (size_t i = 0; i < per; i++) m = fmaxf(m, fabsf(data[(size_t)o * per + i]));
        if (m == 0.0f) m = 1.0f;
    }
    for (int ci = 0; ci < cols_in; ci++) {
        for (int y = 0; y < KH; y++)
            for (int x = 0; x < KW; x++) {
                Uint8 *p = (Uint8 *)s->pixels + (size_t)y * s->pitch + 4 * x;
                if (rgb) {
                    for (int c = 0; c < 3; c++) {
                        float v = data[(((size_t)o * IC + c) * KH + y) * KW + x];
                        p[c] = (Uint8)(127.5f + 127.5f * v / m);
                    }
                } else {
                    float v = data[(((size_t)o * IC + ci) * KH + y) * KW + x];
                    SDL_Color col = viz_colormap(0.5f + 0.5f * v / m);
                    p[0] = col.r, p[1] = col.g, p[2] = col.b;
                }
                p[3] = 255;
            }
        SDL_Texture *t = SDL_CreateTextureFromSurface(r, s);
        if (!t) continue;
        SDL_Rect dst = {bx + ci * (tile + gap), by, tile, tile};
        SDL_RenderCopy(r, t, NULL, &dst);
        SDL_DestroyTexture(t);
    }
}

/* Learned kernels of a conv layer: for a colour first layer, each filter as an
 * RGB image; deeper, one row per filter with its first input channels. One
 * symmetric scale around zero for the whole layer (shown). Filters in groups
 * (a grouped conv, or one read in groups: AlexNet's two GPUs) are drawn as
 * one labelled block per group. */
void viz_draw_filters(SDL_Renderer *r, const VizFonts *f, const EngGraph *g, int id, SDL_Rect area,
                      const float *snapshot, const char *when, int per_filter) {
    const EngNode *nd = eng_graph_node(g, id);
    char buf[320];
    if (!nd || nd->op != ENG_OP_CONV || !nd->params[0].data) {
        snprintf(buf, sizeof buf, "%s has no filters: step to a convolution (F toggles filters)",
                 nd ? nd->name : "?");
        viz_text(r, f->sans, area.x, area.y, DIM, buf);
        return;
    }
    const EngParam *w = &nd->params[0];
    const float *data = snapshot ? snapshot : w->data;
    const int OC = w->dims[0], IC = w->dims[1], KH = w->dims[2], KW = w->dims[3];
    float m = 0.0f;
    for (size_t i = 0; i < w->n; i++) m = fabsf(data[i]) > m ? fabsf(data[i]) : m;
    if (m == 0.0f) m = 1.0f;
    const int groups = eng_graph_filter_groups(g, id);
    snprintf(buf, sizeof buf, "%s  ·  filters %dx%dx%dx%d%s%s", nd->name, OC, IC, KH, KW,
             when ? "  ·  " : "", when ? when : "");
    viz_text(r, f->sans, area.x, area.y, ACCENT, buf);
    int rgb = IC == 3;
    const char *layout = rgb ? "each filter as an RGB image, scaled from -%.3g (black) to +%.3g (white), 0 = grey"
                         : IC == 1 ? "one tile a filter (its one input channel)  ·  viridis from -%.3g to +%.3g, "
                                     "0 in the middle"
                                   : "rows: filters; columns: input channels  ·  viridis from -%.3g "
                                     "to +%.3g, 0 in the middle";
    int n = per_filter ? snprintf(buf, sizeof buf, "%s  ·  each filter scaled to its own largest |weight|, 0 in "
                                  "the middle (Shift+F: one scale)",
                                  rgb ? "each filter as an RGB image" : IC == 1 ? "one tile a filter"
                                                                              : "rows: filters; columns: input channels")
                       : snprintf(buf, sizeof buf, layout, m, m);
    if (groups == 2 && n > 0 && (size_t)n < sizeof buf) /* AlexNet's layout: one group per GPU */
        snprintf(buf + n, sizeof buf - (size_t)n, "  ·  2 groups, one per GPU as AlexNet was trained%s",
                 rgb ? " (its Fig. 3: GPU 1's came out largely colour-agnostic, GPU 2's colour-specific)" : "");
    else if (groups > 1 && n > 0 && (size_t)n < sizeof buf)
        snprintf(buf + n, sizeof buf - (size_t)n, "  ·  %d groups of %d filters", groups, OC / groups);
    int note_h = groups > 1 ? viz_text_wrap(r, f->small, area.x, area.y + f->line, area.w, DIM, buf)
                            : (viz_text(r, f->small, area.x, area.y + f->line, DIM, buf), f->small_line);
    /* the bottom line is kept for "showing n of N" */
    SDL_Rect grid = {area.x, area.y + f->line + note_h + 8, area.w,
                     area.h - f->line - note_h - 8 - f->small_line - 4};
    SDL_Rect blocks[VIZ_FILTER_GROUPS_MAX];
    const int nb = viz_filter_group_rects(grid, groups, f->small_line + 2, blocks);
    const int per_block = OC / nb, gap = 3;
    int cols_in = rgb ? 1 : (IC < 16 ? IC : 16);
    int per_row = 1, best = 2;
    best = filter_tile(per_block, cols_in, blocks[0].w, blocks[0].h, gap, &per_row);
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, KW, KH, 32, SDL_PIXELFORMAT_RGBA32);
    if (!s) return;
    int shown = 0;
    /* blocks close up under each other: as tall as their rows of filters */
    const int rows = (per_block + per_row - 1) / per_row, used = rows * (best + gap);
    for (int b = 0; b < nb; b++) {
        SDL_Rect bl = blocks[b];
        if (nb > 1 && used < bl.h) {
            bl.y = blocks[0].y + b * (used + f->small_line + 8);
            bl.h = used;
        }
        if (nb > 1) {
            if (groups == 2) snprintf(buf, sizeof buf, "GPU %d (filters %d-%d)", b + 1, b * per_block, (b + 1) * per_block - 1);
            else snprintf(buf, sizeof buf, "group %d (filters %d-%d)", b + 1, b * per_block, (b + 1) * per_block - 1);
            viz_text(r, f->small, bl.x, bl.y - f->small_line - 2, ACCENT, buf);
        }
        for (int j = 0; j < per_block; j++) {
            int bx = bl.x + (j % per_row) * (cols_in * (best + gap) + 2 * gap);
            int by = bl.y + (j / per_row) * (best + gap);
            if (by + best > bl.y + bl.h) break;
            shown++;
            draw_filter(r, s, data, b * per_block + j, IC, KH, KW, cols_in, rgb, m, bx, by, best, gap, per_filter);
        }
    }
    SDL_FreeSurface(s);
    if (shown < OC || cols_in < IC) {
        snprintf(buf, sizeof buf, "showing %d of %d filters, %d of %d input channels", shown, OC,
                 cols_in, IC);
        viz_text(r, f->small, area.x, area.y + area.h - f->small_line, DIM, buf);
    }
}

SDL_Rect viz_input_rect(const VizFonts *f, const EngGraph *g, SDL_Rect area) {
    const EngNode *nd = eng_graph_node(g, 0);
    const int64_t H = nd && nd->out.H > 0 ? nd->out.H : 1, W = nd && nd->out.W > 0 ? nd->out.W : 1;
    const int64_t aw = area.w > 1 ? area.w : 1;
    const int64_t ah = area.h - f->small_line - 4 > 1 ? area.h - f->small_line - 4 : 1;
    /* the largest W:H rectangle inside aw x ah, in 64 bits (a 1x20000 image
     * would overflow int and ask for a rectangle thousands of panels tall) */
    int64_t w = aw, h = aw * H / W;
    if (aw * H > ah * W) h = ah, w = ah * W / H;
    return (SDL_Rect){area.x, area.y + f->small_line + 4, (int)(w > 0 ? w : 1), (int)(h > 0 ? h : 1)};
}

/* Side of a texture made from an image side n: at most the renderer's
 * largest texture and INPUT_TEX_MAX (far above any panel, so nothing a
 * person can see is lost); larger images are sampled (nearest pixel). */
#define INPUT_TEX_MAX 2048
static int tex_side(int n, int renderer_max) {
    int cap = renderer_max > 0 && renderer_max < INPUT_TEX_MAX ? renderer_max : INPUT_TEX_MAX;
    return n < cap ? n : cap;
}

/* The input (C, H, W) as an sw x sh RGBA surface: colour from three planes,
 * grey from the first otherwise; or (heat != NULL, (H*W)) the heat map of
 * the effective receptive field, normalised by m. */
static SDL_Surface *input_surface(const float *act, int C, int H, int W, float lo, float hi,
                                  const float *heat, float m, int sw, int sh) {
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, sw, sh, 32, SDL_PIXELFORMAT_RGBA32);
    if (!s) return NULL;
    const float sc = hi > lo ? 1.0f / (hi - lo) : 0.0f, sc255 = hi > lo ? 255.0f / (hi - lo) : 0.0f;
    for (int y = 0; y < sh; y++) {
        const size_t iy = (size_t)((int64_t)y * H / sh);
        for (int x = 0; x < sw; x++) {
            const size_t ix = (size_t)((int64_t)x * W / sw), at = iy * (size_t)W + ix;
            Uint8 *p = (Uint8 *)s->pixels + (size_t)y * s->pitch + 4 * (size_t)x;
            if (heat) {
                float v = sqrtf(heat[at] / m); /* sqrt: faint tails visible */
                p[0] = 255, p[1] = (Uint8)(80 + 150 * v), p[2] = 40, p[3] = (Uint8)(200 * v);
                continue;
            }
            for (int c = 0; c < 3; c++) {
                const float v = act[(size_t)(C == 3 ? c : 0) * H * W + at];
                if (C == 3) { /* colour: as the planes were always drawn */
                    p[c] = (Uint8)((v - lo) * sc255);
                } else {
                    float t = (v - lo) * sc;
                    p[c] = (Uint8)(255.0f * (t < 0 ? 0 : t > 1 ? 1 : t));
                }
            }
            p[3] = 255;
        }
    }
    return s;
}

int viz_erf_bar_room(const VizFonts *f, int w) {
    const SDL_Rect bar = {0, 0, w - 2 < 360 ? w - 2 : 360, 10};
    return 10 + viz_colour_bar(NULL, f, bar, 0.0f, 1.0f, VIZ_BAR_HEAT, VIZ_ERF_UNITS);
}

void viz_draw_input(SDL_Renderer *r, const VizFonts *f, const EngGraph *g, SDL_Rect area,
                    const float *erf, EngRf rf, int uy, int ux) {
    const EngNode *nd = eng_graph_node(g, 0);
    if (!nd || !nd->act) return;
    const int C = nd->out.C, H = nd->out.H, W = nd->out.W;
    const char *cap = erf ? "input · receptive field (box) · effective RF (heat)" : "input (as the network sees it)";
    int cw, chh;
    if (erf && viz_text_size(f->small, cap, &cw, &chh) == 0 && cw > area.w) cap = "input · RF (box) · ERF (heat)";
    viz_text(r, f->small, area.x, area.y, DIM, cap);
    SDL_Rect dst = viz_input_rect(f, g, area);
    float lo, hi;
    range_of(nd->act, (size_t)C * H * W, &lo, &hi);
    SDL_RendererInfo info = {0};
    SDL_GetRendererInfo(r, &info);
    const int sw = tex_side(W, info.max_texture_width), sh = tex_side(H, info.max_texture_height);
    SDL_Surface *s = input_surface(nd->act, C, H, W, lo, hi, NULL, 0.0f, sw, sh);
    SDL_Texture *t = s ? SDL_CreateTextureFromSurface(r, s) : NULL;
    if (s) SDL_FreeSurface(s);
    if (t) SDL_RenderCopy(r, t, NULL, &dst), SDL_DestroyTexture(t);
    if (erf) { /* |d unit / d input|, normalised, as a translucent heat map */
        float m = 0.0f;
        for (size_t i = 0; i < (size_t)H * W; i++) m = erf[i] > m ? erf[i] : m;
        SDL_Surface *hs = m > 0.0f ? input_surface(nd->act, C, H, W, lo, hi, erf, m, sw, sh) : NULL;
        SDL_Texture *h = hs ? SDL_CreateTextureFromSurface(r, hs) : NULL;
        if (h) {
            SDL_SetTextureBlendMode(h, SDL_BLENDMODE_BLEND);
            SDL_RenderCopy(r, h, NULL, &dst);
            SDL_DestroyTexture(h);
        }
        if (hs) SDL_FreeSurface(hs);
        /* its scale, under the picture when the panel has room for it */
        const char *units = VIZ_ERF_UNITS;
        SDL_Rect bar = {dst.x + 1, dst.y + dst.h + 10, dst.w - 2 < 360 ? dst.w - 2 : 360, 10};
        if (m > 0.0f && bar.w >= 120 && bar.y + viz_colour_bar(NULL, f, bar, 0, m, VIZ_BAR_HEAT, units) <= area.y + area.h)
            viz_colour_bar(r, f, bar, 0.0f, m, VIZ_BAR_HEAT, units);
    }
    if (rf.finite && uy >= 0 && ux >= 0) {
        /* unit (y, x) sees input rows y*j - p .. y*j - p + r - 1 and the columns
         * of the width's r, j, p, drawn clamped to the picture (64 bits: a tall
         * input's scale would overflow int) */
        const int64_t y0 = (int64_t)uy * rf.stride - rf.pad, x0 = (int64_t)ux * rf.stride_w - rf.pad_w;
        int64_t bx0 = x0 * dst.w / W, by0 = y0 * dst.h / H;
        int64_t bx1 = (x0 + rf.size_w) * dst.w / W, by1 = (y0 + rf.size) * dst.h / H;
        bx0 = bx0 < -2 ? -2 : bx0, by0 = by0 < -2 ? -2 : by0;
        bx1 = bx1 > dst.w + 2 ? dst.w + 2 : bx1, by1 = by1 > dst.h + 2 ? dst.h + 2 : by1;
        if (bx1 > bx0 && by1 > by0) {
            SDL_Rect box = {dst.x + (int)bx0, dst.y + (int)by0, (int)(bx1 - bx0), (int)(by1 - by0)};
            SDL_RenderSetClipRect(r, &dst);
            SDL_SetRenderDrawColor(r, 90, 200, 255, 255);
            SDL_RenderDrawRect(r, &box);
            SDL_Rect inner = {box.x + 1, box.y + 1, box.w - 2, box.h - 2};
            SDL_RenderDrawRect(r, &inner);
            SDL_RenderSetClipRect(r, NULL);
        }
    }
}

void viz_draw_top5(SDL_Renderer *r, const VizFonts *f, const EngGraph *g,
                   const char *const *labels, int n_labels, SDL_Rect area) {
    const EngNode *o = eng_graph_node(g, eng_graph_output(g));
    if (!o || !o->act) return;
    const int K = o->out.C * o->out.H * o->out.W;
    /* softmax of the logits (the network's output is the logits), unless the network
     * ends in a softmax already (the ONNX zoo's classifiers do) */
    const int is_prob = o->op == ENG_OP_SOFTMAX;
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
    int y = area.y + f->small_line + 4, pw = 0, ph = 0;
    /* the percentages' column: as wide as the widest, in the type of the moment */
    viz_text_size(f->small, "100.0%", &pw, &ph);
    const int bar_w = area.w - pw - 10 > 20 ? area.w - pw - 10 : 20;
    for (int i = 0; i < nt; i++) {
        if (i > 0 && y + f->line + 12 > area.y + area.h) break; /* a short window: the rows that fit */
        double p = is_prob ? (double)o->act[top[i]] : exp((double)o->act[top[i]] - m) / s;
        char name[64], pct[16];
        if (labels && top[i] < n_labels) snprintf(name, sizeof name, "%s", labels[top[i]]);
        else snprintf(name, sizeof name, "class %d", top[i]);
        snprintf(pct, sizeof pct, "%.1f%%", 100.0 * p);
        /* a long class name is cut at the column's edge */
        SDL_Rect clip = {area.x, y, area.w, f->line}, old_clip;
        SDL_bool clipped = SDL_RenderIsClipEnabled(r);
        SDL_RenderGetClipRect(r, &old_clip);
        SDL_RenderSetClipRect(r, &clip);
        viz_text(r, f->sans, area.x, y, i == 0 ? ACCENT : INK, name);
        SDL_RenderSetClipRect(r, clipped ? &old_clip : NULL);
        SDL_Rect bar = {area.x, y + f->line, (int)(bar_w * p), 8};
        SDL_Rect back = {area.x, y + f->line, bar_w, 8};
        SDL_SetRenderDrawColor(r, 50, 54, 64, 255);
        SDL_RenderFillRect(r, &back);
        SDL_SetRenderDrawColor(r, i == 0 ? 255 : 120, i == 0 ? 196 : 160, i == 0 ? 84 : 220, 255);
        SDL_RenderFillRect(r, &bar);
        int tw = 0, th = 0;
        viz_text_size(f->small, pct, &tw, &th);
        viz_text(r, f->small, area.x + area.w - tw, y + f->line + 4 - th / 2, INK, pct);
        y += f->line + 16;
    }
}

SDL_Rect viz_draw_planes(SDL_Renderer *r, const VizFonts *f, const float *v, int C, int H, int W,
                         SDL_Rect area, int diverging, const char *caption) {
    if (!v || C < 1 || H < 1 || W < 1) return (SDL_Rect){area.x, area.y, 0, 0};
    int top = 0;
    if (caption) {
        viz_text(r, f->small, area.x, area.y, DIM, caption);
        top = f->small_line + 4;
    }
    const size_t hw = (size_t)H * W;
    const int nc = C >= 3 ? 3 : 1;
    float lo, hi;
    range_of(v, hw * (size_t)nc, &lo, &hi);
    const float m = fmaxf(fabsf(lo), fabsf(hi));
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, W, H, 32, SDL_PIXELFORMAT_RGBA32);
    if (!s) return (SDL_Rect){area.x, area.y, 0, 0};
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            Uint8 *p = (Uint8 *)s->pixels + (size_t)y * s->pitch + 4 * x;
            for (int c = 0; c < 3; c++) {
                float t = v[(size_t)(nc == 3 ? c : 0) * hw + (size_t)y * W + x];
                t = diverging ? (m > 0 ? 0.5f + 0.5f * t / m : 0.5f) : (hi > lo ? (t - lo) / (hi - lo) : 0.5f);
                p[c] = (Uint8)(fminf(fmaxf(t, 0.0f), 1.0f) * 255.0f + 0.5f);
            }
            p[3] = 255;
        }
    SDL_Texture *t = SDL_CreateTextureFromSurface(r, s);
    SDL_FreeSurface(s);
    int avail_h = area.h - top, side = area.w < avail_h ? area.w : avail_h;
    SDL_Rect dst = {area.x, area.y + top, side, side * H / W};
    if (dst.h > avail_h) dst.h = avail_h, dst.w = avail_h * W / H;
    if (t) {
        SDL_SetTextureScaleMode(t, SDL_ScaleModeNearest);
        SDL_RenderCopy(r, t, NULL, &dst);
        SDL_DestroyTexture(t);
    }
    return dst;
}

double viz_rel_change_pct(const float *a, const float *b, size_t n) {
    double d = 0.0, base = 0.0;
    for (size_t i = 0; i < n; i++) {
        const double e = (double)a[i] - (double)b[i];
        d += e * e, base += (double)b[i] * b[i];
    }
    return base > 0.0 ? 100.0 * sqrt(d / base) : 0.0;
}

void viz_draw_evolution(SDL_Renderer *r, const VizFonts *f, const EngGraph *g, int id, SDL_Rect area,
                        const float *const *snaps, const char *const *labels, int n, int diff) {
    const EngNode *nd = eng_graph_node(g, id);
    char buf[256];
    if (!nd || nd->op != ENG_OP_CONV || n < 1) {
        snprintf(buf, sizeof buf, "%s: no filter snapshots", nd ? nd->name : "?");
        viz_text(r, f->sans, area.x, area.y, DIM, buf);
        viz_text(r, f->small, area.x, area.y + f->line, DIM,
                 "convscope train keeps the first two convolutions' filters at steps 0, 10, 50, 200");
        viz_text(r, f->small, area.x, area.y + f->line + f->small_line, DIM,
                 "and after every epoch, beside the weights (NAME.filters.safetensors)");
        return;
    }
    const EngParam *w = &nd->params[0];
    const int OC = w->dims[0], IC = w->dims[1], KH = w->dims[2], KW = w->dims[3];
    const int rgb = IC == 3;
    const size_t all = (size_t)OC * IC * KH * KW;
    snprintf(buf, sizeof buf, "%s  ·  %s", nd->name,
             diff ? "the change of the filters between snapshots" : "filters during training");
    viz_text(r, f->sans, area.x, area.y, ACCENT, buf);
    const int cap_h = viz_text_wrap(r, f->small, area.x, area.y + f->line, area.w, DIM,
             diff ? "rows: the first snapshot, then each one minus the one above (Shift+E: the filters); each "
                    "row scaled to its own largest value, 0 = grey; %: how much the weights' norm moved"
             : rgb ? "rows: moments of training; each row scaled to its own largest weight, 0 = grey; %: "
                     "change since the row above, ||w - w_prev|| / ||w_prev|| (Shift+E: show it)"
                   : "rows: moments of training; columns: filters (mean over input channels), each row scaled "
                     "to its own largest value, 0 = grey; %: change since the row above, ||w - w_prev|| / "
                     "||w_prev|| (Shift+E: show it)");
    /* each row's label, with the change since the row above */
    char rowlab[VIZ_EVO_ROWS_MAX][96];
    if (n > VIZ_EVO_ROWS_MAX) n = VIZ_EVO_ROWS_MAX;
    int label_w = 0, tw, th;
    for (int i = 0; i < n; i++) {
        if (i) snprintf(rowlab[i], sizeof rowlab[i], "%s  +%.1f%%", labels[i],
                        viz_rel_change_pct(snaps[i], snaps[i - 1], all));
        else snprintf(rowlab[i], sizeof rowlab[i], "%s", labels[i]);
        if (viz_text_size(f->small, rowlab[i], &tw, &th) == 0 && tw > label_w) label_w = tw;
    }
    float *delta = diff && n > 1 ? malloc(all * sizeof *delta) : NULL;
    SDL_Rect grid = {area.x + label_w + 12, area.y + f->line + cap_h + 10,
                     area.w - label_w - 12, area.h - f->line - cap_h - 10};
    /* the filters wrap into bands of `cols`, each band one row per moment:
     * pick the number of bands that gives the largest tiles */
    const int gap = 3, band_gap = 14;
    int t = 0, cols = OC, bands = 1;
    for (int b = 1; b <= OC; b++) {
        int c = (OC + b - 1) / b;
        int tw = grid.w / c - gap, th = (grid.h - (b - 1) * band_gap) / (b * n) - gap;
        int tt = tw < th ? tw : th;
        if (tt > 3 * f->line) tt = 3 * f->line; /* a 5x5 filter needs no more */
        if (tt > t) t = tt, cols = c, bands = b;
    }
    SDL_Surface *s = t < 2 ? NULL : SDL_CreateRGBSurfaceWithFormat(0, KW, KH, 32, SDL_PIXELFORMAT_RGBA32);
    if (!s) {
        free(delta);
        return;
    }
    const size_t per = (size_t)IC * KH * KW;
    for (int band = 0; band < bands; band++)
        for (int i = 0; i < n; i++) {
            const float *v = snaps[i];
            if (delta && i > 0) {
                for (size_t k = 0; k < all; k++) delta[k] = snaps[i][k] - snaps[i - 1][k];
                v = delta;
            }
            int y0 = grid.y + band * (n * (t + gap) + band_gap) + i * (t + gap);
            viz_text(r, f->small, area.x, y0 + (t - f->small_line) / 2, DIM, rowlab[i]);
            /* the row's scale: its largest shown value (for grey filters, the
             * largest mean over input channels, which is what is drawn) */
            float m = 0.0f;
            if (rgb)
                for (size_t k = 0; k < (size_t)OC * per; k++) m = fmaxf(m, fabsf(v[k]));
            else
                for (int o = 0; o < OC; o++)
                    for (int k = 0; k < KH * KW; k++) {
                        float a = 0.0f;
                        for (int c = 0; c < IC; c++) a += v[o * per + (size_t)c * KH * KW + k];
                        m = fmaxf(m, fabsf(a / (float)IC));
                    }
            if (m == 0.0f) m = 1.0f;
            for (int col = 0; col < cols; col++) {
                const int o = band * cols + col;
                if (o >= OC) break;
                for (int y = 0; y < KH; y++)
                    for (int x = 0; x < KW; x++) {
                        Uint8 *p = (Uint8 *)s->pixels + (size_t)y * s->pitch + 4 * x;
                        if (rgb) {
                            for (int c = 0; c < 3; c++)
                                p[c] = (Uint8)(127.5f + 127.5f * v[o * per + ((size_t)c * KH + y) * KW + x] / m);
                        } else {
                            float a = 0.0f;
                            for (int c = 0; c < IC; c++) a += v[o * per + ((size_t)c * KH + y) * KW + x];
                            a /= (float)IC;
                            Uint8 g8 = (Uint8)(127.5f + 127.5f * a / m);
                            p[0] = p[1] = p[2] = g8;
                        }
                        p[3] = 255;
                    }
                SDL_Texture *tex = SDL_CreateTextureFromSurface(r, s);
                if (!tex) continue;
                SDL_Rect dst = {grid.x + col * (t + gap), y0, t, t};
                SDL_RenderCopy(r, tex, NULL, &dst);
                SDL_DestroyTexture(tex);
            }
        }
    SDL_FreeSurface(s);
    free(delta);
}
