/*
 * gui_erf.c — the effective receptive field of the selected unit (Luo et
 * al. 2016): the gradient of that one activation with respect to every
 * input pixel (eng_graph_unit_grad), drawn as a heat map on the input
 * panel beside the theoretical field's box. Computed on the worker.
 */
#ifdef CONVSCOPE_HAVE_GUI
#include <stdio.h>
#include <stdlib.h>

#include "stepper.h"

void erf_clear(ErfView *v) {
    free(v->map);
    v->map = NULL;
}

void erf_update(Stepper *s) {
    const StepperSel *v = &s->sel;
    erf_clear(&s->erf);
    if (v->zoom < 0 || v->sel_y < 0 || v->sel_x < 0) return;
    if (!eng_graph_node(s->ses.graph, v->current)->grad) return; /* nothing flows back to it */
    const EngNode *in = eng_graph_node(s->ses.graph, 0);
    float *map = malloc((size_t)in->out.H * in->out.W * sizeof *map); /* (H, W) */
    if (!map) {
        snprintf(s->ses.msg, sizeof s->ses.msg, "no memory for the effective receptive field");
        return;
    }
    if (eng_graph_unit_grad(s->ses.graph, v->current, v->zoom, v->sel_y, v->sel_x, map) != 0) {
        free(map);
        snprintf(s->ses.msg, sizeof s->ses.msg, "no effective receptive field through this network");
        return;
    }
    s->erf.map = map;
}
#endif
