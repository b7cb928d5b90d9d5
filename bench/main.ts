// The benchmark instrument (issue 4). Run with `npm run bench` (bench/run.mjs
// bundles this file with esbuild and runs it with plain Node). See
// bench/README.md for what is measured and how to read it.
//
//   npm run bench                          everything, writes bench/results.{md,json} and bench/chart.svg
//   npm run bench -- --quick               fewer repetitions (a smoke run; numbers are rough)
//   npm run bench -- --only c,pyodide,build
//   npm run bench -- --engines node20,node24,chromium
//   npm run bench -- --out /tmp/bench      write the results elsewhere
//   npm run bench -- --from bench/results.json   re-render results.md and chart.svg only
import { spawn } from 'node:child_process'
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { transformGlue, transformWasm } from '../src/core/index.ts'
import setupEngines from '../test/helpers/global-setup.ts'
import { NODE24 } from '../test/helpers/engines.ts'
import { PYODIDE_DIR, runPyodide, stockGlue, stockWasm } from '../test/pyodide/run.ts'
import { untrampolineWithReport } from '../test/pyodide/untrampoline.ts'
import { chromiumAvailable, launchChromium } from './lib/chromium.ts'
import { currentLoad, emccVersion, git, machine } from './lib/machine.ts'
import { writeReport } from './lib/report.ts'
import { serve } from './lib/server.ts'
import { C_WORKLOADS } from './harness/c-harness.js'

// ---- where things are ---------------------------------------------------------
const BENCH = resolve(process.env.FPCAST_BENCH_DIR ?? dirname(fileURLToPath(import.meta.url)))
const ROOT = resolve(BENCH, '..')
const OUT = join(BENCH, '.out')
const JS = join(OUT, 'js') // this file and build-child, bundled by run.mjs
const RUNTIME = join(ROOT, 'src/runtime/runtime.js')

// ---- options -----------------------------------------------------------------
const argv = process.argv.slice(2)
const flag = (name: string) => argv.includes(`--${name}`)
const opt = (name: string) => {
  const i = argv.indexOf(`--${name}`)
  return i >= 0 ? argv[i + 1] : argv.find(a => a.startsWith(`--${name}=`))?.slice(name.length + 3)
}
const QUICK = flag('quick')
const ONLY = new Set((opt('only') ?? 'c,pyodide,build').split(','))
const ENGINES = new Set((opt('engines') ?? 'node20,node24,chromium').split(','))
const RESULTS_DIR = resolve(opt('out') ?? BENCH)

/** The strategies we ship; each gets its own column. `js` is the seed approach (Pyodide's JS trampoline at every site), kept as a baseline. */
const STRATEGIES = ['shadow'] as const
/** The C variant made with `dispatchBudget: Infinity` (no target row of its own: the targets are the defaults'). */
const ALL_DISPATCH = 'shadow-all'

const C_CONFIG = {
  // Fresh processes (pages) per engine: between processes the same code can differ by 5-10% (code
  // placement, tiering), more than within one, so samples come from several and the minimum is over all.
  processes: QUICK ? 1 : 3,
  reps: 3,
  minReps: 1,
  maxMsPerVariant: QUICK ? 1500 : 1500,
  workloads: C_WORKLOADS,
}
const PY_ROUNDS = QUICK ? 1 : 5
/** Extra load-only processes per variant in Node, for memory: RSS after load moves ±8% between fresh processes. */
const MEM_ROUNDS = QUICK ? 0 : 6
const PY_REPS = QUICK ? 2 : 5
const BUILD_ROUNDS = QUICK ? 1 : 3
const DEPTH_RUNS = QUICK ? 1 : 3

// ---- helpers -----------------------------------------------------------------
const t0 = performance.now()
const log = (s: string) => process.stdout.write(`[bench ${((performance.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${s}\n`)

