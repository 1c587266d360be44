import { Readable } from 'node:stream'
import { DeleteObjectCommand, GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
import type { StorageConfig } from '../config'
import type { PhotoStorage } from './storage'

type S3Config = Extract<StorageConfig, { kind: 's3' }>

/**
 * Photos in an S3-compatible bucket (AWS S3, MinIO, Tencent COS, Alibaba OSS through their S3 APIs), shared by every
 * API process. The bucket stays private: reads go through the app's own signed photo links, which either stream the
 * object (default) or, with presign on, redirect to a presigned GET that expires with the link.
 */
export function s3Storage(cfg: S3Config): PhotoStorage {
  const client = new S3Client({
    region: cfg.region,
    endpoint: cfg.endpoint,
    forcePathStyle: cfg.forcePathStyle,
    credentials: cfg.accessKeyId && cfg.secretAccessKey ? { accessKeyId: cfg.accessKeyId, secretAccessKey: cfg.secretAccessKey } : undefined,
    // a photo is put once and read many times; three tries ride out a brief hiccup of the store
    maxAttempts: 3,
  })
  const Key = (key: string) => `${cfg.prefix}${key}`
  const Bucket = cfg.bucket
  return {
    async put(key, data, contentType) {
      await client.send(new PutObjectCommand({ Bucket, Key: Key(key), Body: data, ContentType: contentType, ContentLength: data.length }))
    },
    async get(key) {
      try {
        const out = await client.send(new GetObjectCommand({ Bucket, Key: Key(key) }))
        if (!out.Body) return null
        return { stream: out.Body as Readable, size: Number(out.ContentLength ?? 0) }
      } catch (err) {
        if (err instanceof NoSuchKey || (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return null
        throw err
      }
    },
    async delete(key) {
      // S3 answers 204 for a key that is not there: deleting twice is no error, as with local files
      await client.send(new DeleteObjectCommand({ Bucket, Key: Key(key) }))
    },
    ...(cfg.presign
      ? { signedUrl: (key: string, seconds: number) => getSignedUrl(client, new GetObjectCommand({ Bucket, Key: Key(key), ResponseContentType: 'image/jpeg' }), { expiresIn: seconds }) }
      : {}),
    close: async () => client.destroy(),
  }
}
