/*
 * exp_train.c — the training loop the experiments share: a prefix of the
 * training set, a seeded order per epoch, SGD or Adam, the step schedule of
 * He et al., and the curves the papers plot (training error as it runs,
 * test error after each epoch). Nothing is written to disk.
 *
 * A run is reproducible to the bit at a fixed thread count: the seed fixes
 * the initial weights, the order of the examples, the augmentation and the
 * dropout masks, and the engine's parallel loops split work into the same
 * ranges every time (eng_threads.c), each range reducing in a fixed order.
 * Must not depend on: SDL.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "experiments.h"

static EngDataset fashion_train, fashion_test;
static int fashion_loaded;

int exp_fashion(const EngDataset **train, const EngDataset **test) {
    if (!fashion_loaded) {
        if (app_load_data("fashion", &fashion_train, &fashion_test, "experiment") != 0) return -1;
        fashion_loaded = 1;
    }
    *train = &fashion_train, *test = &fashion_test;
    return 0;
}

void exp_data_free(void) {
    eng_dataset_free(&fashion_train);
    eng_dataset_free(&fashion_test);
    fashion_loaded = 0;
}

/* A Fisher-Yates shuffle of 0..n-1 fixed by (seed, epoch) (xorshift64). */
static void shuffle(int *order, int n, uint64_t seed, int epoch) {
    uint64_t s = seed * 0x9E3779B97F4A7C15ull + (uint64_t)epoch * 0xD1B54A32D192ED03ull + 1;
    for (int i = 0; i < n; i++) order[i] = i;
    for (int i = n - 1; i > 0; i--) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        int j = (int)(s % (uint64_t)(i + 1));
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
}

int exp_error(EngGraph *g, const EngDataset *d, int n, double *err) {
    const int N = eng_graph_batch(g);
    const EngNode *in = eng_graph_node(g, 0);
    const int out_id = eng_graph_output(g);
    const int training = eng_graph_training(g);
    int *idx = malloc((size_t)N * sizeof *idx), st = 0;
    if (!idx) return -1;
    if (n > d->n) n = d->n;
    eng_graph_set_training(g, 0);
    long hits = 0;
    for (int start = 0; st == 0 && start < n; start += N) {
        int count = n - start < N ? n - start : N;
        for (int b = 0; b < count; b++) idx[b] = start + b;
        app_fill_batch(eng_graph_input_buffer(g, 0), N, in->out.C, in->out.H, in->out.W, d, idx, count);
        st = eng_graph_forward(g);
        const EngNode *out = eng_graph_node(g, out_id);
        const int K = out->out.C * out->out.H * out->out.W;
        for (int b = 0; st == 0 && b < count; b++) {
            const float *z = out->act + (size_t)b * K;
            int best = 0;
            for (int k = 1; k < K; k++)
                if (z[k] > z[best]) best = k;
            hits += best == d->labels[start + b];
        }
    }
    free(idx);
    eng_graph_set_training(g, training);
    if (st != 0) return -1;
    *err = n ? 100.0 * (1.0 - (double)hits / n) : 0.0;
    return 0;
}

/* The learning rate of epoch e: constant, or / 10 at half and again at three
 * quarters of the run (He et al. 2016, sec. 4.2: at 32k and 48k of 64k iterations). */
static float lr_at(const ExpTrain *t, int e) {
    double lr = t->lr;
    if (t->lr_steps && 2 * e >= t->epochs) lr *= 0.1;
    if (t->lr_steps && 4 * e >= 3 * t->epochs) lr *= 0.1;
    return (float)lr;
}

static int prepare(const ExpTrain *t, EngOptimizer *opt) {
    app_log_capture(1);
    int bad = eng_graph_enable_grads(t->g) != 0 || eng_graph_init_params_ex(t->g, t->seed, t->init) != 0 ||
              eng_graph_plan(t->g, t->batch) != 0 || eng_opt_init(opt, t->g, t->opt, (float)t->lr) != 0;
    app_log_capture(0);
    if (bad) {
        fprintf(stderr, "convscope experiment: cannot prepare %s for training: %s\n", t->label,
                app_log_last());
        return -1;
    }
    opt->weight_decay = (float)t->weight_decay;
    if (t->momentum > 0) opt->momentum = (float)t->momentum;
    eng_graph_seed(t->g, t->seed ^ 0x5DEECE66Dull);
    return 0;
}

/* One step on examples ex[0..N): forward, loss, backward, update; *wrong gets
 * the misclassified. 0, or -1 after a line. */
