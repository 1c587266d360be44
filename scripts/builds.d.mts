// Types of builds.mjs for the TypeScript scripts that import it.
export const ROOT: string
export function isStale(target: 'weapp' | 'h5'): boolean
export function ensureBuilt(target: 'weapp' | 'h5', opts?: { force?: boolean; env?: Record<string, string> }): boolean
