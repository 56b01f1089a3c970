/*
 * gui_stepper.c — the forward stepper screen (stepper.h): the selection
 * (layer, channel, unit), its events and its frame; the feature maps and
 * the layer table, the panels it shows when no other takes the middle; and
 * its job on the worker. The other panels are in gui_*.c beside it.
 */
#ifdef CONVSCOPE_HAVE_GUI
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stepper.h"

/* Space playback: milliseconds a layer, + faster, - slower. */
static const int play_ms[] = {100, 150, 250, 400, 600, 1000, 1600, 2500};
enum { PLAY_STOPS = (int)(sizeof play_ms / sizeof play_ms[0]), PLAY_DEFAULT = 4 };

int stepper_open(Stepper *s, const AppOptions *o, int sample) {
    memset(s, 0, sizeof *s);
    s->filt.snap = -1;
    s->want = JOB_NONE;
    s->sel.zoom = s->sel.sel_y = s->sel.sel_x = -1;
    s->sel.speed = PLAY_DEFAULT;
    s->sel.hover_c = s->sel.hover_y = s->sel.hover_x = -1;
    int rc = session_open(&s->ses, o, sample);
    if (rc != APP_OK) return rc;
    /* open on the first convolution: the forward pass is already visible */
    s->sel.current = session_first_conv(&s->ses);
    if (pad_open(&s->pad, &s->ses) != 0) {
        fprintf(stderr, "convscope: no memory for the input panel\n");
        return APP_FAIL;
    }
    s->v3d.cam = (Viz3dCamera){1.1f, 0.3f, 9.0f, viz_3d_node_z(s->ses.graph, s->sel.current)};
    return APP_OK;
}

void stepper_close(Stepper *s) {
    probe_free(&s->probe);
    pad_close(&s->pad);
    erf_clear(&s->erf);
    proj_clear(&s->proj);
    session_close(&s->ses);
}

Stepper *stepper_create(const char *model) { return stepper_create_trained(model, NULL, NULL); }

Stepper *stepper_create_trained(const char *model, const char *weights, const char *data) {
    Stepper *s = calloc(1, sizeof *s);
    AppOptions o = {0};
    o.model = model;
    o.weights = weights;
    o.data = data;
    if (s && stepper_open(s, &o, 0) != APP_OK) {
        stepper_close(s);
        free(s);
        s = NULL;
    }
    return s;
}

void stepper_destroy(void *stepper) {
    if (!stepper) return;
    stepper_close(stepper);
    free(stepper);
}

Layout stepper_layout(const VizFonts *f, const Stepper *s, int w, int h) {
    Layout l;
    int m = 16, strip_h = 2 * f->small_line + 10;
    /* parallel branches stack in the strip: it grows to hold them */
    int rows = viz_layer_strip_rows(f, s->ses.graph, s->sel.current, w - 2 * m - 14);
    if (rows > 1) strip_h = rows * (f->small_line + 8);
    l.strip = (SDL_Rect){m + 14, m, w - 2 * m - 14, strip_h};
    int top = m + strip_h + m;
    int left_w = w / 4 < 220 ? 220 : w / 4;
    l.left = (SDL_Rect){m, top, left_w, h - top - m - f->small_line};
    l.input = (SDL_Rect){m, top, left_w, left_w + f->small_line + 4};
    if (s->erf.map) l.input.h += viz_erf_bar_room(f, left_w); /* the ERF's colour bar */
    l.top5 = (SDL_Rect){m, top + l.input.h + m, left_w, 5 * (f->line + 16) + f->small_line};
    l.main = (SDL_Rect){2 * m + left_w, top, w - 3 * m - left_w, h - top - 2 * m - f->small_line};
    l.status = (SDL_Rect){m, h - m - f->small_line, w - 2 * m, f->small_line};
    if (l.top5.y + l.top5.h > l.status.y - 4) l.top5.h = l.status.y - 4 - l.top5.y; /* a short window */
    return l;
}

void stepper_step(Stepper *s, int to) {
    const EngGraph *g = s->ses.graph;
    int n = eng_graph_node_count(g);
    if (to < 0) to = 0;
    if (to >= n) to = n - 1;
    /* training-only branches never run: skip them */
    while (to > 0 && to < n && !eng_graph_node(g, to)->act) to += to > s->sel.current ? 1 : -1;
    if (to >= n || to < 0 || !eng_graph_node(g, to)->act) return;
    s->sel.current = to;
    s->sel.page = 0;
    s->probe.kind = PROBE_NONE;
    s->sel.hover_c = s->sel.hover_y = s->sel.hover_x = -1;
    s->sel.zoom = s->sel.sel_y = s->sel.sel_x = -1;
    erf_clear(&s->erf);
    proj_clear(&s->proj);
}

