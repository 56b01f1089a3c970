/*
 * eng_onnx.c — ONNX models in (export: eng_onnx_export.c); with it, the only
 * files that see protobuf-c.
 *
 * Import maps an ONNX graph (opsets 1 to 17) onto engine nodes: one engine
 * node per ONNX node that computes, named after it, so the visualizer shows
 * the file's own layer names. Tensors are NCHW; the engine keeps per-sample
 * (C, H, W) and a batch N, so an ONNX tensor is tracked with its rank, and
 * its shape maps onto the engine in one of two ways, chosen per graph:
 *  - batch mode (the usual one): ONNX axis 0 is N and a sample is the rest,
 *    ones filling what the rank lacks: rank 4 (N, C, H, W) is (C, H, W),
 *    rank 3 (N, C, L) is (C, L, 1), rank 2 (N, K) is (K, 1, 1) (a fully
 *    connected layer's output), rank 1 (N) is (1, 1, 1). Every CNN runs so.
 *  - one sample: a node that computes across axis 0 (a Gemm with transA or a
 *    matrix C adding another row to each sample, a softmax over axis 0, a
 *    flatten at an axis other than 1, a reshape or concat that moves data
 *    across axis 0, a constant operand that differs from sample to sample)
 *    cannot run on separate samples. When the caller gave the input's full
 *    shape (eng_onnx_load_shaped, as the backend tests do), the load starts
 *    again with N = 1 and the whole tensor as one sample: rank 1 (D0) is
 *    (D0, 1, 1), rank 2 (D0, D1, 1), rank 3 (D0, D1, D2), rank 4
 *    (D0*D1, D2, D3); each tensor keeps its ONNX shape beside it, and only
 *    the ops that read that shape (elementwise ones, Softmax, Flatten,
 *    Reshape, Concat, Gemm, PRelu, Add, Sum, Mul, MaxUnpool) are allowed, the
 *    others needing true (C, H, W) maps. A graph with no data input (its
 *    outputs made from constants) is one sample from the start.
 * The memory is the same either way (row-major, NCHW is ONNX's order), so a
 * reshape only changes how the engine reads a sample. Constant operands are
 * broadcast (numpy rules) to a sample's shape at load: an Add, Sub, Mul or
 * Div by a constant is an affine node with one shift or scale per unit, a PRelu slope
 * that is not shared or per channel one slope per unit, a constant joined by a
 * Concat a constant node, the same in every sample.
 * Shape-only subgraphs exporters emit for a flatten (Shape, Gather,
 * Unsqueeze, Concat, Cast, Constant, ConstantOfShape feeding Reshape) are
 * evaluated at load time, since the input shape is known. Softmax written out
 * as ONNX's function body for it (ReduceMax, Sub, Exp, ReduceSum, Div) is
 * one softmax node, a layer norm written out (ReduceMean, Sub, Pow, ReduceMean,
 * Add, Sqrt, Div, Mul, Add: PyTorch below opset 17) one layer norm node; a
 * ReduceMean over H and W a global average pool. Any other elementwise op
 * (Sub, Div, Pow of two computed tensors, numpy broadcasting, Exp, Erf...)
 * and reduction is one node of the engine's general kinds (ENG_OP_UNARY,
 * ENG_OP_BINARY, ENG_OP_REDUCE). MatMul by a constant matrix is a weighted
 * node (FC, or matmul with the constant as its weights); of two computed
 * tensors (attention's Q K^T) the general product ENG_OP_BMM.
 *
 * A model file is untrusted input (a file from the internet may be damaged or
 * made to hurt), so every limit is checked before it is used:
 *  - memory: protobuf-c decodes through an allocator with a budget, and the
 *    tensors the loader makes (constants, parameters) share a second budget;
 *    both scale with the file's size, since honest weights come from the
 *    file. Activations of one sample are capped at MAX_ACT_BYTES.
 *  - sizes: every tensor's byte count is checked against its dims, every dim
 *    and element-count product is overflow-checked, every int64 from the file
 *    is range-checked before it becomes an int.
 *  - structure: at most MAX_NODES nodes, names looked up in hash tables; a
 *    value is defined once (initializers, graph inputs and node outputs share
 *    one namespace, as in ONNX's SSA form); every node input must already
 *    exist (no cycles, nothing dangling).
 *  - attributes: of the right type, each at most once, in range.
 *  - external data (weights kept in files beside the model, as onnx.save
 *    with save_as_external_data writes them): only files inside the model's
 *    folder (a relative location, no "..", no symbolic link out of it), a
 *    regular file, offset and length inside it and equal to what the
 *    tensor's dims need; each file's size adds once to the tensor budget.
 * The operators are one table (OPS, "the operator table" below): a row per
 * ONNX op with its name, the opsets it is converted at, its flags (whether
 * it runs in one-sample mode), its converter (the op on a computed tensor),
 * its folder (evaluated at load when its input is a constant) and how the
 * supported-ops message lists it; the message is made from the table. An
 * unsupported op stops the load with its name, type and opset. Nothing is
 * half-loaded: on error the graph is freed and NULL returned with a message.
 *
 * Must not depend on: SDL or anything that draws.
 */
/* realpath() for external data files is an X/Open function in glibc's headers */
#define _XOPEN_SOURCE 700
#include "eng.h"

#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "onnx.pb-c.h"

#define MAX_FILE ((size_t)2 << 30)
/* The ai.onnx opsets a model may import. */
#define OPSET_MIN 1
#define OPSET_MAX 17
#define MAX_RANK 8
/* ONNX nodes in one graph: the largest classic CNNs have a few thousand. */
#define MAX_NODES 20000
/* Attributes of one node (a Conv has 6), inputs of one Add/Sum or Concat. */
#define MAX_ATTRS 64
#define MAX_MERGE 256
/* The engine's own limits (eng_graph.c): a spatial size or channel count,
 * and a kernel side. */
#define MAX_DIM (1 << 24)
#define MAX_KERNEL 1024
#define MAX_WINDOW 4096 /* pooling windows, strides, dilations, pads */
/* Activations of one sample, every node's output together (VGG-16 at
 * 224x224 needs 60 MB, at 1024x1024 1.3 GB). */
#define MAX_ACT_BYTES ((int64_t)4 << 30)
/* Memory a file may make the loader allocate: len * factor + slack.
 * Decoding: a message costs more in memory than on the wire (an empty node
 * is 2 bytes in the file, over 100 in memory). Tensors: float16 and int32
 * data widen on the way in, and the parameters are a copy of the constants;
 * an honest file needs at most twice its size for each, four times in all. */
#define DECODE_FACTOR 16
#define DECODE_SLACK ((size_t)64 << 20)
#define TENSOR_FACTOR 4
#define TENSOR_SLACK ((size_t)4 << 20)

/* ---- names: open-addressing hash tables (FNV-1a) ------------------------------------- */

typedef struct {
    char *name; /* owned; NULL: empty slot */
    int kind;   /* VAL_CONST / VAL_ACT for values, a counter for name roots */
    int idx;
} Slot;

typedef struct {
    Slot *slots;
    size_t cap, count; /* cap: a power of two, kept at least twice count */
} Names;

enum { VAL_CONST = 1, VAL_ACT = 2 };

static uint64_t hash_str(const char *s) {
    return eng_fnv1a(ENG_FNV_SEED, s, strlen(s));
}

static Slot *names_slot(const Names *t, const char *name) {
    if (!t->cap) return NULL;
    size_t m = t->cap - 1, i = (size_t)hash_str(name) & m;
    while (t->slots[i].name && strcmp(t->slots[i].name, name)) i = (i + 1) & m;
    return &t->slots[i];
}

static Slot *names_get(const Names *t, const char *name) {
    Slot *s = names_slot(t, name);
    return s && s->name ? s : NULL;
}

/* Insert a name that is not in the table; NULL when out of memory. */
static Slot *names_add(Names *t, const char *name, int kind, int idx) {
    if (2 * (t->count + 1) > t->cap) {
        size_t nc = t->cap ? 2 * t->cap : 64;
        Slot *ns = calloc(nc, sizeof *ns);
        if (!ns) return NULL;
        Names bigger = {ns, nc, t->count};
        for (size_t k = 0; k < t->cap; k++)
            if (t->slots[k].name) *names_slot(&bigger, t->slots[k].name) = t->slots[k];
        free(t->slots);
        *t = bigger;
    }
    Slot *s = names_slot(t, name);
    s->name = strdup(name);
    if (!s->name) return NULL;
    s->kind = kind, s->idx = idx;
    t->count++;
    return s;
}

static void names_free(Names *t) {
    for (size_t k = 0; k < t->cap; k++) free(t->slots[k].name);
    free(t->slots);
    memset(t, 0, sizeof *t);
}

/* ---- constants (initializers, Constant nodes, folded shape arithmetic) ---------------- */

typedef struct {
    int ndim;
    int64_t dims[MAX_RANK];
    size_t n;        /* elements: the product of dims */
    float *f;        /* float data (float32/16/64 converted) or NULL */
    int64_t *i;      /* integer data (int64/int32) or NULL */
} Const;

/* ---- load state --------------------------------------------------------------------------- */

typedef struct {
    int node;        /* engine node id */
    int rank;        /* 4: (N, C, H, W); 3: (N, C, L) as (C, L, 1); 2: (N, K); 1: (N) */
    int64_t dims[4]; /* one-sample mode: the ONNX shape (see the banner) */
    int merged;      /* a 5-D tensor kept with axes 1 and 2 as one (reshape5_transpose) */
} Act;

typedef struct {
    int node, param;
    const float *src; /* into a Const */
    size_t src_n;
    int transpose_rows, transpose_cols; /* > 0: src is (rows, cols), store transposed */
    float scale;
} Pending;

typedef struct {
    EngGraph *g;
    const char *file;  /* for messages */
    const char *dir;   /* the model's folder (external data files live there), or NULL */
    int opset;
    int64_t batch;     /* the data input's batch size as the file declares it, 0 if symbolic */
    Names values;      /* ONNX value names -> consts[] or acts[] */
    Names eng_names;   /* engine node names given so far */
    Names roots;       /* a name's first 80 characters; kind: the next "_<k>" to try */
    Names ext_files;   /* external data files read so far (real paths): each adds to the budget once */
    Const *consts;
    int n_consts, cap_consts;
    Act *acts;
    int n_acts, cap_acts;
    Pending *pend;
    int n_pend, cap_pend;
    size_t budget;     /* bytes of tensors the loader may still allocate */
    int64_t act_bytes; /* activations of one sample so far */
    int64_t in_dims[4]; /* the data input's full shape, when the caller gave it */
    int in_ndim;        /* 0: only (C, H, W) given */
    int one_sample;     /* the whole ONNX tensor is one engine sample (batch 1) */
    int no_input;       /* the caller gives no data input: a graph of constants */
    int wants_one_sample; /* a node mixes the batch: load again with one_sample */
    EngOnnxRun run;       /* the graph outputs' engine nodes */
    const Onnx__GraphProto *gp; /* the graph being loaded */
    uint8_t *fused;       /* per node of gp: taken into an earlier node (Softmax's expansion) */
    Names readers;        /* value -> kind: times read (a graph output counts 2), idx: a reader */
    int have_readers;
    char *err;
    size_t errlen;
} Loader;

#define FAIL(...)                                                                            \
    do {                                                                                     \
        eng_set_err(L->err, L->errlen, __VA_ARGS__);                                        \
        return -1;                                                                           \
    } while (0)

static const char *unique_name(Loader *L, const char *base, char *buf, size_t n);
/* (the general elementwise ops, defined with their kin below) */
typedef struct NodeCtxTag NodeCtx;
static int binary_node(Loader *L, const NodeCtx *c, int kind);
static int named_nodes_fit(Loader *L, const NodeCtx *c);
static int reduce_node(Loader *L, const NodeCtx *c, int kind);
static int scalar_arith_node(Loader *L, const NodeCtx *c);

static int oom(Loader *L, const char *what) {
    FAIL("ONNX: out of memory %s", what);
}

static void *grow(void *p, int *cap, int need, size_t elem) {
    if (need <= *cap) return p;
    int nc = *cap ? *cap * 2 : 32;
    while (nc < need) nc *= 2;
    void *q = realloc(p, (size_t)nc * elem);
    if (q) *cap = nc;
    return q;
}

/* Tensor memory comes out of the loader's budget: a file cannot make it
 * allocate much more than the file holds. */
static void *budget_alloc(Loader *L, size_t n, size_t elem, const char *what) {
    size_t bytes;
    if (!eng_mul_size(&bytes, n ? n : 1, elem) || bytes > L->budget) {
        eng_set_err(L->err, L->errlen,
                    "ONNX: %s: tensor '%s' needs %zu elements, more than the file's size allows "
                    "(%zu MiB left); the file is damaged or hostile", L->file, what, n,
                    L->budget >> 20);
        return NULL;
    }
    void *p = malloc(bytes);
    if (!p) {
        oom(L, what);
        return NULL;
    }
    L->budget -= bytes;
    return p;
}

static Const *find_const(Loader *L, const char *name) {
    Slot *s = names_get(&L->values, name);
    return s && s->kind == VAL_CONST ? &L->consts[s->idx] : NULL;
}
static Act *find_act(Loader *L, const char *name) {
    Slot *s = names_get(&L->values, name);
    return s && s->kind == VAL_ACT ? &L->acts[s->idx] : NULL;
}

/* A value name that is not defined yet (SSA: each value is defined once). */
static int check_new_value(Loader *L, const char *name, const char *what) {
    if (!name || !name[0]) FAIL("ONNX: %s: %s has no name", L->file, what);
    if (names_get(&L->values, name))
        FAIL("ONNX: %s: %s '%s' is defined twice (a value has one producer)", L->file, what, name);
    return 0;
}

/* A new constant; name NULL: anonymous (not visible to nodes). */
static Const *add_const(Loader *L, const char *name) {
    void *p = grow(L->consts, &L->cap_consts, L->n_consts + 1, sizeof *L->consts);
    if (!p) {
        oom(L, "adding a constant");
        return NULL;
    }
    L->consts = p;
    Const *c = &L->consts[L->n_consts];
    memset(c, 0, sizeof *c);
    if (name && !names_add(&L->values, name, VAL_CONST, L->n_consts)) {
        oom(L, "adding a constant");
        return NULL;
    }
    L->n_consts++;
    return c;
}

/* dims: the ONNX shape in one-sample mode (NULL otherwise). */
static int add_act(Loader *L, const char *name, int node, int rank, const int64_t *dims) {
    Act a = {node, rank, {0, 0, 0, 0}, 0}; /* dims may point into acts[], which may move */
    if (dims) memcpy(a.dims, dims, (size_t)rank * sizeof *dims);
    void *p = grow(L->acts, &L->cap_acts, L->n_acts + 1, sizeof *L->acts);
    if (!p) return oom(L, "adding a tensor");
    L->acts = p;
    if (!names_add(&L->values, name, VAL_ACT, L->n_acts)) return oom(L, "adding a tensor");
    L->acts[L->n_acts++] = a;
    return 0;
}

static int add_pending(Loader *L, int node, int param, const Const *src, int rows, int cols,
                       float scale) {
    void *p = grow(L->pend, &L->cap_pend, L->n_pend + 1, sizeof *L->pend);
    if (!p) return oom(L, "adding a parameter");
    L->pend = p;
    L->pend[L->n_pend++] = (Pending){node, param, src->f, src->n, rows, cols, scale};
    return 0;
}

static float half_to_float(uint16_t h) {
    uint32_t sign = (uint32_t)(h >> 15) << 31, exp = (h >> 10) & 0x1f, man = h & 0x3ff, u;
    if (exp == 0) {
        if (man == 0) u = sign;
        else { /* subnormal */
            exp = 127 - 15 + 1;
            while (!(man & 0x400)) man <<= 1, exp--;
            u = sign | exp << 23 | (man & 0x3ff) << 13;
        }
    } else if (exp == 31) {
        u = sign | 0x7f800000u | man << 13;
    } else {
        u = sign | (exp - 15 + 127) << 23 | man << 13;
    }
    float f;
    memcpy(&f, &u, 4);
    return f;
}

static size_t file_budget(size_t len, size_t factor, size_t slack);

/* A decimal count from an external_data entry: digits only, no overflow. */
static int parse_count(const char *s, uint64_t *v) {
    if (!s || !*s) return 0;
    uint64_t x = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || x > (UINT64_MAX - 9) / 10) return 0;
        x = x * 10 + (uint64_t)(*s - '0');
    }
    *v = x;
    return 1;
}

/* The external_data entries location, offset and length (NULL when left
 * out); the location must name a file inside the model's folder. */
static int external_entries(Loader *L, const Onnx__TensorProto *t, const char *name,
                            const char **loc_out, const char **off_out, const char **len_out) {
    const char *loc = NULL, *off_s = NULL, *len_s = NULL;
    for (size_t k = 0; k < t->n_external_data; k++) {
        const char *key = t->external_data[k]->key ? t->external_data[k]->key : "";
        const char *val = t->external_data[k]->value ? t->external_data[k]->value : "";
        const char **slot = !strcmp(key, "location") ? &loc
                            : !strcmp(key, "offset") ? &off_s
                            : !strcmp(key, "length") ? &len_s
                                                     : NULL;
        if (!slot) continue; /* checksum, or an entry of a later version */
        if (*slot) FAIL("ONNX: %s: tensor '%s': external data entry '%s' is given twice", L->file, name, key);
        *slot = val;
    }
    if (!loc || !loc[0])
        FAIL("ONNX: %s: tensor '%s' keeps its data in an external file but names none (no "
             "location); the file is damaged", L->file, name);
    if (!L->dir)
        FAIL("ONNX: %s: tensor '%s' keeps its data in an external file ('%.200s'), which is read "
             "only when the model is opened by its path", L->file, name, loc);
    /* inside the model's folder: relative, '/'-separated, never up */
    int up = 0;
    for (const char *c = loc; *c;) {
        const char *e = strchr(c, '/');
        size_t l = e ? (size_t)(e - c) : strlen(c);
        if (l == 2 && c[0] == '.' && c[1] == '.') up = 1;
        c += l + (e ? 1 : 0);
    }
    if (loc[0] == '/' || strchr(loc, '\\') || strlen(loc) > 1024 || up)
        FAIL("ONNX: %s: tensor '%s': external file '%.200s' is outside the model's folder (external "
             "data must be a relative path inside it, without '..'); the file is damaged or hostile",
             L->file, name, loc);
    *loc_out = loc, *off_out = off_s, *len_out = len_s;
    return 0;
}

/* The external file loc, opened read-only into *fd (its size in *size, its
 * real path in real_file), unless a symbolic link (the file or a folder on
 * its way) leads out of the model's folder or it is not a regular file. */
static int open_external(Loader *L, const char *name, const char *loc, int *fd_out, uint64_t *size,
                         char *real_file) {
    char joined[PATH_MAX], real_dir[PATH_MAX];
    if (snprintf(joined, sizeof joined, "%s/%s", L->dir, loc) >= (int)sizeof joined)
        FAIL("ONNX: %s: tensor '%s': the external file's path is too long", L->file, name);
    if (!realpath(L->dir, real_dir) || !realpath(joined, real_file))
        FAIL("ONNX: %s: tensor '%s': cannot open external file '%.200s': %s", L->file, name, loc,
             strerror(errno));
    size_t dl = strlen(real_dir);
    if (dl > 1 && strcmp(real_file, real_dir) && (strncmp(real_file, real_dir, dl) || real_file[dl] != '/'))
        FAIL("ONNX: %s: tensor '%s': external file '%.200s' is a symbolic link out of the model's "
             "folder; the file is damaged or hostile", L->file, name, loc);
    char why[4400];
    int64_t sz = 0;
    int fd = eng_open_input(real_file, 1, &sz, why, sizeof why);
    if (fd < 0)
        FAIL("ONNX: %s: tensor '%s': external file '%.200s' is not a readable file: %s", L->file,
             name, loc, why);
    *fd_out = fd, *size = (uint64_t)sz;
    return 0;
}

/* The `need` bytes of a tensor kept in an external file (data_location =
 * EXTERNAL; external_data: location, offset, length, checksum) into *out
 * (malloc'ed). The file comes from the internet with the model, so its
 * location must stay inside the model's folder and offset + length inside
 * the file, with length what the dims say. */
static int read_external(Loader *L, const Onnx__TensorProto *t, const char *name, size_t need,
                         uint8_t **out) {
    const char *loc, *off_s, *len_s;
    *out = NULL;
    if (external_entries(L, t, name, &loc, &off_s, &len_s)) return -1;
    uint64_t off = 0, len = 0;
    if (off_s && !parse_count(off_s, &off))
        FAIL("ONNX: %s: tensor '%s': external data offset '%.40s' is not a byte count", L->file, name, off_s);
    if (len_s && !parse_count(len_s, &len))
        FAIL("ONNX: %s: tensor '%s': external data length '%.40s' is not a byte count", L->file, name, len_s);
    if (len_s && len != need)
        FAIL("ONNX: %s: tensor '%s': external data length %llu, but its shape needs %zu bytes; the "
             "file is damaged or hostile", L->file, name, (unsigned long long)len, need);
    char real_file[PATH_MAX];
    int fd;
    uint64_t size;
    if (open_external(L, name, loc, &fd, &size, real_file)) return -1;
    const char *bad = NULL;
    if (off > size) bad = "its offset is past the end";
    else if (len_s && len > size - off) bad = "its length runs past the end";
    else if (!len_s && size - off != need) bad = "the bytes from its offset to the end are not what its shape needs";
    if (bad) {
        close(fd);
        FAIL("ONNX: %s: tensor '%s': external file '%.200s' holds %llu bytes; %s (offset %llu, "
             "%zu bytes needed); the file is damaged or hostile", L->file, name, loc,
             (unsigned long long)size, bad, (unsigned long long)off, need);
    }
    /* the weights in that file are the model's too: the tensor budget grows by its size, once */
    if (!names_get(&L->ext_files, real_file)) {
        if (!names_add(&L->ext_files, real_file, 0, 0)) {
            close(fd);
            return oom(L, "reading external data");
        }
        size_t extra = file_budget(size > SIZE_MAX ? SIZE_MAX : (size_t)size, TENSOR_FACTOR, 0);
        L->budget = extra > SIZE_MAX - L->budget ? SIZE_MAX : L->budget + extra;
    }
    uint8_t *buf = malloc(need ? need : 1);
    if (!buf) {
        close(fd);
        return oom(L, "reading external data");
    }
    size_t got = 0;
    while (got < need) {
        ssize_t r = pread(fd, buf + got, need - got, (off_t)(off + got));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        got += (size_t)r;
    }
    close(fd);
    if (got != need) {
        free(buf);
        FAIL("ONNX: %s: tensor '%s': reading external file '%.200s' failed", L->file, name, loc);
    }
    *out = buf;
    return 0;
}

/* A tensor's n values, from its raw bytes rd or else its typed field, into f
 * (float types) or iv (integer ones). */
static void tensor_values(const Onnx__TensorProto *t, int type, const uint8_t *rd, size_t n, float *f,
                          int64_t *iv) {
    for (size_t k = 0; k < n; k++) {
        switch (type) {
        case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT:
            if (rd) memcpy(&f[k], rd + 4 * k, 4);
            else f[k] = t->float_data[k];
            break;
        case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT16: {
            uint16_t h;
            if (rd) memcpy(&h, rd + 2 * k, 2);
            else h = (uint16_t)t->int32_data[k];
            f[k] = half_to_float(h);
            break;
        }
        case ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE: {
            double v;
            if (rd) memcpy(&v, rd + 8 * k, 8);
            else v = t->double_data[k];
            /* out of float's range: infinity, as a float32 export would hold */
            f[k] = isnan(v) ? NAN : v > FLT_MAX ? INFINITY : v < -FLT_MAX ? -INFINITY : (float)v;
            break;
        }
        case ONNX__TENSOR_PROTO__DATA_TYPE__INT64:
            if (rd) memcpy(&iv[k], rd + 8 * k, 8);
            else iv[k] = t->int64_data[k];
            break;
        case ONNX__TENSOR_PROTO__DATA_TYPE__BOOL: /* one byte raw, else int32_data */
            iv[k] = (rd ? rd[k] : t->int32_data[k]) != 0;
            break;
        default: {
            int32_t v;
            if (rd) memcpy(&v, rd + 4 * k, 4);
            else v = t->int32_data[k];
            iv[k] = v;
        }
        }
    }
}

/* A TensorProto into a new Const named `name`, checking every size. */
static int tensor_to_const(Loader *L, const Onnx__TensorProto *t, const char *key) {
    /* key NULL: an anonymous constant (e.g. an attribute's value), named in messages by
     * its own name */
    const char *name = key ? key : t->name && t->name[0] ? t->name : "value";
    if (t->n_dims > MAX_RANK)
        FAIL("ONNX: tensor '%s' has rank %zu (at most %d)", name, t->n_dims, MAX_RANK);
    size_t n = 1;
    for (size_t d = 0; d < t->n_dims; d++)
        if (t->dims[d] < 0 || t->dims[d] > INT32_MAX)
            FAIL("ONNX: tensor '%s' has an invalid or huge shape (dim %zu is %lld)", name, d,
                 (long long)t->dims[d]);
    /* every dimension fits: a shape too large is the product's fault, not one dimension's */
    for (size_t d = 0; d < t->n_dims; d++)
        if (!eng_mul_size(&n, n, (size_t)t->dims[d]) || n > ((size_t)1 << 31)) {
            char shape[160] = "";
            for (size_t k = 0, used = 0; k < t->n_dims && used < sizeof shape; k++)
                used += (size_t)snprintf(shape + used, sizeof shape - used, "%s%lld", k ? "x" : "",
                                         (long long)t->dims[k]);
            FAIL("ONNX: tensor '%s' has an invalid or huge shape (%s: more than 2^31 elements)",
                 name, shape);
        }
    const int external = t->has_data_location && t->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL;
    int type = t->has_data_type ? t->data_type : 0;
    size_t esz = type == ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT     ? 4
                 : type == ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT16 ? 2
                 : type == ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE  ? 8
                 : type == ONNX__TENSOR_PROTO__DATA_TYPE__INT64   ? 8
                 : type == ONNX__TENSOR_PROTO__DATA_TYPE__INT32   ? 4
                 : type == ONNX__TENSOR_PROTO__DATA_TYPE__BOOL    ? 1
                                                                  : 0;
    if (!esz)
        FAIL("ONNX: tensor '%s' has data type %d; supported: float, float16, double, int64, int32, "
             "bool", name, type);
    /* the data must be all there before anything is allocated for it */
    const uint8_t *rd = t->has_raw_data && t->raw_data.len ? t->raw_data.data : NULL;
    size_t raw = rd ? t->raw_data.len : 0;
    uint8_t *ext = NULL; /* the bytes from an external file */
    if (external) {
        if (rd) FAIL("ONNX: %s: tensor '%s' has both raw data and an external file", L->file, name);
        if (read_external(L, t, name, n * esz, &ext) != 0) return -1;
        rd = ext, raw = n * esz;
    }
    if (rd && raw != n * esz)
        FAIL("ONNX: tensor '%s': %zu bytes of data for %zu elements of %zu bytes", name, raw, n, esz);
    size_t have = rd ? n
                 : type == ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT   ? t->n_float_data
                 : type == ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT16 ? t->n_int32_data
                 : type == ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE  ? t->n_double_data
                 : type == ONNX__TENSOR_PROTO__DATA_TYPE__INT64   ? t->n_int64_data
                                                                  : t->n_int32_data;
    if (have != n) FAIL("ONNX: tensor '%s' holds %zu values, its shape needs %zu", name, have, n);
    int is_int = type == ONNX__TENSOR_PROTO__DATA_TYPE__INT64 || type == ONNX__TENSOR_PROTO__DATA_TYPE__INT32 ||
                 type == ONNX__TENSOR_PROTO__DATA_TYPE__BOOL;
    float *f = NULL;
    int64_t *iv = NULL;
    if (is_int) iv = budget_alloc(L, n, sizeof *iv, name);
    else f = budget_alloc(L, n, sizeof *f, name);
    if (!iv && !f) {
        free(ext);
        return -1;
    }
    tensor_values(t, type, rd, n, f, iv);
    free(ext);
    Const *c = add_const(L, key);
    if (!c) {
        free(f), free(iv);
        return -1;
    }
    c->ndim = (int)t->n_dims;
    for (int d = 0; d < c->ndim; d++) c->dims[d] = t->dims[d];
    c->n = n, c->f = f, c->i = iv;
    return 0;
}

/* ---- attributes ------------------------------------------------------------------------ */

struct NodeCtxTag {
    const Onnx__NodeProto *n;
    const char *name;   /* engine name */
    char op[64];
    size_t index;       /* in the graph's node list */
    int one_d;          /* a 1-D convolution or pooling, run as 2-D of width 1 */
};

/* A node's attribute by name (a node looked at ahead of its turn, by a pattern,
 * has not been checked yet: an attribute may lack its name). */
static const Onnx__AttributeProto *attr(const Onnx__NodeProto *n, const char *name) {
    for (size_t k = 0; k < n->n_attribute; k++)
        if (n->attribute[k]->name && !strcmp(n->attribute[k]->name, name)) return n->attribute[k];
    return NULL;
}

/* The attribute's type: its declared one, or (files that leave it out) the
 * kind of value it holds. */
static int attr_type(const Onnx__AttributeProto *a) {
    if (a->has_type) return (int)a->type;
    if (a->has_i) return ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT;
    if (a->has_f) return ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT;
    if (a->has_s) return ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING;
    if (a->t) return ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR;
    if (a->n_ints) return ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS;
    if (a->n_floats) return ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS;
    return ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__UNDEFINED;
}

static const Onnx__AttributeProto *attr_of(Loader *L, const NodeCtx *c, const char *name, int type,
                                           const char *type_name, int *bad) {
    const Onnx__AttributeProto *a = attr(c->n, name);
    *bad = 0;
    if (a && attr_type(a) != type) {
        eng_set_err(L->err, L->errlen, "ONNX: node '%s' (%s): attribute %s must be %s", c->name,
                    c->op, name, type_name);
        *bad = 1;
        return NULL;
    }
    return a;
}

/* An integer attribute in [lo, hi], def when absent. */
static int get_int(Loader *L, const NodeCtx *c, const char *name, int64_t def, int64_t lo,
                   int64_t hi, int64_t *out) {
    int bad;
    const Onnx__AttributeProto *a = attr_of(L, c, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT,
                                            "an integer", &bad);
    if (bad) return -1;
    *out = a ? a->i : def;
    if (*out < lo || *out > hi)
        FAIL("ONNX: node '%s' (%s): attribute %s = %lld is outside %lld..%lld", c->name, c->op,
             name, (long long)*out, (long long)lo, (long long)hi);
    return 0;
}

