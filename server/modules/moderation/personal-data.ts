import type { PersonalDataSource } from '../accounts/personal-data'
import { eraseFlagNotes, flagsBy } from './queries'

/** 举报 under 注销: a flag keeps counting toward its item's review, without the person's own words. */
export const moderationPersonalData: PersonalDataSource = {
  name: 'moderation',
  erase: async (tx, person) => void (await eraseFlagNotes(tx, person.userId)),
  export: async (db, userId) => ({ flagsMade: await flagsBy(db, userId) }),
}
