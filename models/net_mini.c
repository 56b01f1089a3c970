/*
 * net_mini.c — small networks for 28x28 grey images (Fashion-MNIST), one per
 * family of the history, each keeping its ancestor's idea at a size this
 * project trains on two CPU cores: a large strided first kernel with LRN and
 * overlapping pooling (AlexNet), the same with a small unstrided one (ZFNet's
 * fix), stacks of 3x3 (VGG), inception modules with 1x1 reductions
 * (GoogLeNet), residual blocks with batch norm (ResNet), dense blocks with
 * transitions (DenseNet), depthwise separable convolutions (MobileNet),
 * pre-activation units (pre-act ResNet), channel gates on residual branches
 * (SENet), MBConv blocks with SE and SiLU (EfficientNet), ConvNeXt blocks
 * (ConvNeXt).
 * Their shipped weights are made by `convscope train` (command in each card).
 */
#include "net_common.h"

#include <stdio.h>

/* ---- AlexNet / ZFNet ----------------------------------------------------------------- */

static int alex_like(EngGraph *g, int C, int H, int W, int k1, int s1, int p1) {
    int x = eng_input(g, "data", C, H, W);
    x = net_conv_relu(g, "conv1", x, 32, k1, s1, p1, 1);
    x = eng_lrn(g, "norm1", x, 5, 1e-4f, 0.75f, 2.0f);
    x = net_maxpool(g, "pool1", x, 3, 2, 1, 0); /* overlapping: 3x3 windows, stride 2 */
    x = net_conv_relu(g, "conv2", x, 64, 3, s1 == 1 ? 2 : 1, 1, 1);
    x = eng_lrn(g, "norm2", x, 5, 1e-4f, 0.75f, 2.0f);
    x = net_maxpool(g, "pool2", x, 3, 2, 1, 0);
    x = net_conv_relu(g, "conv3", x, 96, 3, 1, 1, 1);
    x = net_conv_relu(g, "conv4", x, 96, 3, 1, 1, 1);
    x = net_conv_relu(g, "conv5", x, 64, 3, 1, 1, 1);
    x = net_maxpool(g, "pool5", x, 3, 2, 1, 0);
    x = eng_fc(g, "fc6", x, 256, 1);
    x = eng_relu(g, "relu6", x);
    x = eng_dropout(g, "drop6", x, 0.5f);
    x = eng_fc(g, "fc7", x, 256, 1);
    x = eng_relu(g, "relu7", x);
    x = eng_dropout(g, "drop7", x, 0.5f);
    return eng_fc(g, "fc8", x, 10, 1);
}

/* 28 -> conv 5x5/2 -> 14 -> pool -> 7 -> conv2 -> 7 -> pool -> 4 -> conv3-5 -> pool -> 2 */
static int build_alexnet_mini(EngGraph *g, int C, int H, int W) {
    return alex_like(g, C, H, W, 5, 2, 2);
}
/* 28 -> conv 3x3/1 -> 28 -> pool -> 14 -> conv2 /2 -> 7 -> pool -> 4 -> ... -> 2 */
static int build_zfnet_mini(EngGraph *g, int C, int H, int W) {
    return alex_like(g, C, H, W, 3, 1, 1);
}

/* ---- VGG ------------------------------------------------------------------------------- */

static int build_vgg_mini(EngGraph *g, int C, int H, int W) {
    static const int width[3] = {32, 64, 128};
    int x = eng_input(g, "data", C, H, W);
    char n[32], r[32];
    for (int grp = 0; grp < 3; grp++) {
        for (int i = 0; i < 2; i++) {
            snprintf(n, sizeof n, "conv%d_%d", grp + 1, i + 1);
            snprintf(r, sizeof r, "relu%d_%d", grp + 1, i + 1);
            x = eng_conv_k(g, n, x, width[grp], 3, 1, 1, 1, 1);
            x = eng_relu(g, r, x);
        }
        snprintf(n, sizeof n, "pool%d", grp + 1);
        x = eng_maxpool_k(g, n, x, 2, 2, 0);
    }
    x = eng_fc(g, "fc4", x, 256, 1);
    x = eng_relu(g, "relu4", x);
    x = eng_dropout(g, "drop4", x, 0.5f);
    return eng_fc(g, "fc5", x, 10, 1);
}

/* ---- Inception --------------------------------------------------------------------------- */

