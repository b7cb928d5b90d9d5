/**
 * The bundler plugin, one implementation for Vite, webpack, Rollup, Rolldown,
 * esbuild and Rspack (unplugin). It connects the pure stages:
 *
 *   glue.js --findWasmOfGlue--> app.wasm --transformWasm (worker pool, cache)--> bytes
 *      \--rewriteGlueWasm (locate the emitted asset, inject the runtime, source map)
 *
 * and puts the transformed bytes where each bundler wants assets:
 *
 * | bundler                | asset                                          | URL at run time                              |
 * | ---------------------- | ---------------------------------------------- | -------------------------------------------- |
 * | Rollup, Rolldown, Vite | `this.emitFile` (name hashed from the bytes)   | `import.meta.ROLLUP_FILE_URL_<ref>` (Vite: its `__VITE_ASSET__` placeholder) |
 * | Vite dev server        | a middleware, re-transforming changed files    | `<base>@fpcast-trampoline/fs/<path>`         |
 * | webpack, Rspack        | an `asset/resource` module fed by a raw loader | `new URL(asset, import.meta.url)`            |
 * | esbuild                | the `file` loader, fed binary contents         | `new URL(file, import.meta.url)` (esm)       |
 *
 * The glue gets the URL from a virtual module, `fpcast-trampoline/url/<wasm
 * path>`, which is also what `import url from './x.wasm?url'` resolves to;
 * `./x.wasm?init` resolves to a module that instantiates through the runtime,
 * and (webpack/Rspack async WebAssembly) `import { f } from './x.wasm'` to one
 * that re-exports the instance's exports. Binary content never goes through
 * unplugin's shared load and transform hooks, which carry strings: those only
 * carry JS here.
 */
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, isAbsolute, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createUnplugin, type UnpluginContextMeta, type UnpluginFactory, type UnpluginOptions } from 'unplugin'
import { FpcastError } from '../core/errors.ts'
import { runtimeSource } from '../core/glue/instantiate.ts'
import { recognizeGlue } from '../core/glue/recognize.ts'
import { LOCATE_BINDING, rewriteGlueWasm, URL_BINDING } from '../core/glue/locate.ts'
import { type BundleFile, checkBundle, isRewritten, needsRewrite } from './bundle-check.ts'
import { devUrlPath, devWasmRoute } from './dev-server.ts'
import { type Options, resolvePluginOptions } from './options.ts'
import { PLUGIN_VERSION, type PreparedWasm, WasmStore } from './wasm-store.ts'

export const PLUGIN_NAME = 'unplugin-fpcast-trampoline'
// Not `scheme:` ids: webpack hands those to scheme handlers before any resolver plugin sees them.
const PREFIX = 'fpcast-trampoline/'
const URL_PREFIX = `${PREFIX}url/`
const INIT_PREFIX = `${PREFIX}init/`
const FILE_PREFIX = `${PREFIX}file/`
const ESM_PREFIX = `${PREFIX}esm/`
const RUNTIME_ID = `${PREFIX}runtime`
/** Query that routes a wasm request to the webpack/Rspack asset rule. */
export const WEBPACK_ASSET_QUERY = 'fpcast-trampoline-asset'
const JS_RE = /\.[cm]?js$/
const WASM_QUERY_RE = /\.wasm\?(url|init)$/
const REGISTRY = Symbol.for('unplugin-fpcast-trampoline')

type Framework = UnpluginContextMeta['framework']

/** What the webpack/Rspack loader reaches through the process-wide registry. */
export interface LoaderApi {
  wasm(path: string, importer: string): Promise<Uint8Array>
}

function registry(): Map<string, LoaderApi> {
  const g = globalThis as unknown as Record<symbol, Map<string, LoaderApi>>
  return (g[REGISTRY] ??= new Map())
}

/** The module that loads a wasm for `?init`: the runtime instantiates it. */
function initModule(wasmPath: string): string {
  return `import url from ${JSON.stringify(URL_PREFIX + wasmPath)};
import { instantiate } from ${JSON.stringify(RUNTIME_ID)};
/** Instantiates the transformed wasm with these imports; resolves to the WebAssembly.Instance. */
export default function init(imports) {
  return instantiate(url, imports).then(function (r) { return r.instance; });
}
`
}

