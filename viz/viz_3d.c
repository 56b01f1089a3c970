/*
 * viz_3d.c — the network as a stack of slabs in 3D, the way TensorSpace
 * shows it: one slab per layer along z, its height and width from the
 * output map's side, its thickness from the channel count; branches side by
 * side; the current layer's feature maps as textured planes inside its slab.
 * cglm makes the camera (perspective and look-at); SDL_RenderGeometry draws
 * the faces, sorted far to near.
 */
#include <cglm/cglm.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "viz.h"

#define MAX3D 512
#define MAX_FACES (MAX3D * 6 + 64)

/* The colours of the edges drawn as arcs: into an add (a shortcut) and into
 * a concatenation (branches joined). */
static const SDL_Color ARC_ADD = {240, 110, 200, 255}, ARC_CAT = {90, 210, 210, 255};

static int is_act(EngOpType op) {
    return op == ENG_OP_RELU || op == ENG_OP_LEAKYRELU || op == ENG_OP_PRELU || op == ENG_OP_CLIP ||
           op == ENG_OP_SIGMOID || op == ENG_OP_TANH || op == ENG_OP_HARDSIGMOID ||
           op == ENG_OP_HARDSWISH || op == ENG_OP_SILU || op == ENG_OP_GELU || op == ENG_OP_MISH ||
           op == ENG_OP_BN || op == ENG_OP_DROPOUT || op == ENG_OP_DROP_PATH || op == ENG_OP_LRN ||
           op == ENG_OP_LAYERNORM;
}

typedef struct {
    int n;
    int rep[MAX3D];                 /* the slab a node is drawn in (activations join their producer) */
    float x[MAX3D], z[MAX3D];       /* slab centre */
    float side_h[MAX3D], side_w[MAX3D], depth[MAX3D];
    int level[MAX3D];               /* the slab's row along z */
} Layout3d;

/* Slabs: level = longest path from the input in shown nodes; one row of
 * slabs per level, side by side when branches run in parallel. */
static int layout3d(const EngGraph *g, Layout3d *L) {
    int n = eng_graph_node_count(g);
    if (n <= 0 || n > MAX3D) return -1;
    L->n = n;
    static int level[MAX3D], per[MAX3D];
    memset(per, 0, sizeof per);
    const EngShape in = eng_graph_node(g, 0)->out;
    const float ref = sqrtf((float)in.H * in.W);
    int levels = 0;
    for (int i = 0; i < n; i++) {
        const EngNode *nd = eng_graph_node(g, i);
        L->rep[i] = i;
        if (nd->flags & ENG_NODE_TRAIN_ONLY) {
            L->rep[i] = -1;
            continue;
        }
        if (is_act(nd->op) && nd->n_inputs == 1 && L->rep[nd->inputs[0]] >= 0) {
            L->rep[i] = L->rep[nd->inputs[0]];
            continue;
        }
        int lv = 0;
        for (int k = 0; k < nd->n_inputs; k++) {
            int s = L->rep[nd->inputs[k]];
            if (s >= 0 && level[s] + 1 > lv) lv = level[s] + 1;
        }
        level[i] = lv;
        L->level[i] = lv;
        per[lv]++;
        if (lv + 1 > levels) levels = lv + 1;
        float side = sqrtf((float)nd->out.H * nd->out.W) / (ref > 0 ? ref : 1);
        L->side_h[i] = 0.3f + 3.0f * side * (float)nd->out.H / sqrtf((float)nd->out.H * nd->out.W);
        L->side_w[i] = 0.3f + 3.0f * side * (float)nd->out.W / sqrtf((float)nd->out.H * nd->out.W);
        L->depth[i] = 0.08f + 0.12f * log2f((float)nd->out.C + 1.0f);
        if (nd->out.H == 1 && nd->out.W == 1) { /* a vector: a tall thin bar */
            L->side_h[i] = 0.4f + 0.35f * log2f((float)nd->out.C + 1.0f);
            L->side_w[i] = 0.2f;
            L->depth[i] = 0.2f;
        }
    }
    float z = 0;
    for (int lv = 0; lv < levels; lv++) {
        float thick = 0, width = 0;
        for (int i = 0; i < n; i++)
            if (L->rep[i] == i && level[i] == lv) {
                thick = fmaxf(thick, L->depth[i]);
                width += fmaxf(L->side_w[i], 0.5f) + 0.6f;
            }
        float x = -width / 2;
        for (int i = 0; i < n; i++)
            if (L->rep[i] == i && level[i] == lv) {
                float w = fmaxf(L->side_w[i], 0.5f) + 0.6f;
                L->x[i] = per[lv] > 1 ? x + w / 2 : 0.0f;
                L->z[i] = z + thick / 2;
                x += w;
            }
        z += thick + 0.9f;
    }
    return 0;
}

