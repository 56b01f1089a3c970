/*
 * eng_graph_internal.h — what the graph's files share and nothing outside
 * the engine sees: the EngGraph struct, the per-op table, and the helpers the
 * builders, the planner, the forward and the backward pass have in common.
 *
 *   eng_graph.c           building: nodes, names, shapes, receptive fields
 *   eng_graph_ops.c       the op table: one row per EngOpType
 *   eng_graph_count.c     accounting: parameters, operations, depth
 *   eng_graph_plan.c      parameters and buffers: allocation, init, plan
 *   eng_graph_forward.c   each op's forward step and the forward pass
 *   eng_graph_backward.c  each op's backward step, backward pass, projections
 *   eng_graph_fuse.c      the fast inference layout: fused conv chains, shared buffers
 *
 * Must not depend on: SDL or anything that draws.
 */
#ifndef CONVSCOPE_ENG_GRAPH_INTERNAL_H
#define CONVSCOPE_ENG_GRAPH_INTERNAL_H

#include "eng.h"

/* Largest spatial size or channel count a node may have: far above any real
 * network, small enough that C*H*W products stay well inside 64 bits. */
#define ENG_MAX_DIM (1 << 24)
/* Largest per-sample tensor (elements). */
#define ENG_MAX_ELEMS ((int64_t)1 << 31)

/* A node in the fast layout (eng_graph_fuse.c). A convolution heading a
 * chain has head == its own id and bn / act the BN and activation it
 * absorbs (-1 when absent); those links have head == the convolution. */
typedef struct {
    int head, bn, act;   /* head -1: not fused */
    size_t off;          /* floats into act_block, of a node that owns a buffer */
    float *w, *b;        /* a head with BN: the folded weights and bias, in fold_block */
} EngFuse;

struct EngGraph {
    EngNode *nodes;
    int n_nodes, cap;
    int output;          /* -1: the last inference node */
    int devices;         /* eng_graph_set_devices: trained split over this many devices (0: one) */
    int failed;
    char err[512];
    int reference;       /* run the naive twins */

    float *param_block;  /* every parameter, one allocation */
    size_t param_floats;
    float *act_block;    /* every activation for batch `batch`, one allocation */
    int32_t *switch_block; /* every max-pool argmax */
    float *scratch;      /* im2col / col2im, LRN backward sums */
    size_t scratch_floats;
    int batch;           /* 0 until planned */
    const float **in_ptrs; /* per-node input pointers for add / concat */
    int *in_chans;

    int want_grads;      /* allocate gradients at the next plan */
    int training;        /* batch statistics and dropout in the forward pass */
    int projecting;      /* eng_graph_project: no parameter grads, ReLU by `rule` */
    EngProjRule rule;
    uint64_t rng;        /* dropout masks */
    int join_pick;       /* this training pass's drop-path: 0 local, k > 0 global, column k - 1 */
    float *grad_block;   /* d loss / d act of every node, same layout as act_block */
    float *pgrad_block;  /* d loss / d parameter, same layout as param_block */
    float *aux_block;    /* BN batch statistics, dropout masks */

    /* the fast inference layout (eng_graph_fuse.c) */
    int fast;            /* eng_graph_set_fast: the next plan without gradients is fast */
    int fast_plan;       /* the buffers planned are the fast layout */
    EngFuse *fuse;       /* fuse_n entries, one per node, with fast_plan */
    int fuse_n;
    float *fold_block;   /* the folded weights and biases */
    int fold_ok;         /* fold_block holds the parameters of fold_version */
    uint64_t fold_version, param_version;
    size_t act_floats;   /* floats of act_block as planned */
    size_t act_floats_all; /* what the keep-everything layout takes */

    /* convolution algorithms (eng_graph_conv.c) */
    int no_winograd;        /* eng_graph_set_winograd(g, 0) */
    float *wino_block;      /* Winograd's transformed filters, every layer that runs it */
    size_t *wino_at;        /* per node: its filters' offset in wino_block, SIZE_MAX: none */
    uint64_t *wino_version; /* per node: the param_version its filters were transformed at */
    unsigned char *conv_algo; /* per node: the algorithm its last forward ran */
};

