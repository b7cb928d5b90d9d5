/**
 * The glib fixture app (Emscripten 3.1.6 EXPORT_ES6 glue installed as a
 * package) built through each bundler's Node API with the plugin, then run
 * in Node and in headless Chromium: it must print exactly glib.expected. The
 * same app built without the plugin traps after the first line.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { WasmReport } from 'unplugin-fpcast-trampoline/vite'
import { type Built, esbuildBuild, rolldownBuild, rollupBuild, viteBuild, webpackBuild } from './builds.ts'
import { closeBrowser, FIXTURES, GLIB_EXPECTED, othersTimings, pageFor, runInChromium, runInNode, serveStatic, TRAP, workdir } from './helpers.ts'

const ORIGINAL = readFileSync(join(FIXTURES, 'build/glib_esm/glib.wasm'))
const ORIGINAL_DIR = join(FIXTURES, 'build/glib_esm')

afterAll(closeBrowser)

function wasmFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter(f => f.endsWith('.wasm'))
}

interface Case {
  name: string
  /** Builds for Node and for the browser (the same build when one runs in both). */
  build(root: string, withPlugin: boolean, reports: WasmReport[]): Promise<{ node: Built; web: Built; webScript: 'module' | 'classic' | 'html' }>
  /** The untransformed browser build finds its wasm on its own (the bundler handles new URL(..., import.meta.url)). */
  untransformedRunsInBrowser: boolean
}

const opts = (reports: WasmReport[]) => ({ report: (r: WasmReport) => reports.push(r), cache: false as const })

const cases: Case[] = [
  {
    name: 'vite',
    async build(root, withPlugin, reports) {
      const o = withPlugin ? opts(reports) : undefined
      return { web: await viteBuild(root, 'dist', o, 'client'), node: await viteBuild(root, 'dist-ssr', o, 'ssr'), webScript: 'html' }
    },
    untransformedRunsInBrowser: true,
  },
  {
    name: 'webpack',
    async build(root, withPlugin, reports) {
      const o = withPlugin ? opts(reports) : undefined
      return { web: await webpackBuild(root, 'dist', o, 'web'), node: await webpackBuild(root, 'dist-node', o, 'node'), webScript: 'classic' }
    },
    untransformedRunsInBrowser: true,
  },
  {
    name: 'rspack',
    async build(root, withPlugin, reports) {
      const o = withPlugin ? opts(reports) : undefined
      return {
        web: await webpackBuild(root, 'dist', o, 'web', './main.js', true),
        node: await webpackBuild(root, 'dist-node', o, 'node', './main.js', true),
        webScript: 'classic',
      }
    },
    untransformedRunsInBrowser: true,
  },
  {
    name: 'rollup',
    async build(root, withPlugin, reports) {
      const b = await rollupBuild(root, 'dist', withPlugin ? opts(reports) : undefined)
      return { web: b, node: b, webScript: 'module' }
    },
    untransformedRunsInBrowser: false,
  },
  {
    name: 'rolldown',
    async build(root, withPlugin, reports) {
      const b = await rolldownBuild(root, 'dist', withPlugin ? opts(reports) : undefined)
      return { web: b, node: b, webScript: 'module' }
    },
    untransformedRunsInBrowser: false,
  },
  {
    name: 'esbuild',
    async build(root, withPlugin, reports) {
      const b = await esbuildBuild(root, 'dist', withPlugin ? opts(reports) : undefined)
      return { web: b, node: b, webScript: 'module' }
    },
    untransformedRunsInBrowser: false,
  },
]

describe.each(cases)('$name', c => {
  const reports: WasmReport[] = []
  let built: Awaited<ReturnType<Case['build']>>
  let plain: Awaited<ReturnType<Case['build']>>

  beforeAll(async () => {
    built = await c.build(workdir('glib', `glib-${c.name}`), true, reports)
    plain = await c.build(workdir('glib', `glib-${c.name}-plain`), false, [])
  })

  async function inChromium(b: Awaited<ReturnType<Case['build']>>) {
    const server = await serveStatic(b.web.outDir, b.webScript === 'html' ? {} : { '/': pageFor(`/${b.web.entry}`, b.webScript) })
    try {
      return await runInChromium(`${server.url}/`)
    } finally {
      await server.close()
    }
  }

  it('transforms the wasm once and reports it', () => {
    const files = new Set(reports.map(r => r.file))
    expect([...files]).toEqual([expect.stringMatching(/node_modules\/glib-esm\/glib\.wasm$/)])
    for (const r of reports) {
      expect(r).toMatchObject({ strategy: 'shadow', sites: { total: 30, rewritten: 30 }, cached: false, output: 'asset' })
      expect(r.importer).toMatch(/glib\.mjs$/)
      expect(r.size.after).toBeGreaterThan(r.size.before)
    }
  })

  it('emits the transformed wasm as an asset named by its own hash', () => {
    for (const b of new Set([built.web, built.node])) {
      const [file, ...more] = wasmFiles(b.outDir)
      expect(more).toEqual([])
      const bytes = readFileSync(join(b.outDir, file))
      expect(bytes.length).toBe(reports[0].size.after)
      expect(Buffer.compare(bytes, ORIGINAL)).not.toBe(0)
      // Content-hashed: the name differs from whatever the bundler calls the untransformed file.
      for (const other of wasmFiles(plain.web.outDir)) expect(other).not.toBe(file)
      expect(file).toMatch(/[-.][\w-]{8,}\.wasm$/)
    }
  })

  it('warns no more than the same build without the plugin', () => {
    // The same warning about the same code compares equal though the glue moved (Rolldown gives offsets).
    // Rolldown's [PLUGIN_TIMINGS] report naming other plugins is left out (it depends on the machine's load);
    // one about this plugin alone would count (the plugin makes it a note of its own).
    const same = (warnings: string[]) => warnings.filter(w => !othersTimings(w)).map(w => w.replace(/ at \d+\.\.\d+/g, ''))
    for (const target of ['web', 'node'] as const) expect(same(built[target].warnings), target).toEqual(same(plain[target].warnings))
  })

  it('runs in Node with exactly the expected output', async () => {
    const r = await runInNode(join(built.node.outDir, built.node.entry), ['--hide-fetch'])
    expect(r).toEqual({ lines: GLIB_EXPECTED, errors: [], error: null })
  })

  it('runs in Chromium with exactly the expected output', async () => {
    const { result, problems } = await inChromium(built)
    expect(problems).toEqual([])
    expect(result).toEqual({ lines: GLIB_EXPECTED, errors: [], error: null })
  })

  it('traps without the plugin (Node, on the original wasm)', async () => {
    const r = await runInNode(join(plain.node.outDir, plain.node.entry), ['--hide-fetch', '--locate-dir', ORIGINAL_DIR])
    expect(r.lines).toEqual(GLIB_EXPECTED.slice(0, 1))
    expect(r.error).toContain(TRAP)
  })

  // Rollup, Rolldown and esbuild do not carry the wasm of new URL(..., import.meta.url) on their own: nothing to run there.
  if (c.untransformedRunsInBrowser)
    it('traps without the plugin (Chromium)', async () => {
      const { result } = await inChromium(plain)
      expect(result.lines).toEqual(GLIB_EXPECTED.slice(0, 1))
      expect(result.error).toContain(TRAP)
    })
})
