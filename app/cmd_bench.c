/*
 * cmd_bench.c — `convscope bench`: forward latency of a network on this
 * machine. Buffers are planned once and warmed up before timing, so the
 * numbers measure arithmetic, not first-touch page faults. The pass timed is
 * the engine's fast inference layout (fused convolutions, shared buffers:
 * eng_graph_set_fast), unless --keep-all asks for the window's layout, which
 * keeps every node's activation.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"

static const char bench_usage[] =
    "usage: convscope bench MODEL [--input CxHxW] [--threads N] [--runs N] [--batch N] [--json]\n"
    "                            [--profile] [--project LAYER] [--keep-all] [--no-winograd]\n"
    "  Times forward passes on random weights and a random input after two warm-up\n"
    "  passes; prints the median and the fastest. --threads sets OpenBLAS's and the\n"
    "  engine's threads (default: all cores). --json prints\n"
    "  {\"model\",\"batch\",\"threads\",\"runs\",\"median_ms\",\"min_ms\",\"layout\",\n"
    "  \"peak_act_bytes\",\"keep_all_act_bytes\"}: the activation memory of the pass timed\n"
    "  and of the layout that keeps every node's activation.\n"
    "  The pass timed fuses each convolution with the batch norm and ReLU after it\n"
    "  and lets nodes share buffers; --keep-all times the window's layout instead.\n"
    "  --profile adds the time per op type, the algorithm and time of every\n"
    "  convolution and the slowest layers (median run). --no-winograd runs the 3x3\n"
    "  stride-1 convolutions as im2col + GEMM too.\n"
    "  --project LAYER also times projecting a channel of LAYER back to the input\n"
    "  (deconvnet), as \"project\":{\"layer\",\"median_ms\"} in the JSON.\n";

/* Every convolution: the algorithm its forward ran (eng_graph_conv_algo), its
 * shape and median time; then the time per algorithm. med: per node. */
static void print_convs(const EngGraph *g, const double *med) {
    static const char *const algos[] = {"winograd", "gemm", "1x1 gemm", "depthwise", "reference"};
    double per[5] = {0};
    int count[5] = {0};
    printf("\n%-40s %-10s %-24s %9s %8s\n", "convolution", "algorithm", "shape", "ms", "GFLOP/s");
    for (int k = 0; k < eng_graph_node_count(g); k++) {
        const EngNode *n = eng_graph_node(g, k);
        const char *a = eng_graph_conv_algo(g, k);
        if (n->op != ENG_OP_CONV || !a) continue;
        const EngConvParams *p = &n->p.conv;
        const EngShape in = eng_graph_node(g, n->inputs[0])->out;
        char shape[64];
        snprintf(shape, sizeof shape, "%dx%d/%d %d->%d %dx%d", p->kh, p->kw, p->sh, in.C, p->oc,
                 n->out.H, n->out.W);
        printf("%-40s %-10s %-24s %9.3f %8.1f\n", n->name, a, shape, med[k],
               med[k] > 0 ? 2.0 * n->macs * eng_graph_batch(g) / (med[k] * 1e6) : 0.0);
        for (int i = 0; i < 5; i++)
            if (!strcmp(a, algos[i])) per[i] += med[k], count[i]++;
    }
    for (int i = 0; i < 5; i++)
        if (count[i]) printf("  %-10s %4d layers %10.3f ms\n", algos[i], count[i], per[i]);
}

/* Median time of every node over the runs, summed per op type, every
 * convolution's algorithm, and the ten slowest nodes. node_ms: (nodes, runs). */
