import type { Remote } from '@/hooks/useRemote'
import PageShell from './PageShell'
import { ErrorState, LoadingState } from './StateView'

type Loadable<T> = Pick<Remote<T>, 'data' | 'error' | 'loading' | 'reload'>

/** Whether a page's data has arrived: narrows `remote.data` for the rest of the page. */
export function ready<T>(remote: Loadable<T>): remote is Loadable<T> & { data: T } {
  return !remote.loading && !remote.error && remote.data !== undefined
}

/**
 * What a page shows before its content can: on the way to sign-in, loading, or the error with a retry —
 * `if (!signedIn || !ready(first)) return <PageGate signedIn={signedIn} remote={first} />`.
 */
export default function PageGate({ signedIn = true, remote }: { signedIn?: boolean; remote?: Loadable<unknown> }) {
  if (!signedIn) return <PageShell><LoadingState text='正在前往登录…' /></PageShell>
  if (!remote || remote.loading) return <PageShell><LoadingState /></PageShell>
  return <PageShell><ErrorState error={remote.error} onRetry={remote.reload} /></PageShell>
}
