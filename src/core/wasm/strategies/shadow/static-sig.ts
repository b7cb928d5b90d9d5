/**
 * Step 4: `fpcast$static_sig(idx)`, the build-time signature index k of each
 * static slot (-1: no answer), so a resolver classifies a slot that still
 * holds its static function without asking the runtime. A function per chunk
 * of a segment, each one br_table, and a binary search over the chunks.
 *
 * An import has its declared type (linking checks it exactly); with
 * 'argument' it is not primed, so its k is marked with IMPORTED.
 */
import { binaryen, type ExpressionRef, type Module, tupleType } from '../../binaryen.ts'
import type { FunctionEntry } from '../../scan.ts'
import { sigKey } from '../../signature.ts'
import type { ShadowContext } from './context.ts'

/**
 * Entries per function of the static slot lookup, each one br_table. V8
 * rejects a br_table of more than 65,520 targets, and big ones cost memory
 * when compiled: a 60,000-slot table in four br_tables of 16,384 cost 16 MB of
 * RSS at its first calls, in 59 functions of 1,024 about 4.6 MB.
 */
export const STATIC_SIG_CHUNK = 1024

/** Marks the static_sig answer of an import with slotVia 'argument' (never primed): above any signature index. */
export const IMPORTED = 0x40000000

export function addStaticSig(ctx: ShadowContext): void {
  const { m } = ctx
  const name = ctx.names.staticSig
  const parts: ExpressionRef[] = []
  ctx.staticSegs.forEach((seg, s) => {
    const ks = seg.data.map(fn => staticSigOf(ctx, ctx.scan.byName.get(fn)))
    if (!ks.length) return
    const chunks: string[] = []
    for (let at = 0; at < ks.length; at += STATIC_SIG_CHUNK)
      chunks.push(addStaticSigChunk(m, `${name}$${s}$${at / STATIC_SIG_CHUNK}`, ks.slice(at, at + STATIC_SIG_CHUNK)))
    parts.push(...staticSigSegment(m, seg.offset, ks.length, chunks))
  })
  parts.push(m.i32.const(-1))
  m.addFunction(name, tupleType(['i32']), binaryen.i32, [binaryen.i32], m.block(null, parts, binaryen.i32))
}

function staticSigOf(ctx: ShadowContext, f: FunctionEntry | undefined): number {
  if (!f) return -1
  const k = ctx.kIndex.get(sigKey(f.sig))!
  return f.imported && ctx.viaArgument ? k | IMPORTED : k
}

/**
 * A function `(d) -> ks[d]` for `ks`, the signature index of each slot of
 * one chunk of a segment (-1: no build-time answer), through one br_table.
 * The caller checks that d is in range.
 */
function addStaticSigChunk(m: Module, name: string, ks: number[]): string {
  const label = (k: number) => `k${k}`
  const distinct = [...new Set(ks)]
  let inner = m.switch(ks.map(label), label(-1), m.local.get(0, binaryen.i32))
  for (const k of distinct.includes(-1) ? distinct : [...distinct, -1]) inner = m.block(null, [m.block(label(k), [inner]), m.return(m.i32.const(k))])
  m.addFunction(name, tupleType(['i32']), binaryen.i32, [], m.block(null, [inner, m.i32.const(-1)], binaryen.i32))
  return name
}

/**
 * The part of `static_sig(idx)` (local 0: the slot index, local 1: scratch)
 * for one segment at `offset` whose chunks of STATIC_SIG_CHUNK slots answer
 * in `chunks`: `d = idx - offset; if (d < length) return chunk(d)`, the chunk
 * found by a binary search on d.
 */
function staticSigSegment(m: Module, offset: ExpressionRef, length: number, chunks: string[]): ExpressionRef[] {
  const d = () => m.local.get(1, binaryen.i32)
  const search = (lo: number, hi: number): ExpressionRef => {
    if (hi - lo === 1) return m.return(m.call(chunks[lo], [lo ? m.i32.sub(d(), m.i32.const(lo * STATIC_SIG_CHUNK)) : d()], binaryen.i32))
    const mid = (lo + hi) >> 1
    return m.if(m.i32.lt_u(d(), m.i32.const(mid * STATIC_SIG_CHUNK)), search(lo, mid), search(mid, hi))
  }
  return [
    m.local.set(1, m.i32.sub(m.local.get(0, binaryen.i32), m.copyExpression(offset))),
    m.if(m.i32.lt_u(d(), m.i32.const(length)), search(0, chunks.length)),
  ]
}
