// The compilation page: drag an item by its ⠿ handle, press ▲/▼, Alt+↑/↓ anywhere in its row or
// ↑/↓ on the focused handle. The hidden order fields and the rank column follow, so saving the page
// stores the order shown; on a draft the new order is also sent as it changes (#compilation-order-
// status has the URL). The spoken-length cell follows the narration as it is typed.
(function () {
  "use strict";
  const PACE = 6.9; // syllables per second, the voice's pace (generation.tts.PACE_TARGET)

  function rows(body) {
    return Array.from(body.querySelectorAll("tr.form-row")).filter((row) => !row.classList.contains("empty-form"));
  }

  function renumber(body) {
    rows(body).forEach((row, index) => {
      const order = row.querySelector("input.compilation-order");
      if (order) order.value = index + 1;
      const rank = row.querySelector("td.field-rank p");
      if (rank) rank.textContent = index + 1;
    });
  }

  // Saving ----------------------------------------------------------------------------------

  function csrf() {
    const input = document.querySelector("[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // The post ids in the order shown, or null while a row is not saved yet (the page's Save does it).
  function postIds(body) {
    const ids = rows(body).map((row) => {
      const saved = row.querySelector("input[name$='-id']");
      const post = row.querySelector("input[name$='-post']");
      return saved && saved.value && post ? post.value : null;
    });
    return ids.includes(null) ? null : ids;
  }

  function report(status, text, state, order) {
    status.textContent = text;
    status.dataset.state = state;
    if (order) status.dataset.order = order;
  }

  // One request at a time: the server renumbers in two passes, and the latest order must win.
  let sending = false;
  let again = false;

  function save(body) {
    const status = document.getElementById("compilation-order-status");
    if (!status || !status.dataset.url) return;
    if (sending) { again = true; return; }
    const ids = postIds(body);
    if (!ids) { report(status, status.dataset.unsaved, "unsaved"); return; }
    sending = true;
    report(status, status.dataset.saving, "saving");
    const form = new URLSearchParams(ids.map((id) => ["post", id]));
    fetch(status.dataset.url, {
      method: "POST", body: form, credentials: "same-origin",
      headers: { "X-CSRFToken": csrf(), "Accept": "application/json" },
    }).then((response) => response.json().then((data) => ({ ok: response.ok && data.ok, data: data })))
      .catch(() => ({ ok: false, data: { message: status.dataset.offline } }))
      .then((result) => {
        sending = false;
        if (again) { again = false; save(body); return; }
        report(status, result.data.message, result.ok ? "saved" : "error", result.ok ? ids.join(",") : "");
      });
  }

  function changed(body) {
    renumber(body);
    save(body);
  }

  // Moving ----------------------------------------------------------------------------------

  function move(row, step) {
    const body = row.parentNode;
    const list = rows(body);
    const target = list[list.indexOf(row) + step];
    if (!target) return;
    if (step < 0) body.insertBefore(row, target);
    else body.insertBefore(target, row);
    changed(body);
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest(".rank-up, .rank-down");
    if (button) move(button.closest("tr"), button.classList.contains("rank-up") ? -1 : 1);
  });

  document.addEventListener("keydown", (event) => {
    const row = event.target.closest && event.target.closest("tr.form-row");
    const onHandle = event.target.classList && event.target.classList.contains("rank-handle");
    if (!row || !(event.altKey || onHandle) || !["ArrowUp", "ArrowDown"].includes(event.key)) return;
    event.preventDefault();
    move(row, event.key === "ArrowUp" ? -1 : 1);
    event.target.focus(); // moving the row out of the document and back in blurred it
  });

  // Dragging with pointer events rather than HTML5 drag and drop: they work for a finger too, and
  // a draggable row would take the mouse from the narration textarea inside it.
  let dragged = null;
  let before = -1;

  document.addEventListener("pointerdown", (event) => {
    const handle = event.target.closest(".rank-handle");
    if (!handle || event.button !== 0) return;
    event.preventDefault();
    handle.setPointerCapture(event.pointerId);
    handle.focus();
    dragged = handle.closest("tr");
    before = rows(dragged.parentNode).indexOf(dragged);
    dragged.classList.add("rank-dragging");
    document.body.classList.add("rank-dragging-page");
  });

  document.addEventListener("pointermove", (event) => {
    if (!dragged) return;
    const body = dragged.parentNode;
    const over = rows(body).find((row) => {
      const box = row.getBoundingClientRect();
      return row !== dragged && event.clientY >= box.top && event.clientY < box.bottom;
    });
    if (!over) return;
    const box = over.getBoundingClientRect();
    body.insertBefore(dragged, event.clientY < box.top + box.height / 2 ? over : over.nextSibling);
    renumber(body);
  });

  function drop() {
    if (!dragged) return;
    const body = dragged.parentNode;
    dragged.classList.remove("rank-dragging");
    document.body.classList.remove("rank-dragging-page");
    const moved = rows(body).indexOf(dragged) !== before;
    dragged = null;
    if (moved) changed(body);
  }

  document.addEventListener("pointerup", drop);
  document.addEventListener("pointercancel", drop);

  // The spoken length -----------------------------------------------------------------------

  function spoken(area) {
    const cell = area.closest("tr").querySelector(".spoken-length");
    if (!cell) return;
    const chars = area.value.replace(/\s+/g, "").length;
    cell.textContent = (chars / PACE).toFixed(1) + " s";
  }

  document.addEventListener("input", (event) => {
    if (event.target.classList.contains("compilation-narration")) spoken(event.target);
  });
})();
