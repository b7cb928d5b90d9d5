/**
 * Wasm bytes read without binaryen: LEB128 numbers and the section list.
 * The bundler's main thread never loads binaryen (transforms run in
 * workers), and the code-section pre-scan (code-scan.ts) reads bytes far
 * faster than binaryen.js can walk them.
 *
 *   for (const s of sections(bytes)) if (s.id === 0) console.log(customSectionName(bytes, s))
 *
 * Limits: unsigned numbers are read exact up to 2^53 (enough for any u32
 * or size); signed ones are only written (writeI32, writeS33). Reading past the end of the bytes yields `undefined`, which ends a
 * number as a zero byte would: callers that care check positions against
 * the ends they know.
 */

/** The value of the unsigned LEB128 at p. */
export function readU32(bytes: Uint8Array, p: number): number {
  let r = 0,
    shift = 0,
    byte: number
  do {
    byte = bytes[p++]
    r += (byte & 0x7f) * 2 ** shift
    shift += 7
  } while (byte & 0x80)
  return r
}

/** The unsigned LEB128 bytes of n. */
export function writeU32(n: number): number[] {
  const out: number[] = []
  do {
    let byte = n & 0x7f
    n = Math.floor(n / 128)
    if (n) byte |= 0x80
    out.push(byte)
  } while (n)
  return out
}

/** Signed LEB128 of a non-negative n (a block type's type index: s33). */
export function writeS33(n: number): number[] {
  const out: number[] = []
  for (;;) {
    const byte = n & 0x7f
    n = Math.floor(n / 128)
    if (n === 0 && !(byte & 0x40)) {
      out.push(byte)
      return out
    }
    out.push(byte | 0x80)
  }
}

/** Signed LEB128 of an i32. */
export function writeI32(n: number): number[] {
  const out: number[] = []
  for (;;) {
    const byte = n & 0x7f
    n >>= 7
    if ((n === 0 && !(byte & 0x40)) || (n === -1 && byte & 0x40)) {
      out.push(byte)
      return out
    }
    out.push(byte | 0x80)
  }
}

/** The position after the LEB128 at p. */
export function skipLeb(bytes: Uint8Array, p: number): number {
  while (bytes[p++] & 0x80);
  return p
}

export interface Section {
  id: number
  /** Where the section starts: its id byte. */
  at: number
  /** Where its content starts, after the size. */
  start: number
  /** Where its content ends, as its size says: past the end of the bytes in a truncated module. */
  end: number
}

/** The sections after the 8-byte header, in order; a header the bytes end inside is left out. */
export function sections(bytes: Uint8Array): Section[] {
  const out: Section[] = []
  let p = 8
  while (p < bytes.length) {
    const at = p
    const id = bytes[p++]
    const start = skipLeb(bytes, p)
    if (start > bytes.length) break
    const end = start + readU32(bytes, p)
    out.push({ id, at, start, end })
    p = end
  }
  return out
}

/** Whether the sections cover the bytes exactly: no header or content is cut short, nothing trails. */
export function wholeSections(bytes: Uint8Array, list: Section[]): boolean {
  return (list.length ? list[list.length - 1].end : 8) === bytes.length
}

/** The name of a custom section (id 0). */
export function customSectionName(bytes: Uint8Array, section: Section): string {
  const start = skipLeb(bytes, section.start)
  return new TextDecoder().decode(bytes.subarray(start, start + readU32(bytes, section.start)))
}

/** A custom section's bytes: id 0, size, name, payload. */
export function customSectionBytes(name: string, payload: Uint8Array): Uint8Array {
  const encoded = new TextEncoder().encode(name)
  const head = writeU32(encoded.length)
  const size = head.length + encoded.length + payload.length
  const sizeBytes = writeU32(size)
  const out = new Uint8Array(1 + sizeBytes.length + size)
  out.set(sizeBytes, 1)
  out.set(head, 1 + sizeBytes.length)
  out.set(encoded, 1 + sizeBytes.length + head.length)
  out.set(payload, out.length - payload.length)
  return out
}

/** The names of the module's custom sections, in order. */
export function customSectionNames(bytes: Uint8Array): string[] {
  return sections(bytes)
    .filter(s => s.id === 0)
    .map(s => customSectionName(bytes, s))
}

/**
 * Whether every table the table section defines is a funcref or externref
 * table with 32-bit limits (flags 0 or 1): binaryen.js reports no table's
 * index type, so only such tables may be removed and added again (tables.ts).
 */
export function plainTables(bytes: Uint8Array): boolean {
  const section = sections(bytes).find(s => s.id === 4)
  if (!section) return true
  let p = section.start
  const count = readU32(bytes, p)
  p = skipLeb(bytes, p)
  for (let i = 0; i < count; i++) {
    if (bytes[p] !== 0x70 && bytes[p] !== 0x6f) return false
    const flags = bytes[p + 1]
    if (flags !== 0 && flags !== 1) return false
    p = skipLeb(bytes, p + 2)
    if (flags === 1) p = skipLeb(bytes, p)
  }
  return p === section.end
}
