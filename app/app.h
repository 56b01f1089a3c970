/*
 * app.h — command-line subcommands and helpers shared by them.
 * The CLI contract: one clear line on stderr and exit code 2 for a usage error
 * (unknown model, bad input size, bad flag); 1 for a failure while running.
 */
#ifndef CONVSCOPE_APP_H
#define CONVSCOPE_APP_H

#include <stdint.h>
#include <stdio.h>

#include "eng.h"
#include "eng_data.h"
#include "models.h"
#include "digit_prep.h"

enum { APP_OK = 0, APP_FAIL = 1, APP_USAGE = 2 };

/* Options shared by the subcommands; a field stays at its default when its
 * flag was not given. */
typedef struct {
    const char *model;     /* first positional argument */
    int C, H, W;           /* --input CxHxW, 0 = the card's default */
    int json;              /* --json */
    int threads;           /* --threads N, 0 = default */
    int runs;              /* --runs N */
    int batch;             /* --batch N */
    int quit_after_ms;     /* --quit-after MS (view: close by itself, for tests) */
    int profile;           /* --profile (bench: time per op type and per layer) */
    int keep_all;          /* --keep-all (bench: the layout that keeps every activation) */
    int no_winograd;       /* --no-winograd (bench: im2col + GEMM for every 3x3 convolution) */
    const char *data;      /* --data digits|fashion|PATH */
    int epochs;            /* --epochs N */
    double lr;             /* --lr X (0 = the command's default) */
    const char *optimizer; /* --optimizer sgd|adam */
    const char *schedule;  /* --schedule cosine|step|constant */
    double weight_decay;   /* --weight-decay X (< 0: default) */
    const char *init;      /* --init he|xavier */
    const char *augment;   /* --augment none|shift|flip-shift */
    uint64_t seed;         /* --seed S */
    int seed_set;
    const char *out;       /* --out FILE */
    const char *resume;    /* --resume FILE */
    const char *weights;   /* --weights FILE */
    int cin, cout;         /* --cin --cout (compare, basics), 0 = the default */
    int hw, hw_w;          /* --hw N|HxW: height, width (compare: square; basics), 0 = the default */
    int groups;            /* --groups (compare), 0 = the block's default */
    const char *preprocess; /* --preprocess caffe|torchvision|none|card (.onnx models), NULL = automatic */
    const char *layer;     /* --layer NAME */
    int channel, channel_set; /* --channel C */
    const char *rule;      /* --rule deconv|guided|backprop */
    const char *image;     /* --image FILE */
    const char *npy_in;    /* --input FILE.npy (occlude: an array fed as is) */
    const char *npy_out;   /* --npy FILE.npy */
    const char *images;    /* --images DIR */
    int occ_size, occ_stride; /* --size S --stride T (occlude), 0 = default */
    double grey;           /* --grey V (occlude) */
    int grey_set;
    const char *project;   /* --project LAYER (bench) */
    int runs_set;          /* --runs given (render: 0 skips the timing) */
    const char *unit;      /* --unit Y,X|max (deconv), C[,Y,X] or Y,X (render) */
    const char *count;     /* --count CONVENTION (compare, render) */
    int frame_stats;       /* --frame-stats (view) */
    int fps;               /* --fps (view) */
    /* render: what to draw and how (each checked by render against the model) */
    const char *view, *snapshot, *block, *models, *pattern, *page, *size;
    int present;           /* --present */
    int audit;             /* --audit (render, lesson render: the layout audit) */
    int image_index, image_index_set; /* --image-index N: the test image shown (0-based) */
    int basics_k, basics_s, basics_p, basics_d; /* --kernel --stride --pad --dilation (basics) */
    const char *preset;    /* --preset (render --view basics: the kernel) */
    const char *rerun;     /* --rerun quick|tiny (render --view experiments) */
    const char *panel;     /* --panel (render --view experiment: one chart of the figure) */
    const char *lessons;   /* --lessons DIR (lesson) */
    const char *lang;      /* --lang ko|en (lesson, view); NULL: the locale's */
    int top;               /* --top K (predict), 0 = 5 */
    int cls, cls_set;      /* --class K (gradcam) */
    int guided;            /* --guided (gradcam) */
    const char *mean, *std; /* --mean M[,M,M] --std S[,S,S]: an image's normalisation */
    const char *channel_order; /* --channel-order rgb|bgr */
    int quick, tiny;       /* --quick --tiny (experiment) */
    int steps;             /* --steps N (visualize, atlas), 0 = default */
    const char *layers;    /* --layers L1,L2,... (atlas) */
    int per_sheet;         /* --per-sheet N (atlas), 0 = default */
} AppOptions;

