// The Emscripten glue of playground/wasm/<variant>/ (an ES module emcc wrote).
declare module '*/playground.mjs' {
  const createPlayground: import('./types.ts').CreatePlayground
  export default createPlayground
}
