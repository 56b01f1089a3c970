/*
 * gui.c — `convscope view`: the window's loop. Per frame: poll the events
 * and hand each to the screen shown, let it update, draw it, present it
 * (SDL's testdrawchessboard.c loop()). The screens are files of their own:
 * the forward stepper (gui_stepper.c and its panels, stepper.h), the
 * compare, zoo, receptive-field and picker screens (gui_bench.c running
 * gui_compare.c's); long work goes to the worker (jobs.h). `render` and
 * `deconv` draw the same pictures into PNG files (cmd_render.c, cmd_deconv.c).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"

#ifdef CONVSCOPE_HAVE_GUI
#include "canvas.h"
#include "lesson.h"
#include "window.h"

/* ---- events held for the stepper ------------------------------------------------------- */

int gui_next_event(AppGui *a, SDL_Event *e, int busy) {
    if (!busy && a->n_held > 0) {
        *e = a->held[0];
        memmove(a->held, a->held + 1, (size_t)(a->n_held - 1) * sizeof *a->held);
        a->n_held--;
        return 1;
    }
    return SDL_PollEvent(e);
}

/* Keep e for later; 0 when the queue is full (the event is dropped). Pointer
 * motions in a row become one (where the pointer is now, moved by their sum). */
static int gui_hold_event(AppGui *a, const SDL_Event *e) {
    SDL_Event *prev = a->n_held > 0 ? &a->held[a->n_held - 1] : NULL;
    if (e->type == SDL_MOUSEMOTION && prev && prev->type == SDL_MOUSEMOTION) {
        const int xrel = prev->motion.xrel + e->motion.xrel, yrel = prev->motion.yrel + e->motion.yrel;
        *prev = *e;
        prev->motion.xrel = xrel, prev->motion.yrel = yrel;
        return 1;
    }
    if (a->n_held >= (int)(sizeof a->held / sizeof a->held[0])) {
        if (e->type == SDL_DROPFILE) SDL_free(e->drop.file);
        return 0;
    }
    a->held[a->n_held++] = *e;
    return 1;
}

/* ---- what a screen asks of the window -------------------------------------------------- */

/* F11. Full screen is asked of the window manager; without one (a bare X
 * server, a kiosk) nobody moves or sizes the window, and SDL would lay the
 * frame out at the screen's size inside the old window: the window is first
 * made borderless and moved over the whole display by hand. Every frame lays
 * out from the size the renderer reports (gui_frame). */
void gui_toggle_presenting(AppGui *a) {
    a->presenting = !a->presenting;
    viz_set_high_contrast(a->presenting);
    if (a->presenting) {
        SDL_GetWindowSize(a->win, &a->windowed_w, &a->windowed_h);
        SDL_GetWindowPosition(a->win, &a->windowed_x, &a->windowed_y);
        SDL_Rect b;
        const int d = SDL_GetWindowDisplayIndex(a->win);
        if (d >= 0 && SDL_GetDisplayBounds(d, &b) == 0) {
            SDL_SetWindowBordered(a->win, SDL_FALSE);
            SDL_SetWindowPosition(a->win, b.x, b.y);
            SDL_SetWindowSize(a->win, b.w, b.h);
        }
    }
    if (SDL_SetWindowFullscreen(a->win, a->presenting ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0) != 0)
        snprintf(a->st.ses.msg, sizeof a->st.ses.msg, "full screen unavailable: %.200s", SDL_GetError());
    /* back to the size and place it had: not every window manager (or none) restores them */
    if (!a->presenting && a->windowed_w > 0) {
        SDL_SetWindowBordered(a->win, SDL_TRUE);
        SDL_SetWindowSize(a->win, a->windowed_w, a->windowed_h);
        SDL_SetWindowPosition(a->win, a->windowed_x, a->windowed_y);
    }
}

/* F12: the frame just drawn, to a PNG in the current folder named after the
 * network and a number not yet taken (app_save_png: a temporary file, then
 * a rename; nothing left behind on a failure). It is read after the frame's
 * drawing and before it is presented, so that it shows every key pressed
 * before F12. */
