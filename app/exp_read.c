/*
 * exp_read.c — a shipped experiment's result read back from its JSON
 * (assets/experiments/NAME.quick.json, the `--json` output of its quick run)
 * into an ExpResult, so that a lesson can draw its plot and quote its
 * numbers without running anything. The file is treated as hostile: every
 * string and array is checked against the result's fixed sizes.
 *
 * What the JSON does not hold is worked out from the names, as the runs
 * name their curves: a curve named "... test" or "... train", and the
 * "threshold" line, are drawn dashed; a run keeps one colour in every panel
 * (its test curve, its gap, the same name after the panel's title); a
 * panel whose axis is a probability ("P(...") runs from 0 to 1. There is no mosaic in the JSON (the filters of the
 * layers experiment are the evolution view's).
 * Must not depend on: SDL.
 */
#include <cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "experiments.h"
#include "models.h"

enum { EXP_MAX_JSON = 4 * 1024 * 1024 };

static int rerr(char *err, size_t errlen, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* A string member into dst (n bytes): 0, or -1 when missing or too long. */
static int str_member(const cJSON *o, const char *key, char *dst, size_t n, int required) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!v) {
        dst[0] = 0;
        return required ? -1 : 0;
    }
    if (!cJSON_IsString(v) || !v->valuestring || strlen(v->valuestring) >= n) return -1;
    strcpy(dst, v->valuestring);
    return 0;
}

/* s's name without " test", " train" or " gap": the run its curve is of. */
static void base_name(const char *s, char *out, size_t n) {
    snprintf(out, n, "%s", s);
    static const char *const tails[] = {" test", " train", " gap"};
    const size_t l = strlen(out);
    for (size_t k = 0; k < sizeof tails / sizeof *tails; k++) {
        const size_t t = strlen(tails[k]);
        if (l > t && !strcmp(out + l - t, tails[k])) {
            out[l - t] = 0;
            return;
        }
    }
}

static int ends_with(const char *s, const char *tail) {
    const size_t l = strlen(s), t = strlen(tail);
    return l > t && !strcmp(s + l - t, tail);
}

/* s's role in the figure: its run's name (base_name), without the title of
 * its panel when it starts with it ("shift layer 1" in the panel "shift":
 * "layer 1"), so that a run keeps one colour in every panel. */
static void role_of(const ExpResult *r, const ExpSeries *s, char *out, size_t n) {
    char b[40];
    base_name(s->name, b, sizeof b);
    const char *t = r->panel[s->panel].title;
    const size_t tl = strlen(t);
    if (tl && !strncmp(b, t, tl) && b[tl] == ' ' && b[tl + 1]) snprintf(out, n, "%s", b + tl + 1);
    else snprintf(out, n, "%s", b);
}

/* Colours and dashes from the names (see the top of the file): each role
 * its colour, in the order the roles first appear. */
static void style_series(ExpResult *r) {
    char roles[EXP_MAX_SERIES][40];
    int n_roles = 0;
    for (int i = 0; i < r->n_series; i++) {
        ExpSeries *s = &r->s[i];
        s->dashed = ends_with(s->name, " test") || ends_with(s->name, " train") || !strcmp(s->name, "threshold");
        if (!strcmp(s->name, "threshold")) {
            s->color = 7;
            continue;
        }
        char role[40];
        role_of(r, s, role, sizeof role);
        int k = 0;
        while (k < n_roles && strcmp(roles[k], role)) k++;
        if (k == n_roles && n_roles < EXP_MAX_SERIES) snprintf(roles[n_roles++], sizeof roles[0], "%s", role);
        s->color = k;
    }
}

