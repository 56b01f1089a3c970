/*
 * viz_basics.c — the basics screen: a kernel slid over a picture, the
 * kernel's numbers, the output map, the output-size and parameter formulas
 * with their numbers filled in, and a 1x1 convolution mixing channels. It
 * draws numbers it is given (VizBasics); app/basics.c computes them with the
 * engine's conv and app/gui_basics.c keeps the settings.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "viz.h"

#define INK (viz_ink())
#define DIM (viz_dim())

VizBasicsLayout viz_basics_layout(const VizFonts *f, int K, int w, int h) {
    VizBasicsLayout L;
    memset(&L, 0, sizeof L);
    const int m = f->line, top = m / 2 + f->line * 2 + f->small_line;
    L.help_y = h - f->small_line - m / 2;
    const int avail = L.help_y - m / 2 - top;
    const int row1 = avail * 11 / 20, row2 = avail - row1 - m;
    const int col = (w - 4 * m) / 3;
    L.input = (SDL_Rect){m, top, col, row1};
    L.kernel = (SDL_Rect){2 * m + col, top, col, row1};
    L.output = (SDL_Rect){3 * m + 2 * col, top, col, row1};
    const int fw = (w - 3 * m) * 11 / 20;
    L.formula = (SDL_Rect){m, top + row1 + m, fw, row2};
    L.mix = (SDL_Rect){2 * m + fw, top + row1 + m, w - 3 * m - fw, row2};
    /* the grid: square cells under the panel's title and above its two lines of names */
    int gh = row1 - f->line - 2 * f->small_line - 16, side = gh < col - 16 ? gh : col - 16;
    if (K < 1) K = 1;
    int cell = side / K;
    L.grid = (SDL_Rect){L.kernel.x + (col - cell * K) / 2, top + f->line + 8, cell * K, cell * K};
    return L;
}

int viz_basics_cell(const VizBasicsLayout *L, int K, int x, int y) {
    if (K < 1 || x < L->grid.x || y < L->grid.y || x >= L->grid.x + L->grid.w || y >= L->grid.y + L->grid.h)
        return -1;
    int cx = (x - L->grid.x) * K / L->grid.w, cy = (y - L->grid.y) * K / L->grid.h;
    return cx >= 0 && cx < K && cy >= 0 && cy < K ? cy * K + cx : -1;
}

/* A line of a formula: in the monospaced type when it fits in wmax, else
 * in the small type (presentation mode's larger type on a narrow window). */
static void line(SDL_Renderer *r, const VizFonts *f, int x, int y, int wmax, SDL_Color c, const char *s) {
    int tw = 0, th = 0;
    TTF_Font *font = viz_text_size(f->mono, s, &tw, &th) == 0 && tw <= wmax ? f->mono : f->small;
    viz_text(r, font, x, y, c, s);
}

static void panel(SDL_Renderer *r, const VizFonts *f, SDL_Rect a, const char *title) {
    SDL_SetRenderDrawColor(r, 30, 33, 40, 255);
    SDL_RenderFillRect(r, &a);
    SDL_SetRenderDrawColor(r, 70, 76, 90, 255);
    SDL_RenderDrawRect(r, &a);
    viz_text(r, f->sans, a.x + 8, a.y + 4, INK, title);
}

/* A plane (h x w) as greys into box, square pixels, centred; returns the
 * rectangle of one pixel's size in .w and the picture's origin in .x, .y. */
static SDL_Rect grey_plane(SDL_Renderer *r, const float *v, int h, int w, SDL_Rect box, int pad) {
    int ph = h + 2 * pad, pw = w + 2 * pad;
    int cell = box.h / ph < box.w / pw ? box.h / ph : box.w / pw;
    if (cell < 1) cell = 1;
    SDL_Rect o = {box.x + (box.w - cell * pw) / 2, box.y + (box.h - cell * ph) / 2, cell, cell};
    SDL_Rect all = {o.x, o.y, cell * pw, cell * ph};
    SDL_SetRenderDrawColor(r, 60, 40, 40, 255); /* the zero padding */
    SDL_RenderFillRect(r, &all);
    float lo = v[0], hi = v[0];
    for (int i = 1; i < h * w; i++) lo = v[i] < lo ? v[i] : lo, hi = v[i] > hi ? v[i] : hi;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            float t = hi > lo ? (v[y * w + x] - lo) / (hi - lo) : 0.5f;
            Uint8 g = (Uint8)(20 + 215 * t);
            SDL_SetRenderDrawColor(r, g, g, g, 255);
            SDL_Rect px = {o.x + (x + pad) * cell, o.y + (y + pad) * cell, cell, cell};
            SDL_RenderFillRect(r, &px);
        }
    return o;
}

