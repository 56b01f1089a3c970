/*
 * net_convnext.c — ConvNeXt-T (Liu et al. 2022) as torchvision's convnext.py
 * builds it: a ResNet modernised step by step towards a vision Transformer's
 * design, still all convolutions.
 */
#include "net_common.h"

#include <stdio.h>

/* CNBlock: 7x7 depthwise conv (bias), LayerNorm over channels (eps 1e-6),
 * 1x1 to 4C, GELU, 1x1 back to C, times the learned per-channel layer scale,
 * plus the input (stochastic depth is the identity at inference).
 * torchvision's two 1x1s are Linears on a channels-last map (block.3,
 * block.5): the same products as 1x1 convolutions, here (out, in, 1, 1)
 * instead of (out, in). The layer scale node carries the block's name, so its
 * parameter is torchvision's "<block>.layer_scale"; the sum is
 * "<block>.residual". */
static int cn_block(EngGraph *g, const char *name, int x) {
    const int C = net_channels(g, x);
    char n[32];
    snprintf(n, sizeof n, "%s", name);
    int y = eng_conv_k(g, net_name(n, ".block.0"), x, C, 7, 1, 3, C, 1);
    y = eng_layernorm(g, net_name(n, ".block.2"), y, 1e-6f);
    y = eng_conv_k(g, net_name(n, ".block.3"), y, 4 * C, 1, 1, 0, 1, 1);
    y = eng_gelu(g, net_name(n, ".block.4"), y);
    y = eng_conv_k(g, net_name(n, ".block.5"), y, C, 1, 1, 0, 1, 1);
    y = eng_layer_scale(g, n, y);
    return eng_add2(g, net_name(n, ".residual"), x, y);
}

static int build_convnext_tiny(EngGraph *g, int C, int H, int W) {
    static const int dims[4] = {96, 192, 384, 768}, depths[4] = {3, 3, 9, 3};
    int x = eng_input(g, "data", C, H, W);
    /* stem: "patchify", a 4x4 stride-4 conv, then LayerNorm2d */
    x = eng_conv_k(g, "features.0.0", x, dims[0], 4, 4, 0, 1, 1);
    x = eng_layernorm(g, "features.0.1", x, 1e-6f);
    char name[32];
    for (int s = 0; s < 4; s++) {
        for (int b = 0; b < depths[s]; b++) {
            snprintf(name, sizeof name, "features.%d.%d", 2 * s + 1, b);
            x = cn_block(g, name, x);
        }
        if (s == 3) break;
        /* downsampling between stages: LayerNorm2d, 2x2 stride-2 conv */
        snprintf(name, sizeof name, "features.%d", 2 * s + 2);
        x = eng_layernorm(g, net_name(name, ".0"), x, 1e-6f);
        x = eng_conv_k(g, net_name(name, ".1"), x, dims[s + 1], 2, 2, 0, 1, 1);
    }
    x = eng_gavgpool(g, "avgpool", x);
    x = eng_layernorm(g, "classifier.0", x, 1e-6f);
    x = eng_flatten(g, "classifier.1", x);
    return eng_fc(g, "classifier.2", x, 1000, 1);
}

/* torchvision's ConvNeXt_Tiny_Weights: resize to 236, centre crop 224 */
#define NET_PRE_CONVNEXT_T                                                             \
    {.channels = 3, .resize = 236, .crop = 224, .bgr = 0, .scale = 1.0f / 255.0f,     \
     .mean = {0.485f, 0.456f, 0.406f}, .std = {0.229f, 0.224f, 0.225f}}

const ModelCard model_card_convnext_tiny = {
    .name = "convnext_tiny",
    .display = "ConvNeXt-T",
    .family = "ConvNeXt",
    .year = 2022,
    .authors = "Z. Liu, H. Mao, C.-Y. Wu, C. Feichtenhofer, T. Darrell, S. Xie",
    .paper = "A ConvNet for the 2020s",
    .venue = "CVPR 2022 (arXiv:2201.03545)",
    .ilsvrc = NULL,
    .top5_error = -1,
    .top5_source = "the paper reports top-1 only: 82.1% ImageNet-1K accuracy for ConvNeXt-T "
                   "trained on ImageNet-1K at 224x224 (Table 1)",
    .val_top1 = 82.520, .val_top5 = 96.146,
    .val_source = "torchvision ConvNeXt_Tiny_Weights.IMAGENET1K_V1: top-1 82.520%, top-5 96.146% "
                  "(ImageNet-1K val, single model, one 224x224 centre crop of the image resized "
                  "to 236, bilinear)",
    .key_ideas = "A ResNet-50 modernised one Transformer-inspired step at a time: a 4x4 "
                 "patchify stem, stages of 3:3:9:3 blocks, 7x7 depthwise convs, inverted "
                 "bottlenecks, few activations (GELU) and normalisations (LayerNorm), "
                 "separate downsampling layers, and a learned layer scale on each branch.",
    .notes = "torchvision's convnext_tiny (channels 96, 192, 384, 768; depths 3, 3, 9, 3): "
             "LayerNorm over channels with eps 1e-6 in the stem, every block, every "
             "downsampling and the head (after the global average pool), the blocks' Linears "
             "as 1x1 convs, layer scale initialised to 1e-6, stochastic depth (identity at "
             "inference) left out: 28,589,128 parameters. Preprocessing as its weights: "
             "shorter side to 236, centre crop 224.",
    .in_c = 3, .in_h = 224, .in_w = 224,
    .pre = NET_PRE_CONVNEXT_T,
    .build = build_convnext_tiny,
};
