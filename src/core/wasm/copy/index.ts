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
 * binaryen's cost is per function (a stub costs it about 20 µs before its
 * code tiers up) and per export or segment it must see. So where it can,
 * planCopy gives binaryen a smaller skeleton still, the compact one
 * (compact.ts): no stub, no element, data or function-export section, only
 * the KEEP bodies and an import standing in for each other function their
 * code or the strategy's may call; the splice relinks binaryen's output
 * around the input's sections. The stub skeleton above stays for what the
 * compact one does not read (local names beside a KEEP body, element
 * segments other than function lists, ...). Either way the splice copies
 * each byte once.
 * Sites are numbered in code order (operands first), as scan.ts numbers
 * binaryen's, so filters, profiles and diagnostics name the same site
 * whichever writer made the output.
 */
import { binaryen, type Module } from '../binaryen.ts'
import { BodyClass, PATCH_BLOCK_TYPE, PATCH_CALL, scanCode } from '../code-scan.ts'
import { customSectionBytes, customSectionName, plainTables, readU32, type Section, sections, skipLeb, writeI32, writeS33, writeU32 } from '../bytes.ts'
import type { CallIndirectSite, FunctionEntry } from '../scan.ts'
import {
  type CompactPlan,
  compactPlan,
  importsWithStandIns,
  importsWithoutStandIns,
  keepBodies,
  keepTypes,
  moveBody,
  outputIndex,
  skeletonDeclarations,
  skeletonNames,
  skeletonStart,
} from './compact.ts'
import { movedSegments, placeSegment } from './elements.ts'
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
  /** binaryen was given the compact skeleton, without the input's functions (compact.ts). */
  compact?: CompactPlan
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
export function planCopy(given: Uint8Array): CopyPlan | { declined: string } {
  // A plain view: a Node Buffer's subarray makes a Buffer, several times slower, and the splice takes thousands.
  const input = new Uint8Array(given.buffer, given.byteOffset, given.length)
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
  const exports = readExports(input, find(7))
  const nameSection = all.find(s => s.id === 0 && customSectionName(input, s) === 'name')
  const subsections = nameSection ? readSubsections(input, skipLeb(input, nameSection.start) + readU32(input, nameSection.start), nameSection.end) : []
  // Local names of a body binaryen rewrites would need its renumbering: then binaryen reads the names.
  const bypass =
    !!nameSection && subsections.every(x => BYPASSED_NAMES.has(x.id)) && !(subsections.some(x => x.id === 2) && scan.classes.includes(BodyClass.KEEP))
  // Stubs keep their local declarations only where binaryen reads local names (so they stay in range).
  const localNames = !bypass && subsections.some(x => x.id === 2)
  // The compact skeleton (compact.ts) where every body is the splice's; its stand-ins join the input's import section.
  const planned =
    !nameSection || bypass
      ? compactPlan({
          input,
          types,
          importTypes: imports.entries.filter(e => e.kind === 0).map(e => e.type),
          functionTypes,
          bodies,
          classes: scan.classes,
          elemSection: find(9),
          globalSection: find(6),
          start: find(8),
        })
      : undefined
  // (Stand-ins in a module without imports get an import section of their own, after the types.)
  const compact = planned && (find(2) || find(1)) ? planned : undefined
  // The data section, emptied, where binaryen sees it (the stub skeleton, or KEEP bodies that name segments).
  const data = compact && !compact.withData ? undefined : find(11)
  const emptied = data && emptiedData(input, data)
  if (data && !emptied) return { declined: 'a data segment it cannot read' }
  const skeleton = new Pieces().push(input.subarray(0, 8))
  let dwarf = false
  // The compact skeleton's element section declares what its KEEP bodies name with ref.func (before data count, code and data).
  let declarations = compact?.declared.length ? skeletonDeclarations(compact) : undefined
  for (const s of all) {
    if (declarations && (s.id === 9 || s.id === 12 || s.id === 10 || s.id === 11)) {
      skeleton.section(9, declarations)
      declarations = undefined
    }
    if (s === nameSection && bypass) continue
    // DWARF never goes through binaryen (debug/dwarf/ rewrites it from the input): one empty
    // section stands for it, so that binaryen keeps the kept bodies' locals in their order.
    if (s.id === 0 && customSectionName(input, s).startsWith('.debug_')) {
      if (!dwarf) skeleton.push(DWARF_PLACEHOLDER)
      dwarf = true
      continue
    }
    if (compact && (s.id === 9 || ((s.id === 3 || s.id === 10) && !compact.keeps.length))) continue
    if (compact && s.id === 2) skeleton.section(2, importsWithStandIns(input, s, compact, functionTypes))
    else if (compact && s.id === 1 && !find(2))
      skeleton.push(input.subarray(s.at, s.end)).section(2, importsWithStandIns(input, undefined, compact, functionTypes))
    else if (compact && s.id === 3) skeleton.section(3, keepTypes(compact, functionTypes))
    else if (compact && s.id === 10) skeleton.section(10, keepBodies(input, compact, bodies))
    else if (compact && s.id === 8) skeleton.section(8, skeletonStart(input, s, compact))
    else if (s.id === 10) skeleton.section(10, stubbedCode(input, bodies, scan.classes, localNames))
    else if (compact && !compact.withData && (s.id === 11 || s.id === 12)) continue
    else if (s.id === 11 && emptied) skeleton.section(11, emptied)
    else if (s.id === 7) {
      // Function exports are put back by the splice; with the compact skeleton all but table exports (only a table's index may move).
      const kept = exports.filter(e => (compact ? e.kind === 1 : e.kind !== 0))
      skeleton.section(7, new Pieces().push(writeU32(kept.length)).pushAll(kept.map(e => e.bytes)))
    } else skeleton.push(input.subarray(s.at, s.end))
  }
  if (compact?.skeletonIndex.size) skeleton.section(0, skeletonNames(compact))
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
    ...(compact ? { compact } : {}),
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
  // Encoded once per name or type: a module has thousands of sites and a few shadows, bounds and types.
  const encoded = new Map<string, number[]>()
  const once = (key: string, index: () => number) => {
    let bytes = encoded.get(key)
    if (!bytes) encoded.set(key, (bytes = writeU32(index())))
    return bytes
  }
  const lowered: Lowered = {
    newType,
    type: (old: number) => once(`type ${old}`, () => newType(old)),
    oldTableIndex: (old: number) => indexOf(tables, plan.tableNames[old]),
    oldTable: (old: number) => once(`old table ${old}`, () => lowered.oldTableIndex(old)),
    table: (name: string) => once(`table ${name}`, () => indexOf(tables, name)),
    global: (name: string) => once(`global ${name}`, () => indexOf(globals, name)),
    lowering,
  }
  // The compact skeleton's functions are relinked (compact.ts): binaryen's index j is the output's move(j).
  const move = plan.compact && outputIndex(plan.compact, plan.bodies.length)
  const codeSection = find(out, 10)
  if (!codeSection) throw new Error('binaryen wrote no code section')
  const code = splicedCode(plan, written, codeSection, lowered, move)
  // Made before the type section is written: the input's function types may append types to it.
  const functionSection = find(out, 3)
  const functions = move && functionSection && compactFunctionSection(plan, written, functionSection, lowered)
  const output = new Pieces().push(written.subarray(0, 8))
  let namesWritten = false
  // Sections the compact path writes itself, each placed where the order of sections wants it among binaryen's:
  // the element section (the input's segments, then binaryen's) and, unless binaryen saw them, the data count and data.
  const pending: { id: number; write: () => void }[] = []
  if (move) {
    const elements = compactElements(plan, written, find(out, 9), lowered, move)
    if (elements.count) pending.push({ id: 9, write: () => output.section(9, new Pieces().push(writeU32(elements.count)).pushAll(elements.entries.parts)) })
    for (const id of plan.compact!.withData ? [] : [12, 11]) {
      const s = find(inputSections, id)
      if (s) pending.push({ id, write: () => output.push(input.subarray(s.at, s.end)) })
    }
  }
  const place = (rank: number) => {
    while (pending.length && SECTION_ORDER[pending[0].id] < rank) pending.shift()!.write()
  }
  let rank = 0
  for (const s of out) {
    // Custom sections past the code follow the data, as in the modules toolchains write.
    rank = s.id ? SECTION_ORDER[s.id] : rank
    place(s.id ? rank : rank >= SECTION_ORDER[10] ? Infinity : 0)
    if (s.id === 1)
      output.section(1, new Pieces().push(writeU32(types.length + appended.length), written.subarray(skipLeb(written, s.start), s.end)).pushAll(appended))
    else if (move && s.id === 2) output.section(2, importsWithoutStandIns(written, readImports(written, s)!.entries, plan.importedFunctions))
    else if (functions && s.id === 3) output.section(3, functions)
    else if (move && s.id === 8) output.section(8, new Pieces().push(writeU32(move(readU32(written, s.start)))))
    else if (move && s.id === 9) continue
    else if (s.id === 7) output.section(7, splicedExports(plan, readExports(written, s), move))
    else if (s.id === 10) output.section(10, code)
    else if (s.id === 11 && plan.dataEmptied) {
      const data = find(inputSections, 11)!
      if (segmentCount(written, s) !== segmentCount(input, data)) throw new Error('binaryen wrote another number of data segments')
      output.push(input.subarray(data.at, data.end))
    } else if (s.id === 0 && customSectionName(written, s) === 'name') {
      const nameStart = skipLeb(written, s.start) + readU32(written, s.start)
      const theirs = { bytes: written, subsections: readSubsections(written, nameStart, s.end) }
      const binaryens = move ? movedNames(plan, theirs, move) : theirs
      output.section(0, plan.names ? mergedNames(plan, binaryens) : splicedNames(plan, written, s))
      namesWritten = true
    } else output.push(written.subarray(s.at, s.end))
  }
  place(Infinity)
  if (move && !find(out, 3)) throw new Error('binaryen wrote no function section')
  if (plan.names && !namesWritten) output.section(0, mergedNames(plan, { bytes: written, subsections: [] }))
  if (appended.length && !find(out, 1)) throw new Error('binaryen wrote no type section')
  return output.join()
}

