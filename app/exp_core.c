/*
 * exp_core.c — an experiment's result as numbers: its curves, panels and
 * named figures, written as JSON (stdout) and CSV (one file per curve).
 * Must not depend on: SDL (the plot is exp_plot.c's).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "experiments.h"

int exp_result_init(ExpResult *r, const char *name) {
    memset(r, 0, sizeof *r);
    snprintf(r->experiment, sizeof r->experiment, "%s", name);
    r->s = calloc(EXP_MAX_SERIES, sizeof *r->s);
    return r->s ? 0 : -1;
}

void exp_result_free(ExpResult *r) {
    free(r->s);
    free(r->mosaic);
    memset(r, 0, sizeof *r);
}

ExpSeries *exp_series(ExpResult *r, const char *name, int panel, int color, int dashed) {
    if (r->n_series >= EXP_MAX_SERIES) return NULL;
    ExpSeries *s = &r->s[r->n_series++];
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "%s", name);
    s->panel = panel, s->color = color, s->dashed = dashed;
    return s;
}

void exp_point(ExpSeries *s, double x, double y) {
    if (s && s->n < EXP_MAX_POINTS) s->x[s->n] = x, s->y[s->n++] = y;
}

void exp_extra(ExpResult *r, const char *key, double v) {
    if (r->n_extras >= EXP_MAX_EXTRAS) return;
    snprintf(r->extra[r->n_extras].key, sizeof r->extra[0].key, "%s", key);
    r->extra[r->n_extras++].v = v;
}

int exp_panel(ExpResult *r, const char *title, const char *x_label, const char *y_label, double y_min,
              double y_max) {
    if (r->n_panels >= EXP_MAX_PANELS) return EXP_MAX_PANELS - 1;
    ExpPanel *p = &r->panel[r->n_panels];
    snprintf(p->title, sizeof p->title, "%s", title);
    snprintf(p->x_label, sizeof p->x_label, "%s", x_label);
    snprintf(p->y_label, sizeof p->y_label, "%s", y_label);
    p->y_min = y_min, p->y_max = y_max;
    return r->n_panels++;
}

void exp_note(char *buf, size_t n, const char *fmt, ...) {
    size_t l = strlen(buf);
    if (l + 1 >= n) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + l, n - l, fmt, ap);
    va_end(ap);
}

/* A number as JSON: 17 significant digits (the double read back is the same
 * bits), null for what is not a number. */
static void num(FILE *f, double v) {
    if (v != v || v > 1e308 || v < -1e308) fputs("null", f);
    else fprintf(f, "%.17g", v);
}

/* Wall-clock figures (keys starting "seconds") are apart, under "timing": they
 * are measured, so they differ from run to run while every other number is
 * the same to the bit. */
static int is_timing(const char *key) { return !strncmp(key, "seconds", 7); }

static void write_extras(FILE *f, const ExpResult *r, int timing) {
    int first = 1;
    for (int i = 0; i < r->n_extras; i++) {
        if (is_timing(r->extra[i].key) != timing) continue;
        fprintf(f, "%s", first ? "" : ",");
        first = 0;
        app_json_str(f, r->extra[i].key);
        fputc(':', f);
        num(f, r->extra[i].v);
    }
}

