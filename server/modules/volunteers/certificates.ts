import crypto from 'node:crypto'
import type { AppContext } from '../../context'
import { conflict, forbidden, notFound } from '../../errors'
import { audit } from '../../lib/audit'
import type { Caller } from '../../lib/caller'
import { loadQRCode, loadSharp } from '../../lib/lazy-packages'
import { cursorCodec } from '../../lib/cursor'
import type { RegionDirectory } from '../regions/directory'
import {
  ACTIVITY_TYPES, starLevel, type CertificateCheck, type CertificateImage, type CertificateList, type CertificateView,
} from '../../../types/volunteers'
import { assertManagesVolunteer } from './policy'
import * as q from './queries'

/**
 * 志愿服务证书. Issuing one writes a snapshot of the ledger (total, services, the activities with the most time) under
 * a random number; the image is drawn from that row whenever asked (an SVG composed and rasterised by sharp, with
 * the QR code of the public verification page). Anyone with the number may verify it and sees the family name's
 * first character, the hours and the issuer — nothing that finds the person.
 */

// Crockford's base 32 (no I, L, O, U): read aloud or typed from paper without confusion
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
const shanghai = (d: Date) => new Date(d.getTime() + 8 * 3600_000)

/** ZY + issue month + 50 random bits: ~10^15 numbers per month, so walking the public page finds nothing. */
export function newCertificateNumber(now = new Date()): string {
  const bytes = crypto.randomBytes(10)
  let tail = ''
  for (const b of bytes) tail += ALPHABET[b & 31]
  return `ZY${shanghai(now).toISOString().slice(0, 7).replace('-', '')}${tail}`
}

/** 王** — the first character, then one asterisk for each of the others (at least one). */
export function maskName(name: string | null): string | null {
  if (!name) return null
  const chars = [...name.trim()]
  return chars[0] + '*'.repeat(Math.max(1, chars.length - 1))
}

export const verifyUrl = (ctx: AppContext, number: string) =>
  `${ctx.config.publicBaseUrl}/#/packages/volunteers/pages/verify/index?no=${number}`

const hours = (minutes: number) => Math.round((minutes / 60) * 10) / 10

/** The issuing body: the community with the district and street above it (鼓楼区和平街道幸福里社区). */
function issuerOf(dir: RegionDirectory, communityCode: string): string {
  return dir.chain(communityCode).filter((r) => r.level !== 'city').map((r) => r.name).join('')
}

function view(ctx: AppContext, c: q.CertificateRow): CertificateView {
  return {
    number: c.number, userId: c.userId, realName: c.realName, issuer: c.issuer, totalMinutes: c.totalMinutes, totalHours: hours(c.totalMinutes),
    services: c.services, issuedAt: new Date(c.issuedAt).toISOString(), verifyUrl: verifyUrl(ctx, c.number),
    activities: c.activities.map((a) => ({ title: a.title, typeLabel: ACTIVITY_TYPES[a.type] ?? a.type, minutes: a.minutes })),
  }
}

/**
 * Issues a certificate of the ledger as it stands; the volunteer from 我的志愿 or a worker of their community.
 * Asked again with the same total, the last one is handed back (a double tap makes no second number).
 */
