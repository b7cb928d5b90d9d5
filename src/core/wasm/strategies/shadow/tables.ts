/**
 * Step 2: the strategy's tables and globals.
 *
 * P says which static slots still hold their static function. With slotVia
 * 'argument' it is the primed view of the static table: it holds the static
 * segments, primed, and a changed slot is null. With 'global', adapters call
 * the call table itself, so P only marks changed slots (non-null) and needs
 * no element segment: an externref table, which V8 keeps in a quarter of a
 * funcref table's memory (no dispatch table; 8 bytes a slot against 32 on
 * Node 24), marked with invalidate's third argument, any JS value but null.
 * Wasm cannot make a non-null externref, so when the module itself sets
 * slots of the call table, P is a funcref table that invalidate marks with a
 * reference to itself. With 'global', P starts empty and invalidate grows
 * it to cover the static slots it marks (a slot past P is unchanged): most
 * programs change no static slot, and a 60,000-slot table would otherwise
 * cost 480 KB up front. The static table ends at the staticEnd global.
 * With a computed offset (dynamic linking: global.get $__table_base) the
 * base is only known at instantiation, so the start function sets the
 * static end (with 'argument': sizes and fills P).
 *
 * Then one shadow per call-site signature T with its bound global, the
 * resolvers' one-slot call table, the hooks table, and the slot and site
 * globals.
 */
import { PREFIX } from '../../../protocol.ts'
import { addTypedTable, binaryen, type ExpressionRef } from '../../binaryen.ts'
import { addActiveSegment, addHooksTable } from '../../segments.ts'
import type { ShadowContext } from './context.ts'

export function addTables(ctx: ShadowContext): void {
  addUnchangedSlots(ctx)
  addShadows(ctx)
  addHooksTable(ctx.m, 4)
  addSlotGlobals(ctx)
}

/** P, which tells the unchanged static slots (see above), and the static end: fixed here, or set by the start function. */
function addUnchangedSlots(ctx: ShadowContext): void {
  const { m, P, pType } = ctx
  if (ctx.computed) {
    addTypedTable(m, P, 0, -1, pType)
    if (!ctx.viaArgument) m.addGlobal(ctx.names.staticEnd, binaryen.i32, true, m.i32.const(0))
    return
  }
  const initial = binaryen.getTableInfo(m.getTable(ctx.table)).initial
  const staticEnd = Math.max(initial, ...ctx.staticSegs.map(seg => binaryen.Const.getValueI32(seg.offset) + seg.data.length))
  if (!ctx.viaArgument) {
    addTypedTable(m, P, 0, -1, pType)
    m.addGlobal(ctx.names.staticEnd, binaryen.i32, false, m.i32.const(staticEnd))
    return
  }
  addTypedTable(m, P, staticEnd, -1, pType)
  ctx.staticSegs.forEach((seg, i) => {
    addActiveSegment(m, P, `${PREFIX}primed$${i}`, seg.data, m.copyExpression(seg.offset), ctx.fail)
  })
}

/**
 * Each shadow starts with slot 0 only (its resolver, see resolvers.ts); its
 * bound global is its size, for the sites' clamp. The resolver makes its
 * call through a one-slot table: slot 0 of a shadow must keep the resolver,
 * and a call_indirect reads its slot before the call, so re-entering the
 * resolver while a call is in flight is safe. A full shadow of a call table
 * whose size is fixed (maximum = initial: no grow can follow) has that size
 * from the start, and a fixed size too, which V8 before 12 bounds-checks
 * against a constant (W1 on Node 20: 1.07x stock -> 1.01-1.02x); the start
 * function fills it with its resolver (start.ts).
 */
function addShadows(ctx: ShadowContext): void {
  const { m, names } = ctx
  const fixed = fixedSize(ctx)
  for (const key of ctx.tKeys) {
    const size = fixed !== undefined && ctx.full.includes(key) ? fixed : undefined
    m.addTable(names.shadow(key), size ?? 1, size ?? -1)
    m.addGlobal(names.bound(key), binaryen.i32, true, m.i32.const(size ?? 1))
  }
  m.addTable(names.call, 1, 1)
}

/**
 * The call table's size when it cannot change (its maximum is its initial
 * size), else undefined. Not for an empty one: slot 0 of a shadow holds its
 * resolver (an element segment), so a shadow has at least one slot.
 */
export function fixedSize(ctx: ShadowContext): number | undefined {
  const info = binaryen.getTableInfo(ctx.m.getTable(ctx.table))
  return info.max === info.initial && info.initial > 0 ? info.initial : undefined
}

/** The exported slot and site globals. */
function addSlotGlobals(ctx: ShadowContext): void {
  const { m, names } = ctx
  if (!ctx.viaArgument) {
    m.addGlobal(names.slot, binaryen.i32, true, m.i32.const(0))
    m.addGlobalExport(names.slot, names.slot)
  }
  if (ctx.options.diagnostics) {
    m.addGlobal(names.site, binaryen.i32, true, m.i32.const(-1))
    m.addGlobalExport(names.site, names.site)
  }
}

/** The end of the static table: P's size with 'argument', else the staticEnd global. */
export const staticBound = (ctx: ShadowContext): ExpressionRef =>
  ctx.viaArgument ? ctx.m.table.size(ctx.P) : ctx.m.global.get(ctx.names.staticEnd, binaryen.i32)

/** Whether P says static slot idx still holds its static function; with 'argument', leaves P's entry in local pv. */
export function unchanged(ctx: ShadowContext, idx: () => ExpressionRef, pv: number): ExpressionRef {
  const { m, P } = ctx
  return ctx.viaArgument
    ? m.block(null, [m.local.set(pv, m.table.get(P, idx(), binaryen.funcref)), m.i32.eqz(m.ref.is_null(m.local.get(pv, binaryen.funcref)))], binaryen.i32)
    : m.if(m.i32.ge_u(idx(), m.table.size(P)), m.i32.const(1), m.ref.is_null(m.table.get(P, idx(), ctx.pType)))
}

/**
 * The first full shadow becomes table 0 (step 10, after every table is
 * added). V8 before 12 (Node 20) reaches table 0 from the instance directly
 * and any other table through two more loads: a call_indirect on table 1 ran
 * 1.22x slower in a tight loop (bench/README.md). The other tables keep
 * their order after it. Only when no table is imported (imports come first)
 * and the module's own tables are plain (ShadowOptions.reorderTables).
 */
export function hotShadowFirst(ctx: ShadowContext): void {
  const { m } = ctx
  if (!ctx.full.length || !ctx.options.reorderTables) return
  const hot = ctx.names.shadow(ctx.full[0])
  const tables = Array.from({ length: m.getNumTables() }, (_, i) => m.getTableByIndex(i))
  const infos = tables.map(t => ({ ...binaryen.getTableInfo(t), type: binaryen._BinaryenTableGetType(t) }))
  if (infos.some(t => t.module)) return
  for (const t of infos) {
    if (t.name === hot) continue
    m.removeTable(t.name)
    addTypedTable(m, t.name, t.initial, t.max ?? -1, t.type)
  }
}
