/**
 * Single-file Emscripten builds (`-sSINGLE_FILE`) carry their wasm inside the
 * glue as one string literal. Depending on the Emscripten version it is:
 *
 *   data URI (3.1.x):     wasmBinaryFile = "data:application/octet-stream;base64,AGFzbQEAAAAB..."
 *   base64Decode (4.0.x): return base64Decode("AGFzbQEAAAAB...")            (minified: Wa("AGFzbQ..."))
 *   binaryDecode (4.0.x): return binaryDecode("\x01btn\x02\x01\x01\x01...") (each char is byte + 1)
 *
 * The call that decodes the literal is minified away in optimised glue, so
 * the literal is recognised by its content: the wasm magic `\0asm` in the
 * given encoding. `findEmbeddedWasm` finds it and decodes the bytes;
 * `encodeEmbeddedWasm` writes new bytes back in the same encoding and quote,
 * so the glue's own decoder keeps working.
 *
 * Limits: one embedded module per glue (the first is taken); a literal built
 * at run time (concatenated strings) is not recognised.
 */
export type Embedding = 'data-uri' | 'base64' | 'binary'

export interface EmbeddedWasm {
  embedding: Embedding
  /** Offsets of the whole literal, quotes included. */
  start: number
  end: number
  quote: string
  bytes: Uint8Array
}

const DATA_URI_PREFIX = 'data:application/octet-stream;base64,'
/** A quoted base64 `\0asm` module, with or without the data: prefix. */
const BASE64_RE = /(["'`])((?:data:application\/octet-stream;base64,)?AGFzbQ[A-Za-z0-9+/=]*)\1/
/** A quoted string starting with `\0asm` + 1 per char (`\x01btn`), raw or escaped. */
const BINARY_START_RE = /(["'`])(?:\x01|\\x01|\\u0001|\\u\{0*1\})btn/

/** Decodes the body of a JS string literal (between its quotes). */
export function decodeStringLiteral(body: string): string {
  return body.replace(/\\(?:x([0-9a-fA-F]{2})|u\{([0-9a-fA-F]+)\}|u([0-9a-fA-F]{4})|([0-7]{1,3})|(\r\n|[\n\r\u2028\u2029])|(.))/gs,
    (_, hex, brace, u4, octal, lineCont, ch) => {
      if (hex || u4) return String.fromCharCode(parseInt(hex ?? u4, 16))
      if (brace) return String.fromCodePoint(parseInt(brace, 16))
      if (octal) return String.fromCharCode(parseInt(octal, 8))
      if (lineCont) return ''
      return ({ n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', v: '\v' } as Record<string, string>)[ch] ?? ch
    })
}

/** Finds the end of the literal opened by `quote` at `start` (the quote's offset). */
function literalEnd(code: string, start: number, quote: string): number {
  for (let i = start + 1; i < code.length; i++) {
    const c = code[i]
    if (c === '\\') i++
    else if (c === quote) return i + 1
  }
  return -1
}

export function findEmbeddedWasm(code: string): EmbeddedWasm | undefined {
  const b64 = BASE64_RE.exec(code)
  if (b64) {
    const body = b64[2]
    const embedding: Embedding = body.startsWith(DATA_URI_PREFIX) ? 'data-uri' : 'base64'
    const data = embedding === 'data-uri' ? body.slice(DATA_URI_PREFIX.length) : body
    return { embedding, start: b64.index, end: b64.index + b64[0].length, quote: b64[1], bytes: new Uint8Array(Buffer.from(data, 'base64')) }
  }
  const bin = BINARY_START_RE.exec(code)
  if (bin) {
    const end = literalEnd(code, bin.index, bin[1])
    if (end < 0) return undefined
    const text = decodeStringLiteral(code.slice(bin.index + 1, end - 1))
    const bytes = new Uint8Array(text.length)
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i) - 1
    return { embedding: 'binary', start: bin.index, end, quote: bin[1], bytes }
  }
  return undefined
}

/** The literal (quotes included) that holds `bytes` in the given embedding. */
export function encodeEmbeddedWasm(bytes: Uint8Array, embedding: Embedding, quote = '"'): string {
  if (embedding !== 'binary') {
    const b64 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')
    return `${quote}${embedding === 'data-uri' ? DATA_URI_PREFIX : ''}${b64}${quote}`
  }
  let out = ''
  for (const byte of bytes) {
    const c = byte + 1
    const ch = String.fromCharCode(c)
    if (ch === quote || ch === '\\') out += `\\${ch}`
    else if (c < 0x20 || c === 0x7f || (quote === '`' && ch === '$')) out += `\\x${c.toString(16).padStart(2, '0')}`
    else out += ch
  }
  return `${quote}${out}${quote}`
}
