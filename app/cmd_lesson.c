/*
 * cmd_lesson.c — `convscope lesson`: the course's chapters (assets/lessons,
 * lesson.h) listed, checked against the engine (every directive and every
 * placeholder: CI runs it, so a renamed model, layer or view cannot break
 * a lesson silently), and rendered to numbered PNG slides, each step's view
 * drawn by `render`'s code with the step's words in a caption panel under it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "app.h"
#include "lesson.h"

#ifdef CONVSCOPE_HAVE_GUI
#include "canvas.h"
#endif

static const char lesson_usage[] =
    "usage: convscope lesson list [--lang ko|en] [--lessons DIR]\n"
    "       convscope lesson check [--lang ko|en] [--lessons DIR]\n"
    "       convscope lesson render CHAPTER --out DIR [--size WxH] [--present] [--audit] [--lang ko|en] [--lessons DIR]\n"
    "  The history of CNNs as chapters (assets/lessons/NN-name.md; the format is\n"
    "  assets/lessons/README.md): each step one claim of the course beside the view\n"
    "  that shows it, numbers filled in by the engine, questions at the end.\n"
    "  list: the chapters. check: every directive (model, layer, unit, view, block)\n"
    "  and every placeholder of every chapter, each error as FILE:LINE: what (exit 1).\n"
    "  render: every step of CHAPTER (its number, e.g. 3, or its name, e.g. alexnet)\n"
    "  as DIR/NN.png at --size (default 1920x1080), and its words as DIR/NN.txt; then\n"
    "  one slide with the answers. --audit prints each slide's layout audit (see\n"
    "  'convscope render --help') before its file's name. In the window: L on the first screen.\n"
    "  --lang: English (DIR/NN-name.md) or Korean (DIR/ko/NN-name.md); by default\n"
    "  Korean when the locale (LC_ALL, LC_MESSAGES, LANG) starts with ko. check\n"
    "  without --lang checks every language, and every translation against its\n"
    "  English twin (the same steps, directives and placeholders).\n";

typedef struct {
    char *paths[LESSON_MAX_CHAPTERS];
    int n;
} Chapters;

/* The chapters of lang (lesson.h: English in the lessons folder, the
 * others in a folder of their own in it). */
static int open_chapters(const AppOptions *o, const char *lang, Chapters *c) {
    char base[4200], dir[4300], err[600];
    const char *d = lesson_lang_dir(o->lessons ? o->lessons : lesson_default_dir(base, sizeof base), lang, dir, sizeof dir);
    c->n = lesson_list_dir(d, c->paths, LESSON_MAX_CHAPTERS, err, sizeof err);
    if (c->n < 0) {
        fprintf(stderr, "convscope lesson: %s\n", err);
        return APP_FAIL;
    }
    if (!c->n) {
        fprintf(stderr, "convscope lesson: no lesson files (NN-name.md) in %s\n", d);
        return APP_FAIL;
    }
    return APP_OK;
}

/* The columns s takes in a terminal: one per character, two for the wide
 * ones (Hangul, CJK, full-width forms), so that a Korean title lines up. */
static int columns(const char *s) {
    int w = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        unsigned cp = *p, len = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 ? 2 : (*p & 0xF0) == 0xE0 ? 3 : 4;
        if (len > 1) cp &= 0x3Fu >> (len - 1);
        unsigned k = 1;
        for (; k < len && (p[k] & 0xC0) == 0x80; k++) cp = cp << 6 | (p[k] & 0x3Fu);
        p += k; /* a broken sequence: as far as it goes */
        w += (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) || (cp >= 0xAC00 && cp <= 0xD7A3) ||
                     (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFF00 && cp <= 0xFF60) ? 2 : 1;
    }
    return w;
}

static int lesson_cmd_list(const AppOptions *o) {
    Chapters c;
    if (open_chapters(o, lesson_lang(o->lang), &c)) return APP_FAIL;
    int rc = APP_OK;
    for (int i = 0; i < c.n; i++) {
        Lesson L;
        char err[800];
        if (lesson_load(c.paths[i], &L, err, sizeof err)) {
            fprintf(stderr, "convscope lesson: %s\n", err);
            rc = APP_FAIL;
        } else {
            int q = 0;
            for (int k = 0; k < L.n; k++) q += L.steps[k].kind == LESSON_QUESTION;
            const int pad = 52 - columns(L.title);
            printf("%-24s %s%*s %2d steps, %d questions\n", L.name, L.title, pad > 0 ? pad : 0, "", L.n - q, q);
        }
        lesson_free(&L);
    }
    lesson_paths_free(c.paths, c.n);
    return rc;
}

