/** The vite plugin: `import fpcastTrampoline from 'unplugin-fpcast-trampoline/vite'`, then `fpcastTrampoline(options?)`. */
import { forRequire, unplugin } from './bundler/unplugin.ts'

export default unplugin.vite
/** What `require('unplugin-fpcast-trampoline/vite')` returns (CommonJS configs, Node >= 20.19): the plugin, and itself as `.default`. */
const commonJs = forRequire(unplugin.vite)
export { commonJs as 'module.exports' }
export type { Options, WasmReport } from './bundler/options.ts'
