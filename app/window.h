/*
 * window.h — the window's state (gui.c runs its loop): which screen is
 * shown, the screens' own states, the worker, the events held while the
 * worker owns the stepper. The stepper's session is what the other screens
 * read of the model open (its card, its message line).
 */
#ifndef CONVSCOPE_WINDOW_H
#define CONVSCOPE_WINDOW_H

#include "fps.h"
#include "gui.h"
#include "gui_basics.h"
#include "gui_train.h"
#include "stepper.h"

enum {
    SCREEN_STEPPER, SCREEN_COMPARE, SCREEN_ZOO, SCREEN_RF, SCREEN_PICK, SCREEN_BASICS, SCREEN_LESSON,
    SCREEN_TRAIN, SCREEN_EXPERIMENTS
};

typedef struct {
    SDL_Window *win;
    SDL_Renderer *ren;
    VizFonts fonts;
    int font_px;          /* base font size, follows the window's height */
    int presenting;       /* F11: fullscreen, larger type */
    int windowed_w, windowed_h; /* the window's size and place before presenting */
    int windowed_x, windowed_y;
    int screen;           /* SCREEN_* shown */
    int running;
    int quit_ask;         /* Q while a job runs: the question is shown, the next key answers */
    char ask[320];
    int linger;           /* frames still to draw after the last change (a job just finished) */
    int shot;             /* F12 pressed: save the next finished frame */
    FpsMeter *fps;        /* view --fps: the frame rate, shown in a corner (NULL: not asked) */
    SDL_Surface *last_frame; /* the stepper's last frame drawn while the worker was idle:
                              * shown, dimmed, under the progress of the next job */
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
    ExpScreen exps;       /* V: the experiments (gui_experiments.c) */
    struct LessonGui *lesson; /* L: the course (gui_lesson.c), NULL until first opened */
    char lang[4];         /* the lessons' language (view --lang, or the locale's): "en", "ko" */
    unsigned long bench_job; /* the latest timing asked of the worker */
    int opening;          /* a network is being opened on the worker */
    unsigned long open_job;
    char open_name[64];
    char open_weights[4096]; /* a trained network opened: its weights and data (else "") */
    char open_data[16];
    TrainGui *train;      /* J: the training screen (gui_train.c), NULL until first opened */
    /* Events that arrived while the worker owned the stepper, handled in
     * order once it is done (a key pressed during a VGG-16 pass is not lost). */
    SDL_Event held[64];
    int n_held;
} AppGui;

/* gui.c */
void gui_screenshot(AppGui *a, int w, int h);
/* Q, Ctrl+Q, the close button: quit, or ask first while a job runs. */
void gui_quit(AppGui *a);
/* What every screen does alike, before its own handler: the quit and its
 * question, F11; 1 when e was one of them (keys: the screen's key table). */
int gui_common_event(AppGui *a, const SDL_Event *e, GuiKeysId keys);
/* The frame drawn (w x h) to the screen, the quit's question over it. */
void gui_present(AppGui *a, int w, int h);
void gui_toggle_presenting(AppGui *a);
/* The top w x h of the frame just drawn, kept to be shown while the worker
 * computes (it may rewrite what that frame shows). */
void gui_keep_frame(AppGui *a, int w, int h);
/* While the worker computes: the frame kept (w x h; any_h: w wide, drawn
 * at the top of h, as a lesson's view whose caption changed height), dimmed;
 * in the middle of main the progress box (busy: what is computed; seconds
 * since it began; Esc to cancel) and under it what the probe running has
 * found so far. 0 when no frame of that size is kept (nothing is drawn). */
int gui_busy_over_kept(AppGui *a, int w, int h, int any_h, SDL_Rect main, const char *busy, double seconds);
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

/* Open the network of card on the worker, the picker showing it meanwhile
 * (as its Enter does); nothing when card is NULL. */
void bench_open(AppGui *a, const ModelCard *card);
/* The same with weights trained on data (the training screen's). */
void bench_open_trained(AppGui *a, const ModelCard *card, const char *weights, const char *data);

/* gui_train.c: J opens the training screen (again: back to the stepper). */
void train_enter(AppGui *a);
void train_frame(AppGui *a, int w, int h);
/* Stop a run (it saves) and free the screen. */
void train_gui_close(AppGui *a);

/* gui_basics.c: one frame of the basics screen (Esc goes back to the stepper). */
void basics_frame(AppGui *a, int w, int h);

/* gui_experiments.c: one frame of the experiments screen (Esc cancels a
 * run under way, else goes back to the stepper). */
void experiments_frame(AppGui *a, int w, int h);
/* Stop the experiment's run under way, if any (leaving the screen). */
void experiments_cancel(AppGui *a);

/* gui_lesson.c: the course. L on the stepper: the chapter list, or back to
 * the step left (its state applied again). */
void lesson_enter(AppGui *a);
/* One frame of the lesson screen (the chapter list, or a step under its view). */
void lesson_frame(AppGui *a, int w, int h);
void lesson_gui_free(AppGui *a);

#endif
