/*
 * gui_lesson.c — the course in the window (window.h: L on the first
 * screen). The chapters are the lesson files of assets/lessons, read when
 * the screen opens (a teacher's edit shows without recompiling). A chapter
 * is walked one step at a time: the step's words, placeholders filled by
 * the engine (lesson.h), in large type in a panel at the bottom (the panel
 * `lesson render` puts on its slides, viz_lesson.c), and above it the
 * window's own screen put into the step's state: the stepper with the
 * model, weights, input, layer, unit and view of its @show, or the compare,
 * zoo, receptive-field, timeline or basics screen; for an @plot, the
 * experiment's shipped result (assets/experiments/NAME.quick.json) drawn
 * as its figure.
 *
 * A new network is built on the worker (back lane) while the old one stays
 * drawable; the input's forward pass, the fields and the probes run as one
 * fore job on the stepper; the screen shows what the worker is doing and
 * keeps answering. What the window cannot show of a directive is said on
 * the status line. Esc or L leaves the script on the step's screen, where
 * everything is the user's to change; L comes back to the same step and
 * puts its state back. U switches between the English chapters and their
 * Korean twins (lesson.h) at the same step: the twins' directives are the
 * same, so the window's state stays.
 */
#ifdef CONVSCOPE_HAVE_GUI
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canvas.h"
#include "lesson.h"
#include "measure.h"
#include "window.h"

enum { PHASE_IDLE, PHASE_OPENING, PHASE_WORKING };
enum { FILLED = LESSON_TEXT * 2 };

typedef struct LessonGui {
    char *paths[LESSON_MAX_CHAPTERS];
    char titles[LESSON_MAX_CHAPTERS][200]; /* the list's rows: title, steps, questions */
    int n_paths;
    char lang[4];          /* the chapters' language: "en", "ko" */
    char counter[64];      /* the caption's "단계 4/9" in Korean */
    int list_sel;          /* the chapter chosen in the list */
    int chapter;           /* the chapter open, -1: the list is shown */
    Lesson L;
    char (*text)[FILLED];  /* each step's words, filled */
    char (*answer)[FILLED];
    LessonEngine *E;
    int step;              /* the step shown */
    int show_answer;       /* A: the question's answer */
    int help;
    /* the window put into the step's state */
    int applied;           /* the step whose state the window has, -1: none */
    int applying;          /* the step being put in place */
    int phase;             /* PHASE_* */
    int view;              /* the screen the step shows (SCREEN_*) */
    unsigned long open_job, fore_job;
    Uint32 since;          /* when the phase began */
    char opening[64];      /* the network being built */
    char key[600];         /* what the stepper was opened with: model, weights, data, input size */
    const void *key_graph; /* ... its graph then (another network opened since: the key is stale) */
    char note[600];        /* what the window could not show of the step */
    char error[600];       /* a chapter that could not be read or filled */
    /* the caption's type, fitted to the window */
    VizFonts capf;
    int capf_px, fit_w, fit_h, fit_step, fit_answer, fit_px;
    int vw, vh;            /* the view's size at the last frame */
    /* the open jobs' inputs, freed once their job is over (a back job
     * cancelled while it waits is never run) */
    struct ShowOpts *held[8];
    unsigned long held_id[8];
    /* an @plot step: the experiment's shipped result, drawn over the view */
    int plot_on, plot_panel;
    ExpResult plot;
} LessonGui;

/* A directive as the options `render` would take (strings point into buf
 * and the directive). 0, or -1. */
typedef struct ShowOpts {
    const char *argv[64];
    char buf[4200];
    AppOptions o;
} ShowOpts;

static int show_opts(const LessonShow *sh, ShowOpts *so) {
    int help = 0, argc = lesson_show_argv(sh, so->argv, 62, so->buf, sizeof so->buf);
    if (argc < 0) return -1;
    so->argv[argc] = NULL;
    return app_parse_cmd(argc, (char **)so->argv, "", &so->o, &help) == APP_OK ? 0 : -1;
}

/* The directive of step k: its own, or for a question without one the last before it. */
static const LessonShow *step_show(const LessonGui *G, int k) {
    for (int i = k; i >= 0; i--)
        if (G->L.steps[i].show.line) return &G->L.steps[i].show;
    return NULL;
}

/* ---- chapters -------------------------------------------------------------------------- */

static void list_chapters(LessonGui *G) {
    char base[4200], dir[4300], err[800];
    lesson_paths_free(G->paths, G->n_paths);
    lesson_lang_dir(lesson_default_dir(base, sizeof base), G->lang, dir, sizeof dir);
    G->n_paths = lesson_list_dir(dir, G->paths, LESSON_MAX_CHAPTERS, err, sizeof err);
    G->error[0] = 0;
    if (G->n_paths < 0) {
        snprintf(G->error, sizeof G->error, "%.590s", err);
        G->n_paths = 0;
    } else if (!G->n_paths) {
        snprintf(G->error, sizeof G->error, "no lesson files (NN-name.md) in %.500s", dir);
    }
    for (int i = 0; i < G->n_paths; i++) {
        Lesson L;
        if (lesson_load(G->paths[i], &L, err, sizeof err) != 0) {
            snprintf(G->titles[i], sizeof G->titles[i], "%.190s", err);
        } else {
            int q = 0;
            for (int k = 0; k < L.n; k++) q += L.steps[k].kind == LESSON_QUESTION;
            if (!strcmp(G->lang, "ko"))
                snprintf(G->titles[i], sizeof G->titles[i], "%.120s  ·  %d단계, 질문 %d개", L.title, L.n - q, q);
            else
                snprintf(G->titles[i], sizeof G->titles[i], "%.120s  ·  %d steps, %d questions", L.title, L.n - q, q);
        }
        lesson_free(&L);
    }
    if (G->list_sel >= G->n_paths) G->list_sel = G->n_paths > 0 ? G->n_paths - 1 : 0;
}

