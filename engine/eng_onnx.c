/*
 * eng_onnx.c — ONNX models in and out: the only file that sees protobuf-c.
 *
 * Import maps an ONNX graph (opsets 1 to 17) onto engine nodes: one engine
 * node per ONNX node that computes, named after it, so the visualizer shows
 * the file's own layer names. Tensors are NCHW; the engine keeps per-sample
 * (C, H, W), so an ONNX activation is tracked with its rank: 4 for maps, 2
 * for [N, K] vectors (a fully connected layer's output, (K, 1, 1) here).
 * Shape-only subgraphs exporters emit for a flatten (Shape, Gather,
 * Unsqueeze, Concat, Cast, Constant feeding Reshape) are evaluated at load
 * time, since the input shape is known.
 *
 * A model file is untrusted: protobuf-c checks the wire format; here every
 * tensor's byte count is checked against its dims (overflow-checked), every
 * node input must already exist (no cycles, nothing dangling), attribute
 * values are range-checked, and an unsupported op stops the load with its
 * name, type and opset. Nothing is half-loaded: on error the graph is freed.
 *
 * Export writes any engine graph as an opset-14 model with its weights.
 * Must not depend on: SDL or anything that draws.
 */
#include "eng.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onnx.pb-c.h"

#define MAX_FILE ((size_t)2 << 30)
#define MAX_RANK 8

/* ---- constants (initializers, Constant nodes, folded shape arithmetic) ---------------- */

typedef struct {
    char *name;
    int ndim;
    int64_t dims[MAX_RANK];
    size_t n;
    float *f;        /* float data (float32/16/64 converted) or NULL */
    int64_t *i;      /* integer data (int64/int32) or NULL */
} Const;

/* ---- load state --------------------------------------------------------------------------- */

typedef struct {
    char *name;
    int node;        /* engine node id */
    int rank;        /* 4: (N, C, H, W); 2: (N, K) */
} Act;

typedef struct {
    int node, param;
    const float *src; /* into a Const */
    int transpose_rows, transpose_cols; /* > 0: src is (rows, cols), store transposed */
    float scale;
} Pending;

typedef struct {
    EngGraph *g;
    int opset;
    Const *consts;
    int n_consts, cap_consts;
    Act *acts;
    int n_acts, cap_acts;
    Pending *pend;
    int n_pend, cap_pend;
    char *err;
    size_t errlen;
} Loader;

static void *grow(void *p, int *cap, int need, size_t elem) {
    if (need <= *cap) return p;
    int nc = *cap ? *cap * 2 : 32;
    while (nc < need) nc *= 2;
    void *q = realloc(p, (size_t)nc * elem);
    if (q) *cap = nc;
    return q;
}

static Const *find_const(Loader *L, const char *name) {
    for (int k = L->n_consts - 1; k >= 0; k--)
        if (!strcmp(L->consts[k].name, name)) return &L->consts[k];
    return NULL;
}
static Act *find_act(Loader *L, const char *name) {
    for (int k = L->n_acts - 1; k >= 0; k--)
        if (!strcmp(L->acts[k].name, name)) return &L->acts[k];
    return NULL;
}

static Const *add_const(Loader *L, const char *name) {
    void *p = grow(L->consts, &L->cap_consts, L->n_consts + 1, sizeof *L->consts);
    if (!p) return NULL;
    L->consts = p;
    Const *c = &L->consts[L->n_consts];
    memset(c, 0, sizeof *c);
    c->name = strdup(name ? name : "");
    if (!c->name) return NULL;
    L->n_consts++;
    return c;
}

static int add_act(Loader *L, const char *name, int node, int rank) {
    void *p = grow(L->acts, &L->cap_acts, L->n_acts + 1, sizeof *L->acts);
    if (!p) return -1;
    L->acts = p;
    L->acts[L->n_acts] = (Act){strdup(name ? name : ""), node, rank};
    if (!L->acts[L->n_acts].name) return -1;
    L->n_acts++;
    return 0;
}

static int add_pending(Loader *L, int node, int param, const float *src, int rows, int cols,
                       float scale) {
    void *p = grow(L->pend, &L->cap_pend, L->n_pend + 1, sizeof *L->pend);
    if (!p) return -1;
    L->pend = p;
    L->pend[L->n_pend++] = (Pending){node, param, src, rows, cols, scale};
    return 0;
}

static float half_to_float(uint16_t h) {
    uint32_t sign = (uint32_t)(h >> 15) << 31, exp = (h >> 10) & 0x1f, man = h & 0x3ff, u;
    if (exp == 0) {
        if (man == 0) u = sign;
        else { /* subnormal */
            exp = 127 - 15 + 1;
            while (!(man & 0x400)) man <<= 1, exp--;
            u = sign | exp << 23 | (man & 0x3ff) << 13;
        }
    } else if (exp == 31) {
        u = sign | 0x7f800000u | man << 13;
    } else {
        u = sign | (exp - 15 + 127) << 23 | man << 13;
    }
    float f;
    memcpy(&f, &u, 4);
    return f;
}