/* Which flags a subcommand accepts: each row of the flag table (options.c)
 * names the groups that take it, each command the groups it accepts. */
typedef unsigned long long AppOptMask;
#define APP_OPT_INPUT (1ULL << 0)
#define APP_OPT_JSON (1ULL << 1)
#define APP_OPT_THREADS (1ULL << 2)
#define APP_OPT_RUNS (1ULL << 3)
#define APP_OPT_BATCH (1ULL << 4)
#define APP_OPT_QUIT_AFTER (1ULL << 5)
#define APP_OPT_PROFILE (1ULL << 6)
#define APP_OPT_DATA (1ULL << 7)
#define APP_OPT_TRAIN (1ULL << 8) /* --epochs --lr --optimizer --schedule --weight-decay --init
                                    * --augment --seed --out --resume */
#define APP_OPT_WEIGHTS (1ULL << 9)
#define APP_OPT_BLOCK (1ULL << 10) /* --cin --cout --hw --groups */
#define APP_OPT_PREPROCESS (1ULL << 11) /* --preprocess (commands that take images) */
#define APP_OPT_OUT (1ULL << 12) /* --out FILE */
#define APP_OPT_PROBE (1ULL << 13) /* --layer --channel */
#define APP_OPT_RULE (1ULL << 14) /* --rule */
#define APP_OPT_IMAGE (1ULL << 15) /* --image FILE */
#define APP_OPT_NPY_IN (1ULL << 16) /* --input FILE.npy */
#define APP_OPT_NPY_OUT (1ULL << 17) /* --npy FILE.npy */
#define APP_OPT_IMAGES (1ULL << 18) /* --images DIR */
#define APP_OPT_OCCLUDE (1ULL << 19) /* --size --stride --grey */
#define APP_OPT_PROJECT (1ULL << 20) /* --project LAYER */
#define APP_OPT_UNIT (1ULL << 21) /* --unit */
#define APP_OPT_COUNT (1ULL << 22) /* --count */
#define APP_OPT_RENDER (1ULL << 23) /* --view --snapshot --block --models --pattern --size --page
                                    * --present --runs */
#define APP_OPT_FRAME_STATS (1ULL << 24)
#define APP_OPT_IMAGE_INDEX (1ULL << 25) /* --image-index N (commands that show one test image) */
#define APP_OPT_BASICS (1ULL << 26) /* --kernel --stride --pad --dilation --hw --cin --cout */
#define APP_OPT_LESSON (1ULL << 27) /* --lessons --size --present (lesson) */
#define APP_OPT_TOP (1ULL << 28) /* --top K */
#define APP_OPT_CAM (1ULL << 29) /* --layer --class --guided */
#define APP_OPT_NORM (1ULL << 30) /* --mean --std --channel-order */
#define APP_OPT_EXPERIMENT (1ULL << 31) /* --quick --tiny */
#define APP_OPT_SEED (1ULL << 32) /* --seed S (commands that draw at random, besides train) */
#define APP_OPT_LANG (1ULL << 33) /* --lang ko|en: the lessons' language (lesson, view) */
#define APP_OPT_FEATVIS (1ULL << 34) /* --steps --seed (feature visualization: visualize, atlas) */
#define APP_OPT_ATLAS (1ULL << 35) /* --layers --per-sheet (atlas) */

/* Parse argv[1..] (argv[0] is the subcommand) with the flags of the groups
 * in `allowed`. Returns APP_OK, or APP_USAGE after printing one line to
 * stderr; prints usage and sets *help for --help. */
int app_parse(int argc, char **argv, AppOptMask allowed, int need_model, const char *usage,
              AppOptions *o, int *help);
/* app_parse with the groups and the need of a model that the command list
 * (options.c) gives the subcommand argv[0]. */
