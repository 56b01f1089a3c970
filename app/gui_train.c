/*
 * gui_train.c — the training screen (gui_train.h): the choices, the run on
 * the training's own worker through app_train_run (the loop of `convscope
 * train`, so the file written is the one the command writes for the same
 * settings), the curves and the filters drawn from what the run publishes.
 */
#ifdef CONVSCOPE_HAVE_GUI
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gui_frame.h"
#include "gui_train.h"
#include "window.h"

static const char *const data_sets[] = {"digits", "fashion"};
enum { N_DATA = 2, EPOCHS_DEFAULT = 3, EPOCHS_MAX = 100 };

/* ---- the choices ---------------------------------------------------------------------- */

static int is_trainable(const ModelCard *c) {
    size_t n = strlen(c->name);
    return !strncmp(c->name, "lenet5", 6) || (n > 5 && !strcmp(c->name + n - 5, "_mini"));
}

void train_gui_init(TrainGui *t) {
    memset(t, 0, sizeof *t);
    pthread_mutex_init(&t->mu, NULL);
    pthread_cond_init(&t->wake, NULL);
    t->conv = -1;
    for (int i = 0; model_at(i) && t->n_models < TRAIN_MODELS; i++)
        if (is_trainable(model_at(i)) && !strncmp(model_at(i)->name, "lenet5", 6))
            t->models[t->n_models++] = model_at(i);
    for (int i = 0; model_at(i) && t->n_models < TRAIN_MODELS; i++)
        if (is_trainable(model_at(i)) && strncmp(model_at(i)->name, "lenet5", 6))
            t->models[t->n_models++] = model_at(i);
    for (int i = 0; i < t->n_models; i++)
        if (!strcmp(t->models[i]->name, "lenet5")) t->model = i;
    train_gui_choose(t, t->model, 0, EPOCHS_DEFAULT);
}

/* mkdir -p of the folders above path's last '/'; 0, or -1. */
static int make_dirs(char *path) {
    for (char *p = path + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        int bad = mkdir(path, 0755) != 0 && errno != EEXIST;
        *p = '/';
        if (bad) return -1;
    }
    return 0;
}

void train_default_path(const char *model, const char *data, char *buf, size_t n) {
    const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
    if (xdg && xdg[0] == '/') snprintf(buf, n, "%s/convscope/trained/%s-%s.safetensors", xdg, model, data);
    else if (home && home[0] == '/')
        snprintf(buf, n, "%s/.local/share/convscope/trained/%s-%s.safetensors", home, model, data);
    else buf[0] = 0;
    if (!buf[0] || make_dirs(buf) != 0) snprintf(buf, n, "%s-%s.safetensors", model, data);
}

void train_gui_choose(TrainGui *t, int model, int data, int epochs) {
    if (model < 0 || model >= t->n_models || data < 0 || data >= N_DATA || epochs < 1 || epochs > EPOCHS_MAX)
        return;
    const int changed = !t->shape || model != t->model || data != t->data;
    t->model = model, t->data = data, t->epochs = epochs;
    train_gui_clear(t);
    if (!changed) return;
    train_default_path(t->models[model]->name, data_sets[data], t->out, sizeof t->out);
    if (t->shape) eng_graph_destroy(t->shape);
    AppOptions o = {0};
    o.model = t->models[model]->name;
    const ModelCard *card;
    int rc;
    app_log_capture(1);
    t->shape = app_build_model(&o, &card, &rc);
    /* the run's first weights: `train`'s seed 1 and He initialisation */
    if (t->shape && eng_graph_init_params_ex(t->shape, 1, ENG_INIT_HE) != 0) {
        eng_graph_destroy(t->shape);
        t->shape = NULL;
    }
    app_log_capture(0);
    t->conv = -1;
    for (int i = 0; t->shape && i < eng_graph_node_count(t->shape) && t->conv < 0; i++)
        if (eng_graph_node(t->shape, i)->op == ENG_OP_CONV) t->conv = i;
}

