/*
 * net_cspnet.c — Cross Stage Partial networks (Wang, Liao, Wu, Chen, Hsieh,
 * Yeh 2019/2020): CSPResNeXt-50 and CSPDarknet-53 at 256x256, the authors'
 * darknet configurations (csresnext50.cfg, csdarknet53.cfg) in the layout of
 * timm's cspnet.py, which builds CSPDarknet-53 exactly and CSPResNeXt-50's
 * first stage slightly differently (see its card).
 *
 * A cross stage: an optional 3x3 stride-2 downsampling convolution, then its
 * channels "expanded" by 1x1 convolutions into two parts: one goes through
 * the stage's residual blocks and a 1x1 transition, the other crosses the
 * stage untouched; the two are concatenated and mixed by a last
 * 1x1 transition. Every convolution is conv (no bias) - BN - activation. The
 * two halves are two 1x1 convolutions of the same input, as in the darknet
 * cfgs (timm computes one 1x1 of twice the width and splits it: the same).
 * CSPResNeXt-50: a 7x7 stem and max pool, four stages of ResNeXt bottlenecks
 * (32 groups, the bottleneck as wide as its block), leaky ReLU. CSPDarknet-53: a 3x3 stem, five stages
 * of Darknet blocks (1x1 halving, 3x3 back, added to the input), Mish.
 *
 * Names follow timm (stem.conv1.conv, stages.2.blocks.3.conv2.bn,
 * stages.1.conv_transition_b.conv, head.fc); a stage's halves are
 * stages.S.conv_cross (passes by) and stages.S.conv_part (into the blocks).
 */
#include "net_common.h"

#include <math.h>
#include <stdio.h>

enum { CSP_LEAKY, CSP_MISH };
#define CSP_LEAKY_SLOPE 0.1f /* darknet's "leaky" */

typedef struct {
    int depth, out, stride, groups;
    double block_ratio, bottle_ratio, expand_ratio;
    int down_growth;  /* the downsampling convolution already widens to the output */
    int cross_linear; /* no activation after the expansion convolution */
    int dark;         /* Darknet blocks instead of ResNeXt bottlenecks */
    int part;         /* > 0: the blocks' part has this many channels instead of expand / 2
                         (the first stage of the authors' csresnext50.cfg) */
} CspStage;

/* <p>.conv - <p>.bn - <p>.act (when act >= 0); returns the last node */
static int cna(EngGraph *g, const char *p, int x, int oc, int k, int stride, int groups, int act) {
    x = eng_conv_k(g, net_name(p, ".conv"), x, oc, k, stride, k / 2, groups, 0);
    x = eng_bn(g, net_name(p, ".bn"), x, 1e-5f);
    if (act == CSP_LEAKY) x = eng_leakyrelu(g, net_name(p, ".act"), x, CSP_LEAKY_SLOPE);
    else if (act == CSP_MISH) x = eng_mish(g, net_name(p, ".act"), x);
    return x;
}

static int round_ch(int c, double r) { return (int)lround(c * r); }

/* A residual block n: ResNeXt's 1x1 - grouped 3x3 - 1x1 (linear), added,
 * then the activation; or Darknet's 1x1 - 3x3, added with nothing after.
 * A narrower input is added to the first channels only (darknet's shortcut
 * layer adds over the channels both have): zero channels appended to it. */
static int csp_block(EngGraph *g, const char *n, int x, int out, const CspStage *s, int act) {
    const int mid = round_ch(out, s->bottle_ratio);
    char p[128];
    snprintf(p, sizeof p, "%s.conv1", n);
    int y = cna(g, p, x, mid, 1, 1, 1, act);
    snprintf(p, sizeof p, "%s.conv2", n);
    if (s->dark) {
        y = cna(g, p, y, out, 3, 1, 1, act);
        return eng_add2(g, n, y, x);
    }
    y = cna(g, p, y, mid, 3, 1, s->groups, act);
    snprintf(p, sizeof p, "%s.conv3", n);
    y = cna(g, p, y, out, 1, 1, 1, -1);
    const int cin = net_channels(g, x);
    if (cin > 0 && cin < out) {
        const EngPadParams zeros = {.value = 0.0f, .cb = 0, .ca = out - cin};
        x = eng_pad_chw(g, net_name(n, ".shortcut_pad"), x, &zeros);
    }
    y = eng_add2(g, net_name(n, ".add"), y, x);
    return act == CSP_MISH ? eng_mish(g, n, y)
                           : eng_leakyrelu(g, n, y, CSP_LEAKY_SLOPE);
}

