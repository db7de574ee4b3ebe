/* The live page of a general meeting: asks the small JSON endpoint every 5 seconds and updates
   the fields marked data-live; without JavaScript the page is refreshed by hand. While the
   member has this page open during the session they count as present online. */
(function () {
  "use strict";
  var root = document.getElementById("live");
  if (!root || !window.fetch) { return; }
  var url = root.getAttribute("data-live-url");

  function pick(data, path) {
    return path.split(".").reduce(function (v, k) { return v == null ? v : v[k]; }, data);
  }

  function render(data) {
    root.querySelectorAll("[data-live]").forEach(function (el) {
      var key = el.getAttribute("data-live");
      var text;
      if (key === "current_item") {
        text = data.current_item ? data.current_item.position + ". " + data.current_item.title : "—";
      } else if (key === "voting") {
        text = el.getAttribute(data.voting_open ? "data-open" : "data-closed");
      } else {
        text = String(pick(data, key));
      }
      if (el.textContent !== text) { el.textContent = text; }
    });
  }

  function tick() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) { render(data); } })
      .catch(function () { /* try again at the next tick */ });
  }

  window.setInterval(tick, 5000);
})();
