/*
 * viz_text.c — fonts and text through SDL_ttf.
 */
#include <stdio.h>

#include "viz.h"

static TTF_Font *open_font(const char *path, int px, char *err, size_t errlen) {
    TTF_Font *f = TTF_OpenFont(path, px);
    if (!f)
        snprintf(err, errlen,
                 "viz: cannot open font %s (%s). HINT: apt-get install fonts-dejavu-core", path,
                 TTF_GetError());
    return f;
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
    if (f->small) TTF_CloseFont(f->small);
    if (f->mono) TTF_CloseFont(f->mono);
    if (f->sans_big) TTF_CloseFont(f->sans_big);
    if (f->sans) TTF_CloseFont(f->sans);
    SDL_zerop(f);
}

int viz_text(SDL_Renderer *r, TTF_Font *font, int x, int y, SDL_Color c, const char *s) {
    if (!s || !*s) return 0;
    SDL_Surface *surf = TTF_RenderUTF8_Blended(font, s, c);
    if (!surf) return 0;
    SDL_Texture *t = SDL_CreateTextureFromSurface(r, surf);
    int w = surf->w;
    if (t) {
        SDL_Rect dst = {x, y, surf->w, surf->h};
        SDL_RenderCopy(r, t, NULL, &dst);
        SDL_DestroyTexture(t);
    }
    SDL_FreeSurface(surf);
    return w;
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
