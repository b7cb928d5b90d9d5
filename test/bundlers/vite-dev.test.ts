/**
 * Vite's dev server: the glue in node_modules is served transformed, with and
 * without dependency pre-bundling; the transformed wasm comes from the plugin's
 * middleware; a change to the wasm is picked up and re-transformed.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import fpcast, { type WasmReport } from 'unplugin-fpcast-trampoline/vite'
import { closeBrowser, GLIB_EXPECTED, runInChromium, workdir } from './helpers.ts'
import { freePort } from '../helpers/net.ts'

afterAll(closeBrowser)

async function devServer(root: string, reports: WasmReport[], optimizeDeps: Record<string, unknown>) {
  const { createServer } = await import('vite')
  const port = await freePort()
  const server = await createServer({
    root,
    configFile: false,
    logLevel: 'silent',
    plugins: [fpcast({ report: r => reports.push(r) })],
    server: { host: '127.0.0.1', port, strictPort: true },
    optimizeDeps,
  })
  await server.listen()
  return { server, url: server.resolvedUrls!.local[0] }
}

/** The same module with one more custom section: other bytes, same behaviour. */
function touched(bytes: Buffer): Buffer {
  return Buffer.concat([bytes, Buffer.from([0x00, 0x04, 0x03, 0x61, 0x62, 0x63])])
}

describe.each([
  { mode: 'pre-bundled', optimizeDeps: {} },
  { mode: 'not pre-bundled', optimizeDeps: { exclude: ['glib-esm'] } },
])('vite dev server, glue $mode', ({ mode, optimizeDeps }) => {
  it('serves the transformed glue and wasm; the app prints exactly the expected output', async () => {
    const root = workdir('glib', `vite-dev-${mode.replace(/ /g, '-')}`)
    const reports: WasmReport[] = []
    const { server, url } = await devServer(root, reports, optimizeDeps)
    try {
      const first = await runInChromium(url)
      expect(first.problems).toEqual([])
      expect(first.result).toEqual({ lines: GLIB_EXPECTED, errors: [], error: null })
      expect(first.wasm).toEqual([`${url}@fpcast-trampoline/fs${root}/node_modules/glib-esm/glib.wasm`])
      const served = await (await fetch(first.wasm[0])).arrayBuffer()
      expect(served.byteLength).toBe(reports.at(-1)!.size.after)
      expect(reports.at(-1)).toMatchObject({ output: 'dev-server', sites: { total: 30, rewritten: 30 } })

      if (mode === 'not pre-bundled') {
        // Change the wasm: the plugin re-transforms it and a reload gets the new file at the same URL.
        const wasmFile = join(root, 'node_modules/glib-esm/glib.wasm')
        writeFileSync(wasmFile, touched(readFileSync(wasmFile)))
        await new Promise(r => setTimeout(r, 300))
        const second = await runInChromium(url)
        expect(second.problems).toEqual([])
        expect(second.result).toEqual({ lines: GLIB_EXPECTED, errors: [], error: null })
        expect(second.wasm).toEqual(first.wasm)
        const again = await (await fetch(second.wasm[0])).arrayBuffer()
        expect(Buffer.compare(Buffer.from(again), Buffer.from(served))).not.toBe(0)
        expect(reports.at(-1)!.size.before).toBe(reports[0].size.before + 6)
      }
    } finally {
      await server.close()
    }
  })
})

describe('vite dev server, plain wasm imports', () => {
  it('?init and ?url get the transformed module', async () => {
    const root = workdir('plain', 'vite-dev-plain')
    const reports: WasmReport[] = []
    const { server, url } = await devServer(root, reports, {})
    try {
      const { result, problems, wasm } = await runInChromium(url)
      expect(problems).toEqual([])
      expect(result).toEqual({ lines: ['log 42', 'add 5', 'inc through a cast 42', 'url is a string ending in .wasm: true'], errors: [], error: null })
      expect(wasm).toEqual([`${url}@fpcast-trampoline/fs${root}/cast.wasm`])
      expect(reports.map(r => [r.output, r.sites.rewritten])).toEqual([['dev-server', 1]])
    } finally {
      await server.close()
    }
  })
})