void gui_screenshot(AppGui *a, int w, int h) {
    static int n;
    Session *s = &a->st.ses;
    char path[256], err[512];
    do snprintf(path, sizeof path, "convscope-%s-%d.png", s->card->name, ++n);
    while (access(path, F_OK) == 0 && n < 100000);
    SDL_Surface *surf = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_RGBA32);
    /* the frame's w x h, not the whole target: a window grown since the frame
     * began would overrun the surface */
    const SDL_Rect frame = {0, 0, w, h};
    if (!surf || SDL_RenderReadPixels(a->ren, &frame, SDL_PIXELFORMAT_RGBA32, surf->pixels, surf->pitch) != 0)
        snprintf(s->msg, sizeof s->msg, "screenshot failed: %.200s", SDL_GetError());
    else if (app_save_png(surf, path, err, sizeof err) != 0)
        snprintf(s->msg, sizeof s->msg, "screenshot failed: %.200s", err);
    else
        snprintf(s->msg, sizeof s->msg, "saved %s", path);
    if (surf) SDL_FreeSurface(surf);
}

/* 1 while the experiments screen's run is under way (its state is the worker's). */
static int exps_running(AppGui *a) {
    pthread_mutex_lock(jobs_mutex(a->jobs));
    const int running = a->exps.state == EXPS_RUNNING;
    pthread_mutex_unlock(jobs_mutex(a->jobs));
    return running;
}

/* What the worker is doing that a quit would throw away, into buf; "" when
 * it is idle. */
static void gui_job_text(AppGui *a, char *buf, size_t n) {
    buf[0] = 0;
    if (a->train && train_gui_busy(a->train, buf, n)) return;
    if (!a->jobs) return;
    if (a->opening) snprintf(buf, n, "opening %s", a->open_name);
    else if (jobs_busy(a->jobs, JOBS_FORE)) stepper_busy_text(&a->st, buf, n);
    else if (exps_running(a)) snprintf(buf, n, "an experiment is being run again");
    else if (jobs_busy(a->jobs, JOBS_BACK)) snprintf(buf, n, "timing on the worker");
    if (!buf[0] && jobs_busy(a->jobs, JOBS_FORE)) snprintf(buf, n, "computing on the worker");
}

void gui_quit(AppGui *a) {
    char job[256];
    gui_job_text(a, job, sizeof job);
    if (!job[0] || a->quit_ask) {
        a->running = 0;
        return;
    }
    a->quit_ask = 1;
    snprintf(a->ask, sizeof a->ask, "Quit while %.200s?  Q or Y: quit  ·  any other key: stay", job);
}

/* Esc with nothing of the screen's left to close: out of full screen, else
 * a hint (Esc never quits). */
static void gui_back(AppGui *a) {
    if (a->presenting) gui_toggle_presenting(a);
    else snprintf(a->st.ses.msg, sizeof a->st.ses.msg, "nothing to close: Q quits");
}

int gui_common_event(AppGui *a, const SDL_Event *e, GuiKeysId keys) {
    const GuiKeyAct act = gui_key_event(keys, e, NULL);
    if (a->quit_ask && e->type == SDL_KEYDOWN) { /* the question's answer */
        const int yes = act == KEY_QUIT || e->key.keysym.sym == SDLK_y;
        a->quit_ask = 0;
        if (yes) a->running = 0;
        return 1;
    }
    if (e->type == SDL_QUIT || act == KEY_QUIT) gui_quit(a);
    else if (act == KEY_PRESENT) gui_toggle_presenting(a);
    else return 0;
    return 1;
}

/* The question asked before quitting, over whatever the screen shows. */
static void gui_ask_draw(AppGui *a, int w, int h) {
    if (!a->quit_ask) return;
    const VizFonts *f = &a->fonts;
    int tw = 0, th = 0;
    viz_text_size(f->sans, a->ask, &tw, &th);
    if (tw > w - 80) tw = w - 80;
    SDL_Rect box = {(w - tw) / 2 - 24, h / 2 - f->line - 12, tw + 48, 2 * f->line + 24};
    SDL_SetRenderDrawBlendMode(a->ren, SDL_BLENDMODE_BLEND);
    SDL_SetRenderDrawColor(a->ren, 10, 12, 16, 245);
    SDL_RenderFillRect(a->ren, &box);
    SDL_SetRenderDrawColor(a->ren, 255, 196, 84, 255);
    SDL_RenderDrawRect(a->ren, &box);
    SDL_Rect at = {box.x + 24, box.y + (box.h - f->line) / 2, tw, f->line};
    SDL_RenderSetClipRect(a->ren, &at); /* a long job name is cut at the box */
    viz_text(a->ren, f->sans, at.x, at.y, (SDL_Color){255, 196, 84, 255}, a->ask);
    SDL_RenderSetClipRect(a->ren, NULL);
}

