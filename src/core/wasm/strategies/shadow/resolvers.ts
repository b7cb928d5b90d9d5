/**
 * Step 5: one resolver per call-site signature T, in slot 0 of T's shadow
 * (and in every slot the shadow grows by). It grows the shadow if the index
 * is past it, classifies the slot, caches the entry in the shadow (never in
 * slot 0), and makes the call:
 *
 *   - a slot that still holds its static function (P says so) gets the
 *     build-time answer (static_sig), imports included;
 *   - any other asks the runtime's classify hook: a known signature k, -2
 *     unknown (native behaviour), -3 an adapter it built. Before the runtime
 *     has filled the hooks (calls from the start function), the resolver
 *     behaves natively and caches nothing.
 */
import { CLASSIFY, HOOK, PREFIX } from '../../../protocol.ts'
import { binaryen, type ExpressionRef, tupleType } from '../../binaryen.ts'
import type { Sig } from '../../signature.ts'
import { passThrough } from './adapters.ts'
import type { ShadowContext } from './context.ts'
import { callIndirect, define, paramsOf, refFunc, resultsOf, shadowParams, slotIndex } from './emit.ts'
import { classify, dynamicAdapter, hookIsEmpty } from './hooks.ts'
import { IMPORTED } from './static-sig.ts'
import { staticBound, unchanged } from './tables.ts'

/** A shadow grows to the next multiple of this many slots past the index that needs it (V8 reallocates a table on every grow). */
const GROW_STEP = 1024

export function addResolvers(ctx: ShadowContext): void {
  const { m, names } = ctx
  ctx.tKeys.forEach((tKey, t) => {
    const r = resolverOf(ctx, tKey, t)
    const { funcref, i32 } = binaryen
    // The types of r.local's f, pv, k, entry and size.
    define(ctx, r.name, r.site, [funcref, funcref, i32, funcref, i32], () => m.block(null, resolverBody(r)))
    m.addActiveElementSegment(names.shadow(tKey), `${PREFIX}shadow$${tKey}$0`, [r.name], m.i32.const(0))
  })
}

/** One resolver as its parts see it: its site signature, its locals, and how it calls natively. */
interface Resolver {
  ctx: ShadowContext
  name: string
  tKey: string
  /** The index of T. */
  t: number
  site: Sig
  /** The slot index. */
  idx: () => ExpressionRef
  /** Locals after the slot index: the slot's function, P's entry, k, the entry to cache, the shadow's new size. */
  local: { f: number; pv: number; k: number; entry: number; size: number }
  i32: (local: number) => ExpressionRef
  funcref: (local: number) => ExpressionRef
  /** The signature index k, as classified so far. */
  k: () => ExpressionRef
  setEntry: (entry: ExpressionRef) => ExpressionRef
  /** Returns the result of `call` (or tail-calls it). */
  ret: (call: ExpressionRef) => ExpressionRef
  /** Calls the slot of the call table as it is and returns: what the site did before. */
  native: () => ExpressionRef
}

function resolverOf(ctx: ShadowContext, tKey: string, t: number): Resolver {
  const { m } = ctx
  const site = ctx.siteSigs.get(tKey)!
  const n = site.params.length
  const local = { f: n + 1, pv: n + 2, k: n + 3, entry: n + 4, size: n + 5 }
  const ret = (call: ExpressionRef) => (ctx.tail ? call : site.results.length ? m.return(call) : m.block(null, [call, m.return()]))
  return {
    ctx,
    name: ctx.names.resolver(tKey),
    tKey,
    t,
    site,
    idx: () => slotIndex(m, site),
    local,
    i32: local => m.local.get(local, binaryen.i32),
    funcref: local => m.local.get(local, binaryen.funcref),
    k: () => m.local.get(local.k, binaryen.i32),
    setEntry: entry => m.local.set(local.entry, entry),
    ret,
    native: () => ret(callIndirect(m, ctx.tail, ctx.table, slotIndex(m, site), paramsOf(m, site), tupleType(site.params), resultsOf(site))),
  }
}

