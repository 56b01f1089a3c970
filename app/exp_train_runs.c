/*
 * exp_train_runs.c — the experiments that train: degradation (He et al.
 * 2016), ReLU against tanh (Krizhevsky et al. 2012), 3x3 stacks against 5x5
 * (Simonyan and Zisserman 2015), dropout and augmentation (Krizhevsky et
 * al. 2012). Each builds its networks through engine calls, trains them on a
 * prefix of Fashion-MNIST with exp_train and fills an ExpResult.
 * Must not depend on: SDL.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "experiments.h"

/* Sizes of a run: the quick one for class, the full one, the tiny one of the tests. */
typedef struct {
    int n_train, n_test, epochs, max_batches;
} Scale;

static Scale pick(const ExpRun *r, Scale quick, Scale full) {
    Scale s = r->quick || r->tiny ? quick : full;
    if (r->tiny) s.n_train = 128, s.n_test = 64, s.epochs = 2, s.max_batches = 2;
    if (r->epochs > 0) s.epochs = r->epochs;
    return s;
}

static EngGraph *finish(EngGraph *g, int out) {
    if (out < 0 || !eng_graph_ok(g)) {
        fprintf(stderr, "convscope experiment: cannot build the network: %s\n",
                eng_graph_ok(g) ? "no output" : eng_graph_error(g));
        eng_graph_destroy(g);
        return NULL;
    }
    eng_graph_set_output(g, out);
    return g;
}

static void fill_train(ExpTrain *t, const ExpRun *r, const Scale *s, const char *label) {
    memset(t, 0, sizeof *t);
    if (exp_fashion(&t->train, &t->test) != 0) return;
    t->n_train = s->n_train < t->train->n ? s->n_train : t->train->n;
    t->n_test = s->n_test < t->test->n ? s->n_test : t->test->n;
    t->epochs = s->epochs;
    t->max_batches = s->max_batches;
    t->seed = r->seed;
    t->label = label;
    t->run = r;
    t->points_per_epoch = 1;
}

/* ---- 1. degradation ------------------------------------------------------------- */

static const struct {
    const char *name;
    int n, shortcuts;
} deg_nets[4] = {{"plain20", 3, 0}, {"plain56", 9, 0}, {"resnet20", 3, 1}, {"resnet56", 9, 1}};

