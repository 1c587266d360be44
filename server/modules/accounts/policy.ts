import type { Caller } from '../../lib/caller'
import { forbidden } from '../../errors'

/** Only the campaign office grants and revokes worker and office roles. */
export function assertCanManageRoles(caller: Caller): void {
  if (!caller.office) throw forbidden('FORBIDDEN_ROLE', '只有创文办用户可以管理角色')
}
