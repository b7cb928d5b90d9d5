/**
 * Finding the casts: diagnostics builds record, per site, the calls that
 * needed adapting; a build from that profile rewrites only those sites; and
 * `inspect` lists the sites statically. All on the real C fixtures.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import binaryen from 'binaryen'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Profile } from '../src/core/index.ts'
import { engines, ROOT } from './helpers/engines.ts'

const FIXTURES = join(ROOT, 'test/fixtures')
const CLI = join(ROOT, 'dist/cli.js')
const work = mkdtempSync(join(tmpdir(), 'fpcast-diag-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

const NAME = 'glib_names'
const SRC = join(FIXTURES, `build/${NAME}`)
const EXPECTED = readFileSync(join(FIXTURES, 'c/glib.expected'), 'utf8')

function build(dir: string, ...args: string[]): string {
  const out = join(work, dir)
  execFileSync(process.execPath, [CLI, join(SRC, `${NAME}.js`), '--out-dir', out, ...args], { stdio: 'pipe' })
  cpSync(join(SRC, 'package.json'), join(out, 'package.json'))
  return out
}
const run = (bin: string, dir: string, env: Record<string, string> = {}) =>
  spawnSync(bin, [`${NAME}.js`], { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env } })

/** The bodies of a module's functions, from its code section, as hex. */
function bodies(bytes: Uint8Array): string[] {
  let p = 8
  const out: string[] = []
  const leb = () => {
    let r = 0,
      s = 0,
      byte: number
    do {
      byte = bytes[p++]
      r |= (byte & 0x7f) << s
      s += 7
    } while (byte & 0x80)
    return r >>> 0
  }
  while (p < bytes.length) {
    const id = bytes[p++],
      size = leb(),
      end = p + size
    if (id === 10)
      for (let n = leb(); n > 0; n--) {
        const len = leb()
        out.push(Buffer.from(bytes.subarray(p, p + len)).toString('hex'))
        p += len
      }
    p = end
  }
  return out
}

/** Each defined function as binaryen text, with `(type $x)` references replaced by the signature they name. */
function functionTexts(bytes: Uint8Array): string[] {
  const m = binaryen.readBinary(bytes)
  m.setFeatures(binaryen.Features.All & ~binaryen.Features.GC)
  const text = m.emitText()
  m.dispose()
  const types = new Map([...text.matchAll(/^ \(type (\$\S+) (\(func.*\))\)$/gm)].map(t => [t[1], t[2]]))
  // Each function's text up to its closing parenthesis.
  const balanced = (f: string) => {
    let depth = 0
    for (let i = 0; i < f.length; i++) {
      if (f[i] === '(') depth++
      else if (f[i] === ')' && --depth === 0) return f.slice(0, i + 1)
    }
    return f
  }
  return text
    .split(/\n(?= \(func )/)
    .slice(1)
    .map(f => balanced(f).replace(/\(type (\$[^\s)]+)\)/g, (_, t) => types.get(t) ?? t))
}

describe('diagnostics build', () => {
  const dir = build('diag', '--diagnostics')

  it.each(engines())('runs correctly, warns once per adapted site and signature and writes a profile at exit on $name', engine => {
    const file = join(work, `profile-${engine.name.split(' ')[1]}.json`)
    const r = run(engine.bin, dir, { FPCAST_PROFILE: file })
    expect(r.status).toBe(0)
    expect(r.stdout).toBe(EXPECTED)
    const profile: Profile = JSON.parse(readFileSync(file, 'utf8'))
    expect(profile.kind).toBe('fpcast-trampoline profile')
    const warnings = r.stderr.split('\n').filter(l => l.startsWith('[fpcast-trampoline] adapted call at '))
    // One row (and one warning) per site and signature adapted to; a site may call functions of several types.
    expect(warnings).toHaveLength(profile.sites.length)
    const sites = new Set(profile.sites.map(s => s.site))
    expect(sites.size).toBeLessThan(profile.sites.length)
    expect(new Set(profile.sites.map(s => `${s.site} ${s.actual}`)).size).toBe(profile.sites.length)
    expect(r.stderr).toContain(`[fpcast-trampoline] adapted calls by site (${sites.size} sites):`)
    // The casts glib.c makes: GFunc handlers, 2-argument comparators, signal handlers.
    expect(new Set(profile.sites.map(s => s.function))).toEqual(new Set(['g_list_foreach', 'g_sort_with_data', 'g_signal_emit_int']))
    const rows = (fn: string) => Object.fromEntries(profile.sites.filter(s => s.function === fn).map(s => [s.actual, { expected: s.expected, count: s.count }]))
    // g_list_foreach calls print_item(data) and tick(void), three list items each.
    expect(rows('g_list_foreach')).toEqual({
      '(i32) -> void': { expected: '(i32, i32) -> void', count: 3 },
      '() -> void': { expected: '(i32, i32) -> void', count: 3 },
    })
    expect(rows('g_signal_emit_int')['(i32, i32) -> void']).toMatchObject({ expected: '(i32, i32, i32) -> void' })
  })
})

