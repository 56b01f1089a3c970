/*
 * test_blocks.c — the compare blocks: weights and MACs against formulas
 * worked out here, for the defaults and other sizes; equal receptive fields
 * and output shapes where the idea says so; the source notes' numbers. And
 * the measurement that `convscope compare` and the compare and zoo screens
 * share (app/measure.c): its counts against the graph's, the median, the
 * number of passes, a measurement stopped halfway, its refusals.
 */
#include <string.h>

#include "check.h"
#include "blocks.h"
#include "measure.h"

static void quiet(EngLogLevel level, const char *msg, void *user) {
    (void)level, (void)msg, (void)user;
}

typedef struct {
    EngTotals t;
    EngShape out;
    EngRf rf;
} Built;

static Built side(const char *name, int which, BlockCfg c) {
    Built r = {0};
    EngGraph *g = model_block_build(model_block_find(name), which, &c);
    CHECK(g != NULL);
    if (!g) return r;
    r.t = eng_graph_totals(g);
    const EngNode *o = eng_graph_node(g, eng_graph_output(g));
    r.out = o->out;
    r.rf = o->rf;
    eng_graph_destroy(g);
    return r;
}

static void test_stacks(int cin, int cout, int hw) {
    BlockCfg c = {cin, cout, hw, 1};
    Built a = side("stack3x3-vs-5x5", 0, c), b = side("stack3x3-vs-5x5", 1, c);
    CHECK_EQ_I64(a.t.weights, 9LL * cin * cout + 9LL * cout * cout);
    CHECK_EQ_I64(b.t.weights, 25LL * cin * cout);
    CHECK_EQ_I64(a.t.params - a.t.weights, 2 * cout);
    CHECK_EQ_I64(a.t.macs, (9LL * cin * cout + 9LL * cout * cout) * hw * hw);
    CHECK_EQ_I64(b.t.macs, 25LL * cin * cout * hw * hw);
    CHECK(a.rf.size == 5 && b.rf.size == 5 && a.rf.pad == b.rf.pad);
    CHECK(a.out.C == b.out.C && a.out.H == hw && b.out.H == hw);
    Built a3 = side("stack3x3-vs-7x7", 0, c), b7 = side("stack3x3-vs-7x7", 1, c);
    CHECK_EQ_I64(a3.t.weights, 9LL * cin * cout + 18LL * cout * cout);
    CHECK_EQ_I64(b7.t.weights, 49LL * cin * cout);
    CHECK(a3.rf.size == 7 && b7.rf.size == 7);
}

/* Operation counts under each convention, against the count worked out by
 * hand for a small graph that has one node of each kind. */
static void test_conventions(void) {
    EngGraph *g = eng_graph_create();
    int x = eng_input(g, "in", 3, 8, 8);
    int c = eng_conv_k(g, "conv", x, 4, 3, 1, 1, 1, 1);      /* 4x8x8, bias */
    int b = eng_bn(g, "bn", c, 1e-5f);
    int r = eng_relu(g, "relu", b);
    int n = eng_conv_k(g, "conv_nobias", r, 4, 1, 1, 0, 1, 0); /* 4x8x8, no bias */
    int a = eng_add2(g, "add", r, n);
    int p = eng_maxpool_k(g, "pool", a, 2, 2, 0);             /* 4x4x4 */
    int l = eng_lrn(g, "lrn", p, 5, 1e-4f, 0.75f, 1.0f);
    int q = eng_avgpool_k(g, "avg", l, 3, 1, 1);              /* 4x4x4 */
    int gp = eng_gavgpool(g, "gap", q);                       /* 4x1x1 */
    int f = eng_fc(g, "fc", eng_flatten(g, "flat", gp), 10, 1);
    eng_softmax(g, "prob", f);
    CHECK(eng_graph_ok(g));
    const int64_t conv = 4LL * 64 * 27, conv1 = 4LL * 64 * 4, fc = 40, e8 = 4 * 64, e4 = 4 * 16;
    const int64_t macs = conv + conv1 + fc;
    CHECK_EQ_I64(eng_graph_totals(g).macs, macs);
    EngCount mc = {0}, fl = {1, 0, 0, 0, 0}, all = {1, 1, 1, 1, 1}, m_all = {0, 1, 1, 1, 1};
    CHECK_EQ_I64(eng_graph_ops(g, mc), macs);
    CHECK_EQ_I64(eng_graph_ops(g, fl), 2 * macs);
    const int64_t bias = e8 + 10, act = e8 + 3 * 10;
    const int64_t other = e8 /* add */ + e4 * 3 /* max 2x2 */ + e4 * 9 /* avg 3x3 */ + 4 * 16 /* gap */;
    CHECK_EQ_I64(eng_graph_ops(g, all), 2 * macs + bias + 2 * e8 + act + other + e4 * (2 * 5 + 3));
    CHECK_EQ_I64(eng_graph_ops(g, m_all), macs + bias + e8 + act + other + e4 * (5 + 3));
    EngCount only_bn = {0, 0, 1, 0, 0};
    CHECK_EQ_I64(eng_graph_ops(g, only_bn) - macs, e8);
    EngCount parsed;
    CHECK(eng_count_parse("flops,all", &parsed) == 0 && parsed.flops && parsed.bias && parsed.bn &&
          parsed.act && parsed.other);
    CHECK(eng_count_parse("macs,bias,act", &parsed) == 0 && !parsed.flops && parsed.bias &&
          !parsed.bn && parsed.act && !parsed.other);
    CHECK(eng_count_parse("macs", &parsed) == 0 && !parsed.bias);
    CHECK(eng_count_parse("flop", &parsed) != 0);
    CHECK(eng_count_parse("macs,", &parsed) != 0);
    CHECK(eng_count_parse("macs,biases", &parsed) != 0);
    CHECK(eng_count_parse(NULL, &parsed) != 0);
    eng_graph_destroy(g);
}

