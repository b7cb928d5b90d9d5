// `node --import ./max-rss.mjs <script>`: at exit, writes the process's peak
// resident set size (kB, binaryen's wasm heap included) to $FPCAST_MAXRSS_FILE.
import { writeFileSync } from 'node:fs'

process.on('exit', () => {
  if (process.env.FPCAST_MAXRSS_FILE) writeFileSync(process.env.FPCAST_MAXRSS_FILE, String(process.resourceUsage().maxRSS))
})
