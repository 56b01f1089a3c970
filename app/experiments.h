/*
 * experiments.h — the experiments behind the history, run on the engine
 * (`convscope experiment`): each reproduces one figure of a paper at the
 * scale of this machine and returns its curves as numbers. No SDL here: the
 * plot is drawn by viz/ (viz_draw_line_chart) from the same numbers, so a
 * window screen can draw them live.
 */
#ifndef CONVSCOPE_EXPERIMENTS_H
#define CONVSCOPE_EXPERIMENTS_H

#include <stdio.h>

#include "app.h"

#define EXP_MAX_SERIES 24
#define EXP_MAX_PANELS 6
#define EXP_MAX_POINTS 512
#define EXP_MAX_EXTRAS 48

/* One curve: y against x, drawn in panel `panel`. */
typedef struct {
    char name[40];
    int panel;
    int dashed;        /* drawn dashed (a test-set curve beside its training curve) */
    int color;         /* index into the palette: a curve and its dashed twin share it */
    int n;
    double x[EXP_MAX_POINTS], y[EXP_MAX_POINTS];
} ExpSeries;

/* One chart of the figure: its title and axes with units. */
typedef struct {
    char title[96], x_label[64], y_label[64];
    double y_min, y_max; /* y_max > y_min: fixed range (percent, probability); else from the data */
} ExpPanel;

/* A named number of the result (epochs to a threshold, parameters, seconds). */
typedef struct {
    char key[48];
    double v;
} ExpExtra;

typedef struct {
    char experiment[32];
    char title[160];            /* names the paper's figure */
    char claim[240];            /* the paper's claim, one sentence */
    char setup[1600];           /* what was run and why (the data, the widths, the schedule) */
    char finding[600];          /* what the numbers show, the effect seen or not */
    ExpPanel panel[EXP_MAX_PANELS];
    int n_panels;
    ExpSeries *s;               /* [EXP_MAX_SERIES] */
    int n_series;
    ExpExtra extra[EXP_MAX_EXTRAS];
    int n_extras;
    /* the figure's second part: a picture (the filter mosaics), drawn beside the
     * panels by the plot when not NULL; (rows of `cols` tiles of h x w, values any) */
    float *mosaic;
    int mosaic_rows, mosaic_cols, mosaic_h, mosaic_w;
    char mosaic_labels[16][24];
    int threads;                /* read back from a JSON: the threads of the run (0: not said) */
} ExpResult;

struct ExpTrain;
struct ExpCurves;

/* How a run is made: --quick, or the full settings; --threads; --seed. */
typedef struct {
    int quick;
    int tiny;          /* a smaller variant still (the test suite): a few batches per epoch */
    int epochs;        /* > 0: overrides the experiment's epochs */
    uint64_t seed;
    int threads;
    AppProgress progress; /* may be NULL */
    void *ctx;
    /* after each epoch of each training (may be NULL): its curves so far, to be
     * drawn while the run goes on (the window's experiments screen) */
    void (*on_curves)(void *ctx, const struct ExpTrain *t, const struct ExpCurves *c);
    /* asked before each training step (may be NULL): 1 stops the run there */
    int (*stopped)(void *ctx);
} ExpRun;

typedef struct {
    const char *name;
    const char *figure;    /* "He et al. 2016, Fig. 1 and 6" */
    const char *summary;   /* one line for `experiment list` */
    /* NULL for an experiment run by its own command (occlusion) */
    int (*run)(const ExpRun *r, ExpResult *out);
    const char *command;   /* the command that runs it, when run is NULL */
} ExpDef;

/* The experiments (exp_train_runs.c, exp_look_runs.c). */
int exp_run_degradation(const ExpRun *r, ExpResult *out);
int exp_run_relu_tanh(const ExpRun *r, ExpResult *out);
int exp_run_layers(const ExpRun *r, ExpResult *out);
int exp_run_invariance(const ExpRun *r, ExpResult *out);
int exp_run_vgg(const ExpRun *r, ExpResult *out);
int exp_run_dropout(const ExpRun *r, ExpResult *out);

int exp_count(void);
const ExpDef *exp_at(int i);
const ExpDef *exp_find(const char *name);

