/*
 * cmd_atlas.c — `convscope atlas`: a model's channels on sheets to browse
 * offline (in the spirit of OpenAI Microscope): per layer, one PNG per group
 * of channels, each channel in one row — its learned filter (for a
 * convolution on the input), its nine strongest activations over the test
 * set as receptive-field patches and as deconvnet projections (Zeiler and
 * Fergus 2014, Fig. 2; app_top9_run), and its feature visualisation by
 * optimization (eng_featvis.c) — and an index.html linking them. A sheet
 * already on disk is kept: an interrupted run goes on where it stopped.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app.h"

#ifdef CONVSCOPE_HAVE_GUI
#include "canvas.h"
#endif

static const char atlas_usage[] =
    "usage: convscope atlas MODEL --out DIR [--layers L1,L2,...] [--per-sheet N]\n"
    "                       [--steps N] [--seed S] [--weights FILE] [--data digits|fashion|PATH]\n"
    "                       [--threads N]\n"
    "  Writes into DIR, per layer (default: every convolution), one sheet per N\n"
    "  channels (default 8), LAYER_KK.png, each channel in a row: its filter (a\n"
    "  convolution on the input), the receptive-field patches of its nine strongest\n"
    "  activations over the test set (the weights' data set, or --data), their\n"
    "  deconvnet projections, and its feature visualisation (as 'convscope visualize'\n"
    "  makes it, --steps default 100, --seed default 1); then index.html linking every\n"
    "  sheet. A sheet already in DIR is kept, so a rerun after an interruption goes on\n"
    "  where it stopped (delete a sheet to redraw it). Progress goes to stderr.\n";

#define ATLAS_MAX_LAYERS 256

typedef struct {
    AppOptions o;
    const ModelCard *card;
    EngGraph *g;
    const char *data;
    EngDataset test;
    const char *const *labels;
    int n_labels;
    int layers[ATLAS_MAX_LAYERS], n_layers;
    int per_sheet, steps;
    int total, done, drawn, kept; /* channels in all, channels done; sheets drawn, kept */
    char weights_path[4096];
    const char *weights;
} Atlas;

/* A layer's name as a file name: letters, digits, '-' and '_' kept, the rest '_'. */
static void safe_name(const char *s, char *out, size_t n) {
    size_t i = 0;
    for (; s[i] && i + 1 < n && i < 64; i++) {
        const char c = s[i];
        out[i] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                         c == '_' ? c : '_';
    }
    out[i] = 0;
}

static void sheet_name(const Atlas *a, int layer, int sheet, char *out, size_t n) {
    char s[80];
    safe_name(eng_graph_node(a->g, layer)->name, s, sizeof s);
    snprintf(out, n, "%s_n%d_%02d.png", s, layer, sheet + 1);
}

/* --layers, or every convolution; APP_OK or APP_USAGE after a line on stderr. */
static int atlas_layers(Atlas *a) {
    const int n = eng_graph_node_count(a->g);
    if (!a->o.layers) {
        for (int i = 1; i < n && a->n_layers < ATLAS_MAX_LAYERS; i++) {
            const EngNode *L = eng_graph_node(a->g, i);
            if (L->op == ENG_OP_CONV && !(L->flags & ENG_NODE_TRAIN_ONLY)) a->layers[a->n_layers++] = i;
        }
        if (!a->n_layers) {
            fprintf(stderr, "convscope atlas: %s has no convolution; name layers with --layers\n", a->card->name);
            return APP_USAGE;
        }
        return APP_OK;
    }
    char *list = strdup(a->o.layers);
    if (!list) return APP_FAIL;
    int rc = APP_OK;
    for (char *save = NULL, *t = strtok_r(list, ",", &save); t && rc == APP_OK; t = strtok_r(NULL, ",", &save)) {
        const int id = eng_graph_find(a->g, t);
        const EngNode *L = id > 0 ? eng_graph_node(a->g, id) : NULL;
        if (!L || (L->flags & ENG_NODE_TRAIN_ONLY)) {
            fprintf(stderr, "convscope atlas: %s has no layer '%s' after the input (see 'convscope summary %s')\n",
                    a->card->name, t, a->card->name);
            rc = APP_USAGE;
        } else if (a->n_layers == ATLAS_MAX_LAYERS) {
            fprintf(stderr, "convscope atlas: more than %d layers\n", ATLAS_MAX_LAYERS);
            rc = APP_USAGE;
        } else a->layers[a->n_layers++] = id;
    }
    if (rc == APP_OK && !a->n_layers) {
        fprintf(stderr, "convscope atlas: --layers names no layer\n");
        rc = APP_USAGE;
    }
    free(list);
    return rc;
}

