/*
 * cmd_render.c — `convscope render`: what the window shows, drawn into a PNG
 * without a display (the same drawing code as the window, on a software
 * renderer): the stepper's views of a model (feature maps, filters, the
 * layer table, 3D, the test set, top-9, occlusion), and the screens that
 * need no model (compare, zoo, receptive fields, the timeline).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"

#ifdef CONVSCOPE_HAVE_GUI
#include <pthread.h>

#include "canvas.h"
#include "measure.h"
#include "gui.h"
#include "gui_basics.h"
#include "gui_train.h"
#include "stepper.h"

static const char render_usage[] =
    "usage: convscope render MODEL --out FILE.png\n"
    "                        [--view featuremaps|filters|evolution|summary|3d|browse|\n"
    "                                top9|occlusion|visualize|history|rf]\n"
    "                        [--layer NAME] [--channel C [--unit Y,X]]\n"
    "                        [--steps N] [--seed S] [--npy IMG.npy]\n"
    "                        [--rule deconv|guided|backprop] [--snapshot K]\n"
    "                        [--weights FILE] [--data digits|fashion|PATH] [--image-index N]\n"
    "                        [--input CxHxW] [--image FILE | --input FILE.npy | --pattern K]\n"
    "                        [--page K]\n"
    "                        [--size WxH] [--present] [--audit [--json]]\n"
    "                        [--preprocess caffe|torchvision|none|card]\n"
    "  Draws what the window shows, without a display, in a window of --size (default\n"
    "  1280x800; the type follows the height as in the window; --present as in\n"
    "  presentation mode, F11): the feature maps of layer NAME (default: the first\n"
    "  convolution; --page K of them when they need several), its filters, their evolution\n"
    "  during training (from the snapshots saved beside the weights), or the layer table.\n"
    "  --channel zooms into a channel, --unit Y,X then shows that unit's receptive field\n"
    "  and effective receptive field on the input (--unit C,Y,X alone says the same);\n"
    "  --rule adds the channel's (or unit's) projection\n"
    "  to pixels (the D key in the window). --snapshot K shows the filters as they\n"
    "  were at the K-th snapshot taken in training ([ and ] in the window). top9 and\n"
    "  occlusion show the channel's nine strongest test images or its occlusion\n"
    "  maps on the input (T and O in the window); visualize the input the channel (its\n"
    "  --unit, or on the output layer the class) likes most, by gradient ascent (V; --steps,\n"
    "  default 100 as in the window, --seed as 'convscope visualize' takes them), beside its\n"
    "  top-9 when there is a test set; --npy writes that input as 'visualize --npy' does.\n"
    "  --image feeds an image file,\n"
    "  --pattern a synthetic pattern (0..6: gratings, edge, checkerboard, spot,\n"
    "  colour blobs; G in the window), --input FILE.npy a float32 (C, H, W) array as\n"
    "  is (no preprocessing; the model is built at its size). --image-index N\n"
    "  picks test image N (from 0) as the input. The PNG is written to a temporary name, then renamed.\n"
    "  --audit prints the layout audit of the picture (every view): how many strings overlap,\n"
    "  are cut by the window's edge or their panel, are set under the smallest readable size\n"
    "  at that height (12 px at 800 high, in proportion above), and how many characters no\n"
    "  font can draw; then one line per problem (--json: all of it, with every string's box).\n"
    "\n"
    "       convscope render --view compare --out FILE.png [--block NAME] [--cin N]\n"
    "                        [--cout N] [--hw N] [--groups G] [--count CONVENTION] [--runs N]\n"
    "       convscope render --view basics --out FILE.png [--preset box|laplacian|sobel-x|sharpen]\n"
    "                        [--kernel K] [--stride S] [--pad P] [--dilation D] [--hw N]\n"
    "                        [--cin N] [--cout N]   (the basics screen in that state)\n"
    "       convscope render --view zoo --out FILE.png [--models A,B,...] [--count CONVENTION]\n"
    "                        [--runs N]\n"
    "       convscope render [NAME] --view rf --out FILE.png [--models A,B,...]\n"
    "       convscope render [NAME] --view history --out FILE.png   (also: timeline)\n"
    "       convscope render EXPERIMENT --view experiment --out FILE.png [--panel K]\n"
    "                        (the shipped quick result of 'convscope experiment run', drawn)\n"
    "       convscope render [MODEL] --view train --out FILE.png [--data digits|fashion] [--steps N]\n"
    "                        (the training screen, J: after N steps of its run, whose weights go\n"
    "                        where the screen says, $XDG_DATA_HOME/convscope/trained/)\n"
    "       convscope render [EXPERIMENT] --view experiments --out FILE.png [--rerun quick|tiny]\n"
    "                        (the experiments screen, Y: the list, EXPERIMENT's shipped plot,\n"
    "                        claim and finding; --rerun runs it again at once as Enter does,\n"
    "                        draws it over the shipped curves and prints its JSON on stdout\n"
    "                        as 'convscope experiment run EXPERIMENT --json' does; with --audit\n"
    "                        the audit is printed instead)\n"
    "  (each also with --size WxH and --present)\n"
    "  The compare screen (C in the window) for block NAME (see 'convscope compare'),\n"
    "  and the zoo screen (Z): every network's parameters, operations, single-crop ImageNet\n"
    "  val accuracy and latency measured now (--runs passes each after a warm-up, default\n"
    "  5 for compare and 3 for the zoo; 0 skips the timing). --count picks the\n"
    "  convention: macs or flops, then ,bias ,bn ,act ,other or ,all. rf draws the\n"
    "  receptive field of AlexNet, VGG-16, GoogLeNet, ResNet-50... layer by layer (R),\n"
    "  NAME among them; history the model picker's timeline (M) with NAME's card.\n";

/* The picture render draws into: the window's size (--size, default
 * 1280x800), its type for that size, presentation mode's (--present). */
