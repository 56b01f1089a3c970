/*
 * gui_bench.c — the screens of gui_compare.c in the window: compare two
 * designs (C), the zoo in numbers (Z), receptive fields (R) and the
 * network picker (M). Their timings run as back jobs on the worker while
 * the screen is shown; the picker opens a network there, made aside and
 * taken by the window once done.
 */
#ifdef CONVSCOPE_HAVE_GUI
#include <stdio.h>
#include <stdlib.h>

#include "window.h"

/* ---- jobs on the worker ---------------------------------------------------------------- */

static void *compare_job(void *arg, int kind, JobCtl *ctl) {
    AppGui *a = arg;
    compare_measure(&a->cmp, jobs_mutex(a->jobs));
    return NULL;
}

static void *zoo_job(void *arg, int kind, JobCtl *ctl) {
    AppGui *a = arg;
    zoo_measure(&a->zoo, jobs_mutex(a->jobs));
    return NULL;
}

/* A new stepper on the network picked (arg: its card), or NULL. */
static void *open_job(void *arg, int kind, JobCtl *ctl) {
    const ModelCard *card = arg;
    return stepper_create(card->name);
}

/* A new stepper on a trained network (arg: the window, its open_name,
 * open_weights and open_data, left alone while it opens), or NULL. */
static void *open_trained_job(void *arg, int kind, JobCtl *ctl) {
    const AppGui *a = arg;
    return stepper_create_trained(a->open_name, a->open_weights, a->open_data);
}

static void bench_submit(AppGui *a, void *(*run)(void *, int, JobCtl *)) {
    a->bench_job = jobs_submit(a->jobs, &(JobSpec){run, NULL, a, 0, JOBS_BACK});
    if (!a->bench_job) snprintf(a->st.ses.msg, sizeof a->st.ses.msg, "no memory to start the timing");
}

/* The zoo's measurement (again), from its smallest network. */
static void zoo_start(AppGui *a) {
    pthread_mutex_lock(jobs_mutex(a->jobs));
    a->zoo.running = 1;
    pthread_mutex_unlock(jobs_mutex(a->jobs));
    bench_submit(a, zoo_job);
}

void bench_cancel(AppGui *a) {
    pthread_mutex_lock(jobs_mutex(a->jobs));
    a->cmp.gen++;
    a->zoo.gen++;
    a->zoo.running = 0;
    pthread_mutex_unlock(jobs_mutex(a->jobs));
    if (a->bench_job) jobs_cancel(a->jobs, a->bench_job);
}

void bench_cancel_open(AppGui *a) {
    if (!a->opening) return;
    jobs_cancel(a->jobs, a->open_job); /* what it made is dropped, never applied */
    a->opening = 0;
}

/* The zoo's cards and counts, made on the first visit. */
static void zoo_ready(AppGui *a) {
    if (a->zoo_ready) return;
    if (zoo_init(&a->zoo, NULL, a->cmp.count, 3) != 0)
        snprintf(a->st.ses.msg, sizeof a->st.ses.msg, "the zoo could not be listed (see the terminal)");
    a->zoo_ready = 1;
}

void bench_switch(AppGui *a, int screen) {
    if (screen == a->screen) return;
    if (a->screen == SCREEN_EXPERIMENTS) experiments_cancel(a); /* a screen's run stops when it is left */
    bench_cancel_open(a);
    bench_cancel(a);
    a->screen = screen;
    a->help = 0;
    if (screen == SCREEN_COMPARE) {
        bench_submit(a, compare_job);
    } else if (screen == SCREEN_PICK) {
        zoo_ready(a);
        for (int i = 0; i < a->zoo.n; i++)
            if (a->zoo.card[i] == a->st.ses.card) a->pick.sel = i;
    } else if (screen == SCREEN_RF) {
        if (!a->rf_ready) rf_init(&a->rf, a->st.ses.card, a->st.ses.graph);
        a->rf_ready = 1;
    } else if (screen == SCREEN_ZOO) {
        zoo_ready(a);
        zoo_start(a);
    }
}

