// Turns the raw results into bench/results.json, bench/results.md and
// bench/chart.svg, and returns the ratio table printed at the end of a run.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { geomean, summarize, type Summary } from './stats.ts'

/** C workloads whose calls are mismatched: stock traps, ours is compared with EMULATE. */
const MISMATCHED = new Set(['w2_run', 'w2h_run'])

type Eng = { key: string; label: string; version: string; wasmGc: boolean }

export interface Target {
  metric: string
  engine: string | null
  value: number | null
  /** What is shown (value with unit, or n/a and why). */
  shown: string
  target: string
  met: boolean | null
}

const VARIANT_LABEL: Record<string, string> = {
  stock: 'stock',
  emulate: 'EMULATE',
  js: 'JS trampolines',
  shadow: 'ours: shadow',
  'shadow-all': 'ours: shadow, dispatchBudget ∞',
}
const label = (v: string) => VARIANT_LABEL[v] ?? `ours: ${v}`
const ms = (x: number | null | undefined) => (x == null ? 'n/a' : x >= 100 ? `${x.toFixed(0)} ms` : `${x.toFixed(1)} ms`)
const pct = (x: number) => `${(x * 100).toFixed(0)}%`
const ratio = (x: number | null | undefined) => (x == null || !Number.isFinite(x) ? 'n/a' : x.toFixed(2))
/** Two decimals, or three where two would round onto the limit (1.024 against ≤ 1.02). */
const ratioAgainst = (x: number | null, limit: number) =>
  x != null && Number.isFinite(x) && x.toFixed(2) === limit.toFixed(2) && x !== limit ? x.toFixed(3) : ratio(x)
