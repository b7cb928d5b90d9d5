/**
 * Shared by the bundler tests: fixture apps copied into a work directory
 * (with the glue installed as a package in its node_modules), a static file
 * server on 127.0.0.1, headless Chromium, and a Node runner.
 */
import { execFile, execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, normalize } from 'node:path'
import { promisify } from 'node:util'
import { chromium, type Browser } from 'playwright-core'
import type { WasmReport } from 'unplugin-fpcast-trampoline/vite'
import { expect } from 'vitest'
import { timingsLine } from '../../src/bundler/rollup-like.ts'
import { ROOT } from '../helpers/engines.ts'

export const FIXTURES = join(ROOT, 'test/fixtures')
export const GLIB_EXPECTED = readFileSync(join(FIXTURES, 'c/glib.expected'), 'utf8').trimEnd().split('\n')
export const TRAP = 'function signature mismatch'

let sqljsLines: string[] | undefined
/** What stock sql.js prints under Node for its API smoke test (test/sqljs/smoke.cjs): what every bundled build must print. */
export function sqljsExpected(): string[] {
  sqljsLines ??= execFileSync(process.execPath, [join(ROOT, 'test/sqljs/smoke.cjs'), join(ROOT, 'node_modules/sql.js/dist')], { encoding: 'utf8' })
    .trimEnd()
    .split('\n')
  return sqljsLines
}

/** The plugin's reports for a sql.js build: its wasm, every call_indirect site rewritten by the shadow strategy. */
export function expectSqljsReports(reports: WasmReport[]): void {
  expect(reports.length).toBeGreaterThan(0)
  for (const r of reports) {
    expect(r.file).toMatch(/sql\.js\/dist\/sql-wasm-browser\.wasm$/)
    expect(r.strategy).toBe('shadow')
    expect(r.sites.rewritten).toBe(r.sites.total)
    expect(r.sites.rewritten).toBeGreaterThan(100)
  }
}
/**
 * Rolldown's [PLUGIN_TIMINGS] warning in which other callbacks than this
 * plugin's take more (Vite's own, under a loaded machine): whether it
 * appears depends on the machine's load, and the plugin leaves it as it is.
 * One mostly about this plugin is never a match: the plugin turns it into a
 * line of its own, so it must never reach the bundler's warnings
 * (test/bundlers/timings.test.ts).
 */
export const othersTimings = (warning: string): boolean => warning.includes('[PLUGIN_TIMINGS]') && timingsLine(warning) === undefined

const NODE_RUN = join(ROOT, 'test/bundlers/node-run.mjs')

export interface AppResult {
  lines: string[]
  errors: string[]
  error: string | null
}

/**
 * A fresh copy of test/bundlers/apps/<app> at test/.out/bundlers/<name>, with
 * `glib-esm` (the 3.1.6 EXPORT_ES6 glib fixture) and `glib-cjs` (its classic
 * MODULARIZE build) installed in its node_modules.
 */
export function workdir(app: string, name: string): string {
  const dir = join(ROOT, 'test/.out/bundlers', name)
  rmSync(dir, { recursive: true, force: true })
  cpSync(join(ROOT, 'test/bundlers/apps', app), dir, { recursive: true })
  // A package root of its own: Vite keeps its dependency cache in <root>/node_modules/.vite, not in the repository's.
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `app-${name}`, private: true, type: 'module' }))
  const pkg = (id: string, files: [string, string][], json: object) => {
    const to = join(dir, 'node_modules', id)
    mkdirSync(to, { recursive: true })
    for (const [from, file] of files) cpSync(from, join(to, file))
    writeFileSync(join(to, 'package.json'), JSON.stringify({ name: id, version: '1.0.0', ...json }))
  }
  pkg(
    'glib-esm',
    [
      [join(FIXTURES, 'build/glib_esm/glib.mjs'), 'glib.mjs'],
      [join(FIXTURES, 'build/glib_esm/glib.wasm'), 'glib.wasm'],
    ],
    { type: 'module', exports: './glib.mjs' },
  )
  const extra = join(ROOT, 'test/bundlers/fixtures')
  pkg(
    'glib-cjs',
    [
      [join(extra, 'glib_cjs/glib_cjs.js'), 'glib_cjs.js'],
      [join(extra, 'glib_cjs/glib_cjs.wasm'), 'glib_cjs.wasm'],
    ],
    { main: './glib_cjs.js', exports: './glib_cjs.js' },
  )
  pkg('glib-single', [[join(extra, 'glib_single/glib_single.mjs'), 'glib_single.mjs']], { type: 'module', exports: './glib_single.mjs' })
  return dir
}