static int mini_inception(EngGraph *g, const char *n, int x, int c1, int r3, int c3, int r5, int c5,
                          int pp) {
    int b1 = net_conv_relu(g, net_name(n, ".1x1"), x, c1, 1, 1, 0, 1);
    int b2 = net_conv_relu(g, net_name(n, ".3x3_reduce"), x, r3, 1, 1, 0, 1);
    b2 = net_conv_relu(g, net_name(n, ".3x3"), b2, c3, 3, 1, 1, 1);
    int b3 = net_conv_relu(g, net_name(n, ".5x5_reduce"), x, r5, 1, 1, 0, 1);
    b3 = net_conv_relu(g, net_name(n, ".5x5"), b3, c5, 5, 1, 2, 1);
    int b4 = net_maxpool(g, net_name(n, ".pool"), x, 3, 1, 1, 0);
    b4 = net_conv_relu(g, net_name(n, ".pool_proj"), b4, pp, 1, 1, 0, 1);
    int bs[4] = {b1, b2, b3, b4};
    return eng_concat(g, n, bs, 4);
}

static int build_inception_mini(EngGraph *g, int C, int H, int W) {
    int x = eng_input(g, "data", C, H, W);
    x = net_conv_relu(g, "conv1", x, 32, 3, 1, 1, 1);
    x = net_maxpool(g, "pool1", x, 3, 2, 1, 0);                      /* 14 */
    x = mini_inception(g, "inception_3a", x, 16, 16, 24, 8, 8, 8);   /* 56 */
    x = mini_inception(g, "inception_3b", x, 24, 24, 32, 8, 16, 16); /* 88 */
    x = net_maxpool(g, "pool3", x, 3, 2, 1, 0);                      /* 7 */
    x = mini_inception(g, "inception_4a", x, 32, 32, 48, 8, 16, 16); /* 112 */
    x = mini_inception(g, "inception_4b", x, 40, 32, 56, 8, 16, 16); /* 128 */
    x = eng_gavgpool(g, "pool5", x);
    x = eng_dropout(g, "dropout", x, 0.3f);
    return eng_fc(g, "fc", x, 10, 1);
}

/* ---- ResNet -------------------------------------------------------------------------------- */

static int mini_block(EngGraph *g, const char *n, int x, int planes, int stride) {
    int cin = net_channels(g, x);
    if (cin < 0) return -1;
    int f = net_conv_bn_act(g, net_name(n, ".conv1"), net_name(n, ".bn1"), net_name(n, ".relu1"),
                            x, planes, 3, stride, 1, 1, NET_ACT_RELU);
    f = net_conv_bn_act(g, net_name(n, ".conv2"), net_name(n, ".bn2"), NULL, f, planes, 3, 1, 1, 1,
                        NET_ACT_NONE);
    int sc = x;
    if (stride != 1 || cin != planes)
        sc = net_conv_bn_act(g, net_name(n, ".downsample.0"), net_name(n, ".downsample.1"), NULL,
                             x, planes, 1, stride, 0, 1, NET_ACT_NONE);
    return eng_relu(g, n, eng_add2(g, net_name(n, ".add"), f, sc));
}

static int build_resnet_mini(EngGraph *g, int C, int H, int W) {
    int x = eng_input(g, "data", C, H, W);
    x = net_conv_bn_act(g, "conv1", "bn1", "relu", x, 16, 3, 1, 1, 1, NET_ACT_RELU);
    char n[32];
    for (int stage = 0; stage < 3; stage++)
        for (int b = 0; b < 2; b++) {
            snprintf(n, sizeof n, "layer%d.%d", stage + 1, b);
            x = mini_block(g, n, x, 16 << stage, (b == 0 && stage > 0) ? 2 : 1);
        }
    x = eng_gavgpool(g, "avgpool", x);
    return eng_fc(g, "fc", x, 10, 1);
}

/* ---- DenseNet ------------------------------------------------------------------------------- */

static int build_densenet_mini(EngGraph *g, int C, int H, int W) {
    const int growth = 12, layers = 4;
    int x = eng_input(g, "data", C, H, W);
    x = eng_conv_k(g, "conv0", x, 24, 3, 1, 1, 1, 0);
    x = net_maxpool(g, "pool0", x, 2, 2, 0, 0); /* 14x14: the blocks run at 14, 7, 3 */
    for (int b = 1; b <= 3; b++) {
        x = net_dense_block(g, b, x, layers, growth);
        if (b < 3) x = net_dense_transition(g, b, x);
    }
    x = eng_bn(g, "norm5", x, 1e-5f);
    x = eng_relu(g, "relu5", x);
    x = eng_gavgpool(g, "avgpool", x);
    return eng_fc(g, "classifier", x, 10, 1);
}

