/*
 * gui_experiments.c — the experiments screen (Y in the window, `render
 * --view experiments`): the experiments behind the history's claims listed
 * on the left (occlusion too, pointing to its own view), the chosen one's
 * shipped quick result (assets/experiments/NAME.quick.json) drawn live from
 * its numbers as its figure, under it the paper's claim in one sentence and
 * the finding (what the numbers show here, the effect seen or not).
 *
 * Enter runs the quick version again on the worker (back lane) at seed 1 on
 * the shipped run's thread count: a bar per training, Esc cancels. The
 * curves of each network are drawn, thin and pale, over the shipped ones as
 * soon as its training ends (the experiments fill their result network by
 * network); when the run is over its numbers are compared with the shipped
 * ones bit for bit and the screen says whether they are the same.
 */
#ifdef CONVSCOPE_HAVE_GUI
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canvas.h"
#include "window.h"

static void lock(pthread_mutex_t *mu) {
    if (mu) pthread_mutex_lock(mu);
}
static void unlock(pthread_mutex_t *mu) {
    if (mu) pthread_mutex_unlock(mu);
}

void exps_init(ExpScreen *v) {
    memset(v, 0, sizeof *v);
    v->of = -1;
    exps_select(v, 0);
}

void exps_free(ExpScreen *v) {
    exp_result_free(&v->shipped);
    exp_result_free(&v->rerun);
}

void exps_select(ExpScreen *v, int i) {
    if (i < 0 || i >= exp_count()) return;
    v->sel = i;
    exp_result_free(&v->shipped);
    v->error[0] = 0;
    const ExpDef *d = exp_at(i);
    if (d->run && exp_load_shipped(d->name, &v->shipped, v->error, sizeof v->error) != 0)
        memset(&v->shipped, 0, sizeof v->shipped);
}

int exps_rerun_begin(ExpScreen *v, pthread_mutex_t *mu, int tiny) {
    const ExpDef *d = exp_at(v->sel);
    lock(mu);
    const int running = v->state == EXPS_RUNNING;
    unlock(mu);
    if (running) {
        snprintf(v->msg, sizeof v->msg, "a run is under way: Esc cancels it");
        return -1;
    }
    if (!d->run) {
        snprintf(v->msg, sizeof v->msg, "%s runs in its own view (see the left), not here", d->name);
        return -1;
    }
    if (!v->shipped.s) {
        snprintf(v->msg, sizeof v->msg, "no shipped result to compare with: 'convscope experiment run %s --quick'",
                 d->name);
        return -1;
    }
    ExpResult fresh;
    if (exp_result_init(&fresh, d->name) != 0) {
        snprintf(v->msg, sizeof v->msg, "no memory for the run");
        return -1;
    }
    lock(mu);
    exp_result_free(&v->rerun);
    v->rerun = fresh;
    v->state = EXPS_RUNNING;
    v->of = v->sel;
    v->tiny = tiny;
    v->threads = v->shipped.threads > 0 ? v->shipped.threads : eng_get_threads();
    v->trainings = v->epoch = v->epochs = 0;
    v->n_live = 0;
    v->live_label[0] = 0;
    v->same = 0;
    v->verdict[0] = 0;
    v->t0_ms = app_now_ms();
    v->seconds = 0;
    unlock(mu);
    v->msg[0] = 0;
    return 0;
}

/* What the run reports to: the window's copy of its curves, and the bar. */
typedef struct {
    ExpScreen *v;
    pthread_mutex_t *mu;
    const ExpResult *work;
    int (*up)(void *ctx, int done, int total);
    void *up_ctx;
    int (*stop)(void *ctx); /* asked between training steps (NULL: never stops) */
    int stopped;
} RerunCtx;

static int rerun_stopped(void *ctx) {
    RerunCtx *c = ctx;
    if (!c->stopped && c->stop && c->stop(c->up_ctx)) c->stopped = 1;
    return c->stopped;
}

/* The curves of the trainings finished so far into the window's copy. */
static void publish(RerunCtx *c) {
    ExpScreen *v = c->v;
    const int n = c->work->n_series;
    memcpy(v->rerun.s, c->work->s, (size_t)n * sizeof *v->rerun.s);
    v->rerun.n_series = n;
}

