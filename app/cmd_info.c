/*
 * cmd_info.c — `convscope models` and `convscope summary`: the zoo's cards and
 * a torchinfo-like table whose every number is computed from the built graph.
 */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "card_text.h"

static void json_shape(FILE *f, EngShape s) { fprintf(f, "[%d,%d,%d]", s.C, s.H, s.W); }

static void json_rf(FILE *f, EngRf r) {
    if (!r.finite) {
        fputs("null", f);
        return;
    }
    fprintf(f, "{\"size\":%lld,\"stride\":%lld,\"pad\":%lld,\"size_w\":%lld,\"stride_w\":%lld,\"pad_w\":%lld",
            (long long)r.size, (long long)r.stride, (long long)r.pad, (long long)r.size_w,
            (long long)r.stride_w, (long long)r.pad_w);
    if (r.misaligned) fputs(",\"misaligned\":true", f);
    fputc('}', f);
}

/* ---- models --------------------------------------------------------------------- */

static const char models_usage[] =
    "usage: convscope models [--json] [--lang ko|en]\n"
    "  The model zoo: every network with its card (year, authors, paper, ILSVRC\n"
    "  result and its source, key ideas, default input) and its parameter count,\n"
    "  MACs and depth computed by building it. top-1 and top-5: ImageNet-1K\n"
    "  validation accuracy of one model on one centre crop, from torchvision's\n"
    "  published metrics or the paper's table (val_source in --json; '-': no such\n"
    "  figure). Competition results (ensembles, test set, many crops) are history:\n"
    "  ilsvrc, top5_error and top5_source in --json, never in these columns.\n"
    "  key_ideas in --json: from assets/cards/key_ideas.txt, or with --lang ko\n"
    "  assets/cards/ko/key_ideas.txt (English unless --lang says otherwise).\n";

