// Keyboard shortcuts and abstract <-> table linking for the review page. No inline script:
// the Content-Security-Policy allows only this file.
(function () {
  "use strict";
  function typing(el) {
    return el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable);
  }
  function click(id) {
    var b = document.getElementById(id);
    if (b) { b.form.requestSubmit(b); }
  }
  function follow(id) {
    var a = document.getElementById(id);
    if (a) { window.location.href = a.href; }
  }
  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) { return; }
    var reason = document.getElementById("reason");
    if (ev.key === "Escape" && typing(document.activeElement)) { document.activeElement.blur(); return; }
    if (typing(ev.target)) {
      if (ev.key === "Enter" && ev.target === reason && reason.value) { ev.preventDefault(); click("btn-exclude"); }
      return;
    }
    if (!document.getElementById("decide-form")) { return; }
    var k = ev.key;
    if (k === "i") { ev.preventDefault(); click("btn-include"); }
    else if (k === "u") { ev.preventDefault(); click("btn-unsure"); }
    else if (k === "e") { ev.preventDefault(); if (reason) { reason.focus(); } }
    else if (k === "x") { ev.preventDefault(); if (reason && reason.value) { click("btn-exclude"); } else if (reason) { reason.focus(); } }
    else if (k === "n") { ev.preventDefault(); follow("next-link"); }
    else if (k === "q") { ev.preventDefault(); follow("to-queue"); }
    else if (k === "/") { ev.preventDefault(); var n = document.getElementById("decide-note"); if (n) { n.focus(); } }
    else if (/^[1-9]$/.test(k) && reason && Number(k) < reason.options.length) {
      ev.preventDefault(); reason.selectedIndex = Number(k); click("btn-exclude");
    }
  });
  function hot(id, on) {
    var m = document.getElementById("m-" + id), r = document.getElementById("ev-" + id);
    [m, r].forEach(function (el) { if (el) { el.classList.toggle("hot", on); } });
  }
  document.addEventListener("mouseover", function (ev) {
    var t = ev.target.closest ? ev.target.closest("[data-ev]") : null;
    if (t) { hot(t.getAttribute("data-ev"), true); }
  });
  document.addEventListener("mouseout", function (ev) {
    var t = ev.target.closest ? ev.target.closest("[data-ev]") : null;
    if (t) { hot(t.getAttribute("data-ev"), false); }
  });
  document.addEventListener("click", function (ev) {
    var m = ev.target.closest ? ev.target.closest("mark[data-ev]") : null;
    if (!m) { return; }
    var row = document.getElementById("ev-" + m.getAttribute("data-ev"));
    var input = row && row.querySelector("input.val");
    if (input) { input.focus(); input.select(); }
  });
  document.querySelectorAll("form.delete-form").forEach(function (f) {
    f.addEventListener("submit", function (ev) {
      if (!window.confirm("Delete this extracted value? It leaves the pool (the original stays in the history).")) { ev.preventDefault(); }
    });
  });
})();
