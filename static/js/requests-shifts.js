// Request form, shifts step: show what "repeat for N days" will create.
(function () {
  "use strict";
  var form = document.querySelector(".requests-shift-form");
  if (!form) return;
  var date = form.querySelector("input[name=date]");
  var days = form.querySelector("input[name=repeat_days]");
  var out = form.querySelector(".requests-repeat-preview");
  if (!date || !days || !out) return;
  var lang = document.documentElement.lang || "nl";
  function show() {
    var n = parseInt(days.value, 10);
    if (!date.value || !n || n < 2) { out.textContent = ""; return; }
    var first = new Date(date.value + "T12:00:00");
    var last = new Date(first.getTime() + (n - 1) * 86400000);
    var fmt = { weekday: "short", day: "numeric", month: "short" };
    var text = lang === "en"
      ? n + " shifts: " + first.toLocaleDateString("en-GB", fmt) + " to " + last.toLocaleDateString("en-GB", fmt)
      : n + " diensten: " + first.toLocaleDateString("nl-NL", fmt) + " tot en met " + last.toLocaleDateString("nl-NL", fmt);
    out.textContent = text;
  }
  date.addEventListener("input", show);
  days.addEventListener("input", show);
  show();
})();
