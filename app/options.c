/*
 * options.c — argument parsing shared by the subcommands, model lookup,
 * JSON string output.
 */
#include <errno.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
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

/* "N" (N x N) or "HxW", each 1..65536, nothing else */
static int parse_hw(const char *s, int *H, int *W) {
    char buf[32];
    if (!s || strlen(s) >= sizeof buf) return 0;
    strcpy(buf, s);
    char *x = strchr(buf, 'x');
    if (!x) return parse_int(buf, 1, 65536, H) && parse_int(buf, 1, 65536, W);
    *x++ = 0;
    return parse_int(buf, 1, 65536, H) && parse_int(x, 1, 65536, W);
}

/* ---- the flag table ----------------------------------------------------------------
 * One row per flag: its name, the kind of value it takes, the groups of
 * commands that take it (APP_OPT_*), the AppOptions field it fills and one
 * line of help. app_parse reads argv through it, `convscope help --flags`
 * prints it, and README.md's flag list is its Markdown form (tests/test_cli.sh
 * compares them). A flag whose value only its command can check (a layer's
 * name, a snapshot's number) arrives as text and is checked there. Two rows
 * may share a name in different groups (--input CxHxW and --input FILE.npy;
 * --size of occlude and of render); where a command takes both, the value
 * decides (a name ending in .npy is the array). */

typedef enum {
    ARG_FLAG,   /* no value: the int field becomes 1 */
    ARG_INT,    /* a whole number in [lo, hi], into an int */
    ARG_NUM,    /* a finite number in [lo, hi] (lo itself excluded when open_lo), into a double */
    ARG_SEED,   /* a whole number >= 0, into a uint64_t */
    ARG_SHAPE,  /* CxHxW, each 1..65536, into three ints (C, H, W) */
    ARG_HW,     /* N (a square) or HxW, each 1..65536, into two ints (H, W) */
    ARG_CHOICE, /* one of the words of `value` ("sgd|adam"), into a string */
    ARG_STR,    /* any text: a name, a list */
    ARG_PATH,   /* a file or a folder */
} ArgKind;

#define NO_FIELD (-1L)
#define F(x) ((long)offsetof(AppOptions, x))

typedef struct {
    const char *name;  /* "--threads" */
    ArgKind kind;
    const char *value; /* shown after the name ("N"); ARG_CHOICE: the words, '|' between */
    double lo, hi;     /* ARG_INT, ARG_NUM */
    int open_lo;
    AppOptMask groups; /* APP_OPT_* */
    long field;        /* offset in AppOptions */
    long set;          /* offset of an int set to 1 when the flag is given, or NO_FIELD */
    const char *takes; /* what the error says it takes, when not the range or the words */
    const char *help;
} AppFlag;

