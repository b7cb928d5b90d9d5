// manifold-3d (ESM, Emscripten 4.x, embind): CSG of a cube and a sphere,
// print volume, surface area, triangle count and a checksum of the mesh.
import { sha } from '../lib/util.mjs'
export default async function (root) {
  const { default: Module } = await import(`${root}/manifold-3d/manifold.js`)
  const wasm = await Module()
  wasm.setup()
  const { Manifold } = wasm
  const cube = Manifold.cube([2, 2, 2], true)
  const sphere = Manifold.sphere(1.3, 48)
  const r = cube.subtract(sphere).add(Manifold.cylinder(3, 0.4, 0.4, 24).translate([0, 0, -1.5]))
  const mesh = r.getMesh()
  const round = v => Math.round(v * 1e6) / 1e6
  return {
    volume: round(r.volume()),
    area: round(r.surfaceArea()),
    tris: r.numTri(),
    verts: r.numVert(),
    genus: r.genus(),
    tri: sha(new Uint8Array(mesh.triVerts.buffer, mesh.triVerts.byteOffset, mesh.triVerts.byteLength)),
  }
}
