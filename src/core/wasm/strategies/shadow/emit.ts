/**
 * Building blocks of the code the shadow strategy generates: function types,
 * generated functions of a call-site type, and calls (tail calls where the
 * module makes them).
 */
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
