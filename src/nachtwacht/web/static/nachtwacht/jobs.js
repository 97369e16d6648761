// Progress of background jobs (analyses, exports): polls the small JSON status of each
// .job-progress element and reloads the page once the job has finished, so the result
// (or the failure message) appears. A static file: the CSP allows no inline script.
(function () {
  "use strict";
  function poll(box) {
    var url = box.getAttribute("data-status-url");
    var bar = box.querySelector("progress");
    var text = box.querySelector(".job-text");
    var delay = 1500;
    function tick() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
        .then(function (s) {
          if (bar) { bar.value = s.progress; bar.textContent = s.progress + "%"; }
          if (text && text.textContent !== s.text) { text.textContent = s.text; }
          if (s.finished) { window.location.reload(); return; }
          delay = Math.min(delay * 1.2, 10000);
          window.setTimeout(tick, delay);
        })
        .catch(function () { window.setTimeout(tick, 10000); });
    }
    if (box.getAttribute("data-status") === "queued" || box.getAttribute("data-status") === "running") {
      window.setTimeout(tick, delay);
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    var boxes = document.querySelectorAll(".job-progress[data-status-url]");
    for (var i = 0; i < boxes.length; i++) { poll(boxes[i]); }
  });
})();
