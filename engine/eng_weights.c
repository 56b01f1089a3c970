/*
 * eng_weights.c — parameters to and from a file: trained weights and
 * training checkpoints (optimizer state and metadata included), in the
 * safetensors format (https://huggingface.co/docs/safetensors):
 *
 *   u64 N, little-endian              size of the header
 *   N bytes of JSON, space-padded     {"__metadata__": {string: string},
 *                                      "<node>.<suffix>": {"dtype": "F32",
 *                                        "shape": [...], "data_offsets": [b, e]}, ...}
 *   the data                          each tensor's bytes at [b, e), little-endian,
 *                                     back to back in header order
 *
 * Parameters are named "<node>.<suffix>" ("conv1.weight", "bn1.running_var"...).
 * A checkpoint adds "optimizer.m" (and "optimizer.v" for Adam) and the
 * optimizer's kind, hyper-parameters and step in the metadata. The caller's
 * metadata text ("key=value" lines) becomes metadata entries; "fnv1a64" holds a
 * hash of the data and "fnv1a64_meta" one of the metadata, so a corrupt or
 * edited file is refused (files older than the second hash still load).
 * eng_tensors_save/load read and write any list of named float32 tensors the
 * same way (filter snapshots taken during training, for example).
 * A file is untrusted: the header size, every offset and shape are checked
 * against the file before use, every tensor must match a parameter of the
 * graph by name and shape, and every parameter must be present. Saving writes
 * a temporary file and renames it, so a crash never leaves half a checkpoint.
 * Must not depend on: SDL or anything that draws.
 */
#include "eng.h"

#include <cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FILE ((size_t)1 << 34) /* 16 GiB: far above any zoo model */
#define MAX_HEADER (16u << 20) /* bytes of JSON; the parameters of any zoo model fit */
#define OPT_PREFIX "optimizer."


/* The hash of the metadata: every string entry but the two hashes, key and
 * value each followed by a NUL, in the header's order. Files written before
 * it existed have only the data's hash ("fnv1a64") and still load; their
 * metadata is checked by its readers as any untrusted text. */
#define META_HASH "fnv1a64_meta"
static uint64_t meta_hash(const cJSON *md) {
    uint64_t h = ENG_FNV_SEED;
    for (const cJSON *e = md ? md->child : NULL; e; e = e->next) {
        if (!cJSON_IsString(e) || !e->string || !strcmp(e->string, "fnv1a64") ||
            !strcmp(e->string, META_HASH))
            continue;
        h = eng_fnv1a(h, e->string, strlen(e->string) + 1);
        h = eng_fnv1a(h, e->valuestring, strlen(e->valuestring) + 1);
    }
    return h;
}

/* ---- writing ---------------------------------------------------------------------- */

static int add_tensor_entry(cJSON *root, const EngTensor *t, uint64_t *offset) {
    cJSON *e = cJSON_CreateObject();
    if (!e || !cJSON_AddItemToObject(root, t->name, e)) {
        cJSON_Delete(e);
        return -1;
    }
    cJSON *shape = cJSON_AddArrayToObject(e, "shape");
    cJSON *offs = cJSON_AddArrayToObject(e, "data_offsets");
    if (!cJSON_AddStringToObject(e, "dtype", "F32") || !shape || !offs) return -1;
    for (int d = 0; d < t->ndim; d++)
        if (!cJSON_AddItemToArray(shape, cJSON_CreateNumber((double)t->dims[d]))) return -1;
    uint64_t end = *offset + (uint64_t)t->n * 4;
    if (!cJSON_AddItemToArray(offs, cJSON_CreateNumber((double)*offset)) ||
        !cJSON_AddItemToArray(offs, cJSON_CreateNumber((double)end)))
        return -1;
    *offset = end;
    return 0;
}

static void float_bytes(unsigned char *dst, const float *v, size_t n) {
    for (size_t i = 0; i < n; i++) {
        uint32_t u;
        memcpy(&u, &v[i], 4);
        for (int b = 0; b < 4; b++) dst[4 * i + b] = (unsigned char)(u >> (8 * b));
    }
}

