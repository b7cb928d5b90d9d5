/**
 * Where each instruction of the input's code lands in the output: bodies are
 * paired by index (the rewrite keeps function order and appends its own),
 * and inside a body the opcode sequences are aligned between call_indirect
 * sites (a Myers diff of each stretch).
 */
import { readU32, skipLeb } from '../bytes.ts'
import { codeLayout } from './code-layout.ts'

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
  /** Whether offset lies in an input body that could not be aligned (so map says undefined though it is code). */
  lost(offset: number): boolean
  unmapped: number[]
  /** Input bodies whose locals the output numbers differently (binaryen regroups locals by type unless DWARF is present). */
  localsMoved: number[]
  /** Where the code section's contents start, in the input and in the output (DWARF addresses count from there). */
  inputCodeStart: number
  outputCodeStart: number
}

export function offsetMap(input: Uint8Array, output: Uint8Array): OffsetMap | undefined {
  const a = codeLayout(input)
  const b = codeLayout(output)
  if (!a || !b || b.bodies.length < a.bodies.length) return undefined
  const unmapped: number[] = []
  const localsMoved: number[] = []
  // Per input body: sorted input offsets and what they map to.
  const keys: Int32Array[] = []
  const values: Int32Array[] = []
  for (let i = 0; i < a.bodies.length; i++) {
    const x = a.bodies[i],
      y = b.bodies[i]
    if (x.locals && y.locals && !localsExtend(x.locals, y.locals)) localsMoved.push(i)
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
  const bodyAt = (offset: number) => (offset < a.codeStart || offset > a.codeEnd || !starts.length ? -1 : lastAtOrBefore(starts, offset))
  return {
    unmapped,
    localsMoved,
    inputCodeStart: a.codeStart,
    outputCodeStart: b.codeStart,
    lost(offset) {
      const i = bodyAt(offset)
      return i >= 0 && offset >= a.bodies[i].start && offset <= a.bodies[i].end && !keys[i].length
    },
    map(offset) {
      // The body holding offset (its end offset belongs to it: one past its last instruction).
      const lo = bodyAt(offset)
      if (lo < 0) return undefined
      const k = keys[lo]
      if (!k.length || offset < k[0]) return undefined
      // The instruction holding offset (an offset inside one counts as its start).
      const l = lastAtOrBefore(k, offset)
      const v = values[lo]
      // In the local declarations (DWARF has 1-byte ranges at a body's start): the same distance from the start, within the output's declarations.
      if (l === 0 && k.length > 1) return v[0] + Math.min(offset - k[0], v[1] - v[0])
      return v[l]
    },
  }
}

/**
 * Whether the local declarations `b` declare the locals of `a`, at the same
 * indices, and perhaps more after them (the rewrite appends its scratch
 * locals). Each is a group count, then per group a count and a value type.
 */
function localsExtend(a: Uint8Array, b: Uint8Array): boolean {
  const x = localRuns(a),
    y = localRuns(b)
  if (x.length > y.length) return false
  for (let i = 0; i < x.length; i += 2) {
    if (x[i + 1] !== y[i + 1]) return false
    // The last group may have grown: appended locals of its type join it.
    if (i + 2 < x.length ? x[i] !== y[i] : x[i] > y[i]) return false
  }
  return true
}

/** Local groups as [count, type key, ...] with neighbours of one type merged (a writer may split or join them). */
function localRuns(bytes: Uint8Array): (number | string)[] {
  const runs: (number | string)[] = []
  let p = 0
  const leb = () => {
    const value = readU32(bytes, p)
    p = skipLeb(bytes, p)
    return value
  }
  for (let groups = leb(); groups > 0 && p < bytes.length; groups--) {
    const count = leb()
    const from = p
    const type = bytes[p++]
    if (type === 0x63 || type === 0x64) leb()
    const key = bytes.subarray(from, p).join(',')
    if (count === 0) continue
    if (runs.length && runs[runs.length - 1] === key) runs[runs.length - 2] = (runs[runs.length - 2] as number) + count
    else runs.push(count, key)
  }
  return runs
}

/** The index of the last element of `sorted` (ascending) that is at most x; 0 when none is. */
function lastAtOrBefore(sorted: ArrayLike<number>, x: number): number {
  let lo = 0,
    hi = sorted.length - 1
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1
    if (sorted[mid] <= x) lo = mid
    else hi = mid - 1
  }
  return lo
}
