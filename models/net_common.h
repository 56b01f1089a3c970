/*
 * net_common.h — pieces the zoo builders share (private to models/).
 * Node names are "<prefix><suffix>" so that a block's layers read like
 * torchvision's module paths (layer1.0.conv1, denseblock2.denselayer3.norm1).
 */
#ifndef CONVSCOPE_NET_COMMON_H
#define CONVSCOPE_NET_COMMON_H

#include "models.h"

/* Channels of node x's output, or -1 when x is not a node. Read it into an int
 * before adding nodes: adding may move the node array, so an EngNode pointer
 * taken before an add must not be used after it. */
int net_channels(const EngGraph *g, int x);

/* "<a><b>" in a static rotating buffer: fine for passing straight to a builder. */
const char *net_name(const char *a, const char *b);

enum { NET_ACT_NONE, NET_ACT_RELU, NET_ACT_RELU6, NET_ACT_HSWISH, NET_ACT_SILU };

/* conv (no bias) -> batch norm -> activation, named <conv>, <bn>, <act>.
 * Returns the last node. */
int net_conv_bn_act(EngGraph *g, const char *conv, const char *bn, const char *act, int x,
                    int oc, int k, int stride, int pad, int groups, int act_kind);

/* conv (with bias) -> ReLU, named <conv> and <conv>_relu. */
int net_conv_relu(EngGraph *g, const char *conv, int x, int oc, int k, int stride, int pad,
                  int groups);

/* The AlexNet/VGG head: fc6 - relu6 - drop6 - fc7 - relu7 - drop7 - fc8,
 * 4096 wide, dropout 0.5, 1000 classes. */
int net_fc678(EngGraph *g, int x);

/* DenseNet-BC pieces (net_densenet.c), shared with the small DenseNet:
 * dense block b of `layers` layers adding `growth` maps each (bottleneck
 * 4 x growth), its output the concatenation "denseblock<b>"; and transition
 * t (BN - ReLU - 1x1 conv halving the channels - 2x2 average pool). */
int net_dense_block(EngGraph *g, int b, int x, int layers, int growth);
int net_dense_transition(EngGraph *g, int t, int x);

/* MobileNet v1's body (net_mobilenet.c): n depthwise separable layers
 * conv<i>_dw (3x3, stride cfg[i][1]) + conv<i>_pw (1x1 to cfg[i][0]), each
 * with BN and ReLU. */
int net_separable_stack(EngGraph *g, int x, const int (*cfg)[2], int n);

/* ResNet's residual block (net_resnet.c), shared with SENet (net_senet.c);
 * the block is named n ("layer2.0"), its layers n.conv1, n.bn1 ... */
typedef struct {
    int bottleneck;      /* 1x1-3x3-1x1 (x4 expansion) instead of 3x3-3x3 */
    int blocks[4];
    int groups;          /* ResNeXt cardinality */
    int width_per_group; /* 64 = plain ResNet; 4 with 32 groups = ResNeXt 32x4d; 128 = wide x2 */
    int stride_1x1;      /* a bottleneck's stride in its first 1x1 (Caffe) instead of the 3x3 */
    int se_reduction;    /* > 0: a squeeze-and-excitation module, C -> C/r -> C, on the branch */
} NetResCfg;
int net_res_block(EngGraph *g, const char *n, int x, int planes, int stride, const NetResCfg *c);

/* The pre-activation ResNet body with basic units (net_preact.c): stage s
 * has blocks[s] units BN-ReLU-conv3x3-BN-ReLU-conv3x3 of planes0 << s maps
 * (the first of a stage from the second on striding by 2, a 1x1 projection
 * on the shared pre-activation where the shape changes), every unit with its
 * own BN-ReLU; then final_bn, final_relu, global average pooling, fc. */
int net_preact_basic_body(EngGraph *g, int x, int n_stages, const int *blocks, int planes0,
                          int classes);

/* EfficientNet's MBConv (net_efficientnet.c), named as torchvision's
 * features.s.j: 1x1 expansion to expand x input channels (unless expand is
 * 1), k x k depthwise with the stride, SE of max(1, input / 4) channels,
 * linear 1x1 projection to out, BN after each conv, SiLU but after the
 * projection; the identity added when the shape is kept (node `name`). */
int net_mbconv(EngGraph *g, const char *name, int x, int expand, int k, int stride, int out);

/* Squeeze-and-excitation (net_senet.c): x times a per-channel gate computed
 * from x's global average; the output is node `name`. */
int net_se_module(EngGraph *g, const char *name, int x, int reduction);

/* torchvision's Conv2dNormActivation (net_mobilenetv3.c): a k x k conv
 * without bias, padding (k - 1) / 2, then batch norm with epsilon eps and the
 * activation, named <prefix>.0, .1, .2. Returns the last node. */
int net_conv_bn_act_eps(EngGraph *g, const char *prefix, int x, int oc, int k, int stride,
                        int groups, float eps, int act_kind);
