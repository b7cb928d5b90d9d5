/**
 * Which wasm an Emscripten glue loads, and rewriting the glue so that it loads
 * a transformed one. Pure string work; the bundler plugins decide where the
 * transformed bytes go.
 *
 * A glue either embeds its wasm (single-file builds, see single-file.ts) or
 * names it (`"app.wasm"`) and locates it at run time, in one of two ways that
 * cover Emscripten 3.1.x to 4.x:
 *
 *   new URL("app.wasm", import.meta.url)            (EXPORT_ES6, when no Module.locateFile)
 *   Module.locateFile("app.wasm", scriptDirectory)  (everything else; default: scriptDirectory + name)
 *
 * `rewriteGlueWasm` points both at a URL the bundler supplies in the binding
 * `__fpcast_wasm_url` (an absolute URL string, defined by `prologue`):
 *
 *   before:  if(Module["locateFile"]){f=locateFile("app.wasm")}else{f=new URL("app.wasm",import.meta.url).href}
 *   after:   if(__fpcast_locateFile(Module)){f=locateFile("app.wasm")}else{f=new URL(__fpcast_wasm_url,import.meta.url).href}
 *
 * `__fpcast_locateFile(Module)` is a locate function that answers our URL for
 * the glue's wasm (a file path under Node) and defers to the user's
 * `Module.locateFile` (or the default) for every other file (`.data`
 * packages, workers). The bundled URL wins over a user's `locateFile` for the
 * glue's own wasm: a user who points `locateFile` at the untransformed file
 * would otherwise get the trap back. Then `transformGlue` hooks the
 * instantiation as usual; source maps of both steps are composed.
 */
import remapping from '@jridgewell/remapping'
import MagicString from 'magic-string'
import { FpcastError } from './errors.ts'
import { findGlueWasm } from './files.ts'
import { TRANSFORMED_RE, transformGlue } from './glue.ts'
import { encodeEmbeddedWasm, findEmbeddedWasm, type EmbeddedWasm } from './single-file.ts'

export const URL_BINDING = '__fpcast_wasm_url'
export const LOCATE_BINDING = '__fpcast_locateFile'

/**
 * Every Emscripten glue (3.1.x to 4.x, minified or not) instantiates wasm and
 * reads the Module API properties `instantiateWasm` and `wasmBinary`, whose
 * names minifiers keep. Loaders that only drive a glue (Pyodide's
 * `pyodide.mjs`, which also embeds a tiny probe module) lack `wasmBinary`.
 */
