/*
 * net_xception.c — Xception (Chollet 2017) at 299x299, as Keras builds it
 * (keras.applications.Xception, keras/src/applications/xception.py).
 *
 * Entry flow: two plain 3x3 convolutions (32 stride 2, 64, both "valid"),
 * then three blocks (128, 256, 728) of two separable convolutions and a 3x3
 * max pool of stride 2, each added to a 1x1 stride-2 projection of the
 * block's input. Middle flow: eight blocks of three 728-wide separable
 * convolutions around an identity shortcut. Exit flow: a 728-1024 block with
 * a projection, two more separable convolutions (1536, 2048), global average
 * pooling and one FC. A separable convolution is a 3x3 depthwise convolution
 * (one filter per channel) then a 1x1 pointwise one, neither with a bias;
 * batch norm (Keras's epsilon 1e-3) follows each separable convolution, not
 * the depthwise half. ReLU comes before a separable convolution inside the
 * residual blocks (so the shortcut carries the pre-ReLU sum) and after it in
 * block 14, as in Keras.
 *
 * Names follow Keras's layer names (block2_sepconv1, block2_sepconv1_bn,
 * block2_sepconv1_act); the separable convolution's two halves are
 * <name>.depthwise and <name>.pointwise, the projection blockN_residual.
 */
#include "net_common.h"

#include <stdio.h>

#define XC_BN_EPS 1e-3f /* Keras's BatchNormalization default */

/* A separable convolution and its batch norm: <n>.depthwise (3x3, one filter
 * per channel, "same" padding), <n>.pointwise (1x1 to oc), <n>_bn. */
static int sepconv_bn(EngGraph *g, const char *n, int x, int oc) {
    const int c = net_channels(g, x);
    if (c < 0) return -1;
    x = eng_conv_k(g, net_name(n, ".depthwise"), x, c, 3, 1, 1, c, 0);
    x = eng_conv_k(g, net_name(n, ".pointwise"), x, oc, 1, 1, 0, 1, 0);
    return eng_bn(g, net_name(n, "_bn"), x, XC_BN_EPS);
}

/* Keras's MaxPooling2D((3, 3), strides=(2, 2), padding="same"): the output is
 * ceil(in / 2) and TensorFlow puts the odd pixel of padding at the bottom
 * and right (74 -> 37 pads 0 above and 1 below). */
static int pool_same(EngGraph *g, const char *name, int x) {
    const EngNode *in = eng_graph_node(g, x);
    if (!in) return -1;
    int pad[2];
    const int size[2] = {in->out.H, in->out.W};
    for (int a = 0; a < 2; a++) {
        const int out = (size[a] + 1) / 2, total = (out - 1) * 2 + 3 - size[a];
        pad[a] = total > 0 ? total : 0;
    }
    EngPoolParams p = {.kh = 3, .kw = 3, .sh = 2, .sw = 2, .pt = pad[0] / 2, .pl = pad[1] / 2,
                       .pb = pad[0] - pad[0] / 2, .pr = pad[1] - pad[1] / 2};
    return eng_maxpool(g, name, x, &p);
}

/* An entry- or exit-flow block b: [ReLU] sepconv c1 - BN - ReLU - sepconv c2 -
 * BN - max pool, plus BN(1x1 stride-2 conv of the input). Block 2 has no ReLU
 * first: its input has just been through one. */
static int down_block(EngGraph *g, int b, int x, int c1, int c2, int relu_first) {
    char n[32], s1[32], s2[32];
    snprintf(n, sizeof n, "block%d", b);
    snprintf(s1, sizeof s1, "block%d_sepconv1", b);
    snprintf(s2, sizeof s2, "block%d_sepconv2", b);
    int r = eng_conv_k(g, net_name(n, "_residual"), x, c2, 1, 2, 0, 1, 0);
    r = eng_bn(g, net_name(n, "_residual_bn"), r, XC_BN_EPS);
    int y = relu_first ? eng_relu(g, net_name(s1, "_act"), x) : x;
    y = sepconv_bn(g, s1, y, c1);
    y = eng_relu(g, net_name(s2, "_act"), y);
    y = sepconv_bn(g, s2, y, c2);
    y = pool_same(g, net_name(n, "_pool"), y);
    return eng_add2(g, net_name(n, "_add"), y, r);
}