typedef struct {
    int w, h, present;
} RenderSize;

/* The command's own flags, beside the shared options. */
typedef struct {
    const char *out, *view, *layer, *unit, *rule, *snapshot, *block, *count, *models, *image,
        *pattern, *size, *page;
    const char *npy;      /* --input FILE.npy */
    const char *preset;   /* --preset (basics: the kernel) */
    AppOptions o;
    RenderSize rs;
    const VizCaption *cap; /* a lesson's slide: the caption under the view (NULL: none) */
    VizFonts capf;         /* its type, open from render_canvas to render_save */
    int capf_open;
    int audit, json;       /* --audit, its report as JSON */
} RenderArgs;

/* A slide's caption type: a thirtieth of the height (36 px at 1080), so that
 * the claim reads from the back of a room; the view gets what is left above,
 * at most 45% of the height taken. The view's height, or -1. */
static int caption_fit(RenderArgs *ra, int w, int h) {
    char err[512];
    int px = h / 30 < 16 ? 16 : h / 30;
    for (;; px = px * 7 / 8) {
        if (viz_fonts_load(&ra->capf, px, err, sizeof err) != 0) {
            fprintf(stderr, "convscope lesson: %s\n", err);
            return -1;
        }
        ra->capf_open = 1;
        int ch = viz_caption_height(&ra->capf, ra->cap, w);
        if (ch <= h * 45 / 100 || px <= 14) return h - (ch < h * 45 / 100 ? ch : h * 45 / 100);
        viz_fonts_unload(&ra->capf);
        ra->capf_open = 0;
    }
}

/* The canvas the view draws on: --size, less the caption of a slide (cv->h
 * is then the view's height; the caption goes under it in render_save). */
static int render_canvas(AppCanvas *cv, RenderArgs *ra) {
    const RenderSize *rs = &ra->rs;
    if (app_canvas_open(cv, rs->w, rs->h, "render") != 0) return -1;
    if (ra->cap) {
        int vh = caption_fit(ra, rs->w, rs->h);
        if (vh < 0) return -1;
        cv->h = vh;
    }
    if (ra->audit) { /* the view's panel: the picture above the caption */
        viz_audit_begin(rs->w, rs->h);
        viz_audit_panel((SDL_Rect){0, 0, cv->w, cv->h});
    }
    /* a slide's view keeps the type of the whole picture's height: the
     * slide is projected at that size, and its small type must read there */
    int px = gui_font_px(ra->cap ? rs->h : cv->h, rs->present);
    if (px != 18) { /* the canvas opens with the type of 1280x800 */
        VizFonts nf;
        char err[512];
        if (viz_fonts_load(&nf, px, err, sizeof err) != 0) {
            fprintf(stderr, "convscope render: %s\n", err);
            return -1;
        }
        viz_fonts_unload(&cv->fonts);
        cv->fonts = nf;
    }
    viz_set_high_contrast(rs->present);
    viz_clear(cv->r);
    return 0;
}

/* The caption of a slide under the view, the audit's report, then the PNG. */
static int render_save(AppCanvas *cv, RenderArgs *ra) {
    const SDL_Rect caption = {0, cv->h, cv->w, ra->rs.h - cv->h};
    if (ra->cap && ra->capf_open) {
        SDL_RenderSetClipRect(cv->r, NULL);
        if (ra->audit) viz_audit_panel(caption);
        viz_draw_caption(cv->r, &ra->capf, ra->cap, caption);
    }
    if (ra->capf_open) viz_fonts_unload(&ra->capf);
    ra->capf_open = 0;
    if (ra->audit) {
        VizAudit a;
        if (viz_audit_end(&a) != 0) {
            fprintf(stderr, "convscope render: out of memory in the layout audit\n");
            viz_audit_free(&a);
            return -1;
        }
        app_audit_print(stdout, &a, ra->view, ra->json);
        viz_audit_free(&a);
    }
    return app_canvas_save(cv, ra->out, "render");
}

/* --size WxH: 0, or -1 after a line on stderr. */
static int parse_size(const char *s, RenderSize *rs) {
    int w, h;
    char x, extra;
    if (sscanf(s, "%d%c%d%c", &w, &x, &h, &extra) != 3 || x != 'x' || w < 640 || w > 7680 || h < 400 ||
        h > 4320) {
        fprintf(stderr, "convscope render: --size takes WIDTHxHEIGHT, 640x400 to 7680x4320 (e.g. 1920x1080), "
                        "not '%s'\n", s);
        return -1;
    }
    rs->w = w, rs->h = h;
    return 0;
}

/* --view compare: block --block at its sizes (--cin --cout --hw --groups),
 * times measured first (runs passes; 0 skips). */
