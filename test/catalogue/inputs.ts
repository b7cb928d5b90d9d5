/**
 * Synthetic inputs of the catalogue (test/catalogue.test.ts), each made with a
 * real tool: binaryen.js (its text parser and its passes), wat2wasm (wabt),
 * or a byte-level writer where a tool would need gigabytes (big-module.ts).
 * C programs come from Emscripten instead (test/fixtures/build.sh).
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import binaryen from 'binaryen'

const F = binaryen.Features

/** wat text -> binary with binaryen.js, declaring exactly `features` (binaryen validates with them). */
export function watToWasm(wat: string, features: number): Uint8Array {
  const m = binaryen.parseText(wat)
  try {
    m.setFeatures(features)
    if (!m.validate()) throw new Error('the catalogue wrote an invalid module')
    return m.emitBinary()
  } finally {
    m.dispose()
  }
}

/** wat text -> binary with wabt's wat2wasm. */
export function wat2wasm(wat: string, flags: string[] = []): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'fpcast-wat-'))
  try {
    writeFileSync(join(dir, 'in.wat'), wat)
    execFileSync('wat2wasm', [...flags, join(dir, 'in.wat'), '-o', join(dir, 'out.wasm')], { stdio: 'pipe' })
    return new Uint8Array(readFileSync(join(dir, 'out.wasm')))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** A binaryen pass over a binary (e.g. translate-to-exnref, fpcast-emu). */
export function runPass(bytes: Uint8Array, pass: string, features: number): Uint8Array {
  const m = binaryen.readBinary(bytes)
  try {
    m.setFeatures(features)
    m.runPasses([pass])
    return m.emitBinary()
  } finally {
    m.dispose()
  }
}

/** Appends a custom section (what tools like wasm-opt or a packager add). */
export function withCustomSection(bytes: Uint8Array, name: string, payload: Uint8Array): Uint8Array {
  const leb = (n: number) => {
    const out: number[] = []
    do {
      let b = n & 0x7f
      n >>>= 7
      if (n) b |= 0x80
      out.push(b)
    } while (n)
    return out
  }
  const nameBytes = Buffer.from(name)
  const body = [...leb(nameBytes.length), ...nameBytes, ...payload]
  return Buffer.concat([bytes, Uint8Array.from([0, ...leb(body.length), ...body])])
}

/** Callbacks of two arities called as (i32, i32) -> i32: one(4) * 10 + two(4, 5) = 49. */
const CALLBACKS = `
  (type $iii (func (param i32 i32) (result i32)))
  (func $one (param i32) (result i32) (i32.mul (local.get 0) (i32.const 10)))
  (func $two (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))`

/** No table at all: nothing to rewrite. */
export const NO_TABLE = () =>
  watToWasm(
    `(module
  (memory (export "memory") 1)
  (func $add (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "run") (result i32) (call $add (i32.const 40) (i32.const 2))))`,
    F.MVP,
  )

/** A funcref table and element segment, but every call is direct. */
export const TABLE_NO_CALL_INDIRECT = () =>
  wat2wasm(`(module
  ${CALLBACKS}
  (table (export "table") 2 funcref)
  (elem (i32.const 0) $one $two)
  (func (export "run") (result i32) (i32.add (call $one (i32.const 4)) (call $two (i32.const 4) (i32.const 5)))))`)

/** Two funcref tables, a cast call through each. */
export const TWO_FUNCREF_TABLES = () =>
  watToWasm(
    `(module
  ${CALLBACKS}
  (table $a 2 funcref) (table $b 2 funcref)
  (elem (table $a) (i32.const 0) func $one $two)
  (elem (table $b) (i32.const 0) func $two $one)
  (func (export "run") (result i32)
    (i32.add (call_indirect $a (type $iii) (i32.const 4) (i32.const 5) (i32.const 0))
             (call_indirect $b (type $iii) (i32.const 4) (i32.const 5) (i32.const 0)))))`,
    F.MVP | F.ReferenceTypes | F.BulkMemory,
  )

/** The module sets a slot of its call table itself (table.set inside wasm) between two cast calls through that slot: 40 + 9. */
export const TABLE_SET_IN_WASM = () =>
  watToWasm(
    `(module
  ${CALLBACKS}
  (table $t 2 funcref)
  (elem (table $t) (i32.const 0) func $one $two)
  (func (export "run") (result i32)
    (local $first i32)
    (local.set $first (call_indirect $t (type $iii) (i32.const 4) (i32.const 5) (i32.const 0)))
    (table.set $t (i32.const 0) (table.get $t (i32.const 1)))
    (i32.add (local.get $first) (call_indirect $t (type $iii) (i32.const 4) (i32.const 5) (i32.const 0)))))`,
    F.MVP | F.ReferenceTypes | F.BulkMemory,
  )

/** table.fill on the call table inside wasm (binaryen.js 132 cannot read it). */
export const TABLE_FILL_IN_WASM = () =>
  watToWasm(
    `(module
  ${CALLBACKS}
  (table $t 2 funcref)
  (elem (table $t) (i32.const 0) func $one $two)
  (func (export "run") (result i32)
    (table.fill $t (i32.const 0) (ref.func $two) (i32.const 1))
    (call_indirect $t (type $iii) (i32.const 4) (i32.const 5) (i32.const 0))))`,
    F.MVP | F.ReferenceTypes | F.BulkMemory,
  )

/** A funcref call table plus an externref table (as Pyodide has). */
export const FUNCREF_AND_EXTERNREF = () =>
  watToWasm(
    `(module
  ${CALLBACKS}
  (table $calls 2 funcref) (table $objects (export "objects") 4 externref)
  (elem (table $calls) (i32.const 0) func $one $two)
  (func (export "run") (result i32)
    (i32.add (call_indirect $calls (type $iii) (i32.const 4) (i32.const 5) (i32.const 0))
             (call_indirect $calls (type $iii) (i32.const 4) (i32.const 5) (i32.const 1)))))`,
    F.MVP | F.ReferenceTypes | F.BulkMemory,
  )

/** Memory64 with a 64-bit call table (table64), as current -sMEMORY64 builds. */
export const TABLE64 = () =>
  watToWasm(
    `(module
  ${CALLBACKS}
  (memory i64 1) (table $t i64 2 funcref)
  (elem (table $t) (i64.const 0) func $one $two)
  (func (export "run") (result i32)
    (i32.add (call_indirect $t (type $iii) (i32.const 4) (i32.const 5) (i64.const 0))
             (call_indirect $t (type $iii) (i32.const 4) (i32.const 5) (i64.const 1)))))`,
    F.MVP | F.ReferenceTypes | F.BulkMemory | F.Memory64,
  )

/** Memory64 with a 32-bit call table (older -sMEMORY64 builds): the callbacks read a factor from 64-bit memory. */
export const MEMORY64_TABLE32 = () =>
  watToWasm(
    `(module
  (type $iii (func (param i32 i32) (result i32)))
  (memory i64 1) (table $t 2 funcref)
  (elem (table $t) (i32.const 0) func $one $two)
  (func $one (param i32) (result i32) (i32.mul (local.get 0) (i32.load (i64.const 4294967296))))
  (func $two (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "run") (result i32)
    (i32.store (i64.const 8) (i32.const 10))
    (i32.add (call_indirect $t (type $iii) (i32.const 4) (i32.const 5) (i32.const 0))
             (call_indirect $t (type $iii) (i32.const 4) (i32.const 5) (i32.const 1)))))`.replace('4294967296', '8'),
    F.MVP | F.ReferenceTypes | F.BulkMemory | F.Memory64,
  )

/**
 * A JSPI module: `$slow` awaits the Suspending import env.sleep (x -> 2x) and
 * is called through a cast (it takes one argument, the site passes two).
 * run(5) = slow(5) + two(5, 100) = (10 + 1) + 105 = 116.
 */
export const JSPI = () =>
  wat2wasm(`(module
  (type $ii (func (param i32) (result i32)))
  (type $iii (func (param i32 i32) (result i32)))
  (import "env" "sleep" (func $sleep (param i32) (result i32)))
  (table 2 funcref)
  (elem (i32.const 0) $slow $two)
  (func $slow (param i32) (result i32) (i32.add (call $sleep (local.get 0)) (i32.const 1)))
  (func $two (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "run") (param i32) (result i32)
    (i32.add (call_indirect (type $iii) (local.get 0) (i32.const 100) (i32.const 0))
             (call_indirect (type $iii) (local.get 0) (i32.const 100) (i32.const 1)))))`)

/**
 * One element segment of 70,000 entries (past V8's 65,520 br_table targets,
 * as a big C++ program's table), cast and matched calls at its last slots:
 * one(4) * 10 + two(4, 5) = 49. Built with binaryen.js's API (its text
 * parser takes tens of seconds on 70,000 names).
 */
export const BIG_SEGMENT = () => {
  const n = 70_000
  const m = new binaryen.Module()
  try {
    const i32 = binaryen.i32,
      get = (i: number) => m.local.get(i, i32),
      ii = binaryen.createType([i32, i32])
    m.addFunction('one', binaryen.createType([i32]), i32, [], m.i32.mul(get(0), m.i32.const(10)))
    m.addFunction('two', ii, i32, [], m.i32.add(get(0), get(1)))
    m.addTable('t', n, n)
    m.addActiveElementSegment(
      't',
      'all',
      Array.from({ length: n }, (_, i) => (i % 2 ? 'two' : 'one')),
      m.i32.const(0),
    )
    const call = (slot: number) => m.call_indirect('t', m.i32.const(slot), [m.i32.const(4), m.i32.const(5)], ii, i32)
    m.addFunction('run', binaryen.none, i32, [], m.i32.add(call(n - 2), call(n - 1)))
    m.addFunctionExport('run', 'run')
    m.setFeatures(F.MVP | F.ReferenceTypes)
    if (!m.validate()) throw new Error('the catalogue wrote an invalid module')
    return m.emitBinary()
  } finally {
    m.dispose()
  }
}

/** A start function makes a cast and a matched call through the table before the runtime is wired; run() returns what they left: 40 + 9. */
export const START_FUNCTION_CALLS = () =>
  watToWasm(
    `(module
  ${CALLBACKS}
  (table $t 2 funcref)
  (elem (table $t) (i32.const 0) func $one $two)
  (global $sum (mut i32) (i32.const 0))
  (func $start
    (global.set $sum (i32.add (call_indirect $t (type $iii) (i32.const 4) (i32.const 5) (i32.const 0))
                              (call_indirect $t (type $iii) (i32.const 4) (i32.const 5) (i32.const 1)))))
  (start $start)
  (func (export "run") (result i32) (global.get $sum)))`,
    F.MVP | F.MutableGlobals | F.ReferenceTypes | F.BulkMemory,
  )

/** A function returning two values in the call table, called matched, beside a cast call: pair(4) = (4, 5) summed, + one(4) * 10 = 49. */
export const MULTI_VALUE = () =>
  watToWasm(
    `(module
  ${CALLBACKS}
  (type $pairT (func (param i32) (result i32 i32)))
  (table $t 3 funcref)
  (func $pair (param i32) (result i32 i32) (local.get 0) (i32.add (local.get 0) (i32.const 1)))
  (elem (table $t) (i32.const 0) func $one $two $pair)
  (func (export "run") (result i32)
    (i32.add (call_indirect $t (type $iii) (i32.const 4) (i32.const 5) (i32.const 0))
             (i32.add (call_indirect $t (type $pairT) (i32.const 4) (i32.const 2))))))`,
    F.MVP | F.ReferenceTypes | F.BulkMemory | F.Multivalue,
  )

/** A function taking an exnref (new exception handling): a value type the transform does not handle. */
export const EXNREF_PARAM = () =>
  watToWasm(
    `(module
  ${CALLBACKS}
  (table $t 2 funcref)
  (elem (table $t) (i32.const 0) func $one $two)
  (func $handler (param exnref))
  (func (export "run") (result i32) (call_indirect $t (type $iii) (i32.const 4) (i32.const 5) (i32.const 0))))`,
    F.MVP | F.ReferenceTypes | F.BulkMemory | F.ExceptionHandling,
  )

/** The same module under binaryen's fpcast-emu pass (what -sEMULATE_FUNCTION_POINTER_CASTS does): the reference. */
export const emulated = (bytes: Uint8Array, features: number) => runPass(bytes, 'fpcast-emu', features)

export { F as Features }
