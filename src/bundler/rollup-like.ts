/**
 * Rollup, Rolldown and Vite builds: the transformed wasm is emitted with
 * `this.emitFile` (its name hashed from the transformed bytes), and its URL
 * module exports `import.meta.ROLLUP_FILE_URL_<ref>`, which the bundler
 * renders for the output format (Vite: its own `__VITE_ASSET__` placeholder,
 * rendered with `base` and `renderBuiltUrl`). At `generateBundle`, the
 * finished bundle is checked (bundle-check.ts), and the debug files its
 * wasm assets name are emitted beside them (instance.debugCompanions).
 * Rolldown's timings warning, when it is about this plugin alone, becomes a
 * note under the report lines (onLog).
 */
import { stripVTControlCharacters } from 'node:util'
import type { EmittedAsset } from 'rollup'
import type { BundleFile } from './bundle-check.ts'
import { PLUGIN_NAME, type PluginInstance, type WasmTarget } from './instance.ts'

/** The part of a Rollup-like plugin context the URL module needs: unplugin hands the bundler's own, whose `emitFile` answers the reference. */
interface EmitContext {
  emitFile(asset: EmittedAsset): string
}

/** An output of a Rollup-like bundle, as far as the check reads and writes it. */
type BundleOutput = { type: 'chunk'; fileName: string; code: string } | { type: 'asset'; fileName: string; source: string | Uint8Array }

export function rollupLikeFamily(instance: PluginInstance) {
  /** The wasm assets this instance emitted: reference -> input path. */
  const emittedRefs = new Map<string, string>()

  const target: WasmTarget = {
    async urlModule(wasmPath, importer, ctx) {
      const w = await instance.store.fromFile(wasmPath, importer, 'asset')
      const ref = (ctx as unknown as EmitContext).emitFile({ type: 'asset', name: w.name, source: w.bytes })
      emittedRefs.set(ref, wasmPath)
      // Vite renders its own placeholder with `base` and `renderBuiltUrl` (relative base: import.meta.url based).
      if (instance.framework === 'vite' && /^[\w$]{22}$/.test(ref)) return `export default "__VITE_ASSET__${ref}__";\n`
      return `export default import.meta.ROLLUP_FILE_URL_${ref};\n`
    },
  }

  /** The finished bundle's check; `?url` assets whose runtime did not ship get their original bytes back. */
  function generateBundle(
    this: { getFileName(ref: string): string; emitFile(asset: { type: 'asset'; fileName: string; source: string | Uint8Array }): string },
    _output: unknown,
    bundle: Record<string, BundleOutput>,
  ): void {
    const ours = new Map<string, string | undefined>()
    for (const [ref, path] of emittedRefs) {
      try {
        ours.set(this.getFileName(ref), path)
      } catch {
        // Not in this output (another output of the same build, or dropped by tree-shaking).
      }
    }
    const files: BundleFile[] = Object.values(bundle).map(o => ({ fileName: o.fileName, source: o.type === 'chunk' ? o.code : o.source }))
    for (const [name, bytes] of instance.checkFinishedBundle(files, ours)) {
      const asset = bundle[name]
      if (asset.type === 'asset') asset.source = bytes
    }
    const shipped: BundleFile[] = Object.values(bundle).map(o => ({ fileName: o.fileName, source: o.type === 'chunk' ? o.code : o.source }))
    for (const f of instance.debugCompanions(shipped)) this.emitFile({ type: 'asset', fileName: f.fileName, source: f.source })
  }

  /**
   * Rolldown (and Vite 8 on it) warns with [PLUGIN_TIMINGS] when JavaScript
   * callbacks take most of a build. A cold transform of a big wasm is such a
   * callback (the worker's binaryen start and the transform, awaited in
   * `load`), on a build that warns of nothing without the plugin. The report
   * lines already say what took the time, and the cache makes rebuilds skip
   * it: a timings warning that names no callback but this plugin's becomes
   * one note (none with `report: false`). One that names another plugin's
   * callbacks too is left as it is: that part is not ours to hide.
   */
  function onLog(_level: string, log: { code?: string; message?: string }): false | undefined {
    if (log.code !== 'PLUGIN_TIMINGS') return undefined
    const ours = timingsOfThisPluginAlone(log.message ?? '')
    if (!ours) return undefined
    instance.options.log?.(
      `[fpcast-trampoline] note: the build's JavaScript time was this plugin's wasm transforms (${ours.join('; ')}: Rolldown's [PLUGIN_TIMINGS]); the cache makes rebuilds skip them`,
    )
    return false
  }

  return { target, generateBundle, onLog }
}

/**
 * The callbacks a [PLUGIN_TIMINGS] message lists, when every one is this
 * plugin's: lines like `  - plugin <name> load (97%, 3.5s, 3 calls)` become
 * `load 97%, 3.5s`, and those Rolldown lists without a time (overlapping
 * calls: `  - plugin <name> transform (12 calls)`) `transform, 12 calls`.
 * Otherwise undefined.
 */
export function timingsOfThisPluginAlone(message: string): string[] | undefined {
  const lines = stripVTControlCharacters(message)
    .split('\n')
    .filter(l => /^\s*- /.test(l))
  const ours = lines.map(l => new RegExp(`^\\s*- plugin ${PLUGIN_NAME} (\\S+) \\((?:(\\d+%), ([^,]+), )?(\\d+ calls?)\\)\\s*$`).exec(l))
  if (!lines.length || ours.some(m => !m)) return undefined
  return ours.map(m => (m![2] ? `${m![1]} ${m![2]}, ${m![3]}` : `${m![1]}, ${m![4]}`))
}
