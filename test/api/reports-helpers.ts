import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import sharp from 'sharp'
import type { Config } from '../../server/config'
import { createTestApp, type TestApp } from '../helpers/app'

/** A point inside 幸福里社区 (329901001001). */
export const INSIDE = { lng: 118.71, lat: 32.005 }
export const COMMUNITY = '329901001001'

export async function reportsApp(config: Partial<Config> = {}, opts: { serveH5?: boolean } = {}): Promise<TestApp & { dataDir: string }> {
  process.env.OUTBOX_INTERVAL_MS = '0' // tests drive the outbox themselves
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'civiclink-reports-'))
  const t = await createTestApp({ config: { dataDir, ...config }, serveH5: opts.serveH5 })
  return {
    ...t,
    dataDir,
    close: async () => {
      await t.close()
      fs.rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

export function multipart(file: Buffer, filename: string, mime: string, field = 'file') {
  const boundary = `----civiclink${crypto.randomBytes(8).toString('hex')}`
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: ${mime}\r\n\r\n`),
    file,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ])
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } }
}

export const jpeg = (color = '#3366aa', w = 64, h = 48) =>
  sharp({ create: { width: w, height: h, channels: 3, background: color } }).jpeg().toBuffer()

export async function upload(t: TestApp, token: string, file?: Buffer, filename = 'photo.jpg', mime = 'image/jpeg') {
  const body = multipart(file ?? (await jpeg()), filename, mime)
  return t.as(token, { method: 'POST', url: '/api/v1/reports/photos', ...body })
}

export async function submit(t: TestApp, token: string, extra: Record<string, unknown> = {}, key?: string) {
  let photoIds = extra.photoIds as string[] | undefined
  if (!photoIds) {
    const up = await upload(t, token)
    if (up.statusCode !== 201) throw new Error(`upload failed: ${up.body}`)
    photoIds = [up.json().id]
  }
  return t.as(token, {
    method: 'POST',
    url: '/api/v1/reports',
    headers: key ? { 'idempotency-key': key } : {},
    payload: { categoryCode: 'littering', lng: INSIDE.lng, lat: INSIDE.lat, address: '幸福里 3 号楼旁', description: '垃圾堆在路边', anonymous: false, ...extra, photoIds },
  })
}

export const act = (t: TestApp, token: string, id: number, body: Record<string, unknown>) =>
  t.as(token, { method: 'POST', url: `/api/v1/reports/${id}/transitions`, payload: body })