/* The 2019-2022 ops: SiLU and GELU count as activations (1 per unit), the
 * layer norm as a normalisation (4 + one multiply-add per unit), the layer
 * scale as an elementwise product (1 per unit); none is a multiply-add of a
 * layer. */
static void test_conventions_modern(void) {
    EngGraph *g = eng_graph_create();
    int x = eng_input(g, "in", 6, 5, 4);
    x = eng_layernorm(g, "ln", x, 1e-6f);
    x = eng_silu(g, "silu", x);
    x = eng_gelu(g, "gelu", x);
    eng_layer_scale(g, "ls", x);
    CHECK(eng_graph_ok(g));
    const int64_t e = 6 * 5 * 4;
    CHECK_EQ_I64(eng_graph_totals(g).macs, 0);
    CHECK_EQ_I64(eng_graph_totals(g).params, 6 + 6 + 6);
    EngCount act = {0, 0, 0, 1, 0}, bn = {0, 0, 1, 0, 0}, bn_fl = {1, 0, 1, 0, 0},
             other = {0, 0, 0, 0, 1}, bias = {1, 1, 0, 0, 0};
    CHECK_EQ_I64(eng_graph_ops(g, act), 2 * e);
    CHECK_EQ_I64(eng_graph_ops(g, bn), 5 * e);
    CHECK_EQ_I64(eng_graph_ops(g, bn_fl), 6 * e);
    CHECK_EQ_I64(eng_graph_ops(g, other), e);
    CHECK_EQ_I64(eng_graph_ops(g, bias), 0);
    eng_graph_destroy(g);
}

/* ---- the measurement module ------------------------------------------------------------ */

static void test_median(void) {
    double odd[] = {5, 1, 3}, even[] = {4, 1, 3, 2}, one[] = {7.5};
    CHECK(app_sort_median(odd, 3) == 3.0);
    CHECK(odd[0] == 1.0); /* sorted in place: the minimum first */
    CHECK(app_sort_median(even, 4) == 2.5);
    CHECK(app_sort_median(one, 1) == 7.5);
    CHECK(app_sort_median(one, 0) == 0.0);
    AppTiming cli = {40, 0, 0}, win = {5, 1, 0}, many = {40, 1, 0};
    CHECK(app_timing_runs(&cli, 5000) == 40); /* the command line times what it is asked */
    CHECK(app_timing_runs(&win, 10) == 5);
    CHECK(app_timing_runs(&many, 10) == APP_TIME_MAX_RUNS);
    CHECK(app_timing_runs(&win, 300) == 3);
    CHECK(app_timing_runs(&win, 1500) == 1);
}

