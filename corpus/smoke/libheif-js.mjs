// libheif-js (CommonJS; closure-minified glue). Variants: 'wasm' (libheif-wasm/libheif.js
// + libheif.wasm), 'bundle' (wasm-bundle.js: single-file, wasm embedded), 'asmjs'
// (index.js: the -sWASM=0 build). With no HEIC fixture yet: version, file-type
// checks and the decoder's answer to a non-HEIF buffer (HeifDecoder, embind).
import { createRequire } from 'node:module'
import { readFileSync } from 'node:fs'
export default async function (root, variant = 'wasm') {
  const require = createRequire(import.meta.url)
  const base = `${root}/libheif-js`
  let lib
  if (variant === 'asmjs') lib = require(`${base}/index.js`)
  else if (variant === 'bundle') lib = require(`${base}/wasm-bundle.js`)
  else lib = require(`${base}/libheif-wasm/libheif.js`)({ wasmBinary: readFileSync(`${base}/libheif-wasm/libheif.wasm`) })
  if (lib.ready) await lib.ready
  else
    await new Promise(r => {
      if (lib.calledRun) r()
      else lib.onRuntimeInitialized = r
    })
  const ftyp = new Uint8Array([0, 0, 0, 24, 0x66, 0x74, 0x79, 0x70, 0x68, 0x65, 0x69, 0x63, 0, 0, 0, 0, 0x6d, 0x69, 0x66, 0x31, 0x68, 0x65, 0x69, 0x63])
  const dec = new lib.HeifDecoder()
  const images = dec.decode(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]))
  const images2 = dec.decode(ftyp)
  return {
    version: lib.heif_get_version(),
    ftyp: String(lib.heif_js_check_filetype?.(ftyp) ?? lib.heif_check_filetype?.(ftyp, ftyp.length)),
    junk: images.length,
    onlyFtyp: images2.length,
  }
}
