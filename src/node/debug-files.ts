/**
 * The debug files a wasm names, read from beside it: its source map
 * (`sourceMappingURL`, `-gsource-map`) and its separate DWARF file
 * (`external_debug_info`, `-gseparate-dwarf`). The transform rewrites both
 * with the module; the CLI and the Node API write them beside the output,
 * the bundler plugin emits them beside the asset.
 */
import { readFileSync, statSync } from 'node:fs'
import { basename, dirname, resolve } from 'node:path'
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
}

/** The debug files `bytes` (the wasm at `wasmPath`) names that exist; none when `debugInfo` is 'strip'. */
export function readDebugFiles(wasmPath: string, bytes: Uint8Array, debugInfo: 'keep' | 'strip' | undefined): DebugFiles {
  if (debugInfo === 'strip') return {}
  const map = beside(wasmPath, sourceMappingUrl(bytes))
  const dwarf = beside(wasmPath, externalDebugInfoUrl(bytes))
  return {
    ...(map && { sourceMap: { ...map, content: readFileSync(map.path, 'utf8') } }),
    ...(dwarf && { debugFile: { ...dwarf, content: new Uint8Array(readFileSync(dwarf.path)) } }),
  }
}

/** The file a URL in a wasm names, when it exists at that relative path from the wasm (a URL with a scheme: its base name beside the wasm). */
function beside(wasmPath: string, url: string | undefined): { path: string; url: string } | undefined {
  if (url === undefined) return undefined
  const absolute = /^[a-z][a-z0-9+.-]*:/i.test(url)
  let path: string
  try {
    path = resolve(dirname(wasmPath), absolute ? basename(new URL(url).pathname) : url)
  } catch {
    return undefined
  }
  try {
    if (!statSync(path).isFile()) return undefined
  } catch {
    return undefined
  }
  return { path, url: absolute ? url : basename(path) }
}