/* One training's curves after each epoch, into the window's live copy. */
static void rerun_curves(void *ctx, const ExpTrain *t, const ExpCurves *c) {
    RerunCtx *rc = ctx;
    ExpScreen *v = rc->v;
    lock(rc->mu);
    v->n_live = 0;
    const char *as[3] = {t->as_running, t->as_test, t->as_train};
    for (int k = 0; k < 3; k++) {
        if (!as[k]) continue;
        ExpSeries *s = &v->live[v->n_live++];
        memset(s, 0, sizeof *s);
        snprintf(s->name, sizeof s->name, "%s", as[k]);
        if (k == 0)
            for (int i = 0; i < c->n_running; i++) exp_point(s, c->run_x[i], c->run_err[i]);
        else
            for (int e = 0; e < c->epochs_done; e++) exp_point(s, e + 1, k == 1 ? c->test_err[e] : c->train_err[e]);
    }
    snprintf(v->live_label, sizeof v->live_label, "%s", t->label ? t->label : "");
    v->live_run_err = c->n_running ? c->run_err[c->n_running - 1] : -1;
    v->live_test_err = c->epochs_done ? c->test_err[c->epochs_done - 1] : -1;
    unlock(rc->mu);
}

static int rerun_progress(void *ctx, int done, int total) {
    RerunCtx *c = ctx;
    lock(c->mu);
    publish(c);
    c->v->epoch = done, c->v->epochs = total;
    if (done >= total) c->v->trainings++;
    unlock(c->mu);
    if (c->up && c->up(c->up_ctx, done, total)) c->stopped = 1;
    return c->stopped;
}

void exps_rerun(ExpScreen *v, pthread_mutex_t *mu, int (*progress)(void *ctx, int done, int total),
                int (*stop)(void *ctx), void *ctx) {
    lock(mu);
    const int of = v->of, tiny = v->tiny, threads = v->threads;
    unlock(mu);
    const ExpDef *d = exp_at(of);
    ExpResult work, ship;
    char err[600], why[400];
    int rc = exp_result_init(&work, d->name);
    RerunCtx c = {v, mu, &work, progress, ctx, stop, 0};
    if (rc == 0) {
        ExpRun r = {.quick = 1, .tiny = tiny, .seed = 1, .threads = threads, .progress = rerun_progress, .ctx = &c,
                    .on_curves = rerun_curves, .stopped = rerun_stopped};
        const int old = eng_get_threads();
        eng_set_threads(threads);
        rc = d->run(&r, &work);
        eng_set_threads(old);
    }
    /* the shipped numbers read again here: the window may have moved on */
    const int have_ship = rc == 0 && exp_load_shipped(d->name, &ship, err, sizeof err) == 0;
    int same = 0;
    if (have_ship) {
        same = exp_same_numbers(&ship, &work, why, sizeof why);
        exp_result_free(&ship);
    }
    lock(mu);
    v->seconds = (app_now_ms() - v->t0_ms) / 1e3;
    if (rc != 0) { /* stopped: the finished trainings' curves and the epochs of the one cut short stay */
        publish(&c);
        for (int k = 0; k < v->n_live && v->rerun.n_series < EXP_MAX_SERIES; k++)
            v->rerun.s[v->rerun.n_series++] = v->live[k];
    }
    v->n_live = 0;
    if (c.stopped) v->msg[0] = 0; /* "cancelling" said, done */
    if (rc == 0) {
        publish(&c);
        memcpy(v->rerun.extra, work.extra, sizeof work.extra);
        v->rerun.n_extras = work.n_extras;
        v->state = EXPS_DONE;
        v->same = same;
        if (tiny)
            snprintf(v->verdict, sizeof v->verdict, "a tiny run (2 epochs of 2 batches, the tests' size): not "
                                                    "the shipped quick run's settings, so not compared");
        else if (!have_ship)
            snprintf(v->verdict, sizeof v->verdict, "not compared: %.380s", err);
        else if (same)
            snprintf(v->verdict, sizeof v->verdict, "the same numbers as the shipped run, to the bit (%d curves; "
                                                    "%d threads, seed 1, as shipped)", work.n_series, threads);
        else
            snprintf(v->verdict, sizeof v->verdict, "NOT the shipped numbers (%d threads, seed 1): %.300s", threads,
                     why);
    } else {
        v->state = c.stopped ? EXPS_CANCELLED : EXPS_FAILED;
    }
    unlock(mu);
    exp_result_free(&work);
}

