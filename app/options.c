/*
 * options.c — argument parsing shared by the subcommands, model lookup,
 * JSON string output.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"

/* A whole number in [lo, hi]; 0 on anything else. */
static int parse_int(const char *s, long lo, long hi, int *out) {
    if (!s || !*s) return 0;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < lo || v > hi) return 0;
    *out = (int)v;
    return 1;
}

/* "CxHxW", each 1..65536, nothing else */
static int parse_shape(const char *s, int *C, int *H, int *W) {
    char buf[64];
    if (!s || strlen(s) >= sizeof buf) return 0;
    strcpy(buf, s);
    char *a = buf, *b = strchr(a, 'x');
    if (!b) return 0;
    *b++ = 0;
    char *c = strchr(b, 'x');
    if (!c) return 0;
    *c++ = 0;
    return parse_int(a, 1, 65536, C) && parse_int(b, 1, 65536, H) && parse_int(c, 1, 65536, W);
}

int app_parse(int argc, char **argv, unsigned allowed, int need_model, const char *usage,
              AppOptions *o, int *help) {
    const char *cmd = argv[0];
    memset(o, 0, sizeof *o);
    o->weight_decay = -1.0;
    *help = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = (i + 1 < argc) ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            printf("%s", usage);
            *help = 1;
            return APP_OK;
        }