int app_parse_cmd(int argc, char **argv, const char *usage, AppOptions *o, int *help);
/* Every flag of the table, one row each, as a Markdown table (Markdown) or
 * as indented text: name, value, commands, what it does. */
void app_print_flags(FILE *f, int markdown);

/* Build a model named on the command line (a zoo name, or an .onnx file,
 * whose card gets the preprocessing preset of o->preprocess, or the automatic
 * one: see app_onnx_preset) for the requested input; prints the error and
 * returns NULL on failure (*code set). */
EngGraph *app_build_model(const AppOptions *o, const ModelCard **card, int *code);

/* Engine log: errors to stderr; while capturing, the first error is kept
 * for app_log_last() instead. */
void app_log_install(void);
void app_log_capture(int on);
const char *app_log_last(void);

/* digits | fashion | an MNIST-format folder; train or test may be NULL.
 * Prints the error (with a hint) and returns -1 on failure. */
int app_load_data(const char *spec, EngDataset *train, EngDataset *test, const char *cmd);
/* The value of "key=" in metadata's "key=value" lines into buf, or NULL. */
const char *app_meta_value(const char *meta, const char *key, char *buf, size_t n);
/* Weights file w into g (eng_weights_load: 0, or -1 with err); then, when
 * data names a data set (digits, fashion; a folder or NULL is not checked)
 * and the metadata says the weights were trained on another, a warning on stderr naming both, so that digits weights are
 * never silently evaluated on Fashion-MNIST. */
int app_load_weights(EngGraph *g, const char *w, const char *data, const char *cmd, char *err,
                     size_t errlen);
/* --image-index of o against test set d, which data (digits, fashion, a
 * folder) loaded; d->n is 0 when none is. `given` names the option that
 * gives the input instead of a test image (--image, --input, --pattern) or is
 * NULL. APP_OK, or APP_USAGE after one line on stderr naming cmd. */
int app_check_image_index(const AppOptions *o, const EngDataset *d, const char *data,
                          const char *given, const char *cmd);
/* Examples idx[0..count) of d into a network input (N, C, H, W), centred
 * (a 28x28 digit in LeNet-5's 32x32 has a 2-pixel border, as in the paper);
 * grey copied to every channel; unused slots zero. */
void app_fill_batch(float *in, int N, int C, int H, int W, const EngDataset *d, const int *idx,
                    int count);
/* An image file into x (C, H, W) as card->pre says: resized (shorter side
 * to pre.resize and a centre crop, or straight to H x W), grey or RGB/BGR,
 * scaled, mean subtracted, divided by std (image.c). Only a PNG, JPEG or BMP
 * file whose header gives at most 64 megapixels is decoded. 0, or -1 with
 * the reason in err (naming the file), or on stderr when err is NULL. */
int app_load_image(const char *path, const ModelCard *card, float *x, int C, int H, int W, char *err,
                   size_t errlen);
/* An image file into x as a drawing is: for a model fed MNIST-made pictures
 * (style not DIGIT_PREP_NONE), grey, dark on light negated as `invert` says,
 * its ink boxed and centred as the data set's were (digit_prep); else as
 * app_load_image. info: what was found. 0, or -1 as app_load_image. */
int app_load_image_prep(const char *path, const ModelCard *card, DigitPrepStyle style, DigitInvert invert,
                        float *x, int C, int H, int W, char *err, size_t errlen, DigitPrepInfo *info);
/* What the status line calls that input: the file's name and what was done. */
void app_image_input_name(const char *path, DigitPrepStyle style, DigitInvert invert, const DigitPrepInfo *info,
                          char *buf, size_t n);
/* A float32 .npy of shape CxHxW or 1xCxHxW fed to a network as is: *data
 * gets the values (free them), o->C/H/W the input size. APP_OK, or an exit
 * code after a line on stderr naming cmd. */
/* For a projection of node `layer` of g (card's network): 1 when the three
 * rules give the same picture (eng_graph_proj_rules_differ), with the note
 * saying so and why in buf; else 0 and buf "". */
