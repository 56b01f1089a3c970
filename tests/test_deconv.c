/*
 * test_deconv.c — projections to pixel space (eng_graph_project).
 *
 * Each rule (plain gradient, deconvnet, guided backprop) is compared with the
 * same projection computed here by hand: max-pool switches found again from
 * the forward activations, grouped convolutions applied transposed with
 * explicit loops, the ReLU rule written out. The plain rule is checked
 * against finite differences; with all-positive signals the three rules must
 * agree; on the shipped zfnet_mini, a first-layer unit projects to its
 * filter, scaled by its activation. The effective receptive field of a unit
 * (eng_graph_unit_grad) is checked against finite differences and against
 * the plain projection of that unit, which is the same gradient times the
 * unit's activation.
 */
#include "check.h"
#include "eng.h"
#include "eng_data.h"
#include "models.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng = 4242;
static float urand(void) { /* [0, 1) */
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    return (float)((double)(rng >> 11) * (1.0 / 9007199254740992.0));
}

static void quiet(EngLogLevel level, const char *msg, void *user) {
    (void)level, (void)msg, (void)user;
}

/* input 2x8x8 -> c1 (4 filters 3x3, pad 1, 2 groups) -> r1 -> p1 (2x2/2)
 * -> c2 (3 filters 3x3, pad 1) -> r2 (3x4x4) */
enum { CI = 2, H = 8, C1 = 4, HP = 4, C2 = 3 };

static EngGraph *small_net(int positive) {
    EngGraph *g = eng_graph_create();
    int x = eng_input(g, "data", CI, H, H);
    x = eng_conv_k(g, "c1", x, C1, 3, 1, 1, 2, 1);
    x = eng_relu(g, "r1", x);
    x = eng_maxpool_k(g, "p1", x, 2, 2, 0);
    x = eng_conv_k(g, "c2", x, C2, 3, 1, 1, 1, 1);
    eng_relu(g, "r2", x);
    eng_graph_enable_grads(g);
    CHECK(eng_graph_init_params(g, 1) == 0 && eng_graph_plan(g, 1) == 0);
    for (int i = 0; i < eng_graph_node_count(g); i++) {
        EngNode *n = eng_graph_node_mut(g, i);
        for (int k = 0; k < n->n_params; k++)
            for (size_t j = 0; j < n->params[k].n; j++) {
                float v = urand();
                /* both signs, so that ReLU masks and rectification matter; a
                 * window of zeros pools to its first element, here as there */
                n->params[k].data[j] = positive ? 0.1f + v : 2.0f * v - 1.0f;
            }
    }
    float *in = eng_graph_input_buffer(g, 0);
    for (int i = 0; i < CI * H * H; i++) in[i] = 0.05f + urand();
    CHECK(eng_graph_forward(g) == 0);
    return g;
}

static const float *act(EngGraph *g, const char *name) {
    return eng_graph_node(g, eng_graph_find(g, name))->act;
}
static const float *weight(EngGraph *g, const char *name) {
    return eng_graph_node(g, eng_graph_find(g, name))->params[0].data;
}

static void relu_rule(float *s, const float *pre, int n, EngProjRule rule) {
    for (int i = 0; i < n; i++) {
        float v = s[i];
        if (rule != ENG_RULE_DECONV && pre[i] <= 0.0f) v = 0.0f; /* forward mask */
        if (rule != ENG_RULE_BACKPROP && v < 0.0f) v = 0.0f;     /* rectified */
        s[i] = v;
    }
}

/* Transposed 3x3 convolution, pad 1, stride 1, `groups` groups: out (cin, h, h)
 * from sig (cout, h, h) and w (cout, cin/groups, 3, 3). */
