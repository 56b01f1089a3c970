/*
 * gui_probe.c — what the zoomed channel responds to (Zeiler and Fergus
 * 2014), in the main panel: T, its nine strongest images in the test set
 * with their deconvnet projections (Fig. 2); O, a grey square slid over the
 * input (Fig. 7). Computed on the worker with progress; Esc stops it.
 */
#ifdef CONVSCOPE_HAVE_GUI
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stepper.h"

void probe_free(ProbeView *p) {
    app_top9_free(&p->top9);
    for (int k = 0; k < 9; k++) {
        free(p->t9_proj[k]);
        free(p->t9_patch[k]);
        p->t9_proj[k] = p->t9_patch[k] = NULL;
    }
    free(p->occ.maps);
    free(p->occ_img);
    free(p->cam_map);
    free(p->cam_img);
    p->occ.maps = NULL;
    p->occ_img = NULL;
    p->cam_map = p->cam_img = NULL;
    p->ready = 0;
}

/* The winners' crops and captions, from the test images they come from. */
static int top9_crops(Stepper *s) {
    const Session *ses = &s->ses;
    ProbeView *p = &s->probe;
    const EngNode *in = eng_graph_node(ses->graph, 0);
    const int C = in->out.C, H = in->out.H, W = in->out.W;
    float *img = malloc(session_input_len(ses) * sizeof *img);
    if (!img) return -1;
    for (int k = 0; k < p->top9.n; k++) {
        app_fill_batch(img, 1, C, H, W, &ses->test, &p->top9.idx[k], 1);
        p->t9_patch[k] = app_crop(img, C, H, W, p->top9.box[k]);
        p->t9_proj[k] = app_crop(p->top9.proj[k], C, H, W, p->top9.box[k]);
        int lb = ses->test.labels[p->top9.idx[k]];
        snprintf(p->t9_caption[k], sizeof p->t9_caption[k], "#%d %s  %.3g", p->top9.idx[k],
                 ses->labels && lb < ses->n_labels ? ses->labels[lb] : "?", p->top9.v[k]);
    }
    free(img);
    return 0;
}

/* The occlusion maps of the input as it is. */
static int occlusion(Stepper *s, AppProgress progress, void *ctx, char *err, size_t errlen) {
    const Session *ses = &s->ses;
    ProbeView *p = &s->probe;
    const size_t n = session_input_len(ses);
    p->occ_img = malloc(n * sizeof *p->occ_img);
    if (!p->occ_img) {
        snprintf(err, errlen, "no memory for the occluded image");
        return -1;
    }
    memcpy(p->occ_img, eng_graph_input_buffer(ses->graph, 0), n * sizeof *p->occ_img);
    /* the test image's label; any other input (a file, a drawing, a
     * pattern) has none: -1 follows the predicted class */
    const int label = ses->source == SRC_DATA && ses->test.n > 0 ? ses->test.labels[ses->sample] : -1;
    p->occ = (AppOcclusion){0, 0, NAN, label, 0, 0, {0, 0, 0}, NULL};
    return app_occlusion_run(ses->graph, s->sel.current, s->sel.zoom, p->occ_img, &p->occ, progress, ctx,
                             err, errlen);
}

/* Grad-CAM of the cam_rank-th most probable class at the current layer
 * (eng_graph_gradcam), and the input it explains. */
static int gradcam(Stepper *s, char *err, size_t errlen) {
    const Session *ses = &s->ses;
    ProbeView *p = &s->probe;
    EngGraph *g = ses->graph;
    const int logits = eng_graph_logits(g, NULL), layer = s->sel.current;
    const EngNode *L = eng_graph_node(g, logits), *A = eng_graph_node(g, layer);
    const int K = L->out.C * L->out.H * L->out.W;
    if (layer == 0 || layer > logits) {
        snprintf(err, errlen, "Grad-CAM: step to a layer between the input and '%s' (the class scores)",
                 L->name);
        return -1;
    }
    float *prob = malloc((size_t)K * sizeof *prob);
    const size_t n = session_input_len(ses);
    p->cam_map = malloc((size_t)A->out.H * A->out.W * sizeof *p->cam_map);
    p->cam_img = malloc(n * sizeof *p->cam_img);
    int k = K;
    if (!prob || !p->cam_map || !p->cam_img || eng_graph_class_probs(g, prob, &k) != 0) {
        free(prob);
        snprintf(err, errlen, "Grad-CAM: no memory, or no finite class scores");
        return -1;
    }
    /* the cam_rank-th most probable class (cam_rank < 5) */
    int order[5], best = -1;
    for (int r = 0; r <= p->cam_rank && r < K && r < 5; r++) {
        int b = -1;
        for (int c = 0; c < K; c++) {
            int taken = 0;
            for (int j = 0; j < r; j++) taken |= order[j] == c;
            if (!taken && (b < 0 || prob[c] > prob[b])) b = c;
        }
        order[r] = best = b;
    }
    p->cam_class = best, p->cam_prob = prob[best];
    free(prob);
    memcpy(p->cam_img, eng_graph_input_buffer(g, 0), n * sizeof *p->cam_img);
    p->cam_h = A->out.H, p->cam_w = A->out.W;
    return eng_graph_gradcam(g, layer, best, p->cam_map, NULL, err, errlen);
}

