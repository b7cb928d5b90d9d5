// The runtime is plain JS, so tsup writes no declaration for it: its hand-written one ships beside it
// (package.json: exports["./runtime"].types).
import { copyFileSync } from 'node:fs'
copyFileSync(new URL('../src/runtime/runtime.d.ts', import.meta.url), new URL('../dist/runtime.d.ts', import.meta.url))
