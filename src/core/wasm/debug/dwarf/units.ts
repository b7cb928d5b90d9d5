/**
 * `.debug_info` and `.debug_types`: the DIEs walked and their code
 * addresses, lengths and line-table offsets patched in place; what they
 * point at in other sections (range and location lists, `.debug_addr`
 * entries that are code addresses) collected for lists.ts.
 */
import { Cursor, DwarfError, LOST, type Move, OUTSIDE } from './common.ts'

/** Attributes whose DW_FORM_addr value is a code address: low_pc, high_pc, entry_pc, call_return_pc, call_pc. */
const ADDRESS_ATTRIBUTES = new Set([0x11, 0x12, 0x52, 0x7d, 0x81])
/** Attributes of the loclistptr class (their sec_offset points into .debug_loc). */
const LOCATION_ATTRIBUTES = new Set([0x02, 0x19, 0x2a, 0x2e, 0x38, 0x40, 0x48, 0x4a, 0x4d])
const AT_STMT_LIST = 0x10
const AT_LOW_PC = 0x11
const AT_HIGH_PC = 0x12
const AT_RANGES = 0x55
const AT_ADDR_BASE = 0x73
const AT_RNGLISTS_BASE = 0x74
const AT_LOCLISTS_BASE = 0x8c

const FORM_ADDR = 0x01
const FORM_DATA2 = 0x05
const FORM_DATA4 = 0x06
const FORM_DATA8 = 0x07
const FORM_DATA1 = 0x0b
const FORM_SDATA = 0x0d
const FORM_UDATA = 0x0f
const FORM_INDIRECT = 0x16
const FORM_SEC_OFFSET = 0x17
const FORM_IMPLICIT_CONST = 0x21
const FORM_LOCLISTX = 0x22
const FORM_RNGLISTX = 0x23
/** addrx, addrx1..addrx4, GNU_addr_index: an index into .debug_addr. */
const ADDRX_FORMS = new Set([0x1b, 0x29, 0x2a, 0x2b, 0x2c, 0x1f01])

interface Abbreviation {
  /** Per attribute: name, form, and the implicit_const value (0 when none). */
  attributes: number[]
}

function readAbbreviations(src: Uint8Array, offset: number): Map<number, Abbreviation> {
  const c = new Cursor(src, offset, '.debug_abbrev')
  const table = new Map<number, Abbreviation>()
  for (;;) {
    const code = c.uleb()
    if (code === 0) return table
    c.uleb() // tag
    c.u8() // children
    const attributes: number[] = []
    for (;;) {
      const name = c.uleb()
      const form = c.uleb()
      if (name === 0 && form === 0) break
      attributes.push(name, form, form === FORM_IMPLICIT_CONST ? c.sleb() : 0)
    }
    table.set(code, { attributes })
  }
}

/** Byte sizes of the fixed-size forms (32-bit DWARF), by form code; -1 for the others. */
const FIXED_SIZE = new Int8Array(0x2d).fill(-1)
for (const [form, size] of [
  [0x05, 2],
  [0x06, 4],
  [0x07, 8],
  [0x0b, 1],
  [0x0c, 1],
  [0x0e, 4],
  [0x11, 1],
  [0x12, 2],
  [0x13, 4],
  [0x14, 8],
  [0x17, 4],
  [0x19, 0],
  [0x1c, 4],
  [0x1d, 4],
  [0x1e, 16],
  [0x1f, 4],
  [0x20, 8],
  [0x21, 0],
  [0x24, 8],
  [0x25, 1],
  [0x26, 2],
  [0x27, 3],
  [0x28, 4],
  [0x29, 1],
  [0x2a, 2],
  [0x2b, 3],
  [0x2c, 4],
])
  FIXED_SIZE[form] = size

/** A list the DIEs point at: its unit's base address and (DWARF 5) `.debug_addr` base, which its entries' addresses count from. */
export interface RangeListUse {
  base: number
  addrBase: number
}

/** What the DIEs point at in other sections. */
export interface Lists {
  /** DWARF 2-4 `.debug_ranges` and `.debug_loc` lists, by offset. */
  ranges: Map<number, RangeListUse>
  locations: Map<number, RangeListUse>
  /** DWARF 5 `.debug_rnglists` and `.debug_loclists` lists, by offset. */
  rangeLists: Map<number, RangeListUse>
  locationLists: Map<number, RangeListUse>
  /** Offsets in `.debug_addr` of entries that are code addresses (the others, DW_OP_addrx operands, are memory). */
  codeAddresses: Set<number>
  /** Places in the units that hold an offset into `.debug_rnglists` or `.debug_loclists` (the lists, the bases of their offset tables): patched once those are rewritten. */
  listOffsets: { at: number; offset: number; locations: boolean }[]
}

/** The original `.debug_addr` entry at `addrBase + index * 4` (a DWARF 5 unit's indexed address). */
export function addressAt(addr: Uint8Array | undefined, addrBase: number, index: number): number {
  const at = addrBase + index * 4
  if (!addr || at + 4 > addr.length) throw new DwarfError(`.debug_addr has no entry ${index} after 0x${addrBase.toString(16)}`)
  return new DataView(addr.buffer, addr.byteOffset, addr.byteLength).getUint32(at, true)
}

