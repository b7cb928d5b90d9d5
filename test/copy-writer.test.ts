/**
 * The copy-through writer (src/core/wasm/copy) against the binaryen writer,
 * on every committed emcc fixture (real Emscripten output, -O0 to -O2, -g,
 * dynamic linking, pthreads, exceptions, SIMD): the same sites rewritten
 * with the same numbers, the same metadata, bodies without sites copied byte
 * for byte, local names kept for the bodies binaryen never saw. Behaviour is
 * compared by running: the fixtures, semantics and hardening tests run the
 * default (copy) writer, and the fuzzer runs both and compares them call for
 * call (fuzz.test.ts, `npm run fuzz`).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import binaryen from 'binaryen'
import { describe, expect, it } from 'vitest'
import { transformWasm } from '../src/core/index.ts'
import { BodyClass, scanCode } from '../src/core/wasm/code-scan.ts'
import { NameMap, readBodies, readNameEntries, readSubsections } from '../src/core/wasm/copy/sections.ts'
import { customSectionName, readU32, sections, skipLeb } from '../src/core/wasm/bytes.ts'
import { customSection } from '../src/core/wasm/debug/index.ts'
import { fpcastRuntime } from '../src/runtime/runtime.js'
import { ROOT } from './helpers/engines.ts'

const WA = fpcastRuntime(WebAssembly)

const BUILD = join(ROOT, 'test/fixtures/build')
const fixtures = readdirSync(BUILD)
  .filter(d => statSync(join(BUILD, d)).isDirectory())
  .flatMap(d =>
    readdirSync(join(BUILD, d))
      .filter(f => f.endsWith('.wasm'))
      .map(f => join(d, f)),
  )

const bodiesOf = (bytes: Uint8Array) => {
  const code = sections(bytes).find(s => s.id === 10)!
  return readBodies(bytes, code).map(b => bytes.subarray(b.at, b.end))
}
const nameSubsection = (bytes: Uint8Array, id: number) => {
  const s = sections(bytes).find(x => x.id === 0 && customSectionName(bytes, x) === 'name')
  return s && readSubsections(bytes, skipLeb(bytes, s.start) + readU32(bytes, s.start), s.end).find(x => x.id === id)
}

describe('the copy writer and the binaryen writer on the emcc fixtures', () => {
  /** The skeleton binaryen was given, per fixture (see the last test). */
  const skeletons = new Map<string, string>()

  it('finds fixtures, among them ones with local names (so the name checks below check something)', () => {
    expect(fixtures.length).toBeGreaterThan(15)
    expect(fixtures.filter(f => nameSubsection(readFileSync(join(BUILD, f)), 2)).length).toBeGreaterThan(0)
  })

  it.each(fixtures)('%s: same sites, numbers and metadata; copied bodies byte for byte; local names kept', file => {
    const input = new Uint8Array(readFileSync(join(BUILD, file)))
    const options = { fileName: file, diagnostics: true } // diagnostics: the metadata lists every site with its number
    const copy = transformWasm(input, { ...options, writer: 'copy' })
    const reference = transformWasm(input, { ...options, writer: 'binaryen' })
    expect(copy.report.writer).toEqual({ used: 'copy', skeleton: expect.stringMatching(/^(compact|stubs)$/) })
    skeletons.set(file, copy.report.writer.skeleton!)
    expect(reference.report.writer).toEqual({ used: 'binaryen' })
    const comparable = (r: typeof copy.report) => ({ ...r, writer: undefined, timeMs: undefined, size: undefined })
    expect(comparable(copy.report)).toEqual(comparable(reference.report))
    if (copy.report.strategy === 'none') return
    expect(WebAssembly.validate(copy.wasm as BufferSource)).toBe(true)
    const meta = (wasm: Uint8Array) => JSON.parse(new TextDecoder().decode(customSection(wasm, 'fpcast_trampoline')))
    expect(meta(copy.wasm)).toEqual(meta(reference.wasm))

    // Bodies the pre-scan classes COPY come out as they went in, at the same index.
    const scan = scanCode(input)!
    const before = bodiesOf(input)
    const after = bodiesOf(copy.wasm)
    let copied = 0
    for (let i = 0; i < before.length; i++) {
      if (scan.classes[i] !== BodyClass.COPY) continue
      expect(Buffer.from(after[i]).equals(Buffer.from(before[i])), `body ${i}`).toBe(true)
      copied++
    }
    expect(copied).toBeGreaterThan(0)

    // Function, global and data segment names as binaryen writes them (the input's, and the rewrite's own);
    // local names of copied and rewritten bodies as the input had them.
    for (const id of [1, 7, 9]) {
      const names = (wasm: Uint8Array) => {
        const sub = nameSubsection(wasm, id)
        return sub && Buffer.from(wasm.subarray(sub.start, sub.end)).toString('hex')
      }
      expect(names(copy.wasm), `name subsection ${id}`).toEqual(names(reference.wasm))
    }
    const inputLocals = nameSubsection(input, 2)
    if (inputLocals) {
      const theirs = readNameEntries(input, inputLocals)
      const ours = readNameEntries(copy.wasm, nameSubsection(copy.wasm, 2)!)
      const imported = meta(copy.wasm).firstOwnFunction - before.length
      for (const [f, entry] of theirs) {
        if (f < imported || scan.classes[f - imported] === BodyClass.KEEP) continue
        expect(Buffer.from(ours.get(f)!).equals(Buffer.from(entry)), `local names of function ${f}`).toBe(true)
      }
    }
  })

  it('compared the compact skeleton with binaryen: every fixture without local names beside a KEEP body takes it', () => {
    expect(skeletons.size).toBe(fixtures.length)
    for (const [f, skeleton] of skeletons) {
      const input = new Uint8Array(readFileSync(join(BUILD, f)))
      const stubs = !!nameSubsection(input, 2) && scanCode(input)!.classes.includes(BodyClass.KEEP)
      expect(skeleton, f).toBe(stubs ? 'stubs' : 'compact')
    }
  })
})

