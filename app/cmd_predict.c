/*
 * cmd_predict.c — `convscope predict`: what a classifier makes of an
 * input, its most probable classes with their names; and the opening of a
 * trained classifier on one input that predict and gradcam share.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"

static const char predict_usage[] =
    "usage: convscope predict MODEL (--image FILE | --input FILE.npy | --image-index N)\n"
    "                         [--weights FILE] [--data digits|fashion|PATH] [--top K] [--json]\n"
    "                         [--preprocess PRESET] [--mean M|R,G,B] [--std S|R,G,B]\n"
    "                         [--channel-order rgb|bgr] [--input CxHxW] [--threads N]\n"
    "  Runs the model with its trained weights (--weights, or the shipped ones its card\n"
    "  names; an .onnx file brings its own) on an image file, prepared as the model\n"
    "  expects (its card's preprocessing, or --mean, --std, --channel-order), on a float32\n"
    "  array fed as is, or on test image N of its data set, and prints the K most\n"
    "  probable classes (default 5): the softmax of the class scores, with the classes'\n"
    "  names (the data set's for the zoo's small networks, ImageNet's for a 1000-class\n"
    "  output). --json prints {\"model\",\"top\":[{\"class\",\"label\",\"prob\"},...]}; a\n"
    "  class without a name has the label null.\n";

/* "a" or "a,b,c", finite numbers, into v[3] (one copied to all); the count, or 0. */
static int parse_triple(const char *s, float v[3]) {
    double d[3];
    int n = 0;
    for (const char *p = s;;) {
        char *end;
        if (n == 3) return 0; /* a fourth number */
        errno = 0;
        d[n] = strtod(p, &end);
        if (errno || end == p || !isfinite(d[n]) || fabs(d[n]) > 1e6) return 0;
        n++;
        if (!*end) break;
        if (*end != ',') return 0;
        p = end + 1;
    }
    if (n == 2) return 0;
    for (int k = 0; k < 3; k++) v[k] = (float)d[n == 1 ? 0 : k];
    return n;
}

int app_apply_norm(const AppOptions *o, ModelPreproc *p, const char *cmd) {
    float m[3], s[3];
    if (o->mean && !parse_triple(o->mean, m)) {
        fprintf(stderr, "convscope %s: --mean takes 1 or 3 numbers, ',' between, not '%s'\n", cmd, o->mean);
        return APP_USAGE;
    }
    if (o->std && (!parse_triple(o->std, s) || !(s[0] > 0 && s[1] > 0 && s[2] > 0))) {
        fprintf(stderr, "convscope %s: --std takes 1 or 3 numbers above 0, ',' between, not '%s'\n", cmd,
                o->std);
        return APP_USAGE;
    }
    if (o->mean || o->std) {
        /* pixels in 0..1 from now on: what the preprocessing had, in those units, stays */
        const float unit = 255.0f * p->scale;
        for (int k = 0; k < 3; k++) {
            const float sd = p->std[k] != 0 ? p->std[k] : 1.0f;
            p->mean[k] = o->mean ? m[k] : p->mean[k] / unit;
            p->std[k] = o->std ? s[k] : sd / unit;
        }
        p->scale = 1.0f / 255.0f;
    }
    if (o->channel_order) p->bgr = !strcmp(o->channel_order, "bgr");
    return APP_OK;
}

/* Which input o gives: exactly one of --image, --input FILE.npy, --image-index. */
static int check_source(const AppOptions *o, const char *cmd) {
    if (o->image && o->npy_in) {
        fprintf(stderr, "convscope %s: give --image or --input, not both\n", cmd);
        return APP_USAGE;
    }
    if (!o->image && !o->npy_in && !o->image_index_set) {
        fprintf(stderr, "convscope %s: which input? give --image FILE, --input FILE.npy or "
                        "--image-index N (see 'convscope %s --help')\n", cmd, cmd);
        return APP_USAGE;
    }
    return APP_OK;
}

/* The input o names into the graph's input buffer, and its description. */
static int fill_input(AppClassifier *c, const AppOptions *o, const char *cmd) {
    const EngNode *in = eng_graph_node(c->g, 0);
    const int C = in->out.C, H = in->out.H, W = in->out.W;
    float *x = eng_graph_input_buffer(c->g, 0);
    c->truth = -1;
    if (c->given) {
        memcpy(x, c->given, (size_t)C * H * W * sizeof *x);
        snprintf(c->source, sizeof c->source, "%.500s (as is)", o->npy_in);
    } else if (o->image) {
        char err[600];
        if (app_load_image(o->image, c->card, x, C, H, W, err, sizeof err) != 0) {
            fprintf(stderr, "convscope %s: %s\n", cmd, err);
            return APP_FAIL;
        }
        snprintf(c->source, sizeof c->source, "%.500s", o->image);
    } else {
        int idx = o->image_index;
        app_fill_batch(x, 1, C, H, W, &c->test, &idx, 1);
        c->truth = c->test.labels[idx];
        snprintf(c->source, sizeof c->source, "%.300s test image #%d", c->data ? c->data : c->test.name, idx);
    }
    return APP_OK;
}

