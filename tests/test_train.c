/*
 * test_train.c — optimizers (updates checked by hand), learning-rate
 * schedules, and the weights file: round trip, optimizer state, and every
 * kind of damaged or mismatched file refused with a clear error; the
 * temporary files every writer goes through.
 */
#include "check.h"
#include "eng.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void quiet(EngLogLevel level, const char *msg, void *user) {
    (void)level, (void)msg, (void)user;
}

static EngGraph *tiny(void) {
    EngGraph *g = eng_graph_create();
    int x = eng_input(g, "x", 1, 4, 4);
    x = eng_conv_k(g, "conv", x, 2, 3, 1, 1, 1, 1);
    x = eng_bn(g, "bn", x, 1e-5f);
    x = eng_fc(g, "fc", x, 3, 1);
    return g;
}

static void test_optimizers(void) {
    /* one FC weight w = 1, gradient 0.5 each step (set by hand) */
    EngGraph *g = eng_graph_create();
    int x = eng_input(g, "x", 1, 1, 1);
    eng_fc(g, "fc", x, 1, 0);
    eng_graph_enable_grads(g);
    CHECK(eng_graph_init_params(g, 1) == 0 && eng_graph_plan(g, 1) == 0);
    EngParam *w = &eng_graph_node_mut(g, 1)->params[0];
    /* gradients exist after a forward/backward */
    eng_graph_forward(g);
    eng_graph_zero_grads(g);
    CHECK(eng_graph_backward(g) == 0 && w->grad != NULL);
    EngOptimizer o;
    CHECK(eng_opt_init(&o, g, ENG_OPT_SGD, 0.1f) == 0);
    o.momentum = 0.9f;
    o.weight_decay = 0.0f;
    w->data[0] = 1.0f;
    w->grad[0] = 0.5f;
    eng_opt_step(&o, g); /* v = 0.5, w = 1 - 0.05 */
    CHECK(fabsf(w->data[0] - 0.95f) < 1e-6f);
    eng_opt_step(&o, g); /* v = 0.9*0.5 + 0.5 = 0.95, w = 0.95 - 0.095 */
    CHECK(fabsf(w->data[0] - 0.855f) < 1e-6f);
    /* weight decay adds lambda * w to the gradient of conv/FC weights */
    o.weight_decay = 0.1f;
    o.momentum = 0.0f;
    w->data[0] = 2.0f;
    eng_opt_step(&o, g); /* g = 0.5 + 0.2 = 0.7 -> w = 2 - 0.07 */
    CHECK(fabsf(w->data[0] - 1.93f) < 1e-6f);
    eng_opt_free(&o);
    /* Adam's first step moves every weight by lr (bias-corrected m/sqrt(v) = sign g) */
    CHECK(eng_opt_init(&o, g, ENG_OPT_ADAM, 0.01f) == 0);
    w->data[0] = 1.0f;
    w->grad[0] = 0.5f;
    eng_opt_step(&o, g);
    CHECK(fabsf(w->data[0] - 0.99f) < 1e-5f);
    w->grad[0] = -2.0f;
    eng_opt_step(&o, g);
    /* m = 0.9*0.05 + 0.1*(-2) = -0.155, v = 0.999*0.00025 + 0.001*4 = 0.00424975;
     * mhat = m / 0.19, vhat = v / 0.001999 */
    double m = -0.155 / 0.19, v = 0.00424975 / (1 - 0.999 * 0.999);
    CHECK(fabs(w->data[0] - (0.99 - 0.01 * m / (sqrt(v) + 1e-8))) < 1e-5);
    eng_opt_free(&o);
    eng_graph_destroy(g);

    /* schedules */
    CHECK(fabsf(eng_lr_schedule(ENG_LR_COSINE, 0.1f, 0, 10, 0, 0) - 0.1f) < 1e-7f);
    CHECK(fabsf(eng_lr_schedule(ENG_LR_COSINE, 0.1f, 5, 10, 0, 0) - 0.05f) < 1e-6f);
    CHECK(fabsf(eng_lr_schedule(ENG_LR_STEP, 0.1f, 7, 10, 3, 0.1f) - 0.001f) < 1e-7f);
    CHECK(fabsf(eng_lr_schedule(ENG_LR_CONSTANT, 0.1f, 7, 10, 3, 0.1f) - 0.1f) < 1e-7f);
}

static void write_bytes(const char *path, const unsigned char *b, size_t n) {
    FILE *f = fopen(path, "wb");
    fwrite(b, 1, n, f);
    fclose(f);
}

