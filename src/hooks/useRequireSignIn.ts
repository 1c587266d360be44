import { useState } from 'react'
import { useDidShow } from '@tarojs/taro'
import { goToLogin, isSignedIn } from '@/services/session'

/**
 * For pages that need a signed-in user: sends the visitor to sign-in when there is no token, and
 * reports whether there is one (re-checked each time the page is shown, e.g. after signing out).
 */
export function useRequireSignIn(): boolean {
  const [signedIn, setSignedIn] = useState(isSignedIn)
  useDidShow(() => {
    const now = isSignedIn()
    setSignedIn(now)
    if (!now) goToLogin()
  })
  return signedIn
}