static int render_compare(RenderArgs *ra, EngCount cnt, int runs) {
    const AppOptions *o = &ra->o;
    int bi = 0;
    if (ra->block) {
        const ModelBlock *b = model_block_find(ra->block);
        if (!b) {
            fprintf(stderr, "convscope render: unknown block '%s' (run 'convscope compare' for the "
                            "list)\n", ra->block);
            return APP_USAGE;
        }
        while (model_block_at(bi) != b) bi++;
    }
    if (!app_block_hw_ok(o, "render")) return APP_USAGE;
    BlockCfg c = app_block_cfg(model_block_at(bi), o);
    CompareView cmp;
    compare_init(&cmp, bi, &c, cnt);
    if (cmp.error[0]) {
        fprintf(stderr, "convscope render: %s\n", cmp.error);
        compare_free(&cmp);
        return APP_USAGE;
    }
    cmp.want_runs = runs;
    pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    if (runs > 0) {
        compare_measure(&cmp, &mu);
    } else {
        snprintf(cmp.time_note, sizeof cmp.time_note, "not timed (--runs 0)");
        cmp.done_gen = cmp.gen;
    }
    AppCanvas cv;
    int rc = APP_FAIL;
    if (render_canvas(&cv, ra) == 0) {
        compare_draw(&cmp, NULL, cv.r, &cv.fonts, cv.w, cv.h);
        if (render_save(&cv, ra) == 0) rc = APP_OK;
    }
    app_canvas_close(&cv);
    compare_free(&cmp);
    return rc;
}

/* --view zoo: every network (or --models), times measured first. */
static int render_zoo(RenderArgs *ra, EngCount cnt, int runs) {
    ZooView *z = malloc(sizeof *z);
    if (!z) {
        fprintf(stderr, "convscope render: out of memory\n");
        return APP_FAIL;
    }
    if (zoo_init(z, ra->models, cnt, runs) != 0) {
        free(z);
        return APP_USAGE;
    }
    if (z->runs > 0) {
        fprintf(stderr, "render: timing %d networks at batch 1 (%d passes each) …\n", z->n, z->runs);
        pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
        zoo_measure(z, &mu);
    }
    AppCanvas cv;
    int rc = APP_FAIL;
    if (render_canvas(&cv, ra) == 0) {
        zoo_draw(z, NULL, cv.r, &cv.fonts, cv.w, cv.h);
        if (render_save(&cv, ra) == 0) rc = APP_OK;
    }
    app_canvas_close(&cv);
    free(z);
    return rc;
}

/* ---- the screens without a model ------------------------------------------------------- */

/* --view timeline: the model picker, on --models NAME or the first. */
static int render_timeline(RenderArgs *ra) {
    const char *models = ra->models;
    ZooView *z = malloc(sizeof *z);
    AppCanvas cv;
    int rc = APP_FAIL;
    if (z && zoo_init(z, NULL, (EngCount){0}, 0) == 0) {
        PickView p = {0};
        if (ra->o.lang) snprintf(p.lang, sizeof p.lang, "%s", ra->o.lang); /* the card's words (English by default) */
        for (int i = 0; models && i < z->n; i++)
            if (!strcmp(z->card[i]->name, models)) p.sel = i + 1;
        if (models && !p.sel) {
            const size_t ml = strlen(models);
            if (ml > 5 && !strcmp(models + ml - 5, ".onnx"))
                fprintf(stderr, "convscope render: the timeline shows the zoo's networks; '%s' is "
                        "a file (its views: summary, featuremaps, filters, rf, 3d...)\n", models);
            else
                fprintf(stderr, "convscope render: unknown model '%s' (see 'convscope models')\n", models);
            free(z);
            return APP_USAGE;
        }
        p.sel = p.sel ? p.sel - 1 : 0;
        if (render_canvas(&cv, ra) == 0) {
            pick_draw(&p, z, cv.r, &cv.fonts, cv.w, cv.h, NULL);
            if (render_save(&cv, ra) == 0) rc = APP_OK;
        }
        app_canvas_close(&cv);
    } else if (!z) {
        fprintf(stderr, "convscope render: out of memory\n");
    }
    free(z);
    return rc;
}

/* --view rf: MODEL drawn with the classic ones (added to them when it is
 * not one: an imported file, another zoo network); --models: those drawn. */
static int render_rf(RenderArgs *ra) {
    RfView *v = malloc(sizeof *v);
    AppCanvas cv;
    int rc = APP_FAIL;
    if (!v) {
        fprintf(stderr, "convscope render: out of memory\n");
        return APP_FAIL;
    }
    if (render_canvas(&cv, ra) == 0) {
        const ModelCard *mc = NULL;
        EngGraph *mg = NULL;
        if (ra->o.model) {
            int code = APP_OK;
            mg = app_build_model(&ra->o, &mc, &code);
            if (!mg) {
                app_canvas_close(&cv);
                free(v);
                return code;
            }
        }
        rf_init(v, mc, mg);
        eng_graph_destroy(mg);
        for (int k = 0; ra->models && k < v->n; k++) { /* the networks named, in the chart's list */
            char want[256], me[80];
            snprintf(want, sizeof want, ",%s,", ra->models);
            snprintf(me, sizeof me, ",%s,", v->card[k]->name);
            v->on[k] = strstr(want, me) != NULL;
        }
        rf_draw(v, cv.r, &cv.fonts, cv.w, cv.h);
        if (render_save(&cv, ra) == 0) rc = APP_OK;
    }
    app_canvas_close(&cv);
    free(v);
    return rc;
}

/* --view compare | zoo, after --runs (0..16; default 3 for the zoo, 5 for
 * compare) and --count; neither takes a model. */