/* ---- the run, on the worker ------------------------------------------------------------ */

void train_gui_clear(TrainGui *t) {
    pthread_mutex_lock(&t->mu);
    if (t->state != TRAIN_RUNNING) {
        t->state = TRAIN_IDLE;
        t->epoch = t->batch = t->batches = t->epochs_run = 0;
        t->step = 0;
        t->nl = t->na = t->every = t->sum_n = 0;
        t->sum = 0.0;
        free(t->filters);
        t->filters = NULL, t->n_filters = 0;
    }
    pthread_mutex_unlock(&t->mu);
}

/* A point of the loss: the mean of the last `every` steps; a full curve is
 * halved (pairs averaged) and the points made twice as far apart. */
static void add_loss(TrainGui *t, double x, double loss) {
    t->sum += loss;
    if (++t->sum_n < t->every) return;
    if (t->nl == TRAIN_POINTS) {
        for (int i = 0; i < TRAIN_POINTS / 2; i++)
            t->lx[i] = t->lx[2 * i + 1], t->ly[i] = 0.5 * (t->ly[2 * i] + t->ly[2 * i + 1]);
        t->nl = TRAIN_POINTS / 2;
        t->every *= 2;
    }
    t->lx[t->nl] = x, t->ly[t->nl++] = t->sum / t->sum_n;
    t->sum = 0.0, t->sum_n = 0;
}

/* The report of app_train_run: the numbers published, the filters copied,
 * the pause waited out; nonzero when the run should stop. */
static int on_report(void *ctx, const AppTrainReport *r) {
    TrainGui *t = ctx;
    pthread_mutex_lock(&t->mu);
    t->epoch = r->epoch, t->epochs_run = r->epochs, t->batch = r->batch, t->batches = r->batches;
    t->step = r->step;
    if (!t->every) t->every = r->batches >= 100 ? r->batches / 50 : 2;
    if (r->tested) {
        if (t->na < TRAIN_POINTS) t->ax[t->na] = r->epoch + 1, t->ay[t->na++] = 100.0 * r->test_acc;
    } else {
        add_loss(t, r->epoch + (double)r->batch / (r->batches > 0 ? r->batches : 1), r->loss);
    }
    const EngNode *nd = t->conv >= 0 && t->conv < eng_graph_node_count(r->g) ? eng_graph_node(r->g, t->conv) : NULL;
    if (nd && nd->op == ENG_OP_CONV && nd->params[0].data && (r->tested || r->step % 5 == 0 || !t->filters)) {
        if (!t->filters || t->n_filters != nd->params[0].n) {
            free(t->filters);
            t->filters = malloc(nd->params[0].n * sizeof *t->filters);
            t->n_filters = t->filters ? nd->params[0].n : 0;
        }
        if (t->filters) memcpy(t->filters, nd->params[0].data, t->n_filters * sizeof *t->filters);
        t->filters_step = r->step;
    }
    while (t->paused && !t->stop && !(t->ctl && jobs_stopped(t->ctl))) pthread_cond_wait(&t->wake, &t->mu);
    const int stop = t->stop || (t->ctl && jobs_stopped(t->ctl));
    pthread_mutex_unlock(&t->mu);
    return stop;
}

static void run_reset(TrainGui *t);

/* The run of the choices (run_reset made its arguments), to its end. */
static int run(TrainGui *t) {
    char *argv[] = {"train", t->run_model, "--data", t->run_data, "--epochs", t->run_epochs,
                    "--out", t->out, "--steps", t->run_steps, NULL};
    AppOptions o;
    int help = 0, argc = t->steps > 0 ? 10 : 8, stopped = 0;
    int rc = app_parse_cmd(argc, argv, "", &o, &help); /* the command's defaults, as `train` takes them */
    if (rc == APP_OK) {
        const AppTrainHooks hooks = {on_report, t};
        rc = app_train_run(&o, &hooks, &stopped);
    }
    pthread_mutex_lock(&t->mu);
    t->state = rc != APP_OK ? TRAIN_FAILED : stopped ? TRAIN_STOPPED : TRAIN_DONE;
    if (t->paused) t->paused_ms += app_now_ms() - t->pause_since;
    t->paused = 0;
    pthread_mutex_unlock(&t->mu);
    return rc;
}