/* A float attribute, def when absent; never NaN, infinite only if allowed. */
static int get_float(Loader *L, const NodeCtx *c, const char *name, float def, int allow_inf,
                     float *out) {
    int bad;
    const Onnx__AttributeProto *a = attr_of(L, c, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT,
                                            "a float", &bad);
    if (bad) return -1;
    *out = a ? a->f : def;
    if (isnan(*out) || (!allow_inf && isinf(*out)))
        FAIL("ONNX: node '%s' (%s): attribute %s = %g is not a finite number", c->name, c->op,
             name, (double)*out);
    return 0;
}

/* A list of integers, each in [lo, hi]; how many (0 if absent), -1 on error.
 * count: the one length allowed besides absence. */
static int get_ints(Loader *L, const NodeCtx *c, const char *name, int count, int64_t lo,
                    int64_t hi, int64_t *out) {
    int bad;
    const Onnx__AttributeProto *a = attr_of(L, c, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS,
                                            "a list of integers", &bad);
    if (bad) return -1;
    if (!a || a->n_ints == 0) return 0;
    if (a->n_ints != (size_t)count)
        FAIL("ONNX: node '%s' (%s): attribute %s has %zu values; %d are supported (2-D)", c->name,
             c->op, name, a->n_ints, count);
    for (int k = 0; k < count; k++) {
        if (a->ints[k] < lo || a->ints[k] > hi)
            FAIL("ONNX: node '%s' (%s): attribute %s has %lld, outside %lld..%lld", c->name, c->op,
                 name, (long long)a->ints[k], (long long)lo, (long long)hi);
        out[k] = a->ints[k];
    }
    return count;
}

/* A 2-D convolution's or pooling's list attribute: count values (2 per axis
 * pair, 4 for pads); for a 1-D one (c->one_d) half as many, the width's
 * filled with fill (pads: 0) so the op runs as 2-D of width 1. */
static int spatial_ints(Loader *L, const NodeCtx *c, const char *name, int count, int64_t lo,
                        int64_t hi, int64_t fill, int64_t *out) {
    if (!c->one_d) return get_ints(L, c, name, count, lo, hi, out);
    int64_t v[2];
    const int m = get_ints(L, c, name, count / 2, lo, hi, v);
    if (m <= 0) return m;
    if (count == 4) out[0] = v[0], out[1] = 0, out[2] = v[1], out[3] = 0;
    else out[0] = v[0], out[1] = fill;
    return count;
}

/* A string attribute ("" when absent) that fits in out. */
static int get_str(Loader *L, const NodeCtx *c, const char *name, char *out, size_t len) {
    int bad;
    const Onnx__AttributeProto *a = attr_of(L, c, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING,
                                            "a string", &bad);
    out[0] = 0;
    if (bad) return -1;
    if (!a) return 0;
    if (a->s.len >= len || (a->s.len && memchr(a->s.data, 0, a->s.len)))
        FAIL("ONNX: node '%s' (%s): attribute %s has an unknown value", c->name, c->op, name);
    if (a->s.len) memcpy(out, a->s.data, a->s.len);
    out[a->s.len] = 0;
    return 0;
}

/* ---- node conversion ---------------------------------------------------------------------- */

static Act *in_act(Loader *L, const NodeCtx *c, int k) {
    if ((size_t)k >= c->n->n_input || !c->n->input[k][0]) return NULL;
    return find_act(L, c->n->input[k]);
}
static Const *in_const(Loader *L, const NodeCtx *c, int k) {
    if ((size_t)k >= c->n->n_input || !c->n->input[k][0]) return NULL;
    return find_const(L, c->n->input[k]);
}
static int has_input(const NodeCtx *c, int k) {
    return (size_t)k < c->n->n_input && c->n->input[k][0];
}

/* The engine refused a node: its message, under this file's tag. */
static int engine_fail(Loader *L) {
    const char *m = eng_graph_error(L->g);
    if (!strncmp(m, "engine: ", 8)) m += 8;
    FAIL("ONNX: %s", m[0] ? m : "the engine refused a node");
}

/* Padding from pads / auto_pad for one axis (k_eff: the dilated kernel). */
static int resolve_pads(const char *auto_pad, int64_t in, int64_t k_eff, int64_t stride,
                        int64_t lo, int64_t hi, int *plo, int *phi) {
    int64_t a = lo, b = hi;
    if (!strcmp(auto_pad, "VALID")) {
        a = b = 0;
    } else if (!strcmp(auto_pad, "SAME_UPPER") || !strcmp(auto_pad, "SAME_LOWER")) {
        /* output ceil(in / stride), padding split evenly, the odd one at the end (UPPER) */
        int64_t out = (in + stride - 1) / stride;
        int64_t total = (out - 1) * stride + k_eff - in;
        if (total < 0) total = 0;
        a = auto_pad[5] == 'U' ? total / 2 : total - total / 2;
        b = total - a;
    } else if (auto_pad[0] && strcmp(auto_pad, "NOTSET")) {
        return -1;
    }
    if (a < 0 || b < 0 || a > MAX_WINDOW || b > MAX_WINDOW) return -1;
    *plo = (int)a, *phi = (int)b;
    return 0;
}

static int out_act_dims(Loader *L, const NodeCtx *c, int node, int rank, const int64_t *dims) {
    if (node < 0) return engine_fail(L);
    L->act_bytes += eng_node_act_bytes(eng_graph_node(L->g, node));
    if (L->act_bytes > MAX_ACT_BYTES)
        FAIL("ONNX: %s: node '%s' (%s) takes the activations of one sample past %lld GiB; "
             "HINT: give a smaller input size (--input CxHxW)", L->file, c->name, c->op,
             (long long)(MAX_ACT_BYTES >> 30));
    return add_act(L, c->n->output[0], node, rank, L->one_sample ? dims : NULL);
}
/* A node made beside the node's own output (a constant): its activations count too. */
static int count_act(Loader *L, const NodeCtx *c, int node) {
    L->act_bytes += eng_node_act_bytes(eng_graph_node(L->g, node));
    if (L->act_bytes > MAX_ACT_BYTES)
        FAIL("ONNX: %s: node '%s' (%s) takes the activations of one sample past %lld GiB", L->file,
             c->name, c->op, (long long)(MAX_ACT_BYTES >> 30));
    return 0;
}
static int out_act(Loader *L, const NodeCtx *c, int node, int rank) {
    return out_act_dims(L, c, node, rank, NULL);
}

/* The ONNX shape of a computed tensor: in batch mode dim 0 is the batch (the
 * input's, when the caller gave it, else 1: the engine fixes N later), the
 * rest the engine's (C, H, W) as the rank maps them; in one-sample mode the
 * shape is kept with the tensor. */
static void act_dims(const Loader *L, const Act *a, int64_t *d) {
    if (L->one_sample) {
        memcpy(d, a->dims, sizeof a->dims);
        return;
    }
    const EngShape s = eng_graph_node(L->g, a->node)->out;
    d[0] = L->in_ndim > 0 ? L->in_dims[0] : 1, d[1] = s.C, d[2] = s.H, d[3] = s.W;
}

/* The engine's one-sample (C, H, W) of an ONNX shape of rank 1 to 4 (one-sample
 * mode): (D0), (D0, D1), (D0, D1, D2), (D0*D1, D2, D3). */
static int sample_shape(const int64_t *d, int rank, int *C, int *H, int *W) {
    int64_t c = d[0], h = rank > 1 ? d[1] : 1, w = rank > 2 ? d[2] : 1;
    if (rank == 4) c = d[0] * d[1], h = d[2], w = d[3];
    if (c < 1 || h < 1 || w < 1 || c > MAX_DIM || h > MAX_DIM || w > MAX_DIM) return -1;
    *C = (int)c, *H = (int)h, *W = (int)w;
    return 0;
}

/* A node that computes across ONNX axis 0, which batch mode gives to the
 * engine's batch N: the load starts again with the whole tensor as one
 * sample when the caller gave the input's full shape. */
static int mixes_batch(Loader *L, const NodeCtx *c, const char *what) {
    if (L->in_ndim > 0 && !L->one_sample) L->wants_one_sample = 1;
    FAIL("ONNX: node '%s' (%s): %s mixes the samples of the batch (ONNX axis 0); such a graph "
         "runs only as one sample, from the input's full shape (as `convscope onnx-test` gives "
         "it)", c->name, c->op, what);
}

/* kernel_shape is optional for a convolution; when given it must match the weights. */
static int check_kernel_shape(Loader *L, const NodeCtx *c, int kh, int kw) {
    int64_t k[2];
    int m = spatial_ints(L, c, "kernel_shape", 2, 1, MAX_KERNEL, 1, k);
    if (m < 0) return -1;
    if (m == 2 && (k[0] != kh || k[1] != kw))
        FAIL("ONNX: node '%s' (%s): kernel_shape %lldx%lld but the weights are %dx%d", c->name,
             c->op, (long long)k[0], (long long)k[1], kh, kw);
    return 0;
}

/* strides, dilations, pads and auto_pad of a 2-D convolution or pooling. */
static int spatial_params(Loader *L, const NodeCtx *c, int in_h, int in_w, int kh, int kw,
                          int *sh, int *sw, int *pads /* t l b r */, int *dh, int *dw) {
    int64_t s[2] = {1, 1}, d[2] = {1, 1}, p[4] = {0, 0, 0, 0};
    char ap[32];
    if (spatial_ints(L, c, "strides", 2, 1, MAX_WINDOW, 1, s) < 0 ||
        spatial_ints(L, c, "dilations", 2, 1, MAX_WINDOW, 1, d) < 0 ||
        spatial_ints(L, c, "pads", 4, 0, MAX_WINDOW, 0, p) < 0 || get_str(L, c, "auto_pad", ap, sizeof ap))
        return -1;
    *sh = (int)s[0], *sw = (int)s[1], *dh = (int)d[0], *dw = (int)d[1];
    if (resolve_pads(ap, in_h, d[0] * (kh - 1) + 1, s[0], p[0], p[2], &pads[0], &pads[2]) != 0 ||
        resolve_pads(ap, in_w, d[1] * (kw - 1) + 1, s[1], p[1], p[3], &pads[1], &pads[3]) != 0)
        FAIL("ONNX: node '%s' (%s): invalid pads or auto_pad '%s'", c->name, c->op, ap);
    return 0;
}

/* The weights of a 2-D op, or of a 1-D one as 2-D of width 1 (the same
 * floats), their 4 dims in wd; the constant stays as the file has it (other
 * nodes may share it). NULL unless a float constant of rank 4 (1-D: 3). */
static const Const *spatial_weights(Loader *L, NodeCtx *c, Act *x, int64_t *wd) {
    const Const *w = in_const(L, c, 1);
    c->one_d = x && x->rank == 3 && w && w->ndim == 3;
    if (!w || !w->f || w->ndim != (c->one_d ? 3 : 4)) return NULL;
    for (int k = 0; k < 3; k++) wd[k] = w->dims[k];
    wd[3] = c->one_d ? 1 : w->dims[3];
    return w;
}

static int conv_node(Loader *L, NodeCtx *c) {
    Act *x = in_act(L, c, 0);
    int64_t wd[4];
    const Const *w = spatial_weights(L, c, x, wd), *b = in_const(L, c, 2);
    if (!x || (x->rank != 4 && !c->one_d))
        FAIL("ONNX: node '%s' (Conv): its input must be a 4-D feature map (or a 3-D one, with 3-D weights)", c->name);
    if (!w)
        FAIL("ONNX: node '%s' (Conv): the weights must be a 4-D float initializer (2-D convolution) or a 3-D one (1-D)", c->name);
    if (has_input(c, 2) && !b)
        FAIL("ONNX: node '%s' (Conv): the bias must be an initializer", c->name);
    const EngShape s = eng_graph_node(L->g, x->node)->out;
    if (wd[0] < 1 || wd[0] > MAX_DIM || wd[2] < 1 || wd[2] > MAX_KERNEL ||
        wd[3] < 1 || wd[3] > MAX_KERNEL)
        FAIL("ONNX: node '%s' (Conv): weights %lldx%lldx%lldx%lld: 1 to %d filters of 1x1 to "
             "%dx%d are supported", c->name, (long long)wd[0], (long long)wd[1],
             (long long)wd[2], (long long)wd[3], MAX_DIM, MAX_KERNEL, MAX_KERNEL);
    EngConvParams p = {0};
    p.oc = (int)wd[0], p.kh = (int)wd[2], p.kw = (int)wd[3];
    int64_t groups;
    if (get_int(L, c, "group", 1, 1, MAX_DIM, &groups) || check_kernel_shape(L, c, p.kh, p.kw)) return -1;
    p.groups = (int)groups;
    if (wd[1] * groups != s.C || p.oc % p.groups)
        FAIL("ONNX: node '%s' (Conv): weights %lldx%lldx%lldx%lld with group %d do not fit %d input "
             "channels", c->name, (long long)wd[0], (long long)wd[1], (long long)wd[2],
             (long long)wd[3], p.groups, s.C);
    int pads[4];
    if (spatial_params(L, c, s.H, s.W, p.kh, p.kw, &p.sh, &p.sw, pads, &p.dh, &p.dw) != 0) return -1;
    p.pt = pads[0], p.pl = pads[1], p.pb = pads[2], p.pr = pads[3];
    p.has_bias = b != NULL;
    if (b && (!b->f || b->n != (size_t)p.oc))
        FAIL("ONNX: node '%s' (Conv): bias has %zu values for %d filters", c->name, b->n, p.oc);
    int id = eng_conv(L->g, c->name, x->node, &p);
    if (out_act(L, c, id, c->one_d ? 3 : 4) != 0) return -1;
    if (add_pending(L, id, 0, w, 0, 0, 1.0f) || (b && add_pending(L, id, 1, b, 0, 0, 1.0f))) return -1;
    return 0;
}

static int convt_node(Loader *L, NodeCtx *c) {
    Act *x = in_act(L, c, 0);
    int64_t wd[4];
    const Const *w = spatial_weights(L, c, x, wd), *b = in_const(L, c, 2);
    if (!x || (x->rank != 4 && !c->one_d))
        FAIL("ONNX: node '%s' (ConvTranspose): its input must be a 4-D feature map (or a 3-D one, with 3-D weights)", c->name);
    if (!w)
        FAIL("ONNX: node '%s' (ConvTranspose): the weights must be a 4-D float initializer", c->name);
    if (has_input(c, 2) && !b)
        FAIL("ONNX: node '%s' (ConvTranspose): the bias must be an initializer", c->name);
    const EngShape s = eng_graph_node(L->g, x->node)->out;
    int64_t groups;
    if (get_int(L, c, "group", 1, 1, MAX_DIM, &groups)) return -1;
    int64_t oc = wd[1] * groups;
    if (wd[0] != s.C || s.C % groups || oc < 1 || oc > MAX_DIM || wd[2] < 1 ||
        wd[2] > MAX_KERNEL || wd[3] < 1 || wd[3] > MAX_KERNEL)
        FAIL("ONNX: node '%s' (ConvTranspose): weights %lldx%lldx%lldx%lld with group %lld do not "
             "fit %d input channels", c->name, (long long)wd[0], (long long)wd[1],
             (long long)wd[2], (long long)wd[3], (long long)groups, s.C);
    EngConvTParams p = {0};
    p.groups = (int)groups;
    p.oc = (int)oc, p.kh = (int)wd[2], p.kw = (int)wd[3];
    int64_t st[2] = {1, 1}, dl[2] = {1, 1}, op[2] = {0, 0}, pads[4] = {0, 0, 0, 0}, os[2];
    char ap[32];
    int have_os;
    if (check_kernel_shape(L, c, p.kh, p.kw) || spatial_ints(L, c, "strides", 2, 1, MAX_WINDOW, 1, st) < 0 ||
        spatial_ints(L, c, "dilations", 2, 1, MAX_WINDOW, 1, dl) < 0 ||
        spatial_ints(L, c, "output_padding", 2, 0, MAX_WINDOW, 0, op) < 0 ||
        spatial_ints(L, c, "pads", 4, 0, MAX_WINDOW, 0, pads) < 0 || get_str(L, c, "auto_pad", ap, sizeof ap) ||
        (have_os = spatial_ints(L, c, "output_shape", 2, 1, MAX_DIM, 1, os)) < 0)
        return -1;
    if (ap[0] && strcmp(ap, "NOTSET") && strcmp(ap, "VALID") && strcmp(ap, "SAME_UPPER") &&
        strcmp(ap, "SAME_LOWER"))
        FAIL("ONNX: node '%s' (ConvTranspose): unknown auto_pad '%s'", c->name, ap);
    if (!strcmp(ap, "VALID")) memset(pads, 0, sizeof pads);
    if (have_os || !strncmp(ap, "SAME_", 5)) {
        /* total padding from the wanted output size (ONNX ConvTranspose spec); every term is
         * below 2^37, so int64 holds it */
        int64_t ins[2] = {s.H, s.W}, ks[2] = {p.kh, p.kw};
        for (int a = 0; a < 2; a++) {
            int64_t want = have_os ? os[a] : ins[a] * st[a];
            int64_t total = st[a] * (ins[a] - 1) + op[a] + (ks[a] - 1) * dl[a] + 1 - want;
            if (total < 0) { /* a larger output: the extra goes into output_padding */
                op[a] -= total;
                total = 0;
            }
            if (!strcmp(ap, "SAME_LOWER")) pads[a] = total - total / 2, pads[a + 2] = total / 2;
            else pads[a] = total / 2, pads[a + 2] = total - total / 2;
        }
    }
    for (int a = 0; a < 4; a++)
        if (pads[a] > MAX_WINDOW || (a < 2 && op[a] > MAX_WINDOW))
            FAIL("ONNX: node '%s' (ConvTranspose): the output size needs padding %lld, output "
                 "padding %lld (at most %d)", c->name, (long long)pads[a], (long long)op[a & 1],
                 MAX_WINDOW);
    p.sh = (int)st[0], p.sw = (int)st[1], p.dh = (int)dl[0], p.dw = (int)dl[1];
    p.oph = (int)op[0], p.opw = (int)op[1];
    p.pt = (int)pads[0], p.pl = (int)pads[1], p.pb = (int)pads[2], p.pr = (int)pads[3];
    p.has_bias = b != NULL;
    if (b && (!b->f || b->n != (size_t)p.oc))
        FAIL("ONNX: node '%s' (ConvTranspose): bias has %zu values for %d outputs", c->name, b->n, p.oc);
    int id = eng_convt(L->g, c->name, x->node, &p);
    if (out_act(L, c, id, c->one_d ? 3 : 4) != 0) return -1;
    if (add_pending(L, id, 0, w, 0, 0, 1.0f) || (b && add_pending(L, id, 1, b, 0, 0, 1.0f))) return -1;
    return 0;
}

static int pool_node(Loader *L, NodeCtx *c, int is_max) {
    Act *x = in_act(L, c, 0);
    c->one_d = x && x->rank == 3;
    if (!x || (x->rank != 4 && !c->one_d))
        FAIL("ONNX: node '%s' (%s): its input must be a 4-D feature map (or a 3-D one)", c->name, c->op);
    const EngShape s = eng_graph_node(L->g, x->node)->out;
    int64_t k[2], ceil_mode, include_pad;
    int m = spatial_ints(L, c, "kernel_shape", 2, 1, MAX_WINDOW, 1, k);
    if (m < 0) return -1;
    if (m != 2) FAIL("ONNX: node '%s' (%s): needs a %s kernel_shape", c->name, c->op, c->one_d ? "1-D" : "2-D");
    EngPoolParams p = {0};
    p.kh = (int)k[0], p.kw = (int)k[1];
    int pads[4], dh, dw;
    if (spatial_params(L, c, s.H, s.W, p.kh, p.kw, &p.sh, &p.sw, pads, &dh, &dw) != 0 ||
        get_int(L, c, "ceil_mode", 0, 0, 1, &ceil_mode) ||
        get_int(L, c, "count_include_pad", 0, 0, 1, &include_pad))
        return -1;
    if (!is_max && (dh != 1 || dw != 1))
        FAIL("ONNX: node '%s' (AveragePool): dilated average pooling is not supported", c->name);
    p.dh = dh, p.dw = dw;
    p.pt = pads[0], p.pl = pads[1], p.pb = pads[2], p.pr = pads[3];
    p.ceil_mode = (int)ceil_mode;
    p.count_include_pad = (int)include_pad;
    const int xn = x->node, rank = c->one_d ? 3 : 4;
    int id = is_max ? eng_maxpool(L->g, c->name, xn, &p) : eng_avgpool(L->g, c->name, xn, &p);
    if (out_act(L, c, id, rank)) return -1;
    if (!is_max || c->n->n_output < 2 || !c->n->output[1][0]) return 0;
    /* the Indices output: where each window's maximum is */
    int64_t order;
    if (get_int(L, c, "storage_order", 0, 0, 1, &order)) return -1;
    char nm[96];
    const char *iname = unique_name(L, c->n->output[1], nm, sizeof nm);
    if (!iname) return oom(L, "naming the indices");
    const int ix = eng_maxpool_indices(L->g, iname, id, (int)order);
    if (ix < 0) return engine_fail(L);
    if (count_act(L, c, ix)) return -1;
    return add_act(L, c->n->output[1], ix, rank, NULL);
}

/* Reshape to a shape known at load time (a constant, a graph input bound to a
 * value, or folded shape arithmetic): 0 copies the input's dim (unless
 * allowzero), one -1 takes what is left. In batch mode the target must keep
 * axis 0 as the batch; a reshape that moves data across it runs as one sample. */
/* Who reads each value: built once per load, when a pattern is first looked for. */
static int build_readers(Loader *L) {
    const Onnx__GraphProto *gp = L->gp;
    L->have_readers = 1;
    for (size_t k = 0; k < gp->n_node; k++)
        for (size_t j = 0; j < gp->node[k]->n_input; j++) {
            const char *v = gp->node[k]->input[j];
            if (!v[0]) continue;
            Slot *s = names_get(&L->readers, v);
            if (!s && !(s = names_add(&L->readers, v, 0, 0))) return oom(L, "indexing the graph");
            if (s->kind < INT32_MAX - 2) s->kind++;
            s->idx = (int)k;
        }
    for (size_t k = 0; k < gp->n_output; k++) {
        const char *v = gp->output[k]->name;
        if (!v || !v[0]) continue;
        Slot *s = names_get(&L->readers, v);
        if (!s && !(s = names_add(&L->readers, v, 0, 0))) return oom(L, "indexing the graph");
        if (s->kind < INT32_MAX - 2) s->kind += 2;
    }
    return 0;
}

/* The node that alone reads value v (once; not a graph output), of type op
 * with v as input `slot`, after node `after`; or NULL. */
static const Onnx__NodeProto *sole_reader(Loader *L, const char *v, size_t after, const char *op,
                                          int slot, size_t *index) {
    const Slot *s = names_get(&L->readers, v);
    if (!s || s->kind != 1 || (size_t)s->idx <= after) return NULL;
    const Onnx__NodeProto *n = L->gp->node[s->idx];
    if (!n->op_type || strcmp(n->op_type, op) || (n->domain && n->domain[0] && strcmp(n->domain, "ai.onnx")) ||
        n->n_output < 1 || !n->output[0][0] || (size_t)slot >= n->n_input || strcmp(n->input[slot], v))
        return NULL;
    *index = (size_t)s->idx;
    return n;
}

/* A 5-D view that only a Transpose reads, whose result only a Reshape reads
 * (ShuffleNet's channel shuffle: (N, g, C/g, H, W), axes 1 and 2 swapped,
 * back to (N, C, H, W)): one transpose node, named after the Transpose, of
 * the sample read as the view's last 4 axes; its result is kept as the 4-D
 * (N, A*B, D, E) of its axes (A, B, D, E), which the Reshape reads (a 0 there
 * copying axis 1 or 2 is refused). Batch mode only. 1: not this pattern. */
static int reshape5_transpose(Loader *L, const NodeCtx *c, Act *x, const int64_t *want) {
    if (L->one_sample) return 1;
    if (!L->have_readers && build_readers(L)) return -1;
    size_t it, ir;
    const Onnx__NodeProto *t = sole_reader(L, c->n->output[0], c->index, "Transpose", 0, &it);
    if (!t || t->n_input != 1 || t->n_output != 1 || !t->output[0][0] ||
        !sole_reader(L, t->output[0], it, "Reshape", 0, &ir))
        return 1;
    const Onnx__AttributeProto *pa = attr(t, "perm");
    if (!pa || attr_type(pa) != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS || pa->n_ints != 5 || pa->ints[0] != 0)
        return 1;
    int64_t d[4];
    act_dims(L, x, d);
    const EngShape s = eng_graph_node(L->g, x->node)->out;
    const int64_t size = (int64_t)s.C * s.H * s.W;
    int dims[4], perm[4], seen = 0;
    int64_t known = 1, infer = -1, w[5];
    for (int k = 0; k < 5; k++) {
        w[k] = want[k];
        if (k == 0) continue;
        if (w[k] == -1 && infer < 0) {
            infer = k;
            continue;
        }
        if (w[k] < 1 || w[k] > MAX_DIM || known > size / w[k]) return 1; /* the plain error follows */
        known *= w[k];
    }
    if (infer > 0) {
        if (size % known) return 1;
        w[infer] = size / known;
        known = size;
    }
    /* axis 0: the batch, or the batch the file was exported with (see reshape_node) */
    if (known != size || (w[0] != d[0] && w[0] != -1 && w[0] != 0 && !(L->batch > 1 && w[0] == L->batch)))
        return 1;
    for (int k = 0; k < 4; k++) {
        const int64_t p = pa->ints[k + 1];
        if (p < 1 || p > 4 || (seen & (1 << p))) return 1;
        seen |= 1 << p;
        dims[k] = (int)w[k + 1], perm[k] = (int)p - 1;
    }
    const int64_t od[4] = {d[0], (int64_t)dims[perm[0]] * dims[perm[1]], dims[perm[2]], dims[perm[3]]};
    if (od[1] > MAX_DIM) return 1;
    char nm[96];
    const char *base = t->name && t->name[0] ? t->name : t->output[0];
    NodeCtx tc = {t, unique_name(L, base, nm, sizeof nm), "Transpose", it, 0};
    if (!tc.name) return oom(L, "naming a node");
    if (check_new_value(L, t->output[0], "node output")) return -1;
    if (!L->fused && !(L->fused = calloc(L->gp->n_node, 1))) return oom(L, "fusing a transpose");
    const int id = eng_transpose(L->g, tc.name, x->node, dims, perm, (int)od[1], (int)od[2], (int)od[3]);
    if (out_act_dims(L, &tc, id, 4, od)) return -1;
    L->acts[L->n_acts - 1].merged = 1;
    L->fused[it] = 1;
    return 0;
}

static int reshape_act(Loader *L, const NodeCtx *c, int node, const int64_t *d, const int64_t *want,
                       int m);

/* Squeeze and Unsqueeze of a computed tensor: a reshape that drops or adds
 * axes of size 1 (axes as an attribute, or from opset 13 a constant input);
 * Squeeze without axes drops every axis of size 1. */
static int squeeze_node(Loader *L, const NodeCtx *c, Act *x) {
    const int unsq = c->op[0] == 'U';
    int64_t d[4], ax[MAX_RANK], want[MAX_RANK];
    act_dims(L, x, d);
    const int r = x->rank;
    int na = 0;
    if (L->opset < 13) {
        const Onnx__AttributeProto *a = attr(c->n, "axes");
        if (a && (attr_type(a) != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS || a->n_ints > MAX_RANK))
            FAIL("ONNX: node '%s' (%s): axes must be at most %d integers", c->name, c->op, MAX_RANK);
        na = a ? (int)a->n_ints : 0;
        for (int k = 0; k < na; k++) ax[k] = a->ints[k];
    } else if (has_input(c, 1)) {
        const Const *k = in_const(L, c, 1);
        if (!k || !k->i || k->ndim > 1 || k->n > MAX_RANK)
            FAIL("ONNX: node '%s' (%s): axes must be a constant list of at most %d integers", c->name,
                 c->op, MAX_RANK);
        na = (int)k->n;
        for (int j = 0; j < na; j++) ax[j] = k->i[j];
    }
    if (unsq && na == 0) FAIL("ONNX: node '%s' (Unsqueeze): needs axes", c->name);
    const int out_r = unsq ? r + na : r;
    unsigned mark = 0;
    for (int k = 0; k < na; k++) {
        const int64_t lim = unsq ? out_r : r;
        if (ax[k] < -lim || ax[k] >= lim)
            FAIL("ONNX: node '%s' (%s): axis %lld is outside -%lld..%lld", c->name, c->op,
                 (long long)ax[k], (long long)lim, (long long)lim - 1);
        const int a = (int)(ax[k] < 0 ? ax[k] + lim : ax[k]);
        if (mark & (1u << a)) FAIL("ONNX: node '%s' (%s): axis %d is given twice", c->name, c->op, a);
        mark |= 1u << a;
    }
    int m = 0;
    if (unsq) {
        if (out_r > 4) FAIL("ONNX: node '%s' (Unsqueeze): a result of rank %d (at most 4)", c->name, out_r);
        for (int k = 0, j = 0; k < out_r; k++) want[m++] = (mark & (1u << k)) ? 1 : d[j++];
    } else {
        for (int k = 0; k < r; k++) {
            const int drop = na ? (mark >> k) & 1 : d[k] == 1 && (k > 0 || L->one_sample);
            if (drop && d[k] != 1)
                FAIL("ONNX: node '%s' (Squeeze): axis %d has size %lld, not 1", c->name, k, (long long)d[k]);
            if (!drop) want[m++] = d[k];
        }
        if (m < 1) FAIL("ONNX: node '%s' (Squeeze): a scalar result is not supported", c->name);
    }
    if (!L->one_sample && (mark & 1u)) return mixes_batch(L, c, unsq ? "an axis added before the batch" : "squeezing the batch axis");
    return reshape_act(L, c, x->node, d, want, m);
}

/* The node's first output as a new constant: buf (from budget_alloc, n values,
 * integers or floats, freed on failure) of shape dims[ndim] (NULL: n values in
 * one axis, or none for a scalar). dims may point into consts[], which moves. */
