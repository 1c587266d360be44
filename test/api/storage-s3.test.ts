import { Readable } from 'node:stream'
import { s3Storage } from '../../server/platform/storage-s3'
import { sweepUnattachedPhotos } from '../../server/modules/reports/photos'
import { DEMO_ACCOUNTS } from '../helpers/app'
import { startS3rver, type S3Server } from '../helpers/s3rver'
import { jpeg, reportsApp, submit, upload } from './reports-helpers'

/** The S3 adapter against a real S3-compatible server process (s3rver), and the photo paths of 随手拍 on it. */

let s3: S3Server
beforeAll(async () => {
  s3 = await startS3rver(['photos', 'linked'])
})
afterAll(async () => {
  await s3?.stop()
})

const read = async (stream: Readable) => {
  const parts: Buffer[] = []
  for await (const p of stream) parts.push(Buffer.from(p))
  return Buffer.concat(parts)
}

describe('s3Storage', () => {
  it('puts, gets (as a stream with its size), deletes; a missing key is null; deleting twice is no error', async () => {
    const store = s3Storage(s3.config('photos', { prefix: 'city-a/' }))
    try {
      const data = Buffer.from('not really a jpeg, but bytes are bytes')
      await store.put('photos/ab/abc.jpg', data, 'image/jpeg')
      const got = await store.get('photos/ab/abc.jpg')
      expect(got?.size).toBe(data.length)
      expect(await read(got!.stream)).toEqual(data)
      // under the prefix: another deployment sharing the bucket with another prefix sees nothing
      expect(await s3Storage(s3.config('photos')).get('photos/ab/abc.jpg')).toBeNull()
      await store.delete('photos/ab/abc.jpg')
      expect(await store.get('photos/ab/abc.jpg')).toBeNull()
      await store.delete('photos/ab/abc.jpg')
      expect(store.signedUrl).toBeUndefined()
    } finally {
      await store.close?.()
    }
  })

  it('with presign on, hands out a presigned GET URL of the object that reads it', async () => {
    const store = s3Storage(s3.config('photos', { presign: true }))
    try {
      await store.put('photos/cd/cde.jpg', Buffer.from('signed bytes'), 'image/jpeg')
      const url = await store.signedUrl!('photos/cd/cde.jpg', 60)
      expect(url).toContain('X-Amz-Signature=')
      const res = await fetch(url)
      expect(res.status).toBe(200)
      expect(Buffer.from(await res.arrayBuffer()).toString()).toBe('signed bytes')
      // (s3rver does not check signatures of reads, so that a forged one is refused is left to a real store)
    } finally {
      await store.close?.()
    }
  })
})

describe('随手拍 photos in the bucket', () => {
  it('a report with photos end to end: uploaded to S3, served through the signed link, swept from S3 when abandoned', async () => {
    const t = await reportsApp({ storage: s3.config('linked') })
    try {
      const resident = await t.login(DEMO_ACCOUNTS.resident.phone)
      const photo = await jpeg('#aa3355', 80, 60)
      const up = await upload(t, resident, photo)
      expect(up.statusCode).toBe(201)
      const report = await submit(t, resident, { photoIds: [up.json().id] })
      expect(report.statusCode).toBe(201)
      const detail = (await t.as(resident, { method: 'GET', url: `/api/v1/reports/${report.json().id}` })).json()
      const served = await t.app.inject({ method: 'GET', url: detail.photos[0].url })
      expect(served.statusCode).toBe(200)
      expect(served.headers['content-type']).toBe('image/jpeg')
      const key = (await t.ctx.db.one<{ key: string }>('SELECT storage_key AS key FROM report_photos WHERE id = $1', [up.json().id]))!.key
      // what the link served is the object in the bucket (not a file of the data directory)
      const inBucket = await s3Storage(s3.config('linked')).get(key)
      expect(served.rawPayload.equals(await read(inBucket!.stream))).toBe(true)

      // an upload no report took within 24 h: the sweep removes its row and both objects from the bucket
      const lost = (await upload(t, resident)).json().id as string
      const keys = (await t.ctx.db.one<{ a: string; b: string }>('SELECT storage_key AS a, thumb_key AS b FROM report_photos WHERE id = $1', [lost]))!
      expect(await t.ctx.storage.get(keys.a)).not.toBeNull()
      await t.ctx.db.query(`UPDATE report_photos SET created_at = now() - interval '25 hours' WHERE id = $1`, [lost])
      expect(await sweepUnattachedPhotos(t.ctx)).toEqual({ photos: 1, files: 2, fileErrors: 0 })
      expect(await t.ctx.storage.get(keys.a)).toBeNull()
      expect(await t.ctx.storage.get(keys.b)).toBeNull()
      // the attached photo stays
      expect(await t.ctx.storage.get(key)).not.toBeNull()
    } finally {
      await t.close()
    }
  })

  it('with presign on, the signed photo link redirects to a presigned GET of the object', async () => {
    const t = await reportsApp({ storage: s3.config('linked', { presign: true }) })
    try {
      const resident = await t.login(DEMO_ACCOUNTS.resident.phone)
      const up = (await upload(t, resident)).json()
      const res = await t.app.inject({ method: 'GET', url: up.thumbUrl })
      expect(res.statusCode).toBe(302)
      const fetched = await fetch(res.headers.location as string)
      expect(fetched.status).toBe(200)
      expect((await fetched.arrayBuffer()).byteLength).toBeGreaterThan(100)
      // the app's own signature is still checked first
      expect((await t.app.inject({ method: 'GET', url: up.thumbUrl.replace(/sig=.{4}/, 'sig=AAAA') })).statusCode).toBe(403)
    } finally {
      await t.close()
    }
  })
})
