/** Worker thread of the transform pool: runs the core's transformWasm off the bundler's thread (messages: pool.ts). */
import { parentPort } from 'node:worker_threads'
import { FpcastError } from '../core/errors.ts'
import { transformWasm } from '../core/wasm/transform.ts'
import type { WorkerReply, WorkerRequest } from './pool.ts'

const reply = (message: WorkerReply, transfer: ArrayBuffer[] = []) => parentPort!.postMessage(message, transfer)

parentPort!.on('message', ({ id, bytes, options }: WorkerRequest) => {
  try {
    const { wasm, report, sourceMap, debugFile } = transformWasm(bytes, options)
    // Copies of their own: the result may be a view into binaryen's heap.
    const out = wasm.slice()
    const dwarf = debugFile?.slice()
    reply({ id, wasm: out, report, sourceMap, debugFile: dwarf }, [out.buffer as ArrayBuffer, ...(dwarf ? [dwarf.buffer as ArrayBuffer] : [])])
  } catch (e) {
    // Ours keeps its file and reason across the thread boundary; anything else is an internal error.
    reply({
      id,
      error: e instanceof FpcastError ? { ours: true, file: e.file, reason: e.reason } : { ours: false, reason: (e as Error)?.message ?? String(e) },
    })
  }
})