/* view --fps: the frame rate over the last frames drawn without pause, in
 * the bottom right corner above the status line (not in screenshots, which
 * are taken before it). */
static void fps_overlay(AppGui *a, int w, int h) {
    FpsSummary s;
    char text[96];
    if (fps_recent(a->fps, &s) == 0)
        snprintf(text, sizeof text, "%.1f fps, worst %.1f ms (last %d frames)", s.median_fps, s.worst_ms, s.frames);
    else
        snprintf(text, sizeof text, "fps: no frames drawn without pause yet");
    int tw, th;
    if (viz_text_size(a->fonts.small, text, &tw, &th) != 0) return;
    const SDL_Rect box = {w - tw - 16, h - a->fonts.line * 2 - th - 12, tw + 12, th + 6};
    SDL_SetRenderDrawBlendMode(a->ren, SDL_BLENDMODE_BLEND);
    SDL_SetRenderDrawColor(a->ren, 10, 12, 16, 220);
    SDL_RenderFillRect(a->ren, &box);
    SDL_SetRenderDrawBlendMode(a->ren, SDL_BLENDMODE_NONE);
    const SDL_Color c = s.frames > 0 && s.median_fps < 30 ? (SDL_Color){255, 120, 100, 255}
                                                          : (SDL_Color){160, 230, 160, 255};
    viz_text(a->ren, a->fonts.small, box.x + 6, box.y + 3, c, text);
}

void gui_present(AppGui *a, int w, int h) {
    if (a->fps) fps_overlay(a, w, h);
    gui_ask_draw(a, w, h);
    SDL_RenderPresent(a->ren);
}

/* An action of the stepper's events; 1 when the frame ends there (another
 * screen is shown from the next one). */
static int gui_act(AppGui *a, GuiAction act, const SDL_Event *e) {
    switch (act) {
    case GUI_HOLD: gui_hold_event(a, e); break;
    case GUI_QUIT: gui_quit(a); break;
    case GUI_BACK: gui_back(a); break;
    case GUI_SHOT: a->shot = 1; break;
    case GUI_PRESENT: gui_toggle_presenting(a); break;
    case GUI_TO_COMPARE: bench_switch(a, SCREEN_COMPARE); return 1;
    case GUI_TO_ZOO: bench_switch(a, SCREEN_ZOO); return 1;
    case GUI_TO_RF: bench_switch(a, SCREEN_RF); return 1;
    case GUI_TO_PICK: bench_switch(a, SCREEN_PICK); return 1;
    case GUI_OPEN_MODEL: bench_open(a, a->st.proj.alt); return 1;
    case GUI_TO_BASICS: bench_switch(a, SCREEN_BASICS); return 1;
    case GUI_TO_LESSON: lesson_enter(a); return 1;
    case GUI_TO_TRAIN: train_enter(a); return 1;
    case GUI_TO_EXPERIMENTS: bench_switch(a, SCREEN_EXPERIMENTS); return 1;
    default: break;
    }
    return 0;
}

/* Type that follows the window's height (gui_font_px); the fonts we have
 * stay when the new size cannot be loaded. */
static void fit_fonts(AppGui *a, int h) {
    int want = gui_font_px(h, a->presenting);
    if (want == a->font_px) return;
    VizFonts nf;
    char err[512];
    if (viz_fonts_load(&nf, want, err, sizeof err) != 0) {
        snprintf(a->st.ses.msg, sizeof a->st.ses.msg, "type of %d px unavailable: %.300s", want, err);
        a->font_px = want; /* asked once */
        return;
    }
    viz_fonts_unload(&a->fonts);
    a->fonts = nf;
    a->font_px = want;
}

