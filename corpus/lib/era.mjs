// Guesses the Emscripten version range a glue file came from, from markers in
// its text. The ranges were measured on Emscripten's own sources: for each
// marker, the first and last release tag whose src/ contains it (git grep over
// the tags 2.0.0 to 6.0.8). Closure-minified glue keeps only some of them (the
// strings and property names), so the range can be wide; it is a guess, shown
// as such.

const V = s => s.split('.').map(Number)
const cmp = (a, b) => {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] - b[i]
  return 0
}

/** [marker (string or RegExp), first version, last version] */
const MARKERS = [
  ['wasmExports', '3.1.44', null],
  [/Module\[["']asm["']\]/, null, '3.1.43'],
  ['_scriptName', '3.1.58', null],
  ['_scriptDir', null, '3.1.57'],
  ['moduleRtn', '3.1.58', '6.0.0'],
  ['findWasmBinary', '3.1.59', null],
  ['getWasmImports', '3.1.58', null],
  [/ENVIRONMENT_IS_WEB\s*=\s*!!globalThis\.window|=!!globalThis\.window/, '4.0.16', null],
  [/typeof window\s*==\s*["']object["']/, '3.1.5', '4.0.15'],
  ['binaryDecode(', '4.0.18', null],
  ['intArrayFromBase64', null, '3.1.74'],
  ['updateMemoryViews', '3.1.30', null],
  [/var Module\s*=\s*moduleArg/, '3.1.42', null],
]

export function guessEra(text) {
  let lo = V('1.0.0'),
    hi = V('99.0.0')
  const hits = [],
    found = []
  for (const [m, first, last] of MARKERS) {
    if (!(typeof m === 'string' ? text.includes(m) : m.test(text))) continue
    hits.push(typeof m === 'string' ? m : m.source)
    found.push([first, last])
    if (first && cmp(V(first), lo) > 0) lo = V(first)
  }
  // An upper bound below the lower bound comes from text that is not glue (a
  // library bundle's comments, say): ignore it.
  for (const [, last] of found) if (last && cmp(V(last), hi) < 0 && cmp(V(last), lo) >= 0) hi = V(last)
  if (!hits.length) {
    if (/\basm\.js\b|almost asm|"use asm"|'use asm'/.test(text) && !/WebAssembly/.test(text)) return { era: 'asm.js (fastcomp era)', hits }
    return { era: 'unknown (no markers)', hits }
  }
  const s = v => v.join('.')
  const era =
    cmp(lo, V('1.0.0')) === 0
      ? `<= ${s(hi)}`
      : cmp(hi, V('99.0.0')) === 0
        ? `>= ${s(lo)}`
        : cmp(lo, hi) > 0
          ? `inconsistent (${s(lo)} > ${s(hi)})`
          : `${s(lo)} - ${s(hi)}`
  return { era, hits }
}