int app_cmd_models(int argc, char **argv) {
    AppOptions o;
    int help, rc = app_parse_cmd(argc, argv, models_usage, &o, &help);
    if (rc || help) return rc;
    if (o.model) {
        fprintf(stderr, "convscope models: unexpected argument '%s'\n", o.model);
        return APP_USAGE;
    }
    /* columns as wide as the longest name and network */
    int wn = 4, wd = 7;
    for (int i = 0; i < model_count(); i++) {
        const int ln = (int)strlen(model_at(i)->name), ld = (int)strlen(model_at(i)->display);
        wn = ln > wn ? ln : wn, wd = ld > wd ? ld : wd;
    }
    if (o.json) fputs("[", stdout);
    else
        printf("%-*s %-*s %4s %-12s %6s %14s %10s %7s %7s\n", wn, "name", wd, "network", "year",
               "family", "depth", "params", "MACs", "top-1", "top-5");
    for (int i = 0; i < model_count(); i++) {
        const ModelCard *c = model_at(i);
        app_log_capture(1);
        EngGraph *g = model_build(c, 0, 0, 0);
        app_log_capture(0);
        if (!g) {
            fprintf(stderr, "convscope models: cannot build %s: %s\n", c->name, app_log_last());
            return APP_FAIL;
        }
        EngTotals t = eng_graph_totals(g);
        int depth = eng_graph_depth(g);
        eng_graph_destroy(g);
        char b1[32], b2[32], b3[32], b4[32];
        if (!o.json) {
            if (c->val_top1 > 0) snprintf(b3, sizeof b3, "%.2f%%", c->val_top1);
            else snprintf(b3, sizeof b3, "-");
            if (c->val_top5 > 0) snprintf(b4, sizeof b4, "%.2f%%", c->val_top5);
            else snprintf(b4, sizeof b4, "-");
            printf("%-*s %-*s %4d %-12s %6d %14s %10s %7s %7s\n", wn, c->name, wd, c->display, c->year,
                   c->family, depth, eng_fmt_grouped(t.params, b1, sizeof b1),
                   eng_fmt_si((double)t.macs, b2, sizeof b2), b3, b4);
            continue;
        }
        fputs(i ? ",\n{" : "\n{", stdout);
        printf("\"name\":"); app_json_str(stdout, c->name);
        printf(",\"display\":"); app_json_str(stdout, c->display);
        printf(",\"family\":"); app_json_str(stdout, c->family);
        printf(",\"year\":%d,\"authors\":", c->year); app_json_str(stdout, c->authors);
        printf(",\"paper\":"); app_json_str(stdout, c->paper);
        printf(",\"venue\":"); app_json_str(stdout, c->venue);
        printf(",\"ilsvrc\":");
        if (c->ilsvrc) app_json_str(stdout, c->ilsvrc); else fputs("null", stdout);
        if (c->top5_error >= 0) printf(",\"top5_error\":%.2f", c->top5_error);
        else fputs(",\"top5_error\":null", stdout);
        printf(",\"top5_source\":");
        if (c->top5_source) app_json_str(stdout, c->top5_source); else fputs("null", stdout);
        if (c->val_top1 > 0) printf(",\"val_top1\":%.3f", c->val_top1);
        else fputs(",\"val_top1\":null", stdout);
        if (c->val_top5 > 0) printf(",\"val_top5\":%.3f", c->val_top5);
        else fputs(",\"val_top5\":null", stdout);
        printf(",\"val_source\":");
        if (c->val_source) app_json_str(stdout, c->val_source); else fputs("null", stdout);
        printf(",\"key_ideas\":"); app_json_str(stdout, card_key_ideas(c, o.lang ? o.lang : "en"));
        printf(",\"notes\":"); app_json_str(stdout, c->notes);
        printf(",\"weights_file\":");
        if (c->weights) app_json_str(stdout, c->weights); else fputs("null", stdout);
        printf(",\"weights_data\":");
        if (c->weights_data) app_json_str(stdout, c->weights_data); else fputs("null", stdout);
        printf(",\"train_cmd\":");
        if (c->train_cmd) app_json_str(stdout, c->train_cmd); else fputs("null", stdout);
        printf(",\"input\":[%d,%d,%d]", c->in_c, c->in_h, c->in_w);
        printf(",\"preprocess\":{\"channels\":%d,\"resize\":%d,\"crop\":%d,\"bgr\":%s,"
               "\"scale\":%.9g,\"mean\":[%.9g,%.9g,%.9g],\"std\":[%.9g,%.9g,%.9g]}",
               c->pre.channels, c->pre.resize, c->pre.crop, c->pre.bgr ? "true" : "false",
               c->pre.scale, c->pre.mean[0], c->pre.mean[1], c->pre.mean[2], c->pre.std[0],
               c->pre.std[1], c->pre.std[2]);
        printf(",\"depth\":%d,\"params\":%lld,\"weights\":%lld,\"macs\":%lld,\"act_bytes\":%lld,"
               "\"train_only_params\":%lld}",
               depth, (long long)t.params, (long long)t.weights, (long long)t.macs,
               (long long)t.act_bytes, (long long)t.train_only_params);
    }
    if (o.json) fputs("\n]\n", stdout);
    return APP_OK;
}

/* ---- summary ------------------------------------------------------------------------ */

