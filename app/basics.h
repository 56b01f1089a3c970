/*
 * basics.h — the numbers of the basics screen and of `convscope basics`:
 * one convolution's output size and parameter count as the engine infers
 * them (a tiny graph: an input and one conv), the formula's arithmetic
 * beside them, a kernel slid over a picture by the engine's conv, and a 1x1
 * convolution mixing three channels into two.
 * Must not depend on: SDL, viz/, the window's state.
 */
#ifndef CONVSCOPE_BASICS_H
#define CONVSCOPE_BASICS_H

#include <stddef.h>
#include <stdint.h>

enum { APP_BASICS_KMAX = 5,     /* the largest kernel the screen's grid edits (its numbers stay legible) */
       APP_BASICS_IMG = 28,     /* the screen's picture side (a test digit's) */
       APP_BASICS_MIX_IN = 3, APP_BASICS_MIX_OUT = 2, APP_BASICS_MIX_SIDE = 6 };

/* One conv layer's settings: square kernel K, stride S, symmetric zero
 * padding P, dilation D, input H x W with cin channels, cout filters. */
typedef struct {
    int H, W, K, S, P, D, cin, cout;
} AppConvSetting;

/* The same conv as the formula and as the engine see it. */
typedef struct {
    int keff;                 /* D(K-1)+1, the dilated kernel's extent */
    int64_t num_h, num_w;     /* H - K_eff + 2P and W - K_eff + 2P */
    int64_t formula_h, formula_w; /* floor(num / S) + 1 (may be < 1: impossible) */
    int oh, ow;               /* the engine's shape inference (0 when it refused) */
    int64_t params;           /* the engine's count of the conv's learnable parameters */
    int64_t weights, biases;  /* K*K*cin*cout and cout, from the engine's tensors */
} AppConvNumbers;

/* Settings in range (each >= 1, P >= 0, all <= 65536)? 0 with the reason in err. */
int app_conv_setting_ok(const AppConvSetting *s, char *err, size_t errlen);
/* The numbers of s. 0; -1 with the reason in err when the engine refuses the
 * conv (output smaller than 1x1) or the settings are out of range; the
 * formula fields are filled either way. */
int app_conv_numbers(const AppConvSetting *s, AppConvNumbers *n, char *err, size_t errlen);

/* The kernel presets of the screen. */
typedef enum { APP_KERNEL_BOX = 0, APP_KERNEL_LAPLACIAN, APP_KERNEL_SOBEL_X, APP_KERNEL_SHARPEN,
               APP_KERNEL_CUSTOM, APP_KERNEL_COUNT } AppKernelPreset;
const char *app_kernel_name(AppKernelPreset p);
/* Preset p as a K x K kernel (row-major, K <= APP_BASICS_KMAX): the box is
 * 1/K^2 everywhere; the 3x3 Laplacian, Sobel x and sharpen sit at the centre
 * (a smaller K keeps their centre). CUSTOM leaves k as it is. */
void app_kernel_preset(AppKernelPreset p, int K, float *k);

/* The synthetic picture of the screen, side x side, values 0..1: a square,
 * a disc and a diagonal bar, so that edges and blurs show. */
void app_basics_picture(float *img, int side);

/* Kernel k (K x K, one channel) slid over img (h x w) by the engine's conv
 * with stride S, padding P, dilation D: the output (*oh x *ow, at most cap
 * floats) into out. 0; -1 with the engine's reason in err. */
int app_basics_slide(const float *img, int h, int w, const float *k, int K, int S, int P, int D,
                     float *out, size_t cap, int *oh, int *ow, char *err, size_t errlen);

/* The 1x1 convolution: APP_BASICS_MIX_IN channels of side x side pixels in
 * in, weights w[o][c] and biases b[o] for APP_BASICS_MIX_OUT outputs; the
 * engine's output into out (MIX_OUT x side x side). 0; -1 with err. */
int app_basics_mix(const float *in, int side, const float *w, const float *b, float *out, char *err,
                   size_t errlen);
/* The screen's three input channels and weights, fixed so the arithmetic
 * can be read. */
void app_basics_mix_setup(float *in, int side, float *w, float *b);

#endif
