/*
 * gui.c — `convscope view`: the window. Per-frame work in one function:
 * poll events, update, draw (SDL's testdrawchessboard.c loop()).
 */
#include <stdio.h>

#include "app.h"

#ifdef CONVSCOPE_HAVE_GUI
#include "viz.h"

typedef struct {
    SDL_Window *win;
    SDL_Renderer *ren;
    VizFonts fonts;
    const ModelCard *card;
    EngGraph *graph;
    int scroll;
    int running;
} AppGui;

static void gui_frame(AppGui *a) {
    SDL_Event e;
    while (SDL_PollEvent(&e)) {
        if (e.type == SDL_QUIT) a->running = 0;
        else if (e.type == SDL_KEYDOWN) {
            switch (e.key.keysym.sym) {
            case SDLK_ESCAPE:
            case SDLK_q: a->running = 0; break;
            case SDLK_DOWN: a->scroll++; break;
            case SDLK_UP: a->scroll = a->scroll > 0 ? a->scroll - 1 : 0; break;
            case SDLK_HOME: a->scroll = 0; break;
            default: break;
            }
        } else if (e.type == SDL_MOUSEWHEEL) {
            a->scroll -= e.wheel.y * 3;
            if (a->scroll < 0) a->scroll = 0;
        }
    }
    int last = eng_graph_node_count(a->graph) - 1;
    if (a->scroll > last) a->scroll = last;
    int w, h;
    SDL_GetRendererOutputSize(a->ren, &w, &h);
    SDL_SetRenderDrawColor(a->ren, 24, 26, 32, 255);
    SDL_RenderClear(a->ren);
    SDL_Rect area = {24, 16, w - 48, h - 32};
    viz_draw_summary(a->ren, &a->fonts, a->card, a->graph, area, a->scroll);
    SDL_RenderPresent(a->ren);
}

static const char view_usage[] =
    "usage: convscope view [MODEL] [--input CxHxW] [--quit-after MS]\n"
    "  Open the visualizer on MODEL (default lenet5). Keys: Up/Down scroll, Esc quits.\n";

int app_cmd_view(int argc, char **argv) {
    AppOptions o;
    int help, rc = app_parse(argc, argv, APP_OPT_INPUT | APP_OPT_QUIT_AFTER, 0, view_usage, &o,
                             &help);
    if (rc || help) return rc;
    if (!o.model) o.model = "lenet5";
    AppGui a = {0};
    a.graph = app_build_model(&o, &a.card, &rc);
    if (!a.graph) return rc;
    if (SDL_Init(SDL_INIT_VIDEO) != 0) {
        fprintf(stderr, "convscope view: cannot open a window: %s (is a display available?)\n",
                SDL_GetError());
        eng_graph_destroy(a.graph);
        return APP_FAIL;
    }
    char err[256];
    rc = APP_FAIL;
    a.win = SDL_CreateWindow("convscope", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, 1280,
                             800, SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI);
    if (!a.win) {
        fprintf(stderr, "convscope view: cannot create a window: %s\n", SDL_GetError());
        goto done;
    }
    a.ren = SDL_CreateRenderer(a.win, -1, SDL_RENDERER_PRESENTVSYNC);
    if (!a.ren) a.ren = SDL_CreateRenderer(a.win, -1, SDL_RENDERER_SOFTWARE);
    if (!a.ren) {
        fprintf(stderr, "convscope view: cannot create a renderer: %s\n", SDL_GetError());
        goto done;
    }
    if (viz_fonts_load(&a.fonts, 18, err, sizeof err) != 0) {
        fprintf(stderr, "convscope view: %s\n", err);
        goto done;
    }
    a.running = 1;
    Uint32 start = SDL_GetTicks();
    while (a.running) {
        gui_frame(&a);
        if (o.quit_after_ms && SDL_GetTicks() - start >= (Uint32)o.quit_after_ms) a.running = 0;
        SDL_Delay(1);
    }
    rc = APP_OK;
done:
    viz_fonts_unload(&a.fonts);
    if (TTF_WasInit()) TTF_Quit();
    if (a.ren) SDL_DestroyRenderer(a.ren);
    if (a.win) SDL_DestroyWindow(a.win);
    SDL_Quit();
    eng_graph_destroy(a.graph);
    return rc;
}
#else
int app_cmd_view(int argc, char **argv) {
    (void)argc;
    (void)argv;
    fprintf(stderr, "convscope view: built without the GUI (CONVSCOPE_GUI=OFF)\n");
    return APP_FAIL;
}
#endif
