/*
 * eng_graph_plan.c — the graph's memory. Following llm.c, all parameters
 * live in one block, all activations in another, the scratch (im2col, the LRN
 * backward's sums) in a third; each is allocated once (per batch size for the
 * activations) and reused by every pass, because touching fresh pages costs
 * more than the arithmetic of a small layer. Each op's scratch and training
 * state are sized by the functions its eng_op_table row names. Also here:
 * parameter initialisation and the training switches.
 *
 * Must not depend on: SDL or anything that draws.
 */
#include "eng_graph_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- parameters ------------------------------------------------------------------- */

int eng_graph_alloc_params(EngGraph *g) {
    if (!g || g->failed) return -1;
    if (g->param_block) return 0;
    size_t total = 0;
    for (int i = 0; i < g->n_nodes; i++)
        for (int k = 0; k < g->nodes[i].n_params; k++) total += g->nodes[i].params[k].n;
    size_t bytes;
    if (!eng_mul_size(&bytes, total ? total : 1, sizeof(float))) return -1;
    float *block = malloc(bytes);
    if (!block) {
        eng_log(ENG_LOG_ERROR, "engine: out of memory for %zu parameters (%.1f MB)", total,
                bytes / 1e6);
        return -1;
    }
    g->param_block = block;
    g->param_floats = total;
    g->param_version++;
    size_t off = 0;
    for (int i = 0; i < g->n_nodes; i++)
        for (int k = 0; k < g->nodes[i].n_params; k++) {
            g->nodes[i].params[k].data = block + off;
            off += g->nodes[i].params[k].n;
        }
    return 0;
}

/* splitmix64: a tiny, well-mixed generator; the same seed gives the same net. */
static uint64_t rng_next(uint64_t *s) {
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
double eng_rng_uniform(uint64_t *s) { return ((rng_next(s) >> 11) + 0.5) * (1.0 / 9007199254740992.0); }
static float rng_normal(uint64_t *s) {
    /* Box-Muller */
    double u = eng_rng_uniform(s), v = eng_rng_uniform(s);
    return (float)(sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v));
}
int eng_graph_init_params(EngGraph *g, uint64_t seed) {
    return eng_graph_init_params_ex(g, seed, ENG_INIT_HE);
}

/* He et al. 2015: std sqrt(2 / fan_in) keeps the variance of ReLU
 * activations constant from layer to layer. Glorot and Bengio 2010
 * ("Xavier"): std sqrt(2 / (fan_in + fan_out)), for tanh and sigmoid. Dims
 * are (out, in, k...): fan_in = in * k, fan_out = out * k, as PyTorch counts
 * them. */
static void init_weights(EngParam *p, uint64_t *s, EngInit init) {
    size_t fan_in = p->n / (size_t)p->dims[0];
    size_t fan_out = p->ndim > 1 && p->dims[1] ? p->n / (size_t)p->dims[1] : (size_t)p->dims[0];
    double den = init == ENG_INIT_XAVIER ? (double)(fan_in + fan_out) : (double)fan_in;
    float sd = (float)sqrt(2.0 / (den > 0 ? den : 1.0));
    if (init == ENG_INIT_HE_UNIFORM) {
        const float bound = sd * 1.7320508f, scale = 2.0f * bound / 16777216.0f;
        for (size_t j = 0; j < p->n; j++) p->data[j] = (float)(rng_next(s) >> 40) * scale - bound;
        return;
    }
    for (size_t j = 0; j < p->n; j++) p->data[j] = sd * rng_normal(s);
}

