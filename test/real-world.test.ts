/**
 * The ways real npm packages broke the plugin or the CLI (issue 14, and one
 * found since: precompressed copies left stale, 11.), each
 * as a minimal reproduction cut down from what those packages ship: a glue in
 * the shape Emscripten writes it (src/preamble.js, src/shell.js) around a
 * small module that calls `$inc (i32) -> i32` through an `(i32, i32) -> i32`
 * pointer. Stock, `call2(0, 41, 99)` traps; rewritten, it returns 42. After
 * a JS `table.set` the same call goes through the runtime's `classify` hook:
 * it returns 42 only when the runtime was attached to the instance.
 *
 * Rule checked throughout: adding the plugin never fails a build that worked
 * without it, never changes what an untouched file does, and says in one
 * line whenever a wasm with call_indirect sites ships untransformed.
 */
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { recognizeGlue } from '../src/core/glue/recognize.ts'
import { findEmbeddedWasm } from '../src/core/glue/syntax.ts'
import { encodeEmbeddedWasm } from '../src/core/glue/single-file.ts'
import { nodeIo, writeAll, type WriteIo } from '../src/node/write-all.ts'
import { fpcastRuntime } from '../src/runtime/runtime.js'
import { transformWasm } from '../src/core/index.ts'
import { rolldownBuild, viteBuild, webpackBuild } from './bundlers/builds.ts'
import { ROOT } from './helpers/engines.ts'
import { CAST, glue, type Source } from './helpers/repro.ts'

const CLI = join(ROOT, 'dist/cli.js')
const OUT = join(ROOT, 'test/.out/real-world')

/** The app: the static cast call, then a cast call through a slot changed from JS (needs the runtime's hooks). */
const ENTRY = (importGlue = `import createModule from './glue.mjs'`, args = '{}') => `${importGlue}
export async function run() {
  const out = []
  const i = await createModule(${args})
  for (const step of [
    () => i.exports.call2(0, 41, 99),
    () => { i.exports.table.set(2, i.exports.table.get(0)); return i.exports.call2(2, 41, 99) },
  ]) {
    try { out.push(step()) } catch (e) { out.push(String(e && e.message || e).replace(/^\\[fpcast-trampoline\\] /, '')) }
  }
  return out
}
`
const ADAPTED = [42, 42]
const STOCK = [expect.stringMatching(/signature mismatch/), expect.stringMatching(/signature mismatch/)]

function app(name: string, files: Record<string, string | Uint8Array>): string {
  const dir = join(OUT, name)
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, type: 'module' }))
  for (const [file, data] of Object.entries(files)) {
    mkdirSync(join(dir, file, '..'), { recursive: true })
    writeFileSync(join(dir, file), data)
  }
  return dir
}

const runBuilt = async (dir: string, entry = 'entry.js') => (await import(`${pathToFileURL(join(dir, entry)).href}?${Math.random()}`)).run()

/** Lines the plugin printed (report lines and notes), captured from console.log. */
function captureLog() {
  const lines: string[] = []
  const spy = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => {
    lines.push(a.join(' '))
  })
  return { lines, notes: () => lines.filter(l => l.startsWith('[fpcast-trampoline] note:')), restore: () => spy.mockRestore() }
}
afterEach(() => vi.restoreAllMocks())

/** Builds with rolldown with and without the plugin (`stock: false`: with it only); returns both results and the plugin's lines. */
async function both(dir: string, options: Record<string, unknown> = {}, stock = true) {
  const log = captureLog()
  const withPlugin = await rolldownBuild(dir, 'dist', { cache: false, ...options }, 'entry.js')
  log.restore()
  const plain = stock ? await rolldownBuild(dir, 'dist-plain', undefined, 'entry.js') : undefined
  // Rolldown does not copy a wasm a glue locates at run time: put it where the stock glue looks.
  if (plain) for (const f of readdirSync(dir)) if (f.endsWith('.wasm')) cpSync(join(dir, f), join(plain.outDir, f))
  return {
    ours: await runBuilt(withPlugin.outDir),
    stock: plain && (await runBuilt(plain.outDir)),
    lines: log.lines,
    notes: log.notes(),
    outDir: withPlugin.outDir,
  }
}

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 })
  return { status: r.status, stderr: r.stderr.split('\n').filter(Boolean), stdout: r.stdout }
}