/** Runs a child process and parses the JSON object it prints last on stdout. */
function runJson(bin: string, args: string[], opts: { timeoutMs?: number } = {}): Promise<any> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(bin, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', b => out.push(b))
    child.stderr.on('data', b => err.push(b))
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 600_000)
    child.on('error', reject)
    child.on('close', code => {
      clearTimeout(timer)
      const stdout = Buffer.concat(out).toString('utf8').trim()
      const stderr = Buffer.concat(err).toString('utf8')
      if (code !== 0) return reject(new Error(`${bin} ${args.join(' ')} exited ${code}\n${stderr.slice(-3000)}`))
      try {
        resolvePromise(JSON.parse(stdout.slice(stdout.lastIndexOf('\n') + 1)))
      } catch (e) {
        reject(new Error(`${bin} ${args.join(' ')}: no JSON on stdout (${(e as Error).message})\n${stdout.slice(-1000)}\n${stderr.slice(-2000)}`))
      }
    })
  })
}

function nodeVersion(bin: string): Promise<string> {
  return new Promise(res => {
    const c = spawn(bin, ['--version'])
    let s = ''
    c.stdout.on('data', b => (s += b))
    c.on('close', () => res(s.trim().replace(/^v/, '')))
  })
}

const gz = (b: Uint8Array) => gzipSync(b, { level: 9 }).length

interface Engine {
  key: 'node20' | 'node24' | 'chromium'
  label: string
  version: string
  wasmGc: boolean
  bin?: string
}

// ---- main --------------------------------------------------------------------
async function main() {
  const from = opt('from')
  if (from) {
    // Re-render results.md and chart.svg from an earlier results.json (no measurement).
    const results = JSON.parse(readFileSync(resolve(from), 'utf8'))
    mkdirSync(RESULTS_DIR, { recursive: true })
    process.stdout.write(`${writeReport(results, RESULTS_DIR).table}\n`)
    return
  }
  mkdirSync(OUT, { recursive: true })
  const results: any = {
    meta: {
      date: new Date().toISOString(),
      command: `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`,
      git: git(ROOT),
      machine: machine(),
      quick: QUICK,
      hostNode: process.versions.node,
      config: {
        c: C_CONFIG,
        pyodide: { rounds: PY_ROUNDS, memoryRounds: MEM_ROUNDS, reps: PY_REPS, depthRuns: DEPTH_RUNS },
        buildRounds: BUILD_ROUNDS,
        strategies: STRATEGIES,
      },
      binaryen: JSON.parse(readFileSync(join(ROOT, 'node_modules/binaryen/package.json'), 'utf8')).version,
      emcc: emccVersion(join(BENCH, 'build')),
      pyodide: JSON.parse(readFileSync(join(PYODIDE_DIR, 'package.json'), 'utf8')).version,
    },
    c: null,
    pyodide: null,
  }
  // The 1-minute load average every 5 s while measuring: other work on the machine shows up here.
  const loadSamples: number[] = []
  const sampler = setInterval(() => loadSamples.push(currentLoad()[0]), 5000)
  sampler.unref()
  log(`machine: ${results.meta.machine.cpu}, ${results.meta.machine.cores} cores, load ${results.meta.machine.loadStart.join(' ')}`)

  // Engines.
  const engines: Engine[] = []
  setupEngines() // installs Node 24 from the npm registry once (as the tests do); test/pyodide/reference.ts needs it
  if (ENGINES.has('node20')) engines.push({ key: 'node20', label: '', version: process.versions.node, wasmGc: false, bin: process.execPath })
  if (ENGINES.has('node24')) {
    const v = await nodeVersion(NODE24)
    engines.push({ key: 'node24', label: '', version: v, wasmGc: true, bin: NODE24 })
  }
  if (ENGINES.has('chromium')) {
    if (!chromiumAvailable()) throw new Error('Chromium is not at /usr/bin/chromium (set CHROMIUM_PATH, or pass --engines node20,node24)')
    const b = await launchChromium()
    engines.push({ key: 'chromium', label: '', version: b.version(), wasmGc: true })
    await b.close()
  }
  for (const e of engines) {
    const major = e.version.split('.')[0]
    e.label = e.key === 'chromium' ? `Chromium ${major}` : `Node ${major}`
    e.label += e.wasmGc ? '' : ' (no wasm-gc)'
  }
  if (process.versions.node.split('.')[0] !== '20' && ENGINES.has('node20')) log(`note: the host node is ${process.versions.node}, not 20`)
  results.meta.engines = engines.map(({ key, label, version, wasmGc }) => ({ key, label, version, wasmGc }))

  if (ONLY.has('c')) results.c = await benchC(engines)
  if (ONLY.has('pyodide') || ONLY.has('build')) results.pyodide = await benchPyodide(engines)

  clearInterval(sampler)
  results.meta.machine.loadEnd = currentLoad()
  results.meta.machine.loadDuring = loadSamples.length
    ? { mean: Math.round((loadSamples.reduce((a, b) => a + b, 0) / loadSamples.length) * 100) / 100, max: Math.max(...loadSamples), samples: loadSamples }
    : null
  results.meta.durationS = (performance.now() - t0) / 1000
  mkdirSync(RESULTS_DIR, { recursive: true })
  const { table } = writeReport(results, RESULTS_DIR)
  log(`wrote ${join(RESULTS_DIR, 'results.md')}, results.json, chart.svg in ${results.meta.durationS.toFixed(0)} s`)
  process.stdout.write(`\n${table}\n`)
}

