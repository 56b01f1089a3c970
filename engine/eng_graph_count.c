/*
 * eng_graph_count.c — accounting: learnable parameters, weights and
 * activation bytes per node and per graph, operation counts under a stated
 * convention (each op's count named in eng_op_table), and depth in weighted
 * layers. Reads the graph only.
 *
 * Must not depend on: SDL or anything that draws.
 */
#include "eng_graph_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int64_t eng_node_params(const EngNode *n) {
    int64_t s = 0;
    for (int i = 0; i < n->n_params; i++)
        if (n->params[i].learnable) s += (int64_t)n->params[i].n;
    return s;
}

int64_t eng_node_weights(const EngNode *n) {
    int64_t s = 0;
    for (int i = 0; i < n->n_params; i++)
        if (n->params[i].learnable && n->params[i].kind == ENG_PARAM_WEIGHT)
            s += (int64_t)n->params[i].n;
    return s;
}

int64_t eng_node_act_bytes(const EngNode *n) {
    return (int64_t)n->out.C * n->out.H * n->out.W * (int64_t)sizeof(float);
}

EngTotals eng_graph_totals(const EngGraph *g) {
    EngTotals t = {0};
    if (!g) return t;
    for (int i = 0; i < g->n_nodes; i++) {
        const EngNode *n = &g->nodes[i];
        if (n->flags & ENG_NODE_TRAIN_ONLY) {
            t.train_only_params += eng_node_params(n);
            continue;
        }
        t.params += eng_node_params(n);
        t.weights += eng_node_weights(n);
        t.macs += n->macs;
        t.act_bytes += eng_node_act_bytes(n);
    }
    return t;
}

int64_t eng_graph_layer_act_bytes(const EngGraph *g) {
    int64_t b = 0;
    for (int i = 0; g && i < g->n_nodes; i++) {
        const EngNode *n = &g->nodes[i];
        if (n->flags & ENG_NODE_TRAIN_ONLY) continue;
        switch (n->op) {
        case ENG_OP_INPUT: case ENG_OP_CONV: case ENG_OP_CONVT: case ENG_OP_MAXPOOL: case ENG_OP_AVGPOOL:
        case ENG_OP_GAVGPOOL: case ENG_OP_GMAXPOOL: case ENG_OP_FC: b += eng_node_act_bytes(n); break;
        default: break;
        }
    }
    return b;
}

static int has_bias(const EngNode *n) {
    for (int i = 0; i < n->n_params; i++)
        if (n->params[i].kind == ENG_PARAM_BIAS) return 1;
    return 0;
}

/* ---- each op's operations per sample (see EngCount) ------------------------- */

/* conv, convT, FC, matmul: the multiply-adds, the bias adds when counted */
int64_t eng_ops_weighted(const EngNode *n, EngCount c, int64_t e, int64_t plane) {
    (void)plane;
    return n->macs * (c.flops ? 2 : 1) + (c.bias && has_bias(n) ? e : 0);
}
/* a product of two computed tensors: its multiply-adds, as a matmul's, though
 * it holds no weights (it is no layer of the network's depth) */
