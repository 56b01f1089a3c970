/*
 * exp_look_runs.c — the experiments of Zeiler and Fergus (2014) that look
 * inside a network: invariance of the features to shifts, rotations and
 * scalings (Fig. 5, with the shipped ZFNet-mini weights), and which layers
 * settle first while it trains (sec. 4.2, Fig. 4).
 * Must not depend on: SDL.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "experiments.h"

/* ---- 4. invariance ---------------------------------------------------------------- */

enum { T_SHIFT, T_ROTATE, T_SCALE, T_COUNT };

/* src (28x28) moved down by `shift` pixels, rotated by `deg` degrees and scaled
 * by `scale` about its centre, bilinear, zeros (Fashion-MNIST's black) outside. */
static void transform(float *dst, const float *src, int H, int W, double shift, double deg, double scale) {
    const double cy = (H - 1) / 2.0, cx = (W - 1) / 2.0, a = deg * 3.14159265358979323846 / 180.0;
    const double ca = cos(a), sa = sin(a);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            double v = y - cy - shift, u = x - cx; /* undo the move, the turn, the scale */
            double sx = (ca * u + sa * v) / scale + cx, sy = (-sa * u + ca * v) / scale + cy;
            int x0 = (int)floor(sx), y0 = (int)floor(sy);
            double fx = sx - x0, fy = sy - y0, acc = 0;
            for (int k = 0; k < 4; k++) {
                int xx = x0 + (k & 1), yy = y0 + (k >> 1);
                if (xx < 0 || yy < 0 || xx >= W || yy >= H) continue;
                acc += src[yy * W + xx] * ((k & 1) ? fx : 1 - fx) * ((k >> 1) ? fy : 1 - fy);
            }
            dst[y * W + x] = (float)acc;
        }
}

static const struct {
    const char *name, *axis;
    double from, to, step;
} tf[T_COUNT] = {
    {"shift", "vertical shift (pixels)", -8, 8, 1},
    {"rotate", "rotation (degrees)", 0, 360, 15},
    {"scale", "scale (times)", 0.6, 1.6, 0.05},
};

static int tf_count(int t) { return (int)lround((tf[t].to - tf[t].from) / tf[t].step) + 1; }

/* |a - b| / |b| over n values. */
static double rel_dist(const float *a, const float *b, size_t n) {
    double d = 0, nb = 0;
    for (size_t i = 0; i < n; i++) d += ((double)a[i] - b[i]) * ((double)a[i] - b[i]), nb += (double)b[i] * b[i];
    return nb > 0 ? sqrt(d / nb) : 0;
}

/* Transform t's amounts on test image i: slot 0 the image itself, slot 1 + j
 * amount j; sums of the distances at both layers and of P(true class). */
static int invariance_image(EngGraph *g, const EngDataset *d, int i, int t, const int ids[2], double *sum) {
    const int A = tf_count(t), HW = d->h * d->w;
    float *x = eng_graph_input_buffer(g, 0);
    memcpy(x, d->images + (size_t)i * HW, HW * sizeof *x);
    for (int j = 0; j < A; j++) {
        double v = tf[t].from + j * tf[t].step;
        transform(x + (size_t)(j + 1) * HW, d->images + (size_t)i * HW, d->h, d->w, t == T_SHIFT ? v : 0,
                  t == T_ROTATE ? v : 0, t == T_SCALE ? v : 1);
    }
    if (eng_graph_forward(g) != 0) return -1;
    for (int L = 0; L < 2; L++) {
        const EngNode *n = eng_graph_node(g, ids[L]);
        const size_t S = (size_t)n->out.C * n->out.H * n->out.W;
        for (int j = 0; j < A; j++) sum[L * A + j] += rel_dist(n->act + (j + 1) * S, n->act, S);
    }
    const EngNode *o = eng_graph_node(g, eng_graph_output(g));
    const int K = o->out.C * o->out.H * o->out.W;
    for (int j = 0; j < A; j++) {
        const float *z = o->act + (size_t)(j + 1) * K;
        double m = z[0], s = 0;
        for (int k = 1; k < K; k++) m = fmax(m, z[k]);
        for (int k = 0; k < K; k++) s += exp(z[k] - m); /* the max subtracted: no overflow */
        sum[2 * A + j] += exp(z[d->labels[i]] - m) / s;
    }
    return 0;
}

