// A/B of builds of the C workloads (W1-W3) in one process: every build is
// instantiated once, then each workload runs round-robin over the builds, so
// a burst of machine load hits them alike. Between two copies of the same
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
// for both. A build that traps on a workload (stock on W2) shows "traps".
import { readFileSync } from 'node:fs'
import { fpcastRuntime } from '../src/runtime/runtime.js'

const args = process.argv.slice(2)
const files = args.filter(a => a.endsWith('.wasm'))
const rounds = Number(args.find(a => /^\d+$/.test(a)) ?? 15)
if (files.length < 2) {
  console.error('usage: node --no-liftoff bench/ab.mjs <a.wasm> <b.wasm> [more.wasm ...] [rounds]')
  process.exit(2)
}
const WA = fpcastRuntime(WebAssembly)
const instances = []
for (const file of files) {
  const { instance } = await WA.instantiate(readFileSync(file), {})
  instance.exports._initialize?.()
  instances.push(instance)
}

const WORKLOADS = [['w1_run', 20e6], ['w2_run', 10e6], ['w3_qsort_run', 3e5], ['w3_dispatch_run', 3e6]]
const fmt = ms => (Number.isFinite(ms) ? ms.toFixed(1) : 'traps')
const ratio = (b, a) => (Number.isFinite(a) && Number.isFinite(b) ? (b / a).toFixed(3) : 'n/a')
for (const [name, n] of WORKLOADS) {
  const samples = instances.map(() => [])
  const checksums = instances.map(inst => {
    try {
      for (let i = 0; i < 3; i++) inst.exports[name](n / 20)
      return inst.exports[name](n)
    } catch {
      return undefined
    }
  })
  const reference = checksums.find(c => c !== undefined)
  checksums.forEach((c, i) => {
    if (c !== undefined && c !== reference) throw new Error(`${files[i]}: ${name} returned ${c}, ${files[checksums.indexOf(reference)]} ${reference}`)
  })
  for (let r = 0; r < rounds; r++) {
    instances.forEach((inst, i) => {
      if (checksums[i] === undefined) return
      const t = performance.now()
      inst.exports[name](n)
      samples[i].push(performance.now() - t)
    })
  }
  const min = samples.map(s => (s.length ? Math.min(...s) : Infinity))
  const median = samples.map(s => (s.length ? s.sort((x, y) => x - y)[s.length >> 1] : Infinity))
  console.log(`${name.padEnd(16)} min ${min.map(fmt).join(' ')}  b/a ${ratio(min[1], min[0])} | median ${median.map(fmt).join(' ')}  b/a ${ratio(median[1], median[0])}`)
}
