/*
 * eng_cam.c — where a classifier looks: the scores of its classes as
 * probabilities, Grad-CAM (Selvaraju, Cogswell, Das, Vedantam, Parikh,
 * Batra 2017) and guided Grad-CAM, on the engine's backward pass.
 * Must not depend on: SDL or anything that draws.
 */
#include "eng_graph_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Ops that move a sample's values without changing them. */
static int is_view(EngOpType op) {
    return op == ENG_OP_FLATTEN || op == ENG_OP_RESHAPE || op == ENG_OP_DROPOUT;
}

int eng_graph_logits(const EngGraph *g, int *probs) {
    int id = eng_graph_output(g);
    const EngNode *n = eng_graph_node(g, id);
    int k = id;
    /* a softmax at the end, perhaps under a flatten or a reshape: the scores are its input */
    while (is_view(eng_graph_node(g, k)->op) && eng_graph_node(g, k)->n_inputs == 1)
        k = eng_graph_node(g, k)->inputs[0];
    const EngNode *s = eng_graph_node(g, k);
    if ((s->op == ENG_OP_SOFTMAX || s->op == ENG_OP_LOGSOFTMAX) && s->n_inputs == 1 &&
        (int64_t)s->out.C * s->out.H * s->out.W == (int64_t)n->out.C * n->out.H * n->out.W) {
        if (probs) *probs = s->op == ENG_OP_SOFTMAX ? 1 : 2;
        return s->inputs[0];
    }
    if (probs) *probs = 0;
    return id;
}

int eng_graph_class_probs(const EngGraph *g, float *p, int *K) {
    int kind;
    const int id = eng_graph_logits(g, &kind);
    const EngNode *L = eng_graph_node(g, id);
    if (!L->act) return -1;
    const int n = L->out.C * L->out.H * L->out.W;
    const float *z = L->act; /* the first image's scores */
    double m = -INFINITY, sum = 0.0;
    for (int k = 0; k < n; k++)
        if (z[k] > m) m = z[k];
    if (!isfinite(m)) return -1;
    for (int k = 0; k < n; k++) sum += exp((double)z[k] - m);
    for (int k = 0; k < n; k++) p[k] = (float)(exp((double)z[k] - m) / sum);
    *K = n;
    return 0;
}

/* The unit of the scores that is class k: (c, y, x) of node L's output. */
static void class_unit(const EngNode *L, int k, int *c, int *y, int *x) {
    const int hw = L->out.H * L->out.W;
    *c = k / hw, *y = (k % hw) / L->out.W, *x = k % L->out.W;
}

/* The layer, the class and the scores' node, checked; 0 or -1 with err. */
static int cam_check(const EngGraph *g, int layer, int cls, int *logits, char *err, size_t errlen) {
    if (!g || !g->act_block || !g->grad_block) {
        eng_set_err(err, errlen, "Grad-CAM needs a forward pass with gradients enabled");
        return -1;
    }
    *logits = eng_graph_logits(g, NULL);
    const EngNode *L = eng_graph_node(g, *logits);
    const int K = L->out.C * L->out.H * L->out.W;
    if (cls < 0 || cls >= K) {
        eng_set_err(err, errlen, "no class %d: the scores ('%s') have %d, 0..%d", cls, L->name, K,
                    K - 1);
        return -1;
    }
    if (layer < 0 || layer >= g->n_nodes || !eng_runs_at_inference(&g->nodes[layer])) {
        eng_set_err(err, errlen, "no layer %d at inference", layer);
        return -1;
    }
    if (layer > *logits) {
        eng_set_err(err, errlen, "layer '%s' comes after the class scores ('%s')",
                    g->nodes[layer].name, L->name);
        return -1;
    }
    return 0;
}

int eng_graph_gradcam(EngGraph *g, int layer, int cls, float *map, float *alpha, char *err,
                      size_t errlen) {
    int logits, c, y, x;
    if (cam_check(g, layer, cls, &logits, err, errlen) != 0) return -1;
    class_unit(&g->nodes[logits], cls, &c, &y, &x);
    if (eng_graph_backward_from(g, logits, c, y, x, ENG_RULE_BACKPROP) != 0) {
        eng_set_err(err, errlen, "the gradient of class %d cannot go back to '%s'", cls,
                    g->nodes[layer].name);
        return -1;
    }
    const EngNode *A = &g->nodes[layer];
    const int C = A->out.C;
    const size_t hw = (size_t)A->out.H * A->out.W;
    double *acc = calloc(hw, sizeof *acc);
    if (!acc) {
        eng_set_err(err, errlen, "no memory for a %zu-unit map", hw);
        return -1;
    }
    for (int k = 0; k < C; k++) { /* first image: (C, H, W) */
        const float *a = A->act + (size_t)k * hw, *d = A->grad + (size_t)k * hw;
        double s = 0.0;
        for (size_t i = 0; i < hw; i++) s += d[i];
        const double ak = s / (double)hw; /* alpha_k: the mean gradient over the plane */
        if (alpha) alpha[k] = (float)ak;
        for (size_t i = 0; i < hw; i++) acc[i] += ak * a[i];
    }
    for (size_t i = 0; i < hw; i++) map[i] = acc[i] > 0.0 ? (float)acc[i] : 0.0f;
    free(acc);
    return 0;
}

void eng_cam_upsample(const float *m, int h, int w, float *out, int H, int W) {
    /* bilinear, pixel centres aligned (PyTorch's align_corners=False) */
    const EngResizeParams p = {.mode = ENG_RESIZE_LINEAR, .coord = ENG_RESIZE_HALF_PIXEL,
                               .oh = H, .ow = W, .sh = (double)H / h, .sw = (double)W / w};
    for (int oy = 0; oy < H; oy++) {
        const EngResizeTap ty = eng_resize_tap(&p, oy, h, H, p.sh);
        for (int ox = 0; ox < W; ox++) {
            const EngResizeTap tx = eng_resize_tap(&p, ox, w, W, p.sw);
            const float *r0 = m + (size_t)ty.i0 * w, *r1 = m + (size_t)ty.i1 * w;
            out[(size_t)oy * W + ox] = ty.w0 * (tx.w0 * r0[tx.i0] + tx.w1 * r0[tx.i1]) +
                                       ty.w1 * (tx.w0 * r1[tx.i0] + tx.w1 * r1[tx.i1]);
        }
    }
}

int eng_graph_guided_gradcam(EngGraph *g, int cls, const float *map, int h, int w, float *out,
                             char *err, size_t errlen) {
    int logits, c, y, x;
    if (cam_check(g, 0, cls, &logits, err, errlen) != 0) return -1;
    class_unit(&g->nodes[logits], cls, &c, &y, &x);
    if (eng_graph_backward_from(g, logits, c, y, x, ENG_RULE_GUIDED) != 0) {
        eng_set_err(err, errlen, "guided backprop of class %d cannot reach the input", cls);
        return -1;
    }
    const EngNode *in = &g->nodes[0];
    const int C = in->out.C, H = in->out.H, W = in->out.W;
    float *up = malloc((size_t)H * W * sizeof *up);
    if (!up) {
        eng_set_err(err, errlen, "no memory for a %dx%d map", H, W);
        return -1;
    }
    eng_cam_upsample(map, h, w, up, H, W);
    for (int k = 0; k < C; k++)
        for (size_t i = 0; i < (size_t)H * W; i++)
            out[(size_t)k * H * W + i] = in->grad[(size_t)k * H * W + i] * up[i];
    free(up);
    return 0;
}
