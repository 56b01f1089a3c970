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

/* one colour per class (the class map and its legend) */
static const SDL_Color pal[10] = {{31, 119, 180, 255},  {255, 127, 14, 255}, {44, 160, 44, 255},
                                  {214, 39, 40, 255},   {148, 103, 189, 255}, {140, 86, 75, 255},
                                  {227, 119, 194, 255}, {127, 127, 127, 255}, {188, 189, 34, 255},
                                  {23, 190, 207, 255}};
#endif

static const char occlude_usage[] =
    "usage: convscope occlude MODEL --layer NAME --channel C [--out FILE.png] [--npy FILE.npy]\n"
    "                         [--size S] [--stride T] [--grey V] [--batch N]\n"
    "                         [--weights FILE] [--data digits|fashion|PATH] [--json]\n"
    "                         [--image FILE | --input FILE.npy]\n"
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
                                              APP_OPT_THREADS,
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
    const EngNode *in = eng_graph_node(g, 0), *outn = eng_graph_node(g, eng_graph_output(g));
    const int C = in->out.C, H = in->out.H, W = in->out.W;
    const int K = outn->out.C * outn->out.H * outn->out.W;
    int label = from_file ? -1 : test.labels[sample]; /* from a file: the clean prediction's */
    if (!size) size = (H < W ? H : W) / 4 > 0 ? (H < W ? H : W) / 4 : 1;
    if (!stride) stride = H * W > 4096 ? 2 : 1;
    if (size > H || size > W) {
        fprintf(stderr, "convscope occlude: a %ldx%ld square does not fit a %dx%d input\n", size,
                size, H, W);
        rc = APP_USAGE;
        goto done;
    }
    const int OH = (int)((H - size) / stride) + 1, OW = (int)((W - size) / stride) + 1;
    const int B = 32;
    if (eng_graph_plan(g, B) != 0) goto done;
    clean_img = malloc((size_t)C * H * W * sizeof *clean_img);
    maps = calloc((size_t)3 * OH * OW, sizeof *maps);
    if (!clean_img || !maps) goto done;
    int idx = sample;
    if (npy_in) memcpy(clean_img, given, (size_t)C * H * W * sizeof *clean_img);
    else if (image && app_load_image(image, card, clean_img, C, H, W) != 0) goto done;
    else if (!from_file) app_fill_batch(clean_img, 1, C, H, W, &test, &idx, 1);
    if (isnan(grey)) { /* the image's own mean: the square hides, it does not add light */
        double sum = 0;
        for (size_t i = 0; i < (size_t)C * H * W; i++) sum += clean_img[i];
        grey = (float)(sum / ((double)C * H * W));
    }
    const size_t HW = (size_t)L->out.H * L->out.W;
    float clean[3] = {0, 0, 0};
    /* position -1 is the image itself, then every position of the square, B at a time */
    for (int start = -1; start < OH * OW; start += B) {
        float *x = eng_graph_input_buffer(g, 0);
        int count = OH * OW - start < B ? OH * OW - start : B;
        for (int b = 0; b < count; b++) {
            float *dst = x + (size_t)b * C * H * W;
            memcpy(dst, clean_img, (size_t)C * H * W * sizeof *dst);
            int pos = start + b;
            if (pos < 0) continue;
            int y0 = (pos / OW) * (int)stride, x0 = (pos % OW) * (int)stride;
            for (int c = 0; c < C; c++)
                for (int y = y0; y < y0 + size; y++)
                    for (int xx = x0; xx < x0 + size; xx++) dst[((size_t)c * H + y) * W + xx] = grey;
        }
        eng_graph_forward(g);
        for (int b = 0; b < count; b++) {
            const float *a = L->act + ((size_t)b * L->out.C + (size_t)channel) * HW;
            double total = 0;
            for (size_t i = 0; i < HW; i++) total += a[i];
            const float *z = outn->act + (size_t)b * K;
            int best = 0;
            double mx = z[0], den = 0;
            for (int k = 1; k < K; k++)
                if (z[k] > mx) mx = z[k], best = k;
            if (label < 0) label = best; /* the image itself comes first */
            for (int k = 0; k < K; k++) den += exp((double)z[k] - mx);
            float prob = label < K ? (float)(exp((double)z[label] - mx) / den) : NAN;
            float v[3] = {(float)total, prob, (float)best};
            int pos = start + b;
            for (int m = 0; m < 3; m++) {
                if (pos < 0) clean[m] = v[m];
                else maps[(size_t)m * OH * OW + pos] = v[m];
            }
        }
    }
    int min_at = 0;
    for (int i = 1; i < OH * OW; i++)
        if (maps[(size_t)OH * OW + i] < maps[(size_t)OH * OW + min_at]) min_at = i;
    int n_labels = 0;
    const char *const *labels = app_labels(data, &n_labels);
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
        const int Wd = 4 * panel + 5 * pad, Hd = top + cap + panel + 3 * pad + 2 * 22;
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
            SDL_Rect p0 = {pad, top, panel, panel + cap};
            viz_draw_planes(r, &cv.fonts, clean_img, C, H, W, p0, 0, "the image");
            /* activation and probability: viridis; the class map: one colour per class */
            for (int m = 0; m < 3; m++) {
                SDL_Rect a = {pad + (m + 1) * (panel + pad), top, panel, panel + cap};
                const float *v = maps + (size_t)m * OH * OW;
                if (m == 0)
                    snprintf(line, sizeof line, "%s ch %ld total (clean %.3g)", L->name, channel, clean[0]);
                else if (m == 1)
                    snprintf(line, sizeof line, "p(%s) (clean %.3f)",
                             labels && label < n_labels ? labels[label] : "?", clean[1]);
                else
                    snprintf(line, sizeof line, "most probable class");
                viz_text(r, cv.fonts.small, a.x, a.y, dim, line);
                int side = panel, cw = side / OW > 0 ? side / OW : 1, chh = side / OH > 0 ? side / OH : 1;
                float lo = v[0], hi = v[0];
                for (int i = 1; i < OH * OW; i++) lo = fminf(lo, v[i]), hi = fmaxf(hi, v[i]);
                if (m == 1) lo = 0.0f, hi = 1.0f;
                for (int i = 0; i < OH * OW; i++) {
                    SDL_Color col;
                    if (m == 2) {
                        col = pal[(int)v[i] % 10];
                    } else {
                        col = viz_colormap(hi > lo ? (v[i] - lo) / (hi - lo) : 0.5f);
                    }
                    SDL_SetRenderDrawColor(r, col.r, col.g, col.b, 255);
                    SDL_Rect px = {a.x + (i % OW) * cw, a.y + cv.fonts.small_line + 4 + (i / OW) * chh, cw, chh};
                    SDL_RenderFillRect(r, &px);
                }
            }
            /* the classes the class map uses, with their colours */
            int lx = pad + 3 * (panel + pad), ly = top + cap + panel + pad / 2;
            int seen[10] = {0};
            for (int i = 0; i < OH * OW; i++) seen[(int)maps[(size_t)2 * OH * OW + i] % 10] = 1;
            for (int k = 0, row = 0; k < 10; k++) {
                if (!seen[k]) continue;
                SDL_SetRenderDrawColor(r, pal[k].r, pal[k].g, pal[k].b, 255);
                SDL_Rect sw = {lx + (row % 2) * (panel / 2), ly + (row / 2) * 22 + 4, 14, 14};
                SDL_RenderFillRect(r, &sw);
                viz_text(r, cv.fonts.small, sw.x + 20, sw.y - 3, dim, labels && k < n_labels ? labels[k] : "?");
                row++;
            }
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
