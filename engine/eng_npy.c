/*
 * eng_npy.c — float32 arrays in NumPy's .npy format (version 1.0): the magic
 * "\x93NUMPY", a version, a u16 header length, a Python-literal dict
 * {'descr': '<f4', 'fortran_order': False, 'shape': (...), } padded with
 * spaces and a newline to a multiple of 64 bytes, then the data in C order.
 * Reading accepts versions 1-3 with '<f4' data in C order, rank up to 4, and
 * checks the data size against the shape. Writing goes to a temporary file,
 * then renames.
 * Must not depend on: SDL or anything that draws.
 */
#include "eng.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int eng_npy_save(const char *path, const int64_t *dims, int ndim, const float *data, char *err,
                 size_t errlen) {
    if (!path || ndim < 0 || ndim > 4 || (!data && ndim)) return -1;
    char dict[256], shape[128] = "";
    size_t n = 1, used = 0;
    for (int d = 0; d < ndim; d++) {
        used += (size_t)snprintf(shape + used, sizeof shape - used, "%lld,%s", (long long)dims[d],
                                 d + 1 < ndim ? " " : "");
        n *= (size_t)dims[d];
    }
    if (ndim > 1) shape[used - 1] = 0; /* "(2, 3)"; a single dimension keeps its comma: "(5,)" */
    int dl = snprintf(dict, sizeof dict, "{'descr': '<f4', 'fortran_order': False, 'shape': (%s), }",
                      shape);
    size_t total = 10 + (size_t)dl + 1, pad = (64 - total % 64) % 64;
    size_t hl = (size_t)dl + pad + 1;
    EngTmpFile t;
    char why[512];
    if (eng_tmpfile_open(&t, path, why, sizeof why) != 0) {
        eng_set_err(err, errlen, "npy: %s", why);
        return -1;
    }
    FILE *f = t.f;
    unsigned char head[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (unsigned char)hl,
                              (unsigned char)(hl >> 8)};
    int ok = fwrite(head, 1, 10, f) == 10 && fwrite(dict, 1, (size_t)dl, f) == (size_t)dl;
    for (size_t i = 0; ok && i < pad; i++) ok = fputc(' ', f) != EOF;
    if (ok) ok = fputc('\n', f) != EOF;
    for (size_t i = 0; ok && i < n; i++) {
        uint32_t u;
        memcpy(&u, &data[i], 4);
        unsigned char b[4] = {(unsigned char)u, (unsigned char)(u >> 8), (unsigned char)(u >> 16),
                              (unsigned char)(u >> 24)};
        ok = fwrite(b, 1, 4, f) == 4;
    }
    if (!ok) {
        eng_set_err(err, errlen, "npy: writing %s failed: %s", path, strerror(errno));
        eng_tmpfile_abort(&t);
        return -1;
    }
    if (eng_tmpfile_commit(&t, why, sizeof why) != 0) {
        eng_set_err(err, errlen, "npy: %s", why);
        return -1;
    }
    return 0;
}

/* The value of key `key` in the header dict, or NULL. */
static const char *dict_value(const char *h, const char *key) {
    const char *p = strstr(h, key);
    if (!p) return NULL;
    p += strlen(key);
    while (*p == ' ') p++;
    if (*p != ':') return NULL;
    p++;
    while (*p == ' ') p++;
    return p;
}

int eng_npy_load(const char *path, int64_t *dims, int *ndim, float **data, char *err,
                 size_t errlen) {
    if (!path || !dims || !ndim || !data) return -1;
    *data = NULL;
    char why[4400];
    FILE *f = eng_fopen_input(path, NULL, why, sizeof why);
    if (!f) {
        eng_set_err(err, errlen, "npy: %s", why);
        return -1;
    }
    unsigned char head[12];
    char *h = NULL;
    int rc = -1;
    size_t hl;
    if (fread(head, 1, 8, f) != 8 || memcmp(head, "\x93NUMPY", 6) != 0 || head[6] < 1 ||
        head[6] > 3) {
        eng_set_err(err, errlen, "npy: %s is not a .npy file", path);
        goto done;
    }
    if (head[6] == 1) {
        if (fread(head + 8, 1, 2, f) != 2) goto short_file;
        hl = (size_t)head[8] | (size_t)head[9] << 8;
    } else {
        if (fread(head + 8, 1, 4, f) != 4) goto short_file;
        hl = (size_t)head[8] | (size_t)head[9] << 8 | (size_t)head[10] << 16 | (size_t)head[11] << 24;
    }
    if (hl > 65536) {
        eng_set_err(err, errlen, "npy: %s: header of %zu bytes is too long", path, hl);
        goto done;
    }
    h = malloc(hl + 1);
    if (!h || fread(h, 1, hl, f) != hl) goto short_file;
    h[hl] = 0;
    const char *descr = dict_value(h, "'descr'"), *fo = dict_value(h, "'fortran_order'"),
               *sh = dict_value(h, "'shape'");
    if (!descr || strncmp(descr, "'<f4'", 5) != 0) {
        eng_set_err(err, errlen, "npy: %s: only little-endian float32 ('<f4') is read", path);
        goto done;
    }
    if (!fo || strncmp(fo, "False", 5) != 0) {
        eng_set_err(err, errlen, "npy: %s: Fortran-order arrays are not read", path);
        goto done;
    }
    if (!sh || *sh != '(') {
        eng_set_err(err, errlen, "npy: %s: no shape in its header", path);
        goto done;
    }
    int nd = 0;
    size_t count = 1;
    const char *p = sh + 1;
    for (;;) {
        while (*p == ' ' || *p == ',') p++;
        if (*p == ')') break;
        char *end;
        errno = 0;
        long long v = strtoll(p, &end, 10);
        if (end == p || errno || v < 0 || v > (1 << 30) || nd == 4) {
            eng_set_err(err, errlen, "npy: %s: bad shape (rank up to 4, sizes up to 2^30)", path);
            goto done;
        }
        dims[nd++] = v;
        if (!eng_mul_size(&count, count, (size_t)v) || count > ((size_t)1 << 32)) {
            eng_set_err(err, errlen, "npy: %s: the array is too large", path);
            goto done;
        }
        p = end;
    }
    *ndim = nd;
    *data = malloc(count ? count * sizeof(float) : 1);
    if (!*data) {
        eng_set_err(err, errlen, "npy: %s: out of memory", path);
        goto done;
    }
    if (fread(*data, sizeof(float), count, f) != count || fgetc(f) != EOF) {
        eng_set_err(err, errlen, "npy: %s: the data does not match its shape (truncated or extra bytes)",
                path);
        free(*data);
        *data = NULL;
        goto done;
    }
    rc = 0;
    goto done;
short_file:
    eng_set_err(err, errlen, "npy: %s is truncated", path);
done:
    free(h);
    fclose(f);
    return rc;
}
