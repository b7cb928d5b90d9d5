// A static file server on 127.0.0.1 for the Chromium runs: each URL prefix
// maps to a directory. Responses are cross-origin isolated (COOP/COEP, so
// performance.now() has fine resolution) and never cached.
import { createReadStream, statSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, normalize } from 'node:path'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.py': 'text/plain; charset=utf-8',
  '.zip': 'application/zip',
}

export interface StaticServer {
  url: string
  close(): Promise<void>
}

export async function serve(roots: Record<string, string>): Promise<StaticServer> {
  const prefixes = Object.keys(roots).sort((a, b) => b.length - a.length)
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)
    const prefix = prefixes.find(p => path.startsWith(p))
    const rel = prefix === undefined ? undefined : normalize(path.slice(prefix.length))
    const file = rel === undefined || rel.startsWith('..') ? undefined : join(roots[prefix!], rel)
    let size = -1
    try {
      if (file) {
        const st = statSync(file)
        if (st.isFile()) size = st.size
      }
    } catch {}
    const headers = {
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cache-Control': 'no-store',
    }
    if (!file || size < 0) {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' })
      res.end(`not found: ${path}`)
      return
    }
    res.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Content-Length': size })
    createReadStream(file).pipe(res)
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>(resolve => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
