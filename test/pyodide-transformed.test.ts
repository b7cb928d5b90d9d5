// Pyodide flagship, part 2: our transform replaces CPython's hand-written trampoline.
//
// ====================================================================
//  TRANSFORMED VARIANT: needs src/core (transformWasm, transformGlue).
//  Kept apart from pyodide.test.ts so the baseline (stock runs, the
//  untrampolined module traps) stays runnable on its own.
// ====================================================================
//
// untrampoline(stock wasm) recreates a CPython with no fpcast trampoline,
// which traps at start-up (pyodide.test.ts proves it). transformWasm must make
// it run again, and print exactly what stock Pyodide prints, on Node 20 (no
// final wasm-gc) and Node 24.
//
// Which JS files go through transformGlue: $FPCAST_PYODIDE_FILES, a comma
// list of "glue" (pyodide.asm.mjs, the Emscripten glue) and "loader"
// (pyodide.mjs); default "glue", the product's contract. Pyodide's glue does
// not instantiate the main wasm itself: the loader passes
// `Module.instantiateWasm`, which calls WebAssembly.instantiateStreaming /
// instantiate. So a glue rewrite that only redirects the glue's own
// `WebAssembly.instantiate` calls leaves the transformed wasm without its
// `fpcast_trampoline` imports ("Import #0 "fpcast_trampoline": module is not
// an object or function"); the glue rewrite has to hook Module.instantiateWasm
// too. FPCAST_PYODIDE_FILES=loader is a diagnostic that bypasses that.
import { beforeAll, describe, expect, test } from 'vitest'
import { transformGlue, transformWasm } from '../src/core/index.ts'
import { comparable, DEPTH_PY, lastDepth, NODES, stockSuite, SUITE } from './pyodide/reference'
import { runPyodide, stockGlue, stockLoader, stockWasm } from './pyodide/run'
import { untrampoline } from './pyodide/untrampoline'

const RUN_TIMEOUT = 180_000
const FILES = new Set((process.env.FPCAST_PYODIDE_FILES ?? 'glue').split(',').map(f => f.trim()))

describe(`TRANSFORMED: untrampolined Pyodide + transformWasm/transformGlue (${[...FILES].join('+')}) prints the stock output`, () => {
  let wasm: Uint8Array
  let glue: string | undefined
  let loader: string | undefined

  beforeAll(() => {
    const t = performance.now()
    const bare = untrampoline(stockWasm())
    const result = transformWasm(bare, { fileName: 'pyodide.asm.wasm' })
    // The default writer copies bodies without sites and lowers sites in the bytes (copy/): this is its real-input run.
    expect(result.report.writer).toEqual({ used: 'copy', skeleton: 'compact' })
    wasm = result.wasm
    if (FILES.has('glue')) glue = transformGlue(stockGlue(), { fileName: 'pyodide.asm.mjs' }).code
    if (FILES.has('loader')) loader = transformGlue(stockLoader(), { fileName: 'pyodide.mjs' }).code
    console.log(`[transformed] ${(performance.now() - t).toFixed(0)} ms`, JSON.stringify(result.report).slice(0, 2000))
  }, RUN_TIMEOUT)

  for (const { label, bin } of NODES) {
    test(
      label,
      async () => {
        // Reference computed here, on the same engine: stock Pyodide's output.
        const stock = await stockSuite(bin)
        expect(stock.code, `stock exit code; stderr:\n${stock.stderr.slice(-3000)}`).toBe(0)
        expect(stock.stderr).toBe('')
        expect(stock.stdout).toContain('\nsuite: done\n')

        const r = await runPyodide({ wasm, glue, loader, python: SUITE, node: bin, timeoutMs: RUN_TIMEOUT - 10_000 })
        expect(r.code, `exit code; stderr:\n${r.stderr.slice(-3000)}`).toBe(0)
        expect(r.stderr).toBe('')
        expect(comparable(r.stdout)).toBe(comparable(stock.stdout))
        console.log(`[transformed ${label}] ${r.stdout.split('\n').find(l => l.startsWith('DEPTH:'))}`)
      },
      RUN_TIMEOUT,
    )
  }

  // Informational: recursion through map() per level. Stock Pyodide on Node 20
  // dies of a V8 stack overflow at level 267, on Node 24 it reaches
  // RecursionError at 997 (see depth.py); compare with the transformed build.
  for (const { label, bin } of NODES) {
    test(
      `${label}: recursion through map() (informational)`,
      async () => {
        const r = await runPyodide({ wasm, glue, loader, python: DEPTH_PY, node: bin })
        const outcome = r.code === 0 ? 'RecursionError' : (r.stderr.match(/(RangeError|RuntimeError): [^\n]*/)?.[0] ?? `exit ${r.code}`)
        console.log(`[transformed ${label}] ${lastDepth(r.stdout)} -> ${outcome}`)
        expect(lastDepth(r.stdout)).toMatch(/^DEPTH: via-map \d+$/)
      },
      RUN_TIMEOUT,
    )
  }
})
