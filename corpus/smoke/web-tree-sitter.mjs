// web-tree-sitter + grammar side modules (tree-sitter-javascript's own wasm, @vscode/tree-sitter-wasm's C): parse a snippet,
// print the s-expression, run a query.
export default function (root) {
  return parseWith(root, `${root}/web-tree-sitter/web-tree-sitter.js`)
}

/** The smoke test through the given build of web-tree-sitter (its main one, or its debug one: web-tree-sitter-debug.mjs). */
export async function parseWith(root, entry) {
  const { Parser, Language, Query } = await import(entry)
  await Parser.init()
  const out = {}
  for (const lang of ['javascript', 'c']) {
    const L = await Language.load(
      lang === 'c' ? `${root}/@vscode/tree-sitter-wasm/wasm/tree-sitter-cpp.wasm` : `${root}/tree-sitter-javascript/tree-sitter-javascript.wasm`,
    )
    const parser = new Parser()
    parser.setLanguage(L)
    const src = lang === 'c' ? 'int f(int (*g)(int), int x) { return g(x) + 1; }' : 'function f(a, b) { return a.map(x => x * b) }\nconst y = f([1, 2], 3);'
    const tree = parser.parse(src)
    const q = new Query(L, '(identifier) @id')
    out[lang] = {
      sexp: tree.rootNode.toString(),
      ids: q
        .captures(tree.rootNode)
        .map(c => c.node.text)
        .join(','),
    }
  }
  return out
}
