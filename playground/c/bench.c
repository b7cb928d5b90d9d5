/* The benchmark's inner loop: n calls through one call_indirect site of type
 * (int, int) -> int, to a function of that type (kind 0, matched) or to one
 * declared (int) -> int (kind 1, a cast: one argument too many). The loop
 * runs inside wasm, so the time per call is the call's own cost. */
#include "playground.h"

typedef int (*BinaryOp)(int a, int b);

static int add(int a, int b) { return a + b; }
static int inc(int a) { return a + 1; }

static BinaryOp ops[2] = {add, (BinaryOp)inc};

EXPORT int pg_bench(int kind, int n) {
  BinaryOp f = ops[kind & 1];
  int acc = 0;
  for (int i = 0; i < n; i++) acc = OPAQUE(f)(acc, i);
  return acc;
}
