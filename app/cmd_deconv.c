/*
 * cmd_deconv.c — `convscope deconv`: a unit or channel projected back to
 * pixels (Zeiler and Fergus 2014; eng_graph_project), written as a PNG of
 * the input beside its projection, and as a float32 .npy if asked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"

int app_proj_same_note(const EngGraph *g, int layer, char *buf, size_t n) {
    buf[0] = 0;
    if (layer < 0 || layer >= eng_graph_node_count(g) || eng_graph_proj_rules_differ(g, layer) >= 0) return 0;
    snprintf(buf, n, "deconvnet, guided backprop and gradient differ only at ReLUs (ReLU6, leaky) and "
             "LRN; the path from the input to %s has none, so the three pictures are the same "
             "(max pooling is unpooled by its switches under all three)", eng_graph_node(g, layer)->name);
    return 1;
}

/* 1 when the network of card `c` has rules that differ at node `layer`
 * (by name; else at the last node before its output). */
static int rules_differ_in(const ModelCard *c, const char *layer) {
    EngGraph *g = model_build(c, 0, 0, 0);
    if (!g) return 0;
    int id = layer ? eng_graph_find(g, layer) : -1;
    if (id < 0) id = eng_graph_output(g) - 1;
    const int differ = id >= 0 && eng_graph_proj_rules_differ(g, id) >= 0;
    eng_graph_destroy(g);
    return differ;
}

const ModelCard *app_proj_alternative(const ModelCard *card, const char *data, const char *layer) {
    char path[4096];
    for (int pass = 0; pass < 2; pass++) /* the same family first, then any */
        for (int i = 0; i < model_count(); i++) {
            const ModelCard *c = model_at(i);
            if (c == card || c->imported || c->in_c != card->in_c || (pass == 0) != (c->family && card->family && !strcmp(c->family, card->family)))
                continue;
            const char *want = data ? data : card->weights_data;
            if (!c->weights || !want || !model_weights_for(c, want, path, sizeof path)) continue;
            if (strcmp(c->weights_data ? c->weights_data : "", want) != 0) {
                char own[4096]; /* trained on another set: only when NAME_DATA ships */
                if (!model_weights_path(c, own, sizeof own) || !strcmp(own, path)) continue;
            }
            if (rules_differ_in(c, layer)) return c;
        }
    return NULL;
}

#ifdef CONVSCOPE_HAVE_GUI
#include "canvas.h"
#include "stepper.h"

static const char deconv_usage[] =
    "usage: convscope deconv MODEL --layer NAME --channel C --out FILE.png\n"
    "                        [--unit Y,X|max] [--rule deconv|guided|backprop]\n"
    "                        [--image FILE | --input FILE.npy | --image-index N]\n"
    "                        [--weights FILE] [--data digits|fashion|PATH] [--npy FILE.npy]\n"
    "                        [--preprocess caffe|torchvision|none|card]\n"
    "  Projects channel C of layer NAME back to pixel space (Zeiler and Fergus 2014):\n"
    "  the layer's activations with all others set to zero go down through the\n"
    "  network, max pooling unpooled by its switches, convolutions transposed.\n"
    "  --unit keeps one unit (max: the strongest); --rule picks what ReLU does on the\n"
    "  way down: deconv (rectify), guided (rectify and mask), backprop (gradient).\n"
    "  The input is test image N of the model's dataset (from 0; default 0), an image file\n"
    "  (--image, resized and normalised as the model expects) or a float32 array\n"
    "  fed as is (--input, shape CxHxW or 1xCxHxW). The PNG shows the input and the\n"
    "  projection (grey = 0); --npy writes the projection as float32 (C, H, W).\n";

typedef struct {
    const char *out, *layer, *unit, *rule_s, *image, *npy_in, *npy_out;
    int channel, uy, ux, strongest;
    EngProjRule rule;
    AppOptions o;
} DeconvArgs;