/* torchvision.ops.SqueezeExcitation (net_mobilenetv3.c): global average,
 * <name>.fc1 to `squeeze` channels, act_kind (NET_ACT_RELU or NET_ACT_SILU),
 * <name>.fc2 back, a hard or plain sigmoid gate, x * gate named <name>. */
enum { NET_GATE_SIGMOID, NET_GATE_HARD };
int net_se_gate(EngGraph *g, const char *name, int x, int squeeze, int act_kind, int gate_kind);

/* Max pool with square window, symmetric padding, floor or ceil mode. */
int net_maxpool(EngGraph *g, const char *name, int x, int k, int stride, int pad, int ceil_mode);

/* The cards, one per file family. */
extern const ModelCard model_card_lenet5;
extern const ModelCard model_card_lenet5_keras;
extern const ModelCard model_card_lenet5_modern;
extern const ModelCard model_card_alexnet, model_card_alexnet_1gpu, model_card_zfnet;
extern const ModelCard model_card_zfnet_wide, model_card_vgg16_c;
extern const ModelCard model_card_vgg11, model_card_vgg13, model_card_vgg16, model_card_vgg19;
extern const ModelCard model_card_vgg11_bn, model_card_vgg13_bn, model_card_vgg16_bn,
    model_card_vgg19_bn;
extern const ModelCard model_card_googlenet;
extern const ModelCard model_card_resnet18, model_card_resnet34, model_card_resnet50,
    model_card_resnet101, model_card_resnet152, model_card_resnext50_32x4d,
    model_card_wide_resnet50_2;
extern const ModelCard model_card_plain20, model_card_plain56, model_card_resnet20,
    model_card_resnet56, model_card_resnet110;
extern const ModelCard model_card_preact_resnet18, model_card_preact_resnet164;
extern const ModelCard model_card_wrn28_10;
extern const ModelCard model_card_se_resnet50, model_card_se_resnext50_32x4d;
extern const ModelCard model_card_densenet121, model_card_densenet169, model_card_densenet201;
extern const ModelCard model_card_squeezenet1_0, model_card_squeezenet1_1;
extern const ModelCard model_card_mobilenet_v1, model_card_mobilenet_v2;
extern const ModelCard model_card_mobilenet_v3_large, model_card_mobilenet_v3_small;
extern const ModelCard model_card_efficientnet_b0;
extern const ModelCard model_card_convnext_tiny;
extern const ModelCard model_card_xception;
extern const ModelCard model_card_resnet110_sd;
extern const ModelCard model_card_fractalnet;
extern const ModelCard model_card_cspresnext50, model_card_cspdarknet53;
extern const ModelCard model_card_alexnet_mini, model_card_zfnet_mini, model_card_vgg_mini,
    model_card_inception_mini, model_card_resnet_mini, model_card_densenet_mini,
    model_card_mobilenet_mini, model_card_se_mini, model_card_convnext_mini,
    model_card_preact_mini, model_card_efficientnet_mini;

/* A card's comparison figures: torchvision's published metrics (acc@1, acc@5)
 * for its weights entry w, measured on ImageNet-1K val with one model and one
 * 224x224 centre crop of the image resized to 256 (models/<net>.py). */
#define NET_TV_ACC(w, a1, a5)                                                          \
    .val_top1 = a1, .val_top5 = a5,                                                    \
    .val_source = "torchvision " w ": top-1 " #a1 "%, top-5 " #a5 "% (ImageNet-1K val, " \
                  "single model, one 224x224 centre crop of the image resized to 256)"

/* Preprocessing presets. */
#define NET_PRE_TORCHVISION                                                            \
    {.channels = 3, .resize = 256, .crop = 224, .bgr = 0, .scale = 1.0f / 255.0f,     \
     .mean = {0.485f, 0.456f, 0.406f}, .std = {0.229f, 0.224f, 0.225f}}
/* CIFAR-10 models: 32x32 RGB, the training set's mean and standard deviation
 * per channel (fb.resnet.torch's datasets/cifar10.lua: 125.3, 123.0, 113.9
 * and 63.0, 62.1, 66.7 out of 255). */
#define NET_PRE_CIFAR                                                                  \
    {.channels = 3, .resize = 32, .crop = 32, .bgr = 0, .scale = 1.0f / 255.0f,       \
     .mean = {125.3f / 255.0f, 123.0f / 255.0f, 113.9f / 255.0f},                     \
     .std = {63.0f / 255.0f, 62.1f / 255.0f, 66.7f / 255.0f}}
/* Caffe models: BGR order, 0..255 pixels minus the ImageNet mean per channel. */
#define NET_PRE_CAFFE(size)                                                            \
    {.channels = 3, .resize = 256, .crop = (size), .bgr = 1, .scale = 1.0f,           \
     .mean = {104.0f, 117.0f, 123.0f}, .std = {1.0f, 1.0f, 1.0f}}

#endif
