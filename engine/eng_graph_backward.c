/*
 * eng_graph_backward.c — the backward pass: each op's backward step (named
 * in eng_op_table), the loop that runs them from the output down, the
 * deconvnet / guided-backprop projections that reuse it, and the softmax
 * cross-entropy loss that starts it. Every step adds into gradients
 * (eng_graph_zero_grads clears them).
 *
 * Must not depend on: SDL or anything that draws.
 */
#include "eng_graph_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- convolutions and pooling --------------------------------------------- */

int eng_bwd_conv(const EngStep *st) {
    const EngNode *n = st->n;
    const EngShape s = st->s, o = st->o;
    eng_conv2d_backward(st->dx, st->gw, n->p.conv.has_bias ? st->gb : NULL, st->dy, st->x->act,
                        st->pw->data, st->N, s.C, s.H, s.W, &n->p.conv, o.H, o.W, st->g->scratch);
    return 0;
}

int eng_bwd_convt(const EngStep *st) {
    eng_log(ENG_LOG_ERROR, "engine: node '%s': backward of a transposed convolution is not "
                           "implemented", st->n->name);
    return -1;
}

int eng_bwd_maxpool(const EngStep *st) {
    const EngShape s = st->s;
    eng_maxpool_backward(st->dx, st->dy, st->n->argmax, st->N, s.C, s.H, s.W, st->o.H, st->o.W);
    return 0;
}

int eng_bwd_avgpool(const EngStep *st) {
    const EngShape s = st->s;
    eng_avgpool_backward(st->dx, st->dy, st->N, s.C, s.H, s.W, &st->n->p.pool, st->o.H, st->o.W);
    return 0;
}

int eng_bwd_gavgpool(const EngStep *st) {
    eng_gavgpool_backward(st->dx, st->dy, st->N, st->s.C, st->s.H, st->s.W);
    return 0;
}

int eng_bwd_gmaxpool(const EngStep *st) {
    eng_gmaxpool_backward(st->dx, st->dy, st->x->act, st->N, st->s.C, st->s.H, st->s.W);
    return 0;
}

int eng_bwd_maxunpool(const EngStep *st) {
    const EngShape s = st->s, o = st->o;
    eng_maxunpool_backward(st->dx, st->dy, st->pw->data, st->N, (size_t)s.C * s.H * s.W,
                           (size_t)o.C * o.H * o.W);
    return 0;
}

/* ---- normalisation ------------------------------------------------------------ */

int eng_bwd_lrn(const EngStep *st) {
    const EngShape s = st->s;
    /* the plan sized the scratch for this (eng_scratch_lrn) */
    ENG_ASSERT(st->g->scratch_floats >= eng_lrn_backward_scratch(s.C));
    eng_lrn_backward(st->dx, st->dy, st->x->act, st->N, s.C, s.H, s.W, &st->n->p.lrn,
                     st->g->scratch);
    return 0;
}

int eng_bwd_bn(const EngStep *st) {
    const EngNode *n = st->n;
    const EngShape s = st->s;
    if (st->g->training && n->aux)
        eng_bn_backward_train(st->dx, st->pw->grad, st->pb->grad, st->dy, st->x->act,
                              st->pw->data, n->aux, st->N, s.C, s.H, s.W);
    else
        eng_bn_backward_eval(st->dx, st->gw, st->gb, st->dy, st->x->act, st->pw->data,
                             n->params[2].data, n->params[3].data, st->N, s.C, s.H, s.W,
                             n->p.bn.eps);
    return 0;
}

int eng_bwd_layernorm(const EngStep *st) {
    const EngLnParams *q = &st->n->p.ln;
    const int64_t size = (int64_t)st->s.C * st->s.H * st->s.W;
    const int outer = (int)(size / ((int64_t)q->len * q->inner));
    eng_layernorm_backward(st->dx, st->gw, st->gb, st->dy, st->x->act, st->pw->data, st->N * outer,
                           q->len, q->inner, 1, q->eps);
    return 0;
}

