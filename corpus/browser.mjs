#!/usr/bin/env node
// Second half of the corpus: packages that run in browsers, bundled by Vite and
// by webpack, with and without the plugin, run in headless Chromium
// (/usr/bin/chromium via playwright-core). The four results must be identical,
// and the plugin builds must fetch a rewritten wasm (not the stock bytes) and
// print no warning the stock build of the same bundler does not (webpack with
// its size hints on; hashes and sizes left out of the comparison).
//
//   node corpus/browser.mjs [--only <id>[,<id>...]] [--no-write]
//
// Needs the packages installed by corpus/run.mjs (.cache/corpus) and dist/ built.
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { dirname, extname, join, normalize, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { stripVTControlCharacters } from 'node:util'
import { PACKAGES } from './packages.mjs'

const HERE = dirname(fileURLToPath(import.meta.url))
const REPO = resolve(HERE, '..')
// Real path: webpack (unplugin's virtual modules) misses files behind the .cache symlink.
const CACHE = realpathSync(process.env.FPCAST_CORPUS_CACHE ? resolve(process.env.FPCAST_CORPUS_CACHE) : join(REPO, '.cache', 'corpus'))
const args = process.argv.slice(2)
const only = (() => {
  const i = args.indexOf('--only')
  return i >= 0 ? args[i + 1].split(',') : undefined
})()
const log = (...a) => console.error('[corpus:browser]', ...a)
const sha = b => createHash('sha256').update(b).digest('hex').slice(0, 16)

// Each app sets globalThis.__corpusResult (a JSON string) or __corpusError.
const APPS = {
  'manifold-3d': `
    import Module from 'manifold-3d'
    const wasm = await Module(); wasm.setup()
    const { Manifold } = wasm
    const r = Manifold.cube([2, 2, 2], true).subtract(Manifold.sphere(1.3, 48))
    const round = v => Math.round(v * 1e6) / 1e6
    return { volume: round(r.volume()), area: round(r.surfaceArea()), tris: r.numTri(), genus: r.genus() }`,
  'sqlite-wasm': `
    import sqlite3InitModule from '@sqlite.org/sqlite-wasm'
    const sqlite3 = await sqlite3InitModule({ print: () => {}, printErr: () => {} })
    const db = new sqlite3.oo1.DB(':memory:')
    db.exec('create table t(a integer, b text)')
    for (let i = 0; i < 50; i++) db.exec({ sql: 'insert into t values(?, ?)', bind: [i * 7 % 13, 'row' + i] })
    db.createFunction('twice', (_c, x) => x * 2, { arity: 1, deterministic: true })
    return { ver: sqlite3.capi.sqlite3_libversion(), rows: db.selectArrays('select a, twice(a), b from t where a > 5 order by a desc, b limit 5') }`,
  'jsquash-webp': `
    import encode from '@jsquash/webp/encode.js'
    import decode from '@jsquash/webp/decode.js'
    const w = 48, h = 32, data = new Uint8ClampedArray(w * h * 4)
    for (let i = 0; i < w * h; i++) data.set([(i * 7) & 255, (i >> 3) & 255, (i * 13 + 5) & 255, 255], i * 4)
    const lossy = new Uint8Array(await encode(new ImageData(data, w, h), { quality: 60 }))
    const back = await decode(lossy.buffer)
    let s = 0; for (const b of back.data) s = (s * 31 + b) >>> 0
    return { lossy: lossy.length, back: s }`,
  harfbuzzjs: `
    import * as hb from 'harfbuzzjs'
    const bytes = new Uint8Array(await (await fetch(window.__font)).arrayBuffer())
    const font = new hb.Font(new hb.Face(new hb.Blob(bytes), 0))
    const buf = new hb.Buffer(); buf.addText('Office affine Wave'); buf.guessSegmentProperties(); hb.shape(font, buf)
    return { version: hb.versionString(), glyphs: buf.getGlyphInfosAndPositions().map(g => g.codepoint + '+' + g.xAdvance).join(' ') }`,
  'opencv-js': `
    import cvModule from '@techstark/opencv-js'
    let cv = cvModule
    if (cv instanceof Promise) cv = await cv; else if (!cv.Mat) await new Promise(r => { cv.onRuntimeInitialized = r })
    const m = new cv.Mat(64, 80, cv.CV_8UC1)
    for (let y = 0; y < 64; y++) for (let x = 0; x < 80; x++) m.ucharPtr(y, x)[0] = ((x - 40) ** 2 + (y - 32) ** 2 < 400) ? 220 : (x * 3 + y) & 63
    const blur = new cv.Mat(), edges = new cv.Mat()
    cv.GaussianBlur(m, blur, new cv.Size(5, 5), 1.2); cv.Canny(blur, edges, 50, 150)
    return { nz: cv.countNonZero(edges) }`,
  'web-tree-sitter': `
    import { Parser, Language } from 'web-tree-sitter'
    await Parser.init()
    const L = await Language.load(window.__grammar)
    const parser = new Parser(); parser.setLanguage(L)
    return { sexp: parser.parse('function f(a, b) { return a.map(x => x * b) }').rootNode.toString() }`,
}

function appSource(id) {
  const body = APPS[id]
  const imports = body
    .split('\n')
    .filter(l => /^\s*import /.test(l))
    .map(l => l.trim())
    .join('\n')
  const rest = body
    .split('\n')
    .filter(l => !/^\s*import /.test(l))
    .join('\n')
  return `${imports}\nasync function main() {${rest}\n}\nmain().then(r => { globalThis.__corpusResult = JSON.stringify(r) }, e => { globalThis.__corpusError = String(e && e.stack || e) })\n`
}

const MIME = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.ttf': 'font/ttf',
}