static void conv_t(float *out, const float *sig, const float *w, int cin, int cout, int h,
                   int groups) {
    memset(out, 0, sizeof(float) * (size_t)cin * h * h);
    const int cig = cin / groups, cog = cout / groups;
    for (int co = 0; co < cout; co++) {
        const int grp = co / cog;
        for (int oy = 0; oy < h; oy++)
            for (int ox = 0; ox < h; ox++)
                for (int c = 0; c < cig; c++)
                    for (int ky = 0; ky < 3; ky++)
                        for (int kx = 0; kx < 3; kx++) {
                            int iy = oy - 1 + ky, ix = ox - 1 + kx;
                            if (iy < 0 || iy >= h || ix < 0 || ix >= h) continue;
                            out[((grp * cig + c) * h + iy) * h + ix] +=
                                w[((co * cig + c) * 3 + ky) * 3 + kx] * sig[(co * h + oy) * h + ox];
                        }
    }
}

/* The whole projection of channel k of r2 (or of unit (k, uy, ux) if uy >= 0), by hand. */
static void by_hand(EngGraph *g, int k, int uy, int ux, EngProjRule rule, float *out) {
    float s2[C2 * HP * HP] = {0}, sp[C1 * HP * HP], s1[C1 * H * H] = {0};
    const float *r2 = act(g, "r2"), *c2 = act(g, "c2"), *r1 = act(g, "r1"), *c1 = act(g, "c1");
    for (int i = 0; i < HP * HP; i++)
        if (uy < 0 || i == uy * HP + ux) s2[k * HP * HP + i] = r2[k * HP * HP + i];
    relu_rule(s2, c2, C2 * HP * HP, rule);
    conv_t(sp, s2, weight(g, "c2"), C1, C2, HP, 1);
    /* unpool: each pooled value goes back to where the maximum of its window was */
    for (int c = 0; c < C1; c++)
        for (int py = 0; py < HP; py++)
            for (int px = 0; px < HP; px++) {
                int by = 2 * py, bx = 2 * px;
                for (int dy = 0; dy < 2; dy++)
                    for (int dx = 0; dx < 2; dx++)
                        if (r1[(c * H + 2 * py + dy) * H + 2 * px + dx] > r1[(c * H + by) * H + bx])
                            by = 2 * py + dy, bx = 2 * px + dx;
                s1[(c * H + by) * H + bx] += sp[(c * HP + py) * HP + px];
            }
    relu_rule(s1, c1, C1 * H * H, rule);
    conv_t(out, s1, weight(g, "c1"), CI, C1, H, 2);
}

static double max_diff(const float *a, const float *b, int n, double *scale) {
    double d = 0, s = 0;
    for (int i = 0; i < n; i++) {
        d = fmax(d, fabs((double)a[i] - b[i]));
        s = fmax(s, fabs((double)b[i]));
    }
    if (scale) *scale = s;
    return d;
}

static void test_rules_by_hand(void) {
    EngGraph *g = small_net(0);
    const float *dx = eng_graph_node(g, 0)->grad;
    const EngProjRule rules[3] = {ENG_RULE_BACKPROP, ENG_RULE_DECONV, ENG_RULE_GUIDED};
    float want[CI * H * H], first[3][CI * H * H];
    int live = 0;
    for (int r = 0; r < 3; r++)
        for (int k = 0; k < C2; k++) {
            CHECK(eng_graph_project(g, eng_graph_find(g, "r2"), k, -1, -1, rules[r]) == 0);
            by_hand(g, k, -1, -1, rules[r], want);
            double scale, d = max_diff(dx, want, CI * H * H, &scale);
            CHECK(d < 1e-5 * (1 + scale));
            live += r == 0 && scale > 0.01;
            if (k == 1) memcpy(first[r], dx, sizeof first[r]);
        }
    CHECK(live >= 2); /* channels that project something */
    /* the rules differ on this net */
    CHECK(max_diff(first[0], first[1], CI * H * H, NULL) > 1e-3);
    CHECK(max_diff(first[1], first[2], CI * H * H, NULL) > 1e-3);
    /* one unit, the strongest of channel 1 */
    int uy, ux;
    CHECK(eng_graph_strongest(g, eng_graph_find(g, "r2"), 1, &uy, &ux) == 0);
    const float *r2 = act(g, "r2");
    for (int i = 0; i < HP * HP; i++) CHECK(r2[HP * HP + i] <= r2[HP * HP + uy * HP + ux]);
    CHECK(eng_graph_project(g, eng_graph_find(g, "r2"), 1, uy, ux, ENG_RULE_DECONV) == 0);
    by_hand(g, 1, uy, ux, ENG_RULE_DECONV, want);
    CHECK(max_diff(dx, want, CI * H * H, NULL) < 1e-5);
    /* refused: a unit outside the layer, a channel too many, training mode */
    eng_log_set(quiet, NULL);
    CHECK(eng_graph_project(g, eng_graph_find(g, "r2"), C2, -1, -1, ENG_RULE_DECONV) != 0);
    CHECK(eng_graph_project(g, eng_graph_find(g, "r2"), 0, HP, 0, ENG_RULE_DECONV) != 0);
    CHECK(eng_graph_project(g, 99, 0, -1, -1, ENG_RULE_DECONV) != 0);
    eng_graph_set_training(g, 1);
    CHECK(eng_graph_project(g, eng_graph_find(g, "r2"), 0, -1, -1, ENG_RULE_DECONV) != 0);
    eng_graph_set_training(g, 0);
    eng_log_set(NULL, NULL);
    eng_graph_destroy(g);
}

