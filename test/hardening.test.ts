/**
 * Issue 21 (hardening): each case below was first a failing reproduction on
 * a small module built here (binaryen.js, or bytes where binaryen would not
 * write it), then fixed. Every rewrite is validated by transformWasm itself
 * and by the engine; every module runs through the real runtime.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import binaryen from 'binaryen'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { WasmCache } from '../src/bundler/cache.ts'
import { TransformPool } from '../src/bundler/pool.ts'
import { FpcastError, transformWasm } from '../src/core/index.ts'
import { fpcastRuntime } from '../src/runtime/runtime.js'

const WA = fpcastRuntime(WebAssembly)
const F = binaryen.Features
const leb = (n: number): number[] => {
  const out: number[] = []
  do {
    let byte = n & 0x7f
    n >>>= 7
    if (n) byte |= 0x80
    out.push(byte)
  } while (n)
  return out
}
const section = (id: number, body: number[]) => [id, ...leb(body.length), ...body]

/** Emits a module built with binaryen.js, declaring exactly `features`. */
function emit(m: binaryen.Module, features: number): Uint8Array {
  try {
    m.setFeatures(features)
    if (!m.validate()) throw new Error('the test wrote an invalid module')
    return m.emitBinary()
  } finally {
    m.dispose()
  }
}

async function instantiate(bytes: Uint8Array, imports: WebAssembly.Imports = {}, ns: typeof WebAssembly = WA): Promise<any> {
  const { instance } = (await ns.instantiate(bytes, imports)) as unknown as WebAssembly.WebAssemblyInstantiatedSource
  return instance.exports
}

/**
 * A call table of `n` slots filled by one element segment, cycling through
 * $one (i32) -> i32 (x + 100), $same (i32, i32) -> i32 (x - y) and $three
 * (i32, i32, i32) -> i32 (x + z + 1000); `call(x, y, slot)` calls through
 * (i32, i32) -> i32. Written as bytes: binaryen.js itself cannot build one
 * segment of 600,000 entries (it copies the names onto its stack).
 */
function bigTable(n: number): Uint8Array {
  const I = 0x7f
  const body = (code: number[]) => [...leb(code.length + 2), 0, ...code, 0x0b]
  const str = (s: string) => [...leb(s.length), ...Buffer.from(s)]
  const elems = new Uint8Array(n).map((_, i) => i % 3)
  return new Uint8Array([
    0,
    0x61,
    0x73,
    0x6d,
    1,
    0,
    0,
    0,
    ...section(1, [3, 0x60, 1, I, 1, I, 0x60, 2, I, I, 1, I, 0x60, 3, I, I, I, 1, I]),
    ...section(3, [4, 0, 1, 2, 2]),
    ...section(4, [1, 0x70, 1, ...leb(n), ...leb(n)]),
    ...section(7, [2, ...str('table'), 1, 0, ...str('call'), 0, 3]),
    ...section(9, [1, 0, 0x41, 0, 0x0b, ...leb(n), ...elems]),
    ...section(10, [
      4,
      ...body([0x20, 0, 0x41, 0xe4, 0, 0x6a]),
      ...body([0x20, 0, 0x20, 1, 0x6b]),
      ...body([0x20, 0, 0x20, 2, 0x6a, 0x41, 0xe8, 0x07, 0x6a]),
      ...body([0x20, 0, 0x20, 1, 0x20, 2, 0x11, 1, 0]),
    ]),
  ])
}

