/*
 * eng_graph_forward.c — the forward pass: each op's forward step (named in
 * eng_op_table) and the loop that runs every inference node in order, timing
 * each one. The steps call the kernels of eng_ops.c (or their naive twins in
 * eng_ref.c when the graph runs in reference mode); the few ops that only
 * move data are written out here.
 *
 * Must not depend on: SDL or anything that draws.
 */
#include "eng_graph_internal.h"

#include <math.h>
#include <string.h>
#include <time.h>

/* ---- convolutions and pooling --------------------------------------------- */

void eng_fwd_conv(const EngStep *st) {
    EngNode *n = st->n;
    const EngShape s = st->s, o = st->o;
    const float *b = n->p.conv.has_bias ? n->params[1].data : NULL;
    if (eng_graph_conv_winograd(st)) return;
    if (st->ref)
        eng_conv2d_forward_naive(n->act, st->x->act, st->w, b, st->N, s.C, s.H, s.W, &n->p.conv,
                                 o.H, o.W);
    else
        eng_conv2d_forward(n->act, st->x->act, st->w, b, st->N, s.C, s.H, s.W, &n->p.conv, o.H,
                           o.W, st->g->scratch);
}

void eng_fwd_convt(const EngStep *st) {
    EngNode *n = st->n;
    const EngShape s = st->s, o = st->o;
    const float *b = n->p.convt.has_bias ? n->params[1].data : NULL;
    if (st->ref)
        eng_convt2d_forward_naive(n->act, st->x->act, st->w, b, st->N, s.C, s.H, s.W,
                                  &n->p.convt, o.H, o.W);
    else
        eng_convt2d_forward(n->act, st->x->act, st->w, b, st->N, s.C, s.H, s.W, &n->p.convt, o.H,
                            o.W, st->g->scratch);
}

void eng_fwd_maxpool(const EngStep *st) {
    EngNode *n = st->n;
    const EngShape s = st->s;
    (st->ref ? eng_maxpool_forward_naive : eng_maxpool_forward)(
        n->act, n->argmax, st->x->act, st->N, s.C, s.H, s.W, &n->p.pool, st->o.H, st->o.W);
}

void eng_fwd_avgpool(const EngStep *st) {
    EngNode *n = st->n;
    const EngShape s = st->s;
    (st->ref ? eng_avgpool_forward_naive : eng_avgpool_forward)(
        n->act, st->x->act, st->N, s.C, s.H, s.W, &n->p.pool, st->o.H, st->o.W);
}

void eng_fwd_gavgpool(const EngStep *st) {
    const EngShape s = st->s;
    (st->ref ? eng_gavgpool_forward_naive : eng_gavgpool_forward)(st->n->act, st->x->act, st->N,
                                                                  s.C, s.H, s.W);
}

void eng_fwd_gmaxpool(const EngStep *st) {
    const EngShape s = st->s;
    (st->ref ? eng_gmaxpool_forward_naive : eng_gmaxpool_forward)(st->n->act, st->x->act, st->N,
                                                                  s.C, s.H, s.W);
}

/* The pool's switches (h * W + w in a plane), as ONNX numbers them: places in
 * the whole (N, C, H, W) input. */
void eng_fwd_maxpool_index(const EngStep *st) {
    EngNode *n = st->n;
    const EngNode *x = st->x;
    const EngShape o = st->o;
    const EngShape in = st->g->nodes[x->inputs[0]].out;
    const size_t plane = (size_t)in.H * in.W, per = (size_t)o.H * o.W;
    for (size_t nc = 0; nc < (size_t)st->N * o.C; nc++)
        for (size_t i = 0; i < per; i++) {
            const int32_t at = x->argmax[nc * per + i];
            const int32_t pl = n->p.pool_index.col_major ? (at % in.W) * in.H + at / in.W : at;
            n->act[nc * per + i] = (float)((double)(nc * plane) + pl);
        }
}

void eng_fwd_maxunpool(const EngStep *st) {
    const EngShape s = st->s, o = st->o;
    (st->ref ? eng_maxunpool_forward_naive : eng_maxunpool_forward)(
        st->n->act, st->x->act, st->w, st->N, (size_t)s.C * s.H * s.W, (size_t)o.C * o.H * o.W);
}

/* ---- normalisation ------------------------------------------------------------ */

