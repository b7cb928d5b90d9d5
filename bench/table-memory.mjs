// Memory of a big call table at run time (issue 21): a module with a 60,000-slot
// call table (one element segment) whose `run()` calls 1,000 slots spread over
// the table, all matched (so stock runs too), through one call-site signature.
// Each variant runs in a fresh process; it prints the growth of RSS and of the
// V8 heap from before compiling to after the calls (medians of 5 processes).
//
//   npm run build && node bench/table-memory.mjs [node binary]
//
// 2026-11-27, 2-core EPYC (RSS / V8 heap growth): Node 20.20 stock +4.5 / +2.3 MB,
// ours +10.7 / +3.2 MB; Node 24.21 stock +6.0 / +3.2 MB, ours +11.9 / +5.1 MB.
// Earlier the same day: +13.3 / +3.8 MB (Node 20) and +16.6 / +5.7 MB (Node 24)
// before the changed-slot marks started empty and the runtime stopped reading the
// element segments of modules that import no table; +11.6 / +3.3 and +9.9 / +5.2
// after that, before the called signature's shadow became a full one (as big as
// the call table from the start, table 0). What is left is that one shadow (a
// second copy of the call table) and the static-signature lookup's compiled
// br_tables; on Node 20 also about 3 MB that does not grow with the table (the
// hooks module's import wrappers, compiled at instantiation).
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const SLOTS = 60_000,
  CALLED = 1_000,
  RUNS = 5

if (process.argv[2] === '--child') {
  const [, , , how, file] = process.argv
  const { fpcastRuntime } = await import(new URL('../dist/runtime.js', import.meta.url))
  const WA = how === 'stock' ? WebAssembly : fpcastRuntime(WebAssembly)
  const bytes = readFileSync(file)
  globalThis.gc()
  const before = process.memoryUsage()
  const { instance } = await WA.instantiate(bytes, {})
  const sum = instance.exports.run()
  globalThis.gc()
  const after = process.memoryUsage()
  console.log(JSON.stringify({ sum, rss: after.rss - before.rss, heap: after.heapUsed - before.heapUsed }))
} else {
  const node = process.argv[2] ?? process.execPath
  const binaryen = (await import('binaryen')).default
  const { transformWasm } = await import(new URL('../dist/index.js', import.meta.url))
  const m = new binaryen.Module()
  const i32 = binaryen.i32,
    get = i => m.local.get(i, i32)
  m.addFunction('one', binaryen.createType([i32]), i32, [], m.i32.add(get(0), m.i32.const(1)))
  m.addFunction('same', binaryen.createType([i32, i32]), i32, [], m.i32.add(get(0), get(1)))
  m.addFunction('three', binaryen.createType([i32, i32, i32]), i32, [], get(2))
  m.addFunction('none', binaryen.none, i32, [], m.i32.const(3))
  m.addTable('t', SLOTS, SLOTS)
  const names = ['one', 'same', 'three', 'none']
  const step = SLOTS / CALLED // 60: every called slot is a multiple of 60, plus 1 ($same)
  for (let at = 0; at < SLOTS; at += 10_000)
    m.addActiveElementSegment(
      't',
      `s${at}`,
      Array.from({ length: 10_000 }, (_, i) => names[(at + i) % 4]),
      m.i32.const(at),
    )
  // run(): sum over i < CALLED of call_indirect (type (i32, i32) -> i32) (i, 1) at slot i * step + 1
  m.addFunction(
    'run',
    binaryen.none,
    i32,
    [i32, i32],
    m.block(
      null,
      [
        m.loop(
          'next',
          m.block(null, [
            m.local.set(
              1,
              m.i32.add(
                get(1),
                m.call_indirect(
                  't',
                  m.i32.add(m.i32.mul(get(0), m.i32.const(step)), m.i32.const(1)),
                  [get(0), m.i32.const(1)],
                  binaryen.createType([i32, i32]),
                  i32,
                ),
              ),
            ),
            m.local.set(0, m.i32.add(get(0), m.i32.const(1))),
            m.br('next', m.i32.lt_u(get(0), m.i32.const(CALLED))),
          ]),
        ),
        get(1),
      ],
      i32,
    ),
  )
  m.addFunctionExport('run', 'run')
  m.setFeatures(binaryen.Features.MVP | binaryen.Features.BulkMemory | binaryen.Features.ReferenceTypes)
  const stock = m.emitBinary()
  m.dispose()
  const dir = mkdtempSync(join(tmpdir(), 'fpcast-mem-'))
  const files = { stock: join(dir, 'stock.wasm'), ours: join(dir, 'ours.wasm') }
  writeFileSync(files.stock, stock)
  writeFileSync(files.ours, transformWasm(stock, { fileName: 'mem.wasm' }).wasm)
  const median = xs => xs.sort((a, b) => a - b)[xs.length >> 1]
  const mb = n => `${(n / 1048576).toFixed(1)} MB`
  const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim()
  for (const how of ['stock', 'ours']) {
    const runs = Array.from({ length: RUNS }, () =>
      JSON.parse(spawnSync(node, ['--expose-gc', new URL(import.meta.url).pathname, '--child', how, files[how]], { encoding: 'utf8' }).stdout),
    )
    console.log(`${version} ${how.padEnd(5)}: RSS +${mb(median(runs.map(r => r.rss)))}, V8 heap +${mb(median(runs.map(r => r.heap)))} (run() = ${runs[0].sum})`)
  }
  rmSync(dir, { recursive: true, force: true })
}