describe('the reproduction works as a reproduction', () => {
  it('stock, the cast call traps; through the plugin, it is adapted, also after a JS table.set (the runtime is attached)', async () => {
    const r = await both(app('baseline', { 'glue.mjs': glue({ kind: 'newUrl' }), 'cast.wasm': CAST, 'entry.js': ENTRY() }))
    expect(r.stock).toEqual(STOCK)
    expect(r.ours).toEqual(ADAPTED)
    expect(r.notes).toEqual([])
  })
})

describe('1. a library file that drives an Emscripten module is not glue', () => {
  // The wrapper supplies Module.instantiateWasm, calls WebAssembly.instantiate
  // and passes wasmBinary: every marker text-matching used to look for.
  const wrapper = `import createModule from './glue.mjs'
/** A library's own loader (not glue): it fetches the wasm and instantiates it for the glue. */
export default function load(bytes) {
  return createModule({
    wasmBinary: bytes,
    instantiateWasm(imports, receive) {
      WebAssembly.instantiate(bytes, imports).then(function (r) { receive(r.instance, r.module) })
      return {}
    },
  })
}
`
  it('is recognised as a driver, quietly', () => {
    expect(recognizeGlue(wrapper, { fileName: 'index.mjs' })).toMatchObject({ kind: 'skip', warn: false, why: expect.stringContaining('drives') })
  })

  it('a Vite build that works without the plugin works with it, the wrapper untouched, and the app runs as it did', async () => {
    const dir = app('wrapper', {
      'glue.mjs': glue({ kind: 'newUrl' }),
      'cast.wasm': CAST,
      'index.mjs': wrapper,
      'main.js': ENTRY(
        `import load from './index.mjs'\nconst createModule = () => load(process.getBuiltinModule('fs').readFileSync(new URL('./cast.wasm', import.meta.url)))`,
      ),
    })
    const built = await viteBuild(dir, 'dist', { cache: false, report: false }, 'ssr', {
      build: { outDir: join(dir, 'dist'), emptyOutDir: true, ssr: 'main.js', ssrEmitAssets: true, minify: false },
    })
    // The app reads the wasm beside its bundle and hands it to the wrapper.
    cpSync(join(dir, 'cast.wasm'), join(built.outDir, 'cast.wasm'))
    const out = readFileSync(join(built.outDir, 'main.js'), 'utf8')
    // The wrapper's own WebAssembly.instantiate is its own; the glue's is hooked.
    expect(out).toContain('WebAssembly.instantiate(bytes, imports)')
    expect(out).toContain('__fpcast_WebAssembly.instantiate(binary, info)')
    // Its wasm is the file the wrapper read (untransformed): behaviour as stock, nothing breaks.
    expect(await runBuilt(built.outDir, 'main.js')).toEqual(STOCK)
  })
})

describe('2. a glue whose wasm name is also inside a CDN URL template', () => {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: glue source text holding a template literal
  const extra = 'var cdn = `https://cdn.example/pkg@${Module.version}/dist/cast.wasm`;'
  it('the template is not a name: the plugin rewrites the wasm and the app is adapted', async () => {
    const r = await both(app('cdn', { 'glue.mjs': glue({ kind: 'newUrl' }, extra), 'cast.wasm': CAST, 'entry.js': ENTRY() }))
    expect(r.stock).toEqual(STOCK)
    expect(r.ours).toEqual(ADAPTED)
  })

  it('the CLI rewrites it too', () => {
    const dir = app('cdn-cli', { 'glue.mjs': glue({ kind: 'newUrl' }, extra), 'cast.wasm': CAST })
    const r = cli([join(dir, 'glue.mjs'), '-o', join(dir, 'out')])
    expect(r.status, r.stderr.join('\n')).toBe(0)
    expect(readdirSync(join(dir, 'out')).sort()).toEqual(['cast.wasm', 'glue.mjs'])
  })
})

