import crypto from 'node:crypto'

/** Opaque bearer tokens: the client keeps the token, the database keeps only its hash. */
export function newToken(): string {
  return crypto.randomBytes(32).toString('base64url')
}

export function hashSecret(value: string): string {
  return crypto.createHash('sha256').update(value).digest('hex')
}
