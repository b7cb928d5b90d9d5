/**
 * The debug files a wasm names, read from beside it: its source map
 * (`sourceMappingURL`, `-gsource-map`) and its separate DWARF file
 * (`external_debug_info`, `-gseparate-dwarf`). The transform rewrites both
 * with the module; the CLI and the Node API write them beside the output,
 * the bundler plugin emits them beside the asset.
 */
import { readFileSync } from 'node:fs'
import { basename, dirname, resolve } from 'node:path'
import { isFile } from '../bundler/paths.ts'
import { externalDebugInfoUrl, sourceMappingUrl } from '../core/wasm/debug/index.ts'

export interface DebugFile<T> {
  /** Where it is. */
  path: string
  /** The URL the output should name it by: its base name, or the wasm's URL when that has a scheme (--source-map-base, -sSEPARATE_DWARF_URL). */
  url: string
  content: T
}

export interface DebugFiles {
  sourceMap?: DebugFile<string>
  debugFile?: DebugFile<Uint8Array>
  /** Every path the wasm's debug URLs name, found or not: what to watch for a change. */
  named: string[]
}

/** The debug files `bytes` (the wasm at `wasmPath`) names that exist; none when `debugInfo` is 'strip'. */
export function readDebugFiles(wasmPath: string, bytes: Uint8Array, debugInfo: 'keep' | 'strip' | undefined): DebugFiles {
  if (debugInfo === 'strip') return { named: [] }
  const map = beside(wasmPath, sourceMappingUrl(bytes))
  const dwarf = beside(wasmPath, externalDebugInfoUrl(bytes))
  return {
    ...(map && isFile(map.path) && { sourceMap: { ...map, content: readFileSync(map.path, 'utf8') } }),
    ...(dwarf && isFile(dwarf.path) && { debugFile: { ...dwarf, content: new Uint8Array(readFileSync(dwarf.path)) } }),
    named: [map, dwarf].flatMap(f => (f ? [f.path] : [])),
  }
}

/** Where a URL in a wasm puts its file: that relative path from the wasm (a URL with a scheme: its base name beside the wasm). */
function beside(wasmPath: string, url: string | undefined): { path: string; url: string } | undefined {
  if (url === undefined) return undefined
  const absolute = /^[a-z][a-z0-9+.-]*:/i.test(url)
  try {
    const path = resolve(dirname(wasmPath), absolute ? basename(new URL(url).pathname) : url)
    return { path, url: absolute ? url : basename(path) }
  } catch {
    return undefined
  }
}