static unsigned char *read_bytes(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    fseek(f, 0, SEEK_END);
    *n = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc(*n);
    if (fread(b, 1, *n, f) != *n) *n = 0;
    fclose(f);
    return b;
}

static void test_weights_file(void) {
    char dir[] = "/tmp/convscope-weights-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[256], bad[256], err[512], meta[256];
    snprintf(path, sizeof path, "%s/tiny.safetensors", dir);
    snprintf(bad, sizeof bad, "%s/bad.safetensors", dir);

    EngGraph *a = tiny();
    eng_graph_enable_grads(a);
    CHECK(eng_graph_init_params(a, 42) == 0 && eng_graph_plan(a, 1) == 0);
    /* running statistics are saved too */
    EngNode *bn = eng_graph_node_mut(a, eng_graph_find(a, "bn"));
    bn->params[2].data[1] = 0.25f;
    bn->params[3].data[0] = 3.0f;
    EngOptimizer oa;
    CHECK(eng_opt_init(&oa, a, ENG_OPT_ADAM, 1e-3f) == 0);
    for (size_t i = 0; i < oa.n; i++) oa.m[i] = 0.001f * (float)i, oa.v[i] = 0.5f;
    oa.step = 17;
    CHECK(eng_weights_save(a, &oa, "model=tiny\nepoch=3\n", path, err, sizeof err) == 0);
    CHECK(access(path, F_OK) == 0);
    DIR *dp = opendir(dir);
    int entries = 0;
    for (struct dirent *e; dp && (e = readdir(dp)) != NULL;) entries += e->d_name[0] != '.';
    if (dp) closedir(dp);
    CHECK(entries == 1); /* the file, renamed: no temporary file left behind */

    EngGraph *b = tiny();
    EngOptimizer ob;
    CHECK(eng_graph_alloc_params(b) == 0);
    CHECK(eng_opt_init(&ob, b, ENG_OPT_ADAM, 1.0f) == 0);
    CHECK(eng_weights_load(b, &ob, path, meta, sizeof meta, err, sizeof err) == 0);
    CHECK(strstr(meta, "epoch=3") != NULL);
    CHECK(ob.step == 17 && fabsf(ob.lr - 1e-3f) < 1e-9f && ob.m[5] == oa.m[5] && ob.v[2] == 0.5f);
    int same = 1;
    for (int i = 0; i < eng_graph_node_count(a); i++) {
        const EngNode *na = eng_graph_node(a, i), *nb = eng_graph_node(b, i);
        for (int k = 0; k < na->n_params; k++)
            same &= memcmp(na->params[k].data, nb->params[k].data, na->params[k].n * 4) == 0;
    }
    CHECK(same);
    /* an SGD run cannot resume from Adam state, but weights alone load fine */
    EngOptimizer os;
    CHECK(eng_opt_init(&os, b, ENG_OPT_SGD, 0.1f) == 0);
    CHECK(eng_weights_load(b, &os, path, NULL, 0, err, sizeof err) != 0);
    CHECK(strstr(err, "optimizer") != NULL);
    CHECK(eng_weights_load(b, NULL, path, NULL, 0, err, sizeof err) == 0);
    eng_opt_free(&os);

    /* another architecture: refused by name or shape */
    EngGraph *c = eng_graph_create();
    int x = eng_input(c, "x", 1, 4, 4);
    x = eng_conv_k(c, "conv", x, 3, 3, 1, 1, 1, 1); /* 3 filters instead of 2 */
    x = eng_bn(c, "bn", x, 1e-5f);
    eng_fc(c, "fc", x, 3, 1);
    CHECK(eng_weights_load(c, NULL, path, NULL, 0, err, sizeof err) != 0);
    CHECK(strstr(err, "shape") != NULL);
    eng_graph_destroy(c);

    /* damaged files */
    size_t n;
    unsigned char *bytes = read_bytes(path, &n);
    CHECK(n > 100);
    CHECK(bytes[8] == '{' && (n - 8 - bytes[0] - 256u * bytes[1]) % 4 == 0); /* safetensors layout */
    write_bytes(bad, bytes, n / 2); /* truncated */
    CHECK(eng_weights_load(b, NULL, bad, NULL, 0, err, sizeof err) != 0 && strstr(err, "bad.safetensors"));
    write_bytes(bad, bytes, n - 4); /* the last float cut off */
    CHECK(eng_weights_load(b, NULL, bad, NULL, 0, err, sizeof err) != 0 && strstr(err, "truncated"));
    bytes[n - 10] ^= 0x40; /* one flipped bit in the data */
    write_bytes(bad, bytes, n);
    CHECK(eng_weights_load(b, NULL, bad, NULL, 0, err, sizeof err) != 0 && strstr(err, "corrupt"));
    bytes[n - 10] ^= 0x40;
    bytes[7] = 0x40; /* a header size larger than the file */
    write_bytes(bad, bytes, n);
    CHECK(eng_weights_load(b, NULL, bad, NULL, 0, err, sizeof err) != 0 && strstr(err, "safetensors"));
    bytes[7] = 0;
    bytes[9] = '['; /* the header is not a JSON object */
    write_bytes(bad, bytes, n);
    CHECK(eng_weights_load(b, NULL, bad, NULL, 0, err, sizeof err) != 0 && strstr(err, "JSON"));
    write_bytes(bad, bytes, 3);
    CHECK(eng_weights_load(b, NULL, bad, NULL, 0, err, sizeof err) != 0);
    free(bytes);
    snprintf(bad, sizeof bad, "%s/missing.safetensors", dir);
    CHECK(eng_weights_load(b, NULL, bad, NULL, 0, err, sizeof err) != 0 && strstr(err, "missing"));
    /* saving into a folder that does not exist fails cleanly */
    snprintf(bad, sizeof bad, "%s/no/such/dir.safetensors", dir);
    CHECK(eng_weights_save(a, NULL, NULL, bad, err, sizeof err) != 0);

    eng_opt_free(&oa);
    eng_opt_free(&ob);
    eng_graph_destroy(a);
    eng_graph_destroy(b);
    snprintf(bad, sizeof bad, "%s/bad.safetensors", dir);
    remove(bad);
    remove(path);
    rmdir(dir);
}

