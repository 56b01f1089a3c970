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

/* Fonts from Debian's fonts-dejavu-core; the fallback for Hangul (and the
 * CJK ideographs) from fonts-nanum. */
#define VIZ_FONT_SANS "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
#define VIZ_FONT_MONO "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
#define VIZ_FONT_HANGUL "/usr/share/fonts/truetype/nanum/NanumGothic.ttf"
/* Every face has these fallbacks, tried in order for a character it lacks:
 * DejaVu Sans (the monospace face lacks some signs), then Nanum Gothic. */
#define VIZ_FALLBACKS 2

typedef struct {
    TTF_Font *sans;
    TTF_Font *sans_big;
    TTF_Font *mono;
    TTF_Font *small;
    int line;      /* line height of `sans` in pixels */
    int mono_line;
    int small_line;
} VizFonts;

#define VIZ_SMALL_MIN_PX 12
/* Open the fonts at a base pixel size (small: 3/4 of it, at least
 * VIZ_SMALL_MIN_PX); on failure returns -1 and writes a
 * message naming the missing file and the package to install. */
int viz_fonts_load(VizFonts *f, int px, char *err, size_t errlen);
void viz_fonts_unload(VizFonts *f);

/* The text colours and the background, high contrast in presentation mode
 * (white on black). */
void viz_set_high_contrast(int on);
SDL_Color viz_ink(void);
SDL_Color viz_dim(void);
void viz_clear(SDL_Renderer *r);

/* The width and height UTF-8 text s takes in font, measured run by run in
 * the faces that draw it (TTF_SizeUTF8's contract: 0, or -1). Every
 * measure of text goes through this, so that layout agrees with drawing. */
int viz_text_size(TTF_Font *font, const char *s, int *w, int *h);
/* The pixel size a font was opened at. */
int viz_font_px(TTF_Font *font);

/* Draw UTF-8 text with its top-left at (x, y); returns its width. */
int viz_text(SDL_Renderer *r, TTF_Font *font, int x, int y, SDL_Color c, const char *s);
/* The same within w pixels: cut between two characters, " …" after it,
 * when the whole does not fit. */
int viz_text_fit(SDL_Renderer *r, TTF_Font *font, int x, int y, int w, SDL_Color c, const char *s);
/* The same, cut at the edges of box (a name longer than its chip). */
int viz_text_in(SDL_Renderer *r, TTF_Font *font, SDL_Rect box, int x, int y, SDL_Color c, const char *s);

/* The layout audit (viz_audit.c): between begin and end, every string drawn
 * is recorded (its box as measured and the box of its ink) with the area
 * that shows it (the renderer's clip rectangle, within the panel given), and
 * the strings that overlap, are cut by the window's edge or their panel,
 * are set smaller than can be read at that height, or hold characters no
 * face can draw are counted. Drawing is on one thread. */
typedef enum { VIZ_AUDIT_OVERLAP, VIZ_AUDIT_CLIPPED, VIZ_AUDIT_SMALL, VIZ_AUDIT_MISSING } VizAuditKind;
typedef struct {
    char text[96];         /* the string (cut at a character's boundary) */
    SDL_Rect box;          /* where it was drawn, as measured */
    SDL_Rect ink;          /* the pixels it inked (w 0: none) */
    SDL_Rect shown;        /* the area that shows it: the panel, within the clip rectangle */
    int px, missing;       /* the face's pixel size; characters no face has */
    int by_panel;          /* cut by its panel or clip rectangle, not the window's edge */
} VizAuditText;
typedef struct {
    VizAuditKind kind;
    int a, b;              /* texts[a] (and texts[b] for an overlap) */
} VizAuditProblem;
typedef struct {
    int w, h, min_px;      /* the window; the smallest readable type at its height */
    VizAuditText *texts;
    int n_texts;
    VizAuditProblem *problems;
    int n_problems;
    int overlaps, clipped, small, missing; /* missing: characters, the others strings */
} VizAudit;
/* The smallest type that reads at a window h pixels high: VIZ_SMALL_MIN_PX
 * at 800 (the window's default height) and below, in proportion above. */
