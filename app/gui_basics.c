/*
 * gui_basics.c — the basics screen: a kernel (box blur, Laplacian or Sobel
 * edge, sharpen, or one typed in) slid over a picture by the engine's conv,
 * with keys for the kernel's size, the stride, the padding, the dilation and
 * the picture's side; the output-size and parameter formulas with their
 * numbers beside the engine's; a 1x1 convolution mixing three channels into
 * two. The numbers come from basics.c; viz_basics.c draws them.
 */
#ifdef CONVSCOPE_HAVE_GUI
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "window.h"

void basics_init(BasicsView *b) {
    memset(b, 0, sizeof *b);
    b->s = (AppConvSetting){.H = APP_BASICS_IMG, .W = APP_BASICS_IMG, .K = 3, .S = 1, .P = 0, .D = 1,
                            .cin = 3, .cout = 16};
    b->preset = APP_KERNEL_BOX;
    b->sel = -1;
    b->uy = b->ux = -1; /* the middle of the output */
    app_kernel_preset(b->preset, b->s.K, b->kernel);
    app_basics_mix_setup(b->mix_in, APP_BASICS_MIX_SIDE, b->mix_w, b->mix_b);
    basics_compute(b);
}

void basics_compute(BasicsView *b) {
    char err[256];
    b->error[0] = 0;
    b->ok = 0;
    app_basics_picture(b->img, b->s.W);
    if (app_conv_numbers(&b->s, &b->num, err, sizeof err) != 0) {
        snprintf(b->error, sizeof b->error,
                 "The window does not fit: K_eff = %d is larger than the padded input %d + 2*%d = %d. "
                 "Pad more (P), or shrink the kernel (k) or the dilation (d).",
                 b->num.keff, b->s.W, b->s.P, b->s.W + 2 * b->s.P);
    } else if (app_basics_slide(b->img, b->s.H, b->s.W, b->kernel, b->s.K, b->s.S, b->s.P, b->s.D, b->out,
                                BASICS_OUT_MAX, &b->oh, &b->ow, err, sizeof err) != 0) {
        snprintf(b->error, sizeof b->error, "%s", err);
    } else {
        b->ok = 1;
        if (b->uy < 0 || b->uy >= b->oh) b->uy = b->oh / 2;
        if (b->ux < 0 || b->ux >= b->ow) b->ux = b->ow / 2;
    }
    if (app_basics_mix(b->mix_in, APP_BASICS_MIX_SIDE, b->mix_w, b->mix_b, b->mix_out, err, sizeof err) != 0)
        snprintf(b->error, sizeof b->error, "%s", err);
}

void basics_viz(const BasicsView *b, VizBasics *v) {
    memset(v, 0, sizeof *v);
    v->img = b->img, v->H = b->s.H, v->W = b->s.W;
    v->kernel = b->kernel, v->K = b->s.K;
    v->preset = app_kernel_name(b->preset);
    v->S = b->s.S, v->P = b->s.P, v->D = b->s.D, v->cin = b->s.cin, v->cout = b->s.cout;
    v->out = b->ok ? b->out : NULL, v->oh = b->oh, v->ow = b->ow;
    v->uy = b->uy, v->ux = b->ux;
    v->sel = b->sel, v->edit = b->edit;
    v->keff = b->num.keff;
    v->num_h = b->num.num_h, v->formula_h = b->num.formula_h;
    v->num_w = b->num.num_w, v->formula_w = b->num.formula_w;
    v->params = b->num.params, v->weights = b->num.weights, v->biases = b->num.biases;
    v->error = b->ok ? NULL : b->error;
    v->mix_in = b->mix_in, v->mix_out = b->mix_out;
    v->mix_side = APP_BASICS_MIX_SIDE, v->mix_y = 2, v->mix_x = 3;
    v->mix_w = b->mix_w, v->mix_b = b->mix_b;
}

