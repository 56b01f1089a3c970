/*
 * net_mobilenet.c — MobileNet v1 (Howard et al. 2017) and v2 (Sandler et al.
 * 2018), width 1.0 at 224x224.
 */
#include "net_common.h"

#include <stdio.h>

/* v1 (Table 1): a 3x3 conv, then 13 depthwise separable layers: a 3x3
 * depthwise conv (one filter per channel) and a 1x1 pointwise conv, each with
 * BN and ReLU. A standard 3x3 conv costs 9*Cin*Cout per pixel; the separable
 * pair costs 9*Cin + Cin*Cout. */
int net_separable_stack(EngGraph *g, int x, const int (*cfg)[2], int n) {
    char name[32];
    for (int i = 0; i < n; i++) {
        int c = net_channels(g, x);
        if (c < 0) return -1;
        snprintf(name, sizeof name, "conv%d_dw", i + 1);
        x = net_conv_bn_act(g, name, net_name(name, ".bn"), net_name(name, ".relu"), x, c, 3,
                            cfg[i][1], 1, c, NET_ACT_RELU);
        snprintf(name, sizeof name, "conv%d_pw", i + 1);
        x = net_conv_bn_act(g, name, net_name(name, ".bn"), net_name(name, ".relu"), x, cfg[i][0],
                            1, 1, 0, 1, NET_ACT_RELU);
    }
    return x;
}

static int build_mobilenet_v1(EngGraph *g, int C, int H, int W) {
    static const int cfg[13][2] = {{64, 1},  {128, 2}, {128, 1}, {256, 2}, {256, 1},
                                   {512, 2}, {512, 1}, {512, 1}, {512, 1}, {512, 1},
                                   {512, 1}, {1024, 2}, {1024, 1}};
    int x = eng_input(g, "data", C, H, W);
    x = net_conv_bn_act(g, "conv0", "conv0.bn", "conv0.relu", x, 32, 3, 2, 1, 1, NET_ACT_RELU);
    x = net_separable_stack(g, x, cfg, 13);
    x = eng_gavgpool(g, "avgpool", x);
    return eng_fc(g, "fc", x, 1000, 1);
}

/* v2 inverted residual: 1x1 expansion (t x channels) - ReLU6 - 3x3 depthwise -
 * ReLU6 - 1x1 linear projection (no activation: the "linear bottleneck"),
 * with a residual add when the shape is unchanged. Names as torchvision's
 * features.i.conv.j. */
static int inverted_residual(EngGraph *g, int i, int x, int t, int cout, int stride) {
    const EngNode *in = eng_graph_node(g, x);
    if (!in) return -1;
    int cin = in->out.C, hidden = cin * t;
    char n[32];
    snprintf(n, sizeof n, "features.%d", i);
    int y = x, j = 0;
    char pre[48];
    if (t != 1) {
        snprintf(pre, sizeof pre, "%s.conv.%d", n, j++);
        y = net_conv_bn_act(g, net_name(pre, ".0"), net_name(pre, ".1"), net_name(pre, ".2"), y,
                            hidden, 1, 1, 0, 1, NET_ACT_RELU6);
    }
    snprintf(pre, sizeof pre, "%s.conv.%d", n, j++);
    y = net_conv_bn_act(g, net_name(pre, ".0"), net_name(pre, ".1"), net_name(pre, ".2"), y,
                        hidden, 3, stride, 1, hidden, NET_ACT_RELU6);
    char proj[48], bn[48];
    snprintf(proj, sizeof proj, "%s.conv.%d", n, j);
    snprintf(bn, sizeof bn, "%s.conv.%d", n, j + 1);
    y = net_conv_bn_act(g, proj, bn, NULL, y, cout, 1, 1, 0, 1, NET_ACT_NONE);
    if (stride == 1 && cin == cout) y = eng_add2(g, n, x, y);
    return y;
}

