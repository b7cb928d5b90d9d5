/**
 * The contract between the transform (`src/core/wasm`) and the runtime
 * (`src/runtime/runtime.js`): what a transformed module carries and exports,
 * and what the runtime fills in after instantiation.
 *
 * The runtime is injected into glue as text and cannot import anything, so it
 * repeats these values as literals; each is declared there with the type of
 * its value here (JSDoc `import()` types), and `npm run typecheck` fails when
 * the two differ.
 */

/** Custom section holding the metadata (JSON); its presence also makes a second transform a no-op. */
export const SECTION = 'fpcast_trampoline'
/**
 * 3: a shadow-strategy module may name a `grow` export, which the runtime
 * must call after every Table.grow of the call table (a runtime for format 2
 * would not, so it refuses format 3). 2: signatures in the metadata are
 * WireSigs (`ii:i`); 1 wrote Emscripten letters (`iii`). The runtime reads all three.
 */
export const FORMAT_VERSION = 3
/** Prefix of every function, table, global and export the transform adds; the runtime hides such exports from the glue. */
export const PREFIX = 'fpcast$'

/**
 * The hooks table: the module defines and exports it (an import would shift
 * the module's own table indices), and the runtime fills it, right after
 * instantiation, with wasm wrappers of its JS functions. The shadow strategy
 * uses four fixed slots; the js strategy one slot per call-site signature,
 * in the order of `JsMeta.jsSigs`.
 */
export const HOOKS_TABLE = 'fpcast$hooks'

/**
 * Slots of the shadow strategy's hooks table, with their wasm types:
 *  - classify (funcref f, i32 t) -> i32 k: the signature index of f among
 *    `sigs`, -2 when unknown or incompatible (call natively), -3 when the
 *    runtime built an adapter and left it in slot `dynamic`;
 *  - mismatch (i32 t, i32 k, i32 slot) -> (): reports an incompatible call
 *    (k = -1: the runtime reads the slot's type itself); wasm traps next;
 *  - dynamic: where classify leaves the adapter it built (any function type);
 *  - record (i32 site, i32 t, i32 k) -> (): counts an adapted call
 *    (diagnostics builds).
 */
export const HOOK = { classify: 0, mismatch: 1, dynamic: 2, record: 3 } as const

/** Answers of the classify hook besides a signature index. */
export const CLASSIFY = { unknown: -2, dynamicAdapter: -3 } as const

/**
 * A signature as the metadata writes it: parameter letters, a colon, result
 * letters (i i32, j i64, f f32, d f64, V v128, F funcref, E externref).
 * `ii:i` is (i32, i32) -> i32, `:` is () -> void, `i:ij` is (i32) -> (i32, i64).
 */
export type WireSig = string

/** How JS reaches the call table: an export of the module, an import of it, or not at all. */
export interface TableAccess {
  export?: string
  import?: { module: string; base: string }
}

/** One rewritten call site, for diagnostics reports: function name, function index, ordinal in it, signature. */
export interface SiteInfo {
  f: string
  i: number
  n: number
  s: WireSig
}

/** Metadata of the shadow strategy (the default). Keys in the order they are written. */
export interface ShadowMeta {
  strategy: 'shadow'
  table: TableAccess
  /** Signatures the module carries adapters for, in the order of k. */
  sigs: WireSig[]
  /** Other signatures of the module's functions, tried when classifying a function added at run time. */
  probeSigs: WireSig[]
  /** Call-site signatures, in the order of t. */
  siteSigs: WireSig[]
  /** Export name of `invalidate(index, count[, mark])`, called after a slot of the call table changes. */
  invalidate: string
  /** Export name of `grow()`, called after the call table grows: some shadows are kept as big as it (format 3). */
  grow?: string
  /** The module makes tail calls: adapters built at run time tail-call too. */
  tailCalls?: true
  slotVia: 'argument' | 'global'
  /** Export name of the global holding the slot index (slotVia 'global'). */
  slotGlobal?: string
  /** Export name of the global holding the current site (diagnostics builds). */
  siteGlobal?: string
  sites?: SiteInfo[]
}

/** Metadata of the js strategy: one JS trampoline per call-site signature. */
export interface JsMeta {
  strategy: 'js'
  jsSigs: WireSig[]
  /** For each call-site signature, the call table its sites read. */
  jsTables: Record<WireSig, TableAccess>
}

/** What the custom section holds. */
export type Meta = { version: typeof FORMAT_VERSION } & (ShadowMeta | JsMeta) & {
    /** Functions from this index on are the transform's own: call-site reports skip their frames. */
    firstOwnFunction: number
  }