/* The shipped ZFNet-mini trained on Fashion-MNIST, planned at batch N. */
static EngGraph *zf_trained(int N) {
    const ModelCard *card = model_find("zfnet_mini");
    char path[4096], err[512] = "cannot plan it";
    EngGraph *g = card ? model_build(card, 1, 28, 28) : NULL;
    const char *w = card ? model_weights_for(card, "fashion", path, sizeof path) : NULL;
    if (!g || !w || app_load_weights(g, w, "fashion", "experiment", err, sizeof err) != 0 ||
        eng_graph_plan(g, N) != 0) {
        fprintf(stderr, "convscope experiment: cannot open the shipped ZFNet-mini weights: %s\n",
                g && w ? err : "no model or no weights");
        eng_graph_destroy(g);
        return NULL;
    }
    return g;
}

int exp_run_invariance(const ExpRun *r, ExpResult *out) {
    const EngDataset *train, *test;
    if (exp_fashion(&train, &test) != 0) return APP_FAIL;
    const int n = r->tiny ? 4 : r->quick ? 200 : 2000;
    snprintf(out->title, sizeof out->title, "Invariance of the features (Zeiler and Fergus 2014, Fig. 5)");
    snprintf(out->claim, sizeof out->claim,
             "Small transformations change the first layer's features a lot and the top feature "
             "layer's much less; the output is stable to shifts and scaling, not to rotation.");
    exp_note(out->setup, sizeof out->setup,
             "The shipped ZFNet-mini weights (assets/zfnet_mini_fashion.safetensors, no training). "
             "The first %d Fashion-MNIST test images, each shifted vertically, rotated and scaled "
             "about its centre (bilinear, black outside). Layer 1 = conv1_relu (32x28x28), layer 7 "
             "= relu7 (256, the last hidden layer), as the paper's layers 1 and 7. Distance: "
             "|f(x') - f(x)| / |f(x)|, mean over the images; P(true class): the softmax's "
             "probability of the image's label, mean over the images.", n);
    int maxA = 0;
    for (int t = 0; t < T_COUNT; t++) maxA = tf_count(t) > maxA ? tf_count(t) : maxA;
    EngGraph *g = zf_trained(maxA + 1);
    if (!g) return APP_FAIL;
    const int ids[2] = {eng_graph_find(g, "conv1_relu"), eng_graph_find(g, "relu7")};
    int rc = ids[0] < 0 || ids[1] < 0 ? APP_FAIL : APP_OK;
    for (int t = 0; t < T_COUNT; t++) exp_panel(out, tf[t].name, tf[t].axis, "normalised distance", 0, 0);
    for (int t = 0; t < T_COUNT; t++) exp_panel(out, tf[t].name, tf[t].axis, "P(true class)", 0, 1);
    for (int t = 0; rc == APP_OK && t < T_COUNT; t++) {
        const int A = tf_count(t);
        double *sum = calloc((size_t)3 * A, sizeof *sum);
        if (!sum) rc = APP_FAIL;
        for (int i = 0; rc == APP_OK && i < n && i < test->n; i++)
            if (invariance_image(g, test, i, t, ids, sum) != 0) rc = APP_FAIL;
        char name[40];
        for (int k = 0; rc == APP_OK && k < 3; k++) {
            snprintf(name, sizeof name, "%s %s", tf[t].name, k == 0 ? "layer 1" : k == 1 ? "layer 7" : "P(true)");
            ExpSeries *s = exp_series(out, name, k < 2 ? t : T_COUNT + t, k, 0);
            for (int j = 0; j < A; j++) exp_point(s, tf[t].from + j * tf[t].step, sum[k * A + j] / n);
        }
        free(sum);
        fprintf(stderr, "  %s: %d images, %d amounts\n", tf[t].name, n, A);
    }
    eng_graph_destroy(g);
    if (rc != APP_OK) return rc;
    /* the finding, read off the curves: the largest move of each */
    for (int t = 0; t < T_COUNT; t++) {
        const ExpSeries *l1 = &out->s[3 * t], *l7 = &out->s[3 * t + 1], *p = &out->s[3 * t + 2];
        double m1 = 0, m7 = 0, pmin = 1;
        for (int j = 0; j < l1->n; j++) m1 = fmax(m1, l1->y[j]), m7 = fmax(m7, l7->y[j]), pmin = fmin(pmin, p->y[j]);
        exp_note(out->finding, sizeof out->finding, "%s: largest distance layer 1 %.2f, layer 7 %.2f, "
                 "lowest P(true) %.2f. ", tf[t].name, m1, m7, pmin);
        char key[48];
        snprintf(key, sizeof key, "max_dist_layer1_%s", tf[t].name), exp_extra(out, key, m1);
        snprintf(key, sizeof key, "max_dist_layer7_%s", tf[t].name), exp_extra(out, key, m7);
        snprintf(key, sizeof key, "min_p_true_%s", tf[t].name), exp_extra(out, key, pmin);
    }
    return APP_OK;
}

