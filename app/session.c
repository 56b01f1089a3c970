/*
 * session.c — the model, its weights and the input every screen reads
 * (session.h): opening a network with its weights and snapshots, feeding it
 * an input and running the forward pass. No SDL here.
 */
#include "session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The filter snapshots saved beside weights file w by `convscope train`
 * (NAME.filters.safetensors next to NAME.safetensors), if there are any. */
static void load_snapshots(Session *s, const char *w) {
    char path[4200], meta[8192], err[512];
    app_snapshots_path(w, path, sizeof path);
    if (access(path, R_OK) != 0) return;
    if (eng_tensors_load(path, &s->snaps, &s->n_snaps, meta, sizeof meta, err, sizeof err) != 0) {
        snprintf(s->msg, sizeof s->msg, "filter snapshots unusable: %.400s", err);
        return;
    }
    s->n_steps = app_snapshot_steps(meta, s->steps, s->step_label, SESSION_SNAPS);
}

/* Given, shipped or random weights into the graph, the status line saying
 * which. APP_OK, or APP_FAIL after a line on stderr (given and unusable). */
static int load_weights(Session *s, const AppOptions *o) {
    char path[4096], err[512];
    const char *data = o->data ? o->data : s->card->weights_data;
    const char *w = o->weights ? o->weights : model_weights_for(s->card, data, path, sizeof path);
    if (s->card->imported && !o->weights) {
        snprintf(s->status, sizeof s->status, "weights from %s  ·  preprocess %s", s->card->venue,
                 s->card->preprocess);
    } else if (w && app_load_weights(s->graph, w, data, "view", err, sizeof err) == 0) {
        snprintf(s->status, sizeof s->status, "trained weights: %s", w);
        snprintf(s->weights_path, sizeof s->weights_path, "%s", w);
        load_snapshots(s, w);
    } else {
        if (o->weights) { /* asked for and unusable: say so and stop */
            fprintf(stderr, "convscope: %s\n", err);
            return APP_FAIL;
        }
        if (eng_graph_init_params(s->graph, 1) != 0) {
            fprintf(stderr, "convscope: no memory for %s's weights\n", s->card->name);
            return APP_FAIL;
        }
        snprintf(s->status, sizeof s->status, "random weights (He init, seed 1): no trained "
                                              "weights ship for %s", s->card->name);
    }
    memcpy(s->weights_note, s->status, sizeof s->weights_note);
    return APP_OK;
}

int session_open(Session *s, const AppOptions *o, int sample) {
    int rc;
    memset(s, 0, sizeof *s);
    s->graph = app_build_model(o, &s->card, &rc);
    if (!s->graph) return rc;
    if ((rc = load_weights(s, o)) != APP_OK) return rc;
    const char *data = o->data ? o->data : s->card->weights_data;
    s->labels = app_class_names(s->card, s->graph, data, &s->n_labels);
    s->prep = digit_prep_style(data, eng_graph_node(s->graph, 0)->out.C);
    snprintf(s->data, sizeof s->data, "%s", data ? data : "");
    eng_graph_enable_grads(s->graph); /* effective receptive fields need the backward pass */
    if (eng_graph_plan(s->graph, 1) != 0) {
        fprintf(stderr, "convscope: no memory for %s's activations and gradients\n", s->card->name);
        return APP_FAIL;
    }
    const EngNode *in = eng_graph_node(s->graph, 0);
    if (!(in->out.C == 1 && data && app_load_data(data, NULL, &s->test, "view") == 0))
        eng_dataset_free(&s->test);
    s->sample = sample;
    s->pattern = 2; /* the diagonal grating, when there is no test set */
    s->custom = calloc(session_input_len(s), sizeof *s->custom);
    if (!s->custom) {
        fprintf(stderr, "convscope: no memory for %s's input\n", s->card->name);
        return APP_FAIL;
    }
    session_set_input(s);
    return APP_OK;
}