static int read_panels(const cJSON *root, ExpResult *r, char *err, size_t errlen) {
    const cJSON *ps = cJSON_GetObjectItemCaseSensitive(root, "panels"), *p;
    if (!cJSON_IsArray(ps) || cJSON_GetArraySize(ps) < 1 || cJSON_GetArraySize(ps) > EXP_MAX_PANELS)
        return rerr(err, errlen, "\"panels\" is not an array of 1 to %d charts", EXP_MAX_PANELS);
    cJSON_ArrayForEach(p, ps) {
        ExpPanel *q = &r->panel[r->n_panels];
        if (!cJSON_IsObject(p) || str_member(p, "title", q->title, sizeof q->title, 1) ||
            str_member(p, "x_label", q->x_label, sizeof q->x_label, 1) ||
            str_member(p, "y_label", q->y_label, sizeof q->y_label, 1))
            return rerr(err, errlen, "panel %d: a title, x_label and y_label (short strings) each", r->n_panels);
        if (!strncmp(q->y_label, "P(", 2)) q->y_min = 0, q->y_max = 1;
        r->n_panels++;
    }
    return 0;
}

/* arr (numbers) into v; its length, or -1. */
static int numbers(const cJSON *arr, double *v, int max) {
    if (!cJSON_IsArray(arr)) return -1;
    int n = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, arr) {
        if (n >= max || !cJSON_IsNumber(e) || !isfinite(e->valuedouble)) return -1;
        v[n++] = e->valuedouble;
    }
    return n;
}

static int read_series(const cJSON *root, ExpResult *r, char *err, size_t errlen) {
    const cJSON *ss = cJSON_GetObjectItemCaseSensitive(root, "series"), *s;
    if (!cJSON_IsArray(ss) || cJSON_GetArraySize(ss) < 1 || cJSON_GetArraySize(ss) > EXP_MAX_SERIES)
        return rerr(err, errlen, "\"series\" is not an array of 1 to %d curves", EXP_MAX_SERIES);
    cJSON_ArrayForEach(s, ss) {
        ExpSeries *q = &r->s[r->n_series];
        const int i = r->n_series;
        const cJSON *panel = cJSON_GetObjectItemCaseSensitive(s, "panel");
        if (!cJSON_IsObject(s) || str_member(s, "name", q->name, sizeof q->name, 1))
            return rerr(err, errlen, "series %d: no name (a string under %zu characters)", i, sizeof q->name);
        if (!cJSON_IsNumber(panel) || panel->valuedouble < 0 || panel->valuedouble >= r->n_panels ||
            panel->valuedouble != floor(panel->valuedouble))
            return rerr(err, errlen, "series %d (%s): \"panel\" is not one of the %d panels", i, q->name, r->n_panels);
        q->panel = (int)panel->valuedouble;
        const int nx = numbers(cJSON_GetObjectItemCaseSensitive(s, "x"), q->x, EXP_MAX_POINTS);
        const int ny = numbers(cJSON_GetObjectItemCaseSensitive(s, "y"), q->y, EXP_MAX_POINTS);
        if (nx < 1 || nx != ny)
            return rerr(err, errlen, "series %d (%s): x and y are not two arrays of 1 to %d numbers of one length", i,
                        q->name, EXP_MAX_POINTS);
        q->n = nx;
        r->n_series++;
    }
    style_series(r);
    return 0;
}

static int read_extras(const cJSON *root, ExpResult *r, char *err, size_t errlen) {
    const cJSON *xs = cJSON_GetObjectItemCaseSensitive(root, "extras"), *x;
    if (!xs) return 0;
    if (!cJSON_IsObject(xs)) return rerr(err, errlen, "\"extras\" is not an object");
    cJSON_ArrayForEach(x, xs) {
        if (r->n_extras >= EXP_MAX_EXTRAS) return rerr(err, errlen, "more than %d extras", EXP_MAX_EXTRAS);
        ExpExtra *e = &r->extra[r->n_extras];
        if (!x->string || strlen(x->string) >= sizeof e->key || !cJSON_IsNumber(x) || !isfinite(x->valuedouble))
            return rerr(err, errlen, "extra %d: a short name and a finite number", r->n_extras);
        strcpy(e->key, x->string);
        e->v = x->valuedouble;
        r->n_extras++;
    }
    return 0;
}