describe('element segments past the br_table limit (65,520 targets in V8)', () => {
  const n = 70_000
  const input = bigTable(n)

  it('the untransformed module traps on a cast call at a high slot (so the test proves something)', async () => {
    const e = await instantiate(input, {}, WebAssembly)
    expect(() => e.call(5, 6, n - 1)).toThrow(/signature mismatch/) // 69,999 % 3 == 0: $one
  })

  it.each(['global', 'argument'] as const)('a 70,000-entry segment transforms, validates and runs cast calls at high slots (slotVia %s)', async slotVia => {
    const { wasm } = transformWasm(input, { fileName: 'big.wasm', slotVia })
    expect(WebAssembly.validate(wasm as BufferSource)).toBe(true)
    const e = await instantiate(wasm)
    expect(e.call(5, 6, n - 1)).toBe(105) // $one, adapted: the extra argument dropped
    expect(e.call(5, 6, n - 2)).toBe(1005) // $three, adapted: the missing argument is 0
    expect(e.call(5, 6, n - 3)).toBe(-1) // $same, matched
    expect(e.call(5, 6, 1_023)).toBe(105) // the last slot of the first lookup chunk (STATIC_SIG_CHUNK), $one
    expect(e.call(5, 6, 1_024)).toBe(-1) // the first of the second, $same
    expect(e.call(5, 6, 16_383)).toBe(105) // the last slot of the first split segment (BR_TABLE_CHUNK, slotVia 'argument')
    expect(e.call(5, 6, 16_384)).toBe(-1)
    expect(e.call(5, 6, 16_385)).toBe(1005)
  })

  it('full shadows stay within their slot budget: one on a 60,000-slot table, none on a 70,000-slot one', () => {
    const grows = (slots: number) => {
      const m = binaryen.readBinary(transformWasm(bigTable(slots), { fileName: 'big.wasm' }).wasm)
      const has = m.getExport('fpcast$grow') !== 0
      m.dispose()
      return has
    }
    expect(grows(60_000)).toBe(true)
    expect(grows(n)).toBe(false)
  })

  it('the marks of changed static slots cost nothing until one changes, then cover the static slots up to it (slotVia global)', async () => {
    const { wasm } = transformWasm(input, { fileName: 'big.wasm' })
    const m = binaryen.readBinary(wasm)
    const changed = binaryen.getTableInfo(m.getTable('fpcast$changed'))
    m.dispose()
    expect(changed.initial).toBe(0) // not one 8-byte mark per slot of the call table up front
    const e = await instantiate(wasm)
    expect(e.call(5, 6, 50_000)).toBe(1005) // 50,000 % 3 == 2: $three, resolved and cached
    e.table.set(50_000, e.table.get(1)) // $same: the marks grow to cover slot 50,000
    expect(e.call(5, 6, 50_000)).toBe(-1)
    expect(e.call(5, 6, 50_001)).toBe(105) // unchanged neighbours keep their static answer
    expect(e.call(5, 6, 49_999)).toBe(-1)
    e.table.set(n - 1, e.table.get(2)) // the last static slot: $three instead of $one
    expect(e.call(5, 6, n - 1)).toBe(1005)
    expect(e.call(5, 6, 3)).toBe(105) // slot 3: $one, never changed, below every mark
  })

  it('a 600,000-entry segment (which crashed binaryen.js: memory access out of bounds) transforms and runs', async () => {
    const big = 600_000
    const { wasm } = transformWasm(bigTable(big), { fileName: 'huge.wasm' })
    expect(WebAssembly.validate(wasm as BufferSource)).toBe(true)
    const e = await instantiate(wasm)
    expect(e.call(5, 6, big - 1)).toBe(1005) // 599,999 % 3 == 2: $three
    expect(e.call(5, 6, big - 2)).toBe(-1)
    expect(e.call(5, 6, 300_000)).toBe(105)
  })
})

