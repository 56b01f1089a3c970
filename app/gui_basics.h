/*
 * gui_basics.h — the basics screen's state (gui_basics.c): one conv's
 * settings, the kernel being slid, what the engine made of them (basics.h),
 * and the 1x1 convolution's channels. The window (key K)
 * and `convscope render --view basics` draw it through viz_draw_basics.
 */
#ifndef CONVSCOPE_GUI_BASICS_H
#define CONVSCOPE_GUI_BASICS_H

#include <SDL.h>

#include "basics.h"
#include "gui_keys.h"
#include "viz.h"

enum { BASICS_IMG_MAX = 64, BASICS_OUT_MAX = (BASICS_IMG_MAX + 2 * 16) * (BASICS_IMG_MAX + 2 * 16) };

typedef struct {
    AppConvSetting s;          /* K, S, P, D, the picture's side (H = W), cin, cout */
    AppKernelPreset preset;
    float kernel[APP_BASICS_KMAX * APP_BASICS_KMAX];
    int sel;                   /* the kernel cell being edited, -1: none */
    int uy, ux;                /* the output unit whose window is drawn */
    char edit[16];             /* what is typed into it */
    /* what the engine made of them (basics_compute) */
    AppConvNumbers num;
    float img[BASICS_IMG_MAX * BASICS_IMG_MAX];
    float out[BASICS_OUT_MAX];
    int oh, ow, ok;            /* ok: the engine gave an output */
    char error[320];
    float mix_in[APP_BASICS_MIX_IN * APP_BASICS_MIX_SIDE * APP_BASICS_MIX_SIDE];
    float mix_out[APP_BASICS_MIX_OUT * APP_BASICS_MIX_SIDE * APP_BASICS_MIX_SIDE];
    float mix_w[APP_BASICS_MIX_OUT * APP_BASICS_MIX_IN], mix_b[APP_BASICS_MIX_OUT];
} BasicsView;

/* The screen's start: a 3x3 box blur on a 28x28 picture, stride 1, no
 * padding, 3 -> 16 channels; computed. */
void basics_init(BasicsView *b);
/* Everything shown made again from the settings (the engine's conv). */
void basics_compute(BasicsView *b);
/* The numbers for viz_draw_basics (pointers into b). */
void basics_viz(const BasicsView *b, VizBasics *v);
/* One key or click of the screen, at window size w x h; the keys it leaves
 * to the window (Esc with no cell being edited, help, the other screens)
 * as their action, else KEY_NONE. */
GuiKeyAct basics_event(BasicsView *b, const VizFonts *f, const SDL_Event *e, int w, int h);
/* The keys now: a selected cell has its own. */
GuiKeysId basics_keys_id(const BasicsView *b);

#endif