/* Plain rule from channel k = gradient of 0.5 * sum(a_k^2): finite differences. */
static void test_backprop_fd(void) {
    EngGraph *g = small_net(0);
    const int L = eng_graph_find(g, "r2"), k = 1;
    CHECK(eng_graph_project(g, L, k, -1, -1, ENG_RULE_BACKPROP) == 0);
    float ana[CI * H * H];
    memcpy(ana, eng_graph_node(g, 0)->grad, sizeof ana);
    float *in = eng_graph_input_buffer(g, 0);
    int bad = 0;
    for (int i = 0; i < CI * H * H; i += 3) {
        double f[2];
        const float keep = in[i], e = 1e-3f;
        for (int s = 0; s < 2; s++) {
            in[i] = keep + (s ? -e : e);
            eng_graph_forward(g);
            const float *a = act(g, "r2") + k * HP * HP;
            f[s] = 0;
            for (int j = 0; j < HP * HP; j++) f[s] += 0.5 * (double)a[j] * a[j];
        }
        in[i] = keep;
        double num = (f[0] - f[1]) / (2.0 * e);
        if (fabs(num - ana[i]) > 2e-2 * (1.0 + fabs(num))) bad++;
    }
    CHECK(bad == 0);
    eng_graph_forward(g);
    eng_graph_destroy(g);
}

/* All weights and inputs positive: every signal is positive, the rules agree. */
static void test_rules_agree_when_positive(void) {
    EngGraph *g = small_net(1);
    const int L = eng_graph_find(g, "r2");
    float a[3][CI * H * H];
    const EngProjRule rules[3] = {ENG_RULE_BACKPROP, ENG_RULE_DECONV, ENG_RULE_GUIDED};
    for (int r = 0; r < 3; r++) {
        CHECK(eng_graph_project(g, L, 0, -1, -1, rules[r]) == 0);
        memcpy(a[r], eng_graph_node(g, 0)->grad, sizeof a[r]);
    }
    CHECK(max_diff(a[0], a[1], CI * H * H, NULL) == 0.0 && max_diff(a[0], a[2], CI * H * H, NULL) == 0.0);
    eng_graph_destroy(g);
}

