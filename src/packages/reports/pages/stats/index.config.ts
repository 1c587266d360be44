export default definePageConfig({ navigationBarTitleText: '每日统计', enablePullDownRefresh: true, backgroundTextStyle: 'dark' })