int app_proj_same_note(const EngGraph *g, int layer, char *buf, size_t n);
/* The nearest network whose rules differ for a projection of a layer named
 * `layer` (or, without one, of its last layer before the output): the same
 * family and input channels, trained weights for the same data set, found
 * from its graph. NULL when the zoo has none. */
const ModelCard *app_proj_alternative(const ModelCard *card, const char *data, const char *layer);
int app_load_npy_input(const char *path, AppOptions *o, float **data, const char *cmd);
/* The model of o with its trained weights (given with --weights, or shipped),
 * and the id of its node `layer` (NULL: the output), which must have a
 * channel `channel` (< 0: any). NULL
 * after a line on stderr naming cmd, with *code the exit code. */
EngGraph *app_open_trained(const AppOptions *o, const char *layer, long channel, const char *cmd,
                           const ModelCard **card, int *layer_id, int *code);
/* A trained classifier and one input through it (predict, gradcam,
 * cmd_predict.c): the model of o with its weights (app_open_trained), its
 * card with --mean, --std and --channel-order applied, planned at batch 1
 * (with gradients when asked) and run on the input o gives: an image file
 * (--image), an array fed as is (--input FILE.npy) or test image
 * --image-index of the data set. */
typedef struct {
    const ModelCard *card;  /* &own */
    ModelCard own;
    EngGraph *g;
    int layer;              /* --layer's node; the output's without one */
    const char *data;       /* the data set's name, or NULL */
    EngDataset test;        /* loaded for --image-index only */
    float *given;           /* --input FILE.npy */
    int truth;              /* the test image's label; -1 for a file */
    char source[600];       /* the input in words */
    const char *const *labels;
    int n_labels;
} AppClassifier;
/* APP_OK, or an exit code after one line on stderr naming cmd; close it in
 * either case. */
int app_classifier_open(AppClassifier *c, AppOptions *o, int grads, const char *cmd);
void app_classifier_close(AppClassifier *c);
/* The name of class k, or NULL when there is none. */
const char *app_classifier_label(const AppClassifier *c, int k);
/* --mean, --std and --channel-order of o applied to the preprocessing p:
 * APP_OK, or APP_USAGE after a line on stderr naming cmd. */
int app_apply_norm(const AppOptions *o, ModelPreproc *p, const char *cmd);

/* Long work reports to a progress function: done of total; a nonzero
 * return stops it (cancel). */
typedef int (*AppProgress)(void *ctx, int done, int total);

/* The nine strongest activations of a channel over dataset d, one per image
 * (Zeiler and Fergus 2014, Fig. 2), each projected to pixels with rule (probes.c).
 * The scan of every channel of the layer is cached under a hash of the model,
 * layer, weights file and images, so other channels come at once. g is
 * replanned (scan at `batch`, then 1 with gradients). 0, 1 when progress
 * cancelled, -1 on failure, with err filled. */
typedef struct {
    int n;                  /* winners, <= 9, strongest first */
    int idx[9], y[9], x[9]; /* image and unit */
    float v[9];             /* activation */
    int box[9][4];          /* the unit's field on the input: y0, x0, y1, x1 (end exclusive, clipped) */
    float *proj[9];         /* (C, H, W) projections of the input */
    int from_cache;
    char cache_path[4400];
    double scan_ms;
} AppTop9;
int app_top9_run(EngGraph *g, const ModelCard *card, const char *weights, int layer_id, int channel,
                 const EngDataset *d, EngProjRule rule, int batch, AppTop9 *t, AppProgress progress,
                 void *ctx, char *err, size_t errlen);
/* app_top9_run, and while the test set is scanned (not when the scan comes
 * from the cache), after each batch: seen(seen_ctx, the nine strongest so
 * far (idx, y, x, v; no projections), images scanned, of total). */
typedef void (*AppTop9Seen)(void *ctx, const AppTop9 *so_far, int done, int total);
int app_top9_run_seen(EngGraph *g, const ModelCard *card, const char *weights, int layer_id, int channel,
                      const EngDataset *d, EngProjRule rule, int batch, AppTop9 *t, AppProgress progress,
                      void *ctx, AppTop9Seen seen, void *seen_ctx, char *err, size_t errlen);
