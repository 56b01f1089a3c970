/*
 * stepper.h — the forward stepper, the window's main screen: a layer strip
 * across the top, the input as the network sees it and the top-5 classes
 * on the left, every feature map of the current layer in the middle (Tab:
 * the layer table instead). The model and input are the session's; what is
 * shown is the selection; each panel that can take the middle or the left
 * has its state and code in a file of its own:
 *
 *   gui_stepper.c  the screen: selection, events, update, draw, its worker job;
 *                  the feature maps and the layer table
 *   gui_erf.c      effective receptive field of the selected unit (heat map)
 *   gui_project.c  the zoomed channel or unit projected to pixels (D)
 *   gui_probe.c    top-9 and occlusion of the zoomed channel (T, O); Grad-CAM
 *                  of a class of the top-5 at the current layer (A)
 *   gui_filters.c  learned filters, their snapshots, their evolution (F [ ] E)
 *   gui_input.c    choosing the input: test images, patterns, a dropped
 *                  image file, a drawing (N P G W)
 *   gui_browse.c   the test set as pages of thumbnails (B)
 *   gui_3d.c       the network in 3D (3)
 *
 * While a job of the stepper runs on the worker (jobs.h, fore lane) the
 * worker owns the graph, the selection, the panels' results and the
 * session's input and status: the window holds its events until it is done.
 */
#ifndef CONVSCOPE_STEPPER_H
#define CONVSCOPE_STEPPER_H

#include "app.h"
#include "gui_frame.h"
#include "jobs.h"
#include "session.h"
#include "viz.h"

/* The stepper's jobs on the worker; each also redoes the ones after it. */
enum { JOB_PROBE, JOB_INPUT, JOB_ERF, JOB_PROJECT, JOB_NONE };

/* What the stepper shows: which layer, channel and unit. */
typedef struct {
    int current;          /* node shown */
    int page;             /* feature-map page */
    int zoom;             /* channel shown alone, -1 = grid */
    int sel_y, sel_x;     /* selected unit of the zoomed channel, -1 = none */
    int hover_c, hover_y, hover_x; /* the unit under the mouse in the maps, -1: none */
    int table;            /* show the layer table instead */
    int scroll;           /* table scroll */
    int help;             /* key overlay */
    int playing;          /* Space: step through the layers by themselves */
    int speed;            /* playback speed, an index into gui_stepper.c's stops (0: fastest) */
    Uint32 last_step;
} StepperSel;

typedef struct {
    float *map;           /* (H, W) |d unit / d input| summed over channels, or NULL */
} ErfView;

typedef struct {
    int rule;             /* 0 off, else 1 + EngProjRule (D cycles) */
    float *map;           /* (C, H, W) of the input, or NULL */
    char same[400];       /* the three rules give this same picture: why (app_proj_same_note), or "" */
    const ModelCard *alt; /* then the nearest network where they differ (Shift+D opens it), or NULL */
} ProjView;

enum { PROBE_NONE, PROBE_TOP9, PROBE_OCCLUSION, PROBE_GRADCAM, PROBE_FEATVIS };

/* What a running probe has found so far, shown under its progress box:
 * top-9, the nine strongest images of the test set scanned so far; the
 * feature visualisation, its input every few steps. Written by the worker
 * and read by the window under the jobs' mutex (jobs_mutex). */
typedef struct {
    int kind;             /* PROBE_TOP9 or PROBE_FEATVIS; PROBE_NONE: nothing yet */
    int C, H, W;
    int n;                /* images in img: top-9 up to 9, the visualisation 1 */
    float *img[9];        /* (C, H, W) each, as the network takes it */
    float v[9];           /* top-9: the activations */
    int idx[9];           /* top-9: the test images */
    int done, total;      /* images scanned, or steps taken */
} ProbeLive;

/* The visualisation's steps in the window: a few seconds at most on the
 * minis (eng_featvis.c's other settings as `visualize` has them). */
enum { PROBE_FEATVIS_STEPS = 100 };

