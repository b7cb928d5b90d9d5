// Shared helpers for the Pyodide flagship tests.
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { engines } from '../helpers/engines.ts'
import { runPyodide, type RunResult } from './run'

const HERE = dirname(fileURLToPath(import.meta.url))

export const SUITE = readFileSync(join(HERE, 'suite.py'), 'utf8')
export const DEPTH_PY = readFileSync(join(HERE, 'depth.py'), 'utf8')

/**
 * The engines every variant runs on: this machine's Node 20 (no final wasm-gc
 * encoding, so stock Pyodide uses its JS trampoline) and Node 24 (wasm-gc
 * trampoline), installed by the global setup. A missing one fails, never skips.
 */
export const NODES: Array<{ label: string; bin: string }> = engines().map(e => ({ label: e.name, bin: e.bin }))

/** Output without the "DEPTH:" lines, which depend on stack use. */
export function comparable(stdout: string): string {
  return stdout
    .split('\n')
    .filter(l => !l.startsWith('DEPTH:'))
    .join('\n')
}

/** Runs the stock package's suite once per Node binary and caches the result. */
const stockRuns = new Map<string, Promise<RunResult>>()
export function stockSuite(node: string): Promise<RunResult> {
  let p = stockRuns.get(node)
  if (!p) {
    p = runPyodide({ python: SUITE, node })
    stockRuns.set(node, p)
  }
  return p
}

/** Last "DEPTH:" line of an output (how deep a probe got), or undefined. */
export function lastDepth(stdout: string): string | undefined {
  return stdout
    .split('\n')
    .filter(l => l.startsWith('DEPTH:'))
    .pop()
}
