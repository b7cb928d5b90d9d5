/**
 * Test helpers for debug info: the instructions of every function body as
 * `wasm-objdump -d` (wabt) decodes them, an alignment of the bodies of two
 * modules (an input and its rewrite), and `llvm-addr2line` over many
 * code-section-relative addresses at once. Independent of the transform's own
 * decoder (src/core/wasm/debug/), so that a test using them checks it.
 */
import { execFileSync, spawnSync } from 'node:child_process'

export interface Instr {
  /** Offset in the module file. */
  offset: number
  /** The mnemonic (`call_indirect`, `local.get`, ...). */
  op: string
}

export interface Listing {
  /** Start of the code section's contents in the file (DWARF addresses count from there). */
  codeStart: number
  /** Per function index (imports included, as wasm-objdump numbers them): its instructions. */
  functions: Map<number, Instr[]>
}

export function disassemble(file: string): Listing {
  const headers = execFileSync('wasm-objdump', ['-h', file], { encoding: 'utf8' })
  const code = /^\s*Code start=0x([0-9a-f]+)/m.exec(headers)
  if (!code) throw new Error(`${file}: no code section`)
  // wasm-objdump's start is after the section's size; the contents begin there.
  const codeStart = Number.parseInt(code[1], 16)
  const text = execFileSync('wasm-objdump', ['-d', file], { encoding: 'utf8', maxBuffer: 1 << 30 })
  const functions = new Map<number, Instr[]>()
  let current: Instr[] | undefined
  for (const line of text.split('\n')) {
    const head = /^[0-9a-f]+ func\[(\d+)\]/.exec(line)
    if (head) {
      current = []
      functions.set(Number(head[1]), current)
      continue
    }
    const ins = /^ ([0-9a-f]+):[0-9a-f ]*\|\s+(\S+)/.exec(line)
    if (!ins || !current || ins[2].startsWith('local[')) continue
    current.push({ offset: Number.parseInt(ins[1], 16), op: ins[2] })
  }
  return { codeStart, functions }
}

/**
 * Pairs of [input offset, output offset] for the instructions of function
 * `index` that the rewrite kept: by ordinal when the opcode sequences are
 * equal, else by a longest common subsequence of the opcodes.
 */
export function alignFunction(a: Instr[], b: Instr[]): [number, number][] {
  if (a.length === b.length && a.every((x, i) => x.op === b[i].op)) return a.map((x, i) => [x.offset, b[i].offset])
  const n = a.length,
    m = b.length
  const L = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1))
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) L[i][j] = a[i].op === b[j].op ? L[i + 1][j + 1] + 1 : Math.max(L[i + 1][j], L[i][j + 1])
  const pairs: [number, number][] = []
  let i = 0,
    j = 0
  while (i < n && j < m) {
    if (a[i].op === b[j].op) {
      pairs.push([a[i].offset, b[j].offset])
      i++
      j++
    } else if (L[i + 1][j] >= L[i][j + 1]) i++
    else j++
  }
  return pairs
}

/** `llvm-addr2line` for each code-section-relative address: `file:line` (`??:0` when unknown). */
export function addr2line(file: string, addresses: number[]): string[] {
  if (!addresses.length) return []
  const out = execFileSync('llvm-addr2line', ['-e', file], {
    input: `${addresses.map(a => `0x${a.toString(16)}`).join('\n')}\n`,
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  })
  return out.trimEnd().split('\n')
}

