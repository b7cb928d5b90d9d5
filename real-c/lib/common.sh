# Shared helpers for real-c/<lib>/build.sh. Source it; do not run it.
#
# Upstream sources come from Debian's source packages through apt (the
# machine's own apt sources, read as deb-src in a private apt directory, so
# the system's apt configuration is left alone). Only the upstream ("orig")
# tarball is used, checked by SHA-256: the Debian revision may move on, the
# upstream bytes may not.

set -euo pipefail

REALC_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPO_ROOT="$(cd "$REALC_ROOT/.." && pwd)"
REALC_CACHE="${FPCAST_REAL_C_CACHE:-${HOME:-/root}/.cache/fpcast-real-c}"
mkdir -p "$REALC_CACHE"
export NODE_PATH="${NODE_PATH:-/usr/share/nodejs}"   # emcc's JS optimizer needs acorn
export SOURCE_DATE_EPOCH=0

log() { printf '[real-c] %s\n' "$*" >&2; }
die() { printf '[real-c] error: %s\n' "$*" >&2; exit 1; }

# A private apt state whose sources are the system's deb entries read as
# deb-src (both the deb822 .sources files and one-line .list files).
apt_private_opts() {
  local dir="$REALC_CACHE/apt"
  mkdir -p "$dir/etc/sources.list.d" "$dir/lists/partial" "$dir/cache/archives/partial"
  printf '%s\n' \
    "-o" "Dir::Etc::SourceList=$dir/etc/sources.list" \
    "-o" "Dir::Etc::SourceParts=$dir/etc/sources.list.d" \
    "-o" "Dir::State::Lists=$dir/lists" \
    "-o" "Dir::Cache=$dir/cache"
}

apt_private_update() {
  local dir="$REALC_CACHE/apt" f
  local -a opts
  mapfile -t opts < <(apt_private_opts)
  : > "$dir/etc/sources.list"
  rm -f "$dir/etc/sources.list.d/"*
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    sed -E 's/^Types:.*/Types: deb-src/' "$f" > "$dir/etc/sources.list.d/$(basename "$f")"
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    sed -nE 's/^deb[[:space:]]/deb-src /p' "$f" >> "$dir/etc/sources.list"
  done
  log "apt-get update (deb-src, private lists under $dir)"
  apt-get "${opts[@]}" update -qq >/dev/null 2>"$dir/update.log" || { tail -n 5 "$dir/update.log" >&2; die "apt-get update for deb-src failed"; }
  date +%s > "$dir/updated"
}

# fetch_orig <srcpkg> <orig file name> <sha256> [<debian version>...]
# Puts the verified orig tarball at $REALC_CACHE/sources/<orig file name>
# (kept across runs) and prints its path. Tries the newest revision apt knows,
# then each version named (older revisions with the same upstream tarball).
fetch_orig() {
  local pkg="$1" file="$2" sum="$3"; shift 3
  local dest="$REALC_CACHE/sources/$file"
  mkdir -p "$REALC_CACHE/sources"
  if [ -f "$dest" ] && echo "$sum  $dest" | sha256sum -c --status; then echo "$dest"; return; fi
  local -a opts
  mapfile -t opts < <(apt_private_opts)
  local stamp="$REALC_CACHE/apt/updated"
  if [ ! -f "$stamp" ] || [ $(( $(date +%s) - $(cat "$stamp") )) -gt 86400 ]; then apt_private_update; fi
  local tmp; tmp="$(mktemp -d "$REALC_CACHE/sources/.dl.XXXXXX")"
  local spec ok=0
  for spec in "$pkg" "${@/#/$pkg=}"; do
    if (cd "$tmp" && apt-get "${opts[@]}" source --download-only -qq "$spec" >"$tmp/apt.log" 2>&1) && [ -f "$tmp/$file" ]; then ok=1; break; fi
  done
  if [ "$ok" != 1 ]; then tail -n 3 "$tmp/apt.log" >&2; rm -rf "$tmp"; die "could not download $file (source package $pkg)"; fi
  echo "$sum  $tmp/$file" | sha256sum -c --status || { rm -rf "$tmp"; die "$file: SHA-256 differs from the pinned $sum"; }
  mv "$tmp/$file" "$dest"
  rm -rf "$tmp"
  echo "$dest"
}

# unpack <tarball> <dir>: a fresh copy of the upstream tree in <dir>.
unpack() {
  local tarball="$1" dir="$2"
  rm -rf "$dir"; mkdir -p "$dir"
  tar -xf "$tarball" -C "$dir" --strip-components=1
}

# emcc_check: the toolchain this was measured with.
emcc_check() {
  bash "$REPO_ROOT/scripts/ensure-emscripten.sh"
  local v; v="$(emcc --version | sed -n 1p)"
  case "$v" in *" 3.1.6 "*) ;; *) log "warning: measured with Emscripten 3.1.6, this is: $v" ;; esac
}

# transform <glue.js> <outdir> [cli flags...]: our CLI over a stock build.
transform() {
  local glue="$1" out="$2"; shift 2
  [ -f "$REPO_ROOT/dist/cli.js" ] || (cd "$REPO_ROOT" && npm run build --silent)
  local msg
  msg="$(node "$REPO_ROOT/dist/cli.js" "$glue" -o "$out" "$@" 2>&1)" || { printf '%s\n' "$msg" >&2; return 1; }
}

# Stage keys: each build.sh sets W (its cache folder) and BUILD_REV and SHA
# (its tarball's), or defines compile_key itself when its compile depends on
# more (glib). The links depend on the --pre-js too, ours on our dist/ as well.
compile_key() { echo "$BUILD_REV $SHA"; emcc --version | sed -n 1p; }
link_key() { compile_key; cat "$REALC_ROOT/lib/node.pre.js"; }
ours_key() { link_key; cat "$REPO_ROOT"/dist/*.js | sha256sum; }
# The stamp of a key: `digest link_key`.
digest() { "$@" | sha256sum | cut -d' ' -f1; }
# Whether stage $1 was built under key $2.
fresh() { [ -f "$W/$1.stamp" ] && [ "$(cat "$W/$1.stamp")" = "$2" ]; }
# Link flags of a test program run under Node with the host's files.
NODE_LINK=(-O2 -sEXIT_RUNTIME=1 -sNODERAWFS=1 -sALLOW_MEMORY_GROWTH=1 -sENVIRONMENT=node
  --pre-js "$REALC_ROOT/lib/node.pre.js" --emit-symbol-map)