const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`
const spreadOf = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b)
  return { median: sorted[sorted.length >> 1], min: sorted[0], max: sorted[sorted.length - 1] }
}
const mibSpread = (s: { median: number; min: number; max: number }) => `${mib(s.median)} (${(s.min / 2 ** 20).toFixed(1)}–${(s.max / 2 ** 20).toFixed(1)})`
const mark = (met: boolean | null) => (met == null ? '' : met ? ' ✓' : ' ✗')
const cell = (s: Summary | null) => (s ? `${ms(s.min)} ±${pct(s.spread)}` : 'n/a')

/** The deepest level reached with the default recursion limit: the least over the runs. */
export function depthOf(d: any): number | null {
  const xs = (d?.limit ?? []).map((r: any) => r.depth).filter((x: any) => x != null)
  return xs.length ? Math.min(...xs) : null
}
/** "997 (RecursionError ×2)" */
function depthText(d: any): string {
  if (!d?.limit?.length) return 'n/a'
  const counts = new Map<string, number>()
  for (const r of d.limit) {
    const k = r.outcome.startsWith('RangeError') ? 'fatal RangeError (V8 stack)' : r.outcome
    counts.set(k, (counts.get(k) ?? 0) + 1)
  }
  const depths = [...new Set(d.limit.map((r: any) => r.depth ?? 'none'))].join('/')
  return `${depths} (${[...counts].map(([k, n]) => `${k} ×${n}`).join(', ')})`
}

/** Per engine, per workload, per variant: summary, trap, checksum agreement. */
export function cSummary(c: any, engines: Eng[]) {
  const rows: any[] = []
  const mismatches: string[] = []
  // One reference checksum per workload, across engines: stock's, or EMULATE's where stock traps.
  const reference: Record<string, number> = {}
  for (const e of engines) {
    const data = c.engines[e.key]
    if (!data) continue
    for (const w of data.results) {
      const by: Record<string, any> = Object.fromEntries(w.variants.map((v: any) => [v.variant, v]))
      const ref = by.stock?.trapped ? by.emulate : by.stock
      if (reference[w.workload] === undefined && ref && !ref.trapped) reference[w.workload] = ref.checksum
      const variants: Record<string, any> = {}
      for (const v of w.variants) {
        variants[v.variant] = { summary: summarize(v.samples), trapped: v.trapped, checksum: v.checksum }
        if (!v.trapped && reference[w.workload] !== undefined && v.checksum !== reference[w.workload]) {
          mismatches.push(`${e.label}, ${w.workload}, ${label(v.variant)}: checksum ${v.checksum}, expected ${reference[w.workload]}`)
        }
        for (const err of v.checksumErrors ?? []) mismatches.push(`${e.label}, ${w.workload}, ${label(v.variant)}: unstable checksum (${err})`)
        if (v.trapped && !(v.variant === 'stock' && MISMATCHED.has(w.export)))
          mismatches.push(`${e.label}, ${w.workload}, ${label(v.variant)}: trapped: ${v.trapped}`)
      }
      if (MISMATCHED.has(w.export) && by.stock && !by.stock.trapped)
        mismatches.push(`${e.label}, ${w.workload}: stock did not trap (the workload is not mismatched?)`)
      rows.push({ engine: e.key, workload: w.workload, export: w.export, n: w.n, variants })
    }
  }
  return { rows, mismatches, reference }
}

export function pySummary(py: any, engines: Eng[]) {
  const out: Record<string, any> = {}
  const mismatches: string[] = []
  for (const e of engines) {
    const data = py?.engines?.[e.key]
    if (!data) continue
    const v: Record<string, any> = {}
    for (const variant of ['stock', 'ours']) {
      const runs = data.runs.filter((r: any) => r.variant === variant)
      const workloads: Record<string, any> = {}
      for (const run of runs) {
        for (const w of run.results) {
          const slot = (workloads[w.workload] ??= { samples: [], checksums: new Set() })
          slot.samples.push(...w.samples)
          slot.checksums.add(String(w.checksum))
        }
      }
      // Memory after load: the W4 rounds' and the load-only rounds'.
      const loaded = [...runs, ...(data.memory ?? []).filter((r: any) => r.variant === variant)]
      const rss = loaded.map((r: any) => r.afterLoad?.rss).filter((x: any) => x != null)
      const heap = loaded.map((r: any) => r.afterLoad?.heapUsed).filter((x: any) => x != null)
      v[variant] = {
        load: summarize(runs.map((r: any) => r.loadMs)),
        // Memory after load moves by up to ±8% between fresh processes (GC timing): medians, not minimums.
        rss: rss.length ? spreadOf(rss) : null,
        heap: heap.length ? spreadOf(heap) : null,
        workloads: Object.fromEntries(
          Object.entries(workloads).map(([k, s]: [string, any]) => [k, { summary: summarize(s.samples), checksums: [...s.checksums] }]),
        ),
        depth: data.depth?.[variant],
      }
    }
    for (const [name, w] of Object.entries(v.ours.workloads) as [string, any][]) {
      const s = v.stock.workloads[name]
      if (w.checksums.length !== 1 || !s || s.checksums.length !== 1 || w.checksums[0] !== s.checksums[0]) {
        mismatches.push(`${e.label}, W4 ${name}: checksums stock ${s?.checksums.join('/')} ours ${w.checksums.join('/')}`)
      }
    }
    const names = Object.keys(v.stock.workloads)
    const ratios = names.map(n => v.ours.workloads[n]?.summary?.min / v.stock.workloads[n]?.summary?.min)
    out[e.key] = { ...v, names, ratios, geomean: geomean(ratios) }
  }
  return { engines: out, mismatches }
}

export function computeTargets(results: any): { perEngine: Target[]; build: Target[]; strategies: string[] } {
  const engines: Eng[] = results.meta.engines
  const strategies: string[] = results.meta.config.strategies
  const perEngine: Target[] = []
  const build: Target[] = []
  if (results.c) {
    const { rows } = cSummary(results.c, engines)
    const get = (engine: string, exp: string) => rows.find(r => r.engine === engine && r.export === exp)
    for (const e of engines) {
      for (const s of strategies) {
        const add = (metric: string, exp: string, ref: string, limit: number, tgt: string) => {
          const r = get(e.key, exp)
          const a = r?.variants[s]?.summary?.min
          const b = r?.variants[ref]?.summary?.min
          const value = a && b ? a / b : null
          perEngine.push({ metric, engine: e.key, value, shown: ratioAgainst(value, limit), target: tgt, met: value == null ? null : value <= limit })
        }
        // The hard cases first (issue 15): data-dependent indices, 256 functions per signature.
        add(`W1 hard ${s}/stock`, 'w1h_run', 'stock', 1.03, '≤ 1.03')
        add(`W2 hard ${s}/EMULATE`, 'w2h_run', 'emulate', 0.9, '≤ 0.90')
        const w1 = e.wasmGc ? 1.05 : 1.25
        add(`W1 ${s}/stock`, 'w1_run', 'stock', w1, '≤ 1.05 wasm-gc, ≤ 1.25 without')
        add(`W2 ${s}/EMULATE`, 'w2_run', 'emulate', 1.0, '≤ 1.00')
        add(`W3 qsort ${s}/stock`, 'w3_qsort_run', 'stock', 1.02, '≤ 1.02')
        add(`W3 dispatch ${s}/stock`, 'w3_dispatch_run', 'stock', 1.02, '≤ 1.02')
      }
    }
  }
  const py = results.pyodide
  if (py?.engines && Object.keys(py.engines).length) {
    const { engines: pe } = pySummary(py, engines)
    for (const e of engines) {
      const p = pe[e.key]
      if (!p) continue
      const push = (metric: string, value: number | null, limit: number, tgt: string, ge = false, shown?: string) =>
        perEngine.push({
          metric,
          engine: e.key,
          value,
          shown: shown ?? ratioAgainst(value, limit),
          target: tgt,
          met: value == null || !Number.isFinite(value) ? null : ge ? value >= limit : value <= limit,
        })
      push('W4 geomean ours/stock', p.geomean, 1.02, '≤ 1.02')
      push('W4 load time ours/stock', p.ours.load && p.stock.load ? p.ours.load.min / p.stock.load.min : null, 1.05, '≤ 1.05')
      const ds = depthOf(p.stock.depth),
        dO = depthOf(p.ours.depth)
      push('recursion depth ours/stock', ds && dO ? dO / ds : null, 0.95, '≥ 0.95', true, ds && dO ? `${ratio(dO / ds)} (${dO}/${ds})` : 'n/a')
      if (p.stock.rss && p.ours.rss) push('memory after load ours/stock (RSS, medians)', p.ours.rss.median / p.stock.rss.median, 1.05, '≤ 1.05')
      else
        perEngine.push({
          metric: 'memory after load ours/stock (RSS, medians)',
          engine: e.key,
          value: null,
          shown: 'n/a (not measured in the browser)',
          target: '≤ 1.05',
          met: null,
        })
      if (p.stock.heap && p.ours.heap) push('JS heap after load ours/stock (medians)', p.ours.heap.median / p.stock.heap.median, 1.05, '≤ 1.05 (RSS or heap)')
    }
  }
  if (py?.build?.sizes) {
    const b = py.build
    const size = b.sizes.ours.size / b.sizes.stock.size
    build.push({
      metric: 'Pyodide output size ours/stock',
      engine: null,
      value: size,
      shown: `${ratio(size)} (${mib(b.sizes.ours.size)} / ${mib(b.sizes.stock.size)}; gzip ${ratio(b.sizes.ours.gzip / b.sizes.stock.gzip)})`,
      target: '≤ 1.02',
      met: size <= 1.02,
    })
    const tMin = Math.min(...b.transform.map((r: any) => r.ms))
    const bMin = Math.min(...b.binaryenReadWrite.map((r: any) => r.ms))
    build.push({
      metric: 'transform time ours / binaryen read+write',
      engine: null,
      value: tMin / bMin,
      shown: `${ratio(tMin / bMin)} (${ms(tMin)} / ${ms(bMin)})`,
      target: '≤ 0.15',
      met: tMin / bMin <= 0.15,
    })
    if (b.transformBinaryenWriter) {
      const wMin = Math.min(...b.transformBinaryenWriter.map((r: any) => r.ms))
      build.push({
        metric: "transform time with writer 'binaryen' (the reference) / binaryen read+write",
        engine: null,
        value: wMin / bMin,
        shown: `${ratio(wMin / bMin)} (${ms(wMin)} / ${ms(bMin)})`,
        target: '(no target)',
        met: null,
      })
    }
    const z3 = b.big?.z3
    if (z3?.copy) {
      const c = Math.min(...z3.copy.map((r: any) => r.ms))
      const w = Math.min(...z3.binaryenReadWrite.map((r: any) => r.ms))
      build.push({
        metric: 'z3-solver (33 MB, the largest corpus module): transform time / binaryen read+write',
        engine: null,
        value: c / w,
        shown: `${ratio(c / w)} (${ms(c)} / ${ms(w)})`,
        target: '≤ 0.15',
        met: c / w <= 0.15,
      })
      const grown = Math.min(...z3.copy.map((r: any) => (r.maxRssKb - r.baseRssKb) * 1024)) / z3.input
      build.push({
        metric: 'z3-solver: peak RSS growth of the transform / input size',
        engine: null,
        value: grown,
        shown: `${grown.toFixed(1)}× (${mib(Math.min(...z3.copy.map((r: any) => (r.maxRssKb - r.baseRssKb) * 1024)))} over the process's ${mib(z3.copy[0].baseRssKb * 1024)} before it; binaryen read+write: ${mib(Math.min(...z3.binaryenReadWrite.map((r: any) => (r.maxRssKb - r.baseRssKb) * 1024)))})`,
        target: '≤ 4',
        met: grown <= 4,
      })
    }
    const g = b.big?.generated
    if (g?.copy) {
      build.push({
        metric: `generated module, ${mib(g.input)}: transform time, peak RSS growth / input`,
        engine: null,
        value: g.copy.ms,
        shown: `${ms(g.copy.ms)}, ${(((g.copy.maxRssKb - g.copy.baseRssKb) * 1024) / g.input).toFixed(1)}× (${mib((g.copy.maxRssKb - g.copy.baseRssKb) * 1024)})`,
        target: 'transforms ≥ 500 MB of code',
        met: g.input >= 500 * 1e6,
      })
    }
    const tRss = Math.min(...b.transform.map((r: any) => r.maxRssKb))
    const bRss = Math.min(...b.binaryenReadWrite.map((r: any) => r.maxRssKb))
    build.push({
      metric: 'transform peak RSS ours / binaryen read+write',
      engine: null,
      value: tRss / bRss,
      shown: `${ratio(tRss / bRss)} (${mib(tRss * 1024)} / ${mib(bRss * 1024)})`,
      target: '(no target)',
      met: null,
    })
    const cached = b.pluginCached.filter((r: any) => r.cached).map((r: any) => r.ms)
    const cMin = cached.length ? Math.min(...cached) : null
    build.push({
      metric: 'cached rebuild (plugin store, cache hit)',
      engine: null,
      value: cMin,
      shown: cMin == null ? 'n/a (no cache hit)' : ms(cMin),
      target: '≤ 50 ms',
      met: cMin == null ? null : cMin <= 50,
    })
  }
  return { perEngine, build, strategies }
}

