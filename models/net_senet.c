/*
 * net_senet.c — Squeeze-and-Excitation networks (Hu, Shen, Sun 2017):
 * SE-ResNet-50 and SE-ResNeXt-50 32x4d, ResNet and ResNeXt bottlenecks
 * (net_res_block, net_resnet.c) with an SE module on every residual branch.
 *
 * Layout and names follow Cadene's pretrainedmodels (senet.py), the PyTorch
 * port of the authors' Caffe models: layer0.conv1/bn1/relu1/pool, then
 * layer1.0 ... layer4.2 with downsample.0/1 and se_module.fc1/fc2, avg_pool,
 * last_linear. As in the Caffe models, SE-ResNet-50 strides in the first 1x1
 * of a bottleneck (torchvision's ResNet-50 strides in the 3x3), SE-ResNeXt-50
 * in the grouped 3x3; the stem's max pool rounds up with no padding.
 */
#include "net_common.h"

#include <stdio.h>

/* The SE module (Hu et al., Fig. 3 and eq. 2-4): squeeze each channel of x
 * to its mean over H x W (z, (C,1,1)), excite with two fully connected
 * layers around a ReLU, C -> C/r -> C, gate with a sigmoid
 * (s = sigmoid(W2 relu(W1 z))), and scale: out = x * s, channel by channel.
 * The FCs are 1x1 convolutions with bias, as in the Caffe models. Costs 2C^2/r
 * weights per block (r = 16: about 10% more than ResNet-50 in all) and almost
 * no MACs, since it works on (C,1,1). */
int net_se_module(EngGraph *g, const char *name, int x, int reduction) {
    char n[80];
    snprintf(n, sizeof n, "%s", name);
    const int C = net_channels(g, x);
    if (C < 0 || reduction < 1) return -1;
    const int mid = C / reduction > 0 ? C / reduction : 1;
    int s = eng_gavgpool(g, net_name(n, ".avg_pool"), x);                 /* (C,1,1) */
    s = eng_conv_k(g, net_name(n, ".fc1"), s, mid, 1, 1, 0, 1, 1);     /* (C/r,1,1) */
    s = eng_relu(g, net_name(n, ".relu"), s);
    s = eng_conv_k(g, net_name(n, ".fc2"), s, C, 1, 1, 0, 1, 1);       /* (C,1,1) */
    s = eng_sigmoid(g, net_name(n, ".sigmoid"), s);
    return eng_mul(g, n, x, s);                                          /* (C,H,W) */
}

static int build_senet(EngGraph *g, int C, int H, int W, const NetResCfg *c) {
    int x = eng_input(g, "data", C, H, W);
    x = net_conv_bn_act(g, "layer0.conv1", "layer0.bn1", "layer0.relu1", x, 64, 7, 2, 3, 1,
                        NET_ACT_RELU);
    x = net_maxpool(g, "layer0.pool", x, 3, 2, 0, 1);
    char name[32];
    for (int stage = 0; stage < 4; stage++)
        for (int b = 0; b < c->blocks[stage]; b++) {
            snprintf(name, sizeof name, "layer%d.%d", stage + 1, b);
            x = net_res_block(g, name, x, 64 << stage, (b == 0 && stage > 0) ? 2 : 1, c);
        }
    x = eng_gavgpool(g, "avg_pool", x); /* Cadene: AvgPool2d(7) at 224, the same there */
    return eng_fc(g, "last_linear", x, 1000, 1);
}

static int build_se_resnet50(EngGraph *g, int C, int H, int W) {
    static const NetResCfg cfg = {.bottleneck = 1, .blocks = {3, 4, 6, 3}, .groups = 1,
                                  .width_per_group = 64, .stride_1x1 = 1, .se_reduction = 16};
    return build_senet(g, C, H, W, &cfg);
}
static int build_se_resnext50_32x4d(EngGraph *g, int C, int H, int W) {
    static const NetResCfg cfg = {.bottleneck = 1, .blocks = {3, 4, 6, 3}, .groups = 32,
                                  .width_per_group = 4, .stride_1x1 = 0, .se_reduction = 16};
    return build_senet(g, C, H, W, &cfg);
}

