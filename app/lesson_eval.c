/*
 * lesson_eval.c — what a lesson's placeholders and directives mean to the
 * engine (lesson.h): every number of a lesson's text is computed here from
 * a graph built by the zoo's builder (no weights: counts need shapes only),
 * from a block pair of the compare screen (measure.c), or read from a
 * model's card (accuracy, year). The same counts as `convscope summary
 * --json`, `convscope compare --json` and `convscope models`.
 * Must not depend on: SDL, viz/, the window.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "experiments.h"
#include "lesson.h"
#include "measure.h"

static int ferr(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int ferr(char *err, size_t errlen, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

enum { LESSON_CACHE = 12, LESSON_EXPS = 8 };

struct LessonEngine {
    struct {
        char name[64];
        EngGraph *g;
    } net[LESSON_CACHE];
    int next;          /* the slot reused when all are taken */
    /* the experiments' shipped results, read once */
    ExpResult exp[LESSON_EXPS];
    int n_exp, next_exp;
    /* the step being filled: its compare block and slider sizes ("" none) */
    char block[64];
    int size[4]; /* cin, cout, hw, groups; 0: the block's default */
};

void lesson_engine_step(LessonEngine *E, const LessonShow *sh) {
    E->block[0] = 0;
    memset(E->size, 0, sizeof E->size);
    const char *b = sh && !sh->plot ? lesson_show_get(sh, "block") : NULL;
    if (!b) return;
    snprintf(E->block, sizeof E->block, "%s", b);
    static const char *const keys[] = {"cin", "cout", "hw", "groups"};
    for (int k = 0; k < 4; k++) {
        const char *v = lesson_show_get(sh, keys[k]);
        if (v) E->size[k] = atoi(v);
    }
}

LessonEngine *lesson_engine_create(void) { return calloc(1, sizeof(LessonEngine)); }

void lesson_engine_destroy(LessonEngine *E) {
    if (!E) return;
    for (int i = 0; i < LESSON_CACHE; i++) eng_graph_destroy(E->net[i].g);
    for (int i = 0; i < E->n_exp; i++) exp_result_free(&E->exp[i]);
    free(E);
}

/* Experiment name's shipped quick result (read once; kept). */
static const ExpResult *experiment(LessonEngine *E, const char *name, char *err, size_t errlen) {
    for (int i = 0; i < E->n_exp; i++)
        if (!strcmp(E->exp[i].experiment, name)) return &E->exp[i];
    ExpResult r;
    if (exp_load_shipped(name, &r, err, errlen) != 0) return NULL;
    int slot;
    if (E->n_exp < LESSON_EXPS) {
        slot = E->n_exp++;
    } else { /* all taken: the oldest goes */
        slot = E->next_exp;
        E->next_exp = (slot + 1) % LESSON_EXPS;
        exp_result_free(&E->exp[slot]);
    }
    E->exp[slot] = r;
    return &E->exp[slot];
}

/* {exp NAME KEY}: a named number of the experiment's shipped result, as the
 * run wrote it: a whole number grouped, else two decimals. */
static int exp_value(LessonEngine *E, char **w, int nw, char *out, size_t n, char *err, size_t errlen) {
    if (nw != 3)
        return ferr(err, errlen, "exp takes an experiment and one of its numbers: {exp degradation final_train_err_plain56}");
    const ExpResult *r = experiment(E, w[1], err, errlen);
    if (!r) return -1;
    const ExpExtra *x = exp_extra_find(r, w[2]);
    if (!x) {
        char keys[600] = "";
        for (int i = 0; i < r->n_extras; i++) {
            size_t l = strlen(keys);
            snprintf(keys + l, sizeof keys - l, "%s%s", i ? ", " : "", r->extra[i].key);
        }
        return ferr(err, errlen, "experiment %s has no number '%s' (its numbers: %s)", w[1], w[2], keys);
    }
    if (x->v == floor(x->v) && fabs(x->v) < 9e15) eng_fmt_grouped((int64_t)x->v, out, n);
    else snprintf(out, n, "%.2f", x->v);
    return 0;
}