function table(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map(r => `| ${r.join(' | ')} |`)].join('\n')
}

export function targetTables(results: any): string {
  const engines: Eng[] = results.meta.engines
  const { perEngine, build } = computeTargets(results)
  const metrics = [...new Set(perEngine.map(t => t.metric))]
  const rows = metrics.map(m => {
    const ts = perEngine.filter(t => t.metric === m)
    return [
      m,
      ...engines.map(e => {
        const t = ts.find(x => x.engine === e.key)
        return t ? `${t.shown}${mark(t.met)}` : '—'
      }),
      ts[0].target,
    ]
  })
  const a = table(['ratio', ...engines.map(e => e.label), 'target'], rows)
  const b = build.length
    ? `\n\n${table(
        [`build side (Pyodide 9.6 MB wasm, Node ${results.meta.hostNode})`, 'value', 'target'],
        build.map(t => [t.metric, `${t.shown}${mark(t.met)}`, t.target]),
      )}`
    : ''
  return a + b
}

function cTables(results: any): string {
  const engines: Eng[] = results.meta.engines
  const { rows, mismatches } = cSummary(results.c, engines)
  const variants: string[] = results.c.variants
  const out: string[] = []
  for (const e of engines) {
    const er = rows.filter(r => r.engine === e.key)
    if (!er.length) continue
    const strategies = variants.filter(v => !['stock', 'emulate', 'js'].includes(v))
    const header = [
      'workload (n)',
      ...variants.map(label),
      ...strategies.map(s => `${s}/stock`),
      ...strategies.map(s => `${s}/EMULATE`),
      'EMULATE/stock',
      'JS/stock',
    ]
    const body = er.map(r => {
      const m = (v: string) => r.variants[v]?.summary?.min
      const rat = (a: string, b: string) => (m(a) && m(b) ? ratio(m(a) / m(b)) : r.variants[b]?.trapped ? 'n/a (traps)' : 'n/a')
      return [
        `${r.workload} (${r.n.toLocaleString('en-US')})`,
        ...variants.map(v => (r.variants[v]?.trapped ? 'traps' : cell(r.variants[v]?.summary))),
        ...strategies.map(s => rat(s, 'stock')),
        ...strategies.map(s => rat(s, 'emulate')),
        rat('emulate', 'stock'),
        rat('js', 'stock'),
      ]
    })
    out.push(`### ${e.label} (${e.key === 'chromium' ? 'Chromium' : 'Node'} ${e.version}, --no-liftoff)\n\n${table(header, body)}`)
  }
  out.push(
    mismatches.length
      ? `**Checksum/trap problems (bugs to look at):**\n\n${mismatches.map(m => `- ${m}`).join('\n')}`
      : 'Every variant returned the same checksum as the reference (stock, or EMULATE where stock traps) on every engine and every repetition; stock traps on W2 and nowhere else.',
  )
  const b = results.c.build
  out.push(
    `Module sizes (bytes, gzip -9): ${variants.map(v => `${label(v)} ${b[v].size} (${b[v].gzip})`).join(', ')}. ` +
      `Our transform of this module: ${STRAT_DESC(b)}.`,
  )
  return out.join('\n\n')
}

