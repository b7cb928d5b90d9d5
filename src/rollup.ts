/** The rollup plugin: `import fpcastTrampoline from 'unplugin-fpcast-trampoline/rollup'`, then `fpcastTrampoline(options?)`. */
import { forRequire, unplugin } from './bundler/unplugin.ts'

export default unplugin.rollup
/** What `require('unplugin-fpcast-trampoline/rollup')` returns (CommonJS configs, Node >= 20.19): the plugin, and itself as `.default`. */
const commonJs = forRequire(unplugin.rollup)
export { commonJs as 'module.exports' }
export type { Options, WasmReport } from './bundler/options.ts'