// ---- W1-W3: C workloads ------------------------------------------------------
async function benchC(engines: Engine[]) {
  const dir = join(OUT, 'c')
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  const stock = new Uint8Array(readFileSync(join(BENCH, 'build/stock.wasm')))
  const emulate = new Uint8Array(readFileSync(join(BENCH, 'build/emulate.wasm')))
  copyFileSync(join(BENCH, 'build/stock.wasm'), join(dir, 'stock.wasm'))
  copyFileSync(join(BENCH, 'build/emulate.wasm'), join(dir, 'emulate.wasm'))
  const build: Record<string, any> = {
    stock: { size: stock.length, gzip: gz(stock) },
    emulate: { size: emulate.length, gzip: gz(emulate) },
  }
  const variants = [
    { name: 'stock', file: join(dir, 'stock.wasm'), runtime: false },
    { name: 'emulate', file: join(dir, 'emulate.wasm'), runtime: false },
  ]
  // Every strategy with its defaults; then the default one with every adapter's br_table (dispatchBudget: Infinity;
  // the default budget leaves W2 hard's 265 functions out of this small module), for what that option buys and costs.
  const made = [
    ...(['js', ...STRATEGIES] as const).map(strategy => ({ name: strategy, options: { strategy } })),
    { name: ALL_DISPATCH, options: { strategy: 'shadow', dispatchBudget: Infinity } as const },
  ]
  for (const { name, options } of made) {
    const t = performance.now()
    const { wasm, report } = transformWasm(stock, { ...options, fileName: 'stock.wasm' })
    const ms = performance.now() - t
    writeFileSync(join(dir, `${name}.wasm`), wasm)
    build[name] = {
      size: wasm.length,
      gzip: gz(wasm),
      transformMs: ms,
      sites: report.sites,
      adapters: report.adapters,
      shadowTables: report.shadowTables,
      primedFunctions: report.primedFunctions,
      dispatch: report.dispatch,
    }
    variants.push({ name, file: join(dir, `${name}.wasm`), runtime: true })
  }
  log(`C variants: ${variants.map(v => `${v.name} ${build[v.name].size} B`).join(', ')}`)

  const config = { ...C_CONFIG, runtime: RUNTIME, variants }
  const configFile = join(dir, 'config.json')
  writeFileSync(configFile, JSON.stringify(config))
  const perEngine: Record<string, any> = {}
  for (const e of engines) {
    const outs = []
    for (let p = 0; p < C_CONFIG.processes; p++) {
      log(`C W1-W3 on ${e.label} (--no-liftoff), ${e.bin ? 'process' : 'page'} ${p + 1}/${C_CONFIG.processes} ...`)
      outs.push(e.bin ? await runJson(e.bin, ['--no-liftoff', join(BENCH, 'harness/c-node.mjs'), configFile]) : await cInChromium(config, dir))
    }
    perEngine[e.key] = mergeC(outs)
  }
  return { build, variants: variants.map(v => v.name), engines: perEngine }
}