#define NEEDS(flag)                                                                     \
    if (!(allowed & (flag))) goto unknown;                                              \
    if (!val) {                                                                         \
        fprintf(stderr, "convscope %s: %s needs a value\n", cmd, a);                    \
        return APP_USAGE;                                                               \
    }                                                                                   \
    i++;
        if (!strcmp(a, "--input")) {
            NEEDS(APP_OPT_INPUT);
            if (!parse_shape(val, &o->C, &o->H, &o->W)) {
                fprintf(stderr,
                        "convscope %s: bad input size '%s': expected CxHxW, e.g. 3x224x224\n",
                        cmd, val);
                return APP_USAGE;
            }
        } else if (!strcmp(a, "--threads")) {
            NEEDS(APP_OPT_THREADS);
            if (!parse_int(val, 1, 256, &o->threads)) {
                fprintf(stderr, "convscope %s: --threads takes 1..256, not '%s'\n", cmd, val);
                return APP_USAGE;
            }
        } else if (!strcmp(a, "--runs")) {
            NEEDS(APP_OPT_RUNS);
            if (!parse_int(val, 1, 100000, &o->runs)) {
                fprintf(stderr, "convscope %s: --runs takes 1..100000, not '%s'\n", cmd, val);
                return APP_USAGE;
            }
        } else if (!strcmp(a, "--batch")) {
            NEEDS(APP_OPT_BATCH);
            if (!parse_int(val, 1, 4096, &o->batch)) {
                fprintf(stderr, "convscope %s: --batch takes 1..4096, not '%s'\n", cmd, val);
                return APP_USAGE;
            }
        } else if (!strcmp(a, "--quit-after")) {
            NEEDS(APP_OPT_QUIT_AFTER);
            if (!parse_int(val, 1, INT_MAX, &o->quit_after_ms)) {
                fprintf(stderr, "convscope %s: --quit-after takes milliseconds, not '%s'\n", cmd,
                        val);
                return APP_USAGE;
            }
        } else if (!strcmp(a, "--cin") || !strcmp(a, "--cout") || !strcmp(a, "--hw") ||
                   !strcmp(a, "--groups")) {
            NEEDS(APP_OPT_BLOCK);
            int v;
            if (!parse_int(val, 1, 8192, &v)) {
                fprintf(stderr, "convscope %s: %s takes 1..8192, not '%s'\n", cmd, a, val);
                return APP_USAGE;
            }
            if (!strcmp(a, "--cin")) o->cin = v;
            else if (!strcmp(a, "--cout")) o->cout = v;
            else if (!strcmp(a, "--hw")) o->hw = v;
            else o->groups = v;
        } else if (!strcmp(a, "--data")) {
            NEEDS(APP_OPT_DATA);
            o->data = val;
        } else if (!strcmp(a, "--weights")) {
            NEEDS(APP_OPT_WEIGHTS);
            o->weights = val;
        } else if (!strcmp(a, "--epochs")) {
            NEEDS(APP_OPT_TRAIN);
            if (!parse_int(val, 1, 10000, &o->epochs)) {
                fprintf(stderr, "convscope %s: --epochs takes 1..10000, not '%s'\n", cmd, val);
                return APP_USAGE;
            }
        } else if (!strcmp(a, "--lr") || !strcmp(a, "--weight-decay")) {
            NEEDS(APP_OPT_TRAIN);
            char *end;
            errno = 0;
            double v = strtod(val, &end);
            if (errno || *end || !(v >= 0.0 && v <= 10.0) || (a[2] == 'l' && v == 0.0)) {
                fprintf(stderr, "convscope %s: %s takes a number in %s, not '%s'\n", cmd, a,
                        a[2] == 'l' ? "(0, 10]" : "[0, 10]", val);
                return APP_USAGE;
            }
            if (a[2] == 'l') o->lr = v;
            else o->weight_decay = v;
        } else if (!strcmp(a, "--optimizer")) {
            NEEDS(APP_OPT_TRAIN);
            if (strcmp(val, "sgd") && strcmp(val, "adam")) {
                fprintf(stderr, "convscope %s: --optimizer takes sgd or adam, not '%s'\n", cmd, val);
                return APP_USAGE;
            }
            o->optimizer = val;
        } else if (!strcmp(a, "--schedule")) {
            NEEDS(APP_OPT_TRAIN);
            if (strcmp(val, "cosine") && strcmp(val, "step") && strcmp(val, "constant")) {
                fprintf(stderr, "convscope %s: --schedule takes cosine, step or constant, not '%s'\n",
                        cmd, val);
                return APP_USAGE;
            }
            o->schedule = val;
        } else if (!strcmp(a, "--init")) {
            NEEDS(APP_OPT_TRAIN);
            if (strcmp(val, "he") && strcmp(val, "xavier")) {
                fprintf(stderr, "convscope %s: --init takes he or xavier, not '%s'\n", cmd, val);
                return APP_USAGE;
            }
            o->init = val;
        } else if (!strcmp(a, "--augment")) {
            NEEDS(APP_OPT_TRAIN);
            if (strcmp(val, "none") && strcmp(val, "shift") && strcmp(val, "flip-shift")) {
                fprintf(stderr, "convscope %s: --augment takes none, shift or flip-shift, not '%s'\n",
                        cmd, val);
                return APP_USAGE;
            }
            o->augment = val;
        } else if (!strcmp(a, "--seed")) {
            NEEDS(APP_OPT_TRAIN);
            char *end;
            errno = 0;
            unsigned long long v = strtoull(val, &end, 10);
            if (errno || *end || !*val || val[0] == '-') {
                fprintf(stderr, "convscope %s: --seed takes a whole number, not '%s'\n", cmd, val);
                return APP_USAGE;
            }
            o->seed = v;
            o->seed_set = 1;
        } else if (!strcmp(a, "--out") || !strcmp(a, "--resume")) {
            NEEDS(APP_OPT_TRAIN);
            if (a[2] == 'o') o->out = val;
            else o->resume = val;
        } else if (!strcmp(a, "--preprocess")) {
            NEEDS(APP_OPT_PREPROCESS);
            if (strcmp(val, "caffe") && strcmp(val, "torchvision") && strcmp(val, "none") &&
                strcmp(val, "card")) {
                fprintf(stderr, "convscope %s: --preprocess takes caffe, torchvision, none or card, "
                                "not '%s'\n", cmd, val);
                return APP_USAGE;
            }
            o->preprocess = val;
        } else if (!strcmp(a, "--profile")) {
            if (!(allowed & APP_OPT_PROFILE)) goto unknown;
            o->profile = 1;
        } else if (!strcmp(a, "--json")) {
            if (!(allowed & APP_OPT_JSON)) goto unknown;
            o->json = 1;
        } else if (a[0] == '-' && a[1]) {
            goto unknown;
        } else if (!o->model) {
            o->model = a;
        } else {
            fprintf(stderr, "convscope %s: unexpected argument '%s'\n", cmd, a);
            return APP_USAGE;
        }
        continue;
    unknown:
        fprintf(stderr, "convscope %s: unknown option '%s' (try 'convscope %s --help')\n", cmd, a,
                cmd);
        return APP_USAGE;