static void close_chapter(LessonGui *G) {
    lesson_free(&G->L);
    memset(&G->L, 0, sizeof G->L);
    free(G->text);
    free(G->answer);
    G->text = G->answer = NULL;
    G->chapter = -1;
}

/* Chapter i read and its words filled (the engine's counts of graphs built
 * without weights: cheap, and kept for the next chapter). 0, or -1 with
 * the error kept for the status line. */
static int open_chapter(LessonGui *G, int i) {
    char err[800];
    close_chapter(G);
    if (i < 0 || i >= G->n_paths) return -1;
    if (lesson_load(G->paths[i], &G->L, err, sizeof err) != 0) {
        snprintf(G->error, sizeof G->error, "%.590s", err);
        return -1;
    }
    if (!G->E) G->E = lesson_engine_create();
    G->text = calloc((size_t)G->L.n + 1, sizeof *G->text);
    G->answer = calloc((size_t)G->L.n + 1, sizeof *G->answer);
    if (!G->E || !G->text || !G->answer || G->L.n < 1) {
        snprintf(G->error, sizeof G->error, "%s", G->L.n < 1 ? "the chapter has no steps" : "out of memory");
        close_chapter(G);
        return -1;
    }
    G->error[0] = 0;
    for (int k = 0; k < G->L.n; k++) {
        const LessonStep *s = &G->L.steps[k];
        lesson_engine_step(G->E, step_show(G, k)); /* its compare placeholders at its sliders */
        if (lesson_fill(G->E, s->text, G->text[k], FILLED, err, sizeof err) != 0 ||
            (s->answer[0] && lesson_fill(G->E, s->answer, G->answer[k], FILLED, err, sizeof err) != 0)) {
            snprintf(G->error, sizeof G->error, "%.200s:%d: %.380s", G->L.path, s->line, err);
            snprintf(G->text[k], FILLED, "%s", s->text); /* the words as written */
            snprintf(G->answer[k], FILLED, "%s", s->answer);
        }
    }
    lesson_engine_step(G->E, NULL);
    G->chapter = i;
    G->step = 0;
    G->applied = -1;
    G->show_answer = 0;
    return 0;
}

/* ---- the step's state: a network built on the worker ---------------------------------- */

/* What a stepper opened for sh would be opened with. */
static void open_key(const AppOptions *o, char *key, size_t n) {
    snprintf(key, n, "%s|%s|%s|%dx%dx%d", o->model ? o->model : "", o->weights ? o->weights : "",
             o->data ? o->data : "", o->C, o->H, o->W);
}

/* Whether the stepper open already is the one the directive asks for. */
static int stepper_fits(const AppGui *a, const LessonGui *G, const AppOptions *o) {
    char key[sizeof G->key];
    open_key(o, key, sizeof key);
    if (G->key_graph == (const void *)a->st.ses.graph) return !strcmp(key, G->key);
    /* opened by the user: the same network with its shipped weights will do */
    return !o->weights && !o->data && !o->C && o->model && !strcmp(o->model, a->st.ses.card->name);
}

/* On the worker (back lane): a new stepper for the directive, made aside. */
static void *open_job(void *arg, int kind, JobCtl *ctl) {
    (void)kind;
    ShowOpts *so = arg;
    Stepper *s = NULL;
    if (!jobs_stopped(ctl)) {
        s = calloc(1, sizeof *s);
        if (s && stepper_open(s, &so->o, 0) != APP_OK) {
            stepper_close(s);
            free(s);
            s = NULL;
        }
    }
    return s;
}

/* The inputs of the open jobs that are over, freed (all of them once the
 * worker has stopped: jobs NULL). */
static void release_opts(LessonGui *G, Jobs *jobs) {
    for (int i = 0; i < 8; i++) {
        if (!G->held[i]) continue;
        const JobState st = jobs ? jobs_poll(jobs, G->held_id[i]).state : JOB_DONE;
        if (st == JOB_WAITING || st == JOB_RUNNING) continue;
        free(G->held[i]);
        G->held[i] = NULL;
    }
}

/* A slot for the next open job's inputs, or -1 (the jobs still waiting hold them all). */
static int free_slot(LessonGui *G, Jobs *jobs) {
    release_opts(G, jobs);
    for (int i = 0; i < 8; i++)
        if (!G->held[i]) return i;
    return -1;
}

/* ---- the step's state: the stepper ----------------------------------------------------- */

typedef struct {
    Stepper *s;
    char image[4200];  /* an image file as the input, "" none */
    int probe;
} ApplyIn;

/* On the worker (fore lane): the input and its forward pass, the probe,
 * the unit's fields. */
static void *apply_job(void *arg, int kind, JobCtl *ctl) {
    (void)kind;
    ApplyIn *in = arg;
    Stepper *s = in->s;
    if (in->image[0]) {
        if (session_use_image(&s->ses, in->image, "view") != 0) session_set_input(&s->ses);
    } else {
        session_set_input(&s->ses);
    }
    if (in->probe && !jobs_stopped(ctl)) probe_run(s, jobs_progress, ctl);
    stepper_refresh(s);
    free(in);
    return NULL;
}

static void note(LessonGui *G, const char *fmt, const char *what) {
    size_t l = strlen(G->note);
    snprintf(G->note + l, sizeof G->note - l, fmt, l ? "; " : "", what);
}

/* The input of the directive into the session (the worker feeds it). */
static void select_input(Stepper *s, const ShowOpts *so, LessonGui *G) {
    Session *ses = &s->ses;
    const AppOptions *o = &so->o;
    if (o->pattern) {
        int pat = -1;
        for (int k = 0; k < app_pattern_count(); k++)
            if (!strcmp(o->pattern, app_pattern_name(k))) pat = k;
        if (pat < 0) pat = atoi(o->pattern);
        ses->source = SRC_PATTERN, ses->pattern = pat;
    } else if (ses->test.n > 0) {
        ses->source = SRC_DATA, ses->sample = o->image_index_set ? o->image_index : 0;
        if (ses->sample >= ses->test.n) note(G, "%stest image %s is past the test set", o->model);
    } else {
        ses->source = SRC_PATTERN, ses->pattern = 0;
        if (o->image_index_set) note(G, "%s%s has no test set here: a pattern is shown", o->model);
    }
}

