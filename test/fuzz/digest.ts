/**
 * npm run fuzz:digest -- [--count N] [--features M] [--seed S]: one SHA-256
 * over what the transform writes (bytes and report) for N differential and M
 * feature modules of the fuzzer, each under both slot modes and the js
 * strategy. A refactoring that must not change behaviour must not change
 * this digest either.
 */
import { createHash } from 'node:crypto'
import { parseArgs } from 'node:util'
import { transformWasm, type TransformOptions } from '../../src/core/index.ts'
import { compile, generate } from './differential.ts'
import { generateFeatures } from './features.ts'

const { values } = parseArgs({
  options: { count: { type: 'string', default: '10000' }, features: { type: 'string', default: '1000' }, seed: { type: 'string', default: '1' } },
})
const count = Number(values.count),
  featureCount = Number(values.features),
  first = Number(values.seed)
const variants: TransformOptions[] = [{ slotVia: 'global' }, { slotVia: 'argument' }, { strategy: 'js' }]
const digest = createHash('sha256')
let outputs = 0
for (let seed = first; seed < first + Math.max(count, featureCount); seed++) {
  const inputs: Uint8Array[] = []
  if (seed < first + count) inputs.push(compile(generate(seed, seed % 5 === 0).wat))
  // Feature modules are slower to transform (tables past 65,536 slots): fewer of them.
  if (seed < first + featureCount) inputs.push(generateFeatures(seed).wasm)
  for (const [i, input] of inputs.entries()) {
    for (const options of variants) {
      const { wasm, report } = transformWasm(input, { ...options, fileName: `seed-${seed}-${i}.wasm` })
      digest.update(wasm).update(JSON.stringify({ ...report, timeMs: undefined }))
      outputs++
    }
  }
  if ((seed - first + 1) % 1000 === 0) console.error(`${seed - first + 1} seeds`)
}
console.log(`${digest.digest('hex')}  ${outputs} outputs: ${count} differential and ${featureCount} feature modules from seed ${first}`)
