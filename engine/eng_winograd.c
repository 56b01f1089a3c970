/*
 * eng_winograd.c — 3x3 stride-1 convolution by Winograd's minimal filtering,
 * F(4x4, 3x3) (Lavin and Gray, "Fast Algorithms for Convolutional Neural
 * Networks", CVPR 2016).
 *
 * Each 4x4 block ("tile") of the output is computed from the 6x6 patch of
 * input under it: Y = A^T [ (G g G^T) . (B^T d B) ] A, where g is a 3x3
 * filter, d the patch, and "." the element-wise product. Summed over input
 * channels, the element-wise stage is 36 independent matrix products
 * M_xi (OC, tiles) = U_xi (OC, C) x V_xi (C, tiles), one per place xi of the
 * 6x6 transformed patch: 36 * OC * C multiplications per 16 outputs instead
 * of 9 * 16 * OC * C, 4x fewer. The filters' transform U is computed once
 * (the graph caches it, eng_graph_conv.c); the input and output transforms
 * work on eight tiles at a time, one per vector lane, so that gcc vectorises
 * them. The interpolation points 0, +-1, +-2 keep the float error to a few
 * 1e-6 of the outputs' scale (tests/test_ops.c bounds it at 2e-5; direct
 * im2col + GEMM makes ~1e-7).
 *
 * Must not depend on: SDL or anything that draws.
 */
#include "eng.h"

#include <string.h>

#define WT 6      /* transformed tile side: 4 + 3 - 1 */
#define WT2 36
#define LANES 8   /* tiles transformed together */
/* Tiles of one block: the products' third dimension. The transformed input
 * and output of a block, 36 * (C + OC) * WINO_BLOCK floats, stay near the
 * caches instead of streaming a whole layer's transforms through memory. */
#define WINO_BLOCK 256

int eng_winograd_fits(int C, const EngConvParams *p) {
    (void)C;
    return p->kh == 3 && p->kw == 3 && p->sh == 1 && p->sw == 1 && p->dh == 1 && p->dw == 1 &&
           p->groups == 1;
}

size_t eng_winograd_weight_floats(int C, int OC) { return (size_t)WT2 * C * OC; }

static size_t tiles_per_image(int OH, int OW) { return (size_t)((OH + 3) / 4) * ((OW + 3) / 4); }

static size_t block_tiles(int OH, int OW) {
    size_t t = tiles_per_image(OH, OW);
    return t < WINO_BLOCK ? t : WINO_BLOCK;
}

size_t eng_winograd_scratch(int C, int OC, int OH, int OW) {
    return (size_t)WT2 * ((size_t)C + OC) * block_tiles(OH, OW);
}

/* U (36, OC, C) = G g G^T for every filter g of w (OC, C, 3, 3), eight
 * filters at a time (one per lane), each plane of U written eight floats
 * at a time. */
typedef struct { float *u; const float *w; size_t n; } WeightJob;

static void weights_range(void *ctx, size_t b, size_t e) {
    static const float G[WT][3] = {{1.0f / 4, 0, 0},
                                   {-1.0f / 6, -1.0f / 6, -1.0f / 6},
                                   {-1.0f / 6, 1.0f / 6, -1.0f / 6},
                                   {1.0f / 24, 1.0f / 12, 1.0f / 6},
                                   {1.0f / 24, -1.0f / 12, 1.0f / 6},
                                   {0, 0, 1}};
    const WeightJob *j = ctx;
    float g[9][LANES], t[WT][3][LANES], u[LANES];
    for (size_t k0 = b * LANES; k0 < e * LANES && k0 < j->n; k0 += LANES) {
        const int L = j->n - k0 < LANES ? (int)(j->n - k0) : LANES;
        for (int l = 0; l < LANES; l++)
            for (int i = 0; i < 9; i++) g[i][l] = l < L ? j->w[(k0 + (size_t)l) * 9 + (size_t)i] : 0.0f;
        for (int i = 0; i < WT; i++)
            for (int c = 0; c < 3; c++)
                for (int l = 0; l < LANES; l++)
                    t[i][c][l] = G[i][0] * g[c][l] + G[i][1] * g[3 + c][l] + G[i][2] * g[6 + c][l];
        for (int i = 0; i < WT; i++)
            for (int q = 0; q < WT; q++) {
                for (int l = 0; l < LANES; l++)
                    u[l] = t[i][0][l] * G[q][0] + t[i][1][l] * G[q][1] + t[i][2][l] * G[q][2];
                memcpy(j->u + (size_t)(i * WT + q) * j->n + k0, u, (size_t)L * sizeof(float));
            }
    }
}

void eng_winograd_weights(float *u, const float *w, int C, int OC) {
    WeightJob j = {u, w, (size_t)OC * C};
    eng_parallel_for((j.n + LANES - 1) / LANES, LANES * 36 * 8, weights_range, &j);
}