/* The unit C or C,Y,X of the layer shown: zoom and selection. */
static void select_unit(Stepper *s, const char *unit, LessonGui *G) {
    int cyx[3] = {-1, -1, -1}, n = eng_parse_int_list(unit, 0, 1000000, cyx, 3);
    const EngNode *nd = eng_graph_node(s->ses.graph, s->sel.current);
    if ((n != 1 && n != 3) || cyx[0] >= nd->out.C || cyx[1] >= nd->out.H || cyx[2] >= nd->out.W) {
        note(G, "%sunit %s is not in this layer", unit);
        return;
    }
    s->sel.zoom = cyx[0];
    if (n == 3) s->sel.sel_y = cyx[1], s->sel.sel_x = cyx[2];
}

/* The view of the directive on the stepper (the layer chosen already). */
static int select_view(Stepper *s, const char *view, const ShowOpts *so, LessonGui *G, const VizFonts *f) {
    const AppOptions *o = &so->o;
    int probe = PROBE_NONE;
    if (!strcmp(view, "summary")) s->sel.table = 1, s->sel.scroll = s->sel.current > 2 ? s->sel.current - 2 : 0;
    else if (!strcmp(view, "filters")) s->filt.on = 1;
    else if (!strcmp(view, "evolution")) s->filt.evolution = 1;
    else if (!strcmp(view, "3d")) s->v3d.on = 1;
    else if (!strcmp(view, "browse")) s->browse.on = s->ses.test.n > 0;
    else if (!strcmp(view, "top9")) probe = PROBE_TOP9;
    else if (!strcmp(view, "occlusion")) probe = PROBE_OCCLUSION;
    if (!strcmp(view, "browse") && s->ses.test.n <= 0) note(G, "%s%s has no test set to browse", s->ses.card->name);
    if (o->snapshot) {
        const int k = atoi(o->snapshot);
        if (k >= 0 && k < s->ses.n_steps) s->filt.snap = k, s->filt.on = 1;
        else note(G, "%sno filter snapshot %s for these weights", o->snapshot);
    }
    if (o->unit) select_unit(s, o->unit, G);
    EngProjRule pr;
    if (o->rule && s->sel.zoom >= 0 && app_parse_rule(o->rule, &pr) == 0) s->proj.rule = 1 + (int)pr;
    if (probe && s->sel.zoom < 0) probe = PROBE_NONE; /* lesson check asks for a unit */
    s->probe.kind = probe;
    if (o->page) { /* as many maps to a page as the view holds now */
        const int pages = viz_fmap_pages(f, s->ses.graph, s->sel.current, stepper_layout(f, s, G->vw, G->vh).main);
        const int k = atoi(o->page);
        if (k >= 1 && k <= pages) s->sel.page = k - 1;
        else note(G, "%spage %s of the maps does not exist at this window size", o->page);
    }
    return probe;
}

/* The stepper put into the directive's state (the window's thread, the
 * worker free), then the input's forward pass and the fields on the worker. */
static void apply_stepper(AppGui *a, const ShowOpts *so, const char *view) {
    LessonGui *G = a->lesson;
    Stepper *s = &a->st;
    const AppOptions *o = &so->o;
    s->sel.table = s->sel.help = s->sel.playing = 0;
    s->filt.on = s->filt.evolution = 0, s->filt.snap = -1;
    s->v3d.on = s->browse.on = s->pad.drawing = 0;
    s->ses.msg[0] = 0;
    int to = session_first_conv(&s->ses);
    if (o->layer) {
        const int id = eng_graph_find(s->ses.graph, o->layer);
        if (id >= 0 && eng_graph_node(s->ses.graph, id)->act) to = id;
        else note(G, "%sno layer %s in this network", o->layer);
    }
    s->sel.current = -1; /* stepper_step resets the zoom, the probe and the fields */
    stepper_step(s, to);
    if (s->sel.current < 0) s->sel.current = session_first_conv(&s->ses);
    s->v3d.cam.focus_z = viz_3d_node_z(s->ses.graph, s->sel.current);
    select_input(s, so, G);
    const int probe = select_view(s, view, so, G, &a->fonts);
    ApplyIn *in = calloc(1, sizeof *in);
    if (!in) {
        note(G, "%s%s", "no memory to hand the step to the worker");
        return;
    }
    in->s = s;
    in->probe = probe;
    if (o->image) snprintf(in->image, sizeof in->image, "%s", o->image);
    G->fore_job = jobs_submit(a->jobs, &(JobSpec){apply_job, NULL, in, probe ? JOB_PROBE : JOB_INPUT, JOBS_FORE});
    if (!G->fore_job) {
        free(in);
        note(G, "%s%s", "no memory to hand the step to the worker");
        return;
    }
    G->phase = PHASE_WORKING;
    G->since = SDL_GetTicks();
    if (s->browse.on) browse_show_sample(s, &a->fonts, stepper_layout(&a->fonts, s, G->vw, G->vh).main);
}

/* The compare screen on the directive's pair and sizes: made aside, then
 * installed under the worker's lock (its timing reads them), the old
 * designs freed after. */