/** The compact path's function section: the input's functions' types (in the output's type indices), then binaryen's functions'. */
function compactFunctionSection(plan: CopyPlan, written: Uint8Array, s: Section, lowered: Lowered): Pieces {
  const out = new Pieces().push(writeU32(plan.functionTypes.length + readU32(written, s.start) - plan.compact!.keeps.length))
  for (const old of plan.functionTypes) out.push(lowered.type(old))
  // binaryen's own function section begins with the KEEP functions' entries: those are the input's.
  let p = skipLeb(written, s.start)
  for (let k = 0; k < plan.compact!.keeps.length; k++) p = skipLeb(written, p)
  return out.push(written.subarray(p, s.end))
}

/** The compact path's element segments: the input's (on their table's output index), then binaryen's with their functions moved. */
function compactElements(
  plan: CopyPlan,
  written: Uint8Array,
  s: Section | undefined,
  lowered: Lowered,
  move: (j: number) => number,
): { count: number; entries: Pieces } {
  const entries = new Pieces()
  for (const seg of plan.compact!.elements) placeSegment(seg, seg.offset ? lowered.oldTableIndex(seg.table) : seg.table, entries)
  if (!s) return { count: plan.compact!.elements.length, entries }
  const theirs = movedSegments(written, s, move)
  return { count: plan.compact!.elements.length + theirs.count, entries: entries.pushAll(theirs.entries.parts) }
}