void app_top9_free(AppTop9 *t);
/* (C, y1-y0, x1-x0) copy of planes v (C, H, W) inside box; NULL if empty or outside. */
float *app_crop(const float *v, int C, int H, int W, const int box[4]);

/* A grey square slid over img (C, H, W) (Zeiler and Fergus 2014, Fig. 7):
 * at every position, the total activation of the channel, the probability
 * of the class followed and the most probable class. g is replanned at
 * batch 32. Same returns as app_top9_run. */
typedef struct {
    int size, stride;       /* in (0: a quarter of the side; 1, or 2 above 64x64) */
    float grey;             /* in (NAN: the image's mean) */
    int label;              /* in: the class followed, -1 = the clean prediction; out: it */
    int OH, OW;             /* out: the map's size */
    float clean[3];         /* out: the three values without the square */
    float *maps;            /* out: (3, OH, OW), free it */
} AppOcclusion;
int app_occlusion_run(EngGraph *g, int layer_id, int channel, const float *img, AppOcclusion *oc,
                      AppProgress progress, void *ctx, char *err, size_t errlen);
/* Every image file (PNG, JPEG, BMP) directly inside dir, sorted by name,
 * preprocessed for card into d (c, h, w = C, H, W; labels 0); names[i] gets
 * each file's name (free with free(names[0]) then free(names)). Unreadable
 * files and symbolic links (never followed) are skipped with a line on
 * stderr. 0, or -1 after a line naming cmd. */
int app_load_image_folder(const char *dir, const ModelCard *card, int C, int H, int W, EngDataset *d,
                          char ***names, const char *cmd);

/* Synthetic inputs (patterns.c): oriented gratings, an edge, a checkerboard,
 * a centre spot, colour blobs; pattern k made in pixel values and
 * preprocessed as card says into x (C, H, W). */
int app_pattern_count(void);
const char *app_pattern_name(int k);
void app_pattern(int k, const ModelCard *card, float *x, int C, int H, int W);

/* "backprop", "deconv" or "guided" into *rule; -1 for anything else. */
int app_parse_rule(const char *s, EngProjRule *rule);

/* Filter snapshots taken by `train` (cmd_train.c), read by the window:
 * NAME.filters.safetensors beside NAME.safetensors, tensors named
 * "step<S>/<layer>.weight", metadata "steps" (S, space-separated) and
 * "labels" (comma-separated: "init", "step 10", "epoch 1"...). */
#define APP_SNAP_LABEL 24
void app_snapshots_path(const char *weights, char *buf, size_t n);
void app_snapshot_name(char *buf, size_t n, int64_t step, const EngNode *conv);
/* Steps and labels from the metadata text, at most max; returns how many. */
int app_snapshot_steps(const char *meta, int64_t *steps, char (*labels)[APP_SNAP_LABEL], int max);

/* One run of `convscope train` (cmd_train.c), for the command and the
 * window alike: the options as `train` parses them (o->steps > 0: stop after
 * the optimizer's step o->steps). hooks NULL: the command's run (its lines
 * on stdout, a progress bar on a terminal, Ctrl-C saves and fails). With
 * hooks: nothing on stdout; report() is called on the training thread after
 * every step and after every epoch's test, and a nonzero answer stops the
 * run. A stop saves the checkpoint where the run is, as Ctrl-C does, and
 * sets *stopped (may be NULL). APP_OK when the run ended as asked (every
 * epoch, or stopped and saved); else an exit code after a line on stderr. */
typedef struct {
    int epoch, epochs;     /* the epoch under way (from 0) and the run's */
    int batch, batches;    /* batches done in it, of */
    int64_t step;          /* optimizer steps so far */
    double loss;           /* this step's loss; after a test, the epoch's mean */
    int tested;            /* 1: an epoch's end, with its test numbers */
    double test_acc, test_loss;
    const EngGraph *g;     /* the network being trained: read inside report() only */
    const char *out;       /* the checkpoint written */
} AppTrainReport;
typedef struct {
    int (*report)(void *ctx, const AppTrainReport *r);
    void *ctx;
} AppTrainHooks;
int app_train_run(const AppOptions *o, const AppTrainHooks *hooks, int *stopped);

