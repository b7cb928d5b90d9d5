/**
 * Options of the bundler plugins (`unplugin-fpcast-trampoline/<bundler>`) and
 * the one `resolvePluginOptions()` that fills in their defaults.
 *
 *   fpcastTrampoline()                                   // every Emscripten glue and ?url/?init wasm import
 *   fpcastTrampoline({ include: [/node_modules\/sql\.js/], strategy: 'js', report: false })
 */
import { availableParallelism } from 'node:os'
import { isAbsolute, relative } from 'node:path'
import picomatch from 'picomatch'
import { FpcastError } from '../core/errors.ts'
import { checkOptionShapes } from './check-options.ts'
import { stripQuery } from './paths.ts'
import { resolveOptions, type SiteFilter, type Strategy, type TransformOptions } from '../core/options.ts'
import type { TransformReport } from '../core/wasm/transform.ts'

/** A file filter: picomatch globs (matched against absolute paths; relative globs are matched anywhere) or RegExps. */
export type FilterPattern = string | RegExp | (string | RegExp)[]

/** What the plugin reports for each wasm it hands to the bundle. */
export interface WasmReport extends TransformReport {
  /** The glue or module that loads this wasm. */
  importer: string
  /** The input was transformed by an earlier build: the content-addressed cache answered. */
  cached: boolean
  /** Where the bytes went: an emitted asset, back into a single-file glue, or the dev server. */
  output: 'asset' | 'embedded' | 'dev-server'
  /** When binaryen ran (epoch ms) and on which worker thread (0: the bundler's thread); absent when cached. */
  span?: { start: number; end: number; thread: number }
}

export interface Options {
  /**
   * Glue files (`.js`, `.mjs`, `.cjs`) and `.wasm` files to handle. A glue
   * file matched here that does not look like Emscripten glue is an error;
   * with the default, other JS files are passed over quietly.
   * @default every .js, .mjs, .cjs and .wasm file
   */
  include?: FilterPattern
  /**
   * Files to leave alone, even when `include` matches them.
   * @default none
   */
  exclude?: FilterPattern
  /**
   * The wasm file a glue loads, for glue that names several or builds the
   * name at run time (its `locateFile` is then answered for every `.wasm`
   * it asks for). Keys are globs or file names of glue files, values paths
   * of wasm files, relative to the glue; or a function of the glue's path.
   * @default found in the glue: the `.wasm` named like the glue, else the only one it names
   */
  wasm?: Record<string, string> | ((glue: string) => string | undefined)
  /**
   * How call sites are rewritten. `'shadow'` keeps `call_indirect` on the
   * fast path (shadow tables whose mismatching slots hold in-wasm adapters;
   * no JS frame on any call; every engine, with or without wasm-gc). `'js'`
   * routes the sites through a JS trampoline (`table.get(i)(...args)`,
   * Pyodide's original patch), kept for comparison. `'auto'` picks `'shadow'`.
   * @default 'auto'
   */
  strategy?: Strategy
  /**
   * What a call whose value types differ (i32 against f64) does.
   * @default 'trap'
   */
  incompatible?: 'trap' | 'coerce'
  /**
   * Count adapted calls per call site at run time: the runtime warns once per
   * site and its `report()` lists them (see the core's `TransformOptions.diagnostics`).
   * @default false
   */
  diagnostics?: boolean
  /**
   * Bytes of code the transform may add so that mismatched calls to a
   * signature with many functions call them directly instead of through a
   * second `call_indirect` (see the core's `TransformOptions.dispatchBudget`).
   * `0` turns it off; `Infinity` gives every such adapter its own (the
   * fastest, and it can double a big wasm).
   * @default 4 KiB plus 0.1% of the wasm
   */
  dispatchBudget?: number
  /**
   * The wasm's debug info. `'keep'`: DWARF (`-g`) is rewritten with the
   * code, and a source map (`-gsource-map`) or separate DWARF file
   * (`-gseparate-dwarf`) beside the wasm is rewritten and emitted beside the
   * asset (served beside it by the dev server), named by the output. `'strip'`:
   * all of it is dropped, for production (function names stay).
   * @default 'keep'
   */
  debugInfo?: 'keep' | 'strip'
  /**
   * Which `call_indirect` sites to rewrite, by containing function, signature or site.
   * @default every site on a funcref table
   */
  sites?: { include?: SiteFilter; exclude?: SiteFilter }
  /**
   * Persistent content-addressed cache of transformed wasm, keyed by the input
   * bytes, the options and the plugin's version and code: an unchanged
   * rebuild skips binaryen. `true` uses
   * `node_modules/.cache/unplugin-fpcast-trampoline` under the project root
   * (Vite: `<cacheDir>/fpcast-trampoline`, by default
   * `node_modules/.vite/fpcast-trampoline`); a string is the directory; `false` turns
   * it off.
   * @default true
   */
  cache?: boolean | string
  /**
   * How many wasm files are transformed at once, each in a worker thread.
   * @default min(available cores, 4)
   */
  parallel?: number
  /**
   * One line per wasm (sites rewritten, size before and after, time) on the
   * console; `false` for none; a function receives the full reports instead.
   * @default true
   */
  report?: boolean | ((report: WasmReport) => void)
  /**
   * A transform that runs longer than this many milliseconds says so on the
   * console, and again every 5 seconds until it ends (not with `report: false`).
   * @default 2000
   */
  progressAfterMs?: number
}

