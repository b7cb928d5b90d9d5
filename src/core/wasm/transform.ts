/**
 * transformWasm: bytes in, bytes out. Rewrites the selected `call_indirect`
 * sites of an Emscripten (or any) module so that calls through function
 * pointers of another type are adapted instead of trapping, validates the
 * result, and reports what it did.
 *
 *   const { wasm, report } = transformWasm(bytes, { fileName: 'app.wasm' })
 *
 * By default binaryen sees only a skeleton of the input and the other bodies
 * are copied byte for byte around its output (copy/index.ts, `writer:
 * 'copy'`); `writer: 'binaryen'` passes the whole module through binaryen,
 * the reference both are tested against.
 *
 * The output imports nothing new: it exports a hooks table that the runtime
 * (`src/runtime`) fills right after instantiation, and the runtime keeps the
 * shadow tables in step with run-time table changes. A custom section
 * `fpcast_trampoline` carries what the runtime needs (the Meta of protocol.ts);
 * its presence makes a second transform a no-op.
 */
import { binaryen, type Module, tableType } from './binaryen.ts'
import { customSectionNames, plainTables } from './bytes.ts'
import { FpcastError } from '../errors.ts'
import { FORMAT_VERSION, type JsMeta, type Meta, SECTION, type ShadowMeta } from '../protocol.ts'
import { applyJs } from './strategies/js.ts'
import {
  defaultDispatchBudget,
  type ProgressEvent,
  type ResolvedFilter,
  type ResolvedTransformOptions,
  resolveOptions,
  type TransformOptions,
} from '../options.ts'
import { byteSites, type Lowering, planCopy, spliceCopy } from './copy/index.ts'
import { addStandIn, compactFunctions, compactScan } from './copy/compact.ts'
import { carryDebugInfo } from './debug/index.ts'
import { dropCustomSections, engineRejection, engineValidates, lastValidationErrors, quietlyValid, type ReadResult, readModule } from './read.ts'
import { type CallIndirectSite, listFunctions, scanModule, scanSites } from './scan.ts'
import { readSegments } from './segments.ts'
import { applyShadow } from './strategies/shadow/index.ts'
import { sigKey, sigText } from './signature.ts'

export { SECTION } from '../protocol.ts'

export interface TransformReport {
  file: string
  strategy: 'shadow' | 'js' | 'none'
  /** True when the input was already transformed and is returned as it was. */
  alreadyTransformed: boolean
  sites: { total: number; rewritten: number }
  /** Rewritten sites per call-site signature (Emscripten letters), with the readable form. */
  bySignature: { sig: string; text: string; sites: number }[]
  /** Rewritten sites per containing function (names from the name section or symbol map). */
  byFunction: { name: string; sites: number }[]
  /** How rewritten sites pass the slot index (shadow strategy). */
  slotVia?: 'argument' | 'global'
  /** Functions given the extra slot parameter (shadow strategy, slotVia 'argument'). */
  primedFunctions: number
  /** Generated functions of a call-site type: pass-throughs, adapters, traps and resolvers (shadow strategy). */
  adapters: number
  /** Shadow tables made, one per call-site signature (shadow strategy). */
  shadowTables: number
  /**
   * Adapters to a signature with many static functions that call them
   * directly through a br_table on the slot (`dispatchBudget`), of those
   * that could, and the code they were estimated to add (shadow strategy).
   */
  dispatch?: { chosen: number; wanted: number; bytes: number }
  size: { before: number; after: number }
  /**
   * Which writer made the output (TransformOptions.writer), and why the copy
   * writer left the module to binaryen when it did. With the copy writer,
   * what binaryen was given: `compact` (the functions it must see, and
   * stand-ins: copy/compact.ts) or `stubs` (a stub for every function:
   * copy/index.ts).
   */
  writer: { used: 'copy' | 'binaryen'; skeleton?: 'compact' | 'stubs'; declined?: string }
  /** Things done that the user should know of (e.g. debug sections dropped). */
  warnings: string[]
  timeMs: { read: number; rewrite: number; validate: number; write: number; total: number }
}

