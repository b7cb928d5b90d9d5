// web-tree-sitter + grammar side modules (tree-sitter-javascript's own wasm, @vscode/tree-sitter-wasm's C): parse a snippet,
// print the s-expression, run a query.
export default async function (root) {
  const { Parser, Language, Query } = await import(`${root}/web-tree-sitter/web-tree-sitter.js`)
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
