/**
 * A persistent content-addressed cache of transformed wasm: the key is a
 * SHA-256 of the input bytes, the options that change the output and the
 * plugin version, so an unchanged rebuild skips binaryen and any change of
 * input, options or plugin misses. Entries are written to a temporary name
 * and renamed, so a crash never leaves a half-written entry; an unreadable
 * entry is a miss.
 *
 *   <dir>/<key>.wasm   the transformed bytes
 *   <dir>/<key>.json   the report
 */
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { TransformReport } from '../core/transform.ts'

export interface CachedTransform {
  wasm: Uint8Array
  report: TransformReport
}

export function cacheKey(bytes: Uint8Array, transformKey: string, version: string): string {
  return createHash('sha256').update(`fpcast-trampoline ${version}\0${transformKey}\0`).update(bytes).digest('hex')
}

export class WasmCache {
  constructor(readonly dir: string | undefined) {}

  get(key: string): CachedTransform | undefined {
    if (!this.dir) return undefined
    try {
      const report = JSON.parse(readFileSync(join(this.dir, `${key}.json`), 'utf8')) as TransformReport
      const wasm = new Uint8Array(readFileSync(join(this.dir, `${key}.wasm`)))
      if (wasm.length !== report.size.after) return undefined
      return { wasm, report }
    } catch {
      return undefined
    }
  }

  set(key: string, value: CachedTransform): void {
    if (!this.dir) return
    try {
      mkdirSync(this.dir, { recursive: true })
      const tmp = `.${process.pid}-${Math.random().toString(36).slice(2)}`
      // The wasm first: an entry counts only once its report exists.
      writeFileSync(join(this.dir, `${key}.wasm${tmp}`), value.wasm)
      renameSync(join(this.dir, `${key}.wasm${tmp}`), join(this.dir, `${key}.wasm`))
      writeFileSync(join(this.dir, `${key}.json${tmp}`), JSON.stringify(value.report))
      renameSync(join(this.dir, `${key}.json${tmp}`), join(this.dir, `${key}.json`))
    } catch {
      // A cache that cannot be written is only slower.
    }
  }
}
