/**
 * The copy-through writer: the transform without passing the whole module
 * through binaryen. binaryen's read and write cost the most of a transform
 * (Pyodide: 2.7 s of 3.6), yet the rewrite changes only the bodies with
 * call sites and appends its own functions, tables, globals and exports.
 *
 *   const plan = planCopy(input)                 // a skeleton for binaryen
 *   ...read plan.skeleton, scan, add byteSites(plan, ...), applyShadow...
 *   const wasm = spliceCopy(plan, binaryenOutput, module, lowering)
 *
 * The skeleton is the input with what binaryen need not see left out: the
 * bodies of the functions the code pre-scan (code-scan.ts) classes COPY or
 * REWRITE become `unreachable` (keeping their local declarations when the
 * name section names locals, so those names stay in range), data segments
 * lose their bytes, and function exports are dropped (the rewrite looks at
 * table exports only; 10,000 exports cost binaryen more than 17,000 stubs).
 * binaryen reads the skeleton, the shadow strategy adds its part as it
 * always does, and binaryen writes it. Because binaryen keeps the order of
 * functions, globals and data segments and appends what the strategy adds,
 * nothing the copied bodies name moves; the splice then puts back, around
 * binaryen's output:
 *   - COPY bodies byte for byte;
 *   - REWRITE bodies copied with their call_indirect sites lowered here
 *     (the same instructions sites.ts builds for binaryen's bodies, read
 *     from `lowering`), other call_indirect and type-naming block types given
 *     the type and table indices of binaryen's output (it renumbers types by
 *     use, and a shadow may take table 0), and one i32 local appended for the
 *     index when a site needs it; types binaryen did not write (used only by
 *     bodies it did not see) are appended to the type section;
 *   - the data section and the function exports as they were;
 *   - the name section: when it holds only what Emscripten writes it was
 *     left out of the skeleton (BYPASSED_NAMES) and comes back whole, with
 *     binaryen's names for what the rewrite added; otherwise binaryen's,
 *     with the input's local names for the bodies binaryen did not see.
 * KEEP bodies (what binaryen must see: unknown opcodes, table writes, ref.func
 * and the like) stay in the skeleton, and binaryen's output holds them
 * rewritten as before.
 *
 * planCopy declines (and the transform goes through binaryen whole) for
 * what it does not know: types other than plain function types, tables
 * other than plain 32-bit funcref or externref ones (bytes.ts: plainTables),
 * a code section the pre-scan cannot read, odd data segments.
 *
 * What is left of binaryen's cost is per function (it still reads and writes
 * a stub for each: about 20 µs each before its code tiers up) and per
 * export or segment it must see; the splice itself copies each byte once.
 * Sites are numbered in code order (operands first), as scan.ts numbers
 * binaryen's, so filters, profiles and diagnostics name the same site
 * whichever writer made the output.
 */
import { binaryen, type Module } from '../binaryen.ts'
import { BodyClass, PATCH_BLOCK_TYPE, PATCH_CALL, scanCode } from '../code-scan.ts'
import { customSectionBytes, customSectionName, plainTables, readU32, type Section, sections, skipLeb, writeI32, writeS33, writeU32 } from '../bytes.ts'
import type { CallIndirectSite, FunctionEntry } from '../scan.ts'
import {
  type Body,
  emptiedData,
  type Export,
  exportEntry,
  type FuncType,
  localDecls,
  Pieces,
  readBodies,
  readExports,
  readFunctionTypes,
  readFuncTypes,
  NameMap,
  readNameEntries,
  readSubsections,
  type Subsection,
  segmentCount,
} from './sections.ts'

export interface CopyPlan {
  input: Uint8Array
  /** What binaryen reads (see the file's header). */
  skeleton: Uint8Array
  /** Per body: its BodyClass. */
  classes: Uint8Array
  bodies: Body[]
  types: FuncType[]
  /** The type index of each defined function. */
  functionTypes: number[]
  importedFunctions: number
  exports: Export[]
  /** The data section was emptied in the skeleton. */
  dataEmptied: boolean
  /** REWRITE bodies' patch places (code-scan.ts), by body index. */
  patches: Map<number, number[]>
  /** Their call sites in code order, by body index (byteSites fills it). */
  sites: Map<number, CallIndirectSite[]>
  /** binaryen's name of each table index of the input (byteSites fills it). */
  tableNames: string[]
  /** The subsections of the input's name section (none without one). */
  nameSubsections: Subsection[]
  /** When binaryen was not given the name section (see BYPASSED_NAMES): its function names, for reports and filters. */
  names?: { functions: NameMap | undefined }
}

