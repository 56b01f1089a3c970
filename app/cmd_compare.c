/*
 * cmd_compare.c — `convscope compare`: two building blocks on the same
 * input, built as engine graphs, counted and timed on this machine.
 */
#include <stdlib.h>
#include <string.h>

#include "measure.h"

static const char compare_usage[] =
    "usage: convscope compare [BLOCK] [--cin N] [--cout N] [--hw N] [--groups G] [--runs N]\n"
    "                         [--threads N] [--count CONVENTION] [--json]\n"
    "  Without BLOCK, lists the blocks. With it, builds design A and design B on the\n"
    "  same (cin, hw, hw) input and prints parameters (weights and biases apart), MACs\n"
    "  and FLOPs (= 2 x MACs), activation memory, receptive field, output shape and\n"
    "  the median forward time of --runs passes (default 5), and the ratios B/A.\n"
    "  --count adds the operations under a convention: macs or flops, then any of\n"
    "  ,bias ,bn ,act ,other (pooling, adds, LRN) or ,all; e.g. --count flops,all.\n"
    "  Published counts differ by exactly these choices.\n"
    "  resnet-basic-vs-bottleneck puts A on cin channels and B on cout (the paper's\n"
    "  Fig. 5: a 64-d basic block against a 256-d bottleneck); inception-naive-vs-\n"
    "  bottleneck also counts its 5x5 branch alone against the whole module.\n"
    "  --json prints {\"block\",\"input\",\"a\":{\"name\",\"input\",...},\"b\":{...},\n"
    "  (\"branch\":{\"what\",\"a_macs\",\"b_macs\",\"ratio\",\"text\"},)\"ratio\":{...}}.\n";

/* One design: its counts, and its median forward time in ms. */
typedef struct {
    AppBlockSide c;
    double ms;
    int in_c;        /* its input's channels */
} Side;

/* The block's branch against the whole (when it names one). */
typedef struct {
    int has;
    AppBranch m;
    char text[640];
} Branch;

/* Both designs counted, then timed over `runs` passes. APP_OK, or an exit
 * code after one line on stderr. */
static int measure(const ModelBlock *b, const BlockCfg *c, EngCount cnt, int runs, Side s[2],
                   Branch *br) {
    char why[320];
    EngGraph *g[2] = {NULL, NULL};
    for (int k = 0; k < 2; k++) {
        g[k] = app_block_build(b, k, c, why, sizeof why);
        if (!g[k]) {
            fprintf(stderr, "convscope compare: %s cannot be built with cin %d, cout %d, hw %d, groups "
                            "%d: %s\n", b->name, c->cin, c->cout, c->hw, c->groups, why);
            eng_graph_destroy(g[0]);
            return APP_USAGE;
        }
        s[k].c = app_block_count(g[k], cnt);
        s[k].ms = 0;
        s[k].in_c = model_block_in_c(b, k, c);
    }
    br->has = app_block_branch(b, g, &br->m, br->text, sizeof br->text) == 0;
    for (int k = 0; k < 2; k++) eng_graph_destroy(g[k]);
    if (runs <= 0) return APP_OK;
    const AppTiming tm = {runs, 0, 0};
    double ms[2];
    if (app_block_time(b, c, &tm, NULL, NULL, ms, why, sizeof why) != 0) {
        fprintf(stderr, "convscope compare: %s: %s\n", b->name, why);
        return APP_FAIL;
    }
    s[0].ms = ms[0], s[1].ms = ms[1];
    return APP_OK;
}

