// Node side of the C workload harness: run by bench/main.ts in a child
// process per engine (node --no-liftoff bench/harness/c-node.mjs <config.json>).
// Prints one JSON object on stdout.
//
// config.json: { runtime: <path of runtime.js>, variants: [{ name, file, runtime }],
//                workloads, reps, minReps, maxMsPerVariant }
import { readFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { runCBench } from './c-harness.js'

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'))
const { fpcastRuntime } = await import(pathToFileURL(config.runtime).href)
const variants = config.variants.map(v => ({ name: v.name, runtime: v.runtime, bytes: new Uint8Array(readFileSync(v.file)) }))
const out = await runCBench(
  { ...config, variants },
  {
    WA: WebAssembly,
    runtimeWA: fpcastRuntime(WebAssembly),
    now: () => performance.now(),
    log: s => process.stderr.write(`  ${s}\n`),
  },
)
process.stdout.write(JSON.stringify(out))
