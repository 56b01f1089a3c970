/*
 * blocks.c — the design choices of the history as pairs of real engine
 * graphs, A against B, on the same input: two 3x3 against one 5x5 (VGG),
 * 11x11/4 against 7x7/2 (AlexNet to ZFNet), inception without and with 1x1
 * reductions (GoogLeNet), ResNet's basic block against its bottleneck, a
 * standard against a depthwise separable convolution (MobileNet), a plain
 * against a grouped convolution (AlexNet's two GPUs, ResNeXt). Every count
 * comes from building them; nothing is typed in.
 */
#include "blocks.h"

#include <string.h>

#include "net_common.h"

/* ---- builders: (g, x, cfg) -> output node ---------------------------------------------- */

static int relu_conv(EngGraph *g, const char *name, int x, int oc, int k, int stride, int pad,
                     int groups) {
    return net_conv_relu(g, name, x, oc, k, stride, pad, groups);
}

static int stack3_a(EngGraph *g, int x, const BlockCfg *c) {
    x = relu_conv(g, "conv3x3_1", x, c->cout, 3, 1, 1, 1);
    return relu_conv(g, "conv3x3_2", x, c->cout, 3, 1, 1, 1);
}
static int stack5_b(EngGraph *g, int x, const BlockCfg *c) {
    return relu_conv(g, "conv5x5", x, c->cout, 5, 1, 2, 1);
}
static int stack33_a(EngGraph *g, int x, const BlockCfg *c) {
    x = relu_conv(g, "conv3x3_1", x, c->cout, 3, 1, 1, 1);
    x = relu_conv(g, "conv3x3_2", x, c->cout, 3, 1, 1, 1);
    return relu_conv(g, "conv3x3_3", x, c->cout, 3, 1, 1, 1);
}
static int stack7_b(EngGraph *g, int x, const BlockCfg *c) {
    return relu_conv(g, "conv7x7", x, c->cout, 7, 1, 3, 1);
}
static int alex_conv1(EngGraph *g, int x, const BlockCfg *c) {
    return relu_conv(g, "conv1_11x11_s4", x, c->cout, 11, 4, 2, 1);
}
static int zf_conv1(EngGraph *g, int x, const BlockCfg *c) {
    return relu_conv(g, "conv1_7x7_s2", x, c->cout, 7, 2, 1, 1);
}

/* Inception 3a with the paper's widths scaled by cout / 256 (256 = the
 * module's output at the defaults: 64 + 128 + 32 + 32). */
static int scale(const BlockCfg *c, int v) {
    int s = v * c->cout / 256;
    return s < 1 ? 1 : s;
}
static int inception_naive(EngGraph *g, int x, const BlockCfg *c) {
    int b1 = relu_conv(g, "1x1", x, scale(c, 64), 1, 1, 0, 1);
    int b2 = relu_conv(g, "3x3", x, scale(c, 128), 3, 1, 1, 1);
    int b3 = relu_conv(g, "5x5", x, scale(c, 32), 5, 1, 2, 1);
    int b4 = net_maxpool(g, "pool", x, 3, 1, 1, 0); /* keeps all its input channels */
    int bs[4] = {b1, b2, b3, b4};
    return eng_concat(g, "concat", bs, 4);
}
static int inception_bottleneck(EngGraph *g, int x, const BlockCfg *c) {
    int b1 = relu_conv(g, "1x1", x, scale(c, 64), 1, 1, 0, 1);
    int b2 = relu_conv(g, "3x3_reduce", x, scale(c, 96), 1, 1, 0, 1);
    b2 = relu_conv(g, "3x3", b2, scale(c, 128), 3, 1, 1, 1);
    int b3 = relu_conv(g, "5x5_reduce", x, scale(c, 16), 1, 1, 0, 1);
    b3 = relu_conv(g, "5x5", b3, scale(c, 32), 5, 1, 2, 1);
    int b4 = net_maxpool(g, "pool", x, 3, 1, 1, 0);
    b4 = relu_conv(g, "pool_proj", b4, scale(c, 32), 1, 1, 0, 1);
    int bs[4] = {b1, b2, b3, b4};
    return eng_concat(g, "concat", bs, 4);
}