static void json_side(const char *name, const Side *s, int hw, int with_ops) {
    const AppBlockSide *c = &s->c;
    printf("{\"name\":");
    app_json_str(stdout, name);
    printf(",\"input\":[%d,%d,%d],", s->in_c, hw, hw);
    printf("\"params\":%lld,\"weights\":%lld,\"macs\":%lld,\"flops\":%lld,\"act_bytes\":%lld,",
           (long long)c->t.params, (long long)c->t.weights, (long long)c->t.macs,
           2 * (long long)c->t.macs, (long long)c->act);
    if (with_ops) printf("\"ops\":%lld,", (long long)c->ops);
    if (c->rf.finite)
        printf("\"rf\":{\"size\":%lld,\"stride\":%lld,\"pad\":%lld,\"size_w\":%lld,\"stride_w\":%lld,"
               "\"pad_w\":%lld}", (long long)c->rf.size, (long long)c->rf.stride, (long long)c->rf.pad,
               (long long)c->rf.size_w, (long long)c->rf.stride_w, (long long)c->rf.pad_w);
    else
        printf("\"rf\":null");
    printf(",\"output\":[%d,%d,%d],\"ms\":%.4f}", c->out.C, c->out.H, c->out.W, s->ms);
}

static double ratio(double b, double a) { return a > 0 ? b / a : 0.0; }

/* Without a block: every block's name and designs (with --json, their defaults too). */
static void list_blocks(int json) {
    if (json) printf("[");
    for (int i = 0; i < model_block_count(); i++) {
        const ModelBlock *b = model_block_at(i);
        if (!json) {
            printf("%-32s %s  vs  %s\n", b->name, b->a_name, b->b_name);
            continue;
        }
        printf(i ? ",{\"block\":" : "{\"block\":");
        app_json_str(stdout, b->name);
        printf(",\"a\":");
        app_json_str(stdout, b->a_name);
        printf(",\"b\":");
        app_json_str(stdout, b->b_name);
        printf(",\"defaults\":{\"cin\":%d,\"cout\":%d,\"hw\":%d,\"groups\":%d}}", b->defaults.cin,
               b->defaults.cout, b->defaults.hw, b->defaults.groups);
    }
    if (json) printf("]\n");
}

/* cnt_given: --count was given (the ops and the convention are printed). */
static void print_json(const ModelBlock *b, const BlockCfg *c, const Side s[2], const Branch *br,
                       EngCount cnt, int cnt_given) {
    const AppBlockSide *a = &s[0].c, *bb = &s[1].c;
    printf("{\"block\":");
    app_json_str(stdout, b->name);
    printf(",\"input\":[%d,%d,%d],\"a\":", c->cin, c->hw, c->hw);
    json_side(b->a_name, &s[0], c->hw, cnt_given);
    printf(",\"b\":");
    json_side(b->b_name, &s[1], c->hw, cnt_given);
    if (br->has) {
        printf(",\"branch\":{\"what\":");
        app_json_str(stdout, model_block_extra(b)->branch_what);
        printf(",\"a_macs\":%lld,\"b_macs\":%lld,\"ratio\":%.6f,\"text\":", (long long)br->m.macs[0],
               (long long)br->m.macs[1], ratio((double)br->m.macs[1], (double)br->m.macs[0]));
        app_json_str(stdout, br->text);
        printf("}");
    }
    printf(",\"ratio\":{\"params\":%.6f,\"macs\":%.6f,\"ms\":%.6f",
           ratio((double)bb->t.params, (double)a->t.params), ratio((double)bb->t.macs, (double)a->t.macs),
           ratio(s[1].ms, s[0].ms));
    if (!cnt_given) {
        printf("}}\n");
        return;
    }
    printf(",\"ops\":%.6f},\"count\":", ratio((double)bb->ops, (double)a->ops));
    char d[160];
    eng_count_describe(cnt, d, sizeof d);
    app_json_str(stdout, d);
    printf("}\n");
}

/* A table row of two counts and their ratio (with_ratio) or without. */
static void row(const char *label, int64_t a, int64_t b, int with_ratio) {
    char x1[32], x2[32];
    printf("%-18s %32s %32s", label, eng_fmt_grouped(a, x1, sizeof x1), eng_fmt_grouped(b, x2, sizeof x2));
    if (with_ratio) printf(" %8.3f", ratio((double)b, (double)a));
    printf("\n");
}