/* y = x * gamma[c]: dx = dy * gamma[c], dgamma[c] = sum of dy * x over N, H, W */
int eng_bwd_layerscale(const EngStep *st) {
    const EngShape o = st->o;
    const size_t HW = (size_t)o.H * o.W;
    const float *gamma = st->pw->data, *xa = st->x->act;
    for (size_t nc = 0; nc < (size_t)st->N * o.C; nc++) {
        const int c = (int)(nc % (size_t)o.C);
        double acc = 0.0;
        for (size_t i = 0; i < HW; i++) {
            if (st->dx) st->dx[nc * HW + i] += st->dy[nc * HW + i] * gamma[c];
            acc += (double)st->dy[nc * HW + i] * xa[nc * HW + i];
        }
        if (st->gw) st->gw[c] += (float)acc;
    }
    return 0;
}

/* BN_STAT: d mean / dx = (1 - momentum) / M, d var / dx = (1 - momentum) 2 (x - mean) / M */
static void bn_stat_back(const EngStep *st, int b, int c, double mean) {
    const EngBnBatchParams *q = &st->n->p.bnb;
    const size_t size = (size_t)st->s.C * st->s.H * st->s.W, hw = (size_t)q->hw;
    const size_t m = (size_t)q->n * hw;
    const float *xa = st->x->act;
    float *dx = st->dx;
    const double gy = st->dy[(size_t)b * q->c + c] * (1.0 - q->momentum) / (double)m;
    for (int k = 0; dx && k < q->n; k++) {
        const size_t off = (size_t)b * size + ((size_t)k * q->c + c) * hw;
        for (size_t i = 0; i < hw; i++)
            dx[off + i] += (float)(q->stat ? gy * 2.0 * (xa[off + i] - mean) : gy);
    }
}

/* BN_BATCH, xhat = (x - mean) * inv over M values of a channel:
 *   dx = gamma * inv / M * (M dy - sum(dy) - xhat * sum(dy * xhat)) */
static void bn_batch_back(const EngStep *st, int b, int c, double mean, double inv) {
    const EngBnBatchParams *q = &st->n->p.bnb;
    const size_t size = (size_t)st->s.C * st->s.H * st->s.W, hw = (size_t)q->hw;
    const size_t m = (size_t)q->n * hw;
    const float *xa = st->x->act, *dy = st->dy;
    float *dx = st->dx;
    double sdy = 0.0, sdyx = 0.0;
    for (int k = 0; k < q->n; k++) {
        const size_t off = (size_t)b * size + ((size_t)k * q->c + c) * hw;
        for (size_t i = 0; i < hw; i++) {
            sdy += dy[off + i];
            sdyx += dy[off + i] * (xa[off + i] - mean) * inv;
        }
    }
    if (st->gw) st->gw[c] += (float)sdyx;
    if (st->gb) st->gb[c] += (float)sdy;
    const double kk = st->pw->data[c] * inv / (double)m;
    for (int k = 0; dx && k < q->n; k++) {
        const size_t off = (size_t)b * size + ((size_t)k * q->c + c) * hw;
        for (size_t i = 0; i < hw; i++) {
            const double xhat = (xa[off + i] - mean) * inv;
            dx[off + i] += (float)(kk * ((double)m * dy[off + i] - sdy - xhat * sdyx));
        }
    }
}

int eng_bwd_bn_batch(const EngStep *st) {
    const EngBnBatchParams *q = &st->n->p.bnb;
    const size_t size = (size_t)st->s.C * st->s.H * st->s.W;
    for (int b = 0; b < st->N; b++) {
        const float *xs = st->x->act + (size_t)b * size;
        for (int c = 0; c < q->c; c++) {
            double mean, var;
            eng_bn_group_stats(xs, q, c, &mean, &var);
            const double inv = 1.0 / sqrt(var + q->eps);
            if (st->n->op == ENG_OP_BN_STAT)
                bn_stat_back(st, b, c, mean);
            else
                bn_batch_back(st, b, c, mean, inv);
        }
    }
    return 0;
}

/* ---- activations ------------------------------------------------------------- */

/* ReLU, leaky ReLU, clip, sigmoid, tanh, hard sigmoid, hard swish, SiLU, GELU: one kernel
 * that takes the op and its two settings */
