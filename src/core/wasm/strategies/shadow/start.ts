/**
 * Step 7: `fpcast$grow`, and the start function. grow() makes every full
 * shadow as big as the call table, its new slots holding the shadow's
 * resolver; it is exported: the runtime calls it after a JS Table.grow (a
 * module that grows its call table in wasm gets no full shadow, see
 * context.ts). The start function
 * fills the full shadows of a fixed-size call table (tables.ts) and grows
 * the others first; with a computed base (dynamic linking) it
 * sets the static end ('global') or sizes and fills P ('argument'), before
 * anything can call; then it calls the module's own start (its wrapper, if
 * primed).
 */
import { PREFIX } from '../../../protocol.ts'
import { binaryen, type ExpressionRef } from '../../binaryen.ts'
import { chunkedBlock } from '../../segments.ts'
import type { ShadowContext } from './context.ts'
import { refFunc } from './emit.ts'
import { fixedSize } from './tables.ts'

export function addGrow(ctx: ShadowContext): void {
  const { m, names } = ctx
  if (!ctx.full.length) return
  const body = ctx.full.map(key => {
    const shadow = names.shadow(key)
    const missing = m.i32.sub(m.table.size(ctx.table), m.table.size(shadow))
    return m.if(
      m.i32.lt_u(m.table.size(shadow), m.table.size(ctx.table)),
      m.block(null, [
        // A failed grow would leave slots past the shadow, which its sites do not clamp: trap here instead.
        m.if(m.i32.eq(m.table.grow(shadow, refFunc(m, names.resolver(key)), missing), m.i32.const(-1)), m.unreachable()),
        m.global.set(names.bound(key), m.table.size(shadow)),
      ]),
    )
  })
  m.addFunction(names.grow, binaryen.none, binaryen.none, [], m.block(null, body))
  m.addFunctionExport(names.grow, names.grow)
}

export function addStart(ctx: ShadowContext, wrapperOf: Map<string, string>): void {
  const { m, P } = ctx
  const oldStart = m.getStart()
  const body: ExpressionRef[] = ctx.full.length ? [fillFixedShadows(ctx), m.call(ctx.names.grow, [], binaryen.none)] : []
  if (ctx.computed && !ctx.viaArgument) body.push(m.global.set(ctx.names.staticEnd, m.table.size(ctx.table)))
  else if (ctx.computed) {
    body.push(m.drop(m.table.grow(P, m.ref.null(ctx.pType), m.table.size(ctx.table))))
    for (const seg of ctx.staticSegs) {
      body.push(
        chunkedBlock(
          m,
          seg.data.map((name, i) => m.table.set(P, m.i32.add(m.copyExpression(seg.offset), m.i32.const(i)), refFunc(m, name))),
        ),
      )
    }
  }
  if (oldStart) {
    const name = binaryen.getFunctionInfo(oldStart).name
    body.push(m.call(wrapperOf.get(name) ?? name, [], binaryen.none))
  }
  if (body.length) m.setStart(m.addFunction(`${PREFIX}start`, binaryen.none, binaryen.none, [binaryen.i32], m.block(null, body)))
}

/** Full shadows of a fixed-size call table start at its size (tables.ts): every slot gets its resolver, in a loop over local 0. */
function fillFixedShadows(ctx: ShadowContext): ExpressionRef {
  const { m, names } = ctx
  const size = fixedSize(ctx)
  if (size === undefined) return m.nop()
  const i = () => m.local.get(0, binaryen.i32)
  const sets = ctx.full.map(key => m.table.set(names.shadow(key), i(), refFunc(m, names.resolver(key))))
  const next = m.i32.lt_u(m.local.tee(0, m.i32.add(i(), m.i32.const(1)), binaryen.i32), m.i32.const(size))
  return m.loop(`${PREFIX}fill`, m.block(null, [...sets, m.br_if(`${PREFIX}fill`, next)]))
}
