/*
 * measure.c — timing helpers shared by bench, compare and train: a monotonic
 * clock, the median of a set of runs, and a seeded random input.
 */
#include <stdlib.h>
#include <time.h>

#include "app.h"

double app_now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double app_sort_median(double *v, int n) {
    if (n <= 0) return 0.0;
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

void app_fill_random(float *x, size_t n, uint64_t seed) {
    uint64_t s = seed;
    for (size_t i = 0; i < n; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull; /* Knuth's MMIX LCG */
        x[i] = (float)((s >> 40) / 16777216.0) * 2.0f - 1.0f;
    }
}
