/*
 * test_viz.c — the window's layout, headless (fonts through SDL_ttf, no
 * display): block diagrams that fit the compare screen with every name
 * unclipped, feature-map grids whose tiles stay legible (paging the rest),
 * the hit test agreeing with where the tiles are drawn, the receptive
 * field box drawn on the input at the pixels the engine's field gives, and
 * the compare, zoo, timeline and basics screens laid out inside the window;
 * the window's key tables (app/gui_keys.c), which its handlers and its help
 * overlay both read: every key handled is named in the help, the help lists
 * the screen's own keys first and Q, no key is used twice on a screen, and a
 * key means the same thing on every screen that has it. Text in any script,
 * measured as drawn, and the layout audit's counts on strings placed to
 * overlap, be cut and be too small.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blocks.h"
#include "check.h"
#include "gui_keys.h"
#include "models.h"
#include "viz.h"

/* CHECK, and a line saying what failed */
#define CHECK_SAY(cond, ...)                                                      \
    do {                                                                         \
        const int ok_ = (cond);                                                  \
        CHECK(ok_);                                                              \
        if (!ok_) fprintf(stderr, __VA_ARGS__);                                  \
    } while (0)

/* The window's fonts at px pixels: 1, or 0 after a failed check. */
static int fonts(VizFonts *f, int px) {
    char err[512];
    if (viz_fonts_load(f, px, err, sizeof err) == 0) return 1;
    fprintf(stderr, "%s\n", err);
    CHECK(0);
    return 0;
}

/* Every pair of the compare screen at its default sizes: each diagram's
 * widest row fits the third of a 1280-pixel window the screen gives it at
 * most (24-pixel margins), at the type of that window and of presentation mode. */
static void test_diagrams(void) {
    static const int px[] = {18, 22};
    for (int p = 0; p < 2; p++) {
        VizFonts f;
        if (!fonts(&f, px[p])) return;
        const int room = (1280 - 48) / 3;
        for (int i = 0; i < model_block_count(); i++) {
            const ModelBlock *b = model_block_at(i);
            for (int s = 0; s < 2; s++) {
                EngGraph *g = model_block_build(b, s, &b->defaults);
                CHECK(g != NULL);
                if (!g) continue;
                int need = viz_diagram_width(&f, g);
                CHECK(need > 0);
                if (p == 0 && need > room)
                    fprintf(stderr, "  %s side %c needs %d px, the screen gives %d\n", b->name, "AB"[s], need, room);
                if (p == 0) CHECK(need <= room);
                eng_graph_destroy(g);
            }
        }
        viz_fonts_unload(&f);
    }
}

/* Grids of a layer with C channels in the maps area of a window: tiles at
 * least viz_fmap_min_tile, inside the area, every channel on some page, the
 * hit test naming the channel drawn at each tile's centre. */
static void check_grid(const VizFonts *f, const EngGraph *g, int id, SDL_Rect area) {
    const EngNode *nd = eng_graph_node(g, id);
    const int C = nd->out.C, gap = VIZ_FMAP_GAP;
    VizFmapGeom m = viz_fmap_geom(f, g, id, area);
    CHECK(m.tile >= viz_fmap_min_tile(f));
    CHECK(m.per >= 1 && m.cols >= 1);
    CHECK(m.cols * (m.tile + gap) - gap <= m.grid.w);
    const int rows = (m.per + m.cols - 1) / m.cols;
    CHECK(rows * (m.tile + gap) - gap <= m.grid.h);
    CHECK_EQ_I64(m.pages, (C + m.per - 1) / m.per);
    CHECK(m.pages == 1 || m.per < C);
    for (int page = 0; page < m.pages; page += m.pages > 1 ? m.pages - 1 : 1) {
        for (int k = 0; k < m.per && page * m.per + k < C; k++) {
            int x = m.grid.x + (k % m.cols) * (m.tile + gap) + m.tile / 2;
            int y = m.grid.y + (k / m.cols) * (m.tile + gap) + m.tile / 2;
            int ch = -1, uy = -1, ux = -1;
            int hit = viz_fmap_hit(f, g, id, area, page, -1, x, y, &ch, &uy, &ux);
            CHECK(hit);
            if (hit && ch != page * m.per + k) {
                fprintf(stderr, "  %s: tile %d of page %d hits channel %d\n", nd->name, k, page, ch);
                CHECK(0);
                return;
            }
            CHECK(uy >= 0 && uy < nd->out.H && ux >= 0 && ux < nd->out.W);
        }
    }
    /* the gap between two tiles is no channel */
    int ch, uy, ux;
    if (m.cols > 1) CHECK(!viz_fmap_hit(f, g, id, area, 0, -1, m.grid.x + m.tile + gap / 2, m.grid.y + 2, &ch, &uy, &ux));
    /* nor the gap between two rows */
    if (m.per > m.cols) CHECK(!viz_fmap_hit(f, g, id, area, 0, -1, m.grid.x + 2, m.grid.y + m.tile + gap / 2, &ch, &uy, &ux));
    /* a tile's first pixel shows one of its first units, its last pixel one of its
     * last (square maps here; a pixel spans ceil(H / tile) units when the tile is
     * smaller than the map) */
    const int span = (nd->out.H + m.tile - 1) / m.tile;
    if (viz_fmap_hit(f, g, id, area, 0, -1, m.grid.x + m.tile - 1, m.grid.y + m.tile - 1, &ch, &uy, &ux))
        CHECK(ch == 0 && uy >= nd->out.H - span && ux >= nd->out.W - span && uy < nd->out.H && ux < nd->out.W);
    else
        CHECK(0);
    if (viz_fmap_hit(f, g, id, area, 0, -1, m.grid.x, m.grid.y, &ch, &uy, &ux))
        CHECK(ch == 0 && uy < span && ux < span);
    else
        CHECK(0);
}

