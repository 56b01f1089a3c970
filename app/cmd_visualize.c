/*
 * cmd_visualize.c — `convscope visualize`: the input that a channel, one of
 * its units or a class score likes most, found by gradient ascent on the
 * pixels with the regularisers of Yosinski et al. 2015 and Olah et al. 2017
 * (eng_featvis.c), written as the network takes it (--npy) and drawn (--out).
 */
#include <stdlib.h>
#include <string.h>

#include "app.h"

#ifdef CONVSCOPE_HAVE_GUI
#include "canvas.h"
#endif

static const char visualize_usage[] =
    "usage: convscope visualize MODEL --layer NAME --channel C [--unit Y,X] [--steps N]\n"
    "                           [--seed S] [--weights FILE] [--data digits|fashion|PATH]\n"
    "                           [--out FILE.png] [--npy IMG.npy] [--json] [--threads N]\n"
    "  Feature visualization by optimization: starting from faint noise, gradient ascent\n"
    "  on the input raises channel C's mean activation at layer NAME (or unit Y,X's; on\n"
    "  the output layer, class C's score before softmax). Each step sees the input\n"
    "  randomly shifted, scaled and rotated (Olah et al. 2017), then L2 decay, a Gaussian\n"
    "  blur every 4 steps and the input's valid range keep the picture readable\n"
    "  (Yosinski et al. 2015). The same seed gives the same input, bit for bit.\n"
    "  --npy writes it as float32 (C, H, W) exactly as the network takes it (after\n"
    "  preprocessing), so that 'convscope predict MODEL --input IMG.npy' sees it as the\n"
    "  ascent did; --out draws it and the objective over the steps; --json prints\n"
    "  {\"model\",\"layer\",\"channel\",\"unit\",\"steps\",\"seed\",\"objective\",\"start\",\"class\",\"prob\"}.\n"
    "  Progress goes to stderr.\n";

typedef struct {
    AppOptions o;
    const ModelCard *card;
    EngGraph *g;
    int layer;        /* the node maximised (the class scores for the output) */
    int is_scores;    /* the layer holds the class scores */
    EngFeatvis p;
    float *x;         /* (C, H, W) the result */
    float *hist;      /* (steps) */
    double objective; /* at the result, untransformed */
    float prob;       /* the class's probability at the result (is_scores) */
    const char *const *labels;
    int n_labels;
} Visualize;

/* --layer, --channel, --unit: APP_OK or APP_USAGE after a line on stderr. */
static int vis_options(Visualize *r, int argc, char **argv, int *help) {
    AppOptions *o = &r->o;
    int rc = app_parse_cmd(argc, argv, visualize_usage, o, help);
    if (rc || *help) return rc;
    if (!o->layer || !o->channel_set) {
        fprintf(stderr, "convscope visualize: %s is required (see 'convscope visualize --help')\n",
                !o->layer ? "--layer" : "--channel");
        return APP_USAGE;
    }
    r->p.y = r->p.x = -1;
    if (o->unit) {
        int yx[2];
        if (eng_parse_int_list(o->unit, 0, 1000000, yx, 2) != 2) {
            fprintf(stderr, "convscope visualize: --unit takes Y,X (each 0..1000000), not '%s'\n", o->unit);
            return APP_USAGE;
        }
        r->p.y = yx[0], r->p.x = yx[1];
    }
#ifndef CONVSCOPE_HAVE_GUI
    if (o->out) {
        fprintf(stderr, "convscope visualize: built without the GUI: no PNG (use --npy or --json)\n");
        return APP_USAGE;
    }
#endif
    return APP_OK;
}

void app_featvis_range(const ModelCard *card, float lo[3], float hi[3]) {
    const ModelPreproc *q = &card->pre;
    const float scale = q->scale > 0 ? q->scale : 1.0f;
    for (int k = 0; k < 3; k++) { /* pixel 0 and 255, as the preprocessing maps them */
        const float sd = q->std[k] != 0 ? q->std[k] : 1.0f;
        const float a = (0.0f - q->mean[k]) / sd, b = (255.0f * scale - q->mean[k]) / sd;
        lo[k] = a < b ? a : b, hi[k] = a < b ? b : a;
    }
}

int app_featvis_target(EngGraph *g, int id, int *is_scores) {
    const int logits = eng_graph_logits(g, NULL);
    /* a softmax's probabilities compete with each other: the ascent follows the
     * class's score before it, as Simonyan et al. 2014 do */
    *is_scores = id == logits || id == eng_graph_output(g);
    return id == eng_graph_output(g) ? logits : id;
}

