// `npm run test:unit`: the fast tier for the edit loop. Node only (this machine's
// and Node 24 from npm), no browsers, no Debian tools: the core, the runtime's
// semantics, the two writers, glue recognition, the plugin through Rolldown, the CLI's arguments.
import { defineConfig } from 'vitest/config'
import base from './vitest.config.ts'

process.env.FPCAST_TEST_TIER = 'unit'

export default defineConfig({
  test: {
    ...base.test,
    include: [
      'test/semantics.test.ts',
      'test/code-scan.test.ts',
      'test/copy-writer.test.ts',
      'test/copy-writer-fallback.test.ts',
      'test/glue-forms.test.ts',
      'test/real-world.test.ts',
      'test/cli-args.test.ts',
      'test/bundlers/glue-wasm.test.ts',
      'test/bundlers/exports.test.ts',
      'test/bundlers/cache-key.test.ts',
      'test/errors.test.ts',
    ],
  },
})
