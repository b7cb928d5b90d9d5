// Checks that each workload's hot loop really goes through call_indirect:
// clang or binaryen must not have devirtualised it.
//
//   node bench/harness/check-sites.mjs bench/build/stock.wasm
//
// Reads `wasm2wat` text (wabt). For every exported *_run function it looks for
// a `loop` whose body does `call_indirect` itself, or calls (through any
// chain of direct calls) a function that does. Exits 1 if one does not.
import { execFileSync } from 'node:child_process'

const file = process.argv[2]
if (!file) {
  console.error('usage: check-sites.mjs <file.wasm>')
  process.exit(2)
}
const wat = execFileSync('wasm2wat', ['--enable-all', file], { encoding: 'utf8', maxBuffer: 1 << 28 })

/** @type {Map<number, {indirect: number, indirectInLoop: number, callsInLoop: Set<number>, calls: Set<number>}>} */
const funcs = new Map()
const exports = new Map()
let cur = null
let fi = -1
let depth = 0
/** stack of booleans: is this block a loop */
let stack = []
for (const raw of wat.split('\n')) {
  const line = raw.trim()
  const fm = line.match(/^\(func \(;(\d+);\)/)
  if (fm) {
    fi = Number(fm[1])
    cur = { indirect: 0, indirectInLoop: 0, callsInLoop: new Set(), calls: new Set() }
    funcs.set(fi, cur)
    stack = []
    depth = 0
    continue
  }
  const em = line.match(/^\(export "([^"]+)" \(func (\d+)\)\)/)
  if (em) exports.set(em[1], Number(em[2]))
  if (!cur) continue
  if (/^(block|loop|if|try)\b/.test(line)) stack.push(line.startsWith('loop'))
  else if (line === 'end' || line.startsWith('end ')) stack.pop()
  const inLoop = stack.includes(true)
  if (line.startsWith('call_indirect') || line.startsWith('return_call_indirect')) {
    cur.indirect++
    if (inLoop) cur.indirectInLoop++
  } else {
    const cm = line.match(/^(?:return_)?call (\d+)/)
    if (cm) {
      cur.calls.add(Number(cm[1]))
      if (inLoop) cur.callsInLoop.add(Number(cm[1]))
    }
  }
  void depth
}

function reachesIndirect(f, seen = new Set()) {
  if (seen.has(f)) return false
  seen.add(f)
  const info = funcs.get(f)
  if (!info) return false
  if (info.indirect) return true
  for (const c of info.calls) if (reachesIndirect(c, seen)) return true
  return false
}

/** Functions reachable from f by direct calls, f included. */
function reachable(f) {
  const out = new Set([f])
  for (const g of out) for (const c of funcs.get(g)?.calls ?? []) out.add(c)
  return [...out]
}

let bad = 0
for (const [name, f] of exports) {
  if (!name.endsWith('_run')) continue
  // A loop in the export or in any function it reaches that does call_indirect
  // itself or through a callee.
  const hot = reachable(f).filter(g => {
    const info = funcs.get(g)
    return info && (info.indirectInLoop > 0 || [...info.callsInLoop].some(c => reachesIndirect(c)))
  })
  const ok = hot.length > 0
  console.log(
    `  ${name.padEnd(18)} ${ok ? 'ok  ' : 'FAIL'} loops that call_indirect: ${ok ? hot.map(g => `func ${g}${g === f ? ' (itself)' : ''}`).join(', ') : 'none'}`,
  )
  if (!ok) bad++
}
if (bad) {
  console.error(`${bad} workload(s) do not call_indirect in their hot loop`)
  process.exit(1)
}