/* A TensorProto into a Const, checking every size. */
static int tensor_to_const(Loader *L, const Onnx__TensorProto *t, const char *name) {
    if (t->n_dims > MAX_RANK) {
        eng_set_err(L->err, L->errlen, "ONNX: tensor '%s' has rank %zu (at most %d)", name,
                    t->n_dims, MAX_RANK);
        return -1;
    }
    size_t n = 1;
    for (size_t d = 0; d < t->n_dims; d++) {
        if (t->dims[d] < 0 || t->dims[d] > ((int64_t)1 << 31) ||
            !eng_mul_size(&n, n, (size_t)t->dims[d]) || n > ((size_t)1 << 31)) {
            eng_set_err(L->err, L->errlen, "ONNX: tensor '%s' has an invalid or huge shape", name);
            return -1;
        }
    }
    if (t->has_data_location && t->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL) {
        eng_set_err(L->err, L->errlen,
                    "ONNX: tensor '%s' keeps its data in an external file, which this version "
                    "does not read; save the model with its weights inside", name);
        return -1;
    }
    Const *c = add_const(L, name);
    if (!c) goto oom;
    c->ndim = (int)t->n_dims;
    for (int d = 0; d < c->ndim; d++) c->dims[d] = t->dims[d];
    c->n = n;
    int type = t->has_data_type ? t->data_type : 0;
    size_t raw = t->has_raw_data ? t->raw_data.len : 0;
    const uint8_t *rd = t->has_raw_data ? t->raw_data.data : NULL;
    size_t esz = type == ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT     ? 4
                 : type == ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT16 ? 2
                 : type == ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE  ? 8
                 : type == ONNX__TENSOR_PROTO__DATA_TYPE__INT64   ? 8
                 : type == ONNX__TENSOR_PROTO__DATA_TYPE__INT32   ? 4
                                                                  : 0;
    if (!esz) {
        eng_set_err(L->err, L->errlen, "ONNX: tensor '%s' has data type %d; supported: float, "
                                       "float16, double, int64, int32", name, type);
        return -1;
    }
    if (rd && raw != n * esz) {
        eng_set_err(L->err, L->errlen, "ONNX: tensor '%s': %zu bytes of data for %zu elements of "
                                       "%zu bytes", name, raw, n, esz);
        return -1;
    }
    int is_int = type == ONNX__TENSOR_PROTO__DATA_TYPE__INT64 || type == ONNX__TENSOR_PROTO__DATA_TYPE__INT32;
    if (is_int) c->i = malloc((n ? n : 1) * sizeof *c->i);
    else c->f = malloc((n ? n : 1) * sizeof *c->f);
    if (!c->i && !c->f) goto oom;
    size_t have = rd ? n
                 : type == ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT   ? t->n_float_data
                 : type == ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT16 ? t->n_int32_data
                 : type == ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE  ? t->n_double_data
                 : type == ONNX__TENSOR_PROTO__DATA_TYPE__INT64   ? t->n_int64_data
                                                                  : t->n_int32_data;
    if (have != n) {
        eng_set_err(L->err, L->errlen, "ONNX: tensor '%s' holds %zu values, its shape needs %zu",
                    name, have, n);
        return -1;
    }
    for (size_t k = 0; k < n; k++) {
        switch (type) {
        case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT:
            if (rd) memcpy(&c->f[k], rd + 4 * k, 4);
            else c->f[k] = t->float_data[k];
            break;
        case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT16: {
            uint16_t h;
            if (rd) memcpy(&h, rd + 2 * k, 2);
            else h = (uint16_t)t->int32_data[k];
            c->f[k] = half_to_float(h);
            break;
        }
        case ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE: {
            double v;
            if (rd) memcpy(&v, rd + 8 * k, 8);
            else v = t->double_data[k];
            c->f[k] = (float)v;
            break;
        }
        case ONNX__TENSOR_PROTO__DATA_TYPE__INT64:
            if (rd) memcpy(&c->i[k], rd + 8 * k, 8);
            else c->i[k] = t->int64_data[k];
            break;
        default: {
            int32_t v;
            if (rd) memcpy(&v, rd + 4 * k, 4);
            else v = t->int32_data[k];
            c->i[k] = v;
        }
        }
    }
    return 0;
oom:
    eng_set_err(L->err, L->errlen, "ONNX: out of memory reading tensor '%s'", name);
    return -1;
}

/* ---- attributes ------------------------------------------------------------------------ */

static const Onnx__AttributeProto *attr(const Onnx__NodeProto *n, const char *name) {
    for (size_t k = 0; k < n->n_attribute; k++)
        if (n->attribute[k]->name && !strcmp(n->attribute[k]->name, name)) return n->attribute[k];
    return NULL;
}
static int64_t attr_i(const Onnx__NodeProto *n, const char *name, int64_t def) {
    const Onnx__AttributeProto *a = attr(n, name);
    return a && a->has_i ? a->i : def;
}
static float attr_f(const Onnx__NodeProto *n, const char *name, float def) {
    const Onnx__AttributeProto *a = attr(n, name);
    return a && a->has_f ? a->f : def;
}
/* Up to `max` ints; returns how many (0 if absent). */
static int attr_ints(const Onnx__NodeProto *n, const char *name, int64_t *out, int max) {
    const Onnx__AttributeProto *a = attr(n, name);
    if (!a || a->n_ints == 0) return 0;
    if ((int)a->n_ints > max) return -1;
    for (size_t k = 0; k < a->n_ints; k++) out[k] = a->ints[k];
    return (int)a->n_ints;
}
static void attr_s(const Onnx__NodeProto *n, const char *name, char *out, size_t len) {
    const Onnx__AttributeProto *a = attr(n, name);
    out[0] = 0;
    if (a && a->has_s) {
        size_t l = a->s.len < len - 1 ? a->s.len : len - 1;
        memcpy(out, a->s.data, l);
        out[l] = 0;
    }
}

/* ---- node conversion ---------------------------------------------------------------------- */

static const char SUPPORTED[] =
    "Conv, ConvTranspose, MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool, LRN, "
    "BatchNormalization, Relu, LeakyRelu, PRelu, Clip, Sigmoid, Tanh, HardSigmoid, HardSwish, "
    "Softmax, Gemm, MatMul, Add, Sum, Mul, Concat, Flatten, Reshape, Dropout, Identity, Pad, "
    "Constant, Shape, Gather, Unsqueeze, Cast, Transpose (of constants)";

typedef struct {
    const Onnx__NodeProto *n;
    const char *name;   /* engine name */
    char op[64];
} NodeCtx;

#define FAIL(...)                                                                            \
    do {                                                                                     \
        eng_set_err(L->err, L->errlen, __VA_ARGS__);                                        \
        return -1;                                                                           \
    } while (0)

static Act *in_act(Loader *L, const NodeCtx *c, int k) {
    if ((size_t)k >= c->n->n_input || !c->n->input[k][0]) return NULL;
    return find_act(L, c->n->input[k]);
}
static Const *in_const(Loader *L, const NodeCtx *c, int k) {
    if ((size_t)k >= c->n->n_input || !c->n->input[k][0]) return NULL;
    return find_const(L, c->n->input[k]);
}

/* Padding from pads / auto_pad for one axis. */
static int resolve_pads(const char *auto_pad, int in, int k_eff, int stride, int64_t lo,
                        int64_t hi, int *plo, int *phi) {
    if (!auto_pad[0] || !strcmp(auto_pad, "NOTSET")) {
        if (lo < 0 || hi < 0 || lo > 4096 || hi > 4096) return -1;
        *plo = (int)lo, *phi = (int)hi;
        return 0;
    }
    if (!strcmp(auto_pad, "VALID")) {
        *plo = *phi = 0;
        return 0;
    }
    int out = (in + stride - 1) / stride;
    int total = (out - 1) * stride + k_eff - in;
    if (total < 0) total = 0;
    if (!strcmp(auto_pad, "SAME_UPPER")) *plo = total / 2, *phi = total - total / 2;
    else if (!strcmp(auto_pad, "SAME_LOWER")) *plo = total - total / 2, *phi = total / 2;
    else return -1;
    return 0;
}

