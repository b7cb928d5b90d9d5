// node bench/big-module.mjs <out.wasm> [MB of code, default 512] [seed]
//
// Writes a valid module with about that much code, shaped like compiled C:
// bodies of 200-1,400 bytes of locals, loads, stores, arithmetic, branches
// and direct calls, one in eight with call_indirect sites (as in Pyodide and
// z3), a table holding every function, functions of four signatures (and
// casts between them at the sites). For the transform's size limits
// (bench/README.md, "How big a module the transform takes"); not committed.
import { writeFileSync } from 'node:fs'

const [out, mbArg = '512', seedArg = '1'] = process.argv.slice(2)
if (!out) {
  console.error('usage: node bench/big-module.mjs <out.wasm> [MB of code] [seed]')
  process.exit(2)
}
const target = Number(mbArg) * 1048576
let seed = Number(seedArg) >>> 0 || 1
const rand = n => {
  seed ^= seed << 13
  seed ^= seed >>> 17
  seed ^= seed << 5
  return (seed >>> 0) % n
}

const leb = n => {
  const o = []
  do {
    let b = n & 0x7f
    n = Math.floor(n / 128)
    if (n) b |= 0x80
    o.push(b)
  } while (n)
  return o
}
const sleb = n => {
  const o = []
  for (;;) {
    const b = n & 0x7f
    n >>= 7
    if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) {
      o.push(b)
      return o
    }
    o.push(b | 0x80)
  }
}
const section = (id, content) => [id, ...leb(content.length), ...content]
const vec = items => [...leb(items.length), ...items.flat()]

// Types: 0 (i32,i32)->i32, 1 (i32)->i32, 2 (i32,i32,i32)->i32, 3 ()->void.
const I = 0x7f
const types = [
  [0x60, 2, I, I, 1, I],
  [0x60, 1, I, 1, I],
  [0x60, 3, I, I, I, 1, I],
  [0x60, 0, 0],
]
const params = [2, 1, 3, 0]
const results = [1, 1, 1, 0]

/** A body of about `size` bytes; `sites` call_indirect among them. Locals: params, then 4 i32. */
function body(type, size, sites, nFuncs) {
  const code = []
  const np = params[type]
  const L = np + 4
  const local = () => rand(L)
  while (code.length < size) {
    switch (rand(8)) {
      case 0:
        code.push(0x20, local(), 0x41, ...sleb(rand(1 << 20)), 0x6a, 0x21, local()) // x = y + k
        break
      case 1:
        code.push(0x20, local(), 0x20, local(), 0x6c, 0x20, local(), 0x73, 0x21, local()) // x = y * z ^ w
        break
      case 2:
        code.push(0x20, local(), 0x41, 0xfc, 0xff, 0x03, 0x71, 0x28, 0x02, ...leb(rand(4096) * 4), 0x21, local()) // x = load(y & 0xfffc + k)
        break
      case 3:
        code.push(0x20, local(), 0x41, 0xfc, 0xff, 0x03, 0x71, 0x20, local(), 0x36, 0x02, ...leb(rand(4096) * 4)) // store
        break
      case 4:
        code.push(0x20, local(), 0x04, 0x40, 0x20, local(), 0x41, 1, 0x6a, 0x21, local(), 0x0b) // if (x) y = z + 1
        break
      case 5:
        code.push(0x02, 0x40, 0x20, local(), 0x0d, 0, 0x20, local(), 0x41, 3, 0x74, 0x21, local(), 0x0b) // block { br_if; shl }
        break
      case 6: {
        // A direct call to a function of type 1 (index 1 mod 4), if it is not this one's shape of recursion.
        const callee = 4 * rand(nFuncs >> 2) + 1
        code.push(0x20, local(), 0x10, ...leb(callee), 0x21, local())
        break
      }
      default:
        code.push(0x20, local(), 0x20, local(), 0x48, 0x21, local()) // x = y < z
    }
  }
  for (let s = 0; s < sites; s++) {
    // call through a pointer of (i32, i32) -> i32 or (i32) -> i32 to any slot (casts included); index masked to the table.
    const t = rand(2)
    for (let a = 0; a < params[t]; a++) code.push(0x20, local())
    code.push(0x20, local(), 0x41, ...sleb(nFuncs - 1), 0x71, 0x41, 8, 0x6e, 0x11, t, 0, 0x21, local()) // (x & mask) / 8: low slots
  }
  if (results[type]) code.push(0x20, local())
  code.push(0x0b)
  return [...leb(1 + code.length + 2), 1, 4, I, ...code]
}

// Function count from the target size (about 800 bytes a body on average).
const nFuncs = Math.max(8, Math.round(target / 810) & ~3)
const bodies = []
let codeBytes = 0
for (let i = 0; i < nFuncs; i++) {
  const type = i % 4
  const b = Uint8Array.from(body(type, 200 + rand(1200), rand(8) === 0 ? 1 + rand(4) : 0, nFuncs))
  bodies.push(b)
  codeBytes += b.length
}
const codeHead = [10, ...leb(codeBytes + leb(nFuncs).length), ...leb(nFuncs)]
const head = [
  ...[0, 0x61, 0x73, 0x6d, 1, 0, 0, 0],
  ...section(1, vec(types)),
  ...section(3, vec(Array.from({ length: nFuncs }, (_, i) => leb(i % 4)))),
  ...section(4, vec([[0x70, 1, ...leb(nFuncs), ...leb(nFuncs)]])),
  ...section(5, vec([[0, 17]])),
  ...section(
    7,
    vec([
      [...leb(6), ...Buffer.from('memory'), 2, 0],
      [...leb(5), ...Buffer.from('table'), 1, 0],
      [...leb(4), ...Buffer.from('main'), 0, 3],
    ]),
  ),
  ...section(9, vec([[0, 0x41, 0, 0x0b, ...leb(nFuncs), ...Array.from({ length: nFuncs }, (_, i) => leb(i)).flat()]])),
]
const bytes = new Uint8Array(head.length + codeHead.length + codeBytes)
bytes.set(head)
bytes.set(codeHead, head.length)
let o = head.length + codeHead.length
for (const b of bodies) {
  bytes.set(b, o)
  o += b.length
}
if (!WebAssembly.validate(bytes)) {
  console.error('big-module: the generated module does not validate')
  process.exit(1)
}
writeFileSync(out, bytes)
console.log(JSON.stringify({ file: out, bytes: bytes.length, codeBytes, functions: nFuncs }))