/* ---- MobileNet ------------------------------------------------------------------------------ */

static int build_mobilenet_mini(EngGraph *g, int C, int H, int W) {
    static const int cfg[6][2] = {{32, 1}, {64, 2}, {64, 1}, {128, 2}, {128, 1}, {128, 1}};
    int x = eng_input(g, "data", C, H, W);
    x = net_conv_bn_act(g, "conv0", "conv0.bn", "conv0.relu", x, 16, 3, 1, 1, 1, NET_ACT_RELU);
    x = net_separable_stack(g, x, cfg, 6);
    x = eng_gavgpool(g, "avgpool", x);
    return eng_fc(g, "fc", x, 10, 1);
}

/* ---- Pre-activation ResNet ------------------------------------------------------------ */

/* resnet_mini's layout with He et al.'s pre-activation units (net_preact.c):
 * a 3x3 conv to 16 maps without BN or ReLU of its own, then in each unit
 * BN-ReLU-conv-BN-ReLU-conv and a bare add, a final BN-ReLU before pooling,
 * as the paper's CIFAR networks (resnet-pre-act.lua). */
static int build_preact_mini(EngGraph *g, int C, int H, int W) {
    static const int blocks[3] = {2, 2, 2};
    int x = eng_input(g, "data", C, H, W);
    x = eng_conv_k(g, "conv1", x, 16, 3, 1, 1, 1, 0);
    return net_preact_basic_body(g, x, 3, blocks, 16, 10);
}

/* ---- SENet ---------------------------------------------------------------------------------- */

/* resnet_mini's block with a squeeze-excitation gate on the residual branch,
 * after bn2 and before the sum, where Hu et al. (Fig. 3) put it. The gate
 * squeezes to C/4: the paper's r = 16 would leave one unit at 16 channels. */
static int se_block(EngGraph *g, const char *n, int x, int planes, int stride) {
    int cin = net_channels(g, x);
    if (cin < 0) return -1;
    int f = net_conv_bn_act(g, net_name(n, ".conv1"), net_name(n, ".bn1"), net_name(n, ".relu1"),
                            x, planes, 3, stride, 1, 1, NET_ACT_RELU);
    f = net_conv_bn_act(g, net_name(n, ".conv2"), net_name(n, ".bn2"), NULL, f, planes, 3, 1, 1, 1,
                        NET_ACT_NONE);
    f = net_se_gate(g, net_name(n, ".se"), f, planes / 4, NET_ACT_RELU, NET_GATE_SIGMOID);
    int sc = x;
    if (stride != 1 || cin != planes)
        sc = net_conv_bn_act(g, net_name(n, ".downsample.0"), net_name(n, ".downsample.1"), NULL,
                             x, planes, 1, stride, 0, 1, NET_ACT_NONE);
    return eng_relu(g, n, eng_add2(g, net_name(n, ".add"), f, sc));
}

static int build_se_mini(EngGraph *g, int C, int H, int W) {
    int x = eng_input(g, "data", C, H, W);
    x = net_conv_bn_act(g, "conv1", "bn1", "relu", x, 16, 3, 1, 1, 1, NET_ACT_RELU);
    char n[32];
    for (int stage = 0; stage < 3; stage++)
        for (int b = 0; b < 2; b++) {
            snprintf(n, sizeof n, "layer%d.%d", stage + 1, b);
            x = se_block(g, n, x, 16 << stage, (b == 0 && stage > 0) ? 2 : 1);
        }
    x = eng_gavgpool(g, "avgpool", x);
    return eng_fc(g, "fc", x, 10, 1);
}

/* ---- EfficientNet ------------------------------------------------------------------------ */

/* EfficientNet-B0's first stages (net_efficientnet.c) at 28x28: a 3x3 stem
 * without stride (B0's stride 2 would start at 14x14), MBConv1 k3 to 16,
 * MBConv6 k3 to 24 (two blocks, to 14x14), MBConv6 k5 to 40 (two, to 7x7),
 * MBConv6 k3 to 80 (two, to 4x4), a 1x1 head to 320, average pooling,
 * dropout 0.2 and the classifier; SiLU and SE gates throughout as in B0. */
