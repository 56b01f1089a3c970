/*
 * eng_graph_fuse.c — the fast inference layout: fused convolutions and
 * activation buffers shared by nodes whose lifetimes do not overlap.
 *
 * convscope is a visualizer: the window, the deconvnet, Grad-CAM, the probes
 * and the stepper read the activation of every node, the BN output and the
 * ReLU output as two separate maps. So the graph has two layouts, chosen at
 * plan time:
 *
 *   keep-everything (the default): one buffer per node, every op run on its
 *     own; every activation stays readable after the pass, and the backward
 *     pass, the projections and training need exactly that.
 *   fast (eng_graph_set_fast, then eng_graph_plan; never with gradients):
 *     for the passes that look only at the scores (bench, predict, the test
 *     set's accuracy). A convolution followed by a batch norm and/or a ReLU
 *     (or a clip such as ReLU6) becomes one step: the batch norm is folded
 *     into a copy of the convolution's weights and bias (w * g / sqrt(v + e),
 *     (b - m) * g / sqrt(v + e) + beta), the product is computed once, and
 *     bias and activation are added in a single pass over each sample's
 *     output right after its product (OpenBLAS has no epilogue, so this one
 *     read-modify-write replaces the bias pass, the BN pass and the ReLU
 *     pass). A batch norm no convolution absorbed (DenseNet's) and a
 *     residual sum (ResNet's) run with the ReLU after them in one pass too.
 *     The chain's nodes share one buffer, and buffers are handed from
 *     node to node as soon as their last reader has run (first fit by
 *     offset in one block), so only the inputs, the output and the scores
 *     (eng_graph_logits) keep their values after the pass.
 *
 * The folded copies live in their own block: the model's parameters are
 * never written. They are computed again before a fast pass whenever the
 * parameters may have changed (g->param_version: bumped by eng_graph_node_mut,
 * the initialisers, a training-mode forward pass and eng_graph_params_changed).
 *
 * Must not depend on: SDL or anything that draws.
 */
#include "eng_graph_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define FUSE_ALIGN 16 /* floats: one cache line */

static size_t fuse_round(size_t n) { return (n + FUSE_ALIGN - 1) / FUSE_ALIGN * FUSE_ALIGN; }

/* The only inference node reading `id`, or -1 (none, or more than one). */
static int sole_reader(const int *readers, const int *who, int id) {
    return readers[id] == 1 ? who[id] : -1;
}

/* A BN the convolution c can absorb: per channel over c's output. */
static int foldable_bn(const EngGraph *g, const EngNode *c, int id) {
    const EngNode *b = &g->nodes[id];
    return b->op == ENG_OP_BN && b->n_inputs == 1 && b->n_params == 4 && b->out.C == c->p.conv.oc &&
           eng_runs_at_inference(b);
}

static int fusable_act(const EngGraph *g, int id) {
    const EngNode *a = &g->nodes[id];
    return (a->op == ENG_OP_RELU || a->op == ENG_OP_CLIP) && a->n_inputs == 1 &&
           eng_runs_at_inference(a);
}

/* Readers of every node among the inference nodes, and the last of them
 * (the only one when there is one); nodes whose value must outlive the pass
 * get a reader count of -1. */
static void count_readers(const EngGraph *g, int *readers, int *who) {
    for (int i = 0; i < g->n_nodes; i++) readers[i] = 0, who[i] = -1;
    for (int i = 0; i < g->n_nodes; i++) {
        const EngNode *n = &g->nodes[i];
        if (!eng_runs_at_inference(n)) continue;
        for (int k = 0; k < n->n_inputs; k++) {
            const int x = n->inputs[k];
            if (x < 0 || x >= i || who[x] == i) continue; /* a node reading x twice counts once */
            readers[x]++;
            who[x] = i;
        }
    }
    const int out = eng_graph_output(g);
    if (out >= 0) { /* the output, the scores, and the views between them */
        const int logits = eng_graph_logits(g, NULL);
        for (int k = out; k >= 0 && k < g->n_nodes; k = g->nodes[k].n_inputs ? g->nodes[k].inputs[0] : -1) {
            readers[k] = -1;
            if (k == logits || k <= 0) break;
        }
        if (logits >= 0 && logits < g->n_nodes) readers[logits] = -1;
    }
    for (int i = 0; i < g->n_nodes; i++)
        if (g->nodes[i].op == ENG_OP_INPUT || readers[i] == 0) readers[i] = -1;
}