/* ---- drawing --------------------------------------------------------------------------- */

typedef struct {
    int left_w;     /* the list's column */
    int head_y, list_y, row_h;
    SDL_Rect side;  /* under the list: the run */
} ExpsLayout;

static ExpsLayout layout(const VizFonts *f, int w, int h) {
    ExpsLayout L;
    L.left_w = w * 26 / 100;
    if (L.left_w < 260) L.left_w = 260;
    if (L.left_w > 480) L.left_w = 480;
    int hw = 0, hh = f->line;
    viz_text_size(f->sans_big, "Experiments", &hw, &hh);
    L.head_y = 14;
    L.list_y = L.head_y + hh + 10;
    L.row_h = f->line + f->small_line + 8;
    int y = L.list_y + exp_count() * L.row_h + 14;
    L.side = (SDL_Rect){16, y, L.left_w - 32, h - y - 10};
    return L;
}

int exps_row_at(const VizFonts *f, int w, int h, int x, int y) {
    ExpsLayout L = layout(f, w, h);
    if (x < 8 || x >= L.left_w - 8 || y < L.list_y) return -1;
    int i = (y - L.list_y) / L.row_h;
    return i < exp_count() ? i : -1;
}

static SDL_Color amber(void) { return (SDL_Color){255, 196, 84, 255}; }

static void draw_list(const ExpScreen *v, SDL_Renderer *r, const VizFonts *f, const ExpsLayout *L) {
    viz_text(r, f->sans_big, 16, L->head_y, viz_ink(), "Experiments");
    for (int i = 0; i < exp_count(); i++) {
        const ExpDef *d = exp_at(i);
        const int y = L->list_y + i * L->row_h;
        if (i == v->sel) {
            SDL_SetRenderDrawColor(r, 44, 52, 68, 255);
            SDL_RenderFillRect(r, &(SDL_Rect){8, y - 3, L->left_w - 16, L->row_h - 2});
        }
        char row[80];
        snprintf(row, sizeof row, "%d  %s", i + 1, d->name);
        viz_text_fit(r, f->sans, 16, y, L->left_w - 32, i == v->sel ? amber() : viz_ink(), row);
        viz_text_fit(r, f->small, 16 + 2 * f->small_line, y + f->line, L->left_w - 32 - 2 * f->small_line, viz_dim(),
                     d->figure);
    }
}

/* A bar in box: done of total (total <= 0: empty). */
static void bar(SDL_Renderer *r, SDL_Rect box, int done, int total) {
    SDL_SetRenderDrawColor(r, 30, 33, 40, 255);
    SDL_RenderFillRect(r, &box);
    if (total > 0) {
        SDL_Rect fill = {box.x, box.y, (int)((long)box.w * done / total), box.h};
        SDL_SetRenderDrawColor(r, 255, 196, 84, 255);
        SDL_RenderFillRect(r, &fill);
    }
    SDL_SetRenderDrawColor(r, 96, 102, 118, 255);
    SDL_RenderDrawRect(r, &box);
}

