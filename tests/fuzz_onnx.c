/*
 * fuzz_onnx.c — libFuzzer target for the ONNX importer: the bytes are a
 * model file, fed to eng_onnx_load_buffer, the path `convscope summary
 * model.onnx` takes, and to eng_onnx_load_buffer_shaped with a few input
 * shapes, the path of `onnx-test`. A load either fails with a message or
 * gives a graph that the accounting and (when small) a forward pass accept.
 *
 * Built with -DCONVSCOPE_FUZZ=ON (clang); tests/fuzz_onnx.sh runs it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eng.h"

static void quiet_log(EngLogLevel level, const char *msg, void *user) {
    (void)level, (void)msg, (void)user;
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    eng_log_set(quiet_log, NULL);
    eng_set_threads(1);
    return 0;
}

/* Work of a forward pass beyond the MACs: pooling windows, LRN sums, merges. */
static int cheap(const EngGraph *g) {
    int64_t work = 0;
    for (int i = 0; i < eng_graph_node_count(g); i++) {
        const EngNode *n = eng_graph_node(g, i);
        int64_t e = (int64_t)n->out.C * n->out.H * n->out.W, per = n->n_inputs + 1;
        if (n->op == ENG_OP_MAXPOOL || n->op == ENG_OP_AVGPOOL) per = (int64_t)n->p.pool.kh * n->p.pool.kw;
        if (n->op == ENG_OP_LRN) per = n->p.lrn.size;
        if (n->op == ENG_OP_GAVGPOOL || n->op == ENG_OP_GMAXPOOL) {
            const EngNode *in = eng_graph_node(g, n->inputs[0]);
            per = (int64_t)in->out.H * in->out.W;
        }
        work += e * per;
    }
    return work <= 4000000;
}

/* A loaded graph must be consistent; a small one also runs once with batch N,
 * so the kernels see every odd but valid setting. */
static void check_graph(EngGraph *g, int N) {
    ENG_ASSERT(eng_graph_ok(g));
    EngTotals t = eng_graph_totals(g);
    (void)eng_graph_depth(g);
    for (int i = 0; i < eng_graph_node_count(g); i++) {
        const EngNode *n = eng_graph_node(g, i);
        ENG_ASSERT(n->out.C > 0 && n->out.H > 0 && n->out.W > 0);
    }
    if (N >= 1 && t.act_bytes * N <= ((int64_t)4 << 20) && t.macs * N <= 2000000 && cheap(g) &&
        eng_graph_plan(g, N) == 0) {
        float *x = eng_graph_input_buffer(g, 0); /* NULL: a graph of constants */
        if (x) {
            const EngNode *in = eng_graph_node(g, 0);
            size_t n = (size_t)N * in->out.C * in->out.H * in->out.W;
            for (size_t i = 0; i < n; i++) x[i] = (float)((i * 2654435761u) % 1000) / 500.0f - 1.0f;
        }
        eng_graph_forward(g);
    }
}

static void check_failure(const char *err) {
    /* every refusal says why, with the subsystem tag */
    if (strncmp(err, "ONNX: ", 6) != 0) {
        fprintf(stderr, "load failed without an ONNX: message: '%s'\n", err);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char err[1024];
    err[0] = 0;
    EngGraph *g = eng_onnx_load_buffer(data, size, "fuzz.onnx", 0, 0, 0, NULL, 0, err, sizeof err);
    if (!g) check_failure(err);
    else check_graph(g, 1), eng_graph_destroy(g);
    /* the backend tests' path: the input's full shape, which may make the graph one
     * sample; the file's input rank must match, so a few ranks are tried */
    static const int64_t shapes[4][4] = {{2, 3, 5, 5}, {3, 4, 5, 0}, {4, 3, 0, 0}, {0, 0, 0, 0}};
    static const int ranks[4] = {4, 3, 2, 0};
    for (int k = 0; k < 4; k++) {
        EngOnnxRun run;
        err[0] = 0;
        g = eng_onnx_load_buffer_shaped(data, size, "fuzz.onnx", shapes[k], ranks[k], &run, NULL, 0,
                                        err, sizeof err);
        if (!g) {
            check_failure(err);
            continue;
        }
        ENG_ASSERT(run.batch >= 1);
        for (int o = 0; o < run.n_outputs && o < ENG_ONNX_MAX_OUTPUTS; o++)
            ENG_ASSERT(run.outputs[o] >= -1 && run.outputs[o] < eng_graph_node_count(g));
        check_graph(g, run.batch);
        eng_graph_destroy(g);
    }
    return 0;
}