describe('3. Emscripten 4.0.18+ single-file glue with raw bytes (binaryDecode, ~c>>8&c)', () => {
  const decoder =
    'function binaryDecode(bin) { for (var i = 0, l = bin.length, o = new Uint8Array(l), c; i < l; ++i) { c = bin.charCodeAt(i); o[i] = ~c >> 8 & c; } return o; }'
  // Control characters raw, as Emscripten writes them (only line ends, the quote and `\` escaped).
  const rawGlue = (rawNul: boolean) => glue({ kind: 'embedded', literal: encodeEmbeddedWasm(CAST, 'raw', '"', rawNul, true), decoder })

  it.each([true, false])('the literal round-trips (NUL bytes raw: %s)', rawNul => {
    const found = findEmbeddedWasm(rawGlue(rawNul))!
    expect(found).toMatchObject({ embedding: 'raw', rawNul })
    expect(found.bytes).toEqual(CAST)
    // A browser that reads a raw NUL as U+FFFD still decodes it to 0.
    expect(findEmbeddedWasm(rawGlue(true).replace(/\0/g, '\uFFFD'))!.bytes).toEqual(CAST)
  })

  it('the plugin rewrites the embedded module in the same encoding, and reports it', async () => {
    const r = await both(app('raw-single', { 'glue.mjs': rawGlue(true), 'entry.js': ENTRY() }), { report: undefined })
    expect(r.stock).toEqual(STOCK)
    expect(r.ours).toEqual(ADAPTED)
    expect(
      r.lines.some(l => /glue\.mjs \(embedded raw wasm\): 1\/1 call_indirect sites rewritten/.test(l)),
      r.lines.join('\n'),
    ).toBe(true)
    expect(r.notes).toEqual([])
    const embedded = findEmbeddedWasm(readFileSync(join(r.outDir, 'entry.js'), 'utf8'))!
    expect(embedded.embedding).toBe('raw')
    expect(WebAssembly.Module.customSections(new WebAssembly.Module(embedded.bytes as BufferSource), 'fpcast_trampoline')).toHaveLength(1)
  })

  it('the CLI takes single-file glue as the plugin does: one glue out, adapted', async () => {
    const dir = app('raw-single-cli', { 'glue.mjs': rawGlue(false), 'entry.js': ENTRY() })
    const r = cli([join(dir, 'glue.mjs'), '-o', join(dir, 'out')])
    expect(r.status, r.stderr.join('\n')).toBe(0)
    expect(readdirSync(join(dir, 'out'))).toEqual(['glue.mjs'])
    // Written as it was found: control characters raw, not as 4-char escapes (@viz-js/viz's glue came out twice its size).
    const written = findEmbeddedWasm(readFileSync(join(dir, 'out', 'glue.mjs'), 'utf8'))!
    expect(written).toMatchObject({ embedding: 'raw', rawNul: false, rawControls: true })
    expect(written.end - written.start).toBe(encodeEmbeddedWasm(written.bytes, 'raw', '"', false, true).length)
    expect(written.end - written.start).toBeLessThan(encodeEmbeddedWasm(written.bytes, 'raw', '"', false, false).length * 0.9)
    cpSync(join(dir, 'entry.js'), join(dir, 'out', 'entry.js'))
    writeFileSync(join(dir, 'out', 'package.json'), '{"type":"module"}')
    expect(await runBuilt(join(dir, 'out'))).toEqual(ADAPTED)
  })
})

