#!/usr/bin/env bash
# Builds the C benchmark workloads (bench/c/workloads.c) into bench/build/:
#
#   stock.wasm     emcc -O2
#   emulate.wasm   emcc -O2 -sEMULATE_FUNCTION_POINTER_CASTS
#
# The outputs are committed so that `npm run bench` needs no emcc. The
# transformed variants (our strategies, the JS trampolines) are made at bench
# time from stock.wasm with the real transformWasm, so they always reflect the
# current code.
#
# Needs Emscripten 3.1.6 (Debian: apt-get install emscripten node-acorn wabt).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="$HERE/build"
export NODE_PATH="${NODE_PATH:-/usr/share/nodejs}"   # emcc's JS optimizer needs acorn
export SOURCE_DATE_EPOCH=0

mkdir -p "$OUT"
cd "$HERE/c"

EXPORTS=_w1_run,_w2_run,_w1h_run,_w2h_run,_w3_qsort_run,_w3_dispatch_run
# A bare wasm (no glue): standalone, no entry point, the workloads exported.
# -fwrapv: the checksums rely on wrapping int arithmetic.
FLAGS=(-O2 -fwrapv --no-entry -sEXPORTED_FUNCTIONS="$EXPORTS" -sINITIAL_MEMORY=16MB)

emcc "${FLAGS[@]}" workloads.c -o "$OUT/stock.wasm"
emcc "${FLAGS[@]}" -sEMULATE_FUNCTION_POINTER_CASTS workloads.c -o "$OUT/emulate.wasm"

{
  emcc --version | head -n 1
  echo "built by bench/build.sh from bench/c/workloads.c"
  echo "flags: ${FLAGS[*]}"
} > "$OUT/TOOLCHAIN.txt"

# Every hot loop must really call_indirect (not devirtualised by clang or
# binaryen): count the call_indirect in each workload's code, callees included.
if command -v wasm2wat > /dev/null; then
  for f in stock emulate; do
    printf '%-8s call_indirect sites in the module: %s\n' "$f" \
      "$(wasm2wat --enable-all "$OUT/$f.wasm" | grep -c call_indirect || true)"
  done
  node "$HERE/harness/check-sites.mjs" "$OUT/stock.wasm"
fi
