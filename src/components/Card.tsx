import type { ReactNode } from 'react'
import { View } from '@tarojs/components'
import './Card.scss'

export default function Card({ title, extra, children, className = '' }: { title?: ReactNode; extra?: ReactNode; children?: ReactNode; className?: string }) {
  return (
    <View className={`cl-card ${className}`}>
      {title || extra ? (
        <View className='cl-card__head'>
          <View className='cl-card__title'>{title}</View>
          {extra ? <View className='cl-card__extra'>{extra}</View> : null}
        </View>
      ) : null}
      {children}
    </View>
  )
}
