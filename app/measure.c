/*
 * measure.c — timing helpers shared by bench, compare and train: a monotonic
 * clock, the median of a set of runs, and a seeded random input; and the
 * measurement of blocks and zoo networks that `convscope compare` and the
 * compare and zoo screens share (measure.h). No SDL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "measure.h"

double app_now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double app_sort_median(double *v, int n) {
    if (n <= 0) return 0.0;
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

void app_fill_random(float *x, size_t n, uint64_t seed) {
    uint64_t s = seed;
    for (size_t i = 0; i < n; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull; /* Knuth's MMIX LCG */
        x[i] = (float)((s >> 40) / 16777216.0) * 2.0f - 1.0f;
    }
}

/* ---- forward times ----------------------------------------------------------------------- */

int app_timing_runs(const AppTiming *tm, double warm_ms) {
    int runs = tm->runs > 0 ? tm->runs : 1;
    if (!tm->adapt) return runs;
    if (warm_ms > 200) runs = warm_ms > 1000 ? 1 : 3; /* a slow graph: a few passes say enough */
    return runs < APP_TIME_MAX_RUNS ? runs : APP_TIME_MAX_RUNS;
}

/* The engine's reason for the failure of the step just tried. */
static void reason(char *err, size_t errlen, const char *what) {
    if (err && errlen) snprintf(err, errlen, "%s: %s", what, app_log_last());
}

int app_time_forward(EngGraph *g, const AppTiming *tm, AppProgress progress, void *ctx, double *ms,
                     char *err, size_t errlen) {
    *ms = 0;
    eng_graph_set_fast(g, 1); /* timed as `convscope bench` times: the fused layout */
    app_log_capture(1);
    int bad = eng_graph_init_params_ex(g, 1, ENG_INIT_HE_UNIFORM) != 0 ? 1 : eng_graph_plan(g, 1) != 0 ? 2 : 0;
    app_log_capture(0);
    if (bad) {
        reason(err, errlen, bad == 1 ? "its weights" : "its buffers");
        return -1;
    }
    const EngShape in = eng_graph_node(g, 0)->out; /* (C, H, W) */
    app_fill_random(eng_graph_input_buffer(g, 0), (size_t)in.C * in.H * in.W, 7);
    app_log_capture(1);
    double t0 = app_now_ms();
    int failed = eng_graph_forward(g) != 0; /* the warm-up: caches, pages, thread pool */
    const int runs = app_timing_runs(tm, app_now_ms() - t0);
    double *t = failed ? NULL : malloc((size_t)runs * sizeof *t);
    int rc = failed ? -1 : t ? 0 : -2;
    for (int i = 0; rc == 0 && i < runs; i++) {
        if (progress && progress(ctx, i, runs)) rc = 1;
        if (rc) break;
        t0 = app_now_ms();
        if (eng_graph_forward(g) != 0) rc = -1;
        t[i] = app_now_ms() - t0;
    }
    app_log_capture(0);
    if (rc == 0) *ms = app_sort_median(t, runs);
    free(t);
    if (rc == -1) reason(err, errlen, "a forward pass");
    if (rc == -2 && err && errlen) snprintf(err, errlen, "out of memory for %d times", runs);
    return rc < 0 ? -1 : rc;
}

/* ---- the two designs of a block comparison ---------------------------------------------- */

EngGraph *app_block_build(const ModelBlock *b, int which, const BlockCfg *cfg, char *err,
                          size_t errlen) {
    app_log_capture(1);
    EngGraph *g = model_block_build(b, which, cfg);
    app_log_capture(0);
    if (!g && err && errlen) snprintf(err, errlen, "%s", app_log_last());
    return g;
}

/* Activations and weights, and the largest unfolded input (im2col) of a
 * convolution wider than 1x1 (a 1x1 reads its input as it is), in GB. */
