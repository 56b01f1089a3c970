/*
 * cmd_compare.c — `convscope compare`: two building blocks on the same
 * input, built as engine graphs, counted and timed on this machine.
 */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "blocks.h"

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
    "  --json prints {\"block\",\"input\",\"a\":{...},\"b\":{...},\"ratio\":{...}}.\n";

typedef struct {
    EngTotals t;
    int64_t act;   /* activations of the block's layers (input excluded), bytes */
    EngShape out;
    EngRf rf;
    double ms;
    int64_t ops;   /* under the --count convention */
} Side;

static int measure(const ModelBlock *b, int which, const BlockCfg *c, EngCount cnt, int runs,
                   Side *s) {
    EngGraph *g = model_block_build(b, which, c);
    if (!g) return -1;
    s->t = eng_graph_totals(g);
    s->ops = eng_graph_ops(g, cnt);
    const EngNode *in = eng_graph_node(g, 0), *o = eng_graph_node(g, eng_graph_output(g));
    s->act = s->t.act_bytes - eng_node_act_bytes(in);
    s->out = o->out;
    s->rf = o->rf;
    s->ms = 0.0;
    if (runs > 0 && eng_graph_init_params(g, 1) == 0 && eng_graph_plan(g, 1) == 0) {
        app_fill_random(eng_graph_input_buffer(g, 0), (size_t)in->out.C * in->out.H * in->out.W, 7);
        double *t = malloc((size_t)runs * sizeof *t);
        if (t) {
            eng_graph_forward(g); /* warm-up */
            for (int i = 0; i < runs; i++) {
                double t0 = app_now_ms();
                eng_graph_forward(g);
                t[i] = app_now_ms() - t0;
            }
            s->ms = app_sort_median(t, runs);
            free(t);
        }
    }
    eng_graph_destroy(g);
    return 0;
}

static void json_side(const char *name, const Side *s, int with_ops) {
    printf("{\"name\":");
    app_json_str(stdout, name);
    printf(",\"params\":%lld,\"weights\":%lld,\"macs\":%lld,\"flops\":%lld,\"act_bytes\":%lld,",
           (long long)s->t.params, (long long)s->t.weights, (long long)s->t.macs,
           2 * (long long)s->t.macs, (long long)s->act);
    if (with_ops) printf("\"ops\":%lld,", (long long)s->ops);
    if (s->rf.finite)
        printf("\"rf\":{\"size\":%lld,\"stride\":%lld,\"pad\":%lld}", (long long)s->rf.size,
               (long long)s->rf.stride, (long long)s->rf.pad);
    else
        printf("\"rf\":null");
    printf(",\"output\":[%d,%d,%d],\"ms\":%.4f}", s->out.C, s->out.H, s->out.W, s->ms);
}

static double ratio(double b, double a) { return a > 0 ? b / a : 0.0; }