int viz_audit_min_px(int h);
void viz_audit_begin(int w, int h);
/* The panel the strings drawn next belong to (the whole window until then). */
void viz_audit_panel(SDL_Rect panel);
/* Recording stops; a holds what was found (free it with viz_audit_free).
 * -1 when it ran out of memory. */
int viz_audit_end(VizAudit *a);
void viz_audit_free(VizAudit *a);
/* Called by viz_text for every string it draws (surf: its pixels at (x, y)). */
void viz_audit_text(SDL_Renderer *r, SDL_Surface *surf, int x, int y, int px, const char *s, int missing);

/* A job's progress over the picture it will replace, centred in area: what
 * is being computed, a bar (done of total; total <= 0: a stripe that moves
 * with seconds), the time so far and how to cancel. */
void viz_progress_box(SDL_Renderer *r, const VizFonts *f, SDL_Rect area, const char *what, int done, int total,
                      double seconds, const char *cancel);
/* Viridis, t in [0, 1]. */
SDL_Color viz_colormap(float t);
/* The scale of a heat map: a horizontal bar in `bar` from lo (left) to hi
 * (right) in the map's colours, ticks with their values at both ends and
 * the middle, and the units under them (wrapped to the bar's width).
 * VIZ_BAR_VIRIDIS as viz_colormap; VIZ_BAR_SIGNED black (-) through mid grey
 * (0) to white (+), as viz_draw_planes shows signed maps; VIZ_BAR_HEAT the
 * effective receptive field's orange over black, on its square-root scale
 * (the middle tick is a quarter of the way from lo to hi). r NULL: measure
 * only. Returns the height used (bar, ticks, numbers, units). */
enum { VIZ_BAR_VIRIDIS, VIZ_BAR_SIGNED, VIZ_BAR_HEAT };
/* The effective receptive field's scale under the input (viz_draw_input):
 * its units, and the room it takes in a panel w wide (a layout leaves it). */
#define VIZ_ERF_UNITS "ERF: |d unit / d pixel| summed over channels, square-root scale"
int viz_erf_bar_room(const VizFonts *f, int w);
int viz_colour_bar(SDL_Renderer *r, const VizFonts *f, SDL_Rect bar, float lo, float hi, int kind,
                   const char *units);
/* An (h, w) plane as a viridis texture, lo..hi stretched (destroy it). */
SDL_Texture *viz_plane_texture(SDL_Renderer *r, const float *plane, int h, int w, float lo, float hi);
/* The feature-map view keeps its plane textures from frame to frame (made
 * again only when what they show changes); before a renderer is destroyed,
 * this lets go of the ones made with it. */
void viz_forget_renderer(SDL_Renderer *r);

/* The network in 3D (viz_3d.c, cglm for the camera, SDL_RenderGeometry for
 * the faces): one slab per layer, sized by its output (height and width by
 * the map's side, thickness by the channel count), the current layer's
 * feature maps as textured planes. The camera orbits (yaw, pitch in
 * radians) at distance dist around focus_z along the network. */
typedef struct {
    float yaw, pitch, dist;
    float focus_z;        /* where the camera looks along the network */
} Viz3dCamera;
/* The z of node id's slab, for the camera to follow the stepping. */
float viz_3d_node_z(const EngGraph *g, int id);
void viz_draw_3d(SDL_Renderer *r, const VizFonts *f, const EngGraph *g, int current, SDL_Rect area,
                 const Viz3dCamera *cam);

/* The forward stepper (viz_fmap.c). Node ids are the engine's. */
void viz_draw_layer_strip(SDL_Renderer *r, const VizFonts *f, const EngGraph *g, int current,
                          SDL_Rect area);
