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
 * Limits: DWARF 2 to 4 in 32-bit format (what Emscripten writes, up to
 * 4.x at least); DWARF 5 units (`-gdwarf-5`: `.debug_addr`, `.debug_rnglists`,
 * `.debug_loclists`) and 64-bit DWARF raise a DwarfError, and the caller
 * drops the DWARF with a warning.
 */
import type { OffsetMap } from './offset-map.ts'

/** Why the input's DWARF cannot be carried: the caller drops it and says this. */
export class DwarfError extends Error {}

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
const REWRITTEN = new Set(['.debug_info', '.debug_types', '.debug_line', '.debug_ranges', '.debug_loc', '.debug_aranges'])

/** Attributes whose DW_FORM_addr value is a code address: low_pc, high_pc, entry_pc, call_return_pc, call_pc. */
const ADDRESS_ATTRIBUTES = new Set([0x11, 0x12, 0x52, 0x7d, 0x81])
/** Attributes of the loclistptr class (their sec_offset points into .debug_loc). */
const LOCATION_ATTRIBUTES = new Set([0x02, 0x19, 0x2a, 0x2e, 0x38, 0x40, 0x48, 0x4a, 0x4d])
const AT_STMT_LIST = 0x10
const AT_LOW_PC = 0x11
const AT_HIGH_PC = 0x12
const AT_RANGES = 0x55

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

/** An address outside every function body (a tombstone, or no code at all): kept as it was. */
const OUTSIDE = -2
/** An address in a body the offset map could not align. */
const LOST = -1

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
  for (const name of ['.debug_info', '.debug_types']) {
    const units = byName.get(name)
    if (!units) continue
    const patched = copy(units)!
    const lists = patchUnits(patched, abbrev, name === '.debug_types', move, unitMoves, state)
    if (ranges) for (const [at, base] of lists.ranges) patchRangeList(ranges, at, base, move, state, false)
    if (loc) for (const [at, base] of lists.locations) patchRangeList(loc, at, base, move, state, true)
    if ((lists.ranges.size && !ranges) || (lists.locations.size && !loc))
      throw new DwarfError(`${name} points into a .debug_ranges or .debug_loc section the module does not have`)
    out.set(name, patched)
  }
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

/** Little-endian reads over a section, with the position it has reached. */
class Cursor {
  readonly view: DataView
  constructor(
    readonly bytes: Uint8Array,
    public p: number,
    readonly section: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }
  need(n: number) {
    if (this.p + n > this.bytes.length) throw new DwarfError(`${this.section} ends inside an entry at 0x${this.p.toString(16)}`)
  }
  u8() {
    this.need(1)
    return this.bytes[this.p++]
  }
  u16() {
    this.need(2)
    const v = this.view.getUint16(this.p, true)
    this.p += 2
    return v
  }
  u32() {
    this.need(4)
    const v = this.view.getUint32(this.p, true)
    this.p += 4
    return v
  }
  u64() {
    this.need(8)
    const v = this.view.getUint32(this.p, true) + this.view.getUint32(this.p + 4, true) * 2 ** 32
    this.p += 8
    return v
  }
  uint(size: number) {
    if (size === 1) return this.u8()
    if (size === 2) return this.u16()
    if (size === 4) return this.u32()
    if (size === 8) return this.u64()
    throw new DwarfError(`${this.section}: an address or value of ${size} bytes`)
  }
  uleb() {
    let r = 0,
      shift = 0,
      b: number
    do {
      b = this.u8()
      r += (b & 0x7f) * 2 ** shift
      shift += 7
    } while (b & 0x80)
    return r
  }
  sleb() {
    let r = 0,
      shift = 0,
      b: number
    do {
      b = this.u8()
      r += (b & 0x7f) * 2 ** shift
      shift += 7
    } while (b & 0x80)
    return b & 0x40 ? r - 2 ** shift : r
  }
  skip(n: number) {
    this.need(n)
    this.p += n
  }
  cstring() {
    const end = this.bytes.indexOf(0, this.p)
    if (end < 0) throw new DwarfError(`${this.section}: a string runs off the end`)
    this.p = end + 1
  }
  /** The unit length at p (32-bit DWARF only); returns where the unit ends. */
  unitEnd(): number {
    const length = this.u32()
    if (length >= 0xfffffff0) throw new DwarfError(`${this.section}: 64-bit DWARF is not supported`)
    const end = this.p + length
    if (end > this.bytes.length) throw new DwarfError(`${this.section}: a unit at 0x${(this.p - 4).toString(16)} runs past the section`)
    return end
  }
}

