// A small tus 1.0.0 client (core, creation, termination, checksum) for sending a browser File straight to the api.
// Plain ES module, no bundler: the web server never sees the bytes, so uploads of any size cost it nothing.
//
// One ResumableUpload sends one file in chunks. Whatever breaks along the way (a dropped connection, a server
// restart, a 5xx, a lock held by a request the network left behind), it asks the server with HEAD where the upload
// stands and carries on from there, waiting a little longer after each failure in a row. It gives up only on answers
// that another try cannot change (a full quota, a taken name, a refused token) or after the last back-off step.

export const TUS_VERSION = "1.0.0";

const OFFSET_OCTET_STREAM = "application/offset+octet-stream";
const FILE_ID_HEADER = "Aio-File-Id";
const CHECKSUM_MISMATCH = 460;
const DEFAULT_RETRY_DELAYS = [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000];

/** An answer (or the lack of one) that stopped an upload. status is 0 when no answer arrived at all. */
export class UploadError extends Error {
    constructor(message, { status = 0, title = null, detail = null, retryable = false, restart = false, ended = false } = {}) {
        super(message);
        this.name = "UploadError";
        this.status = status;
        this.title = title;
        this.detail = detail;
        this.retryable = retryable;
        // The server no longer has this upload: only starting it again can help.
        this.restart = restart;
        // The server ended the upload itself (its file could not be placed): there is nothing left to resume.
        this.ended = ended;
    }
}

/** start() rejects with this after stop(): a pause or a cancel, not a failure. */
export class UploadStopped extends Error {
    constructor() {
        super("The upload was stopped.");
        this.name = "UploadStopped";
    }
}

export class ResumableUpload {
    #file;
    #options;
    #url;
    #offset = 0;
    #fileId = null;
    #request = null;
    #wake = null;
    #stopped = false;

    /**
     * @param {File} file
     * @param {object} options
     * @param {string} options.endpoint the creation address, ending in /uploads
     * @param {() => Record<string, string>} options.headers extra headers for every request (Authorization), asked
     *   again for each one, so a token that changes meanwhile is picked up
     * @param {Record<string, string>} [options.metadata] sent Base64-encoded in Upload-Metadata
     * @param {number} [options.chunkSize] bytes per PATCH
     * @param {string} [options.url] an upload created earlier, to resume
     * @param {number[]} [options.retryDelays] milliseconds to wait after the first, second… failure in a row
     * @param {(sent: number) => void} [options.onProgress]
     * @param {(url: string, expires: string | null) => void} [options.onCreated]
     * @param {(offset: number) => void} [options.onChunk] after the server acknowledged bytes up to offset
     * @param {(delay: number, error: UploadError) => void} [options.onRetry]
     */
    constructor(file, options) {
        this.#file = file;
        this.#options = { chunkSize: 8 * 1024 * 1024, retryDelays: DEFAULT_RETRY_DELAYS, metadata: {}, ...options };
        this.#url = options.url ?? null;
    }

    get url() {
        return this.#url;
    }

    get offset() {
        return this.#offset;
    }

    /** Resolves with the id of the file the upload made; rejects with UploadError, or UploadStopped after stop(). */
    async start() {
        this.#stopped = false;
        let failures = 0;
        let restarted = false;
        for (;;) {
            try {
                if (this.#url === null) {
                    await this.#create();
                } else {
                    await this.#locate();
                }

                while (this.#fileId === null) {
                    await this.#sendChunk();
                    failures = 0;
                }

                return this.#fileId;
            } catch (error) {
                if (this.#stopped) {
                    throw new UploadStopped();
                }

                if (!(error instanceof UploadError)) {
                    throw error;
                }

                if (error.restart && !restarted) {
                    // Expired or lost on the server: the bytes have to go again, but only once; a second loss is reported.
                    restarted = true;
                    this.#url = null;
                    this.#offset = 0;
                    continue;
                }

                const delays = this.#options.retryDelays;
                if (!error.retryable || failures >= delays.length) {
                    throw error;
                }

                const delay = delays[failures++];
                this.#options.onRetry?.(delay, error);
                await this.#sleep(delay);
                if (this.#stopped) {
                    throw new UploadStopped();
                }
            }
        }
    }

