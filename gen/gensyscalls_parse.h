/*
 * gensyscalls_parse.h: what gensyscalls_parse.c shares with its checks in
 * gensyscalls_check.c.  Private to the parser.
 */
#ifndef GENSYSCALLS_PARSE_H
#define GENSYSCALLS_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#include "gensyscalls.h"

/* "FILE:LINE: [ENTRY: ]what is wrong" on stderr; counts the error. */
void perr(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* strndup that exits on no memory (the generator is short-lived). */
char *xstrndup(const char *s, size_t n);
/* The index of e's argument called name, or -1. */
int argindex(const struct sentry *e, const char *name);
bool isident0(int c);
bool isident(int c);
/* Checks an argument once all of the entry's arguments are known. */
int check_arg(struct sentry *e, struct sarg *a);

#endif
