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

/* The widest label and description of lines[0..n) in the fonts given. */
static void help_widths(const GuiHelpLine *l, int n, TTF_Font *kf, TTF_Font *wf, int *kw, int *ww) {
    int tw, th;
    *kw = *ww = 0;
    for (int i = 0; i < n; i++) {
        if (l[i].keys && viz_text_size(kf, l[i].keys, &tw, &th) == 0 && tw > *kw) *kw = tw;
        if (l[i].what && viz_text_size(wf, l[i].what, &tw, &th) == 0 && tw > *ww) *ww = tw;
    }
}

void gui_help_box(SDL_Renderer *r, const VizFonts *f, int w, int h, GuiKeysId id) {
    GuiHelpLine l[160];
    const int n = gui_keys_help(id, l, 160, NULL);
    TTF_Font *kf = f->mono;
    int kw, ww, lh = (f->mono_line > f->small_line ? f->mono_line : f->small_line) + 2;
    help_widths(l, n, kf, f->small, &kw, &ww);
    /* as many columns as the height asks for; the labels in the small type
     * too when the columns would be wider than the window */
    int rows = (h - 80) / lh, cols;
    rows = rows < 4 ? 4 : rows;
    cols = (n + rows - 1) / rows;
    if (cols * (kw + ww + 56) > w - 40) {
        kf = f->small;
        help_widths(l, n, kf, f->small, &kw, &ww);
    }
    rows = (n + cols - 1) / cols;
    int col_w = kw + 16 + ww, bw = cols * col_w + (cols - 1) * 40 + 40, bh = rows * lh + 40;
    if (bw > w - 8) bw = w - 8, col_w = (bw - 40 - (cols - 1) * 40) / cols;
    SDL_Rect box = {(w - bw) / 2, (h - bh) / 2, bw, bh};
    SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_BLEND);
    SDL_SetRenderDrawColor(r, 10, 12, 16, 240);
    SDL_RenderFillRect(r, &box);
    SDL_SetRenderDrawColor(r, 255, 196, 84, 255);
    SDL_RenderDrawRect(r, &box);
    const SDL_Color ink = {230, 232, 236, 255}, accent = {255, 196, 84, 255}, dim = {150, 156, 168, 255};
    for (int i = 0; i < n; i++) {
        const int x = box.x + 20 + (i / rows) * (col_w + 40), y = box.y + 20 + (i % rows) * lh;
        if (!l[i].keys) {
            viz_text(r, f->small, x, y + (lh - f->small_line) / 2, dim, l[i].what);
            continue;
        }
        viz_text(r, kf, x, y, accent, l[i].keys);
        gui_status_text(r, f, (SDL_Rect){x + kw + 16, y + (lh - f->small_line) / 2, col_w - kw - 16, f->small_line},
                        ink, l[i].what);
    }
}

void gui_status_text(SDL_Renderer *r, const VizFonts *f, SDL_Rect at, SDL_Color c, const char *text) {
    viz_text_fit(r, f->small, at.x, at.y, at.w, c, text);
}
#endif
