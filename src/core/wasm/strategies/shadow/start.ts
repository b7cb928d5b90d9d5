/**
 * Step 7: `fpcast$grow`, and the start function. grow() makes every full
 * shadow as big as the call table, its new slots holding the shadow's
 * resolver; it is exported: the runtime calls it after a JS Table.grow (a
 * module that grows its call table in wasm gets no full shadow, see
 * context.ts). The start function
 * grows the full shadows first; with a computed base (dynamic linking) it
 * sets the static end ('global') or sizes and fills P ('argument'), before
 * anything can call; then it calls the module's own start (its wrapper, if
 * primed).
 */
import { PREFIX } from '../../../protocol.ts'
import { binaryen, type ExpressionRef } from '../../binaryen.ts'
import { chunkedBlock } from '../../segments.ts'
import type { ShadowContext } from './context.ts'
import { refFunc } from './emit.ts'

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
  const body: ExpressionRef[] = ctx.full.length ? [m.call(ctx.names.grow, [], binaryen.none)] : []
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
  if (body.length) m.setStart(m.addFunction(`${PREFIX}start`, binaryen.none, binaryen.none, [], m.block(null, body)))
}