static int out_name_act(Loader *L, const NodeCtx *c, int node, int rank) {
    if (node < 0) FAIL("%s", eng_graph_error(L->g));
    if (c->n->n_output < 1) FAIL("ONNX: node '%s' (%s) has no output", c->name, c->op);
    return add_act(L, c->n->output[0], node, rank) == 0 ? 0 : -1;
}

static int spatial_params(Loader *L, const NodeCtx *c, int in_h, int in_w, int kh, int kw,
                          int *sh, int *sw, int *pads /* t l b r */, int *dh, int *dw) {
    int64_t v[4];
    int m = attr_ints(c->n, "strides", v, 2);
    *sh = m == 2 ? (int)v[0] : 1, *sw = m == 2 ? (int)v[1] : 1;
    if (m != 0 && m != 2) FAIL("ONNX: node '%s' (%s): only 2-D strides are supported", c->name, c->op);
    m = attr_ints(c->n, "dilations", v, 2);
    *dh = m == 2 ? (int)v[0] : 1, *dw = m == 2 ? (int)v[1] : 1;
    if (m != 0 && m != 2) FAIL("ONNX: node '%s' (%s): only 2-D dilations are supported", c->name, c->op);
    if (*sh < 1 || *sw < 1 || *dh < 1 || *dw < 1 || *sh > 4096 || *sw > 4096 || *dh > 4096 || *dw > 4096)
        FAIL("ONNX: node '%s' (%s): strides and dilations must be 1..4096", c->name, c->op);
    int64_t p[4] = {0, 0, 0, 0};
    m = attr_ints(c->n, "pads", p, 4);
    if (m != 0 && m != 4) FAIL("ONNX: node '%s' (%s): pads must have 4 values for 2-D", c->name, c->op);
    char ap[32];
    attr_s(c->n, "auto_pad", ap, sizeof ap);
    if (resolve_pads(ap, in_h, *dh * (kh - 1) + 1, *sh, p[0], p[2], &pads[0], &pads[2]) != 0 ||
        resolve_pads(ap, in_w, *dw * (kw - 1) + 1, *sw, p[1], p[3], &pads[1], &pads[3]) != 0)
        FAIL("ONNX: node '%s' (%s): invalid pads or auto_pad '%s'", c->name, c->op, ap);
    return 0;
}

static int conv_node(Loader *L, const NodeCtx *c) {
    Act *x = in_act(L, c, 0);
    Const *w = in_const(L, c, 1), *b = in_const(L, c, 2);
    if (!x || x->rank != 4) FAIL("ONNX: node '%s' (Conv): its input must be a 4-D feature map", c->name);
    if (!w || w->ndim != 4 || !w->f)
        FAIL("ONNX: node '%s' (Conv): the weights must be a 4-D float initializer (2-D convolution)", c->name);
    const EngShape s = eng_graph_node(L->g, x->node)->out;
    EngConvParams p = {0};
    p.oc = (int)w->dims[0], p.kh = (int)w->dims[2], p.kw = (int)w->dims[3];
    p.groups = (int)attr_i(c->n, "group", 1);
    if (p.groups < 1 || p.groups > 1 << 20 || (int64_t)w->dims[1] * p.groups != s.C)
        FAIL("ONNX: node '%s' (Conv): weights %lldx%lldx%lldx%lld with group %d do not fit %d input "
             "channels", c->name, (long long)w->dims[0], (long long)w->dims[1], (long long)w->dims[2],
             (long long)w->dims[3], p.groups, s.C);
    int pads[4];
    if (spatial_params(L, c, s.H, s.W, p.kh, p.kw, &p.sh, &p.sw, pads, &p.dh, &p.dw) != 0) return -1;
    p.pt = pads[0], p.pl = pads[1], p.pb = pads[2], p.pr = pads[3];
    p.has_bias = b != NULL;
    if (b && (!b->f || b->n != (size_t)p.oc))
        FAIL("ONNX: node '%s' (Conv): bias has %zu values for %d filters", c->name, b->n, p.oc);
    int id = eng_conv(L->g, c->name, x->node, &p);
    if (out_name_act(L, c, id, 4) != 0) return -1;
    if (add_pending(L, id, 0, w->f, 0, 0, 1.0f) || (b && add_pending(L, id, 1, b->f, 0, 0, 1.0f))) return -1;
    return 0;
}

static int convt_node(Loader *L, const NodeCtx *c) {
    Act *x = in_act(L, c, 0);
    Const *w = in_const(L, c, 1), *b = in_const(L, c, 2);
    if (!x || x->rank != 4) FAIL("ONNX: node '%s' (ConvTranspose): its input must be a 4-D feature map", c->name);
    if (!w || w->ndim != 4 || !w->f)
        FAIL("ONNX: node '%s' (ConvTranspose): the weights must be a 4-D float initializer", c->name);
    const EngShape s = eng_graph_node(L->g, x->node)->out;
    EngConvTParams p = {0};
    p.groups = (int)attr_i(c->n, "group", 1);
    if (p.groups < 1 || w->dims[0] != s.C || s.C % p.groups)
        FAIL("ONNX: node '%s' (ConvTranspose): weights do not fit %d input channels", c->name, s.C);
    p.oc = (int)w->dims[1] * p.groups, p.kh = (int)w->dims[2], p.kw = (int)w->dims[3];
    int64_t v[4];
    int m = attr_ints(c->n, "strides", v, 2);
    p.sh = m == 2 ? (int)v[0] : 1, p.sw = m == 2 ? (int)v[1] : 1;
    m = attr_ints(c->n, "dilations", v, 2);
    p.dh = m == 2 ? (int)v[0] : 1, p.dw = m == 2 ? (int)v[1] : 1;
    m = attr_ints(c->n, "output_padding", v, 2);
    p.oph = m == 2 ? (int)v[0] : 0, p.opw = m == 2 ? (int)v[1] : 0;
    if (p.sh < 1 || p.sw < 1 || p.dh < 1 || p.dw < 1 || p.sh > 4096 || p.sw > 4096 || p.dh > 4096 || p.dw > 4096)
        FAIL("ONNX: node '%s' (ConvTranspose): invalid strides or dilations", c->name);
    int64_t pads[4] = {0, 0, 0, 0}, os[2];
    attr_ints(c->n, "pads", pads, 4);
    char ap[32];
    attr_s(c->n, "auto_pad", ap, sizeof ap);
    int have_os = attr_ints(c->n, "output_shape", os, 2) == 2;
    int ins[2] = {s.H, s.W}, ks[2] = {p.kh, p.kw}, st[2] = {p.sh, p.sw}, dl[2] = {p.dh, p.dw},
        op[2] = {p.oph, p.opw};
    if (have_os || (ap[0] && strcmp(ap, "NOTSET") && strcmp(ap, "VALID"))) {
        /* total padding from the wanted output size (ONNX ConvTranspose spec) */
        for (int a = 0; a < 2; a++) {
            int64_t want = have_os ? os[a] : (int64_t)ins[a] * st[a];
            int64_t total = (int64_t)st[a] * (ins[a] - 1) + op[a] + ((int64_t)ks[a] - 1) * dl[a] + 1 - want;
            if (total < 0) { /* a larger output: the extra goes into output_padding */
                op[a] += (int)-total;
                total = 0;
            }
            if (!strcmp(ap, "SAME_LOWER")) pads[a] = total - total / 2, pads[a + 2] = total / 2;
            else pads[a] = total / 2, pads[a + 2] = total - total / 2;
        }
        p.oph = op[0], p.opw = op[1];
    }
    p.pt = (int)pads[0], p.pl = (int)pads[1], p.pb = (int)pads[2], p.pr = (int)pads[3];
    p.has_bias = b != NULL;
    if (b && (!b->f || b->n != (size_t)p.oc))
        FAIL("ONNX: node '%s' (ConvTranspose): bias has %zu values for %d outputs", c->name, b->n, p.oc);
    int id = eng_convt(L->g, c->name, x->node, &p);
    if (out_name_act(L, c, id, 4) != 0) return -1;
    if (add_pending(L, id, 0, w->f, 0, 0, 1.0f) || (b && add_pending(L, id, 1, b->f, 0, 0, 1.0f))) return -1;
    return 0;
}

