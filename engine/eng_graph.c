/*
 * eng_graph.c — the network as a DAG of named nodes.
 *
 * Nodes are added in topological order (an input must exist before it is
 * used), so a forward pass is a single loop over the node array. Each builder
 * checks its configuration and infers the output shape at once, so a wrong
 * configuration is reported at the node that causes it.
 *
 * Memory follows llm.c: all parameters live in one block, all activations in
 * another, the im2col scratch in a third; each is allocated once (per batch
 * size for the activations) and reused by every forward pass, because touching
 * fresh pages costs more than the arithmetic of a small layer.
 *
 * Must not depend on: SDL or anything that draws.
 */
#include "eng.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Largest spatial size or channel count a node may have: far above any real
 * network, small enough that C*H*W products stay well inside 64 bits. */
#define ENG_MAX_DIM (1 << 24)
/* Largest per-sample tensor (elements). */
#define ENG_MAX_ELEMS ((int64_t)1 << 31)

struct EngGraph {
    EngNode *nodes;
    int n_nodes, cap;
    int output;          /* -1: the last inference node */
    int failed;
    char err[512];
    int reference;       /* run the naive twins */

    float *param_block;  /* every parameter, one allocation */
    size_t param_floats;
    float *act_block;    /* every activation for batch `batch`, one allocation */
    int32_t *switch_block; /* every max-pool argmax */
    float *scratch;      /* im2col / col2im */
    size_t scratch_floats;
    int batch;           /* 0 until planned */
    const float **in_ptrs; /* per-node input pointers for add / concat */
    int *in_chans;

    int want_grads;      /* allocate gradients at the next plan */
    int training;        /* batch statistics and dropout in the forward pass */
    int projecting;      /* eng_graph_project: no parameter grads, ReLU by `rule` */
    EngProjRule rule;
    uint64_t rng;        /* dropout masks */
    float *grad_block;   /* d loss / d act of every node, same layout as act_block */
    float *pgrad_block;  /* d loss / d parameter, same layout as param_block */
    float *aux_block;    /* BN batch statistics, dropout masks */
};

static const char *const op_names[ENG_OP_COUNT] = {
    [ENG_OP_INPUT] = "input",         [ENG_OP_CONV] = "conv",
    [ENG_OP_CONVT] = "convtranspose", [ENG_OP_MAXPOOL] = "maxpool",
    [ENG_OP_AVGPOOL] = "avgpool",     [ENG_OP_GAVGPOOL] = "globalavgpool",
    [ENG_OP_GMAXPOOL] = "globalmaxpool", [ENG_OP_LRN] = "lrn",
    [ENG_OP_BN] = "batchnorm",        [ENG_OP_RELU] = "relu",
    [ENG_OP_LEAKYRELU] = "leakyrelu", [ENG_OP_PRELU] = "prelu",
    [ENG_OP_CLIP] = "clip",           [ENG_OP_SIGMOID] = "sigmoid",
    [ENG_OP_TANH] = "tanh",           [ENG_OP_HARDSIGMOID] = "hardsigmoid",
    [ENG_OP_HARDSWISH] = "hardswish", [ENG_OP_SOFTMAX] = "softmax",
    [ENG_OP_FC] = "fc",               [ENG_OP_ADD] = "add",
    [ENG_OP_MUL] = "mul",             [ENG_OP_CONCAT] = "concat",
    [ENG_OP_FLATTEN] = "flatten",     [ENG_OP_DROPOUT] = "dropout",
    [ENG_OP_PAD] = "pad",             [ENG_OP_MATMUL] = "matmul",
    [ENG_OP_RESHAPE] = "reshape",     [ENG_OP_AFFINE] = "affine",
    [ENG_OP_CONST] = "constant",      [ENG_OP_MAXUNPOOL] = "maxunpool",
    [ENG_OP_TRANSPOSE] = "transpose", [ENG_OP_LOGSOFTMAX] = "logsoftmax",
    [ENG_OP_SLICE] = "slice",         [ENG_OP_MAXPOOL_INDEX] = "maxpool indices",
    [ENG_OP_BN_BATCH] = "batchnorm (batch statistics)", [ENG_OP_BN_STAT] = "batch statistic",
};

const char *eng_op_name(EngOpType op) {
    return (op >= 0 && op < ENG_OP_COUNT && op_names[op]) ? op_names[op] : "?";
}

/* ---- shape rules --------------------------------------------------------- */

int eng_conv_out_size(int in, int k, int stride, int pad_lo, int pad_hi, int dilation) {
    if (in <= 0 || k <= 0 || stride <= 0 || pad_lo < 0 || pad_hi < 0 || dilation <= 0) return -1;
    int64_t span = (int64_t)dilation * (k - 1) + 1;     /* dilated kernel extent */
    int64_t padded = (int64_t)in + pad_lo + pad_hi;
    if (span > padded) return -1;
    return (int)((padded - span) / stride + 1);
}

int eng_pool_out_size(int in, int k, int stride, int pad_lo, int pad_hi, int ceil_mode) {
    if (in <= 0 || k <= 0 || stride <= 0 || pad_lo < 0 || pad_hi < 0) return -1;
    int64_t padded = (int64_t)in + pad_lo + pad_hi;
    if (k > padded) return -1;
    int64_t o = ceil_mode ? (padded - k + stride - 1) / stride + 1 : (padded - k) / stride + 1;
    /* Ceil mode may add a window that starts in the right padding; PyTorch and
     * ONNX drop it: the last window must start inside the input or left pad. */
    if (ceil_mode && (o - 1) * stride >= (int64_t)in + pad_lo) o--;
    return (int)o;
}

int eng_convt_out_size(int in, int k, int stride, int pad_lo, int pad_hi, int dilation,
                       int out_pad) {
    if (in <= 0 || k <= 0 || stride <= 0 || pad_lo < 0 || pad_hi < 0 || dilation <= 0 ||
        out_pad < 0)
        return -1;
    int64_t o = (int64_t)stride * (in - 1) + out_pad + (int64_t)dilation * (k - 1) + 1 - pad_lo -
                pad_hi;
    if (o <= 0 || o > ENG_MAX_DIM) return -1;
    return (int)o;
}

/* ---- creation and errors --------------------------------------------------- */

EngGraph *eng_graph_create(void) {
    EngGraph *g = calloc(1, sizeof *g);
    if (!g) {
        eng_log(ENG_LOG_ERROR, "engine: out of memory creating a graph");
        return NULL;
    }
    g->output = -1;
    return g;
}

static void free_buffers(EngGraph *g) {
    free(g->grad_block);
    free(g->aux_block);
    g->grad_block = NULL;
    g->aux_block = NULL;
    free(g->act_block);
    free(g->switch_block);
    free(g->scratch);
    free(g->in_ptrs);
    free(g->in_chans);
    g->in_ptrs = NULL;
    g->in_chans = NULL;
    g->act_block = NULL;
    g->switch_block = NULL;
    g->scratch = NULL;
    g->scratch_floats = 0;
    g->batch = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        g->nodes[i].act = NULL;
        g->nodes[i].argmax = NULL;
        g->nodes[i].grad = NULL;
        g->nodes[i].aux = NULL;
    }
}

void eng_graph_destroy(EngGraph *g) {
    if (!g) return;
    free_buffers(g);
    free(g->param_block);
    free(g->pgrad_block);
    for (int i = 0; i < g->n_nodes; i++) free(g->nodes[i].inputs);
    free(g->nodes);
    free(g);
}

int eng_graph_ok(const EngGraph *g) { return g && !g->failed; }
const char *eng_graph_error(const EngGraph *g) {
    if (!g) return "engine: no graph";
    return g->failed ? g->err : "";
}
int eng_graph_node_count(const EngGraph *g) { return g ? g->n_nodes : 0; }
const EngNode *eng_graph_node(const EngGraph *g, int id) {
    return (g && id >= 0 && id < g->n_nodes) ? &g->nodes[id] : NULL;
}
EngNode *eng_graph_node_mut(EngGraph *g, int id) {
    return (g && id >= 0 && id < g->n_nodes) ? &g->nodes[id] : NULL;
}
int eng_graph_find(const EngGraph *g, const char *name) {
    if (!g || !name) return -1;
    for (int i = 0; i < g->n_nodes; i++)
        if (strcmp(g->nodes[i].name, name) == 0) return i;
    return -1;
}
int eng_graph_output(const EngGraph *g) {
    if (!g) return -1;
    if (g->output >= 0) return g->output;
    for (int i = g->n_nodes - 1; i >= 0; i--)
        if (!(g->nodes[i].flags & ENG_NODE_TRAIN_ONLY)) return i;
    return -1;
}
void eng_graph_set_output(EngGraph *g, int id) {
    if (g && id >= 0 && id < g->n_nodes) g->output = id;
}
void eng_graph_set_flags(EngGraph *g, int id, int flags) {
    if (g && id >= 0 && id < g->n_nodes) g->nodes[id].flags = flags;
}
void eng_graph_set_reference(EngGraph *g, int on) {
    if (g) g->reference = on;
}
int eng_graph_batch(const EngGraph *g) { return g ? g->batch : 0; }

/* Record the first error; later errors are consequences of it. */
static void graph_fail(EngGraph *g, const char *fmt, ...) {
    if (g->failed) return;
    g->failed = 1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(g->err, sizeof g->err, fmt, ap);
    va_end(ap);
    eng_log(ENG_LOG_DEBUG, "%s", g->err);
}

/* Append a node; validate name and inputs. Returns the id or -1. The graph's
 * shape is frozen once buffers exist (a planned graph cannot grow). */
static int node_new(EngGraph *g, const char *name, EngOpType op, const int *ins, int n_ins) {
    if (!g || g->failed) return -1;
    const char *opn = eng_op_name(op);
    if (!name || !*name) {
        graph_fail(g, "engine: a %s node needs a name", opn);
        return -1;
    }
    if (strlen(name) >= sizeof g->nodes[0].name) {
        graph_fail(g, "engine: node name '%.40s...' is longer than %zu characters", name,
                   sizeof g->nodes[0].name - 1);
        return -1;
    }
    if (eng_graph_find(g, name) >= 0) {
        graph_fail(g, "engine: node '%s' (%s): a node with this name already exists", name, opn);
        return -1;
    }
    if (g->param_block || g->act_block) {
        graph_fail(g, "engine: node '%s' (%s): the graph already has buffers; build it first", name,
                   opn);
        return -1;
    }
    for (int i = 0; i < n_ins; i++) {
        if (ins[i] < 0 || ins[i] >= g->n_nodes) {
            graph_fail(g, "engine: node '%s' (%s): input %d is not a node of this graph", name, opn,
                       i);
            return -1;
        }
    }
    if (g->n_nodes == g->cap) {
        int cap = g->cap ? g->cap * 2 : 64;
        EngNode *nn = realloc(g->nodes, (size_t)cap * sizeof *nn);
        if (!nn) {
            graph_fail(g, "engine: out of memory adding node '%s'", name);
            return -1;
        }
        g->nodes = nn;
        g->cap = cap;
    }
    EngNode *n = &g->nodes[g->n_nodes];
    memset(n, 0, sizeof *n);
    snprintf(n->name, sizeof n->name, "%s", name);
    n->op = op;
    if (n_ins > 0) {
        n->inputs = malloc((size_t)n_ins * sizeof *n->inputs);
        if (!n->inputs) {
            graph_fail(g, "engine: out of memory adding node '%s'", name);
            return -1;
        }
        memcpy(n->inputs, ins, (size_t)n_ins * sizeof *ins);
    }
    n->n_inputs = n_ins;
    /* A node fed by a training-only node is training-only too. */
    for (int i = 0; i < n_ins; i++)
        if (g->nodes[ins[i]].flags & ENG_NODE_TRAIN_ONLY) n->flags |= ENG_NODE_TRAIN_ONLY;
    return g->n_nodes++;
}