/* The English chapter of the same file name as path (a translation's), or -1. */
static int english_twin(const Chapters *en, const char *path) {
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    for (int i = 0; i < en->n; i++) {
        const char *e = strrchr(en->paths[i], '/');
        if (!strcmp(e ? e + 1 : en->paths[i], b)) return i;
    }
    return -1;
}

/* A translation's chapters against the English: each has its twin, each
 * English chapter has its translation, and the two agree (lesson.h). */
static int check_twins(const Chapters *en, const Chapters *tr, const char *lang) {
    int bad = 0;
    char seen[LESSON_MAX_CHAPTERS] = {0}, err[800];
    for (int i = 0; i < tr->n; i++) {
        const int j = english_twin(en, tr->paths[i]);
        if (j < 0) {
            fprintf(stderr, "%s:1: no English chapter of this name\n", tr->paths[i]);
            bad++;
            continue;
        }
        seen[j] = 1;
        Lesson A = {0}, B = {0};
        /* a file that cannot be read is counted by the check of its language */
        if (!lesson_load(en->paths[j], &A, err, sizeof err) && !lesson_load(tr->paths[i], &B, err, sizeof err))
            bad += lesson_twin_check(&A, &B, stderr);
        lesson_free(&A);
        lesson_free(&B);
    }
    for (int j = 0; j < en->n; j++)
        if (!seen[j]) {
            fprintf(stderr, "%s:1: no '%s' translation of this chapter\n", en->paths[j], lang);
            bad++;
        }
    return bad;
}

/* Every chapter of one language checked against the engine. */
static int check_chapters(LessonEngine *E, const Chapters *c, int *steps) {
    int bad = 0;
    for (int i = 0; i < c->n; i++) {
        Lesson L;
        char err[800];
        if (lesson_load(c->paths[i], &L, err, sizeof err)) {
            fprintf(stderr, "%s\n", err);
            bad++;
        } else {
            bad += lesson_check(E, &L, stderr);
            *steps += L.n;
        }
        lesson_free(&L);
    }
    return bad;
}

/* --lang: that language (a translation also against the English); without
 * it, every language. */
static int lesson_cmd_check(const AppOptions *o) {
    Chapters en, tr;
    if (open_chapters(o, "en", &en)) return APP_FAIL;
    LessonEngine *E = lesson_engine_create();
    int bad = 0, steps = 0, chapters = 0;
    if (!E) {
        fprintf(stderr, "convscope lesson: out of memory\n");
        bad = 1;
    }
    for (int k = 0; E && k < LESSON_LANGS; k++) {
        const char *lang = lesson_langs[k];
        if (o->lang && strcmp(o->lang, lang)) continue;
        if (!strcmp(lang, "en")) {
            bad += check_chapters(E, &en, &steps);
            chapters += en.n;
            continue;
        }
        if (open_chapters(o, lang, &tr)) {
            bad++;
            continue;
        }
        bad += check_chapters(E, &tr, &steps) + check_twins(&en, &tr, lang);
        chapters += tr.n;
        lesson_paths_free(tr.paths, tr.n);
    }
    lesson_engine_destroy(E);
    if (!bad)
        printf("lesson check: %d chapters (%s), %d steps and questions: every directive and placeholder holds\n",
               chapters, o->lang ? o->lang : "every language", steps);
    else fprintf(stderr, "lesson check: %d error%s\n", bad, bad == 1 ? "" : "s");
    lesson_paths_free(en.paths, en.n);
    return bad ? APP_FAIL : APP_OK;
}

#ifdef CONVSCOPE_HAVE_GUI
/* The words of one slide, written beside its PNG (a handout's text, and
 * what a test can read). */
