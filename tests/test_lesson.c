/*
 * test_lesson.c — the lesson format (app/lesson.c): a good file read step by
 * step; malformed ones refused with the file and the line of the fault;
 * placeholders filled with the engine's counts (worked out here from the
 * graph, by hand for a few, and the notes' corrected numbers); directives
 * checked against the zoo (a wrong model, layer, unit, view, block, each
 * refused). The experiments: @plot and {exp NAME KEY} read from the shipped
 * JSON (an unknown experiment, panel or key refused with its line), the
 * JSON reader against hostile files, and a compare placeholder at its
 * step's slider sizes. The languages: the
 * locale's default and --lang over it, and every shipped English chapter
 * against its Korean twin (the same steps, directives and placeholders, the
 * words translated), a twin that drifts reported with its line.
 */
#include <stdlib.h>
#include <string.h>

#include "card_text.h"
#include "check.h"
#include "experiments.h"
#include "lesson.h"
#include "measure.h"

#define CHECK_SAY(cond, ...)                                                      \
    do {                                                                         \
        const int ok_ = (cond);                                                  \
        CHECK(ok_);                                                              \
        if (!ok_) fprintf(stderr, __VA_ARGS__);                                  \
    } while (0)

static void quiet(EngLogLevel level, const char *msg, void *user) {
    (void)level, (void)msg, (void)user;
}

static int parse(const char *text, Lesson *L, char *err, size_t n) {
    int rc = lesson_parse("t/09-test.md", text, strlen(text), L, err, n);
    return rc;
}

static const char good[] =
    "<!-- a comment -->\n"
    "# A chapter\n"
    "\n"
    "## First step\n"
    "One claim, {params lenet5} parameters,\n"
    "over two lines.\n"
    "\n"
    "A second paragraph.\n"
    "@show lenet5 view=featuremaps layer=c1\n"
    "## Second step\n"
    "Two 3x3: {weights compare:stack3x3-vs-5x5:A}.\n"
    "@show view=compare block=stack3x3-vs-5x5 cin=128 cout=128\n"
    "## Questions\n"
    "Q: How many?\n"
    "A: {params lenet5 c1},\n"
    "the layer table.\n"
    "Q: And the field?\n"
    "A: {rf lenet5 c3}.\n"
    "@show lenet5 view=erf layer=c3 unit=0,5,5\n";

static void test_good(void) {
    Lesson L;
    char err[800] = "";
    CHECK(parse(good, &L, err, sizeof err) == 0);
    if (err[0]) fprintf(stderr, "%s\n", err);
    CHECK(!strcmp(L.title, "A chapter"));
    CHECK(!strcmp(L.name, "09-test"));
    CHECK_EQ_I64(L.n, 4);
    if (L.n == 4) {
        CHECK(L.steps[0].kind == LESSON_STEP && !strcmp(L.steps[0].title, "First step"));
        CHECK(!strcmp(L.steps[0].text, "One claim, {params lenet5} parameters, over two lines.\nA second paragraph."));
        CHECK_EQ_I64(L.steps[0].line, 4);
        CHECK_EQ_I64(L.steps[0].show.line, 9);
        CHECK(!strcmp(L.steps[0].show.model, "lenet5"));
        CHECK(!strcmp(lesson_show_get(&L.steps[0].show, "layer"), "c1"));
        CHECK_EQ_I64(L.steps[1].show.n_kv, 4);
        CHECK(!L.steps[1].show.model[0]);
        CHECK(L.steps[2].kind == LESSON_QUESTION && !strcmp(L.steps[2].text, "How many?"));
        CHECK(!strcmp(L.steps[2].answer, "{params lenet5 c1}, the layer table."));
        CHECK_EQ_I64(L.steps[2].answer_line, 15);
        CHECK_EQ_I64(L.steps[2].show.line, 0);
        CHECK_EQ_I64(L.steps[3].show.line, 19);
        /* the directive as render's arguments */
        const char *argv[32];
        char buf[256];
        int argc = lesson_show_argv(&L.steps[3].show, argv, 32, buf, sizeof buf);
        CHECK_EQ_I64(argc, 8);
        if (argc == 8) {
            CHECK(!strcmp(argv[0], "render") && !strcmp(argv[1], "lenet5") && !strcmp(argv[2], "--view"));
            CHECK(!strcmp(argv[3], "featuremaps")); /* erf: the maps with a unit */
            CHECK(!strcmp(argv[4], "--layer") && !strcmp(argv[5], "c3"));
            CHECK(!strcmp(argv[6], "--unit") && !strcmp(argv[7], "0,5,5"));
        }
    }
    LessonEngine *E = lesson_engine_create();
    CHECK(E != NULL);
    char mem[4096];
    FILE *f = fmemopen(mem, sizeof mem, "w");
    CHECK_EQ_I64(lesson_check(E, &L, f), 0);
    fclose(f);
    lesson_engine_destroy(E);
    lesson_free(&L);
}