const STRAT_DESC = (b: any) =>
  Object.entries(b)
    .filter(([k]) => !['stock', 'emulate'].includes(k))
    .map(
      ([k, v]: [string, any]) =>
        `${k} ${v.sites.rewritten}/${v.sites.total} sites, ${v.adapters} adapters${v.dispatch ? ` (${v.dispatch.chosen} of ${v.dispatch.wanted} with a br_table)` : ''}, ${v.shadowTables} shadow tables, ${ms(v.transformMs)}`,
    )
    .join('; ')

function pyTables(results: any): string {
  const engines: Eng[] = results.meta.engines
  const { engines: pe, mismatches } = pySummary(results.pyodide, engines)
  const out: string[] = []
  for (const e of engines) {
    const p = pe[e.key]
    if (!p) continue
    const body = p.names.map((n: string, i: number) => [n, cell(p.stock.workloads[n].summary), cell(p.ours.workloads[n].summary), ratio(p.ratios[i])])
    body.push(['**geomean**', '', '', `**${ratio(p.geomean)}**`])
    body.push(['load (loadPyodide)', cell(p.stock.load), cell(p.ours.load), ratio(p.ours.load?.min / p.stock.load?.min)])
    if (p.stock.rss)
      body.push(['RSS after load, median (min–max)', mibSpread(p.stock.rss), mibSpread(p.ours.rss), ratio(p.ours.rss.median / p.stock.rss.median)])
    if (p.stock.heap)
      body.push(['JS heap used after load, median (min–max)', mibSpread(p.stock.heap), mibSpread(p.ours.heap), ratio(p.ours.heap.median / p.stock.heap.median)])
    const ds = depthOf(p.stock.depth),
      dO = depthOf(p.ours.depth)
    body.push([
      'recursion via map() (test/pyodide/depth.py), default limit: deepest level',
      depthText(p.stock.depth),
      depthText(p.ours.depth),
      ds && dO ? ratio(dO / ds) : 'n/a',
    ])
    const us = p.stock.depth?.unlimited,
      uo = p.ours.depth?.unlimited
    const u = (x: any) => (x ? `${x.depth ?? 'none'} (${x.outcome.startsWith('RangeError') ? 'V8 stack overflow' : x.outcome})` : 'n/a')
    body.push(['same, recursion limit lifted: level where the engine stack ran out', u(us), u(uo), us?.depth && uo?.depth ? ratio(uo.depth / us.depth) : 'n/a'])
    out.push(
      `### ${e.label} (${e.key === 'chromium' ? 'Chromium' : 'Node'} ${e.version})\n\n${table(['workload', 'stock Pyodide', 'ours (untrampolined + shadow)', 'ours/stock'], body)}`,
    )
  }
  out.push(
    mismatches.length
      ? `**Checksum problems:**\n\n${mismatches.map(m => `- ${m}`).join('\n')}`
      : 'Every W4 workload returned the same checksum in stock Pyodide and in ours, on every engine.',
  )
  return out.join('\n\n')
}

