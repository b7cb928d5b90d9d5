// --pre-js for the real-c test programs (Node only, Emscripten 3.1.x glue).
// 1. Shadow the global fetch inside the glue: 3.1.6 would fetch() the .wasm
//    path on Node 18+ and fail; with this it reads the file with fs.
// 2. Give the program the process environment: 3.1.x glue starts getenv()
//    from a fixed set (USER, PATH, HOME, LANG, ...), and test suites read
//    their own variables (G_TEST_SRCDIR, srcdir, ...).
// ES5 on purpose: Emscripten 3.1.6's JS optimizer mangles newer syntax.
// biome-ignore lint/correctness/noUnusedVariables: declared to shadow the global, never used
var fetch
Module.preRun = [].concat(Module.preRun || [], function () {
  // ENV exists only in programs that read the environment.
  if (typeof ENV === 'undefined') return
  var env = process.env
  for (var k in env) ENV[k] = env[k]
})
