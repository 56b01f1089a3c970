/*
 * lesson.h — the course as files: assets/lessons/NN-name.md, one chapter
 * each (the format is assets/lessons/README.md). A chapter is a list of
 * steps, each one claim of the course in words plus one directive, `@show`
 * (the window put into the state that shows it) or `@plot` (an experiment's
 * shipped result drawn), then questions with their answers. Numbers in the words are placeholders ({params vgg16})
 * filled by the engine ({exp NAME KEY}: from an experiment's shipped
 * JSON), never typed in.
 *
 * This module reads and checks lessons and fills placeholders: the parser
 * (pure text), the placeholder values (engine counts of built graphs and
 * block pairs, cards) and the directive check (models, layers, units,
 * views, blocks). `convscope lesson` (cmd_lesson.c) and the window's
 * lesson screen (gui_lesson.c) both go through it.
 * Must not depend on: SDL, viz/, the window.
 */
#ifndef CONVSCOPE_LESSON_H
#define CONVSCOPE_LESSON_H

#include <stddef.h>
#include <stdio.h>

enum {
    LESSON_MAX_FILE = 256 * 1024, /* bytes of one lesson file */
    LESSON_MAX_LINE = 2000,       /* characters of one line */
    LESSON_MAX_STEPS = 64,        /* steps and questions of one chapter */
    LESSON_MAX_KV = 16,           /* key=value pairs of one directive */
    LESSON_MAX_CHAPTERS = 64,
    LESSON_TEXT = 1600,
    LESSON_SEGS = 24,             /* lines of one step's text whose place is kept */           /* one step's text, placeholders unfilled or filled */
};

typedef struct {
    char key[16];
    char val[160];
} LessonKV;

/* `@show [MODEL] key=value ...`: the state of the window; or `@plot
 * EXPERIMENT [panel=K]`: an experiment's shipped result drawn (plot set,
 * the experiment's name in model, panel its one key). */
typedef struct {
    int line;              /* its line in the file, 0: the step has none */
    int plot;              /* 1: an @plot */
    char model[64];        /* "" for the screens without a model (compare, zoo, basics); @plot: the experiment */
    LessonKV kv[LESSON_MAX_KV];
    int n_kv;
} LessonShow;

enum { LESSON_STEP, LESSON_QUESTION };

typedef struct {
    int kind;              /* LESSON_STEP or LESSON_QUESTION */
    int line;              /* where it starts ("## title" or "Q:") */
    char title[160];       /* the step's heading ("" for a question) */
    char text[LESSON_TEXT];   /* the claim (or the question), placeholders unfilled;
                                 '\n' between paragraphs */
    int answer_line;
    char answer[LESSON_TEXT]; /* a question's answer */
    LessonShow show;
    /* where each line of text and answer starts (offset into the text, line
     * of the file), so that a bad placeholder is reported on its own line */
    int text_off[LESSON_SEGS], text_ln[LESSON_SEGS], n_text;
    int answer_off[LESSON_SEGS], answer_ln[LESSON_SEGS], n_answer;
} LessonStep;

typedef struct {
    char path[1024];
    char name[64];         /* the file's name without ".md": "03-alexnet" */
    char title[160];       /* the "# " heading */
    int n;
    LessonStep *steps;     /* n of them */
} Lesson;

/* Parse text (n bytes, read from path: named in the errors) into L. 0, or -1
 * with "path:line: what is wrong" in err; free L in either case. */
int lesson_parse(const char *path, const char *text, size_t n, Lesson *L, char *err, size_t errlen);
/* The file at path, read (at most LESSON_MAX_FILE bytes) and parsed. */
int lesson_load(const char *path, Lesson *L, char *err, size_t errlen);
void lesson_free(Lesson *L);

/* The lesson files (NN-name.md, README.md excluded) of dir, sorted by name,
 * into paths (each a malloc'd string; free with lesson_paths_free). The
 * count, or -1 with err. */
int lesson_list_dir(const char *dir, char **paths, int max, char *err, size_t errlen);
void lesson_paths_free(char **paths, int n);
/* The lessons folder: dir when given, else assets/lessons of the assets folder. */
const char *lesson_default_dir(char *buf, size_t n);
/* Chapter `which` among paths[0..n): its number ("3", "03"), its full file
 * name or name without .md ("03-alexnet"), or the name after the number
 * ("alexnet"). The index, or -1. */
