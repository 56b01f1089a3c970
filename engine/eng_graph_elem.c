/*
 * eng_graph_elem.c — the general elementwise, broadcasting and reducing ops
 * ONNX graphs are written in (ENG_OP_UNARY, ENG_OP_BINARY, ENG_OP_REDUCE) and
 * DepthToSpace / SpaceToDepth (ENG_OP_DEPTH_SPACE): each one's forward and
 * backward step and operation count, named in eng_op_table. The named
 * layers (ReLU, batch norm, softmax...) keep their own kernels; these are
 * what an exported graph spells out with Sub, Pow, ReduceMean and the rest
 * (a layer norm of PyTorch at opset 13, a softmax, a GELU).
 *
 * Must not depend on: SDL or anything that draws.
 */
#include "eng_graph_internal.h"

#include <math.h>
#include <string.h>

/* ---- unary ----------------------------------------------------------------------------- */

/* SELU's constants as ONNX gives them (Klambauer et al. 2017) are attributes:
 * alpha and gamma of the node. */
static float unary_value(const EngUnaryParams *q, float x) {
    const float a = q->alpha;
    switch (q->kind) {
    case ENG_UNARY_ABS: return fabsf(x);
    case ENG_UNARY_NEG: return -x;
    case ENG_UNARY_EXP: return expf(x);
    case ENG_UNARY_LOG: return logf(x);
    case ENG_UNARY_RECIPROCAL: return 1.0f / x;
    case ENG_UNARY_SQRT: return sqrtf(x);
    case ENG_UNARY_ERF: return erff(x);
    case ENG_UNARY_ELU: return x < 0.0f ? a * expm1f(x) : x;
    case ENG_UNARY_SELU: return q->gamma * (x <= 0.0f ? a * expm1f(x) : x);
    case ENG_UNARY_CELU: return fmaxf(0.0f, x) + fminf(0.0f, a * expm1f(x / a));
    case ENG_UNARY_SOFTPLUS: /* log(1 + e^x) without overflow: max(x, 0) + log1p(e^-|x|) */
        return fmaxf(x, 0.0f) + log1pf(expf(-fabsf(x)));
    case ENG_UNARY_SOFTSIGN: return x / (1.0f + fabsf(x));
    case ENG_UNARY_THRESHOLDED_RELU: return x > a ? x : 0.0f;
    case ENG_UNARY_POW: return powf(x, a);
    case ENG_UNARY_LINEAR: return a * x + q->gamma;
    default: return NAN;
    }
}

/* dy/dx at x (y the output there) */
static float unary_slope(const EngUnaryParams *q, float x, float y) {
    const float a = q->alpha;
    switch (q->kind) {
    case ENG_UNARY_ABS: return x > 0.0f ? 1.0f : x < 0.0f ? -1.0f : 0.0f;
    case ENG_UNARY_NEG: return -1.0f;
    case ENG_UNARY_EXP: return y;
    case ENG_UNARY_LOG: return 1.0f / x;
    case ENG_UNARY_RECIPROCAL: return -y * y;
    case ENG_UNARY_SQRT: return 0.5f / y;
    case ENG_UNARY_ERF: return 1.12837916709551257f * expf(-x * x); /* 2 / sqrt(pi) e^-x^2 */
    case ENG_UNARY_ELU: return x < 0.0f ? y + a : 1.0f;
    case ENG_UNARY_SELU: return q->gamma * (x <= 0.0f ? a * expf(x) : 1.0f);
    case ENG_UNARY_CELU: return x < 0.0f ? expf(x / a) : 1.0f;
    case ENG_UNARY_SOFTPLUS: return 1.0f / (1.0f + expf(-x));
    case ENG_UNARY_SOFTSIGN: {
        const float d = 1.0f + fabsf(x);
        return 1.0f / (d * d);
    }
    case ENG_UNARY_THRESHOLDED_RELU: return x > a ? 1.0f : 0.0f;
    case ENG_UNARY_POW: return a == 0.0f ? 0.0f : a * powf(x, a - 1.0f);
    case ENG_UNARY_LINEAR: return a;
    default: return NAN;
    }
}

