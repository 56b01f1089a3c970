/*
 * eng_graph.c — building the network as a DAG of named nodes.
 *
 * Nodes are added in topological order (an input must exist before it is
 * used), so a forward pass is a single loop over the node array. Each builder
 * checks its configuration and infers the output shape at once, so a wrong
 * configuration is reported at the node that causes it. Each node also gets
 * its receptive field here, and its parameters' shapes (their memory comes
 * later: eng_graph_plan.c).
 *
 * What is done with a node once built is in the other eng_graph_*.c files,
 * reached through the op table (eng_graph_ops.c; see eng_graph_internal.h).
 *
 * Must not depend on: SDL or anything that draws.
 */
#include "eng_graph_internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

void eng_graph_destroy(EngGraph *g) {
    if (!g) return;
    eng_graph_free_buffers(g);
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
    if (g) g->param_version++; /* the caller may write its parameters: fold and transform them again */
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
static EngRf rf_through(EngRf in, int keh, int sh, int pt, int kew, int sw, int pl) {
    EngRf r = in;
    r.misaligned = 0;
    if (!in.finite) return r;
    r.size = in.size + (int64_t)(keh - 1) * in.stride;
    r.pad = in.pad + (int64_t)pt * in.stride;
    r.stride = in.stride * sh;
    r.size_w = in.size_w + (int64_t)(kew - 1) * in.stride_w;
    r.pad_w = in.pad_w + (int64_t)pl * in.stride_w;
    r.stride_w = in.stride_w * sw;
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
        /* centre of unit 0, doubled to stay an integer: (r - 1) - 2p, on each axis */
        if (r.stride != best.stride || (r.size - 1 - 2 * r.pad) != (best.size - 1 - 2 * best.pad) ||
            r.stride_w != best.stride_w ||
            (r.size_w - 1 - 2 * r.pad_w) != (best.size_w - 1 - 2 * best.pad_w))
            misaligned = 1;
        if (r.size > best.size) best.size = r.size, best.stride = r.stride, best.pad = r.pad;
        if (r.size_w > best.size_w) best.size_w = r.size_w, best.stride_w = r.stride_w, best.pad_w = r.pad_w;
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
    n->rf = (EngRf){.finite = 1, .size = 1, .stride = 1, .pad = 0, .size_w = 1, .stride_w = 1, .pad_w = 0};
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
    int keh = c->dh * (c->kh - 1) + 1, kew = c->dw * (c->kw - 1) + 1;
    n->rf = rf_through(g->nodes[x].rf, keh, c->sh, c->pt, kew, c->sw, c->pl);
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
        int keh = c->dh * (c->kh - 1) + 1, kew = c->dw * (c->kw - 1) + 1;
        n->rf = rf_through(g->nodes[x].rf, keh, 1, keh - 1 - c->pt, kew, 1, kew - 1 - c->pl);
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
    n->rf = rf_through(g->nodes[x].rf, keh, q->sh, q->pt, kew, q->sw, q->pl);
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
int eng_silu(EngGraph *g, const char *name, int x) { return same_shape_add(g, name, x, ENG_OP_SILU); }
int eng_gelu(EngGraph *g, const char *name, int x) { return same_shape_add(g, name, x, ENG_OP_GELU); }
int eng_layernorm(EngGraph *g, const char *name, int x, float eps) {
    int id = same_shape_add(g, name, x, ENG_OP_LAYERNORM);
    if (id < 0) return -1;
    if (!(eps >= 0.0f) || !isfinite(eps)) return node_reject(g, id, "invalid epsilon %g", (double)eps);
    EngNode *n = &g->nodes[id];
    n->p.ln = (EngLnParams){eps, n->out.C, n->out.H * n->out.W};
    /* each unit reads every channel at its own place: the field is the input's */
    add_param(n, "weight", ENG_PARAM_WEIGHT, 1, 1, n->out.C, 0, 0, 0);
    add_param(n, "bias", ENG_PARAM_BIAS, 1, 1, n->out.C, 0, 0, 0);
    return id;
}
int eng_layernorm_span(EngGraph *g, const char *name, int x, int len, int inner, float eps) {
    int id = same_shape_add(g, name, x, ENG_OP_LAYERNORM);
    if (id < 0) return -1;
    EngNode *n = &g->nodes[id];
    const EngShape s = n->out;
    const int64_t size = (int64_t)s.C * s.H * s.W;
    if (!(eps >= 0.0f) || !isfinite(eps)) return node_reject(g, id, "invalid epsilon %g", (double)eps);
    if (len < 1 || inner < 1 || size % ((int64_t)len * inner))
        return node_reject(g, id, "a span of %d values %d apart does not divide a %dx%dx%d sample",
                           len, inner, s.C, s.H, s.W);
    n->p.ln = (EngLnParams){eps, len, inner};
    if (len != s.C || inner != s.H * s.W) n->rf = rf_infinite(); /* not over channels: another grid */
    add_param(n, "weight", ENG_PARAM_WEIGHT, 1, 1, len, 0, 0, 0);
    add_param(n, "bias", ENG_PARAM_BIAS, 1, 1, len, 0, 0, 0);
    return id;
}

/* ---- elementwise functions, broadcasting, reductions ----------------------------------- */

const char *eng_unary_name(int kind) {
    static const char *const names[ENG_UNARY_COUNT] = {
        "abs", "neg", "exp", "log", "reciprocal", "sqrt", "erf", "elu", "selu", "celu",
        "softplus", "softsign", "thresholdedrelu", "pow", "linear"};
    return kind >= 0 && kind < ENG_UNARY_COUNT ? names[kind] : "?";
}

int eng_unary(EngGraph *g, const char *name, int x, int kind, float alpha, float gamma) {
    int id = same_shape_add(g, name, x, ENG_OP_UNARY);
    if (id < 0) return -1;
    if (kind < 0 || kind >= ENG_UNARY_COUNT)
        return node_reject(g, id, "function %d is not one of the %d known", kind, ENG_UNARY_COUNT);
    if (!isfinite(alpha) || !isfinite(gamma))
        return node_reject(g, id, "alpha %g and gamma %g must be finite", (double)alpha, (double)gamma);
    if (kind == ENG_UNARY_CELU && alpha == 0.0f) return node_reject(g, id, "CELU's alpha must not be 0");
    g->nodes[id].p.unary = (EngUnaryParams){kind, alpha, gamma};
    return id;
}

/* The product of 4 axes, each from 1 to ENG_MAX_DIM; -1 if one is not. */
static int64_t axes_size(const int d[4]) {
    int64_t size = 1;
    for (int k = 0; k < 4; k++) {
        if (d[k] < 1 || d[k] > ENG_MAX_DIM) return -1;
        size *= d[k];
        if (size > ENG_MAX_ELEMS) return -1;
    }
    return size;
}
static int holds(EngShape s, int64_t size) { return (int64_t)s.C * s.H * s.W == size; }

int eng_binary(EngGraph *g, const char *name, int a, int b, int kind, const int adims[4],
               const int bdims[4], EngShape out) {
    const int xs[2] = {a, b};
    int id = node_new(g, name, ENG_OP_BINARY, xs, 2);
    if (id < 0) return -1;
    EngNode *n = &g->nodes[id];
    EngBinaryParams q = {kind, {0}, {0}, {0}};
    if (kind < 0 || kind >= ENG_BINARY_COUNT)
        return node_reject(g, id, "operation %d is not one of the %d known", kind, ENG_BINARY_COUNT);
    const int64_t sa = axes_size(adims), sb = axes_size(bdims);
    if (sa < 0 || sb < 0 || !holds(*in_shape(g, id, 0), sa) || !holds(*in_shape(g, id, 1), sb))
        return node_reject(g, id, "the 4 axes given do not hold the inputs");
    for (int k = 0; k < 4; k++) {
        if (adims[k] != bdims[k] && adims[k] != 1 && bdims[k] != 1)
            return node_reject(g, id, "axis %d: sizes %d and %d do not broadcast", k, adims[k],
                               bdims[k]);
        q.a[k] = adims[k], q.b[k] = bdims[k];
        q.out[k] = adims[k] > bdims[k] ? adims[k] : bdims[k];
    }
    const int64_t so = axes_size(q.out);
    if (so < 0 || out.C < 1 || out.H < 1 || out.W < 1 || !holds(out, so))
        return node_reject(g, id, "output %dx%dx%d does not hold the broadcast result", out.C,
                           out.H, out.W);
    n->p.binary = q;
    n->out = out;
    if (!shape_ok(g, id)) return -1;
    const EngShape s0 = *in_shape(g, id, 0), s1 = *in_shape(g, id, 1);
    const int same = s0.C == s1.C && s0.H == s1.H && s0.W == s1.W && s0.C == out.C &&
                     s0.H == out.H && s0.W == out.W;
    n->rf = same ? rf_merge(g, id) : rf_infinite();
    return id;
}

int eng_bmm(EngGraph *g, const char *name, int a, int b, const int adims[4], const int bdims[4],
            EngShape out) {
    const int xs[2] = {a, b};
    int id = node_new(g, name, ENG_OP_BMM, xs, 2);
    if (id < 0) return -1;
    EngNode *n = &g->nodes[id];
    EngBmmParams q;
    const int64_t sa = axes_size(adims), sb = axes_size(bdims);
    if (sa < 0 || sb < 0 || !holds(*in_shape(g, id, 0), sa) || !holds(*in_shape(g, id, 1), sb))
        return node_reject(g, id, "the 4 axes given do not hold the inputs");
    if (adims[3] != bdims[2])
        return node_reject(g, id, "a %dx%d matrix times a %dx%d one", adims[2], adims[3], bdims[2],
                           bdims[3]);
    for (int k = 0; k < 4; k++) {
        if (k < 2 && adims[k] != bdims[k] && adims[k] != 1 && bdims[k] != 1)
            return node_reject(g, id, "axis %d: sizes %d and %d do not broadcast", k, adims[k],
                               bdims[k]);
        q.a[k] = adims[k], q.b[k] = bdims[k];
        q.out[k] = k < 2 ? (adims[k] > bdims[k] ? adims[k] : bdims[k]) : k == 2 ? adims[2] : bdims[3];
    }
    const int64_t so = axes_size(q.out);
    if (so < 0 || out.C < 1 || out.H < 1 || out.W < 1 || !holds(out, so))
        return node_reject(g, id, "output %dx%dx%d does not hold the product", out.C, out.H, out.W);
    n->p.bmm = q;
    n->out = out;
    if (!shape_ok(g, id)) return -1;
    n->macs = so * adims[3];
    n->rf = rf_infinite();
    return id;
}

int eng_reduce(EngGraph *g, const char *name, int x, int kind, const int dims[4], int axes,
               EngShape out) {
    int id = node_new(g, name, ENG_OP_REDUCE, &x, 1);
    if (id < 0) return -1;
    EngNode *n = &g->nodes[id];
    EngReduceParams q = {kind, {0}, axes};
    if (kind < 0 || kind >= ENG_REDUCE_COUNT)
        return node_reject(g, id, "reduction %d is not one of the %d known", kind, ENG_REDUCE_COUNT);
    if (axes < 0 || axes > 15) return node_reject(g, id, "axes mask %d is outside 0..15", axes);
    const int64_t size = axes_size(dims);
    if (size < 0 || !holds(*in_shape(g, id, 0), size))
        return node_reject(g, id, "the 4 axes given do not hold the input");
    int64_t osize = 1;
    for (int k = 0; k < 4; k++) {
        q.dims[k] = dims[k];
        osize *= (axes >> k) & 1 ? 1 : dims[k];
    }
    if (out.C < 1 || out.H < 1 || out.W < 1 || !holds(out, osize))
        return node_reject(g, id, "output %dx%dx%d does not hold the reduction", out.C, out.H, out.W);
    n->p.reduce = q;
    n->out = out;
    if (!shape_ok(g, id)) return -1;
    n->rf = rf_infinite();
    return id;
}

int eng_depth_space(EngGraph *g, const char *name, int x, int block, int crd, int to_space) {
    int id = node_new(g, name, ENG_OP_DEPTH_SPACE, &x, 1);
    if (id < 0) return -1;
    EngNode *n = &g->nodes[id];
    const EngShape s = g->nodes[x].out;
    if (block < 1 || block > 4096) return node_reject(g, id, "block %d is outside 1..4096", block);
    const int64_t b2 = (int64_t)block * block;
    if (to_space) {
        if (s.C % b2) return node_reject(g, id, "%d channels are not a multiple of %lld", s.C, (long long)b2);
        n->out = (EngShape){(int)(s.C / b2), (int)((int64_t)s.H * block > ENG_MAX_DIM ? 0 : s.H * block),
                            (int)((int64_t)s.W * block > ENG_MAX_DIM ? 0 : s.W * block)};
    } else {
        if (crd) return node_reject(g, id, "SpaceToDepth has one order (DCR's)");
        if (s.H % block || s.W % block)
            return node_reject(g, id, "%dx%d is not a multiple of block %d", s.H, s.W, block);
        n->out = (EngShape){(int)(s.C * b2 > ENG_MAX_DIM ? 0 : s.C * b2), s.H / block, s.W / block};
    }
    n->p.ds = (EngDepthSpaceParams){block, crd ? 1 : 0, to_space ? 1 : 0};
    if (!shape_ok(g, id)) return -1;
    n->rf = rf_infinite();
    return id;
}
int eng_layer_scale(EngGraph *g, const char *name, int x) {
    int id = same_shape_add(g, name, x, ENG_OP_LAYERSCALE);
    if (id < 0) return -1;
    EngNode *n = &g->nodes[id];
    add_param(n, "layer_scale", ENG_PARAM_WEIGHT, 1, 3, n->out.C, 1, 1, 0);
    return id;
}
int eng_mish(EngGraph *g, const char *name, int x) { return same_shape_add(g, name, x, ENG_OP_MISH); }
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

int eng_join(EngGraph *g, const char *name, const int *xs, int n, float drop) {
    int id = eng_add(g, name, xs, n);
    if (id < 0) return -1;
    EngNode *nd = &g->nodes[id];
    nd->op = ENG_OP_JOIN;
    if (n < 2) return node_reject(g, id, "a join needs 2 or more inputs, not %d", n);
    if (!(drop >= 0.0f && drop < 1.0f))
        return node_reject(g, id, "drop probability %g outside [0, 1)", (double)drop);
    nd->p.join.drop = drop;
    return id;
}

int eng_join_columns(EngGraph *g, int join, const int *cols, float global) {
    if (!g || g->failed) return -1;
    if (join < 0 || join >= g->n_nodes || g->nodes[join].op != ENG_OP_JOIN) {
        graph_fail(g, "engine: global drop-path: node %d is not a join", join);
        return -1;
    }
    EngNode *nd = &g->nodes[join];
    if (nd->n_inputs > ENG_JOIN_MAX_COLUMNS) {
        graph_fail(g, "engine: node '%s' (join): %d inputs, global drop-path takes at most %d "
                   "columns", nd->name, nd->n_inputs, ENG_JOIN_MAX_COLUMNS);
        return -1;
    }
    if (!(global >= 0.0f && global <= 1.0f)) {
        graph_fail(g, "engine: node '%s' (join): global drop-path probability %g outside [0, 1]",
                   nd->name, (double)global);
        return -1;
    }
    int columns = 0;
    for (int i = 0; i < nd->n_inputs; i++) {
        int dup = 0;
        for (int k = 0; k < i; k++) dup |= cols[k] == cols[i];
        if (cols[i] < 0 || cols[i] >= ENG_JOIN_MAX_COLUMNS || dup) {
            graph_fail(g, "engine: node '%s' (join): input %d's column %d is outside 0..%d or "
                       "another input's", nd->name, i, cols[i], ENG_JOIN_MAX_COLUMNS - 1);
            return -1;
        }
        if (cols[i] + 1 > columns) columns = cols[i] + 1;
    }
    for (int i = 0; i < nd->n_inputs; i++) nd->p.join.col[i] = (signed char)cols[i];
    nd->p.join.columns = columns;
    nd->p.join.global = global;
    return join;
}

int eng_graph_join_column(const EngGraph *g) { return g && g->join_pick > 0 ? g->join_pick - 1 : -1; }

int eng_drop_path(EngGraph *g, const char *name, int x, float keep) {
    int id = same_shape_add(g, name, x, ENG_OP_DROP_PATH);
    if (id < 0) return -1;
    if (!(keep > 0.0f && keep <= 1.0f))
        return node_reject(g, id, "survival probability %g outside (0, 1]", (double)keep);
    g->nodes[id].p.droppath.keep = keep;
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

static int matmul_node(EngGraph *g, const char *name, int x, int m, int rows, int k, int out,
                       int stack, int trans_a, int bias) {
    int id = node_new(g, name, ENG_OP_MATMUL, &x, 1);
    if (id < 0) return -1;
    EngNode *n = &g->nodes[id];
    EngShape s = *in_shape(g, id, 0);
    if (m <= 0 || k <= 0 || out <= 0 || m > ENG_MAX_DIM || k > ENG_MAX_DIM || out > ENG_MAX_DIM ||
        (int64_t)m * k != (int64_t)s.C * s.H * s.W)
        return node_reject(g, id, "a %dx%d matrix does not fit a %dx%dx%d sample", trans_a ? k : m,
                           trans_a ? m : k, s.C, s.H, s.W);
    if (stack < 1 || rows < 1 || m % rows || (m / rows) % stack || (stack > 1 && (trans_a || bias)))
        return node_reject(g, id, "%d rows are not blocks of %d for a stack of %d matrices (a "
                           "stack has no bias or transposed input)", m, rows, stack);
    if ((int64_t)k * out * stack > ENG_MAX_ELEMS || (int64_t)m * out > ENG_MAX_ELEMS)
        return node_reject(g, id, "%d x %d x %d weights are too many", stack, k, out);
    n->p.matmul = (EngMatmulParams){m, k, out, trans_a ? 1 : 0, bias ? 1 : 0, rows, stack};
    n->out = (EngShape){m, out, 1};
    if (!shape_ok(g, id)) return -1;
    if (stack > 1) add_param(n, "weight", ENG_PARAM_WEIGHT, 1, 3, stack, out, k, 0);
    else add_param(n, "weight", ENG_PARAM_WEIGHT, 1, 2, out, k, 0, 0);
    if (bias) add_param(n, "bias", ENG_PARAM_BIAS, 1, 2, m, out, 0, 0);
    n->macs = (int64_t)m * k * out;
    n->rf = rf_infinite();
    return id;
}

int eng_matmul(EngGraph *g, const char *name, int x, int m, int k, int out, int trans_a, int bias) {
    return matmul_node(g, name, x, m, m, k, out, 1, trans_a, bias);
}
int eng_matmul_stack(EngGraph *g, const char *name, int x, int m, int rows, int k, int out, int stack) {
    return matmul_node(g, name, x, m, rows, k, out, stack, 0, 0);
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
    const EngPadParams p = {pt, pl, pb, pr, value, 0, 0, ENG_PAD_CONSTANT};
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
    if (p->mode < ENG_PAD_CONSTANT || p->mode > ENG_PAD_EDGE)
        return node_reject(g, id, "pad mode %d (0 constant, 1 reflect, 2 edge)", p->mode);
    if (p->mode != ENG_PAD_CONSTANT && (p->cb || p->ca))
        return node_reject(g, id, "reflect and edge padding pad H and W, not channels");
    if (p->mode == ENG_PAD_REFLECT &&
        (p->pt >= s.H || p->pb >= s.H || p->pl >= s.W || p->pr >= s.W))
        return node_reject(g, id, "reflect pads %d,%d,%d,%d must be below the %dx%d input's sides",
                           p->pt, p->pl, p->pb, p->pr, s.H, s.W);
    g->nodes[id].p.pad = *p;
    g->nodes[id].out = (EngShape){s.C + p->cb + p->ca, s.H + p->pt + p->pb, s.W + p->pl + p->pr};
    if (!shape_ok(g, id)) return -1;
    /* new channels move no pixel: the field is the input's, shifted by the top pad */
    g->nodes[id].rf = rf_through(g->nodes[x].rf, 1, 1, p->pt, 1, 1, p->pl);
    return id;
}

/* One axis of a resize: the output size (out 0: floor(in * scale)) and the
 * scale (0: out / in); 0, or -1 with why in err. */
static int resize_axis(const char *axis, int in, int *out, double *scale, char *err, size_t n) {
    const double lo = 1.0 / ENG_MAX_DIM, hi = ENG_MAX_DIM;
    if (!isfinite(*scale) || (*scale != 0.0 && (*scale < lo || *scale > hi))) {
        snprintf(err, n, "%s scale %g is not a finite number from 2^-24 to 2^24", axis, *scale);
        return -1;
    }
    if (*out < 0 || *out > ENG_MAX_DIM || (*out == 0 && *scale == 0.0)) {
        snprintf(err, n, "%s output size %d (and scale %g): a size from 1 to %d, or a scale, is "
                 "needed", axis, *out, *scale, ENG_MAX_DIM);
        return -1;
    }
    if (*out == 0) {
        const double o = floor((double)in * *scale);
        if (o < 1.0 || o > ENG_MAX_DIM) {
            snprintf(err, n, "%s of %d times scale %g gives %.0f units (1 to %d are supported)",
                     axis, in, *scale, o, ENG_MAX_DIM);
            return -1;
        }
        *out = (int)o;
    }
    if (*scale == 0.0) *scale = (double)*out / in;
    return 0;
}

/* Does every output unit read exactly the input unit at its own place? */
static int resize_identity(const EngResizeParams *p, int H, int W) {
    if (p->oh != H || p->ow != W) return 0;
    for (int o = 0; o < H; o++) {
        const EngResizeTap t = eng_resize_tap(p, o, H, H, p->sh);
        if (t.i0 != o || t.w0 != 1.0f) return 0;
    }
    for (int o = 0; o < W; o++) {
        const EngResizeTap t = eng_resize_tap(p, o, W, W, p->sw);
        if (t.i0 != o || t.w0 != 1.0f) return 0;
    }
    return 1;
}

int eng_resize(EngGraph *g, const char *name, int x, const EngResizeParams *p) {
    int id = node_new(g, name, ENG_OP_RESIZE, &x, 1);
    if (id < 0) return -1;
    EngNode *n = &g->nodes[id];
    const EngShape s = g->nodes[x].out;
    EngResizeParams q = *p;
    char why[200];
    if (q.mode != ENG_RESIZE_NEAREST && q.mode != ENG_RESIZE_LINEAR)
        return node_reject(g, id, "mode %d (0 nearest, 1 linear)", q.mode);
    if (q.coord < 0 || q.coord >= ENG_RESIZE_COORD_COUNT)
        return node_reject(g, id, "coordinate transformation %d is not one of the %d known", q.coord,
                           ENG_RESIZE_COORD_COUNT);
    if (q.round < 0 || q.round >= ENG_RESIZE_ROUND_COUNT)
        return node_reject(g, id, "rounding %d is not one of the %d known", q.round,
                           ENG_RESIZE_ROUND_COUNT);
    if (resize_axis("height", s.H, &q.oh, &q.sh, why, sizeof why) ||
        resize_axis("width", s.W, &q.ow, &q.sw, why, sizeof why))
        return node_reject(g, id, "%s", why);
    n->p.resize = q;
    n->out = (EngShape){s.C, q.oh, q.ow};
    if (!shape_ok(g, id)) return -1;
    /* An output unit of a resize reads one or two input units at a place that
     * moves by 1/scale input units per output unit: a fractional stride (and,
     * for a non-integer scale, a varying one), which the Distill recurrence's
     * integer jump cannot hold, as for a transposed convolution with stride
     * above 1. The field is kept only when the resize reads every unit in its
     * own place. */
    n->rf = resize_identity(&q, s.H, s.W) ? g->nodes[x].rf : rf_infinite();
    return id;
}
