/**
 * esbuild: a wasm's URL module imports `fpcast-trampoline/file/<wasm>`, which
 * our namespace loads as the transformed bytes with esbuild's `file` loader
 * (esbuild copies it and answers its path), and resolves that path against
 * the output: `import.meta.url` (format `esm`), `__dirname` (`cjs`) or the
 * script's `currentScript` (`iife`). At the end of a build the outputs are
 * checked (bundle-check.ts; notes only: esbuild's outputs cannot be traced
 * back to their inputs here), and the debug files the wasm outputs name are
 * written beside them.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import type { BuildOptions, PluginBuild } from 'esbuild'
import { type BundleFile, isRewritten } from './bundle-check.ts'
import type { PluginInstance, WasmTarget } from './instance.ts'
import { escapeRegExp, isFile, JS_OR_WASM_RE } from './paths.ts'
import { FILE_PREFIX } from './virtual-modules.ts'

const NAMESPACE = 'fpcast-trampoline-file'

export function esbuildFamily(instance: PluginInstance) {
  let format: 'esm' | 'cjs' | 'iife' = 'esm'

  const target: WasmTarget = {
    async urlModule(wasmPath) {
      const file = JSON.stringify(FILE_PREFIX + wasmPath)
      const base =
        format === 'esm'
          ? 'import.meta.url'
          : format === 'cjs'
            ? `(typeof __dirname == "string" ? "file://" + (__dirname[0] === "/" ? "" : "/") + __dirname.replace(/\\\\/g, "/") + "/" : location.href)`
            : '__fpcast_base'
      const head =
        format === 'iife'
          ? 'var __fpcast_base = typeof document != "undefined" && document.currentScript ? document.currentScript.src : typeof location != "undefined" ? location.href : "file:///";\n'
          : ''
      return `import file from ${file};\n${head}export default new URL(file, ${base}).href;\n`
    },
  }

  function config(initial: BuildOptions): void {
    format = initial.format ?? (initial.platform === 'node' ? 'cjs' : 'iife')
    if (initial.absWorkingDir) instance.root = initial.absWorkingDir
  }

  function setup(build: PluginBuild): void {
    build.onResolve({ filter: new RegExp(`^${escapeRegExp(FILE_PREFIX)}`) }, args => ({ path: args.path.slice(FILE_PREFIX.length), namespace: NAMESPACE }))
    build.onLoad({ filter: /.*/, namespace: NAMESPACE }, async args => {
      const w = await instance.store.fromFile(args.path, args.path, 'asset')
      return { contents: w.bytes, loader: 'file', watchFiles: [args.path] }
    })
    let started = 0
    build.onStart(() => {
      started = Date.now()
    })
    build.onEnd(result => {
      const files: BundleFile[] = result.outputFiles
        ? result.outputFiles.filter(f => JS_OR_WASM_RE.test(f.path)).map(f => ({ fileName: f.path, source: f.path.endsWith('.wasm') ? f.contents : f.text }))
        : writtenSince(build.initialOptions, started)
      const ours = new Map<string, string | undefined>()
      for (const f of files) if (typeof f.source !== 'string' && isRewritten(f.source)) ours.set(f.fileName, undefined)
      instance.checkFinishedBundle(files, ours)
      // The debug files the wasm outputs name, beside them: among the output files, or written where esbuild wrote.
      const dir = outputDir(build.initialOptions)
      for (const f of instance.debugCompanions(files)) {
        const contents = typeof f.source === 'string' ? new TextEncoder().encode(f.source) : f.source
        if (result.outputFiles) result.outputFiles.push({ path: f.fileName, contents, hash: '', text: typeof f.source === 'string' ? f.source : '' })
        else if (dir) writeFileSync(join(dir, f.fileName), contents)
      }
    })
  }

  return { target, config, setup }
}

/** esbuild's output directory, absolute; undefined when it writes none. */
function outputDir(options: BuildOptions): string | undefined {
  const out = options.outdir ?? (options.outfile ? dirname(options.outfile) : undefined)
  return out === undefined ? undefined : resolve(options.absWorkingDir ?? process.cwd(), out)
}

/** JS and wasm files esbuild wrote in this build (modified since it started), under its output directory. */
function writtenSince(options: BuildOptions, since: number): BundleFile[] {
  const dir = outputDir(options)
  if (!dir || !existsSync(dir)) return []
  const files: BundleFile[] = []
  for (const name of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const path = join(dir, name)
    if (!JS_OR_WASM_RE.test(name) || !isFile(path) || statSync(path).mtimeMs < since - 1000) continue
    files.push({ fileName: relative(dir, path), source: name.endsWith('.wasm') ? new Uint8Array(readFileSync(path)) : readFileSync(path, 'utf8') })
  }
  return files
}
