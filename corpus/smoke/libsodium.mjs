// libsodium-wrappers + libsodium (Emscripten 4.x SINGLE_FILE: the wasm as base64
// decoded by an inlined, closure-minified decoder; ESM): BLAKE2b, secretbox,
// Ed25519 from a fixed seed, X25519; all deterministic.
export default async function (root) {
  const { default: sodium } = await import(`${root}/libsodium-wrappers/dist/modules-esm/libsodium-wrappers.mjs`)
  await sodium.ready
  const hex = sodium.to_hex
  const key = new Uint8Array(32).map((_, i) => i),
    nonce = new Uint8Array(24).map((_, i) => 100 + i)
  const box = sodium.crypto_secretbox_easy(sodium.from_string('function pointers, cast'), nonce, key)
  const open = sodium.to_string(sodium.crypto_secretbox_open_easy(box, nonce, key))
  const kp = sodium.crypto_sign_seed_keypair(new Uint8Array(32).fill(7))
  const sig = sodium.crypto_sign_detached(sodium.from_string('msg'), kp.privateKey)
  return {
    version: sodium.sodium_version_string(),
    hash: hex(sodium.crypto_generichash(32, sodium.from_string('abc'))),
    box: hex(box),
    open,
    pk: hex(kp.publicKey),
    sig: hex(sig),
    ok: sodium.crypto_sign_verify_detached(sig, sodium.from_string('msg'), kp.publicKey),
    x: hex(sodium.crypto_scalarmult_base(key)),
  }
}