void session_close(Session *s) {
    free(s->custom);
    s->custom = NULL;
    eng_graph_destroy(s->graph);
    s->graph = NULL;
    eng_dataset_free(&s->test);
    eng_tensors_free(s->snaps, s->n_snaps);
    s->snaps = NULL;
    s->n_snaps = 0;
}

size_t session_input_len(const Session *s) {
    const EngNode *in = eng_graph_node(s->graph, 0);
    return (size_t)in->out.C * in->out.H * in->out.W;
}

int session_first_conv(const Session *s) {
    for (int i = 0; i < eng_graph_node_count(s->graph); i++)
        if (eng_graph_node(s->graph, i)->op == ENG_OP_CONV) return i;
    return 0;
}

/* Put the input the source says (test image `sample`, a pattern, the
 * user's own) into the graph and run the forward pass. */
void session_set_input(Session *s) {
    const EngNode *in = eng_graph_node(s->graph, 0);
    float *x = eng_graph_input_buffer(s->graph, 0);
    size_t len;
    snprintf(s->status, sizeof s->status, "%s", s->weights_note);
    len = strlen(s->status);
    if (s->source == SRC_CUSTOM && s->custom) {
        memcpy(x, s->custom, session_input_len(s) * sizeof *x);
        snprintf(s->status + len, sizeof s->status - len, "  ·  input: %s", s->custom_name);
    } else if (s->source == SRC_DATA && s->test.n > 0) {
        s->sample = ((s->sample % s->test.n) + s->test.n) % s->test.n;
        int idx = s->sample;
        app_fill_batch(x, 1, in->out.C, in->out.H, in->out.W, &s->test, &idx, 1);
        snprintf(s->status + len, sizeof s->status - len, "  ·  input: %s #%d (label %s, N/P for "
                 "others)", s->test.name, idx,
                 s->labels && s->test.labels[idx] < s->n_labels ? s->labels[s->test.labels[idx]] : "?");
    } else { /* a synthetic pattern: edge detectors light up on gratings */
        s->pattern = ((s->pattern % app_pattern_count()) + app_pattern_count()) % app_pattern_count();
        app_pattern(s->pattern, s->card, x, in->out.C, in->out.H, in->out.W);
        snprintf(s->status + len, sizeof s->status - len, "  ·  input: %s (G: next pattern)",
                 app_pattern_name(s->pattern));
    }
    if (eng_graph_forward(s->graph) != 0)
        snprintf(s->msg, sizeof s->msg, "the forward pass failed (see the terminal)");
}

int session_use_image(Session *s, const char *path, const char *cmd) {
    const EngNode *in = eng_graph_node(s->graph, 0);
    DigitPrepInfo info = {0};
    if (app_load_image_prep(path, s->card, s->prep, s->invert, s->custom, in->out.C, in->out.H, in->out.W,
                            s->msg, sizeof s->msg, &info) != 0) {
        fprintf(stderr, "convscope %s: %s\n", cmd, s->msg);
        return -1;
    }
    app_image_input_name(path, s->prep, s->invert, &info, s->custom_name, sizeof s->custom_name);
    s->source = SRC_CUSTOM;
    s->msg[0] = 0;
    session_set_input(s);
    return 0;
}

void session_use_array(Session *s, const float *x, const char *path) {
    memcpy(s->custom, x, session_input_len(s) * sizeof *s->custom);
    const char *base = strrchr(path, '/');
    snprintf(s->custom_name, sizeof s->custom_name, "%.300s (as is)", base ? base + 1 : path);
    s->source = SRC_CUSTOM;
    session_set_input(s);
}

int session_load_npy_arg(const char *path, const char *image, AppOptions *o, float **data,
                         const char *cmd) {
    *data = NULL;
    if (!path) return APP_OK;
    if (image || o->C) {
        fprintf(stderr, "convscope %s: --input %s feeds an array: no --image and no --input CxHxW "
                        "beside it\n", cmd, path);
        return APP_USAGE;
    }
    return app_load_npy_input(path, o, data, cmd);
}
