/*
 * gui_keys.c — the window's key tables (gui_keys.h): what each key does on
 * each screen, read by the screens' handlers and by the help overlay alike.
 * A key means the same kind of thing on every screen: Esc goes back one
 * level, Q quits, H helps, C Z R M K L J Y open the screens, arrows move, digits
 * pick the numbered items a screen shows, + and - make more or less, Enter
 * runs what is chosen, Backspace clears. Two exceptions, both named in their
 * help: the basics screen's letters are its formula's (K kernel, S stride,
 * P padding, D dilation, W width), and the stepper's 3 is the 3D view.
 */
#ifdef CONVSCOPE_HAVE_GUI
#include <stdio.h>
#include <string.h>

#include "gui_keys.h"

#define N(a) ((int)(sizeof a / sizeof a[0]))

static const GuiKey global_keys[] = {
    {SDLK_ESCAPE, 0, 0, KEY_BACK, "Esc", "back one level: help, a view, draw mode, full screen, a screen"},
    {SDLK_q, 0, 0, KEY_QUIT, "Q  Ctrl+Q", "quit (asks first while a job runs)"},
    {SDLK_q, 0, KMOD_CTRL, KEY_QUIT, NULL, NULL},
    {SDLK_h, 0, 0, KEY_HELP, "H  F1", "this help"},
    {SDLK_F1, 0, 0, KEY_HELP, NULL, NULL},
    {SDLK_F11, 0, 0, KEY_PRESENT, "F11", "presentation: full screen, larger type, high contrast"},
    {SDLK_F12, 0, 0, KEY_SHOT, "F12", "screenshot to PNG"},
};

static const GuiKey screen_keys[] = {
    {SDLK_c, 0, 0, KEY_TO_COMPARE, "C", "compare two designs (3x3 stacks, bottlenecks, separable...)"},
    {SDLK_z, 0, 0, KEY_TO_ZOO, "Z", "the zoo in numbers: params, operations, error, latency"},
    {SDLK_r, 0, 0, KEY_TO_RF, "R", "receptive field layer by layer, networks overlaid"},
    {SDLK_m, 0, 0, KEY_TO_PICK, "M", "pick another network on the history's timeline"},
    {SDLK_k, 0, 0, KEY_TO_BASICS, "K", "convolution basics: a kernel slid, output size, 1x1"},
    {SDLK_l, 0, 0, KEY_TO_LESSON, "L", "lessons: the history of CNNs step by step (again: back to the step)"},
    {SDLK_j, 0, 0, KEY_TO_TRAIN, "J", "train a small network here: loss, accuracy and filters live"},
    {SDLK_y, 0, 0, KEY_TO_EXPERIMENTS, "Y", "the experiments: the papers' claims, their plots here, a rerun"},
};
/* the basics screen's K is its kernel's size */
static const GuiKey screen_keys_basics[] = {
    {SDLK_c, 0, 0, KEY_TO_COMPARE, "C", "compare two designs"},
    {SDLK_z, 0, 0, KEY_TO_ZOO, "Z", "the zoo in numbers"},
    {SDLK_r, 0, 0, KEY_TO_RF, "R", "receptive fields"},
    {SDLK_m, 0, 0, KEY_TO_PICK, "M", "pick another network"},
    {SDLK_l, 0, 0, KEY_TO_LESSON, "L", "lessons"},
    {SDLK_j, 0, 0, KEY_TO_TRAIN, "J", "train a network"},
    {SDLK_y, 0, 0, KEY_TO_EXPERIMENTS, "Y", "the experiments"},
};