/** Runs a bundle in Node (this machine's Node 20); see node-run.mjs for the flags. */
export async function runInNode(bundle: string, flags: string[] = []): Promise<AppResult> {
  if (!existsSync(bundle)) throw new Error(`no bundle at ${bundle}`)
  const { stdout } = await promisify(execFile)(process.execPath, [NODE_RUN, bundle, ...flags], { encoding: 'utf8', timeout: 60_000 })
  return JSON.parse(stdout.trim().split('\n').pop()!)
}

const MIME: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.css': 'text/css',
}

export interface StaticServer {
  url: string
  /** Paths requested, in order. */
  requests: string[]
  close(): Promise<void>
}

/**
 * Serves `dir` on 127.0.0.1 (an ephemeral port); `pages` adds HTML pages by path.
 * `onPost` receives the body of each POST (pages that report to the test, e.g. in Firefox).
 */
export async function serveStatic(dir: string, pages: Record<string, string> = {}, onPost?: (path: string, body: string) => void): Promise<StaticServer> {
  const requests: string[] = []
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url!, 'http://x').pathname)
    requests.push(path)
    if (req.method === 'POST' && onPost) {
      const chunks: Buffer[] = []
      req.on('data', c => chunks.push(c))
      req.on('end', () => {
        res.writeHead(204).end()
        onPost(path, Buffer.concat(chunks).toString('utf8'))
      })
      return
    }
    if (path === '/favicon.ico') {
      res.writeHead(204).end()
      return
    }
    if (pages[path]) {
      res.writeHead(200, { 'Content-Type': 'text/html' }).end(pages[path])
      return
    }
    const file = normalize(join(dir, path === '/' ? 'index.html' : path))
    if (!file.startsWith(dir) || !existsSync(file)) {
      res.writeHead(404).end('not found')
      return
    }
    res.writeHead(200, { 'Content-Type': MIME[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file))
  })
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}`, requests, close: () => new Promise(r => server.close(() => r())) }
}

/** A page that loads one bundle as a module or classic script. */
export function pageFor(script: string, type: 'module' | 'classic' = 'module'): string {
  return `<!doctype html><html><head><meta charset="utf-8"></head><body><script ${type === 'module' ? 'type="module" ' : ''}src="${script}"></script></body></html>`
}

let browser: Promise<Browser> | undefined

/** One headless Chromium per test file (close it in afterAll with closeBrowser). */
export function getBrowser(): Promise<Browser> {
  if (!existsSync('/usr/bin/chromium')) throw new Error('the bundler tests run their bundles in Chromium: apt-get install -y chromium (Debian package)')
  browser ??= chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  })
  return browser
}

export async function closeBrowser(): Promise<void> {
  if (browser) await (await browser).close()
  browser = undefined
}

export interface PageRun {
  result: AppResult
  /** URLs of the .wasm files the page requested. */
  wasm: string[]
  /** Uncaught page errors, failed requests (4xx/5xx or network) and console errors. */
  problems: string[]
}

/** Opens `url` and waits for the app's `globalThis.__fpcastResult`. */
export async function runInChromium(url: string, expression = 'globalThis.__fpcastResult'): Promise<PageRun> {
  const page = await (await getBrowser()).newPage()
  const problems: string[] = []
  const wasm: string[] = []
  // Fetches of wasm files; not JS modules whose id ends in .wasm (Vite dev serves `x.wasm?import` modules).
  page.on('request', r => {
    if (r.resourceType() !== 'script' && /\.wasm$/.test(new URL(r.url()).pathname)) wasm.push(r.url())
  })
  page.on('pageerror', e => problems.push(`pageerror: ${e.message}`))
  page.on('requestfailed', r => problems.push(`requestfailed: ${r.url()} ${r.failure()?.errorText}`))
  page.on('response', r => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`)
  })
  page.on('console', m => {
    if (m.type() === 'error') problems.push(`console.error: ${m.text()}`)
  })
  try {
    await page.goto(url)
    await page.waitForFunction(expression, undefined, { timeout: 30_000 })
    const result = (await page.evaluate(expression)) as AppResult
    return { result, problems, wasm }
  } finally {
    await page.close()
  }
}
