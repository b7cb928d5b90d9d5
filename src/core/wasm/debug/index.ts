/**
 * The user's debug info across the rewrite: what can be carried to the
 * output, and what must be dropped.
 *
 * - Source maps (`-gsource-map`) are rewritten here: the input map's
 *   generated columns are byte offsets in the input file; each becomes the
 *   offset of the same instruction in the output, found by decoding both
 *   code sections and aligning each input body with its output body (the
 *   rewrite keeps function order, imports nothing and appends its own
 *   functions, so body i is body i; inside a body it inserts instructions at
 *   call sites, which a diff of the opcode sequences recovers). Instructions
 *   the rewrite added inherit the mapping before them; the functions it
 *   appended get a mapping with no source.
 *
 *     const map = remapSourceMap(inputMapText, offsetMap(inputBytes, outputBytes))
 *
 * - DWARF (`.debug_*`) is rewritten from the same offset map (dwarf/):
 *   line programs, address attributes, range and location lists. binaryen.js
 *   cannot do it (it is built without binaryen's DWARF support and copies
 *   these sections unchanged, so every address after the first rewritten
 *   site would point at another instruction). What dwarf/ cannot rewrite
 *   faithfully (64-bit DWARF, wasm64) is dropped with a warning: a wrong
 *   line table is worse than none.
 * - `external_debug_info` (`-gseparate-dwarf`) names a file that holds the
 *   module and its DWARF (what Emscripten writes): given as `debugFile`, it
 *   becomes the output plus the rewritten DWARF, and the output keeps the
 *   link; not given, the link is dropped with a warning (the callers that
 *   can reach files, the CLI and the Node API, read it beside the wasm).
 *
 * Limits: a body with an opcode the decoder does not know (GC, try_table,
 * anything newer) keeps no mapping (its segments are dropped and its output
 * range maps to no source); so does a body whose diff is too large.
 */
import { customSectionBytes, customSectionName, readU32, sections, skipLeb, writeU32 } from '../bytes.ts'
import { DwarfError, type DwarfSection, rewriteDwarf } from './dwarf/index.ts'
import { type OffsetMap, offsetMap } from './offset-map.ts'
import { type RemappedSourceMap, remapSourceMap } from './source-map.ts'

/** The payload of the first custom section named `name` (after its name), or undefined. */
export function customSection(bytes: Uint8Array, name: string): Uint8Array | undefined {
  return customSections(bytes, n => n === name)[0]?.payload
}

/** The custom sections whose names pass `keep`, in order, each with its payload (after its name). */
export function customSections(bytes: Uint8Array, keep: (name: string) => boolean): DwarfSection[] {
  const out: DwarfSection[] = []
  for (const section of sections(bytes)) {
    if (section.id !== 0) continue
    const name = customSectionName(bytes, section)
    if (!keep(name)) continue
    const nameStart = skipLeb(bytes, section.start)
    out.push({ name, payload: bytes.subarray(nameStart + readU32(bytes, section.start), section.end) })
  }
  return out
}

/** The module with custom sections appended (after the code: no code offset moves). */
export function appendCustomSections(bytes: Uint8Array, list: DwarfSection[]): Uint8Array {
  const parts = list.map(s => customSectionBytes(s.name, s.payload))
  const out = new Uint8Array(bytes.length + parts.reduce((n, p) => n + p.length, 0))
  out.set(bytes)
  let at = bytes.length
  for (const part of parts) {
    out.set(part, at)
    at += part.length
  }
  return out
}

/** A string as a custom section's payload holds it (`sourceMappingURL`, `external_debug_info`): its length, then its UTF-8 bytes. */
export function lengthPrefixed(text: string): Uint8Array {
  const value = new TextEncoder().encode(text)
  return Uint8Array.from([...writeU32(value.length), ...value])
}

/** The URL a `sourceMappingURL` section holds, or undefined. */
export function sourceMappingUrl(bytes: Uint8Array): string | undefined {
  const payload = customSection(bytes, 'sourceMappingURL')
  return payload && lengthPrefixedText(payload)
}

/** The URL an `external_debug_info` section holds (the separate DWARF file of `-gseparate-dwarf`), or undefined. */
export function externalDebugInfoUrl(bytes: Uint8Array): string | undefined {
  const payload = customSection(bytes, 'external_debug_info')
  return payload && lengthPrefixedText(payload)
}

export interface DebugInfoOptions {
  mode: 'keep' | 'strip'
  /** The input's source map (JSON text), when it has one. */
  sourceMap?: string
  /** The URL to write in the output's `sourceMappingURL` section; defaults to the input's. */
  sourceMapUrl?: string
  /** The separate DWARF file `external_debug_info` names (`-gseparate-dwarf`), when it was given. */
  debugFile?: Uint8Array
  /** The URL to write in the output's `external_debug_info` section; defaults to the input's. */
  debugFileUrl?: string
}

const isDwarf = (name: string) => name.startsWith('.debug_')

/**
 * What the transform does with the input's debug info once binaryen wrote
 * the output (`emitted`): the name section is binaryen's business (kept when
 * the input had one); DWARF is rewritten (or dropped with a warning when it
 * cannot be, see the file's header), `external_debug_info` dropped with a
 * warning; the source map is rewritten when the input's map was given, else
 * its URL is dropped. `strip` drops all of it without a word. An output
 * with none of these sections and no map given is returned as it is, byte
 * for byte.
 */