static void apply_compare(AppGui *a, const ShowOpts *so, EngCount cnt) {
    const AppOptions *o = &so->o;
    const ModelBlock *b = o->block ? model_block_find(o->block) : NULL;
    int bi = 0;
    while (b && bi < model_block_count() && model_block_at(bi) != b) bi++;
    if (o->block && !b) note(a->lesson, "%sno block %s", o->block);
    const BlockCfg cfg = app_block_cfg(model_block_at(bi), o);
    CompareView nc, old;
    compare_init(&nc, bi, &cfg, cnt);
    if (o->runs_set) nc.want_runs = o->runs;
    pthread_mutex_t *mu = jobs_mutex(a->jobs);
    pthread_mutex_lock(mu);
    nc.gen = a->cmp.gen + 1; /* the timing under way is of the old pair: it stops */
    old = a->cmp;
    a->cmp = nc;
    pthread_mutex_unlock(mu);
    for (int s = 0; s < 2; s++) eng_graph_destroy(old.g[s]);
}

/* The receptive-field chart: the directive's model among the classic ones,
 * and the networks it names drawn. */
static void apply_rf(AppGui *a, const ShowOpts *so) {
    const AppOptions *o = &so->o;
    const ModelCard *mc = NULL;
    EngGraph *mg = NULL;
    if (o->model && !strcmp(o->model, a->st.ses.card->name)) {
        rf_init(&a->rf, a->st.ses.card, a->st.ses.graph);
    } else {
        int code = APP_OK;
        if (o->model) mg = app_build_model(o, &mc, &code);
        if (o->model && !mg) note(a->lesson, "%s%s cannot be built for the chart", o->model);
        rf_init(&a->rf, mc, mg);
        eng_graph_destroy(mg);
    }
    a->rf_ready = 1;
    for (int k = 0; o->models && k < a->rf.n; k++) {
        char want[300], me[80];
        snprintf(want, sizeof want, ",%.290s,", o->models);
        snprintf(me, sizeof me, ",%.70s,", a->rf.card[k]->name);
        a->rf.on[k] = strstr(want, me) != NULL;
    }
}

/* The screens without a model of their own. 1 when view is one. */
static int apply_screen(AppGui *a, const ShowOpts *so, const char *view) {
    LessonGui *G = a->lesson;
    const AppOptions *o = &so->o;
    EngCount cnt = {0};
    if (o->count && eng_count_parse(o->count, &cnt) != 0) note(G, "%sno counting convention %s", o->count);
    if (!strcmp(view, "compare")) {
        apply_compare(a, so, cnt);
        bench_switch(a, SCREEN_COMPARE);
    } else if (!strcmp(view, "zoo")) {
        bench_switch(a, SCREEN_ZOO);
        if (o->count) {
            a->zoo.count = cnt;
            zoo_recount(&a->zoo, jobs_mutex(a->jobs));
        }
        if (o->models) note(G, "%sthe window's zoo chart shows every network (%s named)", o->models);
    } else if (!strcmp(view, "rf")) {
        bench_switch(a, SCREEN_STEPPER);
        apply_rf(a, so);
        bench_switch(a, SCREEN_RF);
    } else if (!strcmp(view, "history") || !strcmp(view, "timeline")) {
        bench_switch(a, SCREEN_PICK);
        const char *want = o->models ? o->models : o->model;
        for (int i = 0; want && i < a->zoo.n; i++)
            if (!strcmp(a->zoo.card[i]->name, want)) a->pick.sel = i;
    } else if (!strcmp(view, "basics")) {
        bench_switch(a, SCREEN_STEPPER);
        basics_init(&a->basics);
        const int p = o->preset ? lesson_kernel_preset(o->preset) : -1;
        if (p >= 0) {
            a->basics.preset = (AppKernelPreset)p;
            app_kernel_preset(a->basics.preset, a->basics.s.K, a->basics.kernel);
            basics_compute(&a->basics);
        }
        a->screen = SCREEN_BASICS;
    } else {
        return 0;
    }
    G->view = a->screen;
    a->screen = SCREEN_LESSON;
    return 1;
}

/* ---- the step's state: when it is put in place ----------------------------------------- */

/* Start putting step G->step in place: a screen at once, or the stepper
 * (after its network is built on the worker, when it is another). */
static void apply_start(AppGui *a) {
    LessonGui *G = a->lesson;
    const LessonShow *sh = step_show(G, G->step);
    G->applying = G->step;
    G->note[0] = 0;
    a->st.ses.msg[0] = 0;
    G->plot_on = 0;
    if (sh && sh->plot) { /* the shipped figure, read at once (a few kB) */
        char err[600];
        if (G->plot.s && strcmp(G->plot.experiment, sh->model)) exp_result_free(&G->plot);
        if (!G->plot.s && exp_load_shipped(sh->model, &G->plot, err, sizeof err) != 0) note(G, "%s%s", err);
        const char *p = lesson_show_get(sh, "panel");
        G->plot_panel = p ? atoi(p) : -1;
        G->plot_on = G->plot.s != NULL;
        bench_switch(a, SCREEN_STEPPER);
        a->screen = SCREEN_LESSON;
        G->view = SCREEN_STEPPER;
        G->applied = G->step;
        return;
    }
    ShowOpts *so = calloc(1, sizeof *so);
    if (!sh || !so || show_opts(sh, so) != 0) {
        note(G, "%s%s", !sh ? "the step has no @show: the window stays as it is"
                        : !so ? "out of memory" : "the step's @show cannot be read (lesson check says why)");
        free(so);
        G->applied = G->step;
        return;
    }
    const char *view = lesson_show_view(sh);
    if (apply_screen(a, so, view)) {
        free(so);
        G->applied = G->step;
        return;
    }
    bench_switch(a, SCREEN_STEPPER); /* a timing under way stops */
    a->screen = SCREEN_LESSON;
    G->view = SCREEN_STEPPER;
    if (!so->o.model) {
        note(G, "%s%s", "the step names no network: the one open is shown");
        so->o.model = a->st.ses.card->name;
    }
    if (stepper_fits(a, G, &so->o)) {
        apply_stepper(a, so, view);
        free(so);
        return;
    }
    snprintf(G->opening, sizeof G->opening, "%s", so->o.model);
    open_key(&so->o, G->key, sizeof G->key);
    G->key_graph = NULL;
    const int slot = free_slot(G, a->jobs);
    G->open_job = slot < 0 ? 0 : jobs_submit(a->jobs, &(JobSpec){open_job, stepper_destroy, so, 0, JOBS_BACK});
    if (G->open_job) G->held[slot] = so, G->held_id[slot] = G->open_job;
    if (!G->open_job) {
        free(so);
        note(G, "%sno memory to open %s", G->opening);
        G->applied = G->step;
        return;
    }
    G->phase = PHASE_OPENING;
    G->since = SDL_GetTicks();
}

