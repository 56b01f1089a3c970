/*
 * models.h — the model zoo: one C builder per classic network plus its card.
 *
 * A card says what the network is (year, authors, paper, ILSVRC result with
 * its source, key ideas), which input it expects and how an image is
 * preprocessed for it. A builder adds the network's nodes to an engine graph
 * through engine calls only; it draws nothing (no SDL here).
 *
 * Layer names follow the paper or torchvision (conv1, pool1, conv5_3,
 * inception_3a, layer3.1, denseblock2, fc7...), so parameter names are
 * "<node>.weight", "<node>.bias" as in torchvision state dicts.
 */
#ifndef CONVSCOPE_MODELS_H
#define CONVSCOPE_MODELS_H

#include "eng.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    int channels;        /* 1 = grey, 3 = colour */
    int resize;          /* shorter side resized to this before the crop (0 = resize to the input) */
    int crop;            /* centre crop size (0 = none) */
    int bgr;             /* channel order BGR (Caffe) instead of RGB */
    float scale;         /* pixel value multiplier applied first: 1/255 or 1 */
    float mean[3];       /* subtracted after scaling, per channel in network order */
    float std[3];        /* divided after the mean */
} ModelPreproc;

typedef struct ModelCard {
    const char *name;        /* registry key: "vgg16" */
    const char *display;     /* "VGG-16" */
    const char *family;      /* "VGG" */
    int year;                /* publication year */
    const char *authors;
    const char *paper;       /* title */
    const char *venue;       /* "CVPR 2016", "arXiv:1409.1556" */
    const char *ilsvrc;      /* ILSVRC result in words, or NULL */
    double top5_error;       /* ILSVRC / ImageNet top-5 error in percent, < 0 if none */
    const char *top5_source; /* where the number is stated (paper table, challenge results) */
    /* ilsvrc, top5_error and top5_source are the network's history as reported
     * (test or val, ensembles, many crops): never put on a comparison axis.
     * The comparison figure is val_top1/val_top5: single model, single crop,
     * ImageNet-1K validation accuracy in percent; 0 means no such figure (the
     * network is then left off the zoo chart with a note). val_source cites it:
     * torchvision's published metrics for the weights it ships, or the paper's
     * table, with the crop. */
    double val_top1, val_top5;
    const char *val_source;
    const char *key_ideas;
    const char *notes;       /* how this builder follows the reference; what the notes get wrong */
    int in_c, in_h, in_w;    /* default input */
    ModelPreproc pre;
    /* Adds the network to g for input (C, H, W); returns the output node id or -1. */
    int (*build)(EngGraph *g, int C, int H, int W);
    /* Shipped trained weights (a file in assets/, made by `convscope train`),
     * the dataset they were trained on, and the exact command that made them. */
    const char *weights;
    const char *weights_data;    /* "digits", "fashion" */
    const char *train_cmd;
    /* An ONNX file opened like a zoo model: its graph arrives with its weights. */
    int imported;
    /* imported: the name of the preprocessing preset in `pre` ("caffe",
     * "torchvision", "none", "card"); NULL for the zoo's own cards */
    const char *preprocess;
} ModelCard;

/* The folder of shipped files: $CONVSCOPE_ASSETS, else assets/ of the source tree. */
const char *model_assets_dir(void);
/* Full path of a card's shipped weights in buf, or NULL when it has none. */
const char *model_weights_path(const ModelCard *card, char *buf, size_t n);
/* Full path of the shipped weights to use with the data set `data` ("digits",
 * "fashion", a folder or NULL): the card's own when data is NULL or what they
 * were trained on; else NAME_DATA.safetensors in the assets folder when such a
 * file ships (lenet5_fashion.safetensors for lenet5 on fashion); else the
 * card's own (trained on another data set: the caller warns). NULL when the
 * card ships none. */
const char *model_weights_for(const ModelCard *card, const char *data, char *buf, size_t n);

int model_count(void);
const ModelCard *model_at(int i);
const ModelCard *model_find(const char *name);   /* NULL if unknown */

/* New graph holding the network for input (C, H, W) (<= 0 means the card's
 * default). NULL on failure, with the reason logged through eng_log. */
EngGraph *model_build(const ModelCard *card, int C, int H, int W);

/* The CIFAR networks of the ResNet paper (net_cifar.c) at any depth 6n + 2
 * and width: plain (shortcuts 0) or residual (option A), `width` filters in
 * the first stage, doubled in each of the next two; plain20 is (3, 0, 16).
 * The output node id, or -1. */
int model_cifar_build(EngGraph *g, int C, int H, int W, int n, int shortcuts, int width);

#ifdef __cplusplus
}
#endif
#endif