/* ---- the input transform: V_xi (C, tiles) of one block ------------------------ */

typedef struct {
    float *v, *m;
    const float *in, *u, *b;
    float *out;
    int N, C, OC, H, W, OH, OW, pt, pl;
    size_t t0, nt; /* the block: tiles [t0, t0 + nt) of the batch */
} WinoJob;

/* one row of 6 inputs -> B^T row, for LANES tiles at once */
#define BT_ROW(r, x, L)                                                                  \
    for (int l = 0; l < (L); l++) {                                                      \
        const float x0 = x[0][l], x1 = x[1][l], x2 = x[2][l], x3 = x[3][l], x4 = x[4][l],  \
                    x5 = x[5][l];                                                        \
        r[0][l] = 4.0f * x0 - 5.0f * x2 + x4;                                            \
        r[1][l] = -4.0f * (x1 + x2) + x3 + x4;                                           \
        r[2][l] = 4.0f * (x1 - x2) - x3 + x4;                                            \
        r[3][l] = 2.0f * (x3 - x1) - x2 + x4;                                            \
        r[4][l] = 2.0f * (x1 - x3) - x2 + x4;                                            \
        r[5][l] = 4.0f * x1 - 5.0f * x3 + x5;                                            \
    }

/* The 6x6 patch of channel plane `src` under tile t into d[36][LANES] lane l,
 * zero outside the input (the padding, and the rows and columns past the
 * last tile's edge). */
static void gather_patch(float d[WT2][LANES], int l, const float *src, const WinoJob *j, size_t t) {
    const size_t per = tiles_per_image(j->OH, j->OW), tw = (size_t)(j->OW + 3) / 4;
    const size_t r = t % per;
    const int y0 = (int)(r / tw) * 4 - j->pt, x0 = (int)(r % tw) * 4 - j->pl;
    const int H = j->H, W = j->W;
    if (y0 >= 0 && x0 >= 0 && y0 + WT <= H && x0 + WT <= W) {
        const float *s = src + (size_t)y0 * W + x0;
        for (int y = 0; y < WT; y++, s += W)
            for (int x = 0; x < WT; x++) d[y * WT + x][l] = s[x];
        return;
    }
    for (int y = 0; y < WT; y++) {
        const int iy = y0 + y;
        for (int x = 0; x < WT; x++) {
            const int ix = x0 + x;
            d[y * WT + x][l] = (iy >= 0 && iy < H && ix >= 0 && ix < W) ? src[(size_t)iy * W + ix] : 0.0f;
        }
    }
}

/* channels [c0, c1): their patches of the block, transformed into v */
static void input_range(void *ctx, size_t c0, size_t c1) {
    const WinoJob *j = ctx;
    const size_t per = tiles_per_image(j->OH, j->OW), HW = (size_t)j->H * j->W;
    float d[WT2][LANES], r[WT2][LANES];
    for (size_t c = c0; c < c1; c++) {
        for (size_t k = 0; k < j->nt; k += LANES) {
            const int L = j->nt - k < LANES ? (int)(j->nt - k) : LANES;
            for (int l = 0; l < L; l++) {
                const size_t t = j->t0 + k + (size_t)l;
                gather_patch(d, l, j->in + ((t / per) * (size_t)j->C + c) * HW, j, t);
            }
            for (int l = L; l < LANES; l++)
                for (int i = 0; i < WT2; i++) d[i][l] = 0.0f;
            /* B^T d: columns of d are rows of 6 at stride 6 */
            for (int q = 0; q < WT; q++) {
                float (*x)[LANES] = d + q, (*y)[LANES] = r + q;
                float xs[WT][LANES], ys[WT][LANES];
                for (int i = 0; i < WT; i++) memcpy(xs[i], x[i * WT], sizeof xs[i]);
                BT_ROW(ys, xs, LANES)
                for (int i = 0; i < WT; i++) memcpy(y[i * WT], ys[i], sizeof ys[i]);
            }
            /* (B^T d) B: rows of r */
            for (int i = 0; i < WT; i++) {
                float (*x)[LANES] = r + i * WT, ys[WT][LANES];
                BT_ROW(ys, x, LANES)
                for (int q = 0; q < WT; q++)
                    memcpy(j->v + ((size_t)(i * WT + q) * j->C + c) * j->nt + k, ys[q],
                           (size_t)L * sizeof(float));
            }
        }
    }
}

/* ---- the output transform: Y = A^T M A, plus the bias ---------------------------- */