/**
 * Walks every unit's DIEs and patches, in place: code addresses, high_pc
 * lengths and stmt_list offsets. Returns what they point at elsewhere.
 * `addr` and `rangeLists` are the input's `.debug_addr` and
 * `.debug_rnglists` (DWARF 5), read to resolve indexed addresses and lists.
 */
export function patchUnits(
  bytes: Uint8Array,
  abbrevSection: Uint8Array,
  typeUnits: boolean,
  move: Move,
  unitMoves: Map<number, number>,
  state: { lost: number },
  addr: Uint8Array | undefined,
  listSections: { ranges?: Uint8Array; locations?: Uint8Array },
  lists: Lists,
): void {
  const name = typeUnits ? '.debug_types' : '.debug_info'
  const c = new Cursor(bytes, 0, name)
  const tables = new Map<number, Map<number, Abbreviation>>()
  const write = (at: number, value: number, size: number) => {
    for (let i = 0; i < size; i++) {
      bytes[at + i] = value % 256
      value = Math.floor(value / 256)
    }
  }
  const addList = (into: Map<number, RangeListUse>, offset: number, use: RangeListUse) => {
    const known = into.get(offset)
    if (known && (known.base !== use.base || known.addrBase !== use.addrBase))
      throw new DwarfError(`${name}: the list at 0x${offset.toString(16)} is used with two base addresses`)
    into.set(offset, use)
  }
  while (c.p < bytes.length) {
    const unitStart = c.p
    const end = c.unitEnd()
    const version = c.u16()
    if (version < 2 || version > 5) throw new DwarfError(`${name}: version ${version} at 0x${unitStart.toString(16)}`)
    let abbrevOffset: number
    let addressSize: number
    if (version === 5) {
      const unitType = c.u8()
      addressSize = c.u8()
      abbrevOffset = c.u32()
      // skeleton and split_compile carry a dwo_id; type and split_type a signature and an offset.
      if (unitType === 4 || unitType === 5) c.skip(8)
      else if (unitType === 2 || unitType === 6) c.skip(12)
    } else {
      abbrevOffset = c.u32()
      addressSize = c.u8()
      if (typeUnits) c.skip(12) // type_signature, type_offset
    }
    if (addressSize !== 4) throw new DwarfError(`${name}: ${addressSize}-byte addresses (only wasm32's 4 are rewritten)`)
    let table = tables.get(abbrevOffset)
    if (!table) tables.set(abbrevOffset, (table = readAbbreviations(abbrevSection, abbrevOffset)))
    let base: number | undefined
    // DWARF 5: where this unit's indexed addresses and range lists start (the first DIE says; these are the defaults).
    let addrBase = 8
    let rangeListsBase = 12
    let locationListsBase = 12
    while (c.p < end) {
      const code = c.uleb()
      if (code === 0) continue
      const abbreviation = table.get(code)
      if (!abbreviation) throw new DwarfError(`${name}: abbreviation ${code} at 0x${(c.p - 1).toString(16)} is not in .debug_abbrev`)
      const a = abbreviation.attributes
      let low: number | undefined
      let lowIndex: number | undefined
      let high: { at: number; form: number; size: number; value: number } | undefined
      const addresses: [number, number][] = []
      const addressIndices: number[] = []
      const ranges: number[] = []
      const rangeIndices: number[] = []
      const locations: number[] = []
      const locationIndices: number[] = []
      for (let i = 0; i < a.length; i += 3) {
        const attribute = a[i]
        let form = a[i + 1]
        while (form === FORM_INDIRECT) form = c.uleb()
        const at = c.p
        let value = 0
        if (form === FORM_ADDR) value = c.uint(addressSize)
        else if (form === 0x10)
          c.skip(version === 2 ? addressSize : 4) // ref_addr
        else if (
          form === FORM_UDATA ||
          form === FORM_SDATA ||
          form === 0x15 ||
          form === 0x1a ||
          form === 0x1b ||
          form === 0x22 ||
          form === 0x23 ||
          form === 0x1f01 ||
          form === 0x1f02
        )
          value = form === FORM_SDATA ? c.sleb() : c.uleb()
        else if (form === 0x08) c.cstring()
        else if (form === 0x09 || form === 0x18)
          c.skip(c.uleb()) // block, exprloc
        else if (form === 0x0a) c.skip(c.u8())
        else if (form === 0x03) c.skip(c.u16())
        else if (form === 0x04) c.skip(c.u32())
        else if (form === 0x1f20 || form === 0x1f21) c.skip(4)
        else if (form < FIXED_SIZE.length && FIXED_SIZE[form] >= 0) {
          const size = FIXED_SIZE[form]
          if (size >= 1 && size <= 4) value = c.uint(size)
          else c.skip(size)
        } else throw new DwarfError(`${name}: unknown form 0x${form.toString(16)} at 0x${at.toString(16)}`)
        const offsetForm = form === FORM_SEC_OFFSET || (version < 4 && (form === FORM_DATA4 || form === FORM_DATA8))
        if (ADDRESS_ATTRIBUTES.has(attribute) && form === FORM_ADDR) {
          addresses.push([at, value])
          if (attribute === AT_LOW_PC) low = value
        } else if (ADDRESS_ATTRIBUTES.has(attribute) && ADDRX_FORMS.has(form)) {
          // The address is in .debug_addr: that entry moves (lists.ts), this index stays.
          addressIndices.push(value)
          if (attribute === AT_LOW_PC) lowIndex = value
        } else if (attribute === AT_HIGH_PC && [FORM_DATA1, FORM_DATA2, FORM_DATA4, FORM_DATA8, FORM_UDATA, FORM_SDATA].includes(form))
          high = { at, form, size: c.p - at, value }
        else if (attribute === AT_STMT_LIST && offsetForm) {
          const moved = unitMoves.get(value)
          if (moved === undefined) throw new DwarfError(`${name}: DW_AT_stmt_list 0x${value.toString(16)} is not a .debug_line unit`)
          write(at, moved, c.p - at)
        } else if (attribute === AT_ADDR_BASE && offsetForm) addrBase = value
        else if (attribute === AT_RNGLISTS_BASE && offsetForm) {
          rangeListsBase = value
          lists.listOffsets.push({ at, offset: value, locations: false })
        } else if (attribute === AT_LOCLISTS_BASE && offsetForm) {
          locationListsBase = value
          lists.listOffsets.push({ at, offset: value, locations: true })
        } else if (attribute === AT_RANGES && form === FORM_RNGLISTX) rangeIndices.push(value)
        else if (LOCATION_ATTRIBUTES.has(attribute) && form === FORM_LOCLISTX) locationIndices.push(value)
        else if (attribute === AT_RANGES && offsetForm) {
          ranges.push(value)
          if (version >= 5) lists.listOffsets.push({ at, offset: value, locations: false })
        } else if (LOCATION_ATTRIBUTES.has(attribute) && offsetForm) {
          locations.push(value)
          if (version >= 5) lists.listOffsets.push({ at, offset: value, locations: true })
        }
      }
      for (const index of addressIndices) lists.codeAddresses.add(addrBase + index * 4)
      if (lowIndex !== undefined) low = addressAt(addr, addrBase, lowIndex)
      // The unit's first DIE sets the base address of its lists.
      base ??= low ?? 0
      const use = { base, addrBase }
      if (version >= 5) {
        // An indexed list: the unit's offset table (after its header, at the base) holds its offset from that base.
        const indexed = (section: Uint8Array | undefined, tableBase: number, index: number, what: string) => {
          if (!section || tableBase + 4 * index + 4 > section.length) throw new DwarfError(`${name}: ${what} index ${index} is not in its section`)
          return tableBase + new DataView(section.buffer, section.byteOffset, section.byteLength).getUint32(tableBase + 4 * index, true)
        }
        for (const offset of ranges) addList(lists.rangeLists, offset, use)
        for (const index of rangeIndices) addList(lists.rangeLists, indexed(listSections.ranges, rangeListsBase, index, 'range list'), use)
        for (const offset of locations) addList(lists.locationLists, offset, use)
        for (const index of locationIndices) addList(lists.locationLists, indexed(listSections.locations, locationListsBase, index, 'location list'), use)
      } else {
        for (const offset of ranges) addList(lists.ranges, offset, use)
        for (const offset of locations) addList(lists.locations, offset, use)
      }
      if (high && low !== undefined) {
        const from = move(low)
        const to = move((low + high.value) >>> 0)
        // Either end outside the code (a tombstone, or an end the input already had wrong): as it was.
        if (from !== OUTSIDE && to !== OUTSIDE) {
          if (from === LOST || to === LOST) state.lost++
          writeLength(bytes, high, from >= 0 && to >= from ? to - from : 0, name)
        }
      }
      for (const [at, value] of addresses) {
        const to = move(value)
        if (to === OUTSIDE) continue
        if (to === LOST) state.lost++
        write(at, to === LOST ? 0xffffffff : to, addressSize)
      }
    }
    c.p = end
  }
}

/** A high_pc length written back in its form's bytes; LEB128 forms keep their width (padded). */
function writeLength(bytes: Uint8Array, high: { at: number; form: number; size: number }, length: number, name: string) {
  const leb = high.form === FORM_UDATA || high.form === FORM_SDATA
  const limit = leb ? 2 ** (7 * high.size - (high.form === FORM_SDATA ? 1 : 0)) : 2 ** (8 * high.size)
  if (length >= limit)
    throw new DwarfError(`${name}: a function's new length ${length} does not fit its DW_AT_high_pc (${high.size} bytes) at 0x${high.at.toString(16)}`)
  for (let i = 0; i < high.size; i++) {
    if (leb) {
      bytes[high.at + i] = (length % 128) | (i < high.size - 1 ? 0x80 : 0)
      length = Math.floor(length / 128)
    } else {
      bytes[high.at + i] = length % 256
      length = Math.floor(length / 256)
    }
  }
}