static const GuiKey stepper_keys[] = {
    {SDLK_LEFT, 0, 0, KEY_PREV, "Left / Right", "step to the previous / next layer"},
    {SDLK_RIGHT, 0, 0, KEY_NEXT, NULL, NULL},
    {SDLK_HOME, 0, 0, KEY_FIRST, "Home / End", "first / last layer"},
    {SDLK_END, 0, 0, KEY_LAST, NULL, NULL},
    {0, 0, 0, KEY_NONE, "click", "the strip or its < >: a layer; a map: zoom; a unit: its fields"},
    {SDLK_SPACE, 0, 0, KEY_PLAY, "Space", "play the forward pass layer by layer, or stop"},
    {SDLK_PLUS, 0, 0, KEY_MORE, "+ / -", "play faster / slower"},
    {SDLK_EQUALS, 0, 0, KEY_MORE, NULL, NULL},
    {SDLK_KP_PLUS, 0, 0, KEY_MORE, NULL, NULL},
    {SDLK_MINUS, 0, 0, KEY_LESS, NULL, NULL},
    {SDLK_KP_MINUS, 0, 0, KEY_LESS, NULL, NULL},
    {SDLK_PAGEUP, 0, 0, KEY_PAGE_UP, "PgUp / PgDn", "page through channels (or test images)"},
    {SDLK_PAGEDOWN, 0, 0, KEY_PAGE_DOWN, NULL, NULL},
    {SDLK_TAB, 0, 0, KEY_TABLE, "Tab", "layer table (params, MACs, memory, window, RF)"},
    {SDLK_UP, 0, 0, KEY_UP, "Up / Down", "scroll the layer table"},
    {SDLK_DOWN, 0, 0, KEY_DOWN, NULL, NULL},
    {SDLK_f, 0, KMOD_SHIFT, KEY_FILTER_NORM, "Shift+F", "filters: each to its own scale, or one for the layer"},
    {SDLK_f, 0, 0, KEY_FILTERS, "F", "the layer's learned filters"},
    {SDLK_LEFTBRACKET, 0, 0, KEY_SNAP_EARLIER, "[ / ]", "filters: earlier / later in training"},
    {SDLK_RIGHTBRACKET, 0, 0, KEY_SNAP_LATER, NULL, NULL},
    {SDLK_e, 0, KMOD_SHIFT, KEY_EVOLUTION_DIFF, "Shift+E", "evolution: the change since the previous snapshot, or the filters"},
    {SDLK_e, 0, 0, KEY_EVOLUTION, "E", "filter evolution: every snapshot at once"},
    {SDLK_d, 0, KMOD_SHIFT, KEY_PROJECT_ALT, "Shift+D", "open the nearest network where the projection rules differ"},
    {SDLK_d, 0, 0, KEY_PROJECT, "D", "project the zoomed map or unit to pixels (next rule)"},
    {SDLK_t, 0, 0, KEY_TOP9, "T", "top-9: the zoomed channel's strongest test images"},
    {SDLK_o, 0, 0, KEY_OCCLUSION, "O", "occlusion: a grey square slid over the input"},
    {SDLK_v, 0, 0, KEY_VISUALIZE, "V", "visualise: the input the zoomed channel (unit, class) likes most"},
    {SDLK_a, 0, 0, KEY_GRADCAM, "A", "Grad-CAM of the top class here; again: the next of the top-5, then off"},
    {SDLK_n, 0, 0, KEY_IMAGE_NEXT, "N / P", "next / previous test image (or pattern)"},
    {SDLK_p, 0, 0, KEY_IMAGE_PREV, NULL, NULL},
    {SDLK_b, 0, 0, KEY_BROWSE, "B", "browse the test set, click one to feed it"},
    {SDLK_g, 0, 0, KEY_PATTERNS, "G", "synthetic patterns: gratings, edge, checkers, spot"},
    {SDLK_w, 0, 0, KEY_DRAW, "W", "draw the input with the mouse (or drop an image file)"},
    {SDLK_i, 0, 0, KEY_INVERT, "I", "drawn or dropped digits: invert dark on light (auto, on, off)"},
    {SDLK_3, 0, 0, KEY_3D, "3", "the network in 3D (drag to orbit, wheel to zoom)"},
};