describe('a binaryen failure does not poison the next transform', () => {
  const DIST_WORKER = new URL('../dist/worker.js', import.meta.url)
  const ABORT_WORKER = new URL('./helpers/abort-worker.mjs', import.meta.url)
  const valid = bigTable(8)
  const pools: TransformPool[] = []
  afterAll(() => Promise.all(pools.map(p => p.close())))
  const pool = (url: URL) => {
    const p = new TransformPool(1, undefined, url)
    pools.push(p)
    return p
  }

  it('after a real binaryen.js abort in its worker, the pool transforms the next module in a fresh worker', async () => {
    const p = pool(ABORT_WORKER)
    // The worker aborts binaryen, then transforms a valid module in the broken instance: that fails.
    await expect(p.run(valid, { fileName: 'abort.wasm' })).rejects.toThrow(/abort\.wasm: .*(out of bounds|cannot parse)/)
    const after = await p.run(valid, { fileName: 'after.wasm' })
    expect(WebAssembly.validate(after.wasm as BufferSource)).toBe(true)
    expect((await instantiate(after.wasm)).call(5, 6, 6)).toBe(105)
  })

  it('on the main thread (a CLI, the sources run unbuilt), a later transform says binaryen failed earlier instead of a misleading parse error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fpcast-broken-'))
    try {
      writeFileSync(join(dir, 'deep.wasm'), nestedBlocks(10_000))
      writeFileSync(join(dir, 'good.wasm'), valid)
      // A fresh process: the overflow breaks its binaryen (this test process's stays whole).
      const script = `import { readFileSync } from 'node:fs'
        const { transformWasm } = await import(${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)})
        for (const name of ['deep.wasm', 'good.wasm']) {
          try { transformWasm(readFileSync(${JSON.stringify(dir)} + '/' + name), { fileName: name, writer: 'binaryen' }); console.log('ok') } catch (e) { console.log(e.message) }
        }`
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })
      const [deep, good] = r.stdout.trim().split('\n')
      expect(deep).toMatch(/^\[fpcast-trampoline\] deep\.wasm: binaryen ran out of stack/)
      expect(good).toMatch(
        /^\[fpcast-trampoline\] good\.wasm: binaryen failed on an earlier module in this thread \(deep\.wasm: Maximum call stack size exceeded\) and may be unusable; nothing was written\. Restart the process/,
      )
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('100,000 nested blocks (10,000 overflow the main thread, a worker has more stack): one line naming the file (binaryen runs out of stack), and the next transform works', async () => {
    const p = pool(DIST_WORKER)
    const deep = nestedBlocks(100_000)
    expect(WebAssembly.validate(deep as BufferSource)).toBe(true)
    // (In a worker: the overflow breaks that binaryen instance, which must not be this test process's.)
    // (The binaryen writer: the default copy writer never hands this body to binaryen, see below.)
    const failure = await p.run(deep, { fileName: 'deep.wasm', writer: 'binaryen' }).catch(e => e)
    expect(failure).toBeInstanceOf(FpcastError)
    expect(failure.message).toMatch(/^\[fpcast-trampoline\] deep\.wasm: binaryen ran out of stack[^\n]*$/)
    const after = await p.run(valid, { fileName: 'after.wasm' })
    expect((await instantiate(after.wasm)).call(5, 6, 6)).toBe(105)
  })

  it('the copy writer rewrites the call_indirect inside 100,000 nested blocks in the bytes, where binaryen runs out of stack', async () => {
    const { wasm, report } = transformWasm(nestedBlocks(100_000), { fileName: 'deep.wasm' })
    expect(report.writer).toEqual({ used: 'copy', skeleton: 'compact' })
    expect(report.sites).toEqual({ total: 1, rewritten: 1 })
    expect(WebAssembly.validate(wasm as BufferSource)).toBe(true)
  })
})

/** `depth` nested empty blocks around a call_indirect (written as bytes: binaryen's writer is what overflows). */
function nestedBlocks(depth: number): Uint8Array {
  const code = [0, ...new Array(depth).fill([0x02, 0x40]).flat(), ...new Array(depth).fill(0x0b), 0x41, 1, 0x41, 2, 0x41, 0, 0x11, 0, 0, 0x1a, 0x0b]
  return new Uint8Array([
    0,
    0x61,
    0x73,
    0x6d,
    1,
    0,
    0,
    0,
    ...section(1, [2, 0x60, 2, 0x7f, 0x7f, 1, 0x7f, 0x60, 0, 0]),
    ...section(3, [1, 1]),
    ...section(4, [1, 0x70, 0, 1]),
    ...section(10, [1, ...leb(code.length), ...code]),
  ])
}

