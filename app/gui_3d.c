/*
 * gui_3d.c — the network in 3D in the main panel (3): one slab per layer,
 * the camera orbiting with the mouse, zooming with the wheel, gliding to
 * the current layer as the stepper moves.
 */
#ifdef CONVSCOPE_HAVE_GUI
#include <math.h>

#include "stepper.h"

int view3d_key(Stepper *s, GuiKeyAct k) {
    if (k != KEY_3D) return 0;
    s->v3d.on = !s->v3d.on;
    return 1;
}

/* Drag to orbit, wheel to zoom; 1 when e was the camera's. */
int view3d_event(Stepper *s, const SDL_Event *e, SDL_Rect main) {
    View3d *v = &s->v3d;
    const int shown = v->on && !s->sel.table;
    if (shown && e->type == SDL_MOUSEBUTTONDOWN && e->button.button == SDL_BUTTON_LEFT &&
        SDL_PointInRect(&(SDL_Point){e->button.x, e->button.y}, &main)) {
        v->orbiting = 1;
    } else if (e->type == SDL_MOUSEBUTTONUP) {
        v->orbiting = 0;
    } else if (v->on && v->orbiting && e->type == SDL_MOUSEMOTION) {
        v->cam.yaw += e->motion.xrel * 0.01f;
        v->cam.pitch += e->motion.yrel * 0.01f;
        v->cam.pitch = v->cam.pitch < -1.4f ? -1.4f : v->cam.pitch > 1.4f ? 1.4f : v->cam.pitch;
    } else if (shown && e->type == SDL_MOUSEWHEEL) {
        v->cam.dist *= powf(0.9f, (float)e->wheel.y);
        v->cam.dist = v->cam.dist < 1.5f ? 1.5f : v->cam.dist > 80.0f ? 80.0f : v->cam.dist;
    } else {
        return 0;
    }
    return 1;
}

int view3d_moving(const Stepper *s) {
    return s->v3d.on && fabsf(viz_3d_node_z(s->ses.graph, s->sel.current) - s->v3d.cam.focus_z) > 0.01f;
}

/* The camera glides to the current layer. */
void view3d_update(Stepper *s) {
    if (!s->v3d.on) return;
    float want = viz_3d_node_z(s->ses.graph, s->sel.current);
    s->v3d.cam.focus_z += (want - s->v3d.cam.focus_z) * 0.15f;
}

void view3d_draw(const Stepper *s, SDL_Renderer *r, const VizFonts *f, SDL_Rect a) {
    viz_draw_3d(r, f, s->ses.graph, s->sel.current, a, &s->v3d.cam);
}
#endif
