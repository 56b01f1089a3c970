/*
 * viz_audit.c — the layout audit: every string viz_text draws, recorded with
 * its box and the box of its ink, then checked for overlaps, clipping, type
 * too small to read at the window's height and characters no face can draw.
 * The ink decides (not the font's line box, whose padding may touch the next
 * line without any letter touching).
 */
#include <stdlib.h>
#include <string.h>

#include "viz.h"

static struct {
    int on, w, h, failed;
    SDL_Rect panel;
    VizAuditText *t;
    int n, cap;
} rec;

int viz_audit_min_px(int h) {
    const int px = h * VIZ_SMALL_MIN_PX / 800;
    return px < VIZ_SMALL_MIN_PX ? VIZ_SMALL_MIN_PX : px;
}

void viz_audit_begin(int w, int h) {
    free(rec.t);
    SDL_zero(rec);
    rec.on = 1, rec.w = w, rec.h = h;
    rec.panel = (SDL_Rect){0, 0, w, h};
}

void viz_audit_panel(SDL_Rect panel) { rec.panel = panel; }

/* The bounding box of the pixels of surf at least a third opaque, offset by
 * (x, y); w 0 when there are none. */
static SDL_Rect ink_box(SDL_Surface *surf, int x, int y) {
    SDL_Rect box = {0, 0, 0, 0};
    if (surf->format->BytesPerPixel != 4 || SDL_LockSurface(surf) != 0) return box;
    int x0 = surf->w, y0 = surf->h, x1 = -1, y1 = -1;
    for (int j = 0; j < surf->h; j++) {
        const Uint32 *row = (const Uint32 *)((const Uint8 *)surf->pixels + (size_t)j * (size_t)surf->pitch);
        for (int i = 0; i < surf->w; i++) {
            Uint8 cr, cg, cb, ca;
            SDL_GetRGBA(row[i], surf->format, &cr, &cg, &cb, &ca);
            if (ca < 86) continue;
            if (i < x0) x0 = i;
            if (i > x1) x1 = i;
            if (j < y0) y0 = j;
            if (j > y1) y1 = j;
        }
    }
    SDL_UnlockSurface(surf);
    if (x1 >= 0) box = (SDL_Rect){x + x0, y + y0, x1 - x0 + 1, y1 - y0 + 1};
    return box;
}

/* s cut to fit n bytes, at a character's boundary. */
static void copy_text(char *dst, size_t n, const char *s) {
    size_t len = strlen(s);
    if (len >= n) {
        len = n - 1;
        while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80) len--;
    }
    memcpy(dst, s, len);
    dst[len] = 0;
}

static int inside(SDL_Rect in, SDL_Rect out) {
    return in.x >= out.x && in.y >= out.y && in.x + in.w <= out.x + out.w && in.y + in.h <= out.y + out.h;
}

void viz_audit_text(SDL_Renderer *r, SDL_Surface *surf, int x, int y, int px, const char *s, int missing) {
    if (!rec.on || rec.failed) return;
    if (rec.n == rec.cap) {
        int cap = rec.cap ? rec.cap * 2 : 256;
        VizAuditText *t = cap < (1 << 20) ? realloc(rec.t, (size_t)cap * sizeof *t) : NULL;
        if (!t) {
            rec.failed = 1;
            return;
        }
        rec.t = t, rec.cap = cap;
    }
    VizAuditText *t = &rec.t[rec.n++];
    SDL_zerop(t);
    copy_text(t->text, sizeof t->text, s);
    t->box = (SDL_Rect){x, y, surf->w, surf->h};
    t->ink = ink_box(surf, x, y);
    t->px = px, t->missing = missing;
    const SDL_Rect win = {0, 0, rec.w, rec.h};
    SDL_Rect shown, clip;
    if (!SDL_IntersectRect(&win, &rec.panel, &shown)) shown = (SDL_Rect){0, 0, 0, 0};
    if (r && SDL_RenderIsClipEnabled(r)) {
        SDL_RenderGetClipRect(r, &clip);
        if (!SDL_IntersectRect(&shown, &clip, &shown)) shown = (SDL_Rect){0, 0, 0, 0};
    }
    t->shown = shown;
    t->by_panel = inside(t->ink, win);
}

static int add_problem(VizAudit *a, int *cap, VizAuditKind kind, int i, int j) {
    if (a->n_problems == *cap) {
        int c = *cap ? *cap * 2 : 64;
        VizAuditProblem *p = c < (1 << 24) ? realloc(a->problems, (size_t)c * sizeof *p) : NULL;
        if (!p) return -1;
        a->problems = p, *cap = c;
    }
    a->problems[a->n_problems++] = (VizAuditProblem){kind, i, j};
    return 0;
}

/* The problems of string i, and its overlaps with the strings after it. */
static int check(VizAudit *a, int *cap, int i) {
    const VizAuditText *t = &a->texts[i];
    if (t->missing) {
        a->missing += t->missing;
        if (add_problem(a, cap, VIZ_AUDIT_MISSING, i, -1)) return -1;
    }
    if (t->px < a->min_px) {
        a->small++;
        if (add_problem(a, cap, VIZ_AUDIT_SMALL, i, -1)) return -1;
    }
    if (!t->ink.w) return 0;
    if (!inside(t->ink, t->shown)) {
        a->clipped++;
        if (add_problem(a, cap, VIZ_AUDIT_CLIPPED, i, -1)) return -1;
    }
    for (int j = i + 1; j < a->n_texts; j++) {
        SDL_Rect both;
        if (!a->texts[j].ink.w || !SDL_IntersectRect(&t->ink, &a->texts[j].ink, &both)) continue;
        a->overlaps++;
        if (add_problem(a, cap, VIZ_AUDIT_OVERLAP, i, j)) return -1;
    }
    return 0;
}

int viz_audit_end(VizAudit *a) {
    SDL_zerop(a);
    a->w = rec.w, a->h = rec.h, a->min_px = viz_audit_min_px(rec.h);
    a->texts = rec.t, a->n_texts = rec.n;
    const int failed = rec.failed;
    rec.t = NULL;
    SDL_zero(rec);
    int cap = 0;
    for (int i = 0; i < a->n_texts && !failed; i++)
        if (check(a, &cap, i) != 0) return -1;
    return failed ? -1 : 0;
}

void viz_audit_free(VizAudit *a) {
    free(a->texts);
    free(a->problems);
    SDL_zerop(a);
}
