import type { Me } from '@contract/accounts'
import type { Dashboard, PeriodKind, RateFigure, Sources, Trend } from '@contract/rates'
import type { ChildGeometries, RegionDetail } from '@contract/regions'
import { api, buildUrl } from '@/services/api'
import { downloadXlsx } from '@/services/download'

/** 比率看板 API calls, kept in the subpackage. Paths, rules and errors: types/rates.ts, server/modules/rates. */
export interface PeriodQuery { period: PeriodKind; date: string; to?: string }

const periodParams = (p: PeriodQuery) => ({ period: p.period, date: p.date, to: p.period === 'custom' ? p.to : undefined })

export const getMe = () => api.get<Me>('/me')
export const getRegion = (code: string) => api.get<RegionDetail>(`/regions/${code}`)
export const getChildGeometries = (code: string) => api.get<ChildGeometries>(`/regions/${code}/children/geometry`)
export const getDashboard = (region: string, p: PeriodQuery) => api.get<Dashboard>('/rates/dashboard', { region, ...periodParams(p) })
export const getTrend = (region: string, days: number, to: string) => api.get<Trend>('/rates/trend', { region, days, to })
export const getSources = (region: string, p: PeriodQuery, figure: RateFigure) => api.get<Sources>('/rates/sources', { region, figure, ...periodParams(p) })
export const setTarget = (regionCode: string, figure: RateFigure, target: number) =>
  api.put<{ regionCode: string; figure: RateFigure; target: number }>('/rates/targets', { regionCode, figure, target }, { silent: true })

/** Every table of the dashboard as one .xlsx (services/download.ts). */
export const downloadExport = (region: string, regionName: string, p: PeriodQuery, days: number) =>
  downloadXlsx(buildUrl('/rates/export', { region, days, ...periodParams(p) }), `比率看板-${regionName}-${p.date}.xlsx`)
