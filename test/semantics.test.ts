/**
 * Every row of the adaptation rules, on small modules built here with
 * binaryen, transformed by the core and run through the real runtime.
 * A target function records the arguments it received in globals.
 */
import binaryen from 'binaryen'
import { describe, expect, it, vi } from 'vitest'
import { parseSig, transformWasm } from '../src/core/index.ts'
import { fpcastRuntime } from '../src/runtime/runtime.js'

type Letter = string
const T: Record<Letter, string> = { i: 'i32', j: 'i64', f: 'f32', d: 'f64' }
const params = (key: string) => [...key.slice(1)].map(c => T[c])
const result = (key: string) => (key[0] === 'v' ? '' : `(result ${T[key[0]]})`)
const constOf = (t: string, v: number) => `(${t}.const ${v})`

/** The binary of a module in text form, with the given binaryen features. */
function wasmOf(wat: string, features: number): Uint8Array {
  const m = binaryen.parseText(wat)
  m.setFeatures(features)
  const bytes = m.emitBinary()
  m.dispose()
  return bytes
}

/**
 * A module with one target function of type `target` in table slot 1 (it
 * stores each argument in global g<i> and returns 42), and an export
 * `call` that calls slot `idx` through type `site`.
 */
function moduleFor(site: string, target: string): Uint8Array {
  const tp = params(target),
    sp = params(site)
  const globals = tp.map((t, i) => `(global $g${i} (export "g${i}") (mut ${t}) ${constOf(t, -1)})`).join('\n')
  const stores = tp.map((_, i) => `(global.set $g${i} (local.get ${i}))`).join(' ')
  const ret = target[0] === 'v' ? '' : constOf(T[target[0]], 42)
  const wat = `(module
    (type $site (func ${sp.length ? `(param ${sp.join(' ')})` : ''} ${result(site)}))
    (table $t (export "table") 4 funcref)
    ${globals}
    (func $target ${tp.length ? `(param ${tp.join(' ')})` : ''} ${result(target)} ${stores} ${ret})
    (func $same ${sp.length ? `(param ${sp.join(' ')})` : ''} ${result(site)} ${site[0] === 'v' ? '' : constOf(T[site[0]], 7)})
    (elem (i32.const 1) $target $same)
    (func (export "call") (param ${[...sp, 'i32'].join(' ')}) ${result(site)}
      (call_indirect $t (type $site) ${sp.map((_, i) => `(local.get ${i})`).join(' ')} (local.get ${sp.length}))))`
  return wasmOf(wat, binaryen.Features.MVP | binaryen.Features.MutableGlobals | binaryen.Features.ReferenceTypes)
}

const WA = fpcastRuntime(WebAssembly)

async function run(site: string, target: string, options: Parameters<typeof transformWasm>[1] = {}) {
  const original = moduleFor(site, target)
  const { wasm, report } = transformWasm(original, options)
  expect(report.sites.rewritten).toBe(1)
  const { instance } = (await WA.instantiate(wasm, {})) as unknown as WebAssembly.WebAssemblyInstantiatedSource
  const e = instance.exports as any
  const got = () => params(target).map((_, i) => e[`g${i}`].value)
  return { e, got, original }
}