#undef NEEDS
    }
    if (need_model && !o->model) {
        fprintf(stderr, "convscope %s: which model? (see 'convscope models')\n", cmd);
        return APP_USAGE;
    }
    return APP_OK;
}

/* ---- preprocessing of imported models ------------------------------------------------- */

/* The value of "key=" in meta's lines into out; 0 if absent. */
static int meta_get(const char *meta, const char *key, char *out, size_t n) {
    size_t kl = strlen(key);
    for (const char *l = meta; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        if (!strncmp(l, key, kl) && l[kl] == '=') {
            const char *v = l + kl + 1, *e = strchr(v, '\n');
            size_t vl = e ? (size_t)(e - v) : strlen(v);
            snprintf(out, n, "%.*s", (int)(vl < n ? vl : n - 1), v);
            return 1;
        }
    }
    return 0;
}

/* "channels=%d resize=%d crop=%d bgr=%d scale=%g mean=%g,%g,%g std=%g,%g,%g ..." as
 * `convscope export` writes it; 0 unless every field is there and sane. */
static int parse_card_pre(const char *s, ModelPreproc *p) {
    ModelPreproc q = {0};
    if (sscanf(s, "channels=%d resize=%d crop=%d bgr=%d scale=%f mean=%f,%f,%f std=%f,%f,%f",
               &q.channels, &q.resize, &q.crop, &q.bgr, &q.scale, &q.mean[0], &q.mean[1],
               &q.mean[2], &q.std[0], &q.std[1], &q.std[2]) != 11)
        return 0;
    if ((q.channels != 1 && q.channels != 3) || q.resize < 0 || q.resize > 65536 || q.crop < 0 ||
        q.crop > 65536 || (q.bgr != 0 && q.bgr != 1) || !(q.scale > 0 && q.scale <= 1))
        return 0;
    for (int k = 0; k < 3; k++)
        if (!(q.mean[k] >= -1000 && q.mean[k] <= 1000) || !(q.std[k] > 1e-6f && q.std[k] <= 1000)) return 0;
    *p = q;
    return 1;
}

/* Which of the zoo's files were trained in Caffe on BGR images with the
 * mean pixel subtracted (BVLC AlexNet, CaffeNet, R-CNN, GoogLeNet; ZFNet-512). */
static int caffe_name(const char *s) {
    static const char *const words[] = {"bvlc", "caffenet", "alexnet", "zfnet", "googlenet", "rcnn"};
    char low[512];
    size_t n = 0;
    for (; s[n] && n + 1 < sizeof low; n++) low[n] = (char)(s[n] >= 'A' && s[n] <= 'Z' ? s[n] + 32 : s[n]);
    low[n] = 0;
    for (size_t k = 0; k < sizeof words / sizeof words[0]; k++)
        if (strstr(low, words[k])) return 1;
    return 0;
}