/* draw mode: Backspace clears the drawing, Esc (everywhere's) leaves it */
static const GuiKey drawing_keys[] = {
    {SDLK_BACKSPACE, 0, 0, KEY_ERASE, "Backspace", "clear the drawing"},
    {SDLK_PLUS, 0, 0, KEY_MORE, "+ / -", "a larger / smaller pen (or the wheel over the canvas)"},
    {SDLK_EQUALS, 0, 0, KEY_MORE, NULL, NULL},
    {SDLK_KP_PLUS, 0, 0, KEY_MORE, NULL, NULL},
    {SDLK_MINUS, 0, 0, KEY_LESS, NULL, NULL},
    {SDLK_KP_MINUS, 0, 0, KEY_LESS, NULL, NULL},
};

static const GuiKey compare_keys[] = {
    {0, 0, 0, KEY_NONE, "click, drag", "a block name: that pair; a slider: channels and size"},
    {SDLK_UP, 0, 0, KEY_UP, "Up / Down", "the previous / next pair of designs"},
    {SDLK_DOWN, 0, 0, KEY_DOWN, NULL, NULL},
    {SDLK_PAGEUP, 0, 0, KEY_PAGE_UP, "PgUp / PgDn", "the previous / next pair too"},
    {SDLK_PAGEDOWN, 0, 0, KEY_PAGE_DOWN, NULL, NULL},
    {SDLK_1, SDLK_6, 0, KEY_ITEM, "1 .. 6", "count chips: MACs, FLOPs, bias, BN, activations, pool"},
    {SDLK_RETURN, 0, 0, KEY_ENTER, "Enter", "measure the times again"},
    {SDLK_KP_ENTER, 0, 0, KEY_ENTER, NULL, NULL},
    {SDLK_BACKSPACE, 0, 0, KEY_ERASE, "Backspace", "the block's default sizes"},
};

static const GuiKey zoo_keys[] = {
    {SDLK_UP, 0, 0, KEY_UP, "Up / Down", "scroll the table (or the mouse wheel)"},
    {SDLK_DOWN, 0, 0, KEY_DOWN, NULL, NULL},
    {SDLK_1, SDLK_6, 0, KEY_ITEM, "1 .. 6", "count chips: MACs, FLOPs, bias, BN, activations, pool"},
    {SDLK_x, 0, 0, KEY_AXIS, "X", "chart's x: operations or latency measured here"},
    {SDLK_RETURN, 0, 0, KEY_ENTER, "Enter", "measure the times again"},
    {SDLK_KP_ENTER, 0, 0, KEY_ENTER, NULL, NULL},
};

static const GuiKey rf_keys[] = {
    {SDLK_1, SDLK_9, 0, KEY_ITEM, "1 .. 9", "show or hide a network (or click its chip)"},
};

static const GuiKey pick_keys[] = {
    {SDLK_LEFT, 0, 0, KEY_PREV, "Left / Right", "the previous / next year"},
    {SDLK_RIGHT, 0, 0, KEY_NEXT, NULL, NULL},
    {SDLK_UP, 0, 0, KEY_UP, "Up / Down", "the previous / next network"},
    {SDLK_DOWN, 0, 0, KEY_DOWN, NULL, NULL},
    {SDLK_RETURN, 0, 0, KEY_ENTER, "Enter", "open the chosen network (or click its card)"},
    {SDLK_KP_ENTER, 0, 0, KEY_ENTER, NULL, NULL},
};

