/*
 * test_models.c — the zoo: every network's parameter count to the parameter
 * (torchvision's and the papers' numbers), output shape, depth, receptive
 * fields, layer names, complete cards, clean failure on an impossible input,
 * and a LeNet-5 forward pass.
 */
#include "check.h"
#include "models.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The log stays quiet; the last error is kept so a test can read what failed. */
static char last_error[512];
static void quiet(EngLogLevel level, const char *msg, void *user) {
    (void)user;
    if (level == ENG_LOG_ERROR) snprintf(last_error, sizeof last_error, "%s", msg);
}

typedef struct {
    const char *name;
    long long params;
    int out_c;
    int depth; /* 0 = not checked */
} Expect;

/* Parameter counts: torchvision's models where it has them (sum of
 * p.numel() over model.parameters()), the papers' otherwise. */
static const Expect expect[] = {
    {"lenet5", 61706, 10, 5},
    /* the source notes' Keras LeNet-5 (28x28, 1x1 C5) and the paper's with
     * max pooling and ReLU: worked out in test_lenet_variants */
    {"lenet5_keras", 166826, 10, 5},
    {"lenet5_modern", 61706, 10, 5},
    {"alexnet", 60965224, 1000, 8},
    {"alexnet_1gpu", 62378344, 1000, 8},
    {"zfnet", 62357608, 1000, 8},
    {"zfnet_wide", 107627624, 1000, 8}, /* Zeiler & Fergus, Table 3: conv3-5 512, 1024, 512 */
    {"vgg11", 132863336, 1000, 11},
    {"vgg13", 133047848, 1000, 13},
    {"vgg16_c", 133638952, 1000, 16}, /* Simonyan & Zisserman, Table 1, configuration C */
    {"vgg16", 138357544, 1000, 16},
    {"vgg19", 143667240, 1000, 19},
    {"vgg11_bn", 132868840, 1000, 11},
    {"vgg13_bn", 133053736, 1000, 13},
    {"vgg16_bn", 138365992, 1000, 16},
    {"vgg19_bn", 143678248, 1000, 19},
    {"googlenet", 6998552, 1000, 22},
    {"resnet18", 11689512, 1000, 18},
    {"resnet34", 21797672, 1000, 34},
    {"resnet50", 25557032, 1000, 50},
    {"resnet101", 44549160, 1000, 101},
    {"resnet152", 60192808, 1000, 152},
    {"resnext50_32x4d", 25028904, 1000, 50},
    {"wide_resnet50_2", 68883240, 1000, 50},
    {"densenet121", 7978856, 1000, 121},
    {"densenet169", 14149480, 1000, 169},
    {"densenet201", 20013928, 1000, 201},
    {"mobilenet_v1", 4231976, 1000, 28},
    {"mobilenet_v2", 3504872, 1000, 0},
    {"squeezenet1_0", 1248424, 1000, 18},
    {"squeezenet1_1", 1235496, 1000, 18},
    /* the rest of the history: the papers' and their reference code's counts
     * (CIFAR ResNets: He et al. 2015, Table 6 rounds them to 0.27M, 0.85M,
     * 1.7M; option-A shortcuts have no parameters, so each plain net counts
     * as its twin; preact_resnet18 worked out in net_preact.c) */
    {"plain20", 269722, 10, 20},
    {"plain56", 853018, 10, 56},
    {"resnet20", 269722, 10, 20},
    {"resnet56", 853018, 10, 56},
    {"resnet110", 1727962, 10, 110},
    {"resnet110_sd", 1727962, 10, 110}, /* drop path adds no parameters */
    {"preact_resnet18", 11687720, 1000, 18},
    {"preact_resnet164", 1703258, 10, 164},
    /* the 28 of WRN-28 counts conv0, 24 block convolutions and the 3 shortcut
     * projections; the longest path has 25 convolutions and the FC */
    {"wrn28_10", 36479194, 10, 26},
    /* 50 layers and, in each of 16 blocks, the SE module's two FCs on the
     * path to the gate */
    {"se_resnet50", 28088024, 1000, 82},
    {"se_resnext50_32x4d", 27559896, 1000, 82},
    /* 2019-2022: torchvision's counts (sum of p.numel()) */
    {"mobilenet_v3_large", 5483032, 1000, 0},
    {"mobilenet_v3_small", 2542856, 1000, 0},
    {"efficientnet_b0", 5288548, 1000, 0},
    {"convnext_tiny", 28589128, 1000, 0},
    /* Keras's Xception: 22,855,952 trainable (its 22,910,480 adds BN's running
     * statistics); the paper's 36 convolutions, each separable one counted
     * here as its depthwise and pointwise halves (2 + 34 x 2), and the FC */
    {"xception", 22855952, 1000, 71},
    /* the authors' FractalNet generator: 35 convolutions with bias and BN,
     * 20 on the deepest column, and the FC */
    {"fractalnet", 33734922, 10, 21},
    /* CSPNet at 256x256, batch norm's scale and shift counted: the authors'
     * csresnext50.cfg and csdarknet53.cfg (the paper's 20.50M and 27.61M
     * leave batch norm out: test_depth_macs) */
    {"cspresnext50", 20557480, 1000, 0},
    {"cspdarknet53", 27642184, 1000, 0},
};
#define N_EXPECT ((int)(sizeof expect / sizeof expect[0]))

/* The small trained models: counts worked out here from their layer lists. */
static long long conv_p(int cin, int cout, int k, int bias) {
    return (long long)cin * cout * k * k + (bias ? cout : 0);
}
static long long fc_p(int in, int out) { return (long long)in * out + out; }

/* efficientnet_mini's stages: expansion, kernel, first stride, width, blocks */
static const int effm_st[4][5] = {
    {1, 3, 1, 16, 1}, {6, 3, 2, 24, 2}, {6, 5, 2, 40, 2}, {6, 3, 2, 80, 2}};

static void test_minis(void) {
    const long long alex = conv_p(1, 32, 5, 1) + conv_p(32, 64, 3, 1) + conv_p(64, 96, 3, 1) +
                           conv_p(96, 96, 3, 1) + conv_p(96, 64, 3, 1) + fc_p(64 * 2 * 2, 256) +
                           fc_p(256, 256) + fc_p(256, 10);
    const long long zf = alex - conv_p(1, 32, 5, 1) + conv_p(1, 32, 3, 1);
    const long long vgg = conv_p(1, 32, 3, 1) + conv_p(32, 32, 3, 1) + conv_p(32, 64, 3, 1) +
                          conv_p(64, 64, 3, 1) + conv_p(64, 128, 3, 1) + conv_p(128, 128, 3, 1) +
                          fc_p(128 * 3 * 3, 256) + fc_p(256, 10);
    /* conv + BN (2 per channel) per layer; projections at the two stage changes */
    long long res = conv_p(1, 16, 3, 0) + 32 + fc_p(64, 10);
    for (int st = 0; st < 3; st++) {
        int c = 16 << st, cin = st ? c / 2 : 16;
        res += conv_p(cin, c, 3, 0) + conv_p(c, c, 3, 0) + 4 * c;  /* block 0 */
        res += 2 * conv_p(c, c, 3, 0) + 4 * c;                     /* block 1 */
        if (st) res += conv_p(cin, c, 1, 0) + 2 * c;               /* projection */
    }
    const long long mob = conv_p(1, 16, 3, 0) + 32 + (16 * 9 + 32) + (16 * 32 + 64) +
                          (32 * 9 + 64) + (32 * 64 + 128) + (64 * 9 + 128) + (64 * 64 + 128) +
                          (64 * 9 + 128) + (64 * 128 + 256) + 2 * (128 * 9 + 256 + 128 * 128 + 256) +
                          fc_p(128, 10);
    /* resnet_mini plus, in each of its six blocks, a gate C -> C/4 -> C (1x1 with bias) */
    long long se = res;
    for (int st = 0; st < 3; st++) {
        int c = 16 << st;
        se += 2 * (conv_p(c, c / 4, 1, 1) + conv_p(c / 4, c, 1, 1));
    }
    /* patchify 2x2 + LN; per block: 5x5 depthwise with bias, LN, 1x1 to 4C, 1x1
     * back, layer scale; LN + 2x2/2 conv between stages; LN + FC head */
    long long cnx = conv_p(1, 32, 2, 1) + 2 * 32 + 2 * 96 + fc_p(96, 10);
    static const int dims[3] = {32, 64, 96};
    for (int st = 0; st < 3; st++) {
        int c = dims[st];
        cnx += 2 * (c * 25 + c + 2 * c + conv_p(c, 4 * c, 1, 1) + conv_p(4 * c, c, 1, 1) + c);
        if (st < 2) cnx += 2 * c + conv_p(c, dims[st + 1], 2, 1);
    }
    /* bare 3x3 stem; per unit its own BN-ReLU (2 per input channel), two 3x3
     * convs with a BN between, a 1x1 projection (no BN) at the two stage
     * changes; the final BN and the FC */
    long long pre = conv_p(1, 16, 3, 0) + 2 * 64 + fc_p(64, 10);
    for (int st = 0; st < 3; st++) {
        int c = 16 << st, cin = st ? c / 2 : 16;
        pre += 2 * cin + conv_p(cin, c, 3, 0) + 2 * c + conv_p(c, c, 3, 0); /* unit 0 */
        pre += 2 * c + 2 * conv_p(c, c, 3, 0) + 2 * c;                      /* unit 1 */
        if (st) pre += conv_p(cin, c, 1, 0);
    }
    /* stem conv + BN; per MBConv: expansion 1x1 + BN (unless x1), depthwise +
     * BN, SE cin/4 units (1x1s with bias), projection + BN; head 1x1 + BN, FC */
    long long eff = conv_p(1, 16, 3, 0) + 32 + conv_p(80, 320, 1, 0) + 640 + fc_p(320, 10);
    for (int s = 0, cin = 16; s < 4; s++)
        for (int r = 0; r < effm_st[s][4]; r++) {
            const int hid = cin * effm_st[s][0], k = effm_st[s][1], out = effm_st[s][3];
            const int sq = cin / 4 > 1 ? cin / 4 : 1;
            if (hid != cin) eff += conv_p(cin, hid, 1, 0) + 2 * hid;
            eff += (long long)hid * k * k + 2 * hid + conv_p(hid, sq, 1, 1) + conv_p(sq, hid, 1, 1);
            eff += conv_p(hid, out, 1, 0) + 2 * out;
            cin = out;
        }
    const struct { const char *name; long long params; } minis[] = {
        {"alexnet_mini", alex}, {"zfnet_mini", zf},     {"vgg_mini", vgg},
        {"resnet_mini", res},   {"mobilenet_mini", mob}, {"inception_mini", -1},
        {"densenet_mini", -1},  {"se_mini", se},         {"convnext_mini", cnx},
        {"preact_mini", pre},   {"efficientnet_mini", eff},
    };
    for (size_t i = 0; i < sizeof minis / sizeof minis[0]; i++) {
        const ModelCard *c = model_find(minis[i].name);
        CHECK(c != NULL);
        if (!c) continue;
        EngGraph *g = model_build(c, 0, 0, 0);
        CHECK(g != NULL);
        if (!g) continue;
        const EngNode *o = eng_graph_node(g, eng_graph_output(g));
        CHECK(o->out.C == 10 && c->in_c == 1 && c->in_h == 28 && c->train_cmd &&
              c->weights_data);
        if (minis[i].params >= 0) {
            if (eng_graph_totals(g).params != minis[i].params)
                fprintf(stderr, "  %s: %lld parameters, worked out %lld\n", c->name,
                        (long long)eng_graph_totals(g).params, minis[i].params);
            CHECK_EQ_I64(eng_graph_totals(g).params, minis[i].params);
        }
        eng_graph_destroy(g);
    }
}