/**
 * Name subsections the splice can put back without binaryen (module,
 * function, local, global and data segment names: what Emscripten writes):
 * their indices do not move. A name section with others (table names: a
 * shadow may take table 0; type names: binaryen renumbers types) is given to
 * binaryen as before. binaryen spends as long on z3-solver's 4.9 MB of
 * names as on its 39,000 stubs.
 */
const BYPASSED_NAMES = new Set([0, 1, 2, 7, 9])

/** How a site the splice lowers is rewritten: sites.ts says what for binaryen's. */
export interface SiteLowering {
  /** The site's number (diagnostics). */
  id: number
  /** The shadow table it calls through. */
  table: string
  /** The global holding its shadow's bound, when the index is clamped (a shadow that is not full). */
  bound?: string
}

export interface Lowering {
  sites: Map<CallIndirectSite, SiteLowering>
  slotGlobal: string
  /** With diagnostics: the global the site's number goes to. */
  siteGlobal?: string
}

/** The plan for an input, or why the copy-through writer leaves it to binaryen. */
export function planCopy(input: Uint8Array): CopyPlan | { declined: string } {
  const all = sections(input)
  const find = (id: number) => all.find(s => s.id === id)
  const code = find(10)
  if (!code) return { declined: 'no code section' }
  const patches = new Map<number, number[]>()
  const scan = scanCode(input, patches)
  if (!scan) return { declined: 'the code section could not be read' }
  const types = readFuncTypes(input, find(1))
  if (!types) return { declined: 'types other than function types' }
  const imports = readImports(input, find(2))
  if (!imports) return { declined: 'an import it cannot read' }
  if (imports.table64 || !plainTables(input)) return { declined: 'a table other than a plain 32-bit funcref or externref table' }
  const functionTypes = readFunctionTypes(input, find(3))
  if (functionTypes.length !== scan.bodies) return { declined: 'the function and code sections disagree' }
  const bodies = readBodies(input, code)
  const data = find(11)
  const emptied = data && emptiedData(input, data)
  if (data && !emptied) return { declined: 'a data segment it cannot read' }
  const exports = readExports(input, find(7))
  const nameSection = all.find(s => s.id === 0 && customSectionName(input, s) === 'name')
  const subsections = nameSection ? readSubsections(input, skipLeb(input, nameSection.start) + readU32(input, nameSection.start), nameSection.end) : []
  // Local names of a body binaryen rewrites would need its renumbering: then binaryen reads the names.
  const bypass =
    !!nameSection && subsections.every(x => BYPASSED_NAMES.has(x.id)) && !(subsections.some(x => x.id === 2) && scan.classes.includes(BodyClass.KEEP))
  // Stubs keep their local declarations only where binaryen reads local names (so they stay in range).
  const localNames = !bypass && subsections.some(x => x.id === 2)
  const skeleton = new Pieces().push(input.subarray(0, 8))
  let dwarf = false
  for (const s of all) {
    if (s === nameSection && bypass) continue
    // DWARF never goes through binaryen (debug/dwarf/ rewrites it from the input): one empty
    // section stands for it, so that binaryen keeps the kept bodies' locals in their order.
    if (s.id === 0 && customSectionName(input, s).startsWith('.debug_')) {
      if (!dwarf) skeleton.push(DWARF_PLACEHOLDER)
      dwarf = true
      continue
    }
    if (s.id === 10) skeleton.section(10, stubbedCode(input, bodies, scan.classes, localNames))
    else if (s.id === 11 && emptied) skeleton.section(11, emptied)
    else if (s.id === 7) {
      const kept = exports.filter(e => e.kind !== 0)
      skeleton.section(7, new Pieces().push(writeU32(kept.length)).pushAll(kept.map(e => e.bytes)))
    } else skeleton.push(input.subarray(s.at, s.end))
  }
  return {
    input,
    skeleton: skeleton.join(),
    classes: scan.classes,
    bodies,
    types,
    functionTypes,
    importedFunctions: imports.functions,
    exports,
    dataEmptied: !!emptied,
    patches,
    sites: new Map(),
    tableNames: [],
    nameSubsections: subsections,
    ...(bypass ? { names: { functions: functionNames(input, subsections) } } : {}),
  }
}

