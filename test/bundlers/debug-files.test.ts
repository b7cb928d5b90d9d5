/**
 * Debug info through the bundler plugin: a wasm built with a source map
 * (-gsource-map) or a separate DWARF file (-gseparate-dwarf) ships with the
 * rewritten file beside its asset, named by the asset's own URL section, in
 * every bundler and on Vite's dev server; embedded DWARF (-g) is in the
 * served bytes. What ships is what the core makes of the same inputs (its
 * rewriting is checked line by line in test/debug-info.test.ts). With
 * `debugInfo: 'strip'` none of it ships.
 */
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import fpcast from 'unplugin-fpcast-trampoline/vite'
import { customSectionNames } from '../../src/core/wasm/bytes.ts'
import { externalDebugInfoUrl, sourceMappingUrl } from '../../src/core/wasm/debug/index.ts'
import { transformWasm } from '../../src/core/wasm/transform.ts'
import { addr2line, disassemble, sourceMapLines } from '../helpers/debug-lines.ts'
import { ROOT } from '../helpers/engines.ts'
import { esbuildBuild, rolldownBuild, rollupBuild, viteBuild, webpackBuild } from './builds.ts'
import { closeBrowser, othersTimings, runInChromium, serveStatic, workdir } from './helpers.ts'
import { freePort } from '../helpers/net.ts'

const BUILD = join(ROOT, 'test/fixtures/build')
const INPUTS = [
  ['debuginfo_map', 'debuginfo_map.wasm', 'debuginfo_map.wasm.map'],
  ['debuginfo_dwarf_split', 'debuginfo_dwarf_split.wasm', 'debuginfo_dwarf_split.debug.wasm'],
  ['debuginfo_dwarf_O0', 'debuginfo_dwarf_O0.wasm'],
]

/** An app that imports the three wasm files with `?init` (the runtime ships, so the assets stay transformed). */
function app(name: string): string {
  const root = workdir('plain', name)
  for (const [dir, ...files] of INPUTS) for (const f of files) copyFileSync(join(BUILD, dir, f), join(root, f))
  writeFileSync(
    join(root, 'debug.js'),
    `import a from './debuginfo_map.wasm?init'
import b from './debuginfo_dwarf_split.wasm?init'
import c from './debuginfo_dwarf_O0.wasm?init'
globalThis.__fpcastInits = [a, b, c]
`,
  )
  return root
}

/** What the core makes of the fixtures (the plugin's files must be these). */
const expected = (() => {
  const read = (dir: string, f: string) => readFileSync(join(BUILD, dir, f))
  const map = transformWasm(read('debuginfo_map', 'debuginfo_map.wasm'), { sourceMap: read('debuginfo_map', 'debuginfo_map.wasm.map').toString() })
  const split = transformWasm(read('debuginfo_dwarf_split', 'debuginfo_dwarf_split.wasm'), {
    debugFile: read('debuginfo_dwarf_split', 'debuginfo_dwarf_split.debug.wasm'),
  })
  return { sourceMap: map.sourceMap!, debugFile: Buffer.from(split.debugFile!) }
})()

function wasmFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter(f => f.endsWith('.wasm') && !f.endsWith('.debug.wasm'))
    .map(f => join(dir, f))
}

/** The shipped wasm assets with the debug files beside them that their URL sections name. */
function shipped(dir: string) {
  const out = { maps: [] as string[], dwarfFiles: [] as Buffer[], dwarfEmbedded: 0, urls: [] as string[] }
  for (const file of wasmFiles(dir)) {
    const bytes = readFileSync(file)
    const map = sourceMappingUrl(bytes)
    const dwarf = externalDebugInfoUrl(bytes)
    if (map) {
      out.urls.push(map)
      out.maps.push(readFileSync(join(dirname(file), map), 'utf8'))
    }
    if (dwarf) {
      out.urls.push(dwarf)
      out.dwarfFiles.push(readFileSync(join(dirname(file), dwarf)))
    }
    if (customSectionNames(bytes).includes('.debug_info')) out.dwarfEmbedded++
  }
  return out
}

const BUILDS = {
  vite: (root: string, out: string, o: object) =>
    viteBuild(root, out, o, 'client', { build: { outDir: join(root, out), emptyOutDir: true, rollupOptions: { input: join(root, 'debug.js') } } }),
  rollup: (root: string, out: string, o: object) => rollupBuild(root, out, o, 'debug.js'),
  rolldown: (root: string, out: string, o: object) => rolldownBuild(root, out, o, 'debug.js'),
  webpack: (root: string, out: string, o: object) => webpackBuild(root, out, o, 'web', './debug.js'),
  rspack: (root: string, out: string, o: object) => webpackBuild(root, out, o, 'web', './debug.js', true),
  esbuild: (root: string, out: string, o: object) => esbuildBuild(root, out, o, 'debug.js'),
}

