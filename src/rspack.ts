/** The rspack plugin: `import fpcastTrampoline from 'unplugin-fpcast-trampoline/rspack'`, then `fpcastTrampoline(options?)`. */
import { unplugin } from './bundler/unplugin.ts'

export default unplugin.rspack
export type { Options, WasmReport } from './bundler/options.ts'
