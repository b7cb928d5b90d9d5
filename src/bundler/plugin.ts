/**
 * The bundler plugin, one implementation for Vite, webpack, Rollup, Rolldown,
 * esbuild and Rspack (unplugin). It connects the pure stages:
 *
 *   glue.js --recognizeGlue--> app.wasm --transformWasm (worker pool, cache: wasm-store.ts)--> bytes
 *      \--rewriteGlueWasm (locate the emitted asset, inject the runtime, source map: glue-hook.ts)
 *
 * and puts the transformed bytes where each bundler wants assets, through
 * one `WasmTarget` per bundler family:
 *
 * | bundler                | asset                                          | URL at run time                              | file           |
 * | ---------------------- | ---------------------------------------------- | -------------------------------------------- | -------------- |
 * | Rollup, Rolldown, Vite | `this.emitFile` (name hashed from the bytes)   | `import.meta.ROLLUP_FILE_URL_<ref>` (Vite: its `__VITE_ASSET__` placeholder) | rollup-like.ts |
 * | Vite dev server        | a middleware, re-transforming changed files    | `<base>@fpcast-trampoline/fs/<path>`         | vite.ts        |
 * | webpack, Rspack        | an `asset/resource` module fed by a raw loader | `new URL(asset, import.meta.url)`            | webpack.ts     |
 * | esbuild                | the `file` loader, fed binary contents         | `new URL(file, import.meta.url)` (esm)       | esbuild.ts     |
 *
 * The glue gets the URL from a virtual module (virtual-modules.ts),
 * `fpcast-trampoline/url/<wasm path>`, which is also what
 * `import url from './x.wasm?url'` resolves to; `./x.wasm?init` resolves to a
 * module that instantiates through the runtime, and (webpack/Rspack async
 * WebAssembly) `import { f } from './x.wasm'` to one that re-exports the
 * instance's exports. Binary content never goes through unplugin's shared
 * load and transform hooks, which carry strings: those only carry JS here.
 */
import { createUnplugin, type UnpluginFactory, type UnpluginOptions } from 'unplugin'
import { FpcastError } from '../core/errors.ts'
import { esbuildFamily } from './esbuild.ts'
import { transformGlueModule } from './glue-hook.ts'
import { type Framework, PLUGIN_NAME, PluginInstance, type WasmTarget } from './instance.ts'
import { type Options, resolvePluginOptions } from './options.ts'
import { JS_RE, stripQuery } from './paths.ts'
import { rollupLikeFamily } from './rollup-like.ts'
import { esmIntegrationModule, FILE_PREFIX, initModule, PREFIX, parseVirtualId, runtimeModule, virtualId } from './virtual-modules.ts'
import { viteFamily } from './vite.ts'
import { webpackFamily } from './webpack.ts'

export { PLUGIN_NAME }

const WASM_QUERY_RE = /\.wasm\?(url|init)$/

export const unpluginFactory: UnpluginFactory<Options | undefined, false> = (rawOptions, meta) => {
  const instance = new PluginInstance(resolvePluginOptions(rawOptions), meta.framework)
  const { options, store } = instance
  const rollupLike = rollupLikeFamily(instance)
  const webpack = webpackFamily(instance)
  const esbuild = esbuildFamily(instance)
  const vite = viteFamily(instance, (code, id) => transformGlueModule(instance, target(), code, id, {}))
  const families: Partial<Record<Framework, WasmTarget>> = {
    rollup: rollupLike.target,
    rolldown: rollupLike.target,
    vite: rollupLike.target,
    webpack: webpack.target,
    rspack: webpack.target,
    esbuild: esbuild.target,
  }
  const buildTarget = families[meta.framework] ?? unsupported(meta.framework)
  /** Where this bundler puts a transformed wasm now (Vite's dev server has its own). */
  const target = (): WasmTarget => vite.devTarget() ?? buildTarget

  const plugin: UnpluginOptions = {
    name: PLUGIN_NAME,
    enforce: 'pre',

    resolveId(source, importer) {
      if (source.startsWith(`\0${PREFIX}`)) return source
      if (source.startsWith(PREFIX)) {
        if (source.startsWith(FILE_PREFIX)) return undefined
        return instance.rollupLike ? `\0${source}` : source
      }
      const esm = webpack.resolveWasmImport(source, importer)
      if (esm) return esm
      const m = WASM_QUERY_RE.exec(source)
      if (!m) return undefined
      const path = instance.resolveWasmRequest(source, importer)
      if (!options.filter(path)) return undefined
      instance.claim(path)
      return virtualId(m[1] === 'url' ? 'url' : 'init', path, instance.rollupLike)
    },

    load: {
      filter: { id: /fpcast-trampoline(?:\/|%2F)/ },
      async handler(rawId) {
        const module = parseVirtualId(rawId)
        if (!module) return undefined
        if (module.kind === 'runtime') return runtimeModule()
        const { kind, wasmPath } = module
        if (!instance.owns(wasmPath)) return undefined
        if (kind === 'init') return initModule(wasmPath)
        this.addWatchFile?.(wasmPath)
        if (kind === 'url') return target().urlModule(wasmPath, wasmPath, this)
        await store.fromFile(wasmPath, wasmPath, 'asset')
        return esmIntegrationModule(wasmPath)
      },
    },

    transform: {
      filter: { id: { include: [JS_RE, /\.[cm]?js\?/] } },
      async handler(code, id) {
        const file = stripQuery(id)
        if (!JS_RE.test(file) || id.includes(PREFIX) || !options.filter(file)) return undefined
        return transformGlueModule(instance, target(), code, id, this)
      },
    },

    rollup: { generateBundle: rollupLike.generateBundle },
    rolldown: { generateBundle: rollupLike.generateBundle, onLog: rollupLike.onLog },
    vite: { generateBundle: rollupLike.generateBundle, onLog: rollupLike.onLog, ...vite.hooks },
    webpack: webpack.apply,
    rspack: webpack.apply,
    esbuild: { config: esbuild.config, setup: esbuild.setup },
  }
  return plugin
}

/** Bundlers unplugin serves but this plugin does not (farm, bun, ...): an error at the first wasm URL. */
function unsupported(framework: Framework): WasmTarget {
  return {
    urlModule: async () => {
      throw new FpcastError(`bundler '${framework}' is not supported; use Vite, webpack, Rollup, Rolldown, esbuild or Rspack`)
    },
  }
}

/** The plugin for every bundler; `unplugin-fpcast-trampoline/<bundler>` re-exports one of them. */
export const unplugin = createUnplugin(unpluginFactory)

/** A plugin factory as `require()` of an entry returns it: callable, with itself as `.default` too. */
export function forRequire<F extends (options?: Options) => unknown>(factory: F): F & { default: F } {
  return Object.assign((options?: Options) => factory(options), { default: factory }) as unknown as F & { default: F }
}