/* A middle-flow block b: x + three times (ReLU - sepconv 728 - BN). */
static int middle_block(EngGraph *g, int b, int x) {
    char n[32], s[40];
    int y = x;
    for (int k = 1; k <= 3; k++) {
        snprintf(s, sizeof s, "block%d_sepconv%d", b, k);
        y = eng_relu(g, net_name(s, "_act"), y);
        y = sepconv_bn(g, s, y, 728);
    }
    snprintf(n, sizeof n, "block%d_add", b);
    return eng_add2(g, n, y, x);
}

static int build_xception(EngGraph *g, int C, int H, int W) {
    int x = eng_input(g, "data", C, H, W);
    x = eng_conv_k(g, "block1_conv1", x, 32, 3, 2, 0, 1, 0);
    x = eng_bn(g, "block1_conv1_bn", x, XC_BN_EPS);
    x = eng_relu(g, "block1_conv1_act", x);
    x = eng_conv_k(g, "block1_conv2", x, 64, 3, 1, 0, 1, 0);
    x = eng_bn(g, "block1_conv2_bn", x, XC_BN_EPS);
    x = eng_relu(g, "block1_conv2_act", x);
    x = down_block(g, 2, x, 128, 128, 0);
    x = down_block(g, 3, x, 256, 256, 1);
    x = down_block(g, 4, x, 728, 728, 1);
    for (int b = 5; b <= 12; b++) x = middle_block(g, b, x);
    x = down_block(g, 13, x, 728, 1024, 1);
    x = sepconv_bn(g, "block14_sepconv1", x, 1536);
    x = eng_relu(g, "block14_sepconv1_act", x);
    x = sepconv_bn(g, "block14_sepconv2", x, 2048);
    x = eng_relu(g, "block14_sepconv2_act", x);
    x = eng_gavgpool(g, "avg_pool", x);
    return eng_fc(g, "predictions", x, 1000, 1);
}

const ModelCard model_card_xception = {
    .name = "xception",
    .display = "Xception",
    .family = "Inception",
    .year = 2017,
    .authors = "F. Chollet",
    .paper = "Xception: Deep Learning with Depthwise Separable Convolutions",
    .venue = "CVPR 2017 (arXiv:1610.02357, 2016)",
    .ilsvrc = NULL,
    .top5_error = 5.5,
    .top5_source = "Chollet, Table 1: 0.945 top-5 (0.790 top-1) accuracy on the ImageNet "
                   "validation set, single model, single 299x299 crop; Inception V3 0.941",
    .val_top1 = 79.0, .val_top5 = 94.5,
    .val_source = "Chollet, Table 1: top-1 79.0%, top-5 94.5% accuracy on ImageNet val, single "
                  "model, single 299x299 crop",
    .key_ideas = "The Inception hypothesis pushed to its limit: map cross-channel and spatial "
                 "correlations entirely separately, with a stack of depthwise separable "
                 "convolutions (36 of them) inside residual blocks, for about Inception V3's "
                 "parameters and better accuracy.",
    .notes = "Keras's keras.applications.Xception: 22,855,952 trainable parameters, the count "
             "here (batch-norm scale and shift included). Keras prints 22,910,480 in all "
             "because it also counts batch norm's running mean and variance (54,528 "
             "non-trainable values, 2 x 27,264 channels), which are statistics, not learned "
             "parameters. Separable convolutions without bias, BN (epsilon 1e-3) after each, "
             "TensorFlow's 'same' pooling (the odd padding pixel at the bottom and right). "
             "Keras's input scaling is x / 127.5 - 1.",
    .in_c = 3, .in_h = 299, .in_w = 299,
    .pre = {.channels = 3, .resize = 299, .crop = 299, .bgr = 0, .scale = 1.0f / 127.5f,
            .mean = {1.0f, 1.0f, 1.0f}, .std = {1.0f, 1.0f, 1.0f}},
    .build = build_xception,
};
