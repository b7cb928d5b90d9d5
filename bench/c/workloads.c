/* Benchmark workloads W1-W3 for unplugin-fpcast-trampoline.
 *
 * Each workload is an exported `run` function whose hot loop stays inside
 * wasm and returns a checksum; the harness (bench/harness/c-bench.js) checks
 * that every variant returns the same checksum for the same n.
 *
 * Function pointers are kept opaque (read from `volatile` tables, NOINLINE
 * callees) so that clang and binaryen cannot devirtualise them: every call in
 * the hot loops is a real `call_indirect` (bench/build.sh checks with
 * wasm2wat).
 *
 *   w1_run(n)        W1: n matched indirect calls, int (*)(int, int)
 *   w2_run(n)        W2: n calls through int (*)(int, int) to functions of
 *                    other types (fewer/more parameters, no result). Stock
 *                    wasm traps on the first one.
 *   w1h_run(n)       W1 hard: n matched calls, int (*)(int, int), to one of
 *                    256 functions of that type, the index taken from the
 *                    previous result (the shape of real code: data-dependent
 *                    indices, hundreds of functions per signature)
 *   w2h_run(n)       W2 hard: the same 256 functions called through an
 *                    int (*)(int, int, int) pointer (one argument too many;
 *                    stock traps): the target signature has 256 functions
 *   w3_qsort_run(n)  W3: libc qsort of n ints with a comparator
 *   w3_dispatch_run(n) W3: an event loop dispatching n events to listeners
 *                    registered per event type (ctx, event) callbacks
 */
#include <stdint.h>
#include <stdlib.h>
#include <emscripten.h>

#define NOINLINE __attribute__((noinline))
#define EXPORT EMSCRIPTEN_KEEPALIVE

/* ---- W1: matched indirect calls ---------------------------------------- */
typedef int (*binop)(int, int);

NOINLINE static int op_add(int a, int b) { return a + b; }
NOINLINE static int op_sub(int a, int b) { return a - b; }
NOINLINE static int op_xor(int a, int b) { return a ^ (b * 3); }
NOINLINE static int op_mix(int a, int b) { return a * 31 + b; }
NOINLINE static int op_rot(int a, int b) { return (int)(((uint32_t)a << 5) | ((uint32_t)a >> 27)) + b; }
NOINLINE static int op_or(int a, int b) { return (a | b) - 1; }
NOINLINE static int op_and(int a, int b) { return (a & ~b) + 7; }
NOINLINE static int op_shr(int a, int b) { return (a >> 1) + (b & 255); }

static binop volatile w1_ops[8] = { op_add, op_sub, op_xor, op_mix, op_rot, op_or, op_and, op_shr };

EXPORT int w1_run(int n) {
  int acc = 1;
  for (int i = 0; i < n; i++) acc = w1_ops[i & 7](acc, i);
  return acc;
}

/* ---- W2: mismatched indirect calls (through casts) -------------------- */
/* Every callee has a type other than the call site's int (*)(int, int); the
 * behaviour is the one all adapting variants agree on: extra arguments are
 * dropped, a missing int argument is 0, a missing result is 0. */
static volatile int w2_sink;

NOINLINE static int one_a(int a) { return a * 3 + 1; }                  /* extra arg dropped */
NOINLINE static int one_b(int a) { return (a >> 3) ^ 0x5bd1e995; }
NOINLINE static int none_a(void) { return 12345; }                      /* both args dropped */
NOINLINE static int three_a(int a, int b, int c) { return a + b + c + 1; } /* c is 0 */
NOINLINE static int three_b(int a, int b, int c) { return (a ^ b) - c; }
NOINLINE static void void_a(int a, int b) { w2_sink = a + b; }           /* result is 0 */
NOINLINE static int one_c(int a) { return a - 17; }
NOINLINE static int four_a(int a, int b, int c, int d) { return a * 7 + b + c + d; } /* c, d are 0 */

static binop volatile w2_ops[8] = {
  (binop)one_a, (binop)one_b, (binop)none_a, (binop)three_a,
  (binop)three_b, (binop)void_a, (binop)one_c, (binop)four_a,
};

EXPORT int w2_run(int n) {
  int acc = 1;
  for (int i = 0; i < n; i++) acc = acc * 17 + w2_ops[i & 7](acc, i);
  return acc;
}

/* ---- W1h, W2h: hundreds of functions, data-dependent indices --------- */
/* 256 distinct int (int, int) functions h0000..h3333 (names in base 4; the
 * constant in each body differs, so no pass merges them), written out by
 * the preprocessor: ALL(M, ) expands M once per name. */
