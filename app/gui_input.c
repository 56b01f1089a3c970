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

#include "stepper.h"

int pad_open(InputPad *p, const Session *ses) {
    const EngNode *in = eng_graph_node(ses->graph, 0);
    p->pending = calloc(session_input_len(ses), sizeof *p->pending);
    p->canvas = calloc((size_t)in->out.H * in->out.W, sizeof *p->canvas);
    p->stroke_x = p->stroke_y = -1;
    return p->pending && p->canvas ? 0 : -1;
}

void pad_close(InputPad *p) {
    free(p->pending);
    free(p->canvas);
    p->pending = p->canvas = NULL;
}

void pad_drop(Stepper *s, const char *path) {
    const EngNode *in = eng_graph_node(s->ses.graph, 0);
    InputPad *p = &s->pad;
    if (app_load_image(path, s->ses.card, p->pending, in->out.C, in->out.H, in->out.W, s->ses.msg,
                       sizeof s->ses.msg) != 0)
        return;
    const char *base = strrchr(path, '/');
    snprintf(p->pending_name, sizeof p->pending_name, "%.300s", base ? base + 1 : path);
    p->pending_dirty = 1;
    p->drawing = 0;
    s->ses.msg[0] = 0;
}

void pad_feed(Stepper *s) {
    Session *ses = &s->ses;
    memcpy(ses->custom, s->pad.pending, session_input_len(ses) * sizeof *ses->custom);
    snprintf(ses->custom_name, sizeof ses->custom_name, "%s", s->pad.pending_name);
    ses->source = SRC_CUSTOM;
    s->pad.pending_dirty = 0;
}

/* The drawing, preprocessed like a picture whose strokes are white on black. */
static void canvas_to_pending(Stepper *s) {
    const EngNode *in = eng_graph_node(s->ses.graph, 0);
    const int C = in->out.C, H = in->out.H, W = in->out.W;
    const ModelPreproc *pre = &s->ses.card->pre;
    InputPad *p = &s->pad;
    for (int c = 0; c < C; c++) {
        float mean = pre->mean[c < 3 ? c : 0], sd = pre->std[c < 3 ? c : 0];
        for (size_t i = 0; i < (size_t)H * W; i++)
            p->pending[(size_t)c * H * W + i] = (255.0f * p->canvas[i] * pre->scale - mean) / (sd != 0 ? sd : 1);
    }
    snprintf(p->pending_name, sizeof p->pending_name, "your drawing (W: stop, Backspace: clear)");
    p->pending_dirty = 1;
}

static void canvas_clear(Stepper *s) {
    const EngNode *in = eng_graph_node(s->ses.graph, 0);
    memset(s->pad.canvas, 0, (size_t)in->out.H * in->out.W * sizeof *s->pad.canvas);
    canvas_to_pending(s);
}

/* A pen stroke from the last point to (y, x) in input pixels: a round brush
 * about as wide as an MNIST stroke, soft at its edge. */
static void canvas_stroke(Stepper *s, float y, float x) {
    const EngNode *in = eng_graph_node(s->ses.graph, 0);
    InputPad *p = &s->pad;
    const int H = in->out.H, W = in->out.W;
    const float k = (float)(H < W ? H : W) / 28.0f, r_in = 0.8f * k, r_out = 1.8f * k;
    float y0 = p->stroke_y < 0 ? y : p->stroke_y, x0 = p->stroke_x < 0 ? x : p->stroke_x;
    int ya = (int)floorf(fminf(y0, y) - r_out), yb = (int)ceilf(fmaxf(y0, y) + r_out);
    int xa = (int)floorf(fminf(x0, x) - r_out), xb = (int)ceilf(fmaxf(x0, x) + r_out);
    const float dy = y - y0, dx = x - x0, len2 = dy * dy + dx * dx;
    for (int py = ya < 0 ? 0 : ya; py <= yb && py < H; py++)
        for (int px = xa < 0 ? 0 : xa; px <= xb && px < W; px++) {
            float cy = py + 0.5f, cx = px + 0.5f, t = 0;
            if (len2 > 0) t = fmaxf(0, fminf(1, ((cy - y0) * dy + (cx - x0) * dx) / len2));
            float ey = cy - (y0 + t * dy), ex = cx - (x0 + t * dx), d = sqrtf(ey * ey + ex * ex);
            float v = fmaxf(0, fminf(1, (r_out - d) / (r_out - r_in)));
            float *c = &p->canvas[(size_t)py * W + px];
            if (v > *c) *c = v;
        }
    p->stroke_y = y, p->stroke_x = x;
    canvas_to_pending(s);
}

/* A stroke to window point (x, y), mapped into input pixels through r. */
static void stroke_to(Stepper *s, SDL_Rect r, int x, int y) {
    const EngNode *in = eng_graph_node(s->ses.graph, 0);
    canvas_stroke(s, (float)(y - r.y) * in->out.H / r.h, (float)(x - r.x) * in->out.W / r.w);
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
            snprintf(ses->msg, sizeof ses->msg, "drawing: the network answers as you draw  ·  Backspace clears  ·  Esc "
                     "ends");
        } else {
            ses->msg[0] = 0;
        }
    } else {
        return 0;
    }
    return 1;
}
#endif
