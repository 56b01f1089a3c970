/*
 * test_fpsmeter.c — the window's frame-rate figures (app/fps.c, view --fps)
 * on gaps given by hand: frames per second over windows of 30 frames (fewer
 * when fewer were counted), their min, median and max, the worst frame, the
 * last window for the overlay, gaps that are not numbers or past the
 * capacity left out, and the line printed when the window closes.
 */
#include "check.h"
#include "fps.h"

#include <math.h>
#include <string.h>

static int near(double a, double b) { return fabs(a - b) <= 1e-9 * (fabs(b) + 1); }

int main(void) {
    FpsMeter m;
    FpsSummary s;
    char line[256];

    /* nothing counted: no figures, a line that says so */
    CHECK(fps_init(&m, 1000) == 0);
    CHECK(fps_summary(&m, &s) == -1);
    CHECK(fps_recent(&m, &s) == -1);
    fps_line(&m, line, sizeof line);
    CHECK(strncmp(line, "view --fps: no frames", 21) == 0);

    /* fewer than a window: one window of them */
    fps_add(&m, 10);
    fps_add(&m, 30);
    CHECK(fps_summary(&m, &s) == 0);
    CHECK_EQ_I64(s.frames, 2);
    CHECK_EQ_I64(s.window, 2);
    CHECK(near(s.min_fps, 50) && near(s.median_fps, 50) && near(s.max_fps, 50));
    CHECK(near(s.worst_ms, 30));

    /* not numbers, not positive: left out */
    fps_add(&m, 0);
    fps_add(&m, -5);
    fps_add(&m, NAN);
    fps_add(&m, INFINITY);
    CHECK(fps_summary(&m, &s) == 0);
    CHECK_EQ_I64(s.frames, 2);
    fps_free(&m);

    /* 60 frames at 10 ms, then one of 100 ms, then 29 at 20 ms: the 61
     * windows of 30 run from 100 fps (the first 31) down to 30 frames in
     * 100 + 29 * 20 = 680 ms (44.1 fps) */
    CHECK(fps_init(&m, 1000) == 0);
    for (int i = 0; i < 60; i++) fps_add(&m, 10);
    fps_add(&m, 100);
    for (int i = 0; i < 29; i++) fps_add(&m, 20);
    CHECK(fps_summary(&m, &s) == 0);
    CHECK_EQ_I64(s.frames, 90);
    CHECK_EQ_I64(s.window, FPS_WINDOW);
    CHECK(near(s.max_fps, 100));
    CHECK(near(s.min_fps, 30 * 1000.0 / 680));
    CHECK(near(s.worst_ms, 100));
    CHECK(s.min_fps <= s.median_fps && s.median_fps <= s.max_fps);
    /* 61 windows: the median is the 31st slowest. Window k (from 0) starts at
     * gap k; windows 0..30 are all 10 ms gaps or end at gap 59 (100 fps),
     * window 31 takes in the 100 ms gap: 29 * 10 + 100 ms */
    CHECK(near(s.median_fps, 100));
    /* the overlay: the last 30 gaps, the 100 ms one among them */
    CHECK(fps_recent(&m, &s) == 0);
    CHECK_EQ_I64(s.window, 30);
    CHECK(near(s.median_fps, 30 * 1000.0 / 680) && near(s.worst_ms, 100));
    fps_line(&m, line, sizeof line);
    CHECK(strcmp(line, "view --fps: min 44.1 median 100.0 max 100.0 fps, worst frame 100.0 ms, "
                       "30-frame windows, 90 frames") == 0);
    /* a further frame moves the overlay's window past the 100 ms gap */
    fps_add(&m, 20);
    CHECK(fps_recent(&m, &s) == 0);
    CHECK(near(s.median_fps, 50) && near(s.worst_ms, 20));
    fps_free(&m);

    /* past the capacity: left out */
    CHECK(fps_init(&m, 3) == 0);
    for (int i = 0; i < 5; i++) fps_add(&m, 10 * (i + 1));
    CHECK(fps_summary(&m, &s) == 0);
    CHECK_EQ_I64(s.frames, 3);
    CHECK(near(s.worst_ms, 30));
    fps_free(&m);
    CHECK(fps_init(&m, 0) == -1);
    fps_add(&m, 10); /* a meter without room: nothing happens */
    CHECK(fps_summary(&m, &s) == -1);
    return check_finish("fpsmeter");
}
