/*
 * lesson.c — lesson files read and checked (lesson.h): the parser of the
 * small Markdown format of assets/lessons/README.md, the folder listing,
 * and the directive's translation into the arguments of `convscope render`.
 * The placeholders' values and the checks against the engine are in
 * lesson_eval.c. Must not depend on: SDL, viz/, the window.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lesson.h"
#include "models.h"

/* ---- the parser ------------------------------------------------------------------------- */

typedef struct {
    const char *path;
    int line;
    char *err;
    size_t errlen;
} LessonCursor;

static int perr(LessonCursor *c, const char *fmt, ...) {
    char what[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    snprintf(c->err, c->errlen, "%s:%d: %s", c->path, c->line, what);
    return -1;
}

/* s without the spaces around it (in place). */
static char *trim(char *s) {
    while (*s == ' ' || *s == '\t') s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r')) s[--n] = 0;
    return s;
}

/* Line s appended to text (a space between lines, '\n' after a blank one);
 * where it starts kept in off/ln. */
static int append(LessonCursor *c, char *text, const char *s, int *para, int *off, int *ln, int *nseg) {
    size_t l = strlen(text), sl = strlen(s);
    const char *sep = !l ? "" : *para ? "\n" : " ";
    if (*nseg < LESSON_SEGS) {
        off[*nseg] = (int)(l + strlen(sep));
        ln[(*nseg)++] = c->line;
    }
    if (l + strlen(sep) + sl + 1 > LESSON_TEXT)
        return perr(c, "the text is too long (at most %d characters a step: one claim each)", LESSON_TEXT - 1);
    memcpy(text + l, sep, strlen(sep));
    memcpy(text + l + strlen(sep), s, sl + 1);
    *para = 0;
    return 0;
}

/* `@show [MODEL] key=value ...` after "@show" into sh. */
static int parse_show(LessonCursor *c, char *rest, LessonShow *sh) {
    memset(sh, 0, sizeof *sh);
    sh->line = c->line;
    for (char *tok = strtok(rest, " \t"); tok; tok = strtok(NULL, " \t")) {
        char *eq = strchr(tok, '=');
        if (!eq) {
            if (sh->model[0] || sh->n_kv)
                return perr(c, "@show: '%s' is neither the model (it comes first) nor key=value", tok);
            if (strlen(tok) >= sizeof sh->model) return perr(c, "@show: the model's name '%.40s...' is too long", tok);
            strcpy(sh->model, tok);
            continue;
        }
        *eq = 0;
        if (!*tok || !eq[1]) return perr(c, "@show: '%s=%s' needs a key and a value", tok, eq + 1);
        if (sh->n_kv >= LESSON_MAX_KV) return perr(c, "@show: more than %d key=value pairs", LESSON_MAX_KV);
        LessonKV *kv = &sh->kv[sh->n_kv];
        if (strlen(tok) >= sizeof kv->key || strlen(eq + 1) >= sizeof kv->val)
            return perr(c, "@show: '%.40s' or its value is too long", tok);
        for (int k = 0; k < sh->n_kv; k++)
            if (!strcmp(sh->kv[k].key, tok)) return perr(c, "@show: '%s' is given twice", tok);
        strcpy(kv->key, tok);
        strcpy(kv->val, eq + 1);
        sh->n_kv++;
    }
    if (!sh->model[0] && !sh->n_kv) return perr(c, "@show needs a model or a view (e.g. '@show vgg16 view=filters')");
    return 0;
}

/* `@plot EXPERIMENT [panel=K]` after "@plot" into sh. */
static int parse_plot(LessonCursor *c, char *rest, LessonShow *sh) {
    memset(sh, 0, sizeof *sh);
    sh->line = c->line;
    sh->plot = 1;
    for (char *tok = strtok(rest, " \t"); tok; tok = strtok(NULL, " \t")) {
        char *eq = strchr(tok, '=');
        if (!eq) {
            if (sh->model[0] || sh->n_kv)
                return perr(c, "@plot: '%.40s' after the experiment (the one key is panel=K)", tok);
            if (strlen(tok) >= sizeof sh->model) return perr(c, "@plot: the experiment's name '%.40s...' is too long", tok);
            strcpy(sh->model, tok);
            continue;
        }
        *eq = 0;
        if (strcmp(tok, "panel")) return perr(c, "@plot: unknown key '%.20s' (the one key is panel=K)", tok);
        if (sh->n_kv) return perr(c, "@plot: 'panel' is given twice");
        char *end;
        const long k = strtol(eq + 1, &end, 10);
        if (!eq[1] || *end || k < 0 || k >= 100) return perr(c, "@plot: panel= takes a chart's number from 0, not '%.20s'", eq + 1);
        snprintf(sh->kv[0].key, sizeof sh->kv[0].key, "panel");
        snprintf(sh->kv[0].val, sizeof sh->kv[0].val, "%ld", k);
        sh->n_kv = 1;
    }
    if (!sh->model[0]) return perr(c, "@plot needs an experiment (e.g. '@plot degradation', see 'convscope experiment list')");
    return 0;
}

typedef struct {
    Lesson *L;
    LessonStep *cur;   /* the step or question being read */
    int questions;     /* past "## Questions" */
    int para;          /* a blank line was seen: the next line starts a paragraph */
    char *target;      /* where text lines go: cur->text or cur->answer */
} LessonState;

static int new_step(LessonCursor *c, LessonState *st, int kind) {
    Lesson *L = st->L;
    if (L->n >= LESSON_MAX_STEPS) return perr(c, "more than %d steps and questions in one chapter", LESSON_MAX_STEPS);
    LessonStep *s = &L->steps[L->n++];
    memset(s, 0, sizeof *s);
    s->kind = kind;
    s->line = c->line;
    st->cur = s;
    st->target = s->text;
    st->para = 0;
    return 0;
}

/* The step just ended is whole: a step has words and a directive, a
 * question words and an answer. */
static int close_step(LessonCursor *c, const LessonStep *s) {
    if (!s) return 0;
    int at = c->line;
    c->line = s->line;
    int rc = 0;
    if (!s->text[0]) rc = perr(c, s->kind == LESSON_STEP ? "the step '%s' has no text" : "the question has no text", s->title);
    else if (s->kind == LESSON_STEP && !s->show.line)
        rc = perr(c, "the step '%s' has no @show or @plot line (the window's state for it)", s->title);
    else if (s->kind == LESSON_QUESTION && !s->answer[0]) rc = perr(c, "the question has no 'A:' answer");
    c->line = at;
    return rc;
}

/* A line of words into the step's text or answer. */
static int add_text(LessonCursor *c, LessonState *st, const char *s) {
    LessonStep *p = st->cur;
    if (st->target == p->answer) return append(c, p->answer, s, &st->para, p->answer_off, p->answer_ln, &p->n_answer);
    return append(c, p->text, s, &st->para, p->text_off, p->text_ln, &p->n_text);
}

static int parse_line(LessonCursor *c, LessonState *st, char *raw) {
    char *s = trim(raw);
    Lesson *L = st->L;
    if (!strncmp(s, "<!--", 4)) {
        if (!strstr(s, "-->")) return perr(c, "a comment opens with '<!--' and closes with '-->' on the same line");
        return 0;
    }
    if (!*s) {
        st->para = 1;
        return 0;
    }
    if (s[0] == '#' && s[1] == ' ') {
        if (L->title[0]) return perr(c, "a second '# ' title (one chapter per file; steps start with '## ')");
        snprintf(L->title, sizeof L->title, "%s", trim(s + 2));
        return 0;
    }
    if (!L->title[0]) return perr(c, "a lesson starts with its title: '# Chapter title'");
    if (!strncmp(s, "## ", 3)) {
        if (close_step(c, st->cur)) return -1;
        st->cur = NULL;
        char *t = trim(s + 3);
        if (!strcmp(t, "Questions") || !strcmp(t, "질문")) { /* the translations' heading too */
            if (st->questions) return perr(c, "a second '## Questions' ('## 질문')");
            st->questions = 1;
            return 0;
        }
        if (st->questions) return perr(c, "a step after '## Questions' (the questions close the chapter)");
        if (new_step(c, st, LESSON_STEP)) return -1;
        snprintf(st->cur->title, sizeof st->cur->title, "%s", t);
        return 0;
    }
    const int show = !strncmp(s, "@show", 5), plot = !strncmp(s, "@plot", 5);
    if ((show || plot) && (s[5] == ' ' || s[5] == '\t' || !s[5])) {
        if (!st->cur) return perr(c, "%.5s outside a step", s);
        if (st->cur->show.line)
            return perr(c, "a second directive in one step (@show or @plot: one each step; the first on line %d)",
                        st->cur->show.line);
        return show ? parse_show(c, s + 5, &st->cur->show) : parse_plot(c, s + 5, &st->cur->show);
    }
    if (s[0] == '@') return perr(c, "unknown directive '%.20s' (the directives are @show and @plot)", s);
    if (st->questions && (!strncmp(s, "Q:", 2) || !strncmp(s, "A:", 2))) {
        if (s[0] == 'Q') {
            if (close_step(c, st->cur) || new_step(c, st, LESSON_QUESTION)) return -1;
        } else {
            if (!st->cur || st->cur->answer_line) return perr(c, "'A:' without its 'Q:'");
            st->cur->answer_line = c->line;
            st->target = st->cur->answer;
            st->para = 0;
        }
        s = trim(s + 2);
        return *s ? add_text(c, st, s) : 0;
    }
    if (!st->cur)
        return perr(c, st->questions ? "text outside a question (start one with 'Q:')"
                                     : "text before the first step (start one with '## Step title')");
    return add_text(c, st, s);
}

int lesson_parse(const char *path, const char *text, size_t n, Lesson *L, char *err, size_t errlen) {
    memset(L, 0, sizeof *L);
    LessonCursor c = {path, 0, err, errlen};
    snprintf(L->path, sizeof L->path, "%s", path);
    const char *base = strrchr(path, '/');
    snprintf(L->name, sizeof L->name, "%s", base ? base + 1 : path);
    char *dot = strstr(L->name, ".md");
    if (dot) *dot = 0;
    if (n > LESSON_MAX_FILE) return perr(&c, "the file is larger than %d bytes", LESSON_MAX_FILE);
    L->steps = calloc(LESSON_MAX_STEPS, sizeof *L->steps);
    if (!L->steps) return perr(&c, "out of memory");
    LessonState st = {L, NULL, 0, 0, NULL};
    char line[LESSON_MAX_LINE + 2];
    size_t at = 0;
    while (at < n) {
        c.line++;
        size_t e = at;
        while (e < n && text[e] != '\n') e++;
        if (e - at > LESSON_MAX_LINE) return perr(&c, "line longer than %d characters", LESSON_MAX_LINE);
        memcpy(line, text + at, e - at);
        line[e - at] = 0;
        if (memchr(line, 0, e - at)) return perr(&c, "a NUL byte (not a text file)");
        if (parse_line(&c, &st, line)) return -1;
        at = e + 1;
    }
    c.line++;
    if (close_step(&c, st.cur)) return -1;
    if (!L->title[0]) return perr(&c, "no '# Chapter title'");
    int steps = 0, qs = 0;
    for (int i = 0; i < L->n; i++) *(L->steps[i].kind == LESSON_STEP ? &steps : &qs) += 1;
    if (!steps) return perr(&c, "no step ('## Step title', its text and its @show line)");
    if (qs < 1) return perr(&c, "no questions: a chapter ends with '## Questions', then 'Q:' and 'A:' lines");
    return 0;
}

int lesson_load(const char *path, Lesson *L, char *err, size_t errlen) {
    memset(L, 0, sizeof *L);
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    char *buf = malloc(LESSON_MAX_FILE + 1);
    size_t n = buf ? fread(buf, 1, LESSON_MAX_FILE + 1, f) : 0;
    int bad = !buf || ferror(f);
    fclose(f);
    if (bad) {
        snprintf(err, errlen, "%s: cannot read%s", path, buf ? "" : " (out of memory)");
        free(buf);
        return -1;
    }
    int rc = lesson_parse(path, buf, n, L, err, errlen);
    free(buf);
    return rc;
}

void lesson_free(Lesson *L) {
    free(L->steps);
    memset(L, 0, sizeof *L);
}

/* ---- the folder ------------------------------------------------------------------------- */

const char *lesson_default_dir(char *buf, size_t n) {
    snprintf(buf, n, "%s/lessons", model_assets_dir());
    return buf;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* NN-name.md: two digits, a dash, a name. */
static int is_lesson_name(const char *s) {
    size_t n = strlen(s);
    return n > 6 && isdigit((unsigned char)s[0]) && isdigit((unsigned char)s[1]) && s[2] == '-' &&
           !strcmp(s + n - 3, ".md");
}

int lesson_list_dir(const char *dir, char **paths, int max, char *err, size_t errlen) {
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(err, errlen, "%s: cannot open the lessons folder: %s", dir, strerror(errno));
        return -1;
    }
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!is_lesson_name(e->d_name)) continue;
        if (n >= max) {
            snprintf(err, errlen, "%s: more than %d lesson files", dir, max);
            n = -1;
            break;
        }
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        paths[n] = malloc(len);
        if (!paths[n]) {
            snprintf(err, errlen, "out of memory");
            n = -1;
            break;
        }
        snprintf(paths[n], len, "%s/%s", dir, e->d_name);
        n++;
    }
    closedir(d);
    if (n < 0) return -1;
    qsort(paths, (size_t)n, sizeof *paths, cmp_str);
    return n;
}

