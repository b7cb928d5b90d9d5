/**
 * The address ranges DIEs point at: DWARF 2-4 `.debug_ranges` and
 * `.debug_loc` lists and `.debug_aranges`, patched in place; DWARF 5
 * `.debug_rnglists` and `.debug_loclists`, written again (their entries are
 * LEB128 numbers, which may need more bytes once moved), and the code
 * addresses in `.debug_addr`.
 */
import { Cursor, DwarfError, LOST, type Move, movedOrKept, OUTSIDE, Output } from './common.ts'
import { addressAt, type RangeListUse } from './units.ts'

/**
 * One `.debug_ranges` or `.debug_loc` list (DWARF 2–4), patched in place:
 * each (begin, end) pair moves against the base address; a pair in a lost
 * body becomes an empty range. Location entries carry an expression after
 * the pair, which stays.
 */
export function patchRangeList(bytes: Uint8Array, at: number, unitBase: number, move: Move, state: { lost: number }, locations: boolean) {
  const name = locations ? '.debug_loc' : '.debug_ranges'
  const c = new Cursor(bytes, at, name)
  const size = 4
  const max = 0xffffffff
  const view = c.view
  const put = (p: number, v: number) => view.setUint32(p, v, true)
  // Moved bases: where the base is code, offsets count from its new place.
  let base = unitBase
  let newBase = movedOrKept(move, base) ?? base
  for (;;) {
    const p = c.p
    const begin = c.uint(size)
    const end = c.uint(size)
    if (begin === 0 && end === 0) return
    if (begin === max) {
      base = end
      const moved = movedOrKept(move, end)
      newBase = moved ?? end
      if (moved !== undefined) put(p + size, moved)
      continue
    }
    if (locations) c.skip(c.u16())
    const from = move((base + begin) >>> 0)
    if (from === OUTSIDE) continue
    const to = move((base + end) >>> 0)
    // A lost body, or an empty range at the base (written as it is it would read (0, 0): the end of the list).
    if (from < 0 || to < 0 || to < from || (from === newBase && to === newBase)) {
      // An empty range that is neither the end of the list nor a base selection.
      if (!(from === newBase && to === newBase)) state.lost++
      put(p, 0xfffffffe)
      put(p + size, 0xfffffffe)
      continue
    }
    put(p, from - newBase)
    put(p + size, to - newBase)
  }
}

/** `.debug_aranges`: each (address, length) moved in place. */
export function patchAranges(bytes: Uint8Array, move: Move, state: { lost: number }): Uint8Array {
  const c = new Cursor(bytes, 0, '.debug_aranges')
  while (c.p < bytes.length) {
    const unitStart = c.p
    const end = c.unitEnd()
    c.skip(6) // version, debug_info_offset
    const size = c.u8()
    if (size !== 4) throw new DwarfError(`.debug_aranges: address size ${size}`)
    c.u8() // segment selector size
    // Tuples start at a multiple of twice the address size from the unit's start.
    c.p = unitStart + Math.ceil((c.p - unitStart) / (2 * size)) * 2 * size
    while (c.p + 2 * size <= end) {
      const p = c.p
      const address = c.u32()
      const length = c.u32()
      if (address === 0 && length === 0) break
      const from = move(address)
      if (from === OUTSIDE) continue
      const to = move(address + length)
      if (from < 0 || to < from) {
        state.lost++
        c.view.setUint32(p, 0xfffffffe, true)
        c.view.setUint32(p + 4, 0, true)
        continue
      }
      c.view.setUint32(p, from, true)
      c.view.setUint32(p + 4, to - from, true)
    }
    c.p = end
  }
  return bytes
}

/** `.debug_addr` (DWARF 5): the entries the DIEs and range lists use as code addresses moved, in place; the others are memory addresses and stay. */
export function patchAddresses(bytes: Uint8Array, code: Set<number>, move: Move, state: { lost: number }): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  for (const at of code) {
    if (at + 4 > bytes.length) throw new DwarfError(`.debug_addr has no entry at 0x${at.toString(16)}`)
    const to = move(view.getUint32(at, true))
    if (to === OUTSIDE) continue
    if (to === LOST) state.lost++
    view.setUint32(at, to === LOST ? 0xffffffff : to, true)
  }
}

// DWARF 5 list entries, by what they hold (DW_RLE_* and DW_LLE_* number them differently).
const END_OF_LIST = 0,
  BASE_ADDRESSX = 1,
  STARTX_ENDX = 2,
  STARTX_LENGTH = 3,
  OFFSET_PAIR = 4,
  BASE_ADDRESS = 5,
  START_END = 6,
  START_LENGTH = 7,
  DEFAULT_LOCATION = 8
/** DW_LLE_* -> the kinds above (DW_RLE_* are the kinds themselves). */
const LOCATION_KINDS = [END_OF_LIST, BASE_ADDRESSX, STARTX_ENDX, STARTX_LENGTH, OFFSET_PAIR, DEFAULT_LOCATION, BASE_ADDRESS, START_END, START_LENGTH]

