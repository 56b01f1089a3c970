/*
 * session.h — what every screen of the window reads, in one place: the
 * model open (its card and graph with weights), the filter snapshots saved
 * beside the weights, the test set, and the input fed to the network (a test
 * image, a synthetic pattern, or the user's own: an image file, an array, a
 * drawing), with the text the status line shows about them. The window,
 * `render` and `deconv` open one. No SDL here.
 */
#ifndef CONVSCOPE_SESSION_H
#define CONVSCOPE_SESSION_H

#include "app.h"
#include "digit_prep.h"

enum { SRC_DATA, SRC_PATTERN, SRC_CUSTOM }; /* what session_set_input feeds */

#define SESSION_SNAPS 256

typedef struct {
    const ModelCard *card;
    EngGraph *graph;      /* planned at batch 1, gradients enabled */
    const char *const *labels;
    int n_labels;
    char weights_note[512];
    char weights_path[4096]; /* the weights file in use, "" for random or imported ones */
    /* filter snapshots taken while training: "step<S>/<layer>.weight" */
    EngTensor *snaps;
    int n_snaps;
    int64_t steps[SESSION_SNAPS]; /* their steps and labels, in order */
    char step_label[SESSION_SNAPS][APP_SNAP_LABEL];
    int n_steps;
    EngDataset test;      /* the images N/P browse */
    int sample;
    int source;           /* SRC_DATA, SRC_PATTERN, SRC_CUSTOM */
    int pattern;          /* app_pattern index */
    float *custom;        /* (C, H, W) an image file or the drawing; the worker reads it */
    char data[4096];      /* the data set the weights were chosen for ("digits", "fashion", a folder), or "" */
    DigitPrepStyle prep;  /* how a drawing or an image file is made into the input */
    DigitInvert invert;   /* dark on light: negated when found (auto), always, never */
    char custom_name[320];
    char status[512];     /* what the user should know: weights, input */
    char msg[512];        /* the last action's result or error */
} Session;

/* Weights (given, shipped, or seeded random), an input (test image `sample`
 * of the card's dataset, or a grating), one forward pass. APP_OK, or an exit
 * code after a line on stderr; close the session in either case. */
int session_open(Session *s, const AppOptions *o, int sample);
void session_close(Session *s);
/* The input the session's source says into the graph, then the forward pass
 * (a failure on the message line). */
void session_set_input(Session *s);
/* An image file (--image) as the input now: 0, or -1 after a line on stderr
 * naming cmd. */
int session_use_image(Session *s, const char *path, const char *cmd);
/* The array of --input FILE.npy (the input's shape) as the input now. */
void session_use_array(Session *s, const float *x, const char *path);
/* The input's size: C x H x W floats. */
size_t session_input_len(const Session *s);
/* The first convolution (where the window opens), or 0. */
int session_first_conv(const Session *s);

/* --input FILE.npy (view, render; app_parse tells it from --input CxHxW by
 * its ".npy") into *data: an array fed as is, no preprocessing; the model is
 * then built at its size. APP_OK, or an exit code after a line on stderr. */
int session_load_npy_arg(const char *path, const char *image, AppOptions *o, float **data,
                         const char *cmd);

#endif