int exp_run_degradation(const ExpRun *r, ExpResult *out) {
    const Scale s = pick(r, (Scale){1280, 512, 4, 0}, (Scale){5120, 1000, 8, 0});
    const int width = r->quick || r->tiny ? 8 : 16;
    snprintf(out->title, sizeof out->title,
             "Degradation: plain vs residual nets (He et al. 2016, Fig. 1 and Fig. 6 left/middle)");
    snprintf(out->claim, sizeof out->claim,
             "A deeper plain network has higher training error than a shallower one (degradation, "
             "not overfitting); with identity shortcuts the deeper net trains better.");
    int p = exp_panel(out, "training error (solid) and test error (dashed)", "epoch",
                      "error (%)", 0, 0);
    exp_note(out->setup, sizeof out->setup,
             "CIFAR-style nets of sec. 4.2 (6n+2 layers, BN after every conv in plain and residual "
             "nets alike, as the paper), option-A shortcuts, widths %d-%d-%d, on 1x28x28 "
             "Fashion-MNIST (28-14-7 maps): the first %d training images, the first %d test images, "
             "%d epochs, batch 64. SGD momentum 0.9, lr 0.05 (the paper's 0.1 at batch 128 scaled "
             "to batch 64), weight decay 1e-4, He init, lr / 10 at 50%% and 75%% of the epochs "
             "(the paper's 32k and 48k of 64k iterations). Training error: running mean over "
             "each quarter epoch in training mode (as the paper's thin curves); test error after "
             "each epoch.%s",
             width, 2 * width, 4 * width, s.n_train, s.n_test, s.epochs,
             width < 16 ? " Width halved from the paper's 16 to fit the time; depth, the variable "
                          "studied, is the paper's." : "");
    double final_train[4] = {0};
    for (int k = 0; k < 4; k++) {
        EngGraph *g = eng_graph_create();
        if (!g) return APP_FAIL;
        g = finish(g, model_cifar_build(g, 1, 28, 28, deg_nets[k].n, deg_nets[k].shortcuts, width));
        if (!g) return APP_FAIL;
        ExpTrain t;
        fill_train(&t, r, &s, deg_nets[k].name);
        t.g = g, t.batch = 64, t.opt = ENG_OPT_SGD, t.lr = 0.05, t.weight_decay = 1e-4;
        t.momentum = 0.9, t.lr_steps = 1, t.init = ENG_INIT_HE, t.points_per_epoch = 4;
        char live_test[48];
        snprintf(live_test, sizeof live_test, "%s test", deg_nets[k].name);
        t.as_running = deg_nets[k].name, t.as_test = live_test;
        ExpCurves c;
        int rc = t.train ? exp_train(&t, &c) : -1;
        eng_graph_destroy(g);
        if (rc != 0) return APP_FAIL;
        ExpSeries *tr = exp_series(out, deg_nets[k].name, p, k, 0);
        char name[40];
        snprintf(name, sizeof name, "%s test", deg_nets[k].name);
        ExpSeries *te = exp_series(out, name, p, k, 1);
        for (int i = 0; i < c.n_running; i++) exp_point(tr, c.run_x[i], c.run_err[i]);
        for (int e = 0; e < c.epochs_done; e++) exp_point(te, e + 1, c.test_err[e]);
        /* the last epoch's training error: the mean of its points */
        double sum = 0;
        for (int i = c.n_running - t.points_per_epoch; i < c.n_running; i++) sum += c.run_err[i];
        final_train[k] = sum / t.points_per_epoch;
        snprintf(name, sizeof name, "final_train_err_%s", deg_nets[k].name);
        exp_extra(out, name, final_train[k]);
        snprintf(name, sizeof name, "final_test_err_%s", deg_nets[k].name);
        exp_extra(out, name, c.test_err[c.epochs_done - 1]);
        snprintf(name, sizeof name, "seconds_%s", deg_nets[k].name);
        exp_extra(out, name, c.seconds);
    }
    exp_note(out->finding, sizeof out->finding,
             "Last epoch's training error: plain-20 %.2f%%, plain-56 %.2f%%, ResNet-20 %.2f%%, "
             "ResNet-56 %.2f%%. Degradation (plain-56 above plain-20): %s. Shortcut helps the deep "
             "net (ResNet-56 below plain-56): %s.",
             final_train[0], final_train[1], final_train[2], final_train[3],
             final_train[1] > final_train[0] ? "seen" : "NOT seen at this scale",
             final_train[3] < final_train[1] ? "seen" : "NOT seen at this scale");
    return APP_OK;
}

/* ---- 2. ReLU against tanh --------------------------------------------------------- */

/* The four-layer net of Krizhevsky et al.'s Fig. 1, at Fashion-MNIST's size:
 * conv 5x5 16 - act - pool - conv 5x5 32 - act - pool - FC 128 - act - FC 10. */
static EngGraph *small_cnn(int tanh_act) {
    EngGraph *g = eng_graph_create();
    if (!g) return NULL;
    int (*act)(EngGraph *, const char *, int) = tanh_act ? eng_tanh : eng_relu;
    int x = eng_input(g, "data", 1, 28, 28);
    x = act(g, "act1", eng_conv_k(g, "conv1", x, 16, 5, 1, 2, 1, 1));
    x = eng_maxpool_k(g, "pool1", x, 2, 2, 0);
    x = act(g, "act2", eng_conv_k(g, "conv2", x, 32, 5, 1, 2, 1, 1));
    x = eng_maxpool_k(g, "pool2", x, 2, 2, 0);
    x = act(g, "act3", eng_fc(g, "fc3", x, 128, 1));
    return finish(g, eng_fc(g, "fc4", x, 10, 1));
}

#define RELU_TANH_THRESHOLD 15.0

/* The first x where the curve is at or below th, interpolated between points;
 * -1 when it never is. */
static double first_below(const double *x, const double *y, int n, double th) {
    for (int i = 0; i < n; i++)
        if (y[i] <= th) {
            if (i == 0) return x[0];
            return x[i - 1] + (x[i] - x[i - 1]) * (y[i - 1] - th) / (y[i - 1] - y[i]);
        }
    return -1;
}

