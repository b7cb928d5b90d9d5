/**
 * The pure stages behind the plugin (src/core/glue/single-file.ts, locate.ts)
 * on real glue from Emscripten 3.1.6 and 4.x (sql.js, Pyodide), and the
 * binaryDecode() embedding end to end on a bundle that runs.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { encodeEmbeddedWasm } from '../../src/core/glue/single-file.ts'
import { findEmbeddedWasm, readGlueSyntax } from '../../src/core/glue/syntax.ts'
import { looksLikeGlue, recognizeGlue } from '../../src/core/glue/recognize.ts'
import { LOCATE_BINDING, rewriteGlueWasm, URL_BINDING } from '../../src/core/glue/locate.ts'
import { ROOT } from '../helpers/engines.ts'
import { rolldownBuild } from './builds.ts'
import { FIXTURES, workdir } from './helpers.ts'

const read = (path: string) => readFileSync(join(ROOT, path), 'utf8')
const CAST = readFileSync(join(ROOT, 'test/bundlers/apps/plain/cast.wasm'))

/** Evaluates a JS string literal. */
const literal = (text: string): string => new Function(`return ${text}`)()

describe('single-file embeddings', () => {
  const all = new Uint8Array([0, 0x61, 0x73, 0x6d, ...Array.from({ length: 256 }, (_, i) => i), 0x22, 0x27, 0x5c, 0x24, 0x60, 0x0a])

  it.each(['"', "'", '`'].flatMap(quote => [false, true].map(raw => [quote, raw] as const)))(
    'binaryDecode literal with %s quotes round-trips every byte value (control characters raw: %s)',
    (quote, raw) => {
      const lit = encodeEmbeddedWasm(all, 'binary', quote, raw, raw)
      const text = literal(lit)
      expect(Uint8Array.from(text, c => c.charCodeAt(0) - 1)).toEqual(all)
      const found = findEmbeddedWasm(`var x=1;function binaryDecode(b){}return binaryDecode(${lit});`)!
      // (A binary literal holds no NUL: every char is its byte + 1.)
      expect(found).toMatchObject({ embedding: 'binary', quote, rawControls: raw })
      expect(found.bytes).toEqual(all)
      // Raw as Emscripten writes them: only line ends, the quote and the backslash escaped (one more char each; `$` in a template, three).
      const count = (chars: number[]) => all.filter(b => chars.includes(b + 1)).length
      if (raw) expect(lit.length).toBe(all.length + 2 + count([0x0a, 0x0d, quote.charCodeAt(0), 0x5c]) + (quote === '`' ? 3 * count([0x24]) : 0))
    },
  )

  it('data: URI and base64 literals round-trip', () => {
    for (const embedding of ['data-uri', 'base64'] as const) {
      const lit = encodeEmbeddedWasm(CAST, embedding)
      const found = findEmbeddedWasm(`wasmBinaryFile=${lit};`)!
      expect(found.embedding).toBe(embedding)
      expect(Buffer.from(found.bytes)).toEqual(CAST)
      expect(lit.startsWith(embedding === 'data-uri' ? '"data:application/octet-stream;base64,AGFzbQ' : '"AGFzbQ')).toBe(true)
    }
  })

  it('finds the embedded wasm of real single-file glue: 3.1.6 data: URI, sql.js base64Decode', () => {
    const single = findEmbeddedWasm(readFileSync(join(ROOT, 'test/bundlers/fixtures/glib_single/glib_single.mjs'), 'utf8'))!
    expect(single.embedding).toBe('data-uri')
    expect(Buffer.from(single.bytes)).toEqual(readFileSync(join(FIXTURES, 'build/glib_esm/glib.wasm')))
    const inline = findEmbeddedWasm(read('node_modules/sql.js/dist/sql-wasm-inline.js'))!
    expect(inline.embedding).toBe('base64')
    expect(WebAssembly.validate(inline.bytes as BufferSource)).toBe(true)
  })

  it('binaryDecode glue: the bundle carries the transformed module and runs (rolldown, Node)', async () => {
    const root = workdir('plain', 'binary-decode')
    // Emscripten 4's -sSINGLE_FILE_BINARY_ENCODE shape: each char is byte + 1, decoded by binaryDecode().
    writeFileSync(
      join(root, 'glue.mjs'),
      `/** @noinline */
function binaryDecode(bin){for(var i=0,l=bin.length,o=new Uint8Array(l);i<l;++i){o[i]=bin.charCodeAt(i)-1}return o}
export default async function createModule(Module = {}) {
  var info = { env: { log: Module.log } };
  if (Module["instantiateWasm"]) return new Promise(r => Module["instantiateWasm"](info, r));
  var binary = Module["wasmBinary"] || binaryDecode(${encodeEmbeddedWasm(CAST, 'binary')});
  var result = await WebAssembly.instantiate(binary, info);
  return result.instance;
}
`,
    )
    writeFileSync(
      join(root, 'entry.js'),
      `import createModule from './glue.mjs'
export const run = async () => { const i = await createModule({ log() {} }); try { return i.exports.call2(0, 41, 99) } catch (e) { return String(e.message) } }
`,
    )
    const withPlugin = await rolldownBuild(root, 'dist', { report: false, cache: false }, 'entry.js')
    const plain = await rolldownBuild(root, 'dist-plain', undefined, 'entry.js')
    const run = async (dir: string) => (await import(pathToFileURL(join(dir, 'entry.js')).href)).run()
    expect(await run(withPlugin.outDir)).toBe(42)
    expect(await run(plain.outDir)).toMatch(/signature mismatch/)
    const embedded = findEmbeddedWasm(readFileSync(join(withPlugin.outDir, 'entry.js'), 'utf8'))!
    expect(embedded.embedding).toBe('binary')
    expect(WebAssembly.Module.customSections(new WebAssembly.Module(embedded.bytes as BufferSource), 'fpcast_trampoline')).toHaveLength(1)
  })
})