/** Text -> binary with binaryen.js, declaring exactly `features`. */
function wat(text: string, features: number): Uint8Array {
  return emit(binaryen.parseText(text), features)
}

describe('multi-value types in the table and at sites', () => {
  // $pair returns two values; $one and $same are ordinary. A site calls through (i32, i32) -> i32,
  // another through (i32) -> (i32, i32).
  const input = wat(
    `(module
    (type $iii (func (param i32 i32) (result i32)))
    (type $pairT (func (param i32) (result i32 i32)))
    (table $t (export "table") 4 funcref)
    (func $pair (param i32) (result i32 i32) (local.get 0) (i32.add (local.get 0) (i32.const 1)))
    (func $one (param i32) (result i32) (i32.add (local.get 0) (i32.const 100)))
    (func $same (param i32 i32) (result i32) (i32.sub (local.get 0) (local.get 1)))
    (elem (i32.const 1) $pair $one $same)
    (func (export "call") (param i32 i32 i32) (result i32) (call_indirect $t (type $iii) (local.get 0) (local.get 1) (local.get 2)))
    (func (export "pair") (param i32 i32) (result i32 i32) (call_indirect $t (type $pairT) (local.get 0) (local.get 1))))`,
    F.MVP | F.ReferenceTypes | F.Multivalue,
  )
  /** A (i32, i32) -> i32 function of another instance: x * y. */
  const foreign = async () =>
    (await instantiate(wat(`(module (func (export "mul") (param i32 i32) (result i32) (i32.mul (local.get 0) (local.get 1))))`, F.MVP), {}, WebAssembly)).mul

  it.each(['global', 'argument'] as const)('matched, adapted and multi-value calls run, also after a JS table.set (slotVia %s)', async slotVia => {
    const { wasm } = transformWasm(input, { fileName: 'multi.wasm', slotVia })
    const e = await instantiate(wasm)
    expect(e.call(5, 6, 2)).toBe(105)
    expect(e.call(5, 6, 3)).toBe(-1)
    expect(e.pair(7, 1)).toEqual([7, 8])
    e.table.set(2, await foreign()) // classified at run time: probes over every signature, the multi-value one included
    expect(e.call(5, 6, 2)).toBe(30)
    e.table.set(3, e.table.get(1)) // a multi-value function where the site expects one result: incompatible, a trap
    expect(() => e.call(5, 6, 3)).toThrow(WebAssembly.RuntimeError)
  })

  it("strategy 'js' instantiates and runs them", async () => {
    const { wasm } = transformWasm(input, { fileName: 'multi.wasm', strategy: 'js' })
    const e = await instantiate(wasm)
    expect(e.call(5, 6, 2)).toBe(105)
    expect(e.pair(7, 1)).toEqual([7, 8])
  })
})