function buildTables(results: any): string {
  const b = results.pyodide.build
  const t = (runs: any[]) => summarize(runs.map((r: any) => r.ms))
  const rss = (runs: any[]) => mib(Math.min(...runs.map((r: any) => r.maxRssKb)) * 1024)
  const rows = [
    ['transformWasm (shadow, copy writer) of the untrampolined wasm', cell(t(b.transform)), rss(b.transform)],
    ...(b.transformBinaryenWriter
      ? [["transformWasm (shadow, writer 'binaryen': the whole module through binaryen)", cell(t(b.transformBinaryenWriter)), rss(b.transformBinaryenWriter)]]
      : []),
    ['binaryen.js read + write (no change)', cell(t(b.binaryenReadWrite)), rss(b.binaryenReadWrite)],
    ['plugin store, cold (cache miss: transform + cache write)', ms(b.pluginCold.ms), mib(b.pluginCold.maxRssKb * 1024)],
    [
      'plugin store, cached rebuild (fresh process, cache hit)',
      cell(t(b.pluginCached.filter((r: any) => r.cached))),
      mib(Math.min(...b.pluginCached.map((r: any) => r.maxRssKb)) * 1024),
    ],
    ['transformGlue of pyodide.asm.mjs', ms(b.glueMs), ''],
  ]
  const s = b.sizes
  const sizeRow = (name: string, x: any) => [
    name,
    x.size == null ? `n/a: ${x.error}` : `${x.size.toLocaleString('en-US')} (${mib(x.size)})`,
    x.size == null ? '' : `${x.gzip.toLocaleString('en-US')} (${mib(x.gzip)})`,
    x.size == null ? '' : ratio(x.size / s.stock.size),
  ]
  const tr = b.transform[0].report
  return [
    table([`Pyodide build step (Node ${results.meta.hostNode})`, 'time (min ±spread)', 'peak RSS of the process'], rows),
    `The transform: ${tr.sites.rewritten}/${tr.sites.total} call_indirect sites over ${tr.signatures} signatures, ${tr.primedFunctions} primed functions, ${tr.adapters} adapters, ${tr.shadowTables} shadow tables; phases of the first run: read ${ms(tr.timeMs.read)}, rewrite ${ms(tr.timeMs.rewrite)}, validate ${ms(tr.timeMs.validate)}, write ${ms(tr.timeMs.write)}. Peak RSS is the whole process (Node + binaryen.js, whose wasm heap never shrinks).`,
    table(
      ['pyodide.asm.wasm', 'bytes', 'gzip -9', '/stock'],
      [
        sizeRow(`stock (npm pyodide ${results.meta.pyodide})`, s.stock),
        sizeRow('untrampolined (binaryen round trip, the transform input)', s.untrampolined),
        sizeRow('ours (shadow)', s.ours),
        sizeRow('EMULATE (wasm-opt --fpcast-emu on the untrampolined wasm)', s.emulate),
      ],
    ),
  ].join('\n\n')
}

