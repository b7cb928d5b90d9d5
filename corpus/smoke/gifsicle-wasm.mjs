// gifsicle-wasm (Emscripten 4.x, closure-minified CommonJS): optimize and resize a
// generated animated GIF (fixtures/anim.gif) through gifsicle's CLI entry point.
import { createRequire } from 'node:module'
import { readFileSync } from 'node:fs'
import { sha } from '../lib/util.mjs'
export default async function (root) {
  const require = createRequire(import.meta.url)
  const createGifsicle = require(`${root}/gifsicle-wasm/dist/gifsicle.js`)
  const mod = await createGifsicle({ wasmBinary: readFileSync(`${root}/gifsicle-wasm/dist/gifsicle.wasm`), print: () => {}, printErr: () => {} })
  mod.FS.writeFile('/in.gif', readFileSync(new URL('../fixtures/anim.gif', import.meta.url)))
  const run = args => {
    const argv = mod._malloc((args.length + 1) * 4)
    const ptrs = args.map((a, i) => {
      const p = mod.stringToNewUTF8(a)
      mod.setValue(argv + i * 4, p, 'i32')
      return p
    })
    mod.setValue(argv + args.length * 4, 0, 'i32')
    const rc = mod._run_gifsicle(args.length, argv)
    for (const p of ptrs) mod._free(p)
    mod._free(argv)
    return rc
  }
  const r1 = run(['gifsicle', '-O3', '--lossy=40', '--colors', '8', '-o', '/o1.gif', '/in.gif'])
  const r2 = run(['gifsicle', '--resize', '32x24', '--rotate-90', '-o', '/o2.gif', '/in.gif'])
  const o1 = mod.FS.readFile('/o1.gif'),
    o2 = mod.FS.readFile('/o2.gif')
  return { r1, r2, o1: [o1.length, sha(o1)], o2: [o2.length, sha(o2)] }
}