static const AppFlag flags[] = {
    /* the model and its input */
    {"--input", ARG_SHAPE, "CxHxW", 0, 0, 0, APP_OPT_INPUT, F(C), NO_FIELD, NULL,
     "build the model for this input size (default: its card's)"},
    {"--input", ARG_PATH, "FILE.npy", 0, 0, 0, APP_OPT_NPY_IN, F(npy_in), NO_FIELD, NULL,
     "a float32 (C, H, W) or (1, C, H, W) array fed as is, no preprocessing"},
    {"--image", ARG_PATH, "FILE", 0, 0, 0, APP_OPT_IMAGE, F(image), NO_FIELD, NULL,
     "an image file (PNG, JPEG, BMP) as the input, prepared as the model expects"},
    {"--preprocess", ARG_CHOICE, "caffe|torchvision|none|card", 0, 0, 0, APP_OPT_PREPROCESS,
     F(preprocess), NO_FIELD, NULL,
     "how an image is prepared for an .onnx model (default: from its metadata, exporter or name)"},
    {"--mean", ARG_STR, "M|R,G,B", 0, 0, 0, APP_OPT_NORM, F(mean), NO_FIELD, "1 or 3 numbers, ',' between",
     "subtracted from an image's pixels scaled to 0..1, instead of the preprocessing's"},
    {"--std", ARG_STR, "S|R,G,B", 0, 0, 0, APP_OPT_NORM, F(std), NO_FIELD, "1 or 3 numbers > 0, ',' between",
     "what an image's pixels (scaled to 0..1, mean subtracted) are divided by"},
    {"--channel-order", ARG_CHOICE, "rgb|bgr", 0, 0, 0, APP_OPT_NORM, F(channel_order), NO_FIELD, NULL,
     "the order an image's colour channels are fed in, instead of the preprocessing's"},
    {"--weights", ARG_PATH, "FILE", 0, 0, 0, APP_OPT_WEIGHTS, F(weights), NO_FIELD, NULL,
     "trained weights (.safetensors); default: the shipped ones trained on --data's set"},
    {"--data", ARG_STR, "digits|fashion|PATH", 0, 0, 0, APP_OPT_DATA, F(data), NO_FIELD,
     "digits, fashion or a folder",
     "handwritten digits, Fashion-MNIST or an MNIST-format folder"},
    {"--batch", ARG_INT, "N", 1, 4096, 0, APP_OPT_BATCH, F(batch), NO_FIELD, NULL,
     "the batch size"},
    /* any whole number: the command checks it against the test set it loaded, and says
     * the range in one message, negative or past the end */
    {"--image-index", ARG_INT, "N", INT_MIN, INT_MAX, 0, APP_OPT_IMAGE_INDEX, F(image_index),
     F(image_index_set), "0..the last test image",
     "the test image shown, 0-based (default 0; checked against the test set loaded)"},
    /* output */
    {"--out", ARG_PATH, "FILE", 0, 0, 0, APP_OPT_OUT | APP_OPT_TRAIN, F(out), NO_FIELD, NULL,
     "where to write (a temporary file beside it, then renamed)"},
    {"--json", ARG_FLAG, "", 0, 0, 0, APP_OPT_JSON, F(json), NO_FIELD, NULL,
     "print the result as JSON"},
    {"--npy", ARG_PATH, "FILE.npy", 0, 0, 0, APP_OPT_NPY_OUT, F(npy_out), NO_FIELD, NULL,
     "also write the result as a float32 NumPy array"},
    /* timing */
    {"--threads", ARG_INT, "N", 1, 256, 0, APP_OPT_THREADS, F(threads), NO_FIELD, NULL,
     "OpenBLAS's and the engine's threads (default: all cores)"},
    {"--runs", ARG_INT, "N", 1, 100000, 0, APP_OPT_RUNS, F(runs), NO_FIELD, NULL,
     "timed passes, after a warm-up"},
    {"--profile", ARG_FLAG, "", 0, 0, 0, APP_OPT_PROFILE, F(profile), NO_FIELD, NULL,
     "the time per op type, each convolution's algorithm, the slowest layers"},
    {"--keep-all", ARG_FLAG, "", 0, 0, 0, APP_OPT_PROFILE, F(keep_all), NO_FIELD, NULL,
     "time the layout that keeps every node's activation (the window's), not the fused one"},
    {"--no-winograd", ARG_FLAG, "", 0, 0, 0, APP_OPT_PROFILE, F(no_winograd), NO_FIELD, NULL,
     "im2col + GEMM for every 3x3 convolution instead of Winograd"},
    {"--project", ARG_STR, "LAYER", 0, 0, 0, APP_OPT_PROJECT, F(project), NO_FIELD, NULL,
     "also time projecting a channel of LAYER back to the input"},
    /* a channel and its projection to pixels */
    {"--layer", ARG_STR, "NAME", 0, 0, 0, APP_OPT_PROBE | APP_OPT_CAM, F(layer), NO_FIELD, NULL,
     "a layer, by its name in 'convscope summary'"},
    {"--class", ARG_INT, "K", 0, 1000000, 0, APP_OPT_CAM, F(cls), F(cls_set), NULL,
     "the class followed, 0-based, as 'convscope predict' numbers it"},
    {"--guided", ARG_FLAG, "", 0, 0, 0, APP_OPT_CAM, F(guided), NO_FIELD, NULL,
     "also guided Grad-CAM: the map times guided backprop to the pixels"},
    {"--top", ARG_INT, "K", 1, 1000, 0, APP_OPT_TOP, F(top), NO_FIELD, NULL,
     "how many of the most probable classes (default 5)"},
    {"--channel", ARG_INT, "C", 0, 1000000, 0, APP_OPT_PROBE, F(channel), F(channel_set), NULL,
     "a channel of that layer"},
    {"--unit", ARG_STR, "Y,X|max", 0, 0, 0, APP_OPT_UNIT, F(unit), NO_FIELD, "Y,X or max",
     "one unit of the channel (max: the strongest)"},
    {"--rule", ARG_CHOICE, "deconv|guided|backprop", 0, 0, 0, APP_OPT_RULE, F(rule), NO_FIELD, NULL,
     "what ReLU does on the way down to pixels"},
    {"--images", ARG_PATH, "DIR", 0, 0, 0, APP_OPT_IMAGES, F(images), NO_FIELD, NULL,
     "every image file in DIR instead of a test set"},
    {"--size", ARG_INT, "S", 1, 4096, 0, APP_OPT_OCCLUDE, F(occ_size), NO_FIELD, NULL,
     "the grey square's side (default: a quarter of the input's)"},
    {"--stride", ARG_INT, "T", 1, 4096, 0, APP_OPT_OCCLUDE, F(occ_stride), NO_FIELD, NULL,
     "the square's step (default 1, or 2 above 64x64)"},
    {"--grey", ARG_NUM, "V", -FLT_MAX, FLT_MAX, 0, APP_OPT_OCCLUDE, F(grey), F(grey_set),
     "a number", "the square's value (default: the image's mean)"},
    /* training */
    {"--epochs", ARG_INT, "N", 1, 10000, 0, APP_OPT_TRAIN, F(epochs), NO_FIELD, NULL,
     "passes over the training set (default 10)"},
    {"--lr", ARG_NUM, "X", 0, 10, 1, APP_OPT_TRAIN, F(lr), NO_FIELD, NULL,
     "learning rate (default 1e-3 with Adam, 0.05 with SGD)"},
    {"--optimizer", ARG_CHOICE, "sgd|adam", 0, 0, 0, APP_OPT_TRAIN, F(optimizer), NO_FIELD, NULL,
     "SGD with momentum 0.9, or Adam (the default)"},
    {"--schedule", ARG_CHOICE, "cosine|step|constant", 0, 0, 0, APP_OPT_TRAIN, F(schedule),
     NO_FIELD, NULL, "how the learning rate falls over the epochs (default cosine)"},
    {"--weight-decay", ARG_NUM, "X", 0, 10, 0, APP_OPT_TRAIN, F(weight_decay), NO_FIELD, NULL,
     "L2 on conv and FC weights (default 5e-4)"},
    {"--seed", ARG_SEED, "S", 0, 0, 0, APP_OPT_TRAIN | APP_OPT_SEED, F(seed), F(seed_set), NULL,
     "the initial weights, the order of the examples, the dropout masks (default 1)"},
    {"--seed", ARG_SEED, "S", 0, 0, 0, APP_OPT_FEATVIS, F(seed), F(seed_set), NULL,
     "the starting noise and each step's random jitter, scale and rotation (default 1)"},
    {"--steps", ARG_INT, "N", 1, 100000, 0, APP_OPT_FEATVIS, F(steps), NO_FIELD, NULL,
     "gradient ascent steps on the input (visualize: default 200, atlas and render --view "
     "visualize: 100); render --view train: the steps the training screen runs before it is drawn"},
    {"--steps", ARG_INT, "N", 1, 100000000, 0, APP_OPT_TRAIN, F(steps), NO_FIELD, NULL,
     "stop after the optimizer's step N, saved as Ctrl-C saves (--resume goes on)"},
    {"--layers", ARG_STR, "L1,L2,...", 0, 0, 0, APP_OPT_ATLAS, F(layers), NO_FIELD, "names, ',' between",
     "the layers drawn (default: every convolution)"},
    {"--per-sheet", ARG_INT, "N", 1, 64, 0, APP_OPT_ATLAS, F(per_sheet), NO_FIELD, NULL,
     "channels per sheet (default 8)"},
    {"--init", ARG_CHOICE, "he|xavier", 0, 0, 0, APP_OPT_TRAIN, F(init), NO_FIELD, NULL,
     "He or Xavier (Glorot) initial weights (default he)"},
    {"--augment", ARG_CHOICE, "none|shift|flip-shift", 0, 0, 0, APP_OPT_TRAIN, F(augment),
     NO_FIELD, NULL, "moves of up to 2 pixels, and left-right mirrors (default none)"},
    {"--resume", ARG_PATH, "FILE", 0, 0, 0, APP_OPT_TRAIN, F(resume), NO_FIELD, NULL,
     "go on from a checkpoint written by train"},
    /* experiments */
    {"--quick", ARG_FLAG, "", 0, 0, 0, APP_OPT_EXPERIMENT, F(quick), NO_FIELD, NULL,
     "the short run shown in class: at most about two minutes on two cores"},
    {"--tiny", ARG_FLAG, "", 0, 0, 0, APP_OPT_EXPERIMENT, F(tiny), NO_FIELD, NULL,
     "the quick run cut to 2 epochs of 2 batches (the test suite: shape and reproducibility)"},
    /* two designs compared */
    /* the convolution on screen: a compared block's, or the basics' one conv */
    {"--cin", ARG_INT, "N", 1, 8192, 0, APP_OPT_BLOCK | APP_OPT_BASICS, F(cin), NO_FIELD, NULL,
     "input channels: the compared block's, or the basics convolution's (default 3)"},
    {"--cout", ARG_INT, "N", 1, 8192, 0, APP_OPT_BLOCK | APP_OPT_BASICS, F(cout), NO_FIELD, NULL,
     "output channels: the compared block's, or the basics convolution's filters (default: basics 8, its screen 16)"},
    {"--hw", ARG_HW, "N|HxW", 0, 0, 0, APP_OPT_BLOCK | APP_OPT_BASICS, F(hw), NO_FIELD, "1..65536, or HxW",
     "the input's height and width, one number for a square: the compared block's (square, "
     "1..8192), or the basics convolution's (default 32; its screen: 28, square, 5..64)"},
    {"--groups", ARG_INT, "G", 1, 8192, 0, APP_OPT_BLOCK, F(groups), NO_FIELD, NULL,
     "the block's convolution groups"},
    {"--count", ARG_STR, "CONVENTION", 0, 0, 0, APP_OPT_COUNT, F(count), NO_FIELD, "a convention",
     "macs or flops, then any of ,bias ,bn ,act ,other or ,all"},
    /* the window and its views */
    {"--quit-after", ARG_INT, "MS", 1, INT_MAX, 0, APP_OPT_QUIT_AFTER, F(quit_after_ms), NO_FIELD,
     "milliseconds", "close the window by itself after MS milliseconds"},
    {"--frame-stats", ARG_FLAG, "", 0, 0, 0, APP_OPT_FRAME_STATS, F(frame_stats), NO_FIELD, NULL,
     "print how long the frames took when the window closes"},
    {"--fps", ARG_FLAG, "", 0, 0, 0, APP_OPT_FRAME_STATS, F(fps), NO_FIELD, NULL,
     "frames per second while the window draws without pause (a job, playback): in a corner, and min, median, max and the worst frame when it closes"},
    {"--view", ARG_STR, "NAME", 0, 0, 0, APP_OPT_RENDER, F(view), NO_FIELD, NULL,
     "which view to draw (see 'convscope render --help')"},
    {"--snapshot", ARG_STR, "K", 0, 0, 0, APP_OPT_RENDER, F(snapshot), NO_FIELD, "a snapshot's number",
     "the filters at the K-th snapshot taken in training"},
    {"--block", ARG_STR, "NAME", 0, 0, 0, APP_OPT_RENDER, F(block), NO_FIELD, NULL,
     "the compare screen's block"},
    {"--models", ARG_STR, "A,B,...", 0, 0, 0, APP_OPT_RENDER, F(models), NO_FIELD, "names, ',' between",
     "the networks the zoo and rf views show"},
    {"--runs", ARG_INT, "N", 0, 16, 0, APP_OPT_RENDER, F(runs), F(runs_set), NULL,
     "the compare and zoo screens' timed passes (0 skips the timing)"},
    {"--pattern", ARG_STR, "K", 0, 0, 0, APP_OPT_RENDER, F(pattern), NO_FIELD, "0..6 or a pattern's name",
     "a synthetic input: gratings, edge, checkerboard, spot, colour blobs"},
    {"--page", ARG_STR, "K", 0, 0, 0, APP_OPT_RENDER, F(page), NO_FIELD, "a page's number",
     "the K-th page of feature maps"},
    {"--panel", ARG_STR, "K", 0, 0, 0, APP_OPT_RENDER, F(panel), NO_FIELD, "a chart's number",
     "one chart of an experiment's figure (--view experiment; from 0, as in its JSON)"},
    {"--size", ARG_STR, "WxH", 0, 0, 0, APP_OPT_RENDER | APP_OPT_LESSON, F(size), NO_FIELD, "a width and a height",
     "the picture's size (render: 1280x800, lesson: 1920x1080)"},
    {"--present", ARG_FLAG, "", 0, 0, 0, APP_OPT_RENDER | APP_OPT_LESSON, F(present), NO_FIELD, NULL,
     "as in presentation mode (F11): larger type, high contrast"},
    {"--audit", ARG_FLAG, "", 0, 0, 0, APP_OPT_RENDER | APP_OPT_LESSON, F(audit), NO_FIELD, NULL,
     "count the text that overlaps, is cut off, is too small to read or has characters no font draws"},
    {"--rerun", ARG_CHOICE, "quick|tiny", 0, 0, 0, APP_OPT_RENDER, F(rerun), NO_FIELD, NULL,
     "the experiments view: run the experiment again first (as Enter in the window), drawn over the shipped curves; its JSON on stdout"},
    {"--preset", ARG_CHOICE, "box|laplacian|sobel-x|sharpen", 0, 0, 0, APP_OPT_RENDER, F(preset), NO_FIELD,
     NULL, "the kernel the basics view slides (default box)"},
    {"--lessons", ARG_PATH, "DIR", 0, 0, 0, APP_OPT_LESSON, F(lessons), NO_FIELD, NULL,
     "the lessons folder (default: assets/lessons)"},
    {"--lang", ARG_CHOICE, "ko|en", 0, 0, 0, APP_OPT_LANG, F(lang), NO_FIELD, NULL,
     "the lessons' and the cards' language (default: Korean when LC_ALL, LC_MESSAGES or LANG starts with ko, else English; models and render: English)"},
    /* one convolution's arithmetic (basics) */
    {"--kernel", ARG_INT, "K", 1, 4096, 0, APP_OPT_BASICS, F(basics_k), NO_FIELD, NULL,
     "the square kernel's side (default 3)"},
    {"--stride", ARG_INT, "S", 1, 4096, 0, APP_OPT_BASICS, F(basics_s), NO_FIELD, NULL,
     "the convolution's stride (default 1)"},
    {"--pad", ARG_INT, "P", 0, 4096, 0, APP_OPT_BASICS, F(basics_p), NO_FIELD, NULL,
     "zeros added on every side (default 0)"},
    {"--dilation", ARG_INT, "D", 1, 4096, 0, APP_OPT_BASICS, F(basics_d), NO_FIELD, NULL,
     "the gap between kernel taps, 1 = none (default 1)"},
};
#define N_FLAGS (sizeof flags / sizeof flags[0])