static int put_const(Loader *L, const NodeCtx *c, void *buf, int ints, size_t n, int ndim,
                     const int64_t *dims) {
    int64_t d[MAX_RANK] = {(int64_t)n};
    if (dims) memcpy(d, dims, (size_t)ndim * sizeof *d);
    Const *r = add_const(L, c->n->output[0]);
    if (!r) return free(buf), -1;
    r->ndim = ndim, r->n = n;
    memcpy(r->dims, d, (size_t)ndim * sizeof *d);
    if (ints) r->i = buf;
    else r->f = buf;
    return 0;
}

/* Reshape of a constant (an empty tensor included): the same values under the
 * new shape, ONNX's rules for 0 (copy, or with allowzero a 0) and -1. */
static int reshape_const(Loader *L, const NodeCtx *c, const Const *d, const int64_t *want_in, int m,
                         int64_t allowzero) {
    int64_t want[MAX_RANK], known = 1;
    int infer = -1;
    memcpy(want, want_in, (size_t)m * sizeof *want);
    for (int k = 0; k < m; k++) {
        if (want[k] == 0 && !allowzero) {
            if (k >= d->ndim) FAIL("ONNX: node '%s' (Reshape): a 0 at axis %d copies no input axis", c->name, k);
            want[k] = d->dims[k];
        } else if (want[k] == -1) {
            if (infer >= 0) FAIL("ONNX: node '%s' (Reshape): more than one -1", c->name);
            infer = k;
            continue;
        } else if (want[k] < 0 || want[k] > MAX_DIM) {
            FAIL("ONNX: node '%s' (Reshape): shape value %lld at axis %d", c->name, (long long)want[k], k);
        }
        known *= want[k]; /* at most MAX_RANK factors below 2^24: no overflow past 2^63 checked next */
        if (known > (int64_t)1 << 40) FAIL("ONNX: node '%s' (Reshape): the shape is too large", c->name);
    }
    if (infer >= 0) {
        if (known == 0 || d->n % (size_t)known)
            FAIL("ONNX: node '%s' (Reshape): %zu values do not fill the shape", c->name, d->n);
        want[infer] = (int64_t)d->n / known;
        known = (int64_t)d->n;
    }
    if ((size_t)known != d->n)
        FAIL("ONNX: node '%s' (Reshape): the shape holds %lld values, the constant %zu", c->name,
             (long long)known, d->n);
    const size_t esz = d->i ? sizeof(int64_t) : sizeof(float);
    void *buf = budget_alloc(L, d->n, esz, c->n->output[0]);
    if (!buf) return -1;
    if (d->n) memcpy(buf, d->i ? (const void *)d->i : (const void *)d->f, d->n * esz);
    return put_const(L, c, buf, d->i != NULL, d->n, m, want);
}

static int reshape_node(Loader *L, const NodeCtx *c) {
    Act *x = in_act(L, c, 0);
    const Const *xc = x ? NULL : in_const(L, c, 0);
    if (!x && (!xc || (!xc->f && !xc->i)))
        FAIL("ONNX: node '%s' (Reshape): its input must be a computed tensor or a constant", c->name);
    int64_t want[MAX_RANK], allowzero = 0;
    int m = 0;
    if (has_input(c, 1)) {
        Const *sc = in_const(L, c, 1);
        if (!sc || !sc->i || sc->ndim > 1)
            FAIL("ONNX: node '%s' (Reshape): the shape must be a 1-D integer constant", c->name);
        if (sc->n == 5 && x) {
            const int rc = reshape5_transpose(L, c, x, sc->i);
            if (rc <= 0) return rc;
        }
        if (sc->n > 4) FAIL("ONNX: node '%s' (Reshape): a shape of rank %zu (at most 4)", c->name, sc->n);
        m = (int)sc->n;
        memcpy(want, sc->i, (size_t)m * sizeof *want);
    } else { /* opset 1-4: an attribute */
        const Onnx__AttributeProto *a = attr(c->n, "shape");
        if (!a || attr_type(a) != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS || a->n_ints > 4)
            FAIL("ONNX: node '%s' (Reshape): needs a shape of rank 1 to 4", c->name);
        m = (int)a->n_ints;
        memcpy(want, a->ints, (size_t)m * sizeof *want);
    }
    if (m < 1) FAIL("ONNX: node '%s' (Reshape): a scalar result is not supported", c->name);
    if (L->opset >= 14 && get_int(L, c, "allowzero", 0, 0, 1, &allowzero)) return -1;
    if (!x) return reshape_const(L, c, in_const(L, c, 0), want, m, allowzero);
    int64_t d[4];
    act_dims(L, x, d);
    /* an exporter that knew the batch writes it (PyTorch: x.view(x.size(0), -1) at a
     * fixed input): axis 0 given as the file's declared batch is the batch */
    if (!L->one_sample && L->batch > 1 && want[0] == L->batch && d[0] != want[0]) want[0] = d[0];
    const int r = x->rank, node = x->node;
    int64_t total = 1, known = 1;
    for (int k = 0; k < r; k++) total *= d[k]; /* bounded: the input exists */
    int infer = -1;
    for (int k = 0; k < m; k++) {
        if (want[k] == 0 && !allowzero) {
            if (k >= r) FAIL("ONNX: node '%s' (Reshape): a 0 at axis %d copies no input axis", c->name, k);
            if (k > 0 && x->merged)
                FAIL("ONNX: node '%s' (Reshape): a 0 at axis %d copies an axis of a 5-D tensor, "
                     "which is not kept", c->name, k);
            want[k] = d[k];
        } else if (want[k] == -1) {
            if (infer >= 0) FAIL("ONNX: node '%s' (Reshape): more than one -1", c->name);
            infer = k;
            continue;
        } else if (want[k] < 1 || want[k] > MAX_DIM) {
            FAIL("ONNX: node '%s' (Reshape): shape value %lld at axis %d (1 to %d, 0 or -1 are "
                 "supported)", c->name, (long long)want[k], k, MAX_DIM);
        }
        if (known > total / want[k]) /* more than the input holds (and no overflow) */
            FAIL("ONNX: node '%s' (Reshape): the shape holds more than the input's %lld values",
                 c->name, (long long)total);
        known *= want[k];
    }
    if (infer >= 0) {
        if (total % known) FAIL("ONNX: node '%s' (Reshape): %lld values do not divide into the shape", c->name, (long long)total);
        want[infer] = total / known;
        known = total;
    }
    if (known != total)
        FAIL("ONNX: node '%s' (Reshape): the shape holds %lld values, the input %lld", c->name,
             (long long)known, (long long)total);
    return reshape_act(L, c, node, d, want, m);
}

/* x (engine node `node`, ONNX shape d) under the ONNX shape want[m] of as many
 * values, named after c. */
static int reshape_act(Loader *L, const NodeCtx *c, int node, const int64_t *d, const int64_t *want,
                       int m) {
    int id;
    if (!L->one_sample) {
        /* axis 0 must stay the batch (without the full shape d[0] is 1: a 0, -1 or 1
         * there, the rest one sample, as exporters write a flatten) */
        if (want[0] != d[0]) return mixes_batch(L, c, "a reshape that changes axis 0");
        const int64_t C = m > 1 ? want[1] : 1, H = m > 2 ? want[2] : 1, W = m > 3 ? want[3] : 1;
        const EngShape s = eng_graph_node(L->g, node)->out;
        if (m == 2 && C == (int64_t)s.C * s.H * s.W) id = eng_flatten(L->g, c->name, node);
        else id = eng_reshape(L->g, c->name, node, (int)C, (int)H, (int)W);
    } else {
        int C, H, W;
        if (sample_shape(want, m, &C, &H, &W) != 0)
            FAIL("ONNX: node '%s' (%s): the shape is too large for one sample", c->name, c->op);
        id = eng_reshape(L->g, c->name, node, C, H, W);
    }
    return out_act_dims(L, c, id, m, want);
}

/* A folded constant of n integers (ndim 0 or 1), or a copy of a float one. */
static int fold_result(Loader *L, const NodeCtx *c, int ndim, const int64_t *v, size_t n) {
    int64_t *iv = budget_alloc(L, n, sizeof *iv, c->n->output[0]);
    if (!iv) return -1;
    if (n) memcpy(iv, v, n * sizeof *iv);
    return put_const(L, c, iv, 1, n, ndim, NULL);
}

static int fold_copy(Loader *L, const NodeCtx *c, const Const *d, int transpose) {
    size_t n = d->n;
    float *f = budget_alloc(L, n, sizeof *f, c->n->output[0]);
    if (!f) return -1;
    if (!transpose) {
        memcpy(f, d->f, n * sizeof *f);
    } else { /* (rows, cols) -> (cols, rows) */
        size_t rows = (size_t)d->dims[0], cols = (size_t)d->dims[1];
        for (size_t i = 0; i < rows; i++)
            for (size_t j = 0; j < cols; j++) f[j * rows + i] = d->f[i * cols + j];
    }
    int64_t dims[MAX_RANK];
    memcpy(dims, d->dims, sizeof dims);
    if (transpose) dims[0] = d->dims[1], dims[1] = d->dims[0];
    return put_const(L, c, f, 0, n, d->ndim, dims);
}

/* Shape-only subgraphs: evaluated here on integer constants, one function per op. */

/* Shape: rank 2 (N, K), 3 (N, C, L) kept as (C, L, 1), 4 (N, C, H, W); N: the
 * given batch, else 1 */
static int fold_shape(Loader *L, const NodeCtx *c) {
    int64_t buf[MAX_RANK];
    Act *x = in_act(L, c, 0);
    if (!x) FAIL("ONNX: node '%s' (Shape): input is not a computed tensor", c->name);
    int64_t r = x->rank, d[4], start, end;
    act_dims(L, x, d);
    if (get_int(L, c, "start", 0, INT64_MIN, INT64_MAX, &start) ||
        get_int(L, c, "end", r, INT64_MIN, INT64_MAX, &end))
        return -1;
    /* opset 15: a slice of the shape, negative counting from the end, clamped */
    if (start < 0) start = start < -r ? 0 : start + r;
    if (end < 0) end = end < -r ? 0 : end + r;
    if (start > r) start = r;
    if (end > r) end = r;
    size_t n = 0;
    for (int64_t k = start; k < end; k++) buf[n++] = d[k];
    return fold_result(L, c, 1, buf, n);
}

static int fold_gather(Loader *L, const NodeCtx *c) {
    int64_t buf[MAX_RANK];
    Const *d = in_const(L, c, 0), *ix = in_const(L, c, 1);
    int64_t axis;
    if (get_int(L, c, "axis", 0, -1, 0, &axis)) return -1;
    if (!d || !d->i || d->ndim != 1 || !ix || !ix->i || ix->ndim > 1 || ix->n > MAX_RANK)
        FAIL("ONNX: node '%s' (Gather): only gathering from a 1-D shape is supported", c->name);
    for (size_t k = 0; k < ix->n; k++) {
        int64_t j = ix->i[k];
        if (j < -(int64_t)d->n || j >= (int64_t)d->n)
            FAIL("ONNX: node '%s' (Gather): index %lld out of range for %zu values", c->name,
                 (long long)j, d->n);
        buf[k] = d->i[j < 0 ? j + (int64_t)d->n : j];
    }
    return fold_result(L, c, ix->ndim, buf, ix->n);
}

static int fold_unsqueeze(Loader *L, const NodeCtx *c) {
    Const *d = in_const(L, c, 0);
    if (!d || !d->i || d->ndim > 1 || d->n > MAX_RANK)
        FAIL("ONNX: node '%s' (Unsqueeze): only integer scalars and short lists are supported", c->name);
    if (fold_result(L, c, d->ndim + 1, d->i, d->n)) return -1;
    Const *r = &L->consts[L->n_consts - 1];
    if (r->ndim == 2) r->dims[0] = 1, r->dims[1] = (int64_t)r->n;
    return 0;
}

/* of a short integer list: its axes of size 1 go */
static int fold_squeeze(Loader *L, const NodeCtx *c) {
    Const *d = in_const(L, c, 0);
    if (!d || !d->i || d->n > MAX_RANK)
        FAIL("ONNX: node '%s' (Squeeze): only integer scalars and short lists are supported", c->name);
    if (fold_result(L, c, d->n == 1 ? 0 : 1, d->i, d->n)) return -1;
    return 0;
}

/* Cast, Identity of a constant: a copy (the engine computes in float either way) */
static int fold_copy_op(Loader *L, const NodeCtx *c) {
    Const *d = in_const(L, c, 0);
    if (!d) FAIL("ONNX: node '%s' (%s): its input must be a constant or a computed tensor", c->name, c->op);
    if (d->f) return fold_copy(L, c, d, 0);
    if (fold_result(L, c, d->ndim, d->i, d->n)) return -1;
    Const *r = &L->consts[L->n_consts - 1];
    d = in_const(L, c, 0);
    memcpy(r->dims, d->dims, sizeof r->dims);
    return 0;
}

static int fold_transpose(Loader *L, const NodeCtx *c) {
    Const *d = in_const(L, c, 0);
    int64_t perm[2] = {1, 0};
    if (get_ints(L, c, "perm", 2, 0, 1, perm) < 0) return -1;
    if (!d || !d->f || d->ndim != 2 || perm[0] != 1 || perm[1] != 0 ||
        (size_t)d->dims[0] * (size_t)d->dims[1] != d->n)
        FAIL("ONNX: node '%s' (Transpose): only transposing a 2-D constant is supported", c->name);
    return fold_copy(L, c, d, 1);
}

static int fold_concat(Loader *L, const NodeCtx *c) {
    int64_t buf[MAX_RANK];
    size_t n = 0;
    for (size_t k = 0; k < c->n->n_input; k++) {
        Const *d = in_const(L, c, (int)k);
        if (!d || !d->i || d->ndim > 1 || d->n > MAX_RANK - n)
            FAIL("ONNX: node '%s' (Concat): only short integer lists or maps can be joined", c->name);
        for (size_t j = 0; j < d->n; j++) buf[n++] = d->i[j];
    }
    return fold_result(L, c, 1, buf, n);
}

/* ConstantOfShape's fill value (attribute "value", default float 0) */
static int fill_value(Loader *L, const NodeCtx *c, int *is_int, int64_t *iv, float *fv) {
    int bad;
    const Onnx__AttributeProto *a =
        attr_of(L, c, "value", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR, "a tensor", &bad);
    if (bad) return -1;
    *fv = 0.0f, *iv = 0, *is_int = 0;
    if (!a) return 0;
    if (!a->t || tensor_to_const(L, a->t, NULL)) return a->t ? -1 : oom(L, "reading a value");
    const Const *v = &L->consts[L->n_consts - 1];
    if (v->n != 1)
        FAIL("ONNX: node '%s' (ConstantOfShape): value must hold one element, not %zu", c->name, v->n);
    *is_int = v->i != NULL;
    if (*is_int) *iv = v->i[0];
    else *fv = v->f[0];
    return 0;
}

/* a tensor of the given shape filled with one value (default float 0) */
static int fold_constantofshape(Loader *L, const NodeCtx *c) {
    Const *d = in_const(L, c, 0);
    if (!d || !d->i || d->ndim != 1 || d->n > MAX_RANK)
        FAIL("ONNX: node '%s' (ConstantOfShape): the shape must be a constant list of at most "
             "%d integers", c->name, MAX_RANK);
    int64_t dims[MAX_RANK];
    const int nd = (int)d->n;
    size_t n = 1;
    for (int k = 0; k < nd; k++) {
        dims[k] = d->i[k];
        if (dims[k] < 0 || dims[k] > MAX_DIM || !eng_mul_size(&n, n, (size_t)dims[k]))
            FAIL("ONNX: node '%s' (ConstantOfShape): shape value %lld at axis %d is outside "
                 "0..%d", c->name, (long long)dims[k], k, MAX_DIM);
    }
    float fv;
    int64_t iv;
    int is_int;
    if (fill_value(L, c, &is_int, &iv, &fv)) return -1;
    void *buf = budget_alloc(L, n, is_int ? sizeof(int64_t) : sizeof(float), c->n->output[0]);
    if (!buf) return -1;
    for (size_t k = 0; k < n; k++)
        if (is_int) ((int64_t *)buf)[k] = iv;
        else ((float *)buf)[k] = fv;
    return put_const(L, c, buf, is_int, n, nd, dims);
}

static int constant_node(Loader *L, const NodeCtx *c) {
    const Onnx__NodeProto *n = c->n;
    if (n->n_attribute != 1)
        FAIL("ONNX: node '%s' (Constant): needs exactly one value attribute", c->name);
    const Onnx__AttributeProto *a = n->attribute[0];
    int type = attr_type(a);
    const char *out = n->output[0];
    if (!strcmp(a->name, "value") && type == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR && a->t)
        return tensor_to_const(L, a->t, out);
    if (!strcmp(a->name, "value_float") && type == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT) {
        float *f = budget_alloc(L, 1, sizeof *f, out);
        Const *r = f ? add_const(L, out) : NULL;
        if (!r) return free(f), -1;
        r->n = 1, r->f = f, f[0] = a->f;
        return 0;
    }
    if (!strcmp(a->name, "value_floats") && type == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS) {
        float *f = budget_alloc(L, a->n_floats, sizeof *f, out);
        Const *r = f ? add_const(L, out) : NULL;
        if (!r) return free(f), -1;
        if (a->n_floats) memcpy(f, a->floats, a->n_floats * sizeof *f);
        r->ndim = 1, r->n = a->n_floats, r->dims[0] = (int64_t)a->n_floats, r->f = f;
        return 0;
    }
    if (!strcmp(a->name, "value_int") && type == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT)
        return fold_result(L, c, 0, &a->i, 1);
    if (!strcmp(a->name, "value_ints") && type == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS)
        return fold_result(L, c, 1, a->ints, a->n_ints);
    FAIL("ONNX: node '%s' (Constant): value kind '%s' is not supported (value, value_float(s), "
         "value_int(s) are)", c->name, a->name);
}

/* Checks every node passes before its op is looked at. */
static int node_checks(Loader *L, const NodeCtx *c) {
    const Onnx__NodeProto *n = c->n;
    /* inputs must exist already: a graph out of order or with a cycle stops here */
    for (size_t k = 0; k < n->n_input; k++)
        if (n->input[k][0] && !names_get(&L->values, n->input[k]))
            FAIL("ONNX: node '%s' (%s): input '%s' is not produced by any earlier node, input or "
                 "initializer", c->name, c->op, n->input[k]);
    if (n->n_output < 1 || !n->output[0][0])
        FAIL("ONNX: node '%s' (%s) has no output", c->name, c->op);
    if (n->n_output > MAX_ATTRS)
        FAIL("ONNX: node '%s' (%s) has %zu outputs (at most %d)", c->name, c->op, n->n_output, MAX_ATTRS);
    for (size_t k = 0; k < n->n_output; k++) {
        if (!n->output[k][0]) continue; /* an optional output left out */
        if (names_get(&L->values, n->output[k]))
            FAIL("ONNX: node '%s' (%s): output '%s' is already defined (a value has one "
                 "producer)", c->name, c->op, n->output[k]);
        for (size_t j = 0; j < k; j++)
            if (!strcmp(n->output[j], n->output[k]))
                FAIL("ONNX: node '%s' (%s): output '%s' is listed twice", c->name, c->op, n->output[k]);
    }
    if (n->n_attribute > MAX_ATTRS)
        FAIL("ONNX: node '%s' (%s) has %zu attributes (at most %d)", c->name, c->op, n->n_attribute,
             MAX_ATTRS);
    for (size_t k = 0; k < n->n_attribute; k++) {
        const char *an = n->attribute[k]->name;
        if (!an || !an[0]) FAIL("ONNX: node '%s' (%s): an attribute has no name", c->name, c->op);
        for (size_t j = 0; j < k; j++)
            if (!strcmp(n->attribute[j]->name, an))
                FAIL("ONNX: node '%s' (%s): attribute %s is given twice", c->name, c->op, an);
    }
    return 0;
}

/* Does constant k broadcast onto the ONNX shape d[r] (numpy rules: aligned from
 * the right, each of its dims 1 or d's)? */
static int broadcasts(const Const *k, const int64_t *d, int r) {
    if (k->ndim > r) return 0;
    for (int j = 0; j < k->ndim; j++) {
        int64_t kd = k->dims[j], xd = d[r - k->ndim + j];
        if (kd != 1 && kd != xd) return 0;
    }
    return 1;
}

/* A new anonymous constant: k broadcast onto d[first..r) (d[0..first) are
 * axes k must not vary along), the data a parameter of that many floats needs. */
static Const *broadcast_const(Loader *L, const Const *k, const int64_t *d, int r, int first,
                              const char *what) {
    size_t units = 1;
    for (int a = first; a < r; a++)
        if (!eng_mul_size(&units, units, (size_t)d[a])) units = SIZE_MAX;
    int64_t kdims[MAX_RANK];
    const int kn = k->ndim;
    memcpy(kdims, k->dims, sizeof kdims);
    const float *kf = k->f;
    float *e = budget_alloc(L, units, sizeof *e, what);
    if (!e) return NULL;
    int64_t idx[4] = {0, 0, 0, 0}; /* over d[first..r), row-major */
    for (size_t u = 0; u < units; u++) {
        size_t src = 0;
        for (int j = 0; j < kn; j++) {
            int a = r - kn + j;
            src = src * (size_t)kdims[j] + (kdims[j] == 1 ? 0 : (size_t)idx[a]);
        }
        e[u] = kf[src];
        for (int a = r - 1; a >= first; a--) {
            if (++idx[a] < d[a]) break;
            idx[a] = 0;
        }
    }
    Const *out = add_const(L, NULL);
    if (!out) {
        free(e);
        return NULL;
    }
    out->f = e, out->n = units, out->ndim = r - first;
    for (int a = first; a < r; a++) out->dims[a - first] = d[a];
    return out;
}

/* PRelu: the slope broadcasts onto x (opset 7 on). One shared value or one
 * per channel are the engine's usual forms; any other shape becomes one slope
 * per unit of a sample, expanded here. */
static int prelu_node(Loader *L, const NodeCtx *c, Act *x) {
    int64_t d[4];
    act_dims(L, x, d);
    const int r = x->rank, node = x->node;
    const EngShape s = eng_graph_node(L->g, node)->out;
    Const *sl = in_const(L, c, 1);
    /* opset 6 and before: no broadcasting, a slope is shared or one per channel */
    if (L->opset < 7 && !L->one_sample && sl && sl->f && (sl->n == 1 || (r >= 2 && sl->n == (size_t)s.C))) {
        int id = eng_prelu(L->g, c->name, node, (int)sl->n);
        if (out_act_dims(L, c, id, r, d)) return -1;
        return add_pending(L, id, 0, sl, 0, 0, 1);
    }
    if (!sl || !sl->f || !broadcasts(sl, d, r))
        FAIL("ONNX: node '%s' (PRelu): the slope must be a float constant that broadcasts to the "
             "input", c->name);
    /* which of x's axes the slope varies along */
    int varies[4] = {0, 0, 0, 0};
    for (int j = 0; j < sl->ndim; j++) varies[r - sl->ndim + j] = sl->dims[j] != 1;
    if (!L->one_sample && varies[0]) return mixes_batch(L, c, "a slope along axis 0");
    int id;
    const int64_t dims[4] = {d[0], d[1], d[2], d[3]};
    if (sl->n == 1 || (!L->one_sample && r >= 2 && !varies[2] && !varies[3])) {
        id = eng_prelu(L->g, c->name, node, (int)sl->n); /* shared, or per channel (axis 1) */
    } else {
        if (!(sl = broadcast_const(L, sl, dims, r, L->one_sample ? 0 : 1, c->n->input[1]))) return -1;
        if (sl->n > INT32_MAX) FAIL("ONNX: node '%s' (PRelu): too many slopes", c->name);
        id = eng_prelu(L->g, c->name, node, (int)sl->n);
    }
    if (out_act_dims(L, c, id, r, dims)) return -1;
    return add_pending(L, id, 0, sl, 0, 0, 1);
}

/* Gemm in one-sample mode: Y (M, OUT) = alpha * op(A) op(B) + beta * C with A
 * the sample as a matrix and C broadcast to (M, OUT). */
static int gemm_one_sample(Loader *L, const NodeCtx *c, Act *x, int transA, int transB,
                           float alpha, float beta) {
    int64_t d[4];
    act_dims(L, x, d);
    const int node = x->node;
    Const *b = in_const(L, c, 1), *bias = in_const(L, c, 2);
    if (x->rank != 2) FAIL("ONNX: node '%s' (Gemm): A must be 2-D", c->name);
    if (!b || !b->f || b->ndim != 2)
        FAIL("ONNX: node '%s' (Gemm): B must be a 2-D float constant", c->name);
    if (has_input(c, 2) && (!bias || !bias->f))
        FAIL("ONNX: node '%s' (Gemm): C must be a float constant", c->name);
    const int64_t M = transA ? d[1] : d[0], K = transA ? d[0] : d[1];
    const int64_t rows = b->dims[0], cols = b->dims[1];
    const int64_t kk = transB ? cols : rows, out = transB ? rows : cols;
    if (kk != K || out < 1 || out > MAX_DIM)
        FAIL("ONNX: node '%s' (Gemm): B %lldx%lld does not fit A %lldx%lld", c->name,
             (long long)rows, (long long)cols, (long long)d[0], (long long)d[1]);
    const int64_t yd[4] = {M, out, 0, 0};
    if (bias) {
        if (!broadcasts(bias, yd, 2))
            FAIL("ONNX: node '%s' (Gemm): C of rank %d does not broadcast to %lldx%lld", c->name,
                 bias->ndim, (long long)M, (long long)out);
        if (!(bias = broadcast_const(L, bias, yd, 2, 0, c->n->input[2]))) return -1;
        b = in_const(L, c, 1); /* add_const may have moved the array */
    }
    int id = eng_matmul(L->g, c->name, node, (int)M, (int)K, (int)out, transA, bias != NULL);
    if (out_act_dims(L, c, id, 2, yd)) return -1;
    /* the weight is stored (OUT, K) as FC's: B (K, OUT) is transposed on the way in */
    if (add_pending(L, id, 0, b, transB ? 0 : (int)rows, transB ? 0 : (int)cols, alpha)) return -1;
    return bias ? add_pending(L, id, 1, bias, 0, 0, beta) : 0;
}

/* A float constant that broadcasts onto x's ONNX shape d[r] without making it
 * larger; in batch mode it must not vary along axis 0 (one value per sample). */
static int const_onto(Loader *L, const NodeCtx *c, const Const *k, const int64_t *d, int r,
                      int input) {
    if (!k->f || k->ndim > r)
        FAIL("ONNX: node '%s' (%s): input %d must be a float constant of rank at most %d that "
             "broadcasts to the computed input", c->name, c->op, input, r);
    int batch_axis = 0;
    for (int j = 0; j < k->ndim; j++) {
        const int a = r - k->ndim + j;
        if (k->dims[j] == 1) continue;
        if (a == 0 && !L->one_sample) batch_axis = 1;
        else if (k->dims[j] != d[a])
            FAIL("ONNX: node '%s' (%s): input %d has size %lld at axis %d where the computed "
                 "input has %lld; only constants that broadcast onto it are supported", c->name,
                 c->op, input, (long long)k->dims[j], a, (long long)d[a]);
    }
    return batch_axis ? mixes_batch(L, c, "a constant that differs from sample to sample") : 0;
}

/* Add, Sub, Mul, Div (and Sum) of constants, as shape arithmetic computes
 * (PyTorch's x.chunk: (C + 1) / 2): folded, elementwise, a one-element
 * operand broadcast. Integers divide as C does (toward zero); no division by 0. */
static int fold_arith(Loader *L, const NodeCtx *c) {
    const Onnx__NodeProto *n = c->n;
    const int op = !strcmp(c->op, "Sub") ? '-' : !strcmp(c->op, "Mul") ? '*' : !strcmp(c->op, "Div") ? '/' : '+';
    if (n->n_input < 1 || (op != '+' && n->n_input != 2))
        FAIL("ONNX: node '%s' (%s): needs two inputs", c->name, c->op);
    const Const *a0 = in_const(L, c, 0);
    if (!a0) FAIL("ONNX: node '%s' (%s): input 0 is not a constant", c->name, c->op);
    const int ints = a0->i != NULL;
    size_t count = 1;
    int big = 0; /* the operand whose shape the result takes */
    for (size_t k = 0; k < n->n_input; k++) {
        const Const *b = in_const(L, c, (int)k);
        if (!b || (ints ? !b->i : !b->f))
            FAIL("ONNX: node '%s' (%s): constant inputs must all be integers or all floats", c->name, c->op);
        if (b->n != 1 && count != 1 && b->n != count)
            FAIL("ONNX: node '%s' (%s): constants of %zu and %zu values do not broadcast (only one "
                 "value, or as many, are supported)", c->name, c->op, count, b->n);
        /* the result takes the shape of the largest operand, of the highest rank among equals */
        const Const *sb = in_const(L, c, big);
        if (b->n > sb->n || (b->n == sb->n && b->ndim > sb->ndim)) big = (int)k;
        if (b->n != 1) count = b->n;
    }
    void *buf = budget_alloc(L, count, ints ? sizeof(int64_t) : sizeof(float), n->output[0]);
    if (!buf) return -1;
    int64_t *iv = buf;
    float *fv = buf;
    for (size_t j = 0; j < count; j++) {
        const Const *b = in_const(L, c, 0);
        int64_t ia = ints ? b->i[b->n == 1 ? 0 : j] : 0;
        float fa = ints ? 0.0f : b->f[b->n == 1 ? 0 : j];
        for (size_t k = 1; k < n->n_input; k++) {
            b = in_const(L, c, (int)k);
            const size_t at = b->n == 1 ? 0 : j;
            if (ints) {
                const int64_t v = b->i[at];
                if (op == '/' && (v == 0 || (v == -1 && ia == INT64_MIN))) {
                    free(buf);
                    FAIL("ONNX: node '%s' (Div): integer division by %lld", c->name, (long long)v);
                }
                /* wrapping, not undefined: these are sizes, far from the limits */
                ia = op == '+' ? (int64_t)((uint64_t)ia + (uint64_t)v)
                     : op == '-' ? (int64_t)((uint64_t)ia - (uint64_t)v)
                     : op == '*' ? (int64_t)((uint64_t)ia * (uint64_t)v)
                                 : ia / v;
            } else {
                const float v = b->f[at];
                fa = op == '+' ? fa + v : op == '-' ? fa - v : op == '*' ? fa * v : fa / v;
            }
        }
        if (ints) iv[j] = ia;
        else fv[j] = fa;
    }
    const Const *shape = in_const(L, c, big);
    return put_const(L, c, buf, ints, count, shape->ndim, shape->dims);
}

