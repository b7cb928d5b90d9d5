/**
 * The user's debug info across the rewrite (src/core/wasm/debug-info.ts).
 *
 * Source maps: the map of the committed -gsource-map fixtures (-O2 and -O0)
 * is rewritten with the module; every call_indirect site (matched by its
 * ordinal in its function) and every other instruction the rewrite kept
 * (matched by a diff of wabt's disassembly, independent of the transform's
 * own decoder) must resolve to the same file:line before and after, the
 * functions the rewrite appended to no source, and a trap at a known C line
 * must resolve to that line through the written map.
 *
 * DWARF: binaryen.js cannot update it (it copies `.debug_*` unchanged); these
 * tests pin that down, show that keeping its sections would give wrong lines,
 * and check that the transform drops them (with a warning, or silently with
 * debugInfo: 'strip').
 */
import { spawnSync } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import binaryen from 'binaryen'
import { afterAll, describe, expect, it } from 'vitest'
import { transformWasm } from '../src/core/index.ts'
import { customSection, sourceMappingUrl } from '../src/core/wasm/debug/index.ts'
import { customSectionNames, writeU32 } from '../src/core/wasm/bytes.ts'
import { transformFiles } from '../src/node/files.ts'
import { addr2line, alignFunction, disassemble, sourceMapLines } from './helpers/debug-lines.ts'
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

  it('binaryen.js copies .debug_* unchanged (it has no DWARF support): if this fails, binaryen learnt to update DWARF, revisit debug-info.ts', () => {
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

  it('is dropped, with a warning that says why and how to silence it; the name section stays', () => {
    const { wasm, report } = transformWasm(input, { fileName: 'catalogue_dwarf.wasm' })
    const names = customSectionNames(wasm)
    expect(names.filter(n => n.startsWith('.debug_'))).toEqual([])
    expect(names).toContain('name')
    expect(report.warnings).toHaveLength(1)
    expect(report.warnings[0]).toMatch(/^dropped \.debug_info, .*binaryen\.js cannot update DWARF.*debugInfo: 'strip'/)
  })

  it("debugInfo: 'strip' drops it without a warning, and the same bytes", () => {
    const kept = transformWasm(input)
    const stripped = transformWasm(input, { debugInfo: 'strip' })
    expect(stripped.report.warnings).toEqual([])
    expect(Buffer.from(stripped.wasm).equals(Buffer.from(kept.wasm))).toBe(true)
  })

  it('external_debug_info (-gseparate-dwarf) is dropped too: the separate file holds DWARF for the old offsets', () => {
    const linked = withCustomSection(fixture('glib_names'), 'external_debug_info', lengthPrefixed('glib_names.debug.wasm'))
    const { wasm, report } = transformWasm(linked)
    expect(customSectionNames(wasm)).not.toContain('external_debug_info')
    expect(report.warnings.join('\n')).toMatch(/dropped external_debug_info: binaryen\.js cannot update DWARF/)
  })
})

describe('inputs without debug info', () => {
  it('give the same bytes whatever debugInfo says', () => {
    const keep = transformWasm(fixture('glib'))
    const strip = transformWasm(fixture('glib'), { debugInfo: 'strip' })
    expect(Buffer.from(strip.wasm).equals(Buffer.from(keep.wasm))).toBe(true)
    expect(keep.sourceMap).toBeUndefined()
  })

  it('a sourceMappingURL without its map is dropped with a warning', () => {
    const map = fixture('debuginfo_map')
    const { wasm, report } = transformWasm(map)
    expect(customSectionNames(wasm)).not.toContain('sourceMappingURL')
    expect(report.warnings.join('\n')).toMatch(/dropped sourceMappingURL \(debuginfo_map\.wasm\.map\): the map was not given/)
  })

  it('rejects an unknown debugInfo value', () => {
    expect(() => transformWasm(fixture('glib'), { debugInfo: 'drop' as any })).toThrow(/option debugInfo: 'drop' is not one of keep, strip/)
  })
})

function lengthPrefixed(text: string): Uint8Array {
  const bytes = Buffer.from(text)
  return Uint8Array.from([...writeU32(bytes.length), ...bytes])
}
