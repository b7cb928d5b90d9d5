/**
 * Model-checked fuzzing of the features issue 21 hardened, where binaryen's
 * fpcast-emu cannot serve as the reference (it has no multi-value results,
 * no tail calls through casts, no shared tables): the generator knows what
 * every call must do under the adaptation rules (README, "What an adapted
 * call does"), so it writes the expected log itself, and the transformed
 * module, run through the real runtime, must log exactly that.
 *
 * A module has random signatures, some with two results (called matched
 * only: never adapted), functions that log their id and arguments and
 * return constants, one function that throws a wasm exception, and exports
 * whose calls take one of these forms: a plain call_indirect, a
 * return_call_indirect from a helper, a call inside a legacy try/catch_all
 * (which an adapted call passes through and a trap must escape), and a
 * table.set copying a slot inside wasm. Some modules have a start function
 * calling through the table, a call table past 65,536 slots (one element
 * segment of 66,000 more entries, called at high slots), or a second module
 * instantiated later that writes a slot of the shared table with an element
 * segment, after which every export runs again.
 */
import binaryen from 'binaryen'
import { transformWasm } from '../../src/core/index.ts'
import { fpcastRuntime } from '../../src/runtime/runtime.js'
import { firstDifference, rng, type Writer } from './differential.ts'

type T = 'i32' | 'i64' | 'f32' | 'f64'
interface Sig {
  params: T[]
  results: T[]
}
interface Fn {
  name: string
  id: number
  sig: Sig
  returns: number[]
  throws: boolean
}
type Form = 'plain' | 'tail' | 'guarded'

const TYPES: T[] = ['i32', 'i64', 'f32', 'f64']
const BIG = 66_000
const text = (s: Sig) => `${s.params.length ? `(param ${s.params.join(' ')})` : ''} ${s.results.length ? `(result ${s.results.join(' ')})` : ''}`
const sameSig = (a: Sig, b: Sig) => a.params.join() === b.params.join() && a.results.join() === b.results.join()
/** The adaptation rules: common parameters of one type, at most one result each, the same where both have one. */
function compatible(site: Sig, target: Sig): boolean {
  if (sameSig(site, target)) return true
  if (site.results.length > 1 || target.results.length > 1) return false
  for (let i = 0; i < Math.min(site.params.length, target.params.length); i++) if (site.params[i] !== target.params[i]) return false
  return !site.results.length || !target.results.length || site.results[0] === target.results[0]
}
/** A constant of type t from v in [-1000, 1000): exact in every type (floats are v / 8). */
const constText = (t: T, v: number) => `${t}.const ${t === 'f32' || t === 'f64' ? v / 8 : v}`
const shown = (t: T, v: number) => (t === 'f32' || t === 'f64' ? (Object.is(v / 8, -0) ? '-0' : String(v / 8)) : String(v))

interface Call {
  form: Form
  site: number
  slot: number
  args: number[]
}
interface Step {
  kind: 'call'
  call: Call
}
interface Copy {
  kind: 'copy'
  to: number
  from: number
}
type Op = Step | Copy

export interface FeatureModule {
  wasm: Uint8Array
  /** Bytes of the module that shares the table, and the slot its element segment writes. */
  sharer?: { wasm: Uint8Array; slot: number }
  expected: string[]
  counts: FeatureCounts
}

export interface FeatureCounts {
  modules: number
  casts: number
  multiValue: number
  tail: number
  guarded: number
  exceptions: number
  incompatible: number
  startCalls: number
  bigTables: number
  highSlotCalls: number
  shared: number
  copies: number
}
export const zeroCounts = (): FeatureCounts => ({
  modules: 0,
  casts: 0,
  multiValue: 0,
  tail: 0,
  guarded: 0,
  exceptions: 0,
  incompatible: 0,
  startCalls: 0,
  bigTables: 0,
  highSlotCalls: 0,
  shared: 0,
  copies: 0,
})

/** The expected log lines of one call (the target's, then the site's), or where it ends: 'incompatible' / 'exception'. */
function model(site: Sig, f: Fn, args: number[], out: string[]): 'ok' | 'incompatible' | 'exception' {
  if (!compatible(site, f.sig)) return 'incompatible'
  out.push(`i32:${1000 + f.id}`)
  for (const [i, t] of f.sig.params.entries()) out.push(`${t}:${i < site.params.length && site.params[i] === t ? shown(t, args[i]) : '0'}`)
  if (f.throws) return 'exception'
  if (sameSig(site, f.sig)) {
    for (const [i, t] of site.results.entries()) out.push(`${t}:${shown(t, f.returns[i])}`)
  } else if (site.results.length) out.push(`${site.results[0]}:${f.sig.results.length ? shown(site.results[0], f.returns[0]) : '0'}`)
  return 'ok'
}

