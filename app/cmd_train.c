/*
 * cmd_train.c — `convscope train` and `convscope eval`: train a network on
 * handwritten digits, Fashion-MNIST or any MNIST-format folder, and measure
 * trained weights on a test set.
 *
 * A run is reproducible: the seed fixes the initial weights, the order of the
 * examples in every epoch and the dropout masks. A checkpoint (weights,
 * optimizer state, position in the run) is written atomically after every
 * epoch and on Ctrl-C, and --resume continues exactly where it stopped.
 */
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "eng_data.h"

static volatile sig_atomic_t interrupted;
static void on_sigint(int sig) {
    (void)sig;
    interrupted = 1;
}

/* Accuracy and mean cross-entropy of g (inference mode) on all of d, in
 * batches of the planned size. 0, or -1 after a line on stderr naming cmd. */
static int evaluate(EngGraph *g, const EngDataset *d, double *acc, double *loss, const char *cmd) {
    const int N = eng_graph_batch(g);
    const EngNode *in = eng_graph_node(g, 0);
    const EngNode *out = eng_graph_node(g, eng_graph_output(g));
    const int K = out->out.C * out->out.H * out->out.W;
    int training = eng_graph_training(g), st = 0;
    int *idx = malloc((size_t)N * sizeof *idx);
    if (!idx) {
        fprintf(stderr, "convscope %s: not enough memory to evaluate in batches of %d\n", cmd, N);
        return -1;
    }
    eng_graph_set_training(g, 0);
    long hits = 0;
    double total = 0.0;
    for (int start = 0; st == 0 && start < d->n; start += N) {
        int count = d->n - start < N ? d->n - start : N;
        for (int b = 0; b < count; b++) idx[b] = start + b;
        app_fill_batch(eng_graph_input_buffer(g, 0), N, in->out.C, in->out.H, in->out.W, d, idx, count);
        app_log_capture(1);
        st = eng_graph_forward(g);
        app_log_capture(0);
        for (int b = 0; st == 0 && b < count; b++) {
            int y = d->labels[start + b], best;
            total += eng_softmax_ce(out->act + (size_t)b * K, K, y, 0.0f, NULL, &best);
            hits += best == y;
        }
    }
    free(idx);
    eng_graph_set_training(g, training);
    if (st != 0) {
        fprintf(stderr, "convscope %s: the forward pass failed on the test set: %s\n", cmd, app_log_last());
        return -1;
    }
    *acc = d->n ? (double)hits / d->n : 0.0;
    *loss = d->n ? total / d->n : 0.0;
    return 0;
}

/* The model must score every class of the data set: a label past its outputs
 * has no score. APP_OK, or APP_USAGE after a line naming both counts. */
static int check_classes(const EngGraph *g, const EngDataset *d, const char *model, const char *cmd) {
    const EngNode *out = eng_graph_node(g, eng_graph_output(g));
    const long long K = (long long)out->out.C * out->out.H * out->out.W;
    if (K >= d->classes) return APP_OK;
    fprintf(stderr, "convscope %s: %s has %lld output%s, fewer than the %d classes of %s\n", cmd,
            model, K, K == 1 ? "" : "s", d->classes, d->name);
    return APP_USAGE;
}

/* ---- train ---------------------------------------------------------------------- */

static const char train_usage[] =
    "usage: convscope train MODEL --data digits|fashion|PATH --out FILE [--epochs N]\n"
    "                       [--batch B] [--lr X] [--optimizer sgd|adam]\n"
    "                       [--schedule cosine|step|constant] [--weight-decay X] [--seed S]\n"
    "                       [--init he|xavier] [--augment none|shift|flip-shift]\n"
    "                       [--threads N] [--resume FILE] [--steps N]\n"
    "  Trains MODEL from seeded He- (or Xavier-) initialised weights, or from a\n"
    "  checkpoint with --resume, with softmax cross-entropy. Defaults: 10 epochs,\n"
    "  batch 64, Adam at lr 1e-3 (SGD: 0.05, momentum 0.9), cosine schedule, weight\n"
    "  decay 5e-4 on conv and FC weights, seed 1, no augmentation (shift: moves of\n"
    "  up to 2 pixels; flip-shift: also left-right mirrors, not for digits). Every\n"
    "  epoch prints the test accuracy and writes FILE (safetensors: weights +\n"
    "  optimizer state) atomically; Ctrl-C saves and exits. The first two conv\n"
    "  layers' filters are kept at steps 0, 10, 50, 200 and after every epoch in\n"
    "  FILE's sibling <name>.filters.safetensors. --steps N stops after the\n"
    "  optimizer's step N, saved as Ctrl-C saves. The window's training screen\n"
    "  (J in 'convscope view') runs the same training.\n";

