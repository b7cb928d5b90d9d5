// Loaded with `node --import` before a smoke test: records a sha256 of every
// wasm binary the process compiles (main thread and workers), so the runner
// can tell whether the transformed wasm was the one really loaded.
import { createHash } from 'node:crypto'
import { appendFileSync } from 'node:fs'
import { isMainThread } from 'node:worker_threads'

const out = process.env.FPCAST_CORPUS_PROBE
if (out) {
  const WA = globalThis.WebAssembly
  const seen = new Set()
  const note = (bytes, how) => {
    try {
      let u8
      if (bytes instanceof ArrayBuffer) u8 = new Uint8Array(bytes)
      else if (ArrayBuffer.isView(bytes)) u8 = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
      else return
      const h = createHash('sha256').update(u8).digest('hex')
      if (seen.has(h)) return
      seen.add(h)
      appendFileSync(out, `${JSON.stringify({ sha256: h, size: u8.length, how, thread: isMainThread ? 'main' : 'worker' })}\n`)
    } catch {}
  }
  const { compile, instantiate, validate } = WA
  WA.compile = function (b, ...r) {
    note(b, 'compile')
    return compile.call(this, b, ...r)
  }
  WA.instantiate = function (b, ...r) {
    if (!(b instanceof WA.Module)) note(b, 'instantiate')
    return instantiate.call(this, b, ...r)
  }
  const OrigModule = WA.Module
  const Mod = function Module(b, ...r) {
    note(b, 'Module')
    return Reflect.construct(OrigModule, [b, ...r], new.target ?? OrigModule)
  }
  Mod.prototype = OrigModule.prototype
  Object.setPrototypeOf(Mod, OrigModule)
  WA.Module = Mod
  for (const name of ['compileStreaming', 'instantiateStreaming']) {
    const orig = WA[name]
    if (!orig) continue
    WA[name] = async (src, ...r) => {
      const res = await src
      const buf = await res.clone().arrayBuffer()
      note(buf, name)
      return name === 'compileStreaming' ? compile.call(WA, buf) : instantiate.call(WA, buf, ...r)
    }
  }
  void validate
}
