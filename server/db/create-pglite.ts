// Run as a child process by open.ts: creates and migrates a new PGlite data directory, then exits.
import { openPGlite } from './pglite'
import { migrate } from './migrate'

async function main() {
  const dir = process.argv[2]
  if (!dir) throw new Error('usage: create-pglite.ts <dataDir>')
  const db = await openPGlite(dir)
  await migrate(db)
  await db.close()
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
