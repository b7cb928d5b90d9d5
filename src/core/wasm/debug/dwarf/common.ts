/**
 * What the DWARF rewriter's parts share: its error, byte readers and
 * writers, and how an address moves.
 */

/** Why the input's DWARF cannot be carried: the caller drops it and says this. */
export class DwarfError extends Error {}

/** Where an input address (code-section-relative) lands in the output; OUTSIDE or LOST when it does not move. */
export type Move = (address: number) => number

/** An address outside every function body (a tombstone, or no code at all): kept as it was. */
export const OUTSIDE = -2
/** An address in a body the offset map could not align. */
export const LOST = -1

/** A moved address for rewriting it: where it moved, itself when outside the code (kept as it was), undefined when lost. */
export function movedOrKept(move: Move, address: number): number | undefined {
  const to = move(address >>> 0)
  return to === OUTSIDE ? address : to === LOST ? undefined : to
}

/** Little-endian reads over a section, with the position it has reached. */
export class Cursor {
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
    if (size === 3) return this.u16() + this.u8() * 0x10000
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
export class Output {
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
