/*
 * gui_compare.c — the state and events of four screens of the window.
 * Compare: a pair of designs (two 3x3 against one 5x5, inception with and
 * without 1x1 reductions...) with sliders for the channels and the size,
 * counted under a chosen convention and timed on this machine. Zoo: every
 * network of the zoo, parameters against operations against single-crop ImageNet
 * val accuracy against latency measured here. The receptive-field chart, and the
 * model picker (the history as a timeline). Building, counting and timing
 * are measure.c's (shared with `convscope compare`); the drawing is viz/'s
 * (viz_compare.c, viz_zoo.c, viz_rf.c): this file hands them its numbers.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef CONVSCOPE_HAVE_GUI
#include "card_text.h"
#include "gui.h"
#include "gui_keys.h"
#include "measure.h"

/* ---- the counting convention ------------------------------------------------------------ */

int gui_count_chips(SDL_Renderer *r, const VizFonts *f, int x, int y, EngCount c, int px, int py) {
    return viz_count_chips(r, f, x, y, c, px, py);
}

void gui_count_toggle(EngCount *c, int k) {
    switch (k) {
    case 0: c->flops = 0; break;
    case 1: c->flops = 1; break;
    case 2: c->bias = !c->bias; break;
    case 3: c->bn = !c->bn; break;
    case 4: c->act = !c->act; break;
    case 5: c->other = !c->other; break;
    default: break;
    }
}

/* ---- compare: state ---------------------------------------------------------------------- */

/* Slider stops: every value a slider can take (sizes the history used). */
static const int ch_stops[] = {1, 3, 8, 16, 24, 32, 48, 64, 96, 128, 160, 192, 256, 384, 512, 768, 1024};
static const int hw_stops[] = {7, 14, 28, 32, 56, 112, 224};
static const int g_stops[] = {1, 2, 4, 8, 16, 32, 64};
#define NSTOPS(a) ((int)(sizeof a / sizeof a[0]))

static const int *stops_of(int k, int *n) {
    if (k < 2) return *n = NSTOPS(ch_stops), ch_stops;
    if (k == 2) return *n = NSTOPS(hw_stops), hw_stops;
    return *n = NSTOPS(g_stops), g_stops;
}

static int *cfg_field(BlockCfg *c, int k) {
    return k == 0 ? &c->cin : k == 1 ? &c->cout : k == 2 ? &c->hw : &c->groups;
}

/* Where value v sits on slider k, 0..1 (between stops when it is not one). */
static double slider_pos(int k, int v) {
    int n;
    const int *s = stops_of(k, &n);
    if (v <= s[0]) return 0.0;
    for (int i = 1; i < n; i++)
        if (v <= s[i]) return (i - 1 + (double)(v - s[i - 1]) / (s[i] - s[i - 1])) / (n - 1);
    return 1.0;
}

static int slider_enabled(const CompareView *c, int k) {
    return k < 3 || !strcmp(model_block_at(c->block)->name, "plain-vs-grouped");
}

/* Both designs of `block` at cfg, built aside, then installed with the
 * block and its sizes in one step under mu (the worker reads block, cfg, g
 * and scratch_gb under it; mu NULL when nothing runs concurrently), gen
 * bumped when the times must be measured again. */