export function generateFeatures(seed: number): FeatureModule {
  const r = rng(seed)
  const counts = zeroCounts()
  counts.modules = 1
  const allowIncompatible = seed % 4 === 0
  const sigs: Sig[] = []
  for (let n = 2 + r.int(4); n > 0; n--) {
    const results = r.next() < 0.2 ? [r.pick(TYPES), r.pick(TYPES)] : r.next() < 0.3 ? [] : [r.pick(TYPES)]
    sigs.push({ params: Array.from({ length: r.int(4) }, () => r.pick(TYPES)), results })
  }
  const funcs: Fn[] = Array.from({ length: 3 + r.int(5) }, (_, i) => {
    const sig = r.pick(sigs)
    return { name: `$f${i}`, id: i, sig, returns: sig.results.map(() => r.int(2000) - 1000), throws: false }
  })
  // One function throws a wasm exception after logging its arguments.
  funcs.push({ name: `$f${funcs.length}`, id: funcs.length, sig: r.pick(sigs), returns: [], throws: true })
  const small = Array.from({ length: 2 + r.int(7) }, () => r.pick(funcs))
  const big = r.next() < 0.15
  if (big) counts.bigTables++
  // The table as the model sees it: slot 0 null, then the small segment, then (big) BIG slots cycling through funcs.
  const table: (Fn | undefined)[] = [undefined, ...small]
  if (big) for (let i = 0; i < BIG; i++) table.push(funcs[i % funcs.length])
  const initial = [...table]
  const pickSlot = () => (big && r.next() < 0.5 ? table.length - 1 - r.int(BIG) : 1 + r.int(small.length))
  const siteFor = (f: Fn, strict: boolean) => {
    const ok = sigs.filter(s => (!strict && allowIncompatible ? true : compatible(s, f.sig)))
    return sigs.indexOf(r.next() < 0.3 || !ok.length ? f.sig : r.pick(ok))
  }
  const argsFor = (site: Sig) => site.params.map(() => r.int(2000) - 1000)

  // The start function: calls through unchanged static slots, compatible, never the thrower.
  const startCalls: Call[] = []
  if (r.next() < 0.3) {
    for (let c = 1 + r.int(2); c > 0; c--) {
      const slot = pickSlot()
      const f = table[slot]!
      if (f.throws) continue
      const site = siteFor(f, true)
      startCalls.push({ form: 'plain', site, slot, args: argsFor(sigs[site]) })
    }
  }
  counts.startCalls += startCalls.length
  const exports: Op[][] = []
  for (let e = 0; e < 2 + r.int(4); e++) {
    const ops: Op[] = []
    for (let c = 0; c < 1 + r.int(4); c++) {
      if (r.next() < 0.15) {
        const to = 1 + r.int(small.length),
          from = pickSlot()
        ops.push({ kind: 'copy', to, from })
      }
      const slot = pickSlot()
      const form: Form = r.pick(['plain', 'plain', 'tail', 'guarded'])
      ops.push({ kind: 'call', call: { form, site: -1, slot, args: [] } })
    }
    exports.push(ops)
  }
  // Sites are chosen against the table as it will be when the call runs (copies change it).
  const simTable = [...table]
  for (const ops of exports) {
    for (const op of ops) {
      if (op.kind === 'copy') {
        simTable[op.to] = simTable[op.from]
        continue
      }
      const f = simTable[op.call.slot]!
      op.call.site = siteFor(f, false)
      op.call.args = argsFor(sigs[op.call.site])
    }
  }
  const shared = r.next() < 0.2
  const sharerFn: Fn | undefined = shared ? { name: '$g', id: 1000, sig: r.pick(sigs), returns: [], throws: false } : undefined
  if (sharerFn) sharerFn.returns = sharerFn.sig.results.map(() => r.int(2000) - 1000)
  const sharedSlot = 1 + r.int(small.length)
  if (shared) counts.shared++

  // The module.
  const locals = TYPES.flatMap(t => [`(local $r0_${t} ${t})`, `(local $r1_${t} ${t})`]).join(' ')
  const logResults = (s: Sig) =>
    s.results.length === 2
      ? `local.set $r1_${s.results[1]} local.set $r0_${s.results[0]} local.get $r0_${s.results[0]} call $log_${s.results[0]} local.get $r1_${s.results[1]} call $log_${s.results[1]}`
      : s.results.map(t => `call $log_${t}`).join(' ')
  const tails: string[] = []
  const callText = (c: Call) => {
    const site = sigs[c.site]
    const push = `${site.params.map((t, i) => constText(t, c.args[i])).join(' ')} i32.const ${c.slot}`
    if (c.form === 'tail') {
      const helper = `$tail${tails.length}`
      tails.push(`(func ${helper} ${site.results.length ? `(result ${site.results.join(' ')})` : ''} ${push} return_call_indirect $t (type $s${c.site}))`)
      return `call ${helper} ${logResults(site)}`
    }
    const plain = `${push} call_indirect $t (type $s${c.site}) ${logResults(site)}`
    return c.form === 'guarded' ? `try ${plain} catch_all i32.const -99 call $log_i32 end` : plain
  }
  const opText = (op: Op) => (op.kind === 'copy' ? `i32.const ${op.to} i32.const ${op.from} table.get $t table.set $t` : callText(op.call))
  const body = (f: Fn) => {
    const logs = f.sig.params.map((t, i) => `local.get ${i} call $log_${t}`).join(' ')
    const end = f.throws ? `i32.const ${f.id} throw $e` : f.sig.results.map((t, i) => constText(t, f.returns[i])).join(' ')
    return `(func ${f.name} ${text(f.sig)} i32.const ${1000 + f.id} call $log_i32 ${logs} ${end})`
  }
  const imports = TYPES.map(t => `(import "log" "${t}" (func $log_${t} (param ${t})))`).join('\n')
  const exportTexts = exports.map((ops, e) => `(func (export "run${e}") ${locals} ${ops.map(opText).join(' ')})`)
  const start = startCalls.length ? `(func $start ${locals} ${startCalls.map(callText).join(' ')}) (start $start)` : ''
  const wat = `(module
    ${sigs.map((s, i) => `(type $s${i} (func ${text(s)}))`).join('\n')}
    ${imports}
    (tag $e (param i32))
    (table $t (export "table") ${table.length} funcref)
    ${funcs.map(body).join('\n')}
    (elem (i32.const 1) ${small.map(f => f.name).join(' ')})
    ${exportTexts.join('\n')}
    ${tails.join('\n')}
    ${start})`
  const features =
    binaryen.Features.MVP |
    binaryen.Features.MutableGlobals |
    binaryen.Features.ReferenceTypes |
    binaryen.Features.BulkMemory |
    binaryen.Features.Multivalue |
    binaryen.Features.TailCall |
    binaryen.Features.ExceptionHandling
  const m = binaryen.parseText(wat)
  let wasm: Uint8Array
  try {
    if (big)
      m.addActiveElementSegment(
        't',
        'big',
        initial.slice(1 + small.length).map(f => f!.name.slice(1)),
        m.i32.const(1 + small.length),
      )
    m.setFeatures(features)
    if (!m.validate()) throw new Error(`the feature generator wrote an invalid module (seed ${seed})`)
    wasm = m.emitBinary()
  } finally {
    m.dispose()
  }
  let sharer: FeatureModule['sharer']
  if (sharerFn) {
    const s = binaryen.parseText(`(module
      (type $g (func ${text(sharerFn.sig)}))
      ${imports}
      (import "main" "table" (table $t ${table.length} funcref))
      ${body(sharerFn)}
      (elem (table $t) (i32.const ${sharedSlot}) func $g))`)
    try {
      s.setFeatures(features)
      if (!s.validate()) throw new Error(`the feature generator wrote an invalid sharer (seed ${seed})`)
      sharer = { wasm: s.emitBinary(), slot: sharedSlot }
    } finally {
      s.dispose()
    }
  }

  // The expected log.
  const expected: string[] = []
  const run = (c: Call, t: (Fn | undefined)[], out: string[]): 'ok' | 'incompatible' | 'exception' => {
    const site = sigs[c.site],
      f = t[c.slot]!
    if (c.slot > small.length) counts.highSlotCalls++
    if (!sameSig(site, f.sig)) counts.casts++
    if (site.results.length > 1 || f.sig.results.length > 1) counts.multiValue++
    if (c.form === 'tail') counts.tail++
    if (c.form === 'guarded') counts.guarded++
    const outcome = model(site, f, c.args, out)
    if (outcome === 'exception' && c.form === 'guarded') {
      counts.exceptions++
      out.push('i32:-99')
      return 'ok'
    }
    if (outcome === 'incompatible') counts.incompatible++
    return outcome
  }
  for (const c of startCalls) run(c, table, expected)
  const runExports = () =>
    exports.forEach((ops, e) => {
      for (const op of ops) {
        if (op.kind === 'copy') {
          table[op.to] = table[op.from]
          counts.copies++
          continue
        }
        const outcome = run(op.call, table, expected)
        if (outcome !== 'ok') {
          expected.push(`run${e}: trap ${outcome}`)
          return
        }
      }
      expected.push(`run${e}: ok`)
    })
  runExports()
  if (sharerFn) {
    table[sharedSlot] = sharerFn
    expected.push('shared')
    // Sites chosen for the old function may not fit the new one: the model says what happens either way.
    runExports()
  }
  return { wasm, sharer, expected, counts }
}

