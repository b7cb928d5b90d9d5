/** `.debug_line`: each line program run into its rows and written again with the rows' addresses moved. */
import { writeU32 } from '../../bytes.ts'
import { Cursor, DwarfError, type Move, OUTSIDE, Output } from './common.ts'

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
export function rewriteLines(src: Uint8Array, move: Move, unitMoves: Map<number, number>, state: { lost: number }): Uint8Array {
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
        const opStart = c.p - 1
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
          r.raw.push(c.bytes.slice(opStart, at + length))
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
      out.uleb(1 + writeU32(r.discriminator).length)
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