typedef struct {
    float *y;
    const float *x;
    const EngUnaryParams *q;
} UnaryJob;

static void unary_range(void *ctx, size_t b, size_t e) {
    const UnaryJob *j = ctx;
    for (size_t i = b; i < e; i++) j->y[i] = unary_value(j->q, j->x[i]);
}

void eng_fwd_unary(const EngStep *st) {
    UnaryJob j = {st->n->act, st->x->act, &st->n->p.unary};
    eng_parallel_for(st->count, 8, unary_range, &j);
}

int eng_bwd_unary(const EngStep *st) {
    const EngUnaryParams *q = &st->n->p.unary;
    const float *x = st->x->act, *y = st->n->act;
    for (size_t i = 0; i < st->count; i++) st->dx[i] += st->dy[i] * unary_slope(q, x[i], y[i]);
    return 0;
}

/* ---- binary with broadcasting ------------------------------------------------------------ */

/* Row-major strides of 4 axes, 0 along an axis of size 1 (broadcast). */
static void bcast_strides(const int d[4], int64_t st[4]) {
    int64_t s = 1;
    for (int k = 3; k >= 0; k--) {
        st[k] = d[k] == 1 ? 0 : s;
        s *= d[k];
    }
}

static float binary_value(int kind, float a, float b) {
    switch (kind) {
    case ENG_BINARY_ADD: return a + b;
    case ENG_BINARY_SUB: return a - b;
    case ENG_BINARY_MUL: return a * b;
    case ENG_BINARY_DIV: return a / b;
    default: return powf(a, b);
    }
}

/* Every output unit of one sample with the units of a and b it reads:
 * the body sees O, IA and IB. */
#define FOR_BCAST(q, ...)                                                                      \
    do {                                                                                        \
        int64_t sa_[4], sb_[4];                                                                 \
        bcast_strides((q)->a, sa_);                                                             \
        bcast_strides((q)->b, sb_);                                                             \
        size_t o_ = 0;                                                                          \
        for (int i0 = 0; i0 < (q)->out[0]; i0++)                                                \
            for (int i1 = 0; i1 < (q)->out[1]; i1++)                                            \
                for (int i2 = 0; i2 < (q)->out[2]; i2++) {                                      \
                    size_t ia_ = (size_t)(i0 * sa_[0] + i1 * sa_[1] + i2 * sa_[2]);             \
                    size_t ib_ = (size_t)(i0 * sb_[0] + i1 * sb_[1] + i2 * sb_[2]);             \
                    for (int i3 = 0; i3 < (q)->out[3]; i3++, o_++, ia_ += (size_t)sa_[3],       \
                             ib_ += (size_t)sb_[3]) {                                           \
                        const size_t O = o_, IA = ia_, IB = ib_;                                \
                        __VA_ARGS__;                                                            \
                    }                                                                           \
                }                                                                               \
    } while (0)

static size_t prod4(const int d[4]) { return (size_t)d[0] * d[1] * d[2] * d[3]; }

void eng_fwd_binary(const EngStep *st) {
    const EngNode *n = st->n;
    const EngBinaryParams *q = &n->p.binary;
    const EngNode *b = &st->g->nodes[n->inputs[1]];
    const size_t na = prod4(q->a), nb = prod4(q->b), no = prod4(q->out);
    for (int s = 0; s < st->N; s++) {
        const float *xa = st->x->act + (size_t)s * na, *xb = b->act + (size_t)s * nb;
        float *y = n->act + (size_t)s * no;
        FOR_BCAST(q, y[O] = binary_value(q->kind, xa[IA], xb[IB]));
    }
}

/* d/da and d/db of a op b; y = a op b */
static void binary_slopes(int kind, float a, float b, float y, float *da, float *db) {
    switch (kind) {
    case ENG_BINARY_ADD: *da = 1.0f, *db = 1.0f; break;
    case ENG_BINARY_SUB: *da = 1.0f, *db = -1.0f; break;
    case ENG_BINARY_MUL: *da = b, *db = a; break;
    case ENG_BINARY_DIV: *da = 1.0f / b, *db = -y / b; break;
    default: /* a^b: b a^(b-1), and a^b ln a (0 where a^b is 0) */
        *da = b == 0.0f ? 0.0f : b * powf(a, b - 1.0f);
        *db = y == 0.0f ? 0.0f : y * logf(a);
    }
}

