/*
 * net_mobilenetv3.c — MobileNetV3 Large and Small (Howard et al. 2019), as
 * torchvision's mobilenetv3.py builds them (width 1.0, 224x224), and the
 * pieces the later mobile networks share with it: a conv - BN - activation
 * with the BN's epsilon given, and a squeeze-and-excitation gate of any
 * width and activations.
 */
#include "net_common.h"

#include <stdio.h>

int net_conv_bn_act_eps(EngGraph *g, const char *prefix, int x, int oc, int k, int stride,
                        int groups, float eps, int act_kind) {
    char n[80];
    snprintf(n, sizeof n, "%s", prefix);
    x = eng_conv_k(g, net_name(n, ".0"), x, oc, k, stride, (k - 1) / 2, groups, 0);
    x = eng_bn(g, net_name(n, ".1"), x, eps);
    switch (act_kind) {
    case NET_ACT_RELU: return eng_relu(g, net_name(n, ".2"), x);
    case NET_ACT_RELU6: return eng_clip(g, net_name(n, ".2"), x, 0.0f, 6.0f);
    case NET_ACT_HSWISH: return eng_hardswish(g, net_name(n, ".2"), x);
    case NET_ACT_SILU: return eng_silu(g, net_name(n, ".2"), x);
    default: return x;
    }
}

/* torchvision.ops.SqueezeExcitation: avgpool, fc1 (1x1 conv with bias) to
 * `squeeze` channels, activation, fc2 back, gate (scale_activation), and
 * x * gate under the module's own name. */
int net_se_gate(EngGraph *g, const char *name, int x, int squeeze, int act_kind, int gate_kind) {
    char n[80];
    snprintf(n, sizeof n, "%s", name);
    const int C = net_channels(g, x);
    if (C < 0 || squeeze < 1) return -1;
    int s = eng_gavgpool(g, net_name(n, ".avgpool"), x);
    s = eng_conv_k(g, net_name(n, ".fc1"), s, squeeze, 1, 1, 0, 1, 1);
    s = act_kind == NET_ACT_SILU ? eng_silu(g, net_name(n, ".activation"), s)
                                 : eng_relu(g, net_name(n, ".activation"), s);
    s = eng_conv_k(g, net_name(n, ".fc2"), s, C, 1, 1, 0, 1, 1);
    /* PyTorch's hardsigmoid: relu6(x + 3) / 6 */
    s = gate_kind == NET_GATE_HARD ? eng_hardsigmoid(g, net_name(n, ".scale_activation"), s,
                                                     1.0f / 6.0f, 0.5f)
                                   : eng_sigmoid(g, net_name(n, ".scale_activation"), s);
    return eng_mul(g, n, x, s);
}

/* torchvision's _make_divisible (from the TensorFlow models): v rounded to a
 * multiple of 8, at least 8, never below 90% of v. */
static int make_divisible8(double v) {
    int r = (int)(v + 4) / 8 * 8;
    if (r < 8) r = 8;
    if (r < 0.9 * v) r += 8;
    return r;
}

/* One row of Tables 1 and 2: kernel, expanded width, output width, SE,
 * hard swish (else ReLU), stride. */
typedef struct { int k, exp, out, se, hs, stride; } V3Row;

/* The bneck: 1x1 expansion (when the width changes), k x k depthwise, SE
 * on the expanded map, linear 1x1 projection; a residual add when the shape
 * is kept. Names as torchvision's features.i.block.j. */
static int v3_block(EngGraph *g, int i, int x, const V3Row *r) {
    const int cin = net_channels(g, x);
    const int act = r->hs ? NET_ACT_HSWISH : NET_ACT_RELU;
    char pre[48];
    int j = 0, y = x;
    if (r->exp != cin) {
        snprintf(pre, sizeof pre, "features.%d.block.%d", i, j++);
        y = net_conv_bn_act_eps(g, pre, y, r->exp, 1, 1, 1, 1e-3f, act);
    }
    snprintf(pre, sizeof pre, "features.%d.block.%d", i, j++);
    y = net_conv_bn_act_eps(g, pre, y, r->exp, r->k, r->stride, r->exp, 1e-3f, act);
    if (r->se) {
        snprintf(pre, sizeof pre, "features.%d.block.%d", i, j++);
        y = net_se_gate(g, pre, y, make_divisible8(r->exp / 4), NET_ACT_RELU, NET_GATE_HARD);
    }
    snprintf(pre, sizeof pre, "features.%d.block.%d", i, j);
    y = net_conv_bn_act_eps(g, pre, y, r->out, 1, 1, 1, 1e-3f, NET_ACT_NONE);
    if (r->stride == 1 && cin == r->out) {
        snprintf(pre, sizeof pre, "features.%d", i);
        y = eng_add2(g, pre, x, y);
    }
    return y;
}

static int build_v3(EngGraph *g, int C, int H, int W, const V3Row *rows, int n, int last) {
    int x = eng_input(g, "data", C, H, W);
    x = net_conv_bn_act_eps(g, "features.0", x, 16, 3, 2, 1, 1e-3f, NET_ACT_HSWISH);
    for (int i = 0; i < n; i++) x = v3_block(g, i + 1, x, &rows[i]);
    char pre[32];
    snprintf(pre, sizeof pre, "features.%d", n + 1);
    x = net_conv_bn_act_eps(g, pre, x, 6 * rows[n - 1].out, 1, 1, 1, 1e-3f, NET_ACT_HSWISH);
    x = eng_gavgpool(g, "avgpool", x);
    x = eng_fc(g, "classifier.0", x, last, 1);
    x = eng_hardswish(g, "classifier.1", x);
    x = eng_dropout(g, "classifier.2", x, 0.2f);
    return eng_fc(g, "classifier.3", x, 1000, 1);
}