describe('function names read on demand (NameMap)', () => {
  const decode = (entry: Uint8Array) => {
    const p = skipLeb(entry, 0)
    const start = skipLeb(entry, p)
    return new TextDecoder().decode(entry.subarray(start, start + readU32(entry, p)))
  }
  it('gives every name of every fixture as the whole map does, none for an unnamed index, and the last index', () => {
    let named = 0
    for (const f of fixtures) {
      const bytes = new Uint8Array(readFileSync(join(BUILD, f)))
      const sub = nameSubsection(bytes, 1)
      if (!sub) continue
      const whole = readNameEntries(bytes, sub)
      const map = new NameMap(bytes, sub)
      expect(map.size, f).toBe(whole.size)
      expect(map.last, f).toBe(Math.max(...whole.keys()))
      for (const [index, entry] of whole) expect(map.get(index), `${f} #${index}`).toBe(decode(entry))
      expect(map.get(map.last + 1)).toBe(undefined)
      named += whole.size
    }
    expect(named).toBeGreaterThan(400)
  })
  it('an out-of-order map (the format forbids it, a tool may write it) is still read whole', () => {
    const entry = (index: number, name: string) => [index, name.length, ...Buffer.from(name)]
    const bytes = new Uint8Array([3, ...entry(5, 'five'), ...entry(2, 'two'), ...entry(9, 'nine')])
    const map = new NameMap(bytes, { id: 1, start: 0, end: bytes.length })
    expect([map.get(5), map.get(2), map.get(9), map.get(3), map.last]).toEqual(['five', 'two', 'nine', undefined, 9])
  })
})