/* The column under the list: how to run it here, the run under way, its verdict. */
static void draw_side(const ExpScreen *v, SDL_Renderer *r, const VizFonts *f, SDL_Rect s) {
    const ExpDef *d = exp_at(v->sel);
    char t[700];
    int y = s.y;
    viz_text(r, f->sans, s.x, y, viz_ink(), d->run ? "Run it here" : "Its own view");
    y += f->line + 6;
    if (!d->run) {
        snprintf(t, sizeof t, "In the window: on the first screen (Esc) open zfnet_mini (M), click a map to zoom "
                              "into a channel, then O slides a grey square over the input. The command: %s",
                 d->command);
        viz_text_wrap(r, f->small, s.x, y, s.w, viz_dim(), t);
        return;
    }
    const int mine = v->of == v->sel;
    if (v->state == EXPS_RUNNING && mine) {
        char errs[120] = "";
        if (v->live_run_err >= 0 && v->live_test_err >= 0)
            snprintf(errs, sizeof errs, "; its last epoch: training error %.2f%%, test error %.2f%%", v->live_run_err,
                     v->live_test_err);
        snprintf(t, sizeof t, "running the quick version again on %d threads, %.0f s so far: training %d%s%s%s, "
                              "epoch %d of %d%s",
                 v->threads, (app_now_ms() - v->t0_ms) / 1e3, v->trainings + (v->epoch < v->epochs || !v->epochs ? 1 : 0),
                 v->live_label[0] ? " (" : "", v->live_label, v->live_label[0] ? ")" : "", v->epoch, v->epochs, errs);
        y += viz_text_wrap(r, f->small, s.x, y, s.w, viz_ink(), t) + 6;
        bar(r, (SDL_Rect){s.x, y, s.w, f->small_line}, v->epoch, v->epochs);
        y += f->small_line + 8;
        y += viz_text_wrap(r, f->small, s.x, y, s.w, amber(),
                           "its curves are drawn thin and pale over the shipped ones as the epochs end; Esc cancels") + 6;
    } else if (v->state == EXPS_RUNNING) {
        snprintf(t, sizeof t, "%s is being run again (%d trainings done): Esc cancels it", exp_at(v->of)->name,
                 v->trainings);
        y += viz_text_wrap(r, f->small, s.x, y, s.w, amber(), t) + 6;
    } else {
        snprintf(t, sizeof t, "Enter runs the quick version again here (seed 1 on %d threads, as shipped) and "
                              "draws it over the shipped curves",
                 v->shipped.threads > 0 ? v->shipped.threads : eng_get_threads());
        y += viz_text_wrap(r, f->small, s.x, y, s.w, viz_ink(), t) + 6;
    }
    if (mine && v->state == EXPS_DONE) {
        snprintf(t, sizeof t, "Run again in %.0f s: %s. Backspace clears it.", v->seconds, v->verdict);
        viz_text_wrap(r, f->small, s.x, y, s.w, v->same ? (SDL_Color){120, 220, 140, 255} : amber(), t);
    } else if (mine && (v->state == EXPS_CANCELLED || v->state == EXPS_FAILED)) {
        snprintf(t, sizeof t, "%s after %.0f s, %d training%s finished: what was done stays drawn. Backspace clears "
                              "it, Enter runs it again.",
                 v->state == EXPS_CANCELLED ? "Cancelled" : "Failed (see the terminal)", v->seconds, v->trainings,
                 v->trainings == 1 ? "" : "s");
        viz_text_wrap(r, f->small, s.x, y, s.w, amber(), t);
    }
}

/* Under the figure: the paper's claim and the finding here; the height used. */
static int text_band(const ExpScreen *v, SDL_Renderer *r, const VizFonts *f, SDL_Rect area, int measure) {
    const ExpDef *d = exp_at(v->sel);
    char claim[400], finding[800];
    if (v->shipped.s) {
        snprintf(claim, sizeof claim, "The paper: %s", v->shipped.claim);
        snprintf(finding, sizeof finding, "Here: %s", v->shipped.finding);
    } else {
        snprintf(claim, sizeof claim, "%s (%s): %s", d->name, d->figure, d->summary);
        snprintf(finding, sizeof finding, "%s", d->run ? v->error : "");
    }
    SDL_Renderer *rr = measure ? NULL : r;
    int y = area.y;
    y += viz_text_wrap(rr, f->sans, area.x, y, area.w, viz_ink(), claim) + 8;
    if (finding[0]) y += viz_text_wrap(rr, f->small, area.x, y, area.w, viz_dim(), finding);
    return y - area.y;
}

