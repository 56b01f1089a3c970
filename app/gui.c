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

void gui_toggle_presenting(AppGui *a) {
    a->presenting = !a->presenting;
    viz_set_high_contrast(a->presenting);
    if (a->presenting) SDL_GetWindowSize(a->win, &a->windowed_w, &a->windowed_h);
    if (SDL_SetWindowFullscreen(a->win, a->presenting ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0) != 0)
        snprintf(a->st.ses.msg, sizeof a->st.ses.msg, "full screen unavailable: %.200s", SDL_GetError());
    /* back to the size it had: not every window manager (or none) restores it */
    if (!a->presenting && a->windowed_w > 0) SDL_SetWindowSize(a->win, a->windowed_w, a->windowed_h);
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

/* An action of the stepper's events; 1 when the frame ends there (another
 * screen is shown from the next one). */
static int gui_act(AppGui *a, GuiAction act, const SDL_Event *e) {
    switch (act) {
    case GUI_HOLD: gui_hold_event(a, e); break;
    case GUI_QUIT: a->running = 0; break;
    case GUI_SHOT: a->shot = 1; break;
    case GUI_PRESENT: gui_toggle_presenting(a); break;
    case GUI_TO_COMPARE: bench_switch(a, SCREEN_COMPARE); return 1;
    case GUI_TO_ZOO: bench_switch(a, SCREEN_ZOO); return 1;
    case GUI_TO_RF: bench_switch(a, SCREEN_RF); return 1;
    case GUI_TO_PICK: bench_switch(a, SCREEN_PICK); return 1;
    case GUI_TO_BASICS: a->screen = SCREEN_BASICS; return 1;
    case GUI_TO_LESSON: lesson_enter(a); return 1;
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

/* One frame of the stepper: its events (held while the worker owns it),
 * its update, its drawing. */
static void stepper_screen(AppGui *a, int w, int h) {
    Stepper *s = &a->st;
    StepperFrame fr = stepper_frame(s, &a->fonts, w, h);
    SDL_Event e;
    while (gui_next_event(a, &e, fr.busy))
        if (gui_act(a, stepper_event(s, &fr, &e), &e)) return;
    stepper_update(s, &fr, a->n_held == 0);
    if (stepper_short_job(s)) return; /* keep the last frame on screen rather than blank panels */
    char busy[256];
    stepper_busy_text(s, busy, sizeof busy);
    stepper_draw(s, a->ren, &a->fonts, w, h, busy[0] ? busy : NULL);
    if (a->shot && !busy[0]) {
        gui_screenshot(a, w, h);
        a->shot = 0;
    }
    SDL_RenderPresent(a->ren);
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
    else if (lesson_resume_key(a)) lesson_frame(a, w, h);
    else if (a->screen == SCREEN_BASICS) basics_frame(a, w, h);
    else bench_frame(a, w, h);
}

/* ---- view: open, run, close ------------------------------------------------------------ */

static const char view_usage[] =
    "usage: convscope view [MODEL] [--weights FILE] [--data digits|fashion|PATH] [--image-index N]\n"
    "                      [--image FILE | --input FILE.npy] [--input CxHxW] [--quit-after MS]\n"
    "                      [--preprocess caffe|torchvision|none|card] [--frame-stats]\n"
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
    "  numbers, H lists every key, Esc quits.\n";

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
    if (a->jobs) bench_cancel(a);
    jobs_destroy(a->jobs); /* a network opened while the window was closing is freed */
    a->jobs = NULL;
    lesson_gui_free(a);
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
    compare_free(&a->cmp);
}

/* Frames until the window closes (or --quit-after); --frame-stats: their times. */
static void window_run(AppGui *a, int quit_after_ms, int frame_stats) {
    a->running = 1;
    Uint32 start = SDL_GetTicks();
    enum { MAX_FRAMES = 1 << 20 };
    double *frame_ms = frame_stats ? malloc(MAX_FRAMES * sizeof *frame_ms) : NULL;
    if (frame_stats && !frame_ms) fprintf(stderr, "convscope view: no memory for --frame-stats\n");
    int n_frames = 0;
    const double tick_ms = 1000.0 / (double)SDL_GetPerformanceFrequency();
    Uint64 t0 = SDL_GetPerformanceCounter(), first = t0;
    while (a->running) {
        gui_frame(a);
        if (quit_after_ms && SDL_GetTicks() - start >= (Uint32)quit_after_ms) a->running = 0;
        SDL_Delay(1);
        Uint64 t1 = SDL_GetPerformanceCounter();
        if (frame_ms && n_frames < MAX_FRAMES) frame_ms[n_frames++] = (double)(t1 - t0) * tick_ms;
        t0 = t1;
    }
    if (frame_ms) print_frame_stats(frame_ms, n_frames, (double)(t0 - first) * tick_ms / 1000.0);
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
    if (rc == APP_OK) window_run(&a, o.quit_after_ms, frame_stats);
    window_close(&a);
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