int eng_graph_init_params_ex(EngGraph *g, uint64_t seed, EngInit init) {
    if (!g || eng_graph_alloc_params(g) != 0) return -1;
    g->param_version++;
    uint64_t s = seed;
    for (int i = 0; i < g->n_nodes; i++) {
        EngNode *n = &g->nodes[i];
        for (int k = 0; k < n->n_params; k++) {
            EngParam *p = &n->params[k];
            float fill = 0.0f;
            if (p->kind == ENG_PARAM_WEIGHT && eng_op_table[n->op].weighted) {
                init_weights(p, &s, init);
                continue;
            }
            if (p->kind == ENG_PARAM_WEIGHT && n->op == ENG_OP_PRELU) fill = 0.25f;
            if (p->kind == ENG_PARAM_WEIGHT && n->op == ENG_OP_AFFINE) fill = 1.0f;
            else if (p->kind == ENG_PARAM_WEIGHT || p->kind == ENG_PARAM_RUNNING_VAR) fill = 1.0f;
            /* torchvision's ConvNeXt starts every residual branch at 1e-6 of its value */
            if (p->kind == ENG_PARAM_WEIGHT && n->op == ENG_OP_LAYERSCALE) fill = 1e-6f;
            for (size_t j = 0; j < p->n; j++) p->data[j] = fill;
        }
    }
    return 0;
}

/* ---- buffers ------------------------------------------------------------------------ */

void eng_graph_free_buffers(EngGraph *g) {
    free(g->grad_block);
    free(g->aux_block);
    g->grad_block = NULL;
    g->aux_block = NULL;
    free(g->act_block);
    free(g->switch_block);
    free(g->scratch);
    free(g->in_ptrs);
    free(g->in_chans);
    free(g->fuse);
    free(g->fold_block);
    g->fuse = NULL;
    g->fuse_n = 0;
    g->fold_block = NULL;
    g->fold_ok = 0;
    g->fast_plan = 0;
    g->act_floats = g->act_floats_all = 0;
    g->in_ptrs = NULL;
    g->in_chans = NULL;
    g->act_block = NULL;
    g->switch_block = NULL;
    g->scratch = NULL;
    g->scratch_floats = 0;
    g->batch = 0;
    eng_graph_conv_free(g);
    for (int i = 0; i < g->n_nodes; i++) {
        g->nodes[i].act = NULL;
        g->nodes[i].argmax = NULL;
        g->nodes[i].grad = NULL;
        g->nodes[i].aux = NULL;
    }
}

#define ENG_ALIGN_FLOATS 16 /* 64 bytes: one cache line, one AVX-512 vector */

static size_t round_up(size_t n) { return (n + ENG_ALIGN_FLOATS - 1) / ENG_ALIGN_FLOATS * ENG_ALIGN_FLOATS; }

/* ---- each op's scratch and training state (named in eng_op_table) ---------- */

size_t eng_scratch_conv(const EngNode *n, EngShape s, int grads) {
    size_t need = eng_conv2d_scratch(s.C, s.H, s.W, &n->p.conv, n->out.H, n->out.W);
    if (grads) {
        size_t back = eng_conv2d_backward_scratch(s.C, s.H, s.W, &n->p.conv, n->out.H, n->out.W);
        if (back > need) need = back;
    }
    if (eng_conv_winograd_worth(n, s)) {
        size_t wino = eng_winograd_scratch(s.C, n->p.conv.oc, n->out.H, n->out.W);
        if (wino > need) need = wino;
    }
    return need;
}
size_t eng_scratch_convt(const EngNode *n, EngShape s, int grads) {
    (void)grads; /* no backward */
    return eng_convt2d_scratch(s.C, s.H, s.W, &n->p.convt, n->out.H, n->out.W);
}
size_t eng_scratch_resize(const EngNode *n, EngShape s, int grads) {
    (void)s, (void)grads; /* the same taps forward and backward */
    return eng_resize_scratch(&n->p.resize);
}
size_t eng_scratch_lrn(const EngNode *n, EngShape s, int grads) {
    (void)n;
    return grads ? eng_lrn_backward_scratch(s.C) : 0; /* the forward needs none */
}
/* BN: the batch's mean and 1/std per channel */
size_t eng_aux_bn(const EngNode *n, size_t e) {
    (void)e;
    return 2 * (size_t)n->out.C;
}
/* dropout: the mask */
size_t eng_aux_dropout(const EngNode *n, size_t e) {
    (void)n;
    return e;
}
/* join: one mask value per sample and input */
size_t eng_aux_join(const EngNode *n, size_t e) {
    return e / ((size_t)n->out.C * n->out.H * n->out.W) * (size_t)n->n_inputs;
}
/* drop path: one mask value per sample */
size_t eng_aux_drop_path(const EngNode *n, size_t e) {
    return e / ((size_t)n->out.C * n->out.H * n->out.W);
}

