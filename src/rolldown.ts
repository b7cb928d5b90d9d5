/** The rolldown plugin: `import fpcastTrampoline from 'unplugin-fpcast-trampoline/rolldown'`, then `fpcastTrampoline(options?)`. */
import { unplugin } from './bundler/unplugin.ts'

export default unplugin.rolldown
export type { Options, WasmReport } from './bundler/options.ts'
