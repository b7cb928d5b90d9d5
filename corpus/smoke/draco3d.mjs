// draco3d (closure-compiled CommonJS): decode the bundled bunny.drc, re-encode
// it and decode the result again; print counts and checksums.
import { createRequire } from 'node:module'
import { readFileSync } from 'node:fs'
import { sha } from '../lib/util.mjs'
export default async function (root) {
  const require = createRequire(import.meta.url)
  const draco3d = require(`${root}/draco3d/draco3d.js`)
  const dec = await draco3d.createDecoderModule({})
  const enc = await draco3d.createEncoderModule({})
  const decodeMesh = bytes => {
    const buffer = new dec.DecoderBuffer()
    buffer.Init(new Int8Array(bytes), bytes.byteLength)
    const decoder = new dec.Decoder()
    const mesh = new dec.Mesh()
    const status = decoder.DecodeBufferToMesh(buffer, mesh)
    if (!status.ok()) throw new Error(`decode: ${status.error_msg()}`)
    const attr = decoder.GetAttribute(mesh, decoder.GetAttributeId(mesh, dec.POSITION))
    const n = mesh.num_points() * 3
    const ptr = dec._malloc(n * 4)
    decoder.GetAttributeDataArrayForAllPoints(mesh, attr, dec.DT_FLOAT32, n * 4, ptr)
    const pos = new Float32Array(dec.HEAPF32.buffer, ptr, n).slice()
    dec._free(ptr)
    const faces = new Uint32Array(mesh.num_faces() * 3)
    const fptr = dec._malloc(faces.byteLength)
    decoder.GetTrianglesUInt32Array(mesh, faces.byteLength, fptr)
    faces.set(new Uint32Array(dec.HEAPU32.buffer, fptr, faces.length))
    dec._free(fptr)
    const r = { points: mesh.num_points(), faces: mesh.num_faces(), pos: sha(new Uint8Array(pos.buffer)), idx: sha(new Uint8Array(faces.buffer)) }
    dec.destroy(mesh)
    dec.destroy(decoder)
    dec.destroy(buffer)
    return { r, pos, faces }
  }
  const first = decodeMesh(readFileSync(`${root}/draco3d/bunny.drc`))
  const mb = new enc.MeshBuilder()
  const mesh = new enc.Mesh()
  mb.AddFacesToMesh(mesh, first.faces.length / 3, first.faces)
  mb.AddFloatAttributeToMesh(mesh, enc.POSITION, first.pos.length / 3, 3, first.pos)
  const encoder = new enc.Encoder()
  encoder.SetSpeedOptions(5, 5)
  encoder.SetAttributeQuantization(enc.POSITION, 11)
  const out = new enc.DracoInt8Array()
  const len = encoder.EncodeMeshToDracoBuffer(mesh, out)
  const bytes = new Int8Array(len)
  for (let i = 0; i < len; i++) bytes[i] = out.GetValue(i)
  const second = decodeMesh(bytes.buffer)
  return { first: first.r, encoded: [len, sha(new Uint8Array(bytes.buffer))], second: second.r }
}
