/**
 * The core on committed real fixtures: site selection, the report, errors on
 * bad input, idempotence, validity of what is written, and the CLI contract.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import binaryen from 'binaryen'
import { parse } from 'acorn'
import { afterAll, describe, expect, it } from 'vitest'
import { FpcastError, transformGlue, transformWasm } from '../src/core/index.ts'
import { ROOT } from './helpers/engines.ts'

const fixture = (name: string) => readFileSync(join(ROOT, `test/fixtures/build/${name}/${name}.wasm`))
/** A compiled module (TypeScript's DOM lib wants an ArrayBuffer-backed view; these are). */
const compile = (bytes: Uint8Array) => new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>)
const SQL_DEBUG = readFileSync(join(ROOT, 'node_modules/sql.js/dist/sql-wasm-debug.wasm'))
const CLI = join(ROOT, 'dist/cli.js')
const work = mkdtempSync(join(tmpdir(), 'fpcast-core-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

const countCallIndirect = (bytes: Uint8Array) => {
  const m = binaryen.readBinary(bytes)
  m.setFeatures(binaryen.Features.All & ~binaryen.Features.GC)
  const text = m.emitText()
  m.dispose()
  return text.match(/\(call_indirect \$\d+ /g)?.length ?? 0
}

describe('transformWasm', () => {
  it('rewrites every site by default; the output compiles and carries the metadata', () => {
    const { wasm, report } = transformWasm(fixture('glib'), { fileName: 'glib.wasm' })
    expect(report.sites.total).toBe(30)
    expect(report.sites.rewritten).toBe(30)
    expect(report.bySignature.reduce((n, s) => n + s.sites, 0)).toBe(30)
    expect(report.size).toEqual({ before: fixture('glib').length, after: wasm.length })
    const module = compile(wasm)
    expect(WebAssembly.Module.customSections(module, 'fpcast_trampoline')).toHaveLength(1)
    // No import is added (the module instantiates without the runtime); the runtime fills the exported hooks table.
    expect(WebAssembly.Module.imports(module)).toEqual(WebAssembly.Module.imports(new WebAssembly.Module(fixture('glib'))))
    expect(WebAssembly.Module.exports(module)).toContainEqual({ name: 'fpcast$hooks', kind: 'table' })
  })

  it('keeps every original function and table at its index (nothing is imported)', () => {
    const input = fixture('cpython')
    const before = WebAssembly.Module.exports(new WebAssembly.Module(input))
    const { wasm } = transformWasm(input)
    const after = WebAssembly.Module.exports(compile(wasm)).filter(e => !e.name.startsWith('fpcast$'))
    expect(after).toEqual(before)
    const imports = (bytes: Uint8Array) => WebAssembly.Module.imports(compile(bytes)).filter(i => i.kind === 'function')
    expect(imports(wasm)).toEqual(imports(input))
  })

  it('selects sites by signature, by function name and by explicit site; exclude wins', () => {
    const all = transformWasm(SQL_DEBUG).report
    const top = all.byFunction[0]
    expect(top.name).toMatch(/^wasm-function\[\d+\]$/)

    const bySig = transformWasm(SQL_DEBUG, { include: { signatures: ['iii'] } }).report
    expect(bySig.sites.rewritten).toBe(all.bySignature.find(s => s.sig === 'iii')!.sites)
    expect(bySig.bySignature.map(s => s.sig)).toEqual(['iii'])
    expect(transformWasm(SQL_DEBUG, { include: { signatures: ['(i32, i32) -> i32'] } }).report.sites.rewritten).toBe(bySig.sites.rewritten)

    const byFn = transformWasm(SQL_DEBUG, { include: { functions: [top.name] } }).report
    expect(byFn.sites.rewritten).toBe(top.sites)

    const index = top.name.match(/\d+/)![0]
    expect(transformWasm(SQL_DEBUG, { include: { sites: [`${index}#0`, `${top.name}#1`] } }).report.sites.rewritten).toBe(2)

    const excluded = transformWasm(SQL_DEBUG, { exclude: { functions: [top.name] } })
    expect(excluded.report.sites.rewritten).toBe(all.sites.total - top.sites)
    // The excluded sites are still plain call_indirect on the original table.
    expect(countCallIndirect(excluded.wasm)).toBeGreaterThanOrEqual(top.sites)
  })

  it('reports sites by function name from the name section, and selects by name and pattern', () => {
    const { report } = transformWasm(fixture('glib_names'))
    const names = report.byFunction.map(f => f.name)
    expect(names).toContain('g_list_foreach')
    expect(names.every(n => !/^wasm-function/.test(n))).toBe(true)
    const one = report.byFunction.find(f => f.name === 'g_list_foreach')!.sites
    expect(transformWasm(fixture('glib_names'), { include: { functions: ['g_list_foreach'] } }).report.sites.rewritten).toBe(one)
    expect(transformWasm(fixture('glib_names'), { include: { functions: [/^g_/] } }).report.sites.rewritten).toBeGreaterThan(one)
  })

  it('keeps the name section, so stack traces keep their function names', () => {
    const { wasm } = transformWasm(fixture('glib_names'))
    const [names] = WebAssembly.Module.customSections(compile(wasm), 'name')
    expect(Buffer.from(names).includes(Buffer.from('g_list_foreach'))).toBe(true)
    expect(transformWasm(wasm).report.alreadyTransformed).toBe(true)
  })

  it('names functions from an Emscripten symbol map when there is no name section', () => {
    const map = readFileSync(join(ROOT, 'test/fixtures/build/glib/glib.js.symbols'), 'utf8')
    const withNames = transformWasm(fixture('glib_names')).report.byFunction
    const { report } = transformWasm(fixture('glib'), { symbolMap: map })
    expect(report.byFunction).toEqual(withNames)
  })

  it('declares exactly the target features the input declared (plus what it adds), none that binaryen assumed', () => {
    const features = (bytes: Uint8Array) => {
      const [section] = WebAssembly.Module.customSections(compile(bytes), 'target_features')
      if (!section) return undefined
      const u = new Uint8Array(section),
        out: string[] = []
      for (let n = 0, p = 1; n < u[0]; n++) {
        const len = u[p + 1]
        out.push(new TextDecoder().decode(u.subarray(p + 2, p + 2 + len)))
        p += 2 + len
      }
      return out.sort()
    }
    expect(features(transformWasm(SQL_DEBUG).wasm)).toEqual(features(SQL_DEBUG))
    expect(features(SQL_DEBUG)).toContain('reference-types')
    expect(features(transformWasm(fixture('glib')).wasm)).toBeUndefined()
  })

  it('leaves a module with no call_indirect byte for byte as it was', () => {
    const m = new binaryen.Module()
    m.addFunction('f', binaryen.none, binaryen.i32, [], m.i32.const(1))
    m.addFunctionExport('f', 'f')
    const bytes = m.emitBinary()
    m.dispose()
    const r = transformWasm(bytes)
    expect(r.wasm).toBe(bytes)
    expect(r.report.strategy).toBe('none')
  })

  it('is idempotent: a transformed module comes back unchanged, flagged as such', () => {
    const once = transformWasm(fixture('results')).wasm
    const twice = transformWasm(once)
    expect(twice.report.alreadyTransformed).toBe(true)
    expect(Buffer.compare(twice.wasm, once)).toBe(0)
  })

  it.each([
    ['a JS file', Buffer.from('var Module = {};'), /not a WebAssembly binary/],
    ['an empty file', new Uint8Array(0), /not a WebAssembly binary/],
    ['a truncated module', fixture('glib').subarray(0, 200), /cannot parse|does not validate/],
    ['a corrupt module', Object.assign(new Uint8Array(fixture('glib')), { 300: 0xff, 301: 0xff, 302: 0xff }), /cannot parse|does not validate/],
  ])('refuses %s with an error naming the file', (_, bytes, reason) => {
    let error: unknown
    try {
      transformWasm(bytes as Uint8Array, { fileName: 'bad.wasm' })
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(FpcastError)
    expect((error as Error).message).toMatch(/^\[fpcast-trampoline\] bad\.wasm: /)
    expect((error as Error).message).toMatch(reason)
  })

  it('refuses bad options clearly', () => {
    expect(() => transformWasm(fixture('glib'), { strategy: 'fast' as any })).toThrow(/strategy: 'fast' is not one of auto, shadow, js/)
    expect(() => transformWasm(fixture('glib'), { include: { signatures: ['(int) -> int'] } })).toThrow(/is not a signature/)
    expect(() => transformWasm(fixture('glib'), { include: { sites: ['main'] } })).toThrow(/is not a site/)
    expect(() => transformWasm(fixture('glib'), { dispatchBudget: -1 })).toThrow(/option dispatchBudget: -1 is not a number of bytes/)
    expect(() => transformWasm(fixture('glib'), { dispatchBudget: '4096' as any })).toThrow(/option dispatchBudget: "4096" is not a number of bytes/)
  })
})

describe('transformGlue', () => {
  const glue = readFileSync(join(ROOT, 'test/fixtures/build/glib/glib.js'), 'utf8')

  it('redirects the instantiation calls, injects the runtime once, and maps back to the source', () => {
    const r = transformGlue(glue, { fileName: 'glib.js' })
    expect(r.sites).toBeGreaterThan(0)
    expect(r.code.match(/var __fpcast_WebAssembly = /g)).toHaveLength(1)
    expect(r.code).not.toMatch(/(?<![\w$.])WebAssembly\.instantiate\(/)
    expect(r.map.sources).toEqual(['glib.js'])
    expect(transformGlue(r.code).alreadyTransformed).toBe(true)
  })

  it('is not fooled by a glue that merely mentions the runtime (a --post-js, a comment)', () => {
    const mentioning = `${glue}\n// see __fpcast_WebAssembly in the docs\n`
    const r = transformGlue(mentioning, { fileName: 'glib.js' })
    expect(r.alreadyTransformed).toBe(false)
    expect(r.code.match(/var __fpcast_WebAssembly = /g)).toHaveLength(1)
  })

  it('injects no eval and no new Function', () => {
    const r = transformGlue(glue)
    const injected = r.code.slice(0, r.code.length - glue.length)
    expect(injected).not.toMatch(/\beval\s*\(|new Function\s*\(/)
  })

  it('refuses what is not Emscripten glue, saying what it expected', () => {
    expect(() => transformGlue('export const x = 1', { fileName: 'x.js' })).toThrow(
      /x\.js: this does not look like Emscripten glue: found no WebAssembly\.instantiate\(\)/,
    )
  })

  it('keeps a shebang and a "use strict" directive first, and every line of the glue at its number', () => {
    const cases: [string, string][] = [
      [
        '#!/usr/bin/env node\n"use strict";\nWebAssembly.instantiate(b, i)\n// end',
        '#!/usr/bin/env node\n"use strict";var __fpcast_WebAssembly = (function fpcastRuntime(',
      ],
      ['/* banner */ "use strict"\nWebAssembly.instantiate(b, i)', '/* banner */ "use strict";var __fpcast_WebAssembly = (function fpcastRuntime('],
      ['// banner\nvar Module = {};\nWebAssembly.instantiate(b, i)', '// banner\nvar __fpcast_WebAssembly = (function fpcastRuntime('],
      ['var Module = {};\nWebAssembly.instantiate(b, i)', 'var __fpcast_WebAssembly = (function fpcastRuntime('],
    ]
    for (const [glue, start] of cases) {
      const r = transformGlue(glue)
      expect(r.code.startsWith(start), glue).toBe(true)
      // The same lines after the first inserted code: warnings and stack traces name the stock build's lines.
      const lines = r.code.split('\n')
      expect(lines.length, glue).toBe(glue.split('\n').length)
      expect(lines.at(-1)?.replace(/__fpcast_WebAssembly/, 'WebAssembly'), glue).toBe(glue.split('\n').at(-1))
      expect(r.code.endsWith(glue.slice(glue.lastIndexOf('\n') + 1).replace('WebAssembly', '__fpcast_WebAssembly')), glue).toBe(true)
      expect(() => parse(r.code.replace(/^#!.*/, ''), { ecmaVersion: 'latest', sourceType: 'script' }), glue).not.toThrow()
    }
  })

  it('the embedded runtime text is the current src/runtime/runtime.js', () => {
    const source = readFileSync(join(ROOT, 'src/runtime/source.ts'), 'utf8')
    execFileSync(process.execPath, [join(ROOT, 'scripts/embed-runtime.mjs')])
    expect(readFileSync(join(ROOT, 'src/runtime/source.ts'), 'utf8')).toBe(source)
  })
})

describe('CLI', () => {
  const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' })

  it('prints help and exits 0', () => {
    const r = cli('--help')
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/Usage: fpcast-trampoline <input> --out-dir <dir>/)
  })

  it.each([
    [['nope.wasm', '--out-dir', 'x'], /nope\.wasm: no such file/],
    [[join(ROOT, 'package.json'), '--out-dir', 'x'], /expected Emscripten glue \(\.js, \.mjs, \.cjs\) or a \.wasm file/],
    [[], /expected one input file/],
  ])('fails with one line on stderr and a non-zero exit: %j', (args, reason) => {
    const r = cli(...args)
    expect(r.status).not.toBe(0)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr).toMatch(reason)
  })

  it('writes nothing when the input is bad', () => {
    const bad = join(work, 'bad.wasm')
    writeFileSync(bad, 'not wasm at all')
    const out = join(work, 'out-bad')
    const r = cli(bad, '--out-dir', out)
    expect(r.status).toBe(1)
    expect(() => readFileSync(join(out, 'bad.wasm'))).toThrow(/ENOENT/)
  })

  it('--report prints the report as JSON', () => {
    const r = cli(join(ROOT, 'test/fixtures/build/cpython/cpython.wasm'), '--out-dir', join(work, 'out-cpython'), '--report', '--strategy', 'js')
    expect(r.status).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({ strategy: 'js', sites: { total: 9, rewritten: 9 } })
  })
})