/* The model, its weights, the layer and the unit against it. */
static int vis_open(Visualize *r) {
    int rc;
    const AppOptions *o = &r->o;
    if (o->threads) eng_set_threads(o->threads);
    r->g = app_open_trained(o, o->layer, o->channel, "visualize", &r->card, &r->layer, &rc);
    if (!r->g) return rc;
    if (r->layer == 0) {
        fprintf(stderr, "convscope visualize: '%s' is the input; pick a layer after it (see "
                        "'convscope summary %s')\n", o->layer, r->card->name);
        return APP_USAGE;
    }
    r->layer = app_featvis_target(r->g, r->layer, &r->is_scores);
    const EngNode *L = eng_graph_node(r->g, r->layer);
    if (r->p.y >= L->out.H || r->p.x >= L->out.W) {
        fprintf(stderr, "convscope visualize: --unit %d,%d is outside %s's %dx%d plane (Y 0..%d, X 0..%d)\n",
                r->p.y, r->p.x, L->name, L->out.H, L->out.W, L->out.H - 1, L->out.W - 1);
        return APP_USAGE;
    }
    eng_graph_enable_grads(r->g);
    if (eng_graph_plan(r->g, 1) != 0) {
        fprintf(stderr, "convscope visualize: no memory for %s's activations and gradients\n", r->card->name);
        return APP_FAIL;
    }
    const char *data = o->data ? o->data : r->card->weights_data;
    r->labels = app_class_names(r->card, r->g, data, &r->n_labels);
    return APP_OK;
}

typedef struct {
    const float *hist;
    int last_shown;
} VisProgress;

/* A line on stderr rewritten in place, about fifty times a run. */
static int vis_progress(void *ctx, int done, int total) {
    VisProgress *v = ctx;
    const int tick = total / 50 > 0 ? total / 50 : 1;
    if (done == total || done - v->last_shown >= tick) {
        v->last_shown = done;
        fprintf(stderr, "\rconvscope visualize: step %d/%d  objective %.5g   ", done, total, v->hist[done - 1]);
        if (done == total) fputc('\n', stderr);
    }
    return 0;
}

static int vis_run(Visualize *r) {
    const EngNode *in = eng_graph_node(r->g, 0);
    const size_t n = (size_t)in->out.C * in->out.H * in->out.W;
    float lo[3], hi[3];
    app_featvis_range(r->card, lo, hi);
    const int y = r->p.y, x = r->p.x;
    eng_featvis_defaults(&r->p, lo, hi);
    r->p.layer = r->layer, r->p.channel = r->o.channel, r->p.y = y, r->p.x = x;
    if (r->o.steps) r->p.steps = r->o.steps;
    if (r->o.seed_set) r->p.seed = r->o.seed;
    r->x = malloc(n * sizeof *r->x);
    r->hist = malloc((size_t)r->p.steps * sizeof *r->hist);
    if (!r->x || !r->hist) {
        fprintf(stderr, "convscope visualize: not enough memory\n");
        return APP_FAIL;
    }
    char err[512];
    VisProgress pr = {r->hist, 0};
    app_log_capture(1);
    int rc = eng_featvis_run(r->g, &r->p, r->x, r->hist, vis_progress, &pr, err, sizeof err);
    if (rc == 0) rc = eng_featvis_objective(r->g, &r->p, r->x, &r->objective, NULL, err, sizeof err);
    app_log_capture(0);
    if (rc != 0) {
        fprintf(stderr, "convscope visualize: %s\n", err);
        return APP_FAIL;
    }
    /* the forward pass on the result is the last one run: its class probabilities */
    const EngNode *S = eng_graph_node(r->g, eng_graph_logits(r->g, NULL));
    float *p = malloc((size_t)S->out.C * S->out.H * S->out.W * sizeof *p);
    int k = 0;
    if (r->is_scores && p && eng_graph_class_probs(r->g, p, &k) == 0 && r->o.channel < k)
        r->prob = p[r->o.channel];
    free(p);
    return APP_OK;
}

static void vis_json(const Visualize *r) {
    const char *label = r->is_scores && r->o.channel < r->n_labels ? r->labels[r->o.channel] : NULL;
    printf("{\"model\":");
    app_json_str(stdout, r->card->name);
    printf(",\"layer\":");
    app_json_str(stdout, eng_graph_node(r->g, r->layer)->name);
    printf(",\"channel\":%d,\"unit\":", r->o.channel);
    if (r->p.y >= 0) printf("[%d,%d]", r->p.y, r->p.x);
    else printf("null");
    printf(",\"steps\":%d,\"seed\":%llu,\"objective\":%.9g,\"start\":%.9g", r->p.steps,
           (unsigned long long)r->p.seed, r->objective, r->hist[0]);
    if (r->is_scores) {
        printf(",\"class\":%d,\"label\":", r->o.channel);
        if (label) app_json_str(stdout, label);
        else printf("null");
        printf(",\"prob\":%.9g", r->prob);
    }
    printf("}\n");
}

