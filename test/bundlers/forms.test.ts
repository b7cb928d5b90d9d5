/**
 * The other shapes a wasm reaches a bundle in: classic MODULARIZE glue
 * (CommonJS, `wasmBinaryFile = "x.wasm"` + locateFile), single-file glue
 * (3.1.6 data: URI; sql.js's base64Decode("AGFzbQ...")), and plain wasm
 * imports (`?url`, `?init`). Each is built, run, and compared exactly.
 */
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { WasmReport } from 'unplugin-fpcast-trampoline/vite'
import { ROOT } from '../helpers/engines.ts'
import { esbuildBuild, rolldownBuild, viteBuild, webpackBuild } from './builds.ts'
import { closeBrowser, GLIB_EXPECTED, pageFor, runInChromium, runInNode, serveStatic, TRAP, workdir } from './helpers.ts'

afterAll(closeBrowser)

const SQL_EXPECTED = execFileSync(process.execPath, [join(ROOT, 'test/sqljs/smoke.cjs'), join(ROOT, 'node_modules/sql.js/dist')], { encoding: 'utf8' })
  .trimEnd()
  .split('\n')
const OK = { lines: GLIB_EXPECTED, errors: [], error: null }

async function inChromium(outDir: string, entry: string, type: 'module' | 'classic' = 'module') {
  const server = await serveStatic(outDir, { '/': pageFor(`/${entry}`, type) })
  try {
    return await runInChromium(`${server.url}/`)
  } finally {
    await server.close()
  }
}

const wasmIn = (dir: string) => readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter(f => f.endsWith('.wasm'))

describe('classic MODULARIZE glue (CommonJS, locateFile)', () => {
  it('rolldown: runs in Node and Chromium', async () => {
    const reports: WasmReport[] = []
    const b = await rolldownBuild(workdir('glib', 'cjs-rolldown'), 'dist', { report: r => reports.push(r) }, 'cjs.js')
    expect(reports.map(r => [r.importer.split('/').pop(), r.sites.rewritten])).toEqual([['glib_cjs.js', 30]])
    expect(await runInNode(join(b.outDir, b.entry), ['--hide-fetch'])).toEqual(OK)
    const { result, problems } = await inChromium(b.outDir, b.entry)
    expect(problems).toEqual([])
    expect(result).toEqual(OK)
  })

  it('webpack: runs in Chromium', async () => {
    const b = await webpackBuild(workdir('glib', 'cjs-webpack'), 'dist', { report: false }, 'web', './cjs.js')
    const { result, problems } = await inChromium(b.outDir, b.entry, 'classic')
    expect(problems).toEqual([])
    expect(result).toEqual(OK)
  })

  it('without the plugin, nothing carries the wasm into the bundle', async () => {
    const b = await rolldownBuild(workdir('glib', 'cjs-rolldown-plain'), 'dist', undefined, 'cjs.js')
    expect(wasmIn(b.outDir)).toEqual([])
    const r = await runInNode(join(b.outDir, b.entry), ['--hide-fetch'])
    expect(r.error).toMatch(/ENOENT.*glib_cjs\.wasm/)
  })
})

describe('single-file glue', () => {
  it('3.1.6 data: URI: the embedded wasm is replaced, nothing is emitted (esbuild)', async () => {
    const reports: WasmReport[] = []
    const root = workdir('glib', 'single-esbuild')
    const b = await esbuildBuild(root, 'dist', { report: r => reports.push(r) }, 'single.js')
    expect(reports).toHaveLength(1)
    expect(reports[0]).toMatchObject({ output: 'embedded', sites: { total: 30, rewritten: 30 } })
    expect(wasmIn(b.outDir)).toEqual([])
    const code = readFileSync(join(b.outDir, 'single.js'), 'utf8')
    const uri = /"data:application\/octet-stream;base64,([A-Za-z0-9+/=]+)"/.exec(code)
    expect(Buffer.from(uri![1], 'base64').length).toBe(reports[0].size.after)
    expect(await runInNode(join(b.outDir, b.entry), ['--hide-fetch'])).toEqual(OK)
    const { result, problems } = await inChromium(b.outDir, b.entry)
    expect(problems).toEqual([])
    expect(result).toEqual(OK)
  })

  it('3.1.6 data: URI without the plugin traps', async () => {
    const b = await esbuildBuild(workdir('glib', 'single-esbuild-plain'), 'dist', undefined, 'single.js')
    const r = await runInNode(join(b.outDir, b.entry), ['--hide-fetch'])
    expect(r.lines).toEqual(GLIB_EXPECTED.slice(0, 1))
    expect(r.error).toContain(TRAP)
  })

  it('sql.js inline build (Emscripten 4, base64Decode): the smoke test passes in Node (rolldown)', async () => {
    const reports: WasmReport[] = []
    const b = await rolldownBuild(workdir('sqljs', 'sqljs-inline-rolldown'), 'dist', { report: r => reports.push(r) }, 'inline.js')
    expect(reports).toHaveLength(1)
    expect(reports[0].output).toBe('embedded')
    expect(reports[0].sites.rewritten).toBeGreaterThan(100)
    expect(wasmIn(b.outDir)).toEqual([])
    expect(await runInNode(join(b.outDir, b.entry))).toEqual({ lines: SQL_EXPECTED, errors: [], error: null })
  })
})

