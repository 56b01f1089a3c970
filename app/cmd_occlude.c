/*
 * cmd_occlude.c — `convscope occlude`: slide a grey square over the input
 * and watch three things change with its position (Zeiler and Fergus 2014,
 * Fig. 7): the total activation of one channel, the probability of the
 * correct class, and the most probable class.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"

#ifdef CONVSCOPE_HAVE_GUI
#include "canvas.h"
#endif

static const char occlude_usage[] =
    "usage: convscope occlude MODEL --layer NAME --channel C [--out FILE.png] [--npy FILE.npy]\n"
    "                         [--size S] [--stride T] [--grey V] [--image-index N] [--threads N]\n"
    "                         [--weights FILE] [--data digits|fashion|PATH] [--json]\n"
    "                         [--image FILE | --input FILE.npy] [--preprocess PRESET]\n"
    "  Covers test image N (--image-index N, from 0; default 0), an image file or a\n"
    "  float32 array fed as is (the class followed is then the clean image's\n"
    "  prediction) with an S x S square of value V (default: a quarter of the\n"
    "  input's side; stride 1 or 2; V the mean of the image) at every\n"
    "  position and records: the total activation of channel C of layer NAME, the\n"
    "  probability of the image's label, and the most probable class. --npy writes\n"
    "  them as float32 (3, OH, OW); --json prints {\"model\",\"layer\",\"channel\",\n"
    "  \"index\",\"label\",\"size\",\"stride\",\"grid\":[OH,OW],\"clean\":{\"activation\",\n"
    "  \"probability\",\"class\"},\"min_probability\":{\"value\",\"at\":[Y,X]}}.\n";

/* One run of the command: its options, the model, the image and the maps. */
typedef struct {
    AppOptions o;
    float *given;            /* --input FILE.npy: (C, H, W) */
    const ModelCard *card;
    EngGraph *g;
    int id;                  /* the layer's node */
    const char *data;        /* the dataset's name */
    EngDataset test;
    int from_file;           /* --image or --input: no test image, no label */
    float *clean_img;        /* (C, H, W) */
    AppOcclusion oc;
    int min_at;              /* where the probability falls lowest */
    const char *const *labels;
    int n_labels;
} Occlude;

/* The options, checked; APP_OK, or an exit code after a line on stderr. */
static int occ_options(Occlude *r, int argc, char **argv, int *help) {
    const AppOptions *o = &r->o;
    int rc = app_parse_cmd(argc, argv, occlude_usage, &r->o, help);
    if (rc || *help) return rc;
    if (!o->layer || !o->channel_set || (!o->out && !o->npy_out && !o->json)) {
        fprintf(stderr, "convscope occlude: %s is required (see 'convscope occlude --help')\n",
                !o->layer ? "--layer" : !o->channel_set ? "--channel" : "--out, --npy or --json");
        return APP_USAGE;
    }
#ifndef CONVSCOPE_HAVE_GUI
    if (o->out) {
        fprintf(stderr, "convscope occlude: built without the GUI: no PNG (use --npy or --json)\n");
        return APP_USAGE;
    }
#endif
    if (o->image && o->npy_in) {
        fprintf(stderr, "convscope occlude: give --image or --input, not both\n");
        return APP_USAGE;
    }
    return APP_OK;
}

/* The trained model and the image to cover: test image --image-index, an image
 * file or an array. APP_OK or an exit code after a line on stderr. */