/* Add, Sum, Mul, Sub or Div with constant inputs (a bias or scale from the
 * file, a normalisation (x - mean) / std written into the model, graph inputs
 * bound to values): one computed input; the constants, broadcast to its shape
 * (numpy rules), become one shift per unit (Add, Sum: their sum; Sub x - k:
 * -k) or one scale per unit (Mul; Div x / k: 1 / k) of an affine node, or
 * both (Sub k - x: scale -1, shift k). 1: no constant input. */
static int const_arith_node(Loader *L, const NodeCtx *c) {
    const Onnx__NodeProto *n = c->n;
    const int sub = !strcmp(c->op, "Sub"), div = !strcmp(c->op, "Div");
    const int mul = !strcmp(c->op, "Mul") || div;
    int xi = -1, n_const = 0;
    for (size_t k = 0; k < n->n_input; k++) {
        if (!has_input(c, (int)k)) FAIL("ONNX: node '%s' (%s): input %zu is empty", c->name, c->op, k);
        if (in_act(L, c, (int)k)) {
            if (xi < 0) xi = (int)k;
        } else {
            n_const++;
        }
    }
    if (!n_const) return 1;
    if (xi < 0) return fold_arith(L, c);
    if ((size_t)n_const + 1 != n->n_input)
        FAIL("ONNX: node '%s' (%s): with constant inputs, one computed input is supported", c->name,
             c->op);
    if ((mul || sub) && n->n_input != 2) FAIL("ONNX: node '%s' (%s): needs two inputs", c->name, c->op);
    if (div && xi != 0)
        FAIL("ONNX: node '%s' (Div): a constant divided by a computed tensor is not supported "
             "(a computed tensor divided by a constant is)", c->name);
    Act *x = in_act(L, c, xi);
    int64_t d[4];
    act_dims(L, x, d);
    const int r = x->rank, node = x->node;
    for (size_t k = 0; k < n->n_input; k++)
        if ((int)k != xi && const_onto(L, c, in_const(L, c, (int)k), d, r, (int)k)) return -1;
    int acc = -1; /* index of the summed constant (the array may move) */
    for (size_t k = 0; k < n->n_input; k++) {
        if ((int)k == xi) continue;
        Const *e = broadcast_const(L, in_const(L, c, (int)k), d, r, L->one_sample ? 0 : 1, n->input[k]);
        if (!e) return -1;
        if (acc < 0) {
            acc = L->n_consts - 1;
        } else {
            Const *a = &L->consts[acc];
            for (size_t i = 0; i < a->n; i++) a->f[i] += e->f[i];
        }
    }
    Const *k = &L->consts[acc];
    if (div)
        for (size_t i = 0; i < k->n; i++) k->f[i] = 1.0f / k->f[i]; /* x / 0: x * inf, as IEEE */
    if (sub && xi == 1) { /* k - x: scale -1, shift k */
        float *neg = budget_alloc(L, k->n, sizeof *neg, c->n->output[0]);
        Const *s1 = neg ? add_const(L, NULL) : NULL;
        if (!s1) return free(neg), -1;
        k = &L->consts[acc];
        for (size_t i = 0; i < k->n; i++) neg[i] = -1.0f;
        *s1 = *k;
        s1->f = neg;
        int id = eng_affine(L->g, c->name, node, 1, 1);
        if (out_act_dims(L, c, id, r, d)) return -1;
        return add_pending(L, id, 0, &L->consts[L->n_consts - 1], 0, 0, 1) ||
                       add_pending(L, id, 1, &L->consts[acc], 0, 0, 1)
                   ? -1
                   : 0;
    }
    int id = eng_affine(L->g, c->name, node, mul, !mul);
    if (out_act_dims(L, c, id, r, d)) return -1;
    return add_pending(L, id, 0, &L->consts[acc], 0, 0, sub ? -1.0f : 1.0f);
}

/* The engine (C, H, W) of an ONNX shape in the current mode. */
static int engine_shape(const Loader *L, const int64_t *d, int r, EngShape *s) {
    if (L->one_sample) return sample_shape(d, r, &s->C, &s->H, &s->W);
    int64_t C = r > 1 ? d[1] : 1, H = r > 2 ? d[2] : 1, W = r > 3 ? d[3] : 1;
    if (C > MAX_DIM || H > MAX_DIM || W > MAX_DIM) return -1;
    *s = (EngShape){(int)C, (int)H, (int)W};
    return 0;
}

/* Concat along any axis. Constant inputs (from the file, or graph inputs bound
 * to values) become constant nodes; in batch mode they must be one sample's
 * (the batch of 1), since a constant is the same in every sample. */
static int concat_node(Loader *L, const NodeCtx *c) {
    const Onnx__NodeProto *n = c->n;
    int ids[MAX_MERGE], xi = -1;
    if (n->n_input > MAX_MERGE)
        FAIL("ONNX: node '%s' (Concat): %zu inputs (at most %d)", c->name, n->n_input, MAX_MERGE);
    for (size_t k = 0; k < n->n_input && xi < 0; k++)
        if (in_act(L, c, (int)k)) xi = (int)k;
    if (xi < 0) return fold_concat(L, c);
    int64_t d[4], od[4], axis;
    act_dims(L, in_act(L, c, xi), d);
    const int r = in_act(L, c, xi)->rank;
    if (get_int(L, c, "axis", 1, -r, r - 1, &axis)) return -1;
    if (axis < 0) axis += r;
    if (axis == 0 && !L->one_sample) return mixes_batch(L, c, "a concat along axis 0");
    memcpy(od, d, sizeof od);
    od[axis] = 0;
    int all_acts = 1;
    for (size_t k = 0; k < n->n_input; k++) {
        Act *a = in_act(L, c, (int)k);
        Const *kc = a ? NULL : in_const(L, c, (int)k);
        int64_t e[4] = {1, 1, 1, 1};
        int er;
        if (a) {
            act_dims(L, a, e);
            er = a->rank;
        } else if (kc && kc->f && kc->ndim == r) {
            for (int j = 0; j < r; j++) e[j] = kc->dims[j];
            er = r;
            all_acts = 0;
        } else {
            FAIL("ONNX: node '%s' (Concat): input %zu must be a computed tensor or a float "
                 "constant of rank %d", c->name, k, r);
        }
        for (int j = 0; j < r; j++)
            if (er != r || (j != axis && e[j] != d[j]))
                FAIL("ONNX: node '%s' (Concat): input %zu differs from input %d outside axis %lld",
                     c->name, k, xi, (long long)axis);
        if (!a && !L->one_sample && e[0] != 1)
            return mixes_batch(L, c, "a constant of a batch larger than 1");
        od[axis] += e[axis]; /* each below 2^24, at most MAX_MERGE of them */
        if (od[axis] > MAX_DIM)
            FAIL("ONNX: node '%s' (Concat): %lld values along axis %lld are too many", c->name,
                 (long long)od[axis], (long long)axis);
        if (a) {
            ids[k] = a->node;
            continue;
        }
        /* the constant as a node of one sample */
        EngShape cs;
        char nm[96];
        const char *cname = unique_name(L, n->input[k], nm, sizeof nm);
        if (!cname) return oom(L, "naming a constant");
        if (engine_shape(L, e, r, &cs) != 0)
            FAIL("ONNX: node '%s' (Concat): constant input %zu is too large", c->name, k);
        int id = eng_const(L->g, cname, cs.C, cs.H, cs.W);
        if (id < 0) return engine_fail(L);
        if (count_act(L, c, id)) return -1;
        if (add_pending(L, id, 0, in_const(L, c, (int)k), 0, 0, 1.0f)) return -1;
        ids[k] = id;
    }
    EngShape os;
    if (engine_shape(L, od, r, &os) != 0)
        FAIL("ONNX: node '%s' (Concat): the output is too large", c->name);
    int id;
    if (!L->one_sample && axis == 1 && all_acts) {
        id = eng_concat(L->g, c->name, ids, (int)n->n_input);
    } else {
        int64_t outer = 1, inner = 1;
        for (int j = L->one_sample ? 0 : 1; j < axis; j++) outer *= d[j];
        for (int j = (int)axis + 1; j < r; j++) inner *= d[j];
        id = eng_concat_span(L->g, c->name, ids, (int)n->n_input, (int)outer, (int)inner, os);
    }
    return out_act_dims(L, c, id, r, od);
}

/* MaxUnpool with constant indices (flattened over the whole N, C, DH, DW
 * tensor the pool saw, as MaxPool's Indices are): in batch mode one sample's,
 * in one-sample mode the whole tensor's. (DH, DW) is (in - 1) * stride +
 * kernel - pads; an output_shape at least that large adds zeros at the bottom
 * and right (the ONNX reference's result). Each index is range-checked and
 * must be distinct. */
static int maxunpool_node(Loader *L, const NodeCtx *c) {
    Act *x = in_act(L, c, 0);
    Const *ix = in_const(L, c, 1), *os = in_const(L, c, 2);
    if (!x || x->rank != 4) FAIL("ONNX: node '%s' (MaxUnpool): its input must be a 4-D feature map", c->name);
    if (!ix || !ix->i)
        FAIL("ONNX: node '%s' (MaxUnpool): the indices must be an integer constant (indices "
             "computed by a MaxPool are not supported)", c->name);
    int64_t d[4], k[2], st[2] = {1, 1}, p[4] = {0, 0, 0, 0};
    act_dims(L, x, d);
    const int node = x->node;
    const EngShape s = eng_graph_node(L->g, node)->out;
    int m = get_ints(L, c, "kernel_shape", 2, 1, MAX_WINDOW, k);
    if (m < 0 || get_ints(L, c, "strides", 2, 1, MAX_WINDOW, st) < 0 ||
        get_ints(L, c, "pads", 4, 0, MAX_WINDOW, p) < 0)
        return -1;
    if (m != 2) FAIL("ONNX: node '%s' (MaxUnpool): needs a 2-D kernel_shape", c->name);
    if (ix->ndim != 4 || memcmp(ix->dims, d, 4 * sizeof *d))
        FAIL("ONNX: node '%s' (MaxUnpool): the indices must have the input's shape", c->name);
    if (!L->one_sample && ix->dims[0] != 1) return mixes_batch(L, c, "indices of a batch larger than 1");
    /* the output: (in - 1) * stride + kernel - pads, or output_shape */
    const int64_t dh = (d[2] - 1) * st[0] + k[0] - p[0] - p[2], dw = (d[3] - 1) * st[1] + k[1] - p[1] - p[3];
    int64_t oh = dh, ow = dw;
    if (has_input(c, 2)) {
        if (!os || !os->i || os->n != 4 || os->i[0] != d[0] || os->i[1] != d[1] || os->i[2] < dh ||
            os->i[3] < dw)
            FAIL("ONNX: node '%s' (MaxUnpool): output_shape must be 4 integers with the input's N "
                 "and C and at least %lldx%lld", c->name, (long long)dh, (long long)dw);
        oh = os->i[2], ow = os->i[3];
    }
    if (dh < 1 || dw < 1) FAIL("ONNX: node '%s' (MaxUnpool): pads larger than the output", c->name);
    const int64_t planes = L->one_sample ? d[0] * d[1] : d[1];
    /* divided, not multiplied: planes * oh * ow can pass 2^63 */
    if (oh < 1 || ow < 1 || oh > MAX_DIM || ow > MAX_DIM || planes < 1 ||
        planes > ENG_UNPOOL_MAX_UNITS / oh / ow)
        FAIL("ONNX: node '%s' (MaxUnpool): output %lldx%lld of %lld planes (1 to %d units)",
             c->name, (long long)oh, (long long)ow, (long long)planes, ENG_UNPOOL_MAX_UNITS);
    const size_t osz = (size_t)(planes * oh * ow), isz = (size_t)s.C * s.H * s.W;
    const size_t fsz = (size_t)(planes * dh * dw); /* the indices' frame, inside the output */
    float *places = budget_alloc(L, isz, sizeof *places, c->n->input[1]);
    uint8_t *seen = places ? budget_alloc(L, osz, 1, c->n->input[1]) : NULL;
    if (!seen) return free(places), -1;
    memset(seen, 0, osz);
    ix = in_const(L, c, 1);
    for (size_t i = 0; i < isz; i++) {
        int64_t j = ix->i[i];
        if (j < 0 || (uint64_t)j >= fsz || seen[j]) {
            free(places), free(seen);
            FAIL("ONNX: node '%s' (MaxUnpool): index %lld is %s", c->name, (long long)j,
                 j < 0 || (uint64_t)j >= fsz ? "outside the output" : "repeated");
        }
        seen[j] = 1;
        /* (plane, h, w) of the frame -> the same place in the output */
        const int64_t pl = j / (dh * dw), h = (j / dw) % dh, w = j % dw;
        places[i] = (float)((pl * oh + h) * ow + w); /* exact: below 2^24 */
    }
    free(seen);
    L->budget += osz; /* seen is gone */
    Const *pc = add_const(L, NULL);
    if (!pc) return free(places), -1;
    pc->f = places, pc->n = isz, pc->ndim = 1, pc->dims[0] = (int64_t)isz;
    const int id = eng_maxunpool(L->g, c->name, node, (int)oh, (int)ow);
    int64_t od[4] = {d[0], d[1], oh, ow};
    if (out_act_dims(L, c, id, 4, od)) return -1;
    return add_pending(L, id, 0, pc, 0, 0, 1.0f);
}

/* (Log) softmax over ONNX axis `axis` of x, defining c's first output (c: the
 * node, or the last node of an expansion). one_axis (opset 13): over that axis
 * alone; before: over everything from the axis on (the input flattened to 2-D
 * there). Either way a span of len values spaced inner apart inside a sample,
 * unless the axis is the batch's. */
static int softmax_node(Loader *L, const NodeCtx *c, Act *x, int64_t axis, int one_axis, int log) {
    int64_t xd[4], len = 1, inner = 1;
    act_dims(L, x, xd);
    if (axis < 0) axis += x->rank;
    if (axis == 0 && !L->one_sample) return mixes_batch(L, c, "a softmax over axis 0");
    for (int k = (int)axis; k < x->rank; k++) {
        if (k == axis || !one_axis) len *= xd[k];
        else inner *= xd[k];
    }
    const int id = (log ? eng_logsoftmax_span : eng_softmax_span)(L->g, c->name, x->node, (int)len,
                                                                  (int)inner);
    return out_act_dims(L, c, id, x->rank, xd);
}

/* A reduction's single axis (attribute "axes", or from opset 13 for ReduceSum
 * a constant second input) and keepdims 1; -1 if it is not that. */
static int reduce_axis(Loader *L, const Onnx__NodeProto *n, int rank, int64_t *axis) {
    const Onnx__AttributeProto *kd = attr(n, "keepdims"), *ax = attr(n, "axes");
    if (kd && (attr_type(kd) != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT || kd->i != 1)) return -1;
    int64_t a;
    if (ax) {
        if (attr_type(ax) != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS || ax->n_ints != 1) return -1;
        a = ax->ints[0];
    } else {
        const Const *k = n->n_input > 1 && n->input[1][0] ? find_const(L, n->input[1]) : NULL;
        if (!k || !k->i || k->n != 1) return -1;
        a = k->i[0];
    }
    if (a < -rank || a >= rank) return -1;
    *axis = a < 0 ? a + rank : a;
    return 0;
}

/* The first node after `after` and before `before` that reads value v, or NULL. */
static const Onnx__NodeProto *first_reader(Loader *L, const char *v, size_t after, size_t before,
                                           size_t *index) {
    for (size_t k = after + 1; k < before && k < L->gp->n_node; k++) {
        const Onnx__NodeProto *n = L->gp->node[k];
        for (size_t j = 0; j < n->n_input; j++)
            if (!strcmp(n->input[j], v)) {
                *index = k;
                return n;
            }
    }
    return NULL;
}

static int is_op(const Onnx__NodeProto *n, const char *op, size_t n_in) {
    return n && n->op_type && !strcmp(n->op_type, op) && n->n_input == n_in && n->n_output == 1 &&
           n->output[0][0] && (!n->domain || !n->domain[0] || !strcmp(n->domain, "ai.onnx"));
}

/* Softmax's and LogSoftmax's expansions, as ONNX defines Softmax-13 and
 * LogSoftmax-13 by functions (and as the backend tests' *_expanded models
 * spell them out):
 *   m = ReduceMax(x, axis, keepdims 1); d = Sub(x, m); e = Exp(d);
 *   s = ReduceSum(e, axis, keepdims 1); then y = Div(e, s) (softmax)
 *   or l = Log(s); y = Sub(d, l) (log softmax)
 * each intermediate read by the pattern's nodes alone. One (log) softmax node,
 * named after the last node, computes y; the nodes after the ReduceMax are
 * skipped. Returns 1 when the pattern is not there. */
static int softmax_expansion(Loader *L, const NodeCtx *c) {
    const Onnx__NodeProto *rm = c->n, *sub, *ex, *rs, *last, *lg = NULL;
    Act *x = in_act(L, c, 0);
    size_t isub, iex, irs, ilast, ilg = 0;
    int64_t a1, a2;
    if (!x || rm->n_input != 1 || rm->n_output != 1 || !rm->output[0][0]) return 1;
    if (!L->have_readers && build_readers(L)) return -1;
    if (reduce_axis(L, rm, x->rank, &a1) || !(sub = sole_reader(L, rm->output[0], c->index, "Sub", 1, &isub)) ||
        !is_op(sub, "Sub", 2) || strcmp(sub->input[0], rm->input[0]))
        return 1;
    const char *d = sub->output[0];
    const Slot *ds = names_get(&L->readers, d);
    if (!ds) return 1;
    const int log = ds->kind == 2; /* d read again by the last Sub */
    if (!log && ds->kind != 1) return 1;
    ex = first_reader(L, d, isub, L->gp->n_node, &iex);
    if (!is_op(ex, "Exp", 1)) return 1;
    const Slot *es = names_get(&L->readers, ex->output[0]);
    if (!es || es->kind != (log ? 1 : 2)) return 1; /* softmax: ReduceSum and Div read e */
    rs = first_reader(L, ex->output[0], iex, L->gp->n_node, &irs);
    if (!rs || !rs->op_type || strcmp(rs->op_type, "ReduceSum") || rs->n_input < 1 || rs->n_input > 2 ||
        rs->n_output != 1 || strcmp(rs->input[0], ex->output[0]))
        return 1;
    const Onnx__AttributeProto *noop = attr(rs, "noop_with_empty_axes");
    if ((noop && noop->i != 0) || reduce_axis(L, rs, x->rank, &a2) || a1 != a2) return 1;
    if (!log) {
        last = sole_reader(L, rs->output[0], irs, "Div", 1, &ilast);
        if (!is_op(last, "Div", 2) || strcmp(last->input[0], ex->output[0]) || (size_t)es->idx != ilast)
            return 1;
    } else {
        lg = sole_reader(L, rs->output[0], irs, "Log", 0, &ilg);
        if (!is_op(lg, "Log", 1)) return 1;
        last = sole_reader(L, lg->output[0], ilg, "Sub", 1, &ilast);
        if (!is_op(last, "Sub", 2) || strcmp(last->input[0], d) || (size_t)ds->idx != ilast) return 1;
    }
    if (!L->fused && !(L->fused = calloc(L->gp->n_node, 1))) return oom(L, "fusing a softmax");
    char nm[96];
    const char *base = last->name && last->name[0] ? last->name : last->output[0];
    NodeCtx out = {last, unique_name(L, base, nm, sizeof nm), "", ilast, 0};
    snprintf(out.op, sizeof out.op, "%s", log ? "LogSoftmax" : "Softmax");
    if (!out.name) return oom(L, "naming a node");
    if (check_new_value(L, last->output[0], "node output")) return -1;
    if (softmax_node(L, &out, x, a1, 1, log)) return -1;
    L->fused[isub] = L->fused[iex] = L->fused[irs] = L->fused[ilast] = 1;
    if (lg) L->fused[ilg] = 1;
    return 0;
}

/* A weight or bias of a layer norm's expansion: a float constant that
 * broadcasts onto x (rank r) varying at most along axis a; its len values
 * along that axis as a new constant (its index), or -1 if it is not that. */
static int ln_axis_values(Loader *L, const Const *k, int r, int a, int64_t len) {
    if (!k || !k->f || k->ndim > r) return -1;
    for (int j = 0; j < k->ndim; j++) {
        const int ax = r - k->ndim + j;
        if (k->dims[j] != 1 && (ax != a || k->dims[j] != len)) return -1;
    }
    const int ki = (int)(k - L->consts);
    float *f = budget_alloc(L, (size_t)len, sizeof *f, "layer norm");
    Const *o = f ? add_const(L, NULL) : NULL;
    if (!o) return free(f), -2;
    k = &L->consts[ki];
    for (int64_t i = 0; i < len; i++) f[i] = k->f[k->n == 1 ? 0 : i];
    o->f = f, o->n = (size_t)len, o->ndim = 1, o->dims[0] = len;
    return L->n_consts - 1;
}

/* The nodes of a layer norm written out (PyTorch's F.layer_norm below opset
 * 17, and this project's own export of one):
 *   m = ReduceMean(x, axis a, keepdims 1); d = Sub(x, m);
 *   q = Pow(d, 2) or Mul(d, d); v = ReduceMean(q, a); e = Add(v, eps);
 *   s = Sqrt(e); n = Div(d, s); then optionally Mul(n, w) and Add(., b)
 * with w and b constants along axis a, each intermediate read by the next
 * node alone: one layer norm node over axis a (len d[a], inner the axes after
 * it), named after the last node; the nodes after the first ReduceMean are
 * skipped. 1: not this pattern (the nodes are converted one by one). */
static int layernorm_expansion(Loader *L, const NodeCtx *c) {
    const Onnx__NodeProto *sub, *sq, *rm2, *add, *sq_root, *div, *mul, *add2, *last;
    size_t isub, isq, irm2, iadd, isr, idiv, imul = 0, iadd2 = 0, ilast;
    int64_t a1, a2, xd[4];
    Act *x = in_act(L, c, 0);
    if (!x || c->n->n_output != 1) return 1;
    if (!L->have_readers && build_readers(L)) return -1;
    if (reduce_axis(L, c->n, x->rank, &a1) || (a1 == 0 && !L->one_sample)) return 1;
    if (!(sub = sole_reader(L, c->n->output[0], c->index, "Sub", 1, &isub)) || !is_op(sub, "Sub", 2) ||
        strcmp(sub->input[0], c->n->input[0]))
        return 1;
    const char *d = sub->output[0];
    const Slot *ds = names_get(&L->readers, d);
    sq = ds ? first_reader(L, d, isub, L->gp->n_node, &isq) : NULL;
    if (!sq) return 1;
    const int by_mul = is_op(sq, "Mul", 2) && !strcmp(sq->input[0], d) && !strcmp(sq->input[1], d);
    const Const *two = is_op(sq, "Pow", 2) && !strcmp(sq->input[0], d) ? find_const(L, sq->input[1]) : NULL;
    const int by_pow = two && two->n == 1 && (two->f ? two->f[0] == 2.0f : two->i[0] == 2);
    if ((!by_mul && !by_pow) || ds->kind != (by_mul ? 3 : 2)) return 1;
    if (!(rm2 = sole_reader(L, sq->output[0], isq, "ReduceMean", 0, &irm2)) || rm2->n_output != 1 ||
        reduce_axis(L, rm2, x->rank, &a2) || a2 != a1 ||
        !(add = sole_reader(L, rm2->output[0], irm2, "Add", 0, &iadd)) || !is_op(add, "Add", 2) ||
        !(sq_root = sole_reader(L, add->output[0], iadd, "Sqrt", 0, &isr)) || !is_op(sq_root, "Sqrt", 1) ||
        !(div = sole_reader(L, sq_root->output[0], isr, "Div", 1, &idiv)) || !is_op(div, "Div", 2) ||
        strcmp(div->input[0], d))
        return 1;
    const Const *eps = find_const(L, add->input[1]);
    if (!eps || !eps->f || eps->n != 1 || !(eps->f[0] >= 0.0f) || !isfinite(eps->f[0])) return 1;
    const float epsilon = eps->f[0]; /* add_const below may move the constants */
    act_dims(L, x, xd);
    const int r = x->rank, a = (int)a1;
    const int64_t len = xd[a];
    int64_t inner = 1;
    for (int j = a + 1; j < r; j++) inner *= xd[j];
    int wi = -1, bi = -1;
    last = div, ilast = idiv;
    mul = sole_reader(L, div->output[0], idiv, "Mul", 0, &imul);
    if (mul && is_op(mul, "Mul", 2) && (wi = ln_axis_values(L, find_const(L, mul->input[1]), r, a, len)) >= 0) {
        last = mul, ilast = imul;
        add2 = sole_reader(L, mul->output[0], imul, "Add", 0, &iadd2);
        if (add2 && is_op(add2, "Add", 2) &&
            (bi = ln_axis_values(L, find_const(L, add2->input[1]), r, a, len)) >= 0)
            last = add2, ilast = iadd2;
    }
    if (wi == -2 || bi == -2) return -1;
    /* no weight: ones; no bias: zeros */
    for (int p = 0; p < 2; p++) {
        if ((p ? bi : wi) >= 0) continue;
        float *f = budget_alloc(L, (size_t)len, sizeof *f, "layer norm");
        Const *o = f ? add_const(L, NULL) : NULL;
        if (!o) return free(f), -1;
        for (int64_t i = 0; i < len; i++) f[i] = p ? 0.0f : 1.0f;
        o->f = f, o->n = (size_t)len, o->ndim = 1, o->dims[0] = len;
        *(p ? &bi : &wi) = L->n_consts - 1;
    }
    if (!L->fused && !(L->fused = calloc(L->gp->n_node, 1))) return oom(L, "fusing a layer norm");
    char nm[96];
    const char *base = last->name && last->name[0] ? last->name : last->output[0];
    NodeCtx out = {last, unique_name(L, base, nm, sizeof nm), "LayerNormalization", ilast, 0};
    if (!out.name) return oom(L, "naming a node");
    if (check_new_value(L, last->output[0], "node output")) return -1;
    const int id = eng_layernorm_span(L->g, out.name, x->node, (int)len, (int)inner, epsilon);
    if (out_act_dims(L, &out, id, r, xd) || add_pending(L, id, 0, &L->consts[wi], 0, 0, 1.0f) ||
        add_pending(L, id, 1, &L->consts[bi], 0, 0, 1.0f))
        return -1;
    const size_t skip[6] = {isub, isq, irm2, iadd, isr, idiv};
    for (int k = 0; k < 6; k++) L->fused[skip[k]] = 1;
    if (last != div) L->fused[imul] = 1;
    if (last != div && last != mul) L->fused[iadd2] = 1;
    return 0;
}

/* Transpose of a computed tensor. Batch mode: axis 0 (the batch) must stay
 * first, a sample's axes are permuted; one sample: the whole ONNX tensor's.
 * Either way the sample is read as 4 axes (ones in front). */
static int transpose_node(Loader *L, const NodeCtx *c, Act *x) {
    const int r = x->rank;
    int64_t d[4], od[4], p[4] = {0, 0, 0, 0};
    act_dims(L, x, d);
    int m = get_ints(L, c, "perm", r, 0, r - 1, p);
    if (m < 0) return -1;
    if (m == 0)
        for (int k = 0; k < r; k++) p[k] = r - 1 - k; /* default: the axes reversed */
    int seen = 0;
    for (int k = 0; k < r; k++) {
        if (seen & (1 << p[k])) FAIL("ONNX: node '%s' (Transpose): perm repeats axis %lld", c->name, (long long)p[k]);
        seen |= 1 << p[k];
        od[k] = d[p[k]];
    }
    if (p[0] != 0 && !L->one_sample) return mixes_batch(L, c, "a transpose that moves axis 0");
    /* the sample's axes: in batch mode ONNX axes 1.. (axis 0 is N), else all */
    const int first = L->one_sample ? 0 : 1, n = r - first, off = 4 - n;
    int dims[4], perm[4];
    for (int k = 0; k < 4; k++) dims[k] = 1, perm[k] = k;
    for (int k = 0; k < n; k++) {
        dims[off + k] = (int)d[first + k];
        perm[off + k] = off + (int)(p[first + k] - first);
    }
    EngShape os;
    if (engine_shape(L, od, r, &os) != 0) FAIL("ONNX: node '%s' (Transpose): the output is too large", c->name);
    const int id = eng_transpose(L->g, c->name, x->node, dims, perm, os.C, os.H, os.W);
    return out_act_dims(L, c, id, r, od);
}

/* Slice's parameters for up to MAX_RANK axes: from attributes (opset 1 to 9)
 * or constant inputs (10 on); each axis normalised against dims, start and end
 * clamped as ONNX defines them (step >= 1 only). Returns the axis count. */
static int slice_params(Loader *L, const NodeCtx *c, const int64_t *dims, int rank, int64_t *ax,
                        int64_t *st, int64_t *en, int64_t *sp, int allow_empty) {
    int64_t v[4][MAX_RANK];
    int cnt[4] = {0, 0, 0, 0};
    static const char *const names[4] = {"starts", "ends", "axes", "steps"};
    for (int q = 0; q < 4; q++) {
        if (L->opset < 10) {
            if (q == 3) break;
            const Onnx__AttributeProto *a = attr(c->n, names[q]);
            if (!a) continue;
            if (attr_type(a) != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS || a->n_ints > MAX_RANK)
                FAIL("ONNX: node '%s' (Slice): %s must be at most %d integers", c->name, names[q], MAX_RANK);
            cnt[q] = (int)a->n_ints;
            for (int k = 0; k < cnt[q]; k++) v[q][k] = a->ints[k];
        } else {
            if (!has_input(c, q + 1)) continue;
            const Const *k = in_const(L, c, q + 1);
            if (!k || !k->i || k->ndim > 1 || k->n > MAX_RANK)
                FAIL("ONNX: node '%s' (Slice): %s must be a constant list of at most %d integers",
                     c->name, names[q], MAX_RANK);
            cnt[q] = (int)k->n;
            for (size_t j = 0; j < k->n; j++) v[q][j] = k->i[j];
        }
    }
    const int m = cnt[0];
    if (m < 1 || cnt[1] != m || (cnt[2] && cnt[2] != m) || (cnt[3] && cnt[3] != m) || m > rank)
        FAIL("ONNX: node '%s' (Slice): starts, ends, axes and steps must be lists of one length, "
             "at most the rank %d", c->name, rank);
    int seen = 0;
    for (int k = 0; k < m; k++) {
        int64_t a = cnt[2] ? v[2][k] : k, step = cnt[3] ? v[3][k] : 1;
        if (a < -rank || a >= rank) FAIL("ONNX: node '%s' (Slice): axis %lld is outside -%d..%d", c->name, (long long)a, rank, rank - 1);
        if (a < 0) a += rank;
        if (seen & (1 << a)) FAIL("ONNX: node '%s' (Slice): axis %lld is given twice", c->name, (long long)a);
        seen |= 1 << a;
        if (step < 1) FAIL("ONNX: node '%s' (Slice): step %lld (steps of 1 and more are supported)", c->name, (long long)step);
        const int64_t d = dims[a];
        int64_t b = v[0][k], e = v[1][k];
        b = b < 0 ? (b < -d ? 0 : b + d) : (b > d ? d : b);
        e = e < 0 ? (e < -d ? 0 : e + d) : (e > d ? d : e);
        if (e <= b && allow_empty) e = b; /* a shape's empty prefix (a layer norm from axis 0) */
        if (e <= b && !allow_empty)
            FAIL("ONNX: node '%s' (Slice): axis %lld keeps nothing (an empty tensor)", c->name, (long long)a);
        ax[k] = a, st[k] = b, en[k] = e, sp[k] = step;
    }
    return m;
}