static void *train_job(void *arg, int kind, JobCtl *ctl) {
    TrainGui *t = arg;
    pthread_mutex_lock(&t->mu);
    t->ctl = ctl;
    pthread_mutex_unlock(&t->mu);
    run(t);
    pthread_mutex_lock(&t->mu);
    t->ctl = NULL;
    pthread_mutex_unlock(&t->mu);
    return NULL;
}

/* The run's arguments and a fresh record of it. */
static void run_reset(TrainGui *t) {
    snprintf(t->run_model, sizeof t->run_model, "%s", t->models[t->model]->name);
    snprintf(t->run_data, sizeof t->run_data, "%s", data_sets[t->data]);
    snprintf(t->run_epochs, sizeof t->run_epochs, "%d", t->epochs);
    snprintf(t->run_steps, sizeof t->run_steps, "%d", t->steps > 0 ? t->steps : 1);
    pthread_mutex_lock(&t->mu);
    t->state = TRAIN_RUNNING;
    t->paused = t->stop = 0;
    t->epoch = t->batch = t->batches = 0, t->epochs_run = t->epochs;
    t->step = 0;
    t->nl = t->na = t->every = t->sum_n = 0;
    t->sum = 0.0;
    free(t->filters);
    t->filters = NULL, t->n_filters = 0;
    t->started_ms = app_now_ms(), t->paused_ms = 0.0;
    pthread_mutex_unlock(&t->mu);
}

int train_gui_run_here(TrainGui *t) {
    run_reset(t);
    return run(t);
}

int train_gui_start(TrainGui *t) {
    if (t->state == TRAIN_RUNNING || !t->n_models) return -1;
    if (!t->jobs) t->jobs = jobs_create();
    if (!t->jobs) return -1;
    run_reset(t);
    t->job = jobs_submit(t->jobs, &(JobSpec){train_job, NULL, t, 0, JOBS_FORE});
    if (!t->job) {
        pthread_mutex_lock(&t->mu);
        t->state = TRAIN_FAILED;
        pthread_mutex_unlock(&t->mu);
        return -1;
    }
    return 0;
}

void train_gui_pause(TrainGui *t) {
    pthread_mutex_lock(&t->mu);
    if (t->state == TRAIN_RUNNING && !t->stop) {
        t->paused = !t->paused;
        if (t->paused) t->pause_since = app_now_ms();
        else t->paused_ms += app_now_ms() - t->pause_since;
        pthread_cond_broadcast(&t->wake);
    }
    pthread_mutex_unlock(&t->mu);
}

void train_gui_stop(TrainGui *t) {
    pthread_mutex_lock(&t->mu);
    if (t->state == TRAIN_RUNNING) {
        t->stop = 1;
        if (t->paused) t->paused_ms += app_now_ms() - t->pause_since;
        t->paused = 0;
        pthread_cond_broadcast(&t->wake);
    }
    pthread_mutex_unlock(&t->mu);
}

int train_gui_busy(TrainGui *t, char *buf, size_t n) {
    pthread_mutex_lock(&t->mu);
    const int busy = t->state == TRAIN_RUNNING;
    if (busy)
        snprintf(buf, n, "training %s (epoch %d of %d; a quit saves it where it is)", t->run_model, t->epoch + 1,
                 t->epochs_run);
    pthread_mutex_unlock(&t->mu);
    return busy;
}

int train_gui_moving(TrainGui *t) {
    pthread_mutex_lock(&t->mu);
    const int moving = t->state == TRAIN_RUNNING && !t->paused;
    pthread_mutex_unlock(&t->mu);
    return moving;
}

