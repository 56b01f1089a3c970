/*
 * test_canvas.c — the window's canvas and the preprocessing of drawn and
 * loaded digits (app/digit_prep.c): the resampler averages areas, a box is
 * scaled and centred as MNIST and Fashion-MNIST were made, dark on light is
 * found and negated. Then the ten digits written as a person writes them
 * (polylines drawn with the canvas's own pen) at several sizes, places and
 * brushes, and once as a dark photo on light paper, read by LeNet-5 with its
 * shipped digits weights: at least 9 of 10 right for each placement. The
 * same strokes fed the way the canvas fed them before (the whole canvas
 * resized to the input, nothing inverted) are read too, for comparison.
 */
#include "check.h"
#include "digit_prep.h"
#include "eng.h"
#include "models.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the preprocessing on pictures whose answer is known -------------------------------- */

/* Rows and columns of p (28 x 28) holding ink above t. */
static void ink_box(const float *p, float t, int *y0, int *y1, int *x0, int *x1) {
    *y0 = *x0 = DIGIT_SIDE, *y1 = *x1 = -1;
    for (int y = 0; y < DIGIT_SIDE; y++)
        for (int x = 0; x < DIGIT_SIDE; x++)
            if (p[y * DIGIT_SIDE + x] > t) {
                *y0 = y < *y0 ? y : *y0, *y1 = y > *y1 ? y : *y1;
                *x0 = x < *x0 ? x : *x0, *x1 = x > *x1 ? x : *x1;
            }
}

static void test_resample(void) {
    enum { S = 128, D = 32 };
    float *src = malloc(S * S * sizeof *src), dst[D * D], want[D * D];
    CHECK(src != NULL);
    if (!src) return;
    for (int i = 0; i < S * S; i++) src[i] = (float)((i * 7919) % 101) / 100.0f;
    digit_resample(src, S, S, 0, 0, S, S, dst, D, D);
    for (int y = 0; y < D; y++) /* each output pixel: the mean of its 4 x 4 block */
        for (int x = 0; x < D; x++) {
            double s = 0;
            for (int i = 0; i < 4; i++)
                for (int j = 0; j < 4; j++) s += src[(y * 4 + i) * S + x * 4 + j];
            want[y * D + x] = (float)(s / 16);
        }
    check_close("4x4 area average", dst, want, D * D, 1e-5f, 1e-5f);
    /* a window half outside the picture: the outside is black */
    digit_resample(src, S, S, -S, 0, S, S, dst, 2, 1);
    CHECK(dst[0] == 0.0f && dst[1] > 0.3f);
    /* hostile sizes and spans leave zeros, and do not crash */
    digit_resample(src, 0, S, 0, 0, S, S, dst, D, D);
    CHECK(dst[0] == 0.0f && dst[D * D - 1] == 0.0f);
    digit_resample(src, S, S, 0, 0, NAN, S, dst, D, D);
    CHECK(dst[5] == 0.0f);
    free(src);
}

