// The compilation page: ▲/▼ (or Alt+↑/↓ in a row) move an item; the hidden order fields and the
// rank column follow, so saving stores the order shown. The spoken-length cell follows the text.
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

  function move(row, step) {
    const body = row.parentNode;
    const list = rows(body);
    const target = list[list.indexOf(row) + step];
    if (!target) return;
    if (step < 0) body.insertBefore(row, target);
    else body.insertBefore(target, row);
    renumber(body);
  }

  function spoken(area) {
    const cell = area.closest("tr").querySelector(".spoken-length");
    if (!cell) return;
    const chars = area.value.replace(/\s+/g, "").length;
    cell.textContent = (chars / PACE).toFixed(1) + " s";
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest(".rank-up, .rank-down");
    if (button) move(button.closest("tr"), button.classList.contains("rank-up") ? -1 : 1);
  });
  document.addEventListener("keydown", (event) => {
    const row = event.target.closest && event.target.closest("tr.form-row");
    if (!row || !event.altKey || !["ArrowUp", "ArrowDown"].includes(event.key)) return;
    event.preventDefault();
    move(row, event.key === "ArrowUp" ? -1 : 1);
    event.target.focus();
  });
  document.addEventListener("input", (event) => {
    if (event.target.classList.contains("compilation-narration")) spoken(event.target);
  });
})();
