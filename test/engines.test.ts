import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { engines } from './helpers/engines.ts'

// (module (type (struct))): compiles only where the final wasm-gc encoding ships.
const GC_MODULE = '[0,97,115,109,1,0,0,0,1,3,1,95,0]'

describe('the engines under test', () => {
  it('cover an engine without wasm-gc and one with it', () => {
    const gc = engines().map(e => execFileSync(e.bin, ['-e', `console.log(WebAssembly.validate(new Uint8Array(${GC_MODULE})))`], { encoding: 'utf8' }).trim())
    expect(gc).toEqual(['false', 'true'])
  })
})
