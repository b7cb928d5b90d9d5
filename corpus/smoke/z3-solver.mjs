// z3-solver (34 MB wasm, pthreads, CommonJS glue behind a TypeScript API):
// integer and bit-vector constraints, a model, an unsat core-free proof of unsat.
import { createRequire } from 'node:module'
export default async function (root) {
  const require = createRequire(import.meta.url)
  const { init } = require(`${root}/z3-solver`)
  const { Context, em } = await init()
  const Z3 = Context('main')
  const x = Z3.Int.const('x'),
    y = Z3.Int.const('y')
  const s = new Z3.Solver()
  s.add(x.gt(2), y.lt(10), x.add(y.mul(2)).eq(17), x.mod(3).eq(1))
  const r1 = await s.check()
  const m = s.model()
  const a = Z3.BitVec.const('a', 8)
  const s2 = new Z3.Solver()
  s2.add(a.mul(3).eq(Z3.BitVec.val(7, 8)))
  const r2 = await s2.check()
  const av = s2.model().eval(a).toString()
  const s3 = new Z3.Solver()
  s3.add(x.gt(y), y.gt(x))
  const r3 = await s3.check()
  const simp = (await Z3.simplify(x.add(x).add(3).sub(x))).sexpr()
  em.PThread?.terminateAllThreads?.()
  return { r1, x: m.eval(x).toString(), y: m.eval(y).toString(), r2, av, r3, simp }
}
