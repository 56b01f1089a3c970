/*
 * viz_lesson.c — a lesson's caption: the chapter, the step's heading and
 * its claim in type large enough to read from the back of a classroom,
 * drawn in a panel under the view that shows the claim (the window's lesson
 * screen and `convscope lesson render` draw the same panel).
 * Must not depend on: the engine's state (it draws text only).
 */
#include <string.h>

#include "viz.h"

static const SDL_Color ACCENT = {255, 196, 84, 255};

/* The words of text (paragraphs split at '\n') wrapped into width w from
 * (x, y); r NULL measures. The height used. */
static int paragraphs(SDL_Renderer *r, TTF_Font *font, int x, int y, int w, SDL_Color c, const char *text) {
    char buf[2048];
    int used = 0;
    const int gap = TTF_FontLineSkip(font) / 3;
    while (text && *text) {
        const char *nl = strchr(text, '\n');
        size_t n = nl ? (size_t)(nl - text) : strlen(text);
        if (n >= sizeof buf) n = sizeof buf - 1;
        memcpy(buf, text, n);
        buf[n] = 0;
        used += viz_text_wrap(r, font, x, y + used, w, c, buf);
        text = nl ? nl + 1 : NULL;
        if (text) used += gap;
    }
    return used;
}

/* The panel's margins: a twentieth of the type's size around everything. */
static int pad(const VizFonts *f) { return f->line * 2 / 3; }

static int draw_or_measure(SDL_Renderer *r, const VizFonts *f, const VizCaption *c, SDL_Rect a) {
    const int p = pad(f), x = a.x + 2 * p, w = a.w - 4 * p;
    int y = a.y + p;
    char head[400];
    if (c->steps > 0 && c->counter) snprintf(head, sizeof head, "%s  ·  %s", c->chapter ? c->chapter : "", c->counter);
    else if (c->steps > 0) snprintf(head, sizeof head, "%s  ·  %s %d of %d", c->chapter ? c->chapter : "",
                                    c->question ? "question" : "step", c->step, c->steps);
    else snprintf(head, sizeof head, "%s", c->chapter ? c->chapter : "");
    if (r) viz_text(r, f->small, x, y, viz_dim(), head);
    if (r && c->keys) {
        int tw = 0, th = 0;
        if (viz_text_size(f->small, c->keys, &tw, &th) == 0 && tw < w / 2)
            viz_text(r, f->small, x + w - tw, y, viz_dim(), c->keys);
    }
    y += f->small_line + p / 3;
    if (c->title && c->title[0]) y += paragraphs(r, f->sans, x, y, w, ACCENT, c->title) + p / 3;
    y += paragraphs(r, f->sans, x, y, w, viz_ink(), c->text);
    if (c->answer && c->answer[0]) {
        char ans[LESSON_CAPTION_MAX];
        snprintf(ans, sizeof ans, "Answer: %s", c->answer);
        y += p / 2;
        y += paragraphs(r, f->sans, x, y, w, ACCENT, ans);
    } else if (c->hint && c->hint[0]) {
        y += p / 3;
        y += paragraphs(r, f->small, x, y, w, viz_dim(), c->hint);
    }
    return y + p - a.y;
}

int viz_caption_height(const VizFonts *f, const VizCaption *c, int w) {
    return draw_or_measure(NULL, f, c, (SDL_Rect){0, 0, w, 0});
}

void viz_draw_caption(SDL_Renderer *r, const VizFonts *f, const VizCaption *c, SDL_Rect a) {
    SDL_SetRenderDrawColor(r, 12, 13, 17, 255);
    SDL_RenderFillRect(r, &a);
    SDL_SetRenderDrawColor(r, ACCENT.r, ACCENT.g, ACCENT.b, 255);
    SDL_Rect bar = {a.x, a.y, a.w, 3};
    SDL_RenderFillRect(r, &bar);
    SDL_Rect clip = a;
    SDL_RenderSetClipRect(r, &clip);
    draw_or_measure(r, f, c, a);
    SDL_RenderSetClipRect(r, NULL);
}
