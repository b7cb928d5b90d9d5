/**
 * Instruction boundaries of a module's code section, decoded without
 * binaryen: per function body, the offset and opcode of each instruction.
 * The offset map (offset-map.ts) aligns the input's bodies with the output's.
 */
import { readU32, sections, skipLeb } from '../bytes.ts'

/** The code section of a module: where its contents start, and per body its instructions. */
export interface CodeLayout {
  /** File offset of the first byte after the code section's size (DWARF addresses count from here). */
  codeStart: number
  codeEnd: number
  bodies: Body[]
}

export interface Body {
  /** File offsets: the body's first byte (after its size) and one past its last. */
  start: number
  end: number
  /** File offsets of its instructions, in order; undefined when the body could not be decoded. */
  offsets?: Int32Array
  /** Per instruction: the opcode (prefixed opcodes as prefix << 24 | sub-opcode). */
  ops?: Int32Array
  /** The local declarations' bytes (group count, then count and type per group). */
  locals?: Uint8Array
}

/** Decodes the code section's instruction boundaries; undefined when the module has no readable code section. */
export function codeLayout(bytes: Uint8Array): CodeLayout | undefined {
  const code = sections(bytes).find(s => s.id === 10)
  if (!code) return undefined
  let p = code.start
  const u32 = () => {
    const value = readU32(bytes, p)
    p = skipLeb(bytes, p)
    return value
  }
  const count = u32()
  const bodies: Body[] = []
  for (let i = 0; i < count && p < code.end; i++) {
    const n = u32()
    const body: Body = { start: p, end: p + n }
    const decoded = decodeBody(bytes, p, p + n)
    if (decoded) Object.assign(body, decoded)
    bodies.push(body)
    p += n
  }
  return { codeStart: code.start, codeEnd: code.end, bodies }
}

function decodeBody(bytes: Uint8Array, start: number, end: number): { offsets: Int32Array; ops: Int32Array; locals: Uint8Array } | undefined {
  let p = start
  const leb = () => {
    let r = 0,
      shift = 0,
      b: number
    do {
      b = bytes[p++]
      r += (b & 0x7f) * 2 ** shift
      shift += 7
    } while (b & 0x80 && p < end)
    return r
  }
  const skip = () => {
    while (bytes[p++] & 0x80 && p < end);
  }
  const skipType = () => {
    const b = bytes[p++]
    if (b === 0x63 || b === 0x64 || b & 0x80) skip()
  }
  const memarg = () => {
    const flags = leb()
    if (flags & 0x40) skip()
    skip()
  }
  for (let groups = leb(); groups > 0 && p < end; groups--) {
    skip()
    skipType()
  }
  const locals = bytes.subarray(start, p)
  const offsets: number[] = []
  const ops: number[] = []
  let depth = 0
  while (p < end) {
    offsets.push(p)
    const op = bytes[p++]
    let key = op
    switch (op) {
      case 0x02:
      case 0x03:
      case 0x04:
      case 0x06:
        skipType()
        depth++
        break
      case 0x0b:
        depth--
        break
      case 0x18:
        skip()
        depth--
        break
      case 0x0e:
        for (let n = leb() + 1; n > 0 && p < end; n--) skip()
        break
      case 0x11:
      case 0x13:
        skip()
        skip()
        break
      case 0x1c:
        for (let n = leb(); n > 0 && p < end; n--) skipType()
        break
      case 0x43:
        p += 4
        break
      case 0x44:
        p += 8
        break
      case 0xfc: {
        const sub = leb()
        key = (0xfc << 24) | sub
        if (sub <= 7) break
        if (sub === 8 || sub === 10 || sub === 12 || sub === 14) {
          skip()
          skip()
        } else if (sub === 9 || sub === 11 || sub === 13 || (sub >= 15 && sub <= 17)) skip()
        else return undefined
        break
      }
      case 0xfd: {
        const sub = leb()
        key = (0xfd << 24) | sub
        if (sub <= 11 || sub === 92 || sub === 93) memarg()
        else if (sub === 12 || sub === 13) p += 16
        else if (sub >= 21 && sub <= 34) p += 1
        else if (sub >= 84 && sub <= 91) {
          memarg()
          p += 1
        } else if (sub > 0x113) return undefined
        break
      }
      case 0xfe: {
        const sub = leb()
        key = (0xfe << 24) | sub
        if (sub === 3) p += 1
        else if (sub <= 2 || (sub >= 0x10 && sub <= 0x4e)) memarg()
        else return undefined
        break
      }
      default:
        if (
          op === 0x07 ||
          op === 0x08 ||
          op === 0x09 ||
          op === 0x0c ||
          op === 0x0d ||
          op === 0x10 ||
          op === 0x12 ||
          op === 0x14 ||
          op === 0x15 ||
          (op >= 0x20 && op <= 0x26) ||
          op === 0x3f ||
          op === 0x40 ||
          op === 0x41 ||
          op === 0x42 ||
          (op >= 0xd0 && op <= 0xd6 && op !== 0xd1 && op !== 0xd3 && op !== 0xd4)
        )
          skip()
        else if (op >= 0x28 && op <= 0x3e) memarg()
        else if (
          !(
            op <= 0x01 ||
            op === 0x05 ||
            op === 0x0f ||
            op === 0x19 ||
            op === 0x1a ||
            op === 0x1b ||
            op === 0xd1 ||
            op === 0xd3 ||
            op === 0xd4 ||
            (op >= 0x45 && op <= 0xc4)
          )
        )
          return undefined
    }
    ops.push(key)
    if (depth < 0) break
  }
  if (p !== end || depth !== -1) return undefined
  return { offsets: Int32Array.from(offsets), ops: Int32Array.from(ops), locals }
}
