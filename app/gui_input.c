/*
 * gui_input.c — choosing what the network sees: the next or previous test
 * image (N, P), the synthetic patterns (G), an image file dropped on the
 * window, or a drawing made with the mouse on the input panel (W). A file
 * or the drawing is made here, on the thread that draws, into the pad's
 * pending buffer; it goes into the session when the worker is free.
 */
#ifdef CONVSCOPE_HAVE_GUI
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "digit_prep.h"
#include "stepper.h"

int pad_open(InputPad *p, const Session *ses) {
    const EngNode *in = eng_graph_node(ses->graph, 0);
    digit_canvas_size(in->out.H, in->out.W, &p->ch, &p->cw);
    p->pending = calloc(session_input_len(ses), sizeof *p->pending);
    p->canvas = calloc((size_t)p->ch * p->cw, sizeof *p->canvas);
    p->brush = DIGIT_BRUSH_DEFAULT;
    p->stroke_x = p->stroke_y = -1;
    return p->pending && p->canvas ? 0 : -1;
}

void pad_close(InputPad *p) {
    free(p->pending);
    free(p->canvas);
    p->pending = p->canvas = NULL;
}

/* The file in p->drop_path into the pending input, preprocessed as the
 * session says (read again when the inversion changes). */
static int pad_load_drop(Stepper *s) {
    const EngNode *in = eng_graph_node(s->ses.graph, 0);
    InputPad *p = &s->pad;
    if (app_load_image_prep(p->drop_path, s->ses.card, s->ses.prep, s->ses.invert, p->pending, in->out.C,
                            in->out.H, in->out.W, s->ses.msg, sizeof s->ses.msg, &p->prep) != 0)
        return -1;
    app_image_input_name(p->drop_path, s->ses.prep, s->ses.invert, &p->prep, p->pending_name,
                         sizeof p->pending_name);
    p->pending_dirty = 1;
    s->ses.msg[0] = 0;
    return 0;
}

void pad_drop(Stepper *s, const char *path) {
    InputPad *p = &s->pad;
    char keep[sizeof p->drop_path];
    memcpy(keep, p->drop_path, sizeof keep);
    snprintf(p->drop_path, sizeof p->drop_path, "%s", path);
    if (pad_load_drop(s) != 0) {
        memcpy(p->drop_path, keep, sizeof keep); /* the last good file stays the one I reads again */
        return;
    }
    p->drawing = 0;
}

void pad_feed(Stepper *s) {
    Session *ses = &s->ses;
    memcpy(ses->custom, s->pad.pending, session_input_len(ses) * sizeof *ses->custom);
    snprintf(ses->custom_name, sizeof ses->custom_name, "%s", s->pad.pending_name);
    ses->source = SRC_CUSTOM;
    s->pad.pending_dirty = 0;
}

/* The drawing into the pending input: for a model fed MNIST-made pictures,
 * boxed and centred as its data set's were (digit_prep.h); else the whole
 * canvas resized to the input. */
static void canvas_to_pending(Stepper *s) {
    const EngNode *in = eng_graph_node(s->ses.graph, 0);
    const int C = in->out.C, H = in->out.H, W = in->out.W;
    InputPad *p = &s->pad;
    float d28[DIGIT_SIDE * DIGIT_SIDE];
    if (s->ses.prep == DIGIT_PREP_NONE ||
        digit_prep(p->canvas, p->ch, p->cw, s->ses.prep, s->ses.invert, d28, &p->prep) != 0) {
        memset(&p->prep, 0, sizeof p->prep);
        digit_plain_input(p->canvas, p->ch, p->cw, &s->ses.card->pre, p->pending, C, H, W);
    } else {
        digit_to_input(d28, &s->ses.card->pre, p->pending, C, H, W);
    }
    snprintf(p->pending_name, sizeof p->pending_name, "your drawing (W: stop, Backspace: clear)");
    p->pending_dirty = 1;
}

static void canvas_clear(Stepper *s) {
    memset(s->pad.canvas, 0, (size_t)s->pad.ch * s->pad.cw * sizeof *s->pad.canvas);
    canvas_to_pending(s);
}

/* A pen stroke from the last point to (y, x) in canvas pixels. */
static void canvas_stroke(Stepper *s, float y, float x) {
    InputPad *p = &s->pad;
    float y0 = p->stroke_y < 0 ? y : p->stroke_y, x0 = p->stroke_x < 0 ? x : p->stroke_x;
    digit_brush(p->canvas, p->ch, p->cw, y0, x0, y, x,
                digit_brush_width(p->brush, p->ch < p->cw ? p->ch : p->cw));
    p->stroke_y = y, p->stroke_x = x;
    canvas_to_pending(s);
}

