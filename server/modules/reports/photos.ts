import crypto from 'node:crypto'
import type { Metadata, OutputInfo } from 'sharp'
import type { Config } from '../../config'
import type { AppContext } from '../../context'
import { AppError, badRequest } from '../../errors'
import type { Caller } from '../../lib/caller'
import { loadSharp } from '../../lib/lazy-packages'
import type { PhotoStorage } from '../../platform/storage'
import type { PhotoView } from '../../../types/reports'
import * as q from './queries'

export const MAX_PHOTO_BYTES = 10 * 1024 * 1024
/** 50 megapixels: any phone photo; a 20000×20000 "decompression bomb" is refused from its header. */
export const MAX_PHOTO_PIXELS = 50_000_000
const MAX_SIDE = 2048
const THUMB_SIDE = 320

export type SniffedFormat = 'jpeg' | 'png' | 'webp' | 'avif' | 'heic'

/** The format from the file's first bytes; the name and the declared type are ignored. */
export function sniffImage(buf: Buffer): SniffedFormat | null {
  if (buf.length < 12) return null
  if (buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) return 'jpeg'
  if (buf.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png'
  if (buf.toString('latin1', 0, 4) === 'RIFF' && buf.toString('latin1', 8, 12) === 'WEBP') return 'webp'
  if (buf.toString('latin1', 4, 8) === 'ftyp') {
    const brand = buf.toString('latin1', 8, 12)
    if (brand === 'avif' || brand === 'avis') return 'avif'
    if (['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1'].includes(brand)) return 'heic'
  }
  return null
}

/**
 * Photo links: a photo (of people, of number plates) is served only through a link signed for one photo with the
 * server's secret, that expires. Links are handed out in the answers of those who may see the report, so whoever
 * may see the report may see its photos, for a short while — and an <image src> needs no credentials. The expiry
 * is rounded up to a third of the lifetime, so that one photo keeps one URL for a while and caches work.
 */
export type PhotoLinks = Config['photoLinks']

const signature = (links: PhotoLinks, id: string, exp: number) => crypto.createHmac('sha256', links.secret).update(`photo:${id}:${exp}`).digest('base64url')

export function signPhoto(links: PhotoLinks, id: string, now = Date.now()): string {
  const step = Math.max(1, Math.floor(links.ttlSeconds / 3))
  const exp = Math.ceil((now / 1000 + links.ttlSeconds) / step) * step
  return `exp=${exp}&sig=${signature(links, id, exp)}`
}

export type PhotoLinkCheck = 'ok' | 'invalid' | 'expired'
export function checkPhotoLink(links: PhotoLinks, id: string, exp: unknown, sig: unknown, now = Date.now()): PhotoLinkCheck {
  if (typeof exp !== 'string' || typeof sig !== 'string' || !/^\d{1,12}$/.test(exp)) return 'invalid'
  const want = Buffer.from(signature(links, id, Number(exp)))
  const got = Buffer.from(sig)
  if (got.length !== want.length || !crypto.timingSafeEqual(got, want)) return 'invalid'
  return Number(exp) * 1000 < now ? 'expired' : 'ok'
}

export const photoUrls = (links: PhotoLinks, id: string) => {
  const q = signPhoto(links, id)
  return { url: `/api/v1/photos/${id}?${q}`, thumbUrl: `/api/v1/photos/${id}/thumb?${q}` }
}
export const thumbUrl = (links: PhotoLinks, id: string | null) => (id ? photoUrls(links, id).thumbUrl : null)
export const photoView = (links: PhotoLinks) => (p: { id: string; width: number; height: number }): PhotoView => ({ id: p.id, ...photoUrls(links, p.id), width: p.width, height: p.height })

const keyOf = (id: string, thumb: boolean) => `photos/${id.slice(0, 2)}/${id}${thumb ? '_t' : ''}.jpg`

export function photoStorage(ctx: AppContext): PhotoStorage {
  return ctx.storage
}

/**
 * The primary image of a HEIC file, its size known before any pixel is decoded. libheif applies the file's rotation
 * while decoding; the EXIF block (GPS!) is not part of the pixels. dispose() frees the WASM memory.
 */
async function decodeHeic(buf: Buffer): Promise<{ width: number; height: number; decode: () => Promise<{ data: Uint8ClampedArray }>; dispose: () => void }> {
  let images: Awaited<ReturnType<typeof import('heic-decode').all>>
  try {
    // loaded at the first HEIC photo: the package compiles libheif's WASM as it loads (~0.2 s of every start)
    images = await (await import('heic-decode')).all({ buffer: buf })
  } catch {
    throw badRequest('PHOTO_UNREADABLE', '照片文件已损坏或无法识别')
  }
  let disposed = false
  const dispose = () => {
    if (!disposed) images.dispose()
    disposed = true
  }
  return { width: images[0].width, height: images[0].height, decode: images[0].decode, dispose }
}

/**
 * Checks, cleans and stores one uploaded photo: format by content; pixel count from the header before anything
 * is decoded; rotated by its EXIF orientation, then re-encoded as JPEG without any metadata (no GPS, no camera);
 * a thumbnail; the WeChat image check on the thumbnail. Nothing is stored for a refused file.
 */
export async function uploadPhoto(ctx: AppContext, caller: Caller, buf: Buffer): Promise<PhotoView> {
  if (buf.length > MAX_PHOTO_BYTES) throw new AppError(413, 'PHOTO_TOO_LARGE', '照片不能超过 10 MB')
  const format = sniffImage(buf)
  if (!format) throw new AppError(415, 'PHOTO_FORMAT_UNSUPPORTED', '只支持 JPEG、PNG、WebP、HEIC 格式的照片')
  // sharp's prebuilt libvips reads HEIF with AV1 only (AVIF); iPhone photos (HEVC) are decoded by libheif in WASM
  const sharp = await loadSharp()
  const heic = format === 'heic' ? await decodeHeic(buf) : null
  let width = heic?.width
  let height = heic?.height
  if (!heic) {
    let meta: Metadata
    try {
      // the header only: nothing is decoded here, so the limit is checked by us below
      meta = await sharp(buf, { limitInputPixels: false }).metadata()
    } catch {
      throw badRequest('PHOTO_UNREADABLE', '照片文件已损坏或无法识别')
    }
    width = meta.width
    height = meta.height
  }
  if (!width || !height) throw badRequest('PHOTO_UNREADABLE', '照片文件已损坏或无法识别')
  if (width * height > MAX_PHOTO_PIXELS) {
    heic?.dispose()
    throw new AppError(413, 'PHOTO_TOO_MANY_PIXELS', `照片像素过大（${width}×${height}），请压缩后再上传`)
  }
  let main: { data: Buffer; info: OutputInfo }
  let thumb: Buffer
  try {
    const source = heic
      ? sharp(Buffer.from((await heic.decode()).data.buffer), { raw: { width, height, channels: 4 }, limitInputPixels: MAX_PHOTO_PIXELS })
      : sharp(buf, { limitInputPixels: MAX_PHOTO_PIXELS, failOn: 'error' }).rotate() // by EXIF orientation, before the metadata is dropped
    main = await source
      .resize(MAX_SIDE, MAX_SIDE, { fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: 82 })
      .toBuffer({ resolveWithObject: true })
    thumb = await sharp(main.data).resize(THUMB_SIDE, THUMB_SIDE, { fit: 'cover' }).jpeg({ quality: 75 }).toBuffer()
  } catch {
    throw badRequest('PHOTO_UNREADABLE', '照片文件已损坏或无法识别')
  } finally {
    heic?.dispose()
  }
  let secStatus: 'pass' | 'risky' | 'unchecked' = 'unchecked'
  if (ctx.wechat.imgSecCheck) {
    try {
      secStatus = (await ctx.wechat.imgSecCheck(thumb)) === 'pass' ? 'pass' : 'risky'
    } catch {
      secStatus = 'unchecked' // the report will be held for a worker; the upload is not refused
    }
  }
  const id = crypto.randomBytes(16).toString('base64url')
  const store = photoStorage(ctx)
  await store.put(keyOf(id, false), main.data, 'image/jpeg')
  await store.put(keyOf(id, true), thumb, 'image/jpeg')
  await q.insertPhoto(ctx.db, {
    id, ownerId: caller.userId, format, width: main.info.width, height: main.info.height, bytes: main.data.length,
    storageKey: keyOf(id, false), thumbKey: keyOf(id, true), secStatus,
  })
  return photoView(ctx.config.photoLinks)({ id, width: main.info.width, height: main.info.height })
}

/**
 * The stored file of a photo (by its unguessable id): its bytes, or — object storage with presign on — a presigned URL
 * valid as long as the app's own link still is, so the bytes go from the store to the phone without passing here.
 */
export async function openPhoto(ctx: AppContext, id: string, thumb: boolean, linkSecondsLeft: number) {
  const row = await q.photoKey(ctx.db, id, thumb)
  if (!row) return null
  const store = photoStorage(ctx)
  if (store.signedUrl) return { redirect: await store.signedUrl(row.key, Math.max(1, linkSecondsLeft)) }
  return store.get(row.key)
}

/** An upload that no report or 台账 entry took within this time was abandoned (a draft is re-uploaded if needed). */
export const UNATTACHED_PHOTO_HOURS = 24
const SWEEP_BATCH = 500

export interface PhotoSweep {
  photos: number
  files: number
  fileErrors: number
}

/**
 * Removes abandoned uploads: the rows first (each claimed by exactly one process, see the query), then their files.
 * In that order a failure in between leaves a file no row points to, never a row whose photo is gone; a file that
 * cannot be removed is reported to `onFileError` and the sweep goes on.
 */
export async function sweepUnattachedPhotos(
  ctx: AppContext,
  opts: { olderThanHours?: number; onFileError?: (key: string, err: unknown) => void } = {},
): Promise<PhotoSweep> {
  const out: PhotoSweep = { photos: 0, files: 0, fileErrors: 0 }
  const store = photoStorage(ctx)
  for (;;) {
    const rows = await q.deleteStaleUnattachedPhotos(ctx.db, opts.olderThanHours ?? UNATTACHED_PHOTO_HOURS, SWEEP_BATCH)
    out.photos += rows.length
    const keys = rows.flatMap((r) => [r.storageKey, r.thumbKey])
    const results = await Promise.allSettled(keys.map((k) => store.delete(k)))
    results.forEach((r, i) => {
      if (r.status === 'fulfilled') out.files++
      else {
        out.fileErrors++
        opts.onFileError?.(keys[i], r.reason)
      }
    })
    if (rows.length < SWEEP_BATCH) return out
  }
}

