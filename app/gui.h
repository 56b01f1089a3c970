/*
 * gui.h — the window's screens besides the forward stepper (stepper.h): the
 * block comparison and the whole-zoo chart (gui_compare.c; gui_bench.c runs
 * them in the window). Counts are computed on the thread that draws
 * (building a graph without weights is cheap); times are measured on the
 * window's worker thread (jobs.h) and published under its mutex, tagged with
 * the configuration they belong to.
 */
#ifndef CONVSCOPE_GUI_H
#define CONVSCOPE_GUI_H

#include <pthread.h>

#include "app.h"
#include "blocks.h"
#include "experiments.h"
#include "viz.h"

enum { CMP_SLIDERS = 4, CMP_CHIPS = 6 };

/* block, cfg, g[] and scratch_gb are read by the worker: the window
 * changes them only under the worker's mutex. */
typedef struct {
    int block;                /* index into the block list */
    BlockCfg cfg;
    EngCount count;
    EngGraph *g[2];           /* designs A and B, without weights: counts and diagrams */
    EngTotals t[2];
    int64_t ops[2], act[2];   /* ops under `count`; activations of the block's layers, bytes */
    double scratch_gb;        /* largest working set of one side, for the timing guard */
    char error[320];          /* the configuration cannot be built: why */
    char branch[640];         /* one branch against the whole block ("": the block has none) */
    int drag;                 /* slider held by the mouse, -1 none */
    int want_runs;            /* timed passes per side (median), after a warm-up */
    /* shared with the worker (under its mutex) */
    unsigned long gen;        /* bumped at every change of block or size */
    unsigned long done_gen;   /* the configuration ms[] was measured on */
    double ms[2];             /* median forward time, 0 = not measured */
    int runs_done, runs;      /* progress of the measurement under way */
    char time_note[160];      /* why there is no time, if there is none */
} CompareView;

#define ZOO_MAX 96
typedef struct {
    const ModelCard *card[ZOO_MAX];
    int n;
    EngTotals t[ZOO_MAX];     /* read by the worker: written under its mutex */
    int64_t ops[ZOO_MAX];
    int depth[ZOO_MAX];       /* weighted layers on the longest path */
    EngPaths paths[ZOO_MAX];  /* input-to-output paths */
    EngCount count;
    int x_latency;            /* bubble chart's x: latency instead of operations */
    int scroll;
    /* shared with the worker (under its mutex) */
    unsigned long gen;        /* bumped to cancel or restart the measurement */
    double ms[ZOO_MAX];       /* median forward time (batch 1), 0 = not yet */
    int measured, running;    /* models done; a measurement under way */
    int runs;                 /* passes per model (median), after one warm-up */
    char note[200];           /* a network that could not be counted or timed: why (under the mutex
                                 while the worker runs) */
} ZooView;

/* Receptive field, layer by layer, of several networks at once: the classic
 * ones, and the model open (an imported file, a zoo network not among them). */
#define RF_NETS 9
#define RF_MAX (RF_NETS + 1)
#define RF_POINTS 256
typedef struct {
    const ModelCard *card[RF_MAX];
    int on[RF_MAX];           /* drawn */
    int n;
    int n_pts[RF_MAX];
    int depth[RF_MAX][RF_POINTS]; /* weighted layers from the input up to the point */
    int64_t size[RF_MAX][RF_POINTS];
    int64_t final[RF_MAX];    /* field of the last unit with a finite one (height) */
    int64_t size_w[RF_MAX][RF_POINTS], final_w[RF_MAX]; /* the same along the width */
    int input[RF_MAX];        /* the input's side */
    char note[200];           /* a network that could not be drawn: why */
} RfView;
/* extra, g (may be NULL): the open model and its graph, added (and drawn) when
 * it is not one of the classic networks; a classic one is drawn. */
void rf_init(RfView *v, const ModelCard *extra, const EngGraph *g);
void rf_draw(const RfView *v, SDL_Renderer *r, const VizFonts *f, int w, int h);
void rf_event(RfView *v, const SDL_Event *e, const VizFonts *f, int w, int h);

/* The model picker: the zoo on a timeline, one column per year, and the
 * chosen network's card (its counts from a ZooView). */
typedef struct {
    int sel;                   /* index into the zoo's cards */
    char lang[4];              /* the card's words: "ko", or "" / "en" for English (card_text.h) */
} PickView;
void pick_draw(const PickView *p, const ZooView *z, SDL_Renderer *r, const VizFonts *f, int w, int h,
               const char *note);
/* 1 when the chosen network should be opened (Enter, or a click on the chosen card). */
int pick_event(PickView *p, const ZooView *z, const SDL_Event *e, const VizFonts *f, int w, int h);

