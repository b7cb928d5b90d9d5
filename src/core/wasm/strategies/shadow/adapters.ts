/**
 * Step 3: what a shadow slot can hold besides the function itself, and the
 * adapter matrix the resolvers pick from, a table:
 *
 *   fpcast$adapters[(t * K + k) * 2 + (static ? 1 : 0)]
 *
 * for a call of site signature t to a function of signature k: a pass-through
 * when they are the same, an adapter T -> F when they can be adapted, a trap
 * when they cannot. The static variant serves slots that still hold their
 * static function.
 */
import { HOOK, PREFIX } from '../../../protocol.ts'
import { binaryen, binaryenType, coerce, type ExpressionRef, tupleType, zeroOf } from '../../binaryen.ts'
import { addActiveSegment } from '../../segments.ts'
import { compatibility, type Sig, sigKey } from '../../signature.ts'
import type { ShadowContext } from './context.ts'
import { callDirect, callIndirect, define, paramsOf, plus, resultsOf, sameResults, slotIndex } from './emit.ts'
import { ifHook, mismatch, record } from './hooks.ts'

/** A static adapter compares the slot with at most this many slots of its target signature before it falls back to call_indirect. */
export const MAX_DIRECT_SLOTS = 4

/** Adds the adapter matrix and every function in it, in matrix order. */
export function addAdapters(ctx: ShadowContext): void {
  const { m } = ctx
  const staticSlots = staticSlotsBySig(ctx)
  const dispatched = chooseDispatch(ctx, staticSlots)
  const names: string[] = []
  for (const tKey of ctx.tKeys) {
    const site = ctx.siteSigs.get(tKey)!
    for (const kKey of ctx.kKeys) {
      const target = ctx.known.get(kKey)!
      const c = compatibility(site, target, ctx.options.coerce)
      if (c === 'same') names.push(passThrough(ctx, site), passThrough(ctx, site))
      else if (c === 'incompatible') names.push(trap(ctx, site), trap(ctx, site))
      else {
        const statics = staticSlots.get(kKey)
        const how = statics && statics.length > MAX_DIRECT_SLOTS ? dispatched.get(kKey) : undefined
        const direct = statics && (statics.length <= MAX_DIRECT_SLOTS || how) ? statics : undefined
        names.push(adapter(ctx, site, target, false), adapter(ctx, site, target, ctx.viaArgument && ctx.siteSigs.has(kKey), direct, how === 'shared'))
      }
    }
  }
  m.addTable(ctx.names.adapters, names.length, names.length)
  addActiveSegment(m, ctx.names.adapters, `${PREFIX}adapters$0`, names, m.i32.const(0), ctx.fail)
}

/** Calls slot idx of the call table with the site's own type: what a native call would do. */
export function passThrough(ctx: ShadowContext, site: Sig): string {
  const { m } = ctx
  return define(ctx, `${PREFIX}pass$${sigKey(site)}`, site, [], () =>
    callIndirect(m, ctx.tail, ctx.table, slotIndex(m, site), paramsOf(m, site), tupleType(site.params), resultsOf(site)),
  )
}

/** A static slot and the function it holds. */
interface StaticSlot {
  slot: number
  name: string
}

/**
 * The static slots of each signature (none with a computed offset), in slot
 * order, for adapters that call them directly. A later segment's function
 * replaces an earlier one's in a slot, as at instantiation.
 */
function staticSlotsBySig(ctx: ShadowContext): Map<string, StaticSlot[]> {
  const bySig = new Map<string, StaticSlot[]>()
  if (ctx.computed) return bySig
  const bySlot = new Map<number, string>()
  for (const seg of ctx.staticSegs) {
    const base = binaryen.Const.getValueI32(seg.offset)
    for (let i = 0; i < seg.data.length; i++) bySlot.set(base + i, seg.data[i])
  }
  for (const [slot, name] of [...bySlot].sort((a, b) => a[0] - b[0])) {
    const f = ctx.scan.byName.get(name)
    if (!f || f.imported) continue
    const list = bySig.get(sigKey(f.sig)) ?? []
    list.push({ slot, name })
    bySig.set(sigKey(f.sig), list)
  }
  return bySig
}