export async function issueCertificate(ctx: AppContext, caller: Caller, userId: number): Promise<{ certificate: CertificateView; created: boolean }> {
  const dir = await ctx.regions.get()
  return ctx.db.transaction(async (tx) => {
    const v = await q.lockVolunteer(tx, userId)
    if (caller.userId !== userId) {
      if (!v) throw notFound('VOLUNTEER_NOT_FOUND', '没有这位志愿者')
      assertManagesVolunteer(dir, caller, v.communityCode)
    }
    if (!v || v.status === 'pending' || v.status === 'rejected') throw forbidden('NOT_VOLUNTEER', '只有志愿者可以申领志愿服务证书')
    if (v.status === 'suspended') throw forbidden('VOLUNTEER_SUSPENDED', '志愿者身份已暂停，暂不能申领证书')
    if (!v.realName) throw conflict('VOLUNTEER_ERASED', '该账号已注销，不能再开具证书')
    const facts = await q.certificateFacts(tx, userId)
    if (facts.total <= 0) throw conflict('NO_HOURS', '还没有记入的服务时长，完成一次志愿服务后再申领证书')
    const last = await q.latestCertificate(tx, userId)
    if (last && last.totalMinutes === facts.total && last.realName === v.realName) return { certificate: view(ctx, last), created: false }
    for (;;) {
      const row = await q.insertCertificate(tx, {
        number: newCertificateNumber(), userId, realName: v.realName, communityCode: v.communityCode, issuer: issuerOf(dir, v.communityCode),
        totalMinutes: facts.total, services: facts.services, activities: facts.activities, issuedBy: caller.userId,
      })
      if (!row) continue // the random number was taken: draw another
      await audit(tx, caller.userId, 'volunteer.certificate.issue', `user:${userId}`, { number: row.number, totalMinutes: row.totalMinutes })
      return { certificate: view(ctx, row), created: true }
    }
  })
}

const listCursor = cursorCodec('id')

export async function certificatesOf(ctx: AppContext, caller: Caller, userId: number, cursor: string | undefined, limit: number): Promise<CertificateList> {
  if (caller.userId !== userId) {
    const v = await q.volunteerByUser(ctx.db, userId)
    if (!v) throw notFound('VOLUNTEER_NOT_FOUND', '没有这位志愿者')
    assertManagesVolunteer(await ctx.regions.get(), caller, v.communityCode)
  }
  const before = listCursor.decode(cursor)
  const rows = await q.certificatesOf(ctx.db, userId, before?.[0] ?? null, limit + 1)
  const page = rows.slice(0, limit)
  return { items: page.map((r) => view(ctx, r)), nextCursor: rows.length > limit ? listCursor.encode([page[page.length - 1].id]) : null }
}

/** The holder or a worker of the community the certificate was issued in. */
async function ownCertificate(ctx: AppContext, caller: Caller, number: string) {
  const c = await q.certificateByNumber(ctx.db, number)
  if (!c) throw notFound('CERTIFICATE_NOT_FOUND', '没有这个编号的证书')
  if (c.userId !== caller.userId) assertManagesVolunteer(await ctx.regions.get(), caller, c.communityCode)
  return c
}

export async function certificateImage(ctx: AppContext, caller: Caller, number: string): Promise<CertificateImage> {
  const c = await ownCertificate(ctx, caller, number)
  const png = await renderCertificate(view(ctx, c))
  return { number, width: WIDTH, height: HEIGHT, dataUrl: `data:image/png;base64,${png.toString('base64')}` }
}

/** Public: by number only; a number that does not exist and one that is malformed say the same. */
export async function checkCertificate(ctx: AppContext, number: string): Promise<CertificateCheck> {
  const c = await q.certificateByNumber(ctx.db, number)
  if (!c) throw notFound('CERTIFICATE_NOT_FOUND', '没有这个编号的证书，请核对编号')
  return { number: c.number, maskedName: maskName(c.realName), totalHours: hours(c.totalMinutes), issuer: c.issuer, issuedAt: new Date(c.issuedAt).toISOString() }
}

// ───────────── the image ─────────────

const WIDTH = 900
const HEIGHT = 1270
const QR_SIZE = 220
const FONT = `'Noto Serif CJK SC', 'Noto Sans CJK SC', 'Source Han Serif SC', 'WenQuanYi Micro Hei', serif`