/* The commands that parse through the table: the groups each accepts. */
static const struct {
    const char *name;
    AppOptMask groups;
    int need_model;
} commands[] = {
    {"view", APP_OPT_INPUT | APP_OPT_QUIT_AFTER | APP_OPT_WEIGHTS | APP_OPT_DATA | APP_OPT_IMAGE_INDEX |
                 APP_OPT_PREPROCESS | APP_OPT_IMAGE | APP_OPT_NPY_IN | APP_OPT_FRAME_STATS | APP_OPT_LANG, 0},
    {"render", APP_OPT_INPUT | APP_OPT_WEIGHTS | APP_OPT_DATA | APP_OPT_IMAGE_INDEX | APP_OPT_BLOCK |
                   APP_OPT_PREPROCESS | APP_OPT_OUT | APP_OPT_PROBE | APP_OPT_UNIT | APP_OPT_RULE |
                   APP_OPT_IMAGE | APP_OPT_NPY_IN | APP_OPT_COUNT | APP_OPT_RENDER | APP_OPT_BASICS | APP_OPT_JSON |
                   APP_OPT_LANG | APP_OPT_FEATVIS | APP_OPT_NPY_OUT, 0},
    {"models", APP_OPT_JSON | APP_OPT_LANG, 0},
    {"summary", APP_OPT_INPUT | APP_OPT_JSON | APP_OPT_PREPROCESS, 1},
    {"bench", APP_OPT_INPUT | APP_OPT_JSON | APP_OPT_THREADS | APP_OPT_RUNS | APP_OPT_BATCH |
                  APP_OPT_PROFILE | APP_OPT_PROJECT, 1},
    {"compare", APP_OPT_BLOCK | APP_OPT_JSON | APP_OPT_RUNS | APP_OPT_THREADS | APP_OPT_COUNT, 0},
    {"export", APP_OPT_INPUT | APP_OPT_WEIGHTS | APP_OPT_BATCH | APP_OPT_OUT, 1},
    {"train", APP_OPT_DATA | APP_OPT_TRAIN | APP_OPT_BATCH | APP_OPT_THREADS, 1},
    {"eval", APP_OPT_DATA | APP_OPT_WEIGHTS | APP_OPT_BATCH | APP_OPT_THREADS | APP_OPT_JSON |
                 APP_OPT_INPUT, 1},
    {"deconv", APP_OPT_WEIGHTS | APP_OPT_DATA | APP_OPT_IMAGE_INDEX | APP_OPT_PREPROCESS | APP_OPT_OUT |
                   APP_OPT_PROBE | APP_OPT_UNIT | APP_OPT_RULE | APP_OPT_IMAGE | APP_OPT_NPY_IN |
                   APP_OPT_NPY_OUT, 1},
    {"top9", APP_OPT_WEIGHTS | APP_OPT_DATA | APP_OPT_BATCH | APP_OPT_THREADS | APP_OPT_JSON |
                 APP_OPT_PREPROCESS | APP_OPT_OUT | APP_OPT_PROBE | APP_OPT_RULE | APP_OPT_IMAGES, 1},
    {"occlude", APP_OPT_WEIGHTS | APP_OPT_DATA | APP_OPT_IMAGE_INDEX | APP_OPT_JSON | APP_OPT_THREADS |
                    APP_OPT_PREPROCESS | APP_OPT_OUT | APP_OPT_PROBE | APP_OPT_NPY_OUT |
                    APP_OPT_OCCLUDE | APP_OPT_IMAGE | APP_OPT_NPY_IN, 1},
    {"basics", APP_OPT_BASICS | APP_OPT_JSON, 0},
    {"lesson", APP_OPT_LESSON | APP_OPT_OUT | APP_OPT_LANG, 0},
    {"predict", APP_OPT_INPUT | APP_OPT_NPY_IN | APP_OPT_IMAGE | APP_OPT_IMAGE_INDEX | APP_OPT_DATA |
                    APP_OPT_WEIGHTS | APP_OPT_PREPROCESS | APP_OPT_NORM | APP_OPT_JSON | APP_OPT_TOP |
                    APP_OPT_THREADS, 1},
    {"gradcam", APP_OPT_INPUT | APP_OPT_NPY_IN | APP_OPT_IMAGE | APP_OPT_IMAGE_INDEX | APP_OPT_DATA |
                    APP_OPT_WEIGHTS | APP_OPT_PREPROCESS | APP_OPT_NORM | APP_OPT_JSON | APP_OPT_CAM |
                    APP_OPT_OUT | APP_OPT_NPY_OUT | APP_OPT_THREADS, 1},
    {"visualize", APP_OPT_WEIGHTS | APP_OPT_DATA | APP_OPT_PROBE | APP_OPT_UNIT | APP_OPT_FEATVIS |
                      APP_OPT_OUT | APP_OPT_NPY_OUT | APP_OPT_JSON | APP_OPT_THREADS, 1},
    {"atlas", APP_OPT_WEIGHTS | APP_OPT_DATA | APP_OPT_ATLAS | APP_OPT_FEATVIS | APP_OPT_OUT |
                  APP_OPT_THREADS, 1},
    {"experiment", APP_OPT_EXPERIMENT | APP_OPT_SEED | APP_OPT_JSON | APP_OPT_OUT | APP_OPT_THREADS, 0},
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

/* The row of flag `a` among the groups allowed, or NULL. When two rows of
 * that name are allowed, `val` picks: a value ending in .npy goes to the
 * row that takes a path. */
static const AppFlag *find_flag(const char *a, const char *val, AppOptMask allowed) {
    const AppFlag *first = NULL;
    for (size_t k = 0; k < N_FLAGS; k++) {
        const AppFlag *f = &flags[k];
        if (!(f->groups & allowed) || strcmp(a, f->name)) continue;
        if (!first) {
            first = f;
            continue;
        }
        size_t n = val ? strlen(val) : 0;
        const int npy = n > 4 && !strcmp(val + n - 4, ".npy");
        return npy == (f->kind == ARG_PATH) ? f : first;
    }
    return first;
}

/* What a flag takes, as its error and the flag list say it: "1..256",
 * "a number in (0, 10]", "sgd or adam". */
static const char *takes(const AppFlag *f, char *buf, size_t n) {
    if (f->takes) return f->takes;
    if (f->kind == ARG_INT) snprintf(buf, n, "%.0f..%.0f", f->lo, f->hi);
    else if (f->kind == ARG_NUM) snprintf(buf, n, "a number in %c%g, %g]", f->open_lo ? '(' : '[', f->lo, f->hi);
    else if (f->kind == ARG_SEED) snprintf(buf, n, "a whole number");
    else if (f->kind == ARG_SHAPE) snprintf(buf, n, "CxHxW, each 1..65536");
    else if (f->kind == ARG_HW) snprintf(buf, n, "N or HxW, each 1..65536");
    else if (f->kind == ARG_FLAG) snprintf(buf, n, "no value");
    else if (f->kind == ARG_PATH) snprintf(buf, n, "a path");
    else if (f->kind == ARG_STR) snprintf(buf, n, "a name");
    else { /* "a|b|c" -> "a, b or c" */
        size_t l = 0;
        for (const char *w = f->value; *w && l + 1 < n;) {
            const char *e = strchr(w, '|');
            size_t wl = e ? (size_t)(e - w) : strlen(w);
            l += (size_t)snprintf(buf + l, n - l, "%.*s%s", (int)wl, w,
                                  !e ? "" : strchr(e + 1, '|') ? ", " : " or ");
            w = e ? e + 1 : w + wl;
        }
    }
    return buf;
}

/* Is s one of the '|'-separated words of list? */
static int is_word_of(const char *list, const char *s) {
    size_t sl = strlen(s);
    for (const char *w = list; w; w = strchr(w, '|') ? strchr(w, '|') + 1 : NULL)
        if (!strncmp(w, s, sl) && (w[sl] == '|' || !w[sl])) return 1;
    return 0;
}

/* A finite number written whole (no trailing text, no overflow). */
static int parse_num(const char *s, double *v) {
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    return !errno && end != s && !*end && isfinite(*v);
}

/* The value of flag f into its field of o; 0 after a line on stderr. */
static int set_flag(const AppFlag *f, const char *val, AppOptions *o, const char *cmd) {
    char *at = (char *)o + f->field, buf[160];
    double v;
    int ok = 1;
    switch (f->kind) {
    case ARG_FLAG: *(int *)at = 1; break;
    case ARG_STR:
    case ARG_PATH: *(const char **)at = val; break;
    case ARG_CHOICE: ok = is_word_of(f->value, val), *(const char **)at = val; break;
    case ARG_INT: ok = parse_int(val, (long)f->lo, (long)f->hi, (int *)at); break;
    case ARG_NUM:
        ok = parse_num(val, &v) && v >= f->lo && v <= f->hi && !(f->open_lo && v == f->lo);
        if (ok) *(double *)at = v;
        break;
    case ARG_SEED: {
        char *end;
        errno = 0;
        unsigned long long u = strtoull(val, &end, 10);
        ok = !errno && !*end && *val && val[0] != '-';
        if (ok) *(uint64_t *)at = u;
        break;
    }
    case ARG_HW:
        if (!parse_hw(val, (int *)at, (int *)at + 1)) {
            fprintf(stderr, "convscope %s: %s takes N or HxW, each 1..65536, not '%s'\n", cmd, f->name, val);
            return 0;
        }
        break;
    case ARG_SHAPE:
        if (!parse_shape(val, (int *)at, (int *)at + 1, (int *)at + 2)) {
            fprintf(stderr, "convscope %s: bad input size '%s': expected CxHxW, e.g. 3x224x224\n",
                    cmd, val);
            return 0;
        }
        break;
    }
    if (!ok) {
        fprintf(stderr, "convscope %s: %s takes %s, not '%s'\n", cmd, f->name, takes(f, buf, sizeof buf), val);
        return 0;
    }
    if (f->set != NO_FIELD) *(int *)((char *)o + f->set) = 1;
    return 1;
}

/* The flags of the groups in `allowed`, as the end of a command's --help:
 * one line each, from the table. */
static void print_cmd_flags(FILE *out, AppOptMask allowed) {
    char what[160], head[96];
    fprintf(out, "\nflags:\n");
    for (size_t k = 0; k < N_FLAGS; k++) {
        const AppFlag *f = &flags[k];
        if (!(f->groups & allowed)) continue;
        snprintf(head, sizeof head, "%s%s%s", f->name, f->value[0] ? " " : "", f->value);
        if (strlen(head) > 30) fprintf(out, "  %s\n  %-30s %s", head, "", f->help);
        else fprintf(out, "  %-30s %s", head, f->help);
        if ((f->kind == ARG_INT || f->kind == ARG_NUM) && !f->takes)
            fprintf(out, " (%s)", takes(f, what, sizeof what));
        fputc('\n', out);
    }
}

int app_parse(int argc, char **argv, AppOptMask allowed, int need_model, const char *usage,
              AppOptions *o, int *help) {
    const char *cmd = argv[0];
    memset(o, 0, sizeof *o);
    o->weight_decay = -1.0;
    *help = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            printf("%s", usage);
            print_cmd_flags(stdout, allowed);
            *help = 1;
            return APP_OK;
        }
        if (a[0] != '-' || !a[1]) { /* a positional argument: the model */
            if (o->model) {
                fprintf(stderr, "convscope %s: unexpected argument '%s'\n", cmd, a);
                return APP_USAGE;
            }
            o->model = a;
            continue;
        }
        const AppFlag *f = find_flag(a, i + 1 < argc ? argv[i + 1] : NULL, allowed);
        if (!f) {
            fprintf(stderr, "convscope %s: unknown option '%s' (try 'convscope %s --help')\n", cmd,
                    a, cmd);
            return APP_USAGE;
        }
        if (f->kind != ARG_FLAG && i + 1 >= argc) {
            fprintf(stderr, "convscope %s: %s needs a value\n", cmd, a);
            return APP_USAGE;
        }
        if (!set_flag(f, f->kind == ARG_FLAG ? NULL : argv[++i], o, cmd)) return APP_USAGE;
    }
    if (need_model && !o->model) {
        fprintf(stderr, "convscope %s: which model? (see 'convscope models')\n", cmd);
        return APP_USAGE;
    }
    return APP_OK;
}

