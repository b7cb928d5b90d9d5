/**
 * The C fixtures (built with Emscripten, committed under test/fixtures/build)
 * through the real CLI, run on Node 20 (no wasm-gc) and Node 24 (wasm-gc).
 * Each untransformed build is first shown to trap, so the test proves
 * something; each transformed build must print exactly its .expected file.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { engines, ROOT } from './helpers/engines.ts'

interface Fixture {
  name: string
  dir: string
  entry: string
  nodeArgs: string[]
  expectedFile: string
  trapsUntransformed: boolean
  extraFiles?: string[]
  callIndirectCount?: number
}

const FIXTURES = join(ROOT, 'test/fixtures')
// The ES-module build (glib_esm) is for bundlers: it does not run in Node as built (see test/fixtures/README.md).
const fixtures: Fixture[] = JSON.parse(readFileSync(join(FIXTURES, 'fixtures.json'), 'utf8')).filter((f: Fixture) => f.entry.endsWith('.js'))
const CLI = join(ROOT, 'dist/cli.js')
const work = mkdtempSync(join(tmpdir(), 'fpcast-fixtures-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

function run(bin: string, args: string[], cwd: string) {
  const r = spawnSync(bin, args, { cwd, encoding: 'utf8', timeout: 60_000 })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

/** Transforms a fixture with the CLI into a fresh directory and returns its path. */
function transformed(f: Fixture, strategy: string): string {
  const out = join(work, `${f.name}-${strategy}`)
  // Companions the glue loads by path (side modules, worker scripts) are copied by the CLI; package.json keeps .js as CommonJS.
  cpSync(join(FIXTURES, f.dir, 'package.json'), join(out, 'package.json'), { recursive: true })
  execFileSync(process.execPath, [CLI, join(FIXTURES, f.entry), '--out-dir', out, '--strategy', strategy], { encoding: 'utf8', stdio: 'pipe' })
  return out
}

const expected = (f: Fixture) => readFileSync(join(FIXTURES, f.expectedFile), 'utf8')
// The incompatible fixture prints its first line, then its incompatible call must trap with our message.
const trapsByDesign = (f: Fixture) => f.name === 'incompatible'

describe.each(engines())('on $name', engine => {
  describe.each(fixtures)('fixture $name', f => {
    it('untransformed: traps (or, for matched calls only, runs)', () => {
      const r = run(engine.bin, [...engine.flags, ...f.nodeArgs, basename(f.entry)], join(FIXTURES, f.dir))
      if (f.trapsUntransformed) {
        expect(r.code).not.toBe(0)
        expect(r.stderr).toMatch(/signature mismatch/)
      } else {
        expect(r.stderr).toBe('')
        expect(r.stdout).toBe(expected(f))
      }
    })

    it('transformed (shadow): prints exactly the expected output', () => {
      const dir = transformed(f, 'shadow')
      const r = run(engine.bin, [...engine.flags, ...f.nodeArgs, basename(f.entry)], dir)
      if (trapsByDesign(f)) {
        expect(r.code).not.toBe(0)
        expect(r.stderr).toMatch(/incompatible indirect call at .*wasm-function\[\d+\]:0x[0-9a-f]+.*expects \(.*\) -> .* but table slot \d+ holds \(.*\) -> /)
        expect(r.stdout).toBe(expected(f))
      } else {
        expect(r.stderr).toBe('')
        expect(r.stdout).toBe(expected(f))
        expect(r.code).toBe(0)
      }
    })
  })
})

describe.each(engines())('strategy js on $name', engine => {
  // Pyodide's JS trampoline handles arity for i32-only signatures; fixtures with missing i64/f64 behave differently there (documented).
  it.each(fixtures.filter(f => ['glib', 'cpython', 'matched'].includes(f.name)))('fixture $name', f => {
    const dir = transformed(f, 'js')
    const r = run(engine.bin, [...engine.flags, ...f.nodeArgs, basename(f.entry)], dir)
    expect(r.stderr).toBe('')
    expect(r.stdout).toBe(expected(f))
  })
})