/** A growing byte buffer. */
class Output {
  bytes = new Uint8Array(1 << 12)
  length = 0
  private room(n: number) {
    if (this.length + n <= this.bytes.length) return
    let size = this.bytes.length * 2
    while (size < this.length + n) size *= 2
    const grown = new Uint8Array(size)
    grown.set(this.bytes.subarray(0, this.length))
    this.bytes = grown
  }
  u8(v: number) {
    this.room(1)
    this.bytes[this.length++] = v
  }
  copy(src: Uint8Array) {
    this.room(src.length)
    this.bytes.set(src, this.length)
    this.length += src.length
  }
  uleb(v: number) {
    do {
      let b = v % 128
      v = Math.floor(v / 128)
      if (v) b |= 0x80
      this.u8(b)
    } while (v)
  }
  sleb(v: number) {
    for (;;) {
      const b = ((v % 128) + 128) % 128
      v = Math.floor(v / 128)
      if ((v === 0 && !(b & 0x40)) || (v === -1 && b & 0x40)) return this.u8(b)
      this.u8(b | 0x80)
    }
  }
  uint(v: number, size: number) {
    for (let i = 0; i < size; i++) {
      this.u8(v % 256)
      v = Math.floor(v / 256)
    }
  }
  patchU32(at: number, v: number) {
    new DataView(this.bytes.buffer).setUint32(at, v, true)
  }
  result() {
    return this.bytes.slice(0, this.length)
  }
}

type Move = (address: number) => number

// Row flags.
const IS_STMT = 1,
  BASIC_BLOCK = 2,
  END_SEQUENCE = 4,
  PROLOGUE_END = 8,
  EPILOGUE_BEGIN = 16

interface Row {
  address: number
  file: number
  line: number
  column: number
  flags: number
  isa: number
  discriminator: number
  /** Extended opcodes this version keeps but does not interpret (DW_LNE_define_file, vendor ones), as written, to go before the row. */
  raw?: Uint8Array[]
}

interface LineHeader {
  minInst: number
  defaultIsStmt: boolean
  lineBase: number
  lineRange: number
  opcodeBase: number
  standardLengths: Uint8Array
}

/** `.debug_line` with every unit's program run and written again for the moved addresses; `unitMoves` gets each unit's old and new offset. */
function rewriteLines(src: Uint8Array, move: Move, unitMoves: Map<number, number>, state: { lost: number }): Uint8Array {
  const c = new Cursor(src, 0, '.debug_line')
  const out = new Output()
  while (c.p < src.length) {
    const unitStart = c.p
    const end = c.unitEnd()
    const version = c.u16()
    if (version < 2 || version > 5) throw new DwarfError(`.debug_line: version ${version} at 0x${unitStart.toString(16)}`)
    if (version >= 5) c.skip(2) // address_size, segment_selector_size
    const headerLength = c.u32()
    const programStart = c.p + headerLength
    const minInst = c.u8()
    if (version >= 4 && c.u8() !== 1) throw new DwarfError('.debug_line: VLIW line programs (maximum_operations_per_instruction > 1)')
    const defaultIsStmt = c.u8() !== 0
    const lineBase = (c.u8() << 24) >> 24
    const lineRange = c.u8()
    const opcodeBase = c.u8()
    if (lineRange === 0 || opcodeBase === 0) throw new DwarfError(`.debug_line: a header with line_range ${lineRange}, opcode_base ${opcodeBase}`)
    const header: LineHeader = { minInst, defaultIsStmt, lineBase, lineRange, opcodeBase, standardLengths: src.subarray(c.p, c.p + opcodeBase - 1) }
    if (programStart > end) throw new DwarfError(`.debug_line: the header at 0x${unitStart.toString(16)} runs past its unit`)
    c.p = programStart
    const { rows, addressSize } = runProgram(c, end, header)
    const newStart = out.length
    unitMoves.set(unitStart, newStart)
    out.uint(0, 4)
    out.copy(src.subarray(unitStart + 4, programStart))
    writeProgram(out, rows, header, addressSize, move, state)
    out.patchU32(newStart, out.length - newStart - 4)
    c.p = end
  }
  return out.result()
}