/* The input with its padding and the window of output unit (uy, ux): its
 * K x K taps, D apart. */
static void draw_input(SDL_Renderer *r, const VizFonts *f, const VizBasics *b, SDL_Rect a) {
    char t[160];
    snprintf(t, sizeof t, "input %dx%d, padding %d", b->H, b->W, b->P);
    panel(r, f, a, t);
    SDL_Rect box = {a.x + 8, a.y + f->line + 8, a.w - 16, a.h - f->line - f->small_line - 20};
    SDL_Rect o = grey_plane(r, b->img, b->H, b->W, box, b->P);
    if (b->out && b->uy < b->oh && b->ux < b->ow) {
        int c = o.w, y0 = b->uy * b->S, x0 = b->ux * b->S; /* padded coordinates */
        SDL_SetRenderDrawColor(r, 255, 170, 40, 255);
        for (int i = 0; i < b->K; i++)
            for (int j = 0; j < b->K; j++) {
                SDL_Rect tap = {o.x + (x0 + j * b->D) * c, o.y + (y0 + i * b->D) * c, c, c};
                SDL_RenderDrawRect(r, &tap);
            }
        SDL_Rect win = {o.x + x0 * c - 1, o.y + y0 * c - 1, b->keff * c + 2, b->keff * c + 2};
        SDL_RenderDrawRect(r, &win);
    }
    snprintf(t, sizeof t, "orange: the window of output (%d, %d)", b->uy, b->ux);
    viz_text(r, f->small, a.x + 8, a.y + a.h - f->small_line - 6, DIM, t);
}

/* The kernel's cells coloured by sign, each with its number. */
static void draw_kernel(SDL_Renderer *r, const VizFonts *f, const VizBasics *b, const VizBasicsLayout *L) {
    char t[160];
    snprintf(t, sizeof t, "kernel %dx%d", b->K, b->K);
    panel(r, f, L->kernel, t);
    float amax = 1e-6f;
    for (int i = 0; i < b->K * b->K; i++) amax = fabsf(b->kernel[i]) > amax ? fabsf(b->kernel[i]) : amax;
    const int c = b->K > 0 ? L->grid.w / b->K : 0;
    TTF_Font *font = c >= 4 * f->line ? f->sans : f->small;
    for (int y = 0; y < b->K; y++)
        for (int x = 0; x < b->K; x++) {
            float v = b->kernel[y * b->K + x], t01 = fabsf(v) / amax;
            Uint8 hi = (Uint8)(50 + 150 * t01);
            if (v >= 0) SDL_SetRenderDrawColor(r, hi, (Uint8)(40 + 60 * t01), 40, 255);
            else SDL_SetRenderDrawColor(r, 40, (Uint8)(60 + 60 * t01), hi, 255);
            SDL_Rect cell = {L->grid.x + x * c, L->grid.y + y * c, c - 2, c - 2};
            SDL_RenderFillRect(r, &cell);
            const int sel = b->sel == y * b->K + x;
            if (sel) {
                SDL_SetRenderDrawColor(r, 255, 255, 255, 255);
                SDL_RenderDrawRect(r, &cell);
            }
            char num[32];
            if (sel && b->edit && b->edit[0]) snprintf(num, sizeof num, "%s_", b->edit);
            else snprintf(num, sizeof num, "%.2g", (double)v);
            int tw = 0, th = 0;
            viz_text_size(font, num, &tw, &th);
            viz_text_in(r, font, cell, cell.x + (cell.w - tw) / 2, cell.y + (cell.h - th) / 2,
                        (SDL_Color){255, 255, 255, 255}, num);
        }
    const SDL_Rect a = L->kernel;
    viz_text(r, f->small, a.x + 8, a.y + a.h - 2 * f->small_line - 6, INK, b->preset);
    snprintf(t, sizeof t, "stride %d, dilation %d (K_eff %d)", b->S, b->D, b->keff);
    viz_text(r, f->small, a.x + 8, a.y + a.h - f->small_line - 6, DIM, t);
}