static void test_box_and_centre(void) {
    enum { H = 120, W = 100 };
    static float img[H * W], neg[H * W];
    float out[DIGIT_SIDE * DIGIT_SIDE], out_neg[DIGIT_SIDE * DIGIT_SIDE];
    for (int y = 70; y < 110; y++) /* a 40 x 4 bar (a "1"), low and to the right */
        for (int x = 60; x < 64; x++) img[y * W + x] = 1.0f;
    DigitPrepInfo info;
    int y0, y1, x0, x1;
    CHECK(digit_prep(img, H, W, DIGIT_PREP_MNIST, DIGIT_INVERT_AUTO, out, &info) == 0);
    CHECK(!info.inverted && !info.empty);
    CHECK_EQ_I64(info.box_h, 40);
    CHECK_EQ_I64(info.box_w, 4);
    ink_box(out, 0.5f, &y0, &y1, &x0, &x1); /* 20 x 2, its centre at (14, 14) */
    CHECK_EQ_I64(y0, 4);
    CHECK_EQ_I64(y1, 23);
    CHECK_EQ_I64(x0, 13);
    CHECK_EQ_I64(x1, 14);
    CHECK(fabsf(out[14 * DIGIT_SIDE + 14] - 1.0f) < 1e-4f && out[2 * DIGIT_SIDE + 14] == 0.0f);
    CHECK(digit_prep(img, H, W, DIGIT_PREP_FASHION, DIGIT_INVERT_AUTO, out, &info) == 0);
    ink_box(out, 0.5f, &y0, &y1, &x0, &x1); /* the frame filled: 28 high, centred */
    CHECK_EQ_I64(y0, 0);
    CHECK_EQ_I64(y1, 27);
    CHECK_EQ_I64(x0, 13);
    CHECK_EQ_I64(x1, 14);
    /* a stroke as wide as half its length: thinned for MNIST (towards its
     * widest digits' 3.3 pixels), left whole for Fashion-MNIST */
    for (int y = 70; y < 110; y++)
        for (int x = 44; x < 64; x++) img[y * W + x] = 1.0f;
    CHECK(digit_prep(img, H, W, DIGIT_PREP_MNIST, DIGIT_INVERT_AUTO, out, &info) == 0);
    ink_box(out, 0.5f, &y0, &y1, &x0, &x1);
    /* 10 field pixels wide unthinned; its ends count as edges too, so a
     * bar this short is thinned less than a long stroke would be */
    CHECK(x1 - x0 + 1 <= 8 && y1 - y0 + 1 >= 19);
    CHECK(digit_prep(img, H, W, DIGIT_PREP_FASHION, DIGIT_INVERT_AUTO, out, &info) == 0);
    ink_box(out, 0.5f, &y0, &y1, &x0, &x1);
    CHECK_EQ_I64(x1 - x0 + 1, 14);
    /* the centre of mass, not the box, goes to the centre: an L whose foot is heavy */
    memset(img, 0, sizeof img);
    for (int y = 10; y < 90; y++)
        for (int x = 10; x < 18; x++) img[y * W + x] = 1.0f;
    for (int y = 70; y < 90; y++)
        for (int x = 10; x < 90; x++) img[y * W + x] = 1.0f;
    CHECK(digit_prep(img, H, W, DIGIT_PREP_MNIST, DIGIT_INVERT_OFF, out, &info) == 0);
    ink_box(out, 0.5f, &y0, &y1, &x0, &x1);
    CHECK(abs(y1 - y0 + 1 - 20) <= 1 && abs(x1 - x0 + 1 - 20) <= 1);
    /* its mass lies low and left: moved up and right of the box-centred 4..23 */
    CHECK(y0 < 3 && x0 > 5);
    /* dark on light paper (grey, not white): found, negated, the same picture */
    for (int i = 0; i < H * W; i++) neg[i] = 0.88f - 0.8f * img[i];
    CHECK(digit_dark_on_light(neg, H, W) && !digit_dark_on_light(img, H, W));
    CHECK(digit_prep(neg, H, W, DIGIT_PREP_MNIST, DIGIT_INVERT_AUTO, out_neg, &info) == 0);
    CHECK(info.inverted);
    check_close("dark on light, negated", out_neg, out, DIGIT_SIDE * DIGIT_SIDE, 1e-4f, 0);
    CHECK(digit_prep(neg, H, W, DIGIT_PREP_MNIST, DIGIT_INVERT_OFF, out_neg, &info) == 0);
    CHECK(!info.inverted); /* the toggle forced off: the paper is the ink */
    /* nothing drawn: empty, all zero */
    memset(img, 0, sizeof img);
    CHECK(digit_prep(img, H, W, DIGIT_PREP_MNIST, DIGIT_INVERT_AUTO, out, &info) == 0);
    CHECK(info.empty && out[14 * DIGIT_SIDE + 14] == 0.0f);
    /* into LeNet-5's 32 x 32 input: padded by 2, as the test images are fed */
    const ModelCard *card = model_find("lenet5");
    float x[32 * 32];
    for (int i = 0; i < DIGIT_SIDE * DIGIT_SIDE; i++) out[i] = (float)(i % 7) / 6.0f;
    digit_to_input(out, &card->pre, x, 1, 32, 32);
    CHECK(x[0] == 0.0f && x[2 * 32 + 1] == 0.0f);
    CHECK(fabsf(x[(2 + 5) * 32 + 2 + 9] - out[5 * DIGIT_SIDE + 9]) < 1e-6f);
    /* the pen: a NaN or far-away stroke touches nothing */
    float pad[16 * 16] = {0};
    digit_brush(pad, 16, 16, NAN, 3, 5, 5, 3);
    digit_brush(pad, 16, 16, 1e9f, 1e9f, 2e9f, 2e9f, 3);
    CHECK(pad[0] == 0.0f && pad[8 * 16 + 8] == 0.0f);
    digit_brush(pad, 16, 16, 8, 2, 8, 14, 2);
    CHECK(pad[8 * 16 + 8] == 1.0f && pad[0] == 0.0f);
}

