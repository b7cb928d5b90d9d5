#!/usr/bin/env bash
# Rebuild the playground's C library into playground/wasm/<variant>/.
#
#   bash playground/build.sh           into playground/wasm/
#   bash playground/build.sh --check   into a scratch directory; fails unless
#                                      it equals the committed playground/wasm/
#
# Needs Emscripten 3.1.6 (Debian: apt-get install emscripten node-acorn).
# The outputs are committed, so the playground, its test and `npm test` need
# no emcc. With the same toolchain they are byte-for-byte identical.
#
# One build, four directories, so that playground/vite.config.ts can hand each
# copy to a different plugin instance (or to none) by path:
#   stock/    left alone by the plugin: the calls trap
#   fixed/    the plugin, strategy 'shadow' with diagnostics (the live table)
#   shadow/   the plugin, strategy 'shadow' (benchmark)
#   js/       the plugin, strategy 'js' (benchmark)
# and a fifth from the same C with -sEMULATE_FUNCTION_POINTER_CASTS:
#   emulate/  left alone by the plugin (benchmark)
# Identical files are stored once by git.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bash "$HERE/../scripts/ensure-emscripten.sh"
OUT="$HERE/wasm"
if [ "${1:-}" = "--check" ]; then
  SCRATCH="$(mktemp -d)"
  trap 'rm -rf "$SCRATCH"' EXIT
  OUT="$SCRATCH/wasm"
fi

export NODE_PATH="${NODE_PATH:-/usr/share/nodejs}"   # emcc's JS optimizer needs acorn
export SOURCE_DATE_EPOCH=0

EMCC_VERSION="$(emcc --version | head -n 1)"
case "$EMCC_VERSION" in
  *" 3.1.6 "*) ;;
  *) echo "warning: the playground was built with Emscripten 3.1.6, this is: $EMCC_VERSION" >&2 ;;
esac

EXPORTS=_pg_emit_clicked,_pg_emit_toggled,_pg_method_count,_pg_method_name,_pg_method_flags,_pg_call_method,_pg_bench,_pg_log_take
FLAGS=(
  -O2
  --profiling-funcs                  # keep function names: the adapted-calls table shows them
  --no-entry
  -sEXPORT_ES6 -sMODULARIZE -sEXPORT_NAME=createPlayground -sENVIRONMENT=web
  -sFILESYSTEM=0 -sMALLOC=none
  -sINITIAL_MEMORY=1MB -sTOTAL_STACK=64KB
  -sEXPORTED_FUNCTIONS="$EXPORTS"
  -sEXPORTED_RUNTIME_METHODS=UTF8ToString
)
SOURCES=(signals.c methods.c bench.c log.c)

rm -rf -- "$OUT"
mkdir -p "$OUT/stock" "$OUT/emulate"

# Relative paths only, so that no absolute path of this machine ends up in an output.
cd "$HERE/c"
echo "== stock"
emcc "${FLAGS[@]}" "${SOURCES[@]}" -o "$OUT/stock/playground.mjs"
for v in fixed shadow js; do
  mkdir -p "$OUT/$v"
  cp "$OUT/stock/playground.mjs" "$OUT/stock/playground.wasm" "$OUT/$v/"
done
echo "== emulate"
emcc "${FLAGS[@]}" -sEMULATE_FUNCTION_POINTER_CASTS "${SOURCES[@]}" -o "$OUT/emulate/playground.mjs"

{
  echo "$EMCC_VERSION"
  echo "built by playground/build.sh; sources in playground/c"
} > "$OUT/TOOLCHAIN.txt"

if command -v wasm2wat > /dev/null; then
  for v in stock emulate; do
    printf 'call_indirect sites in %s: %s\n' "$v" "$(wasm2wat --enable-all "$OUT/$v/playground.wasm" | grep -c call_indirect || true)"
  done
fi

if [ -n "${SCRATCH:-}" ]; then
  if diff -r "$HERE/wasm" "$OUT"; then
    echo "playground reproducible: $(find "$OUT" -type f | wc -l) files identical"
  else
    echo "playground/wasm differs from a fresh build: run bash playground/build.sh and commit" >&2
    exit 1
  fi
fi