static int build_mobilenet_v2(EngGraph *g, int C, int H, int W) {
    /* Table 2: expansion t, output channels c, repeats n, first stride s */
    static const int cfg[7][4] = {{1, 16, 1, 1},  {6, 24, 2, 2},  {6, 32, 3, 2}, {6, 64, 4, 2},
                                  {6, 96, 3, 1},  {6, 160, 3, 2}, {6, 320, 1, 1}};
    int x = eng_input(g, "data", C, H, W);
    x = net_conv_bn_act(g, "features.0.0", "features.0.1", "features.0.2", x, 32, 3, 2, 1, 1,
                        NET_ACT_RELU6);
    int i = 1;
    for (int s = 0; s < 7; s++)
        for (int r = 0; r < cfg[s][2]; r++, i++)
            x = inverted_residual(g, i, x, cfg[s][0], cfg[s][1], r == 0 ? cfg[s][3] : 1);
    x = net_conv_bn_act(g, "features.18.0", "features.18.1", "features.18.2", x, 1280, 1, 1, 0,
                        1, NET_ACT_RELU6);
    x = eng_gavgpool(g, "avgpool", x);
    x = eng_dropout(g, "classifier.0", x, 0.2f);
    return eng_fc(g, "classifier.1", x, 1000, 1);
}

const ModelCard model_card_mobilenet_v1 = {
    .name = "mobilenet_v1",
    .display = "MobileNet v1",
    .family = "MobileNet",
    .year = 2017,
    .authors = "A. G. Howard, M. Zhu, B. Chen, D. Kalenichenko, W. Wang, T. Weyand, "
               "M. Andreetto, H. Adam",
    .paper = "MobileNets: Efficient Convolutional Neural Networks for Mobile Vision Applications",
    .venue = "arXiv:1704.04861, 2017",
    .ilsvrc = NULL,
    .top5_error = -1,
    .top5_source = "the paper reports top-1 only: 70.6% ImageNet accuracy (Table 8)",
    .val_top1 = 70.6,
    .val_source = "Howard et al., Table 8: 1.0 MobileNet-224, 70.6% top-1 accuracy on ImageNet "
                  "val, single model, one 224x224 crop (no top-5 given); torchvision ships no "
                  "MobileNet v1",
    .key_ideas = "Depthwise separable convolutions (a 3x3 filter per channel, then a 1x1 that "
                 "mixes channels) cut a 3x3 layer's cost by about 8-9x.",
    .notes = "Width 1.0, resolution 224 (Table 1): BN and ReLU after every conv, no conv "
             "bias, global average pool and one FC: 4,231,976 parameters.",
    .in_c = 3, .in_h = 224, .in_w = 224,
    .pre = NET_PRE_TORCHVISION,
    .build = build_mobilenet_v1,
};

const ModelCard model_card_mobilenet_v2 = {
    .name = "mobilenet_v2",
    .display = "MobileNet v2",
    .family = "MobileNet",
    .year = 2018,
    .authors = "M. Sandler, A. Howard, M. Zhu, A. Zhmoginov, L.-C. Chen",
    .paper = "MobileNetV2: Inverted Residuals and Linear Bottlenecks",
    .venue = "CVPR 2018 (arXiv:1801.04381)",
    .ilsvrc = NULL,
    .top5_error = -1,
    .top5_source = "the paper reports top-1 only: 72.0% ImageNet accuracy (Table 4)",
    NET_TV_ACC("MobileNet_V2_Weights.IMAGENET1K_V1", 71.878, 90.286),
    .key_ideas = "Inverted residuals: expand thin bottlenecks 6x with a 1x1, filter with a "
                 "depthwise 3x3, project back linearly (no ReLU, which would destroy "
                 "information in few channels), and add the shortcut between bottlenecks.",
    .notes = "torchvision's mobilenet_v2 (width 1.0, ReLU6, dropout 0.2): 3,504,872 parameters.",
    .in_c = 3, .in_h = 224, .in_w = 224,
    .pre = NET_PRE_TORCHVISION,
    .build = build_mobilenet_v2,
};