static int build_efficientnet_mini(EngGraph *g, int C, int H, int W) {
    static const int st[4][5] = {/* expand, k, stride, out, repeats */
                                 {1, 3, 1, 16, 1}, {6, 3, 2, 24, 2}, {6, 5, 2, 40, 2},
                                 {6, 3, 2, 80, 2}};
    int x = eng_input(g, "data", C, H, W);
    x = net_conv_bn_act_eps(g, "features.0", x, 16, 3, 1, 1, 1e-5f, NET_ACT_SILU);
    char name[32];
    for (int s = 0; s < 4; s++)
        for (int r = 0; r < st[s][4]; r++) {
            snprintf(name, sizeof name, "features.%d.%d", s + 1, r);
            x = net_mbconv(g, name, x, st[s][0], st[s][1], r == 0 ? st[s][2] : 1, st[s][3]);
        }
    x = net_conv_bn_act_eps(g, "features.5", x, 320, 1, 1, 1, 1e-5f, NET_ACT_SILU);
    x = eng_gavgpool(g, "avgpool", x);
    x = eng_dropout(g, "classifier.0", x, 0.2f);
    return eng_fc(g, "classifier.1", x, 10, 1);
}

/* ---- ConvNeXt ------------------------------------------------------------------------------- */

/* convnext_tiny's block (net_convnext.c) with a 5x5 depthwise kernel: the
 * 7x7 one spans an eighth of ConvNeXt-T's 56x56 first stage, but half of a
 * 14x14 map here and more than the 7x7 and 3x3 ones; 5x5 keeps it larger
 * than a 3x3 without reaching mostly into the padding. */
static int mini_cn_block(EngGraph *g, const char *name, int x) {
    const int C = net_channels(g, x);
    if (C < 0) return -1;
    char n[32];
    snprintf(n, sizeof n, "%s", name);
    int y = eng_conv_k(g, net_name(n, ".block.0"), x, C, 5, 1, 2, C, 1);
    y = eng_layernorm(g, net_name(n, ".block.2"), y, 1e-6f);
    y = eng_conv_k(g, net_name(n, ".block.3"), y, 4 * C, 1, 1, 0, 1, 1);
    y = eng_gelu(g, net_name(n, ".block.4"), y);
    y = eng_conv_k(g, net_name(n, ".block.5"), y, C, 1, 1, 0, 1, 1);
    y = eng_layer_scale(g, n, y);
    return eng_add2(g, net_name(n, ".residual"), x, y);
}

/* 28 -> patchify 2x2/2 -> 14 -> 2 blocks -> 7 -> 2 blocks -> 3 -> 2 blocks */
static int build_convnext_mini(EngGraph *g, int C, int H, int W) {
    static const int dims[3] = {32, 64, 96};
    int x = eng_input(g, "data", C, H, W);
    x = eng_conv_k(g, "features.0.0", x, dims[0], 2, 2, 0, 1, 1);
    x = eng_layernorm(g, "features.0.1", x, 1e-6f);
    char name[32];
    for (int s = 0; s < 3; s++) {
        for (int b = 0; b < 2; b++) {
            snprintf(name, sizeof name, "features.%d.%d", 2 * s + 1, b);
            x = mini_cn_block(g, name, x);
        }
        if (s == 2) break;
        snprintf(name, sizeof name, "features.%d", 2 * s + 2);
        x = eng_layernorm(g, net_name(name, ".0"), x, 1e-6f);
        x = eng_conv_k(g, net_name(name, ".1"), x, dims[s + 1], 2, 2, 0, 1, 1);
    }
    x = eng_gavgpool(g, "avgpool", x);
    x = eng_layernorm(g, "classifier.0", x, 1e-6f);
    x = eng_flatten(g, "classifier.1", x);
    return eng_fc(g, "classifier.2", x, 10, 1);
}

/* ---- cards ---------------------------------------------------------------------------------- */

#define MINI_PRE                                                                            \
    {.channels = 1, .resize = 28, .crop = 0, .bgr = 0, .scale = 1.0f / 255.0f,             \
     .mean = {0, 0, 0}, .std = {1, 1, 1}}
#define MINI_CMD(id, epochs)                                                                \
    "convscope train " #id " --data fashion --epochs " #epochs " --seed 1 --threads 1 "     \
    "--out assets/" #id "_fashion.safetensors (Adam lr 1e-3, cosine schedule, batch 64, weight "   \
    "decay 5e-4: the defaults)"