int lesson_find(char *const *paths, int n, const char *which);

/* ---- languages ----
 * The chapters are written in English (assets/lessons/NN-name.md) and in
 * each other language in a folder of its own named by its code
 * (assets/lessons/ko/NN-name.md), a twin of the same name for every
 * English chapter: the same steps and questions in the same order (a
 * step's place is its id, so the window can switch language at the same
 * step), each with the same @show directive and the same placeholders. */
enum { LESSON_LANGS = 2 };
extern const char *const lesson_langs[LESSON_LANGS]; /* "en" first, then the translations */
/* The language asked for: flag ("ko", "en") when given, else Korean when
 * the locale's first set variable of LC_ALL, LC_MESSAGES, LANG starts
 * with "ko", else English. */
const char *lesson_lang(const char *flag);
/* The folder of lang's chapters under base: base itself for English,
 * base/LANG for the others. Into buf (n bytes); buf. */
const char *lesson_lang_dir(const char *base, const char *lang, char *buf, size_t n);
/* twin (a translation) against en (its English chapter): the same number
 * of steps and questions, each of the same kind, with the same directive
 * (model, keys and values in order) and the same placeholders (as a
 * multiset: word order may move them). The number of differences, each
 * printed as "twin-path:line: what (en-path:line)" on f. */
int lesson_twin_check(const Lesson *en, const Lesson *twin, FILE *f);

/* The engine behind the placeholders and checks: graphs built once per
 * model (without weights), block pairs once per block. */
typedef struct LessonEngine LessonEngine;
LessonEngine *lesson_engine_create(void);
void lesson_engine_destroy(LessonEngine *E);

/* The step whose words are filled next: a compare or branch placeholder
 * naming the block its directive (sh: the step's own, or for a question
 * without one the last before it) shows takes that directive's slider sizes
 * (cin, cout, hw, groups), so the words say what the screen shows; other
 * blocks, and sh NULL, take their defaults. */
void lesson_engine_step(LessonEngine *E, const LessonShow *sh);

/* One placeholder's value ("params vgg16" -> "138,357,544", "exp vgg
 * test_err_3x3" -> "36.90"): 0, or -1 with why in err. */
int lesson_value(LessonEngine *E, const char *expr, char *out, size_t n, char *err, size_t errlen);
/* text with every {placeholder} filled into out. 0, or -1 with err naming
 * the placeholder. */
int lesson_fill(LessonEngine *E, const char *text, char *out, size_t n, char *err, size_t errlen);

/* The value of key in s, or NULL. */
const char *lesson_show_get(const LessonShow *s, const char *key);
/* s's view (its "view=" or, without one, "featuremaps"), with the aliases
 * resolved: "erf" and "deconv" are the feature maps with a unit. */
const char *lesson_show_view(const LessonShow *s);
/* The directive checked against the engine: keys known, view known, model
 * in the zoo, layer in it, unit inside the layer's output, block and models
 * known; an @plot's experiment shipped and its panel in the figure. 0, or
 * -1 with why in err. */
int lesson_check_show(LessonEngine *E, const LessonShow *s, char *err, size_t errlen);
/* key is one @show takes; the basics screen's kernel presets by name
 * (box, laplacian, sobel-x, sharpen: AppKernelPreset order), -1 if none. */
int lesson_show_key_known(const char *key);
int lesson_kernel_preset(const char *name);
/* The directive as the arguments of `convscope render` (argv[0] = "render",
 * then the model, then the flags; an @plot: the experiment, --view
 * experiment, --panel K), without --out and --size: the count, or -1 when
 * over max. Strings point into s and into buf (n bytes). */
int lesson_show_argv(const LessonShow *s, const char **argv, int max, char *buf, size_t n);

/* Every step of L checked (placeholders of the text and answer, directive):
 * the number of errors, each printed as "path:line: what" on f. */
int lesson_check(LessonEngine *E, const Lesson *L, FILE *f);

#endif
