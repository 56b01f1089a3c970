/*
 * gui.c — `convscope view` (the window) and `convscope render` (the same
 * frame drawn into a PNG, no display needed). Per-frame work in one function:
 * poll events, update, draw (SDL's testdrawchessboard.c loop()).
 *
 * The forward stepper: a layer strip across the top, the input as the
 * network sees it and the top-5 classes on the left, every feature map of
 * the current layer in the middle. Tab switches to the layer table.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"

#ifdef CONVSCOPE_HAVE_GUI
#include <SDL_image.h>

#include "canvas.h"
#include "viz.h"

typedef struct {
    const ModelCard *card;
    EngGraph *graph;
    int current;          /* node shown */
    int page;             /* feature-map page */
    int table;            /* show the layer table instead */
    int scroll;           /* table scroll */
    int playing;
    Uint32 last_step;
    char status[512];     /* what the user should know: weights, input */
    char msg[512];        /* the last action's result or error */
    const char *const *labels;
    int n_labels;
    int zoom;             /* channel shown alone, -1 = grid */
    int sel_y, sel_x;     /* selected unit of the zoomed channel, -1 = none */
    float *erf;           /* (H, W) |d unit / d input| summed over channels, or NULL */
    int proj;             /* projection to pixels: 0 off, else 1 + EngProjRule (D cycles) */
    float *proj_map;      /* (C, H, W) of the input, or NULL */
    EngTensor *snaps;     /* filter snapshots taken while training: "step<S>/<layer>.weight" */
    int n_snaps;
    int64_t steps[256];   /* their steps and labels, in order */
    char step_label[256][APP_SNAP_LABEL];
    int n_steps;
    int snap;             /* step shown in the filters view; -1 = the weights as they are */
    int evolution;        /* show every snapshot of the layer's filters at once (E) */
    int filters;          /* show the current layer's filters */
    int help;             /* key overlay */
    EngDataset test;      /* the images N/P browse */
    int sample;
    char weights_note[512];
} Stepper;

static void set_input(Stepper *s);

/* The filter snapshots saved beside weights file w by `convscope train`
 * (NAME.filters.safetensors next to NAME.safetensors), if there are any. */
static void load_snapshots(Stepper *s, const char *w) {
    s->snap = -1;
    char path[4200], meta[8192], err[512];
    app_snapshots_path(w, path, sizeof path);
    if (access(path, R_OK) != 0) return;
    if (eng_tensors_load(path, &s->snaps, &s->n_snaps, meta, sizeof meta, err, sizeof err) != 0) {
        snprintf(s->msg, sizeof s->msg, "filter snapshots unusable: %.400s", err);
        return;
    }
    s->n_steps = app_snapshot_steps(meta, s->steps, s->step_label, 256);
}

/* Snapshot k of the current layer's filters, or NULL if it has none. */
static const float *find_snapshot(const Stepper *s, int k) {
    const EngNode *nd = eng_graph_node(s->graph, s->current);
    if (nd->op != ENG_OP_CONV || k < 0 || k >= s->n_steps) return NULL;
    char name[200];
    app_snapshot_name(name, sizeof name, s->steps[k], nd);
    for (int i = 0; i < s->n_snaps; i++)
        if (!strcmp(s->snaps[i].name, name) && s->snaps[i].n == nd->params[0].n) return s->snaps[i].data;
    return NULL;
}

/* The snapshot of the current layer's filters at the step shown, or NULL. */
static const float *snapshot_of(const Stepper *s, char *when, size_t n) {
    if (s->snap < 0 || s->snap >= s->n_steps || eng_graph_node(s->graph, s->current)->op != ENG_OP_CONV)
        return NULL;
    const float *v = find_snapshot(s, s->snap);
    if (v) {
        if (!strncmp(s->step_label[s->snap], "step", 4))
            snprintf(when, n, "at %s of training  ([ ] to scrub)", s->step_label[s->snap]);
        else
            snprintf(when, n, "at %s (step %lld)  ([ ] to scrub)", s->step_label[s->snap],
                     (long long)s->steps[s->snap]);
        return v;
    }
    snprintf(when, n, "no snapshot of this layer at %s: trained weights shown", s->step_label[s->snap]);
    return NULL;
}

/* Weights (given, shipped, or seeded random), an input (a test image of the
 * card's dataset, or a grating for colour models), one forward pass. */
static int stepper_init(Stepper *s, const AppOptions *o, int sample) {
    int rc;
    memset(s, 0, sizeof *s);
    s->snap = -1;
    s->graph = app_build_model(o, &s->card, &rc);
    if (!s->graph) return rc;
    char path[4096], err[512];
    const char *w = o->weights ? o->weights : model_weights_path(s->card, path, sizeof path);
    const char *data = o->data ? o->data : s->card->weights_data;
    if (s->card->imported && !o->weights) {
        snprintf(s->status, sizeof s->status, "weights from %s", s->card->venue);
    } else if (w && eng_weights_load(s->graph, NULL, w, NULL, 0, err, sizeof err) == 0) {
        snprintf(s->status, sizeof s->status, "trained weights: %s", w);
        load_snapshots(s, w);
    } else {
        if (o->weights) { /* asked for and unusable: say so and stop */
            fprintf(stderr, "convscope: %s\n", err);
            eng_graph_destroy(s->graph);
            s->graph = NULL;
            return APP_FAIL;
        }
        eng_graph_init_params(s->graph, 1);
        snprintf(s->status, sizeof s->status, "random weights (He init, seed 1): no trained "
                                              "weights ship for %s", s->card->name);
    }
    s->labels = app_labels(data, &s->n_labels);
    s->zoom = s->sel_y = s->sel_x = -1;
    /* open on the first convolution: the forward pass is already visible */
    for (int i = 0; i < eng_graph_node_count(s->graph); i++)
        if (eng_graph_node(s->graph, i)->op == ENG_OP_CONV) {
            s->current = i;
            break;
        }
    memcpy(s->weights_note, s->status, sizeof s->weights_note);
    eng_graph_enable_grads(s->graph); /* effective receptive fields need the backward pass */
    if (eng_graph_plan(s->graph, 1) != 0) return APP_FAIL;
    const EngNode *in = eng_graph_node(s->graph, 0);
    if (!(in->out.C == 1 && data && app_load_data(data, NULL, &s->test, "view") == 0))
        eng_dataset_free(&s->test);
    s->sample = sample;
    set_input(s);
    return APP_OK;
}

