/*
 * cmd_experiment.c — `convscope experiment list` and `convscope experiment
 * run NAME`: the experiments behind the history's claims, run on the engine,
 * written as JSON, one CSV per curve and a PNG plot.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "experiments.h"

static const ExpDef defs[] = {
    {"degradation", "He et al. 2016, Fig. 1 and 6",
     "plain-20/56 vs ResNet-20/56 on Fashion-MNIST: training and test error per epoch",
     exp_run_degradation, NULL},
    {"relu_tanh", "Krizhevsky et al. 2012, Fig. 1",
     "the same small CNN with ReLU or tanh: training error per epoch, epochs to 15%",
     exp_run_relu_tanh, NULL},
    {"layers", "Zeiler and Fergus 2014, sec. 4.2 and Fig. 4",
     "relative change of each layer's weights per epoch while ZFNet-mini trains; conv1 filters",
     exp_run_layers, NULL},
    {"invariance", "Zeiler and Fergus 2014, Fig. 5",
     "shift, rotate, scale a test image: feature distance at layer 1 and 7, P(true class)",
     exp_run_invariance, NULL},
    {"vgg", "Simonyan and Zisserman 2015, sec. 2.3",
     "two 3x3 convolutions vs one 5x5, trained: error, parameters, MACs, time",
     exp_run_vgg, NULL},
    {"dropout", "Krizhevsky et al. 2012, sec. 4",
     "train/test error gap with and without dropout and augmentation",
     exp_run_dropout, NULL},
    {"occlusion", "Zeiler and Fergus 2014, Fig. 7",
     "a grey square slid over an image: activation and class probability maps", NULL,
     "convscope occlude zfnet_mini --data fashion --layer conv5 --channel 0 --out occ.png"},
};
#define N_DEFS ((int)(sizeof defs / sizeof defs[0]))

int exp_count(void) { return N_DEFS; }
const ExpDef *exp_at(int i) { return i >= 0 && i < N_DEFS ? &defs[i] : NULL; }
const ExpDef *exp_find(const char *name) {
    for (int i = 0; i < N_DEFS; i++)
        if (!strcmp(defs[i].name, name)) return &defs[i];
    return NULL;
}

static const char usage[] =
    "usage: convscope experiment list [--json]\n"
    "       convscope experiment run NAME [--quick] [--json] [--out DIR] [--threads N] [--seed S]\n"
    "  Runs one of the experiments behind the history's claims on the engine, with\n"
    "  Fashion-MNIST: prints its setup and finding, writes DIR/NAME.SERIES.csv for each\n"
    "  curve and the plot DIR/NAME.png (DIR: default the current folder, made when\n"
    "  missing); --json prints {experiment, x_label, y_label, series: [{name, x, y}],\n"
    "  ...} on stdout. --quick: a smaller run, at most about two minutes on two cores.\n"
    "  At a fixed --threads and --seed (default 1) every number is the same to the bit;\n"
    "  only the wall-clock times under \"timing\" change. Progress goes to stderr.\n";

static int cmd_list(const AppOptions *o) {
    if (o->json) printf("[");
    for (int i = 0; i < N_DEFS; i++) {
        const ExpDef *d = &defs[i];
        if (o->json) {
            printf("%s{\"name\":", i ? "," : "");
            app_json_str(stdout, d->name);
            printf(",\"figure\":");
            app_json_str(stdout, d->figure);
            printf(",\"summary\":");
            app_json_str(stdout, d->summary);
            printf(",\"command\":");
            app_json_str(stdout, d->command ? d->command : "");
            printf("}");
        } else {
            printf("%-12s %-44s %s\n", d->name, d->figure, d->summary);
            if (d->command) printf("%-12s run with: %s\n", "", d->command);
        }
    }
    if (o->json) printf("]\n");
    return APP_OK;
}

/* The folder of the files: made when missing (one level). 0, or -1 after a line. */
static int out_dir(const char *dir) {
    struct stat st;
    if (stat(dir, &st) == 0) {
        if (S_ISDIR(st.st_mode)) return 0;
        fprintf(stderr, "convscope experiment: --out %s is not a folder\n", dir);
        return -1;
    }
    if (mkdir(dir, 0777) != 0) {
        fprintf(stderr, "convscope experiment: cannot make the folder %s: %s\n", dir, strerror(errno));
        return -1;
    }
    return 0;
}

