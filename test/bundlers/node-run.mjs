// Runs a bundled fixture app in Node and prints its result as JSON on stdout:
//   node node-run.mjs <bundle.js|.mjs|.cjs> [--hide-fetch] [--locate-dir DIR]
// Emscripten 3.1.6 web+node ES module glue needs `require` and `__dirname`
// as globals under Node (its Node branch is CommonJS), and cannot fetch a
// file path: --hide-fetch makes it read the file with fs, like the CommonJS
// fixtures' pre-js does. --locate-dir makes the app pass a Module.locateFile
// that finds files in DIR (used to run untransformed builds on the original wasm). The app stores its result in globalThis.__fpcastResult.
import { createRequire } from 'node:module'
import { dirname, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

const [arg, ...flags] = process.argv.slice(2)
const bundle = resolve(arg)
globalThis.__dirname = dirname(bundle)
globalThis.require = createRequire(bundle)
if (flags.includes('--hide-fetch')) globalThis.fetch = undefined
const locateDir = flags.includes('--locate-dir') ? flags[flags.indexOf('--locate-dir') + 1] : undefined
if (locateDir) globalThis.__fpcastModuleArgs = { locateFile: f => resolve(locateDir, f) }
if (bundle.endsWith('.cjs')) globalThis.require(bundle)
else await import(pathToFileURL(bundle).href)
const started = Date.now()
while (!globalThis.__fpcastResult && Date.now() - started < 30000) await new Promise(r => setTimeout(r, 10))
process.stdout.write(`${JSON.stringify(globalThis.__fpcastResult ?? { lines: [], errors: [], error: 'no result within 30 s' })}\n`)
