/*
 * net_lenet.c — LeNet-5 (LeCun, Bottou, Bengio, Haffner 1998).
 * C1 6@28x28 (5x5) - S2 - C3 16@10x10 (5x5) - S4 - C5 120 (5x5 -> 1x1) - F6 84 - 10,
 * tanh after every layer but the output, average pooling.
 * Beside it, the two versions the source notes teach: their Keras code as
 * written (28x28 input, 1x1 C5) and the paper's layout with the two fixes
 * they name (max pooling, ReLU).
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

/* The notes' Keras code, layer for layer: Conv2D(6, 5x5, tanh) on 28x28x1,
 * AveragePooling2D(2x2), Conv2D(16, 5x5, tanh), AveragePooling2D(2x2),
 * Conv2D(120, 1x1, tanh), Flatten, Dense(84, tanh), Dense(10, softmax). All
 * convolutions are Keras's default 'valid', so the maps shrink 28 -> 24 -> 12
 * -> 8 -> 4 and C5, a 1x1 kernel on a 4x4 map, leaves 120x4x4 = 1,920 values
 * for F6. The softmax is the loss's (training uses softmax cross-entropy on
 * the logits); Keras flattens channels last, here channels first: the same
 * count, another order. */
static int build_lenet5_keras(EngGraph *g, int C, int H, int W) {
    int x = eng_input(g, "input", C, H, W);
    x = eng_conv_k(g, "c1", x, 6, 5, 1, 0, 1, 1);
    x = eng_tanh(g, "c1_tanh", x);
    x = eng_avgpool_k(g, "s2", x, 2, 2, 0);
    x = eng_conv_k(g, "c3", x, 16, 5, 1, 0, 1, 1);
    x = eng_tanh(g, "c3_tanh", x);
    x = eng_avgpool_k(g, "s4", x, 2, 2, 0);
    x = eng_conv_k(g, "c5", x, 120, 1, 1, 0, 1, 1);
    x = eng_tanh(g, "c5_tanh", x);
    x = eng_flatten(g, "flatten", x);
    x = eng_fc(g, "f6", x, 84, 1);
    x = eng_tanh(g, "f6_tanh", x);
    return eng_fc(g, "output", x, 10, 1);
}

/* The paper's layout (32x32, 5x5 C5, the same 61,706 parameters) with the
 * fixes the notes name: 2x2 max pooling instead of average pooling, ReLU
 * instead of tanh. */
static int build_lenet5_modern(EngGraph *g, int C, int H, int W) {
    int x = eng_input(g, "input", C, H, W);
    x = eng_conv_k(g, "c1", x, 6, 5, 1, 0, 1, 1);
    x = eng_relu(g, "c1_relu", x);
    x = eng_maxpool_k(g, "s2", x, 2, 2, 0);
    x = eng_conv_k(g, "c3", x, 16, 5, 1, 0, 1, 1);
    x = eng_relu(g, "c3_relu", x);
    x = eng_maxpool_k(g, "s4", x, 2, 2, 0);
    x = eng_conv_k(g, "c5", x, 120, 5, 1, 0, 1, 1);
    x = eng_relu(g, "c5_relu", x);
    x = eng_fc(g, "f6", x, 84, 1);
    x = eng_relu(g, "f6_relu", x);
    return eng_fc(g, "output", x, 10, 1);
}

#define LENET5_PAPER                                                                      \
    .authors = "after Y. LeCun, L. Bottou, Y. Bengio, P. Haffner",                         \
    .paper = "Gradient-Based Learning Applied to Document Recognition",                   \
    .venue = "Proceedings of the IEEE 86(11), 1998", .ilsvrc = NULL, .top5_error = -1

/* What convscope eval measures with each shipped file (tests/test_cli.sh checks
 * every figure against eval). */
#define LENET5_MEASURED                                                                   \
    " Test accuracy, single model, one training run each (seed 1), measured by convscope " \
    "eval with the shipped weights (digits-test: 2,000 images, one image is 0.05 points; " \
    "Fashion-MNIST: 10,000 test images): lenet5 98.15% on digits, lenet5_keras 98.35% on "  \
    "digits, lenet5_modern 98.30% on digits; lenet5 90.30% on Fashion-MNIST, lenet5_keras " \
    "90.04% on Fashion-MNIST, lenet5_modern 91.60% on Fashion-MNIST."

