/*
 * cmd_basics.c — `convscope basics`: one convolution's output size and
 * parameter count with the formulas' numbers filled in. The sizes and the
 * count are the engine's (basics.c builds the conv); the arithmetic is shown
 * beside them and must agree.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "basics.h"

static const char *usage =
    "usage: convscope basics [--kernel K] [--stride S] [--pad P] [--dilation D]\n"
    "                        [--hw N|HxW] [--cin N] [--cout N] [--json]\n"
    "One convolution worked out: K_eff = D(K-1)+1, the output size\n"
    "floor((W - K_eff + 2P) / S) + 1 and the parameters KH x KW x Cin x Cout + Cout,\n"
    "each from the engine's shape inference and count for the same conv.\n";

/* "floor((32 - 5 + 2*0) / 1) + 1" */
static void arithmetic(char *buf, size_t n, int in, int keff, int P, int S) {
    snprintf(buf, n, "floor((%d - %d + 2*%d) / %d) + 1", in, keff, P, S);
}

static void print_text(const AppConvSetting *s, const AppConvNumbers *n) {
    char ah[96], aw[96];
    arithmetic(ah, sizeof ah, s->H, n->keff, s->P, s->S);
    arithmetic(aw, sizeof aw, s->W, n->keff, s->P, s->S);
    printf("convolution: input %dx%d with %d channels, kernel %dx%d, stride %d, padding %d, "
           "dilation %d, %d filters\n",
           s->H, s->W, s->cin, s->K, s->K, s->S, s->P, s->D, s->cout);
    printf("effective kernel  K_eff = D(K-1)+1 = %d*(%d-1)+1 = %d\n", s->D, s->K, n->keff);
    printf("output height     floor((H - K_eff + 2P) / S) + 1 = %s = %lld\n", ah, (long long)n->formula_h);
    printf("output width      floor((W - K_eff + 2P) / S) + 1 = %s = %lld\n", aw, (long long)n->formula_w);
    printf("engine's output   %dx%d with %d channels (its shape inference for this conv)\n", n->oh, n->ow,
           s->cout);
    printf("parameters        KH x KW x Cin x Cout + Cout = %d x %d x %d x %d + %d = %lld "
           "(engine's count: %lld)\n",
           s->K, s->K, s->cin, s->cout, s->cout, (long long)n->weights + n->biases, (long long)n->params);
    printf("                  stride and padding do not change it (nor does dilation or the input size).\n");
}

static void print_json(const AppConvSetting *s, const AppConvNumbers *n) {
    char ah[96], aw[96];
    arithmetic(ah, sizeof ah, s->H, n->keff, s->P, s->S);
    arithmetic(aw, sizeof aw, s->W, n->keff, s->P, s->S);
    printf("{\"input\": {\"h\": %d, \"w\": %d, \"c\": %d}, \"kernel\": %d, \"stride\": %d, "
           "\"padding\": %d, \"dilation\": %d, \"cout\": %d, \"k_eff\": %d,\n",
           s->H, s->W, s->cin, s->K, s->S, s->P, s->D, s->cout, n->keff);
    printf(" \"formula\": {\"h\": ");
    app_json_str(stdout, ah);
    printf(", \"w\": ");
    app_json_str(stdout, aw);
    printf("},\n \"output\": {\"h\": %d, \"w\": %d, \"c\": %d},\n", n->oh, n->ow, s->cout);
    printf(" \"params\": %lld, \"weights\": %lld, \"biases\": %lld}\n", (long long)n->params,
           (long long)n->weights, (long long)n->biases);
}

int app_cmd_basics(int argc, char **argv) {
    AppOptions o;
    int help;
    int rc = app_parse_cmd(argc, argv, usage, &o, &help);
    if (rc != APP_OK || help) return rc;
    if (o.model) {
        fprintf(stderr, "convscope basics: takes no model ('%s'); it works out one convolution\n", o.model);
        return APP_USAGE;
    }
    AppConvSetting s = {.H = o.hw ? o.hw : 32, .W = o.hw ? o.hw_w : 32, .K = o.basics_k ? o.basics_k : 3, .S = o.basics_s ? o.basics_s : 1,
                        .P = o.basics_p, .D = o.basics_d ? o.basics_d : 1, .cin = o.cin ? o.cin : 3,
                        .cout = o.cout ? o.cout : 8};
    AppConvNumbers n;
    char err[256];
    if (app_conv_numbers(&s, &n, err, sizeof err) != 0) {
        if (n.formula_h < 1 || n.formula_w < 1)
            fprintf(stderr,
                    "convscope basics: impossible: the kernel spans K_eff = D(K-1)+1 = %d pixels but the "
                    "padded input is only %dx%d (H+2P x W+2P), so the output would be %lldx%lld; use a "
                    "smaller kernel or dilation, or more padding\n",
                    n.keff, s.H + 2 * s.P, s.W + 2 * s.P, (long long)n.formula_h, (long long)n.formula_w);
        else
            fprintf(stderr, "convscope basics: %s\n", err);
        return APP_USAGE;
    }
    /* the formula and the engine must agree; a difference is a bug, not a setting */
    if (n.formula_h != n.oh || n.formula_w != n.ow || n.weights + n.biases != n.params) {
        fprintf(stderr, "convscope basics: the engine gives %dx%d and %lld parameters, the formula %lldx%lld "
                        "and %lld\n", n.oh, n.ow, (long long)n.params, (long long)n.formula_h,
                (long long)n.formula_w, (long long)(n.weights + n.biases));
        return APP_FAIL;
    }
    if (o.json) print_json(&s, &n);
    else print_text(&s, &n);
    return APP_OK;
}