/* both inputs may be the same node: each gets its own share added */
int eng_bwd_binary(const EngStep *st) {
    const EngNode *n = st->n;
    const EngBinaryParams *q = &n->p.binary;
    EngNode *b = &st->g->nodes[n->inputs[1]];
    const size_t na = prod4(q->a), nb = prod4(q->b), no = prod4(q->out);
    for (int s = 0; s < st->N; s++) {
        const float *xa = st->x->act + (size_t)s * na, *xb = b->act + (size_t)s * nb;
        const float *y = n->act + (size_t)s * no, *dy = st->dy + (size_t)s * no;
        float *dxa = st->dx ? st->dx + (size_t)s * na : NULL;
        float *dxb = b->grad ? b->grad + (size_t)s * nb : NULL;
        FOR_BCAST(q, {
            float da, db;
            binary_slopes(q->kind, xa[IA], xb[IB], y[O], &da, &db);
            if (dxa) dxa[IA] += dy[O] * da;
            if (dxb) dxb[IB] += dy[O] * db;
        });
    }
    return 0;
}

int64_t eng_ops_binary(const EngNode *n, EngCount c, int64_t e, int64_t plane) {
    (void)n, (void)plane;
    return c.other ? e : 0;
}

/* ---- matrix products of two computed inputs ---------------------------------------------- */

/* The offset of matrix (i0, i1) of an operand of 4 axes d (one of size 1 along an
 * axis: the same matrix at every index there). */
static size_t bmm_block(const int d[4], int i0, int i1) {
    const size_t j0 = d[0] == 1 ? 0 : (size_t)i0, j1 = d[1] == 1 ? 0 : (size_t)i1;
    return (j0 * (size_t)d[1] + j1) * (size_t)d[2] * (size_t)d[3];
}

typedef struct {
    const EngBmmParams *q;
    const float *a, *b;
    float *y;
    size_t na, nb, no;
} BmmJob;

/* samples [b, e): every output matrix, y = a @ b row by row */
static void bmm_range(void *ctx, size_t b, size_t e) {
    const BmmJob *j = ctx;
    const EngBmmParams *q = j->q;
    const int M = q->out[2], K = q->a[3], P = q->out[3];
    for (size_t s = b; s < e; s++)
        for (int i0 = 0; i0 < q->out[0]; i0++)
            for (int i1 = 0; i1 < q->out[1]; i1++) {
                const float *A = j->a + s * j->na + bmm_block(q->a, i0, i1);
                const float *B = j->b + s * j->nb + bmm_block(q->b, i0, i1);
                float *Y = j->y + s * j->no + bmm_block(q->out, i0, i1);
                for (int m = 0; m < M; m++) {
                    float *yr = Y + (size_t)m * P;
                    for (int p = 0; p < P; p++) yr[p] = 0.0f;
                    for (int k = 0; k < K; k++) {
                        const float av = A[(size_t)m * K + k];
                        const float *br = B + (size_t)k * P;
                        for (int p = 0; p < P; p++) yr[p] += av * br[p];
                    }
                }
            }
}

void eng_fwd_bmm(const EngStep *st) {
    const EngNode *n = st->n;
    const EngBmmParams *q = &n->p.bmm;
    BmmJob j = {q, st->x->act, st->g->nodes[n->inputs[1]].act, n->act, prod4(q->a), prod4(q->b),
                prod4(q->out)};
    eng_parallel_for((size_t)st->N, j.no * (size_t)q->a[3], bmm_range, &j);
}

/* dA += dY B^T and dB += A^T dY for each pair of matrices, summed over the
 * output matrices a broadcast operand's one matrix met; both inputs may be the
 * same node: each gets its own share added */