/* A stroke to window point (x, y), mapped into canvas pixels through r. */
static void stroke_to(Stepper *s, SDL_Rect r, int x, int y) {
    canvas_stroke(s, (float)(y - r.y) * s->pad.ch / r.h, (float)(x - r.x) * s->pad.cw / r.w);
}

static void brush_step(Stepper *s, int d) {
    InputPad *p = &s->pad;
    p->brush += d;
    p->brush = p->brush < 1 ? 1 : p->brush > DIGIT_BRUSH_LEVELS ? DIGIT_BRUSH_LEVELS : p->brush;
}

/* 1 when the mouse is over r. */
static int wheel_on(const SDL_Rect *r) {
    SDL_Point m;
    SDL_GetMouseState(&m.x, &m.y);
    return SDL_PointInRect(&m, r);
}

int pad_event(Stepper *s, const StepperFrame *fr, const SDL_Event *e) {
    InputPad *p = &s->pad;
    if (!p->drawing) return 0;
    if (!s->sel.table && e->type == SDL_MOUSEBUTTONDOWN && e->button.button == SDL_BUTTON_LEFT &&
        SDL_PointInRect(&(SDL_Point){e->button.x, e->button.y}, &fr->in_rect)) {
        p->stroke_x = p->stroke_y = -1; /* the pen goes down */
        stroke_to(s, fr->in_rect, e->button.x, e->button.y);
    } else if (e->type == SDL_MOUSEMOTION && (e->motion.state & SDL_BUTTON_LMASK) && p->stroke_x >= 0) {
        stroke_to(s, fr->in_rect, e->motion.x, e->motion.y);
    } else if (e->type == SDL_MOUSEBUTTONUP) {
        p->stroke_x = p->stroke_y = -1;
    } else if (gui_key_event(KEYS_DRAWING, e, NULL) == KEY_ERASE) {
        canvas_clear(s);
    } else if (gui_key_event(KEYS_DRAWING, e, NULL) == KEY_LESS) {
        brush_step(s, -1);
    } else if (gui_key_event(KEYS_DRAWING, e, NULL) == KEY_MORE) {
        brush_step(s, +1);
    } else if (e->type == SDL_MOUSEWHEEL && wheel_on(&fr->in_rect)) {
        brush_step(s, e->wheel.y > 0 ? 1 : e->wheel.y < 0 ? -1 : 0); /* the wheel over the canvas: the pen */
    } else {
        return 0;
    }
    return 1;
}

int input_key(Stepper *s, GuiKeyAct k) {
    Session *ses = &s->ses;
    if (k == KEY_IMAGE_NEXT || k == KEY_IMAGE_PREV) {
        s->pad.drawing = 0;
        if (ses->test.n > 0 && ses->source == SRC_DATA) ses->sample += k == KEY_IMAGE_NEXT ? 1 : -1;
        else if (ses->test.n <= 0) ses->pattern += k == KEY_IMAGE_NEXT ? 1 : -1;
        ses->source = SRC_DATA;
        stepper_want(s, JOB_INPUT);
    } else if (k == KEY_PATTERNS) { /* synthetic patterns */
        s->pad.drawing = 0;
        if (ses->source == SRC_PATTERN || (ses->test.n <= 0 && ses->source == SRC_DATA)) ses->pattern++;
        ses->source = SRC_PATTERN;
        stepper_want(s, JOB_INPUT);
    } else if (k == KEY_DRAW) { /* the input panel becomes a canvas */
        s->pad.drawing = !s->pad.drawing;
        if (s->pad.drawing) {
            canvas_clear(s);
            snprintf(ses->msg, sizeof ses->msg, "drawing  ·  - + pen  ·  Backspace clears  ·  Esc ends");
        } else {
            ses->msg[0] = 0;
        }
    } else if (k == KEY_INVERT && ses->prep != DIGIT_PREP_NONE && (s->pad.drawing || ses->source == SRC_CUSTOM)) {
        ses->invert = (ses->invert + 1) % 3; /* auto, on, off */
        if (s->pad.drawing) canvas_to_pending(s);
        else if (s->pad.drop_path[0]) pad_load_drop(s);
        else snprintf(ses->msg, sizeof ses->msg, "invert %s: for the next image file or drawing",
                      digit_invert_name(ses->invert));
    } else {
        return 0;
    }
    return 1;
}
/* An (h, w) plane as a grey texture, lo..hi stretched to black..white (destroy it). */
static SDL_Texture *grey_texture(SDL_Renderer *r, const float *v, int h, int w, float lo, float hi) {
    SDL_Surface *sf = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_RGBA32);
    if (!sf) return NULL;
    const float k = hi > lo ? 255.0f / (hi - lo) : 0.0f;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            float t = (v[(size_t)y * w + x] - lo) * k;
            Uint8 *px = (Uint8 *)sf->pixels + (size_t)y * sf->pitch + 4 * (size_t)x;
            px[0] = px[1] = px[2] = (Uint8)(t < 0 ? 0 : t > 255 ? 255 : t);
            px[3] = 255;
        }
    SDL_Texture *t = SDL_CreateTextureFromSurface(r, sf);
    SDL_FreeSurface(sf);
    return t;
}