/* Block `block` at configuration cfg (NULL: its defaults). */
void compare_init(CompareView *c, int block, const BlockCfg *cfg, EngCount count);
void compare_free(CompareView *c);
/* Rebuild the two designs after a change of block, cfg or count. */
void compare_rebuild(CompareView *c);
/* Draw the screen; mu guards the times (NULL when nothing runs concurrently). */
void compare_draw(CompareView *c, pthread_mutex_t *mu, SDL_Renderer *r, const VizFonts *f, int w,
                  int h);
/* A mouse or key event on the screen; returns 1 when the designs changed
 * (times must be measured again). */
int compare_event(CompareView *c, pthread_mutex_t *mu, const SDL_Event *e, const VizFonts *f,
                  int w, int h);
/* On the worker: median forward times of both designs for the current
 * generation; gives up as soon as the generation changes. */
void compare_measure(CompareView *c, pthread_mutex_t *mu);

/* Every zoo network (only: comma-separated names, or NULL for all). -1 and
 * a line on stderr for an unknown name. */
int zoo_init(ZooView *z, const char *only, EngCount count, int runs);
/* The counts again (after a change of convention); mu: the worker's mutex,
 * or NULL when nothing runs concurrently. */
void zoo_recount(ZooView *z, pthread_mutex_t *mu);
void zoo_draw(ZooView *z, pthread_mutex_t *mu, SDL_Renderer *r, const VizFonts *f, int w, int h);
/* 1 when the measurement should restart. */
int zoo_event(ZooView *z, pthread_mutex_t *mu, const SDL_Event *e, const VizFonts *f, int w, int h);
/* On the worker: forward time of every model, smallest first, published one
 * by one; stops when the generation changes. */
void zoo_measure(ZooView *z, pthread_mutex_t *mu);

/* The experiments screen (gui_experiments.c): the experiments listed, the
 * chosen one's shipped quick result drawn from its JSON with the paper's
 * claim and the finding, and its quick run made again on the worker, its
 * curves drawn over the shipped ones as each training finishes. */
enum { EXPS_NONE, EXPS_RUNNING, EXPS_DONE, EXPS_CANCELLED, EXPS_FAILED };
typedef struct {
    int sel;                  /* index into exp_at() */
    ExpResult shipped;        /* sel's shipped quick result (s NULL: none, error says why) */
    char error[600];
    char msg[240];            /* the screen's status line */
    /* the rerun: written under the worker's mutex (state, progress, curves) */
    int state;                /* EXPS_* */
    int of;                   /* the experiment rerun */
    int tiny;                 /* the test suite's tiny variant rather than the quick run */
    int threads;              /* the threads it runs on: the shipped run's */
    int trainings;            /* networks trained so far */
    int epoch, epochs;        /* the training under way */
    ExpResult rerun;          /* its curves so far (the finished trainings'), then all */
    ExpSeries live[3];        /* the training under way, epoch by epoch (its running, test and
                               * training error, under the names of the curves they become) */
    int n_live;
    char live_label[40];      /* that training's name and its last epoch's errors (-1: none) */
    double live_run_err, live_test_err;
    int same;                 /* done: 1 when the numbers are the shipped run's to the bit */
    char verdict[400];        /* done: how it compares with the shipped run */
    double t0_ms, seconds;
    unsigned long job;
} ExpScreen;
void exps_init(ExpScreen *v);
void exps_free(ExpScreen *v);
/* Experiment i chosen, its shipped result read. */
void exps_select(ExpScreen *v, int i);
/* Get a rerun of the chosen experiment ready (state RUNNING); -1 with msg
 * set when it cannot run here (occlusion, no shipped result, one running).
 * mu: the worker's mutex, or NULL when nothing runs concurrently. */
int exps_rerun_begin(ExpScreen *v, pthread_mutex_t *mu, int tiny);
/* The rerun made (on the worker, or at once for render): the experiment's
 * quick (or tiny) run at seed 1 on the shipped run's threads, its curves
 * published as each training ends, then compared with the shipped numbers.
 * progress (may be NULL) gets each epoch, stop (may be NULL) is asked between
 * training steps; either returning 1 cancels. */
void exps_rerun(ExpScreen *v, pthread_mutex_t *mu, int (*progress)(void *ctx, int done, int total),
                int (*stop)(void *ctx), void *ctx);
void exps_draw(ExpScreen *v, pthread_mutex_t *mu, SDL_Renderer *r, const VizFonts *f, int w, int h);
/* The list row at (x, y), or -1. */
int exps_row_at(const VizFonts *f, int w, int h, int x, int y);

/* The convention chips shared by both screens, laid out from (x, y);
 * returns the index of the chip at (px, py) or -1 (r NULL: hit test only). */
int gui_count_chips(SDL_Renderer *r, const VizFonts *f, int x, int y, EngCount c, int px, int py);
/* Toggle chip k of the convention. */
void gui_count_toggle(EngCount *c, int k);

#endif
