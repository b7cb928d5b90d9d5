/**
 * The compact skeleton: binaryen sees only the input functions it must.
 * What binaryen costs is per function it reads and writes (about 20 µs each
 * while its code is cold, stub or import alike: Pyodide's 17,000 cost it
 * 400 ms, z3-solver's 39,500 nearly a second), and the splice copies or
 * lowers every body but the KEEP ones (code-scan.ts) itself. So binaryen is
 * given what the strategy builds on:
 *
 *   types, imports, tables, memories, globals, tags, table exports, custom
 *   sections (as in index.ts's skeleton); the KEEP bodies, as its only
 *   functions, with a declaration of what they name with ref.func and the
 *   data section (emptied) only if they name a data segment; and one
 *   function import (a "stand-in", from STAND_IN_MODULE) for each other
 *   input function that code may call: those the KEEP bodies name, the
 *   static functions of a signature the adapters call directly (at most
 *   MAX_DIRECT_SLOTS on a table), and the start function; the functions a
 *   br_table of the adapters calls are added as stand-ins when the strategy
 *   builds it (addStandIn).
 *
 * Stand-ins and KEEP functions are named in a name section as binaryen names
 * a function the name section does not (its index), and the strategy reads
 * every function's signature and the element segments from the bytes
 * (compactScan). binaryen's output is then relinked around the input's own
 * sections (index.ts: spliceCopy): its function index j becomes, in the
 * output, with I imports, S stand-ins, K KEEP bodies and D input bodies,
 *   j                                  for the input's imports (j < I),
 *   the function it stands for          (a stand-in: I <= j < I + S),
 *   the KEEP body's own index           (I + S <= j < I + S + K),
 *   j - S - K + D                      for the functions the strategy added,
 * in bodies (call, return_call, ref.func), exports, start, element segments
 * and names. The input's element segments are written back byte for byte,
 * on the call table's new index when a shadow took index 0 (elements.ts),
 * and its exports other than tables, data count and data as they were.
 *
 * The skeleton path (index.ts) stays for what this one does not read: an
 * element segment or global initialiser other than a plain function list or
 * constant, a KEEP body it cannot read or that names an element segment, a
 * name section binaryen must read.
 */
import { MAX_DIRECT_SLOTS } from '../strategies/shadow/adapters.ts'
import { binaryen, type Module, tupleType } from '../binaryen.ts'
import { readU32, type Section, skipLeb, writeU32 } from '../bytes.ts'
import { BodyClass, functionRefs } from '../code-scan.ts'
import { type FunctionEntry, FunctionRecord, type ScanResult, scanModule } from '../scan.ts'
import type { Segment } from '../segments.ts'
import type { Sig } from '../signature.ts'
import { type ElemSegment, readElements } from './elements.ts'
import { type Body, type FuncType, Pieces, skipConstExpr } from './sections.ts'

/** The module name of the stand-in imports (a name no toolchain writes). */
const STAND_IN_MODULE = 'fpcast$input'

export interface CompactPlan {
  /** The input function each stand-in import stands for, in import order. */
  standIns: number[]
  /** The input functions whose bodies binaryen reads (KEEP), in order. */
  keeps: number[]
  /** The input's element segments, which binaryen does not see. */
  elements: ElemSegment[]
  /** The type index of each imported function. */
  importTypes: number[]
  /** The skeleton's function index of an input function (stand-in, KEEP body or import). */
  skeletonIndex: Map<number, number>
  /**
   * A KEEP body names a data segment (memory.init, data.drop): the skeleton
   * keeps the data section (emptied) and the data count. Else it has
   * neither, and the splice writes the input's (binaryen costs per segment:
   * Pyodide has 14,579).
   */
  withData: boolean
  /** The input functions the KEEP bodies name with ref.func: the skeleton declares them (its element segments are left out). */
  declared: number[]
}

interface Inputs {
  input: Uint8Array
  types: FuncType[]
  importTypes: number[]
  functionTypes: number[]
  bodies: Body[]
  classes: Uint8Array
  elemSection: Section | undefined
  globalSection: Section | undefined
  start: Section | undefined
}