void exps_draw(ExpScreen *v, pthread_mutex_t *mu, SDL_Renderer *r, const VizFonts *f, int w, int h) {
    viz_clear(r);
    const ExpsLayout L = layout(f, w, h);
    viz_audit_panel((SDL_Rect){0, 0, L.left_w, h});
    lock(mu);
    draw_list(v, r, f, &L);
    draw_side(v, r, f, L.side);
    if (v->msg[0]) gui_status_text(r, f, (SDL_Rect){16, h - f->small_line - 6, L.left_w - 32, f->small_line}, amber(), v->msg);
    SDL_SetRenderDrawColor(r, 52, 56, 66, 255);
    SDL_RenderDrawLine(r, L.left_w, 8, L.left_w, h - 8);
    SDL_Rect right = {L.left_w + 8, 0, w - L.left_w - 8, h};
    SDL_Rect band = {right.x + 24, 0, right.w - 48, 0};
    band.h = text_band(v, r, f, band, 1);
    band.y = h - band.h - 14;
    viz_audit_panel(right);
    SDL_Rect fig = {right.x, 0, right.w, band.y - 10};
    const ExpDef *d = exp_at(v->sel);
    if (v->shipped.s) {
        char foot[400];
        snprintf(foot, sizeof foot, "shipped quick run, drawn from its numbers: assets/experiments/%s.quick.json",
                 d->name);
        ExpResult o = v->rerun; /* the finished trainings' curves, then the one under way's */
        if (v->state == EXPS_RUNNING)
            for (int k = 0; o.s && k < v->n_live && o.n_series < EXP_MAX_SERIES; k++)
                o.s[o.n_series++] = v->live[k];
        int drawn = 0;
        for (int i = 0; o.s && v->of == v->sel && i < o.n_series; i++) { /* in its shipped twin's panel, colour, dash */

            int twin = -1;
            for (int j = 0; j < v->shipped.n_series && twin < 0; j++)
                if (!strcmp(o.s[i].name, v->shipped.s[j].name)) twin = j;
            if (twin < 0) continue;
            o.s[i].panel = v->shipped.s[twin].panel;
            o.s[i].color = v->shipped.s[twin].color;
            o.s[i].dashed = v->shipped.s[twin].dashed;
            drawn++;
        }
        exp_draw_figure_over(r, f, &v->shipped, drawn ? &o : NULL, "rerun (thin, pale)", -1, fig, foot);
    } else {
        char t[700];
        viz_text_wrap(r, f->sans_big, fig.x + 24, 14, fig.w - 48, viz_ink(), d->figure);
        snprintf(t, sizeof t, "%s. %s", d->summary,
                 d->run ? v->error : "It has no curve to draw here: its maps are the stepper's occlusion view (O).");
        viz_text_wrap(r, f->sans, fig.x + 24, 14 + 2 * f->line + 20, fig.w - 48, viz_dim(), t);
    }
    SDL_SetRenderDrawColor(r, 52, 56, 66, 255);
    SDL_RenderDrawLine(r, right.x + 24, band.y - 6, right.x + right.w - 24, band.y - 6);
    text_band(v, r, f, band, 0);
    unlock(mu);
}

/* ---- the screen in the window ---------------------------------------------------------- */

static int job_stopped(void *ctl) { return jobs_stopped(ctl); }

static void *rerun_job(void *arg, int kind, JobCtl *ctl) {
    (void)kind;
    AppGui *a = arg;
    exps_rerun(&a->exps, jobs_mutex(a->jobs), jobs_progress, job_stopped, ctl);
    return NULL;
}

void experiments_cancel(AppGui *a) {
    ExpScreen *v = &a->exps;
    pthread_mutex_t *mu = jobs_mutex(a->jobs);
    lock(mu);
    const int running = v->state == EXPS_RUNNING;
    unlock(mu);
    if (running && v->job) {
        jobs_cancel(a->jobs, v->job);
        snprintf(v->msg, sizeof v->msg, "cancelling the run: it stops at its next training step");
    }
}

static void start(AppGui *a) {
    ExpScreen *v = &a->exps;
    if (exps_rerun_begin(v, jobs_mutex(a->jobs), 0) != 0) return;
    v->job = jobs_submit(a->jobs, &(JobSpec){rerun_job, NULL, a, 0, JOBS_BACK});
    if (!v->job) {
        lock(jobs_mutex(a->jobs));
        v->state = EXPS_FAILED;
        unlock(jobs_mutex(a->jobs));
        snprintf(v->msg, sizeof v->msg, "no memory to start the run");
    }
}

