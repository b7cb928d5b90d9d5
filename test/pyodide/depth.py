# Recursion through a C builtin: every level is Python -> map() (C) -> Python,
# i.e. one PyCFunction call through CPython's trampoline per level. Each level
# prints its depth first, so the last "DEPTH:" line is how deep it got even
# when the process dies.
#
# Measured (deterministic): stock Pyodide 314 on Node 20 dies at level 267
# with a fatal "RangeError: Maximum call stack size exceeded" (V8's native
# stack runs out before CPython's recursion check); on Node 24 it reaches
# RecursionError at 997. The untrampolined + transformed build gives the same
# numbers, so the limit is the engine's stack, not the trampoline's JS frames.
def via_builtin(n):
    print(f"DEPTH: via-map {n}")
    return list(map(via_builtin, [n + 1]))


try:
    via_builtin(1)
except RecursionError:
    print("depth: RecursionError")
