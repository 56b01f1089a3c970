/*
 * cmd_top9.c — `convscope top9`: the nine strongest activations of one
 * channel over a whole test set, each shown as the input patch its unit sees
 * (its theoretical receptive field) and as that unit's projection back to
 * pixels — Figure 2 of Zeiler and Fergus, "Visualizing and Understanding
 * Convolutional Networks" (ECCV 2014).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"

#ifdef CONVSCOPE_HAVE_GUI
#include "canvas.h"
#endif

static const char top9_usage[] =
    "usage: convscope top9 MODEL --layer NAME --channel C [--out FILE.png] [--json]\n"
    "                      [--weights FILE] [--data digits|fashion|PATH]\n"
    "                      [--images DIR] [--rule deconv|guided|backprop] [--batch B]\n"
    "                      [--threads N] [--preprocess caffe|torchvision|none|card]\n"
    "  Scans every test image of the dataset (default: the one the weights were\n"
    "  trained on), or every image file in DIR (.png, .jpg, .bmp, preprocessed as\n"
    "  the model expects; symbolic links in DIR are skipped, never followed), for\n"
    "  the nine strongest activations of channel C of layer NAME,\n"
    "  one per image, and shows each one's receptive-field patch of the input and\n"
    "  its projection to pixels (deconvnet by default), as Zeiler and Fergus's\n"
    "  Fig. 2 does. The scan (every channel of the layer) is cached in\n"
    "  $XDG_CACHE_HOME/convscope (or ~/.cache/convscope) under a hash of the model,\n"
    "  layer, weights and images, so other channels of that layer come at once.\n"
    "  --json prints {\"model\",\"layer\",\"channel\",\"data\",\"n\",\n"
    "  \"rule\",\"top\":[{\"index\",\"label\" (\"file\" with --images),\"activation\",\"unit\":[Y,X],\n"
    "  \"box\":[Y0,X0,Y1,X1]}]} (box: the field on the input, end exclusive, clipped).\n";

/* The scan's progress on a terminal. */
static int show_progress(void *ctx, int done, int total) {
    const char *name = ctx;
    if (done == total) fprintf(stderr, "\r%70s\r", "");
    else if ((done / 64) % 10 == 0) fprintf(stderr, "\rscanning %s: %d / %d images", name, done, total);
    return 0;
}

/* One run of the command: its options, the model, the images and the scan. */
typedef struct {
    AppOptions o;
    EngProjRule rule;
    const char *rule_s;
    const ModelCard *card;
    EngGraph *g;
    int id;                /* the layer's node */
    const char *data;      /* the dataset's name, NULL with --images */
    EngDataset test;
    char **names;          /* --images: the files' names */
    AppTop9 t;
    char what[9][300];     /* each winner's label or file name */
} Top9;

/* The options, checked; APP_OK, or an exit code after a line on stderr. */
static int top9_options(Top9 *r, int argc, char **argv, int *help) {
    AppOptions *o = &r->o;
    int rc = app_parse_cmd(argc, argv, top9_usage, o, help);
    if (rc || *help) return rc;
    r->rule_s = o->rule ? o->rule : "deconv";
    const int bad_rule = app_parse_rule(r->rule_s, &r->rule);
    ENG_ASSERT(bad_rule == 0); /* the flag table takes only the rules' names */
    if (!o->layer || !o->channel_set || (!o->out && !o->json)) {
        fprintf(stderr, "convscope top9: %s is required (see 'convscope top9 --help')\n",
                !o->layer ? "--layer" : !o->channel_set ? "--channel" : "--out or --json");
        return APP_USAGE;
    }
    if (o->images && o->data) {
        fprintf(stderr, "convscope top9: give --data or --images, not both\n");
        return APP_USAGE;
    }
#ifndef CONVSCOPE_HAVE_GUI
    if (o->out) {
        fprintf(stderr, "convscope top9: built without the GUI: no PNG (use --json)\n");
        return APP_USAGE;
    }
#endif
    return APP_OK;
}

