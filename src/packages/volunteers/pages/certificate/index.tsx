import { Image, View } from '@tarojs/components'
import Taro, { useRouter } from '@tarojs/taro'
import { Button } from '@nutui/nutui-react-taro'
import PageShell from '@/components/PageShell'
import Card from '@/components/Card'
import { ErrorState, LoadingState } from '@/components/StateView'
import { useRemote } from '@/hooks/useRemote'
import { useRequireSignIn } from '@/hooks/useRequireSignIn'
import { CERT_PAGES, certificateImage } from '../../api'
import '../../styles.scss'

/** 志愿服务证书: the image the server draws (long-press on weapp to save or forward it), and its public check. */
export default function CertificatePage() {
  const signedIn = useRequireSignIn()
  const no = useRouter().params.no ?? ''
  const img = useRemote(() => certificateImage(no), [no], signedIn && !!no)

  if (!signedIn) return <PageShell><LoadingState text='正在前往登录…' /></PageShell>
  if (!no) return <PageShell><ErrorState error={new Error('缺少证书编号')} /></PageShell>
  if (img.loading) return <PageShell><LoadingState text='正在生成证书…' /></PageShell>
  if (img.error || !img.data) return <PageShell><ErrorState error={img.error} onRetry={img.reload} /></PageShell>
  const c = img.data
  return (
    <PageShell className='vl'>
      <Card title={`证书编号 ${c.number}`}>
        <Image
          className='vl__cert'
          style={{ aspectRatio: `${c.width} / ${c.height}` }}
          src={c.dataUrl}
          mode='widthFix'
          showMenuByLongpress
          nativeProps={{ alt: `志愿服务证书，编号 ${c.number}` }}
        />
        <View className='vl__meta vl__center'>
          {process.env.TARO_ENV === 'h5' ? '长按或右键图片可保存' : '长按图片可保存或转发'}；证书上的二维码可公开查验真伪
        </View>
        <Button block fill='outline' onClick={() => Taro.navigateTo({ url: `${CERT_PAGES.verify}?no=${c.number}` })}>查看公开查验页</Button>
      </Card>
    </PageShell>
  )
}