static int pool_node(Loader *L, const NodeCtx *c, int is_max) {
    Act *x = in_act(L, c, 0);
    if (!x || x->rank != 4) FAIL("ONNX: node '%s' (%s): its input must be a 4-D feature map", c->name, c->op);
    if (c->n->n_output > 1 && c->n->output[1][0])
        FAIL("ONNX: node '%s' (MaxPool): the Indices output is not supported", c->name);
    const EngShape s = eng_graph_node(L->g, x->node)->out;
    int64_t k[2];
    if (attr_ints(c->n, "kernel_shape", k, 2) != 2 || k[0] < 1 || k[1] < 1 || k[0] > 4096 || k[1] > 4096)
        FAIL("ONNX: node '%s' (%s): needs a 2-D kernel_shape", c->name, c->op);
    EngPoolParams p = {0};
    p.kh = (int)k[0], p.kw = (int)k[1];
    int pads[4], dh, dw;
    if (spatial_params(L, c, s.H, s.W, p.kh, p.kw, &p.sh, &p.sw, pads, &dh, &dw) != 0) return -1;
    if (!is_max && (dh != 1 || dw != 1))
        FAIL("ONNX: node '%s' (AveragePool): dilated average pooling is not supported", c->name);
    p.dh = dh, p.dw = dw;
    p.pt = pads[0], p.pl = pads[1], p.pb = pads[2], p.pr = pads[3];
    p.ceil_mode = (int)attr_i(c->n, "ceil_mode", 0) != 0;
    p.count_include_pad = (int)attr_i(c->n, "count_include_pad", 0) != 0;
    int id = is_max ? eng_maxpool(L->g, c->name, x->node, &p) : eng_avgpool(L->g, c->name, x->node, &p);
    return out_name_act(L, c, id, 4);
}

/* Reshape target from a constant: only flattening to (N, rest) is representable. */
static int reshape_node(Loader *L, const NodeCtx *c) {
    Act *x = in_act(L, c, 0);
    if (!x) FAIL("ONNX: node '%s' (Reshape): input '%s' is not computed before it", c->name,
                 c->n->n_input ? c->n->input[0] : "?");
    int64_t shape[MAX_RANK];
    int nd = 0;
    Const *sc = in_const(L, c, 1);
    if (sc && sc->i && sc->ndim <= 1 && sc->n <= MAX_RANK) {
        nd = (int)sc->n;
        for (int k = 0; k < nd; k++) shape[k] = sc->i[k];
    } else {
        nd = attr_ints(c->n, "shape", shape, MAX_RANK); /* opset 1-4 */
    }
    const EngShape s = eng_graph_node(L->g, x->node)->out;
    int64_t total = (int64_t)s.C * s.H * s.W;
    if (nd == 2 && (shape[0] == 0 || shape[0] == -1 || shape[0] == 1) &&
        (shape[1] == -1 || shape[1] == total)) {
        int id = eng_flatten(L->g, c->name, x->node);
        return out_name_act(L, c, id, 2);
    }
    FAIL("ONNX: node '%s' (Reshape): only flattening (N, C, H, W) to (N, C*H*W) is supported", c->name);
}

