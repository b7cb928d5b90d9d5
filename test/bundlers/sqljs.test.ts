/**
 * sql.js (npm; Emscripten 4.x CommonJS glue that finds its wasm with
 * locateFile/scriptDirectory) bundled through the plugin with Vite (build and
 * dev server) and webpack: the API smoke test prints in Chromium exactly what
 * stock sql.js prints under Node.
 */
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import fpcast, { type WasmReport } from 'unplugin-fpcast-trampoline/vite'
import { ROOT } from '../helpers/engines.ts'
import { viteBuild, webpackBuild } from './builds.ts'
import { closeBrowser, expectSqljsReports, pageFor, runInChromium, serveStatic, sqljsExpected, workdir } from './helpers.ts'

afterAll(closeBrowser)

const EXPECTED = sqljsExpected()

describe('sql.js in Chromium', () => {
  it('stock sql.js output under Node is what the page must print', () => {
    expect(EXPECTED).toHaveLength(4)
    expect(EXPECTED[1]).toBe('ada,cy')
  })

  it('Vite build', async () => {
    const reports: WasmReport[] = []
    const built = await viteBuild(workdir('sqljs', 'sqljs-vite'), 'dist', { report: r => reports.push(r) }, 'client')
    expectSqljsReports(reports)
    expect(readdirSync(join(built.outDir, 'assets')).filter(f => f.endsWith('.wasm'))).toEqual([expect.stringMatching(/^sql-wasm-browser-[\w-]+\.wasm$/)])
    const server = await serveStatic(built.outDir)
    try {
      const { result, problems, wasm } = await runInChromium(`${server.url}/`)
      expect(problems).toEqual([])
      expect(wasm).toEqual([expect.stringMatching(/\/assets\/sql-wasm-browser-[\w-]+\.wasm$/)])
      expect(result).toEqual({ lines: EXPECTED, errors: [], error: null })
    } finally {
      await server.close()
    }
  })

  it('Vite dev server (sql.js pre-bundled)', async () => {
    const { createServer } = await import('vite')
    const reports: WasmReport[] = []
    const server = await createServer({
      root: workdir('sqljs', 'sqljs-vite-dev'),
      configFile: false,
      logLevel: 'silent',
      plugins: [fpcast({ report: r => reports.push(r) })],
      server: { host: '127.0.0.1', port: 0, hmr: false },
    })
    await server.listen()
    try {
      const { result, problems, wasm } = await runInChromium(server.resolvedUrls!.local[0])
      expect(problems).toEqual([])
      expect(wasm).toEqual([`${server.resolvedUrls!.local[0]}@fpcast-trampoline/fs${ROOT}node_modules/sql.js/dist/sql-wasm-browser.wasm`])
      expect(result).toEqual({ lines: EXPECTED, errors: [], error: null })
      expectSqljsReports(reports)
    } finally {
      await server.close()
    }
  })

  it('webpack build', async () => {
    const reports: WasmReport[] = []
    const built = await webpackBuild(workdir('sqljs', 'sqljs-webpack'), 'dist', { report: r => reports.push(r) }, 'web')
    expectSqljsReports(reports)
    const server = await serveStatic(built.outDir, { '/': pageFor(`/${built.entry}`, 'classic') })
    try {
      const { result, problems, wasm } = await runInChromium(`${server.url}/`)
      expect(problems).toEqual([])
      expect(wasm).toEqual([expect.stringMatching(/\/sql-wasm-browser\.[0-9a-f]{10}\.wasm$/)])
      expect(result).toEqual({ lines: EXPECTED, errors: [], error: null })
    } finally {
      await server.close()
    }
  })
})
