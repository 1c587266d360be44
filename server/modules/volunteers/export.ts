import type { AppContext } from '../../context'
import { badRequest } from '../../errors'
import { audit } from '../../lib/audit'
import type { Caller } from '../../lib/caller'
import { loadExcel } from '../../lib/excel'
import { EXPORT_COMMUNITY_COLUMNS, EXPORT_VOLUNTEER_COLUMNS, type ExportQuery } from '../../../types/volunteers'
import { assertManagesActivity, assertStaff, staffScope } from './policy'
import * as q from './queries'

const hours = (minutes: number) => Math.round((minutes / 60) * 100) / 100

/**
 * 志愿服务时长月报 (.xlsx): one sheet per community (volunteers served, services, hours) and one per volunteer (the
 * month's services and hours, and the total of the ledger). A worker gets the communities they cover, the office the
 * city or the region it names. A month is an Asia/Shanghai calendar month.
 */
export async function monthlyHoursWorkbook(ctx: AppContext, caller: Caller, query: ExportQuery): Promise<{ buffer: Buffer; filename: string }> {
  assertStaff(caller)
  const dir = await ctx.regions.get()
  let scope = staffScope(dir, caller)
  if (query.regionCode) {
    if (!dir.get(query.regionCode)) throw badRequest('REGION_INVALID', '区域不存在')
    assertManagesActivity(dir, caller, query.regionCode)
    scope = dir.descendants(query.regionCode).map((r) => r.code)
  }
  const [y, m] = query.month.split('-').map(Number)
  const from = new Date(Date.UTC(y, m - 1, 1) - 8 * 3600_000)
  const to = new Date(Date.UTC(y, m, 1) - 8 * 3600_000)
  const rows = await q.monthHours(ctx.db, scope, from, to)

  const byCommunity = new Map<string, { volunteers: number; services: number; minutes: number }>()
  for (const r of rows) {
    const c = byCommunity.get(r.communityCode) ?? { volunteers: 0, services: 0, minutes: 0 }
    c.volunteers += 1
    c.services += r.services
    c.minutes += r.monthMinutes
    byCommunity.set(r.communityCode, c)
  }
  const ExcelJS = await loadExcel()
  const wb = new ExcelJS.Workbook()
  const sum = wb.addWorksheet('社区汇总')
  sum.columns = EXPORT_COMMUNITY_COLUMNS.map((header, i) => ({ header, width: [18, 16, 12, 12, 16][i] }))
  for (const [code, c] of byCommunity) {
    const street = dir.chain(code).find((r) => r.level === 'street')
    sum.addRow([dir.get(code)?.name ?? code, street?.name ?? '', c.volunteers, c.services, hours(c.minutes)])
  }
  const detail = wb.addWorksheet('志愿者明细')
  detail.columns = EXPORT_VOLUNTEER_COLUMNS.map((header, i) => ({ header, width: [12, 12, 18, 10, 16, 16][i] }))
  for (const r of rows) {
    detail.addRow([r.userId, r.realName ?? '（已注销）', dir.get(r.communityCode)?.name ?? r.communityCode, r.services, hours(r.monthMinutes), hours(r.totalMinutes)])
  }
  await audit(ctx.db, caller.userId, 'volunteer.hours.export', 'volunteers', { month: query.month, regionCode: query.regionCode ?? null, rows: rows.length })
  return { buffer: Buffer.from(await wb.xlsx.writeBuffer()), filename: `志愿服务时长-${query.month}.xlsx` }
}
