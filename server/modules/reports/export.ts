import { PassThrough } from 'node:stream'
import { loadExcel } from '../../lib/excel'
import type { AppContext } from '../../context'
import { STATE_LABELS, type ReportState } from '../../../types/reports'
import * as q from './queries'
import { isClosed } from '../../../types/report-lifecycle'
import { reportNumber } from './service'

const BATCH = 2000
const fmt = (d: Date | null) => (d ? new Date(new Date(d).getTime() + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ') : '')

export const EXPORT_COLUMNS = ['编号', '类别', '位置', '社区', '上报时间', '状态', '责任部门', '处置时限', '销号时间', '是否超期', '处置满意度']



/**
 * 问题台账 as .xlsx, streamed: rows come from the database in keyset batches and are committed to the zip stream
 * one by one (exceljs WorkbookWriter), so memory stays flat for tens of thousands of rows.
 * The first batch is read before the stream is handed back: a filter the database refuses is an error response,
 * not a 200 whose body breaks off.
 */
export async function exportLedger(ctx: AppContext, f: q.ReportFilter): Promise<PassThrough> {
  const dir = await ctx.regions.get()
  const first = await q.ledgerBatch(ctx.readDb, f, 0, BATCH)
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
          STATE_LABELS[r.state as ReportState], r.department, fmt(r.dueAt), isClosed(r.state) ? fmt(r.closedAt) : '',
          r.overdue ? '是' : '否', r.rating ?? '',
        ]).commit()
      }
      if (rows.length < BATCH) break
      rows = await q.ledgerBatch(ctx.readDb, f, rows[rows.length - 1].id, BATCH)
    }
    ws.commit()
    await wb.commit()
  }
  run().catch((err) => out.destroy(err))
  return out
}
