/*
 * gui_project.c — the zoomed channel (or its selected unit) projected back
 * to pixels (Zeiler and Fergus 2014; eng_graph_project): D cycles the
 * rule, deconvnet, guided backprop, plain gradient, off. The projection
 * takes the place of the top-5 on the left and, where the zoomed map leaves
 * room, is drawn large beside it. Computed on the worker.
 */
#ifdef CONVSCOPE_HAVE_GUI
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stepper.h"

static const char *const rule_names[] = {"plain gradient (saliency)", "deconvnet (Zeiler & Fergus)",
                                         "guided backprop"};
static const int rule_cycle[4] = {0, 1 + ENG_RULE_DECONV, 1 + ENG_RULE_GUIDED, 1 + ENG_RULE_BACKPROP};

const char *proj_rule_name(EngProjRule rule) { return rule_names[rule]; }

void proj_clear(ProjView *v) {
    free(v->map);
    v->map = NULL;
    v->same[0] = 0;
    v->alt = NULL;
}

void proj_update(Stepper *s) {
    const StepperSel *v = &s->sel;
    proj_clear(&s->proj);
    if (!s->proj.rule || v->zoom < 0) return;
    if (eng_graph_project(s->ses.graph, v->current, v->zoom, v->sel_y, v->sel_x,
                          (EngProjRule)(s->proj.rule - 1)) != 0) {
        snprintf(s->ses.msg, sizeof s->ses.msg, "no projection through this layer");
        return;
    }
    const size_t n = session_input_len(&s->ses); /* the input's grad, (C, H, W) */
    s->proj.map = malloc(n * sizeof *s->proj.map);
    if (s->proj.map) memcpy(s->proj.map, eng_graph_node(s->ses.graph, 0)->grad, n * sizeof *s->proj.map);
    else snprintf(s->ses.msg, sizeof s->ses.msg, "no memory for the projection");
    /* the same picture under every rule: say why, and where they differ */
    if (app_proj_same_note(s->ses.graph, v->current, s->proj.same, sizeof s->proj.same))
        s->proj.alt = app_proj_alternative(s->ses.card, s->ses.data[0] ? s->ses.data : NULL,
                                           eng_graph_node(s->ses.graph, v->current)->name);
}

int proj_open_key(const Stepper *s) { return s->proj.rule && s->proj.alt; }

int proj_key(Stepper *s, GuiKeyAct k) {
    if (k != KEY_PROJECT) return 0;
    for (int i = 0; i < 4; i++)
        if (rule_cycle[i] == s->proj.rule) {
            s->proj.rule = rule_cycle[(i + 1) % 4];
            break;
        }
    stepper_want(s, JOB_PROJECT);
    return 1;
}

/* The projection's scale under its picture: grey is 0, the ends the largest
 * magnitude over the channels shown (as viz_draw_planes stretches it). The
 * room it takes first, then drawn under dst. */
#define PROJ_UNITS "projection per input pixel, signed (grey = 0)"
static int proj_bar_room(const VizFonts *f, int w) {
    return 8 + viz_colour_bar(NULL, f, (SDL_Rect){0, 0, w < 360 ? w : 360, 10}, -1.0f, 1.0f, VIZ_BAR_SIGNED,
                              PROJ_UNITS);
}
static void proj_bar(const Stepper *s, SDL_Renderer *r, const VizFonts *f, SDL_Rect dst, int w) {
    const EngNode *in = eng_graph_node(s->ses.graph, 0);
    const size_t n = (size_t)(in->out.C >= 3 ? 3 : 1) * in->out.H * in->out.W;
    float m = 0.0f;
    for (size_t i = 0; i < n; i++) m = fabsf(s->proj.map[i]) > m ? fabsf(s->proj.map[i]) : m;
    if (dst.w > 0) viz_colour_bar(r, f, (SDL_Rect){dst.x + 1, dst.y + dst.h + 8, w < 360 ? w - 2 : 358, 10},
                                  -m, m, VIZ_BAR_SIGNED, PROJ_UNITS);
}

void proj_draw(const Stepper *s, SDL_Renderer *r, const VizFonts *f, const Layout *l) {
    const EngNode *in = eng_graph_node(s->ses.graph, 0);
    const SDL_Color dim = viz_dim();
    char cap[256];
    snprintf(cap, sizeof cap, "projection · %s (D: next)", rule_names[s->proj.rule - 1]);
    if (s->proj.map) {
        SDL_Rect a = l->top5;
        a.h = l->left.y + l->left.h - a.y;
        if (s->proj.same[0]) { /* why the three rules agree here, above the picture */
            char note[600];
            snprintf(note, sizeof note, "The three rules differ only at ReLUs (and LRN); this path has none: "
                     "the same picture under each.%s%s%s", s->proj.alt ? " Shift+D: " : "",
                     s->proj.alt ? s->proj.alt->display : "", s->proj.alt ? ", where they differ" : "");
            int nh = viz_text_wrap(r, f->small, a.x, a.y, a.w, (SDL_Color){255, 196, 84, 255}, note) + 6;
            a.y += nh, a.h -= nh;
        }
        a.h -= proj_bar_room(f, a.w);
        proj_bar(s, r, f, viz_draw_planes(r, f, s->proj.map, in->out.C, in->out.H, in->out.W, a, 1, cap), a.w);
    } else {
        viz_text(r, f->small, l->top5.x, l->top5.y, dim, cap);
        viz_text(r, f->small, l->top5.x, l->top5.y + f->small_line + 4, dim, "click a map to project it");
    }
}
/* Beside the zoomed map, in the room it leaves on the right: the projection as large as
 * the map (the left column's copy is small, too small to read from afar). */
void proj_draw_beside(const Stepper *s, SDL_Renderer *r, const VizFonts *f, SDL_Rect main) {
    if (!s->proj.rule || !s->proj.map || s->sel.zoom < 0) return;
    const EngNode *in = eng_graph_node(s->ses.graph, 0);
    const VizFmapGeom m = viz_fmap_geom(f, s->ses.graph, s->sel.current, main);
    const int side = m.grid.w < m.grid.h ? m.grid.w : m.grid.h, gap = 32;
    SDL_Rect a = {m.grid.x + side + gap, m.grid.y, main.x + main.w - (m.grid.x + side + gap), side};
    if (a.w < 240 || a.h < 120) return; /* no room: the left column's copy stays the only one */
    if (a.w > a.h + f->small_line + 4) a.w = a.h + f->small_line + 4;
    char cap[256];
    snprintf(cap, sizeof cap, "projected to pixels · %s", rule_names[s->proj.rule - 1]);
    const int room = proj_bar_room(f, a.w);
    if (a.h + room > main.y + main.h - a.y) a.h = main.y + main.h - a.y - room;
    proj_bar(s, r, f, viz_draw_planes(r, f, s->proj.map, in->out.C, in->out.H, in->out.W, a, 1, cap), a.w);
}
#endif