/* --channel, --unit, --rule: APP_OK or APP_USAGE after a line on stderr. */
static int check_args(DeconvArgs *d) {
    const int bad_rule = app_parse_rule(d->rule_s, &d->rule) != 0;
    if (!d->layer || !d->o.channel_set || (!d->out && !d->npy_out)) {
        fprintf(stderr, "convscope deconv: %s is required (see 'convscope deconv --help')\n",
                !d->layer ? "--layer" : !d->o.channel_set ? "--channel" : "--out or --npy");
        return APP_USAGE;
    }
    if (bad_rule) {
        fprintf(stderr, "convscope deconv: --rule takes deconv, guided or backprop, not '%s'\n", d->rule_s);
        return APP_USAGE;
    }
    d->channel = d->o.channel;
    if (d->unit && !strcmp(d->unit, "max")) d->strongest = 1;
    else if (d->unit && eng_parse_int_list(d->unit, 0, 1000000, (int[2]){0}, 2) != 2) {
        fprintf(stderr, "convscope deconv: --unit takes Y,X (each 0..1000000) or max, not '%s'\n", d->unit);
        return APP_USAGE;
    } else if (d->unit) {
        int yx[2];
        eng_parse_int_list(d->unit, 0, 1000000, yx, 2);
        d->uy = yx[0], d->ux = yx[1];
    }
    if (d->image && d->npy_in) {
        fprintf(stderr, "convscope deconv: give --image or --input, not both\n");
        return APP_USAGE;
    }
    return APP_OK;
}

/* The input (an array, an image file, or the session's) into the graph, and
 * what to call it under the picture. APP_OK or APP_FAIL. */
static int set_input(const DeconvArgs *d, Session *s, const float *given, char *source, size_t n) {
    EngGraph *g = s->graph;
    const EngNode *in = eng_graph_node(g, 0);
    const int C = in->out.C, H = in->out.H, W = in->out.W;
    if (given) {
        memcpy(eng_graph_input_buffer(g, 0), given, (size_t)C * H * W * sizeof(float));
        if (eng_graph_forward(g) != 0) return APP_FAIL;
        snprintf(source, n, "input: %s", d->npy_in);
    } else if (d->image) {
        if (app_load_image(d->image, s->card, eng_graph_input_buffer(g, 0), C, H, W, NULL, 0) != 0) return APP_FAIL;
        if (eng_graph_forward(g) != 0) return APP_FAIL;
        snprintf(source, n, "input: %s", d->image);
    } else if (s->test.n > 0) {
        int lb = s->test.labels[s->sample];
        snprintf(source, n, "input: %s #%d (%s)", s->test.name, s->sample,
                 s->labels && lb < s->n_labels ? s->labels[lb] : "?");
    } else {
        snprintf(source, n, "input: diagonal grating");
    }
    return APP_OK;
}

/* The input and its projection side by side, titled, into d->out. */
static int write_png(const DeconvArgs *d, const Session *s, const EngNode *L, const float *proj,
                     const char *source) {
    const EngNode *in = eng_graph_node(s->graph, 0);
    const int C = in->out.C, H = in->out.H, W = in->out.W;
    const int panel = 440, pad = 28, top = 96;
    const int Wd = 2 * panel + 3 * pad, Hd = top + panel + 2 * pad + 24;
    AppCanvas cv;
    int ok = app_canvas_open(&cv, Wd, Hd, "deconv") == 0;
    if (ok) {
        SDL_Renderer *r = cv.r;
        const SDL_Color fg = {235, 235, 235, 255}, dim = {170, 175, 185, 255};
        char line[512];
        snprintf(line, sizeof line, "%s  ·  %s, channel %d", s->card->display, L->name, d->channel);
        viz_text(r, cv.fonts.sans_big, pad, 12, fg, line);
        if (d->uy >= 0)
            snprintf(line, sizeof line, "%s  ·  unit (%d, %d)%s, activation %.4g", proj_rule_name(d->rule), d->uy,
                     d->ux, d->strongest ? ", the strongest" : "",
                     L->act[((size_t)d->channel * L->out.H + d->uy) * L->out.W + d->ux]);
        else
            snprintf(line, sizeof line, "%s  ·  the whole map, other channels zeroed", proj_rule_name(d->rule));
        viz_text(r, cv.fonts.sans, pad, 52, dim, line);
        const int cap = cv.fonts.small_line + 4;
        SDL_Rect a = {pad, top, panel, panel + cap}, b = {2 * pad + panel, top, panel, panel + cap};
        viz_draw_planes(r, &cv.fonts, eng_graph_input_buffer(s->graph, 0), C, H, W, a, 0, source);
        viz_draw_planes(r, &cv.fonts, proj, C, H, W, b, 1, "projection (grey = 0)");
        ok = app_canvas_save(&cv, d->out, "deconv") == 0;
    }
    app_canvas_close(&cv);
    return ok ? APP_OK : APP_FAIL;
}