/* Slice: of an integer constant (a shape) folded; of a computed tensor, one
 * engine slice per sliced axis (the last named after the node). */
static int slice_node(Loader *L, const NodeCtx *c) {
    int64_t ax[MAX_RANK], st[MAX_RANK], en[MAX_RANK], sp[MAX_RANK];
    Act *x = in_act(L, c, 0);
    if (!x) {
        const Const *d = in_const(L, c, 0);
        if (!d || !d->i || d->ndim != 1 || d->n > MAX_RANK)
            FAIL("ONNX: node '%s' (Slice): only slices of computed tensors and of short integer "
                 "lists are supported", c->name);
        int64_t dim = (int64_t)d->n, buf[MAX_RANK];
        if (slice_params(L, c, &dim, 1, ax, st, en, sp, 1) < 0) return -1;
        d = in_const(L, c, 0);
        size_t n = 0;
        for (int64_t j = st[0]; j < en[0]; j += sp[0]) buf[n++] = d->i[j];
        return fold_result(L, c, 1, buf, n);
    }
    int64_t d[4];
    act_dims(L, x, d);
    const int r = x->rank;
    const int m = slice_params(L, c, d, r, ax, st, en, sp, 0);
    if (m < 0) return -1;
    /* an axis keeping all its values (start 0, step 1, to the end) is not cut */
    int64_t cnt[MAX_RANK];
    int node = x->node, last = -1;
    for (int k = 0; k < m; k++)
        if ((cnt[k] = (en[k] - st[k] + sp[k] - 1) / sp[k]) != d[ax[k]]) last = k;
    if (last < 0) /* nothing cut: the output names the same node */
        return add_act(L, c->n->output[0], node, r, L->one_sample ? d : NULL);
    for (int k = 0; k <= last; k++) {
        const int a = (int)ax[k];
        const int64_t count = cnt[k];
        if (count == d[a]) continue;
        if (a == 0 && !L->one_sample) return mixes_batch(L, c, "a slice along axis 0");
        int64_t outer = 1, inner = 1;
        for (int j = L->one_sample ? 0 : 1; j < a; j++) outer *= d[j];
        for (int j = a + 1; j < r; j++) inner *= d[j];
        EngSliceParams p = {(int)outer, (int)d[a], (int)inner, (int)st[k], (int)sp[k], (int)count};
        d[a] = count;
        EngShape os;
        if (engine_shape(L, d, r, &os) != 0) FAIL("ONNX: node '%s' (Slice): the output is too large", c->name);
        const char *name = c->name;
        char nm[96], base[120];
        if (k < last) {
            snprintf(base, sizeof base, "%.80s/axis%d", c->name, a);
            if (!(name = unique_name(L, base, nm, sizeof nm))) return oom(L, "naming a node");
        }
        node = eng_slice(L->g, name, node, &p, os);
        if (node < 0) return engine_fail(L);
        if (k < last && count_act(L, c, node)) return -1;
    }
    return out_act_dims(L, c, node, r, d);
}

/* Split of a computed tensor along one axis: one engine slice per output
 * (named after the node for the first, after its output for the others);
 * sizes from the "split" attribute (to opset 12) or a constant input (13 on),
 * else equal parts. */
static int split_node(Loader *L, const NodeCtx *c, Act *x) {
    const Onnx__NodeProto *n = c->n;
    int64_t d[4], axis, sizes[MAX_MERGE];
    act_dims(L, x, d);
    const int r = x->rank, parts = (int)n->n_output;
    if (parts < 1 || parts > MAX_MERGE)
        FAIL("ONNX: node '%s' (Split): %d outputs (1 to %d are supported)", c->name, parts, MAX_MERGE);
    if (get_int(L, c, "axis", 0, -r, r - 1, &axis)) return -1;
    if (axis < 0) axis += r;
    int ns = 0;
    if (L->opset < 13) {
        const Onnx__AttributeProto *a = attr(n, "split");
        if (a && (attr_type(a) != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS || a->n_ints != (size_t)parts))
            FAIL("ONNX: node '%s' (Split): split must list one size per output", c->name);
        ns = a ? parts : 0;
        for (int k = 0; k < ns; k++) sizes[k] = a->ints[k];
    } else if (has_input(c, 1)) {
        const Const *k = in_const(L, c, 1);
        if (!k || !k->i || k->ndim != 1 || k->n != (size_t)parts)
            FAIL("ONNX: node '%s' (Split): split must be a constant list of one size per output", c->name);
        ns = parts;
        for (int j = 0; j < ns; j++) sizes[j] = k->i[j];
    }
    if (!ns) {
        if (d[axis] % parts)
            FAIL("ONNX: node '%s' (Split): %lld values along axis %lld do not split into %d equal parts",
                 c->name, (long long)d[axis], (long long)axis, parts);
        for (int k = 0; k < parts; k++) sizes[k] = d[axis] / parts;
    }
    int64_t total = 0;
    for (int k = 0; k < parts; k++) {
        if (sizes[k] < 1 || sizes[k] > d[axis])
            FAIL("ONNX: node '%s' (Split): part %d of size %lld (1 to %lld are supported)", c->name, k,
                 (long long)sizes[k], (long long)d[axis]);
        total += sizes[k];
    }
    if (total != d[axis])
        FAIL("ONNX: node '%s' (Split): the parts hold %lld values, axis %lld has %lld", c->name,
             (long long)total, (long long)axis, (long long)d[axis]);
    if (parts == 1) return add_act(L, n->output[0], x->node, r, L->one_sample ? d : NULL);
    if (axis == 0 && !L->one_sample) return mixes_batch(L, c, "a split along axis 0");
    int64_t outer = 1, inner = 1;
    for (int j = L->one_sample ? 0 : 1; j < axis; j++) outer *= d[j];
    for (int j = (int)axis + 1; j < r; j++) inner *= d[j];
    const int src = x->node, len = (int)d[axis];
    int64_t start = 0;
    for (int k = 0; k < parts; k++) {
        int64_t od[4];
        memcpy(od, d, sizeof od);
        od[axis] = sizes[k];
        EngSliceParams p = {(int)outer, len, (int)inner, (int)start, 1, (int)sizes[k]};
        start += sizes[k];
        if (!n->output[k][0]) continue; /* an output left out */
        EngShape os;
        if (engine_shape(L, od, r, &os) != 0) FAIL("ONNX: node '%s' (Split): a part is too large", c->name);
        char nm[96];
        const char *name = k == 0 ? c->name : unique_name(L, n->output[k], nm, sizeof nm);
        if (!name) return oom(L, "naming a node");
        const int id = eng_slice(L->g, name, src, &p, os);
        if (id < 0) return engine_fail(L);
        if (count_act(L, c, id) || add_act(L, n->output[k], id, r, L->one_sample ? od : NULL)) return -1;
    }
    return 0;
}

/* BatchNormalization in training mode (opset 14 on): Y by the batch's own
 * statistics (each channel's mean and biased variance over N and the spatial
 * axes), and the running mean and variance those move (momentum * running +
 * (1 - momentum) * batch's). The statistics cross the batch, so the graph
 * runs as one sample: the tensor (N, C, ...) is N groups of C channels. */
static int bn_training_node(Loader *L, const NodeCtx *c, Act *x) {
    if (!L->one_sample) return mixes_batch(L, c, "a training-mode batch norm (statistics over the batch)");
    int64_t d[4];
    act_dims(L, x, d);
    const int r = x->rank;
    if (r < 2) FAIL("ONNX: node '%s' (BatchNormalization): needs an input of rank 2 to 4", c->name);
    const int64_t nb = d[0], ch = d[1];
    int64_t hw = 1;
    for (int k = 2; k < r; k++) hw *= d[k];
    Const *k[4];
    for (int j = 0; j < 4; j++) {
        k[j] = in_const(L, c, j + 1);
        if (!k[j] || !k[j]->f || k[j]->n != (size_t)ch)
            FAIL("ONNX: node '%s' (BatchNormalization): scale, bias, mean and var must be float "
                 "constants of %lld values", c->name, (long long)ch);
    }
    float eps, momentum;
    if (get_float(L, c, "epsilon", 1e-5f, 0, &eps) || get_float(L, c, "momentum", 0.9f, 0, &momentum))
        return -1;
    const int xn = x->node;
    const int id = eng_bn_batch(L->g, c->name, xn, (int)nb, (int)ch, (int)hw, eps);
    if (out_act_dims(L, c, id, r, d) || add_pending(L, id, 0, k[0], 0, 0, 1) ||
        add_pending(L, id, 1, k[1], 0, 0, 1))
        return -1;
    /* the running mean and variance, when asked for */
    for (int o = 1; o <= 2 && (size_t)o < c->n->n_output; o++) {
        if (!c->n->output[o][0]) continue;
        char nm[96];
        const char *name = unique_name(L, c->n->output[o], nm, sizeof nm);
        if (!name) return oom(L, "naming a statistic");
        const int st = eng_bn_stat(L->g, name, xn, (int)nb, (int)ch, (int)hw, o - 1, momentum);
        if (st < 0) return engine_fail(L);
        if (count_act(L, c, st) || add_pending(L, st, 0, in_const(L, c, o + 2), 0, 0, 1)) return -1;
        const int64_t sd[4] = {ch, 1, 1, 1};
        if (add_act(L, c->n->output[o], st, 1, sd)) return -1;
    }
    return 0;
}

/* ---- one converter per ONNX op ------------------------------------------------------------ */

/* The first input of a node that computes: a computed tensor, its ONNX shape in xd. */
static Act *computed_input(Loader *L, const NodeCtx *c, int64_t *xd) {
    Act *x = in_act(L, c, 0);
    if (!x) {
        eng_set_err(L->err, L->errlen, "ONNX: node '%s' (%s): its first input must be a computed tensor",
                    c->name, c->op);
        return NULL;
    }
    act_dims(L, x, xd);
    return x;
}

/* A node whose output has its input's shape: engine node id defines c's output. */
static int same_shape_out(Loader *L, const NodeCtx *c, const Act *x, const int64_t *xd, int id) {
    return out_act_dims(L, c, id, x->rank, xd);
}

/* The spatial ops note in their own copy of c whether they are 1-D. */
static int conv_op(Loader *L, const NodeCtx *c) {
    NodeCtx sc = *c;
    return conv_node(L, &sc);
}
static int convt_op(Loader *L, const NodeCtx *c) {
    NodeCtx sc = *c;
    return convt_node(L, &sc);
}
static int maxpool_op(Loader *L, const NodeCtx *c) {
    NodeCtx sc = *c;
    return pool_node(L, &sc, 1);
}
static int avgpool_op(Loader *L, const NodeCtx *c) {
    NodeCtx sc = *c;
    return pool_node(L, &sc, 0);
}

/* GlobalAveragePool, GlobalMaxPool: (N, C, H, W) -> (N, C, 1, 1) */
static int global_pool_node(Loader *L, const NodeCtx *c) {
    int64_t xd[4];
    Act *x = computed_input(L, c, xd);
    if (!x) return -1;
    if (x->rank != 4) FAIL("ONNX: node '%s' (%s): needs a 4-D input", c->name, c->op);
    const int id = c->op[6] == 'A' ? eng_gavgpool(L->g, c->name, x->node) : eng_gmaxpool(L->g, c->name, x->node);
    return same_shape_out(L, c, x, xd, id);
}

/* over H and W of a map (PyTorch's x.mean((2, 3))): a global average pool;
 * any other axes a reduction (reduce_node) */
static int reducemean_node(Loader *L, const NodeCtx *c) {
    int64_t xd[4], keep;
    Act *x = computed_input(L, c, xd);
    if (!x || get_int(L, c, "keepdims", 1, 0, 1, &keep)) return -1;
    const int rc = layernorm_expansion(L, c);
    if (rc <= 0) return rc;
    const Onnx__AttributeProto *a = attr(c->n, "axes");
    int pool = !L->one_sample && x->rank == 4 && a && attr_type(a) == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS &&
               a->n_ints == 2;
    for (int k = 0; pool && k < 2; k++) {
        const int64_t v = a->ints[k] < 0 ? a->ints[k] + 4 : a->ints[k];
        pool = v == 2 + (a->ints[0] > a->ints[1] ? 1 - k : k) && a->ints[0] != a->ints[1];
    }
    if (!pool) return reduce_node(L, c, ENG_REDUCE_MEAN);
    const int id = eng_gavgpool(L->g, c->name, x->node);
    xd[2] = xd[3] = 1;
    return out_act_dims(L, c, id, keep ? 4 : 2, xd);
}

static int lrn_node(Loader *L, const NodeCtx *c) {
    int64_t xd[4], size;
    float alpha, beta, bias;
    Act *x = computed_input(L, c, xd);
    if (!x) return -1;
    if (get_int(L, c, "size", 0, 1, MAX_WINDOW, &size) || get_float(L, c, "alpha", 1e-4f, 0, &alpha) ||
        get_float(L, c, "beta", 0.75f, 0, &beta) || get_float(L, c, "bias", 1.0f, 0, &bias))
        return -1;
    return same_shape_out(L, c, x, xd, eng_lrn(L->g, c->name, x->node, (int)size, alpha, beta, bias));
}

/* Inference mode: the running statistics, one node; training mode: see bn_training_node. */
static int batchnorm_node(Loader *L, const NodeCtx *c) {
    int64_t xd[4], spatial, training;
    float eps;
    Act *x = computed_input(L, c, xd);
    if (!x) return -1;
    const EngShape s = eng_graph_node(L->g, x->node)->out;
    Const *sc = in_const(L, c, 1), *bi = in_const(L, c, 2), *mu = in_const(L, c, 3), *va = in_const(L, c, 4);
    if (get_int(L, c, "training_mode", 0, 0, 1, &training)) return -1;
    if (training) return bn_training_node(L, c, x);
    if (L->one_sample)
        FAIL("ONNX: node '%s' (BatchNormalization): this graph mixes the samples of the batch "
             "elsewhere, so it runs as one sample, and an inference-mode batch norm needs (N, C, "
             "H, W) samples", c->name);
    if (!sc || !bi || !mu || !va || !sc->f || !bi->f || !mu->f || !va->f || sc->n != (size_t)s.C ||
        bi->n != (size_t)s.C || mu->n != (size_t)s.C || va->n != (size_t)s.C)
        FAIL("ONNX: node '%s' (BatchNormalization): scale, bias, mean and var must be float "
             "initializers of %d values", c->name, s.C);
    if (get_int(L, c, "spatial", 1, 0, 1, &spatial) || get_float(L, c, "epsilon", 1e-5f, 0, &eps))
        return -1;
    if (spatial != 1)
        FAIL("ONNX: node '%s' (BatchNormalization): only spatial batch norm is supported", c->name);
    const int id = eng_bn(L->g, c->name, x->node, eps);
    if (out_act(L, c, id, x->rank)) return -1;
    return add_pending(L, id, 0, sc, 0, 0, 1) || add_pending(L, id, 1, bi, 0, 0, 1) ||
                   add_pending(L, id, 2, mu, 0, 0, 1) || add_pending(L, id, 3, va, 0, 0, 1)
               ? -1
               : 0;
}

static int relu_node(Loader *L, const NodeCtx *c) {
    int64_t xd[4];
    Act *x = computed_input(L, c, xd);
    return x ? same_shape_out(L, c, x, xd, eng_relu(L->g, c->name, x->node)) : -1;
}

static int leakyrelu_node(Loader *L, const NodeCtx *c) {
    int64_t xd[4];
    float alpha;
    Act *x = computed_input(L, c, xd);
    if (!x || get_float(L, c, "alpha", 0.01f, 0, &alpha)) return -1;
    return same_shape_out(L, c, x, xd, eng_leakyrelu(L->g, c->name, x->node, alpha));
}

static int prelu_op(Loader *L, const NodeCtx *c) {
    int64_t xd[4];
    Act *x = computed_input(L, c, xd);
    return x ? prelu_node(L, c, x) : -1;
}

/* min and max: attributes before opset 11, optional constant inputs since */
static int clip_node(Loader *L, const NodeCtx *c) {
    int64_t xd[4];
    float lo = -FLT_MAX, hi = FLT_MAX;
    Act *x = computed_input(L, c, xd);
    if (!x) return -1;
    if (L->opset < 11) {
        if (get_float(L, c, "min", lo, 1, &lo) || get_float(L, c, "max", hi, 1, &hi)) return -1;
    } else {
        Const *a = in_const(L, c, 1), *b = in_const(L, c, 2);
        if ((has_input(c, 1) && (!a || !a->f || a->n != 1 || isnan(a->f[0]))) ||
            (has_input(c, 2) && (!b || !b->f || b->n != 1 || isnan(b->f[0]))))
            FAIL("ONNX: node '%s' (Clip): min and max must be constant float scalars", c->name);
        if (a) lo = a->f[0];
        if (b) hi = b->f[0];
    }
    return same_shape_out(L, c, x, xd, eng_clip(L->g, c->name, x->node, lo, hi));
}

static int sigmoid_node(Loader *L, const NodeCtx *c) {
    int64_t xd[4];
    Act *x = computed_input(L, c, xd);
    return x ? same_shape_out(L, c, x, xd, eng_sigmoid(L->g, c->name, x->node)) : -1;
}

static int tanh_node(Loader *L, const NodeCtx *c) {
    int64_t xd[4];
    Act *x = computed_input(L, c, xd);
    return x ? same_shape_out(L, c, x, xd, eng_tanh(L->g, c->name, x->node)) : -1;
}

static int hardsigmoid_node(Loader *L, const NodeCtx *c) {
    int64_t xd[4];
    float alpha, beta;
    Act *x = computed_input(L, c, xd);
    if (!x || get_float(L, c, "alpha", 0.2f, 0, &alpha) || get_float(L, c, "beta", 0.5f, 0, &beta))
        return -1;
    return same_shape_out(L, c, x, xd, eng_hardsigmoid(L->g, c->name, x->node, alpha, beta));
}

static int hardswish_node(Loader *L, const NodeCtx *c) {
    int64_t xd[4];
    Act *x = computed_input(L, c, xd);
    return x ? same_shape_out(L, c, x, xd, eng_hardswish(L->g, c->name, x->node)) : -1;
}

/* Softmax, LogSoftmax: the axis defaults to the last from opset 13, before to 1 */
static int softmax_op(Loader *L, const NodeCtx *c) {
    int64_t xd[4], axis;
    Act *x = computed_input(L, c, xd);
    if (!x || get_int(L, c, "axis", L->opset >= 13 ? -1 : 1, -x->rank, x->rank - 1, &axis)) return -1;
    return softmax_node(L, c, x, axis, L->opset >= 13, c->op[0] == 'L');
}

/* A Gemm's scalar C broadcasts: a constant of out copies of it. NULL on failure. */
static Const *expand_bias(Loader *L, const NodeCtx *c, const Const *bias, int64_t out) {
    float *e = budget_alloc(L, (size_t)out, sizeof *e, c->n->input[2]);
    if (!e) return NULL;
    for (int64_t k = 0; k < out; k++) e[k] = bias->f[0];
    Const *ex = add_const(L, NULL);
    if (!ex) return free(e), NULL;
    ex->f = e, ex->n = (size_t)out, ex->ndim = 1, ex->dims[0] = out;
    return ex;
}

/* Gemm, MatMul: a fully connected layer on (N, K), weights a 2-D constant; a
 * Gemm that mixes the samples runs in one-sample mode (gemm_one_sample). */
static int fc_node(Loader *L, const NodeCtx *c) {
    const char *op = c->op;
    const int gemm = op[0] == 'G';
    int64_t xd[4];
    Act *x = computed_input(L, c, xd);
    if (!x) return -1;
    const EngShape s = eng_graph_node(L->g, x->node)->out;
    Const *b = in_const(L, c, 1), *bias = gemm ? in_const(L, c, 2) : NULL;
    int64_t K = (int64_t)s.C * s.H * s.W, transA = 0, transB = 0;
    float alpha = 1.0f, beta = 1.0f;
    if (gemm && (get_int(L, c, "transA", 0, 0, 1, &transA) || get_int(L, c, "transB", 0, 0, 1, &transB) ||
                 get_float(L, c, "alpha", 1.0f, 0, &alpha) || get_float(L, c, "beta", 1.0f, 0, &beta)))
        return -1;
    /* a matrix C adds a different row to each row of A, i.e. to each sample */
    if (gemm && (transA || (bias && bias->ndim == 2 && bias->dims[0] != 1) || L->one_sample)) {
        if (!L->one_sample)
            return mixes_batch(L, c, transA ? "a Gemm with transA" : "a Gemm with a matrix C");
        return gemm_one_sample(L, c, x, (int)transA, (int)transB, alpha, beta);
    }
    if (x->rank != 2)
        FAIL("ONNX: node '%s' (%s): the input must be 2-D (N, K); flatten it first", c->name, op);
    if (!b || !b->f || b->ndim != 2)
        FAIL("ONNX: node '%s' (%s): the second input must be a 2-D float initializer", c->name, op);
    if (gemm && has_input(c, 2) && !bias)
        FAIL("ONNX: node '%s' (Gemm): the bias C must be an initializer", c->name);
    int64_t rows = b->dims[0], cols = b->dims[1];
    int64_t out = transB ? rows : cols, kk = transB ? cols : rows;
    if (kk != K || out < 1 || out > MAX_DIM)
        FAIL("ONNX: node '%s' (%s): weights %lldx%lld do not fit %lld inputs", c->name, op,
             (long long)rows, (long long)cols, (long long)K);
    if (bias && (!bias->f || (bias->n != (size_t)out && bias->n != 1)))
        FAIL("ONNX: node '%s' (Gemm): bias C must have %lld values or one", c->name, (long long)out);
    if (bias && bias->n == 1 && out != 1) {
        if (!(bias = expand_bias(L, c, bias, out))) return -1;
        b = in_const(L, c, 1); /* add_const may have moved the array */
    }
    const int id = eng_fc(L->g, c->name, x->node, (int)out, bias != NULL);
    if (out_act(L, c, id, 2)) return -1;
    if (add_pending(L, id, 0, b, transB ? 0 : (int)rows, transB ? 0 : (int)cols, alpha)) return -1;
    return bias ? add_pending(L, id, 1, bias, 0, 0, beta) : 0;
}

/* Add, Sum: by constants an affine node (const_arith_node), else the sum of
 * computed tensors of one rank (one-sample mode: of one shape). */
static int add_node(Loader *L, const NodeCtx *c) {
    const Onnx__NodeProto *n = c->n;
    int ids[MAX_MERGE];
    int64_t xd[4];
    const int sc = scalar_arith_node(L, c);
    if (sc <= 0) return sc;
    if (!named_nodes_fit(L, c)) return binary_node(L, c, ENG_BINARY_ADD);
    const int rc = const_arith_node(L, c);
    if (rc <= 0) return rc;
    Act *x = computed_input(L, c, xd);
    if (!x) return -1;
    if (n->n_input > MAX_MERGE)
        FAIL("ONNX: node '%s' (%s): %zu inputs (at most %d)", c->name, c->op, n->n_input, MAX_MERGE);
    for (size_t k = 0; k < n->n_input; k++) {
        Act *a = find_act(L, n->input[k]);
        if (!a || a->rank != x->rank || (L->one_sample && memcmp(a->dims, x->dims, sizeof a->dims)))
            FAIL("ONNX: node '%s' (%s): input %zu is not a computed tensor of the first's rank "
                 "%d%s", c->name, c->op, k, x->rank, L->one_sample ? " and shape" : "");
        ids[k] = a->node;
    }
    return same_shape_out(L, c, x, xd, eng_add(L->g, c->name, ids, (int)n->n_input));
}

/* Mul: by a constant an affine node, else the product of two computed tensors */
static int mul_node(Loader *L, const NodeCtx *c) {
    int64_t xd[4];
    const int sc = scalar_arith_node(L, c);
    if (sc <= 0) return sc;
    if (!named_nodes_fit(L, c)) return binary_node(L, c, ENG_BINARY_MUL);
    const int rc = const_arith_node(L, c);
    if (rc <= 0) return rc;
    Act *x = computed_input(L, c, xd);
    if (!x) return -1;
    Act *b = in_act(L, c, 1);
    if (!b || b->rank != x->rank || c->n->n_input != 2 ||
        (L->one_sample && memcmp(b->dims, x->dims, sizeof b->dims)))
        FAIL("ONNX: node '%s' (Mul): both inputs must be computed tensors of one rank%s", c->name,
             L->one_sample ? " and shape" : "");
    /* the engine scales its first input by the second; a product commutes, so
     * a per-channel scale written first (torchvision's squeeze-and-excitation:
     * scale * x) goes second */
    const EngShape sa = eng_graph_node(L->g, x->node)->out, sb = eng_graph_node(L->g, b->node)->out;
    const int swap = sa.H * sa.W == 1 && sb.H * sb.W > 1;
    return same_shape_out(L, c, x, xd,
                          eng_mul(L->g, c->name, swap ? b->node : x->node, swap ? x->node : b->node));
}

/* Sub, Div: by a constant an affine node, else a binary node */
static int sub_div_node(Loader *L, const NodeCtx *c) {
    const int kind = c->op[0] == 'S' ? ENG_BINARY_SUB : ENG_BINARY_DIV;
    const int sc = scalar_arith_node(L, c);
    if (sc <= 0) return sc;
    if (!named_nodes_fit(L, c)) return binary_node(L, c, kind);
    const int rc = const_arith_node(L, c);
    if (rc <= 0) return rc;
    return binary_node(L, c, kind);
}

/* (D0 ... D(a-1), Da ... ) -> (D0 * ... * D(a-1), Da * ...): only a = 1 keeps
 * axis 0 as it is (the batch) */
static int flatten_node(Loader *L, const NodeCtx *c) {
    int64_t xd[4], od[4], axis;
    int id;
    Act *x = computed_input(L, c, xd);
    if (!x || get_int(L, c, "axis", 1, -x->rank, x->rank, &axis)) return -1;
    if (axis < 0) axis += x->rank;
    if (!L->one_sample) {
        if (axis != 1) return mixes_batch(L, c, "a flatten at another axis than 1");
        id = eng_flatten(L->g, c->name, x->node);
        return out_act_dims(L, c, id, 2, xd);
    }
    od[0] = od[1] = 1, od[2] = xd[2], od[3] = xd[3];
    for (int k = 0; k < x->rank; k++) od[k < axis ? 0 : 1] *= xd[k];
    id = od[0] > MAX_DIM || od[1] > MAX_DIM ? -1 : eng_reshape(L->g, c->name, x->node, (int)od[0], (int)od[1], 1);
    if (id < 0 && eng_graph_ok(L->g))
        FAIL("ONNX: node '%s' (Flatten): %lld x %lld is too large", c->name, (long long)od[0],
             (long long)od[1]);
    return out_act_dims(L, c, id, 2, od);
}

/* Dropout's mask at inference: nothing is dropped, so it is all true (1). */
static int dropout_mask(Loader *L, const NodeCtx *c, int rank, const int64_t *xd, EngShape s) {
    const Onnx__NodeProto *n = c->n;
    char nm[96];
    const char *mname = unique_name(L, n->output[1], nm, sizeof nm);
    if (!mname) return oom(L, "naming a mask");
    int id = eng_const(L->g, mname, s.C, s.H, s.W);
    if (id < 0) return engine_fail(L);
    if (count_act(L, c, id)) return -1;
    size_t units = (size_t)s.C * s.H * s.W;
    float *ones = budget_alloc(L, units, sizeof *ones, n->output[1]);
    Const *k = ones ? add_const(L, NULL) : NULL;
    if (!k) return free(ones), -1;
    for (size_t i = 0; i < units; i++) ones[i] = 1.0f;
    k->f = ones, k->n = units, k->ndim = 1, k->dims[0] = (int64_t)units;
    if (add_pending(L, id, 0, k, 0, 0, 1.0f)) return -1;
    return add_act(L, n->output[1], id, rank, L->one_sample ? xd : NULL);
}

/* Dropout, Identity of a computed tensor: identity at inference, the output
 * names the same engine node */
static int identity_node(Loader *L, const NodeCtx *c) {
    const Onnx__NodeProto *n = c->n;
    const int dropout = c->op[0] == 'D';
    int64_t xd[4];
    Act *x = computed_input(L, c, xd);
    if (!x) return -1;
    const EngShape s = eng_graph_node(L->g, x->node)->out;
    if (dropout && has_input(c, 2)) { /* opset 12: training_mode */
        Const *tm = in_const(L, c, 2);
        if (!tm || !tm->i || tm->n != 1)
            FAIL("ONNX: node '%s' (Dropout): training_mode must be a constant boolean", c->name);
        if (tm->i[0])
            FAIL("ONNX: node '%s' (Dropout): training-mode dropout is not supported (it is "
                 "random); inference is", c->name);
    }
    const int xn = x->node, xr = x->rank;
    if (add_act(L, n->output[0], xn, xr, L->one_sample ? xd : NULL)) return -1;
    if (!dropout || n->n_output < 2 || !n->output[1][0]) return 0;
    return dropout_mask(L, c, xr, xd, s);
}

/* s (the name an attribute holds) among names[0..n): its index, or -1 */
static int name_index(const char *s, const char *const *names, int n) {
    for (int k = 0; k < n; k++)
        if (!strcmp(s, names[k])) return k;
    return -1;
}

/* Pad's 8 pads (begin and end of N, C, H, W) and value: attributes before
 * opset 11, constant inputs since. */
