/*
 * image.c — an image file (PNG, JPEG, BMP... through SDL2_image) turned into a
 * network's input as its card's preprocessing says.
 */
#include <stdlib.h>
#include <string.h>

#include "app.h"

EngGraph *app_open_trained(const AppOptions *o, const char *layer, long channel, const char *cmd,
                           const ModelCard **card, int *layer_id, int *code) {
    EngGraph *g = app_build_model(o, card, code);
    if (!g) return NULL;
    char path[4096], err[512];
    *code = APP_USAGE;
    const int id = eng_graph_find(g, layer);
    const EngNode *L = id >= 0 ? eng_graph_node(g, id) : NULL;
    if (!L || (L->flags & ENG_NODE_TRAIN_ONLY)) {
        fprintf(stderr, "convscope %s: %s has no layer '%s' (see 'convscope summary %s')\n", cmd,
                (*card)->name, layer, (*card)->name);
        goto fail;
    }
    if (channel >= L->out.C) {
        fprintf(stderr, "convscope %s: %s has %d channels; no channel %ld\n", cmd, L->name,
                L->out.C, channel);
        goto fail;
    }
    const char *w = o->weights ? o->weights : model_weights_path(*card, path, sizeof path);
    if (!(*card)->imported || o->weights) {
        if (!w) {
            fprintf(stderr, "convscope %s: no trained weights ship for %s (give --weights)\n", cmd,
                    (*card)->name);
            goto fail;
        }
        if (eng_weights_load(g, NULL, w, NULL, 0, err, sizeof err) != 0) {
            fprintf(stderr, "convscope %s: %s\n", cmd, err);
            *code = APP_FAIL;
            goto fail;
        }
    }
    *layer_id = id;
    *code = APP_OK;
    return g;
fail:
    eng_graph_destroy(g);
    return NULL;
}

int app_load_npy_input(const char *path, AppOptions *o, float **data, const char *cmd) {
    int64_t d[4];
    int nd;
    char err[512];
    if (eng_npy_load(path, d, &nd, data, err, sizeof err) != 0) {
        fprintf(stderr, "convscope %s: %s\n", cmd, err);
        return APP_FAIL;
    }
    int off = nd == 4 && d[0] == 1 ? 1 : 0;
    if (nd - off != 3 || d[off] < 1 || d[off] > 4096 || d[off + 1] < 1 || d[off + 1] > 8192 ||
        d[off + 2] < 1 || d[off + 2] > 8192) {
        fprintf(stderr, "convscope %s: %s must hold one CxHxW (or 1xCxHxW) array\n", cmd, path);
        free(*data);
        *data = NULL;
        return APP_USAGE;
    }
    o->C = (int)d[off], o->H = (int)d[off + 1], o->W = (int)d[off + 2];
    return APP_OK;
}

#ifdef CONVSCOPE_HAVE_GUI
#include <SDL.h>
#include <SDL_image.h>
#include <SDL_ttf.h>

#include "canvas.h"

int app_canvas_open(AppCanvas *c, int w, int h, const char *cmd) {
    char err[512];
    memset(c, 0, sizeof *c);
    c->w = w, c->h = h;
    c->surf = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_RGBA32);
    c->r = c->surf ? SDL_CreateSoftwareRenderer(c->surf) : NULL;
    if (!c->r) {
        fprintf(stderr, "convscope %s: cannot create a renderer: %s\n", cmd, SDL_GetError());
        return -1;
    }
    if (viz_fonts_load(&c->fonts, 18, err, sizeof err) != 0) {
        fprintf(stderr, "convscope %s: %s\n", cmd, err);
        return -1;
    }
    SDL_SetRenderDrawColor(c->r, 24, 26, 32, 255);
    SDL_RenderClear(c->r);
    return 0;
}

int app_canvas_save(AppCanvas *c, const char *out, const char *cmd) {
    char tmp[4200];
    SDL_RenderPresent(c->r);
    if (snprintf(tmp, sizeof tmp, "%s.tmp", out) >= (int)sizeof tmp ||
        IMG_SavePNG(c->surf, tmp) != 0 || rename(tmp, out) != 0) {
        fprintf(stderr, "convscope %s: cannot write %s: %s\n", cmd, out, IMG_GetError());
        remove(tmp);
        return -1;
    }
    return 0;
}

