// A/B of builds of the C workloads (W1-W3) in one process, through the
// bench's own harness (harness/c-harness.js: every build instantiated once,
// each workload round-robin over the builds with the order rotating, so a
// burst of machine load hits them alike). Between two copies of the same
// build the ratios stay within ±0.6%, which the full bench's fresh processes
// cannot give; use it to decide between two variants of the transform.
//
//   node --no-liftoff bench/ab.mjs <a.wasm> <b.wasm> [more.wasm ...] [rounds]
//
// e.g. stock against ours:
//   node dist/cli.js bench/build/stock.wasm -o /tmp/ours
//   node --no-liftoff bench/ab.mjs bench/build/stock.wasm /tmp/ours/stock.wasm 21
//
// Prints per workload the minimum and the median (ms) of each build and b/a
// for both. A build that traps on a workload (stock on W2) shows "traps"; a
// build whose checksum differs from another's stops the run.
import { readFileSync } from 'node:fs'
import { fpcastRuntime } from '../src/runtime/runtime.js'
import { C_WORKLOADS, runCBench } from './harness/c-harness.js'

const args = process.argv.slice(2)
const files = args.filter(a => a.endsWith('.wasm'))
const rounds = Number(args.find(a => /^\d+$/.test(a)) ?? 15)
if (files.length < 2) {
  console.error('usage: node --no-liftoff bench/ab.mjs <a.wasm> <b.wasm> [more.wasm ...] [rounds]')
  process.exit(2)
}
// Every build goes through the runtime: it passes untransformed modules through unchanged.
const variants = files.map((file, i) => ({ name: `${i}: ${file}`, runtime: true, bytes: new Uint8Array(readFileSync(file)) }))
const { results } = await runCBench(
  { variants, workloads: C_WORKLOADS, reps: rounds, minReps: rounds, maxMsPerVariant: Infinity },
  { WA: WebAssembly, runtimeWA: fpcastRuntime(WebAssembly), now: () => performance.now() },
)

const fmt = ms => (Number.isFinite(ms) ? ms.toFixed(1) : 'traps')
const ratio = (b, a) => (Number.isFinite(a) && Number.isFinite(b) ? (b / a).toFixed(3) : 'n/a')
for (const r of results) {
  const ran = r.variants.filter(v => !v.trapped)
  const bad = r.variants.find(v => v.checksumErrors.length || (!v.trapped && v.checksum !== ran[0].checksum))
  if (bad) throw new Error(`${bad.variant}: ${r.export} returned ${bad.checksumErrors[0] ?? bad.checksum}, ${ran[0].variant} ${ran[0].checksum}`)
  const min = r.variants.map(v => (v.samples.length ? Math.min(...v.samples) : Infinity))
  const median = r.variants.map(v => (v.samples.length ? [...v.samples].sort((x, y) => x - y)[v.samples.length >> 1] : Infinity))
  console.log(
    `${r.export.padEnd(16)} min ${min.map(fmt).join(' ')}  b/a ${ratio(min[1], min[0])} | median ${median.map(fmt).join(' ')}  b/a ${ratio(median[1], median[0])}`,
  )
}