describe('how real glue locates its wasm', () => {
  const cases = [
    { glue: 'test/fixtures/build/glib_esm/glib.mjs', name: 'glib.wasm', esm: true, newUrl: 1 },
    { glue: 'test/bundlers/fixtures/glib_cjs/glib_cjs.js', name: 'glib_cjs.wasm', esm: false, newUrl: 0 },
    { glue: 'node_modules/sql.js/dist/sql-wasm.js', name: 'sql-wasm.wasm', esm: false, newUrl: 0 },
    { glue: 'node_modules/sql.js/dist/sql-wasm-browser.js', name: 'sql-wasm-browser.wasm', esm: false, newUrl: 0 },
    { glue: 'node_modules/pyodide/pyodide.asm.mjs', name: 'pyodide.asm.wasm', esm: true, newUrl: 1 },
  ]

  /** The locate helper as rewriteGlueWasm inserts it, on the glue's first line. */
  const helperRe = new RegExp(`function ${LOCATE_BINDING}\\(m\\) \\{.*? \\};\\}`)

  it.each(cases)('$glue', ({ glue, name, esm, newUrl }) => {
    const code = read(glue)
    const decision = recognizeGlue(code, { fileName: glue, needLocate: true })
    expect(decision.kind).toBe('glue')
    expect(readGlueSyntax(code).esm).toBe(esm)
    const wasm = decision.kind === 'glue' ? decision.wasm : undefined
    expect(wasm).toEqual({ kind: 'external', name })
    const out = rewriteGlueWasm(code, { fileName: glue, wasm, urlPrologue: `var ${URL_BINDING} = "https://cdn.example/app-0123.wasm";` })
    expect(out.sites).toBeGreaterThan(0)
    // Every Module.locateFile read goes through the helper; no new URL of the original name is left for a bundler to find.
    const withoutHelper = out.code.replace(helperRe, '')
    const rawReads = [...withoutHelper.matchAll(/(?<![\w$.])[\w$]+(?:\.[\w$]+)*(?:\.locateFile\b|\[\s*["']locateFile["']\s*\])/g)].filter(
      m => !withoutHelper.slice(0, m.index).endsWith(`${LOCATE_BINDING}(`) && !/^\s*=(?!=)/.test(withoutHelper.slice(m.index! + m[0].length)),
    )
    expect(rawReads.map(m => m[0])).toEqual([])
    expect(out.code).not.toContain(`new URL("${name}",import.meta.url)`)
    expect(out.code.split(`new URL(${URL_BINDING},`).length - 1).toBe(newUrl)
    expect(out.locateSites).toBeGreaterThan(newUrl)
    expect(out.map.sources).toEqual([glue])
  })

  it('the locate helper answers the bundled URL for the wasm and defers for other files', () => {
    const code = read('test/bundlers/fixtures/glib_cjs/glib_cjs.js')
    const out = rewriteGlueWasm(code, {
      fileName: 'glib_cjs.js',
      wasm: { kind: 'external', name: 'glib_cjs.wasm' },
      urlPrologue: `var ${URL_BINDING} = "https://cdn.example/app-0123.wasm";`,
    })
    const helper = helperRe.exec(out.code)![0]
    const make = new Function(`var ${URL_BINDING} = "https://cdn.example/app-0123.wasm"; var process; ${helper}; return ${LOCATE_BINDING};`)()
    expect(make({})('glib_cjs.wasm', 'https://site/js/')).toBe('https://cdn.example/app-0123.wasm')
    expect(make({})('glib_cjs.data', 'https://site/js/')).toBe('https://site/js/glib_cjs.data')
    expect(make({ locateFile: (p: string, d: string) => `${d}v2/${p}` })('x.worker.js', 'https://site/')).toBe('https://site/v2/x.worker.js')
    // The user's locateFile naming the same wasm elsewhere (the untransformed copy): the bundled one.
    expect(make({ locateFile: () => 'https://elsewhere/glib_cjs.wasm?v=1' })('glib_cjs.wasm', '')).toBe('https://cdn.example/app-0123.wasm')
    expect(make({ locateFile: (p: string) => `C:\\app\\${p}` })('glib_cjs.wasm', '')).toBe('https://cdn.example/app-0123.wasm')
    // ... and naming another wasm (a SIMD variant, as @tensorflow/tfjs-backend-wasm picks): theirs, as without the plugin.
    expect(make({ locateFile: () => '/assets/glib_cjs-simd.wasm' })('glib_cjs.wasm', '')).toBe('/assets/glib_cjs-simd.wasm')
  })

  it("loaders that drive a glue are not glue: Pyodide's pyodide.mjs (which embeds a probe module)", () => {
    expect(looksLikeGlue(read('node_modules/pyodide/pyodide.mjs'))).toBe(false)
    expect(looksLikeGlue(read('node_modules/pyodide/pyodide.js'))).toBe(false)
  })

  it('glue that names its wasm but locates it some other way is left alone with a note saying why; rewriting it anyway is refused', () => {
    const code = 'var Module={};Module.instantiateWasm;Module.wasmBinary;fetch("app.wasm").then(r=>WebAssembly.instantiateStreaming(r,{}))'
    expect(recognizeGlue(code, { fileName: 'odd.js', needLocate: true })).toMatchObject({
      kind: 'skip',
      warn: true,
      why: expect.stringContaining("cannot tell how it locates 'app.wasm'"),
    })
    expect(() => rewriteGlueWasm(code, { fileName: 'odd.js', wasm: { kind: 'external', name: 'app.wasm' }, urlPrologue: '' })).toThrow(
      "[fpcast-trampoline] odd.js: cannot tell how this glue locates 'app.wasm': expected new URL('app.wasm', import.meta.url) or a Module.locateFile lookup",
    )
  })
})