#define AT_ROW(o, m, L)                                                                  \
    for (int l = 0; l < (L); l++) {                                                      \
        const float m0 = m[0][l], m1 = m[1][l], m2 = m[2][l], m3 = m[3][l], m4 = m[4][l],  \
                    m5 = m[5][l];                                                        \
        const float s12 = m1 + m2, d12 = m1 - m2, s34 = m3 + m4, d34 = m3 - m4;          \
        o[0][l] = m0 + s12 + s34;                                                        \
        o[1][l] = d12 + 2.0f * d34;                                                      \
        o[2][l] = s12 + 4.0f * s34;                                                      \
        o[3][l] = d12 + 8.0f * d34 + m5;                                                 \
    }

/* the 4x4 outputs of lane l, tile t, into the output plane of channel oc */
static void scatter_tile(const WinoJob *j, float y[16][LANES], int l, size_t t, size_t oc) {
    const size_t per = tiles_per_image(j->OH, j->OW), tw = (size_t)(j->OW + 3) / 4;
    const size_t r = t % per, OHW = (size_t)j->OH * j->OW;
    const int y0 = (int)(r / tw) * 4, x0 = (int)(r % tw) * 4;
    const int ny = j->OH - y0 < 4 ? j->OH - y0 : 4, nx = j->OW - x0 < 4 ? j->OW - x0 : 4;
    float *o = j->out + ((t / per) * (size_t)j->OC + oc) * OHW + (size_t)y0 * j->OW + x0;
    for (int a = 0; a < ny; a++, o += j->OW)
        for (int x = 0; x < nx; x++) o[x] = y[a * 4 + x][l];
}

static void output_range(void *ctx, size_t oc0, size_t oc1) {
    const WinoJob *j = ctx;
    float m[WT2][LANES], r[4 * WT][LANES], y[16][LANES];
    for (size_t oc = oc0; oc < oc1; oc++) {
        const float bias = j->b ? j->b[oc] : 0.0f;
        for (size_t k = 0; k < j->nt; k += LANES) {
            const int L = j->nt - k < LANES ? (int)(j->nt - k) : LANES;
            for (int i = 0; i < WT2; i++) {
                const float *src = j->m + ((size_t)i * j->OC + oc) * j->nt + k;
                for (int l = 0; l < L; l++) m[i][l] = src[l];
                for (int l = L; l < LANES; l++) m[i][l] = 0.0f;
            }
            /* A^T M: (4, 6) from the columns of m */
            for (int q = 0; q < WT; q++) {
                float xs[WT][LANES], os[4][LANES];
                for (int i = 0; i < WT; i++) memcpy(xs[i], m[i * WT + q], sizeof xs[i]);
                AT_ROW(os, xs, LANES)
                for (int i = 0; i < 4; i++) memcpy(r[i * WT + q], os[i], sizeof os[i]);
            }
            /* (A^T M) A: (4, 4), then the bias */
            for (int i = 0; i < 4; i++) {
                float (*x)[LANES] = r + i * WT, os[4][LANES];
                AT_ROW(os, x, LANES)
                for (int q = 0; q < 4; q++)
                    for (int l = 0; l < LANES; l++) y[i * 4 + q][l] = os[q][l] + bias;
            }
            for (int l = 0; l < L; l++) scatter_tile(j, y, l, j->t0 + k + (size_t)l, oc);
        }
    }
}

/* ---- the convolution ------------------------------------------------------------- */

void eng_winograd_forward(float *out, const float *in, const float *u, const float *b, int N,
                          int C, int H, int W, const EngConvParams *p, int OH, int OW,
                          float *scratch) {
    ENG_ASSERT(eng_winograd_fits(C, p));
    const int OC = p->oc;
    const size_t total = tiles_per_image(OH, OW) * (size_t)N, bt = block_tiles(OH, OW);
    WinoJob j = {.in = in, .u = u, .b = b, .out = out, .N = N, .C = C, .OC = OC, .H = H, .W = W,
                 .OH = OH, .OW = OW, .pt = p->pt, .pl = p->pl};
    for (size_t t0 = 0; t0 < total; t0 += bt) {
        j.t0 = t0;
        j.nt = total - t0 < bt ? total - t0 : bt;
        j.v = scratch;
        j.m = scratch + (size_t)WT2 * C * j.nt;
        eng_parallel_for((size_t)C, j.nt * WT2 * 12, input_range, &j);
        const size_t cu = (size_t)OC * C, cv = (size_t)C * j.nt, cm = (size_t)OC * j.nt;
        for (int i = 0; i < WT2; i++) /* M_xi (OC, nt) = U_xi (OC, C) x V_xi (C, nt) */
            eng_gemm(0, 0, OC, (int)j.nt, C, 1.0f, u + i * cu, C, j.v + i * cv, (int)j.nt, 0.0f,
                     j.m + i * cm, (int)j.nt);
        eng_parallel_for((size_t)OC, j.nt * WT2 * 8, output_range, &j);
    }
}