/* ---- the plan ------------------------------------------------------------------------ */

/* Floats (switches: int32s) each block needs for batch N; 0, or -1 on overflow. */
/* grads: gradient buffers too (asked for, and not the fast layout) */
typedef struct { size_t act, sw, scratch, aux; int max_in, grads; } PlanSizes;

static int plan_sizes(const EngGraph *g, int N, PlanSizes *z) {
    memset(z, 0, sizeof *z);
    z->max_in = 1;
    z->grads = g->want_grads && !g->fast;
    for (int i = 0; i < g->n_nodes; i++) {
        const EngNode *n = &g->nodes[i];
        const EngOpInfo *op = &eng_op_table[n->op];
        if (!eng_runs_at_inference(n)) continue;
        if (n->n_inputs > z->max_in) z->max_in = n->n_inputs;
        size_t e;
        if (!eng_mul_size(&e, (size_t)n->out.C * n->out.H * n->out.W, (size_t)N)) return -1;
        z->act += round_up(e);
        if (op->switches) z->sw += round_up(e);
        if (op->scratch) {
            size_t need = op->scratch(n, g->nodes[n->inputs[0]].out, z->grads);
            if (need > z->scratch) z->scratch = need;
        }
        if (z->grads && op->aux) z->aux += round_up(op->aux(n, e));
    }
    return 0;
}

/* Allocate the blocks of z; 0, or -1 with everything released. */
static int plan_alloc(EngGraph *g, int N, const PlanSizes *z) {
    size_t bytes_act, bytes_sw, bytes_scr;
    if (!eng_mul_size(&bytes_act, z->act, sizeof(float)) ||
        !eng_mul_size(&bytes_sw, z->sw, sizeof(int32_t)) ||
        !eng_mul_size(&bytes_scr, z->scratch, sizeof(float))) {
        eng_log(ENG_LOG_ERROR, "engine: batch %d does not fit in memory (size overflow)", N);
        return -1;
    }
    if (posix_memalign((void **)&g->act_block, 64, bytes_act ? bytes_act : 64) != 0) g->act_block = NULL;
    if (z->sw && posix_memalign((void **)&g->switch_block, 64, bytes_sw) != 0) g->switch_block = NULL;
    if (z->scratch && posix_memalign((void **)&g->scratch, 64, bytes_scr) != 0) g->scratch = NULL;
    g->in_ptrs = malloc((size_t)z->max_in * sizeof *g->in_ptrs);
    g->in_chans = malloc((size_t)z->max_in * sizeof *g->in_chans);
    if (z->grads) {
        /* gradients: one per activation, plus BN/dropout state (the parameters'
         * gradients do not depend on the batch: eng_graph_grad_params_ready) */
        if (posix_memalign((void **)&g->grad_block, 64, bytes_act ? bytes_act : 64) != 0)
            g->grad_block = NULL;
        if (z->aux) g->aux_block = calloc(z->aux, sizeof(float));
    }
    if (!g->act_block || (z->sw && !g->switch_block) || (z->scratch && !g->scratch) ||
        !g->in_ptrs || !g->in_chans ||
        (z->grads && (!g->grad_block || (z->aux && !g->aux_block)))) {
        eng_log(ENG_LOG_ERROR,
                "engine: out of memory planning batch %d (%.1f MB activations, %.1f MB scratch)", N,
                bytes_act / 1e6, bytes_scr / 1e6);
        eng_graph_free_buffers(g);
        return -1;
    }
    g->scratch_floats = z->scratch;
    return 0;
}

/* Point every inference node into the blocks, in node order. */
static void plan_assign(EngGraph *g, int N) {
    size_t off = 0, soff = 0, aoff = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        EngNode *n = &g->nodes[i];
        const EngOpInfo *op = &eng_op_table[n->op];
        if (!eng_runs_at_inference(n)) continue;
        size_t e = (size_t)n->out.C * n->out.H * n->out.W * (size_t)N;
        n->act = g->act_block + off;
        if (g->grad_block) n->grad = g->grad_block + off;
        off += round_up(e);
        if (op->switches) {
            n->argmax = g->switch_block + soff;
            soff += round_up(e);
        }
        if (g->aux_block && op->aux) {
            n->aux = g->aux_block + aoff;
            aoff += round_up(op->aux(n, e));
        }
    }
}

