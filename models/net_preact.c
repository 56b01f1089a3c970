/*
 * net_preact.c — pre-activation ResNets (He, Zhang, Ren, Sun 2016, "Identity
 * Mappings in Deep Residual Networks"): each unit is BN-ReLU-conv-BN-ReLU-conv
 * (the activations moved before the convolutions) and nothing follows the
 * add, so x_{l+1} = x_l + F(x_l) holds exactly and the signal and its
 * gradient pass from any unit to any other unchanged; one BN-ReLU after the
 * last unit, before pooling.
 *
 * preact_resnet18 is ResNet-18's ImageNet layout in fb.resnet.torch's
 * models/preresnet.lua (the public Torch code of these models); the
 * CIFAR-10 preact_resnet164 follows the authors' resnet-pre-act.lua
 * (KaimingHe/resnet-1k-layers). Both: where the shape changes, one BN-ReLU is
 * shared by the branch and a 1x1 projection shortcut (no BN on it); elsewhere
 * the shortcut is the untouched input. Names: layerS.B.bn1/relu1 (the
 * unit's pre-activation), conv1, bn2, relu2, conv2 (bn3, relu3, conv3),
 * shortcut; the unit's output, the add, is node layerS.B.
 */
#include "net_common.h"

#include <stdio.h>

typedef struct {
    int bottleneck; /* 1x1-3x3-1x1 to 4 x planes instead of 3x3-3x3 */
    int stride_1x1; /* a bottleneck strides in its first 1x1 (resnet-pre-act.lua) */
} PreCfg;

static int bn_relu(EngGraph *g, const char *n, const char *bn, const char *relu, int x) {
    x = eng_bn(g, net_name(n, bn), x, 1e-5f);
    return eng_relu(g, net_name(n, relu), x);
}

/* One unit: x + F(x), or conv1x1(a) + F(x) with a = relu(bn(x)) shared when
 * the shape changes. preact = 0 leaves out the unit's own BN-ReLU (the first
 * unit of fb.resnet.torch's ImageNet nets, whose input already passed the
 * stem's BN-ReLU). */
static int preact_unit(EngGraph *g, const char *n, int x, int planes, int stride, int preact,
                       const PreCfg *c) {
    const int cin = net_channels(g, x), cout = c->bottleneck ? planes * 4 : planes;
    if (cin < 0) return -1;
    const int a = preact ? bn_relu(g, n, ".bn1", ".relu1", x) : x;
    int f;
    if (c->bottleneck) {
        const int s1 = c->stride_1x1 ? stride : 1, s2 = c->stride_1x1 ? 1 : stride;
        f = eng_conv_k(g, net_name(n, ".conv1"), a, planes, 1, s1, 0, 1, 0);
        f = bn_relu(g, n, ".bn2", ".relu2", f);
        f = eng_conv_k(g, net_name(n, ".conv2"), f, planes, 3, s2, 1, 1, 0);
        f = bn_relu(g, n, ".bn3", ".relu3", f);
        f = eng_conv_k(g, net_name(n, ".conv3"), f, cout, 1, 1, 0, 1, 0);
    } else {
        f = eng_conv_k(g, net_name(n, ".conv1"), a, planes, 3, stride, 1, 1, 0);
        f = bn_relu(g, n, ".bn2", ".relu2", f);
        f = eng_conv_k(g, net_name(n, ".conv2"), f, planes, 3, 1, 1, 1, 0);
    }
    int sc = x;
    if (stride != 1 || cin != cout)
        sc = eng_conv_k(g, net_name(n, ".shortcut"), a, cout, 1, stride, 0, 1, 0);
    return eng_add2(g, n, f, sc);
}

/* The stages: stage s has blocks[s] units of 2^s * planes0 planes, the first
 * striding by 2 from the second stage on; then BN-ReLU, global average
 * pooling and the classifier. first_preact: whether the very first unit has
 * its own BN-ReLU. */
static int preact_body(EngGraph *g, int x, int n_stages, const int *blocks, int planes0,
                       int first_preact, int classes, const PreCfg *c) {
    char name[32];
    for (int s = 0; s < n_stages; s++)
        for (int b = 0; b < blocks[s]; b++) {
            snprintf(name, sizeof name, "layer%d.%d", s + 1, b);
            x = preact_unit(g, name, x, planes0 << s, (b == 0 && s > 0) ? 2 : 1,
                            first_preact || s > 0 || b > 0, c);
        }
    x = eng_bn(g, "final_bn", x, 1e-5f);
    x = eng_relu(g, "final_relu", x);
    x = eng_gavgpool(g, "avgpool", x);
    return eng_fc(g, "fc", x, classes, 1);
}

int net_preact_basic_body(EngGraph *g, int x, int n_stages, const int *blocks, int planes0,
                          int classes) {
    static const PreCfg cfg = {.bottleneck = 0};
    return preact_body(g, x, n_stages, blocks, planes0, 1, classes, &cfg);
}

