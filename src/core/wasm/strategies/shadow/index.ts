/**
 * The `shadow` strategy: keep `call_indirect` on the fast path.
 *
 * For every call-site signature T there is a shadow table S_T. A site
 * `call_indirect $table (type T) args idx` becomes
 * `call_indirect $S_T (type T) args (slot = idx; idx < bound_T ? idx : 0)`
 * with slotVia 'global' (the default: the index is stored in a global that
 * adapters read; nothing but the sites changes), or with slotVia 'argument'
 * `call_indirect $S_T (type T+i32) args idx (idx < bound_T ? idx : 0)`.
 * Shadows grow lazily: S_T starts with one slot, and an index past its end is
 * sent to slot 0, which always holds T's resolver; the resolver grows S_T to
 * cover the index. Signatures that are never called (36 of Pyodide's 45)
 * cost one slot instead of one per call table slot. S_T[idx] holds:
 *   - the function itself when its type is T. With 'argument', functions in
 *     the static table whose type is a call-site type are "primed": their
 *     body gets the extra (ignored) i32 parameter, and a wrapper with the
 *     original type takes their place everywhere else (table, exports,
 *     ref.func), so matched calls cost one argument register, not a store;
 *   - an adapter T -> F (drop / zero-fill arguments, adapt the result) that
 *     re-calls slot idx with its real type F, in wasm: no JS frame;
 *   - a trap adapter for incompatible pairs, which reports the site;
 *   - initially, a resolver that classifies the slot on first use (from a
 *     build-time list for the static table, or by asking the runtime's
 *     `classify` import for functions added at run time) and caches the
 *     answer in S_T[idx]. Before the runtime has filled its hooks (calls from
 *     the start function), a slot that needs the runtime is called natively
 *     and nothing is cached.
 * The runtime calls `fpcast$invalidate` after a slot is set, so the shadows
 * follow `addFunction`, `removeFunction` and side modules; a `table.set` on
 * the call table inside wasm calls it too. A grown call table needs nothing,
 * as its new slots are past every shadow's bound.
 *
 * Example (C): `((int (*)(int, int))one_arg_fn)(1, 2)` -> `one_arg_fn(1)`;
 * `((int (*)(void))two_arg_fn)()` -> `two_arg_fn(0, 0)`.
 *
 * Limits: one call table (transformWasm refuses several).
 */
import { addTypedTable, binaryen, binaryenType, coerce, type Module, tableType, tupleType, zeroOf } from '../../binaryen.ts'
import { FpcastError } from '../../../errors.ts'
import { HOOK, HOOKS_TABLE, PREFIX, type ShadowMeta, type TableAccess } from '../../../protocol.ts'
import type { CallIndirectSite, FunctionEntry, ScanResult } from '../../scan.ts'
import { compatibility, type Sig, sigKey, wireSig } from '../../signature.ts'

/** A static adapter compares the slot with at most this many slots of its target signature before it falls back to call_indirect. */
const MAX_DIRECT_SLOTS = 4
/**
 * Most names (or children) handed to binaryen.js in one call: it copies them
 * onto its own stack of a few MB (600,000 br_table labels overflowed it and
 * left that binaryen instance unusable).
 */
export const BR_TABLE_CHUNK = 16384
/**
 * Entries per function of the static slot lookup, each one br_table. V8
 * rejects a br_table of more than 65,520 targets, and big ones cost memory
 * when compiled: a 60,000-slot table in four br_tables of 16,384 cost 16 MB of
 * RSS at its first calls, in 59 functions of 1,024 about 4.6 MB.
 */
export const STATIC_SIG_CHUNK = 1024
/** A shadow grows to the next multiple of this many slots past the index that needs it (V8 reallocates a table on every grow). */
const GROW_STEP = 1024

export interface ShadowResult {
  /** Metadata for the runtime. */
  meta: ShadowMeta
  primed: number
  adapters: number
  shadowTables: number
}

interface Segment {
  name: string
  table: string
  passive: boolean
  offset: number
  data: string[]
}

/** Adds the hooks table the runtime fills (see protocol.ts), exported under its own name. */

export function addHooksTable(m: Module, initial = 2): string {
  m.addTable(HOOKS_TABLE, initial, -1)
  m.addTableExport(HOOKS_TABLE, HOOKS_TABLE)
  return HOOKS_TABLE
}

export function readSegments(m: Module): Segment[] {
  const out: Segment[] = []
  const n = m.getNumElementSegments()
  for (let i = 0; i < n; i++) {
    const ref = m.getElementSegmentByIndex(i)
    const info = binaryen.getElementSegmentInfo(ref)
    out.push({ name: info.name, table: info.table, passive: !!binaryen._BinaryenElementSegmentIsPassive(ref), offset: info.offset, data: info.data })
  }
  return out
}

