import { useEffect, useRef, type ComponentProps } from 'react'
import { View } from '@tarojs/components'
import { InputNumber } from '@nutui/nutui-react-taro'

/**
 * NutUI's InputNumber with a name. NutUI draws a bare <input> between two unlabelled −/+ taps and passes none of
 * its other props down (an aria-label given to it is dropped), so a screen reader announced "编辑框, 10" with no
 * idea of what. On H5 the name goes onto them after each render: the field reads as `label`, the taps as
 * 减少/增加 + `label`. WeChat has no DOM to reach; there NutUI's own component is used unchanged.
 */
export default function NumberInput({ label, ...props }: ComponentProps<typeof InputNumber> & { label: string }) {
  const ref = useRef<HTMLElement>(null)
  useEffect(() => {
    const root = ref.current
    if (process.env.TARO_ENV !== 'h5' || !root?.querySelector) return
    root.querySelector('input')?.setAttribute('aria-label', label)
    for (const [part, verb] of [['.nut-inputnumber-minus', '减少'], ['.nut-inputnumber-add', '增加']]) {
      const tap = root.querySelector(part)
      tap?.setAttribute('role', 'button')
      tap?.setAttribute('aria-label', `${verb}${label}`)
    }
  })
  return (
    <View ref={ref} className='cl-number-input'>
      <InputNumber {...props} />
    </View>
  )
}
