/**
 * transformFiles: the file-level job behind the CLI. Takes an Emscripten
 * glue file (its wasm is found and transformed with it) or a bare `.wasm`,
 * and writes the results under the same names into an output directory.
 * The glue's companions go along so that the written glue runs as it is: side
 * modules it names are transformed too, pthread worker scripts get the
 * runtime, other files (`.data` packages) are copied.
 *
 * A rewritten file whose input has precompressed copies beside it
 * (`app.wasm.br`, `app.wasm.gz`, as packages ship for servers that send
 * them) gets them made again from the output: left behind, they would still
 * hold the original, and a server would send that.
 *
 * Every output is produced in memory and validated first, then all are
 * written as one step (write-all.ts): nothing outside the output directory,
 * never over an input, and a failure leaves the directory as it was.
 * The input is always named by the user, so what the plugin would skip with
 * a note (core/glue/recognize.ts) is an error here.
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs'
import { basename, dirname, extname, join, resolve } from 'node:path'
import * as zlib from 'node:zlib'
import MagicString from 'magic-string'
import { FpcastError } from '../core/errors.ts'
import { hookInstantiation, TRANSFORMED_RE, transformGlue } from '../core/glue/instantiate.ts'
import { CLI_VOICE, recognizeGlue } from '../core/glue/recognize.ts'
import { rewriteGlueWasm } from '../core/glue/locate.ts'
import type { GlueSyntax } from '../core/glue/syntax.ts'
import type { TransformOptions } from '../core/options.ts'
import { inspectWasm, type InspectResult } from '../core/wasm/inspect.ts'
import { transformWasm, type TransformReport } from '../core/wasm/transform.ts'
import { isFile } from '../bundler/paths.ts'
import { readDebugFiles } from './debug-files.ts'
import { type PlannedFile, realPathLoose, writeAll } from './write-all.ts'

export interface FilesOptions extends TransformOptions {
  /** Directory to write into; created if missing. Must differ from the input's directory. */
  outDir: string
  /** The glue's main wasm file name, when the glue names several. @default found in the glue */
  wasm?: string
}

export interface FilesResult {
  written: string[]
  /** The main module's report. */
  report: TransformReport
  /** Reports of the side modules found beside the glue. */
  sideModules: TransformReport[]
  /** What was written as it was, and why: one line each, naming the file. */
  notes: string[]
}