void lesson_paths_free(char **paths, int n) {
    for (int i = 0; i < n; i++) free(paths[i]);
}

int lesson_find(char *const *paths, int n, const char *which) {
    char *end;
    long num = strtol(which, &end, 10);
    const int is_num = *which && !*end;
    for (int i = 0; i < n; i++) {
        const char *b = strrchr(paths[i], '/');
        b = b ? b + 1 : paths[i];
        size_t bl = strlen(b) - 3; /* without .md */
        if (is_num && atol(b) == num) return i;
        if (!strcmp(b, which) || (strlen(which) == bl && !strncmp(b, which, bl))) return i;
        if (strlen(which) == bl - 3 && !strncmp(b + 3, which, bl - 3)) return i;
    }
    return -1;
}

/* ---- the directive ---------------------------------------------------------------------- */

const char *lesson_show_get(const LessonShow *s, const char *key) {
    for (int k = 0; k < s->n_kv; k++)
        if (!strcmp(s->kv[k].key, key)) return s->kv[k].val;
    return NULL;
}

const char *lesson_show_view(const LessonShow *s) {
    if (s->plot) return "experiment";
    const char *v = lesson_show_get(s, "view");
    if (!v) return "featuremaps";
    if (!strcmp(v, "erf") || !strcmp(v, "deconv") || !strcmp(v, "rfbox")) return "featuremaps";
    return v;
}

