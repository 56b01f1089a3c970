/*
 * cmd_gradcam.c — `convscope gradcam`: where in the input a layer finds the
 * evidence for a class (Grad-CAM, Selvaraju et al. 2017; eng_graph_gradcam),
 * and guided Grad-CAM, its product with guided backprop.
 */
#include <stdlib.h>
#include <string.h>

#include "app.h"

#ifdef CONVSCOPE_HAVE_GUI
#include "canvas.h"
#endif

static const char gradcam_usage[] =
    "usage: convscope gradcam MODEL --layer NAME --class K (--image FILE | --input FILE.npy |\n"
    "                         --image-index N) [--npy MAP.npy] [--out FILE.png] [--json] [--guided]\n"
    "                         [--weights FILE] [--data digits|fashion|PATH] [--preprocess PRESET]\n"
    "                         [--mean M|R,G,B] [--std S|R,G,B] [--channel-order rgb|bgr]\n"
    "  Grad-CAM of class K at layer NAME: with A the layer's output (C, H, W) for the\n"
    "  input and score_K the class's score before softmax (the input of a softmax at the\n"
    "  end), map = ReLU(sum over channels k of alpha_k A^k), alpha_k the mean over\n"
    "  (H, W) of d score_K / d A^k. --npy writes the map as float32 (H, W) at the\n"
    "  layer's own size, unnormalised, in units of the class score; --out draws it\n"
    "  upsampled (bilinear) over the input with a colour bar, and the map itself;\n"
    "  --guided adds guided Grad-CAM: guided backprop of score_K to the pixels times\n"
    "  the upsampled map. --json prints {\"model\",\"layer\",\"class\",\"label\",\"prob\",\n"
    "  \"grid\":[H,W],\"max\",\"at\":[Y,X]}. The input and the weights are taken as\n"
    "  'convscope predict' takes them.\n";

typedef struct {
    AppOptions o;
    AppClassifier c;
    int K;         /* classes */
    float *map;    /* (h, w) */
    int h, w;
    float *guided; /* (C, H, W) of the input, --guided */
    float *img;    /* the input as fed, (C, H, W) */
    float prob;    /* the class's probability */
} Gradcam;

/* The options a run needs; APP_OK or APP_USAGE after a line on stderr. */
static int gc_options(Gradcam *r, int argc, char **argv, int *help) {
    const AppOptions *o = &r->o;
    int rc = app_parse_cmd(argc, argv, gradcam_usage, &r->o, help);
    if (rc || *help) return rc;
    if (!o->layer || !o->cls_set || (!o->out && !o->npy_out && !o->json)) {
        fprintf(stderr, "convscope gradcam: %s is required (see 'convscope gradcam --help')\n",
                !o->layer ? "--layer" : !o->cls_set ? "--class" : "--out, --npy or --json");
        return APP_USAGE;
    }
#ifndef CONVSCOPE_HAVE_GUI
    if (o->out) {
        fprintf(stderr, "convscope gradcam: built without the GUI: no PNG (use --npy or --json)\n");
        return APP_USAGE;
    }
#endif
    return APP_OK;
}

/* The class and the layer against the model; APP_OK or APP_USAGE. */
static int gc_check(Gradcam *r) {
    EngGraph *g = r->c.g;
    const int logits = eng_graph_logits(g, NULL);
    const EngNode *L = eng_graph_node(g, logits), *A = eng_graph_node(g, r->c.layer);
    r->K = L->out.C * L->out.H * L->out.W;
    if (r->o.cls >= r->K) {
        fprintf(stderr, "convscope gradcam: --class %d is past the %d classes of %s (0..%d)\n", r->o.cls,
                r->K, r->c.card->name, r->K - 1);
        return APP_USAGE;
    }
    if (r->c.layer > logits || r->c.layer == 0) {
        fprintf(stderr, "convscope gradcam: layer '%s' is %s; pick one between the input and '%s' "
                        "(see 'convscope summary %s')\n", A->name,
                r->c.layer == 0 ? "the input" : "after the class scores", L->name, r->c.card->name);
        return APP_USAGE;
    }
    r->h = A->out.H, r->w = A->out.W;
    return APP_OK;
}

/* The map, the class's probability, the input as fed and guided Grad-CAM. */
static int gc_run(Gradcam *r) {
    EngGraph *g = r->c.g;
    const EngNode *in = eng_graph_node(g, 0);
    const size_t n_in = (size_t)in->out.C * in->out.H * in->out.W;
    float *p = malloc((size_t)r->K * sizeof *p);
    r->map = malloc((size_t)r->h * r->w * sizeof *r->map);
    r->img = malloc(n_in * sizeof *r->img);
    if (r->o.guided) r->guided = malloc(n_in * sizeof *r->guided);
    int K = 0;
    if (!p || !r->map || !r->img || (r->o.guided && !r->guided)) {
        fprintf(stderr, "convscope gradcam: not enough memory\n");
        free(p);
        return APP_FAIL;
    }
    r->prob = eng_graph_class_probs(g, p, &K) == 0 ? p[r->o.cls] : 0.0f;
    free(p);
    memcpy(r->img, in->act, n_in * sizeof *r->img);
    char err[512];
    app_log_capture(1);
    int ok = eng_graph_gradcam(g, r->c.layer, r->o.cls, r->map, NULL, err, sizeof err) == 0 &&
             (!r->o.guided ||
              eng_graph_guided_gradcam(g, r->o.cls, r->map, r->h, r->w, r->guided, err, sizeof err) == 0);
    app_log_capture(0);
    if (!ok) {
        fprintf(stderr, "convscope gradcam: %s: %s\n", err, app_log_last());
        return APP_FAIL;
    }
    return APP_OK;
}