/** Samples of several processes as one result; a checksum that differs between processes is kept as an error. */
function mergeC(outs: any[]) {
  const [first, ...rest] = outs
  const merged = structuredClone(first)
  merged.processes = outs.length
  merged.instantiateMs = outs.map(o => o.instantiateMs)
  for (const o of rest) {
    o.results.forEach((w: any, i: number) => {
      w.variants.forEach((v: any, j: number) => {
        const m = merged.results[i].variants[j]
        m.samples.push(...v.samples)
        m.checksumErrors.push(...v.checksumErrors)
        if (v.trapped !== m.trapped) m.checksumErrors.push(`trapped in one process (${v.trapped}) and not in another (${m.trapped})`)
        else if (v.checksum !== m.checksum) m.checksumErrors.push(`process checksum ${v.checksum} != ${m.checksum}`)
      })
    })
  }
  return merged
}

async function cInChromium(config: any, dir: string) {
  const server = await serve({ '/bench/': BENCH, '/runtime/': dirname(RUNTIME), '/c/': dir })
  const browser = await launchChromium(['--no-liftoff'])
  try {
    const page = await browser.newPage()
    const logs: string[] = []
    page.on('console', m => logs.push(m.text()))
    await page.goto(`${server.url}/bench/harness/page.html`)
    const cfg = {
      ...config,
      modules: { harness: '/bench/harness/c-harness.js', runtime: '/runtime/runtime.js' },
      variants: config.variants.map((v: any) => ({ name: v.name, runtime: v.runtime, url: `/c/${v.name}.wasm` })),
    }
    return await page.evaluate(async (cfg: any) => {
      // Module URLs come from the argument: a literal import() would be bundled by esbuild.
      const { runCBench } = await import(cfg.modules.harness)
      const { fpcastRuntime } = await import(cfg.modules.runtime)
      const variants = await Promise.all(
        cfg.variants.map(async (v: any) => ({ name: v.name, runtime: v.runtime, bytes: new Uint8Array(await (await fetch(v.url)).arrayBuffer()) })),
      )
      return runCBench({ ...cfg, variants }, { WA: WebAssembly, runtimeWA: fpcastRuntime(WebAssembly), now: () => performance.now() })
    }, cfg)
  } finally {
    await browser.close()
    await server.close()
  }
}

// ---- W4 and the build side: Pyodide ------------------------------------------
function pyodideDir(name: string, wasm?: Uint8Array, glue?: string): string {
  const dir = join(OUT, 'pyodide', name)
  rmSync(dir, { recursive: true, force: true })
  cpSync(PYODIDE_DIR, dir, { recursive: true })
  if (wasm) writeFileSync(join(dir, 'pyodide.asm.wasm'), wasm)
  if (glue !== undefined) writeFileSync(join(dir, 'pyodide.asm.mjs'), glue)
  // pyodide.mjs imports "ws" on Node: make it resolvable from the copy.
  mkdirSync(join(dir, 'node_modules'))
  symlinkSync(dirname(createRequire(join(PYODIDE_DIR, 'package.json')).resolve('ws/package.json')), join(dir, 'node_modules', 'ws'), 'dir')
  return dir
}

