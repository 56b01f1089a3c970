/*
 * test_jobs.c — the window's worker-job API (app/jobs.c) with real threads:
 * progress and results, fore jobs merged by kind, every request done by a
 * job that started after it (none lost, in order), the back lane's latest
 * wins, cancelling a running and a waiting job (a cancelled result is
 * dropped, never handed over), and destroying the jobs while one runs (it
 * finishes; what waits never runs; no result is leaked).
 */
#include "check.h"
#include "jobs.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void nap_ms(int ms) {
    struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

/* Polls until submission id reaches state want (10 s at most). */
static int wait_state(Jobs *j, unsigned long id, JobState want) {
    for (int i = 0; i < 10000; i++) {
        if (jobs_poll(j, id).state == want) return 1;
        nap_ms(1);
    }
    fprintf(stderr, "test_jobs: job %lu never reached state %d (is %d)\n", id, (int)want,
            (int)jobs_poll(j, id).state);
    return 0;
}

/* A job that says it started and waits until the test lets it go (or it is
 * stopped); it logs its kind and whether it was stopped. */
typedef struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int open, started;
    int log[64], stopped[64], n_log;
    int dropped;
} Gate;

static void gate_init(Gate *g) {
    memset(g, 0, sizeof *g);
    pthread_mutex_init(&g->mu, NULL);
    pthread_cond_init(&g->cv, NULL);
}
static void gate_open(Gate *g) {
    pthread_mutex_lock(&g->mu);
    g->open = 1;
    pthread_cond_broadcast(&g->cv);
    pthread_mutex_unlock(&g->mu);
}
static void gate_wait_started(Gate *g, int n) {
    for (int i = 0; i < 10000; i++) {
        pthread_mutex_lock(&g->mu);
        int s = g->started;
        pthread_mutex_unlock(&g->mu);
        if (s >= n) return;
        nap_ms(1);
    }
    CHECK(!"a job never started");
}

static Gate *drop_gate; /* the gate whose `dropped` the drop function counts */
static void drop_int(void *result) {
    pthread_mutex_lock(&drop_gate->mu);
    drop_gate->dropped++;
    pthread_mutex_unlock(&drop_gate->mu);
    free(result);
}

/* Waits at the gate, reporting progress 0..3 of 10 before; result: its kind. */
static void *gated(void *arg, int kind, JobCtl *ctl) {
    Gate *g = arg;
    jobs_progress(ctl, 3, 10);
    pthread_mutex_lock(&g->mu);
    g->started++;
    pthread_cond_broadcast(&g->cv);
    while (!g->open) {
        pthread_mutex_unlock(&g->mu);
        int stop = jobs_stopped(ctl);
        pthread_mutex_lock(&g->mu);
        if (stop) break;
        struct timespec t;
        clock_gettime(CLOCK_REALTIME, &t);
        t.tv_nsec += 2000000;
        if (t.tv_nsec >= 1000000000L) t.tv_sec++, t.tv_nsec -= 1000000000L;
        pthread_cond_timedwait(&g->cv, &g->mu, &t);
    }
    if (g->n_log < 64) g->log[g->n_log] = kind, g->stopped[g->n_log++] = jobs_stopped(ctl);
    pthread_mutex_unlock(&g->mu);
    int *r = malloc(sizeof *r);
    if (r) *r = kind;
    return r;
}

/* Submit, see it run with its progress, take its result once. */
static void test_submit_progress_result(Jobs *j) {
    Gate g;
    gate_init(&g);
    drop_gate = &g;
    unsigned long id = jobs_submit(j, &(JobSpec){gated, drop_int, &g, 7, JOBS_BACK});
    CHECK(id > 0);
    gate_wait_started(&g, 1);
    JobStatus st = jobs_poll(j, id), run;
    CHECK(st.state == JOB_RUNNING && st.kind == 7 && st.done == 3 && st.total == 10);
    CHECK(jobs_running(j, JOBS_BACK, &run) && run.done == 3 && run.total == 10);
    CHECK(!jobs_running(j, JOBS_FORE, &run));
    CHECK(jobs_busy(j, JOBS_BACK) && !jobs_busy(j, JOBS_FORE));
    CHECK(jobs_take(j, id) == NULL); /* not done yet */
    gate_open(&g);
    CHECK(wait_state(j, id, JOB_DONE));
    CHECK(!jobs_busy(j, JOBS_BACK));
    int *r = jobs_take(j, id);
    CHECK(r && *r == 7);
    CHECK(jobs_take(j, id) == NULL); /* handed over once */
    free(r);
    CHECK(g.dropped == 0);
}