describe('3b. 4.x single-file glue whose base64 decoder closure inlined with its lengths folded (libsodium 0.8.4)', () => {
  // `F??=(A=>{for(...,Q=295748,E=new Uint8Array(221811-("="==A[295746])-("="==A[295747]));C<Q;...)...})("AGFzbQ...")`
  const b64 = Buffer.from(CAST).toString('base64')
  const L = b64.length
  const decoder = `var n=new Uint8Array(123);for(var k=0;k<64;k++)n["ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".charCodeAt(k)]=k;
  var inlined=(A=>{for(var I,g,C=0,B=0,Q=${L},E=new Uint8Array(${(L * 3) >> 2}-("="==A[${L - 2}])-("="==A[${L - 1}]));C<Q;C+=4,B+=3)I=n[A.charCodeAt(C+1)],g=n[A.charCodeAt(C+2)],E[B]=n[A.charCodeAt(C)]<<2|I>>4,E[B+1]=I<<4|g>>2,E[B+2]=g<<6|n[A.charCodeAt(C+3)];return E})("${b64}");
  function binaryDecode() { return inlined }`
  const folded = glue({ kind: 'embedded', literal: '"unused"', decoder })

  it("the decoder's folded numbers are found, and rewritten for the new length: the rewritten module decodes whole and runs adapted", async () => {
    const embedded = findEmbeddedWasm(folded)!
    expect(embedded.embedding).toBe('base64')
    expect(embedded.lengthConstants!.map(n => n.value).sort((a, b) => a - b)).toEqual([(L * 3) >> 2, L - 2, L - 1, L])
    const r = await both(app('folded-base64', { 'glue.mjs': folded, 'entry.js': ENTRY() }))
    expect(r.stock).toEqual(STOCK)
    expect(r.ours).toEqual(ADAPTED)
  })
})

describe('4. the CLI writes all outputs or none', () => {
  /** A glue naming its .data package four times and a side module twice, as real glue does. */
  const multi = glue(
    { kind: 'locateFile' },
    'var pkg = ["app.data", "app.data"]; var again = "app.data" + "" + "app.data"; var side = ["side.wasm", "side.wasm"];',
  )
  // Named like its wasm, as emcc names them: cast.mjs loads cast.wasm, side.wasm is a side module.
  const setup = (name: string) => app(name, { 'cast.mjs': multi, 'cast.wasm': CAST, 'app.data': 'DATA', 'side.wasm': CAST })

  it('companions named several times are written once', () => {
    const dir = setup('companions')
    const r = cli([join(dir, 'cast.mjs'), '-o', join(dir, 'out')])
    expect(r.status, r.stderr.join('\n')).toBe(0)
    expect(readdirSync(join(dir, 'out')).sort()).toEqual(['app.data', 'cast.mjs', 'cast.wasm', 'side.wasm'])
  })

  it('a failure at any step of the write leaves the output directory as it was, with no temporary file', () => {
    const dir = setup('fault')
    const out = join(dir, 'out')
    const plan = () => [
      { to: join(out, 'cast.wasm'), data: new Uint8Array([1, 2, 3]) },
      { to: join(out, 'glue.mjs'), data: 'new glue' },
      { to: join(out, 'app.data'), from: join(dir, 'app.data') },
      { to: join(out, 'app.data'), from: join(dir, 'app.data') },
      { to: join(out, 'side.wasm'), data: new Uint8Array([4]) },
    ]
    // Before: an earlier run's outputs (two of the four targets), and an unrelated file.
    mkdirSync(out)
    writeFileSync(join(out, 'cast.wasm'), 'old wasm')
    writeFileSync(join(out, 'app.data'), 'old data')
    writeFileSync(join(out, 'keep.txt'), 'keep')
    const snapshot = () =>
      Object.fromEntries(
        readdirSync(out)
          .sort()
          .map(f => [f, readFileSync(join(out, f), 'utf8')]),
      )
    const before = snapshot()
    let steps = 0
    const counting: WriteIo = {
      writeFileExclusive: (p, d) => {
        steps++
        nodeIo.writeFileExclusive(p, d)
      },
      copyFileExclusive: (a, b) => {
        steps++
        nodeIo.copyFileExclusive(a, b)
      },
      rename: (a, b) => {
        steps++
        nodeIo.rename(a, b)
      },
      remove: p => nodeIo.remove(p),
    }
    writeAll(out, plan(), [], counting)
    const all = steps
    expect(all).toBeGreaterThan(8)
    // Back to the old state, then fail at each step in turn.
    for (let failAt = 1; failAt <= all; failAt++) {
      rmSync(out, { recursive: true })
      mkdirSync(out)
      for (const [f, text] of Object.entries(before)) writeFileSync(join(out, f), text)
      let n = 0
      const failing: WriteIo = Object.fromEntries(
        Object.keys(counting).map(k => [
          k,
          (...a: any[]) => {
            if (k !== 'remove' && ++n === failAt) throw Object.assign(new Error(`injected failure at step ${failAt}`), { code: 'EIO' })
            return (nodeIo as any)[k](...a)
          },
        ]),
      ) as any
      expect(() => writeAll(out, plan(), [], failing)).toThrow(`injected failure at step ${failAt}`)
      expect(snapshot(), `failure at step ${failAt}`).toEqual(before)
    }
  })
})

