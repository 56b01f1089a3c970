/*
 * fps.h — the window's frame rate (view --fps). The window redraws only when
 * something changes, so its frame rate means something only while it draws
 * without pause (a job on the worker, playback, the 3D camera gliding): the
 * time from one frame's start to the next is counted only then. Frames per
 * second are taken over windows of FPS_WINDOW consecutive counted frames
 * (fewer when fewer were counted); the worst frame is the longest single
 * gap. No SDL: the window's loop feeds it.
 */
#ifndef CONVSCOPE_FPS_H
#define CONVSCOPE_FPS_H

#include <stddef.h>

enum { FPS_WINDOW = 30 };

typedef struct {
    double *gap_ms;  /* every counted gap, in order (up to cap) */
    int n, cap;
} FpsMeter;

typedef struct {
    int frames;      /* counted gaps the figures are over */
    int window;      /* frames in each window */
    double min_fps, median_fps, max_fps; /* over the windows */
    double worst_ms; /* the longest gap */
} FpsSummary;

/* 0, or -1 when there is no memory for cap gaps. */
int fps_init(FpsMeter *m, int cap);
void fps_free(FpsMeter *m);
/* One gap between two frames drawn without pause (ignored past cap, or when
 * not a positive finite number). */
void fps_add(FpsMeter *m, double gap_ms);
/* Over every window of the gaps counted (all): 0, or -1 when none was. */
int fps_summary(const FpsMeter *m, FpsSummary *s);
/* Over the last window only (the overlay): 0, or -1 when none was counted. */
int fps_recent(const FpsMeter *m, FpsSummary *s);
/* The line view --fps prints when the window closes, without a newline:
 *   view --fps: min 41.3 median 59.8 max 61.2 fps, worst frame 104.2 ms, 30-frame windows, 812 frames
 * or, when no frame was drawn without pause, a line that says so. */
void fps_line(const FpsMeter *m, char *buf, size_t size);

#endif
