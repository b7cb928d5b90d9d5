/**
 * Reading a wasm binary into binaryen with exactly the features it needs.
 *
 * binaryen applies a `target_features` section when there is one; to it we
 * add the features current engines ship (see ASSUMED). Never `Features.All`:
 * with it binaryen 132 writes encodings engines reject.
 */
import { binaryen, type Module } from './binaryen.ts'
import { FpcastError } from '../errors.ts'
import { customSectionName, customSectionNames, sections } from './bytes.ts'

const F = binaryen.Features

/**
 * Features a module may use without saying so (Emscripten strips the
 * `target_features` section at -O2). Enabling them lets binaryen validate
 * such modules; it changes no encoding binaryen writes for a module that does
 * not use them. GC, strings, stack switching and the like stay off.
 */
const ASSUMED =
  F.MutableGlobals |
  F.SignExt |
  F.NontrappingFPToInt |
  F.BulkMemory |
  F.BulkMemoryOpt |
  F.ReferenceTypes |
  F.Multivalue |
  F.SIMD128 |
  F.ExceptionHandling |
  F.TailCall |
  F.ExtendedConst |
  F.Atomics |
  F.Memory64 |
  F.MultiMemory |
  F.RelaxedSIMD

export interface ReadResult {
  module: Module
  /** The bytes binaryen read. */
  bytes: Uint8Array
  /** The features binaryen validates with. */
  features: number
  /**
   * The features the input declares in its `target_features` section, or
   * undefined when it has none. binaryen writes that section back from the
   * module's features, so the output must declare these plus what we add.
   */
  declared: number | undefined
  /** Names of the input's custom sections. */
  customSections: string[]
  /** The JS engine running us validated the input itself (so it can judge the output too). */
  engineValid: boolean
}

const HEADER = [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]

/**
 * `skeleton`: the bytes are the copy writer's skeleton, not the input: one
 * the engine rejects is not judged here (the caller leaves the input to
 * binaryen's writer, which judges the input itself).
 */
export function readModule(bytes: Uint8Array, fileName: string, skeleton = false): ReadResult {
  if (bytes.length > 0 && bytes.length < 8 && bytes.every((b, i) => b === HEADER[i])) {
    throw new FpcastError(`truncated: the file ends after ${bytes.length} byte(s), inside the 8-byte WebAssembly header`, { file: fileName })
  }
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) {
    throw new FpcastError('not a WebAssembly binary (no \\0asm header); pass the .wasm file, not its glue or a text form', { file: fileName })
  }
  if (bytes[4] !== 1 || bytes[5] !== 0 || bytes[6] !== 0 || bytes[7] !== 0) {
    const layer = bytes[6] === 1 && bytes[7] === 0 ? ' (a component-model component, not a core module)' : ''
    throw new FpcastError(`unsupported WebAssembly binary version ${bytes[4]}${layer}; only version 1 core modules are supported`, { file: fileName })
  }
  const read = captureOutput(() => binaryen.readBinary(bytes))
  if (!read.ok) {
    throw new FpcastError(`cannot parse the module: ${parseFailure(read.output, read.error)}; is it truncated or corrupt?`, {
      file: fileName,
      cause: read.error,
    })
  }
  const module = read.value
  const customSections = customSectionNames(bytes)
  const declared = customSections.includes('target_features') ? module.getFeatures() : undefined
  const features = module.getFeatures() | ASSUMED
  module.setFeatures(features)
  // The engine validates ten times faster than binaryen; binaryen only judges
  // what the engine rejects (it may lack a feature the module uses).
  const engineValid = engineValidates(bytes)
  if (!engineValid && !skeleton && !quietlyValid(module)) {
    module.dispose()
    throw new FpcastError(
      `the input module does not validate (${lastValidationErrors.join(' ').replace(/\s+/g, ' ').slice(0, 300)}); is it truncated or corrupt?`,
      { file: fileName },
    )
  }
  return { module, bytes, features, declared, customSections, engineValid }
}