/* The network built on the worker replaces the stepper's (once the
 * stepper is free), then the step's state goes on it. */
static void take_opened(AppGui *a) {
    LessonGui *G = a->lesson;
    const JobStatus st = jobs_poll(a->jobs, G->open_job);
    if (st.state == JOB_CANCELLED || st.state == JOB_UNKNOWN) {
        G->phase = PHASE_IDLE;
        G->applied = -1;
        return;
    }
    if (st.state != JOB_DONE || jobs_busy(a->jobs, JOBS_FORE)) return;
    Stepper *ns = jobs_take(a->jobs, G->open_job);
    G->phase = PHASE_IDLE;
    if (!ns) {
        note(G, "%scould not open %s (see the terminal)", G->opening);
        G->applied = G->applying;
        G->key[0] = 0;
        return;
    }
    stepper_close(&a->st);
    a->st = *ns;
    a->st.jobs = a->jobs;
    free(ns);
    G->key_graph = a->st.ses.graph;
    ShowOpts *so = calloc(1, sizeof *so);
    if (so && show_opts(step_show(G, G->applying), so) == 0) apply_stepper(a, so, lesson_show_view(step_show(G, G->applying)));
    free(so);
    if (G->phase == PHASE_IDLE) G->applied = G->applying;
}

/* Per frame: the phase under way followed, the step asked for started
 * once the worker is free. */
static void lesson_update(AppGui *a) {
    LessonGui *G = a->lesson;
    if (G->chapter < 0) return;
    if (G->phase == PHASE_OPENING) take_opened(a);
    if (G->phase == PHASE_WORKING && !jobs_busy(a->jobs, JOBS_FORE)) {
        G->phase = PHASE_IDLE;
        G->applied = G->applying;
    }
    if (G->phase == PHASE_IDLE && G->applied != G->step && !jobs_busy(a->jobs, JOBS_FORE)) apply_start(a);
}

/* Another step asked for: the work for the old one is stopped (a network
 * being built for it is dropped unless this step needs the same). */
static void go_step(AppGui *a, int k) {
    LessonGui *G = a->lesson;
    if (k < 0) k = 0;
    if (k >= G->L.n) k = G->L.n - 1;
    if (k == G->step) return;
    G->step = k;
    G->show_answer = 0;
    if (G->phase == PHASE_OPENING) {
        ShowOpts so;
        char key[sizeof G->key] = "";
        const LessonShow *sh = step_show(G, k);
        if (sh && show_opts(sh, &so) == 0) open_key(&so.o, key, sizeof key);
        if (strcmp(key, G->key)) {
            jobs_cancel(a->jobs, G->open_job);
            G->phase = PHASE_IDLE;
            G->key[0] = 0;
        } else {
            G->applying = k; /* the same network: its state goes on once it is built */
        }
    } else if (G->phase == PHASE_WORKING) {
        jobs_cancel(a->jobs, G->fore_job); /* a probe stops at its next image */
    }
}

/* ---- entering, leaving, coming back ---------------------------------------------------- */

static LessonGui *lesson_gui(AppGui *a) {
    if (!a->lesson) {
        a->lesson = calloc(1, sizeof *a->lesson);
        if (!a->lesson) return NULL;
        a->lesson->chapter = -1;
        a->lesson->applied = -1;
        snprintf(a->lesson->lang, sizeof a->lesson->lang, "%s", a->lang[0] ? a->lang : lesson_lang(NULL));
    }
    return a->lesson;
}

void lesson_enter(AppGui *a) {
    LessonGui *G = lesson_gui(a);
    if (!G) {
        snprintf(a->st.ses.msg, sizeof a->st.ses.msg, "no memory for the lessons");
        return;
    }
    bench_switch(a, SCREEN_STEPPER); /* timings and a network being picked stop */
    a->screen = SCREEN_LESSON;
    G->help = 0;
    if (G->chapter < 0) {
        list_chapters(G); /* read again: a file edited meanwhile shows */
        return;
    }
    G->applied = -1; /* back to the step: its state again, over what was explored */
    if (G->phase == PHASE_WORKING) G->phase = PHASE_IDLE; /* started again once the worker is free */
    G->view = SCREEN_STEPPER;
}

/* Esc or L on a step: the step's own screen, the user's to explore. */
static void lesson_leave(AppGui *a) {
    LessonGui *G = a->lesson;
    if (G->phase == PHASE_OPENING) {
        jobs_cancel(a->jobs, G->open_job);
        G->phase = PHASE_IDLE;
        G->key[0] = 0;
    }
    a->screen = G->chapter >= 0 ? G->view : SCREEN_STEPPER;
    if (a->screen == SCREEN_COMPARE || a->screen == SCREEN_ZOO || a->screen == SCREEN_RF || a->screen == SCREEN_PICK) {
        const int to = a->screen; /* its timing goes on there */
        a->screen = SCREEN_LESSON;
        bench_switch(a, to);
    }
    if (G->chapter >= 0)
        snprintf(a->st.ses.msg, sizeof a->st.ses.msg, "left the lesson at step %d of %s: L comes back to it",
                 G->step + 1, G->L.title);
}

