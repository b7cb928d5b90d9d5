#!/usr/bin/env bash
# Emscripten (Debian's 3.1.6, with node-acorn for its JS optimizer) and wabt, for
# the scripts that rebuild the C fixtures and the playground. Installed with apt
# when missing and run as root (as CI is); otherwise one line with the command.
set -euo pipefail
if command -v emcc >/dev/null && command -v wasm2wat >/dev/null && [ -d /usr/share/nodejs/acorn ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing Debian packages: emscripten node-acorn wabt" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq emscripten node-acorn wabt >/dev/null
  exit 0
fi
echo "rebuilding the C fixtures needs Emscripten and wabt: sudo apt-get install -y emscripten node-acorn wabt" >&2
exit 1