static int render_bench(RenderArgs *ra) {
    int runs = !strcmp(ra->view, "zoo") ? 3 : 5;
    if (ra->o.runs_set) runs = ra->o.runs;
    EngCount cnt = {0};
    if (ra->count && eng_count_parse(ra->count, &cnt) != 0) {
        fprintf(stderr, "convscope render: --count takes macs or flops, then any of ,bias ,bn ,act "
                        ",other or ,all (e.g. flops,all), not '%s'\n", ra->count);
        return APP_USAGE;
    }
    const int compare = !strcmp(ra->view, "compare");
    if (ra->o.model) {
        fprintf(stderr, "convscope render: --view %s takes no model (%s)\n", ra->view,
                compare ? "pick the pair with --block" : "pick networks with --models");
        return APP_USAGE;
    }
    return compare ? render_compare(ra, cnt, runs) : render_zoo(ra, cnt, runs);
}

/* The basics screen's settings from --kernel, --stride, --pad, --dilation,
 * --hw, --cin and --cout, within the ranges its keys reach (the screen edits
 * kernels up to 5x5 and draws a square picture of 5..64 pixels); 0 after a
 * line on stderr. */
static int basics_settings(const AppOptions *o, BasicsView *b) {
    struct {
        const char *flag;
        int given, v, lo, hi, *to;
    } f[] = {
        {"--kernel", o->basics_k, o->basics_k, 1, APP_BASICS_KMAX, &b->s.K},
        {"--stride", o->basics_s, o->basics_s, 1, 8, &b->s.S},
        {"--pad", o->basics_p > 0, o->basics_p, 0, 16, &b->s.P},
        {"--dilation", o->basics_d, o->basics_d, 1, 8, &b->s.D},
        {"--hw", o->hw, o->hw, 5, BASICS_IMG_MAX, &b->s.W},
        {"--cin", o->cin, o->cin, 1, 8192, &b->s.cin},
        {"--cout", o->cout, o->cout, 1, 8192, &b->s.cout},
    };
    if (o->hw && o->hw != o->hw_w) {
        fprintf(stderr, "convscope render: the basics screen draws a square picture: --hw takes one "
                        "number, 5..%d (convscope basics takes HxW)\n", BASICS_IMG_MAX);
        return 0;
    }
    for (size_t k = 0; k < sizeof f / sizeof *f; k++) {
        if (!f[k].given) continue;
        if (f[k].v < f[k].lo || f[k].v > f[k].hi) {
            fprintf(stderr, "convscope render: on the basics screen %s takes %d..%d, not %d (convscope "
                            "basics works out any size)\n", f[k].flag, f[k].lo, f[k].hi, f[k].v);
            return 0;
        }
        *f[k].to = f[k].v;
    }
    b->s.H = b->s.W;
    return 1;
}

/* --view basics: the basics screen (a 3x3 box blur on the synthetic picture,
 * the formulas, the 1x1 convolution), or the state --preset and
 * basics_settings' flags put it in. */
static int render_basics(RenderArgs *ra) {
    if (ra->o.model) {
        fprintf(stderr, "convscope render: --view basics takes no model (it works out one convolution)\n");
        return APP_USAGE;
    }
    BasicsView *b = malloc(sizeof *b);
    if (!b) {
        fprintf(stderr, "convscope render: out of memory\n");
        return APP_FAIL;
    }
    basics_init(b);
    if (!basics_settings(&ra->o, b)) {
        free(b);
        return APP_USAGE;
    }
    if (ra->preset) { /* the kernel slid, as the window's keys pick it */
        static const char *const presets[] = {"box", "laplacian", "sobel-x", "sharpen"};
        for (int k = 0; k < (int)(sizeof presets / sizeof *presets); k++)
            if (!strcmp(ra->preset, presets[k])) b->preset = (AppKernelPreset)k;
    }
    app_kernel_preset(b->preset, b->s.K, b->kernel);
    b->uy = b->ux = -1; /* the middle of the new output */
    basics_compute(b);
    AppCanvas cv;
    int rc = APP_FAIL;
    if (render_canvas(&cv, ra) == 0) {
        VizBasics v;
        basics_viz(b, &v);
        viz_draw_basics(cv.r, &cv.fonts, &v, cv.w, cv.h);
        if (render_save(&cv, ra) == 0) rc = APP_OK;
    }
    app_canvas_close(&cv);
    free(b);
    return rc;
}

/* --view experiment: NAME's shipped quick result (assets/experiments/NAME.quick.json)
 * drawn as its figure, every chart or --panel K alone. */
static int render_experiment(RenderArgs *ra) {
    char err[600], foot[300];
    if (!ra->o.model) {
        fprintf(stderr, "convscope render: --view experiment needs the experiment's name "
                        "(e.g. 'convscope render degradation --view experiment --out x.png')\n");
        return APP_USAGE;
    }
    ExpResult res;
    if (exp_load_shipped(ra->o.model, &res, err, sizeof err) != 0) {
        fprintf(stderr, "convscope render: %s\n", err);
        return APP_USAGE;
    }
    int panel = -1;
    if (ra->o.panel) {
        char *end;
        long k = strtol(ra->o.panel, &end, 10);
        if (!*ra->o.panel || *end || k < 0 || k >= res.n_panels) {
            fprintf(stderr, "convscope render: --panel takes 0..%d for %s, not '%s'\n", res.n_panels - 1,
                    ra->o.model, ra->o.panel);
            exp_result_free(&res);
            return APP_USAGE;
        }
        panel = (int)k;
    }
    snprintf(foot, sizeof foot, "the shipped quick run (assets/experiments/%s.quick.json), drawn from its numbers",
             ra->o.model);
    AppCanvas cv;
    int rc = APP_FAIL;
    if (render_canvas(&cv, ra) == 0) {
        exp_draw_figure(cv.r, &cv.fonts, &res, panel, (SDL_Rect){0, 0, cv.w, cv.h}, foot);
        if (render_save(&cv, ra) == 0) rc = APP_OK;
    }
    app_canvas_close(&cv);
    exp_result_free(&res);
    return rc;
}

