/**
 * The user's debug info across the rewrite: what can be carried to the
 * output, and what must be dropped.
 *
 * - Source maps (`-gsource-map`) are rewritten here: the input map's
 *   generated columns are byte offsets in the input file; each becomes the
 *   offset of the same instruction in the output, found by decoding both
 *   code sections and aligning each input body with its output body (the
 *   rewrite keeps function order, imports nothing and appends its own
 *   functions, so body i is body i; inside a body it inserts instructions at
 *   call sites, which a diff of the opcode sequences recovers). Instructions
 *   the rewrite added inherit the mapping before them; the functions it
 *   appended get a mapping with no source.
 *
 *     const map = remapSourceMap(inputMapText, inputBytes, outputBytes)
 *
 * - DWARF (`.debug_*`) is dropped, and so is `external_debug_info`
 *   (`-gseparate-dwarf`), whose file holds the same DWARF: binaryen.js is
 *   built without binaryen's DWARF support (BUILD_LLVM_DWARF is off for its
 *   Emscripten build; its C API reader never asks for code locations), so it
 *   copies `.debug_*` sections byte for byte and every address after the
 *   first rewritten site is stale (measured: 8 of 10 call_indirect sites and
 *   3,042 of 3,244 instructions resolved to another line in the catalogue
 *   fixture). A wrong line table is worse than none. Updating DWARF here
 *   would take a rewrite of `.debug_line`, `.debug_info` (low_pc/high_pc),
 *   `.debug_ranges` and `.debug_loc` from the same offset map.
 *
 * Limits: a body with an opcode the decoder does not know (GC, try_table,
 * anything newer) keeps no mapping (its segments are dropped and its output
 * range maps to no source); so does a body whose diff is too large.
 */

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
}

/** Decodes the code section's instruction boundaries; undefined when the module has no readable code section. */
export function codeLayout(bytes: Uint8Array): CodeLayout | undefined {
  let p = 8
  const u32 = () => {
    let r = 0,
      shift = 0,
      b: number
    do {
      b = bytes[p++]
      r += (b & 0x7f) * 2 ** shift
      shift += 7
    } while (b & 0x80 && p < bytes.length)
    return r
  }
  while (p < bytes.length) {
    const id = bytes[p++]
    const size = u32()
    const end = p + size
    if (id !== 10) {
      p = end
      continue
    }
    const codeStart = p
    const count = u32()
    const bodies: Body[] = []
    for (let i = 0; i < count && p < end; i++) {
      const n = u32()
      const body: Body = { start: p, end: p + n }
      const decoded = decodeBody(bytes, p, p + n)
      if (decoded) Object.assign(body, decoded)
      bodies.push(body)
      p += n
    }
    return { codeStart, codeEnd: end, bodies }
  }
  return undefined
}

function decodeBody(bytes: Uint8Array, start: number, end: number): { offsets: Int32Array; ops: Int32Array } | undefined {
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
  return { offsets: Int32Array.from(offsets), ops: Int32Array.from(ops) }
}

/** Most edits one stretch between call_indirect sites may take before its body is given up (the rewrite inserts ~10 instructions per site). */
const MAX_EDITS = 4096

/**
 * Pairs (input index, output index) of the instructions two opcode sequences
 * share, by Myers' diff (fast when they differ little); undefined past
 * MAX_EDITS.
 */
export function alignOps(a: Int32Array, b: Int32Array): Int32Array | undefined {
  const n = a.length,
    m = b.length
  // Common prefix and suffix first: most bodies are unchanged, or changed in one place.
  let pre = 0
  while (pre < n && pre < m && a[pre] === b[pre]) pre++
  let suf = 0
  while (suf < n - pre && suf < m - pre && a[n - 1 - suf] === b[m - 1 - suf]) suf++
  const pairs: number[] = []
  for (let i = 0; i < pre; i++) pairs.push(i, i)
  const an = n - pre - suf,
    bm = m - pre - suf
  if (an > 0 && bm > 0 && !anchored(a.subarray(pre, pre + an), b.subarray(pre, pre + bm), pre, pairs)) return undefined
  for (let k = suf; k > 0; k--) pairs.push(n - k, m - k)
  return Int32Array.from(pairs)
}

