// Small statistics for benchmark samples.
export const min = (xs: number[]) => Math.min(...xs)
export const max = (xs: number[]) => Math.max(...xs)
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}
/** (median - min) / min: how far a typical run is from the best one. */
export const spread = (xs: number[]) => (median(xs) - min(xs)) / min(xs)
export const geomean = (xs: number[]) => Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length)

export interface Summary {
  min: number
  median: number
  max: number
  spread: number
  n: number
}
export function summarize(xs: number[]): Summary | null {
  if (!xs.length) return null
  return { min: min(xs), median: median(xs), max: max(xs), spread: spread(xs), n: xs.length }
}