/* Each key and the render flag it becomes. */
static const struct {
    const char *key, *flag;
} show_flags[] = {
    {"layer", "--layer"},   {"unit", "--unit"},     {"rule", "--rule"},       {"weights", "--weights"},
    {"data", "--data"},     {"image", "--image"},   {"pattern", "--pattern"}, {"index", "--image-index"},
    {"page", "--page"},     {"snapshot", "--snapshot"}, {"block", "--block"}, {"cin", "--cin"},
    {"cout", "--cout"},     {"hw", "--hw"},         {"groups", "--groups"},   {"models", "--models"},
    {"runs", "--runs"},     {"count", "--count"},   {"kernel", "--preset"},   {"input", "--input"},
};

int lesson_show_key_known(const char *key) {
    if (!strcmp(key, "view")) return 1;
    for (size_t k = 0; k < sizeof show_flags / sizeof *show_flags; k++)
        if (!strcmp(show_flags[k].key, key)) return 1;
    return 0;
}

int lesson_show_argv(const LessonShow *s, const char **argv, int max, char *buf, size_t n) {
    int c = 0;
    if (max < 6) return -1;
    argv[c++] = "render";
    if (s->plot) { /* the experiment's shipped figure */
        const char *panel = lesson_show_get(s, "panel");
        argv[c++] = s->model;
        argv[c++] = "--view";
        argv[c++] = "experiment";
        if (panel) argv[c++] = "--panel", argv[c++] = panel;
        return c;
    }
    if (s->model[0]) argv[c++] = s->model;
    argv[c++] = "--view";
    argv[c++] = lesson_show_view(s);
    const char *v = lesson_show_get(s, "view");
    if (v && !strcmp(v, "deconv") && !lesson_show_get(s, "rule")) { /* deconv: the projection's rule */
        if (c + 2 > max) return -1;
        argv[c++] = "--rule";
        argv[c++] = "deconv";
    }
    const char *img = lesson_show_get(s, "image");
    for (int k = 0; k < s->n_kv; k++) {
        for (size_t f = 0; f < sizeof show_flags / sizeof *show_flags; f++) {
            if (strcmp(show_flags[f].key, s->kv[k].key)) continue;
            if (c + 2 > max) return -1;
            argv[c++] = show_flags[f].flag;
            argv[c++] = s->kv[k].val;
        }
    }
    /* an image named without a folder is one of the shipped ones, in assets/ */
    if (img && !strchr(img, '/')) {
        for (int k = 0; k < c; k++)
            if (argv[k] == img && snprintf(buf, n, "%s/%s", model_assets_dir(), img) < (int)n) argv[k] = buf;
    }
    return c;
}

