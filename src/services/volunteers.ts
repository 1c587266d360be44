import type {
  ActivityBody, ActivityList, ActivityView, ApplicationList, ApplyBody, AttendanceBody, AttendanceResult, CancelResult, CheckCode, DecisionBody,
  HoursLedger, MarkBody, MySignups, MyVolunteer, Roster, SignupResult, VolunteerView,
} from '@contract/volunteers'
import { CHECKIN_QR_PREFIX } from '@contract/volunteers-constants'
import { api } from './api'
import { ROUTES } from '@/routes'

/** 志愿服务 API (types/volunteers.ts). Paths under /api/v1. Errors on writes are left to the page (silent). */

export const PAGES = ROUTES.volunteers

export const getMyVolunteer = () => api.get<MyVolunteer>('/volunteers/me')
export const apply = (body: ApplyBody) => api.post<VolunteerView>('/volunteers/apply', body, { silent: true })
export const leave = () => api.post<VolunteerView>('/volunteers/me/leave', {}, { silent: true })
export const getMySignups = () => api.get<MySignups>('/volunteers/me/signups')
export const getMyHours = () => api.get<HoursLedger>('/volunteers/me/hours')

export const listActivities = (cursor?: string) => api.get<ActivityList>('/volunteers/activities', { cursor })
export const getActivity = (id: number | string) => api.get<ActivityView>(`/volunteers/activities/${id}`)
export const createActivity = (body: ActivityBody) => api.post<ActivityView>('/volunteers/activities', body, { silent: true, idempotencyKey: true })
export const cancelActivity = (id: number, reason: string) => api.post<ActivityView>(`/volunteers/activities/${id}/cancel`, { reason }, { silent: true })

export const signUp = (shiftId: number) => api.post<SignupResult>(`/volunteers/shifts/${shiftId}/signup`, {}, { silent: true })
export const cancelSignup = (shiftId: number) => api.post<CancelResult>(`/volunteers/shifts/${shiftId}/cancel`, {}, { silent: true })
export const attend = (shiftId: number, body: AttendanceBody) => api.post<AttendanceResult>(`/volunteers/shifts/${shiftId}/attendance`, body, { silent: true })

export const listApplications = (status?: string) => api.get<ApplicationList>('/volunteers/applications', { status })
export const decide = (userId: number, body: DecisionBody) => api.post<VolunteerView>(`/volunteers/applications/${userId}/decision`, body, { silent: true })
export const suspend = (userId: number, reason: string) => api.post<VolunteerView>(`/volunteers/${userId}/suspend`, { reason }, { silent: true })
export const getCode = (shiftId: number | string) => api.get<CheckCode>(`/volunteers/shifts/${shiftId}/code`, undefined, { silent: true })
export const getRoster = (shiftId: number | string) => api.get<Roster>(`/volunteers/shifts/${shiftId}/roster`)
export const markAttendance = (shiftId: number, userId: number, body: MarkBody) =>
  api.post<AttendanceResult>(`/volunteers/shifts/${shiftId}/roster/${userId}`, body, { silent: true })

/** The token in a scanned check-in QR code, or null for any other code. */
export function tokenFromScan(text: string): string | null {
  if (!text.startsWith(CHECKIN_QR_PREFIX)) return null
  const token = decodeURIComponent(text.slice(CHECKIN_QR_PREFIX.length))
  return /^\d+\.\d+\.[A-Za-z0-9_-]{22}$/.test(token) ? token : null
}

export const formatHours = (minutes: number) => `${Math.floor(minutes / 60)} 小时${minutes % 60 ? ` ${minutes % 60} 分` : ''}`
