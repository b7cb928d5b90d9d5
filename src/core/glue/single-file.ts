/**
 * Single-file Emscripten builds (`-sSINGLE_FILE`) carry their wasm inside the
 * glue as one string literal. Depending on the Emscripten version it is:
 *
 *   data URI (3.1.x):      wasmBinaryFile = "data:application/octet-stream;base64,AGFzbQEAAAAB..."
 *   base64 (4.0.x):        return base64Decode("AGFzbQEAAAAB...")          (minified: Wa("AGFzbQ..."))
 *   byte + 1 (main only):  return binaryDecode("\x01btn\x02\x01\x01\x01...")  (each char is byte + 1)
 *   raw bytes (4.0.18+):   return binaryDecode("\0asm\x01\0\0\0...")       (each char is the byte;
 *                          decoded by `o[i] = ~c >> 8 & c`, which also reads U+FFFD as 0)
 *
 * (Emscripten's `tools/link.py` `binary_encode` and `src/binaryDecode.js`:
 * SINGLE_FILE_BINARY_ENCODE landed on 2025-10-21 as byte + 1 and turned to
 * raw bytes the next day, before 4.0.18 was tagged; the raw form escapes only
 * the quote, `\`, CR and LF. Both are read.)
 *
 * The call that decodes the literal is minified away in optimised glue, so
 * the literal is recognised by its value, read by the parser
 * (syntax.ts): the wasm magic `\0asm` in one of these encodings.
 * `decodeEmbedded` decodes the bytes; `encodeEmbeddedWasm` writes new bytes
 * back in the same encoding and quote, so the glue's own decoder keeps
 * working.
 *
 * Limits: one embedded module per glue (the first is taken); a literal built
 * at run time (concatenated strings, a compressed blob) is not recognised.
 */
export type Embedding = 'data-uri' | 'base64' | 'binary' | 'raw'

export interface EmbeddedWasm {
  embedding: Embedding
  /** Offsets of the whole literal, quotes included. */
  start: number
  end: number
  quote: string
  bytes: Uint8Array
  /** Raw and binary encodings: the literal holds NUL bytes as they are (Emscripten's choice), not as escapes. */
  rawNul?: boolean
  /** Likewise the other control characters but line ends (Emscripten escapes only `\n`, `\r`, the quote and `\`). */
  rawControls?: boolean
  /**
   * Numbers in the literal's decoder that closure folded from its length
   * (`for(...,Q=295748,E=new Uint8Array(221811-("="==A[295746])...)`, 4.x
   * base64Decode inlined into its one call): written again for the new length.
   */
  lengthConstants?: { start: number; end: number; value: number }[]
}

const DATA_URI_PREFIX = 'data:application/octet-stream;base64,'
const BASE64_RE = /^(?:data:application\/octet-stream;base64,)?AGFzbQ[A-Za-z0-9+/=]*$/

/**
 * The wasm held by a string whose value (decoded by the parser) is `value`,
 * spanning `start`..`end` of `code`; undefined when it holds none.
 */
export function decodeEmbedded(value: string, start: number, end: number, code: string): EmbeddedWasm | undefined {
  const quote = code[start]
  if (value.startsWith('AGFzbQ') || value.startsWith(DATA_URI_PREFIX)) {
    if (!BASE64_RE.test(value)) return undefined
    const embedding: Embedding = value.startsWith(DATA_URI_PREFIX) ? 'data-uri' : 'base64'
    const data = embedding === 'data-uri' ? value.slice(DATA_URI_PREFIX.length) : value
    return { embedding, start, end, quote, bytes: new Uint8Array(Buffer.from(data, 'base64')) }
  }
  if (value.startsWith('\x01btn')) {
    const bytes = new Uint8Array(value.length)
    for (let i = 0; i < value.length; i++) bytes[i] = value.charCodeAt(i) - 1
    return { embedding: 'binary', start, end, quote, bytes, ...rawCharacters(code.slice(start, end)) }
  }
  if (/^[\0\uFFFD]asm/.test(value)) {
    const bytes = new Uint8Array(value.length)
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i)
      bytes[i] = (~c >> 8) & c
    }
    return { embedding: 'raw', start, end, quote, bytes, ...rawCharacters(code.slice(start, end)) }
  }
  return undefined
}

/**
 * The numbers a decoder folded from a literal of `length` chars, and what
 * they become for a literal of `next` chars: the length, the last two
 * indices (base64 padding checks) and, for base64, the decoded size bound.
 */
export function lengthConstantMap(embedding: Embedding, length: number, next: number): Map<number, number> {
  const map = new Map([
    [length, next],
    [length - 1, next - 1],
    [length - 2, next - 2],
  ])
  if (embedding === 'base64') map.set((length * 3) >> 2, (next * 3) >> 2)
  return map
}

/** The literal (quotes included) that holds `bytes` in the given embedding. */
export function encodeEmbeddedWasm(bytes: Uint8Array, embedding: Embedding, quote = '"', rawNul = false, rawControls = false): string {
  if (embedding === 'data-uri' || embedding === 'base64') {
    const b64 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')
    return `${quote}${embedding === 'data-uri' ? DATA_URI_PREFIX : ''}${b64}${quote}`
  }
  const shift = embedding === 'binary' ? 1 : 0
  const parts: string[] = []
  for (const byte of bytes) {
    const c = byte + shift
    const ch = String.fromCharCode(c)
    if (ch === quote || ch === '\\') parts.push(`\\${ch}`)
    else if (c === 0x0a) parts.push('\\n')
    else if (c === 0x0d) parts.push('\\r')
    else if (c === 0 ? rawNul : (c < 0x20 || c === 0x7f) && rawControls) parts.push(ch)
    else if (c < 0x20 || c === 0x7f || (quote === '`' && ch === '$')) parts.push(`\\x${c.toString(16).padStart(2, '0')}`)
    else parts.push(ch)
  }
  return `${quote}${parts.join('')}${quote}`
}

/** Which characters a raw or binary literal's source holds as they are (the rewritten literal does the same: as long as the original, not 4 bytes per control character). */
function rawCharacters(literal: string): { rawNul: boolean; rawControls: boolean } {
  let rawNul = false
  let rawControls = false
  for (let i = 0; i < literal.length && !(rawNul && rawControls); i++) {
    const c = literal.charCodeAt(i)
    if (c === 0) rawNul = true
    else if ((c < 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) || c === 0x7f) rawControls = true
  }
  return { rawNul, rawControls }
}
