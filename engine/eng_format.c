/*
 * eng_format.c — numbers as people read them, shared by the command line
 * and the window so both show a count the same way.
 * Must not depend on: SDL or anything that draws.
 */
#include "eng.h"

#include <stdio.h>
#include <string.h>

const char *eng_fmt_hw(int64_t h, int64_t w, char *buf, size_t n) {
    if (h == w) snprintf(buf, n, "%lld", (long long)h);
    else snprintf(buf, n, "%lldx%lld", (long long)h, (long long)w);
    return buf;
}

const char *eng_fmt_grouped(int64_t v, char *buf, size_t n) {
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%lld", (long long)v);
    const char *digits = tmp[0] == '-' ? tmp + 1 : tmp;
    size_t len = strlen(digits), o = 0;
    if (n == 0) return buf;
    if (tmp[0] == '-' && o + 1 < n) buf[o++] = '-';
    for (size_t i = 0; i < len && o + 1 < n; i++) {
        buf[o++] = digits[i];
        if ((len - i - 1) % 3 == 0 && i + 1 < len && o + 1 < n) buf[o++] = ',';
    }
    buf[o] = 0;
    return buf;
}

const char *eng_fmt_si(double v, char *buf, size_t n) {
    static const char *const unit[] = {"", "K", "M", "G", "T", "P"};
    int k = 0;
    while ((v >= 999.995 || v <= -999.995) && k < 5) {
        v /= 1000.0;
        k++;
    }
    snprintf(buf, n, k ? "%.2f%s" : "%.0f%s", v, unit[k]);
    return buf;
}

const char *eng_fmt_bytes(double b, char *buf, size_t n) {
    if (b >= 1024.0 * 1024.0 * 1024.0) snprintf(buf, n, "%.2f GiB", b / (1024.0 * 1024.0 * 1024.0));
    else if (b >= 1024.0 * 1024.0) snprintf(buf, n, "%.1f MiB", b / (1024.0 * 1024.0));
    else if (b >= 1024.0) snprintf(buf, n, "%.1f KiB", b / 1024.0);
    else snprintf(buf, n, "%.0f B", b);
    return buf;
}

const char *eng_fmt_paths(EngPaths p, char *buf, size_t n) {
    char num[48];
    if (p.paths <= 0) {
        snprintf(buf, n, "no path from input to output");
        return buf;
    }
    if (p.paths < 4611686018427387904.0) /* 2^62: exact int64, grouped */
        eng_fmt_grouped((int64_t)p.paths, num, sizeof num);
    else
        snprintf(num, sizeof num, "%.3g", p.paths);
    if (p.pure_residual && p.adds > 0)
        snprintf(buf, n, "%s paths from input to output (2^%d: %d residual blocks)", num, p.adds, p.adds);
    else if (p.paths == 1)
        snprintf(buf, n, "1 path from input to output (a chain)");
    else
        snprintf(buf, n, "%s paths from input to output (2^%.1f)", num, p.log2_paths);
    return buf;
}

const char *eng_fmt_paths_binomial(EngPaths p, char *buf, size_t n) {
    if (!p.pure_residual || p.adds <= 0) {
        if (n) buf[0] = 0;
        return buf;
    }
    snprintf(buf, n,
             "Veit et al. 2016: a path runs through k of the %d residual branches in C(%d,k) ways, a "
             "binomial, so most paths take about %g of them; on average a path has %.1f weighted layers",
             p.adds, p.adds, p.adds / 2.0, p.mean_depth);
    return buf;
}
