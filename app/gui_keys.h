/*
 * gui_keys.h — every key of the window, one table per screen. A screen's
 * handler asks gui_key_act() what a key press means and switches on the
 * answer; the help overlay (H) lists the same tables, the screen's own keys
 * first, then the keys that open the other screens, then the ones that work
 * everywhere. A key missing from a table is neither handled nor listed, so
 * the two cannot drift apart (test_viz checks the tables: every key named in
 * its help line, none used twice on a screen, the same meaning everywhere).
 * SDL's key codes only: no drawing here.
 */
#ifndef CONVSCOPE_GUI_KEYS_H
#define CONVSCOPE_GUI_KEYS_H

#include <SDL.h>

typedef enum {
    KEY_NONE,
    /* everywhere */
    KEY_BACK,          /* Esc: one level back, never out of the program */
    KEY_QUIT,          /* Q, Ctrl+Q (asks first while a job runs) */
    KEY_HELP,
    KEY_PRESENT,       /* F11 */
    KEY_SHOT,          /* F12 */
    /* the screens */
    KEY_TO_COMPARE,
    KEY_TO_ZOO,
    KEY_TO_RF,
    KEY_TO_PICK,
    KEY_TO_BASICS,
    KEY_TO_LESSON,     /* L: the lessons (again: back to the step left) */
    KEY_TO_TRAIN,      /* J: the training screen (again: back to the stepper) */
    KEY_TO_EXPERIMENTS, /* V: the experiments behind the history's claims */
    KEY_LANG,          /* U: the lessons in the other language (the same step) */
    /* moving within a screen */
    KEY_PREV,          /* Left: the previous layer / year / output unit */
    KEY_NEXT,
    KEY_FIRST,
    KEY_LAST,
    KEY_UP,            /* Up: scroll, the previous item */
    KEY_DOWN,
    KEY_PAGE_UP,
    KEY_PAGE_DOWN,
    KEY_ITEM,          /* a digit: the numbered item on the screen (index = digit - first) */
    KEY_MORE,          /* + : faster, larger */
    KEY_LESS,          /* - : slower, smaller */
    KEY_ENTER,         /* run or open what is chosen */
    KEY_ERASE,         /* Backspace: clear, reset */
    /* the stepper */
    KEY_PLAY,
    KEY_TABLE,
    KEY_FILTERS,
    KEY_SNAP_EARLIER,
    KEY_SNAP_LATER,
    KEY_EVOLUTION,
    KEY_FILTER_NORM,   /* the filters' scale: each its own, or the layer's */
    KEY_EVOLUTION_DIFF, /* the evolution: change since the previous snapshot */
    KEY_PROJECT,
    KEY_TOP9,
    KEY_OCCLUSION,
    KEY_IMAGE_NEXT,
    KEY_IMAGE_PREV,
    KEY_BROWSE,
    KEY_PATTERNS,
    KEY_DRAW,
    KEY_3D,
    KEY_PROJECT_ALT,   /* Shift+D: the nearest network where the projection rules differ */
    KEY_GRADCAM,
    KEY_VISUALIZE,     /* V: the zoomed channel's feature visualisation */
    KEY_INVERT,        /* I: drawn or dropped digits, dark on light (auto, on, off) */
    /* the zoo */
    KEY_AXIS,
    /* the basics screen: the formula's letters (Shift: one more) */
    KEY_KERNEL,
    KEY_STRIDE,
    KEY_PAD,
    KEY_DILATION,
    KEY_SIDE,
    KEY_TYPE,          /* a digit or '.' typed into the selected cell */
} GuiKeyAct;

typedef struct {
    SDL_Keycode lo, hi; /* keys lo..hi (hi 0: lo alone); lo 0: a line of help without a key */
    Uint16 mod;         /* KMOD_CTRL: only with Ctrl; 0: any (a screen may read Shift) */
    GuiKeyAct act;
    const char *keys;   /* as the help writes them; NULL: on the line above */
    const char *what;
} GuiKey;

typedef struct {
    const GuiKey *k;
    int n;
    const char *title;  /* the help's heading over these keys */
} GuiKeyTable;

enum { GUI_KEYS_TABLES = 4 };

/* The keys of one screen (or of a mode of it): tables in the order they are
 * looked up in and listed, the last one the keys of every screen. */
typedef struct {
    const char *name;
    GuiKeyTable t[GUI_KEYS_TABLES];
    int n;
} GuiKeyScreen;

typedef enum {
    KEYS_STEPPER,
    KEYS_DRAWING,       /* the stepper in draw mode (W) */
    KEYS_COMPARE,
    KEYS_ZOO,
    KEYS_RF,
    KEYS_PICK,
    KEYS_BASICS,
    KEYS_BASICS_EDIT,   /* the basics screen with a kernel cell selected */
    KEYS_LESSON,        /* a lesson: its chapter list and its steps */
    KEYS_TRAIN,         /* the training screen */
    KEYS_EXPERIMENTS,   /* the experiments: their plots, claims and reruns */
    KEYS_SCREENS
} GuiKeysId;

const GuiKeyScreen *gui_keys(GuiKeysId id);

/* What key k (with modifiers mod) does on the screen; *index: for a key of a
 * range, its place in it (the digit 1 is 0), else 0. KEY_NONE if nothing. */
GuiKeyAct gui_key_act(GuiKeysId id, SDL_Keycode k, Uint16 mod, int *index);
/* The key event's action (KEY_NONE for any other event). */
GuiKeyAct gui_key_event(GuiKeysId id, const SDL_Event *e, int *index);

/* The name the help gives key k ("Esc", "PgUp", "Q", "3"). */
const char *gui_key_name(SDL_Keycode k, char *buf, size_t n);

/* One line of a screen's help: a heading (keys NULL), or a key's label and
 * what it does. */
typedef struct {
    const char *keys, *what;
} GuiHelpLine;

/* The help of a screen: a heading before each table, then one line per
 * labelled key. Returns the number of lines (at most max); line_of (may be
 * NULL): the line entry j of table t is listed on, at line_of[t * 128 + j]. */
int gui_keys_help(GuiKeysId id, GuiHelpLine *lines, int max, int *line_of);

#endif
