/**
 * npm run fuzz -- [--count N] [--seed S]: differential fuzzing (see
 * differential.ts). Prints a summary; exits non-zero on any difference and
 * prints the first failing module.
 */
import { parseArgs } from 'node:util'
import { runOne } from './differential.ts'

const { values } = parseArgs({ options: { count: { type: 'string', default: '1000' }, seed: { type: 'string', default: '1' } } })
const count = Number(values.count), first = Number(values.seed)
const started = performance.now()
let casts = 0, sets = 0, failed = 0
for (let i = 0; i < count; i++) {
  const o = await runOne(first + i)
  casts += o.casts
  sets += o.sets
  if (!o.ok) {
    failed++
    if (failed === 1) console.error(`seed ${o.seed}: ${o.reason}`)
  }
  if ((i + 1) % 500 === 0) console.error(`${i + 1}/${count} modules, ${failed} differences`)
}
console.log(`fuzz: ${count} modules (seeds ${first}..${first + count - 1}), ${casts} cast call sites, ${sets} slots set inside wasm, ${failed} differences, ${((performance.now() - started) / 1000).toFixed(1)} s`)
process.exitCode = failed ? 1 : 0