describe("5. glue in Vite's public/ directory", () => {
  it('the build says it ships untransformed, naming the file', async () => {
    const dir = app('public-glue', {
      'public/glue.js': glue({ kind: 'locateFile' }).replace('export default async function', 'async function'),
      'public/cast.wasm': CAST,
      'index.html': '<!doctype html><script src="/glue.js"></script><script type="module" src="./main.js"></script>',
      'main.js': 'document.title = "x"',
    })
    const log = captureLog()
    await viteBuild(dir, 'dist', { cache: false }, 'client')
    log.restore()
    const notes = log.notes()
    expect(notes).toHaveLength(2)
    expect(notes.find(l => l.includes('public/glue.js'))).toMatch(/public directory, which Vite copies as it is: this Emscripten glue ships untransformed/)
    expect(notes.find(l => l.includes('public/cast.wasm'))).toMatch(/this wasm ships untransformed/)
  })
})

describe('6. an Emscripten build without wasm (-sWASM=0, wasm2js)', () => {
  const wasm2js = `var WebAssembly = { Memory: function (o) { this.buffer = new ArrayBuffer(o.initial * 65536) }, Module: function () {}, Instance: function (m, info) { this.exports = { answer: function () { return 42 } } }, instantiate: function (b, info) { return Promise.resolve({ instance: new WebAssembly.Instance(null, info) }) }, RuntimeError: Error };
${glue({ kind: 'given' })}`

  it('is recognised as carrying no wasm; the build works and the file is untouched', async () => {
    expect(recognizeGlue(wasm2js, { fileName: 'glue.mjs' })).toMatchObject({ kind: 'skip', why: expect.stringContaining('-sWASM=0') })
    const dir = app('wasm2js', {
      'glue.mjs': wasm2js,
      'entry.js':
        'import createModule from "./glue.mjs"\nexport async function run() { return (await createModule({ wasmBinary: new Uint8Array(8) })).exports.answer() }\n',
    })
    const r = await both(dir)
    expect(r.ours).toBe(42)
    expect(r.stock).toBe(42)
    expect(readFileSync(join(r.outDir, 'entry.js'), 'utf8')).not.toContain('__fpcast')
  })
})

describe("7. a --pre-js that assigns Module['locateFile'] ||= ...", () => {
  const extra = 'Module["locateFile"] ||= function (path, dir) { return dir + path; };'
  it('the assignment stays an assignment; reads are rewritten; the build runs adapted (rolldown, Vite)', async () => {
    const dir = app('locate-assign', { 'glue.mjs': glue({ kind: 'locateFile' }, extra), 'cast.wasm': CAST, 'entry.js': ENTRY(), 'main.js': ENTRY() })
    const r = await both(dir)
    expect(r.stock).toEqual(STOCK)
    expect(r.ours).toEqual(ADAPTED)
    expect(readFileSync(join(r.outDir, 'entry.js'), 'utf8')).toMatch(/Module\["locateFile"\] \|\|= function/)
    const vite = await viteBuild(dir, 'dist-vite', { cache: false }, 'ssr', {
      build: { outDir: join(dir, 'dist-vite'), emptyOutDir: true, ssr: 'main.js', ssrEmitAssets: true, minify: false },
    })
    expect(await runBuilt(vite.outDir, 'main.js')).toEqual(ADAPTED)
  })
})