// ---- chart -----------------------------------------------------------------------------
interface Bar {
  group: string
  engine: string
  variant: string
  value: number
}

function chartBars(results: any): Bar[] {
  const engines: Eng[] = results.meta.engines
  const bars: Bar[] = []
  if (results.c) {
    const { rows } = cSummary(results.c, engines)
    for (const exp of ['w1h_run', 'w2h_run', 'w1_run', 'w2_run', 'w3_qsort_run', 'w3_dispatch_run']) {
      for (const e of engines) {
        const r = rows.find(x => x.engine === e.key && x.export === exp)
        if (!r) continue
        const ref = MISMATCHED.has(exp) ? 'emulate' : 'stock'
        const base = r.variants[ref]?.summary?.min
        if (!base) continue
        for (const v of results.c.variants) {
          if (v === ref || v === 'stock' || r.variants[v]?.trapped) continue
          const m = r.variants[v]?.summary?.min
          if (m) bars.push({ group: `${r.workload}${MISMATCHED.has(exp) ? ' (/EMULATE; stock traps)' : ''}`, engine: e.label, variant: v, value: m / base })
        }
      }
    }
  }
  if (results.pyodide?.engines) {
    const { engines: pe } = pySummary(results.pyodide, engines)
    for (const e of engines) {
      const p = pe[e.key]
      if (!p) continue
      bars.push({ group: 'W4 Pyodide geomean', engine: e.label, variant: 'shadow', value: p.geomean })
    }
    for (const e of engines) {
      const p = pe[e.key]
      if (p?.ours.load && p.stock.load)
        bars.push({ group: 'W4 Pyodide load time', engine: e.label, variant: 'shadow', value: p.ours.load.min / p.stock.load.min })
    }
  }
  return bars
}