/* Fore submissions made while one runs merge into one job of the lowest kind. */
static void test_fore_merge(Jobs *j) {
    Gate g;
    gate_init(&g);
    drop_gate = &g;
    unsigned long a = jobs_submit(j, &(JobSpec){gated, drop_int, &g, 2, JOBS_FORE});
    gate_wait_started(&g, 1);
    unsigned long b = jobs_submit(j, &(JobSpec){gated, drop_int, &g, 3, JOBS_FORE});
    unsigned long c = jobs_submit(j, &(JobSpec){gated, drop_int, &g, 1, JOBS_FORE});
    unsigned long d = jobs_submit(j, &(JobSpec){gated, drop_int, &g, 2, JOBS_FORE});
    CHECK(a < b && b < c && c < d);
    CHECK(jobs_poll(j, b).state == JOB_WAITING && jobs_poll(j, d).kind == 1);
    CHECK(jobs_busy(j, JOBS_FORE));
    gate_open(&g);
    CHECK(wait_state(j, d, JOB_DONE));
    CHECK(!jobs_busy(j, JOBS_FORE));
    CHECK(g.n_log == 2 && g.log[0] == 2 && g.log[1] == 1);
    CHECK(jobs_poll(j, b).state == JOB_DONE && jobs_poll(j, c).state == JOB_DONE);
    int *r1 = jobs_take(j, a), *r2 = jobs_take(j, c);
    CHECK(r1 && *r1 == 2 && r2 && *r2 == 1);
    CHECK(jobs_take(j, b) == NULL && jobs_take(j, d) == NULL); /* b, c, d share one result */
    free(r1);
    free(r2);
}

/* Many requests, as the window makes them: each asks for its work in a
 * shared table, then submits; a job does every request present when it
 * starts. A request reported done must have been done, and requests finish
 * in the order they were made. */
enum { N_REQ = 3000 };
typedef struct {
    pthread_mutex_t mu;
    int asked, handled; /* requests 1..asked made; 1..handled done */
    int runs;
} Table;

static void *do_requests(void *arg, int kind, JobCtl *ctl) {
    Table *t = arg;
    pthread_mutex_lock(&t->mu);
    const int upto = t->asked;
    t->runs++;
    pthread_mutex_unlock(&t->mu);
    for (volatile int spin = 0; spin < 2000 * (kind + 1); spin++) {}
    pthread_mutex_lock(&t->mu);
    if (upto > t->handled) t->handled = upto;
    pthread_mutex_unlock(&t->mu);
    return NULL;
}

static void test_none_lost_in_order(Jobs *j) {
    Table t = {.asked = 0};
    pthread_mutex_init(&t.mu, NULL);
    static unsigned long ids[N_REQ + 1];
    int bad_done = 0, bad_order = 0;
    unsigned rng = 12345;
    for (int i = 1; i <= N_REQ; i++) {
        pthread_mutex_lock(&t.mu);
        t.asked = i;
        pthread_mutex_unlock(&t.mu);
        rng = rng * 1103515245u + 12345u;
        ids[i] = jobs_submit(j, &(JobSpec){do_requests, NULL, &t, (int)(rng >> 16) % 4, JOBS_FORE});
        if (i % 7 == 0) nap_ms(0);
        const int k = 1 + (int)((rng >> 8) % (unsigned)i); /* an earlier request */
        const JobState sk = jobs_poll(j, ids[k]).state;
        pthread_mutex_lock(&t.mu);
        const int handled = t.handled;
        pthread_mutex_unlock(&t.mu);
        if (sk == JOB_DONE && handled < k) bad_done++;
        if (sk == JOB_DONE && k > 1 && jobs_poll(j, ids[k - 1]).state != JOB_DONE) bad_order++;
    }
    for (int i = 0; i < 10000 && jobs_busy(j, JOBS_FORE); i++) nap_ms(1);
    CHECK(!jobs_busy(j, JOBS_FORE));
    CHECK(bad_done == 0 && bad_order == 0);
    CHECK_EQ_I64(t.handled, N_REQ);
    CHECK(t.runs >= 1 && t.runs <= N_REQ);
    CHECK(jobs_poll(j, ids[N_REQ]).state == JOB_DONE);
    printf("jobs: %d requests done by %d jobs\n", N_REQ, t.runs);
}

