/** The esbuild plugin: `import fpcastTrampoline from 'unplugin-fpcast-trampoline/esbuild'`, then `fpcastTrampoline(options?)`. */
import { unplugin } from './bundler/unplugin.ts'

export default unplugin.esbuild
export type { Options, WasmReport } from './bundler/options.ts'