void probe_run(Stepper *s, AppProgress progress, void *ctx) {
    Session *ses = &s->ses;
    ProbeView *p = &s->probe;
    probe_free(p);
    char err[512] = "";
    int rc = -1;
    if (p->kind == PROBE_GRADCAM) {
        rc = gradcam(s, err, sizeof err);
    } else if (s->sel.zoom < 0) {
        snprintf(err, sizeof err, "zoom into a channel first (click a map)");
    } else if (p->kind == PROBE_TOP9 && ses->test.n <= 0) {
        snprintf(err, sizeof err, "top-9 needs a test set; for image files use 'convscope top9 %s "
                 "--images DIR'", ses->card->name);
    } else if (p->kind == PROBE_TOP9) {
        rc = app_top9_run(ses->graph, ses->card, ses->weights_path[0] ? ses->weights_path : NULL,
                          s->sel.current, s->sel.zoom, &ses->test, ENG_RULE_DECONV, 64, &p->top9, progress,
                          ctx, err, sizeof err);
        if (rc == 0 && top9_crops(s) != 0) snprintf(err, sizeof err, "no memory for the top-9 crops"), rc = -1;
    } else {
        rc = occlusion(s, progress, ctx, err, sizeof err);
    }
    if (rc == 0) {
        p->ready = 1;
        p->layer = s->sel.current;
        p->channel = s->sel.zoom;
    } else {
        probe_free(p);
        p->kind = PROBE_NONE;
        snprintf(ses->msg, sizeof ses->msg, "%s", rc > 0 ? "stopped" : err);
    }
    if (eng_graph_plan(ses->graph, 1) != 0) /* back to batch 1 for the stepper */
        snprintf(ses->msg, sizeof ses->msg, "no memory for the network at batch 1 after the probe");
    session_set_input(ses);
}

int probe_key(Stepper *s, GuiKeyAct k) {
    if (k == KEY_GRADCAM) { /* Grad-CAM of the top class; again: the next of the top-5; then off */
        ProbeView *p = &s->probe;
        const EngNode *L = eng_graph_node(s->ses.graph, eng_graph_logits(s->ses.graph, NULL));
        const int K = L->out.C * L->out.H * L->out.W;
        if (p->kind != PROBE_GRADCAM) p->kind = PROBE_GRADCAM, p->cam_rank = 0;
        else p->cam_rank++;
        if (p->cam_rank >= 5 || p->cam_rank >= K) {
            p->kind = PROBE_NONE;
            return 1;
        }
        s->ses.msg[0] = 0;
        stepper_want(s, JOB_PROBE);
        return 1;
    }
    if (k != KEY_TOP9 && k != KEY_OCCLUSION) return 0;
    const int kind = k == KEY_TOP9 ? PROBE_TOP9 : PROBE_OCCLUSION;
    if (s->sel.zoom < 0) {
        snprintf(s->ses.msg, sizeof s->ses.msg, "click a map first: %s works on one channel",
                 kind == PROBE_TOP9 ? "top-9" : "occlusion");
    } else if (s->probe.kind == kind) {
        s->probe.kind = PROBE_NONE; /* the key closes what it opened */
    } else {
        s->probe.kind = kind;
        s->ses.msg[0] = 0;
        stepper_want(s, JOB_PROBE);
    }
    return 1;
}

int probe_shown(const Stepper *s) {
    const ProbeView *p = &s->probe;
    /* Grad-CAM belongs to the layer, the others to its zoomed channel */
    return p->kind && p->ready && p->layer == s->sel.current &&
           (p->kind == PROBE_GRADCAM || p->channel == s->sel.zoom);
}

int probe_progress_text(const Stepper *s, const JobStatus *st, char *buf, size_t n) {
    if (st->kind != JOB_PROBE || st->total <= 0) return 0;
    const int top9 = s->probe.kind == PROBE_TOP9;
    snprintf(buf, n, "%s: %d of %d %s",
             top9 ? "top-9, scanning the test set" : "occlusion, trying positions", st->done, st->total,
             top9 ? "images" : "positions");
    return 1;
}

