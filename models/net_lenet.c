/*
 * net_lenet.c — LeNet-5 (LeCun, Bottou, Bengio, Haffner 1998).
 * C1 6@28x28 (5x5) - S2 - C3 16@10x10 (5x5) - S4 - C5 120 (5x5 -> 1x1) - F6 84 - 10,
 * tanh after every layer but the output, average pooling.
 */
#include "net_common.h"

static int build_lenet5(EngGraph *g, int C, int H, int W) {
    int x = eng_input(g, "input", C, H, W);
    x = eng_conv_k(g, "c1", x, 6, 5, 1, 0, 1, 1);
    x = eng_tanh(g, "c1_tanh", x);
    x = eng_avgpool_k(g, "s2", x, 2, 2, 0);
    /* C3: the paper connects each of the 16 maps to a subset of S2's 6 maps
     * (Table I, 1,516 weights); full connection (2,416) is what 61,706 counts
     * and what every modern re-implementation does. */
    x = eng_conv_k(g, "c3", x, 16, 5, 1, 0, 1, 1);
    x = eng_tanh(g, "c3_tanh", x);
    x = eng_avgpool_k(g, "s4", x, 2, 2, 0);
    /* C5 is a 5x5 convolution: on a 32x32 input its output is 1x1, which is why
     * it is often drawn as a fully connected layer */
    x = eng_conv_k(g, "c5", x, 120, 5, 1, 0, 1, 1);
    x = eng_tanh(g, "c5_tanh", x);
    x = eng_fc(g, "f6", x, 84, 1);
    x = eng_tanh(g, "f6_tanh", x);
    return eng_fc(g, "output", x, 10, 1);
}

const ModelCard model_card_lenet5 = {
    .name = "lenet5",
    .display = "LeNet-5",
    .family = "LeNet",
    .year = 1998,
    .authors = "Y. LeCun, L. Bottou, Y. Bengio, P. Haffner",
    .paper = "Gradient-Based Learning Applied to Document Recognition",
    .venue = "Proceedings of the IEEE 86(11), 1998",
    .ilsvrc = NULL,
    .top5_error = -1,
    .top5_source = "none: predates ImageNet; 0.95% test error on MNIST (0.8% with distortions), "
                   "LeCun et al. 1998, Section III.C",
    .key_ideas = "Convolution, subsampling and shared weights learned end to end by "
                 "backpropagation: CONV-POOL-CONV-POOL-FC-FC-FC on 32x32 grey digits.",
    .notes = "tanh and average pooling as in the paper (its S2/S4 also had a trainable "
             "coefficient and bias per map, and its output used RBF units; here they are plain "
             "average pooling and a linear layer). C3 is fully connected to S2 (the paper used a "
             "sparse table), C5 a 5x5 convolution: 61,706 parameters. Some notes feed 28x28 "
             "images with a 1x1 C5, contradicting their own 32x32 / 5x5 table; the paper pads "
             "MNIST's 28x28 digits to 32x32. Modern versions use max pooling and ReLU.",
    .in_c = 1, .in_h = 32, .in_w = 32,
    .pre = {.channels = 1, .resize = 32, .crop = 0, .bgr = 0, .scale = 1.0f / 255.0f,
            .mean = {0, 0, 0}, .std = {1, 1, 1}},
    .build = build_lenet5,
    .weights = "lenet5_digits.safetensors",
    .weights_data = "digits",
    .train_cmd = "convscope train lenet5 --data digits --epochs 30 --lr 0.002 --seed 1 "
                 "--threads 1 --out assets/lenet5_digits.safetensors (Adam, cosine schedule, batch 64, "
                 "weight decay 5e-4: the defaults). Also shipped: assets/lenet5_fashion.safetensors, "
                 "from convscope train lenet5 --data fashion --epochs 15 --lr 0.002 --seed 1 "
                 "--threads 1 --out assets/lenet5_fashion.safetensors",
};