/* The trained model and the images to scan; APP_OK or an exit code. */
static int top9_load(Top9 *r) {
    const AppOptions *o = &r->o;
    int rc;
    if (o->threads) eng_set_threads(o->threads);
    r->g = app_open_trained(o, o->layer, o->channel, "top9", &r->card, &r->id, &rc);
    if (!r->g) return rc;
    r->data = o->images ? NULL : o->data ? o->data : r->card->weights_data;
    if (!r->data && !o->images) {
        fprintf(stderr, "convscope top9: give --data or --images (no dataset is known for %s)\n",
                r->card->name);
        return APP_USAGE;
    }
    const EngNode *in = eng_graph_node(r->g, 0);
    if (o->images)
        return app_load_image_folder(o->images, r->card, in->out.C, in->out.H, in->out.W, &r->test,
                                     &r->names, "top9") == 0 ? APP_OK : APP_FAIL;
    return app_load_data(r->data, NULL, &r->test, "top9") == 0 ? APP_OK : APP_FAIL;
}

/* The scan (or the cache's copy of it) and each winner's caption. */
static int top9_scan(Top9 *r) {
    const AppOptions *o = &r->o;
    char path[4096], err[512];
    const char *wfile = o->weights ? o->weights : model_weights_for(r->card, r->data, path, sizeof path);
    if (app_top9_run(r->g, r->card, wfile, r->id, o->channel, &r->test, r->rule, o->batch ? o->batch : 64,
                     &r->t, isatty(2) ? show_progress : NULL, r->test.name, err, sizeof err) != 0) {
        fprintf(stderr, "convscope top9: %s\n", err);
        return APP_FAIL;
    }
    if (r->t.from_cache)
        fprintf(stderr, "top9: the scan of %s over %s comes from the cache (%s)\n",
                eng_graph_node(r->g, r->id)->name, r->test.name, r->t.cache_path);
    else if (isatty(2))
        fprintf(stderr, "scanned %d images in %.1f s\n", r->test.n, r->t.scan_ms / 1e3);
    int n_labels = 0;
    const char *const *labels = r->names ? NULL : app_labels(r->data, &n_labels);
    for (int k = 0; k < r->t.n; k++) {
        int lb = r->test.labels[r->t.idx[k]];
        snprintf(r->what[k], sizeof r->what[k], "%s",
                 r->names ? r->names[r->t.idx[k]] : labels && lb < n_labels ? labels[lb] : "?");
    }
    return APP_OK;
}

static void top9_json(const Top9 *r) {
    const AppTop9 *t = &r->t;
    /* names come from the model file and the data: every one through the escaping writer */
    printf("{\"model\":");
    app_json_str(stdout, r->card->name);
    printf(",\"layer\":");
    app_json_str(stdout, eng_graph_node(r->g, r->id)->name);
    printf(",\"channel\":%d,\"data\":", r->o.channel);
    app_json_str(stdout, r->o.images ? r->o.images : r->test.name);
    printf(",\"n\":%d,\"rule\":", r->test.n);
    app_json_str(stdout, r->rule_s);
    printf(",\"top\":[");
    for (int k = 0; k < t->n; k++) {
        printf("%s{\"index\":%d,\"%s\":", k ? "," : "", t->idx[k], r->names ? "file" : "label");
        app_json_str(stdout, r->what[k]);
        printf(",\"activation\":%.9g,\"unit\":[%d,%d],\"box\":[%d,%d,%d,%d]}", t->v[k], t->y[k], t->x[k],
               t->box[k][0], t->box[k][1], t->box[k][2], t->box[k][3]);
    }
    printf("]}\n");
}

#ifdef CONVSCOPE_HAVE_GUI
/* The figure: each winner's receptive-field patch of the input above its
 * projection. 0, or -1 after a line on stderr. */
