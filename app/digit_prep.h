/*
 * digit_prep.h — a drawing or a photo of a digit (or of a piece of
 * clothing) made into a 28x28 picture the way its data set was made, and
 * the pen the window's canvas draws with. No SDL here: the tests call it.
 *
 * MNIST (LeCun et al. 1998; the data set's page): each NIST digit's
 * bounding box was scaled to fit a 20x20 box keeping its aspect ratio,
 * anti-aliased, then placed in a 28x28 field so that its centre of mass
 * sits at the centre. Fashion-MNIST (Xiao et al. 2017, Section 2): each
 * product photo was trimmed to its content, its longest edge resized to 28,
 * its intensities negated, and it was centred in the 28x28 field by its box
 * (no margin, no centre of mass): clothing fills the frame. A picture drawn
 * or photographed dark on light (the border brighter than the middle) is
 * negated first, as the data sets store light ink on black.
 */
#ifndef CONVSCOPE_DIGIT_PREP_H
#define CONVSCOPE_DIGIT_PREP_H

#include "models.h"

enum { DIGIT_SIDE = 28 }; /* the data sets' field */

typedef enum {
    DIGIT_PREP_NONE,    /* the whole picture resized to the input (ImageNet-style models) */
    DIGIT_PREP_MNIST,   /* box to 20x20, centre of mass to the centre of 28x28 */
    DIGIT_PREP_FASHION, /* box to 28 on its longest edge, centred by the box */
} DigitPrepStyle;

typedef enum { DIGIT_INVERT_AUTO, DIGIT_INVERT_ON, DIGIT_INVERT_OFF } DigitInvert;

typedef struct {
    int inverted;       /* the picture was negated (dark on light, or asked) */
    int empty;          /* no ink found: the output is all zero */
    int box_y, box_x, box_h, box_w; /* the ink's bounding box in the picture */
} DigitPrepInfo;

/* The style for a model fed from data set `data` ("digits", "fashion", a
 * folder or NULL) with C input channels: the two MNIST-made sets on one
 * channel, else none. */
DigitPrepStyle digit_prep_style(const char *data, int C);
const char *digit_invert_name(DigitInvert m);

/* The canvas for an H x W input: a multiple of it at least 112 pixels on its
 * shorter side (at most 1024 on the longer), so that strokes are smooth
 * before they are scaled down. */
void digit_canvas_size(int H, int W, int *ch, int *cw);
/* The pen's width in canvas pixels for brush level 1..DIGIT_BRUSH_LEVELS on
 * a canvas whose shorter side is `side` (level 3 is about an MNIST stroke
 * on a digit written to fill the canvas). */
enum { DIGIT_BRUSH_LEVELS = 6, DIGIT_BRUSH_DEFAULT = 3 };
float digit_brush_width(int level, int side);
/* A round pen from (y0, x0) to (y1, x1) (canvas pixels, fractional) on img
 * (h, w) in 0..1, `width` wide, soft over one field pixel at its edge; a
 * pixel keeps the larger of its old and new ink. */
void digit_brush(float *img, int h, int w, float y0, float x0, float y1, float x1, float width);

/* 1 when img (h, w, 0..1) looks dark on light: its border is brighter
 * than its middle and than mid-grey. */
int digit_dark_on_light(const float *img, int h, int w);
/* The area average of src (sh, sw) over rows [y0, y1) and columns [x0, x1)
 * (fractional source coordinates) into dst (dh, dw): each destination pixel
 * averages the source area it covers (at least one source pixel wide). */
void digit_resample(const float *src, int sh, int sw, float y0, float x0, float y1, float x1, float *dst,
                    int dh, int dw);
/* img (h, w, 0..1) into out (28 x 28, 0..1) in the style given (MNIST or
 * FASHION; NONE: the whole picture resized). 0, or -1 when there is no
 * memory (out is then zero). info may be NULL. */
int digit_prep(const float *img, int h, int w, DigitPrepStyle style, DigitInvert inv,
               float out[DIGIT_SIDE * DIGIT_SIDE], DigitPrepInfo *info);
/* A 28 x 28 picture (0..1) into a network input x (C, H, W) as the test
 * images are fed (centred, cut or padded with zero) and normalised as the
 * card says. */
void digit_to_input(const float *d28, const ModelPreproc *pre, float *x, int C, int H, int W);
/* A whole picture (h, w, 0..1) resized into x (C, H, W) and normalised:
 * the drawing for a model that is not fed MNIST-made pictures. */
void digit_plain_input(const float *img, int h, int w, const ModelPreproc *pre, float *x, int C, int H,
                       int W);

#endif