void train_gui_free(TrainGui *t) {
    train_gui_stop(t);
    jobs_destroy(t->jobs); /* the run saves, then returns */
    t->jobs = NULL;
    if (t->shape) eng_graph_destroy(t->shape);
    free(t->filters);
    pthread_cond_destroy(&t->wake);
    pthread_mutex_destroy(&t->mu);
}

/* ---- drawing ---------------------------------------------------------------------------- */

/* Where things go: the choices on the left, the curves and filters right. */
typedef struct {
    SDL_Rect left, loss, acc, filt;
    int model_y, row_h, data_y, epochs_y, state_y;
    SDL_Rect data_chip[N_DATA];
} TrainLayout;

static TrainLayout train_layout(const TrainGui *t, const VizFonts *f, int w, int h) {
    TrainLayout L;
    const int m = 24, top = m + f->line + 12, bottom = h - 2 * f->small_line - 16;
    int lw = w * 30 / 100;
    if (lw < 300) lw = 300;
    L.left = (SDL_Rect){m, top, lw, bottom - top};
    const int rx = m + lw + 2 * m, rw = w - rx - m, rh = bottom - top;
    const int charts_h = rh * 55 / 100;
    L.loss = (SDL_Rect){rx, top, (rw - m) / 2, charts_h};
    L.acc = (SDL_Rect){rx + (rw - m) / 2 + m, top, rw - (rw - m) / 2 - m, charts_h};
    L.filt = (SDL_Rect){rx, top + charts_h + m, rw, rh - charts_h - m};
    L.row_h = f->small_line + 2;
    L.model_y = top + f->line + 4;
    L.data_y = L.model_y + t->n_models * L.row_h + 12;
    int x = m;
    int cy = L.data_y + f->line + 4;
    for (int k = 0; k < N_DATA; k++) {
        L.data_chip[k] = viz_chip(NULL, f, x, cy, data_sets[k], k == t->data);
        x += L.data_chip[k].w + 8;
    }
    L.epochs_y = cy + L.data_chip[0].h + 12;
    L.state_y = L.epochs_y + f->line + 16;
    return L;
}

/* What the worker published, copied under the mutex (the drawing reads the copy). */
typedef struct {
    int state, paused, epoch, epochs, batch, batches, nl, na;
    int64_t step, filters_step;
    double elapsed;
    double lx[TRAIN_POINTS], ly[TRAIN_POINTS], ax[TRAIN_POINTS], ay[TRAIN_POINTS];
    float *filters;
} TrainCopy;

static void train_copy(TrainGui *t, TrainCopy *c) {
    pthread_mutex_lock(&t->mu);
    c->state = t->state, c->paused = t->paused, c->epoch = t->epoch, c->epochs = t->epochs_run;
    c->batch = t->batch, c->batches = t->batches, c->nl = t->nl, c->na = t->na;
    c->step = t->step, c->filters_step = t->filters_step;
    const double now = t->paused ? t->pause_since : app_now_ms();
    c->elapsed = t->state == TRAIN_IDLE ? 0.0 : (now - t->started_ms - t->paused_ms) / 1000.0;
    memcpy(c->lx, t->lx, (size_t)t->nl * sizeof *c->lx);
    memcpy(c->ly, t->ly, (size_t)t->nl * sizeof *c->ly);
    memcpy(c->ax, t->ax, (size_t)t->na * sizeof *c->ax);
    memcpy(c->ay, t->ay, (size_t)t->na * sizeof *c->ay);
    c->filters = NULL;
    if (t->filters && t->shape && t->conv >= 0 && eng_graph_node(t->shape, t->conv)->params[0].n == t->n_filters) {
        c->filters = malloc(t->n_filters * sizeof *c->filters);
        if (c->filters) memcpy(c->filters, t->filters, t->n_filters * sizeof *c->filters);
    }
    pthread_mutex_unlock(&t->mu);
}