/**
 * Which target signatures F with more than MAX_DIRECT_SLOTS static
 * functions get adapters that call those functions directly, through a
 * `br_table` on the slot, and how: `inline` in the one adapter T -> F there
 * is, or `shared`, one dispatcher per F that F's adapters call directly (a
 * dispatch costs code per function and per slot, and a signature is the
 * target of several site signatures: harfbuzz's 200 adapter pairs have 14
 * targets, all of them 87 KB inline against 11 KB shared). The cheapest first, while
 * their estimated code fits `ShadowOptions.dispatchBudget`; then, with what
 * is left, shared ones become inline. Direct calls are
 * what make a mismatched call as fast as a native one (the engine inlines
 * small callees): on W2 hard a second call_indirect measured 1.16-1.38x
 * EMULATE_FUNCTION_POINTER_CASTS, the inline br_table 0.92-0.98x, the shared
 * one (a direct call more) about 5% slower than inline.
 */
function chooseDispatch(ctx: ShadowContext, staticSlots: Map<string, StaticSlot[]>): Map<string, 'inline' | 'shared'> {
  const pairs = new Map<string, number>()
  for (const tKey of ctx.tKeys) {
    const site = ctx.siteSigs.get(tKey)!
    for (const kKey of ctx.kKeys) {
      const statics = staticSlots.get(kKey)
      if (!statics || statics.length <= MAX_DIRECT_SLOTS) continue
      const c = compatibility(site, ctx.known.get(kKey)!, ctx.options.coerce)
      if (c !== 'same' && c !== 'incompatible') pairs.set(kKey, (pairs.get(kKey) ?? 0) + 1)
    }
  }
  // Each adapter with a br_table is a function of its own (beside the one
  // every slot of another table gets), named in the name section; a shared
  // dispatcher is one more. Calibrated on harfbuzz, sqlite3, webp, gifsicle,
  // Pyodide and the bench module: the estimate is at or up to a third above
  // what the output grows by.
  const wanted = [...pairs].map(([kKey, n]) => {
    const table = dispatchBytes(staticSlots.get(kKey)!, ctx.known.get(kKey)!)
    return { kKey, n, bytes: table + 30 * n + (n > 1 ? 40 : 0), inline: n * (table + 30) }
  })
  wanted.sort((a, b) => a.bytes - b.bytes)
  const chosen = new Map<string, 'inline' | 'shared'>()
  let spent = 0
  let adapters = 0
  for (const { kKey, n, bytes } of wanted) {
    if (spent + bytes > ctx.options.dispatchBudget) break
    spent += bytes
    adapters += n
    chosen.set(kKey, n > 1 ? 'shared' : 'inline')
  }
  // What the budget leaves makes shared br_tables inline (the faster), the cheapest first.
  const upgrades = wanted.filter(w => chosen.get(w.kKey) === 'shared').sort((a, b) => a.inline - a.bytes - (b.inline - b.bytes))
  for (const { kKey, bytes, inline } of upgrades) {
    if (spent + inline - bytes > ctx.options.dispatchBudget) break
    spent += inline - bytes
    chosen.set(kKey, 'inline')
  }
  ctx.dispatch = { chosen: adapters, wanted: [...pairs.values()].reduce((a, b) => a + b, 0), bytes: spent }
  return chosen
}

/** About what a br_table dispatch costs in code: a block, the arguments, a call and a return per function; a label per slot of its range. */
function dispatchBytes(statics: StaticSlot[], target: Sig): number {
  const functions = new Set(statics.map(s => s.name)).size
  const range = statics[statics.length - 1].slot - statics[0].slot + 1
  return functions * (10 + 2 * target.params.length) + range * (functions < 128 ? 1 : 2) + 16
}

