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

/* An .onnx path is opened like a zoo model, with a card made from the file. */
static EngGraph *open_onnx(const AppOptions *o, const ModelCard **card, int *code) {
    static ModelCard c;
    static char name[256], venue[4200];
    char err[2048];
    EngGraph *g = eng_onnx_load(o->model, o->C, o->H, o->W, NULL, 0, err, sizeof err);
    if (!g) {
        fprintf(stderr, "convscope: %s\n", err);
        *code = APP_FAIL;
        return NULL;
    }
    const char *base = strrchr(o->model, '/');
    snprintf(name, sizeof name, "%s", base ? base + 1 : o->model);
    snprintf(venue, sizeof venue, "%s", o->model);
    const EngNode *in = eng_graph_node(g, 0);
    c = (ModelCard){.name = name, .display = name, .family = "ONNX", .year = 0,
                    .authors = "imported ONNX model", .paper = name, .venue = venue,
                    .top5_error = -1, .top5_source = "", .key_ideas = "", .notes = "",
                    .in_c = in->out.C, .in_h = in->out.H, .in_w = in->out.W,
                    .pre = {.channels = in->out.C == 1 ? 1 : 3, .scale = 1.0f / 255.0f,
                            .std = {1, 1, 1}},
                    .imported = 1};
    if (card) *card = &c;
    *code = APP_OK;
    return g;
}

EngGraph *app_build_model(const AppOptions *o, const ModelCard **card, int *code) {
    size_t ml = strlen(o->model);
    if (ml > 5 && !strcmp(o->model + ml - 5, ".onnx")) return open_onnx(o, card, code);
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

static char last_error[1024];
static int capturing;

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
