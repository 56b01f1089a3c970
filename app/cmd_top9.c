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

int app_cmd_top9(int argc, char **argv) {
    const char *out = NULL, *layer = NULL, *channel_s = NULL, *rule_s = "deconv", *images = NULL;
    static const char *const own[] = {"--out", "--layer", "--channel", "--rule", "--images"};
    const char **const dst[] = {&out, &layer, &channel_s, &rule_s, &images};
    char *rest[64];
    int nrest = app_take_own(argc, argv, own, dst, 5, rest);
    AppOptions o;
    int help, rc = app_parse(nrest, rest,
                             APP_OPT_WEIGHTS | APP_OPT_DATA | APP_OPT_BATCH | APP_OPT_THREADS |
                                 APP_OPT_JSON | APP_OPT_PREPROCESS,
                             1, top9_usage, &o, &help);
    if (rc || help) return rc;
    EngProjRule rule = ENG_RULE_DECONV;
    const int bad_rule = app_parse_rule(rule_s, &rule) != 0;
    char *end = NULL;
    long channel = channel_s ? strtol(channel_s, &end, 10) : -1;
    if (!layer || !channel_s || (!out && !o.json)) {
        fprintf(stderr, "convscope top9: %s is required (see 'convscope top9 --help')\n",
                !layer ? "--layer" : !channel_s ? "--channel" : "--out or --json");
        return APP_USAGE;
    }
    if (bad_rule || *end || end == channel_s || channel < 0) {
        fprintf(stderr, "convscope top9: %s\n", bad_rule
                ? "--rule takes deconv, guided or backprop"
                : "--channel takes a channel number");
        return APP_USAGE;
    }
    if (images && o.data) {
        fprintf(stderr, "convscope top9: give --data or --images, not both\n");
        return APP_USAGE;
    }
#ifndef CONVSCOPE_HAVE_GUI
    if (out) {
        fprintf(stderr, "convscope top9: built without the GUI: no PNG (use --json)\n");
        return APP_USAGE;
    }
#endif
    if (o.threads) eng_set_threads(o.threads);
    const ModelCard *card;
    int id;
    char path[4096], err[512];
    EngGraph *g = app_open_trained(&o, layer, channel, "top9", &card, &id, &rc);
    if (!g) return rc;
    const EngNode *L = eng_graph_node(g, id), *in = eng_graph_node(g, 0);
    const int C = in->out.C, H = in->out.H, W = in->out.W;
    EngDataset test = {0};
    char **names = NULL;
    AppTop9 t = {0};
    rc = APP_USAGE;
    const char *data = o.data ? o.data : card->weights_data;
    if (!data && !images) {
        fprintf(stderr, "convscope top9: give --data or --images (no dataset is known for %s)\n",
                card->name);
        goto done;
    }
    rc = APP_FAIL;
    if (images) {
        if (app_load_image_folder(images, card, C, H, W, &test, &names, "top9") != 0) goto done;
    } else if (app_load_data(data, NULL, &test, "top9") != 0) {
        goto done;
    }
    const char *wfile = o.weights ? o.weights : model_weights_path(card, path, sizeof path);
    if (app_top9_run(g, card, wfile, id, (int)channel, &test, rule, o.batch ? o.batch : 64, &t,
                     isatty(2) ? show_progress : NULL, test.name, err, sizeof err) != 0) {
        fprintf(stderr, "convscope top9: %s\n", err);
        goto done;
    }
    if (t.from_cache)
        fprintf(stderr, "top9: the scan of %s over %s comes from the cache (%s)\n", L->name, test.name,
                t.cache_path);
    else if (isatty(2))
        fprintf(stderr, "scanned %d images in %.1f s\n", test.n, t.scan_ms / 1e3);
    int n_labels = 0;
    const char *const *labels = images ? NULL : app_labels(data, &n_labels);
    char what[9][300];
    for (int k = 0; k < t.n; k++) {
        int lb = test.labels[t.idx[k]];
        snprintf(what[k], sizeof what[k], "%s", names ? names[t.idx[k]] : labels && lb < n_labels ? labels[lb] : "?");
    }
    if (o.json) {
        printf("{\"model\":\"%s\",\"layer\":\"%s\",\"channel\":%ld,\"data\":", card->name, L->name, channel);
        app_json_str(stdout, images ? images : test.name);
        printf(",\"n\":%d,\"rule\":\"%s\",\"top\":[", test.n, rule_s);
        for (int k = 0; k < t.n; k++) {
            printf("%s{\"index\":%d,\"%s\":", k ? "," : "", t.idx[k], names ? "file" : "label");
            app_json_str(stdout, what[k]);
            printf(",\"activation\":%.9g,\"unit\":[%d,%d],\"box\":[%d,%d,%d,%d]}", t.v[k], t.y[k], t.x[k],
                   t.box[k][0], t.box[k][1], t.box[k][2], t.box[k][3]);
        }
        printf("]}\n");
    }
#ifdef CONVSCOPE_HAVE_GUI
    if (out) {
        const int Wd = 1100, Hd = 720, pad = 28;
        AppCanvas cv;
        int ok = app_canvas_open(&cv, Wd, Hd, "top9") == 0;
        float *pp[9] = {0}, *pi[9] = {0};
        int ph[9], pw[9];
        char caps[9][340];
        const char *capp[9];
        float *img = malloc((size_t)C * H * W * sizeof(float));
        if (ok && img) {
            SDL_Renderer *r = cv.r;
            const SDL_Color fg = {235, 235, 235, 255}, dim = {170, 175, 185, 255};
            char line[512];
            snprintf(line, sizeof line, "%s  ·  %s, channel %ld  ·  the 9 strongest", card->display,
                     L->name, channel);
            viz_text(r, cv.fonts.sans_big, pad, 12, fg, line);
            snprintf(line, sizeof line, "of %d images of %s, one per image  ·  receptive field %lld px",
                     test.n, images ? images : test.name, (long long)L->rf.size);
            viz_text(r, cv.fonts.sans, pad, 52, dim, line);
            for (int k = 0; k < t.n; k++) {
                app_fill_batch(img, 1, C, H, W, &test, &t.idx[k], 1);
                pi[k] = app_crop(img, C, H, W, t.box[k]);
                pp[k] = app_crop(t.proj[k], C, H, W, t.box[k]);
                ph[k] = t.box[k][2] - t.box[k][0], pw[k] = t.box[k][3] - t.box[k][1];
                snprintf(caps[k], sizeof caps[k], "#%d %.24s  %.3g", t.idx[k], what[k], t.v[k]);
                capp[k] = caps[k];
            }
            snprintf(line, sizeof line, "projections (%s, grey = 0)", rule_s);
            SDL_Rect area = {pad, 92, Wd - 2 * pad, Hd - 92 - pad};
            viz_draw_top9(r, &cv.fonts, area, C, (const float *const *)pp, (const float *const *)pi, ph, pw,
                          capp, t.n, line, "receptive-field patches of the input");
            ok = app_canvas_save(&cv, out, "top9") == 0;
        }
        for (int k = 0; k < 9; k++) free(pp[k]), free(pi[k]);
        free(img);
        app_canvas_close(&cv);
        if (!ok) goto done;
    }
#endif
    rc = APP_OK;
done:
    app_top9_free(&t);
    if (names) free(names[0]);
    free(names);
    eng_dataset_free(&test);
    eng_graph_destroy(g);
    return rc;
}