/** The compact plan, or undefined when the module takes the skeleton path (see the header). */
export function compactPlan(x: Inputs): CompactPlan | undefined {
  const elements = readElements(x.input, x.elemSection)
  if (!elements || initialisersNameFunctions(x.input, x.globalSection) !== false) return undefined
  const imported = x.importTypes.length
  const keeps: number[] = []
  const standIns = new Set<number>()
  const named = (f: number) => {
    if (f >= imported && x.classes[f - imported] !== BodyClass.KEEP) standIns.add(f)
  }
  let namesData = false
  const declared = new Set<number>()
  for (let i = 0; i < x.classes.length; i++) {
    if (x.classes[i] !== BodyClass.KEEP) continue
    const found = functionRefs(x.input, x.bodies[i].start, x.bodies[i].end)
    if (!found) return undefined
    keeps.push(imported + i)
    namesData ||= found.namesData
    for (let k = 0; k < found.refs.length; k += 3) {
      named(found.refs[k + 2])
      // ref.func (its immediate follows the opcode): the skeleton must declare the function.
      if (x.input[found.refs[k] - 1] === 0xd2) declared.add(found.refs[k + 2])
    }
  }
  // The adapters' direct calls (adapters.ts): a signature's static functions on a table, when few.
  const bySig = new Map<string, number[]>()
  for (const seg of elements) {
    if (!seg.offset) continue
    for (const f of seg.funcs) {
      if (f < imported) continue
      const key = `${seg.table}:${x.types[x.functionTypes[f - imported]]?.key}`
      const list = bySig.get(key)
      if (list) list.push(f)
      else bySig.set(key, [f])
    }
  }
  for (const list of bySig.values()) if (list.length <= MAX_DIRECT_SLOTS) for (const f of list) named(f)
  if (x.start) named(readU32(x.input, x.start.start))
  const sorted = [...standIns].sort((a, b) => a - b)
  const skeletonIndex = new Map<number, number>([...sorted, ...keeps].map((f, k) => [f, imported + k]))
  return { standIns: sorted, keeps, elements, importTypes: x.importTypes, skeletonIndex, withData: namesData, declared: [...declared] }
}

/** The skeleton index of input function f. */
const inSkeleton = (plan: CompactPlan, f: number): number => (f < plan.importTypes.length ? f : plan.skeletonIndex.get(f)!)

/** Whether a global's initialiser names a function (ref.func); undefined for one it cannot read. */
function initialisersNameFunctions(bytes: Uint8Array, section: Section | undefined): boolean | undefined {
  if (!section) return false
  let p = section.start
  const n = readU32(bytes, p)
  p = skipLeb(bytes, p)
  const funcs: number[] = []
  for (let i = 0; i < n && p >= 0; i++) {
    p = bytes[p] === 0x63 || bytes[p] === 0x64 ? skipLeb(bytes, p + 1) : p + 1
    p = skipConstExpr(bytes, p + 1, section.end, funcs) // after the mutability
  }
  return p === section.end ? funcs.length > 0 : undefined
}

/** The skeleton's import section: the input's imports, then the stand-ins. */
export function importsWithStandIns(input: Uint8Array, imports: Section | undefined, plan: CompactPlan, functionTypes: number[]): Pieces {
  const imported = plan.importTypes.length
  const count = imports ? readU32(input, imports.start) : 0
  const out = new Pieces().push(writeU32(count + plan.standIns.length))
  if (imports) out.push(input.subarray(skipLeb(input, imports.start), imports.end))
  const module = new TextEncoder().encode(STAND_IN_MODULE)
  for (const f of plan.standIns) {
    const field = new TextEncoder().encode(String(f))
    out.push(writeU32(module.length), module, writeU32(field.length), field, [0x00], writeU32(functionTypes[f - imported]))
  }
  return out
}

/**
 * Adds a stand-in for input function f to the skeleton binaryen read, when
 * the strategy calls one the plan did not foresee (adapters.ts: a br_table's
 * direct calls). binaryen writes a function import added later after the
 * others and before its own functions, so it takes the next stand-in index
 * and every KEEP function moves up by one.
 */
export function addStandIn(m: Module, plan: CompactPlan, f: number, sig: Sig): void {
  if (f < plan.importTypes.length || plan.skeletonIndex.has(f)) return
  for (const k of plan.keeps) plan.skeletonIndex.set(k, plan.skeletonIndex.get(k)! + 1)
  plan.skeletonIndex.set(f, plan.importTypes.length + plan.standIns.length)
  plan.standIns.push(f)
  m.addFunctionImport(String(f), STAND_IN_MODULE, String(f), tupleType(sig.params), tupleType(sig.results))
}

/** The skeleton's start section, on the start function's skeleton index. */
export function skeletonStart(input: Uint8Array, start: Section, plan: CompactPlan): Pieces {
  return new Pieces().push(writeU32(inSkeleton(plan, readU32(input, start.start))))
}

/** The skeleton's function section: the KEEP functions' types. */
export function keepTypes(plan: CompactPlan, functionTypes: number[]): Pieces {
  const imported = plan.importTypes.length
  return new Pieces().push(writeU32(plan.keeps.length)).pushAll(plan.keeps.map(f => writeU32(functionTypes[f - imported])))
}

/** The skeleton's code section: the KEEP bodies, with the functions they name at their skeleton indices. */
export function keepBodies(input: Uint8Array, plan: CompactPlan, bodies: Body[]): Pieces {
  const out = new Pieces().push(writeU32(plan.keeps.length))
  for (const f of plan.keeps) moveBody(input, bodies[f - plan.importTypes.length], g => inSkeleton(plan, g), out)
  return out
}

/** The skeleton's element section: one declarative segment, for the KEEP bodies' ref.func. */
export function skeletonDeclarations(plan: CompactPlan): Pieces {
  const indices = plan.declared.map(f => writeU32(inSkeleton(plan, f)))
  return new Pieces().push([1, 3, 0x00, ...writeU32(indices.length)]).pushAll(indices)
}

