/*
 * jobs.c — one worker thread and its queue (jobs.h): per lane one job
 * waiting and one running; finished jobs kept with their results until
 * they are taken. Everything below is guarded by one mutex; a job's run
 * function is called without it. No SDL: pthreads only.
 */
#include "jobs.h"

#include <stdlib.h>

/* A job: one or several merged submissions, numbered first..last. */
struct JobCtl {
    Jobs *jobs;
    JobSpec spec;
    unsigned long first, last;
    JobState state;
    int done, total;
    int cancelled;
    void *result;
    struct JobCtl *next; /* in the finished list, newest first */
};

enum { JOBS_HISTORY = 256 }; /* finished jobs without a result kept for jobs_poll */

typedef struct {
    JobCtl *waiting, *running;
    unsigned long submitted; /* the latest submission */
    unsigned long finished;  /* the latest submission done or cancelled */
} Lane;

struct Jobs {
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int quit;
    unsigned long next_id;
    Lane lane[JOBS_LANES];
    JobCtl *finished;
};

/* Under mu: job leaves the queue; its submissions count as finished. A
 * cancelled job's result is returned for dropping outside the lock. */
static void *finish(Jobs *j, JobCtl *job, JobState state) {
    Lane *l = &j->lane[job->spec.lane];
    if (job->last > l->finished) l->finished = job->last;
    job->state = state;
    void *dropped = NULL;
    if (state == JOB_CANCELLED) dropped = job->result, job->result = NULL;
    job->next = j->finished;
    j->finished = job;
    int kept = 0; /* old records without a result go */
    for (JobCtl **p = &j->finished; *p;) {
        if (!(*p)->result && ++kept > JOBS_HISTORY) {
            JobCtl *old = *p;
            *p = old->next;
            free(old);
        } else {
            p = &(*p)->next;
        }
    }
    return dropped;
}

static void drop(const JobSpec *spec, void *result) {
    if (result && spec->drop) spec->drop(result);
}

static void *worker_main(void *arg) {
    Jobs *j = arg;
    pthread_mutex_lock(&j->mu);
    for (;;) {
        while (!j->quit && !j->lane[JOBS_FORE].waiting && !j->lane[JOBS_BACK].waiting)
            pthread_cond_wait(&j->cv, &j->mu);
        if (j->quit) break;
        Lane *l = &j->lane[j->lane[JOBS_FORE].waiting ? JOBS_FORE : JOBS_BACK];
        JobCtl *job = l->waiting;
        l->waiting = NULL;
        l->running = job;
        job->state = JOB_RUNNING;
        pthread_mutex_unlock(&j->mu);
        void *result = job->spec.run(job->spec.arg, job->spec.kind, job);
        pthread_mutex_lock(&j->mu);
        l->running = NULL;
        job->result = result;
        const JobSpec spec = job->spec;
        void *dropped = finish(j, job, job->cancelled || j->quit ? JOB_CANCELLED : JOB_DONE);
        pthread_mutex_unlock(&j->mu);
        drop(&spec, dropped);
        pthread_mutex_lock(&j->mu);
    }
    pthread_mutex_unlock(&j->mu);
    return NULL;
}

Jobs *jobs_create(void) {
    Jobs *j = calloc(1, sizeof *j);
    if (!j) return NULL;
    if (pthread_mutex_init(&j->mu, NULL) != 0) {
        free(j);
        return NULL;
    }
    if (pthread_cond_init(&j->cv, NULL) != 0) {
        pthread_mutex_destroy(&j->mu);
        free(j);
        return NULL;
    }
    if (pthread_create(&j->th, NULL, worker_main, j) != 0) {
        pthread_cond_destroy(&j->cv);
        pthread_mutex_destroy(&j->mu);
        free(j);
        return NULL;
    }
    return j;
}

void jobs_destroy(Jobs *j) {
    if (!j) return;
    pthread_mutex_lock(&j->mu);
    j->quit = 1; /* the job running finishes (a top-9 scan still fills its cache) */
    pthread_cond_signal(&j->cv);
    pthread_mutex_unlock(&j->mu);
    pthread_join(j->th, NULL);
    for (int k = 0; k < JOBS_LANES; k++) /* never started */
        if (j->lane[k].waiting) {
            free(j->lane[k].waiting);
            j->lane[k].waiting = NULL;
        }
    while (j->finished) {
        JobCtl *job = j->finished;
        j->finished = job->next;
        drop(&job->spec, job->result);
        free(job);
    }
    pthread_cond_destroy(&j->cv);
    pthread_mutex_destroy(&j->mu);
    free(j);
}