/* The frame just drawn, kept (the worker may rewrite the activations it
 * shows: while it does, the window shows this copy rather than read them). */
void gui_keep_frame(AppGui *a, int w, int h) {
    if (a->last_frame && (a->last_frame->w != w || a->last_frame->h != h)) {
        SDL_FreeSurface(a->last_frame);
        a->last_frame = NULL;
    }
    if (!a->last_frame) a->last_frame = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_RGBA32);
    const SDL_Rect frame = {0, 0, w, h};
    if (a->last_frame &&
        SDL_RenderReadPixels(a->ren, &frame, SDL_PIXELFORMAT_RGBA32, a->last_frame->pixels, a->last_frame->pitch) != 0) {
        SDL_FreeSurface(a->last_frame);
        a->last_frame = NULL;
    }
}

/* While the worker computes: the last frame kept, dimmed, over the top
 * w x h, and over it what is being computed, how far it is and how to stop
 * it, in the middle of main; what the probe running has found so far under
 * the box. 0 when no frame of that size is kept (nothing drawn). */
int gui_busy_over_kept(AppGui *a, int w, int h, int any_h, SDL_Rect main, const char *busy, double seconds) {
    if (!a->last_frame || a->last_frame->w != w || (!any_h && a->last_frame->h != h)) return 0;
    Stepper *s = &a->st;
    SDL_Texture *t = SDL_CreateTextureFromSurface(a->ren, a->last_frame);
    const SDL_Rect view = {0, 0, w, h}, kept = {0, 0, w, a->last_frame->h};
    viz_clear(a->ren);
    if (t) SDL_RenderCopy(a->ren, t, NULL, &kept), SDL_DestroyTexture(t);
    SDL_SetRenderDrawBlendMode(a->ren, SDL_BLENDMODE_BLEND);
    SDL_SetRenderDrawColor(a->ren, 0, 0, 0, 110);
    SDL_RenderFillRect(a->ren, &view);
    SDL_SetRenderDrawBlendMode(a->ren, SDL_BLENDMODE_NONE);
    JobStatus st = {0};
    const int running = a->jobs && jobs_running(a->jobs, JOBS_FORE, &st);
    SDL_Rect box = main;
    if (a->jobs && probe_has_live(s, jobs_mutex(a->jobs))) { /* the box above, the results so far below */
        box.h = main.h * 2 / 5;
        probe_draw_live(s, jobs_mutex(a->jobs), a->ren, &a->fonts,
                        (SDL_Rect){main.x, main.y + box.h, main.w, main.h - box.h});
    }
    viz_progress_box(a->ren, &a->fonts, box, busy, running ? st.done : 0, running ? st.total : 0, seconds,
                     "Esc to cancel");
    return 1;
}

/* One frame of the stepper: its events (held while the worker owns it),
 * its update, its drawing. */
static void stepper_screen(AppGui *a, int w, int h) {
    Stepper *s = &a->st;
    StepperFrame fr = stepper_frame(s, &a->fonts, w, h);
    SDL_Event e;
    while (gui_next_event(a, &e, fr.busy)) {
        if (gui_common_event(a, &e, stepper_keys_id(s))) continue;
        if (gui_act(a, stepper_event(s, &fr, &e), &e)) return;
    }
    stepper_update(s, &fr, a->n_held == 0);
    if (stepper_short_job(s)) return; /* keep the last frame on screen rather than blank panels */
    char busy[256];
    stepper_busy_text(s, busy, sizeof busy);
    if (busy[0] && gui_busy_over_kept(a, w, h, 0, stepper_layout(&a->fonts, s, w, h).main, busy,
                                      (SDL_GetTicks() - s->job_since) / 1000.0)) {
        gui_present(a, w, h);
        return;
    }
    stepper_draw(s, a->ren, &a->fonts, w, h, busy[0] ? busy : NULL);
    if (!busy[0]) gui_keep_frame(a, w, h);
    if (a->shot && !busy[0]) {
        gui_screenshot(a, w, h);
        a->shot = 0;
    }
    gui_present(a, w, h);
}

