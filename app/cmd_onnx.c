/*
 * cmd_onnx.c — `convscope onnx-test`: run directories in the ONNX backend
 * test layout (model.onnx, test_data_set_N/input_K.pb, output_K.pb) and
 * compare with the expected outputs (rtol 1e-3, atol 1e-4).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"

static const char onnx_test_usage[] =
    "usage: convscope onnx-test DIR...\n"
    "  Each DIR holds model.onnx and test_data_set_N/{input_K,output_K}.pb (the ONNX\n"
    "  backend-test layout). input_0 feeds the model (none, or an integer tensor: a\n"
    "  graph of constants); the other inputs are fixed values (weights given as\n"
    "  inputs, a shape). Every\n"
    "  output_K.pb is compared with graph output K. Prints PASS or FAIL per case\n"
    "  with the largest absolute and relative error, then 'N passed, M failed';\n"
    "  exits 0 only if none failed.\n"
    "  Tolerance: |got - want| <= 1e-4 + 1e-3 |want|.\n";

/* Graph output k against the tensor in file path (output_K.pb): 1 when they
 * agree within the tolerance, else 0 with the reason in why; the largest
 * errors grow into max_abs and max_rel. */
static int check_output(const EngGraph *g, const EngOnnxRun *run, int k, const char *path,
                        double *max_abs, double *max_rel, char *why, size_t wn) {
    char err[1024];
    EngOnnxTensor want;
    void *buf = NULL;
    if (eng_onnx_read_value(path, &want, &buf, err, sizeof err) != 0) {
        snprintf(why, wn, "%s", err);
        return 0;
    }
    const EngNode *o = k < run->n_outputs && k < ENG_ONNX_MAX_OUTPUTS && run->outputs[k] >= 0
                           ? eng_graph_node(g, run->outputs[k]) : NULL;
    size_t nw = 1;
    for (int d = 0; d < want.ndim; d++) nw *= (size_t)want.dims[d];
    int pass = 1;
    if (!o && k < ENG_ONNX_MAX_OUTPUTS && run->empty_rank[k] > 0) { /* an empty output: its shape */
        int same = run->empty_rank[k] == want.ndim;
        for (int d = 0; same && d < want.ndim; d++) same = run->empty_dims[k][d] == want.dims[d];
        if (!same) snprintf(why, wn, "output %d: an empty tensor of another shape", k), pass = 0;
        free(buf);
        return pass;
    }
    size_t ny = o ? (size_t)run->batch * o->out.C * o->out.H * o->out.W : 0;
    if (!o) snprintf(why, wn, "output %d is not computed by the graph", k), pass = 0;
    else if (ny != nw) snprintf(why, wn, "output %d has %zu values, expected %zu", k, ny, nw), pass = 0;
    int close = 1;
    for (size_t i = 0; pass && i < ny; i++) {
        double a = o->act[i], b = want.data ? want.data[i] : (double)want.ints[i], d = fabs(a - b);
        double rel = d / (fabs(b) > 1e-12 ? fabs(b) : 1e-12);
        if (d > *max_abs) *max_abs = d;
        if (rel > *max_rel && fabs(b) > 1e-6) *max_rel = rel;
        if (!(d <= 1e-4 + 1e-3 * fabs(b))) close = 0;
    }
    if (pass && !close) {
        snprintf(why, wn, "output %d: values differ beyond tolerance", k);
        pass = 0;
    }
    free(buf);
    return pass;
}