/** Name subsections and the bytes they lie in. */
interface NameSubsections {
  bytes: Uint8Array
  subsections: Subsection[]
}

/**
 * binaryen's name subsections with its function indices moved (the
 * stand-ins' names left out: the input's own names the functions) and its
 * element segments' after the input's.
 */
function movedNames(plan: CopyPlan, names: NameSubsections, move: (j: number) => number): NameSubsections {
  const { bytes } = names
  // The stand-ins' and KEEP functions' names are the skeleton's, not theirs.
  const named = plan.compact!.skeletonIndex.size
  const content = new Pieces()
  const subsections: Subsection[] = []
  for (const sub of names.subsections) {
    let entries: (Uint8Array | number[])[] = [bytes.subarray(sub.start, sub.end)]
    if (sub.id === 1 || sub.id === 2 || sub.id === 8) {
      entries = []
      let n = 0
      for (const [index, entry] of readNameEntries(bytes, sub)) {
        if ((sub.id === 1 || sub.id === 2) && index >= plan.importedFunctions && index < plan.importedFunctions + named) continue
        const to = sub.id === 8 ? index + plan.compact!.elements.length : move(index)
        entries.push(writeU32(to), entry.subarray(skipLeb(entry, 0)))
        n++
      }
      entries.unshift(writeU32(n))
    }
    const body = new Pieces().pushAll(entries)
    content.push([sub.id, ...writeU32(body.length)])
    subsections.push({ id: sub.id, start: content.length, end: content.length + body.length })
    content.pushAll(body.parts)
  }
  return { bytes: content.join(), subsections }
}