static void gui_frame(AppGui *a) {
    int w, h;
    if (SDL_GetRendererOutputSize(a->ren, &w, &h) != 0) {
        w = 1280, h = 800;
        snprintf(a->st.ses.msg, sizeof a->st.ses.msg, "window size unknown: %.200s", SDL_GetError());
    }
    fit_fonts(a, h);
    if (a->screen == SCREEN_STEPPER) stepper_screen(a, w, h);
    else if (a->screen == SCREEN_LESSON) lesson_frame(a, w, h);
    else if (a->screen == SCREEN_BASICS) basics_frame(a, w, h);
    else if (a->screen == SCREEN_TRAIN) train_frame(a, w, h);
    else if (a->screen == SCREEN_EXPERIMENTS) experiments_frame(a, w, h);
    else bench_frame(a, w, h);
}

/* ---- view: open, run, close ------------------------------------------------------------ */

static const char view_usage[] =
    "usage: convscope view [MODEL] [--weights FILE] [--data digits|fashion|PATH] [--image-index N]\n"
    "                      [--image FILE | --input FILE.npy] [--input CxHxW] [--quit-after MS]\n"
    "                      [--preprocess caffe|torchvision|none|card] [--frame-stats] [--fps] [--lang ko|en]\n"
    "  Open the visualizer on MODEL (default lenet5, with its trained weights and a\n"
    "  handwritten digit). --image-index N picks test image N (from 0; N and P step\n"
    "  through them) as the input, --image an image file (PNG, JPEG, BMP; or drop\n"
    "  one on the window); G shows synthetic\n"
    "  patterns, W lets you draw the input. --preprocess picks how an image is\n"
    "  prepared for an .onnx model (default: from its metadata, exporter or name;\n"
    "  see README).\n"
    "  Keys: Left/Right step through the layers, Space plays the forward pass,\n"
    "  Home/End, PgUp/PgDn page through channels, Tab layer table, C compares two\n"
    "  designs (sliders, conventions, times measured live), Z shows the whole zoo in\n"
    "  numbers, L opens the lessons, J trains a small network in the window, Y\n"
    "  the experiments (their plots, the papers' claims, a rerun), H lists every\n"
    "  key, Esc goes back, Q quits.\n"
    "  --lang: the lessons in Korean or English (default: Korean when the locale,\n"
    "  LC_ALL, LC_MESSAGES or LANG, starts with ko); U switches in the window.\n"
    "  --fps: frames per second while the window draws without pause (a job on the\n"
    "  worker, playback; it redraws only when something changes), over the last 30\n"
    "  frames in a corner, and when it closes a line: min, median and max over\n"
    "  windows of 30 frames, and the worst frame.\n";

/* --frame-stats: how long the frames took, printed when the window closes
 * (benchmarks/window_frames.sh reads it): the window must keep drawing while
 * the worker computes. */
static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}
static void print_frame_stats(double *ms, int n, double total_s) {
    if (n < 1) return;
    qsort(ms, (size_t)n, sizeof *ms, cmp_double);
    int over = 0;
    for (int i = 0; i < n; i++) over += ms[i] > 1000.0 / 60.0;
    fprintf(stderr, "view: %d frames in %.2f s (%.1f per second): median %.2f ms, 99th percentile "
                    "%.2f ms, longest %.2f ms, %d over 16.7 ms\n", n, total_s, n / total_s,
            ms[n / 2], ms[(int)((n - 1) * 0.99)], ms[n - 1], over);
}

/* The window, its renderer, its fonts, the worker: APP_OK, or APP_FAIL
 * after a line on stderr. */