float viz_3d_node_z(const EngGraph *g, int id) {
    static Layout3d L;
    if (layout3d(g, &L) != 0 || id < 0 || id >= L.n || L.rep[id] < 0) return 0;
    return L.z[L.rep[id]];
}

typedef struct {
    SDL_Vertex v[4];
    float depth;
    int tex;      /* index into the textures, -1 none */
} Face;

static int by_depth(const void *a, const void *b) {
    float da = ((const Face *)a)->depth, db = ((const Face *)b)->depth;
    return da < db ? 1 : da > db ? -1 : 0;
}

/* Project p with mvp into area; 0 when behind the camera. */
static int project(mat4 mvp, const float p[3], SDL_Rect area, SDL_FPoint *out, float *w) {
    vec4 v = {p[0], p[1], p[2], 1.0f}, o;
    glm_mat4_mulv(mvp, v, o);
    if (o[3] < 0.05f) return 0;
    out->x = area.x + (o[0] / o[3] * 0.5f + 0.5f) * area.w;
    out->y = area.y + (1.0f - (o[1] / o[3] * 0.5f + 0.5f)) * area.h;
    *w = o[3];
    return 1;
}

static SDL_Color op_colour(EngOpType op) {
    switch (op) {
    case ENG_OP_INPUT: return (SDL_Color){200, 200, 200, 255};
    case ENG_OP_CONV:
    case ENG_OP_CONVT: return (SDL_Color){86, 150, 220, 255};
    case ENG_OP_MAXPOOL:
    case ENG_OP_AVGPOOL:
    case ENG_OP_GAVGPOOL:
    case ENG_OP_GMAXPOOL: return (SDL_Color){60, 170, 120, 255};
    case ENG_OP_FC: return (SDL_Color){230, 150, 60, 255};
    default: return (SDL_Color){150, 150, 160, 255};
    }
}

/* A slab's label: the current one with its shape, the output and FC layers
 * with their width (their bars look alike), others by name; a name that
 * already says "output" is not told so again. */
static void slab_line(const EngGraph *g, int i, int cur, int is_out, char *line, size_t n) {
    const EngNode *nd = eng_graph_node(g, i);
    if (i == cur) snprintf(line, n, "%s  %dx%dx%d", nd->name, nd->out.C, nd->out.H, nd->out.W);
    else if (is_out && strstr(nd->name, "output")) snprintf(line, n, "%s, %d", nd->name, nd->out.C);
    else if (is_out) snprintf(line, n, "%s (output, %d)", nd->name, nd->out.C);
    else if (nd->op == ENG_OP_FC) snprintf(line, n, "%s (FC, %d)", nd->name, nd->out.C);
    else snprintf(line, n, "%s", nd->name);
}

/* Places a label box of tw x th for slab i: above its top, else below its
 * bottom, where it leaves the area (less `foot` at the bottom) and covers no
 * box placed (with a gap between two names). 1 and *at when it fits. */
static int slab_spot(const Layout3d *L, int i, mat4 mvp, SDL_Rect area, int foot, int tw, int th,
                     const SDL_Rect *placed, int n_placed, SDL_Rect *at) {
    for (int below = 0; below < 2; below++) {
        float end[3] = {L->x[i], below ? -L->side_h[i] / 2 - 0.15f : L->side_h[i] / 2 + 0.15f, L->z[i]};
        SDL_FPoint p;
        float w;
        if (!project(mvp, end, area, &p, &w)) continue;
        const SDL_Rect box = {(int)p.x - 20, below ? (int)p.y + 2 : (int)p.y - th, tw, th};
        int ok = box.x >= area.x && box.y >= area.y && box.x + box.w <= area.x + area.w &&
                 box.y + box.h <= area.y + area.h - foot;
        const SDL_Rect room = {box.x - 6, box.y, box.w + 12, box.h};
        SDL_Rect both;
        for (int k = 0; k < n_placed && ok; k++) ok = !SDL_IntersectRect(&room, &placed[k], &both);
        if (ok) {
            *at = box;
            return 1;
        }
    }
    return 0;
}

/* Names at the current slab and its six neighbours either side (the
 * current one first, then the nearest ones), then the output and every
 * fully connected layer wherever they are; each above its slab, or below it
 * when that spot is taken, and left out only when neither is free. */
