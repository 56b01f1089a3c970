/*
 * fuzz_onnx.c — libFuzzer target for the ONNX importer: the bytes are a
 * model file, fed to eng_onnx_load_buffer, the same path `convscope summary
 * model.onnx` and `onnx-test` take. A load either fails with a message or
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char err[1024];
    err[0] = 0;
    EngGraph *g = eng_onnx_load_buffer(data, size, "fuzz.onnx", 0, 0, 0, NULL, 0, err, sizeof err);
    if (!g) {
        /* every refusal says why, with the subsystem tag */
        if (strncmp(err, "ONNX: ", 6) != 0) {
            fprintf(stderr, "load failed without an ONNX: message: '%s'\n", err);
            abort();
        }
        return 0;
    }
    ENG_ASSERT(eng_graph_ok(g));
    EngTotals t = eng_graph_totals(g);
    (void)eng_graph_depth(g);
    for (int i = 0; i < eng_graph_node_count(g); i++) {
        const EngNode *n = eng_graph_node(g, i);
        ENG_ASSERT(n->out.C > 0 && n->out.H > 0 && n->out.W > 0);
    }
    /* small graphs also run once: the kernels see every odd but valid setting */
    if (t.act_bytes <= ((int64_t)4 << 20) && t.macs <= 2000000 && cheap(g) && eng_graph_plan(g, 1) == 0) {
        const EngNode *in = eng_graph_node(g, 0);
        float *x = eng_graph_input_buffer(g, 0);
        size_t n = (size_t)in->out.C * in->out.H * in->out.W;
        for (size_t i = 0; i < n; i++) x[i] = (float)((i * 2654435761u) % 1000) / 500.0f - 1.0f;
        eng_graph_forward(g);
    }
    eng_graph_destroy(g);
    return 0;
}