async function benchPyodide(engines: Engine[]) {
  const dir = join(OUT, 'pyodide')
  mkdirSync(dir, { recursive: true })
  const out: any = { build: {}, engines: {} }
  const stock = stockWasm()

  // The input of our transform: stock Pyodide with CPython's own trampoline removed (it traps at start-up).
  log("Pyodide: removing CPython's trampoline (test/pyodide/untrampoline.ts) ...")
  const un = untrampolineWithReport(stock)
  const bareFile = join(dir, 'untrampolined.wasm')
  writeFileSync(bareFile, un.wasm)
  out.build.untrampoline = un.report

  // Build side, each measurement in a fresh process, rounds interleaved.
  const oursFile = join(dir, 'ours.wasm')
  const buildChild = join(JS, 'build-child.mjs')
  const transformRuns: any[] = []
  const binaryenWriterRuns: any[] = []
  const binaryenRuns: any[] = []
  for (let r = 0; r < BUILD_ROUNDS; r++) {
    log(`Pyodide build side, round ${r + 1}/${BUILD_ROUNDS}: transformWasm (copy writer, binaryen writer), then binaryen read+write ...`)
    transformRuns.push(await runJson(process.execPath, [buildChild, 'transform', bareFile, oursFile, 'copy']))
    binaryenWriterRuns.push(await runJson(process.execPath, [buildChild, 'transform', bareFile, join(dir, 'ours-binaryen.wasm'), 'binaryen']))
    binaryenRuns.push(await runJson(process.execPath, [buildChild, 'binaryen', bareFile]))
  }
  out.build.transform = transformRuns
  out.build.transformBinaryenWriter = binaryenWriterRuns
  out.build.binaryenReadWrite = binaryenRuns
  out.build.big = await benchBigModules(buildChild)

  // Cached rebuild through the bundler plugin's store: one cold build fills the cache, then fresh processes hit it.
  const cacheDir = join(dir, 'cache')
  rmSync(cacheDir, { recursive: true, force: true })
  log('Pyodide: plugin store, cold then cached ...')
  const cold = await runJson(process.execPath, [buildChild, 'cached', bareFile, cacheDir])
  const warm = []
  for (let r = 0; r < 3; r++) warm.push(await runJson(process.execPath, [buildChild, 'cached', bareFile, cacheDir]))
  out.build.pluginCold = cold
  out.build.pluginCached = warm

  // Sizes: stock file, our output, EMULATE (binaryen --fpcast-emu on the untrampolined module).
  const ours = new Uint8Array(readFileSync(oursFile))
  out.build.sizes = {
    stock: { size: stock.length, gzip: gz(stock) },
    untrampolined: { size: un.wasm.length, gzip: gz(un.wasm) },
    ours: { size: ours.length, gzip: gz(ours) },
  }
  log('Pyodide: wasm-opt --fpcast-emu (EMULATE_FUNCTION_POINTER_CASTS) for its size ...')
  out.build.sizes.emulate = await fpcastEmu(bareFile, join(dir, 'emulate.wasm'))

  // Glue.
  const tg = performance.now()
  const glue = transformGlue(stockGlue(), { fileName: 'pyodide.asm.mjs' }).code
  out.build.glueMs = performance.now() - tg
  out.build.glueSize = { stock: stockGlue().length, ours: glue.length }

  if (!ONLY.has('pyodide')) return out
  // Imported here, after setupEngines(): reference.ts looks for Node 24 when loaded.
  const { DEPTH_PY } = await import('../test/pyodide/reference.ts')

  // W4: the two variants.
  const dirs = { stock: pyodideDir('stock'), ours: pyodideDir('ours', ours, glue) }
  const workloads = join(BENCH, 'pyodide/workloads.py')
  for (const e of engines) {
    const runs: any[] = []
    for (let r = 0; r < PY_ROUNDS; r++) {
      const order = r % 2 ? (['ours', 'stock'] as const) : (['stock', 'ours'] as const)
      for (const variant of order) {
        log(`W4 ${e.label}: ${variant}, round ${r + 1}/${PY_ROUNDS} ...`)
        const res = e.bin
          ? await runJson(e.bin, ['--expose-gc', join(BENCH, 'pyodide/child.mjs'), dirs[variant], workloads, String(PY_REPS)])
          : await pyodideInChromium(dirs[variant])
        runs.push({ variant, round: r, ...res })
      }
    }
    // Recursion through a C builtin per level (test/pyodide/depth.py): the deepest level reached and how it
    // ended, with CPython's default recursion limit (DEPTH_RUNS times: near V8's stack limit the outcome can
    // vary from run to run), then once with the limit lifted, which measures the native stack each level costs.
    const depth: Record<string, any> = {}
    for (const variant of ['stock', 'ours'] as const) {
      log(`W4 ${e.label}: recursion depth, ${variant} ...`)
      const probe = async (python: string) => {
        if (!e.bin) return depthInChromium(dirs[variant], python)
        const r = await runPyodide({ python, node: e.bin, ...(variant === 'ours' ? { wasm: ours, glue } : {}) })
        return {
          depth: deepest(r.stdout),
          outcome:
            r.code === 0 && r.stdout.includes('depth: RecursionError')
              ? 'RecursionError'
              : (r.stderr.match(/(RangeError|RuntimeError|InternalError): [^\n]*/)?.[0] ?? `exit ${r.code}`),
        }
      }
      const limit = []
      for (let i = 0; i < DEPTH_RUNS; i++) limit.push(await probe(DEPTH_PY))
      depth[variant] = { limit, unlimited: await probe(`import sys\nsys.setrecursionlimit(1_000_000)\n${DEPTH_PY}`) }
    }
    // Memory after load from more fresh processes (Node only), alternating.
    const memory: any[] = []
    for (let r = 0; e.bin && r < MEM_ROUNDS; r++) {
      for (const variant of r % 2 ? (['ours', 'stock'] as const) : (['stock', 'ours'] as const)) {
        log(`W4 ${e.label}: memory after load, ${variant}, round ${r + 1}/${MEM_ROUNDS} ...`)
        const res = await runJson(e.bin, ['--expose-gc', join(BENCH, 'pyodide/child.mjs'), dirs[variant], workloads, '0'])
        memory.push({ variant, afterLoad: res.afterLoad })
      }
    }
    out.engines[e.key] = { runs, depth, memory }
  }
  return out
}

