/**
 * One pass over the function bodies that finds what the rewrite needs:
 * the `call_indirect` sites, direct calls and `ref.func` (to redirect them
 * when a callee is re-typed), local accesses (to renumber them), and table
 * sets inside wasm (which must reach the shadow tables too). Without
 * priming, only the bodies the code-section pre-scan (code-scan.ts) picks
 * are walked.
 */
import { binaryen, type Module, sigOf } from './binaryen.ts'
import { scanCode } from './code-scan.ts'
import { FpcastError } from '../errors.ts'
import type { Segment } from './segments.ts'
import type { Sig } from './signature.ts'
import { expressionKindName, walk } from './walk.ts'

export interface FunctionEntry {
  /** binaryen's internal name. */
  name: string
  /** Index in the wasm function index space. */
  index: number
  ref: number
  sig: Sig
  imported: boolean
  /** Name to show people: symbol map, else name section, else `wasm-function[index]`. */
  displayName: string
}

export interface CallIndirectSite {
  /** The binaryen expression; 0 for a site the copy-through writer rewrites in the bytes (copy/). */
  expr: number
  func: FunctionEntry
  /** Position among the function's sites, in the order of the binary's instructions (operands before the call). */
  ordinal: number
  table: string
  sig: Sig
  isReturn: boolean
}

export interface ScanResult {
  functions: FunctionEntry[]
  /** Functions by binaryen's name (a Map, or the compact path's view by index: copy/compact.ts). */
  byName: { get(name: string): FunctionEntry | undefined }
  sites: CallIndirectSite[]
  /** Direct `call`/`return_call` expressions by callee name. */
  calls: Map<string, number[]>
  /** `ref.func` expressions by function name. */
  refFuncs: Map<string, number[]>
  /** `local.get/set/tee` expressions per function name (only for functions in `wantLocals`). */
  locals: Map<string, number[]>
  /** In-wasm `table.set` expressions, with their table and the function that holds each. */
  tableSets: { expr: number; table: string; func: FunctionEntry }[]
  /** In-wasm `table.grow` expressions, likewise. */
  tableGrows: { expr: number; table: string; func: FunctionEntry }[]
  /** Expressions binaryen.js cannot look into, by function. */
  opaque: { func: string; kind: string }[]
  /** The element segments, when binaryen did not read them (copy/compact.ts); else the strategy reads the module's. */
  segments?: Segment[]
}

/**
 * Every function of the module. `nameOf` gives a function's name to show
 * (a symbol map's, or the name section's when binaryen did not read it);
 * it is asked only for the names that are shown (see FunctionRecord).
 */
export function listFunctions(m: Module, nameOf: (index: number) => string | undefined): FunctionEntry[] {
  const out: FunctionEntry[] = []
  const n = m.getNumFunctions()
  // One Sig object per signature: fewer binaryen calls, and sigKey caches per object.
  const sigs = new Map<string, Sig>()
  for (let i = 0; i < n; i++) {
    const ref = m.getFunctionByIndex(i)
    const info = binaryen.getFunctionInfo(ref)
    const key = `${info.params},${info.results}`
    let sig = sigs.get(key)
    if (!sig) sigs.set(key, (sig = sigOf(info.params, info.results, `function ${displayNameOf(info.name, i, nameOf)}`)))
    out.push(new FunctionRecord(info.name, i, ref, sig, !!info.module, nameOf))
  }
  return out
}

/** A FunctionEntry whose display name is made when first shown (a module has tens of thousands of functions; a report names a few). */
export class FunctionRecord implements FunctionEntry {
  private shown: string | undefined
  constructor(
    readonly name: string,
    readonly index: number,
    readonly ref: number,
    readonly sig: Sig,
    readonly imported: boolean,
    private readonly nameOf: (index: number) => string | undefined,
  ) {}
  get displayName(): string {
    this.shown ??= displayNameOf(this.name, this.index, this.nameOf)
    return this.shown
  }
}

/** Name to show people: `nameOf`'s, else binaryen's from the name section (it names the others by index), else `wasm-function[index]`. */
function displayNameOf(name: string, index: number, nameOf: (index: number) => string | undefined): string {
  return nameOf(index) ?? (/^\d+$/.test(name) ? `wasm-function[${index}]` : name)
}

/**
 * `priming`: the functions whose locals to collect (those placed in a
 * table); given, direct calls and ref.func are collected too. Without it
 * (the default slotVia), those expressions are only walked past.
 * `only`: walk just the bodies it accepts (see code-scan.ts).
 */
