// sql.js's single-file build: its wasm is a base64 literal decoded by base64Decode().
import initSqlJs from 'sql.js/dist/sql-wasm-inline.js'
import { smoke } from './smoke.js'

smoke(initSqlJs)