/* A new kernel side: presets are made again at it; a typed kernel keeps its
 * numbers, centre on centre. */
static void set_k(BasicsView *b, int K) {
    if (K < 1 || K > APP_BASICS_KMAX || K == b->s.K) return;
    if (b->preset == APP_KERNEL_CUSTOM) {
        float old[APP_BASICS_KMAX * APP_BASICS_KMAX];
        memcpy(old, b->kernel, sizeof old);
        const int oK = b->s.K, off = (oK - 1) / 2 - (K - 1) / 2;
        for (int y = 0; y < K; y++)
            for (int x = 0; x < K; x++) {
                int sy = y + off, sx = x + off;
                b->kernel[y * K + x] = sy >= 0 && sy < oK && sx >= 0 && sx < oK ? old[sy * oK + sx] : 0.0f;
            }
    }
    b->s.K = K;
    b->sel = -1;
    app_kernel_preset(b->preset, K, b->kernel);
}

/* Keys while a cell is selected: +/- step it, digits and '.' type a number,
 * '-' flips a typed number's sign, Enter sets it, Backspace. 1 when used. */
static int edit_key(BasicsView *b, GuiKeyAct act, SDL_Keycode k) {
    size_t n = strlen(b->edit);
    float *v = &b->kernel[b->sel];
    if (act == KEY_TYPE) {
        if (n + 1 < sizeof b->edit) b->edit[n] = k == SDLK_PERIOD ? '.' : (char)k, b->edit[n + 1] = 0;
        return 1;
    }
    if (act == KEY_LESS && n) { /* the typed number's sign */
        if (b->edit[0] == '-') memmove(b->edit, b->edit + 1, n);
        else if (n + 1 < sizeof b->edit) memmove(b->edit + 1, b->edit, n + 1), b->edit[0] = '-';
        return 1;
    }
    if (act == KEY_ERASE) return n ? (b->edit[n - 1] = 0, 1) : 1;
    if (act == KEY_MORE) *v += 0.25f;
    else if (act == KEY_LESS) *v -= 0.25f;
    else if (act == KEY_ENTER) {
        char *end;
        float x = strtof(b->edit, &end);
        if (b->edit[0] && !*end && x > -1000.0f && x < 1000.0f) *v = x;
        b->edit[0] = 0;
    } else return 0;
    b->preset = APP_KERNEL_CUSTOM;
    return 1;
}

/* A setting's key: lower case one less, with Shift one more, within [lo, hi]. */
static int step(int *v, int up, int lo, int hi) {
    int n = *v + (up ? 1 : -1);
    if (n < lo || n > hi) return 0;
    *v = n;
    return 1;
}

static int setting_key(BasicsView *b, GuiKeyAct k, int index, int up) {
    switch (k) {
    case KEY_KERNEL: set_k(b, b->s.K + (up ? 1 : -1)); return 1;
    case KEY_STRIDE: return step(&b->s.S, up, 1, 8);
    case KEY_PAD: return step(&b->s.P, up, 0, 16);
    case KEY_DILATION: return step(&b->s.D, up, 1, 8);
    case KEY_SIDE:
        if (!step(&b->s.W, up, 5, BASICS_IMG_MAX)) return 0;
        b->s.H = b->s.W;
        return 1;
    case KEY_UP: b->uy -= b->uy > 0; return 1;
    case KEY_DOWN: b->uy += b->uy + 1 < b->oh; return 1;
    case KEY_PREV: b->ux -= b->ux > 0; return 1;
    case KEY_NEXT: b->ux += b->ux + 1 < b->ow; return 1;
    case KEY_ITEM:
        if (index < 0 || index >= APP_KERNEL_COUNT) return 0;
        b->preset = (AppKernelPreset)index;
        app_kernel_preset(b->preset, b->s.K, b->kernel);
        return 1;
    default: return 0;
    }
}

