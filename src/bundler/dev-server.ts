/**
 * The Vite dev server's route for transformed wasm:
 * `<base>@fpcast-trampoline/fs/<absolute path>`. It serves no more than
 * Vite's own `/@fs/` would: the URL is parsed and decoded as a whole, the
 * path normalised (`..`, `%2e%2e`, `%2f`) and resolved through links, and the
 * file must be one the plugin handed out or one Vite itself would serve
 * (`isFileServingAllowed`: `server.fs.allow`, `server.fs.deny`). The
 * rewritten debug files a served wasm names are answered from memory, in
 * that wasm's folder only. Errors answer without paths; the details go to
 * the server's log.
 */
import { existsSync, realpathSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { resolve } from 'node:path'

export const DEV_PATH = '@fpcast-trampoline/fs'

export interface DevRouteOptions {
  /** Vite's `base`, ending in `/`. */
  base: string
  /** Files whose URLs the plugin handed out (real paths). */
  handedOut: Set<string>
  /** The plugin's include/exclude. */
  filter: (file: string) => boolean
  /** Vite's own check for `/@fs/` (bound to the server's config). */
  servingAllowed: (file: string) => boolean
  /** The transformed bytes of a file. */
  transform: (file: string) => Promise<Uint8Array>
  /** A rewritten debug file (source map, separate DWARF file) at this path: beside a wasm handed out, named by its transformed bytes. */
  companion: (file: string) => string | Uint8Array | undefined
  logError: (message: string) => void
}

/** The dev URL path of a wasm file. */
export function devUrlPath(base: string, file: string): string {
  const abs = file.replace(/\\/g, '/')
  return `${base}${DEV_PATH}${abs.startsWith('/') ? '' : '/'}${encodeURI(abs)}`
}

/** The absolute, normalised file a request names, or `undefined` when it is not ours; `null` when it is malformed. */
export function requestedFile(rawUrl: string, base: string): string | null | undefined {
  const prefix = `${base}${DEV_PATH}/`
  let pathname: string
  try {
    // WHATWG parsing resolves `..` and `%2e%2e` segments, as Vite's own /@fs route does.
    pathname = decodeURIComponent(new URL(rawUrl.replace(/^\/{2,}/, '/'), 'http://localhost').pathname)
  } catch {
    return rawUrl.startsWith(prefix) ? null : undefined
  }
  if (!pathname.startsWith(prefix)) return undefined
  if (pathname.includes('\0')) return null
  const file = pathname.slice(prefix.length - 1).replace(/^\/([A-Za-z]:)/, '$1')
  // Decoded `%2f` may have made new `..` segments: resolve them too.
  return resolve(file)
}

export function devWasmRoute(o: DevRouteOptions) {
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const file = requestedFile(req.url ?? '', o.base)
    if (file === undefined) {
      next()
      return
    }
    if (file === null) {
      res.statusCode = 400
      res.end('Bad request')
      return
    }
    // Debug files live in the store, not on disk: DevTools asks for them where the wasm's URL puts them.
    const companion = o.companion(file)
    if (companion !== undefined) {
      res.setHeader('Content-Type', typeof companion === 'string' ? 'application/json' : 'application/wasm')
      res.setHeader('Cache-Control', 'no-cache')
      res.end(typeof companion === 'string' ? companion : Buffer.from(companion.buffer, companion.byteOffset, companion.byteLength))
      return
    }
    if (!file.endsWith('.wasm')) {
      next()
      return
    }
    const real = existsSync(file) ? realpathSync(file) : file
    const ours = o.handedOut.has(real)
    if (!ours && !o.filter(real)) {
      next()
      return
    }
    if (!ours && !(o.servingAllowed(file) && o.servingAllowed(real))) {
      res.statusCode = 403
      res.end('The request is outside of the files the dev server may serve (server.fs.allow)')
      return
    }
    if (!existsSync(real)) {
      res.statusCode = 404
      res.end('Not found')
      return
    }
    o.transform(real).then(
      bytes => {
        res.setHeader('Content-Type', 'application/wasm')
        res.setHeader('Cache-Control', 'no-cache')
        res.end(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))
      },
      e => {
        o.logError((e as Error).message)
        res.statusCode = 500
        res.end("[fpcast-trampoline] this wasm could not be transformed; the dev server's log says why")
      },
    )
  }
}
