// js-yaml (a test-only reader of the YAML in Hugging Face dataset cards) ships without type declarations.
declare module 'js-yaml' {
  /** Parses one YAML document. */
  export function load(text: string): unknown;
  const yaml: { load: typeof load };
  export default yaml;
}