static double working_set_gb(const EngGraph *g) {
    double col = 0;
    EngTotals t = eng_graph_totals(g);
    double bytes = (double)t.act_bytes + 4.0 * (double)t.params;
    for (int i = 0; i < eng_graph_node_count(g); i++) {
        const EngNode *n = eng_graph_node(g, i);
        if (n->op != ENG_OP_CONV || (n->p.conv.kh == 1 && n->p.conv.kw == 1)) continue;
        const EngShape *in = &eng_graph_node(g, n->inputs[0])->out;
        double c = 4.0 * (double)(in->C / n->p.conv.groups) * n->p.conv.kh * n->p.conv.kw * n->out.H *
                   n->out.W; /* (C/groups * KH * KW, OH * OW) floats */
        if (c > col) col = c;
    }
    return (bytes + col) / 1e9;
}

AppBlockSide app_block_count(const EngGraph *g, EngCount cnt) {
    AppBlockSide s;
    const EngNode *in = eng_graph_node(g, 0), *o = eng_graph_node(g, eng_graph_output(g));
    s.t = eng_graph_totals(g);
    s.ops = eng_graph_ops(g, cnt);
    s.act = s.t.act_bytes - eng_node_act_bytes(in);
    s.out = o->out;
    s.rf = o->rf;
    s.work_gb = working_set_gb(g);
    return s;
}

int app_block_time(const ModelBlock *b, const BlockCfg *cfg, const AppTiming *tm,
                   AppProgress progress, void *ctx, double ms[2], char *err, size_t errlen) {
    EngGraph *g[2] = {NULL, NULL};
    char why[256] = "";
    int rc = 0;
    ms[0] = ms[1] = 0;
    double gb = 0;
    for (int s = 0; s < 2 && rc == 0; s++) {
        const char *name = s ? b->b_name : b->a_name;
        g[s] = app_block_build(b, s, cfg, why, sizeof why);
        if (!g[s]) {
            snprintf(err, errlen, "%s cannot be built: %s", name, why);
            rc = -1;
        } else {
            const double need = working_set_gb(g[s]);
            if (need > gb) gb = need;
        }
    }
    if (rc == 0 && tm->max_gb > 0 && gb > tm->max_gb) {
        snprintf(err, errlen, "one side needs about %.1f GB of memory at this size", gb);
        rc = -1;
    }
    for (int s = 0; s < 2 && rc == 0; s++) {
        rc = app_time_forward(g[s], tm, progress, ctx, &ms[s], why, sizeof why);
        if (rc < 0) snprintf(err, errlen, "%s could not run: %s", s ? b->b_name : b->a_name, why);
    }
    for (int s = 0; s < 2; s++) eng_graph_destroy(g[s]);
    if (rc != 0) ms[0] = ms[1] = 0;
    return rc;
}

/* ---- zoo networks ------------------------------------------------------------------------ */

static EngGraph *net_build(const ModelCard *card, char *err, size_t errlen) {
    app_log_capture(1);
    EngGraph *g = model_build(card, 0, 0, 0);
    app_log_capture(0);
    if (!g && err && errlen) snprintf(err, errlen, "%s cannot be built: %s", card->name, app_log_last());
    return g;
}

int app_net_count(const ModelCard *card, EngCount cnt, AppNetCount *out, char *err, size_t errlen) {
    EngGraph *g = net_build(card, err, errlen);
    if (!g) return -1;
    out->t = eng_graph_totals(g);
    out->ops = eng_graph_ops(g, cnt);
    out->depth = eng_graph_depth(g);
    out->paths = eng_graph_paths(g);
    eng_graph_destroy(g);
    return 0;
}

/* order[0..n): indices of v from the smallest, equal values in index order. */
static void order_smallest(const int64_t *v, int n, int *order) {
    for (int i = 0; i < n; i++) order[i] = i;
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && v[order[j]] < v[order[j - 1]]; j--) {
            int s = order[j];
            order[j] = order[j - 1];
            order[j - 1] = s;
        }
}