static int top9_png(const Top9 *r) {
    const AppTop9 *t = &r->t;
    const EngNode *L = eng_graph_node(r->g, r->id), *in = eng_graph_node(r->g, 0);
    const int C = in->out.C, H = in->out.H, W = in->out.W;
    const int Wd = 1100, Hd = 720, pad = 28;
    float *pp[9] = {0}, *pi[9] = {0};
    int ph[9], pw[9];
    char caps[9][340];
    const char *capp[9];
    float *img = malloc((size_t)C * H * W * sizeof(float));
    if (!img) {
        fprintf(stderr, "convscope top9: not enough memory for a %dx%dx%d image\n", C, H, W);
        return -1;
    }
    AppCanvas cv;
    int ok = app_canvas_open(&cv, Wd, Hd, "top9") == 0;
    if (ok) {
        SDL_Renderer *ren = cv.r;
        const SDL_Color fg = {235, 235, 235, 255}, dim = {170, 175, 185, 255};
        char line[512];
        snprintf(line, sizeof line, "%s  ·  %s, channel %d  ·  the 9 strongest", r->card->display,
                 L->name, r->o.channel);
        viz_text(ren, cv.fonts.sans_big, pad, 12, fg, line);
        char rfs[48];
        snprintf(line, sizeof line, "of %d images of %s, one per image  ·  receptive field %s px",
                 r->test.n, r->o.images ? r->o.images : r->test.name,
                 eng_fmt_hw(L->rf.size, L->rf.size_w, rfs, sizeof rfs));
        viz_text(ren, cv.fonts.sans, pad, 52, dim, line);
        for (int k = 0; k < t->n; k++) {
            app_fill_batch(img, 1, C, H, W, &r->test, &t->idx[k], 1);
            pi[k] = app_crop(img, C, H, W, t->box[k]);
            pp[k] = app_crop(t->proj[k], C, H, W, t->box[k]);
            ph[k] = t->box[k][2] - t->box[k][0], pw[k] = t->box[k][3] - t->box[k][1];
            if (ph[k] > 0 && pw[k] > 0 && (!pi[k] || !pp[k])) ok = 0; /* an empty box has no patch */
            snprintf(caps[k], sizeof caps[k], "#%d %.24s  %.3g", t->idx[k], r->what[k], t->v[k]);
            capp[k] = caps[k];
        }
        if (!ok) fprintf(stderr, "convscope top9: not enough memory for the patches\n");
        snprintf(line, sizeof line, "projections (%s, grey = 0)", r->rule_s);
        SDL_Rect area = {pad, 92, Wd - 2 * pad, Hd - 92 - pad};
        viz_draw_top9(ren, &cv.fonts, area, C, (const float *const *)pp, (const float *const *)pi, ph,
                      pw, capp, t->n, line, "receptive-field patches of the input");
        ok = ok && app_canvas_save(&cv, r->o.out, "top9") == 0;
    }
    for (int k = 0; k < 9; k++) free(pp[k]), free(pi[k]);
    free(img);
    app_canvas_close(&cv);
    return ok ? 0 : -1;
}
#endif

static void top9_free(Top9 *r) {
    app_top9_free(&r->t);
    if (r->names) free(r->names[0]);
    free(r->names);
    eng_dataset_free(&r->test);
    eng_graph_destroy(r->g);
}

int app_cmd_top9(int argc, char **argv) {
    Top9 r = {0};
    int help, rc = top9_options(&r, argc, argv, &help);
    if (rc || help) return rc;
    if ((rc = top9_load(&r)) == APP_OK && (rc = top9_scan(&r)) == APP_OK) {
        if (r.o.json) top9_json(&r);
#ifdef CONVSCOPE_HAVE_GUI
        if (r.o.out && top9_png(&r) != 0) rc = APP_FAIL;
#endif
    }
    top9_free(&r);
    return rc;
}