/* MACs of the later networks, worked out from their layer lists (a k x k
 * convolution costs cin * cout * k * k per output pixel; BN, ReLU, pooling
 * and the option-A shortcut cost none), or against the papers' figures. */
static long long conv_m(int cin, int cout, int k, int hw) {
    return (long long)cin * cout * k * k * hw * hw;
}

static long long macs_of(const char *name, int C, int H, int W) {
    EngGraph *g = model_build(model_find(name), C, H, W);
    CHECK(g != NULL);
    long long m = g ? (long long)eng_graph_totals(g).macs : -1;
    eng_graph_destroy(g);
    return m;
}

/* within 1% of a published figure */
static void check_near(const char *name, long long macs, double published) {
    double rel = fabs((double)macs - published) / published;
    if (rel > 0.01) fprintf(stderr, "  %s: %lld MACs, published %.4g\n", name, macs, published);
    CHECK(rel <= 0.01);
}

static void test_history_macs(void) {
    /* CIFAR ResNets and plain nets, 6n+2 layers (He et al. sec. 4.2) */
    const int ns[5] = {3, 9, 3, 9, 18};
    const char *cifar[5] = {"plain20", "plain56", "resnet20", "resnet56", "resnet110"};
    for (int i = 0; i < 5; i++) {
        long long m = conv_m(3, 16, 3, 32) + 64 * 10;
        for (int st = 0; st < 3; st++) {
            int c = 16 << st, hw = 32 >> st, cin = st ? c / 2 : 16;
            m += conv_m(cin, c, 3, hw) + (2 * ns[i] - 1) * conv_m(c, c, 3, hw);
        }
        CHECK_EQ_I64(macs_of(cifar[i], 0, 0, 0), m);
    }
    check_near("resnet20", macs_of("resnet20", 0, 0, 0), 40.55e6); /* 40,551,040 */

    /* pre-activation ResNet-164: bottlenecks striding in the first 1x1, a
     * 1x1 projection in each stage's first unit */
    long long m = conv_m(3, 16, 3, 32) + 256 * 10;
    for (int st = 0; st < 3; st++) {
        int p = 16 << st, hw = 32 >> st, cin = st ? 2 * p : 16;
        m += conv_m(cin, p, 1, hw) + conv_m(cin, 4 * p, 1, hw);            /* unit 0 */
        m += 18 * (conv_m(p, p, 3, hw) + conv_m(p, 4 * p, 1, hw));
        m += 17 * conv_m(4 * p, p, 1, hw);
    }
    CHECK_EQ_I64(macs_of("preact_resnet164", 0, 0, 0), m);

    /* WRN-28-10: 4 blocks per group of 160, 320, 640 channels */
    m = conv_m(3, 16, 3, 32) + 640 * 10;
    for (int grp = 0; grp < 3; grp++) {
        int w = 160 << grp, hw = 32 >> grp, cin = grp ? w / 2 : 16;
        m += conv_m(cin, w, 3, hw) + conv_m(cin, w, 1, hw) + 7 * conv_m(w, w, 3, hw);
    }
    CHECK_EQ_I64(macs_of("wrn28_10", 0, 0, 0), m);

    /* pre-activation moves BN and ReLU, not convolutions: ResNet-18's MACs
     * (torchvision: 1.81 GFLOPS, multiply-adds) */
    m = macs_of("preact_resnet18", 0, 0, 0);
    CHECK_EQ_I64(m, macs_of("resnet18", 0, 0, 0));
    check_near("preact_resnet18", m, 1.814e9);

    /* SENet: Hu et al., Table 2 (GFLOPs there are multiply-adds): SE-ResNet-50
     * 3.87 (ResNet-50 3.86, strided in the first 1x1), SE-ResNeXt-50 4.25 */
    check_near("se_resnet50", macs_of("se_resnet50", 0, 0, 0), 3.87e9);
    const long long se = macs_of("se_resnext50_32x4d", 0, 0, 0);
    check_near("se_resnext50_32x4d", se, 4.25e9);
    /* and exactly ResNeXt-50 plus the SE FCs, 2 * C * C/16 in each block */
    long long fcs = 0;
    const int blocks[4] = {3, 4, 6, 3};
    for (int st = 0; st < 4; st++) fcs += blocks[st] * 2LL * (256 << st) * ((256 << st) / 16);
    CHECK_EQ_I64(se, macs_of("resnext50_32x4d", 0, 0, 0) + fcs);
}

/* MobileNetV3 (Howard et al. 2019, Tables 1 and 2): stem, bnecks (kernel,
 * expanded, out, SE, stride), last 1x1 (6 x out) and the two Linears */
typedef struct { int k, exp, out, se, stride; } V3Bneck;
static long long v3_macs(const V3Bneck *b, int n, int last) {
    int hw = 112, cin = 16;
    long long m = conv_m(3, 16, 3, 112);
    for (int i = 0; i < n; i++) {
        if (b[i].exp != cin) m += conv_m(cin, b[i].exp, 1, hw);
        hw = (hw + b[i].stride - 1) / b[i].stride;
        m += (long long)b[i].exp * b[i].k * b[i].k * hw * hw; /* depthwise */
        if (b[i].se) {                                         /* squeeze: round(exp/4) to 8 */
            int sq = (b[i].exp / 4 + 4) / 8 * 8;
            if (sq < 8) sq = 8;
            if (sq < 0.9 * (b[i].exp / 4)) sq += 8;
            m += 2LL * b[i].exp * sq;
        }
        m += conv_m(b[i].exp, b[i].out, 1, hw);
        cin = b[i].out;
    }
    return m + conv_m(cin, 6 * cin, 1, hw) + 6LL * cin * last + (long long)last * 1000;
}

/* EfficientNet-B0 (Tan and Le 2019, Table 1): stem, MBConv stages (expansion,
 * kernel, stride, out, repeats) with SE of max(1, in / 4), a 1x1 to 1280, the FC */
static long long b0_macs(void) {
    static const int st[7][5] = {{1, 3, 1, 16, 1},  {6, 3, 2, 24, 2},  {6, 5, 2, 40, 2},
                                 {6, 3, 2, 80, 3},  {6, 5, 1, 112, 3}, {6, 5, 2, 192, 4},
                                 {6, 3, 1, 320, 1}};
    int hw = 112, cin = 32;
    long long m = conv_m(3, 32, 3, 112);
    for (int s = 0; s < 7; s++)
        for (int r = 0; r < st[s][4]; r++) {
            const int hid = cin * st[s][0], k = st[s][1], sq = cin / 4 > 1 ? cin / 4 : 1;
            if (hid != cin) m += conv_m(cin, hid, 1, hw);
            if (r == 0) hw = (hw + st[s][2] - 1) / st[s][2];
            m += (long long)hid * k * k * hw * hw + 2LL * hid * sq + conv_m(hid, st[s][3], 1, hw);
            cin = st[s][3];
        }
    return m + conv_m(320, 1280, 1, 7) + 1280LL * 1000;
}

/* ConvNeXt-T (Liu et al. 2022): the 4x4/4 stem, per block a 7x7 depthwise
 * (49 C) and the two 1x1s (8 C^2) per pixel, 2x2/2 downsamplings, the FC;
 * LayerNorm, GELU and the layer scale are not multiply-adds of a layer */
static long long convnext_t_macs(void) {
    static const int dims[4] = {96, 192, 384, 768}, depths[4] = {3, 3, 9, 3};
    long long m = conv_m(3, 96, 4, 56);
    for (int s = 0, hw = 56; s < 4; s++, hw /= 2) {
        const long long C = dims[s];
        m += depths[s] * (49 * C + 8 * C * C) * hw * hw;
        if (s < 3) m += conv_m(dims[s], dims[s + 1], 2, hw / 2);
    }
    return m + 768LL * 1000;
}

