/** The vite plugin: `import fpcastTrampoline from 'unplugin-fpcast-trampoline/vite'`, then `fpcastTrampoline(options?)`. */
import { unplugin } from './bundler/unplugin.ts'

export default unplugin.vite
export type { Options, WasmReport } from './bundler/options.ts'
