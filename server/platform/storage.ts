import fs from 'node:fs'
import fsp from 'node:fs/promises'
import path from 'node:path'
import type { Readable } from 'node:stream'

/**
 * Where photos live. Keys are relative paths such as `photos/ab/abcdef….jpg`. The local implementation keeps
 * files under `<dataDir>/uploads`; an S3-compatible bucket (storage-s3.ts) implements the same calls
 * (PutObject, GetObject stream, DeleteObject) so that several API processes share the photos.
 */
export interface PhotoStorage {
  put(key: string, data: Buffer, contentType: string): Promise<void>
  /** A stream of the object, or null when it does not exist. */
  get(key: string): Promise<{ stream: Readable; size: number } | null>
  delete(key: string): Promise<void>
  /** A URL that reads the object directly for `seconds` (a presigned S3 GET); absent: the app streams the object. */
  signedUrl?(key: string, seconds: number): Promise<string>
  close?(): Promise<void>
}

const SAFE_KEY = /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_.-]+)*$/

export function localStorage(root: string): PhotoStorage {
  const file = (key: string) => {
    if (!SAFE_KEY.test(key) || key.includes('..')) throw new Error(`unsafe storage key: ${key}`)
    return path.join(root, key)
  }
  return {
    async put(key, data) {
      const f = file(key)
      await fsp.mkdir(path.dirname(f), { recursive: true })
      // write then rename: a reader never sees half a file
      const tmp = `${f}.${process.pid}.${Date.now()}.tmp`
      await fsp.writeFile(tmp, data)
      await fsp.rename(tmp, f)
    },
    async get(key) {
      const f = file(key)
      try {
        const st = await fsp.stat(f)
        return { stream: fs.createReadStream(f), size: st.size }
      } catch {
        return null
      }
    },
    async delete(key) {
      await fsp.rm(file(key), { force: true })
    },
  }
}

const byDir = new Map<string, PhotoStorage>()
/** The storage of a data directory (one instance per directory and process). */
export function storageFor(dataDir: string): PhotoStorage {
  const root = path.join(dataDir, 'uploads')
  let s = byDir.get(root)
  if (!s) {
    s = localStorage(root)
    byDir.set(root, s)
  }
  return s
}
