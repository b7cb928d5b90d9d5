/**
 * Step 1, with slotVia 'argument' only: priming. A defined function in the
 * static table whose type is a call-site type gets the slot index as an
 * extra, ignored, last parameter, so a shadow can hold it as it is and a
 * matched call costs one argument register. A wrapper of the original type
 * (`fpcast$entry$<index>`) calls it with 0 and takes its place everywhere
 * else: element segments, exports, ref.func, the start function (start.ts).
 */
import { PREFIX } from '../../../protocol.ts'
import { binaryen, type ExpressionRef, type Module, tupleType } from '../../binaryen.ts'
import { addActiveSegment, BR_TABLE_CHUNK } from '../../segments.ts'
import { type Sig, sigKey } from '../../signature.ts'
import type { ShadowContext } from './context.ts'
import { callDirect, paramsOf, plus, resultsOf } from './emit.ts'

/** Primes the functions that get primed; returns the wrapper of each, by function name (none with 'global'). */
export function primeFunctions(ctx: ShadowContext): Map<string, string> {
  const { m, scan } = ctx
  const wrapperOf = choosePrimed(ctx)
  const heapTypeOf = heapTypes(m)
  for (const [name, wrapper] of wrapperOf) {
    const f = scan.byName.get(name)!
    shiftLocals(scan.locals.get(name) ?? [], f.sig.params.length)
    binaryen._BinaryenFunctionSetType(f.ref, heapTypeOf(f.sig))
    for (const call of scan.calls.get(name) ?? []) binaryen.Call.appendOperand(call, m.i32.const(0))
    for (const ref of scan.refFuncs.get(name) ?? []) binaryen.RefFunc.setFunc(ref, wrapper)
    const body = callDirect(m, ctx.tail, name, [...paramsOf(m, f.sig), m.i32.const(0)], resultsOf(f.sig))
    m.addFunction(wrapper, tupleType(f.sig.params), resultsOf(f.sig), [], body)
  }
  return wrapperOf
}

/** The defined functions of the static table whose type is a call-site type, in slot order, each with its wrapper's name. */
function choosePrimed(ctx: ShadowContext): Map<string, string> {
  const wrapperOf = new Map<string, string>()
  if (!ctx.viaArgument) return wrapperOf
  for (const seg of ctx.staticSegs) {
    for (const name of seg.data) {
      const f = ctx.scan.byName.get(name)
      if (f && !f.imported && ctx.siteSigs.has(sigKey(f.sig)) && !wrapperOf.has(name)) wrapperOf.set(name, `${PREFIX}entry$${f.index}`)
    }
  }
  return wrapperOf
}

/** The new parameter comes last, before the locals: every local after the parameters moves up by one. */
function shiftLocals(accesses: ExpressionRef[], nParams: number): void {
  for (const expr of accesses) {
    const access = binaryen._BinaryenExpressionGetId(expr) === binaryen.LocalGetId ? binaryen.LocalGet : binaryen.LocalSet
    const index = access.getIndex(expr)
    if (index >= nParams) access.setIndex(expr, index + 1)
  }
}

/** The heap type of a primed signature, taken from a throwaway function (binaryen.js cannot build one directly). */
function heapTypes(m: Module): (sig: Sig) => number {
  const cache = new Map<string, number>()
  return sig => {
    const key = sigKey(sig)
    let heapType = cache.get(key)
    if (heapType === undefined) {
      const tmp = `${PREFIX}tmp$${cache.size}`
      heapType = binaryen._BinaryenFunctionGetType(m.addFunction(tmp, plus(sig), resultsOf(sig), [], m.unreachable()))
      m.removeFunction(tmp)
      cache.set(key, heapType)
    }
    return heapType
  }
}

/**
 * Everything outside direct calls now sees the wrappers: element segments
 * (re-added under their names) and exports.
 */
export function pointAtWrappers(ctx: ShadowContext, wrapperOf: Map<string, string>): void {
  const { m } = ctx
  const outside = (name: string) => wrapperOf.get(name) ?? name
  for (const seg of ctx.segments) {
    if (!seg.data.some(n => wrapperOf.has(n))) continue
    const offset = seg.passive ? 0 : m.copyExpression(seg.offset)
    m.removeElementSegment(seg.name)
    if (seg.passive) {
      if (seg.data.length > BR_TABLE_CHUNK)
        throw ctx.fail(
          `passive element segment ${seg.name} has ${seg.data.length} entries; with slotVia 'argument' at most ${BR_TABLE_CHUNK} are supported (binaryen.js copies a segment onto its small stack), nothing was written: use the default slotVia 'global'`,
        )
      m.addPassiveElementSegment(seg.name, seg.data.map(outside))
    } else addActiveSegment(m, seg.table, seg.name, seg.data.map(outside), offset, ctx.fail)
  }
  const exports: { name: string; value: string }[] = []
  for (let i = 0; i < m.getNumExports(); i++) {
    const e = binaryen.getExportInfo(m.getExportByIndex(i))
    if (e.kind === binaryen.ExternalFunction && wrapperOf.has(e.value)) exports.push(e)
  }
  for (const e of exports) {
    m.removeExport(e.name)
    m.addFunctionExport(wrapperOf.get(e.value)!, e.name)
  }
}