/* --view train: the training screen on MODEL (default lenet5) and --data
 * (digits or fashion), as it opens, or after --steps N of training run here
 * by the screen's own run (the weights written where the screen says). */
static int render_train(RenderArgs *ra) {
    TrainGui *t = malloc(sizeof *t);
    if (!t) {
        fprintf(stderr, "convscope render: out of memory\n");
        return APP_FAIL;
    }
    train_gui_init(t);
    int model = -1, data = -1, rc = APP_OK;
    for (int i = 0; i < t->n_models; i++)
        if (!strcmp(t->models[i]->name, ra->o.model ? ra->o.model : "lenet5")) model = i;
    static const char *const sets[] = {"digits", "fashion"};
    for (int k = 0; k < 2; k++)
        if (!strcmp(sets[k], ra->o.data ? ra->o.data : "digits")) data = k;
    if (model < 0 || data < 0) {
        fprintf(stderr, "convscope render: --view train trains %s on digits or fashion, not %s on %s\n",
                "lenet5, its variants or a *_mini model", ra->o.model ? ra->o.model : "lenet5",
                ra->o.data ? ra->o.data : "digits");
        rc = APP_USAGE;
    }
    if (rc == APP_OK) {
        train_gui_choose(t, model, data, t->epochs);
        if (ra->o.steps > 0) {
            t->steps = ra->o.steps;
            if (train_gui_run_here(t) != APP_OK) rc = APP_FAIL;
            else fprintf(stderr, "trained weights: %s\n", t->out);
        }
    }
    AppCanvas cv;
    if (rc == APP_OK) {
        rc = APP_FAIL;
        if (render_canvas(&cv, ra) == 0) {
            train_draw(t, cv.r, &cv.fonts, cv.w, cv.h, "");
            if (render_save(&cv, ra) == 0) rc = APP_OK;
        }
        app_canvas_close(&cv);
    }
    train_gui_free(t);
    free(t);
    return rc;
}

/* --view experiments: the window's experiments screen, EXPERIMENT chosen
 * (default the first); --rerun makes the screen's run at once. */
static int render_experiments(RenderArgs *ra) {
    ExpScreen v;
    exps_init(&v);
    if (ra->o.model) {
        int k = -1;
        for (int i = 0; i < exp_count(); i++)
            if (!strcmp(exp_at(i)->name, ra->o.model)) k = i;
        if (k < 0) {
            fprintf(stderr, "convscope render: no experiment '%s' (see 'convscope experiment list')\n", ra->o.model);
            exps_free(&v);
            return APP_USAGE;
        }
        exps_select(&v, k);
    }
    int rc = APP_OK;
    if (ra->o.rerun) {
        if (exps_rerun_begin(&v, NULL, !strcmp(ra->o.rerun, "tiny")) != 0) {
            fprintf(stderr, "convscope render: %s\n", v.msg);
            rc = APP_USAGE;
        } else {
            exps_rerun(&v, NULL, NULL, NULL, NULL);
            if (v.state != EXPS_DONE) {
                fprintf(stderr, "convscope render: the run of %s failed\n", exp_at(v.sel)->name);
                rc = APP_FAIL;
            } else {
                fprintf(stderr, "convscope render: rerun of %s: %s\n", exp_at(v.sel)->name, v.verdict);
                if (!ra->audit) exp_write_json(stdout, &v.rerun, "convscope render --view experiments --rerun", 1,
                                               v.threads);
            }
        }
    }
    AppCanvas cv;
    if (rc == APP_OK) {
        rc = APP_FAIL;
        if (render_canvas(&cv, ra) == 0) {
            exps_draw(&v, NULL, cv.r, &cv.fonts, cv.w, cv.h);
            if (render_save(&cv, ra) == 0) rc = APP_OK;
        }
        app_canvas_close(&cv);
    }
    exps_free(&v);
    exp_data_free();
    return rc;
}


static const struct {
    const char *view;
    int (*render)(RenderArgs *ra);
} screens[] = {
    {"experiments", render_experiments},
    {"train", render_train},
    {"experiment", render_experiment},
    {"timeline", render_timeline},
    {"rf", render_rf},
    {"compare", render_bench},
    {"zoo", render_bench},
    {"basics", render_basics},
};

/* ---- the stepper's views of a model ---------------------------------------------------- */

static void view_summary(Stepper *s) { s->sel.table = 1; }
static void view_3d(Stepper *s) { s->v3d.on = 1; }
static void view_browse(Stepper *s) { s->browse.on = 1; }
static void view_filters(Stepper *s) { s->filt.on = 1; }
static void view_evolution(Stepper *s) { s->filt.evolution = 1; }

static const struct {
    const char *view;
    void (*set)(Stepper *s); /* NULL: the maps */
    int probe;               /* PROBE_NONE, or the probe of --channel */
} stepper_views[] = {
    {"featuremaps", NULL, PROBE_NONE},   {"summary", view_summary, PROBE_NONE},
    {"filters", view_filters, PROBE_NONE}, {"evolution", view_evolution, PROBE_NONE},
    {"3d", view_3d, PROBE_NONE},         {"browse", view_browse, PROBE_NONE},
    {"top9", NULL, PROBE_TOP9},          {"occlusion", NULL, PROBE_OCCLUSION},
    {"visualize", NULL, PROBE_FEATVIS},
};

