// wgsl_reflect's ESM build (the package's main entry exports nothing to ESM under Node 20) has no typings of
// its own path: reuse the package's.
declare module 'wgsl_reflect/wgsl_reflect.module.js' {
  export * from 'wgsl_reflect';
}