/* ---- 3. which layers settle first --------------------------------------------------- */

#define MAX_LAYERS 16
#define MOSAIC_FILTERS 16

typedef struct {
    int ids[MAX_LAYERS], n;
    float *prev[MAX_LAYERS];        /* each layer's weights at the last look */
    ExpSeries *s[MAX_LAYERS];
    ExpResult *out;
    int mosaic_epochs[8], n_mosaic; /* after which epochs (0-based) conv1 is kept */
} Watch;

static float *copy_of(const EngParam *p) {
    float *c = malloc(p->n * sizeof *c);
    if (c) memcpy(c, p->data, p->n * sizeof *c);
    return c;
}

/* Row `row` of the mosaic: the first filters of conv1 (1 input channel). */
static void mosaic_row(ExpResult *out, int row, const EngParam *w, const char *label) {
    const size_t per = (size_t)out->mosaic_h * out->mosaic_w;
    for (int f = 0; f < out->mosaic_cols; f++)
        memcpy(out->mosaic + ((size_t)row * out->mosaic_cols + f) * per, w->data + f * per, per * sizeof(float));
    snprintf(out->mosaic_labels[row], sizeof out->mosaic_labels[row], "%s", label);
}

static int watch_epoch(void *ctx, EngGraph *g, int epoch) {
    Watch *w = ctx;
    if (epoch < 0) { /* the initial weights */
        for (int k = 0; k < w->n; k++)
            if (!(w->prev[k] = copy_of(&eng_graph_node(g, w->ids[k])->params[0]))) return -1;
        mosaic_row(w->out, 0, &eng_graph_node(g, w->ids[0])->params[0], "init");
        return 0;
    }
    for (int k = 0; k < w->n; k++) {
        const EngParam *p = &eng_graph_node(g, w->ids[k])->params[0];
        exp_point(w->s[k], epoch + 1, rel_dist(p->data, w->prev[k], p->n));
        memcpy(w->prev[k], p->data, p->n * sizeof(float));
    }
    for (int m = 0; m < w->n_mosaic; m++)
        if (w->mosaic_epochs[m] == epoch) {
            char label[24];
            snprintf(label, sizeof label, "epoch %d", epoch + 1);
            mosaic_row(w->out, m + 1, &eng_graph_node(g, w->ids[0])->params[0], label);
        }
    return 0;
}

