// Emscripten 3.1.6 MODULARIZE glue without EXPORT_ES6 (CommonJS / classic script).
import createGlib from 'glib-cjs'
import { start } from './run.js'

start(createGlib)