static int pad_params(Loader *L, const NodeCtx *c, int64_t *p, float *value) {
    if (L->opset < 11) {
        int m = get_ints(L, c, "pads", 8, INT64_MIN, INT64_MAX, p);
        if (m < 0 || get_float(L, c, "value", 0.0f, 1, value)) return -1;
        if (m != 8) FAIL("ONNX: node '%s' (Pad): needs 8 pads", c->name);
        return 0;
    }
    Const *pc = in_const(L, c, 1), *vc = in_const(L, c, 2);
    if (!pc || !pc->i || pc->n != 8) FAIL("ONNX: node '%s' (Pad): pads must be a constant of 8 integers", c->name);
    memcpy(p, pc->i, 8 * sizeof *p);
    if (has_input(c, 2) && (!vc || !vc->f || vc->n != 1 || isnan(vc->f[0])))
        FAIL("ONNX: node '%s' (Pad): the value must be a constant float scalar", c->name);
    if (vc) *value = vc->f[0];
    return 0;
}

static int pad_node(Loader *L, const NodeCtx *c) {
    int64_t xd[4], p[8];
    float value = 0.0f;
    char mode[32];
    Act *x = computed_input(L, c, xd);
    if (!x || get_str(L, c, "mode", mode, sizeof mode)) return -1;
    static const char *const modes[3] = {"constant", "reflect", "edge"};
    const int pm = mode[0] ? name_index(mode, modes, 3) : ENG_PAD_CONSTANT;
    if (pm < 0) FAIL("ONNX: node '%s' (Pad): mode '%s' is not supported (constant, reflect and edge are)", c->name, mode);
    if (x->rank != 4) FAIL("ONNX: node '%s' (Pad): needs a 4-D input", c->name);
    if (pad_params(L, c, p, &value)) return -1;
    if (p[0] || p[4])
        FAIL("ONNX: node '%s' (Pad): only padding of channels, height and width is supported", c->name);
    for (int k = 1; k < 8; k++)
        if ((k & 3) && (p[k] < 0 || p[k] > MAX_WINDOW))
            FAIL("ONNX: node '%s' (Pad): pad %lld: pads from 0 to %d are supported", c->name,
                 (long long)p[k], MAX_WINDOW);
    if (pm != ENG_PAD_CONSTANT && (p[1] || p[5]))
        FAIL("ONNX: node '%s' (Pad): %s padding of channels is not supported (of H and W it is)",
             c->name, mode);
    const EngPadParams pp = {(int)p[2], (int)p[3], (int)p[6], (int)p[7], value, (int)p[1], (int)p[5], pm};
    return same_shape_out(L, c, x, xd, eng_pad_chw(L->g, c->name, x->node, &pp));
}

/* Transpose, Unsqueeze, Squeeze, Split of a computed tensor (x is there: a
 * constant one is folded) */
static int transpose_op(Loader *L, const NodeCtx *c) {
    return transpose_node(L, c, in_act(L, c, 0));
}
static int squeeze_op(Loader *L, const NodeCtx *c) {
    return squeeze_node(L, c, in_act(L, c, 0));
}
static int split_op(Loader *L, const NodeCtx *c) {
    Act *x = in_act(L, c, 0);
    if (!x) FAIL("ONNX: node '%s' (Split): its input must be a computed tensor", c->name);
    return split_node(L, c, x);
}

/* ---- Resize and Upsample -------------------------------------------------------------------
 * Both become an engine resize of H and W (nearest or bilinear). Upsample (opsets
 * 7, 9) and Resize-10 read the input at o / scale (asymmetric) and nearest takes
 * the floor (ONNX's test data for Upsample and PyTorch's nearest); Resize from
 * opset 11 names its transformation and rounding. N and C keep their size. */

/* mode "nearest" or "linear" (cubic and the rest refused) */
static int resize_mode(Loader *L, const NodeCtx *c, EngResizeParams *p) {
    static const char *const modes[2] = {"nearest", "linear"};
    char m[32];
    if (get_str(L, c, "mode", m, sizeof m)) return -1;
    p->mode = m[0] ? name_index(m, modes, 2) : ENG_RESIZE_NEAREST;
    if (p->mode < 0)
        FAIL("ONNX: node '%s' (%s): mode '%s' is not supported (nearest and linear are)", c->name,
             c->op, m);
    return 0;
}

/* Resize-11's coordinate_transformation_mode, nearest_mode and exclude_outside */
static int resize_attrs(Loader *L, const NodeCtx *c, EngResizeParams *p) {
    static const char *const coords[ENG_RESIZE_COORD_COUNT] = {
        "half_pixel", "align_corners", "asymmetric", "pytorch_half_pixel", "tf_half_pixel_for_nn"};
    static const char *const rounds[ENG_RESIZE_ROUND_COUNT] = {"round_prefer_floor",
                                                               "round_prefer_ceil", "floor", "ceil"};
    char ct[40], nm[40];
    int64_t exclude;
    if (get_str(L, c, "coordinate_transformation_mode", ct, sizeof ct) ||
        get_str(L, c, "nearest_mode", nm, sizeof nm) ||
        get_int(L, c, "exclude_outside", 0, INT64_MIN, INT64_MAX, &exclude))
        return -1;
    p->coord = ct[0] ? name_index(ct, coords, ENG_RESIZE_COORD_COUNT) : ENG_RESIZE_HALF_PIXEL;
    p->round = nm[0] ? name_index(nm, rounds, ENG_RESIZE_ROUND_COUNT) : ENG_RESIZE_ROUND_PREFER_FLOOR;
    if (p->coord < 0)
        FAIL("ONNX: node '%s' (Resize): coordinate_transformation_mode '%s' is not supported "
             "(half_pixel, pytorch_half_pixel, align_corners, asymmetric and "
             "tf_half_pixel_for_nn are)", c->name, ct);
    if (p->round < 0)
        FAIL("ONNX: node '%s' (Resize): nearest_mode '%s' is not supported (round_prefer_floor, "
             "round_prefer_ceil, floor and ceil are)", c->name, nm);
    if (exclude)
        FAIL("ONNX: node '%s' (Resize): exclude_outside = %lld is not supported (only 0)",
             c->name, (long long)exclude);
    return 0;
}

/* scales (4 floats) or sizes (4 integers) of an (N, C, H, W) input xd into p */
static int resize_target(Loader *L, const NodeCtx *c, const Const *scales, const Const *sizes,
                         const int64_t *xd, EngResizeParams *p) {
    if (scales) {
        if (!scales->f || scales->n != 4)
            FAIL("ONNX: node '%s' (%s): scales must be 4 floats (N, C, H, W), not %zu values",
                 c->name, c->op, scales->n);
        for (int k = 0; k < 4; k++)
            if (!isfinite(scales->f[k]) || !(scales->f[k] > 0.0f))
                FAIL("ONNX: node '%s' (%s): scale %g at axis %d is not a positive number", c->name,
                     c->op, (double)scales->f[k], k);
        if (scales->f[0] != 1.0f || scales->f[1] != 1.0f)
            FAIL("ONNX: node '%s' (%s): scales %g, %g of N and C: only H and W may be resized",
                 c->name, c->op, (double)scales->f[0], (double)scales->f[1]);
        p->sh = scales->f[2], p->sw = scales->f[3];
        /* the output size as ONNX Runtime takes it, the product rounded to float32
         * before the floor: PyTorch writes a size as the scale out / in, and 10 rows
         * by 1.3f (1.29999995) make 13 so, 12 in double. Out of range: left to the
         * engine, which says why. */
        const float oh = floorf((float)xd[2] * scales->f[2]), ow = floorf((float)xd[3] * scales->f[3]);
        if (oh >= 1.0f && oh <= (float)MAX_DIM && ow >= 1.0f && ow <= (float)MAX_DIM)
            p->oh = (int)oh, p->ow = (int)ow;
        return 0;
    }
    if (!sizes->i || sizes->n != 4)
        FAIL("ONNX: node '%s' (%s): sizes must be 4 integers (N, C, H, W), not %zu values", c->name,
             c->op, sizes->n);
    for (int k = 0; k < 4; k++)
        if (sizes->i[k] < 1 || sizes->i[k] > MAX_DIM)
            FAIL("ONNX: node '%s' (%s): size %lld at axis %d is outside 1..%d", c->name, c->op,
                 (long long)sizes->i[k], k, MAX_DIM);
    if (sizes->i[0] != xd[0] || sizes->i[1] != xd[1])
        FAIL("ONNX: node '%s' (%s): sizes %lld, %lld of N and C differ from the input's %lld, "
             "%lld: only H and W may be resized", c->name, c->op, (long long)sizes->i[0],
             (long long)sizes->i[1], (long long)xd[0], (long long)xd[1]);
    p->oh = (int)sizes->i[2], p->ow = (int)sizes->i[3];
    return 0;
}

static int resize_out(Loader *L, const NodeCtx *c, const Act *x, const EngResizeParams *p) {
    return out_act(L, c, eng_resize(L->g, c->name, x->node, p), 4);
}

/* Resize: opset 10 (X, scales); 11 and 13 (X, roi, scales, sizes: one of the
 * last two, scales left empty when sizes are given). roi matters only to
 * tf_crop_and_resize, which is refused. */
static int resize_node(Loader *L, const NodeCtx *c) {
    int64_t xd[4];
    EngResizeParams p = {0, ENG_RESIZE_ASYMMETRIC, ENG_RESIZE_FLOOR, 0, 0, 0.0, 0.0};
    Act *x = computed_input(L, c, xd);
    if (!x || resize_mode(L, c, &p) || (L->opset >= 11 && resize_attrs(L, c, &p))) return -1;
    if (x->rank != 4) FAIL("ONNX: node '%s' (Resize): needs a 4-D (N, C, H, W) input", c->name);
    const int si = L->opset >= 11 ? 2 : 1;
    Const *scales = in_const(L, c, si), *sizes = L->opset >= 11 ? in_const(L, c, 3) : NULL;
    if ((has_input(c, si) && !scales) || (has_input(c, 3) && L->opset >= 11 && !sizes))
        FAIL("ONNX: node '%s' (Resize): scales and sizes must be constants", c->name);
    if (scales && scales->n == 0) scales = NULL; /* opset 11: an empty scales beside sizes */
    if (!scales == !sizes)
        FAIL("ONNX: node '%s' (Resize): needs scales or sizes (one of them, not both)", c->name);
    if (resize_target(L, c, scales, sizes, xd, &p)) return -1;
    return resize_out(L, c, x, &p);
}

/* Upsample: opset 7 (scales an attribute), 9 (an input) */
static int upsample_node(Loader *L, const NodeCtx *c) {
    int64_t xd[4];
    EngResizeParams p = {0, ENG_RESIZE_ASYMMETRIC, ENG_RESIZE_FLOOR, 0, 0, 0.0, 0.0};
    Act *x = computed_input(L, c, xd);
    if (!x || resize_mode(L, c, &p)) return -1;
    if (x->rank != 4) FAIL("ONNX: node '%s' (Upsample): needs a 4-D (N, C, H, W) input", c->name);
    Const attr_scales = {0};
    const Const *scales = in_const(L, c, 1);
    if (L->opset < 9) {
        int bad;
        const Onnx__AttributeProto *a = attr_of(L, c, "scales",
                                                ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS,
                                                "a list of floats", &bad);
        if (bad) return -1;
        if (!a) FAIL("ONNX: node '%s' (Upsample): needs the attribute scales", c->name);
        attr_scales.f = a->floats, attr_scales.n = a->n_floats, attr_scales.ndim = 1;
        scales = &attr_scales;
    }
    if (!scales) FAIL("ONNX: node '%s' (Upsample): scales must be a constant", c->name);
    if (resize_target(L, c, scales, NULL, xd, &p)) return -1;
    return resize_out(L, c, x, &p);
}

/* ---- the operator table ------------------------------------------------------------------- */

/* One ONNX node into engine nodes (or, folding, into a constant), its output
 * defined; 0, or -1 with the message set. */
typedef int (*ConvertFn)(Loader *L, const NodeCtx *c);

enum {
    /* reads the ONNX shape kept with each tensor, so it runs in one-sample
     * mode too; the others take the engine's (C, H, W) for a map */
    OP_ONE_SAMPLE = 1,
};

typedef struct {
    const char *name;   /* the ONNX op_type */
    int opset_min, opset_max; /* the model's ai.onnx opsets it is converted at */
    unsigned flags;     /* OP_* */
    ConvertFn convert;  /* its first input computed; NULL: always folded */
    ConvertFn fold;     /* its first input a constant or absent: evaluated at load (NULL: convert) */
    const char *listed; /* in the supported-ops message: NULL the name, else this text ("": not alone) */
} OnnxOp;

#define ANY OPSET_MIN, OPSET_MAX /* every opset the loader reads */

/* "op X (opset N) is not supported", with the list; what = NULL: the usual ending */
static int not_supported_msg(Loader *L, const NodeCtx *c, const char *what) {
    char ops[4096];
    ENG_ASSERT(eng_onnx_supported_ops(ops, sizeof ops) < sizeof ops);
    FAIL("ONNX: node '%s': op %s (opset %d) %s. Supported: %s", c->name, c->op, L->opset,
         what ? what : "is not supported", ops);
}

/* A row's converter for the case it lacks (Cast of a computed tensor). */
static int not_supported(Loader *L, const NodeCtx *c) {
    return not_supported_msg(L, c, NULL);
}

/* ---- general elementwise ops, reductions, layer norm, DepthToSpace --------------------------
 * What exporters write out op by op (a layer norm at opset 13 is ReduceMean,
 * Sub, Pow, ReduceMean, Add, Sqrt, Div, Mul, Add): each becomes one engine
 * node of the general kinds (ENG_OP_UNARY, ENG_OP_BINARY, ENG_OP_REDUCE). A
 * tensor's sample is read as 4 axes: in batch mode the ONNX axes after the
 * batch, in one-sample mode all of them, ones in front. */

/* The sample's 4 axes of an ONNX shape d[r] (see above); r <= 4. */
static void sample_axes(const Loader *L, const int64_t *d, int r, int *ax) {
    const int first = L->one_sample ? 0 : 1, n = r - first;
    for (int k = 0; k < 4; k++) ax[k] = 1;
    for (int k = 0; k < n; k++) ax[4 - n + k] = (int)d[first + k];
}

/* A float constant as a constant node of the engine holding its values
 * (the same in every sample); its shape only needs to hold them. */
static int const_node(Loader *L, const NodeCtx *c, const Const *k, const char *base) {
    char nm[96];
    const char *name = unique_name(L, base, nm, sizeof nm);
    if (!name) return oom(L, "naming a constant");
    if (!k->f || k->n < 1 || k->n > (size_t)MAX_DIM)
        FAIL("ONNX: node '%s' (%s): constant '%s' must be a float tensor of 1 to %d values",
             c->name, c->op, base, MAX_DIM);
    const int id = eng_const(L->g, name, (int)k->n, 1, 1);
    if (id < 0) return engine_fail(L);
    if (count_act(L, c, id) || add_pending(L, id, 0, k, 0, 0, 1.0f)) return -1;
    return id;
}

/* A one-value constant node (an epsilon), named after base. */
static int scalar_node(Loader *L, const NodeCtx *c, const char *base, float v) {
    float *f = budget_alloc(L, 1, sizeof *f, base);
    Const *k = f ? add_const(L, NULL) : NULL;
    if (!k) return free(f), -1;
    f[0] = v;
    k->f = f, k->n = 1, k->ndim = 0;
    return const_node(L, c, k, base);
}

/* One operand of a binary op: a computed tensor (its node) or a float
 * constant (an integer one only as Pow's exponent; *kidx its index among
 * the constants, *node -1); its rank and ONNX shape. */
static int operand(Loader *L, const NodeCtx *c, int k, int pow, int *node, int *kidx, int *rank,
                   int64_t *d) {
    Act *a = in_act(L, c, k);
    if (a) {
        act_dims(L, a, d);
        *node = a->node, *rank = a->rank;
        return 0;
    }
    const Const *kc = in_const(L, c, k);
    if (!kc || kc->ndim > 4 || (!kc->f && !(pow && kc->i)))
        FAIL("ONNX: node '%s' (%s): input %d must be a computed tensor or a float constant of "
             "rank at most 4", c->name, c->op, k);
    *rank = kc->ndim, *node = -1; /* the node is made once the broadcast is known valid */
    memcpy(d, kc->dims, (size_t)kc->ndim * sizeof *d);
    *kidx = (int)(kc - L->consts);
    if (kc->f) return 0;
    /* Pow's integer exponent, as floats */
    float *f = budget_alloc(L, kc->n, sizeof *f, c->n->input[k]);
    Const *fc = f ? add_const(L, NULL) : NULL;
    if (!fc) return free(f), -1;
    kc = &L->consts[*kidx];
    for (size_t j = 0; j < kc->n; j++) f[j] = (float)kc->i[j];
    *fc = *kc;
    fc->i = NULL, fc->f = f;
    *kidx = L->n_consts - 1;
    return 0;
}

/* a op b of two inputs (ENG_BINARY_*), numpy's broadcasting. */
static int binary_node(Loader *L, const NodeCtx *c, int kind) {
    int nodes[2], kidx[2] = {-1, -1}, ranks[2], ax[2][4];
    int64_t d[2][4], al[2][4], od[4];
    if (c->n->n_input != 2) FAIL("ONNX: node '%s' (%s): needs two inputs", c->name, c->op);
    for (int k = 0; k < 2; k++)
        if (operand(L, c, k, kind == ENG_BINARY_POW, &nodes[k], &kidx[k], &ranks[k], d[k])) return -1;
    const int r = ranks[0] > ranks[1] ? ranks[0] : ranks[1];
    if (r < 1) FAIL("ONNX: node '%s' (%s): scalars alone are not a tensor to compute", c->name, c->op);
    for (int k = 0; k < 2; k++) { /* aligned from the right, ones in front */
        if (nodes[k] >= 0 && ranks[k] != r && !L->one_sample)
            return mixes_batch(L, c, "a computed operand of lower rank (its batch axis moves)");
        for (int j = 0; j < r; j++) al[k][j] = j < r - ranks[k] ? 1 : d[k][j - (r - ranks[k])];
    }
    for (int j = 0; j < r; j++) {
        if (al[0][j] != al[1][j] && al[0][j] != 1 && al[1][j] != 1)
            FAIL("ONNX: node '%s' (%s): sizes %lld and %lld at axis %d do not broadcast", c->name,
                 c->op, (long long)al[0][j], (long long)al[1][j], j);
        od[j] = al[0][j] > al[1][j] ? al[0][j] : al[1][j];
    }
    if (!L->one_sample) {
        for (int k = 0; k < 2; k++)
            if (nodes[k] < 0 && al[k][0] != 1)
                return mixes_batch(L, c, "a constant that differs from sample to sample");
        od[0] = nodes[0] >= 0 ? d[0][0] : d[1][0];
    }
    for (int k = 0; k < 2; k++) {
        sample_axes(L, al[k], r, ax[k]);
        if (nodes[k] < 0 && (nodes[k] = const_node(L, c, &L->consts[kidx[k]], c->n->input[k])) < 0)
            return -1;
    }
    EngShape os;
    if (engine_shape(L, od, r, &os)) FAIL("ONNX: node '%s' (%s): the output is too large", c->name, c->op);
    const int id = eng_binary(L->g, c->name, nodes[0], nodes[1], kind, ax[0], ax[1], os);
    return out_act_dims(L, c, id, r, od);
}

/* Can the older, named nodes compute this Add, Sum, Mul, Sub or Div? An
 * affine node (a constant that broadcasts onto the one computed input, not
 * divided by it), a sum or product of computed tensors of one shape, or a
 * product by a per-channel scale. Else ENG_OP_BINARY does it. */
static int named_nodes_fit(Loader *L, const NodeCtx *c) {
    const Onnx__NodeProto *n = c->n;
    if (n->n_input != 2) return 1;
    Act *a = in_act(L, c, 0), *b = in_act(L, c, 1);
    const int sub = !strcmp(c->op, "Sub"), div = !strcmp(c->op, "Div"), mul = !strcmp(c->op, "Mul");
    if (!a && !b) return 1; /* folded */
    if (a && b) {
        if (sub || div || a->rank != b->rank) return 0;
        int64_t da[4], db[4];
        act_dims(L, a, da), act_dims(L, b, db);
        if (!memcmp(da, db, (size_t)a->rank * sizeof *da)) return 1;
        if (!mul || L->one_sample || a->rank < 2) return 0;
        const EngShape sa = eng_graph_node(L->g, a->node)->out, sb = eng_graph_node(L->g, b->node)->out;
        return sa.C == sb.C && ((sa.H * sa.W == 1) != (sb.H * sb.W == 1));
    }
    if (div && !a) return 0; /* a constant divided by a computed tensor */
    Act *x = a ? a : b;
    const Const *k = in_const(L, c, a ? 1 : 0);
    if (!k || !k->f || k->ndim > x->rank) return 0;
    int64_t d[4];
    act_dims(L, x, d);
    for (int j = 0; j < k->ndim; j++) {
        const int ax = x->rank - k->ndim + j;
        if (k->dims[j] != 1 && k->dims[j] != d[ax]) return 0;
    }
    return 1;
}

/* Add, Sub, Mul, Div of a computed tensor and one constant value (GELU's
 * written-out x / sqrt 2, + 1, * 0.5): alpha x + gamma, one node without
 * parameters (not a shift or scale per unit); 1 when the node is not that. */
static int scalar_arith_node(Loader *L, const NodeCtx *c) {
    if (c->n->n_input != 2) return 1;
    Act *a = in_act(L, c, 0), *b = in_act(L, c, 1);
    const Const *k = in_const(L, c, a ? 1 : 0);
    Act *x = a ? a : b;
    if ((a && b) || !x || !k || !k->f || k->n != 1 || k->ndim > x->rank) return 1;
    const float v = k->f[0];
    float alpha = 1.0f, gamma = 0.0f;
    switch (c->op[0]) {
    case 'A': gamma = v; break;
    case 'S': alpha = a ? 1.0f : -1.0f, gamma = a ? -v : v; break;
    case 'M': alpha = v; break;
    default:
        if (!a) return 1; /* a constant divided by x: a binary node */
        alpha = 1.0f / v;
    }
    if (!isfinite(alpha) || !isfinite(gamma)) return 1; /* x / 0, an infinite shift: the affine node */
    int64_t xd[4];
    act_dims(L, x, xd);
    return same_shape_out(L, c, x, xd, eng_unary(L->g, c->name, x->node, ENG_UNARY_LINEAR, alpha, gamma));
}

/* Pow: by a one-value constant exponent an elementwise power; else a binary node */
static int pow_node(Loader *L, const NodeCtx *c) {
    int64_t xd[4];
    Act *x = in_act(L, c, 0);
    const Const *e = in_const(L, c, 1);
    if (x && e && e->n == 1 && (e->f || e->i) && c->n->n_input == 2) {
        const float p = e->f ? e->f[0] : (float)e->i[0];
        act_dims(L, x, xd);
        if (!isfinite(p)) FAIL("ONNX: node '%s' (Pow): exponent %g is not finite", c->name, (double)p);
        return same_shape_out(L, c, x, xd, eng_unary(L->g, c->name, x->node, ENG_UNARY_POW, p, 0.0f));
    }
    return binary_node(L, c, ENG_BINARY_POW);
}

/* Pow of constants (shape arithmetic seldom needs it; a float exponent table may) */
static int fold_pow(Loader *L, const NodeCtx *c) {
    if (in_act(L, c, 1)) return binary_node(L, c, ENG_BINARY_POW); /* a constant base */
    const Const *a = in_const(L, c, 0), *b = in_const(L, c, 1);
    if (!a || !b || !a->f || !b->f || (b->n != 1 && b->n != a->n))
        FAIL("ONNX: node '%s' (Pow): of constants, only float ones with one exponent or one per "
             "value are supported", c->name);
    float *f = budget_alloc(L, a->n, sizeof *f, c->n->output[0]);
    if (!f) return -1;
    for (size_t k = 0; k < a->n; k++) f[k] = powf(a->f[k], b->f[b->n == 1 ? 0 : k]);
    a = in_const(L, c, 0);
    return put_const(L, c, f, 0, a->n, a->ndim, a->dims);
}

/* ---- unary ---- */

typedef struct {
    const char *op;
    int kind;
    float alpha, gamma; /* the attributes' defaults */
} UnaryOp;

static const UnaryOp UNARY_OPS[] = {
    {"Abs", ENG_UNARY_ABS, 0, 0},
    {"Neg", ENG_UNARY_NEG, 0, 0},
    {"Exp", ENG_UNARY_EXP, 0, 0},
    {"Log", ENG_UNARY_LOG, 0, 0},
    {"Reciprocal", ENG_UNARY_RECIPROCAL, 0, 0},
    {"Sqrt", ENG_UNARY_SQRT, 0, 0},
    {"Erf", ENG_UNARY_ERF, 0, 0},
    {"Elu", ENG_UNARY_ELU, 1.0f, 0},
    /* SELU's alpha and gamma as ONNX defines them (float32 of Klambauer et al.'s) */
    {"Selu", ENG_UNARY_SELU, 1.67326319217681884765625f, 1.05070102214813232421875f},
    {"Celu", ENG_UNARY_CELU, 1.0f, 0},
    {"Softplus", ENG_UNARY_SOFTPLUS, 0, 0},
    {"Softsign", ENG_UNARY_SOFTSIGN, 0, 0},
    {"ThresholdedRelu", ENG_UNARY_THRESHOLDED_RELU, 1.0f, 0},
};

static const UnaryOp *unary_op(const char *op) {
    for (size_t k = 0; k < sizeof UNARY_OPS / sizeof *UNARY_OPS; k++)
        if (!strcmp(op, UNARY_OPS[k].op)) return &UNARY_OPS[k];
    return NULL;
}

static int unary_node(Loader *L, const NodeCtx *c) {
    int64_t xd[4];
    const UnaryOp *u = unary_op(c->op);
    float alpha = u->alpha, gamma = u->gamma;
    Act *x = computed_input(L, c, xd);
    if (!x) return -1;
    if (u->kind == ENG_UNARY_ELU || u->kind == ENG_UNARY_SELU || u->kind == ENG_UNARY_CELU ||
        u->kind == ENG_UNARY_THRESHOLDED_RELU)
        if (get_float(L, c, "alpha", alpha, 0, &alpha)) return -1;
    if (u->kind == ENG_UNARY_SELU && get_float(L, c, "gamma", gamma, 0, &gamma)) return -1;
    if (u->kind == ENG_UNARY_CELU && alpha == 0.0f) FAIL("ONNX: node '%s' (Celu): alpha is 0", c->name);
    return same_shape_out(L, c, x, xd, eng_unary(L->g, c->name, x->node, u->kind, alpha, gamma));
}

/* Neg, Abs of integer constants (shape arithmetic: the layer norm function's
 * -axis), any of them of float ones */
static int fold_unary(Loader *L, const NodeCtx *c) {
    const UnaryOp *u = unary_op(c->op);
    const Const *d = in_const(L, c, 0);
    if (!d) FAIL("ONNX: node '%s' (%s): its input must be a constant or a computed tensor", c->name, c->op);
    if (d->i) {
        if (u->kind != ENG_UNARY_NEG && u->kind != ENG_UNARY_ABS)
            FAIL("ONNX: node '%s' (%s): of an integer constant, only Neg and Abs are folded", c->name, c->op);
        int64_t *v = budget_alloc(L, d->n, sizeof *v, c->n->output[0]);
        if (!v) return -1;
        for (size_t k = 0; k < d->n; k++) { /* wrapping, not undefined, at INT64_MIN */
            const int64_t x = d->i[k];
            v[k] = u->kind == ENG_UNARY_NEG || x < 0 ? (int64_t)(0 - (uint64_t)x) : x;
        }
        d = in_const(L, c, 0);
        return put_const(L, c, v, 1, d->n, d->ndim, d->dims);
    }
    const EngUnaryParams q = {u->kind, u->alpha, u->gamma};
    float *f = budget_alloc(L, d->n, sizeof *f, c->n->output[0]);
    if (!f) return -1;
    /* the same function the node computes, through a one-node graph would be
     * heavy: the few folded cases (a Sqrt of a constant variance) use libm */
    for (size_t k = 0; k < d->n; k++) {
        const float x = d->f[k];
        switch (q.kind) {
        case ENG_UNARY_ABS: f[k] = fabsf(x); break;
        case ENG_UNARY_NEG: f[k] = -x; break;
        case ENG_UNARY_EXP: f[k] = expf(x); break;
        case ENG_UNARY_LOG: f[k] = logf(x); break;
        case ENG_UNARY_RECIPROCAL: f[k] = 1.0f / x; break;
        case ENG_UNARY_SQRT: f[k] = sqrtf(x); break;
        default:
            free(f);
            FAIL("ONNX: node '%s' (%s): of a constant, only Abs, Neg, Exp, Log, Reciprocal and "
                 "Sqrt are folded", c->name, c->op);
        }
    }
    d = in_const(L, c, 0);
    return put_const(L, c, f, 0, d->n, d->ndim, d->dims);
}

/* ---- reductions ---- */

/* ReduceMean / ReduceSum / ReduceMax axes: an attribute, or (ReduceSum from
 * opset 13, all of them from 18) a constant input; as a bit mask of x's axes.
 * 0 with *noop: the input unchanged. */
static int reduce_mask(Loader *L, const NodeCtx *c, int r, unsigned *mask, int *noop) {
    int64_t ax[MAX_RANK], nv;
    int na = 0;
    const Onnx__AttributeProto *a = attr(c->n, "axes");
    if (get_int(L, c, "noop_with_empty_axes", 0, 0, 1, &nv)) return -1;
    if (a) {
        if (attr_type(a) != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS || a->n_ints > MAX_RANK)
            FAIL("ONNX: node '%s' (%s): axes must be at most %d integers", c->name, c->op, MAX_RANK);
        na = (int)a->n_ints;
        for (int k = 0; k < na; k++) ax[k] = a->ints[k];
    } else if (has_input(c, 1)) {
        const Const *k = in_const(L, c, 1);
        if (!k || (!k->i && k->n) || k->ndim > 1 || k->n > MAX_RANK)
            FAIL("ONNX: node '%s' (%s): axes must be a constant list of at most %d integers",
                 c->name, c->op, MAX_RANK);
        na = (int)k->n;
        for (int j = 0; j < na; j++) ax[j] = k->i[j];
    }
    *mask = 0, *noop = 0;
    if (na == 0) {
        if (nv) *noop = 1;
        else *mask = (1u << r) - 1; /* every axis */
        return 0;
    }
    for (int k = 0; k < na; k++) {
        if (ax[k] < -r || ax[k] >= r)
            FAIL("ONNX: node '%s' (%s): axis %lld is outside -%d..%d", c->name, c->op,
                 (long long)ax[k], r, r - 1);
        const int j = (int)(ax[k] < 0 ? ax[k] + r : ax[k]);
        if (*mask & (1u << j)) FAIL("ONNX: node '%s' (%s): axis %d is given twice", c->name, c->op, j);
        *mask |= 1u << j;
    }
    return 0;
}

