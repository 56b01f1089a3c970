/*
 * cmd_top9.c — `convscope top9`: the nine strongest activations of one
 * channel over a whole test set, each shown as the input patch its unit sees
 * (its theoretical receptive field) and as that unit's projection back to
 * pixels — Figure 2 of Zeiler and Fergus, "Visualizing and Understanding
 * Convolutional Networks" (ECCV 2014).
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app.h"

#ifdef CONVSCOPE_HAVE_GUI
#include "canvas.h"
#endif

static const char top9_usage[] =
    "usage: convscope top9 MODEL --layer NAME --channel C [--out FILE.png] [--json]\n"
    "                      [--weights FILE] [--data digits|fashion|PATH]\n"
    "                      [--rule deconv|guided|backprop] [--batch B] [--threads N]\n"
    "  Scans every test image of the dataset (default: the one the weights were\n"
    "  trained on) for the nine strongest activations of channel C of layer NAME,\n"
    "  one per image, and shows each one's receptive-field patch of the input and\n"
    "  its projection to pixels (deconvnet by default), as Zeiler and Fergus's\n"
    "  Fig. 2 does. The scan (every channel of the layer) is cached in\n"
    "  $XDG_CACHE_HOME/convscope (or ~/.cache/convscope) under a hash of the model,\n"
    "  layer, weights and images, so other channels of that layer come at once.\n"
    "  --json prints {\"model\",\"layer\",\"channel\",\"data\",\"n\",\n"
    "  \"rule\",\"top\":[{\"index\",\"label\",\"activation\",\"unit\":[Y,X],\n"
    "  \"box\":[Y0,X0,Y1,X1]}]} (box: the field on the input, end exclusive, clipped).\n";

typedef struct {
    float v;
    int idx, y, x;
} Hit;

/* top[0..*n) sorted by decreasing v, at most 9; ties keep the earlier image */
static void keep(Hit *top, int *n, Hit h) {
    if (*n == 9 && h.v <= top[8].v) return;
    int i = *n < 9 ? (*n)++ : 8;
    while (i > 0 && top[i - 1].v < h.v) {
        top[i] = top[i - 1];
        i--;
    }
    top[i] = h;
}

/* One forward pass per batch over all of d; for every image and channel of
 * L, the strongest activation and where it is (index y * W + x). */
static int scan(EngGraph *g, const EngNode *L, const EngDataset *d, int B, float *best_v,
                float *best_i) {
    const EngNode *in = eng_graph_node(g, 0);
    const int C = in->out.C, H = in->out.H, W = in->out.W, LC = L->out.C;
    if (eng_graph_plan(g, B) != 0) return -1;
    int *idx = malloc((size_t)B * sizeof *idx);
    if (!idx) return -1;
    const size_t HW = (size_t)L->out.H * L->out.W;
    const int tty = isatty(2);
    const double t0 = app_now_ms();
    for (int start = 0; start < d->n; start += B) {
        int count = d->n - start < B ? d->n - start : B;
        for (int b = 0; b < count; b++) idx[b] = start + b;
        app_fill_batch(eng_graph_input_buffer(g, 0), B, C, H, W, d, idx, count);
        eng_graph_forward(g);
        for (int b = 0; b < count; b++)
            for (int c = 0; c < LC; c++) {
                const float *a = L->act + ((size_t)b * LC + (size_t)c) * HW;
                size_t best = 0;
                for (size_t i = 1; i < HW; i++)
                    if (a[i] > a[best]) best = i;
                best_v[(size_t)(start + b) * LC + c] = a[best];
                best_i[(size_t)(start + b) * LC + c] = (float)best;
            }
        if (tty && (start / B) % 10 == 0)
            fprintf(stderr, "\rscanning %s: %d / %d images", d->name, start + count, d->n);
    }
    free(idx);
    if (tty) fprintf(stderr, "\rscanned %d images in %.1f s%20s\n", d->n, (app_now_ms() - t0) / 1e3, "");
    return 0;
}

/* What a scan depends on: the model and layer, the weights' bytes, the
 * dataset's images. key names it; path is where it is cached
 * ($XDG_CACHE_HOME/convscope, else ~/.cache/convscope). -1: not cacheable. */
