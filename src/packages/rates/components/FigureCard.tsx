import { View } from '@tarojs/components'
import { Tag } from '@nutui/nutui-react-taro'
import type { Figure, RegionFigures } from '@contract/rates'
import { pct, pp, standing, STANDING } from '../figures'

/**
 * One figure of the region: the headline rate and its 95% interval, n, the target and the gap to it, the change from
 * the previous period; above the community also the pooled (unweighted) rate and its n beside the weighted headline.
 */
export default function FigureCard({ f, region, selected, onSelect }: { f: Figure; region: RegionFigures; selected: boolean; onSelect: () => void }) {
  const weighted = region.level !== 'community'
  const s = standing(f)
  return (
    <View
      className={`rt-fig rt-fig--${s} ${selected ? 'rt-fig--selected' : ''}`}
      ariaRole='button'
      ariaLabel={`${f.name} ${pct(f.rate)}，${selected ? '已选中' : '点按在地图和列表中查看'}`}
      onClick={onSelect}
    >
      <View className='rt-fig__head'>
        <View className='rt-fig__name'>{f.name}</View>
        {f.rate === null ? <Tag type='default' plain>本期无数据</Tag> : f.insufficient ? <Tag type='warning' plain>样本不足</Tag> : null}
      </View>
      <View className='rt-fig__rate'>{pct(f.rate)}</View>
      <View className='rt-fig__line'>95% 区间 {f.interval ? `${pct(f.interval.lower)} – ${pct(f.interval.upper)}` : '—'}</View>
      <View className='rt-fig__line'>
        {f.figure === 'participation' ? `参与 ${f.numerator} 人 / 登记 ${f.denominator} 人` : `${f.numerator} / ${f.denominator} 人`}
        {weighted && f.effectiveN !== null ? `（有效样本 ${f.effectiveN}）` : ''}
      </View>
      {weighted ? <View className='rt-fig__line'>加权；合并（未加权）{pct(f.pooledRate)}，n={f.n}</View> : null}
      <View className='rt-fig__line'>
        目标 {pct(f.target, 0)} · <View className={`rt-fig__gap rt-fig__gap--${s}`}>{f.gapToTarget === null ? '距目标 —' : f.gapToTarget >= 0 ? '已达标' : `差 ${pp(-f.gapToTarget).replace('+', '')}`}</View>
      </View>
      <View className='rt-fig__line'>较上期 {pp(f.change)}</View>
      <View className='rt-fig__std' style={{ background: STANDING[s].color }} />
    </View>
  )
}
