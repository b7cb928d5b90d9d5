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
 * cost one slot instead of one per call table slot. The exception: the
 * call-site signatures with the most sites (up to four, within a slot budget,
 * see context.ts) get *full* shadows, kept as big
 * as the call table (grown by `fpcast$grow` at start and after every JS
 * Table.grow), so their sites use the index as it is, with no clamp; the
 * first of them becomes table 0, which V8 before 12 calls through fastest.
 * Only when the module defines its call table and never grows it in wasm
 * (context.ts). S_T[idx] holds:
 *   - the function itself when its type is T. With 'argument', functions in
 *     the static table whose type is a call-site type are "primed": their
 *     body gets the extra (ignored) i32 parameter, and a wrapper with the
 *     original type takes their place everywhere else (table, exports,
 *     ref.func), so matched calls cost one argument register, not a store;
 *   - an adapter T -> F (drop / zero-fill arguments, adapt the result) that
 *     re-calls slot idx with its real type F, in wasm: no JS frame; for a
 *     slot that still holds its static function, a direct call where the
 *     slot tells which (a compare, or a br_table within dispatchBudget:
 *     adapters.ts);
 *   - a trap adapter for incompatible pairs, which reports the site;
 *   - initially, a resolver that classifies the slot on first use (from a
 *     build-time list for the static table, or by asking the runtime's
 *     `classify` hook for functions added at run time) and caches the
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
 * The steps, one file each: prime (1, 'argument' only), tables (2: P, which
 * says which static slots still hold their static function; the shadows and
 * their bounds; the resolvers' call table; the hooks table; the slot and
 * site globals), adapters (3), static-sig (4: the build-time answers),
 * resolvers (5), invalidate (6), start (7: grow and the start function),
 * table-set (8: table.set inside wasm), sites (9), and tables again (10: the
 * first full shadow becomes table 0). Their order is the order of what the output holds:
 * changing it changes the output's bytes. context.ts holds what they share,
 * emit.ts and hooks.ts the pieces of code they build with.
 *
 * Limits: one call table (transformWasm refuses several).
 */
import type { ShadowMeta } from '../../../protocol.ts'
import type { Lowering } from '../../copy/index.ts'
import type { Module } from '../../binaryen.ts'
import type { CallIndirectSite, ScanResult } from '../../scan.ts'
import { tableAccess } from '../../segments.ts'
import { wireSig } from '../../signature.ts'
import { addAdapters } from './adapters.ts'
import { createContext, type ShadowContext, type ShadowOptions } from './context.ts'
import { addInvalidate } from './invalidate.ts'
import { pointAtWrappers, primeFunctions } from './prime.ts'
import { addResolvers } from './resolvers.ts'
import { rewriteSites } from './sites.ts'
import { addGrow, addStart } from './start.ts'
import { addStaticSig } from './static-sig.ts'
import { invalidateOnTableSets } from './table-set.ts'
import { addTables, hotShadowFirst } from './tables.ts'

export type { ShadowOptions }

export interface ShadowResult {
  /** Metadata for the runtime. */
  meta: ShadowMeta
  /** Functions given the extra slot parameter. */
  primed: number
  /** Generated functions of a site type: pass-throughs, adapters, traps and resolvers. */
  adapters: number
  shadowTables: number
  /** Adapters that call their target's static functions through a br_table, of those that could, and their estimated code. */
  dispatch: ShadowContext['dispatch']
  /** How the sites outside binaryen are to be lowered (copy/index.ts). */
  lowering: Lowering
}

export function applyShadow(
  m: Module,
  scan: ScanResult,
  sites: CallIndirectSite[],
  options: ShadowOptions,
  fileName: string,
  callable?: (name: string) => void,
): ShadowResult {
  const ctx = createContext(m, scan, sites, options, fileName, callable)
  const wrapperOf = primeFunctions(ctx)
  pointAtWrappers(ctx, wrapperOf)
  addTables(ctx)
  addAdapters(ctx)
  addStaticSig(ctx)
  addResolvers(ctx)
  addInvalidate(ctx)
  addGrow(ctx)
  addStart(ctx, wrapperOf)
  invalidateOnTableSets(ctx)
  const lowering = rewriteSites(ctx)
  hotShadowFirst(ctx)
  return { meta: metadata(ctx), primed: wrapperOf.size, adapters: ctx.made.size, shadowTables: ctx.tKeys.length, dispatch: ctx.dispatch, lowering }
}

/** What the runtime reads from the custom section. */
function metadata(ctx: ShadowContext): ShadowMeta {
  const { names, options } = ctx
  return {
    strategy: 'shadow',
    table: tableAccess(ctx.m, ctx.table),
    // Signatures as WireSigs (see protocol.ts), in the order of k and t.
    sigs: ctx.kKeys.map(k => wireSig(ctx.known.get(k)!)),
    probeSigs: ctx.probeSigs.map(wireSig),
    siteSigs: ctx.tKeys.map(k => wireSig(ctx.siteSigs.get(k)!)),
    invalidate: names.invalidate,
    ...(ctx.full.length ? { grow: names.grow } : {}),
    // The module makes tail calls: adapters the runtime builds end in a tail call too.
    ...(ctx.tail ? { tailCalls: true as const } : {}),
    slotVia: options.slotVia,
    ...(ctx.viaArgument ? {} : { slotGlobal: names.slot }),
    ...(options.diagnostics
      ? { siteGlobal: names.site, sites: ctx.sites.map(s => ({ f: s.func.displayName, i: s.func.index, n: s.ordinal, s: wireSig(s.sig) })) }
      : {}),
  }
}
