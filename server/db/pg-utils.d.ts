// node-postgres's own parameter conversion (not in @types/pg): PGlite's queries use it too, so that both
// drivers send a parameter as the same text.
declare module 'pg/lib/utils' {
  export function prepareValue(value: unknown): string | Buffer | null
}
