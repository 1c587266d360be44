import Taro from '@tarojs/taro'
import { API_BASE, API_PREFIX } from './config'
import { backoffDelay, parseRetryAfter, shouldRetry, type HttpMethod } from './retry'
import { clearSession, getToken, goToLogin } from './session'

/**
 * The one HTTP client of the app, for weapp and H5 alike.
 *
 *   const home = await api.get<HomeOverview>('/home')
 *   await api.post<Report>('/reports', body, { idempotencyKey: true })   // safe to retry
 *   await api.get('/reports/mine', undefined, { silent: true })          // no toast; caller handles ApiError
 *
 * Paths are relative to /api/v1. Errors are thrown as ApiError(code, message, status).
 */

export const NETWORK_ERROR_MESSAGE = '网络不给力，请稍后重试'
const SESSION_CODES = new Set(['UNAUTHENTICATED', 'SESSION_EXPIRED'])

export class ApiError extends Error {
  constructor(
    public readonly code: string,
    message: string,
    /** HTTP status; 0 when no response arrived. */
    public readonly status: number,
    public readonly details?: unknown,
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

export type Query = Record<string, string | number | boolean | null | undefined>

export interface RequestOptions {
  method?: HttpMethod
  query?: Query
  data?: unknown
  /** Makes a POST/PATCH safe to retry: sent as Idempotency-Key. `true` generates one for this call. */
  idempotencyKey?: string | true
  /** Do not toast the error; the caller shows it. */
  silent?: boolean
  /** Send the bearer token (default true). */
  auth?: boolean
  /** On 401 UNAUTHENTICATED/SESSION_EXPIRED: clear the session and go to sign-in (default true). */
  redirectOnUnauthorized?: boolean
  /** Override the number of retries (default from retry.ts). */
  maxRetries?: number
  timeout?: number
  header?: Record<string, string>
}

export function newIdempotencyKey(): string {
  const rnd = () => Math.floor(Math.random() * 0x100000000).toString(16).padStart(8, '0')
  return `${Date.now().toString(16)}-${rnd()}-${rnd()}`
}

export function buildUrl(path: string, query?: Query): string {
  const full = /^https?:\/\//.test(path) ? path : `${API_BASE}${API_PREFIX}${path.startsWith('/') ? path : `/${path}`}`
  const q = Object.entries(query ?? {})
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&')
  return q ? `${full}${full.includes('?') ? '&' : '?'}${q}` : full
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

interface RawResponse {
  statusCode: number
  data: unknown
  header?: Record<string, string>
}

function send(url: string, method: HttpMethod, data: unknown, header: Record<string, string>, timeout: number): Promise<RawResponse> {
  // The promise form only: with success/fail callbacks Taro also rejects the returned promise, unhandled.
  return Taro.request({ url, method, data: data as any, header, timeout, dataType: 'json' }).then((res) => ({
    statusCode: res.statusCode,
    data: res.data,
    header: res.header as Record<string, string>,
  }))
}

function headerValue(header: Record<string, string> | undefined, name: string): string | undefined {
  if (!header) return undefined
  const key = Object.keys(header).find((k) => k.toLowerCase() === name.toLowerCase())
  return key ? header[key] : undefined
}

function toApiError(res: RawResponse): ApiError {
  let body = res.data as any
  if (typeof body === 'string' && body) {
    try {
      body = JSON.parse(body)
    } catch {
      body = null
    }
  }
  if (body && typeof body === 'object' && typeof body.code === 'string') {
    return new ApiError(body.code, typeof body.message === 'string' && body.message ? body.message : defaultMessage(res.statusCode), res.statusCode, body.details)
  }
  return new ApiError(`HTTP_${res.statusCode}`, defaultMessage(res.statusCode), res.statusCode)
}

function defaultMessage(status: number): string {
  if (status === 401) return '请先登录'
  if (status === 403) return '没有权限进行此操作'
  if (status === 404) return '内容不存在'
  if (status === 429) return '操作太频繁，请稍后再试'
  if (status >= 500) return '服务暂时不可用，请稍后重试'
  return `请求失败（${status}）`
}

export function toast(message: string): void {
  Taro.showToast({ title: message, icon: 'none', duration: 2500 }).catch(() => undefined)
}

export async function request<T = unknown>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = (options.method ?? 'GET').toUpperCase() as HttpMethod
  const url = buildUrl(path, options.query)
  const idempotencyKey = options.idempotencyKey === true ? newIdempotencyKey() : options.idempotencyKey
  const header: Record<string, string> = { Accept: 'application/json', ...options.header }
  if (options.data !== undefined) header['Content-Type'] = 'application/json'
  if (idempotencyKey) header['Idempotency-Key'] = idempotencyKey
  if (options.auth !== false) {
    const token = getToken()
    if (token) header.Authorization = `Bearer ${token}`
  }

  let retries = 0
  for (;;) {
    let res: RawResponse | undefined
    try {
      res = await send(url, method, options.data, header, options.timeout ?? 15000)
    } catch {
      res = undefined
    }
    const status = res?.statusCode
    if (res && status !== undefined && status >= 200 && status < 300) {
      return (res.statusCode === 204 || res.data === '' ? undefined : res.data) as T
    }
    if (shouldRetry({ method, idempotencyKey, status, retriesSoFar: retries, maxRetries: options.maxRetries })) {
      await sleep(backoffDelay(retries, Math.random, parseRetryAfter(headerValue(res?.header, 'Retry-After'))))
      retries++
      continue
    }
    const error = res ? toApiError(res) : new ApiError('NETWORK_ERROR', NETWORK_ERROR_MESSAGE, 0)
    if (error.status === 401 && SESSION_CODES.has(error.code) && options.redirectOnUnauthorized !== false) {
      clearSession()
      toast(error.code === 'SESSION_EXPIRED' ? '登录已过期，请重新登录' : '请先登录')
      goToLogin()
    } else if (!options.silent) {
      toast(error.message)
    }
    throw error
  }
}

type Opts = Omit<RequestOptions, 'method' | 'data'>
export const api = {
  get: <T>(path: string, query?: Query, opts?: Opts) => request<T>(path, { ...opts, method: 'GET', query }),
  post: <T>(path: string, data?: unknown, opts?: Opts) => request<T>(path, { ...opts, method: 'POST', data }),
  put: <T>(path: string, data?: unknown, opts?: Opts) => request<T>(path, { ...opts, method: 'PUT', data }),
  patch: <T>(path: string, data?: unknown, opts?: Opts) => request<T>(path, { ...opts, method: 'PATCH', data }),
  del: <T>(path: string, opts?: Opts) => request<T>(path, { ...opts, method: 'DELETE' }),
}
