/**
 * What only Vite has. Its builds are Rollup-like (rollup-like.ts); here:
 *
 *   - the dev server: a wasm's URL is `<base>@fpcast-trampoline/fs/<path>`,
 *     served transformed by a middleware (dev-server.ts), and a changed wasm
 *     is transformed again and the page reloaded (its URL stays the same);
 *   - dependencies Vite pre-bundles never reach the transform hook: the glue
 *     hook runs inside its optimizer too;
 *   - Vite copies `public/` as it is: glue or wasm there is named in a note;
 *   - the persistent cache goes under Vite's `cacheDir`.
 */
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import type { Plugin as VitePlugin } from 'vite'
import { URL_BINDING } from '../core/glue/locate.ts'
import { recognizeGlue } from '../core/glue/recognize.ts'
import { needsRewrite } from './bundle-check.ts'
import { devUrlPath, devWasmRoute } from './dev-server.ts'
import type { GlueHookResult } from './glue-hook.ts'
import { PLUGIN_NAME, type PluginInstance, type WasmTarget } from './instance.ts'
import { isFile, JS_OR_WASM_RE, JS_RE, stripQuery } from './paths.ts'
import type { PreparedWasm } from './wasm-store.ts'

export function viteFamily(instance: PluginInstance, transformGlue: (code: string, id: string) => Promise<GlueHookResult | undefined>) {
  /** Set when Vite serves (the dev server): its `base`, ending in `/`. */
  let dev: { base: string } | undefined
  let publicDir: string | false | undefined
  /** Dev server: wasm files handed out so far (others must be inside server.fs.allow). */
  const handedOut = new Set<string>()
  /** Their folders, as their dev URLs name them: the only places their debug files are served. */
  const handedOutFolders = new Set<string>()

  const devUrl = (w: PreparedWasm): string => {
    handedOut.add(existsSync(w.file) ? realpathSync(w.file) : w.file)
    handedOutFolders.add(dirname(w.file))
    return devUrlPath(dev!.base, w.file)
  }

  const devTarget: WasmTarget = {
    async urlPrologue(wasmPath, glueId) {
      const w = await instance.store.fromFile(wasmPath, glueId, 'dev-server')
      return `var ${URL_BINDING} = new URL(${JSON.stringify(devUrl(w))}, typeof location != "undefined" ? location.href : "http://localhost/").href;`
    },
    async urlModule(wasmPath, importer) {
      const w = await instance.store.fromFile(wasmPath, importer, 'dev-server')
      // Not `new URL('<literal>', import.meta.url)`: Vite's dev server would rewrite that as an asset of its own.
      return `export default new URL(${JSON.stringify(devUrl(w))}, globalThis.location ? globalThis.location.href : import.meta.url).href;\n`
    },
  }

  const hooks: Partial<VitePlugin> = {
    buildStart() {
      if (!dev) checkPublicDir(instance, publicDir)
    },
    config(_config, env) {
      if (env.command !== 'serve') return
      // Dependencies that Vite pre-bundles never reach the transform hook: run there too.
      return { optimizeDeps: { rolldownOptions: { plugins: [optimizerPlugin(instance, transformGlue)] } } }
    },
    configResolved(config) {
      instance.root = config.root
      instance.viteCacheDir = config.cacheDir
      publicDir = config.publicDir
      if (config.command === 'serve') dev = { base: config.base.endsWith('/') ? config.base : `${config.base}/` }
    },
    async configureServer(server) {
      checkPublicDir(instance, publicDir)
      const { isFileServingAllowed } = await import('vite')
      server.middlewares.use(
        devWasmRoute({
          base: dev?.base ?? '/',
          handedOut,
          filter: file => instance.options.filter(file),
          servingAllowed: file => isFileServingAllowed(server.config, file),
          transform: file => instance.store.fromFile(file, file, 'dev-server').then(w => w.bytes),
          companion: file => (handedOutFolders.has(dirname(file)) ? instance.store.companion(basename(file))?.source : undefined),
          logError: message => server.config.logger.error(message),
        }),
      )
    },
    handleHotUpdate({ file, server }) {
      // The dev URL of a wasm does not change with its content; a reload fetches the re-transformed bytes.
      if (!instance.store.inputs.has(file)) return
      instance.store.invalidate(file)
      server.ws.send({ type: 'full-reload' })
      return []
    },
  }

  return {
    /** The dev server's target, once Vite serves; undefined in a build. */
    devTarget: (): WasmTarget | undefined => (dev ? devTarget : undefined),
    hooks,
  }
}

/** The glue hook as a plugin of Vite's dependency optimizer. */
function optimizerPlugin(instance: PluginInstance, transformGlue: (code: string, id: string) => Promise<GlueHookResult | undefined>) {
  return {
    name: `${PLUGIN_NAME}:optimize-deps`,
    async transform(code: string, id: string) {
      const file = stripQuery(id)
      if (!JS_RE.test(file) || !instance.options.filter(file)) return undefined
      return transformGlue(code, id)
    },
  }
}

/** Glue or wasm in Vite's public directory ships untransformed: one note each. */
function checkPublicDir(instance: PluginInstance, publicDir: string | false | undefined): void {
  if (!publicDir || !existsSync(publicDir)) return
  for (const name of readdirSync(publicDir, { recursive: true, encoding: 'utf8' })) {
    const path = join(publicDir, name)
    if (!JS_OR_WASM_RE.test(name) || !isFile(path) || !instance.options.filter(path)) continue
    const wasm = name.endsWith('.wasm')
    if (wasm ? needsRewrite(new Uint8Array(readFileSync(path))) : recognizeGlue(readFileSync(path, 'utf8'), { fileName: path }).kind === 'glue') {
      instance.note(
        path,
        `is in Vite's public directory, which Vite copies as it is: ${wasm ? 'this wasm' : 'this Emscripten glue'} ships untransformed. Import the glue from your code instead (or run the CLI on it), or exclude it to silence this`,
      )
    }
  }
}