static void rebuild(CompareView *c, pthread_mutex_t *mu, int block, const BlockCfg *cfg_in, int bump) {
    const ModelBlock *b = model_block_at(block);
    const BlockCfg cfg = *cfg_in;
    EngGraph *g[2], *old[2] = {c->g[0], c->g[1]};
    double scratch = 0;
    char why[256];
    c->error[0] = 0;
    char branch[sizeof c->branch] = "";
    AppBranch br;
    for (int s = 0; s < 2; s++) {
        g[s] = app_block_build(b, s, &cfg, why, sizeof why);
        if (!g[s] && !c->error[0])
            snprintf(c->error, sizeof c->error, "%s cannot be built with these sizes: %s",
                     s ? b->b_name : b->a_name, why);
        if (!g[s]) continue;
        const AppBlockSide side = app_block_count(g[s], c->count);
        c->t[s] = side.t;
        c->ops[s] = side.ops;
        c->act[s] = side.act;
        if (side.work_gb > scratch) scratch = side.work_gb;
    }
    if (app_block_branch(b, g, &br, branch, sizeof branch) != 0) branch[0] = 0;
    memcpy(c->branch, branch, sizeof branch);
    if (mu) pthread_mutex_lock(mu);
    c->block = block;
    c->cfg = cfg;
    c->g[0] = g[0], c->g[1] = g[1];
    c->scratch_gb = scratch;
    if (bump) c->gen++;
    if (mu) pthread_mutex_unlock(mu);
    for (int s = 0; s < 2; s++) eng_graph_destroy(old[s]);
}

void compare_rebuild(CompareView *c) { rebuild(c, NULL, c->block, &c->cfg, 0); }

void compare_init(CompareView *c, int block, const BlockCfg *cfg, EngCount count) {
    memset(c, 0, sizeof *c);
    c->block = block >= 0 && block < model_block_count() ? block : 0;
    c->cfg = cfg ? *cfg : model_block_at(c->block)->defaults;
    c->count = count;
    c->drag = -1;
    c->want_runs = 5;
    c->gen = 1;
    compare_rebuild(c);
}

void compare_free(CompareView *c) {
    for (int s = 0; s < 2; s++) eng_graph_destroy(c->g[s]);
    memset(c, 0, sizeof *c);
}

/* ---- compare: drawing -------------------------------------------------------------------- */

/* What the screen shows of c, times aside (they are read under the worker's mutex). */
static VizCompare compare_view(const CompareView *c) {
    const ModelBlock *b = model_block_at(c->block);
    VizCompare v = {.n_blocks = model_block_count(), .block = c->block, .explain = b->explain,
                    .claim = b->claim, .name = {b->a_name, b->b_name}, .g = {c->g[0], c->g[1]},
                    .count = c->count, .t = {c->t[0], c->t[1]}, .ops = {c->ops[0], c->ops[1]},
                    .act = {c->act[0], c->act[1]}, .error = c->error, .note = "",
                    .branch = c->branch, .cin_label = model_block_extra(b)->cin_label,
                    .cout_label = model_block_extra(b)->cout_label};
    for (int i = 0; i < v.n_blocks && i < VIZ_CMP_BLOCKS; i++) v.blocks[i] = model_block_at(i)->name;
    for (int k = 0; k < CMP_SLIDERS; k++) {
        BlockCfg cfg = c->cfg;
        v.slider_value[k] = *cfg_field(&cfg, k);
        v.slider_pos[k] = slider_pos(k, v.slider_value[k]);
        v.slider_on[k] = slider_enabled(c, k);
    }
    return v;
}

void compare_draw(CompareView *c, pthread_mutex_t *mu, SDL_Renderer *r, const VizFonts *f, int w,
                  int h) {
    VizCompare v = compare_view(c);
    char note[sizeof c->time_note];
    if (mu) pthread_mutex_lock(mu);
    v.ms[0] = c->ms[0], v.ms[1] = c->ms[1];
    v.runs_done = c->runs_done, v.runs = c->runs;
    v.fresh = c->done_gen == c->gen;
    memcpy(note, c->time_note, sizeof note);
    if (mu) pthread_mutex_unlock(mu);
    v.note = note;
    viz_draw_compare(r, f, &v, w, h);
}

/* ---- compare: events --------------------------------------------------------------------- */

static int set_slider(BlockCfg *cfg, int k, int px, const SDL_Rect *track) {
    int n;
    const int *s = stops_of(k, &n);
    double t = (double)(px - track->x) / (track->w > 0 ? track->w : 1);
    int i = (int)lround(t * (n - 1));
    if (i < 0) i = 0;
    if (i >= n) i = n - 1;
    int *v = cfg_field(cfg, k);
    if (*v == s[i]) return 0;
    *v = s[i];
    return 1;
}

