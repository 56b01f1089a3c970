/*
 * measure.h — counting and timing without a window: the two designs of a
 * block comparison (models/blocks.c builds them) counted and timed, the
 * counts of a zoo network, and the forward time of every zoo network. A
 * time is the median of timed forward passes at batch 1 after one warm-up.
 * `convscope compare` (cmd_compare.c) and the compare and zoo screens
 * (gui_compare.c, on the window's worker thread) both measure through it.
 * Must not depend on: SDL, viz/, the window's state or its threads.
 * (The monotonic clock and the median, app_now_ms and app_sort_median, are
 * declared in app.h with the other helpers.)
 */
#ifndef CONVSCOPE_MEASURE_H
#define CONVSCOPE_MEASURE_H

#include "app.h"
#include "blocks.h"

enum { APP_TIME_MAX_RUNS = 16 };

/* How a forward time is taken: one warm-up pass, then `runs` timed passes. */
typedef struct {
    int runs;
    int adapt;      /* a slow graph gets fewer passes (3 when the warm-up took over 200 ms, 1
                       over 1 s), and never more than APP_TIME_MAX_RUNS (the window) */
    double max_gb;  /* a block whose larger side needs more memory than this is not timed;
                       0: no limit */
} AppTiming;

/* The timed passes after a warm-up that took warm_ms. */
int app_timing_runs(const AppTiming *tm, double warm_ms);

/* Median forward time of g in ms (*ms) at batch 1 on a seeded random input,
 * after giving it weights (He uniform: only the shapes matter) and a plan.
 * progress (may be NULL) is told (pass, passes) before each timed pass and
 * stops the timing by returning nonzero. 0; 1 when stopped; -1 when the
 * weights, the plan or a pass fail, with the reason in err. */
int app_time_forward(EngGraph *g, const AppTiming *tm, AppProgress progress, void *ctx, double *ms,
                     char *err, size_t errlen);

/* One design of a block comparison, counted. */
typedef struct {
    EngTotals t;
    int64_t ops;     /* under the counting convention */
    int64_t act;     /* activations of the block's layers (its input excluded), bytes */
    EngShape out;    /* the output's shape */
    EngRf rf;        /* the output unit's receptive field */
    double work_gb;  /* working set: activations, weights and the largest unfolded input
                        (im2col) of its convolutions, GB */
} AppBlockSide;

/* Block b's defaults with the sizes the command line gave (--cin --cout --hw
 * --groups; 0 keeps the default). */
BlockCfg app_block_cfg(const ModelBlock *b, const AppOptions *o);
/* --hw for a block: one side (a square), 1..8192; 0 after a line on stderr. */
int app_block_hw_ok(const AppOptions *o, const char *cmd);

/* Design `which` (0: A, 1: B) of block b at cfg, without weights; NULL when
 * the configuration is impossible, with the engine's reason in err (not
 * printed). */
EngGraph *app_block_build(const ModelBlock *b, int which, const BlockCfg *cfg, char *err,
                          size_t errlen);
AppBlockSide app_block_count(const EngGraph *g, EngCount cnt);
/* Median forward times ms[0] (A) and ms[1] (B), each design built afresh
 * and timed as app_time_forward says (progress counts the passes of each
 * side from 0). 0; 1 when progress stopped it; -1 with err saying why
 * ("<design> cannot be built: ...", "one side needs about 3.1 GB ...",
 * "<design> could not run: ...") and ms zero. */
int app_block_time(const ModelBlock *b, const BlockCfg *cfg, const AppTiming *tm,
                   AppProgress progress, void *ctx, double ms[2], char *err, size_t errlen);

/* One branch of a block (b->branch: inception's 5x5) against the whole
 * block, in MACs, A's and B's, from the built graphs g[0], g[1]. */
typedef struct {
    int64_t macs[2];   /* the branch's nodes */
    int64_t whole[2];  /* the whole block */
} AppBranch;
/* Fills out and text (one paragraph: both ratios and the sentence that
 * reconciles them); -1 when b has no branch or the graphs lack it. */
int app_block_branch(const ModelBlock *b, EngGraph *const g[2], AppBranch *out, char *text, size_t n);

/* A zoo network at its default input, counted. */
typedef struct {
    EngTotals t;
    int64_t ops;     /* under the counting convention */
    int depth;       /* weighted layers on the longest path */
    EngPaths paths;  /* input-to-output paths (the ensemble view) */
} AppNetCount;
/* 0, or -1 with the engine's reason in err when it cannot be built. */
int app_net_count(const ModelCard *card, EngCount cnt, AppNetCount *out, char *err, size_t errlen);

/* Told that network i took ms (0: could not be timed); nonzero stops. */
typedef int (*AppNetDone)(void *ctx, int i, double ms);
/* The forward time of every network card[0..n), at batch 1 on its default
 * input, those with the fewest MACs (macs[i]) first so that a table fills
 * quickly; each is reported to done as soon as it is timed. progress (may
 * be NULL) is told before every timed pass, as in app_time_forward. 0; 1
 * when progress or done stopped it; -1 when some could not be timed (they
 * were reported with 0; err names the first). */
int app_zoo_time(const ModelCard *const *card, const int64_t *macs, int n, const AppTiming *tm,
                 AppProgress progress, AppNetDone done, void *ctx, char *err, size_t errlen);

#endif
