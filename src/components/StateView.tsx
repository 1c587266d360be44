import { View } from '@tarojs/components'
import { Button, Empty, Loading } from '@nutui/nutui-react-taro'
import type { ApiError } from '@/services/api'
import './StateView.scss'

/** 加载中… */
export function LoadingState({ text = '加载中…' }: { text?: string }) {
  return (
    <View className='cl-state cl-state--loading'>
      <Loading type='spinner'>{text}</Loading>
    </View>
  )
}

/** A failed load, with the server's (or network's) message and a retry button. */
export function ErrorState({ error, onRetry }: { error?: ApiError | Error; onRetry?: () => void }) {
  return (
    <View className='cl-state cl-state--error'>
      <Empty
        status='error'
        imageSize={64}
        image={<View className='cl-state__mark cl-state__mark--error'>!</View>}
        title='加载失败'
        description={error?.message || '出错了，请稍后重试'}
      />
      {onRetry ? (
        <Button type='primary' fill='outline' size='small' onClick={onRetry}>
          重试
        </Button>
      ) : null}
    </View>
  )
}

/** Nothing (yet). */
export function EmptyState({ title, description, actionText, onAction }: { title: string; description?: string; actionText?: string; onAction?: () => void }) {
  return (
    <View className='cl-state cl-state--empty'>
      <Empty imageSize={64} image={<View className='cl-state__mark'>空</View>} title={title} description={description ?? ''} />
      {actionText && onAction ? (
        <Button type='primary' size='small' onClick={onAction}>
          {actionText}
        </Button>
      ) : null}
    </View>
  )
}
