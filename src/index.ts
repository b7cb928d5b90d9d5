/** Node API of unplugin-fpcast-trampoline. Bundler plugins live at `unplugin-fpcast-trampoline/<bundler>`. */
export * from './core/index.ts'
export { transformFiles, inspectFile, findGlueWasm, type FilesOptions, type FilesResult } from './node/files.ts'
export { inspectWasm, formatInspect, type InspectResult } from './core/wasm/inspect.ts'
