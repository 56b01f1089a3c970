/*
 * eng_gemm.c — the one file that calls OpenBLAS.
 *
 * Every convolution and fully connected layer ends up here as one sgemm
 * (darknet and ggml route convolutions the same way), so the speed of the
 * engine is mostly the speed of this call. The naive twin lives in eng_ref.c.
 */
#include "eng.h"

#include <cblas.h>

static int eng_threads = 0; /* 0: not set yet, OpenBLAS keeps its default */

void eng_set_threads(int n) {
    if (n < 1) n = 1;
    eng_threads = n;
    openblas_set_num_threads(n);
    eng_threads_resize(n);
}

int eng_get_threads(void) {
    if (eng_threads == 0) {
        int n = openblas_get_num_threads();
        eng_set_threads(n > 0 ? n : 1);
    }
    return eng_threads;
}

void eng_gemm(int trans_a, int trans_b, int M, int N, int K, float alpha,
              const float *A, int lda, const float *B, int ldb, float beta,
              float *C, int ldc) {
    ENG_ASSERT(M >= 0 && N >= 0 && K >= 0);
    if (M == 0 || N == 0) return;
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
                trans_b ? CblasTrans : CblasNoTrans, M, N, K, alpha, A, lda, B, ldb, beta, C,
                ldc);
}
