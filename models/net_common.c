/*
 * net_common.c — shared builder pieces and the zoo registry (cards in
 * publication order).
 */
#include "net_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *net_name(const char *a, const char *b) {
    static char bufs[8][128];
    static int next;
    char *buf = bufs[next];
    next = (next + 1) % 8;
    snprintf(buf, sizeof bufs[0], "%s%s", a, b);
    return buf;
}

int net_channels(const EngGraph *g, int x) {
    const EngNode *n = eng_graph_node(g, x);
    return n ? n->out.C : -1;
}

int net_conv_bn_act(EngGraph *g, const char *conv, const char *bn, const char *act, int x,
                    int oc, int k, int stride, int pad, int groups, int act_kind) {
    x = eng_conv_k(g, conv, x, oc, k, stride, pad, groups, 0);
    x = eng_bn(g, bn, x, 1e-5f);
    if (act_kind == NET_ACT_RELU) x = eng_relu(g, act, x);
    else if (act_kind == NET_ACT_RELU6) x = eng_clip(g, act, x, 0.0f, 6.0f);
    return x;
}

int net_conv_relu(EngGraph *g, const char *conv, int x, int oc, int k, int stride, int pad,
                  int groups) {
    x = eng_conv_k(g, conv, x, oc, k, stride, pad, groups, 1);
    return eng_relu(g, net_name(conv, "_relu"), x);
}

int net_fc678(EngGraph *g, int x) {
    x = eng_fc(g, "fc6", x, 4096, 1);
    x = eng_relu(g, "relu6", x);
    x = eng_dropout(g, "drop6", x, 0.5f);
    x = eng_fc(g, "fc7", x, 4096, 1);
    x = eng_relu(g, "relu7", x);
    x = eng_dropout(g, "drop7", x, 0.5f);
    return eng_fc(g, "fc8", x, 1000, 1);
}

int net_maxpool(EngGraph *g, const char *name, int x, int k, int stride, int pad, int ceil_mode) {
    EngPoolParams p = {.kh = k, .kw = k, .sh = stride, .sw = stride, .pt = pad, .pl = pad,
                       .pb = pad, .pr = pad, .ceil_mode = ceil_mode};
    return eng_maxpool(g, name, x, &p);
}

/* ---- registry ------------------------------------------------------------------ */

static const ModelCard *const zoo[] = {
    &model_card_lenet5,
    &model_card_lenet5_keras,
    &model_card_lenet5_modern,
    &model_card_alexnet,
    &model_card_alexnet_mini,
    &model_card_alexnet_1gpu,
    &model_card_zfnet,
    &model_card_zfnet_wide,
    &model_card_zfnet_mini,
    &model_card_vgg11,
    &model_card_vgg13,
    &model_card_vgg16_c,
    &model_card_vgg16,
    &model_card_vgg19,
    &model_card_vgg11_bn,
    &model_card_vgg13_bn,
    &model_card_vgg16_bn,
    &model_card_vgg19_bn,
    &model_card_vgg_mini,
    &model_card_googlenet,
    &model_card_inception_mini,
    &model_card_resnet18,
    &model_card_resnet34,
    &model_card_resnet50,
    &model_card_resnet101,
    &model_card_resnet152,
    &model_card_resnet_mini,
    &model_card_plain20,
    &model_card_plain56,
    &model_card_resnet20,
    &model_card_resnet56,
    &model_card_resnet110,
    &model_card_resnet110_sd,
    &model_card_squeezenet1_0,
    &model_card_squeezenet1_1,
    &model_card_preact_resnet18,
    &model_card_preact_resnet164,
    &model_card_preact_mini,
    &model_card_wide_resnet50_2,
    &model_card_wrn28_10,
    &model_card_densenet121,
    &model_card_densenet169,
    &model_card_densenet201,
    &model_card_densenet_mini,
    &model_card_resnext50_32x4d,
    &model_card_mobilenet_v1,
    &model_card_mobilenet_mini,
    &model_card_se_resnet50,
    &model_card_se_resnext50_32x4d,
    &model_card_se_mini,
    &model_card_xception,
    &model_card_fractalnet,
    &model_card_mobilenet_v2,
    &model_card_mobilenet_v3_large,
    &model_card_mobilenet_v3_small,
    &model_card_efficientnet_b0,
    &model_card_efficientnet_mini,
    &model_card_cspresnext50,
    &model_card_cspdarknet53,
    &model_card_convnext_tiny,
    &model_card_convnext_mini,
};

const char *model_assets_dir(void) { return eng_resource_dir("CONVSCOPE_ASSETS", "assets"); }

const char *model_weights_path(const ModelCard *card, char *buf, size_t n) {
    if (!card || !card->weights) return NULL;
    if (snprintf(buf, n, "%s/%s", model_assets_dir(), card->weights) >= (int)n) return NULL;
    return buf;
}

const char *model_weights_for(const ModelCard *card, const char *data, char *buf, size_t n) {
    if (!card || !card->weights) return NULL;
    if (data && (!card->weights_data || strcmp(data, card->weights_data)) &&
        (!strcmp(data, "digits") || !strcmp(data, "fashion")) &&
        snprintf(buf, n, "%s/%s_%s.safetensors", model_assets_dir(), card->name, data) < (int)n &&
        access(buf, R_OK) == 0)
        return buf;
    return model_weights_path(card, buf, n);
}

int model_count(void) { return (int)(sizeof zoo / sizeof zoo[0]); }

const ModelCard *model_at(int i) { return (i >= 0 && i < model_count()) ? zoo[i] : NULL; }

const ModelCard *model_find(const char *name) {
    if (!name) return NULL;
    for (int i = 0; i < model_count(); i++)
        if (!strcmp(zoo[i]->name, name)) return zoo[i];
    return NULL;
}

EngGraph *model_build(const ModelCard *card, int C, int H, int W) {
    if (!card) return NULL;
    if (C <= 0 || H <= 0 || W <= 0) {
        C = card->in_c;
        H = card->in_h;
        W = card->in_w;
    }
    EngGraph *g = eng_graph_create();
    if (!g) return NULL;
    int out = card->build(g, C, H, W);
    if (out < 0 || !eng_graph_ok(g)) {
        if (!eng_graph_ok(g)) eng_log(ENG_LOG_ERROR, "%s", eng_graph_error(g));
        else eng_log(ENG_LOG_ERROR, "models: %s: the builder returned no output", card->name);
        eng_graph_destroy(g);
        return NULL;
    }
    eng_graph_set_output(g, out);
    return g;
}