const ModelCard model_card_lenet5_keras = {
    .name = "lenet5_keras",
    .display = "LeNet-5 Keras",
    .family = "LeNet",
    .year = 1998,
    LENET5_PAPER,
    .top5_source = "none: a re-implementation from course notes, trained by convscope; see eval",
    .key_ideas = "LeNet-5 as the source notes' Keras code builds it: 28x28x1 input, valid 5x5 "
                 "convolutions, tanh, 2x2 average pooling and C5 as a 1x1 convolution, so the "
                 "maps go 24, 12, 8, 4 and F6 reads 120x4x4 = 1,920 values.",
    .notes = "The notes' code (Conv2D C1 6 5x5 tanh on 28x28x1, AveragePooling2D S2, Conv2D C3 "
             "16 5x5 tanh, AveragePooling2D S4, Conv2D C5 120 1x1 tanh, Flatten, Dense F6 84 "
             "tanh, Dense 10 softmax) contradicts the table printed under it (32x32 input, C5 "
             "5x5 with a 1x1 output) and the paper. Parameters, layer by layer: C1 156, C3 "
             "2,416, C5 2,040, F6 161,364 (1,920 x 84 + 84), output 850: 166,826 in all. The "
             "paper's LeNet-5 (lenet5): C1 156, C3 2,416, C5 48,120 (5x5x16x120 + 120), F6 "
             "10,164, output 850: 61,706. Two input pixels fewer on each side leave S4 at 4x4, "
             "too small for the paper's 5x5 C5 (lenet5 refuses a 28x28 input for that reason); "
             "a 1x1 C5 fits but keeps the 4x4 map, so C5 gets cheaper and F6 reads 16 times "
             "more values. The table is the paper's: it feeds MNIST's 28x28 digits centred in a "
             "32x32 field so that stroke ends and corners can reach the centre of the top "
             "feature detectors' receptive fields (Section II.B). Trained with convscope's "
             "defaults (He initialisation, Adam), not Keras's (Glorot, the optimizer the notes "
             "leave unnamed), with lenet5's command." LENET5_MEASURED " 2.7 times lenet5's "
             "parameters buy 4 more right digits of 2,000 and 26 fewer right Fashion-MNIST items "
             "of 10,000.",
    .in_c = 1, .in_h = 28, .in_w = 28,
    .pre = {.channels = 1, .resize = 28, .crop = 0, .bgr = 0, .scale = 1.0f / 255.0f,
            .mean = {0, 0, 0}, .std = {1, 1, 1}},
    .build = build_lenet5_keras,
    .weights = "lenet5_keras_digits.safetensors",
    .weights_data = "digits",
    .train_cmd = "convscope train lenet5_keras --data digits --epochs 30 --lr 0.002 --seed 1 "
                 "--threads 1 --out assets/lenet5_keras_digits.safetensors (Adam, cosine schedule, "
                 "batch 64, weight decay 5e-4: the defaults; lenet5's command). Also shipped: "
                 "assets/lenet5_keras_fashion.safetensors, from convscope train lenet5_keras "
                 "--data fashion --epochs 15 --lr 0.002 --seed 1 --threads 1 --out "
                 "assets/lenet5_keras_fashion.safetensors",
};

const ModelCard model_card_lenet5_modern = {
    .name = "lenet5_modern",
    .display = "LeNet-5 modern",
    .family = "LeNet",
    .year = 1998,
    LENET5_PAPER,
    .top5_source = "none: the paper's LeNet-5 with two later fixes, trained by convscope; see eval",
    .key_ideas = "The paper's LeNet-5 layout (32x32 input, 5x5 C5, 61,706 parameters) with the "
                 "two fixes the source notes name: max pooling instead of average pooling and "
                 "ReLU instead of tanh.",
    .notes = "The notes (translated): \"replacing AvgPool with MaxPool for pooling, and using "
             "ReLU rather than tanh as the activation, can raise the accuracy\" (a 1998 model, "
             "still effective for simple tasks). "
             "Same layers, widths and parameter count as lenet5; only the pooling (2x2 max, "
             "stride 2) and the activation after C1, C3, C5 and F6 (ReLU) differ; trained with "
             "lenet5's command." LENET5_MEASURED " On digits the three lie within 4 test images "
             "of each other; on Fashion-MNIST the two fixes add 1.30 points (130 items) to lenet5 "
             "at the same 61,706 parameters.",
    .in_c = 1, .in_h = 32, .in_w = 32,
    .pre = {.channels = 1, .resize = 32, .crop = 0, .bgr = 0, .scale = 1.0f / 255.0f,
            .mean = {0, 0, 0}, .std = {1, 1, 1}},
    .build = build_lenet5_modern,
    .weights = "lenet5_modern_digits.safetensors",
    .weights_data = "digits",
    .train_cmd = "convscope train lenet5_modern --data digits --epochs 30 --lr 0.002 --seed 1 "
                 "--threads 1 --out assets/lenet5_modern_digits.safetensors (Adam, cosine "
                 "schedule, batch 64, weight decay 5e-4: the defaults; lenet5's command). Also "
                 "shipped: assets/lenet5_modern_fashion.safetensors, from convscope train "
                 "lenet5_modern --data fashion --epochs 15 --lr 0.002 --seed 1 --threads 1 --out "
                 "assets/lenet5_modern_fashion.safetensors",
};
