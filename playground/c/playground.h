/* Shared by the playground's C library (signals.c, methods.c, bench.c).
 *
 * OPAQUE() sends a function pointer through a volatile local, so clang can
 * neither see which function is called nor turn a cast call into a direct
 * call (it would then insert a bitcast thunk instead of a call_indirect):
 * every cast call below stays a real call_indirect, the thing the plugin
 * rewrites. DISPATCHER keeps each dispatcher a function of its own, so its
 * call sites keep its name in the adapted-calls table: noinline for clang,
 * and exported for binaryen, which otherwise inlines a function into its only
 * caller whatever clang was told.
 */
#ifndef PLAYGROUND_H
#define PLAYGROUND_H

#include <stddef.h>
#include <emscripten/emscripten.h>

#define DISPATCHER __attribute__((noinline)) EMSCRIPTEN_KEEPALIVE
#define OPAQUE(p) ({ __typeof__(p) volatile opaque_tmp_ = (p); opaque_tmp_; })
#define EXPORT EMSCRIPTEN_KEEPALIVE

/* A line-oriented log the page reads back after each call (no printf: a
 * trap in the middle of a call must not lose what was logged before it). */
void log_str(const char *s);
void log_int(int v);
void log_end(void);

#endif