static void gc_json(const Gradcam *r) {
    int at = 0;
    for (int i = 1; i < r->h * r->w; i++)
        if (r->map[i] > r->map[at]) at = i;
    const char *label = app_classifier_label(&r->c, r->o.cls);
    printf("{\"model\":");
    app_json_str(stdout, r->c.card->name);
    printf(",\"layer\":");
    app_json_str(stdout, eng_graph_node(r->c.g, r->c.layer)->name);
    printf(",\"class\":%d,\"label\":", r->o.cls);
    if (label) app_json_str(stdout, label);
    else printf("null");
    printf(",\"prob\":%.9g,\"grid\":[%d,%d],\"max\":%.9g,\"at\":[%d,%d]}\n", r->prob, r->h, r->w,
           r->map[at], at / r->w, at % r->w);
}

#ifdef CONVSCOPE_HAVE_GUI
/* The figure: the input, the map over it with its colour bar, the map, guided. */
static int gc_png(const Gradcam *r) {
    const EngNode *in = eng_graph_node(r->c.g, 0), *A = eng_graph_node(r->c.g, r->c.layer);
    const int panels = r->guided ? 4 : 3, panel = 280, pad = 26, top = 92;
    const int Wd = panels * panel + (panels - 1) * 20 + 2 * pad, Hd = top + panel + 90 + pad;
    AppCanvas cv;
    int ok = app_canvas_open(&cv, Wd, Hd, "gradcam") == 0;
    if (ok) {
        const SDL_Color fg = {235, 235, 235, 255}, dim = {170, 175, 185, 255};
        const char *label = app_classifier_label(&r->c, r->o.cls);
        char line[1024], c1[160], c2[200], c3[160];
        snprintf(line, sizeof line, "%s  ·  Grad-CAM of class %d%s%s%s at %s", r->c.card->display,
                 r->o.cls, label ? " (" : "", label ? label : "", label ? ")" : "", A->name);
        viz_text(cv.r, cv.fonts.sans_big, pad, 12, fg, line);
        snprintf(line, sizeof line, "input: %s  ·  p(class %d) = %.4f  ·  Selvaraju et al. 2017: "
                 "ReLU of the channels weighted by their mean gradient", r->c.source, r->o.cls, r->prob);
        viz_text(cv.r, cv.fonts.sans, pad, 52, dim, line);
        snprintf(c1, sizeof c1, "the input (%dx%dx%d)", in->out.C, in->out.H, in->out.W);
        snprintf(c2, sizeof c2, "the map upsampled over it (bilinear)");
        snprintf(c3, sizeof c3, "the map at %s's %dx%d", A->name, r->h, r->w);
        VizGradcam v = {r->img, in->out.C, in->out.H, in->out.W, r->map, r->h, r->w, r->guided,
                        {c1, c2, c3, "guided Grad-CAM (grey = 0)"},
                        "Grad-CAM, in units of the class score before softmax"};
        SDL_Rect area = {pad, top, Wd - 2 * pad, Hd - top - pad};
        viz_draw_gradcam(cv.r, &cv.fonts, area, &v);
        ok = app_canvas_save(&cv, r->o.out, "gradcam") == 0;
    }
    app_canvas_close(&cv);
    return ok ? APP_OK : APP_FAIL;
}
#endif

/* --npy, --json and --out, in that order. */
static int gc_report(const Gradcam *r) {
    if (r->o.npy_out) {
        char err[512];
        int64_t d[2] = {r->h, r->w};
        if (eng_npy_save(r->o.npy_out, d, 2, r->map, err, sizeof err) != 0) {
            fprintf(stderr, "convscope gradcam: %s\n", err);
            return APP_FAIL;
        }
    }
    if (r->o.json) gc_json(r);
#ifdef CONVSCOPE_HAVE_GUI
    if (r->o.out && gc_png(r) != APP_OK) return APP_FAIL;
#endif
    return APP_OK;
}

int app_cmd_gradcam(int argc, char **argv) {
    Gradcam r;
    memset(&r, 0, sizeof r);
    int help, rc = gc_options(&r, argc, argv, &help);
    if (rc || help) return rc;
    rc = app_classifier_open(&r.c, &r.o, 1, "gradcam");
    if (rc == APP_OK) rc = gc_check(&r);
    if (rc == APP_OK) rc = gc_run(&r);
    if (rc == APP_OK) rc = gc_report(&r);
    free(r.map);
    free(r.img);
    free(r.guided);
    app_classifier_close(&r.c);
    return rc;
}
