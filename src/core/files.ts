/**
 * transformFiles: the file-level job behind the CLI. Takes an Emscripten
 * glue file (its wasm is found and transformed with it) or a bare `.wasm`,
 * and writes the results under the same names into an output directory.
 * The glue's companions go along so that the written glue runs as it is: side
 * modules it names are transformed too, pthread worker scripts get the
 * runtime, other files (`.data` packages) are copied.
 *
 * Every output is produced in memory and validated first, then all are
 * written to temporary names and renamed: a failure never leaves a partial
 * file (see writeAll).
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { basename, dirname, extname, join, resolve, sep } from 'node:path'
import { FpcastError } from './errors.ts'
import { transformGlue } from './glue.ts'
import type { TransformOptions } from './options.ts'
import { inspectWasm, type InspectResult } from './inspect.ts'
import { transformWasm, type TransformReport } from './transform.ts'

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
}

const WASM_LITERAL_RE = /["'`]([^"'`\s]+?\.wasm)["'`]/g
const WORKER_INSTANTIATES_RE = /WebAssembly\s*\.\s*(?:instantiate|Instance)\s*\(/
const COMPANION_RE = /["'`]([\w.-]+\.(?:worker\.js|worker\.mjs|data|wasm|so))["'`]/g

/** Which `.wasm` a glue file loads: the one named like the glue, else the only one it names. */
export function findGlueWasm(glue: string, glueFile: string): string {
  const names = [...new Set([...glue.matchAll(WASM_LITERAL_RE)].map(m => m[1]))]
  const stem = basename(glueFile).replace(/\.[cm]?js$/, '')
  const own = names.find(n => basename(n) === `${stem}.wasm`)
  if (own) return own
  if (names.length === 1) return names[0]
  if (!names.length) throw new FpcastError('the glue names no .wasm file (a single-file build, or one that builds the name at run time); pass the wasm itself, or name it with --wasm', { file: glueFile })
  throw new FpcastError(`the glue names several .wasm files (${names.join(', ')}); say which one it loads with --wasm`, { file: glueFile })
}

/**
 * Writes every output (and copy) under a temporary name beside its target
 * first, then renames them all into place. A failure while writing (disk
 * full, a file size limit, no permission) removes the temporary files, and
 * the directory if it made it, so nothing is left half-written. Targets
 * that are directories are refused before anything is written.
 */
function writeAll(outDir: string, outputs: [string, string | Uint8Array][], copies: [string, string][]): string[] {
  for (const to of [...outputs.map(o => o[0]), ...copies.map(c => c[1])]) {
    if (existsSync(to) && statSync(to).isDirectory()) throw new FpcastError('is a directory, where an output file goes; nothing was written', { file: to })
  }
  let made: string | undefined
  try {
    made = mkdirSync(outDir, { recursive: true })
  } catch (e) {
    throw new FpcastError(`cannot create the output directory (${(e as Error).message}); nothing was written`, { file: outDir, cause: e })
  }
  const staged: [string, string][] = []
  try {
    for (const [path, data] of outputs) {
      staged.push([`${path}.fpcast-tmp-${process.pid}`, path])
      writeFileSync(staged[staged.length - 1][0], data)
    }
    for (const [from, to] of copies) {
      staged.push([`${to}.fpcast-tmp-${process.pid}`, to])
      copyFileSync(from, staged[staged.length - 1][0])
    }
  } catch (e) {
    for (const [tmp] of staged) rmSync(tmp, { force: true })
    // Directories this call made, innermost first; one that is not empty stays.
    for (let dir = outDir; made && (dir === made || dir.startsWith(made + sep)); dir = dirname(dir)) {
      try { rmdirSync(dir) } catch { break }
    }
    throw new FpcastError(`cannot write the output (${(e as Error).message}); nothing was written`, { file: staged[staged.length - 1]?.[1] ?? outDir, cause: e })
  }
  for (const [tmp, path] of staged) renameSync(tmp, path)
  return staged.map(([, path]) => path)
}

