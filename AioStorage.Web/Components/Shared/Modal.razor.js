// Opens a <dialog> as a modal and remembers what had focus, so closing it puts keyboard users back where they were.
export function open(dialog, fallbackSelector) {
    // Closed again before this module loaded: nothing to open.
    if (!dialog?.isConnected) {
        return null;
    }

    const previous = document.activeElement;
    dialog.showModal();
    const selectOnOpen = dialog.querySelector("[data-select-on-open]");
    if (selectOnOpen) {
        selectOnOpen.focus();
        const end = Number(selectOnOpen.dataset.selectOnOpen);
        selectOnOpen.setSelectionRange(0, end > 0 ? end : selectOnOpen.value.length);
    }

    return {
        restoreFocus() {
            // The server may ask before the render that removes the dialog has reached the page: wait for it.
            const settle = (framesLeft) => {
                if (dialog.isConnected && framesLeft > 0) {
                    requestAnimationFrame(() => settle(framesLeft - 1));
                    return;
                }

                // Another dialog took over, or the page already put focus somewhere on purpose.
                const active = document.activeElement;
                if (document.querySelector("dialog[open]") || (active && active !== document.body && !dialog.contains(active))) {
                    return;
                }

                // What had focus may be gone, or disabled by what the dialog did (an emptied list's button).
                const usable = previous instanceof HTMLElement && previous.isConnected && previous !== document.body && !previous.disabled;
                const target = usable ? previous : fallbackSelector && document.querySelector(fallbackSelector);
                target?.focus();
            };
            settle(30);
        },
    };
}