static int build_mobilenet_v3_large(EngGraph *g, int C, int H, int W) {
    static const V3Row rows[15] = {
        {3, 16, 16, 0, 0, 1},   {3, 64, 24, 0, 0, 2},   {3, 72, 24, 0, 0, 1},
        {5, 72, 40, 1, 0, 2},   {5, 120, 40, 1, 0, 1},  {5, 120, 40, 1, 0, 1},
        {3, 240, 80, 0, 1, 2},  {3, 200, 80, 0, 1, 1},  {3, 184, 80, 0, 1, 1},
        {3, 184, 80, 0, 1, 1},  {3, 480, 112, 1, 1, 1}, {3, 672, 112, 1, 1, 1},
        {5, 672, 160, 1, 1, 2}, {5, 960, 160, 1, 1, 1}, {5, 960, 160, 1, 1, 1},
    };
    return build_v3(g, C, H, W, rows, 15, 1280);
}

static int build_mobilenet_v3_small(EngGraph *g, int C, int H, int W) {
    static const V3Row rows[11] = {
        {3, 16, 16, 1, 0, 2},  {3, 72, 24, 0, 0, 2},  {3, 88, 24, 0, 0, 1},
        {5, 96, 40, 1, 1, 2},  {5, 240, 40, 1, 1, 1}, {5, 240, 40, 1, 1, 1},
        {5, 120, 48, 1, 1, 1}, {5, 144, 48, 1, 1, 1}, {5, 288, 96, 1, 1, 2},
        {5, 576, 96, 1, 1, 1}, {5, 576, 96, 1, 1, 1},
    };
    return build_v3(g, C, H, W, rows, 11, 1024);
}

#define V3_AUTHORS                                                                       \
    "A. Howard, M. Sandler, G. Chu, L.-C. Chen, B. Chen, M. Tan, W. Wang, Y. Zhu, "    \
    "R. Pang, V. Vasudevan, Q. V. Le, H. Adam"
#define V3_KEY                                                                           \
    "Network architecture search (platform-aware NAS for the blocks, NetAdapt for the "  \
    "widths) on MobileNetV2's inverted residuals, with squeeze-and-excitation gates and " \
    "the cheap hard swish x * relu6(x + 3) / 6 in the deeper half."

const ModelCard model_card_mobilenet_v3_large = {
    .name = "mobilenet_v3_large",
    .display = "MobileNetV3-Large",
    .family = "MobileNet",
    .year = 2019,
    .authors = V3_AUTHORS,
    .paper = "Searching for MobileNetV3",
    .venue = "ICCV 2019 (arXiv:1905.02244)",
    .ilsvrc = NULL,
    .top5_error = -1,
    .top5_source = "the paper reports top-1 only: 75.2% ImageNet accuracy for Large 1.0 at 224 "
                   "(Table 3); torchvision's IMAGENET1K_V2 weights reach 75.274% / 92.566%",
    NET_TV_ACC("MobileNet_V3_Large_Weights.IMAGENET1K_V1", 74.042, 91.340),
    .key_ideas = V3_KEY,
    .notes = "torchvision's mobilenet_v3_large (Table 1 of the paper): BN eps 0.001, SE width "
             "_make_divisible(expanded / 4, 8) with ReLU then hard sigmoid, a 1x1 conv to 960, "
             "then Linear 960-1280, hard swish, dropout 0.2, Linear 1280-1000: 5,483,032 "
             "parameters.",
    .in_c = 3, .in_h = 224, .in_w = 224,
    .pre = NET_PRE_TORCHVISION,
    .build = build_mobilenet_v3_large,
};

const ModelCard model_card_mobilenet_v3_small = {
    .name = "mobilenet_v3_small",
    .display = "MobileNetV3-Small",
    .family = "MobileNet",
    .year = 2019,
    .authors = V3_AUTHORS,
    .paper = "Searching for MobileNetV3",
    .venue = "ICCV 2019 (arXiv:1905.02244)",
    .ilsvrc = NULL,
    .top5_error = -1,
    .top5_source = "the paper reports top-1 only: 67.4% ImageNet accuracy for Small 1.0 at 224 "
                   "(Table 3)",
    NET_TV_ACC("MobileNet_V3_Small_Weights.IMAGENET1K_V1", 67.668, 87.402),
    .key_ideas = V3_KEY,
    .notes = "torchvision's mobilenet_v3_small (Table 2 of the paper): BN eps 0.001, SE width "
             "_make_divisible(expanded / 4, 8) with ReLU then hard sigmoid, a 1x1 conv to 576, "
             "then Linear 576-1024, hard swish, dropout 0.2, Linear 1024-1000: 2,542,856 "
             "parameters.",
    .in_c = 3, .in_h = 224, .in_w = 224,
    .pre = NET_PRE_TORCHVISION,
    .build = build_mobilenet_v3_small,
};
