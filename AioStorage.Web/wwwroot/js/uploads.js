// The browser's side of uploading: files picked or dropped here go straight to the api with the tus client, a few at
// a time, and the web server (which draws the upload tray) hears about progress and outcomes through .NET interop.
// The File objects never leave the browser; neither do the bytes.
//
// Unfinished uploads are remembered in localStorage (which upload address holds which file, keyed by the file's
// name, size and modification time), so after a reload or a crash the same file, chosen again, continues where it
// stopped instead of starting over.

import { ResumableUpload, UploadError, UploadStopped } from "./tus-client.js";

const STORAGE_KEY = "aio-storage.uploads";
const PROGRESS_INTERVAL_MS = 250;
const SPEED_WINDOW_MS = 5000;
const MAX_PARALLEL = 3;

let dotnet = null;
let settings = { endpoint: null, chunkSize: 8 * 1024 * 1024 };
let session = { token: null, userId: null };
let nextId = 1;
let listening = false;
const downloadFrameLifetimeMs = 60_000;
const uploads = new Map();

/** Called once per page by the .NET upload service; returns the unfinished uploads of an earlier visit. */
export function init(dotnetReference, options, token, userId) {
    dotnet = dotnetReference;
    settings = { endpoint: new URL("api/v1/uploads", options.apiBase).href, chunkSize: options.chunkSize };
    session = { token, userId };
    if (!listening) {
        listening = true;
        // Back online: uploads waiting out a back-off go again now rather than when their timer says.
        window.addEventListener("online", () => uploads.forEach(u => u.transfer?.retryNow()));
        // Closing or reloading the tab would stop uploads under way: the browser asks first. They could be resumed
        // afterwards, but only by choosing each file again.
        window.addEventListener("beforeunload", event => {
            if ([...uploads.values()].some(u => u.state === "uploading" || u.state === "retrying" || u.state === "queued")) {
                event.preventDefault();
                event.returnValue = "";
            }
        });
    }

    return remembered();
}

/**
 * Another account signed in on this page (or nobody is): its uploads stop, kept resumable for when it returns, and
 * the new account's unfinished uploads are returned.
 */
export function setSession(token, userId) {
    if (userId !== session.userId) {
        for (const upload of uploads.values()) {
            upload.transfer?.stop();
        }

        uploads.clear();
    }

    session = { token, userId };
    return remembered();
}

/**
 * Wires a folder's listing for uploads: the Upload button (and any button in the zone marked data-upload-pick) opens
 * the hidden file input, and files dropped anywhere on the zone go to the folder the zone names (data-folder-id,
 * data-folder-name; without a folder id the zone takes nothing yet). Returns a handle with dispose().
 */