/* eng_graph_unit_grad: sum over channels of |d unit / d input|, (H, W). */
static void test_unit_grad(void) {
    EngGraph *g = small_net(0);
    const int L = eng_graph_find(g, "r2");
    int k = -1, uy = 0, ux = 0;
    for (int c = 0; c < C2 && k < 0; c++) { /* a live unit: the ReLU passes its gradient */
        CHECK(eng_graph_strongest(g, L, c, &uy, &ux) == 0);
        if (act(g, "r2")[(c * HP + uy) * HP + ux] > 0.01f) k = c;
    }
    CHECK(k >= 0);
    if (k < 0) k = 0;
    const float a = act(g, "r2")[(k * HP + uy) * HP + ux];
    float erf[H * H], want[H * H] = {0};
    CHECK(eng_graph_unit_grad(g, L, k, uy, ux, erf) == 0);
    /* the plain projection of the unit starts from its activation: a times the gradient */
    CHECK(eng_graph_project(g, L, k, uy, ux, ENG_RULE_BACKPROP) == 0);
    const float *dx = eng_graph_node(g, 0)->grad;
    for (int c = 0; c < CI; c++)
        for (int i = 0; i < H * H; i++) want[i] += fabsf(dx[c * H * H + i]) / a;
    CHECK(check_close("unit grad vs projection / activation", erf, want, H * H, 1e-5f, 1e-4f));
    double total = 0;
    for (int i = 0; i < H * H; i++) total += erf[i];
    CHECK(total > 0.01);
    /* finite differences on channel 0 of a few pixels: |d unit / d x| <= erf */
    float *in = eng_graph_input_buffer(g, 0);
    int bad = 0;
    for (int i = 0; i < H * H; i += 5) {
        const float keep = in[i], e = 1e-3f;
        double f[2];
        for (int s = 0; s < 2; s++) {
            in[i] = keep + (s ? -e : e);
            eng_graph_forward(g);
            f[s] = act(g, "r2")[(k * HP + uy) * HP + ux];
        }
        in[i] = keep;
        const double num = fabs((f[0] - f[1]) / (2.0 * e));
        if (num > erf[i] + 2e-2 * (1.0 + num)) bad++;
    }
    CHECK(bad == 0);
    eng_graph_forward(g);
    /* refused: a unit outside the node, a graph without gradients */
    eng_log_set(quiet, NULL);
    CHECK(eng_graph_unit_grad(g, L, C2, 0, 0, erf) != 0);
    CHECK(eng_graph_unit_grad(g, L, 0, HP, 0, erf) != 0);
    EngGraph *h = eng_graph_create();
    eng_relu(h, "r", eng_input(h, "x", 1, 4, 4));
    CHECK(eng_graph_init_params(h, 1) == 0 && eng_graph_plan(h, 1) == 0);
    CHECK(eng_graph_unit_grad(h, 1, 0, 0, 0, erf) != 0);
    eng_log_set(NULL, NULL);
    eng_graph_destroy(h);
    eng_graph_destroy(g);
}

/* zfnet_mini (shipped weights), a Fashion-MNIST test image: the deconvnet
 * projection of conv1's strongest unit is that unit's filter times its
 * activation; the correlation with the filter is measured, channel by channel. */
static void test_trained_first_layer(void) {
    const ModelCard *card = model_find("zfnet_mini");
    char path[4096], err[512];
    EngDataset train = {0}, test = {0};
    if (eng_mnist_dir_load(&train, &test, ENG_FASHION_DIR, "fashion", err, sizeof err) != 0) {
        fprintf(stderr, "test_deconv: Fashion-MNIST missing (%s)\n", err);
        CHECK(0);
        return;
    }
    EngGraph *g = model_build(card, 1, 28, 28);
    eng_graph_enable_grads(g);
    CHECK(g && eng_weights_load(g, NULL, model_weights_path(card, path, sizeof path), NULL, 0, err,
                                sizeof err) == 0);
    CHECK(eng_graph_plan(g, 1) == 0);
    memcpy(eng_graph_input_buffer(g, 0), test.images, 28 * 28 * sizeof(float));
    CHECK(eng_graph_forward(g) == 0);
    const int L = eng_graph_find(g, "conv1_relu");
    const int conv = eng_graph_find(g, "conv1");
    CHECK(L > conv && conv > 0);
    const EngNode *cn = eng_graph_node(g, conv);
    const int K = cn->p.conv.kh, C = cn->out.C;
    int checked = 0, good = 0;
    for (int c = 0; c < C; c++) {
        int y, x;
        eng_graph_strongest(g, L, c, &y, &x);
        const float a = eng_graph_node(g, L)->act[((size_t)c * 28 + y) * 28 + x];
        if (a <= 0.0f || y < 1 || x < 1 || y > 26 || x > 26) continue; /* dead, or at a border */
        CHECK(eng_graph_project(g, L, c, y, x, ENG_RULE_DECONV) == 0);
        const float *dx = eng_graph_node(g, 0)->grad, *w = cn->params[0].data + (size_t)c * K * K;
        double sp = 0, sw = 0, spp = 0, sww = 0, spw = 0, outside = 0;
        for (int i = 0; i < 28 * 28; i++) {
            int iy = i / 28 - y + 1, ix = i % 28 - x + 1;
            if (iy < 0 || iy >= K || ix < 0 || ix >= K) {
                outside += fabs(dx[i]);
                continue;
            }
            double p = dx[i], q = w[iy * K + ix];
            sp += p, sw += q, spp += p * p, sww += q * q, spw += p * q;
        }
        const int n = K * K;
        double corr = (spw - sp * sw / n) / sqrt((spp - sp * sp / n) * (sww - sw * sw / n) + 1e-30);
        checked++;
        good += corr > 0.999 && outside == 0.0;
    }
    CHECK(checked >= C / 2 && good == checked);
    printf("zfnet_mini conv1: %d of %d live channels project onto their filter\n", good, checked);
    eng_graph_destroy(g);
    eng_dataset_free(&train);
    eng_dataset_free(&test);
}