const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`)

/** Lines of at most `width` full-width characters (an ASCII character counts half). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = []
  let line = ''
  let w = 0
  for (const ch of text) {
    const cw = ch.charCodeAt(0) < 128 ? 0.5 : 1
    if (w + cw > width) {
      lines.push(line)
      line = ''
      w = 0
    }
    line += ch
    w += cw
  }
  if (line) lines.push(line)
  return lines
}

function svgOf(c: CertificateView): string {
  const issued = shanghai(new Date(c.issuedAt))
  const date = `${issued.getUTCFullYear()}年${issued.getUTCMonth() + 1}月${issued.getUTCDate()}日`
  const star = starLevel(c.totalMinutes).label
  const body = wrap(
    `${c.realName ?? ''}同志在文明城市创建志愿服务中累计服务 ${c.totalHours} 小时（${c.services} 次）${star ? `，达到${star}志愿者标准` : ''}。特发此证，以资鼓励。`,
    20,
  )
  const text = (x: number, y: number, s: string, size: number, extra = '') =>
    `<text x="${x}" y="${y}" font-family="${FONT}" font-size="${size}" ${extra}>${esc(s)}</text>`
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}">`,
    `<rect width="100%" height="100%" fill="#fffaf0"/>`,
    `<rect x="24" y="24" width="${WIDTH - 48}" height="${HEIGHT - 48}" fill="none" stroke="#b71c1c" stroke-width="6"/>`,
    `<rect x="40" y="40" width="${WIDTH - 80}" height="${HEIGHT - 80}" fill="none" stroke="#d4a017" stroke-width="2"/>`,
    text(WIDTH / 2, 170, '志愿服务证书', 72, 'fill="#b71c1c" font-weight="bold" text-anchor="middle" letter-spacing="8"'),
    text(WIDTH / 2, 220, 'CERTIFICATE OF VOLUNTEER SERVICE', 22, 'fill="#8d6e63" text-anchor="middle" letter-spacing="4"'),
    ...body.map((l, i) => text(110, 320 + i * 56, l, 34, 'fill="#212121"')),
  ]
  let y = 320 + body.length * 56 + 50
  parts.push(text(110, y, '主要服务活动', 28, 'fill="#b71c1c" font-weight="bold"'))
  y += 50
  for (const a of c.activities) {
    const lines = wrap(`${a.typeLabel} · ${a.title}`, 17)
    const line = lines.length > 1 ? `${[...lines[0]].slice(0, -1).join('')}…` : lines[0]
    parts.push(text(130, y, line, 26, 'fill="#424242"'), text(WIDTH - 110, y, `${hours(a.minutes)} 小时`, 26, 'fill="#424242" text-anchor="end"'))
    y += 42
  }
  const foot = HEIGHT - 300
  parts.push(
    // a long issuer is squeezed to end before the QR code
    text(110, foot, `颁发单位：${c.issuer}`, 26, `fill="#212121"${c.issuer.length > 12 ? ' textLength="440" lengthAdjust="spacingAndGlyphs"' : ''}`),
    text(110, foot + 48, `颁发日期：${date}`, 26, 'fill="#212121"'),
    text(110, foot + 96, `证书编号：${c.number}`, 26, 'fill="#212121"'),
    text(110, foot + 150, '扫描右侧二维码可查验证书真伪', 22, 'fill="#757575"'),
    `</svg>`,
  )
  return parts.join('\n')
}

/** The certificate as a PNG: the SVG rasterised, the verification QR code laid on it. */
export async function renderCertificate(c: CertificateView): Promise<Buffer> {
  const [QRCode, sharp] = await Promise.all([loadQRCode(), loadSharp()])
  const qr = await QRCode.toBuffer(c.verifyUrl, { type: 'png', width: QR_SIZE, margin: 1, errorCorrectionLevel: 'M' })
  return sharp(Buffer.from(svgOf(c)))
    .composite([{ input: qr, left: WIDTH - 110 - QR_SIZE, top: HEIGHT - 300 - 60 }])
    .png({ compressionLevel: 9, palette: true })
    .toBuffer()
}