async function serve(dir, extra = {}) {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname)
    const headers = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' }
    if (extra[path]) {
      res.writeHead(200, { ...headers, 'Content-Type': 'application/octet-stream' }).end(readFileSync(extra[path]))
      return
    }
    const file = normalize(join(dir, path === '/' ? 'index.html' : path))
    if (!file.startsWith(dir) || !existsSync(file)) {
      res.writeHead(404).end('not found')
      return
    }
    res.writeHead(200, { ...headers, 'Content-Type': MIME[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file))
  })
  await new Promise(r => server.listen(0, '127.0.0.1', r))
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise(r => server.close(r)) }
}

async function buildVite(proj, out, withPlugin) {
  const { build } = await import('vite')
  const plugins = []
  if (withPlugin) plugins.push((await import(pathToFileURL(join(REPO, 'dist', 'vite.js')).href)).default())
  writeFileSync(
    join(proj, 'index.html'),
    '<!doctype html><html><head><meta charset="utf-8"></head><body><script type="module" src="./main.js"></script></body></html>',
  )
  const warnings = []
  const keep = m => void warnings.push(String(m))
  const quiet = () => {}
  await build({
    root: proj,
    configFile: false,
    logLevel: 'warn',
    customLogger: { info: quiet, warn: keep, warnOnce: keep, error: quiet, clearScreen: quiet, hasErrorLogged: () => false, hasWarned: false },
    plugins,
    build: { outDir: out, emptyOutDir: true, target: 'esnext', minify: false },
    worker: { format: 'es' },
    optimizeDeps: { noDiscovery: true },
  })
  return warnings
}

async function buildWebpack(proj, out, withPlugin) {
  const { default: webpack } = await import('webpack')
  // Glue with a Node branch imports node:module etc.: strip the scheme, resolve.fallback empties them.
  const plugins = [
    new webpack.NormalModuleReplacementPlugin(/^node:/, r => {
      r.request = r.request.replace(/^node:/, '')
    }),
  ]
  if (withPlugin) plugins.push((await import(pathToFileURL(join(REPO, 'dist', 'webpack.js')).href)).default())
  const compiler = webpack({
    mode: 'production',
    context: proj,
    entry: './main.js',
    target: 'web',
    output: { path: out, filename: 'main.js', publicPath: 'auto', clean: true, chunkFormat: 'module', module: true },
    experiments: { outputModule: true, topLevelAwait: true, asyncWebAssembly: true },
    resolve: {
      fallback: {
        fs: false,
        path: false,
        crypto: false,
        url: false,
        module: false,
        worker_threads: false,
        perf_hooks: false,
        os: false,
        child_process: false,
        'node:fs': false,
        'node:path': false,
        'node:url': false,
        'node:module': false,
        'node:crypto': false,
        'node:worker_threads': false,
      },
    },
    externalsPresets: {},
    optimization: { minimize: false },
    // Size hints on: an asset the plugin adds or grows must not make a warning the stock build lacks.
    performance: { hints: 'warning' },
    plugins,
  })
  const stats = await new Promise((res, rej) => compiler.run((e, s) => (e ? rej(e) : res(s))))
  await new Promise(r => compiler.close(r))
  if (stats.hasErrors())
    throw new Error(
      stats
        .toJson({ all: false, errors: true })
        .errors.map(e => e.message.split('\n').slice(0, 3).join(' '))
        .slice(0, 2)
        .join(' || '),
    )
  writeFileSync(
    join(out, 'index.html'),
    '<!doctype html><html><head><meta charset="utf-8"></head><body><script type="module" src="./main.js"></script></body></html>',
  )
  return stats.toJson({ all: false, warnings: true }).warnings.map(w => String(w.message ?? w))
}

