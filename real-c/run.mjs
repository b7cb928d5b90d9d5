#!/usr/bin/env node
/**
 * npm run real-c [-- --only pd,libhx] [--tests <regex>] [--jobs N] [--no-write]
 *
 * Real C projects whose own test programs trap stock with "function signature
 * mismatch": each is built (real-c/<lib>/build.sh, outputs cached under
 * $FPCAST_REAL_C_CACHE or ~/.cache/fpcast-real-c) stock, with
 * -sEMULATE_FUNCTION_POINTER_CASTS, and stock through our CLI, and its tests
 * run under each on this Node (run it with Node 20). One line per library:
 *
 *   PASS <lib>: <n> tests; passed native <a> / stock <b> / EMULATE <c> / ours <d>; ...
 *
 * A library passes when stock traps in at least one test and ours passes
 * every test that passes under EMULATE or stock (tests that pass natively but
 * under no wasm build are listed as depending on what Emscripten lacks). Exit status: non-zero if any library fails.
 * Writes real-c/results.md and <cache>/results.json (not with --no-write).
 */
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir, cpus, loadavg } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'

const HERE = dirname(fileURLToPath(import.meta.url))
const CACHE = process.env.FPCAST_REAL_C_CACHE || join(process.env.HOME || '/root', '.cache', 'fpcast-real-c')
const LIBS = ['libhx', 'pd', 'glib']
const VARIANTS = ['stock', 'emulate', 'ours']
const TRAP = /function signature mismatch|RuntimeError: unreachable|incompatible indirect call/

const { values: opts } = parseArgs({
  options: {
    only: { type: 'string' },
    jobs: { type: 'string', default: '2' },
    'no-write': { type: 'boolean', default: false },
    tests: { type: 'string' },
  },
})
const only = opts.only ? opts.only.split(',') : LIBS
const jobs = Math.max(1, Number(opts.jobs) || 1)

function run(cmd, args, { cwd, env, timeoutMs }) {
  return new Promise(resolve => {
    const t0 = process.hrtime.bigint()
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    const out = []
    const err = []
    let size = 0
    const keep = arr => d => {
      if (size < 4 << 20) arr.push(d)
      size += d.length
    }
    child.stdout.on('data', keep(out))
    child.stderr.on('data', keep(err))
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, timeoutMs)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      const ms = Number(process.hrtime.bigint() - t0) / 1e6
      resolve({
        code,
        signal,
        timedOut,
        ms,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      })
    })
  })
}

async function pool(items, n, fn) {
  const results = new Array(items.length)
  let next = 0
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) {
        const i = next++
        results[i] = await fn(items[i], i)
      }
    }),
  )
  return results
}

function wasmBytes(dir) {
  if (!existsSync(dir)) return 0
  let total = 0
  for (const f of readdirSync(dir)) if (f.endsWith('.wasm')) total += statSync(join(dir, f)).size
  return total
}

/** Runs one test under native (if the library has one), the three variants and diagnostics. */
async function runTest(lib, test, profDir) {
  const r = { name: test.name }
  const judge = (res, reference) => {
    const trapped = TRAP.test(res.stderr) || TRAP.test(res.stdout)
    let ok = res.code === 0 && !res.timedOut && !trapped
    if (ok && reference !== undefined && test.compare === 'output') ok = lib.normalize(res) === reference
    return { ok, trapped, code: res.code, timedOut: res.timedOut, ms: res.ms }
  }
  let reference
  if (lib.native) {
    const args = lib.native(test)
    const a = await run(args[0], args.slice(1), test)
    r.native = judge(a)
    if (test.compare === 'output') {
      const b = await run(args[0], args.slice(1), test)
      // An output that changes from run to run (timers, random seeds) is judged by exit status alone.
      if (lib.normalize(a) === lib.normalize(b)) reference = lib.normalize(a)
      else r.nondeterministic = true
    }
  }
  for (const v of VARIANTS) {
    const res = await run(process.execPath, [join(lib.out, v, `${test.prog}.js`), ...test.args], test)
    r[v] = judge(res, reference)
    if (v === 'ours' && !r[v].ok) r.oursTail = (res.stderr || res.stdout).split('\n').slice(-4).join('\n')
  }
  const prof = join(profDir, `${test.name.replace(/[^\w.-]/g, '_')}.json`)
  const d = await run(process.execPath, [join(lib.out, 'diag', `${test.prog}.js`), ...test.args], {
    ...test,
    env: { ...test.env, FPCAST_PROFILE: prof },
  })
  r.diag = judge(d, reference)
  r.sites = existsSync(prof) ? JSON.parse(readFileSync(prof, 'utf8')).sites : []
  return r
}

