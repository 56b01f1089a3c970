/*
 * viz_text.c — fonts and text through SDL_ttf. Any UTF-8 string draws: each
 * primary face has fallbacks (DejaVu Sans for the symbols the monospace face
 * lacks, Nanum Gothic for Hangul and the CJK ideographs), and a string is cut
 * into runs, each drawn and measured in the first face that has its glyphs.
 * Every string drawn passes viz_audit_text (viz_audit.c) here, in one place.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "viz.h"

/* ---- faces: a primary and its fallbacks, opened on first need ----------------------------- */

static const char *const fallback_path[VIZ_FALLBACKS] = {VIZ_FONT_SANS, VIZ_FONT_HANGUL};

typedef struct {
    TTF_Font *font;                   /* the primary face (NULL: a free slot) */
    const char *path;
    int px;
    TTF_Font *fb[VIZ_FALLBACKS];      /* the fallbacks at the same size, NULL until needed */
    unsigned char tried[VIZ_FALLBACKS];
} FaceSet;

/* The faces open at once: the window's four, four more while its type is
 * changed, a slide's caption type. Drawing is on one thread. */
enum { FACES_MAX = 32 };
static FaceSet faces[FACES_MAX];

static FaceSet *face_set(TTF_Font *font) {
    for (int i = 0; font && i < FACES_MAX; i++)
        if (faces[i].font == font) return &faces[i];
    return NULL;
}

static TTF_Font *open_font(const char *path, int px, char *err, size_t errlen) {
    TTF_Font *f = TTF_OpenFont(path, px);
    if (!f) {
        snprintf(err, errlen,
                 "viz: cannot open font %s (%s). HINT: apt-get install fonts-dejavu-core", path,
                 TTF_GetError());
        return NULL;
    }
    for (int i = 0; i < FACES_MAX; i++)
        if (!faces[i].font) { /* a full table leaves the face without fallbacks, nothing worse */
            faces[i] = (FaceSet){.font = f, .path = path, .px = px};
            break;
        }
    return f;
}

static void close_font(TTF_Font *f) {
    FaceSet *fs = face_set(f);
    if (fs) {
        for (int k = 0; k < VIZ_FALLBACKS; k++)
            if (fs->fb[k]) TTF_CloseFont(fs->fb[k]);
        SDL_zerop(fs);
    }
    TTF_CloseFont(f);
}

/* Fallback k of fs, opened the first time it is asked for; NULL when it is
 * the primary's own file or is not installed. */
static TTF_Font *fallback(FaceSet *fs, int k) {
    if (!fs->tried[k]) {
        fs->tried[k] = 1;
        if (strcmp(fallback_path[k], fs->path)) fs->fb[k] = TTF_OpenFont(fallback_path[k], fs->px);
    }
    return fs->fb[k];
}

int viz_font_px(TTF_Font *font) {
    const FaceSet *fs = face_set(font);
    return fs ? fs->px : TTF_FontHeight(font);
}

/* One character of UTF-8 at s: its code point and length (an invalid byte
 * reads as U+FFFD, one byte long, as SDL_ttf reads it). */
