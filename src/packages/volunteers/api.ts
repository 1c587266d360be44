import Taro from '@tarojs/taro'
import type { ActivityBody, ActivityView, ApplicationList, CertificateCheck, CertificateImage, CertificateList, CertificateView, HoursLedger, MySignups, Roster } from '@contract/volunteers'
import { api, ApiError, buildUrl } from '@/services/api'
import { getToken } from '@/services/session'
import { ROUTES } from '@/routes'

/** The volunteers API this subpackage alone uses (certificates, the export, pages of long lists): kept out of the main package. */

export const CERT_PAGES = { certificate: ROUTES.volunteers.certificate, verify: ROUTES.volunteers.verify }

export const issueMyCertificate = () => api.post<CertificateView>('/volunteers/me/certificates', {}, { silent: true })
export const myCertificates = (cursor?: string) => api.get<CertificateList>('/volunteers/me/certificates', { cursor })
export const certificateImage = (number: string) => api.get<CertificateImage>(`/volunteers/certificates/${number}/image`, undefined, { silent: true })
/** Public: no token is sent and a 401 elsewhere does not send the reader to sign in. */
export const checkCertificate = (number: string) =>
  api.get<CertificateCheck>(`/volunteers/certificates/${encodeURIComponent(number)}/check`, undefined, { silent: true, auth: false, redirectOnUnauthorized: false })

/** The activity as edited (its shifts listed by id): refusals carry a code the create page explains. */
export const editActivity = (id: number, body: ActivityBody) => api.put<ActivityView>(`/volunteers/activities/${id}`, body, { silent: true })

export const historyPage = (cursor: string) => api.get<MySignups>('/volunteers/me/signups', { cursor })
export const ledgerPage = (cursor?: string) => api.get<HoursLedger>('/volunteers/me/hours', { cursor })
export const applicationsPage = (status: string, cursor?: string) => api.get<ApplicationList>('/volunteers/applications', { status, cursor })
export const rosterPage = (shiftId: number | string, cursor?: string) => api.get<Roster>(`/volunteers/shifts/${shiftId}/roster`, { cursor })

/** 时长月报 (.xlsx): a download on H5; on weapp downloadFile + openDocument (its menu forwards or saves). */
export async function downloadMonthlyHours(month: string): Promise<void> {
  const url = buildUrl('/volunteers/export/hours.xlsx', { month })
  const token = getToken()
  if (process.env.TARO_ENV === 'h5') {
    const res = await fetch(url, { headers: { Authorization: `Bearer ${token}` } })
    if (!res.ok) {
      const body = await res.json().catch(() => null)
      throw new ApiError(body?.code ?? `HTTP_${res.status}`, body?.message ?? '导出失败', res.status)
    }
    const a = document.createElement('a')
    a.href = URL.createObjectURL(await res.blob())
    a.download = `志愿服务时长-${month}.xlsx`
    document.body.appendChild(a)
    a.click()
    a.remove()
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000)
    return
  }
  const res = await Taro.downloadFile({ url, header: { Authorization: `Bearer ${token}` } })
  if (res.statusCode !== 200) throw new ApiError(`HTTP_${res.statusCode}`, '导出失败', res.statusCode)
  await Taro.openDocument({ filePath: res.tempFilePath, fileType: 'xlsx', showMenu: true } as never)
}

/** 2026-11 style months, this one first, for the export picker. */
export function recentMonths(n: number, now = new Date()): string[] {
  const sh = new Date(now.getTime() + 8 * 3600_000)
  return Array.from({ length: n }, (_, i) => {
    const d = new Date(Date.UTC(sh.getUTCFullYear(), sh.getUTCMonth() - i, 1))
    return d.toISOString().slice(0, 7)
  })
}
