import { PassThrough } from 'node:stream'
import { loadExcel } from '../../lib/excel'
import type { AppContext } from '../../context'
import { STATE_LABELS, type ReportState } from '../../../types/reports'
import { OVERDUE_SQL, filterSql, type ReportFilter } from './queries'
import { reportNumber } from './service'

const BATCH = 2000
const fmt = (d: Date | null) => (d ? new Date(new Date(d).getTime() + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ') : '')

export const EXPORT_COLUMNS = ['编号', '类别', '位置', '社区', '上报时间', '状态', '责任部门', '处置时限', '销号时间', '是否超期', '处置满意度']

type LedgerRow = {
  id: number; category: string; address: string; communityCode: string; createdAt: Date; state: string; department: string
  dueAt: Date; closedAt: Date | null; overdue: boolean; rating: number | null
}

function ledgerBatch(ctx: AppContext, f: ReportFilter, after: number): Promise<LedgerRow[]> {
  const params: unknown[] = []
  const where = filterSql(f, params)
  params.push(after, BATCH)
  return ctx.readDb.query<LedgerRow>(
    `SELECT r.id::int AS id, c.name AS category, r.address, r.community_code AS "communityCode", r.created_at AS "createdAt", r.state,
            r.department, r.due_at AS "dueAt", r.closed_at AS "closedAt", ${OVERDUE_SQL} AS overdue, r.rating
       FROM reports r JOIN report_categories c ON c.code = r.category_code
      WHERE ${where} AND r.id > $${params.length - 1} ORDER BY r.id LIMIT $${params.length}`,
    params,
  )
}

/**
 * 问题台账 as .xlsx, streamed: rows come from the database in keyset batches and are committed to the zip stream
 * one by one (exceljs WorkbookWriter), so memory stays flat for tens of thousands of rows.
 * The first batch is read before the stream is handed back: a filter the database refuses is an error response,
 * not a 200 whose body breaks off.
 */
export async function exportLedger(ctx: AppContext, f: ReportFilter): Promise<PassThrough> {
  const dir = await ctx.regions.get()
  const first = await ledgerBatch(ctx, f, 0)
  const out = new PassThrough()
  const run = async () => {
    const ExcelJS = await loadExcel()
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: false, useSharedStrings: false })
    const ws = wb.addWorksheet('问题台账')
    ws.columns = EXPORT_COLUMNS.map((header, i) => ({ header, key: `c${i}`, width: [12, 14, 36, 14, 18, 14, 20, 18, 18, 10, 10][i] }))
    for (let rows = first; ;) {
      for (const r of rows) {
        ws.addRow([
          reportNumber(r.id), r.category, r.address, dir.get(r.communityCode)?.name ?? r.communityCode, fmt(r.createdAt),
          STATE_LABELS[r.state as ReportState], r.department, fmt(r.dueAt), r.state === 'closed' || r.state === 'closed_not_fixed' ? fmt(r.closedAt) : '',
          r.overdue ? '是' : '否', r.rating ?? '',
        ]).commit()
      }
      if (rows.length < BATCH) break
      rows = await ledgerBatch(ctx, f, rows[rows.length - 1].id)
    }
    ws.commit()
    await wb.commit()
  }
  run().catch((err) => out.destroy(err))
  return out
}
