/**
 * Step 7: the start function. With a computed base (dynamic linking), it
 * sets the static end ('global') or sizes and fills P ('argument') before
 * anything can call; then it calls the module's own start (its wrapper, if
 * primed).
 */
import { PREFIX } from '../../../protocol.ts'
import { binaryen, type ExpressionRef } from '../../binaryen.ts'
import { chunkedBlock } from '../../segments.ts'
import type { ShadowContext } from './context.ts'
import { refFunc } from './emit.ts'

export function addStart(ctx: ShadowContext, wrapperOf: Map<string, string>): void {
  const { m, P } = ctx
  const oldStart = m.getStart()
  const body: ExpressionRef[] = []
  if (ctx.computed && !ctx.viaArgument) body.push(m.global.set(ctx.names.staticEnd, m.table.size(ctx.table)))
  if (ctx.computed && ctx.viaArgument) {
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