/* One test_data_set: 1 = pass, 0 = fail (reason in why). */
static int run_case(const char *dir, const char *set, double *max_abs, double *max_rel, char *why,
                    size_t wn) {
    char path[4200], err[1024];
    EngOnnxTensor ins[16];
    void *bufs[16] = {0};
    int n_in = 0, pass = 0;
    EngGraph *g = NULL;
    *max_abs = *max_rel = 0.0;
    for (; n_in < 16; n_in++) {
        snprintf(path, sizeof path, "%s/%s/input_%d.pb", dir, set, n_in);
        if (access(path, R_OK) != 0) break;
        /* input_0 feeds the model; the others (weights, a Reshape's shape) are fixed values */
        if (eng_onnx_read_value(path, &ins[n_in], &bufs[n_in], err, sizeof err) != 0) {
            snprintf(why, wn, "%s", err);
            goto done;
        }
    }
    snprintf(path, sizeof path, "%s/%s/output_0.pb", dir, set);
    if (access(path, R_OK) != 0) {
        snprintf(why, wn, "no output_0.pb");
        goto done;
    }
    /* no input_0.pb, an integer one (a shape, as ConstantOfShape reads) or an empty
     * one (a dimension of 0: nothing to compute): a graph of constants, every input
     * a fixed value */
    size_t nx = 1;
    for (int d = 0; n_in && d < ins[0].ndim; d++) nx *= (size_t)ins[0].dims[d];
    const int fed = n_in && ins[0].data && nx > 0;
    const EngOnnxTensor none = {.ndim = 0}, *x = fed ? &ins[0] : &none;
    if (fed && (x->ndim < 1 || x->ndim > 4)) {
        snprintf(why, wn, "input of rank %d: ranks 1 to 4 are supported", x->ndim);
        goto done;
    }
    snprintf(path, sizeof path, "%s/model.onnx", dir);
    /* the importer decides how the tensor maps onto batch and sample */
    EngOnnxRun run;
    g = eng_onnx_load_shaped(path, x->dims, x->ndim, &run, ins + fed, n_in - fed, err, sizeof err);
    if (!g) {
        snprintf(why, wn, "%s", err);
        goto done;
    }
    /* a graph whose outputs are all empty has no node to run */
    const int runs = eng_graph_node_count(g) > 0;
    if (runs && eng_graph_plan(g, run.batch) != 0) {
        snprintf(why, wn, "cannot plan batch %d", run.batch);
        goto done;
    }
    if (fed) memcpy(eng_graph_input_buffer(g, 0), x->data, nx * sizeof(float));
    if (runs && eng_graph_forward(g) != 0) {
        snprintf(why, wn, "the forward pass failed");
        goto done;
    }
    /* every output_K.pb against graph output K (a boolean or integer one as numbers) */
    pass = 1;
    for (int k = 0; pass; k++) {
        snprintf(path, sizeof path, "%s/%s/output_%d.pb", dir, set, k);
        if (access(path, R_OK) != 0) break;
        pass = check_output(g, &run, k, path, max_abs, max_rel, why, wn);
    }
done:
    for (int k = 0; k < n_in; k++) free(bufs[k]);
    eng_graph_destroy(g);
    return pass;
}

int app_cmd_onnx_test(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "convscope onnx-test: which test directories? (see --help)\n");
        return APP_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        printf("%s", onnx_test_usage);
        return APP_OK;
    }
    int passed = 0, failed = 0;
    for (int a = 1; a < argc; a++) {
        const char *dir = argv[a];
        char set[64], path[4200], why[1200];
        int any = 0;
        for (int s = 0; s < 100; s++) {
            snprintf(set, sizeof set, "test_data_set_%d", s);
            snprintf(path, sizeof path, "%s/%s", dir, set);
            if (access(path, R_OK) != 0) break;
            any = 1;
            double ma, mr;
            why[0] = 0;
            if (run_case(dir, set, &ma, &mr, why, sizeof why)) {
                printf("PASS %s/%s  max abs err %.3g, max rel err %.3g\n", dir, set, ma, mr);
                passed++;
            } else {
                printf("FAIL %s/%s  %s (max abs err %.3g, max rel err %.3g)\n", dir, set, why, ma, mr);
                failed++;
            }
        }
        if (!any) {
            printf("FAIL %s  no test_data_set_0 folder\n", dir);
            failed++;
        }
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? APP_FAIL : APP_OK;
}