export function carryDebugInfo(
  input: Uint8Array,
  emitted: Uint8Array,
  options: DebugInfoOptions,
  drop: (bytes: Uint8Array, drop: (name: string) => boolean) => { bytes: Uint8Array; dropped: string[] },
): { wasm: Uint8Array; sourceMap?: string; debugFile?: Uint8Array; warnings: string[] } {
  const warnings: string[] = []
  const stale = drop(emitted, name => isDwarf(name) || name === 'sourceMappingURL' || name === 'external_debug_info')
  let wasm = stale.bytes
  if (options.mode === 'strip') return { wasm, warnings }
  // Both the DWARF and the source map follow the instructions through one map of the code (custom sections appended later do not move it).
  let offsets: OffsetMap | undefined
  const offsetsOnce = () => (offsets ??= offsetMap(input, stale.bytes))
  const strip = "pass debugInfo: 'strip' (CLI --strip-debug) to drop debug info without this warning"
  /** The DWARF sections of `from` rewritten for the output, or undefined (with a warning) when they cannot be. */
  const rewritten = (from: Uint8Array, what: string): DwarfSection[] | undefined => {
    const dwarf = customSections(from, isDwarf)
    try {
      const map = offsetsOnce()
      if (!map) throw new DwarfError('the code section could not be decoded')
      const r = rewriteDwarf(dwarf, map)
      if (r.dropped.length)
        warnings.push(
          `dropped ${r.dropped.join(', ')}${what}: this version does not know where these DWARF sections hold code addresses, which the rewrite moves; ${strip}`,
        )
      if (r.lost)
        warnings.push(
          `DWARF${what}: ${r.lost} line sequence(s), range(s) or address(es) lie in function bodies whose rewrite could not be followed (an opcode this version does not decode, or too many changes); they were left out or marked dead`,
        )
      return r.sections
    } catch (e) {
      if (!(e instanceof DwarfError)) throw e
      warnings.push(
        `dropped ${dwarf.map(s => s.name).join(', ')}${what}: the DWARF could not be rewritten for the moved code (${e.message}). Function names are kept (name section); ${strip}`,
      )
      return undefined
    }
  }
  if (stale.dropped.some(isDwarf)) {
    const dwarf = rewritten(input, '')
    if (dwarf) wasm = appendCustomSections(wasm, dwarf)
  }
  let debugFile: Uint8Array | undefined
  if (stale.dropped.includes('external_debug_info')) {
    const url = options.debugFileUrl ?? externalDebugInfoUrl(input) ?? ''
    const file = options.debugFile
    if (!file)
      warnings.push(
        `dropped external_debug_info (${url}): the separate DWARF file was not given, so it could not be rewritten for the moved code. Pass its bytes as the debugFile option (the CLI reads it beside the wasm), or ${strip}`,
      )
    else if (!sameCode(input, file))
      warnings.push(
        `dropped external_debug_info (${url}): the separate DWARF file given does not hold this wasm's code (a file from another build?), so its addresses cannot be followed`,
      )
    else {
      const dwarf = rewritten(file, ` of ${url}`)
      if (dwarf) {
        // The file as Emscripten writes it: the module (now the output, without the link) and its DWARF.
        debugFile = appendCustomSections(stale.bytes, dwarf)
        wasm = appendCustomSections(wasm, [{ name: 'external_debug_info', payload: lengthPrefixed(url) }])
      }
    }
  }
  if (options.sourceMap === undefined) {
    if (stale.dropped.includes('sourceMappingURL'))
      warnings.push(
        `dropped sourceMappingURL (${sourceMappingUrl(input)}): the map was not given, so it could not be rewritten. Pass its text as the sourceMap option (the CLI reads it beside the wasm), or debugInfo: 'strip' to drop it without this warning`,
      )
    return { wasm, debugFile, warnings }
  }
  let remapped: RemappedSourceMap
  try {
    const map = offsetsOnce()
    if (!map) {
      warnings.push('the source map was not rewritten and is not referenced by the output: the code section could not be read')
      return { wasm, debugFile, warnings }
    }
    remapped = remapSourceMap(options.sourceMap, map)
  } catch (e) {
    warnings.push(`the source map was not rewritten and is not referenced by the output: ${(e as Error).message}`)
    return { wasm, debugFile, warnings }
  }
  if (remapped.dropped)
    warnings.push(
      `source map: ${remapped.dropped} of ${remapped.kept + remapped.dropped} mappings dropped (outside the code, or in function bodies this version cannot decode)`,
    )
  const url = options.sourceMapUrl ?? sourceMappingUrl(input)
  if (url) wasm = appendCustomSections(wasm, [{ name: 'sourceMappingURL', payload: lengthPrefixed(url) }])
  return { wasm, sourceMap: remapped.text, debugFile, warnings }
}

/** Whether two modules have the same code section (a separate DWARF file and the wasm it describes). */
function sameCode(a: Uint8Array, b: Uint8Array): boolean {
  const code = (bytes: Uint8Array) => {
    const s = sections(bytes).find(x => x.id === 10)
    return s ? bytes.subarray(s.start, s.end) : new Uint8Array(0)
  }
  const x = code(a),
    y = code(b)
  if (x.length !== y.length) return false
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false
  return true
}

/** The string a length-prefixed payload holds. */
function lengthPrefixedText(payload: Uint8Array): string {
  const start = skipLeb(payload, 0)
  return new TextDecoder().decode(payload.subarray(start, start + readU32(payload, 0)))
}