int64_t eng_ops_bmm(const EngNode *n, EngCount c, int64_t e, int64_t plane) {
    (void)e, (void)plane;
    return n->macs * (c.flops ? 2 : 1);
}
int64_t eng_ops_bn(const EngNode *n, EngCount c, int64_t e, int64_t plane) {
    (void)n, (void)plane;
    return c.bn ? e * (c.flops ? 2 : 1) : 0;
}
int64_t eng_ops_act(const EngNode *n, EngCount c, int64_t e, int64_t plane) {
    (void)n, (void)plane;
    return c.act ? e : 0;
}
/* exp, sum, divide */
int64_t eng_ops_softmax(const EngNode *n, EngCount c, int64_t e, int64_t plane) {
    (void)n, (void)plane;
    return c.act ? 3 * e : 0;
}
/* window - 1 compares */
int64_t eng_ops_maxpool(const EngNode *n, EngCount c, int64_t e, int64_t plane) {
    (void)plane;
    return c.other ? e * ((int64_t)n->p.pool.kh * n->p.pool.kw - 1) : 0;
}
int64_t eng_ops_avgpool(const EngNode *n, EngCount c, int64_t e, int64_t plane) {
    (void)plane;
    return c.other ? e * ((int64_t)n->p.pool.kh * n->p.pool.kw) : 0;
}
int64_t eng_ops_gavgpool(const EngNode *n, EngCount c, int64_t e, int64_t plane) {
    (void)n;
    return c.other ? e * plane : 0;
}
int64_t eng_ops_gmaxpool(const EngNode *n, EngCount c, int64_t e, int64_t plane) {
    (void)n;
    return c.other ? e * (plane - 1) : 0;
}
int64_t eng_ops_add(const EngNode *n, EngCount c, int64_t e, int64_t plane) {
    (void)plane;
    return c.other ? e * (n->n_inputs - 1) : 0;
}
int64_t eng_ops_mul(const EngNode *n, EngCount c, int64_t e, int64_t plane) {
    (void)n, (void)plane;
    return c.other ? e : 0;
}
/* n - 1 adds and the divide */
int64_t eng_ops_join(const EngNode *n, EngCount c, int64_t e, int64_t plane) {
    (void)plane;
    return c.other ? e * n->n_inputs : 0;
}
/* bilinear: the four weighted taps; nearest copies */
int64_t eng_ops_resize(const EngNode *n, EngCount c, int64_t e, int64_t plane) {
    (void)plane;
    if (!c.other || n->p.resize.mode != ENG_RESIZE_LINEAR) return 0;
    return e * 4 * (c.flops ? 2 : 1);
}
int64_t eng_ops_affine(const EngNode *n, EngCount c, int64_t e, int64_t plane) {
    (void)plane;
    return c.other ? e * (n->p.affine.has_scale + n->p.affine.has_shift) : 0;
}
/* size multiply-adds for the sum of squares, then the power and the scale */
int64_t eng_ops_lrn(const EngNode *n, EngCount c, int64_t e, int64_t plane) {
    (void)plane;
    return c.other ? e * ((int64_t)n->p.lrn.size * (c.flops ? 2 : 1) + 3) : 0;
}

/* a normalisation ("bn"): 4 per unit (the mean's add, the squared deviation,
 * the subtraction, the multiply by 1/std), then weight and bias as one
 * multiply-add */
int64_t eng_ops_layernorm(const EngNode *n, EngCount c, int64_t e, int64_t plane) {
    (void)n, (void)plane;
    return c.bn ? e * (4 + (c.flops ? 2 : 1)) : 0;
}

int64_t eng_node_ops(const EngNode *n, const EngGraph *g, EngCount c) {
    const int64_t e = (int64_t)n->out.C * n->out.H * n->out.W;
    int64_t plane = 0;
    if (n->n_inputs > 0 && g && n->inputs[0] >= 0 && n->inputs[0] < g->n_nodes) {
        const EngShape *in = &g->nodes[n->inputs[0]].out;
        plane = (int64_t)in->H * in->W;
    }
    if (n->op < 0 || n->op >= ENG_OP_COUNT || !eng_op_table[n->op].ops) return 0;
    return eng_op_table[n->op].ops(n, c, e, plane);
}

int64_t eng_graph_ops(const EngGraph *g, EngCount c) {
    int64_t t = 0;
    if (!g) return 0;
    for (int i = 0; i < g->n_nodes; i++)
        if (!(g->nodes[i].flags & ENG_NODE_TRAIN_ONLY)) t += eng_node_ops(&g->nodes[i], g, c);
    return t;
}

int eng_count_parse(const char *s, EngCount *c) {
    EngCount r = {0};
    if (!s) return -1;
    size_t len = strcspn(s, ",");
    if (len == 4 && !strncmp(s, "macs", 4)) r.flops = 0;
    else if (len == 5 && !strncmp(s, "flops", 5)) r.flops = 1;
    else return -1;
    for (s += len; *s == ',';) {
        s++;
        len = strcspn(s, ",");
        if (len == 4 && !strncmp(s, "bias", 4)) r.bias = 1;
        else if (len == 2 && !strncmp(s, "bn", 2)) r.bn = 1;
        else if (len == 3 && !strncmp(s, "act", 3)) r.act = 1;
        else if (len == 5 && !strncmp(s, "other", 5)) r.other = 1;
        else if (len == 3 && !strncmp(s, "all", 3)) r.bias = r.bn = r.act = r.other = 1;
        else return -1;
        s += len;
    }
    *c = r;
    return 0;
}

