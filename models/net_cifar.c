/*
 * net_cifar.c — the CIFAR-10 networks of the ResNet paper (He, Zhang, Ren,
 * Sun 2015, sec. 4.2): 32x32 inputs, 10 classes, 6n+2 layers: a 3x3
 * convolution to 16 maps, three stages of n blocks of two 3x3 convolutions
 * on 32x32, 16x16 and 8x8 maps with 16, 32 and 64 filters (the first
 * convolution of stages 2 and 3 strides by 2), global average pooling, a
 * 10-way FC. The plain nets are the same stacks without shortcuts: the
 * paper's experiment for "degradation" (Fig. 6: plain-56 trains worse than
 * plain-20; ResNet-56 better than ResNet-20).
 *
 * Shortcuts are the paper's option A, parameter-free (sec. 3.3 and 4.2):
 * the identity, and where the shape changes, the input subsampled by 2 with
 * zero channels appended, as in fb.resnet.torch's models/resnet.lua
 * (shortcutType 'A': a 1x1 average pool of stride 2, then the input's
 * channels followed by as many zeros). So a plain net and its residual twin
 * have exactly the same parameters. Names follow torchvision's ResNet
 * (conv1, bn1, layer1.0.conv1 ... layer3.N.bn2, avgpool, fc); the shortcut's
 * nodes are layerS.0.shortcut.subsample and layerS.0.shortcut.pad.
 */
#include "net_common.h"

#include <stdio.h>

typedef struct {
    int n;         /* blocks per stage: depth 6n + 2 */
    int shortcuts; /* 0 = plain net */
    float p_last;  /* > 0: stochastic depth, survival falling linearly to p_last */
    int width;     /* filters of the first stage (the paper: 16), doubled at each stage */
} CifarCfg;

/* Option A: x itself, or x[:, :, ::2, ::2] followed by (cout - cin) zero channels. */
static int shortcut_a(EngGraph *g, const char *n, int x, int cout, int stride) {
    const int cin = net_channels(g, x);
    if (cin < 0 || (stride == 1 && cin == cout)) return x;
    x = eng_avgpool_k(g, net_name(n, ".shortcut.subsample"), x, 1, stride, 0); /* (cin,H/2,W/2) */
    const EngPadParams zeros = {.value = 0.0f, .cb = 0, .ca = cout - cin};
    return eng_pad_chw(g, net_name(n, ".shortcut.pad"), x, &zeros); /* (cout,H/2,W/2) */
}

/* The basic block: relu(BN(conv(relu(BN(conv(x))))) + shortcut(x)), or
 * without the shortcut in a plain net. The output (after the ReLU) is
 * node n ("layer2.0"). */
static int cifar_block(EngGraph *g, const char *n, int x, int planes, int stride,
                       const CifarCfg *c, float keep) {
    int f = net_conv_bn_act(g, net_name(n, ".conv1"), net_name(n, ".bn1"), net_name(n, ".relu1"),
                            x, planes, 3, stride, 1, 1, NET_ACT_RELU);
    f = net_conv_bn_act(g, net_name(n, ".conv2"), net_name(n, ".bn2"), NULL, f, planes, 3, 1, 1,
                        1, NET_ACT_NONE);
    if (keep < 1.0f) f = eng_drop_path(g, net_name(n, ".drop_path"), f, keep);
    if (c->shortcuts) f = eng_add2(g, net_name(n, ".add"), f, shortcut_a(g, n, x, planes, stride));
    return eng_relu(g, n, f);
}

static int build_cifar(EngGraph *g, int C, int H, int W, const CifarCfg *c) {
    int x = eng_input(g, "data", C, H, W);
    x = net_conv_bn_act(g, "conv1", "bn1", "relu", x, c->width, 3, 1, 1, 1, NET_ACT_RELU);
    char name[32];
    const int L = 3 * c->n;
    for (int stage = 0; stage < 3; stage++)
        for (int b = 0; b < c->n; b++) {
            /* Huang et al. eq. 4: p_l = 1 - l / L * (1 - p_L), l = 1 .. L */
            const int l = stage * c->n + b + 1;
            const float keep = c->p_last > 0 ? 1.0f - (float)l / (float)L * (1.0f - c->p_last)
                                             : 1.0f;
            snprintf(name, sizeof name, "layer%d.%d", stage + 1, b);
            x = cifar_block(g, name, x, c->width << stage, (b == 0 && stage > 0) ? 2 : 1, c, keep);
        }
    x = eng_gavgpool(g, "avgpool", x);
    return eng_fc(g, "fc", x, 10, 1);
}

#define CIFAR_BUILDER(id, n, shortcuts, p_last)                                            \
    static int build_##id(EngGraph *g, int C, int H, int W) {                              \
        static const CifarCfg cfg = {n, shortcuts, p_last, 16};                           \
        return build_cifar(g, C, H, W, &cfg);                                              \
    }
int model_cifar_build(EngGraph *g, int C, int H, int W, int n, int shortcuts, int width) {
    if (n < 1 || width < 1 || width > 4096) return -1;
    const CifarCfg cfg = {n, shortcuts, 0, width};
    return build_cifar(g, C, H, W, &cfg);
}