/* Put test image `sample` (or a grating when there is no dataset) into the
 * input and run the forward pass. */
static void set_input(Stepper *s) {
    const EngNode *in = eng_graph_node(s->graph, 0);
    float *x = eng_graph_input_buffer(s->graph, 0);
    size_t len;
    snprintf(s->status, sizeof s->status, "%s", s->weights_note);
    len = strlen(s->status);
    if (s->test.n > 0) {
        s->sample = ((s->sample % s->test.n) + s->test.n) % s->test.n;
        int idx = s->sample;
        app_fill_batch(x, 1, in->out.C, in->out.H, in->out.W, &s->test, &idx, 1);
        snprintf(s->status + len, sizeof s->status - len, "  ·  input: %s #%d (label %s, N/P for "
                 "others)", s->test.name, idx,
                 s->labels && s->test.labels[idx] < s->n_labels ? s->labels[s->test.labels[idx]] : "?");
    } else {
        /* an oriented grating: edge detectors light up on it */
        for (int c = 0; c < in->out.C; c++)
            for (int y = 0; y < in->out.H; y++)
                for (int xx = 0; xx < in->out.W; xx++)
                    x[((size_t)c * in->out.H + y) * in->out.W + xx] =
                        (((xx + y) / 6) % 2 ? 1.0f : -1.0f) * (c == 1 ? 0.5f : 1.0f);
        snprintf(s->status + len, sizeof s->status - len, "  ·  input: diagonal grating");
    }
    eng_graph_forward(s->graph);
}

/* The effective receptive field of the selected unit (Luo et al. 2016): the
 * gradient of that one activation with respect to every input pixel. */
static void stepper_erf(Stepper *s) {
    free(s->erf);
    s->erf = NULL;
    if (s->zoom < 0 || s->sel_y < 0 || s->sel_x < 0) return;
    EngNode *n = eng_graph_node_mut(s->graph, s->current);
    if (!n->grad) return;
    eng_graph_zero_grads(s->graph);
    n->grad[((size_t)s->zoom * n->out.H + s->sel_y) * n->out.W + s->sel_x] = 1.0f;
    if (eng_graph_backward(s->graph) != 0) {
        snprintf(s->msg, sizeof s->msg, "no effective receptive field through this network");
        return;
    }
    const EngNode *in = eng_graph_node(s->graph, 0);
    size_t hw = (size_t)in->out.H * in->out.W;
    s->erf = calloc(hw, sizeof *s->erf);
    if (!s->erf) return;
    for (int c = 0; c < in->out.C; c++)
        for (size_t i = 0; i < hw; i++) s->erf[i] += fabsf(in->grad[(size_t)c * hw + i]);
}

static const char *const rule_names[] = {"plain gradient (saliency)", "deconvnet (Zeiler & Fergus)",
                                         "guided backprop"};
static const int rule_cycle[4] = {0, 1 + ENG_RULE_DECONV, 1 + ENG_RULE_GUIDED, 1 + ENG_RULE_BACKPROP};

/* The zoomed channel (or its selected unit) projected back to the input. */
static void stepper_project(Stepper *s) {
    free(s->proj_map);
    s->proj_map = NULL;
    if (!s->proj || s->zoom < 0) return;
    if (eng_graph_project(s->graph, s->current, s->zoom, s->sel_y, s->sel_x,
                          (EngProjRule)(s->proj - 1)) != 0) {
        snprintf(s->msg, sizeof s->msg, "no projection through this layer");
        return;
    }
    const EngNode *in = eng_graph_node(s->graph, 0);
    size_t n = (size_t)in->out.C * in->out.H * in->out.W;
    s->proj_map = malloc(n * sizeof *s->proj_map);
    if (s->proj_map) memcpy(s->proj_map, in->grad, n * sizeof *s->proj_map);
}

static void stepper_step(Stepper *s, int to) {
    int n = eng_graph_node_count(s->graph);
    if (to < 0) to = 0;
    if (to >= n) to = n - 1;
    /* training-only branches never run: skip them */
    while (to > 0 && to < n && !eng_graph_node(s->graph, to)->act) to += to > s->current ? 1 : -1;
    if (to >= n || to < 0 || !eng_graph_node(s->graph, to)->act) return;
    s->current = to;
    s->page = 0;
    s->zoom = s->sel_y = s->sel_x = -1;
    free(s->erf);
    s->erf = NULL;
    free(s->proj_map);
    s->proj_map = NULL;
}

