// real-c/results.md from a run of real-c/run.mjs.
const ratio = (a, b) => (b ? (a / b).toFixed(2) : 'n/a')
const kib = n => `${(n / 1024).toFixed(0)} KiB`
const sec = ms => `${(ms / 1000).toFixed(1)} s`

export function report({ summaries, totalMs, machine, argv }) {
  const L = []
  L.push('# Real C that traps stock: the last results of each library', '')
  L.push(`Written by \`npm run real-c${argv.length ? ` -- ${argv.join(' ')}` : ''}\` (real-c/run.mjs), Node ${process.version}, Emscripten 3.1.6.`)
  L.push(
    `Machine: ${machine}. Whole run: ${sec(totalMs)}. A library that run did not include keeps its last results (its section says when and at which commit).`,
    '',
  )
  L.push('"passed": tests that exit 0 without a trap (and, for Pd, print exactly what the native build prints).')
  L.push('Times are the summed wall time of the tests that pass under both variants compared, each a fresh `node` process')
  L.push('(start-up and compilation included, two tests at a time on a shared machine: expect ±10%).')
  L.push('Sizes are the summed `.wasm` bytes of all test programs. Sites: distinct `function#n` call_indirect sites')
  L.push('that a `--diagnostics` build saw adapt at least once while the tests ran.', '')
  L.push(
    '| library | result | tests | native | stock | EMULATE | ours | stock traps in | time ours/stock | time ours/EMULATE | wasm stock | wasm EMULATE | wasm ours | ours/stock | ours/EMULATE | sites adapted | adapted calls |',
  )
  L.push('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |')
  for (const s of summaries) {
    const t = s.time
    L.push(
      `| ${s.title} | ${s.pass ? 'PASS' : 'FAIL'} | ${s.tests} | ${s.passed.native ?? '—'} | ${s.passed.stock} | ${s.passed.emulate} | ${s.passed.ours} | ${s.stockTraps} | ` +
        `${ratio(t.oursVsStock.ours, t.oursVsStock.stock)} (${t.oursVsStock.tests} tests, ${sec(t.oursVsStock.ours)} vs ${sec(t.oursVsStock.stock)}) | ` +
        `${ratio(t.oursVsEmulate.ours, t.oursVsEmulate.emulate)} (${t.oursVsEmulate.tests} tests, ${sec(t.oursVsEmulate.ours)} vs ${sec(t.oursVsEmulate.emulate)}) | ` +
        `${kib(s.size.stock)} | ${kib(s.size.emulate)} | ${kib(s.size.ours)} | ${ratio(s.size.ours, s.size.stock)} | ${ratio(s.size.ours, s.size.emulate)} | ` +
        `${s.sites.length} | ${s.sites.reduce((n, x) => n + x.count, 0)} |`,
    )
  }
  for (const s of summaries) {
    L.push('', `## ${s.name}`, '')
    const run = s.run
      ? `${s.run.at.slice(0, 16).replace('T', ' ')} UTC at ${s.run.commit}, Node ${s.run.node}, \`${s.run.argv || '(all)'}\``
      : 'an earlier run (before runs were dated)'
    L.push(`Run: ${run}. Build (or cache check): ${sec(s.buildMs)}.`, '')
    if (s.regressions.length) {
      L.push('Ours fails where EMULATE, stock or native passes:', '')
      for (const r of s.regressions) L.push(`- ${r.test}: \`${(r.tail || '').replace(/\n/g, ' ⏎ ').slice(0, 300)}\``)
      L.push('')
    }
    if (s.wasmOnly?.length)
      L.push(
        `Pass natively, fail under every wasm build without trapping (Emscripten lacks or differs; not counted against ours): ${s.wasmOnly.join(', ')}.`,
        '',
      )
    if (s.notOnWasm?.length)
      L.push(`Pass natively, fail under EMULATE and ours alike (need what Emscripten lacks or does differently): ${s.notOnWasm.join(', ')}.`, '')
    L.push('Adapted sites (diagnostics build), most calls first:', '')
    L.push('| site | calls | tests | expected <- actual |', '| --- | ---: | ---: | --- |')
    for (const x of s.sites.slice(0, 25)) L.push(`| \`${x.site}\` | ${x.count} | ${x.tests} | ${x.pairs.map(p => `\`${p}\``).join('<br>')} |`)
    if (s.sites.length > 25) L.push(`| … ${s.sites.length - 25} more | | | |`)
    L.push('', 'Per test (✓ passed, T trapped, ✗ failed otherwise, ⏱ timed out):', '')
    const hasNative = s.passed.native !== null
    L.push(`| test |${hasNative ? ' native |' : ''} stock | EMULATE | ours | ms stock / EMULATE / ours |`)
    L.push(`| --- |${hasNative ? ' --- |' : ''} --- | --- | --- | --- |`)
    const mark = x => (x.ok ? '✓' : x.trapped ? 'T' : x.timedOut ? '⏱' : `✗ (${x.code})`)
    for (const r of s.results) {
      L.push(
        `| ${r.name}${r.nondeterministic ? ' (output varies natively: exit status only)' : ''} |${hasNative ? ` ${mark(r.native)} |` : ''} ` +
          `${mark(r.stock)} | ${mark(r.emulate)} | ${mark(r.ours)} | ${r.stock.ms.toFixed(0)} / ${r.emulate.ms.toFixed(0)} / ${r.ours.ms.toFixed(0)} |`,
      )
    }
  }
  return `${L.join('\n')}\n`
}
