// wasm-vips (pthreads, side modules vips-jxl/heif/resvg loaded with dlopen):
// build an image, resize it, save PNG and JXL, checksum pixels and sizes.
import { sha } from '../lib/util.mjs'
export default async function (root) {
  const { default: Vips } = await import(`${root}/wasm-vips/lib/vips-node.mjs`)
  const vips = await Vips({ print: () => {}, printErr: () => {} })
  vips.concurrency(1)
  const xyz = vips.Image.xyz(96, 64)
  const img = xyz.extractBand(0).multiply(2).add(xyz.extractBand(1)).cast('uchar')
  const small = img.resize(0.5, { kernel: 'lanczos3' })
  const pix = small.writeToMemory()
  const png = small.writeToBuffer('.png')
  const jxl = small.writeToBuffer('.jxl', { lossless: true })
  const back = vips.Image.newFromBuffer(jxl)
  const r = { size: [small.width, small.height], avg: small.avg(), pix: sha(pix), png: png.length, jxl: jxl.length, jxlBack: sha(back.writeToMemory()) }
  vips.shutdown?.()
  return r
}
