/**
 * The plugin's wasm side, shared by every bundler: reads a wasm file,
 * transforms it once per content (memory, then the persistent cache, then
 * the worker pool) and reports each one.
 */
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { basename, dirname, join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { FpcastError } from '../core/errors.ts'
import type { TransformReport } from '../core/wasm/transform.ts'
import { cacheKey, WasmCache } from './cache.ts'
import type { ResolvedPluginOptions, WasmReport } from './options.ts'
import { type DebugFiles, readDebugFiles } from '../node/debug-files.ts'
import { isFile, readBytes } from './paths.ts'
import { type Span, TransformPool } from './pool.ts'

export interface PreparedWasm {
  /** Absolute path of the input, or a label for embedded wasm. */
  file: string
  /** File name for the emitted asset: the input's. */
  name: string
  bytes: Uint8Array
  report: TransformReport
  cached: boolean
}

/** A rewritten debug file (source map, separate DWARF file) to ship beside the wasm that names it by `url`, a base name. */
export interface DebugCompanion {
  url: string
  source: string | Uint8Array
}

/** The modification times and sizes of files ('-' for one that is not there), as one string. */
function stampOf(files: string[]): string {
  return files
    .map(f => {
      try {
        const st = statSync(f)
        return `${st.mtimeMs}:${st.size}`
      } catch {
        return '-'
      }
    })
    .join('/')
}

function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 4; i++) {
    const file = join(dir, 'package.json')
    if (existsSync(file)) {
      try {
        const pkg = JSON.parse(readFileSync(file, 'utf8'))
        if (pkg.name === 'unplugin-fpcast-trampoline') return String(pkg.version)
      } catch {}
    }
    dir = dirname(dir)
  }
  return '0.0.0'
}

/**
 * SHA-256 of the code that makes the output. Built (`here` is dist/): every
 * dist/*.js. Run from source (`here` is src/bundler/): every file under
 * src/core, subfolders included, and src/runtime/runtime.js. Each file counts
 * with its path relative to that root, so a file moved between folders
 * changes it too. It joins the version in the cache key, so a changed
 * transform never reads an entry an older one wrote under the same version
 * (a linked checkout, a git dependency, development).
 */
export function codeFingerprint(here = dirname(fileURLToPath(import.meta.url))): string {
  try {
    const fromSource = basename(here) === 'bundler'
    const root = fromSource ? dirname(here) : here
    const files = fromSource ? [...listFiles(join(root, 'core'), '.ts', true), join(root, 'runtime', 'runtime.js')] : listFiles(here, '.js', false)
    const hash = createHash('sha256')
    for (const file of files) {
      const bytes = readFileSync(file)
      hash.update(`${relative(root, file).split(sep).join('/')}\0${bytes.length}\0`).update(bytes)
    }
    return hash.digest('hex').slice(0, 16)
  } catch {
    return 'unknown' // bundled somewhere unexpected: the version alone keys the cache
  }
}

/** The files under `dir` whose names end in `ext`, in a stable order. */
function listFiles(dir: string, ext: string, recursive: boolean): string[] {
  return readdirSync(dir, { recursive, encoding: 'utf8' })
    .filter(name => name.endsWith(ext))
    .sort()
    .map(name => join(dir, name))
}

export const PLUGIN_VERSION = packageVersion()
let codeVersion: string | undefined
/** The plugin version and the fingerprint of its code, computed once. */
export const pluginCodeVersion = () => (codeVersion ??= `${PLUGIN_VERSION}+${codeFingerprint()}`)

export class WasmStore {
  /** Per wasm path: what it was made from (the wasm and the debug files it names), their stamp, and the result. */
  private memo = new Map<string, { files: string[]; stamp: string; promise: Promise<PreparedWasm> }>()
  private pool: TransformPool
  private cache: WasmCache | undefined
  /** Called with (importer, wasm file) for every wasm read from disk: the bundler watches it. */
  readonly inputs = new Map<string, Set<string>>()
  /** Rewritten debug files by the URL the transformed wasm names them with (unique: it carries the cache key of what made them). */
  private readonly companions = new Map<string, DebugCompanion>()

  constructor(
    private readonly options: ResolvedPluginOptions,
    private readonly defaultCacheDir: () => string,
  ) {
    this.pool = new TransformPool(options.parallel, options.log && { afterMs: options.progressAfterMs, log: options.log })
  }

