/*
 * eng_weights.c — parameters to and from a file: trained weights and
 * training checkpoints (optimizer state and metadata included).
 *
 * Format, little-endian:
 *   "CVSWGT01"                       magic, 8 bytes
 *   u32 meta_len, meta bytes          free text (model, epoch, command, seed...)
 *   u32 count, then per tensor:       u16 name_len, name ("<node>.<suffix>"),
 *                                     u8 ndim, u32 dims[ndim], f32 data[prod dims]
 *   u8 has_optimizer; if 1:           u32 kind, f32 lr, momentum, weight_decay,
 *                                     beta1, beta2, eps, i64 step, u64 n,
 *                                     f32 m[n], (Adam) f32 v[n]
 *   u64 FNV-1a hash of everything before it
 * A file is untrusted: every length is checked against what is left of the
 * file before it is used, every tensor must match a parameter of the graph by
 * name and shape, and every parameter must be present. Saving writes a
 * temporary file and renames it, so a crash never leaves half a checkpoint.
 * Must not depend on: SDL or anything that draws.
 */
#include "eng.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAGIC "CVSWGT01"
#define MAX_META 65536
#define MAX_TENSORS 100000


/* ---- writing ---------------------------------------------------------------------- */

typedef struct {
    FILE *f;
    uint64_t hash;
    int ok;
} Out;

static void put(Out *o, const void *p, size_t n) {
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) o->hash = (o->hash ^ b[i]) * 1099511628211ull;
    if (o->ok && fwrite(p, 1, n, o->f) != n) o->ok = 0;
}
static void put_u8(Out *o, uint8_t v) { put(o, &v, 1); }
static void put_u16(Out *o, uint16_t v) {
    unsigned char b[2] = {(unsigned char)v, (unsigned char)(v >> 8)};
    put(o, b, 2);
}
static void put_u32(Out *o, uint32_t v) {
    unsigned char b[4];
    for (int i = 0; i < 4; i++) b[i] = (unsigned char)(v >> (8 * i));
    put(o, b, 4);
}
static void put_u64(Out *o, uint64_t v) {
    unsigned char b[8];
    for (int i = 0; i < 8; i++) b[i] = (unsigned char)(v >> (8 * i));
    put(o, b, 8);
}
static void put_f32s(Out *o, const float *v, size_t n) {
    for (size_t i = 0; i < n; i++) {
        uint32_t u;
        memcpy(&u, &v[i], 4);
        put_u32(o, u);
    }
}

int eng_weights_save(const EngGraph *g, const EngOptimizer *opt, const char *meta,
                     const char *path, char *err, size_t errlen) {
    if (!g || !path) return -1;
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) {
        eng_set_err(err, errlen, "weights: path too long: %s", path);
        return -1;
    }
    Out o = {fopen(tmp, "wb"), 14695981039346656037ull, 1};
    if (!o.f) {
        eng_set_err(err, errlen, "weights: cannot write %s: %s", tmp, strerror(errno));
        return -1;
    }
    put(&o, MAGIC, 8);
    size_t ml = meta ? strlen(meta) : 0;
    if (ml > MAX_META) ml = MAX_META;
    put_u32(&o, (uint32_t)ml);
    put(&o, meta ? meta : "", ml);
    uint32_t count = 0;
    for (int i = 0; i < eng_graph_node_count(g); i++) count += (uint32_t)eng_graph_node(g, i)->n_params;
    put_u32(&o, count);
    for (int i = 0; i < eng_graph_node_count(g); i++) {
        const EngNode *n = eng_graph_node(g, i);
        for (int k = 0; k < n->n_params; k++) {
            const EngParam *p = &n->params[k];
            char name[160];
            int len = snprintf(name, sizeof name, "%s.%s", n->name, p->suffix);
            put_u16(&o, (uint16_t)len);
            put(&o, name, (size_t)len);
            put_u8(&o, (uint8_t)p->ndim);
            for (int d = 0; d < p->ndim; d++) put_u32(&o, (uint32_t)p->dims[d]);
            if (!p->data) o.ok = 0;
            else put_f32s(&o, p->data, p->n);
        }
    }
    put_u8(&o, opt ? 1 : 0);
    if (opt) {
        put_u32(&o, (uint32_t)opt->kind);
        float hp[6] = {opt->lr, opt->momentum, opt->weight_decay, opt->beta1, opt->beta2, opt->eps};
        put_f32s(&o, hp, 6);
        put_u64(&o, (uint64_t)opt->step);
        put_u64(&o, (uint64_t)opt->n);
        put_f32s(&o, opt->m, opt->n);
        if (opt->kind == ENG_OPT_ADAM) put_f32s(&o, opt->v, opt->n);
    }
    uint64_t h = o.hash;
    put_u64(&o, h);
    if (fflush(o.f) != 0) o.ok = 0;
    if (fclose(o.f) != 0) o.ok = 0;
    if (!o.ok) {
        eng_set_err(err, errlen, "weights: writing %s failed (disk full?)", tmp);
        remove(tmp);
        return -1;
    }
    if (rename(tmp, path) != 0) {
        eng_set_err(err, errlen, "weights: cannot rename %s to %s: %s", tmp, path, strerror(errno));
        remove(tmp);
        return -1;
    }
    return 0;
}

