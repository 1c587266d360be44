import crypto from 'node:crypto'
import type { AppContext } from '../../context'
import { badRequest, conflict } from '../../errors'
import { audit } from '../../lib/audit'
import type { Caller } from '../../lib/caller'
import { ERASURE_PHRASE, type ErasureBody, type PersonalDataExport, type SmsSendResult } from '../../../types/privacy'
import * as eq from './erasure-queries'
import type { PersonalDataSource } from './personal-data'
import * as q from './queries'
import { codeHash, MAX_FAILED_ATTEMPTS, sendSmsCode } from './service'

/** The accounts module's own part: sessions, codes, roles, the profile. Erased last: the others may need the row. */
export const accountPersonalData: PersonalDataSource = {
  name: 'account',
  async erase(tx, person) {
    await eq.deleteAccountTraces(tx, person.userId, person.phone)
    await eq.anonymiseUser(tx, person.userId)
  },
  export: (db, userId) => eq.exportAccount(db, userId),
}

/** 注销 asks for a fresh code sent to the account's own phone: proof that the phone's holder wants it, not just
 *  whoever holds an unlocked phone with the app open. */
export async function sendErasureCode(ctx: AppContext, caller: Caller, ip: string): Promise<SmsSendResult> {
  const user = await q.userById(ctx.db, caller.userId)
  if (!user?.phone) throw conflict('NO_PHONE', '该账号未绑定手机号，请输入确认文字注销')
  return sendSmsCode(ctx, user.phone, ip)
}

type Outcome = { ok: true; modules: string[]; after: Array<() => Promise<void>> } | { error: 'expired' | 'wrong' | 'required'; left?: number }

/**
 * 注销账号: every module erases or anonymises what it holds of the person, in one transaction, then the accounts
 * module empties the user row and deletes the sessions. What the city keeps (reports, quiz attempts, points) stays
 * linked to that emptied row, so every figure counts as before and nothing names the person.
 */
export async function eraseAccount(ctx: AppContext, sources: PersonalDataSource[], caller: Caller, body: ErasureBody): Promise<void> {
  if (body.confirm !== ERASURE_PHRASE) throw badRequest('ERASURE_NOT_CONFIRMED', `请输入「${ERASURE_PHRASE}」确认注销`)
  const outcome: Outcome = await ctx.db.transaction(async (tx) => {
    // the office check below and a concurrent revoke serialise on the same lock as role revocation
    await q.lockOfficeGrants(tx)
    const user = await eq.userForErasure(tx, caller.userId)
    if (!user || user.erased) throw conflict('ACCOUNT_ERASED', '该账号已注销')
    if (user.office && ((await q.countActiveOffice(tx))?.n ?? 0) <= 1) {
      throw conflict('LAST_OFFICE_USER', '您是最后一位创文办用户，请先为他人授予创文办角色再注销')
    }
    if (user.phone) {
      if (!body.code) return { error: 'required' as const }
      const live = await q.liveCodeForUpdate(tx, user.phone)
      if (!live || live.failedAttempts >= MAX_FAILED_ATTEMPTS) return { error: 'expired' as const }
      if (!crypto.timingSafeEqual(Buffer.from(codeHash(user.phone, body.code)), Buffer.from(live.codeHash))) {
        // committed, not thrown: a wrong guess counts even though the request fails
        await q.countFailedAttempt(tx, live.id)
        return { error: 'wrong' as const, left: MAX_FAILED_ATTEMPTS - live.failedAttempts - 1 }
      }
    }
    const person = { userId: caller.userId, phone: user.phone }
    const after: Array<() => Promise<void>> = []
    for (const s of [...sources.filter((x) => x !== accountPersonalData), accountPersonalData]) {
      const then = await s.erase(tx, person)
      if (then) after.push(then)
    }
    // no personal data in the log: the row id only (now naming nobody) and which modules took part
    await audit(tx, caller.userId, 'account.erase', `user:${caller.userId}`, { modules: sources.map((s) => s.name) })
    return { ok: true as const, modules: sources.map((s) => s.name), after }
  })
  if ('error' in outcome) {
    if (outcome.error === 'required') throw badRequest('SMS_CODE_REQUIRED', '请输入发送到您手机的验证码')
    if (outcome.error === 'expired') throw badRequest('SMS_CODE_EXPIRED', '验证码已失效，请重新获取')
    throw badRequest('SMS_CODE_INVALID', (outcome.left ?? 0) > 0 ? `验证码不正确，还可以再试 ${outcome.left} 次` : '验证码不正确，请重新获取')
  }
  // after the commit, in every process: a request in between would remember the caller again
  await ctx.callers.forget({ userId: caller.userId })
  await Promise.allSettled(outcome.after.map((f) => f()))
}

export async function exportPersonalData(ctx: AppContext, sources: PersonalDataSource[], caller: Caller): Promise<PersonalDataExport> {
  const sections: Record<string, unknown> = {}
  for (const s of sources) sections[s.name] = await s.export(ctx.db, caller.userId)
  await audit(ctx.db, caller.userId, 'account.export', `user:${caller.userId}`, { modules: sources.map((s) => s.name) })
  return { format: 'civiclink-personal-data/1', exportedAt: new Date().toISOString(), userId: caller.userId, sections }
}