void stepper_refresh(Stepper *s) {
    erf_update(s);
    proj_update(s);
}

/* ---- the worker's job ------------------------------------------------------------------ */

/* On the worker: the job asked for and every one after it (a probe puts the
 * input back itself). A stopped job (Esc) stops the probe only. */
static void *stepper_job(void *arg, int kind, JobCtl *ctl) {
    Stepper *s = arg;
    if (kind == JOB_PROBE) probe_run(s, ctl ? jobs_progress : NULL, ctl);
    if (kind == JOB_INPUT) session_set_input(&s->ses);
    if (kind != JOB_PROJECT) erf_update(s);
    proj_update(s);
    return NULL;
}

void stepper_want(Stepper *s, int kind) {
    if (kind < s->want) s->want = kind;
}

/* The job asked for by the last event to the worker: from here on the
 * stepper is the worker's until it is done (fr->busy). */
static void stepper_submit(Stepper *s, StepperFrame *fr) {
    if (s->want == JOB_NONE) return;
    if (s->jobs) {
        const unsigned long id = jobs_submit(s->jobs, &(JobSpec){stepper_job, NULL, s, s->want, JOBS_FORE});
        if (id) {
            s->job = id;
            s->job_since = SDL_GetTicks();
            fr->busy = 1;
        } else {
            snprintf(s->ses.msg, sizeof s->ses.msg, "no memory to hand the work to the worker");
        }
    } else { /* no worker: at once */
        stepper_job(s, s->want, NULL);
    }
    s->want = JOB_NONE;
}

int stepper_short_job(const Stepper *s) {
    return s->jobs && jobs_busy(s->jobs, JOBS_FORE) && SDL_GetTicks() - s->job_since < 250;
}

void stepper_busy_text(const Stepper *s, char *busy, size_t n) {
    JobStatus st;
    busy[0] = 0;
    if (!s->jobs) return;
    if (jobs_running(s->jobs, JOBS_FORE, &st) && probe_progress_text(s, &st, busy, n)) return;
    if (!jobs_busy(s->jobs, JOBS_FORE)) return;
    /* what the job (and the ones after it) computes */
    static const char *const what[] = {"running the probe", "running the network on the new input",
                                       "the effective receptive field of the unit", "the projection to pixels"};
    const int k = jobs_running(s->jobs, JOBS_FORE, &st) ? st.kind : JOB_INPUT;
    snprintf(busy, n, "computing %s …", k >= 0 && k < JOB_NONE ? what[k] : "on the worker thread");
}

/* ---- events ---------------------------------------------------------------------------- */

StepperFrame stepper_frame(const Stepper *s, const VizFonts *f, int w, int h) {
    const Layout l = stepper_layout(f, s, w, h);
    StepperFrame fr = {f, w, h, viz_input_rect(f, s->ses.graph, l.input), 0};
    fr.busy = s->jobs && jobs_busy(s->jobs, JOBS_FORE);
    return fr;
}

/* While the worker owns the stepper: Esc stops its job; the rest waits for
 * it (F12 too, so that the screenshot follows what was asked before it).
 * The quit and F11 are the window's (gui_common_event), busy or not. */
static GuiAction busy_event(Stepper *s, const SDL_Event *e) {
    if (gui_key_event(stepper_keys_id(s), e, NULL) == KEY_BACK) {
        jobs_cancel(s->jobs, s->job); /* a long job stops at its next step */
        return GUI_NONE;
    }
    if (e->type == SDL_KEYDOWN || e->type == SDL_DROPFILE || e->type == SDL_MOUSEBUTTONDOWN ||
        e->type == SDL_MOUSEBUTTONUP || e->type == SDL_MOUSEWHEEL || e->type == SDL_MOUSEMOTION)
        return GUI_HOLD;
    return GUI_NONE;
}

GuiKeysId stepper_keys_id(const Stepper *s) { return s->pad.drawing ? KEYS_DRAWING : KEYS_STEPPER; }

/* Esc: the view on top closes, one at a time (the help, the table, the
 * thumbnails, 3D, the filters, a probe, draw mode, the zoom); 0 when none
 * was open. */
