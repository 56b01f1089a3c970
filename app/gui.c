/*
 * gui.c — `convscope view` (the window) and `convscope render` (the same
 * frame drawn into a PNG, no display needed). Per-frame work in one function:
 * poll events, update, draw (SDL's testdrawchessboard.c loop()).
 *
 * The forward stepper: a layer strip across the top, the input as the
 * network sees it and the top-5 classes on the left, every feature map of
 * the current layer in the middle. Tab switches to the layer table.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"

#ifdef CONVSCOPE_HAVE_GUI
#include <SDL_image.h>

#include "canvas.h"
#include "gui.h"
#include "viz.h"

typedef struct {
    const ModelCard *card;
    EngGraph *graph;
    int current;          /* node shown */
    int page;             /* feature-map page */
    int table;            /* show the layer table instead */
    int scroll;           /* table scroll */
    int playing;
    Uint32 last_step;
    char status[512];     /* what the user should know: weights, input */
    char msg[512];        /* the last action's result or error */
    const char *const *labels;
    int n_labels;
    int zoom;             /* channel shown alone, -1 = grid */
    int sel_y, sel_x;     /* selected unit of the zoomed channel, -1 = none */
    float *erf;           /* (H, W) |d unit / d input| summed over channels, or NULL */
    int proj;             /* projection to pixels: 0 off, else 1 + EngProjRule (D cycles) */
    float *proj_map;      /* (C, H, W) of the input, or NULL */
    EngTensor *snaps;     /* filter snapshots taken while training: "step<S>/<layer>.weight" */
    int n_snaps;
    int64_t steps[256];   /* their steps and labels, in order */
    char step_label[256][APP_SNAP_LABEL];
    int n_steps;
    int snap;             /* step shown in the filters view; -1 = the weights as they are */
    int evolution;        /* show every snapshot of the layer's filters at once (E) */
    int filters;          /* show the current layer's filters */
    int help;             /* key overlay */
    EngDataset test;      /* the images N/P browse */
    int sample;
    char weights_note[512];
    char weights_path[4096]; /* the weights file in use, "" for random or imported ones */
    int probe;            /* 0, or what the main panel shows instead: PROBE_TOP9, PROBE_OCCLUSION */
    int probe_ready;      /* its result is computed (for probe_layer, probe_channel) */
    int probe_layer, probe_channel;
    AppTop9 top9;
    float *t9_proj[9], *t9_patch[9]; /* crops of the winners' fields */
    char t9_caption[9][96];
    AppOcclusion occ;
    float *occ_img;       /* the image occluded (C, H, W) */
    int prog_done, prog_total; /* progress of the job under way (worker mutex) */
    int cancel;           /* Esc during a job (worker mutex) */
    int source;           /* what set_input feeds: SRC_DATA, SRC_PATTERN, SRC_CUSTOM */
    int pattern;          /* app_pattern index */
    float *custom;        /* (C, H, W) an image file or the drawing; the worker reads it */
    char custom_name[320];
    /* owned by the thread that draws */
    float *canvas;        /* the drawing (H, W) in 0..1, or a dropped image waiting (pending) */
    float *pending;       /* (C, H, W) the next custom input, copied in when the worker is free */
    char pending_name[320];
    int pending_dirty;
    int drawing;          /* W: the input panel is a canvas */
    float stroke_x, stroke_y; /* last point of the stroke in input pixels, < 0: none */
    int hover_c, hover_y, hover_x; /* the unit under the mouse in the maps, -1: none */
    int browsing;         /* B: a page of test images to pick the input from */
    int browse_page;
    int view3d;           /* 3: the network in 3D instead of the maps */
    Viz3dCamera cam;
    int orbiting;         /* the mouse is turning the 3D camera */
} Stepper;

enum { SRC_DATA, SRC_PATTERN, SRC_CUSTOM };

enum { PROBE_NONE, PROBE_TOP9, PROBE_OCCLUSION };

static void set_input(Stepper *s);

/* The filter snapshots saved beside weights file w by `convscope train`
 * (NAME.filters.safetensors next to NAME.safetensors), if there are any. */
static void load_snapshots(Stepper *s, const char *w) {
    s->snap = -1;
    char path[4200], meta[8192], err[512];
    app_snapshots_path(w, path, sizeof path);
    if (access(path, R_OK) != 0) return;
    if (eng_tensors_load(path, &s->snaps, &s->n_snaps, meta, sizeof meta, err, sizeof err) != 0) {
        snprintf(s->msg, sizeof s->msg, "filter snapshots unusable: %.400s", err);
        return;
    }
    s->n_steps = app_snapshot_steps(meta, s->steps, s->step_label, 256);
}

/* Snapshot k of the current layer's filters, or NULL if it has none. */
static const float *find_snapshot(const Stepper *s, int k) {
    const EngNode *nd = eng_graph_node(s->graph, s->current);
    if (nd->op != ENG_OP_CONV || k < 0 || k >= s->n_steps) return NULL;
    char name[200];
    app_snapshot_name(name, sizeof name, s->steps[k], nd);
    for (int i = 0; i < s->n_snaps; i++)
        if (!strcmp(s->snaps[i].name, name) && s->snaps[i].n == nd->params[0].n) return s->snaps[i].data;
    return NULL;
}

/* The snapshot of the current layer's filters at the step shown, or NULL. */
static const float *snapshot_of(const Stepper *s, char *when, size_t n) {
    if (s->snap < 0 || s->snap >= s->n_steps || eng_graph_node(s->graph, s->current)->op != ENG_OP_CONV)
        return NULL;
    const float *v = find_snapshot(s, s->snap);
    if (v) {
        if (!strncmp(s->step_label[s->snap], "step", 4))
            snprintf(when, n, "at %s of training  ([ ] to scrub)", s->step_label[s->snap]);
        else
            snprintf(when, n, "at %s (step %lld)  ([ ] to scrub)", s->step_label[s->snap],
                     (long long)s->steps[s->snap]);
        return v;
    }
    snprintf(when, n, "no snapshot of this layer at %s: trained weights shown", s->step_label[s->snap]);
    return NULL;
}

/* Weights (given, shipped, or seeded random), an input (a test image of the
 * card's dataset, or a grating for colour models), one forward pass. */
static int stepper_init(Stepper *s, const AppOptions *o, int sample) {
    int rc;
    memset(s, 0, sizeof *s);
    s->snap = -1;
    s->graph = app_build_model(o, &s->card, &rc);
    if (!s->graph) return rc;
    char path[4096], err[512];
    const char *w = o->weights ? o->weights : model_weights_path(s->card, path, sizeof path);
    const char *data = o->data ? o->data : s->card->weights_data;
    if (s->card->imported && !o->weights) {
        snprintf(s->status, sizeof s->status, "weights from %s  ·  preprocess %s", s->card->venue,
                 s->card->preprocess);
    } else if (w && eng_weights_load(s->graph, NULL, w, NULL, 0, err, sizeof err) == 0) {
        snprintf(s->status, sizeof s->status, "trained weights: %s", w);
        snprintf(s->weights_path, sizeof s->weights_path, "%s", w);
        load_snapshots(s, w);
    } else {
        if (o->weights) { /* asked for and unusable: say so and stop */
            fprintf(stderr, "convscope: %s\n", err);
            eng_graph_destroy(s->graph);
            s->graph = NULL;
            return APP_FAIL;
        }
        eng_graph_init_params(s->graph, 1);
        snprintf(s->status, sizeof s->status, "random weights (He init, seed 1): no trained "
                                              "weights ship for %s", s->card->name);
    }
    s->labels = app_class_names(s->card, s->graph, data, &s->n_labels);
    s->zoom = s->sel_y = s->sel_x = -1;
    /* open on the first convolution: the forward pass is already visible */
    for (int i = 0; i < eng_graph_node_count(s->graph); i++)
        if (eng_graph_node(s->graph, i)->op == ENG_OP_CONV) {
            s->current = i;
            break;
        }
    memcpy(s->weights_note, s->status, sizeof s->weights_note);
    eng_graph_enable_grads(s->graph); /* effective receptive fields need the backward pass */
    if (eng_graph_plan(s->graph, 1) != 0) return APP_FAIL;
    const EngNode *in = eng_graph_node(s->graph, 0);
    if (!(in->out.C == 1 && data && app_load_data(data, NULL, &s->test, "view") == 0))
        eng_dataset_free(&s->test);
    s->sample = sample;
    s->pattern = 2; /* the diagonal grating, when there is no test set */
    const size_t n = (size_t)in->out.C * in->out.H * in->out.W;
    s->custom = calloc(n, sizeof *s->custom);
    s->pending = calloc(n, sizeof *s->pending);
    s->canvas = calloc((size_t)in->out.H * in->out.W, sizeof *s->canvas);
    if (!s->custom || !s->pending || !s->canvas) return APP_FAIL;
    s->stroke_x = s->stroke_y = -1;
    s->hover_c = s->hover_y = s->hover_x = -1;
    s->cam = (Viz3dCamera){1.1f, 0.3f, 9.0f, viz_3d_node_z(s->graph, s->current)};
    set_input(s);
    return APP_OK;
}

/* ---- inputs of the user's own: an image file, a drawing -------------------------------- */

/* An image file (dropped on the window, or --image) as the next input. */
static int stepper_take_image(Stepper *s, const char *path) {
    const EngNode *in = eng_graph_node(s->graph, 0);
    if (app_load_image(path, s->card, s->pending, in->out.C, in->out.H, in->out.W, s->msg,
                       sizeof s->msg) != 0)
        return -1;
    const char *base = strrchr(path, '/');
    snprintf(s->pending_name, sizeof s->pending_name, "%.300s", base ? base + 1 : path);
    s->pending_dirty = 1;
    s->drawing = 0;
    return 0;
}

/* An image file as the input now (--image): 0, or -1 after a line on stderr. */
static int stepper_use_image(Stepper *s, const char *path, const char *cmd) {
    if (stepper_take_image(s, path) != 0) {
        fprintf(stderr, "convscope %s: %s\n", cmd, s->msg);
        return -1;
    }
    const EngNode *in = eng_graph_node(s->graph, 0);
    memcpy(s->custom, s->pending, (size_t)in->out.C * in->out.H * in->out.W * sizeof *s->custom);
    snprintf(s->custom_name, sizeof s->custom_name, "%s", s->pending_name);
    s->source = SRC_CUSTOM;
    s->pending_dirty = 0;
    s->msg[0] = 0;
    set_input(s);
    return 0;
}

/* --input FILE.npy (view, render): an array fed as is, no preprocessing. The
 * option's other meaning, --input CxHxW (the input size), stays app_parse's:
 * a value ending in ".npy" is a file, taken out of rest[] before app_parse. */
static const char *take_npy_arg(char **rest, int *nrest) {
    for (int i = 0; i + 1 < *nrest; i++) {
        const char *v = rest[i + 1];
        size_t n = strlen(v);
        if (strcmp(rest[i], "--input") || n < 4 || strcmp(v + n - 4, ".npy")) continue;
        memmove(rest + i, rest + i + 2, (size_t)(*nrest - i - 2) * sizeof *rest);
        *nrest -= 2;
        return v;
    }
    return NULL;
}

/* The array of take_npy_arg into *data; the model is then built at its size.
 * APP_OK, or an exit code after a line on stderr. */