describe('8. a library bundle holding the glue and its own Module.instantiateWasm', () => {
  // One file: the glue, and the library's loader that instantiates through WebAssembly itself.
  const bundled = (source: Source) => `${glue(source).replace('export default async function createModule', 'async function createModule')}
export default function load() {
  var bytes = process.getBuiltinModule("fs").readFileSync(new URL("cast.wasm", import.meta.url));
  return createModule({ instantiateWasm: function (imports, receive) { WebAssembly.instantiate(bytes, imports).then(function (r) { receive(r.instance, r.module) }); return {} } });
}
`
  it('the module is wired once and runs adapted (it used to die in attach at run time)', async () => {
    const r = await both(app('bundle-with-loader', { 'glue.mjs': bundled({ kind: 'newUrl' }), 'cast.wasm': CAST, 'entry.js': ENTRY() }))
    // The loader's own new URL("cast.wasm") and WebAssembly.instantiate are in the glue's file: both are
    // rewritten, so the loader instantiates the rewritten wasm through the runtime, and the glue's hook
    // receives an instance that is wired already.
    expect(r.stock).toEqual(STOCK)
    expect(r.ours).toEqual(ADAPTED)
  })

  it('the runtime wires an instance once when a user instantiateWasm instantiates through it', async () => {
    const out = transformWasm(CAST).wasm
    const WA = fpcastRuntime(WebAssembly)
    const info = { env: { log() {} } }
    const userHook = (imports: any, receive: (i: WebAssembly.Instance, m: WebAssembly.Module) => void) => {
      WA.instantiate(out, imports).then((r: any) => receive(r.instance, r.module))
      return {}
    }
    const instance: any = await new Promise(resolve => (WA as any).hookInstantiateWasm(userHook)(info, (i: any) => resolve(i)))
    expect(instance.exports.call2(0, 41, 99)).toBe(42)
    instance.exports.table.set(2, instance.exports.table.get(0))
    expect(instance.exports.call2(2, 41, 99)).toBe(42)
  })
})

describe('9. minified glue without instantiateWasm or wasmBinary, its wasm imported with ?url', () => {
  // -sINCOMING_MODULE_JS_API=[] and closure: no Module reads left, but the strings of abort() stay.
  const minified = (marks: boolean) =>
    `export default async function m(e){var t=e.u;function a(r){${marks ? 'throw new WebAssembly.RuntimeError("Aborted("+r+")")' : 'throw r'}}var n=process.getBuiltinModule("fs").readFileSync(new URL(t));var s=await WebAssembly.instantiate(n,{env:{log:function(){}}});return s.instance}\n`
  const entry = ENTRY(`import createModule from './glue.mjs'\nimport u from './cast.wasm?url'`, '{ u }')

  it("glue recognised by Emscripten's own strings: its instantiation is hooked and the ?url wasm ships with the runtime", async () => {
    // (Without the plugin, rolldown has no ?url imports: the plugin builds only.)
    const r = await both(app('minified-url', { 'glue.mjs': minified(true), 'cast.wasm': CAST, 'entry.js': entry }), {}, false)
    expect(r.ours).toEqual(ADAPTED)
    expect(r.notes).toHaveLength(1)
    expect(r.notes[0]).toMatch(/glue\.mjs: names no \.wasm file the plugin can resolve .*only its instantiation is hooked/)
  })

  it('glue with nothing to recognise: the ?url wasm ships untransformed, with a note (together or not at all)', async () => {
    const r = await both(app('minified-url-bare', { 'glue.mjs': minified(false), 'cast.wasm': CAST, 'entry.js': entry }), {}, false)
    expect(r.ours).toEqual(STOCK)
    expect(r.notes).toHaveLength(1)
    expect(r.notes[0]).toMatch(
      /assets\/cast-.*\.wasm: shipped untransformed: it was imported with \?url, but nothing in the bundle instantiates it through the runtime/,
    )
    const asset = readdirSync(join(r.outDir, 'assets')).find(f => f.endsWith('.wasm'))!
    expect(Buffer.compare(readFileSync(join(r.outDir, 'assets', asset)), CAST)).toBe(0)
  })
})