describe.each(Object.keys(BUILDS) as (keyof typeof BUILDS)[])('%s build', bundler => {
  it('ships each rewritten debug file beside the asset that names it; strip ships none', async () => {
    const root = app(`debug-files-${bundler}`)
    const kept = await BUILDS[bundler](root, 'dist', { report: false, cache: false })
    const got = shipped(kept.outDir)
    expect(wasmFiles(kept.outDir)).toHaveLength(3)
    expect(got.maps).toEqual([expected.sourceMap])
    expect(got.dwarfFiles).toHaveLength(1)
    expect(got.dwarfFiles[0].equals(expected.debugFile)).toBe(true)
    expect(got.dwarfEmbedded).toBe(1)
    // Named after the input, with a hash of what made them: two libraries' debuginfo.wasm.map cannot collide.
    expect(got.urls.sort()).toEqual([
      expect.stringMatching(/^debuginfo_dwarf_split-[0-9a-f]{10}\.debug\.wasm$/),
      expect.stringMatching(/^debuginfo_map-[0-9a-f]{10}\.wasm\.map$/),
    ])
    // No warning of the bundler's (Rolldown's [PLUGIN_TIMINGS] naming other plugins aside: it depends on the machine's load).
    expect(kept.warnings.filter(w => !othersTimings(w))).toEqual([])

    const stripped = await BUILDS[bundler](root, 'dist-strip', { report: false, cache: false, debugInfo: 'strip' })
    expect(shipped(stripped.outDir)).toEqual({ maps: [], dwarfFiles: [], dwarfEmbedded: 0, urls: [] })
  })
})

describe.each(['webpack', 'rspack'] as const)('%s size hints', bundler => {
  it('leave the debug files out, as they leave out the bundler\'s own source maps (no new "asset size limit" warning)', async () => {
    const root = app(`debug-files-hints-${bundler}`)
    // Every asset over 1 byte is "too big": the warning lists exactly the assets the hints look at.
    const performance = { hints: 'warning', maxAssetSize: 1, maxEntrypointSize: 1e9 }
    const built = await webpackBuild(root, 'dist', { report: false, cache: false }, 'web', './debug.js', bundler === 'rspack', { performance })
    expect(shipped(built.outDir).urls).toHaveLength(2)
    const sizeWarnings = built.warnings.filter(w => /asset size limit/i.test(w))
    expect(sizeWarnings).toHaveLength(1)
    expect(sizeWarnings[0]).toMatch(/\.wasm\b/)
    expect(sizeWarnings[0]).not.toMatch(/\.debug\.wasm|\.wasm\.map|\.js\.map/)
  })
})

describe('a trap in Chromium', () => {
  afterAll(closeBrowser)

  it('resolves through the source map the plugin shipped to the C line of the trap, reached by a cast call', async () => {
    // Vite build of a page that runs the -gsource-map web build's main with 'trap-cast'.
    const root = workdir('plain', 'debug-files-trap')
    const dir = join(BUILD, 'debuginfo_map_web')
    for (const f of ['debuginfo_map_web.mjs', 'debuginfo_map_web.wasm', 'debuginfo_map_web.wasm.map']) copyFileSync(join(dir, f), join(root, f))
    writeFileSync(
      join(root, 'main.js'),
      `import createModule from './debuginfo_map_web.mjs'
const Module = await createModule({ print() {}, printErr() {} })
let stack = ''
try { Module.callMain(['trap-cast']) } catch (e) { stack = String(e && e.stack) }
globalThis.__fpcastResult = { lines: [stack], errors: [], error: null }
`,
    )
    const built = await viteBuild(root, 'dist', { report: false, cache: false }, 'client')
    const server = await serveStatic(built.outDir)
    try {
      const { result, problems } = await runInChromium(server.url)
      expect(problems).toEqual([])
      const stack = result.lines[0]
      // Chromium names the frame by the wasm's URL (streaming compilation): `at on_event (<url>:wasm-function[12]:0x5b0)`, called from an adapter.
      const frame = /at on_event \([^)]*:wasm-function\[\d+\]:0x([0-9a-f]+)\)\n\s+at fpcast\$ad/.exec(stack)
      expect(frame, stack).toBeTruthy()
      const [wasm] = wasmFiles(built.outDir)
      const map = readFileSync(join(dirname(wasm), sourceMappingUrl(readFileSync(wasm))!), 'utf8')
      const trapLine =
        readFileSync(join(ROOT, 'test/fixtures/c/debuginfo.c'), 'utf8')
          .split('\n')
          .findIndex(l => l.includes('/* TRAP */')) + 1
      expect(sourceMapLines(map, [Number.parseInt(frame![1], 16)])).toEqual([`../../c/debuginfo.c:${trapLine}`])
    } finally {
      await server.close()
    }
  })
})