static int load_npy_arg(const char *path, const char *image, AppOptions *o, float **data,
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

/* The array of --input FILE.npy (the input's shape) as the input now. */
static void stepper_use_array(Stepper *s, const float *x, const char *path) {
    const EngNode *in = eng_graph_node(s->graph, 0);
    memcpy(s->custom, x, (size_t)in->out.C * in->out.H * in->out.W * sizeof *s->custom);
    const char *base = strrchr(path, '/');
    snprintf(s->custom_name, sizeof s->custom_name, "%.300s (as is)", base ? base + 1 : path);
    s->source = SRC_CUSTOM;
    set_input(s);
}

/* The drawing, preprocessed like a picture whose strokes are white on black. */
static void canvas_to_pending(Stepper *s) {
    const EngNode *in = eng_graph_node(s->graph, 0);
    const int C = in->out.C, H = in->out.H, W = in->out.W;
    const ModelPreproc *p = &s->card->pre;
    for (int c = 0; c < C; c++) {
        float mean = p->mean[c < 3 ? c : 0], sd = p->std[c < 3 ? c : 0];
        for (size_t i = 0; i < (size_t)H * W; i++)
            s->pending[(size_t)c * H * W + i] = (255.0f * s->canvas[i] * p->scale - mean) / (sd != 0 ? sd : 1);
    }
    snprintf(s->pending_name, sizeof s->pending_name, "your drawing (W: stop, Backspace: clear)");
    s->pending_dirty = 1;
}

/* A pen stroke from the last point to (y, x) in input pixels: a round brush
 * about as wide as an MNIST stroke, soft at its edge. */
static void canvas_stroke(Stepper *s, float y, float x) {
    const EngNode *in = eng_graph_node(s->graph, 0);
    const int H = in->out.H, W = in->out.W;
    const float k = (float)(H < W ? H : W) / 28.0f, r_in = 0.8f * k, r_out = 1.8f * k;
    float y0 = s->stroke_y < 0 ? y : s->stroke_y, x0 = s->stroke_x < 0 ? x : s->stroke_x;
    int ya = (int)floorf(fminf(y0, y) - r_out), yb = (int)ceilf(fmaxf(y0, y) + r_out);
    int xa = (int)floorf(fminf(x0, x) - r_out), xb = (int)ceilf(fmaxf(x0, x) + r_out);
    const float dy = y - y0, dx = x - x0, len2 = dy * dy + dx * dx;
    for (int py = ya < 0 ? 0 : ya; py <= yb && py < H; py++)
        for (int px = xa < 0 ? 0 : xa; px <= xb && px < W; px++) {
            float cy = py + 0.5f, cx = px + 0.5f, t = 0;
            if (len2 > 0) t = fmaxf(0, fminf(1, ((cy - y0) * dy + (cx - x0) * dx) / len2));
            float ey = cy - (y0 + t * dy), ex = cx - (x0 + t * dx), d = sqrtf(ey * ey + ex * ex);
            float v = fmaxf(0, fminf(1, (r_out - d) / (r_out - r_in)));
            float *c = &s->canvas[(size_t)py * W + px];
            if (v > *c) *c = v;
        }
    s->stroke_y = y, s->stroke_x = x;
    canvas_to_pending(s);
}

/* Put test image `sample` (or a grating when there is no dataset) into the
 * input and run the forward pass. */
static void set_input(Stepper *s) {
    const EngNode *in = eng_graph_node(s->graph, 0);
    float *x = eng_graph_input_buffer(s->graph, 0);
    size_t len;
    snprintf(s->status, sizeof s->status, "%s", s->weights_note);
    len = strlen(s->status);
    if (s->source == SRC_CUSTOM && s->custom) {
        memcpy(x, s->custom, (size_t)in->out.C * in->out.H * in->out.W * sizeof *x);
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
    eng_graph_forward(s->graph);
}

/* The effective receptive field of the selected unit (Luo et al. 2016): the
 * gradient of that one activation with respect to every input pixel. */
static void stepper_erf(Stepper *s) {
    free(s->erf);
    s->erf = NULL;
    if (s->zoom < 0 || s->sel_y < 0 || s->sel_x < 0) return;
    EngNode *n = eng_graph_node_mut(s->graph, s->current);
    if (!n->grad) return;
    eng_graph_zero_grads(s->graph);
    n->grad[((size_t)s->zoom * n->out.H + s->sel_y) * n->out.W + s->sel_x] = 1.0f;
    if (eng_graph_backward(s->graph) != 0) {
        snprintf(s->msg, sizeof s->msg, "no effective receptive field through this network");
        return;
    }
    const EngNode *in = eng_graph_node(s->graph, 0);
    size_t hw = (size_t)in->out.H * in->out.W;
    s->erf = calloc(hw, sizeof *s->erf);
    if (!s->erf) return;
    for (int c = 0; c < in->out.C; c++)
        for (size_t i = 0; i < hw; i++) s->erf[i] += fabsf(in->grad[(size_t)c * hw + i]);
}

static const char *const rule_names[] = {"plain gradient (saliency)", "deconvnet (Zeiler & Fergus)",
                                         "guided backprop"};
static const int rule_cycle[4] = {0, 1 + ENG_RULE_DECONV, 1 + ENG_RULE_GUIDED, 1 + ENG_RULE_BACKPROP};

/* The zoomed channel (or its selected unit) projected back to the input. */
static void stepper_project(Stepper *s) {
    free(s->proj_map);
    s->proj_map = NULL;
    if (!s->proj || s->zoom < 0) return;
    if (eng_graph_project(s->graph, s->current, s->zoom, s->sel_y, s->sel_x,
                          (EngProjRule)(s->proj - 1)) != 0) {
        snprintf(s->msg, sizeof s->msg, "no projection through this layer");
        return;
    }
    const EngNode *in = eng_graph_node(s->graph, 0);
    size_t n = (size_t)in->out.C * in->out.H * in->out.W;
    s->proj_map = malloc(n * sizeof *s->proj_map);
    if (s->proj_map) memcpy(s->proj_map, in->grad, n * sizeof *s->proj_map);
}

static void probe_free(Stepper *s) {
    app_top9_free(&s->top9);
    for (int k = 0; k < 9; k++) {
        free(s->t9_proj[k]);
        free(s->t9_patch[k]);
        s->t9_proj[k] = s->t9_patch[k] = NULL;
    }
    free(s->occ.maps);
    free(s->occ_img);
    s->occ.maps = NULL;
    s->occ_img = NULL;
    s->probe_ready = 0;
}

/* The top-9 or the occlusion maps of the zoomed channel (T, O), then the
 * stepper's own state back: batch 1, the input's forward pass. */
static void stepper_probe(Stepper *s, AppProgress progress, void *ctx) {
    probe_free(s);
    EngGraph *g = s->graph;
    const EngNode *in = eng_graph_node(g, 0);
    const int C = in->out.C, H = in->out.H, W = in->out.W;
    const size_t n = (size_t)C * H * W;
    char err[512] = "";
    int rc = -1;
    if (s->zoom < 0) {
        snprintf(err, sizeof err, "zoom into a channel first (click a map)");
    } else if (s->probe == PROBE_TOP9 && s->test.n <= 0) {
        snprintf(err, sizeof err, "top-9 needs a test set; for image files use 'convscope top9 %s "
                 "--images DIR'", s->card->name);
    } else if (s->probe == PROBE_TOP9) {
        rc = app_top9_run(g, s->card, s->weights_path[0] ? s->weights_path : NULL, s->current, s->zoom,
                          &s->test, ENG_RULE_DECONV, 64, &s->top9, progress, ctx, err, sizeof err);
        float *img = rc == 0 ? malloc(n * sizeof *img) : NULL;
        for (int k = 0; img && k < s->top9.n; k++) {
            app_fill_batch(img, 1, C, H, W, &s->test, &s->top9.idx[k], 1);
            s->t9_patch[k] = app_crop(img, C, H, W, s->top9.box[k]);
            s->t9_proj[k] = app_crop(s->top9.proj[k], C, H, W, s->top9.box[k]);
            int lb = s->test.labels[s->top9.idx[k]];
            snprintf(s->t9_caption[k], sizeof s->t9_caption[k], "#%d %s  %.3g", s->top9.idx[k],
                     s->labels && lb < s->n_labels ? s->labels[lb] : "?", s->top9.v[k]);
        }
        free(img);
    } else {
        s->occ_img = malloc(n * sizeof *s->occ_img);
        if (s->occ_img) {
            memcpy(s->occ_img, eng_graph_input_buffer(g, 0), n * sizeof *s->occ_img);
            /* the test image's label; any other input (a file, a drawing, a
             * pattern) has none: -1 follows the predicted class */
            const int label = s->source == SRC_DATA && s->test.n > 0 ? s->test.labels[s->sample] : -1;
            s->occ = (AppOcclusion){0, 0, NAN, label, 0, 0, {0, 0, 0}, NULL};
            rc = app_occlusion_run(g, s->current, s->zoom, s->occ_img, &s->occ, progress, ctx, err, sizeof err);
        }
    }
    if (rc == 0) {
        s->probe_ready = 1;
        s->probe_layer = s->current;
        s->probe_channel = s->zoom;
    } else {
        probe_free(s);
        s->probe = PROBE_NONE;
        snprintf(s->msg, sizeof s->msg, "%s", rc > 0 ? "stopped" : err);
    }
    eng_graph_plan(g, 1);
    set_input(s);
}

static void stepper_step(Stepper *s, int to) {
    int n = eng_graph_node_count(s->graph);
    if (to < 0) to = 0;
    if (to >= n) to = n - 1;
    /* training-only branches never run: skip them */
    while (to > 0 && to < n && !eng_graph_node(s->graph, to)->act) to += to > s->current ? 1 : -1;
    if (to >= n || to < 0 || !eng_graph_node(s->graph, to)->act) return;
    s->current = to;
    s->page = 0;
    s->probe = PROBE_NONE;
    s->hover_c = s->hover_y = s->hover_x = -1;
    s->zoom = s->sel_y = s->sel_x = -1;
    free(s->erf);
    s->erf = NULL;
    free(s->proj_map);
    s->proj_map = NULL;
}

/* Layout of one frame (w x h); the same for the window and for render. */
typedef struct {
    SDL_Rect strip, left, input, top5, main, status;
} Layout;

static Layout layout(const VizFonts *f, const Stepper *s, int w, int h) {
    Layout l;
    int m = 16, strip_h = 2 * f->small_line + 10;
    /* parallel branches stack in the strip: it grows to hold them */
    int rows = viz_layer_strip_rows(f, s->graph, s->current, w - 2 * m - 14);
    if (rows > 1) strip_h = rows * (f->small_line + 8);
    l.strip = (SDL_Rect){m + 14, m, w - 2 * m - 14, strip_h};
    int top = m + strip_h + m;
    int left_w = w / 4 < 220 ? 220 : w / 4;
    l.left = (SDL_Rect){m, top, left_w, h - top - m - f->small_line};
    l.input = (SDL_Rect){m, top, left_w, left_w + f->small_line + 4};
    l.top5 = (SDL_Rect){m, top + l.input.h + m, left_w, 5 * (f->line + 16) + f->small_line};
    l.main = (SDL_Rect){2 * m + left_w, top, w - 3 * m - left_w, h - top - 2 * m - f->small_line};
    l.status = (SDL_Rect){m, h - m - f->small_line, w - 2 * m, f->small_line};
    return l;
}

static void help_box(SDL_Renderer *r, const VizFonts *f, int w, int h, const char *const *keys, int n) {
    int bw = 0, tw, th;
    for (int i = 0; i < n; i++)
        if (TTF_SizeUTF8(f->mono, keys[i], &tw, &th) == 0 && tw > bw) bw = tw;
    int bh = n * f->mono_line + 40;
    bw += 40;
    SDL_Rect box = {(w - bw) / 2, (h - bh) / 2, bw, bh};
    SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_BLEND);
    SDL_SetRenderDrawColor(r, 10, 12, 16, 235);
    SDL_RenderFillRect(r, &box);
    SDL_SetRenderDrawColor(r, 255, 196, 84, 255);
    SDL_RenderDrawRect(r, &box);
    SDL_Color ink = {230, 232, 236, 255};
    for (int i = 0; i < n; i++) viz_text(r, f->mono, box.x + 20, box.y + 20 + i * f->mono_line, ink, keys[i]);
}

/* The test set as pages of thumbnails: where thumbnail k of the page is. */
static SDL_Rect browse_tile(const VizFonts *f, SDL_Rect a, int k, int *per_page) {
    const int tile = 96, gap = 12, cap = f->small_line + 2;
    int cols = (a.w + gap) / (tile + gap), rows = (a.h - f->line - 8 + gap) / (tile + cap + gap);
    cols = cols < 1 ? 1 : cols, rows = rows < 1 ? 1 : rows;
    *per_page = cols * rows;
    return (SDL_Rect){a.x + (k % cols) * (tile + gap), a.y + f->line + 8 + (k / cols) * (tile + cap + gap), tile,
                      tile + cap};
}

static void draw_browser(const Stepper *s, SDL_Renderer *r, const VizFonts *f, SDL_Rect a) {
    int per;
    browse_tile(f, a, 0, &per);
    const int pages = (s->test.n + per - 1) / per, first = s->browse_page * per;
    char line[256];
    snprintf(line, sizeof line, "%s: images %d-%d of %d  ·  click one to feed it  ·  PgUp/PgDn  ·  B closes",
             s->test.name, first + 1, first + per < s->test.n ? first + per : s->test.n, s->test.n);
    viz_text(r, f->sans, a.x, a.y, viz_ink(), line);
    const size_t chw = (size_t)s->test.c * s->test.h * s->test.w;
    for (int k = 0; k < per && first + k < s->test.n; k++) {
        int idx = first + k, lb = s->test.labels[idx];
        SDL_Rect t = browse_tile(f, a, k, &per);
        snprintf(line, sizeof line, "#%d %s", idx, s->labels && lb < s->n_labels ? s->labels[lb] : "");
        viz_draw_planes(r, f, s->test.images + idx * chw, s->test.c, s->test.h, s->test.w, t, 0, line);
        if (idx == s->sample && s->source == SRC_DATA) {
            SDL_SetRenderDrawColor(r, 255, 196, 84, 255);
            SDL_Rect hl = {t.x - 3, t.y - 3, t.w + 6, t.h + 6};
            SDL_RenderDrawRect(r, &hl);
        }
    }
    (void)pages;
}

/* The top-9 or occlusion maps of the zoomed channel, in the main panel. */
static void draw_probe(const Stepper *s, SDL_Renderer *r, const VizFonts *f, SDL_Rect a) {
    const EngNode *L = eng_graph_node(s->graph, s->probe_layer), *in = eng_graph_node(s->graph, 0);
    const SDL_Color ink = viz_ink(), dim = viz_dim();
    char line[512];
    if (s->probe == PROBE_TOP9) {
        snprintf(line, sizeof line, "%s, channel %d: the 9 strongest of %d %s images (T closes)", L->name,
                 s->probe_channel, s->test.n, s->test.name);
        viz_text(r, f->sans, a.x, a.y, ink, line);
        int ph[9], pw[9];
        const char *caps[9];
        for (int k = 0; k < s->top9.n; k++) {
            ph[k] = s->top9.box[k][2] - s->top9.box[k][0];
            pw[k] = s->top9.box[k][3] - s->top9.box[k][1];
            caps[k] = s->t9_caption[k];
        }
        SDL_Rect g = {a.x, a.y + f->line + 10, a.w, a.h - f->line - 10};
        snprintf(line, sizeof line, "deconvnet projections (grey = 0)%s",
                 s->top9.from_cache ? ", scan from the cache" : "");
        viz_draw_top9(r, f, g, in->out.C, (const float *const *)s->t9_proj, (const float *const *)s->t9_patch,
                      ph, pw, caps, s->top9.n, line, "their receptive-field patches");
        return;
    }
    snprintf(line, sizeof line, "occlusion: a %dx%d square of value %.3g at every position (stride %d); "
             "O closes", s->occ.size, s->occ.size, s->occ.grey, s->occ.stride);
    viz_text(r, f->sans, a.x, a.y, ink, line);
    viz_text(r, f->small, a.x, a.y + f->line + 2, dim,
             "a map pixel is the square with its top-left corner there (Zeiler & Fergus 2014, Fig. 7)");
    char c1[200], c2[200];
    snprintf(c1, sizeof c1, "%s ch %d total (clean %.3g)", L->name, s->probe_channel, s->occ.clean[0]);
    snprintf(c2, sizeof c2, "p(%s) (clean %.3f)",
             s->labels && s->occ.label >= 0 && s->occ.label < s->n_labels ? s->labels[s->occ.label] : "?",
             s->occ.clean[1]);
    const char *caps[4] = {"the image", c1, c2, "most probable class"};
    SDL_Rect g = {a.x, a.y + f->line + f->small_line + 16, a.w, a.h - f->line - f->small_line - 16};
    viz_draw_occlusion(r, f, g, s->occ_img, in->out.C, in->out.H, in->out.W, s->occ.maps, s->occ.OH,
                       s->occ.OW, caps, s->labels, s->n_labels);
}

/* The status line, cut at the window's edge with an ellipsis. */
static void status_text(SDL_Renderer *r, const VizFonts *f, SDL_Rect at, SDL_Color c, const char *text) {
    int tw = 0, th = 0, ew = 0;
    TTF_SizeUTF8(f->small, text, &tw, &th);
    TTF_SizeUTF8(f->small, " …", &ew, &th);
    if (tw <= at.w) {
        viz_text(r, f->small, at.x, at.y, c, text);
        return;
    }
    SDL_Rect clip = {at.x, at.y, at.w - ew > 0 ? at.w - ew : 0, f->small_line}, old;
    SDL_bool had = SDL_RenderIsClipEnabled(r);
    SDL_RenderGetClipRect(r, &old);
    SDL_RenderSetClipRect(r, &clip);
    viz_text(r, f->small, at.x, at.y, c, text);
    SDL_RenderSetClipRect(r, had ? &old : NULL);
    viz_text(r, f->small, at.x + clip.w, at.y, c, " …");
}

/* busy: what the worker is doing (the activations are being written), or NULL. */
static void stepper_draw(const Stepper *s, SDL_Renderer *r, const VizFonts *f, int w, int h,
                         const char *busy) {
    viz_clear(r);
    Layout l = layout(f, s, w, h);
    SDL_Color dim = viz_dim();
    if (s->table) {
        SDL_Rect area = {24, 16, w - 48, h - 44 - f->small_line};
        viz_draw_summary(r, f, s->card, s->graph, area, s->scroll);
    } else {
        viz_draw_layer_strip(r, f, s->graph, s->current, l.strip);
        if (busy) { /* the worker is writing the activations: show nothing stale */
            SDL_Color ink = {255, 196, 84, 255};
            viz_text(r, f->sans, l.main.x, l.main.y, ink, busy);
        }
    }
    if (!s->table && !busy) {
        viz_draw_input(r, f, s->graph, l.input, s->erf, eng_graph_node(s->graph, s->current)->rf,
                       s->sel_y, s->sel_x);
        if (s->proj) { /* the projection takes the place of the top-5 */
            const EngNode *in = eng_graph_node(s->graph, 0);
            char cap[256];
            snprintf(cap, sizeof cap, "projection · %s (D: next)", rule_names[s->proj - 1]);
            if (s->proj_map) {
                SDL_Rect a = l.top5;
                a.h = l.left.y + l.left.h - a.y;
                viz_draw_planes(r, f, s->proj_map, in->out.C, in->out.H, in->out.W, a, 1, cap);
            } else {
                viz_text(r, f->small, l.top5.x, l.top5.y, dim, cap);
                viz_text(r, f->small, l.top5.x, l.top5.y + f->small_line + 4, dim,
                         "click a map to project it");
            }
        } else {
            viz_draw_top5(r, f, s->graph, s->labels, s->n_labels, l.top5);
        }
        if (s->browsing && s->test.n > 0) {
            draw_browser(s, r, f, l.main);
        } else if (s->view3d) {
            viz_draw_3d(r, f, s->graph, s->current, l.main, &s->cam);
        } else if (s->evolution) {
            const float *snaps[257];
            const char *labels[257];
            int n = 0;
            const EngNode *nd = eng_graph_node(s->graph, s->current);
            /* every early step, then epochs 1, 2, 5, 10, 20, 30... and the last, as the
             * paper's figure picks epochs 1, 2, 5, 10, 20, 30, 40, 64 */
            for (int k = 0; k < s->n_steps && nd->op == ENG_OP_CONV; k++) {
                int ep = 0;
                if (sscanf(s->step_label[k], "epoch %d", &ep) == 1 && k != s->n_steps - 1 &&
                    ep != 1 && ep != 2 && ep != 5 && ep % 10 != 0)
                    continue;
                const float *v = find_snapshot(s, k);
                if (v) snaps[n] = v, labels[n++] = s->step_label[k];
            }
            viz_draw_evolution(r, f, s->graph, s->current, l.main, snaps, labels, n);
        } else if (s->filters) {
            char when[128] = "";
            const float *snap = snapshot_of(s, when, sizeof when);
            if (!when[0] && s->n_steps)
                snprintf(when, sizeof when, "trained ([ ] scrub through %d snapshots)", s->n_steps);
            viz_draw_filters(r, f, s->graph, s->current, l.main, snap, when[0] ? when : NULL);
        }
        else if (s->probe && s->probe_ready && s->probe_layer == s->current && s->probe_channel == s->zoom)
            draw_probe(s, r, f, l.main);
        else {
            viz_draw_fmaps(r, f, s->graph, s->current, l.main, s->page, s->zoom, s->sel_y, s->sel_x);
            const EngNode *nd = eng_graph_node(s->graph, s->current);
            if (s->hover_c >= 0 && s->hover_c < nd->out.C && s->hover_y < nd->out.H && s->hover_x < nd->out.W &&
                nd->act) { /* the value under the mouse */
                char v[160];
                snprintf(v, sizeof v, "channel %d, unit (%d, %d): %.5g", s->hover_c, s->hover_y, s->hover_x,
                         nd->act[((size_t)s->hover_c * nd->out.H + s->hover_y) * nd->out.W + s->hover_x]);
                int tw = 0, th = 0;
                TTF_SizeUTF8(f->sans, v, &tw, &th);
                SDL_Rect bg = {l.main.x + l.main.w - tw - 16, l.main.y + l.main.h - th - 8, tw + 12, th + 6};
                SDL_SetRenderDrawColor(r, 10, 12, 16, 255);
                SDL_RenderFillRect(r, &bg);
                viz_text(r, f->sans, bg.x + 6, bg.y + 3, (SDL_Color){255, 196, 84, 255}, v);
            }
        }
    }
    if (s->help) {
        static const char *const keys[] = {
            "Left / Right     step to the previous / next layer",
            "Home / End       first / last layer",
            "Space            play the forward pass, layer by layer",
            "click the strip  jump to a layer",
            "click a map      zoom into that channel; click a unit: its receptive field",
            "                 (box) and effective receptive field (heat map) on the input",
            "Esc              back from the zoom; quit from the grid",
            "PgUp / PgDn      page through channels",
            "F                the layer's learned filters",
            "[ / ]            filters view: the filters earlier in training",
            "E                filter evolution: every snapshot of the layer at once",
            "D                project the zoomed map (or unit) back to pixels:",
            "                 deconvnet, guided backprop, gradient, off",
            "T                top-9: the zoomed channel's strongest images in the test set",
            "O                occlusion: a grey square slid over the input",
            "Esc              (while computing) stop the job",
            "N / P            next / previous test image;  B  browse the test set",
            "G                synthetic patterns: gratings, edge, checkerboard, spot, blobs",
            "W                draw the input with the mouse (Backspace clears); drop an",
            "                 image file on the window to feed it",
            "Tab              layer table (params, MACs, memory, receptive field)",
            "3                the network in 3D (drag to orbit, wheel to zoom)",
            "C                compare two designs (3x3 stacks, bottlenecks, separable...)",
            "Z                the zoo in numbers: params, operations, error, latency",
            "R                receptive field layer by layer, networks overlaid",
            "M                pick another network on the history's timeline",
            "F11              presentation: full screen, larger type, high contrast",
            "F12              screenshot to PNG",
            "H or F1          this help",
        };
        help_box(r, f, w, h, keys, (int)(sizeof keys / sizeof keys[0]));
    }
    char keys[2048];
    if (busy) /* the worker rewrites the status text: show it when done */
        snprintf(keys, sizeof keys, "%s  ·  working …", s->card->display);
    else
        /* the last action's result first: the end of a long line may be cut */
        snprintf(keys, sizeof keys, "%s  ·  %s%s%s  ·  H help", s->card->display, s->msg,
                 s->msg[0] ? "  ·  " : "", s->status);
    status_text(r, f, l.status, dim, keys);
}

static void stepper_free(Stepper *s) {
    probe_free(s);
    free(s->custom);
    free(s->pending);
    free(s->canvas);
    s->custom = s->pending = s->canvas = NULL;
    eng_graph_destroy(s->graph);
    eng_dataset_free(&s->test);
    free(s->erf);
    free(s->proj_map);
    eng_tensors_free(s->snaps, s->n_snaps);
    s->snaps = NULL;
    s->n_snaps = 0;
    s->graph = NULL;
    s->erf = NULL;
    s->proj_map = NULL;
}

/* F12: the frame just drawn, to a PNG in the current folder named after the
 * network and a number not yet taken (app_save_png: a temporary file, then
 * a rename; nothing left behind on a failure). It is read after the frame's
 * drawing and before it is presented, so that it shows every key pressed
 * before F12. */
static void screenshot(Stepper *s, SDL_Renderer *r, int w, int h) {
    static int n;
    char path[256], err[512];
    do snprintf(path, sizeof path, "convscope-%s-%d.png", s->card->name, ++n);
    while (access(path, F_OK) == 0 && n < 100000);
    SDL_Surface *surf = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_RGBA32);
    if (!surf || SDL_RenderReadPixels(r, NULL, SDL_PIXELFORMAT_RGBA32, surf->pixels, surf->pitch) != 0)
        snprintf(s->msg, sizeof s->msg, "screenshot failed: %.200s", SDL_GetError());
    else if (app_save_png(surf, path, err, sizeof err) != 0)
        snprintf(s->msg, sizeof s->msg, "screenshot failed: %.200s", err);
    else
        snprintf(s->msg, sizeof s->msg, "saved %s", path);
    if (surf) SDL_FreeSurface(surf);
}