static int step(const ExpTrain *t, EngOptimizer *opt, const int *ex, uint64_t aug_key, int *wrong) {
    const EngNode *in = eng_graph_node(t->g, 0);
    const int N = t->batch;
    float *x = eng_graph_input_buffer(t->g, 0);
    app_fill_batch(x, N, in->out.C, in->out.H, in->out.W, t->train, ex, N);
    app_augment(x, N, in->out.C, in->out.H, in->out.W, t->augment, aug_key);
    uint8_t labels[4096];
    for (int b = 0; b < N; b++) labels[b] = t->train->labels[ex[b]];
    int correct = 0;
    double loss = NAN;
    app_log_capture(1);
    int st = eng_graph_forward(t->g);
    if (st == 0) loss = eng_graph_loss_ce(t->g, labels, &correct);
    if (st == 0 && isfinite(loss)) st = eng_graph_backward(t->g) != 0 || eng_opt_step(opt, t->g) != 0;
    app_log_capture(0);
    if (st != 0 || !isfinite(loss)) {
        fprintf(stderr, "\nconvscope experiment: %s: the training step failed (loss %g): %s\n", t->label,
                loss, st ? app_log_last() : "the loss diverged");
        return -1;
    }
    *wrong = N - correct;
    return 0;
}

/* Epoch e's batches; running error points into c. 0, or -1 (failed or cancelled). */
static int epoch(const ExpTrain *t, EngOptimizer *opt, int *order, int e, ExpCurves *c) {
    const int N = t->batch, P = t->points_per_epoch > 0 ? t->points_per_epoch : 1;
    int nb = t->n_train / N;
    if (t->max_batches > 0 && nb > t->max_batches) nb = t->max_batches;
    shuffle(order, t->n_train, t->seed, e);
    opt->lr = lr_at(t, e);
    long wrong = 0, seen = 0;
    int point = 0;
    double t0 = app_now_ms();
    for (int b = 0; b < nb; b++) {
        int w = 0;
        if (t->run && t->run->stopped && t->run->stopped(t->run->ctx)) return -1; /* cancelled */
        if (step(t, opt, order + (size_t)b * N, t->seed * 0xD6E8FEB86659FD93ull ^ (uint64_t)(e * nb + b),
                 &w) != 0)
            return -1;
        wrong += w, seen += N;
        if ((b + 1) * P / nb > point) { /* the end of the point's share of the epoch */
            point = (b + 1) * P / nb;
            if (c->n_running < EXP_MAX_POINTS) {
                c->run_x[c->n_running] = e + (double)(b + 1) / nb;
                c->run_err[c->n_running++] = 100.0 * wrong / seen;
            }
            wrong = seen = 0;
        }
    }
    c->seconds += (app_now_ms() - t0) / 1e3;
    return 0;
}

int exp_train(const ExpTrain *t, ExpCurves *c) {
    memset(c, 0, sizeof *c);
    if (t->batch < 1 || t->batch > 4096 || t->n_train < t->batch || t->epochs < 1 ||
        t->epochs > EXP_MAX_POINTS) {
        fprintf(stderr, "convscope experiment: %s: %d training images cannot fill a batch of %d\n",
                t->label, t->n_train, t->batch);
        return -1;
    }
    EngOptimizer opt = {0};
    int *order = malloc((size_t)t->n_train * sizeof *order), rc = 0;
    if (!order || prepare(t, &opt) != 0) {
        free(order);
        eng_opt_free(&opt);
        return -1;
    }
    if (t->on_epoch) rc = t->on_epoch(t->ctx, t->g, -1); /* the initial weights */
    for (int e = 0; rc == 0 && e < t->epochs; e++) {
        eng_graph_set_training(t->g, 1);
        rc = epoch(t, &opt, order, e, c);
        if (rc == 0 && t->eval_train) rc = exp_error(t->g, t->train, t->n_train, &c->train_err[e]);
        if (rc == 0) rc = exp_error(t->g, t->test, t->n_test, &c->test_err[e]);
        if (rc == 0 && t->on_epoch) rc = t->on_epoch(t->ctx, t->g, e);
        if (rc != 0) break;
        c->epochs_done = e + 1;
        if (t->run && t->run->on_curves) t->run->on_curves(t->run->ctx, t, c);
        fprintf(stderr, "  %-22s epoch %2d/%d  train err %6.2f%%  test err %6.2f%%  %.1f s\n", t->label,
                e + 1, t->epochs, c->n_running ? c->run_err[c->n_running - 1] : 0.0, c->test_err[e],
                c->seconds);
        if (t->run && t->run->progress && t->run->progress(t->run->ctx, e + 1, t->epochs)) rc = 1;
    }
    free(order);
    eng_opt_free(&opt);
    return rc;
}
