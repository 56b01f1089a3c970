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

#include "app.h"

#ifdef CONVSCOPE_HAVE_GUI
#include <SDL_image.h>

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
    int filters;          /* show the current layer's filters */
    int help;             /* key overlay */
    EngDataset test;      /* the images N/P browse */
    int sample;
    char weights_note[512];
} Stepper;

static void set_input(Stepper *s);

/* Weights (given, shipped, or seeded random), an input (a test image of the
 * card's dataset, or a grating for colour models), one forward pass. */
static int stepper_init(Stepper *s, const AppOptions *o, int sample) {
    int rc;
    memset(s, 0, sizeof *s);
    s->graph = app_build_model(o, &s->card, &rc);
    if (!s->graph) return rc;
    char path[4096], err[512];
    const char *w = o->weights ? o->weights : model_weights_path(s->card, path, sizeof path);
    const char *data = o->data ? o->data : s->card->weights_data;
    if (s->card->imported && !o->weights) {
        snprintf(s->status, sizeof s->status, "weights from %s", s->card->venue);
    } else if (w && eng_weights_load(s->graph, NULL, w, NULL, 0, err, sizeof err) == 0) {
        snprintf(s->status, sizeof s->status, "trained weights: %s", w);
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
        viz_draw_top5(r, f, s->graph, s->labels, s->n_labels, l.top5);
        if (s->filters) viz_draw_filters(r, f, s->graph, s->current, l.main);
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
    s->graph = NULL;
    s->erf = NULL;
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
enum { JOB_NONE, JOB_INPUT, JOB_ERF };
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
        stepper_erf(w->st);
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
    "usage: convscope render MODEL --out FILE.png [--view featuremaps|filters|summary]\n"
    "                        [--layer NAME] [--unit CHANNEL,Y,X]\n"
    "                        [--weights FILE] [--data digits|fashion|PATH] [--batch N]\n"
    "                        [--input CxHxW]\n"
    "  Draws what the window shows, 1280x800, without a display: the feature maps of\n"
    "  layer NAME (default: the first convolution), its filters, or the layer table.\n"
    "  --unit zooms into a channel and shows that unit's receptive field and effective\n"
    "  receptive field on the input. --batch N picks\n"
    "  test image N as the input. The PNG is written to a temporary name, then renamed.\n";

int app_cmd_render(int argc, char **argv) {
    /* --out, --view and --layer are this command's own; the rest is shared */
    const char *out = NULL, *view = "featuremaps", *layer = NULL, *unit = NULL;
    char *rest[64];
    int nrest = 0;
    for (int i = 0; i < argc && nrest < 63; i++) {
        int own = i > 0 && i + 1 < argc &&
                  (!strcmp(argv[i], "--out") || !strcmp(argv[i], "--view") ||
                   !strcmp(argv[i], "--layer") || !strcmp(argv[i], "--unit"));
        if (own) {
            const char **dst = argv[i][2] == 'o' ? &out : argv[i][2] == 'v' ? &view
                               : argv[i][2] == 'l' ? &layer : &unit;
            *dst = argv[++i];
            continue;
        }
        rest[nrest++] = argv[i];
    }
    rest[nrest] = NULL;
    AppOptions o;
    int help, rc = app_parse(nrest, rest, APP_OPT_INPUT | APP_OPT_WEIGHTS | APP_OPT_DATA | APP_OPT_BATCH,
                             1, render_usage, &o, &help);
    if (rc || help) return rc;
    if (!out) {
        fprintf(stderr, "convscope render: --out FILE.png is required\n");
        return APP_USAGE;
    }
    if (strcmp(view, "featuremaps") && strcmp(view, "summary") && strcmp(view, "filters")) {
        fprintf(stderr, "convscope render: --view takes featuremaps, filters or summary, not '%s'\n",
                view);
        return APP_USAGE;
    }
    int uc = -1, uy = -1, ux = -1;
    if (unit && (sscanf(unit, "%d,%d,%d", &uc, &uy, &ux) != 3 || uc < 0 || uy < 0 || ux < 0)) {
        fprintf(stderr, "convscope render: --unit takes CHANNEL,Y,X (e.g. 3,4,4), not '%s'\n", unit);
        return APP_USAGE;
    }
    Stepper s;
    rc = stepper_init(&s, &o, o.batch);
    if (rc) {
        stepper_free(&s);
        return rc;
    }
    s.table = !strcmp(view, "summary");
    s.filters = !strcmp(view, "filters");
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
        stepper_erf(&s);
    }
    const int W = 1280, H = 800;
    SDL_Surface *surf = SDL_CreateRGBSurfaceWithFormat(0, W, H, 32, SDL_PIXELFORMAT_RGBA32);
    SDL_Renderer *r = surf ? SDL_CreateSoftwareRenderer(surf) : NULL;
    VizFonts fonts = {0};
    char err[512], tmp[4200];
    rc = APP_FAIL;
    if (!r) {
        fprintf(stderr, "convscope render: cannot create a renderer: %s\n", SDL_GetError());
        goto done;
    }
    if (viz_fonts_load(&fonts, 18, err, sizeof err) != 0) {
        fprintf(stderr, "convscope render: %s\n", err);
        goto done;
    }
    stepper_draw(&s, r, &fonts, W, H, 0);
    SDL_RenderPresent(r);
    snprintf(tmp, sizeof tmp, "%s.tmp", out);
    if (IMG_SavePNG(surf, tmp) != 0 || rename(tmp, out) != 0) {
        fprintf(stderr, "convscope render: cannot write %s: %s\n", out, IMG_GetError());
        remove(tmp);
        goto done;
    }
    rc = APP_OK;
done:
    viz_fonts_unload(&fonts);
    if (TTF_WasInit()) TTF_Quit();
    if (r) SDL_DestroyRenderer(r);
    if (surf) SDL_FreeSurface(surf);
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
#endif
