/**
 * What every step of the shadow strategy reads, built once before anything is
 * added: the module, its scan and the sites to rewrite, the options, the call
 * table and its static segments, the signatures (T: those of the call sites;
 * K: those the module carries adapters for) with their indices, and the names
 * of everything the strategy adds. Names are fixed up front, so a step can
 * refer to a table or function that a later step adds.
 */
import { FpcastError } from '../../../errors.ts'
import { HOOKS_TABLE, PREFIX } from '../../../protocol.ts'
import { binaryen, type Module, type Type, tableType } from '../../binaryen.ts'
import type { CallIndirectSite, ScanResult } from '../../scan.ts'
import { readSegments, type Segment } from '../../segments.ts'
import { type Sig, sigKey } from '../../signature.ts'

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
  /** The module's tables may be removed and added again (bytes.ts: plainTables), so a shadow can become table 0. */
  reorderTables: boolean
  /** Bytes of code the adapters may spend on calling their target's static functions directly past MAX_DIRECT_SLOTS (adapters.ts). */
  dispatchBudget: number
}

export interface ShadowContext {
  m: Module
  scan: ScanResult
  sites: CallIndirectSite[]
  options: ShadowOptions
  viaArgument: boolean
  fail: (msg: string) => FpcastError
  /** The call table (transformWasm refuses sites on several before any strategy runs). */
  table: string
  /** Every element segment of the module, as read before any change. */
  segments: Segment[]
  /** The call table's active segments: its static slots. */
  staticSegs: Segment[]
  /** A static segment sits at a computed offset (dynamic linking: global.get $__table_base), known only at instantiation. */
  computed: boolean
  /** `table.set` on the call table inside wasm (step 8). */
  wasmSets: ScanResult['tableSets']
  /**
   * The call-site signatures whose shadows are kept as big as the call table
   * (those with the most sites, up to FULL_SHADOWS and FULL_SHADOW_SLOTS,
   * when the module defines its call table and does not grow it in wasm):
   * their sites need no clamp. The first of them becomes table 0
   * (see tables.ts). Others grow lazily behind a clamp.
   */
  full: string[]
  /**
   * The module makes tail calls itself: our wrappers and generated functions
   * whose last call's result passes through unchanged make that call a tail
   * call, so a return_call_indirect loop through them runs in constant stack,
   * as natively.
   */
  tail: boolean
  /** T: the call sites' signatures, by key, in the order of t. */
  siteSigs: Map<string, Sig>
  tKeys: string[]
  /** K: the signatures the module carries adapters for, by key, in the order of k. */
  known: Map<string, Sig>
  kKeys: string[]
  kIndex: Map<string, number>
  /** The module's other signatures, only listed for the runtime (it builds their adapters if such a function is ever added). */
  probeSigs: Sig[]
  /**
   * P, which static slots still hold their static function. With 'argument'
   * the primed view of the static table (a changed slot is null); with
   * 'global' a mark per changed slot (non-null), see tables.ts.
   */
  P: string
  /** P's element type: externref when only JS marks slots, else funcref. */
  pType: Type
  /** invalidate takes P's mark from JS (its third argument). */
  markFromJs: boolean
  names: ReturnType<typeof namesOf>
  /** Generated functions added so far (see `define` in emit.ts). */
  made: Set<string>
  /** Makes an input function callable by name in `m` before a generated function calls it (the compact skeleton holds only some: copy/compact.ts). */
  callable: (name: string) => void
  /** Adapters that dispatch on the slot with a br_table, of those that could, and their estimated bytes (step 3). */
  dispatch: { chosen: number; wanted: number; bytes: number }
}

/** The names of what the strategy adds; per signature key for shadows, their bounds and resolvers. */
function namesOf() {
  return {
    /** The one-slot table the resolvers call through. */
    call: `${PREFIX}call`,
    hooks: HOOKS_TABLE,
    /** The global that holds the slot index (slotVia 'global'). */
    slot: `${PREFIX}slot`,
    /** The global that holds the current site (diagnostics). */
    site: `${PREFIX}site`,
    adapters: `${PREFIX}adapters`,
    staticSig: `${PREFIX}static_sig`,
    /** The end of the static table (slotVia 'global': P covers only the slots marked so far). */
    staticEnd: `${PREFIX}static_end`,
    invalidate: `${PREFIX}invalidate`,
    /** Grows the full shadows to the call table's size: the start function and the runtime (after a JS Table.grow) call it. */
    grow: `${PREFIX}grow`,
    shadow: (tKey: string) => `${PREFIX}shadow$${tKey}`,
    bound: (tKey: string) => `${PREFIX}bound$${tKey}`,
    resolver: (tKey: string) => `${PREFIX}resolve$${tKey}`,
  }
}

