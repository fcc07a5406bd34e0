// Live processing status of course videos on the editor page, without reloading it.
(function () {
  "use strict";
  document.querySelectorAll("[data-media-status]").forEach(function (element) {
    const url = element.getAttribute("data-media-status");
    function poll() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (!data) return;
          element.textContent = data.label;
          if (data.status === "uploaded" || data.status === "processing") {
            window.setTimeout(poll, 2000);
          } else if (data.status === "failed") {
            window.location.reload();  // shows the retry button
          }
        })
        .catch(function () { window.setTimeout(poll, 5000); });
    }
    window.setTimeout(poll, 1500);
  });
})();
