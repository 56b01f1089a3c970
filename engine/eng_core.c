/*
 * eng_core.c — assertions, the log callback, overflow-checked sizes and the
 * thread setting shared by the whole engine. No SDL, no drawing.
 */
#include "eng.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void eng_assert_fail(const char *file, int line, const char *expr) {
    fprintf(stderr, "%s:%d: ENG_ASSERT(%s) failed\n", file, line, expr);
    fflush(stderr);
    abort();
}

static void default_log(EngLogLevel level, const char *msg, void *user) {
    (void)user;
    if (level >= ENG_LOG_WARN) fprintf(stderr, "%s\n", msg);
}

static EngLogFn log_fn = default_log;
static void *log_user = NULL;

void eng_log_set(EngLogFn fn, void *user) {
    log_fn = fn ? fn : default_log;
    log_user = user;
}

void eng_log(EngLogLevel level, const char *fmt, ...) {
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    log_fn(level, buf, log_user);
}

uint64_t eng_fnv1a(uint64_t h, const void *b, size_t n) {
    const unsigned char *p = b;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

int eng_mul_size(size_t *out, size_t a, size_t b) {
    if (a != 0 && b > SIZE_MAX / a) return 0;
    *out = a * b;
    return 1;
}

int eng_mul3_size(size_t *out, size_t a, size_t b, size_t c) {
    size_t ab;
    if (!eng_mul_size(&ab, a, b)) return 0;
    return eng_mul_size(out, ab, c);
}

void eng_set_err(char *err, size_t n, const char *fmt, ...) {
    if (!err || !n) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, n, fmt, ap);
    va_end(ap);
}
