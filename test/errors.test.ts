/**
 * One error shape, in the caller's words: an FpcastError carries its file
 * and its reason (what wraps it reads those, never the message's text, also
 * across the worker pool's thread boundary), and what the glue recognizer
 * says names the plugin's `wasm` option to plugin users and `--wasm` to CLI
 * users, never the other's.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { TransformPool } from '../src/bundler/pool.ts'
import { describeError, FpcastError } from '../src/core/errors.ts'
import { rewriteGlueWasm } from '../src/core/glue/locate.ts'
import { CLI_VOICE, type GlueDecision, PLUGIN_VOICE, recognizeGlue, type Voice } from '../src/core/glue/recognize.ts'
import { transformWasm } from '../src/core/wasm/transform.ts'
import { findGlueWasm, transformFiles } from '../src/node/files.ts'
import { CAST, glue } from './helpers/repro.ts'

const tmp = mkdtempSync(join(tmpdir(), 'fpcast-errors-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

/** What a call threw. */
function thrown(f: () => unknown): FpcastError {
  try {
    f()
  } catch (e) {
    expect(e).toBeInstanceOf(FpcastError)
    return e as FpcastError
  }
  throw new Error('nothing was thrown')
}

describe('FpcastError', () => {
  it('keeps its file and its reason beside the one-line message', () => {
    const e = new FpcastError('not a WebAssembly binary', { file: 'app.wasm' })
    expect(e.message).toBe('[fpcast-trampoline] app.wasm: not a WebAssembly binary')
    expect(e).toMatchObject({ name: 'FpcastError', file: 'app.wasm', reason: 'not a WebAssembly binary' })
    expect(describeError(e)).toBe('app.wasm: not a WebAssembly binary')
    expect(describeError(new FpcastError('no file'))).toBe('no file')
    expect(describeError(new Error('[fpcast-trampoline] someone else'))).toBe('[fpcast-trampoline] someone else')
    // Printed, an error is its one line and stack: file and reason are not enumerable.
    expect(Object.keys(e)).not.toContain('file')
    expect(Object.keys(e)).not.toContain('reason')
  })

  it('keeps file and reason across the worker pool, as on the calling thread', async () => {
    const bad = new TextEncoder().encode('not wasm at all')
    const direct = thrown(() => transformWasm(bad, { fileName: 'bad.wasm' }))
    const pool = new TransformPool(1, undefined, new URL('../dist/worker.js', import.meta.url))
    try {
      const viaWorker = await pool.run(bad, { fileName: 'bad.wasm' }).then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(viaWorker).toBeInstanceOf(FpcastError)
      expect(viaWorker).toMatchObject({ file: 'bad.wasm', reason: direct.reason, message: direct.message })
    } finally {
      await pool.close()
    }
  })
})

describe("the glue recognizer speaks the caller's words", () => {
  const several = 'if(Module["instantiateWasm"]){}var a="one.wasm",b="two.wasm";WebAssembly.instantiate(Module["wasmBinary"],{})'
  const missing = glue({ kind: 'newUrl' })
  const why = (code: string, voice: Voice, exists?: (name: string) => boolean) => {
    const d: GlueDecision = recognizeGlue(code, { fileName: 'app.js', needLocate: true, exists, voice })
    expect(d.kind).toBe('skip')
    return d.kind === 'skip' ? d.why : ''
  }

  it('to plugin users: the wasm option, and what ships', () => {
    expect(why(several, PLUGIN_VOICE)).toBe(
      "names several .wasm files (one.wasm, two.wasm) and none is named like it; shipped as it was. Say which one it loads with the 'wasm' option",
    )
    expect(why(missing, PLUGIN_VOICE, () => false)).toBe(
      "loads 'cast.wasm', which is not beside it; shipped as it was. Put the .wasm emcc wrote beside its glue, or name it with the 'wasm' option",
    )
  })

  it('to CLI users: --wasm, and nothing about shipping (the CLI refuses)', () => {
    expect(why(several, CLI_VOICE)).toBe('names several .wasm files (one.wasm, two.wasm) and none is named like it. Say which one it loads with --wasm')
    expect(why(missing, CLI_VOICE, () => false)).toBe(
      "loads 'cast.wasm', which is not beside it. Put the .wasm emcc wrote beside its glue, or name it with --wasm",
    )
  })

  it('the CLI (transformFiles, findGlueWasm) says --wasm, never the plugin option, in one line', () => {
    const dir = join(tmp, 'several')
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'app.js'), several)
    writeFileSync(join(dir, 'one.wasm'), CAST)
    writeFileSync(join(dir, 'two.wasm'), CAST)
    for (const e of [
      thrown(() => transformFiles(join(dir, 'app.js'), { outDir: join(tmp, 'out') })),
      thrown(() => findGlueWasm(several, join(dir, 'app.js'))),
    ]) {
      expect(e.reason).toMatch(/names several \.wasm files \(one\.wasm, two\.wasm\) and none is named like it\. Say which one it loads with --wasm$/)
      expect(e.message).not.toMatch(/'wasm' option|plugin|shipped|not Emscripten glue/)
      expect(e.message.split('\n')).toHaveLength(1)
    }
  })

  it('a wasm the user named is not said to be expected under that name in the glue', () => {
    const code = 'var Module={};Module.instantiateWasm;Module.wasmBinary;fetch("a.wasm").then(r=>WebAssembly.instantiateStreaming(r,{}))'
    const e = thrown(() => rewriteGlueWasm(code, { fileName: 'odd.js', wasm: { kind: 'external', name: 'build/app.wasm', anyName: true }, urlPrologue: '' }))
    expect(e.reason).toMatch(
      /^cannot tell how this glue locates 'build\/app\.wasm': expected a new URL\('<name>\.wasm', import\.meta\.url\) or a Module\.locateFile lookup/,
    )
  })
})
