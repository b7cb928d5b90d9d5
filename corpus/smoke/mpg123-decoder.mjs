// mpg123-decoder (wasm-audio-decoders: the wasm ships compressed, yEnc + deflate,
// inside EmscriptenWasm.js): decode a generated MP3 (fixtures/tone.mp3).
import { readFileSync } from 'node:fs'
import { sha } from '../lib/util.mjs'
export default async function (root) {
  const { MPEGDecoder } = await import(`${root}/mpg123-decoder/index.js`)
  const d = new MPEGDecoder()
  await d.ready
  const r = d.decode(readFileSync(new URL('../fixtures/tone.mp3', import.meta.url)))
  d.free()
  return { samples: r.samplesDecoded, rate: r.sampleRate, ch: r.channelData.length, pcm: sha(new Uint8Array(r.channelData[0].buffer)) }
}