static int scan_key(const ModelCard *card, const char *weights, const EngDataset *d,
                    const EngNode *L, char *key, size_t kn, char *path, size_t pn) {
    if (!weights || card->imported) return -1;
    FILE *f = fopen(weights, "rb");
    if (!f) return -1;
    uint64_t h = 14695981039346656037ull;
    unsigned char buf[65536];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, f)) > 0)
        for (size_t i = 0; i < got; i++) h = (h ^ buf[i]) * 1099511628211ull;
    fclose(f);
    uint64_t hd = 14695981039346656037ull;
    const size_t nd = (size_t)d->n * d->c * d->h * d->w;
    for (size_t i = 0; i < nd; i++) {
        uint32_t u;
        memcpy(&u, &d->images[i], 4);
        hd = (hd ^ u) * 1099511628211ull;
    }
    snprintf(key, kn, "model=%s layer=%s weights=%016llx data=%s n=%d images=%016llx", card->name,
             L->name, (unsigned long long)h, d->name, d->n, (unsigned long long)hd);
    uint64_t hk = 14695981039346656037ull;
    for (const char *p = key; *p; p++) hk = (hk ^ (unsigned char)*p) * 1099511628211ull;
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    char dir[4096];
    if (xdg && *xdg) snprintf(dir, sizeof dir, "%s/convscope", xdg);
    else if (home && *home) snprintf(dir, sizeof dir, "%s/.cache/convscope", home);
    else return -1;
    char parent[4096];
    snprintf(parent, sizeof parent, "%s", dir);
    char *slash = strrchr(parent, '/');
    if (slash && slash != parent) {
        *slash = 0;
        mkdir(parent, 0755); /* ~/.cache may not exist yet */
    }
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) return -1;
    snprintf(path, pn, "%s/top9-%016llx.safetensors", dir, (unsigned long long)hk);
    return 0;
}

static int cache_load(const char *path, const char *key, int n, int LC, float **v, float **i) {
    EngTensor *t = NULL;
    int count = 0;
    char meta[2048], err[512];
    if (access(path, R_OK) != 0) return -1;
    if (eng_tensors_load(path, &t, &count, meta, sizeof meta, err, sizeof err) != 0) {
        fprintf(stderr, "top9: ignoring the cache: %s\n", err);
        return -1;
    }
    char want[1300];
    snprintf(want, sizeof want, "key=%s\n", key);
    int ok = count == 2 && strstr(meta, want) && !strcmp(t[0].name, "max") &&
             !strcmp(t[1].name, "argmax") && t[0].n == (size_t)n * LC && t[1].n == t[0].n;
    if (ok) {
        *v = t[0].data, *i = t[1].data;
        t[0].data = t[1].data = NULL;
        for (size_t k = 0; k < t[1].n; k++) ok &= (*i)[k] >= 0 && (*i)[k] < (float)(1 << 24);
        if (!ok) {
            free(*v), free(*i);
            *v = *i = NULL;
        }
    }
    eng_tensors_free(t, count);
    return ok ? 0 : -1;
}

static void cache_save(const char *path, const char *key, int n, int LC, float *v, float *i) {
    EngTensor t[2] = {{"max", 2, {n, LC}, (size_t)n * LC, v}, {"argmax", 2, {n, LC}, (size_t)n * LC, i}};
    char meta[1300], err[512];
    snprintf(meta, sizeof meta, "key=%s\n", key);
    if (eng_tensors_save(path, t, 2, meta, err, sizeof err) != 0)
        fprintf(stderr, "top9: not cached: %s\n", err);
}

#ifdef CONVSCOPE_HAVE_GUI
/* (C, ph, pw) copy of plane set v (C, H, W) at box [y0, y0+ph) x [x0, x0+pw). */
static float *crop(const float *v, int C, int H, int W, int y0, int x0, int ph, int pw) {
    float *o = malloc((size_t)C * ph * pw * sizeof *o);
    if (!o) return NULL;
    for (int c = 0; c < C; c++)
        for (int y = 0; y < ph; y++)
            for (int x = 0; x < pw; x++)
                o[((size_t)c * ph + y) * pw + x] = v[((size_t)c * H + y0 + y) * W + x0 + x];
    return o;
}
#endif