/* One node's step, forward or backward: the node, its first input and the
 * sizes every op starts from, gathered once (step_init) so that each op's
 * function holds only its own arithmetic. */
typedef struct {
    EngGraph *g;
    EngNode *n;
    EngNode *x;          /* input 0, NULL for a node without inputs */
    int N;               /* batch */
    EngShape s, o;       /* per-sample shapes of input 0 (o when none) and of the output */
    size_t count;        /* N * o.C * o.H * o.W */
    int ref;             /* forward: the naive reference kernels */
    const float *w;      /* params[0].data, NULL without parameters */
    /* backward only */
    float *dy, *dx;      /* the node's grad, input 0's grad (NULL when none) */
    EngParam *pw, *pb;   /* params[0], params[1], NULL when absent */
    float *gw, *gb;      /* their grads; NULL while projecting (no parameter gradients) */
} EngStep;

/* One row per op: everything the engine does with a node of that op is
 * reached from here (its builder aside, which is the public eng_<op> call).
 * Adding an op is one row plus the functions it names. */
typedef struct {
    const char *name;                        /* eng_op_name */
    void (*forward)(const EngStep *st);      /* NULL: nothing to compute (input) */
    /* add d out into the inputs' and parameters' gradients; 0, or -1 (logged) when
     * the op has no backward. NULL: no gradient flows (no input, or indices) */
    int (*backward)(const EngStep *st);
    /* operations per sample under convention c, e the node's output size
     * per sample, plane the H*W of input 0 (see EngCount); NULL: 0 */
    int64_t (*ops)(const EngNode *n, EngCount c, int64_t e, int64_t plane);
    /* floats of the shared scratch the node needs, with gradients or without
     * (s: input 0's shape); NULL: none */
    size_t (*scratch)(const EngNode *n, EngShape s, int grads);
    /* floats of training state (BN statistics, dropout mask) when gradients
     * are on, e the node's N * C * H * W; NULL: none */
    size_t (*aux)(const EngNode *n, size_t e);
    int weighted;  /* a weighted layer: counts in the depth, He/Xavier-initialised */
    int switches;  /* records max-pool switches (argmax) */
} EngOpInfo;

extern const EngOpInfo eng_op_table[ENG_OP_COUNT];

/* Forward and backward steps of each op (eng_graph_forward.c,
 * eng_graph_backward.c), named in the table. */
void eng_fwd_conv(const EngStep *st);
void eng_fwd_convt(const EngStep *st);
void eng_fwd_maxpool(const EngStep *st);
void eng_fwd_avgpool(const EngStep *st);
void eng_fwd_gavgpool(const EngStep *st);
void eng_fwd_gmaxpool(const EngStep *st);
void eng_fwd_lrn(const EngStep *st);
void eng_fwd_bn(const EngStep *st);
void eng_fwd_relu(const EngStep *st);
void eng_fwd_leakyrelu(const EngStep *st);
void eng_fwd_prelu(const EngStep *st);
void eng_fwd_clip(const EngStep *st);
void eng_fwd_sigmoid(const EngStep *st);
void eng_fwd_tanh(const EngStep *st);
void eng_fwd_hardsigmoid(const EngStep *st);
void eng_fwd_hardswish(const EngStep *st);
void eng_fwd_mish(const EngStep *st);
void eng_fwd_drop_path(const EngStep *st);
void eng_fwd_join(const EngStep *st);
void eng_fwd_softmax(const EngStep *st);
void eng_fwd_logsoftmax(const EngStep *st);
void eng_fwd_fc(const EngStep *st);
void eng_fwd_add(const EngStep *st);
void eng_fwd_mul(const EngStep *st);
void eng_fwd_concat(const EngStep *st);
void eng_fwd_copy(const EngStep *st);
void eng_fwd_dropout(const EngStep *st);
void eng_fwd_pad(const EngStep *st);
void eng_fwd_matmul(const EngStep *st);
void eng_fwd_affine(const EngStep *st);
void eng_fwd_const(const EngStep *st);
void eng_fwd_maxunpool(const EngStep *st);
void eng_fwd_transpose(const EngStep *st);
void eng_fwd_slice(const EngStep *st);
void eng_fwd_maxpool_index(const EngStep *st);
void eng_fwd_bn_batch(const EngStep *st);
void eng_fwd_silu(const EngStep *st);
void eng_fwd_gelu(const EngStep *st);
void eng_fwd_layernorm(const EngStep *st);
void eng_fwd_layerscale(const EngStep *st);
void eng_fwd_resize(const EngStep *st);

