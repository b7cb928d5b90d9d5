/**
 * The micro benchmark: nanoseconds per call through one call_indirect site,
 * matched and cast, in each build of the same C loop (c/bench.c). The loop
 * runs inside wasm, so what differs between builds is the call itself.
 *
 * V8 runs wasm in its baseline compiler first and can only switch a function
 * to optimised code between calls, so each figure is the fastest of several
 * runs, after growing the run until it lasts long enough to time.
 */
import type { PlaygroundModule } from './types.ts'
import type { Variants } from './variants.ts'

export type Kind = 'matched' | 'cast'

export interface BenchResult {
  variant: keyof Variants
  label: string
  kind: Kind
  /** Fastest time per call; null when the call traps. */
  ns: number | null
  note?: string
}

/** `casts`: whether the build runs cast calls (all but stock); if one traps anyway, the benchmark fails. */
export const BENCH_VARIANTS: { variant: keyof Variants; label: string; casts: boolean }[] = [
  { variant: 'stock', label: 'stock (no plugin)', casts: false },
  { variant: 'emulate', label: 'EMULATE_FUNCTION_POINTER_CASTS', casts: true },
  { variant: 'js', label: "plugin, strategy 'js' (JS trampolines)", casts: true },
  { variant: 'shadow', label: "plugin, strategy 'shadow' (default)", casts: true },
]

const KIND_CODE: Record<Kind, number> = { matched: 0, cast: 1 }

/** What pg_bench returns for n calls: matched adds i each time, the cast function adds 1. */
function expected(kind: Kind, n: number): number {
  return kind === 'cast' ? n : Number(((BigInt(n) * BigInt(n - 1)) / 2n) & 0xffffffffn) | 0
}

function timed(m: PlaygroundModule, kind: Kind, n: number): number {
  const start = performance.now()
  const r = m._pg_bench(KIND_CODE[kind], n)
  const ms = performance.now() - start
  if (r !== expected(kind, n)) throw new Error(`pg_bench(${kind}, ${n}) returned ${r}, expected ${expected(kind, n)}`)
  return ms
}

/**
 * Fastest ns per call over `runs` runs of n calls, each lasting at least
 * `targetMs` (browsers round performance.now() to 0.1 ms or so). A run that
 * got faster than that (optimised code arrived) starts over with a larger n.
 */
function measure(m: PlaygroundModule, kind: Kind, targetMs: number, runs: number): number {
  let n = 1000
  let best = Infinity
  for (let done = 0; done < runs; ) {
    const ms = timed(m, kind, n)
    if (ms < targetMs && n < 2 ** 28) {
      n *= ms < targetMs / 8 ? 8 : 2
      best = Infinity
      done = 0
      continue
    }
    best = Math.min(best, ms / n)
    done++
  }
  return best * 1e6
}

/** Whether the call traps, and with what. */
function trap(m: PlaygroundModule, kind: Kind): string | undefined {
  const sp = m.stackSave()
  try {
    m._pg_bench(KIND_CODE[kind], 1)
    return undefined
  } catch (e) {
    if (!(e instanceof WebAssembly.RuntimeError)) throw e
    m.stackRestore(sp)
    return e.message
  }
}

/**
 * Runs every build and kind, handing each result over as it comes (the page
 * draws as it goes). `quick`: tiny runs, for tests.
 */
export async function runBench(variants: Variants, quick: boolean, onResult: (r: BenchResult) => void): Promise<BenchResult[]> {
  const targetMs = quick ? 2 : 25
  const runs = quick ? 2 : 7
  const results: BenchResult[] = []
  for (const { variant, label, casts } of BENCH_VARIANTS) {
    for (const kind of ['matched', 'cast'] as Kind[]) {
      // Let the page paint between measurements.
      await new Promise(r => setTimeout(r, 0))
      const m = variants[variant]
      const trapped = trap(m, kind)
      if (trapped !== undefined && (kind === 'matched' || casts)) throw new Error(`${label}: a ${kind} call trapped: ${trapped}`)
      const r: BenchResult =
        trapped !== undefined ? { variant, label, kind, ns: null, note: `traps: ${trapped}` } : { variant, label, kind, ns: measure(m, kind, targetMs, runs) }
      results.push(r)
      onResult(r)
    }
  }
  return results
}