static void test_modern_macs(void) {
    static const V3Bneck large[15] = {
        {3, 16, 16, 0, 1},   {3, 64, 24, 0, 2},   {3, 72, 24, 0, 1},   {5, 72, 40, 1, 2},
        {5, 120, 40, 1, 1},  {5, 120, 40, 1, 1},  {3, 240, 80, 0, 2},  {3, 200, 80, 0, 1},
        {3, 184, 80, 0, 1},  {3, 184, 80, 0, 1},  {3, 480, 112, 1, 1}, {3, 672, 112, 1, 1},
        {5, 672, 160, 1, 2}, {5, 960, 160, 1, 1}, {5, 960, 160, 1, 1}};
    static const V3Bneck small[11] = {
        {3, 16, 16, 1, 2},  {3, 72, 24, 0, 2},  {3, 88, 24, 0, 1},  {5, 96, 40, 1, 2},
        {5, 240, 40, 1, 1}, {5, 240, 40, 1, 1}, {5, 120, 48, 1, 1}, {5, 144, 48, 1, 1},
        {5, 288, 96, 1, 2}, {5, 576, 96, 1, 1}, {5, 576, 96, 1, 1}};
    long long m = macs_of("mobilenet_v3_large", 0, 0, 0);
    CHECK_EQ_I64(m, v3_macs(large, 15, 1280));
    check_near("mobilenet_v3_large", m, 0.217e9); /* torchvision's GFLOPS (multiply-adds) */
    m = macs_of("mobilenet_v3_small", 0, 0, 0);
    CHECK_EQ_I64(m, v3_macs(small, 11, 1024));
    check_near("mobilenet_v3_small", m, 0.057e9);
    m = macs_of("efficientnet_b0", 0, 0, 0);
    CHECK_EQ_I64(m, b0_macs());
    check_near("efficientnet_b0", m, 0.386e9);
    m = macs_of("convnext_tiny", 0, 0, 0);
    CHECK_EQ_I64(m, convnext_t_macs());
    check_near("convnext_tiny", m, 4.456e9);
}

static void test_counts(void) {
    CHECK_EQ_I64(model_count(), N_EXPECT + 11); /* + the eleven small trained models */
    for (int i = 0; i < N_EXPECT; i++) {
        const ModelCard *c = model_find(expect[i].name);
        CHECK(c != NULL);
        if (!c) {
            fprintf(stderr, "  missing model %s\n", expect[i].name);
            continue;
        }
        EngGraph *g = model_build(c, 0, 0, 0);
        CHECK(g != NULL);
        if (!g) {
            fprintf(stderr, "  %s does not build\n", c->name);
            continue;
        }
        EngTotals t = eng_graph_totals(g);
        if (t.params != expect[i].params)
            fprintf(stderr, "  %s: %lld parameters, expected %lld\n", c->name,
                    (long long)t.params, expect[i].params);
        CHECK_EQ_I64(t.params, expect[i].params);
        const EngNode *o = eng_graph_node(g, eng_graph_output(g));
        CHECK(o && o->out.C == expect[i].out_c && o->out.H == 1 && o->out.W == 1);
        if (expect[i].depth) CHECK_EQ_I64(eng_graph_depth(g), expect[i].depth);
        /* the input is the card's default, and it is node 0 */
        const EngNode *in = eng_graph_node(g, 0);
        CHECK(in->op == ENG_OP_INPUT && in->out.C == c->in_c && in->out.H == c->in_h &&
              in->out.W == c->in_w);
        /* weights never exceed params; MACs are positive */
        CHECK(t.weights > 0 && t.weights <= t.params && t.macs > 0);
        if (strcmp(c->name, "googlenet") != 0) CHECK_EQ_I64(t.train_only_params, 0);
        eng_graph_destroy(g);
    }
}

/* The comparison figures: single-model, single-crop ImageNet val accuracy, each with its
 * source; the ones from torchvision equal the number the source cites (its acc@1 and acc@5),
 * and no ensemble or test-set result reaches the comparison axis. */
static void test_accuracy(void) {
    int charted = 0;
    for (int i = 0; i < model_count(); i++) {
        const ModelCard *c = model_at(i);
        CHECK(c->val_top1 >= 0 && c->val_top1 < 100 && c->val_top5 >= 0 && c->val_top5 < 100);
        if (c->val_top5 > 0) CHECK(c->val_top1 > 0 && c->val_top5 > c->val_top1);
        if (c->val_top1 <= 0) continue;
        charted++;
        const char *s = c->val_source;
        CHECK(s && strstr(s, "val") && strstr(s, "crop") && strstr(s, "single model"));
        CHECK(s && !strstr(s, "ensemble") && !strstr(s, "test"));
        const char *t1 = s ? strstr(s, "top-1 ") : NULL, *t5 = s ? strstr(s, "top-5 ") : NULL;
        if (s && !strncmp(s, "torchvision ", 12)) {
            CHECK(t1 && t5 && fabs(atof(t1 + 6) - c->val_top1) < 1e-9 && fabs(atof(t5 + 6) - c->val_top5) < 1e-9);
        }
    }
    CHECK(charted >= 25);
    const ModelCard *alex = model_find("alexnet"), *v16 = model_find("vgg16"), *v19 = model_find("vgg19");
    CHECK(alex->val_top1 == 56.522 && alex->val_top5 == 79.066);
    CHECK(strstr(alex->val_source, "AlexNet_Weights.IMAGENET1K_V1") != NULL);
    CHECK(alex->top5_error == 15.3 && strstr(alex->top5_source, "ensemble")); /* kept as history */
    CHECK(v16->val_top1 == 71.592 && v16->val_top5 == 90.382);
    CHECK(v19->val_top1 == 72.376 && v19->val_top5 == 90.876);
    CHECK(v16->val_top1 != v19->val_top1);
    CHECK(model_find("squeezenet1_0")->val_top1 == 58.092 && model_find("squeezenet1_0")->val_top5 == 80.420);
    CHECK(model_find("resnet50")->val_top1 == 76.130);
    CHECK(model_find("se_resnet50")->val_top1 == 76.71 && strstr(model_find("se_resnet50")->val_source, "Table 2"));
    CHECK(model_find("mobilenet_v1")->val_top1 == 70.6 && model_find("mobilenet_v1")->val_top5 == 0 &&
          strstr(model_find("mobilenet_v1")->val_source, "Table 8"));
    /* no single-crop figure: off the chart, with the reason in the card */
    CHECK(model_find("zfnet")->val_top1 == 0 && strstr(model_find("zfnet")->val_source, "10 crops"));
    CHECK(model_find("lenet5")->val_top1 == 0);
}

/* VGG-16's card explains the notes' ~93/96 MB per image with the engine's
 * own sums, under both conventions: its figures must be the engine's. */
static void test_vgg16_memory(void) {
    const ModelCard *c = model_find("vgg16");
    EngGraph *g = model_build(c, 0, 0, 0);
    CHECK(g != NULL);
    if (!g) return;
    const int64_t all = eng_graph_totals(g).act_bytes, layers = eng_graph_layer_act_bytes(g);
    char s[4][32];
    eng_fmt_grouped(layers / 4, s[0], sizeof s[0]);
    eng_fmt_grouped(layers, s[1], sizeof s[1]);
    eng_fmt_grouped(all / 4, s[2], sizeof s[2]);
    eng_fmt_grouped(all, s[3], sizeof s[3]);
    for (int k = 0; k < 4; k++) {
        if (!strstr(c->notes, s[k])) fprintf(stderr, "  vgg16's card lacks the engine's %s\n", s[k]);
        CHECK(strstr(c->notes, s[k]) != NULL);
    }
    /* the course's listed layers: about 15.2M values, 61 MB; not its "24M" */
    CHECK(layers / 4 > 15200000 && layers / 4 < 15300000);
    CHECK(strstr(c->notes, "61 MB") && layers > 60500000 && layers < 61500000);
    eng_graph_destroy(g);
}

static void test_cards(void) {
    for (int i = 0; i < model_count(); i++) {
        const ModelCard *c = model_at(i);
        int ok = c && c->name && c->display && c->family && c->authors && c->paper && c->venue &&
                 c->key_ideas && c->notes && c->top5_source && c->build && c->year >= 1989 &&
                 c->year <= 2024 && c->in_c > 0 && c->in_h > 0 && c->in_w > 0 &&
                 (c->pre.channels == 1 || c->pre.channels == 3) && c->pre.scale > 0 &&
                 c->pre.std[0] > 0 && strlen(c->key_ideas) > 20;
        if (!ok) fprintf(stderr, "  incomplete card: %s\n", c && c->name ? c->name : "?");
        CHECK(ok);
        CHECK(model_find(c->name) == c);
        /* cards are listed in publication order */
        if (i > 0) CHECK(model_at(i - 1)->year <= c->year);
        /* a top-5 number always comes with its source */
        if (c->top5_error >= 0) CHECK(c->top5_error < 100 && strlen(c->top5_source) > 10);
    }
    CHECK(model_find("nosuchnet") == NULL);
    CHECK(model_find(NULL) == NULL);
    CHECK(model_at(-1) == NULL && model_at(model_count()) == NULL);
}

static const EngNode *node(const EngGraph *g, const char *name) {
    int id = eng_graph_find(g, name);
    if (id < 0) fprintf(stderr, "  no node '%s'\n", name);
    return id >= 0 ? eng_graph_node(g, id) : NULL;
}