int exp_run_relu_tanh(const ExpRun *r, ExpResult *out) {
    const Scale s = pick(r, (Scale){4000, 1000, 6, 0}, (Scale){20000, 2000, 15, 0});
    snprintf(out->title, sizeof out->title, "ReLU vs tanh: training speed (Krizhevsky et al. 2012, Fig. 1)");
    snprintf(out->claim, sizeof out->claim,
             "A four-layer CNN with ReLUs reaches 25%% training error on CIFAR-10 six times faster "
             "than the same net with tanh units.");
    int p = exp_panel(out, "training error, running mean per quarter epoch", "epoch", "training error (%)",
                      0, 0);
    exp_note(out->setup, sizeof out->setup,
             "The same four-layer net (conv 5x5x16, pool, conv 5x5x32, pool, FC 128, FC 10) with "
             "ReLU or tanh after each hidden layer; the first %d Fashion-MNIST training images, "
             "%d epochs, batch 64, SGD momentum 0.9, lr 0.01 for both (AlexNet's), no weight "
             "decay, dropout or augmentation (the paper: no regularization); He init for ReLU, "
             "Xavier for tanh (each activation's own). Threshold %.0f%% training error: about "
             "the error of a linear softmax classifier on Fashion-MNIST (Xiao et al. 2017: "
             "logistic regression 84%% test accuracy), so a net below it uses its hidden layers, "
             "as 25%% on CIFAR-10 was far below a linear model there.",
             s.n_train, s.epochs, RELU_TANH_THRESHOLD);
    double reach[2];
    for (int k = 0; k < 2; k++) {
        const char *name = k ? "tanh" : "relu";
        EngGraph *g = small_cnn(k);
        if (!g) return APP_FAIL;
        ExpTrain t;
        fill_train(&t, r, &s, name);
        t.g = g, t.batch = 64, t.opt = ENG_OPT_SGD, t.lr = 0.01, t.momentum = 0.9;
        t.init = k ? ENG_INIT_XAVIER : ENG_INIT_HE, t.points_per_epoch = 4;
        char live_test[48];
        snprintf(live_test, sizeof live_test, "%s test", name);
        t.as_running = name, t.as_test = live_test;
        ExpCurves c;
        int rc = t.train ? exp_train(&t, &c) : -1;
        eng_graph_destroy(g);
        if (rc != 0) return APP_FAIL;
        ExpSeries *tr = exp_series(out, name, p, k, 0);
        for (int i = 0; i < c.n_running; i++) exp_point(tr, c.run_x[i], c.run_err[i]);
        char key[48];
        snprintf(key, sizeof key, "%s test", name);
        ExpSeries *te = exp_series(out, key, p, k, 1);
        for (int e = 0; e < c.epochs_done; e++) exp_point(te, e + 1, c.test_err[e]);
        reach[k] = first_below(c.run_x, c.run_err, c.n_running, RELU_TANH_THRESHOLD);
        snprintf(key, sizeof key, "epochs_to_threshold_%s", name);
        exp_extra(out, key, reach[k]);
        snprintf(key, sizeof key, "seconds_%s", name);
        exp_extra(out, key, c.seconds);
    }
    ExpSeries *th = exp_series(out, "threshold", p, 7, 1);
    exp_point(th, 0, RELU_TANH_THRESHOLD);
    exp_point(th, s.epochs, RELU_TANH_THRESHOLD);
    exp_extra(out, "threshold_percent", RELU_TANH_THRESHOLD);
    if (reach[0] > 0 && reach[1] > 0)
        exp_note(out->finding, sizeof out->finding,
                 "%.0f%% training error reached after %.2f epochs with ReLU, %.2f with tanh: "
                 "%.2f times faster with ReLU.", RELU_TANH_THRESHOLD, reach[0], reach[1],
                 reach[1] / reach[0]);
    else
        exp_note(out->finding, sizeof out->finding,
                 "%.0f%% training error: ReLU %s, tanh %s within %d epochs.", RELU_TANH_THRESHOLD,
                 reach[0] > 0 ? "reached it" : "did not reach it",
                 reach[1] > 0 ? "reached it" : "did not reach it", s.epochs);
    return APP_OK;
}

/* ---- 5. two 3x3 against one 5x5 --------------------------------------------------- */

/* conv 3x3 32 - pool - [two conv 3x3 32 | one conv 5x5 32] - pool - conv 3x3 64 -
 * global average - FC 10; ReLU after every conv. */