static void draw_output(SDL_Renderer *r, const VizFonts *f, const VizBasics *b, SDL_Rect a) {
    char t[160];
    if (!b->out) {
        panel(r, f, a, "output: none");
        viz_text_wrap(r, f->sans, a.x + 8, a.y + f->line + 12, a.w - 16, (SDL_Color){255, 120, 100, 255},
                      b->error ? b->error : "no output");
        return;
    }
    snprintf(t, sizeof t, "output %dx%d", b->oh, b->ow);
    panel(r, f, a, t);
    SDL_Rect box = {a.x + 8, a.y + f->line + 8, a.w - 16, a.h - f->line - f->small_line - 20};
    SDL_Rect o = grey_plane(r, b->out, b->oh, b->ow, box, 0);
    SDL_Rect u = {o.x + b->ux * o.w - 1, o.y + b->uy * o.w - 1, o.w + 2, o.w + 2};
    SDL_SetRenderDrawColor(r, 255, 170, 40, 255);
    SDL_RenderDrawRect(r, &u);
    snprintf(t, sizeof t, "engine's conv: (%d, %d) = %.4g", b->uy, b->ux, (double)b->out[b->uy * b->ow + b->ux]);
    viz_text(r, f->small, a.x + 8, a.y + a.h - f->small_line - 6, DIM, t);
}

/* The output size and parameter count, each formula with its numbers. */
static void draw_formula(SDL_Renderer *r, const VizFonts *f, const VizBasics *b, SDL_Rect a) {
    panel(r, f, a, "output size and parameters");
    char t[256];
    int y = a.y + f->line + 10;
    const int x = a.x + 12, ml = f->mono_line;
    SDL_Color hot = {255, 200, 90, 255};
    snprintf(t, sizeof t, "K_eff = D(K-1)+1 = %d(%d-1)+1 = %d", b->D, b->K, b->keff);
    line(r, f, x, y, a.w - 24, INK, t), y += ml;
    line(r, f, x, y, a.w - 24, DIM, "out = floor((W - K_eff + 2P) / S) + 1"), y += ml;
    snprintf(t, sizeof t, "    = floor((%d - %d + 2*%d) / %d) + 1 = %lld", b->W, b->keff, b->P, b->S, b->formula_w);
    line(r, f, x, y, a.w - 24, INK, t), y += ml;
    if (b->H != b->W) {
        snprintf(t, sizeof t, "  H: floor((%d - %d + 2*%d) / %d) + 1 = %lld", b->H, b->keff, b->P, b->S,
                 b->formula_h);
        line(r, f, x, y, a.w - 24, INK, t), y += ml;
    }
    if (b->out) snprintf(t, sizeof t, "engine's shape inference: %dx%d", b->oh, b->ow);
    else snprintf(t, sizeof t, "engine: no output (the window does not fit)");
    line(r, f, x, y, a.w - 24, hot, t), y += ml + ml / 2;
    line(r, f, x, y, a.w - 24, DIM, "params = KH x KW x Cin x Cout + Cout"), y += ml;
    snprintf(t, sizeof t, "       = %d x %d x %d x %d + %d = %lld", b->K, b->K, b->cin, b->cout, b->cout,
             b->weights + b->biases);
    line(r, f, x, y, a.w - 24, INK, t), y += ml;
    snprintf(t, sizeof t, "engine's count: %lld", b->params);
    line(r, f, x, y, a.w - 24, hot, t), y += ml;
    static const char why[] = "Stride and padding do not change the parameter count (nor do dilation and "
                              "the input size): they move the same weights.";
    /* the small type where the panel is too short for the sentence in the
     * larger one; left out where it is too short for both */
    TTF_Font *font = y + 4 + viz_text_wrap(NULL, f->sans, x, y + 4, a.w - 24, DIM, why) <= a.y + a.h - 4
                         ? f->sans : f->small;
    if (y + 4 + viz_text_wrap(NULL, font, x, y + 4, a.w - 24, DIM, why) <= a.y + a.h - 4)
        viz_text_wrap(r, font, x, y + 4, a.w - 24, DIM, why);
}

