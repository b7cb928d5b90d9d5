/**
 * A synthetic, code-heavy wasm module of any size, written byte by byte
 * (binaryen or wat2wasm would need several times its size in memory just to
 * make it). It has the shape of a big Emscripten program: many functions,
 * one funcref table of small "callback" functions of four signatures, and
 * `call_indirect` sites that call through casts (a callback taking fewer or
 * more arguments than the site passes).
 *
 *   const bytes = bigModule({ targetBytes: 52 * 2 ** 20 })
 *   new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports.run()  // traps untransformed
 *
 * `run()` calls the first `RUN_WORKERS` workers and returns a checksum; under
 * the adaptation rules (missing arguments are 0, extra ones dropped) it is
 * the same as under -sEMULATE_FUNCTION_POINTER_CASTS.
 */
import { writeI32 } from '../../src/core/wasm/bytes.ts'

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
const sleb = writeI32
const str = (s: string) => [...leb(s.length), ...Buffer.from(s)]

const I32 = 0x7f
/** Callback signatures: (i32) -> i32, (i32, i32) -> i32, () -> i32, (i32, i32, i32) -> i32. */
const CALLBACK_TYPES = [[I32], [I32, I32], [], [I32, I32, I32]]
const T_WORKER = 4 // (i32) -> i32
const T_RUN = 5 // () -> i32
export const CALLBACKS = 64
export const RUN_WORKERS = 2000

export interface BigModuleOptions {
  /** Size to reach, in bytes (the module ends up a little over it). */
  targetBytes: number
}

export function bigModule({ targetBytes }: BigModuleOptions): Uint8Array {
  // One worker body: filler arithmetic on its argument, and four call_indirect sites,
  // one per callback signature, at slots derived from the argument.
  const worker = (w: number): number[] => {
    const code: number[] = [0] // no locals
    const filler = (k: number) => {
      for (let i = 0; i < k; i++) code.push(0x20, 0, 0x41, ...sleb((w * 7919 + i * 104729) | 0), 0x6a, 0x21, 0)
    } // local.set 0 (local.get 0 + c)
    for (let site = 0; site < 4; site++) {
      filler(12)
      // args for this site's type, then the slot: (arg0 + w + site) % CALLBACKS
      const params = CALLBACK_TYPES[site]
      for (let p = 0; p < params.length; p++) code.push(0x20, 0, 0x41, ...sleb(p + 1), 0x6a)
      code.push(0x20, 0, 0x41, ...sleb(w + site), 0x6a, 0x41, ...sleb(CALLBACKS - 1), 0x71)
      code.push(0x11, site, 0) // call_indirect (type site) table 0
      code.push(0x20, 0, 0x6a, 0x21, 0) // local.set 0 (result + local 0)
    }
    code.push(0x20, 0, 0x0b)
    return [...leb(code.length), ...code]
  }
  // Callback c has type c % 4 and returns a mix of its arguments and c.
  const callback = (c: number): number[] => {
    const params = CALLBACK_TYPES[c % 4]
    const code: number[] = [0, 0x41, ...sleb(c * 31 + 1)]
    for (let i = 0; i < params.length; i++) code.push(0x20, i, 0x41, ...sleb(i + 2), 0x6c, 0x6a)
    code.push(0x0b)
    return [...leb(code.length), ...code]
  }
  const sample = worker(123456).length
  const workers = Math.max(RUN_WORKERS, Math.ceil(targetBytes / sample))
  // run: sum of worker(i) for the first RUN_WORKERS workers, each called with i.
  const firstWorker = CALLBACKS
  const runCode: number[] = [0]
  runCode.push(0x41, 0)
  for (let i = 0; i < RUN_WORKERS; i++) runCode.push(0x41, ...sleb(i), 0x10, ...leb(firstWorker + i), 0x6a)
  runCode.push(0x0b)

  const section = (id: number, body: number[] | Uint8Array[]) => {
    const parts = body as number[] | Uint8Array[]
    const flat =
      Array.isArray(parts[0]) || parts[0] instanceof Uint8Array
        ? Buffer.concat((parts as Uint8Array[]).map(p => Uint8Array.from(p)))
        : Uint8Array.from(parts as number[])
    return Buffer.concat([Uint8Array.from([id, ...leb(flat.length)]), flat])
  }
  const types = [...CALLBACK_TYPES.map(p => [0x60, ...leb(p.length), ...p, 1, I32]), [0x60, 1, I32, 1, I32], [0x60, 0, 1, I32]]
  const funcTypes = [...Array.from({ length: CALLBACKS }, (_, c) => c % 4), ...Array.from({ length: workers }, () => T_WORKER), T_RUN]
  const runIndex = CALLBACKS + workers
  const codeBodies: Uint8Array[] = [Uint8Array.from(leb(funcTypes.length))]
  for (let c = 0; c < CALLBACKS; c++) codeBodies.push(Uint8Array.from(callback(c)))
  for (let w = 0; w < workers; w++) codeBodies.push(Uint8Array.from(worker(w)))
  codeBodies.push(Uint8Array.from([...leb(runCode.length), ...runCode]))
  return Buffer.concat([
    Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]),
    section(1, [...leb(types.length), ...types.flat()]),
    section(3, [...leb(funcTypes.length), ...funcTypes.flatMap(t => leb(t))]),
    section(4, [1, 0x70, 1, ...leb(CALLBACKS), ...leb(CALLBACKS)]),
    section(7, [2, ...str('run'), 0, ...leb(runIndex), ...str('table'), 1, 0]),
    section(9, [1, 0, 0x41, 0, 0x0b, ...leb(CALLBACKS), ...Array.from({ length: CALLBACKS }, (_, c) => leb(c)).flat()]),
    section(10, codeBodies),
  ])
}

/** What `run()` returns under the adaptation rules, computed in JS from the same recipe (i32 arithmetic). */
export function expectedRun(): number {
  let sum = 0
  for (let w = 0; w < RUN_WORKERS; w++) {
    let x = w
    for (let site = 0; site < 4; site++) {
      for (let i = 0; i < 12; i++) x = (x + ((w * 7919 + i * 104729) | 0)) | 0
      const args = CALLBACK_TYPES[site].map((_, p) => (x + p + 1) | 0)
      const c = (x + w + site) & (CALLBACKS - 1)
      let result = c * 31 + 1
      // Missing arguments are 0, extra ones are dropped.
      CALLBACK_TYPES[c % 4].forEach((_, i) => {
        result = (result + Math.imul(args[i] ?? 0, i + 2)) | 0
      })
      x = (result + x) | 0
    }
    sum = (sum + x) | 0
  }
  return sum
}