static void test_structure(void) {
    /* VGG-16 receptive fields (Araujo et al., Distill 2019, Table 1) */
    EngGraph *g = model_build(model_find("vgg16"), 0, 0, 0);
    const EngNode *p5 = node(g, "pool5"), *c53 = node(g, "conv5_3");
    CHECK(p5 && p5->rf.finite && p5->rf.size == 212 && p5->rf.stride == 32 && p5->rf.pad == 90);
    CHECK(c53 && c53->rf.size == 196 && c53->rf.stride == 16);
    CHECK(node(g, "fc7") && !node(g, "fc7")->rf.finite);
    CHECK(node(g, "conv1_1") && node(g, "conv1_1")->out.C == 64);
    CHECK(p5 && p5->out.C == 512 && p5->out.H == 7 && p5->out.W == 7);
    /* parameter names match torchvision state-dict suffixes */
    const EngNode *fc6 = node(g, "fc6");
    CHECK(fc6 && fc6->n_params == 2 && !strcmp(fc6->params[0].suffix, "weight") &&
          fc6->params[0].dims[0] == 4096 && fc6->params[0].dims[1] == 25088);
    eng_graph_destroy(g);

    /* AlexNet (paper): 227 -> 55 -> 27 -> 13 -> 6, two groups in conv2 */
    g = model_build(model_find("alexnet"), 0, 0, 0);
    CHECK(node(g, "conv1") && node(g, "conv1")->out.H == 55);
    CHECK(node(g, "pool5") && node(g, "pool5")->out.H == 6);
    CHECK(node(g, "conv2") && node(g, "conv2")->p.conv.groups == 2);
    CHECK(node(g, "norm1") && node(g, "norm1")->op == ENG_OP_LRN);
    eng_graph_destroy(g);
    /* ZFNet: 110 -> 55 -> 26 -> 13 (Zeiler & Fergus, Fig. 3) */
    g = model_build(model_find("zfnet"), 0, 0, 0);
    CHECK(node(g, "conv1") && node(g, "conv1")->out.H == 110);
    CHECK(node(g, "pool1") && node(g, "pool1")->out.H == 55);
    CHECK(node(g, "conv2") && node(g, "conv2")->out.H == 26);
    CHECK(node(g, "pool2") && node(g, "pool2")->out.H == 13);
    eng_graph_destroy(g);

    /* GoogLeNet: inception outputs of Table 1, auxiliary heads training-only */
    g = model_build(model_find("googlenet"), 0, 0, 0);
    const EngNode *i3a = node(g, "inception_3a"), *i5b = node(g, "inception_5b");
    CHECK(i3a && i3a->op == ENG_OP_CONCAT && i3a->out.C == 256 && i3a->out.H == 28);
    CHECK(i5b && i5b->out.C == 1024 && i5b->out.H == 7);
    CHECK(node(g, "aux1.fc2") && (node(g, "aux1.fc2")->flags & ENG_NODE_TRAIN_ONLY));
    CHECK(node(g, "aux2.fc2") && (node(g, "aux2.fc2")->flags & ENG_NODE_TRAIN_ONLY));
    CHECK(!(node(g, "fc")->flags & ENG_NODE_TRAIN_ONLY));
    CHECK_EQ_I64(eng_graph_totals(g).train_only_params, 6379728);
    eng_graph_destroy(g);

    /* ResNet: the block outputs and their shapes; the add's branches align */
    g = model_build(model_find("resnet18"), 0, 0, 0);
    const EngNode *l31 = node(g, "layer3.1");
    CHECK(l31 && l31->out.C == 256 && l31->out.H == 14);
    CHECK(node(g, "layer2.0.downsample.0") != NULL);
    CHECK(eng_graph_find(g, "layer1.0.downsample.0") < 0); /* identity shortcut */
    CHECK(node(g, "layer2.0.add") && !node(g, "layer2.0.add")->rf.misaligned);
    eng_graph_destroy(g);
    g = model_build(model_find("resnext50_32x4d"), 0, 0, 0);
    CHECK(node(g, "layer1.0.conv2") && node(g, "layer1.0.conv2")->p.conv.groups == 32 &&
          node(g, "layer1.0.conv2")->out.C == 128);
    eng_graph_destroy(g);

    /* DenseNet-121: block outputs 256, 512, 1024, 1024 channels */
    g = model_build(model_find("densenet121"), 0, 0, 0);
    const EngNode *d2 = node(g, "denseblock2");
    CHECK(d2 && d2->op == ENG_OP_CONCAT && d2->out.C == 512 && d2->out.H == 28);
    CHECK(node(g, "denseblock4") && node(g, "denseblock4")->out.C == 1024);
    CHECK(node(g, "transition1.pool") && node(g, "transition1.pool")->out.C == 128);
    eng_graph_destroy(g);

    /* MobileNets: depthwise convolutions have one group per channel */
    g = model_build(model_find("mobilenet_v2"), 0, 0, 0);
    const EngNode *dw = node(g, "features.2.conv.1.0");
    CHECK(dw && dw->p.conv.groups == 96 && dw->out.C == 96);
    CHECK(node(g, "features.3") && node(g, "features.3")->op == ENG_OP_ADD);
    eng_graph_destroy(g);
    g = model_build(model_find("mobilenet_v1"), 0, 0, 0);
    CHECK(node(g, "conv13_pw") && node(g, "conv13_pw")->out.C == 1024 &&
          node(g, "conv13_pw")->out.H == 7);
    eng_graph_destroy(g);
    g = model_build(model_find("squeezenet1_0"), 0, 0, 0);
    CHECK(node(g, "fire9") && node(g, "fire9")->out.C == 512 && node(g, "fire9")->out.H == 13);
    eng_graph_destroy(g);

    /* LeNet-5: the paper's sizes */
    g = model_build(model_find("lenet5"), 0, 0, 0);
    CHECK(node(g, "c1") && node(g, "c1")->out.C == 6 && node(g, "c1")->out.H == 28);
    CHECK(node(g, "s4") && node(g, "s4")->out.H == 5);
    CHECK(node(g, "c5") && node(g, "c5")->out.C == 120 && node(g, "c5")->out.H == 1);
    eng_graph_destroy(g);
}

/* LeNet-5 as the notes write it beside the paper's: counts and MACs from the
 * layer lists, the Keras code's shrinking maps, the modern fixes, and the
 * Keras card's layer-by-layer explanation carrying the engine's numbers. */
static void test_lenet_variants(void) {
    /* valid convolutions on 28x28: 24, 12, 8, 4; C5 1x1; F6 reads 120x4x4 */
    const long long keras_p = conv_p(1, 6, 5, 1) + conv_p(6, 16, 5, 1) + conv_p(16, 120, 1, 1) +
                              fc_p(120 * 4 * 4, 84) + fc_p(84, 10);
    const long long paper_p = conv_p(1, 6, 5, 1) + conv_p(6, 16, 5, 1) + conv_p(16, 120, 5, 1) +
                              fc_p(120, 84) + fc_p(84, 10);
    CHECK_EQ_I64(keras_p, 166826);
    CHECK_EQ_I64(paper_p, 61706);
    const long long keras_m = conv_m(1, 6, 5, 24) + conv_m(6, 16, 5, 8) + conv_m(16, 120, 1, 4) +
                              1920LL * 84 + 84 * 10;
    const long long paper_m = conv_m(1, 6, 5, 28) + conv_m(6, 16, 5, 10) + conv_m(16, 120, 5, 1) +
                              120LL * 84 + 84 * 10;
    CHECK_EQ_I64(macs_of("lenet5_keras", 0, 0, 0), keras_m);
    CHECK_EQ_I64(macs_of("lenet5_modern", 0, 0, 0), paper_m);
    CHECK_EQ_I64(macs_of("lenet5", 0, 0, 0), paper_m);

    EngGraph *k = model_build(model_find("lenet5_keras"), 0, 0, 0);
    EngGraph *m = model_build(model_find("lenet5_modern"), 0, 0, 0);
    EngGraph *p = model_build(model_find("lenet5"), 0, 0, 0);
    CHECK(k && m && p);
    if (!k || !m || !p) goto done;
    const char *maps[4] = {"c1", "s2", "c3", "s4"};
    const int sizes[4] = {24, 12, 8, 4};
    for (int i = 0; i < 4; i++) CHECK(node(k, maps[i]) && node(k, maps[i])->out.H == sizes[i]);
    const EngNode *c5 = node(k, "c5"), *fl = node(k, "flatten"), *f6 = node(k, "f6");
    CHECK(c5 && c5->p.conv.kh == 1 && c5->out.C == 120 && c5->out.H == 4 && c5->out.W == 4);
    /* the paper's 5x5 C5 does not fit that 4x4 map: hence the notes' 1x1 */
    last_error[0] = 0;
    EngGraph *no = model_build(model_find("lenet5"), 1, 28, 28);
    CHECK(no == NULL && strstr(last_error, "'c5'") != NULL);
    eng_graph_destroy(no);
    CHECK(fl && fl->op == ENG_OP_FLATTEN && fl->out.C == 1920);
    CHECK(f6 && f6->params[0].dims[0] == 84 && f6->params[0].dims[1] == 1920);
    /* the Keras code keeps tanh and average pooling; the modern one swaps both */
    CHECK(node(k, "s2") && node(k, "s2")->op == ENG_OP_AVGPOOL && node(k, "f6_tanh") &&
          node(k, "f6_tanh")->op == ENG_OP_TANH);
    CHECK(node(m, "s2") && node(m, "s2")->op == ENG_OP_MAXPOOL && node(m, "s4") &&
          node(m, "s4")->op == ENG_OP_MAXPOOL && node(m, "s4")->out.H == 5);
    int tanh_m = 0, relu_m = 0;
    for (int i = 0; i < eng_graph_node_count(m); i++) {
        tanh_m += eng_graph_node(m, i)->op == ENG_OP_TANH;
        relu_m += eng_graph_node(m, i)->op == ENG_OP_RELU;
    }
    CHECK(tanh_m == 0 && relu_m == 4);
    CHECK(node(m, "c5") && node(m, "c5")->p.conv.kh == 5 && node(m, "c5")->out.H == 1);

    /* the Keras card names every weighted layer's count, its and the paper's,
     * as the engine computes them, and both totals */
    const char *notes = model_find("lenet5_keras")->notes;
    const char *layers[5] = {"c1", "c3", "c5", "f6", "output"};
    const char *labels[5] = {"C1 ", "C3 ", "C5 ", "F6 ", "output "};
    EngGraph *both[2] = {k, p};
    char num[32], want[48];
    for (int j = 0; j < 2; j++) {
        for (int i = 0; i < 5; i++) {
            const EngNode *n = node(both[j], layers[i]);
            if (!n) continue;
            snprintf(want, sizeof want, "%s%s", labels[i], eng_fmt_grouped(eng_node_params(n), num, sizeof num));
            if (!strstr(notes, want)) fprintf(stderr, "  lenet5_keras's card lacks '%s'\n", want);
            CHECK(strstr(notes, want) != NULL);
        }
        eng_fmt_grouped(eng_graph_totals(both[j]).params, num, sizeof num);
        CHECK(strstr(notes, num) != NULL);
    }
done:
    eng_graph_destroy(k);
    eng_graph_destroy(m);
    eng_graph_destroy(p);
}

