// npm run bench -- <reports|quizzes|surveys|volunteers|rates|h5|restart|faults|all>: runs the benchmark scripts (figures, not tests).
import path from 'node:path'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const known = ['reports', 'quizzes', 'surveys', 'volunteers', 'rates', 'h5', 'restart', 'faults']
const asked = process.argv.slice(2)
const which = asked.length === 0 || asked.includes('all') ? known : asked
const unknown = which.filter((w) => !known.includes(w))
if (unknown.length) {
  console.error(`unknown benchmark: ${unknown.join(', ')} (choose from ${known.join(', ')}, or all)`)
  process.exit(2)
}
for (const w of which) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'scripts', `bench-${w}.ts`)], { cwd: root, stdio: 'inherit' })
  if (r.status !== 0) process.exit(r.status ?? 1)
}