void eng_fwd_lrn(const EngStep *st) {
    const EngShape s = st->s;
    (st->ref ? eng_lrn_forward_naive : eng_lrn_forward)(st->n->act, st->x->act, st->N, s.C, s.H,
                                                        s.W, &st->n->p.lrn);
}

void eng_fwd_bn(const EngStep *st) {
    EngNode *n = st->n;
    const EngShape s = st->s;
    if (st->g->training && n->aux) { /* batch statistics; the running ones move */
        eng_bn_forward_train(n->act, n->aux, st->x->act, n->params[0].data, n->params[1].data,
                             n->params[2].data, n->params[3].data, st->N, s.C, s.H, s.W,
                             n->p.bn.eps, 0.1f);
        return;
    }
    (st->ref ? eng_bn_forward_naive : eng_bn_forward)(n->act, st->x->act, n->params[0].data,
                                                      n->params[1].data, n->params[2].data,
                                                      n->params[3].data, st->N, s.C, s.H, s.W,
                                                      n->p.bn.eps);
}

void eng_fwd_layernorm(const EngStep *st) {
    EngNode *n = st->n;
    const EngLnParams *q = &n->p.ln;
    const int64_t size = (int64_t)st->s.C * st->s.H * st->s.W;
    const int outer = (int)(size / ((int64_t)q->len * q->inner));
    eng_layernorm_forward(n->act, st->x->act, st->w, n->params[1].data, st->N * outer, q->len,
                          q->inner, 1, q->eps);
}

/* gamma (C) is the same for every sample */
void eng_fwd_layerscale(const EngStep *st) {
    const EngShape o = st->o;
    const size_t size = (size_t)o.C * o.H * o.W;
    for (int b = 0; b < st->N; b++)
        eng_mul_channel_forward(st->n->act + (size_t)b * size, st->x->act + (size_t)b * size, st->w,
                                1, o.C, o.H * o.W);
}

