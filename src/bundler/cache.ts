/**
 * A persistent content-addressed cache of transformed wasm: the key is a
 * SHA-256 of the input bytes, the options that change the output and the
 * plugin version with a fingerprint of its code, so an unchanged rebuild
 * skips binaryen and any change of input, options or plugin misses. Each
 * file is written to a temporary name and renamed, so a crash never leaves a
 * half-written entry, and builds sharing the directory (concurrent
 * processes) each rename whole files. The
 * report records the SHA-256 of the bytes: an entry whose bytes do not match
 * it (a mix of two writers' files, a damaged file) or that cannot be read is
 * a miss, and so is a report without the shape a build reads (valid JSON
 * written by hand or by another version).
 *
 *   <dir>/<key>.wasm         the transformed bytes
 *   <dir>/<key>.debug.wasm   its separate DWARF file, when it has one
 *   <dir>/<key>.json         { sha256, report, sourceMap?, debugFileSha256? }
 */
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { TransformReport } from '../core/wasm/transform.ts'
import { readBytes } from './paths.ts'

export interface CachedTransform {
  wasm: Uint8Array
  report: TransformReport
  /** The rewritten source map and separate DWARF file (debug-files.ts), when the input had them. */
  sourceMap?: string
  debugFile?: Uint8Array
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

export function cacheKey(bytes: Uint8Array, transformKey: string, version: string): string {
  return createHash('sha256').update(`fpcast-trampoline ${version}\0${transformKey}\0`).update(bytes).digest('hex')
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x)

/** Whether a cached report has every field a build reads from it (the report line, warnings, sizes and times). */
function isReport(x: unknown): x is TransformReport {
  if (!isObject(x)) return false
  const { sites, size, timeMs, warnings, bySignature, byFunction } = x
  return (
    typeof x.file === 'string' &&
    typeof x.strategy === 'string' &&
    isObject(sites) &&
    typeof sites.total === 'number' &&
    typeof sites.rewritten === 'number' &&
    isObject(size) &&
    typeof size.before === 'number' &&
    typeof size.after === 'number' &&
    isObject(timeMs) &&
    Array.isArray(bySignature) &&
    Array.isArray(byFunction) &&
    Array.isArray(warnings) &&
    warnings.every(w => typeof w === 'string')
  )
}

export class WasmCache {
  constructor(readonly dir: string | undefined) {}

  get(key: string): CachedTransform | undefined {
    if (!this.dir) return undefined
    try {
      const entry = JSON.parse(readFileSync(join(this.dir, `${key}.json`), 'utf8')) as {
        sha256?: string
        report?: TransformReport
        sourceMap?: unknown
        debugFileSha256?: string
      }
      const wasm = readBytes(join(this.dir, `${key}.wasm`))
      if (!isReport(entry.report) || entry.sha256 !== sha256(wasm)) return undefined
      if (entry.sourceMap !== undefined && typeof entry.sourceMap !== 'string') return undefined
      const debugFile = entry.debugFileSha256 === undefined ? undefined : readBytes(join(this.dir, `${key}.debug.wasm`))
      if (debugFile && sha256(debugFile) !== entry.debugFileSha256) return undefined
      return { wasm, report: entry.report, ...(entry.sourceMap !== undefined && { sourceMap: entry.sourceMap }), ...(debugFile && { debugFile }) }
    } catch {
      return undefined
    }
  }

  set(key: string, value: CachedTransform): void {
    if (!this.dir) return
    const tmp = `.${process.pid}-${Math.random().toString(36).slice(2)}`
    const wasm = join(this.dir, `${key}.wasm`)
    const dwarf = join(this.dir, `${key}.debug.wasm`)
    const json = join(this.dir, `${key}.json`)
    try {
      mkdirSync(this.dir, { recursive: true })
      // The bytes first: an entry counts only once its report exists.
      writeFileSync(wasm + tmp, value.wasm)
      renameSync(wasm + tmp, wasm)
      if (value.debugFile) {
        writeFileSync(dwarf + tmp, value.debugFile)
        renameSync(dwarf + tmp, dwarf)
      }
      const entry = {
        sha256: sha256(value.wasm),
        report: value.report,
        ...(value.sourceMap !== undefined && { sourceMap: value.sourceMap }),
        ...(value.debugFile && { debugFileSha256: sha256(value.debugFile) }),
      }
      writeFileSync(json + tmp, JSON.stringify(entry))
      renameSync(json + tmp, json)
    } catch {
      // A cache that cannot be written is only slower; leave no temporary file behind.
      for (const f of [wasm, dwarf, json]) rmSync(f + tmp, { force: true })
    }
  }
}