int exp_parse_json(const char *text, size_t n, ExpResult *r, char *err, size_t errlen) {
    memset(r, 0, sizeof *r);
    if (n > EXP_MAX_JSON) return rerr(err, errlen, "larger than %d bytes", EXP_MAX_JSON);
    cJSON *root = cJSON_ParseWithLength(text, n);
    if (!root) return rerr(err, errlen, "not JSON");
    int rc = 0;
    char name[32];
    if (!cJSON_IsObject(root) || str_member(root, "experiment", name, sizeof name, 1))
        rc = rerr(err, errlen, "no \"experiment\" name");
    else if (exp_result_init(r, name))
        rc = rerr(err, errlen, "out of memory");
    else if (str_member(root, "title", r->title, sizeof r->title, 1) ||
             str_member(root, "claim", r->claim, sizeof r->claim, 0) ||
             str_member(root, "setup", r->setup, sizeof r->setup, 0) ||
             str_member(root, "finding", r->finding, sizeof r->finding, 0))
        rc = rerr(err, errlen, "the title, claim, setup or finding is missing or too long");
    else if (read_panels(root, r, err, errlen) || read_series(root, r, err, errlen) ||
             read_extras(root, r, err, errlen))
        rc = -1;
    if (rc == 0) { /* the threads of the run, when said (a whole number 1..4096) */
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(root, "threads");
        if (cJSON_IsNumber(t) && t->valuedouble >= 1 && t->valuedouble <= 4096 && t->valuedouble == floor(t->valuedouble))
            r->threads = (int)t->valuedouble;
    }
    cJSON_Delete(root);
    if (rc) exp_result_free(r);
    return rc;
}

const char *exp_shipped_path(const char *name, char *buf, size_t n) {
    snprintf(buf, n, "%s/experiments/%s.quick.json", model_assets_dir(), name);
    return buf;
}

int exp_load_shipped(const char *name, ExpResult *r, char *err, size_t errlen) {
    memset(r, 0, sizeof *r);
    char path[4200];
    for (const char *p = name; *p; p++) /* a name, not a path */
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-') || p - name > 30)
            return rerr(err, errlen, "'%.40s' is no experiment's name (see 'convscope experiment list')", name);
    if (!*name) return rerr(err, errlen, "an experiment's name is needed (see 'convscope experiment list')");
    exp_shipped_path(name, path, sizeof path);
    FILE *f = fopen(path, "rb");
    if (!f)
        return rerr(err, errlen, "no shipped result of experiment '%s' (%s: %s; see 'convscope experiment list')",
                    name, path, strerror(errno));
    char *buf = malloc(EXP_MAX_JSON + 1);
    size_t n = buf ? fread(buf, 1, EXP_MAX_JSON + 1, f) : 0;
    const int bad = !buf || ferror(f);
    fclose(f);
    int rc;
    if (bad) rc = rerr(err, errlen, "%s: cannot read", path);
    else if (n > EXP_MAX_JSON) rc = rerr(err, errlen, "%s: larger than %d bytes", path, EXP_MAX_JSON);
    else {
        char why[400];
        rc = exp_parse_json(buf, n, r, why, sizeof why);
        if (rc) rerr(err, errlen, "%s: %s", path, why);
        else if (strcmp(r->experiment, name)) {
            rc = rerr(err, errlen, "%s: holds experiment '%s', not '%s'", path, r->experiment, name);
            exp_result_free(r);
        }
    }
    free(buf);
    return rc;
}

const ExpExtra *exp_extra_find(const ExpResult *r, const char *key) {
    for (int i = 0; i < r->n_extras; i++)
        if (!strcmp(r->extra[i].key, key)) return &r->extra[i];
    return NULL;
}