int exp_run_layers(const ExpRun *r, ExpResult *out) {
    const EngDataset *train, *test;
    if (exp_fashion(&train, &test) != 0) return APP_FAIL;
    const int quick = r->quick || r->tiny;
    const int epochs = r->epochs > 0 ? r->epochs : r->tiny ? 2 : quick ? 8 : 30;
    const int n_train = r->tiny ? 128 : quick ? 4000 : 20000;
    snprintf(out->title, sizeof out->title,
             "Lower layers converge first (Zeiler and Fergus 2014, sec. 4.2 and Fig. 4)");
    snprintf(out->claim, sizeof out->claim,
             "The lower layers of the model converge within a few epochs; the upper layers only "
             "develop after a considerable number of epochs (40-50 on ImageNet).");
    int p = exp_panel(out, "relative change of each layer's weights in one epoch", "epoch",
                      "|W(e) - W(e-1)| / |W(e-1)|", 0, 0);
    exp_note(out->setup, sizeof out->setup,
             "ZFNet-mini (conv1-5, fc6-8, LRN, dropout 0.5 on fc6 and fc7) trained from He-initialised "
             "weights on the first %d Fashion-MNIST training images, %d epochs, batch 64, SGD "
             "momentum 0.9, lr 0.01, weight decay 5e-4 (the paper's), constant rate (as the paper's "
             "Fig. 4 run before any annealing). After each epoch, each layer's weights (biases left "
             "out) against the epoch before; the mosaic shows the first %d of conv1's 32 filters.",
             n_train, epochs, MOSAIC_FILTERS);
    const ModelCard *card = model_find("zfnet_mini");
    EngGraph *g = card ? model_build(card, 1, 28, 28) : NULL;
    if (!g) return APP_FAIL;
    Watch w = {.out = out};
    for (int i = 0; i < eng_graph_node_count(g) && w.n < MAX_LAYERS; i++) {
        const EngNode *nd = eng_graph_node(g, i);
        if (nd->op != ENG_OP_CONV && nd->op != ENG_OP_FC) continue;
        w.ids[w.n] = i;
        w.s[w.n] = exp_series(out, nd->name, p, w.n, 0);
        w.n++;
    }
    /* the mosaic: init, and a few epochs spread over the run */
    const int want[4] = {0, 1, epochs / 2 - 1, epochs - 1};
    for (int k = 0; k < 4; k++)
        if (want[k] >= 0 && want[k] < epochs && (!w.n_mosaic || want[k] > w.mosaic_epochs[w.n_mosaic - 1]))
            w.mosaic_epochs[w.n_mosaic++] = want[k];
    const EngParam *c1 = &eng_graph_node(g, w.ids[0])->params[0];
    out->mosaic_rows = w.n_mosaic + 1, out->mosaic_cols = MOSAIC_FILTERS;
    out->mosaic_h = (int)c1->dims[2], out->mosaic_w = (int)c1->dims[3];
    out->mosaic = calloc((size_t)out->mosaic_rows * MOSAIC_FILTERS * out->mosaic_h * out->mosaic_w, sizeof(float));
    ExpTrain t = {.g = g, .train = train, .test = test, .n_train = n_train < train->n ? n_train : train->n,
                  .n_test = r->tiny ? 64 : 1000, .epochs = epochs, .batch = 64, .opt = ENG_OPT_SGD,
                  .lr = 0.01, .momentum = 0.9, .weight_decay = 5e-4, .init = ENG_INIT_HE, .seed = r->seed,
                  .points_per_epoch = 1, .max_batches = r->tiny ? 2 : 0, .on_epoch = watch_epoch,
                  .ctx = &w, .label = "zfnet_mini", .run = r};
    ExpCurves c;
    int rc = -1;
    if (!out->mosaic || c1->dims[1] != 1 || c1->dims[0] < MOSAIC_FILTERS)
        fprintf(stderr, "convscope experiment: no memory for the mosaic, or conv1 is not %d filters of one "
                        "channel\n", MOSAIC_FILTERS);
    else
        rc = exp_train(&t, &c);
    eng_graph_destroy(g);
    for (int k = 0; k < w.n; k++) free(w.prev[k]);
    if (rc != 0) return APP_FAIL;
    /* the finding: the epoch after which each layer's change stays below a tenth of its first */
    exp_note(out->finding, sizeof out->finding, "Change in the last epoch as a fraction of the first: ");
    for (int k = 0; k < w.n; k++) {
        const ExpSeries *s = w.s[k];
        double ratio = s->n && s->y[0] > 0 ? s->y[s->n - 1] / s->y[0] : 0;
        char key[64];
        snprintf(key, sizeof key, "last_over_first_%.40s", s->name), exp_extra(out, key, ratio);
        exp_note(out->finding, sizeof out->finding, "%s %.2f%s", s->name, ratio, k + 1 < w.n ? ", " : ".");
    }
    exp_note(out->finding, sizeof out->finding, " Final test error %.2f%%.", c.test_err[c.epochs_done - 1]);
    return APP_OK;
}
