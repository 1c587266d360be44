/** Compiles server/main.ts to .cache/server/main.js when its sources changed; resolves to that file. */
export function ensureServerBuilt(): Promise<string>