/* ---- events ---------------------------------------------------------------------------- */

/* The key table of the screen shown. */
static GuiKeysId bench_keys_id(const AppGui *a) {
    return a->screen == SCREEN_COMPARE ? KEYS_COMPARE : a->screen == SCREEN_RF ? KEYS_RF
           : a->screen == SCREEN_PICK  ? KEYS_PICK    : KEYS_ZOO;
}

/* Keys every one of these screens shares; 1 when e was one. */
static int common_key(AppGui *a, const SDL_Event *e) {
    const GuiKeyAct k = gui_key_event(bench_keys_id(a), e, NULL);
    if (k == KEY_BACK) {
        if (a->help) a->help = 0;
        else bench_switch(a, SCREEN_STEPPER);
    } else if (k == KEY_HELP) {
        a->help = !a->help;
    } else if (k == KEY_SHOT) { /* while a network opens: its first frame */
        a->shot = 1;
    } else if (a->opening && e->type == SDL_KEYDOWN) { /* until the network is open */
    } else if (k == KEY_TO_COMPARE || k == KEY_TO_ZOO || k == KEY_TO_RF || k == KEY_TO_PICK) {
        bench_switch(a, k == KEY_TO_COMPARE ? SCREEN_COMPARE : k == KEY_TO_ZOO ? SCREEN_ZOO
                        : k == KEY_TO_RF    ? SCREEN_RF      : SCREEN_PICK);
    } else if (k == KEY_TO_BASICS) {
        bench_switch(a, SCREEN_BASICS);
    } else if (k == KEY_TO_EXPERIMENTS) {
        bench_switch(a, SCREEN_EXPERIMENTS);
    } else if (k == KEY_TO_LESSON) {
        lesson_enter(a);
    } else if (k == KEY_TO_TRAIN) {
        train_enter(a);
    } else {
        return 0;
    }
    return 1;
}

static void submit_open(AppGui *a, const ModelCard *card) {
    snprintf(a->open_name, sizeof a->open_name, "%s", card->name);
    a->open_weights[0] = a->open_data[0] = 0;
    a->open_job = jobs_submit(a->jobs, &(JobSpec){open_job, stepper_destroy, (void *)card, 0, JOBS_BACK});
    a->opening = a->open_job != 0;
    if (!a->opening) snprintf(a->st.ses.msg, sizeof a->st.ses.msg, "no memory to open %s", card->name);
}

void bench_open_trained(AppGui *a, const ModelCard *card, const char *weights, const char *data) {
    if (!card || a->opening) return;
    bench_switch(a, SCREEN_PICK);
    for (int i = 0; i < a->zoo.n; i++)
        if (a->zoo.card[i] == card) a->pick.sel = i;
    snprintf(a->open_name, sizeof a->open_name, "%s", card->name);
    snprintf(a->open_weights, sizeof a->open_weights, "%s", weights);
    snprintf(a->open_data, sizeof a->open_data, "%s", data);
    a->open_job = jobs_submit(a->jobs, &(JobSpec){open_trained_job, stepper_destroy, a, 0, JOBS_BACK});
    a->opening = a->open_job != 0;
    if (!a->opening) snprintf(a->st.ses.msg, sizeof a->st.ses.msg, "no memory to open %s", card->name);
}

void bench_open(AppGui *a, const ModelCard *card) {
    if (!card) return;
    bench_switch(a, SCREEN_PICK);
    for (int i = 0; i < a->zoo.n; i++)
        if (a->zoo.card[i] == card) a->pick.sel = i;
    submit_open(a, card);
}

