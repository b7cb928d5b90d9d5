#!/usr/bin/env bash
# Pure Data 0.53.1 (Debian source package puredata, upstream tarball): libpd
# built from Pd's own libpd/Makefile and its shipped test program
# libpd/test_libpd/test_libpd.c, natively and with Emscripten.
#   out/native/test_libpd     cc, for the reference outputs
#   out/stock/test_libpd.js   emcc, as upstream builds it
#   out/emulate/test_libpd.js the same objects linked with -sEMULATE_FUNCTION_POINTER_CASTS
#   out/ours/test_libpd.js    out/stock through our CLI with --incompatible coerce (see docs/real-c.md)
#   out/diag/test_libpd.js    the same with --diagnostics
# Both builds drop upstream's -ffast-math (and -fPIC): outputs are compared digit for digit.
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

NAME=pd
ORIG=puredata_0.53.1+ds.orig.tar.xz
SHA=18abe6db2bfe783458aee2c062ee1ce01abb41fd0c790dced97a2f5846460d78
W="$REALC_CACHE/$NAME"
mkdir -p "$W"
MAKEVARS=(CODECFLAGS=-O2 MORECFLAGS=-DHAVE_ALLOCA_H "PLATFORM_CFLAGS=-Wno-int-to-pointer-cast -Wno-pointer-to-int-cast")

# Bump when a step below changes what gets built (stamps key on it, not on this file;
# compile_key, link_key and ours_key: common.sh).
BUILD_REV=1

KEY="$(digest compile_key)"
LKEY="$(digest link_key)"
if ! fresh build "$KEY"; then
  emcc_check
  tarball="$(fetch_orig puredata "$ORIG" "$SHA")"
  rm -rf "$W/out/native" "$W/link.stamp" "$W/ours.stamp"
  mkdir -p "$W/out/native"

  log "$NAME: native build (reference)"
  unpack "$tarball" "$W/native"
  (cd "$W/native/libpd" && make -j2 libpd.a "${MAKEVARS[@]}" >"$W/native.log" 2>&1 &&
    cc -O2 -I../src test_libpd/test_libpd.c libpd.a -lm -ldl -lpthread -o "$W/out/native/test_libpd" >>"$W/native.log" 2>&1) ||
    { tail -n 20 "$W/native.log" >&2; die "$NAME: native build failed"; }

  log "$NAME: emcc build"
  unpack "$tarball" "$W/src"
  (cd "$W/src/libpd" && emmake make -j2 libpd.a CC=emcc "${MAKEVARS[@]}" >"$W/wasm.log" 2>&1 && emranlib libpd.a) ||
    { tail -n 20 "$W/wasm.log" >&2; die "$NAME: emcc build failed"; }
  echo "$KEY" > "$W/build.stamp"
fi

if ! fresh link "$LKEY"; then
  rm -rf "$W/out/stock" "$W/out/emulate" "$W/ours.stamp"
  mkdir -p "$W/out/stock" "$W/out/emulate"
  (cd "$W/src/libpd" &&
    emcc "${NODE_LINK[@]}" -I../src test_libpd/test_libpd.c libpd.a -o "$W/out/stock/test_libpd.js" >>"$W/wasm.log" 2>&1 &&
    emcc "${NODE_LINK[@]}" -sEMULATE_FUNCTION_POINTER_CASTS -I../src test_libpd/test_libpd.c libpd.a \
      -o "$W/out/emulate/test_libpd.js" >>"$W/wasm.log" 2>&1) || { tail -n 20 "$W/wasm.log" >&2; die "$NAME: link failed"; }
  echo "$LKEY" > "$W/link.stamp"
fi

OKEY="$(digest ours_key)"
if ! fresh ours "$OKEY"; then
  log "$NAME: our CLI over the stock build"
  rm -rf "$W/out/ours" "$W/out/diag"
  transform "$W/out/stock/test_libpd.js" "$W/out/ours" --incompatible coerce || die "$NAME: transform failed"
  transform "$W/out/stock/test_libpd.js" "$W/out/diag" --incompatible coerce --diagnostics \
    --symbol-map "$W/out/stock/test_libpd.js.symbols" || die "$NAME: diagnostics transform failed"
  echo "$OKEY" > "$W/ours.stamp"
fi
log "$NAME: built in $W/out"
