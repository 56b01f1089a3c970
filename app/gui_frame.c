/*
 * gui_frame.c — pieces every screen of the window draws with (gui_frame.h).
 */
#ifdef CONVSCOPE_HAVE_GUI
#include "gui_frame.h"

int gui_font_px(int h, int presenting) {
    int want = h * 18 / 800;
    if (presenting) want = want * 5 / 4;
    return want < 14 ? 14 : want > 44 ? 44 : want;
}

void gui_help_box(SDL_Renderer *r, const VizFonts *f, int w, int h, const char *const *keys, int n) {
    int bw = 0, tw, th;
    for (int i = 0; i < n; i++)
        if (TTF_SizeUTF8(f->mono, keys[i], &tw, &th) == 0 && tw > bw) bw = tw;
    int bh = n * f->mono_line + 40;
    bw += 40;
    SDL_Rect box = {(w - bw) / 2, (h - bh) / 2, bw, bh};
    SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_BLEND);
    SDL_SetRenderDrawColor(r, 10, 12, 16, 235);
    SDL_RenderFillRect(r, &box);
    SDL_SetRenderDrawColor(r, 255, 196, 84, 255);
    SDL_RenderDrawRect(r, &box);
    SDL_Color ink = {230, 232, 236, 255};
    for (int i = 0; i < n; i++) viz_text(r, f->mono, box.x + 20, box.y + 20 + i * f->mono_line, ink, keys[i]);
}

void gui_status_text(SDL_Renderer *r, const VizFonts *f, SDL_Rect at, SDL_Color c, const char *text) {
    int tw = 0, th = 0, ew = 0;
    TTF_SizeUTF8(f->small, text, &tw, &th);
    TTF_SizeUTF8(f->small, " …", &ew, &th);
    if (tw <= at.w) {
        viz_text(r, f->small, at.x, at.y, c, text);
        return;
    }
    SDL_Rect clip = {at.x, at.y, at.w - ew > 0 ? at.w - ew : 0, f->small_line}, old;
    SDL_bool had = SDL_RenderIsClipEnabled(r);
    SDL_RenderGetClipRect(r, &old);
    SDL_RenderSetClipRect(r, &clip);
    viz_text(r, f->small, at.x, at.y, c, text);
    SDL_RenderSetClipRect(r, had ? &old : NULL);
    viz_text(r, f->small, at.x + clip.w, at.y, c, " …");
}
#endif
