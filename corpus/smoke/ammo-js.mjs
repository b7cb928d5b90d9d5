// ammo.js 0.0.10 (Bullet, an old asm.js build: -sWASM=0, no wasm at all):
// drop a sphere on a plane, step, print its height.
import { createRequire } from 'node:module'
export default async function (root) {
  const require = createRequire(import.meta.url)
  let Ammo = require(`${root}/ammo.js/ammo.js`)
  if (typeof Ammo === 'function')
    Ammo = await new Promise(r => {
      const x = Ammo()
      if (x?.then) x.then(m => r(m))
      else r(x)
    })
  const cfg = new Ammo.btDefaultCollisionConfiguration()
  const world = new Ammo.btDiscreteDynamicsWorld(
    new Ammo.btCollisionDispatcher(cfg),
    new Ammo.btDbvtBroadphase(),
    new Ammo.btSequentialImpulseConstraintSolver(),
    cfg,
  )
  world.setGravity(new Ammo.btVector3(0, -10, 0))
  const mk = (shape, mass, y) => {
    const t = new Ammo.btTransform()
    t.setIdentity()
    t.setOrigin(new Ammo.btVector3(0, y, 0))
    const inertia = new Ammo.btVector3(0, 0, 0)
    if (mass) shape.calculateLocalInertia(mass, inertia)
    const body = new Ammo.btRigidBody(new Ammo.btRigidBodyConstructionInfo(mass, new Ammo.btDefaultMotionState(t), shape, inertia))
    world.addRigidBody(body)
    return body
  }
  mk(new Ammo.btStaticPlaneShape(new Ammo.btVector3(0, 1, 0), 0), 0, 0)
  const ball = mk(new Ammo.btSphereShape(1), 1, 10)
  const ys = []
  const t = new Ammo.btTransform()
  for (let i = 0; i < 120; i++) {
    world.stepSimulation(1 / 60, 10)
    if (i % 30 === 29) {
      ball.getMotionState().getWorldTransform(t)
      ys.push(t.getOrigin().y().toFixed(4))
    }
  }
  return { ys }
}
