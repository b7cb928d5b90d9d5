/**
 * DWARF (`-g`) carried across the rewrite: every code address in the
 * input's `.debug_*` sections moves to where the offset map says its
 * instruction now is. binaryen.js cannot do this (it is built without
 * binaryen's DWARF support and copies these sections unchanged), and no
 * maintained JavaScript library reads and writes DWARF, so the few places
 * that hold code addresses are rewritten here:
 *
 * - `.debug_line`: each line program is run into its rows and written again
 *   (the header as it was), with the rows' addresses moved. A sequence that
 *   starts outside every function body (a linker's tombstone for dead code)
 *   is kept as it was; one in a body the offset map could not align is left
 *   out. The units' sizes change, so `DW_AT_stmt_list` follows them.
 * - `.debug_info` and `.debug_types`: patched in place. `DW_FORM_addr` values
 *   of address attributes (low_pc, high_pc, entry_pc, call sites) move;
 *   a high_pc given as a length becomes the moved end minus the moved start,
 *   in the same number of bytes (an error when it does not fit). DIE offsets
 *   do not change, so nothing that points into `.debug_info` does either.
 * - `.debug_ranges`, `.debug_loc`: the lists the DIEs point at, each pair
 *   moved against its base address (the unit's low_pc, or a base selection
 *   entry). Same sizes, patched in place.
 * - `.debug_aranges`: each (address, length) moved in place.
 * - DWARF 5: `.debug_addr` entries that the DIEs and lists use as code
 *   addresses move in place (the others are memory addresses, for
 *   DW_OP_addrx); `.debug_rnglists` and `.debug_loclists` are written again
 *   (their LEB128 offsets may need more bytes once moved), their offset
 *   tables renumbered, and the units' list offsets and bases follow.
 *
 * Sections that hold neither code addresses nor offsets into a section
 * that changes size (`.debug_abbrev`, `.debug_str`, ...) are copied;
 * any other `.debug_*` section is left out and named, since its addresses
 * would go stale. Instructions the rewrite inserted before a call site
 * belong to the row before them (as in the source map); the functions it
 * appended are in no unit.
 *
 * Variable locations (`DW_OP_WASM_location`) name locals by index: the
 * copy writer keeps every body's locals and appends its own, and binaryen
 * keeps them in order when the module has `.debug_*` sections; a body
 * whose locals moved anyway makes the whole rewrite fail (DwarfError), so
 * that no location names the wrong local.
 *
 * Limits: 32-bit DWARF, versions 2 to 5 (Emscripten writes 4 by default,
 * up to 4.x at least; DWARF 5 units may sit beside DWARF 4 ones, as libc's
 * do). 64-bit DWARF and wasm64's 8-byte addresses raise a DwarfError,
 * and the caller drops the DWARF with a warning.
 */
import type { OffsetMap } from '../offset-map.ts'
import { DwarfError, LOST, OUTSIDE } from './common.ts'
import { rewriteLines } from './line.ts'
import { patchAddresses, patchAranges, patchRangeList, rewriteLists } from './lists.ts'
import { type Lists, patchUnits } from './units.ts'

export { DwarfError }

export interface DwarfSection {
  name: string
  payload: Uint8Array
}

export interface DwarfResult {
  /** The sections for the output, in the input's order. */
  sections: DwarfSection[]
  /** `.debug_*` sections left out: this version does not know where they hold addresses. */
  dropped: string[]
  /** Line sequences, ranges and addresses in function bodies the offset map could not align: left out or marked dead. */
  lost: number
}

/** Copied as they are: no code address, and no offset into a section whose size changes. */
const COPIED = new Set([
  '.debug_abbrev',
  '.debug_str',
  '.debug_line_str',
  '.debug_str_offsets',
  '.debug_pubnames',
  '.debug_pubtypes',
  '.debug_gnu_pubnames',
  '.debug_gnu_pubtypes',
  '.debug_macinfo',
  '.debug_names',
])
const REWRITTEN = new Set([
  '.debug_info',
  '.debug_types',
  '.debug_line',
  '.debug_ranges',
  '.debug_loc',
  '.debug_aranges',
  '.debug_addr',
  '.debug_rnglists',
  '.debug_loclists',
])