const char *app_onnx_preset(const char *preset, const char *path, const char *meta, int C, int H,
                            int W, ModelPreproc *p, char *why, size_t whylen) {
    char v[1024], file[512] = "", folder[512] = "";
    const int have_card = meta_get(meta, "convscope.preprocess", v, sizeof v);
    ModelPreproc card_pre;
    /* the file's name and its folder's (the zoo's archives unpack to NAME/model.onnx) */
    const char *slash = strrchr(path, '/');
    snprintf(file, sizeof file, "%s", slash ? slash + 1 : path);
    if (slash) {
        const char *s0 = slash;
        while (s0 > path && s0[-1] != '/') s0--;
        snprintf(folder, sizeof folder, "%.*s", (int)(slash - s0 < 500 ? slash - s0 : 500), s0);
    }
    if (have_card && !parse_card_pre(v, &card_pre)) {
        fprintf(stderr, "convscope: %s: its convscope.preprocess metadata is unreadable ('%.80s')\n",
                path, v);
        return NULL;
    }
    if (!preset) {
        char graph[256] = "", producer[256] = "";
        meta_get(meta, "graph", graph, sizeof graph);
        meta_get(meta, "producer", producer, sizeof producer);
        if (have_card) {
            preset = "card", snprintf(why, whylen, "the file's convscope.preprocess metadata");
        } else if (C == 3 && !strcmp(producer, "pytorch")) {
            preset = "torchvision", snprintf(why, whylen, "exported by PyTorch");
        } else if (C == 3 && (caffe_name(file) || caffe_name(folder) || caffe_name(graph))) {
            preset = "caffe", snprintf(why, whylen, "a Caffe-trained network by its name");
        } else if (C == 3) {
            preset = "torchvision", snprintf(why, whylen, "the default for colour inputs");
        } else {
            preset = "none", snprintf(why, whylen, "the default for grey inputs");
        }
    } else {
        snprintf(why, whylen, "--preprocess");
    }
    /* the usual ImageNet evaluation: the shorter side to 256/224 of the input, the centre crop */
    const int side = H < W ? H : W, resize = (int)(((long)side * 256 + 112) / 224);
    const int channels = C == 1 ? 1 : 3;
    if (!strcmp(preset, "card")) {
        if (!have_card) {
            fprintf(stderr, "convscope: %s has no convscope.preprocess metadata; HINT: use "
                            "--preprocess caffe, torchvision or none\n", path);
            return NULL;
        }
        *p = card_pre;
    } else if (!strcmp(preset, "caffe")) {
        /* Caffe's ILSVRC models: BGR pixels in 0..255 minus the training set's mean pixel
         * (B 104, G 117, R 123: caffe/models/bvlc_*), no scaling by a deviation */
        *p = (ModelPreproc){.channels = channels, .resize = resize, .crop = side, .bgr = 1,
                            .scale = 1.0f, .mean = {104, 117, 123}, .std = {1, 1, 1}};
    } else if (!strcmp(preset, "torchvision")) {
        /* torchvision's ImageNet models: RGB in 0..1, normalised per channel by the
         * training set's mean and standard deviation */
        *p = (ModelPreproc){.channels = channels, .resize = resize, .crop = side, .bgr = 0,
                            .scale = 1.0f / 255.0f, .mean = {0.485f, 0.456f, 0.406f},
                            .std = {0.229f, 0.224f, 0.225f}};
    } else if (!strcmp(preset, "none")) {
        /* pixels in 0..1, resized straight to the input */
        *p = (ModelPreproc){.channels = channels, .scale = 1.0f / 255.0f, .std = {1, 1, 1}};
    } else {
        fprintf(stderr, "convscope: no preprocessing preset '%s' (caffe, torchvision, none, card)\n", preset);
        return NULL;
    }
    return preset;
}

/* An .onnx path is opened like a zoo model, with a card made from the file. */
static EngGraph *open_onnx(const AppOptions *o, const ModelCard **card, int *code) {
    static ModelCard c;
    static char name[256], display[512], venue[4200], ideas[512];
    char err[2048], meta[8192], why[128];
    EngGraph *g = eng_onnx_load_meta(o->model, o->C, o->H, o->W, NULL, 0, meta, sizeof meta, err,
                                     sizeof err);
    if (!g) {
        fprintf(stderr, "convscope: %s\n", err);
        *code = APP_FAIL;
        return NULL;
    }
    /* the file's name; a folder's "model.onnx" (the ONNX zoo's and backend tests'
     * layout) is named with its folder */
    const char *base = strrchr(o->model, '/'), *shown;
    base = base ? base + 1 : o->model;
    shown = base;
    if (!strcmp(base, "model.onnx") && base > o->model) {
        const char *b = base - 1; /* the '/' */
        while (b > o->model && b[-1] != '/') b--;
        if (b < base - 1) shown = b; /* "folder/model.onnx" */
    }
    snprintf(name, sizeof name, "%s", base);
    snprintf(display, sizeof display, "%s", shown);
    snprintf(venue, sizeof venue, "%s", o->model);
    const EngNode *in = eng_graph_node(g, 0);
    ModelPreproc pre;
    const char *preset = app_onnx_preset(o->preprocess, o->model, meta, in->out.C, in->out.H,
                                         in->out.W, &pre, why, sizeof why);
    if (!preset) {
        eng_graph_destroy(g);
        *code = APP_USAGE;
        return NULL;
    }
    c = (ModelCard){.name = name, .display = display, .family = "ONNX", .year = 0,
                    .authors = "imported ONNX model", .paper = name, .venue = venue,
                    .top5_error = -1, .top5_source = "", .key_ideas = ideas, .notes = "",
                    .in_c = in->out.C, .in_h = in->out.H, .in_w = in->out.W, .pre = pre,
                    .imported = 1, .preprocess = preset};
    int n_classes = 0;
    app_class_names(&c, g, NULL, &n_classes);
    snprintf(ideas, sizeof ideas, "Preprocessing: %s (%s). Classes: %s.", preset, why,
             n_classes == 1000 ? "the 1000 of ImageNet" : "numbered");
    if (card) *card = &c;
    *code = APP_OK;
    return g;
}

