export default definePageConfig({ navigationBarTitleText: '新建答题活动' })