/* A path in lines of at most w pixels, cut after a '/' where it can be;
 * returns the height used. */
static int path_lines(SDL_Renderer *r, TTF_Font *font, int line_h, int x, int y, int w, SDL_Color c,
                      const char *path) {
    int used = 0;
    const char *p = path;
    while (*p) {
        char buf[4096];
        size_t best = 0, n = strlen(p);
        for (size_t k = 1; k <= n && k < sizeof buf; k++) { /* the longest piece ending at a '/' or the end */
            if (k < n && p[k - 1] != '/') continue;
            int tw = 0, th = 0;
            snprintf(buf, sizeof buf, "%.*s", (int)k, p);
            if (viz_text_size(font, buf, &tw, &th) != 0 || tw > w) break;
            best = k;
        }
        if (!best) { /* no '/' early enough: as much as fits */
            viz_text_fit(r, font, x, y + used, w, c, p);
            return used + line_h;
        }
        snprintf(buf, sizeof buf, "%.*s", (int)best, p);
        viz_text(r, font, x, y + used, c, buf);
        used += line_h;
        p += best;
    }
    return used;
}

static void draw_choices(const TrainGui *t, const TrainCopy *c, SDL_Renderer *r, const VizFonts *f,
                         const TrainLayout *L) {
    const int x = L->left.x, w = L->left.w;
    const SDL_Color ink = viz_ink(), dim = viz_dim(), hi = {255, 196, 84, 255};
    viz_text_fit(r, f->sans, x, L->model_y - f->line - 4, w, ink, "Network  (Up / Down)");
    for (int i = 0; i < t->n_models; i++) {
        char line[160];
        snprintf(line, sizeof line, "%s %s  ·  %s", i == t->model ? "▸" : " ", t->models[i]->name,
                 t->models[i]->display);
        viz_text_fit(r, f->small, x, L->model_y + i * L->row_h, w, i == t->model ? hi : dim, line);
    }
    viz_text_fit(r, f->sans, x, L->data_y, w, ink, "Data  (1 digits, 2 fashion)");
    for (int k = 0; k < N_DATA; k++)
        viz_chip(r, f, L->data_chip[k].x, L->data_chip[k].y, data_sets[k], k == t->data);
    char line[600];
    snprintf(line, sizeof line, "Epochs  %d  (+ / -)", t->epochs);
    viz_text_fit(r, f->sans, x, L->epochs_y, w, ink, line);

    int y = L->state_y;
    const char *what = c->state == TRAIN_IDLE      ? "Enter starts training"
                       : c->state == TRAIN_RUNNING ? (c->paused ? "paused: Space resumes, Backspace stops"
                                                                : "training: Space pauses, Backspace stops")
                       : c->state == TRAIN_DONE    ? "done: Enter opens the weights in the stepper"
                       : c->state == TRAIN_STOPPED ? "stopped and saved: Enter opens the weights"
                                                   : "the run failed (see the terminal); Enter tries again";
    y += viz_text_wrap(r, f->sans, x, y, w, c->state == TRAIN_FAILED ? hi : ink, what) + 6;
    if (c->state != TRAIN_IDLE) {
        snprintf(line, sizeof line, "epoch %d/%d  ·  batch %d/%d  ·  step %lld  ·  %.0f s",
                 c->epoch + (c->state == TRAIN_DONE ? 0 : 1), c->epochs, c->batch, c->batches, (long long)c->step,
                 c->elapsed);
        y += viz_text_wrap(r, f->small, x, y, w, dim, line) + 4;
        if (c->na) {
            snprintf(line, sizeof line, "test accuracy after epoch %d: %.2f%%", (int)c->ax[c->na - 1],
                     c->ay[c->na - 1]);
            y += viz_text_wrap(r, f->small, x, y, w, ink, line) + 4;
        }
    }
    snprintf(line, sizeof line, "%s (as 'convscope train' writes it; each run replaces it):",
             c->state == TRAIN_IDLE ? "Writes" : c->state == TRAIN_RUNNING ? "Writes after every epoch" : "Wrote");
    y += 6 + viz_text_wrap(r, f->small, x, y + 6, w, dim, line);
    path_lines(r, f->small, f->small_line, x, y + 2, w, ink, t->out);
}