/* A zeroed result with its series buffer; free it with exp_result_free. */
int exp_result_init(ExpResult *r, const char *name);
void exp_result_free(ExpResult *r);
/* Adds a series (NULL when all EXP_MAX_SERIES are taken) and a point to it. */
ExpSeries *exp_series(ExpResult *r, const char *name, int panel, int color, int dashed);
void exp_point(ExpSeries *s, double x, double y);
void exp_extra(ExpResult *r, const char *key, double v);
int exp_panel(ExpResult *r, const char *title, const char *x_label, const char *y_label, double y_min,
              double y_max);
/* printf-style append to the result's setup or finding text. */
void exp_note(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The result as JSON (the keys of the issue: experiment, x_label, y_label,
 * series [{name, x, y}], and title, claim, setup, finding, panels, extras). */
void exp_write_json(FILE *f, const ExpResult *r, const char *command, uint64_t seed, int threads);
/* One CSV per series into dir (dir/NAME.SERIES.csv, temp then rename); 0 or -1 after a line. */
int exp_write_csvs(const ExpResult *r, const char *dir);
/* The plot (app/exp_plot.c, with the GUI): dir/NAME.png. 0, or -1 after a line. */
int exp_write_png(const ExpResult *r, const char *path);

/* 1 when b's curves and named numbers are a's to the bit: the same curves
 * (names, panels, points) and the numbers both have (wall-clock times left
 * out); else 0, with the first difference in why. */
int exp_same_numbers(const ExpResult *a, const ExpResult *b, char *why, size_t n);

/* ---- the shipped results read back (exp_read.c) -------------------------------------- */

/* The JSON of exp_write_json (text, n bytes) into r (freed on failure); the
 * curves' colours and dashes from their names. 0, or -1 with why in err. */
int exp_parse_json(const char *text, size_t n, ExpResult *r, char *err, size_t errlen);
/* assets/experiments/NAME.quick.json (the shipped quick run) into buf. */
const char *exp_shipped_path(const char *name, char *buf, size_t n);
/* The shipped quick result of experiment name read into r. 0, or -1 with err. */
int exp_load_shipped(const char *name, ExpResult *r, char *err, size_t errlen);
/* r's named number key, or NULL. */
const ExpExtra *exp_extra_find(const ExpResult *r, const char *key);

/* ---- training, shared by the experiments (exp_train.c) ---------------------------- */

typedef struct ExpTrain {
    EngGraph *g;                 /* built, not planned */
    const EngDataset *train, *test;
    int n_train, n_test;         /* the first n of each (a fixed, class-balanced-enough prefix) */
    int epochs, batch;
    EngOptKind opt;
    double lr, weight_decay, momentum;
    int lr_steps;                /* 1: lr / 10 at 50 % and 75 % of the epochs (He et al.); 0: constant */
    EngInit init;
    uint64_t seed;
    int augment;                 /* APP_AUG_* */
    int points_per_epoch;        /* training error reported this many times an epoch */
    int eval_train;              /* also measure the training subset in inference mode each epoch */
    int max_batches;             /* > 0: stop each epoch after this many batches (tests) */
    /* a look at the weights once initialised (epoch -1) and after every epoch
     * (0-based); 0 to go on. May be NULL. */
    int (*on_epoch)(void *ctx, EngGraph *g, int epoch);
    void *ctx;
    const char *label;           /* progress: the run's name */
    const ExpRun *run;
    /* the names of the result's curves the running training error, the test
     * error and the training error per epoch become (NULL: none); a run
     * reported as it goes (on_curves) is drawn under them */
    const char *as_running, *as_test, *as_train;
} ExpTrain;

typedef struct ExpCurves {
    int n_running;               /* training error points: running mean over 1/points of an epoch */
    double run_x[EXP_MAX_POINTS], run_err[EXP_MAX_POINTS];
    double train_err[EXP_MAX_POINTS]; /* per epoch, inference mode (eval_train) */
    double test_err[EXP_MAX_POINTS];  /* per epoch */
    double seconds;              /* the training steps only */
    int epochs_done;
} ExpCurves;

/* Trains t->g as told; errors in percent. 0, or -1 after a line on stderr. */
int exp_train(const ExpTrain *t, ExpCurves *c);
/* Error (percent) of g on the first n of d, inference mode, at g's planned batch. */
int exp_error(EngGraph *g, const EngDataset *d, int n, double *err);

/* The data of the experiments: Fashion-MNIST, loaded once per process. */
int exp_fashion(const EngDataset **train, const EngDataset **test);
void exp_data_free(void);

#endif