int eng_bwd_act(const EngStep *st) {
    const EngNode *n = st->n;
    float a = 0, b = 0;
    if (n->op == ENG_OP_LEAKYRELU) a = n->p.leaky.alpha;
    if (n->op == ENG_OP_CLIP) a = n->p.clip.lo, b = n->p.clip.hi;
    if (n->op == ENG_OP_HARDSIGMOID) a = n->p.hsig.alpha, b = n->p.hsig.beta;
    eng_act_backward(n->op, st->dx, st->dy, st->x->act, n->act, st->count, a, b);
    return 0;
}

int eng_bwd_prelu(const EngStep *st) {
    const EngNode *n = st->n;
    const EngShape s = st->s;
    if (n->p.prelu.slopes > s.C)
        eng_prelu_backward(st->dx, st->gw, st->dy, st->x->act, st->pw->data, n->p.prelu.slopes,
                           st->N, n->p.prelu.slopes, 1, 1);
    else
        eng_prelu_backward(st->dx, st->gw, st->dy, st->x->act, st->pw->data, n->p.prelu.slopes,
                           st->N, s.C, s.H, s.W);
    return 0;
}

static int softmax_outer(const EngStep *st) {
    const EngSoftmaxParams *q = &st->n->p.softmax;
    return (int)(((int64_t)st->s.C * st->s.H * st->s.W) / ((int64_t)q->len * q->inner));
}

int eng_bwd_softmax(const EngStep *st) {
    const EngSoftmaxParams *q = &st->n->p.softmax;
    eng_softmax_backward(st->dx, st->dy, st->n->act, st->N * softmax_outer(st), q->len, q->inner,
                         1);
    return 0;
}

int eng_bwd_logsoftmax(const EngStep *st) {
    const EngSoftmaxParams *q = &st->n->p.softmax;
    eng_logsoftmax_backward(st->dx, st->dy, st->n->act, st->N * softmax_outer(st), q->len,
                            q->inner, 1);
    return 0;
}

/* ---- fully connected and elementwise ------------------------------------------- */

int eng_bwd_fc(const EngStep *st) {
    const EngNode *n = st->n;
    eng_fc_backward(st->dx, st->gw, n->p.fc.has_bias ? st->gb : NULL, st->dy, st->x->act,
                    st->pw->data, st->N, st->s.C * st->s.H * st->s.W, st->o.C);
    return 0;
}

int eng_bwd_matmul(const EngStep *st) {
    const EngNode *n = st->n;
    eng_matmul_backward(st->dx, st->gw, n->p.matmul.has_bias ? st->gb : NULL, st->dy, st->x->act,
                        st->pw->data, st->N, &n->p.matmul);
    return 0;
}

int eng_bwd_affine(const EngStep *st) {
    const EngNode *n = st->n;
    const EngAffineParams *q = &n->p.affine;
    float *gscale = q->has_scale ? st->gw : NULL;
    float *gshift = q->has_shift && !st->g->projecting ? n->params[q->has_scale].grad : NULL;
    eng_affine_backward(st->dx, gscale, gshift, st->dy, st->x->act,
                        q->has_scale ? st->pw->data : NULL, st->N,
                        (size_t)st->s.C * st->s.H * st->s.W);
    return 0;
}

int eng_bwd_add(const EngStep *st) {
    const EngNode *n = st->n;
    for (int k = 0; k < n->n_inputs; k++) {
        float *d = st->g->nodes[n->inputs[k]].grad;
        for (size_t i = 0; i < st->count; i++) d[i] += st->dy[i];
    }
    return 0;
}

int eng_bwd_mul(const EngStep *st) {
    const EngShape o = st->o;
    EngNode *sc = &st->g->nodes[st->n->inputs[1]];
    const float *dy = st->dy, *xa = st->x->act;
    float *dx = st->dx;
    if (sc->out.H == 1 && sc->out.W == 1 && (o.H != 1 || o.W != 1)) {
        const size_t HW = (size_t)o.H * o.W;
        for (size_t nc = 0; nc < (size_t)st->N * o.C; nc++) {
            float acc = 0.0f;
            for (size_t i = 0; i < HW; i++) {
                dx[nc * HW + i] += dy[nc * HW + i] * sc->act[nc];
                acc += dy[nc * HW + i] * xa[nc * HW + i];
            }
            sc->grad[nc] += acc;
        }
    } else {
        for (size_t i = 0; i < st->count; i++) {
            dx[i] += dy[i] * sc->act[i];
            sc->grad[i] += dy[i] * xa[i];
        }
    }
    return 0;
}

