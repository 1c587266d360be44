import type { AppContext } from '../../context'
import type { SurveyDefinition } from '../../../types/surveys'
import * as q from './queries'

const CHANGED = 'surveys.changed'

export interface CachedSurvey {
  s: q.SurveyRow
  def: SurveyDefinition
  ids: Map<string, number>
}

/**
 * A survey's row and questions, kept per API process for the submissions that check answers against them. An edit
 * calls surveyChanged(), heard by every process on the bus; entries also age out after a minute. A stale entry can
 * never store a response checked against old questions: its version travels with the submission, and the database
 * refuses it when the survey's version has moved on (queries.RECORD), after which the entry is read again.
 */
class SurveyDefinitions {
  private readonly entries = new Map<number, { value: CachedSurvey | undefined; until: number }>()

  constructor(private readonly ctx: AppContext, private readonly ttlMs = 60_000, private readonly max = 2000) {
    void ctx.bus.subscribe(CHANGED, (m) => this.drop((m as { id: number }).id))
  }

  async get(id: number): Promise<CachedSurvey | undefined> {
    const e = this.entries.get(id)
    if (e && e.until > Date.now()) return e.value
    // the row (with its version) before the questions: an edit in between leaves the older version beside newer
    // questions, which the database refuses — never the reverse
    const s = await q.survey(this.ctx.db, id)
    const value = s ? { s, ...(await q.definition(this.ctx.db, id)) } : undefined
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value as number)
    this.entries.set(id, { value, until: Date.now() + this.ttlMs })
    return value
  }

  drop(id: number): void {
    this.entries.delete(id)
  }
}

const caches = new WeakMap<AppContext, SurveyDefinitions>()

export function surveyDefinitions(ctx: AppContext): SurveyDefinitions {
  let c = caches.get(ctx)
  if (!c) {
    c = new SurveyDefinitions(ctx)
    caches.set(ctx, c)
  }
  return c
}

/** After an edit, publish or close: forgotten here at once, in the other API processes when the bus delivers. */
export async function surveyChanged(ctx: AppContext, id: number): Promise<void> {
  surveyDefinitions(ctx).drop(id)
  await ctx.bus.publish(CHANGED, { id }).catch(() => undefined)
}