static const GuiKey basics_keys[] = {
    {SDLK_k, 0, 0, KEY_KERNEL, "k / K", "kernel size one less / more (the formula's letters)"},
    {SDLK_s, 0, 0, KEY_STRIDE, "s / S", "stride"},
    {SDLK_p, 0, 0, KEY_PAD, "p / P", "padding"},
    {SDLK_d, 0, 0, KEY_DILATION, "d / D", "dilation"},
    {SDLK_w, 0, 0, KEY_SIDE, "w / W", "the picture's side"},
    {SDLK_1, SDLK_5, 0, KEY_ITEM, "1 .. 5", "kernel: box blur, Laplacian, Sobel x, sharpen, your own"},
    {SDLK_LEFT, 0, 0, KEY_PREV, "Left Right Up Down", "move the output unit shown"},
    {SDLK_RIGHT, 0, 0, KEY_NEXT, NULL, NULL},
    {SDLK_UP, 0, 0, KEY_UP, NULL, NULL},
    {SDLK_DOWN, 0, 0, KEY_DOWN, NULL, NULL},
    {0, 0, 0, KEY_NONE, "click", "a kernel cell: edit it"},
};

/* a kernel cell is selected: digits type its value */
static const GuiKey basics_edit_keys[] = {
    {SDLK_0, SDLK_9, 0, KEY_TYPE, "0 .. 9  .", "type a value"},
    {SDLK_PERIOD, 0, 0, KEY_TYPE, NULL, NULL},
    {SDLK_PLUS, 0, 0, KEY_MORE, "+ / -", "the value +0.25 / -0.25 (-: the typed sign)"},
    {SDLK_EQUALS, 0, 0, KEY_MORE, NULL, NULL},
    {SDLK_KP_PLUS, 0, 0, KEY_MORE, NULL, NULL},
    {SDLK_MINUS, 0, 0, KEY_LESS, NULL, NULL},
    {SDLK_KP_MINUS, 0, 0, KEY_LESS, NULL, NULL},
    {SDLK_RETURN, 0, 0, KEY_ENTER, "Enter", "set the typed value"},
    {SDLK_KP_ENTER, 0, 0, KEY_ENTER, NULL, NULL},
    {SDLK_BACKSPACE, 0, 0, KEY_ERASE, "Backspace", "erase a typed character"},
};

/* a lesson (gui_lesson.c): the steps like slides, a presenter's clicker's
 * Page Up/Down included; on the chapter list the same keys choose a chapter */
static const GuiKey lesson_keys[] = {
    {SDLK_RIGHT, 0, 0, KEY_NEXT, "Right / Left", "next / previous step (or the wheel)"},
    {SDLK_LEFT, 0, 0, KEY_PREV, NULL, NULL},
    {SDLK_PAGEDOWN, 0, 0, KEY_PAGE_DOWN, "PgDn / PgUp", "next / previous step (a presenter's clicker)"},
    {SDLK_PAGEUP, 0, 0, KEY_PAGE_UP, NULL, NULL},
    {SDLK_DOWN, 0, 0, KEY_DOWN, "Down / Up", "next / previous step; the list: the next / previous chapter"},
    {SDLK_UP, 0, 0, KEY_UP, NULL, NULL},
    {SDLK_HOME, 0, 0, KEY_FIRST, "Home / End", "first / last step"},
    {SDLK_END, 0, 0, KEY_LAST, NULL, NULL},
    {SDLK_RETURN, 0, 0, KEY_ENTER, "Enter", "a question's answer; the list: open the chapter"},
    {SDLK_KP_ENTER, 0, 0, KEY_ENTER, NULL, NULL},
    {SDLK_1, SDLK_9, 0, KEY_ITEM, "1 .. 9", "the list: open that chapter (or click it)"},
    {SDLK_BACKSPACE, 0, 0, KEY_ERASE, "Backspace", "the chapter list"},
    {SDLK_l, 0, 0, KEY_TO_LESSON, "L", "leave at this step (as Esc, which first stops the step's work): L there comes back"},
    {SDLK_u, 0, 0, KEY_LANG, "U", "Korean / English: the chapters, or this step, in the other language"},
};