const isCallIndirect = (op: number) => op === 0x11 || op === 0x13

/**
 * Diffs a and b (offset `base` in their bodies) into `pairs`. The rewrite
 * keeps every call_indirect and inserts code before it: when both hold as
 * many, they pair up in order and only the stretches between them are
 * diffed, each with a handful of edits however many sites the body has.
 */
function anchored(a: Int32Array, b: Int32Array, base: number, pairs: number[]): boolean {
  const ia: number[] = []
  const ib: number[] = []
  for (let i = 0; i < a.length; i++) if (isCallIndirect(a[i])) ia.push(i)
  for (let i = 0; i < b.length; i++) if (isCallIndirect(b[i])) ib.push(i)
  const cuts = ia.length === ib.length && ia.every((x, k) => a[x] === b[ib[k]]) ? ia.length : 0
  let pa = 0,
    pb = 0
  for (let k = 0; k <= cuts; k++) {
    const ea = k < cuts ? ia[k] : a.length
    const eb = k < cuts ? ib[k] : b.length
    if (ea > pa && eb > pb) {
      const mid = myers(a.subarray(pa, ea), b.subarray(pb, eb))
      if (!mid) return false
      for (let q = 0; q < mid.length; q += 2) pairs.push(mid[q] + pa + base, mid[q + 1] + pb + base)
    }
    if (k < cuts) pairs.push(ea + base, eb + base)
    pa = ea + 1
    pb = eb + 1
  }
  return true
}

function myers(a: Int32Array, b: Int32Array): number[] | undefined {
  const n = a.length,
    m = b.length,
    max = Math.min(n + m, MAX_EDITS)
  const off = max + 1
  let v = new Int32Array(2 * max + 3)
  const trace: Int32Array[] = []
  let found = -1
  for (let d = 0; d <= max && found < 0; d++) {
    // Only diagonals -d-1..d+1 are read back at step d: keep just those.
    trace.push(v.slice(off - d - 1, off + d + 2))
    const next = v.slice()
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[off + k - 1] < v[off + k + 1]) ? v[off + k + 1] : v[off + k - 1] + 1
      let y = x - k
      while (x < n && y < m && a[x] === b[y]) {
        x++
        y++
      }
      next[off + k] = x
      if (x >= n && y >= m) {
        found = d
        break
      }
    }
    v = next
  }
  if (found < 0) return undefined
  // Walk back through the saved frontiers, collecting the diagonal (shared) steps.
  const pairs: number[] = []
  let x = n,
    y = m
  for (let d = found; d > 0; d--) {
    const pv = trace[d]
    const at = (diag: number) => pv[diag + d + 1]
    const k = x - y
    const prevK = k === -d || (k !== d && at(k - 1) < at(k + 1)) ? k + 1 : k - 1
    const prevX = at(prevK)
    const prevY = prevX - prevK
    while (x > prevX && y > prevY) pairs.push(--x, --y)
    x = prevX
    y = prevY
  }
  while (x > 0 && y > 0) pairs.push(--x, --y)
  const out: number[] = []
  for (let k = pairs.length - 2; k >= 0; k -= 2) out.push(pairs[k], pairs[k + 1])
  return out
}

/**
 * Where each byte offset of the input's code lands in the output: for an
 * instruction the rewrite kept, the same instruction; for one it replaced,
 * where its replacement starts; undefined outside the code or in a body that
 * could not be aligned. `unmapped` lists output offsets that start code with
 * no input counterpart (the appended functions, unaligned bodies).
 */
export interface OffsetMap {
  map(offset: number): number | undefined
  unmapped: number[]
}