/**
 * A warning as it compares between a stock build and one with the plugin:
 * content hashes, sizes, colours and the plugin's asset query left out (they
 * differ whenever the wasm was rewritten, whatever the warning says).
 */
function comparable(warning) {
  return (
    stripVTControlCharacters(warning)
      .split('\n')
      // A code frame's lines (Rolldown's), which show where, not what.
      .filter(l => !/^\s*(\d+\s*)?[│╭╰─·]/.test(l))
      .join('\n')
      .replace(/\?fpcast-trampoline-asset=[^\s)]*/g, '')
      // webpack names a wasm asset by its hash alone, the plugin by its name and hash; chunk ids move.
      .replace(/[\w.-]+\.wasm\b/g, '<wasm>')
      .replace(/\b\d+\.main\.js\b/g, '<chunk>.main.js')
      .replace(/\+ \d+ modules?/g, '+ <n> modules')
      .replace(/[-.][0-9a-zA-Z_]{8,}(?=\.\w+\b)/g, '.<hash>')
      .replace(/\(\d[\d.,]* ?[kKMG]?i?B\)/g, '(<size>)')
      .replace(/\d[\d.,]* ?[kKMG]i?B/g, '<size>')
      .trim()
  )
}

/** Warnings of the build with the plugin that the stock build of the same bundler does not print (as comparable() sees them). */
function newWarnings(stock, ours) {
  const left = stock.map(comparable)
  const extra = []
  for (const w of ours.map(comparable)) {
    const i = left.indexOf(w)
    if (i >= 0) left.splice(i, 1)
    else extra.push(w)
  }
  return extra
}

/** Whether the JS of a build embeds a wasm (base64), and whether it is a rewritten one (it carries our custom section). */
function embeddedWasmState(out) {
  let state = 'none'
  for (const name of readdirSync(out, { recursive: true, encoding: 'utf8' })) {
    if (!/\.[cm]?js$/.test(name)) continue
    const text = readFileSync(join(out, name), 'utf8')
    for (const m of text.matchAll(/AGFzbQ[A-Za-z0-9+/]+=*/g)) {
      if (m[0].length < 1000) continue
      state = Buffer.from(m[0], 'base64').includes(Buffer.from('fpcast_trampoline')) ? 'rewritten' : state === 'rewritten' ? state : 'stock'
    }
  }
  return state
}

async function runPage(browser, url, font) {
  const page = await browser.newPage()
  const wasm = [],
    problems = []
  page.on('response', async r => {
    if (/\.wasm(\?|$)/.test(r.url()) && !r.url().includes('/__')) {
      try {
        wasm.push(sha(await r.body()))
      } catch {}
    }
  })
  page.on('pageerror', e => problems.push(`pageerror: ${e.message}`))
  try {
    await page.addInitScript(`window.__font = window.__grammar = ${JSON.stringify(font ?? '')}`)
    await page.goto(url)
    await page.waitForFunction('globalThis.__corpusResult || globalThis.__corpusError', undefined, { timeout: 60_000 })
    const [result, error] = await page.evaluate('[globalThis.__corpusResult, globalThis.__corpusError]')
    return { result: result ?? null, error: error ? error.split('\n').slice(0, 2).join(' | ') : undefined, wasm, problems }
  } catch (e) {
    return { result: null, error: String(e.message).split('\n')[0], wasm, problems }
  } finally {
    await page.close()
  }
}

