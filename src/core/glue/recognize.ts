/**
 * Is this JS file Emscripten glue, and which wasm does it load? One decision
 * per file, from its syntax (syntax.ts):
 *
 *   - `glue`: rewrite it. Its wasm is embedded (single-file), named (a file
 *     beside it), or not found (`wasm: undefined`: only its instantiation is
 *     hooked, so that a wasm handed to it by other means, `?url`, still
 *     meets the runtime).
 *   - `skip`: leave it as it is. `warn` says whether the user must hear of
 *     it (a wasm that will ship untransformed); a caller for whom the user
 *     named the file turns a skip into an error.
 *
 * `why` and `note` speak the caller's words (`voice`): the plugin's `wasm`
 * option and "shipped as it was", or the CLI's `--wasm`, which ships nothing
 * it cannot rewrite.
 *
 * What Emscripten writes, 3.1.0 to 4.x (src/preamble.js, src/shell.js,
 * src/postamble*.js, tools/link.py), and how each is read here:
 *
 * | form | how it shows | read as |
 * | --- | --- | --- |
 * | default runtime, any -O | `WebAssembly.instantiate[Streaming]`, reads of `Module['instantiateWasm']`, `Module['wasmBinary']`, the string `Aborted(` | glue |
 * | closure-minified, `-sINCOMING_MODULE_JS_API=[]` | no Module reads left; `Aborted(`, `failed to asynchronously prepare wasm` strings stay | glue |
 * | MINIMAL_RUNTIME | `WebAssembly.instantiate(Module['wasm'], imports)`, export names as strings (`__wasm_call_ctors`) | glue |
 * | wasm name, 3.1.x | `wasmBinaryFile = 'x.wasm'` then `locateFile(...)` | the literal, located through `Module.locateFile` |
 * | wasm name, EXPORT_ES6 3.1.x to 4.x | `new URL('x.wasm', import.meta.url)` (4.x: inside `findWasmBinary()`) | the literal, located by `new URL` |
 * | single file, 3.1.x | `"data:application/octet-stream;base64,AGFzbQ..."` | embedded `data-uri` |
 * | single file, 4.0.x | `base64Decode("AGFzbQ...")` | embedded `base64` |
 * | single file, main before 4.0.18 | `binaryDecode("\x01btn...")` (byte + 1) | embedded `binary` |
 * | single file, 4.0.18+ | `binaryDecode("\0asm...")` (raw bytes, `~c>>8&c`) | embedded `raw` |
 * | single file, closure-inlined decoder | `(A=>{...Q=295748...})("AGFzbQ...")`: lengths folded into numbers | embedded `base64`, numbers rewritten |
 * | `-sWASM=0` (wasm2js) | declares its own `var WebAssembly = {...}` | skip: no wasm |
 * | a library's own loader | defines `instantiateWasm: (imports, cb) => ...`, passes `wasmBinary` | skip (drives glue) |
 * | glue inside a library bundle | glue reads and the library's own `instantiateWasm` in one file | glue (the runtime wires an instance once) |
 * | a CDN URL template | `` `https://cdn/${v}/x.wasm` `` | not a name |
| dynamic linking (MAIN_MODULE) | `dynamicLibraries: ["side.wasm"]` beside its own name | the array's names are side modules |
 * | a compressed wasm | a long string that decodes to no wasm, no name | skip, warned |
 */
import { basename } from 'node:path'
import { readGlueSyntax, type GlueSyntax } from './syntax.ts'
import type { EmbeddedWasm } from './single-file.ts'

export type GlueWasm =
  | { kind: 'embedded'; embedded: EmbeddedWasm }
  /** `anyName`: the name came from the user, not the glue; every `.wasm` the glue locates is this one. */
  | { kind: 'external'; name: string; anyName?: boolean }

export type GlueDecision =
  /** `note`: what the user should hear although the glue is rewritten (its wasm could not be named). */
  { kind: 'glue'; syntax: GlueSyntax; wasm?: GlueWasm; note?: string } | { kind: 'skip'; why: string; warn: boolean; syntax?: GlueSyntax }

export interface RecognizeOptions {
  /** The glue's file name (its stem picks among several wasm names). */
  fileName: string
  /** The wasm named by the user (plugin `wasm` option, CLI `--wasm`). */
  wasmName?: string
  /** Whether a wasm name the glue uses resolves to a file (relative to the glue). @default every name exists */
  exists?: (name: string) => boolean
  /** An external wasm must be located by `new URL` or `Module.locateFile` (bundlers: they rewrite that). @default false */
  needLocate?: boolean
  /** Whose words `why` and `note` use. @default PLUGIN_VOICE */
  voice?: Voice
}

/** The words of the messages, so that each user reads of their own tool and its options. */
export interface Voice {
  /** What reads the glue. */
  tool: string
  /** How the user names a glue's wasm. */
  nameWasm: string
  /** A skipped glue ships as it was (the plugin, for a file the user did not name); otherwise the caller refuses it. */
  ships: boolean
}

export const PLUGIN_VOICE: Voice = { tool: 'the plugin', nameWasm: "the 'wasm' option", ships: true }
export const CLI_VOICE: Voice = { tool: 'the CLI', nameWasm: '--wasm', ships: false }