void lesson_gui_free(AppGui *a) {
    LessonGui *G = a->lesson;
    if (!G) return;
    close_chapter(G);
    release_opts(G, NULL); /* the worker has stopped */
    lesson_paths_free(G->paths, G->n_paths);
    lesson_engine_destroy(G->E);
    exp_result_free(&G->plot);
    if (G->capf_px) viz_fonts_unload(&G->capf);
    free(G);
    a->lesson = NULL;
}

/* U: the other language. On a step, its chapter's twin opened at the same
 * step; the directives are the same (lesson check holds them so), so the
 * window's state stays unless the step was still being put in place. */
static void switch_lang(AppGui *a) {
    LessonGui *G = a->lesson;
    char name[256] = "";
    const int chapter = G->chapter, step = G->step, applied = G->applied, n = G->L.n;
    if (chapter >= 0) {
        const char *b = strrchr(G->paths[chapter], '/');
        snprintf(name, sizeof name, "%s", b ? b + 1 : G->paths[chapter]);
    }
    snprintf(G->lang, sizeof G->lang, "%s", strcmp(G->lang, "ko") ? "ko" : "en");
    snprintf(a->lang, sizeof a->lang, "%s", G->lang); /* the window's other words follow */
    snprintf(a->pick.lang, sizeof a->pick.lang, "%s", G->lang);
    if (chapter >= 0) close_chapter(G);
    list_chapters(G);
    if (chapter < 0) return;
    const int i = lesson_find(G->paths, G->n_paths, name);
    if (i < 0 || open_chapter(G, i) != 0 || G->L.n != n) {
        /* no twin, or one that does not match: its list, the work for the step stopped */
        if (G->chapter >= 0) close_chapter(G);
        if (G->phase == PHASE_OPENING) jobs_cancel(a->jobs, G->open_job);
        G->phase = PHASE_IDLE;
        G->key[0] = 0;
        snprintf(G->error, sizeof G->error, "no %s twin of %.200s with the same steps", G->lang, name);
        return;
    }
    G->list_sel = i;
    G->step = step;
    G->applied = applied;
    G->fit_w = 0; /* other words: the caption's type fitted again */
}

/* ---- events ---------------------------------------------------------------------------- */

/* The chapter list's keys and clicks. */
static void list_event(AppGui *a, const SDL_Event *e, int w, int h) {
    LessonGui *G = a->lesson;
    const int row = a->fonts.line + 14, top = 40 + 2 * a->fonts.line;
    int open = -1;
    if (e->type == SDL_KEYDOWN) {
        int item = 0;
        const GuiKeyAct k = gui_key_event(KEYS_LESSON, e, &item);
        if (k == KEY_DOWN && G->list_sel + 1 < G->n_paths) G->list_sel++;
        else if (k == KEY_UP && G->list_sel > 0) G->list_sel--;
        else if (k == KEY_FIRST) G->list_sel = 0;
        else if (k == KEY_LAST && G->n_paths) G->list_sel = G->n_paths - 1;
        else if (k == KEY_ENTER || k == KEY_NEXT) open = G->list_sel;
        else if (k == KEY_ITEM && item < G->n_paths) open = G->list_sel = item;
        else if (k == KEY_LANG) switch_lang(a);
    } else if (e->type == SDL_MOUSEBUTTONDOWN && e->button.button == SDL_BUTTON_LEFT) {
        const int i = (e->button.y - top) / row;
        if (e->button.y >= top && i >= 0 && i < G->n_paths && e->button.x > 24 && e->button.x < w - 24) open = G->list_sel = i;
    } else if (e->type == SDL_MOUSEMOTION) {
        const int i = (e->motion.y - top) / row;
        if (e->motion.y >= top && i >= 0 && i < G->n_paths && e->motion.y < h) G->list_sel = i;
    } else if (e->type == SDL_MOUSEWHEEL) {
        G->list_sel -= e->wheel.y;
        G->list_sel = G->list_sel < 0 ? 0 : G->list_sel >= G->n_paths ? G->n_paths - 1 : G->list_sel;
    }
    if (open >= 0 && open_chapter(G, open) == 0) lesson_update(a);
}

/* A step's keys: next and previous (arrows, a presenter's Page Up/Down),
 * the answer, leaving. */
static void step_event(AppGui *a, const SDL_Event *e) {
    LessonGui *G = a->lesson;
    if (e->type == SDL_MOUSEWHEEL) {
        go_step(a, G->step - e->wheel.y);
        return;
    }
    switch (gui_key_event(KEYS_LESSON, e, NULL)) {
    case KEY_NEXT:
    case KEY_PAGE_DOWN:
    case KEY_DOWN: go_step(a, G->step + 1); break;
    case KEY_PREV:
    case KEY_PAGE_UP:
    case KEY_UP: go_step(a, G->step - 1); break;
    case KEY_FIRST: go_step(a, 0); break;
    case KEY_LAST: go_step(a, G->L.n - 1); break;
    case KEY_ENTER: G->show_answer = !G->show_answer; break;
    case KEY_LANG: switch_lang(a); break;
    case KEY_ERASE:
        if (G->phase == PHASE_OPENING) jobs_cancel(a->jobs, G->open_job);
        G->phase = PHASE_IDLE;
        close_chapter(G);
        list_chapters(G);
        break;
    case KEY_BACK: /* while the step's work runs: it stops (the progress box says so) */
        if (G->phase == PHASE_WORKING) jobs_cancel(a->jobs, G->fore_job);
        else lesson_leave(a);
        break;
    case KEY_TO_LESSON: lesson_leave(a); break;
    default: break;
    }
}

