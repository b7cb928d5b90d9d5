// @jsquash/avif: the public API (the single-threaded encoder in Node; the
// pthreads avif_enc_mt.js is web-only: its ESM glue has no Node Worker), then
// decode; print sizes and checksums.
import { sha } from '../lib/util.mjs'
export default async function (root) {
  globalThis.ImageData ??= class ImageData {
    constructor(data, width, height) {
      Object.assign(this, { data, width, height })
    }
  }
  const base = `${root}/@jsquash/avif`
  const { default: encode } = await import(`${base}/encode.js`)
  const { default: decode } = await import(`${base}/decode.js`)
  const { defaultOptions } = await import(`${base}/meta.js`)
  const w = 32,
    h = 24,
    data = new Uint8ClampedArray(w * h * 4)
  for (let i = 0; i < w * h; i++) data.set([(i * 7) & 255, (i >> 2) & 255, (i * 13 + 5) & 255, 255], i * 4)
  const opts = { quality: 50, speed: 10 }
  const st = new Uint8Array(await encode({ data, width: w, height: h }, opts))
  const back = await decode(st.buffer)
  return { st: [st.length, sha(st)], back: sha(back.data), opts: Object.keys(defaultOptions).length }
}