export interface TransformResult {
  wasm: Uint8Array
  report: TransformReport
  /** The source map of `wasm`, when `sourceMap` was given (unchanged when the module is returned as it was). */
  sourceMap?: string
  /** The separate DWARF file of `wasm`, when `debugFile` was given and could be rewritten (unchanged when the module is returned as it was). */
  debugFile?: Uint8Array
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`

function matches(filter: ResolvedFilter, site: CallIndirectSite): boolean {
  if (filter.empty) return false
  if (
    filter.functions.length &&
    !filter.functions.some(f => (typeof f === 'string' ? f === site.func.displayName || f === site.func.name : f.test(site.func.displayName)))
  )
    return false
  if (filter.signatures.size && !filter.signatures.has(sigKey(site.sig))) return false
  if (filter.sites.size && ![site.func.displayName, site.func.name, String(site.func.index)].some(n => filter.sites.has(`${n}#${site.ordinal}`))) return false
  return true
}

/**
 * Transforms one module (see the file's header). Every failure is an
 * FpcastError naming the file: one from binaryen itself (an abort, a stack
 * overflow in its reader or writer) says so, and means this thread's binaryen
 * instance may be unusable from now on (the bundler's pool replaces its
 * worker after any failure).
 */
export function transformWasm(input: Uint8Array, options: TransformOptions = {}): TransformResult {
  const file = options.fileName ?? '<wasm>'
  if (binaryenBroken)
    throw new FpcastError(
      `binaryen failed on an earlier module in this thread (${binaryenBroken}) and may be unusable; nothing was written. Restart the process (the bundler's worker pool replaces such a worker by itself)`,
      { file },
    )
  try {
    try {
      return transformUnguarded(input, options)
    } catch (e) {
      // The engine cannot judge the copy writer's output (CopyDeclined), or the copy writer failed on this
      // input (a bug, said in a warning): binaryen's writer, the reference, makes the output instead.
      if (!(e instanceof CopyDeclined || e instanceof CopyWriterError)) throw e
      const result = transformUnguarded(input, { ...options, writer: 'binaryen' })
      result.report.writer = { used: 'binaryen', declined: e instanceof CopyDeclined ? e.message : `the copy writer failed: ${e.message}` }
      if (e instanceof CopyWriterError)
        result.report.warnings.push(
          `the copy writer failed on this module (${e.message}), so binaryen's writer made the output (slower; the same behaviour). Please report it with the input`,
        )
      return result
    }
  } catch (e) {
    if (e instanceof FpcastError) throw e.file ? e : new FpcastError(e.reason, { file, cause: e })
    if (fromBinaryen(e)) binaryenBroken = `${file}: ${(e as Error).message.split('\n')[0]}`
    throw internalFailure(e, file)
  }
}

/**
 * Set once binaryen itself failed in this thread (a trap or abort inside its
 * wasm, a stack overflow): a binaryen.js instance is left corrupt by that,
 * and later modules would fail with misleading errors (or worse).
 */
let binaryenBroken: string | undefined

/** A failure of the copy writer's own code (copy/): transformWasm then uses binaryen's writer. */
class CopyWriterError extends Error {}

/**
 * The copy writer needs the engine to judge its output, so it needs an input
 * the engine validates. That is known only late (validating a 33 MB input
 * up front costs a tenth of the transform, and nearly every input passes):
 * the skeleton the engine rejects, or an output it rejects from an input it
 * rejects too, throws this, and transformWasm uses binaryen's writer.
 */
class CopyDeclined extends Error {}
const ENGINE_CANNOT_JUDGE = 'this engine does not validate the input'

/** Runs a step of the copy writer; an error of ours in it (not binaryen's, not an FpcastError about the input) becomes a CopyWriterError. */
function copyStep<T>(step: () => T): T {
  try {
    return step()
  } catch (e) {
    if (e instanceof FpcastError || fromBinaryen(e)) throw e
    throw new CopyWriterError(e instanceof Error ? e.message : String(e), { cause: e })
  }
}

