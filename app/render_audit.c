/*
 * render_audit.c — the layout audit of `convscope render --audit` printed:
 * one line of counts, then one line per problem (or all of it as JSON).
 */
#include <stdio.h>

#include "app.h"

#ifdef CONVSCOPE_HAVE_GUI
#include "canvas.h"

static void json_rect(FILE *f, const char *key, SDL_Rect r) {
    fprintf(f, "\"%s\":[%d,%d,%d,%d]", key, r.x, r.y, r.w, r.h);
}

static void json_text(FILE *f, const VizAuditText *t) {
    fputs("{\"text\":", f);
    app_json_str(f, t->text);
    fputc(',', f);
    json_rect(f, "box", t->box);
    fputc(',', f);
    json_rect(f, "ink", t->ink);
    fprintf(f, ",\"px\":%d}", t->px);
}

static const char *const kind_name[] = {"overlap", "clipped", "small", "missing"};

static void print_json(FILE *f, const VizAudit *a, const char *view) {
    fputs("{\"view\":", f);
    app_json_str(f, view);
    fprintf(f, ",\"width\":%d,\"height\":%d,\"min_px\":%d,\"texts\":%d,\"overlaps\":%d,\"clipped\":%d,"
               "\"small\":%d,\"missing_glyphs\":%d,\"problems\":[",
            a->w, a->h, a->min_px, a->n_texts, a->overlaps, a->clipped, a->small, a->missing);
    for (int i = 0; i < a->n_problems; i++) {
        const VizAuditProblem *p = &a->problems[i];
        const VizAuditText *t = &a->texts[p->a];
        fprintf(f, "%s{\"kind\":\"%s\",\"text\":", i ? "," : "", kind_name[p->kind]);
        json_text(f, t);
        if (p->kind == VIZ_AUDIT_OVERLAP) {
            fputs(",\"with\":", f);
            json_text(f, &a->texts[p->b]);
        } else if (p->kind == VIZ_AUDIT_CLIPPED) {
            fprintf(f, ",\"by\":\"%s\",", t->by_panel ? "panel" : "window");
            json_rect(f, "shown", t->shown);
        } else if (p->kind == VIZ_AUDIT_MISSING) {
            fprintf(f, ",\"characters\":%d", t->missing);
        }
        fputc('}', f);
    }
    fputs("],\"drawn\":[", f);
    for (int i = 0; i < a->n_texts; i++) {
        if (i) fputc(',', f);
        json_text(f, &a->texts[i]);
    }
    fputs("]}\n", f);
}

static void print_box(FILE *f, const VizAuditText *t) {
    fprintf(f, "\"%s\" at %d,%d %dx%d", t->text, t->ink.x, t->ink.y, t->ink.w, t->ink.h);
}

void app_audit_print(FILE *f, const VizAudit *a, const char *view, int json) {
    if (json) {
        print_json(f, a, view);
        return;
    }
    fprintf(f, "audit %s %dx%d: %d texts, %d overlaps, %d clipped, %d under %d px, %d missing glyphs\n", view,
            a->w, a->h, a->n_texts, a->overlaps, a->clipped, a->small, a->min_px, a->missing);
    for (int i = 0; i < a->n_problems; i++) {
        const VizAuditProblem *p = &a->problems[i];
        const VizAuditText *t = &a->texts[p->a];
        fprintf(f, "  %-8s ", kind_name[p->kind]);
        print_box(f, t);
        if (p->kind == VIZ_AUDIT_OVERLAP) {
            fputs(" and ", f);
            print_box(f, &a->texts[p->b]);
        } else if (p->kind == VIZ_AUDIT_CLIPPED) {
            fprintf(f, " by its %s (%d,%d %dx%d)", t->by_panel ? "panel" : "window's edge", t->shown.x,
                    t->shown.y, t->shown.w, t->shown.h);
        } else if (p->kind == VIZ_AUDIT_SMALL) {
            fprintf(f, ": %d px", t->px);
        } else {
            fprintf(f, ": %d character%s no font has", t->missing, t->missing == 1 ? "" : "s");
        }
        fputc('\n', f);
    }
}
#endif