void app_canvas_close(AppCanvas *c) {
    viz_fonts_unload(&c->fonts);
    if (TTF_WasInit()) TTF_Quit();
    if (c->r) SDL_DestroyRenderer(c->r);
    if (c->surf) SDL_FreeSurface(c->surf);
    memset(c, 0, sizeof *c);
}

/* Bilinear sample of an RGBA32 surface at (u, v) in pixels, channel ch. */
static float sample_rgba(const SDL_Surface *s, float u, float v, int ch) {
    const unsigned char *px = s->pixels;
    float fu = u < 0 ? 0 : (u > s->w - 1 ? (float)(s->w - 1) : u);
    float fv = v < 0 ? 0 : (v > s->h - 1 ? (float)(s->h - 1) : v);
    int x0 = (int)fu, y0 = (int)fv, x1 = x0 + 1 < s->w ? x0 + 1 : x0, y1 = y0 + 1 < s->h ? y0 + 1 : y0;
    float ax = fu - x0, ay = fv - y0;
#define PX(x, y) ((float)px[(size_t)(y) * s->pitch + (size_t)(x) * 4 + ch])
    return (1 - ay) * ((1 - ax) * PX(x0, y0) + ax * PX(x1, y0)) + ay * ((1 - ax) * PX(x0, y1) + ax * PX(x1, y1));
#undef PX
}

/* An image file into x (C, H, W) as the card's preprocessing says: shorter
 * side to pre.resize and a centre crop (or straight to H x W), grey or
 * RGB/BGR, scaled, mean subtracted, divided by std. */
int app_load_image(const char *path, const ModelCard *card, float *x, int C, int H, int W) {
    SDL_Surface *raw = IMG_Load(path);
    if (!raw) {
        fprintf(stderr, "convscope: cannot read the image %s: %s\n", path, IMG_GetError());
        return -1;
    }
    SDL_Surface *s = SDL_ConvertSurfaceFormat(raw, SDL_PIXELFORMAT_RGBA32, 0);
    SDL_FreeSurface(raw);
    if (!s || s->w < 1 || s->h < 1 || s->w > 20000 || s->h > 20000) {
        fprintf(stderr, "convscope: the image %s is empty or too large\n", path);
        if (s) SDL_FreeSurface(s);
        return -1;
    }
    const ModelPreproc *p = &card->pre;
    float sx = (float)s->w / W, sy = (float)s->h / H, ox = 0, oy = 0;
    if (p->resize > 0) { /* shorter side to `resize`, then the centre H x W */
        float k = (float)(s->w < s->h ? s->w : s->h) / (float)p->resize;
        sx = sy = k;
        ox = (s->w - W * k) / 2, oy = (s->h - H * k) / 2;
    }
    SDL_LockSurface(s);
    for (int c = 0; c < C; c++) {
        int src = p->bgr ? 2 - (c < 3 ? c : 2) : (c < 3 ? c : 2);
        float mean = p->mean[c < 3 ? c : 0], sd = p->std[c < 3 ? c : 0];
        for (int y = 0; y < H; y++)
            for (int xx = 0; xx < W; xx++) {
                float u = ox + (xx + 0.5f) * sx - 0.5f, v = oy + (y + 0.5f) * sy - 0.5f, val;
                if (C == 1)
                    val = 0.299f * sample_rgba(s, u, v, 0) + 0.587f * sample_rgba(s, u, v, 1) +
                          0.114f * sample_rgba(s, u, v, 2);
                else
                    val = sample_rgba(s, u, v, src);
                x[((size_t)c * H + y) * W + xx] = (val * p->scale - mean) / (sd != 0 ? sd : 1);
            }
    }
    SDL_UnlockSurface(s);
    SDL_FreeSurface(s);
    return 0;
}
#else
int app_load_image(const char *path, const ModelCard *card, float *x, int C, int H, int W) {
    (void)card, (void)x, (void)C, (void)H, (void)W;
    fprintf(stderr, "convscope: cannot read the image %s: built without SDL2_image\n", path);
    return -1;
}
#endif
