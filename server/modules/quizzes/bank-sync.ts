import type { Db } from '../../db/types'
import { QUESTION_BANK, type BankQuestion } from './bank'
import { FIRST_EDITION } from './bank/first-edition'
import { contentHash } from './bank/hash'
import * as q from './queries'

export interface BankSync {
  /** shipped questions the database did not have */
  added: number
  /** shipped rows given the bank's corrected text in place */
  rewritten: number
  /** shipped rows kept as they were for past results, the bank going on with a new row */
  superseded: number
  /** shipped rows a worker edited, left as they made them */
  kept: number
}

const sameGrading = (a: { kind: string; options: string[]; answer: number[] }, b: typeof a) =>
  a.kind === b.kind && JSON.stringify(a.options) === JSON.stringify(b.options) && JSON.stringify(a.answer) === JSON.stringify(b.answer)

/**
 * Brings the shipped questions of a database in line with the bank this version ships: adds the missing ones and
 * gives the bank's corrections to the rows nobody edited — a row is unedited while its content still has the
 * fingerprint of what the product wrote to it (bank_hash, or the first edition for rows older than that column).
 * Rows a worker edited are theirs and stay as they are.
 *
 * Answers are stored as option indexes, and results and the 错题本 read the question as it is now. So a row whose
 * options or answer change after an attempt or a live session drew it is not rewritten: it stays, retired, as what
 * those answers were graded against, and a new row takes its key (and its place in use). Other corrections (text,
 * explanation, tags, difficulty) are made in place, as a worker's edit would be. A row rewritten with other options
 * was never drawn, so no API process holds it in its question cache.
 */
export async function syncQuestionBank(db: Db, bank: BankQuestion[] = QUESTION_BANK, firstEdition: Readonly<Record<string, string>> = FIRST_EDITION): Promise<BankSync> {
  const shipped = bank.map((b) => ({ ...b, hash: contentHash(b) }))
  return db.transaction(async (tx) => {
    await q.lockBankSync(tx)
    const rows = new Map((await q.shippedRows(tx)).map((r) => [r.bankKey, r]))
    const stale: Array<{ row: q.ShippedRow; next: q.ShippedQuestion }> = []
    let kept = 0
    for (const next of shipped) {
      const row = rows.get(next.key)
      if (!row || row.bankHash === next.hash) continue
      const now = contentHash(row)
      if (now === next.hash || now === (row.bankHash ?? firstEdition[next.key])) stale.push({ row, next })
      else kept++
    }
    const added = await q.insertBank(tx, shipped.filter((b) => !rows.has(b.key)))
    const regraded = stale.filter(({ row, next }) => !sameGrading(row, next)).map(({ row }) => row.id)
    const drawn = regraded.length ? await q.questionsDrawn(tx, regraded) : new Set<number>()
    let rewritten = 0
    let superseded = 0
    for (const { row, next } of stale) {
      if (drawn.has(row.id)) {
        await q.supersedeShipped(tx, row.id, row.active, next)
        superseded++
      } else {
        // also stamps rows older than bank_hash whose content is already this version's
        await q.rewriteShipped(tx, row.id, next)
        if (contentHash(row) !== next.hash) rewritten++
      }
    }
    return { added, rewritten, superseded, kept }
  })
}
