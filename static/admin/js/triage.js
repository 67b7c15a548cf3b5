// Keyboard triage for the post inbox: j/k move, a approves, d declines, o opens.
// Only drives the ordinary changelist form (checkbox + action + Go), so without JavaScript
// the page works exactly as the standard admin.
(function () {
  "use strict";
  const KEY = "wagglebot.triage.row";

  function rows() {
    return Array.from(document.querySelectorAll("#result_list tbody tr"));
  }

  function current() {
    const list = rows();
    const index = Math.min(Number(sessionStorage.getItem(KEY) || -1), list.length - 1);
    return { list: list, index: index };
  }

  function highlight(index) {
    const list = rows();
    if (!list.length) { return; }
    index = Math.max(0, Math.min(index, list.length - 1));
    list.forEach(function (row, i) { row.classList.toggle("triage-current", i === index); });
    list[index].scrollIntoView({ block: "nearest" });
    sessionStorage.setItem(KEY, String(index));
  }

  function run(action, extra) {
    const state = current();
    if (state.index < 0) { return; }
    const form = document.getElementById("changelist-form");
    const select = form && form.querySelector("select[name=action]");
    const go = form && form.querySelector("button[name=index], input[name=index]");
    if (!select || !go || !select.querySelector("option[value=" + action + "]")) { return; }
    form.querySelectorAll("input.action-select").forEach(function (box) { box.checked = false; });
    state.list[state.index].querySelector("input.action-select").checked = true;
    select.value = action;
    Object.keys(extra || {}).forEach(function (name) {
      const input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = extra[name];
      form.appendChild(input);
    });
    form.requestSubmit(go);
  }

  function open() {
    const state = current();
    const link = state.index >= 0 && state.list[state.index].querySelector("th a, td a");
    if (link) { window.location.href = link.href; }
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (event.target.closest("input, textarea, select, [contenteditable]")) { return; }
    const moves = {
      j: function () { highlight(current().index + 1); },
      k: function () { highlight(current().index - 1); },
      a: function () { run("approve"); },
      d: function () { run("decline", { apply: "1", reason: "" }); },
      o: open,
    };
    if (moves[event.key]) {
      event.preventDefault();
      moves[event.key]();
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    if (current().index >= 0 && rows().length) { highlight(current().index); }
  });
})();
