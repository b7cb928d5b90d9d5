/** The webpack plugin: `import fpcastTrampoline from 'unplugin-fpcast-trampoline/webpack'`, then `fpcastTrampoline(options?)`. */
import { unplugin } from './bundler/unplugin.ts'

export default unplugin.webpack
export type { Options, WasmReport } from './bundler/options.ts'
