/*
 * net_vgg.c — VGG (Simonyan & Zisserman 2014): configurations A (11), B (13),
 * D (16), E (19) of the paper's Table 1, with and without batch norm, and C
 * (16, D with 1x1 third convolutions in groups 3-5).
 * 3x3 convolutions (stride 1, pad 1; C's 1x1 ones pad 0) and 2x2/2 max
 * pooling, in five groups conv1..conv5, then fc6 - fc7 - fc8.
 */
#include "net_common.h"

#include <stdio.h>

/* convs per group for each depth */
static const int vgg_groups[5][5] = {
    {1, 1, 2, 2, 2}, /* 11 */
    {2, 2, 2, 2, 2}, /* 13 */
    {2, 2, 3, 3, 3}, /* 16 */
    {2, 2, 4, 4, 4}, /* 19 */
    {2, 2, 3, 3, 3}, /* 16, configuration C */
};
enum { VGG_C = 4 };
static const int vgg_width[5] = {64, 128, 256, 512, 512};

static int build_vgg(EngGraph *g, int C, int H, int W, int cfg, int bn) {
    int x = eng_input(g, "data", C, H, W);
    char name[32], act[32], norm[32];
    for (int grp = 0; grp < 5; grp++) {
        for (int i = 0; i < vgg_groups[cfg][grp]; i++) {
            snprintf(name, sizeof name, "conv%d_%d", grp + 1, i + 1);
            snprintf(act, sizeof act, "relu%d_%d", grp + 1, i + 1);
            snprintf(norm, sizeof norm, "bn%d_%d", grp + 1, i + 1);
            /* torchvision's _bn variants keep the conv bias before the norm */
            /* C: "conv1" layers, a linear map of the channels, end groups 3-5 (Table 1) */
            const int k = cfg == VGG_C && i == 2 ? 1 : 3;
            x = eng_conv_k(g, name, x, vgg_width[grp], k, 1, k / 2, 1, 1);
            if (bn) x = eng_bn(g, norm, x, 1e-5f);
            x = eng_relu(g, act, x);
        }
        snprintf(name, sizeof name, "pool%d", grp + 1);
        x = eng_maxpool_k(g, name, x, 2, 2, 0);
    }
    return net_fc678(g, x);
}

static int build_vgg11(EngGraph *g, int C, int H, int W) { return build_vgg(g, C, H, W, 0, 0); }
static int build_vgg13(EngGraph *g, int C, int H, int W) { return build_vgg(g, C, H, W, 1, 0); }
static int build_vgg16(EngGraph *g, int C, int H, int W) { return build_vgg(g, C, H, W, 2, 0); }
static int build_vgg19(EngGraph *g, int C, int H, int W) { return build_vgg(g, C, H, W, 3, 0); }
static int build_vgg16_c(EngGraph *g, int C, int H, int W) { return build_vgg(g, C, H, W, VGG_C, 0); }
static int build_vgg11_bn(EngGraph *g, int C, int H, int W) { return build_vgg(g, C, H, W, 0, 1); }
static int build_vgg13_bn(EngGraph *g, int C, int H, int W) { return build_vgg(g, C, H, W, 1, 1); }
static int build_vgg16_bn(EngGraph *g, int C, int H, int W) { return build_vgg(g, C, H, W, 2, 1); }
static int build_vgg19_bn(EngGraph *g, int C, int H, int W) { return build_vgg(g, C, H, W, 3, 1); }

#define VGG_PAPER "Very Deep Convolutional Networks for Large-Scale Image Recognition"
#define VGG_AUTHORS "K. Simonyan, A. Zisserman"
#define VGG_VENUE "ICLR 2015 (arXiv:1409.1556, 2014)"
#define VGG_IDEAS                                                                          \
    "Depth from small filters: only 3x3 convolutions; two stacked 3x3 see what one 5x5 "   \
    "sees and three see a 7x7, with fewer parameters and more non-linearities."
#define VGG_ILSVRC "ILSVRC-2014: 2nd in classification, 1st in localisation"
#define VGG_SOURCE                                                                          \
    "Simonyan & Zisserman, Table 7: 7.3% top-5 test error for the ILSVRC submission "      \
    "(ensemble of 7 networks), 6.8% after the challenge with D and E combined"
#define VGG_PRE NET_PRE_TORCHVISION

#define VGG_CARD(id, disp, depth, err, src, tv, a1, a5, extra)                             \
    const ModelCard model_card_##id = {                                                    \
        .name = #id, .display = disp, .family = "VGG", .year = 2014,                        \
        .authors = VGG_AUTHORS, .paper = VGG_PAPER, .venue = VGG_VENUE,                    \
        .ilsvrc = VGG_ILSVRC, .top5_error = err, .top5_source = src,                        \
        NET_TV_ACC(tv, a1, a5),                                                            \
        .key_ideas = VGG_IDEAS,                                                            \
        .notes = "Configuration " depth " of the paper's Table 1, torchvision's layout. " extra, \
        .in_c = 3, .in_h = 224, .in_w = 224, .pre = VGG_PRE, .build = build_##id}

