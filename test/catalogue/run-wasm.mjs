// Runs a bare module's `run` export and prints the outcome as one JSON line:
//   node run-wasm.mjs <file.wasm> [plain|runtime] [--jspi]
// `runtime` instantiates through the package's runtime (dist/runtime.js), as
// a transformed module needs; `plain` through WebAssembly itself. With --jspi
// the module's import env.sleep is a WebAssembly.Suspending async function
// and run(5) is called through WebAssembly.promising (JSPI: Node 24+).
import { readFileSync } from 'node:fs'
import { fpcastRuntime } from '../../dist/runtime.js'

const [file, how = 'runtime', ...flags] = process.argv.slice(2)
const WA = how === 'runtime' ? fpcastRuntime(WebAssembly) : WebAssembly
const print = o => process.stdout.write(`${JSON.stringify(o)}\n`)
try {
  const bytes = readFileSync(file)
  let value
  if (flags.includes('--jspi')) {
    const sleep = new WebAssembly.Suspending(async x => {
      await new Promise(r => setTimeout(r, 1))
      return x * 2
    })
    const { instance } = await WA.instantiate(bytes, { env: { sleep } })
    value = await WebAssembly.promising(instance.exports.run)(5)
  } else {
    const { instance } = await WA.instantiate(bytes, {})
    value = instance.exports.run()
  }
  print({ ok: true, value: String(value) })
} catch (e) {
  print({ ok: false, error: `${e?.name}: ${e?.message}` })
}
