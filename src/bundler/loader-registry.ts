/**
 * How the webpack/Rspack loader (webpack-loader.ts) reaches its plugin
 * instance: a process-wide registry, keyed by a string the loader gets as its
 * option (Rspack passes loader options through JSON, so an object would not
 * arrive).
 */

/** What the loader asks of a plugin instance. */
export interface LoaderApi {
  /** The transformed bytes of the wasm file at `path`. */
  wasm(path: string, importer: string): Promise<Uint8Array>
}

const REGISTRY = Symbol.for('unplugin-fpcast-trampoline')

export function loaderRegistry(): Map<string, LoaderApi> {
  const g = globalThis as unknown as Record<symbol, Map<string, LoaderApi> | undefined>
  return (g[REGISTRY] ??= new Map())
}