static void test_grids(void) {
    VizFonts f;
    if (!fonts(&f, 18)) return;
    const ModelCard *card = model_find("vgg11");
    EngGraph *g = card ? model_build(card, 0, 0, 0) : NULL;
    CHECK(g != NULL);
    if (g) {
        /* the maps area of 1024x640, 1280x800 and 1920x1080 windows */
        static const SDL_Rect areas[] = {{288, 72, 720, 520}, {352, 72, 912, 690}, {512, 90, 1392, 940}};
        int conv4 = eng_graph_find(g, "conv4_2"), conv1 = eng_graph_find(g, "conv1_1");
        CHECK(conv4 >= 0 && conv1 >= 0);
        for (int a = 0; a < 3 && conv4 >= 0 && conv1 >= 0; a++) {
            check_grid(&f, g, conv4, areas[a]); /* 512 channels: pages */
            check_grid(&f, g, conv1, areas[a]); /* 64 */
        }
        /* 512 maps of 28x28 do not fit on one page of a 1280x800 window at a legible size */
        if (conv4 >= 0) CHECK(viz_fmap_pages(&f, g, conv4, areas[1]) > 1);
        if (conv1 >= 0) CHECK_EQ_I64(viz_fmap_pages(&f, g, conv1, areas[1]), 1);
        eng_graph_destroy(g);
    }
    viz_fonts_unload(&f);
}

/* The layer strip's arrows: a click on ">" gives a layer past the last box
 * shown, on "<" one before the first; both ends reached by clicking. */
static void test_strip_arrows(void) {
    VizFonts f;
    if (!fonts(&f, 18)) return;
    const ModelCard *card = model_find("vgg11");
    EngGraph *g = card ? model_build(card, 0, 0, 0) : NULL;
    CHECK(g != NULL);
    if (g) {
        const int n = eng_graph_node_count(g);
        const SDL_Rect area = {30, 16, 1218, 48}; /* a 1280-wide window's strip */
        int cur = 0, clicks = 0, last_box = -1, arrow = -1, x = area.x + area.w + 16;
        /* from the right: the ">" arrow, then the last box shown */
        for (; x > area.x && arrow < 0; x--) arrow = viz_layer_strip_hit(&f, g, 0, area, x, area.y + area.h / 2);
        for (; x > area.x && (last_box < 0 || last_box == arrow); x--)
            last_box = viz_layer_strip_hit(&f, g, 0, area, x, area.y + area.h / 2);
        CHECK(last_box > 0 && last_box < n - 1); /* vgg11's layers do not all fit */
        int arrow_w = 0; /* the arrow is a narrow target, not a box */
        for (int xa = area.x; xa < area.x + area.w + 16; xa++)
            arrow_w += viz_layer_strip_hit(&f, g, 0, area, xa, area.y + area.h / 2) == arrow;
        CHECK(arrow_w > 0 && arrow_w <= 20);
        /* ">" just outside the strip's right end leads to the layer after the last box */
        CHECK_SAY(arrow == last_box + 1 && viz_layer_strip_hit(&f, g, 0, area, area.x + area.w + 8, area.y + 20) == arrow,
                  "  right of the strip: %d, last box %d\n", arrow, last_box);
        /* ">" is what lies furthest right: clicked, it goes past the last box */
        while (cur < n - 1 && clicks < n) {
            int to = -1;
            for (int x = area.x + area.w + 16; x > area.x && to < 0; x--)
                to = viz_layer_strip_hit(&f, g, cur, area, x, area.y + area.h / 2);
            if (to <= cur) break;
            CHECK_SAY(clicks > 0 || to == last_box + 1, "  first > click: %d, last box %d\n", to, last_box);
            cur = to, clicks++;
        }
        CHECK(cur == n - 1 && clicks > 1); /* the last layer reached by clicking the right end */
        CHECK(viz_layer_strip_hit(&f, g, cur, area, area.x - 8, area.y + area.h / 2) >= 0); /* "<" */
        CHECK(viz_layer_strip_hit(&f, g, 0, area, area.x - 8, area.y + area.h / 2) == -1); /* nothing left of 0 */
        eng_graph_destroy(g);
    }
    viz_fonts_unload(&f);
}

/* Pixels of one colour in a surface (RGBA32): their bounding box, or w = 0. */
static SDL_Rect colour_box(const SDL_Surface *s, Uint8 r, Uint8 g, Uint8 b) {
    int x0 = s->w, y0 = s->h, x1 = -1, y1 = -1;
    for (int y = 0; y < s->h; y++)
        for (int x = 0; x < s->w; x++) {
            const Uint8 *p = (const Uint8 *)s->pixels + (size_t)y * s->pitch + 4 * (size_t)x;
            if (p[0] == r && p[1] == g && p[2] == b) {
                x0 = x < x0 ? x : x0, y0 = y < y0 ? y : y0;
                x1 = x > x1 ? x : x1, y1 = y > y1 ? y : y1;
            }
        }
    return x1 < 0 ? (SDL_Rect){0, 0, 0, 0} : (SDL_Rect){x0, y0, x1 - x0 + 1, y1 - y0 + 1};
}

/* LeNet-5's C3 (Distill's recurrence by hand: C1 5x5 -> 5; S2 2x2/2 -> 6,
 * stride 2; C3 5x5 -> 6 + 4 * 2 = 14, stride 2, no padding): the box of
 * unit (y, x) covers input rows 2y .. 2y + 13 and columns 2x .. 2x + 13,
 * drawn where the input picture maps those pixels, on a black input. */
