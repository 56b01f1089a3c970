/*
 * fuzz_idx.c — libFuzzer target for the IDX reader (eng_data.c,
 * eng_idx_load): an images file and a labels file, each plain or gzip.
 *
 * One input holds both files: a 4-byte little-endian length L, a flags
 * byte, then L bytes of the images file and the rest, the labels file (L is
 * cut to what is there). Flag bit 0 gzips the images file, bit 1 the labels
 * file, before they are written, so that every header the fuzzer makes is
 * also read through the gzip path; a gzip stream given as bytes is read as
 * it is (damaged streams, lying sizes). A read either fails with a "data: "
 * message and an empty dataset, or gives n >= 1 images of 1 x h x w with
 * every pixel in [0, 1] and every label a class 0..9.
 *
 * The files are memfds reached through /proc/self/fd: the reader opens them
 * by name as it opens any file. With FUZZ_SEED_DIR set, the first call
 * writes seeds there (a small valid pair plain, gzipped by the target,
 * gzipped as bytes, and mixed): tests/fuzz_idx.sh makes its corpus that way
 * at test time.
 *
 * Built with -DCONVSCOPE_FUZZ=ON (clang).
 */
#define _GNU_SOURCE /* memfd_create */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include "eng.h"
#include "eng_data.h"

enum { GZ_IMAGES = 1, GZ_LABELS = 2 };

static void quiet_log(EngLogLevel level, const char *msg, void *user) {
    (void)level, (void)msg, (void)user;
}

static int fd_img = -1, fd_lab = -1;
static char path_img[64], path_lab[64];

/* src as a gzip member (RFC 1952) into a malloc'ed buffer; NULL on failure. */
static unsigned char *gzip_bytes(const uint8_t *src, size_t n, size_t *out_n) {
    z_stream z = {0};
    if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return NULL;
    const size_t cap = deflateBound(&z, (uLong)n) + 32;
    unsigned char *out = malloc(cap);
    if (out) {
        z.next_in = (Bytef *)src;
        z.avail_in = (uInt)n;
        z.next_out = out;
        z.avail_out = (uInt)cap;
        if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
            free(out);
            out = NULL;
        }
    }
    *out_n = z.total_out;
    deflateEnd(&z);
    return out;
}

/* The bytes into fd, gzipped first when gz. */
static void put(int fd, const uint8_t *b, size_t n, int gz) {
    ENG_ASSERT(ftruncate(fd, 0) == 0);
    if (!gz) {
        ENG_ASSERT(pwrite(fd, b, n, 0) == (ssize_t)n);
        return;
    }
    size_t zn = 0;
    unsigned char *z = gzip_bytes(b, n, &zn);
    ENG_ASSERT(z != NULL);
    ENG_ASSERT(pwrite(fd, z, zn, 0) == (ssize_t)zn);
    free(z);
}

/* ---- seeds ------------------------------------------------------------------------------- */

static void be32_put(unsigned char *p, uint32_t v) {
    p[0] = (unsigned char)(v >> 24), p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8), p[3] = (unsigned char)v;
}

/* One input of the target's layout from an images file and a labels file. */
static void write_seed(const char *dir, const char *name, const unsigned char *img, size_t ni,
                       const unsigned char *lab, size_t nl, int flags) {
    char p[4200];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "wb");
    ENG_ASSERT(f != NULL);
    unsigned char head[5] = {(unsigned char)ni, (unsigned char)(ni >> 8), (unsigned char)(ni >> 16),
                             (unsigned char)(ni >> 24), (unsigned char)flags};
    ENG_ASSERT(fwrite(head, 1, 5, f) == 5 && fwrite(img, 1, ni, f) == ni && fwrite(lab, 1, nl, f) == nl);
    ENG_ASSERT(fclose(f) == 0);
}

/* 5 images of 6x4 and their labels: plain, gzipped by the target, gzipped as
 * bytes, one of each, and an MNIST-sized 28x28 pair. */