static EngGraph *vgg_net(int stack) {
    EngGraph *g = eng_graph_create();
    if (!g) return NULL;
    int x = eng_input(g, "data", 1, 28, 28);
    x = eng_relu(g, "relu1", eng_conv_k(g, "conv1", x, 32, 3, 1, 1, 1, 1));
    x = eng_maxpool_k(g, "pool1", x, 2, 2, 0);
    if (stack) {
        x = eng_relu(g, "relu2a", eng_conv_k(g, "conv2a", x, 32, 3, 1, 1, 1, 1));
        x = eng_relu(g, "relu2b", eng_conv_k(g, "conv2b", x, 32, 3, 1, 1, 1, 1));
    } else {
        x = eng_relu(g, "relu2", eng_conv_k(g, "conv2", x, 32, 5, 1, 2, 1, 1));
    }
    x = eng_maxpool_k(g, "pool2", x, 2, 2, 0);
    x = eng_relu(g, "relu3", eng_conv_k(g, "conv3", x, 64, 3, 1, 1, 1, 1));
    x = eng_gavgpool(g, "avgpool", x);
    return finish(g, eng_fc(g, "fc", x, 10, 1));
}

int exp_run_vgg(const ExpRun *r, ExpResult *out) {
    const Scale s = pick(r, (Scale){3000, 1000, 5, 0}, (Scale){20000, 5000, 12, 0});
    snprintf(out->title, sizeof out->title,
             "Two 3x3 convolutions vs one 5x5, trained (Simonyan and Zisserman 2015, sec. 2.3)");
    snprintf(out->claim, sizeof out->claim,
             "A stack of two 3x3 convolutions sees what one 5x5 sees with fewer parameters and one "
             "more non-linearity, which makes the decision function more discriminative.");
    int p = exp_panel(out, "test error per epoch (solid), training error (dashed)", "epoch", "error (%)",
                      0, 0);
    exp_note(out->setup, sizeof out->setup,
             "Two nets identical but for one block on 14x14x32 maps: conv 3x3x32, pool, [conv "
             "3x3x32, ReLU, conv 3x3x32, ReLU | conv 5x5x32, ReLU], pool, conv 3x3x64, global "
             "average, FC 10. The first %d Fashion-MNIST training images, the first %d test images, "
             "%d epochs, batch 64, SGD momentum 0.9, lr 0.01, weight decay 5e-4 (VGG's), He init, "
             "the same seed for both. Time: the training steps, wall clock, on the threads given.",
             s.n_train, s.n_test, s.epochs);
    static const char *names[2] = {"two 3x3", "one 5x5"};
    double err[2] = {0};
    for (int k = 0; k < 2; k++) {
        EngGraph *g = vgg_net(k == 0);
        if (!g) return APP_FAIL;
        EngTotals tot = eng_graph_totals(g);
        ExpTrain t;
        fill_train(&t, r, &s, names[k]);
        t.g = g, t.batch = 64, t.opt = ENG_OPT_SGD, t.lr = 0.01, t.momentum = 0.9, t.weight_decay = 5e-4;
        t.init = ENG_INIT_HE, t.points_per_epoch = 1;
        char live_train[48];
        snprintf(live_train, sizeof live_train, "%s train", names[k]);
        t.as_test = names[k], t.as_running = live_train;
        ExpCurves c;
        int rc = t.train ? exp_train(&t, &c) : -1;
        eng_graph_destroy(g);
        if (rc != 0) return APP_FAIL;
        ExpSeries *te = exp_series(out, names[k], p, k, 0);
        char key[48];
        snprintf(key, sizeof key, "%s train", names[k]);
        ExpSeries *tr = exp_series(out, key, p, k, 1);
        for (int e = 0; e < c.epochs_done; e++) exp_point(te, e + 1, c.test_err[e]);
        for (int i = 0; i < c.n_running; i++) exp_point(tr, c.run_x[i], c.run_err[i]);
        err[k] = c.test_err[c.epochs_done - 1];
        const char *id = k ? "5x5" : "3x3";
        snprintf(key, sizeof key, "test_err_%s", id), exp_extra(out, key, err[k]);
        snprintf(key, sizeof key, "params_%s", id), exp_extra(out, key, (double)tot.params);
        snprintf(key, sizeof key, "macs_%s", id), exp_extra(out, key, (double)tot.macs);
        snprintf(key, sizeof key, "seconds_train_%s", id), exp_extra(out, key, c.seconds);
        exp_note(out->finding, sizeof out->finding, "%s%s: test error %.2f%%, %lld parameters, %lld MACs, "
                 "%.1f s of training. ", k ? "" : "", names[k], err[k], (long long)tot.params,
                 (long long)tot.macs, c.seconds);
    }
    exp_note(out->finding, sizeof out->finding, "The 3x3 stack is %s here.",
             err[0] < err[1] ? "more accurate with fewer parameters" : "NOT more accurate at this scale");
    return APP_OK;
}

/* ---- 6. dropout and augmentation -------------------------------------------------- */