CIFAR_BUILDER(plain20, 3, 0, 0)
CIFAR_BUILDER(plain56, 9, 0, 0)
CIFAR_BUILDER(resnet20, 3, 1, 0)
CIFAR_BUILDER(resnet56, 9, 1, 0)
CIFAR_BUILDER(resnet110, 18, 1, 0)
CIFAR_BUILDER(resnet110_sd, 18, 1, 0.5f)

#define CIFAR_PAPER "Deep Residual Learning for Image Recognition"
#define CIFAR_AUTHORS "K. He, X. Zhang, S. Ren, J. Sun"
#define CIFAR_VENUE "CVPR 2016 (arXiv:1512.03385, 2015)"
#define CIFAR_NOTES                                                                        \
    "He et al., sec. 4.2: 6n+2 layers, 16-32-64 filters on 32x32-16x16-8x8 maps, option-A " \
    "shortcuts (zero channels appended after a stride-2 subsample, as fb.resnet.torch's "   \
    "shortcut type A), BN after every convolution; parameters count BN scale and shift."
#define PLAIN_IDEAS                                                                        \
    "The control experiment for residual learning: the same stack with no shortcuts. "     \
    "Deeper is worse here: plain-56 has higher training and test error than plain-20 "     \
    "(Fig. 6), the degradation problem that is not overfitting."
#define RES_CIFAR_IDEAS                                                                    \
    "Residual learning on CIFAR-10: with identity shortcuts the same stacks get better "   \
    "as they get deeper (20 to 110 layers), and the shortcuts add no parameters at all "   \
    "(zero-padded where the width doubles)."

#define CIFAR_CARD(id, disp, ideas, src)                                                   \
    const ModelCard model_card_##id = {                                                    \
        .name = #id, .display = disp, .family = "ResNet", .year = 2015,                     \
        .authors = CIFAR_AUTHORS, .paper = CIFAR_PAPER, .venue = CIFAR_VENUE,              \
        .ilsvrc = NULL, .top5_error = -1, .top5_source = src, .key_ideas = ideas,          \
        .notes = CIFAR_NOTES, .in_c = 3, .in_h = 32, .in_w = 32, .pre = NET_PRE_CIFAR,      \
        .build = build_##id}

CIFAR_CARD(plain20, "Plain-20 (CIFAR)", PLAIN_IDEAS,
           "CIFAR-10, no top-5: the paper gives plain nets' errors only as curves (Fig. 6, left)");
CIFAR_CARD(plain56, "Plain-56 (CIFAR)", PLAIN_IDEAS,
           "CIFAR-10, no top-5: the paper gives plain nets' errors only as curves (Fig. 6, left)");
CIFAR_CARD(resnet20, "ResNet-20 (CIFAR)", RES_CIFAR_IDEAS,
           "CIFAR-10, no top-5: He et al., Table 6: 8.75% test error, 0.27M parameters");
CIFAR_CARD(resnet56, "ResNet-56 (CIFAR)", RES_CIFAR_IDEAS,
           "CIFAR-10, no top-5: He et al., Table 6: 6.97% test error, 0.85M parameters");
CIFAR_CARD(resnet110, "ResNet-110 (CIFAR)", RES_CIFAR_IDEAS,
           "CIFAR-10, no top-5: He et al., Table 6: 6.43% test error (best of 5 runs; mean "
           "6.61 +- 0.16), 1.7M parameters");

/* Stochastic depth (Huang, Sun, Liu, Sedra, Weinberger 2016): ResNet-110 with
 * every residual branch dropped per sample in training, survival falling
 * linearly from p_1 = 1 - 0.5/54 to p_L = 0.5 at the 54th block. The
 * expected number of blocks in training is sum p_l = 54 - 0.5 * 55 / 2 =
 * 40.25 (test_models adds up the graph's own p_l and compares). */
const ModelCard model_card_resnet110_sd = {
    .name = "resnet110_sd",
    .display = "ResNet-110 SD (CIFAR)",
    .family = "ResNet",
    .year = 2016,
    .authors = "G. Huang, Y. Sun, Z. Liu, D. Sedra, K. Q. Weinberger",
    .paper = "Deep Networks with Stochastic Depth",
    .venue = "ECCV 2016 (arXiv:1603.09382)",
    .ilsvrc = NULL,
    .top5_error = -1,
    .top5_source = "CIFAR-10, no top-5: Huang et al., Table 1: 5.25% test error with stochastic "
                   "depth against 6.41% for the same ResNet-110 trained with constant depth "
                   "(CIFAR-10 with the standard shifts and flips)",
    .key_ideas = "Train short, test deep: drop whole residual blocks at random in each "
                 "mini-batch (deeper blocks more often), so the network trained is on "
                 "average a quarter shallower, gradients reach the early layers, and the "
                 "full-depth network at test time acts as an ensemble of depths.",
    .notes = "ResNet-110 (He et al. sec. 4.2, option-A shortcuts; 1,727,962 parameters, the "
             "drop adds none) with a drop-path node on each of the 54 residual branches: "
             "survival p_l = 1 - l/54 x 0.5 (the paper's linear decay to p_L = 0.5); in "
             "training each sample's branch is kept with probability p_l, at inference it is "
             "scaled by p_l. Expected depth in training: sum p_l = 40.25 of 54 residual "
             "blocks (82.5 of 110 weighted layers).",
    .in_c = 3, .in_h = 32, .in_w = 32,
    .pre = NET_PRE_CIFAR,
    .build = build_resnet110_sd,
};
