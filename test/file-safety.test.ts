/**
 * Issue 21, file safety: the Vite dev server serves no wasm that Vite's own
 * `/@fs/` would refuse, whatever the encoding of the path, and says nothing
 * about the file system in its errors; the CLI never writes outside its
 * output directory and never over an input.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import fpcast from 'unplugin-fpcast-trampoline/vite'
import { requestedFile } from '../src/bundler/dev-server.ts'
import { ROOT } from './helpers/engines.ts'
import { CAST, glue } from './helpers/repro.ts'
import { freePort } from './helpers/net.ts'

const CLI = join(ROOT, 'dist/cli.js')
// Outside the repository, so outside the dev server's server.fs.allow (the workspace root).
const outside = mkdtempSync(join(tmpdir(), 'fpcast-file-safety-'))
afterAll(() => rmSync(outside, { recursive: true, force: true }))

/** A GET with the path sent exactly as given (fetch would normalise it). */
function rawGet(port: number, path: string): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET' }, res => {
      const chunks: Buffer[] = []
      res.on('data', c => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('the dev server route', () => {
  it('normalises every encoding of the path before any check', () => {
    const base = '/'
    expect(requestedFile('/@fpcast-trampoline/fs/a/b/../../etc/x.wasm', base)).toBe('/etc/x.wasm')
    expect(requestedFile('/@fpcast-trampoline/fs/a/b/%2e%2e/%2E%2E/etc/x.wasm', base)).toBe('/etc/x.wasm')
    expect(requestedFile('/@fpcast-trampoline/fs/a/b/..%2f..%2fetc/x.wasm', base)).toBe('/etc/x.wasm')
    expect(requestedFile('/@fpcast-trampoline/fs/a/%00.wasm', base)).toBe(null)
    expect(requestedFile('/@fpcast-trampoline/fs/a/%E0%A4%A.wasm', base)).toBe(null)
    expect(requestedFile('/other/x.wasm', base)).toBe(undefined)
  })

  it("answers traversal in every encoding as Vite's own /@fs does, and serves what it should", async () => {
    const root = join(ROOT, 'test/.out/file-safety/dev')
    rmSync(root, { recursive: true, force: true })
    mkdirSync(root, { recursive: true })
    writeFileSync(join(root, 'package.json'), '{"name":"dev-hardening","private":true,"type":"module"}')
    writeFileSync(join(root, 'index.html'), '<!doctype html><script type="module" src="./main.js"></script>')
    writeFileSync(join(root, 'main.js'), 'import u from "./cast.wasm?url"\nconsole.log(u)\n')
    writeFileSync(join(root, 'cast.wasm'), CAST)
    writeFileSync(join(root, 'broken.wasm'), 'not wasm at all')
    mkdirSync(join(outside, 'secret'), { recursive: true })
    writeFileSync(join(outside, 'secret', 'x.wasm'), CAST)
    // A link inside the root to the secret: served by neither.
    symlinkSync(join(outside, 'secret'), join(root, 'linked'))

    const { createServer } = await import('vite')
    const port = await freePort()
    const errors: string[] = []
    const server = await createServer({
      root,
      configFile: false,
      logLevel: 'silent',
      plugins: [fpcast({ report: false, cache: false })],
      server: { host: '127.0.0.1', port, strictPort: true },
      customLogger: {
        info() {},
        warn() {},
        warnOnce() {},
        error: (m: string) => {
          errors.push(m)
        },
        clearScreen() {},
        hasErrorLogged: () => false,
        hasWarned: false,
      } as any,
    })
    await server.listen()
    try {
      const ok = await rawGet(port, `/@fpcast-trampoline/fs${root}/cast.wasm`)
      expect(ok.status).toBe(200)
      expect(WebAssembly.Module.customSections(new WebAssembly.Module(new Uint8Array(ok.body)), 'fpcast_trampoline')).toHaveLength(1)

      const secret = join(outside, 'secret', 'x.wasm')
      // Exactly up to `/` from the root: the path stays under the route's prefix.
      const up = '../'.repeat(root.split('/').length - 1)
      const tails = [
        `${root}/${up}${secret.slice(1)}`,
        `${root}/${up.replaceAll('..', '%2e%2e')}${secret.slice(1)}`,
        `${root}/${up.replaceAll('../', '..%2f')}${secret.slice(1)}`,
        `${root}/${up.replaceAll('/', '%5c')}${secret.slice(1)}`,
        `${root}/${up.replaceAll('/', '\\')}${secret.slice(1)}`,
        secret,
        encodeURI(secret).replaceAll('/', '%2f'),
      ]
      for (const tail of [...tails, `${root}/linked/x.wasm`]) {
        const ours = await rawGet(port, `/@fpcast-trampoline/fs${tail.startsWith('/') ? '' : '/'}${tail}`)
        expect(ours.status, `ours for ${tail}: ${ours.body.toString().slice(0, 200)}`).toBeGreaterThanOrEqual(400)
        expect(ours.body.subarray(0, 4).equals(Buffer.from([0, 0x61, 0x73, 0x6d]))).toBe(false)
        expect(ours.body.toString()).not.toContain(outside)
        // Where Vite's own route refuses the same path as outside server.fs.allow, so do we (a link is
        // refused by its target even where Vite, which does not resolve it, would serve it).
        if (tails.includes(tail)) {
          const vite = await rawGet(port, `/@fs${tail.startsWith('/') ? '' : '/'}${tail}`)
          expect(vite.body.subarray(0, 4).equals(Buffer.from([0, 0x61, 0x73, 0x6d])), `Vite's /@fs for ${tail}`).toBe(false)
          if (vite.status === 403) expect(ours.status, tail).toBe(403)
        }
      }

      // A wasm that cannot be transformed: 500, the reason in the server's log, no path in the answer.
      const broken = await rawGet(port, `/@fpcast-trampoline/fs${root}/broken.wasm`)
      expect(broken.status).toBe(500)
      expect(broken.body.toString()).not.toContain(root)
      expect(errors.join('\n')).toContain('broken.wasm')
    } finally {
      await server.close()
    }
  })
})

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 })
  return { status: r.status, stderr: r.stderr.split('\n').filter(Boolean) }
}