/* ---- reading ---------------------------------------------------------------------- */

typedef struct {
    const unsigned char *p;
    size_t left;
    int ok;
} In;

static const unsigned char *take(In *in, size_t n) {
    if (!in->ok || n > in->left) {
        in->ok = 0;
        return NULL;
    }
    const unsigned char *r = in->p;
    in->p += n;
    in->left -= n;
    return r;
}
static uint32_t get_u32(In *in) {
    const unsigned char *b = take(in, 4);
    return b ? (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24 : 0;
}
static uint64_t get_u64(In *in) {
    uint64_t lo = get_u32(in), hi = get_u32(in);
    return lo | hi << 32;
}
static void get_f32s(In *in, float *dst, size_t n) {
    size_t bytes;
    if (!eng_mul_size(&bytes, n, 4)) {
        in->ok = 0;
        return;
    }
    const unsigned char *b = take(in, bytes);
    if (!b) return;
    for (size_t i = 0; i < n; i++) {
        uint32_t u = (uint32_t)b[4 * i] | (uint32_t)b[4 * i + 1] << 8 |
                     (uint32_t)b[4 * i + 2] << 16 | (uint32_t)b[4 * i + 3] << 24;
        memcpy(&dst[i], &u, 4);
    }
}

static EngParam *find_param(EngGraph *g, const char *name) {
    for (int i = 0; i < eng_graph_node_count(g); i++) {
        EngNode *n = eng_graph_node_mut(g, i);
        size_t nl = strlen(n->name);
        if (strncmp(name, n->name, nl) != 0 || name[nl] != '.') continue;
        for (int k = 0; k < n->n_params; k++)
            if (!strcmp(name + nl + 1, n->params[k].suffix)) return &n->params[k];
    }
    return NULL;
}

int eng_weights_load(EngGraph *g, EngOptimizer *opt, const char *path, char *meta, size_t metalen,
                     char *err, size_t errlen) {
    if (!g || !path) return -1;
    FILE *f = fopen(path, "rb");
    if (!f) {
        eng_set_err(err, errlen, "weights: cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    unsigned char *buf = NULL;
    long size = -1;
    if (fseek(f, 0, SEEK_END) == 0) size = ftell(f);
    if (size < 0 || fseek(f, 0, SEEK_SET) != 0 || size > (1L << 32)) {
        fclose(f);
        eng_set_err(err, errlen, "weights: %s: cannot read its size, or larger than 4 GiB", path);
        return -1;
    }
    buf = malloc((size_t)size + 1);
    if (!buf || fread(buf, 1, (size_t)size, f) != (size_t)size) {
        fclose(f);
        free(buf);
        eng_set_err(err, errlen, "weights: %s: read failed", path);
        return -1;
    }
    fclose(f);
    int rc = -1;
    if (size < 8 + 4 + 4 + 1 + 8 || memcmp(buf, MAGIC, 8) != 0) {
        eng_set_err(err, errlen, "weights: %s is not a convscope weights file (bad magic or too short)",
                path);
        goto done;
    }
    /* the hash covers everything before the last 8 bytes */
    uint64_t h = 14695981039346656037ull;
    for (long i = 0; i < size - 8; i++) h = (h ^ buf[i]) * 1099511628211ull;
    In tail = {buf + size - 8, 8, 1};
    if (get_u64(&tail) != h) {
        eng_set_err(err, errlen, "weights: %s is corrupt or truncated (checksum mismatch)", path);
        goto done;
    }
    if (eng_graph_alloc_params(g) != 0) {
        eng_set_err(err, errlen, "weights: cannot allocate the parameters for %s", path);
        goto done;
    }
    In in = {buf + 8, (size_t)size - 16, 1};
    uint32_t ml = get_u32(&in);
    const unsigned char *m = ml <= MAX_META ? take(&in, ml) : NULL;
    if (!m) {
        eng_set_err(err, errlen, "weights: %s: bad metadata length %u", path, ml);
        goto done;
    }
    if (meta && metalen) {
        size_t c = ml < metalen - 1 ? ml : metalen - 1;
        memcpy(meta, m, c);
        meta[c] = 0;
    }
    uint32_t count = get_u32(&in);
    int expected = 0;
    for (int i = 0; i < eng_graph_node_count(g); i++) expected += eng_graph_node(g, i)->n_params;
    if (!in.ok || count > MAX_TENSORS || count != (uint32_t)expected) {
        eng_set_err(err, errlen, "weights: %s holds %u tensors, the model has %d", path, count,
                expected);
        goto done;
    }
    for (uint32_t t = 0; t < count; t++) {
        const unsigned char *lb = take(&in, 2);
        unsigned len = lb ? (unsigned)lb[0] | (unsigned)lb[1] << 8 : 0;
        const unsigned char *nm = (len > 0 && len < 160) ? take(&in, len) : NULL;
        const unsigned char *nd = nm ? take(&in, 1) : NULL;
        if (!nd || nd[0] < 1 || nd[0] > 4) {
            eng_set_err(err, errlen, "weights: %s: tensor %u has a bad name or rank", path, t);
            goto done;
        }
        char name[160];
        memcpy(name, nm, len);
        name[len] = 0;
        EngParam *p = find_param(g, name);
        if (!p) {
            eng_set_err(err, errlen, "weights: %s: tensor '%s' is not a parameter of this model", path,
                    name);
            goto done;
        }
        int same = nd[0] == p->ndim;
        for (int d = 0; d < nd[0]; d++) {
            uint32_t v = get_u32(&in);
            if (d < p->ndim && v != (uint32_t)p->dims[d]) same = 0;
        }
        if (!in.ok || !same) {
            eng_set_err(err, errlen, "weights: %s: tensor '%s' has another shape than the model's",
                    path, name);
            goto done;
        }
        get_f32s(&in, p->data, p->n);
        if (!in.ok) {
            eng_set_err(err, errlen, "weights: %s: tensor '%s' is truncated", path, name);
            goto done;
        }
    }
    const unsigned char *has = take(&in, 1);
    if (!has || has[0] > 1) {
        eng_set_err(err, errlen, "weights: %s: bad optimizer flag", path);
        goto done;
    }
    if (has[0] && opt) {
        uint32_t kind = get_u32(&in);
        float hp[6];
        get_f32s(&in, hp, 6);
        int64_t step = (int64_t)get_u64(&in);
        uint64_t n = get_u64(&in);
        if (!in.ok || kind > ENG_OPT_ADAM || kind != (uint32_t)opt->kind || n != opt->n) {
            eng_set_err(err, errlen,
                    "weights: %s: its optimizer state does not match this run (another "
                    "optimizer or model)", path);
            goto done;
        }
        opt->lr = hp[0], opt->momentum = hp[1], opt->weight_decay = hp[2];
        opt->beta1 = hp[3], opt->beta2 = hp[4], opt->eps = hp[5];
        opt->step = step;
        get_f32s(&in, opt->m, opt->n);
        if (opt->kind == ENG_OPT_ADAM) get_f32s(&in, opt->v, opt->n);
        if (!in.ok) {
            eng_set_err(err, errlen, "weights: %s: optimizer state truncated", path);
            goto done;
        }
    }
    rc = 0;
done:
    free(buf);
    return rc;
}