export function offsetMap(input: Uint8Array, output: Uint8Array): OffsetMap | undefined {
  const a = codeLayout(input)
  const b = codeLayout(output)
  if (!a || !b || b.bodies.length < a.bodies.length) return undefined
  const unmapped: number[] = []
  // Per input body: sorted input offsets and what they map to.
  const keys: Int32Array[] = []
  const values: Int32Array[] = []
  for (let i = 0; i < a.bodies.length; i++) {
    const x = a.bodies[i],
      y = b.bodies[i]
    const pairs = x.ops && y.ops ? alignOps(x.ops, y.ops) : undefined
    if (!pairs || !x.offsets || !y.offsets) {
      keys.push(new Int32Array(0))
      values.push(new Int32Array(0))
      unmapped.push(y.start)
      continue
    }
    // Every input instruction: its partner, else where the output resumes after the last shared one before it.
    const k = new Int32Array(x.offsets.length + 2)
    const val = new Int32Array(x.offsets.length + 2)
    k[0] = x.start
    val[0] = y.start
    let pi = 0
    let resume = 0 // output instruction index after the last shared one
    for (let j = 0; j < x.offsets.length; j++) {
      k[j + 1] = x.offsets[j]
      if (pi < pairs.length && pairs[pi] === j) {
        val[j + 1] = y.offsets[pairs[pi + 1]]
        resume = pairs[pi + 1] + 1
        pi += 2
      } else val[j + 1] = resume < y.offsets.length ? y.offsets[resume] : y.end
    }
    k[x.offsets.length + 1] = x.end
    val[x.offsets.length + 1] = y.end
    keys.push(k)
    values.push(val)
  }
  if (b.bodies.length > a.bodies.length) unmapped.push(b.bodies[a.bodies.length].start)
  const starts = a.bodies.map(x => x.start)
  return {
    unmapped,
    map(offset) {
      if (offset < a.codeStart || offset > a.codeEnd || !starts.length) return undefined
      // The body holding offset (its end offset belongs to it: one past its last instruction).
      let lo = 0,
        hi = starts.length - 1
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1
        if (starts[mid] <= offset) lo = mid
        else hi = mid - 1
      }
      const k = keys[lo]
      if (!k.length || offset < k[0]) return undefined
      // The instruction holding offset (an offset inside one counts as its start).
      let l = 0,
        h = k.length - 1
      while (l < h) {
        const mid = (l + h + 1) >> 1
        if (k[mid] <= offset) l = mid
        else h = mid - 1
      }
      return values[lo][l]
    },
  }
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const B64_VALUE = new Int8Array(128).fill(-1)
for (let i = 0; i < B64.length; i++) B64_VALUE[B64.charCodeAt(i)] = i

/** Decodes one line of VLQ segments into arrays of numbers (relative, as written). One pass over char codes: maps run to megabytes. */
function decodeSegments(line: string): number[][] {
  const segments: number[][] = []
  let fields: number[] = []
  let value = 0,
    shift = 0
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i)
    if (c === 44) {
      // ','
      if (fields.length) segments.push(fields)
      fields = []
      continue
    }
    const digit = c < 128 ? B64_VALUE[c] : -1
    if (digit < 0) throw new Error(`invalid base64 VLQ character '${line[i]}'`)
    value += shift < 25 ? (digit & 31) << shift : (digit & 31) * 2 ** shift
    if (digit & 32) shift += 5
    else {
      const half = Math.floor(value / 2)
      fields.push(value % 2 ? -half : half)
      value = 0
      shift = 0
    }
  }
  if (fields.length) segments.push(fields)
  return segments
}

function encodeVlq(n: number): string {
  let v = n < 0 ? -n * 2 + 1 : n * 2
  if (v < 32) return B64[v]
  let s = ''
  do {
    let digit = v & 31
    v = Math.floor(v / 32)
    if (v > 0) digit |= 32
    s += B64[digit]
  } while (v > 0)
  return s
}