/** The deepest "DEPTH: via-map N" line of a depth.py run (a fatal error's traceback may follow it). */
function deepest(stdout: string): number | null {
  const levels = [...stdout.matchAll(/^DEPTH: via-map (\d+)$/gm)].map(m => Number(m[1]))
  return levels.length ? Math.max(...levels) : null
}

/**
 * The transform on big inputs, fresh processes each: the largest corpus
 * module (z3-solver's 33 MB, when `npm run corpus` has installed it) against
 * binaryen's own read + write, and a generated module with 512 MiB of code
 * (bench/big-module.mjs), which binaryen.js cannot read (bench/README.md).
 */
async function benchBigModules(buildChild: string) {
  const out: any = {}
  const z3 = join(ROOT, '.cache/corpus/z3-solver_5.2.0/node_modules/z3-solver/build/z3-built.wasm')
  const dir = join(OUT, 'big')
  mkdirSync(dir, { recursive: true })
  if (existsSync(z3)) {
    const runs: any = { input: statSync(z3).size, copy: [], binaryenReadWrite: [] }
    for (let r = 0; r < 2; r++) {
      log(`big modules: z3-built.wasm, round ${r + 1}/2: transformWasm (copy writer), then binaryen read+write ...`)
      runs.copy.push(await runJson(process.execPath, [buildChild, 'transform', z3, join(dir, 'z3-ours.wasm'), 'copy']))
      runs.binaryenReadWrite.push(await runJson(process.execPath, [buildChild, 'binaryen', z3]))
    }
    out.z3 = runs
  } else out.z3 = { skipped: 'not installed: run npm run corpus first' }
  if (QUICK) return out
  const big = join(dir, 'big-512.wasm')
  if (!existsSync(big)) {
    log('big modules: generating 512 MiB of code (bench/big-module.mjs) ...')
    await runJson(process.execPath, ['--max-old-space-size=8000', join(BENCH, 'big-module.mjs'), big, '512'])
  }
  log('big modules: transformWasm (copy writer) of 512 MiB of code ...')
  out.generated = {
    input: statSync(big).size,
    copy: await runJson(process.execPath, ['--max-old-space-size=8000', buildChild, 'transform', big, join(dir, 'big-512-ours.wasm'), 'copy']),
  }
  rmSync(join(dir, 'big-512-ours.wasm'), { force: true })
  return out
}

