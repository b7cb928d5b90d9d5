import { forRequire, unplugin } from './bundler/plugin.ts'

/**
 * The webpack plugin: Emscripten glue and `.wasm` imports come out with their `call_indirect` sites adapting
 * function pointer casts instead of trapping. `fpcastTrampoline(options?)`; every option has its default in `Options`.
 */
export default unplugin.webpack
/** What `require('unplugin-fpcast-trampoline/webpack')` returns (CommonJS configs, Node >= 20.19): the plugin, and itself as `.default`. */
const commonJs = forRequire(unplugin.webpack)
export { commonJs as 'module.exports' }
export type { Options, WasmReport } from './bundler/options.ts'
