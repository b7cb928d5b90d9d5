/**
 * Minimal reproductions cut down from what real packages ship: a small
 * module that calls `$inc (i32) -> i32` through an `(i32, i32) -> i32`
 * pointer (`call2(0, 41, 99)`: 42 when adapted, a trap stock), and
 * Emscripten-shaped glue around it (src/preamble.js, src/shell.js).
 */
import binaryen from 'binaryen'

/** The module: slot 0 holds $inc (one parameter), slots 1 and 2 hold $add; the table is exported. */
export function castWasm(): Uint8Array {
  const m = binaryen.parseText(`(module
  (type $one (func (param i32) (result i32)))
  (type $two (func (param i32 i32) (result i32)))
  (import "env" "log" (func $log (param i32)))
  (table $t 3 funcref)
  (export "table" (table $t))
  (elem (i32.const 0) $inc $add $add)
  (func $inc (type $one) (i32.add (local.get 0) (i32.const 1)))
  (func $add (type $two) (i32.add (local.get 0) (local.get 1)))
  (func (export "call2") (param $slot i32) (param $a i32) (param $b i32) (result i32)
    (call_indirect (type $two) (local.get $a) (local.get $b) (local.get $slot))))`)
  const bytes = m.emitBinary()
  m.dispose()
  return bytes
}
export const CAST = castWasm()

/** How a glue gets its bytes: a named file located by new URL or locateFile, or embedded. */
export type Source = { kind: 'newUrl' } | { kind: 'locateFile' } | { kind: 'embedded'; literal: string; decoder: string } | { kind: 'given' }

/**
 * An Emscripten-shaped EXPORT_ES6 glue (cut down from 3.1.x/4.x output): reads
 * Module.instantiateWasm and Module.wasmBinary, aborts with "Aborted(", and
 * finds its wasm as `source` says.
 */
export function glue(source: Source, extra = '', name = 'cast.wasm'): string {
  const bytes = {
    newUrl: `var wasmBinaryFile = new URL("${name}", import.meta.url);
  var binary = Module["wasmBinary"] || readBinary(wasmBinaryFile);`,
    locateFile: `var scriptDirectory = new URL(".", import.meta.url).href;
  function locateFile(path) { if (Module["locateFile"]) return Module["locateFile"](path, scriptDirectory); return scriptDirectory + path; }
  var binary = Module["wasmBinary"] || readBinary(locateFile("${name}"));`,
    embedded:
      source.kind === 'embedded'
        ? `${source.decoder}
  var binary = Module["wasmBinary"] || binaryDecode(${source.literal});`
        : '',
    given: `var binary = Module["wasmBinary"];`,
  }[source.kind]
  return `// Emscripten-shaped glue (a cut-down reproduction)
export default async function createModule(moduleArg = {}) {
  var Module = moduleArg;
  ${extra}
  function abort(what) { throw new WebAssembly.RuntimeError("Aborted(" + what + ")"); }
  function readBinary(url) {
    url = String(url);
    if (typeof process == "object" && process.versions && process.versions.node) return process.getBuiltinModule("fs").readFileSync(url.startsWith("file:") ? new URL(url) : url);
    abort("this reproduction runs under Node");
  }
  var info = { env: { log: function () {} } };
  if (Module["instantiateWasm"]) return new Promise(function (resolve) { Module["instantiateWasm"](info, function (instance) { resolve(instance); }); });
  ${bytes}
  var result = await WebAssembly.instantiate(binary, info);
  return result.instance;
}
`
}
