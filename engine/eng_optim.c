/*
 * eng_optim.c — optimizers and learning-rate schedules.
 *
 * SGD with momentum (Polyak; the form of Sutskever et al. 2013 that PyTorch
 * uses: v = mu v + g, w -= lr v) and Adam (Kingma & Ba 2015, with bias
 * correction). Weight decay (an L2 penalty lambda/2 |w|^2, i.e. g += lambda w)
 * applies to conv and FC weights only: decaying biases and batch-norm scales
 * only hurts (Goyal et al. 2017).
 * Must not depend on: SDL or anything that draws.
 */
#include "eng.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static size_t learnable_floats(const EngGraph *g) {
    size_t n = 0;
    for (int i = 0; i < eng_graph_node_count(g); i++) {
        const EngNode *nd = eng_graph_node(g, i);
        for (int k = 0; k < nd->n_params; k++)
            if (nd->params[k].learnable) n += nd->params[k].n;
    }
    return n;
}

int eng_opt_init(EngOptimizer *o, const EngGraph *g, EngOptKind kind, float lr) {
    memset(o, 0, sizeof *o);
    o->kind = kind;
    o->lr = lr;
    o->momentum = 0.9f;
    o->beta1 = 0.9f;
    o->beta2 = 0.999f;
    o->eps = 1e-8f;
    o->n = learnable_floats(g);
    o->m = calloc(o->n ? o->n : 1, sizeof *o->m);
    o->v = kind == ENG_OPT_ADAM ? calloc(o->n ? o->n : 1, sizeof *o->v) : NULL;
    if (!o->m || (kind == ENG_OPT_ADAM && !o->v)) {
        eng_opt_free(o);
        eng_log(ENG_LOG_ERROR, "engine: out of memory for the optimizer state");
        return -1;
    }
    return 0;
}

void eng_opt_free(EngOptimizer *o) {
    free(o->m);
    free(o->v);
    memset(o, 0, sizeof *o);
}

int eng_opt_step(EngOptimizer *o, EngGraph *g) {
    if (learnable_floats(g) != o->n) return -1;
    o->step++;
    const float b1c = 1.0f - powf(o->beta1, (float)o->step);
    const float b2c = 1.0f - powf(o->beta2, (float)o->step);
    size_t off = 0;
    for (int i = 0; i < eng_graph_node_count(g); i++) {
        EngNode *nd = eng_graph_node_mut(g, i);
        const int decays = nd->op == ENG_OP_CONV || nd->op == ENG_OP_CONVT || nd->op == ENG_OP_FC ||
                           nd->op == ENG_OP_MATMUL;
        for (int k = 0; k < nd->n_params; k++) {
            EngParam *p = &nd->params[k];
            if (!p->learnable) continue;
            if (!p->grad) return -1;
            const float wd = (decays && p->kind == ENG_PARAM_WEIGHT) ? o->weight_decay : 0.0f;
            float *m = o->m + off, *v = o->v ? o->v + off : NULL;
            for (size_t j = 0; j < p->n; j++) {
                float gr = p->grad[j] + wd * p->data[j];
                if (o->kind == ENG_OPT_SGD) {
                    m[j] = o->momentum * m[j] + gr;
                    p->data[j] -= o->lr * m[j];
                } else {
                    m[j] = o->beta1 * m[j] + (1.0f - o->beta1) * gr;
                    v[j] = o->beta2 * v[j] + (1.0f - o->beta2) * gr * gr;
                    p->data[j] -= o->lr * (m[j] / b1c) / (sqrtf(v[j] / b2c) + o->eps);
                }
            }
            off += p->n;
        }
    }
    return 0;
}

float eng_lr_schedule(EngLrSchedule s, float base, int epoch, int epochs, int step_every,
                      float gamma) {
    if (epochs < 1) epochs = 1;
    switch (s) {
    case ENG_LR_STEP: /* divide by 1/gamma every step_every epochs (He et al.: /10) */
        return base * powf(gamma, (float)(step_every > 0 ? epoch / step_every : 0));
    case ENG_LR_COSINE: /* Loshchilov & Hutter 2017, without restarts */
        return base * 0.5f * (1.0f + cosf(3.14159265f * (float)epoch / (float)epochs));
    case ENG_LR_CONSTANT: break;
    }
    return base;
}
