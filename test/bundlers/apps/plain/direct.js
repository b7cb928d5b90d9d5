// A plain wasm imported directly (webpack's async WebAssembly): its import
// module "env" is resolved like any JS module (aliased to env.js in the config).
import { call2, hello } from './cast.wasm'
import { lines } from './env.js'

let error = null
hello()
lines.push(`add ${call2(1, 2, 3)}`)
try {
  lines.push(`inc through a cast ${call2(0, 41, 99)}`)
} catch (e) {
  error = String(e?.message || e)
}
globalThis.__fpcastResult = { lines, errors: [], error }