describe('profile-guided build', () => {
  // A recorded profile of its own, so this block does not depend on the one above.
  const profileFile = join(work, 'recorded.json')
  beforeAll(() => {
    const r = run(process.execPath, build('record', '--diagnostics'), { FPCAST_PROFILE: profileFile })
    expect(r.status).toBe(0)
  })
  const profile = (): Profile => JSON.parse(readFileSync(profileFile, 'utf8'))

  it('rewrites only the recorded sites, runs correctly, and leaves every other function body as it was (byte for byte, or instruction for instruction where binaryen renumbered a type index)', () => {
    const dir = build('guided', '--profile', profileFile)
    for (const engine of engines()) {
      const r = run(engine.bin, dir)
      expect(r.stderr).toBe('')
      expect(r.stdout).toBe(EXPECTED)
    }
    const before = bodies(readFileSync(join(SRC, `${NAME}.wasm`)))
    const after = bodies(readFileSync(join(dir, `${NAME}.wasm`)))
    // Function indices stay; bodies of functions with no recorded site stay identical.
    const imported = WebAssembly.Module.imports(new WebAssembly.Module(readFileSync(join(SRC, `${NAME}.wasm`)))).filter(i => i.kind === 'function').length
    const touched = new Set(profile().sites.map(s => Number(s.site.split('#')[0]) - imported))
    const untouched = before.map((_, i) => i).filter(i => !touched.has(i))
    expect(untouched.length).toBeGreaterThan(before.length - 4)
    for (const i of touched) expect(after[i]).not.toBe(before[i])
    // binaryen renumbers the type section by use when it writes, so a body
    // holding a type index (an untouched call_indirect) may differ in that
    // index only: those must be identical instruction for instruction once
    // each type index is replaced by the signature it names.
    const differing = untouched.filter(i => after[i] !== before[i])
    const textBefore = functionTexts(readFileSync(join(SRC, `${NAME}.wasm`)))
    const textAfter = functionTexts(readFileSync(join(dir, `${NAME}.wasm`)))
    for (const i of differing) {
      expect(before[i], `function body ${i}`).toMatch(/11[0-9a-f]{2}00/) // call_indirect (0x11 typeidx 0x00)
      expect(textAfter[i], `function ${i}`).toBe(textBefore[i])
    }
    expect(differing.length).toBeLessThan(untouched.length / 4)
  })

  it('lists exactly the sites that mismatch: leaving out any one of them traps', () => {
    const all = profile().sites
    const sites = [...new Set(all.map(s => s.site))]
    expect(sites.length).toBeGreaterThan(2)
    sites.forEach((left, i) => {
      const partial: Profile = { ...profile(), sites: all.filter(s => s.site !== left) }
      const file = join(work, `partial-${i}.json`)
      writeFileSync(file, JSON.stringify(partial))
      const r = run(process.execPath, build(`partial-${i}`, '--profile', file))
      expect(r.status, `without ${left} (${all.find(s => s.site === left)!.function})`).not.toBe(0)
      expect(r.stderr).toMatch(/signature mismatch/)
    })
  }, 360_000) // one CLI build and run per site: minutes on a loaded 2-core machine

  it('with the safety net, rewrites every site and still runs', () => {
    const dir = build('net', '--profile', profileFile, '--safety-net')
    expect(run(process.execPath, dir).stdout).toBe(EXPECTED)
  })
})

describe('inspect', () => {
  const fixtures: { name: string; wasm: string; callIndirectCount: number }[] = JSON.parse(readFileSync(join(FIXTURES, 'fixtures.json'), 'utf8'))
  const inspect = (...args: string[]) => JSON.parse(execFileSync(process.execPath, [CLI, 'inspect', ...args, '--json'], { encoding: 'utf8' }))

  it.each(fixtures.filter(f => f.wasm))('counts the call_indirect sites of $name as wasm2wat does', f => {
    expect(inspect(join(FIXTURES, f.wasm)).sites.total).toBe(f.callIndirectCount)
  })

  it('lists glib_names by function and signature, the table by signature, and the pairs that can mismatch', () => {
    const r = inspect(join(SRC, `${NAME}.js`))
    const fn = (name: string) => r.sites.byFunction.find((f: any) => f.function === name)
    expect(fn('g_sort_with_data').sites).toHaveLength(21)
    expect(fn('g_list_foreach').sites).toEqual([{ site: expect.stringMatching(/^\d+#0$/), sig: 'vii' }])
    expect(fn('g_signal_emit_int').sites[0].sig).toBe('viii')
    expect(r.tables[0].bySignature).toContainEqual({ sig: 'vi', text: '(i32) -> void', slots: 2 })
    expect(r.pairs).toContainEqual({ site: 'vii', slot: 'vi', handling: 'adapt', sites: 2, slots: 2 })
    expect(r.pairs).toContainEqual({ site: 'iiii', slot: 'iii', handling: 'adapt', sites: 25, slots: 2 })
    expect(r.pairs.find((p: any) => p.site === 'iidiiii' && p.slot === 'iiii')).toMatchObject({ handling: 'incompatible' })
    // The sites a diagnostics run reports are inspected ones, in the functions that cast.
    const sites = new Set(r.sites.byFunction.flatMap((f: any) => f.sites.map((s: any) => s.site)))
    const file = join(work, 'inspect-profile.json')
    run(process.execPath, build('inspect-diag', '--diagnostics'), { FPCAST_PROFILE: file })
    for (const s of (JSON.parse(readFileSync(file, 'utf8')) as Profile).sites) expect(sites).toContain(s.site)
  })

  it('prints a readable table', () => {
    const text = execFileSync(process.execPath, [CLI, 'inspect', join(SRC, `${NAME}.wasm`)], { encoding: 'utf8' })
    expect(text).toMatch(/^.*glib_names\.wasm: 30 call_indirect sites in 9 functions\n/)
    expect(text).toMatch(/\ng_sort_with_data +21 +iiii\n/)
    expect(text).toContain('Signature pairs that can mismatch (site type vs slot type)')
  })
})
