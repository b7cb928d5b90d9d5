/** The Node API: pure functions, no bundler. */
export { FpcastError } from './errors.ts'
export { transformGlue, runtimeSource, GLUE_BINDING, type GlueOptions, type GlueResult } from './glue/instantiate.ts'
export {
  resolveOptions,
  type Profile,
  type ProfileSite,
  type ProgressEvent,
  type ResolvedTransformOptions,
  type SiteFilter,
  type Strategy,
  type TransformOptions,
} from './options.ts'
export { SECTION } from './protocol.ts'
export { transformWasm, type TransformReport, type TransformResult } from './wasm/transform.ts'
export { parseSig, sigKey, sigText, compatibility, type Sig, type ValType } from './wasm/signature.ts'