void eng_count_describe(EngCount c, char *buf, size_t n) {
    snprintf(buf, n, "%s%s%s%s%s", c.flops ? "FLOPs (2 per multiply-add)" : "MACs (1 per multiply-add)",
             c.bias ? " + bias" : "", c.bn ? " + batch norm" : "", c.act ? " + activations" : "",
             c.other ? " + pooling, adds, LRN" : "");
}

void eng_graph_node_depths(const EngGraph *g, int *d) {
    for (int i = 0; g && i < g->n_nodes; i++) {
        const EngNode *n = &g->nodes[i];
        d[i] = 0;
        if (n->flags & ENG_NODE_TRAIN_ONLY) continue;
        int m = 0;
        for (int k = 0; k < n->n_inputs; k++)
            if (d[n->inputs[k]] > m) m = d[n->inputs[k]];
        d[i] = m + eng_op_table[n->op].weighted;
    }
}

int eng_graph_depth(const EngGraph *g) {
    if (!g || g->n_nodes == 0) return 0;
    int *d = malloc((size_t)g->n_nodes * sizeof *d);
    if (!d) return -1;
    eng_graph_node_depths(g, d);
    int best = 0;
    for (int i = 0; i < g->n_nodes; i++)
        if (d[i] > best) best = d[i];
    free(d);
    return best;
}


EngPaths eng_graph_paths(const EngGraph *g) {
    EngPaths r = {0};
    if (!g || g->n_nodes == 0) return r;
    /* n[i]: paths from an input to node i; s[i]: the sum over them of their
     * weighted layers. Nodes come after their inputs, so one pass suffices. */
    double *n = calloc((size_t)g->n_nodes, sizeof *n), *s = calloc((size_t)g->n_nodes, sizeof *s);
    if (!n || !s) {
        free(n);
        free(s);
        return r;
    }
    for (int i = 0; i < g->n_nodes; i++) {
        const EngNode *nd = &g->nodes[i];
        if (nd->flags & ENG_NODE_TRAIN_ONLY) continue;
        if (nd->op == ENG_OP_INPUT) n[i] = 1;
        for (int k = 0; k < nd->n_inputs; k++) {
            int in = nd->inputs[k];
            if (in < 0 || in >= i) continue;
            n[i] += n[in];
            s[i] += s[in];
        }
        s[i] += n[i] * eng_op_table[nd->op].weighted;
    }
    int out = eng_graph_output(g);
    if (out >= 0 && out < g->n_nodes && n[out] > 0) {
        r.paths = n[out];
        r.log2_paths = log2(n[out]);
        r.mean_depth = s[out] / n[out];
    }
    for (int i = 0; i <= out && i < g->n_nodes; i++)
        if (g->nodes[i].op == ENG_OP_ADD && g->nodes[i].n_inputs >= 2 && n[i] > 0 &&
            !(g->nodes[i].flags & ENG_NODE_TRAIN_ONLY))
            r.adds++;
    r.pure_residual = r.paths > 0 && r.adds < 1024 && r.paths == ldexp(1.0, r.adds);
    free(n);
    free(s);
    return r;
}

static int node_groups(const EngNode *n) {
    if (n->op == ENG_OP_CONV) return n->p.conv.groups;
    if (n->op == ENG_OP_CONVT) return n->p.convt.groups;
    return 1;
}