/* A file written as another safetensors writer would: tensors in reverse
 * order, no metadata, no hash; then damaged variants of its header. */
static void write_foreign(const char *path, EngGraph *g, const char *dtype0, int drop_last,
                          int extra_bytes, int dup_first) {
    char hdr[8192];
    size_t hl = 0, off = 0;
    float data[4096];
    size_t nd = 0;
    hl += (size_t)snprintf(hdr + hl, sizeof hdr - hl, "{");
    int first = 1, total = 0;
    for (int i = 0; i < eng_graph_node_count(g); i++) total += eng_graph_node(g, i)->n_params;
    int idx = 0;
    for (int i = eng_graph_node_count(g) - 1; i >= 0; i--) {
        const EngNode *n = eng_graph_node(g, i);
        for (int k = n->n_params - 1; k >= 0; k--, idx++) {
            if (drop_last && idx == total - 1) continue;
            const EngParam *p = &n->params[k];
            int reps = dup_first && idx == 0 ? 2 : 1;
            for (int r = 0; r < reps; r++) {
                hl += (size_t)snprintf(hdr + hl, sizeof hdr - hl, "%s\"%s.%s\":{\"dtype\":\"%s\",\"shape\":[",
                                       first ? "" : ",", n->name, p->suffix, idx == 0 ? dtype0 : "F32");
                for (int d = 0; d < p->ndim; d++)
                    hl += (size_t)snprintf(hdr + hl, sizeof hdr - hl, "%s%lld", d ? "," : "",
                                           (long long)p->dims[d]);
                hl += (size_t)snprintf(hdr + hl, sizeof hdr - hl, "],\"data_offsets\":[%zu,%zu]}", off,
                                       off + p->n * 4);
                off += p->n * 4;
                for (size_t j = 0; j < p->n; j++) data[nd++] = p->data[j];
                first = 0;
            }
        }
    }
    hl += (size_t)snprintf(hdr + hl, sizeof hdr - hl, "}");
    FILE *f = fopen(path, "wb");
    unsigned char len[8] = {0};
    for (int i = 0; i < 8; i++) len[i] = (unsigned char)((uint64_t)hl >> (8 * i));
    fwrite(len, 1, 8, f);
    fwrite(hdr, 1, hl, f);
    fwrite(data, 4, nd, f);
    for (int i = 0; i < extra_bytes; i++) fputc(0, f);
    fclose(f);
}

