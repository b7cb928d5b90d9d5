// @jsquash/webp (Squoosh codecs, ESM, Emscripten 3.1.x, SIMD flavour picked at
// run time): encode a generated RGBA image lossy and lossless, decode it back.
import { sha } from '../lib/util.mjs'
export default async function (root) {
  globalThis.ImageData ??= class ImageData {
    constructor(data, width, height) {
      Object.assign(this, { data, width, height })
    }
  }
  const { default: encode } = await import(`${root}/@jsquash/webp/encode.js`)
  const { default: decode } = await import(`${root}/@jsquash/webp/decode.js`)
  const w = 48,
    h = 32,
    data = new Uint8ClampedArray(w * h * 4)
  for (let i = 0; i < w * h; i++) data.set([(i * 7) & 255, (i >> 3) & 255, (i * 13 + 5) & 255, 255], i * 4)
  const img = { data, width: w, height: h }
  const lossy = new Uint8Array(await encode(img, { quality: 60 }))
  const lossless = new Uint8Array(await encode(img, { lossless: 1 }))
  const back = await decode(lossy.buffer)
  const back2 = await decode(lossless.buffer)
  return { lossy: [lossy.length, sha(lossy)], lossless: [lossless.length, sha(lossless)], back: sha(back.data), exact: sha(back2.data) === sha(data) }
}
