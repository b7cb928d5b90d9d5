/**
 * Differential fuzzing of the transform.
 *
 * A seeded generator writes random modules whose exports call functions
 * through a table with random signatures, some matching, some cast
 * (compatible: extra or missing arguments, missing or extra results), each
 * target logging the arguments it received. Each module is rewritten two
 * ways: by our transform, and by binaryen's own `fpcast-emu` pass (what
 * -sEMULATE_FUNCTION_POINTER_CASTS does), whose semantics for such calls are
 * the same rules. Both run in this engine; every log line and every result
 * must agree. A generated cast between incompatible types must trap with our
 * message instead. Some exports copy a slot into another (table.set inside
 * wasm) between calls, which the shadows must follow.
 */
import binaryen from 'binaryen'
import { transformWasm } from '../../src/core/index.ts'
import { fpcastRuntime } from '../../src/runtime/runtime.js'

type T = 'i32' | 'i64' | 'f32' | 'f64'
interface Sig {
  params: T[]
  result: T | null
}

/** A small deterministic PRNG (mulberry32). */
export function rng(seed: number) {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return { next, int: (n: number) => Math.floor(next() * n), pick: <X>(xs: X[]) => xs[Math.floor(next() * xs.length)] }
}

const TYPES: T[] = ['i32', 'i64', 'f32', 'f64']
const text = (s: Sig) => `${s.params.length ? `(param ${s.params.join(' ')})` : ''} ${s.result ? `(result ${s.result})` : ''}`
const compatible = (site: Sig, target: Sig) => {
  for (let i = 0; i < Math.min(site.params.length, target.params.length); i++) if (site.params[i] !== target.params[i]) return false
  return !site.result || !target.result || site.result === target.result
}
function constant(r: ReturnType<typeof rng>, t: T): string {
  const v = r.int(2000) - 1000
  return t === 'f32' || t === 'f64' ? `(${t}.const ${v / 8})` : `(${t}.const ${v})`
}

export interface Generated {
  wat: string
  incompatibleCalls: number
  casts: number
  sets: number
}

/** One random module; `allowIncompatible` lets some casts differ in value types. */
export function generate(seed: number, allowIncompatible = false): Generated {
  const r = rng(seed)
  const sigs: Sig[] = []
  for (let n = 2 + r.int(4); n > 0; n--)
    sigs.push({ params: Array.from({ length: r.int(5) }, () => r.pick(TYPES)), result: r.next() < 0.3 ? null : r.pick(TYPES) })
  const funcs = Array.from({ length: 3 + r.int(6) }, (_, i) => ({ name: `$f${i}`, sig: r.pick(sigs), id: i }))
  const slots = Array.from({ length: 2 + r.int(8) }, () => r.pick(funcs))
  const initial = [...slots] // slots changes as the generated code sets slots
  const types = sigs.map((s, i) => `(type $s${i} (func ${text(s)}))`).join('\n')
  const bodies = funcs
    .map(f => {
      const logs = f.sig.params.map((t, i) => `(call $log_${t} (local.get ${i}))`).join(' ')
      return `(func ${f.name} ${text(f.sig)} (call $log_i32 (i32.const ${1000 + f.id})) ${logs} ${f.sig.result ? constant(r, f.sig.result) : ''})`
    })
    .join('\n')
  let incompatibleCalls = 0,
    casts = 0,
    sets = 0
  const exports: string[] = []
  for (let e = 0; e < 2 + r.int(4); e++) {
    const calls: string[] = []
    for (let c = 0; c < 1 + r.int(4); c++) {
      // Sometimes the module itself copies one slot into another first (table.set inside wasm).
      if (r.next() < 0.2) {
        const to = r.int(slots.length),
          from = r.int(slots.length)
        calls.push(`(table.set $t (i32.const ${to + 1}) (table.get $t (i32.const ${from + 1})))`)
        slots[to] = slots[from]
        sets++
      }
      const slot = r.int(slots.length)
      const target = slots[slot].sig
      const candidates = sigs.filter(s => allowIncompatible || compatible(s, target))
      const siteIdx = sigs.indexOf(r.next() < 0.3 ? target : r.pick(candidates))
      const site = sigs[siteIdx]
      if (site !== target) casts++
      if (!compatible(site, target)) incompatibleCalls++
      const call = `(call_indirect $t (type $s${siteIdx}) ${site.params.map(t => constant(r, t)).join(' ')} (i32.const ${slot + 1}))`
      calls.push(site.result ? `(call $log_${site.result} ${call})` : call)
    }
    exports.push(`(func (export "run${e}") ${calls.join(' ')})`)
  }
  const wat = `(module
    ${types}
    ${TYPES.map(t => `(import "log" "${t}" (func $log_${t} (param ${t})))`).join('\n')}
    (table $t (export "table") ${slots.length + 1} funcref)
    ${bodies}
    (elem (i32.const 1) ${initial.map(f => f.name).join(' ')})
    ${exports.join('\n')})`
  return { wat, incompatibleCalls, casts, sets }
}

export function compile(wat: string): Uint8Array {
  const m = binaryen.parseText(wat)
  m.setFeatures(binaryen.Features.MVP | binaryen.Features.MutableGlobals | binaryen.Features.ReferenceTypes)
  if (!m.validate()) throw new Error(`generator wrote an invalid module:\n${wat}`)
  const bytes = m.emitBinary()
  m.dispose()
  return bytes
}