/* How many rows (parallel branches, at most 4) the strip needs around
 * current in a strip `width` pixels wide. */
int viz_layer_strip_rows(const VizFonts *f, const EngGraph *g, int current, int width);
/* The node under (x, y) in a strip drawn with the same arguments, or -1; on
 * its "<" or ">" arrow, the first layer past that end of the strip. */
int viz_layer_strip_hit(const VizFonts *f, const EngGraph *g, int current, SDL_Rect area, int x,
                        int y);
/* Every channel of sample 0 of node id, page `page` when they do not fit;
 * zoom >= 0 shows that channel alone with unit (sel_y, sel_x) outlined. */
typedef struct {
    SDL_Rect grid;
    int cols, tile, per, pages;
} VizFmapGeom;
/* Tiles are never smaller than two lines of type (a map must read from the
 * back of the room): the channels that do not fit go to further pages. */
#define VIZ_FMAP_GAP 4
int viz_fmap_min_tile(const VizFonts *f);
VizFmapGeom viz_fmap_geom(const VizFonts *f, const EngGraph *g, int id, SDL_Rect area);
/* The network's shape for the header of a layer's maps: layer id's GPUs on a
 * network trained split over devices (eng_graph_device_roles: "GPU 1 | GPU 2,
 * each reads its own half"), else the paths from input to output when there
 * are several ("8 residual blocks → 2^8 = 256 paths, input to output");
 * 0 and "" when neither. */
int viz_network_tag(const EngGraph *g, int id, char *buf, size_t n);
void viz_draw_fmaps(SDL_Renderer *r, const VizFonts *f, const EngGraph *g, int id, SDL_Rect area,
                    int page, int zoom, int sel_y, int sel_x);
int viz_fmap_pages(const VizFonts *f, const EngGraph *g, int id, SDL_Rect area);
/* Channel and unit under (x, y); 0 when none. */
int viz_fmap_hit(const VizFonts *f, const EngGraph *g, int id, SDL_Rect area, int page, int zoom,
                 int x, int y, int *ch, int *uy, int *ux);
/* The conv layer's learned kernels, or the same-shaped `snapshot` of them
 * taken during training (NULL: the current ones); `when` (may be NULL)
 * says which moment the title shows. per_filter: each filter scaled to its
 * own largest |weight| (weak filters visible), else one scale for the layer
 * (filters comparable). */
void viz_draw_filters(SDL_Renderer *r, const VizFonts *f, const EngGraph *g, int id, SDL_Rect area,
                      const float *snapshot, const char *when, int per_filter);
/* The filters' grid split into one block per group (eng_graph_filter_groups),
 * one above the other, each under a label line label_h high: groups blocks
 * in out[] for 2 to VIZ_FILTER_GROUPS_MAX groups, else the whole grid
 * (no label). Returns the blocks' count. */
#define VIZ_FILTER_GROUPS_MAX 8
int viz_filter_group_rects(SDL_Rect grid, int groups, int label_h, SDL_Rect out[VIZ_FILTER_GROUPS_MAX]);
/* Where viz_draw_input puts the picture in area (mouse to input pixels). */
SDL_Rect viz_input_rect(const VizFonts *f, const EngGraph *g, SDL_Rect area);
/* The input; with erf (H*W, may be NULL) a heat map of the effective
 * receptive field, and unit (uy, ux)'s theoretical field rf as a box. */
void viz_draw_input(SDL_Renderer *r, const VizFonts *f, const EngGraph *g, SDL_Rect area,
                    const float *erf, EngRf rf, int uy, int ux);
/* Filter evolution (Zeiler and Fergus 2014, Fig. 4): one row per snapshot
 * snaps[i] (same shape as the layer's weights) labelled labels[i] and, from
 * the second on, the relative change of the weights' norm since the row
 * above, ||w_i - w_(i-1)|| / ||w_(i-1)||. diff: each row after the first
 * shows that change, w_i - w_(i-1), instead of the filters. */