/* Find the chains conv -> [BN] -> [ReLU | clip]: each link the only reader of
 * the node before it, and no link a node that must keep its value. */
static void find_chains(EngGraph *g, const int *readers, const int *who) {
    for (int i = 0; i < g->n_nodes; i++) g->fuse[i] = (EngFuse){.head = -1, .bn = -1, .act = -1};
    for (int i = 0; i < g->n_nodes; i++) {
        EngNode *c = &g->nodes[i];
        if (!eng_runs_at_inference(c) || g->fuse[i].head >= 0) continue;
        if (c->op == ENG_OP_ADD || (c->op == ENG_OP_BN && c->n_params == 4)) {
            /* a batch norm no convolution absorbed (DenseNet's, pre-activation
             * ResNets'), or a residual sum, and the ReLU after it: one pass */
            const int next = sole_reader(readers, who, i);
            if (next >= 0 && fusable_act(g, next)) {
                g->fuse[i].head = g->fuse[next].head = i;
                g->fuse[i].act = next;
            }
            continue;
        }
        if (c->op != ENG_OP_CONV) continue;
        /* Winograd transforms the convolution's own filters, not folded
         * ones: a BN after it stays apart (and runs with its ReLU as one
         * pass, as a BN no convolution absorbed); a ReLU alone joins it */
        const int wino = !g->no_winograd && eng_conv_winograd_worth(c, g->nodes[c->inputs[0]].out);
        int tail = i, next = sole_reader(readers, who, i);
        if (wino && next >= 0 && foldable_bn(g, c, next)) continue;
        if (next >= 0 && foldable_bn(g, c, next)) {
            g->fuse[i].bn = next;
            tail = next;
            next = sole_reader(readers, who, next);
        }
        if (next >= 0 && fusable_act(g, next)) {
            g->fuse[i].act = next;
            tail = next;
        }
        if (tail == i) continue;
        g->fuse[i].head = i;
        if (g->fuse[i].bn >= 0) g->fuse[g->fuse[i].bn].head = i;
        if (g->fuse[i].act >= 0) g->fuse[g->fuse[i].act].head = i;
    }
}

/* The folded weights and biases: floats of the fold block, 0 on overflow. */
static size_t fold_floats(const EngGraph *g) {
    size_t total = 0;
    for (int i = 0; i < g->n_nodes; i++)
        if (g->fuse[i].head == i && g->fuse[i].bn >= 0)
            total += fuse_round(g->nodes[i].params[0].n) + fuse_round((size_t)g->nodes[i].p.conv.oc);
    return total;
}

/* ---- buffers shared by lifetime ------------------------------------------------------- */

typedef struct { size_t off, end; int last; } Live;

/* First fit: the lowest offset where `size` floats fit between the live
 * buffers (sorted by offset). */
static size_t first_fit(const Live *live, int n, size_t size) {
    size_t at = 0;
    for (int k = 0; k < n; k++) {
        if (live[k].off >= at + size) break;
        if (live[k].end > at) at = live[k].end;
    }
    return at;
}

/* Offsets of every inference node's activation for batch N; *peak the floats
 * the block needs. 0, or -1 on overflow or out of memory. */
