import { defineConfig } from 'tsup'

const bundlers = ['vite', 'webpack', 'rollup', 'rolldown', 'esbuild', 'rspack']

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    cli: 'src/cli.ts',
    runtime: 'src/runtime/runtime.js',
    ...Object.fromEntries(bundlers.map(b => [b, `src/${b}.ts`])),
    // Beside the plugin chunks: the transform pool's worker and the webpack/Rspack loader.
    worker: 'src/bundler/worker.ts',
    'webpack-loader': 'src/bundler/webpack-loader.ts',
  },
  format: ['esm'],
  target: 'node20',
  dts: { entry: { index: 'src/index.ts', ...Object.fromEntries(bundlers.map(b => [b, `src/${b}.ts`])) } },
  clean: true,
  shims: false,
  external: ['binaryen', 'magic-string', 'unplugin', 'picomatch', '@jridgewell/remapping'],
})