/* Calls fn on the little-endian bytes of every tensor, in order, a block at a time. */
static int each_block(const EngTensor *ts, int n, int (*fn)(void *, const unsigned char *, size_t),
                      void *ctx) {
    unsigned char buf[4096];
    for (int t = 0; t < n; t++)
        for (size_t i = 0; i < ts[t].n;) {
            size_t k = ts[t].n - i < sizeof buf / 4 ? ts[t].n - i : sizeof buf / 4;
            float_bytes(buf, ts[t].data + i, k);
            if (fn(ctx, buf, k * 4) != 0) return -1;
            i += k;
        }
    return 0;
}
static int hash_block(void *ctx, const unsigned char *b, size_t n) {
    *(uint64_t *)ctx = eng_fnv1a(*(uint64_t *)ctx, b, n);
    return 0;
}
static int write_block(void *ctx, const unsigned char *b, size_t n) {
    return fwrite(b, 1, n, (FILE *)ctx) == n ? 0 : -1;
}

/* "key=value" lines -> metadata entries (later keys win; malformed lines skipped). */
static int add_meta_text(cJSON *md, const char *meta) {
    for (const char *p = meta; p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        if (eq && eq > p) {
            char key[128], val[4096];
            size_t kl = (size_t)(eq - p), vl = len - kl - 1;
            if (kl < sizeof key && vl < sizeof val) {
                memcpy(key, p, kl);
                key[kl] = 0;
                memcpy(val, eq + 1, vl);
                val[vl] = 0;
                cJSON_DeleteItemFromObjectCaseSensitive(md, key);
                if (!cJSON_AddStringToObject(md, key, val)) return -1;
            }
        }
        p = nl ? nl + 1 : NULL;
    }
    return 0;
}

static int add_meta_num(cJSON *md, const char *key, const char *fmt, double v) {
    char buf[64];
    snprintf(buf, sizeof buf, fmt, v);
    return cJSON_AddStringToObject(md, key, buf) ? 0 : -1;
}

/* Writes ts with metadata md (taken over and freed) to a temporary file
 * beside path, then renames it over path (eng_tmpfile_open). */
static int write_file(const char *path, const EngTensor *ts, int n, cJSON *md, char *err,
                      size_t errlen) {
    cJSON *root = cJSON_CreateObject();
    char *json = NULL;
    int rc = -1;
    if (!root || !md || !cJSON_AddItemToObject(root, "__metadata__", md)) {
        cJSON_Delete(md);
        goto oom;
    }
    uint64_t offset = 0, hash = ENG_FNV_SEED;
    for (int i = 0; i < n; i++) {
        if (!ts[i].data && ts[i].n) {
            eng_set_err(err, errlen, "weights: tensor %s has no values to save", ts[i].name);
            goto out;
        }
        if (add_tensor_entry(root, &ts[i], &offset) != 0) goto oom;
    }
    each_block(ts, n, hash_block, &hash);
    char hx[32];
    snprintf(hx, sizeof hx, "%016llx", (unsigned long long)hash);
    if (!cJSON_AddStringToObject(md, "fnv1a64", hx)) goto oom;
    snprintf(hx, sizeof hx, "%016llx", (unsigned long long)meta_hash(md));
    if (!cJSON_AddStringToObject(md, META_HASH, hx)) goto oom;
    json = cJSON_PrintUnformatted(root);
    if (!json) goto oom;
    size_t jl = strlen(json), padded = (jl + 7) / 8 * 8;
    if (padded > MAX_HEADER) {
        eng_set_err(err, errlen, "weights: %s: header too large (%zu bytes)", path, padded);
        goto out;
    }
    EngTmpFile t;
    char why[512];
    if (eng_tmpfile_open(&t, path, why, sizeof why) != 0) {
        eng_set_err(err, errlen, "weights: %s", why);
        goto out;
    }
    FILE *f = t.f;
    unsigned char hdr[8];
    for (int b = 0; b < 8; b++) hdr[b] = (unsigned char)((uint64_t)padded >> (8 * b));
    int ok = fwrite(hdr, 1, 8, f) == 8 && fwrite(json, 1, jl, f) == jl;
    for (size_t i = jl; ok && i < padded; i++) ok = fputc(' ', f) != EOF;
    if (ok) ok = each_block(ts, n, write_block, f) == 0;
    if (!ok) {
        eng_set_err(err, errlen, "weights: writing %s failed (disk full?)", path);
        eng_tmpfile_abort(&t);
        goto out;
    }
    if (eng_tmpfile_commit(&t, why, sizeof why) != 0) {
        eng_set_err(err, errlen, "weights: %s", why);
        goto out;
    }
    rc = 0;
    goto out;
oom:
    eng_set_err(err, errlen, "weights: out of memory while saving %s", path);
out:
    cJSON_Delete(root);
    cJSON_free(json);
    return rc;
}

