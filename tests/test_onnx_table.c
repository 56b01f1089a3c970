/*
 * test_onnx_table.c — the ONNX importer's operator table against the list of
 * supported operators a model with another op is shown: every operator of the
 * table is in the list, every operator the list names is in the table (or
 * met only inside an expansion the table's ReduceMax row converts), no name
 * is in the table twice, and a model with an op the table lacks is refused
 * with that list.
 */
#include "check.h"
#include "eng.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The list ends with the expansions converted as one node; the ops of the
 * table are listed before (ReduceMax, which starts an expansion, too); Exp,
 * ReduceSum and Log, ops of the table, are named inside the expansions as well. */
static const char EXPANSIONS[] = ", and the expansions of ";
static const char *const EXPANSION_START[] = {"ReduceMax"};
static const char *const EXPANSION_ONLY[] = {"Exp", "ReduceSum", "Log"};

static int in_list(const char *const *words, size_t n, const char *w, size_t len) {
    for (size_t k = 0; k < n; k++)
        if (strlen(words[k]) == len && !strncmp(words[k], w, len)) return 1;
    return 0;
}

static int in_table(const char *w, size_t len) {
    for (int k = 0; eng_onnx_op_name(k); k++)
        if (strlen(eng_onnx_op_name(k)) == len && !strncmp(eng_onnx_op_name(k), w, len)) return 1;
    return 0;
}

/* Does name occur in s[0..end) as a whole word? */
static int has_word(const char *s, const char *end, const char *name) {
    const size_t len = strlen(name);
    for (const char *p = strstr(s, name); p && p + len <= end; p = strstr(p + 1, name))
        if ((p == s || !isalnum((unsigned char)p[-1])) && !isalnum((unsigned char)p[len])) return 1;
    return 0;
}

static void check_table(const char *list, const char *exp) {
    int n = 0;
    for (; eng_onnx_op_name(n); n++) {
        const char *name = eng_onnx_op_name(n);
        CHECK(name[0] != 0);
        for (int j = 0; j < n; j++)
            if (!strcmp(eng_onnx_op_name(j), name)) {
                fprintf(stderr, "op %s is in the table twice (rows %d and %d)\n", name, j, n);
                CHECK(!"an op in the table twice");
            }
        const int start = in_list(EXPANSION_START, sizeof EXPANSION_START / sizeof *EXPANSION_START,
                                  name, strlen(name));
        if (start ? !has_word(exp, exp + strlen(exp), name) : !has_word(list, exp, name)) {
            fprintf(stderr, "op %s is in the table but not in the list: %s\n", name, list);
            CHECK(!"a table op missing from the list");
        }
    }
    CHECK(n >= 40);
    CHECK(eng_onnx_op_name(-1) == NULL);
}

/* Every op-like word of the list (a capital then letters or digits, two
 * characters at least: not the H and W of "over H and W") is an op of the
 * table, or, in the expansions, one met only there. */
static void check_list(const char *list, const char *exp) {
    for (const char *p = list; *p;) {
        if (!isalpha((unsigned char)*p)) {
            p++;
            continue;
        }
        size_t len = 0;
        while (isalnum((unsigned char)p[len])) len++;
        int known = !isupper((unsigned char)p[0]) || len < 2 || in_table(p, len);
        if (p >= exp && in_list(EXPANSION_ONLY, sizeof EXPANSION_ONLY / sizeof *EXPANSION_ONLY, p, len))
            known = 1;
        if (!known) {
            fprintf(stderr, "the list names %.*s, which is not in the table\n", (int)len, p);
            CHECK(!"a listed op missing from the table");
        }
        p += len;
    }
}

/* Written like snprintf: the full length whatever the room, always terminated. */
static void check_truncation(const char *list, size_t len) {
    char small[16];
    CHECK(eng_onnx_supported_ops(NULL, 0) == len);
    CHECK(eng_onnx_supported_ops(small, sizeof small) == len);
    CHECK(strlen(small) == sizeof small - 1 && !strncmp(small, list, sizeof small - 1));
}

/* A model with an op the table lacks (Sin, from the ONNX backend tests) is
 * refused with its name, the opset, and the list. */
static void check_refusal(const char *list) {
    const char *path = "/usr/share/libonnx-testdata/data/node/test_sin/model.onnx";
    char err[4096];
    EngGraph *g = eng_onnx_load(path, 0, 0, 0, NULL, 0, err, sizeof err);
    CHECK(g == NULL);
    eng_graph_destroy(g);
    const char *sup = strstr(err, ". Supported: ");
    CHECK(strstr(err, "ONNX: node 'y': op Sin (opset 7) is not supported. Supported: ") == err);
    CHECK(sup && !strcmp(sup + strlen(". Supported: "), list));
    if (!sup || strcmp(sup + strlen(". Supported: "), list)) fprintf(stderr, "got: %s\n", err);
}

int main(void) {
    const size_t len = eng_onnx_supported_ops(NULL, 0);
    char *list = malloc(len + 1);
    CHECK(list != NULL);
    if (!list) return check_finish("onnx_table");
    CHECK(eng_onnx_supported_ops(list, len + 1) == len && strlen(list) == len);
    const char *exp = strstr(list, EXPANSIONS);
    CHECK(exp != NULL);
    if (!exp) exp = list + len;
    check_table(list, exp);
    check_list(list, exp);
    check_truncation(list, len);
    check_refusal(list);
    free(list);
    return check_finish("onnx_table");
}
