/*
 * cmd_bench.c — `convscope bench`: forward latency of a network on this
 * machine. Buffers are planned once and warmed up before timing, so the
 * numbers measure arithmetic, not first-touch page faults.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"

static const char bench_usage[] =
    "usage: convscope bench MODEL [--input CxHxW] [--threads N] [--runs N] [--batch N] [--json]\n"
    "                            [--profile] [--project LAYER]\n"
    "  Times forward passes on random weights and a random input after two warm-up\n"
    "  passes; prints the median and the fastest. --threads sets OpenBLAS's and the\n"
    "  engine's threads (default: all cores). --json prints\n"
    "  {\"model\",\"batch\",\"threads\",\"runs\",\"median_ms\",\"min_ms\"}.\n"
    "  --profile adds the time per op type and the slowest layers (median run).\n"
    "  --project LAYER also times projecting a channel of LAYER back to the input\n"
    "  (deconvnet), as \"project\":{\"layer\",\"median_ms\"} in the JSON.\n";

/* Median time of every node over the runs, summed per op type, and the ten
 * slowest nodes. node_ms: (nodes, runs). */
static void print_profile(const EngGraph *g, double *node_ms, int runs) {
    int nn = eng_graph_node_count(g);
    double per_op[ENG_OP_COUNT] = {0}, total = 0;
    int count[ENG_OP_COUNT] = {0};
    double *med = calloc((size_t)nn, sizeof *med);
    int *order = calloc((size_t)nn, sizeof *order);
    if (!med || !order) {
        free(med);
        free(order);
        return;
    }
    for (int k = 0; k < nn; k++) {
        med[k] = app_sort_median(node_ms + (size_t)k * runs, runs);
        const EngNode *n = eng_graph_node(g, k);
        per_op[n->op] += med[k];
        count[n->op]++;
        total += med[k];
        order[k] = k;
    }
    printf("\n%-16s %6s %10s %7s\n", "op", "nodes", "ms", "share");
    for (int op = 0; op < ENG_OP_COUNT; op++)
        if (count[op])
            printf("%-16s %6d %10.3f %6.1f%%\n", eng_op_name((EngOpType)op), count[op], per_op[op],
                   total > 0 ? 100.0 * per_op[op] / total : 0.0);
    for (int i = 0; i < nn; i++) /* selection of the ten slowest */
        for (int j = i + 1; j < nn && i < 10; j++)
            if (med[order[j]] > med[order[i]]) {
                int tmp = order[i];
                order[i] = order[j];
                order[j] = tmp;
            }
    printf("\nslowest layers:\n");
    for (int i = 0; i < nn && i < 10; i++) {
        const EngNode *n = eng_graph_node(g, order[i]);
        printf("  %-40s %-14s %8.3f ms  %7.1f GFLOP/s\n", n->name, eng_op_name(n->op), med[order[i]],
               n->macs && med[order[i]] > 0 ? 2.0 * n->macs * eng_graph_batch(g) / (med[order[i]] * 1e6) : 0.0);
    }
    free(med);
    free(order);
}

/* Median time of projecting channel 0 of node `layer` back to the input
 * (deconvnet rule), after one forward pass; -1 on failure. */
static double time_projection(EngGraph *g, int layer, int batch, int runs) {
    eng_graph_enable_grads(g);
    if (eng_graph_plan(g, batch) != 0 || eng_graph_forward(g) != 0) return -1;
    double *t = malloc((size_t)runs * sizeof *t);
    if (!t || eng_graph_project(g, layer, 0, -1, -1, ENG_RULE_DECONV) != 0) { /* warm-up */
        free(t);
        return -1;
    }
    for (int i = 0; i < runs; i++) {
        double t0 = app_now_ms();
        eng_graph_project(g, layer, 0, -1, -1, ENG_RULE_DECONV);
        t[i] = app_now_ms() - t0;
    }
    double m = app_sort_median(t, runs);
    free(t);
    return m;
}

