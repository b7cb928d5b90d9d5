/**
 * The five copies of the same C library in this app. build.sh writes one
 * build into four directories (plus an EMULATE_FUNCTION_POINTER_CASTS
 * build), and vite.config.ts gives each directory to a different plugin
 * instance, or to none.
 */
import createEmulate from '../wasm/emulate/playground.mjs'
import createFixed from '../wasm/fixed/playground.mjs'
import createJs from '../wasm/js/playground.mjs'
import createShadow from '../wasm/shadow/playground.mjs'
import createStock from '../wasm/stock/playground.mjs'
import type { PlaygroundModule, Profile } from './types.ts'

export interface Variants {
  /** Untouched by the plugin: mismatched calls trap. */
  stock: PlaygroundModule
  /** The plugin with `diagnostics: true`: the panel and the adapted-calls table. */
  fixed: PlaygroundModule
  /** The plugin's default strategy, without diagnostics (benchmark). */
  shadow: PlaygroundModule
  /** The plugin with `strategy: 'js'` (benchmark). */
  js: PlaygroundModule
  /** Built with -sEMULATE_FUNCTION_POINTER_CASTS, untouched by the plugin (benchmark). */
  emulate: PlaygroundModule
}

/**
 * The adapted calls so far in the `fixed` copy, as its plugin runtime counts
 * them: a diagnostics build's runtime publishes its report() as the global
 * `fpcastTrampolineReport` (the only diagnostics build on this page).
 */
export const adaptedCalls = (): Profile => {
  const report = (globalThis as { fpcastTrampolineReport?: () => Profile }).fpcastTrampolineReport
  if (!report) throw new Error('no diagnostics build has been instantiated: is wasm/fixed/ rewritten by fpcastTrampoline({ diagnostics: true })?')
  return report()
}

export async function loadVariants(): Promise<Variants> {
  const [stock, fixed, shadow, js, emulate] = await Promise.all([createStock(), createFixed(), createShadow(), createJs(), createEmulate()])
  return { stock, fixed, shadow, js, emulate }
}
