/**
 * Calls of the runtime's functions, through the hooks table it fills right
 * after instantiation (slots and types: HOOK in protocol.ts).
 */
import { HOOK } from '../../../protocol.ts'
import { binaryen, type ExpressionRef, tupleType } from '../../binaryen.ts'
import type { ShadowContext } from './context.ts'

/** `call` if hook `slot` is filled: hooks called where they may still be empty (the start function runs before the runtime fills them) are skipped then. */
export function ifHook(ctx: ShadowContext, slot: number, call: ExpressionRef): ExpressionRef {
  const { m } = ctx
  return m.if(m.i32.eqz(hookIsEmpty(ctx, slot)), call)
}

/** Whether hook `slot` is still empty (ref.is_null). */
export function hookIsEmpty(ctx: ShadowContext, slot: number): ExpressionRef {
  const { m } = ctx
  return m.ref.is_null(m.table.get(ctx.names.hooks, m.i32.const(slot), binaryen.funcref))
}

/** Counts an adapted call of site signature t to signature k, if the hook is filled (diagnostics). */
export function record(ctx: ShadowContext, t: number, k: number): ExpressionRef {
  const { m, names } = ctx
  const args = [m.global.get(names.site, binaryen.i32), m.i32.const(t), m.i32.const(k)]
  return ifHook(ctx, HOOK.record, m.call_indirect(names.hooks, m.i32.const(HOOK.record), args, tupleType(['i32', 'i32', 'i32']), binaryen.none))
}

/** Asks the runtime for the signature index of function f, called from a site of signature t. */
export function classify(ctx: ShadowContext, f: ExpressionRef, t: number): ExpressionRef {
  const { m } = ctx
  return m.call_indirect(ctx.names.hooks, m.i32.const(HOOK.classify), [f, m.i32.const(t)], tupleType(['funcref', 'i32']), binaryen.i32)
}

/** Reports an incompatible call of site signature t to signature k (-1: the runtime reads the type from slot idx). */
export function mismatch(ctx: ShadowContext, t: number, k: number, idx: ExpressionRef): ExpressionRef {
  const { m } = ctx
  return m.call_indirect(ctx.names.hooks, m.i32.const(HOOK.mismatch), [m.i32.const(t), m.i32.const(k), idx], tupleType(['i32', 'i32', 'i32']), binaryen.none)
}

/** The function the runtime left in the dynamic slot: an adapter it built for classify's answer CLASSIFY.dynamicAdapter. */
export function dynamicAdapter(ctx: ShadowContext): ExpressionRef {
  const { m } = ctx
  return m.table.get(ctx.names.hooks, m.i32.const(HOOK.dynamic), binaryen.funcref)
}