static void draw_filters(const TrainGui *t, const TrainCopy *c, SDL_Renderer *r, const VizFonts *f, SDL_Rect a) {
    if (!t->shape || t->conv < 0) {
        viz_text_wrap(r, f->sans, a.x, a.y, a.w, viz_dim(), "This network has no convolution to show.");
        return;
    }
    char when[160];
    if (!c->filters) { /* the run's first weights, drawn from the same seed */
        viz_draw_filters(r, f, t->shape, t->conv, a, NULL, "as training starts (seed 1, He)", 0);
        return;
    }
    snprintf(when, sizeof when, "at step %lld%s", (long long)c->filters_step,
             c->state == TRAIN_RUNNING ? " (live)" : "");
    viz_draw_filters(r, f, t->shape, t->conv, a, c->filters, when, 0);
}

void train_draw(TrainGui *t, SDL_Renderer *r, const VizFonts *f, int w, int h, const char *msg) {
    static TrainCopy c; /* the window's thread only: large, kept out of the stack */
    train_copy(t, &c);
    const TrainLayout L = train_layout(t, f, w, h);
    viz_clear(r);
    viz_text_fit(r, f->sans_big, 24, 16, w - 48, viz_ink(), "Train a network here");
    draw_choices(t, &c, r, f, &L);
    const VizLine loss = {"training loss", c.nl, c.lx, c.ly, 0, 0, 0};
    const double x1 = c.state == TRAIN_IDLE ? t->epochs : c.epochs; /* the run's epochs along x */
    const VizLineChart lc = {"Loss (mean of a few steps)", "epochs", "cross-entropy", &loss, c.nl ? 1 : 0, 0, 0, 0, x1};
    viz_draw_line_chart(r, f, &lc, L.loss);
    const VizLine acc = {"test", c.na, c.ax, c.ay, 1, 0, 0};
    const VizLineChart ac = {"Test accuracy (every epoch)", "epochs", "%", &acc, c.na ? 1 : 0, 0, 100, 0, x1};
    viz_draw_line_chart(r, f, &ac, L.acc);
    draw_filters(t, &c, r, f, L.filt);
    free(c.filters);
    char line[1024];
    snprintf(line, sizeof line, "train a network  ·  %s%sJ again or Esc: back (training goes on)  ·  H help", msg,
             msg[0] ? "  ·  " : "");
    gui_status_text(r, f, (SDL_Rect){24, h - 16 - f->small_line, w - 48, f->small_line}, viz_dim(), line);
}

/* ---- events ----------------------------------------------------------------------------- */