typedef struct {
    int kind;             /* PROBE_NONE, or what the main panel shows instead of the maps */
    int ready;            /* its result is computed (for layer, channel) */
    int layer, channel;
    AppTop9 top9;
    float *t9_proj[9], *t9_patch[9]; /* crops of the winners' fields */
    char t9_caption[9][96];
    AppOcclusion occ;
    float *occ_img;       /* the image occluded (C, H, W) */
    int cam_rank;         /* Grad-CAM: of the rank-th most probable class (A cycles) */
    int cam_class;
    float cam_prob;
    float *cam_map;       /* (cam_h, cam_w) at the layer's size */
    int cam_h, cam_w;
    float *cam_img;       /* the input it explains (C, H, W) */
    int t9_layer, t9_channel; /* the top-9 held is of that channel (-1: none) */
    /* the feature visualisation (V) of the zoomed channel, its selected unit,
     * or on the output layer its class: the input it likes most */
    int fv_steps;         /* in: ascent steps (0: PROBE_FEATVIS_STEPS); out: taken */
    uint64_t fv_seed;     /* in: the seed (fv_seed_set), out: used */
    int fv_seed_set;
    float *fv_img;        /* (C, H, W) as the network takes it, or NULL */
    int fv_node, fv_y, fv_x; /* the node ascended (the class scores for the output), the unit or -1 */
    int fv_scores;        /* fv_node holds the class scores */
    double fv_start, fv_obj; /* the objective at the first step and at the result */
    ProbeLive live;
} ProbeView;

typedef struct {
    int on;               /* show the current layer's filters */
    int evolution;        /* every snapshot of the layer's filters at once (E) */
    int per_filter;       /* each filter scaled to its own largest weight (Shift+F) */
    int diff;             /* the evolution shows the change since the previous snapshot (Shift+E) */
    int snap;             /* step shown in the filters view; -1 = the weights as they are */
} FiltersView;

/* The user's own input, owned by the thread that draws. */
typedef struct {
    float *canvas;        /* the drawing (ch, cw) in 0..1: finer than the input (digit_canvas_size) */
    int ch, cw;
    int brush;            /* pen level 1..DIGIT_BRUSH_LEVELS (- and +) */
    float *pending;       /* (C, H, W) the next custom input, copied in when the worker is free */
    char pending_name[320];
    int pending_dirty;
    int drawing;          /* W: the input panel is a canvas */
    float stroke_x, stroke_y; /* last point of the stroke in canvas pixels, < 0: none */
    DigitPrepInfo prep;   /* what the preprocessing found in the drawing or the file */
    char drop_path[4096]; /* the image file dropped last, read again when I changes the inversion */
} InputPad;

typedef struct {
    int on;               /* B: a page of test images to pick the input from */
    int page;
} BrowseView;

typedef struct {
    int on;               /* 3: the network in 3D instead of the maps */
    Viz3dCamera cam;
    int orbiting;         /* the mouse is turning the camera */
} View3d;

typedef struct {
    Session ses;
    StepperSel sel;
    ErfView erf;
    ProjView proj;
    ProbeView probe;
    FiltersView filt;
    InputPad pad;
    BrowseView browse;
    View3d v3d;
    /* the worker (the window only; NULL for render): the job asked for by
     * the events handled so far, the latest submission and when it was made */
    Jobs *jobs;
    int want;             /* JOB_NONE, or the job to submit */
    unsigned long job;
    Uint32 job_since;
} Stepper;

/* Layout of one frame (w x h); the same for the window and for render. */
typedef struct {
    SDL_Rect strip, left, input, top5, main, status;
} Layout;

/* What the events of one frame share: the fonts and size, where the input
 * panel is (as the frame began), and whether the worker owns the stepper. */
typedef struct {
    const VizFonts *f;
    int w, h;
    SDL_Rect in_rect;
    int busy;
} StepperFrame;

/* ---- the screen (gui_stepper.c) ---- */
/* session_open, and the selection on the first convolution. */
int stepper_open(Stepper *s, const AppOptions *o, int sample);
void stepper_close(Stepper *s);
/* A new stepper made aside (the worker opens a network), or NULL; its drop. */
Stepper *stepper_create(const char *model);
/* The same with weights (a file) trained on data (digits, fashion). */
Stepper *stepper_create_trained(const char *model, const char *weights, const char *data);
void stepper_destroy(void *stepper);
Layout stepper_layout(const VizFonts *f, const Stepper *s, int w, int h);
/* Go to layer `to` (training-only branches skipped), zoom and probes reset. */
void stepper_step(Stepper *s, int to);
/* The panels' results again for the selection: erf, projection. */
void stepper_refresh(Stepper *s);
StepperFrame stepper_frame(const Stepper *s, const VizFonts *f, int w, int h);
GuiAction stepper_event(Stepper *s, StepperFrame *fr, const SDL_Event *e);
/* The stepper's keys now (draw mode has its own). */
GuiKeysId stepper_keys_id(const Stepper *s);
/* Space playback: how long each layer is shown. */
int stepper_play_ms(const Stepper *s);
/* Playing, the camera, a pending input; idle: no events wait for the worker. */
void stepper_update(Stepper *s, StepperFrame *fr, int idle);
/* 1 while a job asked for less than a quarter second ago runs: keep the
 * last frame on screen rather than blank panels. */
