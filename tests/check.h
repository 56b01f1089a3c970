/*
 * check.h — tiny test helpers shared by the test executables.
 * CHECK records a failure and goes on; check_close compares two float arrays
 * and prints the first differing values and the largest error (llm.c's
 * check_tensor). main() returns check_finish().
 */
#ifndef CONVSCOPE_CHECK_H
#define CONVSCOPE_CHECK_H

#include <math.h>
#include <stdio.h>
#include <stddef.h>

static int check_failures = 0;
static int check_count = 0;

#define CHECK(cond)                                                              \
    do {                                                                         \
        check_count++;                                                           \
        if (!(cond)) {                                                           \
            check_failures++;                                                    \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                        \
    } while (0)

#define CHECK_EQ_I64(a, b)                                                       \
    do {                                                                         \
        long long va_ = (long long)(a), vb_ = (long long)(b);                    \
        check_count++;                                                           \
        if (va_ != vb_) {                                                        \
            check_failures++;                                                    \
            fprintf(stderr, "%s:%d: %s = %lld, expected %s = %lld\n", __FILE__, __LINE__, \
                    #a, va_, #b, vb_);                                           \
        }                                                                        \
    } while (0)

/* |a - b| <= atol + rtol * |b| everywhere; prints the first 5 mismatches. */
static inline int check_close(const char *what, const float *a, const float *b, size_t n,
                       float atol, float rtol) {
    size_t bad = 0;
    double maxerr = 0;
    size_t maxi = 0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)a[i] - (double)b[i]);
        if (!(d <= atol + rtol * fabs((double)b[i]))) {
            if (bad < 5)
                fprintf(stderr, "  %s[%zu]: got %.7g, expected %.7g\n", what, i, a[i], b[i]);
            bad++;
        }
        if (d > maxerr || d != d) { maxerr = d; maxi = i; }
    }
    check_count++;
    if (bad) {
        check_failures++;
        fprintf(stderr, "%s: %zu of %zu values differ; largest error %.3g at %zu\n", what, bad,
                n, maxerr, maxi);
        return 0;
    }
    return 1;
}

static inline int check_finish(const char *area) {
    if (check_failures) {
        fprintf(stderr, "%s: %d of %d checks failed\n", area, check_failures, check_count);
        return 1;
    }
    printf("%s: all %d checks passed\n", area, check_count);
    return 0;
}

#endif