/** An empty `.debug_info` custom section. */
const DWARF_PLACEHOLDER = customSectionBytes('.debug_info', new Uint8Array(0))

/** The function names of a name section's subsection 1, by index. */
function functionNames(input: Uint8Array, subsections: Subsection[]): NameMap | undefined {
  const sub = subsections.find(x => x.id === 1)
  return sub && new NameMap(input, sub)
}

/** The code section with COPY and REWRITE bodies reduced to `unreachable` (and their local declarations, with `locals`). */
function stubbedCode(input: Uint8Array, bodies: Body[], classes: Uint8Array, locals: boolean): Pieces {
  const out = new Pieces().push(writeU32(bodies.length))
  const bare = Uint8Array.of(3, 0, 0x00, 0x0b)
  for (let i = 0; i < bodies.length; i++) {
    const b = bodies[i]
    if (classes[i] === BodyClass.KEEP) out.push(input.subarray(b.at, b.end))
    else if (!locals) out.push(bare)
    else {
      const declEnd = localDecls(input, b.start).end
      out.push(writeU32(declEnd - b.start + 2), input.subarray(b.start, declEnd), [0x00, 0x0b])
    }
  }
  return out
}

/**
 * The call sites of the REWRITE bodies, as sites without an expression,
 * numbered in code order like scan.ts numbers binaryen's. `m` is the
 * skeleton as binaryen read it, before any change: its table order is the
 * input's.
 */
export function byteSites(plan: CopyPlan, m: Module, functions: FunctionEntry[]): CallIndirectSite[] {
  plan.tableNames = Array.from({ length: m.getNumTables() }, (_, i) => binaryen.getTableInfo(m.getTableByIndex(i)).name)
  const out: CallIndirectSite[] = []
  for (const [i, found] of plan.patches) {
    const func = functions[plan.importedFunctions + i]
    const mine: CallIndirectSite[] = []
    for (let k = 0; k < found.length; k += found[k] === PATCH_CALL ? 5 : 4) {
      if (found[k] !== PATCH_CALL) continue
      const type = plan.types[found[k + 3] >> 1]
      const table = plan.tableNames[found[k + 4]]
      if (!type || table === undefined)
        throw new Error(`body ${i}: a call_indirect names type ${found[k + 3] >> 1} or table ${found[k + 4]}, which the module lacks`)
      mine.push({ expr: 0, func, ordinal: mine.length, table, sig: type.sig, isReturn: (found[k + 3] & 1) === 1 })
    }
    plan.sites.set(i, mine)
    out.push(...mine)
  }
  return out
}

/**
 * The output: binaryen's `written` skeleton with the input's bodies, data,
 * function exports and local names put back (see the file's header). `m` is
 * the module binaryen wrote, for the indices of what `lowering` names.
 */
export function spliceCopy(plan: CopyPlan, written: Uint8Array, m: Module, lowering: Lowering): Uint8Array {
  const { input } = plan
  const out = sections(written)
  const inputSections = sections(input)
  const find = (list: Section[], id: number) => list.find(s => s.id === id)
  const types = readFuncTypes(written, find(out, 1))
  if (!types) throw new Error('binaryen wrote types other than function types')
  const typeIndex = new Map<string, number>()
  types.forEach((t, i) => {
    if (!typeIndex.has(t.key)) typeIndex.set(t.key, i)
  })
  const appended: Uint8Array[] = []
  const newType = (old: number): number => {
    const t = plan.types[old]
    let index = typeIndex.get(t.key)
    if (index === undefined) {
      typeIndex.set(t.key, (index = types.length + appended.length))
      appended.push(t.bytes)
    }
    return index
  }
  const tables = indexSpace(m, 'table')
  const globals = indexSpace(m, 'global')
  const indexOf = (space: Map<string, number>, name: string) => {
    const index = space.get(name)
    if (index === undefined) throw new Error(`the output has no ${name}`)
    return index
  }
  const lowered = {
    newType,
    oldTable: (old: number) => indexOf(tables, plan.tableNames[old]),
    table: (name: string) => indexOf(tables, name),
    global: (name: string) => indexOf(globals, name),
    lowering,
  }
  const code = splicedCode(plan, written, find(out, 10)!, lowered)
  const output = new Pieces().push(written.subarray(0, 8))
  let namesWritten = false
  for (const s of out) {
    if (s.id === 1)
      output.section(1, new Pieces().push(writeU32(types.length + appended.length), written.subarray(skipLeb(written, s.start), s.end)).pushAll(appended))
    else if (s.id === 7) output.section(7, splicedExports(plan, readExports(written, s)))
    else if (s.id === 10) output.section(10, code)
    else if (s.id === 11 && plan.dataEmptied) {
      const data = find(inputSections, 11)!
      if (segmentCount(written, s) !== segmentCount(input, data)) throw new Error('binaryen wrote another number of data segments')
      output.push(input.subarray(data.at, data.end))
    } else if (s.id === 0 && customSectionName(written, s) === 'name') {
      output.section(0, plan.names ? mergedNames(plan, written, s) : splicedNames(plan, written, s))
      namesWritten = true
    } else output.push(written.subarray(s.at, s.end))
  }
  if (plan.names && !namesWritten) output.section(0, mergedNames(plan, written, undefined))
  if (appended.length && !find(out, 1)) throw new Error('binaryen wrote no type section')
  return output.join()
}