void viz_draw_evolution(SDL_Renderer *r, const VizFonts *f, const EngGraph *g, int id, SDL_Rect area,
                        const float *const *snaps, const char *const *labels, int n, int diff);
#define VIZ_EVO_ROWS_MAX 256
/* ||a - b|| / ||b|| over n values, in percent (0 when b is all zero). */
double viz_rel_change_pct(const float *a, const float *b, size_t n);
/* Planes v (C, H, W) as an image in area under an optional caption: one
 * channel as grey, three as colour; diverging puts 0 at mid grey (a
 * projection's sign), otherwise min..max is stretched. Returns where the
 * picture went (w = 0: nothing drawn). */
SDL_Rect viz_draw_planes(SDL_Renderer *r, const VizFonts *f, const float *v, int C, int H, int W,
                     SDL_Rect area, int diverging, const char *caption);
void viz_draw_top5(SDL_Renderer *r, const VizFonts *f, const EngGraph *g,
                   const char *const *labels, int n_labels, SDL_Rect area);

/* Compare and zoo screens (viz_chart.c). */
/* Colour i of a colour-blind safe palette (families, sides A and B). */
SDL_Color viz_palette(int i);
/* s wrapped at word boundaries into width w from (x, y); returns the height
 * used. r may be NULL to measure only. */
int viz_text_wrap(SDL_Renderer *r, TTF_Font *font, int x, int y, int w, SDL_Color c, const char *s);
/* A toggle chip with its top-left at (x, y); returns its rectangle (r may be
 * NULL to lay out without drawing). */
SDL_Rect viz_chip(SDL_Renderer *r, const VizFonts *f, int x, int y, const char *text, int on);
/* A horizontal slider on track, knob at t in [0, 1], label above on the left
 * and value above on the right. */
void viz_draw_slider(SDL_Renderer *r, const VizFonts *f, SDL_Rect track, const char *label,
                     const char *value, double t, int enabled);
/* Two bars in area, a above b, scaled to the larger of the two. */
void viz_draw_pair_bar(SDL_Renderer *r, SDL_Rect area, double a, double b, SDL_Color ca,
                       SDL_Color cb);
/* Graph g as boxes, branches side by side, an activation after a conv drawn in
 * the conv's box; the shape of every tensor written on its edge. */
void viz_draw_diagram(SDL_Renderer *r, const VizFonts *f, const EngGraph *g, SDL_Rect area,
                      SDL_Color accent);
/* The width viz_draw_diagram needs to write every box's name, caption and
 * shape unclipped (0 for a graph it cannot draw). */
int viz_diagram_width(const VizFonts *f, const EngGraph *g);
/* ... with the names that need it in two lines, cut at a '_' or '.' (what
 * viz_draw_diagram does when it is given less than viz_diagram_width). */
int viz_diagram_min_width(const VizFonts *f, const EngGraph *g);
/* Bubbles at (x, y) (x on a log axis, y in percent), area proportional to
 * size, coloured by group; x <= 0 or y not finite are left out. */
typedef struct {
    const char *label;
    double x, y, size;
    int group;
} VizBubble;
void viz_draw_bubbles(SDL_Renderer *r, const VizFonts *f, SDL_Rect area, const VizBubble *b, int n,
                      const char *xlabel, const char *ylabel, const char *size_label);

/* The counting convention as chips from (x, y): "count:", then MACs, FLOPs,
 * bias, batch norm, activations, "pooling, adds, LRN" lit as c says;
 * returns the index of the chip at (px, py) or -1 (r NULL: hit test only). */
enum { VIZ_COUNT_CHIPS = 6 };
int viz_count_chips(SDL_Renderer *r, const VizFonts *f, int x, int y, EngCount c, int px, int py);

/* The compare screen (viz_compare.c): two designs of a block, their
 * diagrams and a table of their numbers. Sides: 0 is A, 1 is B. */