static int window_open(AppGui *a) {
    char err[256];
    if (SDL_Init(SDL_INIT_VIDEO) != 0) {
        fprintf(stderr, "convscope view: cannot open a window: %s (is a display available?)\n",
                SDL_GetError());
        return APP_FAIL;
    }
    /* With no display SDL falls back to a driver that shows nothing: the
     * window would run unseen for ever. Only a driver asked for by name
     * (SDL_VIDEODRIVER=offscreen, as the tests do) may be invisible. */
    const char *drv = SDL_GetCurrentVideoDriver(), *asked = SDL_getenv("SDL_VIDEODRIVER");
    if (drv && (!strcmp(drv, "offscreen") || !strcmp(drv, "dummy") || !strcmp(drv, "evdev")) &&
        !(asked && strstr(asked, drv))) {
        fprintf(stderr, "convscope view: no display to open a window on (DISPLAY and WAYLAND_DISPLAY "
                        "are not set; SDL found only its '%s' driver); 'convscope render' draws "
                        "the same views into PNG files\n", drv);
        SDL_Quit();
        return APP_FAIL;
    }
    a->win = SDL_CreateWindow("convscope", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, 1280, 800,
                              SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI);
    if (!a->win) {
        fprintf(stderr, "convscope view: cannot create a window: %s\n", SDL_GetError());
        return APP_FAIL;
    }
    a->ren = SDL_CreateRenderer(a->win, -1, SDL_RENDERER_PRESENTVSYNC);
    if (!a->ren) a->ren = SDL_CreateRenderer(a->win, -1, SDL_RENDERER_SOFTWARE);
    if (!a->ren) {
        fprintf(stderr, "convscope view: cannot create a renderer: %s\n", SDL_GetError());
        return APP_FAIL;
    }
    a->font_px = 18;
    if (viz_fonts_load(&a->fonts, 18, err, sizeof err) != 0) {
        fprintf(stderr, "convscope view: %s\n", err);
        return APP_FAIL;
    }
    compare_init(&a->cmp, 0, NULL, (EngCount){0});
    basics_init(&a->basics);
    exps_init(&a->exps);
    a->jobs = jobs_create();
    if (!a->jobs) {
        fprintf(stderr, "convscope view: cannot start the worker thread\n");
        return APP_FAIL;
    }
    a->st.jobs = a->jobs;
    return APP_OK;
}

/* Stop the timings, let a stepper job under way finish, stop the worker,
 * close what is open. */
static void window_close(AppGui *a) {
    train_gui_close(a); /* a run under way stops and saves */
    if (a->jobs) bench_cancel(a);
    if (a->jobs) experiments_cancel(a); /* a rerun stops at its next training step */
    jobs_destroy(a->jobs); /* a network opened while the window was closing is freed */
    a->jobs = NULL;
    lesson_gui_free(a);
    exps_free(&a->exps);
    exp_data_free(); /* the experiments' training data, read by a rerun */
    viz_fonts_unload(&a->fonts);
    if (TTF_WasInit()) TTF_Quit();
    if (a->ren) {
        viz_forget_renderer(a->ren);
        SDL_DestroyRenderer(a->ren);
    }
    for (int i = 0; i < a->n_held; i++) /* events never handled */
        if (a->held[i].type == SDL_DROPFILE) SDL_free(a->held[i].drop.file);
    if (a->win) SDL_DestroyWindow(a->win);
    SDL_Quit();
    stepper_close(&a->st);
    if (a->last_frame) SDL_FreeSurface(a->last_frame);
    a->last_frame = NULL;
    compare_free(&a->cmp);
}

/* 1 while something changes without an event: playback, the 3D camera
 * gliding, a job on the worker (its progress, its result), events held for
 * the stepper, a screenshot or an input waiting for the worker. */
static int gui_animating(AppGui *a) {
    const Stepper *s = &a->st;
    if (a->screen == SCREEN_STEPPER &&
        (s->sel.playing || view3d_moving(s) || s->pad.pending_dirty || s->want != JOB_NONE))
        return 1;
    if (a->screen == SCREEN_TRAIN && a->train && train_gui_moving(a->train)) return 1;
    return a->n_held > 0 || a->shot || a->opening ||
           (a->jobs && (jobs_busy(a->jobs, JOBS_FORE) || jobs_busy(a->jobs, JOBS_BACK)));
}

/* Until the next frame is due: an event, or about 60 frames a second while
 * something moves (and two more after it stops, for the last result); when
 * nothing moves the thread sleeps in SDL_WaitEventTimeout, waking only to
 * check --quit-after. 1 when the window was drawing without pause (the next
 * frame follows this one as soon as it can: what --fps counts). */