int app_cmd_compare(int argc, char **argv) {
    const char *count_s = NULL;
    static const char *const own[] = {"--count"};
    const char **const dst[] = {&count_s};
    char *rest[64];
    int nrest = app_take_own(argc, argv, own, dst, 1, rest);
    AppOptions o;
    int help, rc = app_parse(nrest, rest, APP_OPT_BLOCK | APP_OPT_JSON | APP_OPT_RUNS | APP_OPT_THREADS,
                             0, compare_usage, &o, &help);
    if (rc || help) return rc;
    EngCount cnt = {0};
    if (count_s && eng_count_parse(count_s, &cnt) != 0) {
        fprintf(stderr, "convscope compare: --count takes macs or flops, then any of ,bias ,bn ,act "
                        ",other or ,all (e.g. flops,all), not '%s'\n", count_s);
        return APP_USAGE;
    }
    if (o.threads) eng_set_threads(o.threads);
    if (!o.model) {
        if (o.json) printf("[");
        for (int i = 0; i < model_block_count(); i++) {
            const ModelBlock *b = model_block_at(i);
            if (o.json) {
                printf(i ? ",{\"block\":" : "{\"block\":");
                app_json_str(stdout, b->name);
                printf(",\"a\":");
                app_json_str(stdout, b->a_name);
                printf(",\"b\":");
                app_json_str(stdout, b->b_name);
                printf(",\"defaults\":{\"cin\":%d,\"cout\":%d,\"hw\":%d,\"groups\":%d}}",
                       b->defaults.cin, b->defaults.cout, b->defaults.hw, b->defaults.groups);
            } else {
                printf("%-32s %s  vs  %s\n", b->name, b->a_name, b->b_name);
            }
        }
        if (o.json) printf("]\n");
        return APP_OK;
    }
    const ModelBlock *b = model_block_find(o.model);
    if (!b) {
        fprintf(stderr, "convscope compare: unknown block '%s' (run 'convscope compare' for the "
                        "list)\n", o.model);
        return APP_USAGE;
    }
    BlockCfg c = b->defaults;
    if (o.cin) c.cin = o.cin;
    if (o.cout) c.cout = o.cout;
    if (o.hw) c.hw = o.hw;
    if (o.groups) c.groups = o.groups;
    int runs = o.runs ? o.runs : 5;
    Side sa, sb;
    app_log_capture(1);
    int ok = measure(b, 0, &c, cnt, runs, &sa) == 0 && measure(b, 1, &c, cnt, runs, &sb) == 0;
    app_log_capture(0);
    if (!ok) {
        fprintf(stderr, "convscope compare: %s cannot be built with cin %d, cout %d, hw %d, groups "
                        "%d: %s\n", b->name, c.cin, c.cout, c.hw, c.groups, app_log_last());
        return APP_USAGE;
    }
    if (o.json) {
        printf("{\"block\":");
        app_json_str(stdout, b->name);
        printf(",\"input\":[%d,%d,%d],\"a\":", c.cin, c.hw, c.hw);
        json_side(b->a_name, &sa, count_s != NULL);
        printf(",\"b\":");
        json_side(b->b_name, &sb, count_s != NULL);
        printf(",\"ratio\":{\"params\":%.6f,\"macs\":%.6f,\"ms\":%.6f",
               ratio((double)sb.t.params, (double)sa.t.params),
               ratio((double)sb.t.macs, (double)sa.t.macs), ratio(sb.ms, sa.ms));
        if (count_s) {
            printf(",\"ops\":%.6f},\"count\":", ratio((double)sb.ops, (double)sa.ops));
            char d[160];
            eng_count_describe(cnt, d, sizeof d);
            app_json_str(stdout, d);
            printf("}\n");
        } else {
            printf("}}\n");
        }
        return APP_OK;
    }
    char x1[32], x2[32], x3[32], x4[32];
    printf("%s on input %dx%dx%d\n%s\n\n", b->name, c.cin, c.hw, c.hw, b->explain);
    printf("%-18s %32s %32s %8s\n", "", b->a_name, b->b_name, "B/A");
    printf("%-18s %32s %32s %8.3f\n", "parameters", eng_fmt_grouped(sa.t.params, x1, sizeof x1),
           eng_fmt_grouped(sb.t.params, x2, sizeof x2), ratio((double)sb.t.params, (double)sa.t.params));
    printf("%-18s %32s %32s %8.3f\n", "  weights", eng_fmt_grouped(sa.t.weights, x1, sizeof x1),
           eng_fmt_grouped(sb.t.weights, x2, sizeof x2), ratio((double)sb.t.weights, (double)sa.t.weights));
    printf("%-18s %32s %32s\n", "  biases", eng_fmt_grouped(sa.t.params - sa.t.weights, x1, sizeof x1),
           eng_fmt_grouped(sb.t.params - sb.t.weights, x2, sizeof x2));
    printf("%-18s %32s %32s %8.3f\n", "MACs", eng_fmt_grouped(sa.t.macs, x1, sizeof x1),
           eng_fmt_grouped(sb.t.macs, x2, sizeof x2), ratio((double)sb.t.macs, (double)sa.t.macs));
    printf("%-18s %32s %32s\n", "FLOPs (2 x MACs)", eng_fmt_si(2.0 * sa.t.macs, x1, sizeof x1),
           eng_fmt_si(2.0 * sb.t.macs, x2, sizeof x2));
    if (count_s) {
        char d[160];
        eng_count_describe(cnt, d, sizeof d);
        printf("%-18s %32s %32s %8.3f\n", "ops (see below)", eng_fmt_grouped(sa.ops, x1, sizeof x1),
               eng_fmt_grouped(sb.ops, x2, sizeof x2), ratio((double)sb.ops, (double)sa.ops));
        printf("%-18s %s\n", "  counted as", d);
    }
    printf("%-18s %32s %32s\n", "activations", eng_fmt_bytes((double)sa.act, x1, sizeof x1),
           eng_fmt_bytes((double)sb.act, x2, sizeof x2));
    snprintf(x3, sizeof x3, "%lld / %lld", (long long)sa.rf.size, (long long)sa.rf.stride);
    snprintf(x4, sizeof x4, "%lld / %lld", (long long)sb.rf.size, (long long)sb.rf.stride);
    printf("%-18s %32s %32s\n", "RF size / stride", x3, x4);
    snprintf(x3, sizeof x3, "%dx%dx%d", sa.out.C, sa.out.H, sa.out.W);
    snprintf(x4, sizeof x4, "%dx%dx%d", sb.out.C, sb.out.H, sb.out.W);
    printf("%-18s %32s %32s\n", "output", x3, x4);
    printf("%-18s %29.3f ms %29.3f ms %8.3f\n", "forward (median)", sa.ms, sb.ms, ratio(sb.ms, sa.ms));
    return APP_OK;
}