/* ---- the window ------------------------------------------------------------------------ */

/* Compute runs here, never on the thread that draws: a VGG-16 forward pass
 * or an effective receptive field takes a fraction of a second, and the
 * window keeps answering meanwhile. While a job runs the window shows no
 * activations (the worker is writing them). */
enum { JOB_NONE, JOB_PROBE, JOB_INPUT, JOB_ERF, JOB_PROJECT }; /* each also redoes the ones after it */
/* Timing jobs of the compare and zoo screens: they run when no stepper job
 * waits, touch only graphs of their own, and publish under mu. */
enum { BENCH_NONE, BENCH_COMPARE, BENCH_ZOO, BENCH_OPEN };
typedef struct {
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int job;              /* the stepper job waiting to start (JOB_NONE: none) */
    int running;          /* the stepper job under way, or JOB_NONE */
    int busy, quit, started;
    /* Every stepper request takes the next number; the window shows the
     * stepper's results only once the job of the latest one is done
     * (busy == 0), so a result that a newer request supersedes is never
     * shown, and a request made while a job runs waits for it in `job`. */
    unsigned long req_seq, done_seq;
    Uint32 since;         /* when the job was asked for */
    int bench;
    Stepper *st;
    CompareView *cmp;
    ZooView *zoo;
    char open_name[64];   /* BENCH_OPEN: the network to open */
    unsigned long open_seq; /* bumped by each open and each cancel */
    Stepper *opened;      /* ... ready for the window to take, or NULL */
    int open_failed;
    unsigned long opened_seq; /* the open that made `opened` (or failed) */
} Worker;

/* A probe's progress, from the worker: published under the mutex; Esc in
 * the window asks it to stop. */
static int worker_progress(void *ctx, int done, int total) {
    Worker *w = ctx;
    pthread_mutex_lock(&w->mu);
    w->st->prog_done = done;
    w->st->prog_total = total;
    int stop = w->st->cancel;
    pthread_mutex_unlock(&w->mu);
    return stop;
}