/** Looks file offsets up in a wasm source map (v3, one generated line): `source:line` (1-based), or `??` where no source is mapped. */
export function sourceMapLines(mapText: string, offsets: number[]): string[] {
  const map = JSON.parse(mapText)
  const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
  const segs: number[][] = []
  const abs = [0, 0, 0, 0, 0]
  for (const text of String(map.mappings).split(';')[0].split(',')) {
    if (!text) continue
    const fields: number[] = []
    let v = 0,
      shift = 0
    for (const c of text) {
      const d = B64.indexOf(c)
      v += (d & 31) << shift
      if (d & 32) shift += 5
      else {
        fields.push(v & 1 ? -(v >>> 1) : v >>> 1)
        v = 0
        shift = 0
      }
    }
    segs.push(fields.map((d, i) => (abs[i] += d)))
  }
  return offsets.map(o => {
    let lo = 0,
      hi = segs.length - 1,
      found = -1
    while (lo <= hi) {
      const mid = (lo + hi) >> 1
      if (segs[mid][0] <= o) {
        found = mid
        lo = mid + 1
      } else hi = mid - 1
    }
    const s = segs[found]
    return s && s.length >= 4 ? `${map.sources[s[1]]}:${s[2] + 1}` : '??'
  })
}

/**
 * `llvm-addr2line -f -i` for each code-section-relative address: per frame
 * (innermost first, inlined ones included) the function, file, line and
 * column the DWARF gives, joined with ' < '; '??' when none. The function's
 * start address is left out (it moves with the code).
 */
export function symbolize(file: string, addresses: number[]): string[] {
  if (!addresses.length) return []
  const out = execFileSync('llvm-addr2line', ['-f', '-i', '--output-style=JSON', '-e', file], {
    input: `${addresses.map(a => `0x${a.toString(16)}`).join('\n')}\n`,
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  })
  return out
    .trimEnd()
    .split('\n')
    .map(line => {
      const frames: { FunctionName: string; FileName: string; Line: number; Column: number; StartLine: number; Discriminator: number }[] =
        JSON.parse(line).Symbol ?? []
      const named = frames.filter(f => f.FileName || f.FunctionName)
      return named.length
        ? named.map(f => `${f.FunctionName} ${f.FileName}:${f.Line}:${f.Column} (from ${f.StartLine}, d${f.Discriminator})`).join(' < ')
        : '??'
    })
}

/**
 * The address ranges of the DIEs' range and location lists, in DIE order,
 * as `llvm-dwarfdump --debug-info` resolves them (whatever section and form
 * holds them: `.debug_ranges`, `.debug_loc`, DWARF 5 `.debug_rnglists` with
 * indexed addresses), as code-section-relative [begin, end) pairs.
 */
export function dwarfLists(file: string): { ranges: [number, number][]; locations: [number, number][] } {
  const text = execFileSync('llvm-dwarfdump', ['--debug-info', file], { encoding: 'utf8', maxBuffer: 1 << 30 })
  const ranges: [number, number][] = []
  const locations: [number, number][] = []
  let into: [number, number][] | undefined
  for (const line of text.split('\n')) {
    if (/DW_AT_ranges/.test(line)) into = ranges
    else if (/DW_AT_(location|frame_base)/.test(line)) into = locations
    else if (/DW_AT_|DW_TAG_/.test(line)) into = undefined
    if (!into) continue
    for (const m of line.matchAll(/\[0x([0-9a-f]+), 0x([0-9a-f]+)\)/g)) into.push([Number.parseInt(m[1], 16), Number.parseInt(m[2], 16)])
  }
  return { ranges, locations }
}

/** The DIE offsets `llvm-dwarfdump --verify` reports errors at, and how many errors. */
export function dwarfErrors(file: string): { count: number; dies: Set<string> } {
  const r = spawnSync('llvm-dwarfdump', ['--verify', file], { encoding: 'utf8', maxBuffer: 1 << 30 })
  const text = r.stdout + r.stderr
  const count = (text.match(/^error:/gm) ?? []).length
  const dies = new Set([...text.matchAll(/^error: .*\n(0x[0-9a-f]+):/gm)].map(m => m[1]))
  return { count, dies }
}

/** The rows of the line tables, in order, as `llvm-dwarfdump --debug-line` prints them: [address, the rest of the row]. */
export function lineRows(file: string): [number, string][] {
  const text = execFileSync('llvm-dwarfdump', ['--debug-line', file], { encoding: 'utf8', maxBuffer: 1 << 30 })
  return [...text.matchAll(/^0x([0-9a-f]{16}) (.*)$/gm)].map(m => [Number.parseInt(m[1], 16), m[2].trim()])
}