void exp_write_json(FILE *f, const ExpResult *r, const char *command, uint64_t seed, int threads) {
    const ExpPanel *p0 = &r->panel[0];
    fprintf(f, "{\"experiment\":");
    app_json_str(f, r->experiment);
    fprintf(f, ",\"title\":");
    app_json_str(f, r->title);
    fprintf(f, ",\"x_label\":");
    app_json_str(f, p0->x_label);
    fprintf(f, ",\"y_label\":");
    app_json_str(f, p0->y_label);
    fprintf(f, ",\"claim\":");
    app_json_str(f, r->claim);
    fprintf(f, ",\"setup\":");
    app_json_str(f, r->setup);
    fprintf(f, ",\"finding\":");
    app_json_str(f, r->finding);
    fprintf(f, ",\"command\":");
    app_json_str(f, command);
    fprintf(f, ",\"seed\":%llu,\"threads\":%d,\n\"panels\":[", (unsigned long long)seed, threads);
    for (int k = 0; k < r->n_panels; k++) {
        fprintf(f, "%s{\"title\":", k ? "," : "");
        app_json_str(f, r->panel[k].title);
        fprintf(f, ",\"x_label\":");
        app_json_str(f, r->panel[k].x_label);
        fprintf(f, ",\"y_label\":");
        app_json_str(f, r->panel[k].y_label);
        fputc('}', f);
    }
    fprintf(f, "],\n\"extras\":{");
    write_extras(f, r, 0);
    fprintf(f, "},\n\"timing\":{");
    write_extras(f, r, 1);
    fprintf(f, "},\n\"series\":[");
    for (int i = 0; i < r->n_series; i++) {
        const ExpSeries *s = &r->s[i];
        fprintf(f, "%s\n{\"name\":", i ? "," : "");
        app_json_str(f, s->name);
        fprintf(f, ",\"panel\":%d,\"x\":[", s->panel);
        for (int j = 0; j < s->n; j++) fputs(j ? "," : "", f), num(f, s->x[j]);
        fprintf(f, "],\"y\":[");
        for (int j = 0; j < s->n; j++) fputs(j ? "," : "", f), num(f, s->y[j]);
        fprintf(f, "]}");
    }
    fprintf(f, "]}\n");
}

int exp_write_csvs(const ExpResult *r, const char *dir) {
    char path[4200], err[512];
    for (int i = 0; i < r->n_series; i++) {
        const ExpSeries *s = &r->s[i];
        const ExpPanel *p = &r->panel[s->panel];
        char safe[40];
        snprintf(safe, sizeof safe, "%s", s->name);
        for (char *c = safe; *c; c++)
            if (*c == '/' || *c == ' ' || *c == '+' || *c == '(' || *c == ')') *c = '_';
        snprintf(path, sizeof path, "%s/%s.%s.csv", dir, r->experiment, safe);
        EngTmpFile t;
        if (eng_tmpfile_open(&t, path, err, sizeof err) != 0) {
            fprintf(stderr, "convscope experiment: %s\n", err);
            return -1;
        }
        fprintf(t.f, "\"%s\",\"%s\"\n", p->x_label, p->y_label);
        for (int j = 0; j < s->n; j++) fprintf(t.f, "%.17g,%.17g\n", s->x[j], s->y[j]);
        if (eng_tmpfile_commit(&t, err, sizeof err) != 0) {
            fprintf(stderr, "convscope experiment: %s\n", err);
            return -1;
        }
    }
    return 0;
}

int exp_same_numbers(const ExpResult *a, const ExpResult *b, char *why, size_t n) {
    if (a->n_series != b->n_series) {
        snprintf(why, n, "%d curves against %d", b->n_series, a->n_series);
        return 0;
    }
    for (int i = 0; i < a->n_series; i++) {
        const ExpSeries *p = &a->s[i], *q = &b->s[i];
        if (strcmp(p->name, q->name) || p->panel != q->panel || p->n != q->n) {
            snprintf(why, n, "curve %d: %s (%d points) against %s (%d points)", i + 1, q->name, q->n, p->name, p->n);
            return 0;
        }
        for (int j = 0; j < p->n; j++)
            if (memcmp(&p->x[j], &q->x[j], sizeof p->x[j]) || memcmp(&p->y[j], &q->y[j], sizeof p->y[j])) {
                snprintf(why, n, "%s, point %d: (%.17g, %.17g) against (%.17g, %.17g)", p->name, j + 1, q->x[j],
                         q->y[j], p->x[j], p->y[j]);
                return 0;
            }
    }
    for (int i = 0; i < a->n_extras; i++)
        for (int j = 0; j < b->n_extras; j++)
            if (!is_timing(a->extra[i].key) && !strcmp(a->extra[i].key, b->extra[j].key) &&
                memcmp(&a->extra[i].v, &b->extra[j].v, sizeof a->extra[i].v)) {
                snprintf(why, n, "%s: %.17g against %.17g", a->extra[i].key, b->extra[j].v, a->extra[i].v);
                return 0;
            }
    snprintf(why, n, "the same to the bit");
    return 1;
}