/* The options, the model, its weights, its test set and the folder. */
static int atlas_open(Atlas *a, int argc, char **argv, int *help) {
    AppOptions *o = &a->o;
    int rc = app_parse_cmd(argc, argv, atlas_usage, o, help), id;
    if (rc || *help) return rc;
    if (!o->out) {
        fprintf(stderr, "convscope atlas: --out DIR is required (see 'convscope atlas --help')\n");
        return APP_USAGE;
    }
#ifndef CONVSCOPE_HAVE_GUI
    fprintf(stderr, "convscope atlas: built without the GUI: no PNG sheets\n");
    return APP_USAGE;
#endif
    a->per_sheet = o->per_sheet ? o->per_sheet : 8;
    a->steps = o->steps ? o->steps : 100;
    if (o->threads) eng_set_threads(o->threads);
    a->g = app_open_trained(o, NULL, -1, "atlas", &a->card, &id, &rc);
    if (!a->g) return rc;
    if ((rc = atlas_layers(a)) != APP_OK) return rc;
    a->data = o->data ? o->data : a->card->weights_data;
    if (!a->data) {
        fprintf(stderr, "convscope atlas: no test set is known for %s (give --data)\n", a->card->name);
        return APP_USAGE;
    }
    if (app_load_data(a->data, NULL, &a->test, "atlas") != 0) return APP_FAIL;
    const EngNode *in = eng_graph_node(a->g, 0);
    if (a->test.h > in->out.H || a->test.w > in->out.W) {
        fprintf(stderr, "convscope atlas: the %dx%d images of %s do not fit %s's %dx%d input\n", a->test.h,
                a->test.w, a->data, a->card->name, in->out.H, in->out.W);
        return APP_USAGE;
    }
    a->weights = o->weights ? o->weights : model_weights_for(a->card, a->data, a->weights_path,
                                                             sizeof a->weights_path);
    a->labels = app_labels(a->data, &a->n_labels);
    struct stat st;
    if (mkdir(o->out, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "convscope atlas: cannot make the folder %s: %s\n", o->out, strerror(errno));
        return APP_FAIL;
    }
    if (stat(o->out, &st) != 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "convscope atlas: %s is not a folder\n", o->out);
        return APP_USAGE;
    }
    for (int i = 0; i < a->n_layers; i++) a->total += eng_graph_node(a->g, a->layers[i])->out.C;
    return APP_OK;
}

/* A bar on stderr: channels done of all. */
static void atlas_bar(const Atlas *a, const char *what) {
    const int w = 30, k = a->total ? a->done * w / a->total : w;
    char bar[40];
    for (int i = 0; i < w; i++) bar[i] = i < k ? '#' : '.';
    bar[w] = 0;
    fprintf(stderr, "\ratlas [%s] %d/%d channels  %-28.28s", bar, a->done, a->total, what);
}

#ifdef CONVSCOPE_HAVE_GUI
/* Row geometry of a sheet. */
enum { A_PAD = 24, A_TOP = 110, A_LABEL = 150, A_CELL = 132, A_GAP = 22, A_ROW = 150 };

