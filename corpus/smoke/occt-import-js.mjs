// occt-import-js (OpenCascade, 7 MB wasm, CommonJS, CRLF glue): import the
// package's own STEP and BREP test files, print mesh counts and a checksum.
import { createRequire } from 'node:module'
import { readFileSync } from 'node:fs'
import { sha } from '../lib/util.mjs'
export default async function (root) {
  const require = createRequire(import.meta.url)
  const base = `${root}/occt-import-js`
  const occt = await require(`${base}/dist/occt-import-js.js`)({ print: () => {}, printErr: () => {} })
  const sum = r => {
    const pos = r.meshes.flatMap(m => m.attributes.position.array.map(v => Math.round(v * 1000)))
    return {
      ok: r.success,
      meshes: r.meshes.length,
      verts: pos.length / 3,
      tris: r.meshes.reduce((a, m) => a + m.index.array.length / 3, 0),
      pos: sha(Int32Array.from(pos)),
    }
  }
  return {
    cube: sum(occt.ReadStepFile(readFileSync(`${base}/test/testfiles/simple-basic-cube/cube.stp`), null)),
    cone: sum(
      occt.ReadStepFile(readFileSync(`${base}/test/testfiles/conical-surface/conical-surface.step`), {
        linearUnit: 'millimeter',
        linearDeflectionType: 'bounding_box_ratio',
        linearDeflection: 0.01,
      }),
    ),
    brep: sum(occt.ReadBrepFile(readFileSync(`${base}/test/testfiles/cax-if-brep/as1_pe_203.brep`), null)),
  }
}