describe('10. a wasm shipped compressed inside the JS', () => {
  it('the build says in one line that it cannot be rewritten, naming the file; the output is unchanged', async () => {
    // Cut down from base91 + zstd bundles: a long string that decodes to no wasm, decompressed at run time.
    const blob = Buffer.from(Array.from({ length: 30000 }, (_, i) => (i * 7919) % 251)).toString('base64')
    const compressed = glue(
      { kind: 'given' },
      `Module["wasmBinary"] = Uint8Array.from(atob("${blob}"), function (c) { return c.charCodeAt(0) }).subarray(0, 0);`,
    )
    const dir = app('compressed', {
      'glue.mjs': compressed,
      'entry.js':
        'import createModule from "./glue.mjs"\nexport async function run() { try { await createModule({}) } catch (e) { return "failed as stock" } }\n',
    })
    const r = await both(dir)
    expect(r.ours).toBe(r.stock)
    expect(r.notes).toHaveLength(1)
    expect(r.notes[0]).toMatch(
      /glue\.mjs: its wasm is neither named nor embedded in a form the plugin reads \(a \d+ KiB string that is no wasm: compressed\?\); shipped untransformed/,
    )
  })
})

describe('11. precompressed copies beside the files the CLI rewrites (mupdf ships mupdf-wasm.wasm.br and .js.br)', () => {
  it('are made again from the outputs: an overlay of the output directory never leaves a server the original to send', async () => {
    const { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } = await import('node:zlib')
    const code = glue({ kind: 'newUrl' })
    const dir = app('precompressed', {
      'glue.mjs': code,
      'glue.mjs.br': brotliCompressSync(Buffer.from(code)),
      'cast.wasm': CAST,
      'cast.wasm.br': brotliCompressSync(CAST),
      'cast.wasm.gz': gzipSync(CAST),
    })
    const r = cli([join(dir, 'glue.mjs'), '-o', join(dir, 'out')])
    expect(r.status, r.stderr.join('\n')).toBe(0)
    const out = (f: string) => readFileSync(join(dir, 'out', f))
    expect(readdirSync(join(dir, 'out')).sort()).toEqual(['cast.wasm', 'cast.wasm.br', 'cast.wasm.gz', 'glue.mjs', 'glue.mjs.br'])
    expect(out('cast.wasm').equals(Buffer.from(CAST))).toBe(false)
    expect(brotliDecompressSync(out('cast.wasm.br')).equals(out('cast.wasm'))).toBe(true)
    expect(gunzipSync(out('cast.wasm.gz')).equals(out('cast.wasm'))).toBe(true)
    expect(brotliDecompressSync(out('glue.mjs.br')).equals(out('glue.mjs'))).toBe(true)
    // The inputs' own copies are untouched.
    expect(brotliDecompressSync(readFileSync(join(dir, 'cast.wasm.br'))).equals(Buffer.from(CAST))).toBe(true)
  })

  it('a zstd copy is made again where Node has zstd; where it has not (Node 20), an error names it and nothing is written', async () => {
    const zlib = (await import('node:zlib')) as unknown as Record<string, ((data: Uint8Array) => Buffer) | undefined>
    const dir = app('precompressed-zstd', { 'cast.wasm': CAST, 'cast.wasm.zst': new Uint8Array([0x28, 0xb5, 0x2f, 0xfd]) })
    const r = cli([join(dir, 'cast.wasm'), '-o', join(dir, 'out')])
    const decompress = zlib.zstdDecompressSync
    if (decompress) {
      expect(r.status, r.stderr.join('\n')).toBe(0)
      expect(decompress(readFileSync(join(dir, 'out/cast.wasm.zst'))).equals(readFileSync(join(dir, 'out/cast.wasm')))).toBe(true)
      return
    }
    expect(r.status).toBe(1)
    expect(r.stderr).toEqual([
      `[fpcast-trampoline] ${join(dir, 'cast.wasm')}: cast.wasm.zst beside it would still hold the original, and this Node cannot make zstd (22.15 and later can); run on a newer Node, or remove it`,
    ])
    expect(existsSync(join(dir, 'out'))).toBe(false)
  })
})