static void test_rf_box(void) {
    VizFonts f;
    if (!fonts(&f, 18)) return;
    EngGraph *g = model_build(model_find("lenet5"), 0, 0, 0);
    CHECK(g != NULL);
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, 400, 420, 32, SDL_PIXELFORMAT_RGBA32);
    SDL_Renderer *r = s ? SDL_CreateSoftwareRenderer(s) : NULL;
    CHECK(r != NULL);
    if (g && r && eng_graph_alloc_params(g) == 0 && eng_graph_plan(g, 1) == 0) {
        float *x = eng_graph_input_buffer(g, 0);
        for (int i = 0; i < 32 * 32; i++) x[i] = 0.0f;
        CHECK(eng_graph_forward(g) == 0);
        const EngNode *c3 = eng_graph_node(g, eng_graph_find(g, "c3"));
        CHECK(c3->rf.finite && c3->rf.size == 14 && c3->rf.stride == 2 && c3->rf.pad == 0);
        const SDL_Rect area = {10, 10, 320, 380};
        const SDL_Rect dst = viz_input_rect(&f, g, area);
        CHECK(dst.w == 320 && dst.h == 320); /* square input, as wide as the area */
        static const int units[][2] = {{4, 4}, {0, 0}, {9, 9}, {2, 7}};
        for (int k = 0; k < 4; k++) {
            const int uy = units[k][0], ux = units[k][1];
            SDL_SetRenderDrawColor(r, 0, 0, 0, 255);
            SDL_RenderClear(r);
            viz_draw_input(r, &f, g, area, NULL, c3->rf, uy, ux);
            SDL_RenderPresent(r);
            SDL_Rect box = colour_box(s, 90, 200, 255);
            /* 10 screen pixels per input pixel */
            SDL_Rect want = {dst.x + 2 * ux * 10, dst.y + 2 * uy * 10, 14 * 10, 14 * 10};
            if (box.x != want.x || box.y != want.y || box.w != want.w || box.h != want.h) {
                fprintf(stderr, "  c3 unit (%d, %d): box at %d,%d %dx%d, want %d,%d %dx%d\n", uy, ux,
                        box.x, box.y, box.w, box.h, want.x, want.y, want.w, want.h);
                CHECK(0);
            }
        }
        /* no unit: no box */
        SDL_SetRenderDrawColor(r, 0, 0, 0, 255);
        SDL_RenderClear(r);
        viz_draw_input(r, &f, g, area, NULL, c3->rf, -1, -1);
        SDL_RenderPresent(r);
        CHECK(colour_box(s, 90, 200, 255).w == 0);
    }
    if (r) {
        viz_forget_renderer(r);
        SDL_DestroyRenderer(r);
    }
    if (s) SDL_FreeSurface(s);
    eng_graph_destroy(g);
    viz_fonts_unload(&f);
}


/* The longest vertical run of one colour in a surface (RGBA32). */
static int longest_column_run(const SDL_Surface *s, Uint8 r, Uint8 g, Uint8 b) {
    int best = 0;
    for (int x = 0; x < s->w; x++)
        for (int y = 0, run = 0; y < s->h; y++) {
            const Uint8 *p = (const Uint8 *)s->pixels + (size_t)y * s->pitch + 4 * (size_t)x;
            run = (p[0] == r && p[1] == g && p[2] == b) ? run + 1 : 0;
            if (run > best) best = run;
        }
    return best;
}

/* ResNet's blocks on the compare screen as the paper draws them: the
 * branch's output and the block's input meet in an add, a ReLU after it,
 * and the diagram draws the shortcut in its lane from the input down to the
 * add (a long vertical run of the accent colour, which a plain stack lacks). */
static void test_residual_diagram(void) {
    VizFonts f;
    if (!fonts(&f, 18)) return;
    const ModelBlock *b = model_block_find("resnet-basic-vs-bottleneck"), *plain = model_block_find("stack3x3-vs-7x7");
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, 420, 640, 32, SDL_PIXELFORMAT_RGBA32);
    SDL_Renderer *r = s ? SDL_CreateSoftwareRenderer(s) : NULL;
    CHECK(b && plain && r);
    const SDL_Color accent = {250, 10, 200, 255};
    for (int side = 0; b && plain && r && side < 3; side++) {
        EngGraph *g = side < 2 ? model_block_build(b, side, &b->defaults) : model_block_build(plain, 0, &plain->defaults);
        CHECK(g != NULL);
        if (!g) continue;
        int add = eng_graph_find(g, "add"), in = eng_graph_find(g, "input"), out = eng_graph_output(g);
        if (side < 2) {
            CHECK_SAY(add >= 0, "  side %c has no add\n", "AB"[side]);
            const EngNode *a = add >= 0 ? eng_graph_node(g, add) : NULL;
            CHECK(a && a->n_inputs == 2 && (a->inputs[0] == in || a->inputs[1] == in));
            const EngNode *o = eng_graph_node(g, out);
            CHECK(o->op == ENG_OP_RELU && o->n_inputs == 1 && o->inputs[0] == add);
        }
        SDL_SetRenderDrawColor(r, 0, 0, 0, 255);
        SDL_RenderClear(r);
        viz_draw_diagram(r, &f, g, (SDL_Rect){10, 10, 400, 620}, accent);
        SDL_RenderPresent(r);
        const int run = longest_column_run(s, accent.r, accent.g, accent.b);
        CHECK_SAY(side < 2 ? run > 300 : run < 120, "  side %d: accent run %d px\n", side, run);
        eng_graph_destroy(g);
    }
    if (r) {
        viz_forget_renderer(r);
        SDL_DestroyRenderer(r);
    }
    if (s) SDL_FreeSurface(s);
    viz_fonts_unload(&f);
}

/* The colour bar every heat map carries: its ends in the map's colours at
 * the bar's ends, the room it says it takes no less than what it draws; the
 * input panel with an effective receptive field draws its bar under the
 * picture (the heat's full colour there), and none without one. */
