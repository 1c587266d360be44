import { createHash } from 'node:crypto'

export interface QuestionContent {
  kind: string
  stem: string
  options: string[]
  answer: number[]
  explanation: string
  tags: string[]
  difficulty: number
}

/** What a question says, as one short fingerprint: two questions that read and grade alike hash alike. */
export function contentHash(q: QuestionContent): string {
  const canonical = JSON.stringify([q.kind, q.stem, q.options, q.answer, q.explanation, q.tags, q.difficulty])
  return createHash('sha256').update(canonical).digest('hex').slice(0, 32)
}
