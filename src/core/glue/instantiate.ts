/**
 * transformGlue: Emscripten glue in, glue that wires up the runtime out.
 *
 * Every Emscripten version instantiates its wasm with one of
 * `WebAssembly.instantiateStreaming(...)`, `WebAssembly.instantiate(...)` or
 * `new WebAssembly.Instance(...)`, minified or not (the global name survives
 * minification). We point those calls at `__fpcast_WebAssembly`, a
 * `WebAssembly` look-alike from the runtime, defined once at the top, on the
 * glue's first line (no line is added: see insertAtTop):
 *
 *   before:  var Module = ...
 *            return WebAssembly.instantiate(binary, info)
 *   after:   var __fpcast_WebAssembly = (function fpcastRuntime(WA) {...})(WebAssembly);var Module = ...
 *            return __fpcast_WebAssembly.instantiate(binary, info)
 *
 * A user's `Module.instantiateWasm` (Pyodide's loader has one) is wrapped
 * where the glue calls it, so it receives our imports too.
 *
 * This covers 3.1.x `asmLibraryArg`, `wasmImports`, `getWasmImports()`,
 * minified import modules, async and `-sWASM_ASYNC_COMPILATION=0` glue, and
 * `Module.instantiateWasm` users who call `WebAssembly` themselves elsewhere
 * are not affected. `__fpcast_WebAssembly` is the only name we add; in a
 * classic (non-module) script it is a global. The calls and reads are found
 * on the syntax (syntax.ts): comments and strings are never rewritten,
 * and writes (`Module.instantiateWasm = f`) are left as they are.
 */
import MagicString, { type SourceMap } from 'magic-string'
import { RUNTIME_SOURCE } from '../../runtime/source.ts'
import { FpcastError } from '../errors.ts'
import { GLUE_BINDING, type GlueSyntax, prologueEnd, readGlueSyntax } from './syntax.ts'

export { GLUE_BINDING }
/** The runtime's declaration, as transformGlue writes it: a glue that has it was transformed already (a mere mention of the name is not enough). */
export const TRANSFORMED_RE = /(?<![\w$.])var __fpcast_WebAssembly\s*=\s*\(function fpcastRuntime\(/

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

/**
 * Points the instantiation calls and `instantiateWasm` reads that `syntax`
 * found at the runtime, and declares the runtime at the top (after `prologue`,
 * code that goes first).
 */
export function hookInstantiation(s: MagicString, code: string, syntax: GlueSyntax, prologue = ''): void {
  for (const r of syntax.hooks) s.overwrite(r.start, r.end, GLUE_BINDING)
  // Module.instantiateWasm(imports, callback): the user instantiates; hook it too
  // (hookInstantiateWasm passes anything but a function through unchanged).
  for (const r of syntax.instantiateWasmReads) {
    s.appendLeft(r.start, `${GLUE_BINDING}.hookInstantiateWasm(`)
    s.appendRight(r.end, ')')
  }
  insertAtTop(s, code, `${prologue}var ${GLUE_BINDING} = (${runtimeSource()})(WebAssembly);`)
}

/**
 * Inserts `statements` at the top of the glue (after prologueEnd) without
 * a line break: the glue's own lines keep their numbers, in a bundler's
 * warnings and in stack traces, as in the stock build. `statements` is one
 * line, each statement ended with `;` (the runtime is embedded on one line).
 */
export function insertAtTop(s: MagicString, code: string, statements: string): void {
  if (/[\n\r\u2028\u2029]/.test(statements)) throw new FpcastError('internal error: code inserted at the top of a glue must be one line')
  const at = prologueEnd(code)
  // After a directive without its `;` or a block comment on the line, a `;` first (the directive stays one).
  s.appendLeft(at, at && code[at - 1] !== '\n' && code[at - 1] !== ';' ? `;${statements}` : statements)
}

export function transformGlue(code: string, options: GlueOptions = {}): GlueResult {
  const fileName = options.fileName ?? '<glue>'
  const s = new MagicString(code)
  if (TRANSFORMED_RE.test(code)) {
    return { code, map: s.generateMap({ hires: 'boundary', source: fileName }), sites: 0, alreadyTransformed: true }
  }
  const syntax = readGlueSyntax(code)
  if (!syntax.instantiations || syntax.declaresWebAssembly) {
    throw new FpcastError(
      `this does not look like Emscripten glue: ${!syntax.parsed ? 'it is not JavaScript the parser reads' : syntax.declaresWebAssembly ? 'it declares its own WebAssembly (a -sWASM=0 build, no wasm)' : 'found no WebAssembly.instantiate(), WebAssembly.instantiateStreaming() or new WebAssembly.Instance() call to hook'}. Pass the JS file emcc wrote next to the .wasm, or use the bare .wasm with the runtime's instantiate()`,
      { file: fileName },
    )
  }
  hookInstantiation(s, code, syntax)
  return {
    code: s.toString(),
    map: s.generateMap({ hires: 'boundary', source: fileName, includeContent: true }),
    sites: syntax.instantiations,
    alreadyTransformed: false,
  }
}
