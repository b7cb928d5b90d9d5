// canvaskit-wasm (closure-minified Skia, CommonJS): draw paths, text-less shapes
// and a gradient on a CPU surface, checksum the pixels and encode a PNG.
import { createRequire } from 'node:module'
import { sha } from '../lib/util.mjs'
export default async function (root) {
  const require = createRequire(import.meta.url)
  const CanvasKitInit = require(`${root}/canvaskit-wasm/bin/canvaskit.js`)
  const CK = await CanvasKitInit({ locateFile: f => `${root}/canvaskit-wasm/bin/${f}` })
  const surface = CK.MakeSurface(64, 48)
  const c = surface.getCanvas()
  c.clear(CK.WHITE)
  const paint = new CK.Paint()
  paint.setAntiAlias(true)
  paint.setColor(CK.Color(200, 30, 60, 1))
  c.drawCircle(20, 20, 14, paint)
  paint.setShader(CK.Shader.MakeLinearGradient([0, 0], [64, 48], [CK.BLUE, CK.GREEN], null, CK.TileMode.Clamp))
  const pb = new CK.PathBuilder()
  pb.moveTo(30, 40)
  pb.cubicTo(40, 0, 60, 60, 63, 10)
  pb.close()
  const path = pb.detach()
  c.drawPath(path, paint)
  surface.flush()
  const img = surface.makeImageSnapshot()
  const px = img.readPixels(0, 0, {
    width: 64,
    height: 48,
    colorType: CK.ColorType.RGBA_8888,
    alphaType: CK.AlphaType.Unpremul,
    colorSpace: CK.ColorSpace.SRGB,
  })
  const png = img.encodeToBytes()
  return { px: sha(px), png: png.length, bounds: Array.from(path.getBounds()).map(v => Math.round(v * 100) / 100) }
}
