/** The lists of address ranges DIEs point at (`.debug_ranges`, `.debug_loc`) and `.debug_aranges`, patched in place. */
import { Cursor, DwarfError, type Move, OUTSIDE } from './common.ts'

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
  let newBase = move(base) >= 0 ? move(base) : base
  for (;;) {
    const p = c.p
    const begin = c.uint(size)
    const end = c.uint(size)
    if (begin === 0 && end === 0) return
    if (begin === max) {
      base = end
      const moved = move(end)
      newBase = moved >= 0 ? moved : end
      if (moved >= 0) put(p + size, moved)
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