int eng_tensors_save(const char *path, const EngTensor *ts, int count, const char *meta, char *err,
                     size_t errlen) {
    if (!path || count < 0 || (count && !ts)) return -1;
    cJSON *md = cJSON_CreateObject();
    if (md && add_meta_text(md, meta) != 0) {
        cJSON_Delete(md);
        md = NULL;
    }
    return write_file(path, ts, count, md, err, errlen);
}

int eng_weights_save(const EngGraph *g, const EngOptimizer *opt, const char *meta,
                     const char *path, char *err, size_t errlen) {
    if (!g || !path) return -1;
    int count = 0;
    for (int i = 0; i < eng_graph_node_count(g); i++) count += eng_graph_node(g, i)->n_params;
    EngTensor *ts = calloc((size_t)count + 2, sizeof *ts);
    cJSON *md = cJSON_CreateObject();
    if (!ts || !md) {
        free(ts);
        cJSON_Delete(md);
        eng_set_err(err, errlen, "weights: out of memory while saving %s", path);
        return -1;
    }
    int nt = 0;
    for (int i = 0; i < eng_graph_node_count(g); i++) {
        const EngNode *n = eng_graph_node(g, i);
        for (int k = 0; k < n->n_params; k++) {
            const EngParam *p = &n->params[k];
            EngTensor *t = &ts[nt++];
            snprintf(t->name, sizeof t->name, "%s.%s", n->name, p->suffix);
            t->ndim = p->ndim, t->data = p->data, t->n = p->n;
            for (int d = 0; d < p->ndim && d < 4; d++) t->dims[d] = p->dims[d];
        }
    }
    if (opt) {
        ts[nt++] = (EngTensor){OPT_PREFIX "m", 1, {(int64_t)opt->n}, opt->n, opt->m};
        if (opt->kind == ENG_OPT_ADAM)
            ts[nt++] = (EngTensor){OPT_PREFIX "v", 1, {(int64_t)opt->n}, opt->n, opt->v};
    }
    int bad = add_meta_text(md, meta) != 0;
    if (opt && !bad)
        bad = !cJSON_AddStringToObject(md, OPT_PREFIX "kind",
                                       opt->kind == ENG_OPT_ADAM ? "adam" : "sgd") ||
              add_meta_num(md, OPT_PREFIX "lr", "%.9g", opt->lr) ||
              add_meta_num(md, OPT_PREFIX "momentum", "%.9g", opt->momentum) ||
              add_meta_num(md, OPT_PREFIX "weight_decay", "%.9g", opt->weight_decay) ||
              add_meta_num(md, OPT_PREFIX "beta1", "%.9g", opt->beta1) ||
              add_meta_num(md, OPT_PREFIX "beta2", "%.9g", opt->beta2) ||
              add_meta_num(md, OPT_PREFIX "eps", "%.9g", opt->eps) ||
              add_meta_num(md, OPT_PREFIX "step", "%.0f", (double)opt->step);
    if (bad) {
        cJSON_Delete(md);
        md = NULL;
    }
    int rc = write_file(path, ts, nt, md, err, errlen);
    free(ts);
    return rc;
}