/* The unit asked for: --channel C [--unit Y,X], as deconv takes them, or
 * --unit C[,Y,X] alone. -1 where none; APP_OK or APP_USAGE. */
static int parse_unit(const RenderArgs *ra, int *uc, int *uy, int *ux) {
    const char *unit = ra->unit;
    *uc = *uy = *ux = -1;
    if (ra->o.channel_set) {
        int yx[2] = {-1, -1}, nu = unit ? eng_parse_int_list(unit, 0, 1000000, yx, 2) : 0;
        *uy = yx[0], *ux = yx[1];
        if (unit && nu != 2) {
            fprintf(stderr, "convscope render: with --channel, --unit takes Y,X (e.g. 4,4; each "
                            "0..1000000), not '%s'\n", unit);
            return APP_USAGE;
        }
        *uc = ra->o.channel;
    } else if (unit) {
        int cyx[3] = {-1, -1, -1}, nu = eng_parse_int_list(unit, 0, 1000000, cyx, 3);
        *uc = cyx[0], *uy = cyx[1], *ux = cyx[2];
        if (nu != 3 && nu != 1) {
            fprintf(stderr, "convscope render: --unit takes CHANNEL,Y,X (e.g. 3,4,4) or CHANNEL, or Y,X "
                            "with --channel, not '%s'\n", unit);
            return APP_USAGE;
        }
    }
    return APP_OK;
}

/* --rule (1 + EngProjRule, 0 without) and --pattern (-1 without). */
static int parse_rule_pattern(const RenderArgs *ra, int has_channel, int *proj, int *pat) {
    EngProjRule pr;
    *proj = 0, *pat = -1;
    if (ra->rule) {
        *proj = app_parse_rule(ra->rule, &pr) == 0 ? 1 + (int)pr : 0;
        if (!*proj || !has_channel) {
            fprintf(stderr, "convscope render: --rule takes deconv, guided or backprop, with --channel\n");
            return APP_USAGE;
        }
    }
    if (!ra->pattern) return APP_OK;
    for (int k = 0; k < app_pattern_count(); k++)
        if (!strcmp(ra->pattern, app_pattern_name(k))) *pat = k;
    char *end;
    long v = strtol(ra->pattern, &end, 10);
    if (*pat < 0 && !*end && end != ra->pattern && v >= 0 && v < app_pattern_count()) *pat = (int)v;
    if (*pat < 0 || ra->image || ra->npy) {
        fprintf(stderr, "convscope render: --pattern takes 0..%d or a name ('%s', ...), without "
                        "--image or an array\n", app_pattern_count() - 1, app_pattern_name(0));
        return APP_USAGE;
    }
    return APP_OK;
}

/* The model with its weights and the input asked for (--image, an array,
 * --pattern K). */
static int open_model(RenderArgs *ra, Stepper *s, int pat) {
    float *given = NULL;
    int rc = session_load_npy_arg(ra->npy, ra->image, &ra->o, &given, "render");
    if (rc != APP_OK) return rc;
    rc = stepper_open(s, &ra->o, ra->o.image_index);
    if (!rc)
        rc = app_check_image_index(&ra->o, &s->ses.test, ra->o.data ? ra->o.data : s->ses.card->weights_data,
                                   ra->image ? "--image" : ra->npy ? "--input" : pat >= 0 ? "--pattern" : NULL,
                                   "render");
    if (!rc && ra->image && session_use_image(&s->ses, ra->image, "render") != 0) rc = APP_FAIL;
    if (!rc && given) session_use_array(&s->ses, given, ra->npy);
    free(given);
    if (rc) return rc;
    if (pat >= 0) {
        s->ses.source = SRC_PATTERN;
        s->ses.pattern = pat;
        session_set_input(&s->ses);
    }
    return APP_OK;
}

/* --snapshot K and --layer NAME. */
static int select_layer(const RenderArgs *ra, Stepper *s) {
    const Session *ses = &s->ses;
    if (ra->snapshot) {
        char *end;
        long k = strtol(ra->snapshot, &end, 10);
        if (ses->n_steps < 1) {
            fprintf(stderr, "convscope render: --snapshot: these weights have no filter snapshots "
                            "(no <name>.filters.safetensors beside them)\n");
            return APP_USAGE;
        }
        if (*end || end == ra->snapshot || k < 0 || k >= ses->n_steps) {
            fprintf(stderr, "convscope render: --snapshot takes 0..%d (the weights have %d filter "
                            "snapshots), not '%s'\n", ses->n_steps - 1, ses->n_steps, ra->snapshot);
            return APP_USAGE;
        }
        s->filt.snap = (int)k;
        s->filt.on = 1;
    }
    if (!ra->layer) {
        s->sel.current = session_first_conv(ses);
        return APP_OK;
    }
    int id = eng_graph_find(ses->graph, ra->layer);
    if (id < 0 || !eng_graph_node(ses->graph, id)->act) {
        fprintf(stderr, "convscope render: %s has no layer '%s' (see 'convscope summary %s')\n",
                ses->card->name, ra->layer, ses->card->name);
        return APP_USAGE;
    }
    s->sel.current = id;
    return APP_OK;
}

/* Zoom into channel uc (unit uy, ux), its fields, projection and probe (the
 * visualisation after the channel's top-9, which it is drawn beside, when
 * there is a test set). */
