/*
 * fps.c — the window's frame rate over windows of frames (fps.h).
 */
#include "fps.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int fps_init(FpsMeter *m, int cap) {
    *m = (FpsMeter){0};
    if (cap < 1) return -1;
    m->gap_ms = malloc((size_t)cap * sizeof *m->gap_ms);
    if (!m->gap_ms) return -1;
    m->cap = cap;
    return 0;
}

void fps_free(FpsMeter *m) {
    free(m->gap_ms);
    *m = (FpsMeter){0};
}

void fps_add(FpsMeter *m, double gap_ms) {
    if (!m->gap_ms || m->n >= m->cap || !isfinite(gap_ms) || gap_ms <= 0) return;
    m->gap_ms[m->n++] = gap_ms;
}

static int cmp_double(const void *a, const void *b) {
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Over the windows of w gaps in g[0..n): each window's frames per second,
 * the spread of those, the longest gap. */
static int summarize(const double *g, int n, int w, FpsSummary *s) {
    *s = (FpsSummary){0};
    if (n < 1) return -1;
    if (w > n) w = n;
    const int nw = n - w + 1;
    double *fps = malloc((size_t)nw * sizeof *fps);
    if (!fps) return -1;
    double sum = 0, worst = 0;
    for (int i = 0; i < n; i++) {
        sum += g[i];
        if (g[i] > worst) worst = g[i];
        if (i >= w) sum -= g[i - w];
        if (i >= w - 1) fps[i - (w - 1)] = w * 1000.0 / sum;
    }
    qsort(fps, (size_t)nw, sizeof *fps, cmp_double);
    s->frames = n;
    s->window = w;
    s->min_fps = fps[0];
    s->max_fps = fps[nw - 1];
    s->median_fps = nw % 2 ? fps[nw / 2] : (fps[nw / 2 - 1] + fps[nw / 2]) / 2;
    s->worst_ms = worst;
    free(fps);
    return 0;
}

int fps_summary(const FpsMeter *m, FpsSummary *s) {
    return summarize(m->gap_ms, m->n, FPS_WINDOW, s);
}

int fps_recent(const FpsMeter *m, FpsSummary *s) {
    *s = (FpsSummary){0};
    if (m->n < 1) return -1;
    const int w = m->n < FPS_WINDOW ? m->n : FPS_WINDOW;
    double worst = 0, sum = 0;
    for (int i = m->n - w; i < m->n; i++) {
        sum += m->gap_ms[i];
        if (m->gap_ms[i] > worst) worst = m->gap_ms[i];
    }
    s->frames = w;
    s->window = w;
    s->min_fps = s->median_fps = s->max_fps = w * 1000.0 / sum;
    s->worst_ms = worst;
    return 0;
}

void fps_line(const FpsMeter *m, char *buf, size_t size) {
    FpsSummary s;
    if (fps_summary(m, &s) != 0) {
        snprintf(buf, size, "view --fps: no frames drawn without pause (the window redraws only when "
                            "something changes: play, step or start a job to measure)");
        return;
    }
    snprintf(buf, size, "view --fps: min %.1f median %.1f max %.1f fps, worst frame %.1f ms, %d-frame windows, %d frames",
             s.min_fps, s.median_fps, s.max_fps, s.worst_ms, s.window, s.frames);
}