static void slab_labels(SDL_Renderer *r, const VizFonts *f, const EngGraph *g, const Layout3d *L, int cur,
                        mat4 mvp, SDL_Rect area) {
    SDL_Rect placed[13 + 64];
    int n_placed = 0;
    const int out = eng_graph_output(g) >= 0 && eng_graph_output(g) < L->n ? L->rep[eng_graph_output(g)] : -1;
    const int foot = f->small_line + 8; /* the key line */
    char *done = calloc((size_t)(L->n > 0 ? L->n : 1), 1);
    if (!done) return;
    for (int d = 0; d <= 6 && n_placed < 13; d++)
        for (int side = 0; side < (d ? 2 : 1); side++) {
            const int i = cur < 0 ? (side ? -1 : d) : side ? cur - d : cur + d;
            if (i < 0 || i >= L->n || L->rep[i] != i || done[i]) continue;
            char line[160];
            slab_line(g, i, cur, i == out, line, sizeof line);
            TTF_Font *font = i == cur ? f->sans : f->small;
            int tw, th;
            SDL_Rect box;
            if (viz_text_size(font, line, &tw, &th) != 0 ||
                !slab_spot(L, i, mvp, area, foot, tw, th, placed, n_placed, &box))
                continue;
            placed[n_placed++] = box;
            done[i] = 1;
            const int far = i != cur && (i == out || eng_graph_node(g, i)->op == ENG_OP_FC);
            viz_text(r, font, box.x, box.y, i == cur ? viz_ink() : far ? (SDL_Color){230, 150, 60, 255} : viz_dim(),
                     line);
        }
    for (int i = L->n - 1; i >= 0 && n_placed < 13 + 64; i--) {
        if (L->rep[i] != i || i == cur || done[i]) continue;
        if (i != out && eng_graph_node(g, i)->op != ENG_OP_FC) continue;
        char line[160];
        slab_line(g, i, cur, i == out, line, sizeof line);
        int tw, th;
        SDL_Rect box;
        if (viz_text_size(f->small, line, &tw, &th) != 0 ||
            !slab_spot(L, i, mvp, area, foot, tw, th, placed, n_placed, &box))
            continue;
        placed[n_placed++] = box;
        done[i] = 1;
        viz_text(r, f->small, box.x, box.y, (SDL_Color){230, 150, 60, 255}, line);
    }
    free(done);
}

/* The graph's edges between slabs: an edge into an add or a concatenation,
 * or one that passes over a row of slabs, as an arc above the slabs (its
 * colour says which join); a branch that leaves its row sideways as a
 * straight grey line. Edges from one slab to the one right behind it are
 * the stack itself and are not drawn. */
static void edges_3d(SDL_Renderer *r, const EngGraph *g, const Layout3d *L, mat4 mvp, SDL_Rect area) {
    for (int i = 0; i < L->n; i++) {
        if (L->rep[i] != i) continue;
        const EngNode *nd = eng_graph_node(g, i);
        const int join = nd->op == ENG_OP_ADD || nd->op == ENG_OP_CONCAT;
        for (int k = 0; k < nd->n_inputs; k++) {
            const int s = nd->inputs[k] >= 0 && nd->inputs[k] < L->n ? L->rep[nd->inputs[k]] : -1;
            if (s < 0 || s == i) continue;
            const int span = L->level[i] - L->level[s];
            const int arc = span > 1 || (join && fabsf(L->x[i] - L->x[s]) > 0.01f);
            if (!arc && fabsf(L->x[i] - L->x[s]) < 0.01f) continue; /* straight behind: the stack */
            const float a[3] = {L->x[s], L->side_h[s] / 2, L->z[s] + L->depth[s] / 2};
            const float b[3] = {L->x[i], L->side_h[i] / 2, L->z[i] - L->depth[i] / 2};
            const SDL_Color c = !arc ? (SDL_Color){120, 126, 140, 255}
                                     : nd->op == ENG_OP_CONCAT ? ARC_CAT : ARC_ADD;
            SDL_SetRenderDrawColor(r, c.r, c.g, c.b, 255);
            const float lift = arc ? 0.4f + 0.25f * (float)(span > 1 ? span : 1) : 0.0f;
            SDL_FPoint prev = {0, 0};
            int have = 0;
            for (int t = 0; t <= 24; t++) {
                const float u = (float)t / 24.0f;
                float p[3] = {a[0] + (b[0] - a[0]) * u, a[1] + (b[1] - a[1]) * u + lift * sinf(3.14159265f * u),
                              a[2] + (b[2] - a[2]) * u};
                SDL_FPoint q;
                float w;
                if (!project(mvp, p, area, &q, &w)) {
                    have = 0;
                    continue;
                }
                if (have) {
                    SDL_RenderDrawLineF(r, prev.x, prev.y, q.x, q.y);
                    if (arc) SDL_RenderDrawLineF(r, prev.x, prev.y + 1, q.x, q.y + 1);
                }
                prev = q, have = 1;
            }
        }
    }
}