EngGraph *app_build_model(const AppOptions *o, const ModelCard **card, int *code) {
    size_t ml = strlen(o->model);
    if (ml > 5 && !strcmp(o->model + ml - 5, ".onnx")) return open_onnx(o, card, code);
    if (o->preprocess && strcmp(o->preprocess, "card")) {
        fprintf(stderr, "convscope: --preprocess %s is for .onnx models; %s is prepared as its card "
                        "says (--preprocess card)\n", o->preprocess, o->model);
        *code = APP_USAGE;
        return NULL;
    }
    const ModelCard *c = model_find(o->model);
    if (!c) {
        fprintf(stderr, "convscope: unknown model '%s' (see 'convscope models' for the zoo)\n",
                o->model);
        *code = APP_USAGE;
        return NULL;
    }
    if (card) *card = c;
    /* The engine logs why a build fails (which node, which dimension); keep
     * that sentence and print it once, after saying what was tried. */
    app_log_capture(1);
    EngGraph *g = model_build(c, o->C, o->H, o->W);
    app_log_capture(0);
    if (!g) {
        if (o->C)
            fprintf(stderr, "convscope: %s cannot take input %dx%dx%d (its default is %dx%dx%d): %s\n",
                    c->name, o->C, o->H, o->W, c->in_c, c->in_h, c->in_w, app_log_last());
        else
            fprintf(stderr, "convscope: cannot build %s: %s\n", c->name, app_log_last());
        *code = o->C ? APP_USAGE : APP_FAIL;
        return NULL;
    }
    *code = APP_OK;
    return g;
}

/* Per thread: the window's thread and its worker both build graphs and
 * reword their errors, each its own. */
static _Thread_local char last_error[1024];
static _Thread_local int capturing;

/* Errors go to stderr, or into last_error while a caller wants to reword them. */
static void app_log(EngLogLevel level, const char *msg, void *user) {
    (void)user;
    if (level < ENG_LOG_WARN) return;
    if (capturing && level == ENG_LOG_ERROR) {
        if (!last_error[0]) snprintf(last_error, sizeof last_error, "%s", msg);
        return;
    }
    fprintf(stderr, "%s\n", msg);
}

void app_log_install(void) { eng_log_set(app_log, NULL); }
void app_log_capture(int on) {
    capturing = on;
    if (on) last_error[0] = 0;
}
const char *app_log_last(void) { return last_error[0] ? last_error : "unknown error"; }

void app_json_str(FILE *f, const char *s) {
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        case '\t': fputs("\\t", f); break;
        default:
            if (*p < 0x20) fprintf(f, "\\u%04x", *p);
            else fputc(*p, f);
        }
    }
    fputc('"', f);
}

int app_take_own(int argc, char **argv, const char *const *own, const char **const *dst, int n,
                 char **rest) {
    int nrest = 0;
    for (int i = 0; i < argc && nrest < 63; i++) {
        int k = -1;
        for (int j = 0; i > 0 && i + 1 < argc && j < n; j++)
            if (!strcmp(argv[i], own[j])) k = j;
        if (k >= 0) {
            *dst[k] = argv[++i];
            continue;
        }
        rest[nrest++] = argv[i];
    }
    rest[nrest] = NULL;
    return nrest;
}

int app_parse_rule(const char *s, EngProjRule *rule) {
    static const char *const names[] = {"backprop", "deconv", "guided"}; /* EngProjRule order */
    for (int i = 0; i < 3; i++)
        if (s && !strcmp(s, names[i])) {
            *rule = (EngProjRule)i;
            return 0;
        }
    return -1;
}
