import Taro from '@tarojs/taro'
import type {
  CategoryList, DailyStats, HandlingOptions, MeTooResult, NearbyResult, PhotoView, RatingBody, ReportCategory, ReportDetail, ReportPage, ReportState,
  SubmitReportBody, TransitionBody, WorkPage, WorkQuery,
} from '@contract/reports'
import type { FlagBody, FlagResult, ModerationQueue, ReviewBody, ReviewResult } from '@contract/moderation'
import { api, ApiError, buildUrl, NETWORK_ERROR_MESSAGE } from './api'
import { downloadXlsx, type DownloadProgress } from './download'
import { API_BASE } from './config'
import { clearSession, getToken, goToLogin } from './session'

/** 随手拍 API (types/reports.ts). Paths under /api/v1. */

export const STATE_TEXT: Record<ReportState, string> = {
  submitted: '待受理',
  accepted: '已受理',
  dispatched: '处置中',
  rectified: '已整改待核查',
  closed: '已销号',
  closed_not_fixed: '已关闭（未解决）',
  rejected: '不予受理',
  merged: '已合并',
}

/** NutUI Tag type per state. */
export function stateTagType(state: ReportState): 'primary' | 'success' | 'warning' | 'danger' | 'default' | 'info' {
  switch (state) {
    case 'submitted':
      return 'warning'
    case 'accepted':
    case 'dispatched':
      return 'primary'
    case 'rectified':
      return 'info'
    case 'closed':
      return 'success'
    case 'closed_not_fixed':
    case 'rejected':
      return 'danger'
    default:
      return 'default'
  }
}

/** Photo URLs come relative to the API origin. */
export function photoUrl(url: string | null | undefined): string {
  if (!url) return ''
  return /^https?:\/\//.test(url) ? url : `${API_BASE}${url}`
}

let categoriesCache: ReportCategory[] | undefined
export async function listCategories(): Promise<ReportCategory[]> {
  if (categoriesCache) return categoriesCache
  const res = await api.get<CategoryList>('/reports/categories', undefined, { silent: true })
  categoriesCache = res.items
  return res.items
}

export const nearbyReports = (categoryCode: string, lng: number, lat: number) =>
  api.get<NearbyResult>('/reports/nearby', { categoryCode, lng, lat }, { silent: true, maxRetries: 1 })

export const meToo = (id: number) => api.post<MeTooResult>(`/reports/${id}/metoo`, undefined, { silent: true })

/** Submits a report. `key` is the draft's Idempotency-Key: the same key for every attempt of one draft. */
export const submitReport = (body: SubmitReportBody, key: string) =>
  api.post<ReportDetail>('/reports', body, { idempotencyKey: key, silent: true })

export const myReports = (cursor?: string) => api.get<ReportPage>('/reports/mine', { cursor, limit: 20 }, { silent: true })
export const getReport = (id: number | string) => api.get<ReportDetail>(`/reports/${id}`, undefined, { silent: true })
export const handlingOptions = (id: number | string) => api.get<HandlingOptions>(`/reports/${id}/handling-options`, undefined, { silent: true })
export const transition = (id: number, body: TransitionBody) => api.post<ReportDetail>(`/reports/${id}/transitions`, body, { silent: true })
export const rateReport = (id: number, body: RatingBody) => api.post<ReportDetail>(`/reports/${id}/rating`, body, { silent: true })
export const workList = (q: WorkQuery) =>
  api.get<WorkPage>('/reports/work', q as Record<string, string | number | boolean | undefined>, { silent: true })

/** 每日统计: new / closed / overdue per day and community (Beijing dates, YYYY-MM-DD; at most 92 days). */
export const dailyStats = (from: string, to: string) => api.get<DailyStats>('/reports/stats/daily', { from, to }, { silent: true })

/** The filters of the 问题台账 export (those of the 工单 list, without paging). */
export type LedgerQuery = Omit<WorkQuery, 'cursor' | 'limit'>

/** Downloads the 问题台账 (.xlsx) and hands it to the user (services/download.ts), with progress. */
export function exportLedger(q: LedgerQuery, onProgress?: (p: DownloadProgress) => void): Promise<void> {
  const day = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10)
  return downloadXlsx(buildUrl('/reports/export.xlsx', q as Record<string, string | number | boolean | undefined>), `问题台账-${day}.xlsx`, onProgress)
}

/** True when the failure means "no network / no answer", i.e. worth keeping as a draft to send later. */
export function isNetworkFailure(e: unknown): boolean {
  if (e instanceof ApiError) return e.status === 0 || e.code === 'IDEMPOTENCY_IN_PROGRESS' || e.status === 502 || e.status === 503 || e.status === 504
  return true
}