/* Under mu: a fore submission joins the job waiting. */
static void merge_fore(Lane *l, const JobSpec *spec, unsigned long id) {
    JobCtl *w = l->waiting;
    if (spec->kind <= w->spec.kind) w->spec = *spec; /* the lower kind does the other's work too */
    w->last = id;
    w->cancelled = 0; /* a newer request wants it */
}

unsigned long jobs_submit(Jobs *j, const JobSpec *spec) {
    JobCtl *job = calloc(1, sizeof *job); /* made before the lock; freed if the job merges */
    pthread_mutex_lock(&j->mu);
    Lane *l = &j->lane[spec->lane];
    const int merges = spec->lane == JOBS_FORE && l->waiting;
    if (!job && !merges) {
        pthread_mutex_unlock(&j->mu);
        return 0;
    }
    const unsigned long id = ++j->next_id;
    l->submitted = id;
    void *dropped = NULL;
    JobSpec old = {0};
    if (merges) {
        merge_fore(l, spec, id);
    } else {
        *job = (JobCtl){j, *spec, id, id, JOB_WAITING, 0, 0, 0, NULL, NULL};
        if (l->waiting) { /* the back lane: the latest wins */
            old = l->waiting->spec;
            dropped = finish(j, l->waiting, JOB_CANCELLED);
        }
        l->waiting = job;
        job = NULL;
    }
    pthread_cond_signal(&j->cv);
    pthread_mutex_unlock(&j->mu);
    free(job);
    drop(&old, dropped);
    return id;
}

/* Under mu: the job that took submission id, or NULL (long finished). */
static JobCtl *find(Jobs *j, unsigned long id) {
    for (int k = 0; k < JOBS_LANES; k++) {
        JobCtl *w = j->lane[k].waiting, *r = j->lane[k].running;
        if (w && id >= w->first && id <= w->last) return w;
        if (r && id >= r->first && id <= r->last) return r;
    }
    for (JobCtl *f = j->finished; f; f = f->next)
        if (id >= f->first && id <= f->last) return f;
    return NULL;
}

JobStatus jobs_poll(Jobs *j, unsigned long id) {
    JobStatus st = {JOB_UNKNOWN, 0, 0, 0};
    pthread_mutex_lock(&j->mu);
    const JobCtl *job = find(j, id);
    if (job) st = (JobStatus){job->state, job->spec.kind, job->done, job->total};
    else if (id > 0 && id <= j->next_id) st.state = JOB_DONE; /* finished long ago */
    pthread_mutex_unlock(&j->mu);
    return st;
}

void *jobs_take(Jobs *j, unsigned long id) {
    pthread_mutex_lock(&j->mu);
    JobCtl *job = find(j, id);
    void *result = NULL;
    if (job && job->state == JOB_DONE) result = job->result, job->result = NULL;
    pthread_mutex_unlock(&j->mu);
    return result;
}

void jobs_cancel(Jobs *j, unsigned long id) {
    pthread_mutex_lock(&j->mu);
    JobCtl *job = find(j, id);
    void *dropped = NULL;
    JobSpec spec = {0};
    if (job && job->state == JOB_RUNNING) {
        job->cancelled = 1;
    } else if (job && job->state == JOB_WAITING) {
        Lane *l = &j->lane[job->spec.lane];
        if (job->spec.lane == JOBS_FORE) { /* still run, stopped at once */
            job->cancelled = 1;
        } else {
            l->waiting = NULL;
            spec = job->spec;
            dropped = finish(j, job, JOB_CANCELLED);
        }
    }
    pthread_mutex_unlock(&j->mu);
    drop(&spec, dropped);
}

int jobs_busy(Jobs *j, int lane) {
    pthread_mutex_lock(&j->mu);
    const int busy = j->lane[lane].finished != j->lane[lane].submitted;
    pthread_mutex_unlock(&j->mu);
    return busy;
}

int jobs_running(Jobs *j, int lane, JobStatus *st) {
    pthread_mutex_lock(&j->mu);
    const JobCtl *r = j->lane[lane].running;
    if (r) *st = (JobStatus){r->state, r->spec.kind, r->done, r->total};
    pthread_mutex_unlock(&j->mu);
    return r != NULL;
}

pthread_mutex_t *jobs_mutex(Jobs *j) { return &j->mu; }

int jobs_progress(void *ctl, int done, int total) {
    JobCtl *job = ctl;
    pthread_mutex_lock(&job->jobs->mu);
    job->done = done;
    job->total = total;
    const int stop = job->cancelled;
    pthread_mutex_unlock(&job->jobs->mu);
    return stop;
}

int jobs_stopped(JobCtl *ctl) {
    pthread_mutex_lock(&ctl->jobs->mu);
    const int stop = ctl->cancelled;
    pthread_mutex_unlock(&ctl->jobs->mu);
    return stop;
}
