import Taro from '@tarojs/taro'
import type { Me } from '@contract/accounts'
import type { Dashboard, PeriodKind, RateFigure, Sources, Trend } from '@contract/rates'
import type { ChildGeometries, RegionDetail } from '@contract/regions'
import { api, ApiError, buildUrl } from '@/services/api'
import { getToken } from '@/services/session'

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

/** Every table of the dashboard as one .xlsx: a download on H5; on weapp downloadFile + openDocument (its menu forwards or saves). */
export async function downloadExport(region: string, regionName: string, p: PeriodQuery, days: number): Promise<void> {
  const url = buildUrl('/rates/export', { region, days, ...periodParams(p) })
  const token = getToken()
  const name = `比率看板-${regionName}-${p.date}.xlsx`
  if (process.env.TARO_ENV === 'h5') {
    const res = await fetch(url, { headers: { Authorization: `Bearer ${token}` } })
    if (!res.ok) {
      const body = await res.json().catch(() => null)
      throw new ApiError(body?.code ?? `HTTP_${res.status}`, body?.message ?? '导出失败', res.status)
    }
    const blob = await res.blob()
    const a = document.createElement('a')
    a.href = URL.createObjectURL(blob)
    a.download = name
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