void eng_graph_group_roles(const EngGraph *g, int *role) {
    if (!g || g->n_nodes == 0) return;
    /* out[i]: the groups node i's output is split into as the next weighted
     * layer sees it: a weighted node's own, else the largest of its inputs'.
     * Nodes come after their inputs: one pass, whatever the graph. */
    int *out = malloc((size_t)g->n_nodes * sizeof *out);
    if (!out) {
        memset(role, 0, (size_t)g->n_nodes * sizeof *role);
        return;
    }
    /* fc[i]: the groups a fully connected layer upstream mixes (-G), carried
     * to the next FC: in the two-GPU network every hidden FC layer is split
     * in halves that each read both halves of the layer below (Krizhevsky et
     * al., Fig. 2: fc6 and fc7); the classifier, the last weighted layer, is one. */
    int *fc = calloc((size_t)g->n_nodes, sizeof *fc), last = -1;
    if (!fc) {
        free(out);
        memset(role, 0, (size_t)g->n_nodes * sizeof *role);
        return;
    }
    for (int i = 0; i < g->n_nodes; i++)
        if (eng_op_table[g->nodes[i].op].weighted) last = i;
    for (int i = 0; i < g->n_nodes; i++) {
        const EngNode *n = &g->nodes[i];
        int up = 1, mixed = 0;
        for (int k = 0; k < n->n_inputs; k++) {
            int in = n->inputs[k];
            int gin = in >= 0 && in < i ? out[in] : 1;
            if (gin > up) up = gin;
            if (in >= 0 && in < i && fc[in] < mixed) mixed = fc[in];
        }
        int gr = node_groups(n);
        int weighted = eng_op_table[n->op].weighted;
        role[i] = !weighted ? 0 : gr > 1 ? gr : up > 1 ? -up : 0;
        if (weighted && n->op == ENG_OP_FC && role[i] == 0 && mixed < 0 && i != last) role[i] = mixed;
        out[i] = weighted ? gr : up;
        fc[i] = weighted ? (n->op == ENG_OP_FC ? role[i] : 0) : mixed;
    }
    free(fc);
    free(out);
}

void eng_graph_set_devices(EngGraph *g, int devices) {
    if (g) g->devices = devices > 1 ? devices : 0;
}

int eng_graph_devices(const EngGraph *g) { return g && g->devices > 1 ? g->devices : 1; }

int eng_graph_device_roles(const EngGraph *g, int *dev) {
    if (!g || g->n_nodes == 0) return 0;
    memset(dev, 0, (size_t)g->n_nodes * sizeof *dev);
    const int D = eng_graph_devices(g);
    if (D < 2) return 0;
    int *role = malloc((size_t)g->n_nodes * sizeof *role);
    if (!role) return 0;
    eng_graph_group_roles(g, role);
    int n_split = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        const EngNode *n = &g->nodes[i];
        if (n->flags & ENG_NODE_TRAIN_ONLY) continue;
        int split_in = 0; /* an input held in one part per device */
        for (int k = 0; k < n->n_inputs; k++) {
            int in = n->inputs[k];
            if (in >= 0 && in < i && dev[in] != ENG_DEV_NONE && dev[in] != ENG_DEV_JOIN) split_in = 1;
        }
        if (!eng_op_table[n->op].weighted) dev[i] = split_in ? ENG_DEV_OWN : ENG_DEV_NONE;
        else if (role[i] == D) dev[i] = ENG_DEV_OWN;
        else if (role[i] == -D) dev[i] = ENG_DEV_EXCHANGE;
        else if (split_in) dev[i] = ENG_DEV_JOIN;
        else if (eng_graph_filter_groups(g, i) == D) dev[i] = ENG_DEV_WHOLE;
        else dev[i] = ENG_DEV_NONE;
        n_split += dev[i] == ENG_DEV_WHOLE || dev[i] == ENG_DEV_OWN || dev[i] == ENG_DEV_EXCHANGE;
    }
    free(role);
    return n_split;
}

const char *eng_device_role_name(int role) {
    static const char *const names[] = {"-", "whole", "own", "exchange", "join"};
    return role >= 0 && role <= ENG_DEV_JOIN ? names[role] : "-";
}

