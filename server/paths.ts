import path from 'node:path'

// Defined by scripts/server-build.mjs in the compiled server (.cache/server/main.js); undeclared when run from source.
declare const CIVICLINK_BUNDLED: boolean | undefined

/** The repository's root, whether the server runs from its TypeScript sources or from the compiled bundle. */
export const ROOT = path.resolve(__dirname, typeof CIVICLINK_BUNDLED === 'boolean' && CIVICLINK_BUNDLED ? '../..' : '..')
