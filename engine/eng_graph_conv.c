/*
 * eng_graph_conv.c — which algorithm each convolution of a graph runs, and
 * the cache of Winograd's transformed filters.
 *
 * The planner picks, per layer and from its shape alone: depthwise loops
 * (one input channel per group), a plain GEMM (1x1, stride 1, unpadded),
 * Winograd F(4x4, 3x3) (eng_winograd.c) for 3x3 stride-1 layers wide and
 * large enough to gain from it, im2col + GEMM for the rest. Winograd runs
 * in the inference forward pass only: the training forward pass keeps the
 * direct path, whose outputs the backward pass was checked against.
 *
 * The transformed filters (36 floats per 3x3 filter) live in one block per
 * plan. Each layer remembers the parameter version it transformed; anything
 * that may write parameters (eng_graph_node_mut, loading, ONNX import, an
 * optimiser step, initialisation, eng_graph_params_changed) moves the
 * graph's version on, so the next forward pass transforms them again.
 *
 * Must not depend on: SDL or anything that draws.
 */
#include "eng_graph_internal.h"

#include <stdint.h>
#include <stdlib.h>

enum { ALGO_NONE, ALGO_REF, ALGO_DEPTHWISE, ALGO_POINTWISE, ALGO_GEMM, ALGO_WINOGRAD };

static const char *const algo_names[] = {NULL, "reference", "depthwise", "1x1 gemm", "gemm",
                                         "winograd"};

#define NO_WINO SIZE_MAX

/* Winograd pays for its transforms when the 36 products stay wide: at least
 * WINO_MIN_CHANNELS in and out, and an output of at least WINO_MIN_MAP
 * pixels a side. Measured layer by layer (one thread, best of 12, 3x3 pad 1,
 * direct ms / Winograd ms): 64->64 at 56x56 1.5x, 128->128 at 28x28 1.9x,
 * 256->256 at 14x14 1.2x, VGG-16's 64..512 channels at 224..28 1.7-2.8x;
 * but 512->512 at 7x7 (four tiles) 0.4x, 32->32 at 8x8 0.9x, 16->16 at
 * 32x32 0.9x, 3->64 at 224x224 (a first layer) 0.4x. */
#define WINO_MIN_CHANNELS 32
#define WINO_MIN_MAP 12

int eng_conv_winograd_worth(const EngNode *n, EngShape s) {
    const EngConvParams *p = &n->p.conv;
    return n->op == ENG_OP_CONV && eng_winograd_fits(s.C, p) && s.C >= WINO_MIN_CHANNELS &&
           p->oc >= WINO_MIN_CHANNELS && n->out.H >= WINO_MIN_MAP && n->out.W >= WINO_MIN_MAP;
}

int eng_graph_conv_plan(EngGraph *g) {
    if (!g->param_version) g->param_version = 1;
    g->wino_at = malloc((size_t)g->n_nodes * sizeof *g->wino_at);
    g->wino_version = calloc((size_t)g->n_nodes, sizeof *g->wino_version);
    g->conv_algo = calloc((size_t)g->n_nodes, 1);
    if (!g->wino_at || !g->wino_version || !g->conv_algo) return -1;
    size_t total = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        const EngNode *n = &g->nodes[i];
        g->wino_at[i] = NO_WINO;
        if (n->op != ENG_OP_CONV || !eng_runs_at_inference(n) ||
            !eng_conv_winograd_worth(n, g->nodes[n->inputs[0]].out))
            continue;
        g->wino_at[i] = total;
        total += eng_winograd_weight_floats(g->nodes[n->inputs[0]].out.C, n->p.conv.oc);
    }
    if (total && posix_memalign((void **)&g->wino_block, 64, total * sizeof(float)) != 0) {
        g->wino_block = NULL;
        eng_log(ENG_LOG_ERROR, "engine: out of memory for the Winograd filters (%.1f MB)",
                total * sizeof(float) / 1e6);
        return -1;
    }
    return 0;
}

void eng_graph_conv_free(EngGraph *g) {
    free(g->wino_block);
    free(g->wino_at);
    free(g->wino_version);
    free(g->conv_algo);
    g->wino_block = NULL;
    g->wino_at = NULL;
    g->wino_version = NULL;
    g->conv_algo = NULL;
}

/* What the direct path (eng_conv2d_forward) does with this shape. */
static int direct_algo(int C, const EngConvParams *p) {
    if (p->groups == C && p->oc == C) return ALGO_DEPTHWISE;
    if (p->kh == 1 && p->kw == 1 && p->sh == 1 && p->sw == 1 && !p->pt && !p->pl && !p->pb && !p->pr)
        return ALGO_POINTWISE;
    return ALGO_GEMM;
}

int eng_graph_conv_winograd(const EngStep *st) {
    EngGraph *g = st->g;
    const int id = (int)(st->n - g->nodes);
    const EngShape s = st->s, o = st->o;
    const EngConvParams *p = &st->n->p.conv;
    const int wino = g->wino_at && g->wino_at[id] != NO_WINO && !st->ref && !g->training &&
                     !g->no_winograd && st->n->n_params > 0;
    if (g->conv_algo)
        g->conv_algo[id] = st->ref ? ALGO_REF : wino ? ALGO_WINOGRAD : direct_algo(s.C, p);
    if (!wino) return 0;
    ENG_ASSERT(g->scratch_floats >= eng_winograd_scratch(s.C, p->oc, o.H, o.W));
    float *u = g->wino_block + g->wino_at[id];
    if (g->wino_version[id] != g->param_version) {
        eng_winograd_weights(u, st->w, s.C, p->oc);
        g->wino_version[id] = g->param_version;
    }
    const float *b = p->has_bias ? st->n->params[1].data : NULL;
    eng_winograd_forward(st->n->act, st->x->act, u, b, st->N, s.C, s.H, s.W, p, o.H, o.W,
                         g->scratch);
    return 1;
}

void eng_graph_conv_ran_direct(EngGraph *g, int id) {
    if (g && g->conv_algo && id >= 0 && id < g->n_nodes)
        g->conv_algo[id] = direct_algo(g->nodes[g->nodes[id].inputs[0]].out.C, &g->nodes[id].p.conv);
}

void eng_graph_params_changed(EngGraph *g) {
    if (g) g->param_version++;
}

void eng_graph_set_winograd(EngGraph *g, int on) {
    if (g) g->no_winograd = !on;
}

const char *eng_graph_conv_algo(const EngGraph *g, int id) {
    if (!g || !g->conv_algo || id < 0 || id >= g->n_nodes) return NULL;
    return algo_names[g->conv_algo[id]];
}
