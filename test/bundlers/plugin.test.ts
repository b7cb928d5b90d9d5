/**
 * The plugin's behaviour around the transform, through real Rolldown builds
 * (the fastest bundler here): clear errors, the `wasm` option, the
 * persistent cache, parallel transforms and progress, source maps, and glue
 * the CLI already transformed.
 */
import { execFileSync } from 'node:child_process'
import { appendFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { TraceMap, originalPositionFor } from '@jridgewell/trace-mapping'
import { afterAll, describe, expect, it, vi } from 'vitest'
import fpcastRolldown from 'unplugin-fpcast-trampoline/rolldown'
import type { WasmReport } from 'unplugin-fpcast-trampoline/vite'
import { ROOT } from '../helpers/engines.ts'
import { rolldownBuild } from './builds.ts'
import { FIXTURES, GLIB_EXPECTED, runInNode, workdir } from './helpers.ts'

const OK = { lines: GLIB_EXPECTED, errors: [], error: null }
const tmp = mkdtempSync(join(tmpdir(), 'fpcast-plugin-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

/** Rejection message of a Rolldown build of `input` in `root`. */
async function buildError(root: string, options: Parameters<typeof fpcastRolldown>[0], input = 'main.js'): Promise<string> {
  try {
    await rolldownBuild(root, 'dist', options, input)
  } catch (e) {
    return String((e as Error).message)
  }
  throw new Error('the build succeeded')
}

describe('errors name the file and the reason', () => {
  /** A Rolldown build that succeeds; the plugin's notes (it leaves a file as it was). */
  async function buildNotes(root: string, options: Parameters<typeof fpcastRolldown>[0] = {}): Promise<string[]> {
    const lines: string[] = []
    const log = console.log
    console.log = (...a: unknown[]) => {
      lines.push(a.join(' '))
    }
    try {
      await rolldownBuild(root, 'dist', { cache: false, ...options })
    } finally {
      console.log = log
    }
    return lines.filter(l => l.startsWith('[fpcast-trampoline] note:'))
  }

  // A glue the user did not name never fails a build that works without the plugin: it is left as it was, with a note.
  it('missing wasm: a note; an error when the user named the file', async () => {
    const root = workdir('glib', 'err-missing')
    rmSync(join(root, 'node_modules/glib-esm/glib.wasm'))
    const notes = await buildNotes(root)
    expect(notes).toHaveLength(1)
    expect(notes[0]).toMatch(/^\[fpcast-trampoline\] note: \S*node_modules\/glib-esm\/glib\.mjs: loads 'glib\.wasm', which is not beside it; shipped as it was/)
    const message = await buildError(root, { report: false, cache: false, include: ['**/glib-esm/*'] })
    expect(message).toMatch(
      /\[fpcast-trampoline\] \S*node_modules\/glib-esm\/glib\.mjs: this file matches the plugin's include option but is not Emscripten glue the plugin can rewrite: it loads 'glib\.wasm', which is not beside it/,
    )
  })

  it('invalid wasm: a note naming the wasm and the reason; an error when the user named the file', async () => {
    const root = workdir('glib', 'err-invalid')
    writeFileSync(join(root, 'node_modules/glib-esm/glib.wasm'), 'this is not wasm')
    const notes = await buildNotes(root)
    expect(notes).toHaveLength(1)
    expect(notes[0]).toMatch(/^\[fpcast-trampoline\] note: \S*glib-esm\/glib\.mjs: left as it was: \S*glib-esm\/glib\.wasm: not a WebAssembly binary/)
    const message = await buildError(root, { report: false, cache: false, include: ['**/glib-esm/*'] })
    expect(message).toMatch(/\[fpcast-trampoline\] \S*glib-esm\/glib\.wasm: not a WebAssembly binary/)
  })

  it('a truncated wasm: a note naming the wasm', async () => {
    const root = workdir('glib', 'err-truncated')
    const file = join(root, 'node_modules/glib-esm/glib.wasm')
    writeFileSync(file, readFileSync(file).subarray(0, 4000))
    const notes = await buildNotes(root)
    expect(notes).toHaveLength(1)
    expect(notes[0]).toMatch(/glib-esm\/glib\.mjs: left as it was: \S*glib-esm\/glib\.wasm: /)
  })

  it("a loader that only drives a glue is left alone: Pyodide's pyodide.mjs bundles untouched", async () => {
    const root = workdir('glib', 'pyodide-loader')
    writeFileSync(join(root, 'py.js'), "import { loadPyodide } from 'pyodide'\nglobalThis.loadPyodide = loadPyodide\n")
    const reports: WasmReport[] = []
    const b = await rolldownBuild(root, 'dist', { report: r => reports.push(r), cache: false }, 'py.js')
    expect(reports).toEqual([])
    const code = readFileSync(join(b.outDir, b.entry), 'utf8')
    expect(code).toContain('initializeNativeFS')
    expect(code).not.toContain('__fpcast')
  })

  it('a file given in include that is not Emscripten glue', async () => {
    const root = workdir('glib', 'err-not-glue')
    writeFileSync(join(root, 'loader.js'), 'export const load = (b) => WebAssembly.instantiate(b, {})\n')
    writeFileSync(join(root, 'entry.js'), "import { load } from './loader.js'\nglobalThis.load = load\n")
    const message = await buildError(root, { report: false, include: ['**/loader.js'] }, 'entry.js')
    expect(message).toMatch(
      /\[fpcast-trampoline\] \S*loader\.js: this file matches the plugin's include option but is not Emscripten glue the plugin can rewrite: it instantiates wasm but is not Emscripten glue\. Narrow the option, or add the file to exclude/,
    )
  })

  it('glue that names no wasm: its instantiation is hooked, and a note points at the wasm option', async () => {
    const root = workdir('glib', 'err-no-name')
    const glue = join(root, 'node_modules/glib-esm/glib.mjs')
    writeFileSync(glue, readFileSync(glue, 'utf8').replaceAll('"glib.wasm"', '["glib", "wasm"].join(".")'))
    const notes = await buildNotes(root)
    expect(notes).toHaveLength(1)
    expect(notes[0]).toMatch(/glib\.mjs: names no \.wasm file the plugin can resolve.*Name its wasm with the 'wasm' option/)
    expect(readFileSync(join(root, 'dist/main.js'), 'utf8')).toContain('__fpcast_WebAssembly.instantiate')
  })

  it('bad options fail when the plugin is created', () => {
    expect(() => fpcastRolldown({ strategy: 'fast' as never })).toThrow(
      "[fpcast-trampoline] <plugin options>: option strategy: 'fast' is not one of auto, shadow, js",
    )
    expect(() => fpcastRolldown({ parallel: 0 })).toThrow('[fpcast-trampoline] <plugin options>: option parallel: expected a positive integer, got 0')
    // A typo, a wrong type: one line each, naming the option and what it takes (plain-JS configs get no type check).
    expect(() => fpcastRolldown({ strategyy: 'js' } as never)).toThrow(
      /^\[fpcast-trampoline\] <plugin options>: unknown option 'strategyy' \(did you mean 'strategy'\?\); the options are include, exclude, wasm, strategy, /,
    )
    expect(() => fpcastRolldown({ diagnostics: 'yes' } as never)).toThrow(
      "[fpcast-trampoline] <plugin options>: option diagnostics: expected true or false, got 'yes'",
    )
    expect(() => fpcastRolldown({ dispatchBudget: -5 })).toThrow(
      '[fpcast-trampoline] <plugin options>: option dispatchBudget: expected a number of bytes (0 or more, or Infinity), got -5',
    )
    expect(() => fpcastRolldown({ report: 'verbose' } as never)).toThrow(
      "[fpcast-trampoline] <plugin options>: option report: expected true, false or a function, got 'verbose'",
    )
    let both = ''
    try {
      fpcastRolldown({ diagnostic: true, cache: 3 } as never)
    } catch (e) {
      both = (e as Error).message
    }
    expect(both.split('\n')).toEqual([
      expect.stringMatching(/^\[fpcast-trampoline\] <plugin options>: unknown option 'diagnostic' \(did you mean 'diagnostics'\?\)/),
      '[fpcast-trampoline] <plugin options>: option cache: expected true, false or a directory path, got 3',
    ])
    expect(() => fpcastRolldown({ sites: { include: { signatures: ['nope'] } } })).toThrow("option include.signatures: 'nope' is not a signature")
  })
})

describe('include and exclude', () => {
  it('an excluded glue is bundled as it is (and then traps)', async () => {
    const root = workdir('glib', 'exclude')
    const reports: WasmReport[] = []
    const b = await rolldownBuild(root, 'dist', { report: r => reports.push(r), cache: false, exclude: ['**/glib-esm/**'] })
    expect(reports).toEqual([])
    expect(readFileSync(join(b.outDir, b.entry), 'utf8')).not.toContain('__fpcast_WebAssembly')
    const r = await runInNode(join(b.outDir, b.entry), ['--hide-fetch', '--locate-dir', join(FIXTURES, 'build/glib_esm')])
    expect(r.lines).toEqual(GLIB_EXPECTED.slice(0, 1))
    expect(r.error).toContain('function signature mismatch')
  })

  it('include narrows the files handled: RegExps and globs', async () => {
    for (const include of [/glib-esm\/glib\.mjs$/, 'node_modules/glib-esm/*.mjs']) {
      const reports: WasmReport[] = []
      await rolldownBuild(workdir('glib', 'include'), 'dist', { report: r => reports.push(r), cache: false, include })
      expect(reports.map(r => r.sites.rewritten)).toEqual([30])
    }
  })
})

describe('the wasm option', () => {
  it('names the wasm of a glue that builds the name at run time', async () => {
    const root = workdir('glib', 'wasm-option')
    const glue = join(root, 'node_modules/glib-esm/glib.mjs')
    writeFileSync(glue, readFileSync(glue, 'utf8').replaceAll('"glib.wasm"', '["glib", "wasm"].join(".")'))
    const reports: WasmReport[] = []
    const b = await rolldownBuild(root, 'dist', { report: r => reports.push(r), cache: false, wasm: { 'glib-esm/glib.mjs': './glib.wasm' } })
    expect(reports.map(r => r.sites.rewritten)).toEqual([30])
    expect(await runInNode(join(b.outDir, b.entry), ['--hide-fetch'])).toEqual(OK)
  })
})

describe('persistent cache', () => {
  it('an unchanged rebuild skips binaryen and ships the same bytes; other options miss', async () => {
    const cache = join(tmp, 'cache')
    const runs: WasmReport[][] = [[], [], []]
    const builds = []
    for (const [i, strategy] of (['shadow', 'shadow', 'js'] as const).entries()) {
      const b = await rolldownBuild(workdir('glib', `cache-${i}`), 'dist', { report: r => runs[i].push(r), cache, strategy })
      builds.push(b)
    }
    expect(runs.map(r => r.map(x => x.cached))).toEqual([[false], [true], [false]])
    expect(runs[0][0].span).toBeDefined()
    expect(runs[1][0].span).toBeUndefined()
    const asset = (dir: string) => readFileSync(join(dir, 'assets', execFileSync('ls', [join(dir, 'assets')], { encoding: 'utf8' }).trim()))
    expect(Buffer.compare(asset(builds[0].outDir), asset(builds[1].outDir))).toBe(0)
    expect(runs[2][0].strategy).toBe('js')
    expect(await runInNode(join(builds[1].outDir, builds[1].entry), ['--hide-fetch'])).toEqual(OK)
  })

  it('a changed plugin of the same version misses: the key holds a fingerprint of the code', async () => {
    // Copies of the built package, same version: one unchanged, one with a chunk changed.
    const copy = (name: string, change: boolean) => {
      const pkg = join(tmp, name)
      cpSync(join(ROOT, 'dist'), join(pkg, 'dist'), { recursive: true })
      cpSync(join(ROOT, 'package.json'), join(pkg, 'package.json'))
      symlinkSync(join(ROOT, 'node_modules'), join(pkg, 'node_modules'))
      const chunk = readdirSync(join(pkg, 'dist')).find(f => f.startsWith('transform-') && f.endsWith('.js'))!
      if (change) appendFileSync(join(pkg, 'dist', chunk), '\n// changed\n')
      return pkg
    }
    const cache = join(tmp, 'cache-code')
    const { rolldown } = await import('rolldown')
    let n = 0
    const build = async (pkg: string) => {
      const { default: plugin } = await import(pathToFileURL(join(pkg, 'dist', 'rolldown.js')).href)
      const root = workdir('glib', `cache-code-${n++}`)
      const reports: WasmReport[] = []
      const bundle = await rolldown({
        input: join(root, 'main.js'),
        cwd: root,
        plugins: [plugin({ cache, report: (r: WasmReport) => reports.push(r) })],
        logLevel: 'silent',
        platform: 'neutral',
      })
      await bundle.write({ dir: join(root, 'dist'), format: 'es' })
      await bundle.close()
      return reports.map(r => r.cached)
    }
    expect(await build(copy('pkg-a', false))).toEqual([false])
    expect(await build(copy('pkg-b', false))).toEqual([true])
    expect(await build(copy('pkg-c', true))).toEqual([false])
  })
})

describe('several wasm files', () => {
  it('are transformed in parallel worker threads, with progress for long ones', async () => {
    const root = workdir('glib', 'parallel')
    writeFileSync(join(root, 'both.js'), "import a from 'glib-esm'\nimport b from 'glib-cjs'\nimport s from 'sql.js'\nglobalThis.factories = [a, b, s]\n")
    const reports: WasmReport[] = []
    const log = vi.spyOn(console, 'log').mockImplementation(() => {})
    try {
      await rolldownBuild(root, 'dist', { report: r => reports.push(r), cache: false, parallel: 2, progressAfterMs: 0 }, 'both.js')
      expect(log.mock.calls.map(c => String(c[0])).filter(l => l.includes('transforming'))).toContainEqual(
        expect.stringMatching(/^\[fpcast-trampoline\] transforming \S*sql-wasm\.wasm \(0\.7 MiB\)\.\.\. \d+ s$/),
      )
    } finally {
      log.mockRestore()
    }
    expect(reports).toHaveLength(3)
    const spans = reports.map(r => r.span!)
    expect(new Set(spans.map(s => s.thread)).size).toBe(2)
    expect(spans.every(s => s.thread > 0)).toBe(true)
    const overlap = spans.some((a, i) => spans.some((b, j) => i !== j && a.start < b.end && b.start < a.end))
    expect(overlap).toBe(true)
  })
})

describe('transform options', () => {
  it('dispatchBudget reaches the transform (sql.js: adapters with a br_table by default, none with 0)', async () => {
    const root = workdir('glib', 'dispatch-budget')
    writeFileSync(join(root, 'sql.js'), "import s from 'sql.js'\nglobalThis.factory = s\n")
    const chosen = async (extra: { dispatchBudget?: number }) => {
      const reports: WasmReport[] = []
      await rolldownBuild(root, `dist-${extra.dispatchBudget ?? 'default'}`, { report: r => reports.push(r), cache: false, ...extra }, 'sql.js')
      expect(reports).toHaveLength(1)
      return reports[0].dispatch?.chosen
    }
    expect(await chosen({})).toBeGreaterThan(0)
    expect(await chosen({ dispatchBudget: 0 })).toBe(0)
  })
})

describe('source maps', () => {
  it('code of the glue maps back to its place in the original glue', async () => {
    const root = workdir('glib', 'sourcemap')
    const b = await rolldownBuild(root, 'dist', { report: false, cache: false })
    const code = readFileSync(join(b.outDir, b.entry), 'utf8')
    const map = new TraceMap(readFileSync(join(b.outDir, `${b.entry}.map`), 'utf8'))
    const original = readFileSync(join(FIXTURES, 'build/glib_esm/glib.mjs'), 'utf8')
    for (const token of ['both async and sync fetching of the wasm failed', 'function receiveInstance(', 'function getBinaryPromise(']) {
      const at = code.indexOf(token)
      expect(at).toBeGreaterThan(0)
      const before = code.slice(0, at).split('\n')
      const pos = originalPositionFor(map, { line: before.length, column: before.at(-1)!.length })
      expect(pos.source).toMatch(/node_modules\/glib-esm\/glib\.mjs$/)
      const lines = original.split('\n')
      // A string literal maps to its opening quote.
      expect(lines[pos.line! - 1].slice(pos.column!).replace(/^["']/, '').startsWith(token)).toBe(true)
    }
  })
})

describe('glue the CLI already transformed', () => {
  it('keeps its runtime, ships its wasm as it is, and runs', async () => {
    const root = workdir('glib', 'cli-output')
    const pkg = join(root, 'node_modules/glib-esm')
    execFileSync(process.execPath, [join(ROOT, 'dist/cli.js'), join(FIXTURES, 'build/glib_esm/glib.mjs'), '--out-dir', join(tmp, 'cli')])
    cpSync(join(tmp, 'cli'), pkg, { recursive: true })
    const reports: WasmReport[] = []
    const b = await rolldownBuild(root, 'dist', { report: r => reports.push(r), cache: false })
    expect(reports.map(r => r.alreadyTransformed)).toEqual([true])
    const code = readFileSync(join(b.outDir, b.entry), 'utf8')
    expect(code.split('var __fpcast_WebAssembly =').length).toBe(2)
    expect(await runInNode(join(b.outDir, b.entry), ['--hide-fetch'])).toEqual(OK)
  })
})
