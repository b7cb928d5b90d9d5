/**
 * Options shared by the Node API, the CLI and the bundler plugins, and the
 * one `resolveOptions()` that fills in their defaults (every default of
 * `TransformOptions` is set there, nowhere else) and checks their values.
 */
import { FpcastError } from './errors.ts'
import { parseSig, sigKey } from './wasm/signature.ts'

/** Which call sites to rewrite. Every listed form must match for a site to be selected. */
export interface SiteFilter {
  /** Names of the functions that contain the sites (name section or symbol map); strings match exactly. */
  functions?: (string | RegExp)[]
  /** Call-site signatures, as Emscripten letters (`iii`) or `(i32, i32) -> i32`. */
  signatures?: string[]
  /** Explicit sites, as `<function name or index>#<n>` where n counts the function's sites from 0 in code order. */
  sites?: string[]
}

export type Strategy = 'auto' | 'shadow' | 'js'

/** A recorded profile: the sites that mismatched in a run with `diagnostics: true` (see `report()` in the runtime). */
export interface Profile {
  version: 1
  kind: 'fpcast-trampoline profile'
  sites: ProfileSite[]
}

export interface ProfileSite {
  /** `<function index>#<n>`: the n-th call_indirect of that function, the key a build matches on. */
  site: string
  function: string
  expected: string
  actual: string
  count: number
}

export interface TransformOptions {
  /**
   * `shadow` keeps `call_indirect` on the fast path: one shadow table per
   * call-site signature whose mismatching slots hold in-wasm adapters, with
   * no JS frame on any call. `js` routes the selected sites through a JS
   * trampoline (`table.get(i)(...args)`, Pyodide's original patch), kept for
   * comparison. `auto` picks `shadow`, which runs on every engine, with or
   * without wasm-gc.
   * @default 'auto'
   */
  strategy?: Strategy
  /** Rewrite only these sites. @default all `call_indirect` on funcref tables */
  include?: SiteFilter
  /** Leave these sites untouched, even when `include` selects them. @default none */
  exclude?: SiteFilter
  /**
   * What a call whose value types differ at some position (i32 against f64)
   * does. `trap` keeps a trap whose message names the site and both
   * signatures; `coerce` converts numbers the way JS would hand them over.
   * @default 'trap'
   */
  incompatible?: 'trap' | 'coerce'
  /**
   * How a rewritten site hands the slot index to its adapters. `global`
   * stores it in a global before the call (a store per call; nothing but the
   * rewritten sites changes). `argument` primes the table's functions to take
   * it as one extra argument: matched calls skip the store, but every such
   * function gets a wrapper with its original type (+1.2% on Pyodide's wasm,
   * and a slower transform); mismatched calls measured slower too
   * (`bench/results.md`). @default 'global'
   */
  slotVia?: 'argument' | 'global'
  /**
   * Count every adapted call per site in the runtime: it warns once per site
   * and its `report()` lists site, function, both signatures and count (in
   * Node, printed at exit; `FPCAST_PROFILE=<file>` writes it as a profile).
   * @default false
   */
  diagnostics?: boolean
  /**
   * Bytes of code the shadow strategy may add so that a mismatched call
   * reaches a function of a crowded signature (more than four static
   * functions in the call table) directly: a `br_table` on the slot and a
   * direct call, which the engine can inline, instead of a second
   * `call_indirect` (W2 hard, `bench/results.md`: 0.90-0.99x the time of
   * EMULATE_FUNCTION_POINTER_CASTS instead of 1.16-1.36x). A target
   * signature's br_table costs about 14 bytes per function and 1-2 per slot
   * they span, shared by the adapters of every call-site signature to it
   * (or, faster by a few percent, one in each adapter, where the budget
   * leaves room); the cheapest targets are taken first (`report.dispatch`
   * says how many adapters of how many). `0` turns it off; `Infinity` gives
   * every adapter its own, which can double a big module (Pyodide: +78%; all
   * of them shared would be +3%).
   * @default 4 KiB plus 0.1% of the input
   */
  dispatchBudget?: number
  /** Rewrite only the sites a recorded profile lists; every other call_indirect stays as it was. @default none */
  profile?: Profile
  /** With `profile`: rewrite the other sites too, so an unrecorded mismatch still works. @default false */
  safetyNet?: boolean
  /**
   * How the output is written. `copy`: binaryen sees only what the rewrite
   * needs (the bodies it cannot rewrite in the bytes, the tables, segments
   * and types), and every other body is copied byte for byte: several times
   * faster on big modules. `binaryen`: the whole module goes through
   * binaryen's read and write (the reference path; also what `copy` falls
   * back to for slotVia 'argument', the js strategy and inputs it does not
   * know). Both give outputs that behave the same. @default 'copy'
   */
  writer?: 'copy' | 'binaryen'
  /** Emscripten symbol map (`--emit-symbol-map`), `index:name` per line, for names when the module has no name section. @default none */
  symbolMap?: string
  /** File name used in errors and in the report. @default '<wasm>' */
  fileName?: string
  /**
   * The input's debug info. `keep`: the name section is kept, DWARF
   * (`.debug_*`, `-g`) is rewritten to describe the output's code, a
   * source map given as `sourceMap` and a separate DWARF file given as
   * `debugFile` are rewritten too (returned as `sourceMap` and `debugFile`;
   * the output keeps naming them). What cannot be rewritten faithfully
   * (DWARF 5, a link to a file not given) is dropped with a warning.
   * `strip`: DWARF, source map and DWARF file links are dropped without a
   * warning (the name section is still kept).
   * @default 'keep'
   */
  debugInfo?: 'keep' | 'strip'
  /** The input's source map (`-gsource-map`), as JSON text, to rewrite with the module. @default none */
  sourceMap?: string
  /** The URL the output's `sourceMappingURL` section names, when a source map is rewritten. @default the input's */
  sourceMapUrl?: string
  /** The separate DWARF file the input's `external_debug_info` section names (`-gseparate-dwarf`), to rewrite with the module. @default none */
  debugFile?: Uint8Array
  /** The URL the output's `external_debug_info` section names, when a separate DWARF file is rewritten. @default the input's */
  debugFileUrl?: string
  /**
   * Called as the transform starts and as each phase ends (read and scan,
   * rewrite, validate and write), for progress on big modules: the CLI
   * prints these for inputs of 8 MiB or more and past 2 s. Not sent to
   * worker threads. @default none
   */
  onProgress?: (event: ProgressEvent) => void
}

