/**
 * One plugin instance: its options and wasm store, what it learned of the
 * bundler's configuration, and which wasm files are its own. Every part of
 * the plugin (the glue hook, the bundler families) works on one of these;
 * what differs between bundlers is a `WasmTarget`.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, isAbsolute, join, relative, resolve } from 'node:path'
import type { UnpluginBuildContext, UnpluginContext, UnpluginContextMeta } from 'unplugin'
import { FpcastError } from '../core/errors.ts'
import { type BundleFile, checkBundle } from './bundle-check.ts'
import type { ResolvedPluginOptions } from './options.ts'
import { isFile, stripQuery } from './paths.ts'
import { externalDebugInfoUrl, sourceMappingUrl } from '../core/wasm/debug/index.ts'
import { WasmStore } from './wasm-store.ts'

export const PLUGIN_NAME = 'unplugin-fpcast-trampoline'

export type Framework = UnpluginContextMeta['framework']
/** What unplugin's load and transform hooks are called on. */
export type HookContext = UnpluginBuildContext & UnpluginContext

/** How one bundler family ships a transformed wasm, and how code gets its URL (rollup-like.ts, webpack.ts, esbuild.ts, vite.ts). */
export interface WasmTarget {
  /** Code of the module `fpcast-trampoline/url/<wasm>`: its default export is the absolute URL of the transformed wasm. */
  urlModule(wasmPath: string, importer: string, ctx: HookContext): Promise<string>
  /** Code that defines `__fpcast_wasm_url` at the top of a glue; by default it imports the URL module. */
  urlPrologue?(wasmPath: string, glueId: string, esm: boolean): Promise<string>
  /** The URL is absolute, so the glue's `new URL('x.wasm', import.meta.url)` becomes `new URL(url)` (webpack, Rspack). */
  absoluteUrl?: boolean
}

export class PluginInstance {
  /** The project root: the bundler's, once its configuration is known. */
  root = process.cwd()
  /** Vite's cache directory: the persistent cache goes under it. */
  viteCacheDir: string | undefined
  readonly store: WasmStore
  /** Wasm files a recognised glue loads (the runtime ships with them); the others were asked for with `?url` and the like. */
  readonly glueWasm = new Set<string>()
  /**
   * Wasm files whose virtual modules this instance made. Every instance sees
   * every `fpcast-trampoline/...` id: with several instances (different
   * options for different files), each loads and serves only its own.
   */
  private readonly owned = new Set<string>()

  constructor(
    readonly options: ResolvedPluginOptions,
    readonly framework: Framework,
  ) {
    this.store = new WasmStore(options, () =>
      this.viteCacheDir ? join(this.viteCacheDir, 'fpcast-trampoline') : join(this.root, 'node_modules/.cache/unplugin-fpcast-trampoline'),
    )
  }

  /** Rollup, Rolldown and Vite: one family of asset handling and virtual ids. */
  get rollupLike(): boolean {
    return this.framework === 'rollup' || this.framework === 'rolldown' || this.framework === 'vite'
  }

  claim(wasmPath: string): void {
    this.owned.add(wasmPath)
  }

  owns(wasmPath: string): boolean {
    return this.owned.has(wasmPath) || this.options.filter(wasmPath)
  }

  /** One line about a file left as it was, under the report lines (silenced with `report: false`). */
  note(file: string, why: string): void {
    const shown = isAbsolute(file) && !relative(process.cwd(), file).startsWith('..') ? relative(process.cwd(), file) : file
    this.options.log?.(`[fpcast-trampoline] note: ${shown}: ${why}`)
  }

  /** The wasm file an import of `source` names (its query dropped), from `importer` or the project root. */
  resolveWasmRequest(source: string, importer: string | undefined): string {
    const spec = stripQuery(source)
    if (isAbsolute(spec)) return spec
    const importerFile = importer && stripQuery(importer)
    const from = importerFile && isAbsolute(importerFile) ? importerFile : join(this.root, 'index.js')
    if (spec.startsWith('.')) return resolve(dirname(from), spec)
    try {
      return createRequire(from).resolve(spec)
    } catch (e) {
      throw new FpcastError(`cannot resolve '${source}' from ${from}: ${(e as Error).message.split('\n')[0]}`, { file: importer, cause: e })
    }
  }

  /**
   * The finished bundle's check (bundle-check.ts): says what ships
   * untransformed, and answers the `?url` wasm assets to take back (their
   * runtime is not in the bundle) with their original bytes.
   * @param ours file names of the wasm assets this instance made, with the input each came from when known
   */
  checkFinishedBundle(files: BundleFile[], ours: Map<string, string | undefined>): Map<string, Uint8Array> {
    const originals = new Map<string, Uint8Array | undefined>()
    for (const [fileName, path] of ours)
      originals.set(fileName, path && !this.glueWasm.has(path) && isFile(path) ? new Uint8Array(readFileSync(path)) : undefined)
    const verdict = checkBundle(files, originals)
    for (const line of verdict.notes) this.options.log?.(`[fpcast-trampoline] note: ${line}`)
    return verdict.restore
  }

  /**
   * The rewritten debug files (source maps, separate DWARF files) that the
   * finished bundle's wasm assets name, each to be emitted in the folder of
   * the asset naming it: the asset's URL resolves them there, in the browser
   * and in DevTools. Pass the files as they ship (after checkFinishedBundle's
   * restorations: an original names no file of ours).
   */
  debugCompanions(files: BundleFile[]): BundleFile[] {
    const out: BundleFile[] = []
    const have = new Set(files.map(f => f.fileName))
    for (const f of files) {
      if (typeof f.source === 'string' || !f.fileName.endsWith('.wasm')) continue
      const folder = f.fileName.slice(0, Math.max(f.fileName.lastIndexOf('/'), f.fileName.lastIndexOf('\\')) + 1)
      for (const url of [sourceMappingUrl(f.source), externalDebugInfoUrl(f.source)]) {
        const companion = url === undefined ? undefined : this.store.companion(url)
        if (!companion || have.has(folder + companion.url)) continue
        have.add(folder + companion.url)
        out.push({ fileName: folder + companion.url, source: companion.source })
      }
    }
    return out
  }
}