void viz_draw_3d(SDL_Renderer *r, const VizFonts *f, const EngGraph *g, int current, SDL_Rect area,
                 const Viz3dCamera *cam) {
    static Layout3d L;
    static Face faces[MAX_FACES];
    const SDL_Color dim = viz_dim();
    if (layout3d(g, &L) != 0) {
        viz_text(r, f->sans, area.x, area.y, dim, "too many layers for the 3D view");
        return;
    }
    SDL_Rect clip;
    SDL_bool had = SDL_RenderIsClipEnabled(r);
    SDL_RenderGetClipRect(r, &clip);
    SDL_RenderSetClipRect(r, &area);
    SDL_SetRenderDrawColor(r, 18, 20, 26, 255);
    SDL_RenderFillRect(r, &area);

    mat4 proj, view, mvp;
    glm_perspective(glm_rad(45.0f), (float)area.w / (float)(area.h > 0 ? area.h : 1), 0.1f, 500.0f, proj);
    vec3 target = {0.0f, 0.0f, cam->focus_z};
    vec3 eye = {target[0] + cam->dist * cosf(cam->pitch) * sinf(cam->yaw), target[1] + cam->dist * sinf(cam->pitch),
                target[2] - cam->dist * cosf(cam->pitch) * cosf(cam->yaw)};
    vec3 up = {0.0f, 1.0f, 0.0f};
    glm_lookat(eye, target, up, view);
    glm_mat4_mul(proj, view, mvp);
    vec3 light = {0.4f, 0.8f, -0.5f};
    glm_vec3_normalize(light);

    const int cur = current >= 0 && current < L.n ? L.rep[current] : -1;
    int nf = 0;
    /* the slabs: six faces each, lit by their normal */
    static const int quad[6][4] = {{0, 1, 3, 2}, {4, 6, 7, 5}, {0, 4, 5, 1}, {2, 3, 7, 6}, {0, 2, 6, 4}, {1, 5, 7, 3}};
    static const float normal[6][3] = {{0, 0, -1}, {0, 0, 1}, {0, -1, 0}, {0, 1, 0}, {-1, 0, 0}, {1, 0, 0}};
    for (int i = 0; i < L.n; i++) {
        if (L.rep[i] != i) continue;
        const EngNode *nd = eng_graph_node(g, i);
        float hx = L.side_w[i] / 2, hy = L.side_h[i] / 2, hz = L.depth[i] / 2;
        float corner[8][3];
        for (int c = 0; c < 8; c++) {
            corner[c][0] = L.x[i] + ((c & 4) ? hx : -hx);
            corner[c][1] = (c & 2) ? hy : -hy;
            corner[c][2] = L.z[i] + ((c & 1) ? hz : -hz);
        }
        SDL_Color base = i == cur ? (SDL_Color){255, 196, 84, 255} : op_colour(nd->op);
        for (int q = 0; q < 6 && nf < MAX_FACES; q++) {
            Face *fc = &faces[nf];
            float depth = 0;
            int ok = 1;
            float lit = 0.45f + 0.55f * fmaxf(0.0f, glm_vec3_dot((float *)normal[q], light));
            Uint8 alpha = i == cur ? 90 : 255; /* the current slab lets its maps show */
            for (int k = 0; k < 4 && ok; k++) {
                float w;
                ok = project(mvp, corner[quad[q][k]], area, &fc->v[k].position, &w);
                depth += w / 4;
                fc->v[k].color = (SDL_Color){(Uint8)(base.r * lit), (Uint8)(base.g * lit), (Uint8)(base.b * lit), alpha};
                fc->v[k].tex_coord = (SDL_FPoint){0, 0};
            }
            if (!ok) continue;
            fc->depth = depth;
            fc->tex = -1;
            nf++;
        }
    }
    /* the current layer's maps: up to 16 channels as planes across its slab */
    SDL_Texture *tex[16] = {0};
    int ntex = 0;
    if (cur >= 0) {
        const EngNode *nd = eng_graph_node(g, current);
        const int C = nd->out.C, H = nd->out.H, W = nd->out.W;
        if (nd->act && H > 1 && W > 1) {
            int show = C < 16 ? C : 16;
            float lo = INFINITY, hi = -INFINITY;
            for (size_t k = 0; k < (size_t)show * H * W; k++) lo = fminf(lo, nd->act[k]), hi = fmaxf(hi, nd->act[k]);
            float hx = L.side_w[cur] / 2 * 0.96f, hy = L.side_h[cur] / 2 * 0.96f, hz = L.depth[cur] / 2;
            for (int c = 0; c < show && nf < MAX_FACES; c++) {
                tex[ntex] = viz_plane_texture(r, nd->act + (size_t)c * H * W, H, W, lo, hi);
                if (!tex[ntex]) break;
                float z = L.z[cur] - hz + (show > 1 ? 2 * hz * c / (show - 1) : hz);
                float pts[4][3] = {{L.x[cur] - hx, hy, z}, {L.x[cur] + hx, hy, z}, {L.x[cur] + hx, -hy, z}, {L.x[cur] - hx, -hy, z}};
                static const SDL_FPoint uv[4] = {{0, 0}, {1, 0}, {1, 1}, {0, 1}};
                Face *fc = &faces[nf];
                float depth = 0;
                int ok = 1;
                for (int k = 0; k < 4 && ok; k++) {
                    float w;
                    ok = project(mvp, pts[k], area, &fc->v[k].position, &w);
                    depth += w / 4;
                    fc->v[k].color = (SDL_Color){255, 255, 255, 255};
                    fc->v[k].tex_coord = uv[k];
                }
                if (!ok) {
                    SDL_DestroyTexture(tex[ntex]);
                    tex[ntex] = NULL;
                    continue;
                }
                fc->depth = depth - 0.001f;
                fc->tex = ntex++;
                nf++;
            }
        }
    }
    qsort(faces, (size_t)nf, sizeof *faces, by_depth);
    SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_BLEND);
    static const int idx[6] = {0, 1, 2, 0, 2, 3};
    for (int k = 0; k < nf; k++) {
        SDL_Texture *t = faces[k].tex >= 0 ? tex[faces[k].tex] : NULL;
        SDL_RenderGeometry(r, t, faces[k].v, 4, idx, 6);
    }
    for (int k = 0; k < ntex; k++) SDL_DestroyTexture(tex[k]);
    SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_NONE);
    edges_3d(r, g, &L, mvp, area);
    slab_labels(r, f, g, &L, cur, mvp, area);
    /* the key: what the colours mean, with swatches (the arcs' only where the graph has them) */
    int has_add = 0, has_cat = 0;
    for (int i = 0; i < L.n; i++) {
        if (L.rep[i] != i) continue;
        has_add |= eng_graph_node(g, i)->op == ENG_OP_ADD;
        has_cat |= eng_graph_node(g, i)->op == ENG_OP_CONCAT;
    }
    const struct { SDL_Color c; const char *what; int on; } key[] = {
        {{86, 150, 220, 255}, "conv", 1},
        {{60, 170, 120, 255}, "pool", 1},
        {{230, 150, 60, 255}, "FC", 1},
        {{150, 150, 160, 255}, "other", 1},
        {ARC_ADD, "shortcut into an add", has_add},
        {ARC_CAT, "branches into a concat", has_cat},
    };
    int kx = area.x + 8;
    const int ky = area.y + 8;
    for (size_t k = 0; k < sizeof key / sizeof key[0]; k++) {
        if (!key[k].on) continue;
        int tw = 0, th = 0;
        if (viz_text_size(f->small, key[k].what, &tw, &th) != 0) continue;
        if (kx + 18 + tw > area.x + area.w - 8) break;
        SDL_SetRenderDrawColor(r, key[k].c.r, key[k].c.g, key[k].c.b, 255);
        SDL_Rect sw = {kx, ky + (f->small_line - 12) / 2, 12, 12};
        SDL_RenderFillRect(r, &sw);
        viz_text(r, f->small, kx + 18, ky, dim, key[k].what);
        kx += 18 + tw + 16;
    }
    char tag[200]; /* the network's shape (the current layer's GPUs, or the paths), at the key's right */
    int tw = 0, th = 0;
    if (viz_network_tag(g, cur, tag, sizeof tag) && viz_text_size(f->small, tag, &tw, &th) == 0 &&
        kx + tw <= area.x + area.w - 8)
        viz_text(r, f->small, area.x + area.w - 8 - tw, ky, dim, tag);
    viz_text_fit(r, f->small, area.x + 8, area.y + area.h - f->small_line - 6, area.w - 16, dim,
             "drag: orbit  ·  wheel: zoom  ·  Left/Right: step  ·  3: back to the maps");
    SDL_RenderSetClipRect(r, had ? &clip : NULL);
}
