/*
 * net_fractal.c — FractalNet (Larsson, Maire, Shakhnarovich 2016), the
 * paper's 20-layer CIFAR network: B = 5 blocks of C = 3 columns, 64, 128,
 * 256, 512 and 512 filters, as the authors' generator builds it
 * (gustavla/fractalnet, generation/fractalnet.py and caffe_net_fun.py).
 *
 * The fractal rule f_1(z) = conv(z), f_{C+1}(z) = join(f_C(f_C(z)), conv(z))
 * unrolled for C = 3 gives, in each block, column 2 with 4 convolutions,
 * column 1 with 2 and column 0 with 1 (20 layers = 5 blocks x 4 on the
 * deepest path). The generator's order, row by row: row 0 conv col2; row 1
 * conv col2 and col1, join the two; row 2 conv col2 (from that join); row 3
 * conv col2, col1 (from the join) and col0 (from the block's input), a 2x2
 * max pool on each column, and the join of all three. A join is the
 * element-wise mean. A convolution is the generator's conv - BN - ReLU:
 * Caffe's Convolution keeps its bias (bias_filler set, bias_term on) and the
 * BatchNorm layer is followed by a Scale with bias, so each has a bias and
 * batch norm's scale and shift. After block 5 the map is 1x1: one FC to 10.
 *
 * Training: drop-path as the paper's sec. 3.1 and 4 give it, drawn per
 * mini-batch (each training forward pass): half the batches are local, each
 * join dropping each of its inputs with probability 0.15 and keeping at least
 * one; the other half global, one column chosen uniformly and only its path
 * kept through every block (every join keeps that column's input alone), so
 * the batch trains that column as a plain network of 5, 10 or 20 layers. The
 * generator's dropout rates 0, 0.1, 0.2, 0.3, 0.4 by block follow each
 * convolution.
 *
 * Names: block<b>.col<c>.conv<k> (.bn, .relu, .drop), block<b>.col<c>.pool,
 * block<b>.join<r> (r the row), fc.
 */
#include "net_common.h"

#include <stdio.h>

#define FRACTAL_LOCAL_DROP 0.15f /* Larsson et al., sec. 4: local drop-path 0.15 */
#define FRACTAL_GLOBAL 0.5f      /* sec. 4: 50% of mini-batches global, 50% local */

/* conv (bias) - BN - ReLU - dropout, named <p>.conv<k> ... */
static int frac_conv(EngGraph *g, int b, int c, int k, int x, int oc, float dropout) {
    char p[48];
    snprintf(p, sizeof p, "block%d.col%d.conv%d", b, c, k);
    x = eng_conv_k(g, p, x, oc, 3, 1, 1, 1, 1);
    x = eng_bn(g, net_name(p, ".bn"), x, 1e-5f);
    x = eng_relu(g, net_name(p, ".relu"), x);
    if (dropout > 0) x = eng_dropout(g, net_name(p, ".drop"), x, dropout);
    return x;
}

/* One block of three columns, rows as the generator writes them. */
static int fractal_block(EngGraph *g, int b, int x, int oc, float dropout) {
    char n[48];
    int c2 = frac_conv(g, b, 2, 0, x, oc, dropout);             /* row 0 */
    c2 = frac_conv(g, b, 2, 1, c2, oc, dropout);                 /* row 1 */
    int c1 = frac_conv(g, b, 1, 0, x, oc, dropout);
    snprintf(n, sizeof n, "block%d.join1", b);
    const int j2[2] = {c1, c2};
    static const int cols12[2] = {1, 2}, cols012[3] = {0, 1, 2};
    int j = eng_join_columns(g, eng_join(g, n, j2, 2, FRACTAL_LOCAL_DROP), cols12, FRACTAL_GLOBAL);
    c2 = frac_conv(g, b, 2, 2, j, oc, dropout);                  /* row 2 */
    c2 = frac_conv(g, b, 2, 3, c2, oc, dropout);                 /* row 3 */
    c1 = frac_conv(g, b, 1, 1, j, oc, dropout);
    int c0 = frac_conv(g, b, 0, 0, x, oc, dropout);
    int cols[3] = {c0, c1, c2};
    for (int c = 0; c < 3; c++) {
        snprintf(n, sizeof n, "block%d.col%d.pool", b, c);
        cols[c] = net_maxpool(g, n, cols[c], 2, 2, 0, 0);
    }
    snprintf(n, sizeof n, "block%d.join3", b);
    return eng_join_columns(g, eng_join(g, n, cols, 3, FRACTAL_LOCAL_DROP), cols012, FRACTAL_GLOBAL);
}

static int build_fractalnet(EngGraph *g, int C, int H, int W) {
    static const int filters[5] = {64, 128, 256, 512, 512};
    static const float dropouts[5] = {0.0f, 0.1f, 0.2f, 0.3f, 0.4f};
    int x = eng_input(g, "data", C, H, W);
    for (int b = 0; b < 5; b++) x = fractal_block(g, b + 1, x, filters[b], dropouts[b]);
    return eng_fc(g, "fc", x, 10, 1);
}

const ModelCard model_card_fractalnet = {
    .name = "fractalnet",
    .display = "FractalNet-20 (CIFAR)",
    .family = "FractalNet",
    .year = 2017,
    .authors = "G. Larsson, M. Maire, G. Shakhnarovich",
    .paper = "FractalNet: Ultra-Deep Neural Networks without Residuals",
    .venue = "ICLR 2017 (arXiv:1605.07648, 2016)",
    .ilsvrc = NULL,
    .top5_error = -1,
    .top5_source = "CIFAR-10, no top-5: Larsson et al., Table 1: 20 layers, 38.6M parameters: "
                   "5.22% test error with standard augmentation (C10+), 4.60% with dropout and "
                   "drop-path; 10.18% and 7.33% without augmentation",
    .key_ideas = "Depth without residuals: a self-similar expansion rule makes columns of "
                 "every depth from 1 to 2^(C-1) joined by averaging, and drop-path (dropping "
                 "join inputs, or whole columns) trains them as an ensemble of sub-networks "
                 "from which a shallow column can be pulled out alone.",
    .notes = "The authors' generator (gustavla/fractalnet): B = 5, C = 3, 64-128-256-512-512 "
             "filters, conv (with Caffe's bias) - BN (scale and shift) - ReLU, a 2x2 max pool "
             "ending each block, joins by the mean, one FC: 33,734,922 parameters, of which "
             "33,698,880 are the 35 convolutions' weights, the 33.7M of the generator. Table "
             "1's 38.6M is not reached by this layout (it would take about 5M more weights); "
             "the generator is the network that was trained, so it is built here. Training: "
             "drop-path drawn per mini-batch, half of them local (each join drops each input "
             "with probability 0.15, one always kept), half global (one column chosen "
             "uniformly, only its path kept through all 5 blocks: the batch trains that "
             "column alone, a plain net of 5, 10 or 20 convolutions), as the paper's "
             "50/50 mix; and the generator's dropout 0 to 0.4 by block.",
    .in_c = 3, .in_h = 32, .in_w = 32,
    .pre = NET_PRE_CIFAR,
    .build = build_fractalnet,
};