/* shipped: 1 once assets/<id>_fashion.safetensors exists (made by the command in train_cmd). */
#define MINI_CARD(id, disp, fam, yr, auth, pap, ven, ideas, note, epochs, shipped)           \
    const ModelCard model_card_##id = {                                                     \
        .name = #id, .display = disp, .family = fam, .year = yr, .authors = auth,            \
        .paper = pap, .venue = ven, .ilsvrc = NULL, .top5_error = -1,                         \
        .top5_source = "a small model trained by convscope on Fashion-MNIST; see eval",      \
        .key_ideas = ideas, .notes = note, .in_c = 1, .in_h = 28, .in_w = 28,                 \
        .pre = MINI_PRE, .build = build_##id, .weights = (shipped) ? #id "_fashion.safetensors" : NULL, \
        .weights_data = "fashion", .train_cmd = MINI_CMD(id, epochs)}

MINI_CARD(alexnet_mini, "AlexNet mini", "AlexNet", 2012,
          "after A. Krizhevsky, I. Sutskever, G. E. Hinton",
          "ImageNet Classification with Deep Convolutional Neural Networks", "NIPS 2012",
          "AlexNet's recipe at 28x28: a large, strided first kernel (5x5/2), LRN, overlapping "
          "3x3/2 max pooling, five convolutions, two dropout FC layers.",
          "Widths 32-64-96-96-64, FC 256.", 10, 1);
MINI_CARD(zfnet_mini, "ZFNet mini", "ZFNet", 2013, "after M. D. Zeiler, R. Fergus",
          "Visualizing and Understanding Convolutional Networks", "ECCV 2014",
          "alexnet_mini with ZFNet's fix: a small, unstrided first kernel (3x3/1) keeps the first "
          "layer's filters sharp; the stride moves to conv2.",
          "Compare its conv1 filters with alexnet_mini's, as Zeiler and Fergus did (Fig. 6).", 10, 1);
MINI_CARD(vgg_mini, "VGG mini", "VGG", 2014, "after K. Simonyan, A. Zisserman",
          "Very Deep Convolutional Networks for Large-Scale Image Recognition", "ICLR 2015",
          "Only 3x3 convolutions in pairs (each pair sees 5x5) and 2x2 max pooling: three groups "
          "of two, widths 32-64-128.",
          "No batch norm, as in the paper. The most accurate of the small models on "
          "Fashion-MNIST (93.4% test accuracy after 10 epochs).", 10, 1);
MINI_CARD(inception_mini, "Inception mini", "Inception", 2014, "after C. Szegedy et al.",
          "Going Deeper with Convolutions", "CVPR 2015",
          "Four inception modules (1x1, 3x3 and 5x5 branches with 1x1 reductions, pooled "
          "projection) and global average pooling instead of FC layers.",
          "No auxiliary classifiers: the network is shallow enough to train without them. Narrow "
          "modules learn slowly: 10 epochs reached 89.9%, 20 reach 91.2%.", 20, 1);
MINI_CARD(resnet_mini, "ResNet mini", "ResNet", 2015, "after K. He, X. Zhang, S. Ren, J. Sun",
          "Deep Residual Learning for Image Recognition", "CVPR 2016",
          "Six basic residual blocks (Conv-BN-ReLU-Conv-BN + shortcut, ReLU) in three stages of "
          "16, 32, 64 channels, as the paper's CIFAR networks; 1x1 projections where the shape "
          "changes.",
          "The paper's ResNet-14 layout for small images.", 10, 1);
MINI_CARD(densenet_mini, "DenseNet mini", "DenseNet", 2016,
          "after G. Huang, Z. Liu, L. van der Maaten, K. Q. Weinberger",
          "Densely Connected Convolutional Networks", "CVPR 2017",
          "Three dense blocks of four BN-ReLU-1x1-BN-ReLU-3x3 layers (growth rate 12) whose "
          "inputs concatenate every earlier map, with halving transitions.",
          "DenseNet-BC at a small size, after a 3x3 stem and a 2x2 max pool.", 10, 1);
MINI_CARD(mobilenet_mini, "MobileNet mini", "MobileNet", 2017, "after A. G. Howard et al.",
          "MobileNets: Efficient Convolutional Neural Networks for Mobile Vision Applications",
          "arXiv:1704.04861",
          "A 3x3 stem, then six depthwise separable layers (3x3 depthwise + 1x1 pointwise, BN and "
          "ReLU after each).",
          "Compare its parameters and MACs with vgg_mini's at similar accuracy.", 10, 1);
