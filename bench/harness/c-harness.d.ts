/** Types for c-harness.js (plain JS: it also runs in the bench's Chromium page). */
export interface CWorkload {
  name: string
  export: string
  n: number
}
/** W1-W3: the exports of bench/c/workloads.c and the n each run is timed with. */
export declare const C_WORKLOADS: CWorkload[]
export declare function runCBench(
  config: { variants: { name: string; bytes: Uint8Array; runtime: boolean }[]; workloads: CWorkload[]; reps: number; minReps: number; maxMsPerVariant: number },
  env: { WA: typeof WebAssembly; runtimeWA: typeof WebAssembly; now: () => number; log?: (s: string) => void },
): Promise<{
  instantiateMs: Record<string, number>
  results: {
    workload: string
    export: string
    n: number
    variants: { variant: string; trapped: string | null; checksum: number | null; samples: number[]; checksumErrors: string[] }[]
  }[]
}>
