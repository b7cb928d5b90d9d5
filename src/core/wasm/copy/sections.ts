/**
 * The sections the copy-through writer (index.ts) takes apart and puts back
 * together, read and written as bytes: function types, the function, export,
 * code and data sections, and the local names of the name section. Each
 * reader returns undefined for what it does not know (a GC type, an odd
 * segment), and the writer then leaves the module to binaryen.
 */
import { readU32, type Section, skipLeb, writeU32 } from '../bytes.ts'
import type { Sig, ValType } from '../signature.ts'

const VALTYPES: Record<number, ValType> = { 127: 'i32', 126: 'i64', 125: 'f32', 124: 'f64', 123: 'v128', 112: 'funcref', 111: 'externref' }

export interface FuncType {
  sig: Sig
  /** The type's encoding (0x60, params, results) as a string: equal types have equal keys. */
  key: string
  bytes: Uint8Array
}

/** The type section's function types, or undefined when it holds anything else (rec groups, GC types, other value types). */
export function readFuncTypes(bytes: Uint8Array, section: Section | undefined): FuncType[] | undefined {
  if (!section) return []
  let p = section.start
  const n = readU32(bytes, p)
  p = skipLeb(bytes, p)
  const out: FuncType[] = []
  for (let i = 0; i < n; i++) {
    const at = p
    if (bytes[p++] !== 0x60) return undefined
    const lists: ValType[][] = []
    for (let k = 0; k < 2; k++) {
      const count = readU32(bytes, p)
      p = skipLeb(bytes, p)
      const list: ValType[] = []
      for (let j = 0; j < count; j++) {
        const t = VALTYPES[bytes[p++]]
        if (!t) return undefined
        list.push(t)
      }
      lists.push(list)
    }
    const own = bytes.subarray(at, p)
    out.push({ sig: { params: lists[0], results: lists[1] }, key: own.join(','), bytes: own })
  }
  return p === section.end ? out : undefined
}

/** The type index of each defined function (the function section). */
export function readFunctionTypes(bytes: Uint8Array, section: Section | undefined): number[] {
  if (!section) return []
  let p = section.start
  const n = readU32(bytes, p)
  p = skipLeb(bytes, p)
  const out: number[] = []
  for (let i = 0; i < n; i++) {
    out.push(readU32(bytes, p))
    p = skipLeb(bytes, p)
  }
  return out
}

export interface Export {
  /** Decoded only for exports other than functions (the splice matches those by name). */
  name: string
  kind: number
  index: number
  /** The whole entry's bytes. */
  bytes: Uint8Array
}

const decoder = new TextDecoder()

export function readExports(bytes: Uint8Array, section: Section | undefined): Export[] {
  if (!section) return []
  let p = section.start
  const n = readU32(bytes, p)
  p = skipLeb(bytes, p)
  const out: Export[] = []
  for (let i = 0; i < n; i++) {
    const at = p
    const len = readU32(bytes, p)
    p = skipLeb(bytes, p)
    const kind = bytes[p + len]
    const name = kind === 0 ? '' : decoder.decode(bytes.subarray(p, p + len))
    p += len + 1
    const index = readU32(bytes, p)
    p = skipLeb(bytes, p)
    out.push({ name, kind, index, bytes: bytes.subarray(at, p) })
  }
  return out
}

/** An export entry with another index. */
export function exportEntry(e: Export, index: number): Uint8Array {
  const head = e.bytes.subarray(0, skipLeb(e.bytes, 0) + readU32(e.bytes, 0))
  return Uint8Array.from([...head, e.kind, ...writeU32(index)])
}

export interface Body {
  /** Where its size starts. */
  at: number
  /** Where its content (the local declarations) starts. */
  start: number
  end: number
}

export function readBodies(bytes: Uint8Array, section: Section): Body[] {
  let p = section.start
  const n = readU32(bytes, p)
  p = skipLeb(bytes, p)
  const out: Body[] = []
  for (let i = 0; i < n; i++) {
    const start = skipLeb(bytes, p)
    const end = start + readU32(bytes, p)
    out.push({ at: p, start, end })
    p = end
  }
  return out
}

/** The position after a body's local declarations, and how many locals they declare. */
export function localDecls(bytes: Uint8Array, start: number): { end: number; groups: number; locals: number } {
  let p = start
  const groups = readU32(bytes, p)
  p = skipLeb(bytes, p)
  let locals = 0
  for (let g = 0; g < groups; g++) {
    locals += readU32(bytes, p)
    p = skipLeb(bytes, p)
    p = bytes[p] === 0x63 || bytes[p] === 0x64 ? skipLeb(bytes, p + 1) : p + 1
  }
  return { end: p, groups, locals }
}

/**
 * The position after a constant expression (segment offsets, global
 * initialisers, element expressions) at p, or -1 for an instruction it does
 * not know. Given `funcs`, the functions it names (ref.func) are pushed to it.
 */
export function skipConstExpr(bytes: Uint8Array, p: number, end: number, funcs?: number[]): number {
  while (p < end) {
    const op = bytes[p++]
    if (op === 0x0b) return p
    if (op === 0xd2) funcs?.push(readU32(bytes, p))
    if (op === 0x41 || op === 0x42 || op === 0x23 || op === 0xd2 || op === 0xd0) p = skipLeb(bytes, p)
    else if (op === 0x43) p += 4
    else if (op === 0x44) p += 8
    else if (op === 0xfd && bytes[p] === 12)
      p += 17 // v128.const
    else if (!(op === 0x6a || op === 0x6b || op === 0x6c || op === 0x7c || op === 0x7d || op === 0x7e)) return -1
  }
  return -1
}

