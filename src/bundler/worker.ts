/** Worker thread of the transform pool: runs the core's transformWasm off the bundler's thread. */
import { parentPort } from 'node:worker_threads'
import { transformWasm } from '../core/wasm/transform.ts'
import type { TransformOptions } from '../core/options.ts'

parentPort!.on('message', ({ id, bytes, options }: { id: number; bytes: Uint8Array; options: TransformOptions }) => {
  try {
    const { wasm, report } = transformWasm(bytes, options)
    // A copy of its own: the result may be a view into binaryen's heap.
    const out = wasm.slice()
    parentPort!.postMessage({ id, wasm: out, report }, [out.buffer as ArrayBuffer])
  } catch (e) {
    const err = e as Error & { file?: string }
    parentPort!.postMessage({ id, error: { message: err?.message ?? String(e), name: err?.name, file: err?.file } })
  }
})