int app_parse_cmd(int argc, char **argv, const char *usage, AppOptions *o, int *help) {
    for (size_t c = 0; c < N_COMMANDS; c++)
        if (!strcmp(argv[0], commands[c].name))
            return app_parse(argc, argv, commands[c].groups, commands[c].need_model, usage, o, help);
    ENG_ASSERT(!"a command missing from the command list");
    return APP_USAGE;
}

/* The commands that take flag f, ", " between, into buf. */
static void flag_commands(const AppFlag *f, char *buf, size_t n) {
    size_t l = 0;
    buf[0] = 0;
    for (size_t c = 0; c < N_COMMANDS && l < n; c++)
        if (commands[c].groups & f->groups)
            l += (size_t)snprintf(buf + l, n - l, "%s%s", l ? ", " : "", commands[c].name);
}

void app_print_flags(FILE *out, int markdown) {
    char cmds[256], what[160];
    if (markdown) fprintf(out, "| flag | takes | commands | what it does |\n|---|---|---|---|\n");
    for (size_t k = 0; k < N_FLAGS; k++) {
        const AppFlag *f = &flags[k];
        flag_commands(f, cmds, sizeof cmds);
        const char *t = takes(f, what, sizeof what);
        if (markdown) {
            fprintf(out, "| `%s%s", f->name, f->value[0] ? " " : "");
            for (const char *p = f->value; *p; p++) /* a '|' would end the cell */
                if (*p == '|') fputs("\\|", out);
                else fputc(*p, out);
            fprintf(out, "` | %s | %s | %s |\n", t, cmds, f->help);
        } else {
            char head[96];
            snprintf(head, sizeof head, "%s%s%s", f->name, f->value[0] ? " " : "", f->value);
            fprintf(out, "  %-36s %s\n      %s; takes %s\n", head, cmds, f->help, t);
        }
    }
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

int app_parse_rule(const char *s, EngProjRule *rule) {
    static const char *const names[] = {"backprop", "deconv", "guided"}; /* EngProjRule order */
    for (int i = 0; i < 3; i++)
        if (s && !strcmp(s, names[i])) {
            *rule = (EngProjRule)i;
            return 0;
        }
    return -1;
}