static void top9_draw(const Stepper *s, SDL_Renderer *r, const VizFonts *f, SDL_Rect a) {
    const ProbeView *p = &s->probe;
    const EngNode *L = eng_graph_node(s->ses.graph, p->layer), *in = eng_graph_node(s->ses.graph, 0);
    char line[512];
    snprintf(line, sizeof line, "%s, channel %d: the 9 strongest of %d %s images (T closes)", L->name,
             p->channel, s->ses.test.n, s->ses.test.name);
    viz_text(r, f->sans, a.x, a.y, viz_ink(), line);
    int ph[9], pw[9];
    const char *caps[9];
    for (int k = 0; k < p->top9.n; k++) {
        ph[k] = p->top9.box[k][2] - p->top9.box[k][0];
        pw[k] = p->top9.box[k][3] - p->top9.box[k][1];
        caps[k] = p->t9_caption[k];
    }
    SDL_Rect g = {a.x, a.y + f->line + 10, a.w, a.h - f->line - 10};
    snprintf(line, sizeof line, "deconvnet projections (grey = 0)%s",
             p->top9.from_cache ? ", scan from the cache" : "");
    viz_draw_top9(r, f, g, in->out.C, (const float *const *)p->t9_proj, (const float *const *)p->t9_patch, ph,
                  pw, caps, p->top9.n, line, "their receptive-field patches");
}

static void occlusion_draw(const Stepper *s, SDL_Renderer *r, const VizFonts *f, SDL_Rect a) {
    const ProbeView *p = &s->probe;
    const Session *ses = &s->ses;
    const EngNode *L = eng_graph_node(ses->graph, p->layer), *in = eng_graph_node(ses->graph, 0);
    char line[512];
    snprintf(line, sizeof line, "occlusion: a %dx%d square of value %.3g at every position (stride %d); "
             "O closes", p->occ.size, p->occ.size, p->occ.grey, p->occ.stride);
    viz_text_fit(r, f->sans, a.x, a.y, a.w, viz_ink(), line);
    viz_text_fit(r, f->small, a.x, a.y + f->line + 2, a.w, viz_dim(),
             "a map pixel is the square with its top-left corner there (Zeiler & Fergus 2014, Fig. 7)");
    char c1[200], c2[200];
    snprintf(c1, sizeof c1, "%s ch %d total (clean %.3g)", L->name, p->channel, p->occ.clean[0]);
    snprintf(c2, sizeof c2, "p(%s) (clean %.3f)",
             ses->labels && p->occ.label >= 0 && p->occ.label < ses->n_labels ? ses->labels[p->occ.label] : "?",
             p->occ.clean[1]);
    const char *caps[4] = {"the image", c1, c2, "most probable class"};
    SDL_Rect g = {a.x, a.y + f->line + f->small_line + 16, a.w, a.h - f->line - f->small_line - 16};
    viz_draw_occlusion(r, f, g, p->occ_img, in->out.C, in->out.H, in->out.W, p->occ.maps, p->occ.OH, p->occ.OW,
                       caps, ses->labels, ses->n_labels);
}

static void gradcam_draw(const Stepper *s, SDL_Renderer *r, const VizFonts *f, SDL_Rect a) {
    const ProbeView *p = &s->probe;
    const Session *ses = &s->ses;
    const EngNode *L = eng_graph_node(ses->graph, p->layer), *in = eng_graph_node(ses->graph, 0);
    char line[512], cls[128], c1[96], c3[160];
    if (ses->labels && p->cam_class < ses->n_labels) snprintf(cls, sizeof cls, "%s", ses->labels[p->cam_class]);
    else snprintf(cls, sizeof cls, "class %d", p->cam_class);
    snprintf(line, sizeof line, "Grad-CAM of %s (no. %d of the top-5, p = %.3f) at %s; A: the next class",
             cls, p->cam_rank + 1, p->cam_prob, L->name);
    viz_text(r, f->sans, a.x, a.y, viz_ink(), line);
    viz_text(r, f->small, a.x, a.y + f->line + 2, viz_dim(),
             "ReLU of the layer's channels weighted by the mean gradient of the class score "
             "(Selvaraju et al. 2017)");
    snprintf(c1, sizeof c1, "the input (%dx%d)", in->out.H, in->out.W);
    snprintf(c3, sizeof c3, "the map at %s's %dx%d", L->name, p->cam_h, p->cam_w);
    VizGradcam v = {p->cam_img, in->out.C, in->out.H, in->out.W, p->cam_map, p->cam_h, p->cam_w, NULL,
                    {c1, "the map upsampled over it", c3, NULL},
                    "Grad-CAM, in units of the class score before softmax"};
    SDL_Rect g = {a.x, a.y + f->line + f->small_line + 16, a.w, a.h - f->line - f->small_line - 16};
    viz_draw_gradcam(r, f, g, &v);
}

void probe_draw(const Stepper *s, SDL_Renderer *r, const VizFonts *f, SDL_Rect a) {
    if (s->probe.kind == PROBE_TOP9) top9_draw(s, r, f, a);
    else if (s->probe.kind == PROBE_GRADCAM) gradcam_draw(s, r, f, a);
    else occlusion_draw(s, r, f, a);
}
#endif