enum { VIZ_CMP_BLOCKS = 16, VIZ_CMP_SLIDERS = 4 };
typedef struct {
    const char *blocks[VIZ_CMP_BLOCKS]; /* the block chips' names */
    int n_blocks, block;                /* how many, the chosen one */
    const char *explain, *claim;        /* the idea; what the notes say (NULL: nothing) */
    const char *name[2];                /* the designs' names */
    const EngGraph *g[2];               /* the designs, NULL when not built */
    int slider_value[VIZ_CMP_SLIDERS];  /* cin, cout, hw, groups */
    double slider_pos[VIZ_CMP_SLIDERS]; /* knob at 0..1 */
    int slider_on[VIZ_CMP_SLIDERS];     /* a slider that does not apply shows "-" */
    EngCount count;
    EngTotals t[2];
    int64_t ops[2], act[2];             /* ops under `count`; activations, bytes */
    const char *error;                  /* why the designs cannot be built ("": they can) */
    double ms[2];                       /* median forward times, 0 = none */
    int runs_done, runs;                /* the measurement under way (runs 0: none) */
    int fresh;                          /* ms and note belong to these designs */
    const char *note;                   /* why there is no time ("": none) */
    const char *branch;                 /* one branch against the whole block (NULL or "": none) */
    const char *cin_label, *cout_label; /* the channel sliders' names (NULL: input, output) */
} VizCompare;
typedef struct {
    SDL_Rect blocks[VIZ_CMP_BLOCKS];
    int n_blocks;
    int explain_y, sliders_y, chips_y;
    SDL_Rect slider[VIZ_CMP_SLIDERS];
    SDL_Rect diag[2], table;
    int val_w, ratio_w;                 /* the table's A and B columns, its B / A column */
} VizCompareLayout;
/* Where everything goes in a w x h window (for drawing and hit tests). */
VizCompareLayout viz_compare_layout(const VizCompare *c, const VizFonts *f, int w, int h);
void viz_draw_compare(SDL_Renderer *r, const VizFonts *f, const VizCompare *c, int w, int h);

/* The zoo (viz_zoo.c): a table of every network and a bubble chart of
 * single-model, single-crop ImageNet val top-1 accuracy against operations
 * or latency (area = parameters). */
enum { VIZ_ZOO_MAX = 256 };
typedef struct {
    const char *name;
    int year;
    double params, ops;       /* ops under the convention of VizZoo.count */
    double top1, top5;        /* single-model, single-crop ImageNet val accuracy, %; 0: none */
    double ms;                /* forward time measured here; 0: none */
    int group;                /* colour: the family's rank */
} VizZooRow;
typedef struct {
    const VizZooRow *rows;
    int n;
    EngCount count;
    int x_latency;            /* the chart's x: latency instead of operations */
    int scroll;               /* the table's first row (viz_zoo_rows says how many show) */
    int running, measured;    /* a measurement under way, models done */
    int runs;                 /* passes per model; 0: latency not measured */
    const char *note;         /* a network that could not be counted or timed ("" or NULL: none) */
} VizZoo;
typedef struct {
    SDL_Rect table, chart;
    int chips_y, axis_y;
    SDL_Rect axis[2];         /* the chips "x: operations", "x: latency here" */
} VizZooLayout;
VizZooLayout viz_zoo_layout(const VizFonts *f, int w, int h);
/* A card's accuracy in words: its single-model, single-crop ImageNet val
 * figure with its source (or why there is none), then its history as reported. */
void viz_card_accuracy(const ModelCard *c, char *s, size_t n);
/* The table's rows that show at once for n networks. */
int viz_zoo_rows(const VizFonts *f, const VizZooLayout *L, int n);
void viz_draw_zoo(SDL_Renderer *r, const VizFonts *f, const VizZoo *z, int w, int h);

/* The history as a timeline (viz_zoo.c): the cards' networks as chips in
 * one column per year, and the chosen one's card with its counts. */
