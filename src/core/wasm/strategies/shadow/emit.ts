/**
 * Building blocks of the code the shadow strategy generates: function types,
 * generated functions of a call-site type, calls (tail calls where the module
 * makes them), and calls of the runtime's hooks.
 */
import { HOOK } from '../../../protocol.ts'
import { binaryen, binaryenType, type ExpressionRef, type Module, tupleType } from '../../binaryen.ts'
import type { Sig } from '../../signature.ts'
import type { ShadowContext } from './context.ts'

/** A primed function's parameters: its own plus the slot index. */
export const plus = (sig: Sig) => tupleType([...sig.params, 'i32'])
/** What a call through a shadow table passes: the site's arguments, plus the slot index with 'argument'. */
export const shadowParams = (ctx: ShadowContext, sig: Sig) => (ctx.viaArgument ? plus(sig) : tupleType(sig.params))
export const resultsOf = (sig: Sig) => tupleType(sig.results)

/** The parameters of a function of type `sig`, as local.gets: what it passes on unchanged. */
export const paramsOf = (m: Module, sig: Sig) => sig.params.map((t, i) => m.local.get(i, binaryenType(t)))

/**
 * Where every generated function of a site type finds the slot index: local
 * n (n = the site's parameter count), its extra parameter or, with 'global',
 * a first local loaded from the slot global on entry.
 */
export const slotIndex = (m: Module, site: Sig) => m.local.get(site.params.length, binaryen.i32)

/** Adds a function, then builds its body: a body may refer to its own function (ref.func). */
export function addThenBuild(m: Module, name: string, params: number, results: number, vars: number[], body: () => ExpressionRef): void {
  binaryen._BinaryenFunctionSetBody(m.addFunction(name, params, results, vars, m.nop()), body())
}

/** ref.func must carry the function's exact type. */
export const refFunc = (m: Module, name: string) =>
  m.ref.func(name, binaryen.getTypeFromHeapType(binaryen._BinaryenFunctionGetType(m.getFunction(name)), false))

/**
 * Adds, once, a generated function of the site type `site` (see slotIndex)
 * with extra locals `vars`; returns its name. The body is built only when the
 * function is new, and may define further functions, which come after it.
 */
export function define(ctx: ShadowContext, name: string, site: Sig, vars: number[], body: () => ExpressionRef): string {
  const { m } = ctx
  if (ctx.made.has(name)) return name
  ctx.made.add(name)
  addThenBuild(m, name, shadowParams(ctx, site), resultsOf(site), ctx.viaArgument ? vars : [binaryen.i32, ...vars], () =>
    ctx.viaArgument ? body() : m.block(null, [m.local.set(site.params.length, m.global.get(ctx.names.slot, binaryen.i32)), body()], resultsOf(site)),
  )
  return name
}

/** call_indirect, or return_call_indirect when `asTail`. */
export const callIndirect = (m: Module, asTail: boolean, ...a: Parameters<Module['call_indirect']>) =>
  asTail ? m.return_call_indirect(...a) : m.call_indirect(...a)
/** call, or return_call when `asTail`. */
export const callDirect = (m: Module, asTail: boolean, ...a: Parameters<Module['call']>) => (asTail ? m.return_call(...a) : m.call(...a))

/** Whether a call of `site` passes on the result of a function of `target` as it is (then it may be a tail call). */
export function sameResults(site: Sig, target: Sig): boolean {
  return site.results.length === target.results.length && site.results.every((t, i) => t === target.results[i])
}

/** `call` if hook `slot` is filled: hooks called where they may still be empty (the start function runs before the runtime fills them) are skipped then. */
export const ifHook = (ctx: ShadowContext, slot: number, call: ExpressionRef) =>
  ctx.m.if(ctx.m.i32.eqz(ctx.m.ref.is_null(ctx.m.table.get(ctx.names.hooks, ctx.m.i32.const(slot), binaryen.funcref))), call)

/** Counts an adapted call of site signature t to signature k (diagnostics). */
export function record(ctx: ShadowContext, t: number, k: number): ExpressionRef {
  const { m, names } = ctx
  const args = [m.global.get(names.site, binaryen.i32), m.i32.const(t), m.i32.const(k)]
  return ifHook(ctx, HOOK.record, m.call_indirect(names.hooks, m.i32.const(HOOK.record), args, tupleType(['i32', 'i32', 'i32']), binaryen.none))
}

/** Asks the runtime for the signature index of function f, called from a site of signature t (see HOOK). */
export const classify = (ctx: ShadowContext, f: ExpressionRef, t: number) =>
  ctx.m.call_indirect(ctx.names.hooks, ctx.m.i32.const(HOOK.classify), [f, ctx.m.i32.const(t)], tupleType(['funcref', 'i32']), binaryen.i32)

/** Reports an incompatible call of site signature t to signature k (-1: the runtime reads it from slot idx). */
export const mismatch = (ctx: ShadowContext, t: number, k: number, idx: ExpressionRef) =>
  ctx.m.call_indirect(
    ctx.names.hooks,
    ctx.m.i32.const(HOOK.mismatch),
    [ctx.m.i32.const(t), ctx.m.i32.const(k), idx],
    tupleType(['i32', 'i32', 'i32']),
    binaryen.none,
  )
