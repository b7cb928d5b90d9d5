/** A fixed-seed corpus of the differential fuzzer (npm run fuzz runs long ones). */
import { describe, expect, it } from 'vitest'
import { runOne } from './fuzz/differential.ts'

describe('differential fuzzing against binaryen fpcast-emu', () => {
  it('300 random modules with casts (and slots set inside wasm) agree call for call', async () => {
    const failures: string[] = []
    let casts = 0, sets = 0
    for (let seed = 1; seed <= 300; seed++) {
      const o = await runOne(seed)
      casts += o.casts
      sets += o.sets
      if (!o.ok) failures.push(`seed ${seed}: ${o.reason}`)
    }
    expect(casts).toBeGreaterThan(300)
    expect(sets).toBeGreaterThan(100) // slots copied inside wasm between calls
    expect(failures.slice(0, 1)).toEqual([])
  })
})
