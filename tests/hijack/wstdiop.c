/*
 * wstdiop: wide-character stdio on files of directory DIR, each result
 * printed, so the output on the host and on the kernel can be compared
 * (tests/hijack/fam_programs.bash, fam_wstdio).  stdin and stdout are
 * whatever the caller redirected them to (a kernel file, in the test):
 * "wstdiop DIR" writes files, "wstdiop DIR in" reads its stdin wide.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

static void
say(const char *what, long rv)
{
	printf("%s: %ld%s%s\n", what, rv, rv < 0 ? " " : "",
	    rv < 0 ? strerror(errno) : "");
}

/* A file's bytes, in hex where they are not printable ASCII. */
static void
dump(const char *path)
{
	FILE *f = fopen(path, "r");
	int c;

	if (f == NULL) {
		perror(path);
		return;
	}
	printf("bytes:");
	while ((c = getc(f)) != EOF)
		printf(c > 32 && c < 127 ? " %c" : " %02x", c);
	printf("\n");
	fclose(f);
}

static void
writes(const char *dir)
{
	char p[4096];
	FILE *f;

	snprintf(p, sizeof(p), "%s/utf8", dir);
	f = fopen(p, "w,ccs=UTF-8");
	say("fwide after ccs=UTF-8", fwide(f, 0));
	say("fwprintf", fwprintf(f, L"h\u00e9llo %ls %d %s %5.2f %2$d\n",
	    L"w\u00f6rld", 42, "bytes", 3.14159));
	say("fputwc", (long)fputwc(L'\u20ac', f));
	say("putwc", (long)putwc(L'\n', f));
	say("fputws", fputws(L"\u65e5\u672c\u8a9e line two\n", f));
	say("fclose", fclose(f));
	dump(p);

	/* Latin-1: one byte each; the euro sign has none there. */
	snprintf(p, sizeof(p), "%s/latin1", dir);
	f = fopen(p, "w,ccs=ISO-8859-1");
	say("fputws latin1", fputws(L"gr\u00fc\u00df\n", f));
	errno = 0;
	say("fputwc euro in latin1", (long)(int)fputwc(L'\u20ac', f));
	say("ferror", ferror(f) != 0);
	fclose(f);
	dump(p);

	/* Orientation: the locale's charset when fwide(f, 1) decides it. */
	snprintf(p, sizeof(p), "%s/locale", dir);
	f = fopen(p, "w");
	say("fwide new", fwide(f, 0));
	say("fwide 1", fwide(f, 1));
	say("fwide -1 after", fwide(f, -1));
	say("fwprintf", fwprintf(f, L"%lc%lc\n", (wint_t)L'\u00e5',
	    (wint_t)L'z'));
	fclose(f);
	dump(p);
	f = fopen(p, "a");
	fputs("bytes first\n", f);
	say("fwide after fputs", fwide(f, 0));
	say("fwprintf on a byte stream", fwprintf(f, L"x\n"));
	fclose(f);

	/* Bad input: an invalid byte, then a character cut by the end. */
	snprintf(p, sizeof(p), "%s/bad", dir);
	f = fopen(p, "w");
	fputs("ok\xff" "after\n\xe2\x82", f);
	fclose(f);
	f = fopen(p, "r,ccs=UTF-8");
	for (int i = 0; i < 4; i++) {
		errno = 0;
		wint_t c = fgetwc(f);

		printf("fgetwc %d: %ld errno %d ferror %d\n", i,
		    c == WEOF ? -1L : (long)c, c == WEOF ? errno : 0,
		    ferror(f) != 0);
	}
	fclose(f);
}

static void
reads(const char *dir)
{
	char p[4096];
	wchar_t buf[64], word[32];
	FILE *f;
	int n, d = 0, cnt = -1;
	wint_t c;

	snprintf(p, sizeof(p), "%s/utf8", dir);
	f = fopen(p, "r,ccs=UTF-8");
	while (fgetws(buf, 8, f) != NULL)
		printf("fgetws(8): [%ls]\n", buf);
	say("feof", feof(f) != 0);
	rewind(f);
	n = 0;
	while ((c = getwc(f)) != WEOF)
		n++;
	say("getwc count", n);
	rewind(f);
	say("ungetwc", (long)ungetwc(L'\u00df', f));
	say("after ungetwc", (long)fgetwc(f));
	say("then", (long)fgetwc(f));
	rewind(f);
	/* scanf across a line end, then the rest of the stream as before. */
	n = fwscanf(f, L"%ls %*ls %d %n", word, &d, &cnt);
	printf("fwscanf: %d [%ls] %d n=%d\n", n, word, d, cnt);
	say("fgetwc after fwscanf", (long)fgetwc(f));
	say("ftell", ftell(f));
	n = fwscanf(f, L"%ls", word);
	printf("fwscanf 2: %d [%ls]\n", n, word);
	while (fwscanf(f, L"%ls", word) == 1)
		printf("word [%ls]\n", word);
	say("feof at the end", feof(f) != 0);
	say("fwscanf at the end", fwscanf(f, L"%ls", word));
	fclose(f);

	snprintf(p, sizeof(p), "%s/latin1", dir);
	f = fopen(p, "r,ccs=ISO-8859-1");
	if (fgetws(buf, 64, f) != NULL)
		printf("latin1: [%ls] %zu\n", buf, wcslen(buf));
	fclose(f);
}

/* stdin and stdout, redirected by the caller. */
static void
std_streams(void)
{
	wchar_t buf[64];
	int a = 0, b = 0;

	/* stdout stays wide: no byte output on it here. */
	int n = wscanf(L"%d %d", &a, &b);

	fgetws(buf, 64, stdin);
	wprintf(L"wscanf %d: a+b=%d rest [%ls]", n, a + b, buf);
	wprintf(L"getwchar %ld\n", (long)getwchar());
	wprintf(L"fwide(stdout) %d\n", fwide(stdout, 0));
	putwchar(L'\u00e6');
	putwchar(L'\n');
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	setlocale(LC_ALL, "C.UTF-8");
	if (argc > 2) {
		std_streams();
		return 0;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	writes(argv[1]);
	reads(argv[1]);
	return 0;
}
