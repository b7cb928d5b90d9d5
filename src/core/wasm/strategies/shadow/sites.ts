/**
 * Step 9: the call sites. `call_indirect $table (type T) args idx` becomes,
 * with 'global',
 *
 *   call_indirect $S_T (type T) args (slot = idx; idx < bound_T ? idx : 0)
 *
 * and with 'argument'
 *
 *   call_indirect $S_T (type T+i32) args idx (idx < bound_T ? idx : 0)
 *
 * A full shadow (context.ts: as big as the call table) needs no clamp: the
 * index goes to call_indirect as it is, and past the table it traps as it
 * would natively. The index is evaluated once, after the arguments, as
 * before: into a scratch local (one per function), unless it already is a
 * local.get. With diagnostics, the site's number is stored first.
 */
import { binaryen, type ExpressionRef } from '../../binaryen.ts'
import type { Lowering } from '../../copy/index.ts'
import type { CallIndirectSite } from '../../scan.ts'
import { sigKey } from '../../signature.ts'
import type { ShadowContext } from './context.ts'
import { plus } from './emit.ts'

/**
 * Rewrites the sites binaryen holds; for a site the copy-through writer
 * lowers in the bytes (no expression: copy/index.ts), returns what it
 * needs instead: the same instructions, by name.
 */
export function rewriteSites(ctx: ShadowContext): Lowering {
  const scratch = new Map<string, number>()
  const lowering: Lowering = { sites: new Map(), slotGlobal: ctx.names.slot, ...(ctx.options.diagnostics ? { siteGlobal: ctx.names.site } : {}) }
  ctx.sites.forEach((site, id) => {
    if (!site.expr) {
      if (ctx.viaArgument) throw ctx.fail('internal error: a site outside binaryen with slotVia argument')
      const tKey = sigKey(site.sig)
      lowering.sites.set(site, { id, table: ctx.names.shadow(tKey), ...(ctx.full.includes(tKey) ? {} : { bound: ctx.names.bound(tKey) }) })
      return
    }
    rewriteSite(ctx, site, id, () => {
      let local = scratch.get(site.func.name)
      if (local === undefined) scratch.set(site.func.name, (local = binaryen._BinaryenFunctionAddVar(site.func.ref, binaryen.i32)))
      return local
    })
  })
  return lowering
}

function rewriteSite(ctx: ShadowContext, site: CallIndirectSite, id: number, scratchLocal: () => number): void {
  const { m, names } = ctx
  const tKey = sigKey(site.sig)
  const target = binaryen.CallIndirect.getTarget(site.expr)
  const fromLocal = binaryen._BinaryenExpressionGetId(target) === binaryen.LocalGetId
  const slot = fromLocal ? binaryen.LocalGet.getIndex(target) : scratchLocal()
  const get = () => m.local.get(slot, binaryen.i32)
  const marks = ctx.options.diagnostics ? [m.global.set(names.site, m.i32.const(id))] : []
  binaryen.CallIndirect.setTable(site.expr, names.shadow(tKey))
  if (ctx.viaArgument) {
    binaryen.CallIndirect.setParams(site.expr, plus(site.sig))
    const operand = fromLocal ? get() : m.local.tee(slot, target, binaryen.i32)
    binaryen.CallIndirect.appendOperand(site.expr, marks.length ? m.block(null, [...marks, operand], binaryen.i32) : operand)
    binaryen.CallIndirect.setTarget(site.expr, shadowIndex(ctx, tKey, get))
  } else {
    const store = fromLocal ? [] : [m.local.set(slot, target)]
    binaryen.CallIndirect.setTarget(site.expr, m.block(null, [...store, ...marks, m.global.set(names.slot, get()), shadowIndex(ctx, tKey, get)], binaryen.i32))
  }
}

/** The index into T's shadow: as it is for a full shadow, else clamped. */
const shadowIndex = (ctx: ShadowContext, tKey: string, idx: () => ExpressionRef): ExpressionRef => (ctx.full.includes(tKey) ? idx() : clamped(ctx, tKey, idx))

/**
 * An index past the shadow's bound goes to slot 0, T's resolver, which grows
 * the shadow: (idx - bound) >> 31 is all ones below the bound, zero from it up
 * to 2^31 + bound (beyond, idx is past any table and traps as it would
 * natively).
 */
function clamped(ctx: ShadowContext, tKey: string, idx: () => ExpressionRef): ExpressionRef {
  const { m } = ctx
  return m.i32.and(idx(), m.i32.shr_s(m.i32.sub(idx(), m.global.get(ctx.names.bound(tKey), binaryen.i32)), m.i32.const(31)))
}
