import pg from 'pg'

export default async function globalTeardown(): Promise<void> {
  const name = process.env.CIVICLINK_TEST_TEMPLATE_DB
  if (!process.env.DATABASE_URL || !name) return
  const admin = new pg.Client({ connectionString: process.env.DATABASE_URL })
  await admin.connect()
  await admin.query(`DROP DATABASE IF EXISTS ${name}`)
  await admin.end()
}