export function attach(zone, input, button) {
    if (!zone || !input) {
        return null;
    }

    let depth = 0;
    const ready = () => "folderId" in zone.dataset;
    const hasFiles = event => ready() && event.dataTransfer?.types?.includes("Files");
    const setDropping = on => {
        if (on) {
            zone.dataset.dropping = "";
        } else {
            delete zone.dataset.dropping;
        }
    };
    const target = () => ({ folderId: zone.dataset.folderId || null, folderName: zone.dataset.folderName || null });

    // Opened from the click itself, not from a round trip to the server, so the browser lets the picker open.
    const onButton = () => input.click();
    const onZoneClick = event => {
        if (event.target.closest("[data-upload-pick]")) {
            input.click();
        }
    };
    const onChange = () => {
        enqueue([...input.files], target());
        // The same file can be chosen again next time (after a failure, say).
        input.value = "";
    };
    const onEnter = event => {
        if (hasFiles(event)) {
            event.preventDefault();
            depth++;
            setDropping(true);
        }
    };
    const onOver = event => {
        if (hasFiles(event)) {
            event.preventDefault();
            event.dataTransfer.dropEffect = "copy";
        }
    };
    const onLeave = event => {
        if (hasFiles(event) && --depth <= 0) {
            depth = 0;
            setDropping(false);
        }
    };
    const onDrop = event => {
        if (!hasFiles(event)) {
            return;
        }

        event.preventDefault();
        depth = 0;
        setDropping(false);
        const files = [];
        const folders = [];
        for (const item of event.dataTransfer.items ?? []) {
            if (item.kind !== "file") {
                continue;
            }

            const entry = item.webkitGetAsEntry?.();
            if (entry?.isDirectory) {
                folders.push(entry.name);
                continue;
            }

            const file = item.getAsFile();
            if (file) {
                files.push(file);
            }
        }

        if (files.length === 0 && folders.length === 0) {
            files.push(...event.dataTransfer.files);
        }

        if (folders.length > 0) {
            notify("FoldersSkipped", folders);
        }

        enqueue(files, target());
    };
    // Files dropped next to the zone (or on it before its folder is known) would otherwise make the browser open
    // them in place of the app.
    const onWindowDrag = event => {
        if (event.dataTransfer?.types?.includes("Files") && !(ready() && zone.contains(event.target))) {
            event.preventDefault();
            event.dataTransfer.dropEffect = "none";
        }
    };

    button?.addEventListener("click", onButton);
    zone.addEventListener("click", onZoneClick);
    input.addEventListener("change", onChange);
    zone.addEventListener("dragenter", onEnter);
    zone.addEventListener("dragover", onOver);
    zone.addEventListener("dragleave", onLeave);
    zone.addEventListener("drop", onDrop);
    window.addEventListener("dragover", onWindowDrag);
    window.addEventListener("drop", onWindowDrag);
    // Says the zone now takes drops: the page is on screen (prerendered) before its circuit attaches these handlers.
    zone.dataset.uploadsAttached = "true";
    return {
        dispose() {
            delete zone.dataset.uploadsAttached;
            button?.removeEventListener("click", onButton);
            zone.removeEventListener("click", onZoneClick);
            input.removeEventListener("change", onChange);
            zone.removeEventListener("dragenter", onEnter);
            zone.removeEventListener("dragover", onOver);
            zone.removeEventListener("dragleave", onLeave);
            zone.removeEventListener("drop", onDrop);
            window.removeEventListener("dragover", onWindowDrag);
            window.removeEventListener("drop", onWindowDrag);
        },
    };
}

/**
 * Wires the tray's picker for unfinished uploads: buttons marked data-resume-pick open it, and each file chosen
 * continues the remembered upload it matches (wherever that upload was going).
 */
export function attachResume(container, input) {
    if (!container || !input) {
        return null;
    }

    const onClick = event => {
        if (event.target.closest("[data-resume-pick]")) {
            input.click();
        }
    };
    const onChange = () => {
        const unmatched = [];
        for (const file of input.files) {
            const entry = findRemembered(file, null);
            if (entry) {
                enqueue([file], { folderId: entry.folderId, folderName: entry.folderName });
            } else {
                unmatched.push(file.name);
            }
        }

        input.value = "";
        if (unmatched.length > 0) {
            notify("ResumeUnmatched", unmatched);
        }

        notify("RememberedChanged", remembered());
    };
    container.addEventListener("click", onClick);
    input.addEventListener("change", onChange);
    return {
        dispose() {
            container.removeEventListener("click", onClick);
            input.removeEventListener("change", onChange);
        },
    };
}

export function pause(id) {
    const upload = uploads.get(id);
    if (upload && (upload.state === "uploading" || upload.state === "retrying" || upload.state === "queued")) {
        upload.transfer?.stop();
        // Bytes of the chunk that was cut short do not count: the server will say where to go on from.
        upload.sent = upload.transfer?.offset ?? upload.sent;
        setState(upload, "paused");
        pump();
    }
}

export function resume(id) {
    const upload = uploads.get(id);
    if (upload && (upload.state === "paused" || upload.state === "failed")) {
        setState(upload, "queued");
        pump();
    }
}

export async function cancel(id) {
    const upload = uploads.get(id);
    if (!upload || upload.state === "completed" || upload.state === "canceled") {
        return;
    }

    setState(upload, "canceled");
    forget(upload.key);
    pump();
    await (upload.transfer ?? transferFor(upload)).terminate();
    notify("StorageChanged");
}

/**
 * Downloads a signed link to the api in a hidden frame of its own. A link followed by the page itself navigates the page
 * until the answer turns out to be a download: a second download started before the first answered would cancel it
 * (two ZIPs ready at once, a file while a ZIP starts), and the warning about uploads under way would fire.
 */
