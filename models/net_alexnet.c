/*
 * net_alexnet.c — AlexNet (Krizhevsky, Sutskever, Hinton 2012) as in the
 * paper (227x227 input, conv2/4/5 split in two groups, one per GPU), the same
 * without the split, and ZFNet (Zeiler & Fergus 2013), AlexNet with a smaller,
 * less strided first layer, also with its widened conv3-5.
 */
#include "net_common.h"

/* conv1 .. pool5 + fc6 - fc7 - fc8. first_k/first_s/first_pad: conv1;
 * conv2 stride and padding; pool padding; groups for conv2/4/5. */
typedef struct {
    int k1, s1, p1;      /* conv1 */
    int s2, p2;          /* conv2 (5x5) */
    int pool_pad;        /* pool1, pool2 */
    int groups;
    float lrn_bias;
    int c3, c4, c5;      /* conv3-5 widths: 384, 384, 256 */
    int gpus;            /* trained split over this many GPUs, one group each (the paper: 2) */
} AlexCfg;

static int build_alex(EngGraph *g, int C, int H, int W, const AlexCfg *c) {
    int x = eng_input(g, "data", C, H, W);
    x = net_conv_relu(g, "conv1", x, 96, c->k1, c->s1, c->p1, 1);
    /* Response normalisation after conv1 and conv2, then overlapping 3x3/2 max
     * pooling (Krizhevsky et al. sec. 3.3, 3.4): ReLU -> LRN -> pool. */
    x = eng_lrn(g, "norm1", x, 5, 1e-4f, 0.75f, c->lrn_bias);
    x = net_maxpool(g, "pool1", x, 3, 2, c->pool_pad, 0);
    x = net_conv_relu(g, "conv2", x, 256, 5, c->s2, c->p2, c->groups);
    x = eng_lrn(g, "norm2", x, 5, 1e-4f, 0.75f, c->lrn_bias);
    x = net_maxpool(g, "pool2", x, 3, 2, c->pool_pad, 0);
    /* conv3 sees both GPUs' maps; conv4 and conv5 only their own half */
    x = net_conv_relu(g, "conv3", x, c->c3, 3, 1, 1, 1);
    x = net_conv_relu(g, "conv4", x, c->c4, 3, 1, 1, c->groups);
    x = net_conv_relu(g, "conv5", x, c->c5, 3, 1, 1, c->groups);
    x = net_maxpool(g, "pool5", x, 3, 2, 0, 0);
    /* the paper's network trained one group per GPU: the views tag each
     * layer's GPUs from its groups (eng_graph_device_roles) */
    if (c->gpus > 1) eng_graph_set_devices(g, c->gpus);
    return net_fc678(g, x);
}

static int build_alexnet(EngGraph *g, int C, int H, int W) {
    AlexCfg c = {.k1 = 11, .s1 = 4, .p1 = 0, .s2 = 1, .p2 = 2, .pool_pad = 0, .groups = 2, .gpus = 2,
                 .lrn_bias = 2.0f, .c3 = 384, .c4 = 384, .c5 = 256};
    return build_alex(g, C, H, W, &c);
}

static int build_alexnet_1gpu(EngGraph *g, int C, int H, int W) {
    AlexCfg c = {.k1 = 11, .s1 = 4, .p1 = 0, .s2 = 1, .p2 = 2, .pool_pad = 0, .groups = 1,
                 .lrn_bias = 2.0f, .c3 = 384, .c4 = 384, .c5 = 256};
    return build_alex(g, C, H, W, &c);
}

/* ZFNet (Zeiler & Fergus, Fig. 3): conv1 7x7/2, conv2 5x5/2, one group; the
 * 3x3/2 pools give the paper's 55 and 13 with one pixel of padding (Caffe's
 * round-up pooling reaches the same sizes). */
static int build_zfnet(EngGraph *g, int C, int H, int W) {
    AlexCfg c = {.k1 = 7, .s1 = 2, .p1 = 1, .s2 = 2, .p2 = 0, .pool_pad = 1, .groups = 1,
                 .lrn_bias = 1.0f, .c3 = 384, .c4 = 384, .c5 = 256};
    return build_alex(g, C, H, W, &c);
}

/* The paper's widened ZFNet (Table 3, "Adjust layers 3,4,5: 512,1024,512 maps";
 * model (b) of Table 2): everything else as build_zfnet. */
static int build_zfnet_wide(EngGraph *g, int C, int H, int W) {
    AlexCfg c = {.k1 = 7, .s1 = 2, .p1 = 1, .s2 = 2, .p2 = 0, .pool_pad = 1, .groups = 1,
                 .lrn_bias = 1.0f, .c3 = 512, .c4 = 1024, .c5 = 512};
    return build_alex(g, C, H, W, &c);
}

#define ALEX_PAPER "ImageNet Classification with Deep Convolutional Neural Networks"
#define ALEX_AUTHORS "A. Krizhevsky, I. Sutskever, G. E. Hinton"
#define ALEX_IDEAS                                                                        \
    "ReLU instead of tanh, training on two GPUs (grouped convolutions), local response " \
    "normalisation, overlapping max pooling, dropout in the FC layers, data augmentation."

