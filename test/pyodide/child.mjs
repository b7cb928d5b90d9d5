// Child process of runPyodide (test/pyodide/run.ts):
//   node child.mjs <pyodide dir> <python file>
// Loads Pyodide from <pyodide dir>, runs <python file>, writes what Python
// prints to stdout byte for byte. Any failure (including a wasm RuntimeError
// during start-up) is written to stderr and exits with code 1.
import { readFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { pathToFileURL } from 'node:url'

const [dir, pyFile] = process.argv.slice(2)

// Writes to a pipe may be queued (a busy parent fills it): wait until both
// streams have flushed before exiting, or the tail of the output is lost.
const flushed = stream => new Promise(resolve => stream.write('', resolve))
async function exit(code) {
  await Promise.all([flushed(process.stdout), flushed(process.stderr)])
  process.exit(code)
}

async function die(err) {
  const text = err?.stack ? `${err.name ?? 'Error'}: ${err.message}\n${err.stack}` : String(err)
  process.stderr.write(`runPyodide: ${text}\n`)
  await exit(1)
}
process.on('uncaughtException', die)
process.on('unhandledRejection', die)

try {
  const { loadPyodide } = await import(pathToFileURL(join(dir, 'pyodide.mjs')).href)
  const write = stream => ({
    write(buf) {
      // buf is a view of the wasm heap, reused for the next write: copy it.
      stream.write(Buffer.from(buf))
      return buf.length
    },
  })
  const pyodide = await loadPyodide({
    indexURL: dir.endsWith('/') ? dir : `${dir}/`,
    stdout: line => process.stdout.write(`${line}\n`),
    stderr: line => process.stderr.write(`${line}\n`),
  })
  pyodide.setStdout(write(process.stdout))
  pyodide.setStderr(write(process.stderr))
  pyodide.runPython(readFileSync(pyFile, 'utf8'), { filename: basename(pyFile) })
} catch (err) {
  await die(err)
}
await exit(0)
