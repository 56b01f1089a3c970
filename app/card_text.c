/*
 * card_text.c — the model cards' words from text files (card_text.h).
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "card_text.h"

static int cerr(char *err, size_t errlen, const char *path, int line, const char *fmt, ...) {
    char what[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    snprintf(err, errlen, "%s:%d: %s", path, line, what);
    return -1;
}

/* One line "name: text" into T (s is T's own copy, cut here). */
static int parse_entry(CardText *T, char *s, int ln, char *err, size_t errlen) {
    char *colon = strchr(s, ':');
    size_t nl = colon ? (size_t)(colon - s) : 0;
    if (!colon || !nl || nl > 63)
        return cerr(err, errlen, T->path, ln, "expected 'name: key ideas' (a network's name, a colon, one line)");
    for (size_t k = 0; k < nl; k++)
        if (!isalnum((unsigned char)s[k]) && s[k] != '_' && s[k] != '-' && s[k] != '.')
            return cerr(err, errlen, T->path, ln, "'%.*s' is not a network's name", (int)nl, s);
    *colon = 0;
    char *t = colon + 1;
    while (*t == ' ' || *t == '\t') t++;
    size_t tl = strlen(t);
    while (tl && (t[tl - 1] == ' ' || t[tl - 1] == '\t' || t[tl - 1] == '\r')) t[--tl] = 0;
    if (!tl) return cerr(err, errlen, T->path, ln, "'%s' has no words", s);
    for (int i = 0; i < T->n; i++)
        if (!strcmp(T->name[i], s)) return cerr(err, errlen, T->path, ln, "'%s' again (first on line %d)", s, T->line[i]);
    if (T->n >= CARD_TEXT_MAX) return cerr(err, errlen, T->path, ln, "more than %d networks", CARD_TEXT_MAX);
    T->name[T->n] = s, T->text[T->n] = t, T->line[T->n] = ln;
    T->n++;
    return 0;
}

int card_text_parse(const char *path, const char *text, size_t n, CardText *T, char *err, size_t errlen) {
    memset(T, 0, sizeof *T);
    snprintf(T->path, sizeof T->path, "%s", path);
    if (n > CARD_TEXT_MAX_FILE) return cerr(err, errlen, path, 1, "larger than %d bytes", CARD_TEXT_MAX_FILE);
    if (memchr(text, 0, n)) return cerr(err, errlen, path, 1, "a NUL byte: not a text file");
    T->buf = malloc(n + 1);
    if (!T->buf) return cerr(err, errlen, path, 1, "out of memory");
    memcpy(T->buf, text, n);
    T->buf[n] = 0;
    int ln = 0;
    for (char *s = T->buf, *next; s && *s; s = next) {
        ln++;
        next = strchr(s, '\n');
        if (next) *next++ = 0;
        while (*s == ' ' || *s == '\t') s++;
        if (!*s || *s == '#' || (*s == '\r' && !s[1])) continue;
        if (parse_entry(T, s, ln, err, errlen)) return -1;
    }
    return 0;
}

int card_text_load(const char *path, CardText *T, char *err, size_t errlen) {
    memset(T, 0, sizeof *T);
    FILE *f = fopen(path, "rb");
    if (!f) return cerr(err, errlen, path, 0, "cannot open: %s", strerror(errno));
    char *buf = malloc(CARD_TEXT_MAX_FILE + 1);
    size_t n = buf ? fread(buf, 1, CARD_TEXT_MAX_FILE + 1, f) : 0;
    const int bad = !buf || ferror(f);
    fclose(f);
    int rc = bad ? cerr(err, errlen, path, 0, "cannot read%s", buf ? "" : " (out of memory)")
                 : card_text_parse(path, buf, n, T, err, errlen);
    free(buf);
    return rc;
}

void card_text_free(CardText *T) {
    free(T->buf);
    memset(T, 0, sizeof *T);
}

const char *card_text_get(const CardText *T, const char *name) {
    for (int i = 0; i < T->n; i++)
        if (!strcmp(T->name[i], name)) return T->text[i];
    return NULL;
}

const char *card_text_path(const char *lang, char *buf, size_t n) {
    if (!lang || !strcmp(lang, "en")) snprintf(buf, n, "%s/cards/key_ideas.txt", model_assets_dir());
    else snprintf(buf, n, "%s/cards/%s/key_ideas.txt", model_assets_dir(), lang);
    return buf;
}

const char *card_key_ideas(const ModelCard *c, const char *lang) {
    static struct {
        char lang[8];
        CardText T;
        int tried;
    } cache[4];
    const char *l = lang ? lang : "en";
    int k = 0;
    while (k < 4 && cache[k].tried && strcmp(cache[k].lang, l)) k++;
    if (k == 4) return c->key_ideas; /* more languages than kept: the card's own */
    if (!cache[k].tried) {
        char path[4200], err[600];
        cache[k].tried = 1;
        snprintf(cache[k].lang, sizeof cache[k].lang, "%s", l);
        if (card_text_load(card_text_path(l, path, sizeof path), &cache[k].T, err, sizeof err) != 0)
            card_text_free(&cache[k].T); /* no file, or a bad one: the cards' own words */
    }
    const char *t = card_text_get(&cache[k].T, c->name);
    return t ? t : c->key_ideas;
}