const WA = fpcastRuntime(WebAssembly)

/** Runs the transformed module (and its sharer) through the runtime; the log, with traps as 'incompatible' or 'exception'. */
export async function executeFeatures(g: FeatureModule, wasm: Uint8Array): Promise<string[]> {
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
  const reports: string[] = []
  const error = console.error
  console.error = (...args: unknown[]) => {
    reports.push(args.map(String).join(' '))
  }
  try {
    const { instance } = (await WA.instantiate(wasm, imports)) as unknown as WebAssembly.WebAssemblyInstantiatedSource
    const runAll = () => {
      for (const [name, fn] of Object.entries(instance.exports)) {
        if (!name.startsWith('run')) continue
        reports.length = 0
        try {
          ;(fn as () => void)()
          log.push(`${name}: ok`)
        } catch (e) {
          // Our trap after the report, or the engine's own (a function of a signature the module never
          // declared, added at run time, keeps native behaviour: README, Limits). Never a null slot here.
          const message = (e as Error).message
          const incompatible =
            e instanceof WebAssembly.RuntimeError &&
            ((/unreachable/.test(message) && reports.some(r => r.includes('incompatible indirect call'))) || /signature mismatch/.test(message))
          log.push(`${name}: trap ${incompatible ? 'incompatible' : e instanceof (WebAssembly as any).Exception ? 'exception' : (e as Error).message}`)
        }
      }
    }
    runAll()
    if (g.sharer) {
      await WA.instantiate(g.sharer.wasm, { ...imports, main: { table: instance.exports.table } })
      log.push('shared')
      runAll()
    }
  } finally {
    console.error = error
  }
  return log
}