/* The counts reported for each side of every block equal the graph's own. */
static void test_counts(void) {
    const EngCount all = {1, 1, 1, 1, 1};
    char err[256];
    for (int i = 0; i < model_block_count(); i++) {
        const ModelBlock *b = model_block_at(i);
        for (int s = 0; s < 2; s++) {
            EngGraph *g = app_block_build(b, s, &b->defaults, err, sizeof err);
            CHECK(g != NULL);
            if (!g) continue;
            const AppBlockSide c = app_block_count(g, all);
            const EngTotals t = eng_graph_totals(g);
            const EngNode *o = eng_graph_node(g, eng_graph_output(g));
            CHECK_EQ_I64(c.t.params, t.params);
            CHECK_EQ_I64(c.t.macs, t.macs);
            CHECK_EQ_I64(c.ops, eng_graph_ops(g, all));
            CHECK(c.ops > 2 * t.macs); /* FLOPs and everything else */
            CHECK_EQ_I64(c.act, t.act_bytes - 4LL * model_block_in_c(b, s, &b->defaults) * b->defaults.hw * b->defaults.hw);
            CHECK(c.out.C == o->out.C && c.out.H == o->out.H && c.rf.size == o->rf.size);
            CHECK(c.work_gb * 1e9 > (double)t.act_bytes + 4.0 * t.params - 1);
            eng_graph_destroy(g);
        }
    }
    BlockCfg bad = {128, 256, 14, 3};
    err[0] = 0;
    CHECK(app_block_build(model_block_find("plain-vs-grouped"), 1, &bad, err, sizeof err) == NULL);
    CHECK(strstr(err, "groups") != NULL); /* the engine's reason, for the screen or the CLI */
}

typedef struct {
    int calls, stop_at; /* stop_at: the call that stops it (0: never) */
    int done[8], n_done;
} Stopper;

static int stop_progress(void *ctx, int done, int total) {
    Stopper *k = ctx;
    (void)done, (void)total;
    return ++k->calls == k->stop_at;
}

static int record_done(void *ctx, int i, double ms) {
    Stopper *k = ctx;
    if (k->n_done < 8) k->done[k->n_done++] = ms > 0 ? i : -1 - i;
    return k->stop_at < 0 && k->n_done == -k->stop_at;
}

static void test_timing(void) {
    const ModelBlock *b = model_block_find("stack3x3-vs-5x5");
    const BlockCfg small = {3, 4, 9, 1};
    const AppTiming tm = {5, 0, 0};
    double ms[2] = {-1, -1};
    char err[256] = "";
    Stopper k = {0};
    CHECK(app_block_time(b, &small, &tm, stop_progress, &k, ms, err, sizeof err) == 0);
    CHECK(k.calls == 10); /* told before every timed pass of each side */
    CHECK(ms[0] > 0 && ms[1] > 0);
    /* stopped at the third pass of A: nothing more runs, no time */
    Stopper s3 = {0, 3, {0}, 0};
    CHECK(app_block_time(b, &small, &tm, stop_progress, &s3, ms, err, sizeof err) == 1);
    CHECK(s3.calls == 3 && ms[0] == 0 && ms[1] == 0);
    /* the memory guard, and a design that cannot be built */
    const AppTiming tight = {5, 1, 1e-9};
    CHECK(app_block_time(b, &small, &tight, NULL, NULL, ms, err, sizeof err) == -1);
    CHECK(strstr(err, "GB of memory") != NULL);
    const BlockCfg bad = {128, 256, 14, 3};
    CHECK(app_block_time(model_block_find("plain-vs-grouped"), &bad, &tm, NULL, NULL, ms, err,
                         sizeof err) == -1);
    CHECK(strstr(err, "cannot be built") != NULL && ms[0] == 0);
}

