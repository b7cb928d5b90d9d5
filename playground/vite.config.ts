/**
 * The playground's Vite config: the plugin straight from this repository's
 * sources (Vite's config loader bundles ../src), one instance per copy of the
 * C library that it rewrites. wasm/stock/ and wasm/emulate/ match no
 * instance and ship as emcc wrote them.
 *
 *   npm run playground          dev server
 *   npm run playground:build    into playground/dist
 */
import { defineConfig, type Plugin } from 'vite'
import fpcastTrampoline from '../src/vite.ts'

const FIXED_GLUE_RE = /\/wasm\/fixed\/playground\.mjs(?:\?.*)?$/

/**
 * Lets the page read the adapted-call counts of the `fixed` copy. The plugin
 * injects its runtime into the glue as a module-scoped `__fpcast_WebAssembly`,
 * which a page cannot name once the glue is an ES module in a bundle; this
 * appends `export function fpcastReport()` to that glue, after the plugin.
 */
function exposeReport(): Plugin {
  return {
    name: 'playground:expose-report',
    enforce: 'post',
    transform(code, id) {
      if (!FIXED_GLUE_RE.test(id)) return undefined
      if (!code.includes('__fpcast_WebAssembly')) this.error(`${id} was not rewritten by fpcastTrampoline(): check its include`)
      return { code: `${code}\nexport function fpcastReport() { return __fpcast_WebAssembly.report() }\n`, map: null }
    },
  }
}

export default defineConfig({
  base: './',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
  plugins: [
    // The side-by-side panel and the live table: the runtime counts adapted calls.
    fpcastTrampoline({ include: ['wasm/fixed/*'], diagnostics: true }),
    // The benchmark's two strategies.
    fpcastTrampoline({ include: ['wasm/shadow/*'] }),
    fpcastTrampoline({ include: ['wasm/js/*'], strategy: 'js' }),
    exposeReport(),
  ],
})
