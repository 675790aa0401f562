// Uploads one file to AIO Storage with tus-js-client, the reference tus client, to prove any tus client works.
// The .NET test AioStorage.Tests/Uploads/TusJsClientTests.cs runs it against a real Kestrel-hosted api.
//
//   TUS_ENDPOINT=http://127.0.0.1:PORT/api/v1/uploads TUS_TOKEN=<bearer token> TUS_FILE=<path> \
//   [TUS_CHUNK_SIZE=5242880] [TUS_FILETYPE=application/octet-stream] [TUS_DATA_DURING_CREATION=1] [TUS_OVERRIDE_PATCH=1] \
//   node upload.mjs
//
// Prints one JSON line on success: {"fileId": "...", "uploadUrl": "...", "bytes": N, "chunks": N}; exits 1 on failure.
import { createReadStream, statSync } from 'node:fs'
import { basename } from 'node:path'
import * as tus from 'tus-js-client'

function required (name) {
  const value = process.env[name]
  if (!value) {
    console.error(`${name} is required`)
    process.exit(2)
  }
  return value
}

const endpoint = required('TUS_ENDPOINT')
const token = required('TUS_TOKEN')
const path = required('TUS_FILE')
const chunkSize = Number(process.env.TUS_CHUNK_SIZE ?? 5 * 1024 * 1024)
const size = statSync(path).size
let chunks = 0

const upload = new tus.Upload(createReadStream(path), {
  endpoint,
  chunkSize,
  uploadSize: size,
  headers: { Authorization: `Bearer ${token}` },
  metadata: { filename: basename(path), filetype: process.env.TUS_FILETYPE ?? 'application/octet-stream' },
  uploadDataDuringCreation: process.env.TUS_DATA_DURING_CREATION === '1',
  overridePatchMethod: process.env.TUS_OVERRIDE_PATCH === '1',
  retryDelays: [0, 500, 1000, 2000],
  onChunkComplete () {
    chunks++
  },
  onError (error) {
    console.error(`upload failed: ${error}`)
    process.exit(1)
  },
  onSuccess ({ lastResponse }) {
    const fileId = lastResponse.getHeader('Aio-File-Id')
    if (!fileId) {
      console.error('the last response carried no Aio-File-Id header')
      process.exit(1)
    }
    console.log(JSON.stringify({ fileId, uploadUrl: upload.url, bytes: size, chunks }))
  }
})

upload.start()