/* The later networks' distinctive pieces: option-A shortcuts, plain nets
 * without adds, pre-activation units, SE modules. */
/* SE widths, ConvNeXt's layer scale (torchvision's name, shape and 1e-6
 * start) and its LayerNorms */
static void test_modern_structure(void) {
    EngGraph *g = model_build(model_find("mobilenet_v3_large"), 0, 0, 0);
    const EngNode *fc1 = node(g, "features.4.block.2.fc1"); /* 72 / 4 = 18 -> 24 */
    const EngNode *gate = node(g, "features.4.block.2.scale_activation");
    CHECK(fc1 && fc1->out.C == 24 && gate && gate->op == ENG_OP_HARDSIGMOID);
    CHECK(node(g, "features.2.block.1.0") && node(g, "features.2.block.1.0")->p.conv.groups == 64);
    eng_graph_destroy(g);
    g = model_build(model_find("efficientnet_b0"), 0, 0, 0);
    fc1 = node(g, "features.2.0.block.2.fc1"); /* block input 16: 4 */
    CHECK(fc1 && fc1->out.C == 4 && node(g, "features.2.0.block.2.activation") &&
          node(g, "features.2.0.block.2.activation")->op == ENG_OP_SILU);
    CHECK(node(g, "features.2.1") && node(g, "features.2.1")->op == ENG_OP_ADD);
    eng_graph_destroy(g);
    g = model_build(model_find("convnext_tiny"), 0, 0, 0);
    const EngNode *ls = node(g, "features.5.8");
    CHECK(ls && ls->op == ENG_OP_LAYERSCALE && ls->n_params == 1 &&
          strcmp(ls->params[0].suffix, "layer_scale") == 0 && ls->params[0].ndim == 3 &&
          ls->params[0].dims[0] == 384 && ls->params[0].dims[1] == 1 && ls->out.H == 14);
    const EngNode *head = node(g, "classifier.0"), *ln = node(g, "features.7.2.block.2");
    CHECK(head && head->op == ENG_OP_LAYERNORM && head->out.C == 768 && head->out.H == 1 &&
          head->p.ln.eps == 1e-6f);
    CHECK(ln && ln->op == ENG_OP_LAYERNORM && ln->out.C == 768 && ln->out.H == 7);
    CHECK(eng_graph_init_params(g, 1) == 0);
    ls = node(g, "features.1.0");
    CHECK(ls && ls->params[0].data[0] == 1e-6f && ls->params[0].data[95] == 1e-6f);
    eng_graph_destroy(g);
}

static void test_history_structure(void) {
    EngGraph *g = model_build(model_find("resnet20"), 0, 0, 0);
    const EngNode *pad = node(g, "layer2.0.shortcut.pad");
    CHECK(pad && pad->op == ENG_OP_PAD && pad->out.C == 32 && pad->out.H == 16 &&
          pad->p.pad.cb == 0 && pad->p.pad.ca == 16 && pad->p.pad.value == 0.0f);
    CHECK(pad && eng_node_params(pad) == 0 && pad->macs == 0);
    CHECK(node(g, "layer3.0.shortcut.subsample") &&
          node(g, "layer3.0.shortcut.subsample")->out.H == 8);
    CHECK(eng_graph_find(g, "layer1.0.shortcut.pad") < 0); /* identity */
    /* the subsampled, padded shortcut lines up with the strided branch */
    const EngNode *add = node(g, "layer2.0.add"), *l32 = node(g, "layer3.2");
    CHECK(add && add->rf.finite && !add->rf.misaligned);
    /* 19 3x3 convolutions, by the Distill recursion r = 1 + sum (k - 1) * jump:
     * 8 see jump 1 (conv1, stage 1, stage 2's strided first), 6 jump 2, 5 jump 4 */
    CHECK(l32 && l32->rf.finite && l32->rf.size == 1 + 2 * (8 + 6 * 2 + 5 * 4) &&
          l32->rf.stride == 4);
    eng_graph_destroy(g);
    g = model_build(model_find("plain56"), 0, 0, 0);
    int adds = 0;
    for (int i = 0; g && i < eng_graph_node_count(g); i++)
        adds += eng_graph_node(g, i)->op == ENG_OP_ADD || eng_graph_node(g, i)->op == ENG_OP_PAD;
    CHECK(g && adds == 0);
    CHECK(node(g, "layer3.8") && node(g, "layer3.8")->out.C == 64 && node(g, "layer3.8")->out.H == 8);
    eng_graph_destroy(g);

    /* pre-activation: the unit's output is the add itself; a projection
     * reads the shared BN-ReLU */
    g = model_build(model_find("preact_resnet164"), 0, 0, 0);
    const EngNode *u = node(g, "layer2.0"), *sc = node(g, "layer2.0.shortcut");
    CHECK(u && u->op == ENG_OP_ADD && u->out.C == 128 && u->out.H == 16);
    CHECK(sc && sc->p.conv.sh == 2 && sc->inputs[0] == eng_graph_find(g, "layer2.0.relu1"));
    CHECK(node(g, "layer2.0.conv1") && node(g, "layer2.0.conv1")->p.conv.sh == 2);
    CHECK(node(g, "layer1.0.shortcut") && node(g, "layer1.0.shortcut")->out.C == 64);
    CHECK(eng_graph_find(g, "layer1.1.shortcut") < 0);
    CHECK(node(g, "final_relu") && node(g, "final_relu")->out.C == 256);
    eng_graph_destroy(g);
    g = model_build(model_find("preact_resnet18"), 0, 0, 0);
    CHECK(eng_graph_find(g, "layer1.0.bn1") < 0 && node(g, "layer1.1.bn1") != NULL);
    CHECK(node(g, "layer4.1") && node(g, "layer4.1")->out.C == 512 &&
          node(g, "layer4.1")->out.H == 7);
    eng_graph_destroy(g);
    g = model_build(model_find("wrn28_10"), 0, 0, 0);
    CHECK(node(g, "group0.block0.convdim") && node(g, "group0.block0.convdim")->out.C == 160);
    CHECK(node(g, "group2.block3") && node(g, "group2.block3")->out.C == 640 &&
          node(g, "group2.block3")->out.H == 8);
    eng_graph_destroy(g);

    /* SE: squeeze to (C,1,1), C/16 in the middle, a per-channel gate */
    g = model_build(model_find("se_resnet50"), 0, 0, 0);
    const EngNode *fc1 = node(g, "layer1.0.se_module.fc1"), *mul = node(g, "layer1.0.se_module");
    CHECK(fc1 && fc1->op == ENG_OP_CONV && fc1->out.C == 16 && fc1->out.H == 1 &&
          fc1->p.conv.has_bias);
    CHECK(mul && mul->op == ENG_OP_MUL && mul->out.C == 256 && mul->out.H == 56);
    CHECK(node(g, "layer4.2.se_module.fc1") && node(g, "layer4.2.se_module.fc1")->out.C == 128);
    /* the gate sees the whole image: the field is global from there on */
    CHECK(mul && !mul->rf.finite);
    /* Caffe's ResNet: the stride in the first 1x1 */
    CHECK(node(g, "layer2.0.conv1") && node(g, "layer2.0.conv1")->p.conv.sh == 2);
    CHECK(node(g, "layer0.pool") && node(g, "layer0.pool")->out.H == 56);
    eng_graph_destroy(g);
    g = model_build(model_find("se_resnext50_32x4d"), 0, 0, 0);
    CHECK(node(g, "layer2.0.conv2") && node(g, "layer2.0.conv2")->p.conv.sh == 2 &&
          node(g, "layer2.0.conv2")->p.conv.groups == 32);
    eng_graph_destroy(g);
}

/* The later networks' MACs worked out layer by layer (a depthwise 3x3 costs
 * 9 per output value, a pointwise 1x1 cin per output value). */
static long long sep_m(int cin, int cout, int hw) {
    return ((long long)9 * cin + (long long)cin * cout) * hw * hw;
}