/** A fresh folder with files, under the temporary directory. */
function folder(name: string, files: Record<string, string | Uint8Array>): string {
  const dir = join(outside, name)
  rmSync(dir, { recursive: true, force: true })
  for (const [file, data] of Object.entries(files)) {
    mkdirSync(join(dir, file, '..'), { recursive: true })
    writeFileSync(join(dir, file), data)
  }
  return dir
}

const runGlue = async (file: string) => {
  const { default: createModule } = await import(`${pathToFileURL(file).href}?${Math.random()}`)
  const i = await createModule({})
  try {
    return i.exports.call2(0, 41, 99)
  } catch (e) {
    return String((e as Error).message)
  }
}

describe('the CLI writes inside its output directory only, never over an input', () => {
  const originals = (dir: string) =>
    Object.fromEntries(
      readdirSync(dir)
        .sort()
        .map(f => [f, readFileSync(join(dir, f)).toString('base64')]),
    )

  it("an --out-dir that is a link to the input's folder is refused; the originals stay", () => {
    const dir = folder('link-out', { 'in/glue.mjs': glue({ kind: 'newUrl' }), 'in/cast.wasm': CAST, 'in/package.json': '{"type":"module"}' })
    symlinkSync(join(dir, 'in'), join(dir, 'out'))
    const before = originals(join(dir, 'in'))
    const r = cli([join(dir, 'in/glue.mjs'), '-o', join(dir, 'out')])
    expect(r.status).toBe(1)
    expect(r.stderr).toHaveLength(1)
    expect(r.stderr[0]).toMatch(/glue\.mjs: --out-dir is the input's own directory/)
    expect(originals(join(dir, 'in'))).toEqual(before)
  })

  it('a glue naming ../victim/cast.wasm with -o victim is refused: the output would overwrite its input', () => {
    const dir = folder('victim', { 'in/glue.mjs': glue({ kind: 'newUrl' }, '', '../victim/cast.wasm'), 'victim/cast.wasm': CAST })
    const r = cli([join(dir, 'in/glue.mjs'), '-o', join(dir, 'victim')])
    expect(r.status).toBe(1)
    expect(r.stderr).toEqual([
      expect.stringMatching(
        /victim\/cast\.wasm: is one of the inputs: writing it would overwrite the original; choose another --out-dir\. Nothing was written$/,
      ),
    ])
    expect(Buffer.compare(readFileSync(join(dir, 'victim/cast.wasm')), CAST)).toBe(0)
    expect(readdirSync(join(dir, 'victim'))).toEqual(['cast.wasm'])
  })

  it('a glue naming ../wasm/cast.wasm: the written glue loads the written wasm, not the original', async () => {
    const dir = folder('rel-wasm', {
      'js/glue.mjs': glue({ kind: 'newUrl' }, '', '../wasm/cast.wasm'),
      'wasm/cast.wasm': CAST,
      'js/package.json': '{"type":"module"}',
      'dist/package.json': '{"type":"module"}',
    })
    expect(await runGlue(join(dir, 'js/glue.mjs'))).toMatch(/signature mismatch/)
    const r = cli([join(dir, 'js/glue.mjs'), '-o', join(dir, 'dist')])
    expect(r.status, r.stderr.join('\n')).toBe(0)
    expect(readdirSync(join(dir, 'dist')).sort()).toEqual(['cast.wasm', 'glue.mjs', 'package.json'])
    expect(readFileSync(join(dir, 'dist/glue.mjs'), 'utf8')).toContain('new URL("cast.wasm", import.meta.url)')
    expect(await runGlue(join(dir, 'dist/glue.mjs'))).toBe(42)
  })

  it('--wasm alt/cast.wasm beside a local cast.wasm: one wasm written, the one named', () => {
    const dir = folder('alt', { 'glue.mjs': glue({ kind: 'newUrl' }), 'cast.wasm': CAST, 'alt/cast.wasm': CAST })
    const r = cli([join(dir, 'glue.mjs'), '-o', join(dir, 'out'), '--wasm', 'alt/cast.wasm', '--report'])
    expect(r.status, r.stderr.join('\n')).toBe(0)
    expect(readdirSync(join(dir, 'out')).sort()).toEqual(['cast.wasm', 'glue.mjs'])
  })

  it('a link planted where an output goes is replaced, not followed: the file it points at stays as it was', () => {
    const dir = folder('planted', { 'in/glue.mjs': glue({ kind: 'newUrl' }), 'in/cast.wasm': CAST, 'victim.txt': 'precious' })
    mkdirSync(join(dir, 'out'))
    symlinkSync(join(dir, 'victim.txt'), join(dir, 'out/cast.wasm'))
    const r = cli([join(dir, 'in/glue.mjs'), '-o', join(dir, 'out')])
    expect(r.status, r.stderr.join('\n')).toBe(0)
    expect(readFileSync(join(dir, 'victim.txt'), 'utf8')).toBe('precious')
    expect(WebAssembly.validate(readFileSync(join(dir, 'out/cast.wasm')))).toBe(true)
    expect(readdirSync(join(dir, 'out')).filter(f => f.includes('.fpcast-'))).toEqual([])
    expect(existsSync(join(dir, 'out/glue.mjs'))).toBe(true)
  })
})