static int occ_load(Occlude *r) {
    AppOptions *o = &r->o;
    int rc;
    if (o->npy_in && (rc = app_load_npy_input(o->npy_in, o, &r->given, "occlude")) != APP_OK) return rc;
    if (o->threads) eng_set_threads(o->threads);
    r->g = app_open_trained(o, o->layer, o->channel, "occlude", &r->card, &r->id, &rc);
    if (!r->g) return rc;
    r->data = o->data ? o->data : r->card->weights_data;
    r->from_file = o->image || o->npy_in;
    if (!r->data && !r->from_file) {
        fprintf(stderr, "convscope occlude: give --data, --image or --input (no dataset is known "
                        "for %s)\n", r->card->name);
        return APP_USAGE;
    }
    if (!r->from_file && app_load_data(r->data, NULL, &r->test, "occlude") != 0) return APP_FAIL;
    rc = app_check_image_index(o, &r->test, r->data, o->image ? "--image" : o->npy_in ? "--input" : NULL,
                               "occlude");
    if (rc != APP_OK) return rc;
    const EngNode *in = eng_graph_node(r->g, 0);
    const int C = in->out.C, H = in->out.H, W = in->out.W;
    if (o->occ_size > H || o->occ_size > W) {
        fprintf(stderr, "convscope occlude: a %dx%d square does not fit a %dx%d input\n", o->occ_size,
                o->occ_size, H, W);
        return APP_USAGE;
    }
    r->clean_img = malloc((size_t)C * H * W * sizeof *r->clean_img);
    if (!r->clean_img) {
        fprintf(stderr, "convscope occlude: not enough memory for a %dx%dx%d image\n", C, H, W);
        return APP_FAIL;
    }
    int idx = o->image_index;
    if (r->given) memcpy(r->clean_img, r->given, (size_t)C * H * W * sizeof *r->clean_img);
    else if (o->image && app_load_image(o->image, r->card, r->clean_img, C, H, W, NULL, 0) != 0)
        return APP_FAIL;
    else if (!r->from_file) app_fill_batch(r->clean_img, 1, C, H, W, &r->test, &idx, 1);
    return APP_OK;
}

/* The three maps, where the probability is lowest, and the class names. */
static int occ_run(Occlude *r) {
    char err[512];
    AppOcclusion *oc = &r->oc;
    *oc = (AppOcclusion){r->o.occ_size, r->o.occ_stride, r->o.grey_set ? (float)r->o.grey : NAN,
                         r->from_file ? -1 : r->test.labels[r->o.image_index], /* from a file: the clean prediction's */
                         0, 0, {0, 0, 0}, NULL};
    if (app_occlusion_run(r->g, r->id, r->o.channel, r->clean_img, oc, NULL, NULL, err, sizeof err) != 0) {
        fprintf(stderr, "convscope occlude: %s\n", err);
        return APP_FAIL;
    }
    const float *prob = oc->maps + (size_t)oc->OH * oc->OW;
    for (int i = 1; i < oc->OH * oc->OW; i++)
        if (prob[i] < prob[r->min_at]) r->min_at = i;
    r->labels = app_class_names(r->card, r->g, r->data, &r->n_labels);
    return APP_OK;
}

/* The name of class k, or "?". */
static const char *occ_class(const Occlude *r, int k) {
    return r->labels && k >= 0 && k < r->n_labels ? r->labels[k] : "?";
}

static void occ_json(const Occlude *r) {
    const AppOcclusion *oc = &r->oc;
    const int OW = oc->OW;
    /* names come from the model file and the data: every one through the escaping writer */
    printf("{\"model\":");
    app_json_str(stdout, r->card->name);
    printf(",\"layer\":");
    app_json_str(stdout, eng_graph_node(r->g, r->id)->name);
    printf(",\"channel\":%d,\"index\":%d,\"label\":", r->o.channel, r->from_file ? -1 : r->o.image_index);
    app_json_str(stdout, occ_class(r, oc->label));
    printf(",\"size\":%d,\"stride\":%d,\"grid\":[%d,%d],\"clean\":{\"activation\":%.9g,"
           "\"probability\":%.9g,\"class\":", oc->size, oc->stride, oc->OH, OW, oc->clean[0],
           oc->clean[1]);
    app_json_str(stdout, occ_class(r, (int)oc->clean[2]));
    printf("},\"min_probability\":{\"value\":%.9g,\"at\":[%d,%d]}}\n",
           oc->maps[(size_t)oc->OH * OW + r->min_at], (r->min_at / OW) * oc->stride,
           (r->min_at % OW) * oc->stride);
}

