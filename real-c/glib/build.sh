#!/usr/bin/env bash
# GLib 2.74.6 (Debian source package glib2.0, upstream tarball): libglib and
# its own test programs (glib/tests), with zlib 1.2.13 and PCRE2 10.42 (Debian
# upstream tarballs too) built for Emscripten first. gobject/gio/gmodule are
# configured (meson cannot be told to skip them) but never built or run:
# a placeholder libffi.pc and stub-resolv.c only let the configuration pass.
#   out/stock/<t>.js    emcc, as meson builds it
#   out/emulate/<t>.js  the same objects relinked with -sEMULATE_FUNCTION_POINTER_CASTS
#   out/ours/<t>.js     out/stock through our CLI;  out/diag: with --diagnostics
# Outputs live under ${FPCAST_REAL_C_CACHE:-~/.cache/fpcast-real-c}/glib.
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

NAME=glib
GLIB_TESTS=(list slist queue sequence array-test hash tree node sort hook dataset cache relation
  completion option-context mainloop timeout string strfuncs keyfile gvariant markup-parse utils thread)
W="$REALC_CACHE/$NAME"
P="$W/prefix"
mkdir -p "$W"

# Bump when a step below changes what gets built (stamps key on it, not on this file).
BUILD_REV=1
# Deps and meson setup key on the toolchain (link_key, ours_key: common.sh).
compile_key() { echo "$BUILD_REV"; cat "$REALC_ROOT/glib/stub-resolv.c"; emcc --version | sed -n 1p; meson --version; }
KEY="$(digest compile_key)"
LKEY="$(digest link_key)"

if ! fresh deps "$KEY"; then
  emcc_check
  command -v meson >/dev/null || {
    [ "$(id -u)" = 0 ] || die "needs meson: apt-get install -y meson"
    log "installing meson (Debian)"; apt-get install -y -qq meson >/dev/null
  }
  zlib="$(fetch_orig zlib zlib_1.2.13.dfsg.orig.tar.bz2 71feb7947e3c00ef125f83b79a4e529bde31171e5babe48b391f06758d1ab0a1)"
  pcre="$(fetch_orig pcre2 pcre2_10.42.orig.tar.gz c33b418e3b936ee3153de2c61cc638e7e4fe3156022a5c77d0711bcbb9d64f1f 10.42-1)"
  rm -rf "$P"; mkdir -p "$P/lib/pkgconfig"
  log "$NAME: zlib and pcre2 for Emscripten"
  unpack "$zlib" "$W/zlib"
  (cd "$W/zlib" && emconfigure ./configure --static --prefix="$P" >"$W/deps.log" 2>&1 &&
    emmake make -j2 libz.a >>"$W/deps.log" 2>&1 && emmake make install >>"$W/deps.log" 2>&1) ||
    { tail -n 20 "$W/deps.log" >&2; die "zlib build failed"; }
  unpack "$pcre" "$W/pcre2"
  (cd "$W/pcre2" && emconfigure ./configure --host=wasm32-unknown-emscripten --prefix="$P" \
      --disable-shared --enable-static --disable-jit CFLAGS=-O2 >>"$W/deps.log" 2>&1 &&
    emmake make -j2 libpcre2-8.la >>"$W/deps.log" 2>&1 &&
    emmake make install-libLTLIBRARIES install-includeHEADERS install-nodist_includeHEADERS \
      install-pkgconfigDATA >>"$W/deps.log" 2>&1) || { tail -n 20 "$W/deps.log" >&2; die "pcre2 build failed"; }
  emcc -O2 -c "$REALC_ROOT/glib/stub-resolv.c" -o "$W/stub-resolv.o" && emar rcs "$P/lib/libresolv.a" "$W/stub-resolv.o"
  printf 'Name: libffi\nDescription: placeholder, gobject is not built here\nVersion: 3.4.4\nLibs:\nCflags:\n' \
    > "$P/lib/pkgconfig/libffi.pc"
  echo "$KEY" > "$W/deps.stamp"; rm -f "$W/setup.stamp"
fi

if ! fresh setup "$KEY"; then
  glib="$(fetch_orig glib2.0 glib2.0_2.74.6.orig.tar.xz 069cf7e51cd261eb163aaf06c8d1754c6835f31252180aff5814e5afc7757fbc)"
  unpack "$glib" "$W/src"
  cat > "$W/cross.ini" <<INI
[binaries]
c = 'emcc'
cpp = 'em++'
ar = 'emar'
ranlib = 'emranlib'
pkgconfig = 'pkg-config'

[built-in options]
c_args = ['-O2']
c_link_args = ['-O2', '-L$P/lib', '-sEXIT_RUNTIME=1', '-sNODERAWFS=1', '-sALLOW_MEMORY_GROWTH=1', '-sENVIRONMENT=node', '--pre-js', '$REALC_ROOT/lib/node.pre.js', '--emit-symbol-map']

