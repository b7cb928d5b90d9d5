// Runs one smoke test: node smoke-main.mjs <smoke file> <node_modules root> [variant].
// Prints the smoke test's result as one line `RESULT <json>` and exits (Emscripten
// modules with pthreads or timers keep the event loop alive otherwise).
import { pathToFileURL } from 'node:url'
import { readFile } from 'node:fs/promises'

const [file, root, variant] = process.argv.slice(2)

// Some packages are built for the web only and fetch their wasm: let fetch read file: URLs.
const realFetch = globalThis.fetch
globalThis.fetch = async (input, init) => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input?.url
  if (url && (url.startsWith('file:') || url.startsWith('/'))) {
    const path = url.startsWith('file:') ? new URL(url) : url
    const body = await readFile(path)
    return new Response(body, { headers: { 'content-type': url.endsWith('.wasm') ? 'application/wasm' : 'application/octet-stream' } })
  }
  return realFetch(input, init)
}

const timer = setTimeout(
  () => {
    console.log(`RESULT ${JSON.stringify({ error: 'timeout' })}`)
    process.exit(3)
  },
  Number(process.env.SMOKE_TIMEOUT ?? 120000),
)
try {
  const mod = await import(pathToFileURL(file).href)
  const result = await mod.default(root, variant)
  clearTimeout(timer)
  console.log(`RESULT ${JSON.stringify(result)}`)
  process.exit(0)
} catch (e) {
  console.log(
    'RESULT ' +
      JSON.stringify({
        error: String(e?.stack ?? e)
          .split('\n')
          .slice(0, 3)
          .join(' | '),
      }),
  )
  process.exit(2)
}
