/**
 * A fast pre-scan of the code section, in JS over the input bytes: which
 * function bodies may hold what the default rewrite looks for
 * (`call_indirect`, `return_call_indirect`, table writes), and what the copy
 * writer may do with each body (BodyClass, and the places it re-encodes). Walking a body
 * through binaryen.js costs a JS-to-wasm call per expression (~125 ns, ~280 ms
 * for Pyodide's 2.7 million); most bodies hold none of these and need no walk.
 *
 * It is conservative: a body with an opcode this decoder does not know (GC,
 * try_table, anything newer), or whose instructions do not end exactly at its
 * size, is reported as "walk it", and so is everything when the section
 * cannot be read. Each body has a known size, so one unknown opcode never
 * desynchronises the next body. The caller checks the result against
 * binaryen: the call_indirect count of every walked body must match.
 */
import { readU32, sections, skipLeb, wholeSections } from './bytes.ts'

export interface CodeScan {
  /** Number of function bodies in the code section. */
  bodies: number
  /** Per body: -1 to walk it (unknown content), else its count of call_indirect + return_call_indirect. */
  callIndirects: Int32Array
  /** Per body: it holds a table write (table.set, table.grow, table.init/copy/fill) or must be walked. */
  walk: Uint8Array
  /** Per body: what the copy-through writer may do with it (BodyClass). */
  classes: Uint8Array
}

/**
 * What the copy-through writer (copy/) does with a body. COPY: nothing in it
 * names an index the rewrite may move, it goes out byte for byte. REWRITE:
 * its call_indirect sites and block types that name a type are re-encoded by
 * us. KEEP: binaryen reads it and writes it (unknown opcodes, table writes,
 * and what binaryen derives declarations from: ref.func, table.get/size,
 * elem.drop, memory.init and data.drop).
 */
export const BodyClass = { KEEP: 0, COPY: 1, REWRITE: 2 } as const

/** Flags of scanBody's result above the call count. */
const WRITES = 0x1000000,
  KEEPS = 0x2000000,
  TYPED = 0x4000000,
  COUNT = 0xffffff

/**
 * The places of one body the copy-through writer re-encodes, four numbers
 * each: (PATCH_CALL, start of the opcode, end of its immediates, type index
 * * 2 + is-return) followed by the table index in a fifth; or
 * (PATCH_BLOCK_TYPE, start, end, type index).
 */
export const PATCH_CALL = 1,
  PATCH_BLOCK_TYPE = 2

/**
 * Reads the code section of a (valid, engine-checked) module; undefined when
 * it cannot. Given `patches`, it also records the patch places of every
 * REWRITE body there, by body index, in the same pass.
 */
export function scanCode(bytes: Uint8Array, patches?: Map<number, number[]>): CodeScan | undefined {
  const all = sections(bytes)
  const code = all.find(s => s.id === 10)
  if (!code) return wholeSections(bytes, all) ? { bodies: 0, callIndirects: new Int32Array(0), walk: new Uint8Array(0), classes: new Uint8Array(0) } : undefined
  if (code.end > bytes.length) return undefined
  const bodies = readU32(bytes, code.start)
  let p = skipLeb(bytes, code.start)
  // Each body takes a byte at least: a count the section cannot hold fails below, unallocated.
  const callIndirects = new Int32Array(Math.min(bodies, code.end - p))
  const walk = new Uint8Array(callIndirects.length)
  const classes = new Uint8Array(callIndirects.length)
  const out: number[] | undefined = patches && []
  for (let i = 0; i < bodies; i++) {
    if (p >= code.end) return undefined
    const bodyEnd = skipLeb(bytes, p) + readU32(bytes, p)
    const found = scanBody(bytes, skipLeb(bytes, p), bodyEnd, out)
    callIndirects[i] = found < 0 ? -1 : found & COUNT
    walk[i] = found < 0 || found & WRITES ? 1 : 0
    classes[i] = found < 0 || found & (WRITES | KEEPS) ? BodyClass.KEEP : found & (COUNT | TYPED) ? BodyClass.REWRITE : BodyClass.COPY
    if (out?.length) {
      if (classes[i] === BodyClass.REWRITE) patches!.set(i, out.slice())
      out.length = 0
    }
    p = bodyEnd
  }
  return p === code.end ? { bodies, callIndirects, walk, classes } : undefined
}