#define Q1(M, p) M(p##0) M(p##1) M(p##2) M(p##3)
#define Q2(M, p) Q1(M, p##0) Q1(M, p##1) Q1(M, p##2) Q1(M, p##3)
#define Q3(M, p) Q2(M, p##0) Q2(M, p##1) Q2(M, p##2) Q2(M, p##3)
#define ALL(M, p) Q3(M, p##0) Q3(M, p##1) Q3(M, p##2) Q3(M, p##3)
#define DEFINE_H(id) NOINLINE static int h##id(int a, int b) { return a * (0x##id | 1) + (b ^ 0x##id); }
#define ADDRESS_H(id) h##id,
#define ADDRESS_H_AS_TRIOP(id) (triop)h##id,

typedef int (*triop)(int, int, int);
ALL(DEFINE_H, )
static binop volatile w1h_ops[256] = { ALL(ADDRESS_H, ) };
static triop volatile w2h_ops[256] = { ALL(ADDRESS_H_AS_TRIOP, ) };

EXPORT int w1h_run(int n) {
  int acc = 1;
  for (int i = 0; i < n; i++) acc = w1h_ops[(unsigned)(acc ^ (acc >> 11)) & 255](acc, i);
  return acc;
}

/* The extra third argument is dropped by every adapting variant. */
EXPORT int w2h_run(int n) {
  int acc = 1;
  for (int i = 0; i < n; i++) acc = w2h_ops[(unsigned)(acc ^ (acc >> 11)) & 255](acc, i, acc >> 3);
  return acc;
}

/* ---- W3a: qsort with a comparator ------------------------------------- */
typedef int (*cmpfn)(const void *, const void *);

NOINLINE static int cmp_int(const void *pa, const void *pb) {
  int a = *(const int *)pa, b = *(const int *)pb;
  return (a > b) - (a < b);
}
static cmpfn volatile w3_cmp = cmp_int;

#define QSORT_MAX (1 << 20)
static int qs_buf[QSORT_MAX];

EXPORT int w3_qsort_run(int n) {
  if (n > QSORT_MAX) n = QSORT_MAX;
  uint32_t x = 2463534242u;
  for (int i = 0; i < n; i++) {
    x ^= x << 13; x ^= x >> 17; x ^= x << 5;   /* xorshift32 */
    qs_buf[i] = (int)(x % 1000003u);
  }
  qsort(qs_buf, (size_t)n, sizeof(int), w3_cmp);
  uint32_t h = 2166136261u;
  for (int i = 0; i < n; i += 97) h = (h ^ (uint32_t)qs_buf[i]) * 16777619u;
  return (int)(h ^ (uint32_t)qs_buf[n - 1]);
}

/* ---- W3b: event dispatch loop ----------------------------------------- */
typedef struct event { int type; int a; int b; } event;
typedef void (*handler)(void *ctx, const event *e);
typedef struct listener { handler fn; void *ctx; } listener;
typedef struct counter { int count; int sum; } counter;

#define NTYPES 8
#define PER_TYPE 3

NOINLINE static void on_count(void *ctx, const event *e) { ((counter *)ctx)->count++; (void)e; }
NOINLINE static void on_sum(void *ctx, const event *e) { ((counter *)ctx)->sum += e->a; }
NOINLINE static void on_mix(void *ctx, const event *e) { counter *c = ctx; c->sum = c->sum * 33 + (e->a ^ e->b); }
NOINLINE static void on_max(void *ctx, const event *e) { counter *c = ctx; if (e->b > c->count) c->count = e->b; }
NOINLINE static void on_diff(void *ctx, const event *e) { counter *c = ctx; c->sum -= e->b - e->a; }

static counter counters[NTYPES * PER_TYPE];
static listener volatile listeners[NTYPES][PER_TYPE];

NOINLINE static void dispatch(const event *e) {
  for (int j = 0; j < PER_TYPE; j++) {
    listener volatile *l = &listeners[e->type][j];
    l->fn(l->ctx, e);
  }
}

EXPORT int w3_dispatch_run(int n) {
  static const handler kinds[5] = { on_count, on_sum, on_mix, on_max, on_diff };
  for (int t = 0; t < NTYPES; t++)
    for (int j = 0; j < PER_TYPE; j++) {
      counters[t * PER_TYPE + j] = (counter){ 0, 0 };
      listeners[t][j].fn = kinds[(t * 7 + j * 3) % 5];
      listeners[t][j].ctx = &counters[t * PER_TYPE + j];
    }
  uint32_t x = 88172645u;
  event e;
  for (int i = 0; i < n; i++) {
    x ^= x << 13; x ^= x >> 17; x ^= x << 5;
    e.type = (int)(x & (NTYPES - 1));
    e.a = (int)(x >> 8) & 0xffff;
    e.b = i;
    dispatch(&e);
  }
  uint32_t h = 2166136261u;
  for (int k = 0; k < NTYPES * PER_TYPE; k++) h = (h ^ (uint32_t)counters[k].count ^ ((uint32_t)counters[k].sum << 1)) * 16777619u;
  return (int)h;
}