/* Layout of one frame (w x h); the same for the window and for render. */
typedef struct {
    SDL_Rect strip, left, input, top5, main, status;
} Layout;

static Layout layout(const VizFonts *f, int w, int h) {
    Layout l;
    int m = 16, strip_h = 2 * f->small_line + 10;
    l.strip = (SDL_Rect){m + 14, m, w - 2 * m - 14, strip_h};
    int top = m + strip_h + m;
    int left_w = w / 4 < 220 ? 220 : w / 4;
    l.left = (SDL_Rect){m, top, left_w, h - top - m - f->small_line};
    l.input = (SDL_Rect){m, top, left_w, left_w + f->small_line + 4};
    l.top5 = (SDL_Rect){m, top + l.input.h + m, left_w, 5 * (f->line + 16) + f->small_line};
    l.main = (SDL_Rect){2 * m + left_w, top, w - 3 * m - left_w, h - top - 2 * m - f->small_line};
    l.status = (SDL_Rect){m, h - m - f->small_line, w - 2 * m, f->small_line};
    return l;
}

static void stepper_draw(const Stepper *s, SDL_Renderer *r, const VizFonts *f, int w, int h,
                         int busy) {
    SDL_SetRenderDrawColor(r, 24, 26, 32, 255);
    SDL_RenderClear(r);
    Layout l = layout(f, w, h);
    SDL_Color dim = {150, 156, 168, 255};
    if (s->table) {
        SDL_Rect area = {24, 16, w - 48, h - 32 - f->small_line};
        viz_draw_summary(r, f, s->card, s->graph, area, s->scroll);
    } else {
        viz_draw_layer_strip(r, f, s->graph, s->current, l.strip);
        if (busy) { /* the worker is writing the activations: show nothing stale */
            SDL_Color ink = {255, 196, 84, 255};
            viz_text(r, f->sans, l.main.x, l.main.y, ink, "computing on the worker thread …");
        }
    }
    if (!s->table && !busy) {
        viz_draw_input(r, f, s->graph, l.input, s->erf, eng_graph_node(s->graph, s->current)->rf,
                       s->sel_y, s->sel_x);
        if (s->proj) { /* the projection takes the place of the top-5 */
            const EngNode *in = eng_graph_node(s->graph, 0);
            char cap[256];
            snprintf(cap, sizeof cap, "projection · %s (D: next)", rule_names[s->proj - 1]);
            if (s->proj_map) {
                SDL_Rect a = l.top5;
                a.h = l.left.y + l.left.h - a.y;
                viz_draw_planes(r, f, s->proj_map, in->out.C, in->out.H, in->out.W, a, 1, cap);
            } else {
                viz_text(r, f->small, l.top5.x, l.top5.y, dim, cap);
                viz_text(r, f->small, l.top5.x, l.top5.y + f->small_line + 4, dim,
                         "click a map to project it");
            }
        } else {
            viz_draw_top5(r, f, s->graph, s->labels, s->n_labels, l.top5);
        }
        if (s->evolution) {
            const float *snaps[257];
            const char *labels[257];
            int n = 0;
            const EngNode *nd = eng_graph_node(s->graph, s->current);
            /* every early step, then epochs 1, 2, 5, 10, 20, 30... and the last, as the
             * paper's figure picks epochs 1, 2, 5, 10, 20, 30, 40, 64 */
            for (int k = 0; k < s->n_steps && nd->op == ENG_OP_CONV; k++) {
                int ep = 0;
                if (sscanf(s->step_label[k], "epoch %d", &ep) == 1 && k != s->n_steps - 1 &&
                    ep != 1 && ep != 2 && ep != 5 && ep % 10 != 0)
                    continue;
                const float *v = find_snapshot(s, k);
                if (v) snaps[n] = v, labels[n++] = s->step_label[k];
            }
            viz_draw_evolution(r, f, s->graph, s->current, l.main, snaps, labels, n);
        } else if (s->filters) {
            char when[128] = "";
            const float *snap = snapshot_of(s, when, sizeof when);
            if (!when[0] && s->n_steps)
                snprintf(when, sizeof when, "trained ([ ] scrub through %d snapshots)", s->n_steps);
            viz_draw_filters(r, f, s->graph, s->current, l.main, snap, when[0] ? when : NULL);
        }
        else viz_draw_fmaps(r, f, s->graph, s->current, l.main, s->page, s->zoom, s->sel_y, s->sel_x);
    }
    if (s->help) {
        static const char *const keys[] = {
            "Left / Right     step to the previous / next layer",
            "Home / End       first / last layer",
            "Space            play the forward pass, layer by layer",
            "click the strip  jump to a layer",
            "click a map      zoom into that channel; click a unit: its receptive field",
            "                 (box) and effective receptive field (heat map) on the input",
            "Esc              back from the zoom; quit from the grid",
            "PgUp / PgDn      page through channels",
            "F                the layer's learned filters",
            "[ / ]            filters view: the filters earlier in training",
            "E                filter evolution: every snapshot of the layer at once",
            "D                project the zoomed map (or unit) back to pixels:",
            "                 deconvnet, guided backprop, gradient, off",
            "N / P            next / previous test image",
            "Tab              layer table (params, MACs, memory, receptive field)",
            "F12              screenshot to PNG",
            "H or F1          this help",
        };
        int bw = 0, tw, th;
        for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
            if (TTF_SizeUTF8(f->mono, keys[i], &tw, &th) == 0 && tw > bw) bw = tw;
        int bh = (int)(sizeof keys / sizeof keys[0]) * f->mono_line + 40;
        bw += 40;
        SDL_Rect box = {(w - bw) / 2, (h - bh) / 2, bw, bh};
        SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_BLEND);
        SDL_SetRenderDrawColor(r, 10, 12, 16, 235);
        SDL_RenderFillRect(r, &box);
        SDL_SetRenderDrawColor(r, 255, 196, 84, 255);
        SDL_RenderDrawRect(r, &box);
        SDL_Color ink = {230, 232, 236, 255};
        for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
            viz_text(r, f->mono, box.x + 20, box.y + 20 + (int)i * f->mono_line, ink, keys[i]);
    }
    char keys[2048];
    if (busy) /* the worker rewrites the status text: show it when done */
        snprintf(keys, sizeof keys, "%s  ·  working …", s->card->display);
    else
        snprintf(keys, sizeof keys, "%s  ·  %s  ·  H help%s%s", s->card->display, s->status,
             s->msg[0] ? "  ·  " : "", s->msg);
    viz_text(r, f->small, l.status.x, l.status.y, dim, keys);
}

