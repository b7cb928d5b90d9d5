/** The esbuild plugin: `import fpcastTrampoline from 'unplugin-fpcast-trampoline/esbuild'`, then `fpcastTrampoline(options?)`. */
import { forRequire, unplugin } from './bundler/unplugin.ts'

export default unplugin.esbuild
/** What `require('unplugin-fpcast-trampoline/esbuild')` returns (CommonJS configs, Node >= 20.19): the plugin, and itself as `.default`. */
const commonJs = forRequire(unplugin.esbuild)
export { commonJs as 'module.exports' }
export type { Options, WasmReport } from './bundler/options.ts'