/* the training screen (gui_train.c) */
static const GuiKey train_keys[] = {
    {SDLK_UP, 0, 0, KEY_UP, "Up / Down", "the previous / next network (or click its name)"},
    {SDLK_DOWN, 0, 0, KEY_DOWN, NULL, NULL},
    {SDLK_1, SDLK_2, 0, KEY_ITEM, "1 / 2", "the data: handwritten digits / Fashion-MNIST"},
    {SDLK_PLUS, 0, 0, KEY_MORE, "+ / -", "one epoch more / less"},
    {SDLK_EQUALS, 0, 0, KEY_MORE, NULL, NULL},
    {SDLK_KP_PLUS, 0, 0, KEY_MORE, NULL, NULL},
    {SDLK_MINUS, 0, 0, KEY_LESS, NULL, NULL},
    {SDLK_KP_MINUS, 0, 0, KEY_LESS, NULL, NULL},
    {SDLK_RETURN, 0, 0, KEY_ENTER, "Enter", "start training; after a run: open its weights in the stepper"},
    {SDLK_KP_ENTER, 0, 0, KEY_ENTER, NULL, NULL},
    {SDLK_SPACE, 0, 0, KEY_PLAY, "Space", "pause / resume the run"},
    {SDLK_BACKSPACE, 0, 0, KEY_ERASE, "Backspace", "stop the run (saved where it is); after one: clear it"},
};

/* the experiments screen (gui_experiments.c) */
static const GuiKey experiments_keys[] = {
    {SDLK_UP, 0, 0, KEY_UP, "Up / Down", "the previous / next experiment (or click it)"},
    {SDLK_DOWN, 0, 0, KEY_DOWN, NULL, NULL},
    {SDLK_1, SDLK_7, 0, KEY_ITEM, "1 .. 7", "that experiment"},
    {SDLK_RETURN, 0, 0, KEY_ENTER, "Enter", "run its quick version again here, drawn over the shipped curves"},
    {SDLK_KP_ENTER, 0, 0, KEY_ENTER, NULL, NULL},
    {0, 0, 0, KEY_NONE, "Esc", "while it runs: cancel the run"},
    {SDLK_BACKSPACE, 0, 0, KEY_ERASE, "Backspace", "clear the run's curves"},
};

#define TABLE(a, title) {a, N(a), title}
#define EVERYWHERE TABLE(global_keys, "everywhere")
#define SCREENS TABLE(screen_keys, "screens")

static const GuiKeyScreen screens[KEYS_SCREENS] = {
    [KEYS_STEPPER] = {"stepper", {TABLE(stepper_keys, "the network, layer by layer"), SCREENS, EVERYWHERE}, 3},
    [KEYS_DRAWING] = {"drawing",
                      {TABLE(drawing_keys, "drawing the input"), TABLE(stepper_keys, "the network, layer by layer"),
                       SCREENS, EVERYWHERE},
                      4},
    [KEYS_COMPARE] = {"compare", {TABLE(compare_keys, "compare two designs"), SCREENS, EVERYWHERE}, 3},
    [KEYS_ZOO] = {"zoo", {TABLE(zoo_keys, "the zoo in numbers"), SCREENS, EVERYWHERE}, 3},
    [KEYS_RF] = {"receptive fields", {TABLE(rf_keys, "receptive fields"), SCREENS, EVERYWHERE}, 3},
    [KEYS_PICK] = {"picker", {TABLE(pick_keys, "pick a network"), SCREENS, EVERYWHERE}, 3},
    [KEYS_BASICS] = {"basics",
                     {TABLE(basics_keys, "convolution basics"), TABLE(screen_keys_basics, "screens"), EVERYWHERE},
                     3},
    [KEYS_BASICS_EDIT] = {"basics, a cell",
                          {TABLE(basics_edit_keys, "the selected kernel cell"),
                           TABLE(basics_keys, "convolution basics"), TABLE(screen_keys_basics, "screens"),
                           EVERYWHERE},
                          4},
    [KEYS_LESSON] = {"lesson", {TABLE(lesson_keys, "a lesson"), EVERYWHERE}, 2},
    [KEYS_TRAIN] = {"training", {TABLE(train_keys, "train a network"), SCREENS, EVERYWHERE}, 3},
    [KEYS_EXPERIMENTS] = {"experiments", {TABLE(experiments_keys, "the experiments"), SCREENS, EVERYWHERE}, 3},
};