int eng_bwd_bmm(const EngStep *st) {
    const EngNode *n = st->n;
    const EngBmmParams *q = &n->p.bmm;
    const EngNode *bn = &st->g->nodes[n->inputs[1]];
    const size_t na = prod4(q->a), nb = prod4(q->b), no = prod4(q->out);
    const int M = q->out[2], K = q->a[3], P = q->out[3];
    for (int s = 0; s < st->N; s++)
        for (int i0 = 0; i0 < q->out[0]; i0++)
            for (int i1 = 0; i1 < q->out[1]; i1++) {
                const size_t oa = (size_t)s * na + bmm_block(q->a, i0, i1);
                const size_t ob = (size_t)s * nb + bmm_block(q->b, i0, i1);
                const float *A = st->x->act + oa, *B = bn->act + ob;
                const float *dY = st->dy + (size_t)s * no + bmm_block(q->out, i0, i1);
                if (st->dx) {
                    float *dA = st->dx + oa;
                    for (int m = 0; m < M; m++)
                        for (int k = 0; k < K; k++) {
                            const float *dyr = dY + (size_t)m * P, *br = B + (size_t)k * P;
                            float acc = 0.0f;
                            for (int p = 0; p < P; p++) acc += dyr[p] * br[p];
                            dA[(size_t)m * K + k] += acc;
                        }
                }
                if (bn->grad) {
                    float *dB = bn->grad + ob;
                    for (int m = 0; m < M; m++) {
                        const float *dyr = dY + (size_t)m * P;
                        for (int k = 0; k < K; k++) {
                            const float av = A[(size_t)m * K + k];
                            float *dbr = dB + (size_t)k * P;
                            for (int p = 0; p < P; p++) dbr[p] += av * dyr[p];
                        }
                    }
                }
            }
    return 0;
}

/* ---- reductions -------------------------------------------------------------------------- */

/* the output's 4 axes: 1 where reduced */
static void reduce_out_dims(const EngReduceParams *q, int od[4]) {
    for (int k = 0; k < 4; k++) od[k] = (q->axes >> k) & 1 ? 1 : q->dims[k];
}

/* every input unit of one sample with the output unit it reduces into */
#define FOR_REDUCE(q, ...)                                                                      \
    do {                                                                                         \
        int od_[4];                                                                              \
        int64_t so_[4];                                                                          \
        reduce_out_dims(q, od_);                                                                 \
        bcast_strides(od_, so_);                                                                 \
        size_t i_ = 0;                                                                           \
        for (int i0 = 0; i0 < (q)->dims[0]; i0++)                                                \
            for (int i1 = 0; i1 < (q)->dims[1]; i1++)                                            \
                for (int i2 = 0; i2 < (q)->dims[2]; i2++)                                        \
                    for (int i3 = 0; i3 < (q)->dims[3]; i3++, i_++) {                            \
                        const size_t I = i_, O = (size_t)(i0 * so_[0] + i1 * so_[1] +            \
                                                          i2 * so_[2] + i3 * so_[3]);            \
                        __VA_ARGS__;                                                             \
                    }                                                                            \
    } while (0)

/* units reduced into each output */
static size_t reduce_count(const EngReduceParams *q) {
    size_t m = 1;
    for (int k = 0; k < 4; k++)
        if ((q->axes >> k) & 1) m *= (size_t)q->dims[k];
    return m;
}

void eng_fwd_reduce(const EngStep *st) {
    const EngNode *n = st->n;
    const EngReduceParams *q = &n->p.reduce;
    const size_t ni = prod4(q->dims), no = ni / reduce_count(q);
    const float scale = q->kind == ENG_REDUCE_MEAN ? (float)(1.0 / (double)reduce_count(q)) : 1.0f;
    for (int s = 0; s < st->N; s++) {
        const float *x = st->x->act + (size_t)s * ni;
        float *y = n->act + (size_t)s * no;
        if (q->kind == ENG_REDUCE_MAX) {
            for (size_t o = 0; o < no; o++) y[o] = -INFINITY;
            FOR_REDUCE(q, y[O] = x[I] > y[O] || x[I] != x[I] ? x[I] : y[O]);
            continue;
        }
        for (size_t o = 0; o < no; o++) y[o] = 0.0f;
        if (q->kind == ENG_REDUCE_SUM_SQUARE) FOR_REDUCE(q, y[O] += x[I] * x[I]);
        else FOR_REDUCE(q, y[O] += x[I]);
        for (size_t o = 0; o < no; o++) y[o] *= scale;
    }
}

