/*
 * image.c — an image file (PNG, JPEG, BMP... through SDL2_image) turned into a
 * network's input as its card's preprocessing says.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

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
    if (c->r) {
        viz_forget_renderer(c->r);
        SDL_DestroyRenderer(c->r);
    }
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

/* ---- a folder of image files ------------------------------------------------------------- */

static int is_image_name(const char *n) {
    const char *dot = strrchr(n, '.');
    if (!dot || n[0] == '.') return 0;
    static const char *const ext[] = {".png", ".jpg", ".jpeg", ".bmp"};
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++)
        if (!strcasecmp(dot, ext[i])) return 1;
    return 0;
}

static int by_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int app_load_image_folder(const char *dir, const ModelCard *card, int C, int H, int W, EngDataset *d,
                          char ***names_out, const char *cmd) {
    enum { MAX_FILES = 100000 };
    memset(d, 0, sizeof *d);
    *names_out = NULL;
    DIR *dp = opendir(dir);
    if (!dp) {
        fprintf(stderr, "convscope %s: cannot open the folder %s: %s\n", cmd, dir, strerror(errno));
        return -1;
    }
    char **names = NULL;
    int n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(dp)) != NULL) {
        if (!is_image_name(e->d_name)) continue;
        if (n == MAX_FILES) {
            fprintf(stderr, "convscope %s: %s holds more than %d images; using the first %d by name\n",
                    cmd, dir, MAX_FILES, MAX_FILES);
            break;
        }
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            char **nn = realloc(names, (size_t)cap * sizeof *nn);
            if (!nn) break;
            names = nn;
        }
        names[n] = strdup(e->d_name);
        if (names[n]) n++;
    }
    closedir(dp);
    const size_t per = (size_t)C * H * W;
    if (n == 0 || per == 0 || (double)n * per * sizeof(float) > 4e9) {
        fprintf(stderr, "convscope %s: %s\n", cmd,
                n == 0 ? "no image files (.png, .jpg, .jpeg, .bmp) in that folder"
                       : "the folder's images would need more than 4 GB as network inputs");
        for (int i = 0; i < n; i++) free(names[i]);
        free(names);
        return -1;
    }
    qsort(names, (size_t)n, sizeof *names, by_name);
    d->images = malloc((size_t)n * per * sizeof(float));
    d->labels = calloc((size_t)n, 1);
    /* one block of names, so the caller frees two pointers */
    size_t chars = 0;
    for (int i = 0; i < n; i++) chars += strlen(names[i]) + 1;
    char *block = malloc(chars), **kept = malloc((size_t)n * sizeof *kept);
    if (!d->images || !d->labels || !block || !kept) {
        fprintf(stderr, "convscope %s: out of memory for %d images\n", cmd, n);
        free(block), free(kept);
        for (int i = 0; i < n; i++) free(names[i]);
        free(names);
        eng_dataset_free(d);
        return -1;
    }
    int m = 0;
    char *at = block, path[8192];
    const int tty = isatty(2);
    for (int i = 0; i < n; i++) {
        if (tty && i % 50 == 0) fprintf(stderr, "\rreading %s: %d / %d images", dir, i, n);
        if (snprintf(path, sizeof path, "%s/%s", dir, names[i]) >= (int)sizeof path) continue;
        struct stat st;
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) continue;
        if (app_load_image(path, card, d->images + (size_t)m * per, C, H, W) != 0) continue;
        size_t len = strlen(names[i]) + 1;
        memcpy(at, names[i], len);
        kept[m++] = at;
        at += len;
    }
    if (tty) fprintf(stderr, "\r%60s\r", "");
    for (int i = 0; i < n; i++) free(names[i]);
    free(names);
    if (m == 0) {
        fprintf(stderr, "convscope %s: none of the image files in %s could be read\n", cmd, dir);
        free(block), free(kept);
        eng_dataset_free(d);
        return -1;
    }
    d->n = m, d->c = C, d->h = H, d->w = W, d->classes = 0;
    const char *base = strrchr(dir, '/');
    base = base && base[1] ? base + 1 : dir;
    snprintf(d->name, sizeof d->name, "%.63s", base);
    *names_out = kept;
    return 0;
}