int stepper_short_job(const Stepper *s);
/* What the worker is doing into busy (n bytes), "" when it is free. */
void stepper_busy_text(const Stepper *s, char *busy, size_t n);
/* busy: what the worker is doing (the activations are being written), or NULL. */
void stepper_draw(const Stepper *s, SDL_Renderer *r, const VizFonts *f, int w, int h, const char *busy);
/* Ask for job kind (merged with one already asked for in this event). */
void stepper_want(Stepper *s, int kind);

/* ---- panels ---- */
void erf_update(Stepper *s);
void erf_clear(ErfView *v);

const char *proj_rule_name(EngProjRule rule);
void proj_update(Stepper *s);
void proj_clear(ProjView *v);
/* D: the next rule. */
int proj_key(Stepper *s, GuiKeyAct k);
/* Shift+D: 1 when there is a network where the rules differ to open (s->proj.alt). */
int proj_open_key(const Stepper *s);
void proj_draw(const Stepper *s, SDL_Renderer *r, const VizFonts *f, const Layout *l);
void proj_draw_beside(const Stepper *s, SDL_Renderer *r, const VizFonts *f, SDL_Rect main);

/* The probe asked for (s->probe.kind) of the zoomed channel, then the
 * stepper's own state back: batch 1, the input's forward pass. */
void probe_run(Stepper *s, AppProgress progress, void *ctx);
void probe_free(ProbeView *p);
int probe_key(Stepper *s, GuiKeyAct k);
int probe_shown(const Stepper *s);
void probe_draw(const Stepper *s, SDL_Renderer *r, const VizFonts *f, SDL_Rect a);
/* The running probe's progress as a line; 0 when there is none to show. */
int probe_progress_text(const Stepper *s, const JobStatus *st, char *buf, size_t n);
/* While the probe runs: what it has found so far in a, read under mu; 0
 * when there is nothing yet (a left as it is). */
int probe_draw_live(const Stepper *s, pthread_mutex_t *mu, SDL_Renderer *r, const VizFonts *f, SDL_Rect a);
/* 1 when there is something to show under the progress box. */
int probe_has_live(const Stepper *s, pthread_mutex_t *mu);

int filters_key(Stepper *s, GuiKeyAct k);
int filters_shown(const Stepper *s);
void filters_draw(const Stepper *s, SDL_Renderer *r, const VizFonts *f, SDL_Rect a);

int pad_open(InputPad *p, const Session *ses);
void pad_close(InputPad *p);
/* A dropped image file as the next input (the message line says why not). */
void pad_drop(Stepper *s, const char *path);
/* The drawing's own mouse and key events; 1 when e was one. */
int pad_event(Stepper *s, const StepperFrame *fr, const SDL_Event *e);
/* N, P, G, W: the input's keys; I (invert: auto, on, off) on a drawing or a
 * dropped file of a model fed MNIST-made pictures. */
int input_key(Stepper *s, GuiKeyAct k);
/* The input panel while drawing: the canvas, its guide box, the pen and
 * inversion, and what the network is fed, small, in a corner. */
void pad_draw(const Stepper *s, SDL_Renderer *r, const VizFonts *f, SDL_Rect area, SDL_Rect in_rect);
/* The pending input into the session (when the worker is free). */
void pad_feed(Stepper *s);

int browse_key(Stepper *s, GuiKeyAct k, const VizFonts *f, SDL_Rect main);
/* The page holding the test image fed (page 0 when the input is no test image). */
void browse_show_sample(Stepper *s, const VizFonts *f, SDL_Rect main);
int browse_event(Stepper *s, const SDL_Event *e, const VizFonts *f, SDL_Rect main);
void browse_draw(const Stepper *s, SDL_Renderer *r, const VizFonts *f, SDL_Rect a);

int view3d_key(Stepper *s, GuiKeyAct k);
/* 1 while the camera still glides to the current layer. */
int view3d_moving(const Stepper *s);
int view3d_event(Stepper *s, const SDL_Event *e, SDL_Rect main);
void view3d_update(Stepper *s);
void view3d_draw(const Stepper *s, SDL_Renderer *r, const VizFonts *f, SDL_Rect a);

#endif