static void test_colour_bars(void) {
    VizFonts f;
    if (!fonts(&f, 18)) return;
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, 400, 520, 32, SDL_PIXELFORMAT_RGBA32);
    SDL_Renderer *r = s ? SDL_CreateSoftwareRenderer(s) : NULL;
    CHECK(r != NULL);
    if (!r) return;
    const SDL_Rect bar = {20, 20, 300, 10};
    SDL_SetRenderDrawColor(r, 0, 0, 0, 255);
    SDL_RenderClear(r);
    const int used = viz_colour_bar(r, &f, bar, -2.0f, 5.0f, VIZ_BAR_VIRIDIS, "units of something");
    SDL_RenderPresent(r);
    CHECK(used == viz_colour_bar(NULL, &f, bar, -2.0f, 5.0f, VIZ_BAR_VIRIDIS, "units of something"));
    CHECK(used >= bar.h + 2 * f.small_line);
    const SDL_Color c0 = viz_colormap(0.0f), c1 = viz_colormap(1.0f);
    const Uint8 *p0 = (const Uint8 *)s->pixels + (size_t)(bar.y + 5) * s->pitch + 4 * (size_t)bar.x;
    const Uint8 *p1 = (const Uint8 *)s->pixels + (size_t)(bar.y + 5) * s->pitch + 4 * (size_t)(bar.x + bar.w - 1);
    CHECK(p0[0] == c0.r && p0[1] == c0.g && p0[2] == c0.b);
    CHECK(p1[0] == c1.r && p1[1] == c1.g && p1[2] == c1.b);
    /* text under the bar (the numbers and units): something not black there */
    int lit = 0;
    for (int y = bar.y + bar.h + 5; y < bar.y + used; y++)
        for (int x = bar.x; x < bar.x + bar.w; x++)
            lit += ((const Uint8 *)s->pixels)[(size_t)y * s->pitch + 4 * (size_t)x] > 60;
    CHECK(lit > 50);

    EngGraph *g = model_build(model_find("lenet5"), 0, 0, 0);
    if (g && eng_graph_alloc_params(g) == 0 && eng_graph_plan(g, 1) == 0) {
        float *x = eng_graph_input_buffer(g, 0), erf[32 * 32];
        for (int i = 0; i < 32 * 32; i++) x[i] = 0.0f, erf[i] = (float)(i % 32);
        CHECK(eng_graph_forward(g) == 0);
        const SDL_Rect area = {10, 10, 300, 300 + f.small_line + 4 + viz_erf_bar_room(&f, 300)};
        const SDL_Rect dst = viz_input_rect(&f, g, area);
        const EngRf none = {0};
        for (int with = 0; with < 2; with++) {
            SDL_SetRenderDrawColor(r, 0, 0, 0, 255);
            SDL_RenderClear(r);
            viz_draw_input(r, &f, g, area, with ? erf : NULL, none, -1, -1);
            SDL_RenderPresent(r);
            /* the bar's right end: the heat at full strength over black */
            const Uint8 *q = (const Uint8 *)s->pixels + (size_t)(dst.y + dst.h + 15) * s->pitch +
                             4 * (size_t)(dst.x + 1 + (dst.w - 2 < 360 ? dst.w - 2 : 360) - 1);
            const int hot = q[0] > 180 && q[1] > 150 && q[2] < 60;
            CHECK_SAY(hot == with, "  ERF bar %s: pixel %d,%d,%d\n", with ? "missing" : "drawn without an ERF", q[0],
                      q[1], q[2]);
        }
    }
    eng_graph_destroy(g);
    viz_forget_renderer(r);
    SDL_DestroyRenderer(r);
    SDL_FreeSurface(s);
    viz_fonts_unload(&f);
}

/* The progress box drawn over the last frame while the worker computes: it
 * stays inside its area, leaves the picture around it alone, and its bar
 * fills in proportion to done of total. */
static void test_progress_box(void) {
    VizFonts f;
    if (!fonts(&f, 18)) return;
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, 800, 500, 32, SDL_PIXELFORMAT_RGBA32);
    SDL_Renderer *r = s ? SDL_CreateSoftwareRenderer(s) : NULL;
    CHECK(r != NULL);
    if (!r) return;
    const SDL_Rect area = {100, 50, 600, 400};
    int filled[3] = {0}, bar_y = -1;
    static const int done[3] = {0, 50, 100};
    for (int k = 0; k < 3; k++) {
        SDL_SetRenderDrawColor(r, 10, 200, 10, 255); /* "the last frame" */
        SDL_RenderClear(r);
        viz_progress_box(r, &f, area, "computing the projection to pixels …", done[k], 100, 1.5, "Esc to cancel");
        SDL_RenderPresent(r);
        SDL_Rect box = colour_box(s, 30, 33, 40);
        CHECK(box.w > 200 && box.x >= area.x && box.y >= area.y && box.x + box.w <= area.x + area.w &&
              box.y + box.h <= area.y + area.h);
        const Uint8 *corner = (const Uint8 *)s->pixels; /* outside the box: the frame untouched */
        CHECK(corner[0] == 10 && corner[1] == 200 && corner[2] == 10);
        /* the bar's row: accent pixels inside the box's frame */
        const SDL_Rect bar = colour_box(s, 60, 64, 76); /* the track, all of it at 0 of 100 */
        if (k == 0) {
            CHECK(bar.w > 100);
            bar_y = bar.y + bar.h / 2;
        }
        for (int x = box.x + 1; bar_y >= 0 && x < box.x + box.w - 1; x++) {
            const Uint8 *p = (const Uint8 *)s->pixels + (size_t)bar_y * s->pitch + 4 * (size_t)x;
            filled[k] += p[0] == 255 && p[1] == 196 && p[2] == 84;
        }
        if (k == 2) CHECK(bar.w == 0); /* all filled: no track left */
    }
    CHECK_SAY(filled[0] == 0 && filled[1] > 0 && filled[2] > filled[1] && abs(filled[2] - 2 * filled[1]) <= 2,
              "  progress bar fills %d, %d, %d\n", filled[0], filled[1], filled[2]);
    viz_forget_renderer(r);
    SDL_DestroyRenderer(r);
    SDL_FreeSurface(s);
    viz_fonts_unload(&f);
}

/* The evolution's change: ||a - b|| / ||b|| in percent (3-4-0 against
 * 0-0-5: sqrt(9 + 16 + 25) / 5), and the difference mode draws something
 * else than the filters themselves. */
static void test_evolution_change(void) {
    const float a[3] = {3, 4, 0}, b[3] = {0, 0, 5}, z[3] = {0, 0, 0};
    CHECK(fabs(viz_rel_change_pct(a, b, 3) - 100.0 * sqrt(50.0) / 5.0) < 1e-9);
    CHECK(viz_rel_change_pct(a, a, 3) == 0.0 && viz_rel_change_pct(a, z, 3) == 0.0);
    VizFonts f;
    if (!fonts(&f, 18)) return;
    EngGraph *g = model_build(model_find("lenet5"), 0, 0, 0);
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, 700, 400, 32, SDL_PIXELFORMAT_RGBA32);
    SDL_Renderer *r = s ? SDL_CreateSoftwareRenderer(s) : NULL;
    CHECK(g && r);
    const int id = g ? eng_graph_find(g, "c1") : -1;
    if (g && r && id >= 0 && eng_graph_alloc_params(g) == 0) {
        const EngParam *w = &eng_graph_node(g, id)->params[0];
        float *s0 = malloc(w->n * sizeof *s0), *s1 = malloc(w->n * sizeof *s1);
        CHECK(s0 && s1);
        for (size_t i = 0; s0 && s1 && i < w->n; i++) /* the second: the first plus a ramp */
            s0[i] = (float)((i * 7) % 11) - 5.0f, s1[i] = s0[i] + 0.5f * (float)(i % 25) / 25.0f;
        const float *snaps[2] = {s0, s1};
        const char *labels[2] = {"init", "later"};
        Uint32 sum[2] = {0, 0};
        for (int d = 0; s0 && s1 && d < 2; d++) {
            SDL_SetRenderDrawColor(r, 0, 0, 0, 255);
            SDL_RenderClear(r);
            viz_draw_evolution(r, &f, g, id, (SDL_Rect){0, 0, 700, 400}, snaps, labels, 2, d);
            SDL_RenderPresent(r);
            for (int y = 0; y < s->h; y++)
                for (int x = 0; x < s->w; x++)
                    sum[d] = sum[d] * 31u + ((const Uint8 *)s->pixels)[(size_t)y * s->pitch + 4 * (size_t)x];
        }
        CHECK(sum[0] != sum[1]);
        free(s0);
        free(s1);
    }
    if (r) {
        viz_forget_renderer(r);
        SDL_DestroyRenderer(r);
    }
    if (s) SDL_FreeSurface(s);
    eng_graph_destroy(g);
    viz_fonts_unload(&f);
}

