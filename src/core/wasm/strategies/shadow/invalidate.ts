/**
 * Step 6: `fpcast$invalidate(i, n[, mark])`, exported: forgets slots
 * [i, i + n) of the call table, in P and in every shadow that covers them
 * (slot 0 keeps its resolver), so the next call through them resolves again.
 * The runtime calls it after a slot is set from JS (`addFunction`,
 * `removeFunction`, side modules); a table.set inside wasm calls it too
 * (table-set.ts). With 'global', P's mark is `mark` when only JS marks
 * slots, else a reference to invalidate itself (see tables.ts).
 */
import { binaryen, type ExpressionRef, tupleType } from '../../binaryen.ts'
import type { ShadowContext } from './context.ts'
import { addThenBuild, refFunc } from './emit.ts'
import { staticBound } from './tables.ts'

export function addInvalidate(ctx: ShadowContext): void {
  const { m, markFromJs } = ctx
  const name = ctx.names.invalidate
  addThenBuild(m, name, tupleType(markFromJs ? ['i32', 'i32', 'externref'] : ['i32', 'i32']), binaryen.none, [binaryen.i32], () => invalidateBody(ctx))
  m.addFunctionExport(name, name)
}

/** Local 0: the slot, counting up; local 1: the count, then the end; local 2: the mark (if from JS); then P's new size. */
function invalidateBody(ctx: ShadowContext): ExpressionRef {
  const { m, P, names } = ctx
  const i = () => m.local.get(0, binaryen.i32)
  const end = () => m.local.get(1, binaryen.i32)
  const size = ctx.markFromJs ? 3 : 2
  const newSize = () => m.local.get(size, binaryen.i32)
  const pick = (wantFirst: (a: ExpressionRef, b: ExpressionRef) => ExpressionRef) => (a: () => ExpressionRef, b: () => ExpressionRef) =>
    m.select(wantFirst(a(), b()), a(), b())
  const min = pick(m.i32.lt_u),
    max = pick(m.i32.gt_u)
  const bound = () => staticBound(ctx)
  const doubled = () => m.i32.shl(m.table.size(P), m.i32.const(1))
  // 'global': P covers the static slots marked so far; grow it (at least doubling) to cover these.
  const growP = ctx.viaArgument
    ? []
    : [
        m.if(
          m.i32.lt_u(i(), bound()),
          m.block(null, [
            m.local.set(
              size,
              min(bound, () => max(end, doubled)),
            ),
            // A failed grow would leave these slots looking unchanged: trap instead.
            m.if(
              m.i32.gt_u(newSize(), m.table.size(P)),
              m.if(m.i32.eq(m.table.grow(P, m.ref.null(ctx.pType), m.i32.sub(newSize(), m.table.size(P))), m.i32.const(-1)), m.unreachable()),
            ),
          ]),
        ),
      ]
  const mark = ctx.viaArgument ? m.ref.null(binaryen.funcref) : ctx.markFromJs ? m.local.get(2, binaryen.externref) : refFunc(m, names.invalidate)
  const forgetInShadows = ctx.tKeys.map(k =>
    m.if(m.i32.lt_u(i(), m.global.get(names.bound(k), binaryen.i32)), m.table.set(names.shadow(k), i(), refFunc(m, names.resolver(k)))),
  )
  return m.block(null, [
    m.local.set(1, m.i32.add(i(), end())),
    ...growP,
    m.loop(
      'next',
      m.if(
        m.i32.lt_u(i(), end()),
        m.block(null, [
          m.if(m.i32.lt_u(i(), m.table.size(P)), m.table.set(P, i(), mark)),
          m.if(i(), m.block(null, forgetInShadows)),
          m.local.set(0, m.i32.add(i(), m.i32.const(1))),
          m.br('next'),
        ]),
      ),
    ),
  ])
}