describe('calls made by the start function, before the runtime has filled its hooks', () => {
  // Slot 1: the import env.add (i32, i32) -> i32; slot 2: $one (i32) -> i32; slot 3 is set by JS
  // before instantiation (the table is imported). The start function calls all three through
  // (i32, i32) -> i32 and keeps the results in globals.
  const input = wat(
    `(module
    (type $iii (func (param i32 i32) (result i32)))
    (import "env" "add" (func $add (param i32 i32) (result i32)))
    (import "env" "table" (table $t 4 funcref))
    (global $a (export "a") (mut i32) (i32.const -1))
    (global $b (export "b") (mut i32) (i32.const -1))
    (global $c (export "c") (mut i32) (i32.const -1))
    (func $one (param i32) (result i32) (i32.add (local.get 0) (i32.const 100)))
    (elem (i32.const 1) $add $one)
    (func $start
      (global.set $a (call_indirect $t (type $iii) (i32.const 20) (i32.const 22) (i32.const 1)))
      (global.set $b (call_indirect $t (type $iii) (i32.const 5) (i32.const 6) (i32.const 2)))
      (global.set $c (call_indirect $t (type $iii) (i32.const 9) (i32.const 8) (i32.const 3))))
    (start $start)
    (func (export "call") (param i32 i32 i32) (result i32) (call_indirect $t (type $iii) (local.get 0) (local.get 1) (local.get 2))))`,
    F.MVP | F.MutableGlobals | F.ReferenceTypes,
  )
  const sub = async () =>
    (await instantiate(wat(`(module (func (export "sub") (param i32 i32) (result i32) (i32.sub (local.get 0) (local.get 1))))`, F.MVP), {}, WebAssembly)).sub
  const imports = async () => {
    const table = new WebAssembly.Table({ element: 'anyfunc', initial: 4 })
    table.set(3, await sub())
    return { env: { add: (x: number, y: number) => x + y, table } }
  }

  it('stock: the start function traps on the cast call (so the test proves something)', async () => {
    await expect(instantiate(input, await imports(), WebAssembly)).rejects.toThrow(/signature mismatch/)
  })

  it.each(['global', 'argument'] as const)(
    'matched calls through an imported function and a slot set before instantiation, and a cast call known at build time, run (slotVia %s)',
    async slotVia => {
      const { wasm } = transformWasm(input, { fileName: 'start.wasm', slotVia })
      const env = await imports()
      const e = await instantiate(wasm, env)
      expect([e.a.value, e.b.value, e.c.value]).toEqual([42, 105, 1])
      // After start, with the hooks in place, the same slots still behave, and slot 3 is adapted later if it changes.
      expect([e.call(1, 2, 1), e.call(5, 0, 2), e.call(9, 4, 3)]).toEqual([3, 105, 5])
      env.env.table.set(3, env.env.table.get(2))
      expect(e.call(7, 0, 3)).toBe(107)
    },
  )
})

describe('an incompatible call is a real trap', () => {
  // $one takes an i32; the site passes an f64. `guarded` wraps the call in a legacy-EH
  // try/catch_all that returns -7 if it catches anything: a trap must get through it.
  const input = wat(
    `(module
    (type $di (func (param f64) (result i32)))
    (table $t (export "table") 2 funcref)
    (func $one (param i32) (result i32) (i32.add (local.get 0) (i32.const 100)))
    (elem (i32.const 1) $one)
    (func (export "guarded") (param f64 i32) (result i32)
      (try (result i32)
        (do (call_indirect $t (type $di) (local.get 0) (local.get 1)))
        (catch_all (i32.const -7)))))`,
    F.MVP | F.ReferenceTypes | F.ExceptionHandling,
  )

  it('stock: catch_all does not catch the signature mismatch trap (so the test proves something)', async () => {
    const e = await instantiate(input, {}, WebAssembly)
    expect(() => e.guarded(1.5, 1)).toThrow(/signature mismatch/)
  })

  it.each(['global', 'argument'] as const)('catch_all does not catch it, and the report names the site and both signatures (slotVia %s)', async slotVia => {
    const { wasm } = transformWasm(input, { fileName: 'trap.wasm', slotVia })
    const e = await instantiate(wasm)
    const reported = vi.spyOn(console, 'error').mockImplementation(() => {})
    try {
      expect(() => e.guarded(1.5, 1)).toThrow(WebAssembly.RuntimeError)
      expect(reported).toHaveBeenCalledTimes(1)
      expect(String(reported.mock.calls[0][0])).toMatch(
        /^\[fpcast-trampoline\] incompatible indirect call at .*wasm-function\[\d+\]:0x[0-9a-f]+.*: the call site expects \(f64\) -> i32 but table slot 1 holds \(i32\) -> i32/,
      )
    } finally {
      reported.mockRestore()
    }
  })
})

