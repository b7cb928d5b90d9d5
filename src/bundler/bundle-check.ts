/**
 * The last look at a finished bundle, so that nothing ships untransformed
 * without a word:
 *
 *   - a `.wasm` asset the plugin did not make, whose code has
 *     `call_indirect` sites, is named in a note (the glue that loads it was
 *     not recognised, or it was copied by another plugin);
 *   - a chunk that embeds a wasm with `call_indirect` sites, untransformed
 *     (no runtime beside it), likewise;
 *   - a wasm the plugin rewrote for a plain `?url` import, in a bundle where
 *     nothing carries the runtime that wires it (its glue was not
 *     recognised), gets its original bytes back, with a note: a rewritten
 *     wasm and its runtime ship together or not at all.
 *
 * Pure: the adapters hand in the bundle's files and apply the result.
 */
import { scanCode } from '../core/wasm/code-scan.ts'
import { customSectionNames } from '../core/wasm/bytes.ts'
import { findEmbeddedWasm } from '../core/glue/syntax.ts'
import { HOOKS_TABLE } from '../core/protocol.ts'

/** A string the injected runtime always holds, minified or not (its hooks table's export name). */
export const RUNTIME_MARK = HOOKS_TABLE

export interface BundleFile {
  fileName: string
  /** JS text, or wasm bytes. */
  source: string | Uint8Array
}

export interface BundleVerdict {
  notes: string[]
  /** Assets (by file name) to put back to these original bytes. */
  restore: Map<string, Uint8Array>
}

const isWasm = (bytes: Uint8Array) => bytes.length >= 8 && bytes[0] === 0 && bytes[1] === 0x61 && bytes[2] === 0x73 && bytes[3] === 0x6d

/** True when the wasm was rewritten by this package (it carries our custom section). */
export function isRewritten(bytes: Uint8Array): boolean {
  try {
    return isWasm(bytes) && customSectionNames(bytes).includes('fpcast_trampoline')
  } catch {
    return false
  }
}

/** True when the wasm has call_indirect sites and is not ours already (conservative: unreadable counts as sites). */
export function needsRewrite(bytes: Uint8Array): boolean {
  if (!isWasm(bytes) || isRewritten(bytes)) return false
  const scan = scanCode(bytes)
  return !scan || scan.callIndirects.some(c => c !== 0)
}

/** The start of an embedded wasm, in each encoding single-file glue uses (single-file.ts): base64, escaped, and raw bytes. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: raw embeddings hold the bytes \x01 and \0 as they are
const EMBED_HINT_RE = /AGFzbQ|\\x01btn|\x01btn|\\0asm|\\x00asm|\0asm/

/**
 * @param files every file of the bundle
 * @param ours file names of the wasm assets the plugin emitted, with the original bytes of those made for a plain `?url` import (undefined for the others)
 */
export function checkBundle(files: BundleFile[], ours: Map<string, Uint8Array | undefined>): BundleVerdict {
  const notes: string[] = []
  const restore = new Map<string, Uint8Array>()
  const chunks = files.filter(f => typeof f.source === 'string') as { fileName: string; source: string }[]
  const runtimeShipped = chunks.some(c => c.source.includes(RUNTIME_MARK))
  for (const f of files) {
    if (typeof f.source === 'string') {
      if (f.source.includes(RUNTIME_MARK) || !EMBED_HINT_RE.test(f.source) || !f.source.includes('WebAssembly')) continue
      const embedded = findEmbeddedWasm(f.source)
      if (embedded && needsRewrite(embedded.bytes))
        notes.push(
          `${f.fileName}: embeds a wasm with call_indirect sites that was not rewritten (its glue was not recognised); calls through mismatched pointers will trap. Name the glue with the plugin's include option to have it rewritten, or exclude it to silence this`,
        )
      continue
    }
    if (!f.fileName.endsWith('.wasm')) continue
    if (ours.has(f.fileName)) {
      const original = ours.get(f.fileName)
      if (original && !runtimeShipped) {
        restore.set(f.fileName, original)
        notes.push(
          `${f.fileName}: shipped untransformed: it was imported with ?url, but nothing in the bundle instantiates it through the runtime (the glue that loads it was not recognised). Name that glue with the plugin's include option, or import the wasm with ?init`,
        )
      }
      continue
    }
    if (needsRewrite(f.source))
      notes.push(
        `${f.fileName}: a wasm with call_indirect sites shipped untransformed (no recognised glue loads it, or another plugin copied it); calls through mismatched pointers will trap. Import it from its glue or with ?url, name the glue with include, or exclude it to silence this`,
      )
  }
  return { notes, restore }
}