export interface FeatureOutcome {
  seed: number
  ok: boolean
  counts: FeatureCounts
  reason?: string
  /** What the copy writer gave binaryen (TransformReport.writer.skeleton), when it wrote the output. */
  skeleton?: 'compact' | 'stubs'
  /** Adapters that call their target's functions through a br_table on the slot (TransformReport.dispatch). */
  dispatched: number
}

/** One model-checked run. */
export async function runFeatures(seed: number, writer: Writer = 'copy'): Promise<FeatureOutcome> {
  const g = generateFeatures(seed)
  const options = { fileName: `features-${seed}.wasm`, slotVia: seed % 2 ? 'global' : 'argument' } as const
  const { wasm, report } = transformWasm(g.wasm, { ...options, writer: writer === 'both' ? 'copy' : writer })
  const skeleton = report.writer.skeleton
  const dispatched = report.dispatch?.chosen ?? 0
  const got = await executeFeatures(g, wasm)
  if (writer === 'both') {
    const theirs = await executeFeatures(g, transformWasm(g.wasm, { ...options, writer: 'binaryen' }).wasm)
    const at = firstDifference(got, theirs)
    if (at >= 0)
      return { seed, ok: false, counts: g.counts, skeleton, dispatched, reason: `writers differ at line ${at}: copy '${got[at]}', binaryen '${theirs[at]}'` }
  }
  const at = got.findIndex((l, i) => l !== g.expected[i])
  if (at < 0 && got.length === g.expected.length) return { seed, ok: true, counts: g.counts, skeleton, dispatched }
  const i = at < 0 ? Math.min(got.length, g.expected.length) : at
  return { seed, ok: false, counts: g.counts, skeleton, dispatched, reason: `first difference at line ${i}: got '${got[i]}', the model '${g.expected[i]}'` }
}