int app_zoo_time(const ModelCard *const *card, const int64_t *macs, int n, const AppTiming *tm,
                 AppProgress progress, AppNetDone done, void *ctx, char *err, size_t errlen) {
    int *order = malloc((size_t)(n > 0 ? n : 1) * sizeof *order);
    if (!order) {
        snprintf(err, errlen, "out of memory for the order of %d networks", n);
        return -1;
    }
    order_smallest(macs, n, order);
    int rc = 0, failed = 0;
    char why[320];
    for (int k = 0; k < n && rc != 1; k++) {
        const ModelCard *c = card[order[k]];
        EngGraph *g = net_build(c, why, sizeof why);
        double ms = 0;
        int r = g ? app_time_forward(g, tm, progress, ctx, &ms, why, sizeof why) : -1;
        eng_graph_destroy(g);
        if (r == 1) rc = 1;
        if (r < 0 && !failed++) snprintf(err, errlen, "%s could not be timed: %s", c->name, why);
        if (r != 1 && done(ctx, order[k], ms)) rc = 1;
    }
    free(order);
    return rc == 1 ? 1 : failed ? -1 : 0;
}

int app_block_hw_ok(const AppOptions *o, const char *cmd) {
    if (o->hw && (o->hw != o->hw_w || o->hw > 8192)) {
        fprintf(stderr, "convscope %s: a compared block's input is square: --hw takes one number, "
                        "1..8192, not %dx%d\n", cmd, o->hw, o->hw_w);
        return 0;
    }
    return 1;
}

BlockCfg app_block_cfg(const ModelBlock *b, const AppOptions *o) {
    BlockCfg c = b->defaults;
    if (o->cin) c.cin = o->cin;
    if (o->cout) c.cout = o->cout;
    if (o->hw) c.hw = o->hw;
    if (o->groups) c.groups = o->groups;
    return c;
}

/* ---- one branch of a block against the whole -------------------------------------------- */

/* MACs of g's nodes named prefix or prefix_...; *out_c: the channels of the node named prefix. */
static int64_t branch_macs(const EngGraph *g, const char *prefix, int *out_c) {
    const size_t pl = strlen(prefix);
    int64_t m = 0;
    for (int i = 0; i < eng_graph_node_count(g); i++) {
        const EngNode *n = eng_graph_node(g, i);
        if (strncmp(n->name, prefix, pl) || (n->name[pl] && n->name[pl] != '_')) continue;
        m += n->macs;
        if (!n->name[pl]) *out_c = n->out.C;
    }
    return m;
}

int app_block_branch(const ModelBlock *b, EngGraph *const g[2], AppBranch *out, char *text, size_t n) {
    const ModelBlockExtra *x = model_block_extra(b);
    if (!x->branch || !g[0] || !g[1]) return -1;
    int oc = 0;
    for (int s = 0; s < 2; s++) {
        out->macs[s] = branch_macs(g[s], x->branch, &oc);
        out->whole[s] = eng_graph_totals(g[s]).macs;
    }
    if (out->macs[1] <= 0 || out->whole[1] <= 0 || out->whole[0] <= out->macs[0]) return -1;
    const EngShape in = eng_graph_node(g[0], 0)->out;
    const double rb = (double)out->macs[0] / out->macs[1], rw = (double)out->whole[0] / out->whole[1];
    const int64_t rest0 = out->whole[0] - out->macs[0], rest1 = out->whole[1] - out->macs[1];
    char a1[32], a2[32], w1[32], w2[32];
    snprintf(text, n,
             "%s (%dx%dx%d -> %d channels): %s vs %s MACs, %.1fx fewer with the reduction; the whole "
             "block: %s vs %s, %.2fx fewer. Both hold: the rest of the block, %.0f%% of A's MACs, "
             "shrinks only %.2fx, so the whole saves far less than the branch.",
             x->branch_what ? x->branch_what : x->branch, in.H, in.W, in.C, oc,
             eng_fmt_grouped(out->macs[0], a1, sizeof a1), eng_fmt_grouped(out->macs[1], a2, sizeof a2), rb,
             eng_fmt_grouped(out->whole[0], w1, sizeof w1), eng_fmt_grouped(out->whole[1], w2, sizeof w2), rw,
             100.0 * rest0 / out->whole[0], rest1 > 0 ? (double)rest0 / rest1 : 0.0);
    return 0;
}