static int print_profile(const EngGraph *g, double *node_ms, int runs) {
    int nn = eng_graph_node_count(g);
    double per_op[ENG_OP_COUNT] = {0}, total = 0;
    int count[ENG_OP_COUNT] = {0}, fused = 0;
    double *med = calloc((size_t)nn, sizeof *med);
    int *order = calloc((size_t)nn, sizeof *order);
    if (!med || !order) {
        fprintf(stderr, "convscope bench: not enough memory for the profile\n");
        free(med);
        free(order);
        return -1;
    }
    for (int k = 0; k < nn; k++) {
        med[k] = app_sort_median(node_ms + (size_t)k * runs, runs);
        const EngNode *n = eng_graph_node(g, k);
        const int with = eng_graph_fused_with(g, k);
        if (with >= 0 && with != k) { /* timed inside its convolution */
            fused++;
            continue;
        }
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
    if (fused) printf("(%d batch norms and activations ran inside their convolutions)\n", fused);
    for (int i = 0; i < nn; i++) /* selection of the ten slowest */
        for (int j = i + 1; j < nn && i < 10; j++)
            if (med[order[j]] > med[order[i]]) {
                int tmp = order[i];
                order[i] = order[j];
                order[j] = tmp;
            }
    print_convs(g, med);
    printf("\nslowest layers:\n");
    for (int i = 0; i < nn && i < 10; i++) {
        const EngNode *n = eng_graph_node(g, order[i]);
        printf("  %-40s %-14s %8.3f ms  %7.1f GFLOP/s\n", n->name, eng_op_name(n->op), med[order[i]],
               n->macs && med[order[i]] > 0 ? 2.0 * n->macs * eng_graph_batch(g) / (med[order[i]] * 1e6) : 0.0);
    }
    free(med);
    free(order);
    return 0;
}

/* Median time of projecting channel 0 of node `layer` back to the input
 * (deconvnet rule), after one forward pass; -1 on failure. */
static double time_projection(EngGraph *g, int layer, int batch, int runs) {
    eng_graph_set_fast(g, 0); /* a projection reads every activation */
    if (eng_graph_enable_grads(g) != 0 || eng_graph_plan(g, batch) != 0 || eng_graph_forward(g) != 0)
        return -1;
    double *t = malloc((size_t)runs * sizeof *t);
    if (!t || eng_graph_project(g, layer, 0, -1, -1, ENG_RULE_DECONV) != 0) { /* warm-up */
        free(t);
        return -1;
    }
    for (int i = 0; i < runs; i++) {
        double t0 = app_now_ms();
        if (eng_graph_project(g, layer, 0, -1, -1, ENG_RULE_DECONV) != 0) {
            free(t);
            return -1;
        }
        t[i] = app_now_ms() - t0;
    }
    double m = app_sort_median(t, runs);
    free(t);
    return m;
}

/* The model of o, with weights, planned at `batch` and a random input; the id
 * of --project's layer in *proj_id. NULL after a line on stderr (*rc). */
static EngGraph *bench_open(const AppOptions *o, int batch, const ModelCard **c, int *proj_id, int *rc) {
    EngGraph *g = app_build_model(o, c, rc);
    if (!g) return NULL;
    eng_graph_set_fast(g, !o->keep_all);
    eng_graph_set_winograd(g, !o->no_winograd); /* before the plan: the fused chains depend on it */
    if ((!(*c)->imported && eng_graph_init_params(g, 1) != 0) || eng_graph_plan(g, batch) != 0) {
        fprintf(stderr, "convscope bench: not enough memory for %s at batch %d\n", (*c)->name, batch);
        eng_graph_destroy(g);
        *rc = APP_FAIL;
        return NULL;
    }
    *proj_id = o->project ? eng_graph_find(g, o->project) : -1;
    if (o->project && (*proj_id < 0 || !eng_graph_node(g, *proj_id)->act)) {
        fprintf(stderr, "convscope bench: %s has no layer '%s' (see 'convscope summary %s')\n",
                (*c)->name, o->project, (*c)->name);
        eng_graph_destroy(g);
        *rc = APP_USAGE;
        return NULL;
    }
    const EngNode *in = eng_graph_node(g, 0);
    app_fill_random(eng_graph_input_buffer(g, 0), (size_t)batch * in->out.C * in->out.H * in->out.W, 42);
    return g;
}

/* Two warm-up passes, then `runs` timed ones into t (ms); with node_ms
 * (nodes, runs), each node's time too. 0, or -1 after a line on stderr. */
static int bench_runs(EngGraph *g, const char *name, int runs, int tty, double *t, double *node_ms) {
    const int nn = eng_graph_node_count(g);
    for (int i = 0; i < 2 + runs; i++) { /* the warm-up touches every page once */
        double t0 = app_now_ms();
        if (eng_graph_forward(g) != 0) {
            fprintf(stderr, "%sconvscope bench: the forward pass of %s failed\n", tty ? "\n" : "", name);
            return -1;
        }
        if (i < 2) continue;
        const int r = i - 2;
        t[r] = app_now_ms() - t0;
        if (node_ms)
            for (int k = 0; k < nn; k++) node_ms[(size_t)k * runs + r] = eng_graph_node(g, k)->ms;
        if (tty) fprintf(stderr, "\r%s: run %d/%d  %.2f ms", name, r + 1, runs, t[r]);
    }
    if (tty) fputc('\n', stderr);
    return 0;
}

/* The layout timed: fast or not, its activation bytes and one buffer per node's. */
typedef struct { int fast; int64_t peak, all; } BenchMem;

static void bench_print(const EngGraph *g, const ModelCard *c, const AppOptions *o, int batch,
                        int runs, double median, double best, double proj_ms, BenchMem m) {
    int threads = eng_get_threads();
    if (o->json) {
        printf("{\"model\":");
        app_json_str(stdout, c->name);
        printf(",\"batch\":%d,\"threads\":%d,\"runs\":%d,\"median_ms\":%.4f,\"min_ms\":%.4f",
               batch, threads, runs, median, best);
        printf(",\"layout\":\"%s\",\"peak_act_bytes\":%lld,\"keep_all_act_bytes\":%lld",
               m.fast ? "fast" : "keep-all", (long long)m.peak, (long long)m.all);
        if (o->project) {
            printf(",\"project\":{\"layer\":");
            app_json_str(stdout, o->project);
            printf(",\"median_ms\":%.4f}", proj_ms);
        }
        printf("}\n");
    } else {
        EngTotals tot = eng_graph_totals(g);
        printf("%s  batch %d  threads %d  runs %d: median %.3f ms, min %.3f ms (%.1f GFLOP/s)\n",
               c->name, batch, threads, runs, median, best,
               2.0 * (double)tot.macs * batch / (median * 1e6));
        printf("%s layout: peak activation memory %.2f MB (%lld bytes); every node kept: %.2f MB\n",
               m.fast ? "fast" : "keep-all", m.peak / 1e6, (long long)m.peak, m.all / 1e6);
        if (o->project)
            printf("projection from %s (deconvnet, one channel): median %.3f ms = %.2f forward "
                   "passes\n", o->project, proj_ms, proj_ms / median);
    }
}

int app_cmd_bench(int argc, char **argv) {
    AppOptions o;
    int help, rc = app_parse_cmd(argc, argv, bench_usage, &o, &help);
    if (rc || help) return rc;
    if (o.threads) eng_set_threads(o.threads);
    const int runs = o.runs ? o.runs : 10, batch = o.batch ? o.batch : 1;
    const ModelCard *c;
    int proj_id;
    EngGraph *g = bench_open(&o, batch, &c, &proj_id, &rc);
    if (!g) return rc;
    const int nn = eng_graph_node_count(g);
    double *t = malloc((size_t)runs * sizeof *t);
    double *node_ms = o.profile ? calloc((size_t)nn * runs, sizeof *node_ms) : NULL;
    rc = APP_FAIL;
    if (!t || (o.profile && !node_ms)) {
        fprintf(stderr, "convscope bench: not enough memory for the times of %d runs\n", runs);
        goto done;
    }
    if (bench_runs(g, c->name, runs, isatty(2) && !o.json, t, node_ms) != 0) goto done;
    double median = app_sort_median(t, runs);
    double best = t[0];
    if (node_ms && !o.json && print_profile(g, node_ms, runs) != 0) goto done;
    BenchMem mem = {.fast = eng_graph_fast(g)};
    mem.peak = eng_graph_act_peak_bytes(g, &mem.all);
    double proj_ms = o.project ? time_projection(g, proj_id, batch, runs) : 0;
    if (o.project && proj_ms < 0) {
        fprintf(stderr, "convscope bench: cannot project from %s\n", o.project);
        goto done;
    }
    bench_print(g, c, &o, batch, runs, median, best, proj_ms, mem);
    rc = APP_OK;
done:
    free(node_ms);
    free(t);
    eng_graph_destroy(g);
    return rc;
}