/* Drop the node just added and fail with a message naming it. */
static int node_reject(EngGraph *g, int id, const char *fmt, ...) {
    EngNode *n = &g->nodes[id];
    char why[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    graph_fail(g, "engine: node '%s' (%s): %s", n->name, eng_op_name(n->op), why);
    free(n->inputs);
    g->n_nodes--;
    return -1;
}

static const EngShape *in_shape(const EngGraph *g, int id, int k) {
    return &g->nodes[g->nodes[id].inputs[k]].out;
}

static int shape_ok(EngGraph *g, int id) {
    EngShape s = g->nodes[id].out;
    if (s.C <= 0 || s.H <= 0 || s.W <= 0 || s.C > ENG_MAX_DIM || s.H > ENG_MAX_DIM ||
        s.W > ENG_MAX_DIM || (int64_t)s.C * s.H > ENG_MAX_ELEMS / s.W) { /* 2^24 cubed passes 2^63 */
        node_reject(g, id, "output shape %dx%dx%d is empty or too large", s.C, s.H, s.W);
        return 0;
    }
    return 1;
}

static void add_param(EngNode *n, const char *suffix, int kind, int learnable, int ndim, int d0,
                      int d1, int d2, int d3) {
    ENG_ASSERT(n->n_params < ENG_MAX_PARAMS);
    EngParam *p = &n->params[n->n_params++];
    p->suffix = suffix;
    p->kind = kind;
    p->learnable = learnable;
    p->ndim = ndim;
    int d[4] = {d0, d1, d2, d3};
    p->n = 1;
    for (int i = 0; i < ndim; i++) {
        p->dims[i] = d[i];
        p->n *= (size_t)d[i];
    }
}

/* ---- receptive fields (Araujo, Norris, Sim, Distill 2019) ---------------------
 * For a layer with kernel k (dilated extent k_eff), stride s, left padding p,
 * applied to a map whose units have field r_in, jump j_in and padding p_in:
 *   r = r_in + (k_eff - 1) * j_in     each extra kernel tap reaches j_in pixels further
 *   j = j_in * s                      neighbouring outputs are s inputs apart
 *   P = p_in + p * j_in               padding shifts the field's start
 */
static EngRf rf_through(EngRf in, int k_eff, int stride, int pad_lo) {
    EngRf r = in;
    r.misaligned = 0;
    if (!in.finite) return r;
    r.size = in.size + (int64_t)(k_eff - 1) * in.stride;
    r.pad = in.pad + (int64_t)pad_lo * in.stride;
    r.stride = in.stride * stride;
    return r;
}

static EngRf rf_infinite(void) {
    EngRf r = {0};
    return r;
}

/* A merge (add or concat): the field is the largest of the branches. Branches
 * are aligned when their unit (0,0) is centred on the same input point and
 * they share the stride; Distill calls the other case misaligned. */
static EngRf rf_merge(const EngGraph *g, int id) {
    const EngNode *n = &g->nodes[id];
    EngRf best = g->nodes[n->inputs[0]].rf;
    int misaligned = 0;
    for (int i = 0; i < n->n_inputs; i++) {
        EngRf r = g->nodes[n->inputs[i]].rf;
        if (!r.finite) return rf_infinite();
        /* centre of unit 0, doubled to stay an integer: (r - 1) - 2p */
        if (r.stride != best.stride || (r.size - 1 - 2 * r.pad) != (best.size - 1 - 2 * best.pad))
            misaligned = 1;
        if (r.size > best.size) best = r;
    }
    best.misaligned = misaligned;
    return best;
}

/* ---- builders ------------------------------------------------------------------ */

int eng_input(EngGraph *g, const char *name, int C, int H, int W) {
    int id = node_new(g, name, ENG_OP_INPUT, NULL, 0);
    if (id < 0) return -1;
    EngNode *n = &g->nodes[id];
    n->out = (EngShape){C, H, W};
    n->rf = (EngRf){.finite = 1, .size = 1, .stride = 1, .pad = 0};
    if (!shape_ok(g, id)) return -1;
    return id;
}

int eng_conv(EngGraph *g, const char *name, int x, const EngConvParams *p) {
    int id = node_new(g, name, ENG_OP_CONV, &x, 1);
    if (id < 0) return -1;
    EngNode *n = &g->nodes[id];
    EngShape s = *in_shape(g, id, 0);
    n->p.conv = *p;
    const EngConvParams *c = &n->p.conv;
    if (c->oc <= 0 || c->kh <= 0 || c->kw <= 0 || c->sh <= 0 || c->sw <= 0 || c->dh <= 0 ||
        c->dw <= 0 || c->groups <= 0 || c->pt < 0 || c->pl < 0 || c->pb < 0 || c->pr < 0)
        return node_reject(g, id,
                           "invalid settings (out channels %d, kernel %dx%d, stride %dx%d, "
                           "dilation %dx%d, groups %d, pads %d,%d,%d,%d)",
                           c->oc, c->kh, c->kw, c->sh, c->sw, c->dh, c->dw, c->groups, c->pt,
                           c->pl, c->pb, c->pr);
    if (c->kh > 1024 || c->kw > 1024 || c->pt > 4096 || c->pl > 4096 || c->pb > 4096 ||
        c->pr > 4096 || c->sh > 4096 || c->sw > 4096 || c->dh > 4096 || c->dw > 4096)
        return node_reject(g, id, "kernel, stride, padding or dilation is absurdly large");
    if (s.C % c->groups || c->oc % c->groups)
        return node_reject(g, id, "%d groups must divide input channels %d and output channels %d",
                           c->groups, s.C, c->oc);
    int OH = eng_conv_out_size(s.H, c->kh, c->sh, c->pt, c->pb, c->dh);
    int OW = eng_conv_out_size(s.W, c->kw, c->sw, c->pl, c->pr, c->dw);
    if (OH <= 0 || OW <= 0)
        return node_reject(g, id, "kernel %dx%d (dilation %dx%d) larger than padded input %dx%d",
                           c->kh, c->kw, c->dh, c->dw, s.H + c->pt + c->pb, s.W + c->pl + c->pr);
    n->out = (EngShape){c->oc, OH, OW};
    if (!shape_ok(g, id)) return -1;
    int cg = s.C / c->groups;
    add_param(n, "weight", ENG_PARAM_WEIGHT, 1, 4, c->oc, cg, c->kh, c->kw);
    if (c->has_bias) add_param(n, "bias", ENG_PARAM_BIAS, 1, 1, c->oc, 0, 0, 0);
    n->macs = (int64_t)c->oc * OH * OW * cg * c->kh * c->kw;
    int keh = c->dh * (c->kh - 1) + 1;
    n->rf = rf_through(g->nodes[x].rf, keh, c->sh, c->pt);
    return id;
}

int eng_conv_k(EngGraph *g, const char *name, int x, int oc, int k, int stride, int pad,
               int groups, int bias) {
    EngConvParams p = {.oc = oc, .kh = k, .kw = k, .sh = stride, .sw = stride, .pt = pad,
                       .pl = pad, .pb = pad, .pr = pad, .dh = 1, .dw = 1, .groups = groups,
                       .has_bias = bias};
    return eng_conv(g, name, x, &p);
}

int eng_convt(EngGraph *g, const char *name, int x, const EngConvTParams *p) {
    int id = node_new(g, name, ENG_OP_CONVT, &x, 1);
    if (id < 0) return -1;
    EngNode *n = &g->nodes[id];
    EngShape s = *in_shape(g, id, 0);
    n->p.convt = *p;
    const EngConvTParams *c = &n->p.convt;
    if (c->oc <= 0 || c->kh <= 0 || c->kw <= 0 || c->sh <= 0 || c->sw <= 0 || c->dh <= 0 ||
        c->dw <= 0 || c->groups <= 0 || c->pt < 0 || c->pl < 0 || c->pb < 0 || c->pr < 0 ||
        c->oph < 0 || c->opw < 0 || c->kh > 1024 || c->kw > 1024 || c->sh > 4096 ||
        c->sw > 4096 || c->dh > 4096 || c->dw > 4096 || c->pt > 4096 || c->pl > 4096 ||
        c->pb > 4096 || c->pr > 4096)
        return node_reject(g, id, "invalid settings (out channels %d, kernel %dx%d, stride %dx%d)",
                           c->oc, c->kh, c->kw, c->sh, c->sw);
    if (c->oph >= c->sh && c->oph >= c->dh)
        return node_reject(g, id, "output padding %d must be smaller than stride or dilation",
                           c->oph);
    if (c->opw >= c->sw && c->opw >= c->dw)
        return node_reject(g, id, "output padding %d must be smaller than stride or dilation",
                           c->opw);
    if (s.C % c->groups || c->oc % c->groups)
        return node_reject(g, id, "%d groups must divide input channels %d and output channels %d",
                           c->groups, s.C, c->oc);
    int OH = eng_convt_out_size(s.H, c->kh, c->sh, c->pt, c->pb, c->dh, c->oph);
    int OW = eng_convt_out_size(s.W, c->kw, c->sw, c->pl, c->pr, c->dw, c->opw);
    if (OH <= 0 || OW <= 0)
        return node_reject(g, id, "padding %d,%d,%d,%d removes the whole %dx%d output", c->pt,
                           c->pl, c->pb, c->pr, s.H, s.W);
    n->out = (EngShape){c->oc, OH, OW};
    if (!shape_ok(g, id)) return -1;
    /* ONNX / PyTorch layout: (C_in, OC / groups, KH, KW) */
    add_param(n, "weight", ENG_PARAM_WEIGHT, 1, 4, s.C, c->oc / c->groups, c->kh, c->kw);
    if (c->has_bias) add_param(n, "bias", ENG_PARAM_BIAS, 1, 1, c->oc, 0, 0, 0);
    n->macs = (int64_t)s.C * s.H * s.W * (c->oc / c->groups) * c->kh * c->kw;
    /* A transposed conv with stride 1 is a conv with padding k_eff-1-p; with a
     * larger stride one output unit sees a varying number of inputs (a
     * fractional stride), which the Distill recurrence does not describe. */
    if (c->sh == 1 && c->sw == 1) {
        int keh = c->dh * (c->kh - 1) + 1;
        n->rf = rf_through(g->nodes[x].rf, keh, 1, keh - 1 - c->pt);
    } else {
        n->rf = rf_infinite();
    }
    return id;
}

static int pool_add(EngGraph *g, const char *name, int x, const EngPoolParams *p, EngOpType op) {
    int id = node_new(g, name, op, &x, 1);
    if (id < 0) return -1;
    EngNode *n = &g->nodes[id];
    EngShape s = *in_shape(g, id, 0);
    n->p.pool = *p;
    if (n->p.pool.dh <= 0) n->p.pool.dh = 1;
    if (n->p.pool.dw <= 0) n->p.pool.dw = 1;
    const EngPoolParams *q = &n->p.pool;
    if (q->dh > 4096 || q->dw > 4096 || (op == ENG_OP_AVGPOOL && (q->dh > 1 || q->dw > 1)))
        return node_reject(g, id, "dilation %dx%d (only max pooling may be dilated)", q->dh, q->dw);
    /* a dilated window spans d*(k-1)+1 input pixels */
    const int keh = q->dh * (q->kh - 1) + 1, kew = q->dw * (q->kw - 1) + 1;
    if (q->kh <= 0 || q->kw <= 0 || q->sh <= 0 || q->sw <= 0 || q->pt < 0 || q->pl < 0 ||
        q->pb < 0 || q->pr < 0 || q->kh > 4096 || q->kw > 4096 || q->sh > 4096 || q->sw > 4096)
        return node_reject(g, id, "invalid window %dx%d stride %dx%d pads %d,%d,%d,%d", q->kh,
                           q->kw, q->sh, q->sw, q->pt, q->pl, q->pb, q->pr);
    /* A pad as large as the window would create windows that see only padding. */
    if (q->pt >= keh || q->pb >= keh || q->pl >= kew || q->pr >= kew)
        return node_reject(g, id, "padding must be smaller than the %dx%d window", keh, kew);
    int OH = eng_pool_out_size(s.H, keh, q->sh, q->pt, q->pb, q->ceil_mode);
    int OW = eng_pool_out_size(s.W, kew, q->sw, q->pl, q->pr, q->ceil_mode);
    if (OH <= 0 || OW <= 0)
        return node_reject(g, id, "window %dx%d larger than padded input %dx%d", q->kh, q->kw,
                           s.H + q->pt + q->pb, s.W + q->pl + q->pr);
    n->out = (EngShape){s.C, OH, OW};
    if (!shape_ok(g, id)) return -1;
    n->rf = rf_through(g->nodes[x].rf, keh, q->sh, q->pt);
    return id;
}

int eng_maxpool(EngGraph *g, const char *name, int x, const EngPoolParams *p) {
    return pool_add(g, name, x, p, ENG_OP_MAXPOOL);
}
int eng_maxpool_indices(EngGraph *g, const char *name, int pool, int col_major) {
    int id = node_new(g, name, ENG_OP_MAXPOOL_INDEX, &pool, 1);
    if (id < 0) return -1;
    const EngNode *p = &g->nodes[pool];
    if (p->op != ENG_OP_MAXPOOL) return node_reject(g, id, "the input is not a max pool");
    const EngShape s = g->nodes[p->inputs[0]].out;
    if ((int64_t)s.C * s.H * s.W >= (1 << 24))
        return node_reject(g, id, "a %dx%dx%d sample has too many places for exact float indices",
                           s.C, s.H, s.W);
    g->nodes[id].out = p->out;
    g->nodes[id].p.pool_index = (EngPoolIndexParams){col_major != 0};
    g->nodes[id].rf = rf_infinite(); /* places, not values */
    return id;
}
int eng_avgpool(EngGraph *g, const char *name, int x, const EngPoolParams *p) {
    return pool_add(g, name, x, p, ENG_OP_AVGPOOL);
}
static EngPoolParams pool_sq(int k, int stride, int pad) {
    return (EngPoolParams){.kh = k, .kw = k, .sh = stride, .sw = stride, .pt = pad, .pl = pad,
                           .pb = pad, .pr = pad};
}
int eng_maxpool_k(EngGraph *g, const char *name, int x, int k, int stride, int pad) {
    EngPoolParams p = pool_sq(k, stride, pad);
    return eng_maxpool(g, name, x, &p);
}
int eng_avgpool_k(EngGraph *g, const char *name, int x, int k, int stride, int pad) {
    EngPoolParams p = pool_sq(k, stride, pad);
    return eng_avgpool(g, name, x, &p);
}

/* Ops whose output has the input's shape and field. */
static int same_shape_add(EngGraph *g, const char *name, int x, EngOpType op) {
    int id = node_new(g, name, op, &x, 1);
    if (id < 0) return -1;
    g->nodes[id].out = g->nodes[x].out;
    g->nodes[id].rf = g->nodes[x].rf;
    g->nodes[id].rf.misaligned = 0;
    return id;
}

static int global_add(EngGraph *g, const char *name, int x, EngOpType op) {
    int id = node_new(g, name, op, &x, 1);
    if (id < 0) return -1;
    g->nodes[id].out = (EngShape){g->nodes[x].out.C, 1, 1};
    g->nodes[id].rf = rf_infinite(); /* every unit sees the whole input */
    return id;
}
int eng_gavgpool(EngGraph *g, const char *name, int x) {
    return global_add(g, name, x, ENG_OP_GAVGPOOL);
}
int eng_gmaxpool(EngGraph *g, const char *name, int x) {
    return global_add(g, name, x, ENG_OP_GMAXPOOL);
}

int eng_lrn(EngGraph *g, const char *name, int x, int size, float alpha, float beta, float bias) {
    int id = same_shape_add(g, name, x, ENG_OP_LRN);
    if (id < 0) return -1;
    if (size <= 0 || size > 4096 || !(bias > 0.0f) || !isfinite(alpha) || !isfinite(beta))
        return node_reject(g, id, "invalid size %d / bias %g (size > 0, bias > 0)", size,
                           (double)bias);
    g->nodes[id].p.lrn = (EngLrnParams){size, alpha, beta, bias};
    return id;
}

static int bn_groups_ok(EngGraph *g, int id, int x, int n, int c, int hw) {
    const EngShape s = g->nodes[x].out;
    if (n < 1 || c < 1 || hw < 1 || (int64_t)n * c * hw != (int64_t)s.C * s.H * s.W)
        return node_reject(g, id, "%d groups of %d channels of %d values do not make a %dx%dx%d sample",
                           n, c, hw, s.C, s.H, s.W);
    return 0;
}
int eng_bn_batch(EngGraph *g, const char *name, int x, int n, int c, int hw, float eps) {
    int id = same_shape_add(g, name, x, ENG_OP_BN_BATCH);
    if (id < 0 || bn_groups_ok(g, id, x, n, c, hw)) return -1;
    if (!(eps >= 0.0f) || !isfinite(eps)) return node_reject(g, id, "invalid epsilon %g", (double)eps);
    EngNode *nd = &g->nodes[id];
    nd->p.bnb = (EngBnBatchParams){n, c, hw, 0, eps, 0.0f};
    nd->rf = rf_infinite(); /* each unit depends on every unit of its channel */
    add_param(nd, "weight", ENG_PARAM_WEIGHT, 1, 1, c, 0, 0, 0);
    add_param(nd, "bias", ENG_PARAM_BIAS, 1, 1, c, 0, 0, 0);
    return id;
}
int eng_bn_stat(EngGraph *g, const char *name, int x, int n, int c, int hw, int stat, float momentum) {
    int id = node_new(g, name, ENG_OP_BN_STAT, &x, 1);
    if (id < 0 || bn_groups_ok(g, id, x, n, c, hw)) return -1;
    if (stat < 0 || stat > 1 || !isfinite(momentum))
        return node_reject(g, id, "statistic %d, momentum %g", stat, (double)momentum);
    EngNode *nd = &g->nodes[id];
    nd->out = (EngShape){c, 1, 1};
    nd->p.bnb = (EngBnBatchParams){n, c, hw, stat, 0.0f, momentum};
    nd->rf = rf_infinite();
    if (!shape_ok(g, id)) return -1;
    add_param(nd, "running", stat ? ENG_PARAM_RUNNING_VAR : ENG_PARAM_RUNNING_MEAN, 0, 1, c, 0, 0, 0);
    return id;
}

/* Each channel's mean and biased variance over its n groups (see EngBnBatchParams). */
static void bn_group_stats(const float *x, const EngBnBatchParams *q, int c, double *mean, double *var) {
    const size_t hw = (size_t)q->hw, m = (size_t)q->n * hw;
    double sum = 0.0, sq = 0.0;
    for (int k = 0; k < q->n; k++) {
        const float *xc = x + ((size_t)k * q->c + c) * hw;
        for (size_t i = 0; i < hw; i++) sum += xc[i];
    }
    *mean = sum / (double)m;
    for (int k = 0; k < q->n; k++) {
        const float *xc = x + ((size_t)k * q->c + c) * hw;
        for (size_t i = 0; i < hw; i++) sq += (xc[i] - *mean) * (xc[i] - *mean);
    }
    *var = sq / (double)m;
}

int eng_bn(EngGraph *g, const char *name, int x, float eps) {
    int id = same_shape_add(g, name, x, ENG_OP_BN);
    if (id < 0) return -1;
    if (!(eps >= 0.0f) || !isfinite(eps)) return node_reject(g, id, "invalid epsilon %g", (double)eps);
    EngNode *n = &g->nodes[id];
    n->p.bn.eps = eps;
    int C = n->out.C;
    /* gamma and beta are learned; the running statistics are not */
    add_param(n, "weight", ENG_PARAM_WEIGHT, 1, 1, C, 0, 0, 0);
    add_param(n, "bias", ENG_PARAM_BIAS, 1, 1, C, 0, 0, 0);
    add_param(n, "running_mean", ENG_PARAM_RUNNING_MEAN, 0, 1, C, 0, 0, 0);
    add_param(n, "running_var", ENG_PARAM_RUNNING_VAR, 0, 1, C, 0, 0, 0);
    return id;
}

int eng_relu(EngGraph *g, const char *name, int x) { return same_shape_add(g, name, x, ENG_OP_RELU); }
int eng_leakyrelu(EngGraph *g, const char *name, int x, float alpha) {
    int id = same_shape_add(g, name, x, ENG_OP_LEAKYRELU);
    if (id >= 0) g->nodes[id].p.leaky.alpha = alpha;
    return id;
}
int eng_prelu(EngGraph *g, const char *name, int x, int slopes) {
    int id = same_shape_add(g, name, x, ENG_OP_PRELU);
    if (id < 0) return -1;
    EngNode *n = &g->nodes[id];
    const int64_t units = (int64_t)n->out.C * n->out.H * n->out.W;
    if (slopes != 1 && slopes != n->out.C && slopes != units)
        return node_reject(g, id, "%d slopes: need 1, one per channel (%d) or one per unit (%lld)",
                           slopes, n->out.C, (long long)units);
    n->p.prelu.slopes = slopes;
    add_param(n, "weight", ENG_PARAM_WEIGHT, 1, 1, slopes, 0, 0, 0);
    return id;
}
int eng_clip(EngGraph *g, const char *name, int x, float lo, float hi) {
    int id = same_shape_add(g, name, x, ENG_OP_CLIP);
    if (id < 0) return -1;
    if (lo > hi) return node_reject(g, id, "min %g is above max %g", (double)lo, (double)hi);
    g->nodes[id].p.clip = (EngClipParams){lo, hi};
    return id;
}
int eng_sigmoid(EngGraph *g, const char *name, int x) {
    return same_shape_add(g, name, x, ENG_OP_SIGMOID);
}
int eng_tanh(EngGraph *g, const char *name, int x) { return same_shape_add(g, name, x, ENG_OP_TANH); }
int eng_hardsigmoid(EngGraph *g, const char *name, int x, float alpha, float beta) {
    int id = same_shape_add(g, name, x, ENG_OP_HARDSIGMOID);
    if (id >= 0) g->nodes[id].p.hsig = (EngHardSigmoidParams){alpha, beta};
    return id;
}
int eng_hardswish(EngGraph *g, const char *name, int x) {
    return same_shape_add(g, name, x, ENG_OP_HARDSWISH);
}
int eng_softmax(EngGraph *g, const char *name, int x) {
    int id = same_shape_add(g, name, x, ENG_OP_SOFTMAX);
    if (id < 0) return -1;
    const EngShape s = g->nodes[id].out;
    g->nodes[id].p.softmax = (EngSoftmaxParams){s.C, s.H * s.W};
    return id;
}
static int softmax_span(EngGraph *g, const char *name, int x, int len, int inner, EngOpType op) {
    int id = same_shape_add(g, name, x, op);
    if (id < 0) return -1;
    const EngShape s = g->nodes[id].out;
    const int64_t size = (int64_t)s.C * s.H * s.W;
    if (len < 1 || inner < 1 || size % ((int64_t)len * inner))
        return node_reject(g, id, "a span of %d values %d apart does not divide a %dx%dx%d sample",
                           len, inner, s.C, s.H, s.W);
    g->nodes[id].p.softmax = (EngSoftmaxParams){len, inner};
    return id;
}
int eng_softmax_span(EngGraph *g, const char *name, int x, int len, int inner) {
    return softmax_span(g, name, x, len, inner, ENG_OP_SOFTMAX);
}
int eng_logsoftmax_span(EngGraph *g, const char *name, int x, int len, int inner) {
    return softmax_span(g, name, x, len, inner, ENG_OP_LOGSOFTMAX);
}
int eng_dropout(EngGraph *g, const char *name, int x, float ratio) {
    int id = same_shape_add(g, name, x, ENG_OP_DROPOUT);
    if (id < 0) return -1;
    if (!(ratio >= 0.0f && ratio < 1.0f))
        return node_reject(g, id, "ratio %g outside [0, 1)", (double)ratio);
    g->nodes[id].p.dropout.ratio = ratio;
    return id;
}

int eng_fc(EngGraph *g, const char *name, int x, int out, int bias) {
    int id = node_new(g, name, ENG_OP_FC, &x, 1);
    if (id < 0) return -1;
    EngNode *n = &g->nodes[id];
    EngShape s = *in_shape(g, id, 0);
    int64_t K = (int64_t)s.C * s.H * s.W;
    if (out <= 0 || out > ENG_MAX_DIM) return node_reject(g, id, "invalid output size %d", out);
    if (K * out > ENG_MAX_ELEMS)
        return node_reject(g, id, "%lld x %d weights are too many", (long long)K, out);
    n->p.fc = (EngFcParams){out, bias};
    n->out = (EngShape){out, 1, 1};
    add_param(n, "weight", ENG_PARAM_WEIGHT, 1, 2, out, (int)K, 0, 0);
    if (bias) add_param(n, "bias", ENG_PARAM_BIAS, 1, 1, out, 0, 0, 0);
    n->macs = K * out;
    n->rf = rf_infinite();
    return id;
}

int eng_matmul(EngGraph *g, const char *name, int x, int m, int k, int out, int trans_a, int bias) {
    int id = node_new(g, name, ENG_OP_MATMUL, &x, 1);
    if (id < 0) return -1;
    EngNode *n = &g->nodes[id];
    EngShape s = *in_shape(g, id, 0);
    if (m <= 0 || k <= 0 || out <= 0 || m > ENG_MAX_DIM || k > ENG_MAX_DIM || out > ENG_MAX_DIM ||
        (int64_t)m * k != (int64_t)s.C * s.H * s.W)
        return node_reject(g, id, "a %dx%d matrix does not fit a %dx%dx%d sample", trans_a ? k : m,
                           trans_a ? m : k, s.C, s.H, s.W);
    if ((int64_t)k * out > ENG_MAX_ELEMS || (int64_t)m * out > ENG_MAX_ELEMS)
        return node_reject(g, id, "%d x %d weights are too many", k, out);
    n->p.matmul = (EngMatmulParams){m, k, out, trans_a ? 1 : 0, bias ? 1 : 0};
    n->out = (EngShape){m, out, 1};
    if (!shape_ok(g, id)) return -1;
    add_param(n, "weight", ENG_PARAM_WEIGHT, 1, 2, out, k, 0, 0);
    if (bias) add_param(n, "bias", ENG_PARAM_BIAS, 1, 2, m, out, 0, 0);
    n->macs = (int64_t)m * k * out;
    n->rf = rf_infinite();
    return id;
}

int eng_affine(EngGraph *g, const char *name, int x, int scale, int shift) {
    int id = same_shape_add(g, name, x, ENG_OP_AFFINE);
    if (id < 0) return -1;
    EngNode *n = &g->nodes[id];
    const int64_t units = (int64_t)n->out.C * n->out.H * n->out.W;
    if (!scale && !shift) return node_reject(g, id, "neither a scale nor a shift");
    if (units > INT32_MAX) return node_reject(g, id, "%lld units are too many", (long long)units);
    n->p.affine = (EngAffineParams){scale ? 1 : 0, shift ? 1 : 0};
    if (scale) add_param(n, "weight", ENG_PARAM_WEIGHT, 1, 1, (int)units, 0, 0, 0);
    if (shift) add_param(n, "bias", ENG_PARAM_BIAS, 1, 1, (int)units, 0, 0, 0);
    return id;
}

int eng_reshape(EngGraph *g, const char *name, int x, int C, int H, int W) {
    int id = node_new(g, name, ENG_OP_RESHAPE, &x, 1);
    if (id < 0) return -1;
    EngShape s = g->nodes[x].out;
    if (C <= 0 || H <= 0 || W <= 0 || (int64_t)C * H * W != (int64_t)s.C * s.H * s.W)
        return node_reject(g, id, "%dx%dx%d does not hold the %dx%dx%d input", C, H, W, s.C, s.H, s.W);
    g->nodes[id].out = (EngShape){C, H, W};
    /* the same shape: the same grid; any other is another one */
    g->nodes[id].rf = C == s.C && H == s.H && W == s.W ? g->nodes[x].rf : rf_infinite();
    if (!shape_ok(g, id)) return -1;
    return id;
}

int eng_flatten(EngGraph *g, const char *name, int x) {
    int id = node_new(g, name, ENG_OP_FLATTEN, &x, 1);
    if (id < 0) return -1;
    EngShape s = g->nodes[x].out;
    g->nodes[id].out = (EngShape){s.C * s.H * s.W, 1, 1};
    /* each output element is one input pixel, but the spatial grid is gone */
    g->nodes[id].rf = (s.H == 1 && s.W == 1) ? g->nodes[x].rf : rf_infinite();
    if (!shape_ok(g, id)) return -1;
    return id;
}

int eng_add(EngGraph *g, const char *name, const int *xs, int n_in) {
    if (n_in < 1) {
        if (g && !g->failed) graph_fail(g, "engine: node '%s' (add): needs at least one input", name ? name : "?");
        return -1;
    }
    int id = node_new(g, name, ENG_OP_ADD, xs, n_in);
    if (id < 0) return -1;
    EngShape s0 = *in_shape(g, id, 0);
    for (int i = 1; i < n_in; i++) {
        EngShape s = *in_shape(g, id, i);
        if (s.C != s0.C || s.H != s0.H || s.W != s0.W)
            return node_reject(g, id, "input %d is %dx%dx%d but input 0 is %dx%dx%d", i, s.C, s.H,
                               s.W, s0.C, s0.H, s0.W);
    }
    g->nodes[id].out = s0;
    g->nodes[id].rf = rf_merge(g, id);
    return id;
}
int eng_add2(EngGraph *g, const char *name, int a, int b) {
    int xs[2] = {a, b};
    return eng_add(g, name, xs, 2);
}

int eng_mul(EngGraph *g, const char *name, int x, int scale) {
    int xs[2] = {x, scale};
    int id = node_new(g, name, ENG_OP_MUL, xs, 2);
    if (id < 0) return -1;
    EngShape a = *in_shape(g, id, 0), b = *in_shape(g, id, 1);
    int per_channel = (b.C == a.C && b.H == 1 && b.W == 1);
    int same = (b.C == a.C && b.H == a.H && b.W == a.W);
    if (!per_channel && !same)
        return node_reject(g, id, "scale %dx%dx%d must be %dx1x1 or %dx%dx%d", b.C, b.H, b.W, a.C,
                           a.C, a.H, a.W);
    g->nodes[id].out = a;
    g->nodes[id].rf = rf_merge(g, id);
    return id;
}

int eng_concat(EngGraph *g, const char *name, const int *xs, int n_in) {
    if (n_in < 1) {
        if (g && !g->failed) graph_fail(g, "engine: node '%s' (concat): needs at least one input", name ? name : "?");
        return -1;
    }
    int id = node_new(g, name, ENG_OP_CONCAT, xs, n_in);
    if (id < 0) return -1;
    EngShape s0 = *in_shape(g, id, 0);
    int64_t C = 0;
    for (int i = 0; i < n_in; i++) {
        EngShape s = *in_shape(g, id, i);
        if (s.H != s0.H || s.W != s0.W)
            return node_reject(g, id,
                               "input %d is %dx%d but input 0 is %dx%d: branches must keep the "
                               "same spatial size (\"same\" padding)",
                               i, s.H, s.W, s0.H, s0.W);
        C += s.C;
    }
    if (C > ENG_MAX_DIM) return node_reject(g, id, "%lld channels are too many", (long long)C);
    g->nodes[id].out = (EngShape){(int)C, s0.H, s0.W};
    g->nodes[id].p.concat = (EngConcatParams){1, s0.H * s0.W};
    if (!shape_ok(g, id)) return -1;
    g->nodes[id].rf = rf_merge(g, id);
    return id;
}

int eng_concat_span(EngGraph *g, const char *name, const int *xs, int n_in, int outer, int inner,
                    EngShape out) {
    if (n_in < 1) {
        if (g && !g->failed) graph_fail(g, "engine: node '%s' (concat): needs at least one input", name ? name : "?");
        return -1;
    }
    int id = node_new(g, name, ENG_OP_CONCAT, xs, n_in);
    if (id < 0) return -1;
    const int64_t span = (int64_t)outer * inner;
    int64_t total = 0;
    if (outer < 1 || inner < 1) return node_reject(g, id, "invalid span %d x %d", outer, inner);
    for (int i = 0; i < n_in; i++) {
        EngShape s = *in_shape(g, id, i);
        const int64_t size = (int64_t)s.C * s.H * s.W;
        if (size % span)
            return node_reject(g, id, "input %d (%dx%dx%d) is not %d blocks of %d-value rows", i,
                               s.C, s.H, s.W, outer, inner);
        total += size;
    }
    if ((int64_t)out.C * out.H * out.W != total || out.C < 1 || out.H < 1 || out.W < 1)
        return node_reject(g, id, "output %dx%dx%d does not hold the %lld input values", out.C,
                           out.H, out.W, (long long)total);
    g->nodes[id].out = out;
    g->nodes[id].p.concat = (EngConcatParams){outer, inner};
    if (!shape_ok(g, id)) return -1;
    g->nodes[id].rf = rf_infinite();
    return id;
}

int eng_maxunpool(EngGraph *g, const char *name, int x, int oh, int ow) {
    int id = node_new(g, name, ENG_OP_MAXUNPOOL, &x, 1);
    if (id < 0) return -1;
    EngNode *n = &g->nodes[id];
    const EngShape s = g->nodes[x].out;
    if (oh < 1 || ow < 1 || s.C > ENG_UNPOOL_MAX_UNITS / oh / ow)
        return node_reject(g, id, "output %dx%dx%d: 1 to %d units are supported", s.C, oh, ow,
                           ENG_UNPOOL_MAX_UNITS);
    n->out = (EngShape){s.C, oh, ow};
    n->p.unpool = (EngUnpoolParams){oh, ow};
    if (!shape_ok(g, id)) return -1;
    add_param(n, "indices", ENG_PARAM_WEIGHT, 0, 3, s.C, s.H, s.W, 0);
    n->rf = rf_infinite();
    return id;
}

int eng_transpose(EngGraph *g, const char *name, int x, const int dims[4], const int perm[4], int C,
                  int H, int W) {
    int id = node_new(g, name, ENG_OP_TRANSPOSE, &x, 1);
    if (id < 0) return -1;
    EngNode *n = &g->nodes[id];
    const EngShape s = g->nodes[x].out;
    int64_t size = 1;
    int seen = 0;
    for (int k = 0; k < 4; k++) {
        if (dims[k] < 1 || perm[k] < 0 || perm[k] > 3 || (seen & (1 << perm[k])))
            return node_reject(g, id, "dims or permutation out of range");
        seen |= 1 << perm[k];
        size *= dims[k];
    }
    if (size != (int64_t)s.C * s.H * s.W || C <= 0 || H <= 0 || W <= 0 || (int64_t)C * H * W != size)
        return node_reject(g, id, "%dx%dx%dx%d and %dx%dx%d do not hold the %dx%dx%d input", dims[0],
                           dims[1], dims[2], dims[3], C, H, W, s.C, s.H, s.W);
    n->out = (EngShape){C, H, W};
    memcpy(n->p.transpose.dims, dims, sizeof n->p.transpose.dims);
    memcpy(n->p.transpose.perm, perm, sizeof n->p.transpose.perm);
    /* channels reordered on the same grid (a channel shuffle) see what the input's
     * units see; any other permutation makes another grid */
    const int same_grid = dims[2] == s.H && dims[3] == s.W && perm[2] == 2 && perm[3] == 3 &&
                          H == s.H && W == s.W;
    n->rf = same_grid ? g->nodes[x].rf : rf_infinite();
    if (!shape_ok(g, id)) return -1;
    return id;
}

int eng_slice(EngGraph *g, const char *name, int x, const EngSliceParams *p, EngShape out) {
    int id = node_new(g, name, ENG_OP_SLICE, &x, 1);
    if (id < 0) return -1;
    EngNode *n = &g->nodes[id];
    const EngShape s = g->nodes[x].out;
    const int64_t size = (int64_t)s.C * s.H * s.W;
    if (p->outer < 1 || p->len < 1 || p->inner < 1 || (int64_t)p->outer * p->len * p->inner != size ||
        p->step < 1 || p->count < 1 || p->start < 0 ||
        p->start + (int64_t)(p->count - 1) * p->step >= p->len)
        return node_reject(g, id, "slice of %d from %d by %d does not fit %d x %d x %d", p->count,
                           p->start, p->step, p->outer, p->len, p->inner);
    if (out.C < 1 || out.H < 1 || out.W < 1 ||
        (int64_t)out.C * out.H * out.W != (int64_t)p->outer * p->count * p->inner)
        return node_reject(g, id, "output %dx%dx%d does not hold the slice", out.C, out.H, out.W);
    n->out = out;
    n->p.slice = *p;
    if (!shape_ok(g, id)) return -1;
    /* some channels of the same grid see what the input's units see */
    const int channels = p->outer == 1 && p->inner == s.H * s.W && out.H == s.H && out.W == s.W;
    n->rf = channels ? g->nodes[x].rf : rf_infinite();
    return id;
}

/* Each output place's source in one sample (dx: scatter back): out (o0, o1,
 * o2, o3) over dims[perm[k]] reads in at sum o_k * stride[perm[k]]. */
static void transpose_sample(float *out, const float *in, const EngTransposeParams *q, int back) {
    int64_t st[4], od[4];
    st[3] = 1;
    for (int k = 2; k >= 0; k--) st[k] = st[k + 1] * q->dims[k + 1];
    for (int k = 0; k < 4; k++) od[k] = q->dims[q->perm[k]];
    const int64_t s0 = st[q->perm[0]], s1 = st[q->perm[1]], s2 = st[q->perm[2]], s3 = st[q->perm[3]];
    size_t o = 0;
    for (int64_t a = 0; a < od[0]; a++)
        for (int64_t b = 0; b < od[1]; b++)
            for (int64_t c = 0; c < od[2]; c++) {
                const float *src = in + a * s0 + b * s1 + c * s2;
                float *dst = out + a * s0 + b * s1 + c * s2;
                if (!back)
                    for (int64_t d = 0; d < od[3]; d++) out[o++] = src[d * s3];
                else /* out is dx (input layout), in is dy (output layout) */
                    for (int64_t d = 0; d < od[3]; d++) dst[d * s3] += in[o++];
            }
}

int eng_const(EngGraph *g, const char *name, int C, int H, int W) {
    int id = node_new(g, name, ENG_OP_CONST, NULL, 0);
    if (id < 0) return -1;
    EngNode *n = &g->nodes[id];
    n->out = (EngShape){C, H, W};
    if (C < 1 || H < 1 || W < 1 || !shape_ok(g, id))
        return node_reject(g, id, "invalid shape %dx%dx%d", C, H, W);
    add_param(n, "value", ENG_PARAM_WEIGHT, 0, 3, C, H, W, 0);
    n->rf = rf_infinite();
    return id;
}

int eng_pad(EngGraph *g, const char *name, int x, int pt, int pl, int pb, int pr, float value) {
    const EngPadParams p = {pt, pl, pb, pr, value, 0, 0};
    return eng_pad_chw(g, name, x, &p);
}

int eng_pad_chw(EngGraph *g, const char *name, int x, const EngPadParams *p) {
    int id = node_new(g, name, ENG_OP_PAD, &x, 1);
    if (id < 0) return -1;
    EngShape s = g->nodes[x].out;
    const int v[6] = {p->cb, p->ca, p->pt, p->pl, p->pb, p->pr};
    for (int k = 0; k < 6; k++)
        if (v[k] < 0 || v[k] > 4096)
            return node_reject(g, id, "pads %d,%d (C) %d,%d,%d,%d (H, W) must be between 0 and 4096",
                               p->cb, p->ca, p->pt, p->pl, p->pb, p->pr);
    g->nodes[id].p.pad = *p;
    g->nodes[id].out = (EngShape){s.C + p->cb + p->ca, s.H + p->pt + p->pb, s.W + p->pl + p->pr};
    if (!shape_ok(g, id)) return -1;
    /* new channels move no pixel: the field is the input's, shifted by the top pad */
    g->nodes[id].rf = rf_through(g->nodes[x].rf, 1, 1, p->pt);
    return id;
}

/* ---- accounting ------------------------------------------------------------------- */

int64_t eng_node_params(const EngNode *n) {
    int64_t s = 0;
    for (int i = 0; i < n->n_params; i++)
        if (n->params[i].learnable) s += (int64_t)n->params[i].n;
    return s;
}

int64_t eng_node_weights(const EngNode *n) {
    int64_t s = 0;
    for (int i = 0; i < n->n_params; i++)
        if (n->params[i].learnable && n->params[i].kind == ENG_PARAM_WEIGHT)
            s += (int64_t)n->params[i].n;
    return s;
}

int64_t eng_node_act_bytes(const EngNode *n) {
    return (int64_t)n->out.C * n->out.H * n->out.W * (int64_t)sizeof(float);
}

EngTotals eng_graph_totals(const EngGraph *g) {
    EngTotals t = {0};
    if (!g) return t;
    for (int i = 0; i < g->n_nodes; i++) {
        const EngNode *n = &g->nodes[i];
        if (n->flags & ENG_NODE_TRAIN_ONLY) {
            t.train_only_params += eng_node_params(n);
            continue;
        }
        t.params += eng_node_params(n);
        t.weights += eng_node_weights(n);
        t.macs += n->macs;
        t.act_bytes += eng_node_act_bytes(n);
    }
    return t;
}

static int has_bias(const EngNode *n) {
    for (int i = 0; i < n->n_params; i++)
        if (n->params[i].kind == ENG_PARAM_BIAS) return 1;
    return 0;
}

int64_t eng_node_ops(const EngNode *n, const EngGraph *g, EngCount c) {
    const int64_t e = (int64_t)n->out.C * n->out.H * n->out.W, ma = c.flops ? 2 : 1;
    int64_t plane = 0;
    if (n->n_inputs > 0 && g && n->inputs[0] >= 0 && n->inputs[0] < g->n_nodes) {
        const EngShape *in = &g->nodes[n->inputs[0]].out;
        plane = (int64_t)in->H * in->W;
    }
    switch (n->op) {
    case ENG_OP_CONV:
    case ENG_OP_CONVT:
    case ENG_OP_FC:
    case ENG_OP_MATMUL: return n->macs * ma + (c.bias && has_bias(n) ? e : 0);
    case ENG_OP_BN: return c.bn ? e * ma : 0;
    case ENG_OP_RELU:
    case ENG_OP_LEAKYRELU:
    case ENG_OP_PRELU:
    case ENG_OP_CLIP:
    case ENG_OP_SIGMOID:
    case ENG_OP_TANH:
    case ENG_OP_HARDSIGMOID:
    case ENG_OP_HARDSWISH: return c.act ? e : 0;
    case ENG_OP_SOFTMAX:
    case ENG_OP_LOGSOFTMAX: return c.act ? 3 * e : 0;
    default: break;
    }
    if (!c.other) return 0;
    switch (n->op) {
    case ENG_OP_MAXPOOL: return e * ((int64_t)n->p.pool.kh * n->p.pool.kw - 1);
    case ENG_OP_AVGPOOL: return e * ((int64_t)n->p.pool.kh * n->p.pool.kw);
    case ENG_OP_GAVGPOOL: return e * plane;
    case ENG_OP_GMAXPOOL: return e * (plane - 1);
    case ENG_OP_ADD: return e * (n->n_inputs - 1);
    case ENG_OP_MUL: return e;
    case ENG_OP_AFFINE: return e * (n->p.affine.has_scale + n->p.affine.has_shift);
    case ENG_OP_LRN: return e * ((int64_t)n->p.lrn.size * ma + 3);
    default: return 0;
    }
}

int64_t eng_graph_ops(const EngGraph *g, EngCount c) {
    int64_t t = 0;
    if (!g) return 0;
    for (int i = 0; i < g->n_nodes; i++)
        if (!(g->nodes[i].flags & ENG_NODE_TRAIN_ONLY)) t += eng_node_ops(&g->nodes[i], g, c);
    return t;
}

int eng_count_parse(const char *s, EngCount *c) {
    EngCount r = {0};
    if (!s) return -1;
    size_t len = strcspn(s, ",");
    if (len == 4 && !strncmp(s, "macs", 4)) r.flops = 0;
    else if (len == 5 && !strncmp(s, "flops", 5)) r.flops = 1;
    else return -1;
    for (s += len; *s == ',';) {
        s++;
        len = strcspn(s, ",");
        if (len == 4 && !strncmp(s, "bias", 4)) r.bias = 1;
        else if (len == 2 && !strncmp(s, "bn", 2)) r.bn = 1;
        else if (len == 3 && !strncmp(s, "act", 3)) r.act = 1;
        else if (len == 5 && !strncmp(s, "other", 5)) r.other = 1;
        else if (len == 3 && !strncmp(s, "all", 3)) r.bias = r.bn = r.act = r.other = 1;
        else return -1;
        s += len;
    }
    *c = r;
    return 0;
}

void eng_count_describe(EngCount c, char *buf, size_t n) {
    snprintf(buf, n, "%s%s%s%s%s", c.flops ? "FLOPs (2 per multiply-add)" : "MACs (1 per multiply-add)",
             c.bias ? " + bias" : "", c.bn ? " + batch norm" : "", c.act ? " + activations" : "",
             c.other ? " + pooling, adds, LRN" : "");
}

void eng_graph_node_depths(const EngGraph *g, int *d) {
    for (int i = 0; g && i < g->n_nodes; i++) {
        const EngNode *n = &g->nodes[i];
        d[i] = 0;
        if (n->flags & ENG_NODE_TRAIN_ONLY) continue;
        int m = 0;
        for (int k = 0; k < n->n_inputs; k++)
            if (d[n->inputs[k]] > m) m = d[n->inputs[k]];
        d[i] = m + (n->op == ENG_OP_CONV || n->op == ENG_OP_CONVT || n->op == ENG_OP_FC ||
                    n->op == ENG_OP_MATMUL);
    }
}

int eng_graph_depth(const EngGraph *g) {
    if (!g || g->n_nodes == 0) return 0;
    int *d = malloc((size_t)g->n_nodes * sizeof *d);
    if (!d) return -1;
    eng_graph_node_depths(g, d);
    int best = 0;
    for (int i = 0; i < g->n_nodes; i++)
        if (d[i] > best) best = d[i];
    free(d);
    return best;
}

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
static double rng_uniform(uint64_t *s) { return ((rng_next(s) >> 11) + 0.5) * (1.0 / 9007199254740992.0); }
static float rng_normal(uint64_t *s) {
    /* Box-Muller */
    double u = rng_uniform(s), v = rng_uniform(s);
    return (float)(sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v));
}

