/** The rspack plugin: `import fpcastTrampoline from 'unplugin-fpcast-trampoline/rspack'`, then `fpcastTrampoline(options?)`. */
import { forRequire, unplugin } from './bundler/unplugin.ts'

export default unplugin.rspack
/** What `require('unplugin-fpcast-trampoline/rspack')` returns (CommonJS configs, Node >= 20.19): the plugin, and itself as `.default`. */
const commonJs = forRequire(unplugin.rspack)
export { commonJs as 'module.exports' }
export type { Options, WasmReport } from './bundler/options.ts'