static int assign_offsets(EngGraph *g, const int *readers, int N, size_t *peak) {
    Live *live = malloc((size_t)(g->n_nodes ? g->n_nodes : 1) * sizeof *live);
    int *last = malloc((size_t)(g->n_nodes ? g->n_nodes : 1) * sizeof *last);
    if (!live || !last) {
        free(live);
        free(last);
        return -1;
    }
    /* a buffer lives until its last reader (a chain: the tail's readers) */
    for (int i = 0; i < g->n_nodes; i++) last[i] = readers[i] < 0 ? g->n_nodes : i;
    for (int i = 0; i < g->n_nodes; i++) {
        const EngNode *n = &g->nodes[i];
        if (!eng_runs_at_inference(n)) continue;
        for (int k = 0; k < n->n_inputs; k++) {
            const int x = n->inputs[k], h = g->fuse[x].head >= 0 ? g->fuse[x].head : x;
            if (last[h] < i) last[h] = i;
        }
        if (g->fuse[i].head >= 0 && g->fuse[i].head != i && last[i] == g->n_nodes)
            last[g->fuse[i].head] = g->n_nodes; /* a chain ending in a kept node */
    }
    int n_live = 0;
    *peak = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        const EngNode *n = &g->nodes[i];
        if (!eng_runs_at_inference(n) || (g->fuse[i].head >= 0 && g->fuse[i].head != i)) continue;
        int w = 0; /* release what no node from i on reads */
        for (int k = 0; k < n_live; k++)
            if (live[k].last >= i) live[w++] = live[k];
        n_live = w;
        size_t e;
        if (!eng_mul_size(&e, (size_t)n->out.C * n->out.H * n->out.W, (size_t)N)) {
            free(live);
            free(last);
            return -1;
        }
        e = fuse_round(e);
        const size_t at = first_fit(live, n_live, e);
        g->fuse[i].off = at;
        int k = n_live; /* keep the list sorted by offset */
        while (k > 0 && live[k - 1].off > at) live[k] = live[k - 1], k--;
        live[k] = (Live){at, at + e, last[i]};
        n_live++;
        if (at + e > *peak) *peak = at + e;
    }
    free(live);
    free(last);
    return 0;
}

int eng_fuse_plan(EngGraph *g, int N, size_t *act_floats, size_t *fold) {
    const size_t nn = (size_t)(g->n_nodes ? g->n_nodes : 1);
    int *readers = malloc(nn * sizeof *readers), *who = malloc(nn * sizeof *who);
    g->fuse = calloc(nn, sizeof *g->fuse);
    g->fuse_n = g->fuse ? g->n_nodes : 0;
    int rc = -1;
    if (readers && who && g->fuse) {
        count_readers(g, readers, who);
        find_chains(g, readers, who);
        rc = assign_offsets(g, readers, N, act_floats);
        *fold = fold_floats(g);
    }
    free(readers);
    free(who);
    return rc;
}

/* Point every inference node at its offset; a chain's nodes share the head's. */
void eng_fuse_assign(EngGraph *g) {
    size_t foff = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        EngNode *n = &g->nodes[i];
        if (!eng_runs_at_inference(n)) continue;
        const int h = g->fuse[i].head >= 0 ? g->fuse[i].head : i;
        n->act = g->act_block + g->fuse[h].off;
        if (g->fuse[i].head == i && g->fuse[i].bn >= 0) {
            g->fuse[i].w = g->fold_block + foff;
            foff += fuse_round(n->params[0].n);
            g->fuse[i].b = g->fold_block + foff;
            foff += fuse_round((size_t)n->p.conv.oc);
        }
    }
    g->fold_ok = 0;
}

/* ---- folding ------------------------------------------------------------------------ */

/* Each output channel's filter scaled by the BN's g / sqrt(v + eps) (the
 * same float arithmetic as the BN kernel), its bias shifted to match. */
