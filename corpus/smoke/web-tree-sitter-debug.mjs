// web-tree-sitter's debug build (DWARF and a source map, clang 22): the same smoke test as web-tree-sitter.mjs.
import { parseWith } from './web-tree-sitter.mjs'

export default function (root) {
  return parseWith(root, `${root}/web-tree-sitter/debug/web-tree-sitter.js`)
}