int eng_bwd_conv(const EngStep *st);
int eng_bwd_convt(const EngStep *st);
int eng_bwd_maxpool(const EngStep *st);
int eng_bwd_avgpool(const EngStep *st);
int eng_bwd_gavgpool(const EngStep *st);
int eng_bwd_gmaxpool(const EngStep *st);
int eng_bwd_lrn(const EngStep *st);
int eng_bwd_bn(const EngStep *st);
int eng_bwd_act(const EngStep *st);
int eng_bwd_prelu(const EngStep *st);
int eng_bwd_softmax(const EngStep *st);
int eng_bwd_logsoftmax(const EngStep *st);
int eng_bwd_fc(const EngStep *st);
int eng_bwd_add(const EngStep *st);
int eng_bwd_mul(const EngStep *st);
int eng_bwd_concat(const EngStep *st);
int eng_bwd_copy(const EngStep *st);
int eng_bwd_dropout(const EngStep *st);
int eng_bwd_drop_path(const EngStep *st);
int eng_bwd_join(const EngStep *st);
int eng_bwd_pad(const EngStep *st);
int eng_bwd_matmul(const EngStep *st);
int eng_bwd_affine(const EngStep *st);
int eng_bwd_maxunpool(const EngStep *st);
int eng_bwd_transpose(const EngStep *st);
int eng_bwd_slice(const EngStep *st);
int eng_bwd_bn_batch(const EngStep *st);
int eng_bwd_layernorm(const EngStep *st);
int eng_bwd_layerscale(const EngStep *st);
int eng_bwd_resize(const EngStep *st);

/* Operation counts (eng_graph_count.c), named in the table. */
int64_t eng_ops_weighted(const EngNode *n, EngCount c, int64_t e, int64_t plane);
int64_t eng_ops_bmm(const EngNode *n, EngCount c, int64_t e, int64_t plane);
int64_t eng_ops_bn(const EngNode *n, EngCount c, int64_t e, int64_t plane);
int64_t eng_ops_act(const EngNode *n, EngCount c, int64_t e, int64_t plane);
int64_t eng_ops_softmax(const EngNode *n, EngCount c, int64_t e, int64_t plane);
int64_t eng_ops_maxpool(const EngNode *n, EngCount c, int64_t e, int64_t plane);
int64_t eng_ops_avgpool(const EngNode *n, EngCount c, int64_t e, int64_t plane);
int64_t eng_ops_gavgpool(const EngNode *n, EngCount c, int64_t e, int64_t plane);
int64_t eng_ops_gmaxpool(const EngNode *n, EngCount c, int64_t e, int64_t plane);
int64_t eng_ops_add(const EngNode *n, EngCount c, int64_t e, int64_t plane);
int64_t eng_ops_mul(const EngNode *n, EngCount c, int64_t e, int64_t plane);
int64_t eng_ops_affine(const EngNode *n, EngCount c, int64_t e, int64_t plane);
int64_t eng_ops_lrn(const EngNode *n, EngCount c, int64_t e, int64_t plane);
int64_t eng_ops_layernorm(const EngNode *n, EngCount c, int64_t e, int64_t plane);