/* The data set of --image-index, checked. */
static int load_test(AppClassifier *c, const AppOptions *o, const char *cmd) {
    const EngNode *in = eng_graph_node(c->g, 0);
    if (o->image_index_set && !o->image && !o->npy_in) {
        if (!c->data) {
            fprintf(stderr, "convscope %s: --image-index %d: no test set is known for %s (give --data)\n",
                    cmd, o->image_index, c->card->name);
            return APP_USAGE;
        }
        if (app_load_data(c->data, NULL, &c->test, cmd) != 0) return APP_FAIL;
        if (c->test.h > in->out.H || c->test.w > in->out.W) {
            fprintf(stderr, "convscope %s: the %dx%d images of %s do not fit %s's %dx%d input\n", cmd,
                    c->test.h, c->test.w, c->data, c->card->name, in->out.H, in->out.W);
            return APP_USAGE;
        }
    }
    return app_check_image_index(o, &c->test, c->data, o->image ? "--image" : o->npy_in ? "--input" : NULL,
                                 cmd);
}

int app_classifier_open(AppClassifier *c, AppOptions *o, int grads, const char *cmd) {
    int rc;
    memset(c, 0, sizeof *c);
    c->truth = -1;
    ModelPreproc check = {.scale = 1, .std = {1, 1, 1}};
    if ((rc = check_source(o, cmd)) != APP_OK || (rc = app_apply_norm(o, &check, cmd)) != APP_OK)
        return rc;
    if (o->npy_in && (rc = app_load_npy_input(o->npy_in, o, &c->given, cmd)) != APP_OK) return rc;
    if (o->threads) eng_set_threads(o->threads);
    const ModelCard *card;
    c->g = app_open_trained(o, o->layer, -1, cmd, &card, &c->layer, &rc);
    if (!c->g) return rc;
    c->own = *card;
    c->card = &c->own;
    if ((rc = app_apply_norm(o, &c->own.pre, cmd)) != APP_OK) return rc;
    c->data = o->data ? o->data : card->weights_data;
    if ((rc = load_test(c, o, cmd)) != APP_OK) return rc;
    if (grads) eng_graph_enable_grads(c->g);
    else eng_graph_set_fast(c->g, 1); /* only the scores are read: the fused layout */
    if (eng_graph_plan(c->g, 1) != 0) {
        fprintf(stderr, "convscope %s: no memory for %s's activations\n", cmd, card->name);
        return APP_FAIL;
    }
    if ((rc = fill_input(c, o, cmd)) != APP_OK) return rc;
    if (eng_graph_forward(c->g) != 0) {
        fprintf(stderr, "convscope %s: the forward pass of %s failed\n", cmd, card->name);
        return APP_FAIL;
    }
    c->labels = app_class_names(c->card, c->g, c->data, &c->n_labels);
    return APP_OK;
}

void app_classifier_close(AppClassifier *c) {
    eng_graph_destroy(c->g);
    eng_dataset_free(&c->test);
    free(c->given);
    memset(c, 0, sizeof *c);
}

const char *app_classifier_label(const AppClassifier *c, int k) {
    return c->labels && k >= 0 && k < c->n_labels ? c->labels[k] : NULL;
}

/* ---- the command ------------------------------------------------------------------- */

/* The K most probable of n classes into top[0..K), most probable first (ties: the
 * lower class first). */
static void top_k(const float *p, int n, int *top, int K) {
    for (int j = 0; j < K; j++) {
        int best = -1;
        for (int k = 0; k < n; k++) {
            int taken = 0;
            for (int i = 0; i < j && !taken; i++) taken = top[i] == k;
            if (!taken && (best < 0 || p[k] > p[best])) best = k;
        }
        top[j] = best;
    }
}

static void print_top(const AppClassifier *c, const AppOptions *o, const float *p, const int *top, int K) {
    if (o->json) {
        printf("{\"model\":");
        app_json_str(stdout, c->card->name);
        printf(",\"top\":[");
        for (int j = 0; j < K; j++) {
            const char *name = app_classifier_label(c, top[j]);
            printf("%s{\"class\":%d,\"label\":", j ? "," : "", top[j]);
            if (name) app_json_str(stdout, name);
            else printf("null");
            printf(",\"prob\":%.9g}", p[top[j]]);
        }
        printf("]}\n");
        return;
    }
    const char *truth = app_classifier_label(c, c->truth);
    printf("%s on %s", c->card->display, c->source);
    if (c->truth >= 0) printf(" (label: %s)", truth ? truth : "?");
    printf("\n");
    for (int j = 0; j < K; j++) {
        const char *name = app_classifier_label(c, top[j]);
        printf("  %2d. %8.4f%%  class %-4d %s\n", j + 1, 100.0 * p[top[j]], top[j], name ? name : "");
    }
}

int app_cmd_predict(int argc, char **argv) {
    AppOptions o;
    int help, rc = app_parse_cmd(argc, argv, predict_usage, &o, &help);
    if (rc || help) return rc;
    AppClassifier c;
    rc = app_classifier_open(&c, &o, 0, "predict");
    float *p = NULL;
    int *top = NULL;
    if (rc == APP_OK) {
        const EngNode *L = eng_graph_node(c.g, eng_graph_logits(c.g, NULL));
        const int n = L->out.C * L->out.H * L->out.W;
        int K = n;
        p = malloc((size_t)n * sizeof *p);
        top = malloc((size_t)n * sizeof *top);
        if (!p || !top) {
            fprintf(stderr, "convscope predict: no memory for %d scores\n", n);
            rc = APP_FAIL;
        } else if (eng_graph_class_probs(c.g, p, &K) != 0) {
            fprintf(stderr, "convscope predict: %s's scores ('%s') are not finite numbers\n",
                    c.card->name, L->name);
            rc = APP_FAIL;
        } else {
            const int want = o.top ? o.top : 5, k = want < K ? want : K;
            top_k(p, K, top, k);
            print_top(&c, &o, p, top, k);
        }
    }
    free(p);
    free(top);
    app_classifier_close(&c);
    return rc;
}