static Uint32 utf8_next(const unsigned char *s, size_t *len) {
    const unsigned c = s[0];
    int n = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : -1;
    Uint32 cp = n == 0 ? c : n == 1 ? (c & 0x1F) : n == 2 ? (c & 0x0F) : (c & 0x07);
    for (int i = 1; i <= n; i++) {
        if ((s[i] & 0xC0) != 0x80) n = -1;
        else cp = (cp << 6) | (s[i] & 0x3F);
        if (n < 0) break;
    }
    const Uint32 min[4] = {0, 0x80, 0x800, 0x10000};
    if (n < 0 || cp < min[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        *len = 1;
        return 0xFFFD;
    }
    *len = (size_t)n + 1;
    return cp;
}

/* The face that draws cp: for a space or an ASCII sign, the one drawing the
 * run so far when it can (the space between two Hangul words stays in their
 * run); else the primary, else the first fallback that has it; NULL when none
 * has it. */
static TTF_Font *face_for(FaceSet *fs, TTF_Font *primary, TTF_Font *cur, Uint32 cp) {
    const int sign = cp < 0x80 && !(cp >= '0' && cp <= '9') && !((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z');
    if (cur && sign && TTF_GlyphIsProvided32(cur, cp)) return cur;
    if (TTF_GlyphIsProvided32(primary, cp)) return primary;
    for (int k = 0; fs && k < VIZ_FALLBACKS; k++) {
        TTF_Font *f = fallback(fs, k);
        if (f && TTF_GlyphIsProvided32(f, cp)) return f;
    }
    return NULL;
}

/* The run of s that starts at byte `at`: its length in bytes and its face;
 * *missing counts the characters no face has (drawn by the primary as its
 * box). Returns 0 at the end of s. */
static size_t next_run(FaceSet *fs, TTF_Font *primary, const char *s, size_t at, TTF_Font **face,
                       int *missing) {
    const unsigned char *u = (const unsigned char *)s;
    size_t i = at;
    *face = NULL;
    while (u[i]) {
        size_t n;
        Uint32 cp = utf8_next(u + i, &n);
        TTF_Font *f = face_for(fs, primary, *face, cp);
        if (!f) {
            if (cp >= 0x20 || cp == '\t') (*missing)++;
            f = primary;
        }
        if (*face && f != *face) break;
        *face = f;
        i += n;
    }
    return i - at;
}

/* Does every byte of s read as ASCII? (The primary faces have all of it.) */
static int ascii(const char *s) {
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80) return 0;
    return 1;
}

int viz_text_size(TTF_Font *font, const char *s, int *w, int *h) {
    int tw = 0, th = TTF_FontHeight(font), missing = 0;
    if (w) *w = 0;
    if (h) *h = th;
    if (!s || !*s) return 0;
    FaceSet *fs = face_set(font);
    if (!fs || ascii(s)) return TTF_SizeUTF8(font, s, w, h);
    char buf[512];
    for (size_t at = 0, n; s[at]; at += n) {
        TTF_Font *face;
        n = next_run(fs, font, s, at, &face, &missing);
        char *run = n < sizeof buf ? buf : malloc(n + 1);
        if (!run) return -1;
        memcpy(run, s + at, n);
        run[n] = 0;
        int rw = 0, rh = 0, rc = TTF_SizeUTF8(face, run, &rw, &rh);
        if (run != buf) free(run);
        if (rc != 0) return -1;
        tw += rw;
    }
    if (w) *w = tw;
    return 0;
}

int viz_fonts_load(VizFonts *f, int px, char *err, size_t errlen) {
    SDL_zerop(f);
    if (!TTF_WasInit() && TTF_Init() != 0) {
        snprintf(err, errlen, "viz: SDL_ttf failed to start: %s", TTF_GetError());
        return -1;
    }
    f->sans = open_font(VIZ_FONT_SANS, px, err, errlen);
    f->sans_big = f->sans ? open_font(VIZ_FONT_SANS, px * 2, err, errlen) : NULL;
    f->mono = f->sans_big ? open_font(VIZ_FONT_MONO, px, err, errlen) : NULL;
    /* the small type is three quarters of the base, never below 12 px: under
     * that, a projector's blur makes digits unreadable past the front rows */
    const int small_px = px * 3 / 4 < VIZ_SMALL_MIN_PX ? VIZ_SMALL_MIN_PX : px * 3 / 4;
    f->small = f->mono ? open_font(VIZ_FONT_SANS, small_px, err, errlen) : NULL;
    if (!f->small) {
        viz_fonts_unload(f);
        return -1;
    }
    f->line = TTF_FontLineSkip(f->sans);
    f->mono_line = TTF_FontLineSkip(f->mono);
    f->small_line = TTF_FontLineSkip(f->small);
    return 0;
}

void viz_fonts_unload(VizFonts *f) {
    if (f->small) close_font(f->small);
    if (f->mono) close_font(f->mono);
    if (f->sans_big) close_font(f->sans_big);
    if (f->sans) close_font(f->sans);
    SDL_zerop(f);
}

/* s drawn run by run into one surface, every run on the primary's baseline
 * (a fallback's taller glyphs widen the surface above or below it); *top is
 * how far the surface starts above the primary's top. */
static SDL_Surface *render_runs(FaceSet *fs, TTF_Font *font, const char *s, SDL_Color c, int *top,
                                int *missing) {
    enum { RUNS_MAX = 64 };
    SDL_Surface *part[RUNS_MAX];
    TTF_Font *pf[RUNS_MAX];
    int n_runs = 0, w = 0, asc = TTF_FontAscent(font), desc = TTF_FontHeight(font) - asc;
    char buf[512];
    for (size_t at = 0, n; s[at] && n_runs < RUNS_MAX; at += n) {
        TTF_Font *face;
        n = next_run(fs, font, s, at, &face, missing);
        char *run = n < sizeof buf ? buf : malloc(n + 1);
        if (!run) break;
        memcpy(run, s + at, n);
        run[n] = 0;
        /* the last run that fits takes the rest of the string */
        SDL_Surface *p = TTF_RenderUTF8_Blended(face, n_runs == RUNS_MAX - 1 ? s + at : run, c);
        if (run != buf) free(run);
        if (!p) continue;
        pf[n_runs] = face;
        part[n_runs++] = p;
        w += p->w;
        if (TTF_FontAscent(face) > asc) asc = TTF_FontAscent(face);
        if (p->h - TTF_FontAscent(face) > desc) desc = p->h - TTF_FontAscent(face);
        if (n_runs == RUNS_MAX) break;
    }
    SDL_Surface *out = w > 0 ? SDL_CreateRGBSurfaceWithFormat(0, w, asc + desc, 32, SDL_PIXELFORMAT_ARGB8888) : NULL;
    for (int i = 0, x = 0; i < n_runs; i++) {
        if (out) {
            SDL_Rect dst = {x, asc - TTF_FontAscent(pf[i]), part[i]->w, part[i]->h};
            SDL_SetSurfaceBlendMode(part[i], SDL_BLENDMODE_NONE);
            SDL_BlitSurface(part[i], NULL, out, &dst);
        }
        x += part[i]->w;
        SDL_FreeSurface(part[i]);
    }
    if (out) SDL_SetSurfaceBlendMode(out, SDL_BLENDMODE_BLEND);
    *top = asc - TTF_FontAscent(font);
    return out;
}

int viz_text(SDL_Renderer *r, TTF_Font *font, int x, int y, SDL_Color c, const char *s) {
    if (!s || !*s) return 0;
    FaceSet *fs = face_set(font);
    int top = 0, missing = 0;
    SDL_Surface *surf = !fs || ascii(s) ? TTF_RenderUTF8_Blended(font, s, c)
                                        : render_runs(fs, font, s, c, &top, &missing);
    if (!surf) return 0;
    viz_audit_text(r, surf, x, y - top, viz_font_px(font), s, missing);
    SDL_Texture *t = SDL_CreateTextureFromSurface(r, surf);
    int w = surf->w;
    if (t) {
        SDL_Rect dst = {x, y - top, surf->w, surf->h};
        SDL_RenderCopy(r, t, NULL, &dst);
        SDL_DestroyTexture(t);
    }
    SDL_FreeSurface(surf);
    return w;
}
int viz_text_fit(SDL_Renderer *r, TTF_Font *font, int x, int y, int w, SDL_Color c, const char *s) {
    int tw = 0, th = 0;
    if (!s || viz_text_size(font, s, &tw, &th) != 0 || tw <= w) return viz_text(r, font, x, y, c, s);
    /* the longest head, cut between two characters, that fits with " …"
     * after it (found by halving) */
    char buf[1024];
    size_t lo = 0, hi = strlen(s);
    if (hi > sizeof buf - 8) hi = sizeof buf - 8;
    while (lo < hi) {
        size_t mid = (lo + hi + 1) / 2;
        while (mid > lo && ((unsigned char)s[mid] & 0xC0) == 0x80) mid--; /* a character's first byte */
        if (mid == lo) break;
        snprintf(buf, sizeof buf, "%.*s …", (int)mid, s);
        if (viz_text_size(font, buf, &tw, &th) == 0 && tw <= w) lo = mid;
        else hi = mid - 1;
    }
    while (lo > 0 && ((unsigned char)s[lo] & 0xC0) == 0x80) lo--;
    while (lo > 0 && s[lo - 1] == ' ') lo--;
    snprintf(buf, sizeof buf, "%.*s …", (int)lo, s);
    return viz_text(r, font, x, y, c, buf);
}

int viz_text_in(SDL_Renderer *r, TTF_Font *font, SDL_Rect box, int x, int y, SDL_Color c, const char *s) {
    SDL_Rect old;
    SDL_bool had = SDL_RenderIsClipEnabled(r);
    SDL_RenderGetClipRect(r, &old);
    SDL_RenderSetClipRect(r, &box);
    int w = viz_text(r, font, x, y, c, s);
    SDL_RenderSetClipRect(r, had ? &old : NULL);
    return w;
}

/* ---- colours: the normal theme and the high-contrast one of presentation mode ---------- */

static int high_contrast;

void viz_set_high_contrast(int on) { high_contrast = on; }

SDL_Color viz_ink(void) {
    return high_contrast ? (SDL_Color){255, 255, 255, 255} : (SDL_Color){230, 232, 236, 255};
}

SDL_Color viz_dim(void) {
    return high_contrast ? (SDL_Color){215, 220, 230, 255} : (SDL_Color){150, 156, 168, 255};
}

void viz_clear(SDL_Renderer *r) {
    if (high_contrast) SDL_SetRenderDrawColor(r, 0, 0, 0, 255);
    else SDL_SetRenderDrawColor(r, 24, 26, 32, 255);
    SDL_RenderClear(r);
}
