/**
 * A `WebAssembly` look-alike that wires up modules transformed by
 * unplugin-fpcast-trampoline (and passes every other module through).
 */
export declare function fpcastRuntime(WA: typeof WebAssembly): typeof WebAssembly
