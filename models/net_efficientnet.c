/*
 * net_efficientnet.c — EfficientNet-B0 (Tan and Le 2019) as torchvision's
 * efficientnet.py builds it: MBConv blocks (MobileNetV2's inverted residual
 * with a squeeze-and-excitation gate) and SiLU everywhere.
 */
#include "net_common.h"

#include <stdio.h>

/* One stage of Table 1: expansion, kernel, first stride, output channels,
 * repeats. */
typedef struct { int expand, k, stride, out, repeats; } MbStage;

/* MBConv: 1x1 expansion (unless the expansion is 1), k x k depthwise, SE with
 * max(1, block input / 4) channels (SiLU, then sigmoid), linear 1x1
 * projection; a residual add when the shape is kept (stochastic depth, which
 * drops the branch in training, is the identity at inference). Names as
 * torchvision's features.s.j.block.k; the add is features.s.j. */
int net_mbconv(EngGraph *g, const char *name, int x, int expand, int k, int stride, int out) {
    const int cin = net_channels(g, x), hidden = cin * expand;
    char n[32], pre[48];
    snprintf(n, sizeof n, "%s", name);
    int y = x, j = 0;
    if (hidden != cin) {
        snprintf(pre, sizeof pre, "%s.block.%d", n, j++);
        y = net_conv_bn_act_eps(g, pre, y, hidden, 1, 1, 1, 1e-5f, NET_ACT_SILU);
    }
    snprintf(pre, sizeof pre, "%s.block.%d", n, j++);
    y = net_conv_bn_act_eps(g, pre, y, hidden, k, stride, hidden, 1e-5f, NET_ACT_SILU);
    snprintf(pre, sizeof pre, "%s.block.%d", n, j++);
    y = net_se_gate(g, pre, y, cin / 4 > 1 ? cin / 4 : 1, NET_ACT_SILU, NET_GATE_SIGMOID);
    snprintf(pre, sizeof pre, "%s.block.%d", n, j);
    y = net_conv_bn_act_eps(g, pre, y, out, 1, 1, 1, 1e-5f, NET_ACT_NONE);
    if (stride == 1 && cin == out) y = eng_add2(g, n, x, y);
    return y;
}

static int build_efficientnet_b0(EngGraph *g, int C, int H, int W) {
    /* width and depth multipliers 1.0: the widths are already multiples of 8 */
    static const MbStage st[7] = {{1, 3, 1, 16, 1},  {6, 3, 2, 24, 2},  {6, 5, 2, 40, 2},
                                  {6, 3, 2, 80, 3},  {6, 5, 1, 112, 3}, {6, 5, 2, 192, 4},
                                  {6, 3, 1, 320, 1}};
    int x = eng_input(g, "data", C, H, W);
    x = net_conv_bn_act_eps(g, "features.0", x, 32, 3, 2, 1, 1e-5f, NET_ACT_SILU);
    char name[32];
    for (int s = 0; s < 7; s++)
        for (int r = 0; r < st[s].repeats; r++) {
            snprintf(name, sizeof name, "features.%d.%d", s + 1, r);
            x = net_mbconv(g, name, x, st[s].expand, st[s].k, r == 0 ? st[s].stride : 1, st[s].out);
        }
    x = net_conv_bn_act_eps(g, "features.8", x, 1280, 1, 1, 1, 1e-5f, NET_ACT_SILU);
    x = eng_gavgpool(g, "avgpool", x);
    x = eng_dropout(g, "classifier.0", x, 0.2f);
    return eng_fc(g, "classifier.1", x, 1000, 1);
}

const ModelCard model_card_efficientnet_b0 = {
    .name = "efficientnet_b0",
    .display = "EfficientNet-B0",
    .family = "EfficientNet",
    .year = 2019,
    .authors = "M. Tan, Q. V. Le",
    .paper = "EfficientNet: Rethinking Model Scaling for Convolutional Neural Networks",
    .venue = "ICML 2019 (arXiv:1905.11946)",
    .ilsvrc = NULL,
    .top5_error = 100.0 - 93.3,
    .top5_source = "Tan and Le, Table 2: EfficientNet-B0 77.1% top-1, 93.3% top-5 ImageNet "
                   "accuracy (one model, 224x224)",
    NET_TV_ACC("EfficientNet_B0_Weights.IMAGENET1K_V1 (bicubic resize)", 77.692, 93.532),
    .key_ideas = "Scale depth, width and input resolution together by one compound "
                 "coefficient (B1-B7), starting from a small network found by architecture "
                 "search (B0): MBConv blocks with squeeze-and-excitation and SiLU (swish).",
    .notes = "torchvision's efficientnet_b0 (Table 1 of the paper): BN eps 1e-5, SiLU after "
             "every conv but the projections, SE of max(1, block input / 4) channels (SiLU, "
             "sigmoid), stochastic depth (identity at inference) left out, a 1x1 conv to "
             "1280, dropout 0.2, Linear 1280-1000: 5,288,548 parameters. torchvision's weights "
             "were evaluated after a bicubic resize to 256; the preset's resampling is "
             "bilinear.",
    .in_c = 3, .in_h = 224, .in_w = 224,
    .pre = NET_PRE_TORCHVISION,
    .build = build_efficientnet_b0,
};
