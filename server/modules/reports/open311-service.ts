import crypto from 'node:crypto'
import gcoord from 'gcoord'
import type { AppContext } from '../../context'
import { AppError, notFound } from '../../errors'
import { audit } from '../../lib/audit'
import type { Caller } from '../../lib/caller'
import { hashSecret } from '../../lib/tokens'
import type { RegionDirectory } from '../regions/directory'
import { STATE_LABELS, type Open311KeyInfo, type Open311KeyPatch, type ReportState } from '../../../types/reports'
import { OPEN_STATES, REPORT_STATES, isOpen } from '../../../types/report-lifecycle'
import { signPhoto } from './photos'
import { assertOffice } from './policy'
import * as q from './open311-queries'
import { insertEvent } from './queries'
import * as service from './service'

/**
 * Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) with FixMyStreet's servicerequestupdates, as
 * perllib/Open311.pm reads and posts them. The rules of the boundary live here:
 *  - coordinates are WGS-84 outside, GCJ-02 inside (converted both ways);
 *  - what is public: without a key with read access, coordinates are rounded (OPEN311_PUBLIC_COORD_DECIMALS), the
 *    address is the community's name and there are no photos (OPEN311_PUBLIC_PHOTOS); photos are signed links that expire;
 *  - a held report (content check) does not exist for Open311, in any resource;
 *  - statuses are open/closed, or FixMyStreet's extended statuses for a key that asks for them.
 */

/** An Open311 error: the protocol's status and an English description (clients log it). */
export class Open311Error extends Error {
  constructor(readonly status: number, message: string) {
    super(message)
  }
}

export type Key = q.KeyRow

// ---------- statuses
/** FixMyStreet's extended statuses (map_state in perllib/Open311.pm); README lists the mapping. */
export const EXTENDED_STATUS: Record<ReportState, string> = {
  submitted: 'OPEN',
  accepted: 'INVESTIGATING',
  dispatched: 'ACTION_SCHEDULED',
  rectified: 'IN_PROGRESS',
  closed: 'FIXED',
  closed_not_fixed: 'NO_FURTHER_ACTION',
  rejected: 'NOT_COUNCILS_RESPONSIBILITY',
  merged: 'DUPLICATE',
}

export function statusOf(state: string, key: Key | null): string {
  if (key?.extendedStatuses) return EXTENDED_STATUS[state as ReportState] ?? 'OPEN'
  return isOpen(state) ? 'open' : 'closed'
}

/** The states a status word names: open, closed, or an extended status (any case, FixMyStreet sends upper case). */
function statesOf(word: string): ReportState[] | null {
  const w = word.trim().toUpperCase().replace(/ /g, '_')
  if (w === 'OPEN') return [...OPEN_STATES]
  if (w === 'CLOSED') return REPORT_STATES.filter((s) => !isOpen(s))
  const hit = REPORT_STATES.filter((s) => EXTENDED_STATUS[s] === w)
  return hit.length ? hit : null
}
const STATUS_WORDS = ['open', 'closed', ...new Set(Object.values(EXTENDED_STATUS))].join(', ')

// ---------- parameters
/** Query string or form body: a repeated parameter arrives as an array. */
export type Params = Record<string, unknown>

const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/** One text parameter: '' reads as absent; too long or unprintable is refused, never cut. */
function text(params: Params, name: string, max: number): string | undefined {
  let v = params[name]
  if (Array.isArray(v)) v = v[0]
  if (v === undefined || v === null) return undefined
  const s = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : null
  if (s === null) throw new Open311Error(400, `${name} must be text`)
  if (s.trim() === '') return undefined
  if (CONTROL.test(s) || LONE_SURROGATE.test(s)) throw new Open311Error(400, `${name} contains characters that are not allowed (control characters or broken Unicode)`)
  if ([...s].length > max) throw new Open311Error(400, `${name} is longer than ${max} characters`)
  return s
}

function ids(params: Params, name: string): number[] | undefined {
  const v = text(params, name, 20_000)
  if (v === undefined) return undefined
  const list = v.split(',').map((s) => s.trim())
  if (!list.every((s) => /^\d{1,15}$/.test(s))) throw new Open311Error(400, `${name} must be a comma-separated list of numbers`)
  return list.map(Number)
}

