/**
 * The 随手拍 lifecycle as plain data, read by the server's rules, its SQL lists and the client alike: the states,
 * which of them are open or closed, and for every action where it may start, where it ends and what it needs.
 * (FixMyStreet's State.pm is the model: one table instead of lists repeated at each use.)
 */
import type { ReportState, TransitionAction } from './reports'

export const REPORT_STATES: readonly ReportState[] = [
  'submitted', 'accepted', 'dispatched', 'rectified', 'closed', 'closed_not_fixed', 'rejected', 'merged',
]

/** Still being handled: the deadline runs, residents may "+1", duplicates may be merged into it. */
export const OPEN_STATES: readonly ReportState[] = ['submitted', 'accepted', 'dispatched', 'rectified']

/** Handled to the end by a worker's verdict (销号 or 关闭): the reporter may rate it and reopen it for a while. */
export const CLOSED_STATES: readonly ReportState[] = ['closed', 'closed_not_fixed']

/** Ended without being handled (不予受理, merged into another): no deadline runs, they are never overdue. */
export const DISMISSED_STATES: readonly ReportState[] = ['rejected', 'merged']

export const isOpen = (state: string): boolean => (OPEN_STATES as readonly string[]).includes(state)
export const isClosed = (state: string): boolean => (CLOSED_STATES as readonly string[]).includes(state)

export interface ActionRule {
  from: readonly ReportState[]
  /** null: the state stays (the action changes something else) */
  to: ReportState | null
  note: 'required' | 'optional'
  photos: 'required' | 'allowed' | 'none'
  /** what else the body must name */
  target?: 'report' | 'department-or-assignee'
  /** only for a report held back by the content check */
  onlyHeld?: boolean
  /** the reporter may do it on their own report (within the reopen window) */
  byReporter?: boolean
}

export const ACTION_RULES: Record<TransitionAction, ActionRule> = {
  accept: { from: ['submitted'], to: 'accepted', note: 'optional', photos: 'none' },
  reject: { from: ['submitted'], to: 'rejected', note: 'required', photos: 'none' },
  merge: { from: ['accepted'], to: 'merged', note: 'optional', photos: 'none', target: 'report' },
  dispatch: { from: ['accepted'], to: 'dispatched', note: 'optional', photos: 'none', target: 'department-or-assignee' },
  rectify: { from: ['dispatched'], to: 'rectified', note: 'optional', photos: 'required' },
  close: { from: ['rectified'], to: 'closed', note: 'optional', photos: 'allowed' },
  close_not_fixed: { from: ['rectified'], to: 'closed_not_fixed', note: 'required', photos: 'allowed' },
  reopen: { from: CLOSED_STATES, to: 'accepted', note: 'optional', photos: 'allowed', byReporter: true },
  release: { from: REPORT_STATES, to: null, note: 'optional', photos: 'none', onlyHeld: true },
}

/** Whether the action may start from this report's state (and hold). */
export function actionApplies(action: TransitionAction, r: { state: string; held: boolean }): boolean {
  const rule = ACTION_RULES[action]
  return (rule.from as readonly string[]).includes(r.state) && (!rule.onlyHeld || r.held)
}

/** A state list as SQL: `('submitted', 'accepted', …)`. */
export const sqlStateList = (states: readonly ReportState[]): string => `(${states.map((s) => `'${s}'`).join(', ')})`