/* Zoo network `name` built at its default input (once; kept). */
static const EngGraph *net(LessonEngine *E, const char *name, const ModelCard **card, char *err, size_t errlen) {
    *card = model_find(name);
    if (!*card) {
        ferr(err, errlen, "unknown model '%s' (see 'convscope models')", name);
        return NULL;
    }
    for (int i = 0; i < LESSON_CACHE; i++)
        if (E->net[i].g && !strcmp(E->net[i].name, name)) return E->net[i].g;
    EngGraph *g = model_build(*card, 0, 0, 0);
    if (!g) {
        ferr(err, errlen, "%s cannot be built", name);
        return NULL;
    }
    int slot = E->next;
    E->next = (E->next + 1) % LESSON_CACHE;
    eng_graph_destroy(E->net[slot].g);
    snprintf(E->net[slot].name, sizeof E->net[slot].name, "%s", name);
    E->net[slot].g = g;
    return g;
}

/* ---- a target's numbers ----------------------------------------------------------------- */

/* What a placeholder can ask of one target: a network, some of its layers,
 * one side of a block pair, one branch of it. */
typedef struct {
    const ModelCard *card;   /* networks */
    const EngGraph *g;       /* the network (NULL for a block) */
    int whole;               /* the whole network, not some layers */
    int64_t params, weights, macs, act;
    int has_rf, has_shape;
    EngRf rf;
    EngShape shape;
} LessonTarget;

/* Layers "a+b+c" of g summed into t; the last one's shape and field. */
static int layers_target(const EngGraph *g, const char *name, const char *list, LessonTarget *t, char *err,
                         size_t errlen) {
    char buf[160];
    snprintf(buf, sizeof buf, "%s", list);
    int n = 0;
    for (char *save, *l = strtok_r(buf, "+", &save); l; l = strtok_r(NULL, "+", &save), n++) {
        int id = eng_graph_find(g, l);
        if (id < 0) return ferr(err, errlen, "%s has no layer '%s' (see 'convscope summary %s')", name, l, name);
        const EngNode *nd = eng_graph_node(g, id);
        t->params += eng_node_params(nd);
        t->weights += eng_node_weights(nd);
        t->macs += nd->macs;
        t->act += eng_node_act_bytes(nd);
        t->rf = nd->rf, t->has_rf = nd->rf.finite;
        t->shape = nd->out, t->has_shape = 1;
    }
    if (n != 1) t->has_rf = t->has_shape = 0; /* a sum has no one field or shape */
    return n ? 0 : ferr(err, errlen, "no layer named after '%s'", name);
}

/* "compare:BLOCK:A|B" or "branch:BLOCK:A|B" into t: at the sizes of the
 * step's @show when it shows that block, else at the block's defaults. */
static int block_target(const LessonEngine *E, const char *spec, LessonTarget *t, char *err, size_t errlen) {
    char buf[160], *side;
    snprintf(buf, sizeof buf, "%s", spec);
    const int branch = !strncmp(buf, "branch:", 7);
    char *name = strchr(buf, ':') + 1;
    side = strchr(name, ':');
    if (!side || (strcmp(side, ":A") && strcmp(side, ":B")))
        return ferr(err, errlen, "'%s': say which side, %s:BLOCK:A or :B", spec, branch ? "branch" : "compare");
    *side = 0;
    const int which = side[1] == 'B';
    const ModelBlock *b = model_block_find(name);
    if (!b) return ferr(err, errlen, "unknown block '%s' (run 'convscope compare' for the list)", name);
    BlockCfg cfg = b->defaults;
    if (!strcmp(E->block, name)) {
        int *field[] = {&cfg.cin, &cfg.cout, &cfg.hw, &cfg.groups};
        for (int k = 0; k < 4; k++)
            if (E->size[k] > 0) *field[k] = E->size[k];
    }
    EngGraph *g[2] = {app_block_build(b, 0, &cfg, err, errlen), app_block_build(b, 1, &cfg, err, errlen)};
    int rc = 0;
    if (!g[0] || !g[1]) rc = -1;
    else if (branch) {
        AppBranch br;
        char text[640];
        if (app_block_branch(b, g, &br, text, sizeof text) != 0)
            rc = ferr(err, errlen, "block '%s' has no branch to count apart", name);
        else
            t->macs = br.macs[which];
    } else {
        AppBlockSide s = app_block_count(g[which], (EngCount){0});
        t->params = s.t.params, t->weights = s.t.weights, t->macs = s.t.macs, t->act = s.act;
        t->rf = s.rf, t->has_rf = s.rf.finite;
        t->shape = s.out, t->has_shape = 1;
    }
    eng_graph_destroy(g[0]);
    eng_graph_destroy(g[1]);
    return rc;
}