void pad_draw(const Stepper *s, SDL_Renderer *r, const VizFonts *f, SDL_Rect area, SDL_Rect in) {
    const InputPad *p = &s->pad;
    const Session *ses = &s->ses;
    const EngNode *nd = eng_graph_node(ses->graph, 0);
    const SDL_Color accent = {255, 196, 84, 255}, dim = viz_dim();
    char cap[160];
    if (ses->prep == DIGIT_PREP_NONE)
        snprintf(cap, sizeof cap, "drawing · pen %d/%d (- +)", p->brush, DIGIT_BRUSH_LEVELS);
    else if (ses->invert == DIGIT_INVERT_AUTO)
        snprintf(cap, sizeof cap, "drawing · pen %d/%d (- +) · invert auto: %s (I)", p->brush, DIGIT_BRUSH_LEVELS,
                 p->prep.inverted ? "on" : "off");
    else
        snprintf(cap, sizeof cap, "drawing · pen %d/%d (- +) · invert %s (I)", p->brush, DIGIT_BRUSH_LEVELS,
                 digit_invert_name(ses->invert));
    viz_text_in(r, f->small, (SDL_Rect){area.x, area.y, area.w, f->small_line + 2}, area.x, area.y, accent, cap);
    SDL_Texture *t = grey_texture(r, p->canvas, p->ch, p->cw, 0.0f, 1.0f);
    if (t) SDL_RenderCopy(r, t, NULL, &in), SDL_DestroyTexture(t);
    SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_BLEND);
    if (ses->prep == DIGIT_PREP_MNIST) { /* MNIST's 20 of 28: a digit written this size is scaled least */
        const int gw = in.w * 20 / DIGIT_SIDE, gh = in.h * 20 / DIGIT_SIDE;
        SDL_Rect g = {in.x + (in.w - gw) / 2, in.y + (in.h - gh) / 2, gw, gh};
        SDL_SetRenderDrawColor(r, 90, 200, 255, 150);
        SDL_RenderDrawRect(r, &g);
        viz_text_in(r, f->small, g, g.x + 4, g.y + 2, (SDL_Color){90, 200, 255, 200}, "write about this size");
    }
    /* what the network is fed, small, in the bottom-right corner */
    const int iw = in.w / 4 > 24 ? in.w / 4 : 24, ih = (int)((int64_t)iw * nd->out.H / nd->out.W);
    SDL_Rect box = {in.x + in.w - iw - 4, in.y + in.h - ih - 4, iw, ih};
    const size_t plane = (size_t)nd->out.H * nd->out.W;
    float lo = p->pending[0], hi = p->pending[0];
    for (size_t i = 1; i < plane; i++) lo = fminf(lo, p->pending[i]), hi = fmaxf(hi, p->pending[i]);
    t = grey_texture(r, p->pending, nd->out.H, nd->out.W, lo, hi > lo ? hi : lo + 1);
    if (t) SDL_RenderCopy(r, t, NULL, &box), SDL_DestroyTexture(t);
    SDL_SetRenderDrawColor(r, 255, 196, 84, 255);
    SDL_Rect frame = {box.x - 1, box.y - 1, box.w + 2, box.h + 2};
    SDL_RenderDrawRect(r, &frame);
    int tw = 0, th = 0;
    viz_text_size(f->small, "network input", &tw, &th);
    viz_text_in(r, f->small, in, box.x + box.w - tw, box.y - th - 2, dim, "network input");
}
#endif