export interface ProgressEvent {
  file: string
  phase: 'start' | 'read' | 'rewrite' | 'write'
  /** What was done, e.g. `read and scanned: 342932 call_indirect sites (12.1 s)`. */
  message: string
  inputBytes: number
  /** Since the transform started. */
  elapsedMs: number
}

export interface ResolvedFilter {
  functions: (string | RegExp)[]
  signatures: Set<string>
  sites: Set<string>
  empty: boolean
}

export interface ResolvedTransformOptions {
  strategy: 'shadow' | 'js'
  slotVia: 'argument' | 'global'
  diagnostics: boolean
  profileSites: Set<string> | undefined
  safetyNet: boolean
  include: ResolvedFilter | undefined
  exclude: ResolvedFilter | undefined
  incompatible: 'trap' | 'coerce'
  symbolMap: Map<number, string>
  fileName: string
  debugInfo: 'keep' | 'strip'
  writer: 'copy' | 'binaryen'
  /** Undefined: the default, which depends on the input's size (defaultDispatchBudget). */
  dispatchBudget: number | undefined
}

/** TransformOptions.dispatchBudget's default for an input of `size` bytes: a few KB, and a tenth of a percent of a big module (Pyodide: 14 KB of 9.6 MB). */
export const defaultDispatchBudget = (size: number) => 4096 + Math.round(size / 1000)