/* The three rules on a layer of `model`: the same pictures exactly when the
 * graph walk finds no node they treat apart on the way down. */
static void rules_on(const char *model, const char *layer, int want_differ) {
    EngGraph *g = model_build(model_find(model), 0, 0, 0);
    CHECK(g != NULL);
    if (!g) return;
    eng_graph_enable_grads(g);
    CHECK(eng_graph_init_params(g, 7) == 0 && eng_graph_plan(g, 1) == 0);
    const EngNode *in = eng_graph_node(g, 0);
    const size_t n = (size_t)in->out.C * in->out.H * in->out.W;
    float *x = eng_graph_input_buffer(g, 0), *pic[3];
    for (size_t i = 0; i < n; i++) x[i] = (float)((i * 37) % 17) / 8.0f - 1.0f;
    CHECK(eng_graph_forward(g) == 0);
    const int id = eng_graph_find(g, layer);
    const int first = eng_graph_proj_rules_differ(g, id);
    CHECK((first >= 0) == want_differ);
    int differ = 0;
    for (int r = 0; r < 3; r++) {
        CHECK(eng_graph_project(g, id, 0, -1, -1, (EngProjRule)r) == 0);
        pic[r] = malloc(n * sizeof(float));
        if (pic[r]) memcpy(pic[r], in->grad, n * sizeof(float));
    }
    for (int r = 1; r < 3; r++)
        if (pic[0] && pic[r]) differ |= memcmp(pic[0], pic[r], n * sizeof(float)) != 0;
    if (differ != want_differ)
        fprintf(stderr, "%s %s: the rules' pictures %s\n", model, layer, differ ? "differ" : "are the same");
    CHECK(differ == want_differ);
    for (int r = 0; r < 3; r++) free(pic[r]);
    eng_graph_destroy(g);
}

/* LeNet-5 (tanh, average pooling): the same pictures at every layer;
 * LeNet-5 modern: the same at c1 and at c1_relu itself, different once a
 * ReLU lies below (c3, the output); a name is no part of the walk. */
static void test_rules_same_from_graph(void) {
    rules_on("lenet5", "c3_tanh", 0);
    rules_on("lenet5", "output", 0);
    rules_on("lenet5_modern", "c1", 0);
    rules_on("lenet5_modern", "c1_relu", 0);
    rules_on("lenet5_modern", "c3", 1);
    rules_on("lenet5_modern", "output", 1);
    CHECK_EQ_I64(eng_graph_proj_rules_differ(NULL, 0), -1);
}

int main(void) {
    eng_set_threads(1);
    test_rules_by_hand();
    test_backprop_fd();
    test_rules_agree_when_positive();
    test_unit_grad();
    test_trained_first_layer();
    test_rules_same_from_graph();
    return check_finish("deconv");
}
