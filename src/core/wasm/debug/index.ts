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
 *     const map = remapSourceMap(inputMapText, inputBytes, outputBytes)
 *
 * - DWARF (`.debug_*`) is dropped, and so is `external_debug_info`
 *   (`-gseparate-dwarf`), whose file holds the same DWARF: binaryen.js is
 *   built without binaryen's DWARF support (BUILD_LLVM_DWARF is off for its
 *   Emscripten build; its C API reader never asks for code locations), so it
 *   copies `.debug_*` sections byte for byte and every address after the
 *   first rewritten site is stale (measured: 8 of 10 call_indirect sites and
 *   3,042 of 3,244 instructions resolved to another line in the catalogue
 *   fixture). A wrong line table is worse than none. Updating DWARF here
 *   would take a rewrite of `.debug_line`, `.debug_info` (low_pc/high_pc),
 *   `.debug_ranges` and `.debug_loc` from the same offset map.
 *
 * Limits: a body with an opcode the decoder does not know (GC, try_table,
 * anything newer) keeps no mapping (its segments are dropped and its output
 * range maps to no source); so does a body whose diff is too large.
 */
import { customSectionName, readU32, sections, skipLeb, writeU32 } from '../bytes.ts'
import { type RemappedSourceMap, remapSourceMap } from './source-map.ts'

/** The payload of the first custom section named `name` (after its name), or undefined. */
export function customSection(bytes: Uint8Array, name: string): Uint8Array | undefined {
  const section = sections(bytes).find(s => s.id === 0 && customSectionName(bytes, s) === name)
  if (!section) return undefined
  const nameStart = skipLeb(bytes, section.start)
  return bytes.subarray(nameStart + readU32(bytes, section.start), section.end)
}

/** The `sourceMappingURL` custom section for `url`: a section whose payload is the URL as a length-prefixed string. */
export function sourceMappingUrlSection(url: string): Uint8Array {
  const enc = new TextEncoder()
  const name = enc.encode('sourceMappingURL')
  const value = enc.encode(url)
  const payload = [...writeU32(name.length), ...name, ...writeU32(value.length), ...value]
  return Uint8Array.from([0, ...writeU32(payload.length), ...payload])
}

/** The URL a `sourceMappingURL` section holds, or undefined. */
export function sourceMappingUrl(bytes: Uint8Array): string | undefined {
  const payload = customSection(bytes, 'sourceMappingURL')
  if (!payload) return undefined
  const start = skipLeb(payload, 0)
  return new TextDecoder().decode(payload.subarray(start, start + readU32(payload, 0)))
}

export interface DebugInfoOptions {
  mode: 'keep' | 'strip'
  /** The input's source map (JSON text), when it has one. */
  sourceMap?: string
  /** The URL to write in the output's `sourceMappingURL` section; defaults to the input's. */
  sourceMapUrl?: string
}

const isDwarf = (name: string) => name.startsWith('.debug_')

/**
 * What the transform does with the input's debug info once binaryen wrote
 * the output (`emitted`): the name section is binaryen's business (kept when
 * the input had one); DWARF and `external_debug_info` are dropped (see the
 * file's header); the source map is rewritten when the input's map was
 * given, else its URL is dropped. `strip` drops all of it without a word.
 * An output with none of these sections and no map given is returned as it
 * is, byte for byte.
 */
export function carryDebugInfo(
  input: Uint8Array,
  emitted: Uint8Array,
  options: DebugInfoOptions,
  drop: (bytes: Uint8Array, drop: (name: string) => boolean) => { bytes: Uint8Array; dropped: string[] },
): { wasm: Uint8Array; sourceMap?: string; warnings: string[] } {
  const warnings: string[] = []
  const stale = drop(emitted, name => isDwarf(name) || name === 'sourceMappingURL' || name === 'external_debug_info')
  let wasm = stale.bytes
  if (options.mode === 'strip') return { wasm, warnings }
  const dwarf = stale.dropped.filter(n => isDwarf(n) || n === 'external_debug_info')
  if (dwarf.length)
    warnings.push(
      `dropped ${dwarf.join(', ')}: binaryen.js cannot update DWARF (it is built without DWARF support and copies these sections unchanged), so their code addresses would point at the wrong instructions after the rewrite. Function names are kept (name section); build with -gsource-map for a source map that is rewritten with the module, or pass debugInfo: 'strip' (CLI --strip-debug) to drop debug info without this warning`,
    )
  if (options.sourceMap === undefined) {
    if (stale.dropped.includes('sourceMappingURL'))
      warnings.push(
        `dropped sourceMappingURL (${sourceMappingUrl(input)}): the map was not given, so it could not be rewritten. Pass its text as the sourceMap option (the CLI reads it beside the wasm), or debugInfo: 'strip' to drop it without this warning`,
      )
    return { wasm, warnings }
  }
  let remapped: RemappedSourceMap | undefined
  try {
    remapped = remapSourceMap(options.sourceMap, input, wasm)
  } catch (e) {
    warnings.push(`the source map was not rewritten and is not referenced by the output: ${(e as Error).message}`)
    return { wasm, warnings }
  }
  if (!remapped) {
    warnings.push('the source map was not rewritten and is not referenced by the output: the code section could not be read')
    return { wasm, warnings }
  }
  if (remapped.dropped)
    warnings.push(
      `source map: ${remapped.dropped} of ${remapped.kept + remapped.dropped} mappings dropped (outside the code, or in function bodies this version cannot decode)`,
    )
  const url = options.sourceMapUrl ?? sourceMappingUrl(input)
  if (url) {
    // After the code section (at the very end): code offsets do not move.
    const section = sourceMappingUrlSection(url)
    const out = new Uint8Array(wasm.length + section.length)
    out.set(wasm)
    out.set(section, wasm.length)
    wasm = out
  }
  return { wasm, sourceMap: remapped.text, warnings }
}
