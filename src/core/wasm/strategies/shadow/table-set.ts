/**
 * Step 8: writes to the call table inside wasm. A table.set calls invalidate
 * after its value is evaluated and right before the set itself (nothing can
 * run in between, so no call can cache the old function meanwhile); index
 * and value keep their order. Fresh locals per set: a value may hold a set
 * too. (A table.grow needs nothing: a module that has one gets no full
 * shadows, see context.ts, and new slots are past every other shadow's bound.)
 */
import { binaryen } from '../../binaryen.ts'
import type { ShadowContext } from './context.ts'

export function invalidateOnTableSets(ctx: ShadowContext): void {
  const { m } = ctx
  for (const w of ctx.wasmSets) {
    const index = binaryen._BinaryenFunctionAddVar(w.func.ref, binaryen.i32)
    const value = binaryen._BinaryenFunctionAddVar(w.func.ref, binaryen.funcref)
    const valueExpr = binaryen.TableSet.getValue(w.expr)
    binaryen.TableSet.setIndex(w.expr, m.local.tee(index, binaryen.TableSet.getIndex(w.expr), binaryen.i32))
    const invalidate = m.call(ctx.names.invalidate, [m.local.get(index, binaryen.i32), m.i32.const(1)], binaryen.none)
    binaryen.TableSet.setValue(w.expr, m.block(null, [m.local.set(value, valueExpr), invalidate, m.local.get(value, binaryen.funcref)], binaryen.funcref))
  }
}
