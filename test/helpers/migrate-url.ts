import { openPostgres } from '../../server/db/postgres'
import { migrate } from '../../server/db/migrate'

async function main() {
  const db = openPostgres(process.argv[2], 2)
  await migrate(db)
  await db.close()
}
main().catch((err) => {
  console.error(err)
  process.exit(1)
})
