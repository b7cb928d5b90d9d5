// @techstark/opencv-js (single-file: a 10 MB UMD script with the wasm inside as
// base64): blur, Canny, contours and a matrix product on a generated image.
import { createRequire } from 'node:module'
import { sha } from '../lib/util.mjs'
export default async function (root) {
  const require = createRequire(import.meta.url)
  let cv = require(`${root}/@techstark/opencv-js/dist/opencv.js`)
  if (cv instanceof Promise) cv = await cv
  else if (!cv.Mat)
    await new Promise(r => {
      cv.onRuntimeInitialized = r
    })
  const m = new cv.Mat(64, 80, cv.CV_8UC1)
  for (let y = 0; y < 64; y++) for (let x = 0; x < 80; x++) m.ucharPtr(y, x)[0] = (x - 40) ** 2 + (y - 32) ** 2 < 400 ? 220 : (x * 3 + y) & 63
  const blur = new cv.Mat(),
    edges = new cv.Mat()
  cv.GaussianBlur(m, blur, new cv.Size(5, 5), 1.2)
  cv.Canny(blur, edges, 50, 150)
  const contours = new cv.MatVector(),
    hier = new cv.Mat()
  cv.findContours(edges, contours, hier, cv.RETR_EXTERNAL, cv.CHAIN_APPROX_SIMPLE)
  const areas = []
  for (let i = 0; i < contours.size(); i++) areas.push(cv.contourArea(contours.get(i)))
  const a = cv.matFromArray(2, 2, cv.CV_64F, [1, 2, 3, 4]),
    inv = new cv.Mat()
  cv.invert(a, inv)
  const r = {
    blur: sha(blur.data),
    edges: sha(edges.data),
    nz: cv.countNonZero(edges),
    contours: contours.size(),
    areas: areas.sort((x, y) => x - y).slice(-3),
    inv: Array.from(inv.data64F),
  }
  for (const x of [m, blur, edges, contours, hier, a, inv]) x.delete()
  return r
}