int app_cmd_bench(int argc, char **argv) {
    /* --project LAYER is this command's own; the rest is shared */
    const char *project = NULL;
    static const char *const own[] = {"--project"};
    const char **const dst[] = {&project};
    char *rest[64];
    argc = app_take_own(argc, argv, own, dst, 1, rest);
    argv = rest;
    AppOptions o;
    int help, rc = app_parse(argc, argv,
                             APP_OPT_INPUT | APP_OPT_JSON | APP_OPT_THREADS | APP_OPT_RUNS |
                                 APP_OPT_BATCH | APP_OPT_PROFILE,
                             1, bench_usage, &o, &help);
    if (rc || help) return rc;
    if (o.threads) eng_set_threads(o.threads);
    int runs = o.runs ? o.runs : 10, batch = o.batch ? o.batch : 1;
    const ModelCard *c;
    EngGraph *g = app_build_model(&o, &c, &rc);
    if (!g) return rc;
    if ((!c->imported && eng_graph_init_params(g, 1) != 0) || eng_graph_plan(g, batch) != 0) {
        fprintf(stderr, "convscope bench: not enough memory for %s at batch %d\n", c->name, batch);
        eng_graph_destroy(g);
        return APP_FAIL;
    }
    const int proj_id = project ? eng_graph_find(g, project) : -1;
    if (project && (proj_id < 0 || !eng_graph_node(g, proj_id)->act)) {
        fprintf(stderr, "convscope bench: %s has no layer '%s' (see 'convscope summary %s')\n",
                c->name, project, c->name);
        eng_graph_destroy(g);
        return APP_USAGE;
    }
    const EngNode *in = eng_graph_node(g, 0);
    float *x = eng_graph_input_buffer(g, 0);
    app_fill_random(x, (size_t)batch * in->out.C * in->out.H * in->out.W, 42);
    double *t = malloc((size_t)runs * sizeof *t);
    int nn = eng_graph_node_count(g);
    double *node_ms = o.profile ? calloc((size_t)nn * runs, sizeof *node_ms) : NULL;
    if (!t) {
        eng_graph_destroy(g);
        return APP_FAIL;
    }
    int tty = isatty(2) && !o.json;
    for (int i = 0; i < 2; i++) eng_graph_forward(g); /* warm-up: touch every page once */
    for (int i = 0; i < runs; i++) {
        double t0 = app_now_ms();
        eng_graph_forward(g);
        t[i] = app_now_ms() - t0;
        if (node_ms)
            for (int k = 0; k < nn; k++) node_ms[(size_t)k * runs + i] = eng_graph_node(g, k)->ms;
        if (tty) fprintf(stderr, "\r%s: run %d/%d  %.2f ms", c->name, i + 1, runs, t[i]);
    }
    if (tty) fputc('\n', stderr);
    double median = app_sort_median(t, runs);
    double best = t[0];
    int threads = eng_get_threads();
    EngTotals tot = eng_graph_totals(g);
    if (node_ms && !o.json) print_profile(g, node_ms, runs);
    double proj_ms = project ? time_projection(g, proj_id, batch, runs) : 0;
    if (project && proj_ms < 0) {
        fprintf(stderr, "convscope bench: cannot project from %s\n", project);
        free(node_ms);
        free(t);
        eng_graph_destroy(g);
        return APP_FAIL;
    }
    if (o.json) {
        printf("{\"model\":");
        app_json_str(stdout, c->name);
        printf(",\"batch\":%d,\"threads\":%d,\"runs\":%d,\"median_ms\":%.4f,\"min_ms\":%.4f",
               batch, threads, runs, median, best);
        if (project) {
            printf(",\"project\":{\"layer\":");
            app_json_str(stdout, project);
            printf(",\"median_ms\":%.4f}", proj_ms);
        }
        printf("}\n");
    } else {
        printf("%s  batch %d  threads %d  runs %d: median %.3f ms, min %.3f ms (%.1f GFLOP/s)\n",
               c->name, batch, threads, runs, median, best,
               2.0 * (double)tot.macs * batch / (median * 1e6));
        if (project)
            printf("projection from %s (deconvnet, one channel): median %.3f ms = %.2f forward "
                   "passes\n", project, proj_ms, proj_ms / median);
    }
    free(node_ms);
    free(t);
    eng_graph_destroy(g);
    return APP_OK;
}
