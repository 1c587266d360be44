import type { ActivityBody, ActivityView, ApplicationList, CertificateCheck, CertificateImage, CertificateList, CertificateView, HoursLedger, MySignups, Roster } from '@contract/volunteers'
import { api, buildUrl } from '@/services/api'
import { downloadXlsx } from '@/services/download'
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

/** 时长月报 (.xlsx), through services/download.ts. */
export const downloadMonthlyHours = (month: string) => downloadXlsx(buildUrl('/volunteers/export/hours.xlsx', { month }), `志愿服务时长-${month}.xlsx`)

/** 2026-11 style months, this one first, for the export picker. */
export function recentMonths(n: number, now = new Date()): string[] {
  const sh = new Date(now.getTime() + 8 * 3600_000)
  return Array.from({ length: n }, (_, i) => {
    const d = new Date(Date.UTC(sh.getUTCFullYear(), sh.getUTCMonth() - i, 1))
    return d.toISOString().slice(0, 7)
  })
}