/* A run cancelled before it started (replaced in the back lane by a timing) never reports. */
static void check_job(AppGui *a) {
    ExpScreen *v = &a->exps;
    pthread_mutex_t *mu = jobs_mutex(a->jobs);
    lock(mu);
    const int running = v->state == EXPS_RUNNING;
    unlock(mu);
    if (!running || !v->job) return;
    const JobState st = jobs_poll(a->jobs, v->job).state;
    lock(mu);
    if (v->state == EXPS_RUNNING && (st == JOB_CANCELLED || st == JOB_UNKNOWN)) v->state = EXPS_CANCELLED;
    unlock(mu);
}

static void clear_rerun(AppGui *a) {
    ExpScreen *v = &a->exps;
    pthread_mutex_t *mu = jobs_mutex(a->jobs);
    lock(mu);
    if (v->state != EXPS_RUNNING) {
        exp_result_free(&v->rerun);
        v->state = EXPS_NONE;
        v->of = -1;
    }
    unlock(mu);
}

void experiments_frame(AppGui *a, int w, int h) {
    ExpScreen *v = &a->exps;
    check_job(a);
    SDL_Event e;
    while (gui_next_event(a, &e, 0)) {
        if (e.type == SDL_DROPFILE) { /* for the stepper: not on this screen */
            SDL_free(e.drop.file);
            continue;
        }
        if (gui_common_event(a, &e, KEYS_EXPERIMENTS)) continue;
        int idx = 0;
        const GuiKeyAct k = gui_key_event(KEYS_EXPERIMENTS, &e, &idx);
        if (a->help && k == KEY_BACK) { /* the help is on top */
            a->help = 0;
            continue;
        }
        pthread_mutex_t *mu = jobs_mutex(a->jobs);
        lock(mu);
        const int running = v->state == EXPS_RUNNING;
        unlock(mu);
        if (e.type == SDL_MOUSEBUTTONDOWN && e.button.button == SDL_BUTTON_LEFT) {
            int i = exps_row_at(&a->fonts, w, h, e.button.x, e.button.y);
            if (i >= 0) exps_select(v, i);
        } else if (k == KEY_UP || k == KEY_DOWN) {
            exps_select(v, (v->sel + (k == KEY_UP ? exp_count() - 1 : 1)) % exp_count());
        } else if (k == KEY_ITEM) {
            exps_select(v, idx);
        } else if (k == KEY_ENTER) {
            start(a);
        } else if (k == KEY_ERASE) {
            clear_rerun(a);
        } else if (k == KEY_BACK) {
            if (running) experiments_cancel(a);
            else bench_switch(a, SCREEN_STEPPER);
        } else if (k == KEY_HELP) {
            a->help = !a->help;
        } else if (k == KEY_SHOT) {
            a->shot = 1;
        } else if (k == KEY_TO_LESSON) {
            experiments_cancel(a);
            lesson_enter(a);
        } else if (k == KEY_TO_COMPARE || k == KEY_TO_ZOO || k == KEY_TO_RF || k == KEY_TO_PICK ||
                   k == KEY_TO_BASICS) {
            bench_switch(a, k == KEY_TO_COMPARE ? SCREEN_COMPARE : k == KEY_TO_ZOO ? SCREEN_ZOO
                            : k == KEY_TO_RF    ? SCREEN_RF      : k == KEY_TO_PICK ? SCREEN_PICK : SCREEN_BASICS);
        }
        if (a->screen != SCREEN_EXPERIMENTS) return;
    }
    exps_draw(v, jobs_mutex(a->jobs), a->ren, &a->fonts, w, h);
    if (a->help) gui_help_box(a->ren, &a->fonts, w, h, KEYS_EXPERIMENTS);
    if (a->shot) {
        gui_screenshot(a, w, h);
        a->shot = 0;
    }
    gui_present(a, w, h);
}
#endif