describe('12. a companion named .worker.js that is a module holding the worker as a string (@tensorflow/tfjs-backend-wasm 4.22 threaded glue)', () => {
  it('the CLI copies it as it is, says so in one note, and writes the rest', () => {
    // Cut down from tfjs-backend-wasm-threaded-simd.worker.js: the worker's source in a template literal, started from a Blob.
    const worker =
      'module.exports.wasmWorkerContents = `"use strict";var Module={};self.onmessage=(e)=>{Module["instantiateWasm"]=(info,receiveInstance)=>{var instance=new WebAssembly.Instance(Module["wasmModule"],info);receiveInstance(instance)}}`;\n'
    const dir = app('worker-string', {
      'glue.mjs': glue({ kind: 'newUrl' }, 'var workerFile = "glue.worker.js";'),
      'cast.wasm': CAST,
      'glue.worker.js': worker,
    })
    const r = cli([join(dir, 'glue.mjs'), '-o', join(dir, 'out')])
    expect(r.status, r.stderr.join('\n')).toBe(0)
    expect(readdirSync(join(dir, 'out')).sort()).toEqual(['cast.wasm', 'glue.mjs', 'glue.worker.js'])
    expect(readFileSync(join(dir, 'out', 'glue.worker.js'), 'utf8')).toBe(worker)
    expect(r.stderr.filter(l => l.includes('note:'))).toEqual([
      `[fpcast-trampoline] note: ${join(dir, 'glue.worker.js')}: copied as it is: the runtime cannot hook how it instantiates (this does not look like Emscripten glue: found no WebAssembly.instantiate(), WebAssembly.instantiateStreaming() or new WebAssembly.Instance() call to hook); cast calls in its threads trap as they do stock`,
    ])
  })
})

describe('files that only mention the markers', () => {
  it('in comments and strings: left alone, quietly', async () => {
    const text = `// Module.instantiateWasm, Module.wasmBinary and WebAssembly.instantiate(bytes) are documented here.
/* new URL("cast.wasm", import.meta.url) */
export const docs = "call WebAssembly.instantiate(x) or set Module.instantiateWasm; Aborted(";
export async function run() { return docs.length }
`
    expect(recognizeGlue(text, { fileName: 'docs.js' })).toMatchObject({ kind: 'skip', warn: false })
    const dir = app('mentions', { 'entry.js': text })
    const r = await both(dir)
    expect(r.ours).toBe(r.stock)
    expect(readFileSync(join(r.outDir, 'entry.js'), 'utf8')).not.toContain('__fpcast')
    expect(r.notes).toEqual([])
  })
})

describe('webpack: a wasm the plugin could not take is named', () => {
  it('a wasm copied by an asset rule with call_indirect sites gets a note; the build works', async () => {
    const dir = app('webpack-note', { 'cast.wasm': CAST, 'main.js': 'import u from "./cast.wasm"\nconsole.log(u)\n' })
    const log = captureLog()
    await webpackBuild(dir, 'dist', { cache: false }, 'node', './main.js', false, { module: { rules: [{ test: /\.wasm$/, type: 'asset/resource' }] } })
    log.restore()
    expect(existsSync(join(dir, 'dist'))).toBe(true)
    expect(statSync(join(dir, 'dist')).isDirectory()).toBe(true)
    expect(
      log.notes().some(l => /\.wasm: a wasm with call_indirect sites shipped untransformed/.test(l)),
      log.lines.join('\n'),
    ).toBe(true)
  })
})

describe('esbuild: a wasm the plugin could not take is named', () => {
  it('a wasm copied by the file loader, with call_indirect sites, gets a note; the build works', async () => {
    const dir = app('esbuild-note', { 'cast.wasm': CAST, 'main.js': 'import u from "./cast.wasm"\nconsole.log(u)\n' })
    const esbuild = await import('esbuild')
    const { default: fpcastEsbuild } = await import('unplugin-fpcast-trampoline/esbuild')
    const log = captureLog()
    await esbuild.build({
      absWorkingDir: dir,
      entryPoints: ['main.js'],
      bundle: true,
      format: 'esm',
      outdir: join(dir, 'dist'),
      loader: { '.wasm': 'file' },
      plugins: [fpcastEsbuild({ cache: false })],
      logLevel: 'silent',
    })
    log.restore()
    expect(
      log.notes().some(l => /cast-\w+\.wasm: a wasm with call_indirect sites shipped untransformed/.test(l)),
      log.lines.join('\n'),
    ).toBe(true)
  })
})