/* One pixel of a 1x1 convolution: each output channel a weighted sum of
 * the input channels at that pixel. */
static void draw_mix(SDL_Renderer *r, const VizFonts *f, const VizBasics *b, SDL_Rect a) {
    panel(r, f, a, "1x1 convolution: mixing channels");
    static const char *const in_name[VIZ_BASICS_MIX_IN] = {"R", "G", "B"};
    const int n = b->mix_side, ml = f->mono_line, x0 = a.x + 12;
    int y = a.y + f->line + 10;
    int th = (a.h - f->line - 4 * ml - 30) > 0 ? a.h - f->line - 4 * ml - 30 : 8;
    int side = (a.w - 24 - 6 * 8) / 6;
    side = side < th ? side : th;
    for (int k = 0; k < VIZ_BASICS_MIX_IN + VIZ_BASICS_MIX_OUT; k++) {
        const int out = k >= VIZ_BASICS_MIX_IN;
        const float *pl = out ? b->mix_out + (size_t)(k - VIZ_BASICS_MIX_IN) * n * n : b->mix_in + (size_t)k * n * n;
        SDL_Rect box = {x0 + k * (side + 8) + (out ? side / 2 : 0), y + f->small_line, side, side};
        SDL_Rect o = grey_plane(r, pl, n, n, box, 0);
        SDL_Rect px = {o.x + b->mix_x * o.w - 1, o.y + b->mix_y * o.w - 1, o.w + 2, o.w + 2};
        SDL_SetRenderDrawColor(r, 255, 170, 40, 255);
        SDL_RenderDrawRect(r, &px);
        char t[32];
        if (out) snprintf(t, sizeof t, "out%d", k - VIZ_BASICS_MIX_IN);
        else snprintf(t, sizeof t, "%s", in_name[k]);
        viz_text(r, f->small, box.x, y, DIM, t);
    }
    y += f->small_line + side + 8;
    const size_t at = (size_t)b->mix_y * n + b->mix_x;
    char t[256];
    snprintf(t, sizeof t, "pixel (%d, %d): R %.2g  G %.2g  B %.2g", b->mix_y, b->mix_x, (double)b->mix_in[at],
             (double)b->mix_in[(size_t)n * n + at], (double)b->mix_in[2 * (size_t)n * n + at]);
    line(r, f, x0, y, a.w - 24, INK, t), y += ml;
    for (int o = 0; o < VIZ_BASICS_MIX_OUT; o++) {
        const float *w = b->mix_w + o * VIZ_BASICS_MIX_IN;
        snprintf(t, sizeof t, "out%d = %.2g*%.2g + %.2g*%.2g + %.2g*%.2g", o, (double)w[0], (double)b->mix_in[at],
                 (double)w[1], (double)b->mix_in[(size_t)n * n + at], (double)w[2],
                 (double)b->mix_in[2 * (size_t)n * n + at]);
        line(r, f, x0, y, a.w - 24, INK, t), y += ml;
        snprintf(t, sizeof t, "     + %.2g (bias) = %.4g", (double)b->mix_b[o],
                 (double)b->mix_out[(size_t)o * n * n + at]);
        line(r, f, x0, y, a.w - 24, (SDL_Color){255, 200, 90, 255}, t), y += ml;
    }
}

void viz_draw_basics(SDL_Renderer *r, const VizFonts *f, const VizBasics *b, int w, int h) {
    const VizBasicsLayout L = viz_basics_layout(f, b->K, w, h);
    const int m = f->line;
    viz_text(r, f->sans_big, m, m / 2, INK, "Convolution basics");
    viz_text(r, f->small, m, m / 2 + f->line * 2, DIM,
             "A kernel slides over the image; each output is the sum of the kernel's numbers times the "
             "pixels under it.");
    draw_input(r, f, b, L.input);
    draw_kernel(r, f, b, &L);
    draw_output(r, f, b, L.output);
    draw_formula(r, f, b, L.formula);
    draw_mix(r, f, b, L.mix);
    viz_text(r, f->small, m, L.help_y, DIM,
             "1-5 preset   k/K size   s/S stride   p/P pad   d/D dilation   w/W input   click a cell: "
             "+/- or type   Esc back");
}