/** Where binaryen puts each table or global: imports first, then the module's own, each in the module's order. */
function indexSpace(m: Module, kind: 'table' | 'global'): Map<string, number> {
  const n = kind === 'table' ? m.getNumTables() : m.getNumGlobals()
  const infos = Array.from({ length: n }, (_, i) =>
    kind === 'table' ? binaryen.getTableInfo(m.getTableByIndex(i)) : binaryen.getGlobalInfo(m.getGlobalByIndex(i)),
  )
  const ordered = [...infos.filter(t => t.module), ...infos.filter(t => !t.module)]
  return new Map(ordered.map((t, i) => [t.name, i]))
}

interface Lowered {
  newType: (old: number) => number
  oldTable: (old: number) => number
  table: (name: string) => number
  global: (name: string) => number
  lowering: Lowering
}

function splicedCode(plan: CopyPlan, written: Uint8Array, code: Section, lowered: Lowered): Pieces {
  const { input } = plan
  const mine = readBodies(written, code)
  if (mine.length < plan.bodies.length) throw new Error(`binaryen wrote ${mine.length} bodies for the input's ${plan.bodies.length}`)
  const out = new Pieces().push(writeU32(mine.length))
  // A run of COPY bodies is one piece: they lie side by side in the input.
  let runStart = -1,
    runEnd = -1
  const endRun = () => {
    if (runStart >= 0) out.push(input.subarray(runStart, runEnd))
    runStart = -1
  }
  for (let i = 0; i < mine.length; i++) {
    const b = mine[i]
    const cls = i < plan.bodies.length ? plan.classes[i] : BodyClass.KEEP
    if (cls === BodyClass.KEEP) {
      endRun()
      out.push(written.subarray(b.at, b.end))
      continue
    }
    // The stub binaryen wrote back: local declarations, unreachable, end.
    const declEnd = localDecls(written, b.start).end
    if (b.end - declEnd !== 2 || written[declEnd] !== 0x00) throw new Error(`body ${i} is not the stub the skeleton gave binaryen`)
    const o = plan.bodies[i]
    if (cls === BodyClass.COPY) {
      if (runStart < 0) runStart = o.at
      runEnd = o.end
    } else {
      endRun()
      const body = rewrittenBody(plan, i, lowered)
      out.push(writeU32(body.length))
      for (const piece of body.parts) out.push(piece)
    }
  }
  endRun()
  return out
}

/**
 * A REWRITE body: the input's bytes with each patch place re-encoded.
 * Selected sites become, as sites.ts builds them (s: a fresh i32 local):
 *   [i32.const id; global.set $site]   (diagnostics)
 *   local.tee s; global.set $slot; local.get s
 *   [local.get s; global.get $bound; i32.sub; i32.const 31; i32.shr_s; i32.and]   (a shadow that is not full: the clamp)
 *   call_indirect $shadow (type T)
 */
