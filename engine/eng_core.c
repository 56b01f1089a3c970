/*
 * eng_core.c — assertions, the log callback, overflow-checked sizes and the
 * thread setting shared by the whole engine, and the temporary files every
 * writer goes through. No SDL, no drawing.
 */
#include "eng.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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

/* ---- temporary files ----------------------------------------------------- */

/* A suffix no one can guess in advance: a per-process counter mixed with the
 * process id and the clock (splitmix64's finaliser spreads every input bit
 * over the word). Guessing would not help anyway: O_EXCL refuses a name that
 * exists, and the loop draws another. */
static uint64_t tmp_noise(void) {
    static _Atomic uint64_t counter;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t z = atomic_fetch_add(&counter, 1) * 0x9e3779b97f4a7c15ull;
    z ^= (uint64_t)getpid() << 32 ^ (uint64_t)ts.tv_nsec ^ (uint64_t)ts.tv_sec * 1000003u;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

int eng_tmpfile_open(EngTmpFile *t, const char *dest, char *err, size_t errlen) {
    static const char digits[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    memset(t, 0, sizeof *t);
    if (!dest || !dest[0] || strlen(dest) >= sizeof t->dest) {
        eng_set_err(err, errlen, "path too long or empty: %.200s", dest ? dest : "");
        return -1;
    }
    memcpy(t->dest, dest, strlen(dest) + 1);
    for (int attempt = 0; attempt < 100; attempt++) {
        uint64_t r = tmp_noise();
        char suffix[7];
        for (int i = 0; i < 6; i++, r /= 62) suffix[i] = digits[r % 62];
        suffix[6] = 0;
        snprintf(t->path, sizeof t->path, "%s.%s.tmp", dest, suffix);
        /* O_EXCL: fail if the name exists, symbolic links included (a link
         * planted there is never followed); 0666 less the umask, as fopen. */
        int fd = open(t->path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (fd < 0) {
            if (errno == EEXIST) continue;
            eng_set_err(err, errlen, "cannot write %s: %s", dest, strerror(errno));
            t->path[0] = 0;
            return -1;
        }
        t->f = fdopen(fd, "wb");
        if (!t->f) {
            eng_set_err(err, errlen, "cannot write %s: %s", dest, strerror(errno));
            close(fd);
            remove(t->path);
            t->path[0] = 0;
            return -1;
        }
        return 0;
    }
    eng_set_err(err, errlen, "cannot write %s: no free temporary name beside it", dest);
    t->path[0] = 0;
    return -1;
}

int eng_tmpfile_commit(EngTmpFile *t, char *err, size_t errlen) {
    if (!t->f) {
        eng_set_err(err, errlen, "cannot write %s: no file open", t->dest);
        return -1;
    }
    int ok = !ferror(t->f) && fflush(t->f) == 0, e = errno;
    /* the data on the disk before the new name points at it, so that a crash
     * leaves the old file or the new one (EINVAL: a file system without fsync) */
    if (ok && fsync(fileno(t->f)) != 0 && errno != EINVAL) ok = 0, e = errno;
    if (fclose(t->f) != 0 && ok) ok = 0, e = errno;
    t->f = NULL;
    if (!ok) {
        eng_set_err(err, errlen, "writing %s failed (disk full?): %s", t->dest, strerror(e ? e : EIO));
        remove(t->path);
        t->path[0] = 0;
        return -1;
    }
    if (rename(t->path, t->dest) != 0) {
        e = errno;
        eng_set_err(err, errlen, "cannot rename %s to %s: %s", t->path, t->dest, strerror(e));
        remove(t->path);
        t->path[0] = 0;
        return -1;
    }
    t->path[0] = 0;
    return 0;
}

void eng_tmpfile_abort(EngTmpFile *t) {
    if (t->f) fclose(t->f);
    t->f = NULL;
    if (t->path[0]) remove(t->path);
    t->path[0] = 0;
}
