/*
 * cmd_top9.c — `convscope top9`: the nine strongest activations of one
 * channel over a whole test set, each shown as the input patch its unit sees
 * (its theoretical receptive field) and as that unit's projection back to
 * pixels — Figure 2 of Zeiler and Fergus, "Visualizing and Understanding
 * Convolutional Networks" (ECCV 2014).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"

#ifdef CONVSCOPE_HAVE_GUI
#include <SDL.h>
#include <SDL_image.h>
#include <SDL_ttf.h>

#include "viz.h"
#endif

static const char top9_usage[] =
    "usage: convscope top9 MODEL --layer NAME --channel C [--out FILE.png] [--json]\n"
    "                      [--weights FILE] [--data digits|fashion|PATH]\n"
    "                      [--rule deconv|guided|backprop] [--batch B] [--threads N]\n"
    "  Scans every test image of the dataset (default: the one the weights were\n"
    "  trained on) for the nine strongest activations of channel C of layer NAME,\n"
    "  one per image, and shows each one's receptive-field patch of the input and\n"
    "  its projection to pixels (deconvnet by default), as Zeiler and Fergus's\n"
    "  Fig. 2 does. --json prints {\"model\",\"layer\",\"channel\",\"data\",\"n\",\n"
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
    char *rest[64];
    int nrest = 0;
    for (int i = 0; i < argc && nrest < 63; i++) {
        static const char *own[] = {"--out", "--layer", "--channel", "--rule"};
        const char **dst[] = {&out, &layer, &channel_s, &rule_s};
        int k = -1;
        for (int j = 0; i > 0 && i + 1 < argc && j < 4; j++)
            if (!strcmp(argv[i], own[j])) k = j;
        if (k >= 0) {
            *dst[k] = argv[++i];
            continue;
        }
        rest[nrest++] = argv[i];
    }
    rest[nrest] = NULL;
    AppOptions o;
    int help, rc = app_parse(nrest, rest,
                             APP_OPT_WEIGHTS | APP_OPT_DATA | APP_OPT_BATCH | APP_OPT_THREADS |
                                 APP_OPT_JSON,
                             1, top9_usage, &o, &help);
    if (rc || help) return rc;
    EngProjRule rule = !strcmp(rule_s, "deconv")     ? ENG_RULE_DECONV
                       : !strcmp(rule_s, "guided")   ? ENG_RULE_GUIDED
                       : !strcmp(rule_s, "backprop") ? ENG_RULE_BACKPROP
                                                     : (EngProjRule)-1;
    char *end = NULL;
    long channel = channel_s ? strtol(channel_s, &end, 10) : -1;
    if (!layer || !channel_s || (!out && !o.json)) {
        fprintf(stderr, "convscope top9: %s is required (see 'convscope top9 --help')\n",
                !layer ? "--layer" : !channel_s ? "--channel" : "--out or --json");
        return APP_USAGE;
    }
    if ((int)rule < 0 || *end || end == channel_s || channel < 0) {
        fprintf(stderr, "convscope top9: %s\n", (int)rule < 0
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
    EngGraph *g = app_build_model(&o, &card, &rc);
    if (!g) return rc;
    EngDataset test = {0};
    Hit top[9];
    int n_top = 0;
    float *proj[9] = {0};
    char path[4096], err[512];
    rc = APP_USAGE;
    const int id = eng_graph_find(g, layer);
    const EngNode *L = id >= 0 ? eng_graph_node(g, id) : NULL;
    if (!L || (L->flags & ENG_NODE_TRAIN_ONLY)) {
        fprintf(stderr, "convscope top9: %s has no layer '%s' (see 'convscope summary %s')\n",
                card->name, layer, card->name);
        goto done;
    }
    if (channel >= L->out.C) {
        fprintf(stderr, "convscope top9: %s has %d channels; no channel %ld\n", L->name, L->out.C,
                channel);
        goto done;
    }
    rc = APP_FAIL;
    const char *w = o.weights ? o.weights : model_weights_path(card, path, sizeof path);
    if (!card->imported || o.weights) {
        if (!w) {
            fprintf(stderr, "convscope top9: no trained weights ship for %s (give --weights)\n",
                    card->name);
            rc = APP_USAGE;
            goto done;
        }
        if (eng_weights_load(g, NULL, w, NULL, 0, err, sizeof err) != 0) {
            fprintf(stderr, "convscope top9: %s\n", err);
            goto done;
        }
    }
    const char *data = o.data ? o.data : card->weights_data;
    if (!data) {
        fprintf(stderr, "convscope top9: give --data (no dataset is known for %s)\n", card->name);
        rc = APP_USAGE;
        goto done;
    }
    if (app_load_data(data, NULL, &test, "top9") != 0) goto done;
    const EngNode *in = eng_graph_node(g, 0);
    const int C = in->out.C, H = in->out.H, W = in->out.W;
    const int B = o.batch ? o.batch : 64;
    if (eng_graph_plan(g, B) != 0) goto done;
    /* the scan: one forward pass per batch, the strongest unit of the channel per image */
    int *idx = malloc((size_t)B * sizeof *idx);
    if (!idx) goto done;
    const size_t HW = (size_t)L->out.H * L->out.W;
    const int tty = isatty(2);
    double t0 = app_now_ms();
    for (int start = 0; start < test.n; start += B) {
        int count = test.n - start < B ? test.n - start : B;
        for (int b = 0; b < count; b++) idx[b] = start + b;
        app_fill_batch(eng_graph_input_buffer(g, 0), B, C, H, W, &test, idx, count);
        eng_graph_forward(g);
        for (int b = 0; b < count; b++) {
            const float *a = L->act + ((size_t)b * L->out.C + (size_t)channel) * HW;
            size_t best = 0;
            for (size_t i = 1; i < HW; i++)
                if (a[i] > a[best]) best = i;
            keep(top, &n_top, (Hit){a[best], start + b, (int)(best / (size_t)L->out.W),
                                    (int)(best % (size_t)L->out.W)});
        }
        if (tty && (start / B) % 10 == 0)
            fprintf(stderr, "\rscanning %s: %d / %d images", test.name, start + count, test.n);
    }
    free(idx);
    if (tty) fprintf(stderr, "\rscanned %d images in %.1f s%20s\n", test.n, (app_now_ms() - t0) / 1e3, "");
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
        SDL_Surface *surf = SDL_CreateRGBSurfaceWithFormat(0, Wd, Hd, 32, SDL_PIXELFORMAT_RGBA32);
        SDL_Renderer *r = surf ? SDL_CreateSoftwareRenderer(surf) : NULL;
        VizFonts fonts = {0};
        int ok = r && viz_fonts_load(&fonts, 18, err, sizeof err) == 0;
        if (ok) {
            SDL_SetRenderDrawColor(r, 24, 26, 32, 255);
            SDL_RenderClear(r);
            const SDL_Color fg = {235, 235, 235, 255}, dim = {170, 175, 185, 255};
            char line[512];
            snprintf(line, sizeof line, "%s  ·  %s, channel %ld  ·  the 9 strongest", card->display,
                     L->name, channel);
            viz_text(r, fonts.sans_big, pad, 12, fg, line);
            snprintf(line, sizeof line, "of %d %s images, one per image  ·  left: projections (%s), "
                     "right: receptive-field patches (%lld px)", test.n, test.name, rule_s,
                     (long long)L->rf.size);
            viz_text(r, fonts.sans, pad, 52, dim, line);
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
                    viz_draw_planes(r, &fonts, pp, C, ph, pw, a, 1, NULL);
                    viz_draw_planes(r, &fonts, pi, C, ph, pw, b, 0, NULL);
                    int lb = test.labels[top[k].idx];
                    snprintf(line, sizeof line, "#%d %s  %.3g", top[k].idx,
                             labels && lb < n_labels ? labels[lb] : "?", top[k].v);
                    viz_text(r, fonts.small, b.x, gy + (pw >= ph ? tile * ph / pw : tile) + 2, dim, line);
                }
                free(pi);
                free(pp);
                free(img);
            }
            SDL_RenderPresent(r);
            char tmp[4200];
            snprintf(tmp, sizeof tmp, "%s.tmp", out);
            ok = IMG_SavePNG(surf, tmp) == 0 && rename(tmp, out) == 0;
            if (!ok) {
                fprintf(stderr, "convscope top9: cannot write %s: %s\n", out, IMG_GetError());
                remove(tmp);
            }
        } else {
            fprintf(stderr, "convscope top9: cannot draw: %s\n", r ? err : SDL_GetError());
        }
        viz_fonts_unload(&fonts);
        if (TTF_WasInit()) TTF_Quit();
        if (r) SDL_DestroyRenderer(r);
        if (surf) SDL_FreeSurface(surf);
        if (!ok) goto done;
    }
#endif
    rc = APP_OK;
done:
    for (int k = 0; k < 9; k++) free(proj[k]);
    eng_dataset_free(&test);
    eng_graph_destroy(g);
    return rc;
}