/* Shape-only subgraphs: evaluated here on integer constants. */
static int fold_node(Loader *L, const NodeCtx *c) {
    const char *op = c->op;
    if (c->n->n_output < 1) FAIL("ONNX: node '%s' (%s) has no output", c->name, op);
    Const out = {0};
    int64_t buf[MAX_RANK];
    if (!strcmp(op, "Shape")) {
        Act *x = in_act(L, c, 0);
        if (!x) FAIL("ONNX: node '%s' (Shape): input is not a computed tensor", c->name);
        const EngShape s = eng_graph_node(L->g, x->node)->out;
        out.ndim = 1;
        out.n = x->rank == 4 ? 4 : 2;
        buf[0] = 1, buf[1] = s.C, buf[2] = s.H, buf[3] = s.W;
    } else if (!strcmp(op, "Gather")) {
        Const *d = in_const(L, c, 0), *ix = in_const(L, c, 1);
        if (!d || !d->i || d->ndim != 1 || !ix || !ix->i || ix->n > MAX_RANK || attr_i(c->n, "axis", 0) != 0)
            FAIL("ONNX: node '%s' (Gather): only gathering from a 1-D shape is supported", c->name);
        out.ndim = ix->ndim;
        out.n = ix->n;
        for (size_t k = 0; k < ix->n; k++) {
            int64_t j = ix->i[k] < 0 ? ix->i[k] + (int64_t)d->n : ix->i[k];
            if (j < 0 || j >= (int64_t)d->n) FAIL("ONNX: node '%s' (Gather): index out of range", c->name);
            buf[k] = d->i[j];
        }
    } else if (!strcmp(op, "Unsqueeze") || !strcmp(op, "Cast") || !strcmp(op, "Identity")) {
        Const *d = in_const(L, c, 0);
        if (!d || d->n > MAX_RANK) FAIL("ONNX: node '%s' (%s): only constant shapes are supported", c->name, op);
        out.ndim = d->ndim + (!strcmp(op, "Unsqueeze") ? 1 : 0);
        out.n = d->n;
        for (size_t k = 0; k < d->n; k++) buf[k] = d->i ? d->i[k] : (int64_t)d->f[k];
        if (!d->i && strcmp(op, "Unsqueeze")) { /* float constant through Identity/Cast */
            Const *r = add_const(L, c->n->output[0]);
            if (!r) return -1;
            d = in_const(L, c, 0); /* add_const may have moved the array */
            r->ndim = d->ndim, r->n = d->n;
            memcpy(r->dims, d->dims, sizeof r->dims);
            r->f = malloc((d->n ? d->n : 1) * sizeof *r->f);
            if (!r->f) return -1;
            memcpy(r->f, d->f, d->n * sizeof *r->f);
            return 0;
        }
    } else if (!strcmp(op, "Transpose")) {
        Const *d = in_const(L, c, 0);
        int64_t perm[2] = {1, 0};
        int np = attr_ints(c->n, "perm", perm, 2);
        if (!d || !d->f || d->ndim != 2 || (np != 0 && (np != 2 || perm[0] != 1 || perm[1] != 0)))
            FAIL("ONNX: node '%s' (Transpose): only transposing a 2-D constant is supported", c->name);
        Const *r = add_const(L, c->n->output[0]);
        if (!r) return -1;
        d = in_const(L, c, 0); /* add_const may have moved the array */
        r->ndim = 2, r->n = d->n, r->dims[0] = d->dims[1], r->dims[1] = d->dims[0];
        r->f = malloc((d->n ? d->n : 1) * sizeof *r->f);
        if (!r->f) return -1;
        for (int64_t i = 0; i < d->dims[0]; i++)
            for (int64_t j = 0; j < d->dims[1]; j++) r->f[j * d->dims[0] + i] = d->f[i * d->dims[1] + j];
        return 0;
    } else if (!strcmp(op, "Concat")) {
        out.ndim = 1;
        for (size_t k = 0; k < c->n->n_input; k++) {
            Const *d = in_const(L, c, (int)k);
            if (!d || !d->i || out.n + d->n > MAX_RANK) FAIL("ONNX: node '%s' (Concat): mixes constants and maps", c->name);
            for (size_t j = 0; j < d->n; j++) buf[out.n++] = d->i[j];
        }
    } else {
        FAIL("ONNX: node '%s' (%s): not a shape operation", c->name, op);
    }
    Const *r = add_const(L, c->n->output[0]);
    if (!r) return -1;
    r->ndim = out.ndim;
    r->n = out.n;
    if (out.ndim == 1) r->dims[0] = (int64_t)out.n;
    r->i = malloc((out.n ? out.n : 1) * sizeof *r->i);
    if (!r->i) return -1;
    memcpy(r->i, buf, out.n * sizeof *r->i);
    return 0;
}