/* The 3D view draws the graph's joins: ResNet's shortcuts as arcs in the
 * add colour, DenseNet's concatenations in the concat colour, and a plain
 * chain (LeNet-5) neither; its key names only the joins the graph has. */
static int colour_count(const SDL_Surface *s, Uint8 r, Uint8 g, Uint8 b) {
    int n = 0;
    for (int y = 0; y < s->h; y++)
        for (int x = 0; x < s->w; x++) {
            const Uint8 *p = (const Uint8 *)s->pixels + (size_t)y * s->pitch + 4 * (size_t)x;
            n += p[0] == r && p[1] == g && p[2] == b;
        }
    return n;
}

static void test_3d_joins(void) {
    VizFonts f;
    if (!fonts(&f, 18)) return;
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, 900, 600, 32, SDL_PIXELFORMAT_RGBA32);
    SDL_Renderer *r = s ? SDL_CreateSoftwareRenderer(s) : NULL;
    CHECK(r != NULL);
    static const struct { const char *model; int add, cat; } nets[] = {
        {"resnet_mini", 1, 0}, {"densenet_mini", 0, 1}, {"lenet5", 0, 0}};
    for (int k = 0; r && k < 3; k++) {
        EngGraph *g = model_build(model_find(nets[k].model), 0, 0, 0);
        CHECK(g != NULL);
        if (!g) continue;
        SDL_SetRenderDrawColor(r, 0, 0, 0, 255);
        SDL_RenderClear(r);
        const Viz3dCamera cam = {1.1f, 0.3f, 14.0f, viz_3d_node_z(g, eng_graph_node_count(g) / 3)};
        viz_draw_3d(r, &f, g, -1, (SDL_Rect){0, 0, 900, 600}, &cam);
        SDL_RenderPresent(r);
        const int add = colour_count(s, 240, 110, 200), cat = colour_count(s, 90, 210, 210);
        CHECK_SAY((add > 40) == nets[k].add && (cat > 40) == nets[k].cat, "  3D %s: %d add, %d concat pixels\n",
                  nets[k].model, add, cat);
        eng_graph_destroy(g);
    }
    if (r) {
        viz_forget_renderer(r);
        SDL_DestroyRenderer(r);
    }
    if (s) SDL_FreeSurface(s);
    viz_fonts_unload(&f);
}

static int inside(SDL_Rect a, int w, int h) { return a.x >= 0 && a.y >= 0 && a.x + a.w <= w && a.y + a.h <= h; }

/* The compare screen of every block: the chips, sliders, the two diagrams
 * and the table between them inside the window, left to right, apart. */
static void test_compare_layout(void) {
    static const int sizes[][2] = {{1280, 800}, {1024, 768}};
    VizFonts f;
    if (!fonts(&f, 18)) return;
    for (int i = 0; i < model_block_count(); i++) {
        const ModelBlock *b = model_block_at(i);
        VizCompare c = {.n_blocks = model_block_count(), .block = i, .explain = b->explain,
                        .claim = b->claim, .name = {b->a_name, b->b_name}, .error = "", .note = ""};
        for (int k = 0; k < c.n_blocks; k++) c.blocks[k] = model_block_at(k)->name;
        EngGraph *g[2] = {model_block_build(b, 0, &b->defaults), model_block_build(b, 1, &b->defaults)};
        CHECK(g[0] && g[1]);
        for (int s = 0; s < 2 && g[s]; s++) {
            c.g[s] = g[s];
            c.t[s] = eng_graph_totals(g[s]);
            c.ops[s] = eng_graph_ops(g[s], c.count);
        }
        for (int z = 0; z < 2; z++) {
            const int w = sizes[z][0], h = sizes[z][1];
            const VizCompareLayout L = viz_compare_layout(&c, &f, w, h);
            CHECK(L.n_blocks == c.n_blocks);
            for (int k = 0; k < L.n_blocks; k++) CHECK(inside(L.blocks[k], w, h));
            for (int k = 0; k < VIZ_CMP_SLIDERS; k++) CHECK(inside(L.slider[k], w, h));
            CHECK(L.explain_y < L.sliders_y && L.sliders_y < L.chips_y && L.chips_y < L.table.y);
            CHECK(inside(L.diag[0], w, h) && inside(L.table, w, h) && inside(L.diag[1], w, h));
            CHECK(L.diag[0].x + L.diag[0].w < L.table.x && L.table.x + L.table.w < L.diag[1].x);
            CHECK(L.val_w > 0 && L.ratio_w > 0 && 2 * L.val_w + L.ratio_w < L.table.w);
        }
        eng_graph_destroy(g[0]);
        eng_graph_destroy(g[1]);
    }
    viz_fonts_unload(&f);
}

/* The zoo's table shows whole rows above its scroll note; the chart and its
 * axis chips inside the window; every zoo network's timeline chip too. */