describe('plain wasm imports: ?init and ?url', () => {
  const EXPECTED = ['log 42', 'add 5', 'inc through a cast 42', 'url is a string ending in .wasm: true']

  it('Vite build: runs in Chromium; the asset is the transformed module', async () => {
    const reports: WasmReport[] = []
    const b = await viteBuild(workdir('plain', 'plain-vite'), 'dist', { report: r => reports.push(r) }, 'client')
    expect(reports.map(r => r.sites)).toEqual([{ total: 1, rewritten: 1 }])
    const files = wasmIn(b.outDir)
    expect(files).toEqual([expect.stringMatching(/^assets\/cast-[\w-]+\.wasm$/)])
    expect(WebAssembly.Module.customSections(new WebAssembly.Module(readFileSync(join(b.outDir, files[0]))), 'fpcast_trampoline')).toHaveLength(1)
    const server = await serveStatic(b.outDir)
    try {
      const { result, problems } = await runInChromium(`${server.url}/`)
      expect(problems).toEqual([])
      expect(result).toEqual({ lines: EXPECTED, errors: [], error: null })
    } finally {
      await server.close()
    }
  })

  it('Vite build without the plugin: the cast traps', async () => {
    const b = await viteBuild(workdir('plain', 'plain-vite-plain'), 'dist', undefined, 'client')
    const server = await serveStatic(b.outDir)
    try {
      const { result } = await runInChromium(`${server.url}/`)
      expect(result.lines.slice(0, 3)).toEqual([...EXPECTED.slice(0, 2), expect.stringMatching(/^url is a string/)])
      expect(result.error).toMatch(/signature mismatch/)
    } finally {
      await server.close()
    }
  })

  it('rolldown: the same imports run in Node', async () => {
    const b = await rolldownBuild(workdir('plain', 'plain-rolldown'), 'dist', { report: false })
    expect(await runInNode(join(b.outDir, b.entry))).toEqual({ lines: EXPECTED, errors: [], error: null })
  })

  describe.each([
    { bundler: 'webpack', rspack: false },
    { bundler: 'rspack', rspack: true },
  ])('direct import with async WebAssembly ($bundler)', ({ bundler, rspack }) => {
    const config = (root: string) => ({ experiments: { asyncWebAssembly: true }, resolve: { alias: { env: join(root, 'env.js') } } })

    it('runs in Chromium', async () => {
      const root = workdir('plain', `direct-${bundler}`)
      const reports: WasmReport[] = []
      const b = await webpackBuild(root, 'dist', { report: r => reports.push(r) }, 'web', './direct.js', rspack, config(root))
      expect(reports.map(r => r.sites)).toEqual([{ total: 1, rewritten: 1 }])
      const { result, problems } = await inChromium(b.outDir, b.entry, 'classic')
      expect(problems).toEqual([])
      expect(result).toEqual({ lines: EXPECTED.slice(0, 3), errors: [], error: null })
    })

    it('traps without the plugin', async () => {
      const root = workdir('plain', `direct-${bundler}-plain`)
      const b = await webpackBuild(root, 'dist', undefined, 'web', './direct.js', rspack, config(root))
      const { result } = await inChromium(b.outDir, b.entry, 'classic')
      expect(result.lines).toEqual(EXPECTED.slice(0, 2))
      expect(result.error).toMatch(/signature mismatch/)
    })
  })
})