GuiKeyAct train_event(TrainGui *t, const SDL_Event *e, const VizFonts *f, int w, int h) {
    pthread_mutex_lock(&t->mu);
    const int state = t->state;
    pthread_mutex_unlock(&t->mu);
    const int running = state == TRAIN_RUNNING;
    if (e->type == SDL_MOUSEBUTTONDOWN && e->button.button == SDL_BUTTON_LEFT && !running) {
        const TrainLayout L = train_layout(t, f, w, h);
        const int x = e->button.x, y = e->button.y;
        if (x >= L.left.x && x < L.left.x + L.left.w && y >= L.model_y && y < L.model_y + t->n_models * L.row_h)
            train_gui_choose(t, (y - L.model_y) / L.row_h, t->data, t->epochs);
        for (int k = 0; k < N_DATA; k++)
            if (SDL_PointInRect(&(SDL_Point){x, y}, &L.data_chip[k])) train_gui_choose(t, t->model, k, t->epochs);
        return KEY_NONE;
    }
    int index;
    const GuiKeyAct k = gui_key_event(KEYS_TRAIN, e, &index);
    switch (k) {
    case KEY_UP:
    case KEY_DOWN:
        if (!running) train_gui_choose(t, (t->model + (k == KEY_DOWN ? 1 : t->n_models - 1)) % t->n_models, t->data, t->epochs);
        return KEY_NONE;
    case KEY_ITEM:
        if (!running) train_gui_choose(t, t->model, index, t->epochs);
        return KEY_NONE;
    case KEY_MORE:
    case KEY_LESS:
        if (!running) train_gui_choose(t, t->model, t->data, t->epochs + (k == KEY_MORE ? 1 : -1));
        return KEY_NONE;
    case KEY_PLAY: train_gui_pause(t); return KEY_NONE;
    case KEY_ERASE: /* a run stopped; after one, cleared */
        if (running) train_gui_stop(t);
        else train_gui_clear(t);
        return KEY_NONE;
    case KEY_ENTER:
        if (state == TRAIN_DONE || state == TRAIN_STOPPED) return KEY_ENTER; /* the window opens them */
        if (!running) train_gui_start(t);
        return KEY_NONE;
    default: return k;
    }
}

/* ---- in the window ---------------------------------------------------------------------- */

void train_enter(AppGui *a) {
    if (a->screen == SCREEN_TRAIN) {
        bench_switch(a, SCREEN_STEPPER);
        return;
    }
    if (!a->train) {
        a->train = malloc(sizeof *a->train);
        if (!a->train) {
            snprintf(a->st.ses.msg, sizeof a->st.ses.msg, "no memory for the training screen");
            return;
        }
        train_gui_init(a->train);
    }
    bench_switch(a, SCREEN_TRAIN);
}

void train_gui_close(AppGui *a) {
    if (!a->train) return;
    train_gui_free(a->train);
    free(a->train);
    a->train = NULL;
}

void train_frame(AppGui *a, int w, int h) {
    TrainGui *t = a->train;
    SDL_Event e;
    while (gui_next_event(a, &e, 0)) {
        if (e.type == SDL_DROPFILE) { /* for the stepper: not on this screen */
            SDL_free(e.drop.file);
            continue;
        }
        if (gui_common_event(a, &e, KEYS_TRAIN)) continue;
        if (a->help && gui_key_event(KEYS_TRAIN, &e, NULL) == KEY_BACK) {
            a->help = 0; /* the help is on top */
            continue;
        }
        const GuiKeyAct k = train_event(t, &e, &a->fonts, w, h);
        if (k == KEY_SHOT) a->shot = 1;
        else if (k == KEY_HELP) a->help = !a->help;
        else if (k == KEY_BACK || k == KEY_TO_TRAIN) bench_switch(a, SCREEN_STEPPER);
        else if (k == KEY_ENTER) bench_open_trained(a, t->models[t->model], t->out, data_sets[t->data]);
        else if (k == KEY_TO_LESSON) lesson_enter(a);
        else if (k == KEY_TO_BASICS) bench_switch(a, SCREEN_BASICS);
        else if (k == KEY_TO_COMPARE || k == KEY_TO_ZOO || k == KEY_TO_RF || k == KEY_TO_PICK)
            bench_switch(a, k == KEY_TO_COMPARE ? SCREEN_COMPARE : k == KEY_TO_ZOO ? SCREEN_ZOO
                            : k == KEY_TO_RF    ? SCREEN_RF      : SCREEN_PICK);
        if (a->screen != SCREEN_TRAIN) return;
    }
    train_draw(t, a->ren, &a->fonts, w, h, a->st.ses.msg);
    if (a->help) gui_help_box(a->ren, &a->fonts, w, h, KEYS_TRAIN);
    if (a->shot) {
        gui_screenshot(a, w, h);
        a->shot = 0;
    }
    gui_present(a, w, h);
}
#endif
