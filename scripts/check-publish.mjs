// Run by `npm publish` (prepublishOnly): the package page must not go out
// with dead links. npmjs.com resolves the README's relative links and its
// picture against `repository`, which this project does not have yet (no
// public home is known; a made-up URL would publish wrong links). Until
// package.json names it, with `homepage` and `bugs`, publishing stops here
// with one line that says what to set.
//
//   node scripts/check-publish.mjs [package dir]
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

const dir = process.argv[2] ?? process.cwd()
const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
const url = typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url
const missing = [!url && 'repository', !pkg.homepage && 'homepage', !(pkg.bugs?.url ?? pkg.bugs) && 'bugs'].filter(Boolean)
if (missing.length) {
  console.error(
    `check-publish: package.json has no ${missing.join(', ')}: npmjs.com resolves the README's relative links and picture against repository; set them to the project's public home before publishing`,
  )
  process.exit(1)
}
