/**
 * The playground (playground/), end to end: built with Vite's Node API from
 * its own vite.config.ts (the plugin from this repository's sources, three
 * instances), served, and clicked through in headless Chromium; then once on
 * the dev server. Saves a screenshot to .cache/playground/screenshot.png, and
 * to docs/playground.png with FPCAST_UPDATE_SCREENSHOT=1 (then the benchmark
 * runs at full length, so the committed picture shows real figures).
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { createServer as createNetServer, type AddressInfo } from 'node:net'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeBrowser, getBrowser, serveStatic, type StaticServer } from './bundlers/helpers.ts'
import { ROOT } from './helpers/engines.ts'

const PLAYGROUND = join(ROOT, 'playground')
const CONFIG = join(PLAYGROUND, 'vite.config.ts')
const OUT = join(ROOT, 'test/.out/playground')
const UPDATE = process.env.FPCAST_UPDATE_SCREENSHOT === '1'
const TRAP_RE = /^RuntimeError: .*signature mismatch/

/** What the C library logs for one "clicked" emission at (3, 4), all five handlers run. */
const CLICKED_LINES = [
  'on_clicked_full(widget, x, y, user_data): button at (3, 4), user_data "hello"',
  /^on_clicked\(widget\): button clicked \d+ times$/,
  'on_clicked_at(widget, x, y): x + y = 7',
  'on_clicked_stop(...) -> gboolean: returns 1, the marshaller drops it',
  'on_clicked_mods(..., modifiers): modifiers = 0',
]

/** What one "clicked" emit adapts: four handlers of four types, once each (on_clicked_full is matched). */
const CLICKED_ADAPTED = {
  '(i32) -> void': 1,
  '(i32, i32, i32) -> void': 1,
  '(i32, i32, i32, i32) -> i32': 1,
  '(i32, i32, i32, i32, i32) -> void': 1,
}

interface Shown {
  call: string
  log: string[]
  result: string | null
  error: string | null
}

/** The newest outcome in a panel. */
async function latest(page: Page, panel: 'stock' | 'fixed'): Promise<Shown> {
  return page
    .locator(`#${panel} .outcomes > li`)
    .first()
    .evaluate(li => ({
      call: li.querySelector('.call')!.textContent!,
      log: li.querySelector('.log')?.textContent?.split('\n') ?? [],
      result: li.querySelector('.result')?.textContent ?? null,
      error: li.querySelector('.error')?.textContent ?? null,
    }))
}