/**
 * T -> F: passes the site's arguments on as F's (extra ones dropped, missing
 * ones zero, numbers converted with 'coerce') and adapts the result. `primed`:
 * F's functions take the slot index too, and are called through P. Given the
 * static slots of F (`statics`), it is installed only in slots that still
 * hold their static function (the resolver checks P; a table change resets
 * the slot), so when F has few static functions, the slot index tells which
 * one it is and the adapter calls it directly (a compare per candidate
 * instead of a second call_indirect; the engine can inline a direct call).
 * Past MAX_DIRECT_SLOTS, when chooseDispatch took F, a br_table on the slot
 * does the same, in this adapter or (`shared`) in F's dispatcher, which it
 * calls; otherwise it calls through a table (throughTable).
 */
function adapter(ctx: ShadowContext, site: Sig, target: Sig, primed: boolean, direct?: StaticSlot[], shared = false): string {
  const { m } = ctx
  const asTail = ctx.tail && sameResults(site, target)
  const kind = direct ? (direct.length > MAX_DIRECT_SLOTS ? (shared ? 'as' : 'ab') : 'ad') : primed ? 'ap' : 'a'
  return define(ctx, `${PREFIX}${kind}$${sigKey(site)}$${sigKey(target)}`, site, [], () => {
    const idx = () => slotIndex(m, site)
    const args = () => (primed ? [...argsFor(ctx, site, target), idx()] : argsFor(ctx, site, target))
    const viaCall = (fn: string) => {
      ctx.callable(fn)
      return adaptResult(ctx, callDirect(m, asTail, fn, args(), resultsOf(target)), site, target)
    }
    let adapted: ExpressionRef
    if (shared) {
      const call = callDirect(m, asTail, dispatcher(ctx, target, primed, direct!), [...argsFor(ctx, site, target), idx()], resultsOf(target))
      adapted = adaptResult(ctx, call, site, target)
    } else {
      adapted = adaptResult(ctx, throughTable(ctx, target, primed, asTail, idx, args), site, target)
      if (direct && direct.length > MAX_DIRECT_SLOTS) adapted = m.block(null, [dispatch(ctx, direct, idx(), viaCall, asTail, site), adapted], resultsOf(site))
      else for (const { slot, name: fn } of [...(direct ?? [])].reverse()) adapted = m.if(m.i32.eq(idx(), m.i32.const(slot)), viaCall(fn), adapted)
    }
    if (!ctx.options.diagnostics) return adapted
    return m.block(null, [record(ctx, ctx.tKeys.indexOf(sigKey(site)), ctx.kIndex.get(sigKey(target))!), adapted], resultsOf(site))
  })
}

/**
 * Slot idx called as `target` through a table: P when F's functions are
 * primed; with 'global', F's full shadow when it has one (slot idx there
 * holds the function, or F's resolver, which finds it: table 0 is one of
 * them, the faster table in V8 before 12); else the call table.
 */
function throughTable(ctx: ShadowContext, target: Sig, primed: boolean, asTail: boolean, idx: () => ExpressionRef, args: () => ExpressionRef[]): ExpressionRef {
  const { m } = ctx
  if (primed) return callIndirect(m, asTail, ctx.P, idx(), args(), plus(target), resultsOf(target))
  if (ctx.viaArgument || !ctx.full.includes(sigKey(target)))
    return callIndirect(m, asTail, ctx.table, idx(), args(), tupleType(target.params), resultsOf(target))
  const viaShadow = callIndirect(m, asTail, ctx.names.shadow(sigKey(target)), idx(), args(), tupleType(target.params), resultsOf(target))
  // F's resolver reads the slot global: set it again, whatever a diagnostics hook did meanwhile.
  return m.block(null, [m.global.set(ctx.names.slot, idx()), viaShadow], resultsOf(target))
}

/**
 * The dispatcher F's adapters share (chooseDispatch): F's parameters and the
 * slot, the br_table over F's static functions, and the call through a table
 * for any other slot. Added once; returns its name.
 */