function fpcastEmu(input: string, output: string): Promise<any> {
  const wasmOpt = join(ROOT, 'node_modules/binaryen/bin/wasm-opt')
  const features = [
    '--enable-mutable-globals',
    '--enable-nontrapping-float-to-int',
    '--enable-sign-ext',
    '--enable-bulk-memory',
    '--enable-bulk-memory-opt',
    '--enable-exception-handling',
    '--enable-reference-types',
  ]
  return new Promise(res => {
    const t = performance.now()
    const c = spawn(process.execPath, [wasmOpt, input, ...features, '--fpcast-emu', '-o', output], { stdio: ['ignore', 'ignore', 'pipe'] })
    let err = ''
    c.stderr.on('data', b => (err += b))
    c.on('close', code => {
      const ms = performance.now() - t
      if (code === 0 && existsSync(output)) {
        const b = readFileSync(output)
        res({ size: b.length, gzip: gz(b), ms })
      } else {
        res({ size: null, error: (err.match(/Aborted\([^\n]*/)?.[0] ?? err.trim().split('\n').pop() ?? `exit ${code}`).slice(0, 300), ms })
      }
    })
  })
}

/** W4 in Chromium: the page fetches the same bench/pyodide/workloads.py the Node child reads. */
async function pyodideInChromium(pyDir: string) {
  const server = await serve({ '/py/': pyDir, '/bench/': BENCH })
  const browser = await launchChromium()
  try {
    const page = await (await browser.newContext()).newPage()
    await page.goto(`${server.url}/bench/harness/page.html`)
    const loadMs = await page.evaluate(async (loader: string) => {
      const { loadPyodide } = await import(loader)
      const t = performance.now()
      ;(globalThis as any).py = await loadPyodide({ indexURL: '/py/', stdout: () => {}, stderr: () => {} })
      return performance.now() - t
    }, '/py/pyodide.mjs')
    // V8 heap used after load, after a full GC (DevTools protocol): the browser's counterpart of Node's heapUsed.
    const cdp = await page.context().newCDPSession(page)
    await cdp.send('HeapProfiler.collectGarbage')
    await cdp.send('Performance.enable')
    const { metrics } = await cdp.send('Performance.getMetrics')
    const heapUsed = metrics.find(m => m.name === 'JSHeapUsedSize')?.value ?? null
    const results = await page.evaluate(async (reps: number) => {
      const py = (globalThis as any).py
      py.runPython(await (await fetch('/bench/pyodide/workloads.py')).text())
      return JSON.parse(py.runPython(`run(${reps})`))
    }, PY_REPS)
    return { loadMs, afterLoad: { heapUsed }, results }
  } finally {
    await browser.close()
    await server.close()
  }
}

async function depthInChromium(pyDir: string, DEPTH_PY: string) {
  const server = await serve({ '/py/': pyDir, '/bench/': BENCH })
  const browser = await launchChromium()
  try {
    const page = await (await browser.newContext()).newPage()
    await page.goto(`${server.url}/bench/harness/page.html`)
    const r = await page.evaluate(
      async ({ src, loader }: { src: string; loader: string }) => {
        const { loadPyodide } = await import(loader)
        const lines: string[] = []
        const py = await loadPyodide({ indexURL: '/py/', stdout: (l: string) => lines.push(l), stderr: () => {} })
        let outcome = ''
        try {
          py.runPython(src)
          outcome = lines.includes('depth: RecursionError') ? 'RecursionError' : 'finished'
        } catch (e: any) {
          outcome = `${e?.name}: ${String(e?.message).split('\n')[0]}`.slice(0, 200)
        }
        return { text: lines.join('\n'), outcome }
      },
      { src: DEPTH_PY, loader: '/py/pyodide.mjs' },
    )
    return { depth: deepest(r.text), outcome: r.outcome }
  } finally {
    await browser.close()
    await server.close()
  }
}

main().catch(e => {
  console.error(e)
  process.exit(1)
})
