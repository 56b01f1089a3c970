/*
 * gui_browse.c — the test set as pages of thumbnails in the main panel (B):
 * a click feeds the image to the network; PgUp and PgDn turn the pages.
 */
#ifdef CONVSCOPE_HAVE_GUI
#include <stdio.h>

#include "stepper.h"

/* Where thumbnail k of the page is in area a; *per_page: how many fit. */
static SDL_Rect browse_tile(const VizFonts *f, SDL_Rect a, int k, int *per_page) {
    const int tile = 96, gap = 12, cap = f->small_line + 2;
    int cols = (a.w + gap) / (tile + gap), rows = (a.h - f->line - 8 + gap) / (tile + cap + gap);
    cols = cols < 1 ? 1 : cols, rows = rows < 1 ? 1 : rows;
    *per_page = cols * rows;
    return (SDL_Rect){a.x + (k % cols) * (tile + gap), a.y + f->line + 8 + (k / cols) * (tile + cap + gap), tile,
                      tile + cap};
}

void browse_show_sample(Stepper *s, const VizFonts *f, SDL_Rect main) {
    int per;
    browse_tile(f, main, 0, &per);
    const int k = s->ses.sample; /* in 0..n-1 once fed (session_set_input) */
    s->browse.page = s->ses.source == SRC_DATA && k >= 0 && k < s->ses.test.n ? k / per : 0;
}

int browse_key(Stepper *s, GuiKeyAct k, const VizFonts *f, SDL_Rect main) {
    BrowseView *v = &s->browse;
    const int n = s->ses.test.n;
    if (k == KEY_BROWSE) {
        v->on = n > 0 && !v->on;
        if (n <= 0) snprintf(s->ses.msg, sizeof s->ses.msg, "no test set to browse for this model");
        else browse_show_sample(s, f, main);
        return 1;
    }
    if (!v->on || (k != KEY_PAGE_DOWN && k != KEY_PAGE_UP)) return 0; /* PgUp/PgDn: the maps' */
    int per;
    browse_tile(f, main, 0, &per);
    if (k == KEY_PAGE_DOWN && (v->page + 1) * per < n) v->page++;
    if (k == KEY_PAGE_UP) v->page = v->page > 0 ? v->page - 1 : 0;
    return 1;
}

/* A click on a thumbnail: that image is the input (on the worker). */
int browse_event(Stepper *s, const SDL_Event *e, const VizFonts *f, SDL_Rect main) {
    if (!s->browse.on || s->sel.table || e->type != SDL_MOUSEBUTTONDOWN || e->button.button != SDL_BUTTON_LEFT)
        return 0;
    const SDL_Point at = {e->button.x, e->button.y};
    if (!SDL_PointInRect(&at, &main)) return 0;
    int per;
    browse_tile(f, main, 0, &per);
    for (int k = 0; k < per; k++) {
        SDL_Rect t = browse_tile(f, main, k, &per);
        int idx = s->browse.page * per + k;
        if (idx < s->ses.test.n && SDL_PointInRect(&at, &t)) {
            s->ses.sample = idx;
            s->ses.source = SRC_DATA;
            s->pad.drawing = 0;
            stepper_want(s, JOB_INPUT);
        }
    }
    return 1;
}

void browse_draw(const Stepper *s, SDL_Renderer *r, const VizFonts *f, SDL_Rect a) {
    const EngDataset *d = &s->ses.test;
    int per;
    browse_tile(f, a, 0, &per);
    const int first = s->browse.page * per;
    char line[256];
    /* numbered from 0, as the thumbnails, the status line and --image-index */
    snprintf(line, sizeof line, "%s: images #%d-#%d of %d  ·  click one to feed it  ·  PgUp/PgDn  ·  B closes",
             d->name, first, (first + per < d->n ? first + per : d->n) - 1, d->n);
    viz_text_fit(r, f->sans, a.x, a.y, a.w, viz_ink(), line);
    const size_t chw = (size_t)d->c * d->h * d->w;
    for (int k = 0; k < per && first + k < d->n; k++) {
        int idx = first + k, lb = d->labels[idx];
        SDL_Rect t = browse_tile(f, a, k, &per);
        snprintf(line, sizeof line, "#%d %s", idx, s->ses.labels && lb < s->ses.n_labels ? s->ses.labels[lb] : "");
        viz_draw_planes(r, f, d->images + idx * chw, d->c, d->h, d->w, t, 0, line);
        if (idx == s->ses.sample && s->ses.source == SRC_DATA) {
            SDL_SetRenderDrawColor(r, 255, 196, 84, 255);
            SDL_Rect hl = {t.x - 3, t.y - 3, t.w + 6, t.h + 6};
            SDL_RenderDrawRect(r, &hl);
        }
    }
}
#endif