int eng_bwd_dropout(const EngStep *st) {
    const EngNode *n = st->n;
    if (st->g->training && n->aux) {
        for (size_t i = 0; i < st->count; i++) st->dx[i] += st->dy[i] * n->aux[i];
        return 0;
    }
    for (size_t i = 0; i < st->count; i++) st->dx[i] += st->dy[i];
    return 0;
}

/* the mask the forward pass drew (training), or keep (inference) */
int eng_bwd_drop_path(const EngStep *st) {
    const EngNode *n = st->n;
    const size_t size = st->count / (size_t)st->N;
    for (int b = 0; b < st->N; b++) {
        const float m = (st->g->training && n->aux) ? n->aux[b] : n->p.droppath.keep;
        for (size_t i = 0; i < size; i++) st->dx[b * size + i] += st->dy[b * size + i] * m;
    }
    return 0;
}

/* each kept input gets dy / (inputs kept), by the forward pass's mask */
int eng_bwd_join(const EngStep *st) {
    const EngNode *n = st->n;
    const int k = n->n_inputs;
    const size_t size = st->count / (size_t)st->N;
    const int train = st->g->training && n->aux;
    for (int b = 0; b < st->N; b++) {
        const float *m = train ? n->aux + (size_t)b * k : NULL;
        int kept = k;
        if (m) {
            kept = 0;
            for (int i = 0; i < k; i++) kept += m[i] != 0.0f;
        }
        const float inv = 1.0f / (float)kept;
        const float *dy = st->dy + (size_t)b * size;
        for (int i = 0; i < k; i++) {
            if (m && m[i] == 0.0f) continue;
            float *dx = st->g->nodes[n->inputs[i]].grad + (size_t)b * size;
            for (size_t j = 0; j < size; j++) dx[j] += dy[j] * inv;
        }
    }
    return 0;
}

/* ---- data movement ---------------------------------------------------------------- */

/* flatten, reshape: the gradient passes unchanged */
int eng_bwd_copy(const EngStep *st) {
    for (size_t i = 0; i < st->count; i++) st->dx[i] += st->dy[i];
    return 0;
}

/* each (outer) block of the output is the inputs' blocks in turn */
int eng_bwd_concat(const EngStep *st) {
    const EngNode *n = st->n;
    const EngConcatParams *q = &n->p.concat;
    const int blocks = st->N * q->outer;
    const float *src = st->dy;
    for (int b = 0; b < blocks; b++) {
        for (int k = 0; k < n->n_inputs; k++) {
            EngNode *in = &st->g->nodes[n->inputs[k]];
            const size_t len = ((size_t)in->out.C * in->out.H * in->out.W) / (size_t)q->outer;
            float *d = in->grad + (size_t)b * len;
            for (size_t i = 0; i < len; i++) d[i] += src[i];
            src += len;
        }
    }
    return 0;
}

int eng_bwd_transpose(const EngStep *st) {
    const size_t size = (size_t)st->s.C * st->s.H * st->s.W;
    for (int b = 0; b < st->N; b++)
        eng_transpose_sample(st->dx + (size_t)b * size, st->dy + (size_t)b * size,
                             &st->n->p.transpose, 1);
    return 0;
}

int eng_bwd_slice(const EngStep *st) {
    const EngSliceParams *q = &st->n->p.slice;
    const size_t in = (size_t)q->inner;
    const float *src = st->dy;
    for (size_t o = 0; o < (size_t)st->N * q->outer; o++)
        for (int k = 0; k < q->count; k++, src += in) {
            float *d = st->dx + (o * q->len + q->start + (size_t)k * q->step) * in;
            for (size_t i = 0; i < in; i++) d[i] += src[i];
        }
    return 0;
}

int eng_bwd_resize(const EngStep *st) {
    const EngShape s = st->s;
    ENG_ASSERT(st->g->scratch_floats >= eng_resize_scratch(&st->n->p.resize));
    eng_resize_backward(st->dx, st->dy, st->N, s.C, s.H, s.W, &st->n->p.resize, st->g->scratch);
    return 0;
}

