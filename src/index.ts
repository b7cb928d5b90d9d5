/** Node API of unplugin-fpcast-trampoline. Bundler plugins live at `unplugin-fpcast-trampoline/<bundler>`. */
export * from './core/index.ts'
export { transformFiles, findGlueWasm, type FilesOptions, type FilesResult } from './core/files.ts'