static int stepper_back(Stepper *s) {
    StepperSel *v = &s->sel;
    if (v->help) v->help = 0;
    else if (v->table) v->table = 0;
    else if (s->browse.on) s->browse.on = 0;
    else if (s->v3d.on) s->v3d.on = 0;
    else if (s->filt.evolution) s->filt.evolution = 0;
    else if (s->filt.on) s->filt.on = 0;
    else if (s->probe.kind) s->probe.kind = PROBE_NONE;
    else if (s->pad.drawing) input_key(s, KEY_DRAW);
    else if (v->zoom >= 0) stepper_step(s, v->current);
    else return 0;
    return 1;
}

int stepper_play_ms(const Stepper *s) {
    const int k = s->sel.speed;
    return play_ms[k >= 0 && k < PLAY_STOPS ? k : PLAY_DEFAULT];
}

static void play_speed(Stepper *s, int faster) {
    StepperSel *v = &s->sel;
    if (v->speed < 0 || v->speed >= PLAY_STOPS) v->speed = PLAY_DEFAULT;
    v->speed += faster ? -1 : 1;
    v->speed = v->speed < 0 ? 0 : v->speed >= PLAY_STOPS ? PLAY_STOPS - 1 : v->speed;
    if (!v->playing) /* while playing the status line shows the speed already */
        snprintf(s->ses.msg, sizeof s->ses.msg, "playback: %d ms a layer (+ faster, - slower)", stepper_play_ms(s));
}

/* Keys of the selection and of the window. */
static GuiAction sel_key(Stepper *s, GuiKeyAct act, const StepperFrame *fr, SDL_Rect main) {
    StepperSel *v = &s->sel;
    switch (act) {
    case KEY_BACK: return stepper_back(s) ? GUI_NONE : GUI_BACK;
    case KEY_HELP: v->help = !v->help; break;
    case KEY_NEXT: stepper_step(s, v->current + 1); break;
    case KEY_PREV: stepper_step(s, v->current - 1); break;
    case KEY_FIRST: stepper_step(s, 0); break;
    case KEY_LAST: stepper_step(s, eng_graph_node_count(s->ses.graph) - 1); break;
    case KEY_PLAY:
        v->playing = !v->playing;
        v->last_step = SDL_GetTicks();
        break;
    case KEY_MORE:
    case KEY_LESS: play_speed(s, act == KEY_MORE); break;
    case KEY_PAGE_DOWN:
        if (v->page + 1 < viz_fmap_pages(fr->f, s->ses.graph, v->current, main)) v->page++;
        break;
    case KEY_PAGE_UP: v->page = v->page > 0 ? v->page - 1 : 0; break;
    case KEY_TABLE: v->table = !v->table; break;
    case KEY_TO_COMPARE: return GUI_TO_COMPARE;
    case KEY_TO_RF: return GUI_TO_RF;
    case KEY_TO_PICK: return GUI_TO_PICK;
    case KEY_TO_ZOO: return GUI_TO_ZOO;
    case KEY_TO_BASICS: return GUI_TO_BASICS;
    case KEY_TO_EXPERIMENTS: return GUI_TO_EXPERIMENTS;
    case KEY_TO_LESSON: return GUI_TO_LESSON;
    case KEY_TO_TRAIN: return GUI_TO_TRAIN;
    case KEY_DOWN: v->scroll++; break;
    case KEY_UP: v->scroll = v->scroll > 0 ? v->scroll - 1 : 0; break;
    default: break;
    }
    return GUI_NONE;
}

static GuiAction stepper_key(Stepper *s, const SDL_Event *e, const StepperFrame *fr, SDL_Rect main) {
    const GuiKeyAct act = gui_key_event(stepper_keys_id(s), e, NULL);
    if (act == KEY_SHOT) return GUI_SHOT; /* taken once the frame is drawn, after the job under way */
    if (act == KEY_PROJECT_ALT) return proj_open_key(s) ? GUI_OPEN_MODEL : GUI_NONE; /* where the rules differ */
    if (filters_key(s, act) || proj_key(s, act) || probe_key(s, act) || input_key(s, act) ||
        browse_key(s, act, fr->f, main) || view3d_key(s, act))
        return GUI_NONE;
    return sel_key(s, act, fr, main);
}

