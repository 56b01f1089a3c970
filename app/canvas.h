/*
 * canvas.h — an off-screen picture for the commands that write a PNG
 * (render, deconv, top9, occlude): a software renderer on a surface, the
 * fonts, and a save that writes a temporary file and renames it.
 */
#ifndef CONVSCOPE_CANVAS_H
#define CONVSCOPE_CANVAS_H

#include <SDL.h>
#include <stdio.h>

#include "experiments.h"
#include "viz.h"

typedef struct {
    SDL_Surface *surf;
    SDL_Renderer *r;
    VizFonts fonts;
    int w, h;
} AppCanvas;

/* A w x h canvas cleared to the background colour; 0, or -1 after a line on
 * stderr naming cmd. Close it in either case. */
int app_canvas_open(AppCanvas *c, int w, int h, const char *cmd);
/* The picture to `out` (app_save_png); 0, or -1 after a line on stderr. */
int app_canvas_save(AppCanvas *c, const char *out, const char *cmd);
/* A surface to a PNG file: encoded into a new temporary file beside path
 * (eng_tmpfile_open: never through a link planted there), then renamed over
 * path; on a failure nothing is left behind. 0, or -1 with err filled. */
int app_save_png(SDL_Surface *s, const char *path, char *err, size_t errlen);
void app_canvas_close(AppCanvas *c);

/* `convscope render` with argv as it takes them (argv[0] = "render"), the
 * view drawn above caption cap (a lesson's slide, cmd_lesson.c): an exit code. */
int app_render_slide(int argc, char **argv, const VizCaption *cap);

/* An experiment's figure in area (app/exp_plot.c): its title, panel `panel`
 * (-1: every panel, and the mosaic when there is one) and foot, a line of
 * small type under it (NULL: none). The PNG of `experiment run` and a
 * lesson's @plot draw it. */
void exp_draw_figure(SDL_Renderer *r, const VizFonts *f, const ExpResult *res, int panel, SDL_Rect area,
                     const char *foot);
/* The same with over's curves (another run of the experiment, NULL: none)
 * drawn thin and pale over res's in each panel, one legend row over_label. */
void exp_draw_figure_over(SDL_Renderer *r, const VizFonts *f, const ExpResult *res, const ExpResult *over,
                          const char *over_label, int panel, SDL_Rect area, const char *foot);

/* What the layout audit found in the picture of view (viz_audit_end): a
 * line of counts and one line per problem, or JSON. */
void app_audit_print(FILE *f, const VizAudit *a, const char *view, int json);

#endif