/**
 * What webpack's async WebAssembly makes of `import { f } from './x.wasm'`,
 * instantiated through the runtime instead: every import module of the wasm
 * is imported as a JS module, the instance is awaited at the top level, and
 * its exports are re-exported under their names.
 */
function esmIntegrationModule(wasmPath: string): string {
  let module: WebAssembly.Module
  try {
    module = new WebAssembly.Module(readFileSync(wasmPath))
  } catch (e) {
    throw new FpcastError(
      `cannot read the imports and exports of this wasm to import it directly (${(e as Error).message}); import it with ?url or ?init instead`,
      { file: wasmPath, cause: e },
    )
  }
  const modules = [...new Set(WebAssembly.Module.imports(module).map(i => i.module))]
  const lines = modules.map((m, i) => `import * as __fpcast_import${i} from ${JSON.stringify(m)};`)
  lines.push(
    `import url from ${JSON.stringify(URL_PREFIX + wasmPath)};`,
    `import { instantiate } from ${JSON.stringify(RUNTIME_ID)};`,
    `const { instance } = await instantiate(url, { ${modules.map((m, i) => `${JSON.stringify(m)}: __fpcast_import${i}`).join(', ')} });`,
  )
  for (const { name } of WebAssembly.Module.exports(module)) {
    lines.push(
      /^[A-Za-z_$][\w$]*$/.test(name) && name !== 'default'
        ? `export const ${name} = instance.exports[${JSON.stringify(name)}];`
        : `const __fpcast_export_${lines.length} = instance.exports[${JSON.stringify(name)}]; export { __fpcast_export_${lines.length} as ${JSON.stringify(name)} };`,
    )
  }
  return `${lines.join('\n')}\n`
}

function runtimeModule(): string {
  return `export const WebAssembly = (${runtimeSource()})(globalThis.WebAssembly);
/** Fetches (or, under Node, reads) a transformed wasm and instantiates it through the runtime. */
export async function instantiate(url, imports) {
  const node = typeof process == "object" && process.versions && process.versions.node && /^file:/.test(url);
  if (node) return WebAssembly.instantiate(process.getBuiltinModule("fs").readFileSync(new URL(url)), imports);
  const response = await fetch(url);
  if (!response.ok) throw new Error("[fpcast-trampoline] cannot fetch " + url + ": HTTP " + response.status);
  try {
    return await WebAssembly.instantiateStreaming(response.clone(), imports);
  } catch (e) {
    // A server that does not send application/wasm: compile from the bytes.
    if (!(e instanceof TypeError)) throw e;
    return WebAssembly.instantiate(await response.arrayBuffer(), imports);
  }
}
`
}

