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
    "                         [--size S] [--stride T] [--grey V] [--batch N]\n"
    "                         [--weights FILE] [--data digits|fashion|PATH] [--json]\n"
    "                         [--image FILE | --input FILE.npy] [--preprocess PRESET]\n"
    "  Covers test image N (default 0), an image file or a float32 array fed as is\n"
    "  (the class followed is then the clean image's prediction) with an S x S\n"
    "  square of value V (default: a\n"
    "  quarter of the input's side; stride 1 or 2; V the mean of the image) at every\n"
    "  position and records: the total activation of channel C of layer NAME, the\n"
    "  probability of the image's label, and the most probable class. --npy writes\n"
    "  them as float32 (3, OH, OW); --json prints {\"model\",\"layer\",\"channel\",\n"
    "  \"index\",\"label\",\"size\",\"stride\",\"grid\":[OH,OW],\"clean\":{\"activation\",\n"
    "  \"probability\",\"class\"},\"min_probability\":{\"value\",\"at\":[Y,X]}}.\n";

static int parse_pos(const char *s, long lo, long hi, long *v) {
    char *end;
    *v = strtol(s, &end, 10);
    return !*end && end != s && *v >= lo && *v <= hi;
}

int app_cmd_occlude(int argc, char **argv) {
    const char *out = NULL, *layer = NULL, *channel_s = NULL, *npy = NULL, *size_s = NULL,
               *stride_s = NULL, *grey_s = NULL, *image = NULL, *npy_in = NULL;
    static const char *const own[] = {"--out",    "--layer", "--channel", "--npy",  "--size",
                                      "--stride", "--grey",  "--image",   "--input"};
    const char **const dst[] = {&out, &layer, &channel_s, &npy, &size_s, &stride_s, &grey_s, &image,
                                &npy_in};
    char *rest[64];
    int nrest = app_take_own(argc, argv, own, dst, 9, rest);
    AppOptions o;
    int help, rc = app_parse(nrest, rest, APP_OPT_WEIGHTS | APP_OPT_DATA | APP_OPT_BATCH | APP_OPT_JSON |
                                              APP_OPT_THREADS | APP_OPT_PREPROCESS,
                             1, occlude_usage, &o, &help);
    if (rc || help) return rc;
    long channel = -1, size = 0, stride = 0;
    float grey = NAN;
    if (!layer || !channel_s || (!out && !npy && !o.json)) {
        fprintf(stderr, "convscope occlude: %s is required (see 'convscope occlude --help')\n",
                !layer ? "--layer" : !channel_s ? "--channel" : "--out, --npy or --json");
        return APP_USAGE;
    }
    if (!parse_pos(channel_s, 0, 1000000, &channel) || (size_s && !parse_pos(size_s, 1, 4096, &size)) ||
        (stride_s && !parse_pos(stride_s, 1, 4096, &stride))) {
        fprintf(stderr, "convscope occlude: --channel, --size and --stride take whole numbers "
                        "(size and stride at least 1)\n");
        return APP_USAGE;
    }
    if (grey_s) {
        char *end;
        grey = strtof(grey_s, &end);
        if (*end || end == grey_s || !isfinite(grey)) {
            fprintf(stderr, "convscope occlude: --grey takes a number, not '%s'\n", grey_s);
            return APP_USAGE;
        }
    }
#ifndef CONVSCOPE_HAVE_GUI
    if (out) {
        fprintf(stderr, "convscope occlude: built without the GUI: no PNG (use --npy or --json)\n");
        return APP_USAGE;
    }
#endif
    if (image && npy_in) {
        fprintf(stderr, "convscope occlude: give --image or --input, not both\n");
        return APP_USAGE;
    }
    float *given = NULL;
    char err[512];
    if (npy_in && (rc = app_load_npy_input(npy_in, &o, &given, "occlude")) != APP_OK) return rc;
    if (o.threads) eng_set_threads(o.threads);
    const ModelCard *card;
    int id;
    EngGraph *g = app_open_trained(&o, layer, channel, "occlude", &card, &id, &rc);
    if (!g) {
        free(given);
        return rc;
    }
    const EngNode *L = eng_graph_node(g, id);
    EngDataset test = {0};
    float *maps = NULL, *clean_img = NULL;
    rc = APP_USAGE;
    const char *data = o.data ? o.data : card->weights_data;
    const int from_file = image || npy_in;
    if (!data && !from_file) {
        fprintf(stderr, "convscope occlude: give --data, --image or --input (no dataset is known "
                        "for %s)\n", card->name);
        goto done;
    }
    rc = APP_FAIL;
    if (!from_file && app_load_data(data, NULL, &test, "occlude") != 0) goto done;
    const int sample = o.batch;
    if (!from_file && (sample < 0 || sample >= test.n)) {
        fprintf(stderr, "convscope occlude: --batch picks test image 0..%d\n", test.n - 1);
        rc = APP_USAGE;
        goto done;
    }
    const EngNode *in = eng_graph_node(g, 0);
    const int C = in->out.C, H = in->out.H, W = in->out.W;
    int label = from_file ? -1 : test.labels[sample]; /* from a file: the clean prediction's */
    if (size > H || size > W) {
        fprintf(stderr, "convscope occlude: a %ldx%ld square does not fit a %dx%d input\n", size,
                size, H, W);
        rc = APP_USAGE;
        goto done;
    }
    clean_img = malloc((size_t)C * H * W * sizeof *clean_img);
    if (!clean_img) goto done;
    int idx = sample;
    if (npy_in) memcpy(clean_img, given, (size_t)C * H * W * sizeof *clean_img);
    else if (image && app_load_image(image, card, clean_img, C, H, W, NULL, 0) != 0) goto done;
    else if (!from_file) app_fill_batch(clean_img, 1, C, H, W, &test, &idx, 1);
    AppOcclusion oc = {(int)size, (int)stride, grey, label, 0, 0, {0, 0, 0}, NULL};
    if (app_occlusion_run(g, id, (int)channel, clean_img, &oc, NULL, NULL, err, sizeof err) != 0) {
        fprintf(stderr, "convscope occlude: %s\n", err);
        goto done;
    }
    maps = oc.maps;
    label = oc.label, size = oc.size, stride = oc.stride, grey = oc.grey;
    const int OH = oc.OH, OW = oc.OW;
    const float *clean = oc.clean;
    int min_at = 0;
    for (int i = 1; i < OH * OW; i++)
        if (maps[(size_t)OH * OW + i] < maps[(size_t)OH * OW + min_at]) min_at = i;
    int n_labels = 0;
    const char *const *labels = app_class_names(card, g, data, &n_labels);
    if (npy) {
        int64_t d[3] = {3, OH, OW};
        if (eng_npy_save(npy, d, 3, maps, err, sizeof err) != 0) {
            fprintf(stderr, "convscope occlude: %s\n", err);
            goto done;
        }
    }
    if (o.json)
        printf("{\"model\":\"%s\",\"layer\":\"%s\",\"channel\":%ld,\"index\":%d,\"label\":\"%s\","
               "\"size\":%ld,\"stride\":%ld,\"grid\":[%d,%d],\"clean\":{\"activation\":%.9g,"
               "\"probability\":%.9g,\"class\":\"%s\"},\"min_probability\":{\"value\":%.9g,"
               "\"at\":[%d,%d]}}\n",
               card->name, L->name, channel, from_file ? -1 : sample,
               labels && label < n_labels ? labels[label] : "?", size, stride, OH, OW, clean[0],
               clean[1], labels && (int)clean[2] < n_labels ? labels[(int)clean[2]] : "?",
               maps[(size_t)OH * OW + min_at], (min_at / OW) * (int)stride, (min_at % OW) * (int)stride);
#ifdef CONVSCOPE_HAVE_GUI
    if (out) {
        const int panel = 260, pad = 26, top = 92, cap = 24;
        const int Wd = 4 * panel + 5 * pad, Hd = top + cap + panel + 4 * 24 + 2 * pad;
        AppCanvas cv;
        int ok = app_canvas_open(&cv, Wd, Hd, "occlude") == 0;
        if (ok) {
            SDL_Renderer *r = cv.r;
            const SDL_Color fg = {235, 235, 235, 255}, dim = {170, 175, 185, 255};
            char line[512];
            if (from_file)
                snprintf(line, sizeof line, "%s  ·  occlusion of %s (seen as %s)", card->display,
                         image ? image : npy_in, labels && label < n_labels ? labels[label] : "?");
            else
                snprintf(line, sizeof line, "%s  ·  occlusion of %s #%d (%s)", card->display,
                         test.name, sample, labels && label < n_labels ? labels[label] : "?");
            viz_text(r, cv.fonts.sans_big, pad, 12, fg, line);
            snprintf(line, sizeof line, "a %ldx%ld square of value %.3g at every position (stride %ld): "
                     "a map pixel is the square with its corner there", size, size, grey, stride);
            viz_text(r, cv.fonts.sans, pad, 52, dim, line);
            char c1[200], c2[200];
            snprintf(c1, sizeof c1, "%s ch %ld total (clean %.3g)", L->name, channel, clean[0]);
            snprintf(c2, sizeof c2, "p(%s) (clean %.3f)", labels && label < n_labels ? labels[label] : "?",
                     clean[1]);
            const char *caps[4] = {"the image", c1, c2, "most probable class"};
            SDL_Rect area = {pad, top, Wd - 2 * pad, Hd - top - pad};
            viz_draw_occlusion(r, &cv.fonts, area, clean_img, C, H, W, maps, OH, OW, caps, labels, n_labels);
            ok = app_canvas_save(&cv, out, "occlude") == 0;
        }
        app_canvas_close(&cv);
        if (!ok) goto done;
    }
#endif
    rc = APP_OK;
done:
    free(given);
    free(maps);
    free(clean_img);
    eng_dataset_free(&test);
    eng_graph_destroy(g);
    return rc;
}
