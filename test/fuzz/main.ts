/**
 * npm run fuzz -- [--count N] [--seed S] [--features N] [--writer copy|binaryen|both]:
 * differential fuzzing against fpcast-emu (see differential.ts), then model-checked fuzzing of
 * multi-value, tail calls, start functions, exceptions, tables past 65,536
 * slots and shared tables (features.ts; N modules, the same count by
 * default). With `--writer both` (the default) every module is transformed
 * by the copy-through writer and by binaryen's, and their outputs must
 * behave alike too. Prints a summary of each; exits non-zero on any difference and
 * prints the first failing module.
 */
import { parseArgs } from 'node:util'
import { runOne, type Writer } from './differential.ts'
import { type FeatureCounts, runFeatures, zeroCounts } from './features.ts'

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '1000' },
    seed: { type: 'string', default: '1' },
    features: { type: 'string' },
    writer: { type: 'string', default: 'both' },
  },
})
const writer = values.writer as Writer
if (!['copy', 'binaryen', 'both'].includes(writer)) throw new Error(`--writer: '${writer}' is not one of copy, binaryen, both`)
const count = Number(values.count),
  first = Number(values.seed),
  featureCount = Number(values.features ?? values.count)
const engine = `node ${process.versions.node}`
let started = performance.now()
let casts = 0,
  sets = 0,
  failed = 0
const skeletons = { compact: 0, stubs: 0 }
let dispatched = 0
for (let i = 0; i < count; i++) {
  const o = await runOne(first + i, writer)
  casts += o.casts
  sets += o.sets
  if (o.skeleton) skeletons[o.skeleton]++
  if (o.dispatched) dispatched++
  if (!o.ok) {
    failed++
    if (failed === 1) console.error(`seed ${o.seed}: ${o.reason}`)
  }
  if ((i + 1) % 500 === 0) console.error(`${i + 1}/${count} modules, ${failed} differences`)
}
console.log(
  `fuzz (${engine}): ${count} modules (seeds ${first}..${first + count - 1}), ${casts} cast call sites, ${sets} slots set inside wasm, copy writer's skeleton compact ${skeletons.compact} / stubs ${skeletons.stubs}, br_table adapters in ${dispatched}, ${failed} differences, ${((performance.now() - started) / 1000).toFixed(1)} s`,
)

started = performance.now()
const total: FeatureCounts = zeroCounts()
let featureFailures = 0
const featureSkeletons = { compact: 0, stubs: 0 }
let featuresDispatched = 0
for (let i = 0; i < featureCount; i++) {
  const o = await runFeatures(first + i, writer)
  for (const k of Object.keys(total) as (keyof FeatureCounts)[]) total[k] += o.counts[k]
  if (o.skeleton) featureSkeletons[o.skeleton]++
  if (o.dispatched) featuresDispatched++
  if (!o.ok) {
    featureFailures++
    if (featureFailures === 1) console.error(`features seed ${o.seed}: ${o.reason}`)
  }
  if ((i + 1) % 500 === 0) console.error(`${i + 1}/${featureCount} feature modules, ${featureFailures} differences`)
}
const c = total
console.log(
  `features (${engine}): ${c.modules} modules, ${c.casts} cast calls, ${c.multiValue} multi-value calls, ${c.tail} tail calls, ${c.guarded} calls inside try/catch_all (${c.exceptions} exceptions caught), ${c.incompatible} incompatible traps, ${c.startCalls} calls from start functions, ${c.bigTables} tables past 65,536 slots (${c.highSlotCalls} calls at high slots), ${c.shared} shared tables, ${c.copies} slots set inside wasm, copy writer's skeleton compact ${featureSkeletons.compact} / stubs ${featureSkeletons.stubs}, br_table adapters in ${featuresDispatched}, ${featureFailures} differences, ${((performance.now() - started) / 1000).toFixed(1)} s`,
)
process.exitCode = failed || featureFailures ? 1 : 0