  private getCache(): WasmCache {
    if (!this.cache) {
      const c = this.options.cache
      this.cache = new WasmCache(c === false ? undefined : typeof c === 'string' ? c : this.defaultCacheDir())
    }
    return this.cache
  }

  /** The transformed form of the wasm file at `path`, loaded by `importer`. */
  fromFile(path: string, importer: string, output: WasmReport['output']): Promise<PreparedWasm> {
    if (!isFile(path)) {
      // The importer is a glue, or the wasm itself (a `?url` import, a loader): only a glue has a 'wasm' option to name.
      const reason =
        importer === path
          ? 'no such wasm file; check the path it is imported with'
          : `this glue loads '${basename(path)}', which is not at ${path}. Put the .wasm emcc wrote beside its glue, or name it with the plugin's 'wasm' option`
      return Promise.reject(new FpcastError(reason, { file: importer }))
    }
    let set = this.inputs.get(path)
    if (!set) this.inputs.set(path, (set = new Set()))
    set.add(importer)
    // Asked for often (each URL module, each dev-server request): an unchanged wasm and debug files are only stat'ed.
    const hit = this.memo.get(path)
    if (hit && hit.stamp === stampOf(hit.files)) return hit.promise
    const bytes = readBytes(path)
    const debug = readDebugFiles(path, bytes, this.options.transform.debugInfo)
    // A changed source map or DWARF file changes the output too, and so does one that appears.
    const files = [path, ...debug.named]
    const promise = this.transform(bytes, path, basename(path), importer, output, debug)
    this.memo.set(path, { files, stamp: stampOf(files), promise })
    promise.catch(() => {
      if (this.memo.get(path)?.promise === promise) this.memo.delete(path)
    })
    return promise
  }

  /** The transformed form of bytes embedded in a glue. */
  fromBytes(bytes: Uint8Array, label: string, importer: string): Promise<PreparedWasm> {
    return this.transform(bytes, label, basename(label), importer, 'embedded')
  }

  /** Forgets what was made from `path` (the file changed). */
  invalidate(path: string): void {
    this.memo.delete(path)
  }

  /** A rewritten debug file the transformed wasm names by `url`, once its wasm was transformed. */
  companion(url: string): DebugCompanion | undefined {
    return this.companions.get(url)
  }

  private async transform(
    input: Uint8Array,
    file: string,
    name: string,
    importer: string,
    output: WasmReport['output'],
    debug: DebugFiles = { named: [] },
  ): Promise<PreparedWasm> {
    // The debug files' contents join the key; they go beside the hashed asset named after the wasm and the key (what made them).
    const debugHash = createHash('sha256')
    if (debug.sourceMap) debugHash.update(debug.sourceMap.content)
    if (debug.debugFile) debugHash.update(debug.debugFile.content)
    const key = cacheKey(input, `${this.options.transformKey}\0${debug.sourceMap || debug.debugFile ? debugHash.digest('hex') : ''}`, pluginCodeVersion())
    const stem = name.replace(/\.wasm$/, '')
    const mapUrl = `${stem}-${key.slice(0, 10)}.wasm.map`
    const dwarfUrl = `${stem}-${key.slice(0, 10)}.debug.wasm`
    let cached = true
    let span: Span | undefined
    let result = this.getCache().get(key)
    if (!result) {
      cached = false
      const r = await this.pool.run(input, {
        ...this.options.transform,
        fileName: file,
        ...(debug.sourceMap && { sourceMap: debug.sourceMap.content, sourceMapUrl: mapUrl }),
        ...(debug.debugFile && { debugFile: debug.debugFile.content, debugFileUrl: dwarfUrl }),
      })
      span = r.span
      result = { wasm: r.wasm, report: r.report, sourceMap: r.sourceMap, debugFile: r.debugFile }
      this.getCache().set(key, result)
    }
    if (result.sourceMap !== undefined) this.companions.set(mapUrl, { url: mapUrl, source: result.sourceMap })
    if (result.debugFile) this.companions.set(dwarfUrl, { url: dwarfUrl, source: result.debugFile })
    const report = { ...result.report, file }
    this.options.report({ ...report, importer, cached, output, ...(span ? { span } : {}) })
    // What the user should know (debug sections dropped, an input already transformed), under the report line.
    for (const w of report.warnings) this.options.log?.(`[fpcast-trampoline] warning: ${file}: ${w}`)
    return { file, name, bytes: result.wasm, report, cached }
  }

  close(): Promise<void> {
    return this.pool.close()
  }
}