export function createContext(
  m: Module,
  scan: ScanResult,
  sites: CallIndirectSite[],
  options: ShadowOptions,
  fileName: string,
  callable: (name: string) => void = () => {},
): ShadowContext {
  const viaArgument = options.slotVia === 'argument'
  const table = sites[0].table
  const fail = (msg: string) => new FpcastError(msg, { file: fileName })
  if (tableType(m, table) !== binaryen.funcref) throw fail(`table ${table} is not a funcref table`)
  const wasmSets = scan.tableSets.filter(w => w.table === table)
  const segments = scan.segments ?? readSegments(m)
  // Priming points every segment at the wrappers: it must know what a passive one holds.
  if (viaArgument && segments.some(s => s.unlisted))
    throw fail(
      `a passive element segment, whose functions binaryen.js cannot list, and slotVia 'argument' (which must point it at its wrappers); nothing was written: use the default slotVia 'global'`,
    )
  const staticSegs = segments.filter(s => s.table === table && !s.passive)
  const markFromJs = !viaArgument && !wasmSets.length
  const sigs = signatures(scan, sites, staticSegs)
  return {
    m,
    scan,
    sites,
    options,
    viaArgument,
    fail,
    table,
    segments,
    staticSegs,
    computed: staticSegs.some(seg => binaryen._BinaryenExpressionGetId(seg.offset) !== binaryen.ConstId),
    wasmSets,
    full: fullShadows(m, table, scan, sites, sigs.tKeys),
    tail: sites.some(s => s.isReturn),
    ...sigs,
    P: viaArgument ? `${PREFIX}primed` : `${PREFIX}changed`,
    pType: markFromJs ? binaryen.externref : binaryen.funcref,
    markFromJs,
    names: namesOf(),
    made: new Set(),
    callable,
    dispatch: { chosen: 0, wanted: 0, bytes: 0 },
  }
}

/**
 * How many call-site signatures get a full shadow, and how many slots they
 * may hold together at instantiation. Each costs one more copy of the call
 * table (V8: about 36 bytes a slot), so not all of them (Pyodide has 45
 * call-site signatures) and not on a huge table: Pyodide's 8,733 slots get
 * four (1.3 MB), a 60,000-slot table one, a 600,000-slot table none.
 */
const FULL_SHADOWS = 4
const FULL_SHADOW_SLOTS = 65_536

/**
 * The call-site signatures with the most sites, when the module defines its
 * call table and never grows it itself: then every grow passes through the
 * runtime's Table.grow, which calls grow() (start.ts). An imported table may
 * be grown by another module's code, and a table.grow inside wasm returns
 * its old size where nothing could follow it with the shadows' growth
 * without rewriting its parent; both keep the clamp.
 */
function fullShadows(m: Module, table: string, scan: ScanResult, sites: CallIndirectSite[], tKeys: string[]): string[] {
  const info = binaryen.getTableInfo(m.getTable(table))
  if (info.module || scan.tableGrows.some(g => g.table === table)) return []
  const count = new Map<string, number>()
  for (const s of sites) count.set(sigKey(s.sig), (count.get(sigKey(s.sig)) ?? 0) + 1)
  const n = Math.min(FULL_SHADOWS, Math.floor(FULL_SHADOW_SLOTS / Math.max(1, info.initial)))
  // Ties keep the order of T, so the choice is deterministic.
  return [...tKeys].sort((a, b) => count.get(b)! - count.get(a)!).slice(0, n)
}

/**
 * T, the call sites' signatures, and K, those a slot is likely to hold: the
 * static table's, the call sites', and those `addFunction(jsFunction, sig)`
 * typically brings in at run time.
 */
function signatures(scan: ScanResult, sites: CallIndirectSite[], staticSegs: Segment[]) {
  const siteSigs = new Map<string, Sig>()
  for (const s of sites) siteSigs.set(sigKey(s.sig), s.sig)
  const known = new Map<string, Sig>(siteSigs)
  for (const seg of staticSegs) {
    for (const name of seg.data) {
      const f = scan.byName.get(name)
      if (f) known.set(sigKey(f.sig), f.sig)
    }
  }
  for (let n = 0; n <= 6; n++) {
    for (const results of [[], ['i32']] as const) {
      const sig: Sig = { params: Array(n).fill('i32'), results }
      if (!known.has(sigKey(sig))) known.set(sigKey(sig), sig)
    }
  }
  const kKeys = [...known.keys()]
  const probeSigs = [...new Map(scan.functions.map(f => [sigKey(f.sig), f.sig])).entries()].filter(([k]) => !known.has(k)).map(([, sig]) => sig)
  return { siteSigs, tKeys: [...siteSigs.keys()], known, kKeys, kIndex: new Map(kKeys.map((k, i) => [k, i])), probeSigs }
}
