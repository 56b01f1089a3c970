/*
 * basics.c — one convolution's numbers from the engine (see basics.h): a
 * graph of an input and one conv is built for every setting, so the output
 * size is the engine's shape inference and the parameter count its tensors';
 * the formula's arithmetic is computed beside them to be shown and checked.
 */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "basics.h"

int app_conv_setting_ok(const AppConvSetting *s, char *err, size_t errlen) {
    const struct { const char *what; int v, lo; } f[] = {
        {"the input height", s->H, 1}, {"the input width", s->W, 1}, {"the kernel size", s->K, 1},
        {"the stride", s->S, 1},       {"the padding", s->P, 0},     {"the dilation", s->D, 1},
        {"the input channels", s->cin, 1}, {"the output channels", s->cout, 1},
    };
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        if (f[i].v < f[i].lo || f[i].v > 65536) {
            snprintf(err, errlen, "%s must be %d..65536, not %d", f[i].what, f[i].lo, f[i].v);
            return 0;
        }
    return 1;
}

/* The graph input -> conv for s; NULL with err when the engine refuses it. */
static EngGraph *conv_graph(const AppConvSetting *s, char *err, size_t errlen) {
    EngGraph *g = eng_graph_create();
    if (!g) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    EngConvParams p = {.oc = s->cout, .kh = s->K, .kw = s->K, .sh = s->S, .sw = s->S,
                       .pt = s->P, .pl = s->P, .pb = s->P, .pr = s->P,
                       .dh = s->D, .dw = s->D, .groups = 1, .has_bias = 1};
    int x = eng_input(g, "input", s->cin, s->H, s->W);
    eng_conv(g, "conv", x, &p);
    if (!eng_graph_ok(g)) {
        snprintf(err, errlen, "%s", eng_graph_error(g));
        eng_graph_destroy(g);
        return NULL;
    }
    return g;
}

int app_conv_numbers(const AppConvSetting *s, AppConvNumbers *n, char *err, size_t errlen) {
    memset(n, 0, sizeof *n);
    n->keff = (int)((int64_t)s->D * (s->K - 1) + 1);
    n->num_h = (int64_t)s->H - n->keff + 2 * (int64_t)s->P;
    n->num_w = (int64_t)s->W - n->keff + 2 * (int64_t)s->P;
    /* floor, also for a negative numerator (C's / truncates towards zero) */
    n->formula_h = (n->num_h >= 0 ? n->num_h / s->S : -((-n->num_h + s->S - 1) / s->S)) + 1;
    n->formula_w = (n->num_w >= 0 ? n->num_w / s->S : -((-n->num_w + s->S - 1) / s->S)) + 1;
    if (!app_conv_setting_ok(s, err, errlen)) return -1;
    EngGraph *g = conv_graph(s, err, errlen);
    if (!g) return -1;
    const EngNode *c = eng_graph_node(g, eng_graph_find(g, "conv"));
    n->oh = c->out.H;
    n->ow = c->out.W;
    n->params = eng_node_params(c);
    for (int i = 0; i < c->n_params; i++) {
        if (c->params[i].kind == ENG_PARAM_WEIGHT) n->weights = (int64_t)c->params[i].n;
        if (c->params[i].kind == ENG_PARAM_BIAS) n->biases = (int64_t)c->params[i].n;
    }
    eng_graph_destroy(g);
    return 0;
}

const char *app_kernel_name(AppKernelPreset p) {
    static const char *const names[APP_KERNEL_COUNT] = {"box blur (1/9 each at 3x3)", "edge (Laplacian)",
                                                         "edge (Sobel x)", "sharpen", "your kernel"};
    return p >= 0 && p < APP_KERNEL_COUNT ? names[p] : "?";
}

void app_kernel_preset(AppKernelPreset p, int K, float *k) {
    static const float lap[9] = {0, 1, 0, 1, -4, 1, 0, 1, 0};
    static const float sobel[9] = {-1, 0, 1, -2, 0, 2, -1, 0, 1};
    static const float sharp[9] = {0, -1, 0, -1, 5, -1, 0, -1, 0};
    if (p == APP_KERNEL_CUSTOM || K < 1 || K > APP_BASICS_KMAX) return;
    const float *small = p == APP_KERNEL_LAPLACIAN ? lap : p == APP_KERNEL_SOBEL_X ? sobel : sharp;
    for (int y = 0; y < K; y++)
        for (int x = 0; x < K; x++) {
            if (p == APP_KERNEL_BOX) {
                k[y * K + x] = 1.0f / (float)(K * K);
                continue;
            }
            /* the 3x3 kernel's cell under (y, x) when both centres meet */
            int sy = y - (K - 1) / 2 + 1, sx = x - (K - 1) / 2 + 1;
            k[y * K + x] = sy >= 0 && sy < 3 && sx >= 0 && sx < 3 ? small[sy * 3 + sx] : 0.0f;
        }
}