static void test_depth_macs(void) {
    /* Xception at 299: 149 and 147 after the valid stem convolutions, then
     * 74, 37, 19 and 10 after the "same" stride-2 pools */
    long long m = conv_m(3, 32, 3, 149) + conv_m(32, 64, 3, 147);
    m += conv_m(64, 128, 1, 74) + sep_m(64, 128, 147) + sep_m(128, 128, 147);
    m += conv_m(128, 256, 1, 37) + sep_m(128, 256, 74) + sep_m(256, 256, 74);
    m += conv_m(256, 728, 1, 19) + sep_m(256, 728, 37) + sep_m(728, 728, 37);
    m += 24 * sep_m(728, 728, 19);
    m += conv_m(728, 1024, 1, 10) + sep_m(728, 728, 19) + sep_m(728, 1024, 19);
    m += sep_m(1024, 1536, 10) + sep_m(1536, 2048, 10) + 2048LL * 1000;
    CHECK_EQ_I64(macs_of("xception", 0, 0, 0), m);
    EngGraph *g = model_build(model_find("xception"), 0, 0, 0);
    const EngNode *p3 = node(g, "block3_pool"), *dw = node(g, "block5_sepconv1.depthwise");
    CHECK(p3 && p3->out.H == 37 && p3->p.pool.pt == 0 && p3->p.pool.pb == 1);
    CHECK(dw && dw->p.conv.groups == 728 && !dw->p.conv.has_bias && eng_node_params(dw) == 728 * 9);
    eng_graph_destroy(g);

    /* stochastic depth: a drop path on each of the 54 branches, survival
     * falling linearly to 0.5; the expected depth in training (sum of p_l)
     * is the card's figure */
    CHECK_EQ_I64(macs_of("resnet110_sd", 0, 0, 0), macs_of("resnet110", 0, 0, 0));
    g = model_build(model_find("resnet110_sd"), 0, 0, 0);
    double expected = 0;
    int paths = 0;
    const EngNode *last = node(g, "layer3.17.drop_path"), *first = node(g, "layer1.0.drop_path");
    for (int k = 0; g && k < eng_graph_node_count(g); k++)
        if (eng_graph_node(g, k)->op == ENG_OP_DROP_PATH) {
            expected += eng_graph_node(g, k)->p.droppath.keep;
            paths++;
        }
    CHECK_EQ_I64(paths, 54);
    CHECK(last && last->p.droppath.keep == 0.5f);
    CHECK(first && fabsf(first->p.droppath.keep - (1.0f - 0.5f / 54)) < 1e-6f);
    CHECK(fabs(expected - 40.25) < 1e-4);
    char fig[32];
    snprintf(fig, sizeof fig, "%.2f of 54", expected);
    CHECK(strstr(model_find("resnet110_sd")->notes, fig) != NULL);
    eng_graph_destroy(g);

    /* FractalNet: in each block 3 convolutions from the block's input and 4
     * inside, all at the block's input size (the pool ends the block) */
    const int ff[5] = {64, 128, 256, 512, 512};
    m = 512LL * 10;
    long long convw = 0;
    for (int b = 0, cin = 3; b < 5; cin = ff[b], b++) {
        m += 3 * conv_m(cin, ff[b], 3, 32 >> b) + 4 * conv_m(ff[b], ff[b], 3, 32 >> b);
        convw += 3LL * cin * ff[b] * 9 + 4LL * ff[b] * ff[b] * 9;
    }
    CHECK_EQ_I64(macs_of("fractalnet", 0, 0, 0), m);
    CHECK_EQ_I64(convw, 33698880); /* the generator's 33.7M */
    g = model_build(model_find("fractalnet"), 0, 0, 0);
    const EngNode *j1 = node(g, "block2.join1"), *j3 = node(g, "block5.join3");
    CHECK(j1 && j1->op == ENG_OP_JOIN && j1->n_inputs == 2 && j1->p.join.drop == 0.15f &&
          j1->out.C == 128 && j1->out.H == 16);
    CHECK(j3 && j3->op == ENG_OP_JOIN && j3->n_inputs == 3 && j3->out.C == 512 && j3->out.H == 1);
    long long w = 0;
    for (int k = 0; g && k < eng_graph_node_count(g); k++)
        if (eng_graph_node(g, k)->op == ENG_OP_CONV) w += (long long)eng_graph_node(g, k)->params[0].n;
    CHECK_EQ_I64(w, convw);
    eng_graph_destroy(g);

    /* CSPNet: the paper's BFLOPs at 256x256 are 2 x MACs (7.93, 13.07), its
     * parameters leave batch norm out (20.50M, 27.61M) */
    const char *csp[2] = {"cspresnext50", "cspdarknet53"};
    const double bflops[2] = {7.93e9, 13.07e9}, mparams[2] = {20.50e6, 27.61e6};
    for (int i = 0; i < 2; i++) {
        check_near(csp[i], 2 * macs_of(csp[i], 0, 0, 0), bflops[i]);
        g = model_build(model_find(csp[i]), 0, 0, 0);
        long long bn = 0;
        for (int k = 0; g && k < eng_graph_node_count(g); k++)
            if (eng_graph_node(g, k)->op == ENG_OP_BN) bn += eng_node_params(eng_graph_node(g, k));
        const long long p = g ? (long long)eng_graph_totals(g).params : 0;
        CHECK(fabs((double)(p - bn) - mparams[i]) < 0.005e6); /* rounds to the paper's */
        /* the card's words are the engine's numbers */
        char num[32];
        const char *notes = model_find(csp[i])->notes;
        CHECK(strstr(notes, eng_fmt_grouped(p - bn, num, sizeof num)) != NULL);
        CHECK(strstr(notes, eng_fmt_grouped(bn, num, sizeof num)) != NULL);
        CHECK(strstr(notes, eng_fmt_grouped(macs_of(csp[i], 0, 0, 0), num, sizeof num)) != NULL);
        eng_graph_destroy(g);
    }
    /* the authors' first stage: 64 channels into the blocks, the first
     * shortcut zero-padded to 128; the split halves of later stages */
    g = model_build(model_find("cspresnext50"), 0, 0, 0);
    const EngNode *sp = node(g, "stages.0.blocks.0.shortcut_pad"),
                  *cross = node(g, "stages.0.conv_cross.conv"),
                  *half = node(g, "stages.2.conv_part.conv"), *c2 = node(g, "stages.1.blocks.0.conv2.conv");
    CHECK(sp && sp->out.C == 128 && sp->p.pad.ca == 64 && eng_graph_find(g, "stages.0.blocks.1.shortcut_pad") < 0);
    CHECK(cross && cross->out.C == 128 && cross->out.H == 64);
    CHECK(half && half->op == ENG_OP_CONV && half->out.C == 512 && half->out.H == 16);
    CHECK(c2 && c2->p.conv.groups == 32 && c2->out.C == 256);
    eng_graph_destroy(g);
    g = model_build(model_find("cspdarknet53"), 0, 0, 0);
    const EngNode *act = node(g, "stages.4.blocks.3.conv2.act"), *out4 = node(g, "stages.4.conv_transition.act");
    CHECK(act && act->op == ENG_OP_MISH && act->out.C == 512 && act->out.H == 8);
    CHECK(out4 && out4->out.C == 1024 && out4->out.H == 8);
    eng_graph_destroy(g);
}

/* The option-A shortcut in a forward pass: the subsampled input, then zeros. */
static void test_option_a_forward(void) {
    EngGraph *g = model_build(model_find("resnet20"), 0, 0, 0);
    CHECK(g && eng_graph_init_params(g, 5) == 0 && eng_graph_plan(g, 2) == 0);
    if (!g) return;
    float *x = eng_graph_input_buffer(g, 0);
    for (int i = 0; i < 2 * 3 * 32 * 32; i++) x[i] = sinf(0.11f * (float)i);
    CHECK(eng_graph_forward(g) == 0);
    const EngNode *in = node(g, "layer1.2"), *pad = node(g, "layer2.0.shortcut.pad");
    if (in && pad) {
        int bad = 0;
        for (int n = 0; n < 2; n++)
            for (int c = 0; c < 32; c++)
                for (int h = 0; h < 16; h++)
                    for (int w = 0; w < 16; w++) {
                        float got = pad->act[((n * 32 + c) * 16 + h) * 16 + w];
                        float want = c < 16 ? in->act[((n * 16 + c) * 32 + 2 * h) * 32 + 2 * w] : 0;
                        bad += got != want;
                    }
        CHECK_EQ_I64(bad, 0);
    }
    eng_graph_destroy(g);
}

static void test_other_inputs(void) {
    /* global pooling heads take any size that survives the downsampling */
    EngGraph *g = model_build(model_find("resnet18"), 3, 64, 64);
    CHECK(g != NULL);
    if (g) {
        CHECK_EQ_I64(eng_graph_totals(g).params, 11689512);
        eng_graph_destroy(g);
    }
    /* VGG's FC head is sized from the flattened input */
    g = model_build(model_find("vgg16"), 3, 64, 64);
    CHECK(g != NULL);
    if (g) {
        CHECK_EQ_I64(eng_graph_node(g, eng_graph_find(g, "fc6"))->params[0].dims[1], 512 * 2 * 2);
        eng_graph_destroy(g);
    }
    /* too small: NULL with the failing node logged, never a crash. (Networks
     * whose every window is padded, like ResNet-50 and MobileNet v2, shrink
     * an 8x8 input to 1x1 and legitimately build.) */
    const char *small[] = {"vgg16", "alexnet", "googlenet", "densenet121", "squeezenet1_0",
                           "lenet5", "zfnet"};
    for (size_t i = 0; i < sizeof small / sizeof small[0]; i++) {
        g = model_build(model_find(small[i]), 3, 8, 8);
        if (g) fprintf(stderr, "  %s built on 3x8x8\n", small[i]);
        CHECK(g == NULL);
        eng_graph_destroy(g);
    }
    /* VGG-16 at 16x16: pool4 leaves 1x1, so pool5's 2x2 window cannot fit; the
     * message names the node that fails */
    last_error[0] = 0;
    g = model_build(model_find("vgg16"), 3, 16, 16);
    CHECK(g == NULL);
    eng_graph_destroy(g);
    if (!strstr(last_error, "'pool5'")) fprintf(stderr, "  logged: '%s'\n", last_error);
    CHECK(strstr(last_error, "'pool5'") != NULL);
    CHECK(model_build(NULL, 0, 0, 0) == NULL);
    /* a huge input is refused by the engine's size checks, not by malloc */
    g = model_build(model_find("lenet5"), 1, 1 << 20, 1 << 20);
    CHECK(g == NULL);
}

static void test_lenet_forward(void) {
    EngGraph *g = model_build(model_find("lenet5"), 0, 0, 0);
    CHECK(g && eng_graph_init_params(g, 3) == 0 && eng_graph_plan(g, 2) == 0);
    if (!g) return;
    float *x = eng_graph_input_buffer(g, 0);
    for (int i = 0; i < 2 * 32 * 32; i++) x[i] = (float)((i * 37) % 255) / 255.0f;
    CHECK(eng_graph_forward(g) == 0);
    const EngNode *o = eng_graph_node(g, eng_graph_output(g));
    int finite = 1, differ = 0;
    for (int i = 0; i < 20; i++) finite &= isfinite(o->act[i]) != 0;
    for (int i = 0; i < 10; i++) differ |= o->act[i] != o->act[10 + i];
    CHECK(finite && differ);
    /* the reference kernels give the same logits */
    float fast[20];
    memcpy(fast, o->act, sizeof fast);
    eng_graph_set_reference(g, 1);
    CHECK(eng_graph_forward(g) == 0);
    check_close("lenet5 logits", fast, o->act, 20, 1e-4f, 1e-4f);
    eng_graph_destroy(g);
}