/* ---- the ten digits, written by hand -------------------------------------------------------- */

/* A digit: strokes of points (x, y) in its box [0, 1] x [0, 1], y down;
 * each stroke ends with a point of x < 0. */
static const float strokes[10][40][2] = {
    /* 0: one oval, closed where it started */
    {{.50f, 0}, {.22f, .10f}, {.06f, .35f}, {.06f, .65f}, {.22f, .90f}, {.50f, 1}, {.78f, .90f},
     {.94f, .65f}, {.94f, .35f}, {.78f, .10f}, {.50f, 0}, {-1, 0}},
    /* 1: a vertical line, leaning a little */
    {{.58f, 0}, {.46f, 1}, {-1, 0}},
    /* 2: an arc over the top, a diagonal down, a flat base */
    {{.10f, .25f}, {.25f, .05f}, {.50f, 0}, {.78f, .08f}, {.88f, .28f}, {.78f, .50f}, {.45f, .75f},
     {.08f, 1}, {.92f, 1}, {-1, 0}},
    /* 3: two bumps */
    {{.12f, .12f}, {.40f, 0}, {.72f, .04f}, {.85f, .22f}, {.72f, .42f}, {.42f, .48f}, {.75f, .56f},
     {.90f, .76f}, {.75f, .95f}, {.45f, 1}, {.10f, .90f}, {-1, 0}},
    /* 4: open at the top: down and across, then the tall stroke */
    {{.25f, 0}, {.10f, .62f}, {.95f, .62f}, {-1, 0}, {.72f, .20f}, {.72f, 1}, {-1, 0}},
    /* 5: the flag, the back, the belly */
    {{.85f, 0}, {.22f, 0}, {.16f, .45f}, {.45f, .36f}, {.75f, .42f}, {.90f, .65f}, {.80f, .88f},
     {.50f, 1}, {.10f, .90f}, {-1, 0}},
    /* 6: down the left into a loop at the bottom */
    {{.75f, 0}, {.42f, .15f}, {.18f, .45f}, {.12f, .72f}, {.28f, .95f}, {.55f, 1}, {.82f, .85f},
     {.82f, .62f}, {.55f, .50f}, {.28f, .58f}, {.15f, .72f}, {-1, 0}},
    /* 7: a horizontal top bar and a diagonal */
    {{.06f, 0}, {.94f, 0}, {.62f, .50f}, {.38f, 1}, {-1, 0}},
    /* 8: an S down, then back up to close it */
    {{.82f, .14f}, {.50f, 0}, {.18f, .14f}, {.25f, .36f}, {.75f, .62f}, {.85f, .85f}, {.50f, 1},
     {.15f, .85f}, {.25f, .62f}, {.75f, .36f}, {.82f, .14f}, {-1, 0}},
    /* 9: a loop at the top, its stem straight down */
    {{.85f, .20f}, {.55f, 0}, {.22f, .08f}, {.15f, .30f}, {.32f, .48f}, {.62f, .45f}, {.85f, .25f},
     {.85f, .20f}, {.80f, .60f}, {.75f, 1}, {-1, 0}},
};

typedef struct {
    const char *name;
    float cy, cx, height; /* the digit's centre and height as fractions of the canvas */
    int brush;            /* pen level */
    int photo;            /* a photo: dark ink on light paper, 180 x 240 */
} Placement;

static const Placement placements[] = {
    {"centre, the guide box's size", .50f, .50f, .62f, DIGIT_BRUSH_DEFAULT, 0},
    {"small, top-left corner", .18f, .16f, .26f, DIGIT_BRUSH_DEFAULT, 0},
    {"large, filling the canvas", .50f, .50f, .94f, DIGIT_BRUSH_DEFAULT, 0},
    {"off-centre, bottom right", .68f, .70f, .46f, DIGIT_BRUSH_DEFAULT, 0},
    {"thin brush", .50f, .48f, .62f, 1, 0},
    {"thick brush", .48f, .50f, .70f, DIGIT_BRUSH_LEVELS, 0},
    {"dark on light paper (a photo)", .52f, .48f, .60f, DIGIT_BRUSH_DEFAULT, 1},
};