/** The rows a line program produces (DWARF 2–5, one operation per instruction). */
function runProgram(c: Cursor, end: number, h: LineHeader): { rows: Row[]; addressSize: number } {
  const rows: Row[] = []
  let addressSize = 4
  const fresh = (): Row => ({ address: 0, file: 1, line: 1, column: 0, flags: h.defaultIsStmt ? IS_STMT : 0, isa: 0, discriminator: 0 })
  let r = fresh()
  const emit = () => {
    rows.push({ ...r })
    r.flags &= ~(BASIC_BLOCK | PROLOGUE_END | EPILOGUE_BEGIN)
    r.discriminator = 0
    r.raw = undefined
  }
  while (c.p < end) {
    const op = c.u8()
    if (op >= h.opcodeBase) {
      const adjusted = op - h.opcodeBase
      r.address += h.minInst * Math.floor(adjusted / h.lineRange)
      r.line += h.lineBase + (adjusted % h.lineRange)
      emit()
      continue
    }
    switch (op) {
      case 0: {
        const length = c.uleb()
        const at = c.p
        if (length === 0) break
        const sub = c.u8()
        if (sub === 1) {
          r.flags |= END_SEQUENCE
          emit()
          r = fresh()
        } else if (sub === 2) {
          addressSize = length - 1
          r.address = c.uint(addressSize)
        } else if (sub === 4) r.discriminator = c.uleb()
        else {
          r.raw ??= []
          r.raw.push(c.bytes.slice(at - 1 - uleb(length).length, at + length))
        }
        c.p = at + length
        break
      }
      case 1:
        emit()
        break
      case 2:
        r.address += h.minInst * c.uleb()
        break
      case 3:
        r.line += c.sleb()
        break
      case 4:
        r.file = c.uleb()
        break
      case 5:
        r.column = c.uleb()
        break
      case 6:
        r.flags ^= IS_STMT
        break
      case 7:
        r.flags |= BASIC_BLOCK
        break
      case 8:
        r.address += h.minInst * Math.floor((255 - h.opcodeBase) / h.lineRange)
        break
      case 9:
        r.address += c.u16()
        break
      case 10:
        r.flags |= PROLOGUE_END
        break
      case 11:
        r.flags |= EPILOGUE_BEGIN
        break
      case 12:
        r.isa = c.uleb()
        break
      default:
        // A standard opcode this version does not know: skip its operands, as the header says.
        for (let n = h.standardLengths[op - 1]; n > 0; n--) c.uleb()
    }
  }
  if (c.p !== end) throw new DwarfError(`.debug_line: a program runs past its unit at 0x${end.toString(16)}`)
  return { rows, addressSize }
}

/** The bytes of an unsigned LEB128 (for re-emitting an extended opcode as it was). */
function uleb(v: number): number[] {
  const o: number[] = []
  do {
    let b = v % 128
    v = Math.floor(v / 128)
    if (v) b |= 0x80
    o.push(b)
  } while (v)
  return o
}

