import { PassThrough } from 'node:stream'
import { loadExcel } from '../../lib/excel'
import type { SurveyDefinition, SurveyQuestion, SurveyResults } from '../../../types/surveys'
import type { RegionDirectory } from '../regions/directory'
import { labelOf } from './conditions'
import type * as q from './queries'

export type ExportWhat = 'responses' | 'summary'
export type ExportFormat = 'xlsx' | 'csv'
type Cell = string | number | null

const shanghaiMinute = (d: Date) => new Date(new Date(d).getTime() + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ')

/**
 * A column per question (a matrix: per row). Anonymous surveys get no person columns and no community — a community
 * and a day beside a full set of answers could point to a person in a small community (the text list hides it too).
 */
export function responseColumns(def: SurveyDefinition, anonymous: boolean) {
  const questions = def.sections.flatMap((s) => s.questions)
  const person = anonymous ? ['序号', '提交日期'] : ['序号', '答卷人', '社区', '提交时间']
  const cols: Array<{ header: string; question: SurveyQuestion; row: string }> = []
  questions.forEach((x, i) => {
    if (x.type === 'matrix') for (const r of x.rows!) cols.push({ header: `${i + 1}. ${x.title}—${r.label}`, question: x, row: r.key })
    else cols.push({ header: `${i + 1}. ${x.title}`, question: x, row: '' })
  })
  return { headers: [...person, ...cols.map((c) => c.header)], cols }
}

function answerCell(x: SurveyQuestion, a: q.ExportAnswer | undefined): Cell {
  if (!a) return ''
  const held = a.held ? '［未通过内容检查］' : ''
  if (x.type === 'short_text' || x.type === 'long_text') return held + (a.textValue ?? '')
  if (x.type === 'rating10') return a.num
  const words = a.picked.map((v) => {
    const label = labelOf(x, v)
    return x.options?.find((o) => o.value === v)?.other && a.otherText ? `${label}：${held}${a.otherText}` : label
  })
  return words.join('；')
}

export function responseRow(
  dir: RegionDirectory, anonymous: boolean, cols: ReturnType<typeof responseColumns>['cols'], n: number, r: q.ExportResponse,
): Cell[] {
  const by = new Map(r.answers.map((a) => [`${a.questionId}|${a.rowKey}`, a]))
  const person: Cell[] = anonymous
    ? [n, r.day]
    : [n, r.nickname ?? '', r.communityCode ? dir.get(r.communityCode)?.name ?? r.communityCode : '', r.at ? shanghaiMinute(r.at) : r.day]
  return [...person, ...cols.map((c) => answerCell(c.question, by.get(`${r.questionIds.get(c.question.key)}|${c.row}`)))]
}

export function summaryRows(res: SurveyResults): { headers: string[]; rows: Cell[][] } {
  const rows: Cell[][] = [['全部', '答卷数', res.responses, null]]
  for (const x of res.questions) {
    const parts = x.rows ? x.rows.map((r) => ({ title: `${x.title}—${r.label}`, answered: r.answered, options: r.options })) : [{ title: x.title, answered: x.answered, options: x.options }]
    for (const p of parts) {
      rows.push([p.title, '作答人数', p.answered, null])
      for (const o of p.options) rows.push([p.title, o.label, o.count, o.percent])
    }
    if (x.mean !== undefined) rows.push([x.title, '平均分', x.mean, null])
    if (x.otherTexts !== undefined) rows.push([x.title, '填写“其他”说明', x.otherTexts, null])
    if (x.type === 'short_text' || x.type === 'long_text') rows.push([x.title, '文字回答（见答卷导出或结果页）', x.answered, null])
  }
  return { headers: ['题目', '选项', '人数', '占比（%）'], rows }
}

/** RFC 4180 quoting; a text that a spreadsheet would run as a formula (=, +, -, @) is kept as text with a leading '. */
export function csvCell(v: Cell): string {
  if (v === null || v === undefined) return ''
  if (typeof v === 'number') return String(v)
  const s = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

export interface Sheet {
  row(cells: Cell[]): Promise<void>
  end(): Promise<void>
}

/** A sheet written into `out` as it goes: exceljs's streaming writer, or CSV lines (UTF-8 with BOM, for Excel). */
export function sheetWriter(out: PassThrough, format: ExportFormat, name: string, headers: string[]): Sheet {
  if (format === 'csv') {
    const write = (line: string) => (out.write(line) ? Promise.resolve() : new Promise<void>((ok) => out.once('drain', () => ok())))
    out.write('\uFEFF' + headers.map(csvCell).join(',') + '\r\n')
    return {
      row: (cells) => write(cells.map(csvCell).join(',') + '\r\n'),
      end: async () => { out.end() },
    }
  }
  const book = loadExcel().then((ExcelJS) => {
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: false, useSharedStrings: false })
    const ws = wb.addWorksheet(name)
    ws.columns = headers.map((header, i) => ({ header, key: `c${i}`, width: i === 0 ? 8 : 20 }))
    return { wb, ws }
  })
  return {
    row: async (cells) => { (await book).ws.addRow(cells).commit() },
    end: async () => {
      const { wb, ws } = await book
      ws.commit()
      await wb.commit()
    },
  }
}