/* A target: "MODEL", "MODEL@LAYER[+LAYER]", "compare:BLOCK:A", "branch:BLOCK:B";
 * layers (may be NULL) adds the layers given as a word of their own. */
static int target(LessonEngine *E, const char *spec, const char *layers, LessonTarget *t, char *err,
                  size_t errlen) {
    memset(t, 0, sizeof *t);
    if (!strncmp(spec, "compare:", 8) || !strncmp(spec, "branch:", 7)) {
        if (layers) return ferr(err, errlen, "'%s' takes no layer", spec);
        return block_target(E, spec, t, err, errlen);
    }
    char name[96];
    snprintf(name, sizeof name, "%s", spec);
    char *at = strchr(name, '@');
    if (at) {
        *at = 0;
        if (layers) return ferr(err, errlen, "'%s': a layer after '@' or as a word, not both", spec);
        layers = at + 1;
    }
    t->g = net(E, name, &t->card, err, errlen);
    if (!t->g) return -1;
    if (layers) return layers_target(t->g, name, layers, t, err, errlen);
    EngTotals tot = eng_graph_totals(t->g);
    t->whole = 1;
    t->params = tot.params, t->weights = tot.weights, t->macs = tot.macs, t->act = tot.act_bytes;
    return 0;
}

/* ---- one placeholder -------------------------------------------------------------------- */

/* The number of quantity q of t, for ratios and shares; -1 with err. */
static int number_of(const char *q, const LessonTarget *t, double *v, char *err, size_t errlen) {
    if (!strcmp(q, "params")) *v = (double)t->params;
    else if (!strcmp(q, "weights")) *v = (double)t->weights;
    else if (!strcmp(q, "macs")) *v = (double)t->macs;
    else if (!strcmp(q, "act")) *v = (double)t->act;
    else return ferr(err, errlen, "a ratio or share compares params, weights, macs or act, not '%s'", q);
    return 0;
}

static void fmt_count(int64_t v, int approx, char *out, size_t n) {
    if (approx) eng_fmt_si((double)v, out, n);
    else eng_fmt_grouped(v, out, n);
}

static void fmt_rf(int64_t h, int64_t w, char *out, size_t n) {
    if (h == w) snprintf(out, n, "%lld", (long long)h);
    else snprintf(out, n, "%lldx%lld", (long long)h, (long long)w);
}

/* What a network's card or whole graph says: accuracy, year, name, depth, paths. */
static int card_value(const char *q, const LessonTarget *t, char *out, size_t n, char *err, size_t errlen) {
    const ModelCard *c = t->card;
    if (!c || !t->whole) return ferr(err, errlen, "'%s' is asked of a whole network (a model's name alone)", q);
    if (!strcmp(q, "top1") || !strcmp(q, "top5")) {
        double v = q[3] == '1' ? c->val_top1 : c->val_top5;
        if (v <= 0) return ferr(err, errlen, "%s's card has no single-crop ImageNet %s accuracy", c->name, q);
        snprintf(out, n, "%.2f%%", v);
    } else if (!strcmp(q, "year")) snprintf(out, n, "%d", c->year);
    else if (!strcmp(q, "name")) snprintf(out, n, "%s", c->display);
    else if (!strcmp(q, "depth")) snprintf(out, n, "%d", eng_graph_depth(t->g));
    else if (!strcmp(q, "actlayers")) eng_fmt_bytes((double)eng_graph_layer_act_bytes(t->g), out, n);
    else if (!strcmp(q, "trainonly")) eng_fmt_grouped(eng_graph_totals(t->g).train_only_params, out, n);
    else if (!strcmp(q, "paths") || !strcmp(q, "adds")) {
        EngPaths p = eng_graph_paths(t->g);
        if (q[0] == 'a') snprintf(out, n, "%d", p.adds);
        else if (p.paths < 9007199254740992.0) eng_fmt_grouped((int64_t)p.paths, out, n);
        else snprintf(out, n, "2^%.0f", p.log2_paths);
    } else return 1;
    return 0;
}