static void stepper_free(Stepper *s) {
    eng_graph_destroy(s->graph);
    eng_dataset_free(&s->test);
    free(s->erf);
    free(s->proj_map);
    eng_tensors_free(s->snaps, s->n_snaps);
    s->snaps = NULL;
    s->n_snaps = 0;
    s->graph = NULL;
    s->erf = NULL;
    s->proj_map = NULL;
}

/* F12: the window as it is, to a PNG in the current folder (temp name, then rename). */
static void screenshot(Stepper *s, SDL_Renderer *r, int w, int h) {
    static int n;
    char path[256], tmp[300];
    snprintf(path, sizeof path, "convscope-%s-%d.png", s->card->name, ++n);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    SDL_Surface *surf = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_RGBA32);
    if (surf && SDL_RenderReadPixels(r, NULL, SDL_PIXELFORMAT_RGBA32, surf->pixels, surf->pitch) == 0 &&
        IMG_SavePNG(surf, tmp) == 0 && rename(tmp, path) == 0)
        snprintf(s->msg, sizeof s->msg, "saved %s", path);
    else
        snprintf(s->msg, sizeof s->msg, "screenshot failed: %s", SDL_GetError());
    if (surf) SDL_FreeSurface(surf);
}

/* ---- the window ------------------------------------------------------------------------ */

/* Compute runs here, never on the thread that draws: a VGG-16 forward pass
 * or an effective receptive field takes a fraction of a second, and the
 * window keeps answering meanwhile. While a job runs the window shows no
 * activations (the worker is writing them). */
enum { JOB_NONE, JOB_INPUT, JOB_ERF, JOB_PROJECT }; /* each also redoes the ones after it */
typedef struct {
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int job, busy, quit, started;
    Stepper *st;
} Worker;