/* Fast kernels against the naive twins on whole zoo networks at a small input. */
static void test_reference_forward(const char *name, int C, int H, int W) {
    EngGraph *g = model_build(model_find(name), C, H, W);
    CHECK(g != NULL);
    if (!g) return;
    CHECK(eng_graph_init_params(g, 11) == 0 && eng_graph_plan(g, 1) == 0);
    float *x = eng_graph_input_buffer(g, 0);
    for (int i = 0; i < C * H * W; i++) x[i] = sinf(0.37f * (float)i);
    CHECK(eng_graph_forward(g) == 0);
    const EngNode *o = eng_graph_node(g, eng_graph_output(g));
    size_t n = (size_t)o->out.C;
    float *fast = malloc(n * sizeof *fast);
    memcpy(fast, o->act, n * sizeof *fast);
    eng_graph_set_reference(g, 1);
    CHECK(eng_graph_forward(g) == 0);
    char what[64];
    snprintf(what, sizeof what, "%s output", name);
    /* He-initialised deep nets amplify float rounding differences */
    float scale = 0;
    for (size_t i = 0; i < n; i++) scale = fmaxf(scale, fabsf(o->act[i]));
    check_close(what, fast, o->act, n, 1e-4f * (1 + scale), 1e-3f);
    free(fast);
    eng_graph_destroy(g);
}

/* A whole network at its full input with Winograd (the default) and with
 * the direct path forced: the outputs agree within the tolerance the fast
 * kernels keep against the naive ones (and the ONNX tests against PyTorch,
 * 1e-4 + 1e-3 |want|, scaled here by the He-initialised logits' size). */
static void test_winograd_forward(const char *name) {
    EngGraph *g = model_build(model_find(name), 0, 0, 0);
    CHECK(g != NULL);
    if (!g) return;
    CHECK(eng_graph_init_params(g, 5) == 0 && eng_graph_plan(g, 1) == 0);
    const EngNode *in = eng_graph_node(g, 0), *o = eng_graph_node(g, eng_graph_output(g));
    float *x = eng_graph_input_buffer(g, 0);
    for (int i = 0; i < in->out.C * in->out.H * in->out.W; i++) x[i] = sinf(0.37f * (float)i);
    CHECK(eng_graph_forward(g) == 0);
    int wino = 0, convs = 0;
    for (int k = 0; k < eng_graph_node_count(g); k++) {
        const char *a = eng_graph_conv_algo(g, k);
        convs += eng_graph_node(g, k)->op == ENG_OP_CONV;
        wino += a && !strcmp(a, "winograd");
    }
    CHECK(wino > 0 && wino < convs); /* the first 3-channel layer stays direct */
    const size_t n = (size_t)o->out.C;
    float *fast = malloc(n * sizeof *fast);
    memcpy(fast, o->act, n * sizeof *fast);
    eng_graph_set_winograd(g, 0);
    CHECK(eng_graph_forward(g) == 0);
    for (int k = 0; k < eng_graph_node_count(g); k++) {
        const char *a = eng_graph_conv_algo(g, k);
        CHECK(!a || strcmp(a, "winograd"));
    }
    float scale = 0, err = 0;
    for (size_t i = 0; i < n; i++) {
        scale = fmaxf(scale, fabsf(o->act[i]));
        err = fmaxf(err, fabsf(fast[i] - o->act[i]));
    }
    char what[64];
    snprintf(what, sizeof what, "%s output, Winograd against direct", name);
    check_close(what, fast, o->act, n, 1e-4f * (1 + scale), 1e-3f);
    printf("%s: %d of %d convolutions Winograd; worst output error %.3g of the logits' scale %.3g\n",
           name, wino, convs, scale > 0 ? err / scale : err, scale);
    free(fast);
    eng_graph_destroy(g);
}

/* The papers' named variants, worked out from their layer lists: ZFNet widened
 * (Zeiler & Fergus, Table 3) and VGG configuration C (Simonyan & Zisserman,
 * Table 1), against the networks they vary. */
static void test_variants(void) {
    /* ZFNet: 110, 26 and 13 after conv1, conv2, conv3-5; 6x6 after pool5 */
    long long p = conv_p(3, 96, 7, 1) + conv_p(96, 256, 5, 1) + conv_p(256, 512, 3, 1) +
                  conv_p(512, 1024, 3, 1) + conv_p(1024, 512, 3, 1) + fc_p(512 * 6 * 6, 4096) +
                  fc_p(4096, 4096) + fc_p(4096, 1000);
    long long m = conv_m(3, 96, 7, 110) + conv_m(96, 256, 5, 26) + conv_m(256, 512, 3, 13) +
                  conv_m(512, 1024, 3, 13) + conv_m(1024, 512, 3, 13) +
                  512LL * 6 * 6 * 4096 + 4096LL * 4096 + 4096LL * 1000;
    EngGraph *g = model_build(model_find("zfnet_wide"), 0, 0, 0);
    CHECK(g != NULL);
    if (g) {
        CHECK_EQ_I64(eng_graph_totals(g).params, p);
        CHECK_EQ_I64(eng_graph_totals(g).macs, m);
        CHECK(node(g, "conv3") && node(g, "conv3")->out.C == 512);
        CHECK(node(g, "conv4") && node(g, "conv4")->out.C == 1024 && node(g, "conv4")->out.H == 13);
        CHECK(node(g, "pool5") && node(g, "pool5")->out.C == 512 && node(g, "pool5")->out.H == 6);
        CHECK(node(g, "conv1") && node(g, "conv1")->p.conv.kh == 7 && node(g, "conv1")->p.conv.sh == 2);
    }
    eng_graph_destroy(g);
    /* only conv3-5 differ from zfnet */
    CHECK_EQ_I64(p - (conv_p(256, 512, 3, 1) + conv_p(512, 1024, 3, 1) + conv_p(1024, 512, 3, 1) +
                      fc_p(512 * 6 * 6, 4096)),
                 62357608LL - (conv_p(256, 384, 3, 1) + conv_p(384, 384, 3, 1) +
                               conv_p(384, 256, 3, 1) + fc_p(256 * 6 * 6, 4096)));

    /* VGG C: D with a 1x1 third conv in groups 3 (56x56), 4 (28x28) and 5 (14x14) */
    m = conv_m(3, 64, 3, 224) + conv_m(64, 64, 3, 224) + conv_m(64, 128, 3, 112) +
        conv_m(128, 128, 3, 112) + conv_m(128, 256, 3, 56) + conv_m(256, 256, 3, 56) +
        conv_m(256, 256, 1, 56) + conv_m(256, 512, 3, 28) + conv_m(512, 512, 3, 28) +
        conv_m(512, 512, 1, 28) + 2 * conv_m(512, 512, 3, 14) + conv_m(512, 512, 1, 14) +
        25088LL * 4096 + 4096LL * 4096 + 4096LL * 1000;
    p = conv_p(3, 64, 3, 1) + conv_p(64, 64, 3, 1) + conv_p(64, 128, 3, 1) +
        conv_p(128, 128, 3, 1) + conv_p(128, 256, 3, 1) + conv_p(256, 256, 3, 1) +
        conv_p(256, 256, 1, 1) + conv_p(256, 512, 3, 1) + 3 * conv_p(512, 512, 3, 1) +
        2 * conv_p(512, 512, 1, 1) + fc_p(25088, 4096) + fc_p(4096, 4096) + fc_p(4096, 1000);
    g = model_build(model_find("vgg16_c"), 0, 0, 0);
    CHECK(g != NULL);
    if (g) {
        CHECK_EQ_I64(eng_graph_totals(g).params, p);
        CHECK_EQ_I64(eng_graph_totals(g).macs, m);
        const char *one[3] = {"conv3_3", "conv4_3", "conv5_3"};
        for (int i = 0; i < 3; i++) {
            const EngNode *n = node(g, one[i]);
            CHECK(n && n->p.conv.kh == 1 && n->p.conv.kw == 1 && n->p.conv.pt == 0 && n->p.conv.pr == 0);
        }
        CHECK(node(g, "conv5_2") && node(g, "conv5_2")->p.conv.kh == 3);
        CHECK(node(g, "pool5") && node(g, "pool5")->out.H == 7 && node(g, "pool5")->out.C == 512);
        /* a 1x1 adds no field: conv5_3 sees what conv5_2 sees */
        CHECK(node(g, "conv5_3") && node(g, "conv5_2") &&
              node(g, "conv5_3")->rf.size == node(g, "conv5_2")->rf.size);
    }
    eng_graph_destroy(g);
    CHECK_EQ_I64(macs_of("vgg16", 0, 0, 0) - m,
                 8LL * (256 * 256 * 56 * 56 + 512 * 512 * 28 * 28 + 512 * 512 * 14 * 14));

    /* both papers' figures are not single-crop: history in the card, off the chart */
    const ModelCard *zw = model_find("zfnet_wide"), *vc = model_find("vgg16_c");
    CHECK(zw && zw->val_top1 == 0 && strstr(zw->val_source, "10 crops") && strstr(zw->notes, "Table 3"));
    CHECK(vc && vc->val_top1 == 0 && strstr(vc->val_source, "Table 3") && strstr(vc->notes, "Table 1"));
    CHECK(zw && strstr(zw->notes, "107,627,624") && vc && strstr(vc->notes, "133,638,952"));
}

/* MACs of the two minis built from the later networks, from their layer
 * lists, and the shapes they pass through */
