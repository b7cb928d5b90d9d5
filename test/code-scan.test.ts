/**
 * The code-section pre-scan (src/core/wasm/code-scan.ts) against binaryen's full
 * walk, body by body, on real modules: every fixture emcc built here (SIMD,
 * pthreads, legacy exceptions, Asyncify, DWARF, dynamic linking), sql.js and
 * Pyodide. A body the pre-scan reads must hold exactly the call_indirect
 * count binaryen finds; one it cannot read must be marked for walking.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import binaryen from 'binaryen'
import { describe, expect, it } from 'vitest'
import { scanCode } from '../src/core/wasm/code-scan.ts'
import { readModule } from '../src/core/wasm/read.ts'
import { listFunctions, scanModule } from '../src/core/wasm/scan.ts'
import { transformWasm } from '../src/core/index.ts'

const require = createRequire(import.meta.url)
const FIXTURES = join(import.meta.dirname, 'fixtures', 'build')
const modules: [string, string][] = [
  ...readdirSync(FIXTURES, { withFileTypes: true })
    .filter(d => d.isDirectory())
    .flatMap(d =>
      readdirSync(join(FIXTURES, d.name))
        .filter(f => f.endsWith('.wasm'))
        .map(f => [`${d.name}/${f}`, join(FIXTURES, d.name, f)] as [string, string]),
    ),
  ['sql.js', join(import.meta.dirname, '..', 'node_modules', 'sql.js', 'dist', 'sql-wasm.wasm')],
  ['pyodide', join(dirname(require.resolve('pyodide/package.json')), 'pyodide.asm.wasm')],
]

/** binaryen's count of call_indirect per defined function, in code-section order. */
function walkCounts(bytes: Uint8Array): number[] {
  const { module: m } = readModule(bytes, 'x.wasm')
  try {
    const functions = listFunctions(m, () => undefined)
    const scan = scanModule(m, functions, undefined, 'x.wasm')
    const counts = new Map<number, number>()
    for (const s of scan.sites) counts.set(s.func.index, (counts.get(s.func.index) ?? 0) + 1)
    return functions.filter(f => !f.imported).map(f => counts.get(f.index) ?? 0)
  } finally {
    m.dispose()
  }
}

describe('code-section pre-scan', () => {
  it.each(modules)('%s: agrees with binaryen body by body', (_, path) => {
    const bytes = readFileSync(path)
    const code = scanCode(bytes)!
    expect(code).toBeDefined()
    const counts = walkCounts(bytes)
    expect(code.bodies).toBe(counts.length)
    const read = [...code.callIndirects].map((n, i) => [i, n] as const).filter(([, n]) => n >= 0)
    // These are emcc and wasm-opt outputs: every body is readable.
    expect(read.length).toBe(code.bodies)
    expect(read.filter(([i, n]) => n !== counts[i])).toEqual([])
    expect(counts.reduce((a, b) => a + b, 0)).toBeGreaterThan(0)
  })

  it('marks a body it cannot read (GC, try_table) for walking, and never gives a wrong count for a truncated module', () => {
    const m = binaryen.parseText(`(module
      (type $s (struct (field i32)))
      (type $v (func))
      (table 1 funcref)
      (tag $e)
      (func $gc (result i32) (struct.get $s 0 (struct.new $s (i32.const 1))))
      (func $tt (block $h (try_table (catch_all $h) (call_indirect (type $v) (i32.const 0)))))
      (func $plain (param i32) (result i32) (call_indirect (param i32) (result i32) (local.get 0) (i32.const 0))))`)
    m.setFeatures(binaryen.Features.All)
    const bytes = m.emitBinary()
    m.dispose()
    const code = scanCode(bytes)!
    expect([...code.callIndirects]).toEqual([-1, -1, 1])
    expect([...code.walk]).toEqual([1, 1, 0])
    // Cut anywhere: no answer, or per body the right count or "walk it" (-1); never a wrong count.
    const full = [...code.callIndirects]
    for (let n = 8; n < bytes.length; n++) {
      const cut = scanCode(bytes.subarray(0, n))
      if (cut) for (const [i, c] of [...cut.callIndirects].entries()) expect([-1, full[i]]).toContain(c)
    }
  })

  it('the transform finds the same sites with and without it (Pyodide: 4,854)', () => {
    const bytes = readFileSync(modules.find(([name]) => name === 'pyodide')![1])
    const viaPrescan = transformWasm(bytes, { strategy: 'js' }).report
    expect(viaPrescan.sites.total).toBe(walkCounts(bytes).reduce((a, b) => a + b, 0))
  })
})