static int write_words(const char *path, const Lesson *L, const VizCaption *cap, const char **argv, int argc) {
    char tmp[4300];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "wx");
    if (!f) return -1;
    fprintf(f, "%s\n%s %d of %d\n%s\n%s\n", L->title, cap->question ? "question" : "step", cap->step, cap->steps,
            cap->title ? cap->title : "", cap->text);
    if (cap->answer) fprintf(f, "answer: %s\n", cap->answer);
    fputs("view: convscope", f);
    for (int k = 0; k < argc; k++) fprintf(f, " %s", argv[k]);
    fputc('\n', f);
    if (fclose(f) != 0 || rename(tmp, path) != 0) {
        remove(tmp);
        return -1;
    }
    return 0;
}

typedef struct {
    const char *dir, *size;
    int present, audit; /* --present, --audit (each slide's layout audit on stdout) */
    int ko;             /* the slides' own words in Korean */
} SlideOut;

/* One slide: the directive's view with cap under it, as DIR/NN.png and DIR/NN.txt. */
static int render_one(const SlideOut *so, const Lesson *L, const LessonShow *show, const VizCaption *cap, int k) {
    const char *argv[64]; /* the view's (54 at most), --runs, --out, --size, --present, --lang, NULL */
    char buf[4200], out[4200], size[32], words[4200];
    int argc = lesson_show_argv(show, argv, 54, buf, sizeof buf);
    if (argc < 0) {
        fprintf(stderr, "convscope lesson: %s:%d: too many keys\n", L->path, show->line);
        return APP_FAIL;
    }
    const char *view = lesson_show_view(show);
    if ((!strcmp(view, "compare") || !strcmp(view, "zoo")) && !lesson_show_get(show, "runs")) {
        argv[argc++] = "--runs"; /* the compare screen's time, measured; the zoo's 60 networks, not */
        argv[argc++] = !strcmp(view, "zoo") ? "0" : "3";
    }
    snprintf(out, sizeof out, "%s/%02d.png", so->dir, k);
    snprintf(words, sizeof words, "%s/%02d.txt", so->dir, k);
    snprintf(size, sizeof size, "%s", so->size);
    const int nview = argc;
    argv[argc++] = "--out", argv[argc++] = out, argv[argc++] = "--size", argv[argc++] = size;
    if (so->present) argv[argc++] = "--present";
    if (so->audit) argv[argc++] = "--audit";
    if (so->ko) argv[argc++] = "--lang", argv[argc++] = "ko"; /* the cards it shows in Korean too */
    argv[argc] = NULL;
    int rc = app_render_slide(argc, (char **)argv, cap);
    if (rc == APP_OK && write_words(words, L, cap, argv, nview) != 0) {
        fprintf(stderr, "convscope lesson: cannot write %s: %s\n", words, strerror(errno));
        rc = APP_FAIL;
    }
    if (rc == APP_OK) printf("%s\n", out);
    else fprintf(stderr, "convscope lesson: %s:%d: the step could not be drawn\n", L->path, show->line);
    return rc;
}

/* Every step of L, then the answers. */
static int render_slides(const SlideOut *so, const Lesson *L, LessonEngine *E) {
    static char text[LESSON_MAX_STEPS][LESSON_TEXT * 2], answers[LESSON_CAPTION_MAX];
    char ans[LESSON_TEXT * 2], err[800];
    const LessonShow *last = NULL;
    int rc = APP_OK, q = 0;
    answers[0] = 0;
    for (int i = 0; i < L->n && rc == APP_OK; i++) {
        const LessonStep *s = &L->steps[i];
        if (s->show.line) last = &s->show;
        lesson_engine_step(E, last); /* its compare placeholders at its sliders */
        if (lesson_fill(E, s->text, text[i], sizeof text[i], err, sizeof err) ||
            (s->answer[0] && lesson_fill(E, s->answer, ans, sizeof ans, err, sizeof err))) {
            fprintf(stderr, "convscope lesson: %s:%d: %s\n", L->path, s->line, err);
            return APP_FAIL;
        }
        char counter[64];
        VizCaption cap = {L->title, s->title, text[i], NULL, NULL, NULL, i + 1, L->n, s->kind == LESSON_QUESTION, NULL};
        if (so->ko) {
            snprintf(counter, sizeof counter, "%s %d/%d", cap.question ? "질문" : "단계", i + 1, L->n);
            cap.counter = counter;
        }
        if (cap.question) {
            size_t l = strlen(answers);
            if (l + strlen(ans) + 8 < sizeof answers)
                snprintf(answers + l, sizeof answers - l, "%s%d. %.1900s", l ? "\n" : "", ++q, ans);
            cap.hint = so->ko ? "답은 창 안에 있습니다. 찾은 뒤 Enter를 누르세요 (마지막 슬라이드에도 있습니다)."
                              : "The answer is in the window: find it, then press Enter (and the last slide).";
        }
        rc = render_one(so, L, last, &cap, i + 1);
    }
    if (rc != APP_OK || !last) return rc;
    VizCaption cap = {L->title, so->ko ? "답" : "Answers", answers, NULL, NULL, NULL, 0, 0, 0, NULL};
    return render_one(so, L, last, &cap, L->n + 1);
}