/** A source map's segment with absolute values: generated column, then source, line, column and name when present. */
export type Segment = number[]

/** The segments of a wasm source map (one generated line; columns are file offsets), with absolute values. */
export function readSegments(map: { mappings: string }): Segment[] {
  const lines = map.mappings.split(';')
  if (lines.length > 1 && lines.slice(1).some(l => l.length)) throw new Error('a wasm source map has one generated line; this one has several')
  const abs = [0, 0, 0, 0, 0]
  const segments = decodeSegments(lines[0])
  for (const seg of segments) for (let i = 0; i < seg.length; i++) seg[i] = abs[i] += seg[i]
  return segments
}

export function writeSegments(segments: Segment[]): string {
  const prev = [0, 0, 0, 0, 0]
  const parts: string[] = new Array(segments.length)
  for (let k = 0; k < segments.length; k++) {
    const seg = segments[k]
    let text = ''
    for (let i = 0; i < seg.length; i++) {
      text += encodeVlq(seg[i] - prev[i])
      prev[i] = seg[i]
    }
    parts[k] = text
  }
  return parts.join(',')
}

export interface RemappedSourceMap {
  /** The rewritten map (JSON text). */
  text: string
  /** Input segments kept, and dropped (outside code, or in a body that could not be aligned). */
  kept: number
  dropped: number
}

/**
 * Rewrites a wasm source map of `input` so that it describes `output` (see
 * the file's header). Throws on a map that is not JSON or not a v3 map.
 */
export function remapSourceMap(mapText: string, input: Uint8Array, output: Uint8Array): RemappedSourceMap | undefined {
  const json = JSON.parse(mapText)
  if (json?.version !== 3 || typeof json.mappings !== 'string') throw new Error('not a version 3 source map')
  const offsets = offsetMap(input, output)
  if (!offsets) return undefined
  const out: Segment[] = []
  let dropped = 0
  for (const s of readSegments(json)) {
    const to = offsets.map(s[0])
    if (to === undefined) {
      dropped++
      continue
    }
    out.push([to, ...s.slice(1)])
  }
  // Code with no input counterpart maps to no source (a one-field segment), not to whatever precedes it.
  for (const at of offsets.unmapped) out.push([at])
  // A stable sort: segments at one offset keep their input order (the input has such pairs; consumers take the last).
  out.sort((x, y) => x[0] - y[0])
  json.mappings = writeSegments(out)
  return { text: JSON.stringify(json), kept: out.length - offsets.unmapped.length, dropped }
}

/** The payload of the first custom section named `name` (after its name), or undefined. */
export function customSection(bytes: Uint8Array, name: string): Uint8Array | undefined {
  let p = 8
  const leb = () => {
    let r = 0,
      shift = 0,
      b: number
    do {
      b = bytes[p++]
      r += (b & 0x7f) * 2 ** shift
      shift += 7
    } while (b & 0x80 && p < bytes.length)
    return r
  }
  while (p < bytes.length) {
    const id = bytes[p++]
    const size = leb()
    const end = p + size
    if (id === 0) {
      const len = leb()
      if (new TextDecoder().decode(bytes.subarray(p, p + len)) === name) return bytes.subarray(p + len, end)
    }
    p = end
  }
  return undefined
}

const leb128 = (n: number): number[] => {
  const out: number[] = []
  do {
    let b = n & 0x7f
    n = Math.floor(n / 128)
    if (n) b |= 0x80
    out.push(b)
  } while (n)
  return out
}

/** The `sourceMappingURL` custom section for `url`: a section whose payload is the URL as a length-prefixed string. */
export function sourceMappingUrlSection(url: string): Uint8Array {
  const enc = new TextEncoder()
  const name = enc.encode('sourceMappingURL')
  const value = enc.encode(url)
  const payload = [...leb128(name.length), ...name, ...leb128(value.length), ...value]
  return Uint8Array.from([0, ...leb128(payload.length), ...payload])
}