const GLUE_MARKERS_RE = [/\binstantiateWasm\b/, /\bwasmBinary\b/, /\bWebAssembly\s*\.\s*(?:instantiate|instantiateStreaming|Instance)\b/]
/** Reads (not writes) of `<obj>.locateFile` / `<obj>["locateFile"]`. */
const LOCATE_READ_RE = /(?<![\w$.])((?:[\w$]+)(?:\.[\w$]+)*)(?:\.locateFile\b|\[\s*(["'])locateFile\2\s*\])(?!\s*(?:=(?![=>])|\+\+|--))/g
const PROLOGUE_RE = /^(?:#![^\n]*\n)?(?:\s*(?:\/\/[^\n]*\n|\/\*[\s\S]*?\*\/))*(?:\s*(['"])use strict\1;?)?/
const ESM_RE = /\bimport\.meta\b|(?:^|[;}\n])\s*export\s+(?:default\b|\{|const\b|var\b|let\b|function\b|async\b|class\b)|(?:^|[;\n])\s*import\s*(?:[\w$*{]|["'])/

/** A version 3 source map, as bundlers take it. */
export interface EncodedSourceMap {
  version: 3
  file?: string | null
  sources: (string | null)[]
  sourcesContent?: (string | null)[]
  names: string[]
  mappings: string
}

export type GlueWasm =
  | { kind: 'embedded'; embedded: EmbeddedWasm }
  /** `anyName`: the name came from the user, not the glue; every `.wasm` the glue locates is this one. */
  | { kind: 'external'; name: string; anyName?: boolean }

/** True for code that looks like Emscripten glue (instantiates wasm; knows `Module.instantiateWasm` and `Module.wasmBinary`). */
export function looksLikeGlue(code: string): boolean {
  return GLUE_MARKERS_RE.every(re => re.test(code))
}

/** True when the glue is an ES module (it must then import, not require). */
export function isEsm(code: string): boolean {
  return ESM_RE.test(code)
}

/**
 * Which wasm the glue loads. `wasmName` overrides the search (the plugin's
 * `wasm` option) for glue that names several files or builds the name at run time.
 */
export function findWasmOfGlue(code: string, fileName: string, wasmName?: string): GlueWasm {
  if (wasmName) return { kind: 'external', name: wasmName, anyName: true }
  const embedded = findEmbeddedWasm(code)
  if (embedded) return { kind: 'embedded', embedded }
  try {
    return { kind: 'external', name: findGlueWasm(code, fileName) }
  } catch (e) {
    throw new FpcastError(`${(e as Error).message.replace(/^\[fpcast-trampoline\] [^:]*: /, '')}. Expected a "<name>.wasm" string literal or a single-file build (a data: URI, base64Decode("AGFzbQ...") or binaryDecode("\\x01btn...")); name the wasm with the plugin's 'wasm' option ({ wasm: { '<glue file pattern>': '<path to .wasm>' } })`, { file: fileName, cause: e })
  }
}

export interface RewriteGlueOptions {
  fileName: string
  wasm: GlueWasm
  /** For an embedded wasm: the transformed bytes, written back in the same encoding. */
  bytes?: Uint8Array
  /** For an external wasm: code that defines `__fpcast_wasm_url` (an import, a require, or a var). */
  urlPrologue?: string
}

export interface RewriteGlueResult {
  code: string
  map: EncodedSourceMap
  /** Instantiation calls redirected to the runtime. */
  sites: number
  /** `new URL(name, import.meta.url)` and `locateFile` reads rewritten (0 for embedded wasm). */
  locateSites: number
}

function escapeRe(s: string) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** The helper that answers the bundled URL for the glue's wasm, and defers to the user for other files. */
function locateHelper(name: string, anyName: boolean): string {
  const base = name.slice(name.lastIndexOf('/') + 1)
  const test = anyName ? '/\\.wasm$/.test(path)' : `path === ${JSON.stringify(name)} || path === ${JSON.stringify(base)}`
  return `function ${LOCATE_BINDING}(m) {
  var user = m && m["locateFile"];
  return function (path, dir) {
    if (${test}) {
      var u = ${URL_BINDING};
      if (typeof process == "object" && process.versions && process.versions.node && /^file:/.test(u)) {
        u = decodeURIComponent(new URL(u).pathname);
        if (/^\\/[A-Za-z]:/.test(u)) u = u.slice(1);
      }
      return u;
    }
    return user ? user.call(m, path, dir) : (dir || "") + path;
  };
}
`
}

/** Points the glue at a transformed wasm (embedded or bundled), then hooks its instantiation. */
export function rewriteGlueWasm(code: string, options: RewriteGlueOptions): RewriteGlueResult {
  const { fileName, wasm } = options
  const s = new MagicString(code)
  let locateSites = 0
  if (wasm.kind === 'embedded') {
    if (!options.bytes) throw new FpcastError('internal error: rewriteGlueWasm needs the transformed bytes of an embedded wasm', { file: fileName })
    s.overwrite(wasm.embedded.start, wasm.embedded.end, encodeEmbeddedWasm(options.bytes, wasm.embedded.embedding, wasm.embedded.quote))
  } else {
    if (options.urlPrologue === undefined) throw new FpcastError('internal error: rewriteGlueWasm needs a URL prologue for an external wasm', { file: fileName })
    const quoted = `(["'\`])${escapeRe(wasm.name)}\\1`
    for (const m of code.matchAll(new RegExp(`(?<=\\bnew\\s+URL\\s*\\(\\s*)${quoted}(?=\\s*,\\s*import\\.meta\\.url\\s*\\))`, 'g'))) {
      s.overwrite(m.index!, m.index! + m[0].length, URL_BINDING)
      locateSites++
    }
    for (const m of code.matchAll(LOCATE_READ_RE)) {
      s.appendLeft(m.index!, `${LOCATE_BINDING}(`)
      s.overwrite(m.index! + m[1].length, m.index! + m[0].length, ')')
      locateSites++
    }
    if (!locateSites) {
      throw new FpcastError(`cannot tell how this glue locates '${wasm.name}': expected new URL('${wasm.name}', import.meta.url) or a Module.locateFile lookup (Emscripten 3.1.x to 4.x glue has one of them). Load the wasm yourself (import '${wasm.name}?url') and hand it to the glue`, { file: fileName })
    }
    const prologueEnd = PROLOGUE_RE.exec(code)?.[0].length ?? 0
    s.appendLeft(prologueEnd, `${prologueEnd ? '\n' : ''}${options.urlPrologue}\n${locateHelper(wasm.name, !!wasm.anyName)}`)
  }
  const first = { code: s.toString(), map: s.generateMap({ hires: 'boundary', source: fileName, includeContent: true }) }
  // Glue the CLI already rewrote keeps its runtime; only its wasm location changes.
  if (TRANSFORMED_RE.test(code)) return { code: first.code, map: JSON.parse(first.map.toString()), sites: 0, locateSites }
  const glue = transformGlue(first.code, { fileName })
  const composed = remapping([glue.map.toString(), first.map.toString()], () => null)
  const map: EncodedSourceMap = JSON.parse(composed.toString())
  return { code: glue.code, map, sites: glue.sites, locateSites }
}
