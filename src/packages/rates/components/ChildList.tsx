import { View } from '@tarojs/components'
import { Tag } from '@nutui/nutui-react-taro'
import type { RateFigure, RegionFigures } from '@contract/rates'
import { figureOf, ordered, pct, pp, standing } from '../figures'

/**
 * The children ranked by the chosen figure (higher first; equal rates: the higher interval lower bound first), the
 * 样本不足 ones after them, unranked. A row opens that region.
 */
export default function ChildList({ children, figure, onPick }: { children: RegionFigures[]; figure: RateFigure; onPick?: (code: string) => void }) {
  let place = 0
  return (
    <View className='rt-list' ariaRole='table' ariaLabel='下级区域比率'>
      <View className='rt-list__row rt-list__row--head' ariaRole='row'>
        <View className='rt-list__c rt-list__c--no' ariaRole='columnheader'>名次</View>
        <View className='rt-list__c rt-list__c--name' ariaRole='columnheader'>区域</View>
        <View className='rt-list__c' ariaRole='columnheader'>比率</View>
        <View className='rt-list__c rt-list__c--wide' ariaRole='columnheader'>95% 区间</View>
        <View className='rt-list__c' ariaRole='columnheader'>n</View>
        <View className='rt-list__c rt-list__c--wide' ariaRole='columnheader'>距目标</View>
        <View className='rt-list__c rt-list__c--wide' ariaRole='columnheader'>较上期</View>
      </View>
      {ordered(children, figure).map((c) => {
        const f = figureOf(c, figure)
        const s = standing(f)
        const ranked = s !== 'thin' && s !== 'none'
        if (ranked) place++
        return (
          <View key={c.regionCode} className={`rt-list__row rt-list__row--${s}`} ariaRole='row' onClick={() => onPick?.(c.regionCode)}>
            <View className='rt-list__c rt-list__c--no' ariaRole='cell'>{ranked ? place : '—'}</View>
            <View className='rt-list__c rt-list__c--name' ariaRole='cell'>
              <View className='rt-list__link'>{c.name}</View>
              {s === 'thin' ? <Tag type='warning' plain>样本不足</Tag> : null}
            </View>
            <View className='rt-list__c rt-list__c--rate' ariaRole='cell'>{pct(f.rate)}</View>
            <View className='rt-list__c rt-list__c--wide' ariaRole='cell'>{f.interval ? `${pct(f.interval.lower)}–${pct(f.interval.upper)}` : '—'}</View>
            <View className='rt-list__c' ariaRole='cell'>{f.n}</View>
            <View className={`rt-list__c rt-list__c--wide rt-list__gap--${s}`} ariaRole='cell'>{f.gapToTarget === null ? '—' : pp(f.gapToTarget)}</View>
            <View className='rt-list__c rt-list__c--wide' ariaRole='cell'>{pp(f.change)}</View>
          </View>
        )
      })}
    </View>
  )
}
