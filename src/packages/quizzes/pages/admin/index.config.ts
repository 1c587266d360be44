export default definePageConfig({ navigationBarTitleText: '组织答题', enablePullDownRefresh: true })