static EngGraph *drop_net(int dropout) {
    EngGraph *g = eng_graph_create();
    if (!g) return NULL;
    int x = eng_input(g, "data", 1, 28, 28);
    x = eng_relu(g, "relu1", eng_conv_k(g, "conv1", x, 16, 5, 1, 2, 1, 1));
    x = eng_maxpool_k(g, "pool1", x, 2, 2, 0);
    x = eng_relu(g, "relu2", eng_conv_k(g, "conv2", x, 32, 5, 1, 2, 1, 1));
    x = eng_maxpool_k(g, "pool2", x, 2, 2, 0);
    x = eng_relu(g, "relu3", eng_fc(g, "fc3", x, 256, 1));
    if (dropout) x = eng_dropout(g, "drop3", x, 0.5f);
    return finish(g, eng_fc(g, "fc4", x, 10, 1));
}

int exp_run_dropout(const ExpRun *r, ExpResult *out) {
    const Scale s = pick(r, (Scale){2000, 1000, 8, 0}, (Scale){5000, 5000, 25, 0});
    snprintf(out->title, sizeof out->title,
             "Dropout and augmentation against overfitting (Krizhevsky et al. 2012, sec. 4)");
    snprintf(out->claim, sizeof out->claim,
             "Without dropout and data augmentation AlexNet overfits badly; each narrows the gap "
             "between training and test error.");
    int p0 = exp_panel(out, "training (solid) and test (dashed) error", "epoch", "error (%)", 0, 0);
    int p1 = exp_panel(out, "gap: test minus training error", "epoch", "gap (percentage points)", 0, 0);
    exp_note(out->setup, sizeof out->setup,
             "conv 5x5x16, pool, conv 5x5x32, pool, FC 256 [dropout 0.5], FC 10, trained four "
             "ways on a small training set (the first %d Fashion-MNIST images, so that it "
             "overfits within the run), %d epochs, batch 64, SGD momentum 0.9, lr 0.01, no weight "
             "decay (to see dropout and augmentation alone), He init. Augmentation: AlexNet's kind, "
             "moves of up to 2 pixels and left-right mirrors. Training error measured after each "
             "epoch on the training images in inference mode (no dropout, no augmentation), test "
             "error on the first %d test images.",
             s.n_train, s.epochs, s.n_test);
    static const char *names[4] = {"plain", "dropout", "augment", "dropout+augment"};
    for (int k = 0; k < 4; k++) {
        EngGraph *g = drop_net(k & 1);
        if (!g) return APP_FAIL;
        ExpTrain t;
        fill_train(&t, r, &s, names[k]);
        t.g = g, t.batch = 64, t.opt = ENG_OPT_SGD, t.lr = 0.01, t.momentum = 0.9, t.init = ENG_INIT_HE;
        t.augment = k & 2 ? APP_AUG_FLIP_SHIFT : APP_AUG_NONE, t.eval_train = 1;
        char live_test[48];
        snprintf(live_test, sizeof live_test, "%s test", names[k]);
        t.as_train = names[k], t.as_test = live_test;
        ExpCurves c;
        int rc = t.train ? exp_train(&t, &c) : -1;
        eng_graph_destroy(g);
        if (rc != 0) return APP_FAIL;
        char key[48];
        ExpSeries *tr = exp_series(out, names[k], p0, k, 0);
        snprintf(key, sizeof key, "%s test", names[k]);
        ExpSeries *te = exp_series(out, key, p0, k, 1);
        snprintf(key, sizeof key, "%s gap", names[k]);
        ExpSeries *gap = exp_series(out, key, p1, k, 0);
        for (int e = 0; e < c.epochs_done; e++) {
            exp_point(tr, e + 1, c.train_err[e]);
            exp_point(te, e + 1, c.test_err[e]);
            exp_point(gap, e + 1, c.test_err[e] - c.train_err[e]);
        }
        const int last = c.epochs_done - 1;
        snprintf(key, sizeof key, "gap_%s", names[k]), exp_extra(out, key, c.test_err[last] - c.train_err[last]);
        snprintf(key, sizeof key, "test_err_%s", names[k]), exp_extra(out, key, c.test_err[last]);
        snprintf(key, sizeof key, "seconds_%s", names[k]), exp_extra(out, key, c.seconds);
        exp_note(out->finding, sizeof out->finding, "%s: gap %.2f points (test %.2f%%). ", names[k],
                 c.test_err[last] - c.train_err[last], c.test_err[last]);
    }
    return APP_OK;
}
