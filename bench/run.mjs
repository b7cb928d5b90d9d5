// `npm run bench`: bundles the benchmark (bench/main.ts and the build-side
// child, with the src/ and test/pyodide/ code they import) with esbuild into
// bench/.out/js/, then runs it with plain Node. Bundling instead of tsx: tsx
// re-transforms binaryen.js on every start (seconds and ~1.5 GB of RSS),
// which would swamp the build-side time and memory measurements.
//
// Arguments are passed on: npm run bench -- --quick | --only c,pyodide,build |
// --engines node20,node24,chromium | --out <dir>
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { build } from 'esbuild'

const BENCH = dirname(fileURLToPath(import.meta.url))
const ROOT = resolve(BENCH, '..')
const OUT = join(BENCH, '.out', 'js')

// The glue rewrite injects src/runtime/source.ts, generated from runtime.js by
// scripts/embed-runtime.mjs: run it first (it writes only when the text
// changed), so the bench never measures an old runtime.
const embed = spawnSync(process.execPath, [join(ROOT, 'scripts/embed-runtime.mjs')], { stdio: 'inherit' })
if (embed.status !== 0) process.exit(embed.status ?? 1)

// Each bundled module keeps its own import.meta.url (the test helpers find
// files next to themselves).
const ownUrl = {
  name: 'own-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.[cm]?[jt]s$/ }, args => {
      if (args.path.includes('/node_modules/')) return undefined
      const text = readFileSync(args.path, 'utf8').replace(/\bimport\.meta\.url\b/g, JSON.stringify(pathToFileURL(args.path).href))
      return { contents: text, loader: /\.[cm]?ts$/.test(args.path) ? 'ts' : 'js' }
    })
  },
}

await build({
  absWorkingDir: ROOT,
  entryPoints: { main: 'bench/main.ts', 'build-child': 'bench/pyodide/build-child.ts' },
  outdir: OUT,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
  plugins: [ownUrl],
})

const r = spawnSync(process.execPath, [join(OUT, 'main.mjs'), ...process.argv.slice(2)], { stdio: 'inherit', cwd: ROOT })
process.exit(r.status ?? 1)