describe('what the copy writer leaves to binaryen, and says so', () => {
  // (A 64-bit table: catalogue.test.ts; the copy writer declines it and binaryen's path refuses it with its own message.)
  it('the js strategy and slotVia argument go through binaryen whole, and the report says why', () => {
    const input = new Uint8Array(readFileSync(join(BUILD, 'matched/matched.wasm')))
    expect(transformWasm(input, { strategy: 'js' }).report.writer).toEqual({ used: 'binaryen', declined: 'the js strategy' })
    expect(transformWasm(input, { slotVia: 'argument' }).report.writer).toEqual({ used: 'binaryen', declined: "slotVia 'argument'" })
    expect(transformWasm(input, { writer: 'binaryen' }).report.writer).toEqual({ used: 'binaryen' })
  })

  it('an input the engine does not validate goes to binaryen, as before, though the copy writer learns it late', () => {
    // A cast site, and a body with an opcode Node 20 lacks (GC's ref.i31; Node 24 has it): the skeleton keeps
    // that body (the pre-scan does not know the opcode), so the engine judges it before anything is written.
    // One cast site ($f calls $id, which takes one argument, with two) beside the function `extra`.
    const castBeside = (extra: string) =>
      binaryen.parseText(`(module
      (type $t (func (param i32) (result i32)))
      (type $t2 (func (param i32 i32) (result i32)))
      (table 1 funcref)
      (elem (i32.const 0) $id)
      (func $id (type $t) (local.get 0))
      ${extra}
      (func $f (export "f") (result i32) (call_indirect (type $t2) (i32.const 1) (i32.const 2) (i32.const 0))))`)
    const m = castBeside('(func $gc (drop (ref.i31 (i32.const 1))))')
    m.setFeatures(binaryen.Features.All)
    // The features it uses, declared as toolchains do (binaryen judges the input by them).
    const feature = (name: string) => [0x2b, name.length, ...Buffer.from(name)]
    m.addCustomSection('target_features', new Uint8Array([2, ...feature('gc'), ...feature('reference-types')]))
    const gc = m.emitBinary()
    m.dispose()
    const { report } = transformWasm(gc)
    expect(report.sites.rewritten).toBe(1)
    expect(report.writer).toEqual(
      WebAssembly.validate(gc as BufferSource)
        ? { used: 'copy', skeleton: 'stubs' }
        : { used: 'binaryen', declined: 'this engine does not validate the input' },
    )

    // A body invalid everywhere (f32.add of two i32s) that the pre-scan reads and the skeleton leaves out:
    // only the spliced output shows it. The error is binaryen's writer's, word for word.
    const v = castBeside('(func $bad (result i32) (i32.add (i32.const 7) (i32.const 9)))')
    const valid = v.emitBinary()
    v.dispose()
    const at = Buffer.from(valid).indexOf(Buffer.from([0x41, 7, 0x41, 9, 0x6a]))
    expect(at).toBeGreaterThan(0)
    const invalid = new Uint8Array(valid)
    invalid[at + 4] = 0x92 // f32.add
    const error = (writer: 'copy' | 'binaryen') => {
      try {
        transformWasm(invalid, { writer, fileName: 'bad.wasm' })
      } catch (e) {
        return (e as Error).message
      }
      return 'no error'
    }
    expect(error('copy')).toMatch(/^\[fpcast-trampoline\] bad\.wasm: the input module does not validate/)
    expect(error('copy')).toBe(error('binaryen'))
  })

  it('a call_indirect among the operands of another is site 0 in both writers: sites are numbered in code order', async () => {
    // The inner call passes two arguments to $inc, which takes one: it traps unless its site is rewritten.
    const m = binaryen.parseText(`(module
      (type $t (func (param i32) (result i32)))
      (type $t2 (func (param i32 i32) (result i32)))
      (table 2 funcref)
      (elem (i32.const 0) $id $inc)
      (func $id (type $t) (local.get 0))
      (func $inc (type $t) (i32.add (local.get 0) (i32.const 1)))
      (func $f (export "f") (result i32)
        (call_indirect (type $t) (call_indirect (type $t2) (i32.const 41) (i32.const 5) (i32.const 1)) (i32.const 0))))`)
    const input = m.emitBinary()
    m.dispose()
    const stock = (await WebAssembly.instantiate(input as BufferSource)) as unknown as WebAssembly.WebAssemblyInstantiatedSource
    expect(() => (stock.instance.exports.f as () => number)()).toThrow(/signature mismatch/)
    for (const writer of ['copy', 'binaryen'] as const) {
      // Site 0 of function 2 ($f) is the inner call: it comes first in the code.
      const { wasm, report } = transformWasm(input, { writer, diagnostics: true, include: { sites: ['2#0'] } })
      expect(report.sites, writer).toEqual({ total: 2, rewritten: 1 })
      expect(JSON.parse(new TextDecoder().decode(customSection(wasm, 'fpcast_trampoline'))).sites, writer).toEqual([
        { f: 'wasm-function[2]', i: 2, n: 0, s: 'ii:i' },
      ])
      const { instance } = (await WA.instantiate(wasm, {})) as unknown as WebAssembly.WebAssemblyInstantiatedSource
      expect((instance.exports.f as () => number)(), writer).toBe(42)
    }
  })

  it('the compact skeleton: KEEP bodies (a table write of ref.func, memory.init in the start function) calling other functions, a passive and a declarative segment, an exported global; both writers behave alike', async () => {
    const m = binaryen.parseText(`(module
      (type $t (func (param i32) (result i32)))
      (type $t2 (func (param i32 i32) (result i32)))
      (memory 1)
      (data $d "\\2a")
      (global $g (export "g") (mut i32) (i32.const 0))
      (table $tab 4 funcref)
      (elem (i32.const 0) $id $inc $add)
      (elem $p func $inc)
      (elem declare func $id)
      (func $id (type $t) (local.get 0))
      (func $inc (type $t) (i32.add (local.get 0) (i32.const 1)))
      (func $add (type $t2) (i32.add (local.get 0) (local.get 1)))
      (func $install (export "install") (param i32)
        (table.set $tab (local.get 0) (ref.func $add))
        (global.set $g (call $inc (global.get $g))))
      (func $start
        (memory.init $d (i32.const 8) (i32.const 0) (i32.const 1))
        (data.drop $d)
        (global.set $g (i32.load8_u (i32.const 8))))
      (start $start)
      (func $f (export "f") (param i32) (result i32)
        (call_indirect (type $t2) (i32.const 10) (i32.const 5) (local.get 0))))`)
    m.setFeatures(binaryen.Features.All)
    const input = m.emitBinary()
    m.dispose()
    const run = async (wasm: Uint8Array) => {
      const { instance } = (await WA.instantiate(wasm, {})) as unknown as WebAssembly.WebAssemblyInstantiatedSource
      const e = instance.exports as { f: (i: number) => number; install: (i: number) => void; g: WebAssembly.Global }
      const seen = [e.g.value, e.f(0), e.f(1), e.f(2)]
      e.install(3)
      return [...seen, e.g.value, e.f(3)]
    }
    const copy = transformWasm(input, { fileName: 'keep.wasm' })
    expect(copy.report.writer).toEqual({ used: 'copy', skeleton: 'compact' })
    const reference = transformWasm(input, { fileName: 'keep.wasm', writer: 'binaryen' })
    // 42 from the data segment; (10, 5) to $id, $inc and $add; $inc called by the KEEP body; the slot the table write filled.
    expect(await run(copy.wasm)).toEqual([42, 10, 11, 15, 43, 15])
    expect(await run(reference.wasm)).toEqual(await run(copy.wasm))
    // The input's three element segments come back, ahead of the rewrite's own.
    const elements = (bytes: Uint8Array) => {
      const s = sections(bytes).find(x => x.id === 9)!
      return readU32(bytes, s.start)
    }
    expect(elements(copy.wasm)).toBeGreaterThanOrEqual(3)
    expect(bodiesOf(copy.wasm).length).toBe(bodiesOf(reference.wasm).length)
    // binaryen.js cannot list a passive segment's functions (its getElementSegmentInfo threw, and the binaryen writer failed
    // on this module): priming, which must point the segment at wrappers, refuses it in one line.
    expect(() => transformWasm(input, { fileName: 'keep.wasm', slotVia: 'argument' })).toThrow(
      /^\[fpcast-trampoline\] keep\.wasm: a passive element segment, whose functions binaryen\.js cannot list, and slotVia 'argument'[^\n]*use the default slotVia 'global'$/,
    )
  })

  it('local names with a body binaryen must rewrite (ref.func): binaryen reads the names, the splice keeps the input names of the others', () => {
    const m = binaryen.parseText(`(module
      (type $t (func (param i32) (result i32)))
      (table 2 funcref)
      (elem (i32.const 0) $copied $rewritten)
      (func $copied (type $t) (local $kept i64) (local.get 0))
      (func $rewritten (type $t) (local $also f64) (call_indirect (type $t) (local.get 0) (i32.const 0)))
      (func $kept (result funcref) (local $mine i32) (ref.func $copied)))`)
    binaryen.setDebugInfo(true)
    const input = m.emitBinary()
    binaryen.setDebugInfo(false)
    m.dispose()
    const { wasm, report } = transformWasm(input, { fileName: 'names.wasm' })
    expect(report.writer).toEqual({ used: 'copy', skeleton: 'stubs' })
    expect(WebAssembly.validate(wasm as BufferSource)).toBe(true)
    const locals = (bytes: Uint8Array) => readNameEntries(bytes, nameSubsection(bytes, 2)!)
    const before = locals(input)
    const after = locals(wasm)
    expect([...before.keys()]).toEqual([0, 1, 2])
    for (const f of [0, 1]) expect(Buffer.from(after.get(f)!).equals(Buffer.from(before.get(f)!)), `function ${f}`).toBe(true)
    expect(new TextDecoder().decode(after.get(2)!)).toContain('mine')
  })
})
