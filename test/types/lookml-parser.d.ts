/** The one function the tests use from lookml-parser (it ships no types): LookML text to a nested object. */
declare module 'lookml-parser' {
  export function parse(text: string): unknown;
}
