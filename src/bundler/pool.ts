/**
 * Transforms several wasm files at once, each in a worker thread (binaryen is
 * synchronous and single-threaded), and says how a long transform is going.
 * Workers are started on demand, up to `size`, and do not keep the process
 * alive while idle. A worker whose transform failed is replaced: a binaryen.js
 * abort (`memory access out of bounds`, a stack overflow inside binaryen)
 * leaves that worker's binaryen instance unusable, and every later transform
 * in it would fail on valid modules. Where the worker script is not beside
 * this module (the sources run unbuilt), transforms run on the calling thread
 * instead.
 */
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { FpcastError } from '../core/errors.ts'
import type { TransformOptions } from '../core/options.ts'
import type { TransformResult } from '../core/wasm/transform.ts'

/** When and where a transform ran: epoch milliseconds, and the worker's thread id (0: the calling thread). */
export interface Span {
  start: number
  end: number
  thread: number
}

export type PoolResult = TransformResult & { span: Span }

/** What the pool posts to a worker (worker.ts). */
export interface WorkerRequest {
  id: number
  bytes: Uint8Array
  options: TransformOptions
}

/** What a worker answers: the result, or the error as its file and reason (`ours`: an FpcastError; else an internal error). */
export type WorkerReply =
  | { id: number; wasm: Uint8Array; report: TransformResult['report']; sourceMap?: string; debugFile?: Uint8Array; error?: undefined }
  | { id: number; error: { ours: boolean; file?: string; reason: string } }

interface Job extends WorkerRequest {
  resolve: (r: PoolResult) => void
  start?: number
  reject: (e: unknown) => void
}

interface Slot {
  worker: Worker
  job?: Job
}

const WORKER_URL = new URL('./worker.js', import.meta.url)

export class TransformPool {
  private slots: Slot[] = []
  private queue: Job[] = []
  private nextId = 0
  private readonly useWorkers: boolean

  /** `workerUrl`: the worker script (the built `worker.js` beside this module by default). */
  constructor(
    private readonly size: number,
    private readonly progress?: { afterMs: number; log: (line: string) => void },
    private readonly workerUrl: URL = WORKER_URL,
  ) {
    this.useWorkers = workerUrl.protocol === 'file:' && existsSync(fileURLToPath(workerUrl))
  }

  run(bytes: Uint8Array, options: TransformOptions): Promise<PoolResult> {
    const file = options.fileName ?? '<wasm>'
    const started = Date.now()
    let timer: ReturnType<typeof setInterval> | undefined
    if (this.progress) {
      const { afterMs, log } = this.progress
      const mib = (bytes.length / 1048576).toFixed(1)
      const say = () => log(`[fpcast-trampoline] transforming ${file} (${mib} MiB)... ${((Date.now() - started) / 1000).toFixed(0)} s`)
      const first = setTimeout(() => {
        say()
        timer = setInterval(say, 5000)
        timer.unref?.()
      }, afterMs)
      first.unref?.()
      const stop = () => {
        clearTimeout(first)
        if (timer) clearInterval(timer)
      }
      return this.dispatch(bytes, options).finally(stop)
    }
    return this.dispatch(bytes, options)
  }

  private async dispatch(bytes: Uint8Array, options: TransformOptions): Promise<PoolResult> {
    if (!this.useWorkers) {
      const { transformWasm } = await import('../core/wasm/transform.ts')
      const start = Date.now()
      const r = transformWasm(bytes, options)
      return { ...r, span: { start, end: Date.now(), thread: 0 } }
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, bytes, options, resolve, reject })
      this.pump()
    })
  }

  private pump() {
    while (this.queue.length) {
      let slot = this.slots.find(s => !s.job)
      if (!slot && this.slots.length < this.size) slot = this.spawn()
      if (!slot) return
      const job = this.queue.shift()!
      slot.job = job
      job.start = Date.now()
      slot.worker.ref()
      slot.worker.postMessage({ id: job.id, bytes: job.bytes, options: job.options } satisfies WorkerRequest)
    }
  }

  private spawn(): Slot {
    const slot: Slot = { worker: new Worker(this.workerUrl) }
    slot.worker.on('message', (msg: WorkerReply) => {
      const job = slot.job
      if (!job || job.id !== msg.id) return
      slot.job = undefined
      slot.worker.unref()
      if (msg.error) {
        this.retire(slot)
        const { ours, file, reason } = msg.error
        job.reject(ours ? new FpcastError(reason, { file }) : new FpcastError(`internal error while transforming: ${reason}`, { file: job.options.fileName }))
      } else {
        job.resolve({
          wasm: new Uint8Array(msg.wasm),
          report: msg.report,
          sourceMap: msg.sourceMap,
          debugFile: msg.debugFile && new Uint8Array(msg.debugFile),
          span: { start: job.start!, end: Date.now(), thread: slot.worker.threadId },
        })
      }
      this.pump()
    })
    const fail = (e: unknown) => {
      this.slots = this.slots.filter(s => s !== slot)
      const job = slot.job
      slot.job = undefined
      if (job)
        job.reject(
          new FpcastError(`the transform worker died: ${(e as Error)?.message ?? e}; the wasm may be malformed in a way binaryen cannot report`, {
            file: job.options.fileName,
            cause: e,
          }),
        )
      this.pump()
    }
    slot.worker.on('error', fail)
    slot.worker.on('exit', code => {
      if (this.slots.includes(slot)) fail(new Error(`exit code ${code}`))
    })
    slot.worker.unref()
    this.slots.push(slot)
    return slot
  }

  /** Takes a worker out of the pool and stops it; the next job starts a fresh one (with a fresh binaryen). */
  private retire(slot: Slot): void {
    this.slots = this.slots.filter(s => s !== slot)
    void slot.worker.terminate()
  }

  /** Stops the workers; queued jobs are rejected. */
  async close(): Promise<void> {
    const slots = this.slots
    this.slots = []
    for (const job of this.queue.splice(0)) job.reject(new FpcastError('the transform pool was closed', { file: job.options.fileName }))
    await Promise.all(slots.map(s => s.worker.terminate()))
  }
}
