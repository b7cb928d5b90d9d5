/** The rollup plugin: `import fpcastTrampoline from 'unplugin-fpcast-trampoline/rollup'`, then `fpcastTrampoline(options?)`. */
import { unplugin } from './bundler/unplugin.ts'

export default unplugin.rollup
export type { Options, WasmReport } from './bundler/options.ts'
