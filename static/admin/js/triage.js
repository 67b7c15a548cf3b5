// Keyboard triage for the inbox and the post page.
// Inbox: j/k move, a approves, 1–5 decline with a preset reason, 6 with your own, d shows the
// reasons, u undoes the last move, o opens. Moves go to the post's small JSON endpoint and the row
// leaves in place; without JavaScript the changelist's admin actions do the same work.
// Keys are read from event.code (the physical key), so they work in Korean input mode too,
// where the j key arrives as "ㅓ".
(function () {
  "use strict";
  const STORE = "wagglebot.triage";
  const CODES = {
    KeyJ: "j", KeyK: "k", KeyA: "a", KeyD: "d", KeyO: "o", KeyU: "u", Escape: "escape",
    Digit1: "1", Digit2: "2", Digit3: "3", Digit4: "4", Digit5: "5", Digit6: "6",
    Numpad1: "1", Numpad2: "2", Numpad3: "3", Numpad4: "4", Numpad5: "5", Numpad6: "6",
  };
  let config = null;
  let selected = null;  // the highlighted inbox row
  let lastUndo = null;  // the function that undoes the last move, while its window lasts
  let fetching = false;

  function keyOf(event) {
    if (CODES[event.code]) { return CODES[event.code]; }
    return event.key && event.key.length === 1 ? event.key.toLowerCase() : "";
  }

  function csrf() {
    const input = document.querySelector("[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function send(url, move, reason) {
    const body = new URLSearchParams({ move: move, reason: reason || "" });
    return fetch(url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": csrf(), "Accept": "application/json" },
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok && data.ok, data: data }; });
    }).catch(function () { return { ok: false, data: { message: config.text.offline } }; });
  }

  // Messages --------------------------------------------------------------------------------

  function toast(message, level, undo) {
    const box = document.getElementById("triage-toast");
    const item = document.createElement("div");
    item.className = "triage-message triage-" + level;
    item.textContent = message + " ";
    box.prepend(item);
    if (!undo) {
      setTimeout(function () { item.remove(); }, 6000);
      return;
    }
    const button = document.createElement("button");
    button.type = "button";
    button.className = "triage-undo";
    let left = config.undoSeconds;
    const label = function () { button.textContent = config.text.undo + " (u) " + left + "s"; };
    label();
    const timer = setInterval(function () {
      left -= 1;
      label();
      if (left <= 0) { finish(); }
    }, 1000);
    function finish() {
      clearInterval(timer);
      item.remove();
      if (lastUndo === run) { lastUndo = null; }
    }
    function run() { finish(); undo(); }
    button.addEventListener("click", run);
    item.appendChild(button);
    lastUndo = run;
  }

  // Inbox rows ------------------------------------------------------------------------------

  function rows() {
    return Array.from(document.querySelectorAll("#result_list tbody tr")).filter(function (row) {
      return !row.classList.contains("triage-pending");
    });
  }

  function pkOf(row) { return row.querySelector("input.action-select").value; }

  function titleOf(row) {
    const link = row.querySelector("th a");
    return link ? link.textContent : "";
  }

  function listId() { return location.pathname + location.search; }

  function select(row) {
    document.querySelectorAll("#result_list tr.triage-current").forEach(function (r) {
      r.classList.remove("triage-current");
    });
    selected = row || null;
    if (!selected) { sessionStorage.removeItem(STORE); return; }
    selected.classList.add("triage-current");
    selected.scrollIntoView({ block: "nearest" });
    sessionStorage.setItem(STORE, JSON.stringify({ list: listId(), pk: pkOf(selected) }));
  }

  function step(by) {
    const list = rows();
    if (!list.length) { return; }
    const index = selected ? list.indexOf(selected) : -1;
    select(list[Math.max(0, Math.min(index + by, list.length - 1))]);
  }

  function moveUrl(pk) { return config.changelist + pk + "/move/"; }

  function act(move, reason) {
    const row = selected;
    if (!row || !config.canModerate) { return; }
    const list = rows();
    const after = list[list.indexOf(row) + 1] || list[list.indexOf(row) - 1] || null;
    const place = { parent: row.parentNode, next: row.nextElementSibling };
    row.classList.add("triage-pending");
    select(after);  // focus moves on at once; several rows can be on their way together
    send(moveUrl(pkOf(row)), move, reason).then(function (result) {
      if (!result.ok) {
        row.classList.remove("triage-pending");
        toast(result.data.message || config.text.failed, "error");
        return;
      }
      row.remove();
      document.dispatchEvent(new CustomEvent("triage:left", { detail: { pk: pkOf(row) } }));
      const undo = result.data.undo && function () { undoMove(row, place, result.data.undo); };
      toast(result.data.message, "success", undo);
      if (!rows().length) { more(); }
    });
  }

  function undoMove(row, place, move) {
    send(moveUrl(pkOf(row)), move).then(function (result) {
      if (!result.ok) { toast(result.data.message || config.text.failed, "error"); return; }
      row.classList.remove("triage-pending");
      const next = place.next && place.next.parentNode === place.parent ? place.next : null;
      place.parent.insertBefore(row, next);
      select(row);
      toast(result.data.message, "info");
    });
  }

  // The list ran out: load the same view again, whose first rows are now the next posts.
  function more() {
    if (fetching) { return; }
    fetching = true;
    fetch(location.href, { credentials: "same-origin" }).then(function (r) { return r.text(); }).then(function (html) {
      fetching = false;
      const doc = new DOMParser().parseFromString(html, "text/html");
      const body = document.querySelector("#result_list tbody");
      const have = new Set(rows().map(pkOf));
      doc.querySelectorAll("#result_list tbody tr").forEach(function (row) {
        if (!have.has(pkOf(row))) { body.appendChild(document.importNode(row, true)); }
      });
      if (rows().length) { select(rows()[0]); } else { toast(config.text.empty, "info"); }
    }).catch(function () { fetching = false; });
  }

  function decline(key) {
    const reason = key === "6" ? window.prompt(config.text.reason, "") : config.presets[key];
    if (reason === null || reason === undefined) { return; }
    hideReasons();
    (config.onPostPage ? postAct : act)("decline", reason);
  }

  function toggleReasons() {
    const panel = document.getElementById("triage-reasons");
    if (panel) { panel.hidden = !panel.hidden; }
  }

  function hideReasons() {
    const panel = document.getElementById("triage-reasons");
    if (panel) { panel.hidden = true; }
  }

  function open() {
    const link = selected && selected.querySelector("th a");
    if (link) { window.location.href = link.href; }
  }

  // The post page ---------------------------------------------------------------------------

  function postAct(move, reason) {
    if (!config.canModerate) { return; }
    send(config.moveUrl, move, reason).then(function (result) {
      if (!result.ok) { toast(result.data.message || config.text.failed, "error"); return; }
      const undo = result.data.undo && function () {
        send(config.moveUrl, result.data.undo).then(function (r) {
          toast(r.data.message || config.text.failed, r.ok ? "info" : "error");
          if (r.ok) { showStatus(r.data.status); }
        });
      };
      showStatus(result.data.status);
      toast(result.data.message, "success", undo);
    });
  }

  function showStatus(status) {
    const badge = document.getElementById("post-status");
    if (badge) { badge.textContent = (config.statuses || {})[status] || status; badge.dataset.status = status; }
  }

  function go(url) { if (url) { window.location.href = url; } }

  // Keys ------------------------------------------------------------------------------------

  function onKey(event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing && !CODES[event.code]) { return; }
    if (event.target.closest && event.target.closest("input, textarea, select, [contenteditable]")) { return; }
    const key = keyOf(event);
    const inbox = {
      j: function () { step(1); }, k: function () { step(-1); },
      a: function () { act("approve"); }, d: toggleReasons, o: open,
    };
    const post = {
      j: function () { go(config.nextUrl); }, k: function () { go(config.previousUrl); },
      a: function () { postAct("approve"); }, d: toggleReasons,
    };
    const moves = config.onPostPage ? post : inbox;
    let handler = moves[key];
    if (!handler && /^[1-6]$/.test(key)) { handler = function () { decline(key); }; }
    if (!handler && key === "u" && lastUndo) { handler = lastUndo; }
    if (!handler && key === "escape") { handler = hideReasons; }
    if (handler) {
      event.preventDefault();
      handler();
    }
  }

  function restore() {
    // Only on the very list it was made in: a new search, filter, sort or page starts unselected.
    let saved = null;
    try { saved = JSON.parse(sessionStorage.getItem(STORE) || "null"); } catch (e) { saved = null; }
    if (!saved || saved.list !== listId()) { sessionStorage.removeItem(STORE); return; }
    const row = rows().find(function (r) { return pkOf(r) === saved.pk; });
    if (row) { select(row); }
  }

  function init() {
    const element = document.getElementById("triage-config");
    if (!element) { return; }
    config = JSON.parse(element.textContent);
    config.onPostPage = Boolean(config.moveUrl);
    if (!config.onPostPage) { restore(); }
    document.addEventListener("keydown", onKey);
    document.querySelectorAll("[data-triage-move]").forEach(function (button) {
      button.addEventListener("click", function () {
        const move = button.dataset.triageMove;
        if (move === "decline") { toggleReasons(); } else { postAct(move); }
      });
    });
    document.querySelectorAll("[data-triage-reason]").forEach(function (button) {
      button.addEventListener("click", function () { decline(button.dataset.triageReason); });
    });
  }

  document.addEventListener("DOMContentLoaded", init);
})();
