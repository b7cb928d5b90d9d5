/**
 * The facts syntax.ts reads from a JS file about WebAssembly, which
 * recognize.ts decides on and the rewrites (instantiate.ts, locate.ts) use.
 */
import type { EmbeddedWasm } from './single-file.ts'

export interface Range {
  start: number
  end: number
}

export interface WasmLiteral extends Range {
  /** The string's value (`app.wasm`, `./dist/app.wasm`). */
  value: string
  /** The first argument of `new URL(<this>, import.meta.url)`. */
  newUrl: boolean
  /** With `newUrl`: the whole `new URL(...)` expression. */
  newUrlExpression?: Range
  /** An element of an array literal (`dynamicLibraries: ["a.wasm", "b.wasm"]`): a side module, not the glue's own wasm. */
  inArray: boolean
}

export interface NumberLiteral {
  start: number
  end: number
  value: number
}

export interface GlueSyntax {
  /** False when the file is not JavaScript acorn can parse (every other field is then empty). */
  parsed: boolean
  /** An ES module: has import/export declarations or `import.meta`. */
  esm: boolean
  /** `WebAssembly` identifiers of `WebAssembly.{instantiate,instantiateStreaming,Instance,compile,compileStreaming,Module}`. */
  hooks: Range[]
  /** Instantiation calls (instantiate, instantiateStreaming, Instance), hooked already or not. */
  instantiations: number
  /** The file declares `WebAssembly` itself (wasm2js, -sWASM=0). */
  declaresWebAssembly: boolean
  /** Reads of `<x>.instantiateWasm` / `<x>["instantiateWasm"]` (whole member expressions). */
  instantiateWasmReads: Range[]
  /** Reads of `<x>.wasmBinary`. */
  wasmBinaryReads: number
  /** `instantiateWasm: ...` in an object literal, or an assignment to `<x>.instantiateWasm`: the file supplies the hook. */
  definesInstantiateWasm: boolean
  /** Reads of `<x>.locateFile`: `object` is the object's range (`Module`), the whole is `start`..`end`. */
  locateFileReads: (Range & { object: Range })[]
  /** Plain string literals naming a `.wasm` file (not URLs with a scheme, not templates with substitutions). */
  wasmLiterals: WasmLiteral[]
  /** Templates with substitutions that mention `.wasm` (CDN URLs): never a file beside the glue. */
  templatedWasm: number
  /** The wasm module embedded in a string literal (single-file builds); the first one. */
  embedded?: EmbeddedWasm
  /** Strings and names only Emscripten's runtime writes (see EMSCRIPTEN_MARKS). */
  marks: Set<string>
  /** The longest string or template text, when at least OPAQUE_MIN chars and not a wasm: maybe a compressed module. */
  opaque?: Range & { length: number }
}
