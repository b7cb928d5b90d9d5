/**
 * Function signatures as plain data, and the adaptation rules between them.
 *
 * A signature is written the Emscripten way in reports and options: result
 * letter first, then one letter per parameter (`vii` is `(i32, i32) -> void`,
 * `jid` is `(i32, f64) -> i64`). Letters: v void, i i32, j i64, f f32, d f64,
 * V v128, F funcref, E externref.
 *
 * Adapting a call of type T (what the call site expects) to a function of
 * type F (what the table slot holds) follows what a native ABI most plausibly
 * does, deterministically:
 *   - extra arguments are dropped; missing ones are zero of their type;
 *   - a missing result is zero of the expected type; an unexpected one is dropped;
 *   - where one position has different value types, the pair is incompatible:
 *     by default the call traps with a message naming the site and both
 *     signatures; with `incompatible: 'coerce'` numbers are converted
 *     (i32<->i64 sign-extend/wrap, f32<->f64 promote/demote, int->float
 *     signed convert, float->int saturating signed truncation).
 */
import type { WireSig } from '../protocol.ts'

export type ValType = 'i32' | 'i64' | 'f32' | 'f64' | 'v128' | 'funcref' | 'externref'

export interface Sig {
  params: readonly ValType[]
  /** Zero or one result; multi-value results are not adapted (see `compatibility`). */
  results: readonly ValType[]
}

const LETTER: Record<ValType, string> = { i32: 'i', i64: 'j', f32: 'f', f64: 'd', v128: 'V', funcref: 'F', externref: 'E' }
const FROM_LETTER: Record<string, ValType> = Object.fromEntries(Object.entries(LETTER).map(([t, l]) => [l, t as ValType]))

const keys = new WeakMap<Sig, string>()
/** `(i32, i32) -> i32` as `iii`; multi-value results are joined with `+`. Cached per object: a transform asks once per table slot. */
export function sigKey(sig: Sig): string {
  let key = keys.get(sig)
  if (key === undefined) {
    const res = sig.results.length === 0 ? 'v' : sig.results.length === 1 ? LETTER[sig.results[0]] : `${sig.results.map(t => LETTER[t]).join('')}+`
    keys.set(sig, (key = res + sig.params.map(t => LETTER[t]).join('')))
  }
  return key
}

/**
 * A signature as the transform's metadata hands it to the runtime (WireSig,
 * see protocol.ts): the parameters' letters, a colon, the results' letters.
 * Unlike the Emscripten letters of `sigKey`, it says how many results there
 * are, so the runtime can write any signature's type (multi-value ones too)
 * for its type probes.
 */
export function wireSig(sig: Sig): WireSig {
  return `${sig.params.map(t => LETTER[t]).join('')}:${sig.results.map(t => LETTER[t]).join('')}`
}

/** Readable form for messages: `(i32, f64) -> i32`. */
export function sigText(sig: Sig): string {
  const res = sig.results.length === 0 ? 'void' : sig.results.join(', ')
  return `(${sig.params.join(', ')}) -> ${res}`
}

/**
 * Parses a signature written either as Emscripten letters (`vii`) or as
 * `(i32, i32) -> void`. Returns undefined when the text is neither.
 */
export function parseSig(text: string): Sig | undefined {
  const arrow = /^\s*\(([^)]*)\)\s*->\s*(.+?)\s*$/.exec(text)
  if (arrow) {
    const params = arrow[1]
      .split(',')
      .map(s => s.trim())
      .filter(Boolean)
    const results = arrow[2] === 'void' ? [] : arrow[2].split(',').map(s => s.trim())
    if (![...params, ...results].every(t => t in LETTER)) return undefined
    return { params: params as ValType[], results: results as ValType[] }
  }
  if (!/^[vijfdVFE][ijfdVFE]*$/.test(text)) return undefined
  const results = text[0] === 'v' ? [] : [FROM_LETTER[text[0]]]
  return { params: [...text.slice(1)].map(l => FROM_LETTER[l]), results }
}

export function sameSig(a: Sig, b: Sig): boolean {
  return sigKey(a) === sigKey(b)
}

/** How a call of type `site` can reach a function of type `target`. */
export type Compatibility = 'same' | 'adapt' | 'coerce' | 'incompatible'

function isNumeric(t: ValType): boolean {
  return t === 'i32' || t === 'i64' || t === 'f32' || t === 'f64'
}

function positionFits(a: ValType, b: ValType, coerce: boolean): 'same' | 'coerce' | 'no' {
  if (a === b) return 'same'
  return coerce && isNumeric(a) && isNumeric(b) ? 'coerce' : 'no'
}

export function compatibility(site: Sig, target: Sig, coerce: boolean): Compatibility {
  if (sameSig(site, target)) return 'same'
  if (site.results.length > 1 || target.results.length > 1) return 'incompatible'
  let needsCoerce = false
  const common = Math.min(site.params.length, target.params.length)
  for (let i = 0; i < common; i++) {
    const fit = positionFits(site.params[i], target.params[i], coerce)
    if (fit === 'no') return 'incompatible'
    if (fit === 'coerce') needsCoerce = true
  }
  if (site.results.length === 1 && target.results.length === 1) {
    const fit = positionFits(target.results[0], site.results[0], coerce)
    if (fit === 'no') return 'incompatible'
    if (fit === 'coerce') needsCoerce = true
  }
  return needsCoerce ? 'coerce' : 'adapt'
}
