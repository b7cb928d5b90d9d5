// W4 in Node: one fresh process per measurement.
//
//   node --expose-gc bench/pyodide/child.mjs <pyodide dir> <workloads.py> <reps>
//
// With <reps> 0 it only loads and measures memory (the extra memory rounds).
//
// Loads Pyodide from <pyodide dir> (stock npm package, or a copy with the
// untrampolined + transformed wasm and the transformed glue), timing
// loadPyodide(); measures the process memory after load (after a full GC);
// runs the workloads (bench/pyodide/workloads.py) and prints one JSON object
// on stdout. Failures go to stderr with exit code 1.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

const [dir, pyFile, repsArg] = process.argv.slice(2)
const reps = Number(repsArg ?? 5)

const memory = () => {
  globalThis.gc?.()
  const m = process.memoryUsage()
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers }
}

try {
  const { loadPyodide } = await import(pathToFileURL(join(dir, 'pyodide.mjs')).href)
  const stderr = []
  const t = performance.now()
  const pyodide = await loadPyodide({
    indexURL: dir.endsWith('/') ? dir : `${dir}/`,
    stdout: () => {},
    stderr: line => stderr.push(line),
  })
  const loadMs = performance.now() - t
  const afterLoad = memory()
  if (reps === 0) {
    process.stdout.write(JSON.stringify({ loadMs, afterLoad, stderr }))
    process.exit(0)
  }
  pyodide.runPython(readFileSync(pyFile, 'utf8'), { filename: 'workloads.py' })
  const results = JSON.parse(pyodide.runPython(`run(${reps})`))
  const afterRun = memory()
  process.stdout.write(JSON.stringify({ loadMs, afterLoad, afterRun, results, stderr }))
  process.exitCode = 0
} catch (err) {
  process.stderr.write(`bench child: ${err?.stack ? err.stack : String(err)}\n`)
  process.exitCode = 1
}