int compare_event(CompareView *c, pthread_mutex_t *mu, const SDL_Event *e, const VizFonts *f, int w,
                  int h) {
    const VizCompare v = compare_view(c);
    const VizCompareLayout L = viz_compare_layout(&v, f, w, h);
    /* the change is made on copies, installed under mu by rebuild() */
    BlockCfg cfg = c->cfg;
    int block = c->block;
    if (e->type == SDL_MOUSEBUTTONDOWN && e->button.button == SDL_BUTTON_LEFT) {
        SDL_Point p = {e->button.x, e->button.y};
        for (int i = 0; i < L.n_blocks; i++)
            if (SDL_PointInRect(&p, &L.blocks[i])) block = i;
        for (int k = 0; k < CMP_SLIDERS; k++) {
            SDL_Rect grab = {L.slider[k].x - 10, L.slider[k].y - 12, L.slider[k].w + 20, L.slider[k].h + 24};
            if (slider_enabled(c, k) && SDL_PointInRect(&p, &grab)) c->drag = k;
        }
        int chip = gui_count_chips(NULL, f, 24, L.chips_y, c->count, p.x, p.y);
        if (chip >= 0) {
            gui_count_toggle(&c->count, chip);
            rebuild(c, mu, c->block, &c->cfg, 0);
        }
    } else if (e->type == SDL_MOUSEBUTTONUP) {
        c->drag = -1;
    } else if (e->type == SDL_KEYDOWN) {
        int chip;
        const GuiKeyAct k = gui_key_event(KEYS_COMPARE, e, &chip);
        if (k == KEY_ITEM) { /* the chips, numbered from 1 */
            gui_count_toggle(&c->count, chip);
            rebuild(c, mu, c->block, &c->cfg, 0);
        } else if (k == KEY_DOWN || k == KEY_PAGE_DOWN) {
            block = (c->block + 1) % model_block_count();
        } else if (k == KEY_UP || k == KEY_PAGE_UP) {
            block = (c->block + model_block_count() - 1) % model_block_count();
        } else if (k == KEY_ERASE) {
            cfg = model_block_at(c->block)->defaults;
        } else if (k == KEY_ENTER) {
            rebuild(c, mu, c->block, &c->cfg, 1);
            return 1;
        }
    }
    if (c->drag >= 0 && (e->type == SDL_MOUSEBUTTONDOWN || e->type == SDL_MOUSEMOTION))
        set_slider(&cfg, c->drag, e->type == SDL_MOUSEMOTION ? e->motion.x : e->button.x, &L.slider[c->drag]);
    if (block != c->block) cfg = model_block_at(block)->defaults;
    if (block != c->block || memcmp(&cfg, &c->cfg, sizeof cfg) != 0) {
        rebuild(c, mu, block, &cfg, 1);
        return 1;
    }
    return 0;
}

/* ---- compare: timing (worker thread) ---------------------------------------------------- */

/* The measurement's generation: it publishes its progress and stops once
 * the window has moved on (a change of block or size, T, leaving). */
typedef struct {
    CompareView *c;
    pthread_mutex_t *mu;
    unsigned long gen;
} CmpRun;

static int compare_progress(void *ctx, int done, int total) {
    CmpRun *k = ctx;
    pthread_mutex_lock(k->mu);
    const int stale = k->c->gen != k->gen;
    k->c->runs_done = done;
    k->c->runs = total;
    pthread_mutex_unlock(k->mu);
    return stale;
}