static void test_foreign_weights(void) {
    char dir[] = "/tmp/convscope-foreign-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[256], err[512];
    snprintf(path, sizeof path, "%s/f.safetensors", dir);
    EngGraph *a = tiny(), *b = tiny();
    CHECK(eng_graph_init_params(a, 7) == 0 && eng_graph_init_params(b, 8) == 0);
    write_foreign(path, a, "F32", 0, 0, 0);
    CHECK(eng_weights_load(b, NULL, path, NULL, 0, err, sizeof err) == 0);
    const EngParam *pa = &eng_graph_node(a, 1)->params[0], *pb = &eng_graph_node(b, 1)->params[0];
    CHECK(memcmp(pa->data, pb->data, pa->n * 4) == 0);
    write_foreign(path, a, "F16", 0, 0, 0);
    CHECK(eng_weights_load(b, NULL, path, NULL, 0, err, sizeof err) != 0 && strstr(err, "F32"));
    write_foreign(path, a, "F32", 1, 0, 0);
    CHECK(eng_weights_load(b, NULL, path, NULL, 0, err, sizeof err) != 0 && strstr(err, "holds"));
    write_foreign(path, a, "F32", 0, 4, 0);
    CHECK(eng_weights_load(b, NULL, path, NULL, 0, err, sizeof err) != 0 && strstr(err, "tile"));
    write_foreign(path, a, "F32", 0, 0, 1);
    CHECK(eng_weights_load(b, NULL, path, NULL, 0, err, sizeof err) != 0 && strstr(err, "twice"));
    /* a plain list of tensors, with metadata */
    float v1[6] = {1, -2, 3.5f, 0, 1e-30f, -0.0f}, v2[1] = {42};
    EngTensor out[2] = {{"step_0/conv1.weight", 2, {2, 3}, 6, v1}, {"x", 0, {0}, 1, v2}};
    CHECK(eng_tensors_save(path, out, 2, "model=tiny\nsteps=0 10\n", err, sizeof err) == 0);
    EngTensor *in = NULL;
    int count = 0;
    char meta[256];
    CHECK(eng_tensors_load(path, &in, &count, meta, sizeof meta, err, sizeof err) == 0);
    CHECK(count == 2 && in && !strcmp(in[0].name, "step_0/conv1.weight") && in[0].ndim == 2 &&
          in[0].dims[1] == 3 && memcmp(in[0].data, v1, sizeof v1) == 0 && in[1].ndim == 0 &&
          in[1].n == 1 && in[1].data[0] == 42);
    CHECK(strstr(meta, "steps=0 10\n") && strstr(meta, "model=tiny\n"));
    eng_tensors_free(in, count);
    eng_graph_destroy(a);
    eng_graph_destroy(b);
    remove(path);
    rmdir(dir);
}

static double param_std(const EngParam *p) {
    double s = 0, s2 = 0;
    for (size_t i = 0; i < p->n; i++) s += p->data[i], s2 += (double)p->data[i] * p->data[i];
    double m = s / (double)p->n;
    return sqrt(s2 / (double)p->n - m * m);
}

/* He: std sqrt(2/fan_in); Xavier: std sqrt(2/(fan_in+fan_out)); He uniform:
 * He's std, every value within sqrt(6/fan_in); same seed, same values. */
static void test_init(void) {
    for (int mode = 0; mode < 3; mode++) {
        const EngInit kind = mode == 0 ? ENG_INIT_HE : mode == 1 ? ENG_INIT_XAVIER : ENG_INIT_HE_UNIFORM;
        EngGraph *g = eng_graph_create();
        int x = eng_input(g, "x", 32, 8, 8);
        x = eng_conv_k(g, "conv", x, 64, 3, 1, 1, 1, 1); /* fan_in 288, fan_out 576 */
        eng_fc(g, "fc", x, 500, 1);                       /* fan_in 4096, fan_out 500 */
        CHECK(eng_graph_init_params_ex(g, 5, kind) == 0);
        double sc = param_std(&eng_graph_node(g, 1)->params[0]);
        double sf = param_std(&eng_graph_node(g, 2)->params[0]);
        double wc = mode == 1 ? sqrt(2.0 / 864) : sqrt(2.0 / 288),
               wf = mode == 1 ? sqrt(2.0 / 4596) : sqrt(2.0 / 4096);
        CHECK(fabs(sc / wc - 1) < 0.03 && fabs(sf / wf - 1) < 0.01);
        if (kind == ENG_INIT_HE_UNIFORM) {
            const EngParam *w = &eng_graph_node(g, 2)->params[0];
            float lo = 0, hi = 0, bound = (float)sqrt(6.0 / 4096);
            for (size_t j = 0; j < w->n; j++) {
                if (w->data[j] < lo) lo = w->data[j];
                if (w->data[j] > hi) hi = w->data[j];
            }
            CHECK(lo >= -bound && hi <= bound && lo < -0.99f * bound && hi > 0.99f * bound);
        }
        CHECK(eng_graph_node(g, 1)->params[1].data[3] == 0.0f); /* biases start at zero */
        EngGraph *h = eng_graph_create();
        x = eng_input(h, "x", 32, 8, 8);
        x = eng_conv_k(h, "conv", x, 64, 3, 1, 1, 1, 1);
        eng_fc(h, "fc", x, 500, 1);
        CHECK(eng_graph_init_params_ex(h, 5, kind) == 0);
        CHECK(memcmp(eng_graph_node(g, 2)->params[0].data, eng_graph_node(h, 2)->params[0].data,
                     4096 * 500 * 4) == 0);
        eng_graph_destroy(g);
        eng_graph_destroy(h);
    }
}