/**
 * `.debug_rnglists` or `.debug_loclists` written again with every range
 * moved: each unit's header, its offset table (renumbered) and its lists;
 * a location entry's expression is copied after its range. `uses` gives
 * each list the DIEs point at its base address and `.debug_addr` base; the
 * entries that name `.debug_addr` entries mark them as code (`code`).
 * Returns the new bytes and where each old list and offset table now starts.
 */
export function rewriteLists(
  src: Uint8Array,
  locations: boolean,
  uses: Map<number, RangeListUse>,
  addr: Uint8Array | undefined,
  code: Set<number>,
  move: Move,
  state: { lost: number },
): { bytes: Uint8Array; moves: Map<number, number> } {
  const name = locations ? '.debug_loclists' : '.debug_rnglists'
  const c = new Cursor(src, 0, name)
  const out = new Output()
  const moves = new Map<number, number>()
  const moved = (a: number) => movedOrKept(move, a)
  const expression = () => {
    const length = c.uleb()
    out.uleb(length)
    c.need(length)
    out.copy(src.subarray(c.p, c.p + length))
    c.p += length
  }
  while (c.p < src.length) {
    const unitStart = c.p
    const end = c.unitEnd()
    const version = c.u16()
    const addressSize = c.u8()
    c.u8() // segment selector size
    const count = c.u32()
    if (version !== 5 || addressSize !== 4) throw new DwarfError(`${name}: version ${version}, ${addressSize}-byte addresses at 0x${unitStart.toString(16)}`)
    const tableBase = c.p
    const offsets: number[] = []
    for (let i = 0; i < count; i++) offsets.push(c.u32())
    const newUnit = out.length
    out.uint(0, 4)
    out.copy(src.subarray(unitStart + 4, tableBase))
    const newTable = out.length
    moves.set(tableBase, newTable)
    for (let i = 0; i < count; i++) out.uint(0, 4)
    while (c.p < end) {
      moves.set(c.p, out.length)
      const use = uses.get(c.p)
      let base = use?.base ?? 0
      const addrBase = use?.addrBase ?? 8
      const at = (index: number) => {
        code.add(addrBase + index * 4)
        return addressAt(addr, addrBase, index)
      }
      for (;;) {
        const raw = c.u8()
        out.u8(raw)
        const kind = locations ? LOCATION_KINDS[raw] : raw <= START_LENGTH ? raw : undefined
        if (kind === END_OF_LIST) break
        if (kind === BASE_ADDRESSX) {
          const index = c.uleb()
          base = at(index)
          out.uleb(index)
          continue
        }
        if (kind === BASE_ADDRESS) {
          base = c.u32()
          out.uint(moved(base) ?? 0xffffffff, 4)
          continue
        }
        if (kind === STARTX_ENDX) {
          const i = c.uleb(),
            j = c.uleb()
          at(i)
          at(j)
          out.uleb(i)
          out.uleb(j)
        } else if (kind === STARTX_LENGTH) {
          const index = c.uleb()
          const length = c.uleb()
          const start = at(index)
          out.uleb(index)
          out.uleb(movedLength(start, length, moved, state))
        } else if (kind === OFFSET_PAIR) {
          const from = c.uleb(),
            to = c.uleb()
          const newBase = moved(base) ?? base
          const a = moved(base + from),
            b = moved(base + to)
          if (a === undefined || b === undefined || a < newBase || b < a) {
            // Lost: an empty range.
            state.lost++
            out.uleb(0)
            out.uleb(0)
          } else {
            out.uleb(a - newBase)
            out.uleb(b - newBase)
          }
        } else if (kind === START_END) {
          const a = c.u32(),
            b = c.u32()
          const from = moved(a),
            to = moved(b)
          if (from === undefined || to === undefined) state.lost++
          out.uint(from ?? 0xffffffff, 4)
          out.uint(to ?? 0xffffffff, 4)
        } else if (kind === START_LENGTH) {
          const start = c.u32()
          const length = c.uleb()
          out.uint(moved(start) ?? 0xffffffff, 4)
          out.uleb(movedLength(start, length, moved, state))
        } else if (kind !== DEFAULT_LOCATION) throw new DwarfError(`${name}: entry kind ${raw} at 0x${(c.p - 1).toString(16)}`)
        if (locations) expression()
      }
    }
    if (c.p !== end) throw new DwarfError(`${name}: a list runs past its unit at 0x${end.toString(16)}`)
    for (let i = 0; i < count; i++) {
      const to = moves.get(tableBase + offsets[i])
      if (to === undefined) throw new DwarfError(`${name}: offset table entry ${i} of the unit at 0x${unitStart.toString(16)} points inside a list`)
      out.patchU32(newTable + 4 * i, to - newTable)
    }
    out.patchU32(newUnit, out.length - newUnit - 4)
  }
  return { bytes: out.result(), moves }
}

/** The length of [start, start + length) once both ends moved; 0 when either is lost, as it was outside the code. */
function movedLength(start: number, length: number, moved: (a: number) => number | undefined, state: { lost: number }): number {
  const from = moved(start),
    to = moved(start + length)
  if (from === undefined || to === undefined || to < from) {
    state.lost++
    return 0
  }
  return from === start && to === start + length ? length : to - from
}