VGG_CARD(vgg11, "VGG-11", "A (11 weight layers)", -1, "not submitted on its own",
         "VGG11_Weights.IMAGENET1K_V1", 69.020, 88.628, "");
VGG_CARD(vgg13, "VGG-13", "B (13 weight layers)", -1, "not submitted on its own",
         "VGG13_Weights.IMAGENET1K_V1", 69.928, 89.246, "");
VGG_CARD(vgg16, "VGG-16", "D (16 weight layers)", 7.3, VGG_SOURCE,
         "VGG16_Weights.IMAGENET1K_V1", 71.592, 90.382,
         "138,357,544 parameters, 90% of them in fc6-fc8. The ~93 or ~96 MB per image some "
         "notes quote comes from a course's figure \"24M activations x 4 bytes\", but the "
         "layers its table lists (input, conv, pool, FC outputs) sum to 15,237,608 values: "
         "60,950,432 bytes (61 MB) per image, forward only. Counting every node's output, "
         "each in-place ReLU's too, gives 28,801,512 values, 115,206,048 bytes (convscope "
         "summary gives both).");
VGG_CARD(vgg19, "VGG-19", "E (19 weight layers)", 7.3, VGG_SOURCE,
         "VGG19_Weights.IMAGENET1K_V1", 72.376, 90.876,
         "143,667,240 parameters: a note's \"110M\" for VGG-19 is wrong.");
VGG_CARD(vgg11_bn, "VGG-11 + BN", "A with batch norm after every conv (torchvision)", -1,
         "batch norm came after the paper (Ioffe & Szegedy 2015)",
         "VGG11_BN_Weights.IMAGENET1K_V1", 70.370, 89.810, "");
VGG_CARD(vgg13_bn, "VGG-13 + BN", "B with batch norm after every conv (torchvision)", -1,
         "batch norm came after the paper (Ioffe & Szegedy 2015)",
         "VGG13_BN_Weights.IMAGENET1K_V1", 71.586, 90.374, "");
VGG_CARD(vgg16_bn, "VGG-16 + BN", "D with batch norm after every conv (torchvision)", -1,
         "batch norm came after the paper (Ioffe & Szegedy 2015)",
         "VGG16_BN_Weights.IMAGENET1K_V1", 73.360, 91.516, "");
VGG_CARD(vgg19_bn, "VGG-19 + BN", "E with batch norm after every conv (torchvision)", -1,
         "batch norm came after the paper (Ioffe & Szegedy 2015)",
         "VGG19_BN_Weights.IMAGENET1K_V1", 74.218, 91.842, "");

/* No torchvision weights and no single-crop figure: the paper evaluates densely (sec. 3.2) */
const ModelCard model_card_vgg16_c = {
    .name = "vgg16_c",
    .display = "VGG-16 (config C)",
    .family = "VGG",
    .year = 2014,
    .authors = VGG_AUTHORS,
    .paper = VGG_PAPER,
    .venue = VGG_VENUE,
    .ilsvrc = VGG_ILSVRC " (configuration C was not in the submission's ensemble)",
    .top5_error = -1,
    .top5_source = "not submitted on its own",
    .val_source = "none single-crop: Table 3's single-scale figures for C (28.1% top-1, 9.4% "
                  "top-5 val error, trained and tested with the smaller side 256) score the whole "
                  "image densely, averaged with its mirror (sec. 3.2), and torchvision ships no C",
    .key_ideas = "Configuration C: D's depth with the third convolution of groups 3, 4, 5 a 1x1, "
                 "an extra non-linearity without a larger field; D beats it, so the 3x3 "
                 "field matters, not only depth.",
    .notes = "Configuration C (16 weight layers) of the paper's Table 1: as D (vgg16) but conv3_3, "
             "conv4_3 and conv5_3 are 1x1 (\"conv1-256\", \"conv1-512\"). 133,638,952 "
             "parameters, 4,718,592 fewer than D. Table 3 (one network, single test scale Q, "
             "dense evaluation, val set): top-1/top-5 error 28.1/9.4 at S = Q = 256, 28.1/9.3 at "
             "S = Q = 384, 27.3/8.8 with S jittered in [256, 512] and Q = 384; better than B "
             "(28.7/9.9 at 256), the same depth with 3x3 layers (D) better still (27.0/8.8).",
    .in_c = 3, .in_h = 224, .in_w = 224,
    .pre = VGG_PRE,
    .build = build_vgg16_c,
};