/* Whether the file at path holds exactly text. */
static int holds(const char *path, const char *text) {
    char buf[64] = {0};
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    return n == strlen(text) && !memcmp(buf, text, n);
}

/* eng_tmpfile: each writer gets a new file of its own beside the
 * destination; a symbolic link planted at dest.tmp is never followed;
 * commit renames over dest, abort and a failed open leave nothing. */
static void test_tmpfile(void) {
    char dir[] = "/tmp/convscope-tmpfile-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char dest[300], victim[300], link[300], pa[4200], pb[4200], pc[4200], err[512];
    snprintf(dest, sizeof dest, "%s/out.bin", dir);
    snprintf(victim, sizeof victim, "%s/victim", dir);
    snprintf(link, sizeof link, "%s/out.bin.tmp", dir);
    FILE *v = fopen(victim, "wb");
    CHECK(v != NULL);
    if (!v) return;
    fputs("victim", v);
    fclose(v);
    CHECK(symlink(victim, link) == 0);

    EngTmpFile a, b, c;
    CHECK(eng_tmpfile_open(&a, dest, err, sizeof err) == 0);
    CHECK(eng_tmpfile_open(&b, dest, err, sizeof err) == 0);
    if (!a.f || !b.f) return;
    snprintf(pa, sizeof pa, "%s", a.path);
    snprintf(pb, sizeof pb, "%s", b.path);
    CHECK(strcmp(pa, pb) != 0); /* two writers to one file: two temporary files */
    CHECK(strcmp(pa, link) != 0 && strcmp(pb, link) != 0);
    CHECK(strncmp(pa, dest, strlen(dest)) == 0); /* beside dest: the rename stays on its file system */
    fputs("first", a.f);
    fputs("second", b.f);
    CHECK(eng_tmpfile_commit(&a, err, sizeof err) == 0);
    CHECK(holds(dest, "first") && access(pa, F_OK) != 0 && a.f == NULL);
    CHECK(eng_tmpfile_commit(&b, err, sizeof err) == 0);
    CHECK(holds(dest, "second") && access(pb, F_OK) != 0);

    CHECK(eng_tmpfile_open(&c, dest, err, sizeof err) == 0);
    if (!c.f) return;
    snprintf(pc, sizeof pc, "%s", c.path);
    fputs("third", c.f);
    eng_tmpfile_abort(&c);
    CHECK(access(pc, F_OK) != 0 && holds(dest, "second"));

    struct stat st;
    CHECK(lstat(link, &st) == 0 && S_ISLNK(st.st_mode) && holds(victim, "victim"));

    char nowhere[320];
    snprintf(nowhere, sizeof nowhere, "%s/no/such/out.bin", dir);
    CHECK(eng_tmpfile_open(&c, nowhere, err, sizeof err) == -1 && c.f == NULL);
    CHECK(strstr(err, "cannot write") && strstr(err, "no/such/out.bin"));

    DIR *dp = opendir(dir);
    int entries = 0;
    for (struct dirent *e; dp && (e = readdir(dp)) != NULL;) entries += e->d_name[0] != '.';
    if (dp) closedir(dp);
    CHECK(entries == 3); /* out.bin, the planted link, its victim */
    remove(link);
    remove(victim);
    remove(dest);
    rmdir(dir);
}

int main(void) {
    eng_log_set(quiet, NULL);
    eng_set_threads(1);
    test_optimizers();
    test_init();
    test_weights_file();
    test_foreign_weights();
    test_tmpfile();
    return check_finish("train");
}