/* Position of a run, kept in the checkpoint's metadata. */
typedef struct {
    int epoch, batch;       /* next batch to run */
    uint64_t rng;           /* dropout state at that point */
    uint64_t seed;
    int epochs, batch_size;
    char optimizer[8], schedule[12], init[8], augment[12], data[256];
    double lr, wd;
} RunState;

static void meta_write(char *buf, size_t n, const char *model, const RunState *r) {
    snprintf(buf, n,
             "convscope=checkpoint 1\nmodel=%s\ndata=%s\nepoch=%d\nbatch=%d\nrng=%llu\nseed=%llu\n"
             "epochs=%d\nbatch_size=%d\noptimizer=%s\nschedule=%s\nlr=%.9g\nweight_decay=%.9g\n"
             "init=%s\naugment=%s\n",
             model, r->data, r->epoch, r->batch, (unsigned long long)r->rng,
             (unsigned long long)r->seed, r->epochs, r->batch_size, r->optimizer, r->schedule,
             r->lr, r->wd, r->init, r->augment);
}

static const char *meta_get(const char *meta, const char *key, char *buf, size_t n) {
    size_t kl = strlen(key);
    for (const char *p = meta; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        if (!strncmp(p, key, kl) && p[kl] == '=') {
            const char *v = p + kl + 1, *e = strchr(v, '\n');
            size_t len = e ? (size_t)(e - v) : strlen(v);
            if (len >= n) len = n - 1;
            memcpy(buf, v, len);
            buf[len] = 0;
            return buf;
        }
    }
    return NULL;
}

static int save_ckpt(EngGraph *g, const EngOptimizer *opt, const char *model, const RunState *r,
                     const char *path) {
    char meta[2048], err[512];
    meta_write(meta, sizeof meta, model, r);
    if (eng_weights_save(g, opt, meta, path, err, sizeof err) != 0) {
        fprintf(stderr, "convscope train: %s\n", err);
        return -1;
    }
    return 0;
}

