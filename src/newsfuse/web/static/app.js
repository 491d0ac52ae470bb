// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  // Open the citation named in the URL fragment (/stories/ID#c0-2) and bring it into view.
  function openFromHash() {
    var id = decodeURIComponent(location.hash.slice(1));
    var el = id && document.getElementById(id);
    if (el && el.tagName === "DETAILS") { el.open = true; el.scrollIntoView({ block: "center" }); }
  }
  // One button to open or close every citation of the summary.
  function setupToggle() {
    var button = document.getElementById("toggle-cites");
    if (!button) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var cites = document.querySelectorAll("details.cite");
      var open = button.getAttribute("aria-pressed") !== "true";
      cites.forEach(function (d) { d.open = open; });
      button.setAttribute("aria-pressed", String(open));
      button.textContent = open ? "hide all sources" : "show all sources";
    });
  }
  // Escape closes open citations.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    document.querySelectorAll("details.cite[open]").forEach(function (d) { d.open = false; });
  });
  // Printing shows every citation's passage and every chart's table; what was closed closes again after.
  var openedForPrint = [];
  window.addEventListener("beforeprint", function () {
    openedForPrint = Array.prototype.filter.call(document.querySelectorAll("details:not([open])"),
      function (d) { d.open = true; return true; });
  });
  window.addEventListener("afterprint", function () {
    openedForPrint.forEach(function (d) { d.open = false; });
    openedForPrint = [];
  });
  window.addEventListener("hashchange", openFromHash);
  document.addEventListener("DOMContentLoaded", function () { setupToggle(); openFromHash(); });
})();