/* Each malformed file refused with its line. */
static void test_malformed(void) {
    static const struct {
        const char *text, *want;
    } bad[] = {
        {"## no title\n", "t/09-test.md:1: a lesson starts with its title"},
        {"# T\nwords\n", "t/09-test.md:2: text before the first step"},
        {"# T\n## S\nwords\n## Questions\nQ: q\nA: a\n", "t/09-test.md:2: the step 'S' has no @show or @plot line"},
        {"# T\n## S\nwords\n@show lenet5\n@show lenet5\n", "t/09-test.md:5: a second directive in one step"},
        {"# T\n## S\nwords\n@plot vgg\n@show lenet5\n", "t/09-test.md:5: a second directive in one step"},
        {"# T\n## S\nwords\n\n@plot\n", "t/09-test.md:5: @plot needs an experiment"},
        {"# T\n## S\nwords\n@plot vgg colour=red\n", "t/09-test.md:4: @plot: unknown key 'colour'"},
        {"# T\n## S\nwords\n@plot vgg panel=x\n", "t/09-test.md:4: @plot: panel= takes"},
        {"# T\n## S\nwords\n@plot vgg panel=-1\n", "t/09-test.md:4: @plot: panel= takes"},
        {"# T\n## S\nwords\n@plot vgg panel=0 panel=1\n", "t/09-test.md:4: @plot: 'panel' is given twice"},
        {"# T\n## S\nwords\n@plot vgg dropout\n", "t/09-test.md:4: @plot: 'dropout' after the experiment"},
        {"# T\n## S\n@plot vgg\n## T\nw\n@show lenet5\n", "t/09-test.md:2: the step 'S' has no text"},
        {"# T\n@plot vgg\n", "t/09-test.md:2: @plot outside a step"},
        {"# T\n## S\nwords\n@shaw lenet5\n", "t/09-test.md:4: unknown directive"},
        {"# T\n## S\nwords\n@show lenet5 layer\n", "t/09-test.md:4: @show: 'layer' is neither"},
        {"# T\n## S\nwords\n@show lenet5 layer=c1 layer=c3\n", "t/09-test.md:4: @show: 'layer' is given twice"},
        {"# T\n## S\nw\n@show lenet5\n## Questions\nQ: q\n\nQ: r\nA: a\n", "t/09-test.md:6: the question has no 'A:'"},
        {"# T\n## S\nw\n@show lenet5\n## Questions\nA: a\n", "t/09-test.md:6: 'A:' without its 'Q:'"},
        {"# T\n## S\nw\n@show lenet5\n", "t/09-test.md:5: no questions"},
        {"# T\n## S\nw\n@show lenet5\n## Questions\nQ: q\nA: a\n## Late\n", "t/09-test.md:8: a step after"},
        {"# T\n<!-- open\n", "t/09-test.md:2: a comment opens"},
        {"# T\n# U\n", "t/09-test.md:2: a second '# ' title"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        Lesson L;
        char err[800] = "";
        CHECK(parse(bad[k].text, &L, err, sizeof err) == -1);
        if (strncmp(err, bad[k].want, strlen(bad[k].want))) {
            fprintf(stderr, "case %zu: got '%s', expected '%s...'\n", k, err, bad[k].want);
            CHECK(0);
        }
        lesson_free(&L);
    }
    /* a line too long, a NUL byte */
    char big[LESSON_MAX_LINE + 64];
    memset(big, 'x', sizeof big);
    memcpy(big, "# T\n", 4);
    Lesson L;
    char err[800];
    CHECK(lesson_parse("t/x.md", big, sizeof big, &L, err, sizeof err) == -1 && strstr(err, "t/x.md:2: line longer"));
    lesson_free(&L);
    CHECK(lesson_parse("t/x.md", "# T\n\0\n", 6, &L, err, sizeof err) == -1 && strstr(err, "t/x.md:2: a NUL byte"));
    lesson_free(&L);
}

static const char *value(LessonEngine *E, const char *expr) {
    static char out[256];
    char err[800];
    if (lesson_value(E, expr, out, sizeof out, err, sizeof err)) {
        fprintf(stderr, "{%s}: %s\n", expr, err);
        return "(error)";
    }
    return out;
}

#define CHECK_VAL(E, expr, want)                                                                  \
    do {                                                                                          \
        const char *got_ = value(E, expr);                                                        \
        if (strcmp(got_, want)) fprintf(stderr, "{%s} = '%s', expected '%s'\n", expr, got_, want); \
        CHECK(!strcmp(got_, want));                                                               \
    } while (0)

/* The placeholders against the engine's graph and the notes' numbers. */
static void test_values(void) {
    LessonEngine *E = lesson_engine_create();
    char want[64];
    /* the same counts as summary --json: totals and layers of the built graph */
    EngGraph *g = model_build(model_find("vgg16"), 0, 0, 0);
    CHECK(g != NULL);
    if (g) {
        EngTotals t = eng_graph_totals(g);
        eng_fmt_grouped(t.params, want, sizeof want);
        CHECK_VAL(E, "params vgg16", want);
        eng_fmt_si((double)t.macs, want, sizeof want);
        CHECK_VAL(E, "macs~ vgg16", want);
        const EngNode *fc6 = eng_graph_node(g, eng_graph_find(g, "fc6"));
        eng_fmt_grouped(eng_node_params(fc6), want, sizeof want);
        CHECK_VAL(E, "params vgg16 fc6", want);
        CHECK_VAL(E, "params vgg16@fc6", want);
        eng_graph_destroy(g);
    }
    CHECK_VAL(E, "params vgg16", "138,357,544");
    CHECK_VAL(E, "params vgg19", "143,667,240");       /* not the notes' 110M */
    CHECK_VAL(E, "params lenet5_keras", "166,826");   /* the notes' Keras variant */
    CHECK_VAL(E, "shape lenet5_keras flatten", "1920x1x1");
    CHECK_VAL(E, "params vgg16 conv1_1", "1,792");    /* 3*3*3*64 + 64 */
    CHECK_VAL(E, "weights vgg16 conv1_1", "1,728");
    CHECK_VAL(E, "rf vgg16 conv5_3", "196");
    CHECK_VAL(E, "rfstride vgg16 pool5", "32");
    CHECK_VAL(E, "shape alexnet conv1", "96x55x55");
    CHECK_VAL(E, "top1 resnet50", "76.13%");
    CHECK_VAL(E, "year googlenet", "2014");
    CHECK_VAL(E, "depth vgg16", "16");
    CHECK_VAL(E, "paths resnet50", "65,536");
    CHECK_VAL(E, "adds resnet50", "16");
    CHECK_VAL(E, "weights compare:stack3x3-vs-5x5:A", "294,912"); /* 3*3*128*128*2 */
    CHECK_VAL(E, "weights compare:stack3x3-vs-5x5:B", "409,600"); /* 5*5*128*128 */
    CHECK_VAL(E, "rf compare:stack3x3-vs-7x7:A", "7");
    CHECK_VAL(E, "macs branch:inception-naive-vs-bottleneck:A", "120,422,400");
    CHECK_VAL(E, "macs branch:inception-naive-vs-bottleneck:B", "12,443,648");
    CHECK_VAL(E, "ratio macs branch:inception-naive-vs-bottleneck:A branch:inception-naive-vs-bottleneck:B", "9.7x");
    CHECK_VAL(E, "weights compare:resnet-basic-vs-bottleneck:A", "73,728");
    CHECK_VAL(E, "weights compare:resnet-basic-vs-bottleneck:B", "69,632");
    CHECK_VAL(E, "params alexnet fc6+fc7", "54,534,144"); /* 9216*4096+4096 + 4096*4096+4096 */
    CHECK_VAL(E, "share params lenet5 c1", "0.3%");        /* 156 of 61,706 */
    /* filled text; refusals */
    char out[512], err[800];
    CHECK(lesson_fill(E, "LeNet-5: {params lenet5}, C1 {shape lenet5 c1}.", out, sizeof out, err, sizeof err) == 0 &&
          !strcmp(out, "LeNet-5: 61,706, C1 6x28x28."));
    static const struct {
        const char *text, *want;
    } bad[] = {
        {"{params vgg17}", "unknown model 'vgg17'"},
        {"{params vgg16 fc9}", "vgg16 has no layer 'fc9'"},
        {"{parms vgg16}", "unknown quantity 'parms'"},
        {"{params}", "a placeholder is a quantity and a target"},
        {"{rf vgg16 fc6}", "no finite receptive field"},
        {"{top1 lenet5}", "no single-crop ImageNet"},
        {"{weights compare:nope:A}", "unknown block 'nope'"},
        {"{weights compare:stack3x3-vs-5x5}", "say which side"},
        {"open {params vgg16", "a '{' without its '}'"},
        {"close }", "a '}' without its '{'"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        err[0] = 0;
        CHECK(lesson_fill(E, bad[k].text, out, sizeof out, err, sizeof err) == -1);
        if (!strstr(err, bad[k].want)) {
            fprintf(stderr, "'%s': got '%s', expected '%s'\n", bad[k].text, err, bad[k].want);
            CHECK(0);
        }
    }
    lesson_engine_destroy(E);
}

/* Directives refused with what is wrong. */
static void test_directives(void) {
    static const struct {
        const char *line, *want; /* want NULL: accepted */
    } cases[] = {
        {"@show vgg16 view=filters layer=conv1_1", NULL},
        {"@show view=zoo models=vgg16,resnet50", NULL},
        {"@show view=basics kernel=sobel-x", NULL},
        {"@show resnet50 view=rf", NULL},
        {"@show vgg17 view=filters", "unknown model 'vgg17'"},
        {"@show vgg16 view=filters layer=conv9", "vgg16 has no layer 'conv9'"},
        {"@show vgg16 view=filterz", "unknown view 'filterz'"},
        {"@show vgg16 view=filters colour=red", "unknown key 'colour'"},
        {"@show vgg16 view=top9 layer=conv1_1", "needs unit="},
        {"@show vgg16 view=erf layer=conv1_1 unit=3", "needs a unit C,Y,X"},
        {"@show vgg16 view=deconv layer=conv1_1 unit=64", "outside conv1_1's 64x224x224"},
        {"@show view=compare block=stack3x3-vs-9x9", "unknown block"},
        {"@show view=compare", "needs block="},
        {"@show vgg16 view=zoo", "takes no model"},
        {"@show view=filters", "needs a model"},
        {"@show view=zoo models=vgg16,vgg99", "unknown model 'vgg99'"},
        {"@show view=basics kernel=gauss", "kernel= takes"},
        {"@show view=experiment experiment=degradation", "is shown with '@plot NAME [panel=K]'"},
        {"@plot degradation", NULL},
        {"@plot dropout panel=1", NULL},
        {"@plot invariance panel=5", NULL},
        {"@plot dropout panel=2", "@plot dropout: panel=2, but its figure has 2 panels (0..1)"},
        {"@plot degradation panel=1", "has 1 panel (0..0)"},
        {"@plot nosuch", "no shipped result of experiment 'nosuch'"},
        {"@plot ../lessons/01-basics", "is no experiment's name"},
    };
    LessonEngine *E = lesson_engine_create();
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        char text[512], err[800] = "";
        snprintf(text, sizeof text, "# T\n## S\nw\n%s\n## Questions\nQ: q\nA: a\n", cases[k].line);
        Lesson L;
        CHECK(parse(text, &L, err, sizeof err) == 0);
        if (L.n < 1) {
            fprintf(stderr, "'%s': %s\n", cases[k].line, err);
            lesson_free(&L);
            continue;
        }
        int rc = lesson_check_show(E, &L.steps[0].show, err, sizeof err);
        if (cases[k].want ? rc == 0 || !strstr(err, cases[k].want) : rc != 0) {
            fprintf(stderr, "'%s': rc %d, '%s', expected %s\n", cases[k].line, rc, rc ? err : "",
                    cases[k].want ? cases[k].want : "acceptance");
            CHECK(0);
        }
        /* lesson_check names the file and the directive's line */
        if (cases[k].want) {
            char mem[2048] = "";
            FILE *f = fmemopen(mem, sizeof mem, "w");
            CHECK(lesson_check(E, &L, f) == 1);
            fclose(f);
            CHECK(!strncmp(mem, "t/09-test.md:4: ", 16));
        }
        lesson_free(&L);
    }
    /* a wrong placeholder reported on its own line, not the step's */
    Lesson L;
    char err[800], mem[2048] = "";
    CHECK(parse("# T\n## S\nfine {params vgg16}\nand {params vgg17}\n@show vgg16\n## Questions\nQ: q\nA: a\n",
                &L, err, sizeof err) == 0);
    FILE *f = fmemopen(mem, sizeof mem, "w");
    CHECK(lesson_check(E, &L, f) == 1);
    fclose(f);
    CHECK(!strncmp(mem, "t/09-test.md:4: unknown model 'vgg17'", 37));
    lesson_free(&L);
    lesson_engine_destroy(E);
}

/* ---- experiments: {exp NAME KEY} and @plot ---- */

/* The numbers of the shipped results, as the JSON holds them. */
static void test_exp_values(void) {
    LessonEngine *E = lesson_engine_create();
    ExpResult r;
    char err[800], want[64];
    CHECK(exp_load_shipped("vgg", &r, err, sizeof err) == 0);
    const ExpExtra *x = exp_extra_find(&r, "params_3x3");
    CHECK(x != NULL && x->v > 1000 && x->v == (double)(int64_t)x->v);
    if (x) {
        eng_fmt_grouped((int64_t)x->v, want, sizeof want);
        CHECK(strchr(want, ',') != NULL); /* grouped: a whole number over a thousand */
        CHECK_VAL(E, "exp vgg params_3x3", want);
    }
    x = exp_extra_find(&r, "test_err_5x5");
    CHECK(x != NULL);
    if (x) {
        snprintf(want, sizeof want, "%.2f", x->v);
        CHECK_VAL(E, "exp vgg test_err_5x5", want);
    }
    exp_result_free(&r);
    CHECK(exp_load_shipped("degradation", &r, err, sizeof err) == 0);
    CHECK_EQ_I64(r.n_panels, 1);
    CHECK_EQ_I64(r.n_series, 8);
    x = exp_extra_find(&r, "final_train_err_plain56");
    if (x) snprintf(want, sizeof want, "%.2f", x->v);
    CHECK(x != NULL);
    if (x) CHECK_VAL(E, "exp degradation final_train_err_plain56", want);
    /* the last training point of plain56 is that number */
    for (int i = 0; i < r.n_series; i++)
        if (!strcmp(r.s[i].name, "plain56") && x) CHECK(r.s[i].y[r.s[i].n - 1] == x->v);
    exp_result_free(&r);
    /* wrong ones, with why */
    static const struct {
        const char *expr, *want;
    } bad[] = {
        {"exp vgg", "exp takes an experiment and one of its numbers"},
        {"exp vgg params_3x3 extra", "exp takes"},
        {"exp vgg nokey", "experiment vgg has no number 'nokey' (its numbers: test_err_3x3"},
        {"exp nosuch key", "no shipped result of experiment 'nosuch'"},
        {"exp ../../etc/passwd key", "is no experiment's name"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        char out[128];
        const int rc = lesson_value(E, bad[k].expr, out, sizeof out, err, sizeof err);
        CHECK_SAY(rc == -1 && strstr(err, bad[k].want), "{%s}: rc %d '%s', expected '%s'\n", bad[k].expr, rc,
                  rc ? err : out, bad[k].want);
    }
    /* in a lesson: each bad one on its own line */
    Lesson L;
    char mem[4096] = "";
    CHECK(parse("# T\n## S\nplain-56 ends at {exp degradation final_train_err_plain56}%,\n"
                "plain-20 at {exp degradation final_train_err_plain21}%.\n@plot degradation\n"
                "## Questions\nQ: q\nA: the 3x3 stack: {exp vgg test_err_3x3}%,\nthe 5x5: {exp vgg test_err_5}.\n",
                &L, err, sizeof err) == 0);
    FILE *f = fmemopen(mem, sizeof mem, "w");
    CHECK_EQ_I64(lesson_check(E, &L, f), 2);
    fclose(f);
    CHECK_SAY(strstr(mem, "t/09-test.md:4: experiment degradation has no number 'final_train_err_plain21'") != NULL &&
                  strstr(mem, "t/09-test.md:9: experiment vgg has no number 'test_err_5'") != NULL,
              "got: %s\n", mem);
    /* the plot's arguments for render */
    const char *argv[16];
    char buf[64];
    CHECK_EQ_I64(lesson_show_argv(&L.steps[0].show, argv, 16, buf, sizeof buf), 4);
    CHECK(!strcmp(argv[1], "degradation") && !strcmp(argv[2], "--view") && !strcmp(argv[3], "experiment"));
    CHECK(!strcmp(lesson_show_view(&L.steps[0].show), "experiment"));
    lesson_free(&L);
    CHECK(parse("# T\n## S\nw\n@plot dropout panel=1\n## Questions\nQ: q\nA: a\n", &L, err, sizeof err) == 0);
    CHECK_EQ_I64(lesson_show_argv(&L.steps[0].show, argv, 16, buf, sizeof buf), 6);
    CHECK(!strcmp(argv[4], "--panel") && !strcmp(argv[5], "1"));
    /* a twin whose @plot differs (another panel) is reported */
    Lesson T;
    CHECK(parse("# T\n## S\nv\n@plot dropout panel=0\n## Questions\nQ: q\nA: a\n", &T, err, sizeof err) == 0);
    f = fmemopen(mem, sizeof mem, "w");
    CHECK_EQ_I64(lesson_twin_check(&L, &T, f), 1);
    fclose(f);
    CHECK(strstr(mem, "t/09-test.md:4: step 1's @show is not the English one") != NULL);
    lesson_free(&T);
    lesson_free(&L);
    lesson_engine_destroy(E);
}

/* A compare placeholder takes the sizes of its step's compare screen. */
static void test_step_sizes(void) {
    LessonEngine *E = lesson_engine_create();
    Lesson L;
    char err[800], a[64], b[64], b32[64], other[64];
    CHECK(parse("# T\n## S\nw\n@show view=compare block=plain-vs-grouped groups=32 cin=64 cout=64\n"
                "## U\nw\n@show view=compare block=stack3x3-vs-5x5 cin=64\n## Questions\nQ: q\nA: a\n",
                &L, err, sizeof err) == 0);
    /* the defaults */
    lesson_engine_step(E, NULL);
    snprintf(a, sizeof a, "%s", value(E, "weights compare:plain-vs-grouped:A"));
    snprintf(b, sizeof b, "%s", value(E, "weights compare:plain-vs-grouped:B"));
    snprintf(other, sizeof other, "%s", value(E, "weights compare:stack3x3-vs-5x5:A"));
    /* the step's: 64 in and out in 32 groups, 3x3: 64 x 2 x 9 weights */
    lesson_engine_step(E, &L.steps[0].show);
    CHECK_VAL(E, "weights compare:plain-vs-grouped:A", "36,864"); /* 64 x 64 x 9 */
    snprintf(b32, sizeof b32, "%s", value(E, "weights compare:plain-vs-grouped:B"));
    CHECK_VAL(E, "weights compare:plain-vs-grouped:B", "1,152"); /* 64 x 2 x 9 */
    CHECK_VAL(E, "ratio weights compare:plain-vs-grouped:A compare:plain-vs-grouped:B", "32.0x");
    CHECK_VAL(E, "weights compare:stack3x3-vs-5x5:A", other); /* another block: its defaults */
    CHECK(strcmp(b, b32) != 0);
    /* the next step shows another block: this one's defaults again */
    lesson_engine_step(E, &L.steps[1].show);
    CHECK_VAL(E, "weights compare:plain-vs-grouped:A", a);
    CHECK_VAL(E, "weights compare:plain-vs-grouped:B", b);
    CHECK_VAL(E, "weights compare:stack3x3-vs-5x5:A", "221,184"); /* 64 in, 128 out (default): 9 x 64 x 128 + 9 x 128 x 128 */
    lesson_free(&L);
    lesson_engine_destroy(E);
}

/* The JSON reader: styles from the names, hostile files refused. */
static void test_exp_json(void) {
    static const char good_json[] =
        "{\"experiment\":\"t\",\"title\":\"T\",\"panels\":[{\"title\":\"a\",\"x_label\":\"x\",\"y_label\":\"e\"},"
        "{\"title\":\"b\",\"x_label\":\"x\",\"y_label\":\"P(true class)\"}],\"extras\":{\"k\":3},"
        "\"series\":[{\"name\":\"one\",\"panel\":0,\"x\":[1,2],\"y\":[3,4]},"
        "{\"name\":\"two\",\"panel\":0,\"x\":[1],\"y\":[5]},"
        "{\"name\":\"two test\",\"panel\":0,\"x\":[1],\"y\":[6]},"
        "{\"name\":\"threshold\",\"panel\":0,\"x\":[1],\"y\":[6]},"
        "{\"name\":\"two gap\",\"panel\":1,\"x\":[1],\"y\":[0.5]}]}";
    ExpResult r;
    char err[600];
    CHECK(exp_parse_json(good_json, strlen(good_json), &r, err, sizeof err) == 0);
    CHECK_EQ_I64(r.n_series, 5);
    CHECK_EQ_I64(r.n_panels, 2);
    if (r.n_series == 5) {
        CHECK(!r.s[0].dashed && r.s[0].color == 0);
        CHECK(!r.s[1].dashed && r.s[1].color == 1);
        CHECK(r.s[2].dashed && r.s[2].color == 1); /* its run's colour */
        CHECK(r.s[3].dashed && r.s[3].color == 7);
        CHECK(!r.s[4].dashed && r.s[4].color == 1 && r.s[4].panel == 1); /* its run's colour in another panel */
        CHECK(r.s[0].n == 2 && r.s[0].y[1] == 4);
    }
    CHECK(r.panel[1].y_min == 0 && r.panel[1].y_max == 1 && r.panel[0].y_max == 0);
    CHECK(exp_extra_find(&r, "k") && exp_extra_find(&r, "k")->v == 3);
    exp_result_free(&r);
    static const struct {
        const char *json, *want;
    } bad[] = {
        {"{", "not JSON"},
        {"[]", "no \"experiment\""},
        {"{\"experiment\":\"t\",\"title\":\"T\",\"panels\":[],\"series\":[]}", "\"panels\" is not an array of 1 to"},
        {"{\"experiment\":\"t\",\"title\":\"T\",\"panels\":[{\"title\":\"a\",\"x_label\":\"x\",\"y_label\":\"e\"}],"
         "\"series\":[{\"name\":\"s\",\"panel\":1,\"x\":[1],\"y\":[1]}]}",
         "\"panel\" is not one of the 1 panels"},
        {"{\"experiment\":\"t\",\"title\":\"T\",\"panels\":[{\"title\":\"a\",\"x_label\":\"x\",\"y_label\":\"e\"}],"
         "\"series\":[{\"name\":\"s\",\"panel\":0,\"x\":[1,2],\"y\":[1]}]}",
         "x and y are not two arrays"},
        {"{\"experiment\":\"t\",\"title\":\"T\",\"panels\":[{\"title\":\"a\",\"x_label\":\"x\",\"y_label\":\"e\"}],"
         "\"series\":[{\"name\":\"s\",\"panel\":0,\"x\":[\"1\"],\"y\":[1]}]}",
         "x and y are not two arrays"},
        {"{\"experiment\":\"t\",\"title\":\"T\",\"panels\":[{\"title\":\"a\",\"x_label\":\"x\",\"y_label\":\"e\"}],"
         "\"extras\":{\"k\":\"3\"},\"series\":[{\"name\":\"s\",\"panel\":0,\"x\":[1],\"y\":[1]}]}",
         "extra 0: a short name and a finite number"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        const int rc = exp_parse_json(bad[k].json, strlen(bad[k].json), &r, err, sizeof err);
        CHECK_SAY(rc == -1 && strstr(err, bad[k].want), "json case %zu: rc %d '%s', expected '%s'\n", k, rc,
                  rc ? err : "", bad[k].want);
        CHECK(r.s == NULL); /* freed */
    }
    /* more points than a series holds */
    size_t cap = 64 + 2 * 4 * (EXP_MAX_POINTS + 1) + 400;
    char *big = malloc(cap);
    if (big) {
        size_t o = (size_t)snprintf(big, cap, "{\"experiment\":\"t\",\"title\":\"T\",\"panels\":[{\"title\":\"a\","
                                               "\"x_label\":\"x\",\"y_label\":\"e\"}],\"series\":[{\"name\":\"s\",\"panel\":0,");
        for (int a = 0; a < 2; a++) {
            o += (size_t)snprintf(big + o, cap - o, "\"%c\":[", a ? 'y' : 'x');
            for (int i = 0; i <= EXP_MAX_POINTS; i++) o += (size_t)snprintf(big + o, cap - o, i ? ",1" : "1");
            o += (size_t)snprintf(big + o, cap - o, a ? "]}]}" : "],");
        }
        CHECK(exp_parse_json(big, o, &r, err, sizeof err) == -1 && strstr(err, "x and y are not two arrays"));
        free(big);
    }
}

/* ---- languages ---- */

static void test_lang_default(void) {
    char buf[64];
    unsetenv("LC_ALL"), unsetenv("LC_MESSAGES"), unsetenv("LANG");
    CHECK(!strcmp(lesson_lang(NULL), "en"));
    setenv("LANG", "ko_KR.UTF-8", 1);
    CHECK(!strcmp(lesson_lang(NULL), "ko"));
    CHECK(!strcmp(lesson_lang("en"), "en")); /* --lang over the locale */
    setenv("LC_MESSAGES", "en_US.UTF-8", 1); /* the first one set decides */
    CHECK(!strcmp(lesson_lang(NULL), "en"));
    setenv("LC_ALL", "ko_KR.UTF-8", 1);
    CHECK(!strcmp(lesson_lang(NULL), "ko"));
    setenv("LC_ALL", "", 1); /* empty: as if unset */
    CHECK(!strcmp(lesson_lang(NULL), "en"));
    setenv("LC_ALL", "C", 1);
    unsetenv("LC_MESSAGES");
    CHECK(!strcmp(lesson_lang(NULL), "en"));
    CHECK(!strcmp(lesson_lang("ko"), "ko"));
    unsetenv("LC_ALL"), unsetenv("LANG");
    CHECK(!strcmp(lesson_lang_dir("a/lessons", "en", buf, sizeof buf), "a/lessons"));
    CHECK(!strcmp(lesson_lang_dir("a/lessons", "ko", buf, sizeof buf), "a/lessons/ko"));
}

/* Some Hangul syllables (U+AC00..U+D7A3) in s. */
static int has_hangul(const char *s) {
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((p[0] & 0xF0) != 0xE0 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80) continue;
        const unsigned cp = (p[0] & 0x0Fu) << 12 | (p[1] & 0x3Fu) << 6 | (p[2] & 0x3Fu);
        if (cp >= 0xAC00 && cp <= 0xD7A3) return 1;
    }
    return 0;
}

/* Every shipped English chapter has its Korean twin, and they agree. */
static void test_shipped_twins(void) {
    char base[4200], dir[4300], err[800];
    char *en[LESSON_MAX_CHAPTERS], *ko[LESSON_MAX_CHAPTERS];
    lesson_default_dir(base, sizeof base);
    const int ne = lesson_list_dir(base, en, LESSON_MAX_CHAPTERS, err, sizeof err);
    const int nk = lesson_list_dir(lesson_lang_dir(base, "ko", dir, sizeof dir), ko, LESSON_MAX_CHAPTERS, err, sizeof err);
    CHECK(ne >= 10);
    CHECK_EQ_I64(nk, ne);
    for (int i = 0; i < ne && i < nk; i++) {
        const char *a = strrchr(en[i], '/'), *b = strrchr(ko[i], '/');
        CHECK_SAY(a && b && !strcmp(a, b), "  %s has no Korean twin (%s)\n", en[i], ko[i]);
        Lesson A, B;
        CHECK(lesson_load(en[i], &A, err, sizeof err) == 0);
        CHECK_SAY(lesson_load(ko[i], &B, err, sizeof err) == 0, "  %s\n", err);
        CHECK_SAY(lesson_twin_check(&A, &B, stderr) == 0, "  %s against %s\n", ko[i], en[i]);
        /* translated: every step's words and every answer (a title may be
         * names alone: "AlexNet (Krizhevsky, Sutskever, Hinton, 2012)") */
        for (int k = 0; k < B.n; k++) {
            CHECK_SAY(has_hangul(B.steps[k].text), "  %s: step %d is not in Korean\n", ko[i], k + 1);
            if (B.steps[k].kind == LESSON_QUESTION)
                CHECK_SAY(has_hangul(B.steps[k].answer), "  %s: answer %d is not in Korean\n", ko[i], k + 1);
        }
        lesson_free(&A);
        lesson_free(&B);
    }
    lesson_paths_free(en, ne > 0 ? ne : 0);
    lesson_paths_free(ko, nk > 0 ? nk : 0);
}

/* A twin that drifts: each difference found, on the twin's line. */
static void test_twin_drift(void) {
    static const char twin_ok[] =
        "# 한 장\n"
        "## 첫 단계\n"
        "파라미터는 {params lenet5}개입니다.\n"
        "@show lenet5 view=featuremaps layer=c1\n"
        "## 둘째 단계\n"
        "3x3 두 번: {weights compare:stack3x3-vs-5x5:A}.\n"
        "@show view=compare block=stack3x3-vs-5x5 cin=128 cout=128\n"
        "## 질문\n"
        "Q: 몇 개?\n"
        "A: {params lenet5 c1}, 계층 표.\n"
        "Q: 수용 영역은?\n"
        "A: {rf lenet5 c3}.\n"
        "@show lenet5 view=erf layer=c3 unit=0,5,5\n";
    Lesson A, B;
    char err[800] = "", out[4096];
    CHECK(parse(good, &A, err, sizeof err) == 0);
    CHECK_SAY(lesson_parse("t/ko/09-test.md", twin_ok, strlen(twin_ok), &B, err, sizeof err) == 0, "  %s\n", err);
    CHECK_EQ_I64(B.n, 4);
    CHECK(B.n == 4 && B.steps[2].kind == LESSON_QUESTION); /* "## 질문" heads the questions */
    CHECK_EQ_I64(lesson_twin_check(&A, &B, stderr), 0);
    lesson_free(&B);
    /* a layer changed, a placeholder dropped, an answer's placeholder changed */
    char bad[sizeof twin_ok + 64];
    snprintf(bad, sizeof bad, "%s", twin_ok);
    char *p = strstr(bad, "layer=c1");
    p[7] = '3';
    p = strstr(bad, "{weights compare:stack3x3-vs-5x5:A}");
    memcpy(p, "{weights compare:stack3x3-vs-5x5:B}", 35);
    p = strstr(bad, "{rf lenet5 c3}");
    p[12] = '1';
    FILE *f = tmpfile();
    CHECK(f != NULL);
    if (!f) return;
    CHECK(lesson_parse("t/ko/09-test.md", bad, strlen(bad), &B, err, sizeof err) == 0);
    CHECK_EQ_I64(lesson_twin_check(&A, &B, f), 3);
    rewind(f);
    size_t n = fread(out, 1, sizeof out - 1, f);
    out[n] = 0;
    CHECK_SAY(strstr(out, "t/ko/09-test.md:4: step 1's @show is not the English one (t/09-test.md:9)") != NULL, "%s", out);
    CHECK_SAY(strstr(out, "t/ko/09-test.md:5: step 2: 1 placeholders, the English 1; first difference: "
                          "{weights compare:stack3x3-vs-5x5:B} against the English {weights compare:stack3x3-vs-5x5:A}") != NULL, "%s", out);
    CHECK_SAY(strstr(out, "t/ko/09-test.md:12: answer 4:") != NULL, "%s", out);
    lesson_free(&B);
    /* a question short, a step where a question is */
    fclose(f);
    f = tmpfile();
    if (!f) return;
    const char *cut = strstr(twin_ok, "Q: 수용");
    snprintf(bad, sizeof bad, "%.*s", (int)(cut - twin_ok), twin_ok);
    CHECK(lesson_parse("t/ko/09-test.md", bad, strlen(bad), &B, err, sizeof err) == 0);
    CHECK_EQ_I64(lesson_twin_check(&A, &B, f), 1);
    rewind(f);
    n = fread(out, 1, sizeof out - 1, f);
    out[n] = 0;
    CHECK_SAY(strstr(out, "t/ko/09-test.md:1: 3 steps and questions, the English has 4 (t/09-test.md)") != NULL, "%s", out);
    fclose(f);
    lesson_free(&B);
    lesson_free(&A);
}

/* ---- the cards' key ideas from text files ---- */

static void test_card_text(void) {
    CardText E, K, T;
    char path[4200], err[800];
    CHECK_SAY(card_text_load(card_text_path("en", path, sizeof path), &E, err, sizeof err) == 0, "  %s\n", err);
    CHECK_SAY(card_text_load(card_text_path("ko", path, sizeof path), &K, err, sizeof err) == 0, "  %s\n", err);
    /* every network of the zoo in both; the English line is the card's own */
    for (int i = 0; i < model_count(); i++) {
        const ModelCard *c = model_at(i);
        const char *en = card_text_get(&E, c->name), *ko = card_text_get(&K, c->name);
        CHECK_SAY(en && !strcmp(en, c->key_ideas), "  %s: the English key ideas differ from the card's\n", c->name);
        CHECK_SAY(ko && has_hangul(ko), "  %s: no Korean key ideas\n", c->name);
        CHECK(!strcmp(card_key_ideas(c, "ko"), ko ? ko : c->key_ideas));
        CHECK(!strcmp(card_key_ideas(c, "en"), c->key_ideas));
    }
    CHECK_EQ_I64(E.n, model_count());
    CHECK_EQ_I64(K.n, model_count());
    card_text_free(&E);
    card_text_free(&K);
    /* a network without a line: the card's own words */
    static const ModelCard nobody = {.name = "no_such_net", .key_ideas = "its own"};
    CHECK(!strcmp(card_key_ideas(&nobody, "ko"), "its own"));
    /* malformed files, each with its line */
    static const struct {
        const char *text, *want;
    } bad[] = {
        {"# c\nvgg16 Depth\n", "t.txt:2: expected 'name: key ideas'"},
        {"vgg16: a\n\nvgg16: b\n", "t.txt:3: 'vgg16' again (first on line 1)"},
        {"vgg 16: a\n", "t.txt:1: 'vgg 16' is not a network's name"},
        {"vgg16:   \n", "t.txt:1: 'vgg16' has no words"},
        {"a: b\0c\n", "t.txt:1: a NUL byte"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        const size_t n = strlen(bad[k].text) + (strstr(bad[k].want, "NUL") ? 3 : 0);
        CHECK(card_text_parse("t.txt", bad[k].text, n, &T, err, sizeof err) == -1);
        CHECK_SAY(strstr(err, bad[k].want) == err, "  got '%s', expected '%s'\n", err, bad[k].want);
        card_text_free(&T);
    }
    static const char ok[] = "# only\n  a.b-c_1:  words  \r\n";
    CHECK_SAY(card_text_parse("t.txt", ok, strlen(ok), &T, err, sizeof err) == 0, "  %s\n", err);
    CHECK(T.n == 1 && card_text_get(&T, "a.b-c_1") && !strcmp(card_text_get(&T, "a.b-c_1"), "words"));
    card_text_free(&T);
}

int main(void) {
    eng_log_set(quiet, NULL);
    test_card_text();
    test_lang_default();
    test_twin_drift();
    test_shipped_twins();
    test_good();
    test_malformed();
    test_values();
    test_directives();
    test_exp_values();
    test_exp_json();
    test_step_sizes();
    return check_finish("lesson");
}
