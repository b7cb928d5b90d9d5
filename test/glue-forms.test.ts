/**
 * One decision per form of JS that Emscripten writes or that wraps it
 * (the table in src/core/glue/recognize.ts), on text cut down from real
 * output: Emscripten 3.1.6 here, sql.js and Pyodide (4.x) from npm, and the
 * shapes of src/preamble.js and src/postamble_minimal.js. The end-to-end
 * runs of each form are in test/real-world.test.ts and test/bundlers/.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { recognizeGlue } from '../src/core/glue/recognize.ts'
import { readGlueSyntax } from '../src/core/glue/syntax.ts'
import { ROOT } from './helpers/engines.ts'

const read = (path: string) => readFileSync(join(ROOT, path), 'utf8')
const decide = (code: string, fileName = 'app.js', needLocate = true) => recognizeGlue(code, { fileName, needLocate })

describe('forms of glue, and what is not glue', () => {
  it.each([
    ['3.1.6 EXPORT_ES6 (new URL + locateFile)', 'test/fixtures/build/glib_esm/glib.mjs', 'glib.wasm'],
    ['3.1.6 classic MODULARIZE (wasmBinaryFile + locateFile)', 'test/bundlers/fixtures/glib_cjs/glib_cjs.js', 'glib_cjs.wasm'],
    ['4.x sql.js (CommonJS, minified)', 'node_modules/sql.js/dist/sql-wasm.js', 'sql-wasm.wasm'],
    ['4.x Pyodide (EXPORT_ES6, findWasmBinary)', 'node_modules/pyodide/pyodide.asm.mjs', 'pyodide.asm.wasm'],
  ])('%s: glue, its wasm named', (_, file, name) => {
    expect(decide(read(file), file)).toMatchObject({ kind: 'glue', wasm: { kind: 'external', name } })
  })

  it.each([
    ['3.1.6 -sSINGLE_FILE (data: URI)', 'test/bundlers/fixtures/glib_single/glib_single.mjs', 'data-uri'],
    ['4.x sql.js inline (base64Decode)', 'node_modules/sql.js/dist/sql-wasm-inline.js', 'base64'],
  ])('%s: glue, its wasm embedded', (_, file, embedding) => {
    expect(decide(read(file), file)).toMatchObject({ kind: 'glue', wasm: { kind: 'embedded', embedded: { embedding } } })
  })

  it('MINIMAL_RUNTIME (3.1.6 -O2): glue by its export names; under Node its wasm is __dirname + "/x.wasm"', () => {
    const code =
      'var Module=Module;var ENVIRONMENT_IS_NODE=typeof process=="object";if(ENVIRONMENT_IS_NODE){var fs=require("fs");Module["wasm"]=fs.readFileSync(__dirname+"/minrt.wasm")}' +
      'var asmLibraryArg={};var imports={"env":asmLibraryArg,"wasi_snapshot_preview1":asmLibraryArg};' +
      'WebAssembly.instantiate(Module["wasm"],imports).then(function(output){var asm=output.instance.exports;wasmTable=asm["__indirect_function_table"];asm["__wasm_call_ctors"]()})'
    expect(decide(code, 'minrt.js', false)).toMatchObject({ kind: 'glue', wasm: { kind: 'external', name: 'minrt.wasm' } })
    // A bundler cannot relocate it (no new URL, no locateFile): left alone, and said.
    expect(decide(code, 'minrt.js', true)).toMatchObject({ kind: 'skip', warn: true, why: expect.stringContaining("cannot tell how it locates 'minrt.wasm'") })
  })

  it('closure-minified with -sINCOMING_MODULE_JS_API=[]: glue by the strings abort() keeps', () => {
    const code = 'function m(e){function a(r){throw new WebAssembly.RuntimeError("Aborted("+r+")")}var s=WebAssembly.instantiate(e.b,{a:{}});return s}'
    const d = decide(code)
    expect(d).toMatchObject({ kind: 'glue', note: expect.stringContaining('names no .wasm file') })
    expect(d.kind === 'glue' && d.wasm).toBe(undefined)
  })

  it("a loader that drives a glue (Pyodide's pyodide.mjs, which embeds a probe module): not glue", () => {
    expect(decide(read('node_modules/pyodide/pyodide.mjs'), 'pyodide.mjs')).toMatchObject({ kind: 'skip', warn: false })
  })

  it('-sWASM=0 (wasm2js declares its own WebAssembly): not glue, quietly', () => {
    const code =
      'var WebAssembly={Memory:function(){},instantiate:function(b,i){return Promise.resolve({instance:{exports:{}}})}};var wasmBinaryFile="a.wasm";function abort(w){throw "Aborted("+w+")"}if(Module["instantiateWasm"]){}WebAssembly.instantiate(Module["wasmBinary"],{})'
    expect(decide(code)).toMatchObject({ kind: 'skip', warn: false, why: expect.stringContaining('-sWASM=0') })
  })

  it('a wasm named several times over, none after the glue: left alone, and said', () => {
    const code = 'if(Module["instantiateWasm"]){}var a="one.wasm",b="two.wasm";WebAssembly.instantiate(Module["wasmBinary"],{})'
    expect(decide(code)).toMatchObject({ kind: 'skip', warn: true, why: expect.stringContaining('names several .wasm files (one.wasm, two.wasm)') })
  })

  it('what only looks like glue in comments, strings and writes is not read as glue', () => {
    const s = readGlueSyntax(
      '// WebAssembly.instantiate(x); Module.instantiateWasm\nvar t = "WebAssembly.instantiate(b)"; Module.instantiateWasm = f; Module["locateFile"] ||= g; delete Module.wasmBinary',
    )
    expect(s).toMatchObject({ instantiations: 0, instantiateWasmReads: [], wasmBinaryReads: 0, locateFileReads: [], definesInstantiateWasm: true })
  })

  it('a CDN URL template and a URL with a scheme are not names of a file beside the glue', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: glue source text holding a template literal
    const s = readGlueSyntax('var a = `https://cdn/${v}/app.wasm`, b = "https://cdn/app.wasm", c = "app.wasm"')
    expect(s.wasmLiterals.map(l => l.value)).toEqual(['app.wasm'])
    expect(s.templatedWasm).toBe(1)
  })
})

describe('dynamic linking', () => {
  it('MAIN_MODULE glue listing its side modules (wasm-vips 0.0.19): the main wasm is the one outside the list', () => {
    const code =
      'var fa;(fa=Module).dynamicLibraries||(fa.dynamicLibraries=["vips-jxl.wasm","vips-heif.wasm"]);function ma(a){return Module.locateFile?Module.locateFile(a,""):a}' +
      'function findWasmBinary(){return ma("vips.wasm")}if(Module.instantiateWasm){}WebAssembly.instantiate(b,{})'
    expect(decide(code, 'vips-node.mjs')).toMatchObject({ kind: 'glue', wasm: { kind: 'external', name: 'vips.wasm' } })
  })
})

describe('builds without wasm', () => {
  it('closure-minified asm.js glue that never names WebAssembly (libheif-js 1.23.2 libheif.js): said to carry no wasm', () => {
    expect(decide('var a=function(b){function c(d){throw "Aborted("+d+")"}return{HEAPU8:new Uint8Array(16)}};', 'libheif.js')).toMatchObject({
      kind: 'skip',
      warn: false,
      why: expect.stringContaining('without wasm (-sWASM=0, asm.js)'),
    })
    expect(decide('export const x = 1', 'plain.js')).toMatchObject({ kind: 'skip', why: 'is not Emscripten glue (it does not use WebAssembly)' })
  })
})
