/*
 * net_squeezenet.c — SqueezeNet 1.0 (Iandola et al. 2016) and 1.1 (the
 * authors' cheaper revision), in torchvision's layout.
 */
#include "net_common.h"

#include <stdio.h>

/* Fire module: a 1x1 "squeeze" to few channels, then parallel 1x1 and 3x3
 * "expand" convs concatenated. Most filters are 1x1 (9x fewer parameters) and
 * the 3x3s see few input channels. */
static int fire(EngGraph *g, int i, int x, int squeeze, int expand) {
    char n[16];
    snprintf(n, sizeof n, "fire%d", i);
    int s = eng_conv_k(g, net_name(n, ".squeeze"), x, squeeze, 1, 1, 0, 1, 1);
    s = eng_relu(g, net_name(n, ".squeeze_activation"), s);
    int e1 = eng_conv_k(g, net_name(n, ".expand1x1"), s, expand, 1, 1, 0, 1, 1);
    e1 = eng_relu(g, net_name(n, ".expand1x1_activation"), e1);
    int e3 = eng_conv_k(g, net_name(n, ".expand3x3"), s, expand, 3, 1, 1, 1, 1);
    e3 = eng_relu(g, net_name(n, ".expand3x3_activation"), e3);
    int es[2] = {e1, e3};
    return eng_concat(g, n, es, 2);
}

/* No FC layer: a 1x1 conv to 1000 class maps and a global average pool. */
static int squeeze_head(EngGraph *g, int x) {
    x = eng_dropout(g, "drop9", x, 0.5f);
    x = eng_conv_k(g, "conv10", x, 1000, 1, 1, 0, 1, 1);
    x = eng_relu(g, "relu10", x);
    return eng_gavgpool(g, "pool10", x);
}

static int build_squeezenet1_0(EngGraph *g, int C, int H, int W) {
    int x = eng_input(g, "data", C, H, W);
    x = eng_conv_k(g, "conv1", x, 96, 7, 2, 0, 1, 1);
    x = eng_relu(g, "relu1", x);
    x = net_maxpool(g, "pool1", x, 3, 2, 0, 1);
    x = fire(g, 2, x, 16, 64);
    x = fire(g, 3, x, 16, 64);
    x = fire(g, 4, x, 32, 128);
    x = net_maxpool(g, "pool4", x, 3, 2, 0, 1);
    x = fire(g, 5, x, 32, 128);
    x = fire(g, 6, x, 48, 192);
    x = fire(g, 7, x, 48, 192);
    x = fire(g, 8, x, 64, 256);
    x = net_maxpool(g, "pool8", x, 3, 2, 0, 1);
    x = fire(g, 9, x, 64, 256);
    return squeeze_head(g, x);
}

static int build_squeezenet1_1(EngGraph *g, int C, int H, int W) {
    int x = eng_input(g, "data", C, H, W);
    x = eng_conv_k(g, "conv1", x, 64, 3, 2, 0, 1, 1);
    x = eng_relu(g, "relu1", x);
    x = net_maxpool(g, "pool1", x, 3, 2, 0, 1);
    x = fire(g, 2, x, 16, 64);
    x = fire(g, 3, x, 16, 64);
    x = net_maxpool(g, "pool3", x, 3, 2, 0, 1);
    x = fire(g, 4, x, 32, 128);
    x = fire(g, 5, x, 32, 128);
    x = net_maxpool(g, "pool5", x, 3, 2, 0, 1);
    x = fire(g, 6, x, 48, 192);
    x = fire(g, 7, x, 48, 192);
    x = fire(g, 8, x, 64, 256);
    x = fire(g, 9, x, 64, 256);
    return squeeze_head(g, x);
}

#define SQ_PAPER "SqueezeNet: AlexNet-level accuracy with 50x fewer parameters and <0.5MB model size"
#define SQ_AUTHORS "F. N. Iandola, S. Han, M. W. Moskewicz, K. Ashraf, W. J. Dally, K. Keutzer"
#define SQ_IDEAS                                                                            \
    "Fire modules (1x1 squeeze, then 1x1 and 3x3 expand), late downsampling, and no FC "   \
    "layer: AlexNet's accuracy with 50x fewer parameters."

const ModelCard model_card_squeezenet1_0 = {
    .name = "squeezenet1_0",
    .display = "SqueezeNet 1.0",
    .family = "SqueezeNet",
    .year = 2016,
    .authors = SQ_AUTHORS,
    .paper = SQ_PAPER,
    .venue = "arXiv:1602.07360, 2016",
    .ilsvrc = NULL,
    .top5_error = 19.7,
    .top5_source = "Iandola et al., Table 2: 80.3% top-5 ImageNet accuracy, as AlexNet's",
    NET_TV_ACC("SqueezeNet1_0_Weights.IMAGENET1K_V1", 58.092, 80.420),
    .key_ideas = SQ_IDEAS,
    .notes = "torchvision's squeezenet1_0 (round-up max pools): 1,248,424 parameters.",
    .in_c = 3, .in_h = 224, .in_w = 224,
    .pre = NET_PRE_TORCHVISION,
    .build = build_squeezenet1_0,
};

const ModelCard model_card_squeezenet1_1 = {
    .name = "squeezenet1_1",
    .display = "SqueezeNet 1.1",
    .family = "SqueezeNet",
    .year = 2016,
    .authors = SQ_AUTHORS,
    .paper = SQ_PAPER,
    .venue = "SqueezeNet v1.1 release (github.com/forresti/SqueezeNet), 2016",
    .ilsvrc = NULL,
    .top5_error = -1,
    .top5_source = "no paper figure: the v1.1 release claims 2.4x less computation than 1.0 "
                   "with the same accuracy",
    NET_TV_ACC("SqueezeNet1_1_Weights.IMAGENET1K_V1", 58.178, 80.624),
    .key_ideas = SQ_IDEAS,
    .notes = "torchvision's squeezenet1_1: 64 3x3/2 first filters and earlier pooling: "
             "1,235,496 parameters.",
    .in_c = 3, .in_h = 224, .in_w = 224,
    .pre = NET_PRE_TORCHVISION,
    .build = build_squeezenet1_1,
};