typedef struct {
    const ModelCard *const *card;
    const int *group;         /* each card's colour: its family's rank */
    int n, sel;
    int depth;                /* the chosen network's depth, parameters, MACs */
    int64_t params, macs;
    const char *note;         /* in place of the card's last line (NULL: none) */
    EngPaths paths;           /* the chosen network's input-to-output paths (0: not counted) */
    const char *key_ideas;    /* the chosen card's key ideas in the window's language (NULL: the card's own) */
} VizTimeline;
SDL_Rect viz_timeline_chip(const VizFonts *f, const VizTimeline *t, int w, int i);
/* The name a chip a px wide shows: the display name, or without its
 * parenthesised suffix (" (CIFAR)") when the whole one does not fit. */
const char *viz_timeline_label(const VizFonts *f, const char *display, SDL_Rect a, char *buf, size_t n);
void viz_draw_timeline(SDL_Renderer *r, const VizFonts *f, const VizTimeline *t, int w, int h);

/* Receptive field against depth (viz_rf.c), one curve per network. */
typedef struct {
    const char *name;
    int on;                   /* drawn */
    int n_pts;
    const int *depth;         /* [n_pts] weighted layers from the input up to the point */
    const int64_t *size;      /* [n_pts] the field there, pixels */
    int64_t final;            /* field of the last unit with a finite one */
    int input;                /* the input's side */
    const int64_t *size_w;    /* [n_pts] the field's width where size is its height (NULL: square) */
    int64_t final_w;          /* the last field's width (0: square) */
} VizRfCurve;
/* The chip that shows or hides curve k. */
SDL_Rect viz_rf_chip(const VizFonts *f, const VizRfCurve *c, int k);
/* note: a network that could not be drawn, at the bottom ("" or NULL: none). */
void viz_draw_rf_chart(SDL_Renderer *r, const VizFonts *f, const VizRfCurve *c, int n, const char *note,
                       int w, int h);

/* What a unit responds to (viz_probe.c). The top-9: projections (left grid)
 * and receptive-field patches (right grid), crops k of shape (C, ph[k], pw[k]),
 * captions under the patches. */
void viz_draw_top9(SDL_Renderer *r, const VizFonts *f, SDL_Rect area, int C,
                   const float *const *proj, const float *const *patch, const int *ph, const int *pw,
                   const char *const *captions, int n, const char *left_title, const char *right_title);
/* Occlusion: the image and three (OH, OW) maps (channel total, probability,
 * most probable class), captions[0..4) above them, a legend of the classes. */
void viz_draw_occlusion(SDL_Renderer *r, const VizFonts *f, SDL_Rect area, const float *img, int C,
                        int H, int W, const float *maps, int OH, int OW, const char *const *captions,
                        const char *const *labels, int n_labels);

/* Grad-CAM (viz_cam.c): the input img (C, H, W); the map (h, w) upsampled
 * over it (eng_cam_upsample), with a colour bar from 0 to the map's maximum
 * titled units; the map at its own size; guided Grad-CAM (C, H, W, 0 at
 * mid grey) when guided is not NULL. captions[0..4) above the panels
 * (NULL: none). */
typedef struct {
    const float *img;
    int C, H, W;
    const float *map;
    int h, w;
    const float *guided;
    const char *captions[4];
    const char *units;
} VizGradcam;
void viz_draw_gradcam(SDL_Renderer *r, const VizFonts *f, SDL_Rect area, const VizGradcam *g);
/* A line chart (viz_lines.c): curves of (x, y) points, solid or dashed, in
 * palette colour `color`; axes in round steps, the y label above the plot,
 * the x label below, the legend to the right of the plot. y_max > y_min fixes
 * the y range (percent, probability); otherwise it follows the data. A faint
 * line (a run drawn over another) is one pixel thick and paler; a line
 * without a name has no row in the legend. */
