/*
 * cmd_export.c — `convscope export`: a zoo model (or an imported .onnx file)
 * with its weights written as an ONNX model, for Netron, ONNX Runtime or
 * PyTorch. The graph mapping is the engine's (eng_onnx_export.c); this file
 * picks the weights and says, in the file's metadata, how an input must be
 * prepared and which classes the outputs are.
 */
#include <stdlib.h>
#include <string.h>

#include "app.h"

static const char export_usage[] =
    "usage: convscope export MODEL --out FILE.onnx [--weights FILE] [--input CxHxW] [--batch N]\n"
    "  Writes MODEL (a zoo name, see 'convscope models', or an .onnx file) as an ONNX\n"
    "  model, graph and weights, at opset 14: it opens in Netron, ONNX Runtime or\n"
    "  PyTorch (onnx2torch).\n"
    "  --out FILE     where to write; the file is written under a new temporary\n"
    "                 name beside it (FILE.XXXXXX.tmp), then renamed, so an existing\n"
    "                 FILE is replaced only by a complete model\n"
    "  --weights FILE trained weights (.safetensors from 'convscope train'); default:\n"
    "                 the weights that ship with the model (assets/). A model without\n"
    "                 either is written with fresh He-initialised weights (seed 1),\n"
    "                 with a warning: the architecture, not a trained network\n"
    "  --input CxHxW  build the model for another input size (ONNX shapes are fixed)\n"
    "  --batch N      a fixed batch size; default: the batch dimension is symbolic ('N')\n"
    "  The input is float32 [N, C, H, W], named after the model's input layer; the\n"
    "  output is the last layer's (usually class scores [N, K], before any softmax).\n"
    "  Layer names become node names; parameters are initializers named\n"
    "  '<layer>.weight', '<layer>.bias', '<layer>.running_mean', '<layer>.running_var'.\n"
    "  Training-only branches (GoogLeNet's auxiliary classifiers) are left out.\n"
    "  The metadata holds the preprocessing the model expects (convscope.preprocess)\n"
    "  and, for weights trained on digits or fashion, the class names (convscope.labels).\n"
    "  Exit code 0 on success, 1 when the model cannot be written, 2 on a usage error.\n";

/* Append "key=value\n" to buf (value's newlines become spaces). */
static void meta_add(char *buf, size_t n, const char *key, const char *value) {
    size_t l = strlen(buf);
    if (!value || l + strlen(key) + 3 >= n) return;
    l += (size_t)snprintf(buf + l, n - l, "%s=", key);
    for (const char *v = value; *v && l + 2 < n; v++) buf[l++] = *v == '\n' ? ' ' : *v;
    buf[l++] = '\n';
    buf[l] = 0;
}

/* The weights the file gets: --weights, the shipped ones, the imported
 * file's own, or fresh He-initialised ones (with a warning). desc says which
 * (in the metadata), *data the dataset they were trained on (or NULL).
 * APP_OK, or APP_FAIL after a line on stderr. */
static int export_weights(EngGraph *g, const ModelCard *card, const AppOptions *o, char *desc,
                          size_t n, const char **data, char *v, size_t vn) {
    char path[4096], err[2048], wmeta[2048] = "";
    const char *w = o->weights        ? o->weights
                    : card->imported ? NULL /* the file brought its own */
                                     : model_weights_path(card, path, sizeof path);
    *data = NULL;
    if (w) {
        if (eng_weights_load(g, NULL, w, wmeta, sizeof wmeta, err, sizeof err) != 0) {
            fprintf(stderr, "convscope export: %s\n", err);
            return APP_FAIL;
        }
        *data = app_meta_value(wmeta, "data", v, vn);
        if (!*data && !o->weights) *data = card->weights_data;
        if (o->weights) snprintf(desc, n, "%s", w);
        else snprintf(desc, n, "assets/%s (shipped)", card->weights);
    } else if (card->imported) {
        snprintf(desc, n, "from %s", o->model);
    } else {
        if (eng_graph_init_params(g, 1) != 0) {
            fprintf(stderr, "convscope export: not enough memory for the weights of %s\n",
                    card->name);
            return APP_FAIL;
        }
        fprintf(stderr, "convscope export: no trained weights ship for %s: writing He-initialised "
                        "weights (seed 1), an untrained network; give --weights FILE for trained "
                        "ones\n", card->name);
        snprintf(desc, n, "He-initialised (seed 1), untrained");
    }
    return APP_OK;
}

/* The file's metadata ("key=value" lines into meta): model, weights,
 * preprocessing, dataset and class names; and its doc string. */
