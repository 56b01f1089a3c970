/*
 * eng_graph_ops.c — the op table: one row per EngOpType, naming what the
 * engine does with a node of that op (its forward and backward step, how its
 * operations are counted, the scratch and training state it needs). The
 * forward pass, the backward pass, the accounting and the planner all go
 * through this table; none of them lists the ops again.
 *
 * Must not depend on: SDL or anything that draws.
 */
#include "eng_graph_internal.h"

/* Designated by op, so a row cannot land under another op's index;
 * test_graph checks that every row is filled. */
const EngOpInfo eng_op_table[] = {
    [ENG_OP_INPUT] = {"input", NULL, NULL, NULL, NULL, NULL, 0, 0},
    [ENG_OP_CONV] = {"conv", eng_fwd_conv, eng_bwd_conv, eng_ops_weighted, eng_scratch_conv,
                     NULL, 1, 0},
    [ENG_OP_CONVT] = {"convtranspose", eng_fwd_convt, eng_bwd_convt, eng_ops_weighted,
                      eng_scratch_convt, NULL, 1, 0},
    [ENG_OP_MAXPOOL] = {"maxpool", eng_fwd_maxpool, eng_bwd_maxpool, eng_ops_maxpool, NULL,
                        NULL, 0, 1},
    [ENG_OP_AVGPOOL] = {"avgpool", eng_fwd_avgpool, eng_bwd_avgpool, eng_ops_avgpool, NULL,
                        NULL, 0, 0},
    [ENG_OP_GAVGPOOL] = {"globalavgpool", eng_fwd_gavgpool, eng_bwd_gavgpool, eng_ops_gavgpool,
                         NULL, NULL, 0, 0},
    [ENG_OP_GMAXPOOL] = {"globalmaxpool", eng_fwd_gmaxpool, eng_bwd_gmaxpool, eng_ops_gmaxpool,
                         NULL, NULL, 0, 0},
    [ENG_OP_LRN] = {"lrn", eng_fwd_lrn, eng_bwd_lrn, eng_ops_lrn, eng_scratch_lrn, NULL, 0, 0},
    [ENG_OP_BN] = {"batchnorm", eng_fwd_bn, eng_bwd_bn, eng_ops_bn, NULL, eng_aux_bn, 0, 0},
    [ENG_OP_RELU] = {"relu", eng_fwd_relu, eng_bwd_act, eng_ops_act, NULL, NULL, 0, 0},
    [ENG_OP_LEAKYRELU] = {"leakyrelu", eng_fwd_leakyrelu, eng_bwd_act, eng_ops_act, NULL, NULL,
                          0, 0},
    [ENG_OP_PRELU] = {"prelu", eng_fwd_prelu, eng_bwd_prelu, eng_ops_act, NULL, NULL, 0, 0},
    [ENG_OP_CLIP] = {"clip", eng_fwd_clip, eng_bwd_act, eng_ops_act, NULL, NULL, 0, 0},
    [ENG_OP_SIGMOID] = {"sigmoid", eng_fwd_sigmoid, eng_bwd_act, eng_ops_act, NULL, NULL, 0, 0},
    [ENG_OP_TANH] = {"tanh", eng_fwd_tanh, eng_bwd_act, eng_ops_act, NULL, NULL, 0, 0},
    [ENG_OP_HARDSIGMOID] = {"hardsigmoid", eng_fwd_hardsigmoid, eng_bwd_act, eng_ops_act, NULL,
                            NULL, 0, 0},
    [ENG_OP_HARDSWISH] = {"hardswish", eng_fwd_hardswish, eng_bwd_act, eng_ops_act, NULL, NULL,
                          0, 0},
    [ENG_OP_SOFTMAX] = {"softmax", eng_fwd_softmax, eng_bwd_softmax, eng_ops_softmax, NULL, NULL,
                        0, 0},
    [ENG_OP_FC] = {"fc", eng_fwd_fc, eng_bwd_fc, eng_ops_weighted, NULL, NULL, 1, 0},
    [ENG_OP_ADD] = {"add", eng_fwd_add, eng_bwd_add, eng_ops_add, NULL, NULL, 0, 0},
    [ENG_OP_MUL] = {"mul", eng_fwd_mul, eng_bwd_mul, eng_ops_mul, NULL, NULL, 0, 0},
    [ENG_OP_CONCAT] = {"concat", eng_fwd_concat, eng_bwd_concat, NULL, NULL, NULL, 0, 0},
    [ENG_OP_FLATTEN] = {"flatten", eng_fwd_copy, eng_bwd_copy, NULL, NULL, NULL, 0, 0},
    [ENG_OP_DROPOUT] = {"dropout", eng_fwd_dropout, eng_bwd_dropout, NULL, NULL, eng_aux_dropout,
                        0, 0},
    [ENG_OP_PAD] = {"pad", eng_fwd_pad, eng_bwd_pad, NULL, NULL, NULL, 0, 0},
    [ENG_OP_MATMUL] = {"matmul", eng_fwd_matmul, eng_bwd_matmul, eng_ops_weighted, NULL, NULL, 1,
                       0},
    [ENG_OP_RESHAPE] = {"reshape", eng_fwd_copy, eng_bwd_copy, NULL, NULL, NULL, 0, 0},
    [ENG_OP_AFFINE] = {"affine", eng_fwd_affine, eng_bwd_affine, eng_ops_affine, NULL, NULL, 0,
                       0},
    /* no input, and its value is not learned: no backward */
    [ENG_OP_CONST] = {"constant", eng_fwd_const, NULL, NULL, NULL, NULL, 0, 0},
    [ENG_OP_MAXUNPOOL] = {"maxunpool", eng_fwd_maxunpool, eng_bwd_maxunpool, NULL, NULL, NULL, 0,
                          0},
    [ENG_OP_TRANSPOSE] = {"transpose", eng_fwd_transpose, eng_bwd_transpose, NULL, NULL, NULL, 0,
                          0},
    [ENG_OP_LOGSOFTMAX] = {"logsoftmax", eng_fwd_logsoftmax, eng_bwd_logsoftmax, eng_ops_softmax,
                           NULL, NULL, 0, 0},
    [ENG_OP_SLICE] = {"slice", eng_fwd_slice, eng_bwd_slice, NULL, NULL, NULL, 0, 0},
    /* places, not values: no gradient */
    [ENG_OP_MAXPOOL_INDEX] = {"maxpool indices", eng_fwd_maxpool_index, NULL, NULL, NULL, NULL, 0,
                              0},
    [ENG_OP_BN_BATCH] = {"batchnorm (batch statistics)", eng_fwd_bn_batch, eng_bwd_bn_batch, NULL,
                         NULL, NULL, 0, 0},
    [ENG_OP_BN_STAT] = {"batch statistic", eng_fwd_bn_batch, eng_bwd_bn_batch, NULL, NULL, NULL,
                        0, 0},
    [ENG_OP_SILU] = {"silu", eng_fwd_silu, eng_bwd_act, eng_ops_act, NULL, NULL, 0, 0},
    [ENG_OP_GELU] = {"gelu", eng_fwd_gelu, eng_bwd_act, eng_ops_act, NULL, NULL, 0, 0},
    [ENG_OP_LAYERNORM] = {"layernorm", eng_fwd_layernorm, eng_bwd_layernorm, eng_ops_layernorm,
                          NULL, NULL, 0, 0},
    /* one multiply per unit, counted with the other elementwise products */
    [ENG_OP_LAYERSCALE] = {"layerscale", eng_fwd_layerscale, eng_bwd_layerscale, eng_ops_mul,
                           NULL, NULL, 0, 0},
    [ENG_OP_MISH] = {"mish", eng_fwd_mish, eng_bwd_act, eng_ops_act, NULL, NULL, 0, 0},
    [ENG_OP_DROP_PATH] = {"drop path", eng_fwd_drop_path, eng_bwd_drop_path, eng_ops_mul, NULL,
                          eng_aux_drop_path, 0, 0},
    [ENG_OP_JOIN] = {"join", eng_fwd_join, eng_bwd_join, eng_ops_join, NULL, eng_aux_join, 0, 0},
    [ENG_OP_RESIZE] = {"resize", eng_fwd_resize, eng_bwd_resize, eng_ops_resize, eng_scratch_resize,
                       NULL, 0, 0},
    [ENG_OP_UNARY] = {"unary", eng_fwd_unary, eng_bwd_unary, eng_ops_act, NULL, NULL, 0, 0},
    [ENG_OP_BINARY] = {"binary", eng_fwd_binary, eng_bwd_binary, eng_ops_binary, NULL, NULL, 0, 0},
    [ENG_OP_REDUCE] = {"reduce", eng_fwd_reduce, eng_bwd_reduce, eng_ops_reduce, NULL, NULL, 0, 0},
    /* places, moved: no arithmetic */
    [ENG_OP_DEPTH_SPACE] = {"depthtospace", eng_fwd_depth_space, eng_bwd_depth_space, NULL, NULL,
                            NULL, 0, 0},
    /* multiply-adds of two computed inputs: counted as a matmul's, no weights */
    [ENG_OP_BMM] = {"bmm", eng_fwd_bmm, eng_bwd_bmm, eng_ops_bmm, NULL, NULL, 0, 0},
};

/* The table's length is the op count: an op added at the end of EngOpType
 * without its row fails here. */
_Static_assert(sizeof eng_op_table / sizeof eng_op_table[0] == ENG_OP_COUNT,
               "eng_op_table needs one row per EngOpType");

const char *eng_op_name(EngOpType op) {
    return (op >= 0 && op < ENG_OP_COUNT && eng_op_table[op].name) ? eng_op_table[op].name : "?";
}
