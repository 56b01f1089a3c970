/*
 * image.c — an image file (PNG, JPEG or BMP, decoded by SDL2_image) turned
 * into a network's input as its card's preprocessing says. A file's size is
 * read from its header and checked before anything is decoded.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
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
    /* no layer named: the output's */
    const int id = layer ? eng_graph_find(g, layer) : eng_graph_output(g);
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
    const char *data = o->data ? o->data : (*card)->weights_data;
    const char *w = o->weights ? o->weights : model_weights_for(*card, data, path, sizeof path);
    if (!(*card)->imported || o->weights) {
        if (!w) {
            fprintf(stderr, "convscope %s: no trained weights ship for %s (give --weights)\n", cmd,
                    (*card)->name);
            goto fail;
        }
        if (app_load_weights(g, w, o->image || o->images || o->npy_in ? NULL : data, cmd, err,
                             sizeof err) != 0) {
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

int app_save_png(SDL_Surface *s, const char *path, char *err, size_t errlen) {
    EngTmpFile t;
    if (eng_tmpfile_open(&t, path, err, errlen) != 0) return -1;
    /* SDL_image encodes through an SDL_RWops: one over the open FILE (not
     * closed with the RWops: eng_tmpfile_commit closes it) */
    SDL_RWops *rw = SDL_RWFromFP(t.f, SDL_FALSE);
    if (!rw || IMG_SavePNG_RW(s, rw, 1) != 0) {
        eng_set_err(err, errlen, "cannot write %s: %s", path, IMG_GetError());
        eng_tmpfile_abort(&t);
        return -1;
    }
    return eng_tmpfile_commit(&t, err, errlen);
}

int app_canvas_save(AppCanvas *c, const char *out, const char *cmd) {
    char err[1024];
    SDL_RenderPresent(c->r);
    if (app_save_png(c->surf, out, err, sizeof err) != 0) {
        fprintf(stderr, "convscope %s: %s\n", cmd, err);
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

/* ---- an image file's size, from its header ------------------------------------------------ */

/* A decoded image costs its pixels, whatever its size on disk: a 19999 x
 * 19999 RGB PNG of zeros is about a megabyte, yet takes 1.2 GB decoded and
 * 1.6 GB more converted to RGBA. The size is therefore read from the header
 * and checked against this budget before the decoder sees the file. */
enum { IMAGE_MAX_PIXELS = 64 * 1000 * 1000 };
typedef enum { IMAGE_PNG = 1, IMAGE_JPEG, IMAGE_BMP } ImageKind;

static uint32_t be16(const unsigned char *b) { return (uint32_t)b[0] << 8 | b[1]; }
static uint32_t be32(const unsigned char *b) { return be16(b) << 16 | be16(b + 2); }
static uint32_t le16(const unsigned char *b) { return (uint32_t)b[1] << 8 | b[0]; }
static uint32_t le32(const unsigned char *b) { return le16(b + 2) << 16 | le16(b); }

/* JPEG: the frame header (SOFn: precision, height, width) comes after any
 * number of other segments (APPn, DQT, DHT...), each a marker 0xFF xx and a
 * big-endian length that counts itself; the scan (SOS) starts the entropy-
 * coded data, so a frame header must come before it (ITU-T T.81, B.2). */
static int jpeg_size(FILE *f, long *w, long *h, char *why, size_t n) {
    for (;;) {
        int c = getc(f);
        if (c != 0xFF) {
            snprintf(why, n, c == EOF ? "the JPEG file ends before its frame header"
                                      : "a JPEG segment does not start with a marker");
            return -1;
        }
        while ((c = getc(f)) == 0xFF) {} /* fill bytes */
        if (c == EOF) {
            snprintf(why, n, "the JPEG file ends before its frame header");
            return -1;
        }
        if (c == 0xD8 || c == 0x01 || (c >= 0xD0 && c <= 0xD7)) continue; /* no length */
        if (c == 0xD9 || c == 0xDA) {
            snprintf(why, n, "no JPEG frame header (SOF) before the image data");
            return -1;
        }
        unsigned char b[7];
        if (fread(b, 1, 2, f) != 2 || be16(b) < 2) {
            snprintf(why, n, "a JPEG segment's length is cut short or below 2");
            return -1;
        }
        const uint32_t len = be16(b);
        /* SOF0..SOF15 but DHT (C4), JPG (C8) and DAC (CC) */
        if (c >= 0xC0 && c <= 0xCF && c != 0xC4 && c != 0xC8 && c != 0xCC) {
            if (len < 8 || fread(b, 1, 5, f) != 5) {
                snprintf(why, n, "the JPEG frame header is cut short");
                return -1;
            }
            *h = (long)be16(b + 1), *w = (long)be16(b + 3);
            return 0;
        }
        if (fseek(f, (long)len - 2, SEEK_CUR) != 0) {
            snprintf(why, n, "the JPEG file ends inside a segment");
            return -1;
        }
    }
}

/* The kind and size of the image in f, read from its first bytes: PNG's IHDR
 * chunk (always the first, PNG spec 11.2.2), JPEG's frame header, BMP's info
 * header (a 12-byte OS/2 one with 16-bit sides, or a longer one with 32-bit
 * sides, a negative height meaning rows top-down). 0, or -1 with why. */
static int image_header(FILE *f, ImageKind *kind, long *w, long *h, char *why, size_t n) {
    static const unsigned char png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    unsigned char b[26];
    const size_t got = fread(b, 1, sizeof b, f);
    why[0] = 0;
    if (got >= 8 && !memcmp(b, png_sig, 8)) {
        *kind = IMAGE_PNG;
        if (got < 24) {
            snprintf(why, n, "its PNG header is cut short");
            return -1;
        }
        if (be32(b + 8) != 13 || memcmp(b + 12, "IHDR", 4) != 0) {
            snprintf(why, n, "its PNG header does not start with an IHDR chunk");
            return -1;
        }
        *w = (long)be32(b + 16), *h = (long)be32(b + 20);
        return 0;
    }
    if (got >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) {
        *kind = IMAGE_JPEG;
        if (fseek(f, 2, SEEK_SET) != 0) {
            snprintf(why, n, "cannot seek in the JPEG file");
            return -1;
        }
        return jpeg_size(f, w, h, why, n);
    }
    if (got >= 2 && b[0] == 'B' && b[1] == 'M') {
        *kind = IMAGE_BMP;
        const uint32_t info = got >= 18 ? le32(b + 14) : 0;
        if (got < 22 || (info != 12 && got < 26) || info < 12) {
            snprintf(why, n, "its BMP header is cut short");
            return -1;
        }
        if (info == 12) {
            *w = (long)le16(b + 18), *h = (long)le16(b + 20);
        } else {
            const int64_t sw = (int32_t)le32(b + 18), sh = (int32_t)le32(b + 22);
            *w = (long)sw, *h = (long)(sh < 0 ? -sh : sh);
        }
        return 0;
    }
    return -1; /* none of the three */
}

/* A failure of the loader: into err when the caller gives one (the window's
 * status line), else a line on stderr. */
static void report(char *err, size_t errlen, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static void report(char *err, size_t errlen, const char *fmt, ...) {
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (err && errlen) snprintf(err, errlen, "%s", buf);
    else fprintf(stderr, "convscope: %s\n", buf);
}

/* Opens path (without following a symbolic link when nofollow), checks that
 * it is a regular file holding a PNG, JPEG or BMP of at most IMAGE_MAX_PIXELS
 * pixels, then decodes it with the decoder of that format only. */
static SDL_Surface *load_checked(const char *path, int nofollow, char *err, size_t errlen) {
    char whyo[4400];
    int fd = eng_open_input(path, nofollow, NULL, whyo, sizeof whyo);
    if (fd < 0) {
        report(err, errlen, "cannot read the image %s", whyo);
        return NULL;
    }
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        report(err, errlen, "cannot read the image %s: %s", path, strerror(errno));
        close(fd);
        return NULL;
    }
    ImageKind kind = 0;
    long w = 0, h = 0;
    char why[128];
    if (image_header(f, &kind, &w, &h, why, sizeof why) != 0) {
        report(err, errlen, "cannot read %s as an image (PNG, JPEG or BMP)%s%s", path,
                why[0] ? ": " : "", why);
        fclose(f);
        return NULL;
    }
    if (w < 1 || h < 1) {
        report(err, errlen, "the image %s is empty (%ldx%ld pixels by its header)", path, w, h);
        fclose(f);
        return NULL;
    }
    if ((double)w * (double)h > IMAGE_MAX_PIXELS) {
        report(err, errlen,
               "the image %s is %ldx%ld pixels (%.1f megapixels), over the %d-megapixel limit; "
               "HINT: scale it down first",
               path, w, h, (double)w * (double)h / 1e6, IMAGE_MAX_PIXELS / 1000000);
        fclose(f);
        return NULL;
    }
    SDL_RWops *rw = fseek(f, 0, SEEK_SET) == 0 ? SDL_RWFromFP(f, SDL_TRUE) : NULL;
    if (!rw) {
        report(err, errlen, "cannot read the image %s: %s", path, SDL_GetError());
        fclose(f);
        return NULL;
    }
    /* libpng and libjpeg write their own complaints ("libpng error: IDAT:
     * CRC error", "Corrupt JPEG data") to stderr before SDL_image reports
     * the failure: silenced for the decode, so that the one line below says
     * what went wrong. */
    fflush(stderr);
    const int saved = dup(STDERR_FILENO), devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
    const int quiet = saved >= 0 && devnull >= 0 && dup2(devnull, STDERR_FILENO) >= 0;
    SDL_Surface *raw = kind == IMAGE_PNG    ? IMG_LoadPNG_RW(rw)
                       : kind == IMAGE_JPEG ? IMG_LoadJPG_RW(rw)
                                            : IMG_LoadBMP_RW(rw);
    if (quiet) dup2(saved, STDERR_FILENO);
    if (saved >= 0) close(saved);
    if (devnull >= 0) close(devnull);
    SDL_RWclose(rw); /* closes f */
    if (!raw) {
        report(err, errlen, "cannot read the image %s: %s", path, IMG_GetError());
        return NULL;
    }
    if (raw->w != w || raw->h != h) {
        report(err, errlen, "the image %s decodes to %dx%d pixels, its header says %ldx%ld",
                path, raw->w, raw->h, w, h);
        SDL_FreeSurface(raw);
        return NULL;
    }
    SDL_Surface *s = SDL_ConvertSurfaceFormat(raw, SDL_PIXELFORMAT_RGBA32, 0);
    SDL_FreeSurface(raw);
    if (!s) report(err, errlen, "cannot convert the image %s: %s", path, SDL_GetError());
    return s;
}

/* An image file into x (C, H, W) as the card's preprocessing says: shorter
 * side to pre.resize and a centre crop (or straight to H x W), grey or
 * RGB/BGR, scaled, mean subtracted, divided by std. */
static int load_image(const char *path, int nofollow, const ModelCard *card, float *x, int C, int H,
                      int W, char *err, size_t errlen) {
    SDL_Surface *s = load_checked(path, nofollow, err, errlen);
    if (!s) return -1;
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

/* The picture of s (RGBA32) in grey, 0..1, over white where it is
 * transparent, reduced by a whole factor so that its longer side is at most
 * 512 (each pixel the mean of its block). NULL when there is no memory. */
static float *grey_reduced(const SDL_Surface *s, int *gh, int *gw) {
    const int longer = s->w > s->h ? s->w : s->h, k = (longer + 511) / 512;
    *gh = (s->h + k - 1) / k, *gw = (s->w + k - 1) / k;
    float *g = calloc((size_t)*gh * *gw, sizeof *g);
    if (!g) return NULL;
    for (int y = 0; y < s->h; y++) {
        const unsigned char *row = (const unsigned char *)s->pixels + (size_t)y * s->pitch;
        for (int x = 0; x < s->w; x++) {
            const unsigned char *p = row + 4 * (size_t)x;
            const float a = p[3] / 255.0f, lum = (0.299f * p[0] + 0.587f * p[1] + 0.114f * p[2]) / 255.0f;
            g[(size_t)(y / k) * *gw + x / k] += a * lum + (1 - a);
        }
    }
    for (int y = 0; y < *gh; y++) /* blocks at the right and bottom edges are smaller */
        for (int x = 0; x < *gw; x++) {
            const int bh = (y + 1) * k <= s->h ? k : s->h - y * k, bw = (x + 1) * k <= s->w ? k : s->w - x * k;
            g[(size_t)y * *gw + x] /= (float)(bh * bw);
        }
    return g;
}

static int load_prepped(const char *path, const ModelCard *card, DigitPrepStyle style, DigitInvert invert,
                        float *x, int C, int H, int W, char *err, size_t errlen, DigitPrepInfo *info) {
    SDL_Surface *s = load_checked(path, 0, err, errlen);
    if (!s) return -1;
    int gh = 0, gw = 0;
    SDL_LockSurface(s);
    float *g = grey_reduced(s, &gh, &gw), d28[DIGIT_SIDE * DIGIT_SIDE];
    SDL_UnlockSurface(s);
    SDL_FreeSurface(s);
    if (!g || digit_prep(g, gh, gw, style, invert, d28, info) != 0) {
        free(g);
        report(err, errlen, "no memory to read the image %s", path);
        return -1;
    }
    free(g);
    digit_to_input(d28, &card->pre, x, C, H, W);
    return 0;
}
#else
static int load_image(const char *path, int nofollow, const ModelCard *card, float *x, int C, int H,
                      int W, char *err, size_t errlen) {
    (void)nofollow, (void)card, (void)x, (void)C, (void)H, (void)W;
    if (err && errlen) snprintf(err, errlen, "cannot read the image %s: built without SDL2_image", path);
    else fprintf(stderr, "convscope: cannot read the image %s: built without SDL2_image\n", path);
    return -1;
}
static int load_prepped(const char *path, const ModelCard *card, DigitPrepStyle style, DigitInvert invert,
                        float *x, int C, int H, int W, char *err, size_t errlen, DigitPrepInfo *info) {
    (void)style, (void)invert, (void)info;
    return load_image(path, 0, card, x, C, H, W, err, errlen);
}
#endif

int app_load_image(const char *path, const ModelCard *card, float *x, int C, int H, int W, char *err,
                   size_t errlen) {
    return load_image(path, 0, card, x, C, H, W, err, errlen);
}

int app_load_image_prep(const char *path, const ModelCard *card, DigitPrepStyle style, DigitInvert invert,
                        float *x, int C, int H, int W, char *err, size_t errlen, DigitPrepInfo *info) {
    DigitPrepInfo none = {0};
    if (info) *info = none;
    if (style == DIGIT_PREP_NONE) return load_image(path, 0, card, x, C, H, W, err, errlen);
    return load_prepped(path, card, style, invert, x, C, H, W, err, errlen, info ? info : &none);
}

void app_image_input_name(const char *path, DigitPrepStyle style, DigitInvert invert, const DigitPrepInfo *info,
                          char *buf, size_t n) {
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (style == DIGIT_PREP_NONE) snprintf(buf, n, "%.300s", base);
    else if (info->empty) snprintf(buf, n, "%.200s · no ink found (I: invert %s)", base, digit_invert_name(invert));
    else
        snprintf(buf, n, "%.200s · %s, %s (I: invert %s)", base,
                 info->inverted ? "negated (dark on light)" : "not negated",
                 style == DIGIT_PREP_MNIST ? "boxed to 20x20, centred as MNIST" : "boxed to 28x28 as Fashion-MNIST",
                 digit_invert_name(invert));
}

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
        /* A symbolic link in the folder may lead anywhere on the machine (a
         * shared folder, an archive unpacked there): none is followed. The
         * check is lstat's, and the open refuses a link (O_NOFOLLOW) should
         * one take the file's place in between. */
        struct stat st;
        if (lstat(path, &st) != 0) continue;
        if (S_ISLNK(st.st_mode)) {
            fprintf(stderr, "convscope %s: skipping %s: a symbolic link (not followed in a folder of images)\n",
                    cmd, path);
            continue;
        }
        if (!S_ISREG(st.st_mode)) continue;
        if (load_image(path, 1, card, d->images + (size_t)m * per, C, H, W, NULL, 0) != 0) continue;
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
