#!/usr/bin/env bash
# libHX 4.10 (Debian source package libhx, upstream tarball): the library and
# its own test programs (src/tc-*.c), built natively and with Emscripten.
#   out/native/<t>   gcc, for the reference results
#   out/stock/<t>.js emcc, as upstream builds it
#   out/emulate/<t>.js  the same objects linked with -sEMULATE_FUNCTION_POINTER_CASTS
#   out/ours/<t>.js  out/stock through our CLI
#   out/diag/<t>.js  out/stock through our CLI with --diagnostics
# Outputs live under ${FPCAST_REAL_C_CACHE:-~/.cache/fpcast-real-c}/libhx.
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

NAME=libhx
ORIG=libhx_4.10.orig.tar.xz
SHA=08fa92e849912a8d75db4c225c211551fca8c5fcf440fda7d7ba941bbbeb462b
# The test programs of src/Makefile.am's check_PROGRAMS written in C.
TESTS=(tc-cast tc-compile tc-deque tc-dir tc-format tc-io tc-list tc-list2 tc-map
  tc-memmem tc-misc tc-netio tc-option tc-proc tc-rand tc-realpath tc-shconfig
  tc-socket tc-strchr2 tc-string tc-strquote tc-switchuser tc-time)

W="$REALC_CACHE/$NAME"
mkdir -p "$W"

# Bump when a step below changes what gets built (stamps key on it, not on this file;
# compile_key, link_key and ours_key: common.sh).
BUILD_REV=1

KEY="$(digest compile_key)"
LKEY="$(digest link_key)"
if ! fresh build "$KEY"; then
  emcc_check
  tarball="$(fetch_orig libhx "$ORIG" "$SHA")"
  rm -rf "$W/out/native" "$W/link.stamp" "$W/ours.stamp"
  mkdir -p "$W/out/native"

  log "$NAME: native build (reference)"
  unpack "$tarball" "$W/native"
  (cd "$W/native" && ./configure --disable-shared >"$W/native.log" 2>&1 &&
    make -j2 >>"$W/native.log" 2>&1 && make -C src -j2 check TESTS= >>"$W/native.log" 2>&1) ||
    { tail -n 20 "$W/native.log" >&2; die "$NAME: native build failed"; }
  for t in "${TESTS[@]}"; do cp "$W/native/src/$t" "$W/out/native/$t"; done

  log "$NAME: emcc build"
  unpack "$tarball" "$W/wasm"
  (cd "$W/wasm" && emconfigure ./configure --host=wasm32-unknown-emscripten --disable-shared \
      CFLAGS=-O2 CXXFLAGS=-O2 >"$W/wasm.log" 2>&1 &&
    emmake make -j2 >>"$W/wasm.log" 2>&1 && emmake make -C src -j2 check TESTS= >>"$W/wasm.log" 2>&1) ||
    { tail -n 20 "$W/wasm.log" >&2; die "$NAME: emcc build failed"; }
  echo "$KEY" > "$W/build.stamp"
fi

if ! fresh link "$LKEY"; then
  rm -rf "$W/out/stock" "$W/out/emulate" "$W/ours.stamp"
  mkdir -p "$W/out/stock" "$W/out/emulate"
  # Relink each test program from its objects: once as is, once emulated.
  for t in "${TESTS[@]}"; do
    objs=("$W/wasm/src/${t//-/_}"-*.o)
    [ -f "${objs[0]}" ] || objs=("$W/wasm/src/$t.o")
    emcc "${NODE_LINK[@]}" "${objs[@]}" "$W/wasm/src/.libs/libHX.a" -lm -o "$W/out/stock/$t.js" >>"$W/wasm.log" 2>&1 ||
      { tail -n 20 "$W/wasm.log" >&2; die "$NAME: link $t failed"; }
    emcc "${NODE_LINK[@]}" -sEMULATE_FUNCTION_POINTER_CASTS "${objs[@]}" "$W/wasm/src/.libs/libHX.a" -lm \
      -o "$W/out/emulate/$t.js" >>"$W/wasm.log" 2>&1 || { tail -n 20 "$W/wasm.log" >&2; die "$NAME: link $t (emulate) failed"; }
  done
  echo "$LKEY" > "$W/link.stamp"
fi

OKEY="$(digest ours_key)"
if ! fresh ours "$OKEY"; then
  log "$NAME: our CLI over the stock builds"
  rm -rf "$W/out/ours" "$W/out/diag"
  for t in "${TESTS[@]}"; do
    transform "$W/out/stock/$t.js" "$W/out/ours" || die "$NAME: transform $t failed"
    transform "$W/out/stock/$t.js" "$W/out/diag" --diagnostics --symbol-map "$W/out/stock/$t.js.symbols" ||
      die "$NAME: diagnostics transform $t failed"
  done
  echo "$OKEY" > "$W/ours.stamp"
fi
log "$NAME: built in $W/out"
