/*
 * eng_onnx_export.c — an engine graph out as an ONNX model (graph and
 * weights), so a network built or trained here opens in Netron, ONNX Runtime
 * or PyTorch.
 *
 * The messages are the C structs protoc-c generates from Debian's onnx.proto
 * (see CMakeLists.txt), encoded by the generated *__pack_to_buffer straight
 * into the file: weights are never copied on a little-endian machine.
 *
 * Mapping, at opset 14 (the first with HardSwish; every other op used here
 * has kept its opset-13 meaning):
 *   - one ONNX node per inference node, named after it; its output tensor has
 *     the node's name too. Training-only nodes (GoogLeNet's auxiliary
 *     classifiers) are left out; the graph output is eng_graph_output().
 *   - parameters are initializers named "<node>.<suffix>", as in weights
 *     files: "conv1.weight", "bn1.running_var"...
 *   - the engine keeps every activation as a per-sample (C, H, W); ONNX
 *     tensors have a rank: 4 for maps, 2 for the [N, K] a Gemm returns. The
 *     rank is tracked per node; a Flatten goes before a Gemm that reads a map
 *     (the engine's FC flattens implicitly), a Reshape to [N, K, 1, 1] before
 *     a map op that reads a vector.
 *   - ceil-mode pooling: the engine (like PyTorch) drops a last window that
 *     would start in the right padding; the opset-14 output-size formula does
 *     not. When they disagree the pool is written in floor mode, which keeps
 *     the same windows (see pool_attrs).
 *   - the general nodes the importer makes of ONNX's elementwise ops,
 *     reductions and reshapes (unary, binary, reduce, transpose, slice) read
 *     a sample as 4 axes (1, d1, d2, d3): they go out on the view
 *     [N, d1, d2, d3], a Reshape before and after when that is not the
 *     tensor's own shape. A constant node becomes an initializer of each
 *     binary op or matrix product (bmm) that reads it ([1, ...], broadcast
 *     over the batch).
 * Each engine op has one row in EXPORTERS (in EngOpType's order): the ONNX op
 * it becomes and the function that writes it. Anything without an exact ONNX
 * equivalent (a row without a function, or a node its function refuses)
 * stops the export with the node's name: a file is either faithful or not
 * written.
 *
 * Must not depend on: SDL or anything that draws.
 */
#include "eng.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onnx.pb-c.h"

#define OPSET 14
#define IR_VERSION 7 /* the IR of ONNX 1.9, which introduced opset 14 */

/* ---- export state ----------------------------------------------------------------------- */

typedef struct {
    void **ptrs; /* every allocation of the message tree, freed at once */
    size_t n_ptrs, cap_ptrs;
    int oom;
    Onnx__NodeProto **nodes;
    size_t n_nodes, cap_nodes;
    Onnx__TensorProto **inits;
    size_t n_inits, cap_inits;
    Onnx__ValueInfoProto **infos; /* value_info: the shape of every intermediate tensor */
    size_t n_infos, cap_infos;
    Onnx__ValueInfoProto **inputs;
    size_t n_inputs, cap_inputs;
    const EngGraph *g;
    int batch;        /* > 0 fixed, else the symbolic "N" */
    int little;       /* host is little-endian: raw_data points at the parameters */
    int *rank;        /* per engine node: 4, 2, or 0 when not exported */
    char **tname;     /* per engine node: its output tensor */
    char **tname4;    /* per engine node: the same as a rank-4 tensor, once made */
    char *err;
    size_t errlen;
} Exporter;

static void *ex_alloc(Exporter *E, size_t size) {
    if (E->oom) return NULL;
    if (E->n_ptrs == E->cap_ptrs) {
        size_t nc = E->cap_ptrs ? E->cap_ptrs * 2 : 256;
        void **p = realloc(E->ptrs, nc * sizeof *p);
        if (!p) {
            E->oom = 1;
            return NULL;
        }
        E->ptrs = p, E->cap_ptrs = nc;
    }
    void *q = calloc(1, size ? size : 1);
    if (!q) {
        E->oom = 1;
        return NULL;
    }
    E->ptrs[E->n_ptrs++] = q;
    return q;
}