const ModelCard model_card_alexnet = {
    .name = "alexnet",
    .display = "AlexNet",
    .family = "AlexNet",
    .year = 2012,
    .authors = ALEX_AUTHORS,
    .paper = ALEX_PAPER,
    .venue = "NIPS 2012",
    .ilsvrc = "ILSVRC-2012 classification winner",
    .top5_error = 15.3,
    .top5_source = "Krizhevsky et al. 2012, Table 2: 15.3% top-5 test error (ensemble of 7 CNNs, "
                   "two pre-trained on ImageNet Fall 2011); second best entry 26.2%",
    /* torchvision ships weights for its one-group variant only (64 conv1 filters, no LRN):
     * the nearest single-crop figure for AlexNet there is */
    NET_TV_ACC("AlexNet_Weights.IMAGENET1K_V1 (its one-group variant)", 56.522, 79.066),
    .key_ideas = ALEX_IDEAS,
    .notes = "The paper's network: 3x227x227 input (the paper's text says 224, its arithmetic "
             "needs 227; one note misprints 277), conv2, conv4 and conv5 in two groups (one per "
             "GPU), LRN size 5, alpha 1e-4, beta 0.75, k 2. 60,965,224 parameters, the "
             "\"60M\" of the paper; without the split it is alexnet_1gpu (62.4M). torchvision's "
             "alexnet is a different, one-group variant with 64 conv1 filters and no LRN.",
    .in_c = 3, .in_h = 227, .in_w = 227,
    .pre = NET_PRE_CAFFE(227),
    .build = build_alexnet,
};

const ModelCard model_card_alexnet_1gpu = {
    .name = "alexnet_1gpu",
    .display = "AlexNet (one group)",
    .family = "AlexNet",
    .year = 2012,
    .authors = ALEX_AUTHORS,
    .paper = ALEX_PAPER,
    .venue = "NIPS 2012",
    .ilsvrc = "ILSVRC-2012 classification winner (architecture without the two-GPU split)",
    .top5_error = -1,
    .top5_source = "not evaluated in this form; see alexnet",
    .val_source = "none: no weights or single-crop figure for this form (see alexnet)",
    .key_ideas = ALEX_IDEAS,
    .notes = "AlexNet with conv2, conv4 and conv5 connected to all input channels: 62,378,344 "
             "parameters, the \"62M\" quoted by many notes. Both counts are right; they "
             "describe the model with and without the two-GPU grouping.",
    .in_c = 3, .in_h = 227, .in_w = 227,
    .pre = NET_PRE_CAFFE(227),
    .build = build_alexnet_1gpu,
};

const ModelCard model_card_zfnet = {
    .name = "zfnet",
    .display = "ZFNet",
    .family = "ZFNet",
    .year = 2013,
    .authors = "M. D. Zeiler, R. Fergus",
    .paper = "Visualizing and Understanding Convolutional Networks",
    .venue = "ECCV 2014 (arXiv:1311.2901, 2013)",
    .ilsvrc = "ILSVRC-2013 classification winner (Clarifai, Zeiler's entry)",
    .top5_error = 11.7,
    .top5_source = "ILSVRC-2013 results: Clarifai 11.74% top-5 test error (ensemble); the paper's "
                   "Table 2 reports 14.8% for its published 6-network ensemble",
    .val_source = "none single-crop: Table 2's one-model figure (38.4% top-1, 16.5% top-5 val "
                  "error) averages 10 crops (corners and centre, mirrored), and torchvision ships "
                  "no ZFNet",
    .key_ideas = "Deconvnet visualisation showed AlexNet's 11x11/4 first layer aliased and had "
                 "dead filters; a 7x7/2 first layer and 5x5/2 second layer fixed it.",
    .notes = "Fig. 3 of the paper: conv1 96 7x7/2, conv2 256 5x5/2, conv3-5 384/384/256, 3x3/2 "
             "pools with one pixel of padding (55, 26->13, 6), one group, LRN after conv1 and "
             "conv2. 62,357,608 parameters. The paper's best single model widens conv3-5 to "
             "512/1024/512.",
    .in_c = 3, .in_h = 224, .in_w = 224,
    .pre = NET_PRE_CAFFE(224),
    .build = build_zfnet,
};

const ModelCard model_card_zfnet_wide = {
    .name = "zfnet_wide",
    .display = "ZFNet (wide conv3-5)",
    .family = "ZFNet",
    .year = 2013,
    .authors = "M. D. Zeiler, R. Fergus",
    .paper = "Visualizing and Understanding Convolutional Networks",
    .venue = "ECCV 2014 (arXiv:1311.2901, 2013)",
    .ilsvrc = "ILSVRC-2013 classification winner (Clarifai, Zeiler's entry); this model is one "
              "of the paper's 6-network ensemble",
    .top5_error = -1,
    .top5_source = "not submitted on its own: Table 2 gives it 16.1% top-5 test error, one model, "
                   "10 crops",
    .val_source = "none single-crop: Table 2's and Table 3's one-model figures (37.5% top-1, "
                  "16.0% top-5 val error) average 10 crops (corners and centre, mirrored), and "
                  "torchvision ships no ZFNet",
    .key_ideas = "ZFNet with wider middle layers: conv3, conv4, conv5 at 512, 1024, 512 maps "
                 "instead of 384, 384, 256, the paper's best single model.",
    .notes = "Table 3 of the paper, row \"Adjust layers 3,4,5: 512,1024,512 maps\" of its own "
             "model (Fig. 3): 37.5% top-1 and 16.0% top-5 val error, against zfnet's 38.4% and "
             "16.5% (Table 2); Table 2 lists it as model (b), 16.1% top-5 test error, and "
             "combined with five zfnet models, (a), as the 6-network ensemble's 14.8%. All are "
             "10-crop figures (sec. 3.1): history, not the single-crop column. Layers as zfnet "
             "otherwise: 107,627,624 parameters, 45,270,016 more than zfnet's 62,357,608, 83% of "
             "the difference in fc6 (512x6x6 inputs instead of 256x6x6).",
    .in_c = 3, .in_h = 224, .in_w = 224,
    .pre = NET_PRE_CAFFE(224),
    .build = build_zfnet_wide,
};
