/*
 * net_resnet.c — ResNet (He, Zhang, Ren, Sun 2015) in torchvision's layout,
 * with the ResNeXt (grouped 3x3) and Wide ResNet (twice the bottleneck width)
 * variants that share its code.
 *
 * Names follow torchvision's modules: conv1, bn1, relu, maxpool,
 * layer1.0.conv1 ... layer4.2.bn3, layerN.M.downsample.0/1, avgpool, fc; the
 * output of block M of stage N (after the final ReLU) is "layerN.M".
 */
#include "net_common.h"

#include <stdio.h>

/* One residual block: out = relu(F(x) + shortcut(x)). F is Conv-BN-ReLU-Conv-BN
 * (basic) or 1x1-3x3-1x1 (bottleneck, the stride sits in the 3x3 as in
 * torchvision, "ResNet v1.5", unless c->stride_1x1 puts it in the first 1x1
 * as the original Caffe models do). The shortcut is the identity, or a 1x1
 * projection + BN when the shape changes. With c->se_reduction, F's output
 * is rescaled channel by channel by a squeeze-and-excitation module before
 * the add (SENet, Hu et al. 2017, Fig. 3). */
int net_res_block(EngGraph *g, const char *n, int x, int planes, int stride, const NetResCfg *c) {
    const int cin = net_channels(g, x), cout = c->bottleneck ? planes * 4 : planes;
    if (cin < 0) return -1;
    int f;
    if (c->bottleneck) {
        int width = planes * c->width_per_group / 64 * c->groups;
        int s1 = c->stride_1x1 ? stride : 1, s3 = c->stride_1x1 ? 1 : stride;
        f = net_conv_bn_act(g, net_name(n, ".conv1"), net_name(n, ".bn1"), net_name(n, ".relu1"),
                            x, width, 1, s1, 0, 1, NET_ACT_RELU);
        f = net_conv_bn_act(g, net_name(n, ".conv2"), net_name(n, ".bn2"), net_name(n, ".relu2"),
                            f, width, 3, s3, 1, c->groups, NET_ACT_RELU);
        f = net_conv_bn_act(g, net_name(n, ".conv3"), net_name(n, ".bn3"), NULL, f, cout, 1, 1,
                            0, 1, NET_ACT_NONE);
    } else {
        f = net_conv_bn_act(g, net_name(n, ".conv1"), net_name(n, ".bn1"), net_name(n, ".relu1"),
                            x, planes, 3, stride, 1, 1, NET_ACT_RELU);
        f = net_conv_bn_act(g, net_name(n, ".conv2"), net_name(n, ".bn2"), NULL, f, planes, 3, 1,
                            1, 1, NET_ACT_NONE);
    }
    if (c->se_reduction > 0) f = net_se_module(g, net_name(n, ".se_module"), f, c->se_reduction);
    int sc = x;
    if (stride != 1 || cin != cout)
        sc = net_conv_bn_act(g, net_name(n, ".downsample.0"), net_name(n, ".downsample.1"), NULL,
                             x, cout, 1, stride, 0, 1, NET_ACT_NONE);
    int sum = eng_add2(g, net_name(n, ".add"), f, sc);
    return eng_relu(g, n, sum);
}

static int build_resnet(EngGraph *g, int C, int H, int W, const NetResCfg *c) {
    int x = eng_input(g, "data", C, H, W);
    x = net_conv_bn_act(g, "conv1", "bn1", "relu", x, 64, 7, 2, 3, 1, NET_ACT_RELU);
    x = net_maxpool(g, "maxpool", x, 3, 2, 1, 0);
    char name[32];
    for (int stage = 0; stage < 4; stage++) {
        for (int b = 0; b < c->blocks[stage]; b++) {
            snprintf(name, sizeof name, "layer%d.%d", stage + 1, b);
            int stride = (b == 0 && stage > 0) ? 2 : 1;
            x = net_res_block(g, name, x, 64 << stage, stride, c);
        }
    }
    x = eng_gavgpool(g, "avgpool", x);
    return eng_fc(g, "fc", x, 1000, 1);
}

#define RES_BUILDER(id, ...)                                                               \
    static int build_##id(EngGraph *g, int C, int H, int W) {                              \
        static const NetResCfg cfg = __VA_ARGS__;                                             \
        return build_resnet(g, C, H, W, &cfg);                                             \
    }
RES_BUILDER(resnet18, {0, {2, 2, 2, 2}, 1, 64, 0, 0})
RES_BUILDER(resnet34, {0, {3, 4, 6, 3}, 1, 64, 0, 0})
RES_BUILDER(resnet50, {1, {3, 4, 6, 3}, 1, 64, 0, 0})
RES_BUILDER(resnet101, {1, {3, 4, 23, 3}, 1, 64, 0, 0})
RES_BUILDER(resnet152, {1, {3, 8, 36, 3}, 1, 64, 0, 0})
RES_BUILDER(resnext50_32x4d, {1, {3, 4, 6, 3}, 32, 4, 0, 0})
RES_BUILDER(wide_resnet50_2, {1, {3, 4, 6, 3}, 1, 128, 0, 0})

