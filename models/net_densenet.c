/*
 * net_densenet.c — DenseNet-BC (Huang, Liu, van der Maaten, Weinberger 2017)
 * in torchvision's layout: growth rate 32, bottleneck 4 x 32 = 128 channels,
 * compression 0.5 in the transitions.
 *
 * Names follow torchvision without its "features." prefix: conv0, norm0,
 * relu0, pool0, denseblockB.denselayerL.{norm1,relu1,conv1,norm2,relu2,conv2},
 * transitionT.{norm,relu,conv,pool}, norm5, classifier. The concatenation
 * that ends block B is "denseblockB".
 */
#include "net_common.h"

#include <stdio.h>

#define DENSE_MAX_LAYERS 64

/* Each layer sees the concatenation of the block input and every earlier
 * layer's `growth` new maps (BN-ReLU-1x1 conv-BN-ReLU-3x3 conv), and adds
 * `growth` more:
 * features are reused, not recomputed, so each layer can be thin. */
int net_dense_block(EngGraph *g, int b, int x, int layers, int growth) {
    int feats[DENSE_MAX_LAYERS + 1];
    int n = 0;
    char pre[48], name[64];
    feats[n++] = x;
    for (int l = 1; l <= layers && l <= DENSE_MAX_LAYERS; l++) {
        snprintf(pre, sizeof pre, "denseblock%d.denselayer%d", b, l);
        int in = feats[0];
        if (n > 1) in = eng_concat(g, net_name(pre, ".input"), feats, n);
        int y = eng_bn(g, net_name(pre, ".norm1"), in, 1e-5f);
        y = eng_relu(g, net_name(pre, ".relu1"), y);
        y = eng_conv_k(g, net_name(pre, ".conv1"), y, 4 * growth, 1, 1, 0, 1, 0);
        y = eng_bn(g, net_name(pre, ".norm2"), y, 1e-5f);
        y = eng_relu(g, net_name(pre, ".relu2"), y);
        y = eng_conv_k(g, net_name(pre, ".conv2"), y, growth, 3, 1, 1, 1, 0);
        feats[n++] = y;
    }
    snprintf(name, sizeof name, "denseblock%d", b);
    return eng_concat(g, name, feats, n);
}

/* BN-ReLU-1x1 conv halving the channels, then 2x2 average pooling. */
int net_dense_transition(EngGraph *g, int t, int x) {
    int c = net_channels(g, x);
    if (c < 0) return -1;
    char pre[32];
    snprintf(pre, sizeof pre, "transition%d", t);
    x = eng_bn(g, net_name(pre, ".norm"), x, 1e-5f);
    x = eng_relu(g, net_name(pre, ".relu"), x);
    x = eng_conv_k(g, net_name(pre, ".conv"), x, c / 2, 1, 1, 0, 1, 0);
    return eng_avgpool_k(g, net_name(pre, ".pool"), x, 2, 2, 0);
}

static int build_densenet(EngGraph *g, int C, int H, int W, const int blocks[4]) {
    int x = eng_input(g, "data", C, H, W);
    x = net_conv_bn_act(g, "conv0", "norm0", "relu0", x, 64, 7, 2, 3, 1, NET_ACT_RELU);
    x = net_maxpool(g, "pool0", x, 3, 2, 1, 0);
    for (int b = 0; b < 4; b++) {
        x = net_dense_block(g, b + 1, x, blocks[b], 32);
        if (b < 3) x = net_dense_transition(g, b + 1, x);
    }
    x = eng_bn(g, "norm5", x, 1e-5f);
    x = eng_relu(g, "relu5", x);
    x = eng_gavgpool(g, "avgpool", x);
    return eng_fc(g, "classifier", x, 1000, 1);
}

static int build_densenet121(EngGraph *g, int C, int H, int W) {
    static const int b[4] = {6, 12, 24, 16};
    return build_densenet(g, C, H, W, b);
}
static int build_densenet169(EngGraph *g, int C, int H, int W) {
    static const int b[4] = {6, 12, 32, 32};
    return build_densenet(g, C, H, W, b);
}
static int build_densenet201(EngGraph *g, int C, int H, int W) {
    static const int b[4] = {6, 12, 48, 32};
    return build_densenet(g, C, H, W, b);
}

#define DENSE_CARD(id, disp, err, src, tv, a1, a5)                                         \
    const ModelCard model_card_##id = {                                                    \
        .name = #id, .display = disp, .family = "DenseNet", .year = 2016,                   \
        .authors = "G. Huang, Z. Liu, L. van der Maaten, K. Q. Weinberger",                  \
        .paper = "Densely Connected Convolutional Networks",                               \
        .venue = "CVPR 2017 (arXiv:1608.06993, 2016)", .ilsvrc = NULL, .top5_error = err,   \
        .top5_source = src, NET_TV_ACC(tv, a1, a5),                                        \
        .key_ideas = "Each layer receives the concatenated maps of every earlier layer in "  \
                     "its block and adds a few (growth rate 32); transitions (BN, 1x1 conv, " \
                     "2x2 average pool) shrink the channels between blocks.",               \
        .notes = "DenseNet-BC in torchvision's layout (growth 32, bottleneck 128, "          \
                 "compression 0.5).",                                                      \
        .in_c = 3, .in_h = 224, .in_w = 224, .pre = NET_PRE_TORCHVISION,                     \
        .build = build_##id}

DENSE_CARD(densenet121, "DenseNet-121", 7.71,
           "Huang et al., Table 3: 7.71% top-5 validation error, single crop",
           "DenseNet121_Weights.IMAGENET1K_V1", 74.434, 91.972);
DENSE_CARD(densenet169, "DenseNet-169", 6.85,
           "Huang et al., Table 3: 6.85% top-5 validation error, single crop",
           "DenseNet169_Weights.IMAGENET1K_V1", 75.600, 92.806);
DENSE_CARD(densenet201, "DenseNet-201", 6.34,
           "Huang et al., Table 3: 6.34% top-5 validation error, single crop",
           "DenseNet201_Weights.IMAGENET1K_V1", 76.896, 93.370);
