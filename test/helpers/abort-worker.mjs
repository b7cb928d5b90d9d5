/**
 * A transform worker for test/hardening.test.ts: the built worker's protocol
 * and the built transformWasm, plus a real binaryen.js abort on demand. A job
 * named `abort.wasm` first overflows binaryen.js's stack (a br_table of
 * 600,000 labels: binaryen.js copies each label name onto its few-MB stack,
 * past its end, which corrupts the instance; what the transform itself did
 * before the br_table lookup was split into chunks), then transforms
 * its bytes in the same, now broken, instance: that is what a worker that
 * kept serving after an abort would do.
 */
import { parentPort } from 'node:worker_threads'
import binaryen from 'binaryen'
import { FpcastError, transformWasm } from '../../dist/index.js'

function abortBinaryen() {
  const m = new binaryen.Module()
  m.switch(new Array(600_000).fill('label'), 'label', m.i32.const(0))
}

parentPort.on('message', ({ id, bytes, options }) => {
  try {
    if (options.fileName === 'abort.wasm') {
      try {
        abortBinaryen()
      } catch {
        /* the abort itself; its damage shows in the transform below */
      }
    }
    const { wasm, report } = transformWasm(bytes, options)
    const out = wasm.slice()
    parentPort.postMessage({ id, wasm: out, report }, [out.buffer])
  } catch (e) {
    const error = e instanceof FpcastError ? { ours: true, file: e.file, reason: e.reason } : { ours: false, reason: e?.message ?? String(e) }
    parentPort.postMessage({ id, error })
  }
})