static void print_table(const ModelBlock *b, const BlockCfg *c, const Side s[2], const Branch *br,
                        EngCount cnt, int cnt_given) {
    const AppBlockSide *a = &s[0].c, *bb = &s[1].c;
    char x1[32], x2[32];
    if (s[0].in_c == s[1].in_c)
        printf("%s on input %dx%dx%d\n%s\n\n", b->name, c->cin, c->hw, c->hw, b->explain);
    else
        printf("%s: A on input %dx%dx%d, B on input %dx%dx%d\n%s\n\n", b->name, s[0].in_c, c->hw,
               c->hw, s[1].in_c, c->hw, c->hw, b->explain);
    printf("%-18s %32s %32s %8s\n", "", b->a_name, b->b_name, "B/A");
    row("parameters", a->t.params, bb->t.params, 1);
    row("  weights", a->t.weights, bb->t.weights, 1);
    row("  biases", a->t.params - a->t.weights, bb->t.params - bb->t.weights, 0);
    row("MACs", a->t.macs, bb->t.macs, 1);
    printf("%-18s %32s %32s\n", "FLOPs (2 x MACs)", eng_fmt_si(2.0 * a->t.macs, x1, sizeof x1),
           eng_fmt_si(2.0 * bb->t.macs, x2, sizeof x2));
    if (cnt_given) {
        char d[160];
        eng_count_describe(cnt, d, sizeof d);
        row("ops (see below)", a->ops, bb->ops, 1);
        printf("%-18s %s\n", "  counted as", d);
    }
    printf("%-18s %32s %32s\n", "activations", eng_fmt_bytes((double)a->act, x1, sizeof x1),
           eng_fmt_bytes((double)bb->act, x2, sizeof x2));
    char h1[48], h2[48];
    snprintf(x1, sizeof x1, "%s / %s", eng_fmt_hw(a->rf.size, a->rf.size_w, h1, sizeof h1),
             eng_fmt_hw(a->rf.stride, a->rf.stride_w, h2, sizeof h2));
    snprintf(x2, sizeof x2, "%s / %s", eng_fmt_hw(bb->rf.size, bb->rf.size_w, h1, sizeof h1),
             eng_fmt_hw(bb->rf.stride, bb->rf.stride_w, h2, sizeof h2));
    printf("%-18s %32s %32s\n", "RF size / stride", x1, x2);
    snprintf(x1, sizeof x1, "%dx%dx%d", a->out.C, a->out.H, a->out.W);
    snprintf(x2, sizeof x2, "%dx%dx%d", bb->out.C, bb->out.H, bb->out.W);
    printf("%-18s %32s %32s\n", "output", x1, x2);
    printf("%-18s %29.3f ms %29.3f ms %8.3f\n", "forward (median)", s[0].ms, s[1].ms,
           ratio(s[1].ms, s[0].ms));
    if (br->has) printf("\n%s\n", br->text);
    if (b->claim) printf("\n%s\n", b->claim);
}

int app_cmd_compare(int argc, char **argv) {
    AppOptions o;
    int help, rc = app_parse_cmd(argc, argv, compare_usage, &o, &help);
    if (rc || help) return rc;
    const char *count_s = o.count;
    EngCount cnt = {0};
    if (count_s && eng_count_parse(count_s, &cnt) != 0) {
        fprintf(stderr, "convscope compare: --count takes macs or flops, then any of ,bias ,bn ,act "
                        ",other or ,all (e.g. flops,all), not '%s'\n", count_s);
        return APP_USAGE;
    }
    if (o.threads) eng_set_threads(o.threads);
    if (!o.model) {
        list_blocks(o.json);
        return APP_OK;
    }
    const ModelBlock *b = model_block_find(o.model);
    if (!b) {
        fprintf(stderr, "convscope compare: unknown block '%s' (run 'convscope compare' for the "
                        "list)\n", o.model);
        return APP_USAGE;
    }
    if (!app_block_hw_ok(&o, "compare")) return APP_USAGE;
    BlockCfg c = app_block_cfg(b, &o);
    Side s[2];
    Branch br;
    rc = measure(b, &c, cnt, o.runs ? o.runs : 5, s, &br);
    if (rc != APP_OK) return rc;
    if (o.json) print_json(b, &c, s, &br, cnt, count_s != NULL);
    else print_table(b, &c, s, &br, cnt, count_s != NULL);
    return APP_OK;
}