static void test_zoo_layout(void) {
    VizFonts f;
    if (!fonts(&f, 18)) return;
    const VizZooLayout L = viz_zoo_layout(&f, 1280, 800);
    const int rows = viz_zoo_rows(&f, &L, 200), all = viz_zoo_rows(&f, &L, 3);
    CHECK(rows > 10 && all > rows && all <= rows + 2); /* the scroll note takes a row or two */
    CHECK(L.table.y + f.small_line + 6 + rows * (f.small_line + 3) <= L.table.y + L.table.h - f.small_line + 2);
    CHECK(inside(L.table, 1280, 800) && inside(L.chart, 1280, 800));
    CHECK(inside(L.axis[0], 1280, 800) && L.axis[0].x + L.axis[0].w < L.axis[1].x);
    CHECK(L.table.x + L.table.w < L.chart.x);
    const ModelCard *cards[128];
    int group[128], n = 0;
    for (int i = 0; i < model_count() && n < 128; i++)
        if (!model_at(i)->imported) group[n] = 0, cards[n++] = model_at(i);
    const VizTimeline t = {cards, group, n, 0, 0, 0, 0, NULL, {0, 0, 0, 0, 0}, NULL};
    for (int i = 0; i < n; i++) {
        SDL_Rect a = viz_timeline_chip(&f, &t, 1280, i);
        CHECK(inside(a, 1280, 800) && a.w > 0);
        for (int j = 0; j < i; j++) {
            SDL_Rect o = viz_timeline_chip(&f, &t, 1280, j);
            CHECK(!SDL_HasIntersection(&a, &o));
        }
        /* on a 1024-wide projector every chip holds its name (without a
         * parenthesised suffix where the whole one does not fit) */
        SDL_Rect b = viz_timeline_chip(&f, &t, 1024, i);
        int tw = 0, th = 0;
        char buf[64];
        const char *label = viz_timeline_label(&f, cards[i]->display, b, buf, sizeof buf);
        CHECK(viz_text_size(f.small, label, &tw, &th) == 0);
        if (tw > b.w - 11) fprintf(stderr, "  timeline: '%s' is %d px in a %d px chip\n", label, tw, b.w);
        CHECK(tw <= b.w - 11);
    }
    viz_fonts_unload(&f);
}

/* The basics screen at a projector's, a laptop's and a full-HD window's
 * size, with the window's type and presentation mode's: its five panels
 * inside the window and apart, the kernel's grid inside its panel with
 * cells wide enough for their numbers at every kernel size, and the
 * longest lines each panel writes inside it. */
static int apart(SDL_Rect a, SDL_Rect b) { return !SDL_HasIntersection(&a, &b); }

static int text_w(TTF_Font *font, const char *s) {
    int tw = 0, th = 0;
    CHECK(viz_text_size(font, s, &tw, &th) == 0);
    return tw;
}

static void test_basics_layout(void) {
    static const int sizes[][2] = {{1024, 768}, {1280, 720}, {1920, 1080}};
    for (int z = 0; z < 3; z++)
        for (int present = 0; present < 2; present++) {
            const int w = sizes[z][0], h = sizes[z][1];
            int px = h * 18 / 800; /* gui_font_px */
            if (present) px = px * 5 / 4;
            px = px < 14 ? 14 : px;
            VizFonts f;
            if (!fonts(&f, px)) return;
            for (int K = 1; K <= VIZ_BASICS_KMAX; K++) {
                const VizBasicsLayout L = viz_basics_layout(&f, K, w, h);
                const SDL_Rect p[5] = {L.input, L.kernel, L.output, L.formula, L.mix};
                for (int i = 0; i < 5; i++) {
                    CHECK(inside(p[i], w, h) && p[i].w > 0 && p[i].h > 0);
                    CHECK(p[i].y + p[i].h <= L.help_y);
                    for (int j = 0; j < i; j++) CHECK(apart(p[i], p[j]));
                }
                CHECK(SDL_HasIntersection(&L.grid, &L.kernel));
                SDL_Rect both;
                CHECK(SDL_IntersectRect(&L.grid, &L.kernel, &both) && SDL_RectEquals(&both, &L.grid));
                const int cell = L.grid.w / K;
                /* the widest number a cell shows, "-0.333", in the small type at least */
                CHECK(cell - 2 >= text_w(f.small, "-0.33"));
                /* the hit test: each cell's centre is that cell */
                for (int c = 0; c < K * K; c++)
                    CHECK(viz_basics_cell(&L, K, L.grid.x + (c % K) * cell + cell / 2,
                                          L.grid.y + (c / K) * cell + cell / 2) == c);
                CHECK(viz_basics_cell(&L, K, L.grid.x - 1, L.grid.y) == -1);
            }
            const VizBasicsLayout L = viz_basics_layout(&f, 3, w, h);
            /* the longest lines, at settings at the screen's limits (input 64, pad 16,
             * stride 8, dilation 8): in the monospaced type, or the small one where
             * presentation mode's is too wide */
            static const char *const formula[] = {"    = floor((64 - 33 + 2*16) / 8) + 1 = 8",
                                                  "       = 5 x 5 x 3 x 16 + 16 = 1216"};
            static const char *const mix[] = {"out0 = 0.3*0.6 + 0.59*0.4 + 0.11*1",
                                              "pixel (2, 3): R 0.6  G 0.4  B 1"};
            for (int i = 0; i < 2; i++) {
                CHECK(text_w(f.mono, formula[i]) <= L.formula.w - 24 || text_w(f.small, formula[i]) <= L.formula.w - 24);
                CHECK(text_w(f.mono, mix[i]) <= L.mix.w - 24 || text_w(f.small, mix[i]) <= L.mix.w - 24);
                if (!present) CHECK(text_w(f.mono, formula[i]) <= L.formula.w - 24 && text_w(f.mono, mix[i]) <= L.mix.w - 24);
            }
            CHECK(text_w(f.small, "orange: the window of output (47, 47)") <= L.input.w - 16);
            CHECK(text_w(f.small, "stride 8, dilation 8 (K_eff 33)") <= L.kernel.w - 16);
            CHECK(text_w(f.sans, "output 96x96") <= L.output.w - 16);
            CHECK(text_w(f.small, "engine's conv: (47, 47) = -0.1234") <= L.output.w - 16);
            viz_fonts_unload(&f);
        }
}

/* Filters in groups (AlexNet's two GPUs) get one block each, stacked; one
 * group, or more than fit, the whole grid. */