MINI_CARD(se_mini, "SE mini", "SENet", 2017, "after J. Hu, L. Shen, G. Sun",
          "Squeeze-and-Excitation Networks", "CVPR 2018 (arXiv:1709.01507, 2017)",
          "resnet_mini with a squeeze-and-excitation gate on every residual branch: global "
          "average, 1x1 to C/4, ReLU, 1x1 back to C, sigmoid, and the branch's maps rescaled "
          "channel by channel.",
          "Stages of 16, 32, 64 channels, two basic blocks each, as resnet_mini; the gates "
          "squeeze to 4, 8, 16 units (reduction 4, not the paper's 16, which would leave one "
          "unit at 16 channels). Trained 3 epochs, as preact_mini, for the time two shared cores "
          "allowed: train reported 82.40%, 89.16%, 91.11% test accuracy after epochs 1-3 (a 2-epoch "
          "run of the same command stopped at 89.20%); eval with the shipped weights: se_mini "
          "91.11% on Fashion-MNIST.", 3, 1);
MINI_CARD(convnext_mini, "ConvNeXt mini", "ConvNeXt", 2022,
          "after Z. Liu, H. Mao, C.-Y. Wu, C. Feichtenhofer, T. Darrell, S. Xie",
          "A ConvNet for the 2020s", "CVPR 2022 (arXiv:2201.03545)",
          "ConvNeXt blocks at 28x28: a 2x2/2 patchify stem with LayerNorm, then blocks of "
          "depthwise 5x5, LayerNorm over channels, 1x1 to 4C, GELU, 1x1 back, layer scale and "
          "the identity shortcut; LayerNorm and a 2x2/2 conv between stages.",
          "Widths 32, 64, 96 at 14x14, 7x7, 3x3, two blocks each. The depthwise kernel is 5x5, "
          "not 7x7: ConvNeXt-T's 7x7 spans an eighth of its 56x56 first stage, here it would "
          "span half of the 14x14 map and more than the later ones, reaching mostly into "
          "padding; 5x5 stays larger than 3x3. The command is the other small models' recipe. A "
          "3-epoch run of it (seed 1, cosine over 3 epochs) reached 77.75%, 83.03%, 85.05% test "
          "accuracy after epochs 1-3, below the 90% asked of a shipped small model, so no weights "
          "ship: it opens with random weights.", 10, 0);
MINI_CARD(preact_mini, "Pre-act ResNet mini", "ResNet", 2016,
          "after K. He, X. Zhang, S. Ren, J. Sun", "Identity Mappings in Deep Residual Networks",
          "ECCV 2016 (arXiv:1603.05027)",
          "resnet_mini with pre-activation units: BN and ReLU before each convolution, nothing "
          "after the add, one BN-ReLU after the last unit, so every unit adds to a clean "
          "identity path.",
          "Stages of 16, 32, 64 channels, two basic units each, after a bare 3x3 conv to 16 "
          "maps; 1x1 projections on the shared pre-activation where the shape changes, as the "
          "paper's CIFAR code. Trained 3 epochs, not the others' 10, for the time two shared "
          "cores allowed: train reported 87.97%, 90.50%, 91.73% test accuracy after epochs 1-3; "
          "eval with the shipped weights: preact_mini 91.73% on Fashion-MNIST.", 3, 1);
MINI_CARD(efficientnet_mini, "EfficientNet mini", "EfficientNet", 2019, "after M. Tan, Q. V. Le",
          "EfficientNet: Rethinking Model Scaling for Convolutional Neural Networks",
          "ICML 2019 (arXiv:1905.11946)",
          "EfficientNet-B0's first stages at 28x28: MBConv blocks (1x1 expansion by 6, "
          "depthwise 3x3 or 5x5, squeeze-and-excitation, linear 1x1 projection, identity "
          "shortcut) with SiLU (swish) after every convolution but the projections.",
          "A 3x3 stem to 16 without stride, MBConv1 to 16, MBConv6 to 24 (k3), 40 (k5), 80 "
          "(k3) at 14x14, 7x7, 4x4, two blocks each, a 1x1 head to 320, dropout 0.2. Trained 3 "
          "epochs, as preact_mini, for the time two shared cores allowed: train reported 86.93%, "
          "89.40%, 90.86% test accuracy after epochs 1-3; eval with the shipped weights: "
          "efficientnet_mini 90.86% on Fashion-MNIST.", 3, 1);
