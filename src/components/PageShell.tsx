import type { ReactNode } from 'react'
import { View } from '@tarojs/components'
import { useElderMode } from '@/hooks/useElderMode'
import './PageShell.scss'

/**
 * The root of every page: applies 长辈模式 (a class that enlarges NutUI's and our type) and the page padding.
 * Every page — including other features' subpackage pages — renders inside it.
 */
export default function PageShell({ children, className = '' }: { children: ReactNode; className?: string }) {
  const elder = useElderMode()
  return <View className={`cl-page ${elder ? 'cl-page--elder' : ''} ${className}`}>{children}</View>
}