static void test_minis_macs(void) {
    long long m = conv_m(1, 16, 3, 28) + 64 * 10; /* preact_mini: no projection BN */
    for (int st = 0; st < 3; st++) {
        int c = 16 << st, hw = 28 >> st, cin = st ? c / 2 : 16;
        if (st == 2) hw = 7;
        m += conv_m(cin, c, 3, hw) + 3 * conv_m(c, c, 3, hw);
        if (st) m += conv_m(cin, c, 1, hw);
    }
    CHECK_EQ_I64(macs_of("preact_mini", 0, 0, 0), m);
    m = conv_m(1, 16, 3, 28) + conv_m(80, 320, 1, 4) + 320 * 10;
    for (int s = 0, hw = 28, cin = 16; s < 4; s++)
        for (int r = 0; r < effm_st[s][4]; r++) {
            const int hid = cin * effm_st[s][0], k = effm_st[s][1], sq = cin / 4 > 1 ? cin / 4 : 1;
            if (hid != cin) m += conv_m(cin, hid, 1, hw);
            if (r == 0) hw = (hw + effm_st[s][2] - 1) / effm_st[s][2];
            m += (long long)hid * k * k * hw * hw + 2LL * hid * sq + conv_m(hid, effm_st[s][3], 1, hw);
            cin = effm_st[s][3];
        }
    CHECK_EQ_I64(macs_of("efficientnet_mini", 0, 0, 0), m);

    EngGraph *g = model_build(model_find("preact_mini"), 0, 0, 0);
    const EngNode *u = node(g, "layer3.0"), *sc = node(g, "layer3.0.shortcut");
    const EngNode *fin = node(g, "final_relu"), *c1 = node(g, "layer1.0.conv1");
    CHECK(u && u->op == ENG_OP_ADD && u->out.C == 64 && u->out.H == 7 && u->out.W == 7);
    CHECK(sc && sc->out.C == 64 && sc->p.conv.kh == 1 && node(g, "layer1.0.bn1") &&
          eng_graph_find(g, "layer1.0.shortcut") < 0);
    CHECK(fin && fin->op == ENG_OP_RELU && fin->out.C == 64 && fin->out.H == 7);
    CHECK(c1 && c1->out.C == 16 && c1->out.H == 28);
    eng_graph_destroy(g);
    g = model_build(model_find("efficientnet_mini"), 0, 0, 0);
    const EngNode *fc1 = node(g, "features.2.1.block.2.fc1"); /* block input 24: 6 units */
    const EngNode *dw = node(g, "features.3.0.block.1.0"), *add = node(g, "features.4.1");
    const EngNode *head = node(g, "features.5.2");
    CHECK(fc1 && fc1->out.C == 6 && node(g, "features.2.1.block.2.activation") &&
          node(g, "features.2.1.block.2.activation")->op == ENG_OP_SILU);
    CHECK(dw && dw->p.conv.groups == 144 && dw->p.conv.kh == 5 && dw->out.H == 7);
    CHECK(add && add->op == ENG_OP_ADD && add->out.C == 80 && add->out.H == 4);
    CHECK(head && head->op == ENG_OP_SILU && head->out.C == 320 && head->out.H == 4);
    CHECK(eng_graph_find(g, "features.2.0") < 0); /* no add where the shape changes */
    eng_graph_destroy(g);
}

/* FractalNet's global drop-path: a training batch that keeps column c is the
 * plain chain of that column's convolutions (1, 2 or 4 per block), its pools
 * and the FC, with the same weights, run on the same batch: the same logits;
 * and its backward pass leaves the other columns' weights without gradient.
 * Dropout is set to 0 so that drop-path is the only random part. */
static EngGraph *fractal_column(int col) {
    static const int filters[5] = {64, 128, 256, 512, 512}, convs[3] = {1, 2, 4};
    EngGraph *g = eng_graph_create();
    int x = eng_input(g, "data", 3, 32, 32);
    char p[64], q[80];
    for (int b = 1; b <= 5; b++) {
        for (int k = 0; k < convs[col]; k++) {
            snprintf(p, sizeof p, "block%d.col%d.conv%d", b, col, k);
            x = eng_conv_k(g, p, x, filters[b - 1], 3, 1, 1, 1, 1);
            snprintf(q, sizeof q, "%s.bn", p);
            x = eng_bn(g, q, x, 1e-5f);
            snprintf(q, sizeof q, "%s.relu", p);
            x = eng_relu(g, q, x);
        }
        snprintf(p, sizeof p, "block%d.col%d.pool", b, col);
        x = eng_maxpool_k(g, p, x, 2, 2, 0);
    }
    eng_fc(g, "fc", x, 10, 1);
    return g;
}
static void test_fractal_global(void) {
    const int N = 2;
    /* seeds whose first training pass is global on column 0, 1, 2: the pick is
     * drawn first, from the seed alone (a join of 3 columns, probability 0.5) */
    uint64_t seed[3] = {0, 0, 0};
    EngGraph *t = eng_graph_create();
    int tx = eng_input(t, "x", 1, 1, 1);
    const int tin[3] = {tx, eng_relu(t, "a", tx), eng_tanh(t, "b", tx)}, tc[3] = {0, 1, 2};
    eng_join_columns(t, eng_join(t, "j", tin, 3, 0.15f), tc, 0.5f);
    eng_graph_enable_grads(t);
    CHECK(eng_graph_init_params(t, 1) == 0 && eng_graph_plan(t, 1) == 0);
    eng_graph_set_training(t, 1);
    for (uint64_t sd = 1; sd < 1000 && (!seed[0] || !seed[1] || !seed[2]); sd++) {
        eng_graph_seed(t, sd);
        eng_graph_forward(t);
        const int c = eng_graph_join_column(t);
        if (c >= 0 && !seed[c]) seed[c] = sd;
    }
    eng_graph_destroy(t);
    CHECK(seed[0] && seed[1] && seed[2]);

    EngGraph *g = model_build(model_find("fractalnet"), 0, 0, 0);
    CHECK(g != NULL);
    if (!g) return;
    for (int i = 0; i < eng_graph_node_count(g); i++) {
        EngNode *n = eng_graph_node_mut(g, i);
        if (n->op == ENG_OP_DROPOUT) n->p.dropout.ratio = 0.0f;
    }
    eng_graph_enable_grads(g);
    CHECK(eng_graph_init_params(g, 3) == 0 && eng_graph_plan(g, N) == 0);
    eng_graph_set_training(g, 1);
    float *in = eng_graph_input_buffer(g, 0);
    for (int i = 0; i < N * 3 * 32 * 32; i++) in[i] = (float)sin(0.37 * i) + 0.1f * (float)(i % 5);
    const uint8_t labels[2] = {3, 7};
    for (int col = 0; col < 3; col++) {
        EngGraph *h = fractal_column(col);
        eng_graph_enable_grads(h); /* training-mode batch norm keeps its statistics */
        CHECK(eng_graph_ok(h) && eng_graph_init_params(h, 1) == 0 && eng_graph_plan(h, N) == 0);
        for (int i = 0; i < eng_graph_node_count(h); i++) { /* the fractal's weights */
            EngNode *a = eng_graph_node_mut(h, i);
            const int j = eng_graph_find(g, a->name);
            if (!a->n_params) continue;
            CHECK(j >= 0);
            if (j < 0) continue;
            const EngNode *b = eng_graph_node(g, j);
            for (int k = 0; k < a->n_params && k < b->n_params; k++) {
                CHECK(a->params[k].n == b->params[k].n);
                if (a->params[k].n == b->params[k].n)
                    memcpy(a->params[k].data, b->params[k].data, a->params[k].n * sizeof(float));
            }
        }
        eng_graph_set_training(h, 1);
        memcpy(eng_graph_input_buffer(h, 0), in, (size_t)N * 3 * 32 * 32 * sizeof(float));
        eng_graph_seed(g, seed[col]);
        CHECK(eng_graph_forward(g) == 0 && eng_graph_forward(h) == 0);
        CHECK(eng_graph_join_column(g) == col);
        const EngNode *yg = node(g, "fc"), *yh = node(h, "fc");
        double worst = 0, scale = 0;
        for (int i = 0; yg && yh && i < N * 10; i++) {
            worst = fmax(worst, fabs((double)yg->act[i] - yh->act[i]));
            scale = fmax(scale, fabs((double)yh->act[i]));
        }
        CHECK(scale > 0 && worst <= 1e-5 * (1 + scale));
        printf("  fractalnet global drop-path, column %d (%d conv layers): logits of the chain "
               "within %.2g (largest %.3g)\n", col, 5 * (1 << col), worst, scale);
        /* the other columns' weights get no gradient, this column's do */
        eng_graph_loss_ce(g, labels, NULL);
        CHECK(eng_graph_backward(g) == 0);
        for (int c = 0; c < 3; c++) {
            char nm[48];
            snprintf(nm, sizeof nm, "block3.col%d.conv0", c);
            const EngNode *cv = node(g, nm);
            double sum = 0;
            for (size_t k = 0; cv && k < cv->params[0].n; k++) sum += fabs(cv->params[0].grad[k]);
            CHECK(c == col ? sum > 0 : sum == 0);
        }
        eng_graph_destroy(h);
    }
    eng_graph_destroy(g);
}

int main(void) {
    eng_log_set(quiet, NULL);
    eng_set_threads(2);
    test_counts();
    test_minis();
    test_cards();
    test_accuracy();
    test_vgg16_memory();
    test_lenet_variants();
    test_structure();
    test_fractal_global();
    test_history_structure();
    test_history_macs();
    test_modern_structure();
    test_modern_macs();
    test_minis_macs();
    test_depth_macs();
    test_variants();
    test_option_a_forward();
    test_other_inputs();
    test_lenet_forward();
    test_reference_forward("lenet5_keras", 1, 28, 28);
    test_reference_forward("lenet5_modern", 1, 32, 32);
    test_reference_forward("alexnet", 3, 67, 67);
    test_reference_forward("googlenet", 3, 64, 64);
    test_reference_forward("resnet18", 3, 32, 32);
    test_winograd_forward("resnet18");
    test_winograd_forward("vgg11");
    test_reference_forward("mobilenet_v2", 3, 32, 32);
    test_reference_forward("squeezenet1_1", 3, 48, 48);
    test_reference_forward("densenet121", 3, 64, 64);
    test_reference_forward("resnet20", 3, 32, 32);
    test_reference_forward("preact_resnet164", 3, 32, 32);
    test_reference_forward("se_resnext50_32x4d", 3, 64, 64);
    test_reference_forward("mobilenet_v3_small", 3, 64, 64);
    test_reference_forward("efficientnet_b0", 3, 64, 64);
    test_reference_forward("convnext_tiny", 3, 64, 64);
    test_reference_forward("xception", 3, 71, 71);
    test_reference_forward("cspdarknet53", 3, 64, 64);
    test_reference_forward("cspresnext50", 3, 64, 64);
    test_reference_forward("resnet110_sd", 3, 32, 32);
    test_reference_forward("fractalnet", 3, 32, 32);
    test_reference_forward("preact_mini", 1, 28, 28);
    test_reference_forward("efficientnet_mini", 1, 28, 28);
    return check_finish("models");
}
