/*
 * gui_frame.h — what every screen of the window (and `render`) draws with:
 * the type size for a window height, the status line, the key overlay, and
 * what a screen's event handler asks of the window loop (gui.c).
 */
#ifndef CONVSCOPE_GUI_FRAME_H
#define CONVSCOPE_GUI_FRAME_H

#include <SDL.h>

#include "gui_keys.h"
#include "viz.h"

/* What an event asks of the window, beyond the screen's own state. */
typedef enum {
    GUI_NONE,
    GUI_HOLD,    /* the screen's state is the worker's: keep the event for later */
    GUI_QUIT,
    GUI_BACK,    /* Esc with nothing of the screen's left to close: the window's level */
    GUI_SHOT,    /* F12: a screenshot of the next finished frame */
    GUI_PRESENT, /* F11: presentation mode on or off */
    GUI_TO_STEPPER,
    GUI_TO_COMPARE,
    GUI_TO_ZOO,
    GUI_TO_RF,
    GUI_TO_PICK,
    GUI_TO_BASICS,
    GUI_OPEN_MODEL, /* open the stepper's proj.alt (the network where the projection rules differ) */
    GUI_TO_LESSON,
    GUI_TO_TRAIN,
    GUI_TO_EXPERIMENTS,
} GuiAction;

/* Type that scales with the window: 18 px at 800 px high (never below 14),
 * a quarter larger when presenting. The window and render share it. */
int gui_font_px(int h, int presenting);
/* The status line, cut at the window's edge with an ellipsis. */
void gui_status_text(SDL_Renderer *r, const VizFonts *f, SDL_Rect at, SDL_Color c, const char *text);
/* The keys of screen id (gui_keys.c) in a box in the middle of a w x h
 * frame: the screen's own first, then the other screens', then every
 * screen's; in columns when they do not fit in one. */
void gui_help_box(SDL_Renderer *r, const VizFonts *f, int w, int h, GuiKeysId id);

#endif