/* Digit d written on img (h, w) as placement p says. */
static void write_digit(float *img, int h, int w, int d, const Placement *p) {
    const int side = h < w ? h : w;
    const float dh = p->height * side, dw = 0.7f * dh;
    const float y0 = p->cy * h - dh / 2, x0 = p->cx * w - dw / 2;
    const float width = digit_brush_width(p->brush, side);
    for (int i = 1; i < 40; i++) {
        const float *a = strokes[d][i - 1], *b = strokes[d][i];
        if (a[0] < 0 && b[0] < 0) break;
        if (a[0] < 0 || b[0] < 0) continue; /* the pen lifted */
        digit_brush(img, h, w, y0 + a[1] * dh, x0 + a[0] * dw, y0 + b[1] * dh, x0 + b[0] * dw, width);
    }
}

static int argmax(const EngGraph *g) {
    const EngNode *o = eng_graph_node(g, eng_graph_output(g));
    int best = 0;
    for (int k = 1; k < o->out.C; k++)
        if (o->act[k] > o->act[best]) best = k;
    return best;
}

static void test_strokes(void) {
    const ModelCard *card = model_find("lenet5");
    char path[4096], err[512];
    EngGraph *g = model_build(card, 0, 0, 0);
    CHECK(g && eng_weights_load(g, NULL, model_weights_path(card, path, sizeof path), NULL, 0, err,
                                sizeof err) == 0);
    CHECK(g && eng_graph_plan(g, 1) == 0);
    if (!g) return;
    const EngNode *in = eng_graph_node(g, 0);
    const int H = in->out.H, W = in->out.W;
    int ch, cw, total_new = 0, total_old = 0;
    digit_canvas_size(H, W, &ch, &cw);
    CHECK(ch >= 112 && cw >= 112);
    float *img = malloc((size_t)180 * 240 * sizeof *img), d28[DIGIT_SIDE * DIGIT_SIDE];
    float *x = eng_graph_input_buffer(g, 0);
    const int np = (int)(sizeof placements / sizeof placements[0]);
    printf("LeNet-5 (digits weights) on the ten digits written by hand; canvas %dx%d, input %dx%d\n",
           ch, cw, H, W);
    printf("%-32s %-12s %-22s %s\n", "placement", "new (reads)", "old (reads)", "");
    for (int pi = 0; pi < np && img; pi++) {
        const Placement *p = &placements[pi];
        const int h = p->photo ? 180 : ch, w = p->photo ? 240 : cw;
        char reads_new[16] = "", reads_old[16] = "";
        int right_new = 0, right_old = 0;
        for (int d = 0; d < 10; d++) {
            memset(img, 0, (size_t)h * w * sizeof *img);
            write_digit(img, h, w, d, p);
            if (p->photo) /* grey paper lit from the left, dark ink */
                for (int y = 0; y < h; y++)
                    for (int xx = 0; xx < w; xx++) {
                        float paper = 0.92f - 0.12f * (float)xx / w;
                        img[y * w + xx] = paper - (paper - 0.12f) * img[y * w + xx];
                    }
            /* new: as the window now feeds a drawing or an image file */
            DigitPrepInfo info;
            CHECK(digit_prep(img, h, w, DIGIT_PREP_MNIST, DIGIT_INVERT_AUTO, d28, &info) == 0);
            CHECK(info.inverted == p->photo && !info.empty);
            digit_to_input(d28, &card->pre, x, 1, H, W);
            CHECK(eng_graph_forward(g) == 0);
            int k = argmax(g);
            reads_new[d] = (char)('0' + k);
            right_new += k == d;
            /* old: the whole picture resized to the input, nothing inverted */
            digit_plain_input(img, h, w, &card->pre, x, 1, H, W);
            CHECK(eng_graph_forward(g) == 0);
            k = argmax(g);
            reads_old[d] = (char)('0' + k);
            right_old += k == d;
        }
        printf("%-32s %2d/10 %s  %2d/10 %s\n", p->name, right_new, reads_new, right_old, reads_old);
        if (right_new < 9) fprintf(stderr, "test_canvas: %s: %d of 10 read right\n", p->name, right_new);
        CHECK(right_new >= 9);
        total_new += right_new, total_old += right_old;
    }
    printf("%-32s %2d/%d          %2d/%d\n", "all", total_new, 10 * np, total_old, 10 * np);
    CHECK(total_new > total_old);
    free(img);
    eng_graph_destroy(g);
}

int main(void) {
    test_resample();
    test_box_and_centre();
    test_strokes();
    return check_finish("canvas");
}