/** Strings only Emscripten's runtime writes, checked on the text of a file that never names WebAssembly. */
const EMSCRIPTEN_WITHOUT_WASM_RE = /Aborted\(|ENVIRONMENT_IS_(?:NODE|WEB)|both async and sync fetching|asmLibraryArg|__wasm_call_ctors|["']use asm["']/

const DRIVER = 'is not Emscripten glue: it only drives an Emscripten module (supplies Module.instantiateWasm), and the glue it loads is handled where it is'

const quiet = (why: string, syntax?: GlueSyntax): GlueDecision => ({ kind: 'skip', why, warn: false, syntax })
const loud = (why: string, syntax?: GlueSyntax): GlueDecision => ({ kind: 'skip', why, warn: true, syntax })

/** True when the syntax shows a file Emscripten wrote (not one that only drives such a file). */
function emscriptenEvidence(s: GlueSyntax): boolean {
  // A loader that supplies Module.instantiateWasm may embed a probe module of its own (Pyodide's pyodide.mjs).
  const strong = s.instantiateWasmReads.length > 0 || s.marks.size > 0 || (s.embedded !== undefined && !s.definesInstantiateWasm)
  return strong || (s.wasmBinaryReads > 0 && !s.definesInstantiateWasm)
}

export function recognizeGlue(code: string, options: RecognizeOptions): GlueDecision {
  const voice = options.voice ?? PLUGIN_VOICE
  /** A warned skip: what is wrong, what it means where the glue ships anyway, what to do. */
  const warned = (what: string, shipped: string, fix: string, syntax: GlueSyntax) => loud(`${what}${voice.ships ? `; shipped ${shipped}` : ''}. ${fix}`, syntax)
  if (!code.includes('WebAssembly')) {
    // Closure-minified wasm2js/asm.js glue need not name WebAssembly at all; Emscripten's strings stay.
    return quiet(
      EMSCRIPTEN_WITHOUT_WASM_RE.test(code)
        ? 'is an Emscripten build without wasm (-sWASM=0, asm.js): it carries no wasm to rewrite'
        : 'is not Emscripten glue (it does not use WebAssembly)',
    )
  }
  const syntax = readGlueSyntax(code)
  if (!syntax.parsed) return quiet('is not JavaScript the parser reads')
  if (!syntax.instantiations) {
    return quiet(syntax.definesInstantiateWasm ? DRIVER : 'is not Emscripten glue (it instantiates no WebAssembly module)', syntax)
  }
  if (!emscriptenEvidence(syntax)) {
    return quiet(syntax.definesInstantiateWasm ? DRIVER : 'instantiates wasm but is not Emscripten glue', syntax)
  }
  if (syntax.declaresWebAssembly) return quiet('is an Emscripten build without wasm (-sWASM=0, wasm2js): it carries no wasm to rewrite', syntax)
  if (options.wasmName) return { kind: 'glue', syntax, wasm: { kind: 'external', name: options.wasmName, anyName: true } }
  if (syntax.embedded) return { kind: 'glue', syntax, wasm: { kind: 'embedded', embedded: syntax.embedded } }

  const names = [...new Set(syntax.wasmLiterals.map(l => l.value))]
  const stem = basename(options.fileName).replace(/\.[cm]?js$/, '')
  // Named like the glue; else the only one; else the only one located by new URL, or the only one
  // outside an array literal (wasm-vips: `dynamicLibraries: ["vips-jxl.wasm", ...]` beside "vips.wasm").
  const only = (list: string[]) => (list.length === 1 ? list[0] : undefined)
  const name =
    names.find(n => basename(n) === `${stem}.wasm`) ??
    only(names) ??
    only([...new Set(syntax.wasmLiterals.filter(l => l.newUrl).map(l => l.value))]) ??
    only([...new Set(syntax.wasmLiterals.filter(l => !l.inArray).map(l => l.value))])
  if (!name) {
    if (names.length > 1)
      return warned(
        `names several .wasm files (${names.join(', ')}) and none is named like it`,
        'as it was',
        `Say which one it loads with ${voice.nameWasm}`,
        syntax,
      )
    if (syntax.opaque)
      return warned(
        `its wasm is neither named nor embedded in a form ${voice.tool} reads (a ${(syntax.opaque.length / 1024).toFixed(0)} KiB string that is no wasm: compressed?)`,
        'untransformed',
        'Build it with -sSINGLE_FILE or ship the .wasm beside it to have it rewritten',
        syntax,
      )
    // The name is built at run time, or the wasm comes from elsewhere (`?url`): hook the instantiation only.
    return {
      kind: 'glue',
      syntax,
      note: `names no .wasm file ${voice.tool} can resolve (it builds the name at run time, or is handed the wasm): only its instantiation is hooked, so a wasm imported with ?url runs with the runtime. Name its wasm with ${voice.nameWasm} to have that file rewritten`,
    }
  }
  if (options.exists && !options.exists(name))
    return warned(`loads '${name}', which is not beside it`, 'as it was', `Put the .wasm emcc wrote beside its glue, or name it with ${voice.nameWasm}`, syntax)
  if (options.needLocate && !syntax.locateFileReads.length && !syntax.wasmLiterals.some(l => l.newUrl && l.value === name)) {
    return warned(
      `cannot tell how it locates '${name}' (no new URL('${name}', import.meta.url), no Module.locateFile read)`,
      'as it was',
      `Import the wasm yourself ('${name}?url') and hand its URL to the glue`,
      syntax,
    )
  }
  return { kind: 'glue', syntax, wasm: { kind: 'external', name } }
}

/** True for code that is Emscripten glue by recognizeGlue's rules (whatever its wasm). */
export function looksLikeGlue(code: string, fileName = '<glue>'): boolean {
  return recognizeGlue(code, { fileName }).kind === 'glue'
}