static const char summary_usage[] =
    "usage: convscope summary MODEL [--input CxHxW] [--json] [--preprocess PRESET]\n"
    "  One row per node: output shape, parameters (weights + biases), MACs\n"
    "  (multiply-accumulates; FLOPs = 2 x MACs), activation memory (the node's\n"
    "  float32 output per image, forward only; the totals give it for every node,\n"
    "  in-place ReLUs included, and for the input, conv, pool and FC outputs only,\n"
    "  as course notes count it: act_bytes and act_bytes_layers in --json) and the\n"
    "  receptive field (size / effective stride / effective padding, after\n"
    "  Araujo et al., Distill 2019; '-' after global pooling or FC). A conv's or\n"
    "  pool's window: k kernel (KHxKW), s stride, p pads (one number when all four\n"
    "  are equal, HxW when top = bottom and left = right, else top,left,bottom,right),\n"
    "  d dilation, g groups ('-' where the op has none; an average pool has no\n"
    "  dilation, a pool no groups); the same in --json as \"kernel\":[KH,KW],\n"
    "  \"stride\":[SH,SW], \"pads\":[top,left,bottom,right], \"dilation\":[DH,DW],\n"
    "  \"groups\", left out for other ops. The table rounds MACs, FLOPs and memory\n"
    "  to three digits; --json has them exact.\n"
    "  --json prints one object: {\"model\",\"input\",\"layers\":[...],\"total\":{...}};\n"
    "  for an .onnx file also \"preprocess\" (the preset an image gets: caffe,\n"
    "  torchvision, none or card; --preprocess picks one) and \"classes\" (\"imagenet\"\n"
    "  for 1000 outputs, else null).\n";

/* What an imported model's inputs and outputs mean: its preprocessing preset, in full, and
 * its class names. */
static void imported_json(const EngGraph *g, const ModelCard *c) {
    const ModelPreproc *p = &c->pre;
    int n = 0;
    printf(",\"preprocess\":{\"preset\":");
    app_json_str(stdout, c->preprocess);
    /* 7 digits: the float's own precision (0.229, not 0.229000002) */
    printf(",\"bgr\":%s,\"scale\":%.7g,\"mean\":[%.7g,%.7g,%.7g],\"std\":[%.7g,%.7g,%.7g],"
           "\"resize\":%d,\"crop\":%d},\"classes\":%s",
           p->bgr ? "true" : "false", p->scale, p->mean[0], p->mean[1], p->mean[2], p->std[0],
           p->std[1], p->std[2], p->resize, p->crop,
           app_class_names(c, g, NULL, &n) && n == 1000 ? "\"imagenet\"" : "null");
}

/* A conv's or pool's window; nothing for other ops (absent, not null, so that every
 * key present has one type). */
static void json_window(FILE *f, const EngNode *n) {
    EngWindow w;
    if (!eng_node_window(n, &w)) return;
    fprintf(f, ",\"kernel\":[%d,%d],\"stride\":[%d,%d],\"pads\":[%d,%d,%d,%d]", w.kh, w.kw,
            w.sh, w.sw, w.pt, w.pl, w.pb, w.pr);
    if (w.has_dil) fprintf(f, ",\"dilation\":[%d,%d]", w.dh, w.dw);
    if (w.has_groups) fprintf(f, ",\"groups\":%d", w.groups);
}