function rewrittenBody(plan: CopyPlan, i: number, lowered: Lowered): Pieces {
  const { input } = plan
  const o = plan.bodies[i]
  const found = plan.patches.get(i)!
  const sites = plan.sites.get(i) ?? []
  const { lowering } = lowered
  const decl = localDecls(input, o.start)
  const needsLocal = sites.some(s => lowering.sites.has(s))
  const scratch = plan.types[plan.functionTypes[i]].sig.params.length + decl.locals
  const out = needsLocal
    ? new Pieces().push(writeU32(decl.groups + 1), input.subarray(skipLeb(input, o.start), decl.end), [1, 0x7f])
    : new Pieces().push(input.subarray(o.start, decl.end))
  let p = decl.end
  let ordinal = 0
  for (let k = 0; k < found.length; k += found[k] === PATCH_CALL ? 5 : 4) {
    const start = found[k + 1],
      value = found[k + 3]
    out.push(input.subarray(p, start))
    p = found[k + 2]
    if (found[k] === PATCH_BLOCK_TYPE) {
      out.push(writeS33(lowered.newType(value)))
      continue
    }
    const op = value & 1 ? 0x13 : 0x11
    const type = writeU32(lowered.newType(value >> 1))
    const site = sites[ordinal++]
    const how = site && lowering.sites.get(site)
    if (!how) {
      out.push([op, ...type, ...writeU32(lowered.oldTable(found[k + 4]))])
      continue
    }
    const s = writeU32(scratch)
    const seq: number[] = []
    if (lowering.siteGlobal !== undefined) seq.push(0x41, ...writeI32(how.id), 0x24, ...writeU32(lowered.global(lowering.siteGlobal)))
    seq.push(0x22, ...s, 0x24, ...writeU32(lowered.global(lowering.slotGlobal)), 0x20, ...s)
    if (how.bound !== undefined) seq.push(0x20, ...s, 0x23, ...writeU32(lowered.global(how.bound)), 0x6b, 0x41, 31, 0x75, 0x71)
    seq.push(op, ...type, ...writeU32(lowered.table(how.table)))
    out.push(seq)
  }
  out.push(input.subarray(p, o.end))
  return out
}

/** The input's exports in their order (function exports as they were, the others at binaryen's indices), then the ones the rewrite added. */
function splicedExports(plan: CopyPlan, mine: Export[]): Pieces {
  // binaryen saw the input's exports other than functions, and adds its own (functions among them).
  const byName = new Map(mine.map(e => [e.kind === 0 ? new TextDecoder().decode(nameOf(e)) : e.name, e]))
  const entries: Uint8Array[] = []
  for (const e of plan.exports) {
    if (e.kind === 0) {
      entries.push(e.bytes)
      continue
    }
    const now = byName.get(e.name)
    if (!now || now.kind !== e.kind) throw new Error(`binaryen's output lost the export ${e.name}`)
    entries.push(exportEntry(e, now.index))
  }
  const had = new Set(plan.exports.filter(e => e.kind !== 0).map(e => e.name))
  for (const [name, e] of byName) if (!had.has(name)) entries.push(e.bytes)
  return new Pieces().push(writeU32(entries.length)).pushAll(entries)
}

/** An export's name bytes. */
const nameOf = (e: Export) => e.bytes.subarray(skipLeb(e.bytes, 0), skipLeb(e.bytes, 0) + readU32(e.bytes, 0))

/** binaryen's name section with the input's local names for the bodies binaryen did not see (it may renumber locals; we do not). */
function splicedNames(plan: CopyPlan, written: Uint8Array, s: Section): Pieces {
  const nameStart = skipLeb(written, s.start) + readU32(written, s.start)
  const subs = readSubsections(written, nameStart, s.end)
  const inputLocals = plan.nameSubsections.find(x => x.id === 2)
  const theirs = inputLocals ? readNameEntries(plan.input, inputLocals) : new Map<number, Uint8Array>()
  const out = new Pieces().push(written.subarray(s.start, nameStart))
  const withLocals = subs.some(x => x.id === 2) || !theirs.size ? subs : [...subs, { id: 2, start: 0, end: 0 }].sort((a, b) => a.id - b.id)
  const binaryenSaw = (f: number) =>
    f < plan.importedFunctions || f - plan.importedFunctions >= plan.classes.length || plan.classes[f - plan.importedFunctions] === BodyClass.KEEP
  for (const sub of withLocals) {
    if (sub.id !== 2) {
      out.section(sub.id, new Pieces().push(written.subarray(sub.start, sub.end)))
      continue
    }
    const ours = sub.end > sub.start ? readNameEntries(written, sub) : new Map<number, Uint8Array>()
    const merged = new Map<number, Uint8Array>()
    for (const [f, entry] of ours) if (binaryenSaw(f)) merged.set(f, entry)
    for (const [f, entry] of theirs) if (!binaryenSaw(f)) merged.set(f, entry)
    const entries = [...merged].sort((a, b) => a[0] - b[0]).map(([, entry]) => entry)
    out.section(2, new Pieces().push(writeU32(entries.length)).pushAll(entries))
  }
  return out
}

