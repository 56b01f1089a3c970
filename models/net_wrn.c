/*
 * net_wrn.c — Wide Residual Networks (Zagoruyko & Komodakis 2016) on
 * CIFAR-10: WRN-d-k has (d - 4) / 6 pre-activation basic blocks per stage
 * with 16k, 32k, 64k channels on 32x32, 16x16, 8x8 maps.
 *
 * Layout and names follow the authors' PyTorch code (pytorch/resnet.py of
 * szagoruyko/wide-residual-networks): conv0 (3x3 to 16), group0..group2 of
 * blocks groupG.blockB with bn0, conv0, bn1, conv1 and, where the width or
 * the stride changes, convdim (a 1x1 projection of the block's activated
 * input, no BN); then bn, relu, avgpool, fc. No convolution has a bias; no
 * ReLU follows the add. Dropout between the convolutions (their "-dropout"
 * variants) is left out, as in the plain WRN-28-10.
 */
#include "net_common.h"

#include <stdio.h>

/* o1 = relu(bn0(x)); z = conv1(relu(bn1(conv0(o1)))); out = z + (convdim(o1) or x). */
static int wrn_block(EngGraph *g, const char *n, int x, int width, int stride) {
    const int cin = net_channels(g, x);
    if (cin < 0) return -1;
    int o1 = eng_relu(g, net_name(n, ".relu0"), eng_bn(g, net_name(n, ".bn0"), x, 1e-5f));
    int y = eng_conv_k(g, net_name(n, ".conv0"), o1, width, 3, stride, 1, 1, 0);
    y = eng_relu(g, net_name(n, ".relu1"), eng_bn(g, net_name(n, ".bn1"), y, 1e-5f));
    int z = eng_conv_k(g, net_name(n, ".conv1"), y, width, 3, 1, 1, 1, 0);
    int sc = x;
    if (cin != width || stride != 1)
        sc = eng_conv_k(g, net_name(n, ".convdim"), o1, width, 1, stride, 0, 1, 0);
    return eng_add2(g, n, z, sc);
}

static int build_wrn(EngGraph *g, int C, int H, int W, int depth, int k) {
    const int n = (depth - 4) / 6;
    int x = eng_input(g, "data", C, H, W);
    x = eng_conv_k(g, "conv0", x, 16, 3, 1, 1, 1, 0);
    char name[32];
    for (int grp = 0; grp < 3; grp++)
        for (int b = 0; b < n; b++) {
            snprintf(name, sizeof name, "group%d.block%d", grp, b);
            x = wrn_block(g, name, x, (16 << grp) * k, (b == 0 && grp > 0) ? 2 : 1);
        }
    x = eng_bn(g, "bn", x, 1e-5f);
    x = eng_relu(g, "relu", x);
    x = eng_gavgpool(g, "avgpool", x); /* the authors' avg_pool2d(8) at 32x32 */
    return eng_fc(g, "fc", x, 10, 1);
}

static int build_wrn28_10(EngGraph *g, int C, int H, int W) {
    return build_wrn(g, C, H, W, 28, 10);
}

const ModelCard model_card_wrn28_10 = {
    .name = "wrn28_10",
    .display = "WRN-28-10",
    .family = "ResNet",
    .year = 2016,
    .authors = "S. Zagoruyko, N. Komodakis",
    .paper = "Wide Residual Networks",
    .venue = "BMVC 2016 (arXiv:1605.07146)",
    .ilsvrc = NULL,
    .top5_error = -1,
    .top5_source = "CIFAR-10, no top-5: Zagoruyko & Komodakis, Table 4 (and the authors' "
                   "README): 4.00% test error, 3.89% with dropout, 36.5M parameters",
    .key_ideas = "Width instead of depth: 28 layers of pre-activation blocks ten times wider "
                 "(160-320-640 channels) beat a 1001-layer thin ResNet on CIFAR and train "
                 "several times faster on a GPU.",
    .notes = "The authors' pytorch/resnet.py, depth 28 = 6 x 4 + 4, width 10: four BN-ReLU-"
             "conv3x3 pairs per group, a 1x1 projection of the activated input where the "
             "shape changes; 36,479,194 parameters with BN scale and shift.",
    .in_c = 3, .in_h = 32, .in_w = 32,
    .pre = NET_PRE_CIFAR,
    .build = build_wrn28_10,
};