static int lesson_cmd_render(const AppOptions *o, const char *which) {
    if (!which || !o->out) {
        fprintf(stderr, "convscope lesson: render takes a chapter and --out DIR (e.g. 'lesson render 3 --out slides')\n");
        return APP_USAGE;
    }
    if (mkdir(o->out, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "convscope lesson: cannot make the folder %s: %s\n", o->out, strerror(errno));
        return APP_FAIL;
    }
    Chapters c;
    const char *lang = lesson_lang(o->lang);
    if (open_chapters(o, lang, &c)) return APP_FAIL;
    int i = lesson_find(c.paths, c.n, which), rc = APP_FAIL;
    Lesson L = {0};
    char err[800];
    LessonEngine *E = lesson_engine_create();
    if (i < 0) {
        fprintf(stderr, "convscope lesson: no chapter '%s' (see 'convscope lesson list')\n", which);
        rc = APP_USAGE;
    } else if (!E) {
        fprintf(stderr, "convscope lesson: out of memory\n");
    } else if (lesson_load(c.paths[i], &L, err, sizeof err)) {
        fprintf(stderr, "convscope lesson: %s\n", err);
    } else {
        SlideOut so = {o->out, o->size ? o->size : "1920x1080", o->present, o->audit, !strcmp(lang, "ko")};
        rc = render_slides(&so, &L, E);
    }
    lesson_free(&L);
    lesson_engine_destroy(E);
    lesson_paths_free(c.paths, c.n);
    return rc;
}
#else
static int lesson_cmd_render(const AppOptions *o, const char *which) {
    (void)o;
    (void)which;
    fprintf(stderr, "convscope lesson: render needs the GUI build (CONVSCOPE_GUI=OFF)\n");
    return APP_FAIL;
}
#endif

int app_cmd_lesson(int argc, char **argv) {
    const char *sub = argc > 1 ? argv[1] : NULL;
    if (!sub || (strcmp(sub, "list") && strcmp(sub, "check") && strcmp(sub, "render"))) {
        AppOptions o; /* --help, or a flag refused, before the missing subcommand */
        int help, rc = app_parse_cmd(argc, argv, lesson_usage, &o, &help);
        if (rc || help) return rc;
        fprintf(stderr, "convscope lesson: say list, check or render (try 'convscope lesson --help')\n");
        return APP_USAGE;
    }
    /* the flags after the subcommand, parsed as the lesson command's */
    char *args[64];
    if (argc - 1 > 64) {
        fprintf(stderr, "convscope lesson: too many arguments\n");
        return APP_USAGE;
    }
    args[0] = argv[0];
    for (int k = 2; k < argc; k++) args[k - 1] = argv[k];
    AppOptions o;
    int help, rc = app_parse_cmd(argc - 1, args, lesson_usage, &o, &help);
    if (rc || help) return rc;
    if (strcmp(sub, "render") && (o.model || o.out || o.size || o.present || o.audit)) {
        fprintf(stderr, "convscope lesson: %s takes only --lang and --lessons DIR\n", sub);
        return APP_USAGE;
    }
    if (!strcmp(sub, "list")) return lesson_cmd_list(&o);
    if (!strcmp(sub, "check")) return lesson_cmd_check(&o);
    return lesson_cmd_render(&o, o.model);
}
