/**
 * transformGlue: Emscripten glue in, glue that wires up the runtime out.
 *
 * Every Emscripten version instantiates its wasm with one of
 * `WebAssembly.instantiateStreaming(...)`, `WebAssembly.instantiate(...)` or
 * `new WebAssembly.Instance(...)`, minified or not (the global name survives
 * minification). We point those calls at `__fpcast_WebAssembly`, a
 * `WebAssembly` look-alike from the runtime, defined once at the top:
 *
 *   before:  return WebAssembly.instantiate(binary, info)
 *   after:   var __fpcast_WebAssembly = (function fpcastRuntime(WA) {...})(WebAssembly);
 *            ...
 *            return __fpcast_WebAssembly.instantiate(binary, info)
 *
 * A user's `Module.instantiateWasm` (Pyodide's loader has one) is wrapped
 * where the glue calls it, so it receives our imports too.
 *
 * This covers 3.1.x `asmLibraryArg`, `wasmImports`, `getWasmImports()`,
 * minified import modules, async and `-sWASM_ASYNC_COMPILATION=0` glue, and
 * `Module.instantiateWasm` users who call `WebAssembly` themselves elsewhere
 * are not affected. `__fpcast_WebAssembly` is the only name we add; in a
 * classic (non-module) script it is a global.
 */
import MagicString, { type SourceMap } from 'magic-string'
import { RUNTIME_SOURCE } from '../runtime/source.ts'
import { FpcastError } from './errors.ts'

export const GLUE_BINDING = '__fpcast_WebAssembly'
const INSTANTIATE_RE = /(?<![\w$.])WebAssembly(?=\s*\.\s*(?:instantiateStreaming|instantiate|Instance|Module|compile)\s*\()/g
/**
 * Every read of `Module["instantiateWasm"]` / `e.instantiateWasm`, whether
 * called at once or kept in a variable first (sql.js: `d=k.instantiateWasm`);
 * not an assignment to it.
 */
const INSTANTIATE_WASM_RE = /(?<![\w$.])[\w$]+(?:\.[\w$]+)*(?:\[\s*(["'])instantiateWasm\1\s*\]|\.instantiateWasm)(?!\s*=(?!=))/g
/** The runtime's declaration, as transformGlue writes it: a glue that has it was transformed already (a mere mention of the name is not enough). */
export const TRANSFORMED_RE = /(?<![\w$.])var __fpcast_WebAssembly\s*=\s*\(function fpcastRuntime\(/
const PROLOGUE_RE = /^(?:#![^\n]*\n)?(?:\s*(?:\/\/[^\n]*\n|\/\*[\s\S]*?\*\/))*(?:\s*(['"])use strict\1;?)?/

export interface GlueOptions {
  /** File name for errors and the source map. @default '<glue>' */
  fileName?: string
}

export interface GlueResult {
  code: string
  map: SourceMap
  /** Number of instantiation calls redirected (`compile` and `Module` calls are redirected too, not counted). */
  sites: number
  alreadyTransformed: boolean
}

/** The runtime as injectable source text. */
export function runtimeSource(): string {
  return RUNTIME_SOURCE
}

export function transformGlue(code: string, options: GlueOptions = {}): GlueResult {
  const fileName = options.fileName ?? '<glue>'
  const s = new MagicString(code)
  if (TRANSFORMED_RE.test(code)) {
    return { code, map: s.generateMap({ hires: 'boundary', source: fileName }), sites: 0, alreadyTransformed: true }
  }
  let sites = 0
  for (const match of code.matchAll(INSTANTIATE_RE)) {
    s.overwrite(match.index!, match.index! + match[0].length, GLUE_BINDING)
    if (/^\s*\.\s*(instantiate|Instance)/.test(code.slice(match.index! + match[0].length))) sites++
  }
  if (!sites) {
    throw new FpcastError('this does not look like Emscripten glue: found no WebAssembly.instantiate(), WebAssembly.instantiateStreaming() or new WebAssembly.Instance() call to hook. Pass the JS file emcc wrote next to the .wasm, or use the bare .wasm with the runtime\'s instantiate()', { file: fileName })
  }
  // Module.instantiateWasm(imports, callback): the user instantiates; hook it too
  // (hookInstantiateWasm passes anything but a function through unchanged).
  for (const match of code.matchAll(INSTANTIATE_WASM_RE)) {
    if (/["'`]/.test(code[match.index! - 1] ?? '')) continue // inside a message string, not code
    s.appendLeft(match.index!, `${GLUE_BINDING}.hookInstantiateWasm(`)
    s.appendRight(match.index! + match[0].length, ')')
  }
  const prologue = PROLOGUE_RE.exec(code)?.[0].length ?? 0
  s.appendLeft(prologue, `${prologue ? '\n' : ''}var ${GLUE_BINDING} = (${runtimeSource()})(WebAssembly);\n`)
  return { code: s.toString(), map: s.generateMap({ hires: 'boundary', source: fileName, includeContent: true }), sites, alreadyTransformed: false }
}