/* Back lane: a job waiting is replaced by a newer one and never runs. */
static void test_back_latest_wins(Jobs *j) {
    Gate g;
    gate_init(&g);
    drop_gate = &g;
    unsigned long a = jobs_submit(j, &(JobSpec){gated, drop_int, &g, 1, JOBS_BACK});
    gate_wait_started(&g, 1);
    unsigned long b = jobs_submit(j, &(JobSpec){gated, drop_int, &g, 2, JOBS_BACK});
    unsigned long c = jobs_submit(j, &(JobSpec){gated, drop_int, &g, 3, JOBS_BACK});
    CHECK(jobs_poll(j, b).state == JOB_CANCELLED && jobs_poll(j, c).state == JOB_WAITING);
    gate_open(&g);
    CHECK(wait_state(j, c, JOB_DONE));
    CHECK(g.n_log == 2 && g.log[0] == 1 && g.log[1] == 3);
    free(jobs_take(j, a));
    free(jobs_take(j, c));
}

/* Cancel: a running job sees it, stops, and its result is dropped; a
 * waiting back job never runs; a waiting fore job still runs, stopped. */
static void test_cancel(Jobs *j) {
    Gate g;
    gate_init(&g);
    drop_gate = &g;
    unsigned long a = jobs_submit(j, &(JobSpec){gated, drop_int, &g, 1, JOBS_BACK});
    gate_wait_started(&g, 1);
    unsigned long b = jobs_submit(j, &(JobSpec){gated, drop_int, &g, 2, JOBS_BACK});
    jobs_cancel(j, b);
    CHECK(jobs_poll(j, b).state == JOB_CANCELLED);
    jobs_cancel(j, a); /* mid-job: the gate stays shut, the job stops by itself */
    CHECK(wait_state(j, a, JOB_CANCELLED));
    CHECK(g.n_log == 1 && g.log[0] == 1 && g.stopped[0] == 1);
    CHECK(jobs_take(j, a) == NULL);
    CHECK(g.dropped == 1);
    CHECK(!jobs_busy(j, JOBS_BACK));

    Gate f;
    gate_init(&f);
    drop_gate = &f;
    unsigned long c = jobs_submit(j, &(JobSpec){gated, drop_int, &f, 1, JOBS_FORE});
    gate_wait_started(&f, 1);
    unsigned long d = jobs_submit(j, &(JobSpec){gated, drop_int, &f, 2, JOBS_FORE});
    jobs_cancel(j, d); /* waiting: run all the same, told to stop */
    gate_open(&f);
    CHECK(wait_state(j, d, JOB_CANCELLED));
    CHECK(jobs_poll(j, c).state == JOB_DONE);
    CHECK(f.n_log == 2 && f.stopped[0] == 0 && f.stopped[1] == 1);
    CHECK(f.dropped == 1);
    free(jobs_take(j, c));
}

/* Opens the gate after a while, from a thread of its own. */
static void *open_later(void *arg) {
    nap_ms(50);
    gate_open(arg);
    return NULL;
}

/* Destroy while a job runs: destroy waits for it to return, its result and
 * the one never taken are dropped, the job waiting never runs. */
static void test_destroy_running(void) {
    Jobs *j = jobs_create();
    CHECK(j != NULL);
    if (!j) return;
    Gate g;
    gate_init(&g);
    drop_gate = &g;
    unsigned long a = jobs_submit(j, &(JobSpec){gated, drop_int, &g, 1, JOBS_BACK});
    gate_wait_started(&g, 1);
    gate_open(&g);
    CHECK(wait_state(j, a, JOB_DONE)); /* a's result is never taken */
    Gate h;
    gate_init(&h);
    drop_gate = &h;
    jobs_submit(j, &(JobSpec){gated, drop_int, &h, 2, JOBS_FORE});
    gate_wait_started(&h, 1);
    jobs_submit(j, &(JobSpec){gated, drop_int, &h, 3, JOBS_BACK});
    drop_gate = &g; /* both drops counted in g from here */
    pthread_mutex_lock(&g.mu);
    g.dropped = 0;
    pthread_mutex_unlock(&g.mu);
    pthread_t opener;
    CHECK(pthread_create(&opener, NULL, open_later, &h) == 0);
    jobs_destroy(j); /* returns once the fore job has (its gate opens later) */
    CHECK(h.n_log == 1 && h.log[0] == 2 && h.stopped[0] == 0); /* finished; 3 never ran */
    CHECK_EQ_I64(g.dropped, 2);
    pthread_join(opener, NULL);
}

int main(void) {
    Jobs *j = jobs_create();
    CHECK(j != NULL);
    if (!j) return check_finish("jobs");
    test_submit_progress_result(j);
    test_fore_merge(j);
    test_none_lost_in_order(j);
    test_back_latest_wins(j);
    test_cancel(j);
    jobs_destroy(j);
    test_destroy_running();
    return check_finish("jobs");
}
