/**
 * Wasm source maps (`-gsource-map`): VLQ segments read and written, and a
 * map of the input rewritten to describe the output through the offset map.
 */
import type { OffsetMap } from './offset-map.ts'

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
 * Rewrites a wasm source map of the input so that it describes the output
 * `offsets` maps it to (see debug/index.ts). Throws on a map that is not JSON or not a v3 map.
 */
export function remapSourceMap(mapText: string, offsets: OffsetMap): RemappedSourceMap {
  const json = JSON.parse(mapText)
  if (json?.version !== 3 || typeof json.mappings !== 'string') throw new Error('not a version 3 source map')
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
