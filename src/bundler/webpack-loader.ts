/**
 * webpack/Rspack loader behind `<wasm>?fpcast-trampoline-asset=...` requests:
 * gives the bundler the transformed bytes of the wasm (a raw loader, so they
 * stay binary), which it emits as an `asset/resource` named from its content
 * hash. The plugin instance is found through a process-wide registry
 * (loader-registry.ts), since Rspack passes loader options through JSON.
 */
import { FpcastError } from '../core/errors.ts'
import { loaderRegistry } from './loader-registry.ts'

interface LoaderContext {
  resourcePath: string
  issuer?: string
  async(): (err: Error | null, content?: Uint8Array) => void
  getOptions(): { instance: string }
  cacheable?(flag: boolean): void
}

export const raw = true

export default function fpcastWasmLoader(this: LoaderContext): void {
  const done = this.async()
  const { instance } = this.getOptions()
  const api = loaderRegistry().get(instance)
  if (!api) {
    done(
      new FpcastError('the fpcast-trampoline loader runs without its plugin (another webpack process?); add the plugin to this compiler', {
        file: this.resourcePath,
      }),
    )
    return
  }
  api.wasm(this.resourcePath, this.resourcePath).then(
    bytes => done(null, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)),
    e => done(e as Error),
  )
}