/** Describes how JS reaches the call table: by export, by import, or not at all. */
export function tableAccess(m: Module, table: string): TableAccess {
  const info = binaryen.getTableInfo(m.getTable(table))
  if (info.module) return { import: { module: info.module, base: info.base! } }
  const n = m.getNumExports()
  for (let i = 0; i < n; i++) {
    const e = binaryen.getExportInfo(m.getExportByIndex(i))
    if (e.kind === binaryen.ExternalTable && e.value === table) return { export: e.name }
  }
  return {}
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
function staticSigSegment(m: Module, offset: number, length: number, chunks: string[]): number[] {
  const d = () => m.local.get(1, binaryen.i32)
  const search = (lo: number, hi: number): number => {
    if (hi - lo === 1) return m.return(m.call(chunks[lo], [lo ? m.i32.sub(d(), m.i32.const(lo * STATIC_SIG_CHUNK)) : d()], binaryen.i32))
    const mid = (lo + hi) >> 1
    return m.if(m.i32.lt_u(d(), m.i32.const(mid * STATIC_SIG_CHUNK)), search(lo, mid), search(mid, hi))
  }
  return [m.local.set(1, m.i32.sub(m.local.get(0, binaryen.i32), m.copyExpression(offset))), m.if(m.i32.lt_u(d(), m.i32.const(length)), search(0, chunks.length))]
}

/**
 * An active element segment, split into segments of at most BR_TABLE_CHUNK
 * entries (binaryen.js copies a segment's names onto its small stack). Only a
 * constant offset can be split; a longer segment at a computed one is refused.
 */
function addActiveSegment(m: Module, table: string, name: string, data: string[], offset: number, fail: (msg: string) => Error): void {
  if (data.length <= BR_TABLE_CHUNK) {
    m.addActiveElementSegment(table, name, data, offset)
    return
  }
  if (binaryen._BinaryenExpressionGetId(offset) !== binaryen.ConstId)
    throw fail(
      `element segment ${name} has ${data.length} entries at a computed offset; with slotVia 'argument' at most ${BR_TABLE_CHUNK} are supported there, nothing was written: use the default slotVia 'global'`,
    )
  const base = binaryen.Const.getValueI32(offset)
  for (let at = 0; at < data.length; at += BR_TABLE_CHUNK) {
    m.addActiveElementSegment(table, at ? `${name}$${at}` : name, data.slice(at, at + BR_TABLE_CHUNK), m.i32.const(base + at))
  }
}

/** A block of many expressions, as nested blocks of at most BR_TABLE_CHUNK children (binaryen.js passes children on its stack). */
function chunkedBlock(m: Module, children: number[]): number {
  if (children.length <= BR_TABLE_CHUNK) return m.block(null, children)
  const parts: number[] = []
  for (let at = 0; at < children.length; at += BR_TABLE_CHUNK) parts.push(m.block(null, children.slice(at, at + BR_TABLE_CHUNK)))
  return chunkedBlock(m, parts)
}

/** Whether a call of `site` passes on the result of a function of `target` as it is. */
function sameResults(site: Sig, target: Sig): boolean {
  return site.results.length === target.results.length && site.results.every((t, i) => t === target.results[i])
}

export interface ShadowOptions {
  /** Convert numbers between differing value types instead of trapping. */
  coerce: boolean
  /**
   * How a site hands the slot index to an adapter. `global` (the default):
   * in a mutable global set before the call; nothing but the rewritten sites
   * changes. `argument`: as one extra argument; table functions of a
   * call-site type are primed to accept it (no store on matched calls;
   * changes every such function and adds a wrapper for each).
   */
  slotVia: 'argument' | 'global'
  /** Count each mismatched call per site through the runtime. */
  diagnostics: boolean
}

/** Marks the static_sig answer of an import with slotVia 'argument' (never primed): above any signature index. */
const IMPORTED = 0x40000000

export function applyShadow(m: Module, scan: ScanResult, sites: CallIndirectSite[], options: ShadowOptions, fileName: string): ShadowResult {
  const { coerce: coerceNumbers, slotVia, diagnostics } = options
  const viaArgument = slotVia === 'argument'
  // One call table: transformWasm refuses sites on several before any strategy runs.
  const table = sites[0].table
  const fail = (msg: string) => new FpcastError(msg, { file: fileName })
  const tableInfo = binaryen.getTableInfo(m.getTable(table))
  if (tableType(m, table) !== binaryen.funcref) throw fail(`table ${table} is not a funcref table`)
  // A grow needs nothing (new slots are past every shadow's bound); a set in
  // wasm gets a call to invalidate, like a set from JS (step 8).
  const wasmSets = scan.tableSets.filter(w => w.table === table)

  // The static call table.
  const segments = readSegments(m)
  const staticSegs = segments.filter(s => s.table === table && !s.passive)

  // Signatures: those of the call sites (T), and K, those a slot is likely to
  // hold, for which the module carries adapters: the static table's and the
  // call sites'. Other signatures of the module are only listed for the
  // runtime, which builds their adapters if such a function is ever added.
  const siteSigs = new Map<string, Sig>()
  for (const s of sites) siteSigs.set(sigKey(s.sig), s.sig)
  const known = new Map<string, Sig>(siteSigs)
  for (const seg of staticSegs) {
    for (const name of seg.data) {
      const f = scan.byName.get(name)
      if (f) known.set(sigKey(f.sig), f.sig)
    }
  }
  // Signatures `addFunction(jsFunction, sig)` typically brings in at run time, so they can be adapted too.
  for (let n = 0; n <= 6; n++) {
    for (const results of [[], ['i32']] as const) {
      const sig: Sig = { params: Array(n).fill('i32'), results }
      if (!known.has(sigKey(sig))) known.set(sigKey(sig), sig)
    }
  }
  const kKeys = [...known.keys()]
  const probeSigs = [...new Map(scan.functions.map(f => [sigKey(f.sig), f.sig])).entries()].filter(([k]) => !known.has(k)).map(([, sig]) => sig)
  const kIndex = new Map(kKeys.map((k, i) => [k, i]))
  const tKeys = [...siteSigs.keys()]
  /** A primed function's parameters: its own plus the slot index. */
  const plus = (sig: Sig) => tupleType([...sig.params, 'i32'])
  /** What a call through a shadow table passes. */
  const shadowParams = (sig: Sig) => (viaArgument ? plus(sig) : tupleType(sig.params))
  const resultsOf = (sig: Sig) => tupleType(sig.results)

  // Where the module makes tail calls itself, our wrappers and generated
  // functions whose last call's result passes through unchanged make that
  // call a tail call, so a return_call_indirect loop through them runs in
  // constant stack, as natively.
  const tail = sites.some(s => s.isReturn)

  // Which defined functions get primed.
  const wrapperOf = new Map<string, string>()
  for (const seg of staticSegs) {
    for (const name of seg.data) {
      const f = scan.byName.get(name)
      if (viaArgument && f && !f.imported && siteSigs.has(sigKey(f.sig)) && !wrapperOf.has(name)) wrapperOf.set(name, `${PREFIX}entry$${f.index}`)
    }
  }

  // Heap types for re-typing primed bodies, taken from a throwaway function.
  const heapTypes = new Map<string, number>()
  const heapTypeOf = (sig: Sig) => {
    const key = sigKey(sig)
    let ht = heapTypes.get(key)
    if (ht === undefined) {
      const tmp = `${PREFIX}tmp$${heapTypes.size}`
      ht = binaryen._BinaryenFunctionGetType(m.addFunction(tmp, plus(sig), resultsOf(sig), [], m.unreachable()))
      m.removeFunction(tmp)
      heapTypes.set(key, ht)
    }
    return ht
  }

  // 1. Prime: body gets the extra i32 parameter, locals after it shift by one.
  for (const [name, wrapper] of wrapperOf) {
    const f = scan.byName.get(name)!
    const nParams = f.sig.params.length
    for (const expr of scan.locals.get(name) ?? []) {
      const isGet = binaryen._BinaryenExpressionGetId(expr) === binaryen.LocalGetId
      const cls = isGet ? binaryen.LocalGet : binaryen.LocalSet
      const index = cls.getIndex(expr)
      if (index >= nParams) cls.setIndex(expr, index + 1)
    }
    binaryen._BinaryenFunctionSetType(f.ref, heapTypeOf(f.sig))
    for (const call of scan.calls.get(name) ?? []) binaryen.Call.appendOperand(call, m.i32.const(0))
    for (const ref of scan.refFuncs.get(name) ?? []) binaryen.RefFunc.setFunc(ref, wrapper)
    const args = f.sig.params.map((t, i) => m.local.get(i, binaryenType(t)))
    m.addFunction(
      wrapper,
      tupleType(f.sig.params),
      resultsOf(f.sig),
      [],
      (tail ? m.return_call : m.call).call(m, name, [...args, m.i32.const(0)], resultsOf(f.sig)),
    )
  }
  const outside = (name: string) => wrapperOf.get(name) ?? name

  // Everything outside direct calls now sees the wrappers: element segments, exports, start.
  for (const seg of segments) {
    if (!seg.data.some(n => wrapperOf.has(n))) continue
    const offset = seg.passive ? 0 : m.copyExpression(seg.offset)
    m.removeElementSegment(seg.name)
    if (seg.passive) {
      if (seg.data.length > BR_TABLE_CHUNK)
        throw fail(
          `passive element segment ${seg.name} has ${seg.data.length} entries; with slotVia 'argument' at most ${BR_TABLE_CHUNK} are supported (binaryen.js copies a segment onto its small stack), nothing was written: use the default slotVia 'global'`,
        )
      m.addPassiveElementSegment(seg.name, seg.data.map(outside))
    } else addActiveSegment(m, seg.table, seg.name, seg.data.map(outside), offset, fail)
  }
  const nExports = m.getNumExports()
  const exports = [] as { name: string; value: string }[]
  for (let i = 0; i < nExports; i++) {
    const e = binaryen.getExportInfo(m.getExportByIndex(i))
    if (e.kind === binaryen.ExternalFunction && wrapperOf.has(e.value)) exports.push(e)
  }
  for (const e of exports) {
    m.removeExport(e.name)
    m.addFunctionExport(wrapperOf.get(e.value)!, e.name)
  }

  // 2. Our tables: which static slots are unchanged (P), one shadow per T, the adapter matrix.
  // With slotVia 'argument', P is the primed view of the static table: it
  // holds the static segments, primed, and a changed slot is null. With
  // 'global', adapters call the call table itself, so P only marks changed
  // slots (non-null) and needs no element segment: an externref table, which
  // V8 keeps in a quarter of a funcref table's memory (no dispatch table; 8
  // bytes a slot against 32 on Node 24), marked with invalidate's third
  // argument, any JS value but null. Wasm cannot make a non-null externref,
  // so when the module itself sets slots of the call table, P is a funcref
  // table that invalidate marks with a reference to itself. With a computed offset
  // (dynamic linking: global.get $__table_base) the base is only known at
  // instantiation, so the start function sizes (and fills) P.
  const P = viaArgument ? `${PREFIX}primed` : `${PREFIX}changed`
  const markFromJs = !viaArgument && !wasmSets.length
  const pType = markFromJs ? binaryen.externref : binaryen.funcref
  const computed = staticSegs.some(seg => binaryen._BinaryenExpressionGetId(seg.offset) !== binaryen.ConstId)
  if (computed) {
    addTypedTable(m, P, 0, -1, pType)
  } else {
    const staticEnd = Math.max(0, ...staticSegs.map(seg => binaryen.Const.getValueI32(seg.offset) + seg.data.length))
    addTypedTable(m, P, Math.max(tableInfo.initial, staticEnd), -1, pType)
    if (viaArgument) staticSegs.forEach((seg, i) => addActiveSegment(m, P, `${PREFIX}primed$${i}`, seg.data, m.copyExpression(seg.offset), fail))
  }
  /** Whether P says slot idx still holds its static function; with 'argument', leaves it in local pv. */
  const unchanged = (idx: () => number, pv: number) =>
    viaArgument
      ? m.block(null, [m.local.set(pv, m.table.get(P, idx(), binaryen.funcref)), m.i32.eqz(m.ref.is_null(m.local.get(pv, binaryen.funcref)))], binaryen.i32)
      : m.ref.is_null(m.table.get(P, idx(), pType))
  // Each shadow starts with slot 0 only (its resolver, set in step 5); its
  // bound global is its size, for the sites' clamp.
  const shadowOf = new Map<string, string>(),
    boundOf = new Map<string, string>()
  for (const key of tKeys) {
    const name = `${PREFIX}shadow$${key}`
    m.addTable(name, 1, -1)
    shadowOf.set(key, name)
    boundOf.set(key, `${PREFIX}bound$${key}`)
    m.addGlobal(boundOf.get(key)!, binaryen.i32, true, m.i32.const(1))
  }
  // The resolver makes its call through this one-slot table: slot 0 of a
  // shadow must keep the resolver, and a call_indirect reads its slot before
  // the call, so re-entering the resolver while a call is in flight is safe.
  const CALL = `${PREFIX}call`
  m.addTable(CALL, 1, 1)

  // The runtime's functions, through the hooks table it fills.
  const HOOKS = addHooksTable(m, 4)
  const SLOT = `${PREFIX}slot`,
    SITE = `${PREFIX}site`
  if (!viaArgument) {
    m.addGlobal(SLOT, binaryen.i32, true, m.i32.const(0))
    m.addGlobalExport(SLOT, SLOT)
  }
  if (diagnostics) {
    m.addGlobal(SITE, binaryen.i32, true, m.i32.const(-1))
    m.addGlobalExport(SITE, SITE)
  }
  // Hooks called where they may still be empty (the start function runs before the runtime fills them) are skipped then.
  const ifHook = (slot: number, call: number) => m.if(m.i32.eqz(m.ref.is_null(m.table.get(HOOKS, m.i32.const(slot), binaryen.funcref))), call)
  const record = (t: number, k: number) =>
    ifHook(
      HOOK.record,
      m.call_indirect(HOOKS, m.i32.const(HOOK.record), [m.global.get(SITE, binaryen.i32), m.i32.const(t), m.i32.const(k)], tupleType(['i32', 'i32', 'i32']), binaryen.none),
    )
  const classify = (f: number, t: number) => m.call_indirect(HOOKS, m.i32.const(HOOK.classify), [f, m.i32.const(t)], tupleType(['funcref', 'i32']), binaryen.i32)
  const mismatch = (t: number, k: number, idx: number) =>
    m.call_indirect(HOOKS, m.i32.const(HOOK.mismatch), [m.i32.const(t), m.i32.const(k), idx], tupleType(['i32', 'i32', 'i32']), binaryen.none)

  /** Adds a function, then builds its body: a body may refer to its own function (ref.func). */
  const addThenBuild = (name: string, params: number, results: number, vars: number[], body: () => number) => {
    binaryen._BinaryenFunctionSetBody(m.addFunction(name, params, results, vars, m.nop()), body())
  }
  // ref.func must carry the function's exact type.
  const refFunc = (name: string) => m.ref.func(name, binaryen.getTypeFromHeapType(binaryen._BinaryenFunctionGetType(m.getFunction(name)), false))

  // 3. Adapters.
  const made = new Map<string, string>()
  const argsFor = (site: Sig, target: Sig) =>
    target.params.map((t, i) => (i < site.params.length ? coerce(m, m.local.get(i, binaryenType(site.params[i])), site.params[i], t) : zeroOf(m, t)))
  const adaptResult = (call: number, site: Sig, target: Sig) => {
    if (!site.results.length) return target.results.length ? m.drop(call) : call
    if (!target.results.length) return m.block(null, [call, zeroOf(m, site.results[0])], binaryenType(site.results[0]))
    return coerce(m, call, target.results[0], site.results[0])
  }
  // Every generated function of a site type finds the slot index in local n
  // (n = the site's parameter count): its extra parameter, or a first local
  // loaded from the slot global on entry.
  const define = (name: string, site: Sig, vars: number[], body: () => number) => {
    if (!made.has(name)) {
      made.set(name, name)
      const n = site.params.length
      addThenBuild(name, shadowParams(site), resultsOf(site), viaArgument ? vars : [binaryen.i32, ...vars], () =>
        viaArgument ? body() : m.block(null, [m.local.set(n, m.global.get(SLOT, binaryen.i32)), body()], resultsOf(site)),
      )
    }
    return name
  }
  const indirect = (asTail: boolean, ...a: Parameters<Module['call_indirect']>) =>
    asTail ? m.return_call_indirect(...a) : m.call_indirect(...a)
  const direct = (asTail: boolean, ...a: Parameters<Module['call']>) => (asTail ? m.return_call(...a) : m.call(...a))
  const pass = (site: Sig) => {
    const key = sigKey(site),
      n = site.params.length
    return define(`${PREFIX}pass$${key}`, site, [], () =>
      indirect(
        tail,
        table,
        m.local.get(n, binaryen.i32),
        site.params.map((t, i) => m.local.get(i, binaryenType(t))),
        tupleType(site.params),
        resultsOf(site),
      ),
    )
  }
  // The static slots of each signature, for adapters that call them directly.
  const staticSlots = new Map<string, { slot: number; name: string }[]>()
  if (!computed) {
    for (const seg of staticSegs) {
      const base = binaryen.Const.getValueI32(seg.offset)
      seg.data.forEach((name, i) => {
        const f = scan.byName.get(name)
        if (!f || f.imported) return
        const list = staticSlots.get(sigKey(f.sig)) ?? []
        list.push({ slot: base + i, name })
        staticSlots.set(sigKey(f.sig), list)
      })
    }
  }
  /**
   * T -> F. `isStatic`: installed only in slots that still hold their static
   * function (the resolver checks P; a table change resets the slot), so when
   * F has few static functions, the slot index tells which one it is and the
   * adapter calls it directly (a compare per candidate instead of a second
   * call_indirect; the engine can inline a direct call).
   */
  const adapter = (site: Sig, target: Sig, primed: boolean, isStatic = false) => {
    const n = site.params.length
    const candidates = isStatic ? staticSlots.get(sigKey(target)) : undefined
    const useDirect = !!candidates && candidates.length <= MAX_DIRECT_SLOTS
    const asTail = tail && sameResults(site, target)
    const name = `${PREFIX}${useDirect ? 'ad' : primed ? 'ap' : 'a'}$${sigKey(site)}$${sigKey(target)}`
    return define(name, site, [], () => {
      const idx = () => m.local.get(n, binaryen.i32)
      const viaTable = primed
        ? indirect(asTail, P, idx(), [...argsFor(site, target), idx()], plus(target), resultsOf(target))
        : indirect(asTail, table, idx(), argsFor(site, target), tupleType(target.params), resultsOf(target))
      let adapted = adaptResult(viaTable, site, target)
      if (useDirect) {
        for (const { slot, name: fn } of [...candidates!].reverse()) {
          const call = direct(asTail, fn, primed ? [...argsFor(site, target), idx()] : argsFor(site, target), resultsOf(target))
          adapted = m.if(m.i32.eq(idx(), m.i32.const(slot)), adaptResult(call, site, target), adapted)
        }
      }
      return diagnostics ? m.block(null, [record(tKeys.indexOf(sigKey(site)), kIndex.get(sigKey(target))!), adapted], resultsOf(site)) : adapted
    })
  }
  // One trap per call-site signature, not per pair (most pairs are
  // incompatible: 1,956 of Pyodide's 2,880): the runtime reads the slot's
  // type itself for its report (k = -1), then the adapter traps in wasm,
  // which no catch_all can catch (an exception thrown from JS could be).
  const trap = (site: Sig) => {
    const n = site.params.length
    return define(`${PREFIX}x$${sigKey(site)}`, site, [], () =>
      m.block(null, [ifHook(HOOK.mismatch, mismatch(tKeys.indexOf(sigKey(site)), -1, m.local.get(n, binaryen.i32))), m.unreachable()]),
    )
  }
  // ADAPT[(t * K + k) * 2 + (static ? 1 : 0)]
  const adaptNames: string[] = []
  for (const tKey of tKeys) {
    const site = siteSigs.get(tKey)!
    for (const kKey of kKeys) {
      const target = known.get(kKey)!
      const c = compatibility(site, target, coerceNumbers)
      if (c === 'same') adaptNames.push(pass(site), pass(site))
      else if (c === 'incompatible') adaptNames.push(trap(site), trap(site))
      else adaptNames.push(adapter(site, target, false), adapter(site, target, viaArgument && siteSigs.has(kKey), true))
    }
  }
  const ADAPT = `${PREFIX}adapters`
  m.addTable(ADAPT, adaptNames.length, adaptNames.length)
  addActiveSegment(m, ADAPT, `${PREFIX}adapters$0`, adaptNames, m.i32.const(0), fail)

  // 4. The build-time signature of each static slot: a function per chunk of
  // a segment, each a br_table. An import has its declared type (linking
  // checks it exactly); with 'argument' it is not primed, so its k is marked
  // with IMPORTED.
  const staticSigOf = (f: FunctionEntry | undefined) =>
    !f ? -1 : f.imported && viaArgument ? kIndex.get(sigKey(f.sig))! | IMPORTED : kIndex.get(sigKey(f.sig))!
  const STATIC_SIG = `${PREFIX}static_sig`
  {
    const parts: number[] = []
    staticSegs.forEach((seg, s) => {
      const ks = seg.data.map(name => staticSigOf(scan.byName.get(name)))
      if (!ks.length) return
      const chunks: string[] = []
      for (let at = 0; at < ks.length; at += STATIC_SIG_CHUNK)
        chunks.push(addStaticSigChunk(m, `${STATIC_SIG}$${s}$${at / STATIC_SIG_CHUNK}`, ks.slice(at, at + STATIC_SIG_CHUNK)))
      parts.push(...staticSigSegment(m, seg.offset, ks.length, chunks))
    })
    parts.push(m.i32.const(-1))
    m.addFunction(STATIC_SIG, tupleType(['i32']), binaryen.i32, [binaryen.i32], m.block(null, parts, binaryen.i32))
  }

  // 5. Resolvers: grow the shadow if the index is past it, classify the slot,
  // cache the entry in the shadow (never in slot 0), make the call.
  const resolverOf = new Map<string, string>()
  tKeys.forEach((tKey, t) => {
    const site = siteSigs.get(tKey)!,
      n = site.params.length
    const S = shadowOf.get(tKey)!,
      bound = boundOf.get(tKey)!
    const F = n + 1,
      Pv = n + 2,
      K = n + 3,
      E = n + 4,
      Size = n + 5
    const idx = () => m.local.get(n, binaryen.i32)
    const args = () => site.params.map((ty, i) => m.local.get(i, binaryenType(ty)))
    const adaptAt = (isStatic: number) =>
      m.table.get(
        ADAPT,
        m.i32.add(m.i32.mul(m.i32.add(m.i32.const(t * kKeys.length), m.local.get(K, binaryen.i32)), m.i32.const(2)), m.i32.const(isStatic)),
        binaryen.funcref,
      )
    const ret = (call: number) => (tail ? call : site.results.length ? m.return(call) : m.block(null, [call, m.return()]))
    const native = () => ret(indirect(tail, table, idx(), args(), tupleType(site.params), resultsOf(site)))
    const name = `${PREFIX}resolve$${tKey}`
    // Grown slots are filled with the resolver itself.
    const resolverRef = () => refFunc(name)
    define(name, site, [binaryen.funcref, binaryen.funcref, binaryen.i32, binaryen.funcref, binaryen.i32], () =>
      m.block(null, [
        // Past the call table: trap as a native call would. Past the shadow: grow it.
        m.if(m.i32.ge_u(idx(), m.table.size(table)), native()),
        m.if(
          m.i32.ge_u(idx(), m.global.get(bound, binaryen.i32)),
          m.block(null, [
            m.local.set(Size, m.i32.and(m.i32.add(idx(), m.i32.const(GROW_STEP)), m.i32.const(-GROW_STEP))),
            m.if(m.i32.gt_u(m.local.get(Size, binaryen.i32), m.table.size(table)), m.local.set(Size, m.table.size(table))),
            m.drop(m.table.grow(S, resolverRef(), m.i32.sub(m.local.get(Size, binaryen.i32), m.table.size(S)))),
            m.global.set(bound, m.table.size(S)),
          ]),
        ),
        m.local.set(F, m.table.get(table, idx(), binaryen.funcref)),
        m.if(m.ref.is_null(m.local.get(F, binaryen.funcref)), native()),
        // Static and unchanged (P says so): the build-time answer, imports included.
        m.local.set(K, m.i32.const(-1)),
        m.if(m.i32.lt_u(idx(), m.table.size(P)), m.if(unchanged(idx, Pv), m.local.set(K, m.call(STATIC_SIG, [idx()], binaryen.i32)))),
        m.if(
          m.i32.ge_s(m.local.get(K, binaryen.i32), m.i32.const(0)),
          m.if(
            m.i32.and(m.local.get(K, binaryen.i32), m.i32.const(IMPORTED)),
            // An unprimed import (slotVia 'argument'): what a function added at run time gets.
            m.block(null, [m.local.set(K, m.i32.xor(m.local.get(K, binaryen.i32), m.i32.const(IMPORTED))), m.local.set(E, adaptAt(0))]),
            m.if(
              m.i32.eq(m.local.get(K, binaryen.i32), m.i32.const(kIndex.get(tKey)!)),
              m.local.set(E, m.local.get(viaArgument ? Pv : F, binaryen.funcref)),
              m.local.set(E, adaptAt(1)),
            ),
          ),
          // Otherwise ask the runtime: a known signature k, -2 unknown (native behaviour), -3 an adapter it built.
          // Before the runtime has filled the hooks (calls from the start function), behave natively and cache nothing.
          m.block(null, [
            m.if(m.ref.is_null(m.table.get(HOOKS, m.i32.const(HOOK.classify), binaryen.funcref)), native()),
            m.local.set(K, classify(m.local.get(F, binaryen.funcref), t)),
            m.if(
              m.i32.ge_s(m.local.get(K, binaryen.i32), m.i32.const(0)),
              // A function of T itself: with 'global' the shadow holds it (no frame of ours, tail calls stay tail calls).
              viaArgument
                ? m.local.set(E, adaptAt(0))
                : m.if(m.i32.eq(m.local.get(K, binaryen.i32), m.i32.const(kIndex.get(tKey)!)), m.local.set(E, m.local.get(F, binaryen.funcref)), m.local.set(E, adaptAt(0))),
              m.if(
                m.i32.eq(m.local.get(K, binaryen.i32), m.i32.const(-3)),
                m.local.set(E, m.table.get(HOOKS, m.i32.const(HOOK.dynamic), binaryen.funcref)),
                m.local.set(E, refFunc(pass(site))),
              ),
            ),
          ]),
        ),
        m.if(idx(), m.table.set(S, idx(), m.local.get(E, binaryen.funcref))),
        m.table.set(CALL, m.i32.const(0), m.local.get(E, binaryen.funcref)),
        // The adapter called next reads the slot global: set it again, whatever the runtime's hooks did meanwhile.
        ...(viaArgument ? [] : [m.global.set(SLOT, idx())]),
        ret(indirect(tail, CALL, m.i32.const(0), viaArgument ? [...args(), idx()] : args(), shadowParams(site), resultsOf(site))),
      ]),
    )
    resolverOf.set(tKey, name)
    m.addActiveElementSegment(S, `${PREFIX}shadow$${tKey}$0`, [name], m.i32.const(0))
  })

  // 6. invalidate(i, n[, mark]): forget slots [i, i + n) (P and every shadow
  // that covers them; slot 0 keeps its resolver).
  const INVALIDATE = `${PREFIX}invalidate`
  {
    const i = () => m.local.get(0, binaryen.i32)
    const end = () => m.local.get(1, binaryen.i32)
    const body = () =>
      m.block(null, [
        m.local.set(1, m.i32.add(i(), m.local.get(1, binaryen.i32))),
        m.loop(
          'next',
          m.if(
            m.i32.lt_u(i(), end()),
            m.block(null, [
              m.if(
                m.i32.lt_u(i(), m.table.size(P)),
                m.table.set(P, i(), viaArgument ? m.ref.null(binaryen.funcref) : markFromJs ? m.local.get(2, binaryen.externref) : refFunc(INVALIDATE)),
              ),
              m.if(
                i(),
                m.block(
                  null,
                  tKeys.map(k => m.if(m.i32.lt_u(i(), m.global.get(boundOf.get(k)!, binaryen.i32)), m.table.set(shadowOf.get(k)!, i(), refFunc(resolverOf.get(k)!)))),
                ),
              ),
              m.local.set(0, m.i32.add(i(), m.i32.const(1))),
              m.br('next'),
            ]),
          ),
        ),
      ])
    addThenBuild(INVALIDATE, tupleType(markFromJs ? ['i32', 'i32', 'externref'] : ['i32', 'i32']), binaryen.none, [], body)
  }
  m.addFunctionExport(INVALIDATE, INVALIDATE)

  // 7. Start: with a computed base, size and fill P before anything can call; then the module's own start.
  const oldStart = m.getStart()
  const startBody: number[] = []
  if (computed) {
    startBody.push(m.drop(m.table.grow(P, m.ref.null(pType), m.table.size(table))))
    if (viaArgument)
      for (const seg of staticSegs) {
        startBody.push(
          chunkedBlock(
            m,
            seg.data.map((name, i) => m.table.set(P, m.i32.add(m.copyExpression(seg.offset), m.i32.const(i)), refFunc(name))),
          ),
        )
      }
  }
  if (oldStart) startBody.push(m.call(outside(binaryen.getFunctionInfo(oldStart).name), [], binaryen.none))
  if (startBody.length) m.setStart(m.addFunction(`${PREFIX}start`, binaryen.none, binaryen.none, [], m.block(null, startBody)))

  // 8. A table.set on the call table inside wasm calls invalidate after its
  // value is evaluated and right before the set itself (nothing can run in
  // between, so no call can cache the old function meanwhile); index and
  // value keep their order. Fresh locals per set: a value may hold a set too.
  for (const w of wasmSets) {
    const f = w.func.ref
    const ti = binaryen._BinaryenFunctionAddVar(f, binaryen.i32),
      tv = binaryen._BinaryenFunctionAddVar(f, binaryen.funcref)
    const value = binaryen.TableSet.getValue(w.expr)
    binaryen.TableSet.setIndex(w.expr, m.local.tee(ti, binaryen.TableSet.getIndex(w.expr), binaryen.i32))
    binaryen.TableSet.setValue(
      w.expr,
      m.block(null, [m.local.set(tv, value), m.call(INVALIDATE, [m.local.get(ti, binaryen.i32), m.i32.const(1)], binaryen.none), m.local.get(tv, binaryen.funcref)], binaryen.funcref),
    )
  }

  // 9. Rewrite the sites. The target is evaluated once, after the arguments,
  // as before: into a scratch local, unless it already is a local.get.
  const tmpLocal = new Map<string, number>()
  sites.forEach((site, id) => {
    const tKey = sigKey(site.sig)
    const target = binaryen.CallIndirect.getTarget(site.expr)
    const fromLocal = binaryen._BinaryenExpressionGetId(target) === binaryen.LocalGetId
    let slot: number
    if (fromLocal) {
      slot = binaryen.LocalGet.getIndex(target)
    } else {
      let tmp = tmpLocal.get(site.func.name)
      if (tmp === undefined) {
        tmp = binaryen._BinaryenFunctionAddVar(site.func.ref, binaryen.i32)
        tmpLocal.set(site.func.name, tmp)
      }
      slot = tmp
    }
    const get = () => m.local.get(slot, binaryen.i32)
    const marks = diagnostics ? [m.global.set(SITE, m.i32.const(id))] : []
    // An index past the shadow's bound goes to slot 0, T's resolver, which
    // grows the shadow: (idx - bound) >> 31 is all ones below the bound, zero
    // from it up to 2^31 + bound (beyond, idx is past any table and traps as it would natively).
    const clamped = () => m.i32.and(get(), m.i32.shr_s(m.i32.sub(get(), m.global.get(boundOf.get(tKey)!, binaryen.i32)), m.i32.const(31)))
    binaryen.CallIndirect.setTable(site.expr, shadowOf.get(tKey)!)
    if (viaArgument) {
      binaryen.CallIndirect.setParams(site.expr, plus(site.sig))
      const operand = fromLocal ? get() : m.local.tee(slot, target, binaryen.i32)
      binaryen.CallIndirect.appendOperand(site.expr, marks.length ? m.block(null, [...marks, operand], binaryen.i32) : operand)
      binaryen.CallIndirect.setTarget(site.expr, clamped())
    } else {
      binaryen.CallIndirect.setTarget(
        site.expr,
        m.block(null, [...(fromLocal ? [] : [m.local.set(slot, target)]), ...marks, m.global.set(SLOT, get()), clamped()], binaryen.i32),
      )
    }
  })

  return {
    meta: {
      strategy: 'shadow',
      table: tableAccess(m, table),
      // Signatures as WireSigs (see signature.ts), in the order of k and t.
      sigs: kKeys.map(k => wireSig(known.get(k)!)),
      probeSigs: probeSigs.map(wireSig),
      siteSigs: tKeys.map(k => wireSig(siteSigs.get(k)!)),
      invalidate: INVALIDATE,
      // The module makes tail calls: adapters the runtime builds end in a tail call too.
      ...(tail ? { tailCalls: true as const } : {}),
      slotVia,
      ...(viaArgument ? {} : { slotGlobal: SLOT }),
      ...(diagnostics ? { siteGlobal: SITE, sites: sites.map(s => ({ f: s.func.displayName, i: s.func.index, n: s.ordinal, s: wireSig(s.sig) })) } : {}),
    },
    primed: wrapperOf.size,
    adapters: made.size,
    shadowTables: tKeys.length,
  }
}