export interface ResolvedPluginOptions {
  filter: (id: string) => boolean
  /** `include` was given: a matched JS file that is not glue is an error. */
  explicitInclude: boolean
  wasmFor: (glue: string) => string | undefined
  /** The options every transform gets (with its file name). */
  transform: PluginTransformOptions
  /** `transform` as stable text, for cache keys: whatever it holds changes the key. */
  transformKey: string
  cache: boolean | string
  parallel: number
  report: (report: WasmReport) => void
  /** Where progress lines go; undefined with `report: false`. */
  log: ((line: string) => void) | undefined
  progressAfterMs: number
}

/** The transform options the plugin passes: all but the file name, and those only the CLI and the Node API take. */
export type PluginTransformOptions = Pick<
  TransformOptions,
  'strategy' | 'incompatible' | 'diagnostics' | 'dispatchBudget' | 'include' | 'exclude' | 'debugInfo'
>

/**
 * Stable text of transform options: object keys sorted, undefined fields
 * left out, RegExps as `{ "RegExp": [source, flags] }` (a string that looks
 * like a RegExp stays a string, and means something else).
 */
export function optionsKey(options: PluginTransformOptions): string {
  return JSON.stringify(options, (_, v: unknown) => {
    if (v instanceof RegExp) return { RegExp: [v.source, v.flags] }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return v
    return Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
  })
}

const DEFAULT_INCLUDE = /\.(?:[cm]?js|wasm)(?:\?.*)?$/

function toMatcher(pattern: FilterPattern | undefined): ((id: string) => boolean) | undefined {
  if (pattern === undefined) return undefined
  const list = Array.isArray(pattern) ? pattern : [pattern]
  const tests = list.map(p => {
    if (p instanceof RegExp)
      return (id: string) => {
        p.lastIndex = 0
        return p.test(id)
      }
    if (typeof p !== 'string') throw new FpcastError(`option include/exclude: ${String(p)} is neither a glob string nor a RegExp`)
    const glob = p.startsWith('/') || p.startsWith('**') ? p : `**/${p.replace(/^\.\//, '')}`
    const m = picomatch(glob, { dot: true })
    return (id: string) => m(stripQuery(id))
  })
  return (id: string) => tests.some(t => t(id.replace(/\\/g, '/')))
}

function describeReport(r: WasmReport): string {
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`
  // Relative to the working directory when inside it: copies of one library in several folders keep apart.
  const rel = relative(process.cwd(), r.file)
  const name = rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel.replace(/\\/g, '/') : r.file.slice(r.file.replace(/\\/g, '/').lastIndexOf('/') + 1)
  if (r.alreadyTransformed) return `[fpcast-trampoline] ${name}: already transformed, shipped as it is`
  if (r.strategy === 'none') return `[fpcast-trampoline] ${name}: no call_indirect to rewrite (${r.sites.total} sites), shipped as it is`
  return `[fpcast-trampoline] ${name}: ${r.sites.rewritten}/${r.sites.total} call_indirect sites rewritten (${r.strategy}), ${kb(r.size.before)} -> ${kb(r.size.after)}, ${r.cached ? 'cached' : `${r.timeMs.total.toFixed(0)} ms`}`
}

export function resolvePluginOptions(options: Options = {}): ResolvedPluginOptions {
  if (options === null || typeof options !== 'object')
    throw new FpcastError(`the plugin takes an options object, got ${options === null ? 'null' : typeof options}`, { file: '<plugin options>' })
  checkOptionShapes(options)
  const include = toMatcher(options.include) ?? ((id: string) => DEFAULT_INCLUDE.test(id))
  const exclude = toMatcher(options.exclude) ?? (() => false)
  // Validates strategy, incompatible and the site filters now, not at the first wasm.
  const resolved = resolveOptions({
    strategy: options.strategy,
    incompatible: options.incompatible,
    diagnostics: options.diagnostics,
    dispatchBudget: options.dispatchBudget,
    include: options.sites?.include,
    exclude: options.sites?.exclude,
    debugInfo: options.debugInfo,
    fileName: '<plugin options>',
  })
  // What every transform gets (with its file name), its defaults filled in: equal options make equal keys.
  const transform: PluginTransformOptions = {
    strategy: resolved.strategy,
    incompatible: resolved.incompatible,
    diagnostics: resolved.diagnostics,
    ...(resolved.dispatchBudget !== undefined ? { dispatchBudget: resolved.dispatchBudget } : {}),
    include: options.sites?.include,
    exclude: options.sites?.exclude,
    debugInfo: resolved.debugInfo,
  }
  let wasmFor: (glue: string) => string | undefined = () => undefined
  if (typeof options.wasm === 'function') wasmFor = options.wasm
  else if (options.wasm) {
    const entries = Object.entries(options.wasm).map(([glob, wasm]) => [toMatcher(glob)!, wasm] as const)
    wasmFor = glue => entries.find(([m]) => m(glue))?.[1]
  }
  const parallel = options.parallel ?? Math.min(availableParallelism(), 4)
  if (!Number.isInteger(parallel) || parallel < 1) throw new FpcastError(`option parallel: ${parallel} is not a positive integer`)
  const report = typeof options.report === 'function' ? options.report : options.report === false ? () => {} : (r: WasmReport) => console.log(describeReport(r))
  return {
    filter: id => include(id) && !exclude(id),
    explicitInclude: options.include !== undefined,
    wasmFor,
    transform,
    transformKey: optionsKey(transform),
    cache: options.cache ?? true,
    parallel,
    report,
    log: options.report === false ? undefined : (line: string) => console.log(line),
    progressAfterMs: options.progressAfterMs ?? 2000,
  }
}