const DEPTH = 1_000_000

describe('tail calls keep their tail-ness', () => {
  // $down(n) counts n down to 0 by return_call_indirect through slot 1 ($down itself, matched);
  // $down2(n, _) does the same through slot 2, which holds $down2 (i32, i32) -> i32: adapted.
  const input = wat(
    `(module
    (type $loop (func (param i32) (result i32)))
    (table $t (export "table") 3 funcref)
    (func $down (param i32) (result i32)
      (if (result i32) (local.get 0)
        (then (return_call_indirect $t (type $loop) (i32.sub (local.get 0) (i32.const 1)) (i32.const 1)))
        (else (i32.const 7))))
    (func $down2 (param i32 i32) (result i32)
      (if (result i32) (local.get 0)
        (then (return_call_indirect $t (type $loop) (i32.sub (local.get 0) (i32.const 1)) (i32.const 2)))
        (else (i32.add (local.get 1) (i32.const 8)))))
    (elem (i32.const 1) $down $down2)
    (func (export "run") (param i32 i32) (result i32) (call_indirect $t (type $loop) (local.get 0) (local.get 1))))`,
    F.MVP | F.ReferenceTypes | F.TailCall,
  )

  it('stock: a matched return_call_indirect loop 1,000,000 deep runs (so the test proves something)', async () => {
    const e = await instantiate(input, {}, WebAssembly)
    e.table.set(1, e.table.get(1))
    expect(e.run(DEPTH, 1)).toBe(7)
  })

  it.each(['global', 'argument'] as const)(
    '1,000,000 deep through a slot set from JS (matched) and through a build-time adapter (slotVia %s)',
    async slotVia => {
      const { wasm } = transformWasm(input, { fileName: 'tail.wasm', slotVia })
      const e = await instantiate(wasm)
      e.table.set(1, e.table.get(1)) // the slot is forgotten: the runtime classifies it again
      expect(e.run(DEPTH, 1)).toBe(7)
      expect(e.run(DEPTH, 2)).toBe(8)
    },
  )
})

describe('a call table shared with another module', () => {
  // The transformed module exports its call table; slot 1 holds $one (i32) -> i32, called through (i32, i32) -> i32.
  const main = wat(
    `(module
    (type $iii (func (param i32 i32) (result i32)))
    (table $t (export "table") 3 funcref)
    (func $one (param i32) (result i32) (i32.add (local.get 0) (i32.const 100)))
    (elem (i32.const 1) $one)
    (func (export "call") (param i32 i32 i32) (result i32) (call_indirect $t (type $iii) (local.get 0) (local.get 1) (local.get 2))))`,
    F.MVP | F.ReferenceTypes,
  )
  // Another module writes slot 1 of that table with an element segment when it is instantiated: $three (i32, i32, i32) -> i32.
  const other = wat(
    `(module
    (import "main" "table" (table $t 3 funcref))
    (func $three (param i32 i32 i32) (result i32) (i32.add (i32.add (local.get 0) (local.get 1)) (i32.add (local.get 2) (i32.const 1000))))
    (elem (table $t) (i32.const 1) func $three))`,
    F.MVP | F.ReferenceTypes | F.BulkMemory,
  )

  it('a slot written by the element segment of a module instantiated later is followed', async () => {
    const { wasm } = transformWasm(main, { fileName: 'shared.wasm' })
    const e = await instantiate(wasm)
    expect(e.call(5, 6, 1)).toBe(105) // resolves and caches slot 1
    await WA.instantiate(other, { main: { table: e.table } })
    expect(e.call(5, 6, 1)).toBe(1011)
  })

  it('so is one at an imported base (as a side module places itself at __table_base), through new Instance()', async () => {
    const { wasm } = transformWasm(main, { fileName: 'shared.wasm' })
    const e = await instantiate(wasm)
    expect(e.call(5, 6, 1)).toBe(105)
    const side = wat(
      `(module
      (import "env" "table" (table $t 3 funcref))
      (import "env" "__table_base" (global $base i32))
      (func $two (param i32 i32) (result i32) (i32.mul (local.get 0) (local.get 1)))
      (elem (table $t) (global.get $base) func $two))`,
      F.MVP | F.ReferenceTypes | F.BulkMemory,
    )
    new WA.Instance(new WA.Module(side as BufferSource), { env: { table: e.table, __table_base: new WebAssembly.Global({ value: 'i32' }, 1) } })
    expect(e.call(5, 6, 1)).toBe(30)
  })
})