static int select_unit(const RenderArgs *ra, Stepper *s, int uc, int uy, int ux, int proj, int probe) {
    const EngNode *nd = eng_graph_node(s->ses.graph, s->sel.current);
    if (uc >= nd->out.C || uy >= nd->out.H || ux >= nd->out.W) {
        char what[64];
        if (uy >= 0) snprintf(what, sizeof what, "channel %d, unit (%d, %d)", uc, uy, ux);
        else snprintf(what, sizeof what, "channel %d", uc);
        fprintf(stderr, "convscope render: %s is outside %s's %dx%dx%d output\n", what, nd->name, nd->out.C,
                nd->out.H, nd->out.W);
        return APP_USAGE;
    }
    s->sel.zoom = uc, s->sel.sel_y = uy, s->sel.sel_x = ux;
    s->proj.rule = proj;
    stepper_refresh(s);
    if (!probe) return APP_OK;
    if (probe == PROBE_FEATVIS && s->ses.test.n > 0) {
        s->probe.kind = PROBE_TOP9;
        probe_run(s, NULL, NULL);
        if (!s->probe.ready) {
            fprintf(stderr, "convscope render: %s\n", s->ses.msg);
            return APP_FAIL;
        }
    }
    s->probe.kind = probe;
    s->probe.fv_steps = ra->o.steps, s->probe.fv_seed = ra->o.seed, s->probe.fv_seed_set = ra->o.seed_set;
    probe_run(s, NULL, NULL);
    if (!s->probe.ready || s->probe.kind != probe) { /* a failed visualisation leaves the top-9 shown */
        fprintf(stderr, "convscope render: %s\n", s->ses.msg);
        return APP_FAIL;
    }
    if (probe == PROBE_FEATVIS && ra->o.npy_out) { /* the input found, as visualize --npy writes it */
        const EngNode *in = eng_graph_node(s->ses.graph, 0);
        int64_t d[3] = {in->out.C, in->out.H, in->out.W};
        char err[512];
        if (eng_npy_save(ra->o.npy_out, d, 3, s->probe.fv_img, err, sizeof err) != 0) {
            fprintf(stderr, "convscope render: %s\n", err);
            return APP_FAIL;
        }
    }
    return APP_OK;
}

/* --page K of the maps, as the window would lay them out. */
static int select_page(const RenderArgs *ra, Stepper *s, const AppCanvas *cv, int has_channel) {
    const EngNode *nd = eng_graph_node(s->ses.graph, s->sel.current);
    int pages = viz_fmap_pages(&cv->fonts, s->ses.graph, s->sel.current, stepper_layout(&cv->fonts, s, cv->w, cv->h).main);
    char *end;
    long k = strtol(ra->page, &end, 10);
    if (*end || end == ra->page || k < 1 || k > pages || has_channel) {
        fprintf(stderr, "convscope render: %s's %d channels fill %d page%s at %dx%d; --page takes 1..%d "
                        "(without --channel), not '%s'\n", nd->name, nd->out.C, pages, pages == 1 ? "" : "s",
                cv->w, cv->h, pages, ra->page);
        return APP_USAGE;
    }
    s->sel.page = (int)k - 1;
    return APP_OK;
}

/* The stepper set up as the view says, drawn and saved. */
static int render_stepper(RenderArgs *ra, int v, int uc, int uy, int ux, int proj, int pat) {
    Stepper s = {0}; /* closed in every case, opened or not */
    int rc = open_model(ra, &s, pat);
    if (rc == APP_OK && stepper_views[v].set) stepper_views[v].set(&s);
    if (rc == APP_OK && s.browse.on && s.ses.test.n <= 0) {
        fprintf(stderr, "convscope render: %s has no test set to browse (give --data)\n", s.ses.card->name);
        rc = APP_USAGE;
    }
    if (rc == APP_OK) rc = select_layer(ra, &s);
    if (rc == APP_OK && s.sel.table && ra->layer) /* the layer table opens at the layer asked for */
        s.sel.scroll = s.sel.current > 2 ? s.sel.current - 2 : 0;
    if (rc == APP_OK && uc >= 0) rc = select_unit(ra, &s, uc, uy, ux, proj, stepper_views[v].probe);
    if (rc != APP_OK) {
        stepper_close(&s);
        return rc;
    }
    s.v3d.cam.focus_z = viz_3d_node_z(s.ses.graph, s.sel.current);
    AppCanvas cv;
    rc = render_canvas(&cv, ra) == 0 ? APP_OK : APP_FAIL;
    if (rc == APP_OK && ra->page) rc = select_page(ra, &s, &cv, uc >= 0);
    if (rc == APP_OK && s.browse.on) browse_show_sample(&s, &cv.fonts, stepper_layout(&cv.fonts, &s, cv.w, cv.h).main);
    if (rc == APP_OK) {
        stepper_draw(&s, cv.r, &cv.fonts, cv.w, cv.h, NULL);
        rc = render_save(&cv, ra) == 0 ? APP_OK : APP_FAIL;
    }
    app_canvas_close(&cv);
    stepper_close(&s);
    return rc;
}

