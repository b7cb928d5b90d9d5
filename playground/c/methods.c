/* A CPython-style method table (no real Python).
 *
 * Every method is stored as a PyCFunction `PyObject *(*)(PyObject *self,
 * PyObject *args)` whatever it declares, and the dispatcher calls it the way
 * CPython's method objects do:
 *
 *   METH_NOARGS    f(self)              called as f(self, NULL)
 *   METH_O         f(self, arg)         called as f(self, arg)          (matched)
 *   METH_VARARGS   f(self, args)        called as f(self, args)         (matched)
 *   METH_VARARGS|METH_KEYWORDS f(self, args, kwargs)  through PyCFunctionWithKeywords (matched)
 *
 * plus two METH_NOARGS functions that declare less still: `void reset(self)`
 * (its missing result reads as NULL) and `version(void)`.
 */
#include "playground.h"

typedef struct PyObject { int type; int value; } PyObject;
enum { T_NONE, T_INT, T_TUPLE, T_COUNTER };
typedef struct { PyObject ob; int size; PyObject *items[2]; } PyTupleObject;

typedef PyObject *(*PyCFunction)(PyObject *self, PyObject *args);
typedef PyObject *(*PyCFunctionWithKeywords)(PyObject *self, PyObject *args, PyObject *kwargs);

#define METH_VARARGS 0x0001
#define METH_KEYWORDS 0x0002
#define METH_NOARGS 0x0004
#define METH_O 0x0008

typedef struct { const char *ml_name; PyCFunction ml_meth; int ml_flags; } PyMethodDef;

static PyObject ints[8];
static int next_int;
static PyObject *PyLong_FromLong(int v) {
  PyObject *o = &ints[next_int++ % 8];
  o->type = T_INT;
  o->value = v;
  return o;
}

static PyObject counter = {T_COUNTER, 10};

static PyObject *counter_get(PyObject *self) { return PyLong_FromLong(self->value); }
static PyObject *counter_increment(PyObject *self) { return PyLong_FromLong(++self->value); }
static PyObject *counter_add(PyObject *self, PyObject *arg) {
  self->value += arg->value;
  return PyLong_FromLong(self->value);
}
static PyObject *counter_sum(PyObject *self, PyObject *args) {
  PyTupleObject *t = (PyTupleObject *)args;
  int s = self->value;
  for (int i = 0; i < t->size; i++) s += t->items[i]->value;
  return PyLong_FromLong(s);
}
static PyObject *counter_scale(PyObject *self, PyObject *args, PyObject *kwargs) {
  PyTupleObject *t = (PyTupleObject *)args;
  int factor = t->size ? t->items[0]->value : 1;
  return PyLong_FromLong(self->value * factor + (kwargs ? kwargs->value : 0));
}
static void counter_reset(PyObject *self) { self->value = 0; }
static PyObject *module_version(void) { return PyLong_FromLong(314); }

static PyMethodDef counter_methods[] = {
    {"get", (PyCFunction)counter_get, METH_NOARGS},
    {"increment", (PyCFunction)counter_increment, METH_NOARGS},
    {"add", counter_add, METH_O},
    {"sum", counter_sum, METH_VARARGS},
    {"scale", (PyCFunction)counter_scale, METH_VARARGS | METH_KEYWORDS},
    {"reset", (PyCFunction)counter_reset, METH_NOARGS},
    {"version", (PyCFunction)module_version, METH_NOARGS},
};
#define N_METHODS ((int)(sizeof counter_methods / sizeof counter_methods[0]))

/* Like CPython's cfunction_call: one call site per calling convention. */
DISPATCHER PyObject *method_call(const PyMethodDef *def, PyObject *self, PyObject *args, PyObject *kwargs) {
  switch (def->ml_flags) {
  case METH_NOARGS: return OPAQUE(def->ml_meth)(self, NULL);
  case METH_O: return OPAQUE(def->ml_meth)(self, ((PyTupleObject *)args)->items[0]);
  case METH_VARARGS: return OPAQUE(def->ml_meth)(self, args);
  default: return OPAQUE((PyCFunctionWithKeywords)def->ml_meth)(self, args, kwargs);
  }
}

EXPORT int pg_method_count(void) { return N_METHODS; }
EXPORT const char *pg_method_name(int i) { return i >= 0 && i < N_METHODS ? counter_methods[i].ml_name : ""; }
EXPORT int pg_method_flags(int i) { return i >= 0 && i < N_METHODS ? counter_methods[i].ml_flags : 0; }

/* counter.<method i>(arg): logs the call and returns the result's value, or -1 for NULL. */
EXPORT int pg_call_method(int i, int arg) {
  if (i < 0 || i >= N_METHODS) return -1;
  static PyTupleObject args;
  static PyObject kwargs = {T_INT, 0};
  args.ob.type = T_TUPLE;
  args.size = 2;
  args.items[0] = PyLong_FromLong(arg);
  args.items[1] = PyLong_FromLong(1);
  kwargs.value = 100;
  const PyMethodDef *def = &counter_methods[i];
  PyObject *r = method_call(def, &counter, (PyObject *)&args, &kwargs);
  log_str("counter."); log_str(def->ml_name); log_str("(");
  if (def->ml_flags != METH_NOARGS) log_int(arg);
  if (def->ml_flags == METH_VARARGS) log_str(", 1");
  if (def->ml_flags == (METH_VARARGS | METH_KEYWORDS)) log_str(", 1, offset=100");
  log_str(") -> ");
  if (r) log_int(r->value); else log_str("NULL");
  log_end();
  return r ? r->value : -1;
}
