import fs from 'node:fs'
import path from 'node:path'
import type { Chunk } from 'webpack'
import { defineConfig, type UserConfigExport } from '@tarojs/cli'
import TsconfigPathsPlugin from 'tsconfig-paths-webpack-plugin'
import devConfig from './dev'
import prodConfig from './prod'
import { PageManifestPlugin, PrecompressPlugin, PreloadSharedChunksPlugin, pageOfChunk } from './h5-plugins'

const target = process.env.TARO_ENV || 'weapp'

/**
 * API base URL baked into the build. H5 is served by our own server, so the same origin ('') is right;
 * the mini-program needs an absolute URL (WeChat has no "same origin"). Override with
 * `TARO_APP_API_BASE=https://api.example.cn npx taro build --type weapp`.
 */
const apiBase = process.env.TARO_APP_API_BASE ?? (target === 'h5' ? '' : 'http://127.0.0.1:3000')

export default defineConfig<'webpack5'>(async (merge, { mode }) => {
  const development = mode === 'development' || process.env.NODE_ENV === 'development'
  const baseConfig: UserConfigExport<'webpack5'> = {
    projectName: 'civiclink',
    date: '2025-11-22',
    // NutUI is drawn on a 375 design, our own styles on 750.
    designWidth(input: any) {
      const file: string = typeof input === 'object' && input?.file ? String(input.file).replace(/\\+/g, '/') : ''
      return file.includes('@nutui') ? 375 : 750
    },
    deviceRatio: { 640: 2.34 / 2, 750: 1, 375: 2, 828: 1.81 / 2 },
    sourceRoot: 'src',
    outputRoot: `dist/${target}`,
    plugins: ['@tarojs/plugin-html'],
    // the operator's contact shown on the 隐私政策 page (empty: the page points to the guide in the admin console)
    env: { TARO_APP_API_BASE: JSON.stringify(apiBase), TARO_APP_PRIVACY_CONTACT: JSON.stringify(process.env.TARO_APP_PRIVACY_CONTACT ?? '') },
    defineConstants: {},
    alias: {
      '@': path.resolve(__dirname, '..', 'src'),
      '@contract': path.resolve(__dirname, '..', 'types'),
    },
    copy: { patterns: [], options: {} },
    framework: 'react',
    compiler: { type: 'webpack5', prebundle: { enable: false } },
    cache: { enable: false },
    sass: { data: '' },
    mini: {
      // the contract (types/) is TypeScript outside src/: compiled like src/ when the client imports a value from it
      compile: { include: [path.resolve(__dirname, '..', 'types')] },
      // CSS of shared components lands in common.wxss whatever the import order: silence webpack's ordering complaint.
      miniCssExtractPluginOption: { ignoreOrder: true },
      postcss: {
        pxtransform: { enable: true, config: {} },
        cssModules: { enable: false },
      },
      webpackChain(chain) {
        chain.resolve.plugin('tsconfig-paths').use(TsconfigPathsPlugin)
      },
    },
    h5: {
      compile: { include: [path.resolve(__dirname, '..', 'types')] },
      publicPath: '/',
      staticDirectory: 'static',
      router: { mode: 'hash' },
      output: { filename: 'js/[name].[contenthash:8].js', chunkFilename: 'js/[name].[contenthash:8].js' },
      miniCssExtractPluginOption: {
        ignoreOrder: true,
        filename: 'css/[name].[contenthash:8].css',
        chunkFilename: 'css/[name].[contenthash:8].css',
      },
      postcss: {
        autoprefixer: { enable: true, config: {} },
        pxtransform: { enable: true, config: {} },
        cssModules: { enable: false },
      },
      webpackChain(chain) {
        chain.resolve.plugin('tsconfig-paths').use(TsconfigPathsPlugin)
        // Pages are loaded on demand, and a page loads only what it uses: code two pages share goes into a chunk for
        // that set of pages (webpack's split by sharing set), not into one chunk every page waits for. A subpackage's
        // own code that two of its pages share goes into one chunk per subpackage, as in the mini-program.
        const subpackages = fs.readdirSync(path.resolve(__dirname, '..', 'src', 'packages'))
        chain.optimization.splitChunks({
          chunks: 'async',
          cacheGroups: {
            defaultVendors: false,
            default: false,
            ...Object.fromEntries(subpackages.map((name) => [`pkg-${name}`, {
              name: `pkg-${name}`,
              test: (m: { resource?: string }) => (m.resource ?? '').includes(`${path.sep}src${path.sep}packages${path.sep}${name}${path.sep}`),
              chunks: (c: Chunk) => pageOfChunk(c).startsWith(`packages/${name}/`),
              minChunks: 2,
              priority: 20,
              enforce: true,
            }])),
            common: { chunks: 'async', minChunks: 2, priority: 10, reuseExistingChunk: true },
          },
        })
        // brotli at its best quality takes seconds: for the builds the server publishes, not for every save in watch mode
        if (!development) chain.plugin('precompress').use(PrecompressPlugin)
        chain.plugin('page-manifest').use(PageManifestPlugin)
        chain.plugin('preload-shared-chunks').use(PreloadSharedChunksPlugin)
        // React + Taro's runtime alone are ~300 KB before gzip; warn only above what this app really needs.
        chain.performance.maxEntrypointSize(600 * 1024).maxAssetSize(400 * 1024)
      },
    },
  }
  if (development) return merge({}, baseConfig, devConfig)
  return merge({}, baseConfig, prodConfig)
})