describe('the persistent cache', () => {
  it('keeps the debug files with the wasm: a cached build ships the same', async () => {
    const root = app('debug-files-cache')
    const cache = join(root, '.fpcast-cache')
    const first = shipped((await rollupBuild(root, 'dist-1', { report: false, cache }, 'debug.js')).outDir)
    const reports: { cached: boolean }[] = []
    const second = shipped((await rollupBuild(root, 'dist-2', { report: r => reports.push(r), cache }, 'debug.js')).outDir)
    expect(reports.map(r => r.cached)).toEqual([true, true, true])
    expect(second).toEqual(first)
    expect(second.maps).toEqual([expected.sourceMap])
  })
})

describe('vite dev server', () => {
  it('serves the wasm with its DWARF and the rewritten debug files beside it', async () => {
    const root = app('debug-files-dev')
    const { createServer } = await import('vite')
    const port = await freePort()
    const server = await createServer({
      root,
      configFile: false,
      logLevel: 'silent',
      plugins: [fpcast({ report: false, cache: false })],
      server: { host: '127.0.0.1', port, strictPort: true },
    })
    await server.listen()
    const base = server.resolvedUrls!.local[0]
    try {
      // The app's modules as the browser would follow them: debug.js -> the ?init module -> its URL module -> the dev URL.
      const text = async (url: string) => (await fetch(new URL(url, base))).text()
      const entry = await text('debug.js')
      const wasmUrls = new Map<string, URL>()
      const served = new Map<string, Buffer>()
      for (const [, wasm] of INPUTS) {
        const init = new RegExp(`from "([^"]*/${wasm}[^"]*)"`).exec(entry)![1]
        const urlModule = /import url from "([^"]*)"/.exec(await text(init))![1]
        const code = await text(urlModule)
        const url = /"([^"]*@fpcast-trampoline\/fs[^"]*\.wasm)"/.exec(code)?.[1]
        expect(url, code).toBeTruthy()
        wasmUrls.set(wasm, new URL(url!, base))
        const res = await fetch(wasmUrls.get(wasm)!)
        expect(res.status).toBe(200)
        served.set(wasm, Buffer.from(await res.arrayBuffer()))
      }
      // The source map and the DWARF file, where the served wasm's URLs point.
      for (const [wasm, name, want] of [
        ['debuginfo_map.wasm', sourceMappingUrl, expected.sourceMap],
        ['debuginfo_dwarf_split.wasm', externalDebugInfoUrl, expected.debugFile],
      ] as const) {
        const res = await fetch(new URL(name(served.get(wasm)!)!, wasmUrls.get(wasm)))
        expect(res.status).toBe(200)
        const body = Buffer.from(await res.arrayBuffer())
        expect(typeof want === 'string' ? body.toString() === want : body.equals(want)).toBe(true)
      }
      // Only beside a wasm the plugin handed out: elsewhere the name is not served.
      const elsewhere = await fetch(new URL(`@fpcast-trampoline/fs/tmp/${sourceMappingUrl(served.get('debuginfo_map.wasm')!)}`, base))
      expect(await elsewhere.text()).not.toBe(expected.sourceMap) // Vite's own fallback answers instead
      // -g: the served bytes carry DWARF, and its call sites resolve into debuginfo.c (line by line in debug-info.test.ts).
      // Slow work comes last: a keep-alive connection left idle meanwhile would be closed under the next fetch.
      const dwarf = served.get('debuginfo_dwarf_O0.wasm')!
      expect(customSectionNames(dwarf)).toEqual(expect.arrayContaining(['.debug_info', '.debug_line']))
      const file = join(root, 'served-O0.wasm')
      writeFileSync(file, dwarf)
      const listing = disassemble(file)
      const sites = [...listing.functions.values()].flat().filter(x => x.op === 'call_indirect')
      const lines = addr2line(
        file,
        sites.map(x => x.offset - listing.codeStart),
      )
      expect(lines.filter(l => l.startsWith('./debuginfo.c:')).length).toBeGreaterThanOrEqual(3)
    } finally {
      await server.close()
    }
  })
})
