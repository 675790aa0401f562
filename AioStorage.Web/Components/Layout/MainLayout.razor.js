// The browser's IANA time zone, so the server can show times as the person's clock does.
export function timeZone() {
    return Intl.DateTimeFormat().resolvedOptions().timeZone ?? null;
}
