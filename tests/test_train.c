/*
 * test_train.c — optimizers (updates checked by hand), learning-rate
 * schedules, and the weights file: round trip, optimizer state, and every
 * kind of damaged or mismatched file refused with a clear error.
 */
#include "check.h"
#include "eng.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
    snprintf(path, sizeof path, "%s/tiny.cvw", dir);
    snprintf(bad, sizeof bad, "%s/bad.cvw", dir);

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
    char tmp[300];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    CHECK(access(tmp, F_OK) != 0); /* renamed, not left behind */

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
    write_bytes(bad, bytes, n / 2); /* truncated */
    CHECK(eng_weights_load(b, NULL, bad, NULL, 0, err, sizeof err) != 0 && strstr(err, "bad.cvw"));
    bytes[n / 2] ^= 0x40; /* one flipped bit */
    write_bytes(bad, bytes, n);
    CHECK(eng_weights_load(b, NULL, bad, NULL, 0, err, sizeof err) != 0 && strstr(err, "corrupt"));
    bytes[n / 2] ^= 0x40;
    bytes[0] = 'X'; /* not our format */
    write_bytes(bad, bytes, n);
    CHECK(eng_weights_load(b, NULL, bad, NULL, 0, err, sizeof err) != 0 && strstr(err, "magic"));
    write_bytes(bad, bytes, 3);
    CHECK(eng_weights_load(b, NULL, bad, NULL, 0, err, sizeof err) != 0);
    free(bytes);
    snprintf(bad, sizeof bad, "%s/missing.cvw", dir);
    CHECK(eng_weights_load(b, NULL, bad, NULL, 0, err, sizeof err) != 0 && strstr(err, "missing"));
    /* saving into a folder that does not exist fails cleanly */
    snprintf(bad, sizeof bad, "%s/no/such/dir.cvw", dir);
    CHECK(eng_weights_save(a, NULL, NULL, bad, err, sizeof err) != 0);

    eng_opt_free(&oa);
    eng_opt_free(&ob);
    eng_graph_destroy(a);
    eng_graph_destroy(b);
    snprintf(bad, sizeof bad, "%s/bad.cvw", dir);
    remove(bad);
    remove(path);
    rmdir(dir);
}

int main(void) {
    eng_log_set(quiet, NULL);
    eng_set_threads(1);
    test_optimizers();
    test_weights_file();
    return check_finish("train");
}