static void lesson_events(AppGui *a, int w, int h) {
    LessonGui *G = a->lesson;
    SDL_Event e;
    while (a->screen == SCREEN_LESSON && gui_next_event(a, &e, 0)) {
        if (e.type == SDL_DROPFILE) SDL_free(e.drop.file);
        if (e.type == SDL_QUIT) a->running = 0;
        if (e.type != SDL_KEYDOWN && e.type != SDL_MOUSEBUTTONDOWN && e.type != SDL_MOUSEMOTION &&
            e.type != SDL_MOUSEWHEEL)
            continue;
        if (gui_common_event(a, &e, KEYS_LESSON)) continue; /* Q (asks while a job runs), F11 */
        const GuiKeyAct k = gui_key_event(KEYS_LESSON, &e, NULL);
        if (k == KEY_SHOT) a->shot = 1;
        else if (k == KEY_HELP) G->help = !G->help;
        else if (G->help && k == KEY_BACK) G->help = 0;
        else if (G->chapter >= 0) step_event(a, &e);
        else if (k == KEY_BACK || k == KEY_TO_LESSON) lesson_leave(a);
        else list_event(a, &e, w, h);
    }
}

/* ---- drawing --------------------------------------------------------------------------- */

/* The step's caption as viz_lesson.c draws it. */
static VizCaption caption_of(LessonGui *G) {
    const LessonStep *s = &G->L.steps[G->step];
    const int ko = !strcmp(G->lang, "ko");
    VizCaption c = {G->L.title, s->title, G->text[G->step], NULL, NULL, NULL, G->step + 1, G->L.n,
                    s->kind == LESSON_QUESTION, NULL};
    if (ko) {
        snprintf(G->counter, sizeof G->counter, "%s %d/%d", c.question ? "질문" : "단계", c.step, c.steps);
        c.counter = G->counter;
    }
    if (c.question && G->show_answer) c.answer = G->answer[G->step];
    else if (c.question)
        c.hint = ko ? "창에서 답을 찾아보세요 (Esc로 둘러보고 L로 돌아옵니다). 그다음 Enter를 누르세요."
                                        : "Find the answer in the window (Esc explores, L comes back), then press Enter.";
    c.keys = ko ? "→ 다음  ← 이전  Esc 둘러보기  U English  H 키" : "→ next  ← back  Esc explore  U 한국어  H keys";
    return c;
}

/* The caption's type: a thirtieth of the height (as on the slides), smaller
 * until the panel takes at most 45% of it; loaded again only when the
 * window, the step or the answer change. The panel's height, or 0. */
static int caption_fit(AppGui *a, int w, int h) {
    LessonGui *G = a->lesson;
    const VizCaption c = caption_of(G);
    if (G->capf_px && G->fit_w == w && G->fit_h == h && G->fit_step == G->step && G->fit_answer == G->show_answer)
        return viz_caption_height(&G->capf, &c, w);
    int px = h / 30 < 16 ? 16 : h / 30, ch = 0;
    for (;; px = px * 7 / 8) {
        if (px != G->capf_px) {
            VizFonts nf;
            char err[512];
            if (viz_fonts_load(&nf, px, err, sizeof err) != 0) {
                snprintf(G->note, sizeof G->note, "type of %d px unavailable: %.300s", px, err);
                break;
            }
            if (G->capf_px) viz_fonts_unload(&G->capf);
            G->capf = nf;
            G->capf_px = px;
        }
        ch = viz_caption_height(&G->capf, &c, w);
        if (ch <= h * 45 / 100 || px <= 14) break;
    }
    G->fit_w = w, G->fit_h = h, G->fit_step = G->step, G->fit_answer = G->show_answer;
    return G->capf_px ? (ch < h * 45 / 100 ? ch : h * 45 / 100) : 0;
}

/* What the worker is doing for the step, "" when the step is in place. */
static void progress_text(const AppGui *a, char *buf, size_t n) {
    const LessonGui *G = a->lesson;
    const double s = (SDL_GetTicks() - G->since) / 1000.0;
    buf[0] = 0;
    if (G->phase == PHASE_OPENING) {
        snprintf(buf, n, "opening %s on the worker: building it and loading its weights … %.1f s", G->opening, s);
    } else if (G->phase == PHASE_WORKING) {
        char busy[256];
        stepper_busy_text(&a->st, busy, sizeof busy);
        snprintf(buf, n, "%s %.1f s", busy[0] ? busy : "computing on the worker thread …", s);
    } else if (G->applied != G->step) {
        snprintf(buf, n, "waiting for the worker …");
    }
}

/* While the worker works for the step: the view as it was last drawn,
 * dimmed, with the progress box over it (and what a probe found so far);
 * 0 when no view of that size is kept. */
static int busy_over_view(AppGui *a, int w, int vh) {
    const LessonGui *G = a->lesson;
    char what[320];
    if (G->phase == PHASE_OPENING) {
        snprintf(what, sizeof what, "opening %s on the worker: building it and loading its weights", G->opening);
    } else {
        stepper_busy_text(&a->st, what, sizeof what);
        if (!what[0]) snprintf(what, sizeof what, "computing on the worker thread …");
    }
    return gui_busy_over_kept(a, w, vh, 1, stepper_layout(&a->fonts, &a->st, w, vh).main, what,
                              (SDL_GetTicks() - G->since) / 1000.0);
}