int eng_bwd_reduce(const EngStep *st) {
    const EngNode *n = st->n;
    const EngReduceParams *q = &n->p.reduce;
    const size_t ni = prod4(q->dims), no = ni / reduce_count(q);
    const float scale = q->kind == ENG_REDUCE_MEAN ? (float)(1.0 / (double)reduce_count(q)) : 1.0f;
    for (int s = 0; s < st->N; s++) {
        const float *x = st->x->act + (size_t)s * ni, *y = n->act + (size_t)s * no;
        const float *dy = st->dy + (size_t)s * no;
        float *dx = st->dx + (size_t)s * ni;
        if (q->kind == ENG_REDUCE_MAX)
            FOR_REDUCE(q, dx[I] += x[I] == y[O] ? dy[O] : 0.0f);
        else if (q->kind == ENG_REDUCE_SUM_SQUARE)
            FOR_REDUCE(q, dx[I] += 2.0f * x[I] * dy[O]);
        else
            FOR_REDUCE(q, dx[I] += dy[O] * scale);
    }
    return 0;
}

/* one add (or compare) per input unit, the mean's divide per output */
int64_t eng_ops_reduce(const EngNode *n, EngCount c, int64_t e, int64_t plane) {
    (void)plane;
    if (!c.other) return 0;
    const EngReduceParams *q = &n->p.reduce;
    return (int64_t)prod4(q->dims) * (q->kind == ENG_REDUCE_SUM_SQUARE ? 2 : 1) +
           (q->kind == ENG_REDUCE_MEAN ? e : 0);
}

/* ---- DepthToSpace, SpaceToDepth ------------------------------------------------------------ */

/* Each unit of the (C, H, W) depth side with its place on the (C / b^2, H b,
 * W b) space side: out[to] = in[from] forward (back: dx[from] += dy[to]). */
static void depth_space_sample(float *out, const float *in, const EngDepthSpaceParams *q,
                               EngShape depth, int back) {
    const int b = q->block, C = depth.C / (b * b), H = depth.H, W = depth.W;
    const size_t OW = (size_t)W * b, plane = (size_t)H * b * OW;
    size_t d = 0;
    for (int ch = 0; ch < depth.C; ch++) {
        /* DCR: channel (i b + j) C + c; CRD: c b^2 + i b + j */
        const int c = q->crd ? ch / (b * b) : ch % C;
        const int ij = q->crd ? ch % (b * b) : ch / C, i = ij / b, j = ij % b;
        for (int h = 0; h < H; h++)
            for (int w = 0; w < W; w++, d++) {
                const size_t sp = (size_t)c * plane + ((size_t)h * b + i) * OW + (size_t)w * b + j;
                const size_t to = q->to_space ? sp : d, from = q->to_space ? d : sp;
                if (!back) out[to] = in[from];
                else out[from] += in[to];
            }
    }
}

void eng_fwd_depth_space(const EngStep *st) {
    const EngDepthSpaceParams *q = &st->n->p.ds;
    const EngShape depth = q->to_space ? st->s : st->o;
    const size_t size = (size_t)st->o.C * st->o.H * st->o.W;
    for (int s = 0; s < st->N; s++)
        depth_space_sample(st->n->act + (size_t)s * size, st->x->act + (size_t)s * size, q, depth, 0);
}

int eng_bwd_depth_space(const EngStep *st) {
    const EngDepthSpaceParams *q = &st->n->p.ds;
    const EngShape depth = q->to_space ? st->s : st->o;
    const size_t size = (size_t)st->o.C * st->o.H * st->o.W;
    for (int s = 0; s < st->N; s++)
        depth_space_sample(st->dx + (size_t)s * size, st->dy + (size_t)s * size, q, depth, 1);
    return 0;
}