/**
 * The function indices one body names (call, return_call, ref.func), as
 * (start, end, index) triples of their immediates, and whether it names a
 * data segment (memory.init, data.drop); undefined for a body it cannot
 * read or one that names an element segment (table.init, elem.drop).
 * `start` is where the body's local declarations begin. For moving bodies
 * between index spaces (copy/compact.ts).
 */
export function functionRefs(bytes: Uint8Array, start: number, end: number): { refs: number[]; namesData: boolean } | undefined {
  const found: number[] = []
  if (scanBody(bytes, start, end, undefined, found) < 0 || found.includes(-1)) return undefined
  const refs: number[] = []
  for (let k = 0; k < found.length; k += 3) if (found[k] >= 0) refs.push(found[k], found[k + 1], found[k + 2])
  return { refs, namesData: refs.length !== found.length }
}

/** The position after a value type or block type at p: one byte, or (ref null? ht) with a heap type, or a type index. */
function skipType(bytes: Uint8Array, p: number): number {
  const b = bytes[p++]
  return b === 0x63 || b === 0x64 || b & 0x80 ? skipLeb(bytes, p) : p
}
/** The position after a memarg at p (bit 6 of the alignment: a memory index follows). */
function skipMemarg(bytes: Uint8Array, p: number): number {
  const flags = readU32(bytes, p)
  p = skipLeb(bytes, p)
  if (flags & 0x40) p = skipLeb(bytes, p)
  return skipLeb(bytes, p)
}

/**
 * One body: -1 if it must be walked, else its call_indirect count plus the
 * flags WRITES (a table write), KEEPS and TYPED (see BodyClass); `out`
 * given, the patch places (PATCH_CALL) are pushed to it (a KEEP body may
 * leave some there too: the caller keeps only a REWRITE body's). Reads past the body's end yield undefined
 * (LEB loops stop, the final position check fails): no bounds test per byte.
 * The position lives in one local, and the helpers are small enough for the
 * engine to inline: this loop reads Pyodide's 5.8 MB of code. Long on
 * purpose: one switch over every opcode, in one function, keeps it that way.
 */