/* Cross stage i (timm's CrossStage); its output is node stages.i */
static int csp_stage(EngGraph *g, int i, int x, const CspStage *s, int act) {
    char n[32], p[96];
    snprintf(n, sizeof n, "stages.%d", i);
    const int cin = net_channels(g, x);
    if (cin < 0) return -1;
    if (s->stride != 1) {
        snprintf(p, sizeof p, "%s.conv_down", n);
        x = cna(g, p, x, s->down_growth ? s->out : cin, 3, s->stride, s->groups, act);
    }
    const int exp = round_ch(s->out, s->expand_ratio), half = exp / 2;
    const int bout = round_ch(s->out, s->block_ratio);
    /* timm's one expansion 1x1 split in two halves is the same as darknet's
     * two 1x1 convolutions from the same input ([route] -2), written here */
    const int exp_act = s->cross_linear ? -1 : act;
    snprintf(p, sizeof p, "%s.conv_cross", n);
    int xs = cna(g, p, x, half, 1, 1, 1, exp_act);
    snprintf(p, sizeof p, "%s.conv_part", n);
    int xb = cna(g, p, x, s->part > 0 ? s->part : half, 1, 1, 1, exp_act);
    for (int b = 0; b < s->depth; b++) {
        snprintf(p, sizeof p, "%s.blocks.%d", n, b);
        xb = csp_block(g, p, xb, bout, s, act);
    }
    snprintf(p, sizeof p, "%s.conv_transition_b", n);
    xb = cna(g, p, xb, half, 1, 1, 1, act);
    const int parts[2] = {xs, xb};
    x = eng_concat(g, net_name(n, ".cat"), parts, 2);
    snprintf(p, sizeof p, "%s.conv_transition", n);
    x = cna(g, p, x, s->out, 1, 1, 1, act);
    return x;
}

static int build_cspresnext50(EngGraph *g, int C, int H, int W) {
    int x = eng_input(g, "data", C, H, W);
    x = cna(g, "stem.conv1", x, 64, 7, 2, 1, CSP_LEAKY);
    x = net_maxpool(g, "stem.pool", x, 2, 2, 0, 0);
    static const int depth[4] = {3, 3, 5, 2};
    for (int i = 0; i < 4; i++) {
        /* csresnext50.cfg: the first stage's two 1x1s (128 crossing, 64 into the
         * blocks) and the last stage's have leaky ReLU, the middle ones none */
        const CspStage s = {.depth = depth[i], .out = 256 << i, .stride = i ? 2 : 1,
                            .groups = 32, .block_ratio = 0.5, .bottle_ratio = 1.0,
                            .expand_ratio = 1.0, .cross_linear = i == 1 || i == 2,
                            .part = i ? 0 : 64};
        x = csp_stage(g, i, x, &s, CSP_LEAKY);
    }
    x = eng_gavgpool(g, "head.global_pool", x);
    return eng_fc(g, "head.fc", x, 1000, 1);
}

static int build_cspdarknet53(EngGraph *g, int C, int H, int W) {
    int x = eng_input(g, "data", C, H, W);
    x = cna(g, "stem.conv1", x, 32, 3, 1, 1, CSP_MISH);
    static const int depth[5] = {1, 2, 8, 8, 4};
    for (int i = 0; i < 5; i++) {
        /* the first stage doubles in its expansion and keeps its blocks wide */
        const CspStage s = {.depth = depth[i], .out = 64 << i, .stride = 2, .groups = 1,
                            .block_ratio = i ? 0.5 : 1.0, .bottle_ratio = i ? 1.0 : 0.5,
                            .expand_ratio = i ? 1.0 : 2.0, .down_growth = 1, .dark = 1};
        x = csp_stage(g, i, x, &s, CSP_MISH);
    }
    x = eng_gavgpool(g, "head.global_pool", x);
    return eng_fc(g, "head.fc", x, 1000, 1);
}

#define CSP_AUTHORS "C.-Y. Wang, H.-Y. M. Liao, Y.-H. Wu, P.-Y. Chen, J.-W. Hsieh, I.-H. Yeh"
#define CSP_PAPER "CSPNet: A New Backbone that can Enhance Learning Capability of CNN"
#define CSP_VENUE "CVPR Workshops 2020 (arXiv:1911.11929, 2019)"
#define CSP_IDEAS                                                                          \
    "Cross stage partial connections: split each stage's channels, send only half through " \
    "the dense or residual blocks and let the other half cross the stage to a transition " \
    "layer, so gradients are not duplicated across layers and the stage costs less for "   \
    "the same or better accuracy."
