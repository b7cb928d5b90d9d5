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
        const direct = statics && (statics.length <= MAX_DIRECT_SLOTS || dispatched.has(`${tKey}/${kKey}`)) ? statics : undefined
        names.push(adapter(ctx, site, target, false), adapter(ctx, site, target, ctx.viaArgument && ctx.siteSigs.has(kKey), direct))
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
 * Which adapters T -> F past MAX_DIRECT_SLOTS still call F's static functions
 * directly, through a `br_table` on the slot (keys `tKey/kKey`): the cheapest
 * first, while their estimated code fits `ShadowOptions.dispatchBudget`.
 * Direct calls are what make a mismatched call as fast as a native one (the
 * engine inlines small callees); a second call_indirect measured 1.16-1.38x
 * EMULATE_FUNCTION_POINTER_CASTS on W2 hard, a br_table 0.92-0.98x. They
 * cost code per function, so the budget bounds it.
 */
function chooseDispatch(ctx: ShadowContext, staticSlots: Map<string, StaticSlot[]>): Set<string> {
  const wanted: { key: string; bytes: number }[] = []
  for (const tKey of ctx.tKeys) {
    const site = ctx.siteSigs.get(tKey)!
    for (const kKey of ctx.kKeys) {
      const statics = staticSlots.get(kKey)
      if (!statics || statics.length <= MAX_DIRECT_SLOTS) continue
      const target = ctx.known.get(kKey)!
      const c = compatibility(site, target, ctx.options.coerce)
      if (c === 'same' || c === 'incompatible') continue
      wanted.push({ key: `${tKey}/${kKey}`, bytes: dispatchBytes(statics, target) })
    }
  }
  wanted.sort((a, b) => a.bytes - b.bytes)
  const chosen = new Set<string>()
  let spent = 0
  for (const { key, bytes } of wanted) {
    if (spent + bytes > ctx.options.dispatchBudget) break
    spent += bytes
    chosen.add(key)
  }
  ctx.dispatch = { chosen: chosen.size, wanted: wanted.length, bytes: spent }
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
 * Past that, with 'global', it calls through F's shadow when F's is full
 * (slot idx there holds the function, or F's resolver, which finds it):
 * table 0 is one of them, and a call through table 0 is the faster one in
 * V8 before 12; else through the call table.
 */
function adapter(ctx: ShadowContext, site: Sig, target: Sig, primed: boolean, direct?: StaticSlot[]): string {
  const { m } = ctx
  const asTail = ctx.tail && sameResults(site, target)
  const name = `${PREFIX}${direct ? (direct.length > MAX_DIRECT_SLOTS ? 'ab' : 'ad') : primed ? 'ap' : 'a'}$${sigKey(site)}$${sigKey(target)}`
  return define(ctx, name, site, [], () => {
    const idx = () => slotIndex(m, site)
    const args = () => (primed ? [...argsFor(ctx, site, target), idx()] : argsFor(ctx, site, target))
    const viaTable = () => {
      if (primed) return callIndirect(m, asTail, ctx.P, idx(), args(), plus(target), resultsOf(target))
      if (ctx.viaArgument || !ctx.full.includes(sigKey(target)))
        return callIndirect(m, asTail, ctx.table, idx(), args(), tupleType(target.params), resultsOf(target))
      const viaShadow = callIndirect(m, asTail, ctx.names.shadow(sigKey(target)), idx(), args(), tupleType(target.params), resultsOf(target))
      // F's resolver reads the slot global: set it again, whatever a diagnostics hook did meanwhile.
      return m.block(null, [m.global.set(ctx.names.slot, idx()), viaShadow], resultsOf(target))
    }
    const viaCall = (fn: string) => {
      ctx.callable(fn)
      return adaptResult(ctx, callDirect(m, asTail, fn, args(), resultsOf(target)), site, target)
    }
    let adapted = adaptResult(ctx, viaTable(), site, target)
    if (direct && direct.length > MAX_DIRECT_SLOTS) adapted = m.block(null, [dispatch(ctx, direct, idx(), viaCall, asTail, site), adapted], resultsOf(site))
    else for (const { slot, name: fn } of [...(direct ?? [])].reverse()) adapted = m.if(m.i32.eq(idx(), m.i32.const(slot)), viaCall(fn), adapted)
    if (!ctx.options.diagnostics) return adapted
    return m.block(null, [record(ctx, ctx.tKeys.indexOf(sigKey(site)), ctx.kIndex.get(sigKey(target))!), adapted], resultsOf(site))
  })
}

/**
 * `br_table` on the slot: each static function's case returns what `viaCall`
 * makes of a direct call to it; a slot outside them (not static, or imported)
 * falls through to what follows.
 */
function dispatch(
  ctx: ShadowContext,
  statics: StaticSlot[],
  idx: ExpressionRef,
  viaCall: (fn: string) => ExpressionRef,
  asTail: boolean,
  site: Sig,
): ExpressionRef {
  const { m } = ctx
  const cases = [...new Set(statics.map(s => s.name))]
  const label = new Map(cases.map((fn, i) => [fn, `${PREFIX}case${i}`]))
  const base = statics[0].slot
  const labels: string[] = new Array(statics[statics.length - 1].slot - base + 1).fill(`${PREFIX}other`)
  for (const { slot, name } of statics) labels[slot - base] = label.get(name)!
  const exit = (e: ExpressionRef) => (asTail ? e : site.results.length ? m.return(e) : m.block(null, [e, m.return()]))
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