static char *ex_str(Exporter *E, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static char *ex_str(Exporter *E, const char *fmt, ...) {
    if (E->oom) return NULL;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = n >= 0 ? ex_alloc(E, (size_t)n + 1) : NULL;
    if (!s) return NULL;
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

/* Append p to a growing array of pointers (arrays are plain malloc, freed at the end). */
static void ex_push(Exporter *E, void ***arr, size_t *n, size_t *cap, void *p) {
    if (E->oom || !p) {
        E->oom = 1;
        return;
    }
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 64;
        void **q = realloc(*arr, nc * sizeof *q);
        if (!q) {
            E->oom = 1;
            return;
        }
        *arr = q, *cap = nc;
    }
    (*arr)[(*n)++] = p;
}
#define PUSH(E, field, p) \
    ex_push(E, (void ***)&(E)->field, &(E)->n_##field, &(E)->cap_##field, (p))

/* ---- message builders ----------------------------------------------------------------- */

static Onnx__NodeProto *ex_node(Exporter *E, const char *op_type, const char *name,
                                const char *const *ins, int n_in, const char *out) {
    Onnx__NodeProto *nd = ex_alloc(E, sizeof *nd);
    char **in = ex_alloc(E, (size_t)(n_in ? n_in : 1) * sizeof *in);
    char **o = ex_alloc(E, sizeof *o);
    if (!nd || !in || !o) return NULL;
    onnx__node_proto__init(nd);
    for (int k = 0; k < n_in; k++) in[k] = ex_str(E, "%s", ins[k]);
    o[0] = ex_str(E, "%s", out);
    nd->n_input = (size_t)n_in, nd->input = in;
    nd->n_output = 1, nd->output = o;
    nd->name = ex_str(E, "%s", name);
    nd->op_type = ex_str(E, "%s", op_type);
    PUSH(E, nodes, nd);
    return E->oom ? NULL : nd;
}

static Onnx__AttributeProto *ex_attr(Exporter *E, Onnx__NodeProto *nd, const char *name) {
    if (!nd) return NULL;
    Onnx__AttributeProto *a = ex_alloc(E, sizeof *a);
    Onnx__AttributeProto **arr = ex_alloc(E, (nd->n_attribute + 1) * sizeof *arr);
    if (!a || !arr) return NULL;
    onnx__attribute_proto__init(a);
    a->name = ex_str(E, "%s", name);
    a->has_type = 1;
    if (nd->n_attribute) memcpy(arr, nd->attribute, nd->n_attribute * sizeof *arr);
    arr[nd->n_attribute] = a;
    nd->attribute = arr;
    nd->n_attribute++;
    return a;
}
static void attr_int(Exporter *E, Onnx__NodeProto *nd, const char *name, int64_t v) {
    Onnx__AttributeProto *a = ex_attr(E, nd, name);
    if (!a) return;
    a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT;
    a->has_i = 1, a->i = v;
}
static void attr_float(Exporter *E, Onnx__NodeProto *nd, const char *name, float v) {
    Onnx__AttributeProto *a = ex_attr(E, nd, name);
    if (!a) return;
    a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT;
    a->has_f = 1, a->f = v;
}
static void attr_str(Exporter *E, Onnx__NodeProto *nd, const char *name, const char *v) {
    Onnx__AttributeProto *a = ex_attr(E, nd, name);
    char *s = ex_str(E, "%s", v);
    if (!a || !s) return;
    a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING;
    a->has_s = 1, a->s.data = (uint8_t *)s, a->s.len = strlen(s);
}
static void attr_ints(Exporter *E, Onnx__NodeProto *nd, const char *name, const int64_t *v, int n) {
    Onnx__AttributeProto *a = ex_attr(E, nd, name);
    int64_t *vals = ex_alloc(E, (size_t)n * sizeof *vals);
    if (!a || !vals) return;
    memcpy(vals, v, (size_t)n * sizeof *vals);
    a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS;
    a->n_ints = (size_t)n, a->ints = vals;
}

static Onnx__TensorProto *ex_tensor(Exporter *E, const char *name, const int64_t *dims, int ndim,
                                    int32_t type) {
    Onnx__TensorProto *t = ex_alloc(E, sizeof *t);
    int64_t *d = ex_alloc(E, (size_t)(ndim ? ndim : 1) * sizeof *d);
    if (!t || !d) return NULL;
    onnx__tensor_proto__init(t);
    if (ndim) memcpy(d, dims, (size_t)ndim * sizeof *d);
    t->n_dims = (size_t)ndim, t->dims = d;
    t->has_data_type = 1, t->data_type = type;
    t->name = ex_str(E, "%s", name);
    PUSH(E, inits, t);
    return E->oom ? NULL : t;
}

/* A float32 initializer; raw_data is little-endian (ONNX's byte order). */
static void init_float(Exporter *E, const char *name, const int64_t *dims, int ndim,
                       const float *data, size_t n) {
    Onnx__TensorProto *t = ex_tensor(E, name, dims, ndim, ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT);
    if (!t) return;
    t->has_raw_data = 1;
    t->raw_data.len = n * 4;
    if (E->little) {
        t->raw_data.data = (uint8_t *)(uintptr_t)data; /* read only while packing */
        return;
    }
    uint8_t *b = ex_alloc(E, n * 4);
    if (!b) return;
    for (size_t i = 0; i < n; i++) {
        uint32_t u;
        memcpy(&u, &data[i], 4);
        for (int k = 0; k < 4; k++) b[4 * i + k] = (uint8_t)(u >> (8 * k));
    }
    t->raw_data.data = b;
}
static void init_scalar(Exporter *E, const char *name, float v) {
    float *f = ex_alloc(E, sizeof *f);
    if (!f) return;
    *f = v;
    init_float(E, name, NULL, 0, f, 1);
}
static void init_int64(Exporter *E, const char *name, const int64_t *v, int n) {
    int64_t dims[1] = {n};
    Onnx__TensorProto *t = ex_tensor(E, name, dims, 1, ONNX__TENSOR_PROTO__DATA_TYPE__INT64);
    int64_t *vals = ex_alloc(E, (size_t)n * sizeof *vals);
    if (!t || !vals) return;
    memcpy(vals, v, (size_t)n * sizeof *vals);
    t->n_int64_data = (size_t)n, t->int64_data = vals;
}

/* A float32 tensor's type: [N, C, H, W] (rank 4) or [N, C] (rank 2). */
static Onnx__ValueInfoProto *ex_value_info(Exporter *E, const char *name, int rank, EngShape s) {
    Onnx__ValueInfoProto *v = ex_alloc(E, sizeof *v);
    Onnx__TypeProto *tp = ex_alloc(E, sizeof *tp);
    Onnx__TypeProto__Tensor *tt = ex_alloc(E, sizeof *tt);
    Onnx__TensorShapeProto *sh = ex_alloc(E, sizeof *sh);
    Onnx__TensorShapeProto__Dimension **dims = ex_alloc(E, 4 * sizeof *dims);
    if (!v || !tp || !tt || !sh || !dims) return NULL;
    onnx__value_info_proto__init(v);
    onnx__type_proto__init(tp);
    onnx__type_proto__tensor__init(tt);
    onnx__tensor_shape_proto__init(sh);
    const int64_t d[4] = {E->batch, s.C, s.H, s.W};
    for (int k = 0; k < rank; k++) {
        dims[k] = ex_alloc(E, sizeof *dims[k]);
        if (!dims[k]) return NULL;
        onnx__tensor_shape_proto__dimension__init(dims[k]);
        if (k == 0 && E->batch <= 0) {
            dims[k]->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
            dims[k]->dim_param = ex_str(E, "N");
        } else {
            dims[k]->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
            dims[k]->dim_value = d[k];
        }
    }
    sh->n_dim = (size_t)rank, sh->dim = dims;
    tt->has_elem_type = 1, tt->elem_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
    tt->shape = sh;
    tp->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
    tp->tensor_type = tt;
    v->name = ex_str(E, "%s", name);
    v->type = tp;
    return E->oom ? NULL : v;
}

#define FAIL(...)                                                                            \
    do {                                                                                     \
        eng_set_err(E->err, E->errlen, __VA_ARGS__);                                        \
        return -1;                                                                           \
    } while (0)

/* ---- ranks ---------------------------------------------------------------------------- */

/* Node id's output as a rank-4 tensor: itself, or a Reshape of the [N, K]
 * vector to [N, K, 1, 1] (made once, named "<node>/reshape"). */
static const char *as_rank4(Exporter *E, int id) {
    if (E->rank[id] == 4) return E->tname[id];
    if (E->tname4[id]) return E->tname4[id];
    const EngNode *n = eng_graph_node(E->g, id);
    char *name = ex_str(E, "%s/reshape", n->name), *shape = ex_str(E, "%s/reshape.shape", n->name);
    if (!name || !shape) return NULL;
    const int64_t dims[4] = {0, n->out.C, 1, 1}; /* 0: keep the batch size */
    init_int64(E, shape, dims, 4);
    const char *ins[2] = {E->tname[id], shape};
    ex_node(E, "Reshape", name, ins, 2, name);
    PUSH(E, infos, ex_value_info(E, name, 4, n->out));
    E->tname4[id] = name;
    return E->oom ? NULL : name;
}

/* Node id's output as an [N, K] vector for a Gemm: itself, or a Flatten. */
static const char *as_rank2(Exporter *E, int id, const char *reader) {
    if (E->rank[id] == 2) return E->tname[id];
    const EngNode *n = eng_graph_node(E->g, id);
    char *name = ex_str(E, "%s/flatten", reader);
    if (!name) return NULL;
    const char *ins[1] = {E->tname[id]};
    Onnx__NodeProto *nd = ex_node(E, "Flatten", name, ins, 1, name);
    attr_int(E, nd, "axis", 1);
    EngShape flat = {n->out.C * n->out.H * n->out.W, 1, 1};
    PUSH(E, infos, ex_value_info(E, name, 2, flat));
    return E->oom ? NULL : name;
}

/* ---- nodes ------------------------------------------------------------------------------ */

static const char *param_name(Exporter *E, const EngNode *n, int k) {
    return ex_str(E, "%s.%s", n->name, n->params[k].suffix);
}

/* Every parameter of n as an initializer with the engine's shape. */
static void params_out(Exporter *E, const EngNode *n) {
    for (int k = 0; k < n->n_params; k++) {
        const EngParam *p = &n->params[k];
        int64_t dims[4];
        for (int d = 0; d < p->ndim; d++) dims[d] = p->dims[d];
        init_float(E, param_name(E, n, k), dims, p->ndim, p->data, p->n);
    }
}

/* Pool windows and padding in ONNX terms. Ceil mode: the opset-14 output
 * size is ceil((in + pads - k_eff) / s) + 1 with no window dropped; when
 * the engine dropped one (it started in the bottom/right padding), the
 * windows it kept are exactly floor mode's, since no engine pool pads by a
 * whole window: then the node is written in floor mode. */
static int pool_attrs(Exporter *E, Onnx__NodeProto *nd, const EngNode *n, const EngShape in) {
    const EngPoolParams *q = &n->p.pool;
    const int dh = q->dh > 1 ? q->dh : 1, dw = q->dw > 1 ? q->dw : 1;
    const int keh = dh * (q->kh - 1) + 1, kew = dw * (q->kw - 1) + 1;
    const int64_t ph = (int64_t)in.H + q->pt + q->pb - keh, pw = (int64_t)in.W + q->pl + q->pr - kew;
    int ceil_mode = q->ceil_mode;
    if (ceil_mode && ((ph + q->sh - 1) / q->sh + 1 != n->out.H || (pw + q->sw - 1) / q->sw + 1 != n->out.W)) {
        if (ph / q->sh + 1 != n->out.H || pw / q->sw + 1 != n->out.W)
            FAIL("ONNX export: node '%s' (%s): its ceil-mode windows (%dx%d output) have no "
                 "opset-%d equivalent", n->name, eng_op_name(n->op), n->out.H, n->out.W, OPSET);
        ceil_mode = 0;
    }
    const int64_t k[2] = {q->kh, q->kw}, s[2] = {q->sh, q->sw}, d[2] = {dh, dw},
                  pads[4] = {q->pt, q->pl, q->pb, q->pr};
    attr_ints(E, nd, "kernel_shape", k, 2);
    attr_ints(E, nd, "strides", s, 2);
    attr_ints(E, nd, "pads", pads, 4);
    if (ceil_mode) attr_int(E, nd, "ceil_mode", 1);
    if (n->op == ENG_OP_MAXPOOL && (dh > 1 || dw > 1)) attr_ints(E, nd, "dilations", d, 2);
    if (n->op == ENG_OP_AVGPOOL) {
        if (dh > 1 || dw > 1)
            FAIL("ONNX export: node '%s' (avgpool): AveragePool has no dilations at opset %d",
                 n->name, OPSET);
        if (q->count_include_pad) attr_int(E, nd, "count_include_pad", 1);
    }
    return 0;
}

/* Names of the inputs of a merge (add, mul, concat) at one rank: 4 as soon
 * as one input is a map. Returns the rank, 0 on failure. */
static int merge_inputs(Exporter *E, const EngNode *n, const char **ins) {
    int r = 2;
    for (int k = 0; k < n->n_inputs; k++)
        if (E->rank[n->inputs[k]] == 4) r = 4;
    for (int k = 0; k < n->n_inputs; k++) {
        ins[k] = r == 4 ? as_rank4(E, n->inputs[k]) : E->tname[n->inputs[k]];
        if (!ins[k]) return 0;
    }
    return r;
}

/* ---- one exporter per engine op ------------------------------------------------------------ */

/* An engine node on its way out: its first input, and what its exporter writes. */
typedef struct {
    const EngNode *n;
    const char *onnx;    /* the ONNX op of its row */
    int x;               /* the first input's node, -1: none */
    EngShape in;         /* x's output shape (n's own when it has no input) */
    const char *xin;     /* x's tensor */
    int xrank;           /* x's rank (4 when it has no input) */
    Onnx__NodeProto *nd; /* out: the ONNX node written */
    int rank;            /* out: its output's rank, x's unless the exporter sets it */
} ExNode;

/* The graph input: a graph input of ONNX, no node. 1: nothing more to write. */
static int ex_input(Exporter *E, ExNode *x) {
    PUSH(E, inputs, ex_value_info(E, x->n->name, 4, x->n->out));
    x->rank = 4;
    return 1;
}

static int ex_conv(Exporter *E, ExNode *x) {
    const EngNode *n = x->n;
    const EngConvParams *c = &n->p.conv;
    const char *ins[3];
    ins[0] = as_rank4(E, x->x), ins[1] = param_name(E, n, 0);
    if (c->has_bias) ins[2] = param_name(E, n, 1);
    Onnx__NodeProto *nd = x->nd = ex_node(E, "Conv", n->name, ins, c->has_bias ? 3 : 2, n->name);
    const int64_t k[2] = {c->kh, c->kw}, s[2] = {c->sh, c->sw}, d[2] = {c->dh, c->dw},
                  p[4] = {c->pt, c->pl, c->pb, c->pr};
    attr_ints(E, nd, "kernel_shape", k, 2);
    attr_ints(E, nd, "strides", s, 2);
    attr_ints(E, nd, "pads", p, 4);
    attr_ints(E, nd, "dilations", d, 2);
    attr_int(E, nd, "group", c->groups);
    params_out(E, n);
    x->rank = 4;
    return 0;
}

static int ex_convt(Exporter *E, ExNode *x) {
    const EngNode *n = x->n;
    const EngConvTParams *c = &n->p.convt;
    const char *ins[3];
    ins[0] = as_rank4(E, x->x), ins[1] = param_name(E, n, 0);
    if (c->has_bias) ins[2] = param_name(E, n, 1);
    Onnx__NodeProto *nd = x->nd = ex_node(E, "ConvTranspose", n->name, ins, c->has_bias ? 3 : 2, n->name);
    const int64_t k[2] = {c->kh, c->kw}, s[2] = {c->sh, c->sw}, d[2] = {c->dh, c->dw},
                  p[4] = {c->pt, c->pl, c->pb, c->pr}, op[2] = {c->oph, c->opw};
    attr_ints(E, nd, "kernel_shape", k, 2);
    attr_ints(E, nd, "strides", s, 2);
    attr_ints(E, nd, "pads", p, 4);
    attr_ints(E, nd, "dilations", d, 2);
    attr_int(E, nd, "group", c->groups);
    if (c->oph || c->opw) attr_ints(E, nd, "output_padding", op, 2);
    params_out(E, n);
    x->rank = 4;
    return 0;
}

/* MaxPool, AveragePool */
static int ex_pool(Exporter *E, ExNode *x) {
    const char *ins[1] = {as_rank4(E, x->x)};
    x->nd = ex_node(E, x->onnx, x->n->name, ins, 1, x->n->name);
    if (x->nd && pool_attrs(E, x->nd, x->n, x->in) != 0) return -1;
    x->rank = 4;
    return 0;
}

/* GlobalAveragePool, GlobalMaxPool: of a map, to a map */
static int ex_map_op(Exporter *E, ExNode *x) {
    const char *ins[1] = {as_rank4(E, x->x)};
    x->nd = ex_node(E, x->onnx, x->n->name, ins, 1, x->n->name);
    x->rank = 4;
    return 0;
}
/* Relu, Sigmoid, Tanh, HardSwish: one input, no attributes, the input's rank */
static int ex_unary(Exporter *E, ExNode *x) {
    x->nd = ex_node(E, x->onnx, x->n->name, &x->xin, 1, x->n->name);
    return 0;
}

static int ex_lrn(Exporter *E, ExNode *x) {
    const EngNode *n = x->n;
    const char *ins[1] = {as_rank4(E, x->x)};
    Onnx__NodeProto *nd = x->nd = ex_node(E, "LRN", n->name, ins, 1, n->name);
    attr_int(E, nd, "size", n->p.lrn.size);
    attr_float(E, nd, "alpha", n->p.lrn.alpha);
    attr_float(E, nd, "beta", n->p.lrn.beta);
    attr_float(E, nd, "bias", n->p.lrn.bias);
    x->rank = 4;
    return 0;
}

/* inference: the running statistics; [N, C] or [N, C, H, W] */
static int ex_bn(Exporter *E, ExNode *x) {
    const EngNode *n = x->n;
    const char *ins[5] = {x->xin};
    for (int k = 0; k < 4; k++) ins[1 + k] = param_name(E, n, k);
    x->nd = ex_node(E, "BatchNormalization", n->name, ins, 5, n->name);
    attr_float(E, x->nd, "epsilon", n->p.bn.eps);
    params_out(E, n);
    return 0;
}

static int ex_leakyrelu(Exporter *E, ExNode *x) {
    x->nd = ex_node(E, "LeakyRelu", x->n->name, &x->xin, 1, x->n->name);
    attr_float(E, x->nd, "alpha", x->n->p.leaky.alpha);
    return 0;
}

static int ex_hardsigmoid(Exporter *E, ExNode *x) {
    x->nd = ex_node(E, "HardSigmoid", x->n->name, &x->xin, 1, x->n->name);
    attr_float(E, x->nd, "alpha", x->n->p.hsig.alpha);
    attr_float(E, x->nd, "beta", x->n->p.hsig.beta);
    return 0;
}

/* the slope broadcasts from the right: per channel of a map is (C, 1, 1) */
static int ex_prelu(Exporter *E, ExNode *x) {
    const EngNode *n = x->n;
    const EngParam *p = &n->params[0];
    if (p->n != 1 && p->n != (size_t)x->in.C)
        FAIL("ONNX export: node '%s': a prelu with one slope per unit is not exported (only "
             "one shared slope or one per channel)", n->name);
    const char *w = param_name(E, n, 0);
    int64_t dims[3] = {(int64_t)p->n, 1, 1};
    init_float(E, w, dims, (p->n > 1 && x->xrank == 4) ? 3 : 1, p->data, p->n);
    const char *ins[2] = {x->xin, w};
    x->nd = ex_node(E, "PRelu", n->name, ins, 2, n->name);
    return 0;
}

/* min and max are inputs since opset 11; an infinite bound is left out */
static int ex_clip(Exporter *E, ExNode *x) {
    const char *name = x->n->name, *ins[3] = {x->xin};
    const EngClipParams *c = &x->n->p.clip;
    int n_in = 1;
    if (c->lo >= -FLT_MAX) {
        ins[1] = ex_str(E, "%s.min", name);
        init_scalar(E, ins[1], c->lo);
        n_in = 2;
    }
    if (c->hi <= FLT_MAX) {
        if (n_in == 1) ins[n_in++] = "";
        ins[n_in] = ex_str(E, "%s.max", name);
        init_scalar(E, ins[n_in], c->hi);
        n_in++;
    }
    x->nd = ex_node(E, "Clip", name, ins, n_in, name);
    return 0;
}

/* Softmax, LogSoftmax over channels: axis 1 of [N, C, H, W] is per pixel since opset 13 */
static int ex_softmax(Exporter *E, ExNode *x) {
    const EngNode *n = x->n;
    if (n->p.softmax.len != x->in.C || n->p.softmax.inner != x->in.H * x->in.W)
        FAIL("ONNX export: node '%s': a softmax over %d values %d apart is not exported (only "
             "over channels)", n->name, n->p.softmax.len, n->p.softmax.inner);
    x->nd = ex_node(E, x->onnx, n->name, &x->xin, 1, n->name);
    attr_int(E, x->nd, "axis", 1);
    return 0;
}

/* y = x W^T + b with W (OUT, K): Gemm with transB */
static int ex_fc(Exporter *E, ExNode *x) {
    const EngNode *n = x->n;
    const char *ins[3];
    ins[0] = as_rank2(E, x->x, n->name), ins[1] = param_name(E, n, 0);
    if (n->p.fc.has_bias) ins[2] = param_name(E, n, 1);
    x->nd = ex_node(E, "Gemm", n->name, ins, n->p.fc.has_bias ? 3 : 2, n->name);
    attr_int(E, x->nd, "transB", 1);
    params_out(E, n);
    x->rank = 2;
    return 0;
}

/* Add (Sum of more than two), Mul, Concat along channels */
static int ex_merge(Exporter *E, ExNode *x) {
    const EngNode *n = x->n;
    const char **many = ex_alloc(E, (size_t)n->n_inputs * sizeof *many);
    if (!many || !(x->rank = merge_inputs(E, n, many))) return 0;
    const char *op = n->op == ENG_OP_ADD && n->n_inputs != 2 ? "Sum" : x->onnx;
    if (n->op == ENG_OP_CONCAT && (n->p.concat.outer != 1 || n->p.concat.inner != n->out.H * n->out.W))
        FAIL("ONNX export: node '%s': a concat along a span other than channels is not "
             "exported", n->name);
    x->nd = ex_node(E, op, n->name, many, n->n_inputs, n->name);
    if (n->op == ENG_OP_CONCAT) attr_int(E, x->nd, "axis", 1);
    return 0;
}

static int ex_flatten(Exporter *E, ExNode *x) {
    x->nd = ex_node(E, "Flatten", x->n->name, &x->xin, 1, x->n->name);
    attr_int(E, x->nd, "axis", 1);
    x->rank = 2;
    return 0;
}

/* identity at inference; the ratio is kept for readers */
static int ex_dropout(Exporter *E, ExNode *x) {
    const char *ins[2];
    ins[0] = x->xin, ins[1] = ex_str(E, "%s.ratio", x->n->name);
    init_scalar(E, ins[1], x->n->p.dropout.ratio);
    x->nd = ex_node(E, "Dropout", x->n->name, ins, 2, x->n->name);
    return 0;
}

/* constant, reflect (numpy's: mirrored about the edge unit, as the engine's)
 * or edge; the value input only for constant padding */
static int ex_pad(Exporter *E, ExNode *x) {
    static const char *const modes[3] = {"constant", "reflect", "edge"};
    const char *name = x->n->name;
    const EngPadParams *p = &x->n->p.pad;
    const int64_t pads[8] = {0, p->cb, p->pt, p->pl, 0, p->ca, p->pb, p->pr};
    const char *ins[3];
    const int constant = p->mode == ENG_PAD_CONSTANT;
    if (p->mode < ENG_PAD_CONSTANT || p->mode > ENG_PAD_EDGE)
        FAIL("ONNX export: node '%s' (pad): unknown mode %d", name, p->mode);
    ins[0] = as_rank4(E, x->x), ins[1] = ex_str(E, "%s.pads", name), ins[2] = ex_str(E, "%s.value", name);
    init_int64(E, ins[1], pads, 8);
    if (constant) init_scalar(E, ins[2], p->value);
    x->nd = ex_node(E, "Pad", name, ins, constant ? 3 : 2, name);
    if (!constant) attr_str(E, x->nd, "mode", modes[p->mode]);
    x->rank = 4;
    return 0;
}

/* ---- ops written as several ONNX nodes ------------------------------------------------------
 * Opset 14 has no SiLU, GELU, Mish or LayerNorm operator: each is written as the
 * operators that compute it, the helpers named "<node>/<step>", the last one
 * giving the node's own tensor. */

/* one helper node of a decomposition: op(ins) -> "<node>/<step>" (or the node's
 * own name when step is NULL) */
static const char *ex_step(Exporter *E, ExNode *x, const char *op, const char *step,
                           const char *a, const char *b) {
    const char *name = step ? ex_str(E, "%s/%s", x->n->name, step) : x->n->name;
    const char *ins[2] = {a, b};
    if (!name) return NULL;
    x->nd = ex_node(E, op, name, ins, b ? 2 : 1, name);
    return x->nd ? name : NULL;
}

/* x * sigmoid(x): Sigmoid, Mul */
static int ex_silu(Exporter *E, ExNode *x) {
    const char *s = ex_step(E, x, "Sigmoid", "sigmoid", x->xin, NULL);
    if (s) ex_step(E, x, "Mul", NULL, x->xin, s);
    return 0;
}

/* x * tanh(softplus(x)): Softplus, Tanh, Mul (ONNX's Mish comes at opset 18) */
static int ex_mish(Exporter *E, ExNode *x) {
    const char *t = ex_step(E, x, "Softplus", "softplus", x->xin, NULL);
    if (t) t = ex_step(E, x, "Tanh", "tanh", t, NULL);
    if (t) ex_step(E, x, "Mul", NULL, x->xin, t);
    return 0;
}

/* 0.5 x (1 + erf(x / sqrt 2)): Div, Erf, Add, Mul, Mul */
static int ex_gelu(Exporter *E, ExNode *x) {
    const char *name = x->n->name;
    const char *r2 = ex_str(E, "%s.sqrt2", name), *one = ex_str(E, "%s.one", name),
               *half = ex_str(E, "%s.half", name);
    if (!r2 || !one || !half) return 0;
    init_scalar(E, r2, 1.41421356237309505f);
    init_scalar(E, one, 1.0f);
    init_scalar(E, half, 0.5f);
    const char *t = ex_step(E, x, "Div", "div", x->xin, r2);
    if (t) t = ex_step(E, x, "Erf", "erf", t, NULL);
    if (t) t = ex_step(E, x, "Add", "add", t, one);
    if (t) t = ex_step(E, x, "Mul", "mul", x->xin, t);
    if (t) ex_step(E, x, "Mul", NULL, t, half);
    return 0;
}

/* Node id's output read as the rank-4 [N, d[0], d[1], d[2]]: its own tensor
 * (or as_rank4's) when that is its shape, else a Reshape "<reader>/<tag>"
 * (a 0 in the shape keeps the batch size). */
static const char *as_view(Exporter *E, int id, const int d[3], const char *reader, const char *tag) {
    const EngShape s = eng_graph_node(E->g, id)->out;
    if (s.C == d[0] && s.H == d[1] && s.W == d[2]) return as_rank4(E, id);
    char *name = ex_str(E, "%s/%s", reader, tag), *shape = ex_str(E, "%s/%s.shape", reader, tag);
    if (!name || !shape) return NULL;
    const int64_t dims[4] = {0, d[0], d[1], d[2]};
    init_int64(E, shape, dims, 4);
    const char *ins[2] = {E->tname[id], shape};
    ex_node(E, "Reshape", name, ins, 2, name);
    return E->oom ? NULL : name;
}

/* An op computed on a view [N, v[0], v[1], v[2]] of the node's output: its
 * last ONNX node gives the node's own tensor when the view is the node's
 * shape, else "<node>/<step>", which view_back reshapes to [N, C, H, W]. */
static const char *view_out_name(Exporter *E, const ExNode *x, const int v[3], const char *step) {
    const EngShape o = x->n->out;
    if (o.C == v[0] && o.H == v[1] && o.W == v[2]) return ex_str(E, "%s", x->n->name);
    return ex_str(E, "%s/%s", x->n->name, step);
}
static void view_back(Exporter *E, ExNode *x, const char *t) {
    if (!t || !x->nd || !strcmp(t, x->n->name)) return;
    const EngShape o = x->n->out;
    const char *shape = ex_str(E, "%s.shape", x->n->name);
    if (!shape) return;
    const int64_t dims[4] = {0, o.C, o.H, o.W};
    init_int64(E, shape, dims, 4);
    const char *ins[2] = {t, shape};
    x->nd = ex_node(E, "Reshape", x->n->name, ins, 2, x->n->name);
}

/* ReduceMean over the span (keepdims, axes an attribute until opset 18), Sub,
 * Mul, ReduceMean, Add eps, Sqrt, Div, then the weight and bias. Over
 * channels (len C, inner H*W: ConvNeXt's LayerNorm2d) the span is axis 1 of
 * [N, C, H, W] and weight and bias are (C, 1, 1); any other span (ONNX
 * LayerNormalization over trailing axes is inner 1) is axis 2 of the view
 * [N, outer, len, inner], weight and bias (len, 1), the result reshaped back. */
static int ex_layernorm(Exporter *E, ExNode *x) {
    const EngNode *n = x->n;
    const EngLnParams *q = &n->p.ln;
    const int chan = q->len == n->out.C && q->inner == n->out.H * n->out.W;
    const int64_t size = (int64_t)n->out.C * n->out.H * n->out.W;
    if (q->len < 1 || q->inner < 1 || size % ((int64_t)q->len * q->inner))
        FAIL("ONNX export: node '%s' (layernorm): span %d x %d does not divide its sample", n->name,
             q->len, q->inner);
    const int view[3] = {(int)(size / ((int64_t)q->len * q->inner)), q->len, q->inner};
    const int64_t axis[1] = {chan ? 1 : 2}, cdims[3] = {q->len, 1, 1}, sdims[2] = {q->len, 1};
    const char *in = chan ? as_rank4(E, x->x) : as_view(E, x->x, view, n->name, "view");
    const char *eps = ex_str(E, "%s.eps", n->name);
    const char *w = param_name(E, n, 0), *b = param_name(E, n, 1);
    const char *last = chan ? ex_str(E, "%s", n->name) : view_out_name(E, x, view, "ln");
    if (!in || !eps || !w || !b || !last) return 0;
    init_scalar(E, eps, q->eps);
    init_float(E, w, chan ? cdims : sdims, chan ? 3 : 2, n->params[0].data, n->params[0].n);
    init_float(E, b, chan ? cdims : sdims, chan ? 3 : 2, n->params[1].data, n->params[1].n);
    const char *mean = ex_step(E, x, "ReduceMean", "mean", in, NULL);
    attr_ints(E, x->nd, "axes", axis, 1);
    attr_int(E, x->nd, "keepdims", 1);
    const char *d = mean ? ex_step(E, x, "Sub", "centred", in, mean) : NULL;
    const char *sq = d ? ex_step(E, x, "Mul", "square", d, d) : NULL;
    const char *var = sq ? ex_step(E, x, "ReduceMean", "var", sq, NULL) : NULL;
    if (!var) return 0;
    attr_ints(E, x->nd, "axes", axis, 1);
    attr_int(E, x->nd, "keepdims", 1);
    const char *t = ex_step(E, x, "Add", "var_eps", var, eps);
    if (t) t = ex_step(E, x, "Sqrt", "std", t, NULL);
    if (t) t = ex_step(E, x, "Div", "normed", d, t);
    if (t) t = ex_step(E, x, "Mul", "scaled", t, w);
    if (t) {
        const char *ins[2] = {t, b};
        x->nd = ex_node(E, "Add", last, ins, 2, last);
        view_back(E, x, last);
    }
    x->rank = 4;
    return 0;
}

/* x * gamma, gamma the (C, 1, 1) initializer "<node>.layer_scale" */
static int ex_layerscale(Exporter *E, ExNode *x) {
    const char *ins[2] = {as_rank4(E, x->x), param_name(E, x->n, 0)};
    x->nd = ex_node(E, "Mul", x->n->name, ins, 2, x->n->name);
    params_out(E, x->n);
    x->rank = 4;
    return 0;
}

/* Resize with scales [1, 1, sh, sw] (roi left out, as opset 13 allows): ONNX
 * takes floor(in * scale) units and reads them through the float32 scale, so
 * the node is written only when its scales are float32 numbers that give its
 * own output size; a size given apart from its scale (which needs "sizes", and
 * with them a fixed batch) is refused. */
static int ex_resize(Exporter *E, ExNode *x) {
    static const char *const coord[ENG_RESIZE_COORD_COUNT] = {
        "half_pixel", "align_corners", "asymmetric", "pytorch_half_pixel", "tf_half_pixel_for_nn"};
    static const char *const round[ENG_RESIZE_ROUND_COUNT] = {"round_prefer_floor",
                                                              "round_prefer_ceil", "floor", "ceil"};
    const EngNode *n = x->n;
    const EngResizeParams *p = &n->p.resize;
    const float s[4] = {1.0f, 1.0f, (float)p->sh, (float)p->sw};
    if ((double)s[2] != p->sh || (double)s[3] != p->sw || floor(x->in.H * p->sh) != p->oh ||
        floor(x->in.W * p->sw) != p->ow)
        FAIL("ONNX export: node '%s' (resize): output %dx%d from %dx%d is not floor(input x a "
             "float32 scale) (scales %.9g, %.9g); only a resize by its scales is exported",
             n->name, p->oh, p->ow, x->in.H, x->in.W, p->sh, p->sw);
    const char *ins[3] = {as_rank4(E, x->x), "", ex_str(E, "%s.scales", n->name)};
    float *sv = ex_alloc(E, sizeof s);
    if (!sv) return 0;
    memcpy(sv, s, sizeof s);
    const int64_t dims[1] = {4};
    init_float(E, ins[2], dims, 1, sv, 4);
    x->nd = ex_node(E, "Resize", n->name, ins, 3, n->name);
    attr_str(E, x->nd, "mode", p->mode == ENG_RESIZE_LINEAR ? "linear" : "nearest");
    attr_str(E, x->nd, "coordinate_transformation_mode", coord[p->coord]);
    if (p->mode == ENG_RESIZE_NEAREST) attr_str(E, x->nd, "nearest_mode", round[p->round]);
    x->rank = 4;
    return 0;
}

/* ---- the general elementwise ops, reductions and reshapes ------------------------------------
 * What the importer makes of ONNX's own elementwise ops, reductions and
 * reshapes goes back to them. The engine reads a sample as 4 axes; the file
 * writes a tensor [N, d1, d2, d3] for a sample read as (1, d1, d2, d3) (the
 * first axis of 1: a batch-mode graph, the only kind exported here). */

/* Abs ... ThresholdedRelu with their attributes; POW a Pow by its scalar
 * exponent; LINEAR (a scalar Add, Sub, Mul or Div, as the importer folds
 * them) a Mul by alpha and an Add of gamma, each left out when it does
 * nothing. */
static int ex_unary_kind(Exporter *E, ExNode *x) {
    static const char *const ops[ENG_UNARY_COUNT] = {
        "Abs", "Neg", "Exp", "Log", "Reciprocal", "Sqrt", "Erf", "Elu", "Selu", "Celu",
        "Softplus", "Softsign", "ThresholdedRelu", "Pow", NULL};
    const EngNode *n = x->n;
    const EngUnaryParams *q = &n->p.unary;
    if (q->kind < 0 || q->kind >= ENG_UNARY_COUNT)
        FAIL("ONNX export: node '%s' (unary): unknown function %d", n->name, q->kind);
    if (q->kind == ENG_UNARY_POW) {
        const char *e = ex_str(E, "%s.exponent", n->name);
        if (!e) return 0;
        init_scalar(E, e, q->alpha);
        ex_step(E, x, "Pow", NULL, x->xin, e);
        return 0;
    }
    if (q->kind == ENG_UNARY_LINEAR) {
        const int scale = q->alpha != 1.0f || q->gamma == 0.0f, shift = q->gamma != 0.0f;
        const char *t = x->xin;
        if (scale) {
            const char *a = ex_str(E, "%s.alpha", n->name);
            if (!a) return 0;
            init_scalar(E, a, q->alpha);
            t = ex_step(E, x, "Mul", shift ? "scale" : NULL, t, a);
        }
        if (shift && t) {
            const char *c = ex_str(E, "%s.gamma", n->name);
            if (!c) return 0;
            init_scalar(E, c, q->gamma);
            ex_step(E, x, "Add", NULL, t, c);
        }
        return 0;
    }
    x->nd = ex_node(E, ops[q->kind], n->name, &x->xin, 1, n->name);
    switch (q->kind) {
    case ENG_UNARY_SELU: attr_float(E, x->nd, "gamma", q->gamma); /* fall through */
    case ENG_UNARY_ELU:
    case ENG_UNARY_CELU:
    case ENG_UNARY_THRESHOLDED_RELU: attr_float(E, x->nd, "alpha", q->alpha); break;
    default: break;
    }
    return 0;
}

/* A constant node: no ONNX node. Each elementwise op that reads it gets it as
 * an initializer of its own ([1, ...]: ONNX broadcasts it over the batch);
 * any other reader stops the export (export_node). */
static int ex_const(Exporter *E, ExNode *x) {
    (void)E;
    x->rank = 1;
    return 1;
}

/* One operand of a binary op, viewed as [N, v0, v1, v2]; a constant node as
 * the initializer "<reader>.<tag>" [1, v0, v1, v2] holding its values. */
static const char *binary_operand(Exporter *E, const EngNode *reader, int id, const int v[3],
                                  const char *tag) {
    const EngNode *k = eng_graph_node(E->g, id);
    if (k->op != ENG_OP_CONST) return as_view(E, id, v, reader->name, tag);
    const char *name = ex_str(E, "%s.%s", reader->name, tag);
    const int64_t dims[4] = {1, v[0], v[1], v[2]};
    if (name) init_float(E, name, dims, 4, k->params[0].data, k->params[0].n);
    return name;
}

/* Add, Sub, Mul, Div, Pow with numpy broadcasting, on the views of its inputs
 * and output the node's 4 axes give */
static int ex_binary(Exporter *E, ExNode *x) {
    static const char *const ops[ENG_BINARY_COUNT] = {"Add", "Sub", "Mul", "Div", "Pow"};
    const EngNode *n = x->n;
    const EngBinaryParams *q = &n->p.binary;
    if (q->kind < 0 || q->kind >= ENG_BINARY_COUNT)
        FAIL("ONNX export: node '%s' (binary): unknown operation %d", n->name, q->kind);
    if (q->a[0] != 1 || q->b[0] != 1)
        FAIL("ONNX export: node '%s' (binary): it broadcasts along the first of a sample's 4 axes "
             "(%dx%dx%dx%d and %dx%dx%dx%d), a one-sample graph's axis; only batch-mode graphs are "
             "exported", n->name, q->a[0], q->a[1], q->a[2], q->a[3], q->b[0], q->b[1], q->b[2], q->b[3]);
    if (eng_graph_node(E->g, n->inputs[0])->op == ENG_OP_CONST &&
        eng_graph_node(E->g, n->inputs[1])->op == ENG_OP_CONST)
        FAIL("ONNX export: node '%s' (binary): both operands are constants (the same in every "
             "sample, with no batch axis to give the output)", n->name);
    const int va[3] = {q->a[1], q->a[2], q->a[3]}, vb[3] = {q->b[1], q->b[2], q->b[3]},
              vo[3] = {q->out[1], q->out[2], q->out[3]};
    const char *ins[2] = {binary_operand(E, n, n->inputs[0], va, "a"),
                          binary_operand(E, n, n->inputs[1], vb, "b")};
    const char *out = view_out_name(E, x, vo, ops[q->kind]);
    if (!ins[0] || !ins[1] || !out) return 0;
    x->nd = ex_node(E, ops[q->kind], out, ins, 2, out);
    view_back(E, x, out);
    x->rank = 4;
    return 0;
}

/* MatMul of two computed tensors (or a computed one and a constant), numpy's
 * broadcasting of the matrices' leading axes, on the views [N, a1, M, K] and
 * [N, b1, K, P] of its inputs, out [N, o1, M, P] */
static int ex_bmm(Exporter *E, ExNode *x) {
    const EngNode *n = x->n;
    const EngBmmParams *q = &n->p.bmm;
    if (q->a[0] != 1 || q->b[0] != 1)
        FAIL("ONNX export: node '%s' (bmm): it broadcasts along the first of a sample's 4 axes "
             "(%dx%dx%dx%d and %dx%dx%dx%d), a one-sample graph's axis; only batch-mode graphs are "
             "exported", n->name, q->a[0], q->a[1], q->a[2], q->a[3], q->b[0], q->b[1], q->b[2], q->b[3]);
    if (eng_graph_node(E->g, n->inputs[0])->op == ENG_OP_CONST &&
        eng_graph_node(E->g, n->inputs[1])->op == ENG_OP_CONST)
        FAIL("ONNX export: node '%s' (bmm): both operands are constants (the same in every "
             "sample, with no batch axis to give the output)", n->name);
    const int va[3] = {q->a[1], q->a[2], q->a[3]}, vb[3] = {q->b[1], q->b[2], q->b[3]},
              vo[3] = {q->out[1], q->out[2], q->out[3]};
    const char *ins[2] = {binary_operand(E, n, n->inputs[0], va, "a"),
                          binary_operand(E, n, n->inputs[1], vb, "b")};
    const char *out = view_out_name(E, x, vo, "matmul");
    if (!ins[0] || !ins[1] || !out) return 0;
    x->nd = ex_node(E, "MatMul", out, ins, 2, out);
    view_back(E, x, out);
    x->rank = 4;
    return 0;
}

/* ReduceMean, ReduceSum (axes an input since opset 13), ReduceMax,
 * ReduceSumSquare over the node's axes of the view [N, d1, d2, d3], keepdims */
static int ex_reduce(Exporter *E, ExNode *x) {
    static const char *const ops[ENG_REDUCE_COUNT] = {"ReduceMean", "ReduceSum", "ReduceMax",
                                                      "ReduceSumSquare"};
    const EngNode *n = x->n;
    const EngReduceParams *q = &n->p.reduce;
    if (q->kind < 0 || q->kind >= ENG_REDUCE_COUNT)
        FAIL("ONNX export: node '%s' (reduce): unknown reduction %d", n->name, q->kind);
    int64_t axes[3];
    int na = 0;
    for (int k = 1; k < 4; k++)
        if ((q->axes >> k) & 1) axes[na++] = k;
    if (q->dims[0] != 1 || na == 0)
        FAIL("ONNX export: node '%s' (reduce): a reduction along the first of a sample's 4 axes "
             "(%dx%dx%dx%d, mask %d), a one-sample graph's axis, is not exported", n->name,
             q->dims[0], q->dims[1], q->dims[2], q->dims[3], q->axes);
    const int vi[3] = {q->dims[1], q->dims[2], q->dims[3]};
    int vo[3];
    for (int k = 0; k < 3; k++) vo[k] = (q->axes >> (k + 1)) & 1 ? 1 : vi[k];
    const char *ins[2] = {as_view(E, x->x, vi, n->name, "in"), ex_str(E, "%s.axes", n->name)};
    const char *out = view_out_name(E, x, vo, "reduce");
    if (!ins[0] || !ins[1] || !out) return 0;
    const int sum = q->kind == ENG_REDUCE_SUM;
    if (sum) init_int64(E, ins[1], axes, na);
    x->nd = ex_node(E, ops[q->kind], out, ins, sum ? 2 : 1, out);
    if (!sum) attr_ints(E, x->nd, "axes", axes, na);
    attr_int(E, x->nd, "keepdims", 1);
    view_back(E, x, out);
    x->rank = 4;
    return 0;
}

/* DepthToSpace (DCR or CRD) and SpaceToDepth */
static int ex_depth_space(Exporter *E, ExNode *x) {
    const EngDepthSpaceParams *q = &x->n->p.ds;
    const char *ins[1] = {as_rank4(E, x->x)};
    x->nd = ex_node(E, q->to_space ? "DepthToSpace" : "SpaceToDepth", x->n->name, ins, 1, x->n->name);
    attr_int(E, x->nd, "blocksize", q->block);
    if (q->to_space) attr_str(E, x->nd, "mode", q->crd ? "CRD" : "DCR");
    x->rank = 4;
    return 0;
}

/* a sample's data unchanged as (C, H, W) */
static int ex_reshape(Exporter *E, ExNode *x) {
    const EngShape o = x->n->out;
    const char *shape = ex_str(E, "%s.shape", x->n->name);
    if (!shape) return 0;
    const int64_t dims[4] = {0, o.C, o.H, o.W};
    init_int64(E, shape, dims, 4);
    const char *ins[2] = {x->xin, shape};
    x->nd = ex_node(E, "Reshape", x->n->name, ins, 2, x->n->name);
    x->rank = 4;
    return 0;
}

/* a sample read as (d0, d1, d2, d3), its axes permuted: Transpose of the view
 * [N, d1, d2, d3] with perm [0, p1, p2, p3] when d0 is 1 and stays first;
 * else (ShuffleNet's channel shuffle, (g, C/g, H, W) to (C/g, g, H, W)) of
 * the rank-5 [N, d0, d1, d2, d3] with perm [0, 1 + p0, ...], reshaped back to
 * [N, C, H, W] (what PyTorch writes for it, and the importer reads). */
static int ex_transpose(Exporter *E, ExNode *x) {
    const EngNode *n = x->n;
    const EngTransposeParams *q = &n->p.transpose;
    if (q->dims[0] == 1 && q->perm[0] == 0) {
        const int vi[3] = {q->dims[1], q->dims[2], q->dims[3]},
                  vo[3] = {q->dims[q->perm[1]], q->dims[q->perm[2]], q->dims[q->perm[3]]};
        const int64_t perm[4] = {0, q->perm[1], q->perm[2], q->perm[3]};
        const char *in = as_view(E, x->x, vi, n->name, "in"), *out = view_out_name(E, x, vo, "transpose");
        if (!in || !out) return 0;
        x->nd = ex_node(E, "Transpose", out, &in, 1, out);
        attr_ints(E, x->nd, "perm", perm, 4);
        view_back(E, x, out);
        x->rank = 4;
        return 0;
    }
    const char *in = ex_str(E, "%s/in", n->name), *shape = ex_str(E, "%s/in.shape", n->name),
               *out = ex_str(E, "%s/transpose", n->name);
    if (!in || !shape || !out) return 0;
    const int64_t d5[5] = {0, q->dims[0], q->dims[1], q->dims[2], q->dims[3]},
                  perm[5] = {0, 1 + q->perm[0], 1 + q->perm[1], 1 + q->perm[2], 1 + q->perm[3]};
    init_int64(E, shape, d5, 5);
    const char *ins[2] = {x->xin, shape};
    ex_node(E, "Reshape", in, ins, 2, in);
    x->nd = ex_node(E, "Transpose", out, &in, 1, out);
    attr_ints(E, x->nd, "perm", perm, 5);
    view_back(E, x, out);
    x->rank = 4;
    return 0;
}

/* rows start, start + step, ... of the view [N, outer, len, inner]: Slice of axis 2 */
static int ex_slice(Exporter *E, ExNode *x) {
    const EngNode *n = x->n;
    const EngSliceParams *q = &n->p.slice;
    const int vi[3] = {q->outer, q->len, q->inner}, vo[3] = {q->outer, q->count, q->inner};
    const int64_t start[1] = {q->start}, end[1] = {q->start + (int64_t)(q->count - 1) * q->step + 1},
                  axis[1] = {2}, step[1] = {q->step};
    const char *ins[5] = {as_view(E, x->x, vi, n->name, "in"), ex_str(E, "%s.starts", n->name),
                          ex_str(E, "%s.ends", n->name), ex_str(E, "%s.axes", n->name),
                          ex_str(E, "%s.steps", n->name)};
    const char *out = view_out_name(E, x, vo, "slice");
    for (int k = 0; k < 5; k++)
        if (!ins[k]) return 0;
    if (!out) return 0;
    init_int64(E, ins[1], start, 1);
    init_int64(E, ins[2], end, 1);
    init_int64(E, ins[3], axis, 1);
    init_int64(E, ins[4], step, 1);
    x->nd = ex_node(E, "Slice", out, ins, 5, out);
    view_back(E, x, out);
    x->rank = 4;
    return 0;
}

/* x * scale + shift, one of each per unit: a Mul and an Add by initializers of
 * the input's sample shape ((C, H, W), or (K) for a vector) */
static int ex_affine(Exporter *E, ExNode *x) {
    const EngNode *n = x->n;
    const EngAffineParams *q = &n->p.affine;
    const int64_t d4[3] = {x->in.C, x->in.H, x->in.W}, d2[1] = {x->in.C};
    const int64_t *dims = x->xrank == 4 ? d4 : d2;
    const int nd = x->xrank == 4 ? 3 : 1;
    const char *t = x->xin;
    int k = 0;
    if (q->has_scale) {
        const char *w = param_name(E, n, k);
        if (!w) return 0;
        init_float(E, w, dims, nd, n->params[k].data, n->params[k].n);
        t = ex_step(E, x, "Mul", q->has_shift ? "scale" : NULL, t, w);
        k++;
    }
    if (q->has_shift && t) {
        const char *b = param_name(E, n, k);
        if (!b) return 0;
        init_float(E, b, dims, nd, n->params[k].data, n->params[k].n);
        ex_step(E, x, "Add", NULL, t, b);
    }
    return 0;
}

/* Per sample x (M, K) (trans_a: (K, M)) times W^T, plus a bias (M, OUT):
 * Reshape to [N, M, K] (Transpose of [N, K, M]), MatMul by the initializer
 * "<node>.weight" (K, OUT) (W transposed: ONNX MatMul's layout), Add
 * "<node>.bias", Reshape to the node's [N, M, OUT, 1]. */
static int ex_matmul(Exporter *E, ExNode *x) {
    const EngNode *n = x->n;
    const EngMatmulParams *q = &n->p.matmul;
    const char *name = n->name;
    if (q->stack > 1)
        FAIL("ONNX export: node '%s' (matmul): a product by a stack of %d matrices is not exported "
             "(it needs a rank-5 view the importer does not read back)", name, q->stack);
    const char *shape = ex_str(E, "%s/rows.shape", name), *rows = ex_str(E, "%s/rows", name);
    const char *w = param_name(E, n, 0), *mm = ex_str(E, "%s/matmul", name);
    float *wt = ex_alloc(E, (size_t)q->k * q->out * sizeof *wt);
    if (!shape || !rows || !w || !mm || !wt) return 0;
    const int64_t sd[3] = {0, q->trans_a ? q->k : q->m, q->trans_a ? q->m : q->k},
                  wd[2] = {q->k, q->out}, bd[2] = {q->m, q->out}, perm[3] = {0, 2, 1};
    init_int64(E, shape, sd, 3);
    const char *ins[2] = {x->xin, shape};
    ex_node(E, "Reshape", rows, ins, 2, rows);
    const char *t = rows;
    if (q->trans_a) {
        t = ex_str(E, "%s/transpose", name);
        if (!t) return 0;
        Onnx__NodeProto *tr = ex_node(E, "Transpose", t, &rows, 1, t);
        attr_ints(E, tr, "perm", perm, 3);
    }
    const float *W = n->params[0].data; /* (OUT, K) */
    for (int i = 0; i < q->k; i++)
        for (int o = 0; o < q->out; o++) wt[(size_t)i * q->out + o] = W[(size_t)o * q->k + i];
    init_float(E, w, wd, 2, wt, (size_t)q->k * q->out);
    t = ex_step(E, x, "MatMul", "matmul", t, w);
    if (t && q->has_bias) {
        const char *b = param_name(E, n, 1);
        if (!b) return 0;
        init_float(E, b, bd, 2, n->params[1].data, n->params[1].n);
        t = ex_step(E, x, "Add", "bias", t, b);
    }
    const char *oshape = ex_str(E, "%s.shape", name);
    if (!t || !oshape) return 0;
    const int64_t od[4] = {0, n->out.C, n->out.H, n->out.W};
    init_int64(E, oshape, od, 4);
    const char *rs[2] = {t, oshape};
    x->nd = ex_node(E, "Reshape", name, rs, 2, name);
    x->rank = 4;
    return 0;
}

/* ---- the exporter table ---------------------------------------------------------------------- */

/* Writes x's ONNX node (x->nd; 0), or fails (-1, the message set); 1: done
 * without a node (the graph input). */
typedef int (*ExportFn)(Exporter *E, ExNode *x);

typedef struct {
    EngOpType op;     /* the row's own op: rows go in the enum's order */
    const char *onnx; /* the ONNX op written (its name for ex_* shared by several ops) */
    ExportFn fn;      /* NULL: no ONNX equivalent at opset 14, the export stops there */
} ExportRow;

/* One row per EngOpType, in the enum's order (checked by eng_onnx_save). */
static const ExportRow EXPORTERS[] = {
    {ENG_OP_INPUT, NULL, ex_input},
    {ENG_OP_CONV, "Conv", ex_conv},
    {ENG_OP_CONVT, "ConvTranspose", ex_convt},
    {ENG_OP_MAXPOOL, "MaxPool", ex_pool},
    {ENG_OP_AVGPOOL, "AveragePool", ex_pool},
    {ENG_OP_GAVGPOOL, "GlobalAveragePool", ex_map_op},
    {ENG_OP_GMAXPOOL, "GlobalMaxPool", ex_map_op},
    {ENG_OP_LRN, "LRN", ex_lrn},
    {ENG_OP_BN, "BatchNormalization", ex_bn},
    {ENG_OP_RELU, "Relu", ex_unary},
    {ENG_OP_LEAKYRELU, "LeakyRelu", ex_leakyrelu},
    {ENG_OP_PRELU, "PRelu", ex_prelu},
    {ENG_OP_CLIP, "Clip", ex_clip},
    {ENG_OP_SIGMOID, "Sigmoid", ex_unary},
    {ENG_OP_TANH, "Tanh", ex_unary},
    {ENG_OP_HARDSIGMOID, "HardSigmoid", ex_hardsigmoid},
    {ENG_OP_HARDSWISH, "HardSwish", ex_unary},
    {ENG_OP_SOFTMAX, "Softmax", ex_softmax},
    {ENG_OP_FC, "Gemm", ex_fc},
    {ENG_OP_ADD, "Add", ex_merge},
    {ENG_OP_MUL, "Mul", ex_merge},
    {ENG_OP_CONCAT, "Concat", ex_merge},
    {ENG_OP_FLATTEN, "Flatten", ex_flatten},
    {ENG_OP_DROPOUT, "Dropout", ex_dropout},
    {ENG_OP_PAD, "Pad", ex_pad},
    {ENG_OP_MATMUL, "MatMul", ex_matmul},
    {ENG_OP_RESHAPE, "Reshape", ex_reshape},
    {ENG_OP_AFFINE, "Mul", ex_affine},
    {ENG_OP_CONST, NULL, ex_const},
    {ENG_OP_MAXUNPOOL, NULL, NULL},
    {ENG_OP_TRANSPOSE, "Transpose", ex_transpose},
    {ENG_OP_LOGSOFTMAX, "LogSoftmax", ex_softmax},
    {ENG_OP_SLICE, "Slice", ex_slice},
    {ENG_OP_MAXPOOL_INDEX, NULL, NULL},
    {ENG_OP_BN_BATCH, NULL, NULL},
    {ENG_OP_BN_STAT, NULL, NULL},
    {ENG_OP_SILU, "Sigmoid", ex_silu},
    {ENG_OP_GELU, "Erf", ex_gelu},
    {ENG_OP_LAYERNORM, "ReduceMean", ex_layernorm},
    {ENG_OP_LAYERSCALE, "Mul", ex_layerscale},
    {ENG_OP_MISH, "Softplus", ex_mish},
    {ENG_OP_DROP_PATH, NULL, NULL},
    {ENG_OP_JOIN, NULL, NULL},
    {ENG_OP_RESIZE, "Resize", ex_resize},
    {ENG_OP_UNARY, NULL, ex_unary_kind},
    {ENG_OP_BINARY, NULL, ex_binary},
    {ENG_OP_REDUCE, NULL, ex_reduce},
    {ENG_OP_DEPTH_SPACE, NULL, ex_depth_space},
    {ENG_OP_BMM, "MatMul", ex_bmm},
};
_Static_assert(sizeof EXPORTERS / sizeof EXPORTERS[0] == ENG_OP_COUNT, "one exporter row per EngOpType");

static int export_node(Exporter *E, int id) {
    const EngNode *n = eng_graph_node(E->g, id);
    for (int k = 0; k < n->n_inputs; k++) {
        if (!E->tname[n->inputs[k]])
            FAIL("ONNX export: node '%s' (%s) reads '%s', which is not exported (training-only)",
                 n->name, eng_op_name(n->op), eng_graph_node(E->g, n->inputs[k])->name);
        if (E->rank[n->inputs[k]] == 1 && n->op != ENG_OP_BINARY && n->op != ENG_OP_BMM)
            FAIL("ONNX export: node '%s' (%s) reads the constant '%s', which is exported only as "
                 "an operand of an elementwise op (binary) or a product (bmm)", n->name, eng_op_name(n->op),
                 eng_graph_node(E->g, n->inputs[k])->name);
    }
    for (int k = 0; k < n->n_params; k++)
        if (!n->params[k].data)
            FAIL("ONNX export: node '%s' has no parameter values (load or initialise weights "
                 "first)", n->name);
    const ExportRow *row = (unsigned)n->op < ENG_OP_COUNT ? &EXPORTERS[n->op] : NULL;
    if (!row || !row->fn)
        FAIL("ONNX export: node '%s': op %s has no ONNX equivalent here (opset %d)", n->name,
             eng_op_name(n->op), OPSET);
    ExNode x = {n, row->onnx, -1, n->out, NULL, 4, NULL, 4};
    if (n->n_inputs) {
        x.x = n->inputs[0];
        x.in = eng_graph_node(E->g, x.x)->out;
        x.xin = E->tname[x.x];
        x.rank = x.xrank = E->rank[x.x];
    }
    const int rc = row->fn(E, &x);
    if (rc < 0) return -1;
    if (rc == 0 && (E->oom || !x.nd)) {
        if (!E->err || !E->err[0]) eng_set_err(E->err, E->errlen, "ONNX export: out of memory");
        return -1;
    }
    E->rank[id] = x.rank;
    E->tname[id] = ex_str(E, "%s", n->name);
    return E->oom ? -1 : 0;
}

/* ---- names ------------------------------------------------------------------------------ */

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Every tensor must have one producer: node outputs, initializers and graph
 * inputs share one namespace. */
static int check_names(Exporter *E) {
    size_t n = E->n_nodes + E->n_inits + E->n_inputs, k = 0;
    const char **all = malloc((n ? n : 1) * sizeof *all);
    if (!all) FAIL("ONNX export: out of memory");
    for (size_t i = 0; i < E->n_nodes; i++) all[k++] = E->nodes[i]->output[0];
    for (size_t i = 0; i < E->n_inits; i++) all[k++] = E->inits[i]->name;
    for (size_t i = 0; i < E->n_inputs; i++) all[k++] = E->inputs[i]->name;
    qsort(all, n, sizeof *all, cmp_str);
    for (size_t i = 1; i < n; i++)
        if (!strcmp(all[i], all[i - 1])) {
            eng_set_err(E->err, E->errlen,
                        "ONNX export: the name '%s' is given to two tensors (a layer named like "
                        "another layer's parameter?); rename one", all[i]);
            free(all);
            return -1;
        }
    free(all);
    return 0;
}

/* ---- writing ------------------------------------------------------------------------------ */

typedef struct {
    ProtobufCBuffer base;
    FILE *f;
    int failed;
} FileBuffer;

static void file_append(ProtobufCBuffer *b, size_t len, const uint8_t *data) {
    FileBuffer *fb = (FileBuffer *)b;
    if (!fb->failed && len && fwrite(data, 1, len, fb->f) != len) fb->failed = 1;
}

/* "key=value" lines into metadata entries. */
static void meta_props(Exporter *E, Onnx__ModelProto *m, const char *meta) {
    if (!meta) return;
    size_t cap = 1;
    for (const char *p = meta; *p; p++) cap += *p == '\n';
    Onnx__StringStringEntryProto **arr = ex_alloc(E, cap * sizeof *arr);
    if (!arr) return;
    m->metadata_props = arr;
    for (const char *p = meta; *p;) {
        const char *eol = strchr(p, '\n'), *end = eol ? eol : p + strlen(p);
        const char *eq = memchr(p, '=', (size_t)(end - p));
        if (eq && eq > p) {
            Onnx__StringStringEntryProto *e = ex_alloc(E, sizeof *e);
            if (!e) return;
            onnx__string_string_entry_proto__init(e);
            e->key = ex_str(E, "%.*s", (int)(eq - p), p);
            e->value = ex_str(E, "%.*s", (int)(end - eq - 1), eq + 1);
            arr[m->n_metadata_props++] = e;
        }
        p = eol ? eol + 1 : end;
    }
}

static int write_model(Exporter *E, const Onnx__ModelProto *m, const char *path) {
    size_t size = onnx__model_proto__get_packed_size(m);
    if (size > (size_t)INT32_MAX)
        FAIL("ONNX export: the model takes %.2f GiB, over the 2 GiB a protobuf file may hold",
             (double)size / (1u << 30));
    EngTmpFile t;
    char why[512];
    if (eng_tmpfile_open(&t, path, why, sizeof why) != 0) FAIL("ONNX export: %s", why);
    FileBuffer fb = {{file_append}, t.f, 0};
    size_t wrote = onnx__model_proto__pack_to_buffer(m, &fb.base);
    if (fb.failed || wrote != size) {
        eng_tmpfile_abort(&t);
        FAIL("ONNX export: writing %s failed (disk full?)", path);
    }
    if (eng_tmpfile_commit(&t, why, sizeof why) != 0) FAIL("ONNX export: %s", why);
    return 0;
}

/* Every inference node, then the shape of every computed tensor: the
 * graph output's value info, NULL on failure (the message set). */
static Onnx__ValueInfoProto *export_nodes(Exporter *E, int out_id) {
    const EngGraph *g = E->g;
    const int nn = eng_graph_node_count(g);
    for (int i = 0; i < nn; i++) {
        if (eng_graph_node(g, i)->flags & ENG_NODE_TRAIN_ONLY) continue;
        if (export_node(E, i) != 0) return NULL;
    }
    const EngNode *on = eng_graph_node(g, out_id);
    if (!E->tname[out_id]) {
        eng_set_err(E->err, E->errlen, "ONNX export: the output '%s' is a training-only node", on->name);
        return NULL;
    }
    if (on->op == ENG_OP_INPUT || on->op == ENG_OP_CONST) {
        eng_set_err(E->err, E->errlen, "ONNX export: the output '%s' is the %s itself", on->name,
                    on->op == ENG_OP_INPUT ? "input" : "constant");
        return NULL;
    }
    for (int i = 0; i < nn; i++) /* the shape of every other computed tensor */
        if (E->tname[i] && i != out_id && eng_graph_node(g, i)->op != ENG_OP_INPUT &&
            eng_graph_node(g, i)->op != ENG_OP_CONST)
            PUSH(E, infos, ex_value_info(E, E->tname[i], E->rank[i], eng_graph_node(g, i)->out));
    Onnx__ValueInfoProto *out_info = ex_value_info(E, E->tname[out_id], E->rank[out_id], on->out);
    if (E->oom || !out_info) {
        eng_set_err(E->err, E->errlen, "ONNX export: out of memory");
        return NULL;
    }
    return out_info;
}

int eng_onnx_save(const EngGraph *g, const char *path, EngOnnxExport *info, char *err,
                  size_t errlen) {
    Exporter ex = {0}, *E = &ex;
    E->g = g, E->err = err, E->errlen = errlen;
    if (err && errlen) err[0] = 0;
    E->batch = info && info->batch > 0 ? info->batch : 0;
    const uint16_t one = 1;
    E->little = *(const uint8_t *)&one == 1;
    const int nn = g ? eng_graph_node_count(g) : 0, out_id = g ? eng_graph_output(g) : -1;
    int rc = -1;
    for (int op = 0; op < ENG_OP_COUNT; op++) ENG_ASSERT(EXPORTERS[op].op == (EngOpType)op);
    if (!g || !eng_graph_ok(g) || nn <= 0 || out_id < 0) {
        eng_set_err(err, errlen, "ONNX export: the graph is empty or failed to build");
        return -1;
    }
    E->rank = calloc((size_t)nn, sizeof *E->rank);
    E->tname = calloc((size_t)nn, sizeof *E->tname);
    E->tname4 = calloc((size_t)nn, sizeof *E->tname4);
    if (!E->rank || !E->tname || !E->tname4) {
        eng_set_err(err, errlen, "ONNX export: out of memory");
        goto done;
    }
    Onnx__ValueInfoProto *out_info = export_nodes(E, out_id);
    if (!out_info || check_names(E) != 0) goto done;

    Onnx__GraphProto graph;
    onnx__graph_proto__init(&graph);
    graph.name = (char *)(info && info->name ? info->name : "convscope");
    graph.n_node = E->n_nodes, graph.node = E->nodes;
    graph.n_initializer = E->n_inits, graph.initializer = E->inits;
    graph.n_input = E->n_inputs, graph.input = E->inputs;
    graph.n_output = 1, graph.output = &out_info;
    graph.n_value_info = E->n_infos, graph.value_info = E->infos;
    Onnx__OperatorSetIdProto opset, *opsets[1] = {&opset};
    onnx__operator_set_id_proto__init(&opset);
    opset.domain = (char *)"";
    opset.has_version = 1, opset.version = OPSET;
    Onnx__ModelProto m;
    onnx__model_proto__init(&m);
    m.has_ir_version = 1, m.ir_version = IR_VERSION;
    m.n_opset_import = 1, m.opset_import = opsets;
    m.producer_name = (char *)"convscope";
    if (info && info->producer_version) m.producer_version = (char *)info->producer_version;
    if (info && info->doc) m.doc_string = (char *)info->doc;
    m.graph = &graph;
    meta_props(E, &m, info ? info->meta : NULL);
    if (E->oom) {
        eng_set_err(err, errlen, "ONNX export: out of memory");
        goto done;
    }
    if (write_model(E, &m, path) != 0) goto done;
    if (info) {
        info->n_nodes = (int)E->n_nodes;
        info->n_initializers = (int)E->n_inits;
        info->bytes = (int64_t)onnx__model_proto__get_packed_size(&m);
        info->out_rank = E->rank[out_id];
    }
    rc = 0;
done:
    for (size_t i = 0; i < E->n_ptrs; i++) free(E->ptrs[i]);
    free(E->ptrs);
    free(E->nodes);
    free(E->inits);
    free(E->infos);
    free(E->inputs);
    free(E->rank);
    free(E->tname);
    free(E->tname4);
    return rc;
}
