import type { Caller } from '../../lib/caller'
import { forbidden } from '../../errors'

export function assertCanImportRegions(caller: Caller): void {
  if (!caller.office) throw forbidden('FORBIDDEN_ROLE', '只有创文办用户可以导入区域')
}