async function main() {
  const { chromium } = await import('playwright-core')
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--headless', '--disable-gpu'] })
  const rows = []
  for (const id of Object.keys(APPS)) {
    if (only && !only.includes(id)) continue
    const pkg = PACKAGES.find(p => p.id === id)
    const dir = join(
      CACHE,
      pkg.install
        .join(' ')
        .replace(/[@/ ]+/g, '_')
        .replace(/^_/, '')
        .slice(0, 120),
    )
    if (!existsSync(join(dir, '.corpus-installed'))) {
      rows.push({ id, verdict: 'not installed: run corpus/run.mjs first', pass: false })
      continue
    }
    const proj = join(dir, `web-${id}`)
    rmSync(proj, { recursive: true, force: true })
    mkdirSync(proj, { recursive: true })
    writeFileSync(join(proj, 'main.js'), appSource(id))
    writeFileSync(join(proj, 'package.json'), '{"type":"module","private":true}')
    // Data files the app fetches by URL, served beside the bundle (the grammar: stock, not rewritten).
    const font = id === 'harfbuzzjs' ? '/__font.ttf' : id === 'web-tree-sitter' ? '/__grammar.wasm' : undefined
    const extra =
      id === 'harfbuzzjs'
        ? { '/__font.ttf': join(dir, 'node_modules/dejavu-fonts-ttf/ttf/DejaVuSans.ttf') }
        : id === 'web-tree-sitter'
          ? { '/__grammar.wasm': join(dir, 'node_modules/tree-sitter-javascript/tree-sitter-javascript.wasm') }
          : {}
    const row = { id, builds: {} }
    for (const [bundler, fn] of [
      ['vite', buildVite],
      ['webpack', buildWebpack],
    ]) {
      for (const plugin of [false, true]) {
        const key = `${bundler}${plugin ? '+plugin' : ''}`
        const out = join(proj, `dist-${key.replace('+', '-')}`)
        const t0 = performance.now()
        let warnings
        try {
          warnings = await fn(proj, out, plugin)
        } catch (e) {
          row.builds[key] = {
            error:
              'build: ' +
              String(e.message ?? e)
                .split('\n')
                .slice(0, 2)
                .join(' ')
                .slice(0, 400),
          }
          log(id, key, row.builds[key].error)
          continue
        }
        const buildMs = Math.round(performance.now() - t0)
        const srv = await serve(out, extra)
        const r = await runPage(browser, `${srv.url}/`, font)
        await srv.close()
        row.builds[key] = { buildMs, ...r, embedded: embeddedWasmState(out), warnings }
        log(id, key, r.error ?? r.result?.slice(0, 120), 'wasm', r.wasm.join(','))
      }
    }
    const b = row.builds
    const base = b.vite?.result ?? b.webpack?.result
    const stockWasm = new Set([...(b.vite?.wasm ?? []), ...(b.webpack?.wasm ?? [])])
    const problems = []
    for (const [k, v] of Object.entries(b)) {
      if (v.error) problems.push(`${k}: ${v.error}`)
      else if (v.result !== base) problems.push(`${k}: differs: ${v.result}`)
      // A single-file build fetches no wasm: its bundle must embed the rewritten one.
      else if (k.endsWith('+plugin') && !v.wasm.length && v.embedded !== 'rewritten')
        problems.push(`${k}: no wasm fetched, and the bundle embeds ${v.embedded === 'stock' ? 'the stock wasm' : 'none'}`)
      else if (k.endsWith('+plugin') && v.wasm.some(h => stockWasm.has(h))) problems.push(`${k}: fetched stock wasm (${v.wasm.join(',')})`)
      if (k.endsWith('+plugin') && !v.error) {
        const stock = b[k.replace('+plugin', '')]
        const extra = stock?.warnings ? newWarnings(stock.warnings, v.warnings) : []
        if (extra.length) problems.push(`${k}: warns what the stock build does not: ${extra.map(w => w.split('\n')[0]).join(' / ')}`)
      }
    }
    row.pass = !!base && !problems.length
    row.verdict = row.pass ? 'identical in Chromium: vite, vite+plugin, webpack, webpack+plugin; no warning the stock builds lack' : problems.join('; ')
    rows.push(row)
    log(id, row.pass ? 'PASS' : 'FAIL', row.verdict)
  }
  await browser.close()
  if (!args.includes('--no-write')) {
    writeFileSync(join(HERE, 'browser-results.json'), `${JSON.stringify(rows, null, 1)}\n`)
    const L = [
      '# Corpus in Chromium (Vite and webpack builds, with and without the plugin)',
      '',
      'Generated by `node corpus/browser.mjs`.',
      '',
      '| package | vite | vite+plugin | webpack | webpack+plugin | verdict |',
      '| --- | --- | --- | --- | --- | --- |',
    ]
    const cell = v =>
      !v
        ? '-'
        : v.error
          ? `❌ ${v.error.replace(/\|/g, '\\|').slice(0, 200)}`
          : `${v.result?.slice(0, 60).replace(/\|/g, '\\|')} (wasm ${v.wasm.join(',') || 'none'})`
    for (const r of rows)
      L.push(
        `| ${r.id} | ${cell(r.builds?.vite)} | ${cell(r.builds?.['vite+plugin'])} | ${cell(r.builds?.webpack)} | ${cell(r.builds?.['webpack+plugin'])} | ${r.pass ? '✅' : '❌'} ${r.verdict.replace(/\|/g, '\\|').slice(0, 600)} |`,
      )
    writeFileSync(join(HERE, 'browser-results.md'), `${L.join('\n')}\n`)
  }
  console.log(rows.map(r => `${r.pass ? 'PASS' : 'FAIL'}  ${r.id.padEnd(16)} ${r.verdict}`).join('\n'))
  process.exitCode = rows.every(r => r.pass) ? 0 : 1
}

await main()