export function download(url) {
    const frame = document.createElement("iframe");
    frame.hidden = true;
    frame.src = url;
    document.body.append(frame);
    // Once the browser has taken the download over, the frame can go; a minute leaves a slow first answer time to come.
    setTimeout(() => frame.remove(), downloadFrameLifetimeMs);
}

/** Drops a finished, failed or canceled upload from the list (the tray's "clear"). */
export function dismiss(id) {
    const upload = uploads.get(id);
    if (upload && !isActive(upload)) {
        uploads.delete(id);
    }
}

/** Gives up an unfinished upload of an earlier visit: deleted on the server, its reserved quota given back. */
export async function discard(key) {
    const entry = readStore()[key];
    forget(key);
    notify("RememberedChanged", remembered());
    if (entry?.url) {
        const placeholder = new File([], entry.name);
        await new ResumableUpload(placeholder, { endpoint: settings.endpoint, headers: authorization, url: entry.url }).terminate();
        notify("StorageChanged");
    }
}

function enqueue(files, { folderId, folderName }) {
    const added = [];
    for (const file of files) {
        const key = fingerprint(file, folderId);
        // The same file chosen again for the same folder while it is still in the tray: one upload is enough.
        const twin = [...uploads.values()].find(u => u.key === key && isUnfinished(u));
        if (twin) {
            resume(twin.id);
            continue;
        }

        const id = `u${nextId++}`;
        const known = readStore()[key];
        const upload = {
            id, file, key, folderId, folderName,
            url: known?.url ?? null,
            state: "queued",
            sent: known?.offset ?? 0,
            samples: [],
            lastReport: 0,
            transfer: null,
        };
        uploads.set(id, upload);
        added.push({ id, name: file.name, size: file.size, folderId, folderName, sent: upload.sent, resuming: upload.url !== null });
    }

    if (added.length > 0) {
        notify("UploadsQueued", added);
        pump();
    }
}

function pump() {
    let running = [...uploads.values()].filter(u => u.state === "uploading" || u.state === "retrying").length;
    for (const upload of uploads.values()) {
        if (running >= MAX_PARALLEL) {
            break;
        }

        if (upload.state === "queued") {
            running++;
            run(upload);
        }
    }
}

function transferFor(upload) {
    return new ResumableUpload(upload.file, {
        endpoint: settings.endpoint,
        chunkSize: settings.chunkSize,
        url: upload.url,
        headers: authorization,
        metadata: {
            filename: upload.file.name,
            filetype: upload.file.type,
            folderId: upload.folderId === "root" ? null : upload.folderId,
            // A name already in the folder makes a new version of that file; the old content stays restorable.
            onConflict: "version",
        },
        onCreated: (url, expires) => {
            upload.url = url;
            remember(upload, expires);
        },
        onChunk: offset => remember(upload, undefined, offset),
        onProgress: sent => progress(upload, sent),
        onRetry: (delay, error) => {
            upload.samples = [];
            setState(upload, "retrying", { retryInMs: delay, error: describe(error) });
        },
    });
}

async function run(upload) {
    const transfer = transferFor(upload);
    upload.transfer = transfer;
    upload.samples = [];
    setState(upload, "uploading");
    try {
        const fileId = await transfer.start();
        forget(upload.key);
        upload.sent = upload.file.size;
        setState(upload, "completed", { fileId });
    } catch (error) {
        if (error instanceof UploadStopped || upload.transfer !== transfer) {
            return;
        }

        upload.url = error instanceof UploadError && error.ended ? null : transfer.url;
        upload.sent = transfer.offset;
        if (upload.url === null) {
            forget(upload.key);
        }

        setState(upload, "failed", { error: describe(error) });
    } finally {
        if (upload.transfer === transfer) {
            upload.transfer = null;
        }

        pump();
    }
}

function progress(upload, sent) {
    const now = performance.now();
    upload.sent = sent;
    upload.samples.push([now, sent]);
    while (upload.samples.length > 2 && now - upload.samples[0][0] > SPEED_WINDOW_MS) {
        upload.samples.shift();
    }

    if (upload.state === "retrying") {
        setState(upload, "uploading");
        return;
    }

    if (now - upload.lastReport >= PROGRESS_INTERVAL_MS) {
        upload.lastReport = now;
        notify("UploadProgress", upload.id, sent, speed(upload));
    }
}