static void *worker_main(void *arg) {
    Worker *w = arg;
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (w->job == JOB_NONE && w->bench == BENCH_NONE && !w->quit)
            pthread_cond_wait(&w->cv, &w->mu);
        if (w->quit) break;
        int job = w->job, bench = w->bench;
        const unsigned long seq = w->req_seq, open_seq = w->open_seq;
        char open_name[sizeof w->open_name];
        snprintf(open_name, sizeof open_name, "%s", w->open_name);
        if (job == JOB_NONE) w->bench = BENCH_NONE;
        w->job = JOB_NONE;
        w->running = job;
        pthread_mutex_unlock(&w->mu);
        if (job != JOB_NONE) {
            if (job == JOB_PROBE) stepper_probe(w->st, worker_progress, w);
            if (job == JOB_INPUT) set_input(w->st);
            if (job != JOB_PROJECT) stepper_erf(w->st);
            stepper_project(w->st);
        } else if (bench == BENCH_COMPARE) {
            compare_measure(w->cmp, &w->mu);
        } else if (bench == BENCH_OPEN) { /* a new stepper, made aside, taken by the window */
            Stepper *ns = calloc(1, sizeof *ns);
            AppOptions o = {0};
            o.model = open_name;
            int rc = ns ? stepper_init(ns, &o, 0) : APP_FAIL;
            if (rc != APP_OK && ns) {
                stepper_free(ns);
                free(ns);
                ns = NULL;
            }
            pthread_mutex_lock(&w->mu);
            const int current = w->open_seq == open_seq; /* not cancelled, not superseded */
            if (current) {
                w->opened = ns;
                w->open_failed = ns == NULL;
                w->opened_seq = open_seq;
            }
            pthread_mutex_unlock(&w->mu);
            if (!current && ns) { /* nobody waits for it any more */
                stepper_free(ns);
                free(ns);
            }
        } else {
            zoo_measure(w->zoo, &w->mu);
        }
        pthread_mutex_lock(&w->mu);
        w->running = JOB_NONE;
        if (job != JOB_NONE) {
            w->done_seq = seq;
            w->busy = w->done_seq != w->req_seq; /* a newer request waits in w->job */
        }
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

static void worker_bench(Worker *w, int bench) {
    pthread_mutex_lock(&w->mu);
    w->bench = bench;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

/* Stop the timing under way (it checks its generation between passes). */
static void worker_cancel_bench(Worker *w) {
    pthread_mutex_lock(&w->mu);
    w->bench = BENCH_NONE;
    w->cmp->gen++;
    w->zoo->gen++;
    w->zoo->running = 0;
    pthread_mutex_unlock(&w->mu);
}

/* Ask for a stepper job; a job already waiting merges with it (the lower
 * one redoes the ones after it). The caller treats the stepper as the
 * worker's from here on: worker_busy() is 1 until this request is done. */
static void worker_request(Worker *w, int job) {
    pthread_mutex_lock(&w->mu);
    w->job = w->job == JOB_NONE || job < w->job ? job : w->job;
    w->req_seq++;
    w->busy = 1;
    w->since = SDL_GetTicks();
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

static int worker_busy(Worker *w) {
    pthread_mutex_lock(&w->mu);
    int b = w->busy;
    pthread_mutex_unlock(&w->mu);
    return b;
}

enum { SCREEN_STEPPER, SCREEN_COMPARE, SCREEN_ZOO, SCREEN_RF, SCREEN_PICK };
typedef struct {
    SDL_Window *win;
    SDL_Renderer *ren;
    VizFonts fonts;
    Stepper st;
    CompareView cmp;
    ZooView zoo;
    int zoo_ready;   /* the zoo's counts are made on first visit */
    RfView rf;
    int rf_ready;
    PickView pick;
    int opening;     /* a network is being opened on the worker */
    unsigned long open_seq; /* ... the worker's open_seq of that request */
    int screen;
    int help;        /* key overlay of the compare and zoo screens */
    int font_px;     /* base font size, follows the window's height */
    int presenting;  /* F11: fullscreen, larger type */
    int windowed_w, windowed_h; /* the window's size before presenting */
    int shot;        /* F12 pressed: save the next finished frame */
    Worker wk;
    int running;
    /* Events that arrived while the worker owned the stepper, handled in
     * order once it is done (a key pressed during a VGG-16 pass is not lost). */
    SDL_Event held[64];
    int n_held;
} AppGui;

/* The next event: the held ones first once the stepper is free (busy 0),
 * then the new ones. 0 when there are none. */
static int gui_next_event(AppGui *a, SDL_Event *e, int busy) {
    if (!busy && a->n_held > 0) {
        *e = a->held[0];
        memmove(a->held, a->held + 1, (size_t)(a->n_held - 1) * sizeof *a->held);
        a->n_held--;
        return 1;
    }
    return SDL_PollEvent(e);
}

/* Keep e for later; 0 when the queue is full (the event is dropped). Pointer
 * motions in a row become one (where the pointer is now, moved by their sum). */
static int gui_hold_event(AppGui *a, const SDL_Event *e) {
    SDL_Event *prev = a->n_held > 0 ? &a->held[a->n_held - 1] : NULL;
    if (e->type == SDL_MOUSEMOTION && prev && prev->type == SDL_MOUSEMOTION) {
        const int xrel = prev->motion.xrel + e->motion.xrel, yrel = prev->motion.yrel + e->motion.yrel;
        *prev = *e;
        prev->motion.xrel = xrel, prev->motion.yrel = yrel;
        return 1;
    }
    if (a->n_held >= (int)(sizeof a->held / sizeof a->held[0])) {
        if (e->type == SDL_DROPFILE) SDL_free(e->drop.file);
        return 0;
    }
    a->held[a->n_held++] = *e;
    return 1;
}

/* Esc on the picker while a network opens: the open is forgotten, and the
 * worker frees what it makes. */
static void gui_cancel_open(AppGui *a) {
    if (!a->opening) return;
    pthread_mutex_lock(&a->wk.mu);
    a->wk.open_seq++;
    Stepper *made = a->wk.opened; /* made before the Esc, not taken yet */
    a->wk.opened = NULL;
    a->wk.open_failed = 0;
    pthread_mutex_unlock(&a->wk.mu);
    if (made) {
        stepper_free(made);
        free(made);
    }
    a->opening = 0;
}

static const char *const bench_keys[] = {
    "click a block name   pick the pair to compare (Up/Down: next, previous)",
    "drag a slider        channels and size (counts at once, times on the worker)",
    "D                    the block's default sizes;  T  measure the times again",
    "M                    MACs or FLOPs (a multiply-add is 1 or 2 operations)",
    "B  N  A  O           count bias, batch norm, activations, pooling/adds/LRN",
    "L                    zoo chart: x = operations or latency measured here",
    "1 .. 9               receptive-field chart: show or hide a network",
    "arrows, Enter        timeline (M): choose a network and open it",
    "C / Z / R            compare designs / the zoo in numbers / receptive fields",
    "Esc                  back to the network",
    "F11                  presentation: full screen, larger type, high contrast",
    "F12                  screenshot to PNG",
    "H or F1              this help",
};

static void toggle_presenting(AppGui *a) {
    a->presenting = !a->presenting;
    viz_set_high_contrast(a->presenting);
    if (a->presenting) SDL_GetWindowSize(a->win, &a->windowed_w, &a->windowed_h);
    SDL_SetWindowFullscreen(a->win, a->presenting ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0);
    /* back to the size it had: not every window manager (or none) restores it */
    if (!a->presenting && a->windowed_w > 0) SDL_SetWindowSize(a->win, a->windowed_w, a->windowed_h);
}

/* Switch screens: a screen's timing runs while it is shown, not after. */
static void gui_screen(AppGui *a, int screen) {
    if (screen == a->screen) return;
    gui_cancel_open(a);
    worker_cancel_bench(&a->wk);
    a->screen = screen;
    a->help = 0;
    if (screen == SCREEN_COMPARE) {
        worker_bench(&a->wk, BENCH_COMPARE);
    } else if (screen == SCREEN_PICK) {
        if (!a->zoo_ready) {
            zoo_init(&a->zoo, NULL, a->cmp.count, 3);
            a->zoo_ready = 1;
        }
        for (int i = 0; i < a->zoo.n; i++)
            if (a->zoo.card[i] == a->st.card) a->pick.sel = i;
    } else if (screen == SCREEN_RF) {
        if (!a->rf_ready) rf_init(&a->rf, a->st.card, a->st.graph);
        a->rf_ready = 1;
    } else if (screen == SCREEN_ZOO) {
        if (!a->zoo_ready) {
            zoo_init(&a->zoo, NULL, a->cmp.count, 3);
            a->zoo_ready = 1;
        }
        pthread_mutex_lock(&a->wk.mu);
        a->zoo.running = 1;
        pthread_mutex_unlock(&a->wk.mu);
        worker_bench(&a->wk, BENCH_ZOO);
    }
}

/* One frame of the compare or zoo screen. */
static void bench_frame(AppGui *a, int w, int h) {
    SDL_Event e;
    while (gui_next_event(a, &e, 0)) {
        if (e.type == SDL_DROPFILE) { /* for the stepper: not on these screens */
            SDL_free(e.drop.file);
            continue;
        }
        if (e.type == SDL_QUIT) {
            a->running = 0;
            continue;
        }
        if (e.type == SDL_KEYDOWN) {
            SDL_Keycode k = e.key.keysym.sym;
            if (k == SDLK_ESCAPE) {
                if (a->help) a->help = 0;
                else gui_screen(a, SCREEN_STEPPER);
                continue;
            }
            if (k == SDLK_q) {
                a->running = 0;
                continue;
            }
            if (k == SDLK_h || k == SDLK_F1) {
                a->help = !a->help;
                continue;
            }
            if (k == SDLK_F12) { /* while a network opens: its first frame */
                a->shot = 1;
                continue;
            }
            if (a->opening) continue; /* until the network is open */
            if (k == SDLK_c || k == SDLK_z || k == SDLK_r) {
                gui_screen(a, k == SDLK_c ? SCREEN_COMPARE : k == SDLK_z ? SCREEN_ZOO : SCREEN_RF);
                continue;
            }
            if (k == SDLK_F11) {
                toggle_presenting(a);
                continue;
            }
        }
        if (a->screen == SCREEN_PICK) {
            if (!a->opening && pick_event(&a->pick, &a->zoo, &e, &a->fonts, w, h)) {
                pthread_mutex_lock(&a->wk.mu);
                snprintf(a->wk.open_name, sizeof a->wk.open_name, "%s", a->zoo.card[a->pick.sel]->name);
                a->open_seq = ++a->wk.open_seq;
                pthread_mutex_unlock(&a->wk.mu);
                a->opening = 1;
                worker_bench(&a->wk, BENCH_OPEN);
            }
        } else if (a->screen == SCREEN_RF) {
            rf_event(&a->rf, &e, &a->fonts, w, h);
        } else if (a->screen == SCREEN_COMPARE) {
            if (compare_event(&a->cmp, &a->wk.mu, &e, &a->fonts, w, h)) worker_bench(&a->wk, BENCH_COMPARE);
        } else if (zoo_event(&a->zoo, &a->wk.mu, &e, &a->fonts, w, h)) {
            worker_cancel_bench(&a->wk);
            pthread_mutex_lock(&a->wk.mu);
            a->zoo.running = 1;
            pthread_mutex_unlock(&a->wk.mu);
            worker_bench(&a->wk, BENCH_ZOO);
        }
    }
    if (a->opening) { /* the new network, once made, replaces the old one */
        pthread_mutex_lock(&a->wk.mu);
        Stepper *ns = NULL;
        int failed = 0;
        if (a->wk.opened_seq == a->open_seq) { /* this open's result (a cancelled one is never published) */
            ns = a->wk.opened;
            failed = a->wk.open_failed;
            a->wk.opened = NULL;
            a->wk.open_failed = 0;
        }
        pthread_mutex_unlock(&a->wk.mu);
        if (ns) {
            stepper_free(&a->st);
            a->st = *ns;
            free(ns);
            a->opening = 0;
            gui_screen(a, SCREEN_STEPPER);
            return;
        }
        if (failed) {
            a->opening = 0;
            snprintf(a->st.msg, sizeof a->st.msg, "could not open %s (see the terminal)", a->wk.open_name);
        }
    }
    char note[160] = "";
    if (a->opening) snprintf(note, sizeof note, "opening %s: building it and making its weights …", a->wk.open_name);
    if (a->screen == SCREEN_COMPARE) compare_draw(&a->cmp, &a->wk.mu, a->ren, &a->fonts, w, h);
    else if (a->screen == SCREEN_PICK) pick_draw(&a->pick, &a->zoo, a->ren, &a->fonts, w, h, note);
    else if (a->screen == SCREEN_RF) rf_draw(&a->rf, a->ren, &a->fonts, w, h);
    else zoo_draw(&a->zoo, &a->wk.mu, a->ren, &a->fonts, w, h);
    SDL_Color dim = viz_dim();
    char line[600];
    snprintf(line, sizeof line, "%s  ·  %s%sC compare  ·  Z zoo  ·  R receptive fields  ·  Esc back to %s  ·  H help",
             a->screen == SCREEN_COMPARE ? "compare two designs" : a->screen == SCREEN_RF ? "receptive fields"
             : a->screen == SCREEN_PICK ? "pick a network (arrows, Enter)" : "the zoo",
             a->st.msg, a->st.msg[0] ? "  ·  " : "", a->st.card->display);
    status_text(a->ren, &a->fonts, (SDL_Rect){24, h - 16 - a->fonts.small_line, w - 48, a->fonts.small_line}, dim,
                line);
    if (a->help) help_box(a->ren, &a->fonts, w, h, bench_keys, (int)(sizeof bench_keys / sizeof bench_keys[0]));
    if (a->shot && !a->opening) {
        screenshot(&a->st, a->ren, w, h);
        a->shot = 0;
    }
    SDL_RenderPresent(a->ren);
}

/* Type that scales with the window: 18 px at 800 px high (never below 14),
 * a quarter larger when presenting. The window and render share it. */
static int font_px_for(int h, int presenting) {
    int want = h * 18 / 800;
    if (presenting) want = want * 5 / 4;
    return want < 14 ? 14 : want > 44 ? 44 : want;
}

static void fit_fonts(AppGui *a, int h) {
    int want = font_px_for(h, a->presenting);
    if (want == a->font_px) return;
    VizFonts nf;
    char err[512];
    if (viz_fonts_load(&nf, want, err, sizeof err) != 0) return; /* keep the fonts we have */
    viz_fonts_unload(&a->fonts);
    a->fonts = nf;
    a->font_px = want;
}

static void gui_frame(AppGui *a) {
    Stepper *s = &a->st;
    int w, h;
    SDL_GetRendererOutputSize(a->ren, &w, &h);
    fit_fonts(a, h);
    if (a->screen != SCREEN_STEPPER) {
        bench_frame(a, w, h);
        return;
    }
    Layout l = layout(&a->fonts, s, w, h);
    /* 1 while the worker owns the stepper (its graph, current, zoom, erf,
     * projection, sample, source, status and msg): set again at once by
     * every request, so that nothing later in the same batch of events
     * touches what the job reads */
    int busy = worker_busy(&a->wk);
    const SDL_Rect in_rect = viz_input_rect(&a->fonts, s->graph, l.input);
    const EngNode *in = eng_graph_node(s->graph, 0);
    SDL_Event e;
    while (gui_next_event(a, &e, busy)) {
        l = layout(&a->fonts, s, w, h); /* the layer may have changed with the last event */
        if (e.type == SDL_QUIT) a->running = 0;
        else if (e.type == SDL_DROPFILE && !busy) { /* an image file dropped on the window */
            if (stepper_take_image(s, e.drop.file) == 0) s->msg[0] = 0;
            SDL_free(e.drop.file);
        } else if (s->drawing && !s->table && e.type == SDL_MOUSEBUTTONDOWN && e.button.button == SDL_BUTTON_LEFT &&
                   SDL_PointInRect(&(SDL_Point){e.button.x, e.button.y}, &in_rect)) {
            s->stroke_x = s->stroke_y = -1; /* the pen goes down */
            canvas_stroke(s, (float)(e.button.y - in_rect.y) * in->out.H / in_rect.h,
                          (float)(e.button.x - in_rect.x) * in->out.W / in_rect.w);
        } else if (s->drawing && e.type == SDL_MOUSEMOTION && (e.motion.state & SDL_BUTTON_LMASK) &&
                   s->stroke_x >= 0) {
            canvas_stroke(s, (float)(e.motion.y - in_rect.y) * in->out.H / in_rect.h,
                          (float)(e.motion.x - in_rect.x) * in->out.W / in_rect.w);
        } else if (s->drawing && e.type == SDL_MOUSEBUTTONUP) {
            s->stroke_x = s->stroke_y = -1;
        } else if (s->drawing && e.type == SDL_KEYDOWN && e.key.keysym.sym == SDLK_BACKSPACE) {
            memset(s->canvas, 0, (size_t)in->out.H * in->out.W * sizeof *s->canvas);
            canvas_to_pending(s);
        } else if (busy && e.type == SDL_KEYDOWN && e.key.keysym.sym == SDLK_ESCAPE) {
            pthread_mutex_lock(&a->wk.mu); /* a long job stops at its next step */
            s->cancel = 1;
            pthread_mutex_unlock(&a->wk.mu);
        } else if (busy && ((e.type == SDL_KEYDOWN && e.key.keysym.sym != SDLK_q) || e.type == SDL_DROPFILE ||
                            e.type == SDL_MOUSEBUTTONDOWN || e.type == SDL_MOUSEBUTTONUP ||
                            e.type == SDL_MOUSEWHEEL || e.type == SDL_MOUSEMOTION)) {
            /* the stepper belongs to the worker until it is done: the event
             * waits for it (F12 too, so that the screenshot follows what
             * was asked before it) */
            gui_hold_event(a, &e);
        } else if (busy && e.type != SDL_KEYDOWN) {
            continue;
        } else if (e.type == SDL_KEYDOWN && e.key.keysym.sym == SDLK_F12) {
            a->shot = 1; /* taken once the frame is drawn, after the job under way */
        } else if (e.type == SDL_KEYDOWN) {
            switch (e.key.keysym.sym) {
            case SDLK_ESCAPE:
                if (s->help) s->help = 0;
                else if (s->zoom >= 0) stepper_step(s, s->current);
                else a->running = 0;
                break;
            case SDLK_q: a->running = 0; break;
            case SDLK_h:
            case SDLK_F1: s->help = !s->help; break;
            case SDLK_f: s->filters = !s->filters; break;
            case SDLK_e:
                s->evolution = !s->evolution;
                if (s->evolution && !s->n_steps)
                    snprintf(s->msg, sizeof s->msg, "no filter snapshots for these weights");
                break;
            case SDLK_LEFTBRACKET:
            case SDLK_RIGHTBRACKET:
                if (s->n_steps) { /* -1 (trained) .. n_steps - 1 */
                    int to = s->snap < 0 ? s->n_steps : s->snap;
                    to += e.key.keysym.sym == SDLK_RIGHTBRACKET ? 1 : -1;
                    s->snap = to < 0 ? 0 : (to >= s->n_steps ? -1 : to);
                    s->filters = 1;
                } else {
                    snprintf(s->msg, sizeof s->msg, "no filter snapshots for these weights");
                }
                break;
            case SDLK_d:
                for (int k = 0; k < 4; k++)
                    if (rule_cycle[k] == s->proj) {
                        s->proj = rule_cycle[(k + 1) % 4];
                        break;
                    }
                worker_request(&a->wk, JOB_PROJECT);
                busy = 1; /* the stepper is the worker's from now on */
                break;
            case SDLK_n:
            case SDLK_p:
                s->drawing = 0;
                if (s->test.n > 0 && s->source == SRC_DATA) s->sample += e.key.keysym.sym == SDLK_n ? 1 : -1;
                else if (s->test.n <= 0) s->pattern += e.key.keysym.sym == SDLK_n ? 1 : -1;
                s->source = SRC_DATA;
                worker_request(&a->wk, JOB_INPUT);
                busy = 1; /* the stepper is the worker's from now on */
                break;
            case SDLK_g: /* synthetic patterns */
                s->drawing = 0;
                if (s->source == SRC_PATTERN || (s->test.n <= 0 && s->source == SRC_DATA)) s->pattern++;
                s->source = SRC_PATTERN;
                worker_request(&a->wk, JOB_INPUT);
                busy = 1; /* the stepper is the worker's from now on */
                break;
            case SDLK_w: /* the input panel becomes a canvas */
                s->drawing = !s->drawing;
                if (s->drawing) {
                    memset(s->canvas, 0, (size_t)in->out.H * in->out.W * sizeof *s->canvas);
                    canvas_to_pending(s);
                    snprintf(s->msg, sizeof s->msg, "draw on the input with the mouse; the network "
                             "answers as you draw");
                } else {
                    s->msg[0] = 0;
                }
                break;
            case SDLK_F11: toggle_presenting(a); break;
            case SDLK_RIGHT: stepper_step(s, s->current + 1); break;
            case SDLK_LEFT: stepper_step(s, s->current - 1); break;
            case SDLK_HOME: stepper_step(s, 0); break;
            case SDLK_END: stepper_step(s, eng_graph_node_count(s->graph) - 1); break;
            case SDLK_SPACE:
                s->playing = !s->playing;
                s->last_step = SDL_GetTicks();
                break;
            case SDLK_PAGEDOWN:
                if (s->browsing) {
                    int per;
                    browse_tile(&a->fonts, l.main, 0, &per);
                    if ((s->browse_page + 1) * per < s->test.n) s->browse_page++;
                } else if (s->page + 1 < viz_fmap_pages(&a->fonts, s->graph, s->current, l.main)) {
                    s->page++;
                }
                break;
            case SDLK_PAGEUP:
                if (s->browsing) s->browse_page = s->browse_page > 0 ? s->browse_page - 1 : 0;
                else s->page = s->page > 0 ? s->page - 1 : 0;
                break;
            case SDLK_TAB: s->table = !s->table; break;
            case SDLK_3: s->view3d = !s->view3d; break;
            case SDLK_b:
                s->browsing = s->test.n > 0 && !s->browsing;
                if (s->test.n <= 0) snprintf(s->msg, sizeof s->msg, "no test set to browse for this model");
                else s->browse_page = 0;
                break;
            case SDLK_t:
            case SDLK_o: {
                int kind = e.key.keysym.sym == SDLK_t ? PROBE_TOP9 : PROBE_OCCLUSION;
                if (s->zoom < 0) {
                    snprintf(s->msg, sizeof s->msg, "click a map first: %s works on one channel",
                             kind == PROBE_TOP9 ? "top-9" : "occlusion");
                } else if (s->probe == kind) {
                    s->probe = PROBE_NONE; /* the key closes what it opened */
                } else {
                    s->probe = kind;
                    s->msg[0] = 0;
                    pthread_mutex_lock(&a->wk.mu);
                    s->cancel = 0;
                    s->prog_done = s->prog_total = 0;
                    pthread_mutex_unlock(&a->wk.mu);
                    worker_request(&a->wk, JOB_PROBE);
                    busy = 1; /* the stepper is the worker's from now on */
                }
                break;
            }
            case SDLK_c: gui_screen(a, SCREEN_COMPARE); return;
            case SDLK_r: gui_screen(a, SCREEN_RF); return;
            case SDLK_m: gui_screen(a, SCREEN_PICK); return;
            case SDLK_z: gui_screen(a, SCREEN_ZOO); return;
            case SDLK_DOWN: s->scroll++; break;
            case SDLK_UP: s->scroll = s->scroll > 0 ? s->scroll - 1 : 0; break;
            default: break;
            }
        } else if (s->view3d && !s->table && e.type == SDL_MOUSEBUTTONDOWN && e.button.button == SDL_BUTTON_LEFT &&
                   SDL_PointInRect(&(SDL_Point){e.button.x, e.button.y}, &l.main)) {
            s->orbiting = 1;
        } else if (e.type == SDL_MOUSEBUTTONUP) {
            s->orbiting = 0;
        } else if (s->view3d && s->orbiting && e.type == SDL_MOUSEMOTION) {
            s->cam.yaw += e.motion.xrel * 0.01f;
            s->cam.pitch += e.motion.yrel * 0.01f;
            s->cam.pitch = s->cam.pitch < -1.4f ? -1.4f : s->cam.pitch > 1.4f ? 1.4f : s->cam.pitch;
        } else if (e.type == SDL_MOUSEMOTION) {
            int ch, uy, ux;
            s->hover_c = s->hover_y = s->hover_x = -1;
            if (!s->table && !s->filters && !s->evolution && !s->view3d && !s->browsing &&
                viz_fmap_hit(&a->fonts, s->graph, s->current, l.main, s->page, s->zoom, e.motion.x,
                             e.motion.y, &ch, &uy, &ux))
                s->hover_c = ch, s->hover_y = uy, s->hover_x = ux;
        } else if (s->view3d && !s->table && e.type == SDL_MOUSEWHEEL) {
            s->cam.dist *= powf(0.9f, (float)e.wheel.y);
            s->cam.dist = s->cam.dist < 1.5f ? 1.5f : s->cam.dist > 80.0f ? 80.0f : s->cam.dist;
        } else if (s->browsing && !s->table && e.type == SDL_MOUSEBUTTONDOWN && e.button.button == SDL_BUTTON_LEFT &&
                   SDL_PointInRect(&(SDL_Point){e.button.x, e.button.y}, &l.main)) {
            int per;
            browse_tile(&a->fonts, l.main, 0, &per);
            for (int k = 0; k < per; k++) {
                SDL_Rect t = browse_tile(&a->fonts, l.main, k, &per);
                int idx = s->browse_page * per + k;
                if (idx < s->test.n && SDL_PointInRect(&(SDL_Point){e.button.x, e.button.y}, &t)) {
                    s->sample = idx;
                    s->source = SRC_DATA;
                    s->drawing = 0;
                    worker_request(&a->wk, JOB_INPUT);
                    busy = 1; /* the stepper is the worker's from now on */
                }
            }
        } else if (e.type == SDL_MOUSEBUTTONDOWN && e.button.button == SDL_BUTTON_LEFT) {
            int hit = viz_layer_strip_hit(&a->fonts, s->graph, s->current, l.strip, e.button.x,
                                          e.button.y);
            int ch, uy, ux;
            if (hit >= 0) stepper_step(s, hit);
            else if (!s->table && !s->filters &&
                     viz_fmap_hit(&a->fonts, s->graph, s->current, l.main, s->page, s->zoom,
                                  e.button.x, e.button.y, &ch, &uy, &ux)) {
                if (s->zoom < 0) s->zoom = ch; /* first click zooms, the next picks a unit */
                else s->sel_y = uy, s->sel_x = ux;
                worker_request(&a->wk, JOB_ERF);
                busy = 1; /* the stepper is the worker's from now on */
            }
        } else if (e.type == SDL_MOUSEWHEEL) {
            if (s->table) s->scroll = s->scroll - e.wheel.y * 3 < 0 ? 0 : s->scroll - e.wheel.y * 3;
            else stepper_step(s, s->current - e.wheel.y);
        }
    }
    /* the forward pass, layer by layer; a step waits while the worker owns the stepper */
    if (s->playing && !busy && a->n_held == 0 && SDL_GetTicks() - s->last_step > 600) {
        if (s->current + 1 >= eng_graph_node_count(s->graph)) s->playing = 0;
        else stepper_step(s, s->current + 1);
        s->last_step = SDL_GetTicks();
    }
    int last = eng_graph_node_count(s->graph) - 1;
    if (s->scroll > last) s->scroll = last;
    if (s->view3d) { /* the camera glides to the current layer */
        float want = viz_3d_node_z(s->graph, s->current);
        s->cam.focus_z += (want - s->cam.focus_z) * 0.15f;
    }
    /* a dropped image or the drawing goes in as soon as the worker is free */
    if (s->pending_dirty && !busy && !worker_busy(&a->wk)) {
        const size_t n = (size_t)in->out.C * in->out.H * in->out.W;
        memcpy(s->custom, s->pending, n * sizeof *s->custom);
        snprintf(s->custom_name, sizeof s->custom_name, "%s", s->pending_name);
        s->source = SRC_CUSTOM;
        s->pending_dirty = 0;
        worker_request(&a->wk, JOB_INPUT);
        busy = 1; /* the stepper is the worker's from now on */
    }
    /* a short job: keep the last frame on screen rather than blank panels */
    pthread_mutex_lock(&a->wk.mu);
    int short_job = a->wk.busy && SDL_GetTicks() - a->wk.since < 250;
    pthread_mutex_unlock(&a->wk.mu);
    if (short_job) return;
    char busy_text[256] = "";
    pthread_mutex_lock(&a->wk.mu);
    if (a->wk.busy && a->wk.running == JOB_PROBE && s->prog_total > 0)
        snprintf(busy_text, sizeof busy_text, "%s: %d of %d %s  ·  Esc stops",
                 s->probe == PROBE_TOP9 ? "top-9, scanning the test set" : "occlusion, trying positions",
                 s->prog_done, s->prog_total, s->probe == PROBE_TOP9 ? "images" : "positions");
    else if (a->wk.busy)
        snprintf(busy_text, sizeof busy_text, "computing on the worker thread …");
    pthread_mutex_unlock(&a->wk.mu);
    stepper_draw(s, a->ren, &a->fonts, w, h, busy_text[0] ? busy_text : NULL);
    if (a->shot && !busy_text[0]) {
        screenshot(s, a->ren, w, h);
        a->shot = 0;
    }
    SDL_RenderPresent(a->ren);
}

static const char view_usage[] =
    "usage: convscope view [MODEL] [--weights FILE] [--data digits|fashion|PATH] [--batch N]\n"
    "                      [--image FILE | --input FILE.npy] [--input CxHxW] [--quit-after MS]\n"
    "                      [--preprocess caffe|torchvision|none|card] [--frame-stats]\n"
    "  Open the visualizer on MODEL (default lenet5, with its trained weights and a\n"
    "  handwritten digit). --batch N picks test image N as the input, --image an\n"
    "  image file (PNG, JPEG, BMP; or drop one on the window); G shows synthetic\n"
    "  patterns, W lets you draw the input. --preprocess picks how an image is\n"
    "  prepared for an .onnx model (default: from its metadata, exporter or name;\n"
    "  see README).\n"
    "  Keys: Left/Right step through the layers, Space plays the forward pass,\n"
    "  Home/End, PgUp/PgDn page through channels, Tab layer table, C compares two\n"
    "  designs (sliders, conventions, times measured live), Z shows the whole zoo in\n"
    "  numbers, H lists every key, Esc quits.\n";

/* --frame-stats: how long the frames took, printed when the window closes
 * (benchmarks/window_frames.sh reads it): the window must keep drawing while
 * the worker computes. */
static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}
static void print_frame_stats(double *ms, int n, double total_s) {
    if (n < 1) return;
    qsort(ms, (size_t)n, sizeof *ms, cmp_double);
    int over = 0;
    for (int i = 0; i < n; i++) over += ms[i] > 1000.0 / 60.0;
    fprintf(stderr, "view: %d frames in %.2f s (%.1f per second): median %.2f ms, 99th percentile "
                    "%.2f ms, longest %.2f ms, %d over 16.7 ms\n", n, total_s, n / total_s,
            ms[n / 2], ms[(int)((n - 1) * 0.99)], ms[n - 1], over);
}

int app_cmd_view(int argc, char **argv) {
    const char *image = NULL;
    static const char *const own[] = {"--image"};
    const char **const dst[] = {&image};
    char *rest[64];
    int nrest = app_take_own(argc, argv, own, dst, 1, rest);
    int frame_stats = 0;
    for (int i = 0; i < nrest; i++)
        if (!strcmp(rest[i], "--frame-stats")) {
            frame_stats = 1;
            memmove(rest + i, rest + i + 1, (size_t)(nrest - i - 1) * sizeof *rest);
            nrest--, i--;
        }
    AppOptions o;
    const char *npy = take_npy_arg(rest, &nrest);
    float *given = NULL;
    int help, rc = app_parse(nrest, rest,
                             APP_OPT_INPUT | APP_OPT_QUIT_AFTER | APP_OPT_WEIGHTS | APP_OPT_DATA |
                                 APP_OPT_BATCH | APP_OPT_PREPROCESS,
                             0, view_usage, &o, &help);
    if (rc || help) return rc;
    if ((rc = load_npy_arg(npy, image, &o, &given, "view")) != APP_OK) return rc;
    if (!o.model) o.model = "lenet5";
    AppGui a = {0};
    rc = stepper_init(&a.st, &o, o.batch);
    if (!rc && image && stepper_use_image(&a.st, image, "view") != 0) rc = APP_FAIL;
    if (!rc && given) stepper_use_array(&a.st, given, npy);
    free(given);
    if (rc) {
        stepper_free(&a.st);
        return rc;
    }
    if (SDL_Init(SDL_INIT_VIDEO) != 0) {
        fprintf(stderr, "convscope view: cannot open a window: %s (is a display available?)\n",
                SDL_GetError());
        stepper_free(&a.st);
        return APP_FAIL;
    }
    char err[256];
    rc = APP_FAIL;
    a.win = SDL_CreateWindow("convscope", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, 1280,
                             800, SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI);
    if (!a.win) {
        fprintf(stderr, "convscope view: cannot create a window: %s\n", SDL_GetError());
        goto done;
    }
    a.ren = SDL_CreateRenderer(a.win, -1, SDL_RENDERER_PRESENTVSYNC);
    if (!a.ren) a.ren = SDL_CreateRenderer(a.win, -1, SDL_RENDERER_SOFTWARE);
    if (!a.ren) {
        fprintf(stderr, "convscope view: cannot create a renderer: %s\n", SDL_GetError());
        goto done;
    }
    a.font_px = 18;
    if (viz_fonts_load(&a.fonts, 18, err, sizeof err) != 0) {
        fprintf(stderr, "convscope view: %s\n", err);
        goto done;
    }
    a.wk.st = &a.st;
    a.wk.cmp = &a.cmp;
    a.wk.zoo = &a.zoo;
    compare_init(&a.cmp, 0, NULL, (EngCount){0});
    pthread_mutex_init(&a.wk.mu, NULL);
    pthread_cond_init(&a.wk.cv, NULL);
    if (pthread_create(&a.wk.th, NULL, worker_main, &a.wk) != 0) {
        fprintf(stderr, "convscope view: cannot start the worker thread\n");
        goto done;
    }
    a.wk.started = 1;
    a.running = 1;
    Uint32 start = SDL_GetTicks();
    enum { MAX_FRAMES = 1 << 20 };
    double *frame_ms = frame_stats ? malloc(MAX_FRAMES * sizeof *frame_ms) : NULL;
    int n_frames = 0;
    const double tick_ms = 1000.0 / (double)SDL_GetPerformanceFrequency();
    Uint64 t0 = SDL_GetPerformanceCounter(), first = t0;
    while (a.running) {
        gui_frame(&a);
        if (o.quit_after_ms && SDL_GetTicks() - start >= (Uint32)o.quit_after_ms) a.running = 0;
        SDL_Delay(1);
        Uint64 t1 = SDL_GetPerformanceCounter();
        if (frame_ms && n_frames < MAX_FRAMES) frame_ms[n_frames++] = (double)(t1 - t0) * tick_ms;
        t0 = t1;
    }
    if (frame_ms) print_frame_stats(frame_ms, n_frames, (double)(t0 - first) * tick_ms / 1000.0);
    free(frame_ms);
    rc = APP_OK;
done:
    if (a.wk.started) { /* let a running job finish, then stop the worker */
        worker_cancel_bench(&a.wk);
        pthread_mutex_lock(&a.wk.mu);
        a.wk.quit = 1;
        pthread_cond_signal(&a.wk.cv);
        pthread_mutex_unlock(&a.wk.mu);
        pthread_join(a.wk.th, NULL);
    }
    viz_fonts_unload(&a.fonts);
    if (TTF_WasInit()) TTF_Quit();
    if (a.ren) {
        viz_forget_renderer(a.ren);
        SDL_DestroyRenderer(a.ren);
    }
    for (int i = 0; i < a.n_held; i++) /* events never handled */
        if (a.held[i].type == SDL_DROPFILE) SDL_free(a.held[i].drop.file);
    if (a.win) SDL_DestroyWindow(a.win);
    SDL_Quit();
    if (a.wk.opened) { /* opened while the window was closing */
        stepper_free(a.wk.opened);
        free(a.wk.opened);
    }
    stepper_free(&a.st);
    compare_free(&a.cmp);
    return rc;
}

/* ---- render: the same frame into a PNG ---------------------------------------------------- */

static const char render_usage[] =
    "usage: convscope render MODEL --out FILE.png\n"
    "                        [--view featuremaps|filters|evolution|summary|3d|browse|\n"
    "                                top9|occlusion|history|rf]\n"
    "                        [--layer NAME] [--channel C [--unit Y,X]]\n"
    "                        [--rule deconv|guided|backprop] [--snapshot K]\n"
    "                        [--weights FILE] [--data digits|fashion|PATH] [--batch N]\n"
    "                        [--input CxHxW] [--image FILE | --input FILE.npy | --pattern K]\n"
    "                        [--page K]\n"
    "                        [--size WxH] [--present]\n"
    "                        [--preprocess caffe|torchvision|none|card]\n"
    "  Draws what the window shows, without a display, in a window of --size (default\n"
    "  1280x800; the type follows the height as in the window; --present as in\n"
    "  presentation mode, F11): the feature maps of layer NAME (default: the first\n"
    "  convolution; --page K of them when they need several), its filters, their evolution\n"
    "  during training (from the snapshots saved beside the weights), or the layer table.\n"
    "  --channel zooms into a channel, --unit Y,X then shows that unit's receptive field\n"
    "  and effective receptive field on the input (--unit C,Y,X alone says the same);\n"
    "  --rule adds the channel's (or unit's) projection\n"
    "  to pixels (the D key in the window). --snapshot K shows the filters as they\n"
    "  were at the K-th snapshot taken in training ([ and ] in the window). top9 and\n"
    "  occlusion show the channel's nine strongest test images or its occlusion\n"
    "  maps on the input (T and O in the window). --image feeds an image file,\n"
    "  --pattern a synthetic pattern (0..6: gratings, edge, checkerboard, spot,\n"
    "  colour blobs; G in the window), --input FILE.npy a float32 (C, H, W) array as\n"
    "  is (no preprocessing; the model is built at its size). --batch N picks\n"
    "  test image N as the input. The PNG is written to a temporary name, then renamed.\n"
    "\n"
    "       convscope render --view compare --out FILE.png [--block NAME] [--cin N]\n"
    "                        [--cout N] [--hw N] [--groups G] [--count CONVENTION] [--runs N]\n"
    "       convscope render --view zoo --out FILE.png [--models A,B,...] [--count CONVENTION]\n"
    "                        [--runs N]\n"
    "       convscope render [NAME] --view rf --out FILE.png [--models A,B,...]\n"
    "       convscope render [NAME] --view history --out FILE.png   (also: timeline)\n"
    "  (each also with --size WxH and --present)\n"
    "  The compare screen (C in the window) for block NAME (see 'convscope compare'),\n"
    "  and the zoo screen (Z): every network's parameters, operations, ILSVRC top-5\n"
    "  error and latency measured now (--runs passes each after a warm-up, default\n"
    "  5 for compare and 3 for the zoo; 0 skips the timing). --count picks the\n"
    "  convention: macs or flops, then ,bias ,bn ,act ,other or ,all. rf draws the\n"
    "  receptive field of AlexNet, VGG-16, GoogLeNet, ResNet-50... layer by layer (R),\n"
    "  NAME among them; history the model picker's timeline (M) with NAME's card.\n";

/* The picture render draws into: the window's size (--size, default
 * 1280x800), its type for that size, presentation mode's (--present). */
typedef struct {
    int w, h, present;
} RenderSize;

static int render_canvas(AppCanvas *cv, const RenderSize *rs) {
    if (app_canvas_open(cv, rs->w, rs->h, "render") != 0) return -1;
    int px = font_px_for(rs->h, rs->present);
    if (px != 18) { /* the canvas opens with the type of 1280x800 */
        VizFonts nf;
        char err[512];
        if (viz_fonts_load(&nf, px, err, sizeof err) != 0) {
            fprintf(stderr, "convscope render: %s\n", err);
            return -1;
        }
        viz_fonts_unload(&cv->fonts);
        cv->fonts = nf;
    }
    viz_set_high_contrast(rs->present);
    viz_clear(cv->r);
    return 0;
}

/* --size WxH: 0, or -1 after a line on stderr. */
static int parse_size(const char *s, RenderSize *rs) {
    int w, h;
    char x, extra;
    if (sscanf(s, "%d%c%d%c", &w, &x, &h, &extra) != 3 || x != 'x' || w < 640 || w > 7680 || h < 400 ||
        h > 4320) {
        fprintf(stderr, "convscope render: --size takes WIDTHxHEIGHT, 640x400 to 7680x4320 (e.g. 1920x1080), "
                        "not '%s'\n", s);
        return -1;
    }
    rs->w = w, rs->h = h;
    return 0;
}

/* render --view compare | zoo: the two screens drawn with their times
 * measured first (o->runs passes; 0 skips). */
static int render_bench(const char *view, const char *out, const char *block, const char *count_s,
                        const char *models, int runs, const AppOptions *o, const RenderSize *rs) {
    EngCount cnt = {0};
    if (count_s && eng_count_parse(count_s, &cnt) != 0) {
        fprintf(stderr, "convscope render: --count takes macs or flops, then any of ,bias ,bn ,act "
                        ",other or ,all (e.g. flops,all), not '%s'\n", count_s);
        return APP_USAGE;
    }
    if (o->model) {
        fprintf(stderr, "convscope render: --view %s takes no model (%s)\n", view,
                !strcmp(view, "compare") ? "pick the pair with --block" : "pick networks with --models");
        return APP_USAGE;
    }
    pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    AppCanvas cv;
    int rc = APP_FAIL;
    if (!strcmp(view, "compare")) {
        int bi = 0;
        if (block) {
            const ModelBlock *b = model_block_find(block);
            if (!b) {
                fprintf(stderr, "convscope render: unknown block '%s' (run 'convscope compare' for the "
                                "list)\n", block);
                return APP_USAGE;
            }
            while (model_block_at(bi) != b) bi++;
        }
        BlockCfg c = model_block_at(bi)->defaults;
        if (o->cin) c.cin = o->cin;
        if (o->cout) c.cout = o->cout;
        if (o->hw) c.hw = o->hw;
        if (o->groups) c.groups = o->groups;
        CompareView cmp;
        compare_init(&cmp, bi, &c, cnt);
        if (cmp.error[0]) {
            fprintf(stderr, "convscope render: %s\n", cmp.error);
            compare_free(&cmp);
            return APP_USAGE;
        }
        cmp.want_runs = runs;
        if (runs > 0) {
            compare_measure(&cmp, &mu);
        } else {
            snprintf(cmp.time_note, sizeof cmp.time_note, "not timed (--runs 0)");
            cmp.done_gen = cmp.gen;
        }
        if (render_canvas(&cv, rs) == 0) {
            compare_draw(&cmp, NULL, cv.r, &cv.fonts, cv.w, cv.h);
            if (app_canvas_save(&cv, out, "render") == 0) rc = APP_OK;
        }
        app_canvas_close(&cv);
        compare_free(&cmp);
        return rc;
    }
    ZooView *z = malloc(sizeof *z);
    if (!z) return APP_FAIL;
    if (zoo_init(z, models, cnt, runs) != 0) {
        free(z);
        return APP_USAGE;
    }
    if (z->runs > 0) {
        fprintf(stderr, "render: timing %d networks at batch 1 (%d passes each) …\n", z->n, z->runs);
        zoo_measure(z, &mu);
    }
    if (render_canvas(&cv, rs) == 0) {
        zoo_draw(z, NULL, cv.r, &cv.fonts, cv.w, cv.h);
        if (app_canvas_save(&cv, out, "render") == 0) rc = APP_OK;
    }
    app_canvas_close(&cv);
    free(z);
    return rc;
}

int app_cmd_render(int argc, char **argv) {
    /* --out, --view and --layer are this command's own; the rest is shared */
    const char *out = NULL, *view = "featuremaps", *layer = NULL, *unit = NULL, *rule = NULL,
               *snapshot = NULL, *block = NULL, *count_s = NULL, *models = NULL, *runs_s = NULL,
               *image = NULL, *pattern = NULL, *size = NULL, *page_s = NULL, *channel_s = NULL;
    static const char *const own[] = {"--out",   "--view",  "--layer",  "--unit",  "--rule",
                                      "--snapshot", "--block", "--count", "--models", "--runs",
                                      "--image", "--pattern", "--size", "--page", "--channel"};
    const char **const dst[] = {&out,      &view,   &layer,   &unit,    &rule,
                                &snapshot, &block,  &count_s, &models,  &runs_s,
                                &image,    &pattern, &size,   &page_s,  &channel_s};
    char *rest[64];
    int nrest = app_take_own(argc, argv, own, dst, 15, rest);
    /* --present is a flag: taken out here */
    RenderSize rsz = {1280, 800, 0};
    const RenderSize *rs = &rsz;
    for (int i = 0; i < nrest; i++)
        if (!strcmp(rest[i], "--present")) {
            rsz.present = 1;
            memmove(rest + i, rest + i + 1, (size_t)(nrest - i - 1) * sizeof *rest);
            nrest--, i--;
        }
    AppOptions o;
    const char *npy = take_npy_arg(rest, &nrest);
    int help, rc = app_parse(nrest, rest,
                             APP_OPT_INPUT | APP_OPT_WEIGHTS | APP_OPT_DATA | APP_OPT_BATCH |
                                 APP_OPT_BLOCK | APP_OPT_PREPROCESS,
                             0, render_usage, &o, &help);
    if (rc || help) return rc;
    if (!out) {
        fprintf(stderr, "convscope render: --out FILE.png is required\n");
        return APP_USAGE;
    }
    if (size && parse_size(size, &rsz) != 0) return APP_USAGE;
    if (page_s && strcmp(view, "featuremaps")) {
        fprintf(stderr, "convscope render: --page pages through the feature maps (--view featuremaps)\n");
        return APP_USAGE;
    }
    if (!strcmp(view, "history")) view = "timeline"; /* the issue's and DESIGN's name for it */
    if (!strcmp(view, "timeline") && o.model && !models) models = o.model; /* render NAME --view history */
    if (!strcmp(view, "timeline")) { /* the model picker, on --models NAME or the first */
        ZooView *z = malloc(sizeof *z);
        AppCanvas cv;
        rc = APP_FAIL;
        if (z && zoo_init(z, NULL, (EngCount){0}, 0) == 0) {
            PickView p = {0};
            for (int i = 0; models && i < z->n; i++)
                if (!strcmp(z->card[i]->name, models)) p.sel = i + 1;
            if (models && !p.sel) {
                const size_t ml = strlen(models);
                if (ml > 5 && !strcmp(models + ml - 5, ".onnx"))
                    fprintf(stderr, "convscope render: the timeline shows the zoo's networks; '%s' is "
                            "a file (its views: summary, featuremaps, filters, rf, 3d...)\n", models);
                else
                    fprintf(stderr, "convscope render: unknown model '%s' (see 'convscope models')\n", models);
                free(z);
                return APP_USAGE;
            }
            p.sel = p.sel ? p.sel - 1 : 0;
            if (render_canvas(&cv, rs) == 0) {
                pick_draw(&p, z, cv.r, &cv.fonts, cv.w, cv.h, NULL);
                if (app_canvas_save(&cv, out, "render") == 0) rc = APP_OK;
            }
            app_canvas_close(&cv);
        }
        free(z);
        return rc;
    }
    if (!strcmp(view, "rf")) {
        RfView *v = malloc(sizeof *v);
        AppCanvas cv;
        rc = APP_FAIL;
        if (v && render_canvas(&cv, rs) == 0) {
            /* render MODEL --view rf: MODEL drawn with the classic ones (added to them
             * when it is not one: an imported file, another zoo network) */
            const ModelCard *mc = NULL;
            EngGraph *mg = NULL;
            if (o.model) {
                int code = APP_OK;
                mg = app_build_model(&o, &mc, &code);
                if (!mg) {
                    app_canvas_close(&cv);
                    free(v);
                    return code;
                }
            }
            rf_init(v, mc, mg);
            eng_graph_destroy(mg);
            if (models) { /* the networks named, in the chart's list, are drawn */
                for (int k = 0; k < v->n; k++) {
                    char want[256];
                    snprintf(want, sizeof want, ",%s,", models);
                    char me[80];
                    snprintf(me, sizeof me, ",%s,", v->card[k]->name);
                    v->on[k] = strstr(want, me) != NULL;
                }
            }
            rf_draw(v, cv.r, &cv.fonts, cv.w, cv.h);
            if (app_canvas_save(&cv, out, "render") == 0) rc = APP_OK;
        }
        if (v) app_canvas_close(&cv);
        free(v);
        return rc;
    }
    if (!strcmp(view, "compare") || !strcmp(view, "zoo")) {
        int runs = !strcmp(view, "zoo") ? 3 : 5;
        char *end = NULL;
        if (runs_s) {
            long v = strtol(runs_s, &end, 10);
            if (*end || end == runs_s || v < 0 || v > 16) {
                fprintf(stderr, "convscope render: --runs takes 0..16, not '%s'\n", runs_s);
                return APP_USAGE;
            }
            runs = (int)v;
        }
        return render_bench(view, out, block, count_s, models, runs, &o, rs);
    }
    const int probe = !strcmp(view, "top9") ? PROBE_TOP9 : !strcmp(view, "occlusion") ? PROBE_OCCLUSION : 0;
    if (strcmp(view, "featuremaps") && strcmp(view, "summary") && strcmp(view, "filters") &&
        strcmp(view, "evolution") && strcmp(view, "3d") && strcmp(view, "browse") && !probe) {
        fprintf(stderr, "convscope render: --view takes featuremaps, filters, evolution, summary, "
                        "3d, browse, top9, occlusion, compare, zoo, rf or history (timeline), not '%s'\n", view);
        return APP_USAGE;
    }
    if (probe && !unit && !channel_s) {
        fprintf(stderr, "convscope render: --view %s needs --channel C (the channel it probes)\n", view);
        return APP_USAGE;
    }
    if (!o.model) {
        fprintf(stderr, "convscope render: which model? (e.g. 'convscope render lenet5 --out x.png')\n");
        return APP_USAGE;
    }
    /* --channel C [--unit Y,X], as deconv takes them; --unit C[,Y,X] alone says the same */
    int uc = -1, uy = -1, ux = -1;
    if (channel_s) {
        char *end;
        long c = strtol(channel_s, &end, 10);
        int nu = unit ? sscanf(unit, "%d,%d", &uy, &ux) : 0;
        if (*end || end == channel_s || c < 0 || c > INT32_MAX) {
            fprintf(stderr, "convscope render: --channel takes a channel number, not '%s'\n", channel_s);
            return APP_USAGE;
        }
        if (unit && (nu != 2 || uy < 0 || ux < 0 || strchr(strchr(unit, ',') + 1, ','))) {
            fprintf(stderr, "convscope render: with --channel, --unit takes Y,X (e.g. 4,4), not '%s'\n", unit);
            return APP_USAGE;
        }
        uc = (int)c;
    } else if (unit) {
        int nu = sscanf(unit, "%d,%d,%d", &uc, &uy, &ux);
        if ((nu != 3 && nu != 1) || uc < 0 || (nu == 3 && (uy < 0 || ux < 0))) {
            fprintf(stderr, "convscope render: --unit takes CHANNEL,Y,X (e.g. 3,4,4) or CHANNEL, or Y,X "
                            "with --channel, not '%s'\n", unit);
            return APP_USAGE;
        }
    }
    const int has_channel = uc >= 0;
    int proj = 0;
    EngProjRule pr;
    if (rule) {
        proj = app_parse_rule(rule, &pr) == 0 ? 1 + (int)pr : 0;
        if (!proj || !has_channel) {
            fprintf(stderr, "convscope render: --rule takes deconv, guided or backprop, with --channel\n");
            return APP_USAGE;
        }
    }
    int pat = -1;
    if (pattern) {
        for (int k = 0; k < app_pattern_count(); k++)
            if (!strcmp(pattern, app_pattern_name(k))) pat = k;
        char *end;
        long v = strtol(pattern, &end, 10);
        if (pat < 0 && !*end && end != pattern && v >= 0 && v < app_pattern_count()) pat = (int)v;
        if (pat < 0 || image || npy) {
            fprintf(stderr, "convscope render: --pattern takes 0..%d or a name ('%s', ...), without "
                            "--image or an array\n", app_pattern_count() - 1, app_pattern_name(0));
            return APP_USAGE;
        }
    }
    float *given = NULL;
    if ((rc = load_npy_arg(npy, image, &o, &given, "render")) != APP_OK) return rc;
    Stepper s;
    rc = stepper_init(&s, &o, o.batch);
    if (!rc && image && stepper_use_image(&s, image, "render") != 0) rc = APP_FAIL;
    if (!rc && given) stepper_use_array(&s, given, npy);
    free(given);
    if (rc) {
        stepper_free(&s);
        return rc;
    }
    if (pat >= 0) {
        s.source = SRC_PATTERN;
        s.pattern = pat;
        set_input(&s);
    }
    s.table = !strcmp(view, "summary");
    s.view3d = !strcmp(view, "3d");
    s.browsing = !strcmp(view, "browse");
    if (s.browsing && s.test.n <= 0) {
        fprintf(stderr, "convscope render: %s has no test set to browse (give --data)\n", s.card->name);
        stepper_free(&s);
        return APP_USAGE;
    }
    s.filters = !strcmp(view, "filters");
    s.evolution = !strcmp(view, "evolution");
    if (snapshot) {
        char *end;
        long k = strtol(snapshot, &end, 10);
        if (*end || end == snapshot || k < 0 || k >= s.n_steps) {
            fprintf(stderr, "convscope render: --snapshot takes 0..%d (the weights have %d filter "
                            "snapshots), not '%s'\n", s.n_steps - 1, s.n_steps, snapshot);
            stepper_free(&s);
            return APP_USAGE;
        }
        s.snap = (int)k;
        s.filters = 1;
    }
    if (layer) {
        int id = eng_graph_find(s.graph, layer);
        if (id < 0 || !eng_graph_node(s.graph, id)->act) {
            fprintf(stderr, "convscope render: %s has no layer '%s' (see 'convscope summary %s')\n",
                    s.card->name, layer, s.card->name);
            stepper_free(&s);
            return APP_USAGE;
        }
        s.current = id;
    } else {
        for (int i = 0; i < eng_graph_node_count(s.graph); i++)
            if (eng_graph_node(s.graph, i)->op == ENG_OP_CONV) {
                s.current = i;
                break;
            }
    }
    if (has_channel) {
        const EngNode *nd = eng_graph_node(s.graph, s.current);
        if (uc >= nd->out.C || uy >= nd->out.H || ux >= nd->out.W) {
            char what[64];
            if (uy >= 0) snprintf(what, sizeof what, "channel %d, unit (%d, %d)", uc, uy, ux);
            else snprintf(what, sizeof what, "channel %d", uc);
            fprintf(stderr, "convscope render: %s is outside %s's %dx%dx%d output\n", what, nd->name,
                    nd->out.C, nd->out.H, nd->out.W);
            stepper_free(&s);
            return APP_USAGE;
        }
        s.zoom = uc, s.sel_y = uy, s.sel_x = ux;
        s.proj = proj;
        stepper_erf(&s);
        stepper_project(&s);
        if (probe) {
            s.probe = probe;
            stepper_probe(&s, NULL, NULL);
            if (!s.probe_ready) {
                fprintf(stderr, "convscope render: %s\n", s.msg);
                stepper_free(&s);
                return APP_FAIL;
            }
        }
    }
    s.cam.focus_z = viz_3d_node_z(s.graph, s.current);
    AppCanvas cv;
    rc = APP_FAIL;
    const int opened = render_canvas(&cv, rs) == 0;
    if (opened && page_s) { /* the pages as the window would lay them out */
        const EngNode *nd = eng_graph_node(s.graph, s.current);
        int pages = viz_fmap_pages(&cv.fonts, s.graph, s.current, layout(&cv.fonts, &s, cv.w, cv.h).main);
        char *end;
        long k = strtol(page_s, &end, 10);
        if (*end || end == page_s || k < 1 || k > pages || has_channel) {
            fprintf(stderr, "convscope render: %s's %d channels fill %d page%s at %dx%d; --page takes 1..%d "
                            "(without --channel), not '%s'\n", nd->name, nd->out.C, pages, pages == 1 ? "" : "s",
                    cv.w, cv.h, pages, page_s);
            app_canvas_close(&cv);
            stepper_free(&s);
            return APP_USAGE;
        }
        s.page = (int)k - 1;
    }
    if (opened) {
        stepper_draw(&s, cv.r, &cv.fonts, cv.w, cv.h, NULL);
        if (app_canvas_save(&cv, out, "render") == 0) rc = APP_OK;
    }
    app_canvas_close(&cv);
    stepper_free(&s);
    return rc;
}
/* ---- deconv: a unit or channel projected back to pixels --------------------------------- */

static const char deconv_usage[] =
    "usage: convscope deconv MODEL --layer NAME --channel C --out FILE.png\n"
    "                        [--unit Y,X|max] [--rule deconv|guided|backprop]\n"
    "                        [--image FILE | --input FILE.npy | --batch N]\n"
    "                        [--weights FILE] [--data digits|fashion|PATH] [--npy FILE.npy]\n"
    "                        [--preprocess caffe|torchvision|none|card]\n"
    "  Projects channel C of layer NAME back to pixel space (Zeiler and Fergus 2014):\n"
    "  the layer's activations with all others set to zero go down through the\n"
    "  network, max pooling unpooled by its switches, convolutions transposed.\n"
    "  --unit keeps one unit (max: the strongest); --rule picks what ReLU does on the\n"
    "  way down: deconv (rectify), guided (rectify and mask), backprop (gradient).\n"
    "  The input is test image N of the model's dataset (default 0), an image file\n"
    "  (--image, resized and normalised as the model expects) or a float32 array\n"
    "  fed as is (--input, shape CxHxW or 1xCxHxW). The PNG shows the input and the\n"
    "  projection (grey = 0); --npy writes the projection as float32 (C, H, W).\n";

int app_cmd_deconv(int argc, char **argv) {
    const char *out = NULL, *layer = NULL, *unit = NULL, *rule_s = "deconv", *image = NULL,
               *npy_in = NULL, *npy_out = NULL, *channel_s = NULL;
    static const char *const own[] = {"--out",   "--layer", "--unit", "--rule",
                                      "--image", "--input", "--npy",  "--channel"};
    const char **const dst[] = {&out, &layer, &unit, &rule_s, &image, &npy_in, &npy_out, &channel_s};
    char *rest[64];
    int nrest = app_take_own(argc, argv, own, dst, 8, rest);
    AppOptions o;
    int help, rc = app_parse(nrest, rest, APP_OPT_WEIGHTS | APP_OPT_DATA | APP_OPT_BATCH | APP_OPT_PREPROCESS,
                             1, deconv_usage, &o, &help);
    if (rc || help) return rc;
    int channel = -1, uy = -1, ux = -1, strongest = 0;
    EngProjRule rule = ENG_RULE_DECONV;
    const int bad_rule = app_parse_rule(rule_s, &rule) != 0;
    if (!layer || !channel_s || (!out && !npy_out)) {
        fprintf(stderr, "convscope deconv: %s is required (see 'convscope deconv --help')\n",
                !layer ? "--layer" : !channel_s ? "--channel" : "--out or --npy");
        return APP_USAGE;
    }
    if (bad_rule) {
        fprintf(stderr, "convscope deconv: --rule takes deconv, guided or backprop, not '%s'\n", rule_s);
        return APP_USAGE;
    }
    char *end;
    long cv = strtol(channel_s, &end, 10);
    if (*end || end == channel_s || cv < 0 || cv > 1000000) {
        fprintf(stderr, "convscope deconv: --channel takes a channel number, not '%s'\n", channel_s);
        return APP_USAGE;
    }
    channel = (int)cv;
    if (unit && !strcmp(unit, "max")) strongest = 1;
    else if (unit && (sscanf(unit, "%d,%d", &uy, &ux) != 2 || uy < 0 || ux < 0)) {
        fprintf(stderr, "convscope deconv: --unit takes Y,X or max, not '%s'\n", unit);
        return APP_USAGE;
    }
    if (image && npy_in) {
        fprintf(stderr, "convscope deconv: give --image or --input, not both\n");
        return APP_USAGE;
    }
    float *given = NULL;
    char err[512];
    if (npy_in && (rc = app_load_npy_input(npy_in, &o, &given, "deconv")) != APP_OK) return rc;
    Stepper s;
    rc = stepper_init(&s, &o, o.batch);
    if (rc) {
        free(given);
        stepper_free(&s);
        return rc;
    }
    rc = APP_USAGE;
    EngGraph *g = s.graph;
    const EngNode *in = eng_graph_node(g, 0);
    const int C = in->out.C, H = in->out.H, W = in->out.W;
    const char *source = s.status;
    char src_buf[600];
    if (given) {
        memcpy(eng_graph_input_buffer(g, 0), given, (size_t)C * H * W * sizeof(float));
        eng_graph_forward(g);
        snprintf(src_buf, sizeof src_buf, "input: %s", npy_in);
        source = src_buf;
    } else if (image) {
        if (app_load_image(image, s.card, eng_graph_input_buffer(g, 0), C, H, W, NULL, 0) != 0) {
            rc = APP_FAIL;
            goto done;
        }
        eng_graph_forward(g);
        snprintf(src_buf, sizeof src_buf, "input: %s", image);
        source = src_buf;
    } else if (s.test.n > 0) {
        int lb = s.test.labels[s.sample];
        snprintf(src_buf, sizeof src_buf, "input: %s #%d (%s)", s.test.name, s.sample,
                 s.labels && lb < s.n_labels ? s.labels[lb] : "?");
        source = src_buf;
    } else {
        source = "input: diagonal grating";
    }
    const int id = eng_graph_find(g, layer);
    if (id < 0 || !eng_graph_node(g, id)->act) {
        fprintf(stderr, "convscope deconv: %s has no layer '%s' (see 'convscope summary %s')\n",
                s.card->name, layer, s.card->name);
        goto done;
    }
    const EngNode *L = eng_graph_node(g, id);
    if (channel >= L->out.C || uy >= L->out.H || ux >= L->out.W) {
        fprintf(stderr, "convscope deconv: channel %d, unit %d,%d is outside %s's %dx%dx%d output\n",
                channel, uy, ux, L->name, L->out.C, L->out.H, L->out.W);
        goto done;
    }
    if (strongest) eng_graph_strongest(g, id, channel, &uy, &ux);
    rc = APP_FAIL;
    if (eng_graph_project(g, id, channel, uy, ux, rule) != 0) {
        fprintf(stderr, "convscope deconv: cannot project through %s\n", s.card->name);
        goto done;
    }
    const float *proj = in->grad;
    if (npy_out) {
        int64_t d[3] = {C, H, W};
        if (eng_npy_save(npy_out, d, 3, proj, err, sizeof err) != 0) {
            fprintf(stderr, "convscope deconv: %s\n", err);
            goto done;
        }
    }
    if (out) {
        const int panel = 440, pad = 28, top = 96;
        const int Wd = 2 * panel + 3 * pad, Hd = top + panel + 2 * pad + 24;
        AppCanvas cv;
        int ok = app_canvas_open(&cv, Wd, Hd, "deconv") == 0;
        if (ok) {
            SDL_Renderer *r = cv.r;
            const SDL_Color fg = {235, 235, 235, 255}, dim = {170, 175, 185, 255};
            char line[512];
            snprintf(line, sizeof line, "%s  ·  %s, channel %d", s.card->display, L->name, channel);
            viz_text(r, cv.fonts.sans_big, pad, 12, fg, line);
            if (uy >= 0)
                snprintf(line, sizeof line, "%s  ·  unit (%d, %d)%s, activation %.4g", rule_names[rule],
                         uy, ux, strongest ? ", the strongest" : "",
                         L->act[((size_t)channel * L->out.H + uy) * L->out.W + ux]);
            else
                snprintf(line, sizeof line, "%s  ·  the whole map, other channels zeroed",
                         rule_names[rule]);
            viz_text(r, cv.fonts.sans, pad, 52, dim, line);
            const int cap = cv.fonts.small_line + 4;
            SDL_Rect a = {pad, top, panel, panel + cap}, b = {2 * pad + panel, top, panel, panel + cap};
            viz_draw_planes(r, &cv.fonts, eng_graph_input_buffer(g, 0), C, H, W, a, 0, source);
            viz_draw_planes(r, &cv.fonts, proj, C, H, W, b, 1, "projection (grey = 0)");
            ok = app_canvas_save(&cv, out, "deconv") == 0;
        }
        app_canvas_close(&cv);
        if (!ok) goto done;
    }
    rc = APP_OK;
done:
    free(given);
    stepper_free(&s);
    return rc;
}
#else
int app_cmd_view(int argc, char **argv) {
    (void)argc;
    (void)argv;
    fprintf(stderr, "convscope view: built without the GUI (CONVSCOPE_GUI=OFF)\n");
    return APP_FAIL;
}
int app_cmd_render(int argc, char **argv) {
    (void)argc;
    (void)argv;
    fprintf(stderr, "convscope render: built without the GUI (CONVSCOPE_GUI=OFF)\n");
    return APP_FAIL;
}
int app_cmd_deconv(int argc, char **argv) {
    (void)argc;
    (void)argv;
    fprintf(stderr, "convscope deconv: built without the GUI (CONVSCOPE_GUI=OFF)\n");
    return APP_FAIL;
}
#endif
