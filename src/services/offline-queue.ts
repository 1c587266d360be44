import Taro from '@tarojs/taro'
import type { ReportDetail, SubmitReportBody } from '@contract/reports'
import { ApiError, newIdempotencyKey } from './api'
import { isNetworkFailure, submitReport, uploadPhoto } from './reports'

/**
 * 随手拍 drafts that could not be sent (no network). Each draft keeps the Idempotency-Key it was created
 * with, the ids of the photos already uploaded and, for the others, their local paths. They are sent again
 * when the network comes back, when the app is shown, and when the 随手拍 list is shown — always with the
 * same key, so the server stores a report once however often it is sent.
 */

export const DRAFTS_KEY = 'civiclink.reports.drafts'

export interface DraftPhoto {
  /** Local file (temp or saved path): needed until the report is sent (an uploaded photo may have to go again). */
  localPath: string
  /** localPath is a copy in the mini-program's saved files (10 MB in all): removed when the draft is sent or dropped. */
  saved?: boolean
  photoId?: string
  thumbUrl?: string
}

export interface ReportDraft {
  /** The Idempotency-Key, generated once per draft. */
  key: string
  createdAt: string
  categoryCode: string
  categoryName: string
  lng: number
  lat: number
  address: string
  description: string
  anonymous: boolean
  photos: DraftPhoto[]
  /** queued: waits for the network; failed: the server refused it (lastError says why). */
  status: 'queued' | 'failed'
  lastError?: string
}

export function newDraftKey(): string {
  return newIdempotencyKey()
}

export function listDrafts(): ReportDraft[] {
  try {
    const raw = Taro.getStorageSync(DRAFTS_KEY)
    const list = typeof raw === 'string' && raw ? JSON.parse(raw) : Array.isArray(raw) ? raw : []
    return Array.isArray(list) ? (list as ReportDraft[]) : []
  } catch {
    return []
  }
}

function writeDrafts(list: ReportDraft[]): void {
  try {
    Taro.setStorageSync(DRAFTS_KEY, JSON.stringify(list))
  } catch {
    // storage full or unavailable: nothing more we can do here
  }
  listeners.forEach((l) => l(list))
}

export function saveDraft(draft: ReportDraft): void {
  const list = listDrafts().filter((d) => d.key !== draft.key)
  list.push(draft)
  writeDrafts(list)
}

/** Drops a draft (sent, or given up) and the saved copies of its photos. */
export function removeDraft(key: string): void {
  const list = listDrafts()
  for (const d of list.filter((x) => x.key === key)) releaseFiles(d)
  writeDrafts(list.filter((d) => d.key !== key))
}

function releaseFiles(d: ReportDraft): void {
  for (const p of d.photos) {
    if (p.saved) Promise.resolve(Taro.removeSavedFile({ filePath: p.localPath } as any)).catch(() => undefined)
  }
}

type Listener = (drafts: ReportDraft[]) => void
const listeners = new Set<Listener>()
/** Called whenever the drafts change (queued, sent, dropped). Returns the unsubscribe function. */
export function onDraftsChange(l: Listener): () => void {
  listeners.add(l)
  return () => listeners.delete(l)
}

export type SendOutcome = { kind: 'sent'; report: ReportDetail } | { kind: 'queued' } | { kind: 'failed'; error: ApiError }

/** Keeps a temp file across restarts of the mini-program (weapp only; best effort). */
async function persistFile(path: string): Promise<string> {
  if (process.env.TARO_ENV !== 'weapp' || !/^(wxfile|http:\/\/tmp)/.test(path)) return path
  try {
    const res = await Taro.saveFile({ tempFilePath: path } as any)
    return (res as any).savedFilePath || path
  } catch {
    return path
  }
}

/**
 * Sends one draft: uploads the photos that have no id yet, then submits with the draft's key.
 * On a network failure the draft (with what was uploaded so far) is stored as 待发送; on a refusal it is
 * stored as failed; on success it is removed.
 */
export async function sendDraft(
  draft: ReportDraft,
  opts: { onPhotoProgress?: (index: number, percent: number) => void; keepOnRefusal?: boolean; reuploading?: boolean } = {},
): Promise<SendOutcome> {
  const { onPhotoProgress, keepOnRefusal = true } = opts
  const d: ReportDraft = { ...draft, photos: draft.photos.map((p) => ({ ...p })) }
  try {
    for (let i = 0; i < d.photos.length; i++) {
      const p = d.photos[i]
      if (p.photoId) continue
      const view = await uploadPhoto(p.localPath, (pct) => onPhotoProgress?.(i, pct))
      p.photoId = view.id
      p.thumbUrl = view.thumbUrl
    }
    const body: SubmitReportBody = {
      categoryCode: d.categoryCode,
      photoIds: d.photos.map((p) => p.photoId!),
      lng: d.lng,
      lat: d.lat,
      address: d.address,
      description: d.description,
      anonymous: d.anonymous,
    }
    const report = await submitReport(body, d.key)
    if (listDrafts().some((x) => x.key === d.key)) removeDraft(d.key)
    return { kind: 'sent', report }
  } catch (e) {
    const error = e instanceof ApiError ? e : new ApiError('CLIENT_ERROR', e instanceof Error ? e.message : '发送失败', 0)
    if (error.status === 401) return { kind: 'failed', error } // signed out: keep nothing new, the login page is shown
    if (isNetworkFailure(error)) {
      // every photo, uploaded or not: an unused upload is cleared on the server after a day, and then goes again
      for (const p of d.photos) {
        if (p.saved) continue
        const path = await persistFile(p.localPath)
        if (path !== p.localPath) Object.assign(p, { localPath: path, saved: true })
      }
      saveDraft({ ...d, status: 'queued', lastError: undefined })
      return { kind: 'queued' }
    }
    if (error.code === 'PHOTO_NOT_FOUND') {
      // an uploaded photo is gone on the server (cleared while the draft waited): upload them again, once
      for (const p of d.photos) p.photoId = undefined
      if (!opts.reuploading) return sendDraft(d, { ...opts, reuploading: true })
    }
    if (keepOnRefusal) saveDraft({ ...d, status: 'failed', lastError: error.message })
    else if (listDrafts().some((x) => x.key === d.key)) removeDraft(d.key)
    return { kind: 'failed', error }
  }
}

let flushing: Promise<number> | null = null

/** Re-sends every queued draft (one at a time; a single run at once). Resolves with how many were sent. */
export function flushDrafts(): Promise<number> {
  if (flushing) return flushing
  flushing = (async () => {
    let sent = 0
    for (const d of listDrafts()) {
      if (d.status !== 'queued') continue
      const r = await sendDraft(d)
      if (r.kind === 'sent') sent++
      else if (r.kind === 'queued') break // still offline: try again later
    }
    return sent
  })().finally(() => {
    flushing = null
  })
  return flushing
}

let installed = false

/** Listens for the network coming back and for the app being shown, and re-sends drafts then. Idempotent. */
export function installOfflineSync(): void {
  if (installed) return
  installed = true
  const kick = () => {
    if (listDrafts().some((d) => d.status === 'queued')) void flushDrafts().then((n) => n > 0 && notifySent(n))
  }
  try {
    Taro.onNetworkStatusChange((res) => {
      if (res.isConnected) kick()
    })
  } catch {
    // not available on this platform
  }
  try {
    Taro.onAppShow(() => kick())
  } catch {
    // not available on this platform
  }
}

function notifySent(n: number): void {
  Taro.showToast({ title: n > 1 ? `${n} 条待发送的随手拍已提交` : '待发送的随手拍已提交', icon: 'none', duration: 2500 }).catch(() => undefined)
}
