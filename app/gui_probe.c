/*
 * gui_probe.c — what the zoomed channel responds to (Zeiler and Fergus
 * 2014), in the main panel: T, its nine strongest images in the test set
 * with their deconvnet projections (Fig. 2); O, a grey square slid over the
 * input (Fig. 7); V, the input it likes most, found by gradient ascent
 * (eng_featvis.c), beside its top-9. Computed on the worker with progress
 * and what is found so far; Esc stops it.
 */
#ifdef CONVSCOPE_HAVE_GUI
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stepper.h"

static void top9_free(ProbeView *p) {
    app_top9_free(&p->top9);
    for (int k = 0; k < 9; k++) {
        free(p->t9_proj[k]);
        free(p->t9_patch[k]);
        p->t9_proj[k] = p->t9_patch[k] = NULL;
    }
    p->t9_layer = p->t9_channel = -1;
}

static void featvis_free(ProbeView *p) {
    free(p->fv_img);
    p->fv_img = NULL;
}

void probe_free(ProbeView *p) {
    top9_free(p);
    featvis_free(p);
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

/* ---- what the running probe has so far (ProbeLive) ---- */

/* The worker's side of a probe run: the job's progress, the lock the live
 * results are published under (NULL: none, as in render). */
typedef struct {
    Stepper *s;
    AppProgress progress;
    void *ctx;
    pthread_mutex_t *mu;
    const float *fv_x; /* the visualisation's input as it is being ascended */
    int held;          /* the test hold has been done */
} ProbeRun;

/* Under the lock: live made ready for n images of C x H x W. */
static int live_reserve(ProbeLive *l, int kind, int n, int C, int H, int W) {
    if (l->C != C || l->H != H || l->W != W)
        for (int k = 0; k < 9; k++) free(l->img[k]), l->img[k] = NULL;
    for (int k = 0; k < n; k++)
        if (!l->img[k] && !(l->img[k] = malloc((size_t)C * H * W * sizeof(float)))) {
            l->kind = PROBE_NONE;
            return -1;
        }
    l->kind = kind, l->C = C, l->H = H, l->W = W;
    return 0;
}

static void live_clear(ProbeRun *pr) {
    if (!pr->mu) return;
    pthread_mutex_lock(pr->mu);
    ProbeLive *l = &pr->s->probe.live;
    for (int k = 0; k < 9; k++) free(l->img[k]), l->img[k] = NULL;
    *l = (ProbeLive){0};
    pthread_mutex_unlock(pr->mu);
}

/* top-9 while the test set is scanned: the best nine so far, their images */
static void top9_seen(void *ctx, const AppTop9 *t, int done, int total) {
    ProbeRun *pr = ctx;
    if (!pr->mu) return;
    const Session *ses = &pr->s->ses;
    const EngNode *in = eng_graph_node(ses->graph, 0);
    const int C = in->out.C, H = in->out.H, W = in->out.W;
    pthread_mutex_lock(pr->mu);
    ProbeLive *l = &pr->s->probe.live;
    if (live_reserve(l, PROBE_TOP9, t->n, C, H, W) == 0) {
        for (int k = 0; k < t->n; k++) {
            app_fill_batch(l->img[k], 1, C, H, W, &ses->test, &t->idx[k], 1);
            l->v[k] = t->v[k], l->idx[k] = t->idx[k];
        }
        l->n = t->n, l->done = done, l->total = total;
    }
    pthread_mutex_unlock(pr->mu);
}

/* The job's progress; the visualisation's input every few steps. With
 * CONVSCOPE_HOLD_PROBE set (the window's tests), the probe waits half way
 * until it is cancelled (five minutes at most: a quit waits for the job), so
 * that its progress can be looked at. */
static int probe_progress(void *ctx, int done, int total) {
    ProbeRun *pr = ctx;
    if (pr->fv_x && pr->mu && (done % 5 == 0 || done == total)) {
        const EngNode *in = eng_graph_node(pr->s->ses.graph, 0);
        const int C = in->out.C, H = in->out.H, W = in->out.W;
        pthread_mutex_lock(pr->mu);
        ProbeLive *l = &pr->s->probe.live;
        if (live_reserve(l, PROBE_FEATVIS, 1, C, H, W) == 0) {
            memcpy(l->img[0], pr->fv_x, (size_t)C * H * W * sizeof(float));
            l->n = 1, l->done = done, l->total = total;
        }
        pthread_mutex_unlock(pr->mu);
    }
    if (!pr->progress) return 0;
    int stop = pr->progress(pr->ctx, done, total);
    const char *hold = getenv("CONVSCOPE_HOLD_PROBE");
    if (!stop && hold && *hold && !pr->held && total > 1 && 2 * done >= total) {
        pr->held = 1;
        for (int t = 0; t < 15000 && !(stop = pr->progress(pr->ctx, done, total)); t++)
            nanosleep(&(struct timespec){0, 20000000}, NULL);
    }
    return stop;
}

int probe_has_live(const Stepper *s, pthread_mutex_t *mu) {
    pthread_mutex_lock(mu);
    const int n = s->probe.live.kind ? s->probe.live.n : 0;
    pthread_mutex_unlock(mu);
    return n > 0;
}

int probe_draw_live(const Stepper *s, pthread_mutex_t *mu, SDL_Renderer *r, const VizFonts *f, SDL_Rect a) {
    pthread_mutex_lock(mu);
    const ProbeLive *l = &s->probe.live;
    if (!l->kind || l->n < 1) {
        pthread_mutex_unlock(mu);
        return 0;
    }
    SDL_SetRenderDrawColor(r, 24, 26, 32, 255);
    SDL_RenderFillRect(r, &a);
    char line[200];
    const int pad = 12, top = a.y + pad + f->line + 8;
    if (l->kind == PROBE_FEATVIS) {
        snprintf(line, sizeof line, "the visualisation so far: step %d of %d", l->done, l->total);
        viz_text_fit(r, f->sans, a.x + pad, a.y + pad, a.w - 2 * pad, viz_ink(), line);
        int side = a.h - (top - a.y) - pad;
        if (side > a.w - 2 * pad) side = a.w - 2 * pad;
        if (side > 16)
            viz_draw_planes(r, f, l->img[0], l->C, l->H, l->W, (SDL_Rect){a.x + (a.w - side) / 2, top, side, side}, 0,
                            NULL);
    } else {
        snprintf(line, sizeof line, "the strongest %d so far, %d of %d images scanned", l->n, l->done, l->total);
        viz_text_fit(r, f->sans, a.x + pad, a.y + pad, a.w - 2 * pad, viz_ink(), line);
        const int gap = 10, cap = f->small_line + 4;
        int side = (a.w - 2 * pad - 8 * gap) / 9;
        if (side > a.h - (top - a.y) - pad - cap) side = a.h - (top - a.y) - pad - cap;
        for (int k = 0; k < l->n && side > 8; k++) {
            SDL_Rect t = {a.x + pad + k * (side + gap), top, side, side};
            viz_draw_planes(r, f, l->img[k], l->C, l->H, l->W, t, 0, NULL);
            snprintf(line, sizeof line, "%.3g", l->v[k]);
            viz_text_fit(r, f->small, t.x, t.y + side + 2, side + gap - 2, viz_dim(), line);
        }
    }
    pthread_mutex_unlock(mu);
    return 1;
}

/* ---- the feature visualisation ---- */

static int featvis(Stepper *s, ProbeRun *pr, char *err, size_t errlen) {
    const Session *ses = &s->ses;
    ProbeView *p = &s->probe;
    EngGraph *g = ses->graph;
    if (s->sel.current == 0) {
        snprintf(err, errlen, "the visualisation: step to a layer after the input");
        return -1;
    }
    const EngNode *in = eng_graph_node(g, 0);
    const size_t n = session_input_len(ses);
    p->fv_node = app_featvis_target(g, s->sel.current, &p->fv_scores);
    EngFeatvis fv;
    float lo[3], hi[3];
    app_featvis_range(ses->card, lo, hi);
    eng_featvis_defaults(&fv, lo, hi);
    fv.layer = p->fv_node, fv.channel = s->sel.zoom;
    fv.y = p->fv_y = s->sel.sel_y, fv.x = p->fv_x = s->sel.sel_x;
    fv.steps = p->fv_steps > 0 ? p->fv_steps : PROBE_FEATVIS_STEPS;
    if (p->fv_seed_set) fv.seed = p->fv_seed;
    p->fv_steps = fv.steps, p->fv_seed = fv.seed;
    float *hist = malloc((size_t)fv.steps * sizeof *hist);
    p->fv_img = malloc(n * sizeof *p->fv_img);
    if (!hist || !p->fv_img) {
        free(hist);
        snprintf(err, errlen, "no memory for the visualisation of a %dx%dx%d input", in->out.C, in->out.H,
                 in->out.W);
        return -1;
    }
    eng_graph_enable_grads(g);
    if (eng_graph_plan(g, 1) != 0) {
        free(hist);
        snprintf(err, errlen, "no memory for %s's activations and gradients", ses->card->name);
        return -1;
    }
    pr->fv_x = p->fv_img;
    app_log_capture(1);
    int rc = eng_featvis_run(g, &fv, p->fv_img, hist, probe_progress, pr, err, errlen);
    if (rc == 0) rc = eng_featvis_objective(g, &fv, p->fv_img, &p->fv_obj, NULL, err, errlen);
    app_log_capture(0);
    pr->fv_x = NULL;
    p->fv_start = hist[0];
    free(hist);
    return rc;
}

void probe_run(Stepper *s, AppProgress progress, void *ctx) {
    Session *ses = &s->ses;
    ProbeView *p = &s->probe;
    ProbeRun pr = {s, progress, ctx, s->jobs ? jobs_mutex(s->jobs) : NULL, NULL, 0};
    /* the visualisation is shown beside the channel's top-9: that stays */
    const int keep_top9 = p->kind == PROBE_FEATVIS && p->t9_layer == s->sel.current && p->t9_channel == s->sel.zoom;
    const int t9_layer = p->t9_layer, t9_channel = p->t9_channel;
    if (keep_top9) {
        featvis_free(p);
        free(p->occ.maps), free(p->occ_img), free(p->cam_map), free(p->cam_img);
        p->occ.maps = NULL, p->occ_img = p->cam_map = p->cam_img = NULL;
        p->t9_layer = t9_layer, p->t9_channel = t9_channel;
    } else {
        probe_free(p);
    }
    p->ready = 0;
    live_clear(&pr);
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
        rc = app_top9_run_seen(ses->graph, ses->card, ses->weights_path[0] ? ses->weights_path : NULL,
                               s->sel.current, s->sel.zoom, &ses->test, ENG_RULE_DECONV, 64, &p->top9,
                               probe_progress, &pr, top9_seen, &pr, err, sizeof err);
        if (rc == 0 && top9_crops(s) != 0) snprintf(err, sizeof err, "no memory for the top-9 crops"), rc = -1;
        if (rc == 0) p->t9_layer = s->sel.current, p->t9_channel = s->sel.zoom;
    } else if (p->kind == PROBE_FEATVIS) {
        rc = featvis(s, &pr, err, sizeof err);
    } else {
        rc = occlusion(s, probe_progress, &pr, err, sizeof err);
    }
    live_clear(&pr);
    if (rc == 0) {
        p->ready = 1;
        p->layer = s->sel.current;
        p->channel = s->sel.zoom;
    } else {
        const int kept = p->kind == PROBE_FEATVIS && p->t9_layer >= 0;
        if (kept) featvis_free(p); /* the top-9 shown before stays */
        else probe_free(p);
        p->kind = kept ? PROBE_TOP9 : PROBE_NONE;
        p->ready = kept;
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
    if (k != KEY_TOP9 && k != KEY_OCCLUSION && k != KEY_VISUALIZE) return 0;
    const int kind = k == KEY_TOP9 ? PROBE_TOP9 : k == KEY_OCCLUSION ? PROBE_OCCLUSION : PROBE_FEATVIS;
    if (s->sel.zoom < 0) {
        snprintf(s->ses.msg, sizeof s->ses.msg, "click a map first: %s works on one channel",
                 kind == PROBE_TOP9 ? "top-9" : kind == PROBE_OCCLUSION ? "occlusion" : "the visualisation");
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
    if (s->probe.kind == PROBE_FEATVIS) {
        snprintf(buf, n, "the visualisation: %d steps of gradient ascent on the input", st->total);
        return 1;
    }
    const int top9 = s->probe.kind == PROBE_TOP9;
    snprintf(buf, n, "%s: %d of %d %s",
             top9 ? "top-9, scanning the test set" : "occlusion, trying positions", st->done, st->total,
             top9 ? "images" : "positions");
    return 1;
}

/* each of the top-9's crops: its height, width and caption */
static void top9_sizes(const ProbeView *p, int ph[9], int pw[9], const char *caps[9]) {
    for (int k = 0; k < p->top9.n; k++) {
        ph[k] = p->top9.box[k][2] - p->top9.box[k][0];
        pw[k] = p->top9.box[k][3] - p->top9.box[k][1];
        caps[k] = p->t9_caption[k];
    }
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
    top9_sizes(p, ph, pw, caps);
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

/* The visualisation, beside the channel's top-9 (projections and patches)
 * when it has been computed. */
static void featvis_draw(const Stepper *s, SDL_Renderer *r, const VizFonts *f, SDL_Rect a) {
    const ProbeView *p = &s->probe;
    const Session *ses = &s->ses;
    const EngNode *L = eng_graph_node(ses->graph, p->layer), *in = eng_graph_node(ses->graph, 0);
    char line[512], what[200];
    if (p->fv_scores)
        snprintf(what, sizeof what, "class %d%s%s%s", p->channel, ses->labels && p->channel < ses->n_labels ? " (" : "",
                 ses->labels && p->channel < ses->n_labels ? ses->labels[p->channel] : "",
                 ses->labels && p->channel < ses->n_labels ? ")" : "");
    else if (p->fv_y >= 0)
        snprintf(what, sizeof what, "%s, channel %d, unit (%d, %d)", L->name, p->channel, p->fv_y, p->fv_x);
    else snprintf(what, sizeof what, "%s, channel %d", L->name, p->channel);
    snprintf(line, sizeof line, "%s: the input it likes most, %d steps of gradient ascent (V closes)", what,
             p->fv_steps);
    viz_text_fit(r, f->sans, a.x, a.y, a.w, viz_ink(), line);
    snprintf(line, sizeof line, "%s %.4g at the first step, %.4g at the result  ·  seed %llu  ·  regularised as "
             "Yosinski 2015, Olah 2017", p->fv_scores ? "class score" : "mean activation",
             p->fv_start, p->fv_obj, (unsigned long long)p->fv_seed);
    viz_text_fit(r, f->small, a.x, a.y + f->line + 2, a.w, viz_dim(), line);
    const int head = f->line + f->small_line + 16;
    SDL_Rect g = {a.x, a.y + head, a.w, a.h - head};
    const int with_top9 = p->t9_layer == p->layer && p->t9_channel == p->channel && p->top9.n > 0;
    int side;
    SDL_Rect img;
    if (with_top9) { /* three side by side: projections, patches, the visualisation */
        const int gap = 36, right_w = (g.w - gap) / 4;
        int ph[9], pw[9];
        const char *caps[9];
        top9_sizes(p, ph, pw, caps);
        viz_draw_top9(r, f, (SDL_Rect){g.x, g.y, g.w - gap - right_w, g.h}, in->out.C,
                      (const float *const *)p->t9_proj, (const float *const *)p->t9_patch, ph, pw, caps, p->top9.n,
                      "top-9: deconvnet projections", "their receptive-field patches");
        side = right_w < g.h - f->small_line - 8 ? right_w : g.h - f->small_line - 8;
        img = (SDL_Rect){g.x + g.w - right_w, g.y + f->small_line + 8, side, side};
        snprintf(line, sizeof line, "the visualisation (%dx%dx%d)", in->out.C, in->out.H, in->out.W);
        viz_text_fit(r, f->small, img.x, g.y, right_w, viz_dim(), line);
    } else {
        side = g.w / 2 < g.h - f->small_line - 8 ? g.w / 2 : g.h - f->small_line - 8;
        img = (SDL_Rect){g.x, g.y + f->small_line + 8, side, side};
        snprintf(line, sizeof line, "the visualisation, the input as fed (%dx%dx%d)%s", in->out.C, in->out.H,
                 in->out.W, ses->test.n > 0 ? "; T first puts the top-9 beside it" : "");
        viz_text_fit(r, f->small, g.x, g.y, g.w, viz_dim(), line);
    }
    if (side > 8 && p->fv_img) viz_draw_planes(r, f, p->fv_img, in->out.C, in->out.H, in->out.W, img, 0, NULL);
}

void probe_draw(const Stepper *s, SDL_Renderer *r, const VizFonts *f, SDL_Rect a) {
    if (s->probe.kind == PROBE_TOP9) top9_draw(s, r, f, a);
    else if (s->probe.kind == PROBE_FEATVIS) featvis_draw(s, r, f, a);
    else if (s->probe.kind == PROBE_GRADCAM) gradcam_draw(s, r, f, a);
    else occlusion_draw(s, r, f, a);
}
#endif