/**
 * The input's `.debug_*` sections rewritten for the output that `offsets`
 * describes. Throws DwarfError for what it cannot rewrite faithfully.
 */
export function rewriteDwarf(input: DwarfSection[], offsets: OffsetMap): DwarfResult {
  if (offsets.localsMoved.length)
    throw new DwarfError(
      `the locals of ${offsets.localsMoved.length} function(s) were renumbered (first: defined function ${offsets.localsMoved[0]}), so variable locations would name the wrong locals`,
    )
  const byName = new Map(input.map(s => [s.name, s.payload]))
  const move = (address: number): number => {
    const to = offsets.map(address + offsets.inputCodeStart)
    if (to !== undefined) return to - offsets.outputCodeStart
    return offsets.lost(address + offsets.inputCodeStart) ? LOST : OUTSIDE
  }
  const state = { lost: 0 }
  const out = new Map<string, Uint8Array>()
  const line = byName.get('.debug_line')
  const unitMoves = new Map<number, number>()
  if (line) out.set('.debug_line', rewriteLines(line, move, unitMoves, state))
  const abbrev = byName.get('.debug_abbrev') ?? new Uint8Array(0)
  // Patched in place, so copied first (a Node Buffer's slice() would be a view of the input).
  const copy = (bytes: Uint8Array | undefined) => bytes && new Uint8Array(bytes)
  const ranges = copy(byName.get('.debug_ranges'))
  const loc = copy(byName.get('.debug_loc'))
  const addr = byName.get('.debug_addr')
  const listSections = { ranges: byName.get('.debug_rnglists'), locations: byName.get('.debug_loclists') }
  const lists: Lists = { ranges: new Map(), locations: new Map(), rangeLists: new Map(), locationLists: new Map(), codeAddresses: new Set(), listOffsets: [] }
  const units = new Map<string, Uint8Array>()
  for (const name of ['.debug_info', '.debug_types']) {
    const bytes = copy(byName.get(name))
    if (!bytes) continue
    patchUnits(bytes, abbrev, name === '.debug_types', move, unitMoves, state, addr, listSections, lists)
    units.set(name, bytes)
  }
  if ((lists.ranges.size && !ranges) || (lists.locations.size && !loc))
    throw new DwarfError('the units point into a .debug_ranges or .debug_loc section the module does not have')
  if (ranges) for (const [at, use] of lists.ranges) patchRangeList(ranges, at, use.base, move, state, false)
  if (loc) for (const [at, use] of lists.locations) patchRangeList(loc, at, use.base, move, state, true)
  // DWARF 5: the lists are written again, so the units' offsets into them follow.
  for (const locations of [false, true]) {
    const section = locations ? listSections.locations : listSections.ranges
    const name = locations ? '.debug_loclists' : '.debug_rnglists'
    const offsets = lists.listOffsets.filter(o => o.locations === locations)
    if (!section) {
      if (offsets.length) throw new DwarfError(`the units point into a ${name} section the module does not have`)
      continue
    }
    const rewritten = rewriteLists(section, locations, locations ? lists.locationLists : lists.rangeLists, addr, lists.codeAddresses, move, state)
    out.set(name, rewritten.bytes)
    for (const { at, offset } of offsets) {
      const to = rewritten.moves.get(offset)
      if (to === undefined) throw new DwarfError(`.debug_info: an offset 0x${offset.toString(16)} into ${name} that starts no list`)
      new DataView(units.get('.debug_info')!.buffer).setUint32(at, to, true)
    }
  }
  if (addr) {
    const patched = copy(addr)!
    patchAddresses(patched, lists.codeAddresses, move, state)
    out.set('.debug_addr', patched)
  }
  for (const [name, bytes] of units) out.set(name, bytes)
  if (ranges) out.set('.debug_ranges', ranges)
  if (loc) out.set('.debug_loc', loc)
  const aranges = byName.get('.debug_aranges')
  if (aranges) out.set('.debug_aranges', patchAranges(copy(aranges)!, move, state))
  const sections: DwarfSection[] = []
  const dropped: string[] = []
  for (const { name, payload } of input) {
    if (REWRITTEN.has(name)) sections.push({ name, payload: out.get(name)! })
    else if (COPIED.has(name)) sections.push({ name, payload })
    else dropped.push(name)
  }
  return { sections, dropped, lost: state.lost }
}