void compare_measure(CompareView *c, pthread_mutex_t *mu) {
    pthread_mutex_lock(mu);
    CmpRun run = {c, mu, c->gen};
    const ModelBlock *b = model_block_at(c->block);
    const BlockCfg cfg = c->cfg;
    const int buildable = c->g[0] && c->g[1];
    c->runs_done = c->runs = 0;
    pthread_mutex_unlock(mu);
    double ms[2] = {0, 0};
    char note[160] = "", why[300];
    if (!buildable) {
        snprintf(note, sizeof note, "not timed: the designs cannot be built");
    } else {
        /* past 2 GB a side would page or fail: the guard says so instead */
        const AppTiming tm = {c->want_runs, 1, 2.0};
        const int rc = app_block_time(b, &cfg, &tm, compare_progress, &run, ms, why, sizeof why);
        if (rc == 1) return; /* superseded: the newer measurement publishes */
        if (rc < 0) snprintf(note, sizeof note, "not timed: %.148s", why);
    }
    pthread_mutex_lock(mu);
    if (c->gen == run.gen) {
        c->ms[0] = ms[0], c->ms[1] = ms[1];
        snprintf(c->time_note, sizeof c->time_note, "%s", note);
        c->done_gen = run.gen;
        c->runs = 0;
    }
    pthread_mutex_unlock(mu);
}

/* ---- zoo --------------------------------------------------------------------------------- */

void zoo_recount(ZooView *z, pthread_mutex_t *mu) {
    char why[sizeof z->note], first[sizeof z->note] = "";
    for (int i = 0; i < z->n; i++) {
        AppNetCount nc;
        if (app_net_count(z->card[i], z->count, &nc, why, sizeof why) != 0) {
            if (!first[0]) memcpy(first, why, sizeof first);
            continue;
        }
        if (mu) pthread_mutex_lock(mu); /* zoo_measure orders the models by t[] */
        z->t[i] = nc.t;
        if (mu) pthread_mutex_unlock(mu);
        z->ops[i] = nc.ops;
        z->depth[i] = nc.depth;
        z->paths[i] = nc.paths;
    }
    if (mu) pthread_mutex_lock(mu);
    memcpy(z->note, first, sizeof z->note);
    if (mu) pthread_mutex_unlock(mu);
}

int zoo_init(ZooView *z, const char *only, EngCount count, int runs) {
    memset(z, 0, sizeof *z);
    z->count = count;
    z->runs = runs;
    z->gen = 1;
    if (only) {
        char buf[1024];
        snprintf(buf, sizeof buf, "%s", only);
        for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
            const ModelCard *card = model_find(tok);
            if (!card || card->imported) {
                fprintf(stderr, "convscope render: unknown model '%s' in --models (see 'convscope models')\n", tok);
                return -1;
            }
            if (z->n < ZOO_MAX) z->card[z->n++] = card;
        }
    } else {
        for (int i = 0; i < model_count() && z->n < ZOO_MAX; i++)
            if (!model_at(i)->imported) z->card[z->n++] = model_at(i);
    }
    zoo_recount(z, NULL);
    return 0;
}

/* The zoo measurement's generation, and how many models it has timed. */
typedef struct {
    ZooView *z;
    pthread_mutex_t *mu;
    unsigned long gen;
    int measured;
} ZooRun;

static int zoo_progress(void *ctx, int done, int total) {
    ZooRun *k = ctx;
    (void)done, (void)total;
    pthread_mutex_lock(k->mu);
    const int stale = k->z->gen != k->gen;
    pthread_mutex_unlock(k->mu);
    return stale;
}

/* One model timed: published, unless the window has moved on. */
static int zoo_done(void *ctx, int i, double ms) {
    ZooRun *k = ctx;
    pthread_mutex_lock(k->mu);
    const int stale = k->z->gen != k->gen;
    if (!stale) {
        k->z->ms[i] = ms;
        k->z->measured = ++k->measured;
    }
    pthread_mutex_unlock(k->mu);
    return stale;
}