static void export_meta(const EngGraph *g, const ModelCard *card, const AppOptions *o,
                        const char *weights_desc, const char *data, char *meta, size_t mn, char *doc,
                        size_t dn) {
    char pre[512];
    const ModelPreproc *p = &card->pre;
    snprintf(pre, sizeof pre,
             "channels=%d resize=%d crop=%d bgr=%d scale=%.9g mean=%.9g,%.9g,%.9g "
             "std=%.9g,%.9g,%.9g (pixels in [0, 255]: x = (pixel * scale - mean) / std)",
             p->channels, p->resize, p->crop, p->bgr, p->scale, p->mean[0], p->mean[1],
             p->mean[2], p->std[0], p->std[1], p->std[2]);
    meta[0] = 0;
    meta_add(meta, mn, "convscope.model", card->name);
    meta_add(meta, mn, "convscope.weights", weights_desc);
    if (!card->imported) meta_add(meta, mn, "convscope.preprocess", pre);
    if (data) meta_add(meta, mn, "convscope.data", data);
    int n_labels = 0;
    const char *const *labels = app_labels(data, &n_labels);
    const EngNode *outn = eng_graph_node(g, eng_graph_output(g));
    if (labels && outn && outn->out.C * outn->out.H * outn->out.W == n_labels) {
        char lb[1024] = "";
        for (int i = 0; i < n_labels; i++) {
            size_t l = strlen(lb);
            snprintf(lb + l, sizeof lb - l, "%s%s", i ? "," : "", labels[i]);
        }
        meta_add(meta, mn, "convscope.labels", lb);
    }
    if (card->imported)
        snprintf(doc, dn, "%s, re-exported by convscope", o->model);
    else
        snprintf(doc, dn, "%s (%s, %s). %s Weights: %s.", card->display, card->authors, card->venue,
                 card->key_ideas, weights_desc);
}

/* One line on what was written: nodes, parameters, size, input and output. */
static void export_report(const EngGraph *g, const ModelCard *card, const AppOptions *o,
                          const EngOnnxExport *info) {
    const EngNode *in = eng_graph_node(g, 0), *outn = eng_graph_node(g, eng_graph_output(g));
    char nb[32], bb[32], batch[16], oshape[64];
    EngTotals t = eng_graph_totals(g);
    if (o->batch) snprintf(batch, sizeof batch, "%d", o->batch);
    else snprintf(batch, sizeof batch, "N");
    if (info->out_rank == 4)
        snprintf(oshape, sizeof oshape, "%s,%d,%d,%d", batch, outn->out.C, outn->out.H, outn->out.W);
    else
        snprintf(oshape, sizeof oshape, "%s,%d", batch, outn->out.C);
    printf("%s: %s, opset %d, %d nodes, %s parameters, %s; input '%s' [%s,%d,%d,%d], "
           "output '%s' [%s]\n",
           o->out, card->name, ENG_ONNX_EXPORT_OPSET, info->n_nodes,
           eng_fmt_grouped(t.params, nb, sizeof nb), eng_fmt_bytes((double)info->bytes, bb, sizeof bb),
           in->name, batch, in->out.C, in->out.H, in->out.W, outn->name, oshape);
}

int app_cmd_export(int argc, char **argv) {
    AppOptions o;
    int help, rc = app_parse_cmd(argc, argv, export_usage, &o, &help);
    if (rc || help) return rc;
    if (!o.out || !*o.out) {
        fprintf(stderr, "convscope export: --out FILE.onnx is required (see 'convscope export "
                        "--help')\n");
        return APP_USAGE;
    }
    const ModelCard *card;
    EngGraph *g = app_build_model(&o, &card, &rc);
    if (!g) return rc;
    char weights_desc[4200], v[256], meta[8192], doc[8192], err[2048];
    const char *data;
    rc = export_weights(g, card, &o, weights_desc, sizeof weights_desc, &data, v, sizeof v);
    if (rc == APP_OK) {
        export_meta(g, card, &o, weights_desc, data, meta, sizeof meta, doc, sizeof doc);
        EngOnnxExport info = {.name = card->name, .doc = doc, .meta = meta, .batch = o.batch};
        if (eng_onnx_save(g, o.out, &info, err, sizeof err) != 0) {
            fprintf(stderr, "convscope export: %s\n", err);
            rc = APP_FAIL;
        } else {
            export_report(g, card, &o, &info);
        }
    }
    eng_graph_destroy(g);
    return rc;
}
