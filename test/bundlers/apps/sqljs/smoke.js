// sql.js API smoke test, the same steps as test/sqljs/smoke.cjs; the result
// goes to globalThis.__fpcastResult for the tests to read (Node or Chromium).
export function smoke(initSqlJs) {
  const lines = []
  const log = s => lines.push(s)
  return initSqlJs().then(
    SQL => {
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
      log(JSON.stringify(db.exec('SELECT id, name, score FROM t ORDER BY score DESC')))
      const q = db.prepare('SELECT name FROM t WHERE score > $min ORDER BY name')
      q.bind({ $min: 1.5 })
      const names = []
      while (q.step()) names.push(q.getAsObject().name)
      q.free()
      log(names.join(','))
      db.create_function('twice', x => x * 2)
      log(JSON.stringify(db.exec('SELECT twice(score), upper(name), length(group_concat(name)) FROM t')))
      log(JSON.stringify(db.exec("SELECT json_object('a', 1, 'b', json_array(1,2))")))
      db.close()
      globalThis.__fpcastResult = { lines, errors: [], error: null }
    },
    e => {
      globalThis.__fpcastResult = { lines, errors: [], error: String(e?.message || e) }
    },
  )
}