int eng_graph_init_params(EngGraph *g, uint64_t seed) {
    return eng_graph_init_params_ex(g, seed, ENG_INIT_HE);
}

int eng_graph_init_params_ex(EngGraph *g, uint64_t seed, EngInit init) {
    if (!g || eng_graph_alloc_params(g) != 0) return -1;
    uint64_t s = seed;
    for (int i = 0; i < g->n_nodes; i++) {
        EngNode *n = &g->nodes[i];
        for (int k = 0; k < n->n_params; k++) {
            EngParam *p = &n->params[k];
            float fill = 0.0f;
            if (p->kind == ENG_PARAM_WEIGHT && (n->op == ENG_OP_CONV || n->op == ENG_OP_CONVT ||
                                                n->op == ENG_OP_FC || n->op == ENG_OP_MATMUL)) {
                /* He et al. 2015: std sqrt(2 / fan_in) keeps the variance of
                 * ReLU activations constant from layer to layer. Glorot and
                 * Bengio 2010 ("Xavier"): std sqrt(2 / (fan_in + fan_out)), for
                 * tanh and sigmoid. Dims are (out, in, k...): fan_in = in * k,
                 * fan_out = out * k, as PyTorch counts them. */
                size_t fan_in = p->n / (size_t)p->dims[0];
                size_t fan_out = p->ndim > 1 && p->dims[1] ? p->n / (size_t)p->dims[1] : (size_t)p->dims[0];
                double den = init == ENG_INIT_XAVIER ? (double)(fan_in + fan_out) : (double)fan_in;
                float sd = (float)sqrt(2.0 / (den > 0 ? den : 1.0));
                if (init == ENG_INIT_HE_UNIFORM) {
                    const float bound = sd * 1.7320508f, scale = 2.0f * bound / 16777216.0f;
                    for (size_t j = 0; j < p->n; j++)
                        p->data[j] = (float)(rng_next(&s) >> 40) * scale - bound;
                    continue;
                }
                for (size_t j = 0; j < p->n; j++) p->data[j] = sd * rng_normal(&s);
                continue;
            }
            if (p->kind == ENG_PARAM_WEIGHT && n->op == ENG_OP_PRELU) fill = 0.25f;
            if (p->kind == ENG_PARAM_WEIGHT && n->op == ENG_OP_AFFINE) fill = 1.0f;
            else if (p->kind == ENG_PARAM_WEIGHT || p->kind == ENG_PARAM_RUNNING_VAR) fill = 1.0f;
            for (size_t j = 0; j < p->n; j++) p->data[j] = fill;
        }
    }
    return 0;
}

