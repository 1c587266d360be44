import type { ReactNode } from 'react'
import { View } from '@tarojs/components'
import { useElderMode } from '@/hooks/useElderMode'
import PrivacyConsent from './PrivacyConsent'
import './PageShell.scss'

/**
 * The root of every page: applies 长辈模式 (a class that enlarges NutUI's and our type) and the page padding.
 * Every page — including other features' subpackage pages — renders inside it, so every page can show the privacy
 * consent sheet WeChat asks for before the first privacy API call.
 */
export default function PageShell({ children, className = '' }: { children: ReactNode; className?: string }) {
  const elder = useElderMode()
  return (
    <View className={`cl-page ${elder ? 'cl-page--elder' : ''} ${className}`}>
      {children}
      <PrivacyConsent />
    </View>
  )
}