/** The order of the known sections (by id): the data count comes before the code, tags before globals. */
const SECTION_ORDER: Record<number, number> = { 1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 13: 6, 6: 7, 7: 8, 8: 9, 9: 10, 12: 11, 10: 12, 11: 13 }

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
  /** The encoded output index of a type, a table of the input, a table or global by name. */
  type: (old: number) => number[]
  /** Where a table of the input is in the output. */
  oldTableIndex: (old: number) => number
  oldTable: (old: number) => number[]
  table: (name: string) => number[]
  global: (name: string) => number[]
  lowering: Lowering
}

function splicedCode(plan: CopyPlan, written: Uint8Array, code: Section, lowered: Lowered, move: ((j: number) => number) | undefined): Pieces {
  const { input } = plan
  const mine = readBodies(written, code)
  // binaryen wrote, from the compact skeleton, the KEEP bodies then the strategy's; from the stub one, a body for each input body then the strategy's.
  const bodies = move ? plan.bodies.length + mine.length - plan.compact!.keeps.length : mine.length
  if (!move && mine.length < plan.bodies.length) throw new Error(`binaryen wrote ${mine.length} bodies for the input's ${plan.bodies.length}`)
  const out = new Pieces().push(writeU32(bodies))
  // A run of COPY bodies is one piece: they lie side by side in the input.
  let runStart = -1,
    runEnd = -1
  const endRun = () => {
    if (runStart >= 0) out.push(input.subarray(runStart, runEnd))
    runStart = -1
  }
  // binaryen's bodies in the compact skeleton: the KEEP ones, then the strategy's (compact.ts).
  let next = 0
  const binaryens = (i: number) => (move ? mine[next++] : mine[i])
  for (let i = 0; i < bodies; i++) {
    const cls = i < plan.bodies.length ? plan.classes[i] : BodyClass.KEEP
    if (cls === BodyClass.KEEP) {
      endRun()
      const b = binaryens(i)
      if (move) moveBody(written, b, move, out)
      else out.push(written.subarray(b.at, b.end))
      continue
    }
    if (!move) {
      // The stub binaryen wrote back: local declarations, unreachable, end.
      const b = mine[i]
      const declEnd = localDecls(written, b.start).end
      if (b.end - declEnd !== 2 || written[declEnd] !== 0x00) throw new Error(`body ${i} is not the stub the skeleton gave binaryen`)
    }
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
  const s = writeU32(scratch)
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
    const type = lowered.type(value >> 1)
    const site = sites[ordinal++]
    const how = site && lowering.sites.get(site)
    if (!how) {
      out.push([op], type, lowered.oldTable(found[k + 4]))
      continue
    }
    if (lowering.siteGlobal !== undefined) out.push([0x41, ...writeI32(how.id), 0x24], lowered.global(lowering.siteGlobal))
    out.push([0x22], s, [0x24], lowered.global(lowering.slotGlobal), [0x20], s)
    if (how.bound !== undefined) out.push([0x20], s, [0x23], lowered.global(how.bound), BOUND_CLAMP)
    out.push([op], type, lowered.table(how.table))
  }
  out.push(input.subarray(p, o.end))
  return out
}