const W3C = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2}))?$/

/**
 * A W3C date-time (ISO 8601 profile), checked as a real date: 2026-02-31, year 0 or 9999-99-99 are refused instead of
 * rolled over. A date alone is that day in Asia/Shanghai; as an end it includes the whole day.
 */
export function parseW3cDate(name: string, v: string, end = false): Date {
  const m = W3C.exec(v)
  const bad = () => new Open311Error(400, `${name} must be a real W3C date-time such as 2026-03-01T08:00:00+08:00 (got ${v})`)
  if (!m) throw bad()
  const [year, month, day, hour = 0, minute = 0, second = 0] = [m[1], m[2], m[3], m[4], m[5], m[6]].map((x) => (x === undefined ? undefined : Number(x))) as number[]
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate()
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > days || hour > 23 || minute > 59 || second > 59) throw bad()
  let offsetMin = 8 * 60
  if (m[8] === 'Z') offsetMin = 0
  else if (m[8]) {
    const [oh, om] = m[8].slice(1).split(':').map(Number)
    if (oh > 14 || om > 59) throw bad()
    offsetMin = (m[8][0] === '-' ? -1 : 1) * (oh * 60 + om)
  }
  const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0
  const t = new Date(0)
  t.setUTCFullYear(year, month - 1, day)
  t.setUTCHours(hour, minute, second, ms)
  let at = t.getTime() - offsetMin * 60_000
  if (end && !m[4]) at += 86400_000 - 1
  return new Date(at)
}

/** start_date..end_date; without a start, the defaultDays before the end (or now); without an end, no end. */
function dateRange(params: Params, defaultDays: number): { from: Date; to?: Date } {
  const s = text(params, 'start_date', 40)
  const e = text(params, 'end_date', 40)
  const to = e ? parseW3cDate('end_date', e, true) : undefined
  const from = s ? parseW3cDate('start_date', s) : new Date((to?.getTime() ?? Date.now()) - defaultDays * 86400_000)
  if (to && from > to) throw new Open311Error(400, 'start_date must not be after end_date')
  return { from, to }
}

/** W3C date-time in UTC, whole seconds (what DateTime::Format::W3CDTF writes and reads). */
const w3c = (d: Date | string) => new Date(d).toISOString().replace(/\.\d{3}Z$/, 'Z')

// ---------- keys
/** The key of a request, or null when none is sent (an anonymous read); a wrong or revoked key is refused. */
export async function keyOf(ctx: AppContext, params: Params): Promise<Key | null> {
  const apiKey = text(params, 'api_key', 200)
  if (!apiKey) return null
  const key = await q.keyByHash(ctx.db, hashSecret(apiKey))
  if (!key) throw new Open311Error(403, 'api_key is invalid or revoked')
  return key
}

/** Writes need a key: the spec answers a missing one with 403 as well. */
export async function requireKey(ctx: AppContext, params: Params): Promise<Key> {
  const key = await keyOf(ctx, params)
  if (!key) throw new Open311Error(403, 'api_key is required to write: ask the campaign office (创文办) for one')
  return key
}

// ---------- key administration (the office)
const keyInfo = (k: q.KeyInfoRow): Open311KeyInfo => ({
  ...k, createdAt: new Date(k.createdAt).toISOString(), revokedAt: k.revokedAt ? new Date(k.revokedAt).toISOString() : null,
})

export async function createKey(ctx: AppContext, caller: Caller, body: { name: string; readPrivate?: boolean; extendedStatuses?: boolean }) {
  assertOffice(caller)
  const apiKey = `o311_${crypto.randomBytes(24).toString('base64url')}`
  const name = body.name.trim()
  return ctx.db.transaction(async (tx) => {
    const k = (await q.insertKey(tx, { name, keyHash: hashSecret(apiKey), createdBy: caller.userId, readPrivate: body.readPrivate ?? false, extendedStatuses: body.extendedStatuses ?? false }))!
    await audit(tx, caller.userId, 'open311.key.create', `open311_key:${k.id}`, { name, accountId: k.accountId, readPrivate: k.readPrivate, extendedStatuses: k.extendedStatuses })
    return { ...keyInfo(k), apiKey }
  })
}