static void write_seeds(const char *dir) {
    enum { N = 5, R = 6, C = 4 };
    unsigned char img[16 + N * R * C], lab[8 + N];
    be32_put(img, 0x803), be32_put(img + 4, N), be32_put(img + 8, R), be32_put(img + 12, C);
    for (int i = 0; i < N * R * C; i++) img[16 + i] = (unsigned char)(i * 37 % 256);
    be32_put(lab, 0x801), be32_put(lab + 4, N);
    for (int i = 0; i < N; i++) lab[8 + i] = (unsigned char)(i * 3 % 10);
    write_seed(dir, "plain", img, sizeof img, lab, sizeof lab, 0);
    write_seed(dir, "gzip-by-target", img, sizeof img, lab, sizeof lab, GZ_IMAGES | GZ_LABELS);
    write_seed(dir, "gzip-images", img, sizeof img, lab, sizeof lab, GZ_IMAGES);
    size_t zi = 0, zl = 0;
    unsigned char *gi = gzip_bytes(img, sizeof img, &zi), *gl = gzip_bytes(lab, sizeof lab, &zl);
    ENG_ASSERT(gi && gl);
    write_seed(dir, "gzip-bytes", gi, zi, gl, zl, 0);
    write_seed(dir, "gzip-labels-bytes", img, sizeof img, gl, zl, 0);
    free(gi);
    free(gl);
    static unsigned char big[16 + 2 * 28 * 28];
    unsigned char blab[8 + 2] = {0, 0, 8, 1, 0, 0, 0, 2, 7, 3};
    be32_put(big, 0x803), be32_put(big + 4, 2), be32_put(big + 8, 28), be32_put(big + 12, 28);
    for (int i = 0; i < 2 * 28 * 28; i++) big[16 + i] = (unsigned char)(i % 28 < 14 ? 0 : 255);
    write_seed(dir, "mnist-28x28", big, sizeof big, blab, sizeof blab, GZ_IMAGES);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    eng_log_set(quiet_log, NULL);
    fd_img = memfd_create("fuzz-images-idx3-ubyte", 0);
    fd_lab = memfd_create("fuzz-labels-idx1-ubyte", 0);
    ENG_ASSERT(fd_img >= 0 && fd_lab >= 0);
    snprintf(path_img, sizeof path_img, "/proc/self/fd/%d", fd_img);
    snprintf(path_lab, sizeof path_lab, "/proc/self/fd/%d", fd_lab);
    const char *seeds = getenv("FUZZ_SEED_DIR");
    if (seeds && *seeds) write_seeds(seeds);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 5) return 0;
    const uint32_t L = (uint32_t)data[0] | (uint32_t)data[1] << 8 | (uint32_t)data[2] << 16 |
                       (uint32_t)data[3] << 24;
    const int flags = data[4];
    const uint8_t *rest = data + 5;
    const size_t n = size - 5, ni = L < n ? L : n;
    put(fd_img, rest, ni, flags & GZ_IMAGES);
    put(fd_lab, rest + ni, n - ni, flags & GZ_LABELS);
    EngDataset d;
    char err[1024];
    err[0] = 0;
    memset(&d, 0x5a, sizeof d); /* the reader must set every field, on success and on failure */
    if (eng_idx_load(&d, path_img, path_lab, "fuzz", err, sizeof err) == 0) {
        ENG_ASSERT(d.n >= 1 && d.c == 1 && d.h >= 1 && d.w >= 1 && d.classes == 10);
        ENG_ASSERT(d.images && d.labels && memchr(d.name, 0, sizeof d.name));
        const size_t npix = (size_t)d.n * d.h * d.w;
        for (size_t i = 0; i < npix; i++) ENG_ASSERT(d.images[i] >= 0.0f && d.images[i] <= 1.0f);
        for (int i = 0; i < d.n; i++) ENG_ASSERT(d.labels[i] < 10);
    } else {
        if (strncmp(err, "data: ", 6) != 0) {
            fprintf(stderr, "read failed without a data: message: '%s'\n", err);
            abort();
        }
        ENG_ASSERT(d.n == 0 && !d.images && !d.labels);
    }
    eng_dataset_free(&d);
    return 0;
}