function dispatcher(ctx: ShadowContext, target: Sig, primed: boolean, statics: StaticSlot[]): string {
  const { m } = ctx
  const name = `${PREFIX}dispatch$${sigKey(target)}`
  if (ctx.made.has(name)) return name
  ctx.made.add(name)
  const n = target.params.length
  const idx = () => m.local.get(n, binaryen.i32)
  const args = () => (primed ? [...paramsOf(m, target), idx()] : paramsOf(m, target))
  const viaCall = (fn: string) => {
    ctx.callable(fn)
    return callDirect(m, ctx.tail, fn, args(), resultsOf(target))
  }
  const body = m.block(
    null,
    [dispatch(ctx, statics, idx(), viaCall, ctx.tail, target), throughTable(ctx, target, primed, ctx.tail, idx, args)],
    resultsOf(target),
  )
  m.addFunction(name, plus(target), resultsOf(target), [], body)
  return name
}

/**
 * `br_table` on the slot: each static function's case returns what `viaCall`
 * makes of a direct call to it (a tail call when `asTail`; the function
 * returns `own`'s results); a slot outside them (not static, or imported)
 * falls through to what follows.
 */
function dispatch(
  ctx: ShadowContext,
  statics: StaticSlot[],
  idx: ExpressionRef,
  viaCall: (fn: string) => ExpressionRef,
  asTail: boolean,
  own: Sig,
): ExpressionRef {
  const { m } = ctx
  const cases = [...new Set(statics.map(s => s.name))]
  const label = new Map(cases.map((fn, i) => [fn, `${PREFIX}case${i}`]))
  const base = statics[0].slot
  const labels: string[] = new Array(statics[statics.length - 1].slot - base + 1).fill(`${PREFIX}other`)
  for (const { slot, name } of statics) labels[slot - base] = label.get(name)!
  const exit = (e: ExpressionRef) => (asTail ? e : own.results.length ? m.return(e) : m.block(null, [e, m.return()]))
  let body = m.block(label.get(cases[0])!, [m.switch(labels, `${PREFIX}other`, base ? m.i32.sub(idx, m.i32.const(base)) : idx)], binaryen.none)
  cases.forEach((fn, i) => {
    body = m.block(i + 1 < cases.length ? label.get(cases[i + 1])! : `${PREFIX}other`, [body, exit(viaCall(fn))], binaryen.none)
  })
  return body
}

/** The site's arguments as `target`'s parameters. */
function argsFor(ctx: ShadowContext, site: Sig, target: Sig): ExpressionRef[] {
  const { m } = ctx
  return target.params.map((t, i) => (i < site.params.length ? coerce(m, m.local.get(i, binaryenType(site.params[i])), site.params[i], t) : zeroOf(m, t)))
}

/** A call's result as the site expects it: dropped, zero, converted or as it is. */
function adaptResult(ctx: ShadowContext, call: ExpressionRef, site: Sig, target: Sig): ExpressionRef {
  const { m } = ctx
  if (!site.results.length) return target.results.length ? m.drop(call) : call
  if (!target.results.length) return m.block(null, [call, zeroOf(m, site.results[0])], binaryenType(site.results[0]))
  return coerce(m, call, target.results[0], site.results[0])
}

/**
 * One trap per call-site signature, not per pair (most pairs are
 * incompatible: 1,956 of Pyodide's 2,880): the runtime reads the slot's type
 * itself for its report (k = -1), then the adapter traps in wasm, which no
 * catch_all can catch (an exception thrown from JS could be).
 */
function trap(ctx: ShadowContext, site: Sig): string {
  const { m } = ctx
  return define(ctx, `${PREFIX}x$${sigKey(site)}`, site, [], () =>
    m.block(null, [ifHook(ctx, HOOK.mismatch, mismatch(ctx, ctx.tKeys.indexOf(sigKey(site)), -1, slotIndex(m, site))), m.unreachable()]),
  )
}