typedef struct {
    const char *name;
    int n;
    const double *x, *y;
    int color, dashed;
    int faint;
} VizLine;
typedef struct {
    const char *title, *x_label, *y_label;
    const VizLine *lines;
    int n;
    double y_min, y_max;
    double x_min, x_max;  /* x_max > x_min fixes the x range (a curve still growing) */
} VizLineChart;
void viz_draw_line_chart(SDL_Renderer *r, const VizFonts *f, const VizLineChart *c, SDL_Rect area);
/* The legend's width beside the plot (0 without curves). */
int viz_line_legend_width(const VizFonts *f, const VizLineChart *c);

/* A model's card and layer table, read from a built graph; the row of node
 * current (-1: none) marked as the layer selected. */
void viz_draw_summary(SDL_Renderer *r, const VizFonts *f, const ModelCard *card,
                      const EngGraph *g, SDL_Rect area, int scroll, int current);

/* The basics screen (viz_basics.c): a kernel slid over a picture (its
 * padding drawn), the kernel's grid with its numbers, the output map, the
 * output-size and parameter formulas with their numbers, and a 1x1
 * convolution mixing three channels into two at one pixel. Every number
 * arrives computed (app/basics.c runs the engine's conv). */
enum { VIZ_BASICS_KMAX = 5, VIZ_BASICS_MIX_IN = 3, VIZ_BASICS_MIX_OUT = 2 };
typedef struct {
    const float *img; int H, W;          /* the picture, values 0..1 */
    const float *kernel; int K;          /* K x K, row-major */
    const char *preset;                  /* the kernel's name */
    int S, P, D, cin, cout;
    const float *out; int oh, ow;        /* the engine's output map (NULL: none) */
    int uy, ux;                          /* the output unit whose window is drawn */
    int sel;                             /* the kernel cell being edited, -1: none */
    const char *edit;                    /* what is being typed into it ("" or NULL: nothing) */
    int keff;
    long long num_h, formula_h, num_w, formula_w; /* the formula's numerators and results */
    long long params, weights, biases;   /* the engine's count */
    const char *error;                   /* why there is no output (NULL: there is) */
    /* the 1x1 convolution */
    const float *mix_in, *mix_out;       /* MIX_IN and MIX_OUT planes of side x side */
    int mix_side, mix_y, mix_x;          /* the pixel worked out */
    const float *mix_w, *mix_b;          /* w[o * MIX_IN + c], b[o] */
} VizBasics;
typedef struct {
    SDL_Rect input, kernel, output, formula, mix;
    SDL_Rect grid;                       /* the kernel's cells */
    int help_y;                          /* the key line */
} VizBasicsLayout;
VizBasicsLayout viz_basics_layout(const VizFonts *f, int K, int w, int h);
/* The kernel cell under (x, y), row-major, or -1. */
int viz_basics_cell(const VizBasicsLayout *L, int K, int x, int y);
void viz_draw_basics(SDL_Renderer *r, const VizFonts *f, const VizBasics *b, int w, int h);

/* A lesson's caption panel (viz_lesson.c): "chapter · step k of n" and the
 * keys at the top in small type, the step's heading, its claim (paragraphs
 * split at '\n'), then a question's answer once shown or a hint. */
#define LESSON_CAPTION_MAX 2000
typedef struct {
    const char *chapter, *title, *text;
    const char *answer;  /* shown (a question's, once asked for), or NULL */
    const char *hint;    /* small, under the text (when no answer is shown), or NULL */
    const char *keys;    /* small, top right, or NULL */
    int step, steps;     /* 1-based; steps 0: no counter */
    int question;
    const char *counter; /* the counter in the lesson's language ("단계 4/9"), or NULL: "step 4 of 9" */
} VizCaption;
/* The height the panel needs at width w. */
int viz_caption_height(const VizFonts *f, const VizCaption *c, int w);
void viz_draw_caption(SDL_Renderer *r, const VizFonts *f, const VizCaption *c, SDL_Rect area);

#endif