/* Residual blocks as He et al. draw them (Fig. 5, without batch norm, so
 * the weights are the convolutions' alone): the branch's last convolution
 * goes without its ReLU into the add with the identity shortcut, and the
 * ReLU follows the add. The basic block is cin wide (its input's width),
 * the bottleneck cout wide (its input has cout channels), so the shortcut
 * needs no projection. */
static int res_join(EngGraph *g, int x, int branch) {
    int s = eng_add2(g, "add", branch, x);
    return eng_relu(g, "add_relu", s);
}
static int res_basic(EngGraph *g, int x, const BlockCfg *c) {
    int y = relu_conv(g, "conv3x3_1", x, c->cin, 3, 1, 1, 1);
    y = eng_conv_k(g, "conv3x3_2", y, c->cin, 3, 1, 1, 1, 1);
    return res_join(g, x, y);
}
static int res_bottleneck(EngGraph *g, int x, const BlockCfg *c) {
    int mid = c->cout / 4 < 1 ? 1 : c->cout / 4;
    int y = relu_conv(g, "conv1x1_reduce", x, mid, 1, 1, 0, 1);
    y = relu_conv(g, "conv3x3", y, mid, 3, 1, 1, 1);
    y = eng_conv_k(g, "conv1x1_expand", y, c->cout, 1, 1, 0, 1, 1);
    return res_join(g, x, y);
}
static int standard3(EngGraph *g, int x, const BlockCfg *c) {
    return relu_conv(g, "conv3x3", x, c->cout, 3, 1, 1, 1);
}
static int separable3(EngGraph *g, int x, const BlockCfg *c) {
    x = relu_conv(g, "depthwise3x3", x, c->cin, 3, 1, 1, c->cin);
    return relu_conv(g, "pointwise1x1", x, c->cout, 1, 1, 0, 1);
}
static int grouped3(EngGraph *g, int x, const BlockCfg *c) {
    return relu_conv(g, "conv3x3_grouped", x, c->cout, 3, 1, 1, c->groups);
}