static int convert(Loader *L, const NodeCtx *c) {
    const char *op = c->op;
    const Onnx__NodeProto *n = c->n;
    Act *x = in_act(L, c, 0);
    /* inputs must exist already: a graph out of order or with a cycle stops here */
    for (size_t k = 0; k < n->n_input; k++)
        if (n->input[k][0] && !find_act(L, n->input[k]) && !find_const(L, n->input[k]))
            FAIL("ONNX: node '%s' (%s): input '%s' is not produced by any earlier node, input or "
                 "initializer", c->name, op, n->input[k]);
    if (!strcmp(op, "Constant")) {
        const Onnx__AttributeProto *a = attr(n, "value");
        if (a && a->t) return n->n_output ? tensor_to_const(L, a->t, n->output[0]) : -1;
        const Onnx__AttributeProto *vf = attr(n, "value_float"), *vi = attr(n, "value_ints");
        Const *r = n->n_output ? add_const(L, n->output[0]) : NULL;
        if (!r) FAIL("ONNX: node '%s' (Constant): no value", c->name);
        if (vf && vf->has_f) {
            r->n = 1, r->f = malloc(sizeof *r->f);
            if (!r->f) return -1;
            r->f[0] = vf->f;
            return 0;
        }
        if (vi && vi->n_ints <= MAX_RANK) {
            r->ndim = 1, r->n = vi->n_ints, r->dims[0] = (int64_t)vi->n_ints;
            r->i = malloc((r->n ? r->n : 1) * sizeof *r->i);
            if (!r->i) return -1;
            memcpy(r->i, vi->ints, r->n * sizeof *r->i);
            return 0;
        }
        FAIL("ONNX: node '%s' (Constant): unsupported value kind", c->name);
    }
    if (!strcmp(op, "Shape") || !strcmp(op, "Gather") || !strcmp(op, "Unsqueeze") ||
        !strcmp(op, "Cast") || (!strcmp(op, "Transpose") && !x) || (!strcmp(op, "Concat") && !x) || (!strcmp(op, "Identity") && !x))
        return fold_node(L, c);
    if (!strcmp(op, "Conv")) return conv_node(L, c);
    if (!strcmp(op, "ConvTranspose")) return convt_node(L, c);
    if (!strcmp(op, "MaxPool")) return pool_node(L, c, 1);
    if (!strcmp(op, "AveragePool")) return pool_node(L, c, 0);
    if (!strcmp(op, "Reshape")) return reshape_node(L, c);
    if (!x) FAIL("ONNX: node '%s' (%s): its first input must be a computed tensor", c->name, op);
    int id = -1, rank = x->rank;
    if (!strcmp(op, "GlobalAveragePool") || !strcmp(op, "GlobalMaxPool")) {
        if (x->rank != 4) FAIL("ONNX: node '%s' (%s): needs a 4-D input", c->name, op);
        id = op[6] == 'A' ? eng_gavgpool(L->g, c->name, x->node) : eng_gmaxpool(L->g, c->name, x->node);
    } else if (!strcmp(op, "LRN")) {
        int64_t size = attr_i(n, "size", 0);
        if (size < 1 || size > 4096) FAIL("ONNX: node '%s' (LRN): invalid size %lld", c->name, (long long)size);
        id = eng_lrn(L->g, c->name, x->node, (int)size, attr_f(n, "alpha", 1e-4f), attr_f(n, "beta", 0.75f),
                     attr_f(n, "bias", 1.0f));
    } else if (!strcmp(op, "BatchNormalization")) {
        Const *sc = in_const(L, c, 1), *bi = in_const(L, c, 2), *mu = in_const(L, c, 3), *va = in_const(L, c, 4);
        const EngShape s = eng_graph_node(L->g, x->node)->out;
        if (!sc || !bi || !mu || !va || !sc->f || !bi->f || !mu->f || !va->f || sc->n != (size_t)s.C ||
            bi->n != (size_t)s.C || mu->n != (size_t)s.C || va->n != (size_t)s.C)
            FAIL("ONNX: node '%s' (BatchNormalization): scale, bias, mean and var must be float "
                 "initializers of %d values", c->name, s.C);
        if (attr_i(n, "spatial", 1) != 1 || attr_i(n, "training_mode", 0) != 0)
            FAIL("ONNX: node '%s' (BatchNormalization): only spatial, inference-mode batch norm is supported", c->name);
        id = eng_bn(L->g, c->name, x->node, attr_f(n, "epsilon", 1e-5f));
        if (id >= 0 && (add_pending(L, id, 0, sc->f, 0, 0, 1) || add_pending(L, id, 1, bi->f, 0, 0, 1) ||
                        add_pending(L, id, 2, mu->f, 0, 0, 1) || add_pending(L, id, 3, va->f, 0, 0, 1)))
            return -1;
    } else if (!strcmp(op, "Relu")) {
        id = eng_relu(L->g, c->name, x->node);
    } else if (!strcmp(op, "LeakyRelu")) {
        id = eng_leakyrelu(L->g, c->name, x->node, attr_f(n, "alpha", 0.01f));
    } else if (!strcmp(op, "Sigmoid")) {
        id = eng_sigmoid(L->g, c->name, x->node);
    } else if (!strcmp(op, "Tanh")) {
        id = eng_tanh(L->g, c->name, x->node);
    } else if (!strcmp(op, "HardSigmoid")) {
        id = eng_hardsigmoid(L->g, c->name, x->node, attr_f(n, "alpha", 0.2f), attr_f(n, "beta", 0.5f));
    } else if (!strcmp(op, "HardSwish")) {
        id = eng_hardswish(L->g, c->name, x->node);
    } else if (!strcmp(op, "Clip")) {
        float lo = -FLT_MAX, hi = FLT_MAX;
        if (L->opset < 11) {
            lo = attr_f(n, "min", lo), hi = attr_f(n, "max", hi);
        } else {
            Const *a = in_const(L, c, 1), *b = in_const(L, c, 2);
            if ((n->n_input > 1 && n->input[1][0] && (!a || !a->f || a->n != 1)) ||
                (n->n_input > 2 && n->input[2][0] && (!b || !b->f || b->n != 1)))
                FAIL("ONNX: node '%s' (Clip): min and max must be constant scalars", c->name);
            if (a) lo = a->f[0];
            if (b) hi = b->f[0];
        }
        id = eng_clip(L->g, c->name, x->node, lo, hi);
    } else if (!strcmp(op, "PRelu")) {
        Const *sl = in_const(L, c, 1);
        const EngShape s = eng_graph_node(L->g, x->node)->out;
        if (!sl || !sl->f || (sl->n != 1 && sl->n != (size_t)s.C))
            FAIL("ONNX: node '%s' (PRelu): the slope must be one value or one per channel", c->name);
        id = eng_prelu(L->g, c->name, x->node, (int)sl->n);
        if (id >= 0 && add_pending(L, id, 0, sl->f, 0, 0, 1)) return -1;
    } else if (!strcmp(op, "Softmax")) {
        const EngShape s = eng_graph_node(L->g, x->node)->out;
        int64_t axis = attr_i(n, "axis", L->opset >= 13 ? -1 : 1);
        int ok = (x->rank == 2 && (axis == 1 || axis == -1)) ||
                 (x->rank == 4 && (axis == 1 || axis == -3) && (L->opset >= 13 || (s.H == 1 && s.W == 1)));
        if (!ok) FAIL("ONNX: node '%s' (Softmax): only a softmax over channels is supported (axis %lld, "
                      "opset %d)", c->name, (long long)axis, L->opset);
        id = eng_softmax(L->g, c->name, x->node);
    } else if (!strcmp(op, "Gemm") || !strcmp(op, "MatMul")) {
        int gemm = op[0] == 'G';
        Const *b = in_const(L, c, 1), *bias = gemm ? in_const(L, c, 2) : NULL;
        const EngShape s = eng_graph_node(L->g, x->node)->out;
        int64_t K = (int64_t)s.C * s.H * s.W;
        if (gemm && attr_i(n, "transA", 0)) FAIL("ONNX: node '%s' (Gemm): transA is not supported", c->name);
        if (!b || !b->f || b->ndim != 2)
            FAIL("ONNX: node '%s' (%s): the second input must be a 2-D float initializer", c->name, op);
        int transB = gemm ? (int)attr_i(n, "transB", 0) : 0;
        int64_t rows = b->dims[0], cols = b->dims[1];
        int64_t out = transB ? rows : cols, kk = transB ? cols : rows;
        if (kk != K) FAIL("ONNX: node '%s' (%s): weights %lldx%lld do not fit %lld inputs", c->name, op,
                          (long long)rows, (long long)cols, (long long)K);
        float alpha = gemm ? attr_f(n, "alpha", 1.0f) : 1.0f, beta = gemm ? attr_f(n, "beta", 1.0f) : 1.0f;
        if (bias && (!bias->f || (bias->n != (size_t)out && bias->n != 1)))
            FAIL("ONNX: node '%s' (Gemm): bias C must have %lld values or one", c->name, (long long)out);
        if (bias && bias->n == 1 && out != 1) { /* a scalar C broadcasts: expand it */
            float *e = malloc((size_t)out * sizeof *e);
            if (!e) return -1;
            for (int64_t k = 0; k < out; k++) e[k] = bias->f[0];
            Const *ex = add_const(L, "");
            if (!ex) { free(e); return -1; }
            ex->f = e, ex->n = (size_t)out, ex->ndim = 1, ex->dims[0] = out;
            bias = ex;
        }
        const float *wdata = in_const(L, c, 1)->f;
        id = eng_fc(L->g, c->name, x->node, (int)out, bias != NULL);
        if (id >= 0 && add_pending(L, id, 0, wdata, transB ? 0 : (int)rows, transB ? 0 : (int)cols, alpha))
            return -1;
        if (id >= 0 && bias && add_pending(L, id, 1, bias->f, 0, 0, beta)) return -1;
        rank = 2;
    } else if (!strcmp(op, "Add") || !strcmp(op, "Sum")) {
        int ids[64];
        if (n->n_input > 64) FAIL("ONNX: node '%s' (%s): more than 64 inputs", c->name, op);
        for (size_t k = 0; k < n->n_input; k++) {
            Act *a = find_act(L, n->input[k]);
            if (!a) FAIL("ONNX: node '%s' (%s): adding a constant is not supported; only maps of one shape", c->name, op);
            ids[k] = a->node;
        }
        id = eng_add(L->g, c->name, ids, (int)n->n_input);
    } else if (!strcmp(op, "Mul")) {
        Act *b = in_act(L, c, 1);
        if (!b) FAIL("ONNX: node '%s' (Mul): multiplying by a constant is not supported", c->name);
        id = eng_mul(L->g, c->name, x->node, b->node);
    } else if (!strcmp(op, "Concat")) {
        int64_t axis = attr_i(n, "axis", 1);
        if (!(axis == 1 || (x->rank == 4 && axis == -3) || (x->rank == 2 && axis == -1)))
            FAIL("ONNX: node '%s' (Concat): only concatenation along channels (axis 1) is supported", c->name);
        int ids[256];
        if (n->n_input > 256) FAIL("ONNX: node '%s' (Concat): too many inputs", c->name);
        for (size_t k = 0; k < n->n_input; k++) {
            Act *a = find_act(L, n->input[k]);
            if (!a || a->rank != x->rank) FAIL("ONNX: node '%s' (Concat): input %zu is not a map like the first", c->name, k);
            ids[k] = a->node;
        }
        id = eng_concat(L->g, c->name, ids, (int)n->n_input);
    } else if (!strcmp(op, "Flatten")) {
        if (attr_i(n, "axis", 1) != 1) FAIL("ONNX: node '%s' (Flatten): only axis 1 is supported", c->name);
        id = eng_flatten(L->g, c->name, x->node);
        rank = 2;
    } else if (!strcmp(op, "Dropout") || !strcmp(op, "Identity")) {
        /* identity at inference: the output names the same engine node */
        if (n->n_output > 1 && n->output[1][0] && op[0] == 'D')
            FAIL("ONNX: node '%s' (Dropout): the mask output is not supported", c->name);
        return n->n_output ? add_act(L, n->output[0], x->node, x->rank) : -1;
    } else if (!strcmp(op, "Pad")) {
        char mode[32];
        attr_s(n, "mode", mode, sizeof mode);
        if (mode[0] && strcmp(mode, "constant")) FAIL("ONNX: node '%s' (Pad): only constant padding is supported", c->name);
        int64_t p[8];
        int m;
        float value = 0.0f;
        if (L->opset < 11) {
            m = attr_ints(n, "pads", p, 8);
            value = attr_f(n, "value", 0.0f);
        } else {
            Const *pc = in_const(L, c, 1), *vc = in_const(L, c, 2);
            if (!pc || !pc->i || pc->n > 8) FAIL("ONNX: node '%s' (Pad): pads must be a constant", c->name);
            m = (int)pc->n;
            for (int k = 0; k < m; k++) p[k] = pc->i[k];
            if (vc && vc->f && vc->n == 1) value = vc->f[0];
        }
        if (m != 8 || p[0] || p[1] || p[4] || p[5])
            FAIL("ONNX: node '%s' (Pad): only padding of height and width is supported", c->name);
        id = eng_pad(L->g, c->name, x->node, (int)p[2], (int)p[3], (int)p[6], (int)p[7], value);
    } else {
        FAIL("ONNX: node '%s': op %s (opset %d) is not supported. Supported: %s", c->name, op,
             L->opset, SUPPORTED);
    }
    return out_name_act(L, c, id, rank);
}

