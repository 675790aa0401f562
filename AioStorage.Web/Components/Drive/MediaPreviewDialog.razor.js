// The video player of the preview dialog. hls.js (vendored under lib/hls, loaded on first use) plays the signed HLS
// stream through MediaSource; a browser without MediaSource but with HLS of its own (Safari on iPhone) gets the
// playlist directly; anything else, or a stream hls.js gives up on, gets the MP4 fallback. The signed links carry
// their signature into every playlist and segment, so no request needs a header.

let hlsLoading = null;

function loadHls(src) {
    if (window.Hls) {
        return Promise.resolve(window.Hls);
    }

    hlsLoading ??= new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = src;
        script.onload = () => resolve(window.Hls);
        script.onerror = () => {
            hlsLoading = null;
            reject(new Error("The HLS player could not be loaded."));
        };
        document.head.append(script);
    });
    return hlsLoading;
}

export async function play(video, sources, dotnet) {
    let hls = null;
    let disposed = false;
    const handle = {
        dispose() {
            disposed = true;
            hls?.destroy();
            hls = null;
            video.pause();
            video.removeAttribute("src");
            video.load();
        },
    };

    const fail = reason => dotnet.invokeMethodAsync("PlaybackFailed", reason).catch(() => { });

    const start = () => video.play().catch(() => {
        // Autoplay refused (sound without a fresh gesture): the controls are there to start it.
    });

    const useMp4 = reason => {
        hls?.destroy();
        hls = null;
        if (!sources.mp4Url || video.currentSrc === sources.mp4Url) {
            fail(reason);
            return;
        }

        video.src = sources.mp4Url;
        start();
    };

    // hls.js reports the errors of what it plays itself; this is for native HLS and the MP4.
    video.addEventListener("error", () => {
        if (!disposed && !hls) {
            useMp4(video.error?.message || "The video could not be decoded.");
        }
    });

    if (sources.masterUrl) {
        let Hls = null;
        try {
            Hls = await loadHls(sources.hlsScript);
        } catch {
            // Without hls.js: native HLS or the MP4 below.
        }

        if (disposed) {
            return handle;
        }

        if (Hls?.isSupported()) {
            hls = new Hls({ capLevelToPlayerSize: true });
            hls.on(Hls.Events.ERROR, (_, data) => {
                if (data.fatal) {
                    useMp4(`The stream could not be played (${data.details}).`);
                }
            });
            hls.on(Hls.Events.MANIFEST_PARSED, start);
            hls.loadSource(sources.masterUrl);
            hls.attachMedia(video);
            return handle;
        }

        if (video.canPlayType("application/vnd.apple.mpegurl")) {
            video.src = sources.masterUrl;
            start();
            return handle;
        }
    }

    useMp4("This browser can play neither the HLS stream nor the MP4.");
    return handle;
}