/** Writes the rows back as a line program, sequence by sequence, with their addresses moved. */
function writeProgram(out: Output, rows: Row[], h: LineHeader, addressSize: number, move: Move, state: { lost: number }) {
  let s = 0
  while (s < rows.length) {
    let e = s
    while (e < rows.length - 1 && !(rows[e].flags & END_SEQUENCE)) e++
    const sequence = rows.slice(s, e + 1)
    s = e + 1
    // A sequence outside every body keeps its addresses (tombstones); a live one moves whole, or is left out.
    const addresses = move(sequence[0].address) === OUTSIDE ? sequence.map(r => r.address) : sequence.map(r => move(r.address))
    if (addresses.some((a, i) => a < 0 || (i > 0 && a < addresses[i - 1]))) {
      state.lost++
      continue
    }
    writeSequence(out, sequence, addresses, h, addressSize)
  }
}

function writeSequence(out: Output, rows: Row[], addresses: number[], h: LineHeader, addressSize: number) {
  const can = (op: number) => op < h.opcodeBase
  // set_address starts the sequence.
  out.u8(0)
  out.uleb(1 + addressSize)
  out.u8(2)
  out.uint(addresses[0], addressSize)
  let address = addresses[0],
    file = 1,
    line = 1,
    column = 0,
    isStmt = h.defaultIsStmt,
    isa = 0
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]
    for (const raw of r.raw ?? []) out.copy(raw)
    if (r.file !== file) {
      out.u8(4)
      out.uleb((file = r.file))
    }
    if (r.column !== column) {
      out.u8(5)
      out.uleb((column = r.column))
    }
    if (!!(r.flags & IS_STMT) !== isStmt) {
      out.u8(6)
      isStmt = !isStmt
    }
    if (r.flags & BASIC_BLOCK) out.u8(7)
    if (r.flags & PROLOGUE_END && can(10)) out.u8(10)
    if (r.flags & EPILOGUE_BEGIN && can(11)) out.u8(11)
    if (r.isa !== isa && can(12)) {
      out.u8(12)
      out.uleb((isa = r.isa))
    }
    if (r.discriminator) {
      out.u8(0)
      out.uleb(1 + uleb(r.discriminator).length)
      out.u8(4)
      out.uleb(r.discriminator)
    }
    const delta = addresses[i] - address
    if (delta % h.minInst) throw new DwarfError(`.debug_line: a moved address is not a multiple of minimum_instruction_length ${h.minInst}`)
    const advance = delta / h.minInst
    address = addresses[i]
    if (r.flags & END_SEQUENCE) {
      // The end row's line means nothing, but it is kept as it was.
      if (r.line !== line) {
        out.u8(3)
        out.sleb(r.line - line)
      }
      if (advance) {
        out.u8(2)
        out.uleb(advance)
      }
      out.u8(0)
      out.uleb(1)
      out.u8(1)
      return
    }
    const lineDelta = r.line - line
    line = r.line
    const lineFits = lineDelta >= h.lineBase && lineDelta < h.lineBase + h.lineRange
    const special = (adv: number) => lineDelta - h.lineBase + h.lineRange * adv + h.opcodeBase
    if (lineFits && special(advance) <= 255) out.u8(special(advance))
    else {
      if (advance) {
        out.u8(2)
        out.uleb(advance)
      }
      if (lineFits && special(0) <= 255) out.u8(special(0))
      else {
        if (lineDelta) {
          out.u8(3)
          out.sleb(lineDelta)
        }
        out.u8(1)
      }
    }
  }
}

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

/** The list offsets the DIEs point at, each with its unit's base address. */
interface Lists {
  ranges: Map<number, number>
  locations: Map<number, number>
}

/**
 * Walks every unit's DIEs and patches, in place: code addresses, high_pc
 * lengths and stmt_list offsets. Returns the range and location lists the
 * DIEs point at.
 */