static void summary_json(const EngGraph *g, const ModelCard *c, int in_id) {
    const EngNode *in = eng_graph_node(g, in_id);
    printf("{\"model\":");
    app_json_str(stdout, c->name);
    printf(",\"input\":");
    json_shape(stdout, in->out);
    if (c->imported) imported_json(g, c);
    /* a network trained split over GPUs: where each layer runs (AlexNet) */
    const int D = eng_graph_devices(g);
    int *dev = D > 1 ? calloc((size_t)eng_graph_node_count(g), sizeof *dev) : NULL;
    if (dev) eng_graph_device_roles(g, dev);
    printf(",\"devices\":%d,\"layers\":[", D);
    for (int i = 0; i < eng_graph_node_count(g); i++) {
        const EngNode *n = eng_graph_node(g, i);
        int64_t p = eng_node_params(n), w = eng_node_weights(n);
        printf(i ? ",\n{\"name\":" : "\n{\"name\":");
        app_json_str(stdout, n->name);
        printf(",\"op\":");
        app_json_str(stdout, eng_op_name(n->op));
        printf(",\"output\":");
        json_shape(stdout, n->out);
        printf(",\"params\":%lld,\"weights\":%lld,\"macs\":%lld,\"flops\":%lld,"
               "\"act_bytes\":%lld,\"rf\":",
               (long long)p, (long long)w, (long long)n->macs, 2 * (long long)n->macs,
               (long long)eng_node_act_bytes(n));
        json_rf(stdout, n->rf);
        json_window(stdout, n);
        printf(",\"inputs\":[");
        for (int k = 0; k < n->n_inputs; k++) {
            if (k) putchar(',');
            app_json_str(stdout, eng_graph_node(g, n->inputs[k])->name);
        }
        printf("]");
        if (dev) printf(",\"device\":\"%s\"", eng_device_role_name(dev[i]));
        if (n->flags & ENG_NODE_TRAIN_ONLY) printf(",\"train_only\":true");
        putchar('}');
    }
    free(dev);
    EngTotals t = eng_graph_totals(g);
    printf("\n],\"total\":{\"params\":%lld,\"weights\":%lld,\"macs\":%lld,\"act_bytes\":%lld,"
           "\"act_bytes_layers\":%lld,\"act_convention\":{\"act_bytes\":\"%s\",\"act_bytes_layers\":\"%s\"},"
           "\"train_only_params\":%lld,\"depth\":%d,",
           (long long)t.params, (long long)t.weights, (long long)t.macs, (long long)t.act_bytes,
           (long long)eng_graph_layer_act_bytes(g), ENG_ACT_ALL_DESC, ENG_ACT_LAYERS_DESC,
           (long long)t.train_only_params, eng_graph_depth(g));
    EngPaths pa = eng_graph_paths(g);
    printf("\"paths\":%.17g,\"log2_paths\":%.17g,\"residual_adds\":%d,\"mean_path_depth\":%.17g}}\n",
           pa.paths, pa.log2_paths, pa.adds, pa.mean_depth);
}

/* A network trained split over GPUs: which layers run in halves, which
 * read only their own GPU's half, where the GPUs exchange data. */
static int is_layer(const EngNode *n) { return n->op == ENG_OP_CONV || n->op == ENG_OP_FC; }

static void summary_devices(const EngGraph *g) {
    const int D = eng_graph_devices(g), n = eng_graph_node_count(g);
    int *dev = D > 1 ? calloc((size_t)n, sizeof *dev) : NULL;
    if (!dev) return;
    eng_graph_device_roles(g, dev);
    static const struct { int role; const char *what; } kinds[] = {
        {ENG_DEV_WHOLE, "each GPU's half reads the whole input"},
        {ENG_DEV_OWN, "each GPU's half reads its own half only"},
        {ENG_DEV_EXCHANGE, "each GPU's half reads both halves: the GPUs exchange data"},
        {ENG_DEV_JOIN, "one output reads both halves"}};
    printf("GPUs           %d, one group of each grouped layer per GPU (weighted layers):\n", D);
    for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
        char names[512] = "";
        size_t l = 0;
        for (int i = 0; i < n; i++)
            if (dev[i] == kinds[k].role && is_layer(eng_graph_node(g, i)) && l < sizeof names)
                l += (size_t)snprintf(names + l, sizeof names - l, "%s%s", l ? " " : "", eng_graph_node(g, i)->name);
        if (l) printf("               %-24s %s\n", names, kinds[k].what);
    }
    free(dev);
}

/* The table's columns: text left-aligned, numbers right-aligned, each as wide as its
 * widest cell and one space apart, so the table of VGG-16 or ResNet-50 fits a
 * 100-column terminal: k, s, p, d, g are a conv's or pool's kernel, stride, pads,
 * dilation and groups. */
enum { SC_NAME, SC_OP, SC_OUT, SC_PARAMS, SC_MACS, SC_FLOPS, SC_MEM, SC_KERNEL, SC_STRIDE,
       SC_PADS, SC_DIL, SC_GROUPS, SC_RF, SC_N };
static const char *const summary_head[SC_N] = {"layer", "op", "output", "params", "MACs",
                                               "FLOPs", "memory", "k", "s", "p", "d", "g",
                                               "RF"};
static const int summary_right[SC_N] = {0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 1, 0};
#define SC_CELL 256
#define SC_NAME_MAX 48