int app_cmd_top9(int argc, char **argv) {
    const char *out = NULL, *layer = NULL, *channel_s = NULL, *rule_s = "deconv";
    static const char *const own[] = {"--out", "--layer", "--channel", "--rule"};
    const char **const dst[] = {&out, &layer, &channel_s, &rule_s};
    char *rest[64];
    int nrest = app_take_own(argc, argv, own, dst, 4, rest);
    AppOptions o;
    int help, rc = app_parse(nrest, rest,
                             APP_OPT_WEIGHTS | APP_OPT_DATA | APP_OPT_BATCH | APP_OPT_THREADS |
                                 APP_OPT_JSON,
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
#ifndef CONVSCOPE_HAVE_GUI
    if (out) {
        fprintf(stderr, "convscope top9: built without the GUI: no PNG (use --json)\n");
        return APP_USAGE;
    }
#endif
    if (o.threads) eng_set_threads(o.threads);
    const ModelCard *card;
    int id;
    char path[4096];
    EngGraph *g = app_open_trained(&o, layer, channel, "top9", &card, &id, &rc);
    if (!g) return rc;
    const EngNode *L = eng_graph_node(g, id);
    EngDataset test = {0};
    Hit top[9];
    int n_top = 0;
    float *proj[9] = {0}, *best_v = NULL, *best_i = NULL;
    rc = APP_USAGE;
    const char *data = o.data ? o.data : card->weights_data;
    if (!data) {
        fprintf(stderr, "convscope top9: give --data (no dataset is known for %s)\n", card->name);
        goto done;
    }
    rc = APP_FAIL;
    if (app_load_data(data, NULL, &test, "top9") != 0) goto done;
    const EngNode *in = eng_graph_node(g, 0);
    const int C = in->out.C, H = in->out.H, W = in->out.W;
    /* the strongest unit of every channel of the layer in every image, from the
     * cache or from a scan (then cached): any channel is then a lookup */
    const int LC = L->out.C;
    char key[1200], cpath[4400];
    const char *wfile = o.weights ? o.weights : model_weights_path(card, path, sizeof path);
    const int cached = scan_key(card, wfile, &test, L, key, sizeof key, cpath, sizeof cpath) == 0;
    if (!(cached && cache_load(cpath, key, test.n, LC, &best_v, &best_i) == 0)) {
        best_v = malloc((size_t)test.n * LC * sizeof *best_v);
        best_i = malloc((size_t)test.n * LC * sizeof *best_i);
        if (!best_v || !best_i) goto done;
        if (scan(g, L, &test, o.batch ? o.batch : 64, best_v, best_i) != 0) goto done;
        if (cached) cache_save(cpath, key, test.n, LC, best_v, best_i);
    } else {
        fprintf(stderr, "top9: the scan of %s over %s comes from the cache (%s)\n", L->name,
                test.name, cpath);
    }
    for (int i = 0; i < test.n; i++) {
        int u = (int)best_i[(size_t)i * LC + channel];
        keep(top, &n_top, (Hit){best_v[(size_t)i * LC + channel], i, u / L->out.W, u % L->out.W});
    }

    /* each winner projected back to pixels, one image at a time */
    eng_graph_enable_grads(g);
    if (eng_graph_plan(g, 1) != 0) goto done;
    for (int k = 0; k < n_top; k++) {
        app_fill_batch(eng_graph_input_buffer(g, 0), 1, C, H, W, &test, &top[k].idx, 1);
        eng_graph_forward(g);
        if (eng_graph_project(g, id, (int)channel, top[k].y, top[k].x, rule) != 0) {
            fprintf(stderr, "convscope top9: cannot project through %s\n", card->name);
            goto done;
        }
        proj[k] = malloc((size_t)C * H * W * sizeof(float));
        if (!proj[k]) goto done;
        memcpy(proj[k], in->grad, (size_t)C * H * W * sizeof(float));
    }
    /* the field of unit (y, x) on the input, clipped to the image */
    int box[9][4];
    for (int k = 0; k < n_top; k++) {
        long long y0 = (long long)top[k].y * L->rf.stride - L->rf.pad;
        long long x0 = (long long)top[k].x * L->rf.stride - L->rf.pad;
        long long y1 = y0 + L->rf.size, x1 = x0 + L->rf.size;
        box[k][0] = (int)(y0 < 0 ? 0 : y0), box[k][1] = (int)(x0 < 0 ? 0 : x0);
        box[k][2] = (int)(y1 > H ? H : y1), box[k][3] = (int)(x1 > W ? W : x1);
        if (L->rf.size <= 0) box[k][0] = box[k][1] = 0, box[k][2] = H, box[k][3] = W;
    }
    int n_labels = 0;
    const char *const *labels = app_labels(data, &n_labels);
    if (o.json) {
        printf("{\"model\":\"%s\",\"layer\":\"%s\",\"channel\":%ld,\"data\":\"%s\",\"n\":%d,"
               "\"rule\":\"%s\",\"top\":[", card->name, L->name, channel, test.name, test.n, rule_s);
        for (int k = 0; k < n_top; k++) {
            int lb = test.labels[top[k].idx];
            printf("%s{\"index\":%d,\"label\":\"%s\",\"activation\":%.9g,\"unit\":[%d,%d],"
                   "\"box\":[%d,%d,%d,%d]}", k ? "," : "", top[k].idx,
                   labels && lb < n_labels ? labels[lb] : "?", top[k].v, top[k].y, top[k].x,
                   box[k][0], box[k][1], box[k][2], box[k][3]);
        }
        printf("]}\n");
    }
#ifdef CONVSCOPE_HAVE_GUI
    if (out) {
        const int tile = 150, gap = 14, pad = 28, top_h = 92, cap = 22;
        const int grid_w = 3 * tile + 2 * gap, Wd = 2 * grid_w + 3 * pad + 8;
        const int Hd = top_h + 3 * (tile + cap + gap) + pad + 10;
        AppCanvas cv;
        int ok = app_canvas_open(&cv, Wd, Hd, "top9") == 0;
        if (ok) {
            SDL_Renderer *r = cv.r;
            const SDL_Color fg = {235, 235, 235, 255}, dim = {170, 175, 185, 255};
            char line[512];
            snprintf(line, sizeof line, "%s  ·  %s, channel %ld  ·  the 9 strongest", card->display,
                     L->name, channel);
            viz_text(r, cv.fonts.sans_big, pad, 12, fg, line);
            snprintf(line, sizeof line, "of %d %s images, one per image  ·  left: projections (%s), "
                     "right: receptive-field patches (%lld px)", test.n, test.name, rule_s,
                     (long long)L->rf.size);
            viz_text(r, cv.fonts.sans, pad, 52, dim, line);
            for (int k = 0; k < n_top && ok; k++) {
                int ph = box[k][2] - box[k][0], pw = box[k][3] - box[k][1];
                if (ph < 1 || pw < 1) continue;
                float *img = malloc((size_t)C * H * W * sizeof(float));
                if (!img) break;
                app_fill_batch(img, 1, C, H, W, &test, &top[k].idx, 1);
                float *pi = crop(img, C, H, W, box[k][0], box[k][1], ph, pw);
                float *pp = crop(proj[k], C, H, W, box[k][0], box[k][1], ph, pw);
                int gx = pad + (k % 3) * (tile + gap), gy = top_h + (k / 3) * (tile + cap + gap);
                SDL_Rect a = {gx, gy, tile, tile}, b = {gx + grid_w + pad + 8, gy, tile, tile};
                if (pi && pp) {
                    viz_draw_planes(r, &cv.fonts, pp, C, ph, pw, a, 1, NULL);
                    viz_draw_planes(r, &cv.fonts, pi, C, ph, pw, b, 0, NULL);
                    int lb = test.labels[top[k].idx];
                    snprintf(line, sizeof line, "#%d %s  %.3g", top[k].idx,
                             labels && lb < n_labels ? labels[lb] : "?", top[k].v);
                    viz_text(r, cv.fonts.small, b.x, gy + (pw >= ph ? tile * ph / pw : tile) + 2, dim, line);
                }
                free(pi);
                free(pp);
                free(img);
            }
            ok = app_canvas_save(&cv, out, "top9") == 0;
        }
        app_canvas_close(&cv);
        if (!ok) goto done;
    }
#endif
    rc = APP_OK;
done:
    free(best_v);
    free(best_i);
    for (int k = 0; k < 9; k++) free(proj[k]);
    eng_dataset_free(&test);
    eng_graph_destroy(g);
    return rc;
}