GuiKeysId basics_keys_id(const BasicsView *b) {
    return b->sel >= 0 && b->sel < b->s.K * b->s.K ? KEYS_BASICS_EDIT : KEYS_BASICS;
}

/* Esc: the typed number, then the cell's selection; 0 when neither was
 * there (back to the stepper). */
static int basics_back(BasicsView *b) {
    if (b->sel >= 0 && b->edit[0]) b->edit[0] = 0;
    else if (b->sel >= 0) b->sel = -1;
    else return 0;
    return 1;
}

/* A mouse or key event of the screen; the keys it leaves to the window
 * (Esc with nothing to close, the other screens' keys) as their action. */
GuiKeyAct basics_event(BasicsView *b, const VizFonts *f, const SDL_Event *e, int w, int h) {
    if (e->type == SDL_MOUSEBUTTONDOWN && e->button.button == SDL_BUTTON_LEFT) {
        VizBasicsLayout L = viz_basics_layout(f, b->s.K, w, h);
        b->sel = viz_basics_cell(&L, b->s.K, e->button.x, e->button.y);
        b->edit[0] = 0;
        return KEY_NONE;
    }
    int index;
    const GuiKeyAct k = gui_key_event(basics_keys_id(b), e, &index);
    if (k == KEY_NONE) return KEY_NONE;
    if (basics_keys_id(b) == KEYS_BASICS_EDIT && edit_key(b, k, e->key.keysym.sym)) {
        basics_compute(b);
        return KEY_NONE;
    }
    if (k == KEY_BACK) return basics_back(b) ? KEY_NONE : KEY_BACK;
    if (setting_key(b, k, index, (e->key.keysym.mod & KMOD_SHIFT) != 0)) {
        basics_compute(b);
        return KEY_NONE;
    }
    return k;
}

/* One frame: the events (Esc back to the stepper, the other screens' keys,
 * F11, F12, the quit), then the screen. */
void basics_frame(AppGui *a, int w, int h) {
    SDL_Event e;
    while (gui_next_event(a, &e, 0)) {
        if (e.type == SDL_DROPFILE) { /* for the stepper: not on this screen */
            SDL_free(e.drop.file);
            continue;
        }
        if (gui_common_event(a, &e, basics_keys_id(&a->basics))) continue;
        if (a->help && gui_key_event(basics_keys_id(&a->basics), &e, NULL) == KEY_BACK) {
            a->help = 0; /* the help is on top */
            continue;
        }
        const GuiKeyAct k = basics_event(&a->basics, &a->fonts, &e, w, h);
        if (k == KEY_SHOT) a->shot = 1;
        else if (k == KEY_HELP) a->help = !a->help;
        else if (k == KEY_BACK) bench_switch(a, SCREEN_STEPPER);
        else if (k == KEY_TO_LESSON) lesson_enter(a);
        else if (k == KEY_TO_TRAIN) train_enter(a);
        else if (k == KEY_TO_EXPERIMENTS) bench_switch(a, SCREEN_EXPERIMENTS);
        else if (k == KEY_TO_COMPARE || k == KEY_TO_ZOO || k == KEY_TO_RF || k == KEY_TO_PICK)
            bench_switch(a, k == KEY_TO_COMPARE ? SCREEN_COMPARE : k == KEY_TO_ZOO ? SCREEN_ZOO
                            : k == KEY_TO_RF    ? SCREEN_RF      : SCREEN_PICK);
        if (a->screen != SCREEN_BASICS) return;
    }
    viz_clear(a->ren);
    VizBasics v;
    basics_viz(&a->basics, &v);
    viz_draw_basics(a->ren, &a->fonts, &v, w, h);
    if (a->help) gui_help_box(a->ren, &a->fonts, w, h, basics_keys_id(&a->basics));
    if (a->shot) {
        gui_screenshot(a, w, h);
        a->shot = 0;
    }
    gui_present(a, w, h);
}
#endif
