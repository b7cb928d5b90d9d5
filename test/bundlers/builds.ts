/**
 * The fixture apps built through each bundler's Node API, with the plugin
 * (from the package's own exports, i.e. dist/) or without it. Each returns
 * the output directory and the entry file to run.
 */
import { readdirSync } from 'node:fs'
import { posix } from 'node:path'
import { join } from 'node:path'
import fpcastEsbuild from 'unplugin-fpcast-trampoline/esbuild'
import fpcastRolldown from 'unplugin-fpcast-trampoline/rolldown'
import fpcastRollup from 'unplugin-fpcast-trampoline/rollup'
import fpcastRspack from 'unplugin-fpcast-trampoline/rspack'
import fpcastVite from 'unplugin-fpcast-trampoline/vite'
import fpcastWebpack from 'unplugin-fpcast-trampoline/webpack'
import type { Options } from 'unplugin-fpcast-trampoline/vite'

export interface Built {
  outDir: string
  /** The entry chunk, relative to outDir. */
  entry: string
  /** The bundler's own warnings during the build. */
  warnings: string[]
}

/** `undefined` builds without the plugin. */
export type PluginOptions = Options | undefined

export async function viteBuild(
  root: string,
  outDir: string,
  options: PluginOptions,
  mode: 'client' | 'ssr',
  extra: Record<string, unknown> = {},
): Promise<Built> {
  const { build } = await import('vite')
  const out = join(root, outDir)
  const ssr = mode === 'ssr'
  const warnings: string[] = []
  const quiet = () => {}
  await build({
    root,
    configFile: false,
    logLevel: 'warn',
    customLogger: {
      info: quiet,
      warn: (m: string) => {
        warnings.push(m)
      },
      warnOnce: (m: string) => {
        warnings.push(m)
      },
      error: quiet,
      clearScreen: quiet,
      hasErrorLogged: () => false,
      hasWarned: false,
    } as any,
    plugins: options ? [fpcastVite(options)] : [],
    // Node runs of an SSR build: bundle the glue, and give asset URLs as file URLs beside the chunk.
    ...(ssr
      ? {
          ssr: { noExternal: true },
          experimental: {
            renderBuiltUrl: (file: string, { hostId, ssr }: { hostId: string; ssr: boolean }) =>
              ssr ? { runtime: `new URL(${JSON.stringify(posix.relative(posix.dirname(hostId), file))}, import.meta.url).href` } : undefined,
          },
        }
      : {}),
    build: { outDir: out, emptyOutDir: true, minify: true, sourcemap: true, ...(ssr ? { ssr: 'main.js', ssrEmitAssets: true } : {}) },
    ...extra,
  })
  return { outDir: out, entry: ssr ? 'main.js' : `assets/${readdirSync(join(out, 'assets')).find(f => /^index-.*\.js$/.test(f))}`, warnings }
}

export async function webpackBuild(
  root: string,
  outDir: string,
  options: PluginOptions,
  target: 'web' | 'node',
  entry = './main.js',
  rspack = false,
  extra: Record<string, any> = {},
): Promise<Built> {
  const out = join(root, outDir)
  const filename = target === 'node' ? 'main.cjs' : 'main.js'
  const config = {
    mode: 'production' as const,
    context: root,
    entry,
    target,
    devtool: 'source-map' as const,
    output: { path: out, filename, clean: true },
    // Emscripten web+node glue requires fs and path in its Node branch.
    resolve: { ...(target === 'web' ? { fallback: { fs: false, path: false } } : {}), ...extra.resolve },
    experiments: extra.experiments,
    module: extra.module,
    performance: extra.performance,
    plugins: options ? [rspack ? fpcastRspack(options) : fpcastWebpack(options)] : [],
    infrastructureLogging: { level: 'error' as const },
    stats: 'errors-only' as const,
  }
  const warnings: string[] = []
  const run = (compiler: any) =>
    new Promise<void>((resolve, reject) =>
      compiler.run((err: Error | null, stats: any) => {
        compiler.close(() => {})
        if (err) return reject(err)
        if (stats.hasErrors()) return reject(new Error(stats.toString({ all: false, errors: true, errorDetails: true })))
        for (const w of stats.toJson({ all: false, warnings: true }).warnings ?? []) warnings.push(String(w.message ?? w))
        resolve()
      }),
    )
  if (rspack) {
    const { rspack: create } = await import('@rspack/core')
    await run(create(config as any))
  } else {
    const { default: webpack } = await import('webpack')
    await run(webpack(config as any))
  }
  return { outDir: out, entry: filename, warnings }
}

export async function rollupBuild(root: string, outDir: string, options: PluginOptions, input = 'main.js'): Promise<Built> {
  const { rollup } = await import('rollup')
  const { nodeResolve } = await import('@rollup/plugin-node-resolve')
  const out = join(root, outDir)
  const warnings: string[] = []
  const bundle = await rollup({
    input: join(root, input),
    plugins: [...(options ? [fpcastRollup(options)] : []), nodeResolve()],
    onwarn: w => {
      warnings.push(w.message)
    },
  })
  await bundle.write({ dir: out, format: 'es', sourcemap: true, assetFileNames: 'assets/[name]-[hash][extname]' })
  await bundle.close()
  return { outDir: out, entry: input, warnings }
}

/** `more`: plugins to run after this one. */
export async function rolldownBuild(
  root: string,
  outDir: string,
  options: PluginOptions,
  input = 'main.js',
  more: import('rolldown').Plugin[] = [],
): Promise<Built> {
  const { rolldown } = await import('rolldown')
  const out = join(root, outDir)
  const warnings: string[] = []
  const bundle = await rolldown({
    input: join(root, input),
    cwd: root,
    plugins: [...(options ? [fpcastRolldown(options)] : []), ...more],
    platform: 'neutral',
    onLog: (level, log) => {
      if (level === 'warn') warnings.push(log.message)
    },
  })
  await bundle.write({ dir: out, format: 'es', sourcemap: true, assetFileNames: 'assets/[name]-[hash][extname]' })
  await bundle.close()
  return { outDir: out, entry: input, warnings }
}

export async function esbuildBuild(root: string, outDir: string, options: PluginOptions, input = 'main.js'): Promise<Built> {
  const esbuild = await import('esbuild')
  const out = join(root, outDir)
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: [input],
    bundle: true,
    format: 'esm',
    outdir: out,
    sourcemap: true,
    // Emscripten web+node glue requires fs and path in its Node branch.
    external: ['fs', 'path'],
    plugins: options ? [fpcastEsbuild(options)] : [],
    logLevel: 'silent',
  })
  return { outDir: out, entry: input, warnings: result.warnings.map(w => w.text) }
}
