;; A plain (non-Emscripten) module that calls a function through a pointer of
;; another type: call2(0, a, b) calls $inc (one parameter) as (i32, i32) -> i32.
;; Untransformed it traps; transformed, the extra argument is dropped.
;; Build: wat2wasm cast.wat -o cast.wasm
(module
  (type $one (func (param i32) (result i32)))
  (type $two (func (param i32 i32) (result i32)))
  (import "env" "log" (func $log (param i32)))
  (table 2 funcref)
  (elem (i32.const 0) $inc $add)
  (func $inc (type $one) (i32.add (local.get 0) (i32.const 1)))
  (func $add (type $two) (i32.add (local.get 0) (local.get 1)))
  (func (export "call2") (param $slot i32) (param $a i32) (param $b i32) (result i32)
    (call_indirect (type $two) (local.get $a) (local.get $b) (local.get $slot)))
  (func (export "hello") (call $log (i32.const 42)))
)
