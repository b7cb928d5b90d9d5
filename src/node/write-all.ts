/**
 * writeAll: puts a set of files into one output directory as one step.
 *
 *   1. check: every target is inside the directory (after resolving links),
 *      no two outputs share a target, no target is an input or a directory;
 *   2. stage: each file goes to an unpredictable temporary name in the
 *      directory, created exclusively (a planted file or link there makes it
 *      fail instead of redirecting the write);
 *   3. commit: each existing target is moved aside, the staged file renamed
 *      into place; a failure at any step moves everything back.
 *
 * So a failure (disk full, no permission, a target that turns out to be a
 * directory) leaves the directory as it was, files and contents. A process
 * killed during step 3 can leave `.fpcast-*` files beside the targets;
 * nothing else can (a rename is atomic).
 */
import { randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import { basename, dirname, join, resolve, sep } from 'node:path'
import { FpcastError } from '../core/errors.ts'

/** The file operations writeAll uses; tests pass failing ones. */
export interface WriteIo {
  writeFileExclusive(path: string, data: string | Uint8Array): void
  copyFileExclusive(from: string, to: string): void
  rename(from: string, to: string): void
  remove(path: string): void
}

export const nodeIo: WriteIo = {
  writeFileExclusive: (path, data) => fs.writeFileSync(path, data, { flag: 'wx' }),
  copyFileExclusive: (from, to) => fs.copyFileSync(from, to, fs.constants.COPYFILE_EXCL),
  rename: (from, to) => fs.renameSync(from, to),
  remove: path => fs.rmSync(path, { force: true }),
}

export interface PlannedFile {
  /** Where it goes (inside the output directory). */
  to: string
  /** Its content, or the file to copy it from. */
  data?: string | Uint8Array
  from?: string
  /** The input a rewritten file (`data`) was made from: its precompressed copies are made again (files.ts). */
  madeFrom?: string
}

/** The real path of `path`, for a path that may not exist yet: its nearest existing ancestor resolved, the rest appended. */
export function realPathLoose(path: string): string {
  const abs = resolve(path)
  let head = abs
  const tail: string[] = []
  while (!fs.existsSync(head)) {
    const up = dirname(head)
    if (up === head) return abs
    tail.unshift(basename(head))
    head = up
  }
  return join(fs.realpathSync(head), ...tail)
}

const isInside = (path: string, dir: string) => path.startsWith(dir.endsWith(sep) ? dir : dir + sep)
const tempName = (dir: string, target: string, what: string) => join(dir, `.${basename(target)}.fpcast-${what}-${randomBytes(8).toString('hex')}`)

/** Step 1: refuses a plan that would write outside `outDir`, twice to one file, or over an input. */
export function checkPlan(outDir: string, files: PlannedFile[], inputs: string[]): void {
  const dir = realPathLoose(outDir)
  const inputSet = new Set(inputs.map(i => realPathLoose(i)))
  const seen = new Map<string, PlannedFile>()
  for (const f of files) {
    const parent = realPathLoose(dirname(f.to))
    const target = join(parent, basename(f.to))
    if (parent !== dir && !isInside(parent, dir))
      throw new FpcastError(`would be written outside the output directory ${dir}; nothing was written`, { file: f.to })
    if (inputSet.has(target) || (fs.existsSync(target) && inputSet.has(fs.realpathSync(target)))) {
      throw new FpcastError('is one of the inputs: writing it would overwrite the original; choose another --out-dir. Nothing was written', { file: f.to })
    }
    const other = seen.get(target)
    if (other) {
      if (other.from !== undefined && f.from !== undefined && realPathLoose(other.from) === realPathLoose(f.from)) continue
      throw new FpcastError(
        `two outputs would both be written here (${other.from ?? 'a rewritten file'} and ${f.from ?? 'a rewritten file'}); rename one, or name the main wasm with --wasm. Nothing was written`,
        { file: f.to },
      )
    }
    if (fs.existsSync(target) && fs.statSync(target).isDirectory())
      throw new FpcastError('is a directory, where an output file goes; nothing was written', { file: f.to })
    seen.set(target, f)
  }
}

/** Writes every planned file into `outDir` as one step (see the header); returns the targets. */
export function writeAll(outDir: string, planned: PlannedFile[], inputs: string[], io: WriteIo = nodeIo): string[] {
  checkPlan(outDir, planned, inputs)
  // A file named twice with the same source is written once.
  const files = [...new Map(planned.map(f => [resolve(f.to), f])).values()]
  let made: string | undefined
  try {
    made = fs.mkdirSync(outDir, { recursive: true })
  } catch (e) {
    throw new FpcastError(`cannot create the output directory (${(e as Error).message}); nothing was written`, { file: outDir, cause: e })
  }
  const staged: { tmp: string; to: string }[] = []
  const placed: { to: string; backup?: string }[] = []
  let failing = outDir
  try {
    for (const f of files) {
      failing = f.to
      const tmp = tempName(dirname(f.to), f.to, 'new')
      staged.push({ tmp, to: f.to }) // first: a write that fails half-way leaves a file to remove
      if (f.data !== undefined) io.writeFileExclusive(tmp, f.data)
      else io.copyFileExclusive(f.from!, tmp)
    }
    for (const { tmp, to } of staged) {
      failing = to
      let backup: string | undefined
      if (fs.existsSync(to)) {
        backup = tempName(dirname(to), to, 'old')
        io.rename(to, backup)
      }
      placed.push({ to, backup })
      io.rename(tmp, to)
    }
  } catch (e) {
    rollBack(placed, staged)
    // Directories this call made, innermost first; one that is not empty stays.
    for (let dir = resolve(outDir); made && (dir === made || isInside(dir, made)); dir = dirname(dir)) {
      try {
        fs.rmdirSync(dir)
      } catch {
        break
      }
    }
    throw new FpcastError(`cannot write the output (${(e as Error).message}); nothing was written`, { file: failing, cause: e })
  }
  for (const p of placed) if (p.backup) io.remove(p.backup)
  return files.map(f => f.to)
}

/** Undoes a commit that failed part-way, with the real file system: targets get their old files back (or go), staged files go. */
function rollBack(placed: { to: string; backup?: string }[], staged: { tmp: string }[]) {
  for (const p of [...placed].reverse()) {
    try {
      if (p.backup) nodeIo.rename(p.backup, p.to)
      else nodeIo.remove(p.to)
    } catch {}
  }
  for (const s of staged) {
    try {
      nodeIo.remove(s.tmp)
    } catch {}
  }
}