export function transformFiles(input: string, options: FilesOptions): FilesResult {
  const inputPath = resolve(input)
  if (!existsSync(inputPath)) throw new FpcastError('no such file', { file: input })
  const outDir = resolve(options.outDir)
  if (outDir === dirname(inputPath)) throw new FpcastError(`--out-dir is the input's own directory; choose another so the originals stay intact`, { file: input })
  const ext = extname(inputPath)
  const outputs: [string, string | Uint8Array][] = []
  const copies: [string, string][] = []
  const sideReports: TransformReport[] = []
  let report: TransformReport

  if (ext === '.wasm') {
    const r = transformWasm(readFileSync(inputPath), { ...options, fileName: input })
    report = r.report
    outputs.push([join(outDir, basename(inputPath)), r.wasm])
  } else if (/^\.[cm]?js$/.test(ext)) {
    const glue = readFileSync(inputPath, 'utf8')
    const wasmName = options.wasm ?? findGlueWasm(glue, input)
    const wasmPath = resolve(dirname(inputPath), wasmName)
    if (!existsSync(wasmPath)) throw new FpcastError(`the glue loads '${wasmName}', which is not at ${wasmPath}; put it beside the glue or name it with --wasm`, { file: input })
    const r = transformWasm(readFileSync(wasmPath), { ...options, fileName: wasmPath })
    report = r.report
    const g = transformGlue(glue, { fileName: input })
    outputs.push([join(outDir, basename(wasmPath)), r.wasm], [join(outDir, basename(inputPath)), g.code])
    for (const m of glue.matchAll(COMPANION_RE)) {
      const from = resolve(dirname(inputPath), m[1])
      if (from === wasmPath || !existsSync(from) || !statSync(from).isFile()) continue
      // Side modules the glue loads (dlopen) get their own call sites rewritten.
      if (/\.(wasm|so)$/.test(from)) {
        const side = transformWasm(readFileSync(from), { ...options, fileName: from })
        outputs.push([join(outDir, basename(from)), side.wasm])
        sideReports.push(side.report)
        continue
      }
      // A pthreads worker script (Emscripten 3.1.x) instantiates the module itself: it needs the runtime too.
      if (/\.worker\.m?js$/.test(from) && WORKER_INSTANTIATES_RE.test(readFileSync(from, 'utf8'))) {
        outputs.push([join(outDir, basename(from)), transformGlue(readFileSync(from, 'utf8'), { fileName: from }).code])
      } else {
        copies.push([from, join(outDir, basename(from))])
      }
    }
  } else {
    throw new FpcastError(`expected Emscripten glue (.js, .mjs, .cjs) or a .wasm file, got '${ext || 'no extension'}'`, { file: input })
  }

  const written = writeAll(outDir, outputs, copies)
  return { written, report, sideModules: sideReports }
}

/** inspectWasm on a file: a .wasm, or the glue whose wasm it finds. */
export function inspectFile(input: string, options: { wasm?: string; symbolMap?: string } = {}): InspectResult {
  const inputPath = resolve(input)
  if (!existsSync(inputPath)) throw new FpcastError('no such file', { file: input })
  let wasmPath = inputPath
  if (/\.[cm]?js$/.test(inputPath)) {
    const glue = readFileSync(inputPath, 'utf8')
    wasmPath = resolve(dirname(inputPath), options.wasm ?? findGlueWasm(glue, input))
    if (!existsSync(wasmPath)) throw new FpcastError(`the glue loads '${basename(wasmPath)}', which is not at ${wasmPath}`, { file: input })
  } else if (extname(inputPath) !== '.wasm') {
    throw new FpcastError(`expected Emscripten glue (.js, .mjs, .cjs) or a .wasm file, got '${extname(inputPath) || 'no extension'}'`, { file: input })
  }
  return inspectWasm(readFileSync(wasmPath), { fileName: wasmPath === inputPath ? input : wasmPath, symbolMap: options.symbolMap })
}
