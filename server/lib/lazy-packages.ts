// Packages that only some requests need, loaded on first use rather than at every start (npm run bench -- restart:
// sharp, qrcode and ioredis together were ~0.15 s of CPU of a start). Each loads once; the later calls share it.

function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined
  return () => {
    loaded ??= load().catch((err) => {
      loaded = undefined // a failed load (a broken install) is tried again next time, not remembered
      throw err
    })
    return loaded
  }
}

/** sharp (libvips): photos, certificates, the demo pictures, the fake WeChat's image check. */
export const loadSharp = once(async () => (await import('sharp')).default)

/** qrcode: the live quiz and check-in codes, certificates. */
export const loadQRCode = once(async () => (await import('qrcode')).default)

/** ioredis: only with REDIS_URL. */
export const loadRedis = once(async () => (await import('ioredis')).default)