static void *worker_main(void *arg) {
    Worker *w = arg;
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (w->job == JOB_NONE && !w->quit) pthread_cond_wait(&w->cv, &w->mu);
        if (w->quit) break;
        int job = w->job;
        pthread_mutex_unlock(&w->mu);
        if (job == JOB_INPUT) set_input(w->st);
        if (job != JOB_PROJECT) stepper_erf(w->st);
        stepper_project(w->st);
        pthread_mutex_lock(&w->mu);
        w->job = JOB_NONE;
        w->busy = 0;
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

static void worker_request(Worker *w, int job) {
    pthread_mutex_lock(&w->mu);
    w->job = job;
    w->busy = 1;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

static int worker_busy(Worker *w) {
    pthread_mutex_lock(&w->mu);
    int b = w->busy;
    pthread_mutex_unlock(&w->mu);
    return b;
}

typedef struct {
    SDL_Window *win;
    SDL_Renderer *ren;
    VizFonts fonts;
    Stepper st;
    Worker wk;
    int running;
} AppGui;

static void gui_frame(AppGui *a) {
    Stepper *s = &a->st;
    int w, h;
    SDL_GetRendererOutputSize(a->ren, &w, &h);
    Layout l = layout(&a->fonts, w, h);
    const int busy = worker_busy(&a->wk);
    SDL_Event e;
    while (SDL_PollEvent(&e)) {
        if (e.type == SDL_QUIT) a->running = 0;
        else if (busy && e.type == SDL_KEYDOWN && e.key.keysym.sym != SDLK_q)
            continue; /* the graph belongs to the worker until it is done */
        else if (busy && e.type != SDL_KEYDOWN) continue;
        else if (e.type == SDL_KEYDOWN) {
            switch (e.key.keysym.sym) {
            case SDLK_ESCAPE:
                if (s->help) s->help = 0;
                else if (s->zoom >= 0) stepper_step(s, s->current);
                else a->running = 0;
                break;
            case SDLK_q: a->running = 0; break;
            case SDLK_h:
            case SDLK_F1: s->help = !s->help; break;
            case SDLK_f: s->filters = !s->filters; break;
            case SDLK_e:
                s->evolution = !s->evolution;
                if (s->evolution && !s->n_steps)
                    snprintf(s->msg, sizeof s->msg, "no filter snapshots for these weights");
                break;
            case SDLK_LEFTBRACKET:
            case SDLK_RIGHTBRACKET:
                if (s->n_steps) { /* -1 (trained) .. n_steps - 1 */
                    int to = s->snap < 0 ? s->n_steps : s->snap;
                    to += e.key.keysym.sym == SDLK_RIGHTBRACKET ? 1 : -1;
                    s->snap = to < 0 ? 0 : (to >= s->n_steps ? -1 : to);
                    s->filters = 1;
                } else {
                    snprintf(s->msg, sizeof s->msg, "no filter snapshots for these weights");
                }
                break;
            case SDLK_d:
                for (int k = 0; k < 4; k++)
                    if (rule_cycle[k] == s->proj) {
                        s->proj = rule_cycle[(k + 1) % 4];
                        break;
                    }
                worker_request(&a->wk, JOB_PROJECT);
                break;
            case SDLK_n:
            case SDLK_p:
                s->sample += e.key.keysym.sym == SDLK_n ? 1 : -1;
                worker_request(&a->wk, JOB_INPUT);
                break;
            case SDLK_F12: screenshot(s, a->ren, w, h); break;
            case SDLK_RIGHT: stepper_step(s, s->current + 1); break;
            case SDLK_LEFT: stepper_step(s, s->current - 1); break;
            case SDLK_HOME: stepper_step(s, 0); break;
            case SDLK_END: stepper_step(s, eng_graph_node_count(s->graph) - 1); break;
            case SDLK_SPACE:
                s->playing = !s->playing;
                s->last_step = SDL_GetTicks();
                break;
            case SDLK_PAGEDOWN:
                if (s->page + 1 < viz_fmap_pages(&a->fonts, s->graph, s->current, l.main)) s->page++;
                break;
            case SDLK_PAGEUP: s->page = s->page > 0 ? s->page - 1 : 0; break;
            case SDLK_TAB: s->table = !s->table; break;
            case SDLK_DOWN: s->scroll++; break;
            case SDLK_UP: s->scroll = s->scroll > 0 ? s->scroll - 1 : 0; break;
            default: break;
            }
        } else if (e.type == SDL_MOUSEBUTTONDOWN && e.button.button == SDL_BUTTON_LEFT) {
            int hit = viz_layer_strip_hit(&a->fonts, s->graph, s->current, l.strip, e.button.x,
                                          e.button.y);
            int ch, uy, ux;
            if (hit >= 0) stepper_step(s, hit);
            else if (!s->table && !s->filters &&
                     viz_fmap_hit(&a->fonts, s->graph, s->current, l.main, s->page, s->zoom,
                                  e.button.x, e.button.y, &ch, &uy, &ux)) {
                if (s->zoom < 0) s->zoom = ch; /* first click zooms, the next picks a unit */
                else s->sel_y = uy, s->sel_x = ux;
                worker_request(&a->wk, JOB_ERF);
            }
        } else if (e.type == SDL_MOUSEWHEEL) {
            if (s->table) s->scroll = s->scroll - e.wheel.y * 3 < 0 ? 0 : s->scroll - e.wheel.y * 3;
            else stepper_step(s, s->current - e.wheel.y);
        }
    }
    if (s->playing && SDL_GetTicks() - s->last_step > 600) { /* the forward pass, layer by layer */
        if (s->current + 1 >= eng_graph_node_count(s->graph)) s->playing = 0;
        else stepper_step(s, s->current + 1);
        s->last_step = SDL_GetTicks();
    }
    int last = eng_graph_node_count(s->graph) - 1;
    if (s->scroll > last) s->scroll = last;
    stepper_draw(s, a->ren, &a->fonts, w, h, worker_busy(&a->wk));
    SDL_RenderPresent(a->ren);
}

static const char view_usage[] =
    "usage: convscope view [MODEL] [--weights FILE] [--data digits|fashion|PATH] [--batch N]\n"
    "                      [--input CxHxW] [--quit-after MS]\n"
    "  Open the visualizer on MODEL (default lenet5, with its trained weights and a\n"
    "  handwritten digit). --batch N picks test image N as the input.\n"
    "  Keys: Left/Right step through the layers, Space plays the forward pass,\n"
    "  Home/End, PgUp/PgDn page through channels, Tab layer table, Esc quits.\n";

int app_cmd_view(int argc, char **argv) {
    AppOptions o;
    int help, rc = app_parse(argc, argv,
                             APP_OPT_INPUT | APP_OPT_QUIT_AFTER | APP_OPT_WEIGHTS | APP_OPT_DATA |
                                 APP_OPT_BATCH,
                             0, view_usage, &o, &help);
    if (rc || help) return rc;
    if (!o.model) o.model = "lenet5";
    AppGui a = {0};
    rc = stepper_init(&a.st, &o, o.batch);
    if (rc) {
        stepper_free(&a.st);
        return rc;
    }
    if (SDL_Init(SDL_INIT_VIDEO) != 0) {
        fprintf(stderr, "convscope view: cannot open a window: %s (is a display available?)\n",
                SDL_GetError());
        stepper_free(&a.st);
        return APP_FAIL;
    }
    char err[256];
    rc = APP_FAIL;
    a.win = SDL_CreateWindow("convscope", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, 1280,
                             800, SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI);
    if (!a.win) {
        fprintf(stderr, "convscope view: cannot create a window: %s\n", SDL_GetError());
        goto done;
    }
    a.ren = SDL_CreateRenderer(a.win, -1, SDL_RENDERER_PRESENTVSYNC);
    if (!a.ren) a.ren = SDL_CreateRenderer(a.win, -1, SDL_RENDERER_SOFTWARE);
    if (!a.ren) {
        fprintf(stderr, "convscope view: cannot create a renderer: %s\n", SDL_GetError());
        goto done;
    }
    if (viz_fonts_load(&a.fonts, 18, err, sizeof err) != 0) {
        fprintf(stderr, "convscope view: %s\n", err);
        goto done;
    }
    a.wk.st = &a.st;
    pthread_mutex_init(&a.wk.mu, NULL);
    pthread_cond_init(&a.wk.cv, NULL);
    if (pthread_create(&a.wk.th, NULL, worker_main, &a.wk) != 0) {
        fprintf(stderr, "convscope view: cannot start the worker thread\n");
        goto done;
    }
    a.wk.started = 1;
    a.running = 1;
    Uint32 start = SDL_GetTicks();
    while (a.running) {
        gui_frame(&a);
        if (o.quit_after_ms && SDL_GetTicks() - start >= (Uint32)o.quit_after_ms) a.running = 0;
        SDL_Delay(1);
    }
    rc = APP_OK;
done:
    if (a.wk.started) { /* let a running job finish, then stop the worker */
        pthread_mutex_lock(&a.wk.mu);
        a.wk.quit = 1;
        pthread_cond_signal(&a.wk.cv);
        pthread_mutex_unlock(&a.wk.mu);
        pthread_join(a.wk.th, NULL);
    }
    viz_fonts_unload(&a.fonts);
    if (TTF_WasInit()) TTF_Quit();
    if (a.ren) SDL_DestroyRenderer(a.ren);
    if (a.win) SDL_DestroyWindow(a.win);
    SDL_Quit();
    stepper_free(&a.st);
    return rc;
}

/* ---- render: the same frame into a PNG ---------------------------------------------------- */

static const char render_usage[] =
    "usage: convscope render MODEL --out FILE.png\n"
    "                        [--view featuremaps|filters|evolution|summary]\n"
    "                        [--layer NAME] [--unit CHANNEL[,Y,X]]\n"
    "                        [--rule deconv|guided|backprop] [--snapshot K]\n"
    "                        [--weights FILE] [--data digits|fashion|PATH] [--batch N]\n"
    "                        [--input CxHxW]\n"
    "  Draws what the window shows, 1280x800, without a display: the feature maps of\n"
    "  layer NAME (default: the first convolution), its filters, their evolution\n"
    "  during training (from the snapshots saved beside the weights), or the layer table.\n"
    "  --unit zooms into a channel and shows that unit's receptive field and effective\n"
    "  receptive field on the input; --rule adds the channel's (or unit's) projection\n"
    "  to pixels (the D key in the window). --snapshot K shows the filters as they\n"
    "  were at the K-th snapshot taken in training ([ and ] in the window). --batch N picks\n"
    "  test image N as the input. The PNG is written to a temporary name, then renamed.\n";

int app_cmd_render(int argc, char **argv) {
    /* --out, --view and --layer are this command's own; the rest is shared */
    const char *out = NULL, *view = "featuremaps", *layer = NULL, *unit = NULL, *rule = NULL,
               *snapshot = NULL;
    static const char *const own[] = {"--out", "--view", "--layer", "--unit", "--rule", "--snapshot"};
    const char **const dst[] = {&out, &view, &layer, &unit, &rule, &snapshot};
    char *rest[64];
    int nrest = app_take_own(argc, argv, own, dst, 6, rest);
    AppOptions o;
    int help, rc = app_parse(nrest, rest, APP_OPT_INPUT | APP_OPT_WEIGHTS | APP_OPT_DATA | APP_OPT_BATCH,
                             1, render_usage, &o, &help);
    if (rc || help) return rc;
    if (!out) {
        fprintf(stderr, "convscope render: --out FILE.png is required\n");
        return APP_USAGE;
    }
    if (strcmp(view, "featuremaps") && strcmp(view, "summary") && strcmp(view, "filters") &&
        strcmp(view, "evolution")) {
        fprintf(stderr, "convscope render: --view takes featuremaps, filters, evolution or summary, "
                        "not '%s'\n", view);
        return APP_USAGE;
    }
    int uc = -1, uy = -1, ux = -1, nu = unit ? sscanf(unit, "%d,%d,%d", &uc, &uy, &ux) : 0;
    if (unit && ((nu != 3 && nu != 1) || uc < 0 || (nu == 3 && (uy < 0 || ux < 0)))) {
        fprintf(stderr, "convscope render: --unit takes CHANNEL,Y,X (e.g. 3,4,4) or CHANNEL, not '%s'\n",
                unit);
        return APP_USAGE;
    }
    int proj = 0;
    EngProjRule pr;
    if (rule) {
        proj = app_parse_rule(rule, &pr) == 0 ? 1 + (int)pr : 0;
        if (!proj || !unit) {
            fprintf(stderr, "convscope render: --rule takes deconv, guided or backprop, with --unit\n");
            return APP_USAGE;
        }
    }
    Stepper s;
    rc = stepper_init(&s, &o, o.batch);
    if (rc) {
        stepper_free(&s);
        return rc;
    }
    s.table = !strcmp(view, "summary");
    s.filters = !strcmp(view, "filters");
    s.evolution = !strcmp(view, "evolution");
    if (snapshot) {
        char *end;
        long k = strtol(snapshot, &end, 10);
        if (*end || end == snapshot || k < 0 || k >= s.n_steps) {
            fprintf(stderr, "convscope render: --snapshot takes 0..%d (the weights have %d filter "
                            "snapshots), not '%s'\n", s.n_steps - 1, s.n_steps, snapshot);
            stepper_free(&s);
            return APP_USAGE;
        }
        s.snap = (int)k;
        s.filters = 1;
    }
    if (layer) {
        int id = eng_graph_find(s.graph, layer);
        if (id < 0 || !eng_graph_node(s.graph, id)->act) {
            fprintf(stderr, "convscope render: %s has no layer '%s' (see 'convscope summary %s')\n",
                    s.card->name, layer, s.card->name);
            stepper_free(&s);
            return APP_USAGE;
        }
        s.current = id;
    } else {
        for (int i = 0; i < eng_graph_node_count(s.graph); i++)
            if (eng_graph_node(s.graph, i)->op == ENG_OP_CONV) {
                s.current = i;
                break;
            }
    }
    if (unit) {
        const EngNode *nd = eng_graph_node(s.graph, s.current);
        if (uc >= nd->out.C || uy >= nd->out.H || ux >= nd->out.W) {
            fprintf(stderr, "convscope render: unit %s is outside %s's %dx%dx%d output\n", unit,
                    nd->name, nd->out.C, nd->out.H, nd->out.W);
            stepper_free(&s);
            return APP_USAGE;
        }
        s.zoom = uc, s.sel_y = uy, s.sel_x = ux;
        s.proj = proj;
        stepper_erf(&s);
        stepper_project(&s);
    }
    AppCanvas cv;
    rc = APP_FAIL;
    if (app_canvas_open(&cv, 1280, 800, "render") == 0) {
        stepper_draw(&s, cv.r, &cv.fonts, cv.w, cv.h, 0);
        if (app_canvas_save(&cv, out, "render") == 0) rc = APP_OK;
    }
    app_canvas_close(&cv);
    stepper_free(&s);
    return rc;
}
/* ---- deconv: a unit or channel projected back to pixels --------------------------------- */

static const char deconv_usage[] =
    "usage: convscope deconv MODEL --layer NAME --channel C --out FILE.png\n"
    "                        [--unit Y,X|max] [--rule deconv|guided|backprop]\n"
    "                        [--image FILE | --input FILE.npy | --batch N]\n"
    "                        [--weights FILE] [--data digits|fashion|PATH] [--npy FILE.npy]\n"
    "  Projects channel C of layer NAME back to pixel space (Zeiler and Fergus 2014):\n"
    "  the layer's activations with all others set to zero go down through the\n"
    "  network, max pooling unpooled by its switches, convolutions transposed.\n"
    "  --unit keeps one unit (max: the strongest); --rule picks what ReLU does on the\n"
    "  way down: deconv (rectify), guided (rectify and mask), backprop (gradient).\n"
    "  The input is test image N of the model's dataset (default 0), an image file\n"
    "  (--image, resized and normalised as the model expects) or a float32 array\n"
    "  fed as is (--input, shape CxHxW or 1xCxHxW). The PNG shows the input and the\n"
    "  projection (grey = 0); --npy writes the projection as float32 (C, H, W).\n";

int app_cmd_deconv(int argc, char **argv) {
    const char *out = NULL, *layer = NULL, *unit = NULL, *rule_s = "deconv", *image = NULL,
               *npy_in = NULL, *npy_out = NULL, *channel_s = NULL;
    static const char *const own[] = {"--out",   "--layer", "--unit", "--rule",
                                      "--image", "--input", "--npy",  "--channel"};
    const char **const dst[] = {&out, &layer, &unit, &rule_s, &image, &npy_in, &npy_out, &channel_s};
    char *rest[64];
    int nrest = app_take_own(argc, argv, own, dst, 8, rest);
    AppOptions o;
    int help, rc = app_parse(nrest, rest, APP_OPT_WEIGHTS | APP_OPT_DATA | APP_OPT_BATCH, 1,
                             deconv_usage, &o, &help);
    if (rc || help) return rc;
    int channel = -1, uy = -1, ux = -1, strongest = 0;
    EngProjRule rule = ENG_RULE_DECONV;
    const int bad_rule = app_parse_rule(rule_s, &rule) != 0;
    if (!layer || !channel_s || (!out && !npy_out)) {
        fprintf(stderr, "convscope deconv: %s is required (see 'convscope deconv --help')\n",
                !layer ? "--layer" : !channel_s ? "--channel" : "--out or --npy");
        return APP_USAGE;
    }
    if (bad_rule) {
        fprintf(stderr, "convscope deconv: --rule takes deconv, guided or backprop, not '%s'\n", rule_s);
        return APP_USAGE;
    }
    char *end;
    long cv = strtol(channel_s, &end, 10);
    if (*end || end == channel_s || cv < 0 || cv > 1000000) {
        fprintf(stderr, "convscope deconv: --channel takes a channel number, not '%s'\n", channel_s);
        return APP_USAGE;
    }
    channel = (int)cv;
    if (unit && !strcmp(unit, "max")) strongest = 1;
    else if (unit && (sscanf(unit, "%d,%d", &uy, &ux) != 2 || uy < 0 || ux < 0)) {
        fprintf(stderr, "convscope deconv: --unit takes Y,X or max, not '%s'\n", unit);
        return APP_USAGE;
    }
    if (image && npy_in) {
        fprintf(stderr, "convscope deconv: give --image or --input, not both\n");
        return APP_USAGE;
    }
    float *given = NULL;
    char err[512];
    if (npy_in && (rc = app_load_npy_input(npy_in, &o, &given, "deconv")) != APP_OK) return rc;
    Stepper s;
    rc = stepper_init(&s, &o, o.batch);
    if (rc) {
        free(given);
        stepper_free(&s);
        return rc;
    }
    rc = APP_USAGE;
    EngGraph *g = s.graph;
    const EngNode *in = eng_graph_node(g, 0);
    const int C = in->out.C, H = in->out.H, W = in->out.W;
    const char *source = s.status;
    char src_buf[600];
    if (given) {
        memcpy(eng_graph_input_buffer(g, 0), given, (size_t)C * H * W * sizeof(float));
        eng_graph_forward(g);
        snprintf(src_buf, sizeof src_buf, "input: %s", npy_in);
        source = src_buf;
    } else if (image) {
        if (app_load_image(image, s.card, eng_graph_input_buffer(g, 0), C, H, W) != 0) {
            rc = APP_FAIL;
            goto done;
        }
        eng_graph_forward(g);
        snprintf(src_buf, sizeof src_buf, "input: %s", image);
        source = src_buf;
    } else if (s.test.n > 0) {
        int lb = s.test.labels[s.sample];
        snprintf(src_buf, sizeof src_buf, "input: %s #%d (%s)", s.test.name, s.sample,
                 s.labels && lb < s.n_labels ? s.labels[lb] : "?");
        source = src_buf;
    } else {
        source = "input: diagonal grating";
    }
    const int id = eng_graph_find(g, layer);
    if (id < 0 || !eng_graph_node(g, id)->act) {
        fprintf(stderr, "convscope deconv: %s has no layer '%s' (see 'convscope summary %s')\n",
                s.card->name, layer, s.card->name);
        goto done;
    }
    const EngNode *L = eng_graph_node(g, id);
    if (channel >= L->out.C || uy >= L->out.H || ux >= L->out.W) {
        fprintf(stderr, "convscope deconv: channel %d, unit %d,%d is outside %s's %dx%dx%d output\n",
                channel, uy, ux, L->name, L->out.C, L->out.H, L->out.W);
        goto done;
    }
    if (strongest) eng_graph_strongest(g, id, channel, &uy, &ux);
    rc = APP_FAIL;
    if (eng_graph_project(g, id, channel, uy, ux, rule) != 0) {
        fprintf(stderr, "convscope deconv: cannot project through %s\n", s.card->name);
        goto done;
    }
    const float *proj = in->grad;
    if (npy_out) {
        int64_t d[3] = {C, H, W};
        if (eng_npy_save(npy_out, d, 3, proj, err, sizeof err) != 0) {
            fprintf(stderr, "convscope deconv: %s\n", err);
            goto done;
        }
    }
    if (out) {
        const int panel = 440, pad = 28, top = 96;
        const int Wd = 2 * panel + 3 * pad, Hd = top + panel + 2 * pad + 24;
        AppCanvas cv;
        int ok = app_canvas_open(&cv, Wd, Hd, "deconv") == 0;
        if (ok) {
            SDL_Renderer *r = cv.r;
            const SDL_Color fg = {235, 235, 235, 255}, dim = {170, 175, 185, 255};
            char line[512];
            snprintf(line, sizeof line, "%s  ·  %s, channel %d", s.card->display, L->name, channel);
            viz_text(r, cv.fonts.sans_big, pad, 12, fg, line);
            if (uy >= 0)
                snprintf(line, sizeof line, "%s  ·  unit (%d, %d)%s, activation %.4g", rule_names[rule],
                         uy, ux, strongest ? ", the strongest" : "",
                         L->act[((size_t)channel * L->out.H + uy) * L->out.W + ux]);
            else
                snprintf(line, sizeof line, "%s  ·  the whole map, other channels zeroed",
                         rule_names[rule]);
            viz_text(r, cv.fonts.sans, pad, 52, dim, line);
            const int cap = cv.fonts.small_line + 4;
            SDL_Rect a = {pad, top, panel, panel + cap}, b = {2 * pad + panel, top, panel, panel + cap};
            viz_draw_planes(r, &cv.fonts, eng_graph_input_buffer(g, 0), C, H, W, a, 0, source);
            viz_draw_planes(r, &cv.fonts, proj, C, H, W, b, 1, "projection (grey = 0)");
            ok = app_canvas_save(&cv, out, "deconv") == 0;
        }
        app_canvas_close(&cv);
        if (!ok) goto done;
    }
    rc = APP_OK;
done:
    free(given);
    stepper_free(&s);
    return rc;
}
#else
int app_cmd_view(int argc, char **argv) {
    (void)argc;
    (void)argv;
    fprintf(stderr, "convscope view: built without the GUI (CONVSCOPE_GUI=OFF)\n");
    return APP_FAIL;
}
int app_cmd_render(int argc, char **argv) {
    (void)argc;
    (void)argv;
    fprintf(stderr, "convscope render: built without the GUI (CONVSCOPE_GUI=OFF)\n");
    return APP_FAIL;
}
int app_cmd_deconv(int argc, char **argv) {
    (void)argc;
    (void)argv;
    fprintf(stderr, "convscope deconv: built without the GUI (CONVSCOPE_GUI=OFF)\n");
    return APP_FAIL;
}
#endif