void eng_bn_group_stats(const float *x, const EngBnBatchParams *q, int c, double *mean,
                        double *var) {
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

/* ENG_OP_BN_BATCH normalises each channel by its statistics in the sample;
 * ENG_OP_BN_STAT gives the running statistic those move to. */
void eng_fwd_bn_batch(const EngStep *st) {
    EngNode *n = st->n;
    const EngBnBatchParams *q = &n->p.bnb;
    const float *w = st->w, *xa = st->x->act;
    const size_t size = (size_t)st->s.C * st->s.H * st->s.W, hw = (size_t)q->hw;
    for (int b = 0; b < st->N; b++) {
        const float *xs = xa + (size_t)b * size;
        for (int c = 0; c < q->c; c++) {
            double mean, var;
            eng_bn_group_stats(xs, q, c, &mean, &var);
            if (n->op == ENG_OP_BN_STAT) {
                const double batch = q->stat ? var : mean;
                n->act[(size_t)b * q->c + c] = (float)(w[c] * q->momentum + batch * (1.0 - q->momentum));
                continue;
            }
            const float inv = (float)(1.0 / sqrt(var + q->eps)), gm = w[c], bt = n->params[1].data[c];
            for (int k = 0; k < q->n; k++) {
                const size_t off = (size_t)b * size + ((size_t)k * q->c + c) * hw;
                for (size_t i = 0; i < hw; i++)
                    n->act[off + i] = gm * ((xa[off + i] - (float)mean) * inv) + bt;
            }
        }
    }
}

/* ---- activations ------------------------------------------------------------- */

void eng_fwd_relu(const EngStep *st) { eng_relu_forward(st->n->act, st->x->act, st->count); }
void eng_fwd_leakyrelu(const EngStep *st) {
    eng_leakyrelu_forward(st->n->act, st->x->act, st->count, st->n->p.leaky.alpha);
}
void eng_fwd_clip(const EngStep *st) {
    eng_clip_forward(st->n->act, st->x->act, st->count, st->n->p.clip.lo, st->n->p.clip.hi);
}
void eng_fwd_sigmoid(const EngStep *st) { eng_sigmoid_forward(st->n->act, st->x->act, st->count); }
void eng_fwd_tanh(const EngStep *st) { eng_tanh_forward(st->n->act, st->x->act, st->count); }
void eng_fwd_hardsigmoid(const EngStep *st) {
    eng_hardsigmoid_forward(st->n->act, st->x->act, st->count, st->n->p.hsig.alpha,
                            st->n->p.hsig.beta);
}
void eng_fwd_hardswish(const EngStep *st) {
    eng_hardswish_forward(st->n->act, st->x->act, st->count);
}
void eng_fwd_mish(const EngStep *st) { eng_mish_forward(st->n->act, st->x->act, st->count); }

void eng_fwd_silu(const EngStep *st) { eng_silu_forward(st->n->act, st->x->act, st->count); }
void eng_fwd_gelu(const EngStep *st) { eng_gelu_forward(st->n->act, st->x->act, st->count); }

void eng_fwd_prelu(const EngStep *st) {
    EngNode *n = st->n;
    const EngShape s = st->s;
    if (n->p.prelu.slopes > s.C) /* one slope per unit: each unit is its own channel */
        eng_prelu_forward(n->act, st->x->act, st->w, n->p.prelu.slopes, st->N, n->p.prelu.slopes,
                          1, 1);
    else
        eng_prelu_forward(n->act, st->x->act, st->w, n->p.prelu.slopes, st->N, s.C, s.H, s.W);
}

/* A sample as (outer, len, inner): the kernels' (N', C, H*W) with N' = N * outer. */
static int softmax_outer(const EngStep *st) {
    const EngSoftmaxParams *q = &st->n->p.softmax;
    return (int)(((int64_t)st->s.C * st->s.H * st->s.W) / ((int64_t)q->len * q->inner));
}

void eng_fwd_softmax(const EngStep *st) {
    const EngSoftmaxParams *q = &st->n->p.softmax;
    (st->ref ? eng_softmax_forward_naive : eng_softmax_forward)(
        st->n->act, st->x->act, st->N * softmax_outer(st), q->len, q->inner, 1);
}

void eng_fwd_logsoftmax(const EngStep *st) {
    const EngSoftmaxParams *q = &st->n->p.softmax;
    eng_logsoftmax_forward(st->n->act, st->x->act, st->N * softmax_outer(st), q->len, q->inner, 1);
}

/* ---- fully connected and elementwise ------------------------------------------- */

void eng_fwd_fc(const EngStep *st) {
    EngNode *n = st->n;
    const float *b = n->p.fc.has_bias ? n->params[1].data : NULL;
    int K = st->s.C * st->s.H * st->s.W;
    (st->ref ? eng_fc_forward_naive : eng_fc_forward)(n->act, st->x->act, st->w, b, st->N, K,
                                                      st->o.C);
}

void eng_fwd_matmul(const EngStep *st) {
    EngNode *n = st->n;
    const float *b = n->p.matmul.has_bias ? n->params[1].data : NULL;
    (st->ref ? eng_matmul_forward_naive : eng_matmul_forward)(n->act, st->x->act, st->w, b, st->N,
                                                              &n->p.matmul);
}

void eng_fwd_affine(const EngStep *st) {
    EngNode *n = st->n;
    const EngAffineParams *q = &n->p.affine;
    eng_affine_forward(n->act, st->x->act, q->has_scale ? st->w : NULL,
                       q->has_shift ? n->params[q->has_scale].data : NULL, st->N,
                       (size_t)st->s.C * st->s.H * st->s.W);
}

void eng_fwd_add(const EngStep *st) {
    EngGraph *g = st->g;
    EngNode *n = st->n;
    for (int i = 0; i < n->n_inputs; i++) g->in_ptrs[i] = g->nodes[n->inputs[i]].act;
    eng_add_forward(n->act, g->in_ptrs, n->n_inputs, st->count);
}

/* x * s, s one value per channel (broadcast over H, W) or one per unit */
void eng_fwd_mul(const EngStep *st) {
    EngNode *n = st->n;
    const EngShape o = st->o;
    const EngNode *sc = &st->g->nodes[n->inputs[1]];
    if (sc->out.H == 1 && sc->out.W == 1 && (o.H != 1 || o.W != 1))
        eng_mul_channel_forward(n->act, st->x->act, sc->act, st->N, o.C, o.H * o.W);
    else
        eng_mul_forward(n->act, st->x->act, sc->act, st->count);
}

void eng_fwd_dropout(const EngStep *st) {
    EngNode *n = st->n;
    const float *xa = st->x->act;
    if (st->g->training && n->aux) {
        /* inverted dropout (Srivastava et al. 2014): keep with probability
         * 1-p and scale by 1/(1-p), so inference needs no rescaling */
        const float keep = 1.0f - n->p.dropout.ratio, scale = 1.0f / keep;
        for (size_t i = 0; i < st->count; i++) {
            float m = eng_rng_uniform(&st->g->rng) < keep ? scale : 0.0f;
            n->aux[i] = m;
            n->act[i] = xa[i] * m;
        }
        return;
    }
    memcpy(n->act, xa, st->count * sizeof(float)); /* identity at inference */
}

/* Stochastic depth: in training one draw per sample (the mask, 0 or 1, in
 * aux[b]); at inference the expected branch, x * keep. */
void eng_fwd_drop_path(const EngStep *st) {
    EngNode *n = st->n;
    const float keep = n->p.droppath.keep;
    const size_t size = st->count / (size_t)st->N;
    const float *xa = st->x->act;
    for (int b = 0; b < st->N; b++) {
        float m = keep;
        if (st->g->training && n->aux) {
            m = eng_rng_uniform(&st->g->rng) < keep ? 1.0f : 0.0f;
            n->aux[b] = m;
        }
        for (size_t i = 0; i < size; i++) n->act[b * size + i] = xa[b * size + i] * m;
    }
}

/* FractalNet's join: the mean of the inputs each sample keeps. In training
 * aux[b * n + i] is 1 when sample b keeps input i (at least one kept); at
 * inference every input counts. A global pass (g->join_pick) keeps the chosen
 * column's input alone, or every input when the join has none of it. */
void eng_fwd_join(const EngStep *st) {
    EngGraph *g = st->g;
    EngNode *n = st->n;
    const int k = n->n_inputs;
    const size_t size = st->count / (size_t)st->N;
    const int train = g->training && n->aux;
    const int column = g->join_pick > 0 && n->p.join.columns > 0 ? g->join_pick - 1 : -1;
    for (int b = 0; b < st->N; b++) {
        float *m = train ? n->aux + (size_t)b * k : NULL;
        int kept = k;
        if (m && column >= 0) {
            kept = 0;
            for (int i = 0; i < k; i++) {
                m[i] = n->p.join.col[i] == column ? 1.0f : 0.0f;
                kept += m[i] != 0.0f;
            }
            if (!kept) { /* off the chosen column's path */
                for (int i = 0; i < k; i++) m[i] = 1.0f;
                kept = k;
            }
        } else if (m) {
            kept = 0;
            for (int i = 0; i < k; i++) {
                m[i] = eng_rng_uniform(&g->rng) < n->p.join.drop ? 0.0f : 1.0f;
                kept += m[i] != 0.0f;
            }
            if (!kept) { /* keep one, chosen uniformly */
                int i = (int)(eng_rng_uniform(&g->rng) * k);
                m[i < k ? i : k - 1] = 1.0f;
                kept = 1;
            }
        }
        const float inv = 1.0f / (float)kept;
        float *o = n->act + (size_t)b * size;
        memset(o, 0, size * sizeof *o);
        for (int i = 0; i < k; i++) {
            if (m && m[i] == 0.0f) continue;
            const float *xi = g->nodes[n->inputs[i]].act + (size_t)b * size;
            for (size_t j = 0; j < size; j++) o[j] += xi[j];
        }
        for (size_t j = 0; j < size; j++) o[j] *= inv;
    }
}

/* ---- data movement ---------------------------------------------------------------- */

/* flatten, reshape: the same floats under another shape */
void eng_fwd_copy(const EngStep *st) {
    memcpy(st->n->act, st->x->act, st->count * sizeof(float));
}

void eng_fwd_const(const EngStep *st) { /* the same value in every sample */
    const EngShape o = st->o;
    const size_t size = (size_t)o.C * o.H * o.W;
    for (int b = 0; b < st->N; b++)
        memcpy(st->n->act + (size_t)b * size, st->w, size * sizeof(float));
}

void eng_fwd_pad(const EngStep *st) {
    const EngShape s = st->s;
    eng_pad_forward(st->n->act, st->x->act, st->N, s.C, s.H, s.W, &st->n->p.pad);
}

/* the plan sized the scratch for the taps (eng_scratch_resize) */
void eng_fwd_resize(const EngStep *st) {
    const EngShape s = st->s;
    ENG_ASSERT(st->g->scratch_floats >= eng_resize_scratch(&st->n->p.resize));
    eng_resize_forward(st->n->act, st->x->act, st->N, s.C, s.H, s.W, &st->n->p.resize,
                       st->g->scratch);
}

/* (N * outer, len_i, inner) blocks, one input after another */
void eng_fwd_concat(const EngStep *st) {
    EngGraph *g = st->g;
    EngNode *n = st->n;
    const EngConcatParams *q = &n->p.concat;
    for (int i = 0; i < n->n_inputs; i++) {
        const EngShape si = g->nodes[n->inputs[i]].out;
        g->in_ptrs[i] = g->nodes[n->inputs[i]].act;
        g->in_chans[i] = (int)(((int64_t)si.C * si.H * si.W) / ((int64_t)q->outer * q->inner));
    }
    eng_concat_forward(n->act, g->in_ptrs, g->in_chans, n->n_inputs, st->N * q->outer, q->inner);
}

/* Each output place's source in one sample (dx: scatter back): out (o0, o1,
 * o2, o3) over dims[perm[k]] reads in at sum o_k * stride[perm[k]]. */
void eng_transpose_sample(float *out, const float *in, const EngTransposeParams *q, int back) {
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

void eng_fwd_transpose(const EngStep *st) {
    const size_t size = (size_t)st->s.C * st->s.H * st->s.W;
    for (int b = 0; b < st->N; b++)
        eng_transpose_sample(st->n->act + (size_t)b * size, st->x->act + (size_t)b * size,
                             &st->n->p.transpose, 0);
}

void eng_fwd_slice(const EngStep *st) {
    const EngSliceParams *q = &st->n->p.slice;
    const size_t in = (size_t)q->inner;
    float *dst = st->n->act;
    for (size_t o = 0; o < (size_t)st->N * q->outer; o++)
        for (int k = 0; k < q->count; k++, dst += in)
            memcpy(dst, st->x->act + (o * q->len + q->start + (size_t)k * q->step) * in,
                   in * sizeof(float));
}

/* ---- the pass ---------------------------------------------------------------------- */

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void run_node(EngGraph *g, EngNode *n) {
    const EngOpInfo *op = &eng_op_table[n->op];
    if (!op->forward) return;
    EngStep st = {.g = g, .n = n, .N = g->batch, .o = n->out, .ref = g->reference};
    st.x = n->n_inputs ? &g->nodes[n->inputs[0]] : NULL;
    st.s = st.x ? st.x->out : st.o;
    st.count = (size_t)st.N * st.o.C * st.o.H * st.o.W;
    st.w = n->n_params > 0 ? n->params[0].data : NULL;
    op->forward(&st);
}

/* FractalNet's drop-path for this pass: global with the largest probability
 * a join gives, one column of those the joins name; nothing drawn (the RNG
 * untouched) when no join asks for global drop-path */
static void draw_join_pick(EngGraph *g) {
    float global = 0.0f;
    int columns = 0;
    g->join_pick = 0;
    if (!g->training) return;
    for (int i = 0; i < g->n_nodes; i++) {
        const EngNode *n = &g->nodes[i];
        if (n->op != ENG_OP_JOIN || n->p.join.columns < 1) continue;
        if (n->p.join.global > global) global = n->p.join.global;
        if (n->p.join.columns > columns) columns = n->p.join.columns;
    }
    if (global <= 0.0f || columns < 1) return;
    if (eng_rng_uniform(&g->rng) < global) {
        const int c = (int)(eng_rng_uniform(&g->rng) * columns);
        g->join_pick = 1 + (c < columns ? c : columns - 1);
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
    if (g->fast_plan && eng_fuse_prepare(g) != 0) return -1;
    if (g->training) g->param_version++; /* BN's running statistics move */
    draw_join_pick(g);
    (void)eng_get_threads(); /* starts the worker pool on first use */
    for (int i = 0; i < g->n_nodes; i++) {
        EngNode *n = &g->nodes[i];
        if (!eng_runs_at_inference(n)) continue;
        double t0 = now_ms();
        if (!g->fast_plan || !eng_fuse_run(g, i)) run_node(g, n);
        n->ms = now_ms() - t0;
    }
    return 0;
}