int eng_bwd_pad(const EngStep *st) {
    const EngPadParams *q = &st->n->p.pad;
    const EngShape s = st->s, o = st->o;
    if (q->mode != ENG_PAD_CONSTANT) { /* each output's gradient to the unit it copied */
        for (size_t nc = 0; nc < (size_t)st->N * s.C; nc++)
            for (int h = 0; h < o.H; h++) {
                float *dxr = st->dx + (nc * s.H + (size_t)eng_pad_source(h, q->pt, s.H, q->mode)) * s.W;
                const float *dyr = st->dy + (nc * o.H + h) * o.W;
                for (int w = 0; w < o.W; w++) dxr[eng_pad_source(w, q->pl, s.W, q->mode)] += dyr[w];
            }
        return 0;
    }
    for (size_t nc = 0; nc < (size_t)st->N * s.C; nc++) {
        const size_t oc = nc / s.C * o.C + q->cb + nc % s.C; /* its channel in dy */
        for (int h = 0; h < s.H; h++)
            for (int w = 0; w < s.W; w++)
                st->dx[(nc * s.H + h) * s.W + w] +=
                    st->dy[(oc * o.H + h + q->pt) * o.W + w + q->pl];
    }
    return 0;
}

/* ---- the pass ---------------------------------------------------------------------- */

/* A projection's own rules (Zeiler and Fergus 2014; Springenberg et al.
 * 2015): 1 when the node was handled here instead of by its backward. */
static int project_step(const EngStep *st) {
    const EngGraph *g = st->g;
    const EngNode *n = st->n;
    if (g->rule != ENG_RULE_BACKPROP &&
        (n->op == ENG_OP_RELU || n->op == ENG_OP_LEAKYRELU || n->op == ENG_OP_CLIP)) {
        /* deconvnet: rectify the signal going down, whatever the forward mask;
         * guided backprop: rectify it and apply the forward mask as well */
        const int guided = g->rule == ENG_RULE_GUIDED;
        for (size_t i = 0; i < st->count; i++) {
            float v = st->dy[i] > 0.0f ? st->dy[i] : 0.0f;
            if (guided) {
                float xv = st->x->act[i];
                if (n->op == ENG_OP_RELU) v = xv > 0.0f ? v : 0.0f;
                else if (n->op == ENG_OP_LEAKYRELU) v = xv >= 0.0f ? v : n->p.leaky.alpha * v;
                else v = (xv > n->p.clip.lo && xv < n->p.clip.hi) ? v : 0.0f;
            }
            st->dx[i] += v;
        }
        return 1;
    }
    if (g->rule == ENG_RULE_DECONV && n->op == ENG_OP_LRN) {
        for (size_t i = 0; i < st->count; i++)
            st->dx[i] += st->dy[i]; /* passed through, as the paper does */
        return 1;
    }
    return 0;
}

/* Add node n's output gradient into its inputs' gradients and its parameters'. */
static int back_node(EngGraph *g, EngNode *n) {
    const EngOpInfo *op = &eng_op_table[n->op];
    EngStep st = {.g = g, .n = n, .N = g->batch, .o = n->out};
    st.x = n->n_inputs ? &g->nodes[n->inputs[0]] : NULL;
    st.s = st.x ? st.x->out : st.o;
    st.count = (size_t)st.N * st.o.C * st.o.H * st.o.W;
    st.dy = n->grad;
    st.dx = st.x ? st.x->grad : NULL;
    st.pw = n->n_params > 0 ? &n->params[0] : NULL;
    st.pb = n->n_params > 1 ? &n->params[1] : NULL;
    /* a projection needs only the signal, not the parameters' gradients */
    st.gw = st.pw && !g->projecting ? st.pw->grad : NULL;
    st.gb = st.pb && !g->projecting ? st.pb->grad : NULL;
    if (g->projecting && project_step(&st)) return 0;
    return op->backward ? op->backward(&st) : 0;
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
        if (!eng_runs_at_inference(n)) continue;
        if (back_node(g, n) != 0) return -1;
    }
    return 0;
}

