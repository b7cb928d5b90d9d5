/** Small helpers on module ids and file paths, shared by the plugin's parts. */
import { existsSync, statSync } from 'node:fs'

/** A JS module (its query stripped first). */
export const JS_RE = /\.[cm]?js$/
/** The files a finished bundle's check looks at: JS chunks and wasm assets. */
export const JS_OR_WASM_RE = /\.(?:[cm]?js|wasm)$/

/** A module id without its query: `/app/x.wasm?url` -> `/app/x.wasm`. */
export const stripQuery = (id: string): string => id.replace(/\?.*$/, '')

/** A RegExp source that matches `text` literally. */
export const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

export const isFile = (path: string): boolean => existsSync(path) && statSync(path).isFile()
