import { defineConfig } from 'tsup'

export default defineConfig({
  entry: { index: 'src/index.ts', cli: 'src/cli.ts', runtime: 'src/runtime/runtime.js' },
  format: ['esm'],
  target: 'node20',
  dts: { entry: { index: 'src/index.ts' } },
  clean: true,
  shims: false,
  external: ['binaryen', 'magic-string', 'unplugin'],
  onSuccess: 'cp src/runtime/runtime.d.ts dist/runtime.d.ts',
})