static const ModelBlock blocks[] = {
    {"stack3x3-vs-5x5", "two 3x3 convolutions", "one 5x5 convolution",
     "VGG (Simonyan & Zisserman 2014, sec. 2.3): two stacked 3x3 see a 5x5 field with "
     "2*9 = 18 instead of 25 weights per channel pair, and one more ReLU.",
     "The notes: 3x3x128x128 x2 = 294,912 vs 5x5x128x128 = 409,600 weights at 128 channels "
     "(one note drops a x128 from the formula; its totals are right).",
     {128, 128, 56, 1}, stack3_a, stack5_b},
    {"stack3x3-vs-7x7", "three 3x3 convolutions", "one 7x7 convolution",
     "VGG: three stacked 3x3 see a 7x7 field with 27 instead of 49 weights per channel pair "
     "(45% fewer), and three non-linearities instead of one.",
     "The notes: 27 vs 49 weights per channel pair.",
     {128, 128, 56, 1}, stack33_a, stack7_b},
    {"conv1-alexnet-vs-zfnet", "AlexNet conv1: 11x11 stride 4", "ZFNet conv1: 7x7 stride 2",
     "Zeiler & Fergus 2013 (sec. 4.1): AlexNet's 11x11/4 first layer aliased and left dead "
     "filters; 7x7/2 keeps more detail at four times the output size.",
     NULL,
     {3, 96, 224, 1}, alex_conv1, zf_conv1},
    {"inception-naive-vs-bottleneck", "naive inception module", "inception with 1x1 reductions",
     "GoogLeNet (Szegedy et al. 2014, Fig. 2): 1x1 convolutions before the 3x3 and 5x5 and "
     "after the pool keep the module's depth and cost in check (inception 3a: 28x28x192).",
     "The notes: the 1x1 bottlenecks cut the cost about 10x.",
     {192, 256, 28, 1}, inception_naive, inception_bottleneck},
    {"resnet-basic-vs-bottleneck", "basic block: two 3x3", "bottleneck: 1x1, 3x3, 1x1",
     "ResNet (He et al. 2015, Fig. 5): the basic block of ResNet-34 on a 64-d input against the "
     "bottleneck of ResNet-50/101/152 on a 256-d input, whose 1x1s reduce to 64 and restore 256.",
     "The paper (sec. 4.1, Fig. 5): the two designs \"have similar time complexity\"; the "
     "bottleneck handles a four times wider input for the same cost. It gives no weight counts, "
     "and never sets both at 256 channels (basic width 256 on the slider).",
     {64, 256, 56, 1}, res_basic, res_bottleneck},
    {"standard-vs-depthwise-separable", "standard 3x3 convolution",
     "depthwise 3x3 + pointwise 1x1",
     "MobileNet (Howard et al. 2017, sec. 3.1): filtering each channel alone and then mixing "
     "with a 1x1 costs 1/Cout + 1/9 of a standard 3x3.",
     "MobileNet (sec. 3.1): 3x3 depthwise separable convolutions use 8 to 9 times less "
     "computation than standard ones.",
     {128, 128, 56, 1}, standard3, separable3},
    {"plain-vs-grouped", "plain 3x3 convolution", "grouped 3x3 convolution",
     "AlexNet's two GPUs (Krizhevsky et al. 2012) and ResNeXt's cardinality (Xie et al. 2016): "
     "G groups each see Cin/G channels, dividing weights and MACs by G.",
     NULL,
     {128, 128, 56, 2}, standard3, grouped3},
};

static const ModelBlockExtra extras[] = {
    {.block = "inception-naive-vs-bottleneck", .branch = "5x5", .branch_what = "the 5x5 branch alone"},
    {.block = "resnet-basic-vs-bottleneck", .b_input_cout = 1, .cin_label = "basic block width (A)",
     .cout_label = "bottleneck width (B)"},
};

const ModelBlockExtra *model_block_extra(const ModelBlock *b) {
    static const ModelBlockExtra none = {0};
    for (size_t i = 0; b && i < sizeof extras / sizeof extras[0]; i++)
        if (!strcmp(extras[i].block, b->name)) return &extras[i];
    return &none;
}

int model_block_count(void) { return (int)(sizeof blocks / sizeof blocks[0]); }
const ModelBlock *model_block_at(int i) {
    return (i >= 0 && i < model_block_count()) ? &blocks[i] : NULL;
}
const ModelBlock *model_block_find(const char *name) {
    for (int i = 0; name && i < model_block_count(); i++)
        if (!strcmp(blocks[i].name, name)) return &blocks[i];
    return NULL;
}

int model_block_in_c(const ModelBlock *b, int which, const BlockCfg *cfg) {
    return which && model_block_extra(b)->b_input_cout ? cfg->cout : cfg->cin;
}

EngGraph *model_block_build(const ModelBlock *b, int which, const BlockCfg *cfg) {
    if (!b || !cfg) return NULL;
    EngGraph *g = eng_graph_create();
    if (!g) {
        eng_log(ENG_LOG_ERROR, "models: block %s: out of memory for its graph", b->name);
        return NULL;
    }
    int x = eng_input(g, "input", model_block_in_c(b, which, cfg), cfg->hw, cfg->hw);
    int out = x >= 0 ? (which ? b->build_b : b->build_a)(g, x, cfg) : -1;
    if (out < 0 || !eng_graph_ok(g)) {
        eng_log(ENG_LOG_ERROR, "%s", eng_graph_ok(g) ? "models: block failed" : eng_graph_error(g));
        eng_graph_destroy(g);
        return NULL;
    }
    eng_graph_set_output(g, out);
    return g;
}