/* The view of the step in the top w x vh of the window. */
static void draw_view(AppGui *a, int w, int vh, const char *busy) {
    const LessonGui *G = a->lesson;
    pthread_mutex_t *mu = jobs_mutex(a->jobs);
    SDL_RenderSetClipRect(a->ren, &(SDL_Rect){0, 0, w, vh});
    if (G->phase == PHASE_OPENING) {
        if (!busy_over_view(a, w, vh)) {
            viz_clear(a->ren);
            viz_text(a->ren, a->fonts.sans, 32, 32, (SDL_Color){255, 196, 84, 255}, busy);
        }
    } else if (G->plot_on && G->applied == G->step) {
        char foot[300];
        snprintf(foot, sizeof foot, "the shipped quick run (assets/experiments/%s.quick.json); "
                 "'convscope experiment run %s --quick' runs it again", G->plot.experiment, G->plot.experiment);
        viz_clear(a->ren);
        exp_draw_figure(a->ren, &a->fonts, &G->plot, G->plot_panel, (SDL_Rect){0, 0, w, vh}, foot);
    } else if (G->view == SCREEN_COMPARE) {
        compare_draw(&a->cmp, mu, a->ren, &a->fonts, w, vh);
    } else if (G->view == SCREEN_ZOO) {
        zoo_draw(&a->zoo, mu, a->ren, &a->fonts, w, vh);
    } else if (G->view == SCREEN_RF) {
        rf_draw(&a->rf, a->ren, &a->fonts, w, vh);
    } else if (G->view == SCREEN_PICK) {
        pick_draw(&a->pick, &a->zoo, a->ren, &a->fonts, w, vh, NULL);
    } else if (G->view == SCREEN_BASICS) {
        VizBasics v;
        basics_viz(&a->basics, &v);
        viz_clear(a->ren);
        viz_draw_basics(a->ren, &a->fonts, &v, w, vh);
    } else if (busy[0] || jobs_busy(a->jobs, JOBS_FORE)) { /* the worker rewrites what the stepper shows */
        if (!busy_over_view(a, w, vh))
            stepper_draw(&a->st, a->ren, &a->fonts, w, vh, busy[0] ? busy : "computing on the worker thread …");
    } else { /* the last action's message goes on the lesson's status line, not the view's */
        char msg[sizeof a->st.ses.msg];
        memcpy(msg, a->st.ses.msg, sizeof msg);
        a->st.ses.msg[0] = 0;
        stepper_draw(&a->st, a->ren, &a->fonts, w, vh, NULL);
        memcpy(a->st.ses.msg, msg, sizeof msg);
    }
    SDL_RenderSetClipRect(a->ren, NULL);
}

/* The chapter list: one row each, the chosen one marked. */
static void draw_list(AppGui *a, int w, int h) {
    LessonGui *G = a->lesson;
    const VizFonts *f = &a->fonts;
    const SDL_Color accent = {255, 196, 84, 255};
    const int row = f->line + 14, top = 40 + 2 * f->line;
    viz_clear(a->ren);
    viz_text(a->ren, f->sans_big, 40, 24, accent, "Lessons: the history of CNNs, with the evidence live");
    for (int i = 0; i < G->n_paths && top + (i + 1) * row < h - 2 * f->small_line; i++) {
        const SDL_Rect r = {24, top + i * row, w - 48, row - 4};
        if (i == G->list_sel) {
            SDL_SetRenderDrawColor(a->ren, 40, 44, 56, 255);
            SDL_RenderFillRect(a->ren, &r);
            SDL_SetRenderDrawColor(a->ren, accent.r, accent.g, accent.b, 255);
            SDL_RenderDrawRect(a->ren, &r);
        }
        char line[260];
        snprintf(line, sizeof line, "%d   %s", i + 1, G->titles[i]);
        gui_status_text(a->ren, &(VizFonts){.small = f->sans, .small_line = f->line}, (SDL_Rect){r.x + 16, r.y + 5, r.w - 32, f->line},
                        i == G->list_sel ? accent : viz_ink(), line);
    }
    char status[800];
    snprintf(status, sizeof status, "choose a chapter: Up/Down and Enter, or a click  ·  U 한국어/English  ·  Esc back  ·  H help%s%s",
             G->error[0] ? "  ·  " : "", G->error);
    gui_status_text(a->ren, f, (SDL_Rect){24, h - 16 - f->small_line, w - 48, f->small_line}, viz_dim(), status);
}

/* A step: its view above, its caption below, the status line under it. */
static void draw_step(AppGui *a, int w, int h) {
    LessonGui *G = a->lesson;
    const VizFonts *f = &a->fonts;
    const int status_h = f->small_line + 12, ch = caption_fit(a, w, h - status_h);
    const int vh = h - status_h - ch;
    char busy[400], line[2000];
    progress_text(a, busy, sizeof busy);
    G->vw = w, G->vh = vh;
    draw_view(a, w, vh, busy);
    if (!busy[0] && G->phase == PHASE_IDLE && !jobs_busy(a->jobs, JOBS_FORE))
        gui_keep_frame(a, w, vh); /* shown while the next step's work runs */
    const VizCaption c = caption_of(G);
    if (G->capf_px) viz_draw_caption(a->ren, &G->capf, &c, (SDL_Rect){0, vh, w, ch});
    SDL_Rect st = {0, h - status_h, w, status_h};
    SDL_SetRenderDrawColor(a->ren, 12, 13, 17, 255);
    SDL_RenderFillRect(a->ren, &st);
    const char *msg = a->st.ses.msg;
    snprintf(line, sizeof line, "lesson  ·  %s%s%s%s%s%s%s", busy[0] ? busy : "step in place",
             G->note[0] ? "  ·  not shown here: " : "", G->note, msg[0] ? "  ·  " : "", msg,
             G->error[0] ? "  ·  " : "", G->error);
    gui_status_text(a->ren, f, (SDL_Rect){24, h - status_h + 6, w - 48, f->small_line},
                    G->note[0] ? (SDL_Color){255, 196, 84, 255} : viz_dim(), line);
}

void lesson_frame(AppGui *a, int w, int h) {
    LessonGui *G = lesson_gui(a);
    if (!G) {
        a->screen = SCREEN_STEPPER;
        return;
    }
    lesson_events(a, w, h);
    if (a->screen != SCREEN_LESSON) return; /* left: the next frame is the step's screen */
    lesson_update(a);
    if (G->chapter >= 0) draw_step(a, w, h);
    else draw_list(a, w, h);
    if (G->help) gui_help_box(a->ren, &a->fonts, w, h, KEYS_LESSON);
    /* F12 waits for the step's state: the picture shows what was asked before it */
    if (a->shot && (G->chapter < 0 || (G->phase == PHASE_IDLE && G->applied == G->step))) {
        gui_screenshot(a, w, h);
        a->shot = 0;
    }
    SDL_RenderPresent(a->ren);
}
#endif
