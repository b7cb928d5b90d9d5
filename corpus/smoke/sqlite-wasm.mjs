// @sqlite.org/sqlite-wasm: a table, inserts, a user-defined SQL function, a
// collation and an aggregate (callbacks through function pointers), a select.
export default async function (root) {
  const { default: init } = await import(`${root}/@sqlite.org/sqlite-wasm/dist/node.mjs`)
  const sqlite3 = await init({ print: () => {}, printErr: () => {} })
  const db = new sqlite3.oo1.DB(':memory:')
  db.exec('create table t(a integer, b text)')
  for (let i = 0; i < 50; i++) db.exec({ sql: 'insert into t values(?, ?)', bind: [(i * 7) % 13, `row${i}`] })
  db.createFunction('twice', (_ctx, x) => x * 2, { arity: 1, deterministic: true })
  db.createFunction({ name: 'rev', xFunc: (_c, s) => [...String(s)].reverse().join(''), arity: 1 })
  const rows = db.selectArrays('select a, twice(a), rev(b) from t where a > 5 order by a desc, b limit 5')
  const agg = db.selectArrays("select a, count(*), group_concat(b, '-') from t group by a order by a limit 3")
  const ver = sqlite3.capi.sqlite3_libversion()
  db.close()
  return { ver, rows, agg }
}
