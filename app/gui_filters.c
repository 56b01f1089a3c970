/*
 * gui_filters.c — the current layer's learned filters (F) and how they
 * grew: the snapshots `convscope train` saves beside the weights, one at a
 * time ([ and ] scrub through training) or all at once (E, the evolution,
 * as Zeiler and Fergus 2014, Fig. 4).
 */
#ifdef CONVSCOPE_HAVE_GUI
#include <stdio.h>
#include <string.h>

#include "stepper.h"

/* Snapshot k of the current layer's filters, or NULL if it has none. */
static const float *find_snapshot(const Stepper *s, int k) {
    const Session *ses = &s->ses;
    const EngNode *nd = eng_graph_node(ses->graph, s->sel.current);
    if (nd->op != ENG_OP_CONV || k < 0 || k >= ses->n_steps) return NULL;
    char name[200];
    app_snapshot_name(name, sizeof name, ses->steps[k], nd);
    for (int i = 0; i < ses->n_snaps; i++)
        if (!strcmp(ses->snaps[i].name, name) && ses->snaps[i].n == nd->params[0].n) return ses->snaps[i].data;
    return NULL;
}

/* The snapshot of the current layer's filters at the step shown, or NULL;
 * when says which. */
static const float *snapshot_of(const Stepper *s, char *when, size_t n) {
    const Session *ses = &s->ses;
    const int k = s->filt.snap;
    if (k < 0 || k >= ses->n_steps || eng_graph_node(ses->graph, s->sel.current)->op != ENG_OP_CONV)
        return NULL;
    const float *v = find_snapshot(s, k);
    if (v) {
        if (!strncmp(ses->step_label[k], "step", 4))
            snprintf(when, n, "at %s of training  ([ ] to scrub)", ses->step_label[k]);
        else
            snprintf(when, n, "at %s (step %lld)  ([ ] to scrub)", ses->step_label[k], (long long)ses->steps[k]);
        return v;
    }
    snprintf(when, n, "no snapshot of this layer at %s: trained weights shown", ses->step_label[k]);
    return NULL;
}

int filters_key(Stepper *s, GuiKeyAct k) {
    FiltersView *v = &s->filt;
    const int n_steps = s->ses.n_steps;
    if (k == KEY_FILTERS) {
        v->on = !v->on;
    } else if (k == KEY_FILTER_NORM) {
        v->per_filter = !v->per_filter;
        v->on = !v->evolution;
    } else if (k == KEY_EVOLUTION_DIFF) {
        v->diff = !v->diff;
        v->evolution = 1;
        if (!n_steps) snprintf(s->ses.msg, sizeof s->ses.msg, "no filter snapshots for these weights");
    } else if (k == KEY_EVOLUTION) {
        v->evolution = !v->evolution;
        if (v->evolution && !n_steps) snprintf(s->ses.msg, sizeof s->ses.msg, "no filter snapshots for these weights");
    } else if (k == KEY_SNAP_EARLIER || k == KEY_SNAP_LATER) {
        if (n_steps) { /* -1 (trained) .. n_steps - 1 */
            int to = v->snap < 0 ? n_steps : v->snap;
            to += k == KEY_SNAP_LATER ? 1 : -1;
            v->snap = to < 0 ? 0 : (to >= n_steps ? -1 : to);
            v->on = 1;
        } else {
            snprintf(s->ses.msg, sizeof s->ses.msg, "no filter snapshots for these weights");
        }
    } else {
        return 0;
    }
    return 1;
}

int filters_shown(const Stepper *s) { return s->filt.evolution || s->filt.on; }

/* Every early step, then epochs 1, 2, 5, 10, 20, 30... and the last, as the
 * paper's figure picks epochs 1, 2, 5, 10, 20, 30, 40, 64. */
static void evolution_draw(const Stepper *s, SDL_Renderer *r, const VizFonts *f, SDL_Rect a) {
    const Session *ses = &s->ses;
    const float *snaps[SESSION_SNAPS + 1];
    const char *labels[SESSION_SNAPS + 1];
    int n = 0;
    const EngNode *nd = eng_graph_node(ses->graph, s->sel.current);
    for (int k = 0; k < ses->n_steps && nd->op == ENG_OP_CONV; k++) {
        int ep = 0;
        if (sscanf(ses->step_label[k], "epoch %d", &ep) == 1 && k != ses->n_steps - 1 && ep != 1 && ep != 2 &&
            ep != 5 && ep % 10 != 0)
            continue;
        const float *v = find_snapshot(s, k);
        if (v) snaps[n] = v, labels[n++] = ses->step_label[k];
    }
    viz_draw_evolution(r, f, ses->graph, s->sel.current, a, snaps, labels, n, s->filt.diff);
}

void filters_draw(const Stepper *s, SDL_Renderer *r, const VizFonts *f, SDL_Rect a) {
    if (s->filt.evolution) {
        evolution_draw(s, r, f, a);
        return;
    }
    char when[128] = "";
    const float *snap = snapshot_of(s, when, sizeof when);
    if (!when[0] && s->ses.n_steps)
        snprintf(when, sizeof when, "trained ([ ] scrub through %d snapshots)", s->ses.n_steps);
    viz_draw_filters(r, f, s->ses.graph, s->sel.current, a, snap, when[0] ? when : NULL, s->filt.per_filter);
}
#endif
