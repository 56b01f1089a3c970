/*
 * probes.c — what a unit responds to, computed for the commands and the
 * window alike (Zeiler and Fergus, "Visualizing and Understanding
 * Convolutional Networks", ECCV 2014): the nine strongest activations of a
 * channel over a dataset with their projections (Fig. 2), and the maps made
 * by sliding a grey square over an image (Fig. 7).
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app.h"

/* ---- top-9 ------------------------------------------------------------------------------- */

/* t's winners sorted by decreasing v, at most 9; ties keep the earlier image */
static void keep(AppTop9 *t, float v, int idx, int y, int x) {
    if (t->n == 9 && v <= t->v[8]) return;
    int i = t->n < 9 ? t->n++ : 8;
    while (i > 0 && t->v[i - 1] < v) {
        t->v[i] = t->v[i - 1], t->idx[i] = t->idx[i - 1], t->y[i] = t->y[i - 1], t->x[i] = t->x[i - 1];
        i--;
    }
    t->v[i] = v, t->idx[i] = idx, t->y[i] = y, t->x[i] = x;
}

/* One forward pass per batch over all of d; for every image and channel of
 * L, the strongest activation and where it is (index y * W + x). After each
 * batch, seen (if any) has channel's nine strongest so far. 1 when progress
 * asked to stop. */
static int scan(EngGraph *g, int layer_id, const EngDataset *d, int B, float *best_v, float *best_i,
                AppProgress progress, void *ctx, int channel, AppTop9Seen seen, void *seen_ctx) {
    const EngNode *in = eng_graph_node(g, 0), *L = eng_graph_node(g, layer_id);
    const int C = in->out.C, H = in->out.H, W = in->out.W, LC = L->out.C;
    if (eng_graph_plan(g, B) != 0) return -1;
    int *idx = malloc((size_t)B * sizeof *idx);
    if (!idx) return -1;
    const size_t HW = (size_t)L->out.H * L->out.W;
    AppTop9 so_far = {0};
    for (int start = 0; start < d->n; start += B) {
        if (progress && progress(ctx, start, d->n)) {
            free(idx);
            return 1;
        }
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
        if (!seen) continue;
        for (int b = 0; b < count; b++) {
            const size_t k = (size_t)(start + b) * LC + channel;
            const int u = (int)best_i[k];
            keep(&so_far, best_v[k], start + b, u / L->out.W, u % L->out.W);
        }
        seen(seen_ctx, &so_far, start + count, d->n);
    }
    if (progress) progress(ctx, d->n, d->n);
    free(idx);
    return 0;
}

/* What a scan depends on: the model and layer, the weights' bytes, the
 * dataset's images. key names it; path is where it is cached
 * ($XDG_CACHE_HOME/convscope, else ~/.cache/convscope). -1: not cacheable. */
static int scan_key(const ModelCard *card, const char *weights, const EngDataset *d,
                    const EngNode *L, char *key, size_t kn, char *path, size_t pn) {
    if (!weights || card->imported) return -1;
    char why[4400];
    FILE *f = eng_fopen_input(weights, NULL, why, sizeof why);
    if (!f) return -1;
    uint64_t h = ENG_FNV_SEED;
    unsigned char buf[65536];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, f)) > 0) h = eng_fnv1a(h, buf, got);
    fclose(f);
    const uint64_t hd = eng_fnv1a(ENG_FNV_SEED, d->images, (size_t)d->n * d->c * d->h * d->w * sizeof *d->images);
    snprintf(key, kn, "model=%s layer=%s weights=%016llx data=%s n=%d images=%016llx", card->name,
             L->name, (unsigned long long)h, d->name, d->n, (unsigned long long)hd);
    const uint64_t hk = eng_fnv1a(ENG_FNV_SEED, key, strlen(key));
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

