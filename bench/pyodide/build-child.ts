// Build-side measurements, one fresh process each (so that peak RSS is the
// measured work's own):
//
//   node --import tsx bench/pyodide/build-child.ts transform <in.wasm> <out.wasm> [copy|binaryen]
//       transformWasm (strategy shadow) of <in> with that writer (default
//       copy), written to <out>
//   node --import tsx bench/pyodide/build-child.ts binaryen <in.wasm>
//       binaryen.js's own read + write of <in> (no change): the floor any
//       binaryen-based rewrite pays
//   node --import tsx bench/pyodide/build-child.ts cached <in.wasm> <cache dir>
//       the bundler plugin's wasm store (src/bundler/wasm-store.ts) asked for
//       <in> with a persistent cache in <cache dir>: a miss transforms and
//       fills it, a hit is a cached rebuild
//
// Prints one JSON object: { ms, maxRssKb, ... }. `ms` times the measured call
// only (not process start or module loading).
import { readFileSync, writeFileSync } from 'node:fs'
import { transformWasm } from '../../src/core/index.ts'
import { readPyodideModule } from '../../test/pyodide/untrampoline.ts'

const [mode, input, output, writer = 'copy'] = process.argv.slice(2)
const maxRssKb = () => process.resourceUsage().maxRSS
const baseRssKb = maxRssKb()

if (mode === 'transform') {
  const bytes = readFileSync(input) // a Buffer is a Uint8Array: no copy of the input in the measured RSS
  const t = performance.now()
  const { wasm, report } = transformWasm(bytes, { strategy: 'shadow', fileName: 'pyodide.asm.wasm', writer: writer as 'copy' | 'binaryen' })
  const ms = performance.now() - t
  writeFileSync(output, wasm)
  const { bySignature, byFunction, ...summary } = report
  console.log(
    JSON.stringify({ ms, maxRssKb: maxRssKb(), baseRssKb, report: { ...summary, signatures: bySignature.length, functionsWithSites: byFunction.length } }),
  )
} else if (mode === 'binaryen') {
  const bytes = readFileSync(input) // a Buffer is a Uint8Array: no copy of the input in the measured RSS
  const t = performance.now()
  const mod = readPyodideModule(bytes)
  const readMs = performance.now() - t
  const out = mod.emitBinary()
  const ms = performance.now() - t
  mod.dispose()
  console.log(JSON.stringify({ ms, readMs, writeMs: ms - readMs, size: out.length, maxRssKb: maxRssKb(), baseRssKb }))
} else if (mode === 'cached') {
  const { resolvePluginOptions } = await import('../../src/bundler/options.ts')
  const { WasmStore } = await import('../../src/bundler/wasm-store.ts')
  const store = new WasmStore(resolvePluginOptions({ cache: output, report: false, strategy: 'shadow' }), () => output)
  const t = performance.now()
  const r = await store.fromFile(input, 'pyodide.asm.mjs', 'asset')
  const ms = performance.now() - t
  await store.close()
  console.log(JSON.stringify({ ms, cached: r.cached, size: r.bytes.length, maxRssKb: maxRssKb(), baseRssKb }))
} else {
  console.error(`unknown mode ${mode}`)
  process.exit(2)
}