/* Three significant digits, the SI prefix of eng_fmt_si ("86.7M", "1.85G", "118M"):
 * the exact counts are in --json and the totals. */
static void fmt_si3(double v, char *buf, size_t n) {
    static const char *const unit[] = {"", "K", "M", "G", "T", "P"};
    int k = 0;
    while (v >= 999.5 && k < 5) {
        v /= 1000.0;
        k++;
    }
    snprintf(buf, n, v >= 99.95 || k == 0 ? "%.0f%s" : v >= 9.995 ? "%.1f%s" : "%.2f%s", v, unit[k]);
}

/* Bytes to three significant digits in binary units ("588 KiB", "3.06 MiB"). */
static void fmt_bytes3(double b, char *buf, size_t n) {
    static const char *const unit[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int k = 0;
    while (b >= 999.5 && k < 4) {
        b /= 1024.0;
        k++;
    }
    snprintf(buf, n, b >= 99.95 || k == 0 ? "%.0f %s" : b >= 9.995 ? "%.1f %s" : "%.2f %s", b, unit[k]);
}

static void summary_cells(const EngNode *n, char cells[SC_N][SC_CELL]) {
    char r1[48], r2[48], r3[48], win[ENG_WIN_CELLS][48];
    snprintf(cells[SC_NAME], SC_CELL, "%.*s", SC_NAME_MAX, n->name);
    snprintf(cells[SC_OP], SC_CELL, "%s", eng_op_name(n->op));
    snprintf(cells[SC_OUT], SC_CELL, "%dx%dx%d", n->out.C, n->out.H, n->out.W);
    eng_fmt_grouped(eng_node_params(n), cells[SC_PARAMS], SC_CELL);
    if (n->macs) {
        fmt_si3((double)n->macs, cells[SC_MACS], SC_CELL);
        fmt_si3(2.0 * (double)n->macs, cells[SC_FLOPS], SC_CELL);
    } else {
        snprintf(cells[SC_MACS], SC_CELL, "-");
        snprintf(cells[SC_FLOPS], SC_CELL, "-");
    }
    fmt_bytes3((double)eng_node_act_bytes(n), cells[SC_MEM], SC_CELL);
    eng_fmt_window(n, win);
    for (int k = 0; k < ENG_WIN_CELLS; k++) memcpy(cells[SC_KERNEL + k], win[k], sizeof win[k]);
    /* slashes without spaces: the column that most often makes a line too long */
    if (n->rf.finite)
        snprintf(cells[SC_RF], SC_CELL, "%s/%s/%s%s", eng_fmt_hw(n->rf.size, n->rf.size_w, r1, sizeof r1),
                 eng_fmt_hw(n->rf.stride, n->rf.stride_w, r2, sizeof r2),
                 eng_fmt_hw(n->rf.pad, n->rf.pad_w, r3, sizeof r3),
                 n->rf.misaligned ? " (branches misaligned)" : "");
    else
        snprintf(cells[SC_RF], SC_CELL, "-");
}

/* One line of the table; the last column is not padded. */
static void summary_line(char cells[SC_N][SC_CELL], const int w[SC_N], const char *tail) {
    for (int k = 0; k < SC_N; k++) {
        const char *gap = k == 0 ? "" : " ";
        if (k == SC_N - 1) printf("%s%s", gap, cells[k]);
        else if (summary_right[k]) printf("%s%*s", gap, w[k], cells[k]);
        else printf("%s%-*s", gap, w[k], cells[k]);
    }
    printf("%s\n", tail);
}

static void summary_table(const EngGraph *g, const ModelCard *c, int in_id) {
    const EngNode *in = eng_graph_node(g, in_id);
    if (c->year > 0)
        printf("%s (%s, %d) — input %dx%dx%d\n\n", c->display, c->authors, c->year, in->out.C,
               in->out.H, in->out.W);
    else
        printf("%s (%s) — input %dx%dx%d\n\n", c->display, c->authors, in->out.C, in->out.H,
               in->out.W);
    static char cells[SC_N][SC_CELL];
    int w[SC_N];
    for (int k = 0; k < SC_N; k++) w[k] = (int)strlen(summary_head[k]);
    for (int i = 0; i < eng_graph_node_count(g); i++) {
        summary_cells(eng_graph_node(g, i), cells);
        for (int k = 0; k < SC_N; k++)
            if ((int)strlen(cells[k]) > w[k]) w[k] = (int)strlen(cells[k]);
    }
    for (int k = 0; k < SC_N; k++) snprintf(cells[k], SC_CELL, "%s", summary_head[k]);
    summary_line(cells, w, "");
    for (int i = 0; i < eng_graph_node_count(g); i++) {
        const EngNode *n = eng_graph_node(g, i);
        summary_cells(n, cells);
        summary_line(cells, w, (n->flags & ENG_NODE_TRAIN_ONLY) ? "  [training only]" : "");
    }
    char b1[32], b2[32], b3[32];
    EngTotals t = eng_graph_totals(g);
    printf("\n");
    printf("parameters     %s  (weights %s + biases %s)\n", eng_fmt_grouped(t.params, b1, sizeof b1),
           eng_fmt_grouped(t.weights, b2, sizeof b2), eng_fmt_grouped(t.params - t.weights, b3, sizeof b3));
    if (t.train_only_params)
        printf("training only  %s more in auxiliary branches (not run at inference)\n",
               eng_fmt_grouped(t.train_only_params, b1, sizeof b1));
    printf("MACs           %s  (FLOPs = 2 x MACs = %s)\n", eng_fmt_grouped(t.macs, b1, sizeof b1),
           eng_fmt_si(2.0 * (double)t.macs, b2, sizeof b2));
    printf("depth          %d weighted layers on the longest path\n", eng_graph_depth(g));
    EngPaths pa = eng_graph_paths(g);
    char pb[160];
    printf("paths          %s, %.1f weighted layers on average\n", eng_fmt_paths(pa, pb, sizeof pb),
           pa.mean_depth);
    summary_devices(g);
    printf("memory         %s of activations per image (%s), %s of float32 parameters\n",
           eng_fmt_bytes((double)t.act_bytes, b1, sizeof b1), ENG_ACT_ALL_DESC,
           eng_fmt_bytes(4.0 * (double)(t.params + t.train_only_params), b2, sizeof b2));
    printf("               %s of activations per image (%s)\n",
           eng_fmt_bytes((double)eng_graph_layer_act_bytes(g), b1, sizeof b1), ENG_ACT_LAYERS_DESC);
    if (c->imported) {
        const ModelPreproc *p = &c->pre;
        int n = 0;
        printf("preprocess     %s: %s, pixels x %.6g, minus %.6g,%.6g,%.6g, over %.6g,%.6g,%.6g",
               c->preprocess, p->bgr ? "BGR" : c->in_c == 1 ? "grey" : "RGB", p->scale, p->mean[0],
               p->mean[1], p->mean[2], p->std[0], p->std[1], p->std[2]);
        if (p->resize) printf(", shorter side to %d, centre crop", p->resize);
        printf("\n               %s\n", c->key_ideas);
        if (app_class_names(c, g, NULL, &n) && n == 1000)
            printf("classes        the 1000 ImageNet classes (assets/imagenet_classes.txt)\n");
    }
}

int app_cmd_summary(int argc, char **argv) {
    AppOptions o;
    int help, rc = app_parse_cmd(argc, argv, summary_usage, &o, &help);
    if (rc || help) return rc;
    const ModelCard *c;
    EngGraph *g = app_build_model(&o, &c, &rc);
    if (!g) return rc;
    int in_id = 0; /* builders add the input first */
    if (o.json) summary_json(g, c, in_id);
    else summary_table(g, c, in_id);
    eng_graph_destroy(g);
    return APP_OK;
}