static void test_filter_groups(void) {
    SDL_Rect grid = {10, 20, 800, 400}, out[VIZ_FILTER_GROUPS_MAX];
    CHECK(viz_filter_group_rects(grid, 1, 16, out) == 1);
    CHECK(out[0].x == 10 && out[0].y == 20 && out[0].w == 800 && out[0].h == 400);
    CHECK(viz_filter_group_rects(grid, 2, 16, out) == 2);
    CHECK(out[0].y == 20 + 16 && out[1].y == 20 + 200 + 16);
    CHECK(out[0].y + out[0].h <= out[1].y - 16 && out[1].y + out[1].h <= grid.y + grid.h);
    CHECK(out[0].w == 800 && out[1].w == 800 && out[0].h > 0);
    CHECK(viz_filter_group_rects(grid, 32, 16, out) == 1); /* ResNeXt's 32: one block */
    CHECK(viz_filter_group_rects((SDL_Rect){0, 0, 100, 20}, 2, 16, out) == 1); /* no room */
}

/* name as a whole word of label ("P" in "N / P", not in "PgUp") */
static int names_key(const char *label, const char *name) {
    const size_t n = strlen(name);
    for (const char *p = strstr(label, name); p; p = strstr(p + 1, name)) {
        const int before = p == label || p[-1] == ' ' || p[-1] == '+', /* Shift+D */ after = p[n] == 0 || p[n] == ' ';
        if (before && after) return 1;
    }
    return 0;
}

/* Keys that mean something else on one screen, each named in that screen's
 * help: the basics screen's letters are its formula's, the stepper's 3 is
 * the 3D view, a selected basics cell takes typed digits. */
static int key_exception(GuiKeyAct a, GuiKeyAct b) {
    static const GuiKeyAct own[] = {KEY_KERNEL, KEY_STRIDE, KEY_PAD, KEY_DILATION, KEY_SIDE, KEY_3D, KEY_TYPE};
    for (int i = 0; i < (int)(sizeof own / sizeof own[0]); i++)
        if (a == own[i] || b == own[i]) return 1;
    return 0;
}

/* One screen's tables against its help and its lookup. */
static void check_key_screen(GuiKeysId id) {
    const GuiKeyScreen *s = gui_keys(id);
    GuiHelpLine lines[160];
    static int line_of[GUI_KEYS_TABLES * 128];
    for (int i = 0; i < GUI_KEYS_TABLES * 128; i++) line_of[i] = -1;
    const int n = gui_keys_help(id, lines, 160, line_of);
    CHECK(s && s->n >= 2 && n > 4 && n < 160);
    /* the screen's own keys first, under their heading; the last table is every screen's */
    CHECK(!lines[0].keys && lines[1].keys && s->t[0].k != s->t[s->n - 1].k);
    CHECK(gui_key_act(id, SDLK_q, 0, NULL) == KEY_QUIT && gui_key_act(id, SDLK_q, KMOD_CTRL, NULL) == KEY_QUIT);
    CHECK(gui_key_act(id, SDLK_ESCAPE, 0, NULL) == KEY_BACK);
    int q_listed = 0;
    for (int i = 0; i < n; i++) q_listed |= lines[i].keys && names_key(lines[i].keys, "Q") && strstr(lines[i].what, "quit");
    CHECK(q_listed);
    char name[32];
    for (int t = 0; t < s->n; t++)
        for (int j = 0; j < s->t[t].n; j++) {
            const GuiKey *g = &s->t[t].k[j];
            CHECK(j > 0 || g->keys); /* an entry without a label shares the line above */
            if (!g->lo) continue;
            const int l = line_of[t * 128 + j];
            CHECK(l >= 0 && l < n && lines[l].keys && lines[l].what && lines[l].what[0]);
            if (l < 0 || l >= n || !lines[l].keys) continue;
            /* both ends of a range, or the key itself, named on its line */
            const SDL_Keycode ends[2] = {g->lo, g->hi ? g->hi : g->lo};
            for (int e = 0; e < 2; e++)
                CHECK_SAY(names_key(lines[l].keys, gui_key_name(ends[e], name, sizeof name)), "  %s: key %s not named in the help line '%s'\n", s->name, name, lines[l].keys);
            /* never twice in one table */
            for (int k = 0; k < j; k++) {
                const GuiKey *o = &s->t[t].k[k];
                const int overlap = o->lo && o->mod == g->mod && ends[0] <= (o->hi ? o->hi : o->lo) && o->lo <= ends[1];
                CHECK_SAY(!overlap, "  %s: %s twice in table '%s'\n", s->name, name, s->t[t].title);
            }
            /* every screen's keys are never taken by a screen's own */
            if (t == s->n - 1)
                CHECK_SAY(gui_key_act(id, g->lo, g->mod, NULL) == g->act, "  %s: %s does not do what it does everywhere\n", s->name, name);
        }
}