void app_basics_picture(float *img, int side) {
    for (int y = 0; y < side; y++)
        for (int x = 0; x < side; x++) {
            float fy = (float)y / (float)side, fx = (float)x / (float)side, v = 0.0f;
            if (fy > 0.15f && fy < 0.5f && fx > 0.1f && fx < 0.45f) v = 1.0f; /* square */
            float dy = fy - 0.68f, dx = fx - 0.68f;
            if (dy * dy + dx * dx < 0.045f) v = 0.8f;                        /* disc */
            float d = fx - (1.0f - fy);
            if (fy > 0.55f && fx < 0.45f && d > -0.06f && d < 0.06f) v = 0.6f; /* diagonal bar */
            img[y * side + x] = v;
        }
}

/* Forward pass of g (input node 0, conv node "conv") on in; its weights and
 * biases set first. 0, or -1 with err. */
static int run_conv(EngGraph *g, const float *in, size_t n_in, const float *w, const float *b,
                    char *err, size_t errlen) {
    if (eng_graph_alloc_params(g) != 0 || eng_graph_plan(g, 1) != 0) {
        snprintf(err, errlen, "no memory for the convolution");
        return -1;
    }
    EngNode *c = eng_graph_node_mut(g, eng_graph_find(g, "conv"));
    for (int i = 0; i < c->n_params; i++) {
        EngParam *p = &c->params[i];
        if (p->kind == ENG_PARAM_WEIGHT) memcpy(p->data, w, p->n * sizeof(float));
        if (p->kind == ENG_PARAM_BIAS) {
            if (b) memcpy(p->data, b, p->n * sizeof(float));
            else memset(p->data, 0, p->n * sizeof(float));
        }
    }
    memcpy(eng_graph_input_buffer(g, 0), in, n_in * sizeof(float));
    if (eng_graph_forward(g) != 0) {
        snprintf(err, errlen, "the forward pass failed");
        return -1;
    }
    return 0;
}

int app_basics_slide(const float *img, int h, int w, const float *k, int K, int S, int P, int D,
                     float *out, size_t cap, int *oh, int *ow, char *err, size_t errlen) {
    AppConvSetting s = {.H = h, .W = w, .K = K, .S = S, .P = P, .D = D, .cin = 1, .cout = 1};
    *oh = *ow = 0;
    if (!app_conv_setting_ok(&s, err, errlen)) return -1;
    EngGraph *g = conv_graph(&s, err, errlen);
    if (!g) return -1;
    const EngNode *c = eng_graph_node(g, eng_graph_find(g, "conv"));
    size_t n = (size_t)c->out.H * (size_t)c->out.W;
    int rc = -1;
    if (n > cap) snprintf(err, errlen, "the output %dx%d is too large to show", c->out.H, c->out.W);
    else if (run_conv(g, img, (size_t)h * (size_t)w, k, NULL, err, errlen) == 0) {
        memcpy(out, c->act, n * sizeof(float));
        *oh = c->out.H;
        *ow = c->out.W;
        rc = 0;
    }
    eng_graph_destroy(g);
    return rc;
}

int app_basics_mix(const float *in, int side, const float *w, const float *b, float *out, char *err,
                   size_t errlen) {
    AppConvSetting s = {.H = side, .W = side, .K = 1, .S = 1, .P = 0, .D = 1,
                        .cin = APP_BASICS_MIX_IN, .cout = APP_BASICS_MIX_OUT};
    EngGraph *g = conv_graph(&s, err, errlen);
    if (!g) return -1;
    size_t plane = (size_t)side * (size_t)side;
    int rc = run_conv(g, in, APP_BASICS_MIX_IN * plane, w, b, err, errlen);
    if (rc == 0)
        memcpy(out, eng_graph_node(g, eng_graph_find(g, "conv"))->act,
               APP_BASICS_MIX_OUT * plane * sizeof(float));
    eng_graph_destroy(g);
    return rc;
}

void app_basics_mix_setup(float *in, int side, float *w, float *b) {
    /* red, green, blue: a left-right ramp, a top-bottom ramp, a centre spot */
    for (int y = 0; y < side; y++)
        for (int x = 0; x < side; x++) {
            float fx = side > 1 ? (float)x / (float)(side - 1) : 0, fy = side > 1 ? (float)y / (float)(side - 1) : 0;
            float dy = fy - 0.5f, dx = fx - 0.5f;
            in[0 * side * side + y * side + x] = fx;
            in[1 * side * side + y * side + x] = fy;
            in[2 * side * side + y * side + x] = dx * dx + dy * dy < 0.09f ? 1.0f : 0.0f;
        }
    /* output 0: a grey level (luminance weights); output 1: red minus green */
    static const float W0[APP_BASICS_MIX_OUT * APP_BASICS_MIX_IN] = {0.30f, 0.59f, 0.11f,
                                                                    1.0f,  -1.0f, 0.0f};
    memcpy(w, W0, sizeof W0);
    b[0] = 0.0f;
    b[1] = 0.5f;
}
