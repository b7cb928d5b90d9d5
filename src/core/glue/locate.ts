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
 * packages, workers). For the glue's own wasm the user's `locateFile` is asked
 * first: an answer that names another wasm file (a SIMD or threaded variant
 * the library picks, as @tensorflow/tfjs-backend-wasm does) is theirs, as
 * without the plugin; one that names the same file (somewhere else: the
 * untransformed copy) gets the bundled URL, or the trap would come back. The
 * instantiation is hooked in the same
 * pass (instantiate.ts), so one source map covers both. Which wasm a glue loads is
 * decided by recognize.ts; the edits are made at the ranges its syntax
 * reading found (a write such as `Module['locateFile'] ||= f` is not a read).
 */
import MagicString from 'magic-string'
import { FpcastError } from '../errors.ts'
import { hookInstantiation, insertAtTop, TRANSFORMED_RE } from './instantiate.ts'
import type { GlueWasm } from './recognize.ts'
import { embeddedLength, type GlueSyntax, readGlueSyntax } from './syntax.ts'
import { encodeEmbeddedWasm, lengthConstantMap } from './single-file.ts'

export const URL_BINDING = '__fpcast_wasm_url'
export const LOCATE_BINDING = '__fpcast_locateFile'

/** A version 3 source map, as bundlers take it. */
export interface EncodedSourceMap {
  version: 3
  file?: string | null
  sources: (string | null)[]
  sourcesContent?: (string | null)[]
  names: string[]
  mappings: string
}

export interface RewriteGlueOptions {
  fileName: string
  /** The glue's wasm; undefined: the glue names none, only its instantiation is hooked. */
  wasm?: GlueWasm
  /** The glue's syntax, when the caller has read it already. */
  syntax?: GlueSyntax
  /** For an embedded wasm: the transformed bytes, written back in the same encoding. */
  bytes?: Uint8Array
  /** For an external wasm: code that defines `__fpcast_wasm_url` (an import, a require, or a var). */
  urlPrologue?: string
  /**
   * `__fpcast_wasm_url` is an absolute URL: `new URL("x.wasm", import.meta.url)` becomes
   * `new URL(__fpcast_wasm_url)`, without the base (webpack warns "Critical dependency"
   * for `new URL(<expression>, import.meta.url)`).
   */
  absoluteUrl?: boolean
}

export interface RewriteGlueResult {
  code: string
  map: EncodedSourceMap
  /** Instantiation calls redirected to the runtime. */
  sites: number
  /** `new URL(name, import.meta.url)` and `locateFile` reads rewritten (0 for embedded wasm). */
  locateSites: number
}

/** The helper that answers the bundled URL for the glue's wasm (unless the user's locateFile picks another wasm), and defers to the user for other files. */
function locateHelper(name: string, anyName: boolean): string {
  const base = name.slice(name.lastIndexOf('/') + 1)
  const test = anyName ? '/\\.wasm$/.test(path)' : `path === ${JSON.stringify(name)} || path === ${JSON.stringify(base)}`
  // One line, as all code inserted at the top (instantiate.ts, insertAtTop).
  return [
    `function ${LOCATE_BINDING}(m) {`,
    ' var user = m && m["locateFile"];',
    // A URL's or path's file name, without query or fragment.
    ' function file(p) { return String(p).replace(/[?#].*$/, "").replace(/^.*[\\/\\\\]/, ""); }',
    ' return function (path, dir) {',
    `  if (${test}) {`,
    '   var chosen = user ? user.call(m, path, dir) : undefined;',
    '   if (typeof chosen == "string" && file(chosen) != file(path)) return chosen;',
    `   var u = ${URL_BINDING};`,
    '   if (typeof process == "object" && process.versions && process.versions.node && /^file:/.test(u)) {',
    '    u = decodeURIComponent(new URL(u).pathname);',
    '    if (/^\\/[A-Za-z]:/.test(u)) u = u.slice(1);',
    '   }',
    '   return u;',
    '  }',
    '  return user ? user.call(m, path, dir) : (dir || "") + path;',
    ' };',
    '}',
  ].join('')
}

/** Points the glue at a transformed wasm (embedded or bundled), and hooks its instantiation, in one pass. */
export function rewriteGlueWasm(code: string, options: RewriteGlueOptions): RewriteGlueResult {
  const { fileName, wasm } = options
  const syntax = options.syntax ?? readGlueSyntax(code)
  const s = new MagicString(code)
  let locateSites = 0
  let prologue = ''
  if (wasm?.kind === 'embedded') {
    if (!options.bytes) throw new FpcastError('internal error: rewriteGlueWasm needs the transformed bytes of an embedded wasm', { file: fileName })
    const e = wasm.embedded
    s.overwrite(e.start, e.end, encodeEmbeddedWasm(options.bytes, e.embedding, e.quote, e.rawNul, e.rawControls))
    // A decoder with the old length folded in (closure) gets the new one.
    if (e.lengthConstants?.length) {
      const next = lengthConstantMap(e.embedding, embeddedLength(e), embeddedLength({ embedding: e.embedding, bytes: options.bytes }))
      for (const n of e.lengthConstants) s.overwrite(n.start, n.end, String(next.get(n.value)))
    }
  } else if (wasm) {
    if (options.urlPrologue === undefined)
      throw new FpcastError('internal error: rewriteGlueWasm needs a URL prologue for an external wasm', { file: fileName })
    for (const l of syntax.wasmLiterals) {
      if (!l.newUrl || (l.value !== wasm.name && !wasm.anyName)) continue
      if (options.absoluteUrl && l.newUrlExpression) s.overwrite(l.newUrlExpression.start, l.newUrlExpression.end, `new URL(${URL_BINDING})`)
      else s.overwrite(l.start, l.end, URL_BINDING)
      locateSites++
    }
    for (const r of syntax.locateFileReads) {
      s.appendLeft(r.start, `${LOCATE_BINDING}(`)
      s.overwrite(r.object.end, r.end, ')')
      locateSites++
    }
    if (!locateSites) {
      // A name the user gave (anyName) is not what the glue's literals say: any .wasm literal under new URL would do.
      const expected = wasm.anyName ? "a new URL('<name>.wasm', import.meta.url)" : `new URL('${wasm.name}', import.meta.url)`
      throw new FpcastError(
        `cannot tell how this glue locates '${wasm.name}': expected ${expected} or a Module.locateFile lookup (Emscripten 3.1.x to 4.x glue has one of them). Load the wasm yourself (import '${wasm.name}?url') and hand it to the glue`,
        { file: fileName },
      )
    }
    prologue = `${options.urlPrologue}${locateHelper(wasm.name, !!wasm.anyName)}`
  }
  // Glue the CLI already rewrote keeps its runtime; only its wasm location changes.
  const hooked = !TRANSFORMED_RE.test(code)
  if (hooked) hookInstantiation(s, code, syntax, prologue)
  else if (prologue) insertAtTop(s, code, prologue)
  const map: EncodedSourceMap = JSON.parse(s.generateMap({ hires: 'boundary', source: fileName, includeContent: true }).toString())
  return { code: s.toString(), map, sites: hooked ? syntax.instantiations : 0, locateSites }
}