void zoo_measure(ZooView *z, pthread_mutex_t *mu) {
    pthread_mutex_lock(mu);
    ZooRun run = {z, mu, z->gen, 0};
    const int n = z->n, runs = z->runs;
    int64_t macs[ZOO_MAX]; /* the window may recount t[] meanwhile */
    for (int i = 0; i < n; i++) {
        macs[i] = z->t[i].macs;
        z->ms[i] = 0;
    }
    z->measured = 0;
    z->running = runs > 0;
    pthread_mutex_unlock(mu);
    char why[sizeof z->note] = "";
    const AppTiming tm = {runs, 1, 0};
    const int rc = runs > 0 ? app_zoo_time(z->card, macs, n, &tm, zoo_progress, zoo_done, &run, why,
                                           sizeof why)
                            : 0;
    if (rc == 1) return;
    pthread_mutex_lock(mu);
    if (z->gen == run.gen) {
        z->running = 0;
        if (rc < 0) memcpy(z->note, why, sizeof z->note);
    }
    pthread_mutex_unlock(mu);
}

/* The colour of card k: its family's rank among the cards' families. */
static int family_group(const ModelCard *const *card, int n, int k) {
    int g = 0;
    for (int i = 0; i < n; i++) {
        int first = 1;
        for (int j = 0; j < i && first; j++)
            if (!strcmp(card[j]->family, card[i]->family)) first = 0;
        if (!first) continue;
        if (!strcmp(card[i]->family, card[k]->family)) return g;
        g++;
    }
    return g;
}

void zoo_draw(ZooView *z, pthread_mutex_t *mu, SDL_Renderer *r, const VizFonts *f, int w, int h) {
    VizZooRow rows[ZOO_MAX];
    char note[sizeof z->note];
    VizZoo v = {.rows = rows, .n = z->n, .count = z->count, .x_latency = z->x_latency,
                .runs = z->runs, .note = note};
    if (mu) pthread_mutex_lock(mu);
    for (int k = 0; k < z->n; k++) rows[k].ms = z->ms[k];
    v.measured = z->measured, v.running = z->running;
    memcpy(note, z->note, sizeof note);
    if (mu) pthread_mutex_unlock(mu);
    for (int k = 0; k < z->n; k++) {
        const ModelCard *c = z->card[k];
        rows[k] = (VizZooRow){c->display, c->year, (double)z->t[k].params, (double)z->ops[k],
                              c->val_top1, c->val_top5, rows[k].ms, family_group(z->card, z->n, k)};
    }
    const VizZooLayout L = viz_zoo_layout(f, w, h);
    const int shown = viz_zoo_rows(f, &L, z->n);
    if (z->scroll > z->n - shown) z->scroll = z->n - shown > 0 ? z->n - shown : 0;
    v.scroll = z->scroll;
    viz_draw_zoo(r, f, &v, w, h);
}

int zoo_event(ZooView *z, pthread_mutex_t *mu, const SDL_Event *e, const VizFonts *f, int w, int h) {
    const VizZooLayout L = viz_zoo_layout(f, w, h);
    if (e->type == SDL_MOUSEBUTTONDOWN && e->button.button == SDL_BUTTON_LEFT) {
        SDL_Point p = {e->button.x, e->button.y};
        int chip = gui_count_chips(NULL, f, 24, L.chips_y, z->count, p.x, p.y);
        if (chip >= 0) {
            gui_count_toggle(&z->count, chip);
            zoo_recount(z, mu);
        }
        if (SDL_PointInRect(&p, &L.axis[0])) z->x_latency = 0;
        if (SDL_PointInRect(&p, &L.axis[1])) z->x_latency = 1;
    } else if (e->type == SDL_MOUSEWHEEL) {
        z->scroll -= e->wheel.y * 3;
        if (z->scroll < 0) z->scroll = 0;
    } else if (e->type == SDL_KEYDOWN) {
        int chip;
        const GuiKeyAct k = gui_key_event(KEYS_ZOO, e, &chip);
        if (k == KEY_ITEM) {
            gui_count_toggle(&z->count, chip);
            zoo_recount(z, mu);
        } else if (k == KEY_AXIS) {
            z->x_latency = !z->x_latency;
        } else if (k == KEY_DOWN) {
            z->scroll++;
        } else if (k == KEY_UP) {
            z->scroll = z->scroll > 0 ? z->scroll - 1 : 0;
        } else if (k == KEY_ENTER) {
            return 1;
        }
    }
    return 0;
}