/* Scratch and training state sizes (eng_graph_plan.c), named in the table. */
size_t eng_scratch_conv(const EngNode *n, EngShape s, int grads);
size_t eng_scratch_convt(const EngNode *n, EngShape s, int grads);
size_t eng_scratch_lrn(const EngNode *n, EngShape s, int grads);
size_t eng_aux_bn(const EngNode *n, size_t e);
size_t eng_aux_dropout(const EngNode *n, size_t e);
size_t eng_aux_drop_path(const EngNode *n, size_t e);
size_t eng_aux_join(const EngNode *n, size_t e);
int64_t eng_ops_join(const EngNode *n, EngCount c, int64_t e, int64_t plane);
int64_t eng_ops_resize(const EngNode *n, EngCount c, int64_t e, int64_t plane);
size_t eng_scratch_resize(const EngNode *n, EngShape s, int grads);

/* The general elementwise, broadcasting and reducing ops and DepthToSpace
 * (eng_graph_elem.c), named in the table. */
void eng_fwd_unary(const EngStep *st);
int eng_bwd_unary(const EngStep *st);
void eng_fwd_binary(const EngStep *st);
int eng_bwd_binary(const EngStep *st);
int64_t eng_ops_binary(const EngNode *n, EngCount c, int64_t e, int64_t plane);
void eng_fwd_bmm(const EngStep *st);
int eng_bwd_bmm(const EngStep *st);
void eng_fwd_reduce(const EngStep *st);
int eng_bwd_reduce(const EngStep *st);
int64_t eng_ops_reduce(const EngNode *n, EngCount c, int64_t e, int64_t plane);
void eng_fwd_depth_space(const EngStep *st);
int eng_bwd_depth_space(const EngStep *st);

/* The fast layout (eng_graph_fuse.c): chains and offsets for batch N, the
 * activation floats and the fold block's floats (0, or -1); the nodes
 * pointed into the blocks; the folds made fresh before a pass (0, or -1
 * logged); node i run when the fast layout runs it otherwise (1), or left to
 * its op (0). */
int eng_fuse_plan(EngGraph *g, int N, size_t *act_floats, size_t *fold);
void eng_fuse_assign(EngGraph *g);
int eng_fuse_prepare(EngGraph *g);
int eng_fuse_run(EngGraph *g, int i);

/* Convolution algorithms (eng_graph_conv.c). Whether node n (input shape
 * s) runs Winograd at inference; the plan's per-node choices and the
 * transformed-filter block, 0 or -1 (out of memory); their release; and
 * the Winograd forward step: 1 when it ran, 0 when the direct path must. */
int eng_conv_winograd_worth(const EngNode *n, EngShape s);
int eng_graph_conv_plan(EngGraph *g);
void eng_graph_conv_free(EngGraph *g);
int eng_graph_conv_winograd(const EngStep *st);
/* Node id's convolution ran the direct path outside its op step (a fused chain). */
void eng_graph_conv_ran_direct(EngGraph *g, int id);


/* Shared helpers. */
static inline int eng_runs_at_inference(const EngNode *n) { return !(n->flags & ENG_NODE_TRAIN_ONLY); }
/* Release activations, gradients and scratch (eng_graph_plan.c). */
void eng_graph_free_buffers(EngGraph *g);
/* The parameters' gradient block, allocated on first need; 0 or -1 (eng_graph_plan.c). */
int eng_graph_grad_params_ready(EngGraph *g);
/* A uniform draw in (0, 1) from splitmix64 state *s (eng_graph_plan.c). */
double eng_rng_uniform(uint64_t *s);
/* Each channel c's mean and biased variance over its groups in one sample
 * x (see EngBnBatchParams) (eng_graph_forward.c). */
void eng_bn_group_stats(const float *x, const EngBnBatchParams *q, int c, double *mean,
                        double *var);
/* One sample transposed by q (back: dy scattered into dx) (eng_graph_forward.c). */
void eng_transpose_sample(float *out, const float *in, const EngTransposeParams *q, int back);

#endif
