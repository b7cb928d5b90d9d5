// One bundler build in its own process (test/writes.test.ts): Rolldown with
// the plugin, from the package's own exports (dist/), of <root>/main.js into
// <root>/<outDir>. The cache is the plugin's default (under <root>) unless a
// directory is given. Prints the plugin's reports as JSON.
//   node build.mjs <root> <outDir> [cacheDir]
import { join } from 'node:path'
import { rolldown } from 'rolldown'
import fpcastTrampoline from 'unplugin-fpcast-trampoline/rolldown'

const [root, outDir, cacheDir] = process.argv.slice(2)
process.chdir(root)
const reports = []
const bundle = await rolldown({
  input: join(root, 'main.js'),
  cwd: root,
  plugins: [fpcastTrampoline({ report: r => reports.push({ file: r.file, cached: r.cached, after: r.size.after }), ...(cacheDir ? { cache: cacheDir } : {}) })],
  logLevel: 'silent',
  platform: 'neutral',
})
await bundle.write({ dir: join(root, outDir), format: 'es', assetFileNames: 'assets/[name]-[hash][extname]' })
await bundle.close()
process.stdout.write(`${JSON.stringify(reports)}\n`)