export async function listKeys(ctx: AppContext, caller: Caller) {
  assertOffice(caller)
  return { items: (await q.listKeys(ctx.db)).map(keyInfo) }
}

export async function updateKey(ctx: AppContext, caller: Caller, id: number, patch: Open311KeyPatch) {
  assertOffice(caller)
  return ctx.db.transaction(async (tx) => {
    const k = await q.updateKey(tx, id, { readPrivate: patch.readPrivate ?? null, extendedStatuses: patch.extendedStatuses ?? null, revoke: patch.revoked === true })
    if (!k) throw notFound('OPEN311_KEY_NOT_FOUND', '没有这个 Open311 key')
    await audit(tx, caller.userId, 'open311.key.update', `open311_key:${id}`, patch)
    return keyInfo(k)
  })
}

// ---------- coordinates and privacy
const round = (v: number, decimals: number) => Number(v.toFixed(decimals))
export function toGcj02(lng: number, lat: number): [number, number] {
  const [x, y] = gcoord.transform([lng, lat], gcoord.WGS84, gcoord.GCJ02)
  return [x, y]
}
export function toWgs84(lng: number, lat: number): [number, number] {
  const [x, y] = gcoord.transform([lng, lat], gcoord.GCJ02, gcoord.WGS84)
  return [x, y]
}

interface Reader {
  key: Key | null
  private: boolean
  photos: boolean
  decimals: number
}
function reader(ctx: AppContext, key: Key | null): Reader {
  const priv = Boolean(key?.readPrivate)
  return { key, private: priv, photos: priv || ctx.config.open311Public.photos, decimals: priv ? 6 : ctx.config.open311Public.coordDecimals }
}

function photoLink(ctx: AppContext, who: Reader, photoId: string | null, external: string | null): string | null {
  if (!who.photos) return null
  if (photoId) return `${ctx.config.publicBaseUrl}/api/v1/photos/${photoId}?${signPhoto(ctx.config.photoLinks, photoId)}`
  return external
}

/** Street and community: what an anonymous reader learns of the place instead of the reporter's address. */
const areaName = (dir: RegionDirectory, communityCode: string) =>
  dir.chain(communityCode).filter((r) => r.level !== 'city').map((r) => r.name).join(' ') || communityCode

function requestView(ctx: AppContext, dir: RegionDirectory, who: Reader, r: q.RequestRow) {
  const [lng, lat] = toWgs84(r.lng, r.lat)
  return {
    service_request_id: String(r.id),
    status: statusOf(r.state, who.key),
    status_notes: `${STATE_LABELS[r.state as ReportState]} (${r.state})`,
    service_name: r.categoryName,
    service_code: r.categoryCode,
    description: r.description,
    agency_responsible: r.department,
    service_notice: null,
    requested_datetime: w3c(r.createdAt),
    updated_datetime: w3c(r.updatedAt),
    expected_datetime: w3c(r.dueAt),
    address: who.private ? r.address : areaName(dir, r.communityCode),
    address_id: null,
    zipcode: null,
    lat: round(lat, who.decimals),
    long: round(lng, who.decimals),
    media_url: photoLink(ctx, who, r.photoId, r.mediaUrl),
  }
}

// ---------- services
export async function services(ctx: AppContext) {
  const cats = await service.listCategories(ctx)
  return cats.map((c) => ({
    service_code: c.code,
    service_name: c.name,
    description: `${c.name}（处置时限 ${c.slaHours} 小时，责任部门：${c.department}）`,
    metadata: false,
    type: 'realtime',
    keywords: c.icon,
    group: '随手拍',
  }))
}

export async function serviceDefinition(ctx: AppContext, code: string) {
  if (!(await service.listCategories(ctx)).some((c) => c.code === code)) throw new Open311Error(404, `service_code not found: ${code}`)
  return { service_code: code, attributes: [] }
}

// ---------- requests
const MAX_ROWS = 1000

