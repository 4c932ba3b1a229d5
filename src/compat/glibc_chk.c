/* The glibc "fortify" entry points that Debian's mipsel libraries call, for the static musl
 * build only (cmake/toolchains/mipsel-linux-musl.cmake). Debian compiles zlib, json-c, libzstd
 * and libsquashfs with -D_FORTIFY_SOURCE=2, so their objects call __snprintf_chk and friends
 * instead of snprintf; glibc provides these, musl does not. Each does what glibc documents:
 * check the destination size the compiler knew, abort if the call would overrun it, then do the
 * plain call. (glibc's "flag" asks for extra %n checks; musl's printf has no %n risk to add.)
 * The list is what the link asks for: a library that starts calling another one fails the link,
 * never silently. */
#define _GNU_SOURCE /* vasprintf */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

int __vsnprintf_chk(char *s, size_t maxlen, int flag, size_t slen, const char *format, va_list ap);
int __snprintf_chk(char *s, size_t maxlen, int flag, size_t slen, const char *format, ...);
int __vfprintf_chk(FILE *stream, int flag, const char *format, va_list ap);
int __fprintf_chk(FILE *stream, int flag, const char *format, ...);
int __vasprintf_chk(char **strp, int flag, const char *format, va_list ap);
void __vsyslog_chk(int priority, int flag, const char *format, va_list ap);
char *__strcat_chk(char *dest, const char *src, size_t destlen);
void *__memcpy_chk(void *dest, const void *src, size_t len, size_t destlen);

int __vsnprintf_chk(char *s, size_t maxlen, int flag, size_t slen, const char *format, va_list ap)
{
	(void)flag;
	if (slen < maxlen)
		abort();
	return vsnprintf(s, maxlen, format, ap);
}

int __snprintf_chk(char *s, size_t maxlen, int flag, size_t slen, const char *format, ...)
{
	va_list ap;
	va_start(ap, format);
	int n = __vsnprintf_chk(s, maxlen, flag, slen, format, ap);
	va_end(ap);
	return n;
}

int __vfprintf_chk(FILE *stream, int flag, const char *format, va_list ap)
{
	(void)flag;
	return vfprintf(stream, format, ap);
}

int __fprintf_chk(FILE *stream, int flag, const char *format, ...)
{
	va_list ap;
	va_start(ap, format);
	int n = vfprintf(stream, format, ap);
	(void)flag;
	va_end(ap);
	return n;
}

int __vasprintf_chk(char **strp, int flag, const char *format, va_list ap)
{
	(void)flag;
	return vasprintf(strp, format, ap);
}

void __vsyslog_chk(int priority, int flag, const char *format, va_list ap)
{
	(void)flag;
	vsyslog(priority, format, ap);
}

char *__strcat_chk(char *dest, const char *src, size_t destlen)
{
	size_t have = strnlen(dest, destlen);
	size_t add = strlen(src);
	if (have == destlen || add >= destlen - have)
		abort();
	memcpy(dest + have, src, add + 1);
	return dest;
}

void *__memcpy_chk(void *dest, const void *src, size_t len, size_t destlen)
{
	if (len > destlen)
		abort();
	return memcpy(dest, src, len);
}