function resolverBody(r: Resolver): ExpressionRef[] {
  const { ctx, idx, local } = r
  const { m, names } = ctx
  const shadow = names.shadow(r.tKey)
  return [
    // Past the call table: trap as a native call would. Past the shadow: grow it.
    m.if(m.i32.ge_u(idx(), m.table.size(ctx.table)), r.native()),
    m.if(m.i32.ge_u(idx(), m.global.get(names.bound(r.tKey), binaryen.i32)), growShadow(r)),
    m.local.set(local.f, m.table.get(ctx.table, idx(), binaryen.funcref)),
    m.if(m.ref.is_null(r.funcref(local.f)), r.native()),
    // Static and unchanged (P says so): the build-time answer, imports included.
    m.local.set(local.k, m.i32.const(-1)),
    m.if(m.i32.lt_u(idx(), staticBound(ctx)), m.if(unchanged(ctx, idx, local.pv), m.local.set(local.k, m.call(names.staticSig, [idx()], binaryen.i32)))),
    m.if(m.i32.ge_s(r.k(), m.i32.const(0)), staticEntry(r), runtimeEntry(r)),
    m.if(idx(), m.table.set(shadow, idx(), r.funcref(local.entry))),
    m.table.set(names.call, m.i32.const(0), r.funcref(local.entry)),
    // The adapter called next reads the slot global: set it again, whatever the runtime's hooks did meanwhile.
    ...(ctx.viaArgument ? [] : [m.global.set(names.slot, idx())]),
    r.ret(
      callIndirect(
        m,
        ctx.tail,
        names.call,
        m.i32.const(0),
        ctx.viaArgument ? [...paramsOf(m, r.site), idx()] : paramsOf(m, r.site),
        shadowParams(ctx, r.site),
        resultsOf(r.site),
      ),
    ),
  ]
}

/** Grows the shadow past the index, by GROW_STEP, up to the call table's size; grown slots hold the resolver itself. */
function growShadow(r: Resolver): ExpressionRef {
  const { ctx, idx, local } = r
  const { m, table } = ctx
  const shadow = ctx.names.shadow(r.tKey)
  return m.block(null, [
    m.local.set(local.size, m.i32.and(m.i32.add(idx(), m.i32.const(GROW_STEP)), m.i32.const(-GROW_STEP))),
    m.if(m.i32.gt_u(r.i32(local.size), m.table.size(table)), m.local.set(local.size, m.table.size(table))),
    m.drop(m.table.grow(shadow, refFunc(m, r.name), m.i32.sub(r.i32(local.size), m.table.size(shadow)))),
    m.global.set(ctx.names.bound(r.tKey), m.table.size(shadow)),
  ])
}

/** The entry for a static slot whose k the build knows. */
function staticEntry(r: Resolver): ExpressionRef {
  const { ctx, local, k, setEntry } = r
  const { m } = ctx
  return m.if(
    m.i32.and(k(), m.i32.const(IMPORTED)),
    // An unprimed import (slotVia 'argument'): what a function added at run time gets.
    m.block(null, [m.local.set(local.k, m.i32.xor(k(), m.i32.const(IMPORTED))), setEntry(adapterAt(r, 0))]),
    m.if(m.i32.eq(k(), m.i32.const(ctx.kIndex.get(r.tKey)!)), setEntry(r.funcref(ctx.viaArgument ? local.pv : local.f)), setEntry(adapterAt(r, 1))),
  )
}

/** The entry for any other slot, from the runtime's answer. */
function runtimeEntry(r: Resolver): ExpressionRef {
  const { ctx, local, k, setEntry: set } = r
  const { m } = ctx
  return m.block(null, [
    m.if(hookIsEmpty(ctx, HOOK.classify), r.native()),
    m.local.set(local.k, classify(ctx, r.funcref(local.f), r.t)),
    m.if(
      m.i32.ge_s(k(), m.i32.const(0)),
      // A function of T itself: with 'global' the shadow holds it (no frame of ours, tail calls stay tail calls).
      ctx.viaArgument ? set(adapterAt(r, 0)) : m.if(m.i32.eq(k(), m.i32.const(ctx.kIndex.get(r.tKey)!)), set(r.funcref(local.f)), set(adapterAt(r, 0))),
      m.if(m.i32.eq(k(), m.i32.const(CLASSIFY.dynamicAdapter)), set(dynamicAdapter(ctx)), set(refFunc(m, passThrough(ctx, r.site)))),
    ),
  ])
}

/** The adapter matrix's entry for (t, k), static or not (see adapters.ts). */
function adapterAt(r: Resolver, isStatic: 0 | 1): ExpressionRef {
  const { m, kKeys, names } = r.ctx
  const row = m.i32.add(m.i32.const(r.t * kKeys.length), r.k())
  return m.table.get(names.adapters, m.i32.add(m.i32.mul(row, m.i32.const(2)), m.i32.const(isStatic)), binaryen.funcref)
}
