// Pyodide flagship, part 1: the baseline and the proof that the trampoline matters.
//
// (a) stock Pyodide (npm `pyodide`) runs test/pyodide/suite.py on Node 20 and
//     Node 24 and prints the same thing on both;
// (b) with CPython's hand-written trampoline removed (test/pyodide/untrampoline.ts)
//     it traps during start-up with "signature mismatch" on both.
// The transformed variant (our rewrite restoring it) is in pyodide-transformed.test.ts.
import { beforeAll, describe, expect, test } from 'vitest'
import { comparable, DEPTH_PY, lastDepth, NODES, stockSuite, SUITE } from './pyodide/reference'
import { runPyodide, stockWasm, type RunResult } from './pyodide/run'
import { roundTrip, untrampolineWithReport, type UntrampolineReport } from './pyodide/untrampoline'

const RUN_TIMEOUT = 120_000
// A start-up failure happens before any Python runs; a trivial program suffices.
const SUITE_SMOKE = 'print("started")\n'

// Lines the suite must print exactly, whatever the engine: the reference is
// computed at test time, these make sure it is also right.
const EXPECTED_LINES = [
  'str.format:    right|left  |  mid  |0003.142|ff|1,234,567',
  'unicode.upper: NAÏVE CAFÉ — 日本語 ✓ 🐍',
  "dict.reinsert: [('zeta', 4), ('alpha', 100), ('beta', 4), ('omega', 5), ('extra', 1), ('mu', 0)]",
  "class.mro: ['Fancy', 'Mixin', 'Square', 'Rect', 'Shape', 'object']",
  "class.inherit: ['rect with 4 sides, area 6.00', 'square with 4 sides, area 16.00', 'mixin:square with 4 sides, area 2.25']",
  "builtin.sorted.key: [('dave', 25), ('alice', 30), ('bob', 30), ('carol', 35)]",
  'builtin.reduce: 3628800',
  'json.roundtrip: True',
  "re.groups: (('alice', 'mail.example', 'org'), 'mail.example', {'user': 'alice', 'host': 'mail.example', 'tld': 'org'}, (19, 22))",
  're.sub: a2b44c666',
  "decimal.div50: Decimal('0.14285714285714285714285714285714285714285714285714')",
  "decimal.prec6: (Decimal('6.28319'), Decimal('3.33333'), Decimal('2.50000'))",
  "sqlite.aggregate: [('bird', 1, 1.25), ('cat', 1, 7.0), ('dog', 2, 13.5)]",
  "sqlite.udf: [('REX!',), ('TOM!',), ('KIWI!',), ('FIDO!',)]",
  "exc.log: ['try0', 'finally0', 'try1', 'finally1', 'try2', 'zde:division by zero', 'finally2']",
  "exc.traceback.frames: ['exceptions', 'outer', 'inner']",
  'suite: done',
]

function expectSuiteOk(r: RunResult) {
  expect(r.code, `exit code; stderr:\n${r.stderr.slice(-3000)}`).toBe(0)
  expect(r.stderr).toBe('')
  const lines = r.stdout.split('\n')
  for (const line of EXPECTED_LINES) expect(lines).toContain(line)
  expect(r.stdout).not.toContain('FAILED')
  expect(r.stdout).toMatch(/^DEPTH: python \d+ \(limit \d+\)$/m)
}

describe('stock Pyodide runs the suite', () => {
  let reference: string | undefined

  for (const { label, bin } of NODES) {
    test(
      label,
      async () => {
        const r = await stockSuite(bin)
        expectSuiteOk(r)
        // The first engine's output is the reference; every other engine must match it.
        if (reference === undefined) reference = comparable(r.stdout)
        else expect(comparable(r.stdout)).toBe(reference)
        console.log(`[stock ${label}] ${r.stdout.split('\n').find(l => l.startsWith('DEPTH:'))}`)
      },
      RUN_TIMEOUT,
    )
  }

  // Informational: recursion through a C builtin (map) per level. Stock on
  // Node 20 dies of a V8 stack overflow (a fatal error, not RecursionError) at
  // level 267; Node 24 reaches RecursionError at 997 (see depth.py).
  for (const { label, bin } of NODES) {
    test(
      `${label}: recursion through map() (informational)`,
      async () => {
        const r = await runPyodide({ python: DEPTH_PY, node: bin })
        const outcome = r.code === 0 ? 'RecursionError' : (r.stderr.match(/RangeError: [^\n]*/)?.[0] ?? `exit ${r.code}`)
        console.log(`[stock ${label}] ${lastDepth(r.stdout)} -> ${outcome}`)
        expect(lastDepth(r.stdout)).toMatch(/^DEPTH: via-map \d+$/)
      },
      RUN_TIMEOUT,
    )
  }
})

describe('untrampolined Pyodide traps at start-up', () => {
  let wasm: Uint8Array
  let report: UntrampolineReport

  beforeAll(() => {
    ;({ wasm, report } = untrampolineWithReport(stockWasm()))
    console.log('[untrampoline]', JSON.stringify(report))
  }, RUN_TIMEOUT)

  test('found and rewrote the one trampoline function', () => {
    expect(report.importModule).toBe('env')
    expect(report.importName).toBe('_PyEM_TrampolineCall_JS')
    expect(report.functionSignature).toBe('(i32,i32,i32,i32)->i32')
    expect(report.callSignature).toBe('(i32,i32,i32)->i32')
    // The old body had one call_indirect (the wasm-gc trampoline), the new one has one.
    expect(report.callIndirectAfter).toBe(report.callIndirectBefore)
    expect(report.callIndirectBefore).toBeGreaterThan(4000)
  })

  for (const { label, bin } of NODES) {
    test(
      label,
      async () => {
        const r = await runPyodide({ wasm, python: SUITE_SMOKE, node: bin })
        expect(r.code, `exit code; stdout:\n${r.stdout.slice(-2000)}`).not.toBe(0)
        expect(r.stdout).toBe('')
        expect(r.stderr).toMatch(/RuntimeError: [^\n]*signature mismatch/)
      },
      RUN_TIMEOUT,
    )
  }

  // Control: the same binaryen read/write without the rewrite still works, so
  // the trap comes from removing the trampoline, not from binaryen.
  describe('control: binaryen round trip alone still runs the suite', () => {
    let same: Uint8Array
    beforeAll(() => {
      same = roundTrip(stockWasm())
    }, RUN_TIMEOUT)

    for (const { label, bin } of NODES) {
      test(
        label,
        async () => {
          const [r, stock] = await Promise.all([runPyodide({ wasm: same, python: SUITE, node: bin }), stockSuite(bin)])
          expectSuiteOk(r)
          expect(comparable(r.stdout)).toBe(comparable(stock.stdout))
        },
        RUN_TIMEOUT,
      )
    }
  })
})
