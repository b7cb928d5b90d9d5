// sql.js API smoke test: run with `node smoke.cjs <dir holding sql-wasm.js and sql-wasm.wasm>`.
const path = require('node:path')
const dir = path.resolve(process.argv[2])
// With USER_INSTANTIATE=1 the page instantiates the wasm itself, as Pyodide's loader does.
const fs = require('node:fs')
const userInstantiate = (imports, receive) => {
  WebAssembly.instantiate(fs.readFileSync(path.join(dir, 'sql-wasm.wasm')), imports).then(r => receive(r.instance, r.module))
  return {}
}
const config = { locateFile: f => path.join(dir, f), ...(process.env.USER_INSTANTIATE ? { instantiateWasm: userInstantiate } : {}) }
require(path.join(dir, 'sql-wasm.js'))(config).then(SQL => {
  const db = new SQL.Database()
  db.run('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, score REAL)')
  const insert = db.prepare('INSERT INTO t (name, score) VALUES (?, ?)')
  for (const [name, score] of [
    ['ada', 3.5],
    ['bob', 1.25],
    ['cy', 2],
  ])
    insert.run([name, score])
  insert.free()
  console.log(JSON.stringify(db.exec('SELECT id, name, score FROM t ORDER BY score DESC')))
  const q = db.prepare('SELECT name FROM t WHERE score > $min ORDER BY name')
  q.bind({ $min: 1.5 })
  const names = []
  while (q.step()) names.push(q.getAsObject().name)
  q.free()
  console.log(names.join(','))
  db.create_function('twice', x => x * 2)
  console.log(JSON.stringify(db.exec('SELECT twice(score), upper(name), length(group_concat(name)) FROM t')))
  console.log(JSON.stringify(db.exec("SELECT json_object('a', 1, 'b', json_array(1,2))")))
  db.close()
})