/* darknet's classifier input: the image resized to 256x256, RGB in 0..1, no mean */
#define CSP_PRE                                                                            \
    {.channels = 3, .resize = 0, .crop = 0, .bgr = 0, .scale = 1.0f / 255.0f,              \
     .mean = {0.0f, 0.0f, 0.0f}, .std = {1.0f, 1.0f, 1.0f}}

const ModelCard model_card_cspresnext50 = {
    .name = "cspresnext50",
    .display = "CSPResNeXt-50",
    .family = "CSPNet",
    .year = 2020,
    .authors = CSP_AUTHORS,
    .paper = CSP_PAPER,
    .venue = CSP_VENUE,
    .ilsvrc = NULL,
    .top5_error = 6.0,
    .top5_source = "the authors' imagenet/results.md (WongKinYiu/CrossStagePartialNetworks), "
                   "csresnext50.cfg without training tricks: 94.0% top-5 (77.9% top-1) on the "
                   "ImageNet validation set, single model, single 256x256 crop",
    .val_top1 = 77.9, .val_top5 = 94.0,
    .val_source = "the authors' imagenet/results.md, csresnext50.cfg without training tricks: "
                  "top-1 77.9%, top-5 94.0% on ImageNet val, single model, single 256x256 crop",
    .key_ideas = CSP_IDEAS,
    .notes = "The authors' csresnext50.cfg: 20,557,480 parameters with batch norm's scale and "
             "shift (57,344 of them); the paper's 20.50M leaves batch norm out (20,500,136). "
             "The paper's 7.93 BFLOPs at 256x256 are 2 x MACs: the engine counts "
             "3,964,616,704 MACs, 7.93 G FLOPs. The first stage splits the stem's 64 channels "
             "into two 1x1 convolutions (128 crossing, 64 into the blocks, whose first "
             "shortcut adds to the first 64 of 128 channels, as darknet does); timm's "
             "cspresnext50 uses one 64-to-256 1x1 split in two instead and has 20,569,896. "
             "Leaky ReLU of slope 0.1 (darknet's), a 2x2 stem pool.",
    .in_c = 3, .in_h = 256, .in_w = 256,
    .pre = CSP_PRE,
    .build = build_cspresnext50,
};

const ModelCard model_card_cspdarknet53 = {
    .name = "cspdarknet53",
    .display = "CSPDarknet-53",
    .family = "CSPNet",
    .year = 2020,
    .authors = CSP_AUTHORS,
    .paper = CSP_PAPER,
    .venue = CSP_VENUE,
    .ilsvrc = NULL,
    .top5_error = 5.2,
    .top5_source = "the authors' imagenet/results.md (WongKinYiu/CrossStagePartialNetworks), "
                   "csdarknet53-omega.cfg (Mish, with CutMix, Mosaic and label smoothing): "
                   "94.8% top-5 (78.7% top-1) on the ImageNet validation set, single model, "
                   "single 256x256 crop; the leaky-ReLU cfg without tricks: 93.6%",
    .val_top1 = 78.7, .val_top5 = 94.8,
    .val_source = "the authors' imagenet/results.md, csdarknet53-omega.cfg (Mish; CutMix, "
                  "Mosaic and label smoothing in training): top-1 78.7%, top-5 94.8% on "
                  "ImageNet val, single model, single 256x256 crop",
    .key_ideas = CSP_IDEAS,
    .notes = "timm's cspdarknet53 (the authors' csdarknet53 layout, YOLOv4's backbone): "
             "27,642,184 parameters with batch norm's scale and shift (35,328 of them); the "
             "paper's 27.61M leaves batch norm out (27,606,856). The paper's 13.07 BFLOPs at "
             "256x256 are 2 x MACs: the engine counts 6,533,652,480 MACs, 13.07 G FLOPs. "
             "Mish, x * tanh(softplus(x)), after every conv-BN as in the omega cfg (timm's "
             "configuration defaults to leaky ReLU; the counts are the same).",
    .in_c = 3, .in_h = 256, .in_w = 256,
    .pre = CSP_PRE,
    .build = build_cspdarknet53,
};