/* ---- languages -------------------------------------------------------------------------- */

const char *const lesson_langs[LESSON_LANGS] = {"en", "ko"};

const char *lesson_lang(const char *flag) {
    for (int k = 0; flag && k < LESSON_LANGS; k++)
        if (!strcmp(flag, lesson_langs[k])) return lesson_langs[k];
    /* POSIX's order: the first of these that is set and not empty decides */
    static const char *const vars[] = {"LC_ALL", "LC_MESSAGES", "LANG"};
    for (size_t k = 0; k < sizeof vars / sizeof *vars; k++) {
        const char *v = getenv(vars[k]);
        if (v && *v) return !strncmp(v, "ko", 2) ? "ko" : "en";
    }
    return "en";
}

const char *lesson_lang_dir(const char *base, const char *lang, char *buf, size_t n) {
    if (!lang || !strcmp(lang, "en")) snprintf(buf, n, "%s", base);
    else snprintf(buf, n, "%s/%s", base, lang);
    return buf;
}

static int cmp_ph(const void *a, const void *b) { return strcmp((const char *)a, (const char *)b); }

/* The placeholders of text, each "{...}" as written, sorted; their count
 * (at most max; a longer one is cut to its first 95 characters). */
static int placeholders(const char *text, char (*ph)[96], int max) {
    int n = 0;
    for (const char *p = strchr(text, '{'); p && n < max; p = strchr(p + 1, '{')) {
        const char *e = strchr(p, '}');
        if (!e) break;
        size_t l = (size_t)(e - p + 1) < 95 ? (size_t)(e - p + 1) : 95;
        memcpy(ph[n], p, l);
        ph[n++][l] = 0;
    }
    qsort(ph, (size_t)n, sizeof *ph, cmp_ph);
    return n;
}