export async function listRequests(ctx: AppContext, params: Params) {
  const who = reader(ctx, await keyOf(ctx, params))
  const byId = ids(params, 'service_request_id')
  let f: q.RequestFilter
  if (byId) {
    f = { ids: byId }
  } else {
    // the spec's default window: the last 90 days
    const { from, to } = dateRange(params, 90)
    f = { from, to }
    const codes = text(params, 'service_code', 2000)
    if (codes) f.categoryCodes = codes.split(',').map((s) => s.trim())
    const status = text(params, 'status', 500)
    if (status) {
      const wanted = new Set<string>()
      for (const word of status.split(',')) {
        const states = statesOf(word)
        if (!states) throw new Open311Error(400, `status must be one of ${STATUS_WORDS} (got ${word})`)
        states.forEach((s) => wanted.add(s))
      }
      f.states = [...wanted]
    }
  }
  const [rows, dir] = await Promise.all([q.requests(ctx.db, f, MAX_ROWS), ctx.regions.get()])
  return rows.map((r) => requestView(ctx, dir, who, r))
}

const numericId = (name: string, v: string) => {
  if (!/^\d{1,15}$/.test(v)) throw new Open311Error(404, `${name} not found: ${v}`)
  return Number(v)
}

export async function getRequest(ctx: AppContext, id: string, params: Params) {
  const who = reader(ctx, await keyOf(ctx, params))
  const rows = await q.requests(ctx.db, { ids: [numericId('service request', id)] }, 1)
  if (!rows.length) throw new Open311Error(404, `service request not found: ${id}`)
  const dir = await ctx.regions.get()
  return rows.map((r) => requestView(ctx, dir, who, r))
}

/** Requests are created at once, so the token is the request id; a held report is not confirmed. */
export async function token(ctx: AppContext, tokenId: string) {
  const row = await q.publicReportExists(ctx.db, numericId('token', tokenId))
  if (!row) throw new Open311Error(404, `token not found: ${tokenId}`)
  return [{ service_request_id: String(row.id), token: tokenId }]
}

/** The spec's limit on description: longer ones are refused, never cut (FixMyStreet appends the report's URL at the end). */
export const MAX_DESCRIPTION = 4000
const MEDIA_URL = /^https?:\/\/\S+$/

function submitter(params: Params) {
  const email = text(params, 'email', 254) ?? null
  if (email && !/^[^\s@]+@[^\s@]+$/.test(email)) throw new Open311Error(400, 'email is not an e-mail address')
  return { firstName: text(params, 'first_name', 100) ?? null, lastName: text(params, 'last_name', 100) ?? null, email, phone: text(params, 'phone', 40) ?? null }
}

function mediaUrl(params: Params): string | null {
  const v = text(params, 'media_url', 500)
  if (v && !MEDIA_URL.test(v)) throw new Open311Error(400, 'media_url must be an http(s) URL')
  return v ?? null
}

function coordinate(params: Params, name: 'lat' | 'long', limit: number): number | undefined {
  const v = text(params, name, 40)
  if (v === undefined) return undefined
  const n = Number(v)
  if (!/^[-+]?\d+(\.\d+)?$/.test(v.trim()) || Math.abs(n) > limit) throw new Open311Error(400, `${name} must be a decimal degree between -${limit} and ${limit} (WGS-84)`)
  return n
}

export async function createRequest(ctx: AppContext, params: Params) {
  const key = await requireKey(ctx, params)
  const code = text(params, 'service_code', 40)
  if (!code) throw new Open311Error(400, 'service_code is required')
  if (!(await service.listCategories(ctx)).some((c) => c.code === code)) throw new Open311Error(404, `service_code not found: ${code}`)
  const lat = coordinate(params, 'lat', 90)
  const lng = coordinate(params, 'long', 180)
  if (lat === undefined || lng === undefined) {
    const sent = ['address_string', 'address_id'].filter((n) => text(params, n, 500) !== undefined)
    throw new Open311Error(400, sent.length
      ? `lat and long are required: this server places a request by its WGS-84 coordinates and cannot look up ${sent.join(' or ')}`
      : 'lat and long are required (WGS-84 decimal degrees)')
  }
  const description = text(params, 'description', MAX_DESCRIPTION) ?? ''
  const address = text(params, 'address_string', 500)
  const media = mediaUrl(params)
  const person = submitter(params)
  const [gLng, gLat] = toGcj02(lng, lat)
  let created
  try {
    created = await service.submitFromOpen311(
      ctx,
      key.accountId,
      { categoryCode: code, photoIds: [], lng: gLng, lat: gLat, address: address ?? `${lat.toFixed(6)},${lng.toFixed(6)}`, description, anonymous: false },
      {
        mediaUrl: media,
        alongside: person.firstName || person.lastName || person.email || person.phone
          ? (tx, reportId) => q.insertSubmitter(tx, { reportId, keyId: key.id, ...person })
          : undefined,
      },
    )
  } catch (err) {
    if (err instanceof AppError && err.code === 'OUTSIDE_CITY') throw new Open311Error(400, 'the location (lat/long) is outside the city')
    throw err
  }
  const id = created.id
  return [{ service_request_id: String(id), service_notice: created.held ? '待人工审核后公开' : null, account_id: String(key.accountId) }]
}