static int cmd_run(const AppOptions *o) {
    const ExpDef *d = exp_find(o->model);
    if (!d) {
        fprintf(stderr, "convscope experiment: unknown experiment '%s' (see 'convscope experiment list')\n",
                o->model);
        return APP_USAGE;
    }
    if (!d->run) {
        fprintf(stderr, "convscope experiment: %s runs with its own command: %s\n", d->name, d->command);
        return APP_USAGE;
    }
    const char *dir = o->out ? o->out : ".";
    if (out_dir(dir) != 0) return APP_FAIL;
    ExpRun r = {.quick = o->quick, .tiny = o->tiny, .seed = o->seed_set ? o->seed : 1,
                .threads = o->threads ? o->threads : eng_get_threads()};
    eng_set_threads(r.threads);
    ExpResult res;
    if (exp_result_init(&res, d->name) != 0) {
        fprintf(stderr, "convscope experiment: not enough memory\n");
        return APP_FAIL;
    }
    fprintf(stderr, "experiment %s (%s)%s, seed %llu, %d thread%s\n", d->name, d->figure,
            r.tiny ? " tiny" : r.quick ? " quick" : "", (unsigned long long)r.seed, r.threads,
            r.threads == 1 ? "" : "s");
    /* what decides the numbers, not where they go */
    char command[256];
    snprintf(command, sizeof command, "convscope experiment run %s%s%s --threads %d --seed %llu", d->name,
             r.quick ? " --quick" : "", r.tiny ? " --tiny" : "", r.threads, (unsigned long long)r.seed);
    double t0 = app_now_ms();
    int rc = d->run(&r, &res);
    exp_extra(&res, "seconds_total", (app_now_ms() - t0) / 1e3);
    if (rc == APP_OK) {
        char png[4200];
        snprintf(png, sizeof png, "%s/%s.png", dir, d->name);
        if (exp_write_csvs(&res, dir) != 0 || exp_write_png(&res, png) != 0) rc = APP_FAIL;
    }
    if (rc == APP_OK) {
        fprintf(stderr, "%s\n%s\n", res.setup, res.finding);
        if (o->json) exp_write_json(stdout, &res, command, r.seed, r.threads);
        else printf("%s: %s\n", d->name, res.finding);
    }
    exp_result_free(&res);
    exp_data_free();
    return rc;
}

int app_cmd_experiment(int argc, char **argv) {
    const char *sub = argc > 1 ? argv[1] : NULL;
    /* argv without the word list/run: "experiment NAME --flags..."; with a flag
     * first there is no word: the flags are checked (--help answers) */
    char *args[256];
    int n = 0;
    if (argc > 255) {
        fprintf(stderr, "convscope experiment: too many arguments\n");
        return APP_USAGE;
    }
    args[n++] = argv[0];
    const int word = sub && sub[0] != '-';
    for (int i = word ? 2 : 1; i < argc; i++) args[n++] = argv[i];
    args[n] = NULL;
    AppOptions o;
    int help, rc = app_parse_cmd(n, args, usage, &o, &help);
    if (rc || help) return rc;
    if (!word || (strcmp(sub, "list") && strcmp(sub, "run"))) {
        fprintf(stderr, "convscope experiment: expected 'list' or 'run NAME'%s%s%s\n", word ? ", not '" : "",
                word ? sub : "", word ? "'" : "");
        return APP_USAGE;
    }
    if (!strcmp(sub, "list")) {
        if (o.model) {
            fprintf(stderr, "convscope experiment: list takes no name\n");
            return APP_USAGE;
        }
        return cmd_list(&o);
    }
    if (!o.model) {
        fprintf(stderr, "convscope experiment: which experiment? (see 'convscope experiment list')\n");
        return APP_USAGE;
    }
    return cmd_run(&o);
}
