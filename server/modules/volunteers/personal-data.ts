import type { PersonalDataSource } from '../accounts/personal-data'
import * as q from './queries'
import { eraseVolunteer } from './service'

/** 注销: real name and phone erased (on the application and on certificates, whose numbers still verify the hours), future places released; attended shifts and the hours ledger stay (the city's
 *  service record), linked to the emptied account. */
export const volunteersPersonalData: PersonalDataSource = {
  name: 'volunteers',
  erase: (tx, person) => eraseVolunteer(tx, person.userId),
  export: async (db, userId) => ({
    application: (await q.volunteerByUser(db, userId)) ?? null,
    signups: await q.signupsOf(db, userId),
    hours: await q.ledger(db, userId),
    certificates: await q.certificatesOf(db, userId, null, 1000),
  }),
}