/* A Fisher-Yates shuffle of 0..n-1 fixed by (seed, epoch). */
static void epoch_order(int *order, int n, uint64_t seed, int epoch) {
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

/* ---- filter snapshots ----------------------------------------------------------- */

void app_snapshots_path(const char *weights, char *buf, size_t n) {
    size_t l = strlen(weights), el = strlen(".safetensors");
    int cut = l > el && !strcmp(weights + l - el, ".safetensors");
    snprintf(buf, n, "%.*s.filters.safetensors", (int)(cut ? l - el : l), weights);
}

void app_snapshot_name(char *buf, size_t n, int64_t step, const EngNode *conv) {
    snprintf(buf, n, "step%lld/%s.%s", (long long)step, conv->name, conv->params[0].suffix);
}

int app_snapshot_steps(const char *meta, int64_t *steps, char (*labels)[APP_SNAP_LABEL], int max) {
    const char *st = strstr(meta, "steps="), *lb = strstr(meta, "labels=");
    const char *p = st ? st + 6 : NULL, *q = lb ? lb + 7 : NULL;
    int n = 0;
    while (p && q && *p && *p != '\n' && n < max) {
        char *end;
        long long v = strtoll(p, &end, 10);
        const char *qe = strpbrk(q, ",\n");
        if (end == p || !qe) break;
        steps[n] = v;
        snprintf(labels[n], APP_SNAP_LABEL, "%.*s", (int)(qe - q), q);
        n++;
        p = end;
        while (*p == ' ') p++;
        q = *qe == ',' ? qe + 1 : qe;
    }
    return n;
}

/* The first two conv layers' weights at chosen steps, kept in memory and
 * rewritten (atomically) to one safetensors file each time one is added:
 * tensors "step<S>/<layer>.weight", metadata layers, steps and labels. */
typedef struct {
    char path[4096];
    int layers[2], n_layers;
    EngTensor *t;
    int count, cap;
    char steps[4096], labels[4096];
} Snapshots;

static void snap_init(Snapshots *sn, const EngGraph *g, const char *out) {
    memset(sn, 0, sizeof *sn);
    app_snapshots_path(out, sn->path, sizeof sn->path);
    for (int i = 0; i < eng_graph_node_count(g) && sn->n_layers < 2; i++)
        if (eng_graph_node(g, i)->op == ENG_OP_CONV) sn->layers[sn->n_layers++] = i;
}

static void snap_free(Snapshots *sn) { eng_tensors_free(sn->t, sn->count); }

/* Keeps the snapshots of an earlier part of the run (on --resume) up to step. */
static void snap_resume(Snapshots *sn, int64_t step) {
    char meta[8192], err[512];
    EngTensor *t = NULL;
    int n = 0;
    if (access(sn->path, F_OK) != 0) return;
    if (eng_tensors_load(sn->path, &t, &n, meta, sizeof meta, err, sizeof err) != 0) {
        fprintf(stderr, "convscope train: ignoring the earlier filter snapshots: %s\n", err);
        return;
    }
    static int64_t steps[1024];
    static char labels[1024][APP_SNAP_LABEL];
    int have = app_snapshot_steps(meta, steps, labels, 1024), kept = 0;
    for (; kept < have && steps[kept] <= step; kept++) {
        size_t sl = strlen(sn->steps), ll = strlen(sn->labels);
        snprintf(sn->steps + sl, sizeof sn->steps - sl, "%s%lld", sl ? " " : "", (long long)steps[kept]);
        snprintf(sn->labels + ll, sizeof sn->labels - ll, "%s%.*s", ll ? "," : "", APP_SNAP_LABEL - 1,
                 labels[kept]);
    }
    /* tensors of the kept steps: the first kept * n_layers (they are in step order) */
    int keep_t = kept * sn->n_layers < n ? kept * sn->n_layers : n;
    for (int i = keep_t; i < n; i++) free(t[i].data);
    sn->t = t, sn->count = keep_t, sn->cap = n;
}

static int snap_take(Snapshots *sn, const EngGraph *g, int64_t step, const char *label,
                     const char *model) {
    if (!sn->n_layers) return 0;
    if (sn->count + sn->n_layers > sn->cap) {
        int cap = sn->cap ? sn->cap * 2 + sn->n_layers : 32;
        EngTensor *t = realloc(sn->t, (size_t)cap * sizeof *t);
        if (!t) {
            fprintf(stderr, "convscope train: not enough memory for the filter snapshots\n");
            return -1;
        }
        sn->t = t, sn->cap = cap;
    }
    for (int k = 0; k < sn->n_layers; k++) {
        const EngNode *n = eng_graph_node(g, sn->layers[k]);
        const EngParam *p = &n->params[0];
        EngTensor *t = &sn->t[sn->count];
        memset(t, 0, sizeof *t);
        app_snapshot_name(t->name, sizeof t->name, step, n);
        t->ndim = p->ndim;
        for (int d = 0; d < p->ndim && d < 4; d++) t->dims[d] = p->dims[d];
        t->n = p->n;
        t->data = malloc(p->n * sizeof(float));
        if (!t->data) {
            fprintf(stderr, "convscope train: not enough memory for the filter snapshots\n");
            return -1;
        }
        memcpy(t->data, p->data, p->n * sizeof(float));
        sn->count++;
    }
    size_t sl = strlen(sn->steps), ll = strlen(sn->labels);
    snprintf(sn->steps + sl, sizeof sn->steps - sl, "%s%lld", sl ? " " : "", (long long)step);
    snprintf(sn->labels + ll, sizeof sn->labels - ll, "%s%s", ll ? "," : "", label);
    char meta[9000], err[512];
    snprintf(meta, sizeof meta, "model=%s\nlayers=%s%s%s\nsteps=%s\nlabels=%s\n", model,
             eng_graph_node(g, sn->layers[0])->name, sn->n_layers > 1 ? " " : "",
             sn->n_layers > 1 ? eng_graph_node(g, sn->layers[1])->name : "", sn->steps, sn->labels);
    if (eng_tensors_save(sn->path, sn->t, sn->count, meta, err, sizeof err) != 0) {
        fprintf(stderr, "convscope train: %s\n", err);
        return -1;
    }
    return 0;
}

static void progress(int epoch, int epochs, int b, int nb, double loss, double acc, double ips,
                     double eta) {
    int width = 24, fill = nb ? b * width / nb : width;
    char bar[32];
    for (int i = 0; i < width; i++) bar[i] = i < fill ? '#' : '.';
    bar[width] = 0;
    fprintf(stderr, "\repoch %d/%d [%s] %d/%d  loss %.4f  acc %5.1f%%  %.0f img/s  ETA %.0fs   ",
            epoch + 1, epochs, bar, b, nb, loss, 100.0 * acc, ips, eta);
}

/* One training run: the model, its data, optimizer, snapshots and position. */
typedef struct {
    AppOptions o;
    const ModelCard *card;
    EngGraph *g;
    RunState r;
    int aug;                  /* APP_AUG_* */
    EngLrSchedule sched;
    EngDataset train, test;
    EngOptimizer opt;
    Snapshots snaps;
    int *order;               /* (train.n) this epoch's order of the examples */
    int tty;
    const AppTrainHooks *hooks; /* the window's run (NULL: the command's) */
    int stop;                 /* the hooks or --steps stopped the run */
    /* stochastic depth: the drop-path nodes, the sum of their survival
     * probabilities (the expected number of branches a sample keeps) and,
     * this epoch, the branches the samples kept */
    int dp_n;
    double dp_expected, dp_kept;
} Train;

/* The drop-path nodes of t's graph: how many, and their summed survival. */
static void drop_paths_count(Train *t) {
    t->dp_n = 0, t->dp_expected = 0.0;
    for (int i = 0; i < eng_graph_node_count(t->g); i++) {
        const EngNode *n = eng_graph_node(t->g, i);
        if (n && n->op == ENG_OP_DROP_PATH) t->dp_n++, t->dp_expected += n->p.droppath.keep;
    }
}

/* After a training forward pass of N samples: the branches they kept (each
 * drop-path node's mask, 0 or 1 per sample). */
static void drop_paths_add(Train *t, int N) {
    for (int i = 0; t->dp_n && i < eng_graph_node_count(t->g); i++) {
        const EngNode *n = eng_graph_node(t->g, i);
        if (n && n->op == ENG_OP_DROP_PATH && n->aux)
            for (int b = 0; b < N; b++) t->dp_kept += n->aux[b];
    }
}

/* The run's settings: the options given, the defaults for the others. */
static void train_settings(Train *t) {
    const AppOptions *o = &t->o;
    RunState *r = &t->r;
    r->epochs = o->epochs ? o->epochs : 10;
    r->batch_size = o->batch ? o->batch : 64;
    r->seed = o->seed_set ? o->seed : 1;
    snprintf(r->optimizer, sizeof r->optimizer, "%s", o->optimizer ? o->optimizer : "adam");
    snprintf(r->schedule, sizeof r->schedule, "%s", o->schedule ? o->schedule : "cosine");
    snprintf(r->init, sizeof r->init, "%s", o->init ? o->init : "he");
    snprintf(r->augment, sizeof r->augment, "%s", o->augment ? o->augment : "none");
    t->aug = !strcmp(r->augment, "shift")        ? APP_AUG_SHIFT
             : !strcmp(r->augment, "flip-shift") ? APP_AUG_FLIP_SHIFT
                                                 : APP_AUG_NONE;
    t->sched = !strcmp(r->schedule, "cosine") ? ENG_LR_COSINE
               : !strcmp(r->schedule, "step") ? ENG_LR_STEP
                                              : ENG_LR_CONSTANT;
    snprintf(r->data, sizeof r->data, "%s", o->data);
    r->lr = o->lr > 0 ? o->lr : (!strcmp(r->optimizer, "sgd") ? 0.05 : 1e-3);
    r->wd = o->weight_decay >= 0 ? o->weight_decay : 5e-4;
}

/* The position kept in a checkpoint's metadata, checked against this run:
 * every number whole and in range, the batch inside the data set at the
 * checkpoint's batch size. APP_OK, or APP_USAGE after a line on stderr. */
static int resume_position(Train *t, const char *meta) {
    RunState *r = &t->r;
    const char *path = t->o.resume;
    char v[300];
    int epoch, batch, epochs, bsize, nb = t->train.n / r->batch_size;
    uint64_t rng, seed;
#define BAD(...) (fprintf(stderr, "convscope train: %s: ", path), fprintf(stderr, __VA_ARGS__), APP_USAGE)
    if (!meta_get(meta, "epoch", v, sizeof v) || !eng_parse_int(v, 0, 1000000, &epoch))
        return BAD("its epoch is missing or not a whole number in 0..1000000\n");
    if (!meta_get(meta, "epochs", v, sizeof v) || !eng_parse_int(v, 1, 1000000, &epochs) ||
        epoch > epochs)
        return BAD("its epochs are missing, not a whole number in 1..1000000 or fewer than its "
                   "epoch %d\n", epoch);
    if (!meta_get(meta, "batch_size", v, sizeof v) || !eng_parse_int(v, 1, 4096, &bsize))
        return BAD("its batch_size is missing or not a whole number in 1..4096\n");
    if (!meta_get(meta, "batch", v, sizeof v) || !eng_parse_int(v, 0, 1000000, &batch))
        return BAD("its batch is missing or not a whole number in 0..1000000\n");
    if (!meta_get(meta, "rng", v, sizeof v) || !eng_parse_u64(v, &rng) ||
        !meta_get(meta, "seed", v, sizeof v) || !eng_parse_u64(v, &seed))
        return BAD("its rng or seed is missing or not a whole number in 0..2^64-1\n");
    if (!meta_get(meta, "data", v, sizeof v)) v[0] = 0;
    if (batch > 0) { /* a position inside an epoch holds only for the same data and batch size */
        if (bsize != r->batch_size)
            return BAD("it stopped inside an epoch at batch size %d; resume with --batch %d\n",
                       bsize, bsize);
        if (strcmp(v, r->data) != 0)
            return BAD("it stopped inside an epoch of data '%.200s', not '%.200s'\n", v, r->data);
        if (batch >= nb)
            return BAD("its batch %d is past the %d batches of %d in an epoch of %s\n", batch, nb,
                       bsize, r->data);
    }
    if (epoch > r->epochs)
        return BAD("it is at epoch %d, past this run's %d epochs (give --epochs)\n", epoch,
                   r->epochs);
#undef BAD
    r->epoch = epoch, r->batch = batch, r->rng = rng, r->seed = seed;
    return APP_OK;
}

/* The checkpoint of --resume: weights, optimizer state, position. */
static int train_resume(Train *t) {
    char meta[2048], err[512], v[64];
    RunState *r = &t->r;
    if (eng_weights_load(t->g, &t->opt, t->o.resume, meta, sizeof meta, err, sizeof err) != 0) {
        fprintf(stderr, "convscope train: %s\n", err);
        return APP_FAIL;
    }
    const char *m = meta_get(meta, "model", v, sizeof v);
    if (!m || strcmp(m, t->card->name)) {
        fprintf(stderr, "convscope train: %s is not a checkpoint of %s\n", t->o.resume, t->card->name);
        return APP_USAGE;
    }
    int rc = resume_position(t, meta);
    if (rc != APP_OK) return rc;
    eng_graph_seed(t->g, r->rng);
    fprintf(stderr, "resuming %s at epoch %d, batch %d\n", t->card->name, r->epoch + 1, r->batch);
    snap_resume(&t->snaps, t->opt.step);
    return APP_OK;
}

/* The data, the weights (seeded, or from --resume), the buffers and the
 * optimizer. APP_OK, or an exit code after a line on stderr. */
static int train_setup(Train *t) {
    const RunState *r = &t->r;
    snap_init(&t->snaps, t->g, t->o.out);
    if (app_load_data(t->o.data, &t->train, &t->test, "train") != 0) return APP_FAIL;
    if (check_classes(t->g, &t->train, t->card->name, "train") != APP_OK) return APP_USAGE;
    if (r->batch_size > t->train.n) { /* no whole batch: an epoch would train nothing */
        fprintf(stderr, "convscope train: --batch %d is larger than the %d training images of %s; "
                        "give --batch %d or less\n", r->batch_size, t->train.n, t->train.name, t->train.n);
        return APP_USAGE;
    }
    const EngNode *in = eng_graph_node(t->g, 0);
    if (in->out.H < t->train.h || in->out.W < t->train.w) {
        fprintf(stderr, "convscope train: %s takes %dx%d images, smaller than the data's %dx%d "
                        "(try --input %dx%dx%d)\n", t->card->name, in->out.H, in->out.W, t->train.h,
                t->train.w, in->out.C, t->train.h, t->train.w);
        return APP_USAGE;
    }
    app_log_capture(1);
    int bad = eng_graph_enable_grads(t->g) != 0 ||
              eng_graph_init_params_ex(t->g, r->seed, !strcmp(r->init, "xavier") ? ENG_INIT_XAVIER
                                                                                 : ENG_INIT_HE) != 0 ||
              eng_graph_plan(t->g, r->batch_size) != 0 ||
              eng_opt_init(&t->opt, t->g, !strcmp(r->optimizer, "sgd") ? ENG_OPT_SGD : ENG_OPT_ADAM,
                           (float)r->lr) != 0;
    app_log_capture(0);
    if (bad) {
        fprintf(stderr, "convscope train: cannot prepare %s for training at batch %d: %s\n",
                t->card->name, r->batch_size, app_log_last());
        return APP_FAIL;
    }
    t->opt.weight_decay = (float)r->wd;
    eng_graph_seed(t->g, r->seed ^ 0x5DEECE66Dull);
    t->r.rng = eng_graph_rng_state(t->g);
    int rc = APP_OK;
    if (t->o.resume) rc = train_resume(t);
    else if (snap_take(&t->snaps, t->g, 0, "init", t->card->name) != 0) rc = APP_FAIL;
    if (rc != APP_OK) return rc;
    t->order = malloc((size_t)t->train.n * sizeof *t->order);
    if (!t->order) {
        fprintf(stderr, "convscope train: not enough memory for %d examples\n", t->train.n);
        return APP_FAIL;
    }
    return APP_OK;
}

/* One step on batch r.batch of this epoch's order: forward, loss, backward,
 * update. 0, or -1 after a line on stderr. */
static int train_step(Train *t, int nb, double *loss, int *correct) {
    RunState *r = &t->r;
    const EngNode *in = eng_graph_node(t->g, 0);
    const int N = r->batch_size;
    const int *ex = t->order + (size_t)r->batch * N;
    float *x = eng_graph_input_buffer(t->g, 0);
    app_fill_batch(x, N, in->out.C, in->out.H, in->out.W, &t->train, ex, N);
    app_augment(x, N, in->out.C, in->out.H, in->out.W, t->aug,
                r->seed * 0xD6E8FEB86659FD93ull ^ (uint64_t)(r->epoch * nb + r->batch));
    uint8_t labels[4096];
    for (int b = 0; b < N; b++) labels[b] = t->train.labels[ex[b]];
    app_log_capture(1);
    int st = eng_graph_forward(t->g);
    if (st == 0) drop_paths_add(t, N);
    if (st == 0) *loss = eng_graph_loss_ce(t->g, labels, correct);
    if (st == 0 && isfinite(*loss)) st = eng_graph_backward(t->g) != 0 || eng_opt_step(&t->opt, t->g) != 0;
    app_log_capture(0);
    if (st != 0) {
        fprintf(stderr, "\nconvscope train: the training step failed at epoch %d batch %d: %s\n",
                r->epoch + 1, r->batch, app_log_last());
        return -1;
    }
    if (!isfinite(*loss)) {
        fprintf(stderr, "\nconvscope train: the loss diverged (%g) at epoch %d batch %d; "
                        "try a smaller --lr\n", *loss, r->epoch + 1, r->batch);
        return -1;
    }
    if (t->opt.step == 10 || t->opt.step == 50 || t->opt.step == 200) {
        char label[32];
        snprintf(label, sizeof label, "step %lld", (long long)t->opt.step);
        if (snap_take(&t->snaps, t->g, t->opt.step, label, t->card->name) != 0) return -1;
    }
    return 0;
}

/* What the hooks are told: where the run is, the step's loss and, after an
 * epoch's test (tested 1), its numbers; their nonzero answer stops the run. */
static void train_report(Train *t, int nb, double loss, int tested, double acc, double test_loss) {
    if (!t->hooks || !t->hooks->report) return;
    const AppTrainReport rep = {t->r.epoch, t->r.epochs, t->r.batch, nb, t->opt.step, loss,
                                tested, acc, test_loss, t->g, t->o.out};
    if (t->hooks->report(t->hooks->ctx, &rep)) t->stop = 1;
}

/* The batches of epoch r.epoch from r.batch on, until the end, Ctrl-C, the
 * hooks' stop or --steps; sums of the loss, the hits and the examples seen.
 * 0, or -1 after a line. */
static int train_batches(Train *t, double t0, double *sum_loss, long *hits, long *seen) {
    RunState *r = &t->r;
    const int N = r->batch_size, nb = t->train.n / N; /* the last partial batch is dropped */
    if (t->o.steps && t->opt.step >= t->o.steps) t->stop = 1; /* resumed at or past --steps */
    for (; r->batch < nb && !interrupted && !t->stop; r->batch++) {
        double loss = 0;
        int correct = 0;
        if (train_step(t, nb, &loss, &correct) != 0) return -1;
        *sum_loss += loss * N;
        *hits += correct;
        *seen += N;
        r->batch++; /* the report counts the batches done */
        train_report(t, nb, loss, 0, 0.0, 0.0);
        r->batch--;
        if (t->o.steps && t->opt.step >= t->o.steps) t->stop = 1;
        if (t->tty && (r->batch % 10 == 0 || r->batch == nb - 1)) {
            double el = (app_now_ms() / 1e3) - t0, ips = *seen / (el > 0 ? el : 1e-9);
            progress(r->epoch, r->epochs, r->batch + 1, nb, *sum_loss / *seen, (double)*hits / *seen,
                     ips, (nb - r->batch - 1) * N / (ips > 0 ? ips : 1));
        }
    }
    return 0;
}

/* One epoch: its batches, then the test set, the line, the checkpoint and a
 * snapshot. A stop inside the epoch saves the checkpoint there (t->stop set):
 * APP_OK for the hooks' stop or --steps, APP_FAIL for Ctrl-C. APP_FAIL
 * after a line on stderr on a failure. */
static int train_epoch(Train *t) {
    RunState *r = &t->r;
    const int nb = t->train.n / r->batch_size;
    const char *out = t->o.out, *name = t->card->name;
    t->opt.lr = eng_lr_schedule(t->sched, (float)r->lr, r->epoch, r->epochs, r->epochs / 3 + 1, 0.1f);
    epoch_order(t->order, t->train.n, r->seed, r->epoch);
    double t0 = (app_now_ms() / 1e3), sum_loss = 0.0;
    long hits = 0, seen = 0;
    t->dp_kept = 0.0;
    if (train_batches(t, t0, &sum_loss, &hits, &seen) != 0) return APP_FAIL;
    r->rng = eng_graph_rng_state(t->g);
    if (r->batch < nb && (interrupted || t->stop)) { /* stopped inside the epoch */
        if (t->tty) fputc('\n', stderr);
        if (save_ckpt(t->g, &t->opt, name, r, out) != 0) return APP_FAIL;
        if (!t->hooks)
            fprintf(stderr, "%s: saved %s at epoch %d, batch %d; continue with --resume %s\n",
                    interrupted ? "interrupted" : "stopped", out, r->epoch + 1, r->batch, out);
        t->stop = 1;
        return interrupted ? APP_FAIL : APP_OK;
    }
    const double train_s = (app_now_ms() / 1e3) - t0; /* the batches only, not the test */
    double acc, loss;
    if (evaluate(t->g, &t->test, &acc, &loss, "train") != 0) return APP_FAIL;
    if (t->tty) fputc('\n', stderr);
    double el = (app_now_ms() / 1e3) - t0;
    if (!t->hooks) printf("epoch %d/%d  lr %.3g  train loss %.4f  train acc %.2f%%  test loss %.4f  test acc "
           "%.2f%%  %.1f s  %.0f img/s\n", r->epoch + 1, r->epochs, t->opt.lr, seen ? sum_loss / seen : 0.0,
           seen ? 100.0 * hits / seen : 0.0, loss, 100.0 * acc, el, seen / (train_s > 0 ? train_s : 1e-9));
    if (t->dp_n && seen && !t->hooks)
        printf("  stochastic depth: %.2f of %d droppable branches kept per example on average "
               "(expected %.2f, the sum of their survival probabilities)\n", t->dp_kept / seen,
               t->dp_n, t->dp_expected);
    fflush(stdout);
    RunState next = *r;
    next.epoch = r->epoch + 1;
    next.batch = 0;
    if (save_ckpt(t->g, &t->opt, name, &next, out) != 0) return APP_FAIL;
    char label[32];
    snprintf(label, sizeof label, "epoch %d", r->epoch + 1);
    if (snap_take(&t->snaps, t->g, t->opt.step, label, name) != 0) return APP_FAIL;
    train_report(t, nb, seen ? sum_loss / seen : 0.0, 1, acc, loss);
    return APP_OK;
}

int app_train_run(const AppOptions *o, const AppTrainHooks *hooks, int *stopped) {
    Train t = {0};
    int rc;
    t.o = *o;
    t.hooks = hooks;
    if (stopped) *stopped = 0;
    t.g = app_build_model(&t.o, &t.card, &rc);
    if (!t.g) return rc;
    train_settings(&t);
    if ((rc = train_setup(&t)) == APP_OK) {
        t.tty = !hooks && isatty(2);
        if (!hooks) {
            interrupted = 0;
            signal(SIGINT, on_sigint);
            printf("training %s on %s (%d train / %d test images), %s lr %g, %s schedule, batch %d, "
                   "seed %llu\n", t.card->name, t.o.data, t.train.n, t.test.n, t.r.optimizer, t.r.lr,
                   t.r.schedule, t.r.batch_size, (unsigned long long)t.r.seed);
            fflush(stdout);
        }
        eng_graph_set_training(t.g, 1);
        drop_paths_count(&t);
        const int nb = t.train.n / t.r.batch_size;
        while (rc == APP_OK && t.r.epoch < t.r.epochs && !t.stop) {
            rc = train_epoch(&t);
            if (rc == APP_OK && t.r.batch >= nb) t.r.epoch++, t.r.batch = 0; /* the epoch ran to its end */
        }
        if (!hooks) signal(SIGINT, SIG_DFL);
        if (t.stop && rc == APP_OK && t.r.epoch < t.r.epochs) {
            if (stopped) *stopped = 1;
            if (!hooks && t.r.batch == 0) /* at an epoch's end: the checkpoint is that epoch's */
                fprintf(stderr, "stopped: saved %s at epoch %d, batch 0; continue with --resume %s\n",
                        t.o.out, t.r.epoch + 1, t.o.out);
        }
    }
    snap_free(&t.snaps);
    free(t.order);
    eng_opt_free(&t.opt);
    eng_dataset_free(&t.train);
    eng_dataset_free(&t.test);
    eng_graph_destroy(t.g);
    return rc;
}

int app_cmd_train(int argc, char **argv) {
    AppOptions o;
    int help, rc = app_parse_cmd(argc, argv, train_usage, &o, &help);
    if (rc || help) return rc;
    if (!o.data || !o.out) {
        fprintf(stderr, "convscope train: %s is required (see 'convscope train --help')\n",
                !o.data ? "--data" : "--out");
        return APP_USAGE;
    }
    if (o.threads) eng_set_threads(o.threads);
    return app_train_run(&o, NULL, NULL);
}

/* ---- eval ------------------------------------------------------------------------ */

static const char eval_usage[] =
    "usage: convscope eval MODEL --data digits|fashion|PATH [--weights FILE] [--batch B]\n"
    "                      [--threads N] [--json] [--input CxHxW]\n"
    "  Accuracy and mean cross-entropy on the test set. Without --weights the\n"
    "  model's shipped weights trained on --data's set (assets/) are used; weights\n"
    "  trained on another set give a warning; an .onnx MODEL has its own.\n"
    "  --json prints\n"
    "  {\"model\",\"data\",\"n\",\"accuracy\",\"loss\"}.\n";

int app_cmd_eval(int argc, char **argv) {
    AppOptions o;
    int help, rc = app_parse_cmd(argc, argv, eval_usage, &o, &help);
    if (rc || help) return rc;
    if (o.threads) eng_set_threads(o.threads);
    const ModelCard *card;
    EngGraph *g = app_build_model(&o, &card, &rc);
    if (!g) return rc;
    char path[4096], err[512];
    const char *data = o.data ? o.data : card->weights_data;
    const char *w = o.weights ? o.weights : model_weights_for(card, data, path, sizeof path);
    EngDataset test = {0};
    rc = APP_FAIL;
    if (!w && !card->imported) { /* an .onnx file brings its own weights */
        fprintf(stderr, "convscope eval: %s has no shipped weights; give --weights FILE\n",
                card->name);
        rc = APP_USAGE;
        goto done;
    }
    if (!data) {
        fprintf(stderr, "convscope eval: which data? give --data digits|fashion|PATH\n");
        rc = APP_USAGE;
        goto done;
    }
    if (w && app_load_weights(g, w, data, "eval", err, sizeof err) != 0) {
        fprintf(stderr, "convscope eval: %s\n", err);
        goto done;
    }
    if (app_load_data(data, NULL, &test, "eval") != 0) goto done;
    if ((rc = check_classes(g, &test, card->name, "eval")) != APP_OK) goto done;
    rc = APP_FAIL;
    eng_graph_set_fast(g, 1); /* only the scores are read: the fused layout */
    app_log_capture(1);
    int bad_plan = eng_graph_plan(g, o.batch ? o.batch : 256) != 0;
    app_log_capture(0);
    if (bad_plan) {
        fprintf(stderr, "convscope eval: cannot plan %s at batch %d: %s\n", card->name,
                o.batch ? o.batch : 256, app_log_last());
        goto done;
    }
    double acc, loss;
    if (evaluate(g, &test, &acc, &loss, "eval") != 0) goto done;
    if (o.json) {
        printf("{\"model\":");
        app_json_str(stdout, card->name);
        printf(",\"data\":");
        app_json_str(stdout, data);
        printf(",\"n\":%d,\"accuracy\":%.6f,\"loss\":%.6f}\n", test.n, acc, loss);
    } else {
        printf("%s on %s (%d images): accuracy %.2f%%, loss %.4f\n", card->name, test.name, test.n,
               100.0 * acc, loss);
    }
    rc = APP_OK;
done:
    eng_dataset_free(&test);
    eng_graph_destroy(g);
    return rc;
}