/* The first convolution on the input: its filters are pictures of pixels. */
static int has_filter(const EngGraph *g, int id) {
    const EngNode *L = eng_graph_node(g, id);
    return L->op == ENG_OP_CONV && L->n_inputs >= 1 && L->inputs[0] == 0 && L->params[0].ndim == 4 &&
           L->params[0].data && L->params[0].dims[0] == L->out.C;
}

/* Nine crops (C, ph, pw) in a 3x3 grid inside cell. */
static void draw_grid9(SDL_Renderer *r, const VizFonts *f, float *const *crop, const int *ph, const int *pw, int n,
                       int C, SDL_Rect cell, int diverging) {
    const int t = cell.w / 3;
    for (int k = 0; k < n; k++)
        if (crop[k] && ph[k] > 0 && pw[k] > 0)
            viz_draw_planes(r, f, crop[k], C, ph[k], pw[k],
                            (SDL_Rect){cell.x + (k % 3) * t + 1, cell.y + (k / 3) * t + 1, t - 2, t - 2},
                            diverging, NULL);
}

/* Channel ch of layer id in the row at y: filter, patches, projections, visualisation. */
static int atlas_row(Atlas *a, AppCanvas *cv, int id, int ch, int y, int filter) {
    EngGraph *g = a->g;
    const EngNode *in = eng_graph_node(g, 0), *L = eng_graph_node(g, id);
    const int C = in->out.C, H = in->out.H, W = in->out.W;
    const size_t n_in = (size_t)C * H * W;
    char err[512], line[200];
    const SDL_Color fg = viz_ink(), dim = viz_dim();
    AppTop9 t;
    app_log_capture(1);
    int rc = app_top9_run(g, a->card, a->weights, id, ch, &a->test, ENG_RULE_DECONV, 64, &t, NULL, NULL, err,
                          sizeof err);
    app_log_capture(0);
    if (rc != 0) {
        fprintf(stderr, "\nconvscope atlas: %s, channel %d: %s\n", L->name, ch, err);
        app_top9_free(&t);
        return -1;
    }
    int x = A_PAD;
    snprintf(line, sizeof line, "channel %d", ch);
    viz_text(cv->r, cv->fonts.sans, x, y + 8, fg, line);
    if (t.n > 0) {
        snprintf(line, sizeof line, "top %.4g", t.v[0]);
        viz_text(cv->r, cv->fonts.small, x, y + 40, dim, line);
    }
    x += A_LABEL;
    if (filter) { /* (IC, KH, KW) of output channel ch */
        const EngParam *w = &L->params[0];
        const size_t per = (size_t)w->dims[1] * w->dims[2] * w->dims[3];
        viz_draw_planes(cv->r, &cv->fonts, w->data + (size_t)ch * per, w->dims[1], w->dims[2], w->dims[3],
                        (SDL_Rect){x, y, A_CELL, A_CELL}, 1, NULL);
        x += A_CELL + A_GAP;
    }
    float *img = malloc(n_in * sizeof *img), *pi[9] = {0}, *pp[9] = {0};
    int ph[9] = {0}, pw[9] = {0};
    rc = img ? 0 : -1;
    for (int k = 0; k < t.n && rc == 0; k++) {
        app_fill_batch(img, 1, C, H, W, &a->test, &t.idx[k], 1);
        pi[k] = app_crop(img, C, H, W, t.box[k]);
        pp[k] = app_crop(t.proj[k], C, H, W, t.box[k]);
        ph[k] = t.box[k][2] - t.box[k][0], pw[k] = t.box[k][3] - t.box[k][1];
    }
    draw_grid9(cv->r, &cv->fonts, pi, ph, pw, t.n, C, (SDL_Rect){x, y, A_CELL, A_CELL}, 0);
    x += A_CELL + A_GAP;
    draw_grid9(cv->r, &cv->fonts, pp, ph, pw, t.n, C, (SDL_Rect){x, y, A_CELL, A_CELL}, 1);
    x += A_CELL + A_GAP;
    for (int k = 0; k < 9; k++) free(pi[k]), free(pp[k]);
    app_top9_free(&t);
    /* the visualisation: app_top9_run left g planned at batch 1 with gradients */
    EngFeatvis p;
    float lo[3], hi[3];
    int is_scores;
    app_featvis_range(a->card, lo, hi);
    eng_featvis_defaults(&p, lo, hi);
    p.layer = app_featvis_target(g, id, &is_scores);
    p.channel = ch, p.steps = a->steps;
    if (a->o.seed_set) p.seed = a->o.seed;
    if (rc == 0 && eng_featvis_run(g, &p, img, NULL, NULL, NULL, err, sizeof err) != 0) {
        fprintf(stderr, "\nconvscope atlas: %s, channel %d: %s\n", L->name, ch, err);
        rc = -1;
    }
    if (rc == 0) viz_draw_planes(cv->r, &cv->fonts, img, C, H, W, (SDL_Rect){x, y, A_CELL, A_CELL}, 0, NULL);
    free(img);
    return rc;
}

