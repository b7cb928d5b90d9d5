// Emscripten 3.1.6 EXPORT_ES6 + MODULARIZE glue, installed as a package.
import createModule from 'glib-esm'
import { start } from './run.js'

start(createModule)