/* A view of the stepper: the unit, rule and pattern checked before the model is built. */
static int render_view(RenderArgs *ra) {
    int v = -1;
    for (int k = 0; k < (int)(sizeof stepper_views / sizeof *stepper_views); k++)
        if (!strcmp(ra->view, stepper_views[k].view)) v = k;
    if (v < 0) {
        fprintf(stderr, "convscope render: --view takes featuremaps, filters, evolution, summary, "
                        "3d, browse, top9, occlusion, visualize, compare, zoo, rf, history (timeline), basics, train, experiment or experiments, not '%s'\n", ra->view);
        return APP_USAGE;
    }
    if ((ra->o.steps || ra->o.seed_set || ra->o.npy_out) && stepper_views[v].probe != PROBE_FEATVIS) {
        fprintf(stderr, "convscope render: --steps, --seed and --npy are the visualisation's (--view visualize)\n");
        return APP_USAGE;
    }
    if (stepper_views[v].probe && !ra->unit && !ra->o.channel_set) {
        fprintf(stderr, "convscope render: --view %s needs --channel C (the channel it probes)\n", ra->view);
        return APP_USAGE;
    }
    if (!ra->o.model) {
        fprintf(stderr, "convscope render: which model? (e.g. 'convscope render lenet5 --out x.png')\n");
        return APP_USAGE;
    }
    int uc, uy, ux, proj, pat;
    int rc = parse_unit(ra, &uc, &uy, &ux);
    if (rc == APP_OK) rc = parse_rule_pattern(ra, uc >= 0, &proj, &pat);
    return rc == APP_OK ? render_stepper(ra, v, uc, uy, ux, proj, pat) : rc;
}

/* ---- the command ----------------------------------------------------------------------- */

/* The flags (the table in options.c) into ra: APP_OK, an exit code, or -1
 * after --help. */
static int parse_args(int argc, char **argv, RenderArgs *ra) {
    AppOptions *o = &ra->o;
    int help, rc = app_parse_cmd(argc, argv, render_usage, o, &help);
    if (rc || help) return rc ? rc : -1;
    ra->out = o->out, ra->layer = o->layer, ra->unit = o->unit, ra->rule = o->rule;
    ra->snapshot = o->snapshot, ra->block = o->block, ra->count = o->count, ra->models = o->models;
    ra->image = o->image, ra->pattern = o->pattern, ra->size = o->size, ra->page = o->page;
    ra->npy = o->npy_in;
    ra->preset = o->preset;
    ra->rs.present = o->present;
    ra->audit = o->audit, ra->json = o->json;
    if (o->view) ra->view = o->view;
    if (!ra->out) {
        fprintf(stderr, "convscope render: --out FILE.png is required\n");
        return APP_USAGE;
    }
    if (ra->size && parse_size(ra->size, &ra->rs) != 0) return APP_USAGE;
    if (ra->json && !ra->audit) {
        fprintf(stderr, "convscope render: --json prints the layout audit (with --audit); the picture "
                        "goes to --out\n");
        return APP_USAGE;
    }
    if (ra->preset && strcmp(ra->view, "basics")) {
        fprintf(stderr, "convscope render: --preset picks the kernel of --view basics\n");
        return APP_USAGE;
    }
    const AppOptions *o2 = &ra->o;
    if ((o2->basics_k || o2->basics_s || o2->basics_p || o2->basics_d) && strcmp(ra->view, "basics")) {
        fprintf(stderr, "convscope render: --kernel, --stride, --pad and --dilation set the convolution "
                        "of --view basics\n");
        return APP_USAGE;
    }
    if ((o2->cin || o2->cout || o2->hw) && strcmp(ra->view, "basics") && strcmp(ra->view, "compare")) {
        fprintf(stderr, "convscope render: --cin, --cout and --hw set the convolution of --view basics "
                        "or the block of --view compare\n");
        return APP_USAGE;
    }
    if (ra->o.steps && strcmp(ra->view, "train") && strcmp(ra->view, "visualize")) {
        fprintf(stderr, "convscope render: --steps is the training run of --view train or the "
                        "gradient ascent of --view visualize\n");
        return APP_USAGE;
    }
    if (ra->o.panel && strcmp(ra->view, "experiment")) {
        fprintf(stderr, "convscope render: --panel picks one chart of --view experiment\n");
        return APP_USAGE;
    }
    if (ra->o.rerun && strcmp(ra->view, "experiments")) {
        fprintf(stderr, "convscope render: --rerun runs an experiment again on --view experiments\n");
        return APP_USAGE;
    }
    if (ra->page && strcmp(ra->view, "featuremaps")) {
        fprintf(stderr, "convscope render: --page pages through the feature maps (--view featuremaps)\n");
        return APP_USAGE;
    }
    return APP_OK;
}

static int render_main(int argc, char **argv, const VizCaption *cap) {
    RenderArgs ra = {0};
    ra.cap = cap;
    ra.view = "featuremaps";
    ra.rs = (RenderSize){1280, 800, 0};
    int rc = parse_args(argc, argv, &ra);
    if (rc) return rc < 0 ? APP_OK : rc;
    if (!strcmp(ra.view, "history")) ra.view = "timeline"; /* the and DESIGN's name for it */
    if (!strcmp(ra.view, "timeline") && ra.o.model && !ra.models) ra.models = ra.o.model; /* render NAME --view history */
    for (int k = 0; k < (int)(sizeof screens / sizeof *screens); k++) {
        if (strcmp(ra.view, screens[k].view)) continue;
        if (ra.o.image_index_set) { /* these screens feed no test image to a model */
            fprintf(stderr, "convscope render: --image-index picks a model's input; --view %s shows none\n",
                    ra.view);
            return APP_USAGE;
        }
        return screens[k].render(&ra);
    }
    return render_view(&ra);
}

int app_cmd_render(int argc, char **argv) { return render_main(argc, argv, NULL); }

int app_render_slide(int argc, char **argv, const VizCaption *cap) { return render_main(argc, argv, cap); }
#else
int app_cmd_render(int argc, char **argv) {
    (void)argc;
    (void)argv;
    fprintf(stderr, "convscope render: built without the GUI (CONVSCOPE_GUI=OFF)\n");
    return APP_FAIL;
}
#endif
