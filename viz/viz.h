/*
 * viz.h — everything drawn. The only module (with app/) that includes SDL,
 * SDL_ttf, SDL_image or cglm; it reads engine state through const pointers.
 */
#ifndef CONVSCOPE_VIZ_H
#define CONVSCOPE_VIZ_H

#include <SDL.h>
#include <SDL_ttf.h>

#include "eng.h"
#include "models.h"

/* Fonts from Debian's fonts-dejavu-core. */
#define VIZ_FONT_SANS "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
#define VIZ_FONT_MONO "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"

typedef struct {
    TTF_Font *sans;
    TTF_Font *sans_big;
    TTF_Font *mono;
    TTF_Font *small;
    int line;      /* line height of `sans` in pixels */
    int mono_line;
    int small_line;
} VizFonts;

/* Open the fonts at a base pixel size; on failure returns -1 and writes a
 * message naming the missing file and the package to install. */
int viz_fonts_load(VizFonts *f, int px, char *err, size_t errlen);
void viz_fonts_unload(VizFonts *f);

/* Draw UTF-8 text with its top-left at (x, y); returns its width. */
int viz_text(SDL_Renderer *r, TTF_Font *font, int x, int y, SDL_Color c, const char *s);

/* Viridis, t in [0, 1]. */
SDL_Color viz_colormap(float t);

/* The forward stepper (viz_fmap.c). Node ids are the engine's. */
void viz_draw_layer_strip(SDL_Renderer *r, const VizFonts *f, const EngGraph *g, int current,
                          SDL_Rect area);
/* The node under (x, y) in a strip drawn with the same arguments, or -1. */
int viz_layer_strip_hit(const VizFonts *f, const EngGraph *g, int current, SDL_Rect area, int x,
                        int y);
/* Every channel of sample 0 of node id, page `page` when they do not fit;
 * zoom >= 0 shows that channel alone with unit (sel_y, sel_x) outlined. */
typedef struct {
    SDL_Rect grid;
    int cols, tile, per, pages;
} VizFmapGeom;
VizFmapGeom viz_fmap_geom(const VizFonts *f, const EngGraph *g, int id, SDL_Rect area);
void viz_draw_fmaps(SDL_Renderer *r, const VizFonts *f, const EngGraph *g, int id, SDL_Rect area,
                    int page, int zoom, int sel_y, int sel_x);
int viz_fmap_pages(const VizFonts *f, const EngGraph *g, int id, SDL_Rect area);
/* Channel and unit under (x, y); 0 when none. */
int viz_fmap_hit(const VizFonts *f, const EngGraph *g, int id, SDL_Rect area, int page, int zoom,
                 int x, int y, int *ch, int *uy, int *ux);
/* The conv layer's learned kernels, or the same-shaped `snapshot` of them
 * taken during training (NULL: the current ones); `when` (may be NULL)
 * says which moment the title shows. */
void viz_draw_filters(SDL_Renderer *r, const VizFonts *f, const EngGraph *g, int id, SDL_Rect area,
                      const float *snapshot, const char *when);
/* The input; with erf (H*W, may be NULL) a heat map of the effective
 * receptive field, and unit (uy, ux)'s theoretical field rf as a box. */
void viz_draw_input(SDL_Renderer *r, const VizFonts *f, const EngGraph *g, SDL_Rect area,
                    const float *erf, EngRf rf, int uy, int ux);
/* Filter evolution (Zeiler and Fergus 2014, Fig. 4): one row per snapshot
 * snaps[i] (same shape as the layer's weights) labelled labels[i]. */
void viz_draw_evolution(SDL_Renderer *r, const VizFonts *f, const EngGraph *g, int id, SDL_Rect area,
                        const float *const *snaps, const char *const *labels, int n);
/* Planes v (C, H, W) as an image in area under an optional caption: one
 * channel as grey, three as colour; diverging puts 0 at mid grey (a
 * projection's sign), otherwise min..max is stretched. */
void viz_draw_planes(SDL_Renderer *r, const VizFonts *f, const float *v, int C, int H, int W,
                     SDL_Rect area, int diverging, const char *caption);
void viz_draw_top5(SDL_Renderer *r, const VizFonts *f, const EngGraph *g,
                   const char *const *labels, int n_labels, SDL_Rect area);

/* A model's card and layer table, read from a built graph. */
void viz_draw_summary(SDL_Renderer *r, const VizFonts *f, const ModelCard *card,
                      const EngGraph *g, SDL_Rect area, int scroll);

#endif