/**
 * Uploads one photo (multipart field "file") with the bearer token; `onProgress` gets 0–100.
 * Rejects with ApiError (status 0 for a network failure, the server's code otherwise).
 */
export function uploadPhoto(filePath: string, onProgress?: (percent: number) => void): Promise<PhotoView> {
  const header: Record<string, string> = {}
  const token = getToken()
  if (token) header.Authorization = `Bearer ${token}`
  const file = localFiles.get(filePath)
  if (process.env.TARO_ENV === 'h5' && file) return uploadBlob(file, header, onProgress)
  return new Promise<PhotoView>((resolve, reject) => {
    let task: any
    try {
      task = Taro.uploadFile({
        url: buildUrl('/reports/photos'),
        filePath,
        name: 'file',
        header,
        timeout: 60000,
        success: (res: { statusCode: number; data: unknown }) => {
          let body: any = res.data
          if (typeof body === 'string') {
            try {
              body = JSON.parse(body)
            } catch {
              body = null
            }
          }
          if (res.statusCode >= 200 && res.statusCode < 300 && body && typeof body.id === 'string') {
            onProgress?.(100)
            resolve(body as PhotoView)
            return
          }
          if (res.statusCode === 401) {
            clearSession()
            goToLogin()
          }
          const status = res.statusCode
          reject(new ApiError(body?.code ?? `HTTP_${status}`, body?.message ?? (status >= 500 ? '服务暂时不可用，请稍后重试' : `上传失败（${status}）`), status))
        },
        fail: () => reject(new ApiError('NETWORK_ERROR', NETWORK_ERROR_MESSAGE, 0)),
      } as any)
    } catch {
      reject(new ApiError('NETWORK_ERROR', NETWORK_ERROR_MESSAGE, 0))
      return
    }
    try {
      const listen = (r: { progress: number }) => onProgress?.(Math.min(99, Math.max(0, Math.round(r.progress))))
      if (task && typeof task.onProgressUpdate === 'function') task.onProgressUpdate(listen)
      else if (task && typeof task.progress === 'function') task.progress(listen)
    } catch {
      // progress is a nicety
    }
    // the promise form would reject unhandled next to the callbacks
    if (task && typeof task.catch === 'function') task.catch(() => undefined)
  })
}

/**
 * H5: the File objects behind chooseMedia's blob: paths. Taro's H5 uploadFile first re-reads a blob: URL with
 * XHR, which our server's CSP (connect-src 'self') blocks — so H5 posts the File itself.
 */
const localFiles = new Map<string, Blob>()
export function registerLocalFile(path: string, file: Blob | undefined): void {
  if (file) localFiles.set(path, file)
}

function uploadBlob(file: Blob, header: Record<string, string>, onProgress?: (percent: number) => void): Promise<PhotoView> {
  return new Promise<PhotoView>((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', buildUrl('/reports/photos'))
    Object.entries(header).forEach(([k, v]) => xhr.setRequestHeader(k, v))
    xhr.timeout = 60000
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress?.(Math.min(99, Math.round((e.loaded / e.total) * 100)))
    }
    xhr.onload = () => {
      let body: any
      try {
        body = JSON.parse(xhr.responseText)
      } catch {
        body = null
      }
      if (xhr.status >= 200 && xhr.status < 300 && body && typeof body.id === 'string') {
        onProgress?.(100)
        resolve(body as PhotoView)
        return
      }
      if (xhr.status === 401) {
        clearSession()
        goToLogin()
      }
      reject(new ApiError(body?.code ?? `HTTP_${xhr.status}`, body?.message ?? `上传失败（${xhr.status}）`, xhr.status))
    }
    xhr.onerror = () => reject(new ApiError('NETWORK_ERROR', NETWORK_ERROR_MESSAGE, 0))
    xhr.ontimeout = xhr.onerror
    const form = new FormData()
    form.append('file', file, (file as File).name || 'photo.jpg')
    xhr.send(form)
  })
}

// 举报 and 内容审核 (types/moderation.ts)
export const flagReport = (id: number, body: FlagBody) => api.post<FlagResult>(`/reports/${id}/flags`, body, { silent: true })
export const moderationQueue = (cursor?: string) => api.get<ModerationQueue>('/moderation/queue', cursor ? { cursor } : undefined)
export const reviewReport = (id: number, body: ReviewBody) => api.post<ReviewResult>(`/moderation/reports/${id}/review`, body, { silent: true })