static int cache_load(const char *path, const char *key, int n, int LC, int units, float **v,
                      float **i) {
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
        /* every argmax a unit of the layer's plane (a damaged file is rescanned) */
        for (size_t k = 0; k < t[1].n; k++)
            ok &= (*i)[k] >= 0 && (*i)[k] < (float)units && (*i)[k] == floorf((*i)[k]);
        if (!ok) {
            fprintf(stderr, "top9: ignoring the cache %s: a unit outside the layer\n", path);
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

int app_top9_run(EngGraph *g, const ModelCard *card, const char *weights, int layer_id, int channel,
                 const EngDataset *d, EngProjRule rule, int batch, AppTop9 *t, AppProgress progress,
                 void *ctx, char *err, size_t errlen) {
    return app_top9_run_seen(g, card, weights, layer_id, channel, d, rule, batch, t, progress, ctx, NULL, NULL,
                             err, errlen);
}

int app_top9_run_seen(EngGraph *g, const ModelCard *card, const char *weights, int layer_id, int channel,
                      const EngDataset *d, EngProjRule rule, int batch, AppTop9 *t, AppProgress progress,
                      void *ctx, AppTop9Seen seen, void *seen_ctx, char *err, size_t errlen) {
    memset(t, 0, sizeof *t);
    const EngNode *L = eng_graph_node(g, layer_id), *in = eng_graph_node(g, 0);
    const int C = in->out.C, H = in->out.H, W = in->out.W, LC = L->out.C;
    float *best_v = NULL, *best_i = NULL;
    int rc = -1;
    if (channel < 0 || channel >= LC || d->n < 1) {
        snprintf(err, errlen, "no channel %d in %s, or no images", channel, L->name);
        return -1;
    }
    /* the strongest unit of every channel of the layer in every image, from the
     * cache or from a scan (then cached): any channel is then a lookup */
    char key[1200], cpath[4400];
    const int cacheable = scan_key(card, weights, d, L, key, sizeof key, cpath, sizeof cpath) == 0;
    const double t0 = app_now_ms();
    if (cacheable && cache_load(cpath, key, d->n, LC, L->out.H * L->out.W, &best_v, &best_i) == 0) {
        t->from_cache = 1;
        snprintf(t->cache_path, sizeof t->cache_path, "%s", cpath);
    } else {
        best_v = malloc((size_t)d->n * LC * sizeof *best_v);
        best_i = malloc((size_t)d->n * LC * sizeof *best_i);
        if (!best_v || !best_i) {
            snprintf(err, errlen, "out of memory for the scan of %d images", d->n);
            goto done;
        }
        int s = scan(g, layer_id, d, batch > 0 ? batch : 64, best_v, best_i, progress, ctx, channel, seen,
                     seen_ctx);
        if (s != 0) {
            snprintf(err, errlen, s > 0 ? "cancelled" : "cannot run %s at batch %d", card->name, batch);
            rc = s > 0 ? 1 : -1;
            goto done;
        }
        if (cacheable) cache_save(cpath, key, d->n, LC, best_v, best_i);
    }
    t->scan_ms = app_now_ms() - t0;
    for (int i = 0; i < d->n; i++) {
        int u = (int)best_i[(size_t)i * LC + channel];
        keep(t, best_v[(size_t)i * LC + channel], i, u / L->out.W, u % L->out.W);
    }
    /* each winner projected back to pixels, one image at a time */
    eng_graph_enable_grads(g);
    if (eng_graph_plan(g, 1) != 0) {
        snprintf(err, errlen, "cannot plan %s", card->name);
        goto done;
    }
    for (int k = 0; k < t->n; k++) {
        app_fill_batch(eng_graph_input_buffer(g, 0), 1, C, H, W, d, &t->idx[k], 1);
        eng_graph_forward(g);
        if (eng_graph_project(g, layer_id, channel, t->y[k], t->x[k], rule) != 0) {
            snprintf(err, errlen, "cannot project through %s", card->name);
            goto done;
        }
        t->proj[k] = malloc((size_t)C * H * W * sizeof(float));
        if (!t->proj[k]) goto done;
        memcpy(t->proj[k], in->grad, (size_t)C * H * W * sizeof(float));
        /* the field of unit (y, x) on the input, clipped to the image */
        long long y0 = (long long)t->y[k] * L->rf.stride - L->rf.pad;
        long long x0 = (long long)t->x[k] * L->rf.stride_w - L->rf.pad_w;
        long long y1 = y0 + L->rf.size, x1 = x0 + L->rf.size_w;
        t->box[k][0] = (int)(y0 < 0 ? 0 : y0), t->box[k][1] = (int)(x0 < 0 ? 0 : x0);
        t->box[k][2] = (int)(y1 > H ? H : y1), t->box[k][3] = (int)(x1 > W ? W : x1);
        if (L->rf.size <= 0 || L->rf.size_w <= 0 || !L->rf.finite) t->box[k][0] = t->box[k][1] = 0, t->box[k][2] = H, t->box[k][3] = W;
    }
    rc = 0;
done:
    free(best_v);
    free(best_i);
    if (rc != 0) app_top9_free(t);
    return rc;
}

void app_top9_free(AppTop9 *t) {
    for (int k = 0; k < 9; k++) {
        free(t->proj[k]);
        t->proj[k] = NULL;
    }
    t->n = 0;
}

float *app_crop(const float *v, int C, int H, int W, const int box[4]) {
    const int ph = box[2] - box[0], pw = box[3] - box[1];
    if (ph < 1 || pw < 1 || box[0] < 0 || box[1] < 0 || box[2] > H || box[3] > W) return NULL;
    float *o = malloc((size_t)C * ph * pw * sizeof *o);
    if (!o) return NULL;
    for (int c = 0; c < C; c++)
        for (int y = 0; y < ph; y++)
            for (int x = 0; x < pw; x++)
                o[((size_t)c * ph + y) * pw + x] = v[((size_t)c * H + box[0] + y) * W + box[1] + x];
    return o;
}

/* ---- occlusion --------------------------------------------------------------------------- */

int app_occlusion_run(EngGraph *g, int layer_id, int channel, const float *img, AppOcclusion *oc,
                      AppProgress progress, void *ctx, char *err, size_t errlen) {
    const EngNode *in = eng_graph_node(g, 0), *outn = eng_graph_node(g, eng_graph_output(g));
    const EngNode *L = eng_graph_node(g, layer_id);
    const int C = in->out.C, H = in->out.H, W = in->out.W;
    const int K = outn->out.C * outn->out.H * outn->out.W;
    oc->maps = NULL;
    if (!oc->size) oc->size = (H < W ? H : W) / 4 > 0 ? (H < W ? H : W) / 4 : 1;
    if (!oc->stride) oc->stride = H * W > 4096 ? 2 : 1;
    if (oc->size > H || oc->size > W || oc->stride < 1 || channel < 0 || channel >= L->out.C) {
        snprintf(err, errlen, "a %dx%d square does not fit a %dx%d input", oc->size, oc->size, H, W);
        return -1;
    }
    const int size = oc->size, stride = oc->stride;
    const int OH = (H - size) / stride + 1, OW = (W - size) / stride + 1;
    oc->OH = OH, oc->OW = OW;
    const int B = 32;
    if (eng_graph_plan(g, B) != 0) {
        snprintf(err, errlen, "cannot run the network at batch %d", B);
        return -1;
    }
    oc->maps = calloc((size_t)3 * OH * OW, sizeof *oc->maps);
    if (!oc->maps) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (isnan(oc->grey)) { /* the image's own mean: the square hides, it does not add light */
        double sum = 0;
        for (size_t i = 0; i < (size_t)C * H * W; i++) sum += img[i];
        oc->grey = (float)(sum / ((double)C * H * W));
    }
    const float grey = oc->grey;
    const size_t HW = (size_t)L->out.H * L->out.W;
    int label = oc->label;
    /* position -1 is the image itself, then every position of the square, B at a time */
    for (int start = -1; start < OH * OW; start += B) {
        if (progress && progress(ctx, start + 1, OH * OW + 1)) {
            free(oc->maps);
            oc->maps = NULL;
            snprintf(err, errlen, "cancelled");
            return 1;
        }
        float *x = eng_graph_input_buffer(g, 0);
        int count = OH * OW - start < B ? OH * OW - start : B;
        for (int b = 0; b < count; b++) {
            float *dst = x + (size_t)b * C * H * W;
            memcpy(dst, img, (size_t)C * H * W * sizeof *dst);
            int pos = start + b;
            if (pos < 0) continue;
            int y0 = (pos / OW) * stride, x0 = (pos % OW) * stride;
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
            float prob = NAN;
            if (outn->op == ENG_OP_SOFTMAX) { /* a file that ends in Softmax gives probabilities */
                if (label < K) prob = z[label];
            } else { /* the logits' softmax */
                for (int k = 0; k < K; k++) den += exp((double)z[k] - mx);
                if (label < K) prob = (float)(exp((double)z[label] - mx) / den);
            }
            float v[3] = {(float)total, prob, (float)best};
            int pos = start + b;
            for (int m = 0; m < 3; m++) {
                if (pos < 0) oc->clean[m] = v[m];
                else oc->maps[(size_t)m * OH * OW + pos] = v[m];
            }
        }
    }
    if (progress) progress(ctx, OH * OW + 1, OH * OW + 1);
    oc->label = label;
    return 0;
}
