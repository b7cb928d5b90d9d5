/**
 * One process of the cache stress test (test/writes.test.ts), run with tsx:
 *
 *   node --import tsx cache-stress.ts writer <cache.ts> <dir> <key> <value.wasm> <label> <count>
 *   node --import tsx cache-stress.ts reader <cache.ts> <dir> <key> <X.wasm> <Y.wasm> <stop-file>
 *
 * Writers store their value under the same key over and over. The reader
 * reads the entry until the stop file appears and checks every answer: a hit
 * must be exactly one writer's bytes with that writer's report, and the
 * entry's files as they lie on disk must each be whole (the wasm one of the
 * two values, the JSON parseable). Prints its counts as JSON.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

const [mode, cacheModule, dir, key, ...rest] = process.argv.slice(2)
const { WasmCache } = await import(pathToFileURL(cacheModule).href)
const cache = new WasmCache(dir)
/** A report with every field a build reads (the cache treats one without them as a miss). */
const report = (label: string, size: number) => ({
  file: label,
  strategy: 'shadow',
  alreadyTransformed: false,
  sites: { total: 1, rewritten: 1 },
  bySignature: [],
  byFunction: [],
  primedFunctions: 0,
  adapters: 0,
  shadowTables: 1,
  size: { before: 0, after: size },
  warnings: [],
  timeMs: { read: 0, rewrite: 0, validate: 0, write: 0, total: 0 },
})

if (mode === 'writer') {
  const [valueFile, label, count] = rest
  const wasm = new Uint8Array(readFileSync(valueFile))
  for (let i = 0; i < Number(count); i++) cache.set(key, { wasm, report: report(label, wasm.length) })
  process.stdout.write(`${JSON.stringify({ writes: Number(count) })}\n`)
} else {
  const [xFile, yFile, stopFile] = rest
  const values: Record<string, Buffer> = { X: readFileSync(xFile), Y: readFileSync(yFile) }
  const counts = { reads: 0, hits: { X: 0, Y: 0 }, misses: 0, mixed: 0, partialWasm: 0, partialJson: 0 }
  const started = Date.now()
  while (!existsSync(stopFile) && Date.now() - started < 60_000) {
    counts.reads++
    const r = cache.get(key)
    if (!r) counts.misses++
    else if ((r.report.file === 'X' || r.report.file === 'Y') && Buffer.compare(Buffer.from(r.wasm), values[r.report.file]) === 0)
      counts.hits[r.report.file as 'X' | 'Y']++
    else counts.mixed++
    // The files themselves: renamed into place whole, never seen half-written.
    try {
      const raw = readFileSync(join(dir, `${key}.wasm`))
      if (!raw.equals(values.X) && !raw.equals(values.Y)) counts.partialWasm++
    } catch {}
    try {
      JSON.parse(readFileSync(join(dir, `${key}.json`), 'utf8'))
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') counts.partialJson++
    }
  }
  process.stdout.write(`${JSON.stringify(counts)}\n`)
}
