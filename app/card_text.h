/*
 * card_text.h — the model cards' words in each language, from text files:
 * assets/cards/key_ideas.txt (English) and assets/cards/LANG/key_ideas.txt
 * (the translations, LANG as the lessons': ko), one line per network,
 * `name: its key ideas in one line`; '#' starts a comment line. A teacher
 * edits them without recompiling; the card compiled in (models/) is the
 * fallback for a network without a line. test_lesson holds every zoo
 * network to a line in every language, the English to the card's own.
 * Must not depend on: SDL, viz/, the window.
 */
#ifndef CONVSCOPE_CARD_TEXT_H
#define CONVSCOPE_CARD_TEXT_H

#include <stddef.h>

#include "models.h"

enum {
    CARD_TEXT_MAX_FILE = 256 * 1024,
    CARD_TEXT_MAX = 256, /* networks in one file */
};

typedef struct {
    char path[1024];
    int n;
    char *name[CARD_TEXT_MAX], *text[CARD_TEXT_MAX]; /* into buf */
    int line[CARD_TEXT_MAX];
    char *buf;
} CardText;

/* Parse text (n bytes, read from path: named in the errors) into T. 0, or
 * -1 with "path:line: what is wrong" in err; free T in either case. */
int card_text_parse(const char *path, const char *text, size_t n, CardText *T, char *err, size_t errlen);
/* The file at path, read (at most CARD_TEXT_MAX_FILE bytes) and parsed. */
int card_text_load(const char *path, CardText *T, char *err, size_t errlen);
void card_text_free(CardText *T);
/* The line of network name in T, or NULL. */
const char *card_text_get(const CardText *T, const char *name);
/* The key-ideas file of lang (lesson_lang's codes) into buf: buf. */
const char *card_text_path(const char *lang, char *buf, size_t n);
/* c's key ideas in lang: the file's line (the file read on the first call
 * for that language, kept until exit; call from one thread), else the card's
 * own. Never NULL. */
const char *card_key_ideas(const ModelCard *c, const char *lang);

#endif