export function scanModule(
  m: Module,
  functions: FunctionEntry[],
  priming: Set<string> | undefined,
  fileName: string,
  only?: (func: FunctionEntry) => boolean,
): ScanResult {
  const byName = new Map(functions.map(f => [f.name, f]))
  const result: ScanResult = {
    functions,
    byName,
    sites: [],
    calls: new Map(),
    refFuncs: new Map(),
    locals: new Map(),
    tableSets: [],
    tableGrows: [],
    opaque: [],
  }
  const push = (map: Map<string, number[]>, key: string, expr: number) => {
    const list = map.get(key)
    if (list) list.push(expr)
    else map.set(key, [expr])
  }
  // Expression ids as locals: binaryen's module object is too big for fast property reads, and this runs per expression.
  const { CallIndirectId, TableSetId, TableGrowId } = binaryen
  // -1 matches no expression: ids that only priming needs.
  const { CallId, RefFuncId, LocalGetId, LocalSetId } = priming ? binaryen : { CallId: -1, RefFuncId: -1, LocalGetId: -1, LocalSetId: -1 }
  // A site is recorded once its operands are walked: in code order, as the copy writer numbers its own.
  const leaveSite = (func: FunctionEntry, expr: number, ordinal: number) => {
    const sig = sigOf(binaryen.CallIndirect.getParams(expr), binaryen.CallIndirect.getResults(expr), `a call_indirect in ${func.displayName}`)
    result.sites.push({ expr, func, ordinal, table: binaryen.CallIndirect.getTable(expr), sig, isReturn: !!binaryen.CallIndirect.isReturn(expr) })
  }
  const visitExpr = (func: FunctionEntry | undefined, expr: number, id: number) => {
    switch (id) {
      case CallId:
        push(result.calls, binaryen.Call.getTarget(expr), expr)
        break
      case RefFuncId:
        push(result.refFuncs, binaryen.RefFunc.getFunc(expr), expr)
        break
      case LocalGetId:
      case LocalSetId:
        if (func && priming!.has(func.name)) push(result.locals, func.name, expr)
        break
      case TableSetId:
        if (func) result.tableSets.push({ expr, table: binaryen.TableSet.getTable(expr), func })
        break
      case TableGrowId:
        if (func) result.tableGrows.push({ expr, table: binaryen.TableGrow.getTable(expr), func })
        break
    }
  }
  for (const func of functions) {
    if (func.imported || (only && !only(func))) continue
    const body = binaryen._BinaryenFunctionGetBody(func.ref)
    if (!body) continue
    let ordinal = 0
    walk(
      body,
      (expr, id) => visitExpr(func, expr, id),
      (_e, id) => result.opaque.push({ func: func.displayName, kind: expressionKindName(id) }),
      CallIndirectId,
      expr => leaveSite(func, expr, ordinal++),
    )
  }
  // ref.func can also stand in global initialisers (only priming looks for it).
  const nGlobals = priming ? m.getNumGlobals() : 0
  for (let i = 0; i < nGlobals; i++) {
    const init = binaryen.getGlobalInfo(m.getGlobalByIndex(i)).init
    if (init)
      walk(
        init,
        (expr, id) => visitExpr(undefined, expr, id),
        () => {},
      )
  }
  if (result.opaque.length) throw opaqueError(result.opaque, fileName)
  return result
}

/** Expressions binaryen.js cannot look into could hide call sites: the module is refused, with what to do. */
function opaqueError(opaque: ScanResult['opaque'], fileName: string): FpcastError {
  const first = opaque[0]
  const hint = /^Table(Fill|Copy|Init)$/.test(first.kind)
    ? `table.fill, table.copy and table.init inside wasm are not supported (a change to the call table would go unseen); LLVM and Emscripten do not emit them`
    : `Build without the feature that produces it (for exnref's try_table: legacy exception handling, Emscripten's -sWASM_LEGACY_EXCEPTIONS=1)`
  return new FpcastError(
    `function ${first.func} contains '${first.kind}', which this version cannot look inside (${opaque.length} such expression(s) in all); call sites there could be missed, so nothing was written. ${hint}`,
    { file: fileName },
  )
}

/**
 * The default scan: binaryen walks only the bodies the code-section
 * pre-scan says may hold call sites or table writes, and every walked body
 * must hold as many call_indirect as the pre-scan counted; otherwise (or when
 * the pre-scan cannot map bodies to functions) every body is walked.
 */
export function scanSites(m: Module, functions: FunctionEntry[], input: Uint8Array, file: string): ScanResult {
  const code = scanCode(input)
  const imported = functions.filter(f => f.imported).length
  const mapped = !!code && code.bodies === functions.length - imported && functions.every((f, i) => f.index === i && f.imported === i < imported)
  if (!code || !mapped) return scanModule(m, functions, undefined, file)
  const body = (f: FunctionEntry) => f.index - imported
  const scan = scanModule(m, functions, undefined, file, f => code.walk[body(f)] === 1 || code.callIndirects[body(f)] !== 0)
  const found = new Map<FunctionEntry, number>()
  for (const site of scan.sites) found.set(site.func, (found.get(site.func) ?? 0) + 1)
  const agrees = functions.every(f => f.imported || code.callIndirects[body(f)] < 0 || code.callIndirects[body(f)] === (found.get(f) ?? 0))
  return agrees ? scan : scanModule(m, functions, undefined, file)
}