/* The zoo: the fewest MACs first, each reported; stopping ends it. */
static void test_zoo(void) {
    const ModelCard *cards[3] = {model_find("alexnet_mini"), model_find("lenet5"), model_find("zfnet_mini")};
    CHECK(cards[0] && cards[1] && cards[2]);
    if (!cards[0] || !cards[1] || !cards[2]) return;
    int64_t macs[3];
    for (int i = 0; i < 3; i++) {
        AppNetCount nc;
        char err[256];
        CHECK(app_net_count(cards[i], (EngCount){0}, &nc, err, sizeof err) == 0);
        macs[i] = nc.t.macs;
        CHECK(nc.depth == 5 || nc.depth == 8);
    }
    const AppTiming tm = {1, 1, 0};
    char err[256];
    Stopper all = {0};
    CHECK(app_zoo_time(cards, macs, 3, &tm, stop_progress, record_done, &all, err, sizeof err) == 0);
    CHECK(all.n_done == 3 && all.done[0] == 1 && all.done[1] == 0 && all.done[2] == 2);
    Stopper first = {0, -1, {0}, 0}; /* done stops it after the first network */
    CHECK(app_zoo_time(cards, macs, 3, &tm, NULL, record_done, &first, err, sizeof err) == 1);
    CHECK(first.n_done == 1 && first.done[0] == 1);
    Stopper mid = {0, 1, {0}, 0}; /* stopped at the first pass: nothing reported */
    CHECK(app_zoo_time(cards, macs, 3, &tm, stop_progress, record_done, &mid, err, sizeof err) == 1);
    CHECK(mid.n_done == 0 && mid.calls == 1);
}

