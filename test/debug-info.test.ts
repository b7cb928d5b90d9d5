/**
 * The user's debug info across the rewrite (src/core/wasm/debug/).
 *
 * Source maps: the map of the committed -gsource-map fixtures (-O2 and -O0)
 * is rewritten with the module; every call_indirect site (matched by its
 * ordinal in its function) and every other instruction the rewrite kept
 * (matched by a diff of wabt's disassembly, independent of the transform's
 * own decoder) must resolve to the same file:line before and after, the
 * functions the rewrite appended to no source, and a trap at a known C line
 * must resolve to that line through the written map.
 *
 * DWARF (-g at -O2 and -O0, with both writers): binaryen.js cannot update it
 * (it copies `.debug_*` unchanged; a test pins that down and shows the lines
 * that would give), so the transform rewrites it (src/core/wasm/debug/dwarf/).
 * Checked with LLVM's own readers against wabt's pairing of instructions:
 * `llvm-addr2line -f -i` gives the same function, inlined frames, file, line
 * and column for every call_indirect site and kept instruction, range and
 * location lists bound the same instructions, `llvm-dwarfdump --verify`
 * finds nothing new, and a trap's frame resolves to its C line. A separate
 * DWARF file (-gseparate-dwarf) is rewritten beside the output; what cannot
 * be rewritten (DWARF 5, a file not given) is dropped with a warning.
 */
import { spawnSync } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import binaryen from 'binaryen'
import { afterAll, describe, expect, it } from 'vitest'
import { transformWasm } from '../src/core/index.ts'
import { codeLayout } from '../src/core/wasm/debug/code-layout.ts'
import { rewriteDwarf } from '../src/core/wasm/debug/dwarf/index.ts'
import { appendCustomSections, customSection, customSections, externalDebugInfoUrl, sourceMappingUrl } from '../src/core/wasm/debug/index.ts'
import { type OffsetMap, offsetMap } from '../src/core/wasm/debug/offset-map.ts'
import { readSegments, writeSegments } from '../src/core/wasm/debug/source-map.ts'
import { customSectionNames, sections } from '../src/core/wasm/bytes.ts'
import { planCopy } from '../src/core/wasm/copy/index.ts'
import { transformFiles } from '../src/node/files.ts'
import { addr2line, alignFunction, disassemble, dwarfErrors, dwarfLists, lineRows, sourceMapLines, symbolize } from './helpers/debug-lines.ts'
import { withCustomSection } from './catalogue/inputs.ts'
import { ROOT } from './helpers/engines.ts'

