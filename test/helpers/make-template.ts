// Child process of the API tests' global setup: builds a migrated PGlite database once and dumps it to a
// tarball, which each test file loads into its own in-memory instance (cheaper than initdb per file).
import fs from 'node:fs'
import { PGlite } from '@electric-sql/pglite'
import { wrapPGlite } from '../../server/db/pglite'
import { migrate } from '../../server/db/migrate'

async function main() {
  const pg = await PGlite.create()
  await migrate(wrapPGlite(pg))
  const dump = await pg.dumpDataDir('none')
  fs.writeFileSync(process.argv[2], Buffer.from(await dump.arrayBuffer()))
  await pg.close()
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
