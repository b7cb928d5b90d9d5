// harfbuzzjs (ESM, Emscripten 4.x, top-level await in its index.mjs): shape
// Latin and Arabic text with DejaVu Sans (npm dejavu-fonts-ttf), draw a glyph
// path through JS draw callbacks (function pointers into JS).
import { readFileSync } from 'node:fs'
import { sha } from '../lib/util.mjs'
export default async function (root) {
  const hb = await import(`${root}/harfbuzzjs/dist/index.mjs`)
  const blob = new hb.Blob(readFileSync(`${root}/dejavu-fonts-ttf/ttf/DejaVuSans.ttf`))
  const face = new hb.Face(blob, 0)
  const font = new hb.Font(face)
  const out = { version: hb.versionString() }
  for (const [k, text] of [
    ['latin', 'Office affine Wave'],
    ['arabic', 'مرحبا بالعالم'],
  ]) {
    const buf = new hb.Buffer()
    buf.addText(text)
    buf.guessSegmentProperties()
    hb.shape(font, buf)
    out[k] = buf
      .getGlyphInfosAndPositions()
      .map(g => `${g.codepoint}@${g.cluster}+${g.xAdvance}`)
      .join(' ')
  }
  out.path = sha(font.glyphToPath(36))
  return out
}