#define RES_PAPER "Deep Residual Learning for Image Recognition"
#define RES_AUTHORS "K. He, X. Zhang, S. Ren, J. Sun"
#define RES_VENUE "CVPR 2016 (arXiv:1512.03385, 2015)"
#define RES_ILSVRC "ILSVRC-2015 classification winner (3.57% top-5 test error, ensemble)"
#define RES_IDEAS                                                                          \
    "Identity shortcuts: each block learns a residual F(x) = H(x) - x and outputs "        \
    "F(x) + x, so a deeper plain network no longer trains worse than a shallower one; "    \
    "batch norm after every conv; bottleneck 1x1-3x3-1x1 blocks from 50 layers up."
#define RES_NOTES                                                                          \
    "torchvision's layout (stride in the 3x3 of a bottleneck, 1x1 projection shortcuts "   \
    "only where the shape changes)."

#define RES_CARD(id, disp, err, src, tv, a1, a5)                                           \
    const ModelCard model_card_##id = {                                                    \
        .name = #id, .display = disp, .family = "ResNet", .year = 2015,                     \
        .authors = RES_AUTHORS, .paper = RES_PAPER, .venue = RES_VENUE,                    \
        .ilsvrc = RES_ILSVRC, .top5_error = err, .top5_source = src,                        \
        NET_TV_ACC(tv, a1, a5),                                                            \
        .key_ideas = RES_IDEAS, .notes = RES_NOTES, .in_c = 3, .in_h = 224, .in_w = 224,     \
        .pre = NET_PRE_TORCHVISION, .build = build_##id}

RES_CARD(resnet18, "ResNet-18", -1, "no top-5 figure for ResNet-18 in the paper",
         "ResNet18_Weights.IMAGENET1K_V1", 69.758, 89.078);
RES_CARD(resnet34, "ResNet-34", 5.71,
         "He et al., Table 4: 5.71% top-5 validation error, single model (option B shortcuts)",
         "ResNet34_Weights.IMAGENET1K_V1", 73.314, 91.420);
RES_CARD(resnet50, "ResNet-50", 5.25, "He et al., Table 4: 5.25% top-5 validation error, single model",
         "ResNet50_Weights.IMAGENET1K_V1", 76.130, 92.862);
RES_CARD(resnet101, "ResNet-101", 4.60, "He et al., Table 4: 4.60% top-5 validation error, single model",
         "ResNet101_Weights.IMAGENET1K_V1", 77.374, 93.546);
RES_CARD(resnet152, "ResNet-152", 4.49,
         "He et al., Table 4: 4.49% top-5 validation error, single model; the ILSVRC-2015 "
         "ensemble reached 3.57% on the test set (Table 5)",
         "ResNet152_Weights.IMAGENET1K_V1", 78.312, 94.046);

const ModelCard model_card_resnext50_32x4d = {
    .name = "resnext50_32x4d",
    .display = "ResNeXt-50 32x4d",
    .family = "ResNet",
    .year = 2016,
    .authors = "S. Xie, R. Girshick, P. Dollar, Z. Tu, K. He",
    .paper = "Aggregated Residual Transformations for Deep Neural Networks",
    .venue = "CVPR 2017 (arXiv:1611.05431, 2016)",
    .ilsvrc = "ILSVRC-2016 classification: 2nd place",
    .top5_error = -1,
    .top5_source = "no single top-5 figure for this exact model quoted here",
    NET_TV_ACC("ResNeXt50_32X4D_Weights.IMAGENET1K_V1", 77.618, 93.698),
    .key_ideas = "Cardinality: the bottleneck's 3x3 is split into 32 groups of 4 channels "
                 "(a grouped convolution, as AlexNet's two GPUs), more width for the same cost.",
    .notes = "torchvision's resnext50_32x4d: ResNet-50 with bottleneck width 128 at stage 1 "
             "and a 32-group 3x3.",
    .in_c = 3, .in_h = 224, .in_w = 224,
    .pre = NET_PRE_TORCHVISION,
    .build = build_resnext50_32x4d,
};

const ModelCard model_card_wide_resnet50_2 = {
    .name = "wide_resnet50_2",
    .display = "Wide ResNet-50-2",
    .family = "ResNet",
    .year = 2016,
    .authors = "S. Zagoruyko, N. Komodakis",
    .paper = "Wide Residual Networks",
    .venue = "BMVC 2016",
    .ilsvrc = NULL,
    .top5_error = -1,
    .top5_source = "no single top-5 figure for this exact model quoted here",
    NET_TV_ACC("Wide_ResNet50_2_Weights.IMAGENET1K_V1", 78.468, 94.086),
    .key_ideas = "Width instead of depth: k times more channels in each residual block train "
                 "faster and match much deeper thin networks.",
    .notes = "torchvision's wide_resnet50_2: ResNet-50 with the inner 3x3 of every "
             "bottleneck twice as wide (the outer 1x1 widths unchanged).",
    .in_c = 3, .in_h = 224, .in_w = 224,
    .pre = NET_PRE_TORCHVISION,
    .build = build_wide_resnet50_2,
};