static void fold_one(EngGraph *g, int i) {
    const EngNode *c = &g->nodes[i], *b = &g->nodes[g->fuse[i].bn];
    const float *gamma = b->params[0].data, *beta = b->params[1].data;
    const float *mean = b->params[2].data, *var = b->params[3].data;
    const float *cb = c->p.conv.has_bias ? c->params[1].data : NULL;
    const int OC = c->p.conv.oc;
    const size_t K = c->params[0].n / (size_t)OC;
    for (int oc = 0; oc < OC; oc++) {
        const float scale = gamma[oc] / sqrtf(var[oc] + b->p.bn.eps);
        const float shift = beta[oc] - mean[oc] * scale;
        const float *src = c->params[0].data + (size_t)oc * K;
        float *dst = g->fuse[i].w + (size_t)oc * K;
        for (size_t k = 0; k < K; k++) dst[k] = src[k] * scale;
        g->fuse[i].b[oc] = (cb ? cb[oc] : 0.0f) * scale + shift;
    }
}

int eng_fuse_prepare(EngGraph *g) {
    if (g->training || g->reference) {
        eng_log(ENG_LOG_ERROR, "engine: the fast layout runs inference only (turn training and "
                               "reference kernels off, or plan without eng_graph_set_fast)");
        return -1;
    }
    if (g->fold_ok && g->fold_version == g->param_version) return 0;
    for (int i = 0; i < g->n_nodes; i++)
        if (g->fuse[i].head == i && g->fuse[i].bn >= 0) fold_one(g, i);
    g->fold_version = g->param_version;
    g->fold_ok = 1;
    return 0;
}

/* ---- the fused step ---------------------------------------------------------------------- */

typedef struct {
    float *y;
    const float *b;
    int C;
    size_t HW;
    float lo, hi;
} BiasActJob;

/* planes [p0, p1) of (C, H*W): y = min(max(y + b[c], lo), hi) */
static void bias_act_range(void *ctx, size_t p0, size_t p1) {
    const BiasActJob *j = ctx;
    for (size_t p = p0; p < p1; p++) {
        const float bv = j->b ? j->b[p % (size_t)j->C] : 0.0f, lo = j->lo, hi = j->hi;
        float *y = j->y + p * j->HW;
        for (size_t i = 0; i < j->HW; i++) {
            const float v = y[i] + bv;
            y[i] = v < lo ? lo : v > hi ? hi : v;
        }
    }
}

/* conv (+ folded BN) (+ activation), one sample at a time so that the
 * activation pass reads the product while it is still in the caches. */
static void run_chain(EngGraph *g, int i) {
    EngNode *c = &g->nodes[i];
    const EngFuse *f = &g->fuse[i];
    const EngShape s = g->nodes[c->inputs[0]].out, o = c->out;
    const float *w = f->bn >= 0 ? f->w : c->params[0].data;
    const float *b = f->bn >= 0 ? f->b : c->p.conv.has_bias ? c->params[1].data : NULL;
    float *out = c->act;
    const float *in = g->nodes[c->inputs[0]].act;
    const EngNode *a = f->act >= 0 ? &g->nodes[f->act] : NULL;
    BiasActJob j = {.b = b, .C = o.C, .HW = (size_t)o.H * o.W, .lo = 0.0f, .hi = INFINITY};
    if (a && a->op == ENG_OP_CLIP) j.lo = a->p.clip.lo, j.hi = a->p.clip.hi;
    if (f->bn < 0 && a) { /* Winograd, when the plan chose it, with its bias; then the activation */
        EngStep st = {.g = g, .n = c, .x = &g->nodes[c->inputs[0]], .N = g->batch, .s = s, .o = o,
                      .w = c->params[0].data};
        if (eng_graph_conv_winograd(&st)) {
            j.b = NULL, j.y = out;
            eng_parallel_for((size_t)g->batch * o.C, j.HW, bias_act_range, &j);
            return;
        }
    }
    eng_graph_conv_ran_direct(g, i);
    if (f->act < 0) { /* conv + BN: the folded bias is the convolution's own */
        eng_conv2d_forward(out, in, w, b, g->batch, s.C, s.H, s.W, &c->p.conv, o.H, o.W, g->scratch);
        return;
    }
    const size_t in_size = (size_t)s.C * s.H * s.W, out_size = (size_t)o.C * j.HW;
    for (int n = 0; n < g->batch; n++) {
        j.y = out + (size_t)n * out_size;
        eng_conv2d_forward(j.y, in + (size_t)n * in_size, w, NULL, 1, s.C, s.H, s.W, &c->p.conv, o.H,
                           o.W, g->scratch);
        eng_parallel_for((size_t)o.C, j.HW, bias_act_range, &j);
    }
}

