/*
 * jobs.h — the window's long work on one worker thread: submit a job with
 * its inputs, poll for its progress and result, cancel it. The thread that
 * draws never computes (a VGG-16 forward pass, a top-9 scan, a network
 * being built) and keeps answering meanwhile. No SDL here: pthreads only.
 *
 * Two lanes, one thread:
 * - JOBS_FORE: work on state the submitter hands over until the job is done
 *   (the stepper's graph, selection and input). Submissions are numbered; a
 *   submission made while another of the lane waits merges with it: the
 *   lower `kind` is kept, its run must also do the work of every higher kind
 *   (the stepper's jobs each redo the ones after them). A job never merges
 *   into one already running, so each submission's work starts after it was
 *   made: none is lost. jobs_busy() says whether the latest submission of
 *   the lane is still undone. A cancelled fore job is still run (at once
 *   stopped, if it had not started): its run decides what a stopped job
 *   leaves behind, so that the state it owns stays whole.
 * - JOBS_BACK: timings and the like, run when no fore job waits. The latest
 *   submission wins: one waiting is replaced (reported JOB_CANCELLED, never
 *   run). A cancelled back job that waits is removed and never run.
 * A job's result is handed over once (jobs_take); a cancelled job's result,
 * and one never taken when the jobs are destroyed, is given to its drop
 * function, so that nothing made for a forgotten request is applied or
 * leaked.
 */
#ifndef CONVSCOPE_JOBS_H
#define CONVSCOPE_JOBS_H

#include <pthread.h>

typedef struct Jobs Jobs;
typedef struct JobCtl JobCtl; /* what a running job reports to (progress, stop) */

enum { JOBS_FORE, JOBS_BACK, JOBS_LANES };

typedef enum { JOB_UNKNOWN, JOB_WAITING, JOB_RUNNING, JOB_DONE, JOB_CANCELLED } JobState;

typedef struct {
    /* On the worker: the work, with the merged kind; returns its result
     * (NULL for work done in place). */
    void *(*run)(void *arg, int kind, JobCtl *ctl);
    void (*drop)(void *result); /* frees a result nobody takes; NULL: nothing to free */
    void *arg;                  /* the job's inputs */
    int kind;                   /* fore lane: merge order (lower does more) */
    int lane;                   /* JOBS_FORE or JOBS_BACK */
} JobSpec;

typedef struct {
    JobState state;
    int kind;        /* the kind the job runs (or ran) as */
    int done, total; /* its last progress report (0, 0: none yet) */
} JobStatus;

/* Start the worker thread: NULL when it cannot be started. */
Jobs *jobs_create(void);
/* Wait for the job running to return (cancel it first to have it stop
 * early), stop the thread; jobs not started never run; results nobody took
 * are dropped. j may be NULL. */
void jobs_destroy(Jobs *j);
/* A job's number (> 0), its inputs handed over to the worker; 0 when there
 * is no memory to queue it (nothing changes then). */
unsigned long jobs_submit(Jobs *j, const JobSpec *spec);
/* Where the job that took submission id stands. */
JobStatus jobs_poll(Jobs *j, unsigned long id);
/* The result of submission id once its job is done, handed over once (the
 * caller owns it); NULL before, after a cancel, or for work done in place. */
void *jobs_take(Jobs *j, unsigned long id);
/* Ask submission id's job to stop (see the lanes above for what follows). */
void jobs_cancel(Jobs *j, unsigned long id);
/* 1 while the latest submission of lane is not done (or cancelled). */
int jobs_busy(Jobs *j, int lane);
/* The job running in lane, if any: 1 and *st filled, else 0. */
int jobs_running(Jobs *j, int lane, JobStatus *st);
/* The lock the jobs' bookkeeping takes; jobs that publish partial results
 * (the compare and zoo timings) publish under it, and readers take it. */
pthread_mutex_t *jobs_mutex(Jobs *j);

/* From inside a job: done of total so far; returns 1 when the job should
 * stop (it was cancelled). An AppProgress. */
int jobs_progress(void *ctl, int done, int total);
int jobs_stopped(JobCtl *ctl);

#endif
