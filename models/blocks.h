/*
 * blocks.h — pairs of building blocks (A against B) that the history of CNNs
 * argues about, built as real engine graphs so that parameters, MACs,
 * memory, receptive field and time are all measured, not quoted.
 */
#ifndef CONVSCOPE_BLOCKS_H
#define CONVSCOPE_BLOCKS_H

#include "eng.h"

typedef struct {
    int cin, cout, hw; /* input channels, output channels, input height = width */
    int groups;        /* plain-vs-grouped */
} BlockCfg;

typedef struct {
    const char *name;     /* "stack3x3-vs-5x5" */
    const char *a_name, *b_name;
    const char *explain;  /* the idea and who introduced it */
    const char *claim;    /* what the source notes (or the paper) say, to set beside the
                             measured numbers; NULL when they give none */
    BlockCfg defaults;
    int (*build_a)(EngGraph *g, int x, const BlockCfg *c);
    int (*build_b)(EngGraph *g, int x, const BlockCfg *c);
} ModelBlock;

/* What a few blocks add (a table of its own, so that the blocks' rows stay
 * short; zero: unused). b_input_cout: B's input has cout channels, not cin
 * (two blocks of different widths, as ResNet's Fig. 5); cin_label,
 * cout_label: what the two channel sizes mean then. branch: the name prefix
 * of one branch's nodes (inception's "5x5"), whose MACs are shown beside the
 * whole block's; branch_what: that branch in words. */
typedef struct {
    const char *block;
    int b_input_cout;
    const char *cin_label, *cout_label;
    const char *branch, *branch_what;
} ModelBlockExtra;
/* b's extras, all zero when it has none (never NULL). */
const ModelBlockExtra *model_block_extra(const ModelBlock *b);

int model_block_count(void);
const ModelBlock *model_block_at(int i);
const ModelBlock *model_block_find(const char *name); /* NULL if unknown */
/* The input channels of side which: cin, or cout for B when b_input_cout. */
int model_block_in_c(const ModelBlock *b, int which, const BlockCfg *cfg);
/* Graph of side A (which = 0) or B (1) on a (cin, hw, hw) input; NULL with
 * the reason logged when the configuration is impossible. */
EngGraph *model_block_build(const ModelBlock *b, int which, const BlockCfg *cfg);

#endif
