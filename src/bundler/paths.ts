/** Small helpers on module ids and file paths, shared by the plugin's parts. */
import { existsSync, readFileSync, statSync } from 'node:fs'

/** A JS module (its query stripped first). */
export const JS_RE = /\.[cm]?js$/
/** The files a finished bundle's check looks at: JS chunks and wasm assets. */
export const JS_OR_WASM_RE = /\.(?:[cm]?js|wasm)$/

/** A module id without its query: `/app/x.wasm?url` -> `/app/x.wasm`. */
export const stripQuery = (id: string): string => id.replace(/\?.*$/, '')

/** A RegExp source that matches `text` literally. */
export const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

export const isFile = (path: string): boolean => existsSync(path) && statSync(path).isFile()

/**
 * A file's bytes as a plain Uint8Array over the Buffer read, not a copy of
 * it: `new Uint8Array(buffer)` copies, and first-touching another 9.6 MB took
 * Pyodide's cached rebuild ~60 ms per copy (two a cache hit).
 */
export function readBytes(path: string): Uint8Array {
  const b = readFileSync(path)
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength)
}
