/* Cut down from Pure Data 0.53.1 src/m_class.c (pd_typedmess) and the
 * classes it calls (src/d_misc.c bang_tilde_new, src/x_arithmetic.c, ...).
 *
 * Pd stores every method as `void (*)(void)` and calls it through one of
 * seven types chosen by how many *integer-class* arguments the message has:
 * t_funN(N ints, then always 5 floats). On x86-64 (and arm64) integers and
 * floats travel in separate register files, so a method declared
 * (t_symbol *) or (t_object *, t_floatarg) picks its own arguments out of
 * that call whatever their order. wasm passes arguments by position.
 *
 *   1. A constructor that takes a (t_symbol *) it never uses, registered
 *      with no typed arguments: called as (f32 x5) -> i32, it is (i32) -> i32.
 *      Natively: fine (s is whatever is in rdi). Stock: traps. EMULATE: fine
 *      (the f32 0.0's bits are 0). Ours: the call is "incompatible" (f32 at a
 *      position where the function takes i32), so by default it traps with
 *      our report; with --incompatible coerce it runs.
 *   2. A method (t_obj *, t_floatarg, t_symbol *) for a message (float,
 *      symbol): Pd calls it as t_fun2(x, s, f, 0, 0, 0, 0). Natively f and s
 *      land right. EMULATE and ours (coerce) both convert by position, so the
 *      method sees f = (float)(int)s and s = (t_symbol *)(int)f: a wrong
 *      result where the native run is right (no trap, silently different).
 *
 * Build: emcc -O2 pd-typedmess.c -o pd-typedmess.js (stock traps at 1.)
 *        emcc -O2 -sEMULATE_FUNCTION_POINTER_CASTS pd-typedmess.c -o e.js
 *        node dist/cli.js pd-typedmess.js -o ours/ [--incompatible coerce]
 *        cc -O2 pd-typedmess.c -o native   (the reference output)
 */
#include <stdio.h>

typedef float t_floatarg;
typedef long t_int;
typedef void (*t_method)(void);
typedef void *(*t_fun0)(t_floatarg, t_floatarg, t_floatarg, t_floatarg, t_floatarg);
typedef void *(*t_fun2)(t_int, t_int, t_floatarg, t_floatarg, t_floatarg, t_floatarg, t_floatarg);

typedef struct { const char *s_name; } t_symbol;
static t_symbol s_hello = { "hello" };
static int obj;

static void *bang_tilde_new(t_symbol *s) { (void)s; return &obj; }   /* case 1 */

static void *both_method(void *x, t_floatarg f, t_symbol *s)        /* case 2 */
{
  printf("both: x %s, f %g, s %s\n", x == &obj ? "ok" : "WRONG", f,
         s == &s_hello ? s->s_name : "WRONG");
  return 0;
}

/* The dispatcher keeps the pointer opaque, as Pd's method table does. */
static t_method volatile table[2] = { (t_method)bang_tilde_new, (t_method)both_method };

int main(void)
{
  t_floatarg ad[5] = { 0, 0, 0, 0, 0 };
  t_int ai[2];
  void *r = (*(t_fun0)table[0])(ad[0], ad[1], ad[2], ad[3], ad[4]);
  printf("new: %s\n", r == &obj ? "ok" : "WRONG");

  ai[0] = (t_int)&obj; ai[1] = (t_int)&s_hello; ad[0] = 2.5f;
  (*(t_fun2)table[1])(ai[0], ai[1], ad[0], ad[1], ad[2], ad[3], ad[4]);
  return 0;
}

/* Measured (Emscripten 3.1.6, Node 20; see docs/real-c.md):
 *   native (gcc, x86-64):   new: ok / both: x ok, f 2.5, s hello
 *   stock:                  RuntimeError: null function or function signature mismatch
 *   EMULATE:                new: ok / both: x ok, f 2.27571e-42, s WRONG
 *   ours (default):         [fpcast-trampoline] incompatible indirect call ... RuntimeError: unreachable
 *   ours (--incompatible coerce): new: ok / both: x ok, f 1624, s WRONG
 */
