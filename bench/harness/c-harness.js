// The C workload harness (W1-W3), the same code in Node and in a Chromium page.
//
// Every variant's module is instantiated once; then each workload's exported
// run(n) is warmed up and timed round-robin over the variants (the order
// rotates every repetition, so a burst of machine load hits them alike), and
// each variant keeps its samples. A variant's checksum must be the same on
// every call and equal to the reference variant's; a difference is reported,
// never hidden.
//
// No dependencies; `now` is injected (performance.now in both).

/** W1-W3: the exports of bench/c/workloads.c and the n each run is timed with. */
export const C_WORKLOADS = [
  { name: 'W1 hard matched', export: 'w1h_run', n: 10_000_000 },
  { name: 'W2 hard mismatched', export: 'w2h_run', n: 10_000_000 },
  { name: 'W1 matched', export: 'w1_run', n: 20_000_000 },
  { name: 'W2 mismatched', export: 'w2_run', n: 10_000_000 },
  { name: 'W3 qsort', export: 'w3_qsort_run', n: 300_000 },
  { name: 'W3 dispatch', export: 'w3_dispatch_run', n: 3_000_000 },
]

/**
 * @typedef {{ name: string, bytes: Uint8Array, runtime: boolean }} Variant
 * @typedef {{ name: string, export: string, n: number }} Workload
 * @typedef {{ variants: Variant[], workloads: Workload[], reps: number, maxMsPerVariant: number, minReps: number }} Config
 */

/**
 * @param {Config} config
 * @param {{ WA: typeof WebAssembly, runtimeWA: typeof WebAssembly, now: () => number, log?: (s: string) => void }} env
 */
export async function runCBench(config, env) {
  const { WA, runtimeWA, now } = env
  const log = env.log ?? (() => {})
  const instances = {}
  const instantiateMs = {}
  for (const v of config.variants) {
    const t = now()
    const { instance } = await (v.runtime ? runtimeWA : WA).instantiate(v.bytes, {})
    instantiateMs[v.name] = now() - t
    if (typeof instance.exports._initialize === 'function') instance.exports._initialize()
    instances[v.name] = instance
  }

  const results = []
  for (const w of config.workloads) {
    const perVariant = {}
    const live = []
    for (const v of config.variants) {
      const fn = instances[v.name].exports[w.export]
      const r = { variant: v.name, trapped: null, checksum: null, samples: [], checksumErrors: [] }
      perVariant[v.name] = r
      if (typeof fn !== 'function') {
        r.trapped = `no export ${w.export}`
        continue
      }
      try {
        // Warm-up: a few short calls (tier-up), then one full call whose
        // checksum is the variant's.
        const small = Math.max(1, Math.floor(w.n / 20))
        for (let i = 0; i < 3; i++) fn(small)
        r.checksum = fn(w.n)
        live.push(v.name)
      } catch (e) {
        r.trapped = `${e?.name}: ${e?.message}`
      }
    }
    for (let rep = 0; rep < config.reps; rep++) {
      const order = live.slice(rep % Math.max(1, live.length)).concat(live.slice(0, rep % Math.max(1, live.length)))
      let ran = 0
      for (const name of order) {
        const r = perVariant[name]
        const spent = r.samples.reduce((a, b) => a + b, 0)
        if (r.samples.length >= config.minReps && spent > config.maxMsPerVariant) continue
        const fn = instances[name].exports[w.export]
        const t = now()
        const c = fn(w.n)
        const dt = now() - t
        r.samples.push(dt)
        if (c !== r.checksum) r.checksumErrors.push(`rep ${rep}: ${c} != ${r.checksum}`)
        ran++
      }
      if (!ran) break
    }
    for (const name of live) {
      const s = perVariant[name].samples
      log(`${w.name} ${name}: min ${Math.min(...s).toFixed(2)} ms over ${s.length}`)
    }
    results.push({ workload: w.name, export: w.export, n: w.n, variants: config.variants.map(v => perVariant[v.name]) })
  }
  return { instantiateMs, results }
}
