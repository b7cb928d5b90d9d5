/**
 * webpack and Rspack: a wasm's URL module is
 * `new URL("<wasm>?fpcast-trampoline-asset=<key>", import.meta.url).href`;
 * a module rule routes that request to an `asset/resource` module fed by our
 * raw loader (webpack-loader.ts), so the bundler emits the transformed bytes
 * under a content-hashed name. With `experiments.asyncWebAssembly`,
 * `import { f } from './x.wasm'` is ours too (virtual-modules.ts, `esm/`).
 * After the assets are processed, the compilation is checked
 * (bundle-check.ts; our assets are those carrying our custom section) and
 * the debug files they name are emitted beside them.
 */
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Compiler as RspackCompiler } from '@rspack/core'
import type { Compiler as WebpackCompiler } from 'webpack'
import type { BundleFile } from './bundle-check.ts'
import { isRewritten } from './bundle-check.ts'
import { PLUGIN_NAME, type PluginInstance, type WasmTarget } from './instance.ts'
import { loaderRegistry } from './loader-registry.ts'
import { escapeRegExp, JS_OR_WASM_RE, JS_RE, stripQuery } from './paths.ts'
import { PREFIX, virtualId } from './virtual-modules.ts'
import { PLUGIN_VERSION } from './wasm-store.ts'

/** Query that routes a wasm request to the asset rule. */
const WEBPACK_ASSET_QUERY = 'fpcast-trampoline-asset'
const LOADER = fileURLToPath(new URL('./webpack-loader.js', import.meta.url))

type Compiler = WebpackCompiler | RspackCompiler

export function webpackFamily(instance: PluginInstance) {
  const instanceKey = `${PLUGIN_VERSION}:${Math.random().toString(36).slice(2)}`
  // Instances with other options make other assets of one wasm.
  const assetQuery = `${WEBPACK_ASSET_QUERY}=${hashKey(instance.options.transformKey)}`
  /** `experiments.asyncWebAssembly`: `import { f } from './x.wasm'` is ours to provide. */
  let asyncWebAssembly = false

  const target: WasmTarget = {
    absoluteUrl: true,
    async urlModule(wasmPath, importer) {
      await instance.store.fromFile(wasmPath, importer, 'asset')
      return `export default new URL(${JSON.stringify(`${wasmPath}?${assetQuery}`)}, import.meta.url).href;\n`
    },
  }

  /** The id of a plain `import { f } from './x.wasm'` from JS, under async WebAssembly; undefined for any other import. */
  function resolveWasmImport(source: string, importer: string | undefined): string | undefined {
    if (!asyncWebAssembly || !source.endsWith('.wasm') || !importer || !JS_RE.test(stripQuery(importer)) || importer.includes(PREFIX)) return undefined
    const path = instance.resolveWasmRequest(source, importer)
    if (!instance.options.filter(path)) return undefined
    instance.claim(path)
    return virtualId('esm', path)
  }

  /** The `webpack` and `rspack` hook of the plugin. */
  function apply(compiler: Compiler): void {
    instance.root = compiler.options.context ?? instance.root
    asyncWebAssembly = !!compiler.options.experiments?.asyncWebAssembly
    loaderRegistry().set(instanceKey, { wasm: async (path, importer) => (await instance.store.fromFile(path, importer, 'asset')).bytes })
    addAssetRule(compiler, instanceKey, assetQuery)
    checkAssets(compiler, instance)
    compiler.hooks.shutdown.tap(PLUGIN_NAME, () => {
      loaderRegistry().delete(instanceKey)
    })
  }

  return { target, resolveWasmImport, apply }
}

/** A short stable hash of a text (FNV-1a), with the plugin version. */
function hashKey(text: string): string {
  let h = 2166136261
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619)
  return `${PLUGIN_VERSION.replace(/[^\w.]/g, '')}-${(h >>> 0).toString(36)}`
}

/** Routes `<wasm>?fpcast-trampoline-asset=<key>` requests to an asset module made by our raw loader. */
function addAssetRule(compiler: Compiler, instanceKey: string, assetQuery: string): void {
  const configured = compiler.options.output?.assetModuleFilename
  const filename = typeof configured === 'string' ? configured.replace('[query]', '') : '[name].[contenthash:10][ext]'
  compiler.options.module.rules.push({
    resourceQuery: new RegExp(`[?&]${escapeRegExp(assetQuery)}(?:&|$)`),
    type: 'asset/resource',
    generator: { filename: filename.includes('[hash]') || filename.includes('[contenthash') ? filename : '[name].[contenthash:10][ext]' },
    use: [{ loader: LOADER, options: { instance: instanceKey } }],
  })
}

/** The finished compilation's check; `?url` assets whose runtime did not ship get their original bytes back. */
function checkAssets(compiler: Compiler, instance: PluginInstance): void {
  compiler.hooks.thisCompilation.tap(PLUGIN_NAME, compilation => {
    compilation.hooks.processAssets.tap({ name: PLUGIN_NAME, stage: compiler.webpack.Compilation.PROCESS_ASSETS_STAGE_REPORT }, assets => {
      const files: BundleFile[] = []
      const ours = new Map<string, string | undefined>()
      for (const [fileName, asset] of Object.entries(assets)) {
        if (!JS_OR_WASM_RE.test(fileName)) continue
        const raw = asset.source()
        const source = fileName.endsWith('.wasm') ? new Uint8Array(Buffer.isBuffer(raw) ? raw : Buffer.from(raw)) : String(raw)
        files.push({ fileName, source })
        if (typeof source !== 'string' && isRewritten(source)) {
          // Rspack keeps no assetsInfo: there its assets are not traced back to their inputs.
          const from = 'assetsInfo' in compilation ? compilation.assetsInfo?.get(fileName)?.sourceFilename : undefined
          ours.set(fileName, from ? resolve(compiler.options.context ?? process.cwd(), from) : undefined)
        }
      }
      const restored = instance.checkFinishedBundle(files, ours)
      for (const [name, bytes] of restored) compilation.updateAsset(name, new compiler.webpack.sources.RawSource(Buffer.from(bytes)))
      const shipped = files.map(f => ({ fileName: f.fileName, source: restored.get(f.fileName) ?? f.source }))
      // Flagged `development`, as the bundler flags its own source maps: size hints leave them out (a stock build ships no such file).
      for (const f of instance.debugCompanions(shipped))
        compilation.emitAsset(f.fileName, new compiler.webpack.sources.RawSource(typeof f.source === 'string' ? f.source : Buffer.from(f.source)), {
          development: true,
        })
    })
  })
}