/** After the index and the bound on the stack: i32.sub; i32.const 31; i32.shr_s; i32.and (the clamp, see rewrittenBody). */
const BOUND_CLAMP = [0x6b, 0x41, 31, 0x75, 0x71]

/** The input's exports in their order (function exports as they were, the others at binaryen's indices), then the ones the rewrite added. */
function splicedExports(plan: CopyPlan, mine: Export[], move: ((j: number) => number) | undefined): Pieces {
  // binaryen saw the input's exports other than functions, and adds its own (functions among them).
  const byName = new Map(mine.map(e => [e.kind === 0 ? new TextDecoder().decode(nameOf(e)) : e.name, e]))
  const entries: Uint8Array[] = []
  for (const e of plan.exports) {
    // Indices that do not move: functions', and with the compact skeleton (which keeps only table exports) all but tables'.
    if (e.kind === 0 || (move && e.kind !== 1)) {
      entries.push(e.bytes)
      continue
    }
    const now = byName.get(e.name)
    if (!now || now.kind !== e.kind) throw new Error(`binaryen's output lost the export ${e.name}`)
    entries.push(exportEntry(e, now.index))
  }
  const had = new Set(plan.exports.filter(e => e.kind !== 0).map(e => e.name))
  for (const [name, e] of byName) if (!had.has(name)) entries.push(move && e.kind === 0 ? exportEntry(e, move(e.index)) : e.bytes)
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
function mergedNames(plan: CopyPlan, binaryens: NameSubsections): Pieces {
  const { input } = plan
  const written = binaryens.bytes
  const ids = [...new Set([...plan.nameSubsections.map(x => x.id), ...binaryens.subsections.map(x => x.id)])].sort((a, b) => a - b)
  const out = new Pieces().push(writeU32(4), new TextEncoder().encode('name'))
  for (const id of ids) {
    const mine = plan.nameSubsections.find(x => x.id === id)
    const added = binaryens.subsections.find(x => x.id === id)
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

/** An import entry: where it lies, its kind, and for a function its type index. */
export interface ImportEntry {
  at: number
  end: number
  kind: number
  type: number
}

/** The import section's entries, how many import functions, whether one is a 64-bit table; undefined for an import it cannot read. */
export function readImports(bytes: Uint8Array, s: Section | undefined): { functions: number; table64: boolean; entries: ImportEntry[] } | undefined {
  if (!s) return { functions: 0, table64: false, entries: [] }
  let p = s.start
  const n = readU32(bytes, p)
  p = skipLeb(bytes, p)
  let functions = 0,
    table64 = false
  const entries: ImportEntry[] = []
  for (let i = 0; i < n; i++) {
    const at = p
    for (let k = 0; k < 2; k++) p = skipLeb(bytes, p) + readU32(bytes, p)
    const kind = bytes[p++]
    let type = -1
    if (kind === 0) {
      functions++
      type = readU32(bytes, p)
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
    entries.push({ at, end: p, kind, type })
  }
  return p === s.end ? { functions, table64, entries } : undefined
}

/** The position after limits (flags, min, max if flag 1; a page size for custom page sizes is not read). */
function skipLimits(bytes: Uint8Array, p: number): number {
  const flags = bytes[p++]
  p = skipLeb(bytes, p)
  return flags & 1 ? skipLeb(bytes, p) : p
}