// ---------- updates (the 台账)
/** The 台账 entries a city system sees as updates: changes of state and comments, not "+1", ratings or reviews. */
export const UPDATE_ACTIONS = ['accept', 'reject', 'merge', 'dispatch', 'rectify', 'close', 'close_not_fixed', 'reopen', 'comment'] as const

export async function listUpdates(ctx: AppContext, params: Params) {
  const who = reader(ctx, await keyOf(ctx, params))
  // FixMyStreet asks for the last hours with both dates, or for none (then: the last day)
  const { from, to } = dateRange(params, 1)
  const rows = await q.updates(ctx.db, UPDATE_ACTIONS, from, to, ids(params, 'service_request_id'), MAX_ROWS)
  return rows.map((e) => {
    const label = service.ACTION_LABELS[e.action] ?? e.action
    return {
      update_id: String(e.id),
      service_request_id: String(e.reportId),
      status: statusOf(e.state, who.key),
      updated_datetime: w3c(e.createdAt),
      description: e.note ? (e.action === 'comment' ? e.note : `${label}：${e.note}`) : label,
      media_url: photoLink(ctx, who, e.photoId, e.mediaUrl),
      external_status_code: e.state,
    }
  })
}

/**
 * A comment from a city system (post_service_request_update): a 台账 entry of its own; the report's state stays
 * with the workers who handle it. The status and time the client sends, and its person, are kept with the entry
 * (staff-only). The client's update_id makes a retry answer the same update instead of adding it twice.
 */
export async function postUpdate(ctx: AppContext, params: Params) {
  const key = await requireKey(ctx, params)
  const rid = text(params, 'service_request_id', 20)
  if (!rid) throw new Open311Error(400, 'service_request_id is required')
  const reportId = numericId('service request', rid)
  const description = text(params, 'description', MAX_DESCRIPTION)
  if (!description) throw new Open311Error(400, 'description is required')
  const externalId = text(params, 'update_id', 100)
  const status = text(params, 'status', 40)
  if (status && !statesOf(status)) throw new Open311Error(400, `status must be one of ${STATUS_WORDS} (got ${status})`)
  const sentAt = text(params, 'updated_datetime', 40)
  if (sentAt) parseW3cDate('updated_datetime', sentAt)
  const media = mediaUrl(params)
  const person = submitter(params)
  const existing = async () => (externalId ? q.updateByExternalId(ctx.db, key.id, externalId) : undefined)
  const before = await existing()
  if (before) return [{ update_id: String(before.eventId) }]
  try {
    const eventId = await ctx.db.transaction(async (tx) => {
      // locks the report: a comment never lands on a report being held or merged at the same moment unseen
      const r = await q.sharePublicReport(tx, reportId)
      if (!r) throw new Open311Error(404, `service request not found: ${rid}`)
      const ev = await insertEvent(tx, {
        reportId, actorId: key.accountId, actorRole: 'open311', action: 'comment', note: description,
        detail: { status: status ?? null, updatedDatetime: sentAt ?? null, updateId: externalId ?? null, mediaUrl: media, submitter: person },
      })
      await q.touchReport(tx, reportId)
      if (externalId) await q.insertUpdateId(tx, key.id, externalId, ev!.id)
      return ev!.id
    })
    return [{ update_id: String(eventId) }]
  } catch (err) {
    // the same update_id posted twice at once: the first one made the entry
    if ((err as { code?: string }).code === '23505') {
      const again = await existing()
      if (again) return [{ update_id: String(again.eventId) }]
    }
    throw err
  }
}