describe.each(['global', 'argument'] as const)('adaptation rules (slotVia: %s)', slotVia => {
  it('the untransformed module traps on every mismatch (so these tests prove something)', async () => {
    const { instance } = (await WebAssembly.instantiate(moduleFor('iiii', 'ii'), {})) as any
    expect(() => instance.exports.call(1, 2, 3, 1)).toThrow(/signature mismatch/)
  })

  it('matched calls go straight through', async () => {
    const { e, got } = await run('iii', 'iii', { slotVia })
    expect(e.call(5, 6, 1)).toBe(42)
    expect(got()).toEqual([5, 6])
    expect(e.call(5, 6, 2)).toBe(7)
  })

  it('extra arguments are dropped', async () => {
    const { e, got } = await run('iiii', 'ii', { slotVia })
    expect(e.call(1, 2, 3, 1)).toBe(42)
    expect(got()).toEqual([1])
  })

  it('missing arguments are zero of their type: 0, 0n, 0.0 (not NaN, not an exception)', async () => {
    const { e, got } = await run('ii', 'iijdf', { slotVia })
    expect(e.call(9, 1)).toBe(42)
    expect(got()).toEqual([9, 0n, 0, 0])
    expect(Object.is(got()[2], 0)).toBe(true)
  })

  it('a missing result is zero of the expected type', async () => {
    expect((await run('ji', 'vi', { slotVia })).e.call(3, 1)).toBe(0n)
    expect((await run('d', 'v', { slotVia })).e.call(1)).toBe(0)
    expect((await run('f', 'v', { slotVia })).e.call(1)).toBe(0)
    expect((await run('ii', 'vi', { slotVia })).e.call(3, 1)).toBe(0)
  })

  it('an unexpected result is dropped, the call still happens', async () => {
    const { e, got } = await run('vi', 'ii', { slotVia })
    expect(e.call(11, 1)).toBeUndefined()
    expect(got()).toEqual([11])
  })

  it('different value types at one position trap by default (in wasm), after a report naming both signatures and the site', async () => {
    const { e } = await run('id', 'ii', { slotVia })
    const reported = vi.spyOn(console, 'error').mockImplementation(() => {})
    try {
      expect(() => e.call(1.5, 1)).toThrow(/unreachable/)
      expect(reported.mock.calls.map(c => String(c[0]))).toEqual([
        expect.stringMatching(/incompatible indirect call at .*wasm-function\[\d+\].*expects \(f64\) -> i32 but table slot 1 holds \(i32\) -> i32/),
      ])
    } finally {
      reported.mockRestore()
    }
  })

  it("with incompatible: 'coerce', numbers are converted", async () => {
    const a = await run('id', 'ii', { incompatible: 'coerce', slotVia })
    expect(a.e.call(-7.9, 1)).toBe(42)
    expect(a.got()).toEqual([-7])
    const b = await run('dj', 'ii', { incompatible: 'coerce', slotVia })
    expect(b.e.call(5n, 1)).toBe(42)
    expect(b.got()).toEqual([5])
  })

  it('a null slot and an index out of bounds trap as they do natively', async () => {
    const { e } = await run('ii', 'ii', { slotVia })
    expect(() => e.call(1, 0)).toThrow(/null function|signature mismatch|null/i)
    expect(() => e.call(1, 99)).toThrow(/out of bounds|table index/i)
  })

  it('functions set into the table at run time are adapted (table.set, table.grow from JS)', async () => {
    const { e } = await run('iiii', 'ii', { slotVia })
    const other = await run('ii', 'iii', { slotVia })
    const foreign = other.e.table.get(1) // (i32, i32) -> i32 from another instance
    e.call(1, 2, 3, 1) // resolve slot 1 first, so the later set must invalidate it
    e.table.set(1, foreign)
    expect(e.call(4, 5, 6, 1)).toBe(42)
    expect(other.got()).toEqual([4, 5])
    const at = e.table.grow(2)
    e.table.set(at + 1, foreign)
    expect(e.call(8, 9, 0, at + 1)).toBe(42)
    expect(other.got()).toEqual([8, 9])
    expect(() => e.call(8, 0, 0, at)).toThrow(/null function|signature mismatch/)
  })

  it('a run-time function of a signature the module has never seen keeps native behaviour', async () => {
    const { e } = await run('iiii', 'ii', { slotVia })
    const other = await run('ii', 'ijd', { slotVia })
    e.table.set(2, other.e.table.get(1)) // (i32, i64, f64) -> i32: not among the module's signatures
    expect(() => e.call(4, 5, 6, 2)).toThrow(/signature mismatch/)
  })

  it('return_call_indirect sites are adapted too', async () => {
    const original = wasmOf(
      `(module
      (type $site (func (param i32 i32) (result i32)))
      (table $t (export "table") 2 funcref)
      (func $one (param i32) (result i32) (i32.add (local.get 0) (i32.const 100)))
      (elem (i32.const 1) $one)
      (func (export "call") (param i32 i32 i32) (result i32)
        (return_call_indirect $t (type $site) (local.get 0) (local.get 1) (local.get 2))))`,
      binaryen.Features.MVP | binaryen.Features.ReferenceTypes | binaryen.Features.TailCall,
    )
    const { instance: stock } = (await WebAssembly.instantiate(original, {})) as any
    expect(() => stock.exports.call(5, 6, 1)).toThrow(/signature mismatch/)
    const { wasm, report } = transformWasm(original, { slotVia })
    expect(report.sites.rewritten).toBe(1)
    const { instance } = (await WA.instantiate(wasm, {})) as any
    expect(instance.exports.call(5, 6, 1)).toBe(105)
  })

  it('the table changes while adapted calls are in flight: set, grow and re-entry from inside a call', async () => {
    // $target (one parameter) is called through (i32, i32) -> i32 and, from inside
    // that adapted call, JS replaces its slot, grows the table, fills the new slot
    // and calls back into wasm through both slots before the first call returns.
    const original = wasmOf(
      `(module
      (type $site (func (param i32 i32) (result i32)))
      (import "env" "mutate" (func $mutate (param i32)))
      (table $t (export "table") 4 funcref)
      (func $target (param i32) (result i32) (call $mutate (local.get 0)) (i32.mul (local.get 0) (i32.const 2)))
      (func $three (param i32 i32 i32) (result i32) (i32.add (i32.add (local.get 0) (local.get 1)) (i32.add (local.get 2) (i32.const 1000))))
      (func $same (param i32 i32) (result i32) (i32.sub (local.get 0) (local.get 1)))
      (elem (i32.const 1) $target $three $same)
      (func (export "call") (param i32 i32 i32) (result i32)
        (call_indirect $t (type $site) (local.get 0) (local.get 1) (local.get 2))))`,
      binaryen.Features.MVP | binaryen.Features.ReferenceTypes,
    )
    const { wasm } = transformWasm(original, { slotVia })
    const seen: number[] = []
    let e: any
    let depth = 0
    const imports = {
      env: {
        mutate(x: number) {
          if (depth++) return // only the outermost call changes the table
          const grownAt = e.table.grow(1)
          e.table.set(grownAt, e.table.get(2)) // (i32, i32, i32) -> i32: adapted, third argument 0
          e.table.set(1, e.table.get(3)) // the slot in flight now holds a matched function
          seen.push(e.call(x, 3, grownAt), e.call(x, 3, 1), e.call(x, 3, 2))
        },
      },
    }
    const { instance } = (await WA.instantiate(wasm, imports)) as any
    e = instance.exports
    // The call in flight finishes as the function it started; the calls made meanwhile see the new table.
    expect(e.call(10, 3, 1)).toBe(20)
    expect(seen).toEqual([1013, 7, 1013])
    expect(e.call(10, 3, 1)).toBe(7)
    expect(e.call(10, 3, 4)).toBe(1013)
    // A second instance has its own table and shadows: its slot 1 still holds $target, adapted.
    const { instance: again } = (await WA.instantiate(wasm, imports)) as any
    expect(again.exports.call(21, 0, 1)).toBe(42)
  })

  it('table.set inside wasm is followed: a plain set, a set inside the value of another set, a function that replaces itself while in flight', async () => {
    const original = wasmOf(
      `(module
      (type $site (func (param i32 i32) (result i32)))
      (table $t (export "table") 5 funcref)
      (func $one (param i32) (result i32) (i32.add (local.get 0) (i32.const 100)))
      (func $three (param i32 i32 i32) (result i32) (i32.add (i32.add (local.get 0) (local.get 1)) (i32.add (local.get 2) (i32.const 1000))))
      (func $same (param i32 i32) (result i32) (i32.sub (local.get 0) (local.get 1)))
      (func $swapper (param i32 i32) (result i32)
        (table.set $t (i32.const 3) (ref.func $one))
        (i32.add (call_indirect $t (type $site) (local.get 0) (local.get 1) (i32.const 3)) (i32.const 5000)))
      (elem (i32.const 1) $one $three $swapper $same)
      (func (export "copy") (param $to i32) (param $from i32) (table.set $t (local.get $to) (table.get $t (local.get $from))))
      (func (export "nested")
        (table.set $t (i32.const 1) (block (result funcref) (table.set $t (i32.const 2) (ref.func $same)) (ref.func $three))))
      (func (export "call") (param i32 i32 i32) (result i32)
        (call_indirect $t (type $site) (local.get 0) (local.get 1) (local.get 2))))`,
      binaryen.Features.MVP | binaryen.Features.ReferenceTypes | binaryen.Features.BulkMemory,
    )
    const { instance: stock } = (await WebAssembly.instantiate(original, {})) as any
    expect(() => stock.exports.call(10, 3, 1)).toThrow(/signature mismatch/)
    const { wasm } = transformWasm(original, { slotVia })
    const { instance } = (await WA.instantiate(wasm, {})) as any
    const e = instance.exports
    // Resolve every slot first, so that each set below has a cached entry to forget.
    expect([e.call(10, 3, 1), e.call(10, 3, 2), e.call(10, 3, 4)]).toEqual([110, 1013, 7])
    e.nested() // slot 2 := $same, then slot 1 := $three: both sets must invalidate their own slot
    expect([e.call(10, 3, 1), e.call(10, 3, 2)]).toEqual([1013, 7])
    e.copy(2, 3) // slot 2 := $swapper (matched), from wasm
    e.copy(4, 1) // slot 4 := $three (adapted), from wasm
    expect(e.call(10, 3, 4)).toBe(1013)
    // $swapper, matched and cached in slot 3, sets slot 3 to $one from wasm and calls it before returning.
    expect(e.call(10, 3, 3)).toBe(5110)
    expect(e.call(10, 3, 3)).toBe(110)
    // Slot 2 holds $swapper too: it replaces slot 3 again (already $one) and calls it.
    expect(e.call(20, 3, 2)).toBe(5120)
    // A set from JS still works beside them.
    e.table.set(3, e.table.get(4))
    expect(e.call(10, 3, 3)).toBe(1013)
  })

  it('shadows grow when a call needs it: slot 0 holding a function, far slots, a table grown inside wasm', async () => {
    // Every index past a shadow's end is sent to its slot 0 (the resolver), so
    // a function in slot 0 itself must still be called, every time, and the
    // slots past the first grow step must resolve like the others.
    const original = wasmOf(
      `(module
      (type $site (func (param i32 i32) (result i32)))
      (table $t (export "table") 3000 funcref)
      (func $one (param i32) (result i32) (i32.add (local.get 0) (i32.const 100)))
      (func $same (param i32 i32) (result i32) (i32.sub (local.get 0) (local.get 1)))
      (elem (i32.const 0) $one)
      (elem (i32.const 2500) $one)
      (elem (i32.const 2999) $same)
      (func (export "grow") (result i32) (table.grow $t (ref.func $one) (i32.const 1)))
      (func (export "call") (param i32 i32 i32) (result i32)
        (call_indirect $t (type $site) (local.get 0) (local.get 1) (local.get 2))))`,
      binaryen.Features.MVP | binaryen.Features.ReferenceTypes | binaryen.Features.BulkMemory,
    )
    const { instance: stock } = (await WebAssembly.instantiate(original, {})) as any
    expect(() => stock.exports.call(5, 6, 0)).toThrow(/signature mismatch/)
    const { wasm } = transformWasm(original, { slotVia })
    const { instance } = (await WA.instantiate(wasm, {})) as any
    const e = instance.exports
    for (let i = 0; i < 3; i++) expect(e.call(5, 6, 0)).toBe(105)
    expect(e.call(7, 1, 2999)).toBe(6)
    expect(e.call(7, 1, 2500)).toBe(107)
    expect(e.call(9, 1, 0)).toBe(109)
    const grownAt = e.grow()
    expect(grownAt).toBe(3000)
    expect(e.call(1, 1, grownAt)).toBe(101)
    expect(e.call(3, 1, 2999)).toBe(2)
    expect(() => e.call(1, 1, grownAt + 1)).toThrow(/out of bounds|table index/i)
    expect(() => e.call(1, 1, 5)).toThrow(/null function|signature mismatch|null/i)
    expect(() => e.call(1, 1, -1)).toThrow(/out of bounds|table index/i)
  })

  it('full shadows: the call-site signature with the most sites gets table 0 and no clamp; a JS Table.grow grows it; an imported table keeps the clamp', async () => {
    const body = `
      (type $two (func (param i32 i32) (result i32)))
      (type $one (func (param i32) (result i32)))
      (func $one (param i32) (result i32) (i32.add (local.get 0) (i32.const 100)))
      (func $same (param i32 i32) (result i32) (i32.sub (local.get 0) (local.get 1)))
      (elem (table $t) (i32.const 1) func $one $same)
      (func (export "call") (param i32 i32 i32) (result i32)
        (i32.add
          (call_indirect $t (type $two) (local.get 0) (local.get 1) (local.get 2))
          (call_indirect $t (type $two) (i32.const 0) (i32.const 0) (i32.const 2))))
      (func (export "one") (param i32 i32) (result i32) (call_indirect $t (type $one) (local.get 0) (local.get 1)))`
    const features = binaryen.Features.MVP | binaryen.Features.ReferenceTypes | binaryen.Features.BulkMemory
    const own = transformWasm(wasmOf(`(module (table $t (export "table") 3 funcref) ${body})`, features), { slotVia }).wasm
    // Table 0 is the shadow of (i32, i32) -> i32, the signature with two sites.
    const { instance } = (await WA.instantiate(own, {})) as any
    const e = instance.exports
    expect(e.call(7, 1, 1)).toBe(107) // $one adapted, plus $same(0, 0)
    expect(e.one(5, 2)).toBe(5) // the (i32) -> i32 site (a full shadow too: up to four signatures get one): $same(5, 0)
    const at = e.table.grow(2, e.table.get(2)) // new slots hold $same: the full shadow must cover them at once
    expect(e.call(9, 4, at + 1)).toBe(5)
    expect(() => e.call(1, 1, at + 2)).toThrow(/out of bounds|table index/i) // past the end: as natively
    const m = binaryen.readBinary(own)
    expect(binaryen.getTableInfo(m.getTableByIndex(0)).initial).toBe(1) // the shadow, grown to the call table's size by the start function
    expect(binaryen.getTableInfo(m.getTableByIndex(1)).initial).toBe(3) // the call table, second
    m.dispose()
    // A call table of fixed size (maximum = initial, as emcc writes it without ALLOW_TABLE_GROWTH): the full shadows
    // have that fixed size from the start, every slot holding their resolver, and adapt the same.
    const fixed = transformWasm(wasmOf(`(module (table $t (export "table") 3 3 funcref) ${body})`, features), { slotVia }).wasm
    const mf = binaryen.readBinary(fixed)
    expect([0, 1].map(i => binaryen.getTableInfo(mf.getTableByIndex(i))).map(t => [t.initial, t.max])).toEqual([
      [3, 3],
      [3, 3],
    ])
    mf.dispose()
    const ef = ((await WA.instantiate(fixed, {})) as any).instance.exports
    expect(ef.call(7, 1, 1)).toBe(107)
    expect(ef.one(5, 2)).toBe(5)
    ef.table.set(1, ef.table.get(2)) // a resolved slot changed from JS: $same now
    expect(ef.call(9, 4, 1)).toBe(5)
    expect(() => ef.table.grow(1)).toThrow(RangeError) // as natively: the table cannot grow
    expect(() => ef.call(1, 1, 3)).toThrow(/out of bounds|table index/i)
    // An empty fixed-size call table: its shadows keep a slot for their resolver; the module instantiates and calls trap as natively.
    const empty = transformWasm(wasmOf(`(module (table $t (export "table") 0 0 funcref) ${body.replace(/\(elem [^\n]*\n/, '')})`, features), { slotVia }).wasm
    const ee = ((await WA.instantiate(empty, {})) as any).instance.exports
    expect(() => ee.call(1, 1, 0)).toThrow(/out of bounds|table index/i)
    // An imported call table may be grown by code we do not see: no full shadow, the call table stays first.
    const imported = transformWasm(wasmOf(`(module (import "env" "table" (table $t 3 funcref)) ${body})`, features), { slotVia }).wasm
    const mi = binaryen.readBinary(imported)
    expect(binaryen.getTableInfo(mi.getTableByIndex(0)).module).toBe('env')
    expect(mi.getExport('fpcast$grow')).toBe(0)
    mi.dispose()
    const table = new WebAssembly.Table({ element: 'anyfunc', initial: 3 })
    const ei = ((await WA.instantiate(imported, { env: { table } })) as any).instance.exports
    table.set(1, e.table.get(1)) // $one and $same of the other instance
    table.set(2, e.table.get(2))
    expect(ei.call(7, 1, 1)).toBe(107)
    const grownAt = table.grow(1, e.table.get(1))
    expect(ei.call(7, 1, grownAt)).toBe(107) // the clamped shadow grows when the call needs it
  })

  it('casts to a signature with many functions call them through a br_table on the slot, and follow table changes', async () => {
    // Eight (i32, i32) -> i32 functions, one in two slots, a function of another type between them, an imported one among them
    // (called through the table, as before), all called through (i32, i32, i32) -> i32 and (i32) -> i32: two adapters to
    // one target signature, which share its br_table (with a third site signature, inline in the one adapter).
    const fs = Array.from(
      { length: 8 },
      (_, k) => `(func $f${k} (param i32 i32) (result i32) (i32.add (i32.mul (local.get 0) (i32.const ${k + 2})) (local.get 1)))`,
    )
    const wat = `(module
      (type $site (func (param i32 i32 i32) (result i32)))
      (type $one (func (param i32) (result i32)))
      (import "env" "ext" (func $ext (param i32 i32) (result i32)))
      (table $t (export "table") 16 funcref)
      ${fs.join('\n')}
      (func $other (param i32) (result i32) (i32.const 77))
      (func $spare (export "spare") (param i32 i32) (result i32) (i32.const 999))
      (elem (i32.const 1) $f0 $f1 $other $f2 $f3 $f4 $f0 $ext $f5 $f6 $f7)
      (func (export "call") (param i32 i32 i32 i32) (result i32)
        (call_indirect $t (type $site) (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
      (func (export "call1") (param i32 i32) (result i32)
        (call_indirect $t (type $one) (local.get 0) (local.get 1))))`
    const input = wasmOf(wat, binaryen.Features.MVP | binaryen.Features.MutableGlobals | binaryen.Features.ReferenceTypes)
    const slotOf = [0, 1, -1, 2, 3, 4, 0, -2, 5, 6, 7] // slot 1 + i holds f<k>, $other (-1) or $ext (-2)
    const expected = (k: number, a: number, b: number) => (k === -1 ? 77 : k === -2 ? a - b : a * (k + 2) + b)
    const runs = [{}, { dispatchBudget: 0 }, ...(slotVia === 'global' ? [{ writer: 'binaryen' as const }] : [])]
    for (const extra of runs) {
      const { wasm, report } = transformWasm(input, { slotVia, ...extra })
      expect(report.dispatch?.chosen).toBe('dispatchBudget' in extra ? 0 : 2)
      const { instance } = (await WA.instantiate(wasm, {
        env: { ext: (a: number, b: number) => a - b },
      })) as unknown as WebAssembly.WebAssemblyInstantiatedSource
      const e = instance.exports as any
      for (const [i, k] of slotOf.entries()) expect(e.call(10, 3, 5, i + 1)).toBe(expected(k, 10, 3))
      for (const [i, k] of slotOf.entries()) expect(e.call1(10, i + 1)).toBe(expected(k, 10, 0))
      // The slots were resolved; now they change from JS: another function, a static one moved, the original back, null.
      const f2 = e.table.get(4)
      e.table.set(4, e.spare)
      expect(e.call(10, 3, 5, 4)).toBe(999)
      expect(e.call1(10, 4)).toBe(999)
      e.table.set(5, e.table.get(1))
      expect(e.call(10, 3, 5, 5)).toBe(expected(0, 10, 3))
      e.table.set(4, f2)
      expect(e.call(10, 3, 5, 4)).toBe(expected(2, 10, 3))
      expect(e.call1(10, 4)).toBe(expected(2, 10, 0))
      e.table.set(9, null)
      expect(() => e.call(10, 3, 5, 9)).toThrow(/null function|signature mismatch|uninitialized/)
      slotOf.forEach((k, i) => {
        if (![4, 5, 9].includes(i + 1)) expect(e.call(6, 1, 0, i + 1)).toBe(expected(k, 6, 1))
      })
    }
  })

  it('a second transform changes nothing', () => {
    const once = transformWasm(moduleFor('iiii', 'ii'), { slotVia }).wasm
    const twice = transformWasm(once)
    expect(twice.report.alreadyTransformed).toBe(true)
    expect(twice.wasm).toBe(once)
  })
})

describe("strategy 'js' (Pyodide's JS trampoline, kept for comparison)", () => {
  it('adapts arity through JS, with JS semantics: missing f64 is NaN, missing i64 throws', async () => {
    const a = await run('iiii', 'ii', { strategy: 'js' })
    expect(a.e.call(1, 2, 3, 1)).toBe(42)
    expect(a.got()).toEqual([1])
    const b = await run('ii', 'iid', { strategy: 'js' })
    b.e.call(2, 1)
    expect(b.got()[0]).toBe(2)
    expect(b.got()[1]).toBeNaN()
    const c = await run('ii', 'iij', { strategy: 'js' })
    expect(() => c.e.call(2, 1)).toThrow(TypeError)
  })
})

describe('signatures', () => {
  it('parse in both notations', () => {
    expect(parseSig('vii')).toEqual({ params: ['i32', 'i32'], results: [] })
    expect(parseSig('(i32, f64) -> i64')).toEqual({ params: ['i32', 'f64'], results: ['i64'] })
    expect(parseSig('x')).toBeUndefined()
  })
})