[properties]
needs_exe_wrapper = true
pkg_config_libdir = '$P/lib/pkgconfig'
growing_stack = false
have_c99_vsnprintf = true
have_c99_snprintf = true
have_unix98_printf = true
va_val_copy = true
have_strlcpy = false
have_proc_self_cmdline = false

[host_machine]
system = 'emscripten'
cpu_family = 'wasm32'
cpu = 'wasm32'
endian = 'little'
INI
  # installed_tests=true only so that glib/meson.build builds the tests at all
  # when cross-compiling without an exe wrapper (nothing is installed).
  log "$NAME: meson setup (slow: every configure check is an emcc link)"
  rm -rf "$W/build"
  meson setup "$W/build" "$W/src" --cross-file "$W/cross.ini" --default-library=static \
    -Doptimization=2 -Ddebug=false -Dxattr=false -Dlibmount=disabled -Dselinux=disabled -Dnls=disabled \
    -Dman=false -Dgtk_doc=false -Dinstalled_tests=true -Ddtrace=false -Dsystemtap=false \
    -Dsysprof=disabled -Dlibelf=disabled -Dtests=true >"$W/setup.log" 2>&1 ||
    { tail -n 20 "$W/setup.log" >&2; die "$NAME: meson setup failed"; }
  echo "$KEY" > "$W/setup.stamp"; rm -f "$W/build.stamp"
fi

if ! fresh build "$LKEY"; then
  log "$NAME: building glib/tests"
  # Relink every test (the --pre-js is no ninja dependency).
  rm -f "$W"/build/glib/tests/*.js "$W"/build/glib/tests/*.wasm
  # A subset of glib/tests (each test is a separate program, and every link is
  # a slow emcc + wasm-opt run on 2 shared cores): the containers and callback
  # users first, then a spread of the rest; thread shows what Emscripten lacks.
  targets=()
  for t in "${GLIB_TESTS[@]}"; do targets+=("glib/tests/$t.js"); done
  # Build each test alone: one that Emscripten cannot compile or link is left out (listed).
  : > "$W/unbuilt.txt"
  # __GCC_HAVE_SYNC_COMPARE_AND_SWAP_4: emcc without -pthread implements the
  # __sync/__atomic builtins (there are no other threads) but does not define
  # it, and glib/gatomic.c refuses to build without it. Given through emcc's
  # EMCC_CFLAGS, not meson's c_args, so that the configure checks stay as they were.
  # Likewise -sERROR_ON_UNDEFINED_SYMBOLS=0: every test links all of libglib,
  # whose gspawn.c calls posix_spawnp, which Emscripten 3.1.6 lacks (a call
  # aborts at run time; only the spawn tests would make one).
  export EMCC_CFLAGS="-D__GCC_HAVE_SYNC_COMPARE_AND_SWAP_4=1 -sERROR_ON_UNDEFINED_SYMBOLS=0"
  ninja -C "$W/build" -k 0 "${targets[@]}" >"$W/build.log" 2>&1 || true
  rm -rf "$W/out/stock" "$W/out/emulate"; mkdir -p "$W/out/stock" "$W/out/emulate"
  for tgt in "${targets[@]}"; do
    t="$(basename "$tgt" .js)"
    if [ ! -f "$W/build/$tgt" ]; then echo "$t" >> "$W/unbuilt.txt"; continue; fi
    cp "$W/build/$tgt" "$W/build/${tgt%.js}.wasm" "$W/out/stock/"
    cp "$W/build/$tgt.symbols" "$W/out/stock/" 2>/dev/null || true
    # Meson links the tests with -pthread (dependency('threads')): the worker script goes beside the glue.
    cp "$W/build/${tgt%.js}.worker.js" "$W/out/stock/" 2>/dev/null || true
    # The same link command, with the emulation and another output.
    cmd="$(ninja -C "$W/build" -t commands "$tgt" | tail -n 1)"
    (cd "$W/build" && eval "$cmd -sEMULATE_FUNCTION_POINTER_CASTS -o '$W/out/emulate/$t.js'") >>"$W/build.log" 2>&1 ||
      die "$NAME: emulate link of $t failed"
  done
  compgen -G "$W/out/stock/*.js" >/dev/null || { tail -n 20 "$W/build.log" >&2; die "$NAME: no test program built"; }
  echo "$LKEY" > "$W/build.stamp"; rm -f "$W/ours.stamp"
fi

OKEY="$(digest ours_key)"
if ! fresh ours "$OKEY"; then
  log "$NAME: our CLI over the stock builds"
  rm -rf "$W/out/ours" "$W/out/diag"
  for f in "$W"/out/stock/*.js; do
    case "$f" in *.worker.js) continue ;; esac # a companion: the CLI carries it with its glue
    transform "$f" "$W/out/ours" || die "$NAME: transform $(basename "$f") failed"
    transform "$f" "$W/out/diag" --diagnostics --symbol-map "$f.symbols" || die "$NAME: diagnostics transform $(basename "$f") failed"
  done
  echo "$OKEY" > "$W/ours.stamp"
fi
log "$NAME: built in $W/out"