/* Training augmentation, in place on a filled batch: each image moved by up to
 * 2 pixels in x and y (zeros shifted in) and, with flip, mirrored left-right
 * half of the time. The draw depends only on key and the image's place in
 * the batch, so a resumed run sees the same images. */
enum { APP_AUG_NONE = 0, APP_AUG_SHIFT, APP_AUG_FLIP_SHIFT };
void app_augment(float *in, int N, int C, int H, int W, int mode, uint64_t key);
/* Class names of a dataset ("digits", "fashion"), or NULL. */
const char *const *app_labels(const char *data, int *n);
/* The 1000 ImageNet classes in output order (assets/imagenet_classes.txt,
 * read once), or NULL after a line on stderr if the file is missing or damaged. */
const char *const *app_imagenet_classes(int *n);
/* The class names to show for g's outputs: the dataset's (data: given, or the
 * weights' own), else for any model with 1000 outputs ImageNet's;
 * NULL when none fit. */
const char *const *app_class_names(const ModelCard *card, const EngGraph *g, const char *data, int *n);
/* The preprocessing an imported model gets (options.c): preset "caffe",
 * "torchvision", "none" or "card" (the convscope.preprocess entry of the
 * file's metadata), or NULL for the automatic choice; meta is what
 * eng_onnx_load_meta gave, path the file, C its input channels. Fills p and
 * why (a few words on where the choice comes from); returns the preset's
 * name, or NULL after a line on stderr (no such preset, no metadata). */
const char *app_onnx_preset(const char *preset, const char *path, const char *meta, int C, int H,
                            int W, ModelPreproc *p, char *why, size_t whylen);

/* Timing (measure.c): a monotonic clock in ms; the median of v[0..n) (v is
 * sorted in place, so v[0] is then the minimum); n floats uniform in
 * [-1, 1) from a seed. */
double app_now_ms(void);
double app_sort_median(double *v, int n);
void app_fill_random(float *x, size_t n, uint64_t seed);

/* Print s as a JSON string, quotes included. */
void app_json_str(FILE *f, const char *s);

int app_cmd_models(int argc, char **argv);
int app_cmd_summary(int argc, char **argv);
int app_cmd_bench(int argc, char **argv);
int app_cmd_view(int argc, char **argv);
int app_cmd_train(int argc, char **argv);
int app_cmd_render(int argc, char **argv);
/* Projections to pixel space (deconvnet, guided backprop, saliency). */
int app_cmd_deconv(int argc, char **argv);
/* The nine strongest activations of a channel over a test set (cmd_top9.c). */
int app_cmd_top9(int argc, char **argv);
/* Occlusion sensitivity maps (cmd_occlude.c). */
int app_cmd_occlude(int argc, char **argv);
int app_cmd_compare(int argc, char **argv);
int app_cmd_onnx_test(int argc, char **argv);
/* A model with its weights as an ONNX file (cmd_export.c). */
int app_cmd_export(int argc, char **argv);
int app_cmd_eval(int argc, char **argv);
int app_cmd_basics(int argc, char **argv);
/* The course as chapters: list, check, render (cmd_lesson.c). */
int app_cmd_lesson(int argc, char **argv);
/* A classifier's most probable classes for an input (cmd_predict.c). */
int app_cmd_predict(int argc, char **argv);
/* Grad-CAM and guided Grad-CAM of a class at a layer (cmd_gradcam.c). */
int app_cmd_gradcam(int argc, char **argv);
/* Feature visualization by gradient ascent on the input (cmd_visualize.c). */
/* The range [lo, hi] of each input channel that the card's preprocessing
 * gives pixels 0..255. */
void app_featvis_range(const ModelCard *card, float lo[3], float hi[3]);
/* The node an ascent on node id follows: the class scores before softmax
 * for the output (*is_scores 1, also when id is the scores), else id. */
int app_featvis_target(EngGraph *g, int id, int *is_scores);
int app_cmd_visualize(int argc, char **argv);
/* Per layer, sheets of each channel's filter, top-9, projection and
 * visualisation, with an index.html (cmd_atlas.c). */
int app_cmd_atlas(int argc, char **argv);
/* The experiments behind the history's claims (cmd_experiment.c). */
int app_cmd_experiment(int argc, char **argv);

#endif