#ifdef CONVSCOPE_HAVE_GUI
/* The figure: the image and the three maps. 0, or -1 after a line on stderr. */
static int occ_png(const Occlude *r) {
    const AppOcclusion *oc = &r->oc;
    const EngNode *L = eng_graph_node(r->g, r->id), *in = eng_graph_node(r->g, 0);
    const int panel = 260, pad = 26, top = 92, cap = 24;
    const int Wd = 4 * panel + 5 * pad, Hd = top + cap + panel + 4 * 24 + 2 * pad;
    AppCanvas cv;
    int ok = app_canvas_open(&cv, Wd, Hd, "occlude") == 0;
    if (ok) {
        SDL_Renderer *ren = cv.r;
        const SDL_Color fg = {235, 235, 235, 255}, dim = {170, 175, 185, 255};
        const char *label = occ_class(r, oc->label);
        char line[512];
        if (r->from_file)
            snprintf(line, sizeof line, "%s  ·  occlusion of %s (seen as %s)", r->card->display,
                     r->o.image ? r->o.image : r->o.npy_in, label);
        else
            snprintf(line, sizeof line, "%s  ·  occlusion of %s #%d (%s)", r->card->display,
                     r->test.name, r->o.image_index, label);
        viz_text(ren, cv.fonts.sans_big, pad, 12, fg, line);
        snprintf(line, sizeof line, "a %dx%d square of value %.3g at every position (stride %d): "
                 "a map pixel is the square with its corner there", oc->size, oc->size, oc->grey,
                 oc->stride);
        viz_text(ren, cv.fonts.sans, pad, 52, dim, line);
        char c1[200], c2[200];
        snprintf(c1, sizeof c1, "%s ch %d total (clean %.3g)", L->name, r->o.channel, oc->clean[0]);
        snprintf(c2, sizeof c2, "p(%s) (clean %.3f)", label, oc->clean[1]);
        const char *caps[4] = {"the image", c1, c2, "most probable class"};
        SDL_Rect area = {pad, top, Wd - 2 * pad, Hd - top - pad};
        viz_draw_occlusion(ren, &cv.fonts, area, r->clean_img, in->out.C, in->out.H, in->out.W,
                           oc->maps, oc->OH, oc->OW, caps, r->labels, r->n_labels);
        ok = app_canvas_save(&cv, r->o.out, "occlude") == 0;
    }
    app_canvas_close(&cv);
    return ok ? 0 : -1;
}
#endif

/* --npy, --json and --out, in that order; APP_OK or APP_FAIL. */
static int occ_report(const Occlude *r) {
    if (r->o.npy_out) {
        char err[512];
        int64_t d[3] = {3, r->oc.OH, r->oc.OW};
        if (eng_npy_save(r->o.npy_out, d, 3, r->oc.maps, err, sizeof err) != 0) {
            fprintf(stderr, "convscope occlude: %s\n", err);
            return APP_FAIL;
        }
    }
    if (r->o.json) occ_json(r);
#ifdef CONVSCOPE_HAVE_GUI
    if (r->o.out && occ_png(r) != 0) return APP_FAIL;
#endif
    return APP_OK;
}

int app_cmd_occlude(int argc, char **argv) {
    Occlude r = {0};
    int help, rc = occ_options(&r, argc, argv, &help);
    if (rc || help) return rc;
    if ((rc = occ_load(&r)) == APP_OK && (rc = occ_run(&r)) == APP_OK) rc = occ_report(&r);
    free(r.given);
    free(r.oc.maps);
    free(r.clean_img);
    eng_dataset_free(&r.test);
    eng_graph_destroy(r.g);
    return rc;
}
