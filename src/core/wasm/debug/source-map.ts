/**
 * Wasm source maps (`-gsource-map`): VLQ segments read and written, and a
 * map of the input rewritten to describe the output through the offset map.
 */
import type { OffsetMap } from './offset-map.ts'

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const B64_VALUE = new Int8Array(128).fill(-1)
for (let i = 0; i < B64.length; i++) B64_VALUE[B64.charCodeAt(i)] = i

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

/**
 * The segments of a wasm source map's one generated line, flat: per segment
 * its number of fields (1, 4 or 5) and five absolute values (generated
 * column, source, line, column, name). Maps run to millions of segments
 * (Pyodide-sized modules): no object per segment, one pass over the text.
 */
export interface Segments {
  count: number
  fields: Uint8Array
  /** 5 per segment. */
  values: Int32Array
}

export function readSegments(map: { mappings: string }): Segments {
  const text = map.mappings
  const semicolon = text.indexOf(';')
  if (semicolon >= 0 && /[^;]/.test(text.slice(semicolon))) throw new Error('a wasm source map has one generated line; this one has several')
  const end = semicolon >= 0 ? semicolon : text.length
  // At most one segment per ',' plus one.
  let capacity = 1
  for (let i = 0; i < end; i++) if (text.charCodeAt(i) === 44) capacity++
  const fields = new Uint8Array(capacity)
  const values = new Int32Array(capacity * 5)
  const abs = [0, 0, 0, 0, 0]
  let count = 0,
    field = 0,
    value = 0,
    shift = 0
  const close = () => {
    if (field === 0) return
    if (field !== 1 && field !== 4 && field !== 5) throw new Error(`a segment with ${field} fields`)
    fields[count] = field
    // The fields a segment leaves out hold the last values; they are never written for it.
    for (let f = 0; f < 5; f++) values[count * 5 + f] = abs[f]
    count++
    field = 0
  }
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i)
    if (c === 44) {
      close()
      continue
    }
    const digit = c < 128 ? B64_VALUE[c] : -1
    if (digit < 0) throw new Error(`invalid base64 VLQ character '${text[i]}'`)
    value += shift < 25 ? (digit & 31) << shift : (digit & 31) * 2 ** shift
    if (digit & 32) shift += 5
    else {
      const half = Math.floor(value / 2)
      if (field < 5) abs[field] += value % 2 ? -half : half
      field++
      value = 0
      shift = 0
    }
  }
  close()
  return { count, fields, values }
}

/** The mappings text of the segments taken in `order` (indices), each value relative to the last written. */
export function writeSegments(segments: Segments, order: ArrayLike<number>): string {
  const prev = [0, 0, 0, 0, 0]
  const parts: string[] = new Array(order.length)
  for (let k = 0; k < order.length; k++) {
    const s = order[k]
    let text = ''
    for (let f = 0; f < segments.fields[s]; f++) {
      const v = segments.values[s * 5 + f]
      text += encodeVlq(v - prev[f])
      prev[f] = v
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
 * Rewrites a wasm source map of the input so that it describes the output
 * `offsets` maps it to (see debug/index.ts). Throws on a map that is not
 * JSON or not a v3 map.
 */
export function remapSourceMap(mapText: string, offsets: OffsetMap): RemappedSourceMap {
  const json = JSON.parse(mapText)
  if (json?.version !== 3 || typeof json.mappings !== 'string') throw new Error('not a version 3 source map')
  const input = readSegments(json)
  // The output's segments: the input's moved, then one per stretch of code with no input counterpart (a
  // one-field segment: no source, rather than whatever precedes it).
  const total = input.count + offsets.unmapped.length
  const out: Segments = { count: total, fields: new Uint8Array(total), values: new Int32Array(total * 5) }
  let n = 0,
    dropped = 0
  for (let s = 0; s < input.count; s++) {
    const to = offsets.map(input.values[s * 5])
    if (to === undefined) {
      dropped++
      continue
    }
    out.fields[n] = input.fields[s]
    out.values.set(input.values.subarray(s * 5 + 1, s * 5 + 5), n * 5 + 1)
    out.values[n * 5] = to
    n++
  }
  const kept = n
  for (const at of offsets.unmapped) {
    out.fields[n] = 1
    out.values[n * 5] = at
    n++
  }
  // By generated column, stably: segments at one offset keep their input order (consumers take the last).
  // Already in order as a rule (the offset map keeps the code's order): checked before sorting.
  const order = new Uint32Array(n)
  let sorted = true
  for (let i = 0; i < n; i++) {
    order[i] = i
    if (i && out.values[i * 5] < out.values[(i - 1) * 5]) sorted = false
  }
  const ordered = sorted ? order : Uint32Array.from([...order].sort((x, y) => out.values[x * 5] - out.values[y * 5] || x - y))
  json.mappings = writeSegments(out, ordered)
  return { text: JSON.stringify(json), kept, dropped }
}