const char *eng_fmt_device_role(int devices, int role, char *buf, size_t n) {
    const int two = devices == 2;
    char who[48];
    if (two) snprintf(who, sizeof who, "GPU 1 | GPU 2");
    else snprintf(who, sizeof who, "split over %d devices", devices);
    switch (role) {
    case ENG_DEV_WHOLE: snprintf(buf, n, "%s, each reads the whole input", who); break;
    case ENG_DEV_OWN: snprintf(buf, n, "%s, each reads its own %s", who, two ? "half" : "part"); break;
    case ENG_DEV_EXCHANGE:
        snprintf(buf, n, "%s, each reads %s: the %s exchange data", who, two ? "both halves" : "every part",
                 two ? "GPUs" : "devices");
        break;
    case ENG_DEV_JOIN: snprintf(buf, n, "one output reading %s", two ? "both GPUs' halves" : "every device's part"); break;
    default: snprintf(buf, n, "%s", ""); break;
    }
    return buf;
}

int eng_graph_filter_groups(const EngGraph *g, int id) {
    if (!g || id < 0 || id >= g->n_nodes) return 1;
    const EngNode *n = &g->nodes[id];
    if (n->op != ENG_OP_CONV) return 1;
    if (n->p.conv.groups > 1) return n->p.conv.groups;
    /* reach[j]: node j sees id's output through unweighted nodes only */
    char *reach = calloc((size_t)g->n_nodes, 1);
    if (!reach) return 1;
    reach[id] = 1;
    int best = 1;
    for (int j = id + 1; j < g->n_nodes; j++) {
        const EngNode *m = &g->nodes[j];
        int fed = 0;
        for (int k = 0; k < m->n_inputs; k++) {
            int in = m->inputs[k];
            if (in >= id && in < j && reach[in]) fed = 1;
        }
        if (!fed) continue;
        if (eng_op_table[m->op].weighted) {
            int gr = node_groups(m);
            if (gr > best) best = gr;
        } else {
            reach[j] = 1;
        }
    }
    free(reach);
    return best > 1 && n->p.conv.oc % best == 0 ? best : 1;
}

int eng_node_window(const EngNode *n, EngWindow *w) {
    *w = (EngWindow){0};
    if (n->op == ENG_OP_CONV) {
        const EngConvParams *c = &n->p.conv;
        *w = (EngWindow){c->kh, c->kw, c->sh, c->sw, c->pt, c->pl, c->pb, c->pr,
                         c->dh, c->dw, c->groups, 1, 1};
    } else if (n->op == ENG_OP_CONVT) {
        const EngConvTParams *c = &n->p.convt;
        *w = (EngWindow){c->kh, c->kw, c->sh, c->sw, c->pt, c->pl, c->pb, c->pr,
                         c->dh, c->dw, c->groups, 1, 1};
    } else if (n->op == ENG_OP_MAXPOOL || n->op == ENG_OP_AVGPOOL) {
        const EngPoolParams *q = &n->p.pool;
        *w = (EngWindow){q->kh, q->kw, q->sh, q->sw, q->pt, q->pl, q->pb, q->pr,
                         q->dh, q->dw, 0, n->op == ENG_OP_MAXPOOL, 0};
    } else {
        return 0;
    }
    return 1;
}

void eng_fmt_window(const EngNode *n, char cells[ENG_WIN_CELLS][48]) {
    EngWindow w;
    for (int k = 0; k < ENG_WIN_CELLS; k++) snprintf(cells[k], 48, "-");
    if (!eng_node_window(n, &w)) return;
    snprintf(cells[ENG_WIN_KERNEL], 48, "%dx%d", w.kh, w.kw);
    eng_fmt_hw(w.sh, w.sw, cells[ENG_WIN_STRIDE], 48);
    if (w.pt == w.pb && w.pl == w.pr) eng_fmt_hw(w.pt, w.pl, cells[ENG_WIN_PADS], 48);
    else snprintf(cells[ENG_WIN_PADS], 48, "%d,%d,%d,%d", w.pt, w.pl, w.pb, w.pr);
    if (w.has_dil) eng_fmt_hw(w.dh, w.dw, cells[ENG_WIN_DIL], 48);
    if (w.has_groups) snprintf(cells[ENG_WIN_GROUPS], 48, "%d", w.groups);
}
