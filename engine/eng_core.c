/*
 * eng_core.c — assertions, the log callback, overflow-checked sizes and the
 * thread setting shared by the whole engine, the temporary files every
 * writer goes through, the one whole-file reader every loader goes through,
 * and where the program's resource folders are. No SDL, no drawing.
 */
/* realpath() (an output that is a symbolic link) is an X/Open function in glibc's headers */
#define _XOPEN_SOURCE 700
#include "eng.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

/* ---- checked integers ------------------------------------------------------ */

int eng_parse_i64(const char *s, long long lo, long long hi, long long *out) {
    if (!s || !*s || !(*s == '-' || (*s >= '0' && *s <= '9'))) return 0;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) return 0;
    *out = v;
    return 1;
}

int eng_parse_int(const char *s, int lo, int hi, int *out) {
    long long v;
    if (!eng_parse_i64(s, lo, hi, &v)) return 0;
    *out = (int)v;
    return 1;
}

int eng_parse_int_list(const char *s, int lo, int hi, int *v, int max) {
    char one[32];
    int n = 0;
    for (const char *p = s; p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (n == max || len >= sizeof one) return -1;
        memcpy(one, p, len);
        one[len] = 0;
        if (!eng_parse_int(one, lo, hi, &v[n++])) return -1;
        p = comma ? comma + 1 : NULL;
    }
    return n;
}

int eng_parse_u64(const char *s, uint64_t *out) {
    if (!s || !(*s >= '0' && *s <= '9')) return 0; /* strtoull would take "-1" */
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end) return 0;
    *out = (uint64_t)v;
    return 1;
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

static const char tmp_digits[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
static const char *file_kind(mode_t m);

/* What the final rename may replace: nothing, or a regular file. A device,
 * FIFO, socket or folder under the output's name is refused (the rename
 * would put a file in its place: /dev/null, for root). A symbolic link to a
 * regular file is followed, once, and its target written (said on stderr);
 * any other link is refused. t->dest becomes the name to rename over. */
static int tmp_dest(EngTmpFile *t, const char *dest, char *err, size_t errlen) {
    struct stat st;
    memcpy(t->dest, dest, strlen(dest) + 1);
    if (lstat(dest, &st) != 0) return 0; /* a new file */
    if (S_ISREG(st.st_mode)) return 0;
    if (!S_ISLNK(st.st_mode)) {
        eng_set_err(err, errlen, "cannot write %s: it is %s, not a regular file", dest,
                    file_kind(st.st_mode));
        return -1;
    }
    char real[PATH_MAX];
    if (stat(dest, &st) != 0 || !S_ISREG(st.st_mode) || !realpath(dest, real) ||
        strlen(real) >= sizeof t->dest) {
        eng_set_err(err, errlen, "cannot write %s: it is a symbolic link to %s, not to a regular "
                    "file", dest, stat(dest, &st) != 0 ? "nothing" : file_kind(st.st_mode));
        return -1;
    }
    memcpy(t->dest, real, strlen(real) + 1);
    eng_log(ENG_LOG_WARN, "convscope: %s is a symbolic link: writing its target %s", dest, real);
    return 0;
}

/* Removes the "dest.XXXXXX.tmp" files that a run killed while writing dest
 * left behind: regular files only, untouched for STALE_TMP_S seconds (a live
 * writer's file is younger: it is written and renamed at once). */
#define STALE_TMP_S 300
static void tmp_sweep(const char *dest) {
    const char *slash = strrchr(dest, '/');
    char dir[4096];
    const char *base = slash ? slash + 1 : dest;
    if (slash) snprintf(dir, sizeof dir, "%.*s", (int)(slash - dest) + (slash == dest), dest);
    else snprintf(dir, sizeof dir, ".");
    size_t bl = strlen(base);
    DIR *d = opendir(dir);
    if (!d) return;
    time_t now = time(NULL);
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        const char *n = e->d_name;
        if (strlen(n) != bl + 11 || strncmp(n, base, bl) || n[bl] != '.' || strcmp(n + bl + 7, ".tmp"))
            continue;
        if (strspn(n + bl + 1, tmp_digits) < 6) continue;
        struct stat st;
        if (fstatat(dirfd(d), n, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode) ||
            now - st.st_mtime < STALE_TMP_S)
            continue;
        unlinkat(dirfd(d), n, 0);
    }
    closedir(d);
}