    /** Stops at once: the request in flight is aborted and start() rejects with UploadStopped. Resumable later. */
    stop() {
        this.#stopped = true;
        this.#request?.abort();
        this.#wake?.();
    }

    /** Back from a back-off wait now (the network came back). */
    retryNow() {
        this.#wake?.();
    }

    /** Stops and deletes the upload on the server (tus termination), which gives its reserved quota back. */
    async terminate() {
        this.stop();
        if (this.#url === null) {
            return;
        }

        try {
            await this.#send("DELETE", this.#url);
        } catch {
            // Unreachable now: the server discards the upload itself when it expires.
        }
    }

    async #create() {
        const response = await this.#send("POST", this.#options.endpoint, {
            "Upload-Length": String(this.#file.size),
            "Upload-Metadata": encodeMetadata(this.#options.metadata),
        });
        if (response.status !== 201) {
            throw toError(response, "The upload could not be started", isTransient(response.status));
        }

        const location = response.header("Location");
        if (!location) {
            throw new UploadError("The server did not say where the upload is (no Location header).", { status: response.status });
        }

        this.#url = new URL(location, this.#options.endpoint).href;
        this.#offset = readOffset(response) ?? 0;
        this.#fileId = response.header(FILE_ID_HEADER);
        this.#options.onCreated?.(this.#url, response.header("Upload-Expires"));
        this.#options.onProgress?.(this.#offset);
    }

    async #locate() {
        const response = await this.#send("HEAD", this.#url);
        if (response.status === 404 || response.status === 410 || response.status === 403) {
            throw toError(response, "The server no longer has this upload", false, true);
        }

        const offset = readOffset(response);
        if (response.status !== 200 || offset === null) {
            throw toError(response, "The upload's progress could not be read", isTransient(response.status));
        }

        this.#offset = offset;
        this.#fileId = response.header(FILE_ID_HEADER);
        this.#options.onProgress?.(this.#offset);
    }

    async #sendChunk() {
        const start = this.#offset;
        const end = Math.min(this.#file.size, start + this.#options.chunkSize);
        const isLast = end === this.#file.size;
        let body;
        try {
            body = await this.#file.slice(start, end).arrayBuffer();
        } catch (error) {
            throw new UploadError(`The file can no longer be read (${error.message}). It may have been changed or moved: choose it again.`);
        }

        const headers = {
            "Content-Type": OFFSET_OCTET_STREAM,
            "Upload-Offset": String(start),
        };
        const checksum = await sha256Base64(body);
        if (checksum) {
            headers["Upload-Checksum"] = `sha256 ${checksum}`;
        }

        const response = await this.#send("PATCH", this.#url, headers, body, loaded => this.#options.onProgress?.(start + loaded));
        if (response.status !== 204) {
            throw this.#patchError(response, isLast);
        }

        const offset = readOffset(response);
        if (offset === null || offset < start) {
            throw new UploadError("The server's answer did not say how much it kept (no Upload-Offset).", { status: response.status, retryable: true });
        }

        this.#offset = offset;
        this.#fileId = response.header(FILE_ID_HEADER);
        this.#options.onChunk?.(offset);
        this.#options.onProgress?.(offset);
        if (this.#fileId === null && offset === this.#file.size) {
            // Every byte is there but the file is not made yet (another request is storing it): HEAD will say.
            throw new UploadError("The server is still storing the upload.", { status: response.status, retryable: true });
        }
    }

    #patchError(response, isLast) {
        const problem = response.problem();
        switch (response.status) {
            case 409:
                // Ours to fix (HEAD for the offset) unless it names a field: then the finished file clashed with a name.
                return problem?.field
                    ? toError(response, "The upload could not be stored", false, false, true)
                    : toError(response, "The upload moved on meanwhile", true);
            case 404:
                // After the last chunk a 404 is about where the file was going (its folder is gone), not the upload.
                return isLast
                    ? toError(response, "The upload could not be stored", false, false, true)
                    : toError(response, "The server no longer has this upload", false, true);
            case 410:
                return toError(response, "The server no longer has this upload", false, true);
            case 400:
                // A body that broke off on the way: the server kept what arrived.
                return toError(response, "The upload was interrupted", true);
            case CHECKSUM_MISMATCH:
                return toError(response, "The bytes arrived damaged", true);
            default:
                return toError(response, "The upload failed", isTransient(response.status));
        }
    }

    #sleep(milliseconds) {
        return new Promise(resolve => {
            const done = () => {
                clearTimeout(timer);
                this.#wake = null;
                resolve();
            };
            const timer = setTimeout(done, milliseconds);
            this.#wake = done;
        });
    }

    #send(method, url, headers = {}, body = null, onUploadProgress = null) {
        return new Promise((resolve, reject) => {
            // XMLHttpRequest rather than fetch: only it reports how much of a request body has gone out.
            const xhr = new XMLHttpRequest();
            this.#request = xhr;
            xhr.open(method, url);
            const all = { "Tus-Resumable": TUS_VERSION, ...this.#options.headers(), ...headers };
            for (const [name, value] of Object.entries(all)) {
                xhr.setRequestHeader(name, value);
            }

            if (onUploadProgress) {
                xhr.upload.onprogress = event => onUploadProgress(event.loaded);
            }

            const settle = () => {
                if (this.#request === xhr) {
                    this.#request = null;
                }
            };
            xhr.onload = () => {
                settle();
                resolve(new Answer(xhr));
            };
            xhr.onerror = xhr.ontimeout = () => {
                settle();
                reject(new UploadError("The server could not be reached.", { retryable: true }));
            };
            xhr.onabort = () => {
                settle();
                reject(new UploadStopped());
            };
            xhr.send(body);
        });
    }
}