const COLORS: Record<string, string> = { emulate: '#8c8c8c', js: '#e8843c', shadow: '#2f6fdb', build: '#5b9a5b' }

export function chartSvg(results: any): string {
  const bars = chartBars(results)
  if (results.pyodide?.build?.sizes) {
    const b = results.pyodide.build
    const { perEngine } = computeTargets(results)
    for (const t of perEngine.filter(t => t.metric.startsWith('memory after load') && t.value != null)) {
      bars.push({
        group: 'Pyodide RSS after load',
        engine: results.meta.engines.find((e: Eng) => e.key === t.engine)?.label ?? '',
        variant: 'shadow',
        value: t.value!,
      })
    }
    bars.push({ group: 'Pyodide build side', engine: 'wasm size', variant: 'build', value: b.sizes.ours.size / b.sizes.stock.size })
    bars.push({
      group: 'Pyodide build side',
      engine: 'transform time / binaryen read+write',
      variant: 'build',
      value: Math.min(...b.transform.map((r: any) => r.ms)) / Math.min(...b.binaryenReadWrite.map((r: any) => r.ms)),
    })
  }
  const MAX = 2.5
  const W = 860,
    left = 330,
    right = 70,
    barH = 13,
    gap = 3,
    groupGap = 14,
    top = 58
  const x = (v: number) => left + (Math.min(Math.max(v, 0), MAX) / MAX) * (W - left - right)
  const groups = [...new Set(bars.map(b => b.group))]
  let y = top
  const parts: string[] = []
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;')
  for (const g of groups) {
    parts.push(`<text x="8" y="${y + 11}" font-weight="bold">${esc(g)}</text>`)
    y += 16
    for (const b of bars.filter(b => b.group === g)) {
      const name = b.variant === 'build' ? b.engine : `${b.engine} · ${label(b.variant)}`
      parts.push(`<text x="${left - 6}" y="${y + barH - 3}" text-anchor="end">${esc(name)}</text>`)
      const clipped = b.value > MAX
      parts.push(
        `<rect x="${x(0)}" y="${y}" width="${Math.max(1, x(b.value) - x(0)).toFixed(1)}" height="${barH}" fill="${COLORS[b.variant] ?? COLORS.shadow}"/>`,
      )
      parts.push(
        `<text x="${(x(b.value) + 4).toFixed(1)}" y="${y + barH - 3}"${clipped ? ' font-weight="bold"' : ''}>${b.value.toFixed(2)}×${clipped ? ' →' : ''}</text>`,
      )
      y += barH + gap
    }
    y += groupGap
  }
  const ticks = [0, 0.5, 1, 1.5, 2, 2.5]
  const axis = ticks.map(
    t =>
      `<line x1="${x(t)}" x2="${x(t)}" y1="${top - 6}" y2="${y}" stroke="${t === 1 ? '#000' : '#ddd'}" stroke-width="${t === 1 ? 1.2 : 1}"/><text x="${x(t)}" y="${top - 10}" text-anchor="middle">${t}×</text>`,
  )
  const m = results.meta
  const title = 'Ratio to stock (W2: to EMULATE, where stock traps); min of repetitions; lower is better'
  const sub = `${m.machine.cpu}, ${m.machine.cores} cores, load ${m.machine.loadStart[0]} · ${m.date.slice(0, 10)} · commit ${m.git.commit.slice(0, 10)}${m.quick ? ' · QUICK RUN' : ''} · bars past ${MAX}× are cut`
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${y + 10}" viewBox="0 0 ${W} ${y + 10}" font-family="sans-serif" font-size="11">
<rect width="100%" height="100%" fill="#fff"/>
<text x="8" y="16" font-size="13" font-weight="bold">${esc(title)}</text>
<text x="8" y="32" fill="#555">${esc(sub)}</text>
${axis.join('\n')}
${parts.join('\n')}
</svg>
`
}

// ---- results.md ---------------------------------------------------------------------------
export function writeReport(results: any, dir: string): { table: string } {
  const m = results.meta
  const { perEngine, build } = computeTargets(results)
  results.summary = { targets: [...perEngine, ...build] }
  writeFileSync(join(dir, 'results.json'), `${JSON.stringify(results, null, 1)}\n`)
  writeFileSync(join(dir, 'chart.svg'), chartSvg(results))
  const ratios = targetTables(results)
  const unmet = [...perEngine, ...build].filter(t => t.met === false)
  const engineLabel = (k: string | null) => m.engines.find((e: Eng) => e.key === k)?.label ?? ''
  const warnings: string[] = []
  if (m.quick) warnings.push('**This is a `--quick` run: few repetitions; the numbers are rough.**')
  if (m.git.srcDirty) warnings.push('**src/ (or test/pyodide/, package.json) had uncommitted changes: these numbers are not from a commit.**')
  if (m.git.benchDirty) warnings.push('**bench/ had uncommitted changes when this ran.**')
  const during = m.machine.loadDuring ? `; 1-minute load while measuring (every 5 s): mean ${m.machine.loadDuring.mean}, max ${m.machine.loadDuring.max}` : ''
  const load = `${m.machine.loadStart.join(' / ')} at the start, ${m.machine.loadEnd?.join(' / ')} at the end (1/5/15 min)${during}`
  const md = `# Benchmark results

Produced by \`${m.command}\` at ${m.date} from commit \`${m.git.commit}\`, in ${(m.durationS / 60).toFixed(1)} min.
${warnings.length ? `\n${warnings.join('\n')}\n` : ''}
- Machine: ${m.machine.cpu}, ${m.machine.cores} cores, ${m.machine.memoryGiB} GiB, ${m.machine.kernel}; load average ${load}.
- Engines: ${m.engines.map((e: Eng) => `${e.label} = ${e.key === 'chromium' ? 'Chromium' : 'Node'} ${e.version}`).join(', ')}.
- Toolchains: C workloads built by \`bench/build.sh\` with ${m.emcc} (-O2); npm pyodide ${m.pyodide}; npm binaryen ${m.binaryen}.
- Method: C workloads (W1-W3) run with \`--no-liftoff\` (TurboFan only) in ${m.config.c.processes ?? 1} fresh process(es)/page(s) per engine; in each, every variant is warmed up, then timed ${m.config.c.reps} times round-robin over the variants (a slow variant stops once it used ${m.config.c.maxMsPerVariant / 1000} s); Pyodide (W4) runs with the engine's default tiering in fresh processes/pages, ${m.config.pyodide.rounds} round(s) alternating stock and ours, each workload warmed up once then timed ${m.config.pyodide.reps} times; in Node, ${m.config.pyodide.memoryRounds ?? 0} more load-only process(es) per variant, alternating, for memory. Reported: the minimum, and the spread = median/min − 1. Ratios are of minimums, except memory: medians of every process's measurement after load.
- Variants: **stock** (emcc -O2, where it does not trap), **EMULATE** (same C with -sEMULATE_FUNCTION_POINTER_CASTS), **JS trampolines** (\`transformWasm(stock, { strategy: 'js' })\`: a JS trampoline at every site, the seed approach), **ours: shadow** (\`transformWasm(stock, { strategy: 'shadow' })\`). Transformed variants are made from the stock wasm at bench time by the code under test. For W4: stock npm Pyodide (CPython's own trampoline: JS on Node 20, wasm-gc on Node 24 and Chromium) against the same wasm with that trampoline removed (\`test/pyodide/untrampoline.ts\`) and our transform applied (glue through \`transformGlue\`).

These are numbers for people, not pass/fail tests. ✓/✗ compare with the targets of issue 5 (near-zero cost).

![benchmark chart](chart.svg)

## Ratios against the targets

${ratios}

${unmet.length ? `Behind on: ${unmet.map(t => `${t.metric}${t.engine ? ` (${engineLabel(t.engine)})` : ''} = ${t.shown}`).join('; ')}.` : 'Every target is met.'}

${results.c ? `## W1-W3: C workloads (time per run(n), min ±spread)\n\n${cTables(results)}\n` : ''}
${results.pyodide?.engines && Object.keys(results.pyodide.engines).length ? `## W4: Pyodide (time per workload, min ±spread)\n\n${pyTables(results)}\n` : ''}
${results.pyodide?.build ? `## Build side\n\n${buildTables(results)}\n` : ''}
Raw samples: \`bench/results.json\`. How to run and read this: \`bench/README.md\`.
`
  writeFileSync(join(dir, 'results.md'), md.replace(/\n{3,}/g, '\n\n'))
  return { table: ratios }
}