const WORKER_INSTANTIATES_RE = /WebAssembly\s*\.\s*(?:instantiate|Instance)\s*\(/
const COMPANION_RE = /["'`]([\w.-]+\.(?:worker\.js|worker\.mjs|data|wasm|so))["'`]/g

/** Which `.wasm` a glue file loads: the one named like the glue, else the only one it names. */
export function findGlueWasm(glue: string, glueFile: string): string {
  const decision = recognizeGlue(glue, { fileName: glueFile, voice: CLI_VOICE })
  if (decision.kind === 'skip') throw new FpcastError(`cannot find the wasm this file loads: ${subjectIt(decision.why)}`, { file: glueFile })
  if (decision.wasm?.kind === 'external') return decision.wasm.name
  throw new FpcastError(
    decision.wasm
      ? 'the glue embeds its wasm (a single-file build): there is no .wasm file'
      : 'the glue names no .wasm file (it builds the name at run time); name it with --wasm',
    { file: glueFile },
  )
}

/**
 * The glue as the CLI writes it: instantiation hooked, and a wasm named with
 * a directory (`../wasm/app.wasm`) renamed to the file written beside it.
 */
function cliGlue(code: string, syntax: GlueSyntax, wasmName: string, fileName: string): string {
  if (TRANSFORMED_RE.test(code)) return transformGlue(code, { fileName }).code
  const s = new MagicString(code)
  const base = basename(wasmName)
  if (base !== wasmName) {
    for (const l of syntax.wasmLiterals) if (l.value === wasmName) s.overwrite(l.start, l.end, JSON.stringify(base))
  }
  hookInstantiation(s, code, syntax)
  return s.toString()
}

export function transformFiles(input: string, options: FilesOptions): FilesResult {
  const inputPath = resolve(input)
  if (!isFile(inputPath)) throw new FpcastError(existsSync(inputPath) ? 'is not a file' : 'no such file', { file: input })
  const outDir = resolve(options.outDir)
  if (realPathLoose(outDir) === dirname(realpathSync(inputPath)))
    throw new FpcastError(`--out-dir is the input's own directory; choose another so the originals stay intact`, { file: input })
  const ext = extname(inputPath)
  const planned: PlannedFile[] = []
  const inputs = [inputPath]
  const sideReports: TransformReport[] = []
  const notes: string[] = []
  let report: TransformReport

  if (ext === '.wasm') {
    report = wasmFile(inputPath, input, options, outDir, planned, inputs)
  } else if (/^\.[cm]?js$/.test(ext)) {
    const glue = readFileSync(inputPath, 'utf8')
    const glueDir = dirname(inputPath)
    const decision = recognizeGlue(glue, { fileName: input, wasmName: options.wasm, exists: name => isFile(resolve(glueDir, name)), voice: CLI_VOICE })
    if (decision.kind === 'skip') throw new FpcastError(`cannot rewrite this file: ${subjectIt(decision.why)}`, { file: input })
    if (!decision.wasm)
      throw new FpcastError('the glue names no .wasm file (it builds the name at run time, or gets the wasm from elsewhere); name it with --wasm', {
        file: input,
      })
    let mainWasm: string | undefined
    if (decision.wasm.kind === 'embedded') {
      const r = transformWasm(decision.wasm.embedded.bytes, { ...options, fileName: `${input} (embedded ${decision.wasm.embedded.embedding} wasm)` })
      report = r.report
      const g = rewriteGlueWasm(glue, { fileName: input, wasm: decision.wasm, syntax: decision.syntax, bytes: r.wasm })
      planned.push({ madeFrom: inputPath, to: join(outDir, basename(inputPath)), data: g.code })
    } else {
      const wasmName = decision.wasm.name
      mainWasm = resolve(glueDir, wasmName)
      if (!isFile(mainWasm))
        throw new FpcastError(`the glue loads '${wasmName}', which is not at ${mainWasm}; put it beside the glue or name it with --wasm`, { file: input })
      inputs.push(mainWasm)
      report = wasmFile(mainWasm, mainWasm, options, outDir, planned, inputs)
      planned.push({ madeFrom: inputPath, to: join(outDir, basename(inputPath)), data: cliGlue(glue, decision.syntax, wasmName, input) })
    }
    // Literals with the main wasm's file name name it, not a companion (also when --wasm points at another directory).
    const own = new Set(mainWasm ? [basename(mainWasm)] : [])
    const companions = new Set<string>()
    for (const m of glue.matchAll(COMPANION_RE)) {
      const from = resolve(glueDir, m[1])
      if (from === mainWasm || own.has(basename(m[1])) || companions.has(from) || !isFile(from)) continue
      companions.add(from)
      inputs.push(from)
      // Side modules the glue loads (dlopen) get their own call sites rewritten.
      if (/\.(wasm|so)$/.test(from)) {
        sideReports.push(wasmFile(from, from, options, outDir, planned, inputs))
        continue
      }
      // A pthreads worker script (Emscripten 3.1.x) instantiates the module itself: it needs the runtime too.
      const text = /\.worker\.m?js$/.test(from) ? readFileSync(from, 'utf8') : ''
      const worker = text && WORKER_INSTANTIATES_RE.test(text) ? workerScript(text, from, notes) : undefined
      if (worker !== undefined) planned.push({ madeFrom: from, to: join(outDir, basename(from)), data: worker })
      else planned.push({ to: join(outDir, basename(from)), from })
    }
  } else {
    throw new FpcastError(`expected Emscripten glue (.js, .mjs, .cjs) or a .wasm file, got '${ext || 'no extension'}'`, { file: input })
  }

  planned.push(...precompressed(planned, inputs))
  const written = writeAll(outDir, planned, inputs)
  return { written, report, sideModules: sideReports, notes }
}

/**
 * A pthreads worker script with the runtime, or undefined (copied as it is)
 * when its instantiation is not code the runtime can hook: one that carries
 * the worker as a string (@tensorflow/tfjs-backend-wasm exports the worker's
 * source in a template literal, started from a Blob). Its threads then run
 * the transformed module without the runtime (cast calls there trap, as
 * stock), which the report says.
 */
function workerScript(text: string, from: string, notes: string[]): string | undefined {
  try {
    return transformGlue(text, { fileName: from }).code
  } catch (e) {
    if (!(e instanceof FpcastError)) throw e
    notes.push(
      `${from}: copied as it is: the runtime cannot hook how it instantiates (${e.reason.replace(/\. Pass .*$/, '')}); cast calls in its threads trap as they do stock`,
    )
    return undefined
  }
}

/** How each kind of precompressed copy is made again (brotli at its best quality up to 2 MiB, past that at 9: quality 11 takes 25 s on 10 MB). */
const COMPRESSORS: Record<string, ((data: Uint8Array) => Uint8Array) | undefined> = {
  '.br': data =>
    zlib.brotliCompressSync(data, {
      params: { [zlib.constants.BROTLI_PARAM_QUALITY]: data.length <= 2 * 2 ** 20 ? 11 : 9, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length },
    }),
  '.gz': data => zlib.gzipSync(data, { level: 9 }),
  // zstd is in Node's zlib from 22.15 and 23.8.
  '.zst': 'zstdCompressSync' in zlib ? data => (zlib as unknown as { zstdCompressSync(d: Uint8Array): Uint8Array }).zstdCompressSync(data) : undefined,
}

/**
 * The precompressed copies beside each rewritten output's input, made again
 * from the output (copied files have none made: theirs still match); one this
 * Node cannot make is an error.
 */
function precompressed(planned: PlannedFile[], inputs: string[]): PlannedFile[] {
  const out: PlannedFile[] = []
  for (const p of planned) {
    const source = p.madeFrom
    if (source === undefined || p.data === undefined) continue
    for (const [ext, compress] of Object.entries(COMPRESSORS)) {
      if (!isFile(source + ext)) continue
      if (!compress)
        throw new FpcastError(
          `${basename(source)}${ext} beside it would still hold the original, and this Node cannot make zstd (22.15 and later can); run on a newer Node, or remove it`,
          { file: source },
        )
      inputs.push(source + ext)
      out.push({ to: p.to + ext, data: compress(typeof p.data === 'string' ? Buffer.from(p.data) : p.data) })
    }
  }
  return out
}

/**
 * Transforms one wasm file into `planned`, with the debug files it names
 * when they are beside it: its source map (`-gsource-map`) and its separate
 * DWARF file (`-gseparate-dwarf`, named by `external_debug_info`). Each is
 * rewritten and written beside the output under its own name, and the
 * output names it (a URL with a scheme, from --source-map-base or
 * -sSEPARATE_DWARF_URL, is kept as it was).
 */
function wasmFile(path: string, fileName: string, options: FilesOptions, outDir: string, planned: PlannedFile[], inputs: string[]): TransformReport {
  const bytes = readFileSync(path)
  const { sourceMap, debugFile } = readDebugFiles(path, bytes, options.debugInfo)
  for (const f of [sourceMap, debugFile]) if (f) inputs.push(f.path)
  const r = transformWasm(bytes, {
    ...options,
    fileName,
    ...(sourceMap && { sourceMap: sourceMap.content, sourceMapUrl: sourceMap.url }),
    ...(debugFile && { debugFile: debugFile.content, debugFileUrl: debugFile.url }),
  })
  planned.push({ madeFrom: path, to: join(outDir, basename(path)), data: r.wasm })
  if (sourceMap && r.sourceMap !== undefined) planned.push({ madeFrom: sourceMap.path, to: join(outDir, basename(sourceMap.path)), data: r.sourceMap })
  if (debugFile && r.debugFile !== undefined) planned.push({ madeFrom: debugFile.path, to: join(outDir, basename(debugFile.path)), data: r.debugFile })
  return r.report
}

/** inspectWasm on a file: a .wasm, or the glue whose wasm it finds. */
export function inspectFile(input: string, options: { wasm?: string; symbolMap?: string } = {}): InspectResult {
  const inputPath = resolve(input)
  if (!existsSync(inputPath)) throw new FpcastError('no such file', { file: input })
  if (/\.[cm]?js$/.test(inputPath)) {
    const glue = readFileSync(inputPath, 'utf8')
    const decision = recognizeGlue(glue, {
      fileName: input,
      wasmName: options.wasm,
      exists: name => isFile(resolve(dirname(inputPath), name)),
      voice: CLI_VOICE,
    })
    if (decision.kind === 'skip') throw new FpcastError(`cannot inspect this file: ${subjectIt(decision.why)}`, { file: input })
    if (decision.wasm?.kind === 'embedded')
      return inspectWasm(decision.wasm.embedded.bytes, { fileName: `${input} (embedded wasm)`, symbolMap: options.symbolMap })
    if (!decision.wasm) throw new FpcastError('the glue names no .wasm file; name it with --wasm', { file: input })
    const wasmPath = resolve(dirname(inputPath), decision.wasm.name)
    if (!existsSync(wasmPath)) throw new FpcastError(`the glue loads '${basename(wasmPath)}', which is not at ${wasmPath}`, { file: input })
    return inspectWasm(readFileSync(wasmPath), { fileName: wasmPath, symbolMap: options.symbolMap })
  }
  if (extname(inputPath) !== '.wasm') {
    throw new FpcastError(`expected Emscripten glue (.js, .mjs, .cjs) or a .wasm file, got '${extname(inputPath) || 'no extension'}'`, { file: input })
  }
  return inspectWasm(readFileSync(inputPath), { fileName: input, symbolMap: options.symbolMap })
}

/** A recognizer's reason as a clause about the file: 'is not glue' -> 'it is not glue'; 'its wasm is ...' stays. */
function subjectIt(why: string): string {
  return why.startsWith('its ') ? why : `it ${why}`
}
