export default definePageConfig({ navigationBarTitleText: '比率看板', enablePullDownRefresh: true })