#ifdef CONVSCOPE_HAVE_GUI
/* The picture and the objective over the steps. */
static int vis_png(const Visualize *r) {
    const EngNode *in = eng_graph_node(r->g, 0), *L = eng_graph_node(r->g, r->layer);
    const int pad = 26, top = 92, panel = 380, Wd = 2 * panel + 3 * pad + 200, Hd = top + panel + 2 * pad;
    AppCanvas cv;
    int ok = app_canvas_open(&cv, Wd, Hd, "visualize") == 0;
    if (ok) {
        const SDL_Color fg = {235, 235, 235, 255}, dim = {170, 175, 185, 255};
        char line[1024], what[256], cap[200];
        if (r->is_scores) {
            const char *label = r->o.channel < r->n_labels ? r->labels[r->o.channel] : NULL;
            snprintf(what, sizeof what, "class %d%s%s%s (p = %.4f)", r->o.channel,
                     label ? " (" : "", label ? label : "", label ? ")" : "", r->prob);
        } else if (r->p.y >= 0)
            snprintf(what, sizeof what, "unit (%d, %d) of channel %d of %s", r->p.y, r->p.x, r->o.channel, L->name);
        else snprintf(what, sizeof what, "the mean of channel %d of %s", r->o.channel, L->name);
        snprintf(line, sizeof line, "%s  ·  maximising %s", r->card->display, what);
        viz_text_fit(cv.r, cv.fonts.sans_big, pad, 12, Wd - 2 * pad, fg, line);
        snprintf(line, sizeof line, "%d ascent steps, seed %llu  ·  jitter, scale, rotation (Olah 2017)  ·  "
                 "L2 decay, blur (Yosinski 2015)", r->p.steps,
                 (unsigned long long)r->p.seed);
        viz_text_fit(cv.r, cv.fonts.sans, pad, 52, Wd - 2 * pad, dim, line);
        snprintf(cap, sizeof cap, "the input as fed (%dx%dx%d)", in->out.C, in->out.H, in->out.W);
        viz_draw_planes(cv.r, &cv.fonts, r->x, in->out.C, in->out.H, in->out.W,
                        (SDL_Rect){pad, top, panel, panel}, 0, cap);
        double *xs = malloc((size_t)r->p.steps * 2 * sizeof *xs);
        if (xs) {
            for (int s = 0; s < r->p.steps; s++) xs[s] = s + 1, xs[r->p.steps + s] = r->hist[s];
            VizLine ln = {"objective", r->p.steps, xs, xs + r->p.steps, 0, 0, 0};
            VizLineChart ch = {"the objective at each step's transformed input", "step",
                               r->is_scores ? "class score" : "activation", &ln, 1, 0, 0, 0, 0};
            viz_draw_line_chart(cv.r, &cv.fonts, &ch, (SDL_Rect){2 * pad + panel, top, Wd - 3 * pad - panel, panel});
            free(xs);
        }
        ok = app_canvas_save(&cv, r->o.out, "visualize") == 0;
    }
    app_canvas_close(&cv);
    return ok ? APP_OK : APP_FAIL;
}
#endif

static int vis_report(const Visualize *r) {
    if (r->o.npy_out) {
        const EngNode *in = eng_graph_node(r->g, 0);
        int64_t d[3] = {in->out.C, in->out.H, in->out.W};
        char err[512];
        if (eng_npy_save(r->o.npy_out, d, 3, r->x, err, sizeof err) != 0) {
            fprintf(stderr, "convscope visualize: %s\n", err);
            return APP_FAIL;
        }
    }
    if (r->o.json) vis_json(r);
    else {
        printf("%s: %s channel %d%s: objective %.6g after %d steps (%.6g at the start)", r->card->name,
               eng_graph_node(r->g, r->layer)->name, r->o.channel, r->p.y >= 0 ? " (one unit)" : "",
               r->objective, r->p.steps, r->hist[0]);
        if (r->is_scores) printf(", p(class %d) = %.4f", r->o.channel, r->prob);
        printf("\n");
    }
#ifdef CONVSCOPE_HAVE_GUI
    if (r->o.out && vis_png(r) != APP_OK) return APP_FAIL;
#endif
    return APP_OK;
}

int app_cmd_visualize(int argc, char **argv) {
    Visualize r;
    memset(&r, 0, sizeof r);
    int help, rc = vis_options(&r, argc, argv, &help);
    if (rc || help) return rc;
    rc = vis_open(&r);
    if (rc == APP_OK) rc = vis_run(&r);
    if (rc == APP_OK) rc = vis_report(&r);
    free(r.x);
    free(r.hist);
    eng_graph_destroy(r.g);
    return rc;
}