/* The unit under the mouse in the maps, for its value. */
static void fmaps_hover(Stepper *s, const VizFonts *f, SDL_Rect main, int x, int y) {
    StepperSel *v = &s->sel;
    int ch, uy, ux;
    v->hover_c = v->hover_y = v->hover_x = -1;
    if (!v->table && !s->filt.on && !s->filt.evolution && !s->v3d.on && !s->browse.on &&
        viz_fmap_hit(f, s->ses.graph, v->current, main, v->page, v->zoom, x, y, &ch, &uy, &ux))
        v->hover_c = ch, v->hover_y = uy, v->hover_x = ux;
}

/* A click on the strip steps there; on a map, the first zooms into its
 * channel, the next picks a unit (its fields computed on the worker). */
static void sel_click(Stepper *s, const VizFonts *f, const Layout *l, int x, int y) {
    StepperSel *v = &s->sel;
    int hit = viz_layer_strip_hit(f, s->ses.graph, v->current, l->strip, x, y);
    int ch, uy, ux;
    if (hit >= 0) {
        stepper_step(s, hit);
    } else if (!v->table && !s->filt.on &&
               viz_fmap_hit(f, s->ses.graph, v->current, l->main, v->page, v->zoom, x, y, &ch, &uy, &ux)) {
        if (v->zoom < 0) v->zoom = ch;
        else v->sel_y = uy, v->sel_x = ux;
        stepper_want(s, JOB_ERF);
    }
}

static void stepper_mouse(Stepper *s, const SDL_Event *e, const StepperFrame *fr, const Layout *l) {
    StepperSel *v = &s->sel;
    if (view3d_event(s, e, l->main)) return;
    if (e->type == SDL_MOUSEMOTION) {
        fmaps_hover(s, fr->f, l->main, e->motion.x, e->motion.y);
    } else if (browse_event(s, e, fr->f, l->main)) {
        return;
    } else if (e->type == SDL_MOUSEBUTTONDOWN && e->button.button == SDL_BUTTON_LEFT) {
        sel_click(s, fr->f, l, e->button.x, e->button.y);
    } else if (e->type == SDL_MOUSEWHEEL) {
        if (v->table) v->scroll = v->scroll - e->wheel.y * 3 < 0 ? 0 : v->scroll - e->wheel.y * 3;
        else stepper_step(s, v->current - e->wheel.y);
    }
}

GuiAction stepper_event(Stepper *s, StepperFrame *fr, const SDL_Event *e) {
    /* the layer may have changed with the last event */
    const Layout l = stepper_layout(fr->f, s, fr->w, fr->h);
    if (e->type == SDL_DROPFILE && !fr->busy) { /* an image file dropped on the window */
        pad_drop(s, e->drop.file);
        SDL_free(e->drop.file);
        return GUI_NONE;
    }
    if (pad_event(s, fr, e)) return GUI_NONE; /* the drawing is the window's, busy or not */
    if (fr->busy) return busy_event(s, e);
    GuiAction act = GUI_NONE;
    if (e->type == SDL_KEYDOWN) act = stepper_key(s, e, fr, l.main);
    else stepper_mouse(s, e, fr, &l);
    stepper_submit(s, fr);
    return act;
}

void stepper_update(Stepper *s, StepperFrame *fr, int idle) {
    StepperSel *v = &s->sel;
    /* the forward pass, layer by layer; a step waits while the worker owns the stepper */
    if (v->playing && !fr->busy && idle && SDL_GetTicks() - v->last_step > (Uint32)stepper_play_ms(s)) {
        if (v->current + 1 >= eng_graph_node_count(s->ses.graph)) v->playing = 0;
        else stepper_step(s, v->current + 1);
        v->last_step = SDL_GetTicks();
    }
    int last = eng_graph_node_count(s->ses.graph) - 1;
    if (v->scroll > last) v->scroll = last;
    view3d_update(s);
    /* a dropped image or the drawing goes in as soon as the worker is free */
    if (s->pad.pending_dirty && !fr->busy && !(s->jobs && jobs_busy(s->jobs, JOBS_FORE))) {
        pad_feed(s);
        stepper_want(s, JOB_INPUT);
        stepper_submit(s, fr);
    }
}

/* ---- drawing --------------------------------------------------------------------------- */

