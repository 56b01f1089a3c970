/*
 * window.h — the window's state (gui.c runs its loop): which screen is
 * shown, the screens' own states, the worker, the events held while the
 * worker owns the stepper. The stepper's session is what the other screens
 * read of the model open (its card, its message line).
 */
#ifndef CONVSCOPE_WINDOW_H
#define CONVSCOPE_WINDOW_H

#include "gui.h"
#include "gui_basics.h"
#include "stepper.h"

enum { SCREEN_STEPPER, SCREEN_COMPARE, SCREEN_ZOO, SCREEN_RF, SCREEN_PICK, SCREEN_BASICS, SCREEN_LESSON };

typedef struct {
    SDL_Window *win;
    SDL_Renderer *ren;
    VizFonts fonts;
    int font_px;          /* base font size, follows the window's height */
    int presenting;       /* F11: fullscreen, larger type */
    int windowed_w, windowed_h; /* the window's size before presenting */
    int screen;           /* SCREEN_* shown */
    int running;
    int shot;             /* F12 pressed: save the next finished frame */
    Jobs *jobs;
    Stepper st;
    /* the screens of gui_compare.c (gui_bench.c runs them) */
    CompareView cmp;
    ZooView zoo;
    int zoo_ready;        /* the zoo's counts are made on first visit */
    RfView rf;
    int rf_ready;
    PickView pick;
    int help;             /* key overlay of those screens */
    BasicsView basics;    /* K: one convolution worked out (gui_basics.c) */
    struct LessonGui *lesson; /* L: the course (gui_lesson.c), NULL until first opened */
    unsigned long bench_job; /* the latest timing asked of the worker */
    int opening;          /* a network is being opened on the worker */
    unsigned long open_job;
    char open_name[64];
    /* Events that arrived while the worker owned the stepper, handled in
     * order once it is done (a key pressed during a VGG-16 pass is not lost). */
    SDL_Event held[64];
    int n_held;
} AppGui;

/* gui.c */
void gui_screenshot(AppGui *a, int w, int h);
void gui_toggle_presenting(AppGui *a);
/* The next event: the held ones first once the stepper is free (busy 0),
 * then the new ones. 0 when there are none. */
int gui_next_event(AppGui *a, SDL_Event *e, int busy);

/* gui_bench.c: the compare, zoo, receptive-field and picker screens */
/* Switch screens: a screen's timing runs while it is shown, not after. */
void bench_switch(AppGui *a, int screen);
/* Stop the timing under way (it checks its generation between passes). */
void bench_cancel(AppGui *a);
/* One frame of one of those screens. */
void bench_frame(AppGui *a, int w, int h);
/* Esc on the picker while a network opens: the open is forgotten, and the
 * worker frees what it makes. */
void bench_cancel_open(AppGui *a);

/* gui_basics.c: one frame of the basics screen (Esc goes back to the stepper). */
void basics_frame(AppGui *a, int w, int h);

/* gui_lesson.c: the course. L on the stepper: the chapter list, or back to
 * the step left (its state applied again). */
void lesson_enter(AppGui *a);
/* One frame of the lesson screen (the chapter list, or a step under its view). */
void lesson_frame(AppGui *a, int w, int h);
/* L pressed on another screen while a chapter is open (the zoo's L is its
 * own): the lesson resumes, 1. The keys before and after it stay queued. */
int lesson_resume_key(AppGui *a);
void lesson_gui_free(AppGui *a);

#endif
