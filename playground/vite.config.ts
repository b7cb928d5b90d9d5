/**
 * The playground's Vite config: the plugin straight from this repository's
 * sources (Vite's config loader bundles ../src), one instance per copy of the
 * C library that it rewrites. wasm/stock/ and wasm/emulate/ match no
 * instance and ship as emcc wrote them.
 *
 *   npm run playground          dev server
 *   npm run playground:build    into playground/dist
 */
import { defineConfig } from 'vite'
import fpcastTrampoline from '../src/vite.ts'

export default defineConfig({
  base: './',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
  plugins: [
    // The side-by-side panel and the live table: the runtime counts adapted calls.
    fpcastTrampoline({ include: ['wasm/fixed/*'], diagnostics: true }),
    // The benchmark's two strategies.
    fpcastTrampoline({ include: ['wasm/shadow/*'] }),
    fpcastTrampoline({ include: ['wasm/js/*'], strategy: 'js' }),
  ],
})