static int gui_wait(AppGui *a, Uint32 deadline) {
    for (;;) {
        if (gui_animating(a)) a->linger = 2;
        const int moving = a->linger > 0;
        if (SDL_WaitEventTimeout(NULL, moving ? 16 : 250)) return moving; /* an event waits: a frame for it */
        if (moving) {
            a->linger--;
            return 1;
        }
        if (deadline && SDL_TICKS_PASSED(SDL_GetTicks(), deadline)) return 0;
    }
}

/* Frames until the window closes (or --quit-after); --frame-stats: how long
 * each took to make (the waits between them left out); --fps (a->fps): the
 * time from one frame's start to the next while the window draws without
 * pause. */
static void window_run(AppGui *a, int quit_after_ms, int frame_stats) {
    a->running = 1;
    Uint64 prev = 0;
    int counted = 0; /* the wait before this frame was one of drawing without pause */
    const Uint32 deadline = quit_after_ms ? SDL_GetTicks() + (Uint32)quit_after_ms : 0;
    enum { MAX_FRAMES = 1 << 20 };
    double *frame_ms = frame_stats ? malloc(MAX_FRAMES * sizeof *frame_ms) : NULL;
    if (frame_stats && !frame_ms) fprintf(stderr, "convscope view: no memory for --frame-stats\n");
    int n_frames = 0;
    const double tick_ms = 1000.0 / (double)SDL_GetPerformanceFrequency();
    const Uint64 first = SDL_GetPerformanceCounter();
    while (a->running) {
        const Uint64 t0 = SDL_GetPerformanceCounter();
        if (a->fps && counted && prev) fps_add(a->fps, (double)(t0 - prev) * tick_ms);
        prev = t0;
        gui_frame(a);
        if (frame_ms && n_frames < MAX_FRAMES) frame_ms[n_frames++] = (double)(SDL_GetPerformanceCounter() - t0) * tick_ms;
        if (deadline && SDL_TICKS_PASSED(SDL_GetTicks(), deadline)) a->running = 0;
        if (a->running) counted = gui_wait(a, deadline);
    }
    if (frame_ms)
        print_frame_stats(frame_ms, n_frames, (double)(SDL_GetPerformanceCounter() - first) * tick_ms / 1000.0);
    free(frame_ms);
}

int app_cmd_view(int argc, char **argv) {
    AppOptions o;
    float *given = NULL;
    int help, rc = app_parse_cmd(argc, argv, view_usage, &o, &help);
    if (rc || help) return rc;
    const char *image = o.image, *npy = o.npy_in;
    const int frame_stats = o.frame_stats;
    if ((rc = session_load_npy_arg(npy, image, &o, &given, "view")) != APP_OK) return rc;
    if (!o.model) o.model = "lenet5";
    AppGui a = {0};
    snprintf(a.lang, sizeof a.lang, "%s", lesson_lang(o.lang));
    snprintf(a.pick.lang, sizeof a.pick.lang, "%s", a.lang); /* the picker's card in it too */
    rc = stepper_open(&a.st, &o, o.image_index);
    if (!rc)
        rc = app_check_image_index(&o, &a.st.ses.test, o.data ? o.data : a.st.ses.card->weights_data,
                                   image ? "--image" : npy ? "--input" : NULL, "view");
    if (!rc && image && session_use_image(&a.st.ses, image, "view") != 0) rc = APP_FAIL;
    if (!rc && given) session_use_array(&a.st.ses, given, npy);
    free(given);
    if (rc) {
        stepper_close(&a.st);
        return rc;
    }
    rc = window_open(&a);
    FpsMeter fps = {0};
    if (rc == APP_OK && o.fps) {
        if (fps_init(&fps, 1 << 20) == 0) a.fps = &fps;
        else fprintf(stderr, "convscope view: no memory for --fps\n");
    }
    if (rc == APP_OK) window_run(&a, o.quit_after_ms, frame_stats);
    window_close(&a);
    if (a.fps) {
        char line[256];
        fps_line(a.fps, line, sizeof line);
        printf("%s\n", line);
        fflush(stdout);
    }
    fps_free(&fps);
    return rc;
}
#else
int app_cmd_view(int argc, char **argv) {
    (void)argc;
    (void)argv;
    fprintf(stderr, "convscope view: built without the GUI (CONVSCOPE_GUI=OFF)\n");
    return APP_FAIL;
}
#endif