describe('errors name the file', () => {
  it('a function with an exnref parameter: one line naming the file, the function and the type', () => {
    const input = wat(
      `(module
      (type $v (func))
      (table $t 1 funcref)
      (func $handler (param exnref))
      (func (export "run") (call_indirect $t (type $v) (i32.const 0))))`,
      F.MVP | F.ReferenceTypes | F.ExceptionHandling,
    )
    expect(() => transformWasm(input, { fileName: 'exn.wasm' })).toThrow(
      /^\[fpcast-trampoline\] exn\.wasm: function wasm-function\[0\]: value type #\d+ \(a reference type such as exnref\) is not supported[^\n]*$/,
    )
  })
})

describe('the persistent cache', () => {
  it('an entry whose bytes match its hash but whose report is malformed is a miss, not a failure', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fpcast-cache-'))
    try {
      const cache = new WasmCache(dir)
      const { wasm, report } = transformWasm(bigTable(8), { fileName: 'cached.wasm' })
      const key = 'k'.repeat(64)
      cache.set(key, { wasm, report })
      expect(cache.get(key)?.report.sites.rewritten).toBe(1)
      const entry = JSON.parse(readFileSync(join(dir, `${key}.json`), 'utf8'))
      for (const broken of [
        { ...entry, report: {} },
        { ...entry, report: { ...report, warnings: null } },
        { ...entry, report: 'report' },
        { ...entry, report: { ...report, sites: [] } },
      ]) {
        expect(broken.sha256).toBe(entry.sha256) // the bytes still match their hash
        writeFileSync(join(dir, `${key}.json`), JSON.stringify(broken))
        expect(cache.get(key)).toBeUndefined()
      }
      cache.set(key, { wasm, report }) // the build writes the entry again
      expect(cache.get(key)?.report.sites.rewritten).toBe(1)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('tail calls through an adapter the runtime builds', () => {
  it('a return_call_indirect loop 1,000,000 deep through a function of a signature the module never saw', async () => {
    const main = wat(
      `(module
      (type $loop (func (param i32) (result i32)))
      (table $t (export "table") 3 funcref)
      (func (export "run") (param i32 i32) (result i32) (return_call_indirect $t (type $loop) (local.get 0) (local.get 1))))`,
      F.MVP | F.ReferenceTypes | F.TailCall,
    )
    // (i32, f64) -> i32, set into slot 2 from JS and called as (i32) -> i32: the runtime builds its adapter.
    // It loops back by a tail call of the main module's run(n - 1, 2).
    const foreign = wat(
      `(module
      (import "m" "run" (func $run (param i32 i32) (result i32)))
      (func (export "fdown") (param i32 f64) (result i32)
        (if (result i32) (local.get 0)
          (then (return_call $run (i32.sub (local.get 0) (i32.const 1)) (i32.const 2)))
          (else (i32.const 9)))))`,
      F.MVP | F.TailCall,
    )
    for (const slotVia of ['global', 'argument'] as const) {
      const e = await instantiate(transformWasm(main, { fileName: 'tail-dyn.wasm', slotVia }).wasm)
      const f = await instantiate(foreign, { m: { run: e.run } })
      e.table.set(2, f.fdown)
      expect(e.run(10, 2)).toBe(9)
      expect(e.run(DEPTH, 2)).toBe(9)
    }
  })
})