/* ---- buffers ------------------------------------------------------------------------ */

#define ENG_ALIGN_FLOATS 16 /* 64 bytes: one cache line, one AVX-512 vector */

static size_t round_up(size_t n) { return (n + ENG_ALIGN_FLOATS - 1) / ENG_ALIGN_FLOATS * ENG_ALIGN_FLOATS; }

static int runs_at_inference(const EngNode *n) { return !(n->flags & ENG_NODE_TRAIN_ONLY); }

int eng_graph_plan(EngGraph *g, int N) {
    if (!g || g->failed) return -1;
    if (N < 1 || N > 65536) {
        eng_log(ENG_LOG_ERROR, "engine: batch size %d outside 1..65536", N);
        return -1;
    }
    if (g->batch == N && g->act_block && (!g->want_grads || g->grad_block)) return 0;
    free_buffers(g);
    size_t act = 0, sw = 0, scratch = 0, aux = 0;
    int max_in = 1;
    for (int i = 0; i < g->n_nodes; i++) {
        EngNode *n = &g->nodes[i];
        if (!runs_at_inference(n)) continue;
        if (n->n_inputs > max_in) max_in = n->n_inputs;
        size_t e;
        if (!eng_mul_size(&e, (size_t)n->out.C * n->out.H * n->out.W, (size_t)N)) goto too_big;
        act += round_up(e);
        if (n->op == ENG_OP_MAXPOOL) sw += round_up(e);
        if (n->op == ENG_OP_CONV || n->op == ENG_OP_CONVT) {
            EngShape s = g->nodes[n->inputs[0]].out;
            size_t need = n->op == ENG_OP_CONV
                              ? eng_conv2d_scratch(s.C, s.H, s.W, &n->p.conv, n->out.H, n->out.W)
                              : eng_convt2d_scratch(s.C, s.H, s.W, &n->p.convt, n->out.H, n->out.W);
            if (need > scratch) scratch = need;
            if (g->want_grads && n->op == ENG_OP_CONV) {
                need = eng_conv2d_backward_scratch(s.C, s.H, s.W, &n->p.conv, n->out.H, n->out.W);
                if (need > scratch) scratch = need;
            }
        }
        if (g->want_grads && n->op == ENG_OP_BN) aux += round_up(2 * (size_t)n->out.C);
        if (g->want_grads && n->op == ENG_OP_DROPOUT) aux += round_up(e);
    }
    size_t bytes_act, bytes_sw, bytes_scr;
    if (!eng_mul_size(&bytes_act, act, sizeof(float)) || !eng_mul_size(&bytes_sw, sw, sizeof(int32_t)) ||
        !eng_mul_size(&bytes_scr, scratch, sizeof(float)))
        goto too_big;
    if (posix_memalign((void **)&g->act_block, 64, bytes_act ? bytes_act : 64) != 0) g->act_block = NULL;
    if (sw && posix_memalign((void **)&g->switch_block, 64, bytes_sw) != 0) g->switch_block = NULL;
    if (scratch && posix_memalign((void **)&g->scratch, 64, bytes_scr) != 0) g->scratch = NULL;
    g->in_ptrs = malloc((size_t)max_in * sizeof *g->in_ptrs);
    g->in_chans = malloc((size_t)max_in * sizeof *g->in_chans);
    if (g->want_grads) {
        /* gradients: one per activation, plus BN/dropout state (the parameters'
         * gradients do not depend on the batch: eng_graph_grad_params_ready) */
        if (posix_memalign((void **)&g->grad_block, 64, bytes_act ? bytes_act : 64) != 0)
            g->grad_block = NULL;
        if (aux) g->aux_block = calloc(aux, sizeof(float));
    }
    if (!g->act_block || (sw && !g->switch_block) || (scratch && !g->scratch) || !g->in_ptrs ||
        !g->in_chans ||
        (g->want_grads && (!g->grad_block || (aux && !g->aux_block)))) {
        eng_log(ENG_LOG_ERROR,
                "engine: out of memory planning batch %d (%.1f MB activations, %.1f MB scratch)", N,
                bytes_act / 1e6, bytes_scr / 1e6);
        free_buffers(g);
        return -1;
    }
    g->scratch_floats = scratch;
    size_t off = 0, soff = 0, aoff = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        EngNode *n = &g->nodes[i];
        if (!runs_at_inference(n)) continue;
        size_t e = (size_t)n->out.C * n->out.H * n->out.W * (size_t)N;
        n->act = g->act_block + off;
        if (g->grad_block) n->grad = g->grad_block + off;
        off += round_up(e);
        if (n->op == ENG_OP_MAXPOOL) {
            n->argmax = g->switch_block + soff;
            soff += round_up(e);
        }
        if (g->aux_block && n->op == ENG_OP_BN) {
            n->aux = g->aux_block + aoff;
            aoff += round_up(2 * (size_t)n->out.C);
        }
        if (g->aux_block && n->op == ENG_OP_DROPOUT) {
            n->aux = g->aux_block + aoff;
            aoff += round_up(e);
        }
    }
    g->batch = N;
    return 0;
