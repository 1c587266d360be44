import type ExcelJS from 'exceljs'

/**
 * exceljs, loaded when a spreadsheet is first made or read: loading it took longer than loading the rest of the
 * server (npm run bench -- restart), and most starts never need it.
 */
export const loadExcel = (): Promise<typeof ExcelJS> => import('exceljs').then((m) => m.default)
