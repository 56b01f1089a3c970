/*
 * net_googlenet.c — GoogLeNet / Inception v1 (Szegedy et al. 2014), the
 * paper's network (Table 1, Fig. 3): LRN in the stem, true 5x5 branches, no
 * batch norm, max pools rounding up as in Caffe, and the two auxiliary
 * classifiers as training-only branches.
 */
#include "net_common.h"

/* Table 1 columns: #1x1, #3x3 reduce, #3x3, #5x5 reduce, #5x5, pool proj */
typedef struct {
    const char *name;
    int c1, r3, c3, r5, c5, pp;
} InceptionCfg;

/* Four parallel branches concatenated on channels; "same" padding keeps their
 * maps the same size so the concatenation lines up. The 1x1 reductions before
 * the 3x3 and 5x5 and the projection after the pool keep the depth in check
 * (the naive module's channels only grow: pooling keeps its input depth). */
static int inception(EngGraph *g, int x, const InceptionCfg *c) {
    const char *n = c->name;
    int b1 = net_conv_relu(g, net_name(n, ".1x1"), x, c->c1, 1, 1, 0, 1);
    int b2 = net_conv_relu(g, net_name(n, ".3x3_reduce"), x, c->r3, 1, 1, 0, 1);
    b2 = net_conv_relu(g, net_name(n, ".3x3"), b2, c->c3, 3, 1, 1, 1);
    int b3 = net_conv_relu(g, net_name(n, ".5x5_reduce"), x, c->r5, 1, 1, 0, 1);
    b3 = net_conv_relu(g, net_name(n, ".5x5"), b3, c->c5, 5, 1, 2, 1);
    int b4 = net_maxpool(g, net_name(n, ".pool"), x, 3, 1, 1, 1);
    b4 = net_conv_relu(g, net_name(n, ".pool_proj"), b4, c->pp, 1, 1, 0, 1);
    int bs[4] = {b1, b2, b3, b4};
    return eng_concat(g, n, bs, 4);
}

/* Auxiliary classifier (sec. 5): 5x5/3 average pool, 1x1 conv 128, FC 1024,
 * dropout 0.7, FC 1000. Used only to push gradient into the middle of the
 * network while training; its loss is weighted 0.3 and it is dropped at
 * inference. */
static void aux_head(EngGraph *g, int x, const char *n) {
    /* At inputs much smaller than 224 the 4a/4d maps are under 5x5: the heads
     * cannot exist there, and since they never run at inference they are left out. */
    const EngNode *in = eng_graph_node(g, x);
    if (!in || in->out.H < 5 || in->out.W < 5) return;
    int a = eng_avgpool_k(g, net_name(n, ".pool"), x, 5, 3, 0);
    eng_graph_set_flags(g, a, ENG_NODE_TRAIN_ONLY); /* everything after it inherits */
    a = net_conv_relu(g, net_name(n, ".conv"), a, 128, 1, 1, 0, 1);
    a = eng_fc(g, net_name(n, ".fc1"), a, 1024, 1);
    a = eng_relu(g, net_name(n, ".fc1_relu"), a);
    a = eng_dropout(g, net_name(n, ".drop"), a, 0.7f);
    eng_fc(g, net_name(n, ".fc2"), a, 1000, 1);
}

static const InceptionCfg inc[9] = {
    {"inception_3a", 64, 96, 128, 16, 32, 32},    {"inception_3b", 128, 128, 192, 32, 96, 64},
    {"inception_4a", 192, 96, 208, 16, 48, 64},   {"inception_4b", 160, 112, 224, 24, 64, 64},
    {"inception_4c", 128, 128, 256, 24, 64, 64},  {"inception_4d", 112, 144, 288, 32, 64, 64},
    {"inception_4e", 256, 160, 320, 32, 128, 128}, {"inception_5a", 256, 160, 320, 32, 128, 128},
    {"inception_5b", 384, 192, 384, 48, 128, 128},
};

static int build_googlenet(EngGraph *g, int C, int H, int W) {
    int x = eng_input(g, "data", C, H, W);
    x = net_conv_relu(g, "conv1", x, 64, 7, 2, 3, 1);
    x = net_maxpool(g, "pool1", x, 3, 2, 0, 1);
    x = eng_lrn(g, "norm1", x, 5, 1e-4f, 0.75f, 1.0f);
    x = net_conv_relu(g, "conv2_reduce", x, 64, 1, 1, 0, 1);
    x = net_conv_relu(g, "conv2", x, 192, 3, 1, 1, 1);
    x = eng_lrn(g, "norm2", x, 5, 1e-4f, 0.75f, 1.0f);
    x = net_maxpool(g, "pool2", x, 3, 2, 0, 1);
    x = inception(g, x, &inc[0]);
    x = inception(g, x, &inc[1]);
    x = net_maxpool(g, "pool3", x, 3, 2, 0, 1);
    x = inception(g, x, &inc[2]);
    if (x >= 0) aux_head(g, x, "aux1");
    x = inception(g, x, &inc[3]);
    x = inception(g, x, &inc[4]);
    x = inception(g, x, &inc[5]);
    if (x >= 0) aux_head(g, x, "aux2");
    x = inception(g, x, &inc[6]);
    x = net_maxpool(g, "pool4", x, 3, 2, 0, 1);
    x = inception(g, x, &inc[7]);
    x = inception(g, x, &inc[8]);
    /* the paper's 7x7/1 average pool is a global pool at 224x224 */
    x = eng_gavgpool(g, "pool5", x);
    x = eng_dropout(g, "dropout", x, 0.4f);
    return eng_fc(g, "fc", x, 1000, 1);
}

const ModelCard model_card_googlenet = {
    .name = "googlenet",
    .display = "GoogLeNet",
    .family = "Inception",
    .year = 2014,
    .authors = "C. Szegedy, W. Liu, Y. Jia, P. Sermanet, S. Reed, D. Anguelov, D. Erhan, "
               "V. Vanhoucke, A. Rabinovich",
    .paper = "Going Deeper with Convolutions",
    .venue = "CVPR 2015 (arXiv:1409.4842, 2014)",
    .ilsvrc = "ILSVRC-2014 classification winner",
    .top5_error = 6.67,
    .top5_source = "Szegedy et al., Table 2: 6.67% top-5 test error (7 models, 144 crops each)",
    /* the paper's single-model figure is 144 crops (Table 3): torchvision's variant's instead */
    NET_TV_ACC("GoogLeNet_Weights.IMAGENET1K_V1 (its variant with batch norm)", 69.778, 89.530),
    .key_ideas = "Inception modules: parallel 1x1, 3x3, 5x5 and pooling branches concatenated, "
                 "with 1x1 convolutions as cheap bottlenecks; global average pooling instead of "
                 "big FC layers; 22 weighted layers.",
    .notes = "The paper's network (Table 1): 6,998,552 parameters at inference (notes quote "
             "\"4M\", \"5M\" and \"12x fewer than AlexNet\": it is 8.7x fewer than the 61M "
             "AlexNet), plus 6,379,728 in the two auxiliary classifiers, which exist only while "
             "training. torchvision's googlenet differs (batch norm, 3x3 instead of 5x5).",
    .in_c = 3, .in_h = 224, .in_w = 224,
    .pre = NET_PRE_CAFFE(224),
    .build = build_googlenet,
};
