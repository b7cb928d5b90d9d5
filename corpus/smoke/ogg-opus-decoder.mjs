// ogg-opus-decoder (wasm-audio-decoders: compressed wasm inside JS): decode a
// generated Ogg Opus file (fixtures/tone.opus).
import { readFileSync } from 'node:fs'
import { sha } from '../lib/util.mjs'
export default async function (root) {
  const { OggOpusDecoder } = await import(`${root}/ogg-opus-decoder/index.js`)
  const d = new OggOpusDecoder()
  await d.ready
  const r = await d.decodeFile(readFileSync(new URL('../fixtures/tone.opus', import.meta.url)))
  d.free()
  return { samples: r.samplesDecoded, rate: r.sampleRate, ch: r.channelData.length, pcm: sha(new Uint8Array(r.channelData[0].buffer)) }
}