/* ---- load ------------------------------------------------------------------------------- */

static void loader_free(Loader *L) {
    for (int k = 0; k < L->n_consts; k++) {
        free(L->consts[k].name);
        free(L->consts[k].f);
        free(L->consts[k].i);
    }
    for (int k = 0; k < L->n_acts; k++) free(L->acts[k].name);
    free(L->consts);
    free(L->acts);
    free(L->pend);
}

static int read_file(const char *path, uint8_t **buf, size_t *len, char *err, size_t errlen) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        eng_set_err(err, errlen, "ONNX: cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    long size = -1;
    if (fseek(f, 0, SEEK_END) == 0) size = ftell(f);
    if (size < 0 || (size_t)size > MAX_FILE || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        eng_set_err(err, errlen, "ONNX: %s: unreadable or larger than 2 GiB", path);
        return -1;
    }
    *buf = malloc((size_t)size + 1);
    if (!*buf || fread(*buf, 1, (size_t)size, f) != (size_t)size) {
        fclose(f);
        free(*buf);
        eng_set_err(err, errlen, "ONNX: %s: read failed", path);
        return -1;
    }
    fclose(f);
    *len = (size_t)size;
    return 0;
}

/* Make names unique for the engine: "<name>", then "<name>_2", ... */
static const char *unique_name(EngGraph *g, const char *base, char *buf, size_t n) {
    snprintf(buf, n, "%s", base && base[0] ? base : "node");
    for (int k = 2; eng_graph_find(g, buf) >= 0 && k < 100000; k++)
        snprintf(buf, n, "%.80s_%d", base && base[0] ? base : "node", k);
    return buf;
}

