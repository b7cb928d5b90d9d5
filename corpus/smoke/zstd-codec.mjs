// zstd-codec (old Emscripten, CommonJS, embind). Variant 'wasm': the single-file
// build (wasm as a base64 data: URI), which the package picks when WebAssembly
// exists. Variant 'asmjs': the -sWASM=0 build, which it picks when it does not
// (WebAssembly is hidden while the package loads). Simple and streaming API.
import { createRequire } from 'node:module'
import { sha } from '../lib/util.mjs'
export default async function (root, variant = 'wasm') {
  const require = createRequire(import.meta.url)
  const WA = globalThis.WebAssembly
  if (variant === 'asmjs') globalThis.WebAssembly = undefined
  const { ZstdCodec } = require(`${root}/zstd-codec`)
  const zstd = await new Promise(resolve => ZstdCodec.run(resolve))
  globalThis.WebAssembly = WA
  const data = new Uint8Array(20000)
  for (let i = 0; i < data.length; i++) data[i] = (i * 31 + (i >> 5)) % 97
  const simple = new zstd.Simple()
  const comp = simple.compress(data, 5)
  const back = simple.decompress(comp)
  const streaming = new zstd.Streaming()
  const comp2 = streaming.compress(data, 3)
  const back2 = streaming.decompress(comp2)
  return { comp: [comp.length, sha(comp)], same: sha(back) === sha(data), comp2: [comp2.length, sha(comp2)], same2: sha(back2) === sha(data) }
}