function resolveFilter(filter: SiteFilter | undefined, what: string, fileName: string): ResolvedFilter | undefined {
  if (!filter) return undefined
  const signatures = new Set<string>()
  for (const text of filter.signatures ?? []) {
    const sig = parseSig(text)
    if (!sig)
      throw new FpcastError(`option ${what}.signatures: '${text}' is not a signature; write Emscripten letters like 'iii' or '(i32, i32) -> i32'`, {
        file: fileName,
      })
    signatures.add(sigKey(sig))
  }
  for (const site of filter.sites ?? []) {
    if (!/^.+#\d+$/.test(site))
      throw new FpcastError(`option ${what}.sites: '${site}' is not a site; write '<function>#<n>', e.g. 'main#0'`, { file: fileName })
  }
  const functions = filter.functions ?? []
  const sites = new Set(filter.sites ?? [])
  return { functions, signatures, sites, empty: !functions.length && !signatures.size && !sites.size }
}

/** Parses `index:name` lines of an Emscripten symbol map. */
export function parseSymbolMap(text: string): Map<number, string> {
  const map = new Map<number, string>()
  for (const line of text.split(/\r?\n/)) {
    const m = /^(\d+):(.+)$/.exec(line.trim())
    if (m) map.set(Number(m[1]), m[2])
  }
  return map
}

/** Every default of `TransformOptions` filled in (and the values checked: a bad one is an FpcastError naming the option). */
export function resolveOptions(options: TransformOptions = {}): ResolvedTransformOptions {
  const fileName = options.fileName ?? '<wasm>'
  const strategy = options.strategy ?? 'auto'
  if (!['auto', 'shadow', 'js'].includes(strategy)) throw new FpcastError(`option strategy: '${strategy}' is not one of auto, shadow, js`, { file: fileName })
  const incompatible = options.incompatible ?? 'trap'
  if (!['trap', 'coerce'].includes(incompatible)) throw new FpcastError(`option incompatible: '${incompatible}' is not one of trap, coerce`, { file: fileName })
  const debugInfo = options.debugInfo ?? 'keep'
  if (!['keep', 'strip'].includes(debugInfo)) throw new FpcastError(`option debugInfo: '${debugInfo}' is not one of keep, strip`, { file: fileName })
  if (options.slotVia !== undefined && !['argument', 'global'].includes(options.slotVia))
    throw new FpcastError(`option slotVia: '${options.slotVia}' is not one of argument, global`, { file: fileName })
  if (options.writer !== undefined && !['copy', 'binaryen'].includes(options.writer))
    throw new FpcastError(`option writer: '${options.writer}' is not one of copy, binaryen`, { file: fileName })
  const budget = options.dispatchBudget
  if (budget !== undefined && !(typeof budget === 'number' && budget >= 0))
    throw new FpcastError(
      `option dispatchBudget: ${JSON.stringify(budget) ?? String(budget)} is not a number of bytes (0 or more; Infinity takes every adapter)`,
      {
        file: fileName,
      },
    )
  const profile = options.profile
  if (profile !== undefined && (profile?.kind !== 'fpcast-trampoline profile' || profile.version !== 1 || !Array.isArray(profile.sites))) {
    throw new FpcastError("option profile: not a profile written by the runtime's report() (expected kind 'fpcast-trampoline profile', version 1)", {
      file: fileName,
    })
  }
  return {
    strategy: strategy === 'js' ? 'js' : 'shadow',
    slotVia: options.slotVia ?? 'global',
    diagnostics: !!options.diagnostics,
    profileSites: profile ? new Set(profile.sites.map(s => s.site)) : undefined,
    safetyNet: !!options.safetyNet,
    include: resolveFilter(options.include, 'include', fileName),
    exclude: resolveFilter(options.exclude, 'exclude', fileName),
    incompatible,
    symbolMap: options.symbolMap ? parseSymbolMap(options.symbolMap) : new Map(),
    fileName,
    debugInfo,
    writer: options.writer ?? 'copy',
    dispatchBudget: budget,
  }
}
