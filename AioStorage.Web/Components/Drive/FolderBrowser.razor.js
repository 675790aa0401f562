// Keyboard and pointer behaviour of the folder listing that the server cannot do without a round trip per key:
// arrow keys move between rows, Space ticks a row, clicking a row's empty space focuses it, arrow keys move inside an
// open menu.
const rowFocus = "[data-row-focus]";

// The component may already be gone (a redirect to sign-in) by the time the module has loaded.
export function attach(body) {
    if (!body) {
        return;
    }

    body.addEventListener("keydown", event => {
        const menu = event.target.closest("[role=menu]");
        if (menu) {
            moveInMenu(menu, event);
            return;
        }

        const row = event.target.closest("tr[data-item-id]");
        if (row && event.key === " " && event.target.matches(rowFocus)) {
            // Space on a row ticks it, as it would on its checkbox; the page does not scroll.
            event.preventDefault();
            row.querySelector("[data-select]")?.click();
            return;
        }

        if (!row || !["ArrowDown", "ArrowUp", "Home", "End"].includes(event.key)) {
            return;
        }

        const rows = [...row.parentElement.querySelectorAll("tr[data-item-id]")];
        const index = rows.indexOf(row);
        const next = {
            ArrowDown: rows[index + 1],
            ArrowUp: rows[index - 1],
            Home: rows[0],
            End: rows[rows.length - 1],
        }[event.key];
        event.preventDefault();
        next?.querySelector(rowFocus)?.focus();
    });

    body.addEventListener("click", event => {
        if (event.target.closest("a, button, input, [role=menu], .menu-backdrop")) {
            return;
        }

        event.target.closest("tr[data-item-id]")?.querySelector(rowFocus)?.focus();
    });
}

function moveInMenu(menu, event) {
    const items = [...menu.querySelectorAll("[role=menuitem]:not([disabled])")];
    const index = items.indexOf(document.activeElement);
    const next = {
        ArrowDown: items[(index + 1) % items.length],
        ArrowUp: items[(index - 1 + items.length) % items.length],
        Home: items[0],
        End: items[items.length - 1],
    }[event.key];
    if (next) {
        event.preventDefault();
        next.focus();
    }
}

export function focusFirstMenuItem(menu) {
    menu?.querySelector("[role=menuitem]")?.focus();
}

export function focusMenuTrigger(body, id) {
    body?.querySelector(`[data-menu-trigger="${CSS.escape(id)}"]`)?.focus();
}

export function focusItem(body, id) {
    const target = body?.querySelector(`tr[data-item-id="${CSS.escape(id)}"] ${rowFocus}`);
    if (target) {
        target.focus();
        target.scrollIntoView({ block: "nearest" });
    }
}

/** "Select all" half ticked while only some rows are: a state HTML has no attribute for. */
export function setMixed(box, mixed) {
    if (box) {
        box.indeterminate = mixed;
    }
}