/**
 * The input's name section, which binaryen did not see, with the names
 * binaryen wrote for what the rewrite added (its own subsections hold only
 * those: binaryen writes the names it was given). Indices of the input's
 * functions, globals and data segments do not move.
 */
function mergedNames(plan: CopyPlan, written: Uint8Array, s: Section | undefined): Pieces {
  const { input } = plan
  const nameStart = s && skipLeb(written, s.start) + readU32(written, s.start)
  const binaryens = s ? readSubsections(written, nameStart!, s.end) : []
  const ids = [...new Set([...plan.nameSubsections.map(x => x.id), ...binaryens.map(x => x.id)])].sort((a, b) => a - b)
  const out = new Pieces().push(writeU32(4), new TextEncoder().encode('name'))
  for (const id of ids) {
    const mine = plan.nameSubsections.find(x => x.id === id)
    const added = binaryens.find(x => x.id === id)
    if (!mine || !added || id === 0) {
      const from = mine ? input : written
      const sub = (mine ?? added)!
      out.section(id, new Pieces().push(from.subarray(sub.start, sub.end)))
      continue
    }
    const ours = readNameEntries(written, added)
    // Function names: counted without a map of every entry (see NameMap).
    const counted = id === 1 && plan.names?.functions ? plan.names.functions : readNameEntries(input, mine)
    const last = counted instanceof NameMap ? counted.last : Math.max(-1, ...counted.keys())
    if ([...ours.keys()].every(index => index > last)) {
      // The usual case: the added names follow the input's, whose entries are copied as one piece.
      const entries = skipLeb(input, mine.start)
      out.section(id, new Pieces().push(writeU32(counted.size + ours.size), input.subarray(entries, mine.end)).pushAll([...ours.values()]))
      continue
    }
    const theirs = counted instanceof NameMap ? readNameEntries(input, mine) : counted
    for (const [index, entry] of ours) if (!theirs.has(index)) theirs.set(index, entry)
    const entries = [...theirs].sort((a, b) => a[0] - b[0]).map(([, entry]) => entry)
    out.section(id, new Pieces().push(writeU32(entries.length)).pushAll(entries))
  }
  return out
}

/** The import section's function count, and whether it imports a 64-bit table; undefined for an import it cannot read. */
function readImports(bytes: Uint8Array, s: Section | undefined): { functions: number; table64: boolean } | undefined {
  if (!s) return { functions: 0, table64: false }
  let p = s.start
  const n = readU32(bytes, p)
  p = skipLeb(bytes, p)
  let functions = 0,
    table64 = false
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < 2; k++) p = skipLeb(bytes, p) + readU32(bytes, p)
    const kind = bytes[p++]
    if (kind === 0) {
      functions++
      p = skipLeb(bytes, p)
    } else if (kind === 1) {
      if (bytes[p] !== 0x70 && bytes[p] !== 0x6f) return undefined
      const flags = bytes[p + 1]
      table64 ||= (flags & 4) !== 0
      p = skipLimits(bytes, p + 1)
    } else if (kind === 2) p = skipLimits(bytes, p)
    else if (kind === 3) {
      if (bytes[p] === 0x63 || bytes[p] === 0x64) return undefined
      p += 2
    } else if (kind === 4) p = skipLeb(bytes, p + 1)
    else return undefined
  }
  return p === s.end ? { functions, table64 } : undefined
}

/** The position after limits (flags, min, max if flag 1; a page size for custom page sizes is not read). */
function skipLimits(bytes: Uint8Array, p: number): number {
  const flags = bytes[p++]
  p = skipLeb(bytes, p)
  return flags & 1 ? skipLeb(bytes, p) : p
}