typedef struct {
    float *y;
    const float *const *x; /* BN: x[0]; add: n inputs summed */
    int n;
    const EngNode *bn;     /* NULL: an add */
    int C;
    size_t HW;
    float lo, hi;
} ElemActJob;

/* planes [p0, p1) of (N * C, H * W) */
static void elem_act_range(void *ctx, size_t p0, size_t p1) {
    const ElemActJob *j = ctx;
    const float lo = j->lo, hi = j->hi;
    for (size_t p = p0; p < p1; p++) {
        float *y = j->y + p * j->HW;
        const size_t at = p * j->HW;
        if (j->bn) { /* the BN kernel's arithmetic, then the clamp */
            const EngNode *b = j->bn;
            const int c = (int)(p % (size_t)j->C);
            const float scale = b->params[0].data[c] / sqrtf(b->params[3].data[c] + b->p.bn.eps);
            const float shift = b->params[1].data[c] - b->params[2].data[c] * scale;
            const float *x = j->x[0] + at;
            for (size_t i = 0; i < j->HW; i++) {
                const float v = x[i] * scale + shift;
                y[i] = v < lo ? lo : v > hi ? hi : v;
            }
            continue;
        }
        const float *x0 = j->x[0] + at;
        for (size_t i = 0; i < j->HW; i++) y[i] = x0[i];
        for (int k = 1; k < j->n; k++) {
            const float *xk = j->x[k] + at;
            for (size_t i = 0; i < j->HW; i++) y[i] += xk[i];
        }
        for (size_t i = 0; i < j->HW; i++) y[i] = y[i] < lo ? lo : y[i] > hi ? hi : y[i];
    }
}

/* BN or add, and the activation after it, in one pass over the output */
static void run_elem(EngGraph *g, int i) {
    EngNode *n = &g->nodes[i];
    const EngNode *a = &g->nodes[g->fuse[i].act];
    for (int k = 0; k < n->n_inputs; k++) g->in_ptrs[k] = g->nodes[n->inputs[k]].act;
    ElemActJob j = {.y = n->act, .x = g->in_ptrs, .n = n->n_inputs,
                    .bn = n->op == ENG_OP_BN ? n : NULL, .C = n->out.C,
                    .HW = (size_t)n->out.H * n->out.W, .lo = 0.0f, .hi = INFINITY};
    if (a->op == ENG_OP_CLIP) j.lo = a->p.clip.lo, j.hi = a->p.clip.hi;
    eng_parallel_for((size_t)g->batch * n->out.C, j.HW * (size_t)n->n_inputs, elem_act_range, &j);
}

int eng_fuse_run(EngGraph *g, int i) {
    if (!g->fuse || i >= g->fuse_n || g->fuse[i].head < 0) return 0;
    if (g->fuse[i].head != i) return 1; /* done with its chain's head */
    if (g->nodes[i].op == ENG_OP_CONV) run_chain(g, i);
    else run_elem(g, i);
    return 1;
}

/* ---- public ----------------------------------------------------------------------- */

void eng_graph_set_fast(EngGraph *g, int on) {
    if (g) g->fast = on != 0;
}
int eng_graph_fast(const EngGraph *g) { return g ? g->fast_plan : 0; }
int eng_graph_fused_with(const EngGraph *g, int id) {
    if (!g || !g->fast_plan || !g->fuse || id < 0 || id >= g->fuse_n) return -1;
    return g->fuse[id].head;
}
int64_t eng_graph_act_peak_bytes(const EngGraph *g, int64_t *keep_all) {
    if (keep_all) *keep_all = g ? (int64_t)(g->act_floats_all * sizeof(float)) : 0;
    return g ? (int64_t)(g->act_floats * sizeof(float)) : 0;
}