static void test_key_tables(void) {
    char name[32];
    for (int id = 0; id < KEYS_SCREENS; id++) check_key_screen((GuiKeysId)id);
    /* the same key, the same action on every screen that has it */
    for (int a = 0; a < KEYS_SCREENS; a++)
        for (int t = 0; t < gui_keys((GuiKeysId)a)->n; t++) {
            const GuiKeyTable *tb = &gui_keys((GuiKeysId)a)->t[t];
            for (int j = 0; j < tb->n; j++)
                for (SDL_Keycode k = tb->k[j].lo; tb->k[j].lo && k <= (tb->k[j].hi ? tb->k[j].hi : tb->k[j].lo); k++)
                    for (int b = 0; b < KEYS_SCREENS; b++) {
                        const GuiKeyAct x = gui_key_act((GuiKeysId)a, k, tb->k[j].mod, NULL);
                        const GuiKeyAct y = gui_key_act((GuiKeysId)b, k, tb->k[j].mod, NULL);
                        if (x && y && x != y)
                            CHECK_SAY(key_exception(x, y), "  key %s: action %d on '%s', %d on '%s'\n",
                                      gui_key_name(k, name, sizeof name), (int)x, gui_keys((GuiKeysId)a)->name, (int)y,
                                      gui_keys((GuiKeysId)b)->name);
                    }
        }
    /* the keys the issue found changing meaning: M, B, N, A, O, T, D are the stepper's alone */
    static const SDL_Keycode moved[] = {SDLK_b, SDLK_n, SDLK_a, SDLK_o, SDLK_t};
    for (int i = 0; i < (int)(sizeof moved / sizeof moved[0]); i++) {
        CHECK(gui_key_act(KEYS_COMPARE, moved[i], 0, NULL) == KEY_NONE);
        CHECK(gui_key_act(KEYS_ZOO, moved[i], 0, NULL) == KEY_NONE);
    }
    CHECK(gui_key_act(KEYS_COMPARE, SDLK_m, 0, NULL) == KEY_TO_PICK && gui_key_act(KEYS_ZOO, SDLK_m, 0, NULL) == KEY_TO_PICK);
    /* Y opens the experiments from the stepper and the basics screen (V on the stepper
     * visualises a channel); there Enter reruns, 7 is occlusion */
    CHECK(gui_key_act(KEYS_STEPPER, SDLK_y, 0, NULL) == KEY_TO_EXPERIMENTS);
    CHECK(gui_key_act(KEYS_BASICS, SDLK_y, 0, NULL) == KEY_TO_EXPERIMENTS);
    CHECK(gui_key_act(KEYS_STEPPER, SDLK_v, 0, NULL) == KEY_VISUALIZE);
    int i7 = -1;
    CHECK(gui_key_act(KEYS_EXPERIMENTS, SDLK_RETURN, 0, NULL) == KEY_ENTER);
    CHECK(gui_key_act(KEYS_EXPERIMENTS, SDLK_7, 0, &i7) == KEY_ITEM && i7 == 6);
    CHECK(gui_key_act(KEYS_EXPERIMENTS, SDLK_ESCAPE, 0, NULL) == KEY_BACK);
    int i3;
    CHECK(gui_key_act(KEYS_RF, SDLK_3, 0, &i3) == KEY_ITEM && i3 == 2);
}

/* Any UTF-8 string: Hangul drawn and measured in the fallback face (the
 * width of a mixed string is the sum of its runs', the Hangul run's that of
 * Nanum Gothic itself); the layout audit counts an overlap, a string cut by
 * the window's edge and one cut by its clip rectangle, type under the
 * readable size, and a character no face has. */
static void test_text_audit(void) {
    VizFonts f;
    if (!fonts(&f, 18)) return;
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, 400, 300, 32, SDL_PIXELFORMAT_RGBA32);
    SDL_Renderer *r = s ? SDL_CreateSoftwareRenderer(s) : NULL;
    TTF_Font *nanum = TTF_OpenFont(VIZ_FONT_HANGUL, viz_font_px(f.sans));
    CHECK_SAY(r && nanum, "  no renderer or no %s (apt-get install fonts-nanum)\n", VIZ_FONT_HANGUL);
    if (!r || !nanum) {
        if (nanum) TTF_CloseFont(nanum);
        if (r) SDL_DestroyRenderer(r);
        if (s) SDL_FreeSurface(s);
        viz_fonts_unload(&f);
        return;
    }
    int wa = 0, wk = 0, wm = 0, wn = 0, th = 0;
    CHECK(viz_text_size(f.sans, "ab ", &wa, &th) == 0 && viz_text_size(f.sans, "한글", &wk, &th) == 0);
    CHECK(viz_text_size(f.sans, "ab 한글", &wm, &th) == 0 && TTF_SizeUTF8(nanum, "한글", &wn, &th) == 0);
    CHECK_SAY(wm == wa + wk && wk == wn && wk > 0, "  'ab 한글' %d px, 'ab ' %d + '한글' %d (Nanum: %d)\n", wm, wa, wk, wn);
    CHECK(viz_audit_min_px(600) == 12 && viz_audit_min_px(800) == 12 && viz_audit_min_px(1080) == 16);
    const SDL_Color ink = {255, 255, 255, 255};
    viz_audit_begin(400, 300);
    viz_text(r, f.sans, 10, 10, ink, "합성곱 kernel");
    viz_text(r, f.sans, 20, 10 + f.line / 3, ink, "over");  /* on the first */
    viz_text(r, f.sans, 10, 60, ink, "apart 한글");          /* clear of everything */
    viz_text(r, f.sans, 370, 100, ink, "edge");              /* past the window's right edge */
    SDL_RenderSetClipRect(r, &(SDL_Rect){0, 150, 60, 40});
    viz_text(r, f.sans, 10, 155, ink, "a name too long"); /* cut by its panel */
    SDL_RenderSetClipRect(r, NULL);
    viz_text(r, f.sans, 200, 200, ink, "x\xEE\x80\x80y"); /* U+E000, in no face */
    VizAudit a;
    CHECK(viz_audit_end(&a) == 0);
    CHECK_SAY(a.n_texts == 6 && a.overlaps == 1 && a.clipped == 2 && a.missing == 1 && a.small == 0,
              "  audit: %d texts, %d overlaps, %d clipped, %d small, %d missing\n", a.n_texts, a.overlaps,
              a.clipped, a.small, a.missing);
    for (int i = 0; i < a.n_problems; i++)
        if (a.problems[i].kind == VIZ_AUDIT_CLIPPED)
            CHECK(a.texts[a.problems[i].a].by_panel == !strcmp(a.texts[a.problems[i].a].text, "a name too long"));
    viz_audit_free(&a);
    /* the 14 px window's small type (12 px) is under what reads at 1080 high */
    VizFonts g;
    if (fonts(&g, 14)) {
        viz_audit_begin(400, 1080);
        viz_text(r, g.small, 10, 10, ink, "small");
        viz_text(r, g.sans, 10, 40, ink, "large enough?");
        CHECK(viz_audit_end(&a) == 0 && a.small == 2 && a.overlaps == 0);
        viz_audit_free(&a);
        viz_fonts_unload(&g);
    }
    TTF_CloseFont(nanum);
    SDL_DestroyRenderer(r);
    SDL_FreeSurface(s);
    viz_fonts_unload(&f);
}

int main(void) {
    test_key_tables();
    test_strip_arrows();
    test_basics_layout();
    test_diagrams();
    test_compare_layout();
    test_zoo_layout();
    test_grids();
    test_rf_box();
    test_residual_diagram();
    test_colour_bars();
    test_progress_box();
    test_evolution_change();
    test_3d_joins();
    test_filter_groups();
    test_text_audit();
    TTF_Quit();
    return check_finish("viz");
}