function summarize(name, lib, results, buildMs) {
  const count = v => results.filter(r => r[v]?.ok).length
  const tests = results.length
  const stockTraps = results.filter(r => r.stock.trapped).length
  // Ours must pass whatever passes under EMULATE or stock. A test that passes
  // natively but under neither EMULATE nor ours needs what Emscripten lacks or
  // does differently: listed, not held against ours.
  const regressions = results.filter(r => !r.ours.ok && (r.emulate.ok || r.stock.ok))
  const notOnWasm = results.filter(r => r.native?.ok && !r.emulate.ok && !r.ours.ok)
  const sum = (v, pick) => results.filter(pick).reduce((s, r) => s + r[v].ms, 0)
  const both = (a, b) => r => r[a].ok && r[b].ok
  const time = {
    oursVsStock: { tests: results.filter(both('ours', 'stock')).length, ours: sum('ours', both('ours', 'stock')), stock: sum('stock', both('ours', 'stock')) },
    oursVsEmulate: {
      tests: results.filter(both('ours', 'emulate')).length,
      ours: sum('ours', both('ours', 'emulate')),
      emulate: sum('emulate', both('ours', 'emulate')),
    },
  }
  const size = Object.fromEntries(VARIANTS.map(v => [v, wasmBytes(join(lib.out, v))]))
  // Adapted sites: the same library function's n-th call_indirect in every test program.
  const sites = new Map()
  for (const r of results)
    for (const s of r.sites) {
      const key = `${s.function ?? s.site.split('#')[0]}#${s.site.split('#')[1]}`
      const e = sites.get(key) ?? { site: key, count: 0, pairs: new Set(), tests: new Set() }
      e.count += s.count
      e.pairs.add(`${s.expected} <- ${s.actual}`)
      e.tests.add(r.name)
      sites.set(key, e)
    }
  const siteList = [...sites.values()].sort((a, b) => b.count - a.count).map(e => ({ site: e.site, count: e.count, pairs: [...e.pairs], tests: e.tests.size }))
  const pass = stockTraps > 0 && regressions.length === 0
  return {
    name,
    title: lib.title,
    pass,
    tests,
    passed: { native: lib.native ? count('native') : null, stock: count('stock'), emulate: count('emulate'), ours: count('ours'), diag: count('diag') },
    stockTraps,
    regressions: regressions.map(r => ({ test: r.name, tail: r.oursTail })),
    notOnWasm: notOnWasm.map(r => r.name),
    time,
    size,
    sites: siteList,
    buildMs,
    results,
    // Which run: results.md keeps each library's last one.
    run: { at: new Date().toISOString(), commit: gitCommit(), node: process.version, argv: process.argv.slice(2).join(' ') },
  }
}

function gitCommit() {
  const r = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: HERE, encoding: 'utf8' })
  return r.status === 0 ? r.stdout.trim() : 'unknown'
}

function line(s) {
  const p = s.passed
  const ratio = (a, b) => (b ? (a / b).toFixed(2) : 'n/a')
  const t = s.time
  return (
    `${s.pass ? 'PASS' : 'FAIL'} ${s.name}: ${s.tests} tests; passed ${p.native === null ? '' : `native ${p.native} / `}` +
    `stock ${p.stock} / EMULATE ${p.emulate} / ours ${p.ours}; stock trapped in ${s.stockTraps}; ` +
    `time ours/stock ${ratio(t.oursVsStock.ours, t.oursVsStock.stock)} (${t.oursVsStock.tests} tests), ` +
    `ours/EMULATE ${ratio(t.oursVsEmulate.ours, t.oursVsEmulate.emulate)} (${t.oursVsEmulate.tests}); ` +
    `wasm ours/stock ${ratio(s.size.ours, s.size.stock)}, ours/EMULATE ${ratio(s.size.ours, s.size.emulate)}; ` +
    `${s.sites.length} sites adapted` +
    (s.notOnWasm.length ? `; native only (EMULATE and ours fail alike): ${s.notOnWasm.join(', ')}` : '') +
    (s.regressions.length ? `; ours fails: ${s.regressions.map(r => r.test).join(', ')}` : '')
  )
}

/** A library's results from an earlier run, or null. */
function readCached(name) {
  const file = join(CACHE, `results-${name}.json`)
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null
}

const t0 = Date.now()
const summaries = []
let failed = false
for (const name of only) {
  if (!LIBS.includes(name)) {
    console.log(`FAIL ${name}: no such library (${LIBS.join(', ')})`)
    failed = true
    continue
  }
  const b0 = Date.now()
  mkdirSync(CACHE, { recursive: true })
  const logFile = join(CACHE, `${name}-build.log`)
  const b = spawnSync('bash', [join(HERE, name, 'build.sh')], { encoding: 'utf8', env: process.env, maxBuffer: 64 << 20 })
  writeFileSync(logFile, `${b.stdout}${b.stderr}`)
  const buildMs = Date.now() - b0
  if (b.status !== 0) {
    console.log(`FAIL ${name}: build failed (${logFile}): ${(b.stderr || '').trim().split('\n').pop()}`)
    failed = true
    continue
  }
  const lib = (await import(pathToFileURL(join(HERE, name, 'lib.mjs')).href)).default({ cache: join(CACHE, name) })
  const profDir = mkdtempSync(join(tmpdir(), `realc-${name}-`))
  const selected = opts.tests ? lib.tests.filter(t => new RegExp(opts.tests).test(t.name)) : lib.tests
  const results = await pool(selected, jobs, t => runTest(lib, t, profDir))
  rmSync(profDir, { recursive: true, force: true })
  const s = summarize(name, lib, results, buildMs)
  summaries.push(s)
  writeFileSync(join(CACHE, `results-${name}.json`), `${JSON.stringify(s, null, 1)}\n`)
  if (!s.pass) failed = true
  console.log(line(s))
}
const totalMs = Date.now() - t0

if (!opts['no-write'] && summaries.length) {
  const machine = `${cpus().length} cores (${cpus()[0]?.model ?? '?'}), load ${loadavg()
    .map(x => x.toFixed(1))
    .join(' ')} at the end`
  writeFileSync(join(CACHE, 'results.json'), `${JSON.stringify({ node: process.version, totalMs, summaries }, null, 1)}\n`)
  // Every library's last results, this run's and the cached ones of libraries it did not run (--only).
  const last = LIBS.map(name => summaries.find(s => s.name === name) ?? readCached(name)).filter(Boolean)
  writeFileSync(join(HERE, 'results.md'), (await import('./lib/report.mjs')).report({ summaries: last, totalMs, machine, argv: process.argv.slice(2) }))
}
console.log(`real-c: ${summaries.filter(s => s.pass).length}/${only.length} libraries pass (${(totalMs / 1000).toFixed(0)} s)`)
process.exit(failed ? 1 : 0)
