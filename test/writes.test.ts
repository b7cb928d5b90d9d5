/**
 * Where the tool writes, and what concurrent writers leave behind.
 *
 * - The plugin's persistent cache under concurrency: processes storing
 *   different bytes under one key while another reads it; real Rolldown
 *   builds in parallel processes sharing one cache directory.
 * - Nothing is written outside the output and cache directories: a CLI run
 *   and a bundler build, each under strace with a fresh HOME and TMPDIR,
 *   write (create, open for writing, rename, remove) only there, and a
 *   snapshot of the project directory shows nothing else changed.
 */
import { execFile, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { isAbsolute, join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { transformWasm } from '../src/core/index.ts'
import { workdir } from './bundlers/helpers.ts'
import { ROOT } from './helpers/engines.ts'

const work = mkdtempSync(join(tmpdir(), 'fpcast-writes-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))
const STRESS = join(ROOT, 'test/writes/cache-stress.ts')
const BUILD = join(ROOT, 'test/writes/build.mjs')
const CLI = join(ROOT, 'dist/cli.js')
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')

/** Runs node with args; resolves with stdout (rejects on a non-zero exit). */
function node(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  return promisify(execFile)(process.execPath, args, { encoding: 'utf8', timeout: 120_000, ...options }).then(r => r.stdout)
}

/** Every file under dir (relative path -> size and mtime), for before/after comparisons. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>()
  if (!existsSync(dir)) return out
  for (const f of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const st = statSync(join(dir, f))
    out.set(f, st.isDirectory() ? 'dir' : `${st.size}:${st.mtimeMs}`)
  }
  return out
}

function changed(before: Map<string, string>, after: Map<string, string>): string[] {
  const keys = new Set([...before.keys(), ...after.keys()])
  return [...keys].filter(k => before.get(k) !== after.get(k)).sort()
}

describe('the persistent cache under concurrency', () => {
  it("two processes storing different bytes under one key while a third reads: every hit is one writer's bytes with its own report, no file is ever seen half-written", async () => {
    const dir = join(work, 'stress-cache')
    const x = transformWasm(readFileSync(join(ROOT, 'test/fixtures/build/glib/glib.wasm'))).wasm
    // Same length, one byte apart: only the recorded SHA-256 tells them apart.
    const y = new Uint8Array(x)
    y[y.length - 1] ^= 1
    writeFileSync(join(work, 'X.wasm'), x)
    writeFileSync(join(work, 'Y.wasm'), y)
    const stop = join(work, 'stop')
    const cacheModule = join(ROOT, 'src/bundler/cache.ts')
    const reader = node(['--import', 'tsx', STRESS, 'reader', cacheModule, dir, 'k', join(work, 'X.wasm'), join(work, 'Y.wasm'), stop])
    await new Promise(r => setTimeout(r, 300))
    await Promise.all(['X', 'Y'].map(label => node(['--import', 'tsx', STRESS, 'writer', cacheModule, dir, 'k', join(work, `${label}.wasm`), label, '300'])))
    writeFileSync(stop, '')
    const counts = JSON.parse(await reader)
    expect(counts).toMatchObject({ mixed: 0, partialWasm: 0, partialJson: 0 })
    expect(counts.hits.X + counts.hits.Y).toBeGreaterThan(0)
    // What is left: one whole entry, no temporary file.
    expect(readdirSync(dir).sort()).toEqual(['k.json', 'k.wasm'])
    const entry = JSON.parse(readFileSync(join(dir, 'k.json'), 'utf8'))
    expect(entry.sha256).toBe(sha256(readFileSync(join(dir, 'k.wasm'))))
  }, 90_000)

  it('three Rolldown builds at once on one cache directory: the same valid output each, one whole cache entry, and a fourth build hits it', async () => {
    const root = workdir('glib', 'writes-concurrent')
    const cache = join(root, 'shared-cache')
    const runs = await Promise.all([1, 2, 3].map(i => node([BUILD, root, `dist${i}`, cache])))
    const assets = [1, 2, 3].map(i => {
      const files = readdirSync(join(root, `dist${i}/assets`)).filter(f => f.endsWith('.wasm'))
      expect(files).toHaveLength(1)
      return readFileSync(join(root, `dist${i}/assets`, files[0]))
    })
    expect(WebAssembly.validate(assets[0])).toBe(true)
    for (const a of assets) expect(Buffer.compare(a, assets[0])).toBe(0)
    // The reports are the last line (a slow build prints a progress line first).
    const reportsOf = (out: string) => JSON.parse(out.trim().split('\n').at(-1)!)
    for (const out of runs) expect(reportsOf(out)).toEqual([expect.objectContaining({ after: assets[0].length })])
    const entries = readdirSync(cache).sort()
    expect(entries).toHaveLength(2)
    expect(entries.map(f => f.replace(/^[0-9a-f]{64}/, 'KEY'))).toEqual(['KEY.json', 'KEY.wasm'])
    const wasm = readFileSync(join(cache, entries[1]))
    expect(Buffer.compare(wasm, assets[0])).toBe(0)
    expect(JSON.parse(readFileSync(join(cache, entries[0]), 'utf8')).sha256).toBe(sha256(wasm))
    const fourth = reportsOf(await node([BUILD, root, 'dist4', cache]))
    expect(fourth).toEqual([expect.objectContaining({ cached: true, after: assets[0].length })])
  }, 90_000)
})

/**
 * Paths a process under strace created, opened for writing, renamed, or
 * removed (successful calls only). Relative paths are resolved against `cwd`.
 */
function tracedWrites(log: string, cwd: string): string[] {
  const paths: string[] = []
  const at = (p: string) => (isAbsolute(p) ? p : resolve(cwd, p))
  for (const line of log.split('\n')) {
    const call = /^\d+\s+(\w+)\((.*)\)\s+=\s+\d+/.exec(line)
    if (!call) continue
    const [, name, args] = call
    const strings = [...args.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map(m => m[1])
    if (/^open(at)?$/.test(name)) {
      if (/O_WRONLY|O_RDWR|O_CREAT|O_TRUNC|O_APPEND/.test(args)) paths.push(at(strings[0]))
    } else if (/^(creat|mkdir(at)?|unlink(at)?|rmdir|truncate|rename(at2?)?|link(at)?|symlink(at)?)$/.test(name)) {
      paths.push(...strings.map(at))
    }
  }
  return paths
}

function straced(args: string[], cwd: string, env: NodeJS.ProcessEnv): { status: number | null; writes: string[]; stderr: string } {
  const log = join(work, `strace-${Math.random().toString(36).slice(2)}.log`)
  const r = spawnSync(
    'strace',
    [
      '-f',
      '-qq',
      '--seccomp-bpf',
      '-e',
      'trace=open,openat,creat,mkdir,mkdirat,unlink,unlinkat,rmdir,truncate,rename,renameat,renameat2,link,linkat,symlink,symlinkat',
      '-e',
      'status=successful',
      '-o',
      log,
      process.execPath,
      ...args,
    ],
    { cwd, env, encoding: 'utf8', timeout: 120_000 },
  )
  if (r.error) throw new Error(`strace could not run (${r.error.message}): apt-get install strace (.ci/run installs it)`)
  return { status: r.status, writes: tracedWrites(readFileSync(log, 'utf8'), cwd), stderr: r.stderr }
}

/** Devices a process may open for writing without writing a file. */
const DEVICES = /^\/dev\/(null|tty|pts\/\d+|urandom|random)$/

describe('nothing is written outside the output and cache directories', () => {
  const fresh = () => {
    const home = mkdtempSync(join(work, 'home-'))
    const tmp = mkdtempSync(join(work, 'tmp-'))
    return { home, tmp, env: { ...process.env, HOME: home, TMPDIR: tmp, XDG_CACHE_HOME: join(home, '.cache') } }
  }
  const inside = (p: string, dir: string) => p === dir || p.startsWith(`${dir}/`)

  it('the CLI writes only into --out-dir', () => {
    const project = join(work, 'cli-project')
    mkdirSync(project)
    const input = join(ROOT, 'test/fixtures/build/pthreads/pthreads.js')
    const inputDir = snapshot(join(ROOT, 'test/fixtures/build/pthreads'))
    const { home, tmp, env } = fresh()
    const out = join(project, 'out')
    const r = straced([CLI, input, '--out-dir', out], project, env)
    expect(r.status, r.stderr).toBe(0)
    const outside = r.writes.filter(p => !inside(p, out) && !DEVICES.test(p))
    expect(outside).toEqual([])
    // What it did write is there: the glue, its wasm and the worker script, each renamed into place.
    expect(r.writes.filter(p => p.startsWith(out)).some(p => p.endsWith('/pthreads.wasm'))).toBe(true)
    expect(readdirSync(out).sort()).toEqual(['pthreads.js', 'pthreads.wasm', 'pthreads.worker.js'])
    expect(readdirSync(home)).toEqual([])
    expect(readdirSync(tmp)).toEqual([])
    expect(changed(inputDir, snapshot(join(ROOT, 'test/fixtures/build/pthreads')))).toEqual([])
  })

  it("a bundler build with the plugin writes only its output directory and the plugin's cache", () => {
    const root = workdir('glib', 'writes-build')
    const before = snapshot(root)
    const { home, tmp, env } = fresh()
    const r = straced([BUILD, root, 'dist'], root, env)
    expect(r.status, r.stderr).toBe(0)
    const out = join(root, 'dist')
    const cache = join(root, 'node_modules/.cache/unplugin-fpcast-trampoline')
    // The cache directory's parents are made on the way (mkdir -p).
    const parents = [join(root, 'node_modules/.cache')]
    const outside = r.writes.filter(p => !inside(p, out) && !inside(p, cache) && !parents.includes(p) && !DEVICES.test(p))
    expect(outside).toEqual([])
    expect(r.writes.some(p => inside(p, cache) && p.endsWith('.wasm'))).toBe(true)
    expect(r.writes.some(p => inside(p, out) && p.endsWith('.wasm'))).toBe(true)
    expect(changed(before, snapshot(root)).filter(f => !/^(dist|node_modules\/\.cache)(\/|$)/.test(f))).toEqual([])
    expect(readdirSync(home)).toEqual([])
    expect(readdirSync(tmp)).toEqual([])
  })

  it('the trace sees writes (it would catch one outside)', () => {
    const project = mkdtempSync(join(work, 'control-'))
    const r = straced(['-e', `require('fs').writeFileSync(${JSON.stringify(join(work, 'elsewhere.txt'))}, 'x')`], project, process.env)
    expect(r.status).toBe(0)
    expect(r.writes).toContain(join(work, 'elsewhere.txt'))
  })
})
