// autocannon ships no type declarations; the harness uses only its callback API.
declare module 'autocannon' {
  function autocannon(options: Record<string, unknown>, callback: (error: unknown, result: unknown) => void): unknown;
  export default autocannon;
}
