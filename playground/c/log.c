/* The log the page reads: handlers append to it, pg_log_take() hands it over. */
#include "playground.h"

static char buffer[8192];
static int length;

void log_str(const char *s) {
  while (*s && length < (int)sizeof buffer - 2) buffer[length++] = *s++;
}

void log_int(int v) {
  char digits[12];
  int n = 0;
  unsigned u = v < 0 ? 0u - (unsigned)v : (unsigned)v;
  if (v < 0) log_str("-");
  do digits[n++] = (char)('0' + u % 10); while (u /= 10);
  while (n) {
    char c[2] = {digits[--n], 0};
    log_str(c);
  }
}

void log_end(void) { log_str("\n"); }

/* Everything logged since the last call, as a C string (valid until the next call). */
EXPORT const char *pg_log_take(void) {
  buffer[length] = 0;
  length = 0;
  return buffer;
}