/* A reduction of x over the ONNX axes in mask; the output's ONNX shape in od
 * (keepdims: 1 there, else those axes gone), its rank returned; -1 on error. */
static int reduce_build(Loader *L, const NodeCtx *c, const char *name, Act *x, int kind,
                        unsigned mask, int keep, int64_t *od, int *id) {
    int64_t xd[4], kd[4];
    int ax[4], m = 0, bits = 0;
    const int r = x->rank, first = L->one_sample ? 0 : 1;
    act_dims(L, x, xd);
    if (!L->one_sample && (mask & 1u)) {
        mixes_batch(L, c, "a reduction over axis 0");
        return -1;
    }
    for (int k = 0; k < r; k++) {
        const int red = (mask >> k) & 1;
        kd[k] = red ? 1 : xd[k];
        if (!red || keep) od[m++] = kd[k];
        if (red && k >= first) bits |= 1 << (4 - (r - first) + (k - first));
    }
    if (m < 1) {
        eng_set_err(L->err, L->errlen, "ONNX: node '%s' (%s): a scalar result (every axis reduced, "
                    "keepdims 0) is not supported", c->name, c->op);
        return -1;
    }
    sample_axes(L, xd, r, ax);
    EngShape os;
    if (engine_shape(L, od, m, &os)) {
        eng_set_err(L->err, L->errlen, "ONNX: node '%s' (%s): the output is too large", c->name, c->op);
        return -1;
    }
    *id = eng_reduce(L->g, name, x->node, kind, ax, bits, os);
    return *id < 0 ? (engine_fail(L), -1) : m;
}

/* ReduceMean (besides the global pool), ReduceSum, ReduceMax (besides the softmax expansion) */
static int reduce_node(Loader *L, const NodeCtx *c, int kind) {
    int64_t xd[4], od[4], keep;
    unsigned mask;
    int noop, id;
    Act *x = computed_input(L, c, xd);
    if (!x || get_int(L, c, "keepdims", 1, 0, 1, &keep) || reduce_mask(L, c, x->rank, &mask, &noop))
        return -1;
    if (noop || !mask) return add_act(L, c->n->output[0], x->node, x->rank, L->one_sample ? xd : NULL);
    const int m = reduce_build(L, c, c->name, x, kind, mask, (int)keep, od, &id);
    return m < 0 ? -1 : out_act_dims(L, c, id, m, od);
}

static int reducesum_node(Loader *L, const NodeCtx *c) {
    return reduce_node(L, c, c->op[9] == 'S' ? ENG_REDUCE_SUM_SQUARE : ENG_REDUCE_SUM);
}

/* ---- LayerNormalization (opset 17) ---- */

/* weight or bias onto the normalised axes d[a..r) (numpy rules), len values;
 * NULL: absent (bias 0) */
static const Const *ln_param(Loader *L, const NodeCtx *c, int k, const int64_t *d, int r, int a) {
    Const *p = in_const(L, c, k);
    if (!has_input(c, k)) return NULL;
    int64_t nd[4];
    for (int j = a; j < r; j++) nd[j - a] = d[j];
    if (!p || !p->f || !broadcasts(p, nd, r - a)) {
        eng_set_err(L->err, L->errlen, "ONNX: node '%s' (LayerNormalization): input %d must be a "
                    "float constant that broadcasts to the normalised axes", c->name, k);
        return NULL;
    }
    return broadcast_const(L, p, nd, r - a, 0, c->n->input[k]);
}

/* Mean and InvStdDev, the optional outputs: a reduce, a centring, a square,
 * a reduce, + eps, ^-1/2 */
static int ln_stats(Loader *L, const NodeCtx *c, Act *x, int a, float eps) {
    const Onnx__NodeProto *n = c->n;
    const int want_mean = n->n_output > 1 && n->output[1][0], want_inv = n->n_output > 2 && n->output[2][0];
    if (!want_mean && !want_inv) return 0;
    const unsigned mask = ((1u << x->rank) - 1) & ~((1u << a) - 1);
    int64_t od[4], xd[4];
    int mean, id;
    char nm[96];
    const char *base = want_mean ? n->output[1] : n->output[2];
    const char *name = unique_name(L, base, nm, sizeof nm);
    if (!name) return oom(L, "naming a node");
    const int r = reduce_build(L, c, name, x, ENG_REDUCE_MEAN, mask, 1, od, &mean);
    if (r < 0 || count_act(L, c, mean)) return -1;
    if (want_mean && add_act(L, n->output[1], mean, r, L->one_sample ? od : NULL)) return -1;
    if (!want_inv) return 0;
    act_dims(L, x, xd);
    int xa[4], ma[4];
    sample_axes(L, xd, x->rank, xa);
    sample_axes(L, od, r, ma);
    const EngShape xs = eng_graph_node(L->g, x->node)->out;
    const char *steps[3] = {"centred", "square", "var"};
    int ids[3];
    for (int s = 0; s < 3; s++) {
        char sb[128];
        snprintf(sb, sizeof sb, "%s_%s", n->output[2], steps[s]);
        if (!(name = unique_name(L, sb, nm, sizeof nm))) return oom(L, "naming a node");
        if (s == 0) ids[0] = eng_binary(L->g, name, x->node, mean, ENG_BINARY_SUB, xa, ma, xs);
        if (s == 1) ids[1] = eng_binary(L->g, name, ids[0], ids[0], ENG_BINARY_MUL, xa, xa, xs);
        if (s == 2) ids[2] = eng_reduce(L->g, name, ids[1], ENG_REDUCE_MEAN, xa,
                                        eng_graph_node(L->g, mean)->p.reduce.axes,
                                        eng_graph_node(L->g, mean)->out);
        if (ids[s] < 0) return engine_fail(L);
        if (count_act(L, c, ids[s])) return -1;
    }
    char sb[128];
    snprintf(sb, sizeof sb, "%s_eps", n->output[2]);
    const int e = scalar_node(L, c, sb, eps);
    const int one[4] = {1, 1, 1, 1};
    if (e < 0) return -1;
    if (!(name = unique_name(L, sb, nm, sizeof nm))) return oom(L, "naming a node");
    id = eng_binary(L->g, name, ids[2], e, ENG_BINARY_ADD, ma, one, eng_graph_node(L->g, mean)->out);
    if (id < 0 || count_act(L, c, id)) return id < 0 ? engine_fail(L) : -1;
    if (!(name = unique_name(L, n->output[2], nm, sizeof nm))) return oom(L, "naming a node");
    id = eng_unary(L->g, name, id, ENG_UNARY_POW, -0.5f, 0.0f);
    if (id < 0 || count_act(L, c, id)) return id < 0 ? engine_fail(L) : -1;
    return add_act(L, n->output[2], id, r, L->one_sample ? od : NULL);
}

static int layernorm_node(Loader *L, const NodeCtx *c) {
    int64_t xd[4], axis;
    float eps;
    Act *x = computed_input(L, c, xd);
    if (!x || get_int(L, c, "axis", -1, -x->rank, x->rank - 1, &axis) ||
        get_float(L, c, "epsilon", 1e-5f, 0, &eps))
        return -1;
    const int r = x->rank, a = (int)(axis < 0 ? axis + r : axis);
    if (a == 0 && !L->one_sample) return mixes_batch(L, c, "a layer norm over axis 0");
    if (!(eps >= 0.0f)) FAIL("ONNX: node '%s' (LayerNormalization): epsilon %g is negative", c->name, (double)eps);
    if (!has_input(c, 1)) FAIL("ONNX: node '%s' (LayerNormalization): needs Scale", c->name);
    int64_t len = 1;
    for (int j = a; j < r; j++) len *= xd[j];
    if (len > MAX_DIM) FAIL("ONNX: node '%s' (LayerNormalization): %lld values to normalise together "
                            "(at most %d)", c->name, (long long)len, MAX_DIM);
    const Const *w = ln_param(L, c, 1, xd, r, a);
    if (!w) return -1;
    const int wi = (int)(w - L->consts);
    const Const *b = ln_param(L, c, 2, xd, r, a);
    if (!b && has_input(c, 2)) return -1;
    const int bi = b ? (int)(b - L->consts) : -1;
    if (bi < 0) { /* no bias: zeros */
        float *z = budget_alloc(L, (size_t)len, sizeof *z, c->n->output[0]);
        Const *k = z ? add_const(L, NULL) : NULL;
        if (!k) return free(z), -1;
        memset(z, 0, (size_t)len * sizeof *z);
        k->f = z, k->n = (size_t)len, k->ndim = 1, k->dims[0] = len;
    }
    const int bk = bi >= 0 ? bi : L->n_consts - 1;
    const int xn = x->node;
    const int id = eng_layernorm_span(L->g, c->name, xn, (int)len, 1, eps);
    if (out_act_dims(L, c, id, r, xd)) return -1;
    if (add_pending(L, id, 0, &L->consts[wi], 0, 0, 1.0f) ||
        add_pending(L, id, 1, &L->consts[bk], 0, 0, 1.0f))
        return -1;
    return ln_stats(L, c, find_act(L, c->n->input[0]), a, eps);
}

/* ---- MatMul by a constant matrix on any rank: PyTorch's Linear on a channels-last map; by a
 * constant stack of them (a batched product, one matrix per block of rows) ---- */

/* B a constant (..., K, OUT): one matrix, or a stack of them whose axes are
 * x's last ones before its rows (a batched product, each matrix of x's stack
 * by its own; x may have more axes in front, each repeating the stack). */
static int matmul_rows(Loader *L, const NodeCtx *c, Act *x, const Const *b, int64_t stack) {
    int64_t xd[4], od[4], m = 1;
    act_dims(L, x, xd);
    const int r = x->rank, first = L->one_sample ? 0 : 1;
    if (r < 2) FAIL("ONNX: node '%s' (MatMul): the input must have rank 2 to 4", c->name);
    const int64_t K = xd[r - 1], rows = b->dims[b->ndim - 2], cols = b->dims[b->ndim - 1];
    for (int j = first; j < r - 1; j++) m *= xd[j];
    if (rows != K || cols < 1 || cols > MAX_DIM || m > MAX_DIM)
        FAIL("ONNX: node '%s' (MatMul): a %lldx%lld matrix does not fit rows of %lld", c->name,
             (long long)rows, (long long)cols, (long long)K);
    memcpy(od, xd, sizeof od);
    od[r - 1] = cols;
    const int bi = (int)(b - L->consts), xn = x->node;
    int id = stack > 1 ? eng_matmul_stack(L->g, c->name, xn, (int)m, (int)xd[r - 2], (int)K, (int)cols, (int)stack)
                       : eng_matmul(L->g, c->name, xn, (int)m, (int)K, (int)cols, 0, 0);
    if (id < 0) return engine_fail(L);
    if (add_pending(L, id, 0, &L->consts[bi], (int)rows, (int)cols, 1.0f)) return -1;
    EngShape os;
    if (engine_shape(L, od, r, &os)) FAIL("ONNX: node '%s' (MatMul): the output is too large", c->name);
    const EngShape ms = eng_graph_node(L->g, id)->out;
    if (ms.C != os.C || ms.H != os.H || ms.W != os.W) { /* (M, OUT) held as the map it is */
        char nm[96], sb[128];
        snprintf(sb, sizeof sb, "%s_rows", c->name);
        const char *name = unique_name(L, sb, nm, sizeof nm);
        if (!name) return oom(L, "naming a node");
        /* the matmul keeps the node's name; the reshape after it is the ONNX output */
        if (count_act(L, c, id)) return -1;
        id = eng_reshape(L->g, name, id, os.C, os.H, os.W);
    }
    return out_act_dims(L, c, id, r, od);
}

/* MatMul of two tensors of which one at least is computed, numpy's matmul
 * (ENG_OP_BMM): a 1-D a is a row (1, K), a 1-D b a column (K, 1), the axis
 * each added dropped from the output; the axes before the matrices
 * broadcast. In batch mode a computed operand keeps axis 0 as the batch: it
 * must have the output's rank, 3 or more, and a constant must be one sample's. */
static int bmm_node(Loader *L, const NodeCtx *c) {
    int nodes[2], kidx[2] = {-1, -1}, ranks[2], ax[3][4];
    int64_t d[2][4], p[2][4], al[2][4], od[4], fd[4];
    if (c->n->n_input != 2) FAIL("ONNX: node '%s' (MatMul): needs two inputs", c->name);
    for (int k = 0; k < 2; k++)
        if (operand(L, c, k, 0, &nodes[k], &kidx[k], &ranks[k], d[k])) return -1;
    if (ranks[0] < 1 || ranks[1] < 1)
        FAIL("ONNX: node '%s' (MatMul): a scalar operand is not a matrix", c->name);
    if (nodes[0] < 0 && nodes[1] < 0)
        FAIL("ONNX: node '%s' (MatMul): a product of two constants is not supported", c->name);
    int pr[2];
    for (int k = 0; k < 2; k++) { /* vectors as matrices */
        pr[k] = ranks[k] == 1 ? 2 : ranks[k];
        if (ranks[k] == 1) p[k][0] = k == 0 ? 1 : d[k][0], p[k][1] = k == 0 ? d[k][0] : 1;
        else memcpy(p[k], d[k], (size_t)ranks[k] * sizeof *d[k]);
    }
    const int r = pr[0] > pr[1] ? pr[0] : pr[1];
    for (int k = 0; k < 2; k++) /* aligned from the right, ones in front */
        for (int j = 0; j < r; j++) {
            al[k][j] = j < r - pr[k] ? 1 : p[k][j - (r - pr[k])];
            if (al[k][j] < 1 || al[k][j] > MAX_DIM)
                FAIL("ONNX: node '%s' (MatMul): input %d has a dimension of %lld", c->name, k,
                     (long long)al[k][j]);
        }
    if (al[0][r - 1] != al[1][r - 2])
        FAIL("ONNX: node '%s' (MatMul): a %lldx%lld matrix times a %lldx%lld one", c->name,
             (long long)al[0][r - 2], (long long)al[0][r - 1], (long long)al[1][r - 2],
             (long long)al[1][r - 1]);
    for (int j = 0; j < r - 2; j++) {
        if (al[0][j] != al[1][j] && al[0][j] != 1 && al[1][j] != 1)
            FAIL("ONNX: node '%s' (MatMul): sizes %lld and %lld at axis %d do not broadcast",
                 c->name, (long long)al[0][j], (long long)al[1][j], j);
        od[j] = al[0][j] > al[1][j] ? al[0][j] : al[1][j];
    }
    od[r - 2] = al[0][r - 2], od[r - 1] = al[1][r - 1];
    if (!L->one_sample) {
        for (int k = 0; k < 2; k++) {
            if (nodes[k] >= 0 && (ranks[k] != r || r < 3))
                return mixes_batch(L, c, "a product whose matrices hold the batch axis, or whose "
                                         "operand of lower rank moves it,");
            if (nodes[k] < 0 && al[k][0] != 1)
                return mixes_batch(L, c, "a constant that differs from sample to sample");
        }
        od[0] = nodes[0] >= 0 ? d[0][0] : d[1][0];
    }
    int rf = 0; /* the output, without the axes a vector operand added */
    for (int j = 0; j < r; j++)
        if (!((j == r - 2 && ranks[0] == 1) || (j == r - 1 && ranks[1] == 1))) fd[rf++] = od[j];
    if (rf < 1) FAIL("ONNX: node '%s' (MatMul): a product of two vectors (a scalar) is not supported", c->name);
    for (int k = 0; k < 2; k++) sample_axes(L, al[k], r, ax[k]);
    sample_axes(L, od, r, ax[2]);
    for (int k = 0; k < 2; k++)
        if (nodes[k] < 0 && (nodes[k] = const_node(L, c, &L->consts[kidx[k]], c->n->input[k])) < 0)
            return -1;
    EngShape os;
    if (engine_shape(L, fd, rf, &os)) FAIL("ONNX: node '%s' (MatMul): the output is too large", c->name);
    const int id = eng_bmm(L->g, c->name, nodes[0], nodes[1], ax[0], ax[1], os);
    return out_act_dims(L, c, id, rf, fd);
}

/* MatMul: (N, K) by a 2-D constant is a fully connected layer (fc_node); a
 * higher rank multiplies each row of the last axis (matmul_rows); a product
 * with a computed second input, a constant first one or a constant vector is
 * the general product (bmm_node). */
static int matmul_node(Loader *L, const NodeCtx *c) {
    int64_t xd[4];
    const Const *b = in_const(L, c, 1);
    if (!in_act(L, c, 0) || in_act(L, c, 1) || (b && b->f && b->ndim < 2)) return bmm_node(L, c);
    Act *x = computed_input(L, c, xd);
    if (!x) return -1;
    if (!b || !b->f || b->ndim > x->rank)
        FAIL("ONNX: node '%s' (MatMul): the second input must be a float tensor (a constant "
             "of rank 2 to the input's, or computed)", c->name);
    /* a stack: B's axes before its matrices against x's (from the right), each the
     * same size, and inside a sample; B's all ones: one matrix */
    int64_t stack = 1, ones = 1;
    for (int j = 0; j < b->ndim - 2; j++) {
        const int xa = x->rank - b->ndim + j;
        stack *= b->dims[j];
        ones &= b->dims[j] == 1;
        if (b->dims[j] != 1 && b->dims[j] == xd[xa] && xa == 0 && !L->one_sample)
            return mixes_batch(L, c, "a stack of matrices along the batch axis");
        if (b->dims[j] != 1 && b->dims[j] != xd[xa])
            FAIL("ONNX: node '%s' (MatMul): a stack of matrices must match the input's axes "
                 "before its rows (B's axis %d is %lld, the input's %lld)", c->name, j,
                 (long long)b->dims[j], (long long)xd[xa]);
    }
    if (ones) stack = 1;
    else
        for (int j = 0; j < b->ndim - 2; j++)
            if (b->dims[j] == 1 && xd[x->rank - b->ndim + j] != 1)
                FAIL("ONNX: node '%s' (MatMul): a stack of matrices broadcast along some of its "
                     "axes is not supported", c->name);
    if (x->rank == 2 && !L->one_sample && b->ndim == 2) return fc_node(L, c);
    return matmul_rows(L, c, x, b, stack);
}

/* ---- DepthToSpace, SpaceToDepth ---- */

static int depth_space_node(Loader *L, const NodeCtx *c) {
    int64_t xd[4], block;
    char mode[16];
    const int to_space = c->op[0] == 'D';
    Act *x = computed_input(L, c, xd);
    if (!x || get_int(L, c, "blocksize", 0, 1, 4096, &block) || get_str(L, c, "mode", mode, sizeof mode))
        return -1;
    if (x->rank != 4) FAIL("ONNX: node '%s' (%s): needs a 4-D input", c->name, c->op);
    if (mode[0] && (!to_space || (strcmp(mode, "DCR") && strcmp(mode, "CRD"))))
        FAIL("ONNX: node '%s' (%s): mode '%s' is not DCR or CRD", c->name, c->op, mode);
    const int id = eng_depth_space(L->g, c->name, x->node, (int)block, !strcmp(mode, "CRD"), to_space);
    if (id < 0) return engine_fail(L);
    const EngShape o = eng_graph_node(L->g, id)->out;
    xd[1] = o.C, xd[2] = o.H, xd[3] = o.W;
    return out_act_dims(L, c, id, 4, xd);
}

/* ---- Cast, Size, Flatten of a constant ---- */

/* Cast of a computed tensor to float: the engine computes in float already */
static int cast_node(Loader *L, const NodeCtx *c) {
    int64_t xd[4], to;
    Act *x = computed_input(L, c, xd);
    if (!x || get_int(L, c, "to", 0, INT64_MIN, INT64_MAX, &to)) return -1;
    if (to != ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT)
        return not_supported_msg(L, c, "is supported on a computed tensor only to float");
    return add_act(L, c->n->output[0], x->node, x->rank, L->one_sample ? xd : NULL);
}

/* Size: the element count of a constant or of a computed tensor's ONNX shape */
static int fold_size(Loader *L, const NodeCtx *c) {
    int64_t d[4], n = 1;
    Act *x = in_act(L, c, 0);
    const Const *k = in_const(L, c, 0);
    if (x) {
        act_dims(L, x, d);
        for (int j = 0; j < x->rank; j++) n *= d[j];
    } else if (k) {
        n = (int64_t)k->n;
    } else {
        FAIL("ONNX: node '%s' (Size): needs an input", c->name);
    }
    return fold_result(L, c, 0, &n, 1);
}

/* Flatten of a constant at axis a: (product before a, product from a) */
static int fold_flatten(Loader *L, const NodeCtx *c) {
    const Const *d = in_const(L, c, 0);
    int64_t axis;
    if (!d) FAIL("ONNX: node '%s' (Flatten): needs an input", c->name);
    if (get_int(L, c, "axis", 1, -d->ndim, d->ndim, &axis)) return -1;
    if (axis < 0) axis += d->ndim;
    int64_t dims[2] = {1, 1};
    for (int k = 0; k < d->ndim; k++) dims[k < axis ? 0 : 1] *= d->dims[k];
    const size_t n = d->n, bytes = d->f ? sizeof(float) : sizeof(int64_t);
    void *buf = budget_alloc(L, n, bytes, c->n->output[0]);
    if (!buf) return -1;
    d = in_const(L, c, 0);
    if (n) memcpy(buf, d->f ? (const void *)d->f : (const void *)d->i, n * bytes);
    return put_const(L, c, buf, d->f == NULL, n, 2, dims);
}

/* ReduceMax: the start of Softmax's or LogSoftmax's expansion is one (log)
 * softmax node; any other a reduction */
static int reducemax_node(Loader *L, const NodeCtx *c) {
    const int rc = softmax_expansion(L, c);
    if (rc <= 0) return rc;
    return reduce_node(L, c, ENG_REDUCE_MAX);
}

/* The importer's operators, in the order the supported-ops message lists them. */
static const OnnxOp OPS[] = {
    {"Conv", ANY, 0, conv_op, NULL, NULL},
    {"ConvTranspose", ANY, 0, convt_op, NULL, NULL},
    {"MaxPool", ANY, 0, maxpool_op, NULL, NULL},
    {"AveragePool", ANY, 0, avgpool_op, NULL, NULL},
    {"GlobalAveragePool", ANY, 0, global_pool_node, NULL, NULL},
    {"GlobalMaxPool", ANY, 0, global_pool_node, NULL, NULL},
    {"ReduceMean", ANY, OP_ONE_SAMPLE, reducemean_node, NULL, NULL},
    {"ReduceSum", ANY, OP_ONE_SAMPLE, reducesum_node, NULL, NULL},
    {"ReduceSumSquare", ANY, OP_ONE_SAMPLE, reducesum_node, NULL, NULL},
    {"ReduceMax", ANY, OP_ONE_SAMPLE, reducemax_node, NULL, NULL},
    {"LRN", ANY, 0, lrn_node, NULL, NULL},
    {"BatchNormalization", ANY, OP_ONE_SAMPLE, batchnorm_node, NULL,
     "BatchNormalization (inference and training mode)"},
    {"Relu", ANY, OP_ONE_SAMPLE, relu_node, NULL, NULL},
    {"LeakyRelu", ANY, OP_ONE_SAMPLE, leakyrelu_node, NULL, NULL},
    {"PRelu", ANY, OP_ONE_SAMPLE, prelu_op, NULL, NULL},
    {"Clip", ANY, OP_ONE_SAMPLE, clip_node, NULL, NULL},
    {"Sigmoid", ANY, OP_ONE_SAMPLE, sigmoid_node, NULL, NULL},
    {"Tanh", ANY, OP_ONE_SAMPLE, tanh_node, NULL, NULL},
    {"HardSigmoid", ANY, OP_ONE_SAMPLE, hardsigmoid_node, NULL, NULL},
    {"HardSwish", ANY, OP_ONE_SAMPLE, hardswish_node, NULL, NULL},
    {"Softmax", ANY, OP_ONE_SAMPLE, softmax_op, NULL, NULL},
    {"LogSoftmax", ANY, OP_ONE_SAMPLE, softmax_op, NULL, NULL},
    {"Gemm", ANY, OP_ONE_SAMPLE, fc_node, NULL, NULL},
    {"MatMul", ANY, OP_ONE_SAMPLE, matmul_node, NULL, NULL},
    {"Add", ANY, OP_ONE_SAMPLE, add_node, NULL, NULL},
    {"Sum", ANY, OP_ONE_SAMPLE, add_node, NULL, NULL},
    {"Mul", ANY, OP_ONE_SAMPLE, mul_node, NULL, NULL},
    {"Sub", ANY, OP_ONE_SAMPLE, sub_div_node, NULL, NULL},
    {"Div", ANY, OP_ONE_SAMPLE, sub_div_node, NULL, NULL},
    {"Pow", ANY, OP_ONE_SAMPLE, pow_node, fold_pow, NULL},
    {"Abs", ANY, OP_ONE_SAMPLE, unary_node, fold_unary, NULL},
    {"Neg", ANY, OP_ONE_SAMPLE, unary_node, fold_unary, NULL},
    {"Exp", ANY, OP_ONE_SAMPLE, unary_node, fold_unary, NULL},
    {"Log", ANY, OP_ONE_SAMPLE, unary_node, fold_unary, NULL},
    {"Reciprocal", ANY, OP_ONE_SAMPLE, unary_node, fold_unary, NULL},
    {"Sqrt", ANY, OP_ONE_SAMPLE, unary_node, fold_unary, NULL},
    {"Erf", ANY, OP_ONE_SAMPLE, unary_node, fold_unary, NULL},
    {"Elu", ANY, OP_ONE_SAMPLE, unary_node, fold_unary, NULL},
    {"Selu", ANY, OP_ONE_SAMPLE, unary_node, fold_unary, NULL},
    {"Celu", 12, OPSET_MAX, OP_ONE_SAMPLE, unary_node, fold_unary, NULL},
    {"Softplus", ANY, OP_ONE_SAMPLE, unary_node, fold_unary, NULL},
    {"Softsign", ANY, OP_ONE_SAMPLE, unary_node, fold_unary, NULL},
    {"ThresholdedRelu", 10, OPSET_MAX, OP_ONE_SAMPLE, unary_node, fold_unary, NULL},
    {"LayerNormalization", 17, OPSET_MAX, OP_ONE_SAMPLE, layernorm_node, NULL, NULL},
    {"DepthToSpace", ANY, 0, depth_space_node, NULL, NULL},
    {"SpaceToDepth", ANY, 0, depth_space_node, NULL, NULL},
    {"Size", ANY, 0, NULL, fold_size, NULL},
    {"Concat", ANY, OP_ONE_SAMPLE, concat_node, NULL, NULL},
    {"Flatten", ANY, OP_ONE_SAMPLE, flatten_node, fold_flatten, NULL},
    {"Reshape", ANY, OP_ONE_SAMPLE, reshape_node, NULL, NULL},
    {"Dropout", ANY, OP_ONE_SAMPLE, identity_node, NULL, NULL},
    {"Identity", ANY, OP_ONE_SAMPLE, identity_node, fold_copy_op, NULL},
    {"Pad", ANY, 0, pad_node, NULL, NULL},
    {"Constant", ANY, 0, NULL, constant_node, NULL},
    {"ConstantOfShape", ANY, 0, NULL, fold_constantofshape, NULL},
    {"Shape", ANY, 0, NULL, fold_shape, NULL},
    {"Gather", ANY, 0, NULL, fold_gather, NULL},
    {"Unsqueeze", ANY, OP_ONE_SAMPLE, squeeze_op, fold_unsqueeze, NULL},
    {"Squeeze", ANY, OP_ONE_SAMPLE, squeeze_op, fold_squeeze, NULL},
    {"Cast", ANY, OP_ONE_SAMPLE, cast_node, fold_copy_op, NULL},
    {"Transpose", ANY, OP_ONE_SAMPLE, transpose_op, fold_transpose, NULL},
    {"Slice", ANY, OP_ONE_SAMPLE, slice_node, NULL, NULL},
    {"Split", ANY, OP_ONE_SAMPLE, split_op, NULL, NULL},
    {"MaxUnpool", ANY, OP_ONE_SAMPLE, maxunpool_node, NULL, NULL},
    {"Resize", 10, OPSET_MAX, 0, resize_node, NULL, "Resize and Upsample (nearest and linear, of H and W)"},
    {"Upsample", 7, 9, 0, upsample_node, NULL, ""},
};
#define N_OPS (sizeof OPS / sizeof OPS[0])

/* What the list ends with: the patterns converted as one node (softmax_expansion). */
static const char EXPANSIONS[] =
    "the expansions of Softmax (ReduceMax, Sub, Exp, ReduceSum, Div over one axis) and "
    "LogSoftmax (ReduceMax, Sub, Exp, ReduceSum, Log, Sub)";

size_t eng_onnx_supported_ops(char *buf, size_t n) {
    size_t len = 0;
    if (n) buf[0] = 0;
    for (size_t k = 0; k <= N_OPS; k++) {
        const char *item = k == N_OPS ? EXPANSIONS : OPS[k].listed ? OPS[k].listed : OPS[k].name;
        const char *sep = !len ? "" : k == N_OPS ? ", and " : ", ";
        if (!item[0]) continue;
        if (len < n) snprintf(buf + len, n - len, "%s%s", sep, item);
        len += strlen(sep) + strlen(item);
    }
    return len;
}

const char *eng_onnx_op_name(int k) {
    return k >= 0 && (size_t)k < N_OPS ? OPS[k].name : NULL;
}

static const OnnxOp *find_op(const char *name) {
    for (size_t k = 0; k < N_OPS; k++)
        if (!strcmp(name, OPS[k].name)) return &OPS[k];
    return NULL;
}

static int convert(Loader *L, const NodeCtx *c) {
    const OnnxOp *op = find_op(c->op);
    if (!op || L->opset < op->opset_min || L->opset > op->opset_max) return not_supported(L, c);
    if (node_checks(L, c)) return -1;
    if (!op->convert || (op->fold && !in_act(L, c, 0))) return op->fold(L, c);
    if (L->one_sample && !(op->flags & OP_ONE_SAMPLE))
        FAIL("ONNX: node '%s' (%s): this graph mixes the samples of the batch elsewhere, so it "
             "runs as one sample, and %s needs (N, C, H, W) samples", c->name, c->op, c->op);
    return op->convert(L, c);
}

