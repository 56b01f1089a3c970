/*
 * main.c — convscope's entry point: dispatch to a subcommand, or open the
 * visualizer on its default model when there is none.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "app.h"

static void print_help(FILE *f) {
    fprintf(f,
            "convscope — a real-time lab for the history of convolutional networks\n"
            "\n"
            "usage: convscope [COMMAND] [ARGS]\n"
            "\n"
            "commands:\n"
            "  view [MODEL]       open the visualizer (the default when no command is given)\n"
            "  render MODEL       draw a view of the visualizer into a PNG, no display needed\n"
            "  models [--json]    list the model zoo with the networks' cards\n"
            "  summary MODEL      layer table: output shape, params, MACs, memory, kernel/stride/pads,\n"
            "                     dilation, groups, receptive field\n"
            "  bench MODEL        measure forward latency on this machine\n"
            "  compare [BLOCK]    two designs side by side: params, MACs, memory, RF, time\n"
            "  onnx-test DIR...   run ONNX backend tests (model.onnx + test_data_set_N)\n"
            "  export MODEL       write a model and its weights as an ONNX file (Netron, ONNX Runtime)\n"
            "  train MODEL        train on handwritten digits, Fashion-MNIST or an MNIST-format folder\n"
            "  eval MODEL         accuracy and loss of trained weights on a test set\n"
            "  deconv MODEL       project a channel or unit back to pixels (deconvnet, guided, saliency)\n"
            "  top9 MODEL         a channel's nine strongest activations over a test set, projected\n"
            "  occlude MODEL      a grey square slid over an image: activation and class maps\n"
            "  predict MODEL      what a classifier sees in an image: the most probable classes\n"
            "  gradcam MODEL      Grad-CAM: where in the image a layer finds a class's evidence\n"
            "  visualize MODEL    the input a channel, a unit or a class likes most (gradient ascent)\n"
            "  atlas MODEL        per layer, sheets of every channel: filter, top-9, projection,\n"
            "                     visualisation, and an index.html\n"
            "  basics             one convolution's output size and parameter count, worked out\n"
            "  lesson list|check|render  the history of CNNs as chapters: checked, or as slides\n"
            "  experiment list|run  the experiments behind the history's claims, run on the engine\n"
            "\n"
            "Run 'convscope COMMAND --help' for the options of a command.\n");
}

/* A command's exit code, once what it printed on stdout (a table, JSON) has
 * reached its file: a failed write is a failure too. */
static int finish(const char *cmd, int rc) {
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "convscope %s: cannot write the output: %s\n", cmd, strerror(errno));
        return rc ? rc : APP_FAIL;
    }
    return rc;
}

int main(int argc, char **argv) {
    app_log_install();
    if (argc < 2) {
        char *def[] = {"view", NULL};
        return app_cmd_view(1, def);
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        /* help --flags: every flag, from the table app_parse reads; --flags-markdown:
         * the same as README.md's flag list */
        if (argc > 2 && (!strcmp(argv[2], "--flags") || !strcmp(argv[2], "--flags-markdown")))
            app_print_flags(stdout, !strcmp(argv[2], "--flags-markdown"));
        else
            print_help(stdout);
        return finish(cmd, APP_OK);
    }
    static const struct {
        const char *name;
        int (*fn)(int, char **);
    } cmds[] = {
        {"view", app_cmd_view},
        {"render", app_cmd_render},
        {"deconv", app_cmd_deconv},
        {"top9", app_cmd_top9},
        {"occlude", app_cmd_occlude},
        {"models", app_cmd_models},
        {"summary", app_cmd_summary},
        {"bench", app_cmd_bench},
        {"train", app_cmd_train},
        {"compare", app_cmd_compare},
        {"onnx-test", app_cmd_onnx_test},
        {"export", app_cmd_export},
        {"eval", app_cmd_eval},
        {"basics", app_cmd_basics},
        {"lesson", app_cmd_lesson},
        {"predict", app_cmd_predict},
        {"gradcam", app_cmd_gradcam},
        {"visualize", app_cmd_visualize},
        {"atlas", app_cmd_atlas},
        {"experiment", app_cmd_experiment},
    };
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        if (!strcmp(cmd, cmds[i].name)) {
            return finish(cmd, cmds[i].fn(argc - 1, argv + 1));
        }
    fprintf(stderr, "convscope: unknown command '%s' (try 'convscope --help')\n", cmd);
    return APP_USAGE;
}
