import type ExcelJS from 'exceljs'
import { badRequest } from '../../errors'
import { loadExcel } from '../../lib/excel'
import type { NewQuestion, QuestionRow } from './queries'
import { JUDGE_OPTIONS } from './bank/define'
import { tidyQuestion } from './question-rules'

/** The columns of the import/export sheet, in order. */
export const COLUMNS = ['题型', '题干', '选项A', '选项B', '选项C', '选项D', '选项E', '选项F', '正确答案', '解析', '标签', '难度'] as const
const LETTERS = 'ABCDEF'
const KIND_NAMES: Record<string, NewQuestion['kind']> = { 单选: 'single', 单选题: 'single', 多选: 'multiple', 多选题: 'multiple', 判断: 'judge', 判断题: 'judge' }
const KIND_LABEL: Record<string, string> = { single: '单选', multiple: '多选', judge: '判断' }
const MAX_ROWS = 2000

export async function exportQuestions(rows: QuestionRow[]): Promise<Buffer> {
  const wb = new (await loadExcel()).Workbook()
  const ws = wb.addWorksheet('题库')
  ws.addRow([...COLUMNS])
  ws.getRow(1).font = { bold: true }
  for (const r of rows) {
    const options = r.kind === 'judge' ? ['', '', '', '', '', ''] : [0, 1, 2, 3, 4, 5].map((i) => r.options[i] ?? '')
    const answer = r.kind === 'judge' ? r.options[r.answer[0]] : r.answer.map((i) => LETTERS[i]).join('')
    ws.addRow([KIND_LABEL[r.kind], r.stem, ...options, answer, r.explanation, r.tags.join('，'), r.difficulty])
  }
  ws.columns.forEach((c, i) => { c.width = i === 1 || i === 9 ? 50 : 14 })
  return Buffer.from(await wb.xlsx.writeBuffer())
}

function text(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return ''
  if (typeof v === 'string') return v.trim()
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  if (v instanceof Date) return v.toISOString()
  if (typeof v === 'object') {
    if ('richText' in v) return v.richText.map((t) => t.text).join('').trim()
    if ('text' in v) return String(v.text).trim()
    if ('result' in v) return text(v.result as ExcelJS.CellValue)
  }
  return String(v).trim()
}

export interface ParseError {
  row: number
  message: string
}

/**
 * Parses the first sheet. All rows are checked; any error means nothing is imported. Each question comes with its
 * row, for the report of what was skipped as a duplicate (service.importQuestions).
 */
export async function parseQuestions(file: Buffer): Promise<{ items: Array<{ row: number; question: NewQuestion }>; errors: ParseError[] }> {
  const wb = new (await loadExcel()).Workbook()
  try {
    await wb.xlsx.load(file as never)
  } catch {
    throw badRequest('IMPORT_FILE_INVALID', '无法读取文件，请上传 .xlsx 格式的 Excel 文件')
  }
  const ws = wb.worksheets[0]
  if (!ws) throw badRequest('IMPORT_FILE_INVALID', 'Excel 文件中没有工作表')
  const header = new Map<string, number>()
  ws.getRow(1).eachCell((cell, col) => header.set(text(cell.value).replace(/\s/g, ''), col))
  const missing = ['题型', '题干', '选项A', '选项B', '正确答案'].filter((h) => !header.has(h))
  if (missing.length) throw badRequest('IMPORT_FILE_INVALID', `表头缺少列：${missing.join('、')}（第 1 行应为：${COLUMNS.join('、')}）`)
  if (ws.rowCount - 1 > MAX_ROWS) throw badRequest('IMPORT_TOO_LARGE', `一次最多导入 ${MAX_ROWS} 道题`)

  const items: Array<{ row: number; question: NewQuestion }> = []
  const errors: ParseError[] = []
  for (let n = 2; n <= ws.rowCount; n++) {
    const row = ws.getRow(n)
    const get = (h: string) => (header.has(h) ? text(row.getCell(header.get(h)!).value) : '')
    const cells = COLUMNS.map(get)
    if (cells.every((c) => c === '')) continue
    const fail = (message: string) => errors.push({ row: n, message: `第 ${n} 行：${message}` })
    // what is particular to a sheet (names of kinds, answer letters, empty cells) is read here; the rules of a
    // question itself are tidyQuestion's, the same as for an edit
    const kind = KIND_NAMES[get('题型')]
    if (!get('题型')) { fail('缺少题型'); continue }
    if (!kind) { fail(`题型“${get('题型')}”不正确，应为 单选、多选 或 判断`); continue }
    const stem = get('题干')
    if (!stem) { fail('缺少题干'); continue }
    let options: string[]
    if (kind === 'judge') {
      options = JUDGE_OPTIONS
    } else {
      const raw = [...LETTERS].map((l) => get(`选项${l}`))
      const lastFilled = raw.map((o) => o !== '').lastIndexOf(true)
      const gap = raw.slice(0, lastFilled + 1).findIndex((o) => o === '')
      if (gap >= 0) { fail(`选项${LETTERS[gap]}为空，但后面还有选项`); continue }
      options = raw.slice(0, lastFilled + 1)
    }
    const answerText = get('正确答案').toUpperCase().replace(/[\s,，、;；]/g, '')
    let answer: number[]
    if (!answerText) { fail('缺少正确答案'); continue }
    if (kind === 'judge') {
      if (['正确', '对', '√', '✓', 'A', 'T', 'TRUE', '是'].includes(answerText)) answer = [0]
      else if (['错误', '错', '×', '✗', 'B', 'F', 'FALSE', '否'].includes(answerText)) answer = [1]
      else { fail(`判断题的正确答案应为“正确”或“错误”，而不是“${get('正确答案')}”`); continue }
    } else {
      if (!/^[A-F]+$/.test(answerText)) { fail(`正确答案“${get('正确答案')}”应为选项字母，如 A 或 ACD`); continue }
      answer = [...answerText].map((l) => LETTERS.indexOf(l))
    }
    const d = get('难度')
    const difficulty = d === '' ? 2 : Number(d)
    if (![1, 2, 3].includes(difficulty)) { fail(`难度应为 1、2 或 3，而不是“${d}”`); continue }
    const tags = get('标签').split(/[,，、;；\s]+/)
    const checked = tidyQuestion({ kind, stem, options, answer, explanation: get('解析'), tags, difficulty })
    if ('problem' in checked) { fail(checked.problem); continue }
    items.push({ row: n, question: checked.question })
  }
  if (items.length === 0 && errors.length === 0) errors.push({ row: 2, message: '第 2 行：文件中没有题目' })
  return { items, errors }
}