/** The same module under binaryen's fpcast-emu pass (EMULATE_FUNCTION_POINTER_CASTS). */
function emulate(bytes: Uint8Array): Uint8Array {
  const m = binaryen.readBinary(bytes)
  m.setFeatures(binaryen.Features.MVP | binaryen.Features.MutableGlobals | binaryen.Features.ReferenceTypes)
  m.runPasses(['fpcast-emu'])
  const out = m.emitBinary()
  m.dispose()
  return out
}

/** Runs every export in order; the log of what targets received and returned, or where it trapped. */
async function execute(bytes: Uint8Array, WA: typeof WebAssembly): Promise<string[]> {
  const log: string[] = []
  const show = (v: unknown) => (typeof v === 'number' && Object.is(v, -0) ? '-0' : String(v))
  const imports = {
    log: Object.fromEntries(
      TYPES.map(t => [
        t,
        (v: unknown) => {
          log.push(`${t}:${show(v)}`)
        },
      ]),
    ),
  }
  const { instance } = (await WA.instantiate(bytes, imports)) as unknown as WebAssembly.WebAssemblyInstantiatedSource
  for (const [name, fn] of Object.entries(instance.exports)) {
    if (!name.startsWith('run')) continue
    const reports = reportsDuring(() => {
      try {
        ;(fn as () => void)()
        log.push(`${name}: ok`)
      } catch (e) {
        log.push(`${name}: trap ${(e as Error).message}`)
      }
    })
    // An incompatible call is reported on the console, then traps in wasm (unreachable).
    if (reports.some(r => r.includes('incompatible indirect call')) && log[log.length - 1].includes(': trap unreachable'))
      log[log.length - 1] = `${name}: trap incompatible`
  }
  return log
}

/** What the runtime reported with console.error while `fn` ran. */
function reportsDuring(fn: () => void): string[] {
  const reports: string[] = []
  const error = console.error
  console.error = (...args: unknown[]) => {
    reports.push(args.map(String).join(' '))
  }
  try {
    fn()
  } finally {
    console.error = error
  }
  return reports
}

export interface Outcome {
  seed: number
  ok: boolean
  casts: number
  sets: number
  reason?: string
  /** What the copy writer gave binaryen (TransformReport.writer.skeleton), when it wrote the output. */
  skeleton?: 'compact' | 'stubs'
  /** Adapters that call their target's functions through a br_table on the slot (TransformReport.dispatch). */
  dispatched: number
}

const WA = fpcastRuntime(WebAssembly)

/** Which writer transforms (TransformOptions.writer), or both, compared with each other. */
export type Writer = 'copy' | 'binaryen' | 'both'

/** The first line where two runs differ, or -1. */
export const firstDifference = (a: string[], b: string[]): number => {
  const at = a.findIndex((l, i) => l !== b[i])
  return at >= 0 ? at : a.length === b.length ? -1 : Math.min(a.length, b.length)
}

/**
 * One differential run. `writer` 'both': the module is transformed by the
 * copy-through writer and by binaryen's, and both outputs must behave alike
 * line for line (incompatible traps too) before ours meets the reference.
 */
export async function runOne(seed: number, writer: Writer = 'copy'): Promise<Outcome> {
  const allowIncompatible = seed % 5 === 0
  const g = generate(seed, allowIncompatible)
  const original = compile(g.wat)
  // Both ways of handing the slot to adapters: the default (global) and primed functions (argument).
  const options = { fileName: `seed-${seed}.wasm`, slotVia: seed % 2 ? 'global' : 'argument' } as const
  const { wasm, report } = transformWasm(original, { ...options, writer: writer === 'both' ? 'copy' : writer })
  const skeleton = report.writer.skeleton
  const dispatched = report.dispatch?.chosen ?? 0
  const outcome = (ok: boolean, reason?: string): Outcome => ({ seed, ok, casts: g.casts, sets: g.sets, skeleton, dispatched, ...(reason ? { reason } : {}) })
  const ours = await execute(wasm, WA)
  if (writer === 'both') {
    const theirs = await execute(transformWasm(original, { ...options, writer: 'binaryen' }).wasm, WA)
    const at = firstDifference(ours, theirs)
    if (at >= 0) return outcome(false, `writers differ at line ${at}: copy '${ours[at]}', binaryen '${theirs[at]}'\n${g.wat}`)
  }
  if (g.incompatibleCalls) {
    // The reference cannot say what an incompatible call does; ours must trap with its message where one happens.
    const bad = ours.find(l => l.includes(': trap') && !l.endsWith('incompatible'))
    return bad ? outcome(false, `unexpected ${bad}\n${g.wat}`) : outcome(true)
  }
  const reference = await execute(emulate(original), WebAssembly)
  const same = ours.length === reference.length && ours.every((l, i) => l === reference[i])
  if (same) return outcome(true)
  const at = ours.findIndex((l, i) => l !== reference[i])
  return outcome(false, `first difference at line ${at}: ours '${ours[at]}', fpcast-emu '${reference[at]}'\n${g.wat}`)
}
