// Emscripten 3.1.6 -sSINGLE_FILE glue: the wasm is a base64 data: URI inside it.
import createModule from 'glib-single'
import { start } from './run.js'

start(createModule)