/** Bytes per second over the last few seconds: steady enough to read, quick to follow a change of network. */
function speed(upload) {
    const samples = upload.samples;
    if (samples.length < 2) {
        return 0;
    }

    const [firstTime, firstSent] = samples[0];
    const [lastTime, lastSent] = samples[samples.length - 1];
    return lastTime - firstTime < 200 ? 0 : Math.max(0, ((lastSent - firstSent) * 1000) / (lastTime - firstTime));
}

function setState(upload, state, extra = {}) {
    upload.state = state;
    upload.lastReport = performance.now();
    notify("UploadStateChanged", upload.id, {
        state,
        sent: upload.sent,
        bytesPerSecond: state === "uploading" ? speed(upload) : 0,
        retryInMs: extra.retryInMs ?? null,
        fileId: extra.fileId ?? null,
        error: extra.error ?? null,
    });
}

function isActive(upload) {
    return upload.state === "uploading" || upload.state === "retrying" || upload.state === "queued" || upload.state === "paused";
}

/** Still in the tray with something left to do (a failed one can be retried from there). */
function isUnfinished(upload) {
    return upload.state !== "completed" && upload.state !== "canceled";
}

function describe(error) {
    return error instanceof UploadError
        ? { status: error.status, title: error.title, detail: error.detail ?? error.message }
        : { status: 0, title: null, detail: String(error?.message ?? error) };
}

function authorization() {
    return session.token ? { Authorization: `Bearer ${session.token}` } : {};
}

function notify(method, ...args) {
    // The circuit may be reconnecting; the upload carries on regardless and the next report catches the tray up.
    dotnet?.invokeMethodAsync(method, ...args).catch(() => { });
}

function fingerprint(file, folderId) {
    return JSON.stringify([session.userId, settings.endpoint, folderId ?? "", file.name, file.size, file.lastModified]);
}

function readStore() {
    try {
        const stored = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? "{}");
        return stored && typeof stored === "object" ? stored : {};
    } catch {
        return {};
    }
}

function writeStore(store) {
    try {
        localStorage.setItem(STORAGE_KEY, JSON.stringify(store));
    } catch {
        // Storage full or disabled: the upload still runs, it just cannot be resumed after a reload.
    }
}

function remember(upload, expires, offset) {
    const store = readStore();
    const previous = store[upload.key];
    store[upload.key] = {
        userId: session.userId,
        endpoint: settings.endpoint,
        url: upload.url,
        name: upload.file.name,
        size: upload.file.size,
        lastModified: upload.file.lastModified,
        folderId: upload.folderId,
        folderName: upload.folderName,
        offset: offset ?? previous?.offset ?? 0,
        expires: expires ?? previous?.expires ?? null,
        savedAt: new Date().toISOString(),
    };
    writeStore(store);
}

function forget(key) {
    const store = readStore();
    if (key in store) {
        delete store[key];
        writeStore(store);
    }
}

/** A remembered upload of this file (for any folder when folderId is null), unless it is already on its way here. */
function findRemembered(file, folderId) {
    const store = readStore();
    const key = Object.keys(store).find(k => {
        const entry = store[k];
        return entry.userId === session.userId && entry.endpoint === settings.endpoint && entry.name === file.name
            && entry.size === file.size && entry.lastModified === file.lastModified
            && (folderId === null || (entry.folderId ?? null) === folderId);
    });
    return key ? { key, ...store[key] } : null;
}

/** This account's unfinished uploads that nothing on this page is working on, past expiry ones dropped. */
function remembered() {
    const store = readStore();
    const now = Date.now();
    let changed = false;
    const inTray = new Set([...uploads.values()].filter(isUnfinished).map(u => u.key));
    const list = [];
    for (const [key, entry] of Object.entries(store)) {
        if (entry.expires && Date.parse(entry.expires) <= now) {
            delete store[key];
            changed = true;
            continue;
        }

        if (entry.userId === session.userId && entry.endpoint === settings.endpoint && !inTray.has(key)) {
            list.push({
                key,
                name: entry.name,
                size: entry.size,
                offset: entry.offset ?? 0,
                folderId: entry.folderId ?? null,
                folderName: entry.folderName ?? null,
                savedAt: entry.savedAt,
            });
        }
    }

    if (changed) {
        writeStore(store);
    }

    return list;
}