/* ---- load ------------------------------------------------------------------------------- */

static void loader_free(Loader *L) {
    for (int k = 0; k < L->n_consts; k++) {
        free(L->consts[k].f);
        free(L->consts[k].i);
    }
    free(L->consts);
    free(L->acts);
    free(L->pend);
    free(L->fused);
    names_free(&L->readers);
    names_free(&L->values);
    names_free(&L->eng_names);
    names_free(&L->roots);
    names_free(&L->ext_files);
}

/* The whole model file, at most MAX_FILE bytes, a regular file only (eng_read_file). */
static int read_file(const char *path, uint8_t **buf, size_t *len, char *err, size_t errlen) {
    char why[512];
    if (eng_read_file(path, MAX_FILE, buf, len, why, sizeof why) == 0) return 0;
    eng_set_err(err, errlen, "ONNX: %s", why);
    return -1;
}

/* A unique engine name: "<name>", else "<first 80 characters>_<k>" with the
 * smallest k not tried before for those 80 characters (each try that fails
 * hits a distinct existing name, so n names cost O(n) tries in all). */
static const char *unique_name(Loader *L, const char *base, char *buf, size_t n) {
    snprintf(buf, n, "%s", base && base[0] ? base : "node");
    if (names_get(&L->eng_names, buf)) {
        char root[81];
        snprintf(root, sizeof root, "%s", buf);
        Slot *r = names_get(&L->roots, root);
        if (!r && !(r = names_add(&L->roots, root, 2, 0))) return NULL;
        for (;; r->kind++) {
            snprintf(buf, n, "%s_%d", root, r->kind);
            if (!names_get(&L->eng_names, buf)) break;
        }
        r->kind++;
    }
    return names_add(&L->eng_names, buf, 0, 0) ? buf : NULL;
}

/* protobuf-c allocates through this: a file cannot make decoding take much
 * more memory than its own size (each allocation carries its size in front). */
typedef struct {
    size_t used, cap;
    int over;
} DecodeBudget;

static void *decode_alloc(void *data, size_t size) {
    DecodeBudget *b = data;
    if (size > b->cap - b->used) {
        b->over = 1;
        return NULL;
    }
    size_t *p = malloc(size + 16);
    if (!p) return NULL;
    p[0] = size;
    b->used += size;
    return (char *)p + 16;
}

static void decode_free(void *data, void *ptr) {
    if (!ptr) return;
    DecodeBudget *b = data;
    size_t *p = (size_t *)((char *)ptr - 16);
    b->used -= p[0];
    free(p);
}

/* len * factor + slack, saturating */
static size_t file_budget(size_t len, size_t factor, size_t slack) {
    size_t b;
    if (!eng_mul_size(&b, len, factor) || b > SIZE_MAX - slack) return SIZE_MAX;
    return b + slack;
}

/* The data input of the full shape the caller gave: batch mode keeps
 * dims[0] for N (a sample of (D1, D2, D3), ones for what the rank lacks);
 * one-sample mode makes the whole tensor one sample. */
static int data_input_shaped(Loader *L, const char *vname) {
    const int64_t *d = L->in_dims;
    const int r = L->in_ndim;
    int C = 1, H = 1, W = 1;
    for (int k = 0; k < r; k++)
        if (d[k] < 1 || d[k] > MAX_DIM)
            FAIL("ONNX: input '%s' has dimension %d of size %lld (1 to %d are supported)", vname,
                 k, (long long)d[k], MAX_DIM);
    if (L->one_sample ? sample_shape(d, r, &C, &H, &W) != 0 : 0)
        FAIL("ONNX: input '%s' is too large to run as one sample", vname);
    if (!L->one_sample) {
        if (r > 1) C = (int)d[1];
        if (r > 2) H = (int)d[2];
        if (r > 3) W = (int)d[3];
    }
    char nm[96];
    const char *name = unique_name(L, vname, nm, sizeof nm);
    if (!name) return oom(L, "naming the input");
    int id = eng_input(L->g, name, C, H, W);
    if (id < 0) return engine_fail(L);
    L->act_bytes = eng_node_act_bytes(eng_graph_node(L->g, id));
    if (L->act_bytes > MAX_ACT_BYTES)
        FAIL("ONNX: %s: input '%s' of %dx%dx%d is larger than %lld GiB", L->file, name, C, H, W,
             (long long)(MAX_ACT_BYTES >> 30));
    return add_act(L, vname, id, r, L->one_sample ? d : NULL);
}

/* The data input's size from the file (dims of the first graph input that is
 * not a constant), unless given. */
static int data_input(Loader *L, const Onnx__ValueInfoProto *v, int C, int H, int W) {
    const Onnx__TypeProto__Tensor *tt = v->type && v->type->value_case == ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE
                                            ? v->type->tensor_type : NULL;
    const Onnx__TensorShapeProto *sh = tt ? tt->shape : NULL;
    if (tt && tt->has_elem_type && tt->elem_type != ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT &&
        tt->elem_type != ONNX__TENSOR_PROTO__DATA_TYPE__UNDEFINED)
        FAIL("ONNX: %s: input '%s' has element type %d; float inputs are supported", L->file,
             v->name, (int)tt->elem_type);
    int rank = sh ? (int)(sh->n_dim < 9 ? sh->n_dim : 9) : 0;
    if (L->in_ndim > 0) { /* the caller's full shape decides */
        if (sh && rank != L->in_ndim)
            FAIL("ONNX: input '%s' has rank %d in the file, the given tensor rank %d", v->name,
                 rank, L->in_ndim);
        return data_input_shaped(L, v->name);
    }
    if (rank < 2 || rank > 4)
        FAIL("ONNX: input '%s' has rank %d; (N, C, H, W), (N, C, L) or (N, K) inputs are supported",
             v->name, rank);
    int64_t d[4] = {0, 0, 1, 1};
    for (int j = 1; j < rank; j++) {
        d[j] = 0; /* a symbolic size: given by the caller or refused */
        if (sh->dim[j]->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE) {
            d[j] = sh->dim[j]->dim_value;
            if (d[j] < 1 || d[j] > MAX_DIM)
                FAIL("ONNX: input '%s' has dimension %d of size %lld (1 to %d are supported)",
                     v->name, j, (long long)d[j], MAX_DIM);
        }
    }
    if (rank >= 1 && sh->dim[0]->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE &&
        sh->dim[0]->dim_value > 0)
        L->batch = sh->dim[0]->dim_value;
    int ic = C > 0 ? C : (int)d[1], ih = H > 0 ? H : (int)d[2], iw = W > 0 ? W : (int)d[3];
    if (ic <= 0 || ih <= 0 || iw <= 0)
        FAIL("ONNX: input '%s' has no fixed size; give one (--input CxHxW)", v->name);
    char nm[96];
    const char *name = unique_name(L, v->name, nm, sizeof nm);
    if (!name) return oom(L, "naming the input");
    int id = eng_input(L->g, name, ic, ih, iw);
    if (id < 0) return engine_fail(L);
    L->act_bytes = eng_node_act_bytes(eng_graph_node(L->g, id));
    if (L->act_bytes > MAX_ACT_BYTES)
        FAIL("ONNX: %s: input '%s' of %dx%dx%d is larger than %lld GiB; HINT: give a smaller "
             "input size (--input CxHxW)", L->file, name, ic, ih, iw, (long long)(MAX_ACT_BYTES >> 30));
    return add_act(L, v->name, id, rank, NULL);
}

/* Every parameter's data from the file: zero all, then copy the constants in
 * (a BN running variance the file leaves out would otherwise be garbage). */
static int fill_params(Loader *L) {
    EngGraph *g = L->g;
    size_t total = 0, bytes;
    for (int i = 0; i < eng_graph_node_count(g); i++) {
        const EngNode *nd = eng_graph_node(g, i);
        for (int k = 0; k < nd->n_params; k++)
            if (nd->params[k].n > SIZE_MAX / 8 - total) total = SIZE_MAX / 8;
            else total += nd->params[k].n;
    }
    if (!eng_mul_size(&bytes, total, sizeof(float)) || bytes > L->budget)
        FAIL("ONNX: %s: the parameters would take %zu MiB, more than the file's size allows; the "
             "file is damaged or hostile", L->file, total >> 18);
    if (eng_graph_alloc_params(g) != 0) return oom(L, "for the parameters");
    for (int i = 0; i < eng_graph_node_count(g); i++) {
        EngNode *nd = eng_graph_node_mut(g, i);
        for (int k = 0; k < nd->n_params; k++) memset(nd->params[k].data, 0, nd->params[k].n * sizeof(float));
    }
    for (int k = 0; k < L->n_pend; k++) {
        const Pending *p = &L->pend[k];
        EngParam *dst = &eng_graph_node_mut(g, p->node)->params[p->param];
        ENG_ASSERT(p->src_n == dst->n);
        if (p->transpose_rows > 0) { /* each (rows=K, cols=OUT) of a stack -> (OUT, K) */
            const size_t mat = (size_t)p->transpose_rows * (size_t)p->transpose_cols;
            ENG_ASSERT(mat > 0 && dst->n % mat == 0);
            for (size_t s = 0; s < dst->n; s += mat)
                for (int r = 0; r < p->transpose_rows; r++)
                    for (int q = 0; q < p->transpose_cols; q++)
                        dst->data[s + (size_t)q * p->transpose_rows + r] =
                            p->scale * p->src[s + (size_t)r * p->transpose_cols + q];
        } else {
            for (size_t j = 0; j < dst->n; j++) dst->data[j] = p->scale * p->src[j];
        }
    }
    return 0;
}

/* The model's ai.onnx opset (1 when it lists none). */
static int read_opset(Loader *L, const Onnx__ModelProto *m) {
    int have_opset = 0;
    for (size_t k = 0; k < m->n_opset_import; k++) {
        const Onnx__OperatorSetIdProto *o = m->opset_import[k];
        if (o->domain && o->domain[0] && strcmp(o->domain, "ai.onnx")) continue;
        if (have_opset) FAIL("ONNX: %s lists the ai.onnx opset twice", L->file);
        if (!o->has_version || o->version < OPSET_MIN || o->version > OPSET_MAX)
            FAIL("ONNX: %s uses opset %lld; opsets %d to %d are supported", L->file,
                 (long long)o->version, OPSET_MIN, OPSET_MAX);
        L->opset = (int)o->version;
        have_opset = 1;
    }
    return 0;
}

/* One tensor the caller gave, as the constant cname (replacing a graph input
 * or an initializer of that name). */
static int given_const(Loader *L, const EngOnnxTensor *t, const char *cname, size_t n) {
    Slot *old = names_get(&L->values, cname);
    Const *c = add_const(L, old ? NULL : cname);
    if (!c) return -1;
    if (old) old->kind = VAL_CONST, old->idx = L->n_consts - 1;
    const size_t esz = t->ints ? sizeof(int64_t) : sizeof(float);
    void *buf = malloc((n ? n : 1) * esz);
    if (!buf) return oom(L, "copying a given tensor");
    if (t->ints) c->i = buf;
    else c->f = buf;
    /* their parameters come out of the budget: what the caller gives adds to it */
    L->budget = n * esz > SIZE_MAX - L->budget ? SIZE_MAX : L->budget + n * esz;
    if (n) memcpy(buf, t->ints ? (const void *)t->ints : (const void *)t->data, n * esz);
    c->n = n, c->ndim = t->ndim;
    memcpy(c->dims, t->dims, (size_t)c->ndim * sizeof c->dims[0]);
    return 0;
}

/* Values given by the caller replace a graph input, or an initializer of that
 * name; an unnamed one (a backend test's input_K.pb may have no name) binds by
 * position, as ONNX's test runner binds: the K-th of the graph inputs that are
 * not initializers, the data input counting first when one is given. */
static int bind_given(Loader *L, const Onnx__GraphProto *gp, const EngOnnxTensor *consts, int n_consts) {
    const char *slot_name[ENG_ONNX_MAX_OUTPUTS * 4];
    int n_slots = 0;
    for (size_t k = 0; k < gp->n_input && n_slots < (int)(sizeof slot_name / sizeof *slot_name); k++) {
        const char *nm = gp->input[k]->name;
        if (nm && nm[0] && !names_get(&L->values, nm)) slot_name[n_slots++] = nm;
    }
    for (int k = 0; k < n_consts; k++) {
        size_t n = 1;
        if (consts[k].ndim < 0 || consts[k].ndim > MAX_RANK)
            FAIL("ONNX: given tensor '%s' has rank %d", consts[k].name, consts[k].ndim);
        for (int d = 0; d < consts[k].ndim; d++)
            if (consts[k].dims[d] < 0 || !eng_mul_size(&n, n, (size_t)consts[k].dims[d]) || n > ((size_t)1 << 31))
                FAIL("ONNX: given tensor '%s' has an invalid shape", consts[k].name);
        const int pos = k + (L->no_input ? 0 : 1);
        const char *cname = consts[k].name[0] ? consts[k].name : pos < n_slots ? slot_name[pos] : NULL;
        if (!cname)
            FAIL("ONNX: given tensor %d has no name, and the graph has no input %d to bind it to", k, pos);
        if (given_const(L, &consts[k], cname, n)) return -1;
    }
    return 0;
}

/* The data input: the first graph input that is not a constant. */
static int graph_input(Loader *L, const Onnx__GraphProto *gp, int C, int H, int W) {
    int have_input = 0;
    for (size_t k = 0; k < gp->n_input; k++) {
        const Onnx__ValueInfoProto *v = gp->input[k];
        if (!v->name || !v->name[0]) FAIL("ONNX: %s: graph input %zu has no name", L->file, k);
        Slot *known = names_get(&L->values, v->name);
        if (known && known->kind == VAL_ACT)
            FAIL("ONNX: %s: graph input '%s' is listed twice", L->file, v->name);
        if (known) continue; /* an initializer listed as an input (IR version 3 and older) */
        if (have_input || L->no_input)
            FAIL("ONNX: %s has a %s data input '%s'; %s", L->file, have_input ? "second" : "",
                 v->name, have_input ? "one is supported" : "no input was given");
        if (data_input(L, v, C, H, W)) return -1;
        have_input = 1;
    }
    if (!have_input && !L->no_input) FAIL("ONNX: %s has no data input", L->file);
    return 0;
}

/* Every node in the graph's order, each through the operator table. */
static int convert_nodes(Loader *L, const Onnx__GraphProto *gp) {
    for (size_t k = 0; k < gp->n_node; k++) {
        const Onnx__NodeProto *n = gp->node[k];
        const char *base = n->name && n->name[0] ? n->name : n->n_output ? n->output[0] : "node";
        NodeCtx c = {n, NULL, "", k, 0};
        char nm[96];
        snprintf(c.op, sizeof c.op, "%s", n->op_type ? n->op_type : "?");
        if (n->domain && n->domain[0] && strcmp(n->domain, "ai.onnx"))
            FAIL("ONNX: node '%.80s': op %s of domain '%.80s' is not supported", base, c.op, n->domain);
        if (L->fused && L->fused[k]) continue;
        if (!(c.name = unique_name(L, base, nm, sizeof nm))) return oom(L, "naming a node");
        if (convert(L, &c)) {
            if (!L->err[0]) eng_set_err(L->err, L->errlen, "ONNX: node '%s' (%s) could not be imported", c.name, c.op);
            return -1;
        }
    }
    return 0;
}

/* An integer constant output as floats (exact to 2^24): a new anonymous
 * constant of the same shape, NULL on failure. */
static Const *float_output(Loader *L, const char *on) {
    Const *kc = find_const(L, on);
    float *f = budget_alloc(L, kc->n, sizeof *f, on);
    if (!f) return NULL;
    kc = find_const(L, on);
    for (size_t j = 0; j < kc->n; j++) f[j] = (float)kc->i[j];
    Const *fc = add_const(L, NULL);
    if (!fc) return free(f), NULL;
    kc = find_const(L, on); /* consts[] may have moved */
    *fc = *kc;
    fc->i = NULL, fc->f = f;
    return fc;
}

/* Graph output k of a graph of constants: a constant node (an empty one is
 * only its shape, kept in run). */
static int constant_output(Loader *L, size_t k, const char *on) {
    Const *kc = on ? find_const(L, on) : NULL;
    EngShape cs = {1, 1, 1};
    if (!kc || (!kc->f && !kc->i) || find_act(L, on)) return 0;
    if (kc->n == 0) { /* empty: nothing to compute, its shape is the result */
        if (k < ENG_ONNX_MAX_OUTPUTS && kc->ndim > 0 && kc->ndim <= 8) {
            L->run.empty_rank[k] = kc->ndim;
            memcpy(L->run.empty_dims[k], kc->dims, (size_t)kc->ndim * sizeof *kc->dims);
            return 0;
        }
        FAIL("ONNX: %s: constant output '%s' is empty (a dimension of size 0) and of rank %d",
             L->file, on, kc->ndim);
    }
    if (kc->ndim > 4 || (kc->ndim > 0 && sample_shape(kc->dims, kc->ndim, &cs.C, &cs.H, &cs.W)))
        FAIL("ONNX: %s: constant output '%s' of rank %d is not supported (rank 0 to 4)", L->file,
             on, kc->ndim);
    char nm[96];
    const char *name = unique_name(L, on, nm, sizeof nm);
    if (!name) return oom(L, "naming an output");
    if (!kc->f && !(kc = float_output(L, on))) return -1;
    int id = eng_const(L->g, name, cs.C, cs.H, cs.W);
    if (id < 0) return engine_fail(L);
    if (add_pending(L, id, 0, kc, 0, 0, 1.0f)) return -1;
    /* the output name now stands for the node */
    Slot *sl = names_get(&L->values, on);
    int64_t kd[4] = {1, 1, 1, 1};
    for (int j = 0; j < kc->ndim; j++) kd[j] = kc->dims[j];
    Act act = {id, kc->ndim > 0 ? kc->ndim : 1, {kd[0], kd[1], kd[2], kd[3]}, 0};
    void *p = grow(L->acts, &L->cap_acts, L->n_acts + 1, sizeof *L->acts);
    if (!p) return oom(L, "adding a tensor");
    L->acts = p;
    L->acts[L->n_acts] = act;
    sl->kind = VAL_ACT, sl->idx = L->n_acts++;
    return 0;
}

/* The graph's outputs: the engine's output node and run's list. */
static int graph_outputs(Loader *L, const Onnx__GraphProto *gp) {
    const char *out = gp->n_output ? gp->output[0]->name : NULL;
    if (!gp->n_output) FAIL("ONNX: %s: the graph declares no output", L->file);
    Act *a = out ? find_act(L, out) : NULL;
    if (!a && !L->run.empty_rank[0])
        FAIL("ONNX: the graph output '%s' is not computed by the graph", out ? out : "?");
    if (a) eng_graph_set_output(L->g, a->node);
    L->run.n_outputs = (int)(gp->n_output < INT32_MAX ? gp->n_output : INT32_MAX);
    for (size_t k = 0; k < gp->n_output && k < ENG_ONNX_MAX_OUTPUTS; k++) {
        Act *o = gp->output[k]->name ? find_act(L, gp->output[k]->name) : NULL;
        L->run.outputs[k] = o ? o->node : -1;
    }
    return 0;
}

static int load_graph(Loader *L, const Onnx__ModelProto *m, int C, int H, int W,
                      const EngOnnxTensor *consts, int n_consts) {
    if (read_opset(L, m)) return -1;
    const Onnx__GraphProto *gp = m->graph;
    L->gp = gp;
    if (gp->n_node > MAX_NODES)
        FAIL("ONNX: %s has %zu nodes (at most %d)", L->file, gp->n_node, MAX_NODES);
    for (size_t k = 0; k < gp->n_initializer; k++) {
        const char *nm = gp->initializer[k]->name;
        if (check_new_value(L, nm, "initializer") || tensor_to_const(L, gp->initializer[k], nm)) return -1;
    }
    if (bind_given(L, gp, consts, n_consts) || graph_input(L, gp, C, H, W) || convert_nodes(L, gp))
        return -1;
    /* a graph of constants (no data input, one sample): each float constant output
     * becomes a constant node */
    for (size_t k = 0; L->no_input && k < gp->n_output; k++)
        if (constant_output(L, k, gp->output[k]->name)) return -1;
    if (graph_outputs(L, gp)) return -1;
    return fill_params(L);
}

/* One "key=value\n" line appended to meta if it fits (control characters
 * become spaces, the value cut at 1000 bytes or its first newline for "doc"). */
static void meta_line(char *meta, size_t metalen, const char *key, const char *val, int first_line) {
    if (!val || !val[0]) return;
    size_t have = strlen(meta), kl = strlen(key), vl = 0;
    while (val[vl] && vl < 1000 && !(first_line && (val[vl] == '\n' || val[vl] == '\r'))) vl++;
    if (kl > 200 || have + kl + vl + 3 > metalen) return;
    char *p = meta + have;
    for (size_t k = 0; k < kl; k++) *p++ = (unsigned char)key[k] < 0x20 || key[k] == '=' ? ' ' : key[k];
    *p++ = '=';
    for (size_t k = 0; k < vl; k++) *p++ = (unsigned char)val[k] < 0x20 ? ' ' : val[k];
    *p++ = '\n';
    *p = 0;
}

static void model_meta(const Onnx__ModelProto *m, char *meta, size_t metalen) {
    if (!meta || !metalen) return;
    meta[0] = 0;
    meta_line(meta, metalen, "graph", m->graph ? m->graph->name : NULL, 0);
    meta_line(meta, metalen, "producer", m->producer_name, 0);
    meta_line(meta, metalen, "doc", m->doc_string, 1);
    for (size_t k = 0; k < m->n_metadata_props; k++)
        if (m->metadata_props[k]->key && m->metadata_props[k]->key[0])
            meta_line(meta, metalen, m->metadata_props[k]->key, m->metadata_props[k]->value, 0);
}

/* The one path of every entry point. owned: the file's bytes to free once
 * decoded (protobuf-c copies what it keeps), or NULL. dir: the model's
 * folder, where its external data files must be (NULL: none allowed). */
static EngGraph *load(const void *data, size_t len, void *owned, const char *path, const char *dir,
                      int C, int H, int W, const int64_t *dims, int ndim, EngOnnxRun *run,
                      const EngOnnxTensor *consts, int n_consts, char *meta, size_t metalen,
                      char *err, size_t errlen) {
    char dummy[8];
    if (!err || !errlen) err = dummy, errlen = sizeof dummy;
    err[0] = 0;
    DecodeBudget db = {0, file_budget(len, DECODE_FACTOR, DECODE_SLACK), 0};
    ProtobufCAllocator alloc = {decode_alloc, decode_free, &db};
    Onnx__ModelProto *m = onnx__model_proto__unpack(&alloc, len, data);
    free(owned);
    if (!m || !m->graph) {
        if (db.over)
            eng_set_err(err, errlen, "ONNX: %s: decoding it needs more than %zu MiB, more than a "
                                     "file of %zu bytes can; the file is damaged or hostile",
                        path, db.cap >> 20, len);
        else
            eng_set_err(err, errlen, "ONNX: %s is not a valid ONNX model (protobuf decoding failed)", path);
        if (m) onnx__model_proto__free_unpacked(m, &alloc);
        return NULL;
    }
    model_meta(m, meta, metalen);
    Loader L;
    int ok = 0;
    /* batch mode first; a graph that mixes the batch is loaded again as one sample
     * (a graph of constants is one sample at once) */
    for (int one_sample = dims && ndim == 0; one_sample < 2; one_sample++) {
        memset(&L, 0, sizeof L);
        err[0] = 0;
        L.err = err, L.errlen = errlen;
        L.file = path;
        L.dir = dir;
        L.opset = 1;
        L.budget = file_budget(len, TENSOR_FACTOR, TENSOR_SLACK);
        L.one_sample = one_sample;
        if (dims) {
            L.in_ndim = ndim;
            L.no_input = ndim == 0;
            memcpy(L.in_dims, dims, (size_t)ndim * sizeof *dims);
        }
        L.g = eng_graph_create();
        ok = L.g ? load_graph(&L, m, C, H, W, consts, n_consts) == 0 : oom(&L, "creating a graph") == 0;
        loader_free(&L);
        if (ok || !L.wants_one_sample) break;
        eng_graph_destroy(L.g);
        L.g = NULL;
    }
    onnx__model_proto__free_unpacked(m, &alloc);
    if (!ok) {
        if (!err[0]) eng_set_err(err, errlen, "ONNX: %s could not be imported", path);
        eng_graph_destroy(L.g);
        return NULL;
    }
    if (run) {
        *run = L.run;
        run->batch = L.one_sample ? 1 : dims ? (int)dims[0] : 0;
    }
    return L.g;
}

/* The folder external data files are looked up in: the path up to its last '/'. */
static int model_dir(const char *path, char *dir, size_t n, char *err, size_t errlen) {
    const char *slash = strrchr(path, '/');
    if (!slash) snprintf(dir, n, ".");
    else if (slash == path) snprintf(dir, n, "/");
    else if ((size_t)(slash - path) < n) snprintf(dir, n, "%.*s", (int)(slash - path), path);
    else {
        eng_set_err(err, errlen, "ONNX: the path %.200s... is too long", path);
        return -1;
    }
    return 0;
}

EngGraph *eng_onnx_load_buffer(const void *data, size_t len, const char *name, int C, int H,
                               int W, const EngOnnxTensor *consts, int n_consts, char *err,
                               size_t errlen) {
    return load(data, len, NULL, name, NULL, C, H, W, NULL, 0, NULL, consts, n_consts, NULL, 0, err,
                errlen);
}

EngGraph *eng_onnx_load_meta(const char *path, int C, int H, int W, const EngOnnxTensor *consts,
                             int n_consts, char *meta, size_t metalen, char *err, size_t errlen) {
    uint8_t *buf = NULL;
    size_t len = 0;
    char dir[4096];
    if (meta && metalen) meta[0] = 0;
    if (model_dir(path, dir, sizeof dir, err, errlen) != 0) return NULL;
    if (read_file(path, &buf, &len, err, errlen) != 0) return NULL;
    return load(buf, len, buf, path, dir, C, H, W, NULL, 0, NULL, consts, n_consts, meta, metalen,
                err, errlen);
}

EngGraph *eng_onnx_load(const char *path, int C, int H, int W, const EngOnnxTensor *consts,
                        int n_consts, char *err, size_t errlen) {
    return eng_onnx_load_meta(path, C, H, W, consts, n_consts, NULL, 0, err, errlen);
}

/* The shaped loads' argument checks; ndim 0 (no data input) gives dims a value. */
static int shaped_args(const int64_t **dims, int ndim, char *err, size_t errlen) {
    static const int64_t none[1] = {1};
    if (ndim < 0 || ndim > 4 || (ndim > 0 && !*dims)) {
        eng_set_err(err, errlen, "ONNX: an input of rank %d: ranks 1 to 4 are supported", ndim);
        return -1;
    }
    if (ndim == 0) *dims = none; /* no data input: the graph computes from constants */
    for (int k = 0; k < ndim; k++)
        if ((*dims)[k] < 1 || (*dims)[k] > MAX_DIM) {
            eng_set_err(err, errlen, "ONNX: input dimension %d of size %lld (1 to %d are "
                        "supported)", k, (long long)(*dims)[k], MAX_DIM);
            return -1;
        }
    return 0;
}

EngGraph *eng_onnx_load_shaped(const char *path, const int64_t *dims, int ndim, EngOnnxRun *run,
                               const EngOnnxTensor *consts, int n_consts, char *err,
                               size_t errlen) {
    if (shaped_args(&dims, ndim, err, errlen)) return NULL;
    uint8_t *buf = NULL;
    size_t len = 0;
    char dir[4096];
    if (model_dir(path, dir, sizeof dir, err, errlen) != 0) return NULL;
    if (read_file(path, &buf, &len, err, errlen) != 0) return NULL;
    return load(buf, len, buf, path, dir, 0, 0, 0, dims, ndim, run, consts, n_consts, NULL, 0, err,
                errlen);
}

EngGraph *eng_onnx_load_buffer_shaped(const void *data, size_t len, const char *name,
                                      const int64_t *dims, int ndim, EngOnnxRun *run,
                                      const EngOnnxTensor *consts, int n_consts, char *err,
                                      size_t errlen) {
    if (shaped_args(&dims, ndim, err, errlen)) return NULL;
    return load(data, len, NULL, name, NULL, 0, 0, 0, dims, ndim, run, consts, n_consts, NULL, 0, err,
                errlen);
}

static int read_tensor(const char *path, EngOnnxTensor *t, void **data, int ints_ok, char *err,
                       size_t errlen) {
    uint8_t *buf = NULL;
    size_t len = 0;
    memset(t, 0, sizeof *t);
    *data = NULL;
    if (read_file(path, &buf, &len, err, errlen) != 0) return -1;
    DecodeBudget db = {0, file_budget(len, DECODE_FACTOR, DECODE_SLACK), 0};
    ProtobufCAllocator alloc = {decode_alloc, decode_free, &db};
    Onnx__TensorProto *tp = onnx__tensor_proto__unpack(&alloc, len, buf);
    free(buf);
    if (!tp) {
        eng_set_err(err, errlen, "ONNX: %s is not a TensorProto", path);
        return -1;
    }
    Loader L = {0};
    L.err = err, L.errlen = errlen;
    L.file = path;
    L.budget = file_budget(len, TENSOR_FACTOR, TENSOR_SLACK);
    int rc = tensor_to_const(&L, tp, "");
    if (rc == 0 && !L.consts[0].f && !ints_ok) {
        eng_set_err(err, errlen, "ONNX: %s holds integers, not floats", path);
        rc = -1;
    }
    if (rc == 0) {
        Const *c = &L.consts[0];
        if (c->f) {
            *data = c->f;
            t->data = c->f;
        } else {
            *data = c->i;
            t->ints = c->i;
        }
        c->f = NULL, c->i = NULL;
        t->ndim = c->ndim;
        for (int d = 0; d < c->ndim && d < 8; d++) t->dims[d] = c->dims[d];
        snprintf(t->name, sizeof t->name, "%s", tp->name ? tp->name : "");
    }
    loader_free(&L);
    onnx__tensor_proto__free_unpacked(tp, &alloc);
    return rc;
}

int eng_onnx_read_tensor(const char *path, EngOnnxTensor *t, float **data, char *err, size_t errlen) {
    void *buf = NULL;
    int rc = read_tensor(path, t, &buf, 0, err, errlen);
    *data = buf;
    return rc;
}

int eng_onnx_read_value(const char *path, EngOnnxTensor *t, void **buf, char *err, size_t errlen) {
    return read_tensor(path, t, buf, 1, err, errlen);
}