/** A name section naming each stand-in and KEEP function as binaryen names a function the name section does not (its index). */
export function skeletonNames(plan: CompactPlan): Pieces {
  const entries = [...plan.skeletonIndex].sort((a, b) => a[1] - b[1])
  const names = new Pieces().push(writeU32(entries.length))
  for (const [f, index] of entries) {
    const name = new TextEncoder().encode(String(f))
    names.push(writeU32(index), writeU32(name.length), name)
  }
  return new Pieces().push([4, ...new TextEncoder().encode('name')]).section(1, names)
}

/** Where binaryen's function j lands in the output (see the header). */
export function outputIndex(plan: CompactPlan, bodies: number): (j: number) => number {
  const { standIns, keeps } = plan
  const imported = plan.importTypes.length
  const own = imported + standIns.length
  const added = own + keeps.length
  return j => (j < imported ? j : j < own ? standIns[j - imported] : j < added ? keeps[j - own] : j - standIns.length - keeps.length + bodies)
}

/**
 * A body with the functions it names (call, return_call, ref.func) moved by
 * `move`, size first, onto `out`. Throws on one it cannot read.
 */
export function moveBody(bytes: Uint8Array, b: Body, move: (j: number) => number, out: Pieces): void {
  const refs = functionRefs(bytes, b.start, b.end)?.refs
  if (!refs) throw new Error('a body this writer cannot read')
  if (!refs.length) {
    out.push(bytes.subarray(b.at, b.end))
    return
  }
  const body = new Pieces()
  let p = b.start
  for (let k = 0; k < refs.length; k += 3) {
    body.push(bytes.subarray(p, refs[k]), writeU32(move(refs[k + 2])))
    p = refs[k + 1]
  }
  body.push(bytes.subarray(p, b.end))
  out.push(writeU32(body.length)).pushAll(body.parts)
}

/**
 * The input's functions, as listFunctions gives binaryen's: named by index,
 * signatures from the type section; a KEEP function has its binaryen
 * reference (`m`, the skeleton read).
 */
export function compactFunctions(
  m: Module,
  plan: CompactPlan,
  types: FuncType[],
  functionTypes: number[],
  nameOf: (index: number) => string | undefined,
): FunctionEntry[] {
  // One Sig object per signature, as listFunctions gives.
  const sigs = new Map<string, Sig>()
  const sigOf = (t: number): Sig => {
    const type = types[t]
    let sig = sigs.get(type.key)
    if (!sig) sigs.set(type.key, (sig = type.sig))
    return sig
  }
  const imported = plan.importTypes.length
  const out: FunctionEntry[] = []
  for (let i = 0; i < imported + functionTypes.length; i++) {
    const own = i >= imported
    out.push(new FunctionRecord(String(i), i, 0, sigOf(own ? functionTypes[i - imported] : plan.importTypes[i]), !own, nameOf))
  }
  for (const f of plan.keeps) out[f] = new FunctionRecord(String(f), f, m.getFunction(String(f)), out[f].sig, false, nameOf)
  return out
}

/**
 * The scan of a compact skeleton: binaryen walks the KEEP bodies (their
 * sites, table writes; byteSites adds the splice's sites), and the element
 * segments are read from the input, their offsets made in `m`.
 */
export function compactScan(m: Module, plan: CompactPlan, functions: FunctionEntry[], file: string): ScanResult {
  const tableName = (t: number) => binaryen.getTableInfo(m.getTableByIndex(t)).name
  const globalName = (g: number) => binaryen.getGlobalInfo(m.getGlobalByIndex(g)).name
  const segments: Segment[] = []
  plan.elements.forEach((seg, i) => {
    // binaryen keeps no declarative segment (it declares what ref.func names itself).
    if (seg.flags === 3) return
    const offset = seg.offset && (seg.offset.global ? m.global.get(globalName(seg.offset.value), binaryen.i32) : m.i32.const(seg.offset.value))
    segments.push({ name: `${i}`, table: offset ? tableName(seg.table) : '', passive: !offset, offset: offset ?? 0, data: seg.funcs.map(String) })
  })
  const scan = scanModule(
    m,
    plan.keeps.map(f => functions[f]),
    undefined,
    file,
  )
  // Names are indices: a view, not a Map of every function (z3-solver's 39,500 entries grew its heap by 26 MB).
  return { ...scan, functions, byName: { get: name => functions[Number(name)] }, segments }
}

/** binaryen's import section without the stand-ins (its function imports past the input's). */
export function importsWithoutStandIns(written: Uint8Array, entries: { at: number; end: number; kind: number }[], imported: number): Pieces {
  const kept: Uint8Array[] = []
  let functions = 0
  for (const e of entries) {
    if (e.kind === 0 && functions++ >= imported) {
      const len = readU32(written, e.at)
      const module = new TextDecoder().decode(written.subarray(skipLeb(written, e.at), skipLeb(written, e.at) + len))
      if (module !== STAND_IN_MODULE) throw new Error(`binaryen wrote an import from ${module} past the input's function imports`)
      continue
    }
    kept.push(written.subarray(e.at, e.end))
  }
  return new Pieces().push(writeU32(kept.length)).pushAll(kept)
}
