/** Node API of unplugin-fpcast-trampoline. Bundler plugins live at `unplugin-fpcast-trampoline/<bundler>`. */
export * from './core/index.ts'
export { transformFiles, inspectFile, findGlueWasm, type FilesOptions, type FilesResult } from './core/files.ts'
export { inspectWasm, formatInspect, type InspectResult } from './core/inspect.ts'