EngGraph *eng_onnx_load(const char *path, int C, int H, int W, const EngOnnxTensor *consts,
                        int n_consts, char *err, size_t errlen) {
    uint8_t *buf = NULL;
    size_t len = 0;
    if (read_file(path, &buf, &len, err, errlen) != 0) return NULL;
    Onnx__ModelProto *m = onnx__model_proto__unpack(NULL, len, buf);
    free(buf);
    if (!m || !m->graph) {
        eng_set_err(err, errlen, "ONNX: %s is not a valid ONNX model (protobuf decoding failed)", path);
        if (m) onnx__model_proto__free_unpacked(m, NULL);
        return NULL;
    }
    Loader L = {0};
    L.err = err, L.errlen = errlen;
    L.opset = 1;
    for (size_t k = 0; k < m->n_opset_import; k++) {
        const Onnx__OperatorSetIdProto *o = m->opset_import[k];
        if ((!o->domain || !o->domain[0] || !strcmp(o->domain, "ai.onnx")) && o->has_version)
            L.opset = (int)o->version;
    }
    const Onnx__GraphProto *gp = m->graph;
    EngGraph *g = eng_graph_create();
    L.g = g;
    int ok = g != NULL;
    if (ok && L.opset > 17) {
        eng_set_err(err, errlen, "ONNX: %s uses opset %d; opsets 1 to 17 are supported", path, L.opset);
        ok = 0;
    }
    for (size_t k = 0; ok && k < gp->n_initializer; k++)
        ok = tensor_to_const(&L, gp->initializer[k], gp->initializer[k]->name ? gp->initializer[k]->name : "") == 0;
    for (int k = 0; ok && k < n_consts; k++) {
        size_t n = 1;
        for (int d = 0; d < consts[k].ndim; d++) n *= (size_t)consts[k].dims[d];
        Const *c = add_const(&L, consts[k].name);
        ok = c && (c->f = malloc((n ? n : 1) * sizeof(float))) != NULL;
        if (ok) {
            memcpy(c->f, consts[k].data, n * sizeof(float));
            c->n = n, c->ndim = consts[k].ndim;
            memcpy(c->dims, consts[k].dims, sizeof c->dims);
        }
    }
    /* the data input: the first graph input that is not a constant */
    int have_input = 0;
    for (size_t k = 0; ok && k < gp->n_input; k++) {
        const Onnx__ValueInfoProto *v = gp->input[k];
        if (!v->name || find_const(&L, v->name)) continue;
        if (have_input) {
            eng_set_err(err, errlen, "ONNX: %s has a second data input '%s'; one is supported", path, v->name);
            ok = 0;
            break;
        }
        const Onnx__TensorShapeProto *sh = v->type && v->type->value_case == ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE &&
                                                   v->type->tensor_type ? v->type->tensor_type->shape : NULL;
        int64_t d[4] = {0, 0, 0, 0};
        int rank = sh ? (int)sh->n_dim : 0;
        for (int j = 1; j < rank && j < 4; j++)
            if (sh->dim[j]->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE) d[j] = sh->dim[j]->dim_value;
        int ic = C > 0 ? C : (int)d[1], ih = H > 0 ? H : (rank >= 3 ? (int)d[2] : 1),
            iw = W > 0 ? W : (rank == 4 ? (int)d[3] : 1);
        if (rank < 2 || rank > 4) {
            eng_set_err(err, errlen, "ONNX: input '%s' has rank %d; (N, C, H, W), (N, C, L) or (N, K) inputs are supported", v->name, rank);
            ok = 0;
            break;
        }
        if (ic <= 0 || ih <= 0 || iw <= 0) {
            eng_set_err(err, errlen, "ONNX: input '%s' has no fixed size; give one (--input CxHxW)", v->name);
            ok = 0;
            break;
        }
        char nm[96];
        int id = eng_input(g, unique_name(g, v->name, nm, sizeof nm), ic, ih, iw);
        if (id < 0) {
            eng_set_err(err, errlen, "%s", eng_graph_error(g));
            ok = 0;
        } else {
            ok = add_act(&L, v->name, id, rank) == 0;
        }
        have_input = 1;
    }
    if (ok && !have_input) {
        eng_set_err(err, errlen, "ONNX: %s has no data input", path);
        ok = 0;
    }
    for (size_t k = 0; ok && k < gp->n_node; k++) {
        const Onnx__NodeProto *n = gp->node[k];
        if (n->domain && n->domain[0] && strcmp(n->domain, "ai.onnx")) {
            eng_set_err(err, errlen, "ONNX: node '%s': op %s of domain '%s' is not supported",
                        n->name ? n->name : "?", n->op_type ? n->op_type : "?", n->domain);
            ok = 0;
            break;
        }
        NodeCtx c = {n, NULL, ""};
        char nm[96];
        c.name = unique_name(g, n->name && n->name[0] ? n->name : (n->n_output ? n->output[0] : "node"), nm, sizeof nm);
        snprintf(c.op, sizeof c.op, "%s", n->op_type ? n->op_type : "?");
        ok = convert(&L, &c) == 0;
        if (!ok && !err[0]) eng_set_err(err, errlen, "ONNX: node '%s' (%s): %s", c.name, c.op, eng_graph_error(g));
    }
    if (ok) {
        const char *out = gp->n_output ? gp->output[0]->name : NULL;
        Act *a = out ? find_act(&L, out) : NULL;
        if (!a) {
            eng_set_err(err, errlen, "ONNX: the graph output '%s' is not computed by the graph", out ? out : "?");
            ok = 0;
        } else {
            eng_graph_set_output(g, a->node);
        }
    }
    if (ok && eng_graph_alloc_params(g) != 0) {
        eng_set_err(err, errlen, "ONNX: out of memory for the parameters");
        ok = 0;
    }
    if (ok) { /* zero everything, then copy the file's tensors in (BN running var of 1 by default) */
        for (int i = 0; i < eng_graph_node_count(g); i++) {
            EngNode *nd = eng_graph_node_mut(g, i);
            for (int k = 0; k < nd->n_params; k++)
                for (size_t j = 0; j < nd->params[k].n; j++) nd->params[k].data[j] = 0.0f;
        }
        for (int k = 0; k < L.n_pend; k++) {
            const Pending *p = &L.pend[k];
            EngParam *dst = &eng_graph_node_mut(g, p->node)->params[p->param];
            if (p->transpose_rows > 0) { /* (rows=K, cols=OUT) -> (OUT, K) */
                for (int r = 0; r < p->transpose_rows; r++)
                    for (int q = 0; q < p->transpose_cols; q++)
                        dst->data[(size_t)q * p->transpose_rows + r] = p->scale * p->src[(size_t)r * p->transpose_cols + q];
            } else {
                for (size_t j = 0; j < dst->n; j++) dst->data[j] = p->scale * p->src[j];
            }
        }
    }
    loader_free(&L);
    onnx__model_proto__free_unpacked(m, NULL);
    if (!ok) {
        eng_graph_destroy(g);
        return NULL;
    }
    return g;
}

int eng_onnx_read_tensor(const char *path, EngOnnxTensor *t, float **data, char *err, size_t errlen) {
    uint8_t *buf = NULL;
    size_t len = 0;
    memset(t, 0, sizeof *t);
    *data = NULL;
    if (read_file(path, &buf, &len, err, errlen) != 0) return -1;
    Onnx__TensorProto *tp = onnx__tensor_proto__unpack(NULL, len, buf);
    free(buf);
    if (!tp) {
        eng_set_err(err, errlen, "ONNX: %s is not a TensorProto", path);
        return -1;
    }
    Loader L = {0};
    L.err = err, L.errlen = errlen;
    int rc = tensor_to_const(&L, tp, tp->name ? tp->name : "");
    if (rc == 0 && !L.consts[0].f) {
        eng_set_err(err, errlen, "ONNX: %s holds integers, not floats", path);
        rc = -1;
    }
    if (rc == 0) {
        Const *c = &L.consts[0];
        *data = c->f;
        c->f = NULL;
        t->ndim = c->ndim;
        for (int d = 0; d < c->ndim && d < 8; d++) t->dims[d] = c->dims[d];
        snprintf(t->name, sizeof t->name, "%s", c->name);
        t->data = *data;
    }
    loader_free(&L);
    onnx__tensor_proto__free_unpacked(tp, NULL);
    return rc;
}