const GuiKeyScreen *gui_keys(GuiKeysId id) { return id >= 0 && id < KEYS_SCREENS ? &screens[id] : NULL; }

static int key_matches(const GuiKey *g, SDL_Keycode k, Uint16 mod) {
    if (!g->lo) return 0;
    if (g->mod && !(mod & g->mod)) return 0;
    return g->hi ? k >= g->lo && k <= g->hi : k == g->lo;
}

GuiKeyAct gui_key_act(GuiKeysId id, SDL_Keycode k, Uint16 mod, int *index) {
    const GuiKeyScreen *s = gui_keys(id);
    if (index) *index = 0;
    if (!s) return KEY_NONE;
    for (int t = 0; t < s->n; t++)
        for (int j = 0; j < s->t[t].n; j++) {
            const GuiKey *g = &s->t[t].k[j];
            if (!key_matches(g, k, mod)) continue;
            if (index) *index = g->hi ? (int)(k - g->lo) : 0;
            return g->act;
        }
    return KEY_NONE;
}

GuiKeyAct gui_key_event(GuiKeysId id, const SDL_Event *e, int *index) {
    if (index) *index = 0;
    if (e->type != SDL_KEYDOWN) return KEY_NONE;
    return gui_key_act(id, e->key.keysym.sym, e->key.keysym.mod, index);
}

const char *gui_key_name(SDL_Keycode k, char *buf, size_t n) {
    static const struct {
        SDL_Keycode k;
        const char *name;
    } names[] = {
        {SDLK_ESCAPE, "Esc"},        {SDLK_LEFT, "Left"},     {SDLK_RIGHT, "Right"},  {SDLK_UP, "Up"},
        {SDLK_DOWN, "Down"},         {SDLK_HOME, "Home"},     {SDLK_END, "End"},      {SDLK_PAGEUP, "PgUp"},
        {SDLK_PAGEDOWN, "PgDn"},     {SDLK_SPACE, "Space"},   {SDLK_TAB, "Tab"},      {SDLK_RETURN, "Enter"},
        {SDLK_KP_ENTER, "Enter"},    {SDLK_BACKSPACE, "Backspace"},                   {SDLK_PLUS, "+"},
        {SDLK_EQUALS, "+"},          {SDLK_KP_PLUS, "+"},     {SDLK_MINUS, "-"},      {SDLK_KP_MINUS, "-"},
        {SDLK_F1, "F1"},             {SDLK_F11, "F11"},       {SDLK_F12, "F12"},
    };
    for (int i = 0; i < N(names); i++)
        if (names[i].k == k) return snprintf(buf, n, "%s", names[i].name), buf;
    if (k >= SDLK_a && k <= SDLK_z) snprintf(buf, n, "%c", (char)(k - SDLK_a + 'A'));
    else if (k > 32 && k < 127) snprintf(buf, n, "%c", (char)k);
    else snprintf(buf, n, "key %d", (int)k);
    return buf;
}

int gui_keys_help(GuiKeysId id, GuiHelpLine *lines, int max, int *line_of) {
    const GuiKeyScreen *s = gui_keys(id);
    int n = 0;
    if (!s) return 0;
    for (int t = 0; t < s->n; t++) {
        if (n < max) lines[n++] = (GuiHelpLine){NULL, s->t[t].title};
        for (int j = 0; j < s->t[t].n && j < 128; j++) {
            const GuiKey *g = &s->t[t].k[j];
            if (g->keys && n < max) lines[n++] = (GuiHelpLine){g->keys, g->what};
            if (line_of) line_of[t * 128 + j] = n - 1;
        }
    }
    return n;
}
#endif