/** Whether an error came out of binaryen.js's own wasm (a trap, an abort, a stack overflow) rather than from our code. */
function fromBinaryen(e: unknown): boolean {
  return e instanceof WebAssembly.RuntimeError || (e instanceof Error && /Maximum call stack size|Aborted\(/.test(e.message))
}

/** An error that escaped binaryen or our own code, as one line naming the file. */
function internalFailure(e: unknown, file: string): FpcastError {
  const said = e instanceof Error ? `${e.name}: ${e.message}` : String(e)
  const why = /call stack size/i.test(said)
    ? 'binaryen ran out of stack, most likely on expressions nested too deeply (thousands of blocks inside one another)'
    : 'binaryen or the transform failed unexpectedly'
  return new FpcastError(`${why} (${said.split('\n')[0]}); nothing was written. Please report it with the input if the module is valid`, { file, cause: e })
}

function transformUnguarded(input: Uint8Array, options: TransformOptions): TransformResult {
  const opts = resolveOptions(options)
  const file = opts.fileName
  const t0 = performance.now()
  const report = emptyReport(file, input.length)
  const progress = (phase: ProgressEvent['phase'], message: string) =>
    options.onProgress?.({ file, phase, message, inputBytes: input.length, elapsedMs: performance.now() - t0 })
  progress('start', `transforming (${(input.length / 1048576).toFixed(1)} MiB)`)
  // The copy-through writer (copy/index.ts) for the default strategy, on inputs the engine validates (it judges the output).
  const priming = opts.strategy !== 'js' && opts.slotVia === 'argument'
  const planned = opts.writer === 'copy' ? planFor(input, opts, priming) : undefined
  const plan = planned && !('declined' in planned) ? planned : undefined
  report.writer = plan
    ? { used: 'copy', skeleton: plan.compact ? 'compact' : 'stubs' }
    : { used: 'binaryen', ...(planned && 'declined' in planned ? { declined: planned.declined } : {}) }
  const read = plan ? readModule(plan.skeleton, file, true) : readModule(input, file)
  const m = read.module
  try {
    if (plan && !read.engineValid) throw new CopyDeclined(ENGINE_CANNOT_JUDGE)
    const t1 = performance.now()
    report.timeMs.read = t1 - t0
    // An input passed through as it is was judged as it is judged without the copy writer.
    const judgedAsItIs = () => {
      if (plan && !engineValidates(input)) throw new CopyDeclined(ENGINE_CANNOT_JUDGE)
    }
    if (read.customSections.includes(SECTION)) {
      judgedAsItIs()
      // Never twice: a second pass would rewrite our own adapters and shadow tables. Pass it through, and say so.
      report.alreadyTransformed = true
      report.warnings.push(
        `already transformed by fpcast-trampoline (it has a '${SECTION}' section): left byte for byte as it was, and this run's options were not applied; transform the original build instead to change them`,
      )
      report.timeMs.total = performance.now() - t0
      return { wasm: input, report, sourceMap: options.sourceMap, debugFile: options.debugFile }
    }
    // binaryen names functions by index when the copy writer kept the name section from it: the names come from the section.
    const fromSection = plan?.names?.functions
    const nameOf = (i: number) => opts.symbolMap.get(i) ?? fromSection?.get(i)
    // The compact skeleton holds none of the input's functions: they and the element segments are read from the bytes.
    const compact = plan?.compact
    const functions = compact ? compactFunctions(m, compact, plan.types, plan.functionTypes, nameOf) : listFunctions(m, nameOf)
    // Only priming (slotVia 'argument') needs direct calls, ref.func and, in
    // functions placed in a table, locals: the default scan skips them.
    const slotVia = opts.slotVia
    const scan = compact
      ? compactScan(m, compact, functions, file)
      : priming
        ? scanModule(m, functions, new Set(readSegments(m).flatMap(s => s.data)), file)
        : scanSites(m, functions, read.bytes, file)
    if (plan) scan.sites = inCodeOrder([...scan.sites, ...copyStep(() => byteSites(plan, m, functions))])
    report.sites.total = scan.sites.length
    progress('read', `read and scanned: ${scan.sites.length} call_indirect sites (${seconds(performance.now() - t0)})`)
    const selected = selectSites(m, scan.sites, opts)
    if (!selected.length) {
      judgedAsItIs()
      report.timeMs.total = performance.now() - t0
      return { wasm: input, report, sourceMap: options.sourceMap, debugFile: options.debugFile }
    }
    refuseUnsupportedTables(selected, file)
    // What the rewrite itself uses: tables and table.get/set/grow/size (reference types), saturating truncation to coerce.
    const added = binaryen.Features.ReferenceTypes | (opts.incompatible === 'coerce' ? binaryen.Features.NontrappingFPToInt : 0)
    m.setFeatures(read.features | added)
    let strategyMeta: ShadowMeta | JsMeta
    let lowering: Lowering | undefined
    if (opts.strategy === 'js') {
      strategyMeta = applyJs(m, selected).meta
    } else {
      const shadowOptions = {
        coerce: opts.incompatible === 'coerce',
        slotVia,
        diagnostics: opts.diagnostics,
        reorderTables: plainTables(input),
        dispatchBudget: opts.dispatchBudget ?? defaultDispatchBudget(input.length),
      }
      // The compact skeleton holds only the input functions the plan foresaw: others the adapters call come in as stand-ins.
      const callable = compact ? (name: string) => addStandIn(m, compact, Number(name), functions[Number(name)].sig) : undefined
      const r = applyShadow(m, scan, selected, shadowOptions, file, callable)
      lowering = r.lowering
      report.slotVia = slotVia
      strategyMeta = r.meta
      report.primedFunctions = r.primed
      report.adapters = r.adapters
      report.shadowTables = r.shadowTables
      report.dispatch = r.dispatch
    }
    report.strategy = opts.strategy
    const meta: Meta = { version: FORMAT_VERSION, ...strategyMeta, firstOwnFunction: functions.length }
    m.addCustomSection(SECTION, new TextEncoder().encode(JSON.stringify(meta)))
    const t2 = performance.now()
    report.timeMs.rewrite = t2 - t1
    progress('rewrite', `rewrote ${selected.length} sites (${seconds(t2 - t1)})`)
    const debug = {
      mode: opts.debugInfo,
      sourceMap: options.sourceMap,
      sourceMapUrl: options.sourceMapUrl,
      debugFile: options.debugFile,
      debugFileUrl: options.debugFileUrl,
    }
    const splice = plan && ((written: Uint8Array) => copyStep(() => spliceCopy(plan, written, m, lowering!)))
    const { wasm, sourceMap, debugFile } = validateAndWrite(read, added, report, input, debug, splice)
    progress('write', `validated and written: ${(wasm.length / 1048576).toFixed(1)} MiB (${seconds(performance.now() - t2)})`)
    countSites(report, selected)
    report.size.after = wasm.length
    report.timeMs.total = performance.now() - t0
    return { wasm, report, sourceMap, debugFile }
  } finally {
    disposeQuietly(m)
  }
}

/** The copy writer's plan, or why it leaves the module to binaryen (whether the engine can judge its output shows later: CopyDeclined). */
function planFor(input: Uint8Array, opts: ResolvedTransformOptions, priming: boolean): ReturnType<typeof planCopy> {
  if (opts.strategy === 'js') return { declined: 'the js strategy' }
  if (priming) return { declined: "slotVia 'argument'" }
  return copyStep(() => planCopy(input))
}

/** Sites ordered by function, then by their place in the code (binaryen's and the copy writer's come in separately). */
function inCodeOrder(sites: CallIndirectSite[]): CallIndirectSite[] {
  return sites.sort((a, b) => a.func.index - b.func.index || a.ordinal - b.ordinal)
}

/** The report of a module left as it was; the transform fills it in as it goes. Its keys keep this order in the JSON. */
function emptyReport(file: string, size: number): TransformReport {
  return {
    file,
    strategy: 'none',
    alreadyTransformed: false,
    sites: { total: 0, rewritten: 0 },
    bySignature: [],
    byFunction: [],
    primedFunctions: 0,
    adapters: 0,
    shadowTables: 0,
    size: { before: size, after: size },
    writer: { used: 'binaryen' },
    warnings: [],
    timeMs: { read: 0, rewrite: 0, validate: 0, write: 0, total: 0 },
  }
}

/** The sites the options select, on funcref tables. */
function selectSites(m: Module, sites: CallIndirectSite[], opts: ResolvedTransformOptions): CallIndirectSite[] {
  const funcrefTables = new Set<string>()
  for (let i = 0; i < m.getNumTables(); i++) {
    const name = binaryen.getTableInfo(m.getTableByIndex(i)).name
    if (tableType(m, name) === binaryen.funcref) funcrefTables.add(name)
  }
  const inProfile = (s: CallIndirectSite) => opts.profileSites!.has(`${s.func.index}#${s.ordinal}`)
  return sites.filter(
    s =>
      funcrefTables.has(s.table) &&
      (!opts.include || matches(opts.include, s)) &&
      !(opts.exclude && matches(opts.exclude, s)) &&
      (!opts.profileSites || opts.safetyNet || inProfile(s)),
  )
}

/** One call table: the shadows (and the js strategy's runtime) follow one. Emscripten output has one. And no table64 yet. */
function refuseUnsupportedTables(selected: CallIndirectSite[], file: string): void {
  const callTables = [...new Set(selected.map(s => s.table))]
  if (callTables.length > 1)
    throw new FpcastError(
      `call sites use ${callTables.length} tables; one call table is supported (Emscripten output has one: was this module merged from several, or hand-written?), nothing was written`,
      { file },
    )
  // (Sites outside binaryen have none: the copy writer declines modules with a 64-bit table.)
  const table64 = selected.find(s => s.expr && binaryen.getExpressionType(binaryen.CallIndirect.getTarget(s.expr)) === binaryen.i64)
  if (table64)
    throw new FpcastError(
      `function ${table64.func.displayName} calls through a 64-bit table (table64, as -sMEMORY64=1 builds); such call tables are not supported yet, nothing was written`,
      { file },
    )
}

/**
 * Validates the rewritten module (binaryen judges an input the engine could
 * not, the engine judges the bytes of one it validated) and writes it, with
 * the features the input declared plus `added`, its name section kept and
 * debug info carried (debug/index.ts). Fills the report's times and warnings.
 */
function validateAndWrite(
  read: ReadResult,
  added: number,
  report: TransformReport,
  input: Uint8Array,
  debug: Parameters<typeof carryDebugInfo>[2],
  splice: ((written: Uint8Array) => Uint8Array) | undefined,
): { wasm: Uint8Array; sourceMap?: string; debugFile?: Uint8Array } {
  const { module: m, declared, engineValid } = read
  const file = report.file
  const t2 = performance.now()
  const invalid = (said: string) =>
    new FpcastError(`internal error: the rewritten module does not validate; nothing was written. Please report it with the input. ${said.slice(0, 2000)}`, {
      file,
    })
  // An input the engine could not judge is judged by binaryen, before writing.
  if (!engineValid && !quietlyValid(m)) throw invalid(`binaryen said: ${lastValidationErrors.slice(0, 5).join(' | ')}`)
  const t3 = performance.now()
  report.timeMs.validate = t3 - t2
  // Declare exactly what the input declared plus what we added, not what binaryen assumed to validate.
  if (declared !== undefined) m.setFeatures(declared | added)
  // Keep the name section when there was one (binaryen drops it unless asked).
  const debugInfo = binaryen.getDebugInfo()
  binaryen.setDebugInfo(customSectionNames(input).includes('name'))
  let wasm: Uint8Array
  try {
    wasm = m.emitBinary()
  } finally {
    binaryen.setDebugInfo(debugInfo)
  }
  // The copy-through writer puts back what binaryen did not see.
  if (splice) wasm = splice(wasm)
  // Debug info: DWARF, a given source map and a given DWARF file rewritten (debug/index.ts).
  const carried = carryDebugInfo(input, wasm, debug, dropCustomSections)
  wasm = carried.wasm
  report.warnings.push(...carried.warnings)
  // An input the engine validated: the engine validates the bytes we ship.
  const t4 = performance.now()
  if (engineValid && !engineValidates(wasm)) {
    if (splice)
      throw engineValidates(input) ? new CopyWriterError(`its output does not validate: ${engineRejection(wasm)}`) : new CopyDeclined(ENGINE_CANNOT_JUDGE)
    throw invalid(`The engine said: ${engineRejection(wasm)}; binaryen said: ${quietlyValid(m) ? 'valid' : lastValidationErrors.slice(0, 5).join(' | ')}`)
  }
  report.timeMs.validate += performance.now() - t4
  report.timeMs.write = t4 - t3
  return { wasm, sourceMap: carried.sourceMap, debugFile: carried.debugFile }
}

/** The rewritten sites, per signature and per function, most first. */
function countSites(report: TransformReport, selected: CallIndirectSite[]): void {
  report.sites.rewritten = selected.length
  const bySig = new Map<string, { sig: string; text: string; sites: number }>()
  const byFn = new Map<string, number>()
  for (const s of selected) {
    const key = sigKey(s.sig)
    const row = bySig.get(key) ?? { sig: key, text: sigText(s.sig), sites: 0 }
    row.sites++
    bySig.set(key, row)
    byFn.set(s.func.displayName, (byFn.get(s.func.displayName) ?? 0) + 1)
  }
  report.bySignature = [...bySig.values()].sort((a, b) => b.sites - a.sites)
  report.byFunction = [...byFn].map(([name, sites]) => ({ name, sites })).sort((a, b) => b.sites - a.sites)
}

/** Frees the module; after a binaryen abort that may fail too, and must not hide the first error. */
function disposeQuietly(m: Module): void {
  try {
    m.dispose()
  } catch {
    // binaryen is already broken: the error being thrown says why.
  }
}
