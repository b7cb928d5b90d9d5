// Runs Python code on a (possibly modified) copy of the npm `pyodide` package
// in a child Node process.
import { spawn } from 'node:child_process'
import { accessSync, constants, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const require = createRequire(import.meta.url)

/** The installed npm `pyodide` package directory. */
export const PYODIDE_DIR = dirname(require.resolve('pyodide/package.json'))

const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'child.mjs')

export function stockWasm(): Uint8Array {
  return readFileSync(join(PYODIDE_DIR, 'pyodide.asm.wasm'))
}
export function stockGlue(): string {
  return readFileSync(join(PYODIDE_DIR, 'pyodide.asm.mjs'), 'utf8')
}
export function stockLoader(): string {
  return readFileSync(join(PYODIDE_DIR, 'pyodide.mjs'), 'utf8')
}

export interface RunResult {
  code: number
  stdout: string
  stderr: string
}

export interface RunOptions {
  /** Replacement for pyodide.asm.wasm. */
  wasm?: Uint8Array
  /** Replacement for pyodide.asm.mjs (the Emscripten glue). */
  glue?: string
  /**
   * Replacement for pyodide.mjs, Pyodide's loader. Note that the loader, not
   * the glue, instantiates the wasm: it passes `Module.instantiateWasm`, which
   * calls WebAssembly.instantiateStreaming/instantiate itself.
   */
  loader?: string
  /** Python source to run. */
  python: string
  /** Node binary; default process.execPath. */
  node?: string
  /** Kill the child after this long (default 120 s); code is then -1. */
  timeoutMs?: number
  /** Keep the temp dir (its path is appended to stderr) for debugging. */
  keep?: boolean
}

export async function runPyodide(opts: RunOptions): Promise<RunResult> {
  const node = opts.node ?? process.execPath
  try {
    accessSync(node, constants.X_OK)
  } catch {
    throw new Error(`runPyodide: no runnable node binary at ${node}`)
  }
  const dir = mkdtempSync(join(tmpdir(), 'fpcast-pyodide-'))
  try {
    cpSync(PYODIDE_DIR, dir, { recursive: true })
    if (opts.wasm) writeFileSync(join(dir, 'pyodide.asm.wasm'), opts.wasm)
    if (opts.glue !== undefined) writeFileSync(join(dir, 'pyodide.asm.mjs'), opts.glue)
    if (opts.loader !== undefined) writeFileSync(join(dir, 'pyodide.mjs'), opts.loader)
    // pyodide.mjs does `await import("ws")` on Node when loaded as ESM; ws is
    // its dependency, so make it resolvable from the copy.
    mkdirSync(join(dir, 'node_modules'))
    symlinkSync(dirname(createRequire(join(PYODIDE_DIR, 'package.json')).resolve('ws/package.json')), join(dir, 'node_modules', 'ws'), 'dir')
    const pyFile = join(dir, 'main.py')
    writeFileSync(pyFile, opts.python)

    const result = await new Promise<RunResult>((resolve, reject) => {
      const child = spawn(node, [CHILD, dir, pyFile], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, NODE_OPTIONS: '' },
      })
      const out: Buffer[] = []
      const err: Buffer[] = []
      child.stdout.on('data', (b: Buffer) => out.push(b))
      child.stderr.on('data', (b: Buffer) => err.push(b))
      let timedOut = false
      const timer = setTimeout(() => {
        timedOut = true
        child.kill('SIGKILL')
      }, opts.timeoutMs ?? 120_000)
      child.on('error', e => {
        clearTimeout(timer)
        reject(e)
      })
      child.on('close', (code, signal) => {
        clearTimeout(timer)
        let stderr = Buffer.concat(err).toString('utf8')
        if (timedOut) stderr += `\nrunPyodide: timed out after ${opts.timeoutMs ?? 120_000} ms\n`
        else if (signal) stderr += `\nrunPyodide: killed by ${signal}\n`
        resolve({ code: timedOut ? -1 : (code ?? -1), stdout: Buffer.concat(out).toString('utf8'), stderr })
      })
    })
    if (opts.keep) result.stderr += `\nrunPyodide: kept ${dir}\n`
    return result
  } finally {
    if (!opts.keep) rmSync(dir, { recursive: true, force: true })
  }
}
