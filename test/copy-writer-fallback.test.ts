/**
 * A bug of the copy writer on some input must not cost the user the build:
 * transformWasm makes that module with binaryen's writer instead, says so in
 * report.writer and in a warning. The bug is simulated here by making the
 * splice throw, or return bytes the engine rejects (on a real emcc fixture).
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { transformWasm } from '../src/core/index.ts'
import { ROOT } from './helpers/engines.ts'

const fault = vi.hoisted(() => ({ mode: 'none' as 'none' | 'throw' | 'invalid' }))
vi.mock('../src/core/wasm/copy/index.ts', async importOriginal => {
  const actual = await importOriginal<typeof import('../src/core/wasm/copy/index.ts')>()
  return {
    ...actual,
    spliceCopy: (...args: Parameters<typeof actual.spliceCopy>) => {
      if (fault.mode === 'throw') throw new TypeError('simulated bug')
      const out = actual.spliceCopy(...args)
      if (fault.mode === 'invalid') out[8] = 0x7f // an unknown section id
      return out
    },
  }
})
afterEach(() => {
  fault.mode = 'none'
})

const input = new Uint8Array(readFileSync(join(ROOT, 'test/fixtures/build/matched/matched.wasm')))

describe('when the copy writer fails, binaryen writes the module', () => {
  it('the splice works unharmed: the copy writer is used (so the cases below test the fallback)', () => {
    expect(transformWasm(input, { fileName: 'matched.wasm' }).report.writer).toEqual({ used: 'copy', skeleton: 'compact' })
  })

  it.each(['throw', 'invalid'] as const)('a splice that fails (%s): the output is the binaryen writer’s, with a warning', mode => {
    fault.mode = mode
    const { wasm, report } = transformWasm(input, { fileName: 'matched.wasm' })
    fault.mode = 'none'
    expect(report.writer.used).toBe('binaryen')
    expect(report.writer.declined).toMatch(
      mode === 'throw' ? /^the copy writer failed: simulated bug$/ : /^the copy writer failed: its output does not validate: /,
    )
    expect(report.warnings).toEqual([expect.stringMatching(/^the copy writer failed on this module \(.*\), so binaryen's writer made the output/)])
    expect(Buffer.from(wasm).equals(Buffer.from(transformWasm(input, { fileName: 'matched.wasm', writer: 'binaryen' }).wasm))).toBe(true)
  })
})