int eng_tmpfile_open(EngTmpFile *t, const char *dest, char *err, size_t errlen) {
    const char *digits = tmp_digits;
    memset(t, 0, sizeof *t);
    if (!dest || !dest[0] || strlen(dest) >= sizeof t->dest) {
        eng_set_err(err, errlen, "path too long or empty: %.200s", dest ? dest : "");
        return -1;
    }
    if (tmp_dest(t, dest, err, errlen) != 0) return -1;
    tmp_sweep(t->dest);
    dest = t->dest;
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
    char why[512];
    if (tmp_dest(&(EngTmpFile){0}, t->dest, why, sizeof why) != 0) { /* replaced meanwhile */
        eng_set_err(err, errlen, "%s", why);
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

/* ---- reading a whole file ------------------------------------------------- */

/* "64 MiB", "16 GiB", "100000 bytes": a limit as a person would state it. */
static void fmt_limit(char *buf, size_t n, size_t cap) {
    if (cap >= ((size_t)1 << 30) && cap % ((size_t)1 << 30) == 0)
        snprintf(buf, n, "%zu GiB", cap >> 30);
    else if (cap >= ((size_t)1 << 20) && cap % ((size_t)1 << 20) == 0)
        snprintf(buf, n, "%zu MiB", cap >> 20);
    else
        snprintf(buf, n, "%zu bytes", cap);
}

static const char *file_kind(mode_t m) {
    if (S_ISDIR(m)) return "a directory";
    if (S_ISFIFO(m)) return "a FIFO";
    if (S_ISCHR(m)) return "a character device";
    if (S_ISBLK(m)) return "a block device";
    if (S_ISSOCK(m)) return "a socket";
    return "not a regular file";
}

/* Read what fd holds into *buf, growing it from *have (the size fstat gave,
 * which the file may outgrow while it is read); more than cap bytes fail. */
static int read_all(int fd, const char *path, size_t cap, uint8_t **buf, size_t have,
                    size_t *len, char *err, size_t errlen) {
    size_t n = 0, room = have < cap ? have + 1 : cap + 1; /* one more shows a file past cap */
    uint8_t *b = malloc(room + 1);                        /* + the NUL */
    for (;;) {
        if (!b) {
            eng_set_err(err, errlen, "%s: out of memory", path);
            return -1;
        }
        if (n == room) {
            if (room > cap) break; /* cap + 1 bytes read: too large */
            size_t grow = room > cap / 2 ? cap + 1 : room * 2;
            uint8_t *nb = realloc(b, grow + 1);
            if (!nb) free(b);
            b = nb, room = grow;
            continue;
        }
        ssize_t got = read(fd, b + n, room - n);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) {
            eng_set_err(err, errlen, "%s: read error: %s", path, strerror(errno));
            free(b);
            return -1;
        }
        if (got == 0) break;
        n += (size_t)got;
    }
    if (n > cap) {
        char lim[32];
        fmt_limit(lim, sizeof lim, cap);
        eng_set_err(err, errlen, "%s: larger than the %s limit", path, lim);
        free(b);
        return -1;
    }
    b[n] = 0;
    *buf = b;
    *len = n;
    return 0;
}

int eng_open_input(const char *path, int nofollow, int64_t *size, char *err, size_t errlen) {
    if (!path || !*path) {
        eng_set_err(err, errlen, "(empty path): cannot open: %s", strerror(ENOENT));
        return -1;
    }
    /* O_NONBLOCK: opening a FIFO nobody writes to returns at once instead of
     * waiting for a writer; the descriptor's own fstat then refuses it. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | (nofollow ? O_NOFOLLOW : 0));
    if (fd < 0) {
        int e = errno;
        eng_set_err(err, errlen, "%s: cannot open: %s", path,
                    e == ELOOP && nofollow ? "a symbolic link" : strerror(e));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        eng_set_err(err, errlen, "%s: cannot read its size: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        eng_set_err(err, errlen, "%s: %s, not a regular file", path, file_kind(st.st_mode));
        close(fd);
        return -1;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0) fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    if (size) *size = (int64_t)st.st_size;
    return fd;
}

FILE *eng_fopen_input(const char *path, int64_t *size, char *err, size_t errlen) {
    int fd = eng_open_input(path, 0, size, err, errlen);
    if (fd < 0) return NULL;
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        eng_set_err(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        close(fd);
    }
    return f;
}

int eng_read_file(const char *path, size_t cap, uint8_t **buf, size_t *len, char *err,
                  size_t errlen) {
    *buf = NULL;
    *len = 0;
    if (cap >= SIZE_MAX / 2) cap = SIZE_MAX / 2 - 1; /* room for the NUL and the growth */
    int64_t size;
    int fd = eng_open_input(path, 0, &size, err, errlen);
    if (fd < 0) return -1;
    if (size < 0 || (uintmax_t)size > cap) {
        char lim[32];
        fmt_limit(lim, sizeof lim, cap);
        eng_set_err(err, errlen, "%s: %jd bytes, larger than the %s limit", path, (intmax_t)size,
                    lim);
        close(fd);
        return -1;
    }
    int rc = read_all(fd, path, cap, buf, (size_t)size, len, err, errlen);
    close(fd);
    return rc;
}

/* ---- resource folders ------------------------------------------------------- */

const char *eng_resource_dir(const char *env, const char *rel) {
    const char *e = env ? getenv(env) : NULL;
    if (e && *e) return e;
#ifdef CONVSCOPE_SOURCE_DIR
    /* one joined path per folder, made once and kept for the program's life
     * (a few folders exist: the table never fills in practice) */
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    static struct { char rel[128]; char path[4200]; } dirs[8];
    static int n_dirs;
    const char *found = rel;
    if (strlen(rel) >= sizeof dirs[0].rel) return rel;
    pthread_mutex_lock(&lock);
    int i = 0;
    while (i < n_dirs && strcmp(dirs[i].rel, rel) != 0) i++;
    if (i == n_dirs && n_dirs < (int)(sizeof dirs / sizeof dirs[0])) {
        snprintf(dirs[i].rel, sizeof dirs[i].rel, "%s", rel);
        snprintf(dirs[i].path, sizeof dirs[i].path, "%s/%s", CONVSCOPE_SOURCE_DIR, rel);
        n_dirs++;
    }
    if (i < n_dirs) found = dirs[i].path;
    pthread_mutex_unlock(&lock);
    return found;
#else
    return rel;
#endif
}