/* fb.resnet.torch's ImageNet stem: conv 7x7/2, BN, ReLU, max pool 3x3/2. */
static int build_preact_resnet18(EngGraph *g, int C, int H, int W) {
    static const PreCfg cfg = {.bottleneck = 0};
    static const int blocks[4] = {2, 2, 2, 2};
    int x = eng_input(g, "data", C, H, W);
    x = net_conv_bn_act(g, "conv1", "bn1", "relu", x, 64, 7, 2, 3, 1, NET_ACT_RELU);
    x = net_maxpool(g, "maxpool", x, 3, 2, 1, 0);
    return preact_body(g, x, 4, blocks, 64, 0, 1000, &cfg);
}

/* resnet-pre-act.lua, depth 9n+2 = 164 (n = 18): conv 3x3 to 16 maps, then
 * bottleneck units to 64, 128, 256 channels (planes 16, 32, 64). */
static int build_preact_resnet164(EngGraph *g, int C, int H, int W) {
    static const PreCfg cfg = {.bottleneck = 1, .stride_1x1 = 1};
    static const int blocks[3] = {18, 18, 18};
    int x = eng_input(g, "data", C, H, W);
    x = eng_conv_k(g, "conv1", x, 16, 3, 1, 1, 1, 0);
    return preact_body(g, x, 3, blocks, 16, 1, 10, &cfg);
}

#define PRE_PAPER "Identity Mappings in Deep Residual Networks"
#define PRE_AUTHORS "K. He, X. Zhang, S. Ren, J. Sun"
#define PRE_VENUE "ECCV 2016 (arXiv:1603.05027)"
#define PRE_IDEAS                                                                          \
    "Pre-activation: BN and ReLU move before each convolution and nothing follows the "    \
    "add, so every unit adds to a clean identity path; signals and gradients reach any "   \
    "layer directly, and a 1001-layer network trains and improves (4.92% on CIFAR-10)."

/* Parameters of preact_resnet18, by hand (fb.resnet.torch preresnet.lua, no
 * convolution biases, BN scale and shift counted):
 *   stem    conv1 3*64*49 = 9,408 + bn1 128                              =      9,536
 *   layer1  unit 0 (no pre-activation): 2 * 36,864 + bn2 128              =     73,856
 *           unit 1: bn1 128 + 2 * 36,864 + bn2 128                        =     73,984
 *   layer2  unit 0: bn1 128 + 73,728 + bn2 256 + 147,456 + 1x1 8,192     =    229,760
 *           unit 1: 256 + 2 * 147,456 + 256                               =    295,424
 *   layer3  unit 0: 256 + 294,912 + 512 + 589,824 + 32,768               =    918,272
 *           unit 1: 512 + 2 * 589,824 + 512                               =  1,180,672
 *   layer4  unit 0: 512 + 1,179,648 + 1,024 + 2,359,296 + 131,072        =  3,671,552
 *           unit 1: 1,024 + 2 * 2,359,296 + 1,024                         =  4,720,640
 *   final_bn 1,024; fc 512*1000 + 1000 = 513,000                         =    514,024
 *   total                                                                 = 11,687,720
 * that is torchvision's ResNet-18 (11,689,512) less the BN of its three
 * projection shortcuts (2 * (128 + 256 + 512) = 1,792): the BN layers moved
 * but their count did not change. */
const ModelCard model_card_preact_resnet18 = {
    .name = "preact_resnet18",
    .display = "Pre-act ResNet-18",
    .family = "ResNet",
    .year = 2016,
    .authors = PRE_AUTHORS,
    .paper = PRE_PAPER,
    .venue = PRE_VENUE,
    .ilsvrc = NULL,
    .top5_error = -1,
    .top5_source = "no ImageNet figure for an 18-layer pre-activation ResNet in the paper "
                   "(its Table 5 gives ResNet-152 and ResNet-200)",
    .key_ideas = PRE_IDEAS,
    .notes = "ResNet-18 in fb.resnet.torch's models/preresnet.lua: stem conv-BN-ReLU-pool, the "
             "first unit without its own BN-ReLU, 1x1 projections without BN on the shared "
             "pre-activation, BN-ReLU before pooling; 11,687,720 parameters, worked out by "
             "hand in net_preact.c (torchvision's ResNet-18 less its 3 shortcut BNs).",
    .in_c = 3, .in_h = 224, .in_w = 224,
    .pre = NET_PRE_TORCHVISION,
    .build = build_preact_resnet18,
};

const ModelCard model_card_preact_resnet164 = {
    .name = "preact_resnet164",
    .display = "Pre-act ResNet-164",
    .family = "ResNet",
    .year = 2016,
    .authors = PRE_AUTHORS,
    .paper = PRE_PAPER,
    .venue = PRE_VENUE,
    .ilsvrc = NULL,
    .top5_error = -1,
    .top5_source = "CIFAR-10, no top-5: He et al. 2016, Table 3: 5.46% test error "
                   "(5.93% with the original units)",
    .key_ideas = PRE_IDEAS,
    .notes = "The authors' resnet-pre-act.lua (KaimingHe/resnet-1k-layers), depth 164 = 9 x 18 "
             "+ 2: 3x3 conv to 16, 3 x 18 bottleneck units to 64, 128, 256 channels (stride in "
             "the first 1x1), BN-ReLU shared with a 1x1 projection where the shape changes, "
             "final BN-ReLU; 1,703,258 parameters with BN scale and shift.",
    .in_c = 3, .in_h = 32, .in_w = 32,
    .pre = NET_PRE_CIFAR,
    .build = build_preact_resnet164,
};