/* ---- receptive fields ------------------------------------------------------------------- */

static const char *const rf_names[RF_NETS] = {"lenet5",    "alexnet",     "zfnet",
                                              "vgg16",     "googlenet",   "resnet50",
                                              "densenet121", "mobilenet_v1", "squeezenet1_0"};
static const int rf_default_on[RF_NETS] = {0, 1, 0, 1, 1, 1, 0, 0, 0};

/* One network's curve: weighted layers on the longest path up to each node,
 * and the field there; one point per depth, the largest field reached at it.
 * -1 when there is no memory for the depths. */
static int rf_add(RfView *v, const ModelCard *card, const EngGraph *g, int on) {
    int nn = eng_graph_node_count(g);
    int *d = malloc((size_t)(nn > 0 ? nn : 1) * sizeof *d);
    if (!d) return -1;
    eng_graph_node_depths(g, d);
    int k = v->n++;
    v->card[k] = card;
    v->on[k] = on;
    v->input[k] = eng_graph_node(g, 0)->out.H;
    for (int j = 0; j < nn; j++) {
        const EngNode *nd = eng_graph_node(g, j);
        if ((nd->flags & ENG_NODE_TRAIN_ONLY) || !nd->rf.finite || nd->op == ENG_OP_INPUT) continue;
        v->final[k] = nd->rf.size > v->final[k] ? nd->rf.size : v->final[k];
        v->final_w[k] = nd->rf.size_w > v->final_w[k] ? nd->rf.size_w : v->final_w[k];
        int p = v->n_pts[k];
        if (p > 0 && v->depth[k][p - 1] == d[j]) {
            if (nd->rf.size > v->size[k][p - 1]) v->size[k][p - 1] = nd->rf.size;
            if (nd->rf.size_w > v->size_w[k][p - 1]) v->size_w[k][p - 1] = nd->rf.size_w;
        } else if (p < RF_POINTS && (p == 0 || d[j] > v->depth[k][p - 1])) {
            v->depth[k][p] = d[j];
            const int64_t ph = p ? v->size[k][p - 1] : 0, pw = p ? v->size_w[k][p - 1] : 0;
            v->size[k][p] = nd->rf.size > ph ? nd->rf.size : ph;
            v->size_w[k][p] = nd->rf.size_w > pw ? nd->rf.size_w : pw;
            v->n_pts[k]++;
        }
    }
    free(d);
    return 0;
}

void rf_init(RfView *v, const ModelCard *extra, const EngGraph *eg) {
    memset(v, 0, sizeof *v);
    int have_extra = 0;
    for (int i = 0; i < RF_NETS; i++) {
        const ModelCard *card = model_find(rf_names[i]);
        app_log_capture(1);
        EngGraph *g = card ? model_build(card, 0, 0, 0) : NULL;
        app_log_capture(0);
        if (!g) {
            if (!v->note[0])
                snprintf(v->note, sizeof v->note, "%s is not drawn: %s", rf_names[i],
                         card ? app_log_last() : "not in the zoo");
            continue;
        }
        int mine = extra && card == extra;
        if (rf_add(v, card, g, rf_default_on[i] || mine) != 0 && !v->note[0])
            snprintf(v->note, sizeof v->note, "%s is not drawn: out of memory", rf_names[i]);
        have_extra |= mine;
        eng_graph_destroy(g);
    }
    if (extra && eg && !have_extra && rf_add(v, extra, eg, 1) != 0 && !v->note[0])
        snprintf(v->note, sizeof v->note, "%s is not drawn: out of memory", extra->name);
}

/* The curves as the chart reads them. */
static int rf_curves(const RfView *v, VizRfCurve *c) {
    for (int k = 0; k < v->n; k++)
        c[k] = (VizRfCurve){v->card[k]->display, v->on[k], v->n_pts[k], v->depth[k], v->size[k],
                            v->final[k], v->input[k], v->size_w[k], v->final_w[k]};
    return v->n;
}