int main(void) {
    eng_log_set(quiet, NULL);
    test_conventions();
    test_conventions_modern();
    CHECK(model_block_count() == 7);
    /* the notes' numbers, Cin = Cout = 128: 294,912 vs 409,600 */
    BlockCfg d = model_block_find("stack3x3-vs-5x5")->defaults;
    CHECK(d.cin == 128 && d.cout == 128);
    CHECK_EQ_I64(side("stack3x3-vs-5x5", 0, d).t.weights, 294912);
    CHECK_EQ_I64(side("stack3x3-vs-5x5", 1, d).t.weights, 409600);
    /* per channel pair: 27 vs 49 */
    BlockCfg one = {1, 1, 16, 1};
    CHECK_EQ_I64(side("stack3x3-vs-7x7", 0, one).t.weights, 27);
    CHECK_EQ_I64(side("stack3x3-vs-7x7", 1, one).t.weights, 49);
    test_stacks(128, 128, 56);
    test_stacks(64, 96, 20);
    test_stacks(3, 16, 9);

    /* ResNet's Fig. 5 by default: a 64-d basic block (73,728 weights) against a
     * 256-d bottleneck (69,632), each on an input of its own width; both at 256
     * channels (basic width 256): 1,179,648 vs 69,632 */
    const ModelBlock *rb = model_block_find("resnet-basic-vs-bottleneck");
    BlockCfg r = rb->defaults;
    CHECK(r.cin == 64 && r.cout == 256);
    Built ra = side("resnet-basic-vs-bottleneck", 0, r), rbo = side("resnet-basic-vs-bottleneck", 1, r);
    CHECK_EQ_I64(ra.t.weights, 73728);
    CHECK_EQ_I64(rbo.t.weights, 69632);
    CHECK(ra.out.C == 64 && rbo.out.C == 256);
    CHECK(model_block_in_c(rb, 0, &r) == 64 && model_block_in_c(rb, 1, &r) == 256);
    CHECK(rb->claim && !strstr(rb->claim, "1,179,648") && strstr(rb->claim, "similar time complexity"));
    BlockCfg r256 = {256, 256, 56, 1};
    CHECK_EQ_I64(side("resnet-basic-vs-bottleneck", 0, r256).t.weights, 1179648);
    CHECK_EQ_I64(side("resnet-basic-vs-bottleneck", 1, r256).t.weights, 69632);
    BlockCfg r2 = {512, 512, 7, 1}; /* ResNet's last stage */
    CHECK_EQ_I64(side("resnet-basic-vs-bottleneck", 1, r2).t.weights,
                 512LL * 128 + 9LL * 128 * 128 + 128LL * 512);

    /* inception 3a (Szegedy et al. Table 1): naive 387,072 weights, with reductions 163,328 */
    BlockCfg in = model_block_find("inception-naive-vs-bottleneck")->defaults;
    Built na = side("inception-naive-vs-bottleneck", 0, in), bo = side("inception-naive-vs-bottleneck", 1, in);
    CHECK_EQ_I64(na.t.weights, 192LL * 64 + 9LL * 192 * 128 + 25LL * 192 * 32);
    CHECK_EQ_I64(bo.t.weights, 192LL * 64 + 192LL * 96 + 9LL * 96 * 128 + 192LL * 16 +
                                   25LL * 16 * 32 + 192LL * 32);
    CHECK(na.out.C == 64 + 128 + 32 + 192 && bo.out.C == 256 && bo.out.H == 28);
    /* the naive module costs 2.4x, not the "about 10x" some notes say */
    CHECK(na.t.macs * 10 < bo.t.macs * 25 && na.t.macs > 2 * bo.t.macs);
    /* ... which is the 5x5 branch's alone: 28x28x192 -> 32 with a 5x5, 120,422,400
     * MACs, against 1x1 to 16 then 5x5, 12,443,648 (9.7x); shown beside the whole */
    {
        const ModelBlock *ib = model_block_find("inception-naive-vs-bottleneck");
        EngGraph *ig[2] = {model_block_build(ib, 0, &in), model_block_build(ib, 1, &in)};
        AppBranch br;
        char text[640];
        CHECK(app_block_branch(ib, ig, &br, text, sizeof text) == 0);
        CHECK_EQ_I64(br.macs[0], 28LL * 28 * 32 * 25 * 192);
        CHECK_EQ_I64(br.macs[0], 120422400);
        CHECK_EQ_I64(br.macs[1], 28LL * 28 * (16 * 192 + 32 * 25 * 16));
        CHECK_EQ_I64(br.macs[1], 12443648);
        CHECK_EQ_I64(br.whole[0], na.t.macs);
        CHECK_EQ_I64(br.whole[1], bo.t.macs);
        CHECK(strstr(text, "120,422,400") && strstr(text, "12,443,648") && strstr(text, "9.7x") &&
              strstr(text, "2.37x"));
        for (int s = 0; s < 2; s++) eng_graph_destroy(ig[s]);
        /* a block without a branch has no such line */
        const ModelBlock *sb = model_block_find("stack3x3-vs-5x5");
        EngGraph *sg[2] = {model_block_build(sb, 0, &sb->defaults), model_block_build(sb, 1, &sb->defaults)};
        CHECK(app_block_branch(sb, sg, &br, text, sizeof text) == -1);
        for (int s = 0; s < 2; s++) eng_graph_destroy(sg[s]);
    }

    /* depthwise separable: 9*Cin + Cin*Cout vs 9*Cin*Cout */
    BlockCfg s = {32, 64, 14, 1};
    CHECK_EQ_I64(side("standard-vs-depthwise-separable", 0, s).t.weights, 9LL * 32 * 64);
    CHECK_EQ_I64(side("standard-vs-depthwise-separable", 1, s).t.weights, 9LL * 32 + 32LL * 64);
    /* grouped: weights and MACs divided by G */
    for (int G = 1; G <= 32; G *= 2) {
        BlockCfg gc = {128, 256, 14, G};
        Built p = side("plain-vs-grouped", 0, gc), q = side("plain-vs-grouped", 1, gc);
        CHECK_EQ_I64(q.t.weights * G, p.t.weights);
        CHECK_EQ_I64(q.t.macs * G, p.t.macs);
    }
    /* groups that do not divide the channels: refused, not a crash */
    BlockCfg bad = {128, 256, 14, 3};
    CHECK(model_block_build(model_block_find("plain-vs-grouped"), 1, &bad) == NULL);
    /* AlexNet vs ZFNet conv1 on 3x224x224: 55x55 vs 110x110 outputs */
    BlockCfg ac = model_block_find("conv1-alexnet-vs-zfnet")->defaults;
    Built al = side("conv1-alexnet-vs-zfnet", 0, ac), zf = side("conv1-alexnet-vs-zfnet", 1, ac);
    CHECK(al.out.H == 55 && zf.out.H == 110);
    CHECK_EQ_I64(al.t.weights, 121LL * 3 * 96);
    CHECK_EQ_I64(zf.t.weights, 49LL * 3 * 96);
    CHECK(al.rf.size == 11 && al.rf.stride == 4 && zf.rf.size == 7 && zf.rf.stride == 2);
    CHECK(model_block_find("nosuch") == NULL);

    app_log_install(); /* the engine's reasons captured for the messages, as in the program */
    test_median();
    test_counts();
    test_timing();
    test_zoo();
    return check_finish("blocks");
}