int eng_graph_plan(EngGraph *g, int N) {
    if (!g || g->failed) return -1;
    if (N < 1 || N > 65536) {
        eng_log(ENG_LOG_ERROR, "engine: batch size %d outside 1..65536", N);
        return -1;
    }
    /* gradients need every activation: the fast layout, for inference alone, has none */
    const int fast = g->fast;
    if (g->batch == N && g->act_block && (fast || !g->want_grads || g->grad_block) &&
        g->fast_plan == fast)
        return 0;
    eng_graph_free_buffers(g);
    PlanSizes z;
    size_t fold = 0;
    if (plan_sizes(g, N, &z) != 0) {
        eng_log(ENG_LOG_ERROR, "engine: batch %d does not fit in memory (size overflow)", N);
        return -1;
    }
    const size_t all = z.act;
    if (fast && eng_fuse_plan(g, N, &z.act, &fold) != 0) {
        eng_log(ENG_LOG_ERROR, "engine: cannot plan the fast layout for batch %d", N);
        eng_graph_free_buffers(g);
        return -1;
    }
    if (fold && posix_memalign((void **)&g->fold_block, 64, fold * sizeof(float)) != 0) {
        eng_log(ENG_LOG_ERROR, "engine: out of memory for the folded weights (%.1f MB)", fold * 4e-6);
        eng_graph_free_buffers(g);
        return -1;
    }
    EngFuse *fuse = g->fuse;
    g->fuse = NULL; /* plan_alloc releases everything on failure */
    if (plan_alloc(g, N, &z) != 0) {
        free(fuse);
        return -1;
    }
    g->fuse = fuse;
    plan_assign(g, N);
    if (fast) eng_fuse_assign(g);
    g->fast_plan = fast;
    g->act_floats = z.act;
    g->act_floats_all = all;
    if (eng_graph_conv_plan(g) != 0) {
        eng_graph_free_buffers(g);
        return -1;
    }
    g->batch = N;
    return 0;
}

/* ---- training state ---------------------------------------------------------------- */

int eng_graph_enable_grads(EngGraph *g) {
    if (!g || g->failed) return -1;
    g->want_grads = 1;
    return 0;
}
void eng_graph_set_training(EngGraph *g, int on) {
    if (g) g->training = on;
}
int eng_graph_training(const EngGraph *g) { return g ? g->training : 0; }
void eng_graph_seed(EngGraph *g, uint64_t seed) {
    if (g) g->rng = seed;
}

uint64_t eng_graph_rng_state(const EngGraph *g) { return g ? g->rng : 0; }

void eng_graph_zero_grads(EngGraph *g) {
    if (!g) return;
    if (g->grad_block) {
        for (int i = 0; i < g->n_nodes; i++) {
            EngNode *n = &g->nodes[i];
            if (n->grad)
                memset(n->grad, 0, (size_t)g->batch * n->out.C * n->out.H * n->out.W * sizeof(float));
        }
    }
    if (g->pgrad_block) memset(g->pgrad_block, 0, g->param_floats * sizeof(float));
}

/* The parameters' gradients, one block in the parameter block's layout,
 * allocated on the first backward pass (or loss) that needs them. */
int eng_graph_grad_params_ready(EngGraph *g) {
    if (!g->param_block || !g->want_grads) return -1;
    if (!g->pgrad_block) {
        g->pgrad_block = calloc(g->param_floats ? g->param_floats : 1, sizeof(float));
        if (!g->pgrad_block) return -1;
        size_t off = 0;
        for (int i = 0; i < g->n_nodes; i++)
            for (int k = 0; k < g->nodes[i].n_params; k++) {
                g->nodes[i].params[k].grad = g->pgrad_block + off;
                off += g->nodes[i].params[k].n;
            }
    }
    return 0;
}

float *eng_graph_input_buffer(EngGraph *g, int id) {
    if (!g || id < 0 || id >= g->n_nodes || g->nodes[id].op != ENG_OP_INPUT) return NULL;
    return g->nodes[id].act;
}

