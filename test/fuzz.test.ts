/** A fixed-seed corpus of the differential fuzzer (npm run fuzz runs long ones). */
import { describe, expect, it } from 'vitest'
import { runOne } from './fuzz/differential.ts'
import { type FeatureCounts, runFeatures, zeroCounts } from './fuzz/features.ts'

describe('differential fuzzing against binaryen fpcast-emu, and model-checked fuzzing', () => {
  it('300 random modules with casts (and slots set inside wasm) agree call for call', async () => {
    const failures: string[] = []
    let casts = 0,
      sets = 0
    for (let seed = 1; seed <= 300; seed++) {
      const o = await runOne(seed, 'both')
      casts += o.casts
      sets += o.sets
      if (!o.ok) failures.push(`seed ${seed}: ${o.reason}`)
    }
    expect(casts).toBeGreaterThan(300)
    expect(sets).toBeGreaterThan(100) // slots copied inside wasm between calls
    expect(failures.slice(0, 1)).toEqual([])
  })

  it('150 modules with multi-value, tail calls, start functions, exceptions, big and shared tables match the model call for call', async () => {
    const failures: string[] = []
    const total: FeatureCounts = zeroCounts()
    for (let seed = 1; seed <= 150; seed++) {
      const o = await runFeatures(seed, 'both')
      for (const k of Object.keys(total) as (keyof FeatureCounts)[]) total[k] += o.counts[k]
      if (!o.ok) failures.push(`seed ${seed}: ${o.reason}`)
    }
    // Every feature was exercised.
    for (const k of Object.keys(total) as (keyof FeatureCounts)[]) expect(total[k], k).toBeGreaterThan(0)
    expect(failures.slice(0, 1)).toEqual([])
  })
})
