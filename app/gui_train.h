/*
 * gui_train.h — the training screen (J): a small network (lenet5 and its
 * variants, the *_mini models) trained on digits or Fashion-MNIST by the same
 * run as `convscope train` (app_train_run), on a worker of its own so that
 * the window keeps drawing and the other screens keep theirs. The loss
 * (every few steps) and the test accuracy (every epoch) are drawn as they
 * come, with the first convolution's filters as they are now; the run can be
 * paused, resumed and stopped (a stop saves where it is, as Ctrl-C does in
 * the command). The weights go where the screen says, and Enter opens them.
 * No SDL in what the worker runs: it publishes under the screen's mutex.
 */
#ifndef CONVSCOPE_GUI_TRAIN_H
#define CONVSCOPE_GUI_TRAIN_H

#include <pthread.h>

#include "app.h"
#include "jobs.h"

enum { TRAIN_MODELS = 32, TRAIN_POINTS = 2048 };
enum { TRAIN_IDLE, TRAIN_RUNNING, TRAIN_DONE, TRAIN_STOPPED, TRAIN_FAILED };

typedef struct TrainGui {
    /* the choices (the window's thread only) */
    const ModelCard *models[TRAIN_MODELS];
    int n_models, model, data, epochs;
    char out[4096];           /* where the run writes: the checkpoint, its .filters sibling beside */
    char run_model[64], run_data[16], run_epochs[16], run_steps[16]; /* the run's argv */
    int steps;                /* > 0: stop after that step (render's --steps) */
    EngGraph *shape;          /* the chosen network without training: the filters' sizes */
    int conv;                 /* its first convolution's node, -1 none */
    Jobs *jobs;               /* the training's own worker, made at the first start */
    unsigned long job;
    /* shared with the worker, under mu */
    pthread_mutex_t mu;
    pthread_cond_t wake;      /* a pause ends */
    int state;                /* TRAIN_* */
    int paused, stop;
    int epoch, epochs_run, batch, batches;
    int64_t step;
    double lx[TRAIN_POINTS], ly[TRAIN_POINTS]; /* the loss: x in epochs, the mean over `every` steps */
    int nl, every, sum_n;
    double sum;
    double ax[TRAIN_POINTS], ay[TRAIN_POINTS]; /* the test accuracy (%) after each epoch */
    int na;
    float *filters;           /* the first convolution's weights now (n_filters), NULL before */
    size_t n_filters;
    int64_t filters_step;
    double started_ms, paused_ms, pause_since; /* wall time of the run, pauses left out */
    JobCtl *ctl;              /* the worker's: a cancelled job stops */
} TrainGui;

/* The models offered, lenet5 first; the choices at their defaults. */
void train_gui_init(TrainGui *t);
/* Stop a run (it saves), wait for the worker, free everything. */
void train_gui_free(TrainGui *t);
/* The chosen network changed: its shape and the path it writes to. */
void train_gui_choose(TrainGui *t, int model, int data, int epochs);
/* Where the weights of model trained on data go: $XDG_DATA_HOME/convscope/
 * trained (else ~/.local/share/convscope/trained, made as needed), else the
 * current folder; <model>-<data>.safetensors. */
void train_default_path(const char *model, const char *data, char *buf, size_t n);
/* Start a run of the choices on the worker; 0, or -1 (no memory, no worker). */
int train_gui_start(TrainGui *t);
/* The run on this thread (render, tests): the same work the worker does. */
int train_gui_run_here(TrainGui *t);
/* Back to the choices after a run (its curves cleared); nothing while one runs. */
void train_gui_clear(TrainGui *t);
void train_gui_pause(TrainGui *t);    /* pause, or resume */
void train_gui_stop(TrainGui *t);     /* stop: saved where it is */
/* 1 while a run is under way, with what it is doing in buf. */
int train_gui_busy(TrainGui *t, char *buf, size_t n);
/* 1 while a run moves (under way and not paused): the screen redraws. */
int train_gui_moving(TrainGui *t);

#ifdef CONVSCOPE_HAVE_GUI
#include "gui_keys.h"
#include "viz.h"
/* The screen in w x h: the choices, the run's state and path, the loss and
 * accuracy curves, the first convolution's filters; msg (may be "") on the
 * status line. */
void train_draw(TrainGui *t, SDL_Renderer *r, const VizFonts *f, int w, int h, const char *msg);
/* A key or click of the screen; the keys it leaves to the window (Esc, the
 * other screens', help, F12, Enter after a run: open the weights) as their
 * action, KEY_NONE when it used the event. */
GuiKeyAct train_event(TrainGui *t, const SDL_Event *e, const VizFonts *f, int w, int h);
#endif

#endif
