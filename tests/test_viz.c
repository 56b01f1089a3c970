/*
 * test_viz.c — the window's layout, headless (fonts through SDL_ttf, no
 * display): block diagrams that fit the compare screen with every name
 * unclipped, feature-map grids whose tiles stay legible (paging the rest),
 * and the hit test agreeing with where the tiles are drawn.
 */
#include <stdio.h>

#include "blocks.h"
#include "check.h"
#include "models.h"
#include "viz.h"

/* Every pair of the compare screen at its default sizes: each diagram's
 * widest row fits the third of a 1280-pixel window the screen gives it at
 * most (24-pixel margins), at the type of that window and of presentation mode. */
static void test_diagrams(void) {
    static const int px[] = {18, 22};
    for (int p = 0; p < 2; p++) {
        VizFonts f;
        char err[512];
        if (viz_fonts_load(&f, px[p], err, sizeof err) != 0) {
            fprintf(stderr, "%s\n", err);
            CHECK(0);
            return;
        }
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
}

static void test_grids(void) {
    VizFonts f;
    char err[512];
    if (viz_fonts_load(&f, 18, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        CHECK(0);
        return;
    }
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

int main(void) {
    test_diagrams();
    test_grids();
    TTF_Quit();
    return check_finish("viz");
}
