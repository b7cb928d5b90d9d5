/** The rolldown plugin: `import fpcastTrampoline from 'unplugin-fpcast-trampoline/rolldown'`, then `fpcastTrampoline(options?)`. */
import { forRequire, unplugin } from './bundler/unplugin.ts'

export default unplugin.rolldown
/** What `require('unplugin-fpcast-trampoline/rolldown')` returns (CommonJS configs, Node >= 20.19): the plugin, and itself as `.default`. */
const commonJs = forRequire(unplugin.rolldown)
export { commonJs as 'module.exports' }
export type { Options, WasmReport } from './bundler/options.ts'