/* The current layer's maps, and the value of the unit under the mouse. */
static void fmaps_draw(const Stepper *s, SDL_Renderer *r, const VizFonts *f, SDL_Rect a) {
    const StepperSel *v = &s->sel;
    viz_draw_fmaps(r, f, s->ses.graph, v->current, a, v->page, v->zoom, v->sel_y, v->sel_x);
    const EngNode *nd = eng_graph_node(s->ses.graph, v->current);
    if (v->hover_c < 0 || v->hover_c >= nd->out.C || v->hover_y >= nd->out.H || v->hover_x >= nd->out.W ||
        !nd->act)
        return;
    char val[160];
    snprintf(val, sizeof val, "channel %d, unit (%d, %d): %.5g", v->hover_c, v->hover_y, v->hover_x,
             nd->act[((size_t)v->hover_c * nd->out.H + v->hover_y) * nd->out.W + v->hover_x]);
    int tw = 0, th = 0;
    viz_text_size(f->sans, val, &tw, &th);
    SDL_Rect bg = {a.x + a.w - tw - 16, a.y + a.h - th - 8, tw + 12, th + 6};
    SDL_SetRenderDrawColor(r, 10, 12, 16, 255);
    SDL_RenderFillRect(r, &bg);
    viz_text(r, f->sans, bg.x + 6, bg.y + 3, (SDL_Color){255, 196, 84, 255}, val);
}

/* The middle: the first panel that is on takes it, else the maps. */
static void draw_main(const Stepper *s, SDL_Renderer *r, const VizFonts *f, SDL_Rect a) {
    if (s->browse.on && s->ses.test.n > 0) browse_draw(s, r, f, a);
    else if (s->v3d.on) view3d_draw(s, r, f, a);
    else if (filters_shown(s)) filters_draw(s, r, f, a);
    else if (probe_shown(s)) probe_draw(s, r, f, a);
    else {
        fmaps_draw(s, r, f, a);
        proj_draw_beside(s, r, f, a);
    }
}

/* The left: the input (with the selected unit's fields), then the
 * projection or the top-5. */
static void draw_left(const Stepper *s, SDL_Renderer *r, const VizFonts *f, const Layout *l) {
    const StepperSel *v = &s->sel;
    if (s->pad.drawing) pad_draw(s, r, f, l->input, viz_input_rect(f, s->ses.graph, l->input));
    else viz_draw_input(r, f, s->ses.graph, l->input, s->erf.map, eng_graph_node(s->ses.graph, v->current)->rf,
                        v->sel_y, v->sel_x);
    if (s->proj.rule) proj_draw(s, r, f, l); /* the projection takes the place of the top-5 */
    else viz_draw_top5(r, f, s->ses.graph, s->ses.labels, s->ses.n_labels, l->top5);
}

void stepper_draw(const Stepper *s, SDL_Renderer *r, const VizFonts *f, int w, int h, const char *busy) {
    const Session *ses = &s->ses;
    viz_clear(r);
    Layout l = stepper_layout(f, s, w, h);
    if (s->sel.table) {
        SDL_Rect area = {24, 16, w - 48, h - 44 - f->small_line};
        viz_draw_summary(r, f, ses->card, ses->graph, area, s->sel.scroll, s->sel.current);
    } else {
        viz_draw_layer_strip(r, f, ses->graph, s->sel.current, l.strip);
        if (busy) /* the worker is writing the activations: show nothing stale */
            viz_text(r, f->sans, l.main.x, l.main.y, (SDL_Color){255, 196, 84, 255}, busy);
    }
    if (!s->sel.table && !busy) {
        draw_left(s, r, f, &l);
        draw_main(s, r, f, l.main);
    }
    if (s->sel.help) gui_help_box(r, f, w, h, stepper_keys_id(s));
    char line[2048], play[64] = "";
    if (s->sel.playing) snprintf(play, sizeof play, "playing, %d ms a layer (+ / -)", stepper_play_ms(s));
    if (busy) /* the worker rewrites the status text: show it when done */
        snprintf(line, sizeof line, "%s  ·  working …", ses->card->display);
    else /* the last action's result first: the end of a long line may be cut */
        snprintf(line, sizeof line, "%s  ·  %s%s%s%s%s  ·  H help", ses->card->display, play, play[0] ? "  ·  " : "",
                 ses->msg, ses->msg[0] && !s->pad.drawing ? "  ·  " : "",
                 s->pad.drawing ? "" : ses->status); /* drawing: what the keys do, whole at 1280 px */
    gui_status_text(r, f, l.status, viz_dim(), line);
}
#endif