/** The data section with every segment's bytes left out (headers kept, so indices and offsets stay), or undefined for a segment it cannot read. */
export function emptiedData(bytes: Uint8Array, section: Section): Pieces | undefined {
  let p = section.start
  const n = readU32(bytes, p)
  p = skipLeb(bytes, p)
  const out = new Pieces().push(writeU32(n))
  const empty = [0]
  for (let i = 0; i < n; i++) {
    const at = p
    const flags = readU32(bytes, p)
    p = skipLeb(bytes, p)
    if (flags === 2) p = skipLeb(bytes, p)
    else if (flags !== 0 && flags !== 1) return undefined
    if (flags !== 1) p = skipConstExpr(bytes, p, section.end)
    if (p < 0) return undefined
    out.push(bytes.subarray(at, p), empty)
    p = skipLeb(bytes, p) + readU32(bytes, p)
  }
  return p === section.end ? out : undefined
}

/** The number of segments a data section holds. */
export const segmentCount = (bytes: Uint8Array, section: Section | undefined): number => (section ? readU32(bytes, section.start) : 0)

/** A name-section subsection: its id and its content's range. */
export interface Subsection {
  id: number
  start: number
  end: number
}

/** The subsections of a name section's content (after the section's name). */
export function readSubsections(bytes: Uint8Array, start: number, end: number): Subsection[] {
  const out: Subsection[] = []
  let p = start
  while (p < end) {
    const id = bytes[p++]
    const s = skipLeb(bytes, p)
    const e = s + readU32(bytes, p)
    out.push({ id, start: s, end: e })
    p = e
  }
  return out
}

/**
 * The entries of a name map (function, global, data segment names) or, for
 * subsection 2, an indirect name map (local names per function): index ->
 * the entry's bytes, in the section's (increasing) index order.
 */
export function readNameEntries(bytes: Uint8Array, sub: Subsection): Map<number, Uint8Array> {
  const out = new Map<number, Uint8Array>()
  const indirect = sub.id === 2
  let p = sub.start
  const n = readU32(bytes, p)
  p = skipLeb(bytes, p)
  for (let i = 0; i < n; i++) {
    const at = p
    const index = readU32(bytes, p)
    p = skipLeb(bytes, p)
    let names = 1
    if (indirect) {
      names = readU32(bytes, p)
      p = skipLeb(bytes, p)
    }
    for (; names > 0; names--) {
      if (indirect) p = skipLeb(bytes, p) // the local's index
      p = skipLeb(bytes, p) + readU32(bytes, p)
    }
    out.set(index, bytes.subarray(at, p))
  }
  return out
}

/**
 * A name map (subsection 1, function names) read on demand: its entries'
 * indices and name positions are found in one pass, a name is decoded only
 * when asked for (z3 names 39,481 functions; a transform shows a few
 * thousand). Indices are in increasing order, as the format requires; one
 * out of order makes `get` fall back to a full map.
 */
export class NameMap {
  readonly size: number
  private readonly indices: Uint32Array
  private readonly starts: Uint32Array
  private readonly ends: Uint32Array
  private unordered: Map<number, number> | undefined
  constructor(
    private readonly bytes: Uint8Array,
    sub: Subsection,
  ) {
    let p = sub.start
    this.size = readU32(bytes, p)
    p = skipLeb(bytes, p)
    this.indices = new Uint32Array(this.size)
    this.starts = new Uint32Array(this.size)
    this.ends = new Uint32Array(this.size)
    for (let i = 0; i < this.size; i++) {
      this.indices[i] = readU32(bytes, p)
      p = skipLeb(bytes, p)
      const length = readU32(bytes, p)
      this.starts[i] = skipLeb(bytes, p)
      p = this.ends[i] = this.starts[i] + length
      if (i && this.indices[i] <= this.indices[i - 1]) this.unordered ??= new Map()
    }
    if (this.unordered) for (let i = 0; i < this.size; i++) this.unordered.set(this.indices[i], i)
  }
  /** The last (highest) index named; -1 when none. */
  get last(): number {
    return this.size ? Math.max(this.indices[this.size - 1], ...(this.unordered ? this.unordered.keys() : [])) : -1
  }
  get(index: number): string | undefined {
    const at = this.unordered ? (this.unordered.get(index) ?? -1) : this.find(index)
    return at < 0 ? undefined : decoder.decode(this.bytes.subarray(this.starts[at], this.ends[at]))
  }
  private find(index: number): number {
    let lo = 0
    let hi = this.size - 1
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1
      const v = this.indices[mid]
      if (v === index) return mid
      if (v < index) lo = mid + 1
      else hi = mid - 1
    }
    return -1
  }
}

/**
 * Byte pieces joined once, at the end: a section wraps its content's pieces
 * without copying them (a module's code is copied once, into the output).
 */
export class Pieces {
  readonly parts: (Uint8Array | number[])[] = []
  length = 0
  push(...pieces: (Uint8Array | number[])[]): this {
    for (const piece of pieces) {
      this.parts.push(piece)
      this.length += piece.length
    }
    return this
  }
  /** Appends each piece of a list (of any length: no spread into arguments). */
  pushAll(pieces: readonly (Uint8Array | number[])[]): this {
    for (const piece of pieces) this.push(piece)
    return this
  }
  /** Appends `content` as a section (or name subsection) `id`: the id, the size, the content. */
  section(id: number, content: Pieces): this {
    this.push([id, ...writeU32(content.length)])
    for (const piece of content.parts) this.parts.push(piece)
    this.length += content.length
    return this
  }
  join(): Uint8Array {
    const out = new Uint8Array(this.length)
    let o = 0
    for (const piece of this.parts) {
      if (piece instanceof Uint8Array) out.set(piece, o)
      else for (let i = 0; i < piece.length; i++) out[o + i] = piece[i]
      o += piece.length
    }
    return out
  }
}
