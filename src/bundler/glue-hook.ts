/**
 * The plugin's transform of a JS module: an Emscripten glue is recognised
 * (core/glue/recognize.ts), its wasm transformed through the store and put
 * where the bundler wants it (the `WasmTarget`), and the glue rewritten to
 * load that wasm through the runtime (core/glue/locate.ts), with a source map.
 *
 *   before:  new URL("app.wasm", import.meta.url) ... WebAssembly.instantiateStreaming(...)
 *   after:   import __fpcast_wasm_url from "fpcast-trampoline/url/<dir>/app.wasm"; <runtime>
 *            new URL(__fpcast_wasm_url, import.meta.url) ... __fpcast_glue.instantiateStreaming(...)
 *
 * A file the user did not name is never an error: it is left as it is, with a
 * note when a wasm ships untransformed because of it.
 */
import { dirname, resolve } from 'node:path'
import type { ExistingRawSourceMap } from 'rollup'
import { describeError, FpcastError } from '../core/errors.ts'
import { type EncodedSourceMap, LOCATE_BINDING, type RewriteGlueResult, rewriteGlueWasm, URL_BINDING } from '../core/glue/locate.ts'
import { PLUGIN_VOICE, recognizeGlue } from '../core/glue/recognize.ts'
import type { PluginInstance, WasmTarget } from './instance.ts'
import { isFile, stripQuery } from './paths.ts'
import { virtualId } from './virtual-modules.ts'

/** A transform hook's answer: the rewritten glue and its source map, as bundlers take it. */
export interface GlueHookResult {
  code: string
  map: ExistingRawSourceMap
}

/** Rewrites the glue module `id`; undefined when it is left as it is. */
export async function transformGlueModule(
  instance: PluginInstance,
  target: WasmTarget,
  code: string,
  id: string,
  ctx: { addWatchFile?: (file: string) => void },
): Promise<GlueHookResult | undefined> {
  const { options } = instance
  const file = stripQuery(id)
  // Already rewritten by this plugin (Vite's pre-bundled deps pass through the transform hook again).
  if (code.includes(`function ${LOCATE_BINDING}(`)) return undefined
  const named = options.wasmFor(file)
  const explicit = named !== undefined || options.explicitInclude
  const dir = dirname(file)
  // A file the user named is refused, not shipped as it was: its messages say what to do, not what ships.
  const voice = { ...PLUGIN_VOICE, ships: !explicit }
  const decision = recognizeGlue(code, { fileName: file, wasmName: named, needLocate: true, exists: name => isFile(resolve(dir, name)), voice })
  if (decision.kind === 'skip') {
    if (explicit && code.includes('WebAssembly')) {
      throw new FpcastError(
        `this file matches the plugin's ${named !== undefined ? "'wasm'" : 'include'} option but is not Emscripten glue the plugin can rewrite: it ${decision.why}. Narrow the option, or add the file to exclude`,
        { file },
      )
    }
    if (decision.warn) instance.note(file, decision.why)
    return undefined
  }
  try {
    const { wasm, syntax } = decision
    if (decision.note) instance.note(file, decision.note)
    if (!wasm) return forBundler(rewriteGlueWasm(code, { fileName: file, syntax }))
    if (wasm.kind === 'embedded') {
      const w = await instance.store.fromBytes(wasm.embedded.bytes, `${file} (embedded ${wasm.embedded.embedding} wasm)`, file)
      return forBundler(rewriteGlueWasm(code, { fileName: file, wasm, syntax, bytes: w.bytes }))
    }
    const wasmPath = resolve(dir, wasm.name)
    ctx.addWatchFile?.(wasmPath)
    instance.glueWasm.add(wasmPath)
    instance.claim(wasmPath)
    const urlPrologue = target.urlPrologue
      ? await target.urlPrologue(wasmPath, file, syntax.esm)
      : await importUrlPrologue(instance, wasmPath, file, syntax.esm)
    return forBundler(rewriteGlueWasm(code, { fileName: file, wasm, syntax, urlPrologue, absoluteUrl: target.absoluteUrl }))
  } catch (e) {
    if (explicit) throw e
    instance.note(file, `left as it was: ${describeError(e)}`)
    return undefined
  }
}

/** The glue imports (or requires) its URL module: every bundler but Vite's dev server. */
async function importUrlPrologue(instance: PluginInstance, wasmPath: string, glueId: string, esm: boolean): Promise<string> {
  // Transform now, so that errors point at the glue and files transform in parallel.
  await instance.store.fromFile(wasmPath, glueId, 'asset')
  const id = JSON.stringify(virtualId('url', wasmPath))
  return esm ? `import ${URL_BINDING} from ${id};` : `var ${URL_BINDING} = require(${id}).default;`
}

/** The rewritten glue as a transform hook answers it (rewriteGlueWasm writes no `file: null`; one is dropped). */
function forBundler(r: RewriteGlueResult): GlueHookResult {
  const { file, ...map }: EncodedSourceMap = r.map
  return { code: r.code, map: file == null ? map : { ...map, file } }
}
