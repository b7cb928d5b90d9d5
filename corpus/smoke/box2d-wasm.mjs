// box2d-wasm (old Emscripten 2.x-era glue; the UMD build, as its ESM build needs
// __dirname in Node; the SIMD flavour is picked at run time;
// WebIDL binder with JS-implemented callbacks): drop boxes on the ground,
// step the world, report positions and contacts seen by a JS contact listener.
import { createRequire } from 'node:module'
export default async function (root) {
  const require = createRequire(import.meta.url)
  const Box2DFactory = require(`${root}/box2d-wasm/dist/umd/entry.js`)
  const B = await Box2DFactory({ print: () => {}, printErr: () => {} })
  const world = new B.b2World(new B.b2Vec2(0, -10))
  const gd = new B.b2BodyDef()
  const ground = world.CreateBody(gd)
  const edge = new B.b2EdgeShape()
  edge.SetTwoSided(new B.b2Vec2(-40, 0), new B.b2Vec2(40, 0))
  ground.CreateFixture(edge, 0)
  const shape = new B.b2PolygonShape()
  shape.SetAsBox(0.5, 0.5)
  const bodies = []
  for (let i = 0; i < 5; i++) {
    const bd = new B.b2BodyDef()
    bd.set_type(B.b2_dynamicBody)
    bd.set_position(new B.b2Vec2(i * 0.3, 2 + i * 1.1))
    bd.set_angle(i * 0.2)
    const b = world.CreateBody(bd)
    b.CreateFixture(shape, 1)
    bodies.push(b)
  }
  let begins = 0
  const listener = Object.assign(new B.JSContactListener(), {
    BeginContact: () => {
      begins++
    },
    EndContact: () => {},
    PreSolve: () => {},
    PostSolve: () => {},
  })
  world.SetContactListener(listener)
  for (let i = 0; i < 180; i++) world.Step(1 / 60, 8, 3)
  const pos = bodies.map(b => {
    const p = b.GetPosition()
    return [p.get_x().toFixed(4), p.get_y().toFixed(4), b.GetAngle().toFixed(4)]
  })
  return { begins, pos }
}