too_big:
    eng_log(ENG_LOG_ERROR, "engine: batch %d does not fit in memory (size overflow)", N);
    return -1;
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
static int eng_graph_grad_params_ready(EngGraph *g) {
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

/* ---- forward ------------------------------------------------------------------------ */

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void run_node(EngGraph *g, EngNode *n) {
    const int N = g->batch;
    const EngShape o = n->out;
    const EngNode *x = n->n_inputs ? &g->nodes[n->inputs[0]] : NULL;
    const EngShape s = x ? x->out : o;
    const size_t count = (size_t)N * o.C * o.H * o.W;
    const int ref = g->reference;
    const float *w = n->n_params > 0 ? n->params[0].data : NULL;
    switch (n->op) {
    case ENG_OP_INPUT: break;
    case ENG_OP_CONV: {
        const float *b = n->p.conv.has_bias ? n->params[1].data : NULL;
        if (ref)
            eng_conv2d_forward_naive(n->act, x->act, w, b, N, s.C, s.H, s.W, &n->p.conv, o.H, o.W);
        else
            eng_conv2d_forward(n->act, x->act, w, b, N, s.C, s.H, s.W, &n->p.conv, o.H, o.W,
                               g->scratch);
        break;
    }
    case ENG_OP_CONVT: {
        const float *b = n->p.convt.has_bias ? n->params[1].data : NULL;
        if (ref)
            eng_convt2d_forward_naive(n->act, x->act, w, b, N, s.C, s.H, s.W, &n->p.convt, o.H, o.W);
        else
            eng_convt2d_forward(n->act, x->act, w, b, N, s.C, s.H, s.W, &n->p.convt, o.H, o.W,
                                g->scratch);
        break;
    }
    case ENG_OP_MAXPOOL:
        (ref ? eng_maxpool_forward_naive : eng_maxpool_forward)(n->act, n->argmax, x->act, N, s.C,
                                                                s.H, s.W, &n->p.pool, o.H, o.W);
        break;
    case ENG_OP_AVGPOOL:
        (ref ? eng_avgpool_forward_naive : eng_avgpool_forward)(n->act, x->act, N, s.C, s.H, s.W,
                                                                &n->p.pool, o.H, o.W);
        break;
    case ENG_OP_GAVGPOOL:
        (ref ? eng_gavgpool_forward_naive : eng_gavgpool_forward)(n->act, x->act, N, s.C, s.H, s.W);
        break;
    case ENG_OP_GMAXPOOL:
        (ref ? eng_gmaxpool_forward_naive : eng_gmaxpool_forward)(n->act, x->act, N, s.C, s.H, s.W);
        break;
    case ENG_OP_LRN:
        (ref ? eng_lrn_forward_naive : eng_lrn_forward)(n->act, x->act, N, s.C, s.H, s.W, &n->p.lrn);
        break;
    case ENG_OP_BN:
        if (g->training && n->aux) { /* batch statistics; the running ones move */
            eng_bn_forward_train(n->act, n->aux, x->act, n->params[0].data, n->params[1].data,
                                 n->params[2].data, n->params[3].data, N, s.C, s.H, s.W,
                                 n->p.bn.eps, 0.1f);
            break;
        }
        (ref ? eng_bn_forward_naive : eng_bn_forward)(n->act, x->act, n->params[0].data,
                                                      n->params[1].data, n->params[2].data,
                                                      n->params[3].data, N, s.C, s.H, s.W,
                                                      n->p.bn.eps);
        break;
    case ENG_OP_RELU: eng_relu_forward(n->act, x->act, count); break;
    case ENG_OP_LEAKYRELU: eng_leakyrelu_forward(n->act, x->act, count, n->p.leaky.alpha); break;
    case ENG_OP_PRELU:
        if (n->p.prelu.slopes > s.C) /* one slope per unit: each unit is its own channel */
            eng_prelu_forward(n->act, x->act, w, n->p.prelu.slopes, N, n->p.prelu.slopes, 1, 1);
        else
            eng_prelu_forward(n->act, x->act, w, n->p.prelu.slopes, N, s.C, s.H, s.W);
        break;
    case ENG_OP_CLIP: eng_clip_forward(n->act, x->act, count, n->p.clip.lo, n->p.clip.hi); break;
    case ENG_OP_SIGMOID: eng_sigmoid_forward(n->act, x->act, count); break;
    case ENG_OP_TANH: eng_tanh_forward(n->act, x->act, count); break;
    case ENG_OP_HARDSIGMOID:
        eng_hardsigmoid_forward(n->act, x->act, count, n->p.hsig.alpha, n->p.hsig.beta);
        break;
    case ENG_OP_HARDSWISH: eng_hardswish_forward(n->act, x->act, count); break;
    case ENG_OP_SOFTMAX:
    { /* (N, outer, len, inner): the kernel's (N', C, H*W) with N' = N * outer */
        const EngSoftmaxParams *q = &n->p.softmax;
        const int outer = (int)(((int64_t)s.C * s.H * s.W) / ((int64_t)q->len * q->inner));
        (ref ? eng_softmax_forward_naive : eng_softmax_forward)(n->act, x->act, N * outer, q->len,
                                                                q->inner, 1);
        break;
    }
    case ENG_OP_LOGSOFTMAX: {
        const EngSoftmaxParams *q = &n->p.softmax;
        const int outer = (int)(((int64_t)s.C * s.H * s.W) / ((int64_t)q->len * q->inner));
        eng_logsoftmax_forward(n->act, x->act, N * outer, q->len, q->inner, 1);
        break;
    }
    case ENG_OP_FC: {
        const float *b = n->p.fc.has_bias ? n->params[1].data : NULL;
        int K = s.C * s.H * s.W;
        (ref ? eng_fc_forward_naive : eng_fc_forward)(n->act, x->act, w, b, N, K, o.C);
        break;
    }
    case ENG_OP_ADD:
        for (int i = 0; i < n->n_inputs; i++) g->in_ptrs[i] = g->nodes[n->inputs[i]].act;
        eng_add_forward(n->act, g->in_ptrs, n->n_inputs, count);
        break;
    case ENG_OP_MUL: {
        const EngNode *sc = &g->nodes[n->inputs[1]];
        if (sc->out.H == 1 && sc->out.W == 1 && (o.H != 1 || o.W != 1))
            eng_mul_channel_forward(n->act, x->act, sc->act, N, o.C, o.H * o.W);
        else
            eng_mul_forward(n->act, x->act, sc->act, count);
        break;
    }
    case ENG_OP_CONCAT: { /* (N * outer, len_i, inner) blocks */
        const EngConcatParams *q = &n->p.concat;
        for (int i = 0; i < n->n_inputs; i++) {
            const EngShape si = g->nodes[n->inputs[i]].out;
            g->in_ptrs[i] = g->nodes[n->inputs[i]].act;
            g->in_chans[i] = (int)(((int64_t)si.C * si.H * si.W) / ((int64_t)q->outer * q->inner));
        }
        eng_concat_forward(n->act, g->in_ptrs, g->in_chans, n->n_inputs, N * q->outer, q->inner);
        break;
    }
    case ENG_OP_MAXUNPOOL:
        (ref ? eng_maxunpool_forward_naive : eng_maxunpool_forward)(
            n->act, x->act, w, N, (size_t)s.C * s.H * s.W, (size_t)o.C * o.H * o.W);
        break;
    case ENG_OP_CONST: { /* the same value in every sample */
        const size_t size = (size_t)o.C * o.H * o.W;
        for (int b = 0; b < N; b++) memcpy(n->act + (size_t)b * size, w, size * sizeof(float));
        break;
    }
    case ENG_OP_DROPOUT:
        if (g->training && n->aux) {
            /* inverted dropout (Srivastava et al. 2014): keep with probability
             * 1-p and scale by 1/(1-p), so inference needs no rescaling */
            const float keep = 1.0f - n->p.dropout.ratio, scale = 1.0f / keep;
            for (size_t i = 0; i < count; i++) {
                float m = rng_uniform(&g->rng) < keep ? scale : 0.0f;
                n->aux[i] = m;
                n->act[i] = x->act[i] * m;
            }
            break;
        }
        memcpy(n->act, x->act, count * sizeof(float)); /* identity at inference */
        break;
    case ENG_OP_AFFINE: {
        const EngAffineParams *q = &n->p.affine;
        eng_affine_forward(n->act, x->act, q->has_scale ? w : NULL,
                           q->has_shift ? n->params[q->has_scale].data : NULL, N,
                           (size_t)s.C * s.H * s.W);
        break;
    }
    case ENG_OP_MATMUL: {
        const float *b = n->p.matmul.has_bias ? n->params[1].data : NULL;
        (ref ? eng_matmul_forward_naive : eng_matmul_forward)(n->act, x->act, w, b, N, &n->p.matmul);
        break;
    }
    case ENG_OP_FLATTEN:
    case ENG_OP_RESHAPE:
        memcpy(n->act, x->act, count * sizeof(float));
        break;
    case ENG_OP_PAD: eng_pad_forward(n->act, x->act, N, s.C, s.H, s.W, &n->p.pad); break;
    case ENG_OP_TRANSPOSE: {
        const size_t size = (size_t)s.C * s.H * s.W;
        for (int b = 0; b < N; b++)
            transpose_sample(n->act + (size_t)b * size, x->act + (size_t)b * size, &n->p.transpose, 0);
        break;
    }
    case ENG_OP_BN_BATCH:
    case ENG_OP_BN_STAT: {
        const EngBnBatchParams *q = &n->p.bnb;
        const size_t size = (size_t)s.C * s.H * s.W, hw = (size_t)q->hw;
        for (int b = 0; b < N; b++) {
            const float *xs = x->act + (size_t)b * size;
            for (int c = 0; c < q->c; c++) {
                double mean, var;
                bn_group_stats(xs, q, c, &mean, &var);
                if (n->op == ENG_OP_BN_STAT) {
                    const double batch = q->stat ? var : mean;
                    n->act[(size_t)b * q->c + c] = (float)(w[c] * q->momentum + batch * (1.0 - q->momentum));
                    continue;
                }
                const float inv = (float)(1.0 / sqrt(var + q->eps)), gm = w[c], bt = n->params[1].data[c];
                for (int k = 0; k < q->n; k++) {
                    const size_t off = (size_t)b * size + ((size_t)k * q->c + c) * hw;
                    for (size_t i = 0; i < hw; i++)
                        n->act[off + i] = gm * ((x->act[off + i] - (float)mean) * inv) + bt;
                }
            }
        }
        break;
    }
    case ENG_OP_MAXPOOL_INDEX: { /* the pool's switches (h * W + w in a plane), as ONNX numbers them */
        const EngShape in = g->nodes[x->inputs[0]].out;
        const size_t plane = (size_t)in.H * in.W, per = (size_t)o.H * o.W;
        for (size_t nc = 0; nc < (size_t)N * o.C; nc++)
            for (size_t i = 0; i < per; i++) {
                const int32_t at = x->argmax[nc * per + i];
                const int32_t pl = n->p.pool_index.col_major ? (at % in.W) * in.H + at / in.W : at;
                n->act[nc * per + i] = (float)((double)(nc * plane) + pl);
            }
        break;
    }
    case ENG_OP_SLICE: {
        const EngSliceParams *q = &n->p.slice;
        const size_t in = (size_t)q->inner;
        float *dst = n->act;
        for (size_t o = 0; o < (size_t)N * q->outer; o++)
            for (int k = 0; k < q->count; k++, dst += in)
                memcpy(dst, x->act + (o * q->len + q->start + (size_t)k * q->step) * in, in * sizeof(float));
        break;
    }
    case ENG_OP_COUNT: ENG_ASSERT(0); break;
    }
}

int eng_graph_forward(EngGraph *g) {
    if (!g || g->failed) return -1;
    if (!g->param_block) {
        eng_log(ENG_LOG_ERROR, "engine: forward pass before the parameters were set");
        return -1;
    }
    if (!g->act_block) {
        eng_log(ENG_LOG_ERROR, "engine: forward pass before buffers were planned");
        return -1;
    }
    (void)eng_get_threads(); /* starts the worker pool on first use */
    for (int i = 0; i < g->n_nodes; i++) {
        EngNode *n = &g->nodes[i];
        if (!runs_at_inference(n)) continue;
        double t0 = now_ms();
        run_node(g, n);
        n->ms = now_ms() - t0;
    }
    return 0;
}

/* ---- backward ---------------------------------------------------------------------------- */

/* Add node n's output gradient into its inputs' gradients and its parameters'. */
static int back_node(EngGraph *g, EngNode *n) {
    const int N = g->batch;
    const EngShape o = n->out;
    EngNode *x = n->n_inputs ? &g->nodes[n->inputs[0]] : NULL;
    const EngShape s = x ? x->out : o;
    const size_t count = (size_t)N * o.C * o.H * o.W;
    float *dy = n->grad, *dx = x ? x->grad : NULL;
    EngParam *pw = n->n_params > 0 ? &n->params[0] : NULL;
    EngParam *pb = n->n_params > 1 ? &n->params[1] : NULL;
    /* a projection needs only the signal, not the parameters' gradients */
    float *gw = pw && !g->projecting ? pw->grad : NULL, *gb = pb && !g->projecting ? pb->grad : NULL;
    if (g->projecting && g->rule != ENG_RULE_BACKPROP &&
        (n->op == ENG_OP_RELU || n->op == ENG_OP_LEAKYRELU || n->op == ENG_OP_CLIP)) {
        /* deconvnet: rectify the signal going down, whatever the forward mask;
         * guided backprop: rectify it and apply the forward mask as well */
        const int guided = g->rule == ENG_RULE_GUIDED;
        for (size_t i = 0; i < count; i++) {
            float v = dy[i] > 0.0f ? dy[i] : 0.0f;
            if (guided) {
                float xv = x->act[i];
                if (n->op == ENG_OP_RELU) v = xv > 0.0f ? v : 0.0f;
                else if (n->op == ENG_OP_LEAKYRELU) v = xv >= 0.0f ? v : n->p.leaky.alpha * v;
                else v = (xv > n->p.clip.lo && xv < n->p.clip.hi) ? v : 0.0f;
            }
            dx[i] += v;
        }
        return 0;
    }
    if (g->projecting && g->rule == ENG_RULE_DECONV && n->op == ENG_OP_LRN) {
        for (size_t i = 0; i < count; i++) dx[i] += dy[i]; /* passed through, as the paper does */
        return 0;
    }
    switch (n->op) {
    case ENG_OP_INPUT: break;
    case ENG_OP_CONV:
        eng_conv2d_backward(dx, gw, n->p.conv.has_bias ? gb : NULL, dy, x->act,
                            pw->data, N, s.C, s.H, s.W, &n->p.conv, o.H, o.W, g->scratch);
        break;
    case ENG_OP_MAXPOOL: eng_maxpool_backward(dx, dy, n->argmax, N, s.C, s.H, s.W, o.H, o.W); break;
    case ENG_OP_AVGPOOL: eng_avgpool_backward(dx, dy, N, s.C, s.H, s.W, &n->p.pool, o.H, o.W); break;
    case ENG_OP_GAVGPOOL: eng_gavgpool_backward(dx, dy, N, s.C, s.H, s.W); break;
    case ENG_OP_GMAXPOOL: eng_gmaxpool_backward(dx, dy, x->act, N, s.C, s.H, s.W); break;
    case ENG_OP_LRN: eng_lrn_backward(dx, dy, x->act, N, s.C, s.H, s.W, &n->p.lrn); break;
    case ENG_OP_BN:
        if (g->training && n->aux)
            eng_bn_backward_train(dx, pw->grad, pb->grad, dy, x->act, pw->data, n->aux, N, s.C,
                                  s.H, s.W);
        else
            eng_bn_backward_eval(dx, gw, gb, dy, x->act, pw->data, n->params[2].data,
                                 n->params[3].data, N, s.C, s.H, s.W, n->p.bn.eps);
        break;
    case ENG_OP_RELU:
    case ENG_OP_SIGMOID:
    case ENG_OP_TANH:
    case ENG_OP_HARDSWISH: eng_act_backward(n->op, dx, dy, x->act, n->act, count, 0, 0); break;
    case ENG_OP_LEAKYRELU:
        eng_act_backward(n->op, dx, dy, x->act, n->act, count, n->p.leaky.alpha, 0);
        break;
    case ENG_OP_CLIP:
        eng_act_backward(n->op, dx, dy, x->act, n->act, count, n->p.clip.lo, n->p.clip.hi);
        break;
    case ENG_OP_HARDSIGMOID:
        eng_act_backward(n->op, dx, dy, x->act, n->act, count, n->p.hsig.alpha, n->p.hsig.beta);
        break;
    case ENG_OP_PRELU:
        if (n->p.prelu.slopes > s.C)
            eng_prelu_backward(dx, gw, dy, x->act, pw->data, n->p.prelu.slopes, N,
                               n->p.prelu.slopes, 1, 1);
        else
            eng_prelu_backward(dx, gw, dy, x->act, pw->data, n->p.prelu.slopes, N, s.C, s.H, s.W);
        break;
    case ENG_OP_SOFTMAX: {
        const EngSoftmaxParams *q = &n->p.softmax;
        const int outer = (int)(((int64_t)s.C * s.H * s.W) / ((int64_t)q->len * q->inner));
        eng_softmax_backward(dx, dy, n->act, N * outer, q->len, q->inner, 1);
        break;
    }
    case ENG_OP_LOGSOFTMAX: {
        const EngSoftmaxParams *q = &n->p.softmax;
        const int outer = (int)(((int64_t)s.C * s.H * s.W) / ((int64_t)q->len * q->inner));
        eng_logsoftmax_backward(dx, dy, n->act, N * outer, q->len, q->inner, 1);
        break;
    }
    case ENG_OP_AFFINE: {
        const EngAffineParams *q = &n->p.affine;
        float *gscale = q->has_scale ? gw : NULL;
        float *gshift = q->has_shift && !g->projecting ? n->params[q->has_scale].grad : NULL;
        eng_affine_backward(dx, gscale, gshift, dy, x->act,
                            q->has_scale ? pw->data : NULL, N, (size_t)s.C * s.H * s.W);
        break;
    }
    case ENG_OP_MATMUL:
        eng_matmul_backward(dx, gw, n->p.matmul.has_bias ? gb : NULL, dy, x->act, pw->data, N,
                            &n->p.matmul);
        break;
    case ENG_OP_FC:
        eng_fc_backward(dx, gw, n->p.fc.has_bias ? gb : NULL, dy, x->act, pw->data, N,
                        s.C * s.H * s.W, o.C);
        break;
    case ENG_OP_ADD:
        for (int k = 0; k < n->n_inputs; k++) {
            float *d = g->nodes[n->inputs[k]].grad;
            for (size_t i = 0; i < count; i++) d[i] += dy[i];
        }
        break;
    case ENG_OP_MUL: {
        EngNode *sc = &g->nodes[n->inputs[1]];
        if (sc->out.H == 1 && sc->out.W == 1 && (o.H != 1 || o.W != 1)) {
            const size_t HW = (size_t)o.H * o.W;
            for (size_t nc = 0; nc < (size_t)N * o.C; nc++) {
                float acc = 0.0f;
                for (size_t i = 0; i < HW; i++) {
                    dx[nc * HW + i] += dy[nc * HW + i] * sc->act[nc];
                    acc += dy[nc * HW + i] * x->act[nc * HW + i];
                }
                sc->grad[nc] += acc;
            }
        } else {
            for (size_t i = 0; i < count; i++) {
                dx[i] += dy[i] * sc->act[i];
                sc->grad[i] += dy[i] * x->act[i];
            }
        }
        break;
    }
    case ENG_OP_CONCAT: { /* each (outer) block of the output is the inputs' blocks in turn */
        const EngConcatParams *q = &n->p.concat;
        const int blocks = N * q->outer;
        const float *src = dy;
        for (int b = 0; b < blocks; b++) {
            for (int k = 0; k < n->n_inputs; k++) {
                EngNode *in = &g->nodes[n->inputs[k]];
                const size_t len = ((size_t)in->out.C * in->out.H * in->out.W) / (size_t)q->outer;
                float *d = in->grad + (size_t)b * len;
                for (size_t i = 0; i < len; i++) d[i] += src[i];
                src += len;
            }
        }
        break;
    }
    case ENG_OP_CONST: break; /* no input; its value is not learned */
    case ENG_OP_MAXUNPOOL:
        eng_maxunpool_backward(dx, dy, pw->data, N, (size_t)s.C * s.H * s.W, (size_t)o.C * o.H * o.W);
        break;
    case ENG_OP_DROPOUT:
        if (g->training && n->aux) {
            for (size_t i = 0; i < count; i++) dx[i] += dy[i] * n->aux[i];
            break;
        }
        for (size_t i = 0; i < count; i++) dx[i] += dy[i];
        break;
    case ENG_OP_FLATTEN:
    case ENG_OP_RESHAPE:
        for (size_t i = 0; i < count; i++) dx[i] += dy[i];
        break;
    case ENG_OP_TRANSPOSE: {
        const size_t size = (size_t)s.C * s.H * s.W;
        for (int b = 0; b < N; b++)
            transpose_sample(dx + (size_t)b * size, dy + (size_t)b * size, &n->p.transpose, 1);
        break;
    }
    case ENG_OP_MAXPOOL_INDEX: break; /* places: no gradient */
    case ENG_OP_BN_BATCH:
    case ENG_OP_BN_STAT: {
        /* BN_BATCH, xhat = (x - mean) * inv over M values of a channel:
         *   dx = gamma * inv / M * (M dy - sum(dy) - xhat * sum(dy * xhat));
         * BN_STAT: d mean / dx = (1 - momentum) / M, d var / dx = (1 - momentum) 2 (x - mean) / M */
        const EngBnBatchParams *q = &n->p.bnb;
        const size_t size = (size_t)s.C * s.H * s.W, hw = (size_t)q->hw, m = (size_t)q->n * hw;
        for (int b = 0; b < N; b++) {
            const float *xs = x->act + (size_t)b * size;
            for (int c = 0; c < q->c; c++) {
                double mean, var, sdy = 0.0, sdyx = 0.0;
                bn_group_stats(xs, q, c, &mean, &var);
                const double inv = 1.0 / sqrt(var + q->eps);
                if (n->op == ENG_OP_BN_STAT) {
                    const double gy = dy[(size_t)b * q->c + c] * (1.0 - q->momentum) / (double)m;
                    for (int k = 0; dx && k < q->n; k++) {
                        const size_t off = (size_t)b * size + ((size_t)k * q->c + c) * hw;
                        for (size_t i = 0; i < hw; i++)
                            dx[off + i] += (float)(q->stat ? gy * 2.0 * (x->act[off + i] - mean) : gy);
                    }
                    continue;
                }
                for (int k = 0; k < q->n; k++) {
                    const size_t off = (size_t)b * size + ((size_t)k * q->c + c) * hw;
                    for (size_t i = 0; i < hw; i++) {
                        sdy += dy[off + i];
                        sdyx += dy[off + i] * (x->act[off + i] - mean) * inv;
                    }
                }
                if (gw) gw[c] += (float)sdyx;
                if (gb) gb[c] += (float)sdy;
                const double kk = pw->data[c] * inv / (double)m;
                for (int k = 0; dx && k < q->n; k++) {
                    const size_t off = (size_t)b * size + ((size_t)k * q->c + c) * hw;
                    for (size_t i = 0; i < hw; i++) {
                        const double xhat = (x->act[off + i] - mean) * inv;
                        dx[off + i] += (float)(kk * ((double)m * dy[off + i] - sdy - xhat * sdyx));
                    }
                }
            }
        }
        break;
    }
    case ENG_OP_SLICE: {
        const EngSliceParams *q = &n->p.slice;
        const size_t in = (size_t)q->inner;
        const float *src = dy;
        for (size_t o = 0; o < (size_t)N * q->outer; o++)
            for (int k = 0; k < q->count; k++, src += in) {
                float *d = dx + (o * q->len + q->start + (size_t)k * q->step) * in;
                for (size_t i = 0; i < in; i++) d[i] += src[i];
            }
        break;
    }
    case ENG_OP_PAD: {
        const EngPadParams *q = &n->p.pad;
        for (size_t nc = 0; nc < (size_t)N * s.C; nc++) {
            const size_t oc = nc / s.C * o.C + q->cb + nc % s.C; /* its channel in dy */
            for (int h = 0; h < s.H; h++)
                for (int w = 0; w < s.W; w++)
                    dx[(nc * s.H + h) * s.W + w] += dy[(oc * o.H + h + q->pt) * o.W + w + q->pl];
        }
        break;
    }
    case ENG_OP_CONVT:
        eng_log(ENG_LOG_ERROR, "engine: node '%s': backward of a transposed convolution is not "
                               "implemented", n->name);
        return -1;
    case ENG_OP_COUNT: ENG_ASSERT(0); break;
    }
    return 0;
}

int eng_graph_backward(EngGraph *g) {
    if (!g || g->failed || !g->act_block) return -1;
    if (!g->grad_block) {
        eng_log(ENG_LOG_ERROR, "engine: backward pass without gradients (call "
                               "eng_graph_enable_grads before planning)");
        return -1;
    }
    if (eng_graph_grad_params_ready(g) != 0) {
        eng_log(ENG_LOG_ERROR, "engine: backward pass before the parameters were set");
        return -1;
    }
    for (int i = g->n_nodes - 1; i >= 0; i--) {
        EngNode *n = &g->nodes[i];
        if (!runs_at_inference(n)) continue;
        if (back_node(g, n) != 0) return -1;
    }
    return 0;
}

int eng_graph_project(EngGraph *g, int layer, int channel, int y, int x, EngProjRule rule) {
    if (!g || g->failed || !g->act_block || layer < 0 || layer >= g->n_nodes) return -1;
    if (!g->grad_block || eng_graph_grad_params_ready(g) != 0) {
        eng_log(ENG_LOG_ERROR, "engine: projection without gradients (call "
                               "eng_graph_enable_grads before planning)");
        return -1;
    }
    EngNode *L = &g->nodes[layer];
    const EngShape o = L->out;
    if (!runs_at_inference(L) || channel >= o.C || y >= o.H || x >= o.W ||
        ((y < 0) != (x < 0)) || (y >= 0 && channel < 0)) {
        eng_log(ENG_LOG_ERROR, "engine: no unit (%d, %d, %d) in node '%s' (%d x %d x %d)", channel,
                y, x, L->name, o.C, o.H, o.W);
        return -1;
    }
    if (g->training) {
        eng_log(ENG_LOG_ERROR, "engine: projections run in inference mode");
        return -1;
    }
    eng_graph_zero_grads(g);
    /* the paper's start: the layer's activations with every other one set to zero */
    const size_t HW = (size_t)o.H * o.W;
    for (int b = 0; b < g->batch; b++)
        for (int c = 0; c < o.C; c++) {
            if (channel >= 0 && c != channel) continue;
            const size_t base = ((size_t)b * o.C + c) * HW;
            if (y >= 0) {
                const size_t i = base + (size_t)y * o.W + (size_t)x;
                L->grad[i] = L->act[i];
            } else {
                memcpy(L->grad + base, L->act + base, HW * sizeof(float));
            }
        }
    g->projecting = 1;
    g->rule = rule;
    int rc = 0;
    for (int i = layer; i >= 0 && rc == 0; i--) {
        EngNode *n = &g->nodes[i];
        if (runs_at_inference(n)) rc = back_node(g, n);
    }
    g->projecting = 0;
    return rc;
}

int eng_graph_strongest(const EngGraph *g, int layer, int channel, int *y, int *x) {
    if (!g || !g->act_block || layer < 0 || layer >= g->n_nodes) return -1;
    const EngNode *L = &g->nodes[layer];
    if (channel < 0 || channel >= L->out.C) return -1;
    const size_t HW = (size_t)L->out.H * L->out.W;
    const float *a = L->act + (size_t)channel * HW;
    size_t best = 0;
    for (size_t i = 1; i < HW; i++)
        if (a[i] > a[best]) best = i;
    *y = (int)(best / (size_t)L->out.W), *x = (int)(best % (size_t)L->out.W);
    return 0;
}

/* Softmax cross-entropy (eng_softmax_ce), averaged over the batch. */
double eng_graph_loss_ce(EngGraph *g, const uint8_t *labels, int *correct) {
    if (!g || !g->act_block || !g->grad_block) return NAN;
    if (eng_graph_grad_params_ready(g) != 0) return NAN;
    eng_graph_zero_grads(g);
    EngNode *o = &g->nodes[eng_graph_output(g)];
    const int N = g->batch, K = o->out.C * o->out.H * o->out.W;
    double loss = 0.0;
    int hits = 0;
    for (int n = 0; n < N; n++) {
        const int y = labels[n] < K ? labels[n] : 0;
        int best;
        loss += eng_softmax_ce(o->act + (size_t)n * K, K, y, 1.0f / N, o->grad + (size_t)n * K,
                               &best);
        hits += best == y;
    }
    if (correct) *correct = hits;
    return loss / N;
}