/* Sheet s of layer id: channels [c0, c1) into path. */
static int atlas_sheet(Atlas *a, int id, int s, int c0, int c1, const char *path) {
    const EngNode *L = eng_graph_node(a->g, id);
    const int filter = has_filter(a->g, id), cols = 3 + filter;
    const int grid = 2 * A_PAD + A_LABEL + cols * (A_CELL + A_GAP), Wd = grid > 960 ? grid : 960, Hd = A_TOP + (c1 - c0) * A_ROW + A_PAD;
    AppCanvas cv;
    int ok = app_canvas_open(&cv, Wd, Hd, "atlas") == 0;
    if (ok) {
        char line[600];
        const int sheets = (L->out.C + a->per_sheet - 1) / a->per_sheet;
        snprintf(line, sizeof line, "%s  ·  %s (%dx%dx%d)  ·  channels %d-%d  ·  sheet %d/%d", a->card->display,
                 L->name, L->out.C, L->out.H, L->out.W, c0, c1 - 1, s + 1, sheets);
        viz_text_fit(cv.r, cv.fonts.sans_big, A_PAD, 10, Wd - 2 * A_PAD, viz_ink(), line);
        const char *heads[4] = {"filter", "top-9 patches", "their projections", "visualisation"};
        int x = A_PAD + A_LABEL;
        for (int k = filter ? 0 : 1; k < 4; k++, x += A_CELL + A_GAP)
            viz_text_fit(cv.r, cv.fonts.small, x, A_TOP - 26, A_CELL + A_GAP - 4, viz_dim(), heads[k]);
        snprintf(line, sizeof line, "top-9 over %d images of %s (deconvnet projections, grey = 0)  ·  "
                 "visualisation: %d ascent steps", a->test.n, a->test.name, a->steps);
        viz_text_fit(cv.r, cv.fonts.small, A_PAD, 52, Wd - 2 * A_PAD, viz_dim(), line);
        for (int c = c0; c < c1 && ok; c++) {
            ok = atlas_row(a, &cv, id, c, A_TOP + (c - c0) * A_ROW, filter) == 0;
            a->done++;
            atlas_bar(a, L->name);
        }
        ok = ok && app_canvas_save(&cv, path, "atlas") == 0;
    }
    app_canvas_close(&cv);
    return ok ? 0 : -1;
}
#endif

/* Text with &, <, >, " escaped. */
static void html_str(FILE *f, const char *s) {
    for (; *s; s++)
        if (*s == '&') fputs("&amp;", f);
        else if (*s == '<') fputs("&lt;", f);
        else if (*s == '>') fputs("&gt;", f);
        else if (*s == '"') fputs("&quot;", f);
        else fputc(*s, f);
}