function patchUnits(
  bytes: Uint8Array,
  abbrevSection: Uint8Array,
  typeUnits: boolean,
  move: Move,
  unitMoves: Map<number, number>,
  state: { lost: number },
): Lists {
  const name = typeUnits ? '.debug_types' : '.debug_info'
  const c = new Cursor(bytes, 0, name)
  const lists: Lists = { ranges: new Map(), locations: new Map() }
  const tables = new Map<number, Map<number, Abbreviation>>()
  const write = (at: number, value: number, size: number) => {
    for (let i = 0; i < size; i++) {
      bytes[at + i] = value % 256
      value = Math.floor(value / 256)
    }
  }
  const addList = (into: Map<number, number>, offset: number, base: number) => {
    const known = into.get(offset)
    if (known !== undefined && known !== base) throw new DwarfError(`${name}: the list at 0x${offset.toString(16)} is used with two base addresses`)
    into.set(offset, base)
  }
  while (c.p < bytes.length) {
    const unitStart = c.p
    const end = c.unitEnd()
    const version = c.u16()
    if (version === 5) throw new DwarfError(`${name}: DWARF 5 units are not rewritten yet (build with -gdwarf-4, Emscripten's default)`)
    if (version < 2 || version > 5) throw new DwarfError(`${name}: version ${version} at 0x${unitStart.toString(16)}`)
    const abbrevOffset = c.u32()
    const addressSize = c.u8()
    if (addressSize !== 4) throw new DwarfError(`${name}: ${addressSize}-byte addresses (only wasm32's 4 are rewritten)`)
    if (typeUnits) c.skip(12) // type_signature, type_offset
    let table = tables.get(abbrevOffset)
    if (!table) tables.set(abbrevOffset, (table = readAbbreviations(abbrevSection, abbrevOffset)))
    let base: number | undefined
    while (c.p < end) {
      const code = c.uleb()
      if (code === 0) continue
      const abbreviation = table.get(code)
      if (!abbreviation) throw new DwarfError(`${name}: abbreviation ${code} at 0x${(c.p - 1).toString(16)} is not in .debug_abbrev`)
      const a = abbreviation.attributes
      let low: number | undefined
      let high: { at: number; form: number; size: number; value: number } | undefined
      const addresses: [number, number][] = []
      const ranges: number[] = []
      const locations: number[] = []
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
          if (size === 1 || size === 2 || size === 4 || size === 8) value = c.uint(size)
          else c.skip(size)
        } else throw new DwarfError(`${name}: unknown form 0x${form.toString(16)} at 0x${at.toString(16)}`)
        const offsetForm = form === FORM_SEC_OFFSET || (version < 4 && (form === FORM_DATA4 || form === FORM_DATA8))
        if (form === FORM_ADDR && ADDRESS_ATTRIBUTES.has(attribute)) {
          addresses.push([at, value])
          if (attribute === AT_LOW_PC) low = value
        } else if (attribute === AT_HIGH_PC && [FORM_DATA1, FORM_DATA2, FORM_DATA4, FORM_DATA8, FORM_UDATA, FORM_SDATA].includes(form))
          high = { at, form, size: c.p - at, value }
        else if (attribute === AT_STMT_LIST && offsetForm) {
          const moved = unitMoves.get(value)
          if (moved === undefined) throw new DwarfError(`${name}: DW_AT_stmt_list 0x${value.toString(16)} is not a .debug_line unit`)
          write(at, moved, c.p - at)
        } else if (attribute === AT_RANGES && offsetForm) ranges.push(value)
        else if (LOCATION_ATTRIBUTES.has(attribute) && offsetForm) locations.push(value)
      }
      // The unit's first DIE sets the base address of its lists.
      base ??= low ?? 0
      for (const offset of ranges) addList(lists.ranges, offset, base)
      for (const offset of locations) addList(lists.locations, offset, base)
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
  return lists
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

/**
 * One `.debug_ranges` or `.debug_loc` list (DWARF 2–4), patched in place:
 * each (begin, end) pair moves against the base address; a pair in a lost
 * body becomes an empty range. Location entries carry an expression after
 * the pair, which stays.
 */
function patchRangeList(bytes: Uint8Array, at: number, unitBase: number, move: Move, state: { lost: number }, locations: boolean) {
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
function patchAranges(bytes: Uint8Array, move: Move, state: { lost: number }): Uint8Array {
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