const BUILD = join(ROOT, 'test/fixtures/build')
const fixture = (name: string) => readFileSync(join(BUILD, name, `${name}.wasm`))
const work = mkdtempSync(join(tmpdir(), 'fpcast-debug-info-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))
const TRAP_LINE =
  readFileSync(join(ROOT, 'test/fixtures/c/debuginfo.c'), 'utf8')
    .split('\n')
    .findIndex(l => l.includes('/* TRAP */')) + 1

/** Pairs of input/output file offsets: every call_indirect by ordinal in its function, then every instruction a diff of the opcodes keeps. */
function pairs(inFile: string, outFile: string) {
  const a = disassemble(inFile)
  const b = disassemble(outFile)
  const sites: [number, number][] = []
  const kept: [number, number][] = []
  for (const [fn, ins] of a.functions) {
    const outs = b.functions.get(fn) ?? []
    const ca = ins.filter(x => x.op === 'call_indirect')
    const cb = outs.filter(x => x.op === 'call_indirect')
    expect(cb.length, `call_indirect sites of function ${fn}`).toBe(ca.length)
    for (let k = 0; k < ca.length; k++) sites.push([ca[k].offset, cb[k].offset])
    kept.push(...alignFunction(ins, outs))
  }
  const appended = [...b.functions].filter(([fn]) => !a.functions.has(fn)).flatMap(([, ins]) => ins.map(x => x.offset))
  return { a, b, sites, kept, appended }
}

describe.each(['debuginfo_map', 'debuginfo_map_O0'])('source map of %s', name => {
  const input = fixture(name)
  const map = readFileSync(join(BUILD, name, `${name}.wasm.map`), 'utf8')
  const { wasm, sourceMap, report } = transformWasm(input, { fileName: `${name}.wasm`, sourceMap: map })
  const inFile = join(BUILD, name, `${name}.wasm`)
  const outFile = join(work, `${name}.wasm`)
  writeFileSync(outFile, wasm)

  it('is rewritten, and the output still names it', () => {
    expect(report.sites.rewritten).toBeGreaterThanOrEqual(9)
    expect(report.warnings).toEqual([])
    expect(sourceMap).toBeTypeOf('string')
    expect(sourceMappingUrl(wasm)).toBe(`${name}.wasm.map`)
    const json = JSON.parse(sourceMap!)
    expect(json.sources).toEqual(JSON.parse(map).sources)
  })

  it('resolves every call_indirect site and every kept instruction to the same file:line', () => {
    const { sites, kept, appended } = pairs(inFile, outFile)
    expect(sites.length).toBe(report.sites.total)
    for (const [what, list] of [
      ['call_indirect sites', sites],
      ['kept instructions', kept],
    ] as const) {
      const before = sourceMapLines(
        map,
        list.map(p => p[0]),
      )
      const after = sourceMapLines(
        sourceMap!,
        list.map(p => p[1]),
      )
      const wrong = list.map((p, i) => ({ at: p[0].toString(16), before: before[i], after: after[i] })).filter(x => x.before !== x.after)
      expect(wrong, what).toEqual([])
      expect(before.filter(l => l !== '??').length, `${what} with a source`).toBeGreaterThan(list.length * 0.9)
    }
    // Sites in the fixture's own code resolve into debuginfo.c.
    expect(
      sourceMapLines(
        sourceMap!,
        sites.map(p => p[1]),
      ).filter(l => l.startsWith('../../c/debuginfo.c:')).length,
    ).toBeGreaterThanOrEqual(3)
    // What the rewrite appended (adapters, helpers) has no source, rather than the line of the code before it.
    expect(appended.length).toBeGreaterThan(0)
    expect(new Set(sourceMapLines(sourceMap!, appended))).toEqual(new Set(['??']))
  })

  it('a map whose segments are not in order comes out the same as the ordered one', () => {
    // The second half first: both halves keep their order (a split between two offsets, so no pair at one offset is torn).
    const segments = readSegments(JSON.parse(map))
    let half = segments.count >> 1
    while (segments.values[half * 5] === segments.values[(half - 1) * 5]) half++
    const order = [...Array(segments.count).keys()]
    const rotated = { ...JSON.parse(map), mappings: writeSegments(segments, [...order.slice(half), ...order.slice(0, half)]) }
    const again = transformWasm(input, { fileName: `${name}.wasm`, sourceMap: JSON.stringify(rotated) })
    expect(again.sourceMap).toBe(sourceMap)
  })

  it('a second transform changes nothing and hands the map back as it was', () => {
    const again = transformWasm(wasm, { sourceMap })
    expect(again.report.alreadyTransformed).toBe(true)
    expect(again.wasm).toBe(wasm)
    expect(again.sourceMap).toBe(sourceMap)
  })
})

describe('a trap at a known C line', () => {
  const traps = (dir: string, mode: string) => {
    const r = spawnSync(process.execPath, [join(dir, 'debuginfo_map.js'), mode], { encoding: 'utf8', cwd: dir })
    const frame = /at on_event \(wasm:\/\/wasm\/[0-9a-f]+:wasm-function\[\d+\]:0x([0-9a-f]+)\)/.exec(r.stderr)
    expect(frame, r.stderr).toBeTruthy()
    return Number.parseInt(frame![1], 16)
  }

  it('resolves through the rewritten map to the same line, reached by a matched and by a cast call', () => {
    expect(TRAP_LINE).toBeGreaterThan(0)
    const src = join(BUILD, 'debuginfo_map')
    const out = join(work, 'cli-out')
    const r = transformFiles(join(src, 'debuginfo_map.js'), { outDir: out })
    expect(r.report.warnings).toEqual([])
    cpSync(join(src, 'package.json'), join(out, 'package.json'))
    const where = `../../c/debuginfo.c:${TRAP_LINE}`
    const inputMap = readFileSync(join(src, 'debuginfo_map.wasm.map'), 'utf8')
    expect(sourceMapLines(inputMap, [traps(src, 'trap')])).toEqual([where])
    const outputMap = readFileSync(join(out, 'debuginfo_map.wasm.map'), 'utf8')
    expect(sourceMappingUrl(readFileSync(join(out, 'debuginfo_map.wasm')))).toBe('debuginfo_map.wasm.map')
    expect(sourceMapLines(outputMap, [traps(out, 'trap'), traps(out, 'trap-cast')])).toEqual([where, where])
  })
})

describe('DWARF', () => {
  const input = fixture('catalogue_dwarf')
  const inputNames = customSectionNames(input)
  const dwarf = inputNames.filter(n => n.startsWith('.debug_'))

  it('binaryen.js copies .debug_* unchanged (it has no DWARF support): if this fails, binaryen learnt to update DWARF, revisit src/core/wasm/debug/', () => {
    const saved = binaryen.getDebugInfo()
    binaryen.setDebugInfo(true)
    try {
      const m = binaryen.readBinary(input)
      m.setFeatures(binaryen.Features.MutableGlobals | binaryen.Features.SignExt | binaryen.Features.BulkMemory)
      m.addFunction('moved', binaryen.none, binaryen.none, [], m.nop())
      const out = m.emitBinary()
      m.dispose()
      for (const name of dwarf) expect(Buffer.from(customSection(out, name)!).equals(Buffer.from(customSection(input, name)!)), name).toBe(true)
    } finally {
      binaryen.setDebugInfo(saved)
    }
  })

  it('kept as binaryen writes them, its lines would be wrong after the rewrite', () => {
    const { wasm } = transformWasm(input)
    // The output plus the input's DWARF, byte for byte as binaryen.js would have written it.
    const stale = dwarf.reduce((bytes, name) => withCustomSection(bytes, name, customSection(input, name)!), wasm)
    const inFile = join(BUILD, 'catalogue_dwarf/catalogue_dwarf.wasm')
    const outFile = join(work, 'stale-dwarf.wasm')
    writeFileSync(outFile, stale)
    const { a, b, sites } = pairs(inFile, outFile)
    const before = addr2line(
      inFile,
      sites.map(p => p[0] - a.codeStart),
    )
    const after = addr2line(
      outFile,
      sites.map(p => p[1] - b.codeStart),
    )
    expect(before.filter(l => !l.startsWith('??')).length).toBeGreaterThan(0)
    expect(before.filter((l, i) => l !== after[i]).length).toBeGreaterThan(sites.length / 2)
  })

  it('binaryen keeps locals in their order when the module has a .debug_ section (DWARF names locals by index): the copy writer gives it an empty one', () => {
    // Locals i32, i64, i32: binaryen's writer groups locals by type (i32 i32 i64) unless the module has DWARF.
    const text =
      '(module (func (export "f") (result i64) (local i32) (local i64) (local i32) (local.set 0 (i32.const 1)) (local.set 2 (i32.const 2)) (local.set 1 (i64.const 3)) (local.get 1)))'
    const locals = (bytes: Uint8Array) => {
      const code = sections(bytes).find(x => x.id === 10)!
      return [...bytes.subarray(code.start + 2, code.start + 2 + 7)] // after the body count and the body size
    }
    const write = (debug: boolean) => {
      const m = binaryen.parseText(text)
      if (debug) m.addCustomSection('.debug_info', new Uint8Array(0))
      const once = m.emitBinary()
      m.dispose()
      const again = binaryen.readBinary(once)
      const out = again.emitBinary()
      again.dispose()
      return locals(out)
    }
    expect(write(true)).toEqual([3, 1, 0x7f, 1, 0x7e, 1, 0x7f])
    expect(write(false)).not.toEqual([3, 1, 0x7f, 1, 0x7e, 1, 0x7f])
    const plan = planCopy(new Uint8Array(input))
    if ('declined' in plan) throw new Error(plan.declined)
    const skeleton = plan.skeleton
    expect(customSectionNames(skeleton).filter(n => n.startsWith('.debug_'))).toEqual(['.debug_info'])
    expect(customSection(skeleton, '.debug_info')!.length).toBe(0)
  })

  it("debugInfo: 'strip' drops it without a warning; kept, every section comes back", () => {
    const kept = transformWasm(input)
    const stripped = transformWasm(input, { debugInfo: 'strip' })
    expect(stripped.report.warnings).toEqual([])
    expect(customSectionNames(stripped.wasm).filter(n => n.startsWith('.debug_'))).toEqual([])
    expect(customSectionNames(kept.wasm).filter(n => n.startsWith('.debug_'))).toEqual(dwarf)
    expect(customSectionNames(stripped.wasm)).toContain('name')
  })
})

/** Offsets of the kept instructions, code-section-relative: input -> output (wabt's pairing, independent of the transform). */
function keptMap(p: ReturnType<typeof pairs>): Map<number, number> {
  return new Map(p.kept.map(([x, y]) => [x - p.a.codeStart, y - p.b.codeStart]))
}

describe.each([
  ['catalogue_dwarf', 'copy'],
  ['catalogue_dwarf', 'binaryen'],
  ['debuginfo_dwarf_O0', 'copy'],
  ['debuginfo_dwarf_O0', 'binaryen'],
  ['debuginfo_dwarf5', 'copy'],
  ['debuginfo_dwarf5', 'binaryen'],
  ['dwarf5_lists', 'copy'],
  ['dwarf5_lists', 'binaryen'],
] as const)('DWARF of %s, writer %s', (name, writer) => {
  const input = fixture(name)
  const inFile = join(BUILD, name, `${name}.wasm`)
  const outFile = join(work, `${name}-${writer}.wasm`)
  const { wasm, report } = transformWasm(input, { fileName: `${name}.wasm`, writer })
  writeFileSync(outFile, wasm)
  const dwarf = customSectionNames(input).filter(n => n.startsWith('.debug_'))

  it('is kept, rewritten, with no warning; the input is left as it was', () => {
    expect(Buffer.from(input).equals(readFileSync(inFile))).toBe(true)
    expect(report.writer.used).toBe(writer)
    expect(report.sites.rewritten).toBeGreaterThanOrEqual(name === 'dwarf5_lists' ? 1 : 9)
    expect(report.warnings).toEqual([])
    expect(dwarf).toEqual(expect.arrayContaining(['.debug_info', '.debug_line', '.debug_abbrev']))
    if (name === 'dwarf5_lists') expect(dwarf).toEqual(expect.arrayContaining(['.debug_loclists', '.debug_rnglists', '.debug_addr']))
    expect(customSectionNames(wasm).filter(n => n.startsWith('.debug_'))).toEqual(dwarf)
  })

  it('every call_indirect site and every kept instruction: the same function, inlined frames, file, line and column', () => {
    const p = pairs(inFile, outFile)
    expect(p.sites.length).toBe(report.sites.total)
    for (const [what, list] of [
      ['call_indirect sites', p.sites],
      ['kept instructions', p.kept],
    ] as const) {
      const before = symbolize(
        inFile,
        list.map(([x]) => x - p.a.codeStart),
      )
      const after = symbolize(
        outFile,
        list.map(([, y]) => y - p.b.codeStart),
      )
      const wrong = list.map(([x], i) => ({ at: x.toString(16), before: before[i], after: after[i] })).filter(d => d.before !== d.after)
      expect(wrong.slice(0, 5), what).toEqual([])
      expect(before.filter(l => l !== '??').length, `${what} with a line`).toBeGreaterThan(list.length * 0.75)
    }
    // The fixture's own sites resolve into its C file.
    const own = symbolize(
      outFile,
      p.sites.map(([, y]) => y - p.b.codeStart),
    ).filter(l => /\.\/(catalogue|debuginfo|dwarf5_lists)\.c:/.test(l))
    expect(own.length).toBeGreaterThanOrEqual(name === 'dwarf5_lists' ? 1 : 3)
    // What the rewrite appended (adapters, helpers) is in no unit.
    expect(p.appended.length).toBeGreaterThan(0)
    expect(
      new Set(
        symbolize(
          outFile,
          p.appended.map(y => y - p.b.codeStart),
        ),
      ),
    ).toEqual(new Set(['??']))
  })

  it('the line table has the rows of the input, in order, their addresses moved with their instructions', () => {
    const moved = keptMap(pairs(inFile, outFile))
    const before = lineRows(inFile)
    const after = lineRows(outFile)
    expect(after.map(r => r[1])).toEqual(before.map(r => r[1]))
    let checked = 0
    before.forEach(([at], i) => {
      if (!moved.has(at)) return
      expect(after[i][0], `row ${i} at 0x${at.toString(16)}`).toBe(moved.get(at))
      checked++
    })
    expect(checked).toBeGreaterThan(before.length / 2)
  })

  it('range and location lists move with the instructions they bound', () => {
    const moved = keptMap(pairs(inFile, outFile))
    const before = dwarfLists(inFile)
    const after = dwarfLists(outFile)
    let checked = 0
    for (const kind of ['ranges', 'locations'] as const) {
      expect(after[kind].length, kind).toBe(before[kind].length)
      before[kind].forEach(([begin, end], i) => {
        for (const [k, v] of [
          [0, begin],
          [1, end],
        ]) {
          const to = moved.get(v)
          if (to === undefined) continue
          expect(after[kind][i][k], `${kind} entry ${i}: 0x${v.toString(16)}`).toBe(to)
          checked++
        }
      })
    }
    expect(checked).toBeGreaterThan(name === 'dwarf5_lists' ? 5 : 10)
  })

  it('llvm-dwarfdump --verify finds no error the input does not have', () => {
    const before = dwarfErrors(inFile)
    const after = dwarfErrors(outFile)
    expect(after.count).toBeLessThanOrEqual(before.count)
    expect([...after.dies].filter(d => !before.dies.has(d))).toEqual([])
  })
})

describe('DWARF of a function whose code could not be followed', () => {
  it('loses its rows, its ranges and its address, and is counted; the other functions keep theirs', () => {
    // The real map of debuginfo_dwarf_O0, but the body holding its first call site pretends to be unalignable.
    const name = 'debuginfo_dwarf_O0'
    const input = fixture(name)
    const inFile = join(BUILD, name, `${name}.wasm`)
    const { wasm } = transformWasm(input, { debugInfo: 'strip' })
    const real = offsetMap(input, wasm)!
    const sitesIn = [...disassemble(inFile).functions.values()].flat().filter(x => x.op === 'call_indirect')
    const body = codeLayout(input)!.bodies.find(b => b.start <= sitesIn[0].offset && sitesIn[0].offset < b.end)!
    const inside = (o: number) => o >= body.start && o <= body.end
    const fake: OffsetMap = { ...real, map: o => (inside(o) ? undefined : real.map(o)), lost: o => inside(o) || real.lost(o) }
    const result = rewriteDwarf(
      customSections(input, n => n.startsWith('.debug_')),
      fake,
    )
    expect(result.lost).toBeGreaterThan(0)
    const outFile = join(work, 'dwarf-lost.wasm')
    writeFileSync(outFile, appendCustomSections(wasm, result.sections))
    const p = pairs(inFile, outFile)
    const before = symbolize(
      inFile,
      p.sites.map(([x]) => x - p.a.codeStart),
    )
    const after = symbolize(
      outFile,
      p.sites.map(([, y]) => y - p.b.codeStart),
    )
    p.sites.forEach(([x], i) => {
      if (inside(x)) expect(after[i], `site at 0x${x.toString(16)}`).toBe('??')
      else expect(after[i], `site at 0x${x.toString(16)}`).toBe(before[i])
    })
    expect(p.sites.filter(([x]) => inside(x)).length).toBeGreaterThan(0)
    expect(p.sites.filter(([x]) => !inside(x)).length).toBeGreaterThan(0)
  })
})

describe('DWARF, a trap at a known C line', () => {
  it('the frame of the trap resolves through the rewritten DWARF to that line, reached by a cast call', () => {
    const src = join(BUILD, 'debuginfo_dwarf_O0')
    const out = join(work, 'dwarf-cli-out')
    const r = transformFiles(join(src, 'debuginfo_dwarf_O0.js'), { outDir: out })
    expect(r.report.warnings).toEqual([])
    cpSync(join(src, 'package.json'), join(out, 'package.json'))
    const run = spawnSync(process.execPath, [join(out, 'debuginfo_dwarf_O0.js'), 'trap-cast'], { encoding: 'utf8', cwd: out })
    const frame = /at on_event \(wasm:\/\/wasm\/[0-9a-f]+:wasm-function\[\d+\]:0x([0-9a-f]+)\)/.exec(run.stderr)
    expect(frame, run.stderr).toBeTruthy()
    const outWasm = join(out, 'debuginfo_dwarf_O0.wasm')
    const at = Number.parseInt(frame![1], 16) - disassemble(outWasm).codeStart
    expect(addr2line(outWasm, [at])).toEqual([`./debuginfo.c:${TRAP_LINE}`])
  })
})

describe('separate DWARF (-gseparate-dwarf)', () => {
  const src = join(BUILD, 'debuginfo_dwarf_split')
  const input = fixture('debuginfo_dwarf_split')
  const side = readFileSync(join(src, 'debuginfo_dwarf_split.debug.wasm'))

  it('the CLI and Node API rewrite the file beside the output, and the output still names it', () => {
    const out = join(work, 'split-out')
    const r = transformFiles(join(src, 'debuginfo_dwarf_split.js'), { outDir: out })
    expect(r.report.warnings).toEqual([])
    expect(r.written.map(f => f.replace(`${out}/`, '')).sort()).toEqual([
      'debuginfo_dwarf_split.debug.wasm',
      'debuginfo_dwarf_split.js',
      'debuginfo_dwarf_split.wasm',
    ])
    const wasm = readFileSync(join(out, 'debuginfo_dwarf_split.wasm'))
    const sideOut = join(out, 'debuginfo_dwarf_split.debug.wasm')
    expect(externalDebugInfoUrl(wasm)).toBe('debuginfo_dwarf_split.debug.wasm')
    expect(customSectionNames(wasm).filter(n => n.startsWith('.debug_'))).toEqual([])
    // The file holds the output's code (DevTools reads the DWARF beside the module it describes) and DWARF for it.
    const code = (bytes: Uint8Array) => {
      const section = sections(bytes).find(x => x.id === 10)!
      return Buffer.from(bytes.subarray(section.start, section.end))
    }
    expect(code(readFileSync(sideOut)).equals(code(wasm))).toBe(true)
    const p = pairs(join(src, 'debuginfo_dwarf_split.debug.wasm'), sideOut)
    const before = symbolize(
      join(src, 'debuginfo_dwarf_split.debug.wasm'),
      p.kept.map(([x]) => x - p.a.codeStart),
    )
    const after = symbolize(
      sideOut,
      p.kept.map(([, y]) => y - p.b.codeStart),
    )
    expect(before.filter((l, i) => l !== after[i]).slice(0, 5)).toEqual([])
    expect(before.filter(l => l.includes('./debuginfo.c:')).length).toBeGreaterThan(20)
  })

  it('not given, the link is dropped with a warning that says how to keep it', () => {
    const { wasm, report } = transformWasm(input)
    expect(customSectionNames(wasm)).not.toContain('external_debug_info')
    expect(report.warnings).toEqual([
      "dropped external_debug_info (debuginfo_dwarf_split.debug.wasm): the separate DWARF file was not given, so it could not be rewritten for the moved code. Pass its bytes as the debugFile option (the CLI reads it beside the wasm), or pass debugInfo: 'strip' (CLI --strip-debug) to drop debug info without this warning",
    ])
  })

  it('a file from another build is refused: its addresses cannot be followed', () => {
    const { wasm, report, debugFile } = transformWasm(input, { debugFile: fixture('debuginfo_dwarf_O0') })
    expect(debugFile).toBeUndefined()
    expect(customSectionNames(wasm)).not.toContain('external_debug_info')
    expect(report.warnings.join('\n')).toMatch(/the separate DWARF file given does not hold this wasm's code/)
  })

  it("debugInfo: 'strip' drops the link without a word", () => {
    const { wasm, report, debugFile } = transformWasm(input, { debugFile: side, debugInfo: 'strip' })
    expect(debugFile).toBeUndefined()
    expect(report.warnings).toEqual([])
    expect(customSectionNames(wasm)).not.toContain('external_debug_info')
  })
})

describe('DWARF this version cannot rewrite', () => {
  it('64-bit DWARF drops it, with a warning that names why', () => {
    const input = new Uint8Array(fixture('debuginfo_dwarf_O0'))
    const info = customSection(input, '.debug_info')!
    new DataView(info.buffer, info.byteOffset).setUint32(0, 0xffffffff, true)
    const { wasm, report } = transformWasm(input)
    expect(customSectionNames(wasm).filter(n => n.startsWith('.debug_'))).toEqual([])
    expect(report.warnings.join('\n')).toMatch(/\(\.debug_info: 64-bit DWARF is not supported\)/)
  })
})