#define SE_PAPER "Squeeze-and-Excitation Networks"
#define SE_AUTHORS "J. Hu, L. Shen, G. Sun"
#define SE_VENUE "CVPR 2018 (arXiv:1709.01507, 2017)"
#define SE_ILSVRC "ILSVRC-2017 classification winner (2.251% top-5 test error, ensemble)"
#define SE_IDEAS                                                                           \
    "Channel attention: each block squeezes its maps to one number per channel (global "    \
    "average), learns from them a gate between 0 and 1 per channel (FC, ReLU, FC, "         \
    "sigmoid) and rescales the maps by it, so the network reweights its features using "     \
    "the whole image."
#define SE_SOURCE_NOTE                                                                     \
    " Parameters to the parameter as Cadene's pretrainedmodels; MACs against Hu et al., "  \
    "Table 2 (GFLOPs there are multiply-adds at 224x224). The gate depends on the whole "  \
    "image, so the receptive field is global from the first block on."

const ModelCard model_card_se_resnet50 = {
    .name = "se_resnet50",
    .display = "SE-ResNet-50",
    .family = "SENet",
    .year = 2017,
    .authors = SE_AUTHORS,
    .paper = SE_PAPER,
    .venue = SE_VENUE,
    .ilsvrc = SE_ILSVRC,
    .top5_error = 6.62,
    .top5_source = "Hu et al., Table 2: 6.62% top-5 validation error, single 224x224 crop "
                   "(ResNet-50 re-implemented: 7.48%); 3.87 GFLOPs against 3.86",
    .val_top1 = 76.71, .val_top5 = 93.38, /* 100 - the errors */
    .val_source = "Hu et al., Table 2: 23.29% top-1 and 6.62% top-5 error on ImageNet val, single "
                  "model, one 224x224 centre crop; torchvision ships no SENet",
    .key_ideas = SE_IDEAS,
    .notes = "Cadene's se_resnet50: the Caffe ResNet-50 (stride in each first 1x1) with an SE "
             "module (r = 16) on every residual branch before the add." SE_SOURCE_NOTE,
    .in_c = 3, .in_h = 224, .in_w = 224,
    .pre = NET_PRE_TORCHVISION,
    .build = build_se_resnet50,
};

const ModelCard model_card_se_resnext50_32x4d = {
    .name = "se_resnext50_32x4d",
    .display = "SE-ResNeXt-50",
    .family = "SENet",
    .year = 2017,
    .authors = SE_AUTHORS,
    .paper = SE_PAPER,
    .venue = SE_VENUE,
    .ilsvrc = SE_ILSVRC,
    .top5_error = 5.49,
    .top5_source = "Hu et al., Table 2: 5.49% top-5 validation error, single 224x224 crop "
                   "(ResNeXt-50 re-implemented: 5.90%); 4.25 GFLOPs against 4.24",
    .val_top1 = 78.90, .val_top5 = 94.51, /* 100 - the errors */
    .val_source = "Hu et al., Table 2: 21.10% top-1 and 5.49% top-5 error on ImageNet val, single "
                  "model, one 224x224 centre crop; torchvision ships no SENet",
    .key_ideas = SE_IDEAS,
    .notes = "Cadene's se_resnext50_32x4d: ResNeXt-50 32x4d (the 3x3 in 32 groups, stride in "
             "the 3x3) with an SE module (r = 16) on every residual branch." SE_SOURCE_NOTE,
    .in_c = 3, .in_h = 224, .in_w = 224,
    .pre = NET_PRE_TORCHVISION,
    .build = build_se_resnext50_32x4d,
};
