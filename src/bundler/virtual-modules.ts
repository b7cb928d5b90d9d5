/**
 * The plugin's virtual modules: their ids, and the code of those that are
 * the same for every bundler.
 *
 *   fpcast-trampoline/url/<wasm path>    default export: the absolute URL of the transformed wasm
 *                                        (each bundler family writes it: rollup-like.ts, webpack.ts, esbuild.ts, vite.ts)
 *   fpcast-trampoline/init/<wasm path>   default export: init(imports), resolving to the WebAssembly.Instance
 *   fpcast-trampoline/esm/<wasm path>    the wasm's exports (webpack/Rspack `experiments.asyncWebAssembly`)
 *   fpcast-trampoline/runtime            the runtime, and instantiate(url, imports)
 *   fpcast-trampoline/file/<wasm path>   esbuild only: the transformed bytes, through its `file` loader
 *
 * `./x.wasm?url` resolves to the URL module, `./x.wasm?init` to the init
 * module. Rollup-like bundlers see the ids with a leading `\0` (no other
 * plugin touches them); webpack and Rspack load them through unplugin's
 * virtual files (`<context>/_virtual_<encoded id>`).
 */
import { readFileSync } from 'node:fs'
import { FpcastError } from '../core/errors.ts'
import { runtimeSource } from '../core/glue/instantiate.ts'

// Not `scheme:` ids: webpack hands those to scheme handlers before any resolver plugin sees them.
export const PREFIX = 'fpcast-trampoline/'
export const FILE_PREFIX = `${PREFIX}file/`
const RUNTIME_ID = `${PREFIX}runtime`
const VIRTUAL_DIR = '_virtual_'

/** The virtual modules made per wasm file. */
export type WasmModuleKind = 'url' | 'init' | 'esm'
const KINDS: WasmModuleKind[] = ['init', 'esm', 'url']

/** The id of a per-wasm virtual module, as the bundler's resolver hands it out (`rollupLike`: with the `\0` mark). */
export function virtualId(kind: WasmModuleKind, wasmPath: string, rollupLike = false): string {
  return `${rollupLike ? '\0' : ''}${PREFIX}${kind}/${wasmPath}`
}

/** What the load hook's id names: one of our modules, or undefined for any other (and for esbuild's `file/` ids). */
export function parseVirtualId(rawId: string): { kind: 'runtime' } | { kind: WasmModuleKind; wasmPath: string } | undefined {
  const decoded = decodeURIComponent(rawId.replace(/^\0/, ''))
  const virtual = decoded.indexOf(VIRTUAL_DIR + PREFIX)
  const id = decoded.startsWith(PREFIX) ? decoded : virtual >= 0 ? decoded.slice(virtual + VIRTUAL_DIR.length) : undefined
  if (!id) return undefined
  if (id === RUNTIME_ID) return { kind: 'runtime' }
  const kind = KINDS.find(k => id.startsWith(`${PREFIX}${k}/`))
  return kind && { kind, wasmPath: id.slice(`${PREFIX}${kind}/`.length) }
}

/** The module that loads a wasm for `?init`: the runtime instantiates it. */
export function initModule(wasmPath: string): string {
  return `import url from ${JSON.stringify(virtualId('url', wasmPath))};
import { instantiate } from ${JSON.stringify(RUNTIME_ID)};
/** Instantiates the transformed wasm with these imports; resolves to the WebAssembly.Instance. */
export default function init(imports) {
  return instantiate(url, imports).then(function (r) { return r.instance; });
}
`
}

/**
 * What webpack's async WebAssembly makes of `import { f } from './x.wasm'`,
 * instantiated through the runtime instead: every import module of the wasm
 * is imported as a JS module, the instance is awaited at the top level, and
 * its exports are re-exported under their names.
 */
export function esmIntegrationModule(wasmPath: string): string {
  let module: WebAssembly.Module
  try {
    module = new WebAssembly.Module(readFileSync(wasmPath))
  } catch (e) {
    throw new FpcastError(
      `cannot read the imports and exports of this wasm to import it directly (${(e as Error).message}); import it with ?url or ?init instead`,
      { file: wasmPath, cause: e },
    )
  }
  const modules = [...new Set(WebAssembly.Module.imports(module).map(i => i.module))]
  const lines = modules.map((m, i) => `import * as __fpcast_import${i} from ${JSON.stringify(m)};`)
  lines.push(
    `import url from ${JSON.stringify(virtualId('url', wasmPath))};`,
    `import { instantiate } from ${JSON.stringify(RUNTIME_ID)};`,
    `const { instance } = await instantiate(url, { ${modules.map((m, i) => `${JSON.stringify(m)}: __fpcast_import${i}`).join(', ')} });`,
  )
  for (const { name } of WebAssembly.Module.exports(module)) {
    lines.push(
      /^[A-Za-z_$][\w$]*$/.test(name) && name !== 'default'
        ? `export const ${name} = instance.exports[${JSON.stringify(name)}];`
        : `const __fpcast_export_${lines.length} = instance.exports[${JSON.stringify(name)}]; export { __fpcast_export_${lines.length} as ${JSON.stringify(name)} };`,
    )
  }
  return `${lines.join('\n')}\n`
}

/** The runtime as a module, with the `instantiate(url, imports)` the init and esm modules call. */
export function runtimeModule(): string {
  return `export const WebAssembly = (${runtimeSource()})(globalThis.WebAssembly);
/** Fetches (or, under Node, reads) a transformed wasm and instantiates it through the runtime. */
export async function instantiate(url, imports) {
  const node = typeof process == "object" && process.versions && process.versions.node && /^file:/.test(url);
  if (node) return WebAssembly.instantiate(process.getBuiltinModule("fs").readFileSync(new URL(url)), imports);
  const response = await fetch(url);
  if (!response.ok) throw new Error("[fpcast-trampoline] cannot fetch " + url + ": HTTP " + response.status);
  try {
    return await WebAssembly.instantiateStreaming(response.clone(), imports);
  } catch (e) {
    // A server that does not send application/wasm: compile from the bytes.
    if (!(e instanceof TypeError)) throw e;
    return WebAssembly.instantiate(await response.arrayBuffer(), imports);
  }
}
`
}