void rf_draw(const RfView *v, SDL_Renderer *r, const VizFonts *f, int w, int h) {
    VizRfCurve c[RF_MAX];
    viz_draw_rf_chart(r, f, c, rf_curves(v, c), v->note, w, h);
}

void rf_event(RfView *v, const SDL_Event *e, const VizFonts *f, int w, int h) {
    (void)w, (void)h;
    if (e->type == SDL_MOUSEBUTTONDOWN && e->button.button == SDL_BUTTON_LEFT) {
        SDL_Point p = {e->button.x, e->button.y};
        VizRfCurve c[RF_MAX];
        const int n = rf_curves(v, c);
        for (int k = 0; k < n; k++) {
            SDL_Rect a = viz_rf_chip(f, c, k);
            if (SDL_PointInRect(&p, &a)) v->on[k] = !v->on[k];
        }
    } else {
        int i;
        if (gui_key_event(KEYS_RF, e, &i) == KEY_ITEM && i < v->n) v->on[i] = !v->on[i];
    }
}

/* ---- the model picker ------------------------------------------------------------------- */

/* The picker as the timeline reads it; group[] gets each card's colour. */
static VizTimeline pick_view(const PickView *p, const ZooView *z, int *group, const char *note) {
    for (int i = 0; i < z->n; i++) group[i] = family_group(z->card, z->n, i);
    VizTimeline t = {z->card, group, z->n, p->sel, 0, 0, 0, note, {0, 0, 0, 0, 0}, NULL};
    if (p->sel >= 0 && p->sel < z->n) {
        t.key_ideas = card_key_ideas(z->card[p->sel], p->lang[0] ? p->lang : "en");
        t.depth = z->depth[p->sel];
        t.paths = z->paths[p->sel];
        t.params = z->t[p->sel].params;
        t.macs = z->t[p->sel].macs;
    }
    return t;
}

void pick_draw(const PickView *p, const ZooView *z, SDL_Renderer *r, const VizFonts *f, int w, int h,
               const char *note) {
    int group[ZOO_MAX];
    const VizTimeline t = pick_view(p, z, group, note);
    viz_draw_timeline(r, f, &t, w, h);
}

/* The first network of the next (later) or previous year after sel's; sel when there is none. */
static int pick_next_year(const ZooView *z, int sel, int later) {
    int y = z->card[sel]->year, best = -1;
    for (int i = 0; i < z->n; i++) {
        int yi = z->card[i]->year;
        if (later ? yi > y : yi < y) {
            if (best < 0 || (later ? yi < z->card[best]->year : yi > z->card[best]->year)) best = i;
        }
    }
    return best >= 0 ? best : sel;
}

int pick_event(PickView *p, const ZooView *z, const SDL_Event *e, const VizFonts *f, int w, int h) {
    (void)h;
    if (e->type == SDL_MOUSEBUTTONDOWN && e->button.button == SDL_BUTTON_LEFT) {
        SDL_Point pt = {e->button.x, e->button.y};
        int group[ZOO_MAX];
        const VizTimeline t = pick_view(p, z, group, NULL);
        for (int i = 0; i < z->n; i++) {
            SDL_Rect a = viz_timeline_chip(f, &t, w, i);
            if (!SDL_PointInRect(&pt, &a)) continue;
            if (i == p->sel) return 1;
            p->sel = i;
        }
    } else {
        const GuiKeyAct k = gui_key_event(KEYS_PICK, e, NULL);
        if (k == KEY_ENTER) return 1;
        if (k == KEY_DOWN && p->sel + 1 < z->n) p->sel++;
        if (k == KEY_UP && p->sel > 0) p->sel--;
        if (k == KEY_NEXT || k == KEY_PREV) p->sel = pick_next_year(z, p->sel, k == KEY_NEXT);
    }
    return 0;
}

#endif