/* {ratio Q T1 T2}: "9.7x"; {share Q MODEL LAYERS}: "94%". */
static int ratio_value(LessonEngine *E, char **w, int nw, char *out, size_t n, char *err, size_t errlen) {
    LessonTarget a, b;
    double va, vb;
    const int share = !strcmp(w[0], "share");
    if (nw != 4)
        return ferr(err, errlen, share ? "share takes a quantity, a model and its layers: {share params alexnet fc6+fc7+fc8}"
                                       : "ratio takes a quantity and two targets: {ratio macs branch:B:A branch:B:B}");
    if (target(E, w[2], share ? w[3] : NULL, &a, err, errlen) || number_of(w[1], &a, &va, err, errlen)) return -1;
    if (target(E, share ? w[2] : w[3], NULL, &b, err, errlen) || number_of(w[1], &b, &vb, err, errlen)) return -1;
    if (vb == 0) return ferr(err, errlen, "%s of '%s' is zero: no ratio", w[1], w[3]);
    const double r = va / vb;
    if (share) snprintf(out, n, r * 100 >= 10 ? "%.0f%%" : "%.1f%%", r * 100);
    else snprintf(out, n, r >= 100 ? "%.0fx" : "%.1fx", r);
    return 0;
}

int lesson_value(LessonEngine *E, const char *expr, char *out, size_t n, char *err, size_t errlen) {
    char buf[256], *w[6];
    int nw = 0;
    if (strlen(expr) >= sizeof buf) return ferr(err, errlen, "placeholder too long");
    strcpy(buf, expr);
    for (char *save, *t = strtok_r(buf, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
        if (nw == 5) return ferr(err, errlen, "{%s}: too many words", expr);
        w[nw++] = t;
    }
    if (nw < 2) return ferr(err, errlen, "{%s}: a placeholder is a quantity and a target, e.g. {params vgg16}", expr);
    if (!strcmp(w[0], "ratio") || !strcmp(w[0], "share")) return ratio_value(E, w, nw, out, n, err, errlen);
    if (!strcmp(w[0], "exp")) return exp_value(E, w, nw, out, n, err, errlen);
    char q[32];
    snprintf(q, sizeof q, "%s", w[0]);
    const size_t ql = strlen(q);
    const int approx = ql > 1 && q[ql - 1] == '~';
    if (approx) q[ql - 1] = 0;
    if (nw > 3) return ferr(err, errlen, "{%s}: a quantity, a target and perhaps its layers", expr);
    LessonTarget t;
    if (target(E, w[1], nw == 3 ? w[2] : NULL, &t, err, errlen)) return -1;
    if (!strcmp(q, "params")) fmt_count(t.params, approx, out, n);
    else if (!strcmp(q, "weights")) fmt_count(t.weights, approx, out, n);
    else if (!strcmp(q, "macs")) fmt_count(t.macs, approx, out, n);
    else if (!strcmp(q, "flops")) fmt_count(2 * t.macs, approx, out, n);
    else if (!strcmp(q, "act")) eng_fmt_bytes((double)t.act, out, n);
    else if (!strcmp(q, "rf") || !strcmp(q, "rfstride")) {
        if (!t.has_rf) return ferr(err, errlen, "{%s}: '%s' has no finite receptive field (name one conv or pool layer)", expr, w[1]);
        if (q[2]) fmt_rf(t.rf.stride, t.rf.stride_w, out, n);
        else fmt_rf(t.rf.size, t.rf.size_w, out, n);
    } else if (!strcmp(q, "shape")) {
        if (!t.has_shape) return ferr(err, errlen, "{%s}: a shape is one layer's", expr);
        snprintf(out, n, "%dx%dx%d", t.shape.C, t.shape.H, t.shape.W);
    } else {
        int rc = card_value(q, &t, out, n, err, errlen);
        if (rc > 0)
            return ferr(err, errlen, "{%s}: unknown quantity '%s' (params, weights, macs, flops, act, actlayers, rf, "
                                     "rfstride, shape, top1, top5, year, name, depth, paths, adds, trainonly, ratio, share, exp)",
                        expr, q);
        return rc;
    }
    return 0;
}

int lesson_fill(LessonEngine *E, const char *text, char *out, size_t n, char *err, size_t errlen) {
    size_t o = 0;
    if (!n) return ferr(err, errlen, "no room");
    for (const char *p = text; *p;) {
        if (*p == '}') return ferr(err, errlen, "a '}' without its '{'");
        if (*p != '{') {
            if (o + 1 >= n) return ferr(err, errlen, "the filled text is too long");
            out[o++] = *p++;
            continue;
        }
        const char *end = strchr(p, '}');
        if (!end) return ferr(err, errlen, "a '{' without its '}'");
        char expr[256], val[128];
        if ((size_t)(end - p - 1) >= sizeof expr) return ferr(err, errlen, "placeholder too long");
        memcpy(expr, p + 1, (size_t)(end - p - 1));
        expr[end - p - 1] = 0;
        if (strchr(expr, '{')) return ferr(err, errlen, "a '{' inside a placeholder");
        if (lesson_value(E, expr, val, sizeof val, err, errlen)) return -1;
        const size_t vl = strlen(val);
        if (o + vl + 1 >= n) return ferr(err, errlen, "the filled text is too long");
        memcpy(out + o, val, vl);
        o += vl;
        p = end + 1;
    }
    out[o] = 0;
    return 0;
}

/* ---- the directive checked -------------------------------------------------------------- */

/* The views of `@show`: whether they take a model (0 none, 1 one, 2 perhaps),
 * need a unit, need a block. */
static const struct {
    const char *view;
    int model, unit, block;
} views[] = {
    {"featuremaps", 1, 0, 0}, {"filters", 1, 0, 0}, {"evolution", 1, 0, 0}, {"summary", 1, 0, 0},
    {"3d", 1, 0, 0},          {"browse", 1, 0, 0},  {"top9", 1, 1, 0},      {"occlusion", 1, 1, 0},
    {"erf", 1, 3, 0},         {"deconv", 1, 1, 0},  {"compare", 0, 0, 1},   {"zoo", 0, 0, 0},
    {"rf", 2, 0, 0},          {"history", 2, 0, 0}, {"timeline", 2, 0, 0},  {"basics", 0, 0, 0},
};

static const char *const kernels[] = {"box", "laplacian", "sobel-x", "sharpen"};

int lesson_kernel_preset(const char *name) {
    for (int k = 0; k < (int)(sizeof kernels / sizeof *kernels); k++)
        if (!strcmp(kernels[k], name)) return k;
    return -1;
}

/* Each name of the comma-separated list a zoo network. */
static int check_models(const char *list, char *err, size_t errlen) {
    char buf[160];
    snprintf(buf, sizeof buf, "%s", list);
    for (char *save, *m = strtok_r(buf, ",", &save); m; m = strtok_r(NULL, ",", &save))
        if (!model_find(m)) return ferr(err, errlen, "models=: unknown model '%s' (see 'convscope models')", m);
    return 0;
}

/* layer= and unit= against the network's graph. */
static int check_layer_unit(LessonEngine *E, const LessonShow *s, int unit_need, char *err, size_t errlen) {
    const ModelCard *card;
    const EngGraph *g = net(E, s->model, &card, err, errlen);
    if (!g) return -1;
    const char *layer = lesson_show_get(s, "layer"), *unit = lesson_show_get(s, "unit");
    int id = layer ? eng_graph_find(g, layer) : -1;
    if (layer && id < 0)
        return ferr(err, errlen, "%s has no layer '%s' (see 'convscope summary %s')", s->model, layer, s->model);
    if (!unit) {
        if (unit_need) return ferr(err, errlen, "view=%s needs unit=C (a channel) or unit=C,Y,X", lesson_show_view(s));
        return 0;
    }
    if (!layer) return ferr(err, errlen, "unit= needs layer= (the layer the unit is in)");
    int cyx[3] = {-1, -1, -1}, nu = eng_parse_int_list(unit, 0, 1000000, cyx, 3);
    if (nu != 1 && nu != 3) return ferr(err, errlen, "unit= takes C or C,Y,X, not '%s'", unit);
    if (unit_need == 3 && nu != 3) return ferr(err, errlen, "view=erf needs a unit C,Y,X (one unit's field)");
    const EngNode *nd = eng_graph_node(g, id);
    if (cyx[0] >= nd->out.C || cyx[1] >= nd->out.H || cyx[2] >= nd->out.W)
        return ferr(err, errlen, "unit %s is outside %s's %dx%dx%d output", unit, layer, nd->out.C, nd->out.H, nd->out.W);
    return 0;
}

/* The keys that take a number or a word from a list. */
static int check_values(const LessonShow *s, char *err, size_t errlen) {
    const char *v;
    if ((v = lesson_show_get(s, "models")) && check_models(v, err, errlen)) return -1;
    if ((v = lesson_show_get(s, "kernel")) && lesson_kernel_preset(v) < 0)
        return ferr(err, errlen, "kernel= takes box, laplacian, sobel-x or sharpen, not '%s'", v);
    if ((v = lesson_show_get(s, "rule")) && strcmp(v, "deconv") && strcmp(v, "guided") && strcmp(v, "backprop"))
        return ferr(err, errlen, "rule= takes deconv, guided or backprop, not '%s'", v);
    if ((v = lesson_show_get(s, "data")) && strcmp(v, "digits") && strcmp(v, "fashion"))
        return ferr(err, errlen, "data= takes digits or fashion, not '%s'", v);
    if ((v = lesson_show_get(s, "count"))) {
        EngCount c;
        if (eng_count_parse(v, &c)) return ferr(err, errlen, "count= takes macs or flops, then ,bias ,bn ,act ,other or ,all");
    }
    if ((v = lesson_show_get(s, "pattern"))) {
        int ok = 0;
        for (int k = 0; k < app_pattern_count(); k++) ok |= !strcmp(v, app_pattern_name(k));
        if (!ok && !(strlen(v) == 1 && v[0] >= '0' && v[0] < '0' + app_pattern_count()))
            return ferr(err, errlen, "pattern= takes 0..%d or a pattern's name, not '%s'", app_pattern_count() - 1, v);
    }
    static const char *const ints[] = {"cin", "cout", "hw", "groups", "runs", "index", "page", "snapshot"};
    for (size_t k = 0; k < sizeof ints / sizeof *ints; k++) {
        int x;
        if ((v = lesson_show_get(s, ints[k])) && eng_parse_int_list(v, 0, 8192, &x, 1) != 1)
            return ferr(err, errlen, "%s= takes a whole number, not '%s'", ints[k], v);
    }
    if ((v = lesson_show_get(s, "weights"))) {
        char path[4200];
        snprintf(path, sizeof path, "%s%s%s", strchr(v, '/') ? "" : model_assets_dir(), strchr(v, '/') ? "" : "/", v);
        if (access(path, R_OK) != 0) return ferr(err, errlen, "weights=: no file %s", path);
    }
    return 0;
}

/* block= and its sizes: the pair can be built. */
static int check_block(const LessonShow *s, char *err, size_t errlen) {
    const char *name = lesson_show_get(s, "block");
    if (!name) return ferr(err, errlen, "view=compare needs block=NAME (run 'convscope compare' for the list)");
    const ModelBlock *b = model_block_find(name);
    if (!b) return ferr(err, errlen, "unknown block '%s' (run 'convscope compare' for the list)", name);
    BlockCfg cfg = b->defaults;
    int *field[] = {&cfg.cin, &cfg.cout, &cfg.hw, &cfg.groups};
    static const char *const keys[] = {"cin", "cout", "hw", "groups"};
    for (int k = 0; k < 4; k++) {
        const char *v = lesson_show_get(s, keys[k]);
        if (v) *field[k] = atoi(v);
    }
    char why[320];
    for (int side = 0; side < 2; side++) {
        EngGraph *g = app_block_build(b, side, &cfg, why, sizeof why);
        if (!g) return ferr(err, errlen, "block %s at these sizes: %s", name, why);
        eng_graph_destroy(g);
    }
    return 0;
}

/* An @plot: the experiment shipped, its panel one of its figure's. */
static int check_plot(LessonEngine *E, const LessonShow *s, char *err, size_t errlen) {
    const ExpResult *r = experiment(E, s->model, err, errlen);
    if (!r) return -1;
    const char *p = lesson_show_get(s, "panel");
    if (p && atoi(p) >= r->n_panels)
        return ferr(err, errlen, "@plot %s: panel=%s, but its figure has %d panel%s (0..%d)", s->model, p, r->n_panels,
                    r->n_panels == 1 ? "" : "s", r->n_panels - 1);
    return 0;
}

int lesson_check_show(LessonEngine *E, const LessonShow *s, char *err, size_t errlen) {
    if (s->plot) return check_plot(E, s, err, errlen);
    if (lesson_show_get(s, "experiment") || (lesson_show_get(s, "view") && !strcmp(lesson_show_get(s, "view"), "experiment")))
        return ferr(err, errlen, "an experiment is shown with '@plot NAME [panel=K]', not @show");
    for (int k = 0; k < s->n_kv; k++)
        if (!lesson_show_key_known(s->kv[k].key))
            return ferr(err, errlen, "@show: unknown key '%s' (see assets/lessons/README.md)", s->kv[k].key);
    const char *view = lesson_show_get(s, "view");
    if (!view) view = "featuremaps";
    int v = -1;
    for (int k = 0; k < (int)(sizeof views / sizeof *views); k++)
        if (!strcmp(views[k].view, view)) v = k;
    if (v < 0) return ferr(err, errlen, "unknown view '%s' (see assets/lessons/README.md)", view);
    if (views[v].model == 1 && !s->model[0]) return ferr(err, errlen, "view=%s needs a model: '@show MODEL view=%s'", view, view);
    if (views[v].model == 0 && s->model[0]) return ferr(err, errlen, "view=%s takes no model ('%s')", view, s->model);
    if (s->model[0] && !model_find(s->model)) return ferr(err, errlen, "unknown model '%s' (see 'convscope models')", s->model);
    if (check_values(s, err, errlen)) return -1;
    if (views[v].block && check_block(s, err, errlen)) return -1;
    if (views[v].model == 1) return check_layer_unit(E, s, views[v].unit, err, errlen);
    if (lesson_show_get(s, "layer") || lesson_show_get(s, "unit"))
        return ferr(err, errlen, "view=%s has no layer or unit", view);
    return 0;
}

/* Every placeholder of text checked, each error on the line it is on
 * (off/ln: where the text's lines start); the errors. */
static int check_text(LessonEngine *E, const char *path, const char *text, const int *off, const int *ln,
                      int nseg, int line, FILE *f) {
    char out[LESSON_TEXT * 2], err[800], val[128], expr[256];
    if (!lesson_fill(E, text, out, sizeof out, err, sizeof err)) return 0;
    int bad = 0;
    for (const char *p = text; *p; p++) {
        if (*p != '{' && *p != '}') continue;
        const char *end = *p == '{' ? strchr(p, '}') : NULL;
        int at = line;
        for (int k = 0; k < nseg; k++)
            if (off[k] <= (int)(p - text)) at = ln[k];
        if (end && (size_t)(end - p - 1) < sizeof expr) {
            memcpy(expr, p + 1, (size_t)(end - p - 1));
            expr[end - p - 1] = 0;
            if (lesson_value(E, expr, val, sizeof val, err, sizeof err) == 0) {
                p = end;
                continue;
            }
        } else {
            snprintf(err, sizeof err, *p == '{' ? "a '{' without its '}'" : "a '}' without its '{'");
        }
        bad++;
        fprintf(f, "%s:%d: %s\n", path, at, err);
        if (!end) break;
        p = end;
    }
    if (!bad) bad++, fprintf(f, "%s:%d: %s\n", path, line, "the filled text is too long");
    return bad;
}

int lesson_check(LessonEngine *E, const Lesson *L, FILE *f) {
    int bad = 0;
    char err[800];
    const LessonShow *last = NULL;
    for (int i = 0; i < L->n; i++) {
        const LessonStep *s = &L->steps[i];
        if (s->show.line) last = &s->show;
        lesson_engine_step(E, last);
        bad += check_text(E, L->path, s->text, s->text_off, s->text_ln, s->n_text, s->line, f);
        bad += check_text(E, L->path, s->answer, s->answer_off, s->answer_ln, s->n_answer, s->answer_line, f);
        if (s->show.line && lesson_check_show(E, &s->show, err, sizeof err))
            bad++, fprintf(f, "%s:%d: %s\n", L->path, s->show.line, err);
    }
    lesson_engine_step(E, NULL);
    return bad;
}