/* index.html: every layer and its sheets, linked. */
static int atlas_index(const Atlas *a) {
    char path[4200], err[512], name[200];
    snprintf(path, sizeof path, "%s/index.html", a->o.out);
    EngTmpFile t;
    if (eng_tmpfile_open(&t, path, err, sizeof err) != 0) {
        fprintf(stderr, "convscope atlas: %s\n", err);
        return -1;
    }
    FILE *f = t.f;
    fprintf(f, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>");
    html_str(f, a->card->display);
    fprintf(f, " atlas</title>\n<style>body{font-family:sans-serif;background:#1b1d22;color:#e8e8e8}"
               "a{color:#8cc8ff}img{width:320px;margin:4px;border:1px solid #444}</style></head><body>\n<h1>");
    html_str(f, a->card->display);
    fprintf(f, " atlas</h1>\n<p>Weights: ");
    html_str(f, a->weights ? a->weights : "(in the model file)");
    fprintf(f, ". Test set: ");
    html_str(f, a->test.name);
    fprintf(f, " (%d images). Each row: the filter (first layer), the nine strongest activations' "
               "receptive fields and their deconvnet projections (Zeiler and Fergus 2014), the feature "
               "visualisation (%d steps of gradient ascent, Yosinski et al. 2015, Olah et al. 2017).</p>\n",
            a->test.n, a->steps);
    for (int i = 0; i < a->n_layers; i++) {
        const EngNode *L = eng_graph_node(a->g, a->layers[i]);
        const int sheets = (L->out.C + a->per_sheet - 1) / a->per_sheet;
        fprintf(f, "<h2>");
        html_str(f, L->name);
        fprintf(f, " &middot; %d channels, %dx%d</h2>\n<p>\n", L->out.C, L->out.H, L->out.W);
        for (int s = 0; s < sheets; s++) {
            sheet_name(a, a->layers[i], s, name, sizeof name);
            fprintf(f, "<a href=\"%s\"><img src=\"%s\" alt=\"channels %d-%d\"></a>\n", name, name,
                    s * a->per_sheet, (s + 1) * a->per_sheet < L->out.C ? (s + 1) * a->per_sheet - 1 : L->out.C - 1);
        }
        fprintf(f, "</p>\n");
    }
    fprintf(f, "</body></html>\n");
    if (eng_tmpfile_commit(&t, err, sizeof err) != 0) {
        fprintf(stderr, "convscope atlas: %s\n", err);
        return -1;
    }
    return 0;
}

static int atlas_run(Atlas *a) {
#ifdef CONVSCOPE_HAVE_GUI
    char name[200], path[4400];
    for (int i = 0; i < a->n_layers; i++) {
        const int id = a->layers[i];
        const EngNode *L = eng_graph_node(a->g, id);
        for (int s = 0, c0 = 0; c0 < L->out.C; s++, c0 += a->per_sheet) {
            const int c1 = c0 + a->per_sheet < L->out.C ? c0 + a->per_sheet : L->out.C;
            sheet_name(a, id, s, name, sizeof name);
            snprintf(path, sizeof path, "%s/%s", a->o.out, name);
            if (access(path, F_OK) == 0) { /* drawn by an earlier run */
                a->done += c1 - c0, a->kept++;
                atlas_bar(a, L->name);
                continue;
            }
            atlas_bar(a, L->name);
            if (atlas_sheet(a, id, s, c0, c1, path) != 0) {
                fputc('\n', stderr);
                return APP_FAIL;
            }
            a->drawn++;
        }
    }
    fputc('\n', stderr);
    if (atlas_index(a) != 0) return APP_FAIL;
    printf("atlas of %s: %d sheets drawn, %d kept from an earlier run, %d channels in %d layers: %s/index.html\n",
           a->card->name, a->drawn, a->kept, a->total, a->n_layers, a->o.out);
    return APP_OK;
#else
    (void)a;
    return APP_USAGE;
#endif
}

int app_cmd_atlas(int argc, char **argv) {
    Atlas a;
    memset(&a, 0, sizeof a);
    int help, rc = atlas_open(&a, argc, argv, &help);
    if (rc == APP_OK && !help) rc = atlas_run(&a);
    eng_dataset_free(&a.test);
    eng_graph_destroy(a.g);
    return rc;
}