/* Layer, unit and projection on the open session, then the outputs. */
static int project(DeconvArgs *d, Session *s, const char *source) {
    EngGraph *g = s->graph;
    const int id = eng_graph_find(g, d->layer);
    if (id < 0 || !eng_graph_node(g, id)->act) {
        fprintf(stderr, "convscope deconv: %s has no layer '%s' (see 'convscope summary %s')\n", s->card->name,
                d->layer, s->card->name);
        return APP_USAGE;
    }
    const EngNode *L = eng_graph_node(g, id), *in = eng_graph_node(g, 0);
    if (d->channel >= L->out.C || d->uy >= L->out.H || d->ux >= L->out.W) {
        fprintf(stderr, "convscope deconv: channel %d, unit %d,%d is outside %s's %dx%dx%d output\n", d->channel,
                d->uy, d->ux, L->name, L->out.C, L->out.H, L->out.W);
        return APP_USAGE;
    }
    if ((d->strongest && eng_graph_strongest(g, id, d->channel, &d->uy, &d->ux) != 0) ||
        eng_graph_project(g, id, d->channel, d->uy, d->ux, d->rule) != 0) {
        fprintf(stderr, "convscope deconv: cannot project through %s\n", s->card->name);
        return APP_FAIL;
    }
    const float *proj = in->grad; /* (C, H, W) of the input */
    char err[512], note[512];
    if (app_proj_same_note(g, id, note, sizeof note)) {
        const ModelCard *alt = app_proj_alternative(s->card, d->o.data, L->name);
        fprintf(stderr, "convscope deconv: note: %s%s%s%s\n", note, alt ? "; they differ on " : "",
                alt ? alt->name : "", alt ? ", whose path has ReLUs (its trained weights ship)" : "");
    }
    if (d->npy_out) {
        int64_t dims[3] = {in->out.C, in->out.H, in->out.W};
        if (eng_npy_save(d->npy_out, dims, 3, proj, err, sizeof err) != 0) {
            fprintf(stderr, "convscope deconv: %s\n", err);
            return APP_FAIL;
        }
    }
    return d->out ? write_png(d, s, L, proj, source) : APP_OK;
}

int app_cmd_deconv(int argc, char **argv) {
    DeconvArgs d = {.channel = -1, .uy = -1, .ux = -1, .rule = ENG_RULE_DECONV};
    int help, rc = app_parse_cmd(argc, argv, deconv_usage, &d.o, &help);
    if (rc || help) return rc;
    d.out = d.o.out, d.layer = d.o.layer, d.unit = d.o.unit, d.image = d.o.image;
    d.npy_in = d.o.npy_in, d.npy_out = d.o.npy_out;
    d.rule_s = d.o.rule ? d.o.rule : "deconv";
    if ((rc = check_args(&d)) != APP_OK) return rc;
    float *given = NULL;
    if (d.npy_in && (rc = app_load_npy_input(d.npy_in, &d.o, &given, "deconv")) != APP_OK) return rc;
    Session s;
    char source[600];
    rc = session_open(&s, &d.o, d.o.image_index);
    if (rc == APP_OK)
        rc = app_check_image_index(&d.o, &s.test, d.o.data ? d.o.data : s.card->weights_data,
                                   d.image ? "--image" : d.npy_in ? "--input" : NULL, "deconv");
    if (rc == APP_OK) rc = set_input(&d, &s, given, source, sizeof source);
    if (rc == APP_OK) rc = project(&d, &s, source);
    free(given);
    session_close(&s);
    return rc;
}
#else
int app_cmd_deconv(int argc, char **argv) {
    (void)argc;
    (void)argv;
    fprintf(stderr, "convscope deconv: built without the GUI (CONVSCOPE_GUI=OFF)\n");
    return APP_FAIL;
}
#endif
