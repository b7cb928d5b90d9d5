// Where V8 keeps the memory after Pyodide loads, by heap space:
//
//   node --expose-gc bench/pyodide/heap-spaces.mjs <pyodide dir>
//
// e.g. for stock and ours after `npm run bench` (which leaves both under bench/.out/pyodide/):
//   for v in stock ours; do node --expose-gc bench/pyodide/heap-spaces.mjs bench/.out/pyodide/$v; done
// Prints one JSON line: RSS and the used size of each heap space in MiB. The
// wasm dispatch tables of our shadow tables show up in trusted (large object)
// space on recent V8; RSS alone moves ±8% between processes.
import v8 from 'node:v8'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

const dir = process.argv[2]
const { loadPyodide } = await import(pathToFileURL(join(dir, 'pyodide.mjs')).href)
await loadPyodide({ indexURL: dir.endsWith('/') ? dir : `${dir}/`, stdout: () => {}, stderr: () => {} })
globalThis.gc?.()
const mib = bytes => +(bytes / 2 ** 20).toFixed(2)
const out = { dir, rss: mib(process.memoryUsage().rss) }
for (const s of v8.getHeapSpaceStatistics()) if (s.space_used_size) out[s.space_name] = mib(s.space_used_size)
console.log(JSON.stringify(out))