/** The adapted-calls table (one row per site and signature called), by function name, then by the called function's signature. */
async function table(page: Page): Promise<Record<string, { site: string; expected: string; actual: Record<string, number> }>> {
  const rows = await page.locator('#adapted tbody tr[data-site]').evaluateAll(trs =>
    trs.map(tr => ({
      site: (tr as HTMLElement).dataset.site!,
      fn: tr.querySelector('.site')!.textContent!,
      expected: tr.querySelector('.expected')!.textContent!,
      actual: tr.querySelector('.actual')!.textContent!,
      count: Number(tr.querySelector('.count')!.textContent),
    })),
  )
  const out: Awaited<ReturnType<typeof table>> = {}
  for (const { fn, site, expected, actual, count } of rows) {
    const entry = (out[fn.replace(/ #\d+$/, '')] ??= { site, expected, actual: {} })
    expect(entry).toMatchObject({ site, expected })
    expect(entry.actual[actual]).toBeUndefined()
    entry.actual[actual] = count
  }
  return out
}

function expectLines(actual: string[], expected: (string | RegExp)[]) {
  expect(actual).toHaveLength(expected.length)
  for (const [i, e] of expected.entries()) {
    if (typeof e === 'string') expect(actual[i]).toBe(e)
    else expect(actual[i]).toMatch(e)
  }
}

/** Opens the page and collects what would make it fail: page errors, console errors, failed requests. */
async function open(url: string): Promise<{ page: Page; problems: string[]; wasm: string[] }> {
  const page = await (await getBrowser()).newPage({ viewport: { width: 1200, height: 900 } })
  const problems: string[] = []
  const wasm: string[] = []
  page.on('pageerror', e => problems.push(`pageerror: ${e.message}`))
  page.on('console', m => {
    if (m.type() === 'error') problems.push(`console.error: ${m.text()}`)
  })
  page.on('requestfailed', r => problems.push(`requestfailed: ${r.url()}`))
  page.on('response', r => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`)
  })
  page.on('request', r => {
    if (r.resourceType() !== 'script' && /\.wasm$/.test(new URL(r.url()).pathname)) wasm.push(r.url())
  })
  await page.goto(url)
  await page.waitForSelector('body[data-ready]', { timeout: 30_000 })
  expect(await page.getAttribute('body', 'data-ready'), (await page.locator('#load-error').textContent()) ?? '').toBe('true')
  return { page, problems, wasm }
}

/** Runs the benchmark from its button; returns the bars' figures by variant and kind. */
async function bench(page: Page, timeout: number): Promise<Record<string, number | string>> {
  await page.click('#bench-run')
  await page.waitForSelector('body[data-bench=done], body[data-bench=failed]', { timeout })
  expect(await page.getAttribute('body', 'data-bench'), (await page.locator('#bench-status').textContent()) ?? '').toBe('done')
  const bars = await page
    .locator('#bench-chart rect.bar')
    .evaluateAll(rs =>
      rs.map(
        r => [`${r.getAttribute('data-variant')} ${r.getAttribute('data-kind')}`, Number(r.getAttribute('data-ns')), Number(r.getAttribute('width'))] as const,
      ),
    )
  const labels = await page
    .locator('#bench-chart text.value')
    .evaluateAll(ts => ts.map(t => [`${t.getAttribute('data-variant')} ${t.getAttribute('data-kind')}`, t.textContent!] as const))
  for (const [, ns, width] of bars) {
    expect(ns).toBeGreaterThan(0)
    expect(Number.isFinite(ns)).toBe(true)
    expect(width).toBeGreaterThan(0)
  }
  return {
    ...Object.fromEntries(bars.map(([k, ns]) => [k, ns])),
    ...Object.fromEntries(labels.filter(([k]) => !bars.some(b => b[0] === k)).map(([k, t]) => [k, t])),
    labels: labels.map(l => l[1]).join(' | '),
  }
}

/** The transform's metadata in a served wasm: strategy and whether it counts (diagnostics); 'stock' for an untransformed one. */
function kindOf(bytes: ArrayBuffer): string {
  const [section] = WebAssembly.Module.customSections(new WebAssembly.Module(bytes), 'fpcast_trampoline')
  if (!section) return 'stock'
  const meta = JSON.parse(new TextDecoder().decode(section))
  return `${meta.strategy}${meta.siteGlobal ? '+diagnostics' : ''}`
}

afterAll(closeBrowser)

describe('playground, built', () => {
  let server: StaticServer
  beforeAll(async () => {
    const { build } = await import('vite')
    rmSync(OUT, { recursive: true, force: true })
    // Its own cache directory: the plugin's transform cache lives there, so each run transforms afresh.
    await build({
      root: PLAYGROUND,
      configFile: CONFIG,
      logLevel: 'warn',
      cacheDir: join(OUT, 'vite-cache'),
      build: { outDir: join(OUT, 'dist'), emptyOutDir: true },
    })
    server = await serveStatic(join(OUT, 'dist'))
  })
  afterAll(() => server?.close())

  it('ships five different wasm files: two untouched, three transformed each by its own plugin instance', () => {
    const assets = readdirSync(join(OUT, 'dist/assets')).filter(f => f.endsWith('.wasm'))
    const kinds = assets.map(f => kindOf(readFileSync(join(OUT, 'dist/assets', f)).buffer as ArrayBuffer)).sort()
    expect(kinds).toEqual(['js', 'shadow', 'shadow+diagnostics', 'stock', 'stock'])
  })

  it('stock traps, the plugin build runs the same calls; the table counts adapted calls; the benchmark draws bars', async () => {
    const { page, problems, wasm } = await open(`${server.url}/${UPDATE ? '' : '?quick'}`)
    try {
      expect(wasm).toHaveLength(5)

      // A signal: the stock build runs the matched handler, then traps on the first cast one.
      await page.click('#action-clicked')
      const stock = await latest(page, 'stock')
      expect(stock.call).toBe('emit "clicked" (3, 4)')
      expect(stock.log).toEqual([CLICKED_LINES[0]])
      expect(stock.error).toMatch(TRAP_RE)
      const fixed = await latest(page, 'fixed')
      expectLines(fixed.log, CLICKED_LINES)
      expect(fixed).toMatchObject({ result: 'returned 1', error: null })

      // Methods: METH_NOARGS functions trap in stock and run with the plugin; METH_O is matched and runs in both.
      const methods: [string, string, string | null][] = [
        ['get', 'counter.get() -> 10', 'returned 10'],
        ['add', 'counter.add(5) -> 15', 'returned 15'],
        ['increment', 'counter.increment() -> 16', 'returned 16'],
        ['version', 'counter.version() -> 314', 'returned 314'],
        ['reset', 'counter.reset() -> NULL', 'returned -1'],
        ['scale', 'counter.scale(5, 1, offset=100) -> 100', 'returned 100'],
      ]
      for (const [name, line, result] of methods) {
        await page.click(`#action-method-${name}`)
        expect(await latest(page, 'fixed')).toMatchObject({ log: [line], result, error: null })
        const s = await latest(page, 'stock')
        if (name === 'add' || name === 'scale') expect(s).toMatchObject({ log: [expect.stringMatching(/^counter\./)], error: null })
        else expect(s).toMatchObject({ log: [], result: null, error: expect.stringMatching(TRAP_RE) })
      }
      await page.click('#action-toggled')
      expect(await latest(page, 'fixed')).toMatchObject({
        log: ['on_toggled(widget, active): active = 1', 'on_toggled_any(void): something toggled'],
        result: 'returned 1',
      })
      expect((await latest(page, 'stock')).error).toMatch(TRAP_RE)

      // The table: one row per site and signature adapted to, counts from the runtime.
      const before = await table(page)
      expect(Object.keys(before).sort()).toEqual(['g_signal_emit_clicked', 'g_signal_emit_toggled', 'method_call'])
      expect(before.g_signal_emit_clicked).toMatchObject({ expected: '(i32, i32, i32, i32) -> void', actual: CLICKED_ADAPTED })
      expect(before.g_signal_emit_toggled).toMatchObject({ expected: '(i32, i32, i32) -> void', actual: { '(i32, i32) -> void': 1, '() -> void': 1 } })
      // METH_NOARGS through the (self, args) site: get and increment f(self), reset returns nothing, version takes nothing.
      const NOARGS = { '(i32) -> i32': 2, '(i32) -> void': 1, '() -> i32': 1 }
      expect(before.method_call).toMatchObject({ expected: '(i32, i32) -> i32', actual: NOARGS })
      await page.click('#action-clicked')
      await page.click('#action-method-get')
      const after = await table(page)
      expect(after.g_signal_emit_clicked.actual).toEqual(Object.fromEntries(Object.entries(CLICKED_ADAPTED).map(([k, n]) => [k, n * 2])))
      expect(after.method_call.actual).toEqual({ ...NOARGS, '(i32) -> i32': 3 })
      expect(after.g_signal_emit_toggled.actual).toEqual(before.g_signal_emit_toggled.actual)

      const figures = await bench(page, UPDATE ? 60_000 : 20_000)
      expect(
        Object.keys(figures)
          .filter(k => k !== 'labels')
          .sort(),
      ).toEqual(['emulate cast', 'emulate matched', 'js cast', 'js matched', 'shadow cast', 'shadow matched', 'stock cast', 'stock matched'])
      expect(figures['stock cast']).toMatch(/^cast: traps: .*signature mismatch/)
      expect(figures.labels).toMatch(/^\d+(\.\d+)? ns \| /)

      await page.click('#action-clicked')
      await page.click('#action-method-version')
      mkdirSync(join(ROOT, '.cache/playground'), { recursive: true })
      const shot = join(ROOT, '.cache/playground/screenshot.png')
      await page.screenshot({ path: shot, fullPage: true })
      if (UPDATE) copyFileSync(shot, join(ROOT, 'docs/playground.png'))
      expect(problems).toEqual([])
    } finally {
      await page.close()
    }
  })
})

