/**
 * The element section as the compact path (compact.ts) reads and writes it,
 * without binaryen: the input's segments are read to tell the strategy what
 * the static table holds and are written back as they were (on the call
 * table's new index when a shadow took index 0); binaryen's segments (the
 * strategy's) are written with their function indices moved.
 *
 * The input's segments are read in the four forms that list function
 * indices (flags 0 to 3), with an offset of `i32.const` or `global.get`:
 * what LLVM and Emscripten write. Anything else: undefined, and the module
 * takes the skeleton path.
 */
import { readU32, type Section, skipLeb, writeU32 } from '../bytes.ts'
import { Pieces, skipConstExpr } from './sections.ts'

export interface ElemSegment {
  /** 0: active on table 0; 1: passive; 2: active on `table`; 3: declarative. */
  flags: number
  table: number
  /** An active segment's offset: `i32.const value`, or `global.get value` (global). */
  offset?: { global: boolean; value: number }
  funcs: number[]
  /** The offset expression's bytes (with its end), for an active segment. */
  expr?: Uint8Array
  /** The function index vector's bytes (count first). */
  vector: Uint8Array
  /** The whole entry. */
  bytes: Uint8Array
}

/** The input's element segments, or undefined for a form or offset it does not read. */
export function readElements(bytes: Uint8Array, section: Section | undefined): ElemSegment[] | undefined {
  if (!section) return []
  let p = section.start
  const n = readU32(bytes, p)
  p = skipLeb(bytes, p)
  const out: ElemSegment[] = []
  for (let i = 0; i < n; i++) {
    const at = p
    const flags = readU32(bytes, p)
    p = skipLeb(bytes, p)
    if (flags > 3) return undefined
    let table = 0
    if (flags === 2) {
      table = readU32(bytes, p)
      p = skipLeb(bytes, p)
    }
    let offset: ElemSegment['offset']
    let expr: Uint8Array | undefined
    if (flags === 0 || flags === 2) {
      const op = bytes[p]
      const end = skipLeb(bytes, p + 1)
      // A negative i32.const (bit 6 of its last byte) is no table offset.
      if ((op !== 0x41 && op !== 0x23) || bytes[end] !== 0x0b || (op === 0x41 && bytes[end - 1] & 0x40)) return undefined
      offset = { global: op === 0x23, value: readU32(bytes, p + 1) }
      expr = bytes.subarray(p, end + 1)
      p = end + 1
    }
    // Flags 1 to 3 name the element kind: 0x00, functions.
    if (flags !== 0 && bytes[p++] !== 0x00) return undefined
    const vectorAt = p
    const count = readU32(bytes, p)
    p = skipLeb(bytes, p)
    const funcs: number[] = []
    for (let k = 0; k < count && p < section.end; k++) {
      funcs.push(readU32(bytes, p))
      p = skipLeb(bytes, p)
    }
    if (p > section.end || funcs.length !== count) return undefined
    out.push({ flags, table, offset, funcs, expr, vector: bytes.subarray(vectorAt, p), bytes: bytes.subarray(at, p) })
  }
  return p === section.end ? out : undefined
}

/** An input segment onto `out` as it was, or active on `table` when its table moved. */
export function placeSegment(seg: ElemSegment, table: number, out: Pieces): void {
  if (!seg.expr || table === seg.table) out.push(seg.bytes)
  else out.push([2, ...writeU32(table)], seg.expr, [0x00], seg.vector)
}

/**
 * The element segments binaryen wrote (any of the eight forms), with every
 * function index moved by `move`: in index vectors and in `ref.func`
 * expressions. Throws on an expression other than ref.func or ref.null.
 */
export function movedSegments(bytes: Uint8Array, section: Section, move: (index: number) => number): { count: number; entries: Pieces } {
  let p = section.start
  const count = readU32(bytes, p)
  p = skipLeb(bytes, p)
  const entries = new Pieces()
  const moved = (q: number) => entries.push(writeU32(move(readU32(bytes, q))))
  for (let i = 0; i < count; i++) {
    const flags = readU32(bytes, p)
    let from = p
    p = skipLeb(bytes, p)
    if (flags & 2 && !(flags & 1)) p = skipLeb(bytes, p) // table index
    if (!(flags & 1)) p = expressionEnd(bytes, p, section) // offset
    if (flags & 3) p = flags & 4 ? skipRefType(bytes, p) : p + 1 // element kind or type
    const n = readU32(bytes, p)
    p = skipLeb(bytes, p)
    for (let k = 0; k < n; k++) {
      if (!(flags & 4)) {
        entries.push(bytes.subarray(from, p))
        moved(p)
        from = p = skipLeb(bytes, p)
      } else if (bytes[p] === 0xd2) {
        entries.push(bytes.subarray(from, p + 1))
        moved(p + 1)
        from = skipLeb(bytes, p + 1)
        p = from + 1
        if (bytes[from] !== 0x0b) throw new Error('binaryen wrote an element expression other than ref.func or ref.null')
      } else if (bytes[p] === 0xd0) p = expressionEnd(bytes, p, section)
      else throw new Error('binaryen wrote an element expression other than ref.func or ref.null')
    }
    entries.push(bytes.subarray(from, p))
  }
  if (p !== section.end) throw new Error('binaryen wrote an element section this writer does not read')
  return { count, entries }
}

/** The position after a constant expression binaryen wrote in an element section; throws on one it does not read. */
function expressionEnd(bytes: Uint8Array, p: number, section: Section): number {
  const end = skipConstExpr(bytes, p, section.end)
  if (end < 0) throw new Error(`binaryen wrote a constant expression (opcode 0x${bytes[p].toString(16)}) this writer does not read`)
  return end
}

/** The position after a reference or heap type: one byte, or (ref null? ht) with its heap type. */
function skipRefType(bytes: Uint8Array, p: number): number {
  const b = bytes[p]
  return b === 0x63 || b === 0x64 ? skipLeb(bytes, p + 1) : b < 0x40 ? skipLeb(bytes, p) : p + 1
}
