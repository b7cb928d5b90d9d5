/**
 * Rollup, Rolldown and Vite builds: the transformed wasm is emitted with
 * `this.emitFile` (its name hashed from the transformed bytes), and its URL
 * module exports `import.meta.ROLLUP_FILE_URL_<ref>`, which the bundler
 * renders for the output format (Vite: its own `__VITE_ASSET__` placeholder,
 * rendered with `base` and `renderBuiltUrl`). At `generateBundle`, the
 * finished bundle is checked (bundle-check.ts), and the debug files its
 * wasm assets name are emitted beside them (instance.debugCompanions).
 * Rolldown's timings warning, when this plugin's callbacks take most of what
 * it lists, becomes one line under the report lines (onLog).
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
   * `load` or `transform`), on a build that warns of nothing without the
   * plugin; the other callbacks it lists then are mostly ones that waited for
   * a core while the transform ran. So a timings warning in which this
   * plugin's callbacks take at least as much as all the others listed
   * becomes one line under the report lines, the others' numbers kept in it
   * (none with `report: false`); the cache makes rebuilds skip the transform.
   * One where other callbacks take more is left as it is: not ours to hide.
   */
  function onLog(_level: string, log: { code?: string; message?: string }): false | undefined {
    if (log.code !== 'PLUGIN_TIMINGS') return undefined
    const line = timingsLine(log.message ?? '')
    if (line === undefined) return undefined
    instance.options.log?.(line)
    return false
  }

  return { target, generateBundle, onLog }
}

/**
 * The line that stands for a [PLUGIN_TIMINGS] message when this plugin's
 * callbacks take at least as much of the build as the others it lists
 * (lines like `  - plugin <name> load (97%, 3.5s, 3 calls)`, or without a
 * time when calls overlapped: `  - plugin <name> transform (12 calls)`, which
 * counts as this plugin's whole share); undefined when they do not, or when
 * it lists none of them.
 */
export function timingsLine(message: string): string | undefined {
  const rows = stripVTControlCharacters(message)
    .split('\n')
    .map(l => /^\s*- (?:plugin )?(\S+) (\S+) \((?:(\d+)%, ([^,]+), )?(\d+ calls?)\)\s*$/.exec(l))
    .filter(m => m !== null)
    .map(([, owner, hook, percent, time, calls]) => ({
      ours: owner === PLUGIN_NAME,
      percent: percent === undefined ? undefined : Number(percent),
      text: `${owner === PLUGIN_NAME ? '' : `${owner} `}${hook} ${time ? `${percent}%, ${time}` : calls}`,
    }))
  const ours = rows.filter(r => r.ours)
  const others = rows.filter(r => !r.ours)
  if (!ours.length) return undefined
  const share = (list: typeof rows) => list.reduce((sum, r) => sum + (r.percent ?? 100), 0)
  if (ours.some(r => r.percent !== undefined) && share(ours) < share(others.filter(r => r.percent !== undefined))) return undefined
  const also = others.length ? `; also listed: ${others.map(r => r.text).join('; ')}` : ''
  return `[fpcast-trampoline] build time: most of this build's JavaScript time was this plugin's wasm transforms (${ours.map(r => r.text).join('; ')}${also}; Rolldown's [PLUGIN_TIMINGS]); the cache makes rebuilds skip them`
}
