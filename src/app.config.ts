export default defineAppConfig({
  pages: ['pages/index/index', 'pages/report/index', 'pages/mine/index', 'pages/login/index'],
  // Features live in subpackages (src/packages/<feature>/), so the main package stays small.
  subPackages: [{ root: 'packages/accounts', pages: ['pages/region/index'] }, { root: 'packages/quizzes', pages: ['pages/index/index', 'pages/answer/index', 'pages/result/index', 'pages/wrong/index', 'pages/board/index', 'pages/admin/index', 'pages/create/index', 'pages/stats/index', 'pages/live-host/index', 'pages/live-join/index'] }, { root: 'packages/reports', pages: ['pages/new/index', 'pages/detail/index', 'pages/work/index', 'pages/handle/index', 'pages/stats/index'] }, { root: 'packages/surveys', pages: ['pages/index/index', 'pages/answer/index'] }],
  window: {
    backgroundTextStyle: 'dark',
    navigationBarBackgroundColor: '#d93026',
    navigationBarTitleText: '文明共建',
    navigationBarTextStyle: 'white',
    backgroundColor: '#f5f6f8',
  },
  tabBar: {
    color: '#8a8f99',
    selectedColor: '#d93026',
    backgroundColor: '#ffffff',
    borderStyle: 'black',
    list: [
      { pagePath: 'pages/index/index', text: '首页', iconPath: 'assets/tabbar/home.png', selectedIconPath: 'assets/tabbar/home-active.png' },
      { pagePath: 'pages/report/index', text: '随手拍', iconPath: 'assets/tabbar/report.png', selectedIconPath: 'assets/tabbar/report-active.png' },
      { pagePath: 'pages/mine/index', text: '我的', iconPath: 'assets/tabbar/mine.png', selectedIconPath: 'assets/tabbar/mine-active.png' },
    ],
  },
  permission: {
    'scope.userLocation': { desc: '用于确定您所在的社区，以及随手拍的问题位置' },
  },
  requiredPrivateInfos: ['getLocation'],
})