/* ---- reading ---------------------------------------------------------------------- */

/* A whole non-negative integer held exactly by a JSON number. */
static int json_u64(const cJSON *v, uint64_t *out) {
    if (!cJSON_IsNumber(v)) return 0;
    double d = v->valuedouble;
    if (!(d >= 0 && d <= 9007199254740992.0) || d != (double)(uint64_t)d) return 0;
    *out = (uint64_t)d;
    return 1;
}

static void get_floats(float *dst, const unsigned char *b, size_t n) {
    for (size_t i = 0; i < n; i++) {
        uint32_t u = (uint32_t)b[4 * i] | (uint32_t)b[4 * i + 1] << 8 |
                     (uint32_t)b[4 * i + 2] << 16 | (uint32_t)b[4 * i + 3] << 24;
        memcpy(&dst[i], &u, 4);
    }
}

static const char *md_str(const cJSON *md, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(md, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int md_float(const cJSON *md, const char *key, float *out) {
    const char *s = md_str(md, key);
    char *end;
    if (!s) return 0;
    errno = 0;
    float v = strtof(s, &end);
    if (end == s || *end || errno) return 0;
    *out = v;
    return 1;
}

static int cmp_span(const void *a, const void *b) {
    const uint64_t *x = a, *y = b;
    return x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : x[1] < y[1] ? -1 : x[1] > y[1];
}

/* One tensor of a parsed file: name, shape and where its bytes are. */
typedef struct {
    const char *name;
    int ndim;
    int64_t dims[4];
    size_t n;
    const unsigned char *bytes;
} Entry;

typedef struct {
    unsigned char *buf;
    cJSON *root;
    const cJSON *md; /* NULL when the file has none */
    Entry *e;
    int count;
} Parsed;

static void parsed_free(Parsed *p) {
    cJSON_Delete(p->root);
    free(p->e);
    free(p->buf);
    memset(p, 0, sizeof *p);
}

/* Checks one header entry; its data is [b, en) of a data section of data_len bytes. */
static int entry_span(const cJSON *e, Entry *out, uint64_t data_len, uint64_t *b, uint64_t *en) {
    const cJSON *dt = cJSON_GetObjectItemCaseSensitive(e, "dtype");
    const cJSON *sh = cJSON_GetObjectItemCaseSensitive(e, "shape");
    const cJSON *of = cJSON_GetObjectItemCaseSensitive(e, "data_offsets");
    if (!cJSON_IsObject(e) || !e->string || strlen(e->string) >= 160) return -1;
    if (!cJSON_IsString(dt) || strcmp(dt->valuestring, "F32") != 0) return -2;
    if (!cJSON_IsArray(sh) || !cJSON_IsArray(of) || cJSON_GetArraySize(of) != 2) return -1;
    int nd = cJSON_GetArraySize(sh);
    if (nd > 4) return -1;
    uint64_t count = 1;
    for (int d = 0; d < nd; d++) {
        uint64_t v;
        if (!json_u64(cJSON_GetArrayItem(sh, d), &v) || v > (1u << 30)) return -1;
        out->dims[d] = (int64_t)v;
        count *= v;
        if (count > (1ull << 32)) return -1;
    }
    out->name = e->string;
    out->ndim = nd;
    out->n = (size_t)count;
    if (!json_u64(cJSON_GetArrayItem(of, 0), b) || !json_u64(cJSON_GetArrayItem(of, 1), en) ||
        *b > *en || *en > data_len || *en - *b != count * 4)
        return -1;
    return 0;
}

/* Reads and validates a whole file: header, shapes, offsets tiling the data, hash. */
static int parse_file(const char *path, Parsed *p, char *err, size_t errlen) {
    memset(p, 0, sizeof *p);
    size_t size;
    char why[4400];
    if (eng_read_file(path, MAX_FILE, &p->buf, &size, why, sizeof why) != 0) {
        eng_set_err(err, errlen, "weights: %s", why);
        return -1;
    }
    uint64_t (*spans)[2] = NULL;
    uint64_t hl = 0;
    for (int b = 0; b < 8 && size >= 8; b++) hl |= (uint64_t)p->buf[b] << (8 * b);
    if (size < 10 || hl < 2 || hl > MAX_HEADER || hl > (uint64_t)size - 8 || p->buf[8] != '{') {
        eng_set_err(err, errlen,
                "weights: %s is not a safetensors file (bad header size, or truncated)", path);
        goto fail;
    }
    p->root = cJSON_ParseWithLength((const char *)p->buf + 8, (size_t)hl);
    if (!cJSON_IsObject(p->root)) {
        eng_set_err(err, errlen, "weights: %s: its header is not valid JSON", path);
        goto fail;
    }
    const unsigned char *data = p->buf + 8 + hl;
    uint64_t data_len = (uint64_t)size - 8 - hl;
    p->md = cJSON_GetObjectItemCaseSensitive(p->root, "__metadata__");
    if (p->md && !cJSON_IsObject(p->md)) {
        eng_set_err(err, errlen, "weights: %s: __metadata__ is not an object", path);
        goto fail;
    }
    int n = 0;
    for (const cJSON *e = p->root->child; e; e = e->next) n += e != p->md;
    p->e = calloc((size_t)n + 1, sizeof *p->e);
    spans = malloc(((size_t)n + 1) * sizeof *spans);
    if (!p->e || !spans) {
        eng_set_err(err, errlen, "weights: %s: out of memory", path);
        goto fail;
    }
    for (const cJSON *e = p->root->child; e; e = e->next) {
        if (e == p->md) continue;
        Entry *t = &p->e[p->count];
        uint64_t b, en;
        int r = entry_span(e, t, data_len, &b, &en);
        if (r != 0) {
            eng_set_err(err, errlen, r == -2
                    ? "weights: %s: tensor '%s' is not float32 (F32)"
                    : "weights: %s: tensor '%s' has a bad name, shape or data offsets (truncated?)",
                    path, e->string ? e->string : "?");
            goto fail;
        }
        t->bytes = data + b;
        spans[p->count][0] = b, spans[p->count][1] = en;
        p->count++;
    }
    /* the tensors must tile the data exactly: no holes, overlaps or extra bytes */
    qsort(spans, (size_t)p->count, sizeof *spans, cmp_span);
    uint64_t at = 0;
    for (int i = 0; i < p->count && at != UINT64_MAX; i++)
        at = spans[i][0] == at ? spans[i][1] : UINT64_MAX;
    if (at != data_len) {
        eng_set_err(err, errlen,
                "weights: %s: its tensors do not tile the %llu-byte data section (holes, overlaps "
                "or extra bytes)", path, (unsigned long long)data_len);
        goto fail;
    }
    const char *hx = p->md ? md_str(p->md, "fnv1a64") : NULL;
    if (hx) {
        char want[32];
        snprintf(want, sizeof want, "%016llx",
                 (unsigned long long)eng_fnv1a(ENG_FNV_SEED, data, (size_t)data_len));
        if (strcmp(hx, want) != 0) {
            eng_set_err(err, errlen, "weights: %s is corrupt (checksum mismatch)", path);
            goto fail;
        }
    }
    const char *mx = p->md ? md_str(p->md, META_HASH) : NULL;
    if (mx) {
        char want[32];
        snprintf(want, sizeof want, "%016llx", (unsigned long long)meta_hash(p->md));
        if (strcmp(mx, want) != 0) {
            eng_set_err(err, errlen, "weights: %s is corrupt (its metadata does not match its "
                        "checksum)", path);
            goto fail;
        }
    }
    free(spans);
    return 0;
fail:
    free(spans);
    parsed_free(p);
    return -1;
}

/* The metadata as "key=value" lines, without the optimizer's and the hash. */
static void meta_text(const cJSON *md, char *meta, size_t metalen) {
    if (!meta || !metalen) return;
    size_t used = 0;
    meta[0] = 0;
    for (const cJSON *e = md ? md->child : NULL; e; e = e->next) {
        if (!cJSON_IsString(e) || !strncmp(e->string, OPT_PREFIX, strlen(OPT_PREFIX)) ||
            !strcmp(e->string, "fnv1a64") || !strcmp(e->string, META_HASH))
            continue;
        int w = snprintf(meta + used, metalen - used, "%s=%s\n", e->string, e->valuestring);
        if (w < 0 || (size_t)w >= metalen - used) break;
        used += (size_t)w;
    }
    meta[used] = 0;
}

int eng_tensors_load(const char *path, EngTensor **ts, int *count, char *meta, size_t metalen,
                     char *err, size_t errlen) {
    if (!path || !ts || !count) return -1;
    *ts = NULL, *count = 0;
    Parsed p;
    if (parse_file(path, &p, err, errlen) != 0) return -1;
    EngTensor *out = calloc((size_t)p.count + 1, sizeof *out);
    int ok = out != NULL;
    for (int i = 0; ok && i < p.count; i++) {
        EngTensor *t = &out[i];
        snprintf(t->name, sizeof t->name, "%s", p.e[i].name);
        t->ndim = p.e[i].ndim;
        memcpy(t->dims, p.e[i].dims, sizeof t->dims);
        t->n = p.e[i].n;
        t->data = malloc(t->n ? t->n * sizeof(float) : 1);
        if (!t->data) ok = 0;
        else get_floats(t->data, p.e[i].bytes, t->n);
    }
    if (!ok) {
        eng_tensors_free(out, p.count);
        parsed_free(&p);
        eng_set_err(err, errlen, "weights: %s: out of memory", path);
        return -1;
    }
    meta_text(p.md, meta, metalen);
    *ts = out, *count = p.count;
    parsed_free(&p);
    return 0;
}

void eng_tensors_free(EngTensor *ts, int count) {
    for (int i = 0; ts && i < count; i++) free(ts[i].data);
    free(ts);
}

static EngParam *find_param(EngGraph *g, const char *name, int *index) {
    int idx = 0;
    for (int i = 0; i < eng_graph_node_count(g); i++) {
        EngNode *n = eng_graph_node_mut(g, i);
        size_t nl = strlen(n->name);
        if (strncmp(name, n->name, nl) != 0 || name[nl] != '.') {
            idx += n->n_params;
            continue;
        }
        for (int k = 0; k < n->n_params; k++)
            if (!strcmp(name + nl + 1, n->params[k].suffix)) {
                *index = idx + k;
                return &n->params[k];
            }
        idx += n->n_params;
    }
    return NULL;
}

/* Checks p's optimizer state against the run's optimizer; copies it into opt if `copy`. */
static int load_optimizer(const Parsed *p, const Entry *om, const Entry *ov, EngOptimizer *opt,
                          int copy) {
    const char *kind = md_str(p->md, OPT_PREFIX "kind");
    const char *step = md_str(p->md, OPT_PREFIX "step");
    int k = kind && !strcmp(kind, "adam") ? ENG_OPT_ADAM
            : kind && !strcmp(kind, "sgd") ? ENG_OPT_SGD
                                           : -1;
    if (k != (int)opt->kind || om->ndim != 1 || om->n != opt->n || !step) return -1;
    if (k == ENG_OPT_ADAM && (!ov || ov->ndim != 1 || ov->n != opt->n)) return -1;
    float hp[6];
    static const char *keys[6] = {"lr", "momentum", "weight_decay", "beta1", "beta2", "eps"};
    for (int i = 0; i < 6; i++) {
        char key[64];
        snprintf(key, sizeof key, OPT_PREFIX "%s", keys[i]);
        if (!md_float(p->md, key, &hp[i])) return -1;
    }
    /* lr, momentum, weight decay >= 0; betas in [0, 1); eps > 0; all finite
     * (an eps of inf or 0 would turn every update into 0 or a division by 0) */
    if (!(hp[0] >= 0 && hp[0] < 1e6f) || !(hp[1] >= 0 && hp[1] < 1) || !(hp[2] >= 0 && hp[2] < 1e6f) ||
        !(hp[3] >= 0 && hp[3] < 1) || !(hp[4] >= 0 && hp[4] < 1) || !(hp[5] > 0 && hp[5] < 1))
        return -2;
    long long st;
    if (!eng_parse_i64(step, 0, (long long)1 << 53, &st)) return -2;
    if (!copy) return 0;
    opt->lr = hp[0], opt->momentum = hp[1], opt->weight_decay = hp[2];
    opt->beta1 = hp[3], opt->beta2 = hp[4], opt->eps = hp[5];
    opt->step = st;
    get_floats(opt->m, om->bytes, opt->n);
    if (k == ENG_OPT_ADAM) get_floats(opt->v, ov->bytes, opt->n);
    return 0;
}

int eng_weights_load(EngGraph *g, EngOptimizer *opt, const char *path, char *meta, size_t metalen,
                     char *err, size_t errlen) {
    if (!g || !path) return -1;
    Parsed p;
    if (parse_file(path, &p, err, errlen) != 0) return -1;
    int rc = -1, expected = 0, found = 0;
    char *seen = NULL;
    EngParam **where = NULL;
    if (eng_graph_alloc_params(g) != 0) {
        eng_set_err(err, errlen, "weights: cannot allocate the parameters for %s", path);
        goto done;
    }
    for (int i = 0; i < eng_graph_node_count(g); i++) expected += eng_graph_node(g, i)->n_params;
    seen = calloc((size_t)expected + 1, 1);
    where = calloc((size_t)p.count + 1, sizeof *where); /* each entry's parameter, once found */
    if (!seen || !where) goto done;
    /* every tensor is checked before any value is copied: nothing is half-loaded */
    const Entry *om = NULL, *ov = NULL;
    for (int i = 0; i < p.count; i++) {
        const Entry *e = &p.e[i];
        if (!strcmp(e->name, OPT_PREFIX "m") || !strcmp(e->name, OPT_PREFIX "v")) {
            if (e->name[strlen(OPT_PREFIX)] == 'm') om = e;
            else ov = e;
            continue;
        }
        int idx = 0;
        EngParam *prm = find_param(g, e->name, &idx);
        if (!prm) {
            eng_set_err(err, errlen, "weights: %s: tensor '%s' is not a parameter of this model",
                    path, e->name);
            goto done;
        }
        int same = e->ndim == prm->ndim;
        for (int d = 0; same && d < e->ndim; d++) same = e->dims[d] == prm->dims[d];
        if (!same) {
            eng_set_err(err, errlen, "weights: %s: tensor '%s' has another shape than the model's",
                    path, e->name);
            goto done;
        }
        if (seen[idx]) {
            eng_set_err(err, errlen, "weights: %s: tensor '%s' appears twice", path, e->name);
            goto done;
        }
        seen[idx] = 1;
        where[i] = prm;
        found++;
    }
    if (found != expected) {
        eng_set_err(err, errlen, "weights: %s holds %d of the model's %d parameter tensors", path,
                found, expected);
        goto done;
    }
    int orc = opt && om ? load_optimizer(&p, om, ov, opt, 0) : 0;
    if (orc != 0) {
        eng_set_err(err, errlen, orc == -2
                ? "weights: %s: its optimizer's settings are out of range (a learning rate, "
                  "momentum, beta, eps or step that no run writes)"
                : "weights: %s: its optimizer state does not match this run (another optimizer or "
                  "model)", path);
        goto done;
    }
    for (int i = 0; i < p.count; i++)
        if (where[i]) get_floats(where[i]->data, p.e[i].bytes, where[i]->n);
    if (opt && om) load_optimizer(&p, om, ov, opt, 1);
    meta_text(p.md, meta, metalen);
    rc = 0;
done:
    free(seen);
    free(where);
    parsed_free(&p);
    return rc;
}