static void screen_event(AppGui *a, const SDL_Event *e, int w, int h) {
    pthread_mutex_t *mu = jobs_mutex(a->jobs);
    if (a->screen == SCREEN_PICK) {
        if (!a->opening && pick_event(&a->pick, &a->zoo, e, &a->fonts, w, h))
            submit_open(a, a->zoo.card[a->pick.sel]);
    } else if (a->screen == SCREEN_RF) {
        rf_event(&a->rf, e, &a->fonts, w, h);
    } else if (a->screen == SCREEN_COMPARE) {
        if (compare_event(&a->cmp, mu, e, &a->fonts, w, h)) bench_submit(a, compare_job);
    } else if (zoo_event(&a->zoo, mu, e, &a->fonts, w, h)) {
        bench_cancel(a);
        zoo_start(a);
    }
}

/* The network opened, once made, replaces the one in the stepper: 1 then. */
static int take_opened(AppGui *a) {
    const JobStatus st = jobs_poll(a->jobs, a->open_job);
    if (st.state == JOB_CANCELLED) a->opening = 0; /* never made */
    if (st.state != JOB_DONE) return 0;
    Stepper *ns = jobs_take(a->jobs, a->open_job);
    a->opening = 0;
    if (!ns) {
        snprintf(a->st.ses.msg, sizeof a->st.ses.msg, "could not open %s (see the terminal)", a->open_name);
        return 0;
    }
    stepper_close(&a->st);
    a->st = *ns;
    a->st.jobs = a->jobs;
    free(ns);
    bench_switch(a, SCREEN_STEPPER);
    return 1;
}

/* ---- drawing --------------------------------------------------------------------------- */

static void bench_draw(AppGui *a, int w, int h) {
    pthread_mutex_t *mu = jobs_mutex(a->jobs);
    char note[160] = "";
    if (a->opening) snprintf(note, sizeof note, "opening %s: building it and making its weights …", a->open_name);
    if (a->screen == SCREEN_COMPARE) compare_draw(&a->cmp, mu, a->ren, &a->fonts, w, h);
    else if (a->screen == SCREEN_PICK) pick_draw(&a->pick, &a->zoo, a->ren, &a->fonts, w, h, note);
    else if (a->screen == SCREEN_RF) rf_draw(&a->rf, a->ren, &a->fonts, w, h);
    else zoo_draw(&a->zoo, mu, a->ren, &a->fonts, w, h);
    const Session *ses = &a->st.ses;
    char line[1024];
    snprintf(line, sizeof line, "%s  ·  %s%sC compare  ·  Z zoo  ·  R receptive fields  ·  Esc back to %s  ·  H help",
             a->screen == SCREEN_COMPARE ? "compare two designs" : a->screen == SCREEN_RF ? "receptive fields"
             : a->screen == SCREEN_PICK ? "pick a network (arrows, Enter)" : "the zoo",
             ses->msg, ses->msg[0] ? "  ·  " : "", ses->card->display);
    gui_status_text(a->ren, &a->fonts, (SDL_Rect){24, h - 16 - a->fonts.small_line, w - 48, a->fonts.small_line},
                    viz_dim(), line);
    if (a->help) gui_help_box(a->ren, &a->fonts, w, h, bench_keys_id(a));
}

void bench_frame(AppGui *a, int w, int h) {
    SDL_Event e;
    while (gui_next_event(a, &e, 0)) {
        if (e.type == SDL_DROPFILE) { /* for the stepper: not on these screens */
            SDL_free(e.drop.file);
            continue;
        }
        if (gui_common_event(a, &e, bench_keys_id(a)) || common_key(a, &e)) continue;
        if (a->screen != SCREEN_COMPARE && a->screen != SCREEN_ZOO && a->screen != SCREEN_RF &&
            a->screen != SCREEN_PICK)
            return; /* another screen from the next frame */
        screen_event(a, &e, w, h);
    }
    if (a->opening && take_opened(a)) return;
    bench_draw(a, w, h);
    if (a->shot && !a->opening) {
        gui_screenshot(a, w, h);
        a->shot = 0;
    }
    gui_present(a, w, h);
}
#endif
