/*
 * eng.h — the convscope compute engine: a DAG of named nodes, float32 NCHW.
 *
 * A network is built by C calls that add one node at a time; each call infers
 * the node's output shape immediately, so an impossible configuration is
 * reported at the node that causes it (with its name, the dimension and why).
 * Every activation is kept after a forward pass and can be read by node name,
 * and every max-pool records its switches (argmax), because the visualizer and
 * the deconvnet need them.
 *
 * Shapes: every node's output is a per-sample (C, H, W) triple; the batch size
 * N is chosen when buffers are planned. A fully connected output is (OUT,1,1),
 * a flattened map is (C*H*W,1,1).
 *
 * Memory: one block for all parameters, one for all activations, one scratch
 * arena (im2col), each allocated once per graph and batch size and reused
 * by every forward pass (llm.c's ParameterTensors / ActivationTensors).
 *
 * Must not depend on: SDL, cglm, anything that draws. OpenBLAS is reached only
 * through eng_gemm() in eng_gemm.c.
 */
#ifndef CONVSCOPE_ENG_H
#define CONVSCOPE_ENG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- errors and logging ------------------------------------------------ */

/* Broken invariant = bug: print file:line and the expression, then abort. */
#define ENG_ASSERT(cond)                                                       \
    do {                                                                       \
        if (!(cond)) eng_assert_fail(__FILE__, __LINE__, #cond);               \
    } while (0)
void eng_assert_fail(const char *file, int line, const char *expr);

typedef enum { ENG_LOG_DEBUG, ENG_LOG_INFO, ENG_LOG_WARN, ENG_LOG_ERROR } EngLogLevel;
typedef void (*EngLogFn)(EngLogLevel level, const char *msg, void *user);
/* The app installs a callback; the default prints errors and warnings to stderr. */
void eng_log_set(EngLogFn fn, void *user);
void eng_log(EngLogLevel level, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Format a message into err[n] (nothing when err is NULL): for functions that
 * report a failure to their caller instead of the log. */
void eng_set_err(char *err, size_t n, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Overflow-checked size arithmetic: return 0 and leave *out unchanged on overflow. */
int eng_mul_size(size_t *out, size_t a, size_t b);
int eng_mul3_size(size_t *out, size_t a, size_t b, size_t c);

/* A whole decimal number in [lo, hi] and nothing else (no spaces, no sign on
 * the unsigned one, no trailing characters, no overflow): 1 and *out set, or 0
 * and *out unchanged. Every number read from a file or a command line that
 * indexes or sizes anything goes through one of these. */
int eng_parse_i64(const char *s, long long lo, long long hi, long long *out);
int eng_parse_int(const char *s, int lo, int hi, int *out);
int eng_parse_u64(const char *s, uint64_t *out);
/* Comma-separated whole numbers, each in [lo, hi] (eng_parse_i64's rules):
 * their count (at most max, written to v), or -1 for anything else. */
int eng_parse_int_list(const char *s, int lo, int hi, int *v, int max);

/* FNV-1a over n bytes, going on from h (ENG_FNV_SEED to start): the checksum
 * of weights files, the keys of cached scans, the importer's name tables. */
#define ENG_FNV_SEED 14695981039346656037ull
uint64_t eng_fnv1a(uint64_t h, const void *b, size_t n);

/* Files written whole or not at all (eng_core.c). eng_tmpfile_open creates a
 * new file beside dest under a name no one else can predict or hold
 * ("dest.XXXXXX.tmp", created with O_CREAT | O_EXCL, so a symbolic link or
 * a file already under that name is never opened, and two writers to the
 * same dest each get their own); the caller writes through t->f.
 * eng_tmpfile_commit flushes it to the disk (fflush, fsync), closes it and
 * renames it over dest: a reader sees the old file or the new one, never a
 * half-written one. Only a regular file is replaced: an output that is a
 * device, FIFO, socket or folder is refused, a symbolic link to a regular
 * file has its target written (said on stderr), any other link is refused.
 * Temporary files of dest older than 5 minutes (left by a killed run) are
 * removed on open. eng_tmpfile_abort closes and removes it. Commit and a
 * failed open leave nothing behind. Errors go to err without a subsystem
 * tag ("cannot write out.onnx: No such file or directory"); 0 or -1. */
typedef struct {
    FILE *f;           /* open for writing (binary), NULL once committed or aborted */
    char path[4200];   /* the temporary file */
    char dest[4096];   /* the name it takes on commit */
} EngTmpFile;
int eng_tmpfile_open(EngTmpFile *t, const char *dest, char *err, size_t errlen);
int eng_tmpfile_commit(EngTmpFile *t, char *err, size_t errlen);
void eng_tmpfile_abort(EngTmpFile *t);

/* Opens an input file for reading, refusing anything but a regular file
 * (eng_core.c): opened with O_NONBLOCK so a FIFO with no writer or a device
 * returns at once, then checked by fstat of the opened descriptor (a stat of
 * the name first could see another file than the one opened). nofollow also
 * refuses a symbolic link. Returns the descriptor (blocking again, close-on-
 * exec) with the size in *size (may be NULL), or -1 with err filled without
 * a subsystem tag, the path first: "x: a FIFO, not a regular file",
 * "y: cannot open: No such file or directory". Every reader of a file named
 * by a person or by another file goes through it (or eng_read_file). */
int eng_open_input(const char *path, int nofollow, int64_t *size, char *err, size_t errlen);
/* The same as a stdio stream ("rb"); NULL with err filled. */
FILE *eng_fopen_input(const char *path, int64_t *size, char *err, size_t errlen);

/* A whole file into *buf (malloc'ed, one NUL byte past the end so text can
 * be parsed in place; free it), its size in *len (eng_core.c). Only a
 * regular file is read: a directory, FIFO, device or socket is refused
 * without waiting on it (opened with O_NONBLOCK, checked by fstat of the
 * opened descriptor). More than cap bytes fail, whether fstat says so or
 * the file grows while it is read. Errors go to err without a subsystem tag,
 * the path first ("digits/7.json: cannot open: No such file or directory",
 * "x: a FIFO, not a regular file", "y: larger than the 64 MiB limit"), for
 * the caller to prefix with its own; 0 or -1 (then *buf is NULL). */
int eng_read_file(const char *path, size_t cap, uint8_t **buf, size_t *len, char *err,
                  size_t errlen);

/* A folder the program reads resources from: the environment variable env
 * when it is set and not empty, else rel under the source tree the build was
 * made from (so any working directory works), else rel itself. The string
 * lasts as long as the program. Used for the assets and the digits. */
const char *eng_resource_dir(const char *env, const char *rel);

/* Numbers for people (eng_format.c): "61,706", "15.47G", "392.0 KiB". Each
 * writes into buf (NUL-terminated, truncated to n) and returns it. */
const char *eng_fmt_grouped(int64_t v, char *buf, size_t n);
const char *eng_fmt_si(double v, char *buf, size_t n);
/* A receptive field's size, stride or pad along both axes: "7" when the
 * height's h equals the width's w, else "HxW" ("7x1"). */
const char *eng_fmt_hw(int64_t h, int64_t w, char *buf, size_t n);
const char *eng_fmt_bytes(double bytes, char *buf, size_t n);

/* ---- threads and GEMM --------------------------------------------------- */

/* Number of threads for OpenBLAS and the engine's own loops (>= 1). */
void eng_set_threads(int n);
int eng_get_threads(void);

/* Run fn(ctx, begin, end) over [0, n) split into one contiguous range per
 * engine thread, and return when every range is done. work_per_item is a rough
 * cost of one item (e.g. floats touched); loops under ENG_PAR_MIN_WORK in
 * total run on the calling thread, since waking a worker costs more. One
 * loop at a time: a call made while another runs (from another thread) runs
 * serially. Used for everything OpenBLAS does not do. */
typedef void (*EngRangeFn)(void *ctx, size_t begin, size_t end);
#define ENG_PAR_MIN_WORK ((size_t)1 << 15)
void eng_parallel_for(size_t n, size_t work_per_item, EngRangeFn fn, void *ctx);
/* Resize the worker pool (eng_set_threads does it). */
void eng_threads_resize(int n);

/* C[M,N] = alpha * op(A) * op(B) + beta * C, row-major (cblas semantics):
 * op(A) is (M,K), op(B) is (K,N); lda/ldb/ldc are row strides. */
void eng_gemm(int trans_a, int trans_b, int M, int N, int K, float alpha,
              const float *A, int lda, const float *B, int ldb, float beta,
              float *C, int ldc);
/* The same product by plain loops: the reference the tests compare against. */
void eng_gemm_naive(int trans_a, int trans_b, int M, int N, int K, float alpha,
                    const float *A, int lda, const float *B, int ldb, float beta,
                    float *C, int ldc);

/* ---- ops ---------------------------------------------------------------- */

typedef enum {
    ENG_OP_INPUT = 0,
    ENG_OP_CONV,          /* conv2d: stride, asymmetric pad, dilation, groups */
    ENG_OP_CONVT,         /* transposed conv2d */
    ENG_OP_MAXPOOL,
    ENG_OP_AVGPOOL,
    ENG_OP_GAVGPOOL,      /* global average pool -> (C,1,1) */
    ENG_OP_GMAXPOOL,      /* global max pool -> (C,1,1) */
    ENG_OP_LRN,           /* local response norm across channels (ONNX) */
    ENG_OP_BN,            /* batch norm, inference: running statistics */
    ENG_OP_RELU,
    ENG_OP_LEAKYRELU,
    ENG_OP_PRELU,
    ENG_OP_CLIP,          /* ReLU6 is clip(0, 6) */
    ENG_OP_SIGMOID,
    ENG_OP_TANH,
    ENG_OP_HARDSIGMOID,   /* max(0, min(1, alpha*x + beta)) */
    ENG_OP_HARDSWISH,     /* x * hardsigmoid(x) with alpha 1/6, beta 1/2 */
    ENG_OP_SOFTMAX,       /* over C at each (h, w), or over any span (EngSoftmaxParams) */
    ENG_OP_FC,            /* fully connected on the flattened (C*H*W) input */
    ENG_OP_ADD,           /* elementwise sum of n inputs of equal shape */
    ENG_OP_MUL,           /* x * s, s (C,1,1) broadcast over H, W, or equal shape */
    ENG_OP_CONCAT,        /* along channels, or along any span (EngConcatParams) */
    ENG_OP_FLATTEN,       /* (C,H,W) -> (C*H*W,1,1) */
    ENG_OP_DROPOUT,       /* identity at inference */
    ENG_OP_PAD,           /* constant pad of C, H and W */
    ENG_OP_MATMUL,        /* per sample: (M, K) or (K, M) times constant weights (ONNX Gemm) */
    ENG_OP_RESHAPE,       /* (C,H,W) -> any (C',H',W') of the same size: data unchanged */
    ENG_OP_AFFINE,        /* x * scale + shift, both (C,H,W): ONNX Add/Mul by a constant */
    ENG_OP_CONST,         /* no input: its (C,H,W) "value" parameter, the same in every sample */
    ENG_OP_MAXUNPOOL,     /* (C,H,W) -> (C,OH,OW): each value to a fixed place, zeros elsewhere */
    ENG_OP_TRANSPOSE,     /* a sample read as 4 axes, its axes permuted (ONNX Transpose) */
    ENG_OP_LOGSOFTMAX,    /* log of the softmax, over a span as ENG_OP_SOFTMAX (EngSoftmaxParams) */
    ENG_OP_SLICE,         /* a sample read as (outer, len, inner): every step-th of len from start */
    ENG_OP_MAXPOOL_INDEX, /* where each max pool window's maximum is (ONNX MaxPool's Indices) */
    ENG_OP_BN_BATCH,      /* batch norm by the statistics of the groups in a sample (ONNX training mode) */
    ENG_OP_BN_STAT,       /* those statistics moved into running ones: (C,1,1) */
    ENG_OP_SILU,          /* x * sigmoid(x) (swish with beta 1) */
    ENG_OP_GELU,          /* x * Phi(x), the exact erf form: 0.5 x (1 + erf(x / sqrt 2)) */
    ENG_OP_LAYERNORM,     /* each (h, w) normalised over C, then a per-channel weight and bias */
    ENG_OP_LAYERSCALE,    /* x * gamma, gamma (C,1,1) learned (ConvNeXt's layer scale) */
    ENG_OP_MISH,          /* x * tanh(softplus(x)) (Misra 2019) */
    ENG_OP_DROP_PATH,     /* stochastic depth: a whole sample's branch kept or zeroed */
    ENG_OP_JOIN,          /* FractalNet's join: the mean of n inputs, some dropped in training */
    ENG_OP_RESIZE,        /* (C,H,W) -> (C,OH,OW): nearest or bilinear resampling (ONNX Resize) */
    ENG_OP_UNARY,         /* an elementwise function of one input (EngUnaryParams: abs, exp, elu...) */
    ENG_OP_BINARY,        /* a op b, numpy broadcasting of two samples read as 4 axes (EngBinaryParams) */
    ENG_OP_REDUCE,        /* mean, sum or max over some of a sample's 4 axes (EngReduceParams) */
    ENG_OP_DEPTH_SPACE,   /* DepthToSpace (DCR, CRD) and SpaceToDepth: blocks of channels <-> pixels */
    ENG_OP_BMM,           /* a @ b of two inputs, matrices batched with broadcasting (EngBmmParams) */
    ENG_OP_COUNT
} EngOpType;

const char *eng_op_name(EngOpType op);

/* Padding order everywhere: top, left, bottom, right. */
typedef struct {
    int oc, kh, kw, sh, sw;
    int pt, pl, pb, pr;
    int dh, dw;         /* dilation, 1 = none */
    int groups;         /* 1 = dense, C = depthwise */
    int has_bias;
} EngConvParams;

typedef struct {
    int oc, kh, kw, sh, sw;
    int pt, pl, pb, pr; /* removed from the full output (ONNX "pads") */
    int dh, dw;
    int groups;
    int oph, opw;       /* output_padding, added at the bottom/right */
    int has_bias;
} EngConvTParams;

typedef struct {
    int kh, kw, sh, sw;
    int pt, pl, pb, pr;
    int ceil_mode;          /* output size rounds up (a window must start inside input + left pad) */
    int dh, dw;             /* max pool dilation (0 or 1 = none; ONNX MaxPool dilations) */
    int count_include_pad;  /* average pool: divide by the full window size */
} EngPoolParams;
typedef struct { int col_major; } EngPoolIndexParams; /* (w * H + h) in a plane, not (h * W + w) */

typedef struct { int size; float alpha, beta, bias; } EngLrnParams;
typedef struct { float eps; } EngBnParams;
/* Layer norm: a sample read as (outer, len, inner), each (outer, inner)
 * normalised over its len values, then weight and bias (len each). The
 * channel form (ConvNeXt's LayerNorm2d) is len C, inner H*W; ONNX
 * LayerNormalization over the trailing axes is inner 1. */
typedef struct { float eps; int len, inner; } EngLnParams;
/* Elementwise functions of one input (ENG_OP_UNARY), alpha and gamma their
 * ONNX attributes: ELU alpha (x < 0: alpha (e^x - 1)), SELU gamma and
 * alpha, CELU alpha (max(0, x) + min(0, alpha (e^(x / alpha) - 1))),
 * THRESHOLDED_RELU alpha (x > alpha: x, else 0), POW x^alpha (a constant
 * exponent), LINEAR alpha x + gamma (ONNX's Add, Sub, Mul, Div by a scalar). */
enum {
    ENG_UNARY_ABS = 0,
    ENG_UNARY_NEG,
    ENG_UNARY_EXP,
    ENG_UNARY_LOG,
    ENG_UNARY_RECIPROCAL,
    ENG_UNARY_SQRT,
    ENG_UNARY_ERF,
    ENG_UNARY_ELU,
    ENG_UNARY_SELU,
    ENG_UNARY_CELU,
    ENG_UNARY_SOFTPLUS,
    ENG_UNARY_SOFTSIGN,
    ENG_UNARY_THRESHOLDED_RELU,
    ENG_UNARY_POW,
    ENG_UNARY_LINEAR,
    ENG_UNARY_COUNT
};
typedef struct { int kind; float alpha, gamma; } EngUnaryParams;
/* a op b of two inputs (ENG_OP_BINARY), each sample read as 4 axes a[] and
 * b[] (row-major, ones in front); along each axis the sizes are equal or one
 * of them 1 (broadcast, numpy's rule); the output holds out[k] = max(a[k], b[k]). */
enum { ENG_BINARY_ADD = 0, ENG_BINARY_SUB, ENG_BINARY_MUL, ENG_BINARY_DIV, ENG_BINARY_POW,
       ENG_BINARY_COUNT };
typedef struct { int kind; int a[4], b[4], out[4]; } EngBinaryParams;
/* a @ b of two inputs (ENG_OP_BMM, ONNX MatMul of two computed tensors, numpy's
 * matmul): each sample read as 4 axes, the last two a matrix, a = (a0, a1, M,
 * K), b = (b0, b1, K, P); along the first two the sizes are equal or one of
 * them 1 (broadcast); out = (max(a0, b0), max(a1, b1), M, P), each of its
 * matrices the product of the two the broadcast pairs. */
typedef struct { int a[4], b[4], out[4]; } EngBmmParams;
/* A reduction (ENG_OP_REDUCE) of a sample read as dims[4] over the axes in
 * the bit mask `axes` (bit k: axis k); the output has 1 at those axes.
 * SUM_SQUARE sums x^2. MAX's gradient goes to every unit equal to the maximum. */
enum { ENG_REDUCE_MEAN = 0, ENG_REDUCE_SUM, ENG_REDUCE_MAX, ENG_REDUCE_SUM_SQUARE, ENG_REDUCE_COUNT };
typedef struct { int kind; int dims[4]; int axes; } EngReduceParams;
/* DepthToSpace (to_space 1: (C, H, W) -> (C / b^2, H b, W b)) and SpaceToDepth
 * (to_space 0: the inverse of DCR's). Output (c, h b + i, w b + j) of
 * DepthToSpace reads channel ((i b + j) C' + c) in DCR order (ONNX's default,
 * TensorFlow's), (c b^2 + i b + j) in CRD order (PyTorch's PixelShuffle). */
typedef struct { int block, crd, to_space; } EngDepthSpaceParams;
/* A sample holding n groups of c channels of hw values (an ONNX tensor (n, c,
 * ...) run as one sample): batch norm by each channel's mean and biased
 * variance over its n*hw values; the statistics node gives momentum * the
 * running value + (1 - momentum) * the batch's (stat 0: mean, 1: variance). */
typedef struct { int n, c, hw, stat; float eps, momentum; } EngBnBatchParams;
typedef struct { float alpha; } EngLeakyParams;
typedef struct { int slopes; } EngPreluParams;      /* 1 (shared), C, or C*H*W (one per unit) */
/* A sample of C*H*W floats read as (outer, len, inner): softmax over len for
 * each (outer, inner). len = C, inner = H*W is a softmax over channels. */
typedef struct { int len, inner; } EngSoftmaxParams;
/* ONNX Gemm inside one sample: x is (M, K) (trans_a: (K, M)), the weight
 * (OUT, K) as in FC, the bias (M, OUT); out (M, OUT). A stack of `stack`
 * matrices (ONNX MatMul by a constant (..., S, K, OUT): a batched product):
 * the weight (S, OUT, K); x's M rows are blocks of `rows`, block b
 * multiplied by matrix b % S (the stack's axes are the last ones before the
 * rows). stack 1: one matrix, rows = M. */
typedef struct { int m, k, out, trans_a, has_bias, rows, stack; } EngMatmulParams;
typedef struct { int has_scale, has_shift; } EngAffineParams; /* params: scale, then shift */
/* Each input's sample read as (outer, len_i, inner); out (outer, sum len_i, inner).
 * outer 1, inner H*W: along channels. */
typedef struct { int outer, inner; } EngConcatParams;
/* MaxUnpool with constant indices (ONNX): the "indices" parameter holds, for
 * each input unit, its place in the (C, OH, OW) output as an exact float
 * (hence outputs of at most 2^24 units); places are distinct. */
typedef struct { int oh, ow; } EngUnpoolParams;
/* A sample read as dims[0..3] (row-major, product C*H*W); output axis k is
 * input axis perm[k]. */
typedef struct { int dims[4], perm[4]; } EngTransposeParams;
/* A sample read as (outer, len, inner); out (outer, count, inner) holds rows
 * start, start + step, ... of len. outer 1, inner H*W: some channels. */
typedef struct { int outer, len, inner, start, step, count; } EngSliceParams;
#define ENG_UNPOOL_MAX_UNITS (1 << 24)
typedef struct { float lo, hi; } EngClipParams;
typedef struct { float alpha, beta; } EngHardSigmoidParams;
typedef struct { int out; int has_bias; } EngFcParams;
/* cb, ca: channels added before and after the input's (ResNet's option-A
 * shortcut appends zero channels: He et al. 2016, sec. 3.3) */
/* mode: what the new units of H and W hold: value (ENG_PAD_CONSTANT), the
 * input mirrored about its edge unit (REFLECT: PyTorch's ReflectionPad2d,
 * each pad below the side's size) or the edge unit repeated (EDGE:
 * ReplicationPad2d); new channels are always value. */
enum { ENG_PAD_CONSTANT = 0, ENG_PAD_REFLECT, ENG_PAD_EDGE };
typedef struct { int pt, pl, pb, pr; float value; int cb, ca; int mode; } EngPadParams;
typedef struct { float ratio; } EngDropoutParams;
/* Stochastic depth (Huang et al. 2016): the survival probability of the branch */
typedef struct { float keep; } EngDropPathParams;
/* FractalNet's drop-path. Local: each input of a join dropped with probability
 * drop. Global (columns > 0, see eng_join_columns): col[i] is input i's column
 * (0 .. columns - 1), and a training pass is global with probability global. */
#define ENG_JOIN_MAX_COLUMNS 8
typedef struct {
    float drop, global;
    int columns;
    signed char col[ENG_JOIN_MAX_COLUMNS];
} EngJoinParams;
/* Resize (ONNX Resize, PyTorch F.interpolate) of each (H, W) plane to (oh, ow).
 * Output unit o of an axis of in input and out output units reads the input at
 * the coordinate the transformation gives (scale: that axis's factor, the one
 * given, else out / in):
 *   HALF_PIXEL          (o + 0.5) / scale - 0.5      (PyTorch align_corners=False)
 *   PYTORCH_HALF_PIXEL  the same, 0 when L <= 1      (what PyTorch exports)
 *   ALIGN_CORNERS       o * (in - 1) / (L - 1), 0 when L <= 1
 *   ASYMMETRIC          o / scale                    (PyTorch nearest, ONNX Upsample)
 *   TF_HALF_PIXEL_FOR_NN (o + 0.5) / scale
 * NEAREST takes the unit that coordinate rounds to by the rounding rule
 * (PyTorch nearest: FLOOR; ONNX's default: ROUND_PREFER_FLOOR, a half goes
 * down), LINEAR the two units around it weighted by distance on each axis
 * (bilinear); a coordinate outside [0, in - 1] is clamped to it, as ONNX
 * (edge padding) and PyTorch do. L is in * scale, the resized length before
 * it is floored (ONNX's reference implementation and test data): out itself
 * when the size was given, 2.4 for 4 units scaled by 0.6 (out 2). */
enum { ENG_RESIZE_NEAREST = 0, ENG_RESIZE_LINEAR };
enum {
    ENG_RESIZE_HALF_PIXEL = 0,
    ENG_RESIZE_ALIGN_CORNERS,
    ENG_RESIZE_ASYMMETRIC,
    ENG_RESIZE_PYTORCH_HALF_PIXEL,
    ENG_RESIZE_TF_HALF_PIXEL_FOR_NN,
    ENG_RESIZE_COORD_COUNT
};
enum {
    ENG_RESIZE_ROUND_PREFER_FLOOR = 0,
    ENG_RESIZE_ROUND_PREFER_CEIL,
    ENG_RESIZE_FLOOR,
    ENG_RESIZE_CEIL,
    ENG_RESIZE_ROUND_COUNT
};
/* The builder takes oh (ow) 0 as floor(H * sh) (ONNX's rule for scales),
 * and sh (sw) 0 as oh / H (ONNX's rule for sizes); it stores both. */
typedef struct {
    int mode, coord, round; /* ENG_RESIZE_* */
    int oh, ow;
    double sh, sw;
} EngResizeParams;
/* Where output unit o of one axis reads: input units i0 and i1 with weights
 * w0 and w1 (nearest: i1 = i0, w0 = 1, w1 = 0). Shared by the forward and
 * backward kernels, so both use the same taps. */
typedef struct { int i0, i1; float w0, w1; } EngResizeTap;
EngResizeTap eng_resize_tap(const EngResizeParams *p, int o, int in, int out, double scale);

/* ---- graph --------------------------------------------------------------- */

typedef struct { int C, H, W; } EngShape;

/* Receptive field of one output unit in input pixels (Araujo, Norris, Sim,
 * "Computing Receptive Fields of Convolutional Neural Networks", Distill 2019):
 * size r, effective stride j, effective padding p, along each axis apart (a
 * 1x7 kernel, a non-square stride or an asymmetric pad make them differ).
 * Unit (y, x) sees input rows [y*j - p, y*j - p + r - 1] with the height's
 * size, stride, pad, and columns [x*j_w - p_w, x*j_w - p_w + r_w - 1] with
 * the width's. `finite` is 0 after a global pool, FC or flatten. */
typedef struct {
    int finite;
    int64_t size, stride, pad;       /* height (rows) */
    int64_t size_w, stride_w, pad_w; /* width (columns) */
    int misaligned; /* a merge (add/concat) whose branches' fields do not line up */
} EngRf;

enum { ENG_PARAM_WEIGHT = 0, ENG_PARAM_BIAS, ENG_PARAM_RUNNING_MEAN, ENG_PARAM_RUNNING_VAR };
#define ENG_MAX_PARAMS 4

typedef struct {
    const char *suffix;  /* "weight", "bias", "running_mean", "running_var" */
    int kind;            /* ENG_PARAM_* */
    int learnable;       /* running statistics are not */
    int ndim;
    int dims[4];
    size_t n;            /* element count */
    float *data;         /* into the graph's parameter block, after eng_graph_alloc_params */
    float *grad;         /* d loss / d data, from the first backward pass on (gradients enabled) */
} EngParam;

enum { ENG_NODE_TRAIN_ONLY = 1 }; /* e.g. GoogLeNet's auxiliary classifiers */

typedef struct {
    char name[96];
    EngOpType op;
    int *inputs;          /* node ids */
    int n_inputs;
    int flags;
    EngShape out;         /* per-sample output shape */
    union {
        EngConvParams conv;
        EngConvTParams convt;
        EngPoolParams pool;
        EngLrnParams lrn;
        EngBnParams bn;
        EngLeakyParams leaky;
        EngPreluParams prelu;
        EngClipParams clip;
        EngHardSigmoidParams hsig;
        EngFcParams fc;
        EngPadParams pad;
        EngDropoutParams dropout;
        EngDropPathParams droppath;
        EngJoinParams join;
        EngResizeParams resize;
        EngSoftmaxParams softmax;
        EngMatmulParams matmul;
        EngAffineParams affine;
        EngConcatParams concat;
        EngUnpoolParams unpool;
        EngTransposeParams transpose;
        EngSliceParams slice;
        EngBnBatchParams bnb;
        EngPoolIndexParams pool_index;
        EngLnParams ln;
        EngUnaryParams unary;
        EngBinaryParams binary;
        EngReduceParams reduce;
        EngDepthSpaceParams ds;
        EngBmmParams bmm;
    } p;
    EngParam params[ENG_MAX_PARAMS];
    int n_params;
    int64_t macs;         /* multiply-accumulates per sample (conv, convT, FC) */
    EngRf rf;
    float *act;           /* (N, C, H, W) after a forward pass */
    int32_t *argmax;      /* max pool: (N, C, OH, OW), index h*W+w into the input plane */
    double ms;            /* wall time of this node in the last forward pass */
    float *grad;          /* d loss / d act, (N, C, H, W), when gradients are enabled */
    float *aux;           /* training state: BN batch mean and 1/std (2C), dropout mask (N*C*H*W) */
} EngNode;

typedef struct EngGraph EngGraph;

EngGraph *eng_graph_create(void);
void eng_graph_destroy(EngGraph *g);

/* 0 after any failed add; the first error message is kept. */
int eng_graph_ok(const EngGraph *g);
const char *eng_graph_error(const EngGraph *g);

int eng_graph_node_count(const EngGraph *g);
const EngNode *eng_graph_node(const EngGraph *g, int id);
/* A node to change. Taking one counts as changing the graph's parameters:
 * caches derived from them (Winograd's transformed filters) are rebuilt
 * before the next forward pass. */
EngNode *eng_graph_node_mut(EngGraph *g, int id);
int eng_graph_find(const EngGraph *g, const char *name); /* id or -1 */
int eng_graph_output(const EngGraph *g);                  /* last inference node, unless set */
void eng_graph_set_output(EngGraph *g, int id);

/*
 * Builders. Each returns the new node id, or -1 when an input id is invalid or
 * the shape is impossible; then the graph is marked failed with a message like
 *   engine: node 'conv2' (conv): kernel 7x7 larger than padded input 5x5
 * and later adds that use -1 also return -1 (so builders check once, at the end).
 */
int eng_input(EngGraph *g, const char *name, int C, int H, int W);
int eng_conv(EngGraph *g, const char *name, int x, const EngConvParams *p);
/* Square kernel, symmetric padding, no dilation: the common case. */
int eng_conv_k(EngGraph *g, const char *name, int x, int oc, int k, int stride, int pad,
               int groups, int bias);
int eng_convt(EngGraph *g, const char *name, int x, const EngConvTParams *p);
int eng_maxpool(EngGraph *g, const char *name, int x, const EngPoolParams *p);
/* The Indices of max pool node `pool`, as ONNX gives them: for each window the
 * place of its largest value (the pool's own switches) in the whole (N, C, H,
 * W) input, row-major (col_major: H and W swapped in a plane), as an exact
 * float (a sample of fewer than 2^24 values; the batch offset too while
 * N*C*H*W < 2^24). */
int eng_maxpool_indices(EngGraph *g, const char *name, int pool, int col_major);
/* Batch norm by batch statistics inside one sample (see EngBnBatchParams):
 * parameters weight and bias (c each); and the running statistic its batch
 * moves (parameter "running", c values; out (c, 1, 1)). */
int eng_bn_batch(EngGraph *g, const char *name, int x, int n, int c, int hw, float eps);
int eng_bn_stat(EngGraph *g, const char *name, int x, int n, int c, int hw, int stat, float momentum);
int eng_avgpool(EngGraph *g, const char *name, int x, const EngPoolParams *p);
/* Square window, symmetric padding, floor mode, average excludes padding. */
int eng_maxpool_k(EngGraph *g, const char *name, int x, int k, int stride, int pad);
int eng_avgpool_k(EngGraph *g, const char *name, int x, int k, int stride, int pad);
int eng_gavgpool(EngGraph *g, const char *name, int x);
int eng_gmaxpool(EngGraph *g, const char *name, int x);
int eng_lrn(EngGraph *g, const char *name, int x, int size, float alpha, float beta, float bias);
int eng_bn(EngGraph *g, const char *name, int x, float eps);
int eng_relu(EngGraph *g, const char *name, int x);
int eng_leakyrelu(EngGraph *g, const char *name, int x, float alpha);
int eng_prelu(EngGraph *g, const char *name, int x, int slopes);
int eng_clip(EngGraph *g, const char *name, int x, float lo, float hi);
int eng_sigmoid(EngGraph *g, const char *name, int x);
int eng_tanh(EngGraph *g, const char *name, int x);
int eng_hardsigmoid(EngGraph *g, const char *name, int x, float alpha, float beta);
int eng_hardswish(EngGraph *g, const char *name, int x);
int eng_silu(EngGraph *g, const char *name, int x);
int eng_gelu(EngGraph *g, const char *name, int x);
/* LayerNorm over the channels of each (h, w) (ConvNeXt's LayerNorm2d, and
 * nn.LayerNorm(C) of a channels-last map): mean and biased variance of the C
 * values, then "weight" and "bias", (C) each. */
int eng_layernorm(EngGraph *g, const char *name, int x, float eps);
/* x times a learned per-channel factor: parameter "layer_scale", (C, 1, 1),
 * initialised to 1e-6 (torchvision's CNBlock.layer_scale). */
int eng_layer_scale(EngGraph *g, const char *name, int x);
int eng_mish(EngGraph *g, const char *name, int x);
int eng_softmax(EngGraph *g, const char *name, int x);
/* Softmax over len values spaced inner apart (see EngSoftmaxParams);
 * len * inner must divide the sample's size. */
int eng_softmax_span(EngGraph *g, const char *name, int x, int len, int inner);
/* log softmax (PyTorch's log_softmax, ONNX LogSoftmax) over the same spans */
int eng_logsoftmax_span(EngGraph *g, const char *name, int x, int len, int inner);
/* ONNX Gemm on one sample read as a matrix: in (M, K), or (K, M) with trans_a;
 * out (M, OUT, 1). Its backward is implemented (FD-checked in test_grad). */
int eng_matmul(EngGraph *g, const char *name, int x, int m, int k, int out, int trans_a, int bias);
/* The batched form: blocks of `rows` of the M rows, each by its matrix of a
 * stack of `stack` (OUT, K) ones (no bias, no trans_a). */
int eng_matmul_stack(EngGraph *g, const char *name, int x, int m, int rows, int k, int out, int stack);
/* x * scale + shift with one scale and one shift per unit of a sample (either
 * may be left out): "weight" and "bias", (C*H*W) each. */
int eng_affine(EngGraph *g, const char *name, int x, int scale, int shift);
/* Inputs joined along a span (see EngConcatParams): out is the output's
 * shape, its size outer * inner * the sum of the inputs' len_i. */
int eng_concat_span(EngGraph *g, const char *name, const int *xs, int n, int outer, int inner,
                    EngShape out);
/* MaxUnpool to (C, OH, OW) with its "indices" parameter (see EngUnpoolParams). */
int eng_maxunpool(EngGraph *g, const char *name, int x, int oh, int ow);
/* A constant (C, H, W) with no input: its parameter "value" (not learned). */
int eng_const(EngGraph *g, const char *name, int C, int H, int W);
/* The sample read as dims[4], axes permuted by perm (output axis k is input
 * axis perm[k]), stored as (C, H, W) (its product must be the sample's size). */
int eng_transpose(EngGraph *g, const char *name, int x, const int dims[4], const int perm[4], int C,
                  int H, int W);
/* Part of each sample (see EngSliceParams), stored as out (C*H*W =
 * outer * count * inner). Along channels it keeps the input's receptive field. */
int eng_slice(EngGraph *g, const char *name, int x, const EngSliceParams *p, EngShape out);
/* The same data under another per-sample shape (C*H*W unchanged). */
int eng_reshape(EngGraph *g, const char *name, int x, int C, int H, int W);
int eng_fc(EngGraph *g, const char *name, int x, int out, int bias);
int eng_add(EngGraph *g, const char *name, const int *xs, int n);
int eng_add2(EngGraph *g, const char *name, int a, int b);
int eng_mul(EngGraph *g, const char *name, int x, int scale);
int eng_concat(EngGraph *g, const char *name, const int *xs, int n);
int eng_flatten(EngGraph *g, const char *name, int x);
int eng_dropout(EngGraph *g, const char *name, int x, float ratio);
/* Stochastic depth on a residual branch x (Huang, Sun, Liu, Sedra, Weinberger
 * 2016): in training each sample's whole branch is kept with probability
 * keep (0 < keep <= 1) and zeroed otherwise, one draw per sample from the
 * graph's RNG (eng_graph_seed), the mask kept for the backward pass; at
 * inference the branch is scaled by keep (the paper's test-time rule, not
 * inverted scaling). */
int eng_drop_path(EngGraph *g, const char *name, int x, float keep);
/* FractalNet's join (Larsson, Maire, Shakhnarovich 2016): the element-wise
 * mean of n inputs of equal shape. In training each sample drops each input
 * with probability drop (0 <= drop < 1), keeping at least one (drawn
 * uniformly when all would go), and averages the kept ones; the mask is
 * kept for the backward pass. At inference the mean of all n. */
int eng_join(EngGraph *g, const char *name, const int *xs, int n, float drop);
/* FractalNet's global drop-path (Larsson et al., sec. 3.1) on a join: cols[i]
 * is the column of input i (0 to ENG_JOIN_MAX_COLUMNS - 1, one input per
 * column). At the start of each training forward pass the graph draws once:
 * with probability global (the largest any join gives) the whole pass is
 * global, one column chosen uniformly among the columns its joins name, and
 * every join keeps only its input of that column in every sample (a join
 * with no input of that column is off the chosen path: it keeps all); else
 * each join drops locally. Nothing is drawn when no join has global > 0. */
int eng_join_columns(EngGraph *g, int join, const int *cols, float global);
/* The last training pass's drop-path: -1 local (or none), else the column
 * the global drop-path kept. */
int eng_graph_join_column(const EngGraph *g);
int eng_pad(EngGraph *g, const char *name, int x, int pt, int pl, int pb, int pr, float value);
/* Pads of C as well as H and W (each from 0 to 4096). */
int eng_pad_chw(EngGraph *g, const char *name, int x, const EngPadParams *p);
/* Nearest or bilinear resize of each plane (see EngResizeParams): out (C, oh,
 * ow), each of oh, ow from 1 to 2^24, each scale finite and between
 * 2^-24 and 2^24. Its backward adds each output's gradient into the units it
 * read, with the same weights. */
int eng_resize(EngGraph *g, const char *name, int x, const EngResizeParams *p);
/* Layer norm over a span (see EngLnParams): len * inner must divide the sample. */
int eng_layernorm_span(EngGraph *g, const char *name, int x, int len, int inner, float eps);
/* An elementwise function (ENG_UNARY_*, see EngUnaryParams). */
int eng_unary(EngGraph *g, const char *name, int x, int kind, float alpha, float gamma);
const char *eng_unary_name(int kind);
/* a op b (ENG_BINARY_*, see EngBinaryParams); out: how the engine holds the
 * broadcast result (C*H*W = the product of its 4 axes). */
int eng_binary(EngGraph *g, const char *name, int a, int b, int kind, const int adims[4],
               const int bdims[4], EngShape out);
/* a @ b, matrices batched with broadcasting (see EngBmmParams); out: how the
 * engine holds the result (C*H*W = the product of its 4 axes). */
int eng_bmm(EngGraph *g, const char *name, int a, int b, const int adims[4], const int bdims[4],
            EngShape out);
/* A reduction (ENG_REDUCE_*, see EngReduceParams); out holds the result. */
int eng_reduce(EngGraph *g, const char *name, int x, int kind, const int dims[4], int axes,
               EngShape out);
/* DepthToSpace or SpaceToDepth with block b (see EngDepthSpaceParams). */
int eng_depth_space(EngGraph *g, const char *name, int x, int block, int crd, int to_space);

/* Mark a node (and, typically, its whole branch) as training-only: it is not
 * run at inference and its parameters are counted apart. */
void eng_graph_set_flags(EngGraph *g, int id, int flags);

/* ---- accounting ------------------------------------------------------------ */

typedef struct {
    int64_t params;       /* learnable: weights + biases (BN scale and shift count) */
    int64_t weights;      /* weight tensors only (BN scale counts as a weight) */
    int64_t macs;         /* per sample */
    int64_t act_bytes;    /* float32 outputs of every node, per sample, input included */
    int64_t train_only_params; /* learnable params of training-only nodes (not in params) */
} EngTotals;

int64_t eng_node_params(const EngNode *n);   /* learnable */
int64_t eng_node_weights(const EngNode *n);
int64_t eng_node_act_bytes(const EngNode *n);
/* A conv's or pool's window, as the layer tables show it: kernel, stride,
 * pads (top, left, bottom, right), dilation (1 = none) and groups. has_dil is
 * 0 for an average pool (it cannot be dilated), has_groups 0 for every pool. */
typedef struct {
    int kh, kw, sh, sw, pt, pl, pb, pr, dh, dw, groups;
    int has_dil, has_groups;
} EngWindow;
/* 1 and *w filled for a conv, transposed conv, max or average pool; 0 for any
 * other op (a global pool's window is its whole input: no geometry to show). */
int eng_node_window(const EngNode *n, EngWindow *w);
/* The window as the five table cells kernel ("3x3"), stride ("2", or "2x1"
 * when the axes differ), pads ("1" when all four are equal, "0x3" for rows x
 * columns when top = bottom and left = right, else "t,l,b,r"), dilation
 * (as stride) and groups; "-" where the op has none. */
enum { ENG_WIN_KERNEL, ENG_WIN_STRIDE, ENG_WIN_PADS, ENG_WIN_DIL, ENG_WIN_GROUPS, ENG_WIN_CELLS };
void eng_fmt_window(const EngNode *n, char cells[ENG_WIN_CELLS][48]);
EngTotals eng_graph_totals(const EngGraph *g);
/* Activation memory per sample, bytes, forward pass only, counted as the
 * course notes' tables do: the input and the outputs of convolutions, pools
 * and FC layers, nothing else (not the ReLUs, which run in place, nor batch
 * norm, dropout, adds or concatenations). EngTotals.act_bytes counts every
 * node's output instead. Training-only nodes are left out of both. */
int64_t eng_graph_layer_act_bytes(const EngGraph *g);
/* The two conventions in words, for what shows a number. */
#define ENG_ACT_ALL_DESC "every node's float32 output, the input and in-place ReLUs included, forward only"
#define ENG_ACT_LAYERS_DESC "input, conv, pool and FC outputs only, float32, forward only"
/* Operation counts under a convention. Published counts differ because
 * they count different things: a multiply-add is one operation in MACs (what
 * fvcore reports as "flops", torchinfo as "Mult-Adds") and two in FLOPs; some
 * add the bias, batch norm and activations, most leave them out. Per output
 * element of a node, per sample:
 *   conv, convT, FC,  its multiply-adds (unit: 1 or 2 each)
 *   matmul, bmm
 *   bias              + 1 add, when the layer has a bias
 *   batch norm        1 multiply-add (x * scale + shift, inference)
 *   activation        1 (ReLU, leaky ReLU, PReLU, clip, sigmoid, tanh, hard
 *                     sigmoid, hard swish, SiLU, GELU, Mish); softmax 3 (exp, sum,
 *                     divide)
 *   layer norm        under "bn": 4 (the mean's add, the squared deviation's
 *                     multiply-add, the subtraction, the multiply by 1/std)
 *                     and 1 multiply-add for the weight and bias (2 in FLOPs)
 *   other             max pool: window - 1 compares; average pool: window
 *                     adds-or-divide; global pools: the plane's size; add of
 *                     n inputs: n - 1; mul: 1; affine: 1 each for scale and
 *                     shift; layer scale: 1; LRN: size multiply-adds + 3
 *   drop path         other: 1 (the scale by keep at inference)
 *   join of n inputs  other: n (n - 1 adds and the divide)
 *   resize            other: bilinear 4 multiply-adds (the four weighted
 *                     taps); nearest 0 (it copies)
 *   concat, flatten, reshape, dropout, pad, input, constant, maxunpool: 0
 *   (data movement). */
typedef struct {
    int flops;                /* 0: a multiply-add is 1 (MACs); 1: it is 2 (FLOPs) */
    int bias, bn, act, other; /* count these too */
} EngCount;
int64_t eng_node_ops(const EngNode *n, const EngGraph *g, EngCount c);
int64_t eng_graph_ops(const EngGraph *g, EngCount c);
/* "macs", "flops", optionally followed by ",bias", ",bn", ",act", ",other"
 * or ",all" (e.g. "flops,all"); 0, or -1 for anything else. */
int eng_count_parse(const char *s, EngCount *c);
/* The convention in words: "FLOPs (2 per multiply-add) + bias + BN". */
void eng_count_describe(EngCount c, char *buf, size_t n);

/* Weighted layers (conv, convT, FC) on the longest inference path: the
 * "depth" papers quote (VGG-16: 16, GoogLeNet: 22, ResNet-50: 50). */
int eng_graph_depth(const EngGraph *g);
/* The same for every node: d[i] (node count of them) is the weighted layers on
 * the longest path from the input to node i, 0 for training-only nodes. */
void eng_graph_node_depths(const EngGraph *g, int *d);

/* The ensemble view of a network (Veit, Wilber, Belongie, "Residual Networks
 * Behave Like Ensembles of Relatively Shallow Networks", NeurIPS 2016): the
 * distinct paths from the inputs to eng_graph_output() through the inference
 * DAG, counted in double (exact up to 2^53, then rounded; 2^1023 before it
 * overflows, where a uint64 stops at 2^64). A residual block's add has two
 * inputs, so n blocks give 2^n paths, with a projection shortcut as with an
 * identity one. mean_depth is the weighted layers per path averaged over
 * every path (each path counted once), against the longest path's depth. */
typedef struct {
    double paths;       /* 1 for a chain; 0 when no input reaches the output */
    double log2_paths;
    double mean_depth;  /* weighted layers per path, over all paths */
    int adds;           /* add nodes of two or more inputs on the inference graph */
    int pure_residual;  /* paths == 2^adds exactly, as in a plain ResNet */
} EngPaths;
EngPaths eng_graph_paths(const EngGraph *g);
/* The count in words, e.g. "256 paths from input to output (2^8: 8 residual
 * blocks)"; past 2^62 in scientific notation with its log2. */
const char *eng_fmt_paths(EngPaths p, char *buf, size_t n);
/* Veit et al.'s distribution, for a plain ResNet (pure_residual, adds > 0):
 * "a path runs through k of the 8 residual branches in C(8,k) ways: ..." */
const char *eng_fmt_paths_binomial(EngPaths p, char *buf, size_t n);

/* Grouped convolutions (AlexNet's two GPUs, ResNeXt's cardinality): a conv
 * with groups G > 1 is split, each group of filters reading only its own
 * 1/G of the input channels; a weighted layer of one group whose nearest
 * weighted layers upstream are grouped mixes their groups (AlexNet's conv3
 * and fc6, where the GPUs exchange data), and so does a hidden FC layer
 * after a mixing FC layer (fc7; not the classifier, the last). role[i] (node count of them): G
 * for a split node, -G (the groups it mixes) for a mixing one, else 0. */
void eng_graph_group_roles(const EngGraph *g, int *role);
/* The groups a conv's filters fall into: its own groups when > 1, else the
 * groups in which the nearest weighted layers downstream read its output
 * (AlexNet's conv1: 96 filters read by conv2 in 2 groups of 48, one per
 * GPU), when they divide its filters; 1 otherwise. */
int eng_graph_filter_groups(const EngGraph *g, int id);

/* A network trained split over several devices, one group of each grouped
 * layer per device (AlexNet on two GPUs, Krizhevsky et al. Fig. 2): its
 * builder says so (2 for AlexNet; 0 or 1: one device, the default). */
void eng_graph_set_devices(EngGraph *g, int devices);
int eng_graph_devices(const EngGraph *g);
/* Where each node runs on such a network, from its groups
 * (eng_graph_group_roles) and the devices count. dev[i] (node count):
 *   ENG_DEV_NONE      not split (the input; everything on a one-device graph)
 *   ENG_DEV_WHOLE     one part per device, each reading the whole, unsplit
 *                     input (AlexNet's conv1: 48 filters per GPU on the image)
 *   ENG_DEV_OWN       one part per device, each reading its own device's part
 *                     only (conv2, conv4, conv5, and the ReLUs, LRNs, pools)
 *   ENG_DEV_EXCHANGE  one part per device, each reading every device's part:
 *                     the devices exchange data (conv3, fc6, fc7)
 *   ENG_DEV_JOIN      one output that reads every device's part (fc8, the
 *                     classifier)
 * Returns the nodes split over the devices (WHOLE, OWN or EXCHANGE). */
enum { ENG_DEV_NONE = 0, ENG_DEV_WHOLE, ENG_DEV_OWN, ENG_DEV_EXCHANGE, ENG_DEV_JOIN };
int eng_graph_device_roles(const EngGraph *g, int *dev);
/* The role in words: "GPU 1 | GPU 2, each reads its own half" (devices 2)
 * or "split over 4 devices, ..."; "" for ENG_DEV_NONE. */
const char *eng_fmt_device_role(int devices, int role, char *buf, size_t n);
/* The role as one word for tables and JSON: "-", "whole", "own",
 * "exchange", "join". */
const char *eng_device_role_name(int role);

/* ---- buffers and forward -------------------------------------------------- */

/* Allocate the parameter block (once); contents undefined until filled. */
int eng_graph_alloc_params(EngGraph *g);
/* Allocate the parameter block (once) and fill it: He-normal weights for
 * conv/FC, zero biases, BN gamma 1, beta 0, mean 0, var 1. Deterministic per seed. */
int eng_graph_init_params(EngGraph *g, uint64_t seed);
/* The same with a choice of scale for conv/FC weights: He (std sqrt(2/fan_in),
 * for ReLU) or Xavier/Glorot (std sqrt(2/(fan_in+fan_out)), for tanh/sigmoid). */
/* ENG_INIT_HE_UNIFORM draws He's variance from a uniform distribution
 * (bound sqrt(6 / fan_in)): several times faster to make, for timing runs
 * where only the shapes matter. */
typedef enum { ENG_INIT_HE = 0, ENG_INIT_XAVIER, ENG_INIT_HE_UNIFORM } EngInit;
int eng_graph_init_params_ex(EngGraph *g, uint64_t seed, EngInit init);
/* Allocate activations and scratch for batch N (reused while N is unchanged). */
int eng_graph_plan(EngGraph *g, int N);
int eng_graph_batch(const EngGraph *g);
/* The buffer of an input node, (N, C, H, W); fill it, then call forward. */
float *eng_graph_input_buffer(EngGraph *g, int input_id);
/* Run every inference node in order. Returns 0 on success. */
int eng_graph_forward(EngGraph *g);
/* Use the naive reference kernels instead of the fast ones (tests). */
void eng_graph_set_reference(EngGraph *g, int on);
/* Parameters were written through a pointer kept from earlier (not through a
 * fresh eng_graph_node_mut, eng_weights_load, ONNX import, an optimiser step
 * or eng_graph_init_params, which all say so themselves): rebuild what is
 * derived from them before the next forward pass. */
void eng_graph_params_changed(EngGraph *g);
/* Winograd F(4x4, 3x3) for the 3x3 stride-1 convolutions the planner picks
 * (on by default; 0 forces im2col + GEMM everywhere). The training forward
 * pass (eng_graph_set_training) always takes the direct path. */
void eng_graph_set_winograd(EngGraph *g, int on);
/* How node id's convolution ran in the last forward pass: "winograd",
 * "gemm" (im2col + GEMM), "1x1 gemm", "depthwise", "reference"; NULL for a
 * node that is not a convolution or has not run. */
const char *eng_graph_conv_algo(const EngGraph *g, int id);

/* The fast inference layout (eng_graph_fuse.c), for passes that read only
 * the scores: asked for (or turned off) here, it takes effect at the next
 * eng_graph_plan, and plans no gradients while on (the backward pass and the
 * projections then fail; turn it off and plan again). A convolution and the batch norm and ReLU (or clip)
 * that follow it run as one step, the BN folded into a copy of the weights
 * (the parameters are not touched), and nodes share buffers once their
 * readers have run: after the pass only the inputs, the output and the
 * scores (eng_graph_logits) hold their values, so never for the window, a
 * projection or training (a forward pass in training or reference mode
 * fails). */
void eng_graph_set_fast(EngGraph *g, int on);
/* 1 when the buffers planned are the fast layout. */
int eng_graph_fast(const EngGraph *g);
/* Say that parameters were written other than through eng_graph_node_mut,
 * an optimizer step or a loader (those say it themselves): the next fast
 * pass folds them again. */
void eng_graph_params_changed(EngGraph *g);
/* In the fast layout, the node whose step computes node id (id itself for
 * the head of a chain: a convolution, or a batch norm or add followed by a
 * ReLU), or -1 when id runs on its own. */
int eng_graph_fused_with(const EngGraph *g, int id);
/* Bytes of the activation block as planned (the peak activation memory of
 * a pass), and in *keep_all (may be NULL) what one buffer per node takes. */
int64_t eng_graph_act_peak_bytes(const EngGraph *g, int64_t *keep_all);

/* ---- training and gradients (eng_train.c) ----------------------------------------
 * Backward passes add into gradients; eng_graph_zero_grads clears them. The
 * input's gradient is computed too (saliency, effective receptive fields). */

/* Ask for gradient buffers; takes effect at the next eng_graph_plan. */
int eng_graph_enable_grads(EngGraph *g);
/* Training mode: batch norm uses (and updates) batch statistics, dropout
 * drops. Off: inference behaviour (the default). */
void eng_graph_set_training(EngGraph *g, int on);
int eng_graph_training(const EngGraph *g);
/* Seed of the dropout masks (reproducible runs); the state moves as masks are
 * drawn, and can be read back to resume a run exactly. */
void eng_graph_seed(EngGraph *g, uint64_t seed);
uint64_t eng_graph_rng_state(const EngGraph *g);
void eng_graph_zero_grads(EngGraph *g);
/* Softmax cross-entropy of the output's logits (N, K) against labels (N):
 * zeroes every gradient, writes d mean-loss / d logits into the output's grad
 * and returns the mean loss (NAN when a label is not below the number of
 * logits); *correct (if not NULL) gets the argmax hits. */
double eng_graph_loss_ce(EngGraph *g, const uint8_t *labels, int *correct);
/* Propagate the output's grad back to every node, parameter and the inputs.
 * Requires a forward pass with the same inputs just before. */
int eng_graph_backward(EngGraph *g);

/* The effective receptive field of one unit (Luo et al. 2016, eng_grad.c):
 * after a forward pass, the gradient of unit (c, y, x) of node `node` (its
 * output (C, H, W), first image of the batch) with respect to the input,
 * summed over the input's channels in absolute value:
 *   out_hw (H, W) of input node 0 = sum over C of |d unit / d input (C, H, W)|.
 * Every gradient is overwritten (zeroed first). Needs eng_graph_enable_grads
 * before the plan. 0, or -1 (logged): no gradient at the node, a unit outside
 * it, or a network the backward pass cannot go through. */
int eng_graph_unit_grad(EngGraph *g, int node, int c, int y, int x, float *out_hw);

/* Projections to pixel space (Zeiler and Fergus 2014): after a forward pass,
 * start from node `layer`'s activations with every other one zeroed (keep
 * channel `channel`, or all when < 0; only unit (y, x) when y, x >= 0), and
 * send them down to the input through the same machinery as the backward
 * pass: max pooling unpools by its recorded switches, convolutions and FC
 * layers run transposed, batch norm is its linear scale, concat splits, an
 * add fans out. The rule says what ReLU (and ReLU6, LeakyReLU) do on the way:
 * BACKPROP the true gradient (saliency), DECONV rectifies the signal ignoring
 * the forward mask (LRN passed through, as the paper does), GUIDED both masks
 * and rectifies. The result is the input node's grad; parameter gradients are
 * not computed. Needs eng_graph_enable_grads and inference mode. */
typedef enum { ENG_RULE_BACKPROP = 0, ENG_RULE_DECONV, ENG_RULE_GUIDED } EngProjRule;
int eng_graph_project(EngGraph *g, int layer, int channel, int y, int x, EngProjRule rule);
/* Whether the three rules can give different pictures for node `layer`: the
 * id of the first node on a path from the input to it that they treat
 * apart (ReLU, ReLU6, LeakyReLU below the layer, LRN; `layer` itself only
 * when it is not a plain ReLU, whose rules all pass its own activations);
 * -1 when there is none (no such node: the three pictures are the same;
 * max pooling unpools by its switches under every rule), or for a bad layer. */
int eng_graph_proj_rules_differ(const EngGraph *g, int layer);
/* The unit of channel `channel` of node `layer` with the strongest
 * activation in the first image of the last forward pass. */
int eng_graph_strongest(const EngGraph *g, int layer, int channel, int *y, int *x);
/* The gradient of one unit (c, y, x) of node `from` (first image) sent down
 * to the input by `rule` after a forward pass: every gradient zeroed, 1 at
 * the unit, then the nodes from `from` back to the first, as
 * eng_graph_project does (parameter gradients are not computed). Every
 * node's grad then holds d unit / d its output (BACKPROP). Needs
 * eng_graph_enable_grads and inference mode; 0, or -1 (logged). */
int eng_graph_backward_from(EngGraph *g, int from, int c, int y, int x, EngProjRule rule);

/* As eng_graph_backward_from, but starting from any gradient: seed (C, H, W)
 * of node `from`'s output (first image) is d objective / d that output;
 * every other gradient is zeroed, then sent down to the input by `rule`. */
int eng_graph_backward_seed(EngGraph *g, int from, const float *seed, EngProjRule rule);

/* ---- a classifier's decision (eng_cam.c) ------------------------------------------ */

/* The node holding a classifier's class scores before softmax: the input
 * of a Softmax or LogSoftmax at the end (under a flatten or reshape too),
 * else the output itself. *probs (may be NULL) gets 1 when the output is a
 * Softmax, 2 a LogSoftmax, 0 neither. Class k is unit k of that node's
 * (C, H, W) read in order. */
int eng_graph_logits(const EngGraph *g, int *probs);
/* After a forward pass: the softmax of the first image's class scores into
 * p (room for the scores' C*H*W floats), their count in *K; 0, or -1 when
 * there are none or they are not finite. */
int eng_graph_class_probs(const EngGraph *g, float *p, int *K);
/* Grad-CAM (Selvaraju et al. 2017) of class cls at node `layer` (first
 * image), after a forward pass with gradients enabled, in inference mode:
 *   map (H, W) = ReLU(sum over channels k of alpha_k A^k),
 *   alpha_k = the mean over (H, W) of d score_cls / d A^k,
 * A the layer's output (C, H, W), score_cls the class score before softmax
 * (eng_graph_logits); in float, unnormalised. alpha (may be NULL) gets the
 * C weights. Gradients are overwritten. 0, or -1 with err filled: a class
 * past the scores, a layer after them, an op without a backward pass. */
int eng_graph_gradcam(EngGraph *g, int layer, int cls, float *map, float *alpha, char *err,
                      size_t errlen);
/* A map (h, w) resized to (H, W) bilinearly, pixel centres aligned
 * (PyTorch's interpolate with align_corners=False). */
void eng_cam_upsample(const float *m, int h, int w, float *out, int H, int W);
/* Guided Grad-CAM: guided backprop of class cls's score to the input
 * (Springenberg et al. 2015) times map (h, w) upsampled to the input's
 * size (eng_cam_upsample): out (C, H, W) of input node 0. Same needs and
 * returns as eng_graph_gradcam. */
int eng_graph_guided_gradcam(EngGraph *g, int cls, const float *map, int h, int w, float *out,
                             char *err, size_t errlen);

/* ---- feature visualization by optimization (eng_featvis.c) ------------------------
 * Gradient ascent on the input (Erhan et al. 2009; Simonyan et al. 2014) for
 * one channel's mean activation, one unit, or (on the class scores) one
 * class's score before softmax, with the regularisers that keep the picture
 * readable: L2 decay, Gaussian blur every few steps and clipping of
 * small-norm pixels (Yosinski et al. 2015), random jitter, scaling and
 * rotation of each step's input (Olah et al. 2017). */
typedef struct {
    int layer;          /* node id */
    int channel;        /* 0..C-1 of that node */
    int y, x;           /* one unit, or both -1: the mean over the channel's plane */
    int steps;          /* ascent steps, >= 1 */
    uint64_t seed;      /* the starting noise and every random transform */
    float lr;           /* step: lr * (hi - lo) * gradient / its RMS over the input */
    float decay;        /* L2: x *= (1 - decay) after each step */
    int blur_every;     /* Gaussian blur every that many steps (0: never) */
    float blur_sigma;   /* in input pixels */
    float clip;         /* fraction of the pixels with the smallest norm set to 0 each step */
    int jitter;         /* random shift of up to that many pixels each step */
    float scale;        /* random scale in [1 - scale, 1 + scale] each step */
    float rotate;       /* random rotation in [-rotate, rotate] degrees each step */
    float lo[3], hi[3]; /* the valid range of each input channel (kept inside) */
} EngFeatvis;
/* The defaults for an input with per-channel range [lo, hi]. */
void eng_featvis_defaults(EngFeatvis *p, const float lo[3], const float hi[3]);
/* Progress: done of total steps; a nonzero return stops the run. */
typedef int (*EngFeatvisProgress)(void *ctx, int done, int total);
/* The objective of p at input x (C, H, W of node 0), after a forward pass on
 * x, and its gradient with respect to x into grad (may be NULL); g planned at
 * batch 1 with gradients, inference mode. 0, or -1 with err. */
int eng_featvis_objective(EngGraph *g, const EngFeatvis *p, const float *x, double *obj, float *grad,
                          char *err, size_t errlen);
/* The run: x (C, H, W) gets the optimised input, as the network takes it;
 * hist (may be NULL, p->steps values) the objective at each step's
 * transformed input. Same p and g: bit-identical x. 0, 1 when progress
 * cancelled (x holds the input so far), -1 with err. */
int eng_featvis_run(EngGraph *g, const EngFeatvis *p, float *x, float *hist, EngFeatvisProgress progress,
                    void *ctx, char *err, size_t errlen);

/* Optimizers (eng_optim.c): one state per learnable float, in node order. */
typedef enum { ENG_OPT_SGD = 0, ENG_OPT_ADAM } EngOptKind;
typedef struct {
    EngOptKind kind;
    float lr, momentum, weight_decay; /* SGD: momentum; both: L2 on conv/FC weights */
    float beta1, beta2, eps;          /* Adam */
    int64_t step;
    size_t n;                         /* learnable floats */
    float *m, *v;                     /* momentum / Adam moments, (n) */
} EngOptimizer;
int eng_opt_init(EngOptimizer *o, const EngGraph *g, EngOptKind kind, float lr);
int eng_opt_step(EngOptimizer *o, EngGraph *g);
void eng_opt_free(EngOptimizer *o);
typedef enum { ENG_LR_CONSTANT = 0, ENG_LR_STEP, ENG_LR_COSINE } EngLrSchedule;
/* Learning rate of epoch `epoch` (0-based) of `epochs`. */
float eng_lr_schedule(EngLrSchedule s, float base, int epoch, int epochs, int step_every,
                      float gamma);

/* Weights and checkpoints (eng_weights.c), as safetensors files: parameters
 * named "<node>.<suffix>", float32. Save writes path.tmp then renames.
 * Load checks every tensor against the graph's parameters by name and shape
 * (allocating them if needed); opt (may be NULL) receives the optimizer state
 * when the file has one; meta (may be NULL) the metadata text. */
int eng_weights_save(const EngGraph *g, const EngOptimizer *opt, const char *meta,
                     const char *path, char *err, size_t errlen);
int eng_weights_load(EngGraph *g, EngOptimizer *opt, const char *path, char *meta, size_t metalen,
                     char *err, size_t errlen);
/* Any list of named float32 tensors (up to rank 4) in the same format, e.g.
 * filter snapshots taken during training. meta: "key=value" lines. */
typedef struct {
    char name[160];
    int ndim;
    int64_t dims[4];
    size_t n;
    float *data; /* owned by the list when loaded */
} EngTensor;
int eng_tensors_save(const char *path, const EngTensor *ts, int count, const char *meta, char *err,
                     size_t errlen);
int eng_tensors_load(const char *path, EngTensor **ts, int *count, char *meta, size_t metalen,
                     char *err, size_t errlen);
void eng_tensors_free(EngTensor *ts, int count);

/* NumPy .npy files of float32 (eng_npy.c), rank 0 to 4, C order, so results
 * can be checked numerically. Save writes path.tmp then renames; load
 * allocates *data (free it) and refuses other dtypes, Fortran order, and data
 * that does not match the shape. */
int eng_npy_save(const char *path, const int64_t *dims, int ndim, const float *data, char *err,
                 size_t errlen);
int eng_npy_load(const char *path, int64_t *dims, int *ndim, float **data, char *err,
                 size_t errlen);

/* ONNX (eng_onnx.c, the only protobuf-c file). A tensor given by value, e.g.
 * a backend test's extra inputs; float32, up to rank 8. */
typedef struct {
    char name[128];
    int ndim;
    int64_t dims[8];
    const float *data;
    const int64_t *ints; /* instead of data: an integer tensor (e.g. a Reshape's shape) */
} EngOnnxTensor;
/* A new graph holding the model for input (C, H, W) (<= 0: the size the file
 * declares), parameters allocated and filled; consts (may be NULL) are graph
 * inputs fixed to given values. NULL on any problem, with err filled (node
 * name, op type, opset, what is supported). */
EngGraph *eng_onnx_load(const char *path, int C, int H, int W, const EngOnnxTensor *consts,
                        int n_consts, char *err, size_t errlen);
/* The same for a data input of the full ONNX shape dims[ndim] (rank 1 to 4),
 * e.g. a backend test's input_0. ONNX axis 0 is the engine's batch, a sample
 * being (D1, D2, D3); a graph that computes across axis 0 (a Gemm with transA
 * or a matrix bias, a softmax or flatten at axis 0, a PRelu slope along it)
 * runs instead as one sample holding the whole tensor. ndim 0: the graph has
 * no data input (its outputs come from constants). run (may be NULL) gets
 * the N to plan and the engine node of every graph output. */
#define ENG_ONNX_MAX_OUTPUTS 8
typedef struct {
    int batch;      /* the N to plan: dims[0], or 1 when the graph runs as one sample */
    int n_outputs;  /* the graph's outputs (the first ENG_ONNX_MAX_OUTPUTS are listed) */
    int outputs[ENG_ONNX_MAX_OUTPUTS]; /* the engine node of each, -1: not computed */
    /* an output that is an empty tensor (a dimension of 0, known at load: a graph of
     * constants) has no node: its shape is here, empty_rank > 0 */
    int empty_rank[ENG_ONNX_MAX_OUTPUTS];
    int64_t empty_dims[ENG_ONNX_MAX_OUTPUTS][8];
} EngOnnxRun;
EngGraph *eng_onnx_load_shaped(const char *path, const int64_t *dims, int ndim, EngOnnxRun *run,
                               const EngOnnxTensor *consts, int n_consts, char *err,
                               size_t errlen);
/* eng_onnx_load_shaped from a model file's bytes already in memory. */
EngGraph *eng_onnx_load_buffer_shaped(const void *data, size_t len, const char *name,
                                      const int64_t *dims, int ndim, EngOnnxRun *run,
                                      const EngOnnxTensor *consts, int n_consts, char *err,
                                      size_t errlen);
/* The same from a model file's bytes already in memory; name is the file's
 * name in messages. eng_onnx_load reads the file and calls this. */
EngGraph *eng_onnx_load_buffer(const void *data, size_t len, const char *name, int C, int H,
                               int W, const EngOnnxTensor *consts, int n_consts, char *err,
                               size_t errlen);
/* eng_onnx_load that also gives the file's descriptive text in meta (may be
 * NULL), one "key=value" line each: "graph" (the graph's name), "producer"
 * (producer_name), "doc" (the model's doc_string, first line), then every
 * metadata_props entry; control characters become spaces, each value at
 * most 1000 bytes, lines that do not fit in metalen are left out. */
EngGraph *eng_onnx_load_meta(const char *path, int C, int H, int W, const EngOnnxTensor *consts,
                             int n_consts, char *meta, size_t metalen, char *err, size_t errlen);
/* A TensorProto file (input_K.pb / output_K.pb) as float32; *data is malloc'ed. */
int eng_onnx_read_tensor(const char *path, EngOnnxTensor *t, float **data, char *err,
                         size_t errlen);
/* The same, an integer tensor (int64, int32) allowed too: then t->ints is set
 * instead of t->data. *buf (malloc'ed) holds whichever it is. */
int eng_onnx_read_value(const char *path, EngOnnxTensor *t, void **buf, char *err, size_t errlen);
/* The importer's operator table: the k-th operator's ONNX name (k from 0),
 * NULL past the last; and the list of them a model with another op is told,
 * written like snprintf (returns its full length). */
const char *eng_onnx_op_name(int k);
size_t eng_onnx_supported_ops(char *buf, size_t n);
/* ONNX export (eng_onnx_export.c): the graph's inference nodes (training-only
 * branches left out) as an opset-14 model, each ONNX node named after its
 * engine node, each parameter an initializer "<node>.<suffix>"; the input is
 * float32 (N, C, H, W), N symbolic unless batch > 0; the output is
 * eng_graph_output(). Parameters must hold values. Writes path.tmp, then
 * renames. -1 with err filled (the node that has no ONNX equivalent, or why
 * the file could not be written); nothing is left behind on failure. */
#define ENG_ONNX_EXPORT_OPSET 14
typedef struct {
    const char *name;             /* graph name, e.g. the model's (may be NULL) */
    const char *doc;              /* the model's doc_string (may be NULL) */
    const char *meta;             /* "key=value" lines -> metadata_props (may be NULL) */
    const char *producer_version; /* may be NULL */
    int batch;                    /* > 0: a fixed batch size; else the symbolic "N" */
    int n_nodes, n_initializers;  /* filled on success: counts, file size, */
    int64_t bytes;
    int out_rank;                 /* and the output's rank: 2 ([N, K]) or 4 */
} EngOnnxExport;
int eng_onnx_save(const EngGraph *g, const char *path, EngOnnxExport *info, char *err,
                  size_t errlen);

/* Backward kernels (eng_grad.c). d* outputs are added into; NULL skips one. */
void eng_conv2d_backward(float *dx, float *dw, float *db, const float *dy, const float *x,
                         const float *w, int N, int C, int H, int W, const EngConvParams *p,
                         int OH, int OW, float *scratch);
size_t eng_conv2d_backward_scratch(int C, int H, int W, const EngConvParams *p, int OH, int OW);
void eng_maxpool_backward(float *dx, const float *dy, const int32_t *argmax, int N, int C, int H,
                          int W, int OH, int OW);
void eng_avgpool_backward(float *dx, const float *dy, int N, int C, int H, int W,
                          const EngPoolParams *p, int OH, int OW);
void eng_gavgpool_backward(float *dx, const float *dy, int N, int C, int H, int W);
void eng_gmaxpool_backward(float *dx, const float *dy, const float *x, int N, int C, int H, int W);
/* scratch: eng_lrn_backward_scratch(C) floats (the plan holds them) */
void eng_lrn_backward(float *dx, const float *dy, const float *x, int N, int C, int H, int W,
                      const EngLrnParams *p, float *scratch);
size_t eng_lrn_backward_scratch(int C);
/* Batch norm, training: statistics over (N, H, W) per channel; stats gets
 * (mean[C], inv_std[C]); the running statistics move by `momentum`
 * (PyTorch: 0.1, unbiased variance). */
void eng_bn_forward_train(float *out, float *stats, const float *in, const float *gamma,
                          const float *beta, float *running_mean, float *running_var, int N,
                          int C, int H, int W, float eps, float momentum);
void eng_bn_backward_train(float *dx, float *dgamma, float *dbeta, const float *dy,
                           const float *x, const float *gamma, const float *stats, int N, int C,
                           int H, int W);
/* Batch norm at inference is an affine map: its backward scales by gamma/std. */
void eng_bn_backward_eval(float *dx, float *dgamma, float *dbeta, const float *dy, const float *x,
                          const float *gamma, const float *mean, const float *var, int N, int C,
                          int H, int W, float eps);
/* Elementwise activations: x the input, y the output of the forward pass. */
void eng_act_backward(EngOpType op, float *dx, const float *dy, const float *x, const float *y,
                      size_t n, float a, float b);
/* the layer norm's backward, statistics recomputed from x */
void eng_layernorm_backward(float *dx, float *dgamma, float *dbeta, const float *dy,
                            const float *x, const float *gamma, int N, int C, int H, int W,
                            float eps);
void eng_prelu_backward(float *dx, float *dslope, const float *dy, const float *x,
                        const float *slope, int slopes, int N, int C, int H, int W);
void eng_softmax_backward(float *dx, const float *dy, const float *y, int N, int C, int H, int W);
/* y = log softmax(x): dx += dy - softmax(x) * sum(dy), softmax(x) = exp(y) */
void eng_logsoftmax_backward(float *dx, const float *dy, const float *y, int N, int C, int H, int W);
void eng_fc_backward(float *dx, float *dw, float *db, const float *dy, const float *x,
                     const float *w, int N, int K, int OUT);
/* dx (N, isz) += dy (N, osz) at each unit's place */
void eng_maxunpool_backward(float *dx, const float *dy, const float *places, int N, size_t isz,
                            size_t osz);
/* scale, shift: (size) or NULL; x: (N, size) */
void eng_affine_backward(float *dx, float *dscale, float *dshift, const float *dy, const float *x,
                         const float *scale, int N, size_t size);
void eng_matmul_backward(float *dx, float *dw, float *db, const float *dy, const float *x,
                         const float *w, int N, const EngMatmulParams *p);

/* Lower one image (C, H, W) to the patch matrix (C*KH*KW, OH*OW) of a
 * convolution with the settings of p (its groups ignored). */
void eng_im2col(float *col, const float *in, int C, int H, int W, const EngConvParams *p, int OH,
                int OW);

/* ---- op kernels (fast) ------------------------------------------------------ */
/* Outputs first, then inputs, then sizes. in: (N, C, H, W) unless stated. */

void eng_conv2d_forward(float *out, const float *in, const float *w, const float *b,
                        int N, int C, int H, int W, const EngConvParams *p, int OH, int OW,
                        float *scratch);
/* Scratch floats eng_conv2d_forward needs (0 for 1x1 stride-1 unpadded). */
size_t eng_conv2d_scratch(int C, int H, int W, const EngConvParams *p, int OH, int OW);
/* Winograd F(4x4, 3x3) (eng_winograd.c): for convolutions where
 * eng_winograd_fits (3x3, stride 1, dilation 1, one group; any padding).
 * u: eng_winograd_weight_floats(C, oc) floats, the filters w (oc, C, 3, 3)
 * transformed by eng_winograd_weights; scratch: eng_winograd_scratch floats. */
int eng_winograd_fits(int C, const EngConvParams *p);
size_t eng_winograd_weight_floats(int C, int OC);
void eng_winograd_weights(float *u, const float *w, int C, int OC);
size_t eng_winograd_scratch(int C, int OC, int OH, int OW);
void eng_winograd_forward(float *out, const float *in, const float *u, const float *b, int N,
                          int C, int H, int W, const EngConvParams *p, int OH, int OW,
                          float *scratch);
void eng_convt2d_forward(float *out, const float *in, const float *w, const float *b,
                         int N, int C, int H, int W, const EngConvTParams *p, int OH, int OW,
                         float *scratch);
size_t eng_convt2d_scratch(int C, int H, int W, const EngConvTParams *p, int OH, int OW);
void eng_maxpool_forward(float *out, int32_t *argmax, const float *in,
                         int N, int C, int H, int W, const EngPoolParams *p, int OH, int OW);
void eng_avgpool_forward(float *out, const float *in,
                         int N, int C, int H, int W, const EngPoolParams *p, int OH, int OW);
void eng_gavgpool_forward(float *out, const float *in, int N, int C, int H, int W);
void eng_gmaxpool_forward(float *out, const float *in, int N, int C, int H, int W);
void eng_lrn_forward(float *out, const float *in, int N, int C, int H, int W, const EngLrnParams *p);
void eng_bn_forward(float *out, const float *in, const float *gamma, const float *beta,
                    const float *mean, const float *var, int N, int C, int H, int W, float eps);
/* Unary elementwise ops over n floats. */
void eng_relu_forward(float *out, const float *in, size_t n);
void eng_leakyrelu_forward(float *out, const float *in, size_t n, float alpha);
void eng_clip_forward(float *out, const float *in, size_t n, float lo, float hi);
void eng_sigmoid_forward(float *out, const float *in, size_t n);
void eng_tanh_forward(float *out, const float *in, size_t n);
void eng_hardsigmoid_forward(float *out, const float *in, size_t n, float alpha, float beta);
void eng_hardswish_forward(float *out, const float *in, size_t n);
void eng_silu_forward(float *out, const float *in, size_t n);
void eng_gelu_forward(float *out, const float *in, size_t n);
/* each (n, h, w) normalised over C (biased variance), then gamma[c] * . + beta[c] */
void eng_layernorm_forward(float *out, const float *in, const float *gamma, const float *beta,
                           int N, int C, int H, int W, float eps);
/* Mish (Misra 2019): x * tanh(softplus(x)) = x * e(e + 2) / (e(e + 2) + 2), e = exp(x);
 * x past 20 gives x (the ratio is 1 in float) */
void eng_mish_forward(float *out, const float *in, size_t n);
/* slope: 1 value (slopes == 1) or C values */
void eng_prelu_forward(float *out, const float *in, const float *slope, int slopes,
                       int N, int C, int H, int W);
void eng_softmax_forward(float *out, const float *in, int N, int C, int H, int W);
/* x - max - log(sum exp(x - max)) over C at each (h, w) */
void eng_logsoftmax_forward(float *out, const float *in, int N, int C, int H, int W);
/* Softmax cross-entropy of one row of logits z (K) against label y:
 * returns -log softmax(z)[y]; *argmax (may be NULL) gets the top class; grad
 * (may be NULL) gets scale * (softmax(z) - onehot(y)), the loss's gradient.
 * A label outside [0, K) returns NAN, *argmax -1 and a zero gradient. */
double eng_softmax_ce(const float *z, int K, int y, float scale, float *grad, int *argmax);
/* in: (N, M, K) or (N, K, M) with trans_a -> out: (N, M, OUT); w: (OUT, K),
 * b: (M, OUT) or NULL */
void eng_matmul_forward(float *out, const float *in, const float *w, const float *b, int N,
                        const EngMatmulParams *p);
/* in: (N, isz) -> out: (N, osz), zeros but for out[places[i]] = in[i]; a place
 * outside [0, osz) is skipped */
void eng_maxunpool_forward(float *out, const float *in, const float *places, int N, size_t isz,
                           size_t osz);
void eng_maxunpool_forward_naive(float *out, const float *in, const float *places, int N,
                                 size_t isz, size_t osz);
/* in, out: (N, size); scale, shift: (size) or NULL */
void eng_affine_forward(float *out, const float *in, const float *scale, const float *shift, int N,
                        size_t size);
/* in: (N, K) -> out: (N, OUT); w: (OUT, K), b: (OUT) or NULL */
void eng_fc_forward(float *out, const float *in, const float *w, const float *b,
                    int N, int K, int OUT);
void eng_add_forward(float *out, const float *const *ins, int n_ins, size_t n);
/* s: (N, C) broadcast over H*W */
void eng_mul_channel_forward(float *out, const float *in, const float *s, int N, int C, int HW);
void eng_mul_forward(float *out, const float *a, const float *b, size_t n);
/* ins[i]: (N, Cs[i], H, W) -> out: (N, sum Cs, H, W) */
void eng_concat_forward(float *out, const float *const *ins, const int *Cs, int n_ins,
                        int N, int HW);
/* The input unit that output unit o of an axis copies under reflect or edge
 * padding (pad lo in front of n units). */
int eng_pad_source(int o, int lo, int n, int mode);
void eng_pad_forward(float *out, const float *in, int N, int C, int H, int W,
                     const EngPadParams *p);
/* in: (N, C, H, W) -> out: (N, C, p->oh, p->ow); scratch: eng_resize_scratch
 * floats (the taps of both axes). The backward adds into dx. */
size_t eng_resize_scratch(const EngResizeParams *p);
void eng_resize_forward(float *out, const float *in, int N, int C, int H, int W,
                        const EngResizeParams *p, float *scratch);
void eng_resize_backward(float *dx, const float *dy, int N, int C, int H, int W,
                         const EngResizeParams *p, float *scratch);

/* ---- op kernels (naive reference twins, eng_ref.c) ------------------------- */
/* The plainest correct loops, written from the definitions; the tests check
 * every fast kernel against them. Same signatures, no scratch. */

void eng_conv2d_forward_naive(float *out, const float *in, const float *w, const float *b,
                              int N, int C, int H, int W, const EngConvParams *p, int OH, int OW);
void eng_convt2d_forward_naive(float *out, const float *in, const float *w, const float *b,
                               int N, int C, int H, int W, const EngConvTParams *p, int OH, int OW);
void eng_maxpool_forward_naive(float *out, int32_t *argmax, const float *in,
                               int N, int C, int H, int W, const EngPoolParams *p, int OH, int OW);
void eng_avgpool_forward_naive(float *out, const float *in,
                               int N, int C, int H, int W, const EngPoolParams *p, int OH, int OW);
void eng_gavgpool_forward_naive(float *out, const float *in, int N, int C, int H, int W);
void eng_gmaxpool_forward_naive(float *out, const float *in, int N, int C, int H, int W);
void eng_lrn_forward_naive(float *out, const float *in, int N, int C, int H, int W,
                           const EngLrnParams *p);
void eng_bn_forward_naive(float *out, const float *in, const float *gamma, const float *beta,
                          const float *mean, const float *var, int N, int C, int H, int W, float eps);
void eng_softmax_forward_naive(float *out, const float *in, int N, int C, int H, int W);
void eng_fc_forward_naive(float *out, const float *in, const float *w, const float *b,
                          int N, int K, int OUT);
void eng_matmul_forward_naive(float *out, const float *in, const float *w, const float *b, int N,
                              const EngMatmulParams *p);

/* ---- shape rules (shared by the builders, the ONNX importer and the tests) -- */

/* Output size of a conv/pool along one axis; returns -1 if impossible. */
int eng_conv_out_size(int in, int k, int stride, int pad_lo, int pad_hi, int dilation);
int eng_pool_out_size(int in, int k, int stride, int pad_lo, int pad_hi, int ceil_mode);
int eng_convt_out_size(int in, int k, int stride, int pad_lo, int pad_hi, int dilation,
                       int out_pad);
/* One axis of average pooling window o: it reads input [*lo, *hi) (clipped to
 * the input); the return value is its share of the divisor: the window
 * clipped to the padded input when padding counts (a ceil-mode window may hang
 * past even that), else hi - lo. Shared by the forward and backward kernels. */
static inline int eng_pool_span(int o, int stride, int k, int pad_lo, int pad_hi, int in,
                                int count_pad, int *lo, int *hi) {
    int a = o * stride - pad_lo, b = a + k;
    *lo = a < 0 ? 0 : a;
    *hi = b > in ? in : b;
    if (!count_pad) return *hi - *lo;
    return (b < in + pad_hi ? b : in + pad_hi) - a;
}

#ifdef __cplusplus
}
#endif
#endif
