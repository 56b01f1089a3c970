/*
 * eng_threads.c — the engine's own worker threads, for the work OpenBLAS does
 * not do: im2col, depthwise convolution, pooling, normalisation, elementwise
 * ops and copies.
 *
 * A fixed pool of (threads - 1) workers sleeps on a condition variable; a
 * parallel loop hands each thread one contiguous range and waits for all of
 * them. Waking a sleeping thread costs tens of microseconds here, so loops
 * smaller than ENG_PAR_MIN_WORK items of work run on the calling thread only.
 * The pool follows eng_set_threads(), which also sets OpenBLAS's threads:
 * the two never run at the same time (a forward pass alternates between them).
 *
 * Must not depend on: SDL or anything that draws.
 */
#include "eng.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

typedef struct {
    pthread_mutex_t mu;
    pthread_cond_t go, done;
    pthread_t *th;
    int n_workers;
    uint64_t gen;        /* job counter: a worker runs each generation once */
    int pending;         /* workers that have not finished the current job */
    int quit;
    EngRangeFn fn;
    void *ctx;
    size_t n;
    int parts;
} Pool;

static Pool pool = {.mu = PTHREAD_MUTEX_INITIALIZER,
                    .go = PTHREAD_COND_INITIALIZER,
                    .done = PTHREAD_COND_INITIALIZER};
/* One parallel loop at a time; a second caller (another thread) runs serially. */
static pthread_mutex_t call_mu = PTHREAD_MUTEX_INITIALIZER;
static int want_threads = 1;

static void range_of(size_t n, int parts, int k, size_t *b, size_t *e) {
    *b = n * (size_t)k / (size_t)parts;
    *e = n * (size_t)(k + 1) / (size_t)parts;
}

static void *worker(void *arg) {
    int id = (int)(intptr_t)arg; /* 1 .. n_workers; the caller is part 0 */
    uint64_t seen = 0;
    pthread_mutex_lock(&pool.mu);
    for (;;) {
        while (pool.gen == seen && !pool.quit) pthread_cond_wait(&pool.go, &pool.mu);
        if (pool.quit) break;
        seen = pool.gen;
        EngRangeFn fn = pool.fn;
        void *ctx = pool.ctx;
        size_t n = pool.n;
        int parts = pool.parts;
        pthread_mutex_unlock(&pool.mu);
        if (id < parts) {
            size_t b, e;
            range_of(n, parts, id, &b, &e);
            if (b < e) fn(ctx, b, e);
        }
        pthread_mutex_lock(&pool.mu);
        if (--pool.pending == 0) pthread_cond_signal(&pool.done);
    }
    pthread_mutex_unlock(&pool.mu);
    return NULL;
}

static void pool_stop(void) {
    if (!pool.n_workers) return;
    pthread_mutex_lock(&pool.mu);
    pool.quit = 1;
    pthread_cond_broadcast(&pool.go);
    pthread_mutex_unlock(&pool.mu);
    for (int i = 0; i < pool.n_workers; i++) pthread_join(pool.th[i], NULL);
    free(pool.th);
    pool.th = NULL;
    pool.n_workers = 0;
    pool.quit = 0;
    pool.gen = 0;
}

/* Start (threads - 1) workers; on failure keep however many started. */
static void pool_start(int threads) {
    int want = threads - 1;
    if (want <= 0) return;
    pool.th = calloc((size_t)want, sizeof *pool.th);
    if (!pool.th) return;
    for (int i = 0; i < want; i++) {
        if (pthread_create(&pool.th[i], NULL, worker, (void *)(intptr_t)(i + 1)) != 0) {
            eng_log(ENG_LOG_WARN, "engine: could start only %d of %d worker threads", i, want);
            break;
        }
        pool.n_workers++;
    }
}

static void pool_at_exit(void) {
    pthread_mutex_lock(&call_mu);
    pool_stop();
    pthread_mutex_unlock(&call_mu);
}

void eng_threads_resize(int n) {
    static int registered;
    pthread_mutex_lock(&call_mu);
    if (!registered) {
        atexit(pool_at_exit);
        registered = 1;
    }
    want_threads = n < 1 ? 1 : n;
    if (pool.n_workers != want_threads - 1) {
        pool_stop();
        pool_start(want_threads);
    }
    pthread_mutex_unlock(&call_mu);
}

void eng_parallel_for(size_t n, size_t work_per_item, EngRangeFn fn, void *ctx) {
    if (n == 0) return;
    size_t work = n * (work_per_item ? work_per_item : 1);
    int parts = pool.n_workers + 1;
    if ((size_t)parts > n) parts = (int)n;
    if (parts <= 1 || work < ENG_PAR_MIN_WORK || pthread_mutex_trylock(&call_mu) != 0) {
        fn(ctx, 0, n);
        return;
    }
    parts = pool.n_workers + 1 < parts ? pool.n_workers + 1 : parts; /* pool may have shrunk */
    pthread_mutex_lock(&pool.mu);
    pool.fn = fn;
    pool.ctx = ctx;
    pool.n = n;
    pool.parts = parts;
    pool.pending = pool.n_workers;
    pool.gen++;
    pthread_cond_broadcast(&pool.go);
    pthread_mutex_unlock(&pool.mu);
    size_t b, e;
    range_of(n, parts, 0, &b, &e);
    if (b < e) fn(ctx, b, e);
    pthread_mutex_lock(&pool.mu);
    while (pool.pending > 0) pthread_cond_wait(&pool.done, &pool.mu);
    pthread_mutex_unlock(&pool.mu);
    pthread_mutex_unlock(&call_mu);
}