/** The URL a `sourceMappingURL` section holds, or undefined. */
export function sourceMappingUrl(bytes: Uint8Array): string | undefined {
  const payload = customSection(bytes, 'sourceMappingURL')
  if (!payload) return undefined
  let p = 0,
    len = 0,
    shift = 0,
    b: number
  do {
    b = payload[p++]
    len += (b & 0x7f) * 2 ** shift
    shift += 7
  } while (b & 0x80 && p < payload.length)
  return new TextDecoder().decode(payload.subarray(p, p + len))
}

export interface DebugInfoOptions {
  mode: 'keep' | 'strip'
  /** The input's source map (JSON text), when it has one. */
  sourceMap?: string
  /** The URL to write in the output's `sourceMappingURL` section; defaults to the input's. */
  sourceMapUrl?: string
}

const isDwarf = (name: string) => name.startsWith('.debug_')

/**
 * What the transform does with the input's debug info once binaryen wrote
 * the output (`emitted`): the name section is binaryen's business (kept when
 * the input had one); DWARF and `external_debug_info` are dropped (see the
 * file's header); the source map is rewritten when the input's map was
 * given, else its URL is dropped. `strip` drops all of it without a word.
 * An output with none of these sections and no map given is returned as it
 * is, byte for byte.
 */
export function carryDebugInfo(
  input: Uint8Array,
  emitted: Uint8Array,
  options: DebugInfoOptions,
  drop: (bytes: Uint8Array, drop: (name: string) => boolean) => { bytes: Uint8Array; dropped: string[] },
): { wasm: Uint8Array; sourceMap?: string; warnings: string[] } {
  const warnings: string[] = []
  const stale = drop(emitted, name => isDwarf(name) || name === 'sourceMappingURL' || name === 'external_debug_info')
  let wasm = stale.bytes
  if (options.mode === 'strip') return { wasm, warnings }
  const dwarf = stale.dropped.filter(n => isDwarf(n) || n === 'external_debug_info')
  if (dwarf.length)
    warnings.push(
      `dropped ${dwarf.join(', ')}: binaryen.js cannot update DWARF (it is built without DWARF support and copies these sections unchanged), so their code addresses would point at the wrong instructions after the rewrite. Function names are kept (name section); build with -gsource-map for a source map that is rewritten with the module, or pass debugInfo: 'strip' (CLI --strip-debug) to drop debug info without this warning`,
    )
  if (options.sourceMap === undefined) {
    if (stale.dropped.includes('sourceMappingURL'))
      warnings.push(
        `dropped sourceMappingURL (${sourceMappingUrl(input)}): the map was not given, so it could not be rewritten. Pass its text as the sourceMap option (the CLI reads it beside the wasm), or debugInfo: 'strip' to drop it without this warning`,
      )
    return { wasm, warnings }
  }
  let remapped: RemappedSourceMap | undefined
  try {
    remapped = remapSourceMap(options.sourceMap, input, wasm)
  } catch (e) {
    warnings.push(`the source map was not rewritten and is not referenced by the output: ${(e as Error).message}`)
    return { wasm, warnings }
  }
  if (!remapped) {
    warnings.push('the source map was not rewritten and is not referenced by the output: the code section could not be read')
    return { wasm, warnings }
  }
  if (remapped.dropped)
    warnings.push(
      `source map: ${remapped.dropped} of ${remapped.kept + remapped.dropped} mappings dropped (outside the code, or in function bodies this version cannot decode)`,
    )
  const url = options.sourceMapUrl ?? sourceMappingUrl(input)
  if (url) {
    // After the code section (at the very end): code offsets do not move.
    const section = sourceMappingUrlSection(url)
    const out = new Uint8Array(wasm.length + section.length)
    out.set(wasm)
    out.set(section, wasm.length)
    wasm = out
  }
  return { wasm, sourceMap: remapped.text, warnings }
}