/* The placeholders of a and b (text, or answer) the same multiset: 1. */
static int same_placeholders(const char *a, const char *b, char *what, size_t n) {
    char pa[64][96], pb[64][96];
    const int na = placeholders(a, pa, 64), nb = placeholders(b, pb, 64);
    for (int i = 0; i < na || i < nb; i++) {
        if (i < na && i < nb && !strcmp(pa[i], pb[i])) continue;
        snprintf(what, n, "%d placeholders, the English %d; first difference: %s against the English %s", nb, na,
                 i < nb ? pb[i] : "none", i < na ? pa[i] : "none");
        return 0;
    }
    return 1;
}

static int same_show(const LessonShow *a, const LessonShow *b) {
    if (!a->line != !b->line || a->plot != b->plot || strcmp(a->model, b->model) || a->n_kv != b->n_kv) return 0;
    for (int k = 0; k < a->n_kv; k++)
        if (strcmp(a->kv[k].key, b->kv[k].key) || strcmp(a->kv[k].val, b->kv[k].val)) return 0;
    return 1;
}

int lesson_twin_check(const Lesson *en, const Lesson *twin, FILE *f) {
    int bad = 0;
    char what[400];
    if (en->n != twin->n) {
        fprintf(f, "%s:1: %d steps and questions, the English has %d (%s)\n", twin->path, twin->n, en->n, en->path);
        bad++;
    }
    for (int i = 0; i < en->n && i < twin->n; i++) {
        const LessonStep *a = &en->steps[i], *b = &twin->steps[i];
        const char *kind = a->kind == LESSON_QUESTION ? "question" : "step";
        if (a->kind != b->kind) {
            fprintf(f, "%s:%d: a %s where the English has a %s (%s:%d)\n", twin->path, b->line,
                    b->kind == LESSON_QUESTION ? "question" : "step", kind, en->path, a->line);
            bad++;
            continue;
        }
        if (!same_show(&a->show, &b->show)) {
            fprintf(f, "%s:%d: %s %d's @show is not the English one (%s:%d)\n", twin->path,
                    b->show.line ? b->show.line : b->line, kind, i + 1, en->path, a->show.line ? a->show.line : a->line);
            bad++;
        }
        if (!same_placeholders(a->text, b->text, what, sizeof what)) {
            fprintf(f, "%s:%d: %s %d: %s (%s:%d)\n", twin->path, b->line, kind, i + 1, what, en->path, a->line);
            bad++;
        }
        if (!same_placeholders(a->answer, b->answer, what, sizeof what)) {
            fprintf(f, "%s:%d: answer %d: %s (%s:%d)\n", twin->path, b->answer_line ? b->answer_line : b->line, i + 1,
                    what, en->path, a->answer_line ? a->answer_line : a->line);
            bad++;
        }
    }
    return bad;
}
