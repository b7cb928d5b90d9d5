/**
 * Rolldown's [PLUGIN_TIMINGS] warning (Vite 8 builds on Rolldown): a cold
 * transform of a big wasm makes this plugin's `load` most of a build, and
 * Rolldown would warn about a build that warns of nothing without the
 * plugin. The plugin turns a timings warning mostly about itself into a line
 * under its report lines, and leaves one in which other plugins take more
 * as it is (src/bundler/rollup-like.ts, onLog).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { timingsLine } from '../../src/bundler/rollup-like.ts'
import { bigModule } from '../catalogue/big-module.ts'
import { ROOT } from '../helpers/engines.ts'
import { rolldownBuild, viteBuild } from './builds.ts'

// A real message, as Rolldown 1.x printed it for a Vite build (colour codes included).
const message = (rows: string[]) =>
  '\u001b[33m[PLUGIN_TIMINGS] \u001b[0mJavaScript callbacks ran for 4.6s of this 4.7s build (98%).\n' +
  'The slowest callbacks, timed inside each callback (the wait before a callback starts is excluded, the time it awaits is included):\n' +
  rows.map(r => `  - ${r}\n`).join('') +
  'Additional callback time came from callbacks under 1s.\nSee https://rolldown.rs/reference/InputOptions.checks#bundlertimings for more details.\n'

const line = (listed: string) =>
  `[fpcast-trampoline] build time: most of this build's JavaScript time was this plugin's wasm transforms (${listed}; Rolldown's [PLUGIN_TIMINGS]); the cache makes rebuilds skip them`

describe('a timings message', () => {
  it('becomes one line when it lists only this plugin’s callbacks', () => {
    expect(timingsLine(message(['plugin unplugin-fpcast-trampoline load (97%, 4.5s, 3 calls)']))).toBe(line('load 97%, 4.5s'))
    expect(
      timingsLine(
        message(['plugin unplugin-fpcast-trampoline load (80%, 3.7s, 3 calls)', 'plugin unplugin-fpcast-trampoline transform (12%, 1.1s, 40 calls)']),
      ),
    ).toBe(line('load 80%, 3.7s; transform 12%, 1.1s'))
  })
  it('becomes one line when this plugin’s callbacks are listed without a time (their calls overlapped)', () => {
    // As Rolldown 1.2 printed it for a cold Vite build of wa-sqlite (two wasm files, transformed at once).
    const overlapped =
      '\u001b[33m[PLUGIN_TIMINGS] \u001b[0mJavaScript callbacks ran for 4.1s of this 4.4s build (93%).\n' +
      '1 callback is listed without a time. Its calls overlapped, so the time inside one call includes work from other calls. To find its cost, profile the build with `node --cpu-prof`:\n' +
      '  - plugin unplugin-fpcast-trampoline transform (10 calls)\n' +
      'See https://rolldown.rs/reference/InputOptions.checks#bundlertimings for more details.\n'
    expect(timingsLine(overlapped)).toBe(line('transform 10 calls'))
  })
  it('becomes one line, the others’ numbers kept, when this plugin’s callbacks take at least as much as the others listed', () => {
    // As Rolldown printed it for a cold Vite build of onnxruntime-web (27 MiB of wasm): Vite's own callbacks waited for a core.
    expect(
      timingsLine(message(['plugin unplugin-fpcast-trampoline transform (87%, 7.7s, 4 calls)', 'plugin vite:build-html transform (23%, 2.0s, 1 call)'])),
    ).toBe(line('transform 87%, 7.7s; also listed: vite:build-html transform 23%, 2.0s'))
  })
  it('is left as it is when other callbacks take more, or this plugin is not listed', () => {
    expect(timingsLine(message(['plugin slow load (60%, 2.8s, 1 call)', 'plugin unplugin-fpcast-trampoline load (38%, 1.8s, 3 calls)']))).toBe(undefined)
    expect(timingsLine(message(['plugin unplugin-fpcast-trampoline-extra load (97%, 4.5s, 3 calls)']))).toBe(undefined)
    expect(timingsLine(message(['plugin slow load (97%, 4.5s, 3 calls)']))).toBe(undefined)
    expect(timingsLine(message([]))).toBe(undefined)
  })
})

/** An app importing a generated wasm of `mib` MiB (its transform takes seconds cold at 40) with `?init`, and maybe a slow plugin's module. */
function bigApp(name: string, slowModule: boolean, mib: number): string {
  const dir = join(ROOT, 'test/.out/bundlers', name)
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, type: 'module' }))
  writeFileSync(join(dir, 'big.wasm'), bigModule({ targetBytes: mib * 2 ** 20 }))
  writeFileSync(join(dir, 'main.js'), `import init from './big.wasm?init'\n${slowModule ? "import slow from 'virtual:slow'\n" : ''}export const ready = init\n`)
  writeFileSync(join(dir, 'index.html'), '<script type="module" src="./main.js"></script>\n')
  return dir
}

describe('a cold build of a big wasm', () => {
  afterEach(() => vi.restoreAllMocks())

  it('Vite: no [PLUGIN_TIMINGS] warning; a line under the report lines says what took the time', async () => {
    const root = bigApp('timings-vite', false, 40)
    const lines: string[] = []
    vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(String(line)))
    const built = await viteBuild(root, 'dist', { cache: false }, 'client')
    expect(built.warnings).toEqual([])
    // Rolldown did warn (the build is that slow), and the plugin said it its own way, once.
    const notes = lines.filter(l => l.includes('[PLUGIN_TIMINGS]'))
    expect(notes).toHaveLength(1)
    expect(notes[0]).toMatch(
      /^\[fpcast-trampoline\] build time: most of this build's JavaScript time was this plugin's wasm transforms \(load (\d+%, [\d.]+m?s|\d+ calls?)(; [^;]+)*; Rolldown's \[PLUGIN_TIMINGS\]\); the cache makes rebuilds skip them$/,
    )
    expect(lines.some(l => /big\.wasm/.test(l) && /sites/.test(l))).toBe(true)
  }, 120_000)

  it('Rolldown: a warning in which another plugin takes more is left as it is', async () => {
    const root = bigApp('timings-rolldown', true, 8)
    const lines: string[] = []
    vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(String(line)))
    const slow = {
      name: 'slow',
      resolveId: (id: string) => (id === 'virtual:slow' ? '\0slow' : undefined),
      load: async (id: string) => {
        if (id !== '\0slow') return undefined
        await new Promise(r => setTimeout(r, 6000))
        return 'export default 1'
      },
    }
    const built = await rolldownBuild(root, 'dist', { cache: false }, 'main.js', [slow])
    const timings = built.warnings.filter(w => w.includes('[PLUGIN_TIMINGS]'))
    expect(timings).toHaveLength(1)
    expect(timings[0]).toMatch(/- plugin slow load/)
    expect(lines.filter(l => l.includes('[PLUGIN_TIMINGS]'))).toEqual([])
  }, 120_000)
})