class Answer {
    #xhr;

    constructor(xhr) {
        this.#xhr = xhr;
    }

    get status() {
        return this.#xhr.status;
    }

    header(name) {
        return this.#xhr.getResponseHeader(name);
    }

    /** The RFC 9457 problem the api sends with every error, or null. */
    problem() {
        const type = this.header("Content-Type") ?? "";
        if (!type.includes("json") || !this.#xhr.responseText) {
            return null;
        }

        try {
            return JSON.parse(this.#xhr.responseText);
        } catch {
            return null;
        }
    }
}

// Server errors are worth another try, except those that say the request itself can never work here: not
// implemented, unsupported HTTP version, no storage left (507), loops, and missing extensions or authentication.
const PERMANENT_SERVER_ERRORS = [501, 505, 507, 508, 510, 511];

function isTransient(status) {
    return status === 0 || status === 408 || status === 423 || status === 429 || (status >= 500 && !PERMANENT_SERVER_ERRORS.includes(status));
}

function toError(response, fallback, retryable, restart = false, ended = false) {
    const problem = response.problem();
    const title = problem?.title ?? null;
    const detail = problem?.detail ?? null;
    return new UploadError(detail ?? title ?? `${fallback} (HTTP ${response.status}).`, { status: response.status, title, detail, retryable, restart, ended });
}

function readOffset(response) {
    const value = response.header("Upload-Offset");
    return value !== null && /^\d+$/.test(value) ? Number(value) : null;
}

/** tus metadata: comma-separated "key base64(UTF-8 value)" pairs. */
function encodeMetadata(metadata) {
    return Object.entries(metadata)
        .filter(([, value]) => value !== null && value !== undefined && value !== "")
        .map(([key, value]) => {
            const bytes = new TextEncoder().encode(String(value));
            let binary = "";
            for (const byte of bytes) {
                binary += String.fromCharCode(byte);
            }

            return `${key} ${btoa(binary)}`;
        })
        .join(",");
}

/** SHA-256 of a chunk for Upload-Checksum; null where the page is not a secure context (no crypto.subtle). */
async function sha256Base64(buffer) {
    if (!globalThis.crypto?.subtle) {
        return null;
    }

    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", buffer));
    let binary = "";
    for (const byte of digest) {
        binary += String.fromCharCode(byte);
    }

    return btoa(binary);
}
