// The post page: the spoken-length counter beside the script editor, and the post's live stage.
// The counter asks the server, which counts exactly as the re-render's check does.
(function () {
  "use strict";

  function csrf() {
    const input = document.querySelector("[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function counter(textarea) {
    const out = document.createElement("div");
    out.className = "spoken-counter";
    out.setAttribute("aria-live", "polite");
    textarea.insertAdjacentElement("afterend", out);
    let timer = null;
    function count() {
      const body = new URLSearchParams({ text: textarea.value });
      fetch(textarea.dataset.spokenUrl, {
        method: "POST", body: body, credentials: "same-origin", headers: { "X-CSRFToken": csrf() },
      }).then(function (r) { return r.json(); }).then(function (data) {
        out.textContent = data.chars + " / " + data.limit;
        out.classList.toggle("spoken-over", !data.fits);
      });
    }
    textarea.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(count, 150); });
    count();
  }

  function stage(element) {
    const badge = document.getElementById("post-status");
    function poll() {
      // A move made on this page while the poll was in flight is newer than the poll's answer.
      const shown = badge && badge.dataset.status;
      fetch(element.dataset.url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.json(); }).then(function (data) {
          const post = data.post || {};
          if (badge && post.status_label && badge.dataset.status === shown) {
            badge.textContent = post.status_label; badge.dataset.status = post.status;
          }
          element.textContent = post.stage ? post.stage + (post.elapsed ? " · " + post.elapsed : "") : "";
          if (post.in_flight) { setTimeout(poll, 3000); }
        }).catch(function () { setTimeout(poll, 10000); });
    }
    poll();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("textarea[data-spoken-url]").forEach(counter);
    const element = document.getElementById("post-stage");
    if (element) { stage(element); }
  });
})();