export const unpluginFactory: UnpluginFactory<Options | undefined, false> = (rawOptions, meta) => {
  const options = resolvePluginOptions(rawOptions)
  const framework: Framework = meta.framework
  const rollupLike = framework === 'rollup' || framework === 'rolldown' || framework === 'vite'
  let root = process.cwd()
  let viteDev: { base: string } | undefined
  let viteCacheDir: string | undefined
  let vitePublicDir: string | false | undefined
  const store = new WasmStore(options, () =>
    viteCacheDir ? join(viteCacheDir, 'fpcast-trampoline') : join(root, 'node_modules/.cache/unplugin-fpcast-trampoline'),
  )
  /** Dev server: wasm files handed out so far (others must be inside server.fs.allow). */
  const devAssets = new Set<string>()
  /** Wasm files a recognised glue loads (the runtime ships with them); the others were asked for with `?url` and the like. */
  const glueWasm = new Set<string>()
  /** Rollup-like builds: the wasm assets this instance emitted (reference -> input path). */
  const emittedRefs = new Map<string, string>()
  /**
   * Wasm files whose virtual modules this instance made. Every instance sees
   * every `fpcast-trampoline/...` id: with several instances (different
   * options for different files), each loads and serves only its own.
   */
  const owned = new Set<string>()
  const owns = (wasmPath: string) => owned.has(wasmPath) || options.filter(wasmPath)
  const instanceKey = `${PLUGIN_VERSION}:${Math.random().toString(36).slice(2)}`
  const assetQuery = `${WEBPACK_ASSET_QUERY}=${createHashKey(options.transformKey)}`
  registry().set(instanceKey, {
    wasm: async (path, importer) => (await store.fromFile(path, importer, 'asset')).bytes,
  })
  let esbuildFormat: 'esm' | 'cjs' | 'iife' = 'esm'
  /** webpack/Rspack with `experiments.asyncWebAssembly`: `import { f } from './x.wasm'` is ours to provide. */
  let asyncWebAssembly = false

  function devUrl(w: PreparedWasm): string {
    devAssets.add(existsSync(w.file) ? realpathSync(w.file) : w.file)
    return devUrlPath(viteDev!.base, w.file)
  }

  /** Code that defines `__fpcast_wasm_url` in a glue, for this bundler. */
  async function urlPrologue(wasmPath: string, glueId: string, esm: boolean): Promise<string> {
    owned.add(wasmPath)
    if (viteDev) {
      const w = await store.fromFile(wasmPath, glueId, 'dev-server')
      return `var ${URL_BINDING} = new URL(${JSON.stringify(devUrl(w))}, typeof location != "undefined" ? location.href : "http://localhost/").href;`
    }
    // Transform now, so that errors point at the glue and files transform in parallel.
    await store.fromFile(wasmPath, glueId, 'asset')
    const id = JSON.stringify(URL_PREFIX + wasmPath)
    return esm ? `import ${URL_BINDING} from ${id};` : `var ${URL_BINDING} = require(${id}).default;`
  }

  /** The URL module for this bundler: its default export is the absolute URL of the transformed wasm. */
  async function urlModule(ctx: { emitFile?: (f: any) => string }, wasmPath: string, importer: string): Promise<string> {
    if (viteDev) {
      const w = await store.fromFile(wasmPath, importer, 'dev-server')
      // Not `new URL('<literal>', import.meta.url)`: Vite's dev server would rewrite that as an asset of its own.
      return `export default new URL(${JSON.stringify(devUrl(w))}, globalThis.location ? globalThis.location.href : import.meta.url).href;\n`
    }
    if (rollupLike) {
      const w = await store.fromFile(wasmPath, importer, 'asset')
      const ref = ctx.emitFile!({ type: 'asset', name: w.name, source: w.bytes })
      emittedRefs.set(ref, wasmPath)
      // Vite renders its own placeholder with `base` and `renderBuiltUrl` (relative base: import.meta.url based).
      if (framework === 'vite' && /^[\w$]{22}$/.test(ref)) return `export default "__VITE_ASSET__${ref}__";\n`
      return `export default import.meta.ROLLUP_FILE_URL_${ref};\n`
    }
    if (framework === 'webpack' || framework === 'rspack') {
      await store.fromFile(wasmPath, importer, 'asset')
      return `export default new URL(${JSON.stringify(`${wasmPath}?${assetQuery}`)}, import.meta.url).href;\n`
    }
    if (framework === 'esbuild') {
      const file = JSON.stringify(FILE_PREFIX + wasmPath)
      const base =
        esbuildFormat === 'esm'
          ? 'import.meta.url'
          : esbuildFormat === 'cjs'
            ? `(typeof __dirname == "string" ? "file://" + (__dirname[0] === "/" ? "" : "/") + __dirname.replace(/\\\\/g, "/") + "/" : location.href)`
            : '__fpcast_base'
      const head =
        esbuildFormat === 'iife'
          ? 'var __fpcast_base = typeof document != "undefined" && document.currentScript ? document.currentScript.src : typeof location != "undefined" ? location.href : "file:///";\n'
          : ''
      return `import file from ${file};\n${head}export default new URL(file, ${base}).href;\n`
    }
    throw new FpcastError(`bundler '${framework}' is not supported; use Vite, webpack, Rollup, Rolldown, esbuild or Rspack`)
  }

  function resolveWasmRequest(source: string, importer: string | undefined): string {
    const spec = source.replace(/\?.*$/, '')
    if (isAbsolute(spec)) return spec
    const from = importer && isAbsolute(importer.replace(/\?.*$/, '')) ? importer.replace(/\?.*$/, '') : join(root, 'index.js')
    if (spec.startsWith('.')) return resolve(dirname(from), spec)
    try {
      return createRequire(from).resolve(spec)
    } catch (e) {
      throw new FpcastError(`cannot resolve '${source}' from ${from}: ${(e as Error).message.split('\n')[0]}`, { file: importer, cause: e })
    }
  }

  /** One line about a file left as it was, under the report lines (silenced with `report: false`). */
  function note(file: string, why: string) {
    const shown = isAbsolute(file) && !relative(process.cwd(), file).startsWith('..') ? relative(process.cwd(), file) : file
    options.log?.(`[fpcast-trampoline] note: ${shown}: ${why}`)
  }

  /**
   * Rewrites one glue module; undefined when it is left as it is. A file the
   * user did not name is never an error: it is left alone, with a note when
   * a wasm ships untransformed because of it (glue-recognize.ts decides).
   */
  async function transformGlueModule(code: string, id: string, ctx: { addWatchFile?: (f: string) => void }) {
    const file = id.replace(/\?.*$/, '')
    // Already rewritten by this plugin (Vite's pre-bundled deps pass through the transform hook again).
    if (code.includes(`function ${LOCATE_BINDING}(`)) return undefined
    const named = options.wasmFor(file)
    const explicit = named !== undefined || options.explicitInclude
    const dir = dirname(file)
    const decision = recognizeGlue(code, { fileName: file, wasmName: named, needLocate: true, exists: name => isFile(resolve(dir, name)) })
    if (decision.kind === 'skip') {
      if (explicit && code.includes('WebAssembly')) {
        throw new FpcastError(
          `this file matches the plugin's ${named !== undefined ? "'wasm'" : 'include'} option but is not Emscripten glue the plugin can rewrite: it ${decision.why}. Narrow the option, or add the file to exclude`,
          { file },
        )
      }
      if (decision.warn) note(file, decision.why)
      return undefined
    }
    try {
      const { wasm, syntax } = decision
      if (decision.note) note(file, decision.note)
      if (!wasm) return rewriteGlueWasm(code, { fileName: file, syntax })
      if (wasm.kind === 'embedded') {
        const w = await store.fromBytes(wasm.embedded.bytes, `${file} (embedded ${wasm.embedded.embedding} wasm)`, file)
        return rewriteGlueWasm(code, { fileName: file, wasm, syntax, bytes: w.bytes })
      }
      const wasmPath = resolve(dir, wasm.name)
      ctx.addWatchFile?.(wasmPath)
      glueWasm.add(wasmPath)
      const urlPrologueCode = await urlPrologue(wasmPath, file, syntax.esm)
      // webpack and Rspack: their URL module answers an absolute URL (new URL(asset, import.meta.url).href).
      const absoluteUrl = framework === 'webpack' || framework === 'rspack'
      return rewriteGlueWasm(code, { fileName: file, wasm, syntax, urlPrologue: urlPrologueCode, absoluteUrl })
    } catch (e) {
      if (explicit) throw e
      note(file, `left as it was: ${(e as Error).message.replace(/^\[fpcast-trampoline\] /, '')}`)
      return undefined
    }
  }

  /** Says what ships untransformed, and takes back a `?url` wasm whose runtime is not in the bundle (bundle-check.ts). */
  function checkFinishedBundle(files: BundleFile[], ours: Map<string, string | undefined>): Map<string, Uint8Array> {
    const originals = new Map<string, Uint8Array | undefined>()
    for (const [fileName, path] of ours) originals.set(fileName, path && !glueWasm.has(path) && isFile(path) ? new Uint8Array(readFileSync(path)) : undefined)
    const verdict = checkBundle(files, originals)
    for (const line of verdict.notes) options.log?.(`[fpcast-trampoline] note: ${line}`)
    return verdict.restore
  }

  /** Vite copies public/ as it is: glue or wasm there ships untransformed. */
  function checkPublicDir(publicDir: string | false | undefined) {
    if (!publicDir || !existsSync(publicDir)) return
    for (const name of readdirSync(publicDir, { recursive: true, encoding: 'utf8' })) {
      const path = join(publicDir, name)
      if (!/\.(?:[cm]?js|wasm)$/.test(name) || !isFile(path) || !options.filter(path)) continue
      if (
        name.endsWith('.wasm')
          ? needsRewrite(new Uint8Array(readFileSync(path)))
          : recognizeGlue(readFileSync(path, 'utf8'), { fileName: path }).kind === 'glue'
      ) {
        note(
          path,
          `is in Vite's public directory, which Vite copies as it is: ${name.endsWith('.wasm') ? 'this wasm' : 'this Emscripten glue'} ships untransformed. Import the glue from your code instead (or run the CLI on it), or exclude it to silence this`,
        )
      }
    }
  }

  /** Rollup, Rolldown and Vite builds: the finished bundle's check (bundle-check.ts). */
  function generateBundle(this: any, _output: unknown, bundle: Record<string, any>) {
    const ours = new Map<string, string | undefined>()
    for (const [ref, path] of emittedRefs) {
      try {
        ours.set(this.getFileName(ref), path)
      } catch {}
    }
    const files: BundleFile[] = Object.values(bundle).map(o => ({ fileName: o.fileName, source: o.type === 'chunk' ? o.code : o.source }))
    for (const [name, bytes] of checkFinishedBundle(files, ours)) bundle[name].source = bytes
  }

  const plugin: UnpluginOptions = {
    name: PLUGIN_NAME,
    enforce: 'pre',

    resolveId(source, importer) {
      if (source.startsWith(`\0${PREFIX}`)) return source
      if (source.startsWith(PREFIX)) {
        if (source.startsWith(FILE_PREFIX)) return undefined
        return rollupLike ? `\0${source}` : source
      }
      if (asyncWebAssembly && /\.wasm$/.test(source) && importer && JS_RE.test(importer.replace(/\?.*$/, '')) && !importer.includes(PREFIX)) {
        const path = resolveWasmRequest(source, importer)
        if (!options.filter(path)) return undefined
        owned.add(path)
        return ESM_PREFIX + path
      }
      const m = WASM_QUERY_RE.exec(source)
      if (!m) return undefined
      const path = resolveWasmRequest(source, importer)
      if (!options.filter(path)) return undefined
      owned.add(path)
      const id = (m[1] === 'url' ? URL_PREFIX : INIT_PREFIX) + path
      return rollupLike ? `\0${id}` : id
    },

    load: {
      filter: { id: /fpcast-trampoline(?:\/|%2F)/ },
      async handler(rawId) {
        // Rollup-like: `\0<id>`; webpack: `<context>/_virtual_<encoded id>`.
        const decoded = decodeURIComponent(rawId.replace(/^\0/, ''))
        const virtual = decoded.indexOf(`_virtual_${PREFIX}`)
        const id = decoded.startsWith(PREFIX) ? decoded : virtual >= 0 ? decoded.slice(virtual + '_virtual_'.length) : undefined
        if (!id) return undefined
        if (id === RUNTIME_ID) return runtimeModule()
        const prefix = [INIT_PREFIX, ESM_PREFIX, URL_PREFIX].find(p => id.startsWith(p))
        if (prefix && !owns(id.slice(prefix.length))) return undefined
        if (id.startsWith(INIT_PREFIX)) return initModule(id.slice(INIT_PREFIX.length))
        if (id.startsWith(ESM_PREFIX)) {
          const wasmPath = id.slice(ESM_PREFIX.length)
          ;(this as any).addWatchFile?.(wasmPath)
          await store.fromFile(wasmPath, wasmPath, 'asset')
          return esmIntegrationModule(wasmPath)
        }
        if (id.startsWith(URL_PREFIX)) {
          const wasmPath = id.slice(URL_PREFIX.length)
          ;(this as any).addWatchFile?.(wasmPath)
          return urlModule(this as any, wasmPath, wasmPath)
        }
        return undefined
      },
    },

    transform: {
      filter: { id: { include: [JS_RE, /\.[cm]?js\?/] } },
      async handler(code, id) {
        const file = id.replace(/\?.*$/, '')
        if (!JS_RE.test(file) || id.includes(PREFIX) || !options.filter(file)) return undefined
        const r = await transformGlueModule(code, id, this as any)
        return r ? { code: r.code, map: r.map as any } : undefined
      },
    },

    rollup: { generateBundle },
    rolldown: { generateBundle } as any,
    vite: {
      generateBundle,
      buildStart() {
        if (!viteDev) checkPublicDir(vitePublicDir)
      },
      config(_config, env) {
        if (env.command !== 'serve') return
        // Dependencies that Vite pre-bundles never reach the transform hook: run there too.
        const optimizerPlugin = {
          name: `${PLUGIN_NAME}:optimize-deps`,
          async transform(code: string, id: string) {
            const file = id.replace(/\?.*$/, '')
            if (!JS_RE.test(file) || !options.filter(file)) return undefined
            const r = await transformGlueModule(code, id, {})
            return r ? { code: r.code, map: r.map as any } : undefined
          },
        }
        return { optimizeDeps: { rolldownOptions: { plugins: [optimizerPlugin] } } } as any
      },
      configResolved(config) {
        root = config.root
        viteCacheDir = config.cacheDir
        vitePublicDir = config.publicDir
        if (config.command === 'serve') viteDev = { base: config.base.endsWith('/') ? config.base : `${config.base}/` }
      },
      async configureServer(server) {
        checkPublicDir(vitePublicDir)
        const { isFileServingAllowed } = await import('vite')
        server.middlewares.use(
          devWasmRoute({
            base: viteDev?.base ?? '/',
            handedOut: devAssets,
            filter: file => options.filter(file),
            servingAllowed: file => isFileServingAllowed(server.config, file),
            transform: file => store.fromFile(file, file, 'dev-server').then(w => w.bytes),
            logError: message => server.config.logger.error(message),
          }),
        )
      },
      handleHotUpdate({ file, server }) {
        // The dev URL of a wasm does not change with its content; a reload fetches the re-transformed bytes.
        if (!store.inputs.has(file)) return
        store.invalidate(file)
        server.ws.send({ type: 'full-reload' })
        return []
      },
    },

    webpack(compiler) {
      root = compiler.options.context ?? root
      asyncWebAssembly = !!compiler.options.experiments?.asyncWebAssembly
      addWebpackAssetRule(compiler, instanceKey, assetQuery)
      checkWebpackAssets(compiler, checkFinishedBundle)
      compiler.hooks.shutdown.tap(PLUGIN_NAME, () => {
        registry().delete(instanceKey)
      })
    },
    rspack(compiler) {
      root = compiler.options.context ?? root
      asyncWebAssembly = !!compiler.options.experiments?.asyncWebAssembly
      addWebpackAssetRule(compiler as any, instanceKey, assetQuery)
      checkWebpackAssets(compiler as any, checkFinishedBundle)
      compiler.hooks.shutdown.tap(PLUGIN_NAME, () => {
        registry().delete(instanceKey)
      })
    },

    esbuild: {
      config(initial) {
        esbuildFormat = initial.format ?? (initial.platform === 'node' ? 'cjs' : 'iife')
        if (initial.absWorkingDir) root = initial.absWorkingDir
      },
      setup(build) {
        build.onResolve({ filter: /^fpcast-trampoline\/file\// }, args => ({ path: args.path.slice(FILE_PREFIX.length), namespace: 'fpcast-trampoline-file' }))
        build.onLoad({ filter: /.*/, namespace: 'fpcast-trampoline-file' }, async args => {
          const w = await store.fromFile(args.path, args.path, 'asset')
          return { contents: w.bytes, loader: 'file', watchFiles: [args.path] }
        })
        // The finished bundle's check (notes only: esbuild's outputs cannot be traced back to their inputs here).
        let started = 0
        build.onStart(() => {
          started = Date.now()
        })
        build.onEnd(result => {
          const files: BundleFile[] = result.outputFiles
            ? result.outputFiles
                .filter(f => /\.(?:[cm]?js|wasm)$/.test(f.path))
                .map(f => ({ fileName: f.path, source: f.path.endsWith('.wasm') ? f.contents : f.text }))
            : esbuildWritten(build.initialOptions, started)
          const ours = new Map<string, string | undefined>()
          for (const f of files) if (typeof f.source !== 'string' && isRewritten(f.source)) ours.set(f.fileName, undefined)
          checkFinishedBundle(files, ours)
        })
      },
    },
  }
  return plugin
}

function createHashKey(text: string): string {
  let h = 2166136261
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619)
  return `${PLUGIN_VERSION.replace(/[^\w.]/g, '')}-${(h >>> 0).toString(36)}`
}

const isFile = (path: string) => existsSync(path) && statSync(path).isFile()

/** JS and wasm files esbuild wrote in this build (modified since it started), under its output directory. */
function esbuildWritten(options: { outdir?: string; outfile?: string; absWorkingDir?: string }, since: number): BundleFile[] {
  const out = options.outdir ?? (options.outfile ? dirname(options.outfile) : undefined)
  if (!out) return []
  const dir = resolve(options.absWorkingDir ?? process.cwd(), out)
  if (!existsSync(dir)) return []
  const files: BundleFile[] = []
  for (const name of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const path = join(dir, name)
    if (!/\.(?:[cm]?js|wasm)$/.test(name) || !isFile(path) || statSync(path).mtimeMs < since - 1000) continue
    files.push({ fileName: relative(dir, path), source: name.endsWith('.wasm') ? new Uint8Array(readFileSync(path)) : readFileSync(path, 'utf8') })
  }
  return files
}

/** webpack and Rspack: the finished compilation's check (bundle-check.ts); our assets are those carrying our custom section. */
function checkWebpackAssets(compiler: any, check: (files: BundleFile[], ours: Map<string, string | undefined>) => Map<string, Uint8Array>) {
  compiler.hooks.thisCompilation.tap(PLUGIN_NAME, (compilation: any) => {
    compilation.hooks.processAssets.tap(
      { name: PLUGIN_NAME, stage: compiler.webpack.Compilation.PROCESS_ASSETS_STAGE_REPORT },
      (assets: Record<string, any>) => {
        const files: BundleFile[] = []
        const ours = new Map<string, string | undefined>()
        for (const [fileName, asset] of Object.entries(assets)) {
          if (!/\.(?:[cm]?js|wasm)$/.test(fileName)) continue
          const raw = asset.source()
          const source = fileName.endsWith('.wasm') ? new Uint8Array(Buffer.isBuffer(raw) ? raw : Buffer.from(raw)) : String(raw)
          files.push({ fileName, source })
          if (typeof source !== 'string' && isRewritten(source)) {
            const from = compilation.assetsInfo?.get(fileName)?.sourceFilename
            ours.set(fileName, from ? resolve(compiler.options.context ?? process.cwd(), from) : undefined)
          }
        }
        for (const [name, bytes] of check(files, ours)) compilation.updateAsset(name, new compiler.webpack.sources.RawSource(Buffer.from(bytes)))
      },
    )
  })
}

const LOADER = fileURLToPath(new URL('./webpack-loader.js', import.meta.url))

/** Routes `<wasm>?fpcast-trampoline-asset` requests to an asset module made by our raw loader. */
function addWebpackAssetRule(compiler: { options: any }, instanceKey: string, assetQuery: string) {
  const configured = compiler.options.output?.assetModuleFilename
  const filename = typeof configured === 'string' ? configured.replace('[query]', '') : '[name].[contenthash:10][ext]'
  compiler.options.module.rules.push({
    resourceQuery: new RegExp(`[?&]${assetQuery.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:&|$)`),
    type: 'asset/resource',
    generator: { filename: filename.includes('[hash]') || filename.includes('[contenthash') ? filename : '[name].[contenthash:10][ext]' },
    use: [{ loader: LOADER, options: { instance: instanceKey } }],
  })
}

/** The plugin for every bundler; `unplugin-fpcast-trampoline/<bundler>` re-exports one of them. */
export const unplugin = createUnplugin(unpluginFactory)

/** A plugin factory as `require()` of an entry returns it: callable, with itself as `.default` too. */
export function forRequire<F extends (options?: Options) => unknown>(factory: F): F & { default: F } {
  return Object.assign((options?: Options) => factory(options), { default: factory }) as unknown as F & { default: F }
}
