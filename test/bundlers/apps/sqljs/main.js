// sql.js as a page imports it (the package's "browser" build in bundlers that resolve it).
import initSqlJs from 'sql.js'
import { smoke } from './smoke.js'

smoke(initSqlJs)