function scanBody(bytes: Uint8Array, start: number, end: number, out: number[] | undefined, refs?: number[]): number {
  let p = start
  let calls = 0,
    flags = 0
  let groups = readU32(bytes, p) // local declarations: (count, type) groups
  p = skipLeb(bytes, p)
  for (; groups > 0 && p < end; groups--) {
    p = skipLeb(bytes, p)
    if (bytes[p] === 0x63 || bytes[p] === 0x64) flags |= KEEPS // (ref $t): a type index
    p = skipType(bytes, p)
  }
  let depth = 0
  while (p < end) {
    const op = bytes[p++]
    switch (op) {
      case 0x00:
      case 0x01:
      case 0x05:
      case 0x0f:
      case 0x19:
      case 0x1a:
      case 0x1b:
      case 0xd1:
      case 0xd3:
      case 0xd4:
        break
      case 0x02:
      case 0x03:
      case 0x04:
      case 0x06: {
        const b = bytes[p]
        if (b < 0x40 || b & 0x80) {
          // A block type that names a type (multi-value): its index moves with binaryen's type section.
          flags |= TYPED
          if (out) out.push(PATCH_BLOCK_TYPE, p, skipLeb(bytes, p), readU32(bytes, p))
          p = skipLeb(bytes, p)
        } else p = skipType(bytes, p)
        depth++
        break
      }
      case 0x0b:
        if (depth-- === 0) return p === end ? calls + flags : -1
        break
      case 0x18:
        p = skipLeb(bytes, p)
        depth--
        break // delegate ends its try
      case 0x07:
      case 0x08:
      case 0x09:
      case 0x0c:
      case 0x0d:
      case 0x20:
      case 0x21:
      case 0x22:
      case 0x23:
      case 0x24:
      case 0x3f:
      case 0x40:
      case 0xd5:
      case 0xd6:
      case 0x41:
      case 0x42:
        p = skipLeb(bytes, p)
        break
      case 0x10:
      case 0x12:
        if (refs) refs.push(p, skipLeb(bytes, p), readU32(bytes, p))
        p = skipLeb(bytes, p)
        break
      case 0xd0:
        if (bytes[p] < 0x40 || bytes[p] & 0x80) flags |= KEEPS // ref.null $t
        p = skipLeb(bytes, p)
        break
      case 0x14:
      case 0x15:
      case 0x25:
      case 0xd2:
        if (refs && op === 0xd2) refs.push(p, skipLeb(bytes, p), readU32(bytes, p))
        p = skipLeb(bytes, p)
        flags |= KEEPS // call_ref's type, table.get's table, ref.func's declaration
        break
      case 0x26:
        p = skipLeb(bytes, p)
        flags |= WRITES
        break
      case 0x0e: {
        let n = readU32(bytes, p) + 1
        p = skipLeb(bytes, p)
        for (; n > 0 && p < end; n--) p = skipLeb(bytes, p)
        break
      }
      case 0x11:
      case 0x13: {
        const at = p - 1
        const type = readU32(bytes, p)
        p = skipLeb(bytes, p)
        if (out) out.push(PATCH_CALL, at, skipLeb(bytes, p), type * 2 + (op === 0x13 ? 1 : 0), readU32(bytes, p))
        p = skipLeb(bytes, p)
        calls++
        break
      }
      case 0x1c: {
        let n = readU32(bytes, p)
        p = skipLeb(bytes, p)
        for (; n > 0 && p < end; n--) {
          if (bytes[p] === 0x63 || bytes[p] === 0x64) flags |= KEEPS
          p = skipType(bytes, p)
        }
        break
      }
      case 0x43:
        p += 4
        break
      case 0x44:
        p += 8
        break
      case 0xfc: {
        const sub = readU32(bytes, p)
        p = skipLeb(bytes, p)
        if (sub <= 7) break
        if (sub === 10) p = skipLeb(bytes, skipLeb(bytes, p))
        else if (sub === 8) {
          if (refs) refs.push(-2, -2, -2) // memory.init names a data segment
          p = skipLeb(bytes, skipLeb(bytes, p))
          flags |= KEEPS
        } else if (sub === 12 || sub === 14) {
          if (refs && sub === 12) refs.push(-1, -1, -1) // table.init names an element segment
          p = skipLeb(bytes, skipLeb(bytes, p))
          flags |= WRITES
        } else if (sub === 11) p = skipLeb(bytes, p)
        else if (sub === 9 || sub === 13 || sub === 16) {
          if (refs && sub !== 16) refs.push(...(sub === 13 ? [-1, -1, -1] : [-2, -2, -2])) // elem.drop names an element segment, data.drop a data segment
          p = skipLeb(bytes, p)
          flags |= KEEPS
        } else if (sub === 15 || sub === 17) {
          p = skipLeb(bytes, p)
          flags |= WRITES
        } else return -1
        break
      }
      case 0xfd: {
        const sub = readU32(bytes, p)
        p = skipLeb(bytes, p)
        if (sub <= 11 || sub === 92 || sub === 93) p = skipMemarg(bytes, p)
        else if (sub === 12 || sub === 13) p += 16
        else if (sub >= 21 && sub <= 34) p += 1
        else if (sub >= 84 && sub <= 91) p = skipMemarg(bytes, p) + 1
        else if (sub > 0x113) return -1
        break
      }
      case 0xfe: {
        const sub = readU32(bytes, p)
        p = skipLeb(bytes, p)
        if (sub === 3) p += 1
        else if (sub <= 2 || (sub >= 0x10 && sub <= 0x4e)) p = skipMemarg(bytes, p)
        else return -1
        break
      }
      default:
        if (op >= 0x28 && op <= 0x3e) p = skipMemarg(bytes, p)
        else if (!(op >= 0x45 && op <= 0xc4)) return -1 // GC, try_table, throw_ref, anything newer: walk it
    }
  }
  return -1 // no final end
}
