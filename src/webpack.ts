/** The webpack plugin: `import fpcastTrampoline from 'unplugin-fpcast-trampoline/webpack'`, then `fpcastTrampoline(options?)`. */
import { forRequire, unplugin } from './bundler/unplugin.ts'

export default unplugin.webpack
/** What `require('unplugin-fpcast-trampoline/webpack')` returns (CommonJS configs, Node >= 20.19): the plugin, and itself as `.default`. */
const commonJs = forRequire(unplugin.webpack)
export { commonJs as 'module.exports' }
export type { Options, WasmReport } from './bundler/options.ts'