/* Node `from`'s grad, as written, down to the input by `rule`: the nodes
 * from `from` back to the first, no parameter gradients. */
static int send_down(EngGraph *g, int from, EngProjRule rule) {
    g->projecting = 1;
    g->rule = rule;
    int rc = 0;
    for (int i = from; i >= 0 && rc == 0; i--) {
        EngNode *n = &g->nodes[i];
        if (eng_runs_at_inference(n)) rc = back_node(g, n);
    }
    g->projecting = 0;
    return rc;
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
    if (!eng_runs_at_inference(L) || channel >= o.C || y >= o.H || x >= o.W ||
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
    return send_down(g, layer, rule);
}

int eng_graph_backward_from(EngGraph *g, int from, int c, int y, int x, EngProjRule rule) {
    if (!g || g->failed || !g->act_block || from < 0 || from >= g->n_nodes) return -1;
    if (!g->grad_block || eng_graph_grad_params_ready(g) != 0) {
        eng_log(ENG_LOG_ERROR, "engine: backward pass without gradients (call "
                               "eng_graph_enable_grads before planning)");
        return -1;
    }
    EngNode *n = &g->nodes[from];
    const EngShape o = n->out;
    if (!eng_runs_at_inference(n) || c < 0 || c >= o.C || y < 0 || y >= o.H || x < 0 || x >= o.W) {
        eng_log(ENG_LOG_ERROR, "engine: no unit (%d, %d, %d) in node '%s' (%d x %d x %d)", c, y, x,
                n->name, o.C, o.H, o.W);
        return -1;
    }
    if (g->training) {
        eng_log(ENG_LOG_ERROR, "engine: gradients of one unit run in inference mode");
        return -1;
    }
    eng_graph_zero_grads(g);
    n->grad[((size_t)c * o.H + y) * o.W + x] = 1.0f; /* d unit / d unit, first image */
    return send_down(g, from, rule);
}

int eng_graph_backward_seed(EngGraph *g, int from, const float *seed, EngProjRule rule) {
    if (!g || g->failed || !g->act_block || !seed || from < 0 || from >= g->n_nodes) return -1;
    if (!g->grad_block || eng_graph_grad_params_ready(g) != 0) {
        eng_log(ENG_LOG_ERROR, "engine: backward pass without gradients (call "
                               "eng_graph_enable_grads before planning)");
        return -1;
    }
    EngNode *n = &g->nodes[from];
    if (!eng_runs_at_inference(n) || g->training) {
        eng_log(ENG_LOG_ERROR, "engine: no gradient can start at node '%s' (not run at inference, "
                               "or training mode)", n->name);
        return -1;
    }
    eng_graph_zero_grads(g);
    /* first image: (C, H, W) of the node's output */
    memcpy(n->grad, seed, (size_t)n->out.C * n->out.H * n->out.W * sizeof(float));
    return send_down(g, from, rule);
}

int eng_graph_proj_rules_differ(const EngGraph *g, int layer) {
    if (!g || layer < 0 || layer >= g->n_nodes) return -1;
    unsigned char *on = calloc((size_t)layer + 1, 1); /* on a path down from the layer */
    if (!on) return -1;
    int first = -1;
    on[layer] = 1;
    for (int i = layer; i >= 0; i--) {
        const EngNode *n = &g->nodes[i];
        if (!on[i] || !eng_runs_at_inference(n)) continue;
        for (int k = 0; k < n->n_inputs; k++)
            if (n->inputs[k] >= 0 && n->inputs[k] <= layer) on[n->inputs[k]] = 1;
        const int apart = n->op == ENG_OP_LEAKYRELU || n->op == ENG_OP_CLIP || n->op == ENG_OP_LRN ||
                          (n->op == ENG_OP_RELU && i != layer);
        if (apart) first = i; /* the lowest, as the loop goes down */
    }
    free(on);
    return first;
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
        const int y = labels[n];
        int best;
        loss += eng_softmax_ce(o->act + (size_t)n * K, K, y, 1.0f / N, o->grad + (size_t)n * K,
                               &best);
        hits += best == y;
    }
    if (correct) *correct = hits;
    return loss / N;
}