function freePort(): Promise<number> {
  return new Promise(resolve => {
    const s = createNetServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo
      s.close(() => resolve(port))
    })
  })
}

describe('playground, dev server', () => {
  it('serves each copy transformed by its own instance; the page works', async () => {
    const { createServer } = await import('vite')
    const port = await freePort()
    const server = await createServer({
      root: PLAYGROUND,
      configFile: CONFIG,
      logLevel: 'warn',
      cacheDir: join(OUT, 'vite-dev-cache'),
      server: { host: '127.0.0.1', port, strictPort: true },
    })
    await server.listen()
    const { page, problems, wasm } = await open(`${server.resolvedUrls!.local[0]}?quick`)
    try {
      const served = Object.fromEntries(
        await Promise.all(wasm.map(async u => [u.replace(/^.*\/wasm\/(\w+)\/playground\.wasm$/, '$1'), kindOf(await (await fetch(u)).arrayBuffer())])),
      )
      expect(served).toEqual({ stock: 'stock', emulate: 'stock', fixed: 'shadow+diagnostics', shadow: 'shadow', js: 'js' })
      await page.click('#action-clicked')
      expect((await latest(page, 'stock')).error).toMatch(TRAP_RE)
      expectLines((await latest(page, 'fixed')).log, CLICKED_LINES)
      expect((await table(page)).g_signal_emit_clicked.actual).toEqual(CLICKED_ADAPTED)
      await bench(page, 20_000)
      expect(problems).toEqual([])
    } finally {
      await page.close()
      await server.close()
    }
  })
})
