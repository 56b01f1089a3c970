/*
 * fuzz_safetensors.c — libFuzzer target for the weights and checkpoint
 * reader (eng_weights.c): the bytes are a safetensors file, read as any list
 * of tensors (eng_tensors_load: filter snapshots, cached scans) and as the
 * weights and optimizer state of a small graph (eng_weights_load: --weights,
 * --resume). A read either fails with a "weights: " message or gives tensors
 * whose sizes match their shapes, and metadata text that is NUL-terminated.
 *
 * The file is a memfd reached through /proc/self/fd: the reader opens it by
 * name as it opens any file. With FUZZ_SEED_DIR set, the first call writes
 * seeds there (a checkpoint of the graph with Adam state, a snapshot file):
 * tests/fuzz_safetensors.sh makes its corpus that way at test time.
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

#include "eng.h"

static void quiet_log(EngLogLevel level, const char *msg, void *user) {
    (void)level, (void)msg, (void)user;
}

static int fd = -1;
static char path[64];

/* x (1, 4, 4) -> conv c (2 channels, 3x3, pad 1, bias) -> fc f (3, bias) */
static EngGraph *small_graph(EngOptimizer *opt) {
    EngGraph *g = eng_graph_create();
    int x = eng_input(g, "x", 1, 4, 4);
    int c = eng_conv_k(g, "c", x, 2, 3, 1, 1, 1, 1);
    eng_fc(g, "f", c, 3, 1);
    ENG_ASSERT(eng_graph_ok(g) && eng_graph_init_params(g, 7) == 0);
    ENG_ASSERT(eng_graph_enable_grads(g) == 0 && eng_graph_plan(g, 1) == 0);
    ENG_ASSERT(eng_opt_init(opt, g, ENG_OPT_ADAM, 1e-3f) == 0);
    return g;
}

static void write_seeds(const char *dir) {
    char p[4200], err[512];
    EngOptimizer opt = {0};
    EngGraph *g = small_graph(&opt);
    opt.step = 12;
    snprintf(p, sizeof p, "%s/checkpoint.safetensors", dir);
    ENG_ASSERT(eng_weights_save(g, &opt, "convscope=checkpoint 1\nmodel=small\nepoch=1\nbatch=3\n", p,
                                err, sizeof err) == 0);
    snprintf(p, sizeof p, "%s/weights.safetensors", dir);
    ENG_ASSERT(eng_weights_save(g, NULL, "model=small\n", p, err, sizeof err) == 0);
    float v[6] = {1, -2, 3.5f, 0, 1e-3f, 7};
    EngTensor t[2] = {{"step0/c.weight", 2, {2, 3}, 6, v}, {"step10/c.weight", 1, {6}, 6, v}};
    snprintf(p, sizeof p, "%s/snapshots.safetensors", dir);
    ENG_ASSERT(eng_tensors_save(p, t, 2, "model=small\nsteps=0 10\nlabels=init,step 10\n", err,
                                sizeof err) == 0);
    eng_opt_free(&opt);
    eng_graph_destroy(g);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    eng_log_set(quiet_log, NULL);
    eng_set_threads(1);
    fd = memfd_create("fuzz.safetensors", 0);
    ENG_ASSERT(fd >= 0);
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    const char *seeds = getenv("FUZZ_SEED_DIR");
    if (seeds && *seeds) write_seeds(seeds);
    return 0;
}

static void check_failure(const char *err) {
    if (strncmp(err, "weights: ", 9) != 0) {
        fprintf(stderr, "read failed without a weights: message: '%s'\n", err);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    ENG_ASSERT(ftruncate(fd, 0) == 0);
    ENG_ASSERT(pwrite(fd, data, size, 0) == (ssize_t)size);
    char err[1024], meta[512];
    EngTensor *ts = NULL;
    int n = 0;
    err[0] = 0;
    memset(meta, 'x', sizeof meta);
    if (eng_tensors_load(path, &ts, &n, meta, sizeof meta, err, sizeof err) == 0) {
        ENG_ASSERT(memchr(meta, 0, sizeof meta) != NULL);
        for (int i = 0; i < n; i++) {
            size_t count = 1;
            for (int d = 0; d < ts[i].ndim; d++) count *= (size_t)ts[i].dims[d];
            ENG_ASSERT(ts[i].ndim <= 4 && count == ts[i].n && ts[i].data);
        }
        eng_tensors_free(ts, n);
    } else {
        check_failure(err);
    }
    EngOptimizer opt = {0};
    EngGraph *g = small_graph(&opt);
    err[0] = 0;
    if (eng_weights_load(g, &opt, path, meta, sizeof meta, err, sizeof err) == 0) {
        ENG_ASSERT(memchr(meta, 0, sizeof meta) != NULL);
        ENG_ASSERT(opt.step >= 0 && opt.eps > 0 && opt.beta1 < 1 && opt.beta2 < 1);
    } else {
        check_failure(err);
    }
    eng_opt_free(&opt);
    eng_graph_destroy(g);
    return 0;
}