/** WebAssembly.validate of the JS engine we run in, or false where there is none. */
export function engineValidates(bytes: Uint8Array): boolean {
  const WA: typeof WebAssembly | undefined = globalThis.WebAssembly
  return typeof WA?.validate === 'function' && WA.validate(asBufferSource(bytes))
}

/** lib.dom's BufferSource leaves out views of a SharedArrayBuffer: the engine judges those itself, at run time. */
const asBufferSource = (bytes: Uint8Array) => bytes as Uint8Array<ArrayBuffer>

/** The engine's reason for rejecting a module (it compiles it: only for error messages). */
export function engineRejection(bytes: Uint8Array): string {
  try {
    new WebAssembly.Module(asBufferSource(bytes))
    return 'the engine accepts it'
  } catch (e) {
    return (e as Error)?.message ?? String(e)
  }
}

/** A stream's write, as captureOutput replaces it. */
type Sink = { write: (chunk: unknown) => boolean }

/**
 * binaryen.js prints through a console it bound at load time; this runs `fn`
 * with the process's stream writes captured instead, for our own messages.
 */
function captureOutput<T>(fn: () => T): { ok: true; value: T; output: string[] } | { ok: false; error: unknown; output: string[] } {
  const output: string[] = []
  const proc = globalThis.process as { stdout?: Sink; stderr?: Sink } | undefined
  const con = globalThis.console as { _stdout?: Sink; _stderr?: Sink } | undefined
  // Node's console writes to process.stdout/stderr; a test runner's console (vitest, jest) to streams of its own.
  const streams = [...new Set([proc?.stdout, proc?.stderr, con?._stdout, con?._stderr])].filter((s): s is Sink => typeof s?.write === 'function')
  const saved = streams.map(s => s.write)
  for (const s of streams)
    s.write = (chunk: unknown) => {
      output.push(String(chunk))
      return true
    }
  try {
    return { ok: true, value: fn(), output }
  } catch (error) {
    return { ok: false, error, output }
  } finally {
    streams.forEach((s, i) => {
      s.write = saved[i]
    })
  }
}

/**
 * binaryen's reason for a failed `readBinary`. It prints `[parse exception:
 * ...]` without a newline, so the text waits in binaryen's stderr buffer (and
 * would open the next, unrelated message); validating a module that is
 * invalid on purpose prints a line, which flushes it out, and we keep it.
 */
function parseFailure(output: string[], error: unknown): string {
  const flush = captureOutput(() => {
    const m = new binaryen.Module()
    try {
      m.addFunction('flush', binaryen.none, binaryen.i32, [], m.nop())
      m.validate()
    } finally {
      m.dispose()
    }
  })
  const text = [...output, ...flush.output].join('')
  const reason = /\[parse exception: ([^\]]*)\]/.exec(text)?.[1]
  return reason ? reason.replace(/\(at 0:(\d+)\)/, '(at byte $1)') : String((error as Error)?.message ?? error)
}

/** binaryen's validation, its messages kept for our own (see `lastValidationErrors`). */
export function quietlyValid(module: Module): boolean {
  const r = captureOutput(() => !!module.validate())
  const ok = r.ok && r.value
  lastValidationErrors = ok ? [] : r.output
  if (!r.ok) throw r.error
  return ok
}

/** The messages of the last failed `quietlyValid()`. */
export let lastValidationErrors: string[] = []

/**
 * Removes the custom sections whose name `drop` selects, by copying every
 * other section as it is. Returns the names dropped.
 */
export function dropCustomSections(bytes: Uint8Array, drop: (name: string) => boolean): { bytes: Uint8Array; dropped: string[] } {
  const keep: Uint8Array[] = [bytes.subarray(0, 8)]
  const dropped: string[] = []
  for (const section of sections(bytes)) {
    const name = section.id === 0 ? customSectionName(bytes, section) : undefined
    if (name !== undefined && drop(name)) dropped.push(name)
    else keep.push(bytes.subarray(section.at, section.end))
  }
  if (!dropped.length) return { bytes, dropped }
  const out = new Uint8Array(keep.reduce((n, k) => n + k.length, 0))
  let o = 0
  for (const k of keep) {
    out.set(k, o)
    o += k.length
  }
  return { bytes: out, dropped }
}
